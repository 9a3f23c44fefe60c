"""The gateway as an ASGI app: completion routes through the resilient async clients, the rest passed through.

A completion route (see :mod:`._config`) is sent with ``client.post(path, ...)`` of an
:class:`~resilient_client.AsyncResilientAzureClient` or
:class:`~resilient_client.AsyncResilientOpenAI` built for its upstream (``max_retries=0``:
429s, 5xx and timeouts reach the caller as they came), so the rules are applied, the
rejections learned and the retries made by the very code the Python clients run. The
caller's ``api-key`` / ``Authorization`` replace the client's placeholder credentials on
each request and are kept nowhere. Every other request is streamed through unchanged.

With inbound auth (``require_key_env``), a caller must present the gateway's key, which
is checked in constant time and never forwarded: the upstream gets the server-side key
(``upstream_key_env``) instead, or no credentials at all.
"""

from __future__ import annotations

import contextlib
import hmac
import json
import logging
from collections.abc import AsyncIterator, Iterable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Final

import anyio
import httpx2
import openai
from starlette.applications import Starlette  # type: ignore[import-not-found, unused-ignore]
from starlette.datastructures import Headers  # type: ignore[import-not-found, unused-ignore]
from starlette.requests import Request  # type: ignore[import-not-found, unused-ignore]
from starlette.responses import JSONResponse, Response, StreamingResponse  # type: ignore[import-not-found, unused-ignore]
from starlette.routing import Route as Endpoint  # type: ignore[import-not-found, unused-ignore]

from .._attempts import Call, Change
from .._client import AsyncResilientAzureClient, AsyncResilientOpenAI, RepairBlockedError, _Resilience
from .._models import DeploymentKey, DeploymentMapping
from ..stores import AsyncStoreAdapter, resolve_store
from ._config import BLOCKED_HEADER, REPAIRS_HEADER, GatewayConfig, Route, Upstream, classify

__all__ = ["Gateway", "create_app"]

_log = logging.getLogger("resilient_client.gateway")
# Never forwarded in either direction (RFC 9110 §7.6.1), and the Host, which is the upstream's.
_HOP_BY_HOP: Final = frozenset(
    {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "proxy-connection", "te", "trailer"}
    | {"transfer-encoding", "upgrade", "host", "expect"}
)
# Set by the SDK on a completion route: its own body framing, encoding and telemetry.
_SDK_SETS: Final = frozenset({"content-length", "content-type", "accept-encoding"})
# The caller's identity: forwarded as the caller sent it, or not at all; never the client's own.
_IDENTITY: Final = {
    "api-key": "api-key",
    "authorization": "Authorization",
    "openai-organization": "OpenAI-Organization",
    "openai-project": "OpenAI-Project",
}
_PLACEHOLDER: Final = "placeholder-replaced-by-each-caller-s-own-credentials"
_MAX_CLIENTS: Final = 1024
_MAX_MODEL_BODY: Final = 1024 * 1024
_CALLS: ContextVar[list[Call] | None] = ContextVar("resilient_client_gateway_calls", default=None)


@dataclass(frozen=True, slots=True)
class _Reported:
    model: str | None


def _served_model(result: object) -> str | None:
    """The model a JSON answer names (the key's model-change detection); ``None`` for streams."""
    if not isinstance(result, httpx2.Response) or "json" not in result.headers.get("content-type", ""):
        return None
    try:
        content = result.content
    except httpx2.ResponseNotRead:
        return None
    if len(content) > _MAX_MODEL_BODY:
        return None
    try:
        body = json.loads(content)
    except ValueError:
        return None
    model = body.get("model") if isinstance(body, dict) else None
    return model if isinstance(model, str) else None


