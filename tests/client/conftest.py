from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from resilient_client.testing import AzureEmulator


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point $RESILIENT_CLIENT_CACHE at a fresh temporary file so no test touches the user's cache."""
    path = tmp_path_factory.mktemp("default-cache") / "rules.json"
    monkeypatch.setenv("RESILIENT_CLIENT_CACHE", str(path))
    return path


@pytest.fixture
def azure() -> Iterator[AzureEmulator]:
    """A loopback Azure OpenAI emulator with one deployment per built-in profile."""
    with AzureEmulator() as emulator:
        yield emulator
