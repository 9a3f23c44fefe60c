"""apply, merge, undoes, blocked_param, is_valid_fix, and resolve against hostile names."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from resilient_client._core import (
    MAX_ACCEPTED,
    MAX_RULES,
    accept,
    apply,
    blocked_param,
    consistent,
    is_valid_fix,
    merge,
    permitted,
    signature,
    undoes,
    undone,
)
from resilient_client._models import (
    ChangeRole,
    Clamp,
    DeploymentMapping,
    Drop,
    Evidence,
    Fix,
    LearnedRule,
    Rename,
    RepairPolicy,
    SetValue,
)
from resilient_client._reading import read

USER = {"role": "user", "content": "Hi"}
SYSTEM = {"role": "system", "content": "Be brief."}


def body_with(**params: Any) -> dict[str, Any]:
    """A chat body carrying ``params``."""
    return {"model": "o3-mini", "messages": [SYSTEM, USER], **params}


def applied_once(fix: Fix, body: dict[str, Any]) -> dict[str, Any]:
    """The body after ``fix``, checking that apply reports it as applied."""
    out, applied = apply((fix,), body)
    assert applied == (fix,)
    return out


def untouched(fix: Fix, body: dict[str, Any]) -> None:
    """Assert ``fix`` leaves ``body`` as it is: the same object back, nothing reported."""
    out, applied = apply((fix,), body)
    assert out is body
    assert applied == ()


# --- apply: each fix kind --------------------------------------------------------------------------------------


def test_rename_keeps_the_value_under_the_new_name() -> None:
    """Rename moves the value to the new name and removes the old one."""
    out = applied_once(Rename("max_tokens", "max_completion_tokens"), body_with(max_tokens=300))
    assert out == body_with(max_completion_tokens=300)


def test_rename_when_target_already_present_keeps_the_callers_target() -> None:
    """If the caller already sent the new name, its value wins and the old name is dropped."""
    out = applied_once(
        Rename("max_tokens", "max_completion_tokens"), body_with(max_tokens=300, max_completion_tokens=50)
    )
    assert out == body_with(max_completion_tokens=50)


def test_rename_into_a_nested_path_creates_or_extends_the_parent() -> None:
    """Rename to 'text.format' creates 'text', or adds 'format' next to the caller's other 'text' keys."""
    fmt = {"type": "json_schema"}
    assert applied_once(Rename("response_format", "text.format"), {"response_format": fmt}) == {"text": {"format": fmt}}
    out = applied_once(Rename("response_format", "text.format"), {"response_format": fmt, "text": {"verbosity": "low"}})
    assert out == {"text": {"verbosity": "low", "format": fmt}}


def test_rename_out_of_a_nested_path() -> None:
    """Rename from 'reasoning.effort' to 'reasoning_effort' moves the value up and keeps the siblings."""
    out = applied_once(
        Rename("reasoning.effort", "reasoning_effort"), {"reasoning": {"effort": "low", "summary": "auto"}}
    )
    assert out == {"reasoning": {"summary": "auto"}, "reasoning_effort": "low"}


def test_drop_removes_the_param() -> None:
    """Drop removes the param and nothing else."""
    assert applied_once(Drop("temperature"), body_with(temperature=0.2, top_p=1)) == body_with(top_p=1)


def test_drop_nested_keeps_siblings() -> None:
    """Drop of 'reasoning.generate_summary' keeps 'reasoning.effort'."""
    body = {"reasoning": {"effort": "medium", "generate_summary": "detailed"}}
    assert applied_once(Drop("reasoning.generate_summary"), body) == {"reasoning": {"effort": "medium"}}


def test_drop_keeps_a_null_valued_param_apart_from_an_absent_one() -> None:
    """A param sent as null is present and is dropped; an absent one is left alone."""
    assert applied_once(Drop("stop"), body_with(stop=None)) == body_with()
    untouched(Drop("stop"), body_with())


def test_set_value_replaces_the_exact_old_value() -> None:
    """SetValue rewrites the value it was learned for."""
    body = {"reasoning": {"effort": "minimal", "summary": "auto"}}
    out = applied_once(SetValue("reasoning.effort", "minimal", "low"), body)
    assert out == {"reasoning": {"effort": "low", "summary": "auto"}}


