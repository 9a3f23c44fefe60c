"""Warm-path cost of ResilientAzureClient against plain AzureOpenAI, measured in the same run.

Three figures:

1. core: microseconds of the pure decision work per warm call (look up the rules,
   apply three learned fixes to a body).
2. shell overhead: both clients send the same body to an in-memory transport (no
   network at all), the worst case for the ratio.
3. emulator: the emulator runs in its own process (zero latency) so the server does
   not share the client's GIL; plain AzureOpenAI sends the already-correct body, the
   resilient client sends the body written for gpt-4o and rewrites it with three
   learned rules (rename max_tokens, drop temperature, drop top_p).

Calls alternate one by one so machine noise hits both sides alike.

    python -m benchmarks.warm_path [--calls 3000] [--tiny] [--json PATH]
"""

from __future__ import annotations

import functools
import statistics
import sys
import tempfile
import timeit
from pathlib import Path
from typing import Any

import openai

from benchmarks._common import (
    API_VERSION,
    GPT4O_STYLE,
    MESSAGES,
    alternate,
    emulator,
    finish,
    in_memory,
    parser,
    percentile,
)
from resilient_client import MemoryStore, ResilientAzureClient
from resilient_client._attempts import Call, evidence_of
from resilient_client._core import merge
from resilient_client._models import DeploymentKey, LearnedRule, RepairPolicy
from resilient_client._reading import read

REJECTIONS = (
    "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.",
    "Unsupported value: 'temperature' does not support 0.2 with this model. Only the default (1) value is supported.",
    "Unsupported parameter: 'top_p' is not supported with this model.",
)


def core_us_per_call(n: int = 20000) -> float:
    """Microseconds for one warm call's decision work: rules looked up and applied to a body."""
    store = MemoryStore()
    key = DeploymentKey("contoso.openai.azure.com", "o4-mini", API_VERSION, "chat/completions")
    body = {"model": "o4-mini", "messages": MESSAGES, **GPT4O_STYLE}
    policy = RepairPolicy()
    current = dict(body)
    for message in REJECTIONS:
        reading = read(400, {"error": {"message": message}}, current)
        if len(reading.fixes) != 1:
            raise AssertionError(message)
        rule = LearnedRule(reading.fixes[0], evidence_of(reading, 0.0))
        mapping = store.update(key, functools.partial(merge, rule=rule))
        current = Call(key, body, mapping, policy=policy, max_repairs=4, learn=True).body

    def one() -> None:
        Call(key, body, store.get(key), policy=policy, max_repairs=4, learn=True)

    return min(timeit.repeat(one, number=n, repeat=5)) / n * 1e6


def _summary(times: dict[str, list[float]]) -> dict[str, float]:
    out: dict[str, float] = {}
    for name, values in times.items():
        out[f"{name}_median_us"] = statistics.median(values) * 1e6
        out[f"{name}_p99_us"] = percentile(values, 0.99) * 1e6
    out["ratio_median"] = out["resilient_median_us"] / out["plain_median_us"]
    out["ratio_p99"] = out["resilient_p99_us"] / out["plain_p99_us"]
    return out


def shell_overhead(calls: int) -> dict[str, float]:
    """Both clients, same body, in-memory transport."""
    plain = openai.AzureOpenAI(**in_memory())
    resilient = ResilientAzureClient(**in_memory(), store=MemoryStore())
    times = alternate(
        {
            "plain": lambda: plain.chat.completions.create(
                model="o4-mini", messages=MESSAGES, max_completion_tokens=50
            ),
            "resilient": lambda: resilient.chat.completions.create(
                model="o4-mini", messages=MESSAGES, max_completion_tokens=50
            ),
        },
        calls,
        warmup=min(100, calls),
    )
    return _summary(times)


def emulator_ratio(calls: int) -> dict[str, float]:
    """Plain with the correct body vs resilient rewriting with learned rules, emulator in a subprocess."""
    with emulator() as azure:
        endpoint = azure.endpoint
        with tempfile.TemporaryDirectory() as tmp:
            resilient = ResilientAzureClient(
                azure_endpoint=endpoint, api_key="k", api_version=API_VERSION, store=Path(tmp) / "rules.json"
            )
            plain = openai.AzureOpenAI(azure_endpoint=endpoint, api_key="k", api_version=API_VERSION)
            resilient.chat.completions.create(model="o4-mini", messages=MESSAGES, **GPT4O_STYLE)  # learn (cold)
            times = alternate(
                {
                    "plain": lambda: plain.chat.completions.create(
                        model="o4-mini", messages=MESSAGES, max_completion_tokens=50
                    ),
                    "resilient": lambda: resilient.chat.completions.create(
                        model="o4-mini", messages=MESSAGES, **GPT4O_STYLE
                    ),
                },
                calls,
                warmup=min(100, calls),
            )
            resilient.close()
            plain.close()
    return _summary(times)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Run the three measurements, print them, and return them."""
    cli = parser(__doc__)
    cli.add_argument("--calls", type=int, default=None, help="measured calls per client (default 3000; tiny 30)")
    args = cli.parse_args(argv)
    calls = args.calls if args.calls is not None else (30 if args.tiny else 3000)
    print(f"openai {openai.__version__}, python {sys.version.split()[0]}")
    results: dict[str, Any] = {"calls": calls, "core_us_per_call": core_us_per_call(2000 if args.tiny else 20000)}
    print(f"core (3 learned rules applied): {results['core_us_per_call']:.2f} us/call")
    for name, title, fn in (
        ("shell", "same body, in-memory transport (no network)", shell_overhead),
        ("emulator", "emulator on loopback; plain sends the correct body, resilient rewrites", emulator_ratio),
    ):
        results[name] = result = fn(calls)
        print(f"-- {title}")
        for k, v in result.items():
            print(f"   {k}: {v:.3f}" if k.startswith("ratio") else f"   {k}: {v:.1f}")
    return finish(results, args.json)


if __name__ == "__main__":
    main()
