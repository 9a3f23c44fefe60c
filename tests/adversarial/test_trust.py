"""The shared cache is a trust boundary: what a store hands back is checked like a server's message.

Each attack is planted in a real store (the JSON file, a real Redis) and a resilient
client, sync and async, then calls the loopback emulator. What reaches the wire is
checked against what the caller sent. The attacks and where each is tested:

- rules read back act only within the *reading* client's policy: here;
- one bad value (a 400-digit integer, NaN, deep JSON, a foreign version counter) harms
  nothing else: here and tests/unit/test_serialize.py;
- the writer never writes what its reader refuses (a 201-character or non-string
  ``extra_body`` key): here;
- rename cycles and a ``clear`` racing a call: here and tests/unit/test_attempts.py;
- free-form values are never stored as ``SetValue.old``: here;
- keys carry the endpoint's path and never its userinfo: tests/client/test_keys.py;
- option checks and a raising ``on_repair``: tests/client/test_options.py;
- the file's own handling (symlinks, read-only, modes, lock timeouts): tests/stores/test_json_file.py;
- the event loop never blocks on a store: tests/stores/test_async_adapter.py.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import hypothesis.strategies as st
import openai
import pytest
from hypothesis import given, settings

from resilient_client import (
    AsyncResilientAzureClient,
    JSONFileStore,
    MemoryStore,
    RepairEvent,
    RepairPolicy,
    ResilientAzureClient,
    Store,
)
from resilient_client._core import apply, permitted, signature
from resilient_client._models import (
    DEFAULT_PROTECTED,
    UNCHANGEABLE,
    ChangeRole,
    DeploymentKey,
    DeploymentMapping,
    Drop,
    Evidence,
    Fix,
    LearnedRule,
    Rename,
    SetValue,
)
from resilient_client._serialize import dumps, entry_to_json, loads
from resilient_client.testing import AzureEmulator, fixed
from tests.stores.helpers import RedisServer
from tests.strategies import fixes, request_bodies

API_VERSION = "2025-04-01-preview"
EVIDENCE = Evidence(400, None, "planted", 1.0, 2.0)
TOOLS: Any = [{"type": "function", "function": {"name": "f", "parameters": {"type": "object", "properties": {}}}}]
MESSAGES: Any = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}]

# What someone who can write the cache (or a client with a wider policy) could make every
# other client do. Each would change what the request means; the server would answer 200.
PLANTED: tuple[Fix, ...] = (
    Drop("messages"),
    Drop("tools"),
    Drop("tool_choice"),
    Drop("response_format"),
    Rename("messages", "input"),
    SetValue("stream", old=False, new=True),
    Rename("max_tokens", "stream"),
    SetValue("model", "gpt-4o", "o4-mini"),
    ChangeRole("system", "user"),
)


def key_for(azure: AzureEmulator, deployment: str = "gpt-4o") -> DeploymentKey:
    return DeploymentKey(azure.endpoint.removeprefix("http://"), deployment, API_VERSION, "chat/completions")


def plant(store: Store, key: DeploymentKey, planted: tuple[Fix, ...]) -> None:
    def change(mapping: DeploymentMapping) -> DeploymentMapping:
        return DeploymentMapping(tuple(LearnedRule(f, EVIDENCE) for f in planted), mapping.accepted, mapping.model)

    store.update(key, change)


def request(**extra: Any) -> dict[str, Any]:
    return {
        "model": "gpt-4o",
        "messages": MESSAGES,
        "tools": TOOLS,
        "tool_choice": "auto",
        "response_format": {"type": "json_object"},
        "stream": False,
        "max_tokens": 5,
        **extra,
    }


def call(azure: AzureEmulator, store: Store, *, is_async: bool, policy: RepairPolicy | None = None) -> object:
    kwargs: dict[str, Any] = {
        "azure_endpoint": azure.endpoint,
        "api_key": "k",
        "api_version": API_VERSION,
        "store": store,
        "max_retries": 0,
        "policy": policy,
    }
    if not is_async:
        with ResilientAzureClient(**kwargs) as client:
            return client.chat.completions.create(**request())

    async def go() -> object:
        async with AsyncResilientAzureClient(**kwargs) as client:
            return await client.chat.completions.create(**request())

    return asyncio.run(go())


@pytest.fixture(params=["file", "redis"])
def shared(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[], Store]]:
    """Opens views of one shared store, each as another process would see it."""
    opened: list[Store] = []
    server: RedisServer | None = request.getfixturevalue("redis_server") if request.param == "redis" else None
    prefix = f"trust-{request.node.name}:"

    def open_one() -> Store:
        store: Store
        if server is None:
            store = JSONFileStore(tmp_path / "rules.json")
        else:
            from resilient_client.stores.redis import RedisStore

            store = RedisStore.from_url(server.url, prefix=prefix)
        opened.append(store)
        return store

    yield open_one
    for store in opened:
        store.close()


@pytest.fixture
def warnings(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """Captured events, with the once-per-process memory of skipped rules forgotten (each test is a new process)."""
    from resilient_client import _client

    _client._SKIPPED.clear()
    caplog.set_level(logging.DEBUG, logger="resilient_client")
    return caplog


# --- rules read back obey the reading client's policy ----------------------------------------------------------------


@pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])
def test_planted_rules_change_nothing_the_reading_client_protects(
    azure: AzureEmulator, shared: Callable[[], Store], warnings: pytest.LogCaptureFixture, *, is_async: bool
) -> None:
    """No planted drop, rename, value change, model re-route or role fold acts on what this client protects."""
    plant(shared(), key_for(azure), (*PLANTED, Drop("temperature")))
    policy = RepairPolicy(change_roles=False)
    reply = call(azure, shared(), is_async=is_async, policy=policy)
    assert isinstance(reply, openai.types.chat.ChatCompletion)
    (sent,) = azure.bodies()
    assert sent == json.loads(json.dumps(request())), sent
    skipped = {
        (r.__dict__.get("param"), r.__dict__.get("action"))
        for r in warnings.records
        if r.msg.startswith("rule_skipped")
    }
    assert skipped == {(f.param, f.kind) for f in PLANTED}


@pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])
def test_a_planted_rule_the_local_policy_allows_does_act_and_the_others_still_do_not(
    azure: AzureEmulator, shared: Callable[[], Store], *, is_async: bool
) -> None:
    """Consent is local: a client that allows tools lets the stored drop act; stream and model stay unchangeable."""
    plant(shared(), key_for(azure), (Drop("tools"), SetValue("stream", old=False, new=True), Drop("temperature")))
    call(azure, shared(), is_async=is_async, policy=RepairPolicy(allow=frozenset({"tools", "stream", "model"})))
    (sent,) = azure.bodies()
    assert "tools" not in sent
    assert sent["stream"] is False


def test_skipped_rules_are_reported_once_per_process_key_and_fix(
    azure: AzureEmulator, shared: Callable[[], Store], warnings: pytest.LogCaptureFixture
) -> None:
    """Three calls over one planted rule: one rule_skipped event."""
    plant(shared(), key_for(azure, "gpt-4o"), (Drop("response_format"),))
    store = shared()
    for _ in range(3):
        call(azure, store, is_async=False)
    assert len([r for r in warnings.records if r.msg.startswith("rule_skipped")]) == 1


# Any stored mapping, any request: what the local policy protects reaches the wire as sent.
policies = st.builds(
    RepairPolicy,
    allow=st.frozensets(st.sampled_from(sorted(DEFAULT_PROTECTED | UNCHANGEABLE)), max_size=3),
    change_roles=st.booleans(),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(fixes, max_size=8), request_bodies(), policies)
def test_no_stored_mapping_changes_a_protected_param_the_policy_does_not_allow(
    stored: list[Fix], body: dict[str, Any], policy: RepairPolicy
) -> None:
    """Property: after permitted() and apply(), every protected, unallowed name or path is byte for byte as sent."""
    kept, _ = permitted(tuple(stored), policy)
    sent, _ = apply(kept, body)
    paths = body.keys() | sent.keys() | policy.protected | UNCHANGEABLE
    for path in paths:
        if policy.protecting(path) == path and not (path in ("messages", "input") and policy.change_roles):
            assert _at(sent, path) == _at(body, path), path


def _at(body: dict[str, Any], path: str) -> object:
    node: object = body
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return "<missing>"
        node = node[part]
    return node


# --- one bad value harms nothing else --------------------------------------------------------------------------------


def test_a_400_digit_integer_in_one_entry_leaves_every_other_entry_working(
    azure: AzureEmulator, tmp_path: Path
) -> None:
    """One entry holds 10**400: its rule is skipped, another deployment's rule still applies, calls succeed."""
    path = tmp_path / "rules.json"
    good = entry_to_json(key_for(azure, "o4-mini"), DeploymentMapping((LearnedRule(Drop("temperature"), EVIDENCE),)))
    bad = entry_to_json(key_for(azure, "gpt-4o"), DeploymentMapping((LearnedRule(Drop("top_p"), EVIDENCE),)))
    bad["rules"][0]["fix"] = {"kind": "clamp", "param": "max_tokens", "maximum": 10**400}
    path.write_text(json.dumps({"schema": 1, "deployments": [bad, good]}))
    store = JSONFileStore(path)
    with ResilientAzureClient(azure_endpoint=azure.endpoint, api_key="k", api_version=API_VERSION, store=store) as c:
        c.chat.completions.create(model="gpt-4o", messages=MESSAGES, max_tokens=5)
        c.chat.completions.create(model="o4-mini", messages=MESSAGES, max_completion_tokens=5, temperature=0.5)
    assert azure.count(status=400) == 0
    assert "temperature" not in azure.bodies("o4-mini")[0]


