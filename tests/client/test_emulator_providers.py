"""The emulator's OpenAI-compatible provider profiles answer in each provider's real envelope and wording.

Each fidelity case sends a corpus row's request to the emulator and expects the row's own
body back (tests/data/corpus, designed-on rows only). The client cases point
``ResilientOpenAI(base_url=…)`` at a provider and count what reaches it.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from resilient_client import AsyncResilientOpenAI, JSONFileStore, ResilientAzureClient, ResilientOpenAI
from resilient_client.testing import PROVIDERS, AzureEmulator
from tests.corpus import DESIGN, read

ROWS = {row["id"]: row for row in read(DESIGN)}
USER = [{"role": "user", "content": "Hi"}]


@pytest.fixture(scope="module")
def emulator() -> Iterator[AzureEmulator]:
    with AzureEmulator() as server:
        yield server


@pytest.fixture
def azure(emulator: AzureEmulator) -> AzureEmulator:
    emulator.reset()
    return emulator


@dataclass(frozen=True)
class Reply:
    status_code: int
    text: str

    def json(self) -> Any:
        return json.loads(self.text)


def post_url(url: str, body: dict[str, Any]) -> Reply:
    """POST ``body`` as JSON to ``url`` and read the answer, error statuses included."""
    request = urllib.request.Request(  # noqa: S310 - a loopback http URL of the test's own
        url, data=json.dumps(body).encode(), headers={"content-type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - as above
            return Reply(response.status, response.read().decode())
    except urllib.error.HTTPError as error:
        return Reply(error.code, error.read().decode())


def post(azure: AzureEmulator, provider: str, body: dict[str, Any]) -> Reply:
    """POST ``body`` to a provider profile's chat completions route."""
    return post_url(f"{azure.base_url(provider)}/chat/completions", body)


# (corpus row, provider, the emulator's model for the row's request)
FIDELITY = [
    ("gm-001", "gemini", "gemini-2.5-flash"),
    ("gm-011", "gemini", "gemini-2.5-flash"),
    ("xa-004", "xai", "grok-4-latest"),
    ("xa-002", "xai", "grok-3-mini"),
    ("mi-002", "mistral", "magistral-medium-latest"),
    ("vl-002", "vllm", "Qwen/Qwen2.5-7B-Instruct"),
    ("ds-002", "deepseek", "deepseek-reasoner"),
    ("ds-003", "deepseek", "deepseek-reasoner"),
    ("ds-001", "deepseek", "deepseek-chat"),
]


@pytest.mark.parametrize(("row_id", "provider", "model"), FIDELITY)
def test_provider_answers_a_corpus_request_with_the_corpus_body(
    azure: AzureEmulator, row_id: str, provider: str, model: str
) -> None:
    """The row's request gets the row's status and body, word for word (the model name aside)."""
    row = ROWS[row_id]
    reply = post(azure, provider, {**row["request"], "model": model})
    expected = json.dumps(row["body"])
    if row["model"]:
        expected = expected.replace(row["model"], model)
    assert (reply.status_code, reply.json()) == (row["status"], json.loads(expected))


def test_every_provider_profile_names_corpus_rows_that_exist() -> None:
    """Each provider says which corpus rows its wordings come from, and they are designed-on rows."""
    for provider in PROVIDERS.values():
        assert provider.corpus
        assert [r for r in provider.corpus if r not in ROWS] == []


def test_gemini_names_every_unknown_field_in_one_body(azure: AzureEmulator) -> None:
    """Three unknown names give one array body with three messages and three field violations (gm-006)."""
    body = {"model": "gemini-2.5-flash", "messages": USER, "frequency_penalty": 0.1, "store": False, "top_k": 40}
    reply = post(azure, "gemini", body)
    assert reply.status_code == 400
    [error] = reply.json()
    names = ["frequency_penalty", "store", "top_k"]
    assert error["error"]["message"].split("\n") == [
        f'Invalid JSON payload received. Unknown name "{n}": Cannot find field.' for n in names
    ]
    assert len(error["error"]["details"][0]["fieldViolations"]) == 3


