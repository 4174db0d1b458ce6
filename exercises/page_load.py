"""page-load: what a person waits for, in a real browser, beside a load of slow pages.

A page is built from one upstream call of D. Ten closed-loop users load the same page; a
headless Chromium loads it too, one fresh visit after another. Behind gunicorn's W sync
workers the browser's request queues behind the users': its first byte (TTFB) and its largest
paint (LCP) wait about C÷W rounds of D. uvicorn's event loop waits on every page at once, so
the browser's figures stay near D plus the render.
"""

from exercises.spec import Browser, Exercise, Load, Of, Phase, Rule

W = 2  # workers on both servers
C = 10  # closed-loop users loading pages, more than W
D_MS = 200  # the upstream's delay for each page
PAGE_SYNC = f"/page/sync?delay_ms={D_MS}"
PAGE_ASYNC = f"/page/async?delay_ms={D_MS}"

EXERCISE = Exercise(
    name="page-load",
    question="Does a person's page wait for the queue in front of sync workers?",
    phases=(
        Phase(
            name="sync",
            pattern=f"sync page, gunicorn sync (W={W}), {C} users loading pages",
            blocking="a worker per page, for the whole upstream wait",
            server="wsgi",
            settings={"wsgi_worker_class": "sync", "web_workers": W, "web_threads": 1},
            upstream={"jitter_ms": 0},
            load=Load(PAGE_SYNC, users=C),
            browser=Browser(PAGE_SYNC),
            expected="Bad",
            short_duration_s=6.0,
        ),
        Phase(
            name="async",
            pattern=f"async page, uvicorn (W={W}), {C} users loading pages",
            blocking="nothing: the loop serves other pages while one waits",
            server="asgi",
            settings={"asgi_server": "uvicorn", "web_workers": W},
            upstream={"jitter_ms": 0},
            load=Load(PAGE_ASYNC, users=C),
            browser=Browser(PAGE_ASYNC),
            expected="Good",
            short_duration_s=6.0,
        ),
    ),
    rules=(
        Rule(
            phase="sync",
            text="browser TTFB p50 ≥ 2 × D",
            measure="ttfb_p50",
            op=">=",
            bound=2 * D_MS,
            why=f"the page queues behind {C} others for {W} workers: about C÷W rounds of D",
        ),
        Rule(
            phase="async",
            text="browser TTFB p50 ≤ 3 × D",
            measure="ttfb_p50",
            op="<=",
            bound=3 * D_MS,
            why="the loop waits on every page at once: D, the render and the hop",
        ),
        Rule(
            phase="async",
            text="browser LCP p50 ≤ 0.5 × the sync server's",
            measure="lcp_p50",
            op="<=",
            bound=Of("sync", "lcp_p50"),
            factor=0.5,
            why="the largest paint follows the first byte: no queue, no wait before it",
        ),
    ),
    explanation=(
        "A server-rendered page paints only once its answer arrives, so the browser's first "
        "byte and its largest paint carry every wait on the server. Behind W sync workers "
        f"{C} users' pages of D each take turns: a newcomer waits about C÷W × D "
        f"(here {C // W} × {D_MS} ms) before its own D starts. An async view waits on the "
        "upstream without holding the worker, so the same page arrives after about D, and "
        "the browser paints it a few tens of ms later (LCP - TTFB: its own parsing and paint, "
        "on the same cores as the servers)."
    ),
)
