"""The options a resilient client adds are checked when it is built, with one clear error each."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

from resilient_client import MemoryStore, RepairPolicy, ResilientAzureClient


def build(**options: Any) -> ResilientAzureClient:
    """A resilient client with ``options`` (it sends nothing)."""
    return ResilientAzureClient(
        azure_endpoint="https://res.openai.azure.com", api_key="k", api_version="2025-04-01-preview", **options
    )


@pytest.mark.parametrize(
    ("options", "error", "match"),
    [
        ({"store": 123}, TypeError, "store must be a Store, a path, a redis:// URL or None, not int"),
        ({"store": object()}, TypeError, "not object"),
        ({"wait_timeout": math.inf}, ValueError, "wait_timeout must be a number of seconds"),
        ({"wait_timeout": math.nan}, ValueError, "wait_timeout"),
        ({"wait_timeout": -1}, ValueError, "wait_timeout"),
        ({"rule_ttl": math.inf}, ValueError, "rule_ttl"),
        ({"on_repair": "print"}, TypeError, "on_repair must be a callable"),
    ],
    ids=["store-int", "store-object", "wait-inf", "wait-nan", "wait-negative", "ttl-inf", "on-repair-str"],
)
def test_a_bad_option_is_refused_at_construction(options: dict[str, Any], error: type[Exception], match: str) -> None:
    """A store, timeout or callback that would break every call is refused when the client is built."""
    with pytest.raises(error, match=match):
        build(**options)


def test_good_options_are_taken(tmp_path: Path) -> None:
    """A store object, a path, finite timeouts and a callable are all accepted."""
    for store in (MemoryStore(), tmp_path / "r.json", str(tmp_path / "r.json"), None):
        build(store=store, wait_timeout=2.5, rule_ttl=3600, on_repair=print).close()


@pytest.mark.parametrize(
    ("fields", "match"),
    [
        ({"allow": "input"}, "allow must be a set of param names"),
        ({"allow": {1}}, "allow must hold param names"),
        ({"protected": "messages"}, "protected must be a set of param names"),
        ({"change_roles": "yes"}, "change_roles must be True or False"),
    ],
)
def test_repair_policy_fields_must_be_sets_of_names(fields: dict[str, Any], match: str) -> None:
    """RepairPolicy(allow="input") would match by substring and allow the protected n: it is refused."""
    with pytest.raises(TypeError, match=match):
        RepairPolicy(**fields)


def test_repair_policy_takes_any_collection_of_names_as_a_frozenset() -> None:
    """A list or set of names becomes a frozenset, and only the names given are allowed."""
    policy = RepairPolicy(allow=["tools"])  # type: ignore[arg-type]  # a list, as configuration gives it
    assert policy.allow == frozenset({"tools"})
    assert not policy.blocks("tools")
    assert policy.blocks("n")
