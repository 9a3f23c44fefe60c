"""OpenTelemetry: repairs as span events on the current span, four counters, nothing without the application's say."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from collections.abc import Iterator
from typing import Any, Literal

import openai
import pytest

from resilient_client import (
    AsyncResilientAzureClient,
    Drop,
    LearnedRule,
    MemoryStore,
    RepairBlockedError,
    ResilientAzureClient,
    Store,
    _client,
    _otel,
)
from resilient_client._models import DeploymentKey, DeploymentMapping, Evidence
from resilient_client.testing import AzureEmulator
from tests.otel.helpers import PUZZLING, Otel, need

API_VERSION = "2025-04-01-preview"
PROMPT = "The secret prompt text: purple-elephant-42."
MESSAGES: Any = [{"role": "user", "content": PROMPT}]
Mode = Literal["sync", "async"]


def client(azure: AzureEmulator, store: Store) -> ResilientAzureClient:
    return ResilientAzureClient(
        azure_endpoint=azure.endpoint, api_key="k", api_version=API_VERSION, max_retries=0, store=store
    )


def o4_mini(azure: AzureEmulator, store: Store, mode: Mode = "sync") -> None:
    """One o4-mini call with max_tokens and temperature: a cold one repairs both."""
    if mode == "sync":
        with client(azure, store) as sync:
            sync.chat.completions.create(model="o4-mini", messages=MESSAGES, max_tokens=5, temperature=0.5)
        return

    async def go() -> None:
        async with AsyncResilientAzureClient(
            azure_endpoint=azure.endpoint, api_key="k", api_version=API_VERSION, max_retries=0, store=store
        ) as aclient:
            await aclient.chat.completions.create(model="o4-mini", messages=MESSAGES, max_tokens=5, temperature=0.5)

    asyncio.run(go())


def repairs(azure: AzureEmulator) -> list[dict[str, Any]]:
    """The attributes of the two span events of a cold o4-mini call, as expected."""
    key = {
        "resilient_client.host": azure.endpoint.removeprefix("http://"),
        "resilient_client.deployment": "o4-mini",
        "resilient_client.api_version": API_VERSION,
        "resilient_client.operation": "chat/completions",
    }
    return [
        {
            **key,
            "resilient_client.param": "max_tokens",
            "resilient_client.action": "rename",
            "resilient_client.from": "max_tokens",
            "resilient_client.to": "max_completion_tokens",
            "resilient_client.attempt": 1,
        },
        {
            **key,
            "resilient_client.param": "temperature",
            "resilient_client.action": "drop",
            "resilient_client.attempt": 2,
        },
    ]


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_repairs_are_events_on_the_application_span(azure: AzureEmulator, otel: Otel, mode: Mode) -> None:
    """A cold o4-mini call inside an application span: one event per repair on that span, no request text."""
    with otel.tracer.start_as_current_span("handle request"):
        o4_mini(azure, MemoryStore(), mode)
    events = otel.events()
    assert events == [("handle request", _otel.REPAIRED, attributes) for attributes in repairs(azure)]
    assert PROMPT not in json.dumps(events)


def test_counts_of_cold_warm_blocked_and_unread_calls(azure: AzureEmulator, otel: Otel) -> None:
    """Two rejections paid by the cold call, one call rewritten before sending, one repair refused, one unread."""
    store = MemoryStore()
    o4_mini(azure, store)
    assert otel.counts() == {(_otel.PAID, "o4-mini", "rename"): 1, (_otel.PAID, "o4-mini", "drop"): 1}
    o4_mini(azure, store)
    assert otel.counts() == {(_otel.REWRITTEN, "o4-mini", "drop,rename"): 1}
    with client(azure, store) as sync:
        with pytest.raises(RepairBlockedError):
            sync.chat.completions.create(model="o1-mini", messages=MESSAGES, stream=True)
        assert otel.counts() == {(_otel.REFUSED, "o1-mini", "drop"): 1}
        with pytest.raises(openai.BadRequestError):
            sync.chat.completions.create(model=PUZZLING, messages=MESSAGES)
        assert otel.counts() == {(_otel.UNREAD, PUZZLING, None): 1}
    assert azure.count("o4-mini") == 4  # 3 for the cold call, 1 for the warm one


@pytest.fixture
def unskipped(monkeypatch: pytest.MonkeyPatch) -> None:
    """Forget which refused stored rules were reported (once per process, key and rule)."""
    monkeypatch.setattr(_client, "_SKIPPED", set())


def test_a_stored_rule_the_policy_refuses_is_counted(azure: AzureEmulator, otel: Otel, unskipped: None) -> None:
    """A stored drop of response_format, which this client protects, is not applied: one repair refused."""
    store = MemoryStore()
    key = DeploymentKey(azure.endpoint.removeprefix("http://"), "gpt-4o", API_VERSION, "chat/completions")
    rule = LearnedRule(Drop("response_format"), Evidence(400, None, "planted", 1.0, 2.0))
    store.update(key, lambda mapping: DeploymentMapping((rule,), mapping.accepted, mapping.model))
    with client(azure, store) as sync:
        sync.chat.completions.create(model="gpt-4o", messages=MESSAGES, response_format={"type": "json_object"})
    assert otel.counts() == {(_otel.REFUSED, "gpt-4o", "drop"): 1}
    assert "response_format" in azure.bodies("gpt-4o")[0]


@pytest.fixture
def unstarted(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A process whose telemetry has not started yet (the application's imports decide what it becomes)."""
    monkeypatch.setattr(_otel._STATE, "telemetry", None)
    monkeypatch.setattr(_otel._STATE, "failed", False)
    yield
    assert _otel._STATE.telemetry is None


