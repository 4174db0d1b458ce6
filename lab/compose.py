"""`lab compose up|down|ps`: the lab in containers. Every `docker compose` call goes through
`compose()`, so they all name the same file and project directory whatever the caller's cwd.

`up` is `docker compose up -d --wait` (start by health, never by sleep), then the URLs; where
an image cannot be had (Grafana on an offline machine), `--without grafana` starts the rest.
With LAB_PROXY=nginx every call adds `docker-compose.nginx.yml` (nginx in front of both
servers, on their ports); `up` and `down` remove orphans, so turning the proxy off drops it.
With LAB_PUBLISH_HOST set every call adds `docker-compose.remote.yml`: the servers' and the
Locust master's ports published on that address, for load workers on other machines.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from contracts.paths import REPO
from contracts.settings import LabSettings
from contracts.topology import ALL, BY_NAME, GRAFANA, NGINX

COMPOSE_FILE = REPO / "docker-compose.yml"
PROXY_FILE = REPO / "docker-compose.nginx.yml"
REMOTE_FILE = REPO / "docker-compose.remote.yml"
# Not run by `lab compose`: the file a machine running only Locust workers uses.
WORKERS_FILE = REPO / "docker-compose.workers.yml"


class ComposeError(RuntimeError):
    """Docker or its Compose plugin is missing or the engine cannot be reached."""


def compose_files(settings: LabSettings) -> tuple[Path, ...]:
    """The compose file, and over it the proxy's when LAB_PROXY is on, or the remote workers'
    when LAB_PUBLISH_HOST is set (the settings refuse both at once)."""
    if settings.proxy_on:
        return (COMPOSE_FILE, PROXY_FILE)
    if settings.lab_publish_host:
        return (COMPOSE_FILE, REMOTE_FILE)
    return (COMPOSE_FILE,)


def compose_argv(*args: str, files: Sequence[Path] = (COMPOSE_FILE,)) -> list[str]:
    named = [part for f in files for part in ("-f", str(f))]
    return ["docker", "compose", "--project-directory", str(REPO), *named, *args]


def compose(
    *args: str,
    files: Sequence[Path] = (COMPOSE_FILE,),
    capture: bool = False,
    timeout: float | None = None,
) -> str:
    """Run one `docker compose` command; its output if captured, else it streams to ours."""
    if shutil.which("docker") is None:
        raise ComposeError("no `docker` on PATH: install Docker Engine with the Compose v2 plugin")
    try:
        done = subprocess.run(
            compose_argv(*args, files=files),
            capture_output=capture,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as e:
        raise ComposeError(f"`docker compose {args[0]}` did not answer in {timeout:.0f} s") from e
    if done.returncode != 0:
        detail = (done.stderr or "").strip().splitlines()[-1:] if capture else []
        raise ComposeError(
            f"`docker compose {' '.join(args)}` failed (exit {done.returncode})"
            + (f": {detail[0]}" if detail else "")
        )
    return done.stdout or ""


# A service's one-shot set-up containers, left out with it: `up --wait` counts a named
# one-shot that no running service waits for as failed once it exits.
ONE_SHOTS: dict[str, tuple[str, ...]] = {"grafana": ("grafana-init",)}


def services(without: Sequence[str] = (), files: Sequence[Path] = (COMPOSE_FILE,)) -> list[str]:
    """The compose files' services minus `without` (and their helpers); unknown names are an
    error."""
    every = compose("config", "--services", files=files, capture=True, timeout=60).split()
    unknown = sorted(set(without) - set(every))
    if unknown:
        raise ComposeError(f"unknown service {', '.join(unknown)}; choose from {', '.join(every)}")
    dropped = set(without).union(*(ONE_SHOTS.get(s, ()) for s in without))
    return [s for s in every if s not in dropped]


def urls(settings: LabSettings, started: Sequence[str]) -> list[str]:
    """The published URL of each started service (compose names), Grafana first."""
    shown = (GRAFANA, *(s for s in ALL if s is not GRAFANA))
    proxied = NGINX.compose_name in started
    lines = []
    for s in shown:
        if s.compose_name not in started:
            continue
        text = s.description
        if s.fronts:
            ports = ", ".join(f":{BY_NAME[name].port(settings)}" for name in s.fronts)
            text = f"{text} ({ports})"
        elif proxied and s.backend_port_setting is not None:
            text = f"{text}, through {settings.lab_proxy}"
        lines.append(f"  {s.compose_name:<14} http://127.0.0.1:{s.port(settings):<6} {text}")
    return lines


def up(settings: LabSettings, without: Sequence[str]) -> int:
    files = compose_files(settings)
    chosen = services(without, files)
    # Naming the services only when some are left out keeps plain `up` exactly the README's.
    try:
        compose("up", "-d", "--wait", "--remove-orphans", *(chosen if without else []), files=files)
    except ComposeError as e:
        raise ComposeError(
            f"{e}. Its output is above; `docker compose logs SERVICE` has more. An image that "
            "cannot be pulled (Grafana on an offline machine)? `lab compose up --without grafana`"
        ) from e
    lines = ["", "The lab is up (docker compose):", *urls(settings, chosen), ""]
    if "grafana" in chosen:
        lines += [
            "Grafana's admin password: docker compose exec grafana "
            "cat /run/secrets/lab/grafana_admin_password",
        ]
    lines += ["Stop it with: lab compose down (add --volumes to drop its data)", ""]
    print("\n".join(lines))
    return 0


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("compose", help="run the lab in containers (docker compose)")
    verbs = p.add_subparsers(dest="verb", required=True)
    up_p = verbs.add_parser("up", help="build, start and wait until every service is healthy")
    up_p.add_argument(
        "--without",
        action="append",
        default=[],
        metavar="SERVICE",
        help="leave a service out, e.g. grafana where its image cannot be pulled (repeatable)",
    )
    down_p = verbs.add_parser("down", help="stop and remove the containers")
    down_p.add_argument(
        "--volumes", action="store_true", help="also drop the data (Prometheus, Grafana, Postgres)"
    )
    verbs.add_parser("ps", help="the services and their health")


def main(args: argparse.Namespace, settings: LabSettings) -> int:
    try:
        if args.verb == "up":
            return up(settings, args.without)
        files = compose_files(settings)
        if args.verb == "down":
            compose(
                "down", "--remove-orphans", *(["--volumes"] if args.volumes else []), files=files
            )
            return 0
        compose("ps", files=files)
        return 0
    except ComposeError as e:
        print(f"lab compose: {e}", file=sys.stderr)
        return 1
