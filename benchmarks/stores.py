"""Warm-call cost with each store, and Redis round trips per warm call.

For MemoryStore, JSONFileStore and RedisStore (a redis-server this script starts on
loopback, or $RESILIENT_TEST_REDIS_URL): microseconds per ``store.get`` on a warm
key, and a whole warm client call on an in-memory transport, as a ratio against
plain AzureOpenAI in the same run. Also counts the Redis commands 1000 warm calls
send.

    python -m benchmarks.stores [--calls 3000] [--tiny] [--json PATH]
"""

from __future__ import annotations

import functools
import os
import statistics
import tempfile
import time
import timeit
from pathlib import Path
from typing import Any

import openai

from benchmarks._common import MESSAGES, finish, in_memory, parser, redis_url
from resilient_client import JSONFileStore, MemoryStore, ResilientAzureClient, Store
from resilient_client._attempts import evidence_of
from resilient_client._core import merge
from resilient_client._models import LearnedRule
from resilient_client._reading import read
from resilient_client.stores.redis import RedisStore


def _learn(client: ResilientAzureClient, store: Store) -> None:
    """Teach the store the rename for the client's key, as a 400 would."""
    message = (
        "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead."
    )
    body = {"model": "o4-mini", "messages": MESSAGES, "max_tokens": 50}
    prepared = client._rc.prepare(client, _options(body))  # noqa: SLF001 - the key the client computes
    assert prepared is not None
    reading = read(400, {"error": {"message": message}}, body)
    [fix] = reading.fixes
    store.update(prepared[0], functools.partial(merge, rule=LearnedRule(fix, evidence_of(reading, time.time()))))


def _options(body: dict[str, Any]) -> Any:
    from openai._models import FinalRequestOptions

    return FinalRequestOptions.construct(method="post", url="/chat/completions", json_data=body)


def measure(name: str, store: Store, calls: int, gets: int = 20000) -> dict[str, float]:
    plain = openai.AzureOpenAI(**in_memory())
    client = ResilientAzureClient(**in_memory(), store=store)
    _learn(client, store)
    client.chat.completions.create(model="o4-mini", messages=MESSAGES, max_tokens=50)  # accepted: now warm
    prepared = client._rc.prepare(client, _options({"model": "o4-mini"}))  # noqa: SLF001
    assert prepared is not None
    key = prepared[0]
    get_us = min(timeit.repeat(lambda: store.get(key), number=gets, repeat=5)) / gets * 1e6
    times: dict[str, list[float]] = {"plain": [], "resilient": []}
    for _ in range(calls):
        t0 = time.perf_counter()
        plain.chat.completions.create(model="o4-mini", messages=MESSAGES, max_completion_tokens=50)
        t1 = time.perf_counter()
        client.chat.completions.create(model="o4-mini", messages=MESSAGES, max_tokens=50)
        t2 = time.perf_counter()
        times["plain"].append(t1 - t0)
        times["resilient"].append(t2 - t1)
    plain_median = statistics.median(times["plain"]) * 1e6
    resilient_median = statistics.median(times["resilient"]) * 1e6
    print(
        f"{name:12} get {get_us:6.2f} us | warm call median {resilient_median:7.1f} us vs plain "
        f"{plain_median:7.1f} us -> ratio {resilient_median / plain_median:.3f}"
    )
    client.close()
    plain.close()
    return {
        "get_us": get_us,
        "plain_median_us": plain_median,
        "resilient_median_us": resilient_median,
        "ratio": resilient_median / plain_median,
    }


def redis_commands(url: str, calls: int = 1000) -> int:
    """Redis commands sent by ``calls`` warm calls within one check interval."""
    import redis

    store = RedisStore.from_url(url, prefix=f"bench-{os.getpid()}:", check_interval=60.0)
    client = ResilientAzureClient(**in_memory(), store=store)
    _learn(client, store)
    client.chat.completions.create(model="o4-mini", messages=MESSAGES, max_tokens=50)
    admin = redis.Redis.from_url(url)
    before = int(admin.info("stats")["total_commands_processed"])
    for _ in range(calls):
        client.chat.completions.create(model="o4-mini", messages=MESSAGES, max_tokens=50)
    after = int(admin.info("stats")["total_commands_processed"])
    store.clear()
    store.close()
    client.close()
    admin.close()
    return after - before - 1  # the INFO call itself


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Measure each store, print, and return the figures."""
    cli = parser(__doc__)
    cli.add_argument("--calls", type=int, default=None, help="measured calls per client (default 3000; tiny 30)")
    args = cli.parse_args(argv)
    calls = args.calls if args.calls is not None else (30 if args.tiny else 3000)
    warm_calls = 100 if args.tiny else 1000
    gets = 2000 if args.tiny else 20000
    results: dict[str, Any] = {"calls": calls}
    with tempfile.TemporaryDirectory() as tmp, redis_url() as url:
        results["memory"] = measure("memory", MemoryStore(), calls, gets)
        results["json_file"] = measure("json file", JSONFileStore(Path(tmp) / "rules.json"), calls, gets)
        redis_store = RedisStore.from_url(url, prefix=f"bench-{os.getpid()}-w:")
        results["redis"] = measure("redis", redis_store, calls, gets)
        redis_store.clear()
        redis_store.close()
        results["redis_warm_calls"] = warm_calls
        results["redis_commands"] = redis_commands(url, warm_calls)
        print(f"redis commands for {warm_calls} warm calls: {results['redis_commands']}")
    return finish(results, args.json)


if __name__ == "__main__":
    main()
