"""The reader on wordings no server was seen to send: each family said the many ways a server may say it.

The corpus (test_corpus.py) holds what servers did say. These wordings were written for this file, one per way a
verdict, a suggestion, a bound, a list or a condition can be put, so that the fragments are checked as fragments,
not as the sentences they were first written from. Each family is one request; each wording must give the same
fixes from it, and each lookalike none that the default policy allows.
"""

from __future__ import annotations

from typing import Any, Literal

import pytest

from resilient_client._models import ChangeRole, Clamp, Condition, Drop, Fix, Rename, SetValue
from resilient_client._reading import read
from tests.said import USER, allowed, fixes, request

DROPS = (
    "top_k is deprecated",
    "The model does not accept top_k",
    "top_k isn't allowed",
    "top_k cannot be used with this model",
    "top_k is not valid for this model",
    "Remove top_k and try again",
    "top_k must not be set",
    "top_k should not be provided",
    "top_k is not applicable to this model",
    "Field top_k not recognized",
    "top_k: not a valid field",
    "unexpected field top_k",
    "top_k is forbidden",
    "Not supported: top_k",
    "top_k not available for model my-deployment",
    "The parameter top_k is invalid for this model",
    "invalid argument top_k",
    "top_k is not a known parameter",
    "no such parameter: top_k",
    "top_k is not part of the schema",
    "Unrecognized field `top_k`",
    "unknown field `top_k`, expected one of `model`, `messages`, `temperature`",
    "Additional properties are not allowed ('top_k' was unexpected)",
    "top_k: extra fields not permitted",
    "body.top_k: Extra inputs are not permitted",
    "Unsupported argument 'top_k'",
    "top_k parameter is not supported by this provider",
    "This endpoint doesn't support top_k",
    "The top_k parameter isn't supported for this model",
    "Parameter 'top_k' not supported",
    "'top_k' is not supported on this model",
    "top_k is only supported by legacy models",
    "top_k unsupported",
    "Unexpected keyword argument 'top_k'",
    "got an unexpected keyword argument 'top_k'",
    "top_k: unknown parameter",
    "The request contains an unsupported parameter: top_k",
    "Request contains unknown parameter top_k",
    "Invalid request: unrecognized key(s) in object: 'top_k'",
    "property 'top_k' is not allowed",
    '"top_k" is not allowed',
    "top_k is not permitted for reasoning models",
    "Sampling parameter top_k is not supported",
    "top_k is not supported with reasoning models. Remove it.",
    "Setting top_k is not supported",
    "Models of this family do not support top_k.",
    "top_k: this field is not supported",
    "Param top_k is not allowed for this model",
    "The top_k field cannot be set for this deployment",
    "Failed to parse request: unknown field 'top_k'",
    'json: unknown field "top_k"',
    "top_k is not a recognized option",
    "Option top_k is not available",
    "Error: top_k not supported",
    "top_k parameter not allowed",
    "parameter top_k is not supported",
    "top_k is unavailable for this model",
)


# Not here: "has been removed", "is no longer available" and "disallowed", which say as much of a deleted resource, a
# banned user or a content block (tests/adversarial/test_reader_red_team_wordings.py).
@pytest.mark.parametrize("message", DROPS)
def test_a_param_refused_in_any_words_is_left_out(message: str) -> None:
    assert fixes(message, request(top_k=5)) == {Drop("top_k")}


RENAMES = (
    "max_tokens is deprecated, use max_completion_tokens",
    "max_tokens has been renamed to max_completion_tokens",
    "max_tokens was renamed max_completion_tokens",
    "Please use max_completion_tokens instead of max_tokens",
    "Use max_completion_tokens rather than max_tokens",
    "'max_tokens' is replaced by 'max_completion_tokens'",
    "max_tokens is not supported; please use max_completion_tokens",
    "max_tokens is no longer supported. Switch to max_completion_tokens.",
    "This model requires max_completion_tokens instead of max_tokens",
    "The parameter max_tokens is deprecated in favor of max_completion_tokens",
)


@pytest.mark.parametrize("message", RENAMES)
def test_a_param_moved_to_a_new_name_is_renamed(message: str) -> None:
    assert fixes(message, request(max_tokens=100)) == {Rename("max_tokens", "max_completion_tokens")}


@pytest.mark.parametrize(
    "message",
    [
        "max_tokens is not supported for reasoning models, please pass max_completion_tokens instead",
        "`max_tokens` is no longer accepted on this route; send `max_completion_tokens` instead",
        "`max_tokens` is not a valid parameter name here -- please use `max_completion_tokens`",
    ],
)
def test_a_new_name_passed_sent_or_used_instead_is_a_rename(message: str) -> None:
    assert fixes(message, request(max_tokens=100)) == {Rename("max_tokens", "max_completion_tokens")}


@pytest.mark.parametrize(
    "message",
    [
        "max_tokens is not supported for this model; use max_completion_tokens",
        "Unknown parameter 'max_tokens' (use 'max_completion_tokens')",
        "`max_tokens` is not a Chat Completions field for reasoning models; use `max_completion_tokens`.",
        "max_tokens is unsupported. Use `max_completion_tokens` to set the output limit.",
        "'max_tokens' is no longer accepted; send the limit as 'max_completion_tokens'.",
        "Parameter 'max_tokens' is not valid for this model; pass it as max_completion_tokens.",
        "unknown option max_tokens: the output limit is set with max_completion_tokens",
        "invalid request: unknown field `max_tokens`; this API calls it `max_completion_tokens`",
        "Le param\u00e8tre 'max_tokens' n'est pas reconnu ; utilisez 'max_completion_tokens' \u00e0 la place.",
        "Der Parameter 'max_tokens' wird nicht unterst\u00fctzt; verwenden Sie stattdessen 'max_completion_tokens'.",
        "\u53c2\u6570 max_tokens \u65e0\u6548\uff0c\u8bf7\u4f7f\u7528 max_completion_tokens",
    ],
)
def test_a_clause_that_says_only_what_to_use_is_a_rename(message: str) -> None:
    assert fixes(message, request(max_tokens=100)) == {Rename("max_tokens", "max_completion_tokens")}


@pytest.mark.parametrize(
    "message",
    [
        "max_tokens is not supported; use the Responses API",
        "max_tokens is not supported; use max_completion_tokens <= 4096",
        "max_tokens \u53c2\u6570\u4e0d\u652f\u6301\uff0c\u8bf7\u4f7f\u7528 responses \u63a5\u53e3",
        "Le param\u00e8tre max_tokens n'est pas reconnu ; utilisez le mod\u00e8le gpt-5",
    ],
)
def test_an_api_or_a_bound_to_use_is_no_new_name(message: str) -> None:
    assert Rename("max_tokens", "max_completion_tokens") not in fixes(message, request(max_tokens=100))
    assert not any(isinstance(f, Rename) for f in fixes(message, request(max_tokens=100)))


def test_a_list_of_values_to_use_is_no_new_name() -> None:
    message = 'think value "false" is not supported: reasoning cannot be turned off, use "low", "medium" or "high"'
    assert not any(isinstance(f, Rename) for f in fixes(message, request(think=False)))


def test_a_camel_case_new_name_is_a_rename() -> None:
    sent = request(inferenceConfig={"max_tokens": 100})
    assert fixes("inferenceConfig.max_tokens is not a recognized field; use inferenceConfig.maxTokens", sent) == {
        Rename("inferenceConfig.max_tokens", "inferenceConfig.maxTokens")
    }


@pytest.mark.parametrize(
    "message",
    [
        "Der Parameter 'top_k' wird von diesem Modell nicht unterst\u00fctzt.",
        "Par\u00e2metro 'top_k' n\u00e3o \u00e9 suportado pelo modelo.",
        "El par\u00e1metro 'top_k' no es compatible con este modelo.",
        "Il parametro 'top_k' non \u00e8 supportato.",
        (
            "\u30d1\u30e9\u30e1\u30fc\u30bf 'top_k' \u306f\u3053\u306e\u30e2\u30c7\u30eb\u3067\u306f"
            "\u30b5\u30dd\u30fc\u30c8\u3055\u308c\u3066\u3044\u307e\u305b\u3093\u3002"
        ),
        "top_k \ub9e4\uac1c\ubcc0\uc218\ub294 \uc9c0\uc6d0\ub418\uc9c0 \uc54a\uc2b5\ub2c8\ub2e4.",
    ],
)
def test_a_param_refused_in_other_languages_is_left_out(message: str) -> None:
    assert fixes(message, request(top_k=40)) == {Drop("top_k")}


def test_a_value_to_use_instead_is_no_new_name() -> None:
    """The message quotes the value sent: "use 'low' instead" names a value, not a param to rename to."""
    found = fixes(
        "reasoning_effort 'minimal' is not supported. Use 'low' instead.", request(reasoning_effort="minimal")
    )
    assert found == {SetValue("reasoning_effort", "minimal", "low")}


