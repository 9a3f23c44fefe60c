"""What the clients learn, what they refuse to change, and what they re-raise unchanged."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

import openai
import pytest
from openai.types.chat import ChatCompletionMessageParam, ChatCompletionToolParam

from resilient_client import (
    AsyncResilientAzureClient,
    Drop,
    MemoryStore,
    Rename,
    RepairBlockedError,
    RepairEvent,
    RepairPolicy,
    ResilientAzureClient,
)
from resilient_client.testing import PROFILES, AzureEmulator, ModelProfile, Rejected, Unsupported, fixed

API_VERSION = "2025-04-01-preview"
KEY = "sk-test-key-0123456789"
PROMPT = "The secret prompt text: purple-elephant-42."
MESSAGES: list[ChatCompletionMessageParam] = [{"role": "user", "content": PROMPT}]
TOOLS: list[ChatCompletionToolParam] = [
    {"type": "function", "function": {"name": "lookup", "parameters": {"type": "object", "properties": {}}}}
]
Mode = Literal["sync", "async"]
MODES: list[Mode] = ["sync", "async"]


def _error(message: str, *, code: str | None = "unsupported_parameter", param: str | None = None) -> dict[str, Any]:
    return {"error": {"message": message, "type": "invalid_request_error", "param": param, "code": code}}


@dataclass(frozen=True)
class EndlessRenames(ModelProfile):
    """Rejects any param named pN and asks for p(N+1) instead, forever."""

    def check(self, body: dict[str, Any]) -> Rejected | None:
        for name in body:
            if found := re.fullmatch(r"p(\d+)", name):
                return Unsupported(name, use=f"p{int(found[1]) + 1}").check(body)
        return None


@dataclass(frozen=True)
class Oscillating(ModelProfile):
    """Asks for 'alpha' to be sent as 'beta', and 'beta' as 'alpha'."""

    def check(self, body: dict[str, Any]) -> Rejected | None:
        if "alpha" in body:
            return Unsupported("alpha", use="beta").check(body)
        return Unsupported("beta", use="alpha").check(body)


# Real Azure bodies (tests/data/corpus e051, e070).
CONTEXT_LENGTH = {
    "error": {
        "message": (
            "This model's maximum context length is 8192 tokens. However, you requested 8256 tokens (64 in the "
            "messages, 8192 in the completion). Please reduce the length of the messages or completion."
        ),
        "type": "invalid_request_error",
        "param": "messages",
        "code": "context_length_exceeded",
    }
}
CONTENT_FILTER = {
    "error": {
        "message": (
            "The response was filtered due to the prompt triggering Azure OpenAI's content management policy. "
            "Please modify your prompt and retry. To learn more about our content filtering policies please read "
            "our documentation: https://go.microsoft.com/fwlink/?linkid=2198766"
        ),
        "type": None,
        "param": "prompt",
        "code": "content_filter",
        "status": 400,
        "innererror": {
            "code": "ResponsibleAIPolicyViolation",
            "content_filter_result": {
                "hate": {"filtered": False, "severity": "safe"},
                "self_harm": {"filtered": False, "severity": "safe"},
                "sexual": {"filtered": False, "severity": "safe"},
                "violence": {"filtered": True, "severity": "medium"},
            },
        },
    }
}
# Azure's own 500 (tests/data/corpus lk-060): no param named.
SERVER_ERROR = _error(
    "The server had an error while processing your request. Sorry about that! You can retry your request, or "
    "contact us through an Azure support request if the error persists.",
    code=None,
)
REJECTS_MAX_TOKENS = _error("Unsupported parameter: 'max_tokens' is not supported with this model.", param="max_tokens")

HOSTILE = {
    "use-messages": _error(
        "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'messages' instead."
    ),
    "drop-messages": _error("Unsupported parameter: 'messages' is not supported with this model.", param="messages"),
    "unknown-messages": _error("Unknown parameter: 'messages'.", code="unknown_parameter", param="messages"),
    "prompt-value": _error(
        f"Unsupported value: '{PROMPT}' is not supported with this model. Supported values are: 'ok'.",
        code="unsupported_value",
    ),
    "use-dunder": _error(
        "Unsupported parameter: 'max_tokens' is not supported with this model. Use '__class__' instead."
    ),
}

DEPLOYMENTS: dict[str, ModelProfile] = {
    **PROFILES,
    "no-tools": ModelProfile("gpt-35-turbo", "gpt-35-turbo-0301", (Unsupported("tools"),)),
    # Gemma behind a Gemini-style endpoint refuses JSON mode and a sampling setting in generationConfig (r6a-020).
    "no-json-mode": ModelProfile(
        "gemma-3",
        "gemma-3-27b",
        (Unsupported("generationConfig.responseMimeType"), Unsupported("generationConfig.seed")),
    ),
    "context-length": fixed(400, CONTEXT_LENGTH),
    "content-filter": fixed(400, CONTENT_FILTER),
    "server-500": fixed(500, SERVER_ERROR),
    "rejects-as-500": ModelProfile("llama", "llama-1", (Unsupported("max_tokens", status=500),)),
    "server-429": fixed(429, REJECTS_MAX_TOKENS),
    "endless": EndlessRenames("endless", "endless-1"),
    "oscillating": Oscillating("oscillating", "oscillating-1"),
    **{f"hostile-{name}": fixed(400, body) for name, body in HOSTILE.items()},
}


@pytest.fixture(scope="module")
def emulator() -> Iterator[AzureEmulator]:
    with AzureEmulator(deployments=DEPLOYMENTS) as server:
        yield server


@pytest.fixture
def azure(emulator: AzureEmulator) -> AzureEmulator:
    emulator.reset()
    return emulator


def _options(azure: AzureEmulator, **extra: Any) -> dict[str, Any]:
    options = {"azure_endpoint": azure.endpoint, "api_key": KEY, "api_version": API_VERSION, "max_retries": 0}
    return options | {"store": MemoryStore()} | extra


async def chat(mode: Mode, azure: AzureEmulator, options: dict[str, Any], **params: Any) -> object:
    """One chat.completions.create call through a fresh sync or async client built from ``options``."""
    params.setdefault("messages", MESSAGES)
    if mode == "sync":
        with ResilientAzureClient(**_options(azure, **options)) as client:
            return client.chat.completions.create(**params)
    async with AsyncResilientAzureClient(**_options(azure, **options)) as aclient:
        return await aclient.chat.completions.create(**params)


async def respond(mode: Mode, azure: AzureEmulator, options: dict[str, Any], **params: Any) -> object:
    """One responses.create call through a fresh sync or async client built from ``options``."""
    if mode == "sync":
        with ResilientAzureClient(**_options(azure, **options)) as client:
            return client.responses.create(**params)
    async with AsyncResilientAzureClient(**_options(azure, **options)) as aclient:
        return await aclient.responses.create(**params)


# --- learning -----------------------------------------------------------------------------------------------------


@pytest.mark.asyncio
@pytest.mark.parametrize("mode", MODES)
async def test_on_repair_receives_one_event_per_learned_fix(azure: AzureEmulator, mode: Mode) -> None:
    """on_repair gets a RepairEvent per fix, with the deployment key, the fix, Azure's evidence and the attempt."""
    events: list[RepairEvent] = []
    await chat(mode, azure, {"on_repair": events.append}, model="o4-mini", max_tokens=5, temperature=0.5)
    assert [(e.fix, e.attempt) for e in events] == [
        (Rename("max_tokens", "max_completion_tokens"), 1),
        (Drop("temperature"), 2),
    ]
    assert {(e.key.deployment, e.key.operation, e.key.api_version) for e in events} == {
        ("o4-mini", "chat/completions", API_VERSION)
    }
    assert [e.evidence.status for e in events] == [400, 400]
    assert "'max_tokens'" in events[0].evidence.message
    assert all(PROMPT not in repr(e) for e in events)
    assert azure.count("o4-mini") == 3


