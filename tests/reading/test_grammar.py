"""The reader's grammar fragments, each alone: what it matches, and what it must leave alone."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from resilient_client._reading import _grammar as g


def _hits(pattern: re.Pattern[str] | g.Wordings, text: str) -> bool:
    return pattern.search(text) is not None


@pytest.mark.parametrize(
    "text",
    [
        "'stop': array too long. Expected an array with maximum length 4",
        "stop:最大只能有4个停止词",
        "List should have at most 4 items after validation, not 5",
        "too many stop sequences",
    ],
)
def test_list_too_long_reads_a_length_refusal(text: str) -> None:
    """A list refused for its length, in English and Chinese."""
    assert _hits(g.LIST_TOO_LONG, text)


@pytest.mark.parametrize("text", ["string too long", "at most 4 tokens", "the prompt is too long"])
def test_list_too_long_leaves_other_lengths_alone(text: str) -> None:
    """A string's length or a token count is no list length."""
    assert not _hits(g.LIST_TOO_LONG, text)


def test_list_length_names_the_list() -> None:
    """'Length of stop ([...]) exceeds' names the list whose length is refused."""
    m = g.LIST_LENGTH.search("Length of stop ([2, 16, 2]) exceeds the limit max_model_len(5).")
    assert m is not None
    assert m["name"] == "stop"
    assert g.LIST_LENGTH.search("Length of the prompt exceeds the limit") is None


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("llama3.1:8b does not support thinking", "thinking"),
        ("Penalty is not enabled for models/gemini-2.5-flash", "Penalty"),
        ("The model doesn't support tools", "tools"),
    ],
)
def test_capability_reads_the_refused_word(text: str, word: str) -> None:
    """A capability refused as one word, after 'does not support' or before 'is not enabled'."""
    m = g.CAPABILITY.search(text)
    assert m is not None
    assert (m["a"] or m["b"]) == word


@pytest.mark.parametrize(
    "text",
    [
        "This model does not support image input",
        "deepseek-reasoner does not support successive user or assistant messages",
    ],
)
def test_capability_leaves_features_of_two_words_alone(text: str) -> None:
    """A word followed by another noun names a feature, not a param."""
    assert g.CAPABILITY.search(text) is None


@pytest.mark.parametrize(
    ("text", "ends"),
    [("top_p must be in (0, 1], got 0.0.", ("(", "]")), ("(0, +inf)", ("(", ")")), ("[0.0, 2.0)", ("[", ")"))],
)
def test_interval_reads_open_and_closed_ends(text: str, ends: tuple[str, str]) -> None:
    """An interval keeps which of its ends are open."""
    m = g.INTERVAL.search(text)
    assert m is not None
    assert (m["left"], m["right"]) == ends


def test_skip_cuts_a_status_tag() -> None:
    """'<400>' before a message is no '< 400' bound."""
    text = g.SKIP.sub(" ", "<400> InternalError.Algo.InvalidParameter: Range of max_tokens should be [1, 8192]")
    assert "<400" not in text
    assert g.RANGE_OPEN.search(text) is None


def test_role_scope_is_not_a_refused_role() -> None:
    """Groq's "for 'role:system' the following must be satisfied" scopes a check to one message."""
    text = (
        "'messages.0' : for 'role:system' the following must be satisfied"
        "[('messages.0' : property 'id' is unsupported)]"
    )
    assert g.ROLE_SCOPE.search(text) is not None
    assert not any(w["a"] for w in g.ROLE_WORD.finditer(g.ROLE_SCOPE.sub(" ", text)))


def test_used_with_value_names_the_param_and_its_value() -> None:
    """'cannot be used with reasoning.effort 'minimal'' names the value that is refused."""
    m = g.USED_WITH_VALUE.search("The following tools cannot be used with reasoning.effort 'minimal': file_search.")
    assert m is not None
    assert (m["name"], m["value"]) == ("reasoning.effort", "'minimal'")
    assert g.USED_WITH_VALUE.search("top_p cannot be used with temperature") is None


