"""`resilient-client doctor`: what a process would use, and what is wrong with it; it changes nothing."""

from __future__ import annotations

import functools
import json
import time
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest
import redis

from resilient_client import JSONFileStore
from resilient_client._core import merge
from resilient_client._doctor import satisfies
from resilient_client.cli import main
from tests.stores.helpers import KEY, RedisServer, free_port, rule


def doctor(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main([*args, "doctor"])
    out, err = capsys.readouterr()
    assert err == ""
    return code, out


def report(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any]]:
    code = main([*args, "doctor", "--json"])
    return code, json.loads(capsys.readouterr().out)


def value(out: str, label: str) -> str:
    (line,) = (line for line in out.splitlines() if line.startswith(f"  {label}  "))
    return line[len(label) + 2 :].strip()


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A cache file with two rules, named by $RESILIENT_CLIENT_CACHE."""
    path = tmp_path / "cache" / "rules.json"
    store = JSONFileStore(path)
    for param in ("temperature", "top_p"):
        store.update(KEY, functools.partial(merge, rule=rule(param)))
    monkeypatch.setenv("RESILIENT_CLIENT_CACHE", str(path))
    return path


def listing(directory: Path) -> dict[str, tuple[bytes, int, int]]:
    return {p.name: (p.read_bytes(), p.stat().st_mode, p.stat().st_mtime_ns) for p in directory.iterdir()}


def test_a_healthy_file_store(cache: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Exit 0: where the store came from, the file's facts, its rules, the versions; nothing changed."""
    before = listing(cache.parent)
    code, out = doctor(capsys)
    assert code == 0
    assert value(out, "from") == "$RESILIENT_CLIENT_CACHE"
    assert value(out, "spec") == str(cache)
    assert value(out, "kind") == "file"
    assert value(out, "symlink") == "no"
    assert value(out, "directory") == f"{cache.parent} (exists)"
    assert value(out, "permissions").startswith("0600, owner uid ")
    assert value(out, "lock").startswith(f"{cache}.lock (")
    assert (value(out, "readable"), value(out, "writable")) == ("yes", "yes")
    assert value(out, "free space").endswith(("KiB", "MiB", "GiB", "TiB"))
    assert (value(out, "entries"), value(out, "rules")) == ("1", "2")
    assert value(out, "openai").startswith(f"{metadata.version('openai')} (supported: ")
    assert out.rstrip().endswith("ok: nothing to fix")
    assert listing(cache.parent) == before


