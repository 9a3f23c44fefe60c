"""Configuration shared by every test directory; fixtures used across directories go here."""

from __future__ import annotations

import importlib.util
import os
import shutil
from collections.abc import Iterator
from typing import Any, Final, NoReturn

import pytest

from resilient_client.testing import AzureEmulator
from tests.otel.helpers import Otel, need
from tests.stores.helpers import RedisServer
from tests.stores.redis_servers import Cluster, TLSServer, make_certificate


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


@pytest.fixture(scope="session")
def otel_session() -> Otel:
    """OpenTelemetry's SDK, with the global meter provider set once for the session (it can be set only once).

    Its tests skip when the SDK is not installed, and fail instead when ``$RESILIENT_REQUIRE_INTEGRATIONS``
    is set (as ``.ci/run`` does after installing the extras), so a broken install never passes as a skip.
    """
    metrics = need("opentelemetry.metrics")
    sdk_metrics = need("opentelemetry.sdk.metrics")
    export = need("opentelemetry.sdk.metrics.export")
    sdk_trace = need("opentelemetry.sdk.trace")
    span_export = need("opentelemetry.sdk.trace.export")
    in_memory = need("opentelemetry.sdk.trace.export.in_memory_span_exporter")
    # Delta temporality: each look reads what was added since the last one.
    reader = export.InMemoryMetricReader(
        preferred_temporality={sdk_metrics.Counter: export.AggregationTemporality.DELTA}
    )
    provider = sdk_metrics.MeterProvider(metric_readers=[reader])
    metrics.set_meter_provider(provider)
    if metrics.get_meter_provider() is not provider:
        pytest.fail("another meter provider was set globally before these tests", pytrace=False)
    exporter = in_memory.InMemorySpanExporter()
    tracer_provider = sdk_trace.TracerProvider()
    tracer_provider.add_span_processor(span_export.SimpleSpanProcessor(exporter))
    return Otel(tracer_provider, tracer_provider.get_tracer("app"), exporter, reader)


@pytest.fixture
def otel(otel_session: Otel) -> Otel:
    """The session's SDK, with the spans and counts of earlier tests forgotten."""
    otel_session.exporter.clear()
    otel_session.counts()
    return otel_session


_REQUIRED: Final = ("RESILIENT_REQUIRE_INTEGRATIONS", "RESILIENT_TEST_REDIS_URL", "RESILIENT_TEST_REDIS_CLUSTER")
"""Variables .ci/run sets: with any of them (or $CI) set, what a Redis test needs must be there."""


def _missing(what: str) -> NoReturn:
    """Skip the test for lack of ``what``, unless $CI or one of ``_REQUIRED`` is set: then fail it (CI installs it)."""
    reason = f"Redis store tests need {what}"
    required = [name for name in _REQUIRED if os.environ.get(name)] + (["CI"] if "CI" in os.environ else [])
    if required:
        pytest.fail(f"{reason}; ${required[0]} is set, so this is an error, not a skip", pytrace=False)
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


@pytest.fixture(scope="session")
def redis_cluster(redis_py: None, request: pytest.FixtureRequest) -> Iterator[str]:
    """The ``redis+cluster://`` URL of a Redis Cluster of 3 masters on loopback, for the whole session.

    ``$RESILIENT_TEST_REDIS_CLUSTER`` (``127.0.0.1:P1,127.0.0.1:P2,…``, as .ci/run exports it) when
    set; else one of our own, started on free ports and stopped at the end (tests use distinct prefixes).
    """
    given = os.environ.get("RESILIENT_TEST_REDIS_CLUSTER")
    if given:
        yield f"redis+cluster://{given}"
        return
    binary: str = request.getfixturevalue("redis_binary")
    cli = shutil.which("redis-cli")
    if cli is None:
        _missing("redis-cli, to create a cluster (apt-get install redis-tools)")
    factory: pytest.TempPathFactory = request.getfixturevalue("tmp_path_factory")
    cluster = Cluster(binary, cli, factory.mktemp("redis-cluster"))
    cluster.start()
    yield cluster.url
    cluster.stop()


@pytest.fixture(scope="session")
def redis_tls(redis_binary: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TLSServer]:
    """A redis-server that speaks only TLS, with a self-signed certificate made for it, for the whole session."""
    openssl = shutil.which("openssl")
    if openssl is None:
        _missing("openssl, to make a test certificate")
    directory = tmp_path_factory.mktemp("redis-tls")
    cert, key = make_certificate(openssl, directory)
    server = TLSServer(redis_binary, directory, cert, key)
    server.start()
    yield server
    server.stop()


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook reads the groups
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Put every ``slow`` test (processes, fleets, timings) in one xdist group: they run one at a time.

    Under ``--dist loadgroup`` (pyproject's addopts) the other tests share the remaining workers, so two
    fleets of processes never oversubscribe the machine together.
    """
    for item in items:
        if item.get_closest_marker("slow") is not None:
            item.add_marker(pytest.mark.xdist_group("slow"))


_GROUPS_LOST: Final = pytest.StashKey[bool]()


def pytest_xdist_node_collection_finished(node: Any, ids: list[str]) -> None:
    """Note when a worker's collection carries no xdist group: the slow tests then run side by side.

    pytest-xdist 3.8 marks a group in the node id, which pytest 9.2 no longer lets it change
    (pytest-dev/pytest-xdist#1386); pyproject's test extra keeps pytest below 9.2 until that is fixed.
    """
    if node.config.getoption("dist") == "loadgroup" and ids and not any("@" in nodeid for nodeid in ids):
        node.config.stash[_GROUPS_LOST] = True


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """After a run that included the corpus tests, print the reader's score on both parts of the corpus."""
    if terminalreporter.config.stash.get(_GROUPS_LOST, False):
        terminalreporter.write_line(
            "warning: xdist lost the test groups (pytest-dev/pytest-xdist#1386 with this pytest): the slow tests ran "
            "beside each other; install the test extra's pytest (<9.2) or run with -n 0",
            yellow=True,
        )
    ran = {
        r.nodeid.split("::", 1)[0] for group in terminalreporter.stats.values() for r in group if hasattr(r, "nodeid")
    }
    if any(path.endswith("test_corpus.py") for path in ran):
        from tests.corpus import summary

        terminalreporter.section("rejection corpus: rows the reader gets right")
        for line in summary():
            terminalreporter.write_line(line)
    if any(path.endswith("test_wordings.py") for path in ran):
        from tests.wordings import summary as wordings

        terminalreporter.section("written wordings: rows the reader gets right")
        for line in wordings():
            terminalreporter.write_line(line)
