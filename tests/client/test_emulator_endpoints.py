"""Every endpoint goes through the repairing request path: it learns once, then sends one request."""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal

import openai
import pytest
from openai.types.chat import ChatCompletion, ChatCompletionMessageParam

from resilient_client import (
    AsyncResilientAzureClient,
    AsyncResilientOpenAI,
    MemoryStore,
    ResilientAzureClient,
    ResilientOpenAI,
)
from resilient_client.testing import PROFILES, AzureEmulator, ModelProfile, Unsupported

API_VERSION = "2025-04-01-preview"
KEY = "sk-test-key-0123456789"
MESSAGES: list[ChatCompletionMessageParam] = [{"role": "user", "content": "Say ok."}]
Mode = Literal["sync", "async"]
MODES: list[Mode] = ["sync", "async"]

# The built-in embedding profile accepts everything; this one rejects ``dimensions`` (Azure's e019 wording).
EMBEDDINGS = ModelProfile(
    "text-embedding-3-small", "text-embedding-3-small-1", (Unsupported("dimensions"),), embeddings=True
)


@pytest.fixture(scope="module")
def emulator() -> Iterator[AzureEmulator]:
    with AzureEmulator(deployments={**PROFILES, "text-embedding-3-small": EMBEDDINGS}) as server:
        yield server


@pytest.fixture
def azure(emulator: AzureEmulator) -> AzureEmulator:
    emulator.reset()
    return emulator


def _options(azure: AzureEmulator, store: MemoryStore) -> dict[str, Any]:
    return {
        "azure_endpoint": azure.endpoint,
        "api_key": KEY,
        "api_version": API_VERSION,
        "max_retries": 0,
        "store": store,
    }


# --- one sync and one async call per endpoint; each consumes and checks its result ------------------------------


def _chat(client: ResilientAzureClient) -> None:
    completion = client.chat.completions.create(model="o4-mini", messages=MESSAGES, max_tokens=5)
    assert completion.choices[0].message.content == "ok"


async def _achat(client: AsyncResilientAzureClient) -> None:
    completion = await client.chat.completions.create(model="o4-mini", messages=MESSAGES, max_tokens=5)
    assert completion.choices[0].message.content == "ok"


def _chat_stream(client: ResilientAzureClient) -> None:
    with client.chat.completions.create(model="o4-mini", messages=MESSAGES, max_tokens=5, stream=True) as stream:
        text = "".join(c.choices[0].delta.content or "" for c in stream if c.choices)
    assert text == "ok"


async def _achat_stream(client: AsyncResilientAzureClient) -> None:
    stream = await client.chat.completions.create(model="o4-mini", messages=MESSAGES, max_tokens=5, stream=True)
    async with stream:
        text = "".join([c.choices[0].delta.content or "" async for c in stream if c.choices])
    assert text == "ok"


def _responses(client: ResilientAzureClient) -> None:
    assert client.responses.create(model="o4-mini", input="Say ok.", temperature=0.5).output_text == "ok"


async def _aresponses(client: AsyncResilientAzureClient) -> None:
    response = await client.responses.create(model="o4-mini", input="Say ok.", temperature=0.5)
    assert response.output_text == "ok"


def _responses_stream(client: ResilientAzureClient) -> None:
    with client.responses.create(model="o4-mini", input="Say ok.", temperature=0.5, stream=True) as stream:
        kinds = [event.type for event in stream]
    assert kinds[-1] == "response.completed"


async def _aresponses_stream(client: AsyncResilientAzureClient) -> None:
    stream = await client.responses.create(model="o4-mini", input="Say ok.", temperature=0.5, stream=True)
    async with stream:
        kinds = [event.type async for event in stream]
    assert kinds[-1] == "response.completed"


def _embeddings(client: ResilientAzureClient) -> None:
    result = client.embeddings.create(model="text-embedding-3-small", input="ok", dimensions=3)
    assert len(result.data[0].embedding) == 3


async def _aembeddings(client: AsyncResilientAzureClient) -> None:
    result = await client.embeddings.create(model="text-embedding-3-small", input="ok", dimensions=3)
    assert len(result.data[0].embedding) == 3


def _completions(client: ResilientAzureClient) -> None:
    assert client.completions.create(model="o4-mini", prompt="Say ok.", max_tokens=5).choices[0].text == "ok"


async def _acompletions(client: AsyncResilientAzureClient) -> None:
    completion = await client.completions.create(model="o4-mini", prompt="Say ok.", max_tokens=5)
    assert completion.choices[0].text == "ok"


def _raw(client: ResilientAzureClient) -> None:
    raw = client.chat.completions.with_raw_response.create(model="o4-mini", messages=MESSAGES, max_tokens=5)
    assert raw.status_code == 200
    assert raw.headers["x-ms-region"] == "East US 2"
    parsed = raw.parse()
    assert isinstance(parsed, ChatCompletion)
    assert parsed.choices[0].message.content == "ok"


