"""RedisStore's hash-tagged keys, and the move from release 0.1's untagged ones during a rolling upgrade.

0.1 kept ``{prefix}rules`` and ``{prefix}version`` (``resilient_client:rules``); this release keeps
``{tag}:rules`` and ``{tag}:version`` (``{resilient_client}:rules``). Here 0.1 processes are played by
raw writes in their layout: ``HSET`` of the entry ``_serialize.entry_to_json`` makes, then ``INCR`` of
the counter, which is what 0.1's write script does.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
import structlog.testing

from resilient_client._models import DeploymentKey, DeploymentMapping
from resilient_client._serialize import entry_to_json, key_id
from resilient_client.stores.redis import RedisStore, tagged
from tests.stores.helpers import KEY, OTHER_KEY, RedisServer, learn, params, problems, rule

if TYPE_CHECKING:
    import redis


@pytest.fixture
def admin(redis_server: RedisServer) -> Iterator[redis.Redis]:
    """A plain redis-py client on the session's server, playing the 0.1 processes and looking at the keys."""
    import redis as redis_py

    client = redis_py.Redis.from_url(redis_server.url)
    yield client
    client.close()


@pytest.fixture
def stores() -> Iterator[list[RedisStore]]:
    """A list the test adds its stores to, each closed at the end."""
    made: list[RedisStore] = []
    yield made
    for store in made:
        store.close()


def open_store(stores: list[RedisStore], redis_server: RedisServer, prefix: str) -> RedisStore:
    """A new 0.2 store on ``prefix`` (another process's view), closed at the end of the test."""
    stores.append(RedisStore.from_url(redis_server.url, prefix=prefix))
    return stores[-1]


def write_as_0_1(admin: redis.Redis, prefix: str, key: DeploymentKey, *learned: str) -> None:
    """What a 0.1 process writes when it has learned to drop ``learned`` for ``key``."""
    mapping = DeploymentMapping(tuple(rule(param) for param in learned))
    admin.hset(f"{prefix}rules", key_id(key), json.dumps(entry_to_json(key, mapping), separators=(",", ":")))
    admin.incr(f"{prefix}version")


def read_as_0_1(admin: redis.Redis, prefix: str, key: DeploymentKey) -> set[str]:
    """The params of the rules a 0.1 process reads for ``key`` (its ``rules`` list)."""
    raw = admin.hget(f"{prefix}rules", key_id(key))
    return set() if raw is None else {r["fix"]["param"] for r in json.loads(raw)["rules"]}


@pytest.mark.parametrize(
    ("prefix", "expected"),
    [
        ("resilient_client:", "{resilient_client}:"),
        ("fleet-a:", "{fleet-a}:"),
        ("nocolon", "{nocolon}:"),
        ("{fleet}:", "{fleet}:"),
        ("app:{fleet}:", "app:{fleet}:"),
        ("", "{resilient_client}"),
        ("{}:", "{resilient_client}{}:"),
        ("a}b:", "{resilient_client}a}b:"),
    ],
)
def test_the_tag_comes_from_the_prefix(prefix: str, expected: str) -> None:
    """The prefix without its final ':' becomes the tag; a prefix holding a non-empty tag is kept as it is."""
    assert tagged(prefix) == expected


@pytest.mark.parametrize("prefix", ["resilient_client:", "test-x:", "{fleet}:", "", "a}b:", "{}:"])
def test_every_key_of_a_store_maps_to_one_slot(prefix: str) -> None:
    """The hash, the counter and any lease fall in one Cluster slot, so every Lua script touches one slot."""
    from redis.crc import key_slot

    tag = tagged(prefix)
    slots = {key_slot(f"{tag}{name}".encode()) for name in ("rules", "version", "lease:a", "lease:" + key_id(KEY))}
    assert len(slots) == 1


def test_the_store_writes_only_tagged_keys(
    redis_server: RedisServer, redis_prefix: str, admin: redis.Redis, stores: list[RedisStore]
) -> None:
    """Learning and a lease create the tagged hash, counter and lease key, and no key in 0.1's layout."""
    store = open_store(stores, redis_server, redis_prefix)
    store.update(KEY, learn("top_p"))
    assert store.lease("l", 30.0) is True
    tag = tagged(redis_prefix)
    found = admin.keys(f"*{redis_prefix.rstrip(':')}*")
    assert sorted(k if isinstance(k, str) else k.decode() for k in found) == sorted(
        [f"{tag}rules", f"{tag}version", f"{tag}lease:l"]
    )
    store.release("l")


