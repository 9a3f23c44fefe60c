"""No secret and no prompt text reaches what the library writes: cache, logs, its exceptions, cassettes.

The scenarios run with recognisable canaries: a fake api key, a fake Azure AD token
and a prompt. Every artefact the library produces is then scanned for them.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

import openai
import pytest
import structlog
import structlog.testing

from resilient_client import (
    AsyncResilientAzureClient,
    JSONFileStore,
    RepairBlockedError,
    ResilientAzureClient,
)
from resilient_client.testing import AzureEmulator, Fixed, ModelProfile, fixed

API_KEY = "sk-CANARY-KEY-7f3a9c2e51d04b88"
AD_TOKEN = "eyJ0eXAi.CANARY-AAD-TOKEN.9d8c7b6a"  # noqa: S105 - a canary, not a credential
PROMPT = "CANARY-PROMPT: the launch code is 0451-purple-walrus"
SYSTEM = "CANARY-SYSTEM: you are a pirate"
CANARIES = (API_KEY, AD_TOKEN, PROMPT, SYSTEM, "0451-purple-walrus", "you are a pirate")
ROOT = Path(__file__).resolve().parents[2]
MESSAGES: Any = [{"role": "system", "content": SYSTEM}, {"role": "user", "content": PROMPT}]

# A deployment that quotes the request back at the caller, the way a hostile or
# buggy proxy might; nothing of it may end up in a rule, an event or our errors.
ECHO = {
    "error": {
        "message": f"Unsupported value: '{PROMPT}' is not supported with this model. Supported values are: 'x'.",
        "type": "invalid_request_error",
        "param": None,
        "code": "unsupported_value",
    }
}


STREAM = {
    "error": {
        "message": "Unsupported value: 'stream' does not support true with this model. Supported values are: false.",
        "param": "stream",
        "code": "unsupported_value",
    }
}


def leaks(text: str) -> list[str]:
    return [c for c in CANARIES if c in text]


@pytest.fixture
def stdlib_log(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG, logger="resilient_client")
    return caplog


def call(client: ResilientAzureClient, deployment: str, errors: list[BaseException]) -> None:
    try:
        client.chat.completions.create(
            model=deployment, messages=MESSAGES, max_tokens=5, temperature=0.3, reasoning_effort="minimal"
        )
    except openai.APIError as exc:
        errors.append(exc)


def scenarios(endpoint: str, cache: Path, errors: list[BaseException]) -> None:
    """Every path that learns, applies, blocks or gives up, sync and async, key and AD token."""
    deployments = ("o4-mini", "o1-mini", "gpt-5.1", "gpt-5", "echo", "stream-refuser", "no-such")
    for auth in ({"api_key": API_KEY}, {"azure_ad_token_provider": lambda: AD_TOKEN}):
        with ResilientAzureClient(
            azure_endpoint=endpoint, api_version="2025-04-01-preview", store=cache, max_retries=0, **auth
        ) as client:
            for deployment in deployments * 2:
                call(client, deployment, errors)
            try:
                client.chat.completions.create(model="o1-mini", messages=MESSAGES, stream=True)
            except RepairBlockedError as exc:
                errors.append(exc)
            client.responses.create(model="gpt-5.1", input=PROMPT, reasoning={"effort": "minimal"})

    async def run_async() -> None:
        async with AsyncResilientAzureClient(
            azure_endpoint=endpoint, api_key=API_KEY, api_version="2025-04-01-preview", store=cache, max_retries=0
        ) as client:
            await client.chat.completions.create(model="o3-mini", messages=MESSAGES, max_tokens=5, temperature=0.3)

    asyncio.run(run_async())


def test_cache_logs_and_exceptions_hold_no_secret_or_prompt(
    tmp_path: Path, stdlib_log: pytest.LogCaptureFixture
) -> None:
    """After every scenario, the cache file, stdlib and structlog output and our exceptions contain no canary."""
    cache = tmp_path / "rules.json"
    errors: list[BaseException] = []
    deployments = {"echo": fixed(400, ECHO), "stream-refuser": ModelProfile("x", "x-1", (Fixed(400, STREAM),))}
    with AzureEmulator() as azure:
        azure.deployments.update(deployments)
        scenarios(azure.endpoint, cache, errors)
        try:
            with structlog.testing.capture_logs() as events:
                scenarios(azure.endpoint, cache, errors)
        finally:
            structlog.reset_defaults()
    assert cache.exists()
    assert JSONFileStore(cache).items()  # rules were learned: the scan is not vacuous
    assert events, "structlog saw no events"
    assert stdlib_log.records, "the stdlib logger saw no events"
    assert any(isinstance(e, RepairBlockedError) for e in errors)
    for path in tmp_path.iterdir():
        assert leaks(path.read_text(errors="replace")) == [], path.name
    for record in stdlib_log.records:
        assert leaks(record.getMessage()) == []
        assert leaks(repr(record.__dict__)) == []
    assert leaks(repr(events)) == []
    for exc in errors:
        if isinstance(exc, RepairBlockedError):
            assert leaks(str(exc)) == []
            assert leaks(repr(exc.fix)) == []


def test_cassettes_hold_no_credentials() -> None:
    """No cassette carries an api-key or Authorization header, or any canary."""
    cassettes = sorted((ROOT / "cassettes").rglob("*.yaml"))
    assert cassettes
    for path in cassettes:
        text = path.read_text()
        lowered = text.lower()
        assert "api-key:" not in lowered, path.name
        assert "authorization:" not in lowered, path.name
        assert "recording-key" not in text, path.name
        assert leaks(text) == [], path.name
