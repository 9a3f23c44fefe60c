"""Fixtures for the OpenTelemetry tests: the SDK's in-memory exporter and reader, and the emulator.

The tests skip when the SDK is not installed, and fail instead when
``$RESILIENT_REQUIRE_INTEGRATIONS`` is set (as ``.ci/run`` does after installing the
extras), so a broken install can never pass as a skip.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from resilient_client.testing import PROFILES, AzureEmulator, fixed
from tests.otel.helpers import PUZZLING, PUZZLING_ANSWER, Otel, need


@pytest.fixture(scope="session")
def otel_session() -> Otel:
    """The SDK, with the global meter provider set once for the session (it can be set only once)."""
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


@pytest.fixture(scope="session")
def azure_server() -> Iterator[AzureEmulator]:
    """The emulator with every built-in profile, plus :data:`PUZZLING`."""
    with AzureEmulator(deployments={**PROFILES, PUZZLING: fixed(400, PUZZLING_ANSWER)}) as emulator:
        yield emulator
