"""cancellation: clients that give up. Does the server keep working for them?

Ten users give up on a request after T and send the next, against an upstream that answers
in 100-900 ms. Under ASGI, Django notices the client has gone and cancels the async view,
and its upstream call with it: the server hangs up on the upstream too. A sync worker
notices nothing: it waits out every call, and serves the requests queued behind it whose
clients left long ago. The upstream counts the calls whose caller hung up before the answer.
"""

from exercises.spec import Exercise, Load, Phase, Rule

W = 2  # workers on both sides
C = 10  # closed-loop users
T_S = 0.3  # the clients' timeout: each user gives up after it and sends the next request
D_MS, J_MS = 500, 400  # the upstream's delay: uniform in [D - J, D + J], 100-900 ms
IN_TIME = (T_S * 1000 - (D_MS - J_MS)) / (2 * J_MS)  # the share of calls answered within T
UNIFORM = {"distribution": "uniform", "delay_ms": D_MS, "jitter_ms": J_MS}

EXERCISE = Exercise(
    name="cancellation",
    question="What happens to work nobody waits for?",
    phases=(
        Phase(
            name="sync-timeouts",
            pattern=f"sync view, clients give up after {T_S * 1000:g} ms, gunicorn sync (W={W})",
            blocking="a worker per request, until the upstream answers, client or no client",
            server="wsgi",
            settings={"wsgi_worker_class": "sync", "web_workers": W, "web_threads": 1},
            upstream=UNIFORM,
            load=Load("/io/sync", users=C),
            client_timeout_s=T_S,
            expected="Bad",
        ),
        Phase(
            name="async-timeouts",
            pattern=f"async view, clients give up after {T_S * 1000:g} ms, uvicorn (W={W})",
            blocking="nothing: a client that leaves cancels its view and the view's call",
            server="asgi",
            settings={"asgi_server": "uvicorn", "web_workers": W},
            upstream=UNIFORM,
            load=Load("/io/async", users=C),
            client_timeout_s=T_S,
            expected="Good",
        ),
    ),
    rules=(
        Rule(
            phase="sync-timeouts",
            text="answers per upstream answer ≤ 0.1",
            measure="answers_per_upstream_answer",
            op="<=",
            bound=0.1,
            why="the workers wait out every call, for clients that gave up long before",
        ),
        Rule(
            phase="async-timeouts",
            text="answers per upstream answer ≥ 2 × the share answered in time",
            measure="answers_per_upstream_answer",
            op=">=",
            bound=IN_TIME,
            factor=2,
            why="a call is waited out only while its client waits: the others are hung up on",
        ),
    ),
    explanation=(
        f"Each user gives up after {T_S * 1000:g} ms and sends its next request; the upstream "
        f"answers in {D_MS - J_MS}-{D_MS + J_MS} ms, so {IN_TIME:.0%} of the calls could "
        "answer in time. A sync worker cannot tell that its client has gone: it waits out the "
        f"call and answers into a closed socket. {W} workers finish {W / D_MS * 1000:g} "
        f"requests a second against {C / T_S:.0f} sent, so the queue grows and every request "
        "in it is served after its client left: the workers work at full speed for no one. "
        "Under ASGI, Django listens for the client's disconnect while the view runs and "
        "cancels it: the upstream call is cancelled with it and its connection closed (the "
        "server answers 499, the call's outcome is 'cancelled'). The upstream still finishes "
        "its wait, counted as abandoned, but every answer the server waited for reached a "
        "client. Only a server that can hang up stops working for a client that has gone; "
        "a sync server needs a deadline of its own (a shorter upstream timeout) to do less."
    ),
)
