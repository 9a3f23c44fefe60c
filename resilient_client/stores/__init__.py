"""Where learned rules live: the :class:`Store` protocol and its backends.

A store is anything with ``get``, ``merge``, ``clear``, ``items`` and ``close``;
plug in your own without inheriting from anything. Backends shipped here:

- :class:`MemoryStore`: this process only.
- :class:`JSONFileStore`: a JSON file shared by every process that points at it
  (the default, in the user cache directory).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Final, Protocol, runtime_checkable

import platformdirs

from .._core import merge
from .._models import DeploymentKey, DeploymentMapping, LearnedRule
from .._serialize import Rules
from .json_file import JSONFileStore

__all__ = ["CACHE_ENV", "JSONFileStore", "MemoryStore", "Store", "default_cache_path", "resolve_store"]

CACHE_ENV: Final = "RESILIENT_CLIENT_CACHE"


@runtime_checkable
class Store(Protocol):
    """A shared map from deployment keys to learned rules."""

    def get(self, key: DeploymentKey) -> DeploymentMapping | None:
        """The rules known for ``key``; called on every request, so it must be cheap."""

    def merge(self, key: DeploymentKey, rule: LearnedRule) -> DeploymentMapping:
        """Add ``rule`` for ``key`` (read-modify-write, atomic) and return the key's rules."""

    def clear(self, key: DeploymentKey | None = None) -> None:
        """Forget the rules of ``key``, or of every key."""

    def items(self) -> Rules:
        """Every key's rules (for the CLI and exports)."""

    def close(self) -> None:
        """Release what the store holds."""


class MemoryStore:
    """Rules kept in this process only; thread-safe."""

    def __init__(self) -> None:
        self._rules: Rules = {}
        self._lock = threading.Lock()

    def get(self, key: DeploymentKey) -> DeploymentMapping | None:
        """The rules known for ``key``."""
        return self._rules.get(key)

    def merge(self, key: DeploymentKey, rule: LearnedRule) -> DeploymentMapping:
        """Add ``rule`` for ``key``."""
        with self._lock:
            mapping = merge(self._rules.get(key) or DeploymentMapping(), rule)
            self._rules = {**self._rules, key: mapping}
            return mapping

    def clear(self, key: DeploymentKey | None = None) -> None:
        """Forget ``key``'s rules, or all."""
        with self._lock:
            self._rules = {} if key is None else {k: v for k, v in self._rules.items() if k != key}

    def items(self) -> Rules:
        """A snapshot of every key's rules."""
        return dict(self._rules)

    def close(self) -> None:
        """Nothing to release."""


def default_cache_path() -> Path:
    """``$RESILIENT_CLIENT_CACHE``, else ``rules.json`` in the platform's user cache directory."""
    env = os.environ.get(CACHE_ENV)
    if env:
        return Path(env).expanduser()
    return platformdirs.user_cache_path("resilient-client", appauthor=False) / "rules.json"


_shared: dict[Path, JSONFileStore] = {}
_shared_lock = threading.Lock()


def resolve_store(store: Store | str | os.PathLike[str] | None) -> Store:
    """Turn the ``store=`` argument into a store.

    Args:
        store: A store object (used as is), a path to a JSON cache file, or ``None``
            for :func:`default_cache_path`. Clients in one process that name the same
            file share one in-memory copy of it.

    Returns:
        The store.
    """
    if store is not None and not isinstance(store, str | os.PathLike):
        return store
    path = Path(store).expanduser() if store is not None else default_cache_path()
    path = path.absolute()
    with _shared_lock:
        found = _shared.get(path)
        if found is None:
            found = _shared[path] = JSONFileStore(path)
        return found
