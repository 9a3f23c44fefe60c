"""The OpenAI Agents SDK on resilient clients: its chat and Responses models, run sync, streamed and async.

Every agent runs against ``prod-reasoner``, an o4-mini deployment whose name tells the SDK nothing, so
the SDK sends the settings it was given and only the deployment's 400s can teach the client what to change.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

import openai
import pytest
from frameworks import API_VERSION, REASONER, framework
from openai.types.shared import Reasoning

from resilient_client import (
    AsyncResilientAzureClient,
    AsyncResilientOpenAI,
    Drop,
    Fix,
    JSONFileStore,
    Rename,
    RepairBlockedError,
    ResilientAzureClient,
    SetValue,
)
from resilient_client.testing import AzureEmulator

agents = framework("agents", "agents")

from agents import (  # noqa: E402 - only once framework() has skipped (or failed) the module without the extra
    Agent,
    ModelSettings,
    OpenAIChatCompletionsModel,
    OpenAIResponsesModel,
    Runner,
    function_tool,
    set_default_openai_api,
    set_default_openai_client,
    set_tracing_disabled,
)
from agents.models import _openai_shared  # noqa: E402
from agents.tracing import setup as tracing_setup  # noqa: E402
from agents.tracing.provider import DefaultTraceProvider  # noqa: E402

PROMPT = "Integration prompt: amber-walrus-17."
INSTRUCTIONS = "Answer in one word."
SETTINGS = ModelSettings(max_tokens=50, temperature=0.2, top_p=0.9)
REFUSED = {"max_tokens", "temperature", "top_p"}
"""What o4-mini refuses of SETTINGS, under any of the APIs' names."""

Route = Literal["azure", "v1"]
Mode = Literal["sync", "streamed", "async"]
Api = Literal["chat_completions", "responses"]

# Runner.run_sync() calls loop.shutdown_asyncgens() after every run yet keeps the thread's loop for the next
# one, so the next run's first async generator (httpx's auth flow) makes asyncio warn. It does the same with a
# plain openai.AsyncAzureOpenAI: this is the SDK's loop handling, not the client's.
RUN_SYNC_REUSES_ITS_LOOP = pytest.mark.filterwarnings(
    r"ignore:asynchronous generator .* was scheduled after loop\.shutdown_asyncgens\(\) call:ResourceWarning"
)


@dataclass(frozen=True)
class Case:
    """One way the SDK reaches the deployment, and what SETTINGS cost there on a first run."""

    id: str
    model_class: Any
    route: Route
    operation: str
    sent: Mapping[str, object]
    """SETTINGS as the SDK puts them in the body."""
    rejected: tuple[str, ...]
    """The params the deployment rejects, one 400 each, in this order."""
    limit: str
    """The name the token limit is sent under once repaired."""

    @property
    def api_version(self) -> str | None:
        """The api-version query the emulator sees: the v1 routes send none."""
        return API_VERSION if self.route == "azure" else None


CHAT = Case(
    id="chat",
    model_class=OpenAIChatCompletionsModel,
    route="azure",
    operation="chat/completions",
    sent={"max_tokens": 50, "temperature": 0.2, "top_p": 0.9},
    rejected=("max_tokens", "temperature", "top_p"),
    limit="max_completion_tokens",
)
RESPONSES = Case(
    id="responses",
    model_class=OpenAIResponsesModel,
    route="azure",
    operation="responses",
    sent={"max_output_tokens": 50, "temperature": 0.2, "top_p": 0.9},
    rejected=("temperature", "top_p"),
    limit="max_output_tokens",
)
CASES = [CHAT, RESPONSES, replace(CHAT, id="chat-v1", route="v1"), replace(RESPONSES, id="responses-v1", route="v1")]
IDS = [case.id for case in CASES]


def _lookup(city: str) -> str:
    """Look up the weather in a city."""
    return f"sunny in {city}"


LOOKUP = function_tool(_lookup)


@pytest.fixture(scope="module", autouse=True)
def no_tracing() -> Iterator[None]:
    """The SDK's trace provider swapped for one with no processor, disabled: nothing is recorded or exported."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(tracing_setup, "GLOBAL_TRACE_PROVIDER", DefaultTraceProvider())
        set_tracing_disabled(True)
        yield


@pytest.fixture
def sdk_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    """The SDK's own defaults (no default client, the Responses API) for one test, and the previous ones after."""
    monkeypatch.setattr(_openai_shared, "_default_openai_client", None)
    monkeypatch.setattr(_openai_shared, "_use_responses_by_default", True)


@pytest.fixture
def thread_loop() -> Iterator[asyncio.AbstractEventLoop]:
    """The loop Runner.run_sync() runs on, closed after the test (the SDK leaves the thread's loop open)."""
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    yield loop
    asyncio.set_event_loop(None)
    loop.close()


