"""Redis topologies the store tests run on besides a plain server: a 3-master cluster and a TLS server.

Nothing here imports pytest. Each server is a :class:`~tests.stores.helpers.RedisServer` (the
foreground of a process of ours, on a loopback port that was free when it was picked), waited for
until it answers, with generous deadlines: the tests must pass on a busy machine.
"""

from __future__ import annotations

import contextlib
import ssl
import subprocess
import time
from pathlib import Path
from typing import Final
from urllib.parse import quote

from tests.stores.helpers import RedisServer

READY_TIMEOUT: Final = 60.0
"""Seconds a server, or the cluster, may take to be ready: far more than it needs on an idle machine."""


class Cluster:
    """A Redis Cluster of ``masters`` nodes on loopback, no replicas, created with ``redis-cli --cluster create``.

    Args:
        binary: The ``redis-server`` executable.
        cli: The ``redis-cli`` executable.
        directory: Where the nodes keep their logs and cluster config files.
        masters: How many master nodes (at least 3: ``redis-cli`` refuses fewer).
    """

    def __init__(self, binary: str, cli: str, directory: Path, masters: int = 3) -> None:
        self.cli = cli
        options = ("--cluster-enabled", "yes", "--cluster-config-file", "nodes-{port}.conf", "--cluster-port", "{bus}")
        self.nodes = [RedisServer(binary, directory, options) for _ in range(masters)]

    def __repr__(self) -> str:
        return f"Cluster({self.addresses})"

    @property
    def addresses(self) -> str:
        """``127.0.0.1:P1,127.0.0.1:P2,…``, the form ``$RESILIENT_TEST_REDIS_CLUSTER`` takes."""
        return ",".join(f"127.0.0.1:{node.port}" for node in self.nodes)

    @property
    def url(self) -> str:
        """The ``redis+cluster://`` URL naming every node."""
        return f"redis+cluster://{self.addresses}"

    def start(self, timeout: float = READY_TIMEOUT) -> None:
        """Start every node, join them into one cluster, and wait until every node says ``cluster_state:ok``."""
        try:
            for node in self.nodes:
                node.start(timeout)
            self._create(timeout)
            self._wait_ok(timeout)
        except BaseException:
            self.stop()
            raise

    def _create(self, timeout: float) -> None:
        nodes = [f"127.0.0.1:{node.port}" for node in self.nodes]
        created = subprocess.run(
            [self.cli, "--cluster", "create", *nodes, "--cluster-replicas", "0", "--cluster-yes"],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if created.returncode != 0:
            raise RuntimeError(f"redis-cli --cluster create failed:\n{created.stdout}\n{created.stderr}")

    def _wait_ok(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not all(self._state_ok(node) for node in self.nodes):
            if time.monotonic() > deadline:
                logs = "\n".join(n.log.read_text(errors="replace")[-1000:] for n in self.nodes if n.log.exists())
                raise RuntimeError(f"the cluster {self.addresses} did not reach cluster_state:ok:\n{logs}")
            time.sleep(0.1)

    def _state_ok(self, node: RedisServer) -> bool:
        info = subprocess.run(
            [self.cli, "-h", "127.0.0.1", "-p", str(node.port), "cluster", "info"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        return "cluster_state:ok" in info.stdout

    def stop(self) -> None:
        """Stop every node."""
        for node in self.nodes:
            node.stop()


def make_certificate(openssl: str, directory: Path) -> tuple[Path, Path]:
    """A self-signed certificate for ``127.0.0.1`` (its own CA) and its key: ``(cert.pem, key.pem)``."""
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        [
            openssl,
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ],
        capture_output=True,
        check=True,
        timeout=120,
    )
    return cert, key


class TLSServer:
    """A ``redis-server`` that listens on TLS only, with a self-signed certificate; clients need no certificate.

    Args:
        binary: The ``redis-server`` executable.
        directory: Its working directory.
        cert: The server's certificate, which is also the CA clients check it against.
        key: The certificate's private key.
    """

    def __init__(self, binary: str, directory: Path, cert: Path, key: Path) -> None:
        self.cert = cert
        context = ssl.create_default_context(cafile=str(cert))
        options = ("--tls-cert-file", str(cert), "--tls-key-file", str(key), "--tls-ca-cert-file", str(cert))
        self.node = RedisServer(binary, directory, (*options, "--tls-auth-clients", "no"), tls=context)

    def __repr__(self) -> str:
        return f"TLSServer(port={self.node.port})"

    @property
    def url(self) -> str:
        """The ``rediss://`` URL of database 0, checking the server's certificate against ``cert``."""
        return f"rediss://127.0.0.1:{self.node.port}/0?ssl_ca_certs={quote(str(self.cert))}"

    def start(self) -> None:
        """Start the server and wait until it answers over TLS."""
        self.node.start(READY_TIMEOUT)

    def stop(self) -> None:
        """Stop the server."""
        with contextlib.suppress(OSError):
            self.node.stop()
