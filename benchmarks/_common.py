"""What the benchmarks share: the emulator in a subprocess, a throwaway Redis, the command line, JSON output."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import httpx2

ROOT = Path(__file__).resolve().parent.parent
API_VERSION = "2025-04-01-preview"
MESSAGES: Any = [{"role": "user", "content": "Say ok."}]
# What a typical call written for gpt-4o carries: a system prompt and three sampling/length parameters.
GPT4O_MESSAGES: Any = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Say ok."}]
GPT4O_STYLE: dict[str, Any] = {"max_tokens": 50, "temperature": 0.2, "top_p": 0.9}
# The parameters of GPT4O_STYLE that o4-mini rejects, one 400 each on a cold deployment.
O4_MINI_OFFENDING = ("max_tokens", "temperature", "top_p")


# What the in-memory transport answers to every request: a chat completion.
COMPLETION = json.dumps(
    {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 1,
        "model": "o4-mini-2025-04-16",
        "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": "ok"}}],
    }
).encode()


def in_memory() -> dict[str, Any]:
    """Azure client arguments whose HTTP client (a new one each time) answers :data:`COMPLETION`, without a socket."""

    def answer(request: httpx2.Request) -> httpx2.Response:
        del request
        return httpx2.Response(200, content=COMPLETION, headers={"content-type": "application/json"})

    return {
        "azure_endpoint": "https://contoso.openai.azure.com",
        "api_key": "k",
        "api_version": API_VERSION,
        "http_client": httpx2.Client(transport=httpx2.MockTransport(answer)),
    }


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q`` quantile (0..1) of ``values``, nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def alternate(
    fns: Mapping[str, Callable[[], object]], calls: int, warmup: int, pause: float = 0.0
) -> dict[str, list[float]]:
    """Wall-clock seconds per call of each function, the functions taking turns call by call.

    ``warmup`` untimed rounds come first; ``pause`` seconds of untimed sleep follow every timed call
    (for a client that leaves work to background threads, which would otherwise slow the next call).
    """
    for _ in range(warmup):
        for fn in fns.values():
            fn()
    times: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(calls):
        for name, fn in fns.items():
            t0 = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t0)
            if pause:
                time.sleep(pause)
    return times


def median(values: Sequence[float]) -> float:
    """The median of ``values``."""
    return statistics.median(values)


class Emulator:
    """An AzureEmulator running in its own process (``python -m benchmarks._emulator``), and how to ask it what it saw.

    Its own process keeps the server's threads off the clients' GIL, as a real Azure would be.
    """

    def __init__(self, latency: float = 0.0, aliases: Mapping[str, str] | None = None) -> None:
        argv = [sys.executable, "-m", "benchmarks._emulator", "--latency", str(latency)]
        for name, profile in (aliases or {}).items():
            argv += ["--alias", f"{name}={profile}"]
        self._proc = subprocess.Popen(
            argv, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1
        )
        self.endpoint = self._readline()

    def _readline(self) -> str:
        assert self._proc.stdout is not None
        line = self._proc.stdout.readline()
        if not line:
            raise RuntimeError(f"the emulator process exited (code {self._proc.poll()})")
        return line.strip()

    def _ask(self, **command: Any) -> Any:
        assert self._proc.stdin is not None
        self._proc.stdin.write(json.dumps(command) + "\n")
        self._proc.stdin.flush()
        return json.loads(self._readline())

    def count(self, deployment: str | None = None, *, status: int | None = None) -> int:
        """How many requests a deployment (or all) saw, optionally only those answered with ``status``."""
        found: int = self._ask(op="count", deployment=deployment, status=status)
        return found

    def bodies(self, deployment: str | None = None) -> list[dict[str, Any]]:
        """The bodies received, oldest first, with the status each was answered with (``_status``)."""
        found: list[dict[str, Any]] = self._ask(op="bodies", deployment=deployment)
        return found

    def reset(self) -> None:
        """Forget the requests seen so far."""
        self._ask(op="reset")

    def close(self) -> None:
        """Stop the emulator process."""
        if self._proc.stdin is not None:
            with contextlib.suppress(OSError):
                self._proc.stdin.close()
        try:
            self._proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        if self._proc.stdout is not None:
            self._proc.stdout.close()


@contextlib.contextmanager
def emulator(latency: float = 0.0, aliases: Mapping[str, str] | None = None) -> Iterator[Emulator]:
    """An :class:`Emulator` for the duration of the ``with`` block."""
    handle = Emulator(latency, aliases)
    try:
        yield handle
    finally:
        handle.close()


@contextlib.contextmanager
def redis_url() -> Iterator[str]:
    """``$RESILIENT_TEST_REDIS_URL``, or a redis-server started on a free loopback port for the block."""
    env = os.environ.get("RESILIENT_TEST_REDIS_URL")
    if env:
        yield env
        return
    binary = shutil.which("redis-server") or (
        "/usr/bin/redis-server" if Path("/usr/bin/redis-server").exists() else None
    )
    if binary is None:
        raise SystemExit("redis-server not found: install it or set RESILIENT_TEST_REDIS_URL")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    try:
        for _ in range(200):
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.1):
                break
            time.sleep(0.05)
        else:
            raise RuntimeError(f"redis-server did not start on port {port}")
        yield f"redis://127.0.0.1:{port}/15"
    finally:
        server.terminate()
        server.wait()


def parser(doc: str | None) -> argparse.ArgumentParser:
    """A benchmark's command line: its own options, plus ``--tiny`` and ``--json``."""
    cli = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    cli.add_argument("--tiny", action="store_true", help="a tiny run (smoke tests): few calls, 2 processes")
    cli.add_argument("--json", type=Path, metavar="PATH", help="also write the figures to PATH as JSON")
    return cli


def finish(results: dict[str, Any], path: Path | None) -> dict[str, Any]:
    """Write ``results`` to ``path`` as JSON when asked; return them."""
    if path is not None:
        path.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    return results


def rejected_param(body: object) -> object:
    """The ``param`` of an Azure profile's rejection body."""
    assert isinstance(body, dict)
    error = body["error"]
    assert isinstance(error, dict)
    return error["param"]