def test_rules_0_1_wrote_are_read(
    redis_server: RedisServer, redis_prefix: str, admin: redis.Redis, stores: list[RedisStore]
) -> None:
    """A store started on keys 0.1 wrote sees their rules, without writing anything."""
    write_as_0_1(admin, redis_prefix, KEY, "top_p")
    write_as_0_1(admin, redis_prefix, OTHER_KEY, "logprobs")
    store = open_store(stores, redis_server, redis_prefix)
    assert {k: params(m) for k, m in store.items().items()} == {KEY: {"top_p"}, OTHER_KEY: {"logprobs"}}
    assert not admin.exists(f"{tagged(redis_prefix)}rules")


def test_what_0_1_learns_later_is_seen_after_a_refresh(
    redis_server: RedisServer, redis_prefix: str, admin: redis.Redis, stores: list[RedisStore]
) -> None:
    """A rule a 0.1 process learns while 0.2 runs (a new key, or more for a key 0.2 only read) reaches 0.2."""
    write_as_0_1(admin, redis_prefix, KEY, "top_p")
    store = open_store(stores, redis_server, redis_prefix)
    assert params(store.get(KEY)) == {"top_p"}
    write_as_0_1(admin, redis_prefix, OTHER_KEY, "logprobs")
    write_as_0_1(admin, redis_prefix, KEY, "top_p", "seed")
    store.refresh()
    assert params(store.get(OTHER_KEY)) == {"logprobs"}
    assert params(store.get(KEY)) == {"top_p", "seed"}


def test_the_first_write_of_a_key_copies_its_0_1_entry(
    redis_server: RedisServer, redis_prefix: str, admin: redis.Redis, stores: list[RedisStore]
) -> None:
    """A 0.2 update of a key only 0.1 wrote starts from 0.1's rules and writes the tagged hash; 0.1's entry stays."""
    write_as_0_1(admin, redis_prefix, KEY, "top_p")
    store = open_store(stores, redis_server, redis_prefix)
    assert params(store.update(KEY, learn("logprobs"))) == {"top_p", "logprobs"}
    fresh = open_store(stores, redis_server, redis_prefix)
    assert params(fresh.get(KEY)) == {"top_p", "logprobs"}
    assert admin.hexists(f"{tagged(redis_prefix)}rules", key_id(KEY))
    assert read_as_0_1(admin, redis_prefix, KEY) == {"top_p"}  # 0.1 processes go on with what they had


def test_once_0_2_wrote_a_key_its_entry_wins_over_0_1s(
    redis_server: RedisServer, redis_prefix: str, admin: redis.Redis, stores: list[RedisStore]
) -> None:
    """A 0.1 write of a key the tagged hash holds changes nothing for 0.2 (no revoked rule comes back)."""
    store = open_store(stores, redis_server, redis_prefix)
    store.update(KEY, learn("logprobs"))
    write_as_0_1(admin, redis_prefix, KEY, "top_p")
    store.refresh()
    assert params(store.get(KEY)) == {"logprobs"}
    assert params(open_store(stores, redis_server, redis_prefix).get(KEY)) == {"logprobs"}


@pytest.mark.parametrize("whole", [False, True], ids=["one-key", "all"])
def test_clear_clears_both_layouts_and_0_1_notices(
    redis_server: RedisServer, redis_prefix: str, admin: redis.Redis, stores: list[RedisStore], *, whole: bool
) -> None:
    """clear() removes the key (or all) from the tagged hash and from 0.1's, whose counter moves for 0.1 readers."""
    write_as_0_1(admin, redis_prefix, KEY, "top_p")
    write_as_0_1(admin, redis_prefix, OTHER_KEY, "logprobs")
    store = open_store(stores, redis_server, redis_prefix)
    store.update(KEY, learn("seed"))
    version = admin.get(f"{redis_prefix}version")
    store.clear(None if whole else KEY)
    assert admin.get(f"{redis_prefix}version") != version
    assert read_as_0_1(admin, redis_prefix, KEY) == set()
    fresh = open_store(stores, redis_server, redis_prefix)
    assert set(fresh.items()) == (set() if whole else {OTHER_KEY})
    assert read_as_0_1(admin, redis_prefix, OTHER_KEY) == (set() if whole else {"logprobs"})