@pytest.mark.asyncio
@pytest.mark.parametrize("mode", MODES)
async def test_learn_false_applies_known_rules_but_learns_nothing(azure: AzureEmulator, mode: Mode) -> None:
    """learn=False rewrites with known rules, learns nothing new, and raises the SDK's error after one request."""
    store, events = MemoryStore(), list[RepairEvent]()
    await chat(mode, azure, {"store": store}, model="o4-mini", max_tokens=5)  # learns max_tokens
    known = store.items()
    azure.reset()
    with pytest.raises(openai.BadRequestError) as caught:
        await chat(
            mode, azure, {"store": store, "learn": False, "on_repair": events.append},
            model="o4-mini", max_tokens=5, temperature=0.5,
        )  # fmt: skip
    assert type(caught.value) is openai.BadRequestError
    assert "'temperature'" in str(caught.value)
    (sent,) = azure.bodies("o4-mini")
    assert (sent["max_completion_tokens"], sent["temperature"]) == (5, 0.5)
    assert "max_tokens" not in sent
    after = store.items()
    assert {k: (m.fixes, m.accepted) for k, m in after.items()} == {k: (m.fixes, m.accepted) for k, m in known.items()}
    assert [r.evidence.uses for m in after.values() for r in m.rules] == [1]  # the known rule rewrote the call
    assert events == []


