"""A throwaway PostgreSQL cluster for a test: `initdb` into a temporary directory, started
by `pg_ctl` on a free port of 127.0.0.1 (its socket in that directory too), stopped and
deleted afterwards. Debian's `postgresql` package puts the binaries, not on PATH, under
/usr/lib/postgresql/<version>/bin; run as root, they run as its `postgres` user, as the
server refuses to run as root."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from lab.runner import free_port

INSTALL = "Debian: apt-get install postgresql"
USER = "asynclab"  # the cluster's superuser, trusted on 127.0.0.1 (nobody else can reach it)


def binaries() -> Path:
    """The newest installed version's bin directory: required in CI, else the test skips."""
    found = sorted(
        (p.parent for p in Path("/usr/lib/postgresql").glob("*/bin/pg_ctl")),
        key=lambda bin_dir: _version(bin_dir.parent.name),
    )
    if not found:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is not installed, and CI must run these tests: {INSTALL}")
        pytest.skip(f"PostgreSQL is not installed ({INSTALL})")
    return found[-1]


def _version(name: str) -> tuple[int, ...]:
    """Debian's version directories: "15", "9.6"."""
    return tuple(int(part) for part in name.split(".") if part.isdigit())


def _as_owner() -> list[str]:
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


@contextlib.contextmanager
def cluster(database: str = "asynclab", max_connections: int = 200) -> Iterator[str]:
    """A running cluster with an empty `database`; yields its URL (postgres://...)."""
    bin_dir = binaries()
    # Not under pytest's temporary directory: its parents are closed to other users.
    with tempfile.TemporaryDirectory(prefix="lab-postgres-") as tmp:
        if os.geteuid() == 0:
            shutil.chown(tmp, "postgres", "postgres")
        data, log, port = f"{tmp}/data", Path(tmp) / "server.log", free_port()
        run = _as_owner()
        initdb = [*run, f"{bin_dir}/initdb", "-D", data, "-U", USER, "-A", "trust", "-E", "UTF8"]
        subprocess.run(
            [*initdb, "--locale=C", "--no-sync", "--no-instructions"],
            check=True,
            capture_output=True,
        )
        options = (
            f"-c port={port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={tmp}"
            f" -c max_connections={max_connections} -c fsync=off -c full_page_writes=off"
        )
        pg_ctl = [*run, f"{bin_dir}/pg_ctl", "-D", data, "-l", str(log), "-w", "-t", "30"]
        started = subprocess.run([*pg_ctl, "-o", options, "start"], capture_output=True, text=True)
        if started.returncode != 0:
            pytest.fail(f"pg_ctl start failed:\n{started.stdout}{started.stderr}{_tail(log)}")
        try:
            server = f"postgres://{USER}@127.0.0.1:{port}"
            with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
            yield f"{server}/{database}"
        finally:
            subprocess.run([*pg_ctl, "-m", "immediate", "stop"], capture_output=True, check=False)


def _tail(log: Path) -> str:
    try:
        return "\n".join(log.read_text().splitlines()[-15:])
    except OSError:
        return ""
