"""What a learned rule is keyed by: the endpoint with its path prefix, never the userinfo."""

from __future__ import annotations

from typing import Any

from openai._models import FinalRequestOptions

from resilient_client import DeploymentKey, MemoryStore, ResilientAzureClient, ResilientOpenAI

BODY: dict[str, Any] = {"model": "prod-chat", "messages": [{"role": "user", "content": "Hi"}], "max_tokens": 5}


def key_of(client: ResilientAzureClient | ResilientOpenAI, url: str = "/chat/completions") -> DeploymentKey:
    """The key a chat request of ``client`` is learned under."""
    options = FinalRequestOptions.construct(method="post", url=url, json_data=BODY)
    prepared = client._rc.prepare(client, options)
    assert prepared is not None
    return prepared[0]


def azure(endpoint: str, **options: Any) -> ResilientAzureClient:
    """A resilient Azure client for ``endpoint`` (it sends nothing here)."""
    return ResilientAzureClient(
        azure_endpoint=endpoint, api_key="k", api_version="2025-04-01-preview", store=MemoryStore(), **options
    )


def test_a_standard_azure_endpoint_keys_by_its_host_as_before() -> None:
    """https://res.openai.azure.com keys as res.openai.azure.com: 0.1's keys, so old caches keep matching."""
    key = key_of(azure("https://res.openai.azure.com", azure_deployment="prod-chat"))
    assert key == DeploymentKey("res.openai.azure.com", "prod-chat", "2025-04-01-preview", "chat/completions")
    assert key_of(azure("https://res.openai.azure.com/")).host == "res.openai.azure.com"


def test_two_resources_behind_one_api_management_host_keep_separate_rules() -> None:
    """/resA/openai/… and /resB/openai/… on one host are two keys: resB never gets resA's rules."""
    a = key_of(azure("https://apim.contoso.com/resA", azure_deployment="prod-chat"))
    b = key_of(azure("https://apim.contoso.com/resB", azure_deployment="prod-chat"))
    assert (a.host, b.host) == ("apim.contoso.com/resA", "apim.contoso.com/resB")
    assert a != b


def test_openai_style_base_urls_on_one_host_keep_separate_rules() -> None:
    """Two OpenAI-compatible base URLs on one host (a gateway's routes) are two keys, path and all."""
    a = key_of(ResilientOpenAI(base_url="https://gw.example.com/gemini/v1", api_key="k", store=MemoryStore()))
    b = key_of(ResilientOpenAI(base_url="https://gw.example.com/xai/v1/", api_key="k", store=MemoryStore()))
    assert (a.host, b.host) == ("gw.example.com/gemini/v1", "gw.example.com/xai/v1")


def test_the_key_never_carries_userinfo() -> None:
    """A password in the endpoint's userinfo never reaches the key (and so the cache, logs and events)."""
    key = key_of(
        ResilientOpenAI(base_url="https://bob:s3cret@gw.example.com:8443/v1", api_key="k", store=MemoryStore())
    )
    assert key.host == "gw.example.com:8443/v1"
    assert "s3cret" not in repr(key)
    assert "bob" not in str(key)