@pytest.mark.parametrize(
    "poison",
    [
        pytest.param(lambda r, p: r.hset(f"{p}rules", "x", "[" * 100_000), id="deep-json-field"),
        pytest.param(lambda r, p: r.hset(f"{p}rules", "y", '{"key": {"host": 1}}'), id="bad-entry-field"),
        pytest.param(lambda r, p: r.set(f"{p}version", "not-a-number"), id="foreign-version"),
        pytest.param(lambda r, p: r.set(f"{p}version", "[" * 10_000), id="deep-version"),
    ],
)
def test_poison_in_redis_harms_nothing_else(
    azure: AzureEmulator,
    redis_server: RedisServer,
    poison: Callable[[Any, str], object],
    request: pytest.FixtureRequest,
) -> None:
    """Deep JSON or a bad entry in one hash field, a foreign version: other rules apply, learning still writes."""
    import redis

    from resilient_client.stores.redis import RedisStore

    prefix = f"poison-{request.node.callspec.id}:"
    raw = redis.Redis.from_url(redis_server.url)
    try:
        raw.delete(f"{prefix}rules", f"{prefix}version")
        writer = RedisStore.from_url(redis_server.url, prefix=prefix)
        plant(writer, key_for(azure, "o4-mini"), (Rename("max_tokens", "max_completion_tokens"),))
        writer.close()
        poison(raw, prefix)
        store = RedisStore.from_url(redis_server.url, prefix=prefix)
        with ResilientAzureClient(
            azure_endpoint=azure.endpoint, api_key="k", api_version=API_VERSION, store=store, max_retries=0
        ) as client:
            client.chat.completions.create(model="o4-mini", messages=MESSAGES, max_tokens=5)
            client.chat.completions.create(model="o4-mini", messages=MESSAGES, max_tokens=5, temperature=0.5)
        assert azure.count(status=400) == 1  # only the new temperature rejection
        fresh = RedisStore.from_url(redis_server.url, prefix=prefix)
        mapping = fresh.items()[key_for(azure, "o4-mini")]
        assert {f.param for f in mapping.fixes} == {"max_tokens", "temperature"}
        fresh.close()
        store.close()
    finally:
        raw.close()