def _client(azure: AzureEmulator, store: Path, route: Route) -> openai.AsyncOpenAI:
    if route == "v1":
        return AsyncResilientOpenAI(base_url=f"{azure.endpoint}/openai/v1", api_key="k", store=store)
    return AsyncResilientAzureClient(azure_endpoint=azure.endpoint, api_key="k", api_version=API_VERSION, store=store)


def _agent(case: Case, client: openai.AsyncOpenAI, settings: Any = SETTINGS, **options: Any) -> Any:
    model = case.model_class(model=REASONER, openai_client=client)
    return Agent(name="reasoner", instructions=INSTRUCTIONS, model=model, model_settings=settings, **options)


async def _events(result: Any) -> list[str]:
    return [event.type async for event in result.stream_events()]


async def _run(agent: Any, mode: Mode) -> object:
    if mode == "streamed":
        result = Runner.run_streamed(agent, PROMPT)
        assert "raw_response_event" in await _events(result)
        return result.final_output
    return (await Runner.run(agent, PROMPT)).final_output


def _named(error: str | None) -> str:
    """The parameter an Azure rejection quotes first."""
    found = re.search(r"'([a-z_.]+)'", error or "")
    return found[1] if found else ""


def _learned(path: Path, deployment: str = REASONER) -> dict[str, tuple[Fix, ...]]:
    """The fixes the store file holds for ``deployment``, by operation."""
    saved = JSONFileStore(path)
    try:
        return {key.operation: mapping.fixes for key, mapping in saved.items().items() if key.deployment == deployment}
    finally:
        saved.close()


def _check_two_runs(azure: AzureEmulator, case: Case, mode: Mode) -> None:
    """First run: one 400 per rejected param, then a 200; second run: the repaired body, once."""
    rejected = len(case.rejected)
    where = (REASONER, case.operation, case.api_version)
    expected = [(*where, 400)] * rejected + [(*where, 200)] * 2
    assert [(r.deployment, r.operation, r.api_version, r.status) for r in azure.requests] == expected
    assert [_named(r.error) for r in azure.requests[:rejected]] == list(case.rejected)
    bodies = azure.bodies(REASONER)
    first, repaired, warm = bodies[0], bodies[-2], bodies[-1]
    assert {name: first.get(name) for name in case.sent} == case.sent  # the SDK sent SETTINGS as they were
    assert warm == repaired
    assert warm[case.limit] == 50
    assert not warm.keys() & REFUSED
    assert [body.get("stream") for body in bodies] == [True if mode == "streamed" else None] * len(bodies)


# --- sync, streamed, async ---------------------------------------------------------------------------------------


@RUN_SYNC_REUSES_ITS_LOOP
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_run_sync_repairs_the_first_run_and_sends_one_request_on_the_next(
    azure: AzureEmulator, store: Path, thread_loop: asyncio.AbstractEventLoop, case: Case
) -> None:
    """Runner.run_sync: the first run pays one 400 per rejected setting, the second sends one repaired request."""
    client = _client(azure, store, case.route)
    try:
        agent = _agent(case, client)
        outputs = [Runner.run_sync(agent, PROMPT).final_output for _ in range(2)]
    finally:
        thread_loop.run_until_complete(client.close())
    assert outputs == ["ok", "ok"]
    _check_two_runs(azure, case, "sync")


@pytest.mark.asyncio
@pytest.mark.parametrize("mode", ["streamed", "async"])
@pytest.mark.parametrize("case", CASES, ids=IDS)
async def test_runs_repair_the_first_run_and_send_one_request_on_the_next(
    azure: AzureEmulator, store: Path, case: Case, mode: Mode
) -> None:
    """Runner.run_streamed and Runner.run: the first run is repaired, the second sends one repaired request."""
    async with _client(azure, store, case.route) as client:
        agent = _agent(case, client)
        outputs = [await _run(agent, mode) for _ in range(2)]
    assert outputs == ["ok", "ok"]
    _check_two_runs(azure, case, mode)


@pytest.mark.asyncio
@pytest.mark.usefixtures("sdk_defaults")
@pytest.mark.parametrize(
    ("api", "case"), [("chat_completions", CHAT), ("responses", RESPONSES)], ids=["chat", "responses"]
)
async def test_default_client_serves_agents_that_name_only_the_deployment(
    azure: AzureEmulator, store: Path, api: Api, case: Case
) -> None:
    """set_default_openai_client(): an Agent with model=<deployment> is repaired once, then sends one request."""
    async with _client(azure, store, "azure") as client:
        set_default_openai_client(client, use_for_tracing=False)
        set_default_openai_api(api)
        agent = Agent(name="reasoner", instructions=INSTRUCTIONS, model=REASONER, model_settings=SETTINGS)
        outputs = [await _run(agent, "async") for _ in range(2)]
    assert outputs == ["ok", "ok"]
    _check_two_runs(azure, case, "async")


