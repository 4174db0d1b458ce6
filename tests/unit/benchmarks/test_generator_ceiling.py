"""The generator-ceiling benchmark's arithmetic and parsing, without running a generator."""

import pytest

from benchmarks.generator_ceiling import (
    GENERATORS,
    LOCUSTFILE,
    PATH,
    PATH_ENV,
    SAMPLES_ENV,
    Cpus,
    Reported,
    Row,
    Window,
    chosen,
    rank,
    table,
    wrk_report,
)

WRK_OUTPUT = """Running 3s test @ http://127.0.0.1:40000/slow?delay_ms=0
  1 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     2.38ms    1.10ms  31.02ms   90.12%
    Req/Sec    10.90k   512.00    11.50k    70.00%
  Latency Distribution
     50%    2.38ms
     75%    2.90ms
     90%  850.00us
     99%   1.20s
  32768 requests in 3.00s, 5.00MB read
Requests/sec:  10922.67
"""


def test_wrk_latencies_are_read_in_milliseconds_whatever_their_unit() -> None:
    assert wrk_report(WRK_OUTPUT) == Reported(2.38, 2.38, 1200.0)
    assert wrk_report(WRK_OUTPUT.replace("50%    2.38ms", "50%  137.00us")).p50_ms == 0.137


def test_wrk_output_without_a_distribution_is_an_error() -> None:
    with pytest.raises(ValueError, match="no latency distribution"):
        wrk_report("unable to connect to 127.0.0.1:1 Connection refused\n")


def test_rank_is_the_nearest_rank_quantile() -> None:
    ordered = [float(i) for i in range(1, 101)]
    assert rank(ordered, 0.50) == 50.0
    assert rank(ordered, 0.99) == 99.0
    assert rank([7.0], 0.99) == 7.0


def test_the_upstream_gets_a_cpu_of_its_own_when_there_are_two() -> None:
    assert Cpus.split([1, 0]) == Cpus((0,), (1,))
    assert Cpus.split([0, 1, 2, 3]) == Cpus((0,), (1, 2, 3))
    assert Cpus.split([5]) == Cpus((5,), (5,))  # one CPU: shared, nothing else possible


def test_only_picks_generators_by_name_and_refuses_unknown_ones() -> None:
    assert [g.name for g in chosen(None)] == [g.name for g in GENERATORS]
    assert [g.name for g in chosen("wrk,lab-load")] == ["lab-load", "wrk"]
    with pytest.raises(ValueError, match="unknown ab"):
        chosen("wrk,ab")


def test_the_table_divides_by_the_generator_cores_and_subtracts_wrks_floor() -> None:
    row = Row(
        "locust-1",
        32,
        Window(rps=5000.0, generator_cores=0.5, upstream_share=0.4, others_cores=0.25),
        loaded=Reported(4.5, 4.0, 15.0),
        alone=Reported(0.4, 0.37, 0.9),
    )
    floor = Reported(0.15, 0.137, 0.3)
    assert table([row], floor).splitlines()[-1] == (
        "| Locust FastHttpUser, 1 process | 32 | 5000 | 0.50 | 10000 | 40% | 0.25 "
        "| 4.00 / 15.00 | 0.370 | 0.233 |"
    )
    assert table([row], None).splitlines()[-1].endswith("| 0.370 | - |")


def test_the_locustfile_reads_the_settings_the_benchmark_gives_it() -> None:
    # Not imported: Locust's gevent would patch the test process.
    text = LOCUSTFILE.read_text()
    assert f'"{PATH_ENV}"' in text
    assert f'"{SAMPLES_ENV}"' in text
    assert f'"{PATH}"' in text


def test_wrk_output_with_failed_requests_is_refused() -> None:
    failed = WRK_OUTPUT.replace("Requests/sec", "  Non-2xx or 3xx responses: 32768\nRequests/sec")
    with pytest.raises(RuntimeError, match="failed requests"):
        wrk_report(failed)