@pytest.mark.parametrize(
    "text",
    ["Only user and assistant roles are supported!", "only user, assistant and tool messages are allowed"],
)
def test_only_roles_reads_the_accepted_roles(text: str) -> None:
    """A list of the roles a model accepts."""
    m = g.ONLY_ROLES.search(text)
    assert m is not None
    assert "user" in m["roles"]


def test_only_roles_leaves_a_place_in_the_conversation_alone() -> None:
    """'... allowed as the last message' is about order, not about roles."""
    assert g.ONLY_ROLES.search("Only user and assistant messages are allowed as the last message") is None


@pytest.mark.parametrize(
    "text", ["`temperature` must be strictly positive", "must be positive", "must be greater than zero"]
)
def test_positive_reads_an_open_bound_at_zero(text: str) -> None:
    """'Positive' and 'greater than zero' are an open lower bound at 0."""
    assert _hits(g.POSITIVE, text)


def test_range_dots_reads_a_closed_range() -> None:
    """'0..1' is a closed range; a version number is not."""
    m = g.RANGE_DOTS.search("temperature: range: 0..1")
    assert m is not None
    assert (m["lo"], m["hi"]) == ("0", "1")
    assert g.RANGE_DOTS.search("version 1.2.3") is None


@pytest.mark.parametrize(
    ("text", "n"),
    [
        ("max_tokens cannot be greater than 4096", "4096"),
        ("max_tokens should not exceed 4096", "4096"),
        ("max_tokens exceeds the limit of 4096", "4096"),
        ("max_tokens (10000) exceeds model limit (8192)", "8192"),
        ("max_tokens不能超过8192", "8192"),
        ("max_tokens 最大为 8192", "8192"),
    ],
)
def test_range_at_most_reads_negated_and_chinese_limits(text: str, n: str) -> None:
    """Upper bounds in negated comparisons, limit phrases and Chinese."""
    m = g.RANGE_AT_MOST.search(text)
    assert m is not None
    assert m["n"] == n


def test_range_at_least_reads_a_negated_comparison() -> None:
    """'cannot be less than 16' is a lower bound."""
    m = g.RANGE_AT_LEAST.search("max_output_tokens cannot be less than 16")
    assert m is not None
    assert m["n"] == "16"


def test_value_compared_reads_a_value_against_its_bound() -> None:
    """'100000 > 64000' compares the sent value with a bound."""
    m = g.VALUE_COMPARED.search("max_tokens: 100000 > 64000, which is the maximum allowed")
    assert m is not None
    assert (m["a"], m["op"], m["b"]) == ("100000", ">", "64000")


@pytest.mark.parametrize(
    "text",
    [
        "Invalid parameter: top_k",
        "'top_k' is an invalid parameter",
        "Model incompatible request argument supplied: functions",
        "The parameter 'seed' does not exist",
        "参数 top_k 不被支持",
        "未知参数 top_k",
        "no support for seed",
    ],
)
def test_negative_reads_more_name_verdicts(text: str) -> None:
    """Verdicts on a name in other words."""
    assert _hits(g.NEGATIVE, text)


def test_negative_leaves_an_invalid_parameter_value_to_the_value_verdicts() -> None:
    """'Invalid parameter value' is about the value, not the name."""
    assert not _hits(g.NEGATIVE, "Invalid parameter value")


@pytest.mark.parametrize(
    "text",
    [
        "The thinking budget (52428) is invalid.",
        "temperature out of range",
        "max_tokens too large",
        "'low' is below what this model offers (medium, high)",
        "Requested effort 'xhigh' exceeds the highest level available",
    ],
)
def test_value_refused_reads_values_called_wrong(text: str) -> None:
    """A value called invalid, out of range or too large, without the bounds."""
    assert _hits(g.VALUE_REFUSED, text)


@pytest.mark.parametrize(
    ("text", "group"),
    [
        ("Invalid type for 'temperature': expected a decimal, but got a string instead.", "t2"),
        ("Expected number, received string", "t5"),
    ],
)
def test_type_refused_reads_expected_types(text: str, group: str) -> None:
    """The type a value should have had."""
    m = g.TYPE_REFUSED.search(text)
    assert m is not None
    assert m[group] is not None


