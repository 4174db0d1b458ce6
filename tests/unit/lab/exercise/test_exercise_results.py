"""The results file: format and version first, every phase's window, settings, measurements
and verdict, every rule's figure and bound, and the machine it ran on."""

import dataclasses
import json
from pathlib import Path

import pytest
from exercise_recordings import SEED_TABLE_VALUES, runs

from exercises.seed_table import EXERCISE as SEED_TABLE
from exercises.spec import Knee
from lab.exercise import results
from lab.exercise.verdict import judge


def test_the_document_is_versioned_and_complete(tmp_path: Path) -> None:
    verdicts = judge(SEED_TABLE, SEED_TABLE_VALUES)
    ex = results.exercise_result(SEED_TABLE, runs(SEED_TABLE_VALUES), verdicts)
    doc = results.document(
        [ex], short=True, started_at=1.8e9, finished_at=1.8e9 + 40, env=results.environment()
    )
    path = tmp_path / "out" / "results.json"
    results.write(path, doc)
    data = json.loads(path.read_text())

    assert list(data)[:2] == ["format", "version"]
    assert (data["format"], data["version"]) == ("asynclab-exercise-results", 1)
    assert data["short"] is True
    assert data["started_at"] == "2027-01-15T08:00:00.000+00:00"
    env = data["environment"]
    assert env["cpu_count"] >= 1
    assert {"cpu_model", "python", "django", "gunicorn", "uvicorn", "load_average"} <= set(env)
    assert all(env[name] for name in ("django", "gunicorn", "uvicorn"))

    (exercise,) = data["exercises"]
    assert exercise["name"] == "seed-table"
    assert exercise["outcome"] == "as expected"
    assert [p["verdict"] for p in exercise["phases"]] == ["Bad", "Good", "Bad", "OK"]
    first = exercise["phases"][0]
    assert first["window"] == {
        "start": "2027-01-15T08:00:00.000+00:00",
        "end": "2027-01-15T08:00:04.000+00:00",
    }
    assert first["values"] == SEED_TABLE_VALUES["sync-io"]
    assert {"settings", "upstream_config", "load", "client", "server_side"} <= set(first)
    # What a report shows of each row and of the exercise, as the catalogue states it.
    assert (first["pattern"], first["blocking"]) == (
        SEED_TABLE.phases[0].pattern,
        SEED_TABLE.phases[0].blocking,
    )
    assert exercise["explanation"] == SEED_TABLE.explanation
    assert len(exercise["verdicts"]) == len(SEED_TABLE.rules)
    assert exercise["knees"] == []
    v = exercise["verdicts"][0]
    assert v == {
        "phase": "sync-io",
        "rule": "throughput ≤ 1.2 × W÷D",
        "measure": "throughput",
        "op": "<=",
        "measured": 9.5,
        "bound": pytest.approx(12.0),
        "unit": "req/s",
        "holds": True,
        "why": SEED_TABLE.rules[0].why,
    }


def test_a_surprise_is_the_outcome_when_a_rule_fails() -> None:
    values = {k: dict(v) for k, v in SEED_TABLE_VALUES.items()}
    values["async-io"]["throughput"] = 9.0
    verdicts = judge(SEED_TABLE, values)
    ex = results.exercise_result(SEED_TABLE, runs(values), verdicts)
    assert ex["outcome"] == "surprise"
    assert ex["phases"][1]["verdict"] == "surprise (expected Good)"


def test_the_cpu_model_comes_from_cpuinfo() -> None:
    cpuinfo = "processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC 7B13\n"
    assert results.cpu_model(cpuinfo) == "AMD EPYC 7B13"
    assert results.cpu_model("processor : 0\nModel : Raspberry Pi 4\n") == "Raspberry Pi 4"


def test_a_written_document_reads_back(tmp_path: Path) -> None:
    verdicts = judge(SEED_TABLE, SEED_TABLE_VALUES)
    ex = results.exercise_result(SEED_TABLE, runs(SEED_TABLE_VALUES), verdicts)
    doc = results.document([ex], short=True, started_at=1.8e9, finished_at=1.8e9, env={})
    path = tmp_path / "results.json"
    results.write(path, doc)
    assert results.read(path) == json.loads(json.dumps(doc))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (None, "no such file"),
        ("{not json", "not JSON (line 1, column 2)"),
        (
            '{"format": "asynclab-exercise-results", "ver',
            "truncated: the JSON ends before the document does",
        ),
        (
            '{"format": "asynclab-exercise-results",\n',
            "truncated: the JSON ends before the document does",
        ),
        ("", "empty"),
        ("\udcff", "not JSON"),
        ("[]", "not an exercise results file (format 'asynclab-exercise-results')"),
        (
            '{"format": "other", "version": 1}',
            "not an exercise results file (format 'asynclab-exercise-results')",
        ),
        (
            '{"format": "asynclab-exercise-results", "version": 2, "exercises": []}',
            "results format version 2; this lab reads 1",
        ),
        (
            '{"format": "asynclab-exercise-results", "version": 1}',
            "its exercises are not results of this format",
        ),
        (
            '{"format": "asynclab-exercise-results", "version": 1, "exercises": '
            '[{"name": "x", "phases": [{"name": "a"}], "verdicts": []}]}',
            "its exercises are not results of this format",
        ),
    ],
    ids=[
        "missing",
        "not-json",
        "truncated",
        "truncated-value",
        "empty",
        "not-utf8",
        "a-list",
        "other-format",
        "version",
        "none",
        "phase",
    ],
)
def test_a_file_that_cannot_be_read_says_why_in_one_line(
    tmp_path: Path, text: str | None, message: str
) -> None:
    path = tmp_path / "results.json"
    if text is not None:
        path.write_bytes(text.encode("utf-8", "surrogateescape"))
    with pytest.raises(results.ResultsError) as raised:
        results.read(path)
    assert str(raised.value) == f"{path}: {message}"
    assert "\n" not in str(raised.value)


def test_an_exercise_with_knees_writes_each_series() -> None:
    knees = (Knee("io", {"sync-io": 50.0, "async-io": 50.0}), Knee("cpu", {"sync-cpu": 2.0}))
    exercise = dataclasses.replace(SEED_TABLE, knees=knees)
    ex = results.exercise_result(
        exercise, runs(SEED_TABLE_VALUES), judge(exercise, SEED_TABLE_VALUES)
    )
    io, cpu = ex["knees"]
    assert (io["name"], io["knee"], io["knee_users"]) == ("io", "sync-io", 10)
    assert [p["ratio"] for p in io["points"]] == pytest.approx([0.19, 0.95])
    assert (cpu["knee"], cpu["points"][0]["users"]) == (None, 1)
    assert json.loads(json.dumps(ex)) == ex
