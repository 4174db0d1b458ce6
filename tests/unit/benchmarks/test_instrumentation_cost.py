"""The instrumentation-cost benchmark: what it measures, its arithmetic and its verdicts."""

from pathlib import Path

import pytest

from benchmarks.instrumentation_cost import (
    ENDPOINTS,
    SLOTS,
    Endpoint,
    Pair,
    Summary,
    a_first,
    main,
    table,
    variants,
)
from contracts.settings import LabSettings


def test_it_measures_both_servers_on_ping_and_slow_io_against_their_targets() -> None:
    assert SLOTS == ("wsgi", "asgi")
    targets = {e.path.split("?")[0]: e.target_pct for e in ENDPOINTS}
    assert targets == {"/ping": 10.0, "/io/async": 3.0}


def test_the_overhead_is_relative_to_the_server_without_instrumentation() -> None:
    assert Pair(on_ms=1.1, off_ms=1.0).overhead_pct == pytest.approx(10.0)
    assert Pair(on_ms=0.95, off_ms=1.0).overhead_pct == pytest.approx(-5.0)


def test_the_median_decides_and_the_spread_is_shown() -> None:
    ping = Endpoint("/ping", 4, 10.0, 4.0)
    pairs = (Pair(1.02, 1.0), Pair(1.30, 1.0), Pair(1.05, 1.0))
    held = Summary("asgi", ping, pairs)
    assert held.median_pct == pytest.approx(5.0)
    assert held.met
    assert held.row() == (
        "| asgi (uvicorn) | /ping | 1.050 | 1.000 | +5.0 % | +2.0 … +30.0 % | ≤ 10 % | ✓ |"
    )
    slow = Endpoint("/io/async?delay_ms=20", 40, 3.0, 10.0)
    missed = Summary("wsgi", slow, pairs)
    assert not missed.met
    assert table([missed]).splitlines()[-1] == (
        "| wsgi (gunicorn sync) | /io/async | 1.050 | 1.000 | +5.0 % | +2.0 … +30.0 % | ≤ 3 % | ✗ |"
    )


@pytest.mark.parametrize("argv", [["--pairs", "0"], ["--scale", "0"]])
def test_nothing_to_measure_is_a_usage_error(argv: list[str]) -> None:
    with pytest.raises(SystemExit) as e:
        main(argv)
    assert e.value.code == 2


def test_pairs_alternate_which_side_goes_first() -> None:
    assert [a_first(i) for i in range(1, 7)] == [True, False, True, False, True, False]


def test_a_control_run_instruments_both_sides(tmp_path: Path) -> None:
    lab = LabSettings(lab_var_dir=str(tmp_path))
    on, off = variants(lab, "wsgi", tmp_path)
    assert (on.lab_instrumentation, off.lab_instrumentation) == ("on", "off")
    a, b = variants(lab, "wsgi", tmp_path, control=True)
    assert (a.lab_instrumentation, b.lab_instrumentation) == ("on", "on")
    assert a.lab_var_dir != b.lab_var_dir  # each server its own metrics directory


@pytest.mark.parametrize("servers", ["", "nginx", "wsgi,granian"])
def test_an_unknown_server_is_a_usage_error(
    servers: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as e:
        main(["--servers", servers])
    assert e.value.code == 2
    assert "--servers" in capsys.readouterr().err
