"""nginx in front of both Django servers (LAB_PROXY=nginx): one configuration, rendered here
from the service table for both places it runs, so the two servers always sit behind the
same proxy with the same settings.

Locally (`lab serve nginx`, started by `lab up` when the proxy is on) nginx listens on the
servers' own ports (WSGI_PORT, ASGI_PORT) and passes each request to its server on the
server's backend port; it runs as the user who started the lab, with its pid file and temp
files under LAB_VAR_DIR and its log on stderr. In compose it listens on the containers'
ports and reaches the servers by service name; that file, `services/nginx/nginx.conf`, is
committed and a test keeps it equal to `render_compose()` (regenerate it with
`python -m lab.nginx`).

What it does to a request, the same for both servers: it reads the whole request before it
opens a connection to the server (a slow or idle client costs an nginx connection, never a
worker), reads the response as fast as the server sends it into its buffers and feeds the
client from there, and keeps idle connections to each server open for the next request.
"""

from __future__ import annotations

import math
import os
import pwd
import resource
import shutil
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from contracts.params import MAX_REQUEST_MS
from contracts.paths import REPO
from contracts.settings import MAX_TIMEOUT_S, LabSettings
from contracts.topology import BY_NAME, NGINX, Service

COMPOSE_CONFIG = REPO / "services" / "nginx" / "nginx.conf"

# The longest a server may be silent on a request the lab allows: the capped work, then a
# failing upstream call at the highest UPSTREAM_TIMEOUT_S (cut at its deadline, overshot by
# at most one more silent read). The servers' own limits cut every request before this.
READ_TIMEOUT_S = math.ceil(MAX_REQUEST_MS / 1000 + 2 * MAX_TIMEOUT_S) + 30
# As the servers' own listen backlog (gunicorn's and uvicorn's default).
BACKLOG = 2048
# Idle connections to each server kept for the next request (per nginx worker), closed after
# a second idle: before the servers close them (gunicorn's gthread after 2 s, uvicorn after
# 5 s), so nginx never sends a request on a connection the server is closing.
KEEPALIVE = 32
KEEPALIVE_IDLE_S = 1
MAX_CONNECTIONS = 4096  # per nginx worker: a client and a server connection per request
TEMP_PATHS = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")


@dataclass(frozen=True)
class Front:
    """One server behind the proxy: where nginx listens for it, and where it is."""

    name: str
    listen: str  # host:port, or a port (every address, in a container)
    backend: str  # host:port


def fronts_local(s: LabSettings) -> list[Front]:
    return [
        Front(f.name, f"{s.lab_host}:{f.port(s)}", urlsplit(f.own_url(s)).netloc)
        for f in _fronted()
    ]


def fronts_compose() -> list[Front]:
    # Inside the compose network every container keeps its default port.
    return [
        Front(f.name, str(f.container_port), f"{f.compose_name}:{f.container_port}")
        for f in _fronted()
    ]


def _fronted() -> list[Service]:
    return [BY_NAME[name] for name in NGINX.fronts]


