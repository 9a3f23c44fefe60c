"""The gateway app in process (httpx's ASGI transport): routes, credentials, limits, errors, pass-through."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx2
import pytest

from resilient_client.gateway import GatewayConfig, Route, Upstream, classify, create_app, parse_upstreams
from resilient_client.testing import AzureEmulator
from tests.gateway.processes import free_port

API_VERSION = "2025-04-01-preview"
CHAT = {"messages": [{"role": "user", "content": "Say ok."}], "max_tokens": 5}
COMPLETION = {"id": "c", "object": "chat.completion", "model": "echo-1", "choices": []}


@pytest.fixture(autouse=True)
def _extra(gateway_extra: None) -> None:
    """Every test here builds the app."""


# --- routes and configuration (pure) ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "route"),
    [
        (
            "POST",
            "/openai/deployments/d1/chat/completions",
            Route(azure=True, base="", deployment="d1", operation="chat/completions"),
        ),
        (
            "POST",
            "/res-a/openai/deployments/d1/embeddings",
            Route(azure=True, base="/res-a", deployment="d1", operation="embeddings"),
        ),
        (
            "POST",
            "/openai/deployments/d1/completions",
            Route(azure=True, base="", deployment="d1", operation="completions"),
        ),
        ("POST", "/openai/responses", Route(azure=True, base="", deployment=None, operation="responses")),
        ("POST", "/openai/v1/responses", Route(azure=False, base="/openai/v1", deployment=None, operation="responses")),
        (
            "POST",
            "/openai/v1/chat/completions",
            Route(azure=False, base="/openai/v1", deployment=None, operation="chat/completions"),
        ),
        ("POST", "/v1/chat/completions", Route(azure=False, base="/v1", deployment=None, operation="chat/completions")),
        ("POST", "/v1/completions", Route(azure=False, base="/v1", deployment=None, operation="completions")),
        ("POST", "/v1/embeddings", Route(azure=False, base="/v1", deployment=None, operation="embeddings")),
        (
            "POST",
            "/gemini/v1/chat/completions",
            Route(azure=False, base="/gemini/v1", deployment=None, operation="chat/completions"),
        ),
        ("POST", "/chat/completions", Route(azure=False, base="", deployment=None, operation="chat/completions")),
        ("GET", "/v1/chat/completions", None),
        ("GET", "/openai/models", None),
        ("POST", "/v1/files", None),
        ("POST", "/v1/chat/completions/abc", None),
        ("POST", "/v1/responses/abc/cancel", None),
        ("POST", "/openai/deployments/d1/audio/speech", None),
        ("POST", "/openai/deployments/d1/responses", None),
        ("POST", "/openai/deployments/a%20b/chat/completions", None),
    ],
)
def test_which_routes_repair(method: str, path: str, route: Route | None) -> None:
    assert classify(method, path) == route


def test_upstreams_are_parsed_and_ordered_longest_prefix_first() -> None:
    assert parse_upstreams(["https://res.openai.azure.com/"]) == (Upstream("", "https://res.openai.azure.com"),)
    found = parse_upstreams(["https://a.example", "eu=https://b.example/x", "/eu/west/=http://c.example:81"])
    assert found == (
        Upstream("/eu/west", "http://c.example:81"),
        Upstream("/eu", "https://b.example/x"),
        Upstream("", "https://a.example"),
    )
    config = GatewayConfig(found)
    assert config.select("/eu/west/v1/models") == (found[0], "/v1/models")
    assert config.select("/eu/v1/models") == (found[1], "/v1/models")
    assert config.select("/europe/v1/models") == (found[2], "/europe/v1/models")
    assert GatewayConfig(found[:1]).select("/other") is None
    assert GatewayConfig.from_json(config.to_json()) == config


@pytest.mark.parametrize(
    "specs",
    [
        [],
        ["ftp://x"],
        ["x.example"],
        ["https://a?x=1"],
        ["https://a", "https://b"],
        ["p=https://a", "/p/=https://b"],
        ["a b=https://a"],
    ],
)
def test_bad_upstreams_are_refused(specs: list[str]) -> None:
    with pytest.raises(ValueError, match=r"upstream|prefix"):
        parse_upstreams(specs)


# --- an upstream that shows what it received --------------------------------------------------------------------------


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Echo:
    """A loopback upstream recording each request; it answers a chat completion, or what ``answers`` says."""

    url: str = ""
    seen: list[Seen] = field(default_factory=list)
    answers: dict[str, tuple[int, dict[str, Any]]] = field(default_factory=dict)

    def last(self) -> Seen:
        return self.seen[-1]


@pytest.fixture(scope="module")
def echo() -> Iterator[Echo]:
    state = Echo()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
            """Quiet."""

        def _any(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            if self.headers.get("transfer-encoding") == "chunked":
                body = b""
                while size := int(self.rfile.readline().strip() or b"0", 16):  # an aborted upload ends early
                    body += self.rfile.read(size)
                    self.rfile.readline()
                self.rfile.readline()
            else:
                body = self.rfile.read(length)
            headers = {k.lower(): v for k, v in self.headers.items()}
            state.seen.append(Seen(self.command, self.path, headers, body))
            status, reply = state.answers.get(self.path.partition("?")[0], (200, COMPLETION))
            data = json.dumps(reply).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("set-cookie", "a=1")
            self.send_header("set-cookie", "b=2")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_DELETE = _any  # noqa: N815 - the stdlib's handler names

    class Server(ThreadingHTTPServer):
        daemon_threads = True

        def handle_error(self, request: Any, client_address: Any) -> None:
            """A caller (the gateway) that hung up mid-request is what the limit tests do."""

    server = Server(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield state
    server.shutdown()
    server.server_close()


@contextlib.asynccontextmanager
async def gateway(tmp_path: Path, *upstreams: str, **options: Any) -> AsyncIterator[httpx2.AsyncClient]:
    config = GatewayConfig(parse_upstreams(upstreams), store=str(tmp_path / "rules.json"), **options)
    app = create_app(config)
    transport = httpx2.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx2.AsyncClient(transport=transport, base_url="http://gw") as client,
    ):
        yield client


def error_of(response: httpx2.Response) -> dict[str, Any]:
    """The gateway's own error: the OpenAI envelope."""
    body = response.json()
    assert set(body) == {"error"}
    error: dict[str, Any] = body["error"]
    assert set(error) == {"message", "type", "param", "code"}
    return error