def test_set_value_leaves_other_values_alone() -> None:
    """SetValue does not fire on a value other than its old value."""
    untouched(SetValue("reasoning.effort", "minimal", "low"), {"reasoning": {"effort": "high"}})


def test_set_value_to_none_omits_the_param() -> None:
    """SetValue with new=None leaves the param out (e061: reasoning_effort null)."""
    assert applied_once(SetValue("reasoning_effort", None, None), body_with(reasoning_effort=None)) == body_with()
    untouched(SetValue("reasoning_effort", None, None), body_with(reasoning_effort="low"))


@pytest.mark.parametrize(
    ("fix", "value"),
    [
        (SetValue("stream", old=True, new=False), 1),
        (SetValue("temperature", old=1, new=None), True),
        (SetValue("logprobs", old=False, new=None), 0),
        (SetValue("top_p", old=0, new=1), False),
        (SetValue("x", old=0.0, new=1), False),
    ],
    ids=repr,
)
def test_set_value_does_not_confuse_bool_and_int(fix: SetValue, value: object) -> None:
    """A rule about 1 does not fire on True (and the other way round), although 1 == True in Python."""
    untouched(fix, {fix.param: value})


def test_set_value_matches_equal_int_and_float() -> None:
    """A rule about 0 fires on 0.0: JSON does not tell them apart."""
    assert applied_once(SetValue("temperature", old=0, new=None), {"temperature": 0.0}) == {}


def test_clamp_bounds_a_number() -> None:
    """Clamp raises values below its minimum and lowers values above its maximum."""
    assert applied_once(Clamp("max_tokens", None, 4096), {"max_tokens": 8192}) == {"max_tokens": 4096}
    assert applied_once(Clamp("max_tokens", 1, None), {"max_tokens": -678}) == {"max_tokens": 1}
    assert applied_once(Clamp("temperature", 0, 2), {"temperature": 2.5}) == {"temperature": 2}
    assert applied_once(Clamp("top_p", 0.5, None), {"top_p": 0.1}) == {"top_p": 0.5}


@pytest.mark.parametrize("value", [100, 1, 4096, 1.5])
def test_clamp_leaves_values_within_bounds(value: float) -> None:
    """A value already within the bounds is not touched."""
    untouched(Clamp("max_tokens", 1, 4096), {"max_tokens": value})


@pytest.mark.parametrize("value", [True, False, "8192", None, [8192], {"n": 8192}])
def test_clamp_ignores_bools_and_non_numbers(value: object) -> None:
    """Clamp only touches real numbers: not bools, strings, null, lists or objects."""
    untouched(Clamp("max_tokens", 2, 4), {"max_tokens": value})


def test_change_role_to_developer_renames_every_message_of_that_role() -> None:
    """ChangeRole(system -> developer) rewrites each system message and keeps everything else."""
    body = body_with(
        messages=[SYSTEM, USER, {"role": "system", "content": "More."}, {"role": "assistant", "content": "A"}]
    )
    out = applied_once(ChangeRole("system", "developer"), body)
    assert out["messages"] == [
        {"role": "developer", "content": "Be brief."},
        USER,
        {"role": "developer", "content": "More."},
        {"role": "assistant", "content": "A"},
    ]


def test_change_role_to_user_folds_string_content_into_the_first_user_message() -> None:
    """ChangeRole(-> user) prefixes the first user message with the folded messages' text."""
    body = body_with(
        messages=[SYSTEM, {"role": "developer", "content": "Ignored here."}, USER, {"role": "user", "content": "2"}]
    )
    out = applied_once(ChangeRole("system", "user"), body)
    assert out["messages"] == [
        {"role": "developer", "content": "Ignored here."},
        {"role": "user", "content": "Be brief.\n\nHi"},
        {"role": "user", "content": "2"},
    ]


def test_change_role_to_user_joins_several_folded_messages() -> None:
    """Several folded messages are joined with blank lines, in order."""
    body = {"messages": [{"role": "developer", "content": "One."}, {"role": "developer", "content": "Two."}, USER]}
    out = applied_once(ChangeRole("developer", "user"), body)
    assert out["messages"] == [{"role": "user", "content": "One.\n\nTwo.\n\nHi"}]


