"""The behaviour every :class:`~resilient_client.stores.Store` backend must have.

Subclass :class:`StoreContract` as ``Test<Backend>`` and override the ``store_factory``
fixture: each call of the factory returns a new store instance on the same backing
(the same file, the same Redis prefix), as another process would open it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import ClassVar, TypeAlias

import pytest

from resilient_client._core import merge
from resilient_client._models import DeploymentMapping
from resilient_client.stores import Store
from tests.stores.helpers import KEY, OTHER_KEY, learn, params, rule

StoreFactory: TypeAlias = Callable[[], Store]

LEASE = "lease-under-test"


class StoreContract:
    """Tests every store backend must pass (not collected itself: its name does not start with ``Test``)."""

    shares_between_instances: ClassVar[bool] = True
    """Whether two instances from ``store_factory`` share what they hold (``MemoryStore`` does not)."""

    @pytest.fixture
    def store_factory(self) -> StoreFactory:
        """Makes a new store instance on one shared backing per call: the hook each backend overrides."""
        raise NotImplementedError

    @pytest.fixture
    def store(self, store_factory: StoreFactory) -> Store:
        """The store under test."""
        return store_factory()

    @pytest.fixture
    def other(self, store_factory: StoreFactory) -> Store:
        """A second instance on the same backing, as another process would have it."""
        if not self.shares_between_instances:
            pytest.skip(f"{type(self).__name__}: separate instances share nothing")
        return store_factory()

    def test_is_a_store(self, store: Store) -> None:
        """The backend satisfies the runtime-checkable Store protocol."""
        assert isinstance(store, Store)

    def test_get_of_an_unknown_key_is_none(self, store: Store) -> None:
        """A key nothing was learned for has no mapping."""
        assert store.get(KEY) is None

    def test_first_update_starts_from_an_empty_mapping(self, store: Store) -> None:
        """The change of a key's first update is given an empty mapping, and its result is stored."""
        seen: list[DeploymentMapping] = []
        learned = rule("top_p")

        def change(mapping: DeploymentMapping) -> DeploymentMapping:
            seen.append(mapping)
            return merge(mapping, learned)

        result = store.update(KEY, change)
        assert seen
        assert all(mapping == DeploymentMapping() for mapping in seen)
        assert result == DeploymentMapping((learned,))
        assert store.get(KEY) == result

    def test_update_applies_the_change_to_the_current_mapping_and_returns_it(self, store: Store) -> None:
        """An update's change is given the key's current mapping; the update returns, and stores, what it made."""
        store.update(KEY, learn("top_p"))
        current = store.get(KEY)
        seen: list[DeploymentMapping] = []
        learned = rule("logprobs")

        def change(mapping: DeploymentMapping) -> DeploymentMapping:
            seen.append(mapping)
            return merge(mapping, learned)

        result = store.update(KEY, change)
        assert seen
        assert all(mapping == current for mapping in seen)
        assert current is not None
        assert result == merge(current, learned)
        assert store.get(KEY) == result

    def test_two_updates_with_different_rules_keep_both(self, store: Store) -> None:
        """Merging is a union: a second rule for a key is added to the first, not put in its place."""
        store.update(KEY, learn("top_p"))
        result = store.update(KEY, learn("logprobs"))
        assert params(result) == {"top_p", "logprobs"}
        assert params(store.get(KEY)) == {"top_p", "logprobs"}

    def test_each_update_is_applied_exactly_once(self, store: Store) -> None:
        """Three updates learning the same rule count three hits, not more (a change is never replayed on itself)."""
        for _ in range(3):
            store.update(KEY, learn("top_p"))
        mapping = store.get(KEY)
        assert mapping is not None
        assert [r.evidence.hits for r in mapping.rules] == [3]

    def test_updates_of_different_keys_are_independent(self, store: Store) -> None:
        """A rule learned for one key does not show up under another."""
        store.update(KEY, learn("top_p"))
        store.update(OTHER_KEY, learn("logprobs"))
        assert params(store.get(KEY)) == {"top_p"}
        assert params(store.get(OTHER_KEY)) == {"logprobs"}

    def test_clear_of_a_key_forgets_only_that_key(self, store: Store) -> None:
        """clear(key) forgets that key's mapping and keeps the others."""
        store.update(KEY, learn("top_p"))
        store.update(OTHER_KEY, learn("logprobs"))
        store.clear(KEY)
        assert store.get(KEY) is None
        assert params(store.get(OTHER_KEY)) == {"logprobs"}
        assert set(store.items()) == {OTHER_KEY}

    def test_clear_without_a_key_forgets_everything(self, store: Store) -> None:
        """clear() forgets every key's mapping."""
        store.update(KEY, learn("top_p"))
        store.update(OTHER_KEY, learn("logprobs"))
        store.clear()
        assert store.get(KEY) is None
        assert store.get(OTHER_KEY) is None
        assert store.items() == {}

    def test_a_cleared_key_can_be_learned_again(self, store: Store) -> None:
        """After clear(key), an update starts the key afresh."""
        store.update(KEY, learn("top_p"))
        store.clear(KEY)
        assert params(store.update(KEY, learn("logprobs"))) == {"logprobs"}

    def test_items_returns_every_key_with_its_mapping(self, store: Store) -> None:
        """items() maps every key learned to the mapping get() returns for it."""
        assert store.items() == {}
        first = store.update(KEY, learn("top_p"))
        second = store.update(OTHER_KEY, learn("logprobs"))
        assert store.items() == {KEY: first, OTHER_KEY: second}

    def test_items_is_a_snapshot(self, store: Store) -> None:
        """Changing the dict items() returned does not change the store."""
        store.update(KEY, learn("top_p"))
        store.items().clear()
        assert params(store.get(KEY)) == {"top_p"}

    def test_another_instance_sees_an_update_after_refresh(self, store: Store, other: Store) -> None:
        """A second instance on the same backing sees an update once it refreshes."""
        assert other.get(KEY) is None
        store.update(KEY, learn("top_p"))
        other.refresh()
        assert params(other.get(KEY)) == {"top_p"}
        assert set(other.items()) == {KEY}

    def test_another_instance_sees_a_clear_after_refresh(self, store: Store, other: Store) -> None:
        """A second instance on the same backing forgets a cleared key once it refreshes."""
        store.update(KEY, learn("top_p"))
        store.update(OTHER_KEY, learn("logprobs"))
        other.refresh()
        assert set(other.items()) == {KEY, OTHER_KEY}
        store.clear(KEY)
        other.refresh()
        assert other.get(KEY) is None
        assert params(other.get(OTHER_KEY)) == {"logprobs"}

    def test_an_update_through_a_stale_instance_keeps_the_other_instances_rule(
        self, store: Store, other: Store
    ) -> None:
        """An instance that has not refreshed applies its change to the latest shared mapping, so both rules stay."""
        assert other.get(KEY) is None
        store.update(KEY, learn("top_p"))
        assert params(other.update(KEY, learn("logprobs"))) == {"top_p", "logprobs"}
        store.refresh()
        assert params(store.get(KEY)) == {"top_p", "logprobs"}

    def test_lease_is_exclusive_until_released(self, store: Store) -> None:
        """The first lease is granted, a second is refused while it is held, and granted again after release."""
        assert store.lease(LEASE, 30.0) is True
        assert store.lease(LEASE, 30.0) is False
        store.release(LEASE)
        assert store.lease(LEASE, 30.0) is True
        store.release(LEASE)

    def test_lease_is_granted_again_after_its_ttl(self, store: Store) -> None:
        """A lease nobody releases expires after its ttl (a crashed leader blocks nobody for long)."""
        assert store.lease(LEASE, 0.2) is True
        assert store.lease(LEASE, 0.2) is False
        time.sleep(0.35)
        assert store.lease(LEASE, 30.0) is True
        store.release(LEASE)

    def test_release_of_a_lease_not_held_does_nothing(self, store: Store) -> None:
        """Releasing a lease nobody holds raises nothing and leaves other leases held."""
        assert store.lease("held", 30.0) is True
        store.release(LEASE)
        assert store.lease("held", 30.0) is False
        assert store.lease(LEASE, 30.0) is True
        store.release(LEASE)
        store.release("held")

    def test_leases_with_different_names_are_independent(self, store: Store) -> None:
        """Holding one lease does not keep another name from being taken."""
        assert store.lease(LEASE, 30.0) is True
        assert store.lease(f"{LEASE}-2", 30.0) is True
        store.release(LEASE)
        store.release(f"{LEASE}-2")

    def test_another_instance_cannot_take_a_held_lease(self, store: Store, other: Store) -> None:
        """While one instance holds a lease, another is refused it until it is released."""
        assert store.lease(LEASE, 30.0) is True
        assert other.lease(LEASE, 30.0) is False
        store.release(LEASE)
        assert other.lease(LEASE, 30.0) is True
        other.release(LEASE)

    def test_another_instance_cannot_release_a_lease_it_does_not_hold(self, store: Store, other: Store) -> None:
        """release() by an instance that does not hold the lease leaves it with its holder."""
        assert store.lease(LEASE, 30.0) is True
        other.release(LEASE)
        assert other.lease(LEASE, 30.0) is False
        store.release(LEASE)

    def test_another_instance_takes_an_expired_lease(self, store: Store, other: Store) -> None:
        """A lease its holder never released is granted to another instance after its ttl."""
        assert store.lease(LEASE, 0.2) is True
        assert other.lease(LEASE, 0.2) is False
        time.sleep(0.35)
        assert other.lease(LEASE, 30.0) is True
        other.release(LEASE)
