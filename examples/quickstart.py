"""See resilient_client learn from Azure's 400s, offline, in a few seconds.

Starts the bundled Azure OpenAI emulator on loopback (its o4-mini deployment answers
with Azure's real error bodies), then makes the same call twice with a throwaway
cache file: the first call is repaired, the second is sent right the first time.

Run:  python examples/quickstart.py
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from resilient_client import RepairEvent, ResilientAzureClient
from resilient_client.testing import AzureEmulator


def show(event: RepairEvent) -> None:
    """Print each repair as it is learned."""
    print(f"  400 from Azure: {event.evidence.message}")
    print(f"  learned for {event.key.deployment!r}: {event.fix}")


def main() -> None:
    """Call an emulated o4-mini deployment the way code written for gpt-4o does."""
    with tempfile.TemporaryDirectory() as tmp, AzureEmulator() as azure:
        cache = Path(tmp) / "rules.json"
        for attempt in ("first call", "second call, new client, same cache"):
            print(f"{attempt}:")
            azure.reset()
            with ResilientAzureClient(
                azure_endpoint=azure.endpoint,
                api_key="demo-key",
                api_version="2025-04-01-preview",
                store=cache,
                on_repair=show,
            ) as client:
                reply = client.chat.completions.create(
                    model="o4-mini",
                    messages=[{"role": "user", "content": "Say ok."}],
                    max_tokens=300,
                    temperature=0.2,
                )
            sent = azure.bodies("o4-mini")[-1]
            print(f"  -> {reply.choices[0].message.content!r} after {azure.count('o4-mini')} request(s)")
            print(f"  last body sent: { {k: v for k, v in sent.items() if k != 'messages'} }")
        print(f"cache file: {cache.read_text()[:400]}...")


if __name__ == "__main__":
    main()
