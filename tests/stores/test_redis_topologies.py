"""RedisStore on a Redis Cluster and over TLS: the URL forms, a cluster down at start, and ``status()``.

The store contract itself runs on every topology in test_redis.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import structlog.testing

from resilient_client import stores as stores_module
from resilient_client.stores import StoreStatus, resolve_store
from resilient_client.stores.redis import RedisStore, redact, split_cluster_url, tagged
from resilient_client.testing import AzureEmulator
from tests.stores.helpers import KEY, RedisServer, ask, free_port, learn, params, problems
from tests.stores.redis_servers import TLSServer


@pytest.fixture
def stores() -> Iterator[list[RedisStore]]:
    """A list the test adds its stores to, each closed at the end."""
    made: list[RedisStore] = []
    yield made
    for store in made:
        store.close()


def opened(stores: list[RedisStore], store: RedisStore) -> RedisStore:
    """``store``, closed at the end of the test."""
    stores.append(store)
    return store


# -- URL forms ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "first", "nodes"),
    [
        ("redis+cluster://h1:7000", "redis://h1:7000/0", [("h1", 7000)]),
        ("redis+cluster://h1:7000,h2:7001/", "redis://h1:7000/0", [("h1", 7000), ("h2", 7001)]),
        ("redis+cluster://h1,h2:7001/0", "redis://h1:6379/0", [("h1", 6379), ("h2", 7001)]),
        ("rediss+cluster://u:pw@h1:7000,h2:7001", "rediss://u:pw@h1:7000/0", [("h1", 7000), ("h2", 7001)]),
        ("rediss+cluster://h1:7000?ssl_ca_certs=/ca.pem", "rediss://h1:7000/0?ssl_ca_certs=/ca.pem", [("h1", 7000)]),
        ("redis+cluster://[::1]:7000,10.0.0.2:7001", "redis://[::1]:7000/0", [("::1", 7000), ("10.0.0.2", 7001)]),
    ],
)
def test_a_cluster_url_names_its_nodes(url: str, first: str, nodes: list[tuple[str, int]]) -> None:
    """A cluster URL is split into the first node's URL (credentials and options kept) and every node."""
    assert split_cluster_url(url) == (first, nodes)


@pytest.mark.parametrize(
    "url",
    [
        "redis+cluster://",
        "redis+cluster://h1:7000,,h2:7001",
        "redis+cluster://h1:70000",
        "redis+cluster://h1:port",
        "redis+cluster://h1:7000/1",
        "redis://h1:7000",
        "rediss+cluster://:hunter2@h1:x",
    ],
)
def test_a_bad_cluster_url_is_one_line_without_its_password(url: str) -> None:
    """A cluster URL that names no valid node list, or a database other than 0, is a ValueError, password hidden."""
    with pytest.raises(ValueError, match="cluster") as info:
        split_cluster_url(url)
    assert "\n" not in str(info.value)
    assert "hunter2" not in str(info.value)


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("redis://:hunter2@h:6380/0", "redis://:***@h:6380/0"),
        ("rediss+cluster://app:hunter2@h1:7000,h2:7001", "rediss+cluster://app:***@h1:7000,h2:7001"),
        ("redis://h:6379/0", "redis://h:6379/0"),
    ],
)
def test_redact_hides_only_the_password(url: str, shown: str) -> None:
    """A URL is shown with its password replaced by ***; the rest as given."""
    assert redact(url) == shown


def test_from_url_with_a_cluster_url_makes_a_redis_cluster_client(
    redis_cluster: str, redis_prefix: str, stores: list[RedisStore]
) -> None:
    """``redis+cluster://`` gives a RedisStore over ``redis.cluster.RedisCluster``, sharing with one built directly."""
    from redis.cluster import RedisCluster

    store = opened(stores, RedisStore.from_url(redis_cluster, prefix=redis_prefix))
    store.update(KEY, learn("top_p"))
    assert isinstance(store.client, RedisCluster)
    assert store.kind == "redis-cluster"
    host, port = split_cluster_url(redis_cluster)[1][-1]
    other = opened(stores, RedisStore(RedisCluster(host=host, port=port), prefix=redis_prefix))
    assert params(other.get(KEY)) == {"top_p"}


