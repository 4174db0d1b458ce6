"""The host names the lab answers to."""

import pytest

from contracts.hosts import accepted_hosts, host_name, is_accepted
from contracts.settings import LabSettings


def test_loopback_and_the_compose_names_are_accepted_by_default() -> None:
    hosts = accepted_hosts(LabSettings())
    for name in ("localhost", "127.0.0.1", "[::1]", "upstream", "django-wsgi", "locust-master"):
        assert name in hosts
    assert "evil.example" not in hosts


def test_the_user_adds_names_and_a_listening_address_is_its_own_name() -> None:
    hosts = accepted_hosts(
        LabSettings(lab_allowed_hosts=" Lab.Example , 10.0.0.5", lab_host="10.1.2.3")
    )
    assert {"lab.example", "10.0.0.5", "10.1.2.3"} <= set(hosts)


def test_the_address_published_for_remote_workers_is_accepted() -> None:
    assert "192.168.1.5" in accepted_hosts(LabSettings(lab_publish_host="192.168.1.5"))
    # Every interface is no name a client sends.
    assert "0.0.0.0" not in accepted_hosts(LabSettings(lab_publish_host="0.0.0.0"))


@pytest.mark.parametrize(
    ("header", "name"),
    [
        ("localhost:8001", "localhost"),
        ("127.0.0.1", "127.0.0.1"),
        ("[::1]:8002", "[::1]"),
        ("EVIL.example:80", "evil.example"),
        ("django-wsgi:8001", "django-wsgi"),
    ],
)
def test_the_host_name_drops_the_port_and_case(header: str, name: str) -> None:
    assert host_name(header) == name


def test_a_rebinding_name_is_refused() -> None:
    hosts = accepted_hosts(LabSettings())
    assert is_accepted("127.0.0.1:8001", hosts)
    assert not is_accepted("evil.example:8001", hosts)
    assert not is_accepted("127.0.0.1.evil.example", hosts)
