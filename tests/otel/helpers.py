"""What the OpenTelemetry tests share: the import that skips or fails, the SDK's in-memory views, a deployment."""

from __future__ import annotations

import importlib
import os
from collections import Counter
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import pytest

INSTALL = "pip install 'resilient-client[otel]' opentelemetry-sdk"
PUZZLING = "puzzling"
"""A deployment whose rejection names no param: no repair can be read from it."""
PUZZLING_ANSWER = {
    "error": {
        "message": "The frobnicator is out of alignment today.",
        "type": "invalid_request_error",
        "param": None,
        "code": "frob",
    }
}


def need(module: str, install: str = INSTALL) -> ModuleType:
    """Import ``module``, or skip the test with the install line, or fail when the extras are required."""
    try:
        return importlib.import_module(module)
    except ImportError as error:
        reason = f"needs {module} ({install}): {error}"
        if os.environ.get("RESILIENT_REQUIRE_INTEGRATIONS"):
            pytest.fail(f"{reason}; $RESILIENT_REQUIRE_INTEGRATIONS is set", pytrace=False)
        pytest.skip(reason)


@dataclass
class Otel:
    """A tracer whose spans end in :attr:`exporter`, and the reader of the global meter provider."""

    tracer_provider: Any
    tracer: Any
    exporter: Any
    reader: Any

    def counts(self) -> dict[tuple[str, str, str | None], int]:
        """What the library's counters added since the last look, by (counter, deployment, action)."""
        found: Counter[tuple[str, str, str | None]] = Counter()
        data = self.reader.get_metrics_data()
        for resource in data.resource_metrics if data is not None else ():
            for scope in resource.scope_metrics:
                if scope.scope.name != "resilient_client":
                    continue
                for metric in scope.metrics:
                    for point in metric.data.data_points:
                        attributes = point.attributes
                        deployment = attributes["resilient_client.deployment"]
                        found[(metric.name, deployment, attributes.get("resilient_client.action"))] += point.value
        return {name: count for name, count in found.items() if count}

    def events(self) -> list[tuple[str, str, dict[str, Any]]]:
        """The finished spans' events: (span name, event name, attributes), oldest first."""
        return [
            (span.name, event.name, dict(event.attributes))
            for span in self.exporter.get_finished_spans()
            for event in span.events
        ]
