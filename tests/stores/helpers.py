"""Helpers shared by the store tests: keys and rules, a client call on the emulator, a redis-server process.

Nothing here imports pytest: :mod:`children` runs this code in processes of its own.
"""

from __future__ import annotations

import contextlib
import os
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Final

from resilient_client import ResilientAzureClient
from resilient_client._core import merge
from resilient_client._models import DeploymentKey, DeploymentMapping, Drop, Evidence, LearnedRule
from resilient_client.stores import Change, Store
from resilient_client.testing import AzureEmulator

ROOT: Final = Path(__file__).resolve().parents[2]
API_VERSION: Final = "2025-04-01-preview"
HOST: Final = "myres.openai.azure.com"
KEY: Final = DeploymentKey(HOST, "o4-mini", API_VERSION, "chat/completions")
OTHER_KEY: Final = DeploymentKey(HOST, "gpt-5", API_VERSION, "chat/completions")


def key(n: int) -> DeploymentKey:
    """The ``n``-th of a family of deployment keys."""
    return DeploymentKey(HOST, f"dep-{n}", API_VERSION, "chat/completions")


def rule(param: str) -> LearnedRule:
    """A rule dropping ``param``, with the evidence a 400 would give."""
    now = time.time()
    message = f"Unsupported parameter: '{param}' is not supported with this model."
    return LearnedRule(Drop(param), Evidence(400, "unsupported_parameter", message, now, now))


def learn(param: str) -> Change:
    """The change a client makes when it learns to drop ``param``."""
    learned = rule(param)

    def change(mapping: DeploymentMapping) -> DeploymentMapping:
        return merge(mapping, learned)

    return change


def params(mapping: DeploymentMapping | None) -> set[str]:
    """The params a mapping's rules touch (``set()`` for no mapping)."""
    return set() if mapping is None else {fix.param for fix in mapping.fixes}


def all_params(rules: Mapping[DeploymentKey, DeploymentMapping]) -> set[str]:
    """The params every key's rules touch."""
    return {param for mapping in rules.values() for param in params(mapping)}


def ask(azure: AzureEmulator, store: Store, *, temperature: float | None = None) -> str:
    """One o4-mini chat completion with ``max_tokens=5`` through a resilient client; the answer's text."""
    with ResilientAzureClient(
        azure_endpoint=azure.endpoint, api_key="k", api_version=API_VERSION, store=store, max_retries=0
    ) as client:
        messages: list[Any] = [{"role": "user", "content": "hi"}]
        if temperature is None:
            reply = client.chat.completions.create(model="o4-mini", messages=messages, max_tokens=5)
        else:
            reply = client.chat.completions.create(
                model="o4-mini", messages=messages, max_tokens=5, temperature=temperature
            )
    return reply.choices[0].message.content or ""


def problems(events: Iterable[Mapping[str, Any]]) -> list[str]:
    """The ``problem`` of each ``store_error`` warning among captured structlog events, in order."""
    return [e["problem"] for e in events if e["event"] == "store_error" and e["log_level"] == "warning"]


def free_port() -> int:
    """A loopback TCP port nothing listens on (now)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def child_command(*args: str) -> list[str]:
    """The command line running ``children.main(args)`` in a fresh interpreter."""
    return [sys.executable, "-c", "from tests.stores.children import main; main()", *args]


def child_env() -> dict[str, str]:
    """The environment of a child interpreter: this one's, with the repository importable."""
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
    return {**os.environ, "PYTHONPATH": path}


def run_child(*args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """Run ``children.main(args)`` in a fresh interpreter from the repository root, to completion, output captured."""
    return subprocess.run(
        child_command(*args), capture_output=True, text=True, timeout=timeout, check=False, cwd=ROOT, env=child_env()
    )


class _PortTakenError(RuntimeError):
    """Another process bound the port between ``free_port()`` and the server's start."""


class RedisServer:
    """A ``redis-server`` on a loopback port, without persistence, that a test may stop and restart.

    Args:
        binary: The ``redis-server`` executable.
        directory: Its working directory (its log file, and a cluster node's config file, go there).
        options: More ``redis-server`` options; ``{port}`` in them is replaced by the port, ``{bus}`` by
            another free port (a cluster node's bus port: the default, port + 10000, may be taken or too high).
        tls: A client context to wait for a TLS port with; the port is then the TLS port, and the only one.
    """

    def __init__(
        self, binary: str, directory: Path, options: tuple[str, ...] = (), tls: ssl.SSLContext | None = None
    ) -> None:
        self.binary = binary
        self.directory = directory
        self.options = options
        self.tls = tls
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.started = False

    def __repr__(self) -> str:
        return f"RedisServer(port={self.port})"

    @property
    def url(self) -> str:
        """The ``redis://`` URL of database 0."""
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def log(self) -> Path:
        """The server's log file."""
        return self.directory / f"redis-{self.port}.log"

    def start(self, timeout: float = 15.0) -> None:
        """Start the server on ``self.port`` and wait until it answers ``PING``.

        The port was free when it was picked, but another process may bind it first. On
        the first start, before anyone has the URL, another free port is tried then (three
        times in all); a restart keeps its port, since clients hold the URL.
        """
        retries = 0 if self.started else 2
        while not self._start_once(timeout, last=retries == 0):
            retries -= 1
            self.port = free_port()
        self.started = True

    def _start_once(self, timeout: float, *, last: bool) -> bool:
        """Start once; False when the port was taken and another may be tried (``last`` is False)."""
        try:
            self._launch(timeout)
        except _PortTakenError:
            if last:
                raise
            return False
        return True

    def _launch(self, timeout: float) -> None:
        with contextlib.suppress(OSError):
            self.log.unlink()
        port, bus = str(self.port), str(free_port())
        listen = ["--port", "0", "--tls-port", port] if self.tls else ["--port", port]
        command = [
            self.binary,
            *listen,
            *("--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no"),
            *("--dir", str(self.directory), "--logfile", str(self.log)),
            *(option.replace("{port}", port).replace("{bus}", bus) for option in self.options),
        ]
        self.process = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + timeout
        while not self.answers():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                tail = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else "(no log)"
                error = _PortTakenError if "Address already in use" in tail else RuntimeError
                raise error(f"redis-server did not start on port {self.port}:\n{tail}")
            time.sleep(0.01)

    def answers(self) -> bool:
        """Whether something on the port answers ``PING`` with ``PONG`` (over TLS for a TLS server)."""
        try:
            with contextlib.ExitStack() as stack:
                sock = stack.enter_context(socket.create_connection(("127.0.0.1", self.port), timeout=2.0))
                if self.tls is not None:
                    sock = stack.enter_context(self.tls.wrap_socket(sock, server_hostname="127.0.0.1"))
                sock.sendall(b"PING\r\n")
                return sock.recv(64).startswith(b"+PONG")
        except OSError:  # ssl.SSLError is an OSError
            return False

    def stop(self) -> None:
        """Terminate the server (SIGTERM, then SIGKILL after 10 s) and wait for it."""
        process, self.process = self.process, None
        if process is None:
            return
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        with contextlib.suppress(OSError):
            (self.directory / "dump.rdb").unlink()
