"""The official ``openai`` package for Node.js (6.x, which runs on Node 20) through the gateway.

``tests/gateway/node`` pins it; install it with ``npm ci --prefix tests/gateway/node`` (CI:
``.ci/gateway.sh``). ``client.mjs`` calls an Azure deployment with ``AzureOpenAI`` and the
``/openai/v1`` route with ``OpenAI({ baseURL })``, each twice as written for gpt-4o and then
streaming.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from resilient_client.testing import PROFILES, AzureEmulator
from tests.gateway.processes import running_gateway

NODE_PROJECT = Path(__file__).parent / "node"
API_VERSION = "2025-04-01-preview"
KEY = "sk-node-test-key"


@pytest.fixture
def node() -> str:
    binary = shutil.which("node")
    required = bool(os.environ.get("RESILIENT_REQUIRE_GATEWAY"))  # .ci/gateway.sh
    missing = (
        "node is not installed"
        if binary is None
        else "the openai package is not installed: npm ci --prefix tests/gateway/node"
        if not (NODE_PROJECT / "node_modules" / "openai" / "package.json").exists()
        else None
    )
    if missing is not None:
        if required:
            pytest.fail(f"{missing}; CI requires it", pytrace=False)
        pytest.skip(missing)
    assert binary is not None
    return binary


@pytest.fixture
def emulator() -> Iterator[AzureEmulator]:
    deployments = {"node-azure": PROFILES["o4-mini"], "node-v1": PROFILES["o4-mini"]}
    with AzureEmulator(deployments=deployments, api_key=KEY, stream_interval=0.005) as server:
        yield server


def test_the_node_client_is_repaired_once_then_costs_one_request(
    gateway_extra: None, node: str, emulator: AzureEmulator, tmp_path: Path
) -> None:
    with running_gateway(tmp_path / "gateway", "--upstream", emulator.endpoint) as gateway:
        done = subprocess.run(
            [node, "client.mjs", gateway.url, KEY, API_VERSION, "node-azure", "node-v1"],
            cwd=NODE_PROJECT,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert done.returncode == 0, done.stderr + gateway.log()
    result = json.loads(done.stdout)
    for route, deployment in (("azure", "node-azure"), ("v1", "node-v1")):
        first, second, streamed = result[route]
        assert first == {"text": "ok", "repairs": "max_tokens:rename, temperature:drop"}
        assert second["text"] == "ok"
        assert streamed["text"] == "ok"
        assert streamed["chunks"] >= 4  # streamed as events, not one body
        # 400, 400, 200 for the first call; one request each for the second and the stream.
        assert [r.status for r in emulator.requests if r.deployment == deployment] == [400, 400, 200, 200, 200]
        assert "max_tokens" not in emulator.bodies(deployment)[-1]
