"""Which host names the lab's servers answer to: loopback, the compose service names, and
what the user adds (LAB_ALLOWED_HOSTS, e.g. for load workers on other machines), and the
address the ports are published on for them (LAB_PUBLISH_HOST).

Anything else is refused, so a web page the user visits cannot reach the lab through DNS
rebinding (a hostile name that resolves to 127.0.0.1) and change its state."""

from __future__ import annotations

from contracts.settings import LabSettings
from contracts.topology import ALL

LOOPBACK = ("localhost", "127.0.0.1", "::1", "[::1]")


def accepted_hosts(settings: LabSettings) -> tuple[str, ...]:
    """Host names (without port), lower case."""
    extra = [h.strip().lower() for h in settings.lab_allowed_hosts.split(",") if h.strip()]
    own = [
        h.lower()
        for h in (settings.lab_host, settings.lab_publish_host)
        if h not in ("", "0.0.0.0", "::")
    ]
    names = [*LOOPBACK, *(s.compose_name for s in ALL), *own, *extra]
    return tuple(dict.fromkeys(names))


def host_name(header: str) -> str:
    """The host of a Host header or an Origin's authority, without port, lower case."""
    text = header.strip().lower()
    if text.startswith("["):  # [::1]:8001
        return text.split("]", 1)[0] + "]"
    return text.rsplit(":", 1)[0] if text.count(":") == 1 else text


def is_accepted(header: str, accepted: tuple[str, ...]) -> bool:
    return host_name(header) in accepted
