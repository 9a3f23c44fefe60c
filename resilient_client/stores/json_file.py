"""A JSON file shared by every process that points at it.

Reads are served from memory; the file is re-read only when its mtime, size or
inode changed, and that is checked at most once per ``check_interval``. Writes
take a :class:`filelock.FileLock`, re-read the file, merge the new rule into what
other processes wrote meanwhile, write a temporary file in the same directory and
``os.replace`` it over the old one, so a reader never sees half a file and a writer
killed mid-write leaves the previous version intact.

The cache never fails a request: if the file is corrupt it is kept aside as
``<name>.corrupt-<timestamp>`` and the store starts empty; if it cannot be written
(read-only, full disk, newer schema) the rules stay in memory and are written with
the next successful write. Each problem is logged once as ``store_error``.
"""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile
import threading
import time
from pathlib import Path
from typing import Final

import filelock

from .. import _log
from .._core import merge
from .._errors import CacheFormatError, NewerSchemaError
from .._models import DeploymentKey, DeploymentMapping, LearnedRule
from .._serialize import Rules, dumps, loads

__all__ = ["JSONFileStore"]

_Stamp = tuple[int, int, int]
_NO_FILE: Final[_Stamp] = (0, 0, 0)


class JSONFileStore:
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
        self.check_interval = check_interval
        self._lock = filelock.FileLock(f"{self.path}.lock", timeout=lock_timeout, mode=mode)
        self._mutex = threading.Lock()
        self._rules: Rules = {}
        self._pending: Rules = {}
        self._stamp: _Stamp | None = None
        self._checked_at = float("-inf")
        self._warned: set[str] = set()
        self._read_only = False

    def __repr__(self) -> str:
        return f"JSONFileStore({str(self.path)!r})"

    def get(self, key: DeploymentKey) -> DeploymentMapping | None:
        """The rules known for ``key`` (from memory; the file is re-read only when it changed)."""
        if time.monotonic() - self._checked_at >= self.check_interval:
            self.refresh()
        return self._rules.get(key)

    def refresh(self) -> None:
        """Re-read the file now if another process changed it."""
        with self._mutex:
            self._checked_at = time.monotonic()
            stamp = self._stat()
            if stamp != self._stamp:
                self._adopt(self._read(), stamp)

    def merge(self, key: DeploymentKey, rule: LearnedRule) -> DeploymentMapping:
        """Add ``rule`` for ``key`` and write the file (merged with other writers' rules)."""
        with self._mutex:
            self._pending[key] = merge(self._pending.get(key) or DeploymentMapping(), rule)
            self._write()
            return self._rules.get(key) or DeploymentMapping()

    def clear(self, key: DeploymentKey | None = None) -> None:
        """Forget ``key``'s rules (or all) here and in the file."""
        with self._mutex:
            self._pending = {} if key is None else {k: v for k, v in self._pending.items() if k != key}
            self._write(drop=key, drop_all=key is None)

    def items(self) -> Rules:
        """Every key's rules, fresh from the file."""
        self.refresh()
        return dict(self._rules)

    def close(self) -> None:
        """Nothing stays open between calls; kept for the protocol."""

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
        except (OSError, filelock.Timeout) as err:
            self._warn("corrupt", f"cache file is corrupt ({exc}) and could not be moved aside: {err}")
            return
        self._warn("corrupt", f"cache file was corrupt ({exc}); kept it as {aside.name} and started empty")

    def _adopt(self, disk: Rules | None, stamp: _Stamp) -> None:
        if disk is None:
            disk = self._rules
        else:
            self._stamp = stamp
        merged = dict(disk)
        for key, mapping in self._pending.items():
            for rule in mapping.rules:
                merged[key] = merge(merged.get(key) or DeploymentMapping(), rule)
        self._rules = merged

    def _write(self, *, drop: DeploymentKey | None = None, drop_all: bool = False) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self._lock:
                disk = self._read()
                if disk is None:
                    raise PermissionError("the cache file cannot be safely rewritten")
                if drop_all:
                    disk = {}
                elif drop is not None:
                    disk.pop(drop, None)
                self._adopt(disk, _NO_FILE)
                self._replace(dumps(self._rules))
                self._pending = {}
                self._stamp = self._stat()
                self._checked_at = time.monotonic()
        except (OSError, filelock.Timeout) as exc:
            if drop_all:
                self._rules = {}
            elif drop is not None:
                self._rules.pop(drop, None)
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

    def _warn(self, what: str, message: str) -> None:
        if what not in self._warned:
            self._warned.add(what)
            _log.emit(logging.WARNING, _log.STORE_ERROR, store=str(self.path), problem=what, detail=message)
