"""servers: the same slow-I/O load and the same CPU load on every server configuration.

Six ways to serve the one Django app (docs/servers.md), each with one worker so the load
generator keeps the other core: gunicorn's sync, gthread and gevent workers, granian's WSGI
threads, uvicorn's event loop and granian's. Slow I/O asks how many waits a worker holds at
once (its N, Little's law: throughput ≤ min(C, N)÷D); CPU work asks whether a bystander
/ping still gets through while a request computes. Then /ping alone: what each server spends
on a request that does nothing, from its workers' CPU time in /proc.
"""

from collections.abc import Mapping

from exercises.spec import Exercise, Load, Phase, Probe, Rule, Server

C = 10  # closed-loop users on the slow I/O
D_MS = 200  # the upstream's delay for each request
D_S = D_MS / 1000
P_MS = 800  # CPU work per request
T = 4  # request threads of the threaded WSGI workers (gthread, granian)
POOL = 100  # greenlets of the gevent worker; upstream pool of the event loops
PING_USERS = 4


class Config:
    """One server configuration: its slot, settings, N and whether one thread runs it all."""

    def __init__(
        self,
        name: str,
        pattern: str,
        server: Server,
        settings: Mapping[str, object],
        n: int,
        one_thread: bool,
    ) -> None:
        self.name = name
        self.pattern = pattern
        self.server = server
        self.settings = {"web_workers": 1, **settings}
        self.n = n
        self.one_thread = one_thread
        self.io_path = f"/io/{'async' if server == 'asgi' else 'sync'}?delay_ms={D_MS}"
        self.cpu_path = f"/cpu/{'async' if server == 'asgi' else 'sync'}?cpu_ms={P_MS}"


GUNICORN = {"wsgi_server": "gunicorn"}
CONFIGS = (
    Config(
        "sync",
        "gunicorn sync (1 worker)",
        "wsgi",
        {**GUNICORN, "wsgi_worker_class": "sync", "web_threads": 1},
        1,
        True,
    ),
    Config(
        "gthread",
        f"gunicorn gthread (1 worker × {T} threads)",
        "wsgi",
        {**GUNICORN, "wsgi_worker_class": "gthread", "web_threads": T},
        T,
        False,
    ),
    Config(
        "gevent",
        f"gunicorn gevent (1 worker × {POOL} greenlets)",
        "wsgi",
        {**GUNICORN, "wsgi_worker_class": "gevent", "gevent_greenlets": POOL},
        POOL,
        True,
    ),
    Config(
        "granian-wsgi",
        f"granian WSGI (1 worker × {T} threads)",
        "wsgi",
        {"wsgi_server": "granian", "wsgi_worker_class": "sync", "web_threads": T},
        T,
        False,
    ),
    Config(
        "uvicorn",
        "uvicorn (1 worker, event loop)",
        "asgi",
        {"asgi_server": "uvicorn", "upstream_pool_size": POOL},
        POOL,
        True,
    ),
    Config(
        "granian-asgi",
        "granian ASGI (1 worker, event loop)",
        "asgi",
        {"asgi_server": "granian", "upstream_pool_size": POOL},
        POOL,
        True,
    ),
)


WAITS_ON = {
    "sync": "the worker's one thread, for the whole wait",
    "gthread": f"one of the worker's {T} threads, for the whole wait",
    "gevent": "a greenlet; the hub serves the others meanwhile",
    "granian-wsgi": f"one of the worker's {T} blocking threads, for the whole wait",
    "uvicorn": "a task; the loop serves the others meanwhile",
    "granian-asgi": "a task; the loop serves the others meanwhile",
}


