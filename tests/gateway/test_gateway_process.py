"""The gateway as it runs: graceful shutdown, no key in any file it wrote, single flight across processes."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx2
import openai
import pytest
from openai.types.chat import ChatCompletionMessageParam

from resilient_client.testing import AzureEmulator
from tests.gateway.processes import STOPPED, running_gateway, start_gateway

API_VERSION = "2025-04-01-preview"
CANARY = "sk-canary-gateway-0c1d2e3f4a5b6c7d8e9f"
MESSAGES: list[ChatCompletionMessageParam] = [{"role": "user", "content": "Say ok."}]
GPT4O_STYLE: dict[str, Any] = {"max_tokens": 50, "temperature": 0.2}
WAIT = 120.0  # generous: a busy 2-core machine


@pytest.fixture(autouse=True)
def _extra(gateway_extra: None) -> None:
    """Every test here starts gateways."""


def _until(condition: Any, what: str) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"{what} did not happen within {WAIT:.0f} s")
        time.sleep(0.05)


def test_shutdown_lets_an_open_stream_finish_and_no_file_holds_the_key(tmp_path: Path) -> None:
    gate = threading.Event()
    gate.set()
    with AzureEmulator(api_key=CANARY, stream_gate=gate) as azure:
        gateway = start_gateway(tmp_path / "gateway", "--upstream", azure.endpoint)
        try:
            client = openai.AzureOpenAI(
                azure_endpoint=gateway.url, api_key=CANARY, api_version=API_VERSION, max_retries=0, timeout=WAIT
            )
            client.chat.completions.create(model="o4-mini", messages=MESSAGES, **GPT4O_STYLE)
            v1 = openai.OpenAI(base_url=f"{gateway.url}/openai/v1", api_key=CANARY, max_retries=0)
            v1.chat.completions.create(model="o3-mini", messages=MESSAGES, **GPT4O_STYLE)
            # A key in a query string (some providers take ?key=) is not logged either.
            listed = httpx2.get(f"{gateway.url}/openai/models?api-version=x&key={CANARY}", headers={"api-key": CANARY})
            assert listed.status_code == 200

            gate.clear()
            first, text = threading.Event(), list[str]()

            def stream() -> None:
                chunks = iter(client.chat.completions.create(model="o4-mini", messages=MESSAGES, stream=True))
                next(chunks)
                first.set()
                text.extend(c.choices[0].delta.content or "" for c in chunks if c.choices)

            reader = threading.Thread(target=stream)
            reader.start()
            _until(first.is_set, "the stream's first chunk")
            gateway.terminate()
            _until(lambda: not gateway.listening(), "the gateway closing its port")
            gate.set()
            reader.join(WAIT)
            assert "".join(text) == "ok"  # the open stream finished after SIGTERM
            assert gateway.wait() in STOPPED, gateway.log()
        finally:
            gate.set()
            gateway.stop()
        assert azure.count("o4-mini", status=400) == 2

    written = [path for path in gateway.home.rglob("*") if path.is_file()]
    assert gateway.home / "rules.json" in written
    assert "o4-mini" in (gateway.home / "rules.json").read_text()
    assert "parameter_repaired" in gateway.log()
    for path in written:
        assert CANARY.encode() not in path.read_bytes(), path


@pytest.mark.slow
def test_replicas_and_workers_on_one_cache_learn_each_fix_once(tmp_path: Path) -> None:
    """A cold burst spread over two gateways (one with two workers) on one cache file: one 400 per param."""
    store = str(tmp_path / "shared" / "rules.json")
    with AzureEmulator() as azure:
        upstream = ("--upstream", azure.endpoint, "--store", store)
        with (
            running_gateway(tmp_path / "a", *upstream, "--workers", "2") as a,
            running_gateway(tmp_path / "b", *upstream) as b,
        ):
            clients = [
                openai.AzureOpenAI(
                    azure_endpoint=g.url, api_key="k", api_version=API_VERSION, max_retries=0, timeout=WAIT
                )
                for g in (a, b)
            ]

            def call(n: int) -> str | None:
                reply = clients[n % 2].chat.completions.create(model="o4-mini", messages=MESSAGES, **GPT4O_STYLE)
                content: str | None = reply.choices[0].message.content
                return content

            with ThreadPoolExecutor(24) as pool:
                assert list(pool.map(call, range(48))) == ["ok"] * 48
        assert azure.count("o4-mini", status=400) == 2
        assert azure.count("o4-mini", status=200) == 48
