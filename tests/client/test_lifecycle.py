"""Rule lifecycle: a new model behind a deployment resets its rules, contradicted rules are revoked, rules expire."""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from collections.abc import Callable, Iterator, MutableMapping
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit

import pytest
import structlog
import structlog.testing
from openai.types.chat import ChatCompletion, ChatCompletionMessageParam

from resilient_client import (
    AsyncResilientAzureClient,
    DeploymentKey,
    DeploymentMapping,
    Drop,
    Evidence,
    LearnedRule,
    MemoryStore,
    Rename,
    ResilientAzureClient,
    Store,
)
from resilient_client._serialize import key_id
from resilient_client.testing import Answer, AzureEmulator, DefaultOnly, ModelProfile, Rejected, Unsupported

API_VERSION = "2025-04-01-preview"
MESSAGES: list[ChatCompletionMessageParam] = [{"role": "user", "content": "Say ok."}]
Mode = Literal["sync", "async"]
MODES: list[Mode] = ["sync", "async"]
StoreOpener = Callable[..., Store]  # the open_store fixture (tests/client/conftest.py)
Events = list[MutableMapping[str, Any]]

O4_MINI = "o4-mini-2025-04-16"
GPT_4O = "gpt-4o-2024-11-20"
# o4-mini as Azure serves it, cut down to the two params these tests send.
O4_MINI_LIKE = ModelProfile(
    "o4-mini", O4_MINI, (Unsupported("max_tokens", use="max_completion_tokens"), DefaultOnly("temperature", 1))
)
GPT_4O_LIKE = ModelProfile("gpt-4o", GPT_4O)  # accepts everything
RENAME = Rename("max_tokens", "max_completion_tokens")


@dataclass(frozen=True)
class Unrecognized:
    """Azure's older wording for a param an api-version does not know (corpus e027)."""

    param: str

    def check(self, body: dict[str, Any]) -> Rejected | None:
        if self.param not in body:
            return None
        message = f"Unrecognized request argument supplied: {self.param}"
        return 400, {"error": {"message": message, "type": None, "param": None, "code": None}}


@dataclass(frozen=True)
class CustomProfile(ModelProfile):
    """A profile whose rejections come first from rule objects of these tests' own."""

    custom: tuple[Unrecognized, ...] = ()

    def check(self, body: dict[str, Any]) -> Answer | None:
        for rule in self.custom:
            found = rule.check(body)
            if found is not None:
                return found
        return super().check(body)


@pytest.fixture
def deployment(azure: AzureEmulator) -> Iterator[str]:
    """A deployment of this test's own on the session's emulator, backed by an o4-mini-like model; swap it freely."""
    name = f"prod-{uuid.uuid4().hex[:12]}"
    azure.deployments[name] = O4_MINI_LIKE
    yield name
    del azure.deployments[name]


@pytest.fixture
def events() -> Iterator[Events]:
    """The structlog events of the test (structlog is left unconfigured afterwards, as the other tests expect)."""
    structlog.reset_defaults()
    with structlog.testing.capture_logs() as captured:
        yield captured
    structlog.reset_defaults()


def key_for(azure: AzureEmulator, deployment: str) -> DeploymentKey:
    return DeploymentKey(urlsplit(azure.endpoint).netloc, deployment, API_VERSION, "chat/completions")


def named(events: Events, *names: str) -> Events:
    return [e for e in events if e["event"] in names]


def chat(mode: Mode, azure: AzureEmulator, store: Store, deployment: str, **params: Any) -> ChatCompletion:
    """One chat.completions.create call through a fresh sync or async client (params are client options too)."""
    client_options: dict[str, Any] = {
        "azure_endpoint": azure.endpoint, "api_key": "k", "api_version": API_VERSION, "max_retries": 0,
        "store": store, **{k: params.pop(k) for k in ("rule_ttl", "wait_timeout") if k in params},
    }  # fmt: skip
    params.setdefault("messages", MESSAGES)
    if mode == "sync":
        with ResilientAzureClient(**client_options) as client:
            result: ChatCompletion = client.chat.completions.create(model=deployment, **params)
            return result

    async def call() -> ChatCompletion:
        async with AsyncResilientAzureClient(**client_options) as aclient:
            aresult: ChatCompletion = await aclient.chat.completions.create(model=deployment, **params)
            return aresult

    return asyncio.run(call())


def sent(azure: AzureEmulator) -> list[tuple[int, list[str]]]:
    """Each request seen: its status and the tuning params it carried."""
    return [(r.status, sorted(set(r.body) - {"model", "messages"})) for r in azure.requests]