# --- the store ---------------------------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_rules_learned_under_agents_serve_a_new_plain_client_from_the_store(
    azure: AzureEmulator, store: Path
) -> None:
    """What agent runs learned is in the store file, so a new sync ResilientAzureClient sends each call once."""
    async with _client(azure, store, "azure") as client:
        for case in (CHAT, RESPONSES):
            assert await _run(_agent(case, client), "async") == "ok"
    assert _learned(store) == {
        "chat/completions": (Rename("max_tokens", "max_completion_tokens"), Drop("temperature"), Drop("top_p")),
        "responses": (Drop("temperature"), Drop("top_p")),
    }
    saved = store.read_text()  # noqa: ASYNC240 - the runs are over: nothing else waits on the loop
    assert PROMPT not in saved
    assert INSTRUCTIONS not in saved
    azure.reset()
    with ResilientAzureClient(
        azure_endpoint=azure.endpoint, api_key="k", api_version=API_VERSION, store=store
    ) as plain:
        chat = plain.chat.completions.create(
            model=REASONER, messages=[{"role": "user", "content": PROMPT}], max_tokens=50, temperature=0.2, top_p=0.9
        )
        reply = plain.responses.create(model=REASONER, input=PROMPT, max_output_tokens=50, temperature=0.2, top_p=0.9)
    assert (chat.choices[0].message.content, reply.output_text) == ("ok", "ok")
    assert [(r.operation, r.status) for r in azure.requests] == [("chat/completions", 200), ("responses", 200)]
    sent_chat, sent_reply = azure.bodies(REASONER)
    assert (sent_chat["max_completion_tokens"], sent_reply["max_output_tokens"]) == (50, 50)
    assert not (sent_chat.keys() | sent_reply.keys()) & REFUSED


# --- what else agents send ---------------------------------------------------------------------------------------


@pytest.mark.asyncio
@pytest.mark.parametrize("case", [CHAT, RESPONSES], ids=["chat", "responses"])
async def test_parallel_tool_calls_is_dropped_and_the_tools_are_kept(
    azure: AzureEmulator, store: Path, case: Case
) -> None:
    """An agent with a tool and parallel_tool_calls: the deployment's refusal drops the flag, never the tools."""
    settings = ModelSettings(parallel_tool_calls=True)
    async with _client(azure, store, "azure") as client:
        agent = _agent(case, client, settings, tools=[LOOKUP])
        outputs = [await _run(agent, "async") for _ in range(2)]
    assert outputs == ["ok", "ok"]
    assert [(r.status, _named(r.error)) for r in azure.requests] == [(400, "parallel_tool_calls"), (200, ""), (200, "")]
    first, repaired, warm = azure.bodies(REASONER)
    assert first["parallel_tool_calls"] is True
    assert first["tools"]
    assert first == {**repaired, "parallel_tool_calls": True}
    assert warm == repaired
    assert _learned(store) == {case.operation: (Drop("parallel_tool_calls"),)}


@pytest.mark.asyncio
async def test_reasoning_effort_the_deployment_refuses_becomes_the_nearest_it_accepts(
    azure: AzureEmulator, store: Path
) -> None:
    """Reasoning(effort="minimal") on the chat model: o4-mini's refusal makes it "low", learned for the next run."""
    settings = ModelSettings(reasoning=Reasoning(effort="minimal"))
    async with _client(azure, store, "azure") as client:
        agent = _agent(CHAT, client, settings)
        outputs = [await _run(agent, "async") for _ in range(2)]
    assert outputs == ["ok", "ok"]
    assert [(r.status, _named(r.error)) for r in azure.requests] == [(400, "reasoning_effort"), (200, ""), (200, "")]
    assert [body["reasoning_effort"] for body in azure.bodies(REASONER)] == ["minimal", "low", "low"]
    assert _learned(store) == {"chat/completions": (SetValue("reasoning_effort", "minimal", "low"),)}


# --- what is never repaired --------------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_refused_stream_is_raised_to_the_streamed_run_not_repaired(azure: AzureEmulator, store: Path) -> None:
    """o1-mini refuses stream=true: the streamed run raises RepairBlockedError after one request, learning nothing."""
    async with _client(azure, store, "azure") as client:
        agent = Agent(name="o1", model=OpenAIChatCompletionsModel(model="o1-mini", openai_client=client))
        result = Runner.run_streamed(agent, PROMPT)
        with pytest.raises(RepairBlockedError) as caught:
            await _events(result)
    assert isinstance(caught.value, openai.BadRequestError)
    assert (caught.value.param, caught.value.fix, caught.value.key.deployment) == ("stream", Drop("stream"), "o1-mini")
    assert [(r.status, r.body.get("stream")) for r in azure.requests] == [(400, True)]
    assert _learned(store, "o1-mini") == {}