def test_token_limit_and_input_side() -> None:
    """A token limit is the context's when the input is in the statement."""
    assert _hits(g.TOKEN_LIMIT, "max_tokens exceeds the limit of 4096")
    assert not _hits(g.INPUT_SIDE, "max_tokens exceeds the limit of 4096")
    assert _hits(g.INPUT_SIDE, "input length and `max_tokens` exceed context limit: 179413 + 32768 > 200000")


def test_rate_limits_stay_final() -> None:
    """Tokens per minute are a rate limit, final whatever the statement names."""
    assert _hits(g.FINAL_WORDS, "Request too large for gpt-4o on tokens per min (TPM): Limit 30000")
    assert not _hits(g.FINAL_WORDS, "`max_tokens` must be at most 8192 tokens per request")


def test_a_thinking_budget_is_no_money() -> None:
    """'Budget has been exceeded' is final; 'the thinking budget' is a param."""
    assert _hits(g.FINAL_WORDS, "Budget has been exceeded!")
    assert not _hits(g.FINAL_WORDS, "The thinking budget (52428) is invalid.")


def test_field_list_cuts_the_known_names() -> None:
    """An 'unknown field `foo`, expected one of ...' (serde) lists names, not values."""
    m = g.FIELD_LIST.search("unknown field `foo`, expected one of `model`, `messages`")
    assert m is not None
    assert m["list"].startswith("expected")
    assert g.FIELD_LIST.search("unknown variant `developer`, expected one of `system`, `user`") is None


@pytest.mark.parametrize(
    ("text", "verdict"),
    [
        ("Parameter 'max_tokens' has been renamed to 'max_output_tokens'", True),
        ("'max_tokens' is deprecated, use 'max_completion_tokens' instead", True),
        ("Use 'max_output_tokens' instead of 'max_tokens'", True),
        ("Use 'max_completion_tokens' instead.", False),
    ],
)
def test_rename_verdict_groups(text: str, verdict: bool) -> None:  # noqa: FBT001 - a parametrized expectation
    """Which rename wordings are verdicts by themselves."""
    m = g.RENAME.search(text)
    assert m is not None
    assert any(m[name] for name in g.RENAME_VERDICT) is verdict


@pytest.mark.parametrize(
    "text", ["top_p cannot be used with temperature", "You can only set one of temperature or top_p"]
)
def test_pair_reads_more_wordings(text: str) -> None:
    """Two params that cannot go together, in other words."""
    assert _hits(g.PAIR, text)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("logprobs are not supported when streaming", "name3"),
        ("logprobs is not supported in streaming mode", "name4"),
    ],
)
def test_condition_when_present_reads_streaming(text: str, name: str) -> None:
    """'when streaming' and 'in streaming mode' hold while stream is sent."""
    m = g.CONDITION_WHEN_PRESENT.search(text)
    assert m is not None
    assert m[name] is not None


@pytest.mark.parametrize(
    ("text", "value"),
    [("Only temperature=1 is supported for this model", "1"), ("This model only supports temperature 1", "1")],
)
def test_only_value_reads_a_named_value(text: str, value: str) -> None:
    """The one value a param may take, named beside the param."""
    m = g.ONLY_VALUE.search(text)
    assert m is not None
    assert value in (m["value2"], m["value4"])


def test_list_intro_needs_a_whole_word() -> None:
    """'only supported when' introduces no list of values ('supports' is not 'supported')."""
    assert g.LIST_INTRO.search("'top_logprobs' is only supported when 'logprobs' is true") is None


@pytest.mark.parametrize(
    ("pattern", "latin", "cjk"),
    [
        (g.NEGATIVE, "Unsupported parameter: seed", "seed参数非法"),
        (g.RANGE_AT_MOST, "at most 4096", "不能超过4096"),
        (g.LIST_TOO_LONG, "array too long", "最多有4个"),
    ],
)
def test_wordings_read_latin_and_cjk_alike(pattern: g.Wordings, latin: str, cjk: str) -> None:
    """A fragment split into Latin and CJK wordings matches both, and nothing in text with neither."""
    assert _hits(pattern, latin)
    assert _hits(pattern, cjk)
    assert not _hits(pattern, "nothing to see")