# --- protected params -----------------------------------------------------------------------------------------------


@pytest.mark.asyncio
@pytest.mark.parametrize("mode", MODES)
async def test_protected_stream_raises_repair_blocked(azure: AzureEmulator, mode: Mode) -> None:
    """o1-mini rejecting stream=True raises RepairBlockedError (a BadRequestError) naming stream and the deployment."""
    store = MemoryStore()
    with pytest.raises(RepairBlockedError) as caught:
        await chat(mode, azure, {"store": store}, model="o1-mini", stream=True)
    err = caught.value
    assert isinstance(err, openai.BadRequestError)
    assert err.status_code == 400
    assert (err.param, err.fix, err.key.deployment) == ("stream", Drop("stream"), "o1-mini")
    message = str(err)
    assert "'stream'" in message
    assert "'o1-mini'" in message
    assert "can never be changed" in message  # stream picks the return type: no policy opens it
    assert type(err.__cause__) is openai.BadRequestError
    assert err.body == err.__cause__.body
    assert azure.count("o1-mini") == 1
    assert azure.bodies("o1-mini")[0]["stream"] is True
    assert store.items() == {}


@pytest.mark.asyncio
@pytest.mark.parametrize("mode", MODES)
async def test_tools_are_protected_by_default(azure: AzureEmulator, mode: Mode) -> None:
    """Without a policy allowing it, a deployment rejecting tools raises RepairBlockedError after one request."""
    store = MemoryStore()
    with pytest.raises(RepairBlockedError, match=r"RepairPolicy\(allow=\{'tools'\}\)") as caught:
        await chat(mode, azure, {"store": store}, model="no-tools", tools=TOOLS)
    assert caught.value.param == "tools"
    assert azure.count("no-tools") == 1
    assert store.items() == {}


@pytest.mark.asyncio
@pytest.mark.parametrize("mode", MODES)
async def test_a_protected_path_inside_a_settings_object_is_not_dropped(azure: AzureEmulator, mode: Mode) -> None:
    """Gemini's JSON mode (generationConfig.responseMimeType) is protected; its unprotected sibling is repaired."""
    store = MemoryStore()
    config = {"responseMimeType": "application/json", "seed": 7, "temperature": 0.2}
    with pytest.raises(RepairBlockedError, match=r"generationConfig\.responseMimeType") as caught:
        await chat(mode, azure, {"store": store}, model="no-json-mode", extra_body={"generationConfig": config})
    assert caught.value.param == "generationConfig.responseMimeType"
    assert azure.count("no-json-mode") == 1

    policy = RepairPolicy(allow=frozenset({"generationConfig.responseMimeType"}))
    await chat(
        mode, azure, {"store": store, "policy": policy}, model="no-json-mode", extra_body={"generationConfig": config}
    )
    sent = azure.bodies("no-json-mode")[-1]["generationConfig"]
    assert sent == {"temperature": 0.2}


