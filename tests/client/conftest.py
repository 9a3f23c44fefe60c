from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from resilient_client import JSONFileStore, MemoryStore, Store


@pytest.fixture(autouse=True)
def cache_env(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point $RESILIENT_CLIENT_CACHE at a fresh temporary file so no test touches the user's cache."""
    path = tmp_path_factory.mktemp("default-cache") / "rules.json"
    monkeypatch.setenv("RESILIENT_CLIENT_CACHE", str(path))
    return path


# --- shared stores (single-flight and lifecycle tests) ---------------------------------------------------------------


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _pings(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A redis-server of our own on a free loopback port (its URL); skipped without the binary, except in CI."""
    binary = shutil.which("redis-server")
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("redis-server is not installed; CI must run the Redis tests")
        pytest.skip("redis-server is not installed")
    port = _free_port()
    workdir = tmp_path_factory.mktemp("redis")
    args = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    server = subprocess.Popen([*args, "--dir", str(workdir)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while not _pings(port):
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"redis-server did not start on port {port} (exit status {server.poll()})")
            time.sleep(0.02)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture
def redis_url(redis_server: str) -> str:
    """The session's Redis, emptied."""
    import redis

    client = redis.Redis.from_url(redis_server)
    try:
        client.flushall()
    finally:
        client.close()
    return redis_server


StoreOpener = Callable[..., Store]


@pytest.fixture(params=["memory", "json", "redis"])
def open_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StoreOpener]:
    """Opens views of one shared store: each call is another process's view (a MemoryStore has only one).

    Keyword arguments go to the store's constructor (``check_interval``…).
    """
    kind: str = request.param
    opened: list[Store] = []
    memory = MemoryStore()
    # The directory exists, as it does once anything was written: a JSONFileStore cannot hold
    # leases before that (see test_single_flight.py::test_leases_work_before_the_cache_directory_exists).
    (tmp_path / "shared").mkdir()
    url: str = request.getfixturevalue("redis_url") if kind == "redis" else ""

    def open_one(**options: Any) -> Store:
        store: Store
        if kind == "memory":
            return memory
        if kind == "json":
            store = JSONFileStore(tmp_path / "shared" / "rules.json", **options)
        else:
            from resilient_client.stores.redis import RedisStore

            store = RedisStore.from_url(url, **options)
        opened.append(store)
        return store

    yield open_one
    for store in opened:
        store.close()