def test_a_guess_at_a_name_is_no_rename() -> None:
    """A guess by spelling ("did you mean 'stop'?" for store) names another setting: the refused param goes."""
    assert fixes("store not supported, did you mean 'stop'?", request(store=True)) == {Drop("store")}
    # Nor one that bounds the other side: a prompt's limit is no completion's.
    found = fixes("max_prompt_tokens not supported, did you mean max_completion_tokens?", request(max_prompt_tokens=9))
    assert found == {Drop("max_prompt_tokens")}


def test_a_guess_in_the_api_s_own_words_for_the_setting_is_a_rename() -> None:
    """'did you mean max_completion_tokens?' for max_tokens names the same limit; a dotted guess, its object."""
    found = fixes("max_tokens not supported, did you mean max_completion_tokens?", request(max_tokens=100))
    assert found == {Rename("max_tokens", "max_completion_tokens")}
    moved = fixes("budget_tokens: Extra inputs are not permitted. Did you mean thinking.budget_tokens?",
                  request(budget_tokens=2048))  # fmt: skip
    assert moved == {Rename("budget_tokens", "thinking.budget_tokens")}


CLAMPS = (
    "temperature must be between 0 and 1",
    "temperature should be in [0, 1]",
    "temperature out of range (0-1)",
    "temperature exceeds the maximum of 1",
    "temperature cannot exceed 1",
    "temperature too large, max 1",
    "temperature greater than 1 is not allowed",
    "temperature has a limit of 1",
    "maximum value for temperature is 1",
    "temperature must be <= 1",
    "temperature: ensure this value is less than or equal to 1",
    "temperature must be at most 1",
    "temperature must be in range [0.0, 1.0]",
    "temperature value 1.5 is out of range [0, 1]",
    "Invalid temperature 1.5: must be within 0 and 1",
    "temperature should not exceed 1",
    "temperature=1.5 is larger than the max of 1",
    "temperature: 1.5 is greater than the maximum of 1",
    "The value of temperature must be no greater than 1",
    "temperature must be a number between 0 and 1",
    "temperature is too high (max 1)",
    "temperature range is 0 to 1",
    "Range of temperature is [0, 1]",
    "temperature can't be more than 1",
    "temperature value must not be greater than 1.0",
    "temperature: value must be between 0.0 and 1.0, got 1.5",
    "temperature is limited to 1",
)


@pytest.mark.parametrize("message", CLAMPS)
def test_a_number_outside_a_bound_is_clamped_to_it(message: str) -> None:
    [fix] = fixes(message, request(temperature=1.5))
    assert isinstance(fix, Clamp)
    assert (fix.param, fix.maximum) == ("temperature", 1)
    assert fix.minimum in (None, 0)


MAX_TOKENS = (
    "max_tokens: 100000 exceeds the model limit of 32768",
    "max_tokens is too large: 100000. This model supports at most 32768 completion tokens",
    "max_tokens must be less than or equal to 32768",
    "The requested max_tokens 100000 is above the limit 32768",
    "max_tokens (100000) is greater than the maximum allowed (32768)",
)


@pytest.mark.parametrize("message", MAX_TOKENS)
def test_an_output_cap_over_the_limit_is_clamped(message: str) -> None:
    assert fixes(message, request(max_tokens=100_000)) == {Clamp("max_tokens", None, 32768)}


LISTED_VALUES = (
    "reasoning_effort must be one of low, medium, high",
    "reasoning_effort 'minimal' is not supported, use one of: low, medium, high",
    "Invalid reasoning_effort 'minimal'; expected low|medium|high",
    "unsupported reasoning_effort value minimal (supported: low, medium, high)",
    "reasoning_effort only accepts low, medium or high",
    "reasoning_effort can only be low, medium, or high",
    "'minimal' is not a valid reasoning_effort. Valid: low, medium, high",
    "reasoning_effort=minimal is invalid. Allowed values: ['low', 'medium', 'high']",
    "Value 'minimal' for reasoning_effort is not supported. Supported values are low, medium and high",
    "reasoning_effort: expected 'low' | 'medium' | 'high', received 'minimal'",
    "reasoning_effort should be low, medium or high",
    "Unknown reasoning_effort: minimal. Choose from low, medium, high.",
    "reasoning_effort must be 'low', 'medium' or 'high' (got 'minimal')",
    "The reasoning_effort 'minimal' is not available for this model; available efforts: low, medium, high",
    "Supported reasoning_effort values: low, medium, high",
)


@pytest.mark.parametrize("message", LISTED_VALUES)
def test_a_value_outside_the_listed_ones_moves_to_the_nearest_on_its_scale(message: str) -> None:
    assert fixes(message, request(reasoning_effort="minimal")) == {SetValue("reasoning_effort", "minimal", "low")}


@pytest.mark.parametrize(
    "message",
    [
        "Invalid value for reasoning_effort. Supported values:\n- low\n- medium\n- high",
        "reasoning_effort must be one of:\n  * low\n  * medium\n  * high",
        "Unsupported reasoning_effort 'minimal'. Valid options:\n1. low\n2. medium\n3. high\nPlease retry.",
        "reasoning_effort: expected one of:\n\u2022 'low'\n\u2022 'medium'\n\u2022 'high'",
    ],
)
def test_a_list_on_lines_of_its_own_is_read_whole(message: str) -> None:
    """A new line ends a sentence, but not a list of one word per line opened by a colon."""
    assert fixes(message, request(reasoning_effort="minimal")) == {SetValue("reasoning_effort", "minimal", "low")}


def test_a_default_marked_in_a_list_on_lines_of_its_own_is_taken() -> None:
    message = "Invalid 'service_tier': must be one of:\n* auto\n* default (default)\n* flex"
    assert fixes(message, request(service_tier="priority")) == {SetValue("service_tier", "priority", "default")}


def test_a_bulleted_list_of_errors_is_read_error_by_error() -> None:
    """Items that say more than a word are errors of their own, each about its own param."""
    message = "Validation failed:\n- temperature: must be <= 1\n- top_k: extra fields not permitted"
    assert fixes(message, request(temperature=1.5, top_k=3)) == {Clamp("temperature", None, 1), Drop("top_k")}


@pytest.mark.parametrize(
    "message",
    [
        "minimal reasoning effort is not supported by this model",
        "reasoning effort minimal not supported",
        "This model does not support minimal reasoning_effort",
    ],
)
def test_a_value_refused_with_no_list_leaves_the_param_out(message: str) -> None:
    """No accepted value named: leaving the param out asks for the server's default."""
    assert fixes(message, request(reasoning_effort="minimal")) == {Drop("reasoning_effort")}


@pytest.mark.parametrize(
    "message",
    [
        "reasoning_effort must be 'low' for this model",
        (
            "Failed to deserialize the JSON body into the target type: reasoning_effort: unknown variant `minimal`, "
            "expected one of `low` at line 1 column 140"
        ),
        (
            "1 validation error for ChatCompletionRequest\nreasoning_effort\n  Input should be 'low' "
            "[type=literal_error, input_value='minimal', input_type=str]"
        ),
        "\u53c2\u6570 reasoning_effort \u53d6\u503c\u65e0\u6548: minimal, \u53ef\u9009\u503c\u4e3a low",
    ],
)
def test_a_list_of_one_quoted_value_ends_where_the_prose_goes_on(message: str) -> None:
    """Words and numbers after a quoted list are prose ("for this model", "at line 1 column 140"), not values."""
    assert fixes(message, request(reasoning_effort="minimal")) == {SetValue("reasoning_effort", "minimal", "low")}


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("Key: 'ChatRequest.MaxTokens' Error:MaxTokens must be 4,096 or less", Clamp("max_tokens", None, 4096)),
        ("max_tokens must be 4096 or fewer", Clamp("max_tokens", None, 4096)),
    ],
)
def test_a_bound_before_or_less_is_an_upper_bound(message: str, expected: Fix) -> None:
    assert fixes(message, request(max_tokens=10_000)) == {expected}


def test_a_bound_before_or_more_is_a_lower_bound() -> None:
    assert fixes("top_k must be 1 or more", request(top_k=0)) == {Clamp("top_k", 1, None)}


def test_a_default_said_after_a_list_is_not_read_as_a_value() -> None:
    assert fixes(
        "verbosity must be one of low, medium, high (default: medium); got 'max'", request(verbosity="max")
    ) == {SetValue("verbosity", "max", "high")}


@pytest.mark.parametrize(
    "message",
    [
        "temperature must be 1 for this model",
        "Only the default temperature (1) is supported",
        "temperature is fixed at 1 for reasoning models",
        "temperature can only be 1",
        "This model only supports temperature=1",
        "temperature: only 1 is allowed",
    ],
)
def test_one_value_required_is_set_or_the_param_left_out(message: str) -> None:
    assert fixes(message, request(temperature=0.2)) in (
        frozenset({SetValue("temperature", 0.2, 1)}),
        frozenset({Drop("temperature")}),
    )


WITHOUT_TOOLS = (
    "parallel_tool_calls is only allowed when tools are specified",
    "parallel_tool_calls can only be set when tools are provided",
    "parallel_tool_calls requires tools",
    "parallel_tool_calls must not be set without tools",
    "parallel_tool_calls is not allowed without tools",
    "Setting parallel_tool_calls without tools is not supported",
    "parallel_tool_calls is only valid if tools is set",
    "parallel_tool_calls: only supported when tools are present",
    "parallel_tool_calls may only be used together with tools",
    "'parallel_tool_calls' is only permitted when 'tools' is provided",
    "parallel_tool_calls cannot be specified unless tools are given",
)