@pytest.mark.asyncio
@pytest.mark.parametrize("mode", MODES)
async def test_policy_allow_lets_tools_be_dropped(azure: AzureEmulator, mode: Mode) -> None:
    """With policy=RepairPolicy(allow={"tools"}) a deployment rejecting tools gets them dropped and the rest kept."""
    store = MemoryStore()
    policy = RepairPolicy(allow=frozenset({"tools"}))
    await chat(mode, azure, {"store": store, "policy": policy}, model="no-tools", tools=TOOLS)
    first, repaired = azure.bodies("no-tools")
    assert first["tools"] == TOOLS
    assert "tools" not in repaired
    assert repaired["messages"] == MESSAGES
    ((key, mapping),) = store.items().items()
    assert (key.deployment, mapping.fixes) == ("no-tools", (Drop("tools"),))


async def _streamed_text(mode: Mode, azure: AzureEmulator, options: dict[str, Any]) -> str:
    if mode == "sync":
        with ResilientAzureClient(**_options(azure, **options)) as client:
            stream = client.chat.completions.create(model="o1-mini", messages=MESSAGES, stream=True)
            with stream:
                return "".join(c.choices[0].delta.content or "" for c in stream if c.choices)
    async with AsyncResilientAzureClient(**_options(azure, **options)) as aclient:
        astream = await aclient.chat.completions.create(model="o1-mini", messages=MESSAGES, stream=True)
        async with astream:
            return "".join([c.choices[0].delta.content or "" async for c in astream if c.choices])


@pytest.mark.asyncio
@pytest.mark.parametrize("mode", MODES)
async def test_allowing_the_stream_repair_does_not_lose_the_answer(azure: AzureEmulator, mode: Mode) -> None:
    """With stream repairs allowed, stream=True on o1-mini delivers the answer or raises; never an empty stream."""
    policy = RepairPolicy(allow=frozenset({"stream"}))
    try:
        text = await _streamed_text(mode, azure, {"policy": policy})
    except openai.APIStatusError:
        return  # refusing loudly is acceptable
    assert [r.status for r in azure.requests] == [400, 200]
    assert text == "ok"


# --- hostile servers ------------------------------------------------------------------------------------------------


@pytest.mark.asyncio
@pytest.mark.parametrize("hostile", ["use-messages", "drop-messages", "unknown-messages", "prompt-value"])
@pytest.mark.parametrize("mode", MODES)
async def test_hostile_message_never_touches_messages(azure: AzureEmulator, mode: Mode, hostile: str) -> None:
    """A server message asking to rename or remove messages is refused after one request; messages are never changed."""
    store = MemoryStore()
    deployment = f"hostile-{hostile}"
    with pytest.raises(openai.BadRequestError) as caught:
        await chat(mode, azure, {"store": store}, model=deployment, max_tokens=5)
    if isinstance(caught.value, RepairBlockedError):
        assert caught.value.param == "messages"
    else:
        assert type(caught.value) is openai.BadRequestError
    assert caught.value.body == HOSTILE[hostile]["error"]
    assert azure.count(deployment) == 1
    assert all(body["messages"] == MESSAGES for body in azure.bodies(deployment))
    assert store.items() == {}


@pytest.mark.asyncio
@pytest.mark.parametrize("mode", MODES)
async def test_hostile_message_never_touches_responses_input(azure: AzureEmulator, mode: Mode) -> None:
    """A rejection naming the prompt's own text as a bad value never rewrites the Responses API input."""
    store = MemoryStore()
    with pytest.raises(openai.BadRequestError) as caught:
        await respond(mode, azure, {"store": store}, model="hostile-prompt-value", input=PROMPT, temperature=0.5)
    if isinstance(caught.value, RepairBlockedError):
        assert caught.value.param == "input"
    assert [body["input"] for body in azure.bodies("hostile-prompt-value")] == [PROMPT]
    assert store.items() == {}


