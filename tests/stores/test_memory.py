"""MemoryStore: the store contract, for one process."""

from __future__ import annotations

import pytest

from resilient_client.stores import MemoryStore
from tests.stores.contract import StoreContract, StoreFactory


class TestMemoryStore(StoreContract):
    shares_between_instances = False

    @pytest.fixture
    def store_factory(self) -> StoreFactory:
        """New MemoryStores (each holds its own rules)."""
        return MemoryStore
