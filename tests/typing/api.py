"""Type-checked, never run: the public API used the way users write it (mypy --strict checks this file)."""

from __future__ import annotations

from pathlib import Path

import openai

from resilient_client import (
    AsyncResilientAzureClient,
    DeploymentKey,
    MemoryStore,
    RepairBlockedError,
    RepairEvent,
    RepairPolicy,
    ResilientAzureClient,
    ResilientOpenAI,
    Store,
)


def on_repair(event: RepairEvent) -> None:
    key: DeploymentKey = event.key
    print(key.deployment, event.fix.param, event.attempt)


def sync_usage() -> str | None:
    client = ResilientAzureClient(
        azure_endpoint="https://example.openai.azure.com",
        api_key="key",
        api_version="2025-04-01-preview",
        store=Path("rules.json"),
        max_repairs=3,
        policy=RepairPolicy(allow=frozenset({"tools"})),
        on_repair=on_repair,
    )
    base: openai.AzureOpenAI = client
    faster = client.with_options(timeout=5.0, max_repairs=1)
    try:
        reply = faster.chat.completions.create(
            model="prod-reasoner", messages=[{"role": "user", "content": "hi"}], max_tokens=10
        )
    except RepairBlockedError as exc:
        print(exc.param, exc.fix, exc.key)
        return None
    except openai.BadRequestError:
        return None
    store: Store = client.store if isinstance(base, ResilientAzureClient) else MemoryStore()
    store.close()
    return reply.choices[0].message.content


async def async_usage() -> str:
    async with AsyncResilientAzureClient(azure_endpoint="https://example.openai.azure.com", api_key="k") as client:
        response = await client.responses.create(model="gpt-5.1", input="hi", reasoning={"effort": "minimal"})
        return response.output_text


def openai_usage() -> list[float]:
    client = ResilientOpenAI(api_key="k", store=MemoryStore(), learn=False)
    return client.embeddings.create(model="text-embedding-3-small", input="x").data[0].embedding
