"""Exceptions raised by resilient_client.

::

    Exception
     └── ResilientClientError
          ├── RepairBlockedError (also openai.BadRequestError; defined in _client)
          └── StoreError
               ├── CacheFormatError (also ValueError)
               └── NewerSchemaError

    UserWarning
     └── ResilientClientWarning (issued, never raised)

Errors Azure sends that the library does not repair are re-raised unchanged: the
same ``openai.BadRequestError`` (or ``NotFoundError``…) object the SDK raised.
"""

from __future__ import annotations

__all__ = [
    "CacheFormatError",
    "NewerSchemaError",
    "ResilientClientError",
    "ResilientClientWarning",
    "StoreError",
]


class ResilientClientError(Exception):
    """Base class of the errors this library raises itself."""


class StoreError(ResilientClientError):
    """A learned-rule store could not be read or written."""


class CacheFormatError(StoreError, ValueError):
    """A cache document is not valid JSON or not the expected layout."""


class NewerSchemaError(StoreError):
    """The cache was written by a newer version of resilient_client; it is not overwritten.

    Args:
        found: The schema version in the file.
        supported: The newest version this library reads.
    """

    def __init__(self, found: int, supported: int) -> None:
        super().__init__(found, supported)
        self.found = found
        self.supported = supported

    def __str__(self) -> str:
        return (
            f"cache schema version {self.found} is newer than this resilient_client reads ({self.supported}); "
            "upgrade resilient_client or point RESILIENT_CLIENT_CACHE at another file"
        )


class ResilientClientWarning(UserWarning):
    """The setup needs fixing, though every request still works: learned rules cannot be persisted.

    Issued with :func:`warnings.warn` once per store per process, when a write to the cache
    fails (a file that cannot be written, a full disk, a lock never had, Redis too contended to
    write) or Redis cannot be reached. Until it is fixed, every process pays each rejection again. A cache file made
    read-only on purpose does not warn. Silence it with
    ``warnings.filterwarnings("ignore", category=ResilientClientWarning)``; where the warning
    filters turn it into an error, it is logged instead (``store_error``) and never raised.

    Args:
        message: What is wrong, naming the store.
        store: The store, as it may be shown (a URL's password as ``***``).
        detail: The cause, in one line.
    """

    def __init__(self, message: str, *, store: str = "", detail: str = "") -> None:
        super().__init__(message)
        self.store = store
        self.detail = detail
