"""Store specs (``store=``, ``$RESILIENT_CLIENT_CACHE``, ``--cache``): one parser for the clients and the CLI."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from resilient_client import stores as stores_module
from resilient_client.stores import JSONFileStore, StoreSpec, parse_store_spec, resolve_store
from tests.stores.helpers import free_port


@pytest.fixture
def forget_shared() -> Iterator[list[str]]:
    """Locations a test resolved: their shared stores are closed and forgotten afterwards."""
    locations: list[str] = []
    yield locations
    for location in locations:
        store = stores_module._shared.pop(location, None)
        if store is not None:
            store.close()


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("redis://cache.internal:6379/0", StoreSpec("redis", "redis://cache.internal:6379/0")),
        ("REDIS://:pw@cache.internal/1", StoreSpec("redis", "redis://:pw@cache.internal/1")),
        ("Rediss://cache.internal:6380", StoreSpec("redis", "rediss://cache.internal:6380")),
        ("unix:///run/redis.sock?db=2", StoreSpec("redis", "unix:///run/redis.sock?db=2")),
        ("redis+cluster://h1:7000,h2:7001", StoreSpec("redis-cluster", "redis+cluster://h1:7000,h2:7001")),
        ("rediss+CLUSTER://u:pw@h1:7000", StoreSpec("redis-cluster", "rediss+cluster://u:pw@h1:7000")),
        ("/var/cache/rules.json", StoreSpec("file", "/var/cache/rules.json")),
        ("/var/cache/rules", StoreSpec("file", "/var/cache/rules")),
    ],
)
def test_valid_specs(spec: str, expected: StoreSpec) -> None:
    """URLs of every known scheme (in any case) and absolute paths; the scheme comes back in lower case."""
    assert parse_store_spec(spec) == expected


def test_a_relative_path_is_made_absolute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``rules.json`` and ``./cache`` name files in the working directory; ``~`` is the home directory."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert parse_store_spec("rules.json") == StoreSpec("file", str(tmp_path / "rules.json"))
    assert parse_store_spec("./cache") == StoreSpec("file", str(tmp_path / "cache"))
    assert parse_store_spec("cache:v2.json") == StoreSpec("file", str(tmp_path / "cache:v2.json"))
    assert parse_store_spec("~/rules.json") == StoreSpec("file", str(tmp_path / "home" / "rules.json"))


def test_a_path_object_is_a_path_whatever_its_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``Path("cache")`` is a file named cache: only a string has to look like a path."""
    monkeypatch.chdir(tmp_path)
    assert parse_store_spec(Path("cache")) == StoreSpec("file", str(tmp_path / "cache"))
    assert parse_store_spec(tmp_path / "rules.json") == StoreSpec("file", str(tmp_path / "rules.json"))


@pytest.mark.parametrize(
    ("spec", "says"),
    [
        ("redis:/cache.internal", "starts with 'redis://'"),
        ("Redis:cache.internal", "starts with 'redis://'"),
        ("redis//cache.internal", "starts with 'redis://'"),
        ("REDISS//cache.internal", "starts with 'rediss://'"),
        ("rediss+cluster:h1:7000", "starts with 'rediss+cluster://'"),
        ("unix:/run/redis.sock", "starts with 'unix://'"),
        ("http://cache.internal", "unknown URL scheme 'http'"),
        ("redis+clustr://h1:7000", "unknown URL scheme 'redis+clustr'"),
        ("redis://cache.internal:99999", "port"),
        ("redis://cache.internal:port", "port"),
        ("redis://cache.internal/zero", "database number"),
        ("unix://", "socket's path"),
        ("redis+cluster://h1:7000/2", "only database 0"),
        ("redis+cluster://h1:7000,", "is not host:port"),
        ("memory", "neither a URL"),
        ("cache", "neither a URL"),
        ("cache.internal:6379", "neither a URL"),
        ("", "empty"),
        ("   ", "empty"),
        (" /var/cache/rules.json", "whitespace"),
        ("/var/cache/rules.json\n", "whitespace"),
        ("/var/cache/", "names a directory"),
    ],
)
def test_invalid_specs_are_one_line_naming_the_spec(spec: str, says: str) -> None:
    """Misspelled schemes, bad ports, bare words and directories are a ValueError of one line naming the spec."""
    with pytest.raises(ValueError, match="store spec") as info:
        parse_store_spec(spec)
    message = str(info.value)
    assert says in message
    assert "\n" not in message
    if spec.strip():
        assert repr(spec) in message


def test_an_error_never_shows_the_password() -> None:
    """The spec named in an error has its password replaced by ***."""
    with pytest.raises(ValueError, match=r"redis://:\*\*\*@cache.internal:port") as info:
        parse_store_spec("redis://:hunter2@cache.internal:port")
    assert "hunter2" not in str(info.value)
    assert StoreSpec("redis", "redis://:hunter2@h/0").shown == "redis://:***@h/0"


def test_an_existing_directory_is_not_a_cache_file(tmp_path: Path) -> None:
    """A directory, named as a string or a Path, is an error that says which file to name instead."""
    for spec in (str(tmp_path), tmp_path):
        with pytest.raises(ValueError, match="is a directory") as info:
            parse_store_spec(spec)
        assert str(tmp_path / "rules.json") in str(info.value)


@pytest.mark.parametrize("value", ["/var/cache/", "memory", "redis:/cache.internal", "{directory}"])
def test_a_bad_environment_variable_fails_resolve_store(
    value: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``$RESILIENT_CLIENT_CACHE`` is checked like ``store=``: no file named ``cache`` or ``dir`` is made."""
    monkeypatch.setenv("RESILIENT_CLIENT_CACHE", value.replace("{directory}", str(tmp_path)))
    with pytest.raises(ValueError, match="store spec"):
        resolve_store(None)
    assert os.listdir(tmp_path) == []


def test_resolve_store_shares_one_file_store_per_file(tmp_path: Path, forget_shared: list[str]) -> None:
    """A Path and its string name one JSONFileStore, made once."""
    forget_shared.append(str(tmp_path / "rules.json"))
    store = resolve_store(tmp_path / "rules.json")
    assert isinstance(store, JSONFileStore)
    assert resolve_store(str(tmp_path / "rules.json")) is store


def test_resolve_store_shares_one_redis_store_whatever_the_scheme_case(
    redis_py: None, forget_shared: list[str]
) -> None:
    """``REDIS://h`` and ``redis://h`` name one RedisStore; making it connects to nothing yet."""
    from resilient_client.stores.redis import RedisStore

    url = f"redis://127.0.0.1:{free_port()}/0"
    forget_shared.append(url)
    store = resolve_store("REDIS" + url[len("redis") :])
    assert isinstance(store, RedisStore)
    assert resolve_store(url) is store


def test_a_store_object_is_used_as_it_is() -> None:
    """Anything that is not a string, a path or None is the store itself."""
    store = stores_module.MemoryStore()
    assert resolve_store(store) is store
