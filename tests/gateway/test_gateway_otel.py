"""OpenTelemetry through the gateway: a repaired call's span events land on the request's span, and it is counted.

The gateway records what the Python clients record (it drives the same client): with the SDK installed and
``opentelemetry.trace`` imported, each repair is an event on the current span (here an application span
around the request, as an ASGI instrumentation would open), and the four counters count it. No request text.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx2
import pytest

from resilient_client import _otel
from resilient_client.gateway import GatewayConfig, create_app, parse_upstreams
from resilient_client.testing import AzureEmulator
from tests.otel.helpers import Otel

API_VERSION = "2025-04-01-preview"
PROMPT = "The secret prompt text: purple-elephant-42."
PATH = f"/openai/deployments/o4-mini/chat/completions?api-version={API_VERSION}"
CALL = {"messages": [{"role": "user", "content": PROMPT}], "max_tokens": 5, "temperature": 0.5}


@pytest.fixture(autouse=True)
def _extra(gateway_extra: None) -> None:
    """Every test here builds the app."""


@asynccontextmanager
async def gateway(azure: AzureEmulator, tmp_path: Path) -> AsyncIterator[httpx2.AsyncClient]:
    config = GatewayConfig(parse_upstreams([azure.endpoint]), store=str(tmp_path / "rules.json"))
    app = create_app(config)
    async with (
        app.router.lifespan_context(app),
        httpx2.AsyncClient(transport=httpx2.ASGITransport(app=app), base_url="http://gw") as client,
    ):
        yield client


@pytest.mark.asyncio
async def test_a_repaired_call_through_the_gateway_is_traced_and_counted(
    azure: AzureEmulator, otel: Otel, tmp_path: Path
) -> None:
    """Cold: two repair events on the request's span and two rejections paid; warm: one call rewritten."""
    async with gateway(azure, tmp_path) as client:
        with otel.tracer.start_as_current_span("POST /openai/deployments/{d}/chat/completions"):
            cold = await client.post(PATH, json=CALL, headers={"api-key": "caller-key"})
        assert cold.status_code == 200, cold.text
        assert cold.headers["x-resilient-client-repairs"] == "max_tokens:rename, temperature:drop"
        assert otel.counts() == {(_otel.PAID, "o4-mini", "rename"): 1, (_otel.PAID, "o4-mini", "drop"): 1}
        warm = await client.post(PATH, json=CALL, headers={"api-key": "caller-key"})
        assert warm.status_code == 200, warm.text
        assert otel.counts() == {(_otel.REWRITTEN, "o4-mini", "drop,rename"): 1}
    events = otel.events()
    key: dict[str, Any] = {
        "resilient_client.host": azure.endpoint.removeprefix("http://"),
        "resilient_client.deployment": "o4-mini",
        "resilient_client.api_version": API_VERSION,
        "resilient_client.operation": "chat/completions",
    }
    assert events == [
        (
            "POST /openai/deployments/{d}/chat/completions",
            _otel.REPAIRED,
            {
                **key,
                "resilient_client.param": "max_tokens",
                "resilient_client.action": "rename",
                "resilient_client.from": "max_tokens",
                "resilient_client.to": "max_completion_tokens",
                "resilient_client.attempt": 1,
            },
        ),
        (
            "POST /openai/deployments/{d}/chat/completions",
            _otel.REPAIRED,
            {
                **key,
                "resilient_client.param": "temperature",
                "resilient_client.action": "drop",
                "resilient_client.attempt": 2,
            },
        ),
    ]
    assert PROMPT not in json.dumps(events)
    assert "caller-key" not in json.dumps(events)
    assert azure.count("o4-mini") == 4  # 3 for the cold call, 1 for the warm one
