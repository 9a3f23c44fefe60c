"""Record the client cassettes in cassettes/client/.

Offline (default): each scenario in tests/client/scenarios.py runs against the
loopback emulator (resilient_client.testing), whose 400s carry the real Azure bodies
from tests/data/corpus; the recorded host is then rewritten to an
Azure-style ``<resource>.openai.azure.com``.

Live: ``--live`` records against a real Azure OpenAI resource instead. It reads
AZURE_OPENAI_ENDPOINT, AZURE_OPENAI_API_KEY and, per scenario, the deployment
name from RC_DEPLOYMENT_<NAME> (e.g. RC_DEPLOYMENT_O4_MINI=my-o4-mini); scenarios
without a deployment are skipped. The api-key and Authorization headers are never
written, and the resource host is rewritten the same way.

Usage::

    python scripts/record_cassettes.py [--live] [scenario ...]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import sys
import tempfile
from pathlib import Path

import vcr

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "client"))
sys.path.insert(0, str(ROOT))

from scenarios import API_VERSION, RESOURCE, SCENARIOS, Scenario  # noqa: E402

from resilient_client import AsyncResilientAzureClient, MemoryStore, ResilientAzureClient  # noqa: E402
from resilient_client.testing import PROFILES, AzureEmulator, fixed  # noqa: E402
from tests.corpus import DESIGN, HELD_BACK, read  # noqa: E402

CASSETTES = ROOT / "cassettes" / "client"
CORPUS = {row["id"]: row for path in (DESIGN, HELD_BACK) for row in read(path)}


async def _run_async(scenario: Scenario, endpoint: str, api_key: str, deployment: str) -> None:
    store = MemoryStore()
    for _ in range(2 if scenario.repeat else 1):
        async with AsyncResilientAzureClient(
            azure_endpoint=endpoint, api_key=api_key, api_version=API_VERSION, store=store, max_retries=0
        ) as client:
            await scenario.call(client, deployment)


def _run(scenario: Scenario, endpoint: str, api_key: str, deployment: str) -> None:
    if scenario.asynchronous:
        asyncio.run(_run_async(scenario, endpoint, api_key, deployment))
        return
    store = MemoryStore()
    for _ in range(2 if scenario.repeat else 1):
        with ResilientAzureClient(
            azure_endpoint=endpoint, api_key=api_key, api_version=API_VERSION, store=store, max_retries=0
        ) as client:
            try:
                scenario.call(client, deployment)
            except Exception as exc:  # noqa: BLE001 - the unrepairable scenarios end in the SDK's error
                print(f"  {scenario.name}: {type(exc).__name__}")


def _provenance(scenario: Scenario, *, live: bool) -> str:
    lines = [f"# Cassette for tests/client/scenarios.py::{scenario.name}."]
    if live:
        lines.append("# Recorded against a live Azure OpenAI resource (host rewritten; api-key filtered).")
    else:
        lines.append("# Recorded with the real openai SDK against resilient_client.testing.AzureEmulator on loopback,")
        lines.append(f"# then the host was rewritten to {RESOURCE}. The 4xx bodies are Azure's wordings from:")
    lines.extend(f"#   {cid}: {CORPUS[cid]['source']}" for cid in scenario.corpus)
    if not scenario.corpus and not live:
        lines.append("#   Azure's DeploymentNotFound 404 body (documented wording; no corpus entry).")
    lines.append("# Re-record: python scripts/record_cassettes.py [--live] " + scenario.name)
    return "\n".join(lines) + "\n"


def record(scenario: Scenario, endpoint: str, api_key: str, deployment: str, *, live: bool) -> Path:
    """Record one scenario's cassette and return its path."""
    path = CASSETTES / f"{scenario.name}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    recorder = vcr.VCR(record_mode="all", filter_headers=["api-key", "authorization"], decode_compressed_response=True)
    with recorder.use_cassette(str(path)):
        _run(scenario, endpoint, api_key, deployment)
    netloc = endpoint.split("://", 1)[1].rstrip("/")
    text = path.read_text().replace(endpoint.rstrip("/"), RESOURCE).replace(netloc, RESOURCE.split("://", 1)[1])
    path.write_text(_provenance(scenario, live=live) + text)
    return path


def main() -> None:
    """Record the cassettes named on the command line (all by default)."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--live", action="store_true", help="record against the Azure resource in the environment")
    parser.add_argument("names", nargs="*", choices=[[], *SCENARIOS], help="scenarios to record")
    args = parser.parse_args()
    chosen = [SCENARIOS[n] for n in args.names] or list(SCENARIOS.values())
    if args.live:
        endpoint, key = os.environ["AZURE_OPENAI_ENDPOINT"], os.environ["AZURE_OPENAI_API_KEY"]
        for scenario in chosen:
            deployment = os.environ.get("RC_DEPLOYMENT_" + re.sub(r"\W", "_", scenario.deployment).upper())
            if deployment:
                print(record(scenario, endpoint, key, deployment, live=True))
        return
    deployments = {
        **PROFILES,
        "filtered": fixed(400, CORPUS["e070"]["body"]),
        "gpt-4-8k": fixed(400, CORPUS["e051"]["body"]),
    }
    with tempfile.TemporaryDirectory(), AzureEmulator(deployments=deployments) as azure:
        for scenario in chosen:
            print(record(scenario, azure.endpoint, "recording-key", scenario.deployment, live=False))


if __name__ == "__main__":
    main()
