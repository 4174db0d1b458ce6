"""How each server configuration runs, from the settings alone: what the info metric, the
exercise results and `lab up` report, and what bounds its concurrency (Little's law)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from contracts.settings import LabSettings

ServerName = Literal["wsgi", "asgi"]


@dataclass(frozen=True)
class Shape:
    implementation: str  # the server program: gunicorn, uvicorn, granian
    worker_class: str  # what runs the requests in a worker: sync, gthread, gevent, uvicorn...
    workers: int
    threads: int  # requests one worker serves at once: threads, greenlets; 1 for a loop
    concurrency: int
    proxy: str = "off"  # what stands in front of it (LAB_PROXY): every figure goes through it


def shape(server: ServerName, lab: LabSettings) -> Shape:
    """How `lab serve` runs this server, from the same settings it reads."""
    w = lab.web_workers
    if server == "wsgi":
        # A request waiting on the upstream also holds one of its worker's pooled connections
        # (the sync client's, UPSTREAM_POOL_SIZE): past the pool, threads or greenlets queue
        # for one, so the pool caps a WSGI worker too (gevent's 1000 greenlets are its size).
        def limit(t: int) -> int:
            return w * min(t, lab.upstream_pool_size)

        if lab.wsgi_server == "granian":
            # Granian runs the WSGI app on WEB_THREADS blocking threads per worker.
            t = lab.web_threads
            return Shape("granian", "granian", w, t, limit(t), lab.lab_proxy)
        if lab.wsgi_worker_class == "gevent":
            g = lab.gevent_greenlets
            return Shape("gunicorn", "gevent", w, g, limit(g), lab.lab_proxy)
        # gunicorn turns a sync worker with --threads > 1 into a gthread worker.
        threaded = lab.wsgi_worker_class == "gthread" or lab.web_threads > 1
        t = lab.web_threads if threaded else 1
        worker = "gthread" if threaded else "sync"
        return Shape("gunicorn", worker, w, t, limit(t), lab.lab_proxy)
    # An event-loop worker has no request threads; its upstream pool caps its concurrency.
    worker = "granian" if lab.asgi_server == "granian" else "uvicorn"
    return Shape(lab.asgi_server, worker, w, 1, w * lab.upstream_pool_size, lab.lab_proxy)


def describe(server: ServerName, lab: LabSettings) -> str:
    """One line for people: `lab up`'s list of services."""
    s = shape(server, lab)
    interface = server.upper()
    if s.implementation == "gunicorn" and server == "asgi":
        return f"Django on gunicorn + uvicorn workers (ASGI), {s.workers} workers"
    if server == "asgi":
        return f"Django on {s.implementation} (ASGI), {s.workers} workers"
    if s.worker_class == "gevent":
        return (
            f"Django on gunicorn ({interface}), {s.workers} gevent workers of {s.threads} greenlets"
        )
    if s.implementation == "granian":
        return f"Django on granian ({interface}), {s.workers} workers, {s.threads} blocking threads"
    threads = f", {s.threads} threads" if s.threads > 1 else ""
    return f"Django on gunicorn ({interface}), {s.workers} {s.worker_class} workers{threads}"
