"""``resilient-client serve`` as a real process for the tests: started on a free port, awaited, stopped."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx2

READY_WAIT = 120.0  # seconds a gateway process may take to answer /healthz (a busy 2-core machine)
STOP_WAIT = 120.0
STOPPED = (0, -signal.SIGTERM)
"""How a gateway stopped by SIGTERM exits: uvicorn finishes, then re-raises the signal it caught."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class GatewayProcess:
    """A ``resilient-client serve`` process; everything it may write is under ``home``."""

    url: str
    home: Path
    proc: subprocess.Popen[bytes]

    def log(self) -> str:
        return "".join((self.home / name).read_text(errors="replace") for name in ("gateway.out", "gateway.err"))

    def terminate(self) -> None:
        """SIGTERM: the gateway stops accepting and lets open requests finish."""
        self.proc.send_signal(signal.SIGTERM)

    def wait(self) -> int:
        try:
            return self.proc.wait(timeout=STOP_WAIT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise

    def stop(self) -> int:
        if self.proc.poll() is not None:
            return self.proc.returncode
        self.terminate()
        return self.wait()

    def listening(self) -> bool:
        port = int(self.url.rsplit(":", 1)[1])
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=5):
            return True
        return False


def start_gateway(home: Path, *args: str) -> GatewayProcess:
    """``python -m resilient_client serve ARGS`` on a free loopback port, its cache, HOME and logs under ``home``."""
    home.mkdir(parents=True, exist_ok=True)
    (home / "tmp").mkdir(exist_ok=True)
    port = free_port()
    env = {
        **os.environ,
        "HOME": str(home),
        "XDG_CACHE_HOME": str(home / "cache"),
        "TMPDIR": str(home / "tmp"),
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("RESILIENT_CLIENT_CACHE", None)
    argv = [sys.executable, "-m", "resilient_client", "serve", *args, "--port", str(port)]
    if "--store" not in args:
        argv += ["--store", str(home / "rules.json")]
    with (home / "gateway.out").open("wb") as out, (home / "gateway.err").open("wb") as err:
        proc = subprocess.Popen(argv, cwd=home, env=env, stdout=out, stderr=err)
    gateway = GatewayProcess(f"http://127.0.0.1:{port}", home, proc)
    deadline = time.monotonic() + READY_WAIT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the gateway exited with {proc.returncode}:\n{gateway.log()}")
        with contextlib.suppress(httpx2.HTTPError):
            if httpx2.get(f"{gateway.url}/healthz", timeout=5).status_code == 200:
                return gateway
        time.sleep(0.1)
    gateway.stop()
    raise RuntimeError(f"the gateway did not answer /healthz within {READY_WAIT:.0f} s:\n{gateway.log()}")


@contextlib.contextmanager
def running_gateway(home: Path, *args: str) -> Iterator[GatewayProcess]:
    gateway = start_gateway(home, *args)
    try:
        yield gateway
    finally:
        gateway.stop()
