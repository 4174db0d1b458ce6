"""The phase gauge: present for the measured block only, and a taken port costs one line,
not the run. (Served over HTTP: tests/integration/lab/exercise.)"""

import io
import socket
from types import SimpleNamespace

import pytest
from prometheus_client import generate_latest

from contracts.settings import LabSettings
from lab.exercise import phase_gauge


def exposed() -> str:
    return generate_latest(phase_gauge.REGISTRY).decode()


SERIES = 'lab_exercise_phase{exercise="seed-table",phase="sync-io"} 1.0'


def test_the_series_exists_only_while_the_phase_is_measured() -> None:
    assert "lab_exercise_phase{" not in exposed()
    with phase_gauge.measuring("seed-table", "sync-io"):
        assert SERIES in exposed()
    assert "lab_exercise_phase{" not in exposed()


def interrupted_phase() -> None:
    with phase_gauge.measuring("seed-table", "sync-io"):
        assert SERIES in exposed()
        raise KeyboardInterrupt


def test_the_series_goes_when_the_phase_is_interrupted() -> None:
    with pytest.raises(KeyboardInterrupt):
        interrupted_phase()
    assert "lab_exercise_phase{" not in exposed()


def test_one_phase_at_a_time_is_shown() -> None:
    with phase_gauge.measuring("seed-table", "sync-io"):
        pass
    with phase_gauge.measuring("seed-table", "async-io"):
        lines = [line for line in exposed().splitlines() if line.startswith("lab_exercise_phase{")]
    assert lines == ['lab_exercise_phase{exercise="seed-table",phase="async-io"} 1.0']


def test_a_taken_port_is_one_line_and_the_run_goes_on() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        err = io.StringIO()
        with phase_gauge.served(LabSettings(exercise_metrics_port=port), err=err) as url:
            assert url is None
    (line,) = err.getvalue().splitlines()
    assert line.startswith(
        f"lab exercise run: cannot serve the phase gauge on port {port} (EXERCISE_METRICS_PORT): "
    )
    assert line.endswith("; running without it")


def test_the_bridge_addresses_are_docker0s_ipv4_ones() -> None:
    def addr(family: socket.AddressFamily, address: str) -> SimpleNamespace:
        return SimpleNamespace(family=family, address=address)  # as psutil.net_if_addrs()

    interfaces = {
        "lo": [addr(socket.AF_INET, "127.0.0.1")],
        "docker0": [addr(socket.AF_INET, "172.17.0.1"), addr(socket.AF_INET6, "fe80::1")],
    }
    assert phase_gauge.bridge_addresses(interfaces) == ["172.17.0.1"]
    assert phase_gauge.bridge_addresses({"eth0": [addr(socket.AF_INET, "10.0.0.2")]}) == []
