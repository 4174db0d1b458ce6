"""Open-model load client: sends GET requests at a fixed arrival rate, whatever the answers.

The first DELAY_S of arrivals is a warm-up (it opens the connections) and is not measured;
the client prints "steady" when it ends, so the caller can snapshot the server then.
Then it prints one JSON object: client-side overshoot (latency minus the delay asked)
percentiles, failures, how late the client itself sent (its own saturation) and its CPU use.
Usage: python -m benchmarks.upstream.client URL RATE DURATION_S DELAY_S
"""

from __future__ import annotations

import asyncio
import json
import sys
from time import perf_counter

import aiohttp
import psutil
import uvloop


def percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return float("nan")
    return sorted_values[min(len(sorted_values) - 1, int(q * len(sorted_values)))]


async def run(url: str, rate: float, duration: float, delay: float) -> dict[str, object]:
    warmup = int(rate * delay)
    count = warmup + int(rate * duration)
    overshoots: list[float] = []
    lags: list[float] = []
    failures: dict[str, int] = {}
    connector = aiohttp.TCPConnector(limit=0, force_close=False)
    timeout = aiohttp.ClientTimeout(total=delay + 30)

    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:

        async def one(intended: float, measured: bool) -> None:
            start = perf_counter()
            if measured:
                lags.append(start - intended)
            try:
                async with session.get(url) as r:
                    await r.read()
                    if r.status != 200:
                        failures[str(r.status)] = failures.get(str(r.status), 0) + 1
                        return
            except (aiohttp.ClientError, TimeoutError) as e:
                failures[type(e).__name__] = failures.get(type(e).__name__, 0) + 1
                return
            if measured:
                overshoots.append(perf_counter() - start - delay)

        t0 = perf_counter() + 0.05
        tasks = []
        me = psutil.Process()
        cpu0 = 0.0
        for i in range(count):
            if i == warmup:
                print("steady", flush=True)
                cpu0 = _cpu(me)
            intended = t0 + i / rate
            pause = intended - perf_counter()
            if pause > 0:
                await asyncio.sleep(pause)
            tasks.append(asyncio.create_task(one(intended, i >= warmup)))
        # While sending, the client must not be the bottleneck.
        cpu_share = (_cpu(me) - cpu0) / duration
        await asyncio.gather(*tasks)

    overshoots.sort()
    lags.sort()
    return {
        "sent": count - warmup,
        "cpu_share": cpu_share,
        "ok": len(overshoots),
        "failures": failures,
        "p50_ms": percentile(overshoots, 0.50) * 1000,
        "p99_ms": percentile(overshoots, 0.99) * 1000,
        "send_lag_p99_ms": percentile(lags, 0.99) * 1000,
    }


def _cpu(p: psutil.Process) -> float:
    t = p.cpu_times()
    return t.user + t.system


def main() -> None:
    url, rate, duration, delay = sys.argv[1], *map(float, sys.argv[2:5])
    print(json.dumps(uvloop.run(run(url, rate, duration, delay))))


if __name__ == "__main__":
    main()