@pytest.mark.parametrize("part_type", ["text", "input_text"])
def test_change_role_to_user_folds_into_list_content(part_type: str) -> None:
    """A user message with content parts gets the folded text as a first part of the same part type."""
    user = {
        "role": "user",
        "content": [{"type": part_type, "text": "Hi"}, {"type": "image_url", "image_url": {"url": "u"}}],
    }
    system = {"role": "system", "content": [{"type": "text", "text": "A."}, {"type": "text", "text": "B."}]}
    out = applied_once(ChangeRole("system", "user"), {"messages": [system, user]})
    assert out["messages"] == [
        {"role": "user", "content": [{"type": part_type, "text": "A.\nB."}, *user["content"]]},
    ]


def test_change_role_to_user_without_a_user_message_inserts_one() -> None:
    """With no user message, the folded text becomes a user message at the start."""
    body = {"messages": [SYSTEM, {"role": "assistant", "content": "A"}]}
    out = applied_once(ChangeRole("system", "user"), body)
    assert out["messages"] == [{"role": "user", "content": "Be brief."}, {"role": "assistant", "content": "A"}]


def test_change_role_to_user_keeps_non_text_content_as_a_user_message() -> None:
    """A message whose content is not all text is turned into a user message in place, not folded."""
    image = {"role": "system", "content": [{"type": "image_url", "image_url": {"url": "u"}}]}
    out = applied_once(ChangeRole("system", "user"), {"messages": [image, USER]})
    assert out["messages"] == [{**image, "role": "user"}, USER]


def test_change_role_on_responses_input() -> None:
    """ChangeRole(param='input') rewrites Responses API input items."""
    out = applied_once(ChangeRole("system", "developer", param="input"), {"input": [SYSTEM, USER]})
    assert out == {"input": [{"role": "developer", "content": "Be brief."}, USER]}


@pytest.mark.parametrize(
    "body",
    [{"messages": [USER]}, {"messages": "Hi"}, {}, {"input": [SYSTEM]}, {"messages": [None, "system", 3]}],
    ids=repr,
)
def test_change_role_without_that_role_does_nothing(body: dict[str, Any]) -> None:
    """ChangeRole leaves bodies without a message of its role untouched."""
    untouched(ChangeRole("system", "user"), body)


# --- apply: general behaviour ----------------------------------------------------------------------------------

ALL_KINDS: tuple[Fix, ...] = (
    Rename("max_tokens", "max_completion_tokens"),
    Drop("temperature"),
    SetValue("reasoning.effort", "minimal", "low"),
    Drop("reasoning.generate_summary"),
    Clamp("top_logprobs", None, 5),
    ChangeRole("system", "user"),
)


def rich_body() -> dict[str, Any]:
    """A body that every fix in ALL_KINDS changes."""
    return {
        "model": "o3-mini",
        "messages": [SYSTEM, {"role": "user", "content": [{"type": "text", "text": "Hi"}]}],
        "max_tokens": 300,
        "temperature": 0.2,
        "reasoning": {"effort": "minimal", "generate_summary": "detailed"},
        "top_logprobs": 20,
        "metadata": {"tags": ["a"]},
    }


def test_apply_never_mutates_its_input() -> None:
    """Fixes change copies: the caller's body, nested dicts and message lists are left exactly as they were."""
    body = rich_body()
    before = copy.deepcopy(body)
    out, applied = apply(ALL_KINDS, body)
    assert body == before
    assert applied == ALL_KINDS
    assert out == {
        "model": "o3-mini",
        "messages": [
            {"role": "user", "content": [{"type": "text", "text": "Be brief."}, {"type": "text", "text": "Hi"}]}
        ],
        "max_completion_tokens": 300,
        "reasoning": {"effort": "low"},
        "top_logprobs": 5,
        "metadata": {"tags": ["a"]},
    }
    assert out["metadata"] is body["metadata"]


@pytest.mark.parametrize("fix", ALL_KINDS, ids=repr)
def test_each_fix_alone_does_not_mutate(fix: Fix) -> None:
    """Each fix kind, applied alone, leaves the input intact."""
    body = rich_body()
    before = copy.deepcopy(body)
    apply((fix,), body)
    assert body == before


