"""`resilient-client demo` and `resilient-client probe`, against the bundled emulator."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from resilient_client import ChangeRole, Drop, JSONFileStore, Rename, SetValue
from resilient_client.cli import main
from resilient_client.testing import AzureEmulator, ModelProfile, Unsupported


def test_demo_shows_learn_retry_and_cached(capsys: pytest.CaptureFixture[str]) -> None:
    """The demo exits 0 and shows each 400, the rule learned, the retry, then a one-request call and the cache."""
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert out.count("<- 400 from Azure: Unsupported") == 2
    assert "learned for 'o4-mini': rename max_tokens -> max_completion_tokens; retrying" in out
    assert "learned for 'o4-mini': drop temperature; retrying" in out
    assert "  3 request(s)" in out
    assert "  1 request(s)" in out
    assert "KEY" in out
    assert "HITS" in out


def test_demo_json_is_machine_readable(capsys: pytest.CaptureFixture[str]) -> None:
    """`demo --json` prints one JSON document whose calls need 3 requests, then 1."""
    assert main(["demo", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["ok"] is True
    assert [c["requests"] for c in doc["calls"]] == [3, 1]
    assert doc["calls"][0]["steps"][0]["learned"] == {
        "param": "max_tokens",
        "new": "max_completion_tokens",
        "kind": "rename",
    }
    assert doc["calls"][1]["steps"] == [{"sent": {"max_completion_tokens": 300}, "status": 200}]


@pytest.fixture
def azure_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[AzureEmulator]:
    with AzureEmulator() as azure:
        monkeypatch.setenv("AZURE_OPENAI_ENDPOINT", azure.endpoint)
        monkeypatch.setenv("AZURE_OPENAI_API_KEY", "probe-key")
        monkeypatch.setenv("OPENAI_API_VERSION", "2025-04-01-preview")
        yield azure


@pytest.mark.parametrize(
    ("deployment", "expected"),
    [
        (
            "o4-mini",
            [
                Rename("max_tokens", "max_completion_tokens"),
                Drop("temperature"),
                Drop("top_p"),
                Drop("parallel_tool_calls"),
                Drop("logprobs"),
                SetValue("reasoning_effort", "minimal", "low"),
            ],
        ),
        (
            "gpt-5",
            [
                Rename("max_tokens", "max_completion_tokens"),
                Drop("temperature"),
                Drop("top_p"),
                Drop("presence_penalty"),
                Drop("frequency_penalty"),
            ],
        ),
        (
            "o1-mini",
            [
                ChangeRole("system", "developer"),
                ChangeRole("developer", "user"),
                Rename("max_tokens", "max_completion_tokens"),
                Drop("temperature"),
            ],
        ),
    ],
)
def test_probe_learns_every_rule_of_a_profile_in_one_run(
    azure_env: AzureEmulator,
    tmp_path: Path,
    deployment: str,
    expected: list[object],
    capsys: pytest.CaptureFixture[str],
) -> None:
    """One probe run learns every rule the profile has, writes them to the cache, and prints them."""
    cache = tmp_path / "rules.json"
    assert main(["--cache", str(cache), "probe", "--deployment", deployment, "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["error"] is None
    (mapping,) = JSONFileStore(cache).items().values()
    assert list(mapping.fixes) == expected
    assert len(doc["rules"]) == len(expected)
    assert azure_env.count(deployment) == len(expected) + 1
    azure_env.reset()
    assert main(["--cache", str(cache), "probe", "--deployment", deployment]) == 0
    assert azure_env.count(deployment) == 1  # everything already known: one request


def test_probe_reports_a_protected_rejection_without_repairing_it(
    azure_env: AzureEmulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A deployment refusing a protected param (n) has it reported, not repaired, and the other rules learned."""
    azure_env.deployments["no-n"] = ModelProfile(
        "no-n", "no-n-1", (Unsupported("n"), Unsupported("max_tokens", use="max_completion_tokens"))
    )
    cache = tmp_path / "r.json"
    assert main(["--cache", str(cache), "probe", "--deployment", "no-n", "--params", "n,max_tokens", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["blocked"] == ["n"]
    assert doc["rules"] == [{"param": "max_tokens", "new": "max_completion_tokens", "kind": "rename"}]
    assert all(body.get("n") == 1 for body in azure_env.bodies("no-n")[:1])


def test_probe_rejects_unknown_params(
    azure_env: AzureEmulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An unknown --params name exits 2 with the list of known ones and sends nothing."""
    assert main(["--cache", str(tmp_path / "r.json"), "probe", "--deployment", "o4-mini", "--params", "bogus"]) == 2
    assert "no probe value for bogus" in capsys.readouterr().err
    assert azure_env.count() == 0