@pytest.mark.asyncio
@pytest.mark.parametrize("mode", MODES)
async def test_hostile_dunder_name_is_not_repairable(azure: AzureEmulator, mode: Mode) -> None:
    """A server asking to "Use '__class__' instead" is not obeyed: the SDK's error is raised after one request."""
    store = MemoryStore()
    with pytest.raises(openai.BadRequestError) as caught:
        await chat(mode, azure, {"store": store}, model="hostile-use-dunder", max_tokens=5)
    assert type(caught.value) is openai.BadRequestError
    assert caught.value.body == HOSTILE["use-dunder"]["error"]
    assert azure.count("hostile-use-dunder") == 1
    assert store.items() == {}


@pytest.mark.asyncio
@pytest.mark.parametrize("max_repairs", [0, 1, 3])
@pytest.mark.parametrize("mode", MODES)
async def test_endless_renames_are_bounded_by_max_repairs(azure: AzureEmulator, mode: Mode, max_repairs: int) -> None:
    """A server asking for a new name forever gets max_repairs+1 requests, then the SDK's error for the last one."""
    events: list[RepairEvent] = []
    options = {"max_repairs": max_repairs, "on_repair": events.append}
    with pytest.raises(openai.BadRequestError) as caught:
        await chat(mode, azure, options, model="endless", extra_body={"p0": 1})
    assert type(caught.value) is openai.BadRequestError
    assert azure.count("endless") == max_repairs + 1
    last = f"p{max_repairs}"
    assert [last] == [name for name in azure.bodies("endless")[-1] if name.startswith("p")]
    expected = Unsupported(last, use=f"p{max_repairs + 1}").check({last: 1})
    assert expected is not None
    assert caught.value.body == expected[1]["error"]
    assert [e.attempt for e in events] == list(range(1, max_repairs + 1))


@pytest.mark.asyncio
@pytest.mark.parametrize("mode", MODES)
async def test_oscillating_renames_stop(azure: AzureEmulator, mode: Mode) -> None:
    """alpha→beta then beta→alpha is not learned: the SDK's error is raised after the second request."""
    store = MemoryStore()
    with pytest.raises(openai.BadRequestError) as caught:
        await chat(mode, azure, {"store": store}, model="oscillating", extra_body={"alpha": 1})
    assert type(caught.value) is openai.BadRequestError
    assert "Use 'alpha' instead" in str(caught.value)
    assert [sorted(set(b) - {"model", "messages"}) for b in azure.bodies("oscillating")] == [["alpha"], ["beta"]]
    (mapping,) = store.items().values()
    assert mapping.fixes == (Rename("alpha", "beta"),)


