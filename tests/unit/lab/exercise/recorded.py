"""Measurements recorded from a real `lab exercise run seed-table --short` (2 shared cores)."""

from lab.exercise.engine import PhaseRun

SEED_TABLE_VALUES: dict[str, dict[str, float]] = {
    "sync-io": {"throughput": 9.5, "p50": 1025.023, "p90": 1034.239, "p99": 1051.647},
    "async-io": {"throughput": 46.25, "p50": 209.919, "p90": 223.103, "p99": 233.727},
    "async-cpu": {"throughput": 1.75, "p50": 1040.383, "probe_p50": 2924.5, "probe_p99": 4177.9},
    "sync-cpu": {"throughput": 2.5, "p50": 384.255, "probe_p50": 12.119, "probe_p99": 37.023},
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
