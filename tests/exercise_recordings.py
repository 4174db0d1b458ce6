"""Measurements recorded from real `lab exercise run ... --short` runs (2 shared cores): the
seed table's alone, then the rest of the catalogue's in one run."""

from collections.abc import Iterable
from typing import Any

from lab.exercise import results
from lab.exercise.catalogue import catalogue
from lab.exercise.engine import PhaseRun
from lab.exercise.verdict import judge

SEED_TABLE_VALUES: dict[str, dict[str, float]] = {
    "sync-io": {
        "throughput": 9.5,
        "p50": 1020.927,
        "p90": 1028.607,
        "p99": 1030.655,
    },
    "async-io": {
        "throughput": 47.5,
        "p50": 205.951,
        "p90": 210.175,
        "p99": 215.295,
    },
    "async-cpu": {
        "throughput": 2.25,
        "p50": 822.783,
        "p90": 883.199,
        "p99": 918.527,
        "probe_p50": 1393.663,
        "probe_p99": 1760.255,
    },
    "sync-cpu": {
        "throughput": 2.25,
        "p50": 421.631,
        "p90": 436.991,
        "p99": 456.191,
        "probe_p50": 17.935,
        "probe_p99": 31.455,
    },
}

# Every exercise's phases, by exercise name.
RECORDED: dict[str, dict[str, dict[str, float]]] = {
    "seed-table": SEED_TABLE_VALUES,
    "blocking-in-async": {
        "async-blocking": {
            "throughput": 4.75,
            "p50": 2046.975,
            "p90": 2084.863,
            "p99": 3110.911,
            "p99/p50": 1.52,
            "probe_p50": 3975.167,
            "probe_p99": 5431.295,
            "threads": 26,
        },
        "async": {
            "throughput": 45.25,
            "p50": 209.535,
            "p90": 223.231,
            "p99": 263.935,
            "p99/p50": 1.26,
            "probe_p50": 4.387,
            "probe_p99": 34.079,
            "threads": 16,
        },
    },
    "sync-to-async": {
        "thread-sensitive": {
            "throughput": 0.75,
            "p50": 1013.759,
            "p90": 1019.903,
            "p99": 1019.903,
            "p99/p50": 1.006,
            "threads": 7,
        },
        "thread-pool": {
            "throughput": 4.75,
            "p50": 206.079,
            "p90": 207.999,
            "p99": 213.759,
            "p99/p50": 1.037,
            "threads": 12,
        },
    },
    "fanout": {
        "threads": {
            "throughput": 9.0,
            "p50": 216.319,
            "p90": 229.759,
            "p99": 250.751,
            "p99/p50": 1.159,
            "threads": 24,
        },
        "tasks": {
            "throughput": 9.5,
            "p50": 206.591,
            "p90": 211.071,
            "p99": 214.271,
            "p99/p50": 1.037,
            "threads": 8,
        },
    },
    "http-client": {
        "aiohttp": {
            "throughput": 90.0,
            "p50": 210.175,
            "p90": 236.031,
            "p99": 248.703,
            "p99/p50": 1.183,
            "threads": 26,
        },
        "httpx": {
            "throughput": 86.0,
            "p50": 206.975,
            "p90": 221.951,
            "p99": 538.111,
            "p99/p50": 2.6,
            "threads": 26,
        },
    },
    "faults": {
        "sync-hang": {
            "errors": 10,
            "throughput": 0.0,
            "probe_p50": 1487.871,
            "probe_p99": 1985.535,
            "threads": 2,
        },
        "async-hang": {
            "errors": 16,
            "throughput": 0.0,
            "probe_p50": 5.267,
            "probe_p99": 11.479,
            "threads": 21,
        },
    },
    "tail-latency": {
        "sync-tail": {
            "throughput": 12.0,
            "p50": 160.255,
            "p90": 310.783,
            "p99": 541.695,
            "p99/p50": 3.38,
            "threads": 2,
        },
        "async-tail": {
            "throughput": 12.0,
            "p50": 107.647,
            "p90": 234.623,
            "p99": 570.879,
            "p99/p50": 5.303,
            "threads": 15,
        },
    },
}


def runs(values: dict[str, dict[str, float]]) -> list[PhaseRun]:
    return [
        PhaseRun(
            name=name,
            server="wsgi",
            settings={"workers": 2},
            upstream_config={},
            load="10 closed-loop users on /x",
            duration_s=4.0,
            started_at=1_800_000_000.0 + i * 10,
            ended_at=1_800_000_004.0 + i * 10,
            client={"errors": {}},
            server_side={"threads_by_pid": {"11": 1, "12": 1}, "in_flight_max": 2},
            values=dict(v),
        )
        for i, (name, v) in enumerate(values.items())
    ]


def results_document(names: Iterable[str] = RECORDED) -> dict[str, Any]:
    """A results file's document of the recorded exercises `names`, judged by today's rules,
    as `lab exercise run NAME... --short --json` writes it."""
    exercises = catalogue()
    docs = []
    for name in names:
        values = RECORDED[name]
        verdicts = judge(exercises[name], values)
        docs.append(results.exercise_result(exercises[name], runs(values), verdicts))
    env = {"cpu_count": 2, "load_average": [0.6, 0.5, 0.6]}
    return results.document(docs, short=True, started_at=1.8e9, finished_at=1.8e9 + 200, env=env)