async def _araw(client: AsyncResilientAzureClient) -> None:
    raw = await client.chat.completions.with_raw_response.create(model="o4-mini", messages=MESSAGES, max_tokens=5)
    assert raw.status_code == 200
    assert raw.headers["x-ms-region"] == "East US 2"
    parsed = raw.parse()
    assert isinstance(parsed, ChatCompletion)
    assert parsed.choices[0].message.content == "ok"


def _streaming(client: ResilientAzureClient) -> None:
    create = client.chat.completions.with_streaming_response.create
    with create(model="o4-mini", messages=MESSAGES, max_tokens=5) as response:
        assert response.status_code == 200
        assert response.parse().choices[0].message.content == "ok"


async def _astreaming(client: AsyncResilientAzureClient) -> None:
    create = client.chat.completions.with_streaming_response.create
    async with create(model="o4-mini", messages=MESSAGES, max_tokens=5) as response:
        assert response.status_code == 200
        assert (await response.parse()).choices[0].message.content == "ok"


def _chat_stream_helper(client: ResilientAzureClient) -> None:
    with client.chat.completions.stream(model="o4-mini", messages=MESSAGES, max_tokens=5) as stream:
        assert stream.get_final_completion().choices[0].message.content == "ok"


async def _achat_stream_helper(client: AsyncResilientAzureClient) -> None:
    async with client.chat.completions.stream(model="o4-mini", messages=MESSAGES, max_tokens=5) as stream:
        assert (await stream.get_final_completion()).choices[0].message.content == "ok"


def _chat_parse(client: ResilientAzureClient) -> None:
    assert (
        client.chat.completions.parse(model="o4-mini", messages=MESSAGES, max_tokens=5).choices[0].message.content
        == "ok"
    )


async def _achat_parse(client: AsyncResilientAzureClient) -> None:
    parsed = await client.chat.completions.parse(model="o4-mini", messages=MESSAGES, max_tokens=5)
    assert parsed.choices[0].message.content == "ok"


@dataclass(frozen=True)
class Endpoint:
    """One way of calling the API, and the fix the emulator teaches it."""

    name: str
    sync: Callable[[ResilientAzureClient], None]
    aio: Callable[[AsyncResilientAzureClient], Awaitable[None]]
    deployment: str
    operation: str
    rejected: str
    replacement: str | None = None


ENDPOINTS = [
    Endpoint("chat", _chat, _achat, "o4-mini", "chat/completions", "max_tokens", "max_completion_tokens"),
    Endpoint(
        "chat-stream", _chat_stream, _achat_stream, "o4-mini", "chat/completions", "max_tokens", "max_completion_tokens"
    ),
    Endpoint(
        "chat-stream-helper",
        _chat_stream_helper,
        _achat_stream_helper,
        "o4-mini",
        "chat/completions",
        "max_tokens",
        "max_completion_tokens",
    ),
    Endpoint(
        "chat-parse", _chat_parse, _achat_parse, "o4-mini", "chat/completions", "max_tokens", "max_completion_tokens"
    ),
    Endpoint("responses", _responses, _aresponses, "o4-mini", "responses", "temperature"),
    Endpoint("responses-stream", _responses_stream, _aresponses_stream, "o4-mini", "responses", "temperature"),
    Endpoint("embeddings", _embeddings, _aembeddings, "text-embedding-3-small", "embeddings", "dimensions"),
    Endpoint(
        "completions", _completions, _acompletions, "o4-mini", "completions", "max_tokens", "max_completion_tokens"
    ),
    Endpoint("with_raw_response", _raw, _araw, "o4-mini", "chat/completions", "max_tokens", "max_completion_tokens"),
    Endpoint(
        "with_streaming_response",
        _streaming,
        _astreaming,
        "o4-mini",
        "chat/completions",
        "max_tokens",
        "max_completion_tokens",
    ),
]


@pytest.mark.asyncio
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=[e.name for e in ENDPOINTS])
@pytest.mark.parametrize("mode", MODES)
async def test_endpoint_learns_then_sends_one_request(azure: AzureEmulator, endpoint: Endpoint, mode: Mode) -> None:
    """The first call is rejected once and repaired; the second call sends one already-repaired request."""
    store = MemoryStore()
    counts: list[int] = []
    if mode == "sync":
        with ResilientAzureClient(**_options(azure, store)) as client:
            for _ in range(2):
                azure.reset()
                endpoint.sync(client)
                counts.append(azure.count(endpoint.deployment))
    else:
        async with AsyncResilientAzureClient(**_options(azure, store)) as aclient:
            for _ in range(2):
                azure.reset()
                await endpoint.aio(aclient)
                counts.append(azure.count(endpoint.deployment))
    assert counts == [2, 1]
    (sent,) = azure.bodies(endpoint.deployment)
    assert endpoint.rejected not in sent
    if endpoint.replacement is not None:
        assert sent[endpoint.replacement] == 5
    (key,) = store.items()
    assert (key.deployment, key.operation, key.api_version) == (endpoint.deployment, endpoint.operation, API_VERSION)