def test_not_permitted_introduces_no_accepted_values() -> None:
    """'not permitted:' lists what is refused, not what is accepted."""
    assert g.LIST_INTRO.search("Extra fields not permitted: top_k") is None
    assert g.LIST_INTRO.search("Values permitted: a, b") is not None


# --- round five: validator bounds, ranges in words, conditions, labels, pointers, order, unknown roles ---------------


@pytest.mark.parametrize(
    ("text", "a", "b"),
    [
        ("Malformed input request: 8192 is not less or equal to 8191, please reformat", "8192", "8191"),
        ("#/top_k: -1 is not greater or equal to 0", "-1", "0"),
        ("#/temperature: expected maximum: 1, found: 1.5", "1.5", "1"),
    ],
)
def test_value_bound_reads_the_sent_value_and_its_bound(text: str, a: str, b: str) -> None:
    """A JSON-schema validator's bound: the value it found and the bound that value breaks."""
    m = g.VALUE_BOUND.search(text)
    assert m is not None
    assert (m["a"] or m["a2"], m["b"] or m["b2"]) == (a, b)


@pytest.mark.parametrize("text", ["8192 is less or equal to 8191", "the value 3 is not valid", "expected 4, found 5"])
def test_value_bound_leaves_other_numbers_alone(text: str) -> None:
    assert not _hits(g.VALUE_BOUND, text)


@pytest.mark.parametrize(
    ("text", "lo", "hi", "lox", "hix"),
    [
        ("supported values are integers from 1 to 24576", "1", "24576", None, None),
        ("the supported range is from 1 (inclusive) to 65536 (exclusive)", "1", "65536", "inclusive", "exclusive"),
    ],
)
def test_range_from_to_reads_both_ends(text: str, lo: str, hi: str, lox: str | None, hix: str | None) -> None:
    """A range in words, each end optionally marked inclusive or exclusive."""
    m = g.RANGE_FROM_TO.search(text)
    assert m is not None
    assert (m["lo"], m["hi"], m["lox"], m["hix"]) == (lo, hi, lox, hix)


@pytest.mark.parametrize("text", ["moved from v1 to v2", "from 'low' to 'high'", "switch from tools to functions"])
def test_range_from_to_needs_two_numbers(text: str) -> None:
    assert not _hits(g.RANGE_FROM_TO, text)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("`top_k` must be unset when thinking is enabled.", "thinking"),
        ("temperature may only be set to 1 when thinking is enabled or in adaptive mode", "thinking"),
        ("top_p cannot be used while 'stream' is on", "stream"),
    ],
)
def test_a_condition_that_holds_while_a_param_is_enabled(text: str, name: str) -> None:
    """'when Y is enabled': the refusal holds while Y is sent."""
    m = g.CONDITION_WHEN_PRESENT.search(text)
    assert m is not None
    assert m["name5"] == name


@pytest.mark.parametrize(
    "text",
    [
        "`top_k` must be unset when thinking is enabled",
        "please remove the thinking_config setting and try it again",
        "thinking is not configurable in this model",
    ],
)
def test_negative_reads_unset_remove_and_not_configurable(text: str) -> None:
    assert _hits(g.NEGATIVE, text)


@pytest.mark.parametrize("text", ["the value must be set", "please retry the request", "it is configurable"])
def test_negative_leaves_requests_to_set_alone(text: str) -> None:
    assert not _hits(g.NEGATIVE, text)


def test_labelled_names_a_label_not_a_sentence_word() -> None:
    """'errors: reasoning: Extra inputs…' labels its message with the name; a word before a colon mid-prose does not."""
    text = "The model returned the following errors: reasoning: Extra inputs are not permitted"
    assert [m["name"] for m in g.LABELLED.finditer(text)] == ["reasoning"]
    assert [m["name"] for m in g.LABELLED.finditer("Note that the reason: none")] == []


