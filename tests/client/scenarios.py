"""The calls behind each cassette in cassettes/client/, shared by the recorder and the tests.

Each scenario names the corpus entries (tests/data/corpus) whose bodies
the recorded 400s carry. ``scripts/record_cassettes.py`` runs a scenario against the
loopback emulator (or a live Azure resource) with vcrpy recording; the tests replay
the same scenario offline and assert on what was sent.

A scenario with a ``provider`` calls one of the emulator's OpenAI-compatible provider
profiles with ``ResilientOpenAI``; its cassette carries that provider's real base URL
(:data:`HOSTS`), and its corpus rows all come from ``design.jsonl``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import openai

API_VERSION = "2025-04-01-preview"
RESOURCE = "https://contoso-eastus2.openai.azure.com"
SYSTEM = "You answer in one word."
USER = "Say ok."


HOSTS: dict[str, str] = {
    "gemini": "https://generativelanguage.googleapis.com/v1beta/openai",
    "xai": "https://api.x.ai/v1",
    "openrouter": "https://openrouter.ai/api/v1",
}
"""Provider profile -> the provider's real base URL: what a provider cassette's requests carry."""


@dataclass(frozen=True)
class Scenario:
    """One cassette: which deployment, which corpus bodies, and the call to make."""

    name: str
    deployment: str
    """The Azure deployment, or the provider's model."""
    corpus: tuple[str, ...]
    call: Callable[[Any, str], Any]
    repeat: bool = False
    asynchronous: bool = False
    provider: str | None = None
    """An emulator provider profile (a key of :data:`HOSTS`) called with ``ResilientOpenAI``; ``None``: Azure."""


def _chat(**params: Any) -> Callable[[openai.OpenAI, str], Any]:
    def call(client: openai.OpenAI, deployment: str) -> Any:
        return client.chat.completions.create(model=deployment, messages=[{"role": "user", "content": USER}], **params)

    return call


def _system_chat(client: openai.AzureOpenAI, deployment: str) -> Any:
    return client.chat.completions.create(
        model=deployment,
        messages=[{"role": "system", "content": SYSTEM}, {"role": "user", "content": USER}],
        max_completion_tokens=20,
    )


def _stream(client: openai.AzureOpenAI, deployment: str) -> str:
    stream = client.chat.completions.create(
        model=deployment, messages=[{"role": "user", "content": USER}], max_tokens=20, stream=True
    )
    with stream:
        return "".join(c.choices[0].delta.content or "" for c in stream if c.choices)


def _achat(**params: Any) -> Callable[[openai.AsyncAzureOpenAI, str], Any]:
    async def call(client: openai.AsyncAzureOpenAI, deployment: str) -> Any:
        return await client.chat.completions.create(
            model=deployment, messages=[{"role": "user", "content": USER}], **params
        )

    return call


def _responses(client: openai.AzureOpenAI, deployment: str) -> Any:
    return client.responses.create(model=deployment, input=USER, reasoning={"effort": "minimal"}, max_output_tokens=64)


SCENARIOS: dict[str, Scenario] = {
    s.name: s
    for s in (
        Scenario("o4_mini_max_tokens", "o4-mini", ("e001", "e004"), _chat(max_tokens=300), repeat=True),
        Scenario("o1_mini_temperature", "o1-mini", ("e007",), _chat(temperature=0.2, max_completion_tokens=20)),
        Scenario("o3_mini_temperature", "o3-mini", ("e081",), _chat(temperature=0.2, max_completion_tokens=20)),
        Scenario("gpt5_temperature", "gpt-5", ("e006",), _chat(temperature=0, max_completion_tokens=20)),
        Scenario("o1_mini_system_role", "o1-mini", ("e035", "e032"), _system_chat),
        Scenario("gpt51_reasoning_effort", "gpt-5.1", ("e061",), _chat(reasoning_effort="minimal")),
        Scenario(
            "o4_mini_three_params",
            "o4-mini",
            ("e001", "e006", "e018"),
            _chat(max_tokens=300, temperature=0.2, top_p=0.9),
            repeat=True,
        ),
        Scenario("gpt51_responses_effort", "gpt-5.1", ("e026",), _responses),
        Scenario("gpt5_stream", "gpt-5", ("e001",), _stream),
        Scenario("o4_mini_async", "o4-mini", ("e001",), _achat(max_tokens=300), repeat=True, asynchronous=True),
        Scenario("content_filter", "filtered", ("e070",), _chat(max_tokens=20)),
        Scenario("context_length", "gpt-4-8k", ("e051",), _chat(max_tokens=8192)),
        Scenario("deployment_not_found", "no-such-deployment", (), _chat(max_tokens=20)),
        # Gemini names every unknown field in one array body: one failed request for all three.
        Scenario(
            "gemini_three_fields",
            "gemini-2.5-flash",
            ("gm-001", "gm-002", "gm-006"),
            _chat(frequency_penalty=0.2, store=False, max_tokens=50, extra_body={"top_k": 40}),
            repeat=True,
            provider="gemini",
        ),
        # xAI refuses one param per body: a retry each.
        Scenario(
            "xai_penalties",
            "grok-3-mini",
            ("xa-002",),
            _chat(presence_penalty=0.5, frequency_penalty=0.5, max_tokens=50),
            repeat=True,
            provider="xai",
        ),
        # OpenRouter relays DeepSeek's own bodies as JSON text inside its envelope.
        Scenario(
            "openrouter_deepseek_relayed",
            "deepseek/deepseek-r1",
            ("or-005", "ds-003", "ds-002"),
            _chat(presence_penalty=0.5, max_tokens=100_000),
            repeat=True,
            provider="openrouter",
        ),
    )
}