@pytest.mark.parametrize("message", WITHOUT_TOOLS)
def test_a_param_refused_without_another_is_left_out_only_then(message: str) -> None:
    assert fixes(message, request(parallel_tool_calls=True)) == {
        Drop("parallel_tool_calls", when=Condition("tools", present=False))
    }


WITHOUT_STREAM = (
    "stream_options is only allowed when stream is true",
    "stream_options can only be set when stream=true",
    "stream_options requires stream to be enabled",
    "stream_options is only supported for streaming requests",
    "stream_options should only be set when streaming",
    "The stream_options parameter is only allowed with stream: true",
    "stream_options is not allowed for non-streaming requests",
)


@pytest.mark.parametrize("message", WITHOUT_STREAM)
def test_stream_options_refused_without_streaming_is_left_out_only_then(message: str) -> None:
    assert fixes(message, request(stream_options={"include_usage": True})) == {
        Drop("stream_options", when=Condition("stream", present=False))
    }


@pytest.mark.parametrize(
    "message",
    ["max_tokens greater than 4096 requires streaming", "max_tokens > 4096 is only supported with streaming"],
)
def test_a_cap_that_only_streaming_lifts_is_a_bound(message: str) -> None:
    """Leaving max_tokens out would ask for a default that may be over the cap too: it is clamped to the cap."""
    assert fixes(message, request(max_tokens=8000)) == {Clamp("max_tokens", None, 4096)}


@pytest.mark.parametrize(
    "message",
    [
        "When streaming, logprobs is not supported.",
        "For streaming requests, logprobs is not available",
        "In streaming mode, logprobs cannot be used",
        "Invalid request. While streaming, logprobs is not supported.",
        "logprobs is not supported when streaming",
    ],
)
def test_a_param_refused_while_streaming_is_left_out_only_then(message: str) -> None:
    assert fixes(message, request(stream=True, logprobs=True)) == {
        Drop("logprobs", when=Condition("stream", present=True))
    }


@pytest.mark.parametrize(
    "message",
    [
        "reasoning_effort is not supported with tools",
        "reasoning_effort is not supported for tools.",
        "reasoning_effort is not allowed when using 'tools'",
        "reasoning_effort is not supported in combination with tools",
    ],
)
def test_a_param_refused_beside_another_is_left_out_only_then(message: str) -> None:
    sent = request(reasoning_effort="high", tools=[{"type": "function", "function": {"name": "f"}}])
    assert fixes(message, sent) == {Drop("reasoning_effort", when=Condition("tools", present=True))}


@pytest.mark.parametrize(
    "message",
    [
        "max_tokens must be set when using reasoning_effort",
        "max_tokens or max_completion_tokens must be set when using reasoning_effort with Claude models",
        "max_tokens needs to be provided when using reasoning_effort",
        "`max_tokens` has to be specified if `reasoning_effort` is used",
    ],
)
def test_a_param_refused_without_one_the_request_lacks_is_left_out_only_then(message: str) -> None:
    assert fixes(message, request(reasoning_effort="high")) == {
        Drop("reasoning_effort", when=Condition("max_tokens", present=False))
    }


@pytest.mark.parametrize(
    "message",
    [
        "Invalid 'top_logprobs': 'logprobs' must be set to true when 'top_logprobs' is specified.",
        "when using `top_logprobs`, `logprobs` must be set to true.",
        "top_logprobs is allowed only if logprobs is true",
        "top_logprobs requires logprobs",
    ],
)
def test_a_param_that_needs_another_the_request_lacks_goes_only_then(message: str) -> None:
    assert fixes(message, request(top_logprobs=3)) == {Drop("top_logprobs", when=Condition("logprobs", present=False))}


@pytest.mark.parametrize(
    "message",
    [
        "parallel_tool_calls: must be omitted when no tools are given",
        "parallel_tool_calls 参数仅在 tools 时可用",
    ],
)
def test_a_condition_on_absence_in_other_words(message: str) -> None:
    assert fixes(message, request(parallel_tool_calls=True)) == {
        Drop("parallel_tool_calls", when=Condition("tools", present=False))
    }


def test_a_setting_the_request_lacks_named_beside_a_nested_subject_sits_beside_it() -> None:
    sent = request(generationConfig={"logprobs": 3, "temperature": 0.2})
    assert fixes("logprobs is only valid when responseLogprobs is true.", sent) == {
        Drop("generationConfig.logprobs", when=Condition("generationConfig.responseLogprobs", present=False))
    }


def test_not_compatible_with_a_sent_param_holds_while_it_is_sent() -> None:
    sent = request(top_p=0.9, thinking={"type": "enabled", "budget_tokens": 1024})
    assert fixes("top_p is not compatible with extended thinking. Remove top_p or disable thinking.", sent) == {
        Drop("top_p", when=Condition("thinking", present=True))
    }


@pytest.mark.parametrize(
    "message",
    ["Agents are required to use background=true", "You have to use background=true for agents"],
)
def test_a_setting_required_to_have_a_value_is_set_to_it(message: str) -> None:
    assert fixes(message, request(background=False)) == {SetValue("background", old=False, new=True)}


def test_a_condition_on_a_value_is_no_condition_on_presence() -> None:
    """A condition on a value ("unless reasoning_effort resolves to 'none'") is no condition on presence."""
    found = fixes(
        "temperature=0.1 is not supported. Only temperature=1 is supported unless reasoning_effort resolves to 'none'",
        request(temperature=0.1, reasoning_effort="low"),
    )
    assert all(getattr(fix, "when", None) is None for fix in found)


ROLES = (
    "Role 'developer' is not supported for this model",
    "developer messages are not supported",
    "Unsupported role: developer",
    "messages[0].role: developer is not a valid role",
    "Invalid role 'developer'. Expected one of: system, user, assistant, tool",
    "The developer role is not available on this deployment",
    "This model does not support the developer role",
    "role must be one of system, user, assistant (got developer)",
    "messages[0]: unknown variant `developer`, expected one of `system`, `user`, `assistant`, `tool` at line 1",
)


@pytest.mark.parametrize("message", ROLES)
def test_a_refused_developer_role_becomes_system(message: str) -> None:
    sent = {"model": "my-deployment", "messages": [{"role": "developer", "content": "be brief"}, USER]}
    assert fixes(message, sent) == {ChangeRole("developer", "system")}


@pytest.mark.parametrize(
    "message",
    [
        "Jinja Exception: System role not supported",
        "Template error: syntax error: System role not supported (in <string>:1)",
        'Error rendering prompt with jinja template: "System role not supported".',
        "The system role is not available for this model. Put your instructions in a user message instead.",
        (
            "1 validation error detected: Value 'system' at 'messages.1.member.role' failed to satisfy constraint: "
            "Member must satisfy enum value set: [user, assistant]"
        ),
    ],
)
def test_a_system_role_no_instruction_role_can_replace_goes_into_the_user_message(message: str) -> None:
    """A chat template, or a list of roles without developer, knows no developer role: no second 400 for it."""
    sent = {"model": "my-deployment", "messages": [{"role": "system", "content": "be brief"}, USER]}
    assert fixes(message, sent) == {ChangeRole("system", "user")}


def test_a_refused_system_role_alone_becomes_developer() -> None:
    """OpenAI's reasoning models take developer where they refuse system: that is tried first."""
    sent = {"model": "my-deployment", "messages": [{"role": "system", "content": "be brief"}, USER]}
    assert fixes("System role not supported", sent) == {ChangeRole("system", "developer")}


SEVERAL = (
    "Unsupported parameters: top_k, top_a, min_p",
    "The following parameters are not supported: top_k, min_p and top_a",
    "top_k, min_p, top_a are not supported by this model",
    "Unknown fields: 'top_k', 'min_p', 'top_a'",
    "Unrecognized arguments: top_k, min_p, top_a",
    "Extra inputs are not permitted: top_k, min_p, top_a",
    "Parameters [top_k, min_p, top_a] are not allowed",
)


@pytest.mark.parametrize("message", SEVERAL)
def test_several_params_refused_at_once_all_go(message: str) -> None:
    assert fixes(message, request(top_k=5, min_p=0.1, top_a=0.2)) == {Drop("top_k"), Drop("min_p"), Drop("top_a")}


def test_each_sentence_is_about_the_params_it_names() -> None:
    """A bound in one sentence is not another sentence's: top_k goes, temperature is clamped."""
    found = fixes(
        '"top_k" is not allowed. "temperature" must be less than or equal to 1', request(top_k=5, temperature=2)
    )
    assert found == {Drop("top_k"), Clamp("temperature", None, 1)}


def test_a_sentence_naming_no_sent_param_goes_with_the_one_before() -> None:
    found = fixes("max_tokens is not supported. Use 'max_completion_tokens' instead.", request(max_tokens=100))
    assert found == {Rename("max_tokens", "max_completion_tokens")}


