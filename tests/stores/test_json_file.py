"""JSONFileStore: the store contract, the faults a cache file meets, and many processes writing one file."""

from __future__ import annotations

import errno
import json
import os
import queue
import random
import signal
import stat
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import pytest
import structlog.testing

from resilient_client._errors import NewerSchemaError
from resilient_client._models import DeploymentKey, DeploymentMapping, Rename
from resilient_client._serialize import Rules, dumps, loads
from resilient_client.stores import JSONFileStore
from resilient_client.testing import AzureEmulator
from tests.stores.children import commit_key, commit_param, fleet_expected
from tests.stores.contract import StoreContract, StoreFactory
from tests.stores.helpers import (
    KEY,
    OTHER_KEY,
    ROOT,
    all_params,
    ask,
    child_command,
    child_env,
    learn,
    params,
    problems,
    run_child,
)

RENAME = Rename("max_tokens", "max_completion_tokens")


class TestJSONFileStore(StoreContract):
    @pytest.fixture
    def store_factory(self, tmp_path: Path) -> StoreFactory:
        """New JSONFileStores on one file, as separate processes would open it."""
        path = tmp_path / "rules.json"
        return lambda: JSONFileStore(path)


def only_mapping(store: JSONFileStore) -> DeploymentMapping:
    """The one mapping a store holds (a client learned it, so its key is the emulator's)."""
    (mapping,) = store.items().values()
    return mapping


def assert_one_cold_call(azure: AzureEmulator) -> None:
    """The emulator saw what a cold o4-mini call with max_tokens costs: one 400, then the repaired 200."""
    assert [r.status for r in azure.requests] == [400, 200]


# -- a corrupt or foreign file ----------------------------------------------------------------

CORRUPT = {
    "truncated": b'{"schema": 1, "deployments": [{"key": {"host": "h", "deplo',
    "not json": b"\x00\x01garbage\xff",
    "empty": b"",
}

WRONG_LAYOUT = {
    "a list": [],
    "no schema": {"deployments": []},
    "schema is a string": {"schema": "1", "deployments": []},
    "schema is a bool": {"schema": True, "deployments": []},
    "older schema": {"schema": 0, "deployments": []},
    "deployments is an object": {"schema": 1, "deployments": {}},
    "entry without rules": {"schema": 1, "deployments": [{"key": {"host": "h"}}]},
    "fix outside the grammar": {
        "schema": 1,
        "deployments": [
            {
                "key": {"host": "h", "deployment": "d", "api_version": "v", "operation": "chat/completions"},
                "rules": [
                    {
                        "fix": {"kind": "rename", "param": "max_tokens", "new": "__class__"},
                        "evidence": {"status": 400, "message": "m", "first_seen": 1, "last_seen": 1, "hits": 1},
                    }
                ],
            }
        ],
    },
}

BAD_FILES = {**CORRUPT, **{name: json.dumps(doc).encode() for name, doc in WRONG_LAYOUT.items()}}


@pytest.mark.parametrize("content", BAD_FILES.values(), ids=BAD_FILES.keys())
def test_bad_file_is_kept_aside_and_the_store_starts_empty(
    azure: AzureEmulator, tmp_path: Path, content: bytes
) -> None:
    """A corrupt or wrongly laid out file is kept as rules.json.corrupt-*, one 'corrupt' warning, the call succeeds."""
    path = tmp_path / "rules.json"
    path.write_bytes(content)
    store = JSONFileStore(path)
    with structlog.testing.capture_logs() as events:
        assert ask(azure, store) == "ok"
    assert_one_cold_call(azure)
    assert problems(events) == ["corrupt"]
    (aside,) = tmp_path.glob("rules.json.corrupt-*")
    assert aside.read_bytes() == content
    assert only_mapping(JSONFileStore(path)).fixes == (RENAME,)


def test_file_corrupted_under_a_loaded_store_is_kept_aside_on_the_next_write(tmp_path: Path) -> None:
    """A file that turns corrupt after it was loaded is kept aside when the store next writes, and rewritten valid."""
    path = tmp_path / "rules.json"
    store = JSONFileStore(path)
    store.update(KEY, learn("top_p"))
    path.write_bytes(b"{oops")
    with structlog.testing.capture_logs() as events:
        store.update(OTHER_KEY, learn("logprobs"))
    assert problems(events) == ["corrupt"]
    (aside,) = tmp_path.glob("rules.json.corrupt-*")
    assert aside.read_bytes() == b"{oops"
    assert set(loads(path.read_bytes())) == {OTHER_KEY}