class _Tracked(_Resilience):
    """The clients' resilience, telling the request being served which call it made."""

    __slots__ = ()

    def call(self, key: DeploymentKey, body: dict[str, Any], mapping: DeploymentMapping | None) -> Call:
        made = super().call(key, body, mapping)
        calls = _CALLS.get()
        if calls is not None:
            calls.append(made)
        return made

    def succeeded(self, call: Call, result: object) -> Change | None:
        # The clients read the model off a parsed object; the gateway's result is the raw response.
        return super().succeeded(call, _Reported(_served_model(result)))


class _TooLargeError(Exception):
    pass


def _error(status: int, message: str, code: str, kind: str = "gateway_error") -> Response:
    """The gateway's own errors, in the OpenAI error envelope."""
    body = {"error": {"message": message, "type": kind, "param": None, "code": code}}
    return JSONResponse(body, status_code=status)


def _unauthorized() -> Response:
    message = "the gateway requires its key: send it as api-key or Authorization: Bearer"
    response = _error(401, message, "invalid_api_key", "invalid_request_error")
    response.headers["www-authenticate"] = "Bearer"
    return response


def _presented(headers: Headers) -> list[bytes]:
    """The keys a caller presented: its ``api-key`` headers and ``Authorization: Bearer`` tokens."""
    found = [value.encode() for value in headers.getlist("api-key")]
    for value in headers.getlist("authorization"):
        scheme, _, token = value.partition(" ")
        if scheme.lower() == "bearer":
            found.append(token.strip().encode())
    return found


def _upstream_credential(path: str, key: str) -> tuple[bytes, bytes]:
    """The server-side key as the upstream takes it: ``api-key`` on Azure's ``/openai/`` routes, else Bearer."""
    if "/openai/" in f"{path}/":
        return b"api-key", key.encode()
    return b"authorization", f"Bearer {key}".encode()


def _relayed_headers(headers: httpx2.Headers, *, decoded: bool) -> list[tuple[bytes, bytes]]:
    """The upstream's response headers as they came (a decoded body loses its length and encoding)."""
    drop = _HOP_BY_HOP | {"content-length", "content-encoding"} if decoded else _HOP_BY_HOP
    return [(name.lower(), value) for name, value in headers.raw if name.lower().decode("latin-1") not in drop]


def _with_headers(response: Response, headers: Iterable[tuple[bytes, bytes]]) -> Response:
    response.raw_headers.extend(headers)
    return response


