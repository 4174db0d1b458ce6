"""Free ports for the services a test or an exercise starts: never the same one twice."""

import socket

from contracts.settings import LabSettings
from lab.runner import free_ports, with_free_ports


def test_free_ports_are_distinct_and_bindable() -> None:
    ports = free_ports(64)
    assert len(set(ports)) == 64
    for port in ports[:8]:
        with socket.socket() as s:
            s.bind(("127.0.0.1", port))


def test_every_service_and_backend_gets_a_port_of_its_own() -> None:
    s = with_free_ports(LabSettings(), "upstream", "wsgi", "asgi")
    ports = [s.upstream_port, s.wsgi_port, s.asgi_port, s.wsgi_backend_port, s.asgi_backend_port]
    assert len(set(ports)) == 5
    assert s.upstream_url == f"http://127.0.0.1:{s.upstream_port}"
