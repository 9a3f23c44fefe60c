"""The case this project started from: LiteLLM 1.66.3 and an Azure o4-mini deployment.

LiteLLM 1.66.3's ``is_o_series_model()`` knew only ``o1`` and ``o3``, so
``litellm.completion(model="azure/o4-mini", max_tokens=...)`` reached Azure with
``max_tokens`` and failed with 400 "Unsupported parameter: 'max_tokens' is not supported
with this model. Use 'max_completion_tokens' instead." until a release added "o4". Handing
that same LiteLLM a ``ResilientAzureClient`` makes the call succeed with no upgrade.

Runs only with litellm==1.66.3, which pins older dependencies than the other extras, so
``.ci/run`` installs it in a venv of its own.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from frameworks import API_VERSION, framework
from litellm_support import MESSAGES, WARNINGS, litellm, where

from resilient_client import AsyncResilientAzureClient, ResilientAzureClient
from resilient_client.testing import AzureEmulator

framework("litellm", "litellm", exact=("litellm", "1.66.3"))

pytestmark = [*WARNINGS, pytest.mark.usefixtures("litellm_clients")]
AZURE_400 = "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead."


def test_litellm_1_66_3_sends_max_tokens_to_o4_mini_and_fails(azure: AzureEmulator) -> None:
    """Plain LiteLLM 1.66.3 treats o4-mini as a classic model: Azure's 400, in one request with max_tokens."""
    assert not litellm.AzureOpenAIO1Config().is_o_series_model("o4-mini")  # the static table this project routes around
    with pytest.raises(litellm.BadRequestError) as raised:
        litellm.completion(model="azure/o4-mini", messages=MESSAGES, max_tokens=50, **where(azure))
    assert AZURE_400 in str(raised.value)
    assert [(r.status, r.error) for r in azure.requests] == [(400, AZURE_400)]
    assert azure.bodies("o4-mini")[0]["max_tokens"] == 50


def test_with_a_resilient_client_the_same_call_succeeds(azure: AzureEmulator, store: Path) -> None:
    """client=ResilientAzureClient(...): the first call is repaired; the next sends max_completion_tokens at once."""
    with ResilientAzureClient(
        azure_endpoint=azure.endpoint, api_key="k", api_version=API_VERSION, store=store
    ) as client:
        call = {"model": "azure/o4-mini", "messages": MESSAGES, "max_tokens": 50, "client": client, **where(azure)}
        assert litellm.completion(**call).choices[0].message.content == "ok"
        assert [r.status for r in azure.requests] == [400, 200]
        azure.reset()
        assert litellm.completion(**call).choices[0].message.content == "ok"
    (sent,) = azure.bodies("o4-mini")
    assert sent["max_completion_tokens"] == 50
    assert "max_tokens" not in sent


@pytest.mark.asyncio
async def test_async_with_a_resilient_client_the_same_call_succeeds(azure: AzureEmulator, store: Path) -> None:
    """litellm.acompletion with AsyncResilientAzureClient: repaired once, then one request per call."""
    async with AsyncResilientAzureClient(
        azure_endpoint=azure.endpoint, api_key="k", api_version=API_VERSION, store=store
    ) as client:
        call = {"model": "azure/o4-mini", "messages": MESSAGES, "max_tokens": 50, "client": client, **where(azure)}
        assert (await litellm.acompletion(**call)).choices[0].message.content == "ok"
        assert (await litellm.acompletion(**call)).choices[0].message.content == "ok"
    assert [r.status for r in azure.requests] == [400, 200, 200]
    assert "max_tokens" not in azure.bodies("o4-mini")[-1]
