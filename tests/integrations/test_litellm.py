"""LiteLLM with a resilient client: ``litellm.completion(..., client=ResilientAzureClient(...))``.

LiteLLM decides from its own tables which parameters a model takes; an Azure deployment
name that does not name the model (``prod-reasoner``, an o4-mini) defeats them, so plain
LiteLLM sends ``max_tokens``, ``temperature`` and ``top_p`` and gets a 400. With a
resilient client the first call is repaired (one 400 per rejected parameter) and every
later call is sent right the first time. These tests run on any LiteLLM release: CI runs
them on the newest and, in the seed venv, on 1.66.3.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from frameworks import API_VERSION, REASONER
from litellm_support import MESSAGES, WARNINGS, litellm, where

from resilient_client import AsyncResilientAzureClient, JSONFileStore, ResilientAzureClient
from resilient_client.testing import AzureEmulator

pytestmark = [*WARNINGS, pytest.mark.usefixtures("litellm_clients")]
GPT4O_STYLE: dict[str, Any] = {"max_tokens": 50, "temperature": 0.2, "top_p": 0.9}
REJECTED = {"max_tokens", "temperature", "top_p"}


def _client(azure: AzureEmulator, store: Path) -> ResilientAzureClient:
    return ResilientAzureClient(azure_endpoint=azure.endpoint, api_key="k", api_version=API_VERSION, store=store)


def _aclient(azure: AzureEmulator, store: Path) -> AsyncResilientAzureClient:
    return AsyncResilientAzureClient(azure_endpoint=azure.endpoint, api_key="k", api_version=API_VERSION, store=store)


def _assert_repaired_then_warm(azure: AzureEmulator, first: list[int]) -> None:
    """The first call's statuses were three 400s and a 200; the warm call's body was right the first time."""
    assert first == [400, 400, 400, 200]
    warm = azure.bodies(REASONER)[len(first) :]
    assert len(warm) == 1
    assert warm[0]["max_completion_tokens"] == 50
    assert not REJECTED & warm[0].keys()
    assert warm[0]["messages"][-1] == MESSAGES[-1]


def _statuses(azure: AzureEmulator) -> list[int]:
    return [r.status for r in azure.requests]


def test_plain_litellm_fails_on_a_deployment_its_tables_cannot_name(azure: AzureEmulator) -> None:
    """Without a resilient client, LiteLLM sends max_tokens to the o4-mini behind prod-reasoner and gets Azure's 400."""
    with pytest.raises(litellm.BadRequestError, match="Use 'max_completion_tokens' instead"):
        litellm.completion(model=f"azure/{REASONER}", messages=MESSAGES, **GPT4O_STYLE, **where(azure))
    assert _statuses(azure) == [400]
    assert azure.bodies(REASONER)[0]["max_tokens"] == 50


def test_completion_is_repaired_once_then_sent_right(azure: AzureEmulator, store: Path) -> None:
    """litellm.completion(client=...) is repaired on the first call and sends one request on the second."""
    with _client(azure, store) as client:
        call = {"model": f"azure/{REASONER}", "messages": MESSAGES, "client": client, **GPT4O_STYLE, **where(azure)}
        assert litellm.completion(**call).choices[0].message.content == "ok"
        first = _statuses(azure)
        assert litellm.completion(**call).choices[0].message.content == "ok"
    _assert_repaired_then_warm(azure, first)


def test_streaming_completion_is_repaired_once_then_sent_right(azure: AzureEmulator, store: Path) -> None:
    """A streamed litellm.completion is repaired before the stream starts; the second stream sends one request."""
    with _client(azure, store) as client:
        call = {"model": f"azure/{REASONER}", "messages": MESSAGES, "client": client, "stream": True}
        chunks = litellm.completion(**call, **GPT4O_STYLE, **where(azure))
        assert "".join(c.choices[0].delta.content or "" for c in chunks) == "ok"
        first = _statuses(azure)
        chunks = litellm.completion(**call, **GPT4O_STYLE, **where(azure))
        assert "".join(c.choices[0].delta.content or "" for c in chunks) == "ok"
    _assert_repaired_then_warm(azure, first)
    assert all(body["stream"] is True for body in azure.bodies(REASONER))


@pytest.mark.asyncio
async def test_acompletion_is_repaired_once_then_sent_right(azure: AzureEmulator, store: Path) -> None:
    """litellm.acompletion(client=AsyncResilientAzureClient(...)) is repaired once, then sends one request."""
    async with _aclient(azure, store) as client:
        call = {"model": f"azure/{REASONER}", "messages": MESSAGES, "client": client}
        first_reply = await litellm.acompletion(**call, **GPT4O_STYLE, **where(azure))
        assert first_reply.choices[0].message.content == "ok"
        first = _statuses(azure)
        second_reply = await litellm.acompletion(**call, **GPT4O_STYLE, **where(azure))
        assert second_reply.choices[0].message.content == "ok"
    _assert_repaired_then_warm(azure, first)


@pytest.mark.asyncio
async def test_async_streaming_is_repaired_once_then_sent_right(azure: AzureEmulator, store: Path) -> None:
    """A streamed litellm.acompletion is repaired once, then sends one request."""
    async with _aclient(azure, store) as client:
        call = {"model": f"azure/{REASONER}", "messages": MESSAGES, "client": client, "stream": True}
        chunks = await litellm.acompletion(**call, **GPT4O_STYLE, **where(azure))
        assert "".join([c.choices[0].delta.content or "" async for c in chunks]) == "ok"
        first = _statuses(azure)
        chunks = await litellm.acompletion(**call, **GPT4O_STYLE, **where(azure))
        assert "".join([c.choices[0].delta.content or "" async for c in chunks]) == "ok"
    _assert_repaired_then_warm(azure, first)


def test_rules_learned_through_litellm_serve_every_client_on_the_store(azure: AzureEmulator, store: Path) -> None:
    """What LiteLLM's call taught the store, a new plain ResilientAzureClient applies: its first call is one request."""
    with _client(azure, store) as client:
        litellm.completion(model=f"azure/{REASONER}", messages=MESSAGES, client=client, **GPT4O_STYLE, **where(azure))
    assert {key.deployment for key in JSONFileStore(store).items()} == {REASONER}
    azure.reset()
    with _client(azure, store) as fresh:
        fresh.chat.completions.create(model=REASONER, messages=[{"role": "user", "content": "Say ok."}], **GPT4O_STYLE)
    assert _statuses(azure) == [200]
