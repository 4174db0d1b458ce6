"""Where a phase runs when a lab is running: on its server only when that server runs as the
phase needs, and when the phase reads /proc, only when its processes are on this machine."""

import dataclasses
import os
from typing import Any

from contracts.processes import process_start
from contracts.settings import LabSettings
from exercises.blocking_in_async import EXERCISE as BLOCKING
from exercises.spec import Exercise, Load, Of, Phase, Rule
from lab.exercise.running_lab import (
    NOTHING,
    RunningLab,
    differences,
    find,
    on_this_machine,
    place,
    reads_proc,
)
from lab.runner import free_port

NEEDED = dataclasses.replace(LabSettings(), web_workers=1)
HERE = {"pid": os.getpid(), "started": process_start()}


def facts(settings: LabSettings, process: dict[str, Any] = HERE, **more: Any) -> dict[str, Any]:
    return {
        "status": "ok",
        "server": "asgi",
        "settings": settings.server_shaping(),
        "extra_middleware": [],
        "process": process,
        **more,
    }


def lab_with(asgi: dict[str, Any]) -> RunningLab:
    return RunningLab(upstream="http://u", servers={"asgi": ("http://a", asgi)})


def test_a_server_that_runs_as_needed_has_no_differences() -> None:
    assert differences(facts(NEEDED), NEEDED, []) == []


def test_differences_name_each_setting_and_the_middleware() -> None:
    running = facts(LabSettings(), extra_middleware=["x.SyncOnlyMiddleware"])
    assert differences(running, NEEDED, []) == [
        "web_workers 2, needs 1",
        "extra middleware ['x.SyncOnlyMiddleware'], needs none",
    ]


def test_no_lab_means_own_servers_without_a_word() -> None:
    placement = place(BLOCKING, BLOCKING.phases[0], NEEDED, [], NOTHING)
    assert (placement.url, placement.note) == (None, "")


def test_a_matching_server_is_measured_and_said_so() -> None:
    placement = place(BLOCKING, BLOCKING.phases[0], NEEDED, [], lab_with(facts(NEEDED)))
    assert (placement.url, placement.local) == ("http://a", True)
    assert placement.note == "on the running lab's asgi server (http://a)"


def test_a_different_server_is_left_alone_and_the_reason_given() -> None:
    placement = place(BLOCKING, BLOCKING.phases[0], NEEDED, [], lab_with(facts(LabSettings())))
    assert placement.url is None
    assert placement.note == "own asgi server: the running lab's has web_workers 2, needs 1"


def test_a_server_behind_the_proxy_is_measured_only_by_a_phase_behind_it() -> None:
    proxied = dataclasses.replace(NEEDED, lab_proxy="nginx")
    # The lab's URL is the proxy's: the server says from behind it that nginx is in front.
    lab = lab_with(facts(proxied))
    assert place(BLOCKING, BLOCKING.phases[0], proxied, [], lab).url == "http://a"
    direct = place(BLOCKING, BLOCKING.phases[0], NEEDED, [], lab)
    assert direct.url is None
    assert direct.note == "own asgi server: the running lab's has lab_proxy 'nginx', needs 'off'"
    # And a phase behind the proxy never measures a server without one.
    assert place(BLOCKING, BLOCKING.phases[0], proxied, [], lab_with(facts(NEEDED))).url is None


def test_a_lab_without_the_phase_server_gets_an_own_one() -> None:
    lab = RunningLab(upstream="http://u", servers={})
    assert place(BLOCKING, BLOCKING.phases[0], NEEDED, [], lab).note == (
        "own asgi server: the running lab has none"
    )


def proc_exercise() -> Exercise:
    phase = Phase(name="cpu", pattern="p", blocking="b", server="asgi", load=Load("/ping", users=1))
    other = dataclasses.replace(phase, name="other")
    rule = Rule("other", "t", "throughput", ">=", Of("cpu", "cpu_ms_per_request"), "w")
    return Exercise("m", "q", (phase, other), (rule,), "e")


def test_proc_reading_phases_are_found_as_measures_and_as_bounds() -> None:
    exercise = proc_exercise()
    assert reads_proc(exercise, exercise.phase("cpu"))
    assert not reads_proc(exercise, exercise.phase("other"))
    assert not reads_proc(BLOCKING, BLOCKING.phases[0])


def test_a_container_server_is_not_measured_for_proc_figures() -> None:
    exercise = proc_exercise()
    elsewhere = facts(NEEDED, process={"pid": os.getpid(), "started": 1})
    placement = place(exercise, exercise.phase("cpu"), NEEDED, [], lab_with(elsewhere))
    assert placement.url is None
    assert "its rules read /proc" in placement.note
    # A phase that reads no /proc figure may measure it; /proc is then not read for it.
    placement = place(exercise, exercise.phase("other"), NEEDED, [], lab_with(elsewhere))
    assert (placement.url, placement.local) == ("http://a", False)


def test_this_process_is_on_this_machine_and_a_namesake_is_not() -> None:
    assert on_this_machine({"process": HERE})
    assert not on_this_machine({"process": {"pid": os.getpid(), "started": 1}})
    assert not on_this_machine({})


def test_nothing_listening_is_no_lab() -> None:
    settings = dataclasses.replace(LabSettings(), upstream_port=free_port())
    assert find(settings) is NOTHING
    assert not find(settings)


def test_a_phase_counting_database_connections_runs_on_its_own_server() -> None:
    phase = Phase(
        name="db", pattern="p", blocking="b", server="asgi", load=Load("/db/async", users=1)
    )
    rule = Rule("db", "t", "db_connections", ">=", 1, "w")
    exercise = Exercise("d", "q", (phase,), (rule,), "e")
    placement = place(exercise, phase, NEEDED, [], lab_with(facts(NEEDED)))
    assert placement.url is None
    assert "connections to the database" in placement.note


def test_a_phase_reading_what_a_server_keeps_runs_on_a_server_that_served_nothing() -> None:
    phase = Phase(name="t", pattern="p", blocking="b", server="asgi", load=Load("/ping", users=1))
    for quantity in ("threads_per_in_flight", "rss_kb_per_in_flight", "threads"):
        rule = Rule("t", "t", quantity, ">=", 1, "w")
        exercise = Exercise("h", "q", (phase,), (rule,), "e")
        placement = place(exercise, phase, NEEDED, [], lab_with(facts(NEEDED)))
        assert placement.url is None, quantity
        assert "served nothing" in placement.note