def test_nothing_is_recorded_until_the_application_imports_opentelemetry_trace(
    azure: AzureEmulator, otel: Otel, unstarted: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With opentelemetry.trace not imported, repairing, warm, blocked and unread calls record nothing."""
    monkeypatch.delitem(sys.modules, "opentelemetry.trace")
    store = MemoryStore()
    with otel.tracer.start_as_current_span("handle request"):
        o4_mini(azure, store)
        o4_mini(azure, store)
        with client(azure, store) as sync, pytest.raises(RepairBlockedError):
            sync.chat.completions.create(model="o1-mini", messages=MESSAGES, stream=True)
    assert otel.events() == []
    assert otel.counts() == {}


def test_telemetry_that_cannot_start_changes_nothing(
    azure: AzureEmulator, otel: Otel, unstarted: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When opentelemetry.metrics cannot be imported, the calls go on and no further attempt is made."""
    monkeypatch.setitem(sys.modules, "opentelemetry.metrics", None)  # importing it raises ImportError
    o4_mini(azure, MemoryStore())
    assert _otel._STATE.failed
    assert otel.counts() == {}


class _Broken:
    """Stands for a tracer module, a span, a meter and a counter: every use raises."""

    def __getattr__(self, name: str) -> Any:
        if name == "create_counter":
            return lambda *_args, **_kwargs: self
        raise RuntimeError(name)


def test_telemetry_failures_never_fail_a_call(azure: AzureEmulator, monkeypatch: pytest.MonkeyPatch) -> None:
    """Span events and counters that raise: cold, warm and unread calls behave as without telemetry."""
    monkeypatch.setattr(_otel._STATE, "telemetry", _otel.Telemetry(_Broken(), _Broken()))
    store = MemoryStore()
    o4_mini(azure, store)
    o4_mini(azure, store)
    with client(azure, store) as sync, pytest.raises(openai.BadRequestError):
        sync.chat.completions.create(model=PUZZLING, messages=MESSAGES)
    assert azure.count("o4-mini") == 4


_FRESH_PROCESS = """
import json, sys
import resilient_client
imported = sorted(name for name in sys.modules if name.startswith("opentelemetry"))
from resilient_client import MemoryStore, ResilientAzureClient
with ResilientAzureClient(azure_endpoint=sys.argv[1], api_key="k", api_version="2025-04-01-preview",
                          max_retries=0, store=MemoryStore()) as client:
    for _ in range(2):
        client.chat.completions.create(model="o4-mini", messages=[{"role": "user", "content": "hi"}],
                                       max_tokens=5, temperature=0.5)
after = sorted(name for name in sys.modules if name.startswith("opentelemetry"))
print(json.dumps([imported, after, resilient_client._otel._STATE.telemetry is None]))
"""


def test_the_package_never_imports_opentelemetry(azure: AzureEmulator, otel: Otel) -> None:
    """With the API and SDK installed, neither importing the package nor repairing calls imports OpenTelemetry."""
    done = subprocess.run(
        [sys.executable, "-c", _FRESH_PROCESS, azure.endpoint], capture_output=True, text=True, check=True, timeout=120
    )
    assert json.loads(done.stdout) == [[], [], True]
    assert azure.count("o4-mini") == 4


@pytest.fixture
def openai_v2(otel: Otel) -> Iterator[Any]:
    """OpenTelemetry's instrumentation of openai (opentelemetry-instrumentation-openai-v2), on for one test."""
    install = "pip install opentelemetry-instrumentation-openai-v2 httpx 'opentelemetry-util-genai==1.1b0'"
    instrumentation = need("opentelemetry.instrumentation.openai_v2", install)
    instrumentor = instrumentation.OpenAIInstrumentor()
    instrumentor.instrument(tracer_provider=otel.tracer_provider)
    yield instrumentor
    instrumentor.uninstrument()


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_repairs_land_in_the_openai_v2_chat_span(azure: AzureEmulator, otel: Otel, openai_v2: Any, mode: Mode) -> None:
    """Under openai-v2's instrumentation, the repairs are events of its ``chat o4-mini`` span."""
    o4_mini(azure, MemoryStore(), mode)
    (span,) = otel.exporter.get_finished_spans()
    assert span.name == "chat o4-mini"
    assert span.attributes["gen_ai.request.model"] == "o4-mini"
    assert otel.events() == [("chat o4-mini", _otel.REPAIRED, attributes) for attributes in repairs(azure)]
