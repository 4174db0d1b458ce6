"""little: how far each server follows Little's law, throughput = concurrency ÷ latency.

With every request waiting D on the upstream, C users can get at most C÷D requests a
second; W sync workers hold at most W of them at once, so their bound is min(C, W)÷D. The
event loop holds all C, until the CPU of its one worker runs out: the knee, where the
throughput stops following C÷D. Where that falls depends on the machine, so the knee is
named in the report, not judged; the rules judge what holds on any machine.
"""

from exercises.spec import Exercise, Knee, Load, Phase, Rule

W = 2  # gunicorn sync workers
D_MS = 200  # the upstream's delay for each request
D_S = D_MS / 1000
SYNC_C = (1, 2, 8)  # below, at and above W
ASYNC_C = (5, 20, 80, 200)  # rising until one worker's CPU gives out
BELOW_KNEE = (5, 20)  # concurrencies that stay below the loop's knee even on a busy machine


def sync_bound(c: int) -> float:
    return min(c, W) / D_S


def sync(c: int) -> Phase:
    return Phase(
        name=f"sync-c{c}",
        pattern=f"sync view, gunicorn sync (W={W}), C={c}",
        blocking="a worker per request, for the whole wait",
        server="wsgi",
        settings={"wsgi_worker_class": "sync", "web_workers": W, "web_threads": 1},
        upstream={"jitter_ms": 0},
        load=Load(f"/io/sync?delay_ms={D_MS}", users=c),
        expected="Capped" if c > W else "Follows",
    )


def loop(c: int) -> Phase:
    return Phase(
        name=f"async-c{c}",
        pattern=f"async view, uvicorn (1 worker), C={c}",
        blocking="nothing while it waits; the worker's CPU per request",
        server="asgi",
        settings={"asgi_server": "uvicorn", "web_workers": 1},
        upstream={"jitter_ms": 0},
        load=Load(f"/io/async?delay_ms={D_MS}", users=c),
        expected="Follows" if c in BELOW_KNEE else "Above W÷D",
    )


def sync_rules(c: int) -> tuple[Rule, ...]:
    floor = Rule(
        phase=f"sync-c{c}",
        text="throughput ≥ 0.6 × min(C, W)÷D",
        measure="throughput",
        op=">=",
        bound=0.6 * sync_bound(c),
        why="each busy worker finishes one request per D",
    )
    if c <= W:
        return (floor,)
    ceiling = Rule(
        phase=f"sync-c{c}",
        text="throughput ≤ 1.2 × W÷D",
        measure="throughput",
        op="<=",
        bound=1.2 * W / D_S,
        why=f"only W of the {c} users are served at a time: the others queue",
    )
    return (floor, ceiling)


def loop_rule(c: int) -> Rule:
    if c in BELOW_KNEE:
        return Rule(
            phase=f"async-c{c}",
            text="throughput ≥ 0.6 × C÷D",
            measure="throughput",
            op=">=",
            bound=0.6 * c / D_S,
            why="every user's wait overlaps on the loop: Little's law with concurrency C",
        )
    return Rule(
        phase=f"async-c{c}",
        text="throughput ≥ 4 × W÷D",
        measure="throughput",
        op=">=",
        bound=4 * W / D_S,
        why="even past its knee, the loop serves several times the sync workers' ceiling",
    )


EXERCISE = Exercise(
    name="little",
    question="How far does each server follow Little's law?",
    phases=(*map(sync, SYNC_C), *map(loop, ASYNC_C)),
    rules=(*(r for c in SYNC_C for r in sync_rules(c)), *map(loop_rule, ASYNC_C)),
    knees=(
        Knee("sync workers", {f"sync-c{c}": sync_bound(c) for c in SYNC_C}),
        Knee("event loop", {f"async-c{c}": c / D_S for c in ASYNC_C}),
    ),
    explanation=(
        "Little's law: throughput = concurrency ÷ latency, so with each request waiting "
        f"D = {D_MS} ms the bound is C÷D. W = {W} sync workers hold at most W requests at a "
        f"time: their bound is min(C, W)÷D, {W / D_S:g} req/s however many users queue, and "
        "they stay on it (their series has no knee: it is the bound that stops growing at "
        "C = W). One event loop holds every user's wait, so its throughput follows C÷D until "
        "something runs out: the knee. Its lines say who spent the CPU there (the server's "
        "worker, the upstream, this load generator, the whole machine), so a knee can be told "
        "from a saturated generator or a machine busy with other work. If the worker's CPU "
        "is not what ran out, look at the threads column: under ASGI each Django request "
        "also has an OS thread of its own, and hundreds of them take turns on one GIL. "
        "Ratios near 0.8 move from run to run: they are reported, not judged; the rules "
        "judge only what a busy machine cannot cross. The async client's pool "
        "(UPSTREAM_POOL_SIZE, 1000) and the upstream (no concurrency limit) stay out of the "
        "way at these concurrencies."
    ),
)