@pytest.mark.parametrize(
    "message",
    [
        "Unknown field 'maxTokens'; did you mean 'max_tokens'?",
        "'maxTokens' is not a valid key; did you mean 'max_tokens'?",
    ],
)
def test_a_guess_that_is_the_same_name_in_another_spelling_is_a_rename(message: str) -> None:
    assert fixes(message, request(maxTokens=100)) == {Rename("maxTokens", "max_tokens")}


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        (
            # "The request param seed is not supported by the current model, please remove it and retry."
            (
                "\u8bf7\u6c42\u53c2\u6570 seed \u4e0d\u88ab\u5f53\u524d\u6a21\u578b\u652f\u6301, "
                "\u8bf7\u5220\u9664\u540e\u91cd\u8bd5"
            ),
            Drop("seed"),
        ),
        ("\u53c2\u6570 seed \u5df2\u5e9f\u5f03, \u8bf7\u6539\u7528 random_seed", Rename("seed", "random_seed")),
    ],
)
def test_chinese_verdicts_and_renames(message: str, expected: Fix) -> None:
    assert fixes(message, request(seed=7)) == {expected}


REASONING = {"effort": "low", "summary": "auto"}
NESTED = (
    (
        "thinking.budget_tokens is not supported",
        {"thinking": {"type": "enabled", "budget_tokens": 1024}},
        "thinking.budget_tokens",
    ),
    (
        "Unknown field: generationConfig.topK",
        {"generationConfig": {"topK": 3, "temperature": 0.2}},
        "generationConfig.topK",
    ),
    ("top_k is not supported", {"generationConfig": {"topK": 3, "temperature": 0.2}}, "generationConfig.topK"),
    ("topK is not supported", {"top_k": 3}, "top_k"),
    ("body.reasoning.summary: Extra inputs are not permitted", {"reasoning": REASONING}, "reasoning.summary"),
    ("#/reasoning/summary is not allowed", {"reasoning": REASONING}, "reasoning.summary"),
    ("Unsupported parameter: reasoning.summary", {"reasoning": REASONING}, "reasoning.summary"),
    # The object a setting sits in is where it is, not what is refused.
    ("summary is not supported in reasoning", {"reasoning": REASONING}, "reasoning.summary"),
    ("The summary field of reasoning is not supported", {"reasoning": REASONING}, "reasoning.summary"),
    ("Unsupported field summary inside reasoning", {"reasoning": REASONING}, "reasoning.summary"),
    ("reasoning is not supported", {"reasoning": REASONING}, "reasoning"),
)


@pytest.mark.parametrize(("message", "params", "path"), NESTED)
def test_a_nested_param_is_named_by_path_pointer_or_other_case(message: str, params: dict[str, Any], path: str) -> None:
    assert fixes(message, request(**params)) == {Drop(path)}


TOOLS = [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}]
LOOKALIKES = (
    (
        (
            "This model's maximum context length is 8192 tokens, you requested 9000 tokens (1000 in the messages, "
            "8000 in the completion)."
        ),
        {"max_tokens": 8000},
    ),
    ("Rate limit reached for requests per minute. Limit: 3, used 3", {"max_tokens": 100}),
    ("The response was filtered due to the prompt triggering content management policy", {"temperature": 0.5}),
    ("Invalid API key provided", {"temperature": 0.5}),
    ("The model 'my-deployment' does not exist or you do not have access to it", {"temperature": 0.5}),
    ("messages[0].content must be a string", {"temperature": 0.5}),
    (
        "Invalid schema for function 'get_weather': 'object' is not valid under any of the given schemas",
        {"tools": TOOLS},
    ),
    ("Your organization must be verified to use reasoning summaries", {"reasoning": {"summary": "auto"}}),
    ("The prompt is too long: 210000 tokens > 200000 maximum", {"max_tokens": 1000}),
    ("Please reduce the length of the messages or completion", {"max_tokens": 1000}),
    ("stream is not supported for this model", {"stream": True}),
    ("tools are not supported by this model", {"tools": TOOLS}),
    ("Invalid 'messages[1].tool_calls': empty array. Expected an array with minimum length 1", {"temperature": 0.5}),
    ("Unsupported image format: image/heic", {"temperature": 0.5}),
    ("Billing hard limit has been reached", {"max_tokens": 10}),
    ("You exceeded your current quota, please check your plan and billing details", {"max_tokens": 10}),
    ("Invalid JSON in request body", {"max_tokens": 10}),
    ("response_format json_schema is not supported by this model", {"response_format": {"type": "json_schema"}}),
    (
        (
            "Input validation error: `inputs` tokens + `max_new_tokens` must be <= 4096. Given: 4000 `inputs` tokens "
            "and 1000 `max_new_tokens`"
        ),
        {"max_new_tokens": 1000},
    ),
    ("Could not finish the message because max_tokens was reached", {"max_tokens": 10}),
    ("Image URL could not be downloaded", {"temperature": 0.5}),
    ("Model is overloaded, please try again later", {"temperature": 0.5}),
    (
        "max_tokens must be greater than thinking.budget_tokens",
        {"max_tokens": 1000, "thinking": {"budget_tokens": 2000}},
    ),
    ("Invalid 'input[2].content': string too long. Expected a string with maximum length 10485760", {"top_p": 0.5}),
    ("This request would exceed your token per minute limit of 30000", {"max_tokens": 1000}),
    ("n must be 1", {"n": 2}),
)


@pytest.mark.parametrize(("message", "params"), LOOKALIKES)
def test_a_lookalike_in_any_words_changes_nothing_the_policy_allows(message: str, params: dict[str, Any]) -> None:
    assert allowed(fixes(message, request(**params))) == frozenset()


# Validators' own error shapes: the field is named beside the message, not in it.
VALIDATOR_BODIES = (
    (
        {
            "error": {
                "name": "ZodError",
                "issues": [
                    {
                        "code": "too_big",
                        "maximum": 2,
                        "path": ["temperature"],
                        "message": "Number must be less than or equal to 2",
                    }
                ],
            }
        },
        {"temperature": 3},
        {Clamp("temperature", None, 2)},
    ),
    (
        {
            "error": {
                "issues": [
                    {
                        "code": "unrecognized_keys",
                        "keys": ["top_k"],
                        "path": [],
                        "message": "Unrecognized key(s) in object: 'top_k'",
                    }
                ]
            }
        },
        {"top_k": 5},
        {Drop("top_k")},
    ),
    (
        {
            "error": "request/body must NOT have additional properties",
            "details": [
                {
                    "instancePath": "",
                    "keyword": "additionalProperties",
                    "params": {"additionalProperty": "top_p"},
                    "message": "must NOT have additional properties",
                }
            ],
        },
        {"top_p": 0.5},
        {Drop("top_p")},
    ),
    (
        {"errors": [{"instancePath": "/temperature", "keyword": "maximum", "message": "must be <= 1"}]},
        {"temperature": 1.5},
        {Clamp("temperature", None, 1)},
    ),
    (
        {
            "status": 400,
            "error": "Bad Request",
            "errors": [{"field": "topK", "rejectedValue": 200, "defaultMessage": "must be less than or equal to 100"}],
            "path": "/v1/chat/completions",
        },
        {"top_k": 200},
        {Clamp("top_k", None, 100)},
    ),
    (
        {
            "errors": [
                {
                    "type": "field",
                    "value": "none",
                    "msg": "Invalid value",
                    "path": "reasoning_effort",
                    "location": "body",
                }
            ]
        },
        {"reasoning_effort": "none"},
        {Drop("reasoning_effort")},
    ),
)


@pytest.mark.parametrize(("body", "params", "expected"), VALIDATOR_BODIES)
def test_a_validators_error_names_its_field_beside_the_message(
    body: dict[str, Any], params: dict[str, Any], expected: set[Fix]
) -> None:
    assert frozenset(read(400, body, request(**params)).fixes) == expected


def test_a_value_refused_under_the_newer_name_is_no_reason_for_the_older_one() -> None:
    """max_completion_tokens=0 is refused for its value: it is left out, not renamed to max_tokens."""
    body = {
        "detail": [
            {"type": "greater_than", "loc": ["body", "max_completion_tokens"], "msg": "Input should be greater than 0"}
        ]
    }
    assert frozenset(read(422, body, request(max_completion_tokens=0)).fixes) == {Drop("max_completion_tokens")}


def test_an_extra_nested_key_goes_and_its_siblings_stay() -> None:
    body = {
        "detail": [
            {
                "type": "extra_forbidden",
                "loc": ["body", "reasoning", "summary"],
                "msg": "Extra inputs are not permitted",
            }
        ]
    }
    sent = request(reasoning={"effort": "low", "summary": "auto"})
    assert frozenset(read(422, body, sent).fixes) == {Drop("reasoning.summary")}


def test_an_object_said_to_contain_a_refused_field_stays() -> None:
    sent = request(generationConfig={"temperature": 0.3, "repetitionPenalty": 1.1})
    message = "Unable to submit request because generation_config contains an unsupported field: repetitionPenalty."
    assert fixes(message, sent) == {Drop("generationConfig.repetitionPenalty")}


