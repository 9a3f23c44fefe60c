"""Fixtures of the store tests: a loopback Azure emulator, our own redis-server, pristine structlog."""

from __future__ import annotations

import importlib.util
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

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


def _missing(what: str) -> NoReturn:
    """Skip the test for lack of ``what``, unless $CI is set: then fail it (CI must install it)."""
    reason = f"Redis store tests need {what}"
    if "CI" in os.environ:
        pytest.fail(f"{reason}; $CI is set, so this is an error, not a skip", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def redis_py() -> None:
    """redis-py is importable (skipped without it, unless $CI is set: then failed)."""
    if importlib.util.find_spec("redis") is None:
        _missing("redis-py (pip install 'resilient-client[redis]')")


@pytest.fixture(scope="session")
def redis_binary(redis_py: None) -> str:
    """The redis-server executable (skipped without it, unless $CI is set: then failed)."""
    binary = shutil.which("redis-server")
    if binary is None:
        _missing("the redis-server binary (apt-get install redis-server)")
    return binary


@pytest.fixture(scope="session")
def redis_server(redis_binary: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """A redis-server of our own on a free loopback port, for the whole session (tests use distinct prefixes)."""
    server = RedisServer(redis_binary, tmp_path_factory.mktemp("redis"))
    server.start()
    yield server
    server.stop()


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
