"""async-orm: does `await queryset.acount()` free a thread while the query runs?

Django's ORM is synchronous; its async methods run the sync query through
`sync_to_async(thread_sensitive=True)`. So the event loop is free while the query runs, but
a thread is not: it sits in the query, holding its database connection, exactly as in a sync
view. The rows count, against concurrency, the threads blocked in the kernel (on the
database, not idle on a lock) and the connections the server holds on its database: file
handles on SQLite, its rows of pg_stat_activity on PostgreSQL (DATABASE_URL).
"""

from exercises.spec import Exercise, Load, Phase, Rule

D_MS = 200  # the query's time in the database (and the upstream's delay in the last row)
ASYNC_C = (5, 20, 80)
SYNC_C = 20
THREADS = 32  # the gthread worker's pool: more than SYNC_C, so no request queues for one


def sync_orm() -> Phase:
    return Phase(
        name=f"sync-orm-c{SYNC_C}",
        pattern=f"queryset.count(), gunicorn gthread (1×{THREADS}), C={SYNC_C}",
        blocking="a pool thread and a connection per query",
        server="wsgi",
        settings={"wsgi_worker_class": "gthread", "web_workers": 1, "web_threads": THREADS},
        load=Load(f"/db/sync?delay_ms={D_MS}", users=SYNC_C),
        expected="Holds",
    )


def async_orm(c: int) -> Phase:
    return Phase(
        name=f"async-orm-c{c}",
        pattern=f"await queryset.acount(), uvicorn (1 worker), C={c}",
        blocking="the request's sync thread and a connection per query",
        server="asgi",
        settings={"asgi_server": "uvicorn", "web_workers": 1},
        load=Load(f"/db/async?delay_ms={D_MS}", users=c),
        expected="Holds",
    )


def async_io() -> Phase:
    return Phase(
        name="async-io-c20",
        pattern="await an aiohttp call, uvicorn (1 worker), C=20",
        blocking="nothing: the request's thread idles, the loop waits",
        server="asgi",
        settings={"asgi_server": "uvicorn", "web_workers": 1},
        upstream={"jitter_ms": 0},
        load=Load(f"/io/async?delay_ms={D_MS}", users=20),
        expected="Frees",
    )


def holds(phase: str, c: int, where: str) -> tuple[Rule, ...]:
    # At C=80 on two busy shared cores a request can wait as long for a CPU and the GIL as
    # it waits in the database (p50 up to 2 × D), and only the database part is a blocked
    # thread: half the floor, still far above the last row's.
    floor = 0.25 if c > SYNC_C else 0.5
    return (
        Rule(
            phase=phase,
            text=f"blocked threads per request in flight ≥ {floor:g}",
            measure="blocked_threads_per_in_flight",
            op=">=",
            bound=floor,
            why=f"each query runs on {where}, which waits in the database until it answers",
        ),
        Rule(
            phase=phase,
            text="connections open ≥ 0.5 × C",
            measure="db_connections",
            op=">=",
            bound=0.5 * c,
            why="each query in flight holds a connection, and a connection belongs to a thread",
        ),
    )


EXERCISE = Exercise(
    name="async-orm",
    question="Does the async ORM free a thread?",
    phases=(sync_orm(), *map(async_orm, ASYNC_C), async_io()),
    rules=(
        *holds(f"sync-orm-c{SYNC_C}", SYNC_C, "a thread of the worker's pool"),
        *(
            rule
            for c in ASYNC_C
            for rule in holds(f"async-orm-c{c}", c, "the request's thread (sync_to_async)")
        ),
        Rule(
            phase="async-io-c20",
            text="blocked threads per request in flight ≤ 0.2",
            measure="blocked_threads_per_in_flight",
            op="<=",
            bound=0.2,
            why="the wait is a socket the event loop watches: no thread sits in it",
        ),
        Rule(
            phase="async-io-c20",
            text="threads per request in flight ≥ 0.5",
            measure="threads_per_in_flight",
            op=">=",
            bound=0.5,
            why="Django's ASGI handler gives every request a thread for its sync signal "
            "receivers anyway; it idles while the loop waits",
        ),
    ),
    explanation=(
        "Django's ORM is synchronous. `await qs.acount()` is `sync_to_async(qs.count)` with "
        "thread_sensitive=True: the query runs on the request's own sync thread and the "
        "event loop awaits it. The loop is free meanwhile, but the thread is not: it sits in "
        "the database call for the whole query (blocked threads ≈ 1 per request in flight, as "
        "in the gthread worker's sync view) and holds its connection (connections ≈ C on "
        "both). So the async ORM frees the loop, not the thread or the connection: its "
        "capacity is bounded like a thread pool's by the connections the database allows (a "
        "Postgres pool of DJANGO_DB_POOL_SIZE per process), and each request still pays a "
        "thread. Every Django request under ASGI has such a thread anyway (its sync signal "
        "receivers run there), so the last row, an aiohttp call, counts about one thread per "
        "request too, but an idle one, waiting on a lock, not in the kernel on a socket: that "
        "is the difference between a freed thread and a held one. Threads are counted from "
        "each thread's kernel wait channel; connections from the worker's open files on the "
        "SQLite database, or on PostgreSQL from pg_stat_activity's rows carrying the "
        "server's application_name (there psycopg's pool keeps them open between queries, "
        f"and caps them: give it DJANGO_DB_POOL_SIZE ≥ {max(ASYNC_C)} or the C={max(ASYNC_C)} "
        "row is a surprise)."
    ),
)