@pytest.mark.parametrize(
    "message",
    [
        "temperature and top_p cannot both be specified for this model. Remove top_p and retry.",
        "top_p cannot be used alongside temperature; drop top_p or set it to 1.",
        "temperature and top_p cannot be combined on this deployment; remove top_p.",
    ],
)
def test_of_two_that_cannot_go_together_the_one_the_body_says_to_remove_goes(message: str) -> None:
    assert fixes(message, request(temperature=0.5, top_p=0.9)) == {
        Drop("top_p", when=Condition("temperature", present=True))
    }


@pytest.mark.parametrize(
    "message",
    [
        "Invalid parameter search_recency; the correct name is search_recency_filter",
        "request parameter `search_recency` should be written as `search_recency_filter`",
        "Parameter 'search_recency' is called 'search_recency_filter' on this API.",
        "search_recency is not supported here; send search_recency_filter in its place.",
        "'search_recency' is not supported with this model; please pass 'search_recency_filter'.",
    ],
)
def test_a_new_name_in_yet_more_words(message: str) -> None:
    assert fixes(message, request(search_recency="week")) == {Rename("search_recency", "search_recency_filter")}


def test_move_it_to_names_where_a_setting_goes() -> None:
    found = fixes("num_ctx is not a top-level field; move it to options.num_ctx", request(num_ctx=4096))
    assert found == {Rename("num_ctx", "options.num_ctx")}


def test_a_union_tag_refused_at_a_message_is_its_role() -> None:
    body = {
        "detail": [
            {
                "type": "union_tag_invalid",
                "loc": ["body", "messages", 0],
                "msg": "Input tag 'developer' found using 'role' does not match any of the expected tags: 'system', "
                "'user', 'assistant', 'tool'",
            }
        ]
    }
    sent = {"model": "m", "messages": [{"role": "developer", "content": "be brief"}, USER]}
    assert frozenset(read(422, body, sent).fixes) == {ChangeRole("developer", "system")}


def test_a_role_path_through_a_member_is_a_role_path() -> None:
    """AWS counts members from 1: 'messages.1.member.role' is the first message's role.

    github.com/Noveum/ai-gateway/issues/23 shows the request (system first) and Bedrock's answer.
    """
    message = (
        "1 validation error detected: Value 'system' at 'messages.1.member.role' failed to satisfy constraint: "
        "Member must satisfy enum value set: [user, assistant]"
    )
    sent = {"model": "m", "messages": [{"role": "system", "content": "be brief"}, USER]}
    [fix] = fixes(message, sent)
    assert isinstance(fix, ChangeRole)
    assert fix.role == "system"


def test_a_role_the_body_says_to_use_is_not_refused() -> None:
    message = (
        "The 'system' role is not accepted by o1-preview deployments. Provide instructions with the 'developer' role."
    )
    sent = {"model": "m", "messages": [{"role": "system", "content": "be brief"}, USER]}
    assert fixes(message, sent) == {ChangeRole("system", "developer")}


def test_a_role_with_an_invalid_value_is_refused() -> None:
    message = "'messages.0' : discriminator property 'role' has invalid value 'developer'"
    sent = {"model": "m", "messages": [{"role": "developer", "content": "be brief"}, USER]}
    assert fixes(message, sent) == {ChangeRole("developer", "system")}


def test_a_setting_named_by_its_last_word_and_the_value_sent_is_the_subject() -> None:
    """Gemini's "Budget 0 is invalid" is about thinkingBudget: 0, not about money."""
    sent = request(generationConfig={"thinkingConfig": {"thinkingBudget": 0}})
    assert fixes("Budget 0 is invalid. This model only works in thinking mode.", sent) == {
        Drop("generationConfig.thinkingConfig.thinkingBudget")
    }


def test_a_budget_of_money_is_no_setting() -> None:
    sent = request(generationConfig={"thinkingConfig": {"thinkingBudget": 0}})
    assert fixes("Budget has been exceeded! Current cost: 0.01, Max budget: 0", sent) == frozenset()


def test_a_param_no_route_serves_is_left_out() -> None:
    message = "No endpoints found that support the following parameters: logit_bias, top_a"
    assert fixes(message, request(logit_bias={"50256": -100}, top_a=0.2)) == {Drop("logit_bias"), Drop("top_a")}


def test_a_value_no_route_serves_is_no_rule() -> None:
    message = "No endpoints found that support the provided 'tool_choice' value."
    assert fixes(message, request(tool_choice="required", tools=[{"type": "function"}])) == frozenset()


def test_a_union_tag_names_the_field_it_was_found_in() -> None:
    """Pydantic's tag error is about thinking.type; with two unordered values and no default, nothing is guessed."""
    message = (
        "thinking: Input tag 'adaptive' found using 'type' does not match any of the expected tags: "
        "'disabled', 'enabled', 'auto'"
    )
    found = read(400, {"error": {"message": message}}, request(thinking={"type": "adaptive"})).findings
    assert [(f.param, f.allowed) for f in found] == [("thinking.type", ("disabled", "enabled", "auto"))]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # Django REST framework: the field map is the whole body.
        ({"max_tokens": ["Ensure this value is less than or equal to 4096."]}, Clamp("max_tokens", None, 4096)),
        # Tencent Cloud's API 3.0 envelope (Hunyuan).
        (
            {
                "Response": {
                    "Error": {"Code": "InvalidParameter", "Message": "\u53c2\u6570 max_tokens \u6682\u4e0d\u652f\u6301"}
                }
            },
            Drop("max_tokens"),
        ),
        # cerberus / Eve.
        ({"_status": "ERR", "_issues": {"max_tokens": "unknown field"}}, Drop("max_tokens")),
        # valibot: a path of objects, each with its key.
        (
            {"issues": [{"message": "Invalid value: Expected >=1 but received 0", "path": [{"key": "max_tokens"}]}]},
            Clamp("max_tokens", 1, None),
        ),
    ],
)
def test_validators_envelopes(body: Any, expected: Fix) -> None:
    sent = request(max_tokens=0 if "Expected >=1" in str(body) else 10_000)
    assert frozenset(read(400, body, sent).fixes) == {expected}


@pytest.mark.parametrize(
    "message",
    [
        "found unpermitted parameters: :top_k, :min_p",
        "this field has unspecified keys: top_k, min_p",
    ],
)
def test_unpermitted_and_unspecified_keys_are_left_out(message: str) -> None:
    assert fixes(message, request(top_k=40, min_p=0.1)) == {Drop("top_k"), Drop("min_p")}


@pytest.mark.parametrize(
    "message",
    [
        "El campo top p no debe ser mayor que 1.",
        "O campo top_p n\u00e3o deve ser maior que 1.",
        "top_p ne doit pas d\u00e9passer 1.",
        "top_p darf nicht gr\u00f6\u00dfer als 1 sein.",
        "top_p \uac12\uc740 0 \uc774\uc0c1 1 \uc774\ud558\uc5ec\uc57c \ud569\ub2c8\ub2e4.",
    ],
)
def test_an_upper_bound_in_other_languages_is_a_clamp(message: str) -> None:
    found = fixes(message, request(top_p=1.5))
    assert len(found) == 1
    [clamp] = found
    assert isinstance(clamp, Clamp)
    assert (clamp.param, clamp.maximum) == ("top_p", 1)


@pytest.mark.parametrize(
    ("message", "sent", "expected"),
    [
        (
            "parallel_tool_calls requires at least one tool",
            {"parallel_tool_calls": True},
            Drop("parallel_tool_calls", when=Condition("tools", present=False)),
        ),
        (
            '"parallel_tool_calls" missing required peer "tools"',
            {"parallel_tool_calls": True},
            Drop("parallel_tool_calls", when=Condition("tools", present=False)),
        ),
        (
            "'stream' is a dependency of 'stream_options'",
            {"stream_options": {"include_usage": True}},
            Drop("stream_options", when=Condition("stream", present=False)),
        ),
        (
            "request/body must have property logprobs when property top_logprobs is present",
            {"top_logprobs": 3},
            Drop("top_logprobs", when=Condition("logprobs", present=False)),
        ),
        (
            "search_options requires enable_search=true",
            {"search_options": {"forced_search": True}},
            Drop("search_options", when=Condition("enable_search", present=False)),
        ),
        (
            "invalid request: citation_options can only be used when documents are provided",
            {"citation_options": {"mode": "fast"}},
            Drop("citation_options", when=Condition("documents", present=False)),
        ),
        (
            "tool_stream \u4ec5\u652f\u6301\u6d41\u5f0f\u8c03\u7528",
            {"tool_stream": True},
            Drop("tool_stream", when=Condition("stream", present=False)),
        ),
        (
            "reasoning_effort cannot be combined with function tools on this route",
            {"reasoning_effort": "high", "tools": [{"type": "function"}]},
            Drop("reasoning_effort", when=Condition("tools", present=True)),
        ),
    ],
)
def test_conditions_in_validators_words(message: str, sent: dict[str, Any], expected: Fix) -> None:
    assert fixes(message, request(**sent)) == {expected}


