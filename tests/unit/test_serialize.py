"""dumps/loads of learned rules: round trips, schema versioning and validation."""

from __future__ import annotations

import json
from typing import Any

import pytest

from resilient_client._errors import CacheFormatError, NewerSchemaError, StoreError
from resilient_client._models import (
    ChangeRole,
    Clamp,
    DeploymentKey,
    DeploymentMapping,
    Drop,
    Evidence,
    Fix,
    LearnedRule,
    Rename,
    SetValue,
)
from resilient_client._serialize import SCHEMA_VERSION, dumps, load_document, loads

KEY = DeploymentKey("myres.openai.azure.com", "o3-mini", "2024-12-01-preview", "chat/completions")
EVIDENCE = Evidence(400, "unsupported_parameter", "Unsupported parameter: 'max_tokens'", 1.5, 2.5, 3)

EVERY_KIND: tuple[Fix, ...] = (
    Rename("max_tokens", "max_completion_tokens"),
    Rename("response_format", "text.format"),
    Drop("temperature"),
    Drop("apiMode"),
    SetValue("reasoning.effort", "minimal", "low"),
    SetValue("reasoning_effort", None, None),
    SetValue("stream", old=True, new=False),
    SetValue("top_logprobs", 7, 5.5),
    Clamp("max_tokens", None, 4096),
    Clamp("max_tokens", 1, None),
    Clamp("temperature", 0.0, 2),
    ChangeRole("system", "developer"),
    ChangeRole("developer", "user", param="input"),
)


def doc(deployments: list[Any], schema: object = SCHEMA_VERSION) -> str:
    """A cache document."""
    return json.dumps({"schema": schema, "deployments": deployments})


def entry(
    fix: dict[str, Any], evidence: dict[str, Any] | None = None, key: dict[str, Any] | None = None
) -> dict[str, Any]:
    """One deployment entry with one rule, valid unless the arguments say otherwise."""
    good_evidence = {"status": 400, "code": None, "message": "m", "first_seen": 1.0, "last_seen": 2.0, "hits": 1}
    good_key = {"host": "h", "deployment": "d", "api_version": "v", "operation": "chat/completions"}
    return {"key": key or good_key, "rules": [{"fix": fix, "evidence": evidence or good_evidence}]}


@pytest.mark.parametrize("fix", EVERY_KIND, ids=repr)
def test_every_fix_kind_round_trips(fix: Fix) -> None:
    """Each fix kind reads back equal, with value types (True vs 1, 5 vs 5.5) preserved."""
    rules = {KEY: DeploymentMapping((LearnedRule(fix, EVIDENCE),))}
    text = dumps(rules)
    back = loads(text)
    assert back == rules
    assert repr(back[KEY].rules[0].fix) == repr(fix)
    assert dumps(back) == text


def test_many_keys_and_rules_round_trip_in_order() -> None:
    """Several deployments with several rules read back with rule order kept, also from bytes."""
    other = DeploymentKey("other.openai.azure.com", "gpt-5.1", "", "responses")
    rules = {
        KEY: DeploymentMapping(tuple(LearnedRule(f, EVIDENCE) for f in EVERY_KIND)),
        other: DeploymentMapping((LearnedRule(Drop("top_p"), Evidence(404, None, "ünïcødé ✓", 0.0, 0.0)),)),
    }
    text = dumps(rules)
    assert loads(text) == rules
    assert loads(text.encode()) == rules
    assert text.endswith("\n")
    assert json.loads(text)["schema"] == SCHEMA_VERSION


def test_dumps_is_stable_and_skips_empty_mappings() -> None:
    """Dumping sorts deployments, so insertion order does not matter, and leaves out keys without rules."""
    other = DeploymentKey("a.openai.azure.com", "d", "v", "chat/completions")
    mapping = DeploymentMapping((LearnedRule(Drop("top_p"), EVIDENCE),))
    empty_key = DeploymentKey("z", "z", "z", "z")
    assert dumps({KEY: mapping, other: mapping}) == dumps({other: mapping, KEY: mapping})
    assert loads(dumps({KEY: mapping, empty_key: DeploymentMapping()})) == {KEY: mapping}
    assert loads(dumps({})) == {}


@pytest.mark.parametrize(
    "text",
    ["", "not json", "{", b"\xff\xfe", "[" * 100_000, "NaN-ish", "{'schema': 1}"],
    ids=["empty", "text", "truncated", "bad-utf8", "deep", "word", "python-repr"],
)
def test_non_json_is_a_format_error(text: str | bytes) -> None:
    """Text that is not JSON raises CacheFormatError."""
    with pytest.raises(CacheFormatError, match="not valid JSON"):
        loads(text)


@pytest.mark.parametrize("text", ["[]", "1", '"x"', "null", "true", '[{"schema": 1}]'])
def test_wrong_top_level_type_is_a_format_error(text: str) -> None:
    """A document that is not an object raises CacheFormatError."""
    with pytest.raises(CacheFormatError, match="schema"):
        loads(text)


