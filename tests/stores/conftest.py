"""Fixtures of the store tests: a private redis-server, key prefixes, pristine structlog."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import structlog

from tests.stores.helpers import RedisServer


@pytest.fixture(autouse=True)
def isolated(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No test touches the user's cache, and each starts and ends with structlog unconfigured."""
    monkeypatch.setenv("RESILIENT_CLIENT_CACHE", str(tmp_path_factory.mktemp("default-cache") / "rules.json"))
    structlog.reset_defaults()
    yield
    structlog.reset_defaults()


@pytest.fixture
def private_redis(redis_binary: str, tmp_path: Path) -> Iterator[RedisServer]:
    """A redis-server for this test alone, which it may stop and restart on the same port."""
    directory = tmp_path / "redis"
    directory.mkdir()
    server = RedisServer(redis_binary, directory)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def redis_prefix() -> str:
    """A key prefix no other test uses."""
    return f"test-{uuid.uuid4().hex}:"