@pytest.mark.asyncio
@pytest.mark.parametrize("mode", MODES)
async def test_params_sent_through_extra_body_are_repaired(azure: AzureEmulator, mode: Mode) -> None:
    """extra_body={"max_tokens": 50} on o4-mini is sent as max_completion_tokens, and no max_tokens is left."""
    store = MemoryStore()
    extra = {"max_tokens": 50}
    if mode == "sync":
        with ResilientAzureClient(**_options(azure, store)) as client:
            client.chat.completions.create(model="o4-mini", messages=MESSAGES, extra_body=extra)
    else:
        async with AsyncResilientAzureClient(**_options(azure, store)) as aclient:
            await aclient.chat.completions.create(model="o4-mini", messages=MESSAGES, extra_body=extra)
    first, repaired = azure.bodies("o4-mini")
    assert first["max_tokens"] == 50
    assert repaired["max_completion_tokens"] == 50
    assert "max_tokens" not in repaired
    assert repaired["messages"] == first["messages"]
    assert extra == {"max_tokens": 50}  # the caller's dict is not mutated


@pytest.mark.asyncio
@pytest.mark.parametrize("mode", MODES)
async def test_openai_style_client_learns_per_model(azure: AzureEmulator, mode: Mode) -> None:
    """ResilientOpenAI/AsyncResilientOpenAI on a /v1 base URL learn keyed by the body's model, then send once."""
    store = MemoryStore()
    options: dict[str, Any] = {
        "api_key": KEY,
        "base_url": f"{azure.endpoint}/openai/v1",
        "max_retries": 0,
        "store": store,
    }
    if mode == "sync":
        with ResilientOpenAI(**options) as client:
            for _ in range(2):
                client.chat.completions.create(model="o4-mini", messages=MESSAGES, max_tokens=5)
    else:
        async with AsyncResilientOpenAI(**options) as aclient:
            for _ in range(2):
                await aclient.chat.completions.create(model="o4-mini", messages=MESSAGES, max_tokens=5)
    assert azure.count("o4-mini") == 3
    assert [r.status for r in azure.requests] == [400, 200, 200]
    (key,) = store.items()
    assert (key.deployment, key.operation) == ("o4-mini", "chat/completions")


# --- multipart: the emulator speaks JSON only, so a minimal audio endpoint stands in -------------------------------

AUDIO = b"RIFF\x00\x00fake-audio-payload"


@dataclass(frozen=True)
class AudioServer:
    """A loopback endpoint for audio transcriptions that rejects temperature; keeps each raw multipart body."""

    endpoint: str
    bodies: list[bytes]


@pytest.fixture(scope="module")
def audio_server() -> Iterator[AudioServer]:
    bodies: list[bytes] = []
    rejection = Unsupported("temperature").check({"temperature": 0})

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
            """Stay quiet."""

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("content-length") or 0))
            bodies.append(raw)
            status, reply = (rejection if b'name="temperature"' in raw else None) or (200, {"text": "ok"})
            data = json.dumps(reply).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    yield AudioServer(f"http://127.0.0.1:{server.server_address[1]}", bodies)
    server.shutdown()
    server.server_close()


@pytest.mark.asyncio
@pytest.mark.parametrize("mode", MODES)
async def test_multipart_upload_is_resent_whole_after_a_repair(audio_server: AudioServer, mode: Mode) -> None:
    """An audio transcription with a file object is repaired with the file re-sent in full, then sent once."""
    audio_server.bodies.clear()
    store = MemoryStore()
    options: dict[str, Any] = {
        "azure_endpoint": audio_server.endpoint, "api_key": KEY, "api_version": API_VERSION,
        "max_retries": 0, "store": store,
    }  # fmt: skip
    texts: list[str] = []
    if mode == "sync":
        with ResilientAzureClient(**options) as client:
            for _ in range(2):
                file = ("a.wav", io.BytesIO(AUDIO))
                texts.append(client.audio.transcriptions.create(model="whisper", file=file, temperature=0.2).text)
    else:
        async with AsyncResilientAzureClient(**options) as aclient:
            for _ in range(2):
                afile = ("a.wav", io.BytesIO(AUDIO))
                transcription = await aclient.audio.transcriptions.create(model="whisper", file=afile, temperature=0.2)
                texts.append(transcription.text)
    assert texts == ["ok", "ok"]
    assert len(audio_server.bodies) == 3
    assert all(AUDIO in body for body in audio_server.bodies)
    assert [b'name="temperature"' in body for body in audio_server.bodies] == [True, False, False]
    (key,) = store.items()
    assert (key.deployment, key.operation) == ("whisper", "audio/transcriptions")


def test_emulator_responses_stream_works_with_the_sdk_stream_helper(azure: AzureEmulator) -> None:
    """The emulator's Responses SSE is complete enough for openai's responses.stream() helper."""
    with (
        openai.AzureOpenAI(azure_endpoint=azure.endpoint, api_key=KEY, api_version=API_VERSION, max_retries=0) as plain,
        plain.responses.stream(model="gpt-4o", input="Say ok.") as stream,
    ):
        assert stream.get_final_response().output_text == "ok"
