"""Events: silent by default, stdlib logging when configured, structlog when the app configured structlog."""

from __future__ import annotations

import logging
import subprocess
import sys
from collections.abc import Iterator
from typing import Any, Literal

import openai
import pytest
import structlog
import structlog.testing
from openai.types.chat import ChatCompletionMessageParam

from resilient_client import AsyncResilientAzureClient, MemoryStore, RepairBlockedError, ResilientAzureClient
from resilient_client.testing import AzureEmulator, fixed

API_VERSION = "2025-04-01-preview"
KEY = "sk-test-key-do-not-log-0123456789"
PROMPT = "The secret prompt text: purple-elephant-42."
MESSAGES: list[ChatCompletionMessageParam] = [{"role": "user", "content": PROMPT}]
Mode = Literal["sync", "async"]
MODES: list[Mode] = ["sync", "async"]


@pytest.fixture(autouse=True)
def pristine_structlog() -> Iterator[None]:
    """Each test starts and ends with structlog unconfigured, as a library finds it in an app that does not use it."""
    structlog.reset_defaults()
    yield
    structlog.reset_defaults()


async def exercise(mode: Mode, azure: AzureEmulator) -> None:
    """A cold repairing call, a warm call using the learned rule, and a blocked call, on one client."""
    options: dict[str, Any] = {
        "azure_endpoint": azure.endpoint, "api_key": KEY, "api_version": API_VERSION,
        "max_retries": 0, "store": MemoryStore(),
    }  # fmt: skip
    if mode == "sync":
        with ResilientAzureClient(**options) as client:
            for _ in range(2):
                client.chat.completions.create(model="o4-mini", messages=MESSAGES, max_tokens=5, temperature=0.5)
            with pytest.raises(RepairBlockedError):
                client.chat.completions.create(model="o1-mini", messages=MESSAGES, stream=True)
    else:
        async with AsyncResilientAzureClient(**options) as aclient:
            for _ in range(2):
                await aclient.chat.completions.create(model="o4-mini", messages=MESSAGES, max_tokens=5, temperature=0.5)
            with pytest.raises(RepairBlockedError):
                await aclient.chat.completions.create(model="o1-mini", messages=MESSAGES, stream=True)
    assert azure.count("o4-mini") == 4  # 3 for the cold call, 1 for the warm one


@pytest.mark.asyncio
@pytest.mark.parametrize("mode", MODES)
async def test_silent_without_logging_configuration(
    azure: AzureEmulator, capfd: pytest.CaptureFixture[str], mode: Mode
) -> None:
    """With neither logging nor structlog configured, repairs and blocked repairs print nothing to stdout or stderr."""
    await exercise(mode, azure)
    assert capfd.readouterr() == ("", "")


