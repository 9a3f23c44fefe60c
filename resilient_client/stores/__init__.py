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
import re
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Final, Literal, Protocol, runtime_checkable
from urllib.parse import urlsplit

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
    "StoreSpec",
    "StoreStatus",
    "cache_location",
    "default_cache_path",
    "parse_store_spec",
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

    # Optional, found with getattr (see update_all): ``update_many(changes)`` applies several keys'
    # changes in one write, as JSONFileStore does; ``status()`` reports health (StoreStatus).


def update_all(store: Store, changes: Sequence[tuple[DeploymentKey, Change]]) -> None:
    """Apply every ``(key, change)``: in one write where the store has ``update_many``, else key by key."""
    if not changes:
        return
    many: Callable[[Sequence[tuple[DeploymentKey, Change]]], None] | None = getattr(store, "update_many", None)
    if many is not None:
        many(changes)
        return
    for key, change in changes:
        store.update(key, change)


async def aupdate_all(store: AsyncStore, changes: Sequence[tuple[DeploymentKey, Change]]) -> None:
    """The async :func:`update_all`: one write (in a worker thread) through an adapter, else key by key."""
    if isinstance(store, AsyncStoreAdapter):
        await asyncio.to_thread(update_all, store.store, changes)
        return
    for key, change in changes:
        await store.update(key, change)


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
    """The cache file or URL ``store`` names: itself, else ``$RESILIENT_CLIENT_CACHE``, else the default file.

    The text as given, unchecked: :func:`parse_store_spec` checks it.
    """
    return os.fspath(store) if store is not None else os.environ.get(CACHE_ENV) or str(default_cache_path())


@dataclass(frozen=True)
class StoreSpec:
    """What a store spec (``store=``, ``$RESILIENT_CLIENT_CACHE``, ``--cache``) names; see :func:`parse_store_spec`.

    Attributes:
        kind: ``"file"``, ``"redis"`` (``redis://``, ``rediss://``, ``unix://``) or ``"redis-cluster"``
            (``redis+cluster://``, ``rediss+cluster://``).
        location: The absolute path of the file, or the URL with its scheme in lower case
            (password included: to connect with; show :attr:`shown`).
    """

    kind: Literal["file", "redis", "redis-cluster"]
    location: str

    @property
    def shown(self) -> str:
        """:attr:`location` as it may be printed or logged: a URL's password replaced by ``***``."""
        if self.kind == "file":
            return self.location
        from .redis import redact  # noqa: PLC0415 - imports no redis-py; the package imports that module lazily

        return redact(self.location)


@dataclass(frozen=True)
class StoreStatus:
    """A store's health as ``resilient-client doctor`` shows it: what a store's ``status()`` returns.

    ``status()`` never raises: a store it cannot reach is ``ok=False`` with a problem saying so.

    Attributes:
        ok: The store works as configured and nothing was found that needs fixing (``problems`` is empty).
        kind: ``"memory"``, ``"file"``, ``"redis"`` or ``"redis-cluster"``.
        location: The file path or URL; a URL's password is shown as ``***``.
        problems: One line each, what needs fixing (unreachable, unwritable, entries that fail validation…).
        details: Facts worth showing, each a one-line string: for Redis ``server``, ``mode``,
            ``persistence``, ``keys``, ``entries`` and, while 0.1's keys exist, ``0.1 keys``.
    """

    ok: bool
    kind: str
    location: str
    problems: Sequence[str] = ()
    details: Mapping[str, str] = field(default_factory=dict)


_URL_SCHEMES: Final = {
    "redis": "redis",
    "rediss": "redis",
    "unix": "redis",
    "redis+cluster": "redis-cluster",
    "rediss+cluster": "redis-cluster",
}
_SCHEME: Final = re.compile(r"([A-Za-z][A-Za-z0-9+.-]+):")
_KNOWN: Final = "redis://, rediss://, unix://, redis+cluster:// or rediss+cluster://"


def parse_store_spec(spec: str | os.PathLike[str]) -> StoreSpec:
    """Check a store spec and say what it names: a Redis URL or a JSON cache file.

    URLs: ``redis://``, ``rediss://`` (TLS), ``unix://``, ``redis+cluster://host:port[,host:port…]``
    and ``rediss+cluster://`` (TLS); the scheme in any case. A file path (a string) must contain
    a path separator or end in ``.json`` and must not name a directory; an ``os.PathLike`` is a
    path whatever its name. ``~`` is expanded.

    Raises:
        ValueError: One line naming the spec (a URL's password shown as ``***``) and what is
            wrong: an unknown or misspelled scheme (``redis:/x``, ``Redis:host``, ``redis//x``),
            a bad port, a bare word (``memory``), a directory (``/dir/``).
    """
    from .redis import redact  # noqa: PLC0415 - imports no redis-py; the package imports that module lazily

    text = os.fspath(spec)
    shown = redact(text)
    if not text.strip():
        raise ValueError("empty store spec: give a redis:// URL or a path to a .json file")
    if text != text.strip():
        raise ValueError(f"store spec {shown!r} has leading or trailing whitespace")
    return _url_spec(text, shown) or _file_spec(text, shown, is_path=isinstance(spec, os.PathLike))