def test_one_node_of_the_cluster_is_enough_to_find_the_others(
    redis_cluster: str, redis_prefix: str, stores: list[RedisStore]
) -> None:
    """A cluster URL naming one node reaches the slots the other nodes serve."""
    host, port = split_cluster_url(redis_cluster)[1][0]
    store = opened(stores, RedisStore.from_url(f"REDIS+CLUSTER://{host}:{port}", prefix=redis_prefix))
    for n in range(8):  # prefixes whose tags fall on different nodes
        each = opened(stores, RedisStore.from_url(f"redis+cluster://{host}:{port}", prefix=f"{redis_prefix}{n}:"))
        each.update(KEY, learn(f"p{n}"))
        assert params(each.items()[KEY]) == {f"p{n}"}
    assert store.items() == {}


def test_resolve_store_opens_a_cluster_url_once(redis_cluster: str) -> None:
    """The store spec ``redis+cluster://…`` resolves to one shared RedisStore over a RedisCluster."""
    from redis.cluster import RedisCluster

    store = resolve_store(redis_cluster)
    try:
        assert isinstance(store, RedisStore)
        assert isinstance(store.client, RedisCluster)
        assert resolve_store(redis_cluster) is store
    finally:
        stores_module._shared.pop(redis_cluster, None)
        store.close()


def test_every_operation_works_on_the_cluster(redis_cluster: str, redis_prefix: str, stores: list[RedisStore]) -> None:
    """update, lease, release, clear and items on the cluster: every script names keys of one slot."""
    store = opened(stores, RedisStore.from_url(redis_cluster, prefix=redis_prefix))
    store.update(KEY, learn("top_p"))
    assert store.lease("l", 30.0) is True
    store.release("l")
    store.clear(KEY)
    assert store.items() == {}
    assert store._legacy is None  # 0.1 never worked on a cluster: no untagged keys to read
    assert tagged(redis_prefix) in store.status().details["keys"]


def test_a_cluster_down_at_start_is_an_outage_not_an_error(azure: AzureEmulator, redis_py: None) -> None:
    """from_url on a cluster nobody serves does not raise; calls succeed from the local copy, one 'down' warning."""
    store = RedisStore.from_url(f"redis+cluster://127.0.0.1:{free_port()}", reconnect_interval=60)
    try:
        with structlog.testing.capture_logs() as events:
            assert ask(azure, store) == "ok"
            azure.reset()
            assert ask(azure, store) == "ok"
            assert [r.status for r in azure.requests] == [200]
        assert problems(events) == ["down"]
    finally:
        store.close()


def test_tls_with_the_wrong_ca_is_an_outage(
    redis_tls: TLSServer, tmp_path: Path, redis_prefix: str, stores: list[RedisStore]
) -> None:
    """A TLS server whose certificate does not verify is unreachable: status says so in one line, nothing raises."""
    url = f"rediss://127.0.0.1:{redis_tls.node.port}/0"  # the system's CAs: the self-signed certificate fails
    store = opened(stores, RedisStore.from_url(url, prefix=redis_prefix))
    with structlog.testing.capture_logs() as events:
        store.update(KEY, learn("top_p"))
    assert problems(events) == ["down"]
    status = store.status()
    assert not status.ok
    assert len(status.problems) == 1
    assert "\n" not in status.problems[0]


# -- status ---------------------------------------------------------------------------------------------------------


def test_status_of_a_single_server(
    redis_server: RedisServer, redis_prefix: str, stores: list[RedisStore], tmp_path: Path
) -> None:
    """ok, kind, location, and the details a doctor shows: server, mode, persistence (none here), entries."""
    store = opened(stores, RedisStore.from_url(redis_server.url, prefix=redis_prefix))
    store.update(KEY, learn("top_p"))
    status = store.status()
    assert isinstance(status, StoreStatus)
    assert (status.ok, status.kind, status.location, tuple(status.problems)) == (True, "redis", redis_server.url, ())
    assert status.details["server"].startswith("Redis 7") or status.details["server"].startswith("Redis ")
    assert status.details["mode"] == "standalone"
    assert status.details["persistence"].startswith("none")
    assert status.details["entries"] == "1"
    assert "0.1 keys" not in status.details
    with pytest.raises(AttributeError):
        status.ok = False  # type: ignore[misc]  # frozen


