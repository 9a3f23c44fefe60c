"""mode="observe": no request is changed; rejections are learned and reported, then raised as plain openai raises."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import openai
import pytest

from resilient_client import (
    AsyncResilientAzureClient,
    Drop,
    MemoryStore,
    RepairEvent,
    ResilientAzureClient,
)
from resilient_client._models import Rename
from resilient_client.testing import AzureEmulator

API_VERSION = "2025-04-01-preview"
MESSAGES: Any = [{"role": "user", "content": "Hi"}]


def client(azure: AzureEmulator, store: MemoryStore, **options: Any) -> ResilientAzureClient:
    return ResilientAzureClient(
        azure_endpoint=azure.endpoint, api_key="k", api_version=API_VERSION, store=store, max_retries=0, **options
    )


def events(caplog: pytest.LogCaptureFixture, name: str) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.__dict__.get("event") == name]


def test_a_rejection_is_learned_reported_and_raised_unchanged(
    azure: AzureEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    """o4-mini refuses max_tokens: one request, the server's own error, the rule stored and reported."""
    caplog.set_level(logging.INFO, logger="resilient_client")
    store = MemoryStore()
    seen: list[RepairEvent] = []
    with (
        client(azure, store, mode="observe", on_repair=seen.append) as c,
        pytest.raises(openai.BadRequestError) as info,
    ):
        c.chat.completions.create(model="o4-mini", messages=MESSAGES, max_tokens=5)
    assert type(info.value) is openai.BadRequestError
    assert azure.count("o4-mini") == 1
    (mapping,) = store.items().values()
    assert mapping.fixes == (Rename("max_tokens", "max_completion_tokens"),)
    assert [e.fix for e in seen] == [Rename("max_tokens", "max_completion_tokens")]
    (observed,) = events(caplog, "repair_observed")
    assert observed.__dict__["param"] == "max_tokens"
    assert not events(caplog, "parameter_repaired")


def test_known_rules_are_reported_and_the_request_is_sent_unchanged(
    azure: AzureEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    """Rules learned in repair mode: an observing client sends the caller's body and says what would change."""
    store = MemoryStore()
    with client(azure, store) as c:
        c.chat.completions.create(model="o4-mini", messages=MESSAGES, max_tokens=5, temperature=0.5)
    azure.reset()
    caplog.set_level(logging.INFO, logger="resilient_client")
    with client(azure, store, mode="observe") as c, pytest.raises(openai.BadRequestError):
        c.chat.completions.create(model="o4-mini", messages=MESSAGES, max_tokens=5, temperature=0.5)
    (sent,) = azure.bodies("o4-mini")
    assert sent["max_tokens"] == 5
    assert sent["temperature"] == 0.5
    (would,) = events(caplog, "would_rewrite")
    assert would.__dict__["fixes"] == ["max_tokens:rename", "temperature:drop"]


def test_an_accepted_call_is_unchanged_and_records_nothing_it_did_not_see(azure: AzureEmulator) -> None:
    """A call the deployment accepts goes through as sent; observing records only that it was accepted."""
    store = MemoryStore()
    with client(azure, store, mode="observe") as c:
        reply = c.chat.completions.create(model="gpt-4o", messages=MESSAGES, max_tokens=5)
    assert reply.choices[0].message.content
    (mapping,) = store.items().values()
    assert mapping.rules == ()
    assert "max_tokens" in mapping.accepted


def test_observe_async(azure: AzureEmulator) -> None:
    """The async client observes the same way: one request, the original error, the rule stored."""
    store = MemoryStore()

    async def go() -> None:
        async with AsyncResilientAzureClient(
            azure_endpoint=azure.endpoint, api_key="k", api_version=API_VERSION, store=store, max_retries=0,
            mode="observe",
        ) as c:  # fmt: skip
            with pytest.raises(openai.BadRequestError):
                await c.chat.completions.create(model="o4-mini", messages=MESSAGES, temperature=0.5)

    asyncio.run(go())
    assert azure.count("o4-mini") == 1
    (mapping,) = store.items().values()
    assert mapping.fixes == (Drop("temperature"),)


def test_switching_observe_off_applies_what_was_observed(azure: AzureEmulator) -> None:
    """Observe first, then repair: the reviewed rules apply and the call costs one request."""
    store = MemoryStore()
    with client(azure, store, mode="observe") as c, pytest.raises(openai.BadRequestError):
        c.chat.completions.create(model="o4-mini", messages=MESSAGES, max_tokens=5)
    azure.reset()
    with client(azure, store).with_options(mode="repair") as c:
        c.chat.completions.create(model="o4-mini", messages=MESSAGES, max_tokens=5)
    assert azure.count("o4-mini") == 1


@pytest.mark.parametrize("mode", ["Observe", "dry-run", 1])
def test_an_unknown_mode_is_refused_at_construction(azure: AzureEmulator, mode: object) -> None:
    """A typo in mode is a clear ValueError, not a silent repair."""
    with pytest.raises(ValueError, match="mode must be"):
        client(azure, MemoryStore(), mode=mode)
