"""The clients are drop-in openai clients: same classes, arguments, environment, auth, copies."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import httpx2
import openai
import pytest
from openai.types.chat import ChatCompletionMessageParam

from resilient_client import (
    AsyncResilientAzureClient,
    AsyncResilientOpenAI,
    Drop,
    JSONFileStore,
    MemoryStore,
    Rename,
    RepairEvent,
    RepairPolicy,
    ResilientAzureClient,
    ResilientOpenAI,
    make_resilient,
)
from resilient_client.stores import AsyncStore, Store
from resilient_client.testing import AzureEmulator

if TYPE_CHECKING:
    from typing_extensions import Self

API_VERSION = "2025-04-01-preview"
KEY = "sk-test-key-0123456789"
MESSAGES: list[ChatCompletionMessageParam] = [{"role": "user", "content": "Say ok."}]
Mode = Literal["sync", "async"]
MODES: list[Mode] = ["sync", "async"]


class HeaderRecordingEmulator(AzureEmulator):
    """The emulator, also keeping the (lower-cased) headers of every POST it receives."""

    def __init__(self) -> None:
        super().__init__()
        self.headers: list[dict[str, str]] = []

    def __enter__(self) -> Self:
        super().__enter__()
        assert self._server is not None
        seen = self.headers
        handler: Any = self._server.RequestHandlerClass

        def do_post(request: BaseHTTPRequestHandler) -> None:
            seen.append({name.lower(): value for name, value in request.headers.items()})
            handler.do_POST(request)

        self._server.RequestHandlerClass = type("RecordingHandler", (handler,), {"do_POST": do_post})
        return self


@pytest.fixture(scope="module")
def recording_server() -> Iterator[HeaderRecordingEmulator]:
    with HeaderRecordingEmulator() as emulator:
        yield emulator


@pytest.fixture
def recording(recording_server: HeaderRecordingEmulator) -> HeaderRecordingEmulator:
    recording_server.reset()
    recording_server.headers.clear()
    return recording_server


def _chat_o4(client: openai.OpenAI) -> str | None:
    return client.chat.completions.create(model="o4-mini", messages=MESSAGES, max_tokens=5).choices[0].message.content


async def _achat_o4(client: openai.AsyncOpenAI) -> str | None:
    completion = await client.chat.completions.create(model="o4-mini", messages=MESSAGES, max_tokens=5)
    return completion.choices[0].message.content


# --- isinstance ---------------------------------------------------------------------------------------------------

_OFFLINE: dict[str, Any] = {"api_key": KEY, "max_retries": 0}
_AZURE_OFFLINE: dict[str, Any] = _OFFLINE | {"azure_endpoint": "http://127.0.0.1:9", "api_version": API_VERSION}


def test_sync_azure_client_is_an_azure_openai_client() -> None:
    """ResilientAzureClient is an openai.AzureOpenAI (and so an openai.OpenAI)."""
    with ResilientAzureClient(**_AZURE_OFFLINE, store=MemoryStore()) as client:
        assert isinstance(client, openai.AzureOpenAI)
        assert isinstance(client, openai.OpenAI)


@pytest.mark.asyncio
async def test_async_azure_client_is_an_async_azure_openai_client() -> None:
    """AsyncResilientAzureClient is an openai.AsyncAzureOpenAI (and so an openai.AsyncOpenAI)."""
    async with AsyncResilientAzureClient(**_AZURE_OFFLINE, store=MemoryStore()) as client:
        assert isinstance(client, openai.AsyncAzureOpenAI)
        assert isinstance(client, openai.AsyncOpenAI)


def test_sync_openai_client_is_an_openai_client() -> None:
    """ResilientOpenAI is an openai.OpenAI and not an Azure client."""
    with ResilientOpenAI(**_OFFLINE, base_url="http://127.0.0.1:9/v1", store=MemoryStore()) as client:
        assert isinstance(client, openai.OpenAI)
        assert not isinstance(client, openai.AzureOpenAI)


@pytest.mark.asyncio
async def test_async_openai_client_is_an_async_openai_client() -> None:
    """AsyncResilientOpenAI is an openai.AsyncOpenAI and not an Azure client."""
    async with AsyncResilientOpenAI(**_OFFLINE, base_url="http://127.0.0.1:9/v1", store=MemoryStore()) as client:
        assert isinstance(client, openai.AsyncOpenAI)
        assert not isinstance(client, openai.AsyncAzureOpenAI)


# --- constructor --------------------------------------------------------------------------------------------------

# Parent arguments that cannot be combined with the ones passed below (alternatives, not additions).
_AZURE_ALTERNATIVES = {
    "self",
    "base_url",  # mutually exclusive with azure_endpoint
    "azure_ad_token",  # mutually exclusive with api_key
    "azure_ad_token_provider",  # mutually exclusive with api_key
    "workload_identity",  # mutually exclusive with api_key (and not functional on Azure)
}


def _azure_kwargs(endpoint: str, http_client: httpx2.Client | httpx2.AsyncClient) -> dict[str, Any]:
    return {
        "api_version": API_VERSION,
        "azure_endpoint": endpoint,
        "azure_deployment": "o4-mini",
        "api_key": KEY,
        "admin_api_key": "admin-key",
        "organization": "org-1",
        "project": "proj-1",
        "webhook_secret": "whsec-1",
        "websocket_base_url": "wss://example.invalid/openai",
        "timeout": 12.5,
        "max_retries": 0,
        "default_headers": {"x-test-header": "yes"},
        "default_query": {"extra": "1"},
        "http_client": http_client,
        "_strict_response_validation": False,
        "_enforce_credentials": True,
    }


def _same_configuration(ours: openai.OpenAI | openai.AsyncOpenAI, theirs: openai.OpenAI | openai.AsyncOpenAI) -> None:
    assert ours.base_url == theirs.base_url
    assert ours.api_key == theirs.api_key
    assert (ours.organization, ours.project, ours.webhook_secret) == (
        theirs.organization,
        theirs.project,
        theirs.webhook_secret,
    )
    assert (ours.timeout, ours.max_retries) == (theirs.timeout, theirs.max_retries)
    assert ours.default_headers["x-test-header"] == "yes"
    assert ours.default_query == theirs.default_query == {"extra": "1", "api-version": API_VERSION}
    assert ours._client is theirs._client


def test_sync_constructor_takes_every_azure_openai_argument(azure: AzureEmulator, tmp_path: Path) -> None:
    """ResilientAzureClient accepts every AzureOpenAI argument, configures itself like AzureOpenAI, and repairs."""
    with httpx2.Client() as http:
        kwargs = _azure_kwargs(azure.endpoint, http)
        assert set(kwargs) | _AZURE_ALTERNATIVES == set(inspect.signature(openai.AzureOpenAI.__init__).parameters)
        plain = openai.AzureOpenAI(**kwargs)
        client = ResilientAzureClient(**kwargs, store=tmp_path / "rules.json")
        _same_configuration(client, plain)
        assert (
            client.chat.completions.create(model="ignored", messages=MESSAGES, max_tokens=5).choices[0].message.content
            == "ok"
        )
    assert azure.count("o4-mini") == 2


@pytest.mark.asyncio
async def test_async_constructor_takes_every_azure_openai_argument(azure: AzureEmulator, tmp_path: Path) -> None:
    """AsyncResilientAzureClient accepts every AsyncAzureOpenAI argument, configures itself alike, and repairs."""
    async with httpx2.AsyncClient() as http:
        kwargs = _azure_kwargs(azure.endpoint, http)
        assert set(kwargs) | _AZURE_ALTERNATIVES == set(inspect.signature(openai.AsyncAzureOpenAI.__init__).parameters)
        plain = openai.AsyncAzureOpenAI(**kwargs)
        client = AsyncResilientAzureClient(**kwargs, store=tmp_path / "rules.json")
        _same_configuration(client, plain)
        completion = await client.chat.completions.create(model="ignored", messages=MESSAGES, max_tokens=5)
        assert completion.choices[0].message.content == "ok"
    assert azure.count("o4-mini") == 2


_OPENAI_ALTERNATIVES = {
    "self",
    "workload_identity",  # mutually exclusive with api_key
    "provider",  # mutually exclusive with api_key/base_url
    "data_residency",  # mutually exclusive with base_url
}


@pytest.mark.asyncio
@pytest.mark.parametrize("mode", MODES)
async def test_openai_constructor_takes_every_openai_argument(azure: AzureEmulator, tmp_path: Path, mode: Mode) -> None:
    """ResilientOpenAI/AsyncResilientOpenAI accept every OpenAI argument and repair, keyed by the body's model."""
    store = MemoryStore()
    kwargs: dict[str, Any] = {
        "api_key": KEY,
        "admin_api_key": "admin-key",
        "organization": "org-1",
        "project": "proj-1",
        "webhook_secret": "whsec-1",
        "base_url": f"{azure.endpoint}/openai/v1",
        "websocket_base_url": "wss://example.invalid/v1",
        "timeout": 12.5,
        "max_retries": 0,
        "default_headers": {"x-test-header": "yes"},
        "default_query": {"extra": "1"},
        "_strict_response_validation": False,
        "_enforce_credentials": True,
    }
    assert set(kwargs) | {"http_client"} | _OPENAI_ALTERNATIVES == set(
        inspect.signature(openai.OpenAI.__init__).parameters
    )
    if mode == "sync":
        with httpx2.Client() as http, ResilientOpenAI(**kwargs, http_client=http, store=store) as client:
            assert client.organization == "org-1"
            assert _chat_o4(client) == "ok"
    else:
        async with (
            httpx2.AsyncClient() as ahttp,
            AsyncResilientOpenAI(**kwargs, http_client=ahttp, store=store) as aclient,
        ):
            assert aclient.organization == "org-1"
            assert await _achat_o4(aclient) == "ok"
    assert azure.count("o4-mini") == 2
    (key,) = store.items()
    assert (key.deployment, key.operation, key.api_version) == ("o4-mini", "chat/completions", "")


