"""LlamaIndex's ``AzureOpenAI`` and ``OpenAI`` LLMs with resilient clients, counted at the emulator.

LlamaIndex 0.10 looks ``model=`` up in a static table of model names (for context sizes and
"is it a chat model") and refuses any name it does not list, so the LLMs are given
``model="gpt-4o"``, a name the table knows, and the deployment as ``engine=``: the table's
answer says nothing about what the deployment accepts. That is the kind of static table this
project exists to route around: the deployment is :data:`REASONER`, o4-mini under a neutral
name, and only the resilient clients find out that it rejects ``max_tokens``, ``temperature``
and ``top_p``.

Every LLM gets HTTP clients the test closes: LlamaIndex keeps its openai clients for the LLM's
lifetime and never closes them, and a pooled connection collected with them is reported as an
unclosed socket (an error here) in whichever later test the garbage collector happens to run.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openai
import pytest
from frameworks import API_VERSION, REASONER, fixes, framework, offline_nltk_data, statuses, tuned

from resilient_client import (
    DEFAULT_PROTECTED,
    AsyncResilientAzureClient,
    AsyncResilientOpenAI,
    Drop,
    Fix,
    Rename,
    RepairBlockedError,
    RepairEvent,
    RepairPolicy,
    ResilientAzureClient,
    ResilientOpenAI,
)
from resilient_client.testing import AzureEmulator

offline_nltk_data()  # before LlamaIndex is imported
framework("llama_index.llms.azure_openai", "llamaindex")

from llama_index.core.llms import ChatMessage, MessageRole  # noqa: E402 - only once the framework is there

from resilient_client.integrations.llama_index import AzureOpenAI, OpenAI  # noqa: E402 - same

KEY = "sk-test-key-0123456789"
MESSAGES = [ChatMessage(role=MessageRole.USER, content="Say ok.")]
SENT = {"max_tokens": 64, "temperature": 0.2, "top_p": 0.5}
"""What LlamaIndex sends of :data:`TUNED` as it is configured here."""
REPAIRED = {"max_completion_tokens": 64}
"""What a repaired request to :data:`REASONER` carries of :data:`TUNED`."""
FIRST = [400, 400, 400, 200]
"""A first call: max_tokens renamed, temperature dropped, top_p dropped, then accepted."""
WARM = [200]
LEARNED: list[Fix] = [Rename("max_tokens", "max_completion_tokens"), Drop("temperature"), Drop("top_p")]


def azure_llm(azure: AzureEmulator, http: object, **extra: Any) -> AzureOpenAI:
    """The resilient ``AzureOpenAI`` LLM for :data:`REASONER`, configured as users configure LlamaIndex's."""
    options: dict[str, Any] = {
        "engine": REASONER,
        "model": "gpt-4o",
        "azure_endpoint": azure.endpoint,
        "api_key": KEY,
        "api_version": API_VERSION,
        "max_tokens": 64,
        "temperature": 0.2,
        "additional_kwargs": {"top_p": 0.5},
        "max_retries": 0,
        "http_client": http,
    }
    return AzureOpenAI(**(options | extra))


def openai_llm(azure: AzureEmulator, http: object, **extra: Any) -> OpenAI:
    """The resilient ``OpenAI`` LLM on the emulator's /openai/v1 route, ``model=`` from the static table."""
    options: dict[str, Any] = {
        "model": "gpt-4o",
        "api_base": f"{azure.endpoint}/openai/v1",
        "api_key": KEY,
        "max_tokens": 64,
        "temperature": 0.2,
        "additional_kwargs": {"top_p": 0.5},
        "max_retries": 0,
        "http_client": http,
    }
    return OpenAI(**(options | extra))


def assert_first_call(azure: AzureEmulator) -> None:
    """The first call was repaired: three rejections, then the repaired request accepted."""
    assert statuses(azure) == FIRST
    errors = [r.error or "" for r in azure.requests]
    assert "Use 'max_completion_tokens' instead" in errors[0]
    assert "'temperature' does not support 0.2" in errors[1]
    assert "'top_p' is not supported" in errors[2]
    bodies = azure.bodies(REASONER)
    assert tuned(bodies[0]) == SENT
    assert tuned(bodies[-1]) == REPAIRED


def assert_warm_call(azure: AzureEmulator, *, stream: bool) -> None:
    """A later call sent exactly one request, already repaired."""
    assert statuses(azure) == WARM
    (body,) = azure.bodies(REASONER)
    assert tuned(body) == REPAIRED
    assert body["stream"] is stream


def test_chat_repairs_first_call_and_second_sends_one(azure: AzureEmulator, store: Path, http: object) -> None:
    """chat(): the first call is repaired in four requests, the second is sent repaired in one."""
    llm = azure_llm(azure, http, resilience={"store": store})
    assert llm.chat(MESSAGES).message.content == "ok"
    assert_first_call(azure)
    assert type(llm._get_client()) is ResilientAzureClient
    azure.reset()
    assert llm.chat(MESSAGES).message.content == "ok"
    assert_warm_call(azure, stream=False)


