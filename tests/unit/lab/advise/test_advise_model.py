"""The capacity of each configuration: the lower of Little's law for the waits and the CPU,
from the measured CPU per request of its slow-I/O phases; unmeasured ones say so."""

from typing import Any

import pytest

from lab.advise.model import Question, answer, overheads, verdict


def phase(name: str, load: str, impl: str, cls: str, cpu_ms: float, proxy: str = "off") -> Any:
    return {
        "name": name,
        "load": load,
        "settings": {"implementation": impl, "worker_class": cls, "proxy": proxy},
        "values": {"cpu_ms_per_request": cpu_ms},
    }


EXERCISES = [
    {
        "name": "little",
        "phases": [
            phase("sync-c1", "1 closed-loop user on /io/sync?delay_ms=200", "gunicorn", "sync", 2),
            phase("sync-c8", "8 closed-loop users on /io/sync?delay_ms=200", "gunicorn", "sync", 4),
            phase("sync-c9", "9 closed-loop users on /io/sync?delay_ms=200", "gunicorn", "sync", 3),
            phase(
                "async-c5", "5 closed-loop users on /io/async?delay_ms=200", "uvicorn", "uvicorn", 1
            ),
        ],
    },
    {
        "name": "other",
        "phases": [
            # Not one slow upstream call, or behind a proxy: not the server's o.
            phase("cpu", "2 closed-loop users on /cpu/async?cpu_ms=400", "uvicorn", "uvicorn", 400),
            phase("s2a", "1 closed-loop user on /io/sync-to-async?n=5", "uvicorn", "uvicorn", 30),
            phase("blk", "10 closed-loop users on /io/async-blocking", "uvicorn", "uvicorn", 9),
            phase("px", "4 closed-loop users on /io/sync", "gunicorn", "sync", 50, proxy="nginx"),
        ],
    },
]


def question(**changes: Any) -> Question:
    base: dict[str, Any] = {
        "upstream_ms": 200,
        "cpu_ms": 8,
        "target_rps": 100,
        "workers": 2,
        "threads": 8,
        "cores": 2,
    }
    return Question(**{**base, **changes})


def test_o_is_the_median_of_the_slow_io_phases_of_each_configuration() -> None:
    found = overheads(EXERCISES)
    assert set(found) == {("gunicorn", "sync"), ("uvicorn", "uvicorn")}
    assert found["gunicorn", "sync"].ms == 3
    assert found["uvicorn", "uvicorn"].ms == 1
    assert found["gunicorn", "sync"].sources[0] == "little sync-c1 cpu_ms_per_request 2"


def test_each_capacity_is_the_lower_ceiling_and_says_which() -> None:
    by_kind = {a.kind: a for a in answer(question(), overheads(EXERCISES))}
    sync = by_kind["gunicorn sync workers"]
    # N = 2 workers: 2 ÷ 0.208 s; CPU: 2 cores ÷ (8 + 3) ms.
    assert sync.little_rps == pytest.approx(2 / 0.208)
    assert sync.cpu_rps == pytest.approx(2 / 0.011)
    assert sync.capacity_rps == pytest.approx(2 / 0.208)
    assert sync.limit == "concurrency (Little's law)"
    loop = by_kind["uvicorn, async views"]
    assert loop.concurrency == 2000  # the upstream pool of each worker
    assert loop.capacity_rps == pytest.approx(2 / 0.009)
    assert loop.limit == "CPU"
    assert any("waits for it" in note for note in loop.notes)


def test_an_unmeasured_configuration_has_no_capacity_and_names_its_exercise() -> None:
    by_kind = {a.kind: a for a in answer(question(), overheads(EXERCISES))}
    gthread = by_kind["gunicorn gthread (threads)"]
    assert gthread.capacity_rps is None
    assert gthread.limit == "not measured"
    assert gthread.notes == ["not measured: run `lab exercise run gthread`"]


def test_the_verdict_names_who_meets_the_target_best_first() -> None:
    answers = answer(question(), overheads(EXERCISES))
    text = verdict(question(), answers)
    assert text.startswith("meets 100 req/s, with headroom: uvicorn, async views (2.2×)")
    assert "gunicorn sync" not in text.split("(not measured")[0]
    assert verdict(question(target_rps=10_000), answers).startswith(
        "no measured configuration reaches 10000 req/s"
    )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"upstream_ms": -1}, "upstream-ms must be 0 or more"),
        ({"target_rps": 0}, "target-rps must be positive"),
        ({"workers": 0}, "workers must be at least 1"),
        ({"upstream_ms": 0, "cpu_ms": 0}, "a request takes some time"),
    ],
)
def test_a_question_that_cannot_be_answered_is_refused(
    changes: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        question(**changes)