def test_silent_in_a_fresh_process(azure: AzureEmulator) -> None:
    """In a process that configures no logging at all, repairing and blocked calls write nothing to stdout or stderr."""
    code = """
import sys
import openai
from resilient_client import MemoryStore, RepairBlockedError, ResilientAzureClient
messages = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "hi"}]
with ResilientAzureClient(azure_endpoint=sys.argv[1], api_key="k", api_version="2025-04-01-preview",
                          max_retries=0, store=MemoryStore()) as client:
    client.chat.completions.create(model="o4-mini", messages=messages, max_tokens=5, temperature=0.5)
    client.chat.completions.create(model="o1-mini", messages=messages, max_tokens=5)
    try:
        client.chat.completions.create(model="o1-mini", messages=messages, stream=True)
    except RepairBlockedError:
        pass
    try:
        client.chat.completions.create(model="nope", messages=messages)
    except openai.NotFoundError:
        pass
"""
    done = subprocess.run(
        [sys.executable, "-c", code, azure.endpoint], capture_output=True, text=True, timeout=60, check=False
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    assert azure.count("o4-mini") == 3
    assert azure.count("o1-mini", status=400) >= 2


def _leaks(values: object) -> bool:
    text = repr(values)
    return PROMPT in text or KEY in text or "purple-elephant" in text


@pytest.mark.asyncio
@pytest.mark.parametrize("mode", MODES)
async def test_stdlib_logging_gets_events(azure: AzureEmulator, caplog: pytest.LogCaptureFixture, mode: Mode) -> None:
    """At DEBUG the stdlib logger 'resilient_client' gets parameter_repaired (INFO) and rule_applied (DEBUG) records."""
    with caplog.at_level(logging.DEBUG, logger="resilient_client"):
        await exercise(mode, azure)
    records = [r for r in caplog.records if r.name == "resilient_client"]
    by_event: dict[str, list[logging.LogRecord]] = {}
    for record in records:
        by_event.setdefault(getattr(record, "event", ""), []).append(record)
    repaired = by_event["parameter_repaired"]
    assert [r.levelno for r in repaired] == [logging.INFO, logging.INFO]
    assert repaired[0].getMessage().startswith("parameter_repaired ")
    first = repaired[0].__dict__
    assert (first["deployment"], first["param"], first["action"], first["from"], first["to"], first["attempt"]) == (
        "o4-mini", "max_tokens", "rename", "max_tokens", "max_completion_tokens", 1,
    )  # fmt: skip
    assert {r.levelno for r in by_event["rule_applied"]} == {logging.DEBUG}
    assert [r.levelno for r in by_event["repair_blocked"]] == [logging.WARNING]
    assert not any(_leaks((r.getMessage(), r.__dict__)) for r in records)


@pytest.mark.asyncio
@pytest.mark.parametrize("mode", MODES)
async def test_stdlib_info_level_shows_repairs_only(
    azure: AzureEmulator, caplog: pytest.LogCaptureFixture, mode: Mode
) -> None:
    """At INFO for 'resilient_client' a parameter_repaired record appears and no DEBUG rule_applied record."""
    with caplog.at_level(logging.INFO, logger="resilient_client"):
        await exercise(mode, azure)
    events = [getattr(r, "event", None) for r in caplog.records if r.name == "resilient_client"]
    assert "parameter_repaired" in events
    assert "rule_applied" not in events


@pytest.mark.asyncio
@pytest.mark.parametrize("mode", MODES)
async def test_structlog_gets_events_when_configured(
    azure: AzureEmulator, capfd: pytest.CaptureFixture[str], mode: Mode
) -> None:
    """With structlog configured it gets parameter_repaired with its fields, and rule_applied at debug when warm."""
    structlog.configure(processors=[structlog.processors.add_log_level, structlog.processors.JSONRenderer()])
    with structlog.testing.capture_logs() as events:
        await exercise(mode, azure)
    repaired = [e for e in events if e["event"] == "parameter_repaired"]
    assert [(e["param"], e["action"], e.get("from"), e.get("to"), e["attempt"], e["log_level"]) for e in repaired] == [
        ("max_tokens", "rename", "max_tokens", "max_completion_tokens", 1, "info"),
        ("temperature", "drop", None, None, 2, "info"),
    ]
    assert {(e["deployment"], e["operation"], e["api_version"], e["status"]) for e in repaired} == {
        ("o4-mini", "chat/completions", API_VERSION, 400)
    }
    applied = [e for e in events if e["event"] == "rule_applied"]
    assert {(e["param"], e["action"], e["log_level"]) for e in applied} == {
        ("max_tokens", "rename", "debug"),
        ("temperature", "drop", "debug"),
    }
    assert [e["log_level"] for e in events if e["event"] == "repair_blocked"] == ["warning"]
    assert not _leaks(events)
    assert capfd.readouterr() == ("", "")


_ECHOES_THE_PROMPT = {
    "error": {
        "message": f"Unsupported value: '{PROMPT}' is not supported with this model. Supported values are: 'ok'.",
        "type": "invalid_request_error",
        "param": None,
        "code": "unsupported_value",
    }
}


def test_blocked_repair_event_does_not_carry_the_prompt() -> None:
    """A rejection quoting the prompt as a bad value is not matched to the input, and nothing logged holds it.

    The one event is the unread rejection, with the prompt scrubbed from the message it shows.
    """
    with (
        AzureEmulator(deployments={"echo": fixed(400, _ECHOES_THE_PROMPT)}) as azure,
        ResilientAzureClient(
            azure_endpoint=azure.endpoint, api_key=KEY, api_version=API_VERSION, max_retries=0, store=MemoryStore()
        ) as client,
        structlog.testing.capture_logs() as events,
        pytest.raises(openai.BadRequestError) as caught,
    ):
        client.responses.create(model="echo", input=PROMPT)
    assert type(caught.value) is openai.BadRequestError
    assert [e["event"] for e in events] == ["rejection_not_understood"]
    assert "[request text]" in events[0]["said"]
    assert not _leaks(events)
