"""``resilient-client demo``: the library at work against the bundled emulator, in one command.

Starts the Azure OpenAI emulator on loopback, points a ResilientAzureClient with a
throwaway cache at its o4-mini deployment, and shows each 400 Azure sent, the rule
learned, the retry and the result; then a second client on the same cache that
needs one request; then the cache as ``cache show`` prints it.

With ``--provider NAME`` the same steps run against one of the emulator's
OpenAI-compatible provider profiles (``ResilientOpenAI(base_url=…)``), with a call
carrying params that provider refuses (see :data:`PROVIDER_CALLS`).
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import openai

from ._client import RepairEvent, ResilientAzureClient, ResilientOpenAI
from ._serialize import fix_to_json
from .cli import describe, show_rules
from .stores import JSONFileStore
from .testing import AzureEmulator, SeenRequest

__all__ = ["PROVIDER_CALLS", "run_demo"]

DEPLOYMENT = "o4-mini"
API_VERSION = "2025-04-01-preview"
CALL: dict[str, object] = {"max_tokens": 300, "temperature": 0.2}


@dataclass(frozen=True)
class ProviderCall:
    """The demo's call to one provider profile: who it is, its model, and params it refuses."""

    label: str
    model: str
    params: Mapping[str, Any]
    """Keyword arguments of ``chat.completions.create`` beyond model and messages."""
    note: str = ""
    """Printed under the first line."""


PROVIDER_CALLS: Final[Mapping[str, ProviderCall]] = {
    # One array body names all three refused fields (gm-001, gm-006): one failed request for the lot.
    "gemini": ProviderCall(
        "Gemini", "gemini-2.5-flash", {"frequency_penalty": 0.2, "store": False, "extra_body": {"top_k": 40}}
    ),
    # One refused param per body (xa-004, xa-005): a retry each.
    "xai": ProviderCall("xAI", "grok-4-latest", {"presence_penalty": 0.1, "stop": ["END"]}),
    # pydantic's extra_forbidden list, all in one 422 (mi-002, mi-003).
    "mistral": ProviderCall(
        "Mistral",
        "magistral-medium-latest",
        {"frequency_penalty": 0.1, "extra_body": {"thinking": {"type": "enabled"}}},
    ),
    # Every undeclared field in one body (vl-002).
    "vllm": ProviderCall(
        "vLLM", "Qwen/Qwen2.5-7B-Instruct", {"store": True, "extra_body": {"prompt_cache_key": "demo"}}
    ),
    # A refused param, then an out-of-range value (ds-003, ds-002).
    "deepseek": ProviderCall("DeepSeek", "deepseek-reasoner", {"presence_penalty": 0.1, "max_tokens": 100_000}),
    # DeepSeek's rejections, relayed (or-005).
    "openrouter": ProviderCall(
        "OpenRouter",
        "deepseek/deepseek-r1",
        {"presence_penalty": 0.1, "max_tokens": 100_000},
        "OpenRouter relays DeepSeek's own error body, as JSON text in error.metadata.raw; the client reads that.",
    ),
}

_Opener = Callable[[Path, list[RepairEvent]], openai.OpenAI]


@dataclass(frozen=True)
class _Target:
    """What the demo calls: the same steps and printing serve Azure and every provider profile."""

    who: str
    """Whose rejections these are, as printed: ``<- 400 from {who}: …``."""
    model: str
    params: Mapping[str, Any]
    intro: str
    """The first lines printed."""
    said: str
    """The JSON key of a rejection's message in a step."""
    header: Mapping[str, Any]
    """The JSON document's leading fields."""
    open: _Opener


def _azure(emulator: AzureEmulator) -> _Target:
    def open_client(cache: Path, events: list[RepairEvent]) -> openai.OpenAI:
        return ResilientAzureClient(
            azure_endpoint=emulator.endpoint,
            api_key="demo-key",
            api_version=API_VERSION,
            store=cache,
            on_repair=events.append,
        )

    return _Target(
        who="Azure",
        model=DEPLOYMENT,
        params=CALL,
        intro=f"Azure OpenAI emulator on {emulator.endpoint}; deployment {DEPLOYMENT!r} runs an o4-mini profile.",
        said="azure_said",
        header={"endpoint": emulator.endpoint, "deployment": DEPLOYMENT},
        open=open_client,
    )


