"""The OpenTelemetry tests' emulator (the SDK's fixtures, ``otel`` and ``otel_session``, are in tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from resilient_client.testing import PROFILES, AzureEmulator, fixed
from tests.otel.helpers import PUZZLING, PUZZLING_ANSWER


@pytest.fixture(scope="session")
def azure_server() -> Iterator[AzureEmulator]:
    """The emulator with every built-in profile, plus :data:`PUZZLING`."""
    with AzureEmulator(deployments={**PROFILES, PUZZLING: fixed(400, PUZZLING_ANSWER)}) as emulator:
        yield emulator