def rule(fix: Rename | Drop, last_seen: float) -> LearnedRule:
    message = f"Unsupported parameter: '{fix.param}' is not supported with this model."
    return LearnedRule(fix, Evidence(400, "unsupported_parameter", message, last_seen, last_seen))


# --- a new model behind the deployment ----------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_a_new_model_behind_a_deployment_resets_its_rules(
    azure: AzureEmulator, open_store: StoreOpener, deployment: str, events: Events, mode: Mode
) -> None:
    """The first success reporting a new model drops the key's rules (rules_reset); then the caller's body goes out."""
    store, key = open_store(), key_for(azure, deployment)
    chat(mode, azure, store, deployment, max_tokens=5)
    assert sent(azure) == [(400, ["max_tokens"]), (200, ["max_completion_tokens"])]
    learned = open_store().items()[key]
    assert (learned.fixes, learned.model) == ((RENAME,), O4_MINI)
    assert named(events, "rules_reset") == []

    azure.deployments[deployment] = GPT_4O_LIKE  # Azure upgraded the deployment in place
    azure.reset()
    result = chat(mode, azure, store, deployment, max_tokens=5)
    assert result.model == GPT_4O
    assert sent(azure) == [(200, ["max_completion_tokens"])]  # the old rule still applied: it is all we knew
    (reset,) = named(events, "rules_reset")
    assert reset == {
        "event": "rules_reset", "log_level": "info", "deployment": deployment, "operation": "chat/completions",
        "model_before": O4_MINI, "model_after": GPT_4O, "rules_dropped": 1,
    }  # fmt: skip
    mapping = open_store().items()[key]
    assert (mapping.rules, mapping.model) == ((), GPT_4O)

    azure.reset()
    chat(mode, azure, store, deployment, max_tokens=5)
    assert sent(azure) == [(200, ["max_tokens"])]
    assert len(named(events, "rules_reset")) == 1


@pytest.mark.parametrize("mode", MODES)
def test_the_same_model_reported_again_keeps_the_rules(
    azure: AzureEmulator, deployment: str, events: Events, mode: Mode
) -> None:
    """A deployment that keeps reporting the model it reported before keeps its rules, and no rules_reset is logged."""
    store = MemoryStore()
    for _ in range(3):
        chat(mode, azure, store, deployment, max_tokens=5)
    assert [status for status, _ in sent(azure)] == [400, 200, 200, 200]
    assert store.items()[key_for(azure, deployment)].fixes == (RENAME,)
    assert named(events, "rules_reset", "rule_revoked") == []


# --- a rule the deployment contradicts ----------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_a_rule_the_deployment_contradicts_is_revoked(
    azure: AzureEmulator, open_store: StoreOpener, deployment: str, events: Events, mode: Mode
) -> None:
    """A learned rename that the deployment now rejects in Azure's older wording is revoked (rule_revoked), once."""
    store, key = open_store(), key_for(azure, deployment)
    chat(mode, azure, store, deployment, max_tokens=5)
    assert open_store().items()[key].fixes == (RENAME,)

    # The same model, now behind an api that does not know max_completion_tokens.
    azure.deployments[deployment] = CustomProfile("o4-mini", O4_MINI, custom=(Unrecognized("max_completion_tokens"),))
    azure.reset()
    result = chat(mode, azure, store, deployment, max_tokens=5)
    assert result.model == O4_MINI
    assert sent(azure) == [(400, ["max_completion_tokens"]), (200, ["max_tokens"])]
    (revoked,) = named(events, "rule_revoked")
    assert revoked == {
        "event": "rule_revoked", "log_level": "info", "deployment": deployment, "operation": "chat/completions",
        "param": "max_tokens", "action": "rename", "attempt": 1,
    }  # fmt: skip
    assert named(events, "rules_reset") == []
    assert open_store().items()[key].rules == ()

    azure.reset()
    chat(mode, azure, store, deployment, max_tokens=5)
    assert sent(azure) == [(200, ["max_tokens"])]
    assert len(named(events, "rule_revoked")) == 1


def test_revoke_and_reset_in_one_call_are_two_events(azure: AzureEmulator, deployment: str, events: Events) -> None:
    """A call that revokes a rule and then reports a new model logs rule_revoked, then rules_reset."""
    store = MemoryStore()
    chat("sync", azure, store, deployment, max_tokens=5)
    azure.deployments[deployment] = CustomProfile("gpt-4o", GPT_4O, custom=(Unrecognized("max_completion_tokens"),))
    azure.reset()
    chat("sync", azure, store, deployment, max_tokens=5)
    assert sent(azure) == [(400, ["max_completion_tokens"]), (200, ["max_tokens"])]
    lifecycle = named(events, "rule_revoked", "rules_reset")
    assert [(e["event"], e.get("model_before"), e.get("model_after")) for e in lifecycle] == [
        ("rule_revoked", None, None),
        ("rules_reset", O4_MINI, GPT_4O),
    ]
    mapping = store.items()[key_for(azure, deployment)]
    assert (mapping.rules, mapping.model) == ((), GPT_4O)