def _provider(emulator: AzureEmulator, name: str) -> _Target:
    call = PROVIDER_CALLS[name]
    base_url = emulator.base_url(name)

    def open_client(cache: Path, events: list[RepairEvent]) -> openai.OpenAI:
        return ResilientOpenAI(base_url=base_url, api_key="demo-key", store=cache, on_repair=events.append)

    return _Target(
        who=call.label,
        model=call.model,
        params=call.params,
        intro=f"{call.label} emulator (OpenAI-compatible profile {name!r}) on {base_url}; model {call.model!r}."
        + (f"\n{call.note}" if call.note else ""),
        said="provider_said",
        header={"provider": name, "base_url": base_url, "model": call.model},
        open=open_client,
    )


def _params(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k not in ("model", "messages")}


def _call(target: _Target, cache: Path, events: list[RepairEvent]) -> str | None:
    with target.open(cache, events) as client:
        reply = client.chat.completions.create(
            model=target.model, messages=[{"role": "user", "content": "Say ok."}], **target.params
        )
    content: str | None = reply.choices[0].message.content
    return content


def _steps(target: _Target, seen: list[SeenRequest], events: list[RepairEvent]) -> list[dict[str, Any]]:
    """One step per request; a rejection's step carries the fixes it taught (the n-th rejection, attempt n)."""
    steps: list[dict[str, Any]] = []
    rejections = 0
    for request in seen:
        step: dict[str, Any] = {"sent": _params(request.body), "status": request.status}
        if request.status != 200:  # noqa: PLR2004 - HTTP OK
            rejections += 1
            step[target.said] = request.error
            taught = [e.fix for e in events if e.attempt == rejections]
            if taught:
                step["learned"] = fix_to_json(taught[0])
                if len(taught) > 1:  # one body naming several params (Gemini, pydantic servers)
                    step["learned_also"] = [fix_to_json(fix) for fix in taught[1:]]
                step["rule"] = ", ".join(describe(fix) for fix in taught)
        steps.append(step)
    return steps


def run_demo(*, as_json: bool = False, provider: str | None = None) -> int:
    """Run the demo (against Azure, or a provider profile) and print it; returns 0 when every step behaved."""
    with tempfile.TemporaryDirectory(prefix="resilient-demo-") as tmp, AzureEmulator() as emulator:
        target = _azure(emulator) if provider is None else _provider(emulator, provider)
        cache = Path(tmp) / "rules.json"
        calls: list[dict[str, Any]] = []
        for title in ("first call", "second call: a new client on the same cache"):
            emulator.reset()
            events: list[RepairEvent] = []
            answer = _call(target, cache, events)
            calls.append(
                {
                    "title": title,
                    "answer": answer,
                    "requests": len(emulator.requests),
                    "steps": _steps(target, list(emulator.requests), events),
                }
            )
        rules = JSONFileStore(cache).items()
        counts = [int(c["requests"]) for c in calls]
        ok = counts[0] > 1 and counts[1] == 1 and all(c["answer"] == "ok" for c in calls)
        if as_json:
            doc = {
                **target.header,
                "call": dict(target.params),
                "calls": calls,
                "cache": [{"key": str(k), "rules": [fix_to_json(r.fix) for r in m.rules]} for k, m in rules.items()],
                "ok": ok,
            }
            print(json.dumps(doc, indent=2, default=str))
            return 0 if ok else 1
        _print(target, cache, calls)
        print("\nthe cache, as `resilient-client cache show` prints it:")
        show_rules(rules)
    return 0 if ok else 1


def _print(target: _Target, cache: Path, calls: list[dict[str, Any]]) -> None:
    print(target.intro)
    print(f"Throwaway cache: {cache}")
    arguments = "".join(f", {k}={v!r}" for k, v in target.params.items())
    print(f"Calling client.chat.completions.create(model={target.model!r}, messages=[...]{arguments})")
    for call in calls:
        print(f"\n{call['title']}:")
        for n, step in enumerate(call["steps"], 1):
            print(f"  request {n}: sent {json.dumps(step['sent'])}")
            if step["status"] == 200:  # noqa: PLR2004 - HTTP OK
                print(f"    <- 200 OK: {call['answer']!r}")
                continue
            said = str(step[target.said]).replace("\n", "\n       ")  # Gemini joins several messages with newlines
            print(f"    <- {step['status']} from {target.who}: {said}")
            if "learned" in step:
                print(f"    learned for {target.model!r}: {step['rule']}; retrying")
        print(f"  {call['requests']} request(s)")
