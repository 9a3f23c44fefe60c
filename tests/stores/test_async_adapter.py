"""AsyncStoreAdapter: each method awaits the wrapped store's, and what may block runs off the event loop."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from benchmarks.async_stall import KEY as BENCH_KEY
from benchmarks.async_stall import hanging_redis, hanging_store, loop_stalls
from resilient_client._models import DeploymentKey, DeploymentMapping
from resilient_client._serialize import Rules
from resilient_client.stores import AsyncStore, AsyncStoreAdapter, Change, JSONFileStore, Store
from resilient_client.stores._local import LocalCopy
from tests.stores.helpers import KEY, OTHER_KEY, learn, params

MAPPING = DeploymentMapping(model="o4-mini-2025-04-16")


class RecordingStore:
    """A Store that records each call (name, arguments, thread) and answers with fixed values."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple[Any, ...], int]] = []

    def _record(self, name: str, *args: Any) -> None:
        self.calls.append((name, args, threading.get_ident()))

    def get(self, key: DeploymentKey) -> DeploymentMapping | None:
        self._record("get", key)
        return MAPPING

    def update(self, key: DeploymentKey, change: Change) -> DeploymentMapping:
        self._record("update", key, change)
        return change(MAPPING)

    def refresh(self) -> None:
        self._record("refresh")

    def lease(self, name: str, ttl: float) -> bool:
        self._record("lease", name, ttl)
        return True

    def release(self, name: str) -> None:
        self._record("release", name)

    def clear(self, key: DeploymentKey | None = None) -> None:
        self._record("clear", key)

    def items(self) -> Rules:
        self._record("items")
        return {KEY: MAPPING}

    def close(self) -> None:
        self._record("close")


def test_the_adapter_is_an_async_store() -> None:
    """An adapter over any Store satisfies the AsyncStore protocol, and the recording fake is a Store."""
    store = RecordingStore()
    assert isinstance(store, Store)
    assert isinstance(AsyncStoreAdapter(store), AsyncStore)


@pytest.mark.asyncio
async def test_every_method_reaches_the_wrapped_store_with_its_arguments_and_result() -> None:
    """Each adapter method calls the wrapped store's method once, with its arguments, and returns its result."""
    store = RecordingStore()
    adapter = AsyncStoreAdapter(store)
    change = learn("top_p")
    assert await adapter.get(KEY) is MAPPING
    assert params(await adapter.update(KEY, change)) == {"top_p"}
    await adapter.refresh()
    assert await adapter.lease("k", 2.5) is True
    await adapter.release("k")
    await adapter.clear(OTHER_KEY)
    await adapter.clear()
    assert await adapter.items() == {KEY: MAPPING}
    await adapter.close()
    assert [(name, args) for name, args, _ in store.calls] == [
        ("get", (KEY,)),
        ("update", (KEY, change)),
        ("refresh", ()),
        ("lease", ("k", 2.5)),
        ("release", ("k",)),
        ("clear", (OTHER_KEY,)),
        ("clear", (None,)),
        ("items", ()),
        ("close", ()),
    ]


@pytest.mark.asyncio
async def test_everything_but_get_runs_off_the_event_loop_thread() -> None:
    """Over a store that is not a LocalCopy, get runs on the loop (served from memory); the rest in a worker thread."""
    store = RecordingStore()
    adapter = AsyncStoreAdapter(store)
    loop_thread = threading.get_ident()
    await adapter.get(KEY)
    await adapter.update(KEY, learn("top_p"))
    await adapter.refresh()
    await adapter.lease("k", 1.0)
    await adapter.release("k")
    await adapter.clear()
    await adapter.items()
    await adapter.close()
    threads = {name: thread for name, _, thread in store.calls}
    assert threads.pop("get") == loop_thread
    assert threads["update"] != loop_thread
    assert {name for name, thread in threads.items() if thread == loop_thread} == set()


class BlockingStore(RecordingStore):
    """A store whose update blocks until another coroutine lets it go."""

    def __init__(self) -> None:
        super().__init__()
        self.entered = threading.Event()
        self.go = threading.Event()

    def update(self, key: DeploymentKey, change: Change) -> DeploymentMapping:
        self.entered.set()
        assert self.go.wait(timeout=10), "update was never let go: the event loop was blocked"
        return super().update(key, change)


@pytest.mark.asyncio
async def test_a_slow_update_does_not_block_the_event_loop() -> None:
    """While the wrapped update blocks, other coroutines keep running (here: the one that unblocks it)."""
    store = BlockingStore()
    adapter = AsyncStoreAdapter(store)
    pending = asyncio.create_task(adapter.update(KEY, learn("top_p")))
    assert await asyncio.to_thread(store.entered.wait, 10)
    assert not pending.done()
    store.go.set()
    assert params(await asyncio.wait_for(pending, timeout=10)) == {"top_p"}


@pytest.mark.asyncio
async def test_errors_of_the_wrapped_store_reach_the_caller() -> None:
    """An exception raised by the wrapped store's update is raised by the adapter's, unchanged."""
    boom = OSError("disk on fire")

    class Failing(RecordingStore):
        def update(self, key: DeploymentKey, change: Change) -> DeploymentMapping:  # noqa: ARG002 - Store's signature
            raise boom

    with pytest.raises(OSError, match="disk on fire") as caught:
        await AsyncStoreAdapter(Failing()).update(KEY, learn("top_p"))
    assert caught.value is boom


