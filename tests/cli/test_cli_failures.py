"""The command line says so when it could not do what it says: one line, the store, the cause, a non-zero exit.

Each mistake and store failure runs for real: a directory, a Redis that is down or refuses
writes, a file that is read-only, immutable, corrupt or unreadable. Read-only commands are
checked byte for byte (and mtime) to change nothing.
"""

from __future__ import annotations

import contextlib
import functools
import io
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis

from resilient_client import DeploymentKey, Evidence, JSONFileStore, LearnedRule, __version__
from resilient_client._core import merge
from resilient_client.cli import main
from resilient_client.testing import AzureEmulator
from tests.stores.helpers import KEY, OTHER_KEY, RedisServer, free_port, rule

Snapshot = dict[str, tuple[bytes, int, int]]


def learn(path: Path, *params: str) -> None:
    store = JSONFileStore(path)
    for param in params:
        store.update(KEY, functools.partial(merge, rule=rule(param)))


def snapshot(directory: Path) -> Snapshot:
    """Every file in ``directory``: its bytes, mode and mtime (a FIFO or a directory: neither)."""
    return {
        p.name: (p.read_bytes() if p.is_file() else b"", p.lstat().st_mode, p.lstat().st_mtime_ns)
        for p in directory.iterdir()
    }


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def one_line(err: str) -> str:
    """The command's one line on stderr (asserted to be one, and no traceback)."""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("resilient-client: ")
    return lines[0]


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A cache file with three rules, named by $RESILIENT_CLIENT_CACHE, in a directory of its own."""
    directory = tmp_path / "cache"
    directory.mkdir()
    path = directory / "rules.json"
    learn(path, "temperature", "top_p", "seed")
    monkeypatch.setenv("RESILIENT_CLIENT_CACHE", str(path))
    return path


@pytest.fixture
def exported(cache: Path, tmp_path: Path) -> Path:
    path = tmp_path / "export.json"
    assert main(["cache", "export", str(path)]) == 0
    return path


@pytest.mark.parametrize(
    ("spec", "said"),
    [
        ("memory", "neither a URL"),
        ("Redis:/cache.internal", "a redis URL starts with 'redis://'"),
        ("redis//cache.internal", "a redis URL starts with 'redis://'"),
        ("{tmp}/dir/", "names a directory"),
        ("{tmp}", "is a directory"),
    ],
)
@pytest.mark.parametrize("command", [["cache", "show"], ["cache", "import", "{export}"], ["cache", "path"]])
@pytest.mark.parametrize("given", ["--cache", "env"])
def test_a_bad_store_spec_is_a_usage_error_that_creates_nothing(  # noqa: PLR0917 - three parameter axes
    exported: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    spec: str,
    said: str,
    command: list[str],
    given: str,
) -> None:
    """A typo in the spec exits 2 with one line naming it and where it came from; no file or directory appears."""
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    spec = spec.format(tmp=tmp_path)
    argv = [part.format(export=exported) for part in command]
    if given == "--cache":
        argv = ["--cache", spec, *argv]
    else:
        monkeypatch.setenv("RESILIENT_CLIENT_CACHE", spec)
    before = snapshot(tmp_path)
    code, out, err = run(capsys, *argv)
    line = one_line(err)
    assert (code, out) == (2, "")
    assert said in line
    assert repr(spec) in line
    assert line.startswith(f"resilient-client: {'--cache' if given == '--cache' else '$RESILIENT_CLIENT_CACHE'}: ")
    assert list(work.iterdir()) == []
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize(
    "command", [["cache", "show"], ["cache", "show", "--json"], ["cache", "clear"], ["cache", "import", "{export}"]]
)
def test_an_unreachable_redis_fails_every_command(
    exported: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    """Redis down: exit 1, one line with the URL (password as ***) and the cause; never "no learned rules"."""
    url = f"redis://:hunter2@127.0.0.1:{free_port()}/0"
    code, out, err = run(capsys, "--cache", url, *(part.format(export=exported) for part in command))
    line = one_line(err)
    assert (code, out) == (1, "")
    assert url.replace("hunter2", "***") in line
    assert "unreachable" in line
    assert "hunter2" not in err


@pytest.fixture
def full_redis(redis_binary: str, tmp_path: Path) -> Iterator[str]:
    """The URL of a Redis that answers and reads but refuses every write (used memory above maxmemory)."""
    directory = tmp_path / "full-redis"
    directory.mkdir()
    server = RedisServer(redis_binary, directory)
    server.start()
    client = redis.Redis.from_url(server.url)
    client.config_set("maxmemory", 1)
    client.close()
    yield server.url
    server.stop()


def test_a_write_the_store_could_not_save_fails(
    full_redis: str, exported: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An import that Redis refuses exits 1 with its cause, though Redis answers the health check."""
    code, _, err = run(capsys, "--cache", full_redis, "cache", "import", str(exported))
    line = one_line(err)
    assert code == 1
    assert f"cannot import into the cache {full_redis}: not saved: " in line
    assert "maxmemory" in line
    assert "imported" not in err
    assert run(capsys, "--cache", full_redis, "cache", "show")[:2] == (0, "no learned rules\n")


