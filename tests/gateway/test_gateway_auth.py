"""``resilient-client serve --require-key``: callers present the gateway's key, the upstream gets the server's."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import openai
import pytest
from openai.types.chat import ChatCompletionMessageParam

from resilient_client.testing import AzureEmulator
from tests.gateway.processes import STOPPED, running_gateway

API_VERSION = "2025-04-01-preview"
GATEWAY_KEY = "gw-canary-inbound-6e1f0a9b3c7d4258"
UPSTREAM_KEY = "sk-canary-upstream-2d8c4b6a0f1e3957"
MESSAGES: list[ChatCompletionMessageParam] = [{"role": "user", "content": "Say ok."}]
GPT4O_STYLE: dict[str, Any] = {"max_tokens": 50, "temperature": 0.2}
AUTH = ("--require-key", "TEST_GATEWAY_KEY", "--upstream-key-env", "TEST_UPSTREAM_KEY")


@pytest.fixture(autouse=True)
def _extra(gateway_extra: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test here starts gateways; the keys are in the environment, as a service manager would put them."""
    monkeypatch.setenv("TEST_GATEWAY_KEY", GATEWAY_KEY)
    monkeypatch.setenv("TEST_UPSTREAM_KEY", UPSTREAM_KEY)


def test_callers_present_the_gateway_key_and_the_upstream_gets_the_servers(tmp_path: Path) -> None:
    # The emulator takes only the upstream key: a caller's key that went through would get Azure's 401.
    with AzureEmulator(api_key=UPSTREAM_KEY) as azure:
        with running_gateway(tmp_path / "gateway", "--upstream", azure.endpoint, *AUTH) as gateway:
            cmdline = Path(f"/proc/{gateway.proc.pid}/cmdline")
            if cmdline.exists():  # what ps shows: the variables' names, never the keys
                shown = cmdline.read_bytes()
                assert b"TEST_GATEWAY_KEY" in shown
                assert GATEWAY_KEY.encode() not in shown
                assert UPSTREAM_KEY.encode() not in shown

            client = openai.AzureOpenAI(
                azure_endpoint=gateway.url, api_key=GATEWAY_KEY, api_version=API_VERSION, max_retries=0, timeout=120
            )
            for _ in range(2):
                reply = client.chat.completions.create(model="o4-mini", messages=MESSAGES, **GPT4O_STYLE)
                assert reply.choices[0].message.content == "ok"
            assert [r.status for r in azure.requests] == [400, 400, 200, 200]
            v1 = openai.OpenAI(base_url=f"{gateway.url}/openai/v1", api_key=GATEWAY_KEY, max_retries=0, timeout=120)
            assert {m.id for m in v1.models.list()} >= {"o4-mini"}

            for key in ("wrong", UPSTREAM_KEY):  # not even the upstream's own key opens the gateway
                wrong = openai.AzureOpenAI(
                    azure_endpoint=gateway.url, api_key=key, api_version=API_VERSION, max_retries=0, timeout=120
                )
                with pytest.raises(openai.AuthenticationError) as caught:
                    wrong.chat.completions.create(model="o4-mini", messages=MESSAGES, **GPT4O_STYLE)
                assert caught.value.code == "invalid_api_key"
            assert len(azure.requests) == 5  # the refused calls reached nothing
        assert gateway.wait() in STOPPED, gateway.log()

    for path in (p for p in gateway.home.rglob("*") if p.is_file()):
        data = path.read_bytes()
        assert GATEWAY_KEY.encode() not in data, path
        assert UPSTREAM_KEY.encode() not in data, path


@pytest.mark.parametrize(
    ("options", "says"),
    [
        (("--require-key", "TEST_UNSET_VARIABLE"), "TEST_UNSET_VARIABLE is not set"),
        (("--require-key", GATEWAY_KEY), "not a key"),
        (("--upstream-key-env", "TEST_UPSTREAM_KEY"), "needs --require-key"),
        (("--require-key", "TEST_GATEWAY_KEY", "--upstream-key-env", "TEST_UNSET_VARIABLE"), "is not set"),
    ],
)
def test_the_command_refuses_a_bad_key_configuration(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, options: tuple[str, ...], says: str
) -> None:
    monkeypatch.delenv("TEST_UNSET_VARIABLE", raising=False)
    argv = [sys.executable, "-m", "resilient_client", "serve", "--upstream", "http://127.0.0.1:1", *options]
    done = subprocess.run(argv, cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 2, done.stdout + done.stderr
    assert says in done.stderr
    assert GATEWAY_KEY not in done.stderr + done.stdout
