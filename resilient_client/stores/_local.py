"""What the shared stores have in common: a local copy served to warm calls, and warn-once."""

from __future__ import annotations

import logging
import time

from .. import _log
from .._models import DeploymentKey, DeploymentMapping
from .._serialize import Rules

__all__ = ["LocalCopy"]


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
        """Log a ``store_error`` once per kind of problem."""
        if what not in self._warned:
            self._warned.add(what)
            _log.emit(logging.WARNING, _log.STORE_ERROR, store=repr(self), problem=what, detail=message)
