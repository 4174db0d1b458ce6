"""streaming: what a long-lived response (server-sent events) holds on each server.

N users each keep a stream open (and open the next as soon as one ends). On gunicorn gthread a
stream holds one of the W×T worker threads for its whole life, so at most W×T streams run and
the rest, a bystander /ping included, queue. On uvicorn every stream is served at once. What a
stream holds there is measured too: Django 6.1 gives each ASGI request an OS thread of its own
(idle for an async view), and a sync generator is read whole on it before the first event.
"""

from exercises.spec import Exercise, Load, Of, Phase, Probe, Rule

N = 20  # users, each with one stream open at a time
W, T = 1, 4  # gunicorn gthread: workers and threads
EVENTS, INTERVAL_MS = 5, 100
S_MS = EVENTS * INTERVAL_MS  # a stream's life
S_S = S_MS / 1000
QUERY = f"events={EVENTS}&interval_ms={INTERVAL_MS}"
ONE_LOOP = {"asgi_server": "uvicorn", "web_workers": 1}

EXERCISE = Exercise(
    name="streaming",
    question="What does a long-lived response hold?",
    phases=(
        Phase(
            name="gthread",
            pattern=f"sync stream, gunicorn gthread ({W}×{T})",
            blocking="a worker thread per stream, for its whole life",
            server="wsgi",
            settings={"wsgi_worker_class": "gthread", "web_workers": W, "web_threads": T},
            load=Load(f"/stream/sync?{QUERY}", users=N),
            probe=Probe("/ping", rate=4),
            expected="Bad",
        ),
        Phase(
            name="sync-on-asgi",
            pattern="sync stream, uvicorn (1 worker)",
            blocking="a thread per stream, sleeping; the events wait for the last one",
            server="asgi",
            settings=ONE_LOOP,
            load=Load(f"/stream/sync?{QUERY}", users=N),
            probe=Probe("/ping", rate=4),
            expected="Bad",
        ),
        Phase(
            name="async",
            pattern="async stream, uvicorn (1 worker)",
            blocking="a task per stream, and Django's idle thread per request",
            server="asgi",
            settings=ONE_LOOP,
            load=Load(f"/stream/async?{QUERY}", users=N),
            probe=Probe("/ping", rate=4),
            expected="Good",
        ),
    ),
    rules=(
        Rule(
            phase="gthread",
            text="streams in flight ≤ W×T",
            measure="in_flight",
            op="<=",
            bound=W * T,
            why="a stream holds its thread to the end: the other users' streams queue",
        ),
        Rule(
            phase="gthread",
            text="streams/s ≤ 1.2 × W×T÷S",
            measure="throughput",
            op="<=",
            bound=1.2 * W * T / S_S,
            why="Little's law with W×T streams at a time, each lasting S",
        ),
        Rule(
            phase="gthread",
            text="bystander /ping p99 ≥ S",
            measure="probe_p99",
            op=">=",
            bound=S_MS,
            why="/ping needs a thread too, and waits behind the queued streams",
        ),
        Rule(
            phase="sync-on-asgi",
            text="streams in flight ≥ 0.75 × N",
            measure="in_flight",
            op=">=",
            bound=0.75 * N,
            why="no worker pool to wait for: Django starts a thread for each request",
        ),
        Rule(
            phase="sync-on-asgi",
            text="threads per stream ≥ 0.5",
            measure="threads_per_in_flight",
            op=">=",
            bound=0.5,
            why="Django reads the sync generator on the request's own thread, sleeps and all",
        ),
        Rule(
            phase="async",
            text="streams in flight ≥ 0.75 × N",
            measure="in_flight",
            op=">=",
            bound=0.75 * N,
            why="each stream is a task that sleeps on the loop: every user's stream runs",
        ),
        Rule(
            phase="async",
            text="streams/s ≥ 0.5 × N÷S",
            measure="throughput",
            op=">=",
            bound=0.5 * N / S_S,
            why="Little's law with all N streams at a time",
        ),
        Rule(
            phase="async",
            text="bystander /ping p99 ≤ ¼ × row 1's",
            measure="probe_p99",
            op="<=",
            bound=Of("gthread", "probe_p99"),
            factor=0.25,
            why="the loop serves /ping between two events of every stream",
        ),
        Rule(
            phase="async",
            text="threads per stream ≥ 0.5",
            measure="threads_per_in_flight",
            op=">=",
            bound=0.5,
            why="Django 6.1 runs request_started's sync receivers on a new thread per request, "
            "kept idle until the request ends",
        ),
        Rule(
            phase="async",
            text="memory per stream ≤ 1024 KB",
            measure="rss_kb_per_in_flight",
            op="<=",
            bound=1024,
            why="a task, a generator and an idle thread's few touched stack pages, not 8 MB",
        ),
    ),
    explanation=(
        f"A stream of S = {S_MS} ms is a request that lasts S. On gunicorn gthread it holds "
        f"one of the W×T = {W * T} threads for all of S, so at most W×T streams run (Little's "
        f"law: W×T÷S = {W * T / S_S:g} streams/s), the other {N - W * T} users queue, and so "
        "does a bystander /ping (the /metrics scrape takes a thread too, so it sees one stream "
        "fewer). On uvicorn all N streams run at once: a stream sleeps between events as a "
        "task on the loop, and /ping is served between them. But not with nothing held: "
        "Django 6.1's ASGI handler runs the request_started signal's sync receivers (the "
        "database's) through sync_to_async, which starts a thread for the request and keeps it "
        "until the request ends, so an async stream holds an idle OS thread (about 0.1 MB a "
        "stream with its task, measured: a thread's 8 MB stack is reserved, not touched). A "
        "sync generator under ASGI is worse than it looks: Django warns, reads the whole "
        "generator into a list on that thread (sleeping through every interval), then sends "
        "all the events at once at the end; the client waits S for the first one."
    ),
)
