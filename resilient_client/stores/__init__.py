"""Where learned rules live: the :class:`Store` protocol, its async twin, and the backends.

A store is anything with the methods of :class:`Store`; plug in your own without
inheriting from anything. Backends shipped here:

- :class:`MemoryStore`: this process only.
- :class:`JSONFileStore`: a JSON file shared by every process that points at it
  (the default, in the user cache directory).
- :class:`RedisStore`: one Redis for a fleet of hosts (``pip install resilient-client[redis]``).

Async clients take a :class:`Store` or an :class:`AsyncStore`; a :class:`Store` is
wrapped in :class:`AsyncStoreAdapter`, which runs its I/O in a worker thread (a due
refresh of the local copy included), so no backend is written twice and the event
loop never waits for a file or a network.
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Final, Protocol, runtime_checkable

from .._models import DeploymentKey, DeploymentMapping
from .._serialize import Rules
from ._local import LocalCopy
from .json_file import JSONFileStore

if TYPE_CHECKING:
    from .redis import RedisStore

__all__ = [
    "CACHE_ENV",
    "AsyncStore",
    "AsyncStoreAdapter",
    "Change",
    "JSONFileStore",
    "MemoryStore",
    "RedisStore",
    "Store",
    "cache_location",
    "default_cache_path",
    "resolve_store",
]

CACHE_ENV: Final = "RESILIENT_CLIENT_CACHE"
EMPTY: Final = DeploymentMapping()

Change = Callable[[DeploymentMapping], DeploymentMapping]
"""A pure function from a key's current mapping to its new one (see ``_core.merge``)."""


@runtime_checkable
class Store(Protocol):
    """A shared map from deployment keys to what was learned about them."""

    def get(self, key: DeploymentKey) -> DeploymentMapping | None:
        """The mapping known for ``key``; called on every request, so served from memory."""

    def update(self, key: DeploymentKey, change: Change) -> DeploymentMapping:
        """Apply ``change`` to ``key``'s latest shared mapping atomically; return the result.

        Read-modify-write takes a function, not a value, so two processes learning
        different fixes at once keep both.
        """

    def refresh(self) -> None:
        """Pick up other processes' changes now (cheap when there are none)."""

    def lease(self, name: str, ttl: float) -> bool:
        """Try to take the lease ``name`` for ``ttl`` seconds; ``True`` means this caller leads."""

    def release(self, name: str) -> None:
        """Give back a lease this process holds."""

    def clear(self, key: DeploymentKey | None = None) -> None:
        """Forget ``key``, or every key."""

    def items(self) -> Rules:
        """Every key's mapping, fresh."""

    def close(self) -> None:
        """Release connections and files."""


@runtime_checkable
class AsyncStore(Protocol):
    """The async twin of :class:`Store`: the same methods, awaitable."""

    async def get(self, key: DeploymentKey) -> DeploymentMapping | None:
        """See :meth:`Store.get`."""

    async def update(self, key: DeploymentKey, change: Change) -> DeploymentMapping:
        """See :meth:`Store.update`."""

    async def refresh(self) -> None:
        """See :meth:`Store.refresh`."""

    async def lease(self, name: str, ttl: float) -> bool:
        """See :meth:`Store.lease`."""

    async def release(self, name: str) -> None:
        """See :meth:`Store.release`."""

    async def clear(self, key: DeploymentKey | None = None) -> None:
        """See :meth:`Store.clear`."""

    async def items(self) -> Rules:
        """See :meth:`Store.items`."""

    async def close(self) -> None:
        """See :meth:`Store.close`."""


_refreshing: set[LocalCopy] = set()
"""Shared stores whose refresh an adapter runs in a worker thread right now."""
_refreshing_lock = threading.Lock()


def _claim_refresh(store: LocalCopy) -> bool:
    """Whether the caller may start ``store``'s refresh: none is running in a worker thread yet."""
    with _refreshing_lock:
        if store in _refreshing:
            return False
        _refreshing.add(store)
        return True


def _run_claimed_refresh(store: LocalCopy) -> None:
    """Refresh ``store`` (in a worker thread), then let the next due ``get`` claim a refresh again."""
    try:
        store.refresh()
    finally:
        with _refreshing_lock:
            _refreshing.discard(store)