def test_status_of_the_cluster(redis_cluster: str, redis_prefix: str, stores: list[RedisStore]) -> None:
    """On the cluster: kind redis-cluster, mode says 3 masters and ok."""
    store = opened(stores, RedisStore.from_url(redis_cluster, prefix=redis_prefix))
    status = store.status()
    assert (status.ok, status.kind, tuple(status.problems)) == (True, "redis-cluster", ())
    assert status.details["mode"] == "cluster of 3 masters, ok"
    assert status.details["entries"] == "0"


def test_status_over_tls(redis_tls: TLSServer, redis_prefix: str, stores: list[RedisStore]) -> None:
    """Over TLS: ok, and the rediss:// location."""
    status = opened(stores, RedisStore.from_url(redis_tls.url, prefix=redis_prefix)).status()
    assert (status.ok, status.kind) == (True, "redis")
    assert status.location.startswith("rediss://127.0.0.1:")


def test_status_names_persistence_when_redis_has_it(private_redis: RedisServer, stores: list[RedisStore]) -> None:
    """With RDB snapshots configured, persistence says so."""
    store = opened(stores, RedisStore.from_url(private_redis.url))
    store.client.config_set("save", "3600 1")
    assert store.status().details["persistence"] == "RDB snapshots (save 3600 1)"


@pytest.mark.parametrize("scheme", ["redis", "redis+cluster"])
def test_status_of_a_redis_nobody_serves_is_one_line_and_hides_the_password(scheme: str, redis_py: None) -> None:
    """Redis down: ok is False, one one-line problem, and the password appears nowhere; status never raises."""
    port = free_port()
    store = RedisStore.from_url(f"{scheme}://:hunter2@127.0.0.1:{port}")
    try:
        status = store.status()
    finally:
        store.close()
    assert not status.ok
    assert len(status.problems) == 1
    assert "\n" not in status.problems[0]
    assert status.location == f"{scheme}://:***@127.0.0.1:{port}"
    assert "hunter2" not in repr(status)


def test_status_counts_entries_that_fail_validation(
    redis_server: RedisServer, redis_prefix: str, stores: list[RedisStore]
) -> None:
    """An entry that fails validation is a problem (ok is False); the valid ones are counted."""
    store = opened(stores, RedisStore.from_url(redis_server.url, prefix=redis_prefix))
    store.update(KEY, learn("top_p"))
    store.client.hset(f"{tagged(redis_prefix)}rules", "bad", "{not json")
    status = store.status()
    assert not status.ok
    assert status.problems == (f"1 of 2 entries in {tagged(redis_prefix)}rules fail validation and are skipped",)


def test_status_reports_0_1_keys(redis_server: RedisServer, redis_prefix: str, stores: list[RedisStore]) -> None:
    """While 0.1's keys exist, details say how many entries they hold and how to finish the move."""
    store = opened(stores, RedisStore.from_url(redis_server.url, prefix=redis_prefix))
    store.client.hset(f"{redis_prefix}rules", "x", "{}")
    status = store.status()
    assert "1 entries" in status.details["0.1 keys"]
    assert "finish_migration" in status.details["0.1 keys"]
    assert not status.ok  # "{}" is not an entry


def test_status_of_a_plain_client_on_a_cluster_node(
    redis_cluster: str, redis_prefix: str, stores: list[RedisStore]
) -> None:
    """A redis:// URL pointing at a cluster node is a problem a doctor names."""
    host, port = split_cluster_url(redis_cluster)[1][0]
    status = opened(stores, RedisStore.from_url(f"redis://{host}:{port}/0", prefix=redis_prefix)).status()
    assert not status.ok
    assert any("cluster node" in problem for problem in status.problems)


def test_status_describes_a_client_passed_in(redis_server: RedisServer, stores: list[RedisStore]) -> None:
    """A store given a client says where it connects, without credentials."""
    import redis

    client = redis.Redis(host="127.0.0.1", port=redis_server.port, password="hunter2")  # noqa: S106 - a test's
    store = opened(stores, RedisStore(client))
    assert store.location == f"redis://127.0.0.1:{redis_server.port}/0"
    assert "hunter2" not in repr(store.status())