def test_newer_schema_file_is_never_overwritten(azure: AzureEmulator, tmp_path: Path) -> None:
    """A file written by a newer version stays byte for byte; rules learned meanwhile are used from memory."""
    path = tmp_path / "rules.json"
    newer = json.dumps({"schema": 99, "deployments": [{"what": "a newer layout"}], "extra": True}).encode()
    path.write_bytes(newer)
    with pytest.raises(NewerSchemaError):
        loads(newer)
    store = JSONFileStore(path)
    with structlog.testing.capture_logs() as events:
        assert ask(azure, store) == "ok"
        assert_one_cold_call(azure)
        azure.reset()
        assert ask(azure, store) == "ok"
    assert [r.status for r in azure.requests] == [200]  # the rule learned is applied from memory
    assert path.read_bytes() == newer
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("rules.json.lease")) == [
        "rules.json",
        "rules.json.lock",
    ]
    assert problems(events).count("schema") == 1
    assert len(problems(events)) == len(set(problems(events)))  # each problem is logged once
    mapping = store.get(next(iter(store.items())))
    assert mapping is not None
    assert mapping.fixes == (RENAME,)


def test_unchanged_newer_schema_file_is_not_reread(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A newer-schema file that does not change is read once, not on every check."""
    path = tmp_path / "rules.json"
    path.write_text(json.dumps({"schema": 99, "deployments": []}))
    store = JSONFileStore(path, check_interval=0)
    reads = count_reads(store, monkeypatch)
    for _ in range(1000):
        store.get(KEY)
    assert reads == [path]


# -- a file that cannot be written ------------------------------------------------------------


def test_unwritable_directory_keeps_rules_in_memory_until_a_write_succeeds(
    azure: AzureEmulator, tmp_path: Path
) -> None:
    """With the file's 'directory' a regular file the call succeeds from memory; once writable, both rules persist."""
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a regular file where the cache directory should be")
    path = blocker / "rules.json"
    store = JSONFileStore(path)
    with structlog.testing.capture_logs() as events:
        assert ask(azure, store) == "ok"
    assert_one_cold_call(azure)
    assert "write" in problems(events)
    assert len(problems(events)) == len(set(problems(events)))
    assert only_mapping(store).fixes == (RENAME,)

    blocker.unlink()  # the directory can be created now
    azure.reset()
    assert ask(azure, store, temperature=0.5) == "ok"
    assert [r.status for r in azure.requests] == [400, 200]  # max_tokens was renamed from memory; temperature learned
    assert params(only_mapping(JSONFileStore(path))) == {"max_tokens", "temperature"}


def test_permission_denied_keeps_rules_in_memory_until_a_write_succeeds(
    azure: AzureEmulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If the temp file cannot be created (EACCES) calls succeed with one 'write' warning; a later write persists."""
    path = tmp_path / "rules.json"
    store = JSONFileStore(path)

    def denied(*args: Any, **kwargs: Any) -> tuple[int, str]:
        raise PermissionError(errno.EACCES, "Permission denied", str(tmp_path))

    with monkeypatch.context() as patch, structlog.testing.capture_logs() as events:
        patch.setattr("tempfile.mkstemp", denied)
        assert ask(azure, store) == "ok"
        assert ask(azure, store) == "ok"
    assert [r.status for r in azure.requests] == [400, 200, 200]
    assert problems(events) == ["write"]
    assert not path.exists()
    assert only_mapping(store).fixes == (RENAME,)

    store.update(OTHER_KEY, learn("top_p"))
    on_disk = loads(path.read_bytes())
    assert all_params(on_disk) == {"max_tokens", "top_p"}
    assert on_disk == store.items()


def test_full_disk_keeps_rules_in_memory_and_leaves_no_temporary_file(
    azure: AzureEmulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When fsync fails with ENOSPC the call succeeds, the old file and no temp file remain; a later write persists."""
    path = tmp_path / "rules.json"
    JSONFileStore(path).update(OTHER_KEY, learn("top_p"))
    before = path.read_bytes()
    store = JSONFileStore(path)

    def no_space(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    with monkeypatch.context() as patch, structlog.testing.capture_logs() as events:
        patch.setattr(os, "fsync", no_space)
        assert ask(azure, store) == "ok"
    assert_one_cold_call(azure)
    assert problems(events) == ["write"]
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")) == []
    assert all_params(store.items()) == {"max_tokens", "top_p"}

    store.update(OTHER_KEY, learn("logprobs"))
    assert all_params(loads(path.read_bytes())) == {"max_tokens", "top_p", "logprobs"}


def test_a_clear_the_file_cannot_take_is_kept_in_memory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A clear() that cannot be written is kept in memory, as an update would be: the cleared rules do not come back."""
    path = tmp_path / "rules.json"
    store = JSONFileStore(path)
    store.update(KEY, learn("top_p"))

    def denied(*args: Any, **kwargs: Any) -> tuple[int, str]:
        raise PermissionError(errno.EACCES, "Permission denied", str(tmp_path))

    with monkeypatch.context() as patch, structlog.testing.capture_logs() as events:
        patch.setattr("tempfile.mkstemp", denied)
        store.clear()
        assert (store.get(KEY), problems(events)) == (None, ["write"])
        assert store.items() == {}


# -- permissions, reloads, links --------------------------------------------------------------


@pytest.fixture(params=[0o000, 0o022, 0o077], ids=lambda m: f"umask={m:03o}")
def umask(request: pytest.FixtureRequest) -> Iterator[int]:
    """Run the test under a given umask, restored afterwards."""
    mask: int = request.param
    old = os.umask(mask)
    yield mask
    os.umask(old)


@pytest.mark.parametrize(("mode", "expected"), [(None, 0o600), (0o660, 0o660), (0o644, 0o644)])
def test_file_mode_is_the_one_asked_for_whatever_the_umask(
    tmp_path: Path, umask: int, mode: int | None, expected: int
) -> None:
    """The cache file gets mode 0o600 by default and exactly the mode= given otherwise, under any umask."""
    path = tmp_path / "rules.json"
    store = JSONFileStore(path) if mode is None else JSONFileStore(path, mode=mode)
    store.update(KEY, learn("top_p"))
    assert stat.S_IMODE(os.stat(path).st_mode) == expected
    store.update(KEY, learn("logprobs"))  # a rewrite is a new file: it must get the mode too
    assert stat.S_IMODE(os.stat(path).st_mode) == expected


def count_reads(store: JSONFileStore, monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Record each read of the cache file by ``store`` (the list grows by one path per read)."""
    reads: list[Path] = []
    original = store._read

    def counting() -> Rules | None:
        reads.append(store.path)
        return original()

    monkeypatch.setattr(store, "_read", counting)
    return reads


def test_file_is_reread_only_when_it_changed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """1000 get() on an unchanged file re-read nothing; another instance's write causes exactly one re-read."""
    path = tmp_path / "rules.json"
    writer = JSONFileStore(path)
    writer.update(KEY, learn("top_p"))
    store = JSONFileStore(path, check_interval=0)
    store.refresh()
    reads = count_reads(store, monkeypatch)
    for _ in range(1000):
        assert params(store.get(KEY)) == {"top_p"}
    assert reads == []

    writer.update(KEY, learn("logprobs"))
    for _ in range(1000):
        assert params(store.get(KEY)) == {"top_p", "logprobs"}
    assert reads == [path]


def test_a_touched_file_is_reread_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A new mtime alone (same inode, same size) makes the next check re-read the file, once."""
    path = tmp_path / "rules.json"
    JSONFileStore(path).update(KEY, learn("top_p"))
    store = JSONFileStore(path, check_interval=0)
    store.refresh()
    reads = count_reads(store, monkeypatch)
    st = os.stat(path)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    for _ in range(10):
        store.get(KEY)
    assert reads == [path]


def test_get_within_the_check_interval_does_not_even_stat(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Inside check_interval, get() neither stats nor reads the file, even if another instance wrote it."""
    path = tmp_path / "rules.json"
    JSONFileStore(path).update(KEY, learn("top_p"))
    store = JSONFileStore(path, check_interval=3600)
    assert params(store.get(KEY)) == {"top_p"}
    stats: list[object] = []
    monkeypatch.setattr(store, "_stat", lambda: stats.append(None))
    reads = count_reads(store, monkeypatch)
    JSONFileStore(path).update(KEY, learn("logprobs"))
    for _ in range(1000):
        assert params(store.get(KEY)) == {"top_p"}
    assert (stats, reads) == ([], [])


def test_a_symlinked_path_is_replaced_not_written_through(tmp_path: Path) -> None:
    """Writing through a path that is a symlink replaces the link with a file and leaves the link's target as it was."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    target = elsewhere / "target.json"
    JSONFileStore(target).update(OTHER_KEY, learn("top_p"))
    original = target.read_bytes()
    link = tmp_path / "rules.json"
    link.symlink_to(target)

    store = JSONFileStore(link)
    assert params(store.get(OTHER_KEY)) == {"top_p"}  # read through the link
    store.update(KEY, learn("logprobs"))
    assert not link.is_symlink()
    assert target.read_bytes() == original
    assert set(loads(link.read_bytes())) == {KEY, OTHER_KEY}
    assert sorted(p.name for p in elsewhere.iterdir()) == ["target.json", "target.json.lock"]


def test_stray_temporary_files_are_not_read_as_the_cache(tmp_path: Path) -> None:
    """Temp files a killed writer left beside the cache are ignored: only rules.json is the cache."""
    path = tmp_path / "rules.json"
    JSONFileStore(path).update(KEY, learn("top_p"))
    (tmp_path / ".rules.json.abc123.tmp").write_text('{"schema": 1, "deployments": [{"key": {"ho')
    (tmp_path / ".rules.json.def456.tmp").write_text(dumps({OTHER_KEY: DeploymentMapping()}))
    store = JSONFileStore(path)
    assert set(store.items()) == {KEY}
    store.update(KEY, learn("logprobs"))
    assert set(loads(path.read_bytes())) == {KEY}


def test_lease_works_before_the_cache_directory_exists(tmp_path: Path) -> None:
    """A fresh cache whose directory does not exist yet still grants a lease once, without a warning."""
    path = tmp_path / "not-created-yet" / "rules.json"
    store, other = JSONFileStore(path), JSONFileStore(path)
    with structlog.testing.capture_logs() as events:
        first = store.lease("k", 30.0)
        second = other.lease("k", 30.0)
    assert (first, second, problems(events)) == (True, False, [])


def test_a_late_release_never_frees_a_lease_another_store_took(tmp_path: Path) -> None:
    """A release that comes after its lease expired and was taken over leaves the new holder's lease in place."""
    path = tmp_path / "rules.json"
    slow, taker, third = JSONFileStore(path), JSONFileStore(path), JSONFileStore(path)
    assert slow.lease("k", 0.2) is True
    time.sleep(0.35)  # the old leader stalls (a GC pause, a slow disk): its lease expires
    assert taker.lease("k", 30.0) is True
    slow.release("k")  # too late: the lease file now names another holder
    assert third.lease("k", 30.0) is False
    taker.release("k")
    assert third.lease("k", 30.0) is True


# -- many processes ---------------------------------------------------------------------------

FLEET_WORKERS = 8
# 25 by default, not the 200 the Redis fleet learns. Every JSONFileStore write takes the
# file lock (filelock polls for it), re-reads and re-validates the whole file and rewrites
# it with json.dumps(indent=1) (the pure-Python encoder), so the cost grows with the square
# of the rules learned: on a 2-CPU machine 8 x 200 took 3 min 45 s and every writer hit the
# 10 s lock timeout at least once (its rule kept in memory, written by its next update);
# 8 x 50 took 11-28 s; 8 x 25 takes about 8 s. Set $STORE_TESTS_FLEET_LEARNS for the full run.
FLEET_LEARNS = int(os.environ.get("STORE_TESTS_FLEET_LEARNS", "200"))


@pytest.mark.slow
def test_processes_learning_into_one_file_keep_every_rule_and_readers_never_see_half_a_file(tmp_path: Path) -> None:
    """8 processes each learning FLEET_LEARNS rules into one file lose none; a 9th json-parses the file meanwhile."""
    path = tmp_path / "rules.json"
    done = run_child("json-fleet", str(path), str(FLEET_WORKERS), str(FLEET_LEARNS))
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["parse_errors"] == [], summary
    assert summary["reads"] > 0
    assert summary["exit_codes"] == [0] * FLEET_WORKERS, done.stderr
    rules = loads(path.read_bytes())
    assert {k: params(m) for k, m in rules.items()} == fleet_expected(FLEET_WORKERS, FLEET_LEARNS), done.stderr
    assert len(all_params(rules)) == FLEET_WORKERS * FLEET_LEARNS
    assert JSONFileStore(path).items() == rules


KILL_ROUNDS = 50


def _lines(stream: IO[str], into: queue.Queue[str | None]) -> None:
    for line in stream:
        into.put(line.strip())
    into.put(None)


@pytest.mark.slow
def test_sigkill_mid_write_never_loses_a_committed_rule(tmp_path: Path) -> None:
    """50 times a writer is SIGKILLed at a random moment: the file always parses and holds every committed rule."""
    path = tmp_path / "rules.json"
    seed = random.randrange(2**32)  # noqa: S311 - a kill schedule, not cryptography; the seed is in each message
    rng = random.Random(seed)  # noqa: S311 - same
    committed: set[int] = set()
    with (
        (tmp_path / "zygote.stderr").open("w+") as stderr,
        subprocess.Popen(
            child_command("commit-zygote", str(path)),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
            cwd=ROOT,
            env=child_env(),
        ) as zygote,
    ):
        assert zygote.stdin is not None
        assert zygote.stdout is not None
        lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=_lines, args=(zygote.stdout, lines), daemon=True).start()

        def next_line() -> str:
            line = lines.get(timeout=60)
            if line is None:
                stderr.seek(0)
                pytest.fail(f"the writer process exited: {stderr.read()}")
            return line

        try:
            for round_ in range(KILL_ROUNDS):
                zygote.stdin.write(f"go {round_ * 1_000_000}\n")
                zygote.stdin.flush()
                pid, seen = None, 0
                while pid is None or seen == 0:
                    word, number = next_line().split()[:2]
                    if word == "pid":
                        pid = int(number)
                    elif word == "committed":
                        committed.add(int(number))
                        seen += 1
                time.sleep(rng.uniform(0.0, 0.03))
                os.kill(pid, signal.SIGKILL)
                while not (line := next_line()).startswith(f"reaped {pid} "):
                    committed.add(int(line.split()[1]))
                assert line == f"reaped {pid} -{signal.SIGKILL}", f"round {round_} (seed {seed})"

                rules = loads(path.read_bytes())
                lost = sorted(n for n in committed if commit_param(n) not in params(rules.get(commit_key(n))))
                assert lost == [], f"round {round_} (seed {seed}): committed rules missing from the file"
                assert JSONFileStore(path).items() == rules
        finally:
            zygote.stdin.close()
            zygote.wait(timeout=60)
    assert zygote.returncode == 0


def test_a_cache_path_that_is_a_directory_keeps_rules_in_memory(azure: AzureEmulator, tmp_path: Path) -> None:
    """When the cache path names a directory, the call succeeds from memory, the directory is untouched, one warning."""
    path = tmp_path / "rules.json"
    path.mkdir()
    (path / "keep.txt").write_text("not ours")
    store = JSONFileStore(path)
    with structlog.testing.capture_logs() as events:
        assert ask(azure, store) == "ok"
        azure.reset()
        assert ask(azure, store) == "ok"
    assert [r.status for r in azure.requests] == [200]  # the rule held in memory
    assert path.is_dir()
    assert [p.name for p in path.iterdir()] == ["keep.txt"]
    assert set(problems(events)) <= {"read", "write", "corrupt"}
    assert len(problems(events)) == len(set(problems(events)))


def test_a_ten_megabyte_cache_loads_and_stays_correct(azure: AzureEmulator, tmp_path: Path) -> None:
    """A cache of ~10 MB (tens of thousands of keys) is read once, learned into, and keeps every entry."""
    path = tmp_path / "rules.json"
    big: Rules = {}
    base = only_rule_mapping()
    for i in range(30_000):
        big[
            DeploymentKey(f"host{i % 50}.openai.azure.com", f"deployment-{i}", "2025-04-01-preview", "chat/completions")
        ] = base
    path.write_text(dumps(big))
    assert path.stat().st_size > 10_000_000
    store = JSONFileStore(path)
    assert ask(azure, store) == "ok"
    reread = JSONFileStore(path).items()
    assert len(reread) == len(big) + 1
    assert all(reread[key] == base for key in list(big)[:100])


def only_rule_mapping() -> DeploymentMapping:
    """A realistic mapping: three rules with full evidence and an accepted signature."""
    mapping = DeploymentMapping()
    for param in ("temperature", "top_p", "presence_penalty"):
        mapping = learn(param)(mapping)
    return mapping


def test_an_unusable_cache_directory_never_makes_a_call_wait_for_a_lease(tmp_path: Path) -> None:
    """Where no lease file can be made (the directory is a file), lease() grants at once, with one warning."""
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("x")
    store = JSONFileStore(blocker / "rules.json")
    with structlog.testing.capture_logs() as events:
        assert store.lease("key", 15.0) is True
        assert store.lease("key", 15.0) is True
        store.release("key")
    assert problems(events) == ["lease"]