def phases(c: Config) -> tuple[Phase, ...]:
    view = "async view" if c.server == "asgi" else "sync view"
    covers = c.n >= C
    return (
        Phase(
            name=f"{c.name}-io",
            pattern=f"slow I/O, {view}, {c.pattern}",
            blocking=WAITS_ON[c.name],
            server=c.server,
            settings=c.settings,
            upstream={"jitter_ms": 0},
            load=Load(c.io_path, users=C),
            expected="Follows" if covers else "Capped",
            duration_s=6,
            short_duration_s=1.5,
        ),
        Phase(
            name=f"{c.name}-cpu",
            pattern=f"CPU work, {view}, {c.pattern}",
            blocking="the one thread every request needs, for the whole work"
            if c.one_thread
            else "one thread; the GIL is shared every 5 ms",
            server=c.server,
            settings=c.settings,
            load=Load(c.cpu_path, users=1),
            probe=Probe("/ping", rate=8),
            expected="Blocks" if c.one_thread else "Shares",
            duration_s=6,
            short_duration_s=1.5,
        ),
        Phase(
            name=f"{c.name}-ping",
            pattern=f"/ping alone, {c.pattern}",
            blocking="nothing: the server's own work per request",
            server=c.server,
            settings=c.settings,
            load=Load("/ping", users=PING_USERS),
            expected="Measured",
            duration_s=5,
            short_duration_s=1,
        ),
    )


def rules(c: Config) -> tuple[Rule, ...]:
    n = min(C, c.n)
    io: tuple[Rule, ...] = (
        Rule(
            phase=f"{c.name}-io",
            text="throughput ≥ 0.5 × min(C, N)÷D",
            measure="throughput",
            op=">=",
            bound=0.5 * n / D_S,
            why=f"the worker holds min(C, N) = {n} of the waits at once: Little's law",
        ),
    )
    if c.n < C:
        io += (
            Rule(
                phase=f"{c.name}-io",
                text="throughput ≤ 1.2 × N÷D",
                measure="throughput",
                op="<=",
                bound=1.2 * c.n / D_S,
                why=f"only N = {c.n} of the {C} users are served at a time: the others queue",
            ),
        )
    if c.one_thread:
        cpu = Rule(
            phase=f"{c.name}-cpu",
            text="bystander /ping p99 ≥ ½ × the CPU request's p50",
            measure="probe_p99/p50",
            op=">=",
            bound=0.5,
            why="one thread serves every request: /ping waits for the work in progress",
        )
    else:
        cpu = Rule(
            phase=f"{c.name}-cpu",
            text="bystander /ping p99 ≤ ½ × the CPU request's p50",
            measure="probe_p99/p50",
            op="<=",
            bound=0.5,
            why="/ping runs on another thread, taking the GIL when the work's thread yields it",
        )
    ping = Rule(
        phase=f"{c.name}-ping",
        text="server CPU per /ping ≤ 25 ms",
        measure="cpu_ms_per_request",
        op="<=",
        bound=25,
        why="a view that does nothing costs the server's own work: a few ms at most",
    )
    return (*io, cpu, ping)


EXERCISE = Exercise(
    name="servers",
    question="Which server configuration holds slow I/O, and which lets CPU work block?",
    phases=tuple(p for c in CONFIGS for p in phases(c)),
    rules=tuple(r for c in CONFIGS for r in rules(c)),
    explanation=(
        f"Slow I/O: {C} users each wait D = {D_MS} ms on the upstream, so Little's law caps "
        "the throughput at min(C, N)÷D, N being the requests one worker holds at once. A "
        f"sync worker holds 1 and a threaded one (gthread, granian's WSGI) its {T} threads: "
        "the other users queue and the throughput stays at N÷D. gevent's greenlets and the "
        "event loops (uvicorn, granian's ASGI) hold every wait, C÷D: gevent without one "
        f"async view. CPU work: {P_MS} ms of it holds the thread that runs it. Where one "
        "thread runs every request (a sync worker, gevent's hub, an event loop) a bystander "
        "/ping waits for the work in progress; where threads run them, /ping takes the GIL "
        "when the working thread yields it (every 5 ms) and gets through. The last row of "
        "each server is what it spends on a request that does nothing, from /proc: the "
        "server's own cost, which no configuration waives."
    ),
)
