"""The quiz: when does async help a Django app, and when does it not? (`lab quiz`)

Each question is data: its text, 3 or 4 choices, the right one's letter, the measurements
of an exercise that prove it (`Evidence(exercise, phase, quantity, rule)`, the rule's text as
that exercise writes it) and a one-paragraph explanation. `lab quiz` prints each answer with
those measurements, from a results file or a run; a unit test checks that every exercise,
phase, quantity and rule cited here exists in the catalogue. Edit freely: cite only
exercises that exist.
"""

from exercises.spec import Evidence, Question

QUESTIONS: tuple[Question, ...] = (
    Question(
        text=(
            "Two gunicorn sync workers serve a view that waits 200 ms on an upstream API. Ten "
            "users send their requests back to back. About how many requests a second are "
            "answered?"
        ),
        choices=(
            "About 50: each of the ten users gets an answer every 200 ms",
            "About 10: each worker finishes one request per 200 ms, and the others queue",
            "About 100: a worker moves on to another request while it waits",
            "About 2: the ten users' waits add up",
        ),
        answer="b",
        evidence=(
            Evidence("seed-table", "sync-io", "throughput", "throughput ≤ 1.2 × W÷D"),
            Evidence("seed-table", "sync-io", "p50", "p50 ≥ 2 × D"),
        ),
        explanation=(
            "Little's law: throughput ≤ concurrency ÷ latency. A sync worker holds its request "
            "for the whole wait, so the concurrency is the number of workers, W = 2, and the "
            "throughput at most W÷D = 10 req/s. The other users queue: a request waits about "
            "C÷W × D = 1 s, five times the upstream's delay, though the upstream is as fast "
            "as ever."
        ),
    ),
    Question(
        text=(
            "The same ten users and the same 200 ms upstream, now on an async view with an "
            "async HTTP client under uvicorn (2 workers). What changes?"
        ),
        choices=(
            "Nothing: two workers still serve two requests at a time",
            "A little: about 20 % more throughput, the same latency",
            "The waits overlap on the event loop: about 50 req/s (C÷D), each in about 200 ms",
            "More throughput, but each request takes longer: the loop switches between them",
        ),
        answer="c",
        evidence=(
            Evidence("seed-table", "async-io", "throughput", "throughput ≥ 0.5 × C÷D"),
            Evidence("seed-table", "async-io", "p50", "p50 ≤ 1.5 × D"),
        ),
        explanation=(
            "An awaited upstream call gives the loop back, so one process holds every user's "
            "request waiting at once: the concurrency is C = 10, not W, and Little's law "
            "allows C÷D = 50 req/s. Nothing queues, so each request takes about the "
            "upstream's delay. This is the case async is made for: time spent waiting on "
            "I/O, with many requests waiting at once."
        ),
    ),
    Question(
        text=(
            "An async view spends 400 ms of CPU, no I/O, on one uvicorn worker. Two users "
            "call it back to back while a monitor asks for /ping, a trivial view, four "
            "times a second. What does /ping wait, at its p99?"
        ),
        choices=(
            "A few milliseconds: the event loop slips /ping in between the CPU requests",
            "Nothing: /ping is a sync view, so it runs on a thread and never needs the loop",
            "It fails: uvicorn times /ping out after 400 ms",
            "Hundreds of milliseconds or more: nothing else runs on the loop meanwhile",
        ),
        answer="d",
        evidence=(
            Evidence("seed-table", "async-cpu", "probe_p99", "bystander /ping p99 ≥ 0.5 × P"),
        ),
        explanation=(
            "The event loop switches tasks only at an await, and CPU work has none: for "
            "400 ms the process serves nothing else, neither the other CPU request nor /ping. "
            "A sync view under ASGI does run on a thread, but the loop must still receive its "
            "request and hand its answer back, so it waits for the loop twice. async def "
            "buys nothing for CPU work and costs every neighbour in the process."
        ),
    ),
    Question(
        text=(
            "The same 400 ms of CPU work as a sync view on gunicorn gthread (1 worker, "
            "4 threads), with the same /ping beside it. How does /ping fare now?"
        ),
        choices=(
            "Well: the GIL is handed over every 5 ms, so /ping waits milliseconds",
            "As badly: the GIL runs one thread at a time, so /ping waits for the CPU request",
            "Perfectly: the 4 threads run Python in parallel on separate cores",
            "Worse than on the loop: four threads fight over the GIL",
        ),
        answer="a",
        evidence=(
            Evidence("seed-table", "sync-cpu", "probe_p99", "bystander /ping p99 ≤ ¼ × row 3's"),
            Evidence("seed-table", "sync-cpu", "p50", "CPU request p50 ≤ 3 × P"),
            Evidence("seed-table", "async-cpu", "probe_p99", "bystander /ping p99 ≥ 0.5 × P"),
        ),
        explanation=(
            "The GIL lets one thread run Python at a time, but a thread that wants it gets it "
            "within the switch interval, 5 ms. So the CPU request still takes about its "
            "400 ms while /ping gets its turn in milliseconds. Threads do not make CPU work "
            "faster; they keep it from starving its neighbours, which the event loop, with no "
            "preemption, cannot. CPU work in parallel needs processes: more workers."
        ),
    ),
    Question(
        text=(
            "An async def view calls a 200 ms upstream with a blocking HTTP client (httpx's "
            "sync Client, or requests). One uvicorn worker, ten users. About what throughput?"
        ),
        choices=(
            "About 50 req/s: the view is async, so the waits overlap",
            "About 5 req/s: the loop waits inside each call, one request per 200 ms",
            "About 10 req/s: Django moves the blocking call to a thread of its pool",
            "None: the blocking call raises SynchronousOnlyOperation",
        ),
        answer="b",
        evidence=(
            Evidence("blocking-in-async", "async-blocking", "throughput", "throughput ≤ 1.5 × 1÷D"),
            Evidence(
                "blocking-in-async", "async-blocking", "probe_p99", "bystander /ping p99 ≥ 0.5 × D"
            ),
            Evidence("blocking-in-async", "async", "throughput", "throughput ≥ 0.5 × C÷D"),
        ),
        explanation=(
            "async def does not make a call asynchronous: only an await that yields gives the "
            "loop back. A blocking client holds the loop for the whole delay, so the worker "
            "answers 1÷D = 5 req/s however many users wait, and every other request of the "
            "process, /ping included, queues behind it. That is worse than a sync view, which "
            "would hold only a worker or a thread of its own. Use an async client, or wrap "
            "the blocking call in sync_to_async."
        ),
    ),
    Question(
        text=(
            "An async view awaits five blocking calls of 200 ms together (asyncio.gather), "
            "each wrapped in sync_to_async with its default thread_sensitive=True, as the "
            "async ORM's queries are. How long does a request take?"
        ),
        choices=(
            "About 200 ms: gather runs the five calls side by side",
            "About 400 ms: the thread pool runs them a few at a time",
            "About 1 s: all five go to the request's one sync thread, one after another",
            "It never answers: five calls on one thread deadlock",
        ),
        answer="c",
        evidence=(
            Evidence("sync-to-async", "thread-sensitive", "p50", "p50 ≥ 0.8 × n × D"),
            Evidence("sync-to-async", "thread-pool", "p50", "p50 ≤ 2 × D"),
        ),
        explanation=(
            "sync_to_async hops to a thread and back for each call. With thread_sensitive=True "
            "every call of a request goes to the same thread, so that a database connection, "
            "which belongs to its thread, is never shared; calls awaited together still queue "
            "there, n × D. The async ORM (aget, acount, async for) works this way, so "
            "gathering queries in one request does not run them in parallel. With "
            "thread_sensitive=False each call gets a pool thread and they overlap: safe only "
            "for code with no thread-bound state."
        ),
    ),
    Question(
        text=(
            "A view makes ten 200 ms upstream calls in parallel: a sync view with a "
            "ThreadPoolExecutor on gunicorn gthread, or an async view with asyncio.gather on "
            "uvicorn. Both answer in about 200 ms. What does the thread pool cost that "
            "gather does not?"
        ),
        choices=(
            "Nothing measurable: a thread waiting on I/O is free",
            "Time: the threads take turns at the GIL, so the calls take about 10 × 200 ms",
            "Nothing: gthread lends its 4 threads to the calls",
            "OS threads: ten more for each request in flight, started and joined every time",
        ),
        answer="d",
        evidence=(
            Evidence("fanout", "threads", "threads", "threads ≥ n"),
            Evidence("fanout", "threads", "p50", "p50 ≤ 2.5 × D"),
            Evidence("fanout", "tasks", "p50", "p50 ≤ 2.5 × D"),
            Evidence("fanout", "tasks", "threads"),
        ),
        explanation=(
            "Both overlap the ten waits, so both answer in about one delay. The price shows "
            "in the worker's thread count, read from its own /metrics: two requests in flight "
            "run twenty extra threads beside the worker's own four, each with a stack of its "
            "own and a claim on the GIL, started and joined for every request. The async "
            "view adds ten tasks, a few kilobytes each, to a loop that already runs. With "
            "more calls or more users it is the threads, memory and GIL handovers, that give "
            "out first."
        ),
    ),
    Question(
        text=(
            "An async view with 20 users on a 200 ms upstream: does it matter whether its "
            "client is aiohttp or httpx's AsyncClient?"
        ),
        choices=(
            "Yes: httpx blocks the loop, so the view serves about 5 req/s",
            "Yes: aiohttp serves about twice as many requests",
            "Hardly: both reach most of C÷D = 100 req/s; the gap is a few percent, either way",
        ),
        answer="c",
        evidence=(
            Evidence("http-client", "aiohttp", "throughput", "throughput ≥ 0.4 × C÷D"),
            Evidence("http-client", "httpx", "throughput", "throughput ≥ 0.4 × C÷D"),
        ),
        explanation=(
            "What makes an async view fast on I/O is that its client awaits the socket, and "
            "both do. What could separate them is the CPU each spends per request, which "
            "matters only when the CPU, not the waiting, is the limit: here, on one worker, "
            "the gap was a few percent and changed side from run to run. Choose a client for "
            "its timeouts, pooling and API; measure before choosing one for speed."
        ),
    ),
    Question(
        text=(
            "The upstream hangs: every call waits until the server's 1 s timeout gives up "
            "with a 504. Four users call a view that uses it, on two workers. What does "
            "/ping, which calls no upstream, wait on gunicorn sync workers, and on uvicorn?"
        ),
        choices=(
            "About a timeout on the sync workers, milliseconds on uvicorn",
            "Milliseconds on both: /ping needs no upstream",
            "About a timeout on both: the hung calls fill either server",
            "Nothing: /ping fails with a 504 on both",
        ),
        answer="a",
        evidence=(
            Evidence("faults", "sync-hang", "probe_p99", "bystander /ping p99 ≥ 0.5 × T"),
            Evidence("faults", "async-hang", "probe_p99", "bystander /ping p99 ≤ ¼ × row 1's"),
        ),
        explanation=(
            "A hung call holds whatever it waits on. A sync worker is held for the whole "
            "timeout, so four hung calls take both workers and /ping queues behind them for "
            "up to a timeout, though it needs nothing from the upstream. On the loop a hung "
            "call is a task waiting on a socket, and /ping is served between them in "
            "milliseconds. The timeout is what bounds the damage on the sync side: with none, "
            "or a long one, each hung call takes a worker for that long."
        ),
    ),
    Question(
        text=(
            "The upstream's delay has a long tail (lognormal, its own p99 ÷ p50 is 5). At "
            "12 req/s on two workers, about 76 % of the sync workers' capacity, which "
            "server stretches the tail, its p99 ÷ p50, well beyond the upstream's own?"
        ),
        choices=(
            "The sync workers, by far: a slow call holds a worker and the next requests queue",
            "Neither, measurably: both stay near the upstream's own, and which is higher "
            "changes from run to run",
            "The event loop: its many requests in flight slow one another down",
        ),
        answer="b",
        evidence=(
            Evidence("tail-latency", "sync-tail", "p99/p50", "p99 ÷ p50 ≤ 2 × the upstream's own"),
            Evidence("tail-latency", "async-tail", "p99/p50", "p99 ÷ p50 ≤ 2 × the upstream's own"),
        ),
        explanation=(
            "Tail amplification is a queueing effect. The load here arrives evenly spaced, so "
            "two sync workers queue only when slow calls hold both at once, and that queueing "
            "raises the p50 about as much as the p99. Measured, the sync ratio was 0.6 to "
            "1.3 times the async one from run to run: below saturation the difference is "
            "noise. Raise the rate toward the workers' capacity, W ÷ the mean delay "
            "(15.7 req/s), to watch the sync tail grow."
        ),
    ),
    Question(
        text=(
            "An async view on uvicorn runs `await Item.objects.filter(...).acount()` over a "
            "query that takes 200 ms. Twenty users wait on it at once. What does each waiting "
            "request hold?"
        ),
        choices=(
            "Nothing but a coroutine: the async ORM talks to the database without threads",
            "A thread blocked in the database call and a database connection, like a sync view",
            "A share of one thread: the async ORM runs every query on the loop's thread",
        ),
        answer="b",
        evidence=(
            Evidence(
                "async-orm",
                "async-orm-c20",
                "blocked_threads_per_in_flight",
                "blocked threads per request in flight ≥ 0.5",
            ),
            Evidence("async-orm", "async-orm-c20", "db_connections", "connections open ≥ 0.5 × C"),
            Evidence(
                "async-orm",
                "sync-orm-c20",
                "blocked_threads_per_in_flight",
                "blocked threads per request in flight ≥ 0.5",
            ),
            Evidence(
                "async-orm",
                "async-io-c20",
                "blocked_threads_per_in_flight",
                "blocked threads per request in flight ≤ 0.2",
            ),
        ),
        explanation=(
            "Django's async ORM is an async interface over the sync database drivers: acount() "
            "runs the query through sync_to_async on the request's sync thread, which blocks "
            "in the driver for the whole query, holding a connection. So an async view frees "
            "no thread and no connection while it waits on the database: its capacity is "
            "bounded by threads and the connection pool, as a sync view's is. Only waits that "
            "are truly async (an aiohttp call) leave the thread idle."
        ),
    ),
    Question(
        text=(
            "An async view must do 800 ms of pure-Python CPU work. It does it in 1 ms chunks "
            "with `await asyncio.sleep(0)` between them. What does that change for a "
            "bystander /ping on the same worker?"
        ),
        choices=(
            "Nothing: the work still takes the GIL for 800 ms",
            "The bystander waits for a few chunks, not for the whole 800 ms",
            "The work finishes several times faster",
            "The bystander is served on another core meanwhile",
        ),
        answer="b",
        evidence=(
            Evidence("cpu-chunks", "async-cpu", "probe_p99", "bystander /ping p99 ≥ 0.5 × P"),
            Evidence("cpu-chunks", "chunked", "probe_p99", "bystander /ping p99 ≤ P"),
            Evidence("cpu-chunks", "chunked", "throughput", "throughput ≤ 4 × row 1's"),
        ),
        explanation=(
            "An event loop switches only where a coroutine awaits. Unchunked, the work holds "
            "the loop for the whole 800 ms and /ping waits behind every request in progress. "
            "Yielding between chunks lets the loop serve /ping after a few chunks. The work "
            "itself is not faster: one GIL, one core's worth of Python at a time; for real CPU "
            "work, a process pool or a task queue is the answer."
        ),
    ),
    Question(
        text=(
            "An async Django stack (uvicorn, async views) gets Django's usual middleware "
            "(sessions, auth, messages, CSRF, ... as startproject writes them). What happens "
            "to each request's CPU cost?"
        ),
        choices=(
            "Nothing: middleware is a few function calls",
            "It grows markedly: most of those middlewares are sync-only, so each hook hops to "
            "a thread and back",
            "It shrinks: the middlewares cache per-request work",
        ),
        answer="b",
        evidence=(
            Evidence(
                "sync-middleware",
                "async-chain",
                "cpu_ms_per_request",
                "CPU per request ≤ 0.8 × row 3's",
            ),
            Evidence(
                "sync-middleware",
                "django-stack",
                "cpu_ms_per_request",
                "CPU per request ≥ 1.2 × row 2's",
            ),
        ),
        explanation=(
            "Under ASGI Django adapts every middleware that is not async-capable with "
            "sync_to_async or async_to_sync: a thread hop per hook. The lab's own chain is "
            "async-capable and costs little; startproject's stack adds about a dozen hops per "
            "request, measured here as CPU per request. Check what a middleware declares "
            "(async_capable) before putting it in an async stack."
        ),
    ),
    Question(
        text=(
            "Twenty clients hold a server-sent-events stream open. On gunicorn gthread with 1 "
            "worker and 4 threads, how many streams are served at once?"
        ),
        choices=(
            "All twenty: streaming is I/O, and threads wait on I/O cheaply",
            "Four: each stream holds a worker thread for its whole life, the rest queue",
            "One: a stream blocks the whole worker",
        ),
        answer="b",
        evidence=(
            Evidence("streaming", "gthread", "in_flight", "streams in flight ≤ W×T"),
            Evidence("streaming", "async", "in_flight", "streams in flight ≥ 0.75 × N"),
        ),
        explanation=(
            "A WSGI response body is written by the thread that serves the request, so a "
            "long-lived response holds its thread until the last event: W × T streams at "
            "most, and every other request, /ping included, queues behind them. An async "
            "stream holds a task on the loop, so one worker holds them all."
        ),
    ),
)