def test_a_setting_supported_only_together_with_another_goes_while_the_other_is_sent() -> None:
    message = "The model does not support setting topP together with temperature. Remove topP and try again."
    assert fixes(message, request(topP=0.9, temperature=0.5)) == {
        Drop("topP", when=Condition("temperature", present=True))
    }


@pytest.mark.parametrize(
    "body",
    [
        {"message": "The seed field is prohibited.", "errors": {"seed": ["The seed field is prohibited."]}},
        {"violations": [{"field": "seed", "message": "This field was not expected."}]},
        {"detail": "seed: This field was not expected."},
        {
            "errors": {
                "$.seed": ["The JSON property 'seed' could not be mapped to any .NET member contained in type 'X'."]
            }
        },
        {
            "message": "#/paths/~1v1~1chat/post/requestBody/content/application~1json/schema does not define "
            "properties: seed"
        },
        {"type": "validation", "summary": "Property 'seed' should not be provided", "property": "/seed"},
        {"errors": [{"status": "422", "source": {"pointer": "/seed"}, "detail": "is not accepted by this model"}]},
    ],
)
def test_validators_of_other_frameworks_refuse_a_param(body: dict[str, Any]) -> None:
    assert frozenset(read(400, body, request(seed=7)).fixes) == {Drop("seed")}


def test_each_labelled_clause_after_a_semicolon_is_about_its_own_param() -> None:
    message = (
        "thinking.budget_tokens: Input should be greater than or equal to 1024; "
        "output_config.effort: Extra inputs are not permitted"
    )
    sent = request(thinking={"type": "enabled", "budget_tokens": 100}, output_config={"effort": "high"})
    assert fixes(message, sent) == {Clamp("thinking.budget_tokens", 1024, None), Drop("output_config.effort")}


@pytest.mark.parametrize(
    "message",
    [
        "parallel_tool_calls: must be unset when no tools are declared",
        "parallel_tool_calls is only meaningful when tools are provided",
    ],
)
def test_more_words_for_a_param_that_needs_tools(message: str) -> None:
    assert fixes(message, request(parallel_tool_calls=True)) == {
        Drop("parallel_tool_calls", when=Condition("tools", present=False))
    }


@pytest.mark.parametrize(
    "message",
    [
        "Valor no v\u00e1lido para reasoning_effort: 'minimal'. Valores admitidos: 'low', 'medium' y 'high'.",
        (
            "La valeur \u00ab minimal \u00bb n'est pas accept\u00e9e pour reasoning_effort ; "
            "valeurs possibles : low, medium."
        ),
        'reasoning_effort: value "minimal" not in enum [low medium high]',
        "reasoning_effort 'minimal' cannot be used with this deployment; it accepts 'low' or 'medium'.",
        (
            "reasoning_effort \uac12 'minimal'\uc740(\ub294) \ud5c8\uc6a9\ub418\uc9c0 \uc54a\uc2b5\ub2c8\ub2e4. "
            "\ud5c8\uc6a9 \uac12: low, medium, high"
        ),
    ],
)
def test_lists_of_values_in_other_words_and_languages(message: str) -> None:
    assert fixes(message, request(reasoning_effort="minimal")) == {SetValue("reasoning_effort", "minimal", "low")}


@pytest.mark.parametrize(
    "message",
    [
        "max_tokens \u306f 1 \u4ee5\u4e0a 4096 \u4ee5\u4e0b\u3067\u6307\u5b9a\u3057\u3066\u304f\u3060\u3055\u3044",
        "max_tokens \uac12\uc740 1\uc5d0\uc11c 4096 \uc0ac\uc774\uc5ec\uc57c \ud569\ub2c8\ub2e4.",
        "max_tokens debe estar entre 1 y 4096",
        "max_tokens muss zwischen 1 und 4096 liegen",
        "Gi\u00e1 tr\u1ecb max_tokens ph\u1ea3i n\u1eb1m trong kho\u1ea3ng t\u1eeb 1 \u0111\u1ebfn 4096.",
        "max_tokens: Expected number to be less or equal to 4096",
    ],
)
def test_ranges_in_other_words_and_languages(message: str) -> None:
    found = fixes(message, request(max_tokens=10_000))
    assert [(f.param, getattr(f, "maximum", None)) for f in found] == [("max_tokens", 4096)]


def test_a_setting_to_use_written_as_an_assignment_is_only_a_tip() -> None:
    """'Use reasoning_effort='none' to enable sampling' is advice about another param: only temperature goes."""
    message = "temperature is not supported for reasoning models. Use reasoning_effort='none' to enable sampling."
    assert fixes(message, request(temperature=0.2, reasoning_effort="high")) == {Drop("temperature")}


def test_symfony_names_the_field_by_its_property_path() -> None:
    body = {"violations": [{"propertyPath": "top_p", "title": "This value should be between 0 and 1."}]}
    assert frozenset(read(422, body, request(top_p=1.5)).fixes) == {Clamp("top_p", 0, 1)}


@pytest.mark.parametrize(
    "message",
    [
        "max_tokens has been superseded by max_completion_tokens for o-series deployments.",
        "Unknown field max_tokens; this route expects max_completion_tokens.",
        "`max_tokens` is not a Chat Completions parameter; the route reads `max_completion_tokens`",
        "unknown field 'max_tokens'. The equivalent OpenAI field is 'max_completion_tokens'.",
        "This attribute max_tokens is not supported; resend it as max_completion_tokens.",
        "the field max_tokens is invalid, please use max_completion_tokens",
        "Le champ \u00ab max_tokens \u00bb est inconnu. Utilisez plut\u00f4t \u00ab max_completion_tokens \u00bb.",
        (
            "\uc798\ubabb\ub41c \ud30c\ub77c\ubbf8\ud130\uc785\ub2c8\ub2e4: 'max_tokens' \ub300\uc2e0 "
            "'max_completion_tokens'\ub97c \uc0ac\uc6a9\ud558\uc138\uc694."
        ),
        (
            "max_tokens \u306f\u5ec3\u6b62\u3055\u308c\u307e\u3057\u305f\u3002\u4ee3\u308f\u308a\u306b "
            "max_completion_tokens \u3092\u6307\u5b9a\u3057\u3066\u304f\u3060\u3055\u3044\u3002"
        ),
    ],
)
def test_more_ways_of_giving_the_new_name(message: str) -> None:
    assert fixes(message, request(max_tokens=100)) == {Rename("max_tokens", "max_completion_tokens")}


@pytest.mark.parametrize(
    "message",
    [
        "parallel_tool_calls ist nur zul\u00e4ssig, wenn auch tools angegeben sind.",
        "\u00ab parallel_tool_calls \u00bb n'est accept\u00e9 que si \u00ab tools \u00bb est fourni.",
    ],
)
def test_a_condition_on_tools_in_other_languages(message: str) -> None:
    assert fixes(message, request(parallel_tool_calls=True)) == {
        Drop("parallel_tool_calls", when=Condition("tools", present=False))
    }


def test_a_jinja2_template_error_folds_system_into_the_user_message() -> None:
    sent = {"model": "m", "messages": [{"role": "system", "content": "be brief"}, USER]}
    assert fixes("jinja2.exceptions.TemplateError: System role not supported", sent) == {ChangeRole("system", "user")}


def test_a_record_names_its_param_in_its_own_language() -> None:
    body = {
        "erro": {
            "mensagem": "O papel 'system' n\u00e3o \u00e9 suportado por este modelo.",
            "parametro": "messages[0].role",
        }
    }
    sent = {"model": "m", "messages": [{"role": "system", "content": "be brief"}, USER]}
    assert frozenset(read(400, body, sent).fixes) == {ChangeRole("system", "developer")}


def test_a_bare_list_of_values_after_expected_one_of_is_read_as_values() -> None:
    message = "Invalid value for reasoning_effort: 'minimal'. Expected one of low, medium, high."
    assert fixes(message, request(reasoning_effort="minimal")) == {SetValue("reasoning_effort", "minimal", "low")}


def test_a_bare_list_that_holds_the_requests_own_names_is_of_names() -> None:
    message = "unknown field seed, expected one of model, messages, temperature"
    assert fixes(message, request(seed=3, temperature=0.2)) == {Drop("seed")}


def test_an_assignment_to_use_sets_the_param_the_statement_is_about() -> None:
    body = {
        "error": {
            "message": "Flex processing isn't offered for this model. Use service_tier='default' for these requests.",
            "param": "service_tier",
        }
    }
    assert frozenset(read(400, body, request(service_tier="flex")).fixes) == {
        SetValue("service_tier", "flex", "default")
    }


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("E_PARAM_UNSUPPORTED", {Drop("top_logprobs")}),
        ("unknownField", {Drop("top_logprobs")}),
        ("PARAMETRO_NO_SOPORTADO", {Drop("top_logprobs")}),
        # A code that says neither a param nor a value is refused says nothing.
        ("invalid_parameter", set()),
        ("unsupported_model", set()),
    ],
)
def test_a_code_is_read_by_its_words(code: str, expected: set[Fix]) -> None:
    body = {"code": code, "param": "top_logprobs", "model": "m"}
    assert allowed(frozenset(read(400, body, request(top_logprobs=3)).fixes)) == expected


