"""faults: the upstream hangs. What does it cost the sync workers, and the event loop?

Every upstream call hangs (no answer, then the connection is closed) and the servers give up
after UPSTREAM_TIMEOUT_S with a 504. The main load's requests all fail, on purpose; what the
exercise watches is the bystander `/ping`, which calls no upstream at all.
"""

from exercises.spec import Exercise, Load, Of, Phase, Probe, Rule

T_S = 1.0  # UPSTREAM_TIMEOUT_S: how long a server waits for the upstream before a 504
T_MS = T_S * 1000
HANG = {"hang_rate": 1, "hang_ms": 3000}  # every call hangs, longer than the timeout
W = 2  # workers on both sides
USERS = 4  # more than the sync workers

EXERCISE = Exercise(
    name="faults",
    question="What happens to the neighbours when the upstream hangs?",
    phases=(
        Phase(
            name="sync-hang",
            pattern=f"sync view, upstream hangs, gunicorn sync (W={W}), timeout {T_S:g} s",
            blocking="a worker per request, until the timeout",
            server="wsgi",
            settings={
                "wsgi_worker_class": "sync",
                "web_workers": W,
                "web_threads": 1,
                "upstream_timeout_s": T_S,
            },
            upstream=HANG,
            load=Load("/io/sync", users=USERS),
            probe=Probe("/ping", rate=4),
            expected="Bad",
            expect_failures=True,
        ),
        Phase(
            name="async-hang",
            pattern=f"async view, upstream hangs, uvicorn (W={W}), timeout {T_S:g} s",
            blocking="nothing: the loop serves others while the calls hang",
            server="asgi",
            settings={"asgi_server": "uvicorn", "web_workers": W, "upstream_timeout_s": T_S},
            upstream=HANG,
            load=Load("/io/async", users=USERS),
            probe=Probe("/ping", rate=4),
            expected="Good",
            expect_failures=True,
        ),
    ),
    rules=(
        Rule(
            phase="sync-hang",
            text="bystander /ping p99 ≥ 0.5 × T",
            measure="probe_p99",
            op=">=",
            bound=0.5 * T_MS,
            why="every worker is held by a hung call until the timeout, and /ping waits for one",
        ),
        Rule(
            phase="async-hang",
            text="bystander /ping p99 ≤ ¼ × row 1's",
            measure="probe_p99",
            op="<=",
            bound=Of("sync-hang", "probe_p99"),
            factor=0.25,
            why="a hung call is a task waiting on the loop: /ping is served meanwhile",
        ),
    ),
    explanation=(
        "A hung upstream turns every call into a wait of UPSTREAM_TIMEOUT_S, then a 504: the "
        "main load's requests fail here by design. The difference is what the wait holds. A "
        f"sync worker is held for the whole timeout, so with {USERS} users on {W} workers the "
        "capacity goes to the hung calls and a bystander /ping, which needs no upstream, "
        "queues behind them for about a timeout. On the event loop a hung call is just a task "
        "waiting: /ping is served as fast as ever. A short timeout is what bounds the damage "
        "on the sync side; without one (or with the default 35 s) the workers would be lost "
        "for that long."
    ),
)