def test_supported_values_nan_learns_nothing_and_raises_the_original_error(tmp_path: Path) -> None:
    """A hostile "Supported values are: nan" is not learned: the call raises the server's error after one request."""
    message = "Unsupported value: 'temperature' does not support 0.5 with this model. Supported values are: nan."
    body = {"error": {"message": message, "param": "temperature", "code": "unsupported_value"}}
    store = JSONFileStore(tmp_path / "rules.json")
    with (
        AzureEmulator(deployments={"d": fixed(400, body)}) as azure,
        ResilientAzureClient(azure_endpoint=azure.endpoint, api_key="k", api_version=API_VERSION, store=store) as c,
    ):
        with pytest.raises(openai.BadRequestError) as info:
            c.chat.completions.create(model="d", messages=MESSAGES, temperature=0.5)
        assert type(info.value) is openai.BadRequestError
        assert azure.count() == 1
    assert all(not m.rules for m in store.items().values())


@pytest.mark.parametrize(
    "text",
    [
        pytest.param('{"kind": "set_value", "param": "temperature", "old": 0.5, "new": NaN}', id="nan"),
        pytest.param('{"kind": "clamp", "param": "max_tokens", "maximum": Infinity}', id="infinity"),
        pytest.param('{"kind": "set_value", "param": "temperature", "old": 0.5, "new": 1' + "0" * 400 + "}", id="huge"),
    ],
)
def test_planted_non_finite_values_are_skipped_and_the_entry_still_serves(
    azure: AzureEmulator, tmp_path: Path, text: str
) -> None:
    """A rule holding NaN, Infinity or a 400-digit number is skipped; the entry's other rule still applies."""
    path = tmp_path / "rules.json"
    entry = entry_to_json(
        key_for(azure, "o4-mini"),
        DeploymentMapping((LearnedRule(Rename("max_tokens", "max_completion_tokens"), EVIDENCE),)),
    )
    rule = json.dumps(entry["rules"][0]["evidence"])
    entry_text = json.dumps(entry)[:-2] + f', {{"fix": {text}, "evidence": {rule}}}]}}'
    path.write_text('{"schema": 1, "deployments": [' + entry_text + "]}")
    assert len(json.loads(path.read_text())["deployments"][0]["rules"]) == 2
    with ResilientAzureClient(
        azure_endpoint=azure.endpoint, api_key="k", api_version=API_VERSION, store=JSONFileStore(path)
    ) as client:
        client.chat.completions.create(model="o4-mini", messages=MESSAGES, max_tokens=5, temperature=0.5)
    sent = azure.bodies("o4-mini")
    assert "max_tokens" not in sent[0]
    assert sent[-1].get("temperature", 0.5) == 0.5  # nothing planted acted on it