async def _relay(upstream: httpx2.Response, chunks: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    """The upstream's body chunk by chunk, as it arrives; closed when done or when the caller hangs up."""
    try:
        async for chunk in chunks:
            yield chunk
    finally:
        with anyio.CancelScope(shield=True):  # also when the caller hung up: the connection goes back to the pool
            await upstream.aclose()


class Gateway:
    """The state behind the app: one HTTP client, one store, the resilient clients made so far."""

    def __init__(self, config: GatewayConfig, *, transport: httpx2.AsyncBaseTransport | None = None) -> None:
        self.config = config
        self.timeout = httpx2.Timeout(config.timeout, connect=min(10.0, config.timeout))
        limits = httpx2.Limits(max_connections=config.max_connections, max_keepalive_connections=64)
        self.http = httpx2.AsyncClient(timeout=self.timeout, limits=limits, transport=transport)
        self.store = AsyncStoreAdapter(resolve_store(config.store))
        self.inbound_key, self.upstream_key = config.keys()
        self.clients: dict[tuple[bool, str, str | None], openai.AsyncOpenAI] = {}

    async def close(self) -> None:
        await self.http.aclose()
        await self.store.close()

    def client(self, upstream: Upstream, route: Route) -> openai.AsyncOpenAI:
        """The resilient client for a route's upstream and base (and Azure deployment), made on first use."""
        where = upstream.url + route.base
        name = (route.azure, where, route.deployment)
        found = self.clients.get(name)
        if found is not None:
            return found
        common: dict[str, Any] = {
            "api_key": _PLACEHOLDER,
            "max_retries": 0,
            "timeout": self.timeout,
            "http_client": self.http,
        }
        client: AsyncResilientAzureClient | AsyncResilientOpenAI
        if route.azure:
            # api_version="": a request without one sends none (Azure's v1 routes), and keys it "".
            client = AsyncResilientAzureClient(
                azure_endpoint=where, azure_deployment=route.deployment, api_version="", **common
            )
        else:
            client = AsyncResilientOpenAI(base_url=where, **common)
        config = self.config
        client._rc = _Tracked(  # noqa: SLF001 - the gateway's calls report themselves to the request
            store_arg=self.store, max_repairs=config.max_repairs, wait_timeout=config.wait_timeout
        )
        if len(self.clients) >= _MAX_CLIENTS:  # bounded: deployment names come from callers
            self.clients.pop(next(iter(self.clients)))
        self.clients[name] = client
        return client

    async def handle(self, request: Request) -> Response:
        """Any request: a completion route is repaired, anything else passed through."""
        # The path as sent, not decoded: forwarded as it came, and a deployment name is never unquoted.
        raw: bytes = request.scope.get("raw_path") or request.url.path.encode()
        found = self.config.select(raw.decode("latin-1"))
        if found is None:
            return _error(404, f"no upstream is configured for {request.url.path!r}", "no_upstream")
        upstream, path = found
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.config.max_body_bytes:
            return self._too_large()
        route = classify(request.method, path)
        headers = self._forwarded(request, path)
        try:
            if route is not None and "json" in request.headers.get("content-type", "json"):
                content = await self._read(request)
                body = _json_object(content)
                if body is not None:
                    return await self._complete(request, headers, upstream, route, body)
                return await self._pass(request, headers, upstream, path, content)
            framed = "content-length" in request.headers or "transfer-encoding" in request.headers
            content_in = self._limited(request.stream()) if framed else None
            return await self._pass(request, headers, upstream, path, content_in)
        except _TooLargeError:
            return self._too_large()

    def authorized(self, headers: Headers) -> bool:
        """Whether a caller may use the gateway: always without inbound auth, else when it presented the key."""
        key = self.inbound_key
        if key is None:
            return True
        # Every presented key is compared in full (constant time each): no early exit tells which one was close.
        return any([hmac.compare_digest(given, key) for given in _presented(headers)])  # noqa: C419 - all compared

    def _forwarded(self, request: Request, path: str) -> Headers:
        """The caller's headers to send on; with inbound auth, its credentials swapped for the server-side key."""
        raw = [(k.lower(), v) for k, v in request.headers.raw if k.lower().decode("latin-1") not in _HOP_BY_HOP]
        if self.inbound_key is not None:
            raw = [(k, v) for k, v in raw if k.decode("latin-1") not in _IDENTITY]
            if self.upstream_key is not None:
                raw.append(_upstream_credential(path, self.upstream_key))
        return Headers(raw=raw)

    def _too_large(self) -> Response:
        limit = self.config.max_body_bytes
        return _error(413, f"the request body is larger than this gateway accepts ({limit} bytes)", "body_too_large")

    async def _read(self, request: Request) -> bytes:
        return b"".join([chunk async for chunk in self._limited(request.stream())])

    async def _limited(self, chunks: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
        size = 0
        async for chunk in chunks:
            size += len(chunk)
            if size > self.config.max_body_bytes:
                raise _TooLargeError
            yield chunk

    async def _complete(
        self, request: Request, forwarded: Headers, upstream: Upstream, route: Route, body: dict[str, Any]
    ) -> Response:
        client = self.client(upstream, route)
        headers: dict[str, str | openai.Omit] = {name: openai.Omit() for name in _IDENTITY.values()}
        for name in forwarded:
            lower = name.lower()
            if lower not in _SDK_SETS and not lower.startswith("x-stainless-"):
                headers[_IDENTITY.get(lower, lower)] = ", ".join(forwarded.getlist(name))
        query: dict[str, object] = dict(request.query_params)
        if route.azure:
            query.setdefault("api-version", openai.Omit())  # the client's own is "": send none
        stream = body.get("stream") is True
        calls: list[Call] = []
        token = _CALLS.set(calls)
        try:
            answer: httpx2.Response = await client.post(
                f"/{route.operation}",
                cast_to=httpx2.Response,
                body=body,
                options={"headers": headers, "params": query},
                stream=stream,
            )
        except openai.APIStatusError as exc:
            # The rejection as the upstream sent it (read already): not repairable, or the last one.
            extra = [(BLOCKED_HEADER.encode(), exc.param.encode())] if isinstance(exc, RepairBlockedError) else []
            answer = exc.response
            relayed = Response(answer.content, status_code=answer.status_code)
            return _with_headers(relayed, [*_relayed_headers(answer.headers, decoded=True), *extra, *_repairs(calls)])
        except openai.APITimeoutError:
            return _error(504, "the upstream did not answer in time", "upstream_timeout")
        except openai.APIConnectionError:
            return _error(502, "the upstream could not be reached", "upstream_unreachable")
        finally:
            _CALLS.reset(token)
        headers_out = [*_relayed_headers(answer.headers, decoded=True), *_repairs(calls)]
        if stream:
            streamed = StreamingResponse(_relay(answer, answer.aiter_bytes()), status_code=answer.status_code)
            return _with_headers(streamed, headers_out)
        return _with_headers(Response(answer.content, status_code=answer.status_code), headers_out)

    async def _pass(
        self,
        request: Request,
        forwarded: Headers,
        upstream: Upstream,
        path: str,
        content: bytes | AsyncIterator[bytes] | None,
    ) -> Response:
        query = request.scope.get("query_string", b"").decode("latin-1")
        url = f"{upstream.url}{path}" + (f"?{query}" if query else "")
        headers = list(forwarded.raw)
        if "accept-encoding" not in request.headers:
            headers.append((b"accept-encoding", b"identity"))  # relayed raw: nothing the caller did not ask for
        sent = self.http.build_request(request.method, url, headers=headers, content=content)
        try:
            answer = await self.http.send(sent, stream=True)
        except httpx2.TimeoutException:
            return _error(504, "the upstream did not answer in time", "upstream_timeout")
        except httpx2.TransportError:
            return _error(502, "the upstream could not be reached", "upstream_unreachable")
        streamed = StreamingResponse(_relay(answer, answer.aiter_raw()), status_code=answer.status_code)
        return _with_headers(streamed, _relayed_headers(answer.headers, decoded=False))


def _json_object(raw: bytes) -> dict[str, Any] | None:
    try:
        body = json.loads(raw)
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def _repairs(calls: list[Call]) -> list[tuple[bytes, bytes]]:
    applied = calls[-1].applied if calls else ()
    if not applied:
        return []
    listed = dict.fromkeys(f"{fix.param}:{fix.kind}" for fix in applied)  # role changes come in steps: once each
    return [(REPAIRS_HEADER.encode(), ", ".join(listed).encode())]


def create_app(config: GatewayConfig, *, transport: httpx2.AsyncBaseTransport | None = None) -> Starlette:
    """The gateway's ASGI app (``transport``: the HTTP transport to the upstreams, for tests)."""
    gateway = Gateway(config, transport=transport)

    async def healthz(request: Request) -> Response:
        del request
        return JSONResponse({"status": "ok"})

    async def handle(request: Request) -> Response:
        if not gateway.authorized(request.headers):
            return _unauthorized()  # before anything else: an unknown caller learns nothing of the upstreams
        try:
            return await gateway.handle(request)
        except Exception as exc:  # noqa: BLE001 - the caller gets the envelope; the log gets the trace
            _log.exception("gateway_error", extra={"error": type(exc).__name__})
            return _error(500, "the gateway failed to handle the request", "gateway_error")

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        del app
        try:
            yield
        finally:
            await gateway.close()

    methods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
    routes = [Endpoint("/healthz", healthz, methods=["GET"]), Endpoint("/{path:path}", handle, methods=methods)]
    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.gateway = gateway
    return app
