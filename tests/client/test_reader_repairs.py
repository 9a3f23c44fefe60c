"""What the reader adds, end to end against the emulator: several params in one body, conditions, roles."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import pytest

from resilient_client import (
    AsyncResilientAzureClient,
    AsyncResilientOpenAI,
    ChangeRole,
    Condition,
    Drop,
    JSONFileStore,
    RepairEvent,
    ResilientAzureClient,
    ResilientOpenAI,
)
from resilient_client.testing import AzureEmulator

Mode = Literal["sync", "async"]
MODES: list[Mode] = ["sync", "async"]
USER = {"role": "user", "content": "Say ok."}
TOOLS = [{"type": "function", "function": {"name": "now", "parameters": {"type": "object", "properties": {}}}}]


async def azure_chat(
    mode: Mode, azure: AzureEmulator, store: Path, api_version: str = "2025-04-01-preview", **kwargs: Any
) -> Any:
    """One chat call through a fresh resilient Azure client of the given colour."""
    options: dict[str, Any] = {
        "azure_endpoint": azure.endpoint,
        "api_key": "k",
        "api_version": api_version,
        "store": JSONFileStore(store),
        "max_retries": 0,
    }
    on_repair = kwargs.pop("on_repair", None)
    if on_repair is not None:
        options["on_repair"] = on_repair
    # A stream is read to its end before the client (and its connection) is closed.
    if mode == "sync":
        with ResilientAzureClient(**options) as client:
            reply = client.chat.completions.create(**kwargs)
            return list(reply) if kwargs.get("stream") else reply
    async with AsyncResilientAzureClient(**options) as aclient:
        reply = await aclient.chat.completions.create(**kwargs)
        return [chunk async for chunk in reply] if kwargs.get("stream") else reply


@pytest.mark.asyncio
@pytest.mark.parametrize("mode", MODES)
async def test_one_body_naming_three_params_costs_one_failed_request(
    azure: AzureEmulator, tmp_path: Path, mode: Mode
) -> None:
    """Gemini names three refused params in one body: one 400, one retry, three events, one repair of max_repairs."""
    events: list[RepairEvent] = []
    counts = []
    for _ in range(2):
        azure.reset()
        options: dict[str, Any] = {
            "base_url": azure.base_url("gemini"),
            "api_key": "k",
            "store": tmp_path / "r.json",
            "max_retries": 0,
        }
        extra = {"frequency_penalty": 0.2, "store": False, "top_k": 40}
        call = {"model": "gemini-2.5-flash", "messages": [USER], "extra_body": extra}
        if mode == "sync":
            with ResilientOpenAI(**options, max_repairs=1, on_repair=events.append) as client:
                reply = client.chat.completions.create(**call)  # type: ignore[call-overload]  # plain dicts
        else:
            async with AsyncResilientOpenAI(**options, max_repairs=1, on_repair=events.append) as aclient:
                reply = await aclient.chat.completions.create(**call)  # type: ignore[call-overload]  # plain dicts
        assert reply.choices[0].message.content == "ok"
        counts.append(azure.count("gemini-2.5-flash"))
    assert counts == [2, 1]
    assert [(e.fix, e.attempt) for e in events] == [
        (Drop("frequency_penalty"), 1),
        (Drop("store"), 1),
        (Drop("top_k"), 1),
    ]
    assert not {"frequency_penalty", "store", "top_k"} & set(azure.bodies("gemini-2.5-flash")[-1])


@pytest.mark.asyncio
@pytest.mark.parametrize("mode", MODES)
async def test_parallel_tool_calls_learned_without_tools_is_still_sent_with_tools(
    azure: AzureEmulator, tmp_path: Path, mode: Mode
) -> None:
    """'Only allowed when tools are specified' drops parallel_tool_calls from calls without tools, and only those."""
    store = tmp_path / "r.json"
    events: list[RepairEvent] = []
    await azure_chat(
        mode, azure, store, model="gpt-4o", messages=[USER], parallel_tool_calls=False, on_repair=events.append
    )
    assert [e.fix for e in events] == [Drop("parallel_tool_calls", when=Condition("tools"))]
    assert azure.count("gpt-4o") == 2
    azure.reset()
    await azure_chat(mode, azure, store, model="gpt-4o", messages=[USER], parallel_tool_calls=False, tools=TOOLS)
    await azure_chat(mode, azure, store, model="gpt-4o", messages=[USER], parallel_tool_calls=False)
    with_tools, without = azure.bodies("gpt-4o")
    assert (with_tools["parallel_tool_calls"], "parallel_tool_calls" in without) == (False, False)
    assert azure.count("gpt-4o", status=400) == 0


@pytest.mark.asyncio
@pytest.mark.parametrize("mode", MODES)
async def test_stream_options_without_stream_is_dropped_only_without_stream(
    azure: AzureEmulator, tmp_path: Path, mode: Mode
) -> None:
    """stream_options on a call that does not stream is learned as a drop that a streaming call never sees."""
    store = tmp_path / "r.json"
    await azure_chat(mode, azure, store, model="gpt-4o", messages=[USER], stream_options={"include_usage": True})
    assert azure.count("gpt-4o") == 2
    azure.reset()
    chunks = await azure_chat(
        mode, azure, store, model="gpt-4o", messages=[USER], stream=True, stream_options={"include_usage": True}
    )
    assert chunks
    assert azure.bodies("gpt-4o")[-1]["stream_options"] == {"include_usage": True}
    assert azure.count("gpt-4o") == 1


@pytest.mark.asyncio
@pytest.mark.parametrize("mode", MODES)
async def test_developer_role_refused_by_an_old_api_version_becomes_system(
    azure: AzureEmulator, tmp_path: Path, mode: Mode
) -> None:
    """An api-version before the developer role refuses it: developer -> system is learned, then sent at once."""
    store = tmp_path / "r.json"
    messages = [{"role": "developer", "content": "Be brief."}, USER]
    events: list[RepairEvent] = []
    for expected in (2, 1):
        azure.reset()
        reply = await azure_chat(
            mode, azure, store, api_version="2024-10-21", model="gpt-4o", messages=messages, on_repair=events.append
        )
        assert reply.choices[0].message.content == "ok"
        assert azure.count("gpt-4o") == expected
        assert [m["role"] for m in azure.bodies("gpt-4o")[-1]["messages"]] == ["system", "user"]
    assert [e.fix for e in events] == [ChangeRole("developer", "system")]


@pytest.mark.asyncio
@pytest.mark.parametrize("mode", MODES)
async def test_a_model_refusing_both_roles_gets_the_developer_message_folded_into_user(
    azure: AzureEmulator, tmp_path: Path, mode: Mode
) -> None:
    """o1-mini refuses developer, then system: the instructions end up in the user message, never back at developer."""
    store = tmp_path / "r.json"
    messages = [{"role": "developer", "content": "Be brief."}, USER]
    events: list[RepairEvent] = []
    reply = await azure_chat(mode, azure, store, model="o1-mini", messages=messages, on_repair=events.append)
    assert reply.choices[0].message.content == "ok"
    assert [e.fix for e in events] == [ChangeRole("developer", "system"), ChangeRole("system", "user")]
    [sent] = azure.bodies("o1-mini")[-1]["messages"]
    assert sent == {"role": "user", "content": "Be brief.\n\nSay ok."}