def test_nested_label_and_pointer_read_whole_paths() -> None:
    """'options: format' is one nested name; a JSON pointer is one name, not the words along it."""
    m = g.NESTED_LABEL.search("invalid options: format")
    assert m is not None
    assert (m["outer"], m["inner"]) == ("options", "format")
    found = [p[0] for p in g.POINTER.finditer("Validation error at #/data_sources/0/azure_search/parameters/indexName")]
    assert found == ["#/data_sources/0/azure_search/parameters/indexName"]
    assert not _hits(g.POINTER, "and/or")


@pytest.mark.parametrize(
    ("text", "a", "op", "b"),
    [
        (
            "`max_tokens` must be greater than `thinking.budget_tokens`.",
            "max_tokens",
            "greater",
            "thinking.budget_tokens",
        ),
        ("budget_tokens must be less than max_tokens", "budget_tokens", "less", "max_tokens"),
    ],
)
def test_ordered_pair_reads_two_names_and_their_order(text: str, a: str, op: str, b: str) -> None:
    m = g.ORDERED_PAIR.search(text)
    assert m is not None
    assert (m["a"], m["op"], m["b"]) == (a, op, b)


@pytest.mark.parametrize(
    "text",
    [
        'messages: Unexpected role "system".',
        "#/messages/0/role: system is not a valid enum value",
        "invalid message role: system",
    ],
)
def test_role_unknown_reads_a_role_the_api_does_not_have(text: str) -> None:
    assert _hits(g.ROLE_UNKNOWN, text)


def test_role_unknown_leaves_a_model_refusal_alone() -> None:
    """OpenAI's refusal is about the model (it has the developer role): not an unknown role."""
    assert not _hits(g.ROLE_UNKNOWN, "Unsupported value: 'messages[0].role' does not support 'system' with this model.")


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("response_format 'verbose_json' is not compatible with model 'm'. Use 'json' or 'text' instead.", "'json'"),
        ("output_config.effort 'xhigh' is not supported. Use effort 'high' or below, or enable thinking.", "'high'"),
    ],
)
def test_use_value_reads_the_first_value_to_use(text: str, value: str) -> None:
    m = g.USE_VALUE.search(text)
    assert m is not None
    assert m["value"] == value


def test_negative_reads_remove_from_your_request() -> None:
    assert _hits(g.NEGATIVE, "Remove 'thinking_config.thinking_budget' from your request and try again.")
    assert not _hits(g.NEGATIVE, "Remove the file and try again.")


@pytest.mark.parametrize(
    ("text", "group"),
    [
        ("Conversation roles must alternate user/assistant/user/assistant/...", "roles2"),
        ("Role must be in [user, assistant].", "roles3"),
    ],
)
def test_only_roles_reads_a_template_that_takes_user_and_assistant_turns(text: str, group: str) -> None:
    m = g.ONLY_ROLES.search(text)
    assert m is not None
    assert "assistant" in m[group]


@pytest.mark.parametrize(
    ("pattern", "text"),
    [
        (g.LIST_ITEM_REFUSED, "Malformed input request: string [Human:] does not match pattern ^(\\|+|User:)$"),
        (g.ITEM_COUNT, "Malformed input request: expected maximum item count: 1, found: 5"),
        (g.PAIR, "Invalid combination of reasoning_effort and thinking type: high + disabled"),
        (g.PAIR, "continue_final_message and add_generation_prompt are not compatible."),
        (g.TYPE_REFUSED, "#/stopSequences: expected type: JSONArray, found: String"),
        (g.VALUE_REFUSED, "service tier provided is invalid"),
        (g.LIST_INTRO, "Only 'enabled' and 'disabled' are supported for thinking"),
    ],
)
def test_round_seven_fragments_each_read_their_wording(pattern: re.Pattern[str] | g.Wordings, text: str) -> None:
    assert _hits(pattern, text)


