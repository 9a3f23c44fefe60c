"""Learned rules in Redis, for fleets of hosts (``pip install resilient-client[redis]``).

Works with one server (``redis.Redis``), a Redis Cluster (``redis.cluster.RedisCluster``)
and managed services behind a cluster proxy: every key of a store carries the same hash
tag, so each Lua script touches one slot.

Layout (``prefix`` defaults to ``resilient_client:``, whose tag is ``{resilient_client}``):

- ``{resilient_client}:rules``: one hash; field = the deployment key as a JSON array
  ``["host","deployment","api-version","operation"]``, value = that key's entry in
  the cache document's layout (``_serialize.entry_to_json``).
- ``{resilient_client}:version``: a counter, incremented by every write. Readers only
  compare it with what they read last, so a foreign value in it costs a re-read, never a
  failure; a writer that finds one there starts the counter again.
- ``{resilient_client}:lease:{name}``: single-flight leases, ``SET NX PX``; released with
  an atomic compare-and-delete, so an expired lease someone else took over is theirs.

The tag is the prefix without its final ``:``; a prefix that holds a tag already
(``{fleet}:``) is used as it is.

Release 0.1 used the prefix untagged (``resilient_client:rules``,
``resilient_client:version``). On a client that is not a ``RedisCluster`` (0.1 never
worked on one), this store also reads those keys while they exist, so nothing 0.1
processes learned is lost during a rolling upgrade: its entries are used for the keys the
tagged hash does not have yet, and the first write of such a key copies the 0.1 entry
into the tagged hash, which holds that key from then on. ``clear`` clears both layouts.
0.2 never writes the 0.1 keys otherwise; :meth:`RedisStore.finish_migration` copies the
remaining 0.1 entries and deletes the 0.1 keys once no 0.1 process runs (CHANGELOG.md:
what a mixed-version fleet sees).

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
import re
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final, TypeAlias
from urllib.parse import quote, urlsplit, urlunsplit

from .. import _log
from .._core import MAX_KEYS
from .._errors import CacheFormatError
from .._models import DeploymentKey, DeploymentMapping
from .._serialize import Rules, bounded, decode_entry, entry_from_json, entry_to_json, key_id
from ._local import LocalCopy

if TYPE_CHECKING:
    import redis as redis_py
    import redis.cluster
    from redis.commands.core import Script

    from . import Change, StoreStatus

    Client: TypeAlias = "redis_py.Redis | redis.cluster.RedisCluster"

__all__ = ["RedisStore", "split_cluster_url"]

_EMPTY: Final = DeploymentMapping()
_MAX_PENDING: Final = 1024
_CAS_RETRIES: Final = 100
_FALLBACK_TAG: Final = "{resilient_client}"

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
_NODE: Final = re.compile(r"(?:\[(?P<v6>[0-9A-Fa-f:.]+)\]|(?P<host>[^\[\]:/@,]+))(?::(?P<port>[0-9]{1,5}))?")


def tagged(prefix: str) -> str:
    """``prefix`` with a Redis Cluster hash tag, so that every key of a store maps to one slot.

    ``resilient_client:`` -> ``{resilient_client}:``; a prefix holding a tag already is kept.
    """
    start = prefix.find("{")
    if start >= 0 and prefix.find("}", start + 1) > start + 1:
        return prefix
    stem = prefix.removesuffix(":")
    return f"{{{stem}}}:" if stem and "}" not in stem else f"{_FALLBACK_TAG}{prefix}"


def split_cluster_url(url: str) -> tuple[str, list[tuple[str, int]]]:
    """``redis+cluster://[user:pass@]host:port[,host:port…][/0][?options]`` as a node URL and the nodes.

    Returns:
        The ``redis://`` (``rediss://`` for ``rediss+cluster://``) URL of the first node, with the
        credentials and options, and every node as ``(host, port)`` (port 6379 when left out).

    Raises:
        ValueError: Not that form (the message shows the URL with its password as ``***``).
    """
    scheme, sep, rest = url.partition("://")
    base = scheme.lower().removesuffix("+cluster")
    if not sep or base not in ("redis", "rediss") or not scheme.lower().endswith("+cluster"):
        raise ValueError(f"{redact(url)!r} is not a redis+cluster:// or rediss+cluster:// URL")
    cut = min((i for i in (rest.find("/"), rest.find("?"), rest.find("#")) if i >= 0), default=len(rest))
    netloc, tail = rest[:cut], rest[cut:]
    auth, at, hosts = netloc.rpartition("@")
    path = tail.partition("?")[0].partition("#")[0]
    if path not in ("", "/", "/0"):
        raise ValueError(f"{redact(url)!r}: a cluster has only database 0, not {path!r}")
    nodes: list[tuple[str, int]] = []
    for part in hosts.split(","):
        found = _NODE.fullmatch(part)
        port = int(found["port"] or 6379) if found else 0
        if found is None or not 0 < port < 65536:  # noqa: PLR2004 - the TCP port range
            raise ValueError(f"{redact(url)!r}: {part!r} is not host:port (give each node, comma-separated)")
        nodes.append((found["v6"] or found["host"], port))
    host, port = nodes[0]
    first = f"[{host}]" if ":" in host else host
    query = tail[len(path) :]
    return f"{base}://{auth}{at}{first}:{port}/0{query}", nodes


def redact(url: str) -> str:
    """A URL as it may be shown: its password replaced by ``***``."""
    split = urlsplit(url)
    try:
        password = split.password
    except ValueError:
        return url
    if password is None:
        return url
    user = quote(split.username or "", safe="")
    return urlunsplit(split._replace(netloc=f"{user}:***@{split.netloc.rpartition('@')[2]}"))


def _one_line(text: str, limit: int = 300) -> str:
    return " ".join(text.split())[:limit]


class _Contention(Exception):  # noqa: N818 - internal signal, never escapes
    """Too many writers on one key at once: keep the change pending and write it later."""


def _redis() -> Any:
    try:
        import redis  # noqa: PLC0415 - optional dependency, imported when a RedisStore is built
        import redis.cluster  # noqa: PLC0415
    except ImportError as exc:  # pragma: no cover - exercised only without the extra
        msg = "RedisStore needs redis-py: pip install 'resilient-client[redis]'"
        raise ImportError(msg) from exc
    return redis


class RedisStore(LocalCopy):
    """Learned rules shared through Redis: one server, a Redis Cluster, or a managed service.

    Args:
        client: A ``redis.Redis`` or ``redis.cluster.RedisCluster`` client (``decode_responses``
            may be either), or a function returning one, called on first use and again every
            ``reconnect_interval`` while it raises (a ``RedisCluster`` connects as soon as it is
            built, so :meth:`from_url` passes one: a cluster down at start is then an outage like
            any other, not an error).
        prefix: Prefix of every Redis key this store uses, hash-tagged (see the module).
        check_interval: Seconds between checks of the version counter.
        reconnect_interval: Seconds between reconnection attempts while Redis is down.

    Attributes:
        kind: ``"redis"``, or ``"redis-cluster"`` for a ``RedisCluster`` client (as in :class:`StoreStatus`).
        location: Where the client connects, as a URL with its password shown as ``***``.
    """

    def __init__(
        self,
        client: Client | Callable[[], Client],
        *,
        prefix: str = "resilient_client:",
        check_interval: float = 1.0,
        reconnect_interval: float = 5.0,
    ) -> None:
        self._redis_mod = _redis()
        self._errors: tuple[type[Exception], ...] = (
            self._redis_mod.RedisError,
            self._redis_mod.exceptions.RedisClusterException,
        )
        self.prefix = prefix
        super().__init__(check_interval)
        self.reconnect_interval = reconnect_interval
        tag = tagged(prefix)
        self._hash = f"{tag}rules"
        self._version_key = f"{tag}version"
        self._lease_prefix = f"{tag}lease:"
        self._untagged = None if tag == prefix else (f"{prefix}rules", f"{prefix}version")
        self._legacy: tuple[str, str] | None = None
        self._version: tuple[object, ...] | None = None
        self._down_since: float | None = None
        self._pending: list[tuple[DeploymentKey, Change]] = []
        self._mutex = threading.RLock()
        self._token = f"{id(self):x}-{time.time_ns():x}"
        self._scripts: dict[str, Script] = {}
        self._client: Client | None = None
        self._connect: Callable[[], Client] | None = None
        self.location = "redis (a function makes the client)"
        self.kind = "redis"
        if callable(client):
            self._connect = client
        else:
            self._use(client)

    @classmethod
    def from_url(cls, url: str, **options: Any) -> RedisStore:
        """A store for ``redis://``, ``rediss://``, ``unix://``, ``redis+cluster://`` or ``rediss+cluster://``.

        A cluster URL names one or more nodes, comma-separated:
        ``redis+cluster://[user:password@]host:port[,host:port…][?options]``; the others are
        discovered. Query options (``?ssl_ca_certs=/path/ca.pem``) go to redis-py. Sockets time
        out after 1 s: a cache must not stall requests.

        Raises:
            ValueError: The URL is not one of these forms.
        """
        redis = _redis()
        timeouts: dict[str, Any] = {"socket_timeout": 1.0, "socket_connect_timeout": 1.0}
        scheme = url.partition("://")[0].lower()
        url = scheme + url[len(scheme) :]
        if scheme.endswith("+cluster"):
            first, nodes = split_cluster_url(url)
            others = [redis.cluster.ClusterNode(host, port) for host, port in nodes[1:]]

            def connect() -> Client:
                client: Client = redis.cluster.RedisCluster.from_url(first, startup_nodes=list(others), **timeouts)
                return client

            store = cls(connect, **options)
            store.kind = "redis-cluster"
        else:
            store = cls(redis.Redis.from_url(url, **timeouts), **options)
        store.location = redact(url)
        return store

    def __repr__(self) -> str:
        return f"RedisStore(prefix={self.prefix!r})"

    @property
    def client(self) -> Client:
        """The redis-py client (made now if it is made on first use; raises what making it raises)."""
        return self._live()

    def refresh(self) -> None:
        """Re-read the hash now if the version counter moved."""
        with self._mutex:
            self._checked_at = time.monotonic()
            if not self._available():
                return
            try:
                version = self._read_version()
                if version != self._version:
                    self._load(version)
            except self._errors as exc:
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
            px = max(1, int(ttl * 1000))
            return bool(self._live().set(f"{self._lease_prefix}{name}", self._token, nx=True, px=px))
        except self._errors as exc:
            self._went_down(exc)
            return True

    def release(self, name: str) -> None:
        """Delete the lease if this store still holds it."""
        if not self._available():
            return
        try:
            self._run(_RELEASE, [f"{self._lease_prefix}{name}"], [self._token])
        except self._errors as exc:
            self._went_down(exc)

    def clear(self, key: DeploymentKey | None = None) -> None:
        """Forget ``key``'s mapping (or all) in Redis and locally, in the 0.1 keys too."""
        with self._mutex:
            self._pending = [(k, c) for k, c in self._pending if key is not None and k != key]
            self._rules = {} if key is None else {k: v for k, v in self._rules.items() if k != key}
            if not self._available():
                return
            args = [] if key is None else [key_id(key)]
            try:
                self._run(_CLEAR, [self._hash, self._version_key], args)
                if self._legacy is not None and self._live().exists(self._legacy[1]):
                    self._run(_CLEAR, list(self._legacy), args)
            except self._errors as exc:
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
        if self._client is not None:
            self._client.close()

    def finish_migration(self) -> int:
        """End the move from 0.1's untagged keys: copy their valid entries, then delete them.

        Run once, after the last 0.1 process stopped (what 0.1 writes meanwhile is lost).
        Each valid 0.1 entry is written to the tagged hash unless it holds that key already;
        then ``{prefix}rules`` and ``{prefix}version`` are deleted.

        Returns:
            How many entries were copied.

        Raises:
            redis.RedisError: Redis refused or could not be reached.
        """
        with self._mutex:
            client = self._live()
            if self._legacy is None:
                return 0
            old_hash, old_version = self._legacy
            copied = 0
            for value in client.hgetall(old_hash).values():
                try:
                    key, mapping = entry_from_json(decode_entry(value))
                except CacheFormatError:
                    continue
                new = json.dumps(entry_to_json(key, mapping), separators=(",", ":"))
                copied += int(self._run(_CAS, [self._hash, self._version_key], [key_id(key), "", new]))
            client.delete(old_hash)
            client.delete(old_version)
            self._version = None
            return copied

    def status(self) -> StoreStatus:
        """Whether Redis answers, and what a ``doctor`` shows about it; never raises.

        ``details``: ``server`` (version), ``mode`` (standalone or cluster), ``persistence``,
        ``keys``, ``entries`` (valid entries), and ``0.1 keys`` while those exist. Redis
        unreachable, a cluster not ``ok``, a plain client on a cluster node, and entries that
        fail validation are ``problems``. No persistence is said in ``details`` only: the
        rules are then lost when Redis restarts, and relearned at one 400 each.
        """
        from . import StoreStatus  # noqa: PLC0415 - the package imports this module lazily

        details = {"keys": f"{self._hash}, {self._version_key}, {self._lease_prefix}*"}
        problems: list[str] = []
        try:
            self._inspect(details, problems)
        except Exception as exc:  # noqa: BLE001 - a status never raises: what went wrong is its answer
            problems.append(_one_line(f"Redis unreachable or refusing: {type(exc).__name__}: {exc}"))
        return StoreStatus(not problems, self.kind, self.location, tuple(problems), details)

    def _inspect(self, details: dict[str, str], problems: list[str]) -> None:
        client = self._live()
        server = client.info("server")
        details["server"] = f"Redis {server.get('redis_version', '?')}"
        if isinstance(client, self._redis_mod.cluster.RedisCluster):
            info = client.cluster_info()
            details["mode"] = f"cluster of {info.get('cluster_size', '?')} masters, {info.get('cluster_state')}"
            if info.get("cluster_state") != "ok":
                problems.append(f"cluster_state is {info.get('cluster_state')!r}, not 'ok'")
        else:
            details["mode"] = str(server.get("redis_mode", "standalone"))
            if details["mode"] == "cluster":
                problems.append("the server is a cluster node: use a redis+cluster:// URL or a RedisCluster client")
                return
        details["persistence"] = self._persistence(client)
        sources = [self._hash, *self._legacy[:1]] if self._legacy else [self._hash]
        seen: dict[str, int] = {}
        for name in sources:
            raw = client.hgetall(name)
            bad = 0
            for value in raw.values():
                rules: list[str] = []
                try:
                    entry_from_json(decode_entry(value), rules)
                except CacheFormatError:
                    bad += 1
                    continue
                bad += bool(rules)
            seen[name] = len(raw)
            if bad:
                problems.append(f"{bad} of {len(raw)} entries in {name} fail validation and are skipped")
        details["entries"] = str(seen[self._hash])
        if self._legacy and (seen.get(self._legacy[0]) or client.exists(self._legacy[1])):
            details["0.1 keys"] = (
                f"{seen.get(self._legacy[0], 0)} entries in {self._legacy[0]}, read too; "
                "RedisStore.finish_migration() once no 0.1 process runs"
            )

    def _persistence(self, client: Client) -> str:
        try:
            save = str(client.config_get("save").get("save", ""))
            aof = str(client.config_get("appendonly").get("appendonly", "no")) == "yes"
        except self._redis_mod.ResponseError:  # CONFIG is often disabled on managed Redis
            aof = str(client.info("persistence").get("aof_enabled", "0")) == "1"
            return "AOF" if aof else "unknown: CONFIG GET is refused and AOF is off (RDB snapshots may be on)"
        kinds = [name for name, on in ((f"RDB snapshots (save {save})", bool(save.strip())), ("AOF", aof)) if on]
        return " and ".join(kinds) or "none: Redis keeps the rules in memory only and loses them when it restarts"

    def _use(self, client: Client) -> None:
        self._client = client
        cluster = isinstance(client, self._redis_mod.cluster.RedisCluster)
        self.kind = "redis-cluster" if cluster else "redis"
        self._legacy = None if cluster else self._untagged
        if self.location.startswith("redis ("):
            self.location = _describe(client)

    def _live(self) -> Client:
        """The client, made first if it is made on first use (raises when that fails)."""
        client = self._client
        if client is None:
            with self._mutex:
                if self._client is None:
                    assert self._connect is not None  # noqa: S101 - set whenever no client was given
                    self._use(self._connect())
                client = self._client
                assert client is not None  # noqa: S101 - just made
        return client

    def _run(self, source: str, keys: list[str], args: list[Any]) -> Any:
        """Run a Lua script (``EVALSHA``, loaded on first use)."""
        script = self._scripts.get(source)
        if script is None:
            script = self._scripts[source] = self._live().register_script(source)
        return script(keys=keys, args=args)

    def _read_version(self) -> tuple[object, ...]:
        """The version counter, and 0.1's while its keys are read too (one round trip)."""
        client = self._live()
        if self._legacy is None:
            return (client.get(self._version_key),)
        pipe = client.pipeline(transaction=False)
        pipe.get(self._version_key)
        pipe.get(self._legacy[1])
        return tuple(pipe.execute())

    def _available(self) -> bool:
        if self._down_since is None:
            return True
        if time.monotonic() - self._down_since < self.reconnect_interval:
            return False
        try:
            self._live().ping()
        except self._errors:
            self._down_since = time.monotonic()
            return False
        self._down_since = None
        self._warned.discard("down")
        _log.emit(logging.INFO, _log.STORE_ERROR, store=repr(self), problem="reconnected", detail="Redis is back")
        self._flush()
        return True

    def _went_down(self, exc: Exception) -> None:
        self._down_since = time.monotonic()
        self._warn("down", _one_line(f"Redis unreachable, using the local copy: {type(exc).__name__}: {exc}"))

    def _load(self, version: tuple[object, ...]) -> None:
        # What Redis hands back is checked field by field: one bad entry is skipped, the rest used.
        # 0.1's hash first: for a key both hold, the tagged hash's entry wins.
        client = self._live()
        names = [self._legacy[0], self._hash] if self._legacy else [self._hash]
        rules: Rules = {}
        problems: list[str] = []
        for name in names:
            for value in client.hgetall(name).values():
                try:
                    key, mapping = entry_from_json(decode_entry(value), problems)
                except CacheFormatError as exc:
                    problems.append(f"skipped an invalid entry: {exc}")
                    continue
                rules[key] = mapping
        if problems:
            where = " and ".join(names)
            self._warn("format", f"{len(problems)} invalid part(s) of {where} skipped, first: {problems[0]}")
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
            except self._errors as exc:
                self._went_down(exc)
                return
            self._pending.pop(0)
            fresh = key not in self._rules
            self._rules = {**self._rules, key: mapping}
            if fresh and len(self._rules) > MAX_KEYS:
                self._evict()

    def _evict(self) -> None:
        """Past ``MAX_KEYS`` keys, forget the least recently active ones, in Redis too.

        A gateway's callers create keys through ``model``: the hash must not grow without end.
        """
        kept = bounded(self._rules)
        try:
            for key in self._rules.keys() - kept.keys():
                self._run(_CLEAR, [self._hash, self._version_key], [key_id(key)])
        except self._errors as exc:
            self._went_down(exc)
        self._rules = kept

    def _current(self, key: DeploymentKey, raw: str | bytes | None) -> DeploymentMapping:
        """The mapping a stored entry holds for ``key``; empty when it is absent, invalid or another key's."""
        if raw is None:
            return _EMPTY
        try:
            found, mapping = entry_from_json(decode_entry(raw))
        except CacheFormatError as exc:
            self._warn("format", f"replaced an invalid entry for {key_id(key)}: {exc}")
            return _EMPTY
        return mapping if found == key else _EMPTY

    def _transact(self, key: DeploymentKey, change: Change) -> DeploymentMapping:
        # Compare-and-set on the key's own field (a Lua script runs atomically), so
        # writers of other keys never make this one retry. A key the tagged hash lacks
        # starts from its 0.1 entry, if any: the write copies it over.
        client = self._live()
        field = key_id(key)
        for _ in range(_CAS_RETRIES):
            raw = client.hget(self._hash, field)
            seed = raw if raw is not None or self._legacy is None else client.hget(self._legacy[0], field)
            mapping = change(self._current(key, seed))
            new = json.dumps(entry_to_json(key, mapping), separators=(",", ":"))
            if self._run(_CAS, [self._hash, self._version_key], [field, raw if raw is not None else "", new]):
                return mapping
        raise _Contention(field)


def _describe(client: Any) -> str:
    """Where a client connects, as a URL without credentials (best effort)."""
    try:
        nodes = getattr(client, "startup_nodes", None)
        if nodes:
            return "redis+cluster://" + ",".join(f"{node.host}:{node.port}" for node in nodes)
        kwargs = client.connection_pool.connection_kwargs
        if kwargs.get("path"):
            return f"unix://{kwargs['path']}"
        scheme = "rediss" if "SSL" in getattr(client.connection_pool.connection_class, "__name__", "") else "redis"
        return f"{scheme}://{kwargs.get('host', 'localhost')}:{kwargs.get('port', 6379)}/{kwargs.get('db', 0)}"
    except Exception:  # noqa: BLE001 - only a label
        return "redis (a client passed in)"
