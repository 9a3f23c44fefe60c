"""Health checks of the stores that have no ``status()`` of their own; they only look, never change anything.

:func:`store_status` is what ``resilient-client doctor`` and the cache commands ask: a
store's own ``status()`` when it has one, else :func:`file_status` for a
:class:`JSONFileStore` and :func:`memory_status` for a :class:`MemoryStore`.
"""

from __future__ import annotations

import os
import shutil
import stat
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Final

from .._errors import CacheFormatError, NewerSchemaError
from .._serialize import load_document
from .json_file import JSONFileStore

if TYPE_CHECKING:
    from . import MemoryStore, StoreStatus

__all__ = ["READ_ONLY", "file_status", "memory_status", "store_status"]

READ_ONLY: Final = "no: the file has no write permission bit: it is only read, and rules learned stay in memory"
"""``details["writable"]`` of a file read-only on purpose: not a problem, but no write command may run."""
_LOW_SPACE: Final = 1 << 20
"""Bytes free below which (beyond the file's own size) a write may fail for want of space."""
_WRITE_BITS: Final = stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH
_FS_IOC_GETFLAGS: Final = 0x80086601
_FLAGS: Final = ((0x10, "immutable"), (0x20, "append-only"))
"""Linux inode flags (``chattr +i``, ``chattr +a``) under which not even root replaces a file or adds to a directory."""
_ORDER: Final = (
    "path",
    "symlink",
    "directory",
    "permissions",
    "lock",
    "free space",
    "readable",
    "writable",
    "entries",
    "rules",
)


def store_status(store: object) -> StoreStatus:
    """The store's :class:`~resilient_client.stores.StoreStatus`: its own ``status()``, else one made here."""
    from . import MemoryStore, StoreStatus  # noqa: PLC0415 - the package imports this module

    own = getattr(store, "status", None)
    if callable(own):
        found = own()
        if isinstance(found, StoreStatus):
            return found
    if isinstance(store, JSONFileStore):
        return file_status(store)
    if isinstance(store, MemoryStore):
        return memory_status(store)
    return StoreStatus(
        ok=True, kind=type(store).__name__, location=repr(store), details={"health": "unknown: no status()"}
    )


def memory_status(store: MemoryStore) -> StoreStatus:
    """A :class:`MemoryStore`'s status: always fine, and forgotten when the process exits."""
    from . import StoreStatus  # noqa: PLC0415 - the package imports this module

    rules = store.items()
    details = {
        "entries": str(len(rules)),
        "rules": str(sum(len(m.rules) for m in rules.values())),
        "persistence": "none: this process only",
    }
    return StoreStatus(ok=True, kind="memory", location="memory", details=details)


def file_status(store: JSONFileStore) -> StoreStatus:
    """A :class:`JSONFileStore`'s status from its ``path`` and ``mode`` and the file system; never raises.

    ``details``: ``path``, ``symlink``, ``directory``, ``permissions``, ``lock``, ``free space``,
    ``readable`` and ``writable`` (``yes``, or ``no: <why>``), ``entries`` and ``rules``.
    ``problems``: whatever stops the file from being read or written (a directory that cannot
    be made, an unreadable, corrupt or newer-schema file, a lock that cannot be opened, a
    read-only file system, too little space) and entries that fail validation. A file without
    write permission bits is read-only on purpose: it is said in ``details["writable"]``
    (:data:`READ_ONLY`), not as a problem.
    """
    from . import StoreStatus  # noqa: PLC0415 - the package imports this module

    path = Path(store.path)
    details: dict[str, str] = {"path": str(path)}
    problems: list[str] = []
    try:
        _inspect(path, store.mode, details, problems)
    except Exception as exc:  # noqa: BLE001 - a status never raises: what went wrong is its answer
        problems.append(f"cannot inspect the cache file: {type(exc).__name__}: {exc}")
        details["readable"] = details["writable"] = f"no: {problems[-1]}"
    order = {name: i for i, name in enumerate(_ORDER)}
    shown = dict(sorted(details.items(), key=lambda item: order.get(item[0], len(order))))
    return StoreStatus(not problems, "file", str(path), tuple(problems), shown)


def _inspect(path: Path, mode: int, details: dict[str, str], problems: list[str]) -> None:
    target = Path(os.path.realpath(path))
    if path.is_symlink():
        exists = "" if target.exists() else " (which does not exist yet)"
        details["symlink"] = f"yes, to {target}{exists}: that file is the one read, locked and replaced"
    else:
        details["symlink"] = "no"
    st = _stat(target)
    if st is not None and not stat.S_ISREG(st.st_mode):
        problems.append(f"{target} is not a regular file")
        details["readable"] = details["writable"] = "no: not a regular file"
        return
    if st is None:
        details["permissions"] = f"no file yet: created {mode:04o} on the first write"
    else:
        details["permissions"] = f"{stat.S_IMODE(st.st_mode):04o}, owner uid {st.st_uid} (this process: {_uid()})"
        if stat.S_IMODE(st.st_mode) != mode and st.st_mode & _WRITE_BITS:
            details["permissions"] += f"; the next write sets {mode:04o}"
    unwritable = [
        _directory(target.parent, details, problems),
        _lock(Path(f"{target}.lock"), details, problems),
        _space(target, st, details, problems),
    ]
    flag = _fixed(target) if st is not None else None
    if flag:
        problems.append(f"the file is {flag} (chattr): not even root replaces it")
        unwritable.append(problems[-1])
    unreadable, blocks_writes = _contents(target, details, problems) if st is not None else (None, False)
    details["readable"] = f"no: {unreadable}" if unreadable else "yes" if st is not None else "yes (no file yet)"
    why = next((reason for reason in [*unwritable, unreadable if blocks_writes else None] if reason), None)
    if st is not None and not st.st_mode & _WRITE_BITS:
        details["writable"] = READ_ONLY
    else:
        details["writable"] = f"no: {why}" if why else "yes"