@pytest.mark.parametrize(
    "command",
    [["cache", "clear"], ["cache", "clear", "--deployment", "o4-mini"], ["cache", "prune", "--older-than", "0"]],
)
def test_a_read_only_file_refuses_writes_and_stays_as_it_is(
    cache: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    """No write permission bit (even for root): clear and prune exit 1, saying so; the file is unchanged."""
    cache.chmod(0o444)
    before = snapshot(cache.parent)
    code, _, err = run(capsys, *command)
    assert code == 1
    said = "the file has no write permission bit: it is only read"
    assert one_line(err) == f"resilient-client: cannot {command[1]} the cache {cache}: {said}"
    assert snapshot(cache.parent) == before


def test_import_into_a_read_only_file_is_refused(
    cache: Path, exported: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cache.chmod(0o444)
    before = snapshot(cache.parent)
    code, _, err = run(capsys, "cache", "import", str(exported))
    assert (code, "cannot import into the cache" in one_line(err)) == (1, True)
    assert snapshot(cache.parent) == before


@contextlib.contextmanager
def immutable(path: Path) -> Iterator[None]:
    """``chattr +i`` on ``path`` for the block (skipped where the file system or the process cannot)."""
    chattr = shutil.which("chattr")
    if chattr is None or subprocess.run([chattr, "+i", str(path)], capture_output=True, check=False).returncode:
        pytest.skip("chattr +i needs root (CAP_LINUX_IMMUTABLE) and a file system with inode flags")
    try:
        yield
    finally:
        subprocess.run([chattr, "-i", str(path)], check=True)


def test_clear_on_an_immutable_file_fails(cache: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An immutable file (not even root replaces it) is not "cleared": exit 1 with the cause, rules kept."""
    with immutable(cache):
        before = snapshot(cache.parent)
        code, _, err = run(capsys, "cache", "clear")
        assert snapshot(cache.parent) == before
    assert code == 1
    assert one_line(err) == (
        f"resilient-client: cannot clear the cache {cache}: the file is immutable (chattr): not even root replaces it"
    )
    assert len(JSONFileStore(cache).items()[KEY].rules) == 3


@pytest.mark.parametrize("command", [["cache", "show"], ["cache", "show", "--json"], ["cache", "export", "{out}"]])
def test_reading_a_corrupt_file_fails_and_changes_nothing(
    cache: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    """A corrupt file: show and export exit 1 saying so; the file is not moved aside, nothing is written."""
    cache.write_text('{"schema": 1, "deployments": [')
    out = tmp_path / "out.json"
    before = snapshot(cache.parent)
    code, stdout, err = run(capsys, *(part.format(out=out) for part in command))
    line = one_line(err)
    assert (code, stdout) == (1, "")
    assert line.startswith(f"resilient-client: cannot read the cache {cache}: the cache file is corrupt")
    assert snapshot(cache.parent) == before
    assert not out.exists()


def test_reading_a_newer_schema_fails(cache: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cache.write_text('{"schema": 99, "deployments": []}')
    code, _, err = run(capsys, "cache", "show")
    assert (code, "cache schema version 99 is newer" in one_line(err)) == (1, True)


def as_other_user(call: Callable[[], int]) -> tuple[int, str]:
    """``call()`` in a process that may not read what root may: forked and made uid/gid 65534 under root.

    Returns its exit status and what it wrote to stderr.
    """
    if os.geteuid() != 0:
        buffer = io.StringIO()
        with contextlib.redirect_stderr(buffer):
            code = call()
        return code, buffer.getvalue()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        code = 99
        try:
            os.close(read)
            os.setgid(65534)
            os.setuid(65534)
            sys.stderr = os.fdopen(write, "w")
            code = call()
            sys.stderr.flush()
        finally:
            os._exit(code)
    os.close(write)
    with os.fdopen(read) as f:
        err = f.read()
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]), err


@pytest.fixture
def shared_dir() -> Iterator[Path]:
    """A directory any user may enter (pytest's tmp_path is its owner's only)."""
    path = Path(tempfile.mkdtemp(prefix="resilient-cli-"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path)


def test_reading_an_unreadable_file_fails(shared_dir: Path) -> None:
    """A file the process may not read: show exits 1 with "Permission denied", not "no learned rules"."""
    path = shared_dir / "rules.json"
    learn(path, "temperature")
    path.chmod(0o000)
    before = snapshot(shared_dir)
    code, err = as_other_user(lambda: main(["--cache", str(path), "cache", "show"]))
    assert code == 1
    assert (
        one_line(err)
        == f"resilient-client: cannot read the cache {path}: cannot read the cache file: Permission denied"
    )
    assert snapshot(shared_dir) == before


def test_an_empty_cache_is_not_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """No file yet: show says "no learned rules" and exits 0, creating nothing."""
    path = tmp_path / "new" / "rules.json"
    assert run(capsys, "--cache", str(path), "cache", "show") == (0, "no learned rules\n", "")
    assert not path.parent.exists()


@pytest.mark.parametrize(
    "command",
    [["cache", "show"], ["cache", "show", "--json", "--deployment", "o4-mini"], ["cache", "export", "{out}"]],
)
def test_read_only_commands_change_nothing(
    cache: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    """show, export and path leave the cache's directory byte for byte, mtime included; no lock, no lease."""
    (cache.parent / "rules.json.lock").unlink()
    before = snapshot(cache.parent)
    code, _, _ = run(capsys, *(part.format(out=tmp_path / "out.json") for part in command))
    assert code == 0
    assert run(capsys, "cache", "path")[:2] == (0, f"{cache}\n")
    assert snapshot(cache.parent) == before


def test_export_to_a_missing_directory_fails(cache: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "no-such-dir" / "export.json"
    code, _, err = run(capsys, "cache", "export", str(out))
    assert code == 1
    assert one_line(err) == f"resilient-client: cannot export to {out}: No such file or directory"


def test_import_of_a_missing_file_fails(cache: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = cache.read_bytes()
    code, _, err = run(capsys, "cache", "import", str(tmp_path / "nope.json"))
    assert (code, "No such file or directory" in one_line(err)) == (1, True)
    assert cache.read_bytes() == before


def test_probe_without_credentials_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """No AZURE_OPENAI_API_KEY nor AD token: exit 2, one line naming the variables, no traceback, no request."""
    for name in ("AZURE_OPENAI_API_KEY", "AZURE_OPENAI_AD_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AZURE_OPENAI_ENDPOINT", f"http://127.0.0.1:{free_port()}")
    monkeypatch.setenv("OPENAI_API_VERSION", "2025-04-01-preview")
    code, out, err = run(capsys, "--cache", str(tmp_path / "r.json"), "probe", "--deployment", "o4-mini")
    line = one_line(err)
    assert (code, out) == (2, "")
    assert line.startswith("resilient-client: probe: Missing credentials.")
    assert "AZURE_OPENAI_API_KEY" in line
    assert not (tmp_path / "r.json").exists()


def test_probe_of_a_missing_deployment_prints_the_error_only(
    azure: AzureEmulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A 404: exit 1 and the error, without a "learned 0 new rule(s)" before it."""
    monkeypatch.setenv("AZURE_OPENAI_ENDPOINT", azure.endpoint)
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", "probe-key")
    monkeypatch.setenv("OPENAI_API_VERSION", "2025-04-01-preview")
    code, out, err = run(capsys, "--cache", str(tmp_path / "r.json"), "probe", "--deployment", "nope")
    line = one_line(err)
    assert (code, out) == (1, "")
    assert line.startswith("resilient-client: probe of 'nope' failed: NotFoundError: Error code: 404")
    assert "learned" not in err


def test_probe_into_a_read_only_cache_sends_nothing(
    azure: AzureEmulator, cache: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Rules a probe could not save would be lost: it refuses before its first request."""
    monkeypatch.setenv("AZURE_OPENAI_ENDPOINT", azure.endpoint)
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", "probe-key")
    monkeypatch.setenv("OPENAI_API_VERSION", "2025-04-01-preview")
    cache.chmod(0o444)
    code, _, err = run(capsys, "probe", "--deployment", "o4-mini")
    assert (code, "cannot probe into the cache" in one_line(err)) == (1, True)
    assert azure.count() == 0


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert (info.value.code, capsys.readouterr().out) == (0, f"resilient-client {__version__}\n")


LONG = "x" * 150


@pytest.fixture
def wide_cache(cache: Path) -> Path:
    """Two keys with long names and a long evidence message."""
    long_key = DeploymentKey(OTHER_KEY.host, "a-very-long-deployment-name-for-reasoning", "2025-04-01-preview", "x")
    learned = LearnedRule(rule("top_p").fix, Evidence(400, "code", LONG, 1.0, 2.0))
    JSONFileStore(cache).update(long_key, functools.partial(merge, rule=learned))
    return cache


@pytest.mark.parametrize("columns", [80, 100, 120])
def test_the_table_fits_the_terminal(
    wide_cache: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], columns: int
) -> None:
    """At $COLUMNS the table fits, the headers stay whole, and a shortened key keeps its deployment name first."""
    monkeypatch.setenv("COLUMNS", str(columns))
    code, out, _ = run(capsys, "cache", "show")
    lines = out.splitlines()
    assert code == 0
    assert max(len(line) for line in lines) <= columns
    assert lines[0].split() == ["KEY", "RULE", "EVIDENCE", "REJECTED", "REWRITTEN", "LAST", "SEEN"]
    assert len(lines) == 5
    assert sum("o4-mini" in line for line in lines) == 3
    (long_row,) = (line for line in lines if "o4-mini" not in line and not line.startswith("KEY"))
    assert long_row.startswith(("a-very-", f"{OTHER_KEY.host.split('.')[0]}/a-very-"))


def test_wide_shows_every_cell_whole(
    wide_cache: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    code, out, _ = run(capsys, "cache", "show", "--wide")
    assert code == 0
    assert LONG in out
    assert str(KEY) in out