# --- errors that are not about parameters ------------------------------------------------------------------------


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("deployment", "error_type"),
    [
        ("context-length", openai.BadRequestError),
        ("content-filter", openai.BadRequestError),
        ("no-such-deployment", openai.NotFoundError),
    ],
)
@pytest.mark.parametrize("mode", MODES)
async def test_unrepairable_errors_are_raised_unchanged(
    azure: AzureEmulator, mode: Mode, deployment: str, error_type: type[openai.APIStatusError]
) -> None:
    """Context length, content filter, DeploymentNotFound: the SDK's own error after one request; nothing learned."""
    store, events = MemoryStore(), list[RepairEvent]()
    with pytest.raises(openai.APIStatusError) as caught:
        await chat(mode, azure, {"store": store, "on_repair": events.append}, model=deployment, max_tokens=5)
    err = caught.value
    assert type(err) is error_type
    assert err.body == err.response.json()["error"]
    assert azure.count(deployment) == 1
    assert store.items() == {}
    assert events == []
    with (
        openai.AzureOpenAI(azure_endpoint=azure.endpoint, api_key=KEY, api_version=API_VERSION, max_retries=0) as plain,
        pytest.raises(openai.APIStatusError) as plain_caught,
    ):
        plain.chat.completions.create(model=deployment, messages=MESSAGES, max_tokens=5)
    assert type(plain_caught.value) is type(err)
    assert plain_caught.value.body == err.body
    assert str(plain_caught.value) == str(err)


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("deployment", "error_type"), [("server-429", openai.RateLimitError), ("server-500", openai.InternalServerError)]
)
@pytest.mark.parametrize("mode", MODES)
async def test_retryable_statuses_are_left_to_the_sdk(
    azure: AzureEmulator, monkeypatch: pytest.MonkeyPatch, mode: Mode, deployment: str, error_type: type[Exception]
) -> None:
    """A 429 (even with a param-rejection body) and a plain 500 are retried by the SDK alone (3 requests), unlearned."""
    store, events = MemoryStore(), list[RepairEvent]()
    options = _options(azure, store=store, on_repair=events.append, max_retries=2)
    if mode == "sync":
        with ResilientAzureClient(**options) as client:
            monkeypatch.setattr(client, "_calculate_retry_timeout", lambda *_: 0.0)  # no back-off sleeps
            with pytest.raises(error_type) as caught:
                client.chat.completions.create(model=deployment, messages=MESSAGES, max_tokens=5)
    else:
        async with AsyncResilientAzureClient(**options) as aclient:
            monkeypatch.setattr(aclient, "_calculate_retry_timeout", lambda *_: 0.0)
            with pytest.raises(error_type) as caught:
                await aclient.chat.completions.create(model=deployment, messages=MESSAGES, max_tokens=5)
    assert type(caught.value) is error_type
    assert azure.count(deployment) == 3
    assert all("max_tokens" in body for body in azure.bodies(deployment))
    assert store.items() == {}
    assert events == []


@pytest.mark.asyncio
@pytest.mark.parametrize("mode", MODES)
async def test_a_param_rejection_sent_as_500_is_read_after_the_sdk_retries(
    azure: AzureEmulator, monkeypatch: pytest.MonkeyPatch, mode: Mode
) -> None:
    """A server that refuses a param with a 500: the SDK's 3 attempts, then one repaired request; the next call, one."""
    store, events = MemoryStore(), list[RepairEvent]()
    options = _options(azure, store=store, on_repair=events.append, max_retries=2)
    deployment = "rejects-as-500"
    if mode == "sync":
        with ResilientAzureClient(**options) as client:
            monkeypatch.setattr(client, "_calculate_retry_timeout", lambda *_: 0.0)
            for _ in range(2):
                client.chat.completions.create(model=deployment, messages=MESSAGES, max_tokens=5)
    else:
        async with AsyncResilientAzureClient(**options) as aclient:
            monkeypatch.setattr(aclient, "_calculate_retry_timeout", lambda *_: 0.0)
            for _ in range(2):
                await aclient.chat.completions.create(model=deployment, messages=MESSAGES, max_tokens=5)
    assert azure.count(deployment) == 3 + 1 + 1
    assert ["max_tokens" in body for body in azure.bodies(deployment)] == [True, True, True, False, False]
    assert [event.fix for event in events] == [Drop("max_tokens")]


def test_the_rejection_past_max_repairs_is_still_learned(azure: AzureEmulator) -> None:
    """gpt-5 rejecting five params with max_repairs=4: the call fails, but the next one needs a single request."""
    store = MemoryStore()
    params: dict[str, Any] = {
        "max_tokens": 5, "temperature": 0.2, "top_p": 0.9, "presence_penalty": 0.1, "frequency_penalty": 0.1,
    }  # fmt: skip
    options: dict[str, Any] = {"azure_endpoint": azure.endpoint, "api_key": "k", "api_version": "2025-04-01-preview"}
    with ResilientAzureClient(**options, max_retries=0, store=store, max_repairs=4) as client:
        with pytest.raises(openai.BadRequestError):
            client.chat.completions.create(model="gpt-5", messages=MESSAGES, **params)
        assert azure.count("gpt-5", status=400) == 5
        client.chat.completions.create(model="gpt-5", messages=MESSAGES, **params)
    assert azure.count("gpt-5", status=400) == 5  # no rejection paid for twice
    assert azure.count("gpt-5") == 6
