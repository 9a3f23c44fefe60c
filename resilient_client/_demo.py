"""``resilient-client demo``: the library at work against the bundled emulator, in one command.

Starts the Azure OpenAI emulator on loopback, points a ResilientAzureClient with a
throwaway cache at its o4-mini deployment, and shows each 400 Azure sent, the rule
learned, the retry and the result; then a second client on the same cache that
needs one request; then the cache as ``cache show`` prints it.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from ._client import RepairEvent, ResilientAzureClient
from ._serialize import fix_to_json
from .cli import describe, show_rules
from .stores import JSONFileStore
from .testing import AzureEmulator, SeenRequest

__all__ = ["run_demo"]

DEPLOYMENT = "o4-mini"
API_VERSION = "2025-04-01-preview"
CALL: dict[str, object] = {"max_tokens": 300, "temperature": 0.2}


def _params(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k not in ("model", "messages")}


def _call(endpoint: str, cache: Path, events: list[RepairEvent]) -> str | None:
    with ResilientAzureClient(
        azure_endpoint=endpoint, api_key="demo-key", api_version=API_VERSION, store=cache, on_repair=events.append
    ) as client:
        reply = client.chat.completions.create(
            model=DEPLOYMENT, messages=[{"role": "user", "content": "Say ok."}], max_tokens=300, temperature=0.2
        )
    content: str | None = reply.choices[0].message.content
    return content


def _steps(seen: list[SeenRequest], events: list[RepairEvent]) -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = []
    learned = iter(events)
    for request in seen:
        step: dict[str, Any] = {"sent": _params(request.body), "status": request.status}
        if request.status != 200:  # noqa: PLR2004 - HTTP OK
            step["azure_said"] = request.error
            event = next(learned, None)
            if event is not None:
                step["learned"] = fix_to_json(event.fix)
                step["rule"] = describe(event.fix)
        steps.append(step)
    return steps


def run_demo(*, as_json: bool = False) -> int:
    """Run the demo and print it; returns the exit status (0 when every step behaved)."""
    with tempfile.TemporaryDirectory(prefix="resilient-demo-") as tmp, AzureEmulator() as azure:
        cache = Path(tmp) / "rules.json"
        calls: list[dict[str, Any]] = []
        for title in ("first call", "second call: a new client on the same cache"):
            azure.reset()
            events: list[RepairEvent] = []
            answer = _call(azure.endpoint, cache, events)
            calls.append(
                {
                    "title": title,
                    "answer": answer,
                    "requests": len(azure.requests),
                    "steps": _steps(list(azure.requests), events),
                }
            )
        rules = JSONFileStore(cache).items()
        counts = [int(c["requests"]) for c in calls]
        ok = counts[0] > 1 and counts[1] == 1 and all(c["answer"] == "ok" for c in calls)
        if as_json:
            doc = {
                "endpoint": azure.endpoint,
                "deployment": DEPLOYMENT,
                "call": CALL,
                "calls": calls,
                "cache": [{"key": str(k), "rules": [fix_to_json(r.fix) for r in m.rules]} for k, m in rules.items()],
                "ok": ok,
            }
            print(json.dumps(doc, indent=2, default=str))
            return 0 if ok else 1
        _print(azure.endpoint, cache, calls)
        print("\nthe cache, as `resilient-client cache show` prints it:")
        show_rules(rules)
    return 0 if ok else 1


def _print(endpoint: str, cache: Path, calls: list[dict[str, Any]]) -> None:
    print(f"Azure OpenAI emulator on {endpoint}; deployment {DEPLOYMENT!r} runs an o4-mini profile.")
    print(f"Throwaway cache: {cache}")
    print(
        f"Calling client.chat.completions.create(model={DEPLOYMENT!r}, messages=[...], max_tokens=300, temperature=0.2)"
    )
    for call in calls:
        print(f"\n{call['title']}:")
        for n, step in enumerate(call["steps"], 1):
            print(f"  request {n}: sent {json.dumps(step['sent'])}")
            if step["status"] == 200:  # noqa: PLR2004 - HTTP OK
                print(f"    <- 200 OK: {call['answer']!r}")
                continue
            print(f"    <- {step['status']} from Azure: {step['azure_said']}")
            if "learned" in step:
                print(f"    learned for {DEPLOYMENT!r}: {step['rule']}; retrying")
        print(f"  {call['requests']} request(s)")
