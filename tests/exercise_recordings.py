"""Measurements recorded from a real `lab exercise run seed-table --short` (2 shared cores)."""

from lab.exercise.engine import PhaseRun

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