# --- environment and auth -----------------------------------------------------------------------------------------


@pytest.mark.asyncio
@pytest.mark.parametrize("mode", MODES)
async def test_environment_variables_keep_working(
    recording: HeaderRecordingEmulator, monkeypatch: pytest.MonkeyPatch, cache_env: Path, mode: Mode
) -> None:
    """With no arguments the client reads AZURE_OPENAI_*/OPENAI_API_VERSION and learns into $RESILIENT_CLIENT_CACHE."""
    monkeypatch.setenv("AZURE_OPENAI_ENDPOINT", recording.endpoint)
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", KEY)
    monkeypatch.setenv("OPENAI_API_VERSION", "2024-12-01-preview")
    monkeypatch.delenv("AZURE_OPENAI_AD_TOKEN", raising=False)
    store: Store | AsyncStore
    if mode == "sync":
        with ResilientAzureClient() as client:
            assert _chat_o4(client) == "ok"
            store = client.store
    else:
        async with AsyncResilientAzureClient() as aclient:
            assert await _achat_o4(aclient) == "ok"
            store = aclient.store
    assert [r.api_version for r in recording.requests] == ["2024-12-01-preview"] * 2
    assert [h.get("api-key") for h in recording.headers] == [KEY] * 2
    parent = "AzureOpenAI" if mode == "sync" else "AsyncAzureOpenAI"  # the User-Agent names the openai parent class
    assert {h["user-agent"] for h in recording.headers} == {f"{parent}/Python {openai.__version__}"}
    assert isinstance(store, JSONFileStore)
    assert store.path == cache_env
    (key,) = JSONFileStore(cache_env).items()  # a fresh reader finds the rule in the file
    assert (key.deployment, key.api_version) == ("o4-mini", "2024-12-01-preview")


