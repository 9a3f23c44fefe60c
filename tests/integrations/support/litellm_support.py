"""What the two LiteLLM test modules share: LiteLLM imported offline, the call, and clean-up."""

from __future__ import annotations

import asyncio
import atexit
import os
import warnings
from typing import Any

import pytest
from frameworks import API_VERSION, framework

from resilient_client.testing import AzureEmulator

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")  # its model map from the package, never the web
litellm: Any = framework("litellm", "litellm")
litellm.telemetry = False
litellm.suppress_debug_info = True

# LiteLLM 1.66.3 makes an event loop the main thread's current one at import (it calls
# asyncio.get_event_loop() to build a cache key) and never closes it. Keep it referenced,
# keyed clients and all, and close it at exit, so the garbage collector never reports it
# as unclosed in the middle of the session.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    LOOP_AT_IMPORT = asyncio.get_event_loop_policy().get_event_loop()
atexit.register(LOOP_AT_IMPORT.close)

WARNINGS = [
    # LiteLLM's own models, not ours: 1.66.3 warns when it serializes its responses, newer
    # releases when pydantic builds their ReadOnly TypedDicts.
    pytest.mark.filterwarnings("ignore:Pydantic serializer warnings:UserWarning"),
    pytest.mark.filterwarnings("ignore:Items? .* on TypedDict class .* using the `ReadOnly` qualifier:UserWarning"),
]
MESSAGES = [{"role": "system", "content": "Answer briefly."}, {"role": "user", "content": "Say ok."}]


def where(azure: AzureEmulator) -> dict[str, Any]:
    """LiteLLM's arguments naming the emulated Azure resource."""
    return {"api_base": azure.endpoint, "api_key": "k", "api_version": API_VERSION}