def test_stream_chat_repairs_first_call_and_second_sends_one(azure: AzureEmulator, store: Path, http: object) -> None:
    """stream_chat(): the rejections come before the first chunk, so the stream is repaired, then sent once."""
    llm = azure_llm(azure, http, resilience={"store": store})
    assert [r.message.content for r in llm.stream_chat(MESSAGES)][-1] == "ok"
    assert_first_call(azure)
    assert all(body["stream"] is True for body in azure.bodies(REASONER))
    azure.reset()
    assert [r.message.content for r in llm.stream_chat(MESSAGES)][-1] == "ok"
    assert_warm_call(azure, stream=True)


def test_complete_repairs_first_call_and_second_sends_one(azure: AzureEmulator, store: Path, http: object) -> None:
    """complete() on a chat model goes through chat/completions: repaired once, then one request."""
    llm = azure_llm(azure, http, resilience={"store": store})
    assert llm.complete("Say ok.").text == "ok"
    assert_first_call(azure)
    assert {r.operation for r in azure.requests} == {"chat/completions"}
    azure.reset()
    assert llm.complete("Say ok.").text == "ok"
    assert_warm_call(azure, stream=False)


@pytest.mark.asyncio
async def test_achat_repairs_first_call_and_second_sends_one(azure: AzureEmulator, store: Path, http: object) -> None:
    """achat(): the async client learns like the sync one: four requests, then one."""
    async with openai.DefaultAsyncHttpxClient() as http_async:
        llm = azure_llm(azure, http, async_http_client=http_async, resilience={"store": store})
        assert (await llm.achat(MESSAGES)).message.content == "ok"
        assert_first_call(azure)
        assert type(llm._get_aclient()) is AsyncResilientAzureClient
        azure.reset()
        assert (await llm.achat(MESSAGES)).message.content == "ok"
    assert_warm_call(azure, stream=False)


@pytest.mark.asyncio
async def test_astream_chat_repairs_first_call_and_second_sends_one(
    azure: AzureEmulator, store: Path, http: object
) -> None:
    """astream_chat(): an async stream is repaired on the first call and sent once on the second."""
    async with openai.DefaultAsyncHttpxClient() as http_async:
        llm = azure_llm(azure, http, async_http_client=http_async, resilience={"store": store})
        assert [r.message.content async for r in await llm.astream_chat(MESSAGES)][-1] == "ok"
        assert_first_call(azure)
        azure.reset()
        assert [r.message.content async for r in await llm.astream_chat(MESSAGES)][-1] == "ok"
    assert_warm_call(azure, stream=True)


@pytest.mark.asyncio
async def test_fresh_clients_per_call_share_what_they_learn(azure: AzureEmulator, store: Path) -> None:
    """reuse_client=False: each call's new client applies what an earlier call's client learned, sync or async."""
    # No HTTP client given: with reuse_client=False LlamaIndex closes each call's client, and with it the HTTP client.
    llm = azure_llm(azure, None, reuse_client=False, resilience={"store": store})
    with llm._get_client() as one, llm._get_client() as other:
        assert one is not other
        assert (type(one), type(other)) == (ResilientAzureClient, ResilientAzureClient)
    assert llm.chat(MESSAGES).message.content == "ok"
    assert_first_call(azure)
    azure.reset()
    assert llm.chat(MESSAGES).message.content == "ok"
    assert_warm_call(azure, stream=False)
    azure.reset()
    assert (await llm.achat(MESSAGES)).message.content == "ok"
    assert_warm_call(azure, stream=False)


def test_store_option_is_where_rules_go(azure: AzureEmulator, store: Path, http: object, cache_env: Path) -> None:
    """resilience={"store": path} writes the learned rules there and not into the default cache."""
    azure_llm(azure, http, resilience={"store": store}).chat(MESSAGES)
    assert fixes(store) == {(REASONER, "chat/completions"): LEARNED}
    assert not cache_env.exists()


def test_without_resilience_options_rules_go_to_the_default_cache(
    azure: AzureEmulator, store: Path, http: object, cache_env: Path
) -> None:
    """With no resilience= the LLM learns into the default cache ($RESILIENT_CLIENT_CACHE), like a plain client."""
    azure_llm(azure, http).chat(MESSAGES)
    assert fixes(cache_env) == {(REASONER, "chat/completions"): LEARNED}
    assert not store.exists()


def test_on_repair_option_sees_each_fix(azure: AzureEmulator, store: Path, http: object) -> None:
    """resilience={"on_repair": ...} is called once per learned fix, in order."""
    events: list[RepairEvent] = []
    azure_llm(azure, http, resilience={"store": store, "on_repair": events.append}).chat(MESSAGES)
    assert [(event.fix, event.attempt) for event in events] == list(zip(LEARNED, [1, 2, 3], strict=True))
    assert {event.key.deployment for event in events} == {REASONER}