def test_apply_returns_only_the_fixes_that_changed_something_in_order() -> None:
    """The returned tuple lists the fixes that changed the body, in application order."""
    fixes: tuple[Fix, ...] = (Drop("seed"), Drop("top_p"), Clamp("max_tokens", None, 4096), Drop("temperature"))
    out, applied = apply(fixes, body_with(top_p=1, max_tokens=100, temperature=1))
    assert applied == (Drop("top_p"), Drop("temperature"))
    assert out == body_with(max_tokens=100)


def test_fixes_apply_in_order_each_seeing_the_previous_result() -> None:
    """Later fixes act on the body as earlier fixes left it."""
    fixes: tuple[Fix, ...] = (Rename("max_tokens", "max_completion_tokens"), Clamp("max_completion_tokens", None, 100))
    out, applied = apply(fixes, body_with(max_tokens=300))
    assert out == body_with(max_completion_tokens=100)
    assert applied == fixes


def test_no_fixes_returns_the_same_body() -> None:
    """With nothing to apply the very same body object comes back."""
    body = body_with(temperature=1)
    assert apply((), body) == (body, ())
    assert apply((), body)[0] is body


@pytest.mark.parametrize(
    "fix",
    [
        Rename("max_tokens", "max_completion_tokens"),
        Drop("top_p"),
        SetValue("temperature", 0, None),
        Clamp("max_tokens", 1, 10),
        Drop("reasoning.effort"),
        SetValue("reasoning.effort", "minimal", "low"),
        Drop("model.name"),
    ],
    ids=repr,
)
def test_a_param_not_in_the_request_is_never_touched(fix: Fix) -> None:
    """A fix for a param the body does not carry (or under a non-object) leaves the body untouched."""
    untouched(fix, body_with(seed=1, reasoning="high"))


def test_rename_into_its_own_subpath_is_never_derived() -> None:
    """A rename whose new name lies under the old one (it would nest on every call) is invalid and never derived."""
    assert not is_valid_fix(Rename("text", "text.format"))
    assert not is_valid_fix(Rename("text.format", "text"))
    message = "Unsupported parameter: 'text'. In the Responses API, this parameter has moved to 'text.format'."
    assert resolved(message, {"model": "m", "text": {"type": "json_object"}}) is None


def test_a_set_value_that_changes_nothing_is_not_reported() -> None:
    """SetValue whose new value equals the value sent changes nothing and is not reported as applied."""
    body = {"temperature": 1}
    assert apply((SetValue("temperature", 1, 1),), body)[1] == ()
    message = "Unsupported value: 'temperature' does not support 1 with this model. Supported values are: 1, 2."
    assert resolved(message, body, param="temperature") is None


# --- merge ----------------------------------------------------------------------------------------------------


def rule(fix: Fix, first: float, last: float | None = None, hits: int = 1, message: str = "m") -> LearnedRule:
    """A learned rule with evidence seen from ``first`` to ``last``."""
    return LearnedRule(fix, Evidence(400, "c", message, first, first if last is None else last, hits))


def test_merge_same_fix_adds_hits_and_widens_the_time_span() -> None:
    """Merging the same fix again replaces it in place, adds the hits and keeps the earliest first_seen."""
    mapping = DeploymentMapping((rule(Drop("top_p"), 10), rule(Drop("stop"), 20)))
    merged = merge(mapping, rule(Drop("top_p"), 30, hits=2, message="newer"))
    assert merged.fixes == (Drop("top_p"), Drop("stop"))
    evidence = merged.rules[0].evidence
    assert (evidence.first_seen, evidence.last_seen, evidence.hits, evidence.message) == (10, 30, 3, "newer")
    assert merged.rules[1] == mapping.rules[1]


def test_merge_same_slot_different_fix_keeps_the_newest_in_place() -> None:
    """A different fix for the same slot (same kind and param) replaces the older one at its position."""
    mapping = DeploymentMapping((rule(Rename("max_tokens", "max_output_tokens"), 10, hits=5), rule(Drop("stop"), 20)))
    merged = merge(mapping, rule(Rename("max_tokens", "max_completion_tokens"), 30))
    assert merged.fixes == (Rename("max_tokens", "max_completion_tokens"), Drop("stop"))
    assert merged.rules[0].evidence.hits == 1
    assert merged.rules[0].evidence.first_seen == 10


