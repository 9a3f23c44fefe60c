"""RedisStore: the store contract on a server, a cluster and TLS; outages, the warm path, and many processes."""

from __future__ import annotations

import functools
import json
import time
import uuid
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
import structlog.testing

from resilient_client import ResilientAzureClient
from resilient_client._core import merge
from resilient_client._models import DeploymentKey, DeploymentMapping, Drop, Evidence, LearnedRule, Rename
from resilient_client.stores.redis import RedisStore, split_cluster_url, tagged
from resilient_client.testing import AzureEmulator
from tests.stores.children import fleet_expected
from tests.stores.contract import StoreContract, StoreFactory
from tests.stores.helpers import (
    API_VERSION,
    KEY,
    OTHER_KEY,
    RedisServer,
    ask,
    free_port,
    learn,
    params,
    problems,
    rule,
    run_child,
)
from tests.stores.redis_servers import TLSServer

if TYPE_CHECKING:
    import redis

RENAME = Rename("max_tokens", "max_completion_tokens")


TOPOLOGIES = ("single", "cluster", "tls")


def open_store(request: pytest.FixtureRequest, topology: str, prefix: str) -> RedisStore:
    """A new RedisStore on ``prefix`` of the session's Redis of ``topology``, with its own connections.

    ``single``: ``from_url`` on our redis-server; ``cluster``: a ``redis.cluster.RedisCluster`` client
    on the 3-master cluster, passed in; ``tls``: ``from_url`` with ``rediss://`` on the TLS server.
    """
    if topology == "cluster":
        from redis.cluster import RedisCluster

        host, port = split_cluster_url(request.getfixturevalue("redis_cluster"))[1][0]
        return RedisStore(RedisCluster(host=host, port=port, socket_timeout=5.0), prefix=prefix)
    server: RedisServer | TLSServer = request.getfixturevalue("redis_server" if topology == "single" else "redis_tls")
    return RedisStore.from_url(server.url, prefix=prefix)


class TestRedisStore(StoreContract):
    @pytest.fixture(params=TOPOLOGIES)
    def store_factory(self, request: pytest.FixtureRequest, redis_prefix: str) -> Iterator[StoreFactory]:
        """New RedisStores on one prefix of a single server, a 3-master cluster or a TLS server."""
        made: list[RedisStore] = []

        def factory() -> RedisStore:
            made.append(open_store(request, request.param, redis_prefix))
            return made[-1]

        yield factory
        for store in made:
            store.close()


@pytest.fixture
def admin(redis_server: RedisServer) -> Iterator[redis.Redis]:
    """A plain redis-py client on the session's server, to look at what the stores did."""
    import redis as redis_py

    client = redis_py.Redis.from_url(redis_server.url)
    yield client
    client.close()


def commands_served(admin: redis.Redis) -> int:
    """How many commands the server has executed so far, not counting the INFO calls that ask."""
    stats = admin.info("commandstats")
    return sum(int(v["calls"]) for k, v in stats.items() if k != "cmdstat_info")


def test_warm_get_does_no_round_trip(redis_server: RedisServer, redis_prefix: str, admin: redis.Redis) -> None:
    """1000 get() within check_interval are served from the local copy: the server executes no command."""
    store = RedisStore.from_url(redis_server.url, prefix=redis_prefix, check_interval=3600)
    try:
        store.update(KEY, learn("top_p"))
        assert params(store.get(KEY)) == {"top_p"}
        before = commands_served(admin)
        for _ in range(1000):
            assert params(store.get(KEY)) == {"top_p"}
        assert commands_served(admin) - before == 0
    finally:
        store.close()


def test_warm_client_call_does_no_round_trip(
    azure: AzureEmulator, redis_server: RedisServer, redis_prefix: str, admin: redis.Redis
) -> None:
    """Once a rule is learned, a client call that needs nothing new sends one request and no Redis command.

    The count of calls the rule rewrote is written when the client closes, not by the call.
    """
    store = RedisStore.from_url(redis_server.url, prefix=redis_prefix, check_interval=3600)
    try:
        assert ask(azure, store) == "ok"
        azure.reset()
        with ResilientAzureClient(
            azure_endpoint=azure.endpoint, api_key="k", api_version=API_VERSION, store=store, max_retries=0
        ) as client:
            before = commands_served(admin)
            client.chat.completions.create(model="o4-mini", messages=[{"role": "user", "content": "hi"}], max_tokens=5)
            assert commands_served(admin) - before == 0
        assert [r.status for r in azure.requests] == [200]
        assert [r.evidence.uses for m in store.items().values() for r in m.rules] == [1]
    finally:
        store.close()


