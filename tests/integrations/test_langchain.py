"""LangChain's ``AzureChatOpenAI`` and ``ChatOpenAI`` on resilient clients, counted at the emulator.

The deployment is :data:`REASONER`, o4-mini under a neutral name: LangChain cannot tell from
it that ``temperature`` and ``top_p`` will be rejected (it silently drops ``temperature`` only
for deployments whose name looks like an o-series model), so only the resilient clients can
repair them. LangChain 1.x always sends ``max_tokens`` as ``max_completion_tokens`` itself, so a
first call with ``max_tokens``, ``temperature`` and ``top_p`` pays for two rejections, not three.

Every model gets an HTTP client the test closes: LangChain never closes the openai clients it
builds, and a pooled connection collected with them is reported as an unclosed socket (an error
here) in whichever later test the garbage collector happens to run.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openai
import pytest
from frameworks import API_VERSION, REASONER, fixes, framework, statuses, tuned

from resilient_client import (
    AsyncResilientAzureClient,
    AsyncResilientOpenAI,
    Drop,
    ResilientAzureClient,
    ResilientOpenAI,
    SetValue,
)
from resilient_client.testing import AzureEmulator

langchain_openai = framework("langchain_openai", "langchain")

from resilient_client.integrations.langchain import resilient_chat_model  # noqa: E402 - only once the framework is there

KEY = "sk-test-key-0123456789"
PROMPT = "Say ok."
SETTINGS: dict[str, Any] = {"max_tokens": 64, "temperature": 0.2, "top_p": 0.5}
REPAIRED = {"max_completion_tokens": 64}
"""What a repaired request to :data:`REASONER` carries of :data:`TUNED`."""
FIRST = [400, 400, 200]
"""A first call: temperature rejected, then top_p, then accepted."""
WARM = [200]


def azure_model(azure: AzureEmulator, http: object, settings: dict[str, Any] = SETTINGS, **extra: Any) -> Any:
    """An ``AzureChatOpenAI`` for :data:`REASONER` on the emulator, built as users build it today."""
    options = {
        "azure_endpoint": azure.endpoint,
        "api_key": KEY,
        "api_version": API_VERSION,
        "azure_deployment": REASONER,
        "max_retries": 0,
        "http_client": http,
    }
    return langchain_openai.AzureChatOpenAI(**(options | settings | extra))


def assert_first_call(azure: AzureEmulator) -> None:
    """The first call was repaired: two rejections, then the repaired request accepted."""
    assert statuses(azure) == FIRST
    errors = [r.error or "" for r in azure.requests]
    assert "'temperature' does not support 0.2" in errors[0]
    assert "'top_p' is not supported" in errors[1]
    bodies = azure.bodies(REASONER)
    assert tuned(bodies[0]) == {"max_completion_tokens": 64, "temperature": 0.2, "top_p": 0.5}
    assert tuned(bodies[-1]) == REPAIRED


def assert_warm_call(azure: AzureEmulator, *, stream: bool) -> None:
    """A later call sent exactly one request, already repaired."""
    assert statuses(azure) == WARM
    (body,) = azure.bodies(REASONER)
    assert tuned(body) == REPAIRED
    assert body.get("stream", False) is stream


def test_invoke_repairs_first_call_and_second_sends_one(azure: AzureEmulator, store: Path, http: object) -> None:
    """invoke(): the first call is repaired in three requests, the second is sent repaired in one."""
    llm = resilient_chat_model(azure_model(azure, http), store=store)
    assert llm.invoke(PROMPT).content == "ok"
    assert_first_call(azure)
    azure.reset()
    assert llm.invoke(PROMPT).content == "ok"
    assert_warm_call(azure, stream=False)


def test_stream_repairs_first_call_and_second_sends_one(azure: AzureEmulator, store: Path, http: object) -> None:
    """stream(): the rejections come before the first chunk, so the stream is repaired, then sent once."""
    llm = resilient_chat_model(azure_model(azure, http), store=store)
    assert "".join(chunk.content for chunk in llm.stream(PROMPT)) == "ok"
    assert_first_call(azure)
    assert all(body["stream"] is True for body in azure.bodies(REASONER))
    azure.reset()
    assert "".join(chunk.content for chunk in llm.stream(PROMPT)) == "ok"
    assert_warm_call(azure, stream=True)


@pytest.mark.asyncio
async def test_ainvoke_repairs_first_call_and_second_sends_one(azure: AzureEmulator, store: Path, http: object) -> None:
    """ainvoke(): the async client learns like the sync one: three requests, then one."""
    async with openai.DefaultAsyncHttpxClient() as http_async:
        llm = resilient_chat_model(azure_model(azure, http, http_async_client=http_async), store=store)
        assert (await llm.ainvoke(PROMPT)).content == "ok"
        assert_first_call(azure)
        azure.reset()
        assert (await llm.ainvoke(PROMPT)).content == "ok"
    assert_warm_call(azure, stream=False)


@pytest.mark.asyncio
async def test_astream_repairs_first_call_and_second_sends_one(azure: AzureEmulator, store: Path, http: object) -> None:
    """astream(): an async stream is repaired on the first call and sent once on the second."""
    async with openai.DefaultAsyncHttpxClient() as http_async:
        llm = resilient_chat_model(azure_model(azure, http, http_async_client=http_async), store=store)
        assert "".join([chunk.content async for chunk in llm.astream(PROMPT)]) == "ok"
        assert_first_call(azure)
        azure.reset()
        assert "".join([chunk.content async for chunk in llm.astream(PROMPT)]) == "ok"
    assert_warm_call(azure, stream=True)


@pytest.mark.asyncio
async def test_manual_recipe_without_the_helper(azure: AzureEmulator, store: Path) -> None:
    """Resilient clients given to AzureChatOpenAI by hand repair sync and async calls, sharing what they learn."""
    # LangChain puts the deployment only into the clients it builds; clients given to it
    # must name it themselves (LangChain sends "model": null without model=).
    options: dict[str, Any] = {
        "azure_endpoint": azure.endpoint,
        "api_key": KEY,
        "api_version": API_VERSION,
        "azure_deployment": REASONER,
        "store": store,
    }
    with ResilientAzureClient(**options) as client:
        async with AsyncResilientAzureClient(**options) as aclient:
            llm = langchain_openai.AzureChatOpenAI(
                azure_deployment=REASONER,
                api_version=API_VERSION,
                root_client=client,
                client=client.chat.completions,
                root_async_client=aclient,
                async_client=aclient.chat.completions,
                **SETTINGS,
            )
            assert llm.invoke(PROMPT).content == "ok"
            assert_first_call(azure)
            azure.reset()
            assert (await llm.ainvoke(PROMPT)).content == "ok"
    assert_warm_call(azure, stream=False)


def test_chat_openai_on_the_v1_endpoint(azure: AzureEmulator, store: Path, http: object) -> None:
    """ChatOpenAI (not Azure) on /openai/v1 gets ResilientOpenAI twins that repair by the body's model."""
    base = langchain_openai.ChatOpenAI(
        base_url=f"{azure.endpoint}/openai/v1", api_key=KEY, model=REASONER, max_retries=0, http_client=http, **SETTINGS
    )
    llm = resilient_chat_model(base, store=store)
    assert type(llm.root_client) is ResilientOpenAI
    assert type(llm.root_async_client) is AsyncResilientOpenAI
    assert llm.invoke(PROMPT).content == "ok"
    assert_first_call(azure)
    assert all(r.api_version is None for r in azure.requests)
    azure.reset()
    assert llm.invoke(PROMPT).content == "ok"
    assert_warm_call(azure, stream=False)
    assert azure.bodies(REASONER)[0]["model"] == REASONER