def test_a_read_only_file_store_is_a_note_not_a_problem(cache: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """No write bit (root included): writable says no, a note says what it means; exit 0."""
    cache.chmod(0o444)
    code, out = doctor(capsys)
    assert code == 0
    assert value(out, "writable").startswith("no: the file has no write permission bit")
    assert f"note: {cache} is read-only" in out
    code, doc = report(capsys)
    assert (code, doc["ok"], doc["problems"]) == (0, True, [])
    assert doc["store"]["writable"].startswith("no: ")
    assert len(doc["notes"]) == 1


def test_a_symlinked_store_names_its_target(cache: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    link = tmp_path / "link.json"
    link.symlink_to(cache)
    code, out = doctor(capsys, "--cache", str(link))
    assert code == 0
    assert value(out, "from") == "--cache"
    assert value(out, "symlink").startswith(f"yes, to {cache}")
    assert value(out, "lock").startswith(f"{cache}.lock")


@pytest.mark.parametrize(
    ("content", "said"),
    [
        ("{not json", "the cache file is corrupt"),
        ('{"schema": 99, "deployments": []}', "cache schema version 99 is newer"),
        (
            '{"schema": 1, "deployments": [{"key": 1, "rules": []}]}',
            "1 part(s) of the file fail validation and are skipped",
        ),
    ],
)
def test_an_unusable_file_is_a_problem(
    cache: Path, capsys: pytest.CaptureFixture[str], content: str, said: str
) -> None:
    """Corrupt, newer, or with invalid entries: exit 1, the problem named; the file is left as it is."""
    cache.write_text(content)
    before = listing(cache.parent)
    code, out = doctor(capsys)
    assert code == 1
    assert f"problem: {cache}: {said}" in out
    assert out.rstrip().endswith("1 problem to fix")
    assert listing(cache.parent) == before


def test_a_missing_directory_that_cannot_be_made(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "file").write_text("")
    code, out = doctor(capsys, "--cache", str(tmp_path / "file" / "rules.json"))
    assert code == 1
    assert f"cannot be made: {tmp_path / 'file'} is not a directory" in out


def test_the_default_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """No argument, no variable: the default file, said so; it need not exist yet."""
    monkeypatch.delenv("RESILIENT_CLIENT_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    code, doc = report(capsys)
    assert code == 0
    assert doc["store"]["from"] == "the default ($RESILIENT_CLIENT_CACHE is not set)"
    assert doc["store"]["spec"] == str(tmp_path / "xdg" / "resilient-client" / "rules.json")
    assert doc["store"]["readable"] == "yes (no file yet)"
    assert not (tmp_path / "xdg").exists()


def test_a_bad_spec_is_a_problem(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("RESILIENT_CLIENT_CACHE", "redis:/cache.internal")
    code, doc = report(capsys)
    assert (code, doc["ok"]) == (1, False)
    assert doc["store"]["from"] == "$RESILIENT_CLIENT_CACHE"
    assert doc["problems"] == ["store spec 'redis:/cache.internal': a redis URL starts with 'redis://'"]


def test_a_redis_without_persistence(redis_server: RedisServer, capsys: pytest.CaptureFixture[str]) -> None:
    """Started with --save '' --appendonly no: it works (exit 0), and the note says it forgets on restart."""
    code, out = doctor(capsys, "--cache", redis_server.url)
    assert code == 0
    assert value(out, "kind") == "redis"
    assert value(out, "server").startswith("Redis ")
    assert value(out, "mode") == "standalone"
    assert value(out, "persistence").startswith("none")
    assert value(out, "rules").isdigit()
    assert f"note: {redis_server.url} has no persistence" in out
    assert "forgets every rule when it restarts" in out


@pytest.fixture
def persistent_redis(redis_binary: str, tmp_path: Path) -> Iterator[str]:
    server = RedisServer(redis_binary, tmp_path)
    server.start()
    client = redis.Redis.from_url(server.url)
    client.config_set("appendonly", "yes")
    # Until the initial AOF is written, redis-server refuses SIGTERM ("Writing initial AOF, can't exit").
    deadline = time.monotonic() + 10
    while client.info("persistence")["aof_rewrite_in_progress"] and time.monotonic() < deadline:
        time.sleep(0.01)
    client.close()
    yield server.url
    server.stop()


def test_a_redis_with_aof_has_no_note(persistent_redis: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, doc = report(capsys, "--cache", persistent_redis)
    assert (code, doc["notes"], doc["store"]["persistence"]) == (0, [], "AOF")


def test_a_cluster(redis_cluster: str, capsys: pytest.CaptureFixture[str]) -> None:
    """A 3-master cluster through redis+cluster://: its mode and state, and the note on persistence."""
    code, out = doctor(capsys, "--cache", redis_cluster)
    assert code == 0
    assert value(out, "kind") == "redis-cluster"
    assert value(out, "mode") == "cluster of 3 masters, ok"
    assert "has no persistence" in out


def test_a_redis_that_is_down(capsys: pytest.CaptureFixture[str]) -> None:
    url = f"redis://:hunter2@127.0.0.1:{free_port()}/0"
    code, out = doctor(capsys, "--cache", url)
    assert code == 1
    assert "problem: redis://:***@127.0.0.1:" in out
    assert "unreachable" in out
    assert "hunter2" not in out


def test_versions_come_from_the_distribution(capsys: pytest.CaptureFixture[str], cache: Path) -> None:
    """The ranges shown are the installed distribution's own, not a copy."""
    code, doc = report(capsys)
    declared = next(r for r in metadata.requires("resilient-client") or [] if r.startswith("openai"))
    assert code == 0
    assert doc["versions"]["openai"] == f"{metadata.version('openai')} (supported: {declared[len('openai') :]})"
    assert doc["versions"]["python"].endswith(
        f"(supported: {metadata.metadata('resilient-client')['Requires-Python']})"
    )


def test_an_openai_outside_the_range_is_a_problem(
    cache: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    real = metadata.version
    monkeypatch.setattr(metadata, "version", lambda name: "2.30.0" if name == "openai" else real(name))
    code, doc = report(capsys)
    assert code == 1
    assert doc["versions"]["openai"].endswith(": OUTSIDE THE RANGE")
    assert any(p.startswith("openai 2.30.0 is outside the range") for p in doc["problems"])


@pytest.mark.parametrize(
    ("version", "specifier", "ok"),
    [
        ("3.57.0", "<4,>=3.3", True),
        ("3.3", "<4,>=3.3", True),
        ("3.2.9", "<4,>=3.3", False),
        ("4.0.0", "<4,>=3.3", False),
        ("3.10.2", ">=3.10", True),
        ("3.9.18", ">=3.10", False),
        ("1.4.2", "~=1.4", True),
        ("2.0", "~=1.4", False),
        ("3.1.5", "==3.1.*", True),
        ("3.2.0", "!=3.2.*", False),
        ("3.11.0rc1", ">=3.10", True),
    ],
)
def test_satisfies(version: str, specifier: str, ok: bool) -> None:  # noqa: FBT001 - a parameter of the table
    assert satisfies(version, specifier) is ok
