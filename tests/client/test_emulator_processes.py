"""Processes that point at one cache file share what each learns."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from resilient_client import AsyncResilientAzureClient, JSONFileStore, Rename, ResilientAzureClient
from resilient_client.testing import AzureEmulator

API_VERSION = "2025-04-01-preview"

_CHILD = """
import sys
from resilient_client import ResilientAzureClient
endpoint, cache = sys.argv[1], sys.argv[2]
with ResilientAzureClient(azure_endpoint=endpoint, api_key="k", api_version="2025-04-01-preview",
                          max_retries=0, store=cache) as client:
    client.chat.completions.create(model="o4-mini", messages=[{"role": "user", "content": "hi"}], max_tokens=50)
"""


def _learn_in_child(azure: AzureEmulator, cache: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, azure.endpoint, str(cache)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    assert [r.status for r in azure.requests] == [400, 200]
    azure.reset()


@pytest.mark.slow
def test_sync_client_in_another_process_reuses_the_learned_fix(azure: AzureEmulator, tmp_path: Path) -> None:
    """A child process learns the o4-mini fix into a cache file; a new sync client on that file sends one request."""
    cache = tmp_path / "shared" / "rules.json"
    _learn_in_child(azure, cache)
    (mapping,) = JSONFileStore(cache).items().values()
    assert mapping.fixes == (Rename("max_tokens", "max_completion_tokens"),)
    with ResilientAzureClient(
        azure_endpoint=azure.endpoint, api_key="k", api_version=API_VERSION, max_retries=0, store=cache
    ) as client:
        client.chat.completions.create(model="o4-mini", messages=[{"role": "user", "content": "hi"}], max_tokens=50)
    (sent,) = azure.bodies("o4-mini")
    assert sent["max_completion_tokens"] == 50
    assert "max_tokens" not in sent


@pytest.mark.slow
@pytest.mark.asyncio
async def test_async_client_in_another_process_reuses_the_learned_fix(azure: AzureEmulator, tmp_path: Path) -> None:
    """A child process learns the o4-mini fix into a cache file; a new async client on that file sends one request."""
    cache = tmp_path / "shared" / "rules.json"
    _learn_in_child(azure, cache)
    async with AsyncResilientAzureClient(
        azure_endpoint=azure.endpoint, api_key="k", api_version=API_VERSION, max_retries=0, store=str(cache)
    ) as client:
        await client.chat.completions.create(
            model="o4-mini", messages=[{"role": "user", "content": "hi"}], max_tokens=50
        )
    assert [r.status for r in azure.requests] == [200]
    assert "max_tokens" not in azure.bodies("o4-mini")[0]
