"""Configuration shared by every test directory; fixtures used across directories go here."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from resilient_client.testing import AzureEmulator


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
