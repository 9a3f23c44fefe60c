"""A JSON file shared by every process that points at it.

Reads are served from memory; the file is re-read only when its mtime, size or
inode changed, and that is checked at most once per ``check_interval``. Writes
take a :class:`filelock.FileLock`, re-read the file, apply the change to what other
processes wrote meanwhile, write a temporary file in the same directory, fsync it
and ``os.replace`` it over the old one, so a reader never sees half a file and a
writer killed mid-write leaves the previous version intact.

Leases (single-flight learning across processes) are small files beside the cache,
``<name>.lease-<hash>``, created with ``O_EXCL`` and holding their expiry; an
expired one is taken over, so a crashed leader blocks nobody for long.

The cache never fails a request: if the file is corrupt it is kept aside as
``<name>.corrupt-<timestamp>`` and the store starts empty; if it cannot be written
(read-only, full disk, newer schema) the rules stay in memory and are written with
the next successful write (up to 1024 unwritten changes). Each problem is logged
once as ``store_error``.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from .._errors import CacheFormatError, NewerSchemaError
from .._models import DeploymentKey, DeploymentMapping
from .._serialize import Rules, dumps, loads
from ._local import LocalCopy

if TYPE_CHECKING:
    import filelock

    from . import Change


def _filelock() -> Any:
    # filelock is imported when a store is built, not when resilient_client is.
    import filelock  # noqa: PLC0415

    return filelock


__all__ = ["JSONFileStore"]

_Stamp = tuple[int, int, int]
_NO_FILE: Final[_Stamp] = (0, 0, 0)
_EMPTY: Final = DeploymentMapping()
_MAX_PENDING: Final = 1024


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
            memory only.
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
        super().__init__(check_interval)
        self._filelock = _filelock()
        self._lock: filelock.FileLock = self._filelock.FileLock(f"{self.path}.lock", timeout=lock_timeout, mode=mode)
        self._mutex = threading.Lock()
        self._base: Rules = {}
        self._pending: list[Callable[[Rules], Rules]] = []
        self._token = f"{os.getpid()}-{uuid.uuid4().hex}"
        self._stamp: _Stamp | None = None
        self._read_only = False

    def __repr__(self) -> str:
        return f"JSONFileStore({str(self.path)!r})"

    def refresh(self) -> None:
        """Re-read the file now if another process changed it."""
        with self._mutex:
            self._checked_at = time.monotonic()
            stamp = self._stat()
            if stamp != self._stamp:
                self._adopt(self._read(), stamp)
                # Even a file that cannot be used (newer schema, unreadable) is not
                # read again until it changes.
                self._stamp = stamp

    def update(self, key: DeploymentKey, change: Change) -> DeploymentMapping:
        """Apply ``change`` to ``key``'s mapping as it is in the file now, and write the file."""
        with self._mutex:
            self._pending.append(lambda rules: {**rules, key: change(rules.get(key) or _EMPTY)})
            self._write()
            return self._rules.get(key) or _EMPTY

    def lease(self, name: str, ttl: float) -> bool:
        """Take the lease ``name`` (a file beside the cache holding its expiry) unless another holds it."""
        path = self._lease_path(name)
        record = f"{time.time() + ttl} {self._token}"
        tmp = path.with_name(f"{path.name}.{self._token}")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_text(record)
        except OSError as exc:
            # No place to coordinate: every process learns for itself, as without a lease.
            self._warn("lease", f"cannot create lease file: {exc}")
            return True
        try:
            # link() creates the lease with its content in one step and fails if it
            # exists: nobody ever sees an empty lease and takes it for an expired one.
            os.link(tmp, path)
        except FileExistsError:
            return self._take_expired(path, record)
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
        with contextlib.suppress(OSError, self._filelock.Timeout), self._lock:
            if self._holds(path):
                path.unlink()

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
            self._write()

    def items(self) -> Rules:
        """Every key's rules, fresh from the file."""
        self.refresh()
        return dict(self._rules)

    def close(self) -> None:
        """Nothing stays open between calls; kept for the protocol."""

    def _lease_path(self, name: str) -> Path:
        digest = hashlib.sha256(name.encode()).hexdigest()[:20]
        return self.path.with_name(f"{self.path.name}.lease-{digest}")

    def _take_expired(self, path: Path, record: str) -> bool:
        # A crashed leader's lease must not block everyone: past its expiry, take it over.
        try:
            with self._lock:
                try:
                    expiry = float(path.read_text().split(" ", 1)[0])
                except (OSError, ValueError):
                    expiry = 0.0
                if expiry > time.time():
                    return False
                tmp = path.with_name(f"{path.name}.{self._token}")
                tmp.write_text(record)
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
        """The file's rules; ``None`` if it cannot be read or must not be overwritten."""
        try:
            text = self.path.read_bytes()
        except FileNotFoundError:
            return {}
        except OSError as exc:
            self._warn("read", f"cannot read cache file: {exc}")
            return None
        try:
            rules = loads(text)
        except NewerSchemaError as exc:
            self._read_only = True
            self._warn("schema", str(exc))
            return None
        except CacheFormatError as exc:
            self._quarantine(exc)
            return {}
        self._read_only = False
        return rules

    def _quarantine(self, exc: CacheFormatError) -> None:
        aside = self.path.with_name(f"{self.path.name}.corrupt-{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}")
        try:
            with self._lock:
                # Another process may have quarantined and rewritten it already.
                try:
                    loads(self.path.read_bytes())
                except (CacheFormatError, NewerSchemaError, FileNotFoundError):
                    os.replace(self.path, aside)
                else:
                    return
        except (OSError, self._filelock.Timeout) as err:
            self._warn("corrupt", f"cache file is corrupt ({exc}) and could not be moved aside: {err}")
            return
        self._warn("corrupt", f"cache file was corrupt ({exc}); kept it as {aside.name} and started empty")

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

    def _write(self) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self._lock:
                disk = self._read()
                if disk is None:
                    raise PermissionError("the cache file cannot be safely rewritten")
                self._adopt(disk, _NO_FILE)
                self._replace(dumps(self._rules))
                self._pending = []
                self._base = self._rules
                self._stamp = self._stat()
                self._checked_at = time.monotonic()
        except (OSError, self._filelock.Timeout) as exc:
            # Bounded: a cache that stays unwritable must not grow without end. The
            # oldest unwritten change is forgotten (at worst relearned, one 400).
            del self._pending[:-_MAX_PENDING]
            self._adopt(None, _NO_FILE)
            self._warn("write", f"cannot write cache file, keeping learned rules in memory: {exc}")

    def _replace(self, text: str) -> None:
        fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(text)
                f.flush()
                os.fsync(f.fileno())
            os.chmod(tmp, self.mode)
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
