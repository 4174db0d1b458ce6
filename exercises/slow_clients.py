"""slow-clients: connections that send nothing, and the buffering proxy that absorbs them.

A sync worker serves one connection at a time, from accept to response, and reading the
request is part of it. A connection that sends nothing (a browser's speculative preconnect)
or sends its request slowly holds the worker while it waits; with as many such clients as
workers, a bystander /ping waits until the clients go away or the worker timeout kills the
workers. An event loop waits on every connection at once. nginx in front reads each request
whole before it hands it to a worker, so the workers never see the slow ones.
"""

from exercises.spec import Exercise, Load, Of, Phase, Probe, Rule

W = 2  # gunicorn's sync workers
N = W  # slow clients: one per sync worker is enough to hold them all
T_S = 5  # GUNICORN_TIMEOUT_S: short, so a held worker is killed within the phase
T_MS = T_S * 1000
GUNICORN_SYNC = {
    "wsgi_worker_class": "sync",
    "web_workers": W,
    "web_threads": 1,
    "gunicorn_timeout_s": T_S,
}
IDLE = Load("/ping", idle=N)
PROBE = Probe("/ping", rate=4)
# A quarter, not less: beside slow clients the warm-up sends only a few pings, and a worker's
# first request (Django imports its URL configuration then) takes a few hundred ms.
BELOW_ROW_1 = "bystander /ping p99 ≤ ¼ × row 1's"

EXERCISE = Exercise(
    name="slow-clients",
    question="What do connections that send nothing cost, and what does a proxy in front change?",
    phases=(
        Phase(
            name="sync-idle",
            pattern=f"{N} idle connections, gunicorn sync (W={W}), worker timeout {T_S} s",
            blocking="a worker per connection, until its request comes or the timeout kills it",
            server="wsgi",
            settings={**GUNICORN_SYNC, "lab_proxy": "off"},
            load=IDLE,
            probe=PROBE,
            expected="Bad",
        ),
        # One event loop is enough for all N; one worker also meets its first request (a
        # few hundred ms) in the warm-up, which sends only a couple of pings here.
        Phase(
            name="async-idle",
            pattern=f"{N} idle connections, uvicorn (1 worker)",
            blocking="nothing: the loop reads a connection only when bytes arrive",
            server="asgi",
            settings={"asgi_server": "uvicorn", "web_workers": 1, "lab_proxy": "off"},
            load=IDLE,
            probe=PROBE,
            expected="Good",
        ),
        Phase(
            name="proxy-idle",
            pattern=f"{N} idle connections, nginx → gunicorn sync (W={W})",
            blocking="an nginx connection each; a worker only for a whole request",
            server="wsgi",
            settings={**GUNICORN_SYNC, "lab_proxy": "nginx"},
            load=IDLE,
            probe=PROBE,
            expected="Good",
        ),
        Phase(
            name="proxy-trickle",
            pattern=f"{N} clients trickling a request, nginx → gunicorn sync (W={W})",
            blocking="an nginx connection each, buffering the partial request",
            server="wsgi",
            settings={**GUNICORN_SYNC, "lab_proxy": "nginx"},
            load=Load("/ping", idle=N, trickle=True),
            probe=PROBE,
            expected="Good",
        ),
    ),
    rules=(
        Rule(
            phase="sync-idle",
            text="bystander /ping p99 ≥ 0.2 × T",
            measure="probe_p99",
            op=">=",
            bound=0.2 * T_MS,
            why="each idle connection holds a worker, waiting for a request that never comes",
        ),
        Rule(
            phase="async-idle",
            text=BELOW_ROW_1,
            measure="probe_p99",
            op="<=",
            bound=Of("sync-idle", "probe_p99"),
            factor=0.25,
            why="the loop waits on every connection at once and serves the one with a request",
        ),
        Rule(
            phase="proxy-idle",
            text=BELOW_ROW_1,
            measure="probe_p99",
            op="<=",
            bound=Of("sync-idle", "probe_p99"),
            factor=0.25,
            why="nginx holds the idle connections: the workers only ever see whole requests",
        ),
        Rule(
            phase="proxy-trickle",
            text=BELOW_ROW_1,
            measure="probe_p99",
            op="<=",
            bound=Of("sync-idle", "probe_p99"),
            factor=0.25,
            why="nginx reads a request whole before it passes it on: a partial one never "
            "reaches a worker",
        ),
    ),
    explanation=(
        "A sync worker serves one connection from accept to response, and reading the request "
        f"is part of it. {N} connections that send nothing (a browser's speculative preconnect "
        f"is one) hold the {W} workers, so a bystander /ping waits until they go away or the "
        f"arbiter kills the silent workers after the worker timeout (T = {T_S} s here; 130 s "
        "by default) and the clients come back. A client that sends its request slowly holds "
        "a worker the same way. One uvicorn worker's event loop waits on every connection at "
        "once and reads one only when bytes arrive. nginx in front of the same sync workers "
        "reads each request whole before it opens a connection to a worker (request "
        "buffering) and takes each response as fast as the worker sends it (response "
        "buffering): slow clients cost nginx connections, never workers. That is why "
        "gunicorn's sync workers are meant to run behind a buffering proxy (LAB_PROXY=nginx)."
    ),
)