def test_vllm_refuses_every_field_it_does_not_declare(azure: AzureEmulator) -> None:
    """The vLLM profile's pydantic model refuses each undeclared field in one body, and accepts the declared ones."""
    body = {"model": "Qwen/Qwen2.5-7B-Instruct", "messages": USER, "store": True, "max_tokens": 5, "service_tier": "x"}
    reply = post(azure, "vllm", body)
    assert reply.status_code == 400
    message = reply.json()["message"]
    assert "('body', 'store')" in message
    assert "('body', 'service_tier')" in message
    assert "max_tokens" not in message
    accepted = post(azure, "vllm", {"model": "Qwen/Qwen2.5-7B-Instruct", "messages": USER, "max_tokens": 5})
    assert accepted.status_code == 200
    assert accepted.json()["choices"][0]["message"]["content"] == "ok"


def test_openrouter_quotes_the_upstream_body_in_its_own(azure: AzureEmulator) -> None:
    """OpenRouter answers in its envelope, with DeepSeek's own body as a JSON string in metadata.raw (or-005)."""
    request = {"messages": USER, "presence_penalty": 0}
    relayed = post(azure, "openrouter", {**request, "model": "deepseek/deepseek-r1"})
    direct = post(azure, "deepseek", {**request, "model": "deepseek-reasoner"})
    error = relayed.json()["error"]
    shape = ROWS["or-005"]["body"]["error"]
    assert (relayed.status_code, set(error), set(error["metadata"])) == (400, set(shape), set(shape["metadata"]))
    assert (error["message"], error["metadata"]["provider_name"]) == ("Provider returned error", "DeepSeek")
    assert json.loads(error["metadata"]["raw"]) == direct.json()


@pytest.mark.parametrize(
    ("provider", "row_id", "status"),
    [("gemini", "gm-019", 404), ("mistral", "mi-008", 400), ("openrouter", "or-007", 400), ("xai", "lk-017", 404)],
)
def test_unknown_model_gets_the_providers_not_found(
    azure: AzureEmulator, provider: str, row_id: str, status: int
) -> None:
    """A model the provider does not serve gets its real not-found body, in its own shape."""
    reply = post(azure, provider, {"model": "no-such-model", "messages": USER})
    assert reply.status_code == status
    assert type(reply.json()) is type(ROWS[row_id]["body"])
    assert "no-such-model" in json.dumps(reply.json())
    assert azure.requests[-1].provider == provider


def test_provider_requests_are_recorded_per_provider_and_model(azure: AzureEmulator) -> None:
    """What a provider saw is counted under its model, with the provider's name."""
    post(azure, "gemini", {"model": "gemini-2.5-flash", "messages": USER})
    post(azure, "xai", {"model": "grok-3-mini", "messages": USER, "presence_penalty": 0})
    assert [(r.provider, r.deployment, r.status) for r in azure.requests] == [
        ("gemini", "gemini-2.5-flash", 200),
        ("xai", "grok-3-mini", 400),
    ]
    assert azure.requests[1].error == "Argument not supported on this model: presencePenalty"


def test_unknown_provider_is_refused_by_base_url(azure: AzureEmulator) -> None:
    """Asking for a provider profile that does not exist names the known ones."""
    with pytest.raises(KeyError, match="gemini"):
        azure.base_url("nope")


# --- Azure api-versions ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("api_version", "status"),
    [("2024-06-01", 400), ("2024-08-01-preview", 400), ("2024-09-01-preview", 200), ("2024-10-21", 200), (None, 200)],
)
def test_azure_api_versions_before_max_completion_tokens_refuse_it(
    azure: AzureEmulator, api_version: str | None, status: int
) -> None:
    """api-versions older than 2024-09-01-preview answer "Unrecognized request argument supplied" (e069's wording)."""
    query = f"?api-version={api_version}" if api_version else ""
    url = f"{azure.endpoint}/openai/deployments/gpt-4o/chat/completions{query}"
    reply = post_url(url, {"messages": USER, "max_completion_tokens": 5})
    assert reply.status_code == status
    if status == 400:
        assert reply.json()["error"]["message"] == "Unrecognized request argument supplied: max_completion_tokens"