def test_merge_older_evidence_does_not_replace_a_newer_fix() -> None:
    """Merging a rule seen earlier than the stored one keeps the stored (newer) fix."""
    mapping = DeploymentMapping((rule(Rename("max_tokens", "max_completion_tokens"), 50),))
    merged = merge(mapping, rule(Rename("max_tokens", "max_output_tokens"), 5))
    assert merged.fixes == (Rename("max_tokens", "max_completion_tokens"),)
    assert merged.rules[0].evidence.first_seen == 5


def test_merge_different_slots_append_in_order() -> None:
    """Rules for different slots are appended, keeping the learned order."""
    mapping = DeploymentMapping()
    fixes: list[Fix] = [
        Rename("max_tokens", "max_completion_tokens"),
        Drop("temperature"),
        Drop("top_p"),
        SetValue("reasoning.effort", "minimal", "low"),
        SetValue("reasoning.effort", "none", "low"),
        ChangeRole("system", "developer"),
        ChangeRole("developer", "user"),
    ]
    for i, fix in enumerate(fixes):
        mapping = merge(mapping, rule(fix, i))
    assert mapping.fixes == tuple(fixes)


def test_merge_tells_set_value_slots_apart_by_old_value_type() -> None:
    """SetValue rules for old value 1 and old value True are separate slots."""
    mapping = merge(DeploymentMapping(), rule(SetValue("x", old=1, new=None), 1))
    mapping = merge(mapping, rule(SetValue("x", old=True, new=None), 2))
    assert [repr(f) for f in mapping.fixes] == [
        repr(SetValue("x", old=1, new=None)),
        repr(SetValue("x", old=True, new=None)),
    ]


def test_merge_returns_a_new_mapping() -> None:
    """Merging leaves the mapping it was given unchanged."""
    mapping = DeploymentMapping((rule(Drop("top_p"), 1),))
    merge(mapping, rule(Drop("stop"), 2))
    assert mapping.fixes == (Drop("top_p"),)


# --- undoes ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fix", "earlier", "expected"),
    [
        (Rename("max_completion_tokens", "max_tokens"), (Rename("max_tokens", "max_completion_tokens"),), True),
        (Rename("max_tokens", "max_completion_tokens"), (Rename("max_tokens", "max_completion_tokens"),), False),
        (Rename("max_tokens", "max_output_tokens"), (Rename("max_completion_tokens", "max_tokens"),), False),
        (Rename("a", "b"), (Drop("x"), Rename("b", "a")), True),
        (Rename("a", "b"), (), False),
        (SetValue("reasoning.effort", "low", "minimal"), (SetValue("reasoning.effort", "minimal", "low"),), True),
        (SetValue("reasoning.effort", "low", "high"), (SetValue("reasoning.effort", "minimal", "low"),), False),
        (SetValue("other", "low", "minimal"), (SetValue("reasoning.effort", "minimal", "low"),), False),
        (SetValue("x", old=1, new=0), (SetValue("x", old=False, new=True),), False),
        (SetValue("x", old=True, new=False), (SetValue("x", old=False, new=True),), True),
        (ChangeRole("developer", "user"), (ChangeRole("system", "developer"),), False),
        (ChangeRole("user", "developer"), (ChangeRole("developer", "user"),), True),
        (Drop("temperature"), (Drop("temperature"),), False),
        (Clamp("max_tokens", 1, None), (Clamp("max_tokens", None, 4096),), False),
        # Cycles of any length: C->A after A->B, B->C.
        (Rename("c", "a"), (Rename("a", "b"), Rename("b", "c")), True),
        (Rename("d", "a"), (Rename("a", "b"), Rename("b", "c")), False),
        (Rename("e", "a"), (Rename("a", "b"), Rename("c", "d"), Rename("b", "c"), Rename("d", "e")), True),
        (SetValue("x", "high", "low"), (SetValue("x", "low", "medium"), SetValue("x", "medium", "high")), True),
        (SetValue("x", 0.5, 1), (SetValue("x", 1.0, 0.5),), True),
        (SetValue("x", 3.0, 3), (SetValue("x", 3, 3.0),), True),
        (SetValue("x", 3.0, 3), (SetValue("x", 2, 3.0),), False),
        (SetValue("x", "low", None), (SetValue("x", None, "low"),), False),
    ],
    ids=repr,
)
def test_undoes(fix: Fix, earlier: tuple[Fix, ...], expected: bool) -> None:  # noqa: FBT001 - parametrized
    """A fix undoes earlier ones exactly when it closes a cycle of renames, value changes or role changes."""
    assert undoes(fix, earlier) is expected