def test_responses_api_repairs_temperature_and_reasoning_effort(
    azure: AzureEmulator, store: Path, http: object
) -> None:
    """use_responses_api on gpt-5.1: temperature is dropped and effort 'minimal' becomes 'low', then one request."""
    settings = {"temperature": 0.2, "reasoning": {"effort": "minimal"}}
    base = azure_model(azure, http, settings, azure_deployment="gpt-5.1", use_responses_api=True)
    llm = resilient_chat_model(base, store=store)
    assert llm.invoke(PROMPT).text == "ok"
    assert statuses(azure, "gpt-5.1") == FIRST
    assert {r.operation for r in azure.requests} == {"responses"}
    first, second, last = azure.bodies("gpt-5.1")
    assert (first["temperature"], first["reasoning"]) == (0.2, {"effort": "minimal"})
    assert ("temperature" in second, second["reasoning"]) == (False, {"effort": "minimal"})
    assert ("temperature" in last, last["reasoning"]) == (False, {"effort": "low"})
    assert fixes(store) == {
        ("gpt-5.1", "responses"): [Drop("temperature"), SetValue("reasoning.effort", "minimal", "low")]
    }
    azure.reset()
    assert "".join(chunk.text for chunk in llm.stream(PROMPT)) == "ok"
    assert statuses(azure, "gpt-5.1") == WARM
    (body,) = azure.bodies("gpt-5.1")
    assert ("temperature" in body, body["reasoning"], body["stream"]) == (False, {"effort": "low"}, True)