# --- credentials: the caller's, per request, nothing else -------------------------------------------------------------

PLACEHOLDER_WORDS = "placeholder"


@pytest.mark.asyncio
async def test_the_callers_api_key_reaches_the_upstream_and_nothing_else(
    echo: Echo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The gateway's own environment must not lend an identity to a caller.
    monkeypatch.setenv("OPENAI_ORG_ID", "org-of-the-gateway-host")
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", "key-of-the-gateway-host")
    async with gateway(tmp_path, echo.url) as client:
        url = f"/openai/deployments/d1/chat/completions?api-version={API_VERSION}"
        answer = await client.post(url, json=CHAT, headers={"api-key": "caller-key", "x-custom": "kept"})
        assert answer.status_code == 200
        seen = echo.last()
        assert seen.path == url
        assert seen.headers["api-key"] == "caller-key"
        assert seen.headers["x-custom"] == "kept"
        assert "authorization" not in seen.headers
        assert "openai-organization" not in seen.headers
        assert PLACEHOLDER_WORDS not in json.dumps(seen.headers)
        assert "gateway-host" not in json.dumps(seen.headers)

        answer = await client.post(
            "/v1/chat/completions", json={**CHAT, "model": "m"}, headers={"authorization": "Bearer t"}
        )
        assert answer.status_code == 200
        seen = echo.last()
        assert seen.headers["authorization"] == "Bearer t"
        assert "api-key" not in seen.headers

        await client.post("/v1/chat/completions", json={**CHAT, "model": "m"}, headers={"openai-organization": "org-c"})
        seen = echo.last()
        assert seen.headers["openai-organization"] == "org-c"
        assert "authorization" not in seen.headers
        assert "api-key" not in seen.headers

        await client.get("/openai/models?api-version=x", headers={"api-key": "caller-key"})
        assert echo.last().headers["api-key"] == "caller-key"
        assert echo.last().path == "/openai/models?api-version=x"


@pytest.mark.asyncio
async def test_an_azure_route_without_api_version_sends_none(echo: Echo, tmp_path: Path) -> None:
    async with gateway(tmp_path, echo.url) as client:
        await client.post("/openai/deployments/d1/chat/completions", json=CHAT)
        assert echo.last().path == "/openai/deployments/d1/chat/completions"


# --- upstreams by prefix ----------------------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_a_prefix_picks_the_upstream_and_is_stripped(echo: Echo, tmp_path: Path) -> None:
    async with gateway(tmp_path, f"azure={echo.url}", f"gemini={echo.url}/v1beta/openai") as client:
        await client.post(f"/azure/openai/deployments/d1/chat/completions?api-version={API_VERSION}", json=CHAT)
        assert echo.last().path == f"/openai/deployments/d1/chat/completions?api-version={API_VERSION}"
        await client.post("/gemini/chat/completions", json={**CHAT, "model": "gemini-2.5-flash"})
        assert echo.last().path == "/v1beta/openai/chat/completions"
        await client.get("/gemini/models/a%2Fb?x=1")
        assert echo.last().path == "/v1beta/openai/models/a%2Fb?x=1"
        answer = await client.post("/elsewhere/v1/chat/completions", json=CHAT)
        assert answer.status_code == 404
        assert error_of(answer)["code"] == "no_upstream"


# --- pass-through -----------------------------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_other_routes_pass_through_as_they_came(echo: Echo, tmp_path: Path) -> None:
    echo.answers["/v1/files/f1"] = (404, {"error": {"message": "No such File object: f1", "code": None}})
    async with gateway(tmp_path, echo.url) as client:
        answer = await client.delete("/v1/files/f1", headers={"authorization": "Bearer t"})
        assert answer.status_code == 404
        assert answer.json()["error"]["message"] == "No such File object: f1"
        assert answer.headers.get_list("set-cookie") == ["a=1", "b=2"]
        assert (echo.last().method, echo.last().body) == ("DELETE", b"")

        await client.post("/v1/files", content=b"--b\r\nraw\r\n--b--", headers={"content-type": "multipart/form-data"})
        assert echo.last().body == b"--b\r\nraw\r\n--b--"
        # A completion route whose body is not a JSON object is not the gateway's to read: it goes as it came.
        await client.post("/v1/chat/completions", content=b"[1, 2]", headers={"content-type": "application/json"})
        assert echo.last().body == b"[1, 2]"


@pytest.mark.asyncio
async def test_nothing_applied_means_no_repairs_header(echo: Echo, tmp_path: Path) -> None:
    async with gateway(tmp_path, echo.url) as client:
        answer = await client.post("/v1/chat/completions", json={**CHAT, "model": "m"})
        assert answer.status_code == 200
        assert "x-resilient-client-repairs" not in answer.headers
        assert answer.json() == COMPLETION


# --- limits and the gateway's own errors ------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_a_body_over_the_limit_is_refused_with_413(echo: Echo, tmp_path: Path) -> None:
    before = len(echo.seen)
    async with gateway(tmp_path, echo.url, max_body_bytes=1000) as client:
        big = {**CHAT, "model": "m", "user": "x" * 2000}
        answer = await client.post("/v1/chat/completions", json=big)
        assert answer.status_code == 413
        assert error_of(answer)["code"] == "body_too_large"

        async def chunks() -> AsyncIterator[bytes]:  # no content-length: counted as it arrives
            for _ in range(3):
                yield b"x" * 600

        answer = await client.post("/v1/files", content=chunks())
        assert answer.status_code == 413
        answer = await client.post(
            "/v1/chat/completions", content=chunks(), headers={"content-type": "application/json"}
        )
        assert answer.status_code == 413
    assert all(seen.body != b"x" * 1800 for seen in echo.seen[before:])


@pytest.mark.asyncio
async def test_an_unreachable_upstream_is_a_502(tmp_path: Path) -> None:
    async with gateway(tmp_path, f"http://127.0.0.1:{free_port()}") as client:
        for answer in (
            await client.post("/v1/chat/completions", json={**CHAT, "model": "m"}),
            await client.get("/v1/models"),
        ):
            assert answer.status_code == 502
            assert error_of(answer)["code"] == "upstream_unreachable"


@pytest.mark.asyncio
async def test_a_silent_upstream_is_a_504(tmp_path: Path) -> None:
    with socket.socket() as silent:  # accepts connections (the kernel does), never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)
        async with gateway(tmp_path, f"http://127.0.0.1:{silent.getsockname()[1]}", timeout=0.5) as client:
            for answer in (
                await client.post("/v1/chat/completions", json={**CHAT, "model": "m"}),
                await client.get("/v1/models"),
            ):
                assert answer.status_code == 504
                assert error_of(answer)["code"] == "upstream_timeout"


@pytest.mark.asyncio
async def test_healthz(echo: Echo, tmp_path: Path) -> None:
    async with gateway(tmp_path, echo.url) as client:
        answer = await client.get("/healthz")
        assert (answer.status_code, answer.json()) == (200, {"status": "ok"})


# --- in front of the emulator -----------------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_a_protected_param_is_not_repaired_and_the_rejection_comes_through(tmp_path: Path) -> None:
    """o1-mini refuses ``stream``, which no repair may change: the caller gets Azure's 400 as Azure sent it."""
    with AzureEmulator() as azure:
        async with gateway(tmp_path, azure.endpoint) as client:
            url = f"/openai/deployments/o1-mini/chat/completions?api-version={API_VERSION}"
            answer = await client.post(url, json={**CHAT, "stream": True})
        assert answer.status_code == 400
        assert answer.headers["x-resilient-client-blocked"] == "stream"
        assert "does not support true" in answer.json()["error"]["message"]
        assert azure.count("o1-mini") == 2  # max_tokens repaired, then stream refused


@pytest.mark.asyncio
async def test_responses_and_embeddings_routes_repair(tmp_path: Path) -> None:
    with AzureEmulator() as azure:
        async with gateway(tmp_path, azure.endpoint) as client:
            answer = await client.post(
                f"/openai/responses?api-version={API_VERSION}",
                json={"model": "gpt-5.1", "input": "Say ok.", "reasoning": {"effort": "minimal"}, "stop": ["x"]},
            )
            assert answer.status_code == 200
            assert answer.headers["x-resilient-client-repairs"] == "reasoning.effort:set_value, stop:drop"
            answer = await client.post("/openai/v1/embeddings", json={"model": "text-embedding-3-small", "input": "x"})
            assert answer.status_code == 200
            assert answer.json()["data"][0]["object"] == "embedding"


# --- inbound auth: the gateway's key from callers, the server-side key upstream ---------------------------------------

GATEWAY_KEY = "gw-inbound-3b9d0c5e7a214f68"
UPSTREAM_KEY = "sk-upstream-81f2a64c0d9e4b57"


@pytest.fixture
def keys(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    monkeypatch.setenv("TEST_GATEWAY_KEY", GATEWAY_KEY)
    monkeypatch.setenv("TEST_UPSTREAM_KEY", UPSTREAM_KEY)
    return {"require_key_env": "TEST_GATEWAY_KEY", "upstream_key_env": "TEST_UPSTREAM_KEY"}


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"api-key": "wrong"},
        {"api-key": GATEWAY_KEY[:-1]},
        {"authorization": f"Basic {GATEWAY_KEY}"},
        {"authorization": "Bearer"},
        {"authorization": f"Bearer {GATEWAY_KEY}x"},
    ],
)
async def test_a_wrong_or_missing_key_is_a_401_that_never_reaches_the_upstream(
    echo: Echo, tmp_path: Path, keys: dict[str, Any], headers: dict[str, str]
) -> None:
    before = len(echo.seen)
    async with gateway(tmp_path, echo.url, **keys) as client:
        for answer in (
            await client.post("/v1/chat/completions", json={**CHAT, "model": "m"}, headers=headers),
            await client.get("/v1/models", headers=headers),
            await client.post("/nowhere-configured", headers=headers),
        ):
            assert answer.status_code == 401
            error = error_of(answer)
            assert (error["code"], error["type"]) == ("invalid_api_key", "invalid_request_error")
            assert answer.headers["www-authenticate"] == "Bearer"
            assert GATEWAY_KEY not in answer.text
        assert (await client.get("/healthz")).status_code == 200  # a health check needs no key
    assert len(echo.seen) == before


