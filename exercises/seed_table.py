"""seed-table: the four classic rows of "when does async help a Django app?".

Each row is a phase on a fresh server. Waiting on I/O is where async shines; CPU work on
the event loop is where it hurts everyone in the process; threads make the same CPU work
bearable for neighbours. The rules have wide margins (2-4x), so a noisy machine cannot cross
them by accident: when one fails, the run is a surprise worth reading, not noise.
"""

from exercises.spec import Exercise, Load, Of, Phase, Probe, Rule

W = 2  # gunicorn sync workers: requests served at once on the WSGI side
C = 10  # closed-loop users, more than W
D_MS = 200  # the upstream's delay for each I/O request
P_MS = 400  # CPU work per CPU request
D_S = D_MS / 1000

EXERCISE = Exercise(
    name="seed-table",
    question="When does async help a Django view, when does it hurt, and what do threads buy?",
    phases=(
        Phase(
            name="sync-io",
            pattern=f"sync view waits on I/O, gunicorn sync (W={W})",
            blocking="a worker per request, for the whole wait",
            server="wsgi",
            settings={"wsgi_worker_class": "sync", "web_workers": W, "web_threads": 1},
            upstream={"jitter_ms": 0},
            load=Load(f"/io/sync?delay_ms={D_MS}", users=C),
            expected="Bad",
        ),
        Phase(
            name="async-io",
            pattern=f"async view waits on I/O, uvicorn (W={W})",
            blocking="nothing: the loop serves others while it waits",
            server="asgi",
            settings={"asgi_server": "uvicorn", "web_workers": W},
            upstream={"jitter_ms": 0},
            load=Load(f"/io/async?delay_ms={D_MS}", users=C),
            expected="Good",
        ),
        Phase(
            name="async-cpu",
            pattern="async view does CPU work, uvicorn (1 worker)",
            blocking="the event loop, and every request of the process",
            server="asgi",
            settings={"asgi_server": "uvicorn", "web_workers": 1},
            load=Load(f"/cpu/async?cpu_ms={P_MS}", users=2),
            probe=Probe("/ping", rate=4),
            expected="Bad",
        ),
        Phase(
            name="sync-cpu",
            pattern="sync view does CPU work, gunicorn gthread (1 worker, 4 threads)",
            blocking="one thread; the GIL is shared every few ms",
            server="wsgi",
            settings={"wsgi_worker_class": "gthread", "web_workers": 1, "web_threads": 4},
            load=Load(f"/cpu/sync?cpu_ms={P_MS}", users=1),
            probe=Probe("/ping", rate=4),
            expected="OK",
        ),
    ),
    rules=(
        Rule(
            phase="sync-io",
            text="throughput ≤ 1.2 × W÷D",
            measure="throughput",
            op="<=",
            bound=1.2 * W / D_S,
            why="requests queue for a worker: W workers each finish one request per D",
        ),
        Rule(
            phase="sync-io",
            text="p50 ≥ 2 × D",
            measure="p50",
            op=">=",
            bound=2 * D_MS,
            why=f"{C} users share {W} workers, so a request mostly waits its turn",
        ),
        Rule(
            phase="async-io",
            text="throughput ≥ 0.5 × C÷D",
            measure="throughput",
            op=">=",
            bound=0.5 * C / D_S,
            why="every user's wait overlaps on the loop: Little's law with concurrency C",
        ),
        Rule(
            phase="async-io",
            text="p50 ≤ 1.5 × D",
            measure="p50",
            op="<=",
            bound=1.5 * D_MS,
            why="no request waits for another: each takes about the upstream's delay",
        ),
        Rule(
            phase="async-cpu",
            text="bystander /ping p99 ≥ 0.5 × P",
            measure="probe_p99",
            op=">=",
            bound=0.5 * P_MS,
            why="CPU work on the loop blocks it: /ping waits for the CPU requests in progress",
        ),
        Rule(
            phase="sync-cpu",
            text="CPU request p50 ≤ 3 × P",
            measure="p50",
            op="<=",
            bound=3 * P_MS,
            why="a thread of its own: the work takes about P",
        ),
        Rule(
            phase="sync-cpu",
            text="bystander /ping p99 ≤ ¼ × row 3's",
            measure="probe_p99",
            op="<=",
            bound=Of("async-cpu", "probe_p99"),
            factor=0.25,
            why="the GIL switches threads every 5 ms, so /ping gets its turn quickly",
        ),
    ),
    explanation=(
        "Little's law: throughput ≤ concurrency ÷ latency. Sync workers cap the concurrency "
        f"at W, so waiting on I/O caps the throughput at W÷D = {W / D_S:g} req/s and the rest "
        "queue. An async view frees the loop while it waits, so the C users' waits overlap "
        f"(C÷D = {C / D_S:g} req/s). CPU work is different: on the loop it blocks every other "
        "request of the process, which a bystander /ping shows; in a thread, the GIL is "
        "handed over every few milliseconds, so the neighbour barely notices."
    ),
)