def test_sync_azure_ad_token_provider_reaches_the_server(recording: HeaderRecordingEmulator) -> None:
    """azure_ad_token_provider is called for every attempt and its bearer token reaches Azure, with no api-key."""
    calls: list[int] = []

    def provider() -> str:
        calls.append(1)
        return "aad-token-1"

    with ResilientAzureClient(
        azure_endpoint=recording.endpoint,
        azure_ad_token_provider=provider,
        api_version=API_VERSION,
        max_retries=0,
        store=MemoryStore(),
    ) as client:
        assert _chat_o4(client) == "ok"
    assert [h.get("authorization") for h in recording.headers] == ["Bearer aad-token-1"] * 2
    assert all("api-key" not in h for h in recording.headers)
    assert len(calls) == 2


@pytest.mark.asyncio
async def test_async_azure_ad_token_provider_reaches_the_server(recording: HeaderRecordingEmulator) -> None:
    """An async azure_ad_token_provider is awaited for every attempt and its bearer token reaches Azure."""

    async def provider() -> str:
        return "aad-token-2"

    async with AsyncResilientAzureClient(
        azure_endpoint=recording.endpoint,
        azure_ad_token_provider=provider,
        api_version=API_VERSION,
        max_retries=0,
        store=MemoryStore(),
    ) as client:
        assert await _achat_o4(client) == "ok"
    assert [h.get("authorization") for h in recording.headers] == ["Bearer aad-token-2"] * 2
    assert all("api-key" not in h for h in recording.headers)


# --- azure_deployment -----------------------------------------------------------------------------------------------


