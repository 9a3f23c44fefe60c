"""The resilient-client command line, run in-process through main() and once as a real console script."""

from __future__ import annotations

import functools
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from resilient_client import DeploymentKey, Drop, Evidence, JSONFileStore, LearnedRule, Rename
from resilient_client._core import merge
from resilient_client._serialize import loads
from resilient_client.cli import main

O4 = DeploymentKey("contoso.openai.azure.com", "o4-mini", "2025-04-01-preview", "chat/completions")
GPT5 = DeploymentKey("contoso.openai.azure.com", "gpt-5", "2025-04-01-preview", "chat/completions")
MESSAGE = "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead."


def learn(path: Path, key: DeploymentKey, *rules: LearnedRule) -> None:
    store = JSONFileStore(path)
    for learned in rules:
        store.update(key, functools.partial(merge, rule=learned))


def rule(fix: Rename | Drop, seen: float = 1_790_000_000.0) -> LearnedRule:
    return LearnedRule(fix, Evidence(400, "unsupported_parameter", MESSAGE, seen, seen, hits=3))


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "rules.json"
    monkeypatch.setenv("RESILIENT_CLIENT_CACHE", str(path))
    learn(path, O4, rule(Rename("max_tokens", "max_completion_tokens")), rule(Drop("temperature")))
    learn(path, GPT5, rule(Drop("top_p")))
    return path


def test_path_prints_the_environment_setting(cache: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`cache path` prints $RESILIENT_CLIENT_CACHE when it is set."""
    assert main(["cache", "path"]) == 0
    assert capsys.readouterr().out.strip() == str(cache)


def test_show_prints_a_table_with_evidence_hits_and_last_seen(
    cache: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`cache show` lists key, rule, evidence, hits and last seen for every rule (on a terminal wide enough)."""
    monkeypatch.setenv("COLUMNS", "200")
    assert main(["cache", "show"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["KEY", "RULE", "EVIDENCE", "REJECTED", "REWRITTEN", "LAST", "SEEN"]
    assert len(out) == 4
    assert any(
        "rename max_tokens -> max_completion_tokens" in line and "400 unsupported_parameter" in line for line in out
    )
    assert all(" 3 " in line for line in out[1:])


def test_show_filters_by_deployment_and_speaks_json(cache: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`cache show --deployment D --json` prints only D's rules as JSON."""
    assert main(["cache", "show", "--deployment", "gpt-5", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["key"]["deployment"], r["fix"]) for r in rows] == [("gpt-5", {"param": "top_p", "kind": "drop"})]


def test_clear_one_deployment_keeps_the_others(cache: Path) -> None:
    """`cache clear --deployment D` forgets D's rules and nothing else."""
    assert main(["cache", "clear", "--deployment", "o4-mini"]) == 0
    rules = JSONFileStore(cache).items()
    assert rules.get(O4) is None
    assert rules[GPT5].fixes == (Drop("top_p"),)
    assert main(["cache", "clear"]) == 0
    assert JSONFileStore(cache).items() == {}


def test_export_then_import_round_trips_and_merges(cache: Path, tmp_path: Path) -> None:
    """An export imported into another cache reproduces its rules; importing twice merges instead of duplicating."""
    exported = tmp_path / "export.json"
    assert main(["cache", "export", str(exported)]) == 0
    other = tmp_path / "other.json"
    learn(other, O4, rule(Drop("seed")))
    assert main(["--cache", str(other), "cache", "import", str(exported)]) == 0
    assert main(["--cache", str(other), "cache", "import", str(exported)]) == 0
    rules = JSONFileStore(other).items()
    assert rules[O4].fixes == (Drop("seed"), Rename("max_tokens", "max_completion_tokens"), Drop("temperature"))
    assert rules[GPT5].fixes == (Drop("top_p"),)
    assert rules[O4].rules[1].evidence.hits == 6


@pytest.mark.parametrize(
    "content",
    [
        "not json",
        '{"deployments": []}',
        '{"schema": 99, "deployments": []}',
        (
            '{"schema": 1, "deployments": [{"key": {"host": "h", "deployment": "d", "api_version": "", '
            '"operation": "o"}, "rules": [{"fix": {"kind": "rename", "param": "max_tokens", "new": "__class__"}, '
            '"evidence": {"status": 400, "code": null, "message": "m", "first_seen": 1, "last_seen": 1, "hits": 1}}]}]}'
        ),
    ],
    ids=["not-json", "no-schema", "newer-schema", "hostile-name"],
)
def test_import_validates_before_touching_the_cache(
    cache: Path, tmp_path: Path, content: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """An invalid import file is refused with exit status 1 and a reason, and the cache is left byte for byte."""
    before = cache.read_bytes()
    bad = tmp_path / "bad.json"
    bad.write_text(content)
    assert main(["cache", "import", str(bad)]) == 1
    assert "cannot import" in capsys.readouterr().err
    assert cache.read_bytes() == before


def test_console_script_runs(cache: Path) -> None:
    """`python -m resilient_client cache show --json` works as a separate process."""
    out = subprocess.run(
        [sys.executable, "-m", "resilient_client", "--cache", str(cache), "cache", "show", "--json"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    assert len(json.loads(out)) == 3


def test_export_is_readable_by_its_owner_only(cache: Path, tmp_path: Path) -> None:
    """`cache export` writes 0600, also over an existing 0644 file."""
    out = tmp_path / "export.json"
    out.write_text("old")
    out.chmod(0o644)
    assert main(["cache", "export", str(out)]) == 0
    assert out.stat().st_mode & 0o777 == 0o600
    assert len(loads(out.read_bytes())) == 2


def test_prune_forgets_rules_not_seen_for_the_given_age(
    cache: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Rules older than --older-than go; a key left without rules goes; a fresh rule stays."""
    learn(cache, O4, rule(Drop("top_p"), seen=time.time()))
    assert main(["cache", "prune", "--older-than", "30d"]) == 0
    assert "pruned 3 rule(s)" in capsys.readouterr().err
    rules = loads(cache.read_bytes())
    assert list(rules) == [O4]
    assert rules[O4].fixes == (Drop("top_p"),)


def test_prune_by_deployment_keeps_the_others(cache: Path) -> None:
    """`--deployment` limits pruning to one deployment."""
    assert main(["cache", "prune", "--older-than", "0", "--deployment", "gpt-5"]) == 0
    assert set(loads(cache.read_bytes())) == {O4}


@pytest.mark.parametrize("age", ["soon", "-1d", "infd", "nan"])
def test_prune_refuses_an_age_it_cannot_read(cache: Path, age: str, capsys: pytest.CaptureFixture[str]) -> None:
    """A bad age is a usage error (exit 2) that names the value; the cache is untouched."""
    before = cache.read_bytes()
    with pytest.raises(SystemExit) as info:
        main(["cache", "prune", f"--older-than={age}"])
    assert info.value.code == 2
    assert repr(age) in capsys.readouterr().err
    assert cache.read_bytes() == before


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("redis://:hunter2@cache.internal:6380/0", "redis://:***@cache.internal:6380/0"),
        ("rediss://app:hunter2@cache.internal/1", "rediss://app:***@cache.internal/1"),
        ("redis://cache.internal:6379/0", "redis://cache.internal:6379/0"),
    ],
)
def test_path_never_prints_a_password(
    url: str, shown: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`cache path` shows a Redis URL with its password replaced."""
    monkeypatch.setenv("RESILIENT_CLIENT_CACHE", url)
    assert main(["cache", "path"]) == 0
    assert capsys.readouterr().out.strip() == shown