# --- rule_ttl -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_a_rule_past_rule_ttl_is_not_applied_and_is_relearned(
    azure: AzureEmulator, deployment: str, mode: Mode
) -> None:
    """With rule_ttl=0.2, a rule not seen for 0.3 s is not applied: the next call sends max_tokens, and relearns."""
    store, key = MemoryStore(), key_for(azure, deployment)
    chat(mode, azure, store, deployment, max_tokens=5, rule_ttl=0.2)
    assert [status for status, _ in sent(azure)] == [400, 200]
    (before,) = store.items()[key].rules
    time.sleep(0.3)
    azure.reset()
    chat(mode, azure, store, deployment, max_tokens=5, rule_ttl=0.2)
    assert sent(azure) == [(400, ["max_tokens"]), (200, ["max_completion_tokens"])]
    (after,) = store.items()[key].rules
    assert after.fix == RENAME
    assert after.evidence.last_seen > before.evidence.last_seen + 0.25
    assert after.evidence.hits == 2


@pytest.mark.parametrize(
    ("age", "expected"),
    [
        (3600.0, [(400, ["max_tokens"]), (200, ["max_completion_tokens"])]),
        (0.0, [(200, ["max_completion_tokens"])]),
        (-3600.0, [(200, ["max_completion_tokens"])]),
    ],
    ids=["last-seen-an-hour-ago", "last-seen-just-now", "last-seen-in-the-future"],
)
@pytest.mark.parametrize("mode", MODES)
def test_rule_ttl_counts_from_last_seen(
    azure: AzureEmulator, deployment: str, mode: Mode, age: float, expected: list[tuple[int, list[str]]]
) -> None:
    """A rule last seen longer ago than rule_ttl is not applied; a recent one is, and so is one seen in the future."""
    store, key = MemoryStore(), key_for(azure, deployment)
    store.update(key, lambda _: DeploymentMapping(rules=(rule(RENAME, time.time() - age),), model=O4_MINI))
    chat(mode, azure, store, deployment, max_tokens=5, rule_ttl=60.0)
    assert sent(azure) == expected
    assert store.items()[key].fixes == (RENAME,)


@pytest.mark.parametrize("mode", MODES)
def test_an_expired_rule_stays_unapplied_after_another_is_relearned(
    azure: AzureEmulator, deployment: str, mode: Mode
) -> None:
    """Of two expired rules, relearning one does not bring back the other: temperature (now accepted) is sent."""
    store, key = MemoryStore(), key_for(azure, deployment)
    old = time.time() - 3600
    rules = (rule(RENAME, old), rule(Drop("temperature"), old))
    store.update(key, lambda _: DeploymentMapping(rules=rules, model=O4_MINI))
    azure.deployments[deployment] = ModelProfile(
        "o4-mini", O4_MINI, (Unsupported("max_tokens", "max_completion_tokens"),)
    )
    chat(mode, azure, store, deployment, max_tokens=5, temperature=0.2, rule_ttl=60.0)
    assert sent(azure) == [(400, ["max_tokens", "temperature"]), (200, ["max_completion_tokens", "temperature"])]


@pytest.mark.parametrize("mode", MODES)
def test_a_call_that_waited_for_a_leader_does_not_apply_expired_rules(
    azure: AzureEmulator, deployment: str, mode: Mode
) -> None:
    """A call that waits behind another call's lease still leaves out a rule past rule_ttl when it goes ahead."""
    store, key = MemoryStore(), key_for(azure, deployment)
    body = {"max_completion_tokens", "messages", "messages.role=user", "model"}
    mapping = DeploymentMapping(rules=(rule(RENAME, time.time() - 3600),), accepted=frozenset(body), model=GPT_4O)
    store.update(key, lambda _: mapping)
    azure.deployments[deployment] = GPT_4O_LIKE  # it takes max_tokens now: why rules expire
    assert store.lease(key_id(key), 60.0)  # another call is learning this key (for longer than the call waits)
    done = threading.Event()

    def call() -> None:
        chat(mode, azure, store, deployment, max_tokens=5, rule_ttl=60.0, wait_timeout=0.3)
        done.set()

    worker = threading.Thread(target=call, daemon=True)
    worker.start()
    worker.join(10)
    assert done.is_set()
    assert sent(azure) == [(200, ["max_tokens"])]