def render(
    fronts: Sequence[Front],
    *,
    user: str | None,
    pid: str | None,
    temp_dir: str | None,
    max_files: int,
) -> str:
    """The whole nginx.conf. `user`, `pid`, `temp_dir` None: nginx's own defaults (an image
    that runs its master as root, and owns its paths)."""
    connections = min(MAX_CONNECTIONS, max_files)
    lines = [
        "# Rendered by `python -m lab.nginx` (lab/nginx.py) from contracts/topology.py: edit "
        "that, not this.",
        *([f"user {user};"] if user else []),
        # One event loop serves thousands of connections; the cores are the servers'.
        "worker_processes 1;",
        f"worker_rlimit_nofile {max_files};",
        "error_log stderr warn;",
        *([f"pid {pid};"] if pid else []),
        "",
        "events {",
        f"    worker_connections {connections};",
        "}",
        "",
        "http {",
        "    access_log off;",
        "    server_tokens off;",
        *[f"    {kind}_temp_path {temp_dir}/{kind};" for kind in TEMP_PATHS if temp_dir],
        "    # The same for both servers. The whole request is read before it is passed on,",
        "    # the whole response is taken as fast as the server sends it: a slow client",
        "    # holds an nginx connection, never a server's worker.",
        "    proxy_request_buffering on;",
        "    proxy_buffering on;",
        "    # HTTP/1.1 with no Connection header: connections to the servers are kept open.",
        "    proxy_http_version 1.1;",
        '    proxy_set_header Connection "";',
        "    # The server sees the Host the client sent, as without the proxy.",
        "    proxy_set_header Host $http_host;",
        "    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
        "    # When nginx passed the request on: Django's Server-Timing `queue` (the wait for a",
        "    # connection and a worker) is its arrival minus this.",
        '    proxy_set_header X-Request-Start "t=${msec}";',
        "    proxy_connect_timeout 5s;",
        f"    proxy_read_timeout {READ_TIMEOUT_S}s;",
        "    keepalive_timeout 75s;",
    ]
    for front in fronts:
        lines += [
            "",
            f"    upstream {front.name} {{",
            f"        server {front.backend};",
            f"        keepalive {KEEPALIVE};",
            f"        keepalive_timeout {KEEPALIVE_IDLE_S}s;",
            "    }",
            "",
            "    server {",
            f"        listen {front.listen} backlog={BACKLOG};",
            "        location / {",
            f"            proxy_pass http://{front.name};",
            "        }",
            "    }",
        ]
    lines.append("}")
    return "\n".join(lines) + "\n"


def render_compose() -> str:
    # The image's master runs as root and owns its pid and temp paths; its workers run as the
    # image's unprivileged `nginx` user.
    return render(fronts_compose(), user="nginx", pid=None, temp_dir=None, max_files=8192)


def state_dir(s: LabSettings) -> Path:
    """Where local mode keeps nginx's configuration, pid file and temp files."""
    return s.var_path() / "nginx"


def render_local(s: LabSettings) -> str:
    d = state_dir(s)
    return render(
        fronts_local(s),
        user=_user_when_root(),
        pid=str(d / "nginx.pid"),
        temp_dir=str(d / "tmp"),
        max_files=_max_files(),
    )


def _user_when_root() -> str | None:
    """nginx's workers switch to `user` only when started as root (to `nobody` by default,
    who could not write the temp files here): keep them the lab's user, as every service is."""
    if os.geteuid() != 0:
        return None
    return pwd.getpwuid(os.geteuid()).pw_name


def _max_files() -> int:
    """Open files for the worker: up to 2 × MAX_CONNECTIONS, within the hard limit an
    unprivileged process may raise its own to."""
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = 2 * MAX_CONNECTIONS
    return wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)


def nginx_argv(s: LabSettings) -> list[str]:
    """Write the local configuration and return the command that serves it."""
    d = state_dir(s)
    for kind in TEMP_PATHS:
        (d / "tmp" / kind).mkdir(parents=True, exist_ok=True)
    config = d / "nginx.conf"
    config.write_text(render_local(s))
    binary = shutil.which("nginx") or "nginx"
    # -e: the error log before the configuration is read (the build's default path may not
    # be writable); -g: in the foreground, as every service of the lab.
    return [binary, "-p", str(d), "-c", str(config), "-e", "stderr", "-g", "daemon off;"]


def main(argv: list[str]) -> int:
    """`python -m lab.nginx [--check]`: write (or check) the compose configuration."""
    text = render_compose()
    if argv == ["--check"]:
        if COMPOSE_CONFIG.read_text() != text:
            print(f"{COMPOSE_CONFIG} is stale: run `python -m lab.nginx`")
            return 1
        return 0
    COMPOSE_CONFIG.parent.mkdir(parents=True, exist_ok=True)
    COMPOSE_CONFIG.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
