"""A cache that cannot persist is not silent: one ResilientClientWarning per store per process, never an error."""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
import structlog.testing

from resilient_client import JSONFileStore, ResilientClientWarning
from resilient_client.stores._local import UNSAVED
from resilient_client.stores.redis import RedisStore
from resilient_client.testing import AzureEmulator
from tests.stores.helpers import ROOT, ask, free_port

NOT_PERSISTENCE: frozenset[str] = frozenset({"read-only", "corrupt", "read", "stat", "schema", "lease", "format"})
"""Problem kinds that do not mean a learned rule was lost: it is written anyway, or read-only is on purpose."""


@pytest.fixture
def caught() -> Iterator[list[warnings.WarningMessage]]:
    """Every warning issued in the test, shown or not."""
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        yield seen


def ours(seen: list[warnings.WarningMessage]) -> list[ResilientClientWarning]:
    return [w.message for w in seen if isinstance(w.message, ResilientClientWarning)]


def unwritable(tmp_path: Path) -> Path:
    """A cache path whose directory cannot be made, even by root: its parent is a file."""
    (tmp_path / "a-file").write_text("")
    return tmp_path / "a-file" / "rules.json"


def test_a_store_that_cannot_write_warns_once(
    azure: AzureEmulator, tmp_path: Path, caught: list[warnings.WarningMessage]
) -> None:
    """Two repaired calls on an unwritable file: both answer, and one warning names the file and the cause."""
    store = JSONFileStore(unwritable(tmp_path))
    assert ask(azure, store, temperature=0.5) == "ok"
    assert ask(azure, store, temperature=0.5) == "ok"
    store.close()
    (warning,) = ours(caught)
    assert str(store.path) in str(warning)
    assert "cannot write cache file" in warning.detail
    assert warning.store == repr(store)
    assert [w.category for w in caught] == [ResilientClientWarning]


def test_the_warning_points_at_the_application_line(
    azure: AzureEmulator, tmp_path: Path, caught: list[warnings.WarningMessage]
) -> None:
    """The warning's location is the first frame outside resilient_client and openai: the caller's."""
    assert ask(azure, JSONFileStore(unwritable(tmp_path)), temperature=0.5) == "ok"
    (warning,) = (w for w in caught if w.category is ResilientClientWarning)
    assert Path(warning.filename) == ROOT / "tests" / "stores" / "helpers.py"


def test_each_store_warns_for_itself(
    azure: AzureEmulator, tmp_path: Path, caught: list[warnings.WarningMessage]
) -> None:
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    first, second = JSONFileStore(unwritable(tmp_path / "one")), JSONFileStore(unwritable(tmp_path / "two"))
    for store in (first, second, first):
        assert ask(azure, store, temperature=0.5) == "ok"
    assert [w.store for w in ours(caught)] == [repr(first), repr(second)]


def test_a_working_repaired_call_prints_nothing(
    azure: AzureEmulator, tmp_path: Path, caught: list[warnings.WarningMessage]
) -> None:
    store = JSONFileStore(tmp_path / "rules.json")
    assert ask(azure, store, temperature=0.5) == "ok"
    assert len(azure.requests) == 3  # two rejections repaired, then the answer
    store.close()
    assert caught == []


def test_a_read_only_cache_on_purpose_does_not_warn(
    azure: AzureEmulator, tmp_path: Path, caught: list[warnings.WarningMessage]
) -> None:
    """A file without write bits is used as it is: what is learned stays in memory, quietly."""
    path = tmp_path / "rules.json"
    path.write_text('{"schema": 1, "deployments": []}\n')
    path.chmod(0o444)
    store = JSONFileStore(path)
    assert ask(azure, store, temperature=0.5) == "ok"
    store.close()
    assert caught == []


def test_warnings_as_errors_never_fail_a_request(azure: AzureEmulator, tmp_path: Path) -> None:
    """Under `-W error` the call still answers; the warning is logged with the store_error instead."""
    store = JSONFileStore(unwritable(tmp_path))
    with warnings.catch_warnings(), structlog.testing.capture_logs() as events:
        warnings.simplefilter("error")
        assert ask(azure, store, temperature=0.5) == "ok"
    logged = {e["problem"]: e["detail"] for e in events if e["event"] == "store_error"}
    assert "ResilientClientWarning" in logged["write"]
    assert [problem for problem, detail in logged.items() if "ResilientClientWarning" in detail] == ["write"]


def test_redis_down_warns_once(azure: AzureEmulator, caught: list[warnings.WarningMessage]) -> None:
    """Redis unreachable: calls go on from the local copy, and one warning names the URL (password hidden)."""
    url = f"redis://:hunter2@127.0.0.1:{free_port()}/0"
    store = RedisStore.from_url(url)
    assert ask(azure, store, temperature=0.5) == "ok"
    assert ask(azure, store, temperature=0.5) == "ok"
    store.close()
    (warning,) = ours(caught)
    assert warning.store == url.replace("hunter2", "***")
    assert "hunter2" not in str(warning)
    assert "Redis unreachable" in warning.detail


@pytest.mark.parametrize("kind", sorted(UNSAVED | NOT_PERSISTENCE))
def test_only_failed_writes_warn(kind: str, tmp_path: Path, caught: list[warnings.WarningMessage]) -> None:
    """Each problem kind a store reports: a warning for those that lose learned rules, none for the others."""
    store = JSONFileStore(tmp_path / "rules.json")
    store._warn(kind, "detail")
    store._warn(kind, "detail")
    assert len(ours(caught)) == (kind in UNSAVED)


def test_every_problem_kind_the_stores_report_is_classified() -> None:
    """A kind added to a store must be put on one side or the other (here, and in UNSAVED if it loses rules)."""
    sources = (ROOT / "resilient_client" / "stores").glob("*.py")
    kinds = {kind for path in sources for kind in re.findall(r'_warn\(\s*"([^"]+)"', path.read_text())}
    assert kinds
    assert kinds <= UNSAVED | NOT_PERSISTENCE
    assert not UNSAVED & NOT_PERSISTENCE
