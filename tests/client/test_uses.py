"""Calls a learned rule rewrote are counted in memory and written with the key's next write, or at close."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from resilient_client import AsyncResilientAzureClient, JSONFileStore, ResilientAzureClient
from resilient_client._serialize import loads
from resilient_client.testing import AzureEmulator

API_VERSION = "2025-04-01-preview"
MESSAGES: Any = [{"role": "user", "content": "Hi"}]


def uses(path: Path) -> dict[str, int]:
    """Each rule's param -> uses, as the file holds them."""
    return {r.fix.param: r.evidence.uses for m in loads(path.read_bytes()).values() for r in m.rules}


def test_warm_calls_only_count_in_memory_and_close_writes_the_counts(azure: AzureEmulator, tmp_path: Path) -> None:
    """A cold call learns two rules; three warm calls leave the file alone; close() writes uses=3 for each."""
    path = tmp_path / "rules.json"
    with ResilientAzureClient(
        azure_endpoint=azure.endpoint, api_key="k", api_version=API_VERSION, store=JSONFileStore(path)
    ) as client:
        for _ in range(4):
            client.chat.completions.create(model="o4-mini", messages=MESSAGES, max_tokens=5, temperature=0.5)
        written = path.stat().st_mtime_ns
        assert uses(path) == {"max_tokens": 0, "temperature": 0}
    assert path.stat().st_mtime_ns != written
    assert uses(path) == {"max_tokens": 3, "temperature": 3}
    assert azure.count("o4-mini", status=400) == 2


def test_counts_ride_along_with_the_keys_next_write(azure: AzureEmulator, tmp_path: Path) -> None:
    """A new rejection on the same key writes the counts so far with the new rule."""
    path = tmp_path / "rules.json"
    client = ResilientAzureClient(
        azure_endpoint=azure.endpoint, api_key="k", api_version=API_VERSION, store=JSONFileStore(path)
    )
    client.chat.completions.create(model="o4-mini", messages=MESSAGES, max_tokens=5)
    client.chat.completions.create(model="o4-mini", messages=MESSAGES, max_tokens=5)
    assert uses(path) == {"max_tokens": 0}  # the warm call counted in memory only
    client.chat.completions.create(model="o4-mini", messages=MESSAGES, max_tokens=5, top_p=0.5)
    # The call that learned top_p was itself rewritten before it was sent: two so far, written with top_p.
    assert uses(path) == {"max_tokens": 2, "top_p": 0}
    client.close()
    assert uses(path) == {"max_tokens": 2, "top_p": 0}


def test_async_close_writes_the_counts(azure: AzureEmulator, tmp_path: Path) -> None:
    """The async client counts the same way and writes at ``await close()``."""
    path = tmp_path / "rules.json"

    async def go() -> None:
        async with AsyncResilientAzureClient(
            azure_endpoint=azure.endpoint, api_key="k", api_version=API_VERSION, store=JSONFileStore(path)
        ) as client:
            for _ in range(3):
                await client.chat.completions.create(model="o4-mini", messages=MESSAGES, temperature=0.5)

    asyncio.run(go())
    assert uses(path) == {"temperature": 2}


def uses_by_key(path: Path) -> dict[tuple[str, str], int]:
    """(deployment, param) -> uses, as the file holds them."""
    return {(k.deployment, r.fix.param): r.evidence.uses for k, m in loads(path.read_bytes()).items() for r in m.rules}


def test_close_writes_every_keys_counts_in_one_write(
    azure: AzureEmulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Warm calls on three keys (sync) and two (async): each close writes the file once, with every count."""
    path = tmp_path / "rules.json"
    store = JSONFileStore(path)
    replaced: list[None] = []
    original = store._replace
    monkeypatch.setattr(store, "_replace", lambda *args: replaced.append(original(*args)))
    options: dict[str, Any] = {"azure_endpoint": azure.endpoint, "api_key": "k", "api_version": API_VERSION}
    models = ("o4-mini", "o3-mini", "gpt-5")
    with ResilientAzureClient(**options, store=store) as client:
        for model in models * 2:
            client.chat.completions.create(model=model, messages=MESSAGES, temperature=0.5)
        learned = len(replaced)
    assert len(replaced) == learned + 1
    assert uses_by_key(path) == {
        ("o4-mini", "temperature"): 1,
        ("o3-mini", "temperature"): 1,
        ("gpt-5", "temperature"): 1,
    }

    async def go() -> None:
        async with AsyncResilientAzureClient(**options, store=store) as aclient:
            for model in models[:2]:
                await aclient.chat.completions.create(model=model, messages=MESSAGES, temperature=0.5)

    asyncio.run(go())
    assert len(replaced) == learned + 2
    assert uses_by_key(path) == {
        ("o4-mini", "temperature"): 2,
        ("o3-mini", "temperature"): 2,
        ("gpt-5", "temperature"): 1,
    }
