"""Learned rules in Redis, for fleets of hosts (``pip install resilient-client[redis]``).

Layout (``prefix`` defaults to ``resilient_client:``):

- ``{prefix}rules``: one hash; field = the deployment key as a JSON array
  ``["host","deployment","api-version","operation"]``, value = that key's entry in
  the cache document's layout (``_serialize.entry_to_json``).
- ``{prefix}version``: a counter, incremented by every write. Readers only compare it
  with what they read last, so a foreign value in it costs a re-read, never a failure;
  a writer that finds one there starts the counter again.
- ``{prefix}lease:{name}``: single-flight leases, ``SET NX PX``; released with an
  atomic compare-and-delete, so an expired lease someone else took over is theirs.

Each process keeps a local copy. A warm call reads only the local copy; at most
once per ``check_interval`` the version counter is read (one round trip), and the
hash is re-read only when the counter moved. A write is a Lua script run atomically
by Redis: it returns the key's current entry and version only if the version the
writer read still holds, else the writer re-reads and retries; so concurrent
writers never lose each other's rules.

When Redis is unreachable, the store keeps working from its local copy (and keeps
what it learns there), logs ``store_error`` once, and tries to reconnect every
``reconnect_interval`` seconds; on reconnecting it writes what it learned meanwhile.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from typing import TYPE_CHECKING, Any, Final

from .. import _log
from .._errors import CacheFormatError
from .._models import DeploymentKey, DeploymentMapping
from .._serialize import Rules, bounded, decode_entry, entry_from_json, entry_to_json, key_id
from ._local import LocalCopy

if TYPE_CHECKING:
    import redis as redis_py

    from . import Change

__all__ = ["RedisStore"]

_EMPTY: Final = DeploymentMapping()
_MAX_PENDING: Final = 1024
_CAS_RETRIES: Final = 100

# KEYS: hash, version counter. ARGV: field, expected value ("" = absent), new value.
_CAS: Final = """
local current = redis.call('HGET', KEYS[1], ARGV[1])
if (current or '') ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
if type(redis.pcall('INCR', KEYS[2])) == 'table' then redis.call('SET', KEYS[2], '1') end
return 1
"""
# KEYS: hash, version counter. ARGV: the field to delete, or none for the whole hash.
_CLEAR: Final = """
if ARGV[1] then redis.call('HDEL', KEYS[1], ARGV[1]) else redis.call('DEL', KEYS[1]) end
if type(redis.pcall('INCR', KEYS[2])) == 'table' then redis.call('SET', KEYS[2], '1') end
return 1
"""
_RELEASE: Final = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class _Contention(Exception):  # noqa: N818 - internal signal, never escapes
    """Too many writers on one key at once: keep the change pending and write it later."""


def _redis() -> Any:
    try:
        import redis  # noqa: PLC0415 - optional dependency, imported when a RedisStore is built
    except ImportError as exc:  # pragma: no cover - exercised only without the extra
        msg = "RedisStore needs redis-py: pip install 'resilient-client[redis]'"
        raise ImportError(msg) from exc
    return redis


class RedisStore(LocalCopy):
    """Learned rules shared through Redis.

    Args:
        client: A ``redis.Redis`` client (``decode_responses`` may be either).
        prefix: Prefix of every Redis key this store uses.
        check_interval: Seconds between checks of the version counter.
        reconnect_interval: Seconds between reconnection attempts while Redis is down.
    """

    def __init__(
        self,
        client: redis_py.Redis,
        *,
        prefix: str = "resilient_client:",
        check_interval: float = 1.0,
        reconnect_interval: float = 5.0,
    ) -> None:
        self._redis_mod = _redis()
        self.client = client
        self.prefix = prefix
        super().__init__(check_interval)
        self.reconnect_interval = reconnect_interval
        self._hash = f"{prefix}rules"
        self._version_key = f"{prefix}version"
        self._version: bytes | None = None
        self._down_since: float | None = None
        self._pending: list[tuple[DeploymentKey, Change]] = []
        self._mutex = threading.RLock()
        self._token = f"{id(self):x}-{time.time_ns():x}"
        self._cas = client.register_script(_CAS)
        self._release = client.register_script(_RELEASE)
        self._clear = client.register_script(_CLEAR)

    @classmethod
    def from_url(cls, url: str, **options: Any) -> RedisStore:
        """A store for ``redis://host:port/db`` (short socket timeouts: a cache must not stall requests)."""
        redis = _redis()
        client = redis.Redis.from_url(url, socket_timeout=1.0, socket_connect_timeout=1.0)
        return cls(client, **options)

    def __repr__(self) -> str:
        return f"RedisStore(prefix={self.prefix!r})"

    def refresh(self) -> None:
        """Re-read the hash now if the version counter moved."""
        with self._mutex:
            self._checked_at = time.monotonic()
            if not self._available():
                return
            try:
                raw = self.client.get(self._version_key)
                version = raw.encode() if isinstance(raw, str) else bytes(raw or b"")
                if version != self._version:
                    self._load(self.client.hgetall(self._hash), version)
            except self._redis_mod.RedisError as exc:
                self._went_down(exc)

    def update(self, key: DeploymentKey, change: Change) -> DeploymentMapping:
        """Apply ``change`` to ``key``'s mapping in Redis (optimistic transaction) and return it."""
        with self._mutex:
            self._pending.append((key, change))
            self._flush()
            if self._pending:
                # Redis is down: keep what was learned in the local copy.
                del self._pending[:-_MAX_PENDING]
                self._rules = {**self._rules, key: change(self._rules.get(key) or _EMPTY)}
            return self._rules.get(key) or _EMPTY

    def lease(self, name: str, ttl: float) -> bool:
        """``SET NX PX``: ``True`` if this store now holds ``name``; ``True`` too while Redis is down."""
        if not self._available():
            return True
        try:
            return bool(self.client.set(f"{self.prefix}lease:{name}", self._token, nx=True, px=max(1, int(ttl * 1000))))
        except self._redis_mod.RedisError as exc:
            self._went_down(exc)
            return True

    def release(self, name: str) -> None:
        """Delete the lease if this store still holds it."""
        if not self._available():
            return
        try:
            self._release(keys=[f"{self.prefix}lease:{name}"], args=[self._token])
        except self._redis_mod.RedisError as exc:
            self._went_down(exc)

    def clear(self, key: DeploymentKey | None = None) -> None:
        """Forget ``key``'s mapping (or all) in Redis and locally."""
        with self._mutex:
            self._pending = [(k, c) for k, c in self._pending if key is not None and k != key]
            self._rules = {} if key is None else {k: v for k, v in self._rules.items() if k != key}
            if not self._available():
                return
            try:
                self._clear(keys=[self._hash, self._version_key], args=[] if key is None else [key_id(key)])
            except self._redis_mod.RedisError as exc:
                self._went_down(exc)

    def items(self) -> Rules:
        """Every key's mapping, fresh from Redis."""
        self._version = None
        self.refresh()
        return dict(self._rules)

    def close(self) -> None:
        """Write what is still pending (best effort), then close the Redis connection pool."""
        with self._mutex:
            self._flush()
        self.client.close()

    def _available(self) -> bool:
        if self._down_since is None:
            return True
        if time.monotonic() - self._down_since < self.reconnect_interval:
            return False
        try:
            self.client.ping()
        except self._redis_mod.RedisError:
            self._down_since = time.monotonic()
            return False
        self._down_since = None
        self._warned.discard("down")
        _log.emit(logging.INFO, _log.STORE_ERROR, store=repr(self), problem="reconnected", detail="Redis is back")
        self._flush()
        return True

    def _went_down(self, exc: Exception) -> None:
        self._down_since = time.monotonic()
        self._warn("down", f"Redis unreachable, using the local copy: {type(exc).__name__}: {exc}")

    def _load(self, raw: dict[Any, Any], version: bytes) -> None:
        # What Redis hands back is checked field by field: one bad entry is skipped, the rest used.
        rules: Rules = {}
        problems: list[str] = []
        for value in raw.values():
            try:
                key, mapping = entry_from_json(decode_entry(value), problems)
            except CacheFormatError as exc:
                problems.append(f"skipped an invalid entry: {exc}")
                continue
            rules[key] = mapping
        if problems:
            self._warn("format", f"{len(problems)} invalid part(s) of {self._hash} skipped, first: {problems[0]}")
        rules = bounded(rules)
        for key, change in self._pending:
            rules[key] = change(rules.get(key) or _EMPTY)
        self._rules, self._version = rules, version

    def _flush(self) -> None:
        """Write pending changes, each in its own optimistic transaction."""
        while self._pending and self._available():
            key, change = self._pending[0]
            try:
                mapping = self._transact(key, change)
            except _Contention as exc:
                # Redis is fine, just busy on this key: keep the change and write it later.
                self._warn("contention", f"{exc}: too many concurrent writers; will retry")
                return
            except self._redis_mod.RedisError as exc:
                self._went_down(exc)
                return
            self._pending.pop(0)
            self._rules = {**self._rules, key: mapping}

    def _transact(self, key: DeploymentKey, change: Change) -> DeploymentMapping:
        # Compare-and-set on the key's own field (a Lua script runs atomically), so
        # writers of other keys never make this one retry.
        field = key_id(key)
        for _ in range(_CAS_RETRIES):
            raw = self.client.hget(self._hash, field)
            current = _EMPTY
            if raw is not None:
                try:
                    current = entry_from_json(decode_entry(raw))[1]
                except CacheFormatError as exc:
                    self._warn("format", f"replaced an invalid entry for {field}: {exc}")
            mapping = change(current)
            new = json.dumps(entry_to_json(key, mapping), separators=(",", ":"))
            if self._cas(keys=[self._hash, self._version_key], args=[field, raw if raw is not None else "", new]):
                return mapping
        raise _Contention(field)
