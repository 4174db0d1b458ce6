import pytest

from loadgen.rounding import NOTE, locust_rounded_ms


@pytest.mark.parametrize(("ms", "stored"), [(47, 47), (147, 150), (3432, 3400), (58760, 59000)])
def test_matches_locusts_documented_buckets(ms: int, stored: int) -> None:
    assert locust_rounded_ms(ms) == stored


def test_note_names_the_buckets_and_the_alternative() -> None:
    for phrase in ("exact below 100 ms", "10 ms below 1 s", "closed-loop", "lab load"):
        assert phrase in NOTE