@pytest.mark.parametrize(
    ("pattern", "text"),
    [
        (g.LIST_ITEM_REFUSED, "the string does not match"),
        (g.ITEM_COUNT, "expected 1 item"),
        (g.PAIR, "temperature and top_p are supported"),
        (g.LIST_INTRO, "Only 'enabled' is supported"),
    ],
)
def test_round_seven_fragments_leave_lookalikes_alone(pattern: re.Pattern[str] | g.Wordings, text: str) -> None:
    assert not _hits(pattern, text)


@pytest.mark.parametrize(
    "text", ['think value "medium" is not supported for this model', "#/truncate: LEFT is not a valid enum value"]
)
def test_value_refused_reads_a_value_named_as_refused(text: str) -> None:
    assert _hits(g.VALUE_REFUSED, text)


@pytest.mark.parametrize(
    ("pattern", "text"),
    [
        (g.TYPE_REFUSED, "json: cannot unmarshal string into Go struct field Options.seed of type int"),
        (g.TYPE_REFUSED, 'option "stop" must be of type array'),
        (g.TYPE_REFUSED, "dry_sequence_breakers must be a non-empty array of strings"),
        (g.ONLY_VALUE, "The value of the enable_thinking parameter is restricted to True."),
        (
            g.ONLY_ROLES,
            "array must only contain objects with a 'role' field that is in [user, assistant, system, tool]",
        ),
    ],
)
def test_round_eight_fragments_each_read_their_wording(pattern: re.Pattern[str] | g.Wordings, text: str) -> None:
    assert _hits(pattern, text)


def test_go_field_names_the_field_not_its_struct() -> None:
    m = g.GO_FIELD.search("json: cannot unmarshal object into Go struct field ChatRequest.format of type string")
    assert m is not None
    assert m["name"] == "format"
    assert not _hits(g.ONLY_ROLES, "the allowed values are [low, high]")


@pytest.mark.parametrize(
    ("pattern", "text"),
    [
        (g.CONSTRAINT, "each stop sequence must be non-empty"),
        (g.CONSTRAINT, "parameter incremental_output only support stream call"),
        (g.CONSTRAINT, "The additional field system conflicts with an existing field."),
        (g.CONSTRAINT, "top_k 参数必须大于0"),
        (g.ALTERNATIVES, "`thinking.type` must be `enabled` or `disabled`"),
        (g.ALTERNATIVES, "should be either 'a', 'b' or 'c'"),
        (g.ONLY_COUNT, "Only one candidate can be specified"),
        (g.ONLY_COUNT, "at most 2 choices are allowed"),
        (g.ONLY_COUNT, "Multiple candidates are not supported"),
        (g.UPSTREAM_REFUSED, "litellm.BadRequestError: OpenAIException - Unsupported parameter"),
        (g.UPSTREAM_REFUSED, "Error code: 400 - {'error': …}"),
        (g.UPSTREAM_REFUSED, "Provider API error: <400> InternalError.Algo.InvalidParameter"),
    ],
)
def test_round_nine_fragments_each_read_their_wording(pattern: re.Pattern[str] | g.Wordings, text: str) -> None:
    """Each fragment reads the wording it was written for."""
    assert _hits(pattern, text)


@pytest.mark.parametrize(
    ("pattern", "text"),
    [
        (g.CONSTRAINT, "Unsupported parameter: 'seed'"),
        (g.ALTERNATIVES, "must be at most 4"),
        (g.ALTERNATIVES, "must be `enabled`"),
        (g.ONLY_COUNT, "Only one of 'a' or 'b'"),
        (g.ONLY_COUNT, "only supports temperature=1"),
        (g.UPSTREAM_REFUSED, "Internal server error 500 while processing"),
        (g.UPSTREAM_REFUSED, "Invalid value: 4000 tokens"),
    ],
)
def test_round_nine_fragments_leave_lookalikes_alone(pattern: re.Pattern[str] | g.Wordings, text: str) -> None:
    """And leaves the wordings beside it alone."""
    assert not _hits(pattern, text)


