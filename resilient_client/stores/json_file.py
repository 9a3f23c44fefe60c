"""A JSON file shared by every process that points at it.

Reads are served from memory; the file is re-read only when its mtime, size or
inode changed, and that is checked at most once per ``check_interval``. Writes
take a :class:`filelock.FileLock`, re-read the file, apply the change to what other
processes wrote meanwhile, write a temporary file in the same directory, fsync it
and ``os.replace`` it over the old one, so a reader never sees half a file and a
writer killed mid-write leaves the previous version intact. A path that is a
symlink stays one: the file it points to is the one locked and replaced (resolved
at each write), so every process sharing the cache through the link keeps sharing.

Leases (single-flight learning across processes) are small files beside the cache,
``<name>.lease-<hash>``, created ``0600`` with ``O_EXCL`` and holding their expiry;
an expired one is taken over, so a crashed leader blocks nobody for long.

The cache never fails a request. A read changes nothing on disk: if the file is
corrupt (not parseable at all) the store keeps serving the rules it read before;
the next write, under the lock, keeps a ``0600`` copy of it as
``<name>.corrupt-<timestamp>-<pid>`` and replaces it with a valid file. A file
that cannot be written (no write permission bits, even for root; a newer schema;
a full disk; the lock not had within ``lock_timeout``) is never replaced: the
rules stay in memory and are written with the next successful write (up to 1024
unwritten changes), with :meth:`JSONFileStore.close`, or at interpreter exit.
Each problem is logged once as ``store_error``.
"""

from __future__ import annotations

import atexit
import contextlib
import datetime as dt
import functools
import hashlib
import os
import stat
import tempfile
import threading
import time
import uuid
import weakref
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from .._errors import CacheFormatError, NewerSchemaError
from .._models import DeploymentKey, DeploymentMapping
from .._serialize import Rules, dumps, loads
from ._local import LocalCopy

if TYPE_CHECKING:
    import filelock

    from . import Change, StoreStatus


def _filelock() -> Any:
    # filelock is imported when a store is built, not when resilient_client is.
    import filelock  # noqa: PLC0415

    return filelock


__all__ = ["JSONFileStore"]

_Stamp = tuple[int, int, int]
_NO_FILE: Final[_Stamp] = (0, 0, 0)
_EMPTY: Final = DeploymentMapping()
_MAX_PENDING: Final = 1024
_FLUSH_PATIENCE: Final = 6
"""``close()`` and the exit flush wait this many times ``lock_timeout`` for the lock."""
_FLUSH_POLL: Final = 0.005
"""Seconds between their tries for the lock: filelock polls, and a writer that releases the lock
and takes it again at once (a busy process learning a batch) would otherwise win nearly every time."""
_PRIVATE: Final = 0o600

_stores: weakref.WeakSet[JSONFileStore] = weakref.WeakSet()
"""Every store of this process, for the exit flush; weak, so that stores are still collected."""
if hasattr(os, "register_at_fork"):
    # A forked child's copies hold its parent's unwritten changes: the parent writes those.
    os.register_at_fork(after_in_child=_stores.clear)


def _flush_at_exit() -> None:
    for store in list(_stores):
        store.close()


@functools.cache
def _register_exit_flush() -> None:
    # Called once filelock is imported: atexit runs this before filelock's own exit handler.
    atexit.register(_flush_at_exit)


def _create_private(path: Path, data: bytes) -> None:
    """Create ``path`` (it must not exist) holding ``data``, mode 0600 whatever the umask."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, _PRIVATE)
    try:
        with os.fdopen(fd, "wb") as f:
            os.fchmod(f.fileno(), _PRIVATE)
            f.write(data)
    except BaseException:
        with contextlib.suppress(OSError):
            path.unlink()
        raise


def _no_write_bits(path: Path) -> bool:
    """Whether ``path`` exists without any write permission bit (``os.access`` says yes to root)."""
    try:
        return not os.stat(path).st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
    except OSError:
        return False


class _ReadOnlyError(PermissionError):
    """The cache file has no write permission bit: it is used as it is, never replaced."""


def _on_key(key: DeploymentKey, change: Change) -> Callable[[Rules], Rules]:
    """A pending change of the whole file: ``change`` applied to ``key``'s mapping."""
    return lambda rules: {**rules, key: change(rules.get(key) or _EMPTY)}


