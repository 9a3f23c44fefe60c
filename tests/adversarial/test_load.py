"""Warm calls across many deployment keys (1,000 on 50 here; 10,000 on 200 in benchmarks/fleet_sizes.py).

Warm calls are served from memory: no per-call read of the cache file or of Redis,
no 400s, and memory does not grow beyond the rules themselves.
"""

from __future__ import annotations

import asyncio
import json
import os
import threading
import time
import tracemalloc
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx2
import pytest

from resilient_client import AsyncResilientAzureClient, JSONFileStore, ResilientAzureClient, Store
from resilient_client.stores.redis import RedisStore

# The test sizes; benchmarks/fleet_sizes.py runs these tests at the full 200 keys and 10,000 calls.
KEYS = int(os.environ.get("RESILIENT_TEST_LOAD_KEYS", "50"))
CALLS = int(os.environ.get("RESILIENT_TEST_LOAD_CALLS", "1000"))
MESSAGES: Any = [{"role": "user", "content": "hi"}]
OK = json.dumps(
    {
        "id": "c",
        "object": "chat.completion",
        "created": 1,
        "model": "o4-mini-2025-04-16",
        "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": "ok"}}],
    }
).encode()
REJECT = json.dumps(
    {
        "error": {
            "message": "Unsupported parameter: 'max_tokens' is not supported with this model. "
            "Use 'max_completion_tokens' instead.",
            "type": "invalid_request_error",
            "param": "max_tokens",
            "code": "unsupported_parameter",
        }
    }
).encode()


class Azure:
    """An in-memory Azure: every deployment rejects max_tokens; counts what it answers."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.statuses: dict[int, int] = {}

    def answer(self, request: httpx2.Request) -> httpx2.Response:
        status = 400 if b'"max_tokens"' in request.content else 200
        with self.lock:
            self.statuses[status] = self.statuses.get(status, 0) + 1
        return httpx2.Response(
            status, content=REJECT if status == 400 else OK, headers={"content-type": "application/json"}
        )


def clients(store: Store, azure: Azure) -> tuple[ResilientAzureClient, AsyncResilientAzureClient]:
    options: dict[str, Any] = {
        "azure_endpoint": "https://load.openai.azure.com",
        "api_key": "k",
        "api_version": "2025-04-01-preview",
        "store": store,
        "max_retries": 0,
    }
    sync = ResilientAzureClient(**options, http_client=httpx2.Client(transport=httpx2.MockTransport(azure.answer)))
    aclient = AsyncResilientAzureClient(
        **options, http_client=httpx2.AsyncClient(transport=httpx2.MockTransport(azure.answer))
    )
    return sync, aclient


def run_load(
    store: Store, azure: Azure, on_warm: Callable[[], None] = lambda: None, on_done: Callable[[], None] = lambda: None
) -> tuple[int, float]:
    """Learn every key once, then CALLS warm calls; returns (400s during the warm phase, KiB grown).

    ``on_warm`` runs as the warm phase starts, ``on_done`` as it ends, before the clients close (closing writes
    how many calls each rule rewrote: one write per key and client, not per call).
    """
    sync, aclient = clients(store, azure)
    deployments = [f"dep-{i:03d}" for i in range(KEYS)]
    seen_before = azure.statuses.get(400, 0)
    for name in deployments:
        sync.chat.completions.create(model=name, messages=MESSAGES, max_tokens=5)
    for name in deployments:  # the first call already records what was accepted
        sync.chat.completions.create(model=name, messages=MESSAGES, max_tokens=5)
    learned_400s = azure.statuses.get(400, 0)
    assert learned_400s - seen_before == KEYS

    def threaded(i: int) -> None:
        sync.chat.completions.create(model=deployments[i % KEYS], messages=MESSAGES, max_tokens=5)

    async def tasks() -> None:
        semaphore = asyncio.Semaphore(64)

        async def one(i: int) -> None:
            async with semaphore:
                await aclient.chat.completions.create(model=deployments[i % KEYS], messages=MESSAGES, max_tokens=5)

        await asyncio.gather(*(one(i) for i in range(CALLS // 2)))

    on_warm()
    tracemalloc.start()
    before = tracemalloc.take_snapshot()
    loop_thread = threading.Thread(target=lambda: asyncio.run(tasks()))
    loop_thread.start()
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(threaded, range(CALLS // 2)))
    loop_thread.join(timeout=300)
    after = tracemalloc.take_snapshot()
    tracemalloc.stop()
    grown = sum(stat.size_diff for stat in after.compare_to(before, "filename")) / 1024
    on_done()
    sync.close()
    asyncio.run(aclient.close())
    return azure.statuses.get(400, 0) - learned_400s, grown


def count_calls(obj: object, name: str, monkeypatch: pytest.MonkeyPatch) -> Callable[[], int]:
    calls = [0]
    original = getattr(obj, name)

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls[0] += 1
        return original(*args, **kwargs)

    monkeypatch.setattr(obj, name, counting)
    return lambda: calls[0]


@pytest.mark.slow
def test_warm_load_on_the_file_store_reads_nothing_per_call(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """CALLS warm calls on KEYS keys re-read the cache file zero times, see no 400, and hold memory flat."""
    store = JSONFileStore(tmp_path / "rules.json")
    azure = Azure()
    reads = count_calls(store, "_read", monkeypatch)
    writes = count_calls(store, "_replace", monkeypatch)
    sync, _ = clients(store, azure)
    sync.chat.completions.create(model="warm-up", messages=MESSAGES, max_tokens=5)
    started_reads = reads()
    warm_400s, grown_kib = run_load(store, azure)
    assert warm_400s == 0
    assert writes() >= KEYS  # learning wrote; the warm phase must not have
    # Two writes per key while learning, and one for all keys when each of the two clients closes and writes
    # how many calls each rule rewrote: reads are per write (merge), never per warm call.
    assert reads() - started_reads <= KEYS * 2 + 4, "reads are per write (merge), never per warm call"
    assert grown_kib < 1024, f"memory grew {grown_kib:.0f} KiB over {CALLS} warm calls"


@pytest.mark.slow
def test_warm_load_on_redis_sends_no_command_per_call() -> None:
    """CALLS warm calls on KEYS keys send Redis no command per call, only a version check per interval."""
    url = os.environ.get("RESILIENT_TEST_REDIS_URL")
    if not url:
        if os.environ.get("CI"):
            pytest.fail("CI must provide RESILIENT_TEST_REDIS_URL")
        pytest.skip("set RESILIENT_TEST_REDIS_URL to run against Redis")
    import redis

    # A tagged prefix: there are no 0.1 keys to read beside it, so a check is one GET.
    store = RedisStore.from_url(url, prefix=f"{{load-{time.time_ns()}}}:")
    admin = redis.Redis.from_url(url)
    azure = Azure()
    marks: list[tuple[int, float]] = []

    def mark() -> None:
        marks.append((int(admin.info("stats")["total_commands_processed"]), time.monotonic()))

    warm_400s, _ = run_load(store, azure, on_warm=mark, on_done=mark)
    (before, started), (after, ended) = marks
    commands = after - before - 1  # less the INFO that took the first mark
    assert warm_400s == 0
    # At most a version check (and, when it moved, one re-read) per second of run time.
    assert commands <= 2 * (ended - started) + 4, f"{commands} commands in {ended - started:.1f} s of warm calls"
