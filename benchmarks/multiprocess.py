"""Processes cold-starting together on one shared store: how many 400s the whole fleet costs.

8 processes (spawned, each with its own ResilientAzureClient, all released together by a
barrier) make the same gpt-4o-style call (``max_tokens``, ``temperature=0.2``, ``top_p``)
to an o4-mini deployment of the emulator (in its own process, every answer delayed
~50 ms): once all pointing at one JSONFileStore file, once at one Redis (a redis-server
started on a free loopback port, or ``$RESILIENT_TEST_REDIS_URL``). Single-flight
learning across processes (a lease beside the file, or ``SET NX PX`` in Redis) should
cost one 400 per offending parameter in total, whatever the number of processes.

    python -m benchmarks.multiprocess [--processes 8] [--latency 0.05] [--tiny] [--json PATH]
"""

from __future__ import annotations

import collections
import contextlib
import multiprocessing
import queue
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from benchmarks._common import API_VERSION, Emulator, emulator, finish, median, parser, redis_url
from benchmarks.cold_burst import DEPLOYMENT, PARAMS, offending, rejected_by_param

StoreSpec = tuple[str, str, str]  # (kind, path or URL, Redis key prefix)


def _open_store(spec: StoreSpec) -> Any:
    kind, where, prefix = spec
    if kind == "redis":
        from resilient_client.stores.redis import RedisStore

        return RedisStore.from_url(where, prefix=prefix)
    from resilient_client import JSONFileStore

    return JSONFileStore(Path(where))


def _worker(endpoint: str, specs: list[StoreSpec], start: Any, out: Any) -> None:
    """One process of the fleet: for each store, build a client, wait for the others, make one call, report."""
    from resilient_client import ResilientAzureClient

    for spec in specs:
        client = ResilientAzureClient(
            azure_endpoint=endpoint, api_key="k", api_version=API_VERSION, timeout=60.0, store=_open_store(spec)
        )
        _ = client.chat.completions.with_raw_response  # the SDK's lazy imports happen before the start
        start.wait(180)
        t0 = time.perf_counter()
        try:
            client.chat.completions.create(**PARAMS)
            out.put(("ok", time.perf_counter() - t0))
        except Exception as exc:  # noqa: BLE001 - every failure is reported, by type
            out.put((type(exc).__name__, time.perf_counter() - t0))
        finally:
            client.close()


def fleets(azure: Emulator, specs: list[StoreSpec], processes: int) -> list[dict[str, Any]]:
    """Start ``processes`` workers; for each store, release them together and count what the emulator saw.

    The same processes serve every store (each round with a new client on a new, empty
    store), so the fleet's start-up is paid once.
    """
    ctx = multiprocessing.get_context("spawn")
    start = ctx.Barrier(processes + 1)
    out = ctx.Queue()
    workers = [ctx.Process(target=_worker, args=(azure.endpoint, specs, start, out)) for _ in range(processes)]
    for worker in workers:
        worker.start()
    rounds: list[dict[str, Any]] = []
    try:
        for _ in specs:
            azure.reset()
            start.wait(180)  # every worker has built its client: release them all
            t0 = time.perf_counter()
            outcomes: list[tuple[str, float]] = []
            with contextlib.suppress(queue.Empty):  # a worker that died reports nothing: counted as failed
                outcomes.extend(out.get(timeout=120) for _ in range(processes))
            wall = time.perf_counter() - t0
            rounds.append(_figures(azure, processes, outcomes, wall))
    finally:
        for worker in workers:
            worker.join(30)
            if worker.is_alive():
                worker.kill()
                worker.join()
    return rounds


def _figures(azure: Emulator, processes: int, outcomes: list[tuple[str, float]], wall: float) -> dict[str, Any]:
    kinds = collections.Counter(kind for kind, _ in outcomes)
    latencies = [seconds * 1000 for _, seconds in outcomes]
    return {
        "processes": processes,
        "ok": kinds.pop("ok", 0),
        "failed": processes - len(outcomes) + sum(kinds.values()),
        "errors": dict(kinds),
        "requests": azure.count(DEPLOYMENT),
        "status_400": azure.count(DEPLOYMENT, status=400),
        "status_400_by_param": rejected_by_param(azure, DEPLOYMENT),
        "wall_ms": wall * 1000,
        "median_call_ms": median(latencies) if latencies else 0.0,
        "max_call_ms": max(latencies, default=0.0),
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Run both fleets, print them, and return the figures."""
    cli = parser(__doc__)
    cli.add_argument("--processes", type=int, default=None, help="processes in the fleet (default 8; tiny 2)")
    cli.add_argument("--latency", type=float, default=0.05, help="seconds the emulator waits before each answer")
    args = cli.parse_args(argv)
    processes = args.processes if args.processes is not None else (2 if args.tiny else 8)
    results: dict[str, Any] = {
        "deployment": DEPLOYMENT,
        "processes": processes,
        "latency_ms": args.latency * 1000,
        "offending_params": offending(DEPLOYMENT, {k: v for k, v in PARAMS.items() if k != "messages"}),
    }
    with emulator(latency=args.latency) as azure, tempfile.TemporaryDirectory() as tmp, redis_url() as url:
        specs: list[StoreSpec] = [
            ("file", str(Path(tmp) / "rules.json"), ""),
            ("redis", url, f"bench-{uuid.uuid4().hex[:12]}:"),
        ]
        try:
            results["json_file"], results["redis"] = fleets(azure, specs, processes)
        finally:
            store = _open_store(specs[1])
            store.clear()
            store.close()
    print(
        f"multi-process cold start: {processes} processes, {DEPLOYMENT}, emulator latency "
        f"{args.latency * 1000:.0f} ms, offending params {results['offending_params']}"
    )
    for name in ("json_file", "redis"):
        r = results[name]
        print(
            f"  {name:10} ok {r['ok']}/{processes} 400s {r['status_400']} {r['status_400_by_param']} "
            f"requests {r['requests']} wall {r['wall_ms']:7.1f} ms, call median {r['median_call_ms']:6.1f} ms "
            f"max {r['max_call_ms']:6.1f} ms {r['errors'] or ''}"
        )
    return finish(results, args.json)


if __name__ == "__main__":
    main()