def test_policy_option_blocks_a_protected_repair(azure: AzureEmulator, store: Path, http: object) -> None:
    """resilience={"policy": ...} that protects top_p stops the call at its rejection, keeping the fixes before."""
    policy = RepairPolicy(protected=DEFAULT_PROTECTED | {"top_p"})
    llm = azure_llm(azure, http, resilience={"store": store, "policy": policy})
    with pytest.raises(RepairBlockedError, match="top_p") as blocked:
        llm.chat(MESSAGES)
    assert (blocked.value.param, blocked.value.fix) == ("top_p", Drop("top_p"))
    assert isinstance(blocked.value, openai.BadRequestError)
    assert statuses(azure) == [400, 400, 400]
    assert fixes(store) == {(REASONER, "chat/completions"): LEARNED[:2]}


def test_learn_false_applies_known_rules_and_learns_nothing(azure: AzureEmulator, store: Path, http: object) -> None:
    """resilience={"learn": False}: an unknown rejection is raised after one request; known rules are applied."""
    frozen = azure_llm(azure, http, resilience={"store": store, "learn": False})
    with pytest.raises(openai.BadRequestError, match="max_completion_tokens"):
        frozen.chat(MESSAGES)
    assert statuses(azure) == [400]
    assert fixes(store) == {}
    azure_llm(azure, http, resilience={"store": store}).chat(MESSAGES)
    azure.reset()
    assert frozen.chat(MESSAGES).message.content == "ok"
    assert_warm_call(azure, stream=False)


def test_openai_class_on_the_v1_endpoint(azure: AzureEmulator, store: Path, http: object) -> None:
    """OpenAI on /openai/v1 gets a ResilientOpenAI client that repairs by the body's model, then sends once."""
    # The static table refuses model="prod-reasoner"; additional_kwargs, merged last, names the deployment.
    llm = openai_llm(azure, http, additional_kwargs={"model": REASONER, "top_p": 0.5}, resilience={"store": store})
    assert type(llm._get_client()) is ResilientOpenAI
    assert llm.chat(MESSAGES).message.content == "ok"
    assert_first_call(azure)
    assert all(r.api_version is None for r in azure.requests)
    azure.reset()
    assert [r.message.content for r in llm.stream_chat(MESSAGES)][-1] == "ok"
    assert_warm_call(azure, stream=True)
    assert azure.bodies(REASONER)[0]["model"] == REASONER
    assert fixes(store) == {(REASONER, "chat/completions"): LEARNED}


@pytest.mark.asyncio
async def test_openai_class_async_client_is_resilient(azure: AzureEmulator, store: Path, http: object) -> None:
    """OpenAI's async client is an AsyncResilientOpenAI that repairs by the body's model too."""
    async with openai.DefaultAsyncHttpxClient() as http_async:
        llm = openai_llm(
            azure,
            http,
            additional_kwargs={"model": REASONER, "top_p": 0.5},
            async_http_client=http_async,
            resilience={"store": store},
        )
        assert type(llm._get_aclient()) is AsyncResilientOpenAI
        assert (await llm.achat(MESSAGES)).message.content == "ok"
        assert_first_call(azure)
        azure.reset()
        assert (await llm.achat(MESSAGES)).message.content == "ok"
    assert_warm_call(azure, stream=False)


def test_openai_class_sends_accepted_requests_as_they_are(azure: AzureEmulator, store: Path, http: object) -> None:
    """A model that accepts everything (gpt-4o) gets one request per call, with LlamaIndex's parameters unchanged."""
    llm = openai_llm(azure, http, resilience={"store": store})
    assert llm.chat(MESSAGES).message.content == "ok"
    assert statuses(azure, "gpt-4o") == WARM
    (body,) = azure.bodies("gpt-4o")
    assert tuned(body) == SENT
    assert fixes(store) == {}


@pytest.mark.parametrize(
    ("resilience", "error", "match"),
    [
        ({"max_repairs": -1}, ValueError, "max_repairs"),
        ({"wait_timeout": "soon"}, ValueError, "wait_timeout"),
        ({"policy": "strict"}, TypeError, "policy must be a RepairPolicy"),
        ({"stroe": "rules.json"}, TypeError, r"unknown resilience option\(s\) \['stroe'\]"),
    ],
)
def test_bad_resilience_options_fail_at_construction(
    azure: AzureEmulator, http: object, resilience: dict[str, Any], error: type[Exception], match: str
) -> None:
    """A wrong option fails when the LLM is built, before any request, not at its first call."""
    with pytest.raises(error, match=match):
        azure_llm(azure, http, resilience=resilience)
    assert azure.requests == []