@pytest.mark.parametrize(
    "document",
    [
        '{"deployments": []}',
        '{"schema": true, "deployments": []}',
        '{"schema": "1", "deployments": []}',
        '{"schema": 1.0}',
    ],
    ids=["missing", "bool", "string", "float"],
)
def test_missing_or_non_integer_schema_is_a_format_error(document: str) -> None:
    """A missing schema, or a bool/string/float one, raises CacheFormatError."""
    with pytest.raises(CacheFormatError, match="schema"):
        loads(document)


@pytest.mark.parametrize("schema", [0, -1])
def test_older_schema_is_a_format_error(schema: int) -> None:
    """A schema older than this library's raises CacheFormatError."""
    with pytest.raises(CacheFormatError, match="unsupported schema version"):
        loads(doc([], schema))


@pytest.mark.parametrize("schema", [SCHEMA_VERSION + 1, 99, 10**30])
def test_newer_schema_raises_newer_schema_error(schema: int) -> None:
    """A schema newer than this library's raises NewerSchemaError (a StoreError, not a CacheFormatError)."""
    with pytest.raises(NewerSchemaError) as info:
        loads(doc([], schema))
    assert (info.value.found, info.value.supported) == (schema, SCHEMA_VERSION)
    assert isinstance(info.value, StoreError)
    assert not isinstance(info.value, CacheFormatError)
    assert "upgrade resilient_client" in str(info.value)


def test_newer_schema_is_reported_before_its_layout_is_checked() -> None:
    """A newer document with a layout this version does not know still raises NewerSchemaError."""
    with pytest.raises(NewerSchemaError):
        loads(json.dumps({"schema": SCHEMA_VERSION + 1, "rules": "a new layout"}))


@pytest.mark.parametrize(
    "fix",
    [
        {"kind": "rename", "param": "max_tokens", "new": "__class__"},
        {"kind": "rename", "param": "max_tokens", "new": "max_tokens"},
        {"kind": "rename", "param": "max_tokens", "new": "a.b.c.d.e"},
        {"kind": "rename", "param": "max_tokens"},
        {"kind": "drop", "param": "max tokens"},
        {"kind": "drop", "param": "x[0]"},
        {"kind": "drop", "param": 5},
        {"kind": "set_value", "param": "x", "old": [1], "new": 1},
        {"kind": "set_value", "param": "x", "old": 1, "new": {"a": 1}},
        {"kind": "clamp", "param": "max_tokens"},
        {"kind": "clamp", "param": "max_tokens", "maximum": True},
        {"kind": "clamp", "param": "max_tokens", "maximum": "4096"},
        {"kind": "change_role", "role": "system", "new": "assistant", "param": "messages"},
        {"kind": "change_role", "role": "user", "new": "developer", "param": "messages"},
        {"kind": "change_role", "role": "system", "new": "developer", "param": "tools"},
        {"kind": "exec", "param": "x"},
        {"param": "x"},
        "drop",
    ],
    ids=repr,
)
def test_fix_outside_the_grammar_is_skipped_and_the_rest_kept(fix: Any) -> None:
    """A fix that violates the parameter grammar or its own layout is skipped and reported; the good rule stays."""
    bad = entry(fix)
    bad["rules"].append(entry({"kind": "drop", "param": "top_p"})["rules"][0])
    rules, problems = load_document(doc([bad]))
    (mapping,) = rules.values()
    assert mapping.fixes == (Drop("top_p"),)
    assert len(problems) == 1
    assert "rule 1 skipped" in problems[0]


@pytest.mark.parametrize(
    "evidence",
    [
        {"status": "400", "message": "m", "first_seen": 1, "last_seen": 1, "hits": 1},
        {"status": 400.5, "message": "m", "first_seen": 1, "last_seen": 1, "hits": 1},
        {"status": 400, "message": "m", "first_seen": 1, "last_seen": 1, "hits": 0},
        {"status": 400, "message": "m", "first_seen": 1, "last_seen": 1, "hits": True},
        {"status": 400, "message": 3, "first_seen": 1, "last_seen": 1, "hits": 1},
        {"status": 400, "message": "m", "first_seen": "x", "last_seen": 1, "hits": 1},
        {"status": 400, "message": "m", "first_seen": 1, "last_seen": None, "hits": 1},
    ],
    ids=["status-str", "status-float", "hits-0", "hits-bool", "message-int", "first-seen-str", "last-seen-null"],
)
def test_bad_evidence_skips_its_rule(evidence: dict[str, Any]) -> None:
    """A rule whose evidence has wrongly typed fields is skipped and reported; the entry's other rules stay."""
    bad = entry({"kind": "drop", "param": "top_p"}, evidence=evidence)
    bad["rules"].append(entry({"kind": "drop", "param": "seed"})["rules"][0])
    rules, problems = load_document(doc([bad]))
    assert [m.fixes for m in rules.values()] == [(Drop("seed"),)]
    assert len(problems) == 1


