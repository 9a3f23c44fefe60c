"""A cache written by this release, read by 0.1.0 (and back): what a fleet sees while it upgrades."""

from __future__ import annotations

import pytest

from resilient_client._errors import CacheFormatError
from resilient_client._models import (
    ChangeRole,
    Clamp,
    Condition,
    DeploymentKey,
    DeploymentMapping,
    Drop,
    Evidence,
    Fix,
    LearnedRule,
    Rename,
)
from resilient_client._serialize import dumps, entry_to_json, loads
from tests.compat import serialize_0_1

KEY = DeploymentKey("myres.openai.azure.com", "prod-chat", "2025-04-01-preview", "chat/completions")
EVIDENCE = Evidence(400, None, "m", 1.0, 1.0)


def mapping(*fixes: Fix) -> DeploymentMapping:
    """The mapping of ``fixes``, in order."""
    return DeploymentMapping(tuple(LearnedRule(f, EVIDENCE) for f in fixes), frozenset({"model", "messages"}))


RENAME = Rename("max_tokens", "max_completion_tokens")
CONDITIONAL = Drop("parallel_tool_calls", when=Condition("tools"))
DEVELOPER = ChangeRole("developer", "system")
TEMPERATURE = Drop("temperature")


def test_0_1_reads_the_rules_it_can_apply_and_none_it_would_apply_wrongly() -> None:
    """0.1 parses a newer file without error and gets the plain rules, never a conditional drop made unconditional."""
    text = dumps({KEY: mapping(RENAME, CONDITIONAL, DEVELOPER, TEMPERATURE)})
    old = serialize_0_1.loads(text)
    assert old[KEY].fixes == (RENAME, TEMPERATURE)
    assert old[KEY].accepted == frozenset({"model", "messages"})


def test_this_release_reads_back_every_rule_in_order() -> None:
    """The full list, conditions and the developer role included, comes back in the order it was learned."""
    rules = {KEY: mapping(RENAME, CONDITIONAL, DEVELOPER, TEMPERATURE)}
    assert loads(dumps(rules))[KEY].fixes == (RENAME, CONDITIONAL, DEVELOPER, TEMPERATURE)


def test_an_entry_0_1_understands_whole_carries_no_second_list() -> None:
    """Without conditional or new-role rules, an entry is exactly the 0.1 layout."""
    entry = entry_to_json(KEY, mapping(RENAME, TEMPERATURE))
    assert set(entry) == {"key", "rules", "accepted"}
    assert serialize_0_1.entry_from_json(entry) == (KEY, mapping(RENAME, TEMPERATURE))


def test_a_file_0_1_wrote_is_read_as_it_is() -> None:
    """0.1's own file (its rules, its layout) is read by this release unchanged."""
    text = serialize_0_1.dumps({KEY: mapping(RENAME, TEMPERATURE)})
    assert loads(text)[KEY].fixes == (RENAME, TEMPERATURE)


def test_an_entry_0_1_rewrites_loses_only_the_rules_it_could_not_read() -> None:
    """A 0.1 writer drops 'ordered': this release then reads 0.1's rules and relearns the conditional ones."""
    newer = dumps({KEY: mapping(RENAME, CONDITIONAL, TEMPERATURE)})
    rewritten = serialize_0_1.dumps(serialize_0_1.loads(newer))
    assert loads(rewritten)[KEY].fixes == (RENAME, TEMPERATURE)


CAMEL = Rename("inferenceConfig.max_tokens", "inferenceConfig.maxTokens")


def test_a_rename_to_a_camel_case_name_is_kept_from_0_1() -> None:
    """0.1 refuses a whole file holding a camelCase new name: such a rule is written only to 'ordered'."""
    with pytest.raises(CacheFormatError):
        serialize_0_1.loads(serialize_0_1.dumps({KEY: mapping(RENAME, CAMEL)}))
    text = dumps({KEY: mapping(RENAME, CAMEL, TEMPERATURE)})
    assert serialize_0_1.loads(text)[KEY].fixes == (RENAME, TEMPERATURE)
    assert loads(text)[KEY].fixes == (RENAME, CAMEL, TEMPERATURE)


DEEP_DROP = Drop("request.generationConfig.thinkingConfig.thinkingBudget")
DEEP_CLAMP = Clamp("request.generationConfig.thinkingConfig.thinkingBudget", 1, 24576)
DEEP_RENAME = Rename(
    "extra_body.google.thinking_config.thinkingBudget", "extra_body.google.thinking_config.thinking_budget"
)


def test_a_path_four_levels_deep_is_kept_from_0_1() -> None:
    """0.1's grammar stops at three levels and refuses a whole file past it: such rules go only to 'ordered'."""
    text = dumps({KEY: mapping(RENAME, DEEP_DROP, DEEP_CLAMP, DEEP_RENAME, TEMPERATURE)})
    assert serialize_0_1.loads(text)[KEY].fixes == (RENAME, TEMPERATURE)
    assert loads(text)[KEY].fixes == (RENAME, DEEP_DROP, DEEP_CLAMP, DEEP_RENAME, TEMPERATURE)


def test_0_1_refuses_a_file_with_a_four_level_path_in_its_rules() -> None:
    """Why the rule above exists: written the 0.1 way, one deep path costs an old process the whole file."""
    text = serialize_0_1.dumps({KEY: mapping(RENAME, DEEP_DROP)})
    with pytest.raises(CacheFormatError):
        serialize_0_1.loads(text)