def test_undone_names_the_first_fix_on_the_way_back() -> None:
    """C->A after A->B, B->C: the way back from A starts with A->B, the rule a changed model contradicts."""
    earlier = (Rename("b", "c"), Rename("a", "b"))
    assert undone(Rename("c", "a"), earlier) == Rename("a", "b")


def test_consistent_breaks_a_stored_cycle_where_it_closes_and_keeps_the_rest() -> None:
    """Rules read back: the one closing a cycle is left out, later unrelated ones stay."""
    chain: tuple[Fix, ...] = (Rename("a", "b"), Rename("b", "c"), Rename("c", "a"), Drop("x"))
    rules = tuple(rule(f, i) for i, f in enumerate(chain))
    assert [r.fix for r in consistent(rules)] == [Rename("a", "b"), Rename("b", "c"), Drop("x")]
    start = rules[:2]
    assert consistent(start) is start


def test_merge_keeps_at_most_max_rules_and_evicts_the_least_recently_seen() -> None:
    """Past MAX_RULES, the rule seen longest ago goes; the new one and the order of the rest stay."""
    mapping = DeploymentMapping()
    for i in range(MAX_RULES):
        mapping = merge(mapping, rule(Drop(f"p{i}"), 100 - i if i == 3 else 100 + i))
    mapping = merge(mapping, rule(Drop("new"), 1000))
    assert len(mapping.rules) == MAX_RULES
    assert Drop("p3") not in mapping.fixes
    assert mapping.fixes[-1] == Drop("new")
    assert mapping.fixes[:3] == (Drop("p0"), Drop("p1"), Drop("p2"))


def test_accept_is_bounded() -> None:
    """Past MAX_ACCEPTED signatures a key starts a fresh set with the new ones."""
    mapping = accept(DeploymentMapping(), frozenset(f"s{i}" for i in range(MAX_ACCEPTED)))
    assert len(mapping.accepted) == MAX_ACCEPTED
    assert accept(mapping, frozenset({"new"})).accepted == {"new"}


def test_signature_leaves_out_names_a_rule_could_never_be_about() -> None:
    """A non-string key (extra_body={1: ...}) or a 201-character one never enters a signature."""
    body: dict[Any, Any] = {"model": "m", 1: "x", "y" * 201: 2, "meta": {2: "z", "ok": True}}
    assert signature(body) == {"model", "meta", "meta.ok=true"}


@pytest.mark.parametrize(
    ("stored", "policy", "kept"),
    [
        ((Drop("tools"), Drop("temperature")), RepairPolicy(), (Drop("temperature"),)),
        (
            (Drop("tools"), Drop("temperature")),
            RepairPolicy(allow=frozenset({"tools"})),
            (Drop("tools"), Drop("temperature")),
        ),
        ((SetValue("stream", old=False, new=True),), RepairPolicy(allow=frozenset({"stream"})), ()),
        ((Rename("max_tokens", "stream"),), RepairPolicy(), ()),
        ((ChangeRole("system", "developer"),), RepairPolicy(change_roles=False), ()),
        ((ChangeRole("system", "developer"),), RepairPolicy(), (ChangeRole("system", "developer"),)),
    ],
    ids=["default-blocks-tools", "allow-tools", "stream-never", "rename-to-stream", "no-role-changes", "roles"],
)
def test_permitted_keeps_what_the_local_policy_allows(
    stored: tuple[Fix, ...], policy: RepairPolicy, kept: tuple[Fix, ...]
) -> None:
    """Stored fixes act only within the reading policy; model and stream never change."""
    allowed, blocked = permitted(stored, policy)
    assert allowed == kept
    assert {f for f, _ in blocked} == set(stored) - set(kept)