@pytest.mark.asyncio
async def test_with_inbound_auth_the_upstream_gets_the_server_side_key_never_the_callers(
    echo: Echo, tmp_path: Path, keys: dict[str, Any]
) -> None:
    async with gateway(tmp_path, echo.url, **keys) as client:
        azure = f"/openai/deployments/d1/chat/completions?api-version={API_VERSION}"
        answer = await client.post(
            azure, json=CHAT, headers={"api-key": GATEWAY_KEY, "authorization": "Bearer caller-token"}
        )
        assert answer.status_code == 200
        seen = echo.last()
        assert seen.headers["api-key"] == UPSTREAM_KEY
        assert "authorization" not in seen.headers

        answer = await client.post(
            "/v1/chat/completions",
            json={**CHAT, "model": "m"},
            headers={"authorization": f"Bearer {GATEWAY_KEY}", "openai-organization": "org-of-the-caller"},
        )
        assert answer.status_code == 200
        seen = echo.last()
        assert seen.headers["authorization"] == f"Bearer {UPSTREAM_KEY}"
        assert "api-key" not in seen.headers
        assert "openai-organization" not in seen.headers

        # Passed-through routes too: Azure's take api-key, the others Bearer.
        await client.get("/openai/models?api-version=x", headers={"authorization": f"bearer {GATEWAY_KEY}"})
        assert (echo.last().headers["api-key"], "authorization" in echo.last().headers) == (UPSTREAM_KEY, False)
        await client.delete("/v1/files/f1", headers={"api-key": GATEWAY_KEY})
        assert echo.last().headers["authorization"] == f"Bearer {UPSTREAM_KEY}"
        assert "api-key" not in echo.last().headers
    for seen in echo.seen:
        assert GATEWAY_KEY not in json.dumps(seen.headers)


