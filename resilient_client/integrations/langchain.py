"""LangChain: give a ``ChatOpenAI`` or ``AzureChatOpenAI`` resilient openai clients.

LangChain builds its own openai clients from the model's arguments; it also accepts
pre-built ones (``root_client``/``client`` and ``root_async_client``/``async_client``).
:func:`resilient_chat_model` takes the model as you build it today and returns a copy
whose four clients are the resilient twins of the ones LangChain built, with every
setting (endpoint, deployment, api-version, key or Azure AD token provider, headers,
timeout, retries) kept::

    from langchain_openai import AzureChatOpenAI
    from resilient_client.integrations.langchain import resilient_chat_model

    llm = resilient_chat_model(
        AzureChatOpenAI(azure_deployment="prod-chat", api_version="2025-04-01-preview", max_tokens=200),
        store="redis://cache:6379/0",
    )

``invoke``, ``stream``, ``ainvoke``, ``astream``, tools, structured output and the
Responses API (``use_responses_api=True``) all go through those clients.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from .._client import make_resilient
from . import missing

try:
    from langchain_openai.chat_models.base import BaseChatOpenAI
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise missing("langchain", exc) from exc

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from .._client import ResilienceOptions

__all__ = ["resilient_chat_model"]

ChatModelT = TypeVar("ChatModelT", bound=BaseChatOpenAI)


def resilient_chat_model(model: ChatModelT, /, **options: Unpack[ResilienceOptions]) -> ChatModelT:
    """A copy of ``model`` whose sync and async openai clients learn and repair rejected parameters.

    Args:
        model: A ``ChatOpenAI``, ``AzureChatOpenAI`` (or another ``BaseChatOpenAI``)
            that built its own clients or was given openai ones (``root_client=`` and
            ``root_async_client=``).
        **options: The options of :class:`~resilient_client.ResilientAzureClient`
            (``store``, ``policy``, ``max_repairs``…), for both clients.

    Returns:
        The copy; ``model`` is left as it was.

    Raises:
        TypeError: ``model`` is not a LangChain OpenAI chat model, or it was given a
            ``client=`` resource without its ``root_client=`` (build it with
            ``root_client=`` too, or let LangChain build the clients).
    """
    checked: object = model  # typed callers cannot get this wrong; untyped ones can
    if not isinstance(checked, BaseChatOpenAI):
        msg = f"resilient_chat_model() takes a langchain_openai chat model, not {type(model).__qualname__}"
        raise TypeError(msg)
    update: dict[str, object] = {}
    for root, resource in (("root_client", "client"), ("root_async_client", "async_client")):
        built = getattr(model, root)
        if built is None:
            if getattr(model, resource) is not None:
                msg = f"the model was given {resource}= without {root}=; give it {root}= too"
                raise TypeError(msg)
            continue
        twin = make_resilient(built, **options)
        update[root] = twin
        update[resource] = twin.chat.completions
    # Typed through the annotation: without langchain installed, mypy sees model_copy as Any.
    copy: ChatModelT = model.model_copy(update=update)
    return copy
