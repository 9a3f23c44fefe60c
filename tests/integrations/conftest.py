"""Fixtures for the framework tests: the real frameworks against the emulator.

Each test module imports its framework with :func:`frameworks.framework`, which skips the module
when the framework's extra is not installed, and fails it instead when
``$RESILIENT_REQUIRE_INTEGRATIONS`` is set (as ``.ci/run`` does after installing the
extras), so a broken install can never pass as a skip.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openai
import pytest
from frameworks import REASONER

from resilient_client.testing import PROFILES, AzureEmulator


@pytest.fixture(scope="session")
def azure_server() -> Iterator[AzureEmulator]:
    """The emulator, with every built-in profile plus :data:`REASONER` (o4-mini under a neutral name)."""
    with AzureEmulator(deployments={**PROFILES, REASONER: PROFILES["o4-mini"]}) as emulator:
        yield emulator


@pytest.fixture(autouse=True)
def cache_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point $RESILIENT_CLIENT_CACHE at a fresh file: no test touches the user's cache or another test's."""
    path = tmp_path / "default-cache.json"
    monkeypatch.setenv("RESILIENT_CLIENT_CACHE", str(path))
    return path


@pytest.fixture
def store(tmp_path: Path) -> Path:
    """A fresh learned-rules file for one test."""
    return tmp_path / "rules.json"


@pytest.fixture
def litellm_clients() -> Iterator[None]:
    """LiteLLM's cache of openai clients, empty before and after the test (every LiteLLM test uses this).

    LiteLLM caches the openai clients it builds, and LiteLLM 1.66.3 also caches one passed as ``client=``:
    a later call without ``client=`` would reuse that one after its test closed it ("the client has been
    closed"), in whichever test runs next on the same worker.
    """
    _forget_litellm_clients()
    yield
    _forget_litellm_clients()


def _forget_litellm_clients() -> None:
    litellm: Any = sys.modules["litellm"]
    cached: dict[str, Any] = litellm.in_memory_llm_clients_cache.cache_dict
    for client in list(cached.values()):
        if isinstance(client, openai.OpenAI):
            client.close()
    cached.clear()


@pytest.fixture
def http() -> Iterator[openai.DefaultHttpxClient]:
    """An HTTP client for a framework's openai clients, closed after the test.

    LangChain and LlamaIndex never close the openai clients they build; a pooled connection
    collected with them would be reported as an unclosed socket in whichever later test the
    garbage collector happens to run.
    """
    with openai.DefaultHttpxClient() as client:
        yield client
