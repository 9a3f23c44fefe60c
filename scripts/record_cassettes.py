"""Record the client cassettes in cassettes/client/.

Offline (default): each scenario in tests/client/scenarios.py runs against the
loopback emulator (resilient_client.testing), whose 400s carry the real Azure bodies
from tests/data/corpus; the recorded host is then rewritten to an
Azure-style ``<resource>.openai.azure.com``. A provider scenario runs ResilientOpenAI
against the emulator's OpenAI-compatible profile for that provider instead; its base
URL is rewritten to the provider's own (scenarios.HOSTS, e.g.
``https://generativelanguage.googleapis.com/v1beta/openai``) and the emulator's
Azure-only response headers are left out.

Live: ``--live`` records against a real Azure OpenAI resource instead. It reads
AZURE_OPENAI_ENDPOINT, AZURE_OPENAI_API_KEY and, per scenario, the deployment
name from RC_DEPLOYMENT_<NAME> (e.g. RC_DEPLOYMENT_O4_MINI=my-o4-mini); scenarios
without a deployment, and the provider scenarios, are skipped. The api-key and
Authorization headers are never written, and the resource host is rewritten the same way.

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
from typing import Any

import openai
import vcr

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "client"))
sys.path.insert(0, str(ROOT))

from scenarios import API_VERSION, HOSTS, RESOURCE, SCENARIOS, Scenario  # noqa: E402

from resilient_client import (  # noqa: E402
    AsyncResilientAzureClient,
    AsyncResilientOpenAI,
    MemoryStore,
    ResilientAzureClient,
    ResilientOpenAI,
)
from resilient_client.testing import PROFILES, AzureEmulator, fixed  # noqa: E402
from tests.corpus import DESIGN, HELD_BACK, read  # noqa: E402

CASSETTES = ROOT / "cassettes" / "client"
DESIGN_ROWS = {row["id"]: row for row in read(DESIGN)}
# Response headers only Azure sends; the emulator sends them on every route.
AZURE_ONLY_HEADERS = frozenset({"apim-request-id", "x-ms-region", "x-ms-rai-invoked"})


def corpus_row(cid: str) -> dict[str, object]:
    """A corpus row by id; the held-back file is read only for an id design.jsonl does not have."""
    if cid in DESIGN_ROWS:
        return DESIGN_ROWS[cid]
    # Some of the first Azure bodies (e…) sit in the held-back quarter; only their source is printed.
    return {row["id"]: row for row in read(HELD_BACK)}[cid]


def _client(scenario: Scenario, endpoint: str, api_key: str, store: MemoryStore) -> openai.OpenAI:
    if scenario.provider is None:
        return ResilientAzureClient(
            azure_endpoint=endpoint, api_key=api_key, api_version=API_VERSION, store=store, max_retries=0
        )
    return ResilientOpenAI(base_url=endpoint, api_key=api_key, store=store, max_retries=0)


def _async_client(scenario: Scenario, endpoint: str, api_key: str, store: MemoryStore) -> openai.AsyncOpenAI:
    if scenario.provider is None:
        return AsyncResilientAzureClient(
            azure_endpoint=endpoint, api_key=api_key, api_version=API_VERSION, store=store, max_retries=0
        )
    return AsyncResilientOpenAI(base_url=endpoint, api_key=api_key, store=store, max_retries=0)


async def _run_async(scenario: Scenario, endpoint: str, api_key: str, deployment: str) -> None:
    store = MemoryStore()
    for _ in range(2 if scenario.repeat else 1):
        async with _async_client(scenario, endpoint, api_key, store) as client:
            await scenario.call(client, deployment)


def _run(scenario: Scenario, endpoint: str, api_key: str, deployment: str) -> None:
    if scenario.asynchronous:
        asyncio.run(_run_async(scenario, endpoint, api_key, deployment))
        return
    store = MemoryStore()
    for _ in range(2 if scenario.repeat else 1):
        with _client(scenario, endpoint, api_key, store) as client:
            try:
                scenario.call(client, deployment)
            except Exception as exc:  # noqa: BLE001 - the unrepairable scenarios end in the SDK's error
                print(f"  {scenario.name}: {type(exc).__name__}")


def _provenance(scenario: Scenario, *, live: bool) -> str:
    lines = [f"# Cassette for tests/client/scenarios.py::{scenario.name}."]
    if live:
        lines.append("# Recorded against a live Azure OpenAI resource (host rewritten; api-key filtered).")
    elif scenario.provider is not None:
        lines += [
            "# Recorded with the real openai SDK (ResilientOpenAI) against resilient_client.testing.AzureEmulator's",
            f"# {scenario.provider!r} provider profile on loopback, then the base URL was rewritten to",
            f"# {HOSTS[scenario.provider]} and the Azure-only response headers (apim-request-id,",
            "# x-ms-*) were left out. The 4xx bodies take their wording and envelope from:",
        ]
    else:
        lines.append("# Recorded with the real openai SDK against resilient_client.testing.AzureEmulator on loopback,")
        lines.append(f"# then the host was rewritten to {RESOURCE}. The 4xx bodies are Azure's wordings from:")
    lines.extend(f"#   {cid}: {corpus_row(cid)['source']}" for cid in scenario.corpus)
    if not scenario.corpus and not live:
        lines.append("#   Azure's DeploymentNotFound 404 body (documented wording; no corpus entry).")
    live_flag = "" if scenario.provider is not None else "[--live] "
    lines.append(f"# Re-record: python scripts/record_cassettes.py {live_flag}{scenario.name}")
    return "\n".join(lines) + "\n"


def _without_azure_headers(response: dict[str, Any]) -> dict[str, Any]:
    response["headers"] = {k: v for k, v in response["headers"].items() if k.lower() not in AZURE_ONLY_HEADERS}
    return response


def record(scenario: Scenario, endpoint: str, api_key: str, deployment: str, *, live: bool) -> Path:
    """Record one scenario's cassette and return its path.

    ``endpoint`` is what the client is given: the Azure endpoint, or a provider profile's base URL.
    """
    if scenario.provider is not None:
        outside = [cid for cid in scenario.corpus if cid not in DESIGN_ROWS]
        if outside:
            raise SystemExit(f"{scenario.name}: a provider scenario cites design.jsonl rows only, not {outside}")
    target = RESOURCE if scenario.provider is None else HOSTS[scenario.provider]
    path = CASSETTES / f"{scenario.name}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    recorder = vcr.VCR(
        record_mode="all",
        filter_headers=["api-key", "authorization"],
        decode_compressed_response=True,
        before_record_response=None if scenario.provider is None else _without_azure_headers,
    )
    with recorder.use_cassette(str(path)):
        _run(scenario, endpoint, api_key, deployment)
    netloc = endpoint.split("://", 1)[1].split("/", 1)[0]
    text = path.read_text().replace(endpoint.rstrip("/"), target.rstrip("/"))
    text = text.replace(netloc, target.split("://", 1)[1].split("/", 1)[0])
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
            if scenario.provider is not None:
                print(f"  {scenario.name}: skipped (a provider scenario records against the emulator only)")
                continue
            deployment = os.environ.get("RC_DEPLOYMENT_" + re.sub(r"\W", "_", scenario.deployment).upper())
            if deployment:
                print(record(scenario, endpoint, key, deployment, live=True))
        return
    deployments = {
        **PROFILES,
        "filtered": fixed(400, DESIGN_ROWS["e070"]["body"]),
        "gpt-4-8k": fixed(400, DESIGN_ROWS["e051"]["body"]),
    }
    with tempfile.TemporaryDirectory(), AzureEmulator(deployments=deployments) as azure:
        for scenario in chosen:
            endpoint = azure.endpoint if scenario.provider is None else azure.base_url(scenario.provider)
            print(record(scenario, endpoint, "recording-key", scenario.deployment, live=False))


if __name__ == "__main__":
    main()