# --- blocked_param and is_valid_fix ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fix", "policy", "expected"),
    [
        (Drop("tools"), RepairPolicy(), "tools"),
        (Drop("tools"), RepairPolicy(allow=frozenset({"tools"})), None),
        (Drop("temperature"), RepairPolicy(), None),
        (Rename("max_tokens", "messages"), RepairPolicy(), "messages"),
        (Rename("response_format", "text.format"), RepairPolicy(), "response_format"),
        (Rename("response_format", "text.format"), RepairPolicy(allow=frozenset({"response_format"})), "text.format"),
        (Rename("response_format", "text.format"), RepairPolicy(allow=frozenset({"response_format", "text"})), None),
        (Drop("text.format"), RepairPolicy(allow=frozenset({"text.format"})), None),
        (Drop("text.verbosity"), RepairPolicy(allow=frozenset({"text.format"})), "text.verbosity"),
        (SetValue("stream", old=True, new=False), RepairPolicy(), "stream"),
        (Clamp("n", None, 1), RepairPolicy(), "n"),
        (Drop("temperature"), RepairPolicy(protected=frozenset({"temperature"})), "temperature"),
        (ChangeRole("system", "developer"), RepairPolicy(), None),
        (ChangeRole("system", "developer"), RepairPolicy(change_roles=False), "messages"),
        (ChangeRole("system", "user", param="input"), RepairPolicy(change_roles=False), "input"),
    ],
    ids=repr,
)
def test_blocked_param(fix: Fix, policy: RepairPolicy, expected: str | None) -> None:
    """blocked_param names the protected param a fix would change without consent, or None."""
    assert blocked_param(fix, policy) == expected


@pytest.mark.parametrize(
    ("fix", "expected"),
    [
        (Rename("max_tokens", "max_completion_tokens"), True),
        (Rename("response_format", "text.format"), True),
        (Rename("max_tokens", "max_tokens"), False),
        (Rename("max_tokens", "__class__"), False),
        (Rename("max_tokens", "MaxTokens"), False),
        (Rename("max_tokens", "a.b.c.d"), True),
        (Rename("max_tokens", "a.b.c.d.e"), False),
        (Rename("max tokens", "max_tokens"), False),
        (Drop("apiMode"), True),
        (Drop("a.b.c"), True),
        (Drop("a.b.c.d"), True),
        (Drop("a.b.c.d.e"), False),
        (Drop("x[0]"), False),
        (Drop(""), False),
        (Drop("a'b"), False),
        (SetValue("reasoning.effort", "minimal", "low"), True),
        (Clamp("max_tokens", None, 4096), True),
        (Clamp("max_tokens", None, None), False),
        (Clamp("max_tokens", float("inf"), None), False),
        (Clamp("max_tokens", None, float("nan")), False),
        (Clamp("max_tokens", minimum=True, maximum=None), False),
        (Clamp("max_tokens", None, 10**400), False),
        (Clamp("max_tokens", None, 2**64), True),
        (Clamp("max_tokens", 5, 1), False),
        (SetValue("temperature", 0.5, float("nan")), False),
        (SetValue("temperature", 0.5, 10**30), False),
        (SetValue("reasoning_effort", "low", "x" * 33), False),
        (SetValue("reasoning_effort", "low", "a\nb"), False),
        (SetValue("reasoning_effort", "low", ""), False),
        (ChangeRole("system", "developer"), True),
        (ChangeRole("developer", "user", param="input"), True),
        (ChangeRole("user", "developer"), False),
        (ChangeRole("system", "developer", param="tools"), False),
    ],
    ids=repr,
)
def test_is_valid_fix(fix: Fix, expected: bool) -> None:  # noqa: FBT001 - parametrized
    """is_valid_fix accepts fixes within the parameter grammar and refuses the rest."""
    assert is_valid_fix(fix) is expected


# --- the reader against hostile or garbled names -----------------------------------------------------------------


def resolved(message: str, request: dict[str, Any], param: str | None = None) -> Fix | None:
    """The fix for a 400 whose error message is ``message``."""
    fixes = read(400, {"error": {"message": message, "param": param}}, request).fixes
    return fixes[0] if len(fixes) == 1 else None


def use_instead(new: str, param: str = "max_tokens") -> str:
    """The rename wording suggesting ``new`` for ``param``."""
    return f"Unsupported parameter: '{param}' is not supported with this model. Use '{new}' instead."


