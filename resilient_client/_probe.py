"""``resilient-client probe``: learn a real deployment's rules before production traffic does.

Sends the cheapest request (a one-word prompt, a tiny output cap) carrying the
parameters the application uses, lets ResilientAzureClient learn every rule the
deployment needs, writes them to the cache, and prints them. Credentials and the
endpoint come from the usual environment variables (``AZURE_OPENAI_API_KEY`` or
``AZURE_OPENAI_AD_TOKEN``, ``AZURE_OPENAI_ENDPOINT``, ``OPENAI_API_VERSION``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import openai

from ._client import RepairBlockedError, RepairEvent, ResilientAzureClient
from ._models import DeploymentMapping, Fix
from .stores import Store, resolve_store

__all__ = ["PROBE_VALUES", "ProbeResult", "probe"]

# A value for each param an application typically sends, chosen to be cheap and
# to trip each known rejection: a tiny cap, a non-default temperature, and so on.
PROBE_VALUES: Final[dict[str, Any]] = {
    "max_tokens": 16,
    "max_completion_tokens": 16,
    "temperature": 0.2,
    "top_p": 0.9,
    "presence_penalty": 0.1,
    "frequency_penalty": 0.1,
    "stop": ["\n\n"],
    "seed": 1,
    "logprobs": True,
    "top_logprobs": 1,
    "parallel_tool_calls": False,
    "reasoning_effort": "minimal",
    "verbosity": "low",
    "n": 1,
    "user": "resilient-client-probe",
}
DEFAULT_PARAMS: Final = (
    "system",
    "max_tokens",
    "temperature",
    "top_p",
    "presence_penalty",
    "frequency_penalty",
    "stop",
    "logprobs",
    "parallel_tool_calls",
    "reasoning_effort",
)


@dataclass
class ProbeResult:
    """What a probe learned.

    Attributes:
        deployment: The deployment probed.
        learned: The fixes learned during the probe, in order.
        rules: Every rule the store now holds for the deployment's key.
        blocked: Protected params the deployment rejects (not repaired).
        error: The error that ended the probe, if it did not succeed.
    """

    deployment: str
    learned: list[Fix] = field(default_factory=list)
    rules: DeploymentMapping = field(default_factory=DeploymentMapping)
    blocked: list[str] = field(default_factory=list)
    error: str | None = None


def _body(params: Sequence[str]) -> tuple[list[dict[str, str]], dict[str, Any]]:
    unknown = [p for p in params if p != "system" and p not in PROBE_VALUES]
    if unknown:
        msg = f"no probe value for {', '.join(unknown)}; known: system, {', '.join(sorted(PROBE_VALUES))}"
        raise ValueError(msg)
    messages = [{"role": "user", "content": "Say ok."}]
    if "system" in params:
        messages.insert(0, {"role": "system", "content": "Answer in one word."})
    return messages, {p: PROBE_VALUES[p] for p in params if p != "system"}


def probe(
    deployment: str,
    *,
    params: Sequence[str] = DEFAULT_PARAMS,
    endpoint: str | None = None,
    api_version: str | None = None,
    api_key: str | None = None,
    store: Store | None = None,
) -> ProbeResult:
    """Learn ``deployment``'s rules for ``params`` with the cheapest requests, into ``store``.

    Args:
        deployment: The Azure deployment name.
        params: The params (and ``"system"`` for a system message) the application sends.
        endpoint: ``azure_endpoint``; default ``$AZURE_OPENAI_ENDPOINT``.
        api_version: Default ``$OPENAI_API_VERSION``.
        api_key: Default ``$AZURE_OPENAI_API_KEY`` (or ``$AZURE_OPENAI_AD_TOKEN``).
        store: Where to learn into; default the shared cache.

    Returns:
        What was learned.

    Raises:
        ValueError: A param has no probe value, or the endpoint or api-version is missing.
        openai.OpenAIError: No credentials (``api_key``, ``$AZURE_OPENAI_API_KEY`` or ``$AZURE_OPENAI_AD_TOKEN``).
    """
    messages, extra = _body(params)
    store = store or resolve_store(None)
    result = ProbeResult(deployment)

    def learned(event: RepairEvent) -> None:
        result.learned.append(event.fix)

    options: dict[str, Any] = {"api_version": api_version, "api_key": api_key, "azure_endpoint": endpoint}
    with ResilientAzureClient(
        **{k: v for k, v in options.items() if v is not None},
        store=store,
        max_repairs=len(extra) + 4,
        on_repair=learned,
        max_retries=1,
    ) as client:
        while True:
            try:
                client.chat.completions.create(model=deployment, messages=messages, **extra)  # type: ignore[arg-type]  # probe values are typed loosely
            except RepairBlockedError as exc:
                # A protected param the deployment refuses: note it, probe the rest.
                result.blocked.append(exc.param)
                if exc.param in extra:
                    del extra[exc.param]
                    continue
                result.error = str(exc)
            except openai.APIError as exc:
                result.error = " ".join(f"{type(exc).__name__}: {exc}".split())  # one line
            break
        prepared = client._rc.prepare(client, _options(deployment, messages, extra))  # noqa: SLF001 - same package
    if prepared is not None:
        result.rules = store.get(prepared[0]) or DeploymentMapping()
    return result


def _options(deployment: str, messages: list[dict[str, str]], extra: dict[str, Any]) -> Any:
    from openai._models import FinalRequestOptions  # noqa: PLC0415 - only to compute the key

    return FinalRequestOptions.construct(
        method="post", url="/chat/completions", json_data={"model": deployment, "messages": messages, **extra}
    )