@pytest.mark.asyncio
@pytest.mark.parametrize("mode", MODES)
async def test_azure_deployment_in_base_url_is_the_key(azure: AzureEmulator, mode: Mode) -> None:
    """With azure_deployment= the rules are keyed by that deployment, whatever model the body names."""
    store = MemoryStore()
    options: dict[str, Any] = {
        "azure_endpoint": azure.endpoint, "azure_deployment": "o4-mini", "api_key": KEY,
        "api_version": API_VERSION, "max_retries": 0, "store": store,
    }  # fmt: skip
    if mode == "sync":
        with ResilientAzureClient(**options) as client:
            client.chat.completions.create(model="my-app-model", messages=MESSAGES, max_tokens=5)
            client.chat.completions.create(model="another-name", messages=MESSAGES, max_tokens=5)
    else:
        async with AsyncResilientAzureClient(**options) as aclient:
            await aclient.chat.completions.create(model="my-app-model", messages=MESSAGES, max_tokens=5)
            await aclient.chat.completions.create(model="another-name", messages=MESSAGES, max_tokens=5)
    assert azure.count("o4-mini") == 3
    (key,) = store.items()
    assert (key.deployment, key.operation) == ("o4-mini", "chat/completions")
    assert store.items()[key].fixes == (Rename("max_tokens", "max_completion_tokens"),)


def test_azure_deployment_does_not_key_responses_calls_for_other_models(azure: AzureEmulator) -> None:
    """A responses rule learned from one model is not applied to another model sent via an azure_deployment client."""
    store = MemoryStore()
    with ResilientAzureClient(
        azure_endpoint=azure.endpoint,
        azure_deployment="gpt-4o",
        api_key=KEY,
        api_version=API_VERSION,
        max_retries=0,
        store=store,
    ) as client:
        client.responses.create(model="o4-mini", input="hi", temperature=0.5)  # o4-mini only takes temperature=1
        client.responses.create(model="gpt-4o", input="hi", temperature=0.5)  # gpt-4o takes any temperature
    assert [r.deployment for r in azure.requests] == ["o4-mini", "o4-mini", "gpt-4o"]
    assert azure.bodies("gpt-4o")[0].get("temperature") == 0.5
    rules = {key.deployment: mapping.fixes for key, mapping in store.items().items()}
    assert rules == {"o4-mini": (Drop("temperature"),), "gpt-4o": ()}


# --- copy / with_options --------------------------------------------------------------------------------------------


def _noop(event: RepairEvent) -> None:
    del event


_BuildClient = Callable[..., openai.OpenAI | openai.AsyncOpenAI]
_BUILDERS: list[_BuildClient] = [ResilientAzureClient, AsyncResilientAzureClient]


async def _close(client: Any) -> None:
    closing = client.close()
    if inspect.isawaitable(closing):
        await closing


@pytest.mark.asyncio
@pytest.mark.parametrize("build", _BUILDERS, ids=["sync", "async"])
@pytest.mark.parametrize("method", ["copy", "with_options"])
async def test_copy_keeps_resilience_options(build: _BuildClient, method: str) -> None:
    """copy()/with_options(timeout=...) keep store, policy, max_repairs, learn and on_repair, and change the timeout."""
    store, policy = MemoryStore(), RepairPolicy(allow=frozenset({"tools"}))
    client: Any = build(**_AZURE_OFFLINE, store=store, policy=policy, max_repairs=2, learn=False, on_repair=_noop)
    try:
        copied = getattr(client, method)(timeout=3.0)
        assert type(copied) is type(client)
        assert copied.timeout == 3.0
        assert copied.store is store
        assert copied.repair_policy == policy
        assert (copied._rc.max_repairs, copied._rc.learn, copied._rc.on_repair) == (2, False, _noop)
    finally:
        await _close(client)  # copies share the original's HTTP client