def _url_spec(text: str, shown: str) -> StoreSpec | None:
    """The spec of a URL with a known scheme; None for a path; a ValueError for a misspelled URL."""
    scheme = _SCHEME.match(text)
    if scheme is not None:
        name = scheme[1].lower()
        rest = text[scheme.end() :]
        if name in _URL_SCHEMES:
            if not rest.startswith("//"):
                raise ValueError(f"store spec {shown!r}: a {name} URL starts with '{name}://'")
            url = name + ":" + rest
            _check_url(url, shown)
            return StoreSpec("redis-cluster" if _URL_SCHEMES[name] == "redis-cluster" else "redis", url)
        if rest.startswith("//"):
            raise ValueError(f"store spec {shown!r}: unknown URL scheme {scheme[1]!r}; use {_KNOWN}, or a file path")
    lower = text.lower()
    for name in _URL_SCHEMES:
        if lower.startswith(f"{name}//"):
            raise ValueError(f"store spec {shown!r}: a {name} URL starts with '{name}://'")
    return None


def _file_spec(text: str, shown: str, *, is_path: bool) -> StoreSpec:
    """The spec of a cache file path; a ValueError for a bare word or a directory."""
    separators = tuple(sep for sep in (os.sep, os.altsep) if sep)
    if text.endswith(separators):
        raise ValueError(f"store spec {shown!r} names a directory: name the cache file in it (…/rules.json)")
    if not (is_path or any(sep in text for sep in separators) or text.lower().endswith(".json")):
        raise ValueError(
            f"store spec {shown!r} is neither a URL ({_KNOWN}) nor a file path (a path contains "
            f"{os.sep!r} or ends in .json); a MemoryStore() is passed as an object"
        )
    path = Path(text).expanduser().absolute()
    if path.is_dir():
        raise ValueError(f"store spec {shown!r} is a directory: name the cache file in it ({path / 'rules.json'})")
    return StoreSpec("file", str(path))


def _check_url(url: str, shown: str) -> None:
    """Raise a one-line ValueError if ``url`` (a known scheme, lower case) cannot name a Redis."""
    from .redis import split_cluster_url  # noqa: PLC0415 - imports no redis-py

    if url.startswith(("redis+cluster:", "rediss+cluster:")):
        try:
            split_cluster_url(url)
        except ValueError as exc:
            raise ValueError(f"store spec {exc}") from None
        return
    split = urlsplit(url)
    try:
        split.port  # noqa: B018 - parsing the port is the check
    except ValueError:
        raise ValueError(f"store spec {shown!r}: the port is not a number from 0 to 65535") from None
    if split.scheme == "unix":
        if not split.path:
            raise ValueError(f"store spec {shown!r}: a unix:// URL needs the socket's path (unix:///run/redis.sock)")
    elif split.path not in ("", "/") and not split.path[1:].isdigit():
        raise ValueError(f"store spec {shown!r}: the path must be a database number (/0), not {split.path!r}")


def resolve_store(store: Store | str | os.PathLike[str] | None) -> Store:
    """Turn the ``store=`` argument (or ``$RESILIENT_CLIENT_CACHE``) into a store.

    Args:
        store: A store object (used as is); a path to a JSON cache file; a ``redis://`` /
            ``rediss://`` / ``unix://`` / ``redis+cluster://`` / ``rediss+cluster://`` URL; or
            ``None`` for ``$RESILIENT_CLIENT_CACHE`` (a path or a URL), else the default file.
            Clients in one process that name the same file or URL share one store.

    Returns:
        The store.

    Raises:
        ValueError: The spec is not a valid URL or file path (see :func:`parse_store_spec`).
    """
    if store is not None and not isinstance(store, str | os.PathLike):
        return store
    spec = parse_store_spec(store if store is not None else os.environ.get(CACHE_ENV) or default_cache_path())
    with _shared_lock:
        found = _shared.get(spec.location)
        if found is None:
            if spec.kind == "file":
                found = JSONFileStore(spec.location)
            else:
                from .redis import RedisStore  # noqa: PLC0415 - optional dependency

                found = RedisStore.from_url(spec.location)
            _shared[spec.location] = found
        return found
