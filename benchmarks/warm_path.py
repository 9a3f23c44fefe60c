"""Warm-path cost: ResilientAzureClient with learned rules vs plain AzureOpenAI, same run.

The emulator runs in its own process (zero latency) so the server does not share
the client's GIL. Plain AzureOpenAI sends the already-correct body; the resilient
client sends the body written for gpt-4o and rewrites it with three learned rules
(rename max_tokens, drop temperature, drop top_p). Calls alternate in blocks so
drift hits both sides alike. Also reports the pure core's cost per call.

    python benchmarks/warm_path.py [--calls 3000]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
import timeit
from pathlib import Path

import openai

from resilient_client import MemoryStore, ResilientAzureClient
from resilient_client._attempts import Call
from resilient_client._models import DeploymentKey, RepairPolicy

API_VERSION = "2025-04-01-preview"
MESSAGES = [{"role": "user", "content": "Say ok."}]


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def core_us_per_call(n: int = 20000) -> float:
    """Microseconds for one warm call's decision work: key lookup result applied to a body."""
    store = MemoryStore()
    client = ResilientAzureClient(
        azure_endpoint="http://127.0.0.1:9", api_key="k", api_version=API_VERSION, store=store
    )
    key = DeploymentKey("127.0.0.1:9", "o4-mini", API_VERSION, "chat/completions")
    from resilient_client._core import evidence_for, parse_rejection, resolve
    from resilient_client._models import LearnedRule

    body = {"model": "o4-mini", "messages": MESSAGES, "max_tokens": 50, "temperature": 0.2, "top_p": 0.9}
    current = dict(body)
    for error in (
        "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.",
        (
            "Unsupported value: 'temperature' does not support 0.2 with this model. "
            "Only the default (1) value is supported."
        ),
        "Unsupported parameter: 'top_p' is not supported with this model.",
    ):
        rejection = parse_rejection(400, {"error": {"message": error}})
        assert rejection is not None
        fix = resolve(rejection, current)
        assert fix is not None
        mapping = store.merge(key, LearnedRule(fix, evidence_for(rejection, 0.0)))
        current = Call(key, body, mapping, policy=RepairPolicy(), max_repairs=4, learn=True).body
    policy = RepairPolicy()

    def one() -> None:
        Call(key, body, store.get(key), policy=policy, max_repairs=4, learn=True)

    seconds = min(timeit.repeat(one, number=n, repeat=5)) / n
    client.close()
    return seconds * 1e6


def client_ratio(calls: int) -> dict[str, float]:
    """Median and p99 per call for both clients against the emulator in a subprocess."""
    server = subprocess.Popen([sys.executable, "-m", "resilient_client.testing"], stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        endpoint = server.stdout.readline().strip()
        with tempfile.TemporaryDirectory() as tmp:
            resilient = ResilientAzureClient(
                azure_endpoint=endpoint, api_key="k", api_version=API_VERSION, store=Path(tmp) / "rules.json"
            )
            plain = openai.AzureOpenAI(azure_endpoint=endpoint, api_key="k", api_version=API_VERSION)
            # Learn the rules once (cold), then measure warm calls only.
            resilient.chat.completions.create(
                model="o4-mini", messages=MESSAGES, max_tokens=50, temperature=0.2, top_p=0.9
            )

            def call_resilient() -> None:
                resilient.chat.completions.create(
                    model="o4-mini", messages=MESSAGES, max_tokens=50, temperature=0.2, top_p=0.9
                )

            def call_plain() -> None:
                plain.chat.completions.create(model="o4-mini", messages=MESSAGES, max_completion_tokens=50)

            times: dict[str, list[float]] = {"plain": [], "resilient": []}
            for _ in range(50):
                call_plain()
                call_resilient()
            block = 50
            for _ in range(calls // block):
                for name, fn in (("plain", call_plain), ("resilient", call_resilient)):
                    for _ in range(block):
                        t0 = time.perf_counter()
                        fn()
                        times[name].append(time.perf_counter() - t0)
            resilient.close()
            plain.close()
    finally:
        server.terminate()
        server.wait()
    out: dict[str, float] = {}
    for name, values in times.items():
        out[f"{name}_median_us"] = statistics.median(values) * 1e6
        out[f"{name}_p99_us"] = _pct(values, 0.99) * 1e6
    out["ratio_median"] = out["resilient_median_us"] / out["plain_median_us"]
    out["ratio_p99"] = out["resilient_p99_us"] / out["plain_p99_us"]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=3000, help="measured calls per client")
    args = parser.parse_args()
    print(f"openai {openai.__version__}, python {sys.version.split()[0]}")
    print(f"core (3 learned rules applied): {core_us_per_call():.2f} us/call")
    result = client_ratio(args.calls)
    for k, v in result.items():
        print(f"{k}: {v:.3f}" if k.startswith("ratio") else f"{k}: {v:.1f}")


if __name__ == "__main__":
    main()
