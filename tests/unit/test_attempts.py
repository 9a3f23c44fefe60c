"""The pure decision loop: Call.decide and Call.adopt."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from resilient_client._attempts import Blocked, Call, GiveUp, Learn, Revoke, summary
from resilient_client._core import merge
from resilient_client._models import (
    ChangeRole,
    Condition,
    DeploymentKey,
    DeploymentMapping,
    Drop,
    Evidence,
    Fix,
    LearnedRule,
    Rename,
    RepairPolicy,
    SetValue,
)

KEY = DeploymentKey("myres.openai.azure.com", "o3-mini", "2024-12-01-preview", "chat/completions")
USER = {"role": "user", "content": "Hi"}
SYSTEM = {"role": "system", "content": "Be brief."}


def error(message: str, param: str | None = None, code: str | None = None) -> dict[str, Any]:
    """An Azure error body."""
    return {"error": {"message": message, "type": "invalid_request_error", "param": param, "code": code}}


MAX_TOKENS = error(
    "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.",
    "max_tokens",
    "unsupported_parameter",
)
TEMPERATURE = error("Unsupported parameter: 'temperature' is not supported with this model.", "temperature")
TOP_P = error("Unsupported parameter: 'top_p' is not supported with this model.", "top_p")
SYSTEM_ROLE = error("Unsupported value: 'messages[0].role' does not support 'system' with this model.")
DEVELOPER_ROLE = error("Unsupported value: 'messages[0].role' does not support 'developer' with this model.")
TOOLS = error("tools is not supported in this model. For a list of supported models, refer to the docs.")
STREAM = error("Unsupported value: 'stream' does not support true with this model. Supported values are: false.")
CONTENT_FILTER = error(
    "The response was filtered due to the prompt triggering the content policy.", "prompt", "content_filter"
)
OLD_API = error("Unrecognized request argument supplied: max_completion_tokens")


def request(**params: Any) -> dict[str, Any]:
    """A chat request carrying ``params``."""
    return {"model": "o3-mini", "messages": [SYSTEM, USER], **params}


def call(
    original: dict[str, Any],
    mapping: DeploymentMapping | None = None,
    *,
    policy: RepairPolicy | None = None,
    max_repairs: int = 3,
    learn: bool = True,
) -> Call:
    """A Call with the defaults the clients use."""
    return Call(KEY, original, mapping, policy=policy or RepairPolicy(), max_repairs=max_repairs, learn=learn)


def learned(fixes: list[Fix]) -> DeploymentMapping:
    """A mapping of ``fixes``, learned in order."""
    mapping = DeploymentMapping()
    for i, fix in enumerate(fixes):
        mapping = merge(mapping, LearnedRule(fix, Evidence(400, None, "m", float(i), float(i))))
    return mapping


def learn_step(c: Call, body: object, mapping: DeploymentMapping, now: float = 1000.0) -> DeploymentMapping:
    """Decide on a rejection that must be learned, merge it as a store would, adopt the result."""
    step = c.decide(400, body, now)
    assert isinstance(step, Learn), step
    mapping = step.change(mapping)
    assert c.adopt(step, mapping) is True
    return mapping


def test_three_successive_rejections_are_learned_one_after_another() -> None:
    """max_tokens, then temperature, then top_p: each rejection is learned and the body converges."""
    original = request(max_tokens=500, temperature=0.2, top_p=0.9)
    before = copy.deepcopy(original)
    c = call(original)
    assert c.body == original
    assert c.repairs == 0
    mapping = DeploymentMapping()
    mapping = learn_step(c, MAX_TOKENS, mapping, now=1.0)
    assert c.body == request(max_completion_tokens=500, temperature=0.2, top_p=0.9)
    mapping = learn_step(c, TEMPERATURE, mapping, now=2.0)
    mapping = learn_step(c, TOP_P, mapping, now=3.0)
    assert mapping.fixes == (Rename("max_tokens", "max_completion_tokens"), Drop("temperature"), Drop("top_p"))
    assert c.body == request(max_completion_tokens=500)
    assert c.applied == mapping.fixes
    assert c.mapping == mapping
    assert c.repairs == 3
    assert original == before


def test_learn_carries_the_evidence() -> None:
    """The learned rule records the status, code, message and time of the rejection."""
    step = call(request(max_tokens=5)).decide(400, MAX_TOKENS, 1234.5)
    assert isinstance(step, Learn)
    [rule] = step.rules
    evidence = rule.evidence
    assert rule.fix == Rename("max_tokens", "max_completion_tokens")
    assert (evidence.status, evidence.code, evidence.hits) == (400, "unsupported_parameter", 1)
    assert (evidence.first_seen, evidence.last_seen) == (1234.5, 1234.5)
    assert evidence.message.startswith("Unsupported parameter: 'max_tokens'")


def test_known_rules_are_applied_when_the_call_starts() -> None:
    """A Call starts from the original with the mapping's fixes already applied."""
    mapping = learned([Rename("max_tokens", "max_completion_tokens"), Drop("seed")])
    c = call(request(max_tokens=5), mapping)
    assert c.body == request(max_completion_tokens=5)
    assert c.applied == (Rename("max_tokens", "max_completion_tokens"),)