@pytest.mark.parametrize(("prefix", "gets"), [("{fleet-%s}:", 1), ("fleet-%s:", 2)], ids=["tagged", "untagged"])
def test_refresh_reads_the_hash_only_when_the_version_moved(
    redis_server: RedisServer, prefix: str, gets: int, admin: redis.Redis
) -> None:
    """A refresh with nothing new costs one round trip reading the version counter, not a read of the hash.

    With an untagged prefix the round trip reads 0.1's counter too (two GETs), while 0.1's keys may be in use.
    """
    store = RedisStore.from_url(redis_server.url, prefix=prefix % uuid.uuid4().hex)
    try:
        store.update(KEY, learn("top_p"))
        store.refresh()
        hgetall = admin.info("commandstats").get("cmdstat_hgetall", {"calls": 0})["calls"]
        before = commands_served(admin)
        for _ in range(10):
            store.refresh()
        assert commands_served(admin) - before == 10 * gets
        assert admin.info("commandstats").get("cmdstat_hgetall", {"calls": 0})["calls"] == hgetall
    finally:
        store.close()


@pytest.mark.parametrize("layout", ["tagged", "0.1"])
def test_an_invalid_entry_is_skipped_with_one_format_warning(
    redis_server: RedisServer, redis_prefix: str, admin: redis.Redis, layout: str
) -> None:
    """A hash field that is not a valid entry is skipped (one 'format' warning); the valid ones are read.

    In the tagged hash and in 0.1's alike.
    """
    writer = RedisStore.from_url(redis_server.url, prefix=redis_prefix)
    reader = RedisStore.from_url(redis_server.url, prefix=redis_prefix)
    names = tagged(redis_prefix) if layout == "tagged" else redis_prefix
    try:
        writer.update(KEY, learn("top_p"))
        admin.hset(f"{names}rules", "garbage", "{not json")
        admin.hset(f"{names}rules", "foreign", json.dumps({"key": {"host": "h"}, "rules": []}))
        admin.incr(f"{names}version")
        with structlog.testing.capture_logs() as events:
            assert set(reader.items()) == {KEY}
            assert set(reader.items()) == {KEY}
        assert problems(events) == ["format"]
    finally:
        writer.close()
        reader.close()


def test_a_late_release_never_frees_a_lease_another_store_took(redis_server: RedisServer, redis_prefix: str) -> None:
    """A release that comes after its lease expired and was taken over leaves the new holder's lease in place."""
    slow, taker, third = (RedisStore.from_url(redis_server.url, prefix=redis_prefix) for _ in range(3))
    try:
        assert slow.lease("k", 0.2) is True
        time.sleep(0.35)  # the old leader stalls (a GC pause, a slow network): its lease expires
        assert taker.lease("k", 30.0) is True
        slow.release("k")  # too late: the compare-and-delete sees another holder
        assert third.lease("k", 30.0) is False
        taker.release("k")
        assert third.lease("k", 30.0) is True
    finally:
        for store in (slow, taker, third):
            store.close()


# -- outages ----------------------------------------------------------------------------------


def test_refused_connections_from_the_start_keep_rules_in_the_local_copy(azure: AzureEmulator, redis_py: None) -> None:
    """With nothing listening, calls succeed, one 'down' warning is logged, and what is learned is used locally."""
    store = RedisStore.from_url(f"redis://127.0.0.1:{free_port()}/0")
    try:
        with structlog.testing.capture_logs() as events:
            assert ask(azure, store) == "ok"
            assert [r.status for r in azure.requests] == [400, 200]
            azure.reset()
            assert ask(azure, store) == "ok"
            assert [r.status for r in azure.requests] == [200]  # the rule learned is applied from the local copy
        assert problems(events) == ["down"]
        (mapping,) = store.items().values()
        assert mapping.fixes == (RENAME,)
    finally:
        store.close()


def test_redis_dying_mid_run_does_not_fail_calls_and_learning_continues_locally(
    azure: AzureEmulator, private_redis: RedisServer, redis_prefix: str
) -> None:
    """After redis-server is terminated, calls still succeed and new rules are learned into the local copy."""
    store = RedisStore.from_url(private_redis.url, prefix=redis_prefix, check_interval=0.0, reconnect_interval=60)
    try:
        assert ask(azure, store) == "ok"
        (key,) = store.items()
        private_redis.stop()
        azure.reset()
        with structlog.testing.capture_logs() as events:
            assert ask(azure, store, temperature=0.5) == "ok"
            assert [r.status for r in azure.requests] == [400, 200]  # max_tokens renamed already; temperature learned
            azure.reset()
            assert ask(azure, store, temperature=0.5) == "ok"
            assert [r.status for r in azure.requests] == [200]
        assert problems(events) == ["down"]
        assert params(store.get(key)) == {"max_tokens", "temperature"}
    finally:
        store.close()


