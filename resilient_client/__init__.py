"""resilient_client: Azure OpenAI and OpenAI clients that learn which parameters each deployment accepts.

Swap ``AzureOpenAI`` for :class:`ResilientAzureClient` (or ``OpenAI`` for
:class:`ResilientOpenAI`, with any OpenAI-compatible ``base_url``); nothing else changes.
When the API rejects a parameter, value or role, the client reads the error against the
request it sent, learns the repair for that deployment, shares it through a cache, and
retries. :func:`explain` shows what it makes of an error body.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from ._client import (
    AsyncResilientAzureClient,
    AsyncResilientOpenAI,
    RepairBlockedError,
    RepairEvent,
    ResilienceOptions,
    ResilientAzureClient,
    ResilientOpenAI,
    make_resilient,
)
from ._errors import CacheFormatError, NewerSchemaError, ResilientClientError, ResilientClientWarning, StoreError
from ._explain import Explanation, explain
from ._models import (
    DEFAULT_PROTECTED,
    ChangeRole,
    Clamp,
    Condition,
    DeploymentKey,
    DeploymentMapping,
    Drop,
    Evidence,
    Fix,
    LearnedRule,
    Rename,
    RepairPolicy,
    SetValue,
)
from .stores import AsyncStore, AsyncStoreAdapter, JSONFileStore, MemoryStore, Store, default_cache_path

try:
    __version__ = version("resilient-client")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

__all__ = [
    "DEFAULT_PROTECTED",
    "AsyncResilientAzureClient",
    "AsyncResilientOpenAI",
    "AsyncStore",
    "AsyncStoreAdapter",
    "CacheFormatError",
    "ChangeRole",
    "Clamp",
    "Condition",
    "DeploymentKey",
    "DeploymentMapping",
    "Drop",
    "Evidence",
    "Explanation",
    "Fix",
    "JSONFileStore",
    "LearnedRule",
    "MemoryStore",
    "NewerSchemaError",
    "Rename",
    "RepairBlockedError",
    "RepairEvent",
    "RepairPolicy",
    "ResilienceOptions",
    "ResilientAzureClient",
    "ResilientClientError",
    "ResilientClientWarning",
    "ResilientOpenAI",
    "SetValue",
    "Store",
    "StoreError",
    "__version__",
    "default_cache_path",
    "explain",
    "make_resilient",
]
