"""LiteLLM side by side with ResilientAzureClient, against the same emulator.

Needs the ``bench`` extra (``pip install -e '.[bench]'``); without litellm it reports
itself skipped. LiteLLM is imported with ``LITELLM_LOCAL_MODEL_COST_MAP=True`` so it
never fetches its model-cost map.

1. Per-call overhead on a deployment that accepts everything (gpt-4o, emulator in its
   own process, no latency): plain ``openai.AzureOpenAI``, ``ResilientAzureClient`` and
   ``litellm.completion(model="azure/gpt-4o", ..., drop_params=True)`` all send the same
   gpt-4o-style call (system message, ``max_tokens``, ``temperature=0.2``, ``top_p``).
   Wall clock: calls alternate one by one so machine noise hits all three alike, with a
   2 ms untimed pause after each so LiteLLM's logging threads never run inside another
   client's call. CPU: ``process_time`` (every thread of this process, so LiteLLM's
   background logging counts) over blocks of one client's calls, median of 10 blocks (fewer when tiny).
2. Compatibility: for each emulator profile (gpt-4o, o1-mini, o3-mini, o4-mini, gpt-5,
   gpt-5.1, and text-embedding-3-small with an embeddings call), whether that same call
   completes with LiteLLM and with ResilientAzureClient (cold, then warm), how many 400s
   each cost, and what LiteLLM sent. One more row, ``prod-reasoner``, is the o4-mini
   profile behind a deployment name that does not name the model, as on real Azure.

    python -m benchmarks.litellm_compare [--calls 1000] [--tiny] [--json PATH]
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path
from typing import Any

import openai

from benchmarks._common import (
    API_VERSION,
    GPT4O_MESSAGES,
    GPT4O_STYLE,
    Emulator,
    alternate,
    emulator,
    finish,
    median,
    parser,
    percentile,
    rejected_param,
)
from resilient_client import ResilientAzureClient
from resilient_client.testing import PROFILES

ALIASES = {"prod-reasoner": "o4-mini"}
EMBEDDING_INPUT = ["Say ok."]
MISSING = "litellm is not installed: pip install -e '.[bench]'"


def load_litellm() -> Any:
    """Import litellm with its model-cost map taken from the package, never from the network."""
    os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"
    import litellm

    litellm.suppress_debug_info = True
    litellm.telemetry = False
    return litellm


# After every timed call: LiteLLM leaves work to its logging threads after each call; without the pause
# that work slows whichever call comes next (another client's), by a few milliseconds.
PAUSE = 0.002


def _cpu_blocks(fns: dict[str, Callable[[], object]], calls: int, rounds: int) -> dict[str, list[float]]:
    """CPU seconds per call (this process, every thread), over blocks of one client's calls, clients alternating.

    Each block ends with a pause in which background threads finish what the calls left
    them (LiteLLM's logging workers): their CPU counts, the pause itself does not.
    """
    per_block = max(1, calls // rounds)
    cpu: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(rounds):
        for name, fn in fns.items():
            t0 = time.process_time()
            for _ in range(per_block):
                fn()
            time.sleep(0.2)
            cpu[name].append((time.process_time() - t0) / per_block)
    return cpu


def overhead(litellm: Any, azure: Emulator, cache: Path, calls: int, warmup: int) -> dict[str, float]:
    """Wall-clock medians and p99s, and CPU per call, of the three clients on gpt-4o, and their ratios."""
    options: dict[str, Any] = {"azure_endpoint": azure.endpoint, "api_key": "k", "api_version": API_VERSION}
    call: dict[str, Any] = {"model": "gpt-4o", "messages": GPT4O_MESSAGES, **GPT4O_STYLE}
    plain = openai.AzureOpenAI(**options)
    resilient = ResilientAzureClient(**options, store=cache)
    fns: dict[str, Callable[[], object]] = {
        "plain": lambda: plain.chat.completions.create(**call),
        "resilient": lambda: resilient.chat.completions.create(**call),
        "litellm": lambda: litellm.completion(
            **{**call, "model": "azure/gpt-4o"},
            api_base=azure.endpoint,
            api_key="k",
            api_version=API_VERSION,
            drop_params=True,
        ),
    }
    times = alternate(fns, calls, warmup, pause=PAUSE)
    rounds = max(1, min(10, calls // 2))
    cpu = _cpu_blocks(fns, calls, rounds)
    plain.close()
    resilient.close()
    out: dict[str, float] = {"calls": calls, "cpu_rounds": rounds, "cpu_calls_per_block": max(1, calls // rounds)}
    for name, values in times.items():
        out[f"{name}_median_us"] = median(values) * 1e6
        out[f"{name}_p99_us"] = percentile(values, 0.99) * 1e6
        out[f"{name}_cpu_us"] = median(cpu[name]) * 1e6
    for kind, suffix in (("", "median_us"), ("cpu_", "cpu_us")):
        out[f"{kind}ratio_resilient_vs_plain"] = out[f"resilient_{suffix}"] / out[f"plain_{suffix}"]
        out[f"{kind}ratio_litellm_vs_plain"] = out[f"litellm_{suffix}"] / out[f"plain_{suffix}"]
        out[f"{kind}ratio_litellm_vs_resilient"] = out[f"litellm_{suffix}"] / out[f"resilient_{suffix}"]
    out["status_400"] = azure.count("gpt-4o", status=400)
    return out


def _outcome(fn: Callable[[], object]) -> str:
    try:
        fn()
    except Exception as exc:  # noqa: BLE001 - the outcome is the figure
        name = type(exc).__name__
        message = str(exc).splitlines()[0] if str(exc) else ""
        message = message.removeprefix(f"litellm.{name}: ")
        return f"{name}: {message[:200]}"
    return "ok"


def _rejected(azure: Emulator, deployment: str) -> list[str]:
    """The parameter each 400 on ``deployment`` rejected, in order."""
    profile = PROFILES[ALIASES.get(deployment, deployment)]
    found: list[str] = []
    for body in azure.bodies(deployment):
        if body.pop("_status") == 400:
            rejected = profile.check(body)
            found.append(str(rejected_param(rejected[1])) if rejected else "?")
    return found


def _sent(body: dict[str, Any]) -> str:
    """What a request carried, briefly: its parameters (not model/messages/input) and its message roles."""
    params = sorted(k for k in body if k not in {"model", "messages", "input", "_status"})
    roles = [m.get("role") for m in body.get("messages") or [] if isinstance(m, dict)]
    text = ", ".join(params) or "-"
    return f"{text}; roles {'/'.join(map(str, roles))}" if roles else text


def compatibility(litellm: Any, azure: Emulator, cache: Path) -> list[dict[str, Any]]:
    """For each deployment: does the gpt-4o-style call complete with LiteLLM, and with ResilientAzureClient."""
    options: dict[str, Any] = {"azure_endpoint": azure.endpoint, "api_key": "k", "api_version": API_VERSION}
    resilient = ResilientAzureClient(**options, store=cache)
    route: dict[str, Any] = {"api_base": azure.endpoint, "api_key": "k", "api_version": API_VERSION}
    rows: list[dict[str, Any]] = []
    for deployment in [*PROFILES, *ALIASES]:
        profile = PROFILES[ALIASES.get(deployment, deployment)]
        if profile.embeddings:
            call = "embeddings (input)"

            def with_litellm(dep: str = deployment) -> object:
                return litellm.embedding(model=f"azure/{dep}", input=EMBEDDING_INPUT, drop_params=True, **route)

            def with_resilient(dep: str = deployment) -> object:
                return resilient.embeddings.create(model=dep, input=EMBEDDING_INPUT)

        else:
            call = "chat (system, max_tokens, temperature=0.2, top_p)"

            def with_litellm(dep: str = deployment) -> object:
                return litellm.completion(
                    model=f"azure/{dep}", messages=GPT4O_MESSAGES, drop_params=True, **GPT4O_STYLE, **route
                )

            def with_resilient(dep: str = deployment) -> object:
                return resilient.chat.completions.create(model=dep, messages=GPT4O_MESSAGES, **GPT4O_STYLE)

        row: dict[str, Any] = {"deployment": deployment, "model": profile.model, "call": call}
        azure.reset()
        row["litellm"] = _outcome(with_litellm)
        row["litellm_400s"] = azure.count(deployment, status=400)
        row["litellm_rejected"] = _rejected(azure, deployment)
        row["litellm_sent"] = [_sent(body) for body in azure.bodies(deployment)]
        azure.reset()
        row["resilient_cold"] = _outcome(with_resilient)
        row["resilient_cold_400s"] = azure.count(deployment, status=400)
        row["resilient_rejected"] = _rejected(azure, deployment)
        row["resilient_sent"] = [_sent(body) for body in azure.bodies(deployment)][-1:]
        azure.reset()
        row["resilient_warm"] = _outcome(with_resilient)
        row["resilient_warm_400s"] = azure.count(deployment, status=400)
        rows.append(row)
    resilient.close()
    return rows


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Run both comparisons, print them, and return the figures (or why they were skipped)."""
    cli = parser(__doc__)
    cli.add_argument("--calls", type=int, default=None, help="measured calls per client (default 1000; tiny 5)")
    args = cli.parse_args(argv)
    calls = args.calls if args.calls is not None else (5 if args.tiny else 1000)
    t0 = time.perf_counter()
    try:
        litellm = load_litellm()
    except ImportError as exc:
        reason = f"{MISSING} ({exc})"
        print(f"litellm comparison skipped: {reason}")
        return finish({"skipped": reason}, args.json)
    results: dict[str, Any] = {
        "litellm_version": version("litellm"),
        "litellm_import_s": time.perf_counter() - t0,
    }
    with emulator(aliases=ALIASES) as azure, tempfile.TemporaryDirectory() as tmp:
        results["overhead"] = overhead(litellm, azure, Path(tmp) / "overhead.json", calls, 1 if args.tiny else 50)
        results["compatibility"] = compatibility(litellm, azure, Path(tmp) / "compat.json")
    o = results["overhead"]
    print(f"litellm {results['litellm_version']} (import {results['litellm_import_s']:.1f} s)")
    print(f"-- per call on gpt-4o, emulator on loopback, {calls} calls each (wall median / p99, CPU; us):")
    for name in ("plain", "resilient", "litellm"):
        print(f"   {name:10} {o[f'{name}_median_us']:9.1f} / {o[f'{name}_p99_us']:9.1f}, {o[f'{name}_cpu_us']:9.1f}")
    for kind in ("", "cpu_"):
        print(
            f"   ratios ({kind or 'wall '}median): resilient/plain {o[f'{kind}ratio_resilient_vs_plain']:.3f}, "
            f"litellm/plain {o[f'{kind}ratio_litellm_vs_plain']:.2f}, "
            f"litellm/resilient {o[f'{kind}ratio_litellm_vs_resilient']:.2f}"
        )
    print("-- does a gpt-4o-style call complete? (400s it cost)")
    for row in results["compatibility"]:
        print(
            f"   {row['deployment']:24} litellm: {row['litellm'][:70]} ({row['litellm_400s']}) sent "
            f"{row['litellm_sent']} | resilient cold: {row['resilient_cold'][:40]} ({row['resilient_cold_400s']}), "
            f"warm: {row['resilient_warm'][:40]} ({row['resilient_warm_400s']})"
        )
    return finish(results, args.json)


if __name__ == "__main__":
    main()