def test_system_then_developer_role_is_a_chain_not_an_oscillation() -> None:
    """First system -> developer; a model refusing developer too then gets developer -> user, folded into the user."""
    c = call(request())
    mapping = learn_step(c, SYSTEM_ROLE, DeploymentMapping())
    assert c.body["messages"] == [{"role": "developer", "content": "Be brief."}, USER]
    mapping = learn_step(c, DEVELOPER_ROLE, mapping)
    assert mapping.fixes == (ChangeRole("system", "developer"), ChangeRole("developer", "user"))
    assert c.body["messages"] == [{"role": "user", "content": "Be brief.\n\nHi"}]


def test_the_same_rejection_after_its_fix_was_applied_is_repeated() -> None:
    """A rejection that comes back although its fix is applied gives up as 'repeated'."""
    c = call(request(max_tokens=5))
    learn_step(c, MAX_TOKENS, DeploymentMapping())
    assert c.decide(400, MAX_TOKENS, 2.0) == GiveUp("repeated")


def test_the_same_rejection_after_its_fix_was_applied_gives_up() -> None:
    """A rejection that comes back although its fix is applied is never learned again."""
    for original, body in [(request(max_tokens=5), MAX_TOKENS), (request(temperature=0.2), TEMPERATURE)]:
        c = call(original)
        learn_step(c, body, DeploymentMapping())
        step = c.decide(400, body, 2.0)
        assert isinstance(step, GiveUp)
        assert step.reason in ("repeated", "not_repairable")


def test_a_stored_rename_contradicted_by_the_deployment_is_revoked() -> None:
    """A stored max_tokens -> max_completion_tokens that the deployment now rejects is revoked, not reversed."""
    c = call(request(max_tokens=100), learned([Rename("max_tokens", "max_completion_tokens")]))
    assert c.body == request(max_completion_tokens=100)
    step = c.decide(400, OLD_API, 1.0)
    assert isinstance(step, Revoke)
    assert step.fix == Rename("max_tokens", "max_completion_tokens")
    assert c.adopt(step, step.change(c.mapping)) is True
    assert c.body == request(max_tokens=100)


def test_a_fix_undoing_one_this_call_learned_is_oscillating() -> None:
    """A rename learned in this call, then a rejection asking for the reverse, gives up as 'oscillating'."""
    c = call(request(max_tokens=100))
    mapping = learn_step(c, MAX_TOKENS, DeploymentMapping())
    assert c.body == request(max_completion_tokens=100)
    assert c.decide(400, OLD_API, 2.0) == GiveUp("oscillating")
    assert mapping.fixes == (Rename("max_tokens", "max_completion_tokens"),)


def test_a_fix_undoing_an_earlier_value_change_is_revoked_then_oscillates() -> None:
    """A stored value change the deployment reverses is revoked; learning the reverse in the same call stops."""
    mapping = learned([SetValue("reasoning.effort", "minimal", "low")])
    c = call(request(reasoning={"effort": "minimal"}), mapping)
    body = error(
        "Unsupported value: 'low' is not supported with the 'gpt-5.1' model. Supported values are: 'minimal'.",
        "reasoning.effort",
    )
    step = c.decide(400, body, 1.0)
    assert step == Revoke(SetValue("reasoning.effort", "minimal", "low"), step.message)  # type: ignore[union-attr]