def test_a_title_over_a_bound_does_not_drop_what_the_bound_keeps() -> None:
    body = {
        "errors": [
            {
                "source": {"pointer": "/max_tokens"},
                "title": "Out of range",
                "detail": "must be less than or equal to 8192",
            }
        ]
    }
    assert frozenset(read(422, body, request(max_tokens=12000)).fixes) == {Clamp("max_tokens", None, 8192)}


def test_a_template_that_cannot_take_system_prompts_folds_them_into_the_user_message() -> None:
    sent = {"model": "m", "messages": [{"role": "system", "content": "be brief"}, USER]}
    assert fixes("this model's template does not support system prompts", sent) == {ChangeRole("system", "user")}


@pytest.mark.parametrize(
    "message",
    [
        "参数 max_tokens 已更名为 max_completion_tokens\uff0c请使用新参数名。",
        "max_tokens は max_completion_tokens に名称変更されました。",
        "max_tokens는 max_completion_tokens로 이름이 변경되었습니다.",
    ],
)
def test_a_rename_in_chinese_japanese_and_korean(message: str) -> None:
    assert fixes(message, request(max_tokens=100)) == {Rename("max_tokens", "max_completion_tokens")}


def test_a_bare_word_a_cjk_noun_calls_a_param_is_one() -> None:
    message = "参数校验失败: max_tokens 最大为 8192\uff1b不支持 logprobs 参数"
    assert fixes(message, request(max_tokens=9000, logprobs=True)) == {
        Clamp("max_tokens", None, 8192),
        Drop("logprobs"),
    }


def test_a_new_name_beside_a_refusal_with_a_kind_of_deployment_renames() -> None:
    message = "'max_tokens' can't be used with reasoning deployments; send 'max_completion_tokens' instead."
    assert fixes(message, request(max_tokens=100)) == {Rename("max_tokens", "max_completion_tokens")}


@pytest.mark.parametrize(
    ("message", "new"),
    [
        (
            "Unsupported parameter: 'max_tokens'. In the Responses API, this parameter is named 'max_output_tokens'.",
            "max_output_tokens",
        ),
        (
            "Unknown parameter 'max_tokens'. The OpenAI-compatible name is 'max_completion_tokens'.",
            "max_completion_tokens",
        ),
        (
            "max_tokens: unknown field. The Messages API takes custom limits as `max_output_tokens`.",
            "max_output_tokens",
        ),
        (
            "The Responses API does not accept 'max_tokens'; send it inside the 'text' object as 'text.max_tokens'.",
            "text.max_tokens",
        ),
    ],
)
def test_the_new_name_in_the_words_of_other_apis(message: str, new: str) -> None:
    assert fixes(message, request(max_tokens=100)) == {Rename("max_tokens", new)}


def test_a_name_after_for_is_the_param_whose_quoted_value_is_refused() -> None:
    message = "Unsupported value: 'detailed' is not supported for 'reasoning.summary' with this model."
    sent = request(reasoning={"effort": "low", "summary": "detailed"})
    assert fixes(message, sent) == {Drop("reasoning.summary")}


def test_true_sent_as_text_for_a_boolean_is_sent_as_true() -> None:
    message = 'logprobs: invalid type: string "true", expected a boolean at line 1 column 112'
    assert fixes(message, request(logprobs="true")) == {SetValue("logprobs", "true", new=True)}


def test_a_chinese_list_of_values_ends_where_the_value_received_is_said() -> None:
    message = "reasoning_effort 取值必须为 low、medium 或 high\uff0c收到 minimal"
    assert fixes(message, request(reasoning_effort="minimal")) == {SetValue("reasoning_effort", "minimal", "low")}


@pytest.mark.parametrize("role", ["system", "developer"])
def test_a_body_that_says_to_use_a_user_message_folds_either_role_into_it(role: str) -> None:
    message = (
        f"Unsupported value: 'messages[0].role' does not support '{role}' with this model. "
        "Put the instructions in a 'user' message."
    )
    sent = {"model": "m", "messages": [{"role": role, "content": "be brief"}, USER]}
    assert fixes(message, sent) == {ChangeRole(role, "user")}


def test_a_body_that_refuses_the_conversation_itself_changes_nothing() -> None:
    message = (
        'Invalid JSON payload received. Unknown name "messages": Cannot find field.\n'
        'Invalid JSON payload received. Unknown name "temperature": Cannot find field.'
    )
    assert fixes(message, request(temperature=1)) == set()


def test_several_values_for_one_param_set_none() -> None:
    body = {
        "errors": [
            {"param": "service_tier", "message": "Input should be 'auto'"},
            {"param": "service_tier", "message": "Input should be 'default'"},
        ]
    }
    assert read(400, body, request(service_tier="flex")).fixes == ()


def test_a_string_sent_for_an_object_is_left_out_unless_protected() -> None:
    message = "Invalid type for 'logit_bias': expected an object, but got a string instead."
    assert fixes(message, request(logit_bias='{"1734": -100}')) == {Drop("logit_bias")}
    refused = "'json_object' is not of type 'object' - 'response_format'"
    assert (
        allowed(frozenset(read(400, {"error": {"message": refused}}, request(response_format="json_object")).fixes))
        == set()
    )


def test_a_list_refused_as_a_value_with_nothing_else_said_is_left_out() -> None:
    message = "'$.stop' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference."
    assert fixes(message, request(stop=["a", "b", "c", "d", "e"])) == {Drop("stop")}


@pytest.mark.parametrize(
    ("message", "sent", "expected"),
    [
        (
            "`prompt_logprobs` are not available when `stream=True`.",
            {"prompt_logprobs": 1, "stream": True},
            Drop("prompt_logprobs", when=Condition("stream", present=True)),
        ),
        (
            "seed cannot be combined with stream=true on this deployment.",
            {"seed": 1, "stream": True},
            Drop("seed", when=Condition("stream", present=True)),
        ),
        (
            "thinking_budget only takes effect when enable_thinking is true; remove thinking_budget.",
            {"thinking_budget": 512},
            Drop("thinking_budget", when=Condition("enable_thinking", present=False)),
        ),
        (
            "top_logprobs has no effect unless logprobs is true",
            {"top_logprobs": 3},
            Drop("top_logprobs", when=Condition("logprobs", present=False)),
        ),
        (
            "stream_options は stream が true の場合のみ指定できます。",
            {"stream_options": {"include_usage": True}},
            Drop("stream_options", when=Condition("stream", present=False)),
        ),
        (
            "stream が有効な場合、logprobs は使用できません。",
            {"logprobs": True, "stream": True},
            Drop("logprobs", when=Condition("stream", present=True)),
        ),
        (
            "当 stream 为 true 时不支持 logprobs 参数",
            {"logprobs": True, "stream": True},
            Drop("logprobs", when=Condition("stream", present=True)),
        ),
    ],
)
def test_more_conditions(message: str, sent: dict[str, Any], expected: Fix) -> None:
    assert fixes(message, request(**sent)) == {expected}


def test_a_deprecation_of_the_future_refuses_nothing_now() -> None:
    message = (
        "'max_tokens' is deprecated in favour of 'max_completion_tokens' and will stop being accepted in a future "
        "API version."
    )
    assert fixes(message, request(max_tokens=20)) == set()


def test_a_record_that_refuses_messages_itself_is_a_wrong_endpoint() -> None:
    body = {
        "detail": [
            {"type": "extra_forbidden", "loc": ["body", "messages"], "msg": "Extra inputs are not permitted"},
            {"type": "extra_forbidden", "loc": ["body", "temperature"], "msg": "Extra inputs are not permitted"},
        ]
    }
    assert read(422, body, request(temperature=0.2)).fixes == ()


def test_a_role_the_statement_opens_with_is_the_one_refused() -> None:
    message = "developer is not one of ['system', 'assistant', 'user', 'tool', 'function']"
    sent = {"model": "m", "messages": [{"role": "developer", "content": "be brief"}, USER]}
    assert fixes(message, sent) == {ChangeRole("developer", "system")}


def test_an_error_object_in_another_language_is_read_field_by_field() -> None:
    body = {"error": {"mensaje": "El parámetro 'top_a' no es compatible con el modelo seleccionado.", "codigo": "X"}}
    assert frozenset(read(400, body, request(top_a=0.2)).fixes) == {Drop("top_a")}


@pytest.mark.parametrize(
    ("message", "sent", "expected"),
    [
        ("max_tokens must be 1-8192.", {"max_tokens": 9000}, Clamp("max_tokens", 1, 8192)),
        ("temperature: range: 0..1.", {"temperature": 3}, Clamp("temperature", 0, 1)),
        (
            "max_tokens=32768 exceeds the 16384 completion-token ceiling of gpt-4o.",
            {"max_tokens": 32768},
            Clamp("max_tokens", None, 16384),
        ),
        (
            "max_tokens: 100000 is above the 64000 output-token limit for this model.",
            {"max_tokens": 100000},
            Clamp("max_tokens", None, 64000),
        ),
        (
            "Übergebener Wert für top_k (500) liegt außerhalb des zulässigen Bereichs 1\u2013100.",
            {"top_k": 500},
            Clamp("top_k", 1, 100),
        ),
    ],
)
def test_more_bounds(message: str, sent: dict[str, Any], expected: Fix) -> None:
    assert fixes(message, request(**sent)) == {expected}