@pytest.mark.asyncio
@pytest.mark.parametrize("build", _BUILDERS, ids=["sync", "async"])
@pytest.mark.parametrize("method", ["copy", "with_options"])
async def test_copy_accepts_overrides_of_resilience_options(build: _BuildClient, method: str, tmp_path: Path) -> None:
    """copy()/with_options() take overrides of every resilience option; the original keeps its own."""
    store, policy = MemoryStore(), RepairPolicy(allow=frozenset({"tools"}))
    client: Any = build(**_AZURE_OFFLINE, store=store, policy=policy)
    try:
        other, other_policy = MemoryStore(), RepairPolicy(change_roles=False)
        copied = getattr(client, method)(
            store=other, policy=other_policy, max_repairs=1, learn=False, on_repair=_noop, max_retries=5
        )
        assert copied.store is other
        assert copied.repair_policy == other_policy
        assert (copied._rc.max_repairs, copied._rc.learn, copied._rc.on_repair, copied.max_retries) == (
            1,
            False,
            _noop,
            5,
        )
        assert client.store is store
        assert client.repair_policy == policy
        assert (client._rc.max_repairs, client._rc.learn, client._rc.on_repair) == (8, True, None)
        assert getattr(client, method)(policy=None).repair_policy == RepairPolicy()
        path_copy = getattr(client, method)(store=tmp_path / "copy.json")
        assert isinstance(path_copy.store, JSONFileStore)
        assert path_copy.store.path == tmp_path / "copy.json"
        with pytest.raises(ValueError, match="max_repairs"):
            getattr(client, method)(max_repairs=-1)
    finally:
        await _close(client)


@pytest.mark.asyncio
@pytest.mark.parametrize("mode", MODES)
async def test_copy_learns_into_the_same_store_and_reports(azure: AzureEmulator, mode: Mode) -> None:
    """A with_options(timeout=...) copy learns into the shared store and reports; the original then sends once."""
    store, events = MemoryStore(), list[RepairEvent]()
    options: dict[str, Any] = {
        "azure_endpoint": azure.endpoint, "api_key": KEY, "api_version": API_VERSION,
        "max_retries": 0, "store": store, "on_repair": events.append,
    }  # fmt: skip
    if mode == "sync":
        with ResilientAzureClient(**options) as client:
            assert _chat_o4(client.with_options(timeout=5.0)) == "ok"
            azure.reset()
            assert _chat_o4(client) == "ok"
    else:
        async with AsyncResilientAzureClient(**options) as aclient:
            assert await _achat_o4(aclient.with_options(timeout=5.0)) == "ok"
            azure.reset()
            assert await _achat_o4(aclient) == "ok"
    assert [e.fix for e in events] == [Rename("max_tokens", "max_completion_tokens")]
    assert azure.count() == 1


@pytest.mark.asyncio
@pytest.mark.parametrize("mode", MODES)
async def test_per_request_options_survive_the_repair_retry(recording: HeaderRecordingEmulator, mode: Mode) -> None:
    """extra_headers and extra_query given to create() are sent again on the repaired attempt."""
    options: dict[str, Any] = {
        "azure_endpoint": recording.endpoint, "api_key": KEY, "api_version": API_VERSION,
        "max_retries": 0, "store": MemoryStore(),
    }  # fmt: skip
    params: dict[str, Any] = {
        "model": "o4-mini", "messages": MESSAGES, "max_tokens": 5,
        "extra_headers": {"x-trace": "t-1"}, "extra_query": {"api-version": "2024-10-21"},
    }  # fmt: skip
    store: Store | AsyncStore
    if mode == "sync":
        with ResilientAzureClient(**options) as client:
            client.chat.completions.create(**params)
            store = client.store
    else:
        async with AsyncResilientAzureClient(**options) as aclient:
            await aclient.chat.completions.create(**params)
            store = aclient.store
    assert isinstance(store, MemoryStore)
    assert [h.get("x-trace") for h in recording.headers] == ["t-1", "t-1"]
    assert [r.api_version for r in recording.requests] == ["2024-10-21", "2024-10-21"]
    (key,) = store.items()
    assert key.api_version == "2024-10-21"


# --- make_resilient: the twin of a client someone else built ------------------------------------------------------

_PLAIN_TO_TWIN: list[tuple[type[Any], type[Any]]] = [
    (openai.AzureOpenAI, ResilientAzureClient),
    (openai.AsyncAzureOpenAI, AsyncResilientAzureClient),
    (openai.OpenAI, ResilientOpenAI),
    (openai.AsyncOpenAI, AsyncResilientOpenAI),
]