@pytest.mark.asyncio
async def test_the_adapter_over_a_file_store_shares_rules_with_a_sync_store(tmp_path: Path) -> None:
    """Rules learned through an adapter over a JSONFileStore are in the file for a sync store, and the other way."""
    path = tmp_path / "rules.json"
    adapter = AsyncStoreAdapter(JSONFileStore(path))
    sync = JSONFileStore(path)
    await adapter.update(KEY, learn("top_p"))
    assert params(sync.get(KEY)) == {"top_p"}
    sync.update(KEY, learn("logprobs"))
    await adapter.refresh()
    assert params(await adapter.get(KEY)) == {"top_p", "logprobs"}
    assert set(await adapter.items()) == {KEY}
    assert await adapter.lease("k", 30.0) is True
    assert await adapter.lease("k", 30.0) is False
    await adapter.release("k")
    await adapter.clear()
    sync.refresh()
    assert sync.items() == {}


NEW_MAPPING = DeploymentMapping(model="gpt-5-2025-08-07")


class GatedCopy(LocalCopy, RecordingStore):
    """A LocalCopy whose refresh waits for ``go``, then adopts ``next_rules``; it counts as checked only then."""

    def __init__(self, check_interval: float) -> None:
        LocalCopy.__init__(self, check_interval)
        RecordingStore.__init__(self)
        self.entered = threading.Event()
        self.go = threading.Event()
        self.next_rules: Rules = {}

    def refresh(self) -> None:
        self._record("refresh")
        self.entered.set()
        if not self.go.wait(timeout=5):
            self.go.set()  # fail once, not once per call
            raise AssertionError("refresh was never let go: the event loop was blocked")
        self._rules = self.next_rules
        self._checked_at = time.monotonic()


@pytest.mark.asyncio
async def test_a_due_refresh_runs_in_one_worker_thread_while_other_gets_read_the_local_copy() -> None:
    """A due refresh runs in one worker thread; gets meanwhile, through any adapter, start no other, read the copy."""
    store = GatedCopy(check_interval=60.0)
    store._rules = {KEY: MAPPING}
    store.next_rules = {KEY: NEW_MAPPING}
    adapter, other_client = AsyncStoreAdapter(store), AsyncStoreAdapter(store)
    first = asyncio.create_task(adapter.get(KEY))
    assert await asyncio.to_thread(store.entered.wait, 5)
    during = await asyncio.gather(*(a.get(KEY) for a in (adapter, other_client) for _ in range(10)))
    assert during == [MAPPING] * 20
    assert not first.done()
    store.go.set()
    assert await asyncio.wait_for(first, timeout=5) == NEW_MAPPING
    refreshes = [thread for name, _, thread in store.calls if name == "refresh"]
    assert len(refreshes) == 1
    assert refreshes[0] != threading.get_ident()


@pytest.mark.asyncio
async def test_a_warm_get_returns_without_leaving_the_loop() -> None:
    """When no refresh is due, get reads the local copy at once: the coroutine finishes without suspending."""
    store = GatedCopy(check_interval=60.0)
    store.go.set()
    store.next_rules = {KEY: MAPPING}
    adapter = AsyncStoreAdapter(store)
    assert await adapter.get(KEY) == MAPPING  # the first get refreshes
    warm = adapter.get(KEY)
    with pytest.raises(StopIteration) as done:
        warm.send(None)
    assert done.value.value == MAPPING
    assert [name for name, _, _ in store.calls] == ["refresh"]


# The loop must keep serving other tasks while the store hangs: a stall is how late a
# 5 ms tick woke up. The bound is loose so that a busy machine passes; a get that
# refreshes on the loop stalls it for a whole socket timeout (1 s).
MAX_STALL = 0.2


async def worst_stall(adapter: AsyncStoreAdapter, seconds: float) -> float:
    """The worst stall while tasks call every adapter method for ``seconds`` (writers learn to drop top_p)."""
    found = await loop_stalls(adapter, seconds, learn("top_p"))
    assert found.gets > 0
    assert found.writer_rounds > 0
    return max(found.stalls)


@pytest.fixture
def hanging_url(redis_py: None) -> Iterator[str]:
    """The ``redis://`` URL of a server that accepts connections and never answers."""
    with hanging_redis() as url:
        yield url


@pytest.mark.asyncio
async def test_the_event_loop_is_never_stalled_while_redis_hangs(hanging_url: str) -> None:
    """Every Redis round trip times out after 1 s; meanwhile the loop is never held up by more than 200 ms."""
    adapter = AsyncStoreAdapter(hanging_store(hanging_url))
    try:
        stall = await worst_stall(adapter, seconds=2.5)
        # The store kept working from its local copy meanwhile.
        assert params(await adapter.get(BENCH_KEY)) == {"top_p"}
    finally:
        await adapter.close()
    assert stall <= MAX_STALL, f"the event loop stalled for {stall * 1000:.0f} ms"


class StalledDiskStore(JSONFileStore):
    """A JSONFileStore whose refresh waits half a second first, as on a stalled network file system."""

    def refresh(self) -> None:
        time.sleep(0.5)
        super().refresh()


@pytest.mark.asyncio
async def test_the_event_loop_is_never_stalled_by_a_slow_cache_file(tmp_path: Path) -> None:
    """With every refresh of the file taking 0.5 s, the loop is never held up by more than 200 ms."""
    adapter = AsyncStoreAdapter(StalledDiskStore(tmp_path / "rules.json", check_interval=0.05))
    stall = await worst_stall(adapter, seconds=2.0)
    assert params(await adapter.get(BENCH_KEY)) == {"top_p"}
    assert stall <= MAX_STALL, f"the event loop stalled for {stall * 1000:.0f} ms"
