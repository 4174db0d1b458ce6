"""cpu-chunks: CPU work in an async view, in one piece, in chunks, or on a thread.

CPU work on the event loop holds back every other request of the worker for as long as it
runs. Cut into chunks with the loop given back between them (`await asyncio.sleep(0)`), each
turn of the loop runs one chunk of every request in progress, so a neighbour waits for a few
chunks instead; handed to a thread, it waits for the GIL. Neither makes the work itself any
faster: one loop thread, or one GIL, computes one request at a time.
"""

from exercises.spec import Exercise, Load, Of, Phase, Probe, Rule

USERS = 2  # closed-loop users doing CPU work
P_MS = 800  # CPU work per request
K_MS = 1  # the chunk: CPU work between two yields to the loop
ONE_WORKER = {"asgi_server": "uvicorn", "web_workers": 1}


def phase(name: str, path: str, pattern: str, blocking: str, expected: str) -> Phase:
    return Phase(
        name=name,
        pattern=f"{pattern}, uvicorn (1 worker)",
        blocking=blocking,
        server="asgi",
        settings=ONE_WORKER,
        load=Load(path, users=USERS),
        probe=Probe("/ping", rate=4),
        expected=expected,
        # One core finishes about one request per P, the chunked row two at a time every 2 × P:
        # too few in the default 8 s to compare throughputs closely. The short mode's 6 s
        # (about seven answers, 24 probes) is enough for its 4× bounds.
        duration_s=15,
        short_duration_s=6,
    )


EXERCISE = Exercise(
    name="cpu-chunks",
    question="Can CPU work live in an async view?",
    phases=(
        phase(
            "async-cpu",
            f"/cpu/async?cpu_ms={P_MS}",
            "async view, CPU work in one piece",
            "the event loop, for the whole work",
            "Bad",
        ),
        phase(
            "chunked",
            f"/cpu/async-chunked?cpu_ms={P_MS}&chunk_ms={K_MS}",
            f"async view, CPU work in {K_MS} ms chunks",
            "the event loop, one chunk at a time",
            "OK",
        ),
        phase(
            "offload",
            f"/cpu/async-offload?cpu_ms={P_MS}",
            "async view, CPU work on a pool thread",
            "a pool thread; the GIL is shared every few ms",
            "OK",
        ),
    ),
    rules=(
        Rule(
            phase="async-cpu",
            text="bystander /ping p99 ≥ 0.5 × P",
            measure="probe_p99",
            op=">=",
            bound=0.5 * P_MS,
            why="the loop is busy for a whole P at a time, and /ping needs it",
        ),
        Rule(
            phase="chunked",
            text="bystander /ping p99 ≤ ¼ × row 1's",
            measure="probe_p99",
            op="<=",
            bound=Of("async-cpu", "probe_p99"),
            factor=0.25,
            why="the loop turns after every chunk, so /ping waits for chunks, not requests",
        ),
        Rule(
            phase="chunked",
            text="bystander /ping p99 ≤ P",
            measure="probe_p99",
            op="<=",
            bound=P_MS,
            why="/ping waits for a few chunks of each request in progress, never a whole P",
        ),
        Rule(
            phase="chunked",
            text="throughput ≥ ¼ × row 1's",
            measure="throughput",
            op=">=",
            bound=Of("async-cpu", "throughput"),
            factor=0.25,
            why="the same work in slices: a yield costs next to nothing",
        ),
        Rule(
            phase="chunked",
            text="throughput ≤ 4 × row 1's",
            measure="throughput",
            op="<=",
            bound=Of("async-cpu", "throughput"),
            factor=4,
            why="the loop's one thread still does all the work: slicing adds no core",
        ),
        Rule(
            phase="offload",
            text="bystander /ping p99 ≤ ¼ × row 1's",
            measure="probe_p99",
            op="<=",
            bound=Of("async-cpu", "probe_p99"),
            factor=0.25,
            why="the loop stays free; /ping waits only for the GIL, handed over every 5 ms",
        ),
        Rule(
            phase="offload",
            text="throughput ≥ ¼ × row 1's",
            measure="throughput",
            op=">=",
            bound=Of("async-cpu", "throughput"),
            factor=0.25,
            why="the same work on a thread: a hop there and back costs next to nothing",
        ),
    ),
    explanation=(
        "CPU work on the loop holds back every other request of the worker: /ping, which needs "
        "about ten turns of the loop, waits for whole requests' work, seconds here. Cut into "
        f"chunks of K = {K_MS} ms with `await asyncio.sleep(0)` between them, a turn of the "
        "loop runs one chunk of each request in progress, so /ping waits about ten turns × "
        f"{USERS} users × K: set by chunk_ms, whatever cpu_ms is. On a pool thread the work "
        "leaves the loop free too, and /ping waits for the GIL instead. Neither makes the "
        "work faster: the loop's one thread, or the one GIL, computes one request at a time, "
        f"so the throughput stays about one core's worth, 1÷P = {1000 / P_MS:g} req/s."
    ),
)