class JSONFileStore(LocalCopy):
    """Learned rules in one JSON file, safe for many threads and processes.

    Args:
        path: The cache file. Its directory is created on first write.
        mode: Permission bits of the file (``0o600``: only the owner reads it;
            ``0o660`` to share it with a group).
        check_interval: Seconds between checks of the file for other processes'
            writes. A rejection always triggers a fresh read, so a short interval
            only trades a ``stat`` per call for freshness.
        lock_timeout: Seconds to wait for the write lock before keeping the rule in
            memory only (:meth:`close`, and the interpreter's exit, wait six times
            as long to write what is still only in memory).
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        mode: int = 0o600,
        check_interval: float = 1.0,
        lock_timeout: float = 10.0,
    ) -> None:
        self.path = Path(path)
        self.mode = mode
        self.lock_timeout = lock_timeout
        super().__init__(check_interval)
        self._filelock = _filelock()
        self._lock: filelock.FileLock = self._new_lock(f"{self._target()}.lock")
        self._mutex = threading.Lock()
        self._base: Rules = {}
        self._pending: list[Callable[[Rules], Rules]] = []
        self._token = f"{os.getpid()}-{uuid.uuid4().hex}"
        self._stamp: _Stamp | None = None
        _stores.add(self)
        _register_exit_flush()

    def __repr__(self) -> str:
        return f"JSONFileStore({str(self.path)!r})"

    def refresh(self) -> None:
        """Re-read the file now if another process changed it."""
        with self._mutex:
            self._checked_at = time.monotonic()
            stamp = self._stat()
            if stamp != self._stamp:
                self._adopt(self._read(), stamp)
                # Even a file that cannot be used (corrupt, newer schema, unreadable)
                # is not read again until it changes.
                self._stamp = stamp

    def update(self, key: DeploymentKey, change: Change) -> DeploymentMapping:
        """Apply ``change`` to ``key``'s mapping as it is in the file now, and write the file."""
        with self._mutex:
            self._pending.append(_on_key(key, change))
            self._write(self.lock_timeout)
            return self._rules.get(key) or _EMPTY

    def update_many(self, changes: Iterable[tuple[DeploymentKey, Change]]) -> None:
        """Apply every ``(key, change)`` to the file as it is now, in one write (one lock, one fsync), if any."""
        pending = [_on_key(key, change) for key, change in changes]
        if not pending:
            return
        with self._mutex:
            self._pending.extend(pending)
            self._write(self.lock_timeout)

    def lease(self, name: str, ttl: float) -> bool:
        """Take the lease ``name`` (a file beside the cache holding its expiry) unless another holds it."""
        path = self._lease_path(name)
        tmp = path.with_name(f"{path.name}.{self._token}-{uuid.uuid4().hex[:8]}")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            _create_private(tmp, self._record(ttl))
        except OSError as exc:
            # No place to coordinate: every process learns for itself, as without a lease.
            self._warn("lease", f"cannot create lease file: {exc}")
            return True
        try:
            # link() creates the lease with its content in one step and fails if it
            # exists: nobody ever sees an empty lease and takes it for an expired one.
            os.link(tmp, path)
        except FileExistsError:
            return self._take_expired(path, tmp, ttl)
        except OSError as exc:
            self._warn("lease", f"cannot create lease file: {exc}")
            return True
        finally:
            with contextlib.suppress(OSError):
                tmp.unlink()
        return True

    def release(self, name: str) -> None:
        """Remove the lease file if this store still holds it."""
        path = self._lease_path(name)
        if not self._holds(path):
            return  # nothing to do, and no lock to wait for (the directory may not even exist)
        # Under the lock that take-overs hold: an expired lease someone else just
        # took over is theirs, not ours to remove.
        with (
            contextlib.suppress(OSError, self._filelock.Timeout),
            self._lock_for(self._target()).acquire(timeout=self.lock_timeout),
        ):
            if self._holds(path):
                path.unlink()

    def _record(self, ttl: float) -> bytes:
        return f"{time.time() + ttl} {self._token}".encode()

    def _holds(self, path: Path) -> bool:
        try:
            return path.read_text().endswith(self._token)
        except OSError:
            return False

    def clear(self, key: DeploymentKey | None = None) -> None:
        """Forget ``key``'s mapping (or all) here and in the file."""
        with self._mutex:
            # Queued like any change: a clear that cannot be written now still holds
            # here, and is written with the next successful write.
            self._pending.append(lambda rules: {} if key is None else {k: v for k, v in rules.items() if k != key})
            self._write(self.lock_timeout)

    def items(self) -> Rules:
        """Every key's rules, fresh from the file."""
        self.refresh()
        return dict(self._rules)

    def status(self) -> StoreStatus:
        """The file's health, as ``resilient-client doctor`` shows it; only looks, never changes anything."""
        from ._status import file_status  # noqa: PLC0415 - _status imports this module

        return file_status(self)

    def close(self) -> None:
        """Write the changes still only in memory, waiting up to six ``lock_timeout`` for the lock.

        Best effort, and never raises (it also runs at interpreter exit): what still
        cannot be written stays in memory, with a warning. The store stays usable;
        nothing else is held open between calls.
        """
        if not self._pending or _no_write_bits(self._target()):
            return  # nothing to write, or a file only read (and said so once already)
        lost = "learned changes are only in memory, lost when this process exits"
        try:
            patience = -1.0 if self.lock_timeout < 0 else _FLUSH_PATIENCE * self.lock_timeout
            if not self._mutex.acquire(timeout=patience):
                raise TimeoutError("another thread kept the store busy")  # noqa: TRY301 - reported below
            try:
                if self._pending and not self._write(patience, _FLUSH_POLL):
                    self._warn("flush", f"{len(self._pending)} {lost}")
            finally:
                self._mutex.release()
        except Exception as exc:  # noqa: BLE001 - it runs at interpreter exit, where nothing may raise
            with contextlib.suppress(Exception):
                self._warn("flush", f"{lost}: {exc!r}")

    def _target(self) -> Path:
        """The file itself: ``path`` with every symlink resolved, now."""
        return Path(os.path.realpath(self.path))

    def _lock_for(self, target: Path) -> filelock.FileLock:
        """The lock beside ``target`` (a new one if the link now points elsewhere)."""
        name = f"{target}.lock"
        if self._lock.lock_file != name:
            self._lock = self._new_lock(name)
        return self._lock

    def _new_lock(self, name: str) -> filelock.FileLock:
        lock: filelock.FileLock = self._filelock.FileLock(name, timeout=self.lock_timeout, mode=self.mode)
        return lock

    def _lease_path(self, name: str) -> Path:
        """The lease file beside the cache file (beside the file a symlink points to)."""
        target = self._target()
        digest = hashlib.sha256(name.encode()).hexdigest()[:20]
        return target.with_name(f"{target.name}.lease-{digest}")

    def _take_expired(self, path: Path, tmp: Path, ttl: float) -> bool:
        # A crashed leader's lease must not block everyone: past its expiry, take it over.
        try:
            with self._lock_for(self._target()).acquire(timeout=self.lock_timeout):
                try:
                    expiry = float(path.read_text().split(" ", 1)[0])
                except (OSError, ValueError):
                    expiry = 0.0
                if expiry > time.time():
                    return False
                tmp.unlink()  # its expiry was reckoned before the wait for the lock
                _create_private(tmp, self._record(ttl))
                os.replace(tmp, path)
                return True
        except self._filelock.Timeout:
            return False  # another process is busy with the lease right now
        except OSError as exc:
            self._warn("lease", f"cannot take over an expired lease: {exc}")
            return True

    def _stat(self) -> _Stamp:
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return _NO_FILE
        except OSError as exc:
            self._warn("stat", f"cannot stat cache file: {exc}")
            return self._stamp or _NO_FILE
        return (st.st_mtime_ns, st.st_size, st.st_ino)

    def _read(self) -> Rules | None:
        """The file's rules; ``None`` (keep the last ones read) if they cannot be used. Never changes the file."""
        try:
            return loads(self.path.read_bytes())
        except FileNotFoundError:
            return {}
        except OSError as exc:
            self._warn("read", f"cannot read cache file: {exc}")
        except NewerSchemaError as exc:
            self._warn("schema", str(exc))
        except CacheFormatError as exc:
            self._warn("corrupt", f"cache file is corrupt ({exc}); serving the rules read before it was")
        return None

    def _adopt(self, disk: Rules | None, stamp: _Stamp) -> None:
        # Changes not yet written are replayed on top of what the file says now,
        # never on top of themselves: a change applied twice would count twice.
        if disk is None:
            disk = self._base
        else:
            self._stamp = stamp
            self._base = disk
        for change in self._pending:
            disk = change(disk)
        self._rules = disk

    def _write(self, timeout: float, poll_interval: float | None = None) -> bool:
        """Write the pending changes; ``False`` if they stay in memory (with a warning)."""
        target = self._target()
        try:
            self._check_writable(target)
            target.parent.mkdir(parents=True, exist_ok=True)
            with self._lock_for(target).acquire(timeout=timeout, poll_interval=poll_interval):
                self._check_writable(target)  # it may have been made read-only meanwhile
                self._adopt(self._read_for_write(target), _NO_FILE)
                self._replace(target, dumps(self._rules))
                self._pending = []
                self._base = self._rules
                self._stamp = self._stat()
                self._checked_at = time.monotonic()
        except _ReadOnlyError as exc:
            self._warn("read-only", str(exc))
            stamp = self._stat()
            self._keep_in_memory(self._read(), stamp)  # the file's rules, and what was learned on top
            return False
        except (OSError, self._filelock.Timeout) as exc:
            self._keep_in_memory()
            self._warn("write", f"cannot write cache file, keeping learned rules in memory: {exc}")
            return False
        return True

    def _keep_in_memory(self, disk: Rules | None = None, stamp: _Stamp = _NO_FILE) -> None:
        # Bounded: a cache that stays unwritable must not grow without end. The
        # oldest unwritten change is forgotten (at worst relearned, one 400).
        del self._pending[:-_MAX_PENDING]
        self._adopt(disk, stamp)

    def _check_writable(self, target: Path) -> None:
        if _no_write_bits(target):
            msg = f"cache file {target} has no write permission: it is only read, learned rules stay in memory"
            raise _ReadOnlyError(msg)

    def _read_for_write(self, target: Path) -> Rules:
        """The rules in ``target`` under the lock; a corrupt file is copied aside first (it is replaced next)."""
        try:
            text = target.read_bytes()
        except FileNotFoundError:
            return {}
        try:
            return loads(text)
        except NewerSchemaError as exc:
            self._warn("schema", str(exc))
            raise PermissionError(f"the cache file is of a newer schema and is not replaced: {exc}") from exc
        except CacheFormatError as exc:
            stamp = dt.datetime.now().strftime("%Y%m%dT%H%M%S.%f")  # noqa: DTZ005 - a local time, for people
            aside = target.with_name(f"{target.name}.corrupt-{stamp}-{os.getpid()}")
            _create_private(aside, text)
            self._warn("corrupt", f"cache file was corrupt ({exc}); kept a copy as {aside.name}, wrote a new one")
            return {}

    def _replace(self, target: Path, text: str) -> None:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(text)
                f.flush()
                os.fsync(f.fileno())
            os.chmod(tmp, self.mode)
            os.replace(tmp, target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
