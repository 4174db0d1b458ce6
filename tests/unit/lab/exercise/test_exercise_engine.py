"""The engine's own small decisions, without servers."""

from lab.exercise.engine import behind_schedule
from loadgen.closedloop import ClosedResult
from loadgen.openmodel import Result


def late_result(rate: float, late: int) -> Result:
    r = Result(url="http://127.0.0.1:9/x", requested_rate=rate, duration_s=1, planned=int(rate))
    for i in range(int(rate)):
        r.record_start(0.05 if i < late else 0.0)
    r.send_span_s = 1.0
    return r


def test_the_open_model_loads_say_when_they_fell_behind_and_which_one() -> None:
    main, probe = late_result(100, 30), late_result(4, 0)
    assert behind_schedule(main, probe) == (
        "main load: 30 of 100 requests started more than 10 ms after their intended time "
        "(generator overloaded)",
    )
    (said,) = behind_schedule(ClosedResult("http://x/", users=2, duration_s=1), late_result(4, 2))
    assert said.startswith("probe: 2 of 4 requests started more than 10 ms")
    assert behind_schedule(ClosedResult("http://x/", users=2, duration_s=1), None) == ()
