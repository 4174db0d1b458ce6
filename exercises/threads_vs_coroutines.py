"""threads-vs-coroutines: what a waiting request costs in memory and OS threads.

N requests wait on the upstream at once, on one worker: in gthread's threads, and in async
views on uvicorn. The textbook answer is that a coroutine is far cheaper than a thread. On
this lab, measured, the ASGI server held one OS thread per waiting request as well: Django
sends request_started through `asend`, which runs django.db's sync receivers on a thread
that each request's ThreadSensitiveContext starts and keeps until the request ends. The
third server is the same uvicorn with those receivers dropped (ASGI_DB_REQUEST_STARTED=False).
"""

from exercises.spec import Exercise, Load, Of, Phase, Rule

D_MS, J_MS = 4000, 2000  # each request waits 2-6 s on the upstream, so the N waits overlap
# Spread, not fixed: N users that all finish at once would end N requests in one burst, and
# each request's end takes a thread for a moment (Django closes the response on one).
SPREAD = {"distribution": "uniform", "delay_ms": D_MS, "jitter_ms": J_MS}
WAIT = f"{(D_MS - J_MS) / 1000:g}-{(D_MS + J_MS) / 1000:g} s"
COUNTS = (100, 500)  # requests waiting at once: closed-loop users
# No warm-up: what is measured is what N waits add to the idle server, and a warm-up of
# these loads would end with a drain of up to one wait (6 s) for nothing.
WARMUP_S = 0.0
# What is measured is the most waits in flight at one /metrics read (read twice a second), and
# every wait takes 2 s or more: the short mode's 2 s window holds the whole first round, then
# each user's first wait ends (up to 6 s) and none sends another.
SHORT_S = 2.0
SCRAPE_EVERY_S = 0.5
THREADS = 512  # gthread's threads: room for every wait (WEB_THREADS allows up to 512)
GTHREAD = {"wsgi_worker_class": "gthread", "web_workers": 1, "web_threads": THREADS}
UVICORN = {"asgi_server": "uvicorn", "web_workers": 1}
LEAN = {**UVICORN, "asgi_db_request_started": False}


def phases(n: int) -> tuple[Phase, ...]:
    return (
        Phase(
            name=f"gthread-{n}",
            pattern=f"{n} sync views wait, gunicorn gthread (1 worker, {THREADS} threads)",
            blocking="a thread per waiting request",
            server="wsgi",
            settings=GTHREAD,
            upstream=SPREAD,
            load=Load("/io/sync", users=n),
            expected="Threads",
            warmup_s=WARMUP_S,
            short_duration_s=SHORT_S,
            scrape_every_s=SCRAPE_EVERY_S,
        ),
        Phase(
            name=f"asgi-{n}",
            pattern=f"{n} async views wait, uvicorn (1 worker)",
            blocking="a thread per request too: request_started's sync receivers",
            server="asgi",
            settings=UVICORN,
            upstream=SPREAD,
            load=Load("/io/async", users=n),
            expected="Threads",
            warmup_s=WARMUP_S,
            short_duration_s=SHORT_S,
            scrape_every_s=SCRAPE_EVERY_S,
        ),
        Phase(
            name=f"lean-{n}",
            pattern=f"{n} async views wait, uvicorn, request_started's receivers dropped",
            blocking="nothing: a coroutine per waiting request",
            server="asgi",
            settings=LEAN,
            upstream=SPREAD,
            load=Load("/io/async", users=n),
            expected="Coroutines",
            warmup_s=WARMUP_S,
            short_duration_s=SHORT_S,
            scrape_every_s=SCRAPE_EVERY_S,
        ),
    )


def overlapped(phase: str, n: int) -> Rule:
    return Rule(
        phase=phase,
        text="in flight ≥ ½ × N",
        measure="in_flight",
        op=">=",
        bound=n / 2,
        why=f"each of the {n} users waits {WAIT} on the upstream: the waits overlap",
    )


def a_thread_each(phase: str, why: str) -> Rule:
    return Rule(
        phase=phase,
        text="threads per waiting request ≥ 0.5",
        measure="threads_per_in_flight",
        op=">=",
        bound=0.5,
        why=why,
    )


def rules(n: int) -> tuple[Rule, ...]:
    return (
        overlapped(f"gthread-{n}", n),
        a_thread_each(f"gthread-{n}", "gthread starts a thread for each request it serves at once"),
        overlapped(f"asgi-{n}", n),
        a_thread_each(
            f"asgi-{n}",
            "request_started's sync receivers run on a thread the request keeps until it ends",
        ),
        overlapped(f"lean-{n}", n),
        Rule(
            phase=f"lean-{n}",
            text="threads per waiting request ≤ 0.25",
            measure="threads_per_in_flight",
            op="<=",
            bound=0.25,
            why="no sync code runs while a request waits; only its end takes a thread, briefly",
        ),
    )


BIG = COUNTS[-1]

EXERCISE = Exercise(
    name="threads-vs-coroutines",
    question="What does a waiting request cost in memory and threads?",
    phases=tuple(p for n in COUNTS for p in phases(n)),
    rules=(
        *(r for n in COUNTS for r in rules(n)),
        Rule(
            phase=f"asgi-{BIG}",
            text="memory per waiting request ≥ ½ × gthread's",
            measure="rss_kb_per_in_flight",
            op=">=",
            bound=Of(f"gthread-{BIG}", "rss_kb_per_in_flight"),
            factor=0.5,
            why="a thread per request on both: the coroutine saves little here",
        ),
        Rule(
            phase=f"lean-{BIG}",
            text="memory per waiting request ≤ 0.8 × uvicorn's with the receivers",
            measure="rss_kb_per_in_flight",
            op="<=",
            bound=Of(f"asgi-{BIG}", "rss_kb_per_in_flight"),
            factor=0.8,
            why="without its thread a waiting request is its coroutine, sockets and objects",
        ),
    ),
    explanation=(
        f"Each user waits {WAIT} on the upstream, so N requests wait at once on one worker. "
        "gthread holds each in a thread of its own. The textbook says an async view holds a "
        "coroutine instead, a few KB; measured, uvicorn held an OS thread per waiting request "
        "as well. Django's ASGI handler runs each request in a ThreadSensitiveContext and "
        "sends request_started with asend, which runs the sync receivers that django.db "
        "connects (reset_queries, close_old_connections) through sync_to_async: on a thread "
        "that context starts, and keeps until the request ends. On that new thread they find "
        "nothing to do (database connections are thread-local, and it has none yet), so "
        "dropping them (ASGI_DB_REQUEST_STARTED=False) is safe: then no sync code runs while a "
        "request waits (its end takes a thread, briefly), and a waiting request is a coroutine, "
        "sockets and Python objects: a third to a half less memory, not ten times less. Any sync "
        "code in an async request (a sync-only middleware, a receiver, the ORM) brings its "
        "thread back."
    ),
)
