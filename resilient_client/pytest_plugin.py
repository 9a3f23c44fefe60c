"""A pytest plugin (auto-loaded once resilient-client is installed) with an ``azure_emulator`` fixture.

Use it to test your own code against an emulated Azure OpenAI resource::

    def test_my_summary(azure_emulator, tmp_path):
        client = ResilientAzureClient(azure_endpoint=azure_emulator.endpoint, api_key="test",
                                      api_version="2025-04-01-preview", store=tmp_path / "rules.json")
        assert summarize(client, model="o4-mini") == "ok"
        assert azure_emulator.count("o4-mini", status=400) == 1
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .testing import AzureEmulator

__all__ = ["azure_emulator"]


@pytest.fixture
def azure_emulator() -> Iterator[AzureEmulator]:
    """A running :class:`~resilient_client.testing.AzureEmulator` with every built-in deployment."""
    with AzureEmulator() as emulator:
        yield emulator
