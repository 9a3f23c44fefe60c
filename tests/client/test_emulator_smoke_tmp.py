from __future__ import annotations
from resilient_client import ResilientAzureClient, MemoryStore
from resilient_client.testing import AzureEmulator

def test_smoke():
    with AzureEmulator() as azure, ResilientAzureClient(azure_endpoint=azure.endpoint, api_key="k", api_version="2025-04-01-preview", store=MemoryStore(), max_retries=0) as c:
        r = c.chat.completions.create(model="o4-mini", messages=[{"role":"user","content":"hi"}], max_tokens=5)
        print(r)
        print(azure.bodies())
