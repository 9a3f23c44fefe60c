from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from resilient_client.testing import AzureEmulator


@pytest.fixture(autouse=True)
def cache_env(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point $RESILIENT_CLIENT_CACHE at a fresh temporary file so no test touches the user's cache."""
    path = tmp_path_factory.mktemp("default-cache") / "rules.json"
    monkeypatch.setenv("RESILIENT_CLIENT_CACHE", str(path))
    return path


@pytest.fixture(scope="session")
def azure_server() -> Iterator[AzureEmulator]:
    """One loopback emulator (a deployment per built-in profile) for the session: stopping one takes ~0.5 s."""
    with AzureEmulator() as emulator:
        yield emulator


@pytest.fixture
def azure(azure_server: AzureEmulator) -> AzureEmulator:
    """The session's emulator, with the requests of earlier tests forgotten."""
    azure_server.reset()
    return azure_server