def test_client_on_an_old_api_version_renames_max_completion_tokens_back(azure: AzureEmulator, tmp_path: Path) -> None:
    """On api-version 2024-06-01, max_completion_tokens is learned as max_tokens, then sent that way at once."""
    store = JSONFileStore(tmp_path / "rules.json")
    for expected in (2, 1):
        azure.reset()
        with ResilientAzureClient(
            azure_endpoint=azure.endpoint, api_key="k", api_version="2024-06-01", store=store, max_retries=0
        ) as client:
            reply = client.chat.completions.create(model="gpt-4o", messages=USER, max_completion_tokens=5)  # type: ignore[arg-type]  # a plain dict message
        assert reply.choices[0].message.content == "ok"
        assert azure.count("gpt-4o") == expected
        assert "max_tokens" in azure.bodies("gpt-4o")[-1]


# --- ResilientOpenAI against the providers -----------------------------------------------------------------------


@dataclass(frozen=True)
class ProviderCall:
    """A call to a provider profile: its model, the call's extra params, how many of them it refuses."""

    provider: str
    model: str
    params: dict[str, Any]
    refused: int


CALLS = [
    ProviderCall("gemini", "gemini-2.5-flash", {"frequency_penalty": 0.2, "store": False, "top_k": 40}, 3),
    ProviderCall("xai", "grok-4-latest", {"presence_penalty": 0.1, "stop": ["END"]}, 2),
    ProviderCall("mistral", "magistral-medium-latest", {"thinking": {"type": "enabled"}, "frequency_penalty": 0.1}, 2),
    ProviderCall("vllm", "Qwen/Qwen2.5-7B-Instruct", {"prompt_cache_key": "k1", "store": True}, 2),
    ProviderCall("deepseek", "deepseek-reasoner", {"presence_penalty": 0.1, "max_tokens": 100_000}, 2),
    ProviderCall("openrouter", "deepseek/deepseek-r1", {"presence_penalty": 0.1}, 1),
]


@pytest.mark.parametrize("call", [pytest.param(call, id=call.provider) for call in CALLS])
def test_resilient_openai_learns_a_provider_then_sends_one_request(
    azure: AzureEmulator, tmp_path: Path, call: ProviderCall
) -> None:
    """A first call is repaired; a new client on the same cache then sends one request that is accepted."""
    store = JSONFileStore(tmp_path / "rules.json")
    counts = []
    for _ in range(2):
        azure.reset()
        base_url = azure.base_url(call.provider)
        with ResilientOpenAI(base_url=base_url, api_key="k", store=store, max_retries=0) as client:
            reply = client.chat.completions.create(model=call.model, messages=USER, extra_body=call.params)  # type: ignore[arg-type]  # a plain dict message
        assert reply.choices[0].message.content == "ok"
        counts.append(azure.count(call.model))
    assert counts[1] == 1
    # Gemini, Mistral and vLLM name every refused param in one body: one failed request for all.
    assert counts[0] == (2 if call.provider in ("gemini", "mistral", "vllm") else 1 + call.refused)


@pytest.mark.asyncio
async def test_async_resilient_openai_learns_gemini(azure: AzureEmulator, tmp_path: Path) -> None:
    """The async client learns the same from Gemini's array body, and the next call sends one request."""
    store = JSONFileStore(tmp_path / "rules.json")
    counts = []
    for _ in range(2):
        azure.reset()
        async with AsyncResilientOpenAI(
            base_url=azure.base_url("gemini"), api_key="k", store=store, max_retries=0
        ) as client:
            await client.chat.completions.create(model="gemini-2.5-flash", messages=USER, extra_body={"store": False})  # type: ignore[arg-type]  # a plain dict message
        counts.append(azure.count("gemini-2.5-flash"))
    assert counts == [2, 1]