def test_what_was_learned_while_redis_was_down_is_written_when_it_is_back(
    azure: AzureEmulator, private_redis: RedisServer, redis_prefix: str
) -> None:
    """When redis-server is back on its port, rules learned during the outage reach Redis: a fresh store sees them."""
    store = RedisStore.from_url(private_redis.url, prefix=redis_prefix, check_interval=0.0, reconnect_interval=0.2)
    try:
        assert ask(azure, store) == "ok"
        (key,) = store.items()
        private_redis.stop()
        with structlog.testing.capture_logs() as events:
            assert ask(azure, store, temperature=0.5) == "ok"
            private_redis.start()
            time.sleep(0.3)  # past reconnect_interval
            # This call's first store access reconnects. (It may have to relearn max_tokens: the rule
            # learned before the outage was lost with the restarted server, which persists nothing.)
            assert ask(azure, store, temperature=0.5) == "ok"
        assert problems(events) == ["down"]
        assert [e["problem"] for e in events if e["event"] == "store_error" and e["log_level"] == "info"] == [
            "reconnected"
        ]
        fresh = RedisStore.from_url(private_redis.url, prefix=redis_prefix)
        try:
            # The restarted server kept nothing (no persistence): what it holds was written after it came back.
            assert "temperature" in params(fresh.get(key))
        finally:
            fresh.close()
    finally:
        store.close()


# -- many processes ---------------------------------------------------------------------------

FLEET_WORKERS = 8
FLEET_LEARNS = 200


def test_writers_of_other_keys_cannot_make_an_update_fail(redis_server: RedisServer, redis_prefix: str) -> None:
    """An update whose transaction is interrupted 60 times by writes to other keys still reaches Redis, no 'down'."""
    store = RedisStore.from_url(redis_server.url, prefix=redis_prefix)
    busy = RedisStore.from_url(redis_server.url, prefix=redis_prefix)
    fresh = RedisStore.from_url(redis_server.url, prefix=redis_prefix)
    interruptions = 0
    learned = rule("top_p")

    def change(mapping: DeploymentMapping) -> DeploymentMapping:
        nonlocal interruptions
        if interruptions < 60:  # another process learns about another deployment meanwhile
            interruptions += 1
            busy.update(OTHER_KEY, learn(f"p{interruptions}"))
        return merge(mapping, learned)

    try:
        with structlog.testing.capture_logs() as events:
            store.update(KEY, change)
        assert (params(fresh.get(KEY)), problems(events)) == ({"top_p"}, [])
    finally:
        for each in (store, busy, fresh):
            each.close()


@pytest.mark.slow
@pytest.mark.parametrize("topology", ["single", "cluster"])
def test_processes_updating_one_prefix_keep_every_rule(
    request: pytest.FixtureRequest, topology: str, redis_prefix: str
) -> None:
    """8 processes x 200 updates through RedisStore.from_url on one prefix lose nothing (optimistic transactions).

    On one server (``redis://``) and on the 3-master cluster (``redis+cluster://``).
    """
    url = (
        request.getfixturevalue("redis_server").url
        if topology == "single"
        else request.getfixturevalue("redis_cluster")
    )
    done = run_child("redis-fleet", url, redis_prefix, str(FLEET_WORKERS), str(FLEET_LEARNS))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"exit_codes": [0] * FLEET_WORKERS}, done.stderr
    store = RedisStore.from_url(url, prefix=redis_prefix)
    try:
        rules = store.items()
    finally:
        store.close()
    assert {k: params(m) for k, m in rules.items()} == fleet_expected(FLEET_WORKERS, FLEET_LEARNS), done.stderr
    assert sum(len(m.rules) for m in rules.values()) == FLEET_WORKERS * FLEET_LEARNS


def test_the_hash_keeps_at_most_max_keys_and_forgets_the_least_recently_active(
    redis_server: RedisServer, redis_prefix: str, monkeypatch: pytest.MonkeyPatch, admin: redis.Redis
) -> None:
    """Past the bound, a new key's write removes the least recently seen key from Redis, not only locally."""
    from resilient_client.stores import redis as redis_store

    monkeypatch.setattr(redis_store, "MAX_KEYS", 3)
    monkeypatch.setattr("resilient_client._serialize.MAX_KEYS", 3)
    store = RedisStore.from_url(redis_server.url, prefix=redis_prefix)
    try:
        keys = [DeploymentKey("h", f"d{i}", "v", "o") for i in range(4)]
        for i, key in enumerate(keys):
            seen = Evidence(400, None, "m", float(100 + i), float(100 + i))
            store.update(key, functools.partial(merge, rule=LearnedRule(Drop("top_p"), seen)))
        fields = {json.loads(f)[1] for f in admin.hkeys(store._hash)}
        assert fields == {"d1", "d2", "d3"}
    finally:
        store.close()