def test_max_repairs_bounds_the_retries_but_still_learns_the_last_rejection() -> None:
    """Once max_repairs fixes were adopted, the next rejection is learned as final: stored, not retried."""
    c = call(request(max_tokens=500, temperature=0.2), max_repairs=1)
    learn_step(c, MAX_TOKENS, DeploymentMapping())
    step = c.decide(400, TEMPERATURE, 2.0)
    assert isinstance(step, Learn)
    assert (step.final, [r.fix for r in step.rules]) == (True, [Drop("temperature")])


def test_max_repairs_zero_retries_nothing() -> None:
    """With max_repairs=0 the first repairable rejection is stored for the next call but not retried."""
    step = call(request(max_tokens=5), max_repairs=0).decide(400, MAX_TOKENS, 1.0)
    assert isinstance(step, Learn)
    assert step.final


def test_max_repairs_never_stores_an_oscillation() -> None:
    """At the bound, a fix that would undo a stored rule gives up as 'max_repairs' and stores nothing."""
    c = call(request(max_tokens=100), learned([Rename("max_tokens", "max_completion_tokens")]), max_repairs=0)
    assert c.decide(400, OLD_API, 1.0) == GiveUp("max_repairs")


def test_learning_off_gives_up_but_known_rules_still_apply() -> None:
    """learn=False applies the known rules and gives up on a new rejection as 'learning_off'."""
    c = call(
        request(max_tokens=5, temperature=0.2), learned([Rename("max_tokens", "max_completion_tokens")]), learn=False
    )
    assert c.body == request(max_completion_tokens=5, temperature=0.2)
    assert c.decide(400, TEMPERATURE, 1.0) == GiveUp("learning_off")


@pytest.mark.parametrize(
    ("original", "body", "fix", "param"),
    [
        (request(tools=[]), TOOLS, Drop("tools"), "tools"),
        (request(stream=True), STREAM, SetValue("stream", old=True, new=False), "stream"),
        (
            request(response_format={"type": "json_schema"}),
            error(
                "Unsupported parameter: 'response_format'. In the Responses API, this parameter has moved to "
                "'text.format'. Try again with the new parameter."
            ),
            Rename("response_format", "text.format"),
            "response_format",
        ),
        (
            request(max_tokens=5),
            error("Unsupported parameter: 'max_tokens' is not supported with this model. Use 'messages' instead."),
            Rename("max_tokens", "messages"),
            "messages",
        ),
    ],
    ids=["tools", "stream", "response_format", "into-messages"],
)
def test_protected_params_are_blocked_with_the_param_named(
    original: dict[str, Any], body: dict[str, Any], fix: Fix, param: str
) -> None:
    """A fix touching a protected param is Blocked, naming the param and carrying Azure's message."""
    step = call(original).decide(400, body, 1.0)
    assert isinstance(step, Blocked)
    assert (step.fix, step.param) == (fix, param)
    assert step.message == body["error"]["message"][:240]


def test_blocked_wins_over_learning_off() -> None:
    """A protected fix is reported as Blocked even when learning is off."""
    step = call(request(tools=[]), learn=False).decide(404, TOOLS, 1.0)
    assert isinstance(step, Blocked)
    assert step.param == "tools"


def test_policy_allow_lets_drop_tools_be_learned() -> None:
    """RepairPolicy(allow={'tools'}) turns the blocked Drop('tools') into a Learn."""
    c = call(request(tools=[], tool_choice="auto"), policy=RepairPolicy(allow=frozenset({"tools"})))
    step = c.decide(404, TOOLS, 1.0)
    assert isinstance(step, Learn)
    assert [r.fix for r in step.rules] == [Drop("tools")]
    assert c.adopt(step, step.change(DeploymentMapping())) is True
    assert c.body == request(tool_choice="auto")