class AsyncStoreAdapter:
    """An :class:`AsyncStore` over any :class:`Store`.

    Everything that may touch a file or the network runs in a worker thread, off the
    event loop. ``get`` on a shared store (:class:`JSONFileStore`, :class:`RedisStore`)
    reads its local copy on the loop; when a refresh of that copy is due, the ``get``
    that finds it due awaits it in a worker thread, and the ``get`` calls made
    meanwhile (through any adapter over the same store) read the copy as it is,
    starting no other. ``get`` on any other store is called directly, since the
    protocol has stores serve it from memory.

    Args:
        store: The store to wrap.
    """

    def __init__(self, store: Store) -> None:
        self.store = store

    def __repr__(self) -> str:
        return f"AsyncStoreAdapter({self.store!r})"

    async def get(self, key: DeploymentKey) -> DeploymentMapping | None:
        """See :meth:`Store.get`; never waits for I/O on the loop (see the class)."""
        store = self.store
        if not isinstance(store, LocalCopy):
            return store.get(key)
        if store.due() and _claim_refresh(store):
            await asyncio.to_thread(_run_claimed_refresh, store)
        return store.peek(key)

    async def update(self, key: DeploymentKey, change: Change) -> DeploymentMapping:
        """See :meth:`Store.update`."""
        return await asyncio.to_thread(self.store.update, key, change)

    async def refresh(self) -> None:
        """See :meth:`Store.refresh`."""
        await asyncio.to_thread(self.store.refresh)

    async def lease(self, name: str, ttl: float) -> bool:
        """See :meth:`Store.lease`."""
        return await asyncio.to_thread(self.store.lease, name, ttl)

    async def release(self, name: str) -> None:
        """See :meth:`Store.release`."""
        await asyncio.to_thread(self.store.release, name)

    async def clear(self, key: DeploymentKey | None = None) -> None:
        """See :meth:`Store.clear`."""
        await asyncio.to_thread(self.store.clear, key)

    async def items(self) -> Rules:
        """See :meth:`Store.items`."""
        return await asyncio.to_thread(self.store.items)

    async def close(self) -> None:
        """See :meth:`Store.close`."""
        await asyncio.to_thread(self.store.close)


class MemoryStore:
    """Mappings kept in this process only; thread-safe."""

    def __init__(self) -> None:
        self._rules: Rules = {}
        self._leases: dict[str, float] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return "MemoryStore()"

    def get(self, key: DeploymentKey) -> DeploymentMapping | None:
        """The mapping known for ``key``."""
        return self._rules.get(key)

    def update(self, key: DeploymentKey, change: Change) -> DeploymentMapping:
        """Apply ``change`` to ``key``'s mapping."""
        with self._lock:
            mapping = change(self._rules.get(key) or EMPTY)
            self._rules = {**self._rules, key: mapping}
            return mapping

    def refresh(self) -> None:
        """Nothing to refresh: this process is the only writer."""

    def lease(self, name: str, ttl: float) -> bool:
        """Take ``name`` unless someone in this process holds it unexpired."""
        now = time.monotonic()
        with self._lock:
            if self._leases.get(name, 0.0) > now:
                return False
            self._leases[name] = now + ttl
            return True

    def release(self, name: str) -> None:
        """Give ``name`` back."""
        with self._lock:
            self._leases.pop(name, None)

    def clear(self, key: DeploymentKey | None = None) -> None:
        """Forget ``key``'s mapping, or all."""
        with self._lock:
            self._rules = {} if key is None else {k: v for k, v in self._rules.items() if k != key}

    def items(self) -> Rules:
        """A snapshot of every key's mapping."""
        return dict(self._rules)

    def close(self) -> None:
        """Nothing to release."""


def default_cache_path() -> Path:
    """``rules.json`` in the platform's user cache directory."""
    import platformdirs  # noqa: PLC0415 - needed only when no cache is named

    return platformdirs.user_cache_path("resilient-client", appauthor=False) / "rules.json"


_shared: dict[str, Store] = {}
_shared_lock = threading.Lock()


def __getattr__(name: str) -> object:
    # RedisStore imports redis-py: only when asked for.
    if name == "RedisStore":
        from .redis import RedisStore  # noqa: PLC0415 - optional dependency

        return RedisStore
    raise AttributeError(name)


def cache_location(store: str | os.PathLike[str] | None = None) -> str:
    """The cache file or URL ``store`` names: itself, else ``$RESILIENT_CLIENT_CACHE``, else the default file."""
    return os.fspath(store) if store is not None else os.environ.get(CACHE_ENV) or str(default_cache_path())


def resolve_store(store: Store | str | os.PathLike[str] | None) -> Store:
    """Turn the ``store=`` argument (or ``$RESILIENT_CLIENT_CACHE``) into a store.

    Args:
        store: A store object (used as is); a path to a JSON cache file; a
            ``redis://`` / ``rediss://`` / ``unix://`` URL; or ``None`` for
            ``$RESILIENT_CLIENT_CACHE`` (a path or a URL), else the default file.
            Clients in one process that name the same file or URL share one store.

    Returns:
        The store.
    """
    if store is not None and not isinstance(store, str | os.PathLike):
        return store
    target = cache_location(store)
    is_url = target.startswith(("redis://", "rediss://", "unix://"))
    name = target if is_url else str(Path(target).expanduser().absolute())
    with _shared_lock:
        found = _shared.get(name)
        if found is None:
            if is_url:
                from .redis import RedisStore  # noqa: PLC0415 - optional dependency

                found = RedisStore.from_url(target)
            else:
                found = JSONFileStore(name)
            _shared[name] = found
        return found
