"""Replays of recorded Azure and provider exchanges (cassettes/client/) through the real SDK, offline.

Each cassette holds the exact requests the client must send: vcrpy matches method,
URL and JSON body, so a wrongly repaired body fails the test. See
tests/client/scenarios.py for the calls and scripts/record_cassettes.py to re-record.
The provider cassettes (Gemini, xAI, OpenRouter) replay through ``ResilientOpenAI`` at
the provider's own base URL.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import openai
import pytest
import vcr
from scenarios import API_VERSION, HOSTS, RESOURCE, SCENARIOS, USER, Scenario

from resilient_client import (
    AsyncResilientAzureClient,
    AsyncResilientOpenAI,
    ChangeRole,
    Clamp,
    Drop,
    JSONFileStore,
    Rename,
    ResilientAzureClient,
    ResilientOpenAI,
    SetValue,
)
from tests.corpus import DESIGN, read

CASSETTES = Path(__file__).resolve().parents[2] / "cassettes" / "client"
KEY = "test-key-0000"
_VCR = vcr.VCR(
    record_mode="none",
    match_on=["method", "scheme", "host", "port", "path", "query", "body"],
    filter_headers=["api-key", "authorization"],
)


@contextmanager
def cassette(name: str) -> Iterator[Any]:
    with _VCR.use_cassette(str(CASSETTES / f"{name}.yaml"), allow_playback_repeats=False) as cass:
        yield cass


def client(store: Path, provider: str | None = None) -> openai.OpenAI:
    if provider is None:
        return ResilientAzureClient(
            azure_endpoint=RESOURCE, api_key=KEY, api_version=API_VERSION, store=JSONFileStore(store), max_retries=0
        )
    return ResilientOpenAI(base_url=HOSTS[provider], api_key=KEY, store=JSONFileStore(store), max_retries=0)


def sent(cass: Any, index: int) -> dict[str, Any]:
    body: dict[str, Any] = json.loads(cass.requests[index].body)
    return body


def run(name: str, store: Path) -> Any:
    scenario = SCENARIOS[name]
    with client(store, scenario.provider) as c:
        return scenario.call(c, scenario.deployment)


def fixes(store: Path) -> list[Any]:
    return [rule.fix for mapping in JSONFileStore(store).items().values() for rule in mapping.rules]


def test_o4_mini_max_tokens_learned_once_then_sent_repaired(tmp_path: Path) -> None:
    """o4-mini's max_tokens 400 costs one retry; a new client on the same cache file sends one repaired request."""
    store = tmp_path / "rules.json"
    with cassette("o4_mini_max_tokens") as cass:
        result = run("o4_mini_max_tokens", store)
        assert result.choices[0].message.content == "ok"
        assert cass.play_count == 2
        assert [cass.responses[i]["status"]["code"] for i in range(2)] == [400, 200]
        assert fixes(store) == [Rename("max_tokens", "max_completion_tokens")]

        run("o4_mini_max_tokens", store)
        assert cass.play_count == 3
        body = sent(cass, 2)
        assert body["max_completion_tokens"] == 300
        assert "max_tokens" not in body
        assert cass.all_played


def test_three_unsupported_params_need_three_repairs_then_one_request(tmp_path: Path) -> None:
    """max_tokens, temperature and top_p come back as three successive 400s; the next call needs one request."""
    store = tmp_path / "rules.json"
    with cassette("o4_mini_three_params") as cass:
        run("o4_mini_three_params", store)
        assert cass.play_count == 4
        assert fixes(store) == [Rename("max_tokens", "max_completion_tokens"), Drop("temperature"), Drop("top_p")]
        run("o4_mini_three_params", store)
        assert cass.play_count == 5
        assert sent(cass, 4) == {
            "model": "o4-mini",
            "messages": sent(cass, 0)["messages"],
            "max_completion_tokens": 300,
        }


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("o1_mini_temperature", Drop("temperature")),
        ("o3_mini_temperature", Drop("temperature")),
        ("gpt5_temperature", Drop("temperature")),
    ],
)
def test_temperature_rejections_drop_temperature(tmp_path: Path, name: str, expected: Any) -> None:
    """o1-mini, o3-mini and gpt-5 reject a non-default temperature; it is left out on the retry."""
    store = tmp_path / "rules.json"
    with cassette(name) as cass:
        run(name, store)
        assert cass.play_count == 2
        assert "temperature" in sent(cass, 0)
        assert "temperature" not in sent(cass, 1)
    assert fixes(store) == [expected]


