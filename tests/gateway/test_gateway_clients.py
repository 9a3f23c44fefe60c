"""Real clients through ``resilient-client serve`` in front of the emulator: only the endpoint URL changes.

openai-python (sync, async, streaming; ``AzureOpenAI`` and ``OpenAI`` with ``base_url``),
LangChain's ``AzureChatOpenAI`` and ``curl``. Each route's first call, written for gpt-4o,
reaches an o4-mini deployment and is repaired inside the gateway; the second costs exactly
one upstream request. Every deployment name is used by one test only, so the counts are
that test's own.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openai
import pytest
from openai.types.chat import ChatCompletion, ChatCompletionMessageParam

from resilient_client import ResilientAzureClient
from resilient_client.testing import PROFILES, AzureEmulator, ModelProfile, RateLimited, fixed
from tests.gateway.conftest import require
from tests.gateway.processes import STOPPED, GatewayProcess, start_gateway

API_VERSION = "2025-04-01-preview"
KEY = "sk-gateway-canary-5f0c9a7e61d24b3c"
MESSAGES: list[ChatCompletionMessageParam] = [{"role": "user", "content": "Say ok."}]
GPT4O_STYLE: dict[str, Any] = {"max_tokens": 50, "temperature": 0.2}
REPAIRS = "max_tokens:rename, temperature:drop"
O4_MINI = PROFILES["o4-mini"]
NAMES = ("sync", "async", "stream", "astream", "v1", "v1-async", "curl", "curl-stream", "python-shares", "langchain")
BROKEN = {"error": {"code": "InternalServerError", "message": "The server had an error while processing your request."}}


@pytest.fixture(scope="module")
def emulator() -> Iterator[AzureEmulator]:
    deployments = {
        **PROFILES,
        **dict.fromkeys(NAMES, O4_MINI),
        "throttled": ModelProfile("gpt-4o", "gpt-4o-2024-11-20", (RateLimited(7),)),
        "broken": fixed(500, BROKEN),
    }
    gate = threading.Event()
    gate.set()
    # Streams go out as chunks over time; the key is required, so a forwarded key is a proven one.
    with AzureEmulator(deployments=deployments, stream_interval=0.005, stream_gate=gate, api_key=KEY) as server:
        yield server


@pytest.fixture(scope="module")
def gateway(
    gateway_extra: None, emulator: AzureEmulator, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[GatewayProcess]:
    process = start_gateway(tmp_path_factory.mktemp("gateway"), "--upstream", emulator.endpoint)
    yield process
    assert process.stop() in STOPPED, process.log()


def azure(gateway: GatewayProcess, **options: Any) -> openai.AzureOpenAI:
    return openai.AzureOpenAI(
        azure_endpoint=gateway.url, api_key=KEY, api_version=API_VERSION, max_retries=0, timeout=60, **options
    )


def assert_repaired(emulator: AzureEmulator, deployment: str) -> None:
    """The deployment saw the two rejections and the repaired body, and nothing else."""
    assert [r.status for r in emulator.requests if r.deployment == deployment] == [400, 400, 200]
    sent = emulator.bodies(deployment)[-1]
    assert sent["max_completion_tokens"] == 50
    assert "max_tokens" not in sent
    assert "temperature" not in sent


# --- openai-python ----------------------------------------------------------------------------------------------------


def test_azure_openai_sync_is_repaired_once_then_costs_one_request(
    gateway: GatewayProcess, emulator: AzureEmulator
) -> None:
    client = azure(gateway)
    raw = client.chat.completions.with_raw_response.create(model="sync", messages=MESSAGES, **GPT4O_STYLE)
    reply = raw.parse()
    assert isinstance(reply, ChatCompletion)
    assert reply.choices[0].message.content == "ok"
    assert reply.model == "o4-mini-2025-04-16"
    assert raw.headers["x-resilient-client-repairs"] == REPAIRS
    assert raw.headers["x-ms-region"] == "East US 2"  # the upstream's headers come through
    assert_repaired(emulator, "sync")

    again = client.chat.completions.create(model="sync", messages=MESSAGES, **GPT4O_STYLE)
    assert again.choices[0].message.content == "ok"
    assert emulator.count("sync") == 4
    assert emulator.count("sync", status=400) == 2


@pytest.mark.asyncio
async def test_async_azure_openai_is_repaired_once_then_costs_one_request(
    gateway: GatewayProcess, emulator: AzureEmulator
) -> None:
    client = openai.AsyncAzureOpenAI(
        azure_endpoint=gateway.url, api_key=KEY, api_version=API_VERSION, max_retries=0, timeout=60
    )
    async with client:
        reply = await client.chat.completions.create(model="async", messages=MESSAGES, **GPT4O_STYLE)
        assert reply.choices[0].message.content == "ok"
        assert_repaired(emulator, "async")
        await client.chat.completions.create(model="async", messages=MESSAGES, **GPT4O_STYLE)
    assert emulator.count("async") == 4


def test_a_stream_is_relayed_chunk_by_chunk(gateway: GatewayProcess, emulator: AzureEmulator) -> None:
    """The first chunk reaches the caller while the upstream still holds the rest of the stream.

    The emulator sends its first event, then waits for the gate, which only this test opens, after
    the first chunk arrived: a gateway that buffered the stream would deliver nothing until the
    client's read timeout.
    """
    gate = emulator.stream_gate
    assert gate is not None
    client = azure(gateway)
    gate.clear()
    try:
        stream = client.chat.completions.create(model="stream", messages=MESSAGES, stream=True, **GPT4O_STYLE)
        chunks = iter(stream)
        first = next(chunks)
        assert not gate.is_set()
        assert first.choices == []  # Azure's prompt-filter chunk comes first
    finally:
        gate.set()
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "ok"
    assert_repaired(emulator, "stream")

    again = client.chat.completions.create(model="stream", messages=MESSAGES, stream=True, **GPT4O_STYLE)
    assert "".join(c.choices[0].delta.content or "" for c in again if c.choices) == "ok"
    assert emulator.count("stream") == 4


@pytest.mark.asyncio
async def test_an_async_stream_is_repaired_once_then_costs_one_request(
    gateway: GatewayProcess, emulator: AzureEmulator
) -> None:
    client = openai.AsyncAzureOpenAI(
        azure_endpoint=gateway.url, api_key=KEY, api_version=API_VERSION, max_retries=0, timeout=60
    )
    async with client:
        for expected in (3, 4):
            stream = await client.chat.completions.create(
                model="astream", messages=MESSAGES, stream=True, **GPT4O_STYLE
            )
            text = "".join([c.choices[0].delta.content or "" async for c in stream if c.choices])
            assert text == "ok"
            assert emulator.count("astream") == expected
    assert emulator.count("astream", status=400) == 2


def test_openai_with_base_url_on_the_v1_route(gateway: GatewayProcess, emulator: AzureEmulator) -> None:
    """``OpenAI(base_url=…/openai/v1)`` sends ``Authorization: Bearer``; the model comes from the body."""
    client = openai.OpenAI(base_url=f"{gateway.url}/openai/v1", api_key=KEY, max_retries=0, timeout=60)
    raw = client.chat.completions.with_raw_response.create(model="v1", messages=MESSAGES, **GPT4O_STYLE)
    assert raw.parse().choices[0].message.content == "ok"
    assert raw.headers["x-resilient-client-repairs"] == REPAIRS
    assert_repaired(emulator, "v1")
    streamed = client.chat.completions.create(model="v1", messages=MESSAGES, stream=True, **GPT4O_STYLE)
    assert "".join(c.choices[0].delta.content or "" for c in streamed if c.choices) == "ok"
    assert emulator.count("v1") == 4


@pytest.mark.asyncio
async def test_async_openai_with_base_url(gateway: GatewayProcess, emulator: AzureEmulator) -> None:
    async with openai.AsyncOpenAI(base_url=f"{gateway.url}/openai/v1", api_key=KEY, max_retries=0) as client:
        for _ in range(2):
            reply = await client.chat.completions.create(model="v1-async", messages=MESSAGES, **GPT4O_STYLE)
            assert reply.choices[0].message.content == "ok"
    assert emulator.count("v1-async") == 4


def test_the_gateway_and_a_python_client_share_keys_and_rules(gateway: GatewayProcess, emulator: AzureEmulator) -> None:
    """What the gateway learned, a Python client on the same upstream and cache applies at once."""
    azure(gateway).chat.completions.create(model="python-shares", messages=MESSAGES, **GPT4O_STYLE)
    assert emulator.count("python-shares") == 3
    direct = ResilientAzureClient(
        azure_endpoint=emulator.endpoint,
        api_key=KEY,
        api_version=API_VERSION,
        max_retries=0,
        store=gateway.home / "rules.json",
    )
    direct.chat.completions.create(model="python-shares", messages=MESSAGES, **GPT4O_STYLE)
    assert emulator.count("python-shares") == 4


# --- LangChain --------------------------------------------------------------------------------------------------------


def test_langchain_azure_chat_openai_is_repaired_once_then_costs_one_request(
    gateway: GatewayProcess, emulator: AzureEmulator
) -> None:
    """LangChain renames ``max_tokens`` itself but sends ``temperature``, which o4-mini refuses: one 400, then none."""
    require("langchain_openai", "pip install langchain-openai")
    from langchain_openai import AzureChatOpenAI

    llm = AzureChatOpenAI(
        azure_endpoint=gateway.url,
        azure_deployment="langchain",
        api_version=API_VERSION,
        api_key=KEY,  # type: ignore[arg-type]  # a SecretStr field that takes a str
        max_retries=0,
        timeout=60,
        include_response_headers=True,
        **GPT4O_STYLE,
    )
    reply = llm.invoke("Say ok.")
    assert reply.content == "ok"
    assert reply.response_metadata["headers"]["x-resilient-client-repairs"] == "temperature:drop"
    assert [r.status for r in emulator.requests if r.deployment == "langchain"] == [400, 200]
    sent = emulator.bodies("langchain")[-1]
    assert sent["max_completion_tokens"] == 50
    assert "temperature" not in sent

    assert llm.invoke("Say ok.").content == "ok"
    assert emulator.count("langchain") == 3
    assert emulator.count("langchain", status=400) == 1


# --- everything else passes through -----------------------------------------------------------------------------------


def test_models_and_deployments_pass_through(gateway: GatewayProcess, emulator: AzureEmulator) -> None:
    models = azure(gateway).models.list()
    assert {m.id for m in models} >= {"o4-mini-2025-04-16", "gpt-4o-2024-11-20"}
    v1 = openai.OpenAI(base_url=f"{gateway.url}/openai/v1", api_key=KEY, max_retries=0).models.list()
    assert {"sync", "o4-mini"} <= {m.id for m in v1}
    assert [r.status for r in emulator.requests if r.operation == "models"][-2:] == [200, 200]


def test_a_429_reaches_the_caller_with_its_retry_after_after_one_request(
    gateway: GatewayProcess, emulator: AzureEmulator
) -> None:
    with pytest.raises(openai.RateLimitError) as caught:
        azure(gateway).chat.completions.create(model="throttled", messages=MESSAGES, max_tokens=5)
    assert caught.value.response.headers["retry-after"] == "7"
    assert caught.value.response.headers["retry-after-ms"] == "7000"
    assert "Please retry after 7 seconds" in caught.value.message
    assert emulator.count("throttled") == 1  # the gateway does not retry: the caller's SDK decides


def test_a_5xx_reaches_the_caller_unchanged(gateway: GatewayProcess, emulator: AzureEmulator) -> None:
    with pytest.raises(openai.InternalServerError) as caught:
        azure(gateway).chat.completions.create(model="broken", messages=MESSAGES)
    assert caught.value.status_code == 500
    assert caught.value.body == BROKEN["error"]
    assert emulator.count("broken") == 1


def test_a_wrong_key_gets_the_upstream_401(gateway: GatewayProcess) -> None:
    client = openai.AzureOpenAI(azure_endpoint=gateway.url, api_key="sk-wrong", api_version=API_VERSION, max_retries=0)
    with pytest.raises(openai.AuthenticationError) as caught:
        client.chat.completions.create(model="gpt-4o", messages=MESSAGES)
    assert "Access denied" in caught.value.message


# --- curl -------------------------------------------------------------------------------------------------------------


def curl(*args: str) -> tuple[int, dict[str, str], str]:
    """Run curl; its status, headers (lowercase names) and body."""
    binary = shutil.which("curl")
    if binary is None:
        pytest.skip("curl is not installed")
    done = subprocess.run([binary, "-sS", "-i", "--max-time", "120", *args], capture_output=True, text=True, check=True)
    head, _, body = done.stdout.partition("\n\n")  # text mode: curl's CRLFs read as newlines
    status_line, *lines = head.splitlines()
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines)}
    return int(status_line.split()[1]), headers, body


def test_curl(gateway: GatewayProcess, emulator: AzureEmulator, tmp_path: Path) -> None:
    url = f"{gateway.url}/openai/deployments/curl/chat/completions?api-version={API_VERSION}"
    body = tmp_path / "body.json"
    body.write_text(json.dumps({"messages": MESSAGES, **GPT4O_STYLE}))
    send = ("-X", "POST", url, "-H", f"api-key: {KEY}", "-H", "content-type: application/json", "--data", f"@{body}")
    status, headers, text = curl(*send)
    assert status == 200
    assert headers["x-resilient-client-repairs"] == REPAIRS
    assert json.loads(text)["choices"][0]["message"]["content"] == "ok"
    assert_repaired(emulator, "curl")
    status, _, _ = curl(*send)
    assert status == 200
    assert emulator.count("curl") == 4

    status, headers, text = curl(f"{gateway.url}/openai/deployments?api-version=2022-12-01", "-H", f"api-key: {KEY}")
    assert status == 200
    assert "curl" in {d["id"] for d in json.loads(text)["data"]}


def test_curl_stream(gateway: GatewayProcess, emulator: AzureEmulator, tmp_path: Path) -> None:
    url = f"{gateway.url}/openai/deployments/curl-stream/chat/completions?api-version={API_VERSION}"
    body = tmp_path / "body.json"
    body.write_text(json.dumps({"messages": MESSAGES, **GPT4O_STYLE, "stream": True}))
    for expected in (3, 4):
        status, headers, text = curl(
            "-N",
            "-X",
            "POST",
            url,
            "-H",
            f"api-key: {KEY}",
            "-H",
            "content-type: application/json",
            "--data",
            f"@{body}",
        )
        assert status == 200
        assert headers["content-type"].startswith("text/event-stream")
        events = [line[6:] for line in text.splitlines() if line.startswith("data: ")]
        assert events[-1] == "[DONE]"
        deltas = [json.loads(e)["choices"] for e in events[:-1]]
        assert "".join(c[0]["delta"].get("content") or "" for c in deltas if c) == "ok"
        assert emulator.count("curl-stream") == expected
