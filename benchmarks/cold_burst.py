"""A cold burst: how many 400s a fleet of concurrent callers costs on a deployment it has never called.

32 threads (one ResilientAzureClient) and 64 asyncio tasks (one AsyncResilientAzureClient,
its event loop in a thread of its own) are released together against the emulator
(in its own process, every answer delayed ~50 ms) with a call written for gpt-4o
(``max_tokens``, ``temperature=0.2``, ``top_p``) to an o4-mini deployment, which
rejects all three. Single-flight learning should cost one 400 per offending
parameter for the whole burst; a second (warm) burst none. For contrast, the same
burst with plain ``openai.AzureOpenAI`` / ``AsyncAzureOpenAI``: every call fails.

Both clients point at one JSON cache file in a temporary directory (as two clients
on the default cache would).

    python -m benchmarks.cold_burst [--threads 32] [--tasks 64] [--latency 0.05] [--tiny] [--json PATH]
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import tempfile
import threading
import time
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any

import openai

from benchmarks._common import (
    API_VERSION,
    GPT4O_STYLE,
    MESSAGES,
    Emulator,
    emulator,
    finish,
    median,
    parser,
    rejected_param,
)
from resilient_client import AsyncResilientAzureClient, ResilientAzureClient
from resilient_client.testing import PROFILES

DEPLOYMENT = "o4-mini"
PARAMS: dict[str, Any] = {"model": DEPLOYMENT, "messages": MESSAGES, **GPT4O_STYLE}
Outcome = tuple[str, float]  # ("ok" or the exception's type name, seconds)


def offending(deployment: str, body: dict[str, Any]) -> list[str]:
    """The parameters of ``body`` the deployment's profile rejects, in the order it rejects them."""
    profile = PROFILES[deployment]
    body = dict(body)
    found: list[str] = []
    while (rejected := profile.check(body)) is not None:
        param = rejected_param(rejected[1])
        if param is None or param not in body:
            break
        found.append(param)
        del body[param]
    return found


def rejected_by_param(azure: Emulator, deployment: str) -> dict[str, int]:
    """The 400s the emulator answered on ``deployment``, by the parameter each rejected."""
    profile = PROFILES[deployment]
    counts: collections.Counter[str] = collections.Counter()
    for body in azure.bodies(deployment):
        if body.pop("_status") == 400:
            rejected = profile.check(body)
            counts[str(rejected_param(rejected[1])) if rejected else "?"] += 1
    return dict(counts)


