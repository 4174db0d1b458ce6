"""sync-middleware: what a sync-only middleware, and Django's usual stack, cost an async view.

The same async view (no I/O, no work: /cpu/async?cpu_ms=0) on uvicorn with three middleware
chains (setting `middleware_stack`): the lab's own two, which run in the handler's mode; plus
one sync-only middleware, which makes Django run the whole chain on a thread and the view back
on the loop; and plus the seven `startproject` writes, `MiddlewareMixin`s whose hooks each run
through sync_to_async. Judged on the server's CPU time per request (/proc).
"""

from exercises.spec import Exercise, Load, Of, Phase, Rule

C = 4  # closed-loop users on one worker
VIEW = "/cpu/async?cpu_ms=0"
ONE_LOOP = {"asgi_server": "uvicorn", "web_workers": 1}


# Four reads of /metrics a second: a request of this view is in flight for a millisecond or
# so, and at one read a second a 4 s window sometimes caught none (the threads per request in
# flight are divided by the most seen). The same for every row, so their CPU compares.
SCRAPE_EVERY_S = 0.25


def chain(stack: str) -> dict[str, object]:
    return {**ONE_LOOP, "middleware_stack": stack}


EXERCISE = Exercise(
    name="sync-middleware",
    question="What does one sync-only middleware cost an async stack?",
    phases=(
        Phase(
            name="async-chain",
            pattern="async view, the lab's 2 async-capable middlewares",
            blocking="nothing on the way: the chain runs on the loop",
            server="asgi",
            settings=chain("lab"),
            load=Load(VIEW, users=C),
            scrape_every_s=SCRAPE_EVERY_S,
            expected="Good",
        ),
        Phase(
            name="sync-only",
            pattern="the same, plus 1 sync-only middleware",
            blocking="a thread for the chain; the view hops back to the loop",
            server="asgi",
            settings=chain("sync-only"),
            load=Load(VIEW, users=C),
            scrape_every_s=SCRAPE_EVERY_S,
            expected="OK",
        ),
        Phase(
            name="django-stack",
            pattern="the same, plus startproject's 7 middlewares",
            blocking="a hop to a thread and back per hook, about a dozen",
            server="asgi",
            settings=chain("django"),
            load=Load(VIEW, users=C),
            scrape_every_s=SCRAPE_EVERY_S,
            expected="Bad",
        ),
    ),
    rules=(
        Rule(
            phase="async-chain",
            text="CPU per request ≤ 0.8 × row 3's",
            measure="cpu_ms_per_request",
            op="<=",
            bound=Of("django-stack", "cpu_ms_per_request"),
            factor=0.8,
            why="its middlewares stay on the loop: it pays only Django's own hops per request",
        ),
        Rule(
            phase="sync-only",
            text="threads per request in flight ≥ 0.5",
            measure="threads_per_in_flight",
            op=">=",
            bound=0.5,
            why="the chain runs on the request's thread, which waits there for the view",
        ),
        Rule(
            phase="sync-only",
            text="CPU per request ≤ 2 × row 1's",
            measure="cpu_ms_per_request",
            op="<=",
            bound=Of("async-chain", "cpu_ms_per_request"),
            factor=2,
            why="its hops reuse the thread every ASGI request already has: no new thread",
        ),
        Rule(
            phase="django-stack",
            text="CPU per request ≥ 1.2 × row 2's",
            measure="cpu_ms_per_request",
            op=">=",
            bound=Of("sync-only", "cpu_ms_per_request"),
            factor=1.2,
            why="each of its dozen hooks is a round trip to the thread, against one for row 2",
        ),
        Rule(
            phase="django-stack",
            text="threads per request in flight ≥ 0.5",
            measure="threads_per_in_flight",
            op=">=",
            bound=0.5,
            why="the hooks run on the request's own thread, alive until the request ends",
        ),
    ),
    explanation=(
        "Under ASGI, Django adapts each middleware to the handler's mode. A sync-only "
        "middleware turns the chain around it sync: Django runs it (and the lab's middlewares "
        "outside it) through sync_to_async, on a thread, and the async view through "
        "async_to_sync, back on the loop: a hop each way per request. Yet on Django 6.1 that "
        "costs little CPU, because every ASGI request already has a thread of its own: the "
        "handler runs request_started's sync receivers and response.close() through "
        "sync_to_async on a thread started per request, and the middleware's hops reuse it. "
        "Django's usual stack is what costs: its seven MiddlewareMixins have about a dozen "
        "hooks, and under ASGI each runs through sync_to_async, a round trip to that thread "
        "per hook. The threads per request in flight show that either chain runs on threads: "
        "one or more per request (threads of requests just starting or ending count too); "
        "with the lab's chain alone the view never yields to the loop, so no scrape finds a "
        "request in flight to divide by."
    ),
)