@pytest.mark.parametrize("deployments", ["not a list", None, {"a": 1}], ids=repr)
def test_bad_layout_is_a_format_error(deployments: Any) -> None:
    """Deployments that are not a list raise CacheFormatError: the document cannot be read at all."""
    with pytest.raises(CacheFormatError):
        loads(json.dumps({"schema": SCHEMA_VERSION, "deployments": deployments}))


@pytest.mark.parametrize(
    "bad",
    [
        1,
        {"rules": []},
        {"key": {"host": "h"}, "rules": []},
        {"key": {"host": "h", "deployment": "d", "api_version": 1, "operation": "o"}, "rules": []},
        {"key": {"host": "h", "deployment": "d", "api_version": "v", "operation": "o"}, "rules": {}},
        {"key": {"host": "h" * 513, "deployment": "d", "api_version": "v", "operation": "o"}, "rules": []},
        {
            **entry(
                {"kind": "drop", "param": "top_p"},
                key={"host": "x", "deployment": "d", "api_version": "v", "operation": "o"},
            ),
            "accepted": ["a" * 201],
        },
    ],
    ids=["int", "no-key", "short-key", "int-version", "rules-object", "long-host", "long-signature"],
)
def test_bad_entry_is_skipped_and_the_others_kept(bad: Any) -> None:
    """An entry that is not {key, rules} is skipped and reported; every other entry is used."""
    good = entry({"kind": "drop", "param": "top_p"})
    rules, problems = load_document(doc([bad, good]))
    assert [m.fixes for m in rules.values()] == [(Drop("top_p"),)]
    assert problems
    assert problems[0].startswith("entry 1 skipped")


@pytest.mark.parametrize(
    "fix",
    [
        {"kind": "set_value", "param": "temperature", "old": 0.5, "new": 10**400},
        {"kind": "set_value", "param": "temperature", "old": 10**30, "new": 1},
        {"kind": "clamp", "param": "max_tokens", "maximum": 10**400},
        {"kind": "clamp", "param": "max_tokens", "minimum": 5, "maximum": 1},
        {"kind": "set_value", "param": "reasoning_effort", "old": "low", "new": "x" * 33},
        {"kind": "set_value", "param": "reasoning_effort", "old": "low", "new": "a\nb"},
    ],
    ids=repr,
)
def test_numbers_and_values_beyond_the_limits_are_skipped(fix: dict[str, Any]) -> None:
    """A 400-digit integer, a bound beyond 2**64, reversed bounds or a long value: the rule is skipped, never raised."""
    rules, problems = load_document(
        doc(
            [
                entry(fix),
                entry(
                    {"kind": "drop", "param": "seed"},
                    key={"host": "x", "deployment": "d", "api_version": "v", "operation": "o"},
                ),
            ]
        )
    )
    assert [m.fixes for m in rules.values()] == [(), (Drop("seed"),)]
    assert len(problems) == 1


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_in_a_stored_value_are_skipped(literal: str) -> None:
    """json.loads reads NaN and Infinity: a rule holding one is skipped."""
    text = doc([entry({"kind": "set_value", "param": "temperature", "old": 0.5, "new": 0})]).replace(
        ": 0}", f": {literal}}}"
    )
    assert literal in text
    rules, problems = load_document(text)
    assert [m.fixes for m in rules.values()] == [()]
    assert problems


def test_deep_json_is_a_format_error_not_a_recursion_error() -> None:
    """A document nested 100 000 deep is a CacheFormatError."""
    with pytest.raises(CacheFormatError):
        loads("[" * 100_000)


def test_a_stored_cycle_is_broken_where_it_closes() -> None:
    """A→B, B→C, C→A read back: the rule that closes the cycle is left out, the chain before it kept."""
    e = entry({"kind": "rename", "param": "a", "new": "b"})
    e["rules"] += [
        {**e["rules"][0], "fix": {"kind": "rename", "param": "b", "new": "c"}},
        {**e["rules"][0], "fix": {"kind": "rename", "param": "c", "new": "a"}},
    ]
    (mapping,) = loads(doc([e])).values()
    assert mapping.fixes == (Rename("a", "b"), Rename("b", "c"))


def test_evidence_message_is_truncated_on_read() -> None:
    """A long evidence message in a shared cache is cut to 240 characters on read."""
    evidence = {"status": 400, "code": 7, "message": "x" * 1000, "first_seen": 1, "last_seen": 2, "hits": 1}
    (mapping,) = loads(doc([entry({"kind": "drop", "param": "top_p"}, evidence=evidence)])).values()
    assert len(mapping.rules[0].evidence.message) == 240
    assert mapping.rules[0].evidence.code is None


def test_cache_format_error_is_a_value_error() -> None:
    """CacheFormatError is both a StoreError and a ValueError."""
    with pytest.raises(CacheFormatError) as info:
        loads("nope")
    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, StoreError)