# --- the writer never writes what its reader refuses ---------------------------------------------------------------


@pytest.mark.parametrize(
    "extra",
    [pytest.param({"x" * 201: 1}, id="201-char-key"), pytest.param({1: "x"}, id="int-key")],
)
def test_odd_extra_body_keys_never_make_the_file_unreadable(
    azure: AzureEmulator, tmp_path: Path, extra: dict[Any, Any]
) -> None:
    """A call with such a key succeeds, its signature is written, and the next process reads every rule back."""
    path = tmp_path / "rules.json"
    plant(JSONFileStore(path), key_for(azure, "o4-mini"), (Rename("max_tokens", "max_completion_tokens"),))
    with ResilientAzureClient(
        azure_endpoint=azure.endpoint, api_key="k", api_version=API_VERSION, store=JSONFileStore(path)
    ) as client:
        client.chat.completions.create(model="gpt-4o", messages=MESSAGES, extra_body=extra)
    rules = loads(path.read_bytes())
    assert rules[key_for(azure, "gpt-4o")].accepted  # the success was recorded…
    assert rules[key_for(azure, "o4-mini")].fixes == (Rename("max_tokens", "max_completion_tokens"),)  # …and kept all
    assert all(len(s) <= 200 for s in signature({**request(), **extra}))


def test_the_writer_bounds_what_one_key_and_one_store_hold(tmp_path: Path) -> None:
    """More keys and rules than the limits: the least recently seen go, and the file reads back whole."""
    from resilient_client._core import MAX_KEYS, MAX_RULES

    rules = {
        DeploymentKey("h", f"d{i}", "v", "o"): DeploymentMapping(
            tuple(LearnedRule(Drop(f"p{j}"), Evidence(400, None, "m", 1.0, float(i * 100 + j))) for j in range(3))
        )
        for i in range(MAX_KEYS + 10)
    }
    many = DeploymentMapping(
        tuple(LearnedRule(Drop(f"q{j}"), Evidence(400, None, "m", 1.0, 1e9 + j)) for j in range(MAX_RULES + 5))
    )
    rules[DeploymentKey("h", "many", "v", "o")] = many
    back = loads(dumps(rules))
    assert len(back) == MAX_KEYS
    assert DeploymentKey("h", "d0", "v", "o") not in back  # the least recently active keys went
    assert len(back[DeploymentKey("h", "many", "v", "o")].rules) == MAX_RULES
    assert back[DeploymentKey("h", "many", "v", "o")].fixes[0] == Drop("q5")  # the oldest rules went, order kept


