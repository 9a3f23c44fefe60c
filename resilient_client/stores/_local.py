"""What the shared stores have in common: a local copy served to warm calls, and warn-once."""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
import warnings
from typing import Final

from .. import _log
from .._errors import ResilientClientWarning
from .._models import DeploymentKey, DeploymentMapping
from .._serialize import Rules

__all__ = ["UNSAVED", "LocalCopy"]

UNSAVED: Final = frozenset({"write", "flush", "down", "contention"})
"""The problem kinds that mean learned rules are not persisted: a failed file write (``write``, and
``flush`` at close or exit), Redis unreachable (``down``) or too contended to write (``contention``).
A file read-only on purpose (``read-only``), a corrupt or unreadable file, a lease that cannot be
made and invalid entries are not among them: what is learned is still written, or is not meant to be."""

_told_lock = threading.Lock()
_PACKAGE: Final = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep


class LocalCopy:
    """Base of stores shared between processes: ``get`` reads memory, refreshed at most every ``check_interval``.

    Subclasses implement ``refresh`` (pick up other processes' changes) and keep
    ``_rules`` current, replacing it rather than changing it in place, so that
    :meth:`peek` may read it from any thread while a refresh runs.
    """

    check_interval: float

    def __init__(self, check_interval: float) -> None:
        self.check_interval = check_interval
        self._rules: Rules = {}
        self._checked_at = float("-inf")
        self._warned: set[str] = set()
        self._told = False

    def get(self, key: DeploymentKey) -> DeploymentMapping | None:
        """The mapping for ``key`` from the local copy (refreshed at most once per ``check_interval``)."""
        if time.monotonic() - self._checked_at >= self.check_interval:
            self.refresh()
        return self._rules.get(key)

    def due(self) -> bool:
        """Whether ``get`` would refresh first: ``check_interval`` has passed since the last refresh."""
        return time.monotonic() - self._checked_at >= self.check_interval

    def peek(self, key: DeploymentKey) -> DeploymentMapping | None:
        """The mapping for ``key`` from the local copy as it is: ``get`` without the refresh, so never any I/O.

        With :meth:`due`, this lets a caller run the refresh elsewhere (an async
        client runs it in a worker thread) and serve ``get`` from memory meanwhile.
        """
        return self._rules.get(key)

    def refresh(self) -> None:
        """Pick up other processes' changes now."""
        raise NotImplementedError

    def _warn(self, what: str, message: str) -> None:
        """Log a ``store_error`` once per kind of problem; the first that loses learned rules is also a warning."""
        if what in UNSAVED and self._tell(message):
            message += " [the ResilientClientWarning for it was turned into an error by the warning filters]"
        if what not in self._warned:
            self._warned.add(what)
            _log.emit(logging.WARNING, _log.STORE_ERROR, store=repr(self), problem=what, detail=message)

    def _tell(self, message: str) -> bool:
        """Issue this store's one :class:`ResilientClientWarning`; ``True`` if the filters made it an error."""
        with _told_lock:
            if self._told:
                return False
            self._told = True
        where = getattr(self, "location", None) or repr(self)
        text = (
            f"resilient_client cannot save learned rules to the cache {where}: every process pays their "
            f"rejections again until this is fixed ({message})"
        )
        try:
            warnings.warn(ResilientClientWarning(text, store=where, detail=message), stacklevel=_caller_level())
        except Exception:  # noqa: BLE001 - a warning never fails a request: logged instead
            return True
        return False


def _caller_level() -> int:
    """The ``stacklevel`` of the first frame outside this package and openai: the application's call."""
    openai = sys.modules.get("openai")
    inner = (_PACKAGE, os.path.dirname(openai.__file__ or "") + os.sep) if openai is not None else (_PACKAGE,)
    frame = sys._getframe(2)  # noqa: SLF001 - the warning points at the application's line
    level = 2  # _warn's frame
    while frame.f_back is not None and frame.f_code.co_filename.startswith(inner):
        frame = frame.f_back
        level += 1
    return level
