"""Warm-call cost with each store, and Redis round trips per warm call.

For MemoryStore, JSONFileStore and RedisStore (a redis-server this script starts on
loopback, or $RESILIENT_TEST_REDIS_URL): microseconds per ``store.get`` on a warm
key, and a whole warm client call on an in-memory transport, as a ratio against
plain AzureOpenAI in the same run. Also counts the Redis commands 1000 warm calls
send.

    python benchmarks/stores.py [--calls 3000]
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import os
import shutil
import socket
import statistics
import subprocess
import tempfile
import time
import timeit
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2
import openai

from resilient_client import JSONFileStore, MemoryStore, ResilientAzureClient, Store
from resilient_client._core import evidence_for, merge, parse_rejection, resolve
from resilient_client._models import LearnedRule
from resilient_client.stores.redis import RedisStore

API_VERSION = "2025-04-01-preview"
ENDPOINT = "https://contoso.openai.azure.com"
MESSAGES: Any = [{"role": "user", "content": "Say ok."}]
PAYLOAD = json.dumps(
    {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 1,
        "model": "o4-mini-2025-04-16",
        "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": "ok"}}],
    }
).encode()


def _http() -> httpx2.Client:
    def answer(request: httpx2.Request) -> httpx2.Response:
        del request
        return httpx2.Response(200, content=PAYLOAD, headers={"content-type": "application/json"})

    return httpx2.Client(transport=httpx2.MockTransport(answer))


@contextlib.contextmanager
def _redis_url() -> Iterator[str]:
    env = os.environ.get("RESILIENT_TEST_REDIS_URL")
    if env:
        yield env
        return
    binary = shutil.which("redis-server")
    if binary is None:
        raise SystemExit("redis-server not found: install it or set RESILIENT_TEST_REDIS_URL")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.1):
                break
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/15"
    finally:
        server.terminate()
        server.wait()


def _learn(client: ResilientAzureClient, store: Store) -> None:
    """Teach the store the rename for the client's key, as a 400 would."""
    rejection = parse_rejection(
        400, {"error": {"message": "Unsupported parameter: 'max_tokens' is not supported with this model. "
                                   "Use 'max_completion_tokens' instead."}}
    )  # fmt: skip
    body = {"model": "o4-mini", "messages": MESSAGES, "max_tokens": 50}
    prepared = client._rc.prepare(client, _options(body))  # noqa: SLF001 - the key the client computes
    assert prepared is not None
    assert rejection is not None
    fix = resolve(rejection, body)
    assert fix is not None
    store.update(prepared[0], functools.partial(merge, rule=LearnedRule(fix, evidence_for(rejection, time.time()))))


def _options(body: dict[str, Any]) -> Any:
    from openai._models import FinalRequestOptions

    return FinalRequestOptions.construct(method="post", url="/chat/completions", json_data=body)


def measure(name: str, store: Store, calls: int) -> dict[str, float]:
    plain = openai.AzureOpenAI(azure_endpoint=ENDPOINT, api_key="k", api_version=API_VERSION, http_client=_http())
    client = ResilientAzureClient(
        azure_endpoint=ENDPOINT, api_key="k", api_version=API_VERSION, http_client=_http(), store=store
    )
    _learn(client, store)
    client.chat.completions.create(model="o4-mini", messages=MESSAGES, max_tokens=50)  # accepted: now warm
    prepared = client._rc.prepare(client, _options({"model": "o4-mini"}))  # noqa: SLF001
    assert prepared is not None
    key = prepared[0]
    get_us = min(timeit.repeat(lambda: store.get(key), number=20000, repeat=5)) / 20000 * 1e6
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
    return {"get_us": get_us, "ratio": resilient_median / plain_median}


def redis_commands(url: str) -> int:
    """Redis commands sent by 1000 warm calls within one check interval."""
    import redis

    store = RedisStore.from_url(url, prefix=f"bench-{os.getpid()}:", check_interval=60.0)
    client = ResilientAzureClient(
        azure_endpoint=ENDPOINT, api_key="k", api_version=API_VERSION, http_client=_http(), store=store
    )
    _learn(client, store)
    client.chat.completions.create(model="o4-mini", messages=MESSAGES, max_tokens=50)
    admin = redis.Redis.from_url(url)
    before = int(admin.info("stats")["total_commands_processed"])
    for _ in range(1000):
        client.chat.completions.create(model="o4-mini", messages=MESSAGES, max_tokens=50)
    after = int(admin.info("stats")["total_commands_processed"])
    return after - before - 1  # the INFO call itself


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=3000)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp, _redis_url() as url:
        measure("memory", MemoryStore(), args.calls)
        measure("json file", JSONFileStore(Path(tmp) / "rules.json"), args.calls)
        measure("redis", RedisStore.from_url(url, prefix=f"bench-{os.getpid()}-w:"), args.calls)
        print(f"redis commands for 1000 warm calls: {redis_commands(url)}")


if __name__ == "__main__":
    main()
