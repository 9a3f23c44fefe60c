"""Configuration shared by every test directory; fixtures used across directories go here."""

from __future__ import annotations

import importlib.util
import os
import shutil
from collections.abc import Iterator
from typing import NoReturn

import pytest

from resilient_client.testing import AzureEmulator
from tests.stores.helpers import RedisServer


@pytest.fixture(scope="session")
def azure_server() -> Iterator[AzureEmulator]:
    """One loopback emulator (a deployment per built-in profile) for the session: stopping one takes ~0.5 s."""
    with AzureEmulator() as emulator:
        yield emulator


@pytest.fixture
def azure(azure_server: AzureEmulator) -> AzureEmulator:
    """The session's emulator, with the requests of earlier tests forgotten."""
    azure_server.reset()
    return azure_server


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


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """After a run that included the corpus tests, print the reader's score on both parts of the corpus."""
    reports = (r for group in terminalreporter.stats.values() for r in group if hasattr(r, "nodeid"))
    if not any("test_corpus.py" in r.nodeid for r in reports):
        return
    from tests.corpus import summary

    terminalreporter.section("rejection corpus: rows the reader gets right")
    for line in summary():
        terminalreporter.write_line(line)
