"""AsyncStoreAdapter: each method awaits the wrapped store's, and what may block runs off the event loop."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import Any

import pytest

from resilient_client._models import DeploymentKey, DeploymentMapping
from resilient_client._serialize import Rules
from resilient_client.stores import AsyncStore, AsyncStoreAdapter, Change, JSONFileStore, Store
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
    """The wrapped update (and every other method that may do I/O) runs in a worker thread; get runs on the loop."""
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