@pytest.mark.asyncio
@pytest.mark.parametrize(("plain_class", "twin_class"), _PLAIN_TO_TWIN, ids=lambda c: c.__name__)
async def test_make_resilient_builds_the_twin_with_every_setting(plain_class: type[Any], twin_class: type[Any]) -> None:
    """Each openai client becomes its resilient twin, keeping key, URL, version, headers, query, retries, transport."""
    settings: dict[str, Any] = {
        "api_key": KEY, "max_retries": 4, "timeout": 7.0, "organization": "org-1",
        "default_headers": {"X-Team": "search"}, "default_query": {"trace": "1"},
    }  # fmt: skip
    if issubclass(plain_class, openai.AzureOpenAI | openai.AsyncAzureOpenAI):
        settings |= {
            "azure_endpoint": "http://127.0.0.1:9",
            "azure_deployment": "prod-chat",
            "api_version": API_VERSION,
        }
    else:
        settings |= {"base_url": "http://127.0.0.1:9/v1"}
    plain = plain_class(**settings)
    plain.chat  # noqa: B018 - a resource cached on the plain client must not be carried over
    twin = make_resilient(plain, learn=False)
    try:
        assert type(twin) is twin_class
        assert isinstance(twin, plain_class)
        kept = ("api_key", "base_url", "max_retries", "timeout", "organization", "default_query", "_client")
        assert {name: getattr(twin, name) for name in kept} == {name: getattr(plain, name) for name in kept}
        assert twin._client is plain._client  # shared, as with_options shares it
        assert twin.default_headers["X-Team"] == "search"
        assert twin.chat._client is twin
        assert plain.chat._client is plain
        assert twin._rc.learn is False
        assert type(plain) is plain_class
    finally:
        await _close(plain)


def test_make_resilient_keeps_an_azure_ad_token_provider(recording: HeaderRecordingEmulator) -> None:
    """The twin of a client authenticated by a token provider sends that provider's bearer token, and no api-key."""
    plain = openai.AzureOpenAI(
        azure_endpoint=recording.endpoint,
        azure_ad_token_provider=lambda: "aad-token-2",
        api_version=API_VERSION,
        max_retries=0,
    )
    with make_resilient(plain, store=MemoryStore()) as client:
        assert _chat_o4(client) == "ok"
    assert [h.get("authorization") for h in recording.headers] == ["Bearer aad-token-2"] * 2
    assert all("api-key" not in h for h in recording.headers)


@pytest.mark.asyncio
@pytest.mark.parametrize("mode", MODES)
async def test_make_resilient_repairs_and_stores(azure: AzureEmulator, tmp_path: Path, mode: Mode) -> None:
    """A plain client made resilient repairs its first call and stores the rule; the plain one still fails."""
    options: dict[str, Any] = {
        "azure_endpoint": azure.endpoint, "api_key": KEY, "api_version": API_VERSION,
        "azure_deployment": "o4-mini", "max_retries": 0,
    }  # fmt: skip
    store = tmp_path / "rules.json"
    if mode == "sync":
        with openai.AzureOpenAI(**options) as plain:  # closing it closes the HTTP client the twin shares
            assert _chat_o4(make_resilient(plain, store=store)) == "ok"
            with pytest.raises(openai.BadRequestError, match="max_completion_tokens"):
                _chat_o4(plain)
    else:
        async with openai.AsyncAzureOpenAI(**options) as aplain:
            assert await _achat_o4(make_resilient(aplain, store=store)) == "ok"
            with pytest.raises(openai.BadRequestError, match="max_completion_tokens"):
                await _achat_o4(aplain)
    assert [r.status for r in azure.requests] == [400, 200, 400]
    (key,) = JSONFileStore(store).items()
    assert key.deployment == "o4-mini"


@pytest.mark.asyncio
@pytest.mark.parametrize("build", _BUILDERS, ids=["sync", "async"])
async def test_make_resilient_returns_a_resilient_client_or_its_copy(build: _BuildClient) -> None:
    """A resilient client comes back as it is; with options, as a copy with them."""
    store = MemoryStore()
    client: Any = build(**_AZURE_OFFLINE, store=store)
    try:
        assert make_resilient(client) is client
        copied = make_resilient(client, learn=False)
        assert copied is not client
        assert (copied._rc.learn, client._rc.learn) == (False, True)
        assert copied.store is store
    finally:
        await _close(client)


def test_make_resilient_refuses_what_it_cannot_twin() -> None:
    """Anything but the four openai client classes is refused, subclasses included (their overrides would be lost)."""

    class Custom(openai.AzureOpenAI):
        pass

    custom = Custom(**_AZURE_OFFLINE)
    with pytest.raises(TypeError, match="Custom is a subclass of an openai client"):
        make_resilient(custom)
    with pytest.raises(TypeError, match="str is not one"):
        make_resilient("https://example.openai.azure.com")  # type: ignore[call-overload]
    with pytest.raises(ValueError, match="max_repairs"):
        make_resilient(openai.AzureOpenAI(**_AZURE_OFFLINE), max_repairs=-1)