def test_policy_can_forbid_role_changes() -> None:
    """RepairPolicy(change_roles=False) blocks a role change, naming 'messages'."""
    step = call(request(), policy=RepairPolicy(change_roles=False)).decide(400, SYSTEM_ROLE, 1.0)
    assert isinstance(step, Blocked)
    assert (step.fix, step.param) == (ChangeRole("system", "developer"), "messages")


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (400, CONTENT_FILTER),
        (401, MAX_TOKENS),
        (429, MAX_TOKENS),
        (502, MAX_TOKENS),
        (503, MAX_TOKENS),
        (400, "not json"),
        (400, TOP_P),
    ],
    ids=["content_filter", "401", "429", "502", "503", "garbage", "param-not-sent"],
)
def test_not_repairable(status: int, body: object) -> None:
    """Non-parameter errors, other statuses and rejections that do not fit the request give up as 'not_repairable'."""
    assert call(request(max_tokens=5)).decide(status, body, 1.0) == GiveUp("not_repairable")


def test_adopt_returns_false_when_nothing_changes() -> None:
    """adopt() of a mapping that leaves the request as it is returns False and counts no repair."""
    c = call(request(max_tokens=5), learned([Rename("max_tokens", "max_completion_tokens")]))
    body = c.body
    step = Learn((c.mapping.rules[0],))
    assert c.adopt(step, c.mapping) is False
    assert c.adopt(step, learned([Rename("max_tokens", "max_completion_tokens"), Drop("seed")])) is False
    assert c.adopt(step, DeploymentMapping((*c.mapping.rules,))) is False
    assert c.repairs == 0
    assert c.body is body


def test_adopt_takes_rules_other_processes_learned() -> None:
    """adopt() applies the whole store mapping to the original, including rules this call did not learn."""
    c = call(request(max_tokens=5, temperature=0.2, top_p=1))
    step = c.decide(400, MAX_TOKENS, 1.0)
    assert isinstance(step, Learn)
    from_store = step.change(learned([Drop("top_p")]))
    assert c.adopt(step, from_store) is True
    assert c.body == request(max_completion_tokens=5, temperature=0.2)
    assert c.applied == (Drop("top_p"), Rename("max_tokens", "max_completion_tokens"))
    assert c.repairs == 1


def test_summary_describes_a_fix_without_prompt_text() -> None:
    """summary() gives param, action, from and to for each fix kind and never message content."""
    assert summary(Rename("max_tokens", "max_completion_tokens")) == {
        "param": "max_tokens",
        "action": "rename",
        "from": "max_tokens",
        "to": "max_completion_tokens",
    }
    assert summary(Drop("tools")) == {"param": "tools", "action": "drop"}
    assert summary(Drop("parallel_tool_calls", when=Condition("tools"))) == {
        "param": "parallel_tool_calls",
        "action": "drop",
        "when": "without tools",
    }
    role = summary(ChangeRole("system", "developer"))
    assert role == {"param": "messages", "action": "change_role", "from": "system", "to": "developer"}
    assert "Be brief." not in repr(role)


def test_a_fix_another_process_turned_into_a_cycle_is_not_stored() -> None:
    """A call learns B->A while another process stored A->B meanwhile: the store keeps no cycle, the call stops."""
    c = call(request(max_completion_tokens=5))
    step = c.decide(400, OLD_API, 1.0)
    assert isinstance(step, Learn)
    assert step.rules[0].fix == Rename("max_completion_tokens", "max_tokens")
    raced = learned([Rename("max_tokens", "max_completion_tokens")])
    assert step.change(raced) == raced
    assert c.adopt(step, step.change(raced)) is False


def test_a_clear_between_learning_and_the_next_rejection_loses_nothing_this_call_learned() -> None:
    """max_tokens learned, the store cleared, then temperature: the store change puts max_tokens back too."""
    c = call(request(max_tokens=5, temperature=0.2))
    learn_step(c, MAX_TOKENS, DeploymentMapping())
    step = c.decide(400, TEMPERATURE, 2.0)
    assert isinstance(step, Learn)
    cleared = step.change(DeploymentMapping())
    assert cleared.fixes == (Rename("max_tokens", "max_completion_tokens"), Drop("temperature"))
    assert c.adopt(step, cleared) is True
    assert c.body == request(max_completion_tokens=5)