@pytest.mark.parametrize(
    ("message", "sent", "expected"),
    [
        (
            "Fehler 400: presence_penalty wird im Denkmodus (enable_thinking=true) nicht unterstützt.",
            {"presence_penalty": 0.5, "enable_thinking": True},
            {Drop("presence_penalty", when=Condition("enable_thinking", present=True))},
        ),
        (
            "« top_p » ne peut pas être combiné avec « temperature » pour ce modèle ; retirez « top_p ».",
            {"top_p": 0.9, "temperature": 0.2},
            {Drop("top_p", when=Condition("temperature", present=True))},
        ),
        (
            "'max_tokens' y 'max_completion_tokens' no pueden enviarse juntos.",
            {"max_tokens": 300, "max_completion_tokens": 300},
            {Drop("max_tokens", when=Condition("max_completion_tokens", present=True))},
        ),
        (
            (
                "Valeur non prise en charge pour « service_tier » : « flex ». Valeurs acceptées : « auto » "
                "(par défaut), « priority »."
            ),
            {"service_tier": "flex"},
            {SetValue("service_tier", "flex", "auto")},
        ),
        (
            "Valor no admitido para 'prompt_cache_retention': '24h'. Valores admitidos: 'in-memory' (predeterminado).",
            {"prompt_cache_retention": "24h"},
            {SetValue("prompt_cache_retention", "24h", "in-memory")},
        ),
    ],
)
def test_pairs_values_and_guillemets_in_other_languages(message: str, sent: dict[str, Any], expected: set[Fix]) -> None:
    assert fixes(message, request(**sent)) == expected


@pytest.mark.parametrize(
    ("message", "sent", "expected"),
    [
        (
            "temperature and top_p are not supported on o3, and max_tokens must be sent as max_completion_tokens.",
            {"temperature": 0.2, "top_p": 0.9, "max_tokens": 100},
            {Drop("temperature"), Drop("top_p"), Rename("max_tokens", "max_completion_tokens")},
        ),
        (
            "Unsupported parameters for o3-mini: 'max_tokens' (use 'max_completion_tokens'), 'temperature'.",
            {"temperature": 0.2, "max_tokens": 100},
            {Drop("temperature"), Rename("max_tokens", "max_completion_tokens")},
        ),
        (
            (
                "La solicitud contiene parámetros no válidos:\n- 'logit_bias' no está soportado por este modelo\n"
                "- 'max_tokens' debe enviarse como 'max_completion_tokens'"
            ),
            {"logit_bias": {"1": 1}, "max_tokens": 100},
            {Drop("logit_bias"), Rename("max_tokens", "max_completion_tokens")},
        ),
    ],
)
def test_a_rename_by_both_names_among_several_params(message: str, sent: dict[str, Any], expected: set[Fix]) -> None:
    assert fixes(message, request(**sent)) == expected


@pytest.mark.parametrize(
    ("message", "new"),
    [
        (
            "Unknown name max_tokens: Cannot find field. (The Gemini equivalent of max_tokens is max_output_tokens.)",
            "max_output_tokens",
        ),
        (
            "json: unknown field max_tokens; the equivalent knob on this server is max_output_tokens",
            "max_output_tokens",
        ),
        ("Unknown parameter 'max_tokens': the Responses API calls this limit max_output_tokens.", "max_output_tokens"),
        (
            "max_tokens: Extra inputs are not permitted. Output limits are called `max_output_tokens` on this API.",
            "max_output_tokens",
        ),
        (
            "Unrecognized key(s) in object: 'max_tokens'. Field names differ here: send max_output_tokens.",
            "max_output_tokens",
        ),
        ("Il parametro 'max_tokens' non è supportato: utilizzare 'max_completion_tokens'.", "max_completion_tokens"),
        ("Parameter 'max_tokens' tidak didukung; gunakan 'max_completion_tokens'.", "max_completion_tokens"),
    ],
)
def test_the_new_name_in_yet_more_words(message: str, new: str) -> None:
    assert fixes(message, request(max_tokens=100)) == {Rename("max_tokens", new)}


def test_a_list_of_values_after_want_one_of_and_choose() -> None:
    sent = request(reasoning_effort="minimal")
    want = "reasoning_effort: got 'minimal', want one of [low, medium, high]"
    assert fixes(want, sent) == {SetValue("reasoning_effort", "minimal", "low")}
    choose = "reasoning_effort: 'minimal' is not available on this model. Choose low, medium or high."
    assert fixes(choose, sent) == {SetValue("reasoning_effort", "minimal", "low")}


@pytest.mark.parametrize(
    ("message", "role", "new"),
    [
        (
            "System messages are not supported for o1 deployments. Provide the instructions in a developer message.",
            "system",
            "developer",
        ),
        ("ロール「developer」はサポートされていません。system ロールを使用してください。", "developer", "system"),
        ("messages[0].role 不支持 developer\uff0c请使用 system 角色传入系统提示。", "developer", "system"),
        ("'developer' 역할은 지원하지 않습니다.", "developer", "system"),
        (
            "ロール 'system' はこのモデルではサポートされていません。指示は user メッセージに含めてください。",
            "system",
            "user",
        ),
    ],
)
def test_roles_in_more_words(message: str, role: str, new: Literal["developer", "system", "user"]) -> None:
    sent = {"model": "m", "messages": [{"role": role, "content": "be brief"}, USER]}
    assert fixes(message, sent) == {ChangeRole(role, new)}


def test_a_role_refused_in_words_beside_its_path() -> None:
    body = {
        "error": {
            "message": "System messages are not supported for o1 deployments.",
            "param": "messages[0].role",
            "code": "unsupported_value",
        }
    }
    sent = {"model": "m", "messages": [{"role": "system", "content": "be brief"}, USER]}
    assert frozenset(read(400, body, sent).fixes) == {ChangeRole("system", "developer")}


def test_bedrocks_malformed_input_request_is_no_input_side_limit() -> None:
    message = (
        "Malformed input request: extraneous key [max_tokens] is not permitted. Set the output token limit "
        "through inferenceConfig.maxTokens instead."
    )
    assert fixes(message, request(max_tokens=200)) == {Rename("max_tokens", "inferenceConfig.maxTokens")}


@pytest.mark.parametrize(
    ("message", "sent", "expected"),
    [
        (
            "top_logprobs 仅在 logprobs 为 true 时可用",
            {"top_logprobs": 3},
            Drop("top_logprobs", when=Condition("logprobs", present=False)),
        ),
        (
            "O parâmetro 'temperature' não é suportado quando 'reasoning_effort' está definido.",
            {"temperature": 0.2, "reasoning_effort": "low"},
            Drop("temperature", when=Condition("reasoning_effort", present=True)),
        ),
        (
            "'metadata' è consentito solo quando 'store' è true; altrimenti non ha effetto.",
            {"metadata": {"a": "b"}},
            Drop("metadata", when=Condition("store", present=False)),
        ),
        (
            "top_logprobs should not exist when logprobs is not set",
            {"top_logprobs": 3},
            Drop("top_logprobs", when=Condition("logprobs", present=False)),
        ),
        (
            "best_of must be 1 when streaming (got best_of=4, stream=True)",
            {"best_of": 4, "stream": True},
            Drop("best_of", when=Condition("stream", present=True)),
        ),
        (
            "tools가 지정된 요청에서는 logprobs를 함께 사용할 수 없습니다.",
            {"logprobs": True, "tools": [{"type": "function", "function": {"name": "f"}}]},
            Drop("logprobs", when=Condition("tools", present=True)),
        ),
    ],
)
def test_yet_more_conditions(message: str, sent: dict[str, Any], expected: Fix) -> None:
    assert fixes(message, request(**sent)) == {expected}


@pytest.mark.parametrize(
    ("message", "sent", "expected"),
    [
        (
            'Field "stopSequences" is not defined by type "ChatInput". In this schema the field is named "stop".',
            {"stopSequences": ["x"]},
            Rename("stopSequences", "stop"),
        ),
        (
            "top_k is not a top-level attribute; the equivalent is sampling.top_k",
            {"top_k": 40},
            Rename("top_k", "sampling.top_k"),
        ),
    ],
)
def test_renames_of_round_eight(message: str, sent: dict[str, Any], expected: Fix) -> None:
    assert fixes(message, request(**sent)) == {expected}


def test_an_object_where_a_text_is_wanted_is_the_callers_to_mend() -> None:
    message = "container: Input should be a valid string"
    assert fixes(message, request(container={"id": "container_1"})) == set()


def test_a_protected_list_too_long_is_the_callers_to_trim() -> None:
    tools = [{"type": "function", "function": {"name": f"t{i}"}} for i in range(3)]
    message = (
        "Invalid 'tools': array too long. Expected an array with maximum length 2, but got an array with length 3."
    )
    assert read(400, {"error": {"message": message}}, request(tools=tools)).fixes == ()