def test_boolean_named_reads_each_literal_as_a_word() -> None:
    """'set to True' names true; 'untrue' names nothing."""
    assert _hits(g.BOOLEAN_NAMED[True], "only supports incremental_output set to True.")
    assert not _hits(g.BOOLEAN_NAMED[True], "that is untrue")
    assert _hits(g.BOOLEAN_NAMED[False], "must be false")


def test_additional_field_reads_the_name_after_the_words() -> None:
    """Bedrock's 'The additional field X …' names X; other 'additional' prose names nothing."""
    m = g.ADDITIONAL_FIELD.search("The additional field system conflicts with an existing field.")
    assert m is not None
    assert m["name"] == "system"
    assert g.ADDITIONAL_FIELD.search("additional fields are ignored") is None


# --- the first-character gate ---

_UNGATED = {
    name: re.compile(value.pattern[value.pattern.index("(?:") + 3 : -1], value.flags)
    for name, value in vars(g).items()
    if isinstance(value, re.Pattern) and value.pattern.startswith("(?=[")
}


def test_the_largest_fragments_are_gated() -> None:
    assert {"RENAME", "LIST_INTRO", "PAIR", "CONDITION_WHEN_ABSENT", "CONDITION_WHEN_PRESENT"} <= set(_UNGATED)


@pytest.mark.parametrize(
    ("pattern", "gate"),
    [
        (r"\bab|cd", "ac"),
        (r"(?:x|y)?z", "xyz"),
        (r"(?<!\w)[0-3]q", "0123"),
        (r"a*b", "ab"),
    ],
)
def test_the_gate_holds_every_character_a_match_can_start_with(pattern: str, gate: str) -> None:
    gated = g.gated(re.compile(pattern))
    assert gated.pattern.startswith(f"(?=[{gate}])")


@pytest.mark.parametrize("pattern", [r"\w+x", r".a", r"a?", r"(?:a|\w)b", r"[^a]b"])
def test_a_pattern_whose_first_characters_cannot_be_told_is_left_as_it_is(pattern: str) -> None:
    compiled = re.compile(pattern)
    assert g.gated(compiled) is compiled


_PIECES = (
    *"aeiost_ -.,:;'\"`()[]{}019AISTU",
    *(
        "use ",
        "Use ",
        "instead",
        " not ",
        "supported",
        "only ",
        "allowed ",
        "when ",
        "tools",
        "stream",
        "at the same",
        " time",
        "both ",
        " and ",
        "top_k",
        "'x'",
        "must be ",
        "one of",
        "Supported values",
        "requires ",
        "without ",
        "unknown ",
        "field",
        "is not ",
        "compatible with ",
        "please ",
        "pass it as ",
        "max_tokens",
        "不支持",
        "参数",
        "仅支持",
        "流式",
        "이하",
        "Unsupported ",
        "parameter",
        "deprecated",
        "renamed to ",
        "expected ",
        "tags:",
        "at most ",
        "greater than ",
        "4096",
        "no endpoints found that support ",
        "unpermitted ",
        "keys",
    ),
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.lists(st.sampled_from(_PIECES), max_size=24).map("".join))
def test_a_gated_fragment_matches_where_the_fragment_does(text: str) -> None:
    """The gate only skips positions: every search finds the same match, gated or not."""
    for name, ungated in _UNGATED.items():
        gated = getattr(g, name)
        expected, got = ungated.search(text), gated.search(text)
        assert (expected and expected.span()) == (got and got.span()), name


def _messages() -> list[str]:
    from tests.corpus import DESIGN, read
    from tests.wordings import rows

    bodies = [row["body"] for row in read(DESIGN)]
    bodies += [row["body"] for name in ("round1", "round2", "round4") for row in rows(name)]
    return [json.dumps(body, ensure_ascii=False) for body in bodies]


def test_every_gated_fragment_matches_the_designed_on_bodies_as_the_fragment_does() -> None:
    for text in _messages():
        for name, ungated in _UNGATED.items():
            expected, got = ungated.search(text), getattr(g, name).search(text)
            assert (expected and expected.span()) == (got and got.span()), (name, text[:80])
