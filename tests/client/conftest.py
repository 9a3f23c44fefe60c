from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from resilient_client import JSONFileStore, MemoryStore, Store
from tests.stores.helpers import RedisServer


@pytest.fixture(autouse=True)
def cache_env(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point $RESILIENT_CLIENT_CACHE at a fresh temporary file so no test touches the user's cache."""
    path = tmp_path_factory.mktemp("default-cache") / "rules.json"
    monkeypatch.setenv("RESILIENT_CLIENT_CACHE", str(path))
    return path


# --- shared stores (single-flight and lifecycle tests) ---------------------------------------------------------------


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    """The session's Redis (tests/conftest.py), emptied."""
    import redis

    client = redis.Redis.from_url(redis_server.url)
    try:
        client.flushall()
    finally:
        client.close()
    return redis_server.url


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