def test_original_model_is_left_as_it_was(azure: AzureEmulator, store: Path, http: object) -> None:
    """The helper returns a copy: the model given to it keeps plain openai clients and still pays every 400."""
    base = azure_model(azure, http)
    llm = resilient_chat_model(base, store=store)
    assert llm is not base
    assert type(base.root_client) is openai.AzureOpenAI
    assert type(base.root_async_client) is openai.AsyncAzureOpenAI
    assert base.client._client is base.root_client
    assert base.async_client._client is base.root_async_client
    assert type(llm.root_client) is ResilientAzureClient
    assert type(llm.root_async_client) is AsyncResilientAzureClient
    assert llm.client._client is llm.root_client
    assert llm.async_client._client is llm.root_async_client
    llm.invoke(PROMPT)
    azure.reset()
    with pytest.raises(openai.BadRequestError, match="temperature"):
        base.invoke(PROMPT)
    assert statuses(azure) == [400]


def test_settings_survive_the_copy(azure: AzureEmulator, store: Path) -> None:
    """Endpoint, deployment, api-version, key, headers, timeout, retries and the HTTP client reach the wire."""
    sent: list[tuple[str, dict[str, str]]] = []
    hooks = {"request": [lambda request: sent.append((request.url.path, dict(request.headers)))]}
    with openai.DefaultHttpxClient(event_hooks=hooks) as http:
        base = azure_model(azure, http, default_headers={"x-team": "search"}, timeout=7.0, max_retries=1)
        llm = resilient_chat_model(base, store=store)
        assert llm.invoke(PROMPT).content == "ok"
    assert statuses(azure) == FIRST
    assert {(r.deployment, r.operation, r.api_version) for r in azure.requests} == {
        (REASONER, "chat/completions", API_VERSION)
    }
    assert len(sent) == 3
    for path, headers in sent:
        assert path == f"/openai/deployments/{REASONER}/chat/completions"
        assert (headers["x-team"], headers["api-key"]) == ("search", KEY)
    for twin, original in ((llm.root_client, base.root_client), (llm.root_async_client, base.root_async_client)):
        assert (twin.timeout, twin.max_retries, twin.base_url) == (7.0, 1, original.base_url)
        assert twin.default_headers["x-team"] == "search"
        assert twin.default_query == {"api-version": API_VERSION}
    assert llm.root_client._client is http


def test_azure_ad_token_provider_survives_the_copy(azure: AzureEmulator, store: Path) -> None:
    """A model authenticated by an Azure AD token provider sends its token, not a key, from the resilient clients."""
    sent: list[dict[str, str]] = []
    with openai.DefaultHttpxClient(
        event_hooks={"request": [lambda request: sent.append(dict(request.headers))]}
    ) as http:
        base = azure_model(azure, http, api_key=None, azure_ad_token_provider=lambda: "aad-token-1")
        resilient_chat_model(base, store=store).invoke(PROMPT)
    assert statuses(azure) == FIRST
    assert [(headers.get("authorization"), headers.get("api-key")) for headers in sent] == [
        ("Bearer aad-token-1", None)
    ] * 3


def test_rules_learned_through_langchain_serve_a_plain_client(
    azure: AzureEmulator, store: Path, http: object, cache_env: Path
) -> None:
    """What LangChain's calls learned is in the store file: a new plain client on it sends one request."""
    resilient_chat_model(azure_model(azure, http), store=store).invoke(PROMPT)
    assert fixes(store) == {(REASONER, "chat/completions"): [Drop("temperature"), Drop("top_p")]}
    assert not cache_env.exists()
    azure.reset()
    with ResilientAzureClient(
        azure_endpoint=azure.endpoint, api_key=KEY, api_version=API_VERSION, store=store
    ) as client:
        client.chat.completions.create(
            model=REASONER,
            messages=[{"role": "user", "content": PROMPT}],
            max_completion_tokens=64,
            temperature=0.2,
            top_p=0.5,
        )
    assert_warm_call(azure, stream=False)


def test_refuses_what_is_not_a_langchain_model(azure: AzureEmulator) -> None:
    """An openai client (or anything but a LangChain OpenAI chat model) is refused with a TypeError."""
    with openai.AzureOpenAI(azure_endpoint=azure.endpoint, api_key=KEY, api_version=API_VERSION) as client:
        not_a_model: Any = client
        with pytest.raises(TypeError, match="takes a langchain_openai chat model, not AzureOpenAI"):
            resilient_chat_model(not_a_model)


@pytest.mark.parametrize(("resource", "root"), [("client", "root_client"), ("async_client", "root_async_client")])
def test_refuses_a_resource_without_its_root_client(
    azure: AzureEmulator, http: object, resource: str, root: str
) -> None:
    """A model given client= (or async_client=) without its root client is refused: there is nothing to copy."""
    factory = openai.AzureOpenAI if resource == "client" else openai.AsyncAzureOpenAI
    plain: Any = factory(azure_endpoint=azure.endpoint, api_key=KEY, api_version=API_VERSION)  # never sends
    base = azure_model(azure, http, **{resource: plain.chat.completions})
    assert getattr(base, root) is None
    with pytest.raises(TypeError, match=f"given {resource}= without {root}="):
        resilient_chat_model(base)
    assert statuses(azure) == []