def test_o1_mini_system_role_becomes_developer_then_folds_into_user(tmp_path: Path) -> None:
    """o1-mini refuses system, then developer; the system text ends up at the top of the user message."""
    store = tmp_path / "rules.json"
    with cassette("o1_mini_system_role") as cass:
        run("o1_mini_system_role", store)
        assert cass.play_count == 3
        roles = [[m["role"] for m in sent(cass, i)["messages"]] for i in range(3)]
        assert roles == [["system", "user"], ["developer", "user"], ["user"]]
        assert sent(cass, 2)["messages"][0]["content"] == "You answer in one word.\n\nSay ok."
    assert fixes(store) == [ChangeRole("system", "developer"), ChangeRole("developer", "user")]


def test_reasoning_effort_value_moves_to_nearest_supported(tmp_path: Path) -> None:
    """gpt-5.1 refuses reasoning_effort 'minimal'; the nearest supported value, 'low', is sent."""
    store = tmp_path / "rules.json"
    with cassette("gpt51_reasoning_effort") as cass:
        run("gpt51_reasoning_effort", store)
        assert cass.play_count == 2
        assert sent(cass, 1)["reasoning_effort"] == "low"
    assert fixes(store) == [SetValue("reasoning_effort", "minimal", "low")]


def test_responses_api_nested_reasoning_effort(tmp_path: Path) -> None:
    """On the Responses API the value is found at reasoning.effort although Azure only quotes the value."""
    store = tmp_path / "rules.json"
    with cassette("gpt51_responses_effort") as cass:
        result = run("gpt51_responses_effort", store)
        assert result.output_text == "ok"
        assert cass.play_count == 2
        assert sent(cass, 1)["reasoning"] == {"effort": "low"}
        assert sent(cass, 1)["max_output_tokens"] == 64


def test_streaming_call_is_repaired_before_the_stream_starts(tmp_path: Path) -> None:
    """A stream=True call rejected for max_tokens is retried and streams normally."""
    with cassette("gpt5_stream") as cass:
        assert run("gpt5_stream", tmp_path / "rules.json") == "ok"
        assert cass.play_count == 2
        assert sent(cass, 1)["stream"] is True


def test_async_client_learns_and_reuses(tmp_path: Path) -> None:
    """The async client repairs like the sync one, and a second async client sends one request."""
    store = tmp_path / "rules.json"
    scenario = SCENARIOS["o4_mini_async"]

    async def call() -> None:
        async with AsyncResilientAzureClient(
            azure_endpoint=RESOURCE, api_key=KEY, api_version=API_VERSION, store=JSONFileStore(store), max_retries=0
        ) as c:
            await scenario.call(c, scenario.deployment)

    with cassette("o4_mini_async") as cass:
        asyncio.run(call())
        assert cass.play_count == 2
        asyncio.run(call())
        assert cass.play_count == 3
        assert "max_tokens" not in sent(cass, 2)


@pytest.mark.parametrize(
    ("name", "error", "code"),
    [
        ("content_filter", openai.BadRequestError, "content_filter"),
        ("context_length", openai.BadRequestError, "context_length_exceeded"),
        ("deployment_not_found", openai.NotFoundError, "DeploymentNotFound"),
    ],
)
def test_unrepairable_errors_raised_unchanged_after_one_request(
    tmp_path: Path, name: str, error: type[openai.APIStatusError], code: str
) -> None:
    """Content filter, context length and unknown deployment reach the caller as the SDK raised them."""
    store = tmp_path / "rules.json"
    with cassette(name) as cass, pytest.raises(error) as info:
        run(name, store)
    assert type(info.value) is error
    assert info.value.code == code
    assert cass.play_count == 1
    assert fixes(store) == []
    assert not store.exists()


# --- OpenAI-compatible providers, through ResilientOpenAI ---------------------------------------------------------

PROVIDER_SCENARIOS = [s for s in SCENARIOS.values() if s.provider is not None]


def params(body: dict[str, Any]) -> dict[str, Any]:
    """A sent body without model and messages."""
    return {k: v for k, v in body.items() if k not in ("model", "messages")}