def test_suggesting_a_protected_name_yields_a_blocked_fix() -> None:
    """'Use 'messages' instead' yields a Rename the default policy blocks, and apply keeps the caller's messages."""
    request = body_with(max_tokens=100)
    fix = resolved(use_instead("messages"), request)
    assert fix == Rename("max_tokens", "messages")
    assert blocked_param(fix, RepairPolicy()) == "messages"
    assert apply((fix,), request)[0]["messages"] == request["messages"]


@pytest.mark.parametrize(
    "new",
    [
        "__class__",
        "_private",
        "max completion tokens",
        "MaxCompletionTokens",
        "a.b.c.d.e",
        "a..b",
        "a.",
        "1abc",
        "x" * 65,
        "max_tokens",
    ],
)
def test_unacceptable_suggested_names_resolve_to_none(new: str) -> None:
    """A suggestion outside the grammar (dunder, spaces, upper case, > 4 levels, too long) or unchanged gives None."""
    assert resolved(use_instead(new), body_with(max_tokens=100)) is None


@pytest.mark.parametrize(
    "tail",
    [
        'Use "max_completion_tokens" instead.',
        "Use `max_completion_tokens` instead.",
        "Use max_completion_tokens instead.",
        "Use 'max_completion_tokens'' instead.",
    ],
)
def test_an_unreadable_suggestion_does_not_turn_a_rename_into_a_drop(tail: str) -> None:
    """A rename wording whose suggestion is quoted differently yields the Rename or nothing, never a Drop."""
    message = f"Unsupported parameter: 'max_tokens' is not supported with this model. {tail}"
    assert resolved(message, body_with(max_tokens=100)) in (Rename("max_tokens", "max_completion_tokens"), None)


@pytest.mark.parametrize(
    ("message", "request_body"),
    [
        ("Unknown parameter: 'max tokens'.", {"max tokens": 1}),
        ("Unknown parameter: 'a\"b'.", {'a"b': 1}),
        ("Unknown parameter: 'a.b.c.d.e'.", {"a": {"b": {"c": {"d": {"e": 1}}}}}),
        ("Unknown parameter: 'messages[0].name'.", {"messages": [{"role": "user", "name": "x"}]}),
        ("Unsupported parameter: 'top_p' is not supported with this model.", {"temperature": 1}),
        ("Unknown parameter: 'reasoning.effort'.", {"reasoning": "high"}),
    ],
    ids=repr,
)
def test_names_outside_the_grammar_or_the_request_resolve_to_none(message: str, request_body: dict[str, Any]) -> None:
    """A named param with spaces, quotes, brackets or four levels, or one the request lacks, gives None."""
    assert resolved(message, request_body) is None


def test_three_levels_are_accepted() -> None:
    """A three-level path the request carries is within the grammar."""
    assert resolved("Unknown parameter: 'a.b.c'.", {"a": {"b": {"c": 1, "d": 2}}}) == Drop("a.b.c")


def test_camel_case_sent_name_is_accepted_for_removal() -> None:
    """A camelCase name the caller sent (e085 apiMode) may be dropped."""
    assert resolved("Unknown parameter: 'apiMode'.", {"apiMode": "chat"}) == Drop("apiMode")


def test_dunder_sent_name_only_matches_a_real_key() -> None:
    """A '__class__' param is only ever a dict key the caller sent, never an attribute."""
    assert resolved("Unknown parameter: '__class__'.", {"model": "m"}) is None
    assert resolved("Unknown parameter: '__class__'.", {"__class__": 1}) == Drop("__class__")


def test_role_rejection_for_a_role_that_may_not_be_rewritten() -> None:
    """Role rejections for user/assistant/tool roles give None."""
    message = "Unsupported value: 'messages[0].role' does not support 'user' with this model."
    assert resolved(message, {"messages": [USER]}) is None


def test_huge_int_value_does_not_raise() -> None:
    """A value rejection against an int too large for a float resolves without raising."""
    message = "Unsupported value: 'temperature' does not support 5 with this model. Supported values are: 0.5, 1."
    fix = resolved(message, {"temperature": 10**400}, param="temperature")
    assert fix is None or is_valid_fix(fix)
