"""sync-under-asgi: the same sync view (/ping) on gunicorn's sync workers and on uvicorn.

A sync view does not become faster under ASGI: Django runs it through sync_to_async on a
thread of its own for each request, beside the ASGI protocol's own work. The cost is measured
from the servers' CPU time per answered request (/proc), which a shared machine distorts far
less than requests per second; the throughput is judged too, with a generous bound.
"""

from exercises.spec import Exercise, Load, Of, Phase, Rule

W = 1  # workers on both servers: each has one core, the load generator the other
C = 4  # closed-loop users: enough to keep one worker busy
PING = "/ping"

EXERCISE = Exercise(
    name="sync-under-asgi",
    question="When does ASGI cost you?",
    phases=(
        Phase(
            name="gunicorn",
            pattern=f"sync view, gunicorn sync worker (W={W})",
            blocking="nothing beyond the worker: the view runs on its thread",
            server="wsgi",
            settings={"wsgi_worker_class": "sync", "web_workers": W, "web_threads": 1},
            load=Load(PING, users=C),
            expected="Good",
        ),
        Phase(
            name="uvicorn",
            pattern=f"sync view, uvicorn (W={W})",
            blocking="a new thread per request, and a hop to it and back",
            server="asgi",
            settings={"asgi_server": "uvicorn", "web_workers": W},
            load=Load(PING, users=C),
            expected="Bad",
        ),
    ),
    rules=(
        Rule(
            phase="gunicorn",
            text="threads ≤ W",
            measure="threads",
            op="<=",
            bound=W,
            why="a sync worker is one thread: the view runs on it, nothing is started for it",
        ),
        Rule(
            phase="uvicorn",
            text="CPU per request ≥ 1.3 × gunicorn's",
            measure="cpu_ms_per_request",
            op=">=",
            bound=Of("gunicorn", "cpu_ms_per_request"),
            factor=1.3,
            why="each request starts a thread and hops to it and back, on top of ASGI's events",
        ),
    ),
    explanation=(
        "gunicorn's sync worker calls the WSGI application on its own thread: parse, route, "
        "view, write. Under uvicorn the same view costs more: Django's ASGI handler creates a "
        "thread-sensitive context per request, runs the request_started signal's sync "
        "receivers, the view and response.close() through sync_to_async on a thread started "
        "for that request (and joined at its end), and the ASGI protocol adds its own messages "
        "and coroutines. None of it is waiting, all of it is CPU, so it is measured as CPU time "
        "per request from /proc: it holds on a shared machine, where requests per second swing "
        "with the neighbours' load and the load generator, on the same cores, often limits the "
        "faster server (gunicorn answered between 0.7 and 3.3 times uvicorn's requests per second "
        "in runs here, so that figure is not judged). ASGI pays off when views wait (see "
        "seed-table, streaming); for sync views it is a tax."
    ),
)
