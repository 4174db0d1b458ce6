"""`lab serve NAME`: run one service in the foreground (the same command locally and in a
container). It prepares the service's runtime state (for the Django servers, the embedded
database's tables too), then replaces itself with the server."""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from contracts.paths import REPO
from contracts.servers import shape
from contracts.settings import LabSettings
from contracts.topology import BY_NAME

GUNICORN_CONF = REPO / "services" / "gunicorn" / "gunicorn.conf.py"
MIGRATIONS = REPO / "django_app" / "migrations"

# Servers that may run several worker processes, so their metrics live in prometheus_client's
# multiprocess files. Every other service is one process and keeps its metrics in memory
# (multiprocess mode would only add mmap writes to its hot path).
MULTIPROCESS = frozenset({"wsgi", "asgi"})


def command(name: str, s: LabSettings) -> list[str]:
    """The server command for a service, as an argv list."""
    py = sys.executable
    if name in ("locust", "locust-worker"):
        from loadgen.locust_command import locust_argv

        return locust_argv(name, s)
    if name == "prometheus":
        from lab.prometheus import prometheus_argv

        return prometheus_argv(s)
    if name == "nginx":
        from lab.nginx import nginx_argv

        return nginx_argv(s)
    port = str(BY_NAME[name].port(s))
    fast = ["--loop", "uvloop", "--http", "httptools", "--no-access-log"]
    if name == "upstream":
        return [
            py,
            "-m",
            "uvicorn",
            "slow_upstream.app:app",
            "--host",
            s.lab_host,
            "--port",
            port,
            "--log-level",
            "warning",
            *fast,
        ]
    if name == "wsgi":
        app = "django_app.wsgi:application"
        if s.wsgi_server == "granian":
            return _granian(s, port, "wsgi", app)
        greenlets = []
        if s.wsgi_worker_class == "gevent":
            # The gevent worker serves each connection on a greenlet, up to this many.
            greenlets = ["--worker-connections", str(s.gevent_greenlets)]
        return [*_gunicorn(s, port, s.wsgi_worker_class), *greenlets, app]
    if name == "asgi":
        if s.asgi_server == "granian":
            return _granian(s, port, "asginl", "django_app.asgi:application")
        if s.asgi_server == "gunicorn":
            worker = "django_app.uvicorn_worker.DjangoUvicornWorker"
            return [*_gunicorn(s, port, worker), "django_app.asgi:application"]
        return [
            py,
            "-m",
            "uvicorn",
            "django_app.asgi:application",
            "--host",
            s.lab_host,
            "--port",
            port,
            "--workers",
            str(s.web_workers),
            "--lifespan",
            "off",
            "--log-level",
            "warning",
            *fast,
        ]
    raise KeyError(name)


def _gunicorn(s: LabSettings, port: str, worker_class: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "--config",
        str(GUNICORN_CONF),
        "--bind",
        f"{s.lab_host}:{port}",
        "--worker-class",
        worker_class,
        "--workers",
        str(s.web_workers),
        "--threads",
        str(s.web_threads),
        # gunicorn >= 25 opens a control socket at one fixed per-user path: two
        # instances on a host would collide, and the lab does not use it.
        "--no-control-socket",
    ]


# Requests a granian WSGI worker takes in, to queue for its blocking threads. Not WEB_THREADS:
# admitting only as many as it has threads stalled requests for seconds here.
GRANIAN_WSGI_BACKPRESSURE = 1024


def _granian(s: LabSettings, port: str, interface: str, app: str) -> list[str]:
    """granian, every knob that shapes it explicit (its defaults depend on its version and
    on the interface). `asginl`: ASGI without lifespan, which Django does not support."""
    wsgi = interface == "wsgi"
    # WSGI runs the app on blocking threads (WEB_THREADS, as gthread's threads). ASGI runs it
    # on the loop of the one thread granian allows there; its backpressure (requests a worker
    # takes at once) follows the upstream pool, as uvicorn's concurrency does.
    blocking = s.web_threads if wsgi else 1
    backpressure = GRANIAN_WSGI_BACKPRESSURE if wsgi else s.upstream_pool_size
    return [
        sys.executable,
        "-m",
        "granian",
        "--interface",
        interface,
        "--host",
        s.lab_host,
        "--port",
        port,
        "--workers",
        str(s.web_workers),
        "--blocking-threads",
        str(blocking),
        "--backpressure",
        str(backpressure),
        "--runtime-threads",
        str(s.granian_runtime_threads),
        "--loop",
        "uvloop",
        "--no-ws",
        "--no-access-log",
        "--log-level",
        "warning",
        app,
    ]


def environment(name: str, s: LabSettings, base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The child's environment: `base` (default: os.environ; the CLI passes .env merged in),
    the settings, plus a metrics directory for multi-process servers."""
    env = dict(os.environ if base is None else base)
    env.update(s.as_env())
    env["LAB_SERVER"] = name
    env.setdefault("DJANGO_SETTINGS_MODULE", "django_app.settings")
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH")) if p)
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    if name == "wsgi" and shape("wsgi", s).worker_class == "gevent":
        # Every greenlet shares its OS thread, and asyncio keeps "the running loop" per OS
        # thread: while an async view's loop waits for sync_to_async, the ORM call it runs on
        # the request's greenlet looks to Django like a call from inside the loop, and is
        # refused (SynchronousOnlyOperation). It is not: that loop is parked, waiting for it.
        env["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    if name in MULTIPROCESS:
        env["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir(name, s))
    return env


def metrics_dir(name: str, s: LabSettings) -> Path:
    return s.var_path() / "prometheus" / name


def prepare(name: str, s: LabSettings) -> None:
    if name not in MULTIPROCESS:
        return
    # Stale files from a previous run would add old counts to new ones: wipe first.
    d = metrics_dir(name, s)
    shutil.rmtree(d, ignore_errors=True)
    d.mkdir(parents=True, exist_ok=True)


def migrate(name: str, s: LabSettings, base: Mapping[str, str] | None = None) -> None:
    """The embedded SQLite database is the servers' local state, like their metrics: create
    its tables (`django migrate`, a no-op once done) before a Django server starts. A lock
    beside the file takes the servers one at a time when they start together. A DATABASE_URL
    database is migrated by whoever runs it (compose's one-shot `migrate`)."""
    env = environment(name, s, base)
    if name not in MULTIPROCESS or env.get("DATABASE_URL"):
        return
    path = s.sqlite_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.with_name(path.name + ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if migrated(path):
            return
        # No system checks: they import every view, which migrating does not need.
        argv = [sys.executable, "-m", "django", "migrate", "--noinput", "--skip-checks"]
        argv += ["--verbosity", "0"]
        if subprocess.run(argv, env=env, check=False).returncode != 0:
            sys.exit(f"lab serve {name}: migrating {path} failed (its error is above)")


def migrated(path: Path) -> bool:
    """Whether the database has every migration of the app recorded already (a second
    server, a restart), so no Django process need start to find that out."""
    wanted = {p.stem for p in MIGRATIONS.glob("[0-9]*.py")}
    if not path.exists():
        return False
    try:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
            rows = db.execute("SELECT name FROM django_migrations WHERE app = 'django_app'")
            return wanted <= {name for (name,) in rows}
    except sqlite3.Error:  # no such table yet
        return False


def serve(name: str, s: LabSettings, base: Mapping[str, str] | None = None) -> None:
    prepare(name, s)
    migrate(name, s, base)
    argv = command(name, s)
    os.execvpe(argv[0], argv, environment(name, s, base))
