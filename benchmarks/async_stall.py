"""How long an async client's event loop can be held up by its store while Redis hangs.

A loopback server accepts connections and never answers: every Redis round trip of a
``RedisStore.from_url`` store waits out its 1 s socket timeout. An ``AsyncStoreAdapter``
over it serves reader tasks (``get``, 1 ms apart) and writer tasks (``refresh``,
``update``, ``lease``/``release``) while a ticker task sleeps 5 ms at a time; a stall
is how late a tick wakes up. The store checks Redis every 50 ms and retries a lost
connection every 200 ms, so a refresh is due, and hangs, again and again. The headline
is the worst and the p99 stall (goal: at most 20 ms); the baseline, measured in the same
run, calls the store's ``get`` on the loop as a plain sync call would.

    python -m benchmarks.async_stall [--seconds 5] [--tiny] [--json PATH]
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

from benchmarks._common import finish, median, parser, percentile
from resilient_client._models import DeploymentKey, DeploymentMapping
from resilient_client.stores import AsyncStoreAdapter, Change
from resilient_client.stores.redis import RedisStore

GOAL_MS = 20.0
TICK = 0.005
READERS = 8
WRITERS = 2
KEY = DeploymentKey("contoso.openai.azure.com", "o4-mini", "2025-04-01-preview", "chat/completions")


@contextlib.contextmanager
def hanging_redis() -> Iterator[str]:
    """The ``redis://`` URL of a loopback server that accepts connections and never answers a byte."""
    listener = socket.create_server(("127.0.0.1", 0), backlog=64)
    listener.settimeout(0.05)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                held.append(listener.accept()[0])

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"redis://127.0.0.1:{listener.getsockname()[1]}/0"
    finally:
        stop.set()
        thread.join()
        for sock in [*held, listener]:
            sock.close()


def hanging_store(url: str) -> RedisStore:
    """A RedisStore on ``url`` that checks it every 50 ms and retries a lost connection every 200 ms."""
    return RedisStore.from_url(url, check_interval=0.05, reconnect_interval=0.2)


class OnLoopGet(AsyncStoreAdapter):
    """The baseline: ``get`` calls the store's ``get`` on the loop, refresh included."""

    async def get(self, key: DeploymentKey) -> DeploymentMapping | None:
        return self.store.get(key)


def _unchanged(mapping: DeploymentMapping) -> DeploymentMapping:
    return mapping


@dataclasses.dataclass
class Stalls:
    """What :func:`loop_stalls` saw."""

    stalls: list[float] = dataclasses.field(default_factory=list)
    """How late each tick woke, in seconds."""
    gets: int = 0
    writer_rounds: int = 0


async def loop_stalls(adapter: AsyncStoreAdapter, seconds: float, change: Change = _unchanged) -> Stalls:
    """How late each 5 ms tick of the loop woke while tasks use ``adapter`` for ``seconds``, and until they finish.

    Readers ``get`` 1 ms apart; writers ``refresh``, ``update`` with ``change``, then
    take and release a lease.
    """
    stop = asyncio.Event()
    finished = asyncio.Event()
    found = Stalls()

    async def ticker() -> None:
        while not finished.is_set():
            start = time.perf_counter()
            await asyncio.sleep(TICK)
            found.stalls.append(max(0.0, time.perf_counter() - start - TICK))

    async def reader() -> None:
        while not stop.is_set():
            await adapter.get(KEY)
            found.gets += 1
            await asyncio.sleep(0.001)

    async def writer() -> None:
        while not stop.is_set():
            await adapter.refresh()
            await adapter.update(KEY, change)
            if await adapter.lease("bench", 1.0):
                await adapter.release("bench")
            found.writer_rounds += 1

    ticking = asyncio.create_task(ticker())
    await asyncio.sleep(TICK)
    workers = [asyncio.create_task(reader()) for _ in range(READERS)]
    workers += [asyncio.create_task(writer()) for _ in range(WRITERS)]
    await asyncio.sleep(seconds)
    stop.set()
    await asyncio.gather(*workers)
    finished.set()
    await ticking
    return found


def measure(title: str, adapter_type: type[AsyncStoreAdapter], seconds: float) -> dict[str, Any]:
    """Run :func:`loop_stalls` with Redis hanging; print and return worst, p99 and median stall."""
    with hanging_redis() as url:
        adapter = adapter_type(hanging_store(url))
        found = asyncio.run(loop_stalls(adapter, seconds))
        adapter.store.close()
    stalls = found.stalls
    result = {
        "ticks": len(stalls),
        "gets": found.gets,
        "writer_rounds": found.writer_rounds,
        "worst_ms": max(stalls) * 1000,
        "p99_ms": percentile(stalls, 0.99) * 1000,
        "median_ms": median(stalls) * 1000,
    }
    print(
        f"{title}: worst stall {result['worst_ms']:.1f} ms, p99 {result['p99_ms']:.1f} ms, "
        f"median {result['median_ms']:.2f} ms ({result['ticks']} ticks, {result['gets']} gets, "
        f"{result['writer_rounds']} writer rounds)"
    )
    return result


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Measure the adapter and the on-loop baseline, print, and return the figures."""
    cli = parser(__doc__)
    cli.add_argument("--seconds", type=float, default=None, help="how long the tasks run (default 5; tiny 1)")
    args = cli.parse_args(argv)
    seconds = args.seconds if args.seconds is not None else (1.0 if args.tiny else 5.0)
    adapter = measure("AsyncStoreAdapter", AsyncStoreAdapter, seconds)
    on_loop = measure("baseline, get on the loop", OnLoopGet, seconds)
    met = adapter["worst_ms"] <= GOAL_MS
    print(f"goal: worst stall <= {GOAL_MS:.0f} ms: {'met' if met else 'missed'}")
    results = {
        "run_seconds": seconds,
        "tick_ms": TICK * 1000,
        "readers": READERS,
        "writers": WRITERS,
        "goal_ms": GOAL_MS,
        "met": met,
        "adapter": adapter,
        "on_loop": on_loop,
    }
    return finish(results, args.json)


if __name__ == "__main__":
    main()
