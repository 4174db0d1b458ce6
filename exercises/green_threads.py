"""green-threads: sync views on gevent's greenlets, against slow I/O and against CPU work.

gunicorn's gevent worker monkey-patches the standard library, so a sync view's upstream call
(httpx's sync client, on a patched socket) waits on gevent's hub and the worker serves other
requests meanwhile: the slow-I/O gap closes without one async view. CPU work does not wait
on anything, so it holds the hub, and every greenlet of the worker waits for it, as every
coroutine waits for CPU work on an event loop.
"""

from exercises.spec import Exercise, Load, Phase, Probe, Rule

C = 10  # closed-loop users
D_MS = 200  # the upstream's delay for each request
D_S = D_MS / 1000
P_MS = 800  # CPU work per request
SYNC = {"wsgi_server": "gunicorn", "wsgi_worker_class": "sync", "web_workers": 1, "web_threads": 1}
GEVENT = {"wsgi_server": "gunicorn", "wsgi_worker_class": "gevent", "web_workers": 1}


EXERCISE = Exercise(
    name="green-threads",
    question="Do green threads close the slow-I/O gap without async views?",
    phases=(
        Phase(
            name="sync-io",
            pattern="sync view, gunicorn sync (1 worker)",
            blocking="the worker, for the whole upstream wait",
            server="wsgi",
            settings=SYNC,
            upstream={"jitter_ms": 0},
            load=Load(f"/io/sync?delay_ms={D_MS}", users=C),
            expected="Bad",
        ),
        Phase(
            name="gevent-io",
            pattern="sync view, gunicorn gevent (1 worker)",
            blocking="a greenlet; the hub serves others while it waits",
            server="wsgi",
            settings=GEVENT,
            upstream={"jitter_ms": 0},
            load=Load(f"/io/sync?delay_ms={D_MS}", users=C),
            expected="Good",
        ),
        Phase(
            name="gevent-cpu",
            pattern="sync view, CPU work, gunicorn gevent (1 worker)",
            blocking="the hub, for the whole work",
            server="wsgi",
            settings=GEVENT,
            load=Load(f"/cpu/sync?cpu_ms={P_MS}", users=2),
            probe=Probe("/ping", rate=4),
            expected="Bad",
            # One core finishes about one request per P: a few more seconds for the probe.
            short_duration_s=6,
        ),
    ),
    rules=(
        Rule(
            phase="sync-io",
            text="throughput ≤ 1.5 × 1÷D",
            measure="throughput",
            op="<=",
            bound=1.5 / D_S,
            why="one sync worker serves one request at a time: one per D",
        ),
        Rule(
            phase="gevent-io",
            text="throughput ≥ 0.5 × C÷D",
            measure="throughput",
            op=">=",
            bound=0.5 * C / D_S,
            why="the waits overlap on the hub: Little's law with concurrency C",
        ),
        Rule(
            phase="gevent-cpu",
            text="bystander /ping p99 ≥ 0.5 × P",
            measure="probe_p99",
            op=">=",
            bound=0.5 * P_MS,
            why="the hub is busy for a whole P at a time, and /ping needs it",
        ),
    ),
    explanation=(
        "gevent patches sockets, sleeps and locks, so a sync view's upstream call yields to "
        "the hub while it waits: one gevent worker overlaps the C users' waits "
        f"(C÷D = {C / D_S:g} req/s) where one sync worker finishes one per D "
        f"({1 / D_S:g} req/s), and no view is async. The hub is one thread, like an event "
        f"loop: {P_MS} ms of CPU work in a view never yields, so a bystander /ping waits for "
        "it, and so does every other greenlet of the worker. Only what goes through the "
        "patched modules cooperates: a C library that blocks on its own blocks the hub too."
    ),
)
