"""LlamaIndex: ``AzureOpenAI`` and ``OpenAI`` LLMs whose openai clients are resilient.

LlamaIndex's OpenAI LLMs build their openai clients themselves and take no client
argument, so these subclasses build the resilient twins instead (from the same
credentials, endpoint, deployment, api-version, timeout and retries). Change the import,
keep the arguments::

    from resilient_client.integrations.llama_index import AzureOpenAI

    llm = AzureOpenAI(
        engine="prod-chat", model="gpt-4o", api_version="2025-04-01-preview", max_tokens=200,
        resilience={"store": "redis://cache:6379/0"},
    )

``resilience`` takes the options of :class:`~resilient_client.ResilientAzureClient`; they
are passed as one mapping because LlamaIndex's own keyword arguments come and go between
releases. ``chat``, ``stream_chat``, ``complete``, their async twins and tool calls all go
through the resilient clients.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._client import _Options, _Resilience, make_resilient, resilience_with
from . import missing

try:
    from llama_index.core.bridge.pydantic import PrivateAttr
    from llama_index.llms.azure_openai import AzureOpenAI as _AzureOpenAI
    from llama_index.llms.openai import OpenAI as _OpenAI
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise missing("llamaindex", exc) from exc

if TYPE_CHECKING:
    import openai

    from .._client import ResilienceOptions

__all__ = ["AzureOpenAI", "OpenAI"]


class _Resilient:
    """What both LLM classes add: the options, and clients turned resilient as LlamaIndex builds them."""

    _resilience: ResilienceOptions
    _client: Any
    _aclient: Any
    reuse_client: bool

    def __init__(self, *args: Any, resilience: ResilienceOptions | None = None, **kwargs: Any) -> None:
        resilience_with(_Resilience(), resilience or {})  # bad options fail here, not at the first call
        super().__init__(*args, **kwargs)
        self._resilience = dict(resilience or {})  # type: ignore[assignment]  # a copy of a ResilienceOptions

    def _get_client(self) -> openai.OpenAI:
        client = super()._get_client()  # type: ignore[misc]  # LlamaIndex's, next in the MRO
        twin = self._twin(client)
        if self.reuse_client:
            self._client = twin
        return twin  # type: ignore[no-any-return]

    def _get_aclient(self) -> openai.AsyncOpenAI:
        client = super()._get_aclient()  # type: ignore[misc]  # LlamaIndex's, next in the MRO
        twin = self._twin(client)
        if self.reuse_client:
            self._aclient = twin
        return twin  # type: ignore[no-any-return]

    def _twin(self, client: Any) -> Any:
        return client if isinstance(client, _Options) else make_resilient(client, **self._resilience)


class AzureOpenAI(_Resilient, _AzureOpenAI):
    """LlamaIndex's ``AzureOpenAI`` LLM with resilient clients; takes the same arguments plus ``resilience``."""

    _resilience: ResilienceOptions = PrivateAttr(default_factory=dict)


class OpenAI(_Resilient, _OpenAI):
    """LlamaIndex's ``OpenAI`` LLM with resilient clients; takes the same arguments plus ``resilience``."""

    _resilience: ResilienceOptions = PrivateAttr(default_factory=dict)
