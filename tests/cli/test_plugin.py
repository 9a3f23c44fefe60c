"""The pytest plugin users get: an azure_emulator fixture."""

from __future__ import annotations

from pathlib import Path

from resilient_client import ResilientAzureClient
from resilient_client.testing import AzureEmulator


def test_azure_emulator_fixture_serves_the_builtin_deployments(azure_emulator: AzureEmulator, tmp_path: Path) -> None:
    """The fixture is a running emulator whose o4-mini deployment needs one repair, then one request a call."""
    with ResilientAzureClient(
        azure_endpoint=azure_emulator.endpoint,
        api_key="test",
        api_version="2025-04-01-preview",
        store=tmp_path / "rules.json",
        max_retries=0,
    ) as client:
        for _ in range(2):
            client.chat.completions.create(model="o4-mini", messages=[{"role": "user", "content": "hi"}], max_tokens=5)
    assert azure_emulator.count("o4-mini", status=400) == 1
    assert azure_emulator.count("o4-mini") == 3