@contextlib.contextmanager
def loop_thread() -> Iterator[asyncio.AbstractEventLoop]:
    """An event loop running in a thread of its own for the block."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="burst-loop", daemon=True)
    thread.start()
    try:
        yield loop
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()


def burst(
    loop: asyncio.AbstractEventLoop,
    sync_call: Callable[[], object],
    async_call: Callable[[], Coroutine[Any, Any, object]],
    threads: int,
    tasks: int,
) -> dict[str, Any]:
    """Release ``threads`` threads running ``sync_call`` and ``tasks`` tasks on ``loop`` awaiting ``async_call``."""
    outcomes: list[Outcome] = []
    lock = threading.Lock()

    def record(outcome: Outcome) -> None:
        with lock:
            outcomes.append(outcome)

    def timed_sync() -> None:
        start.wait()
        t0 = time.perf_counter()
        try:
            sync_call()
            record(("ok", time.perf_counter() - t0))
        except Exception as exc:  # noqa: BLE001 - every failure is counted, by type
            record((type(exc).__name__, time.perf_counter() - t0))

    async def timed_async(go: asyncio.Event) -> None:
        await go.wait()
        t0 = time.perf_counter()
        try:
            await async_call()
            record(("ok", time.perf_counter() - t0))
        except Exception as exc:  # noqa: BLE001 - every failure is counted, by type
            record((type(exc).__name__, time.perf_counter() - t0))

    async def all_tasks(go: asyncio.Event, ready: threading.Event) -> None:
        pending = [asyncio.create_task(timed_async(go)) for _ in range(tasks)]
        await asyncio.sleep(0)  # every task is now parked on go.wait()
        ready.set()
        await asyncio.gather(*pending)

    start = threading.Barrier(threads + 1, timeout=60)
    workers = [threading.Thread(target=timed_sync, name=f"burst-{i}", daemon=True) for i in range(threads)]
    for worker in workers:
        worker.start()
    go = asyncio.Event()
    ready = threading.Event()
    done = asyncio.run_coroutine_threadsafe(all_tasks(go, ready), loop)
    if not ready.wait(60):
        raise RuntimeError("the asyncio tasks never got ready")
    t0 = time.perf_counter()
    loop.call_soon_threadsafe(go.set)
    start.wait()  # releases the threads
    for worker in workers:
        worker.join(120)
    done.result(120)
    wall = time.perf_counter() - t0
    kinds = collections.Counter(kind for kind, _ in outcomes)
    latencies = [seconds * 1000 for _, seconds in outcomes]
    return {
        "calls": len(outcomes),
        "ok": kinds.pop("ok", 0),
        "failed": sum(kinds.values()),
        "errors": dict(kinds),
        "wall_ms": wall * 1000,
        "median_call_ms": median(latencies) if latencies else 0.0,
        "max_call_ms": max(latencies, default=0.0),
    }


def _phase(
    azure: Emulator,
    *,
    loop: asyncio.AbstractEventLoop,
    sync_client: openai.AzureOpenAI,
    async_client: openai.AsyncAzureOpenAI,
    threads: int,
    tasks: int,
) -> dict[str, Any]:
    azure.reset()
    figures = burst(
        loop,
        lambda: sync_client.chat.completions.create(**PARAMS),
        lambda: async_client.chat.completions.create(**PARAMS),
        threads,
        tasks,
    )
    figures["requests"] = azure.count(DEPLOYMENT)
    figures["status_400"] = azure.count(DEPLOYMENT, status=400)
    figures["status_400_by_param"] = rejected_by_param(azure, DEPLOYMENT)
    return figures


def measure(azure: Emulator, threads: int, tasks: int) -> dict[str, Any]:
    """The cold burst, a warm burst, then the plain-client contrast, each counted by the emulator."""
    options: dict[str, Any] = {"azure_endpoint": azure.endpoint, "api_key": "k", "api_version": API_VERSION}
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp, loop_thread() as loop:
        cache = Path(tmp) / "rules.json"
        clients: list[tuple[str, openai.AzureOpenAI, openai.AsyncAzureOpenAI]] = [
            (
                "resilient",
                ResilientAzureClient(**options, store=cache),
                AsyncResilientAzureClient(**options, store=cache),
            ),
            ("plain", openai.AzureOpenAI(**options), openai.AsyncAzureOpenAI(**options)),
        ]
        for name, sync_client, async_client in clients:
            phases = ("resilient_cold", "resilient_warm") if name == "resilient" else ("plain",)
            for phase in phases:
                results[phase] = _phase(
                    azure, loop=loop, sync_client=sync_client, async_client=async_client, threads=threads, tasks=tasks
                )
            sync_client.close()
            asyncio.run_coroutine_threadsafe(async_client.close(), loop).result(30)
    return results


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Run the bursts, print them, and return the figures."""
    cli = parser(__doc__)
    cli.add_argument("--threads", type=int, default=None, help="sync callers (default 32; tiny 4)")
    cli.add_argument("--tasks", type=int, default=None, help="asyncio callers (default 64; tiny 8)")
    cli.add_argument("--latency", type=float, default=0.05, help="seconds the emulator waits before each answer")
    args = cli.parse_args(argv)
    threads = args.threads if args.threads is not None else (4 if args.tiny else 32)
    tasks = args.tasks if args.tasks is not None else (8 if args.tiny else 64)
    results: dict[str, Any] = {
        "deployment": DEPLOYMENT,
        "threads": threads,
        "tasks": tasks,
        "latency_ms": args.latency * 1000,
        "offending_params": offending(DEPLOYMENT, {k: v for k, v in PARAMS.items() if k != "messages"}),
    }
    with emulator(latency=args.latency) as azure:
        results.update(measure(azure, threads, tasks))
    print(
        f"cold burst: {threads} threads + {tasks} asyncio tasks, {DEPLOYMENT}, emulator latency "
        f"{args.latency * 1000:.0f} ms, offending params {results['offending_params']}"
    )
    for phase in ("resilient_cold", "resilient_warm", "plain"):
        r = results[phase]
        print(
            f"  {phase:15} ok {r['ok']:3}/{r['calls']:<3} 400s {r['status_400']:3} {r['status_400_by_param']} "
            f"requests {r['requests']:3} wall {r['wall_ms']:7.1f} ms, call median {r['median_call_ms']:6.1f} ms "
            f"max {r['max_call_ms']:6.1f} ms {r['errors'] or ''}"
        )
    return finish(results, args.json)


if __name__ == "__main__":
    main()
