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

import filelock
import pytest
import structlog.testing

from resilient_client._core import MAX_KEYS
from resilient_client._errors import NewerSchemaError
from resilient_client._models import DeploymentKey, DeploymentMapping, Rename
from resilient_client._serialize import Rules, dumps, loads
from resilient_client.stores import JSONFileStore
from resilient_client.testing import AzureEmulator
from tests.stores.children import ROUND, commit_key, commit_param, fleet_expected
from tests.stores.contract import StoreContract, StoreFactory
from tests.stores.helpers import (
    KEY,
    OTHER_KEY,
    ROOT,
    all_params,
    ask,
    child_command,
    child_env,
    key,
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
}
"""Documents ``loads`` cannot use at all: it raises CacheFormatError, the file is corrupt."""

BAD_ENTRIES = {
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
"""Entries a reader may reject one by one (or the whole file with them)."""

UNUSABLE = {**CORRUPT, **{name: json.dumps(doc).encode() for name, doc in WRONG_LAYOUT.items()}}
BAD_FILES = {**UNUSABLE, **{name: json.dumps(doc).encode() for name, doc in BAD_ENTRIES.items()}}


def assert_copied_aside(path: Path, content: bytes, inode: int) -> None:
    """The one rules.json.corrupt-* beside ``path`` holds ``content``, in a new 0600 file (a copy, not a move)."""
    (aside,) = path.parent.glob(f"{path.name}.corrupt-*")
    assert aside.read_bytes() == content
    assert stat.S_IMODE(aside.stat().st_mode) == 0o600
    assert aside.stat().st_ino != inode


@pytest.mark.parametrize("content", UNUSABLE.values(), ids=UNUSABLE.keys())
def test_a_writer_copies_a_corrupt_file_aside_and_replaces_it(
    azure: AzureEmulator, tmp_path: Path, content: bytes
) -> None:
    """A corrupt file is copied to rules.json.corrupt-* (0600) by the write, then replaced; one warning, call works."""
    path = tmp_path / "rules.json"
    path.write_bytes(content)
    os.chmod(path, 0o644)
    inode = path.stat().st_ino
    store = JSONFileStore(path)
    with structlog.testing.capture_logs() as events:
        assert ask(azure, store) == "ok"
    assert_one_cold_call(azure)
    assert problems(events) == ["corrupt"]
    assert_copied_aside(path, content, inode)
    assert only_mapping(JSONFileStore(path)).fixes == (RENAME,)


def test_file_corrupted_under_a_loaded_store_is_copied_aside_on_the_next_write(tmp_path: Path) -> None:
    """A file that turns corrupt after it was loaded is copied aside when the store next writes, and rewritten valid."""
    path = tmp_path / "rules.json"
    store = JSONFileStore(path)
    store.update(KEY, learn("top_p"))
    path.write_bytes(b"{oops")
    inode = path.stat().st_ino
    with structlog.testing.capture_logs() as events:
        store.update(OTHER_KEY, learn("logprobs"))
    assert problems(events) == ["corrupt"]
    assert_copied_aside(path, b"{oops", inode)
    assert set(loads(path.read_bytes())) == {OTHER_KEY}


@pytest.mark.parametrize("content", BAD_FILES.values(), ids=BAD_FILES.keys())
def test_reading_a_bad_file_never_touches_it(tmp_path: Path, content: bytes) -> None:
    """refresh(), get() and items() on a bad file leave it as it is: same bytes, same inode, nothing beside it."""
    path = tmp_path / "rules.json"
    path.write_bytes(content)
    before = path.stat()
    store = JSONFileStore(path, check_interval=0)
    with structlog.testing.capture_logs() as events:
        store.refresh()
        store.get(KEY)
        store.items()
        JSONFileStore(path).items()
    assert path.read_bytes() == content
    assert (path.stat().st_ino, path.stat().st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert [p.name for p in tmp_path.iterdir()] == ["rules.json"]
    if content in UNUSABLE.values():
        assert problems(events) == ["corrupt", "corrupt"]  # once by each store


def test_a_reader_keeps_serving_the_rules_it_read_before_the_file_turned_corrupt(tmp_path: Path) -> None:
    """When the file turns corrupt, a reader warns once and serves what it read last; the file stays as it is."""
    path = tmp_path / "rules.json"
    JSONFileStore(path).update(KEY, learn("top_p"))
    reader = JSONFileStore(path, check_interval=0)
    assert params(reader.get(KEY)) == {"top_p"}
    with structlog.testing.capture_logs() as events:
        for garbage in (b"{oops", b"{oops, again}"):  # two different corrupt files: each read anew
            path.write_bytes(garbage)
            assert params(reader.get(KEY)) == {"top_p"}
            assert set(reader.items()) == {KEY}
            assert path.read_bytes() == garbage
    assert problems(events) == ["corrupt"]
    assert [p.name for p in tmp_path.iterdir() if "corrupt" in p.name] == []


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


def test_a_symlinked_path_stays_a_symlink_and_its_target_gets_the_rules(tmp_path: Path) -> None:
    """A write through a symlink replaces the file it points to (temp file, lock and all beside it); the link stays."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    target = elsewhere / "target.json"
    direct = JSONFileStore(target, check_interval=0)
    direct.update(OTHER_KEY, learn("top_p"))
    link = tmp_path / "rules.json"
    link.symlink_to(Path("elsewhere") / "target.json")  # relative, as links often are

    store = JSONFileStore(link, check_interval=0)
    assert params(store.get(OTHER_KEY)) == {"top_p"}  # read through the link
    store.update(KEY, learn("logprobs"))
    assert link.is_symlink()
    assert set(loads(target.read_bytes())) == {KEY, OTHER_KEY}
    assert params(direct.get(KEY)) == {"logprobs"}  # a process using the target itself keeps sharing
    direct.update(KEY, learn("seed"))
    assert params(store.get(KEY)) == {"logprobs", "seed"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["elsewhere", "rules.json"]
    assert sorted(p.name for p in elsewhere.iterdir()) == ["target.json", "target.json.lock"]


def test_a_dangling_symlink_gets_its_target_created(tmp_path: Path) -> None:
    """A link to a cache file not written yet stays a link: the first write creates the file it points to."""
    target = tmp_path / "shared" / "target.json"
    link = tmp_path / "rules.json"
    link.symlink_to(target)
    JSONFileStore(link).update(KEY, learn("top_p"))
    assert link.is_symlink()
    assert set(loads(target.read_bytes())) == {KEY}
    assert JSONFileStore(target).items() == JSONFileStore(link).items()


# -- a read-only file -------------------------------------------------------------------------


@pytest.mark.parametrize("file_mode", [0o444, 0o400, 0o555], ids=lambda m: f"{m:04o}")
def test_a_file_without_write_bits_is_read_and_never_replaced(
    azure: AzureEmulator, tmp_path: Path, file_mode: int
) -> None:
    """With no write bit on the file (its directory writable, and even as root) rules are read, learned in memory only.

    One 'read-only' warning; the file keeps its bytes, inode and mode; once it is writable again,
    the next write keeps what it held and everything learned meanwhile.
    """
    path = tmp_path / "rules.json"
    JSONFileStore(path).update(OTHER_KEY, learn("top_p"))
    os.chmod(path, file_mode)
    before = path.read_bytes()
    inode = path.stat().st_ino
    store = JSONFileStore(path)
    with structlog.testing.capture_logs() as events:
        assert params(store.get(OTHER_KEY)) == {"top_p"}
        assert ask(azure, store) == "ok"
        assert_one_cold_call(azure)
        azure.reset()
        assert ask(azure, store) == "ok"
        assert [r.status for r in azure.requests] == [200]  # the rule learned is applied from memory
        store.update(OTHER_KEY, learn("seed"))
        store.update(KEY, learn("logprobs"))
        store.clear(KEY)
        store.close()  # the file is only read: nothing to flush, nothing more to say
    assert problems(events) == ["read-only"]
    assert (path.read_bytes(), path.stat().st_ino) == (before, inode)
    assert stat.S_IMODE(path.stat().st_mode) == file_mode
    beside = [p.name for p in tmp_path.iterdir() if not p.name.startswith(("rules.json.lock", "rules.json.lease-"))]
    assert beside == ["rules.json"]  # no temp file, no copy
    assert KEY not in store.items()
    assert all_params(store.items()) == {"top_p", "seed", "max_tokens"}

    os.chmod(path, 0o600)
    store.update(OTHER_KEY, learn("user"))
    on_disk = loads(path.read_bytes())
    assert KEY not in on_disk
    assert all_params(on_disk) == {"top_p", "seed", "max_tokens", "user"}


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


@pytest.mark.parametrize("umask", [0o000, 0o022, 0o277], indirect=True, ids=lambda m: f"umask={m:03o}")
def test_lease_files_are_private_whatever_the_umask(tmp_path: Path, umask: int) -> None:
    """A new lease file, and one that took over an expired lease, are 0600 (so were their temp files: they are them)."""
    path = tmp_path / "rules.json"
    store = JSONFileStore(path)
    assert store.lease("fresh", 30.0) is True
    (fresh,) = tmp_path.glob("rules.json.lease-*")
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o600

    expired = store._lease_path("expired")
    expired.write_text("0 a-crashed-leader")
    os.chmod(expired, 0o644)
    assert JSONFileStore(path).lease("expired", 30.0) is True
    assert stat.S_IMODE(expired.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "rules.json.lock").stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["rules.json.lock", fresh.name, expired.name])


# -- what a lock timeout kept in memory: close() and the interpreter's exit write it -----------


@pytest.fixture
def held_lock(tmp_path: Path) -> Iterator[filelock.FileLock]:
    """rules.json's file lock, held by another lock instance (as another process would hold it) until released."""
    lock = filelock.FileLock(f"{tmp_path / 'rules.json'}.lock")
    lock.acquire()
    yield lock
    lock.release(force=True)


def test_close_writes_what_a_lock_timeout_kept_in_memory(tmp_path: Path, held_lock: filelock.FileLock) -> None:
    """An update that cannot get the lock keeps its rule in memory; close() writes it once the lock is free.

    While the lock stays held, close() gives up (bounded), warns, keeps the rule and does not raise.
    """
    path = tmp_path / "rules.json"
    store = JSONFileStore(path, lock_timeout=0.01)
    with structlog.testing.capture_logs() as events:
        store.update(KEY, learn("top_p"))
        assert problems(events) == ["write"]
        assert not path.exists()
        store.close()
        assert problems(events) == ["write", "flush"]
        assert params(store.get(KEY)) == {"top_p"}
        held_lock.release()
        store.close()
    assert params(loads(path.read_bytes()).get(KEY)) == {"top_p"}
    assert problems(events) == ["write", "flush"]
    JSONFileStore(path).close()  # nothing to write: returns without taking the lock


def test_close_waits_for_the_lock_longer_than_lock_timeout(
    tmp_path: Path, held_lock: filelock.FileLock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A lock freed only after close() has waited twice lock_timeout for it still gets the rule written."""
    path = tmp_path / "rules.json"
    store = JSONFileStore(path, lock_timeout=0.5)
    store.update(KEY, learn("top_p"))  # the lock is held: the rule stays in memory
    assert not path.exists()

    # filelock sleeps between its tries for the lock: free the lock from one of those sleeps,
    # in this thread (the holder's), once close() has waited 2 x lock_timeout. No clock is
    # raced: the next try after that sleep finds the lock free.
    sleep, me, waited_from = time.sleep, threading.current_thread(), [float("inf")]

    def sleep_then_free(seconds: float) -> None:
        sleep(seconds)
        if threading.current_thread() is me and time.perf_counter() - waited_from[0] > 2 * store.lock_timeout:
            held_lock.release()

    monkeypatch.setattr(time, "sleep", sleep_then_free)
    waited_from[0] = time.perf_counter()
    store.close()
    monkeypatch.undo()
    assert not held_lock.is_locked
    assert params(loads(path.read_bytes()).get(KEY)) == {"top_p"}


def test_close_that_cannot_write_warns_and_keeps_the_rules(tmp_path: Path) -> None:
    """Where the file can never be written, close() warns once, does not raise, and the store still serves the rule."""
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("x")
    store = JSONFileStore(blocker / "rules.json")
    with structlog.testing.capture_logs() as events:
        store.update(KEY, learn("top_p"))
        store.close()
        store.close()
    assert problems(events) == ["write", "flush"]
    assert params(store.get(KEY)) == {"top_p"}


def test_the_interpreter_exit_writes_what_is_only_in_memory(tmp_path: Path) -> None:
    """A process that exits normally with a rule only in memory (and never calls close) leaves it in the file.

    The exit hook holds stores weakly: a store dropped before the exit is still garbage collected.
    """
    path = tmp_path / "rules.json"
    done = run_child("exit-with-pending", str(path))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"file_before_exit": False, "dropped_store_collected": True}
    assert params(loads(path.read_bytes()).get(key(0))) == {"exit_flush"}
    assert "Traceback" not in done.stderr
    assert "Exception ignored" not in done.stderr


def test_the_interpreter_exit_never_raises_when_it_cannot_write(tmp_path: Path) -> None:
    """At exit, a rule that cannot be written is reported once as a 'flush' store_error; the exit stays clean."""
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("x")
    done = run_child("exit-unwritable", str(blocker / "rules.json"))
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert "Exception ignored" not in done.stderr
    assert blocker.read_text() == "x"
    logged = [json.loads(line) for line in done.stdout.splitlines()]
    assert [e["problem"] for e in logged if e["event"] == "store_error"] == ["write", "flush"]


# -- many processes ---------------------------------------------------------------------------

FLEET_WORKERS = 8
# Every JSONFileStore write takes the file lock (filelock polls for it), re-reads and
# re-validates the whole file and rewrites it, so the cost grows with the square of the
# rules learned. The test learns 8 x 40 rules (a few seconds); benchmarks/fleet_sizes.py runs it
# at the full 8 x 200 (1-2 min quiet, 2-4 min on a busy 2-CPU machine, where most writers miss
# the 10 s lock timeout several times, since a writer that releases the lock takes it again at
# once for its next update while the others sleep between tries).
# A missed lock keeps the rule in memory, written by the writer's next update or, after its
# last one, by close(): the check that no rule is lost depends on that, not on luck with
# the lock. Set $STORE_TESTS_FLEET_LEARNS to learn fewer rules or more, up to 256 (beyond,
# each of the 32 keys would hold more than its cap of 64 rules: some would go).
FLEET_LEARNS = int(os.environ.get("STORE_TESTS_FLEET_LEARNS", "40"))


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
                zygote.stdin.write(f"go {round_ * ROUND}\n")
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
    """A cache of ~10 MB (as many keys as a cache holds, 12 rules each) is read, learned into, keeps every entry."""
    path = tmp_path / "rules.json"
    big: Rules = {}
    base = only_rule_mapping()
    for i in range(MAX_KEYS - 1):  # room for the key the call learns
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
    """A realistic mapping: a dozen rules with full evidence."""
    mapping = DeploymentMapping()
    for param in ("temperature", "top_p", "presence_penalty", "frequency_penalty", "logprobs", "top_logprobs"):
        for variant in ("", "_v2"):
            mapping = learn(f"{param}{variant}")(mapping)
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