def test_gemini_array_body_teaches_three_drops_then_one_request(tmp_path: Path) -> None:
    """One Gemini array body names frequency_penalty, store and top_k: one retry without all three, then 1 request."""
    store = tmp_path / "rules.json"
    with cassette("gemini_three_fields") as cass:
        assert run("gemini_three_fields", store).choices[0].message.content == "ok"
        assert cass.play_count == 2
        assert [cass.responses[i]["status"]["code"] for i in range(2)] == [400, 200]
        assert params(sent(cass, 0)) == {"frequency_penalty": 0.2, "store": False, "top_k": 40, "max_tokens": 50}
        assert params(sent(cass, 1)) == {"max_tokens": 50}
        assert fixes(store) == [Drop("frequency_penalty"), Drop("store"), Drop("top_k")]

        run("gemini_three_fields", store)
        assert cass.play_count == 3
        assert sent(cass, 2) == {
            "model": "gemini-2.5-flash",
            "messages": [{"role": "user", "content": USER}],
            "max_tokens": 50,
        }
        assert cass.all_played


def test_xai_refuses_one_penalty_per_body(tmp_path: Path) -> None:
    """The xAI profile refuses one param per 400: presence_penalty, then frequency_penalty; next call: 1 request."""
    store = tmp_path / "rules.json"
    with cassette("xai_penalties") as cass:
        run("xai_penalties", store)
        assert cass.play_count == 3
        assert [cass.responses[i]["status"]["code"] for i in range(3)] == [400, 400, 200]
        assert [params(sent(cass, i)) for i in range(3)] == [
            {"presence_penalty": 0.5, "frequency_penalty": 0.5, "max_tokens": 50},
            {"frequency_penalty": 0.5, "max_tokens": 50},
            {"max_tokens": 50},
        ]
        assert fixes(store) == [Drop("presence_penalty"), Drop("frequency_penalty")]

        run("xai_penalties", store)
        assert cass.play_count == 4
        assert params(sent(cass, 3)) == {"max_tokens": 50}
        assert cass.all_played


def test_openrouter_relayed_deepseek_rejections_are_learned(tmp_path: Path) -> None:
    """DeepSeek's bodies inside OpenRouter's envelope: presence_penalty dropped, max_tokens clamped to 65536."""
    store = tmp_path / "rules.json"
    with cassette("openrouter_deepseek_relayed") as cass:
        run("openrouter_deepseek_relayed", store)
        assert cass.play_count == 3
        assert json.loads(cass.responses[0]["body"]["string"])["error"]["metadata"]["provider_name"] == "DeepSeek"
        assert [params(sent(cass, i)) for i in range(3)] == [
            {"presence_penalty": 0.5, "max_tokens": 100_000},
            {"max_tokens": 100_000},
            {"max_tokens": 65536},
        ]
        assert fixes(store) == [Drop("presence_penalty"), Clamp("max_tokens", 1, 65536)]

        run("openrouter_deepseek_relayed", store)
        assert cass.play_count == 4
        assert params(sent(cass, 3)) == {"max_tokens": 65536}
        assert cass.all_played


def test_async_openai_client_replays_the_gemini_cassette(tmp_path: Path) -> None:
    """AsyncResilientOpenAI sends the very requests the sync client recorded: 2 for the first call, then 1."""
    store = tmp_path / "rules.json"

    async def call() -> None:
        async with AsyncResilientOpenAI(
            base_url=HOSTS["gemini"], api_key=KEY, store=JSONFileStore(store), max_retries=0
        ) as c:
            await c.chat.completions.create(
                model="gemini-2.5-flash",
                messages=[{"role": "user", "content": USER}],
                frequency_penalty=0.2,
                store=False,
                max_tokens=50,
                extra_body={"top_k": 40},
            )

    with cassette("gemini_three_fields") as cass:
        asyncio.run(call())
        assert cass.play_count == 2
        asyncio.run(call())
        assert cass.play_count == 3
        assert cass.all_played


@pytest.mark.parametrize("scenario", PROVIDER_SCENARIOS, ids=lambda s: s.name)
def test_provider_cassettes_carry_the_providers_base_url_and_design_rows(scenario: Scenario) -> None:
    """Each provider cassette was recorded at its provider's base URL, and cites design.jsonl rows only."""
    assert scenario.provider is not None
    design = {row["id"] for row in read(DESIGN)}
    assert scenario.corpus
    assert [cid for cid in scenario.corpus if cid not in design] == []
    text = (CASSETTES / f"{scenario.name}.yaml").read_text()
    header = [line for line in text.splitlines() if line.startswith("#")]
    assert all(any(f"#   {cid}: " in line for line in header) for cid in scenario.corpus)
    uris = [line.split("uri: ", 1)[1] for line in text.splitlines() if line.strip().startswith("uri: ")]
    assert uris
    assert set(uris) == {f"{HOSTS[scenario.provider]}/chat/completions"}
    assert "127.0.0.1" not in text
    assert "x-ms-region" not in text
