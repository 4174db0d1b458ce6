"""LAB_PIN's plan: the load generator apart from the servers wherever the machine allows, and
said in one line; one CPU is shared, and the plan says so."""

import pytest

from contracts.pinning import plan, span, unpinned


def test_two_cpus_put_the_generator_and_upstream_on_one_and_the_servers_on_the_other() -> None:
    p = plan([0, 1])
    assert p.cpus == {"generator": (0,), "upstream": (0,), "servers": (1,)}
    assert p.apart
    assert p.describe() == "pinned: load generator + upstream on CPU 0; servers on CPU 1"
    assert p.for_service("asgi") == p.for_service("nginx") == (1,)
    assert p.for_service("locust-worker") == p.for_service("prometheus") == (0,)
    assert p.for_service("grafana") is None


def test_more_cpus_give_the_upstream_its_own_and_the_servers_the_rest() -> None:
    assert plan([3, 2, 1]).cpus == {"generator": (1,), "upstream": (2,), "servers": (3,)}
    eight = plan(range(8))
    assert eight.cpus["servers"] == (2, 3, 4, 5, 6, 7)
    assert eight.describe().endswith("servers on CPU 2-7")


def test_one_cpu_is_shared_and_the_plan_says_so() -> None:
    p = plan([5])
    assert not p.apart
    assert p.describe() == (
        "pinned: load generator + upstream + servers on CPU 5 "
        "(one CPU: the generator shares it with the servers)"
    )
    with pytest.raises(ValueError, match="no CPU"):
        plan([])


def test_unpinned_results_say_who_shares_what() -> None:
    assert unpinned([0, 1]) == {
        "pinned": False,
        "apart": False,
        "note": "not pinned: load generator, upstream and servers share CPU 0-1",
    }
    assert span([0, 2]) == "0,2"
