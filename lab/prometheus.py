"""Prometheus for the lab: one configuration, two addresses for the same services.

Local mode (`lab serve prometheus`, started by `lab up` when the binary is on PATH) scrapes
127.0.0.1 on the configured ports; compose scrapes the containers by service name. Both are
rendered here from the service registry (`contracts.topology`), so they cannot drift: the compose
file `services/prometheus/prometheus.yml` is committed and a test keeps it equal to
`render_compose()` (regenerate it with `python -m lab.prometheus`). The recording rules in
`services/prometheus/rules/` are shared by both.

Besides the services, each configuration scrapes the `SCRAPE_ONLY` targets: `lab exercise run`
serves its phase gauge from the host while it runs (locally 127.0.0.1, from compose the host's
gateway), and is down between runs.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

from contracts.paths import REPO
from contracts.settings import LabSettings
from contracts.topology import SCRAPE_ONLY, SERVICES, Service

PROMETHEUS_DIR = REPO / "services" / "prometheus"
RULES_DIR = PROMETHEUS_DIR / "rules"
COMPOSE_CONFIG = PROMETHEUS_DIR / "prometheus.yml"

# Short, so a phase of a few tens of seconds is visible; the rules use 30 s windows.
SCRAPE_INTERVAL = "2s"


def local_targets(s: LabSettings) -> dict[str, str]:
    """host:port of every scraped service as `lab up` runs it, then the scrape-only ones.
    Behind the proxy, a server is scraped on its backend port, as compose scrapes it by name:
    its figures are the server's own, and a scrape never waits in the proxy."""
    services = {svc.name: urlsplit(svc.own_url(s)).netloc for svc in _scraped()}
    others = {t.name: urlsplit(s.url(t.port(s))).netloc for t in SCRAPE_ONLY}
    return services | others


def compose_targets() -> dict[str, str]:
    services = {svc.name: f"{svc.compose_name}:{svc.container_port}" for svc in _scraped()}
    others = {t.name: f"{t.compose_host}:{t.default_port}" for t in SCRAPE_ONLY}
    return services | others


def _scraped() -> list[Service]:
    """Every service of the lab exports /metrics, Prometheus included; the proxy does not."""
    return [s for s in SERVICES if s.scraped]


def render(targets: Mapping[str, str], rule_files: str, scrape_interval: str) -> str:
    """The configuration file (YAML) for these targets; one job per service."""
    lines = [
        "# Rendered by `python -m lab.prometheus` from contracts/topology.py: edit that, not this.",
        "global:",
        f"  scrape_interval: {scrape_interval}",
        f"  evaluation_interval: {scrape_interval}",
        f"  scrape_timeout: {scrape_interval}",
        "rule_files:",
        f"  - {_quote(rule_files)}",
        "scrape_configs:",
    ]
    for name, target in targets.items():
        lines += [
            f"  - job_name: {name}",
            "    metrics_path: /metrics",
            "    static_configs:",
            f"      - targets: [{_quote(target)}]",
            "        labels:",
            f"          service: {name}",
        ]
    return "\n".join(lines) + "\n"


def render_compose() -> str:
    # Compose mounts services/prometheus/ at /etc/prometheus: rules are next to the config.
    return render(compose_targets(), "rules/*.yml", SCRAPE_INTERVAL)


def render_local(s: LabSettings) -> str:
    return render(local_targets(s), str(RULES_DIR / "*.yml"), SCRAPE_INTERVAL)


def server_dir(s: LabSettings) -> Path:
    """Where local mode keeps Prometheus's configuration and its time-series database."""
    return s.var_path() / "prometheus-server"


def prometheus_argv(s: LabSettings) -> list[str]:
    """Write the local configuration and return the command that serves it."""
    d = server_dir(s)
    d.mkdir(parents=True, exist_ok=True)
    config = d / "prometheus.yml"
    config.write_text(render_local(s))
    binary = shutil.which("prometheus") or "prometheus"
    return [
        binary,
        f"--config.file={config}",
        f"--storage.tsdb.path={d / 'data'}",
        "--storage.tsdb.retention.time=2d",
        f"--web.listen-address={s.lab_host}:{s.prometheus_port}",
        "--log.level=warn",
    ]


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def main(argv: list[str]) -> int:
    """`python -m lab.prometheus [--check]`: write (or check) the compose configuration."""
    text = render_compose()
    if argv == ["--check"]:
        if COMPOSE_CONFIG.read_text() != text:
            print(f"{COMPOSE_CONFIG} is stale: run `python -m lab.prometheus`")
            return 1
        return 0
    COMPOSE_CONFIG.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
