"""`resilient-client demo` and `resilient-client probe`, against the bundled emulator."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from resilient_client import ChangeRole, Drop, JSONFileStore, Rename, SetValue
from resilient_client._demo import PROVIDER_CALLS, ProviderCall
from resilient_client.cli import main
from resilient_client.testing import PROVIDERS, AzureEmulator, ModelProfile, Unsupported


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
    assert "REWRITTEN" in out


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


GEMINI_SAID = 'Invalid JSON payload received. Unknown name "{}": Cannot find field.'


@pytest.mark.parametrize(
    ("provider", "said", "learned", "first"),
    [
        (
            "gemini",
            # One array body naming all three, its messages joined with newlines (gm-001, gm-006).
            [
                "<- 400 from Gemini: "
                + "\n       ".join(GEMINI_SAID.format(p) for p in ("frequency_penalty", "store", "top_k"))
            ],
            ["learned for 'gemini-2.5-flash': drop frequency_penalty, drop store, drop top_k; retrying"],
            2,
        ),
        (
            "xai",
            [
                "<- 400 from xAI: Model grok-4-latest does not support parameter presencePenalty.",
                "<- 400 from xAI: Model grok-4-latest does not support parameter stop.",
            ],
            [
                "learned for 'grok-4-latest': drop presence_penalty; retrying",
                "learned for 'grok-4-latest': drop stop; retrying",
            ],
            3,
        ),
    ],
)
def test_demo_provider_shows_learn_retry_and_cached(
    capsys: pytest.CaptureFixture[str], provider: str, said: list[str], learned: list[str], first: int
) -> None:
    """`demo --provider` shows the provider's rejections, the rules learned, the retry, then a one-request call."""
    assert main(["demo", "--provider", provider]) == 0
    out = capsys.readouterr().out
    assert f"/{provider}/v1; model {PROVIDER_CALLS[provider].model!r}." in out
    for rejection in said:
        assert f"\n    {rejection}\n" in out
    assert out.count("    <- 400 from ") == len(said) == first - 1
    assert [line.strip() for line in out.splitlines() if "learned for" in line] == learned
    assert out.count("<- 200 OK: 'ok'") == 2
    assert f"  {first} request(s)" in out
    assert "  1 request(s)" in out
    assert "KEY" in out
    assert "REWRITTEN" in out


def test_demo_provider_json_is_machine_readable(capsys: pytest.CaptureFixture[str]) -> None:
    """`demo --provider xai --json`: 3 requests (one rule learned from each 400), then 1 without the refused params."""
    assert main(["demo", "--provider", "xai", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert (doc["ok"], doc["provider"], doc["model"]) == (True, "xai", "grok-4-latest")
    assert [c["requests"] for c in doc["calls"]] == [3, 1]
    first = doc["calls"][0]["steps"]
    assert [s["sent"] for s in first] == [{"presence_penalty": 0.1, "stop": ["END"]}, {"stop": ["END"]}, {}]
    assert [s["status"] for s in first] == [400, 400, 200]
    assert first[0]["provider_said"] == "Model grok-4-latest does not support parameter presencePenalty."
    assert [s.get("learned") for s in first] == [
        {"param": "presence_penalty", "kind": "drop"},
        {"param": "stop", "kind": "drop"},
        None,
    ]
    assert doc["calls"][1]["steps"] == [{"sent": {}, "status": 200}]
    assert doc["cache"][0]["rules"] == [
        {"param": "presence_penalty", "kind": "drop"},
        {"param": "stop", "kind": "drop"},
    ]


def test_demo_provider_json_lists_every_fix_one_body_taught(capsys: pytest.CaptureFixture[str]) -> None:
    """Gemini's one array body teaches three fixes: the step carries them all; the next call sends one request."""
    assert main(["demo", "--provider", "gemini", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [c["requests"] for c in doc["calls"]] == [2, 1]
    step = doc["calls"][0]["steps"][0]
    assert [step["learned"], *step["learned_also"]] == [
        {"param": p, "kind": "drop"} for p in ("frequency_penalty", "store", "top_k")
    ]
    assert step["rule"] == "drop frequency_penalty, drop store, drop top_k"
    assert doc["calls"][1]["steps"] == [{"sent": {}, "status": 200}]


@pytest.mark.parametrize("provider", list(PROVIDER_CALLS))
def test_demo_runs_against_every_provider_profile(capsys: pytest.CaptureFixture[str], provider: str) -> None:
    """Each provider's demo call is refused at first, then one request on the learned rules; the demo exits 0."""
    assert main(["demo", "--provider", provider, "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    first, second = (c["requests"] for c in doc["calls"])
    assert (first > 1, second) == (True, 1)
    dropped = {fix["param"] for rules in doc["cache"] for fix in rules["rules"] if fix["kind"] == "drop"}
    assert dropped
    assert not dropped & set(doc["calls"][1]["steps"][0]["sent"])


def test_demo_provider_exits_1_when_nothing_was_learned(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A call the provider accepts at once needs no repair: the demo did not show learning, and exits 1."""
    monkeypatch.setitem(PROVIDER_CALLS, "xai", ProviderCall("xAI", "grok-4-latest", {"max_tokens": 20}))
    assert main(["demo", "--provider", "xai", "--json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert ([c["requests"] for c in doc["calls"]], doc["ok"]) == ([1, 1], False)


def test_demo_has_a_call_for_every_provider_profile() -> None:
    """`--provider` offers exactly the emulator's OpenAI-compatible provider profiles."""
    assert set(PROVIDER_CALLS) == set(PROVIDERS)


def test_demo_unknown_provider_is_an_argparse_error(capsys: pytest.CaptureFixture[str]) -> None:
    """An unknown --provider exits 2 with the choices, before any server starts."""
    with pytest.raises(SystemExit) as info:
        main(["demo", "--provider", "nope"])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "invalid choice: 'nope'" in err
    assert "gemini" in err


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