@pytest.mark.asyncio
async def test_with_inbound_auth_and_no_upstream_key_no_credentials_go_upstream(
    echo: Echo, tmp_path: Path, keys: dict[str, Any]
) -> None:
    async with gateway(tmp_path, echo.url, require_key_env=keys["require_key_env"]) as client:
        answer = await client.post(
            "/v1/chat/completions", json={**CHAT, "model": "m"}, headers={"api-key": GATEWAY_KEY}
        )
        assert answer.status_code == 200
        assert {"api-key", "authorization"}.isdisjoint(echo.last().headers)


def test_the_configuration_names_the_variables_and_never_holds_a_key(
    tmp_path: Path, keys: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    upstreams = parse_upstreams(["http://127.0.0.1:1"])
    config = GatewayConfig(upstreams, **keys)
    assert config.keys() == (GATEWAY_KEY.encode(), UPSTREAM_KEY)
    assert GATEWAY_KEY not in config.to_json()
    assert UPSTREAM_KEY not in config.to_json()
    assert GatewayConfig.from_json(config.to_json()) == config
    assert GatewayConfig(upstreams).keys() == (None, None)
    with pytest.raises(ValueError, match="needs --require-key"):
        GatewayConfig(upstreams, upstream_key_env="TEST_UPSTREAM_KEY")
    with pytest.raises(ValueError, match="not a key") as caught:
        GatewayConfig(upstreams, require_key_env=GATEWAY_KEY)
    assert GATEWAY_KEY not in str(caught.value)
    monkeypatch.setenv("TEST_GATEWAY_KEY", " ")
    with pytest.raises(ValueError, match="TEST_GATEWAY_KEY is not set"):
        config.keys()
    with pytest.raises(ValueError, match="TEST_GATEWAY_KEY is not set"):
        create_app(config)