def _stat(path: Path) -> os.stat_result | None:
    try:
        return path.stat()
    except (FileNotFoundError, NotADirectoryError):
        return None


def _uid() -> str:
    return f"uid {os.geteuid()}" if hasattr(os, "geteuid") else "unknown uid"


def _existing(directory: Path) -> Path:
    """``directory``, or its nearest ancestor that exists."""
    while not directory.exists() and directory != directory.parent:
        directory = directory.parent
    return directory


def _directory(directory: Path, details: dict[str, str], problems: list[str]) -> str | None:
    """Describe the file's directory; why a temporary file cannot be made in it and renamed, if so."""
    found = _existing(directory)
    made = "exists" if found == directory else f"not made yet; made on the first write, in {found}"
    details["directory"] = f"{directory} ({made})"
    if not found.is_dir():
        why = f"the directory {directory} cannot be made: {found} is not a directory"
    elif flag := _fixed(found):
        why = f"{found} is {flag} (chattr): no file can be made in it"
    elif _read_only_mount(found):
        why = f"{found} is on a read-only file system"
    elif not os.access(found, os.W_OK | os.X_OK):
        why = f"this process ({_uid()}) may not write in {found}"
    else:
        return None
    problems.append(why)
    return why


def _fixed(path: Path) -> str | None:
    """``immutable`` or ``append-only`` if Linux marks ``path`` so; ``None`` otherwise, or where it cannot say."""
    try:
        import fcntl  # noqa: PLC0415 - POSIX only

        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except (ImportError, OSError):
        return None
    try:
        flags = int.from_bytes(fcntl.ioctl(fd, _FS_IOC_GETFLAGS, bytes(8))[:4], sys.byteorder)
    except OSError:  # a file system without inode flags
        return None
    finally:
        os.close(fd)
    return next((name for bit, name in _FLAGS if flags & bit), None)


def _read_only_mount(directory: Path) -> bool:
    try:
        return bool(os.statvfs(directory).f_flag & os.ST_RDONLY)
    except (OSError, AttributeError):
        return False


def _lock(lock: Path, details: dict[str, str], problems: list[str]) -> str | None:
    """Describe the lock file; why it cannot be taken, if so."""
    st = _stat(lock)
    if st is None:
        details["lock"] = f"{lock} (made on the first write)"
        return None
    details["lock"] = f"{lock} ({stat.S_IMODE(st.st_mode):04o}, owner uid {st.st_uid})"
    if not stat.S_ISREG(st.st_mode):
        why = f"the lock {lock} is not a regular file"
    elif not os.access(lock, os.R_OK | os.W_OK):
        why = f"this process ({_uid()}) may not open the lock {lock}"
    else:
        return None
    problems.append(why)
    return why


def _space(target: Path, st: os.stat_result | None, details: dict[str, str], problems: list[str]) -> str | None:
    """Describe the free space beside the file; why a write may fail for want of it, if so."""
    try:
        free = shutil.disk_usage(_existing(target.parent)).free
    except OSError as exc:
        details["free space"] = f"unknown ({exc.strerror or exc})"
        return None
    details["free space"] = _size(free)
    if free >= (st.st_size if st is not None else 0) + _LOW_SPACE:
        return None
    why = f"only {_size(free)} free beside the cache file, and a write makes a new copy of it"
    problems.append(why)
    return why


def _size(count: int) -> str:
    value = float(count)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024:  # noqa: PLR2004 - the step between units
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} TiB"


def _contents(target: Path, details: dict[str, str], problems: list[str]) -> tuple[str | None, bool]:
    """Count the file's entries and rules; why it cannot be read, and whether that blocks writes too."""
    try:
        with target.open("rb") as f:  # read only: no lock, no copy aside
            text = f.read()
        rules, skipped = load_document(text)
    except OSError as exc:
        why, blocks_writes = f"cannot read the cache file: {exc.strerror or exc}", True
    except NewerSchemaError as exc:
        why, blocks_writes = str(exc), True
    except CacheFormatError as exc:
        why, blocks_writes = f"the cache file is corrupt ({exc}); the next write keeps a copy of it aside", False
    else:
        details["entries"] = str(len(rules))
        details["rules"] = str(sum(len(m.rules) for m in rules.values()))
        if skipped:
            problems.append(f"{len(skipped)} part(s) of the file fail validation and are skipped, first: {skipped[0]}")
        return None, False
    problems.append(why)
    return why, blocks_writes