# --- cycles and races ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])
def test_a_planted_rename_cycle_of_three_does_not_fail_every_call(
    azure: AzureEmulator, shared: Callable[[], Store], *, is_async: bool
) -> None:
    """max_tokens -> max_output_tokens -> max_completion_tokens -> max_tokens: the last one is never applied."""
    cycle = (
        Rename("max_tokens", "max_output_tokens"),
        Rename("max_output_tokens", "max_completion_tokens"),
        Rename("max_completion_tokens", "max_tokens"),
    )
    plant(shared(), key_for(azure, "o4-mini"), cycle)
    store = shared()
    kwargs: dict[str, Any] = {"azure_endpoint": azure.endpoint, "api_key": "k", "api_version": API_VERSION,
                              "store": store, "max_retries": 0}  # fmt: skip
    body: dict[str, Any] = {"model": "o4-mini", "messages": MESSAGES, "max_tokens": 5}
    if is_async:

        async def go() -> None:
            async with AsyncResilientAzureClient(**kwargs) as client:
                await client.chat.completions.create(**body)

        asyncio.run(go())
    else:
        with ResilientAzureClient(**kwargs) as client:
            client.chat.completions.create(**body)
    assert azure.count(status=400) == 0
    assert azure.bodies("o4-mini")[0]["max_completion_tokens"] == 5


@pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])
def test_a_clear_between_a_learn_and_its_retry_never_fails_the_call(azure: AzureEmulator, *, is_async: bool) -> None:
    """on_repair clears the store after each repair: with max_repairs=2 the o4-mini call still succeeds."""
    store = MemoryStore()

    def clear(event: RepairEvent) -> None:
        store.clear()

    kwargs: dict[str, Any] = {"azure_endpoint": azure.endpoint, "api_key": "k", "api_version": API_VERSION,
                              "store": store, "max_retries": 0, "max_repairs": 2, "on_repair": clear}  # fmt: skip
    body: dict[str, Any] = {"model": "o4-mini", "messages": MESSAGES, "max_tokens": 5, "temperature": 0.5}
    if is_async:

        async def go() -> None:
            async with AsyncResilientAzureClient(**kwargs) as client:
                await client.chat.completions.create(**body)

        asyncio.run(go())
    else:
        with ResilientAzureClient(**kwargs) as client:
            client.chat.completions.create(**body)
    assert azure.count("o4-mini") == 3


# --- free-form values are never stored ------------------------------------------------------------------------------


def test_a_rejected_free_form_value_is_dropped_never_stored_or_logged(
    tmp_path: Path, warnings: pytest.LogCaptureFixture
) -> None:
    """A refused ``user`` value gives a Drop: the value is in no rule, no event, no exception of ours."""
    secret = "alice.smith-4471"  # noqa: S105 - a canary user id
    body = {"error": {"message": f"Unsupported value: 'user' does not support '{secret}' with this model.",
                      "param": "user", "code": "unsupported_value"}}  # fmt: skip
    store = JSONFileStore(tmp_path / "rules.json")
    events: list[RepairEvent] = []
    with (
        AzureEmulator(deployments={"d": fixed(400, body)}) as azure,
        ResilientAzureClient(
            azure_endpoint=azure.endpoint, api_key="k", api_version=API_VERSION, store=store, on_repair=events.append
        ) as client,
        pytest.raises(openai.BadRequestError),
    ):
        client.chat.completions.create(model="d", messages=MESSAGES, user=secret)
    (mapping,) = store.items().values()
    assert mapping.fixes == (Drop("user"),)
    assert secret not in (tmp_path / "rules.json").read_text()
    assert all(secret not in r.getMessage() for r in warnings.records)
    assert [e.fix for e in events] == [Drop("user")]
