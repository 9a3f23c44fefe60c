"""Properties of the pure core over generated error bodies, request bodies, fixes and rule sets."""

from __future__ import annotations

import contextlib
import copy
import json
from dataclasses import replace
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from resilient_client._attempts import Call, Learn
from resilient_client._core import apply, blocked_param, consistent, is_valid_fix
from resilient_client._errors import StoreError
from resilient_client._models import (
    DEFAULT_PROTECTED,
    ChangeRole,
    DeploymentKey,
    DeploymentMapping,
    Fix,
    Rename,
    RepairPolicy,
)
from resilient_client._reading import read
from resilient_client._serialize import dumps, loads
from tests.strategies import (
    Body,
    bodies_with_fix,
    error_bodies,
    fixes,
    json_values,
    request_bodies,
    resolve_cases,
    rule_sets,
    statuses,
)

MODERATE = settings(max_examples=200, deadline=None)
FEW = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])

_MISSING = object()


def present(body: Body, path: str) -> bool:
    """Whether dotted ``path`` names an entry of ``body``."""
    node: Any = body
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return True


def self_nesting(fix: Fix) -> bool:
    """A Rename into its own sub-path: never valid (is_valid_fix refuses it), so never learned or applied."""
    return isinstance(fix, Rename) and fix.new.startswith(f"{fix.param}.")


@MODERATE
@given(status=statuses, body=error_bodies)
def test_reader_never_raises(status: int, body: object) -> None:
    """read() returns a Reading for any status and any text, bytes or JSON body."""
    read(status, body, {"model": "m", "max_tokens": 5})


@MODERATE
@given(status=statuses, text=st.text())
def test_reader_never_raises_on_text_as_json_or_message(status: int, text: str) -> None:
    """Arbitrary unicode, sent raw, as bytes or as an error object's message, never makes the reader raise."""
    request = {"model": "m", text: 1, "max_tokens": 5}
    read(status, text, request)
    read(status, text.encode("utf-8", "surrogatepass"), request)
    read(status, {"error": {"message": text, "param": text, "code": text}}, request)
    read(status, json.dumps({"detail": text}), request)


@FEW
@given(
    status=st.sampled_from((400, 403, 404, 422)),
    chunk=st.text(min_size=1, max_size=40),
    shape=st.sampled_from(("raw", "bytes", "message", "json")),
)
def test_reader_never_raises_on_a_megabyte(status: int, chunk: str, shape: str) -> None:
    """A 1 MB body, in any shape, is read without raising."""
    big = (chunk * (1_000_000 // len(chunk) + 1))[:1_000_000]
    body: object = {
        "raw": big,
        "bytes": big.encode("utf-8", "surrogatepass"),
        "message": {"error": {"message": big}},
        "json": json.dumps({"error": {"message": big}}),
    }[shape]
    read(status, body, {"model": "m"})


@MODERATE
@given(case=resolve_cases())
def test_reader_only_produces_valid_idempotent_fixes_for_params_the_body_carries(
    case: tuple[int, object, Body],
) -> None:
    """Every fix the reader derives obeys the grammar, names a param the body carries, changes it, once."""
    status, error_body, body = case
    before = copy.deepcopy(body)
    fixes = read(status, error_body, body).fixes
    assert body == before
    for fix in fixes:
        assert is_valid_fix(fix)
        if isinstance(fix, ChangeRole):
            messages = body.get(fix.param)
            assert isinstance(messages, list)
            assert any(isinstance(m, dict) and m.get("role") == fix.role for m in messages)
        else:
            assert present(body, fix.param)
        fixed, applied = apply((fix,), body)
        assert applied == (fix,)
        assert apply((fix,), fixed)[1] == ()


@MODERATE
@given(case=resolve_cases())
def test_no_protected_param_is_learned_under_the_default_policy(case: tuple[int, object, Body]) -> None:
    """Whatever the body says, the loop never learns a fix that changes a protected param without consent."""
    status, error_body, body = case
    key = DeploymentKey("h", "d", "", "chat/completions")
    step = Call(key, body, None, policy=RepairPolicy(), max_repairs=8, learn=True).decide(status, error_body, 1.0)
    if isinstance(step, Learn):
        assert all(blocked_param(rule.fix, RepairPolicy()) is None for rule in step.rules)


@MODERATE
@given(case=bodies_with_fix())
def test_apply_is_idempotent(case: tuple[Body, Fix]) -> None:
    """Applying a fix to a body it already fixed changes nothing more."""
    body, fix = case
    if self_nesting(fix):
        return
    once, _ = apply((fix,), body)
    twice, _ = apply((fix,), once)
    assert twice == once


@MODERATE
@given(body=request_bodies(), fix_list=st.lists(fixes, max_size=5))
def test_apply_never_mutates_and_reports_a_subsequence(body: Body, fix_list: list[Fix]) -> None:
    """Applying any fixes leaves the input intact and reports the applied ones in the order given."""
    before = copy.deepcopy(body)
    out, applied = apply(tuple(fix_list), body)
    assert body == before
    remaining = iter(fix_list)
    assert all(any(f is g for g in remaining) for f in applied)
    if not applied:
        assert out is body


@MODERATE
@given(case=bodies_with_fix())
def test_allowed_fixes_never_touch_protected_keys(case: tuple[Body, Fix]) -> None:
    """A fix the default policy lets through (bar role changes) never adds, removes or changes a protected key."""
    body, fix = case
    if isinstance(fix, ChangeRole) or blocked_param(fix, RepairPolicy()) is not None:
        return
    out, _ = apply((fix,), body)
    for key in DEFAULT_PROTECTED:
        assert (key in out) == (key in body)
        assert out.get(key, _MISSING) == body.get(key, _MISSING)


@MODERATE
@given(case=bodies_with_fix())
def test_role_changes_only_touch_their_message_list(case: tuple[Body, Fix]) -> None:
    """A ChangeRole changes nothing but the list it names, and never adds or removes a top-level key."""
    body, fix = case
    if not isinstance(fix, ChangeRole):
        return
    out, _ = apply((fix,), body)
    assert set(out) == set(body)
    assert {k: v for k, v in out.items() if k != fix.param} == {k: v for k, v in body.items() if k != fix.param}


@MODERATE
@given(case=bodies_with_fix())
def test_fix_for_an_absent_param_leaves_the_body_alone(case: tuple[Body, Fix]) -> None:
    """A non-role fix whose param the body does not carry returns the very same body."""
    body, fix = case
    if isinstance(fix, ChangeRole) or present(body, fix.param):
        return
    out, applied = apply((fix,), body)
    assert out is body
    assert applied == ()


@MODERATE
@given(rules=rule_sets)
def test_serialize_round_trips(rules: dict[DeploymentKey, DeploymentMapping]) -> None:
    """loads(dumps(rules)) equals rules, and dumping again gives the same text (so types such as True vs 1 survive).

    A cycle (A->B then B->A) is written without the rule that closes it, as the reader would read it.
    """
    text = dumps(rules)
    back = loads(text)
    assert back == {key: replace(m, rules=consistent(m.rules)) for key, m in rules.items()}
    assert dumps(back) == text


@MODERATE
@given(value=json_values)
def test_loads_of_arbitrary_json_raises_only_store_errors(value: Any) -> None:
    """Any JSON document either loads or raises CacheFormatError/NewerSchemaError."""
    documents = (
        value,
        {"schema": 1, "deployments": value},
        {"schema": 1, "deployments": [{"key": value, "rules": [value]}]},
    )
    for document in documents:
        with contextlib.suppress(StoreError):
            loads(json.dumps(document))
