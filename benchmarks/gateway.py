"""The gateway's cost: ``resilient-client serve`` in front of the emulator, against calling the emulator directly.

Needs the ``gateway`` extra (``pip install -e '.[gateway]'``); without it the benchmark
reports itself skipped. The emulator and the gateway each run in a process of their own;
the clients are plain ``openai.AzureOpenAI`` (max_retries=0), which is all an app behind
the gateway has.

1. Latency: one call at a time, direct and through the gateway alternating call by call
   so machine noise hits both alike: p50 and p99, and what the gateway adds (the
   difference of the percentiles). Three rows: gpt-4o with a body it accepts (the
   gateway's own cost), o4-mini with the gpt-4o-style body the gateway rewrites with two
   learned rules, and the same o4-mini call streamed (time to the last chunk).
2. Throughput: ``--concurrency`` threads sharing one client, calls per second, direct and
   through the gateway.
3. LiteLLM's proxy (``litellm --config``, the emulator's deployments as Azure models), when a
   ``litellm`` with the proxy extra is named (``--litellm PATH`` or ``$LITELLM_BIN``; never
   guessed from PATH, where another venv's litellm may sit), with ``drop_params: true``: the
   same latency and throughput, and which emulator profiles a gpt-4o-style call completes
   through each (benchmarks only, never CI).

    python -m benchmarks.gateway [--calls 500] [--concurrency 8] [--litellm PATH] [--tiny] [--json PATH]
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx2
import openai

from benchmarks._common import (
    API_VERSION,
    GPT4O_MESSAGES,
    MESSAGES,
    ROOT,
    alternate,
    emulator,
    finish,
    parser,
    percentile,
)

READY_WAIT = 120.0
MISSING = "the gateway extra is not installed: pip install -e '.[gateway]'"
PROFILES_COMPARED = ("gpt-4o", "o1-mini", "o3-mini", "o4-mini", "gpt-5", "gpt-5.1", "prod-reasoner")
# An o4-mini behind a deployment name that does not name the model, as on real Azure.
ALIASES = {"prod-reasoner": "o4-mini"}
# The gpt-4o-style call: a system prompt, max_tokens and temperature=0.2 (o4-mini rejects both params).
STYLE: dict[str, Any] = {"max_tokens": 50, "temperature": 0.2}
O4_MINI_REPAIRED: dict[str, Any] = {"max_completion_tokens": 50}


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _wait_ready(url: str, proc: subprocess.Popen[bytes], what: str, headers: dict[str, str] | None = None) -> None:
    deadline = time.monotonic() + READY_WAIT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode}")
        with contextlib.suppress(httpx2.HTTPError):
            if httpx2.get(url, headers=headers, timeout=5).status_code == 200:
                return
        time.sleep(0.1)
    raise RuntimeError(f"{what} did not answer {url} within {READY_WAIT:.0f} s")


@contextlib.contextmanager
def _process(argv: list[str], log: Path, **options: Any) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("wb") as out:
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, **options)
    try:
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextlib.contextmanager
def gateway(upstream: str, tmp: Path) -> Iterator[str]:
    """``resilient-client serve`` in a process of its own; yields its URL."""
    port = _free_port()
    argv = [sys.executable, "-m", "resilient_client", "serve", "--upstream", upstream, "--port", str(port)]
    argv += ["--store", str(tmp / "rules.json")]
    with _process(argv, tmp / "gateway.log", cwd=ROOT) as proc:
        url = f"http://127.0.0.1:{port}"
        _wait_ready(f"{url}/healthz", proc, "the gateway")
        yield url


def _litellm_binary(given: str | None) -> str | None:
    found = given or os.environ.get("LITELLM_BIN")
    return found if found and Path(found).exists() else None


@contextlib.contextmanager
def litellm_proxy(binary: str, upstream: str, tmp: Path) -> Iterator[tuple[str, str]]:
    """LiteLLM's proxy with the emulator's deployments as Azure models; yields its URL and master key."""
    port = _free_port()
    key = f"sk-{secrets.token_hex(16)}"
    models = "".join(
        f"  - model_name: {name}\n    litellm_params:\n      model: azure/{name}\n      api_base: {upstream}\n"
        f"      api_key: k\n      api_version: {API_VERSION}\n"
        for name in PROFILES_COMPARED
    )
    config = tmp / "litellm.yaml"
    # drop_params: LiteLLM's own answer to unsupported params (litellm_compare.py passes drop_params=True too).
    config.write_text(f"model_list:\n{models}litellm_settings:\n  drop_params: true\n")
    env = {**os.environ, "LITELLM_MASTER_KEY": key, "LITELLM_LOCAL_MODEL_COST_MAP": "True"}
    argv = [binary, "--config", str(config), "--host", "127.0.0.1", "--port", str(port), "--num_workers", "1"]
    with _process(argv, tmp / "litellm.log", cwd=tmp, env=env) as proc:
        url = f"http://127.0.0.1:{port}"
        _wait_ready(f"{url}/health/liveliness", proc, "LiteLLM's proxy", {"Authorization": f"Bearer {key}"})
        yield url, key


def _figures(times: dict[str, list[float]], base: str) -> dict[str, float]:
    out: dict[str, float] = {}
    for name, values in times.items():
        out[f"{name}_p50_ms"] = statistics.median(values) * 1e3
        out[f"{name}_p99_ms"] = percentile(values, 0.99) * 1e3
    for name in times:
        if name != base:
            out[f"{name}_added_p50_ms"] = out[f"{name}_p50_ms"] - out[f"{base}_p50_ms"]
            out[f"{name}_added_p99_ms"] = out[f"{name}_p99_ms"] - out[f"{base}_p99_ms"]
    return out


def _throughput(fn: Callable[[], object], calls: int, threads: int) -> float:
    """Calls per second with ``threads`` threads making ``calls`` calls in all."""
    left = iter(range(calls))
    lock = threading.Lock()

    def worker() -> None:
        while True:
            with lock:
                if next(left, None) is None:
                    return
            fn()

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    t0 = time.perf_counter()
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return calls / (time.perf_counter() - t0)


def _azure(endpoint: str) -> openai.AzureOpenAI:
    return openai.AzureOpenAI(azure_endpoint=endpoint, api_key="k", api_version=API_VERSION, max_retries=0)


def _chat(client: openai.OpenAI, model: str, *, system: bool = False, **params: Any) -> Callable[[], object]:
    messages = GPT4O_MESSAGES if system else MESSAGES

    def call() -> object:
        return client.chat.completions.create(model=model, messages=messages, **params)

    return call


def _streamed(client: openai.OpenAI, model: str, **params: Any) -> Callable[[], object]:
    def call() -> object:
        return sum(1 for _ in client.chat.completions.create(model=model, messages=MESSAGES, stream=True, **params))

    return call


def _completes(call: Callable[[], object]) -> str:
    try:
        call()
    except openai.APIStatusError as exc:
        return f"{exc.status_code}"
    return "ok"


def _compatibility(clients: dict[str, openai.OpenAI]) -> dict[str, dict[str, str]]:
    """For each profile, whether a gpt-4o-style call (system prompt, max_tokens, temperature) completes."""
    return {
        profile: {name: _completes(_chat(client, profile, **STYLE, system=True)) for name, client in clients.items()}
        for profile in PROFILES_COMPARED
    }


def measure(calls: int, concurrency: int, litellm: str | None) -> dict[str, Any]:
    """Every figure, in one run against one emulator."""
    results: dict[str, Any] = {"calls": calls, "concurrency": concurrency}
    with (
        emulator(aliases=ALIASES) as azure,
        tempfile.TemporaryDirectory() as tmp,
        gateway(azure.endpoint, Path(tmp)) as url,
    ):
        direct, through = _azure(azure.endpoint), _azure(url)
        through.chat.completions.create(model="o4-mini", messages=MESSAGES, **STYLE)  # learn (the only cold call)
        rows = {
            "gpt4o": {
                "direct": _chat(direct, "gpt-4o", **STYLE),
                "gateway": _chat(through, "gpt-4o", **STYLE),
            },
            "o4mini_repaired": {
                "direct": _chat(direct, "o4-mini", **O4_MINI_REPAIRED),
                "gateway": _chat(through, "o4-mini", **STYLE),
            },
            "o4mini_stream": {
                "direct": _streamed(direct, "o4-mini", **O4_MINI_REPAIRED),
                "gateway": _streamed(through, "o4-mini", **STYLE),
            },
        }
        proxy = litellm_proxy(litellm, azure.endpoint, Path(tmp)) if litellm else contextlib.nullcontext()
        with proxy as found:
            clients: dict[str, openai.OpenAI] = {"direct": direct, "gateway": through}
            if found is not None:
                proxy_url, key = found
                clients["litellm_proxy"] = openai.OpenAI(base_url=f"{proxy_url}/v1", api_key=key, max_retries=0)
                rows["gpt4o"]["litellm_proxy"] = _chat(clients["litellm_proxy"], "gpt-4o", **STYLE)
                results["litellm_version"] = _version_of(litellm)
            for name, fns in rows.items():
                results[name] = _figures(alternate(fns, calls, warmup=min(20, calls)), "direct")
            results["throughput_rps"] = {
                name: _throughput(fn, calls, concurrency) for name, fn in rows["gpt4o"].items()
            }
            azure.reset()
            results["compatibility"] = _compatibility(clients)
        results["upstream_requests"] = azure.count()
    return results


def _version_of(binary: str | None) -> str:
    if binary is None:
        return "not found"
    python = Path(binary).with_name("python")
    code = "from importlib.metadata import version; print(version('litellm'))"
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        done = subprocess.run([str(python), "-c", code], capture_output=True, text=True, timeout=60, check=True)
        return done.stdout.strip()
    return "unknown"


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Measure, print and return the figures (or why they were skipped)."""
    cli = parser(__doc__)
    cli.add_argument("--calls", type=int, default=None, help="measured calls per side (default 500; tiny 10)")
    cli.add_argument("--concurrency", type=int, default=None, help="threads for throughput (default 8; tiny 2)")
    cli.add_argument("--litellm", help="the litellm executable of an install with the proxy extra")
    args = cli.parse_args(argv)
    if importlib.util.find_spec("starlette") is None or importlib.util.find_spec("uvicorn") is None:
        print(f"gateway benchmark skipped: {MISSING}")
        return finish({"skipped": MISSING}, args.json)
    calls = args.calls if args.calls is not None else (10 if args.tiny else 500)
    concurrency = args.concurrency if args.concurrency is not None else (2 if args.tiny else 8)
    litellm = _litellm_binary(args.litellm)
    results = measure(calls, concurrency, litellm)
    print(f"openai {openai.__version__}, python {sys.version.split()[0]}, {calls} calls per side")
    for name in ("gpt4o", "o4mini_repaired", "o4mini_stream"):
        print(f"-- {name}")
        for key, value in results[name].items():
            print(f"   {key}: {value:.2f}")
    print(
        f"-- throughput (calls/s, {concurrency} threads): "
        + ", ".join(f"{k} {v:.0f}" for k, v in results["throughput_rps"].items())
    )
    print(
        "-- a gpt-4o-style call, by profile: "
        + "; ".join(
            f"{p}: " + ", ".join(f"{k} {v}" for k, v in row.items()) for p, row in results["compatibility"].items()
        )
    )
    if litellm is None:
        print("   (LiteLLM's proxy not measured: no litellm with the proxy extra found; see --litellm)")
    return finish(results, args.json)


if __name__ == "__main__":
    main()
