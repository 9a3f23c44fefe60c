"""Recipes and helpers for frameworks that call openai for you.

Each submodule imports its framework, so import only the one you use (``import
resilient_client`` imports none of them):

- :mod:`resilient_client.integrations.langchain`: :func:`~.langchain.resilient_chat_model`
  makes a LangChain ``ChatOpenAI`` / ``AzureChatOpenAI`` use resilient clients.
- :mod:`resilient_client.integrations.llama_index`: drop-in ``AzureOpenAI`` and ``OpenAI``
  LLM classes.

LiteLLM (``client=``) and the OpenAI Agents SDK (``openai_client=``) take a resilient
client as they are: see the README.
"""

from __future__ import annotations

__all__: list[str] = []


def missing(extra: str, exc: ImportError) -> ImportError:
    """The error raised when a framework's integration is imported without the framework."""
    return ImportError(f"{exc.name or 'a framework'} is not installed: pip install 'resilient-client[{extra}]'")