def test_a_clear_without_0_1_keys_creates_none(
    redis_server: RedisServer, redis_prefix: str, admin: redis.Redis, stores: list[RedisStore]
) -> None:
    """Where 0.1 never ran, clear() leaves no key in 0.1's layout behind."""
    store = open_store(stores, redis_server, redis_prefix)
    store.update(KEY, learn("seed"))
    store.clear()
    assert not admin.exists(f"{redis_prefix}rules", f"{redis_prefix}version")


def test_invalid_0_1_entries_are_skipped_and_never_copied(
    redis_server: RedisServer, redis_prefix: str, admin: redis.Redis, stores: list[RedisStore]
) -> None:
    """0.1's keys are checked like the tagged ones: a bad entry is skipped (one 'format' warning), never a seed."""
    write_as_0_1(admin, redis_prefix, OTHER_KEY, "logprobs")
    admin.hset(f"{redis_prefix}rules", key_id(KEY), '{"key": {"host": 1}, "rules": []}')
    admin.hset(f"{redis_prefix}rules", "deep", "[" * 100_000)
    admin.incr(f"{redis_prefix}version")
    store = open_store(stores, redis_server, redis_prefix)
    with structlog.testing.capture_logs() as events:
        assert set(store.items()) == {OTHER_KEY}
        assert params(store.update(KEY, learn("seed"))) == {"seed"}
    assert set(problems(events)) == {"format"}
    assert params(open_store(stores, redis_server, redis_prefix).get(KEY)) == {"seed"}


def test_a_0_1_entry_filed_under_another_key_is_not_used_as_a_seed(
    redis_server: RedisServer, redis_prefix: str, admin: redis.Redis, stores: list[RedisStore]
) -> None:
    """A 0.1 field whose entry names another key does not seed this key's first write."""
    entry = entry_to_json(OTHER_KEY, DeploymentMapping((rule("top_p"),)))
    admin.hset(f"{redis_prefix}rules", key_id(KEY), json.dumps(entry))
    store = open_store(stores, redis_server, redis_prefix)
    assert params(store.update(KEY, learn("seed"))) == {"seed"}


def test_finish_migration_copies_what_the_tagged_hash_lacks_and_deletes_0_1s_keys(
    redis_server: RedisServer, redis_prefix: str, admin: redis.Redis, stores: list[RedisStore]
) -> None:
    """finish_migration() copies valid 0.1 entries the tagged hash lacks, keeps its own, deletes 0.1's keys."""
    write_as_0_1(admin, redis_prefix, KEY, "top_p")
    write_as_0_1(admin, redis_prefix, OTHER_KEY, "logprobs")
    admin.hset(f"{redis_prefix}rules", "bad", "{not json")
    store = open_store(stores, redis_server, redis_prefix)
    store.update(KEY, learn("seed"))  # copies KEY's 0.1 entry, with seed added
    write_as_0_1(admin, redis_prefix, KEY, "temperature")  # 0.1 again: shadowed for 0.2
    assert store.finish_migration() == 1
    assert not admin.exists(f"{redis_prefix}rules", f"{redis_prefix}version")
    assert admin.hlen(f"{tagged(redis_prefix)}rules") == 2
    fresh = open_store(stores, redis_server, redis_prefix)
    assert {k: params(m) for k, m in fresh.items().items()} == {KEY: {"top_p", "seed"}, OTHER_KEY: {"logprobs"}}
    assert {k: params(m) for k, m in store.items().items()} == {KEY: {"top_p", "seed"}, OTHER_KEY: {"logprobs"}}
    assert store.finish_migration() == 0


def test_a_tagged_prefix_has_no_0_1_keys_to_read(
    redis_server: RedisServer, redis_prefix: str, admin: redis.Redis, stores: list[RedisStore]
) -> None:
    """A prefix holding a tag (``{fleet}:``) keeps the keys 0.1 used: nothing to move, nothing read twice."""
    prefix = "{" + redis_prefix.rstrip(":") + "}:"
    write_as_0_1(admin, prefix, KEY, "top_p")
    store = open_store(stores, redis_server, prefix)
    assert params(store.get(KEY)) == {"top_p"}
    assert params(store.update(KEY, learn("seed"))) == {"top_p", "seed"}
    assert read_as_0_1(admin, prefix, KEY) == {"top_p", "seed"}  # one layout, shared with 0.1
    assert store.finish_migration() == 0
