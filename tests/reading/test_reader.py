"""The reader on synthetic wordings, envelopes and garbage (the real bodies are in test_corpus.py)."""

from __future__ import annotations

import json
from typing import Any, Literal

import pytest

from resilient_client._core import apply
from resilient_client._models import ChangeRole, Clamp, Condition, Drop, Fix, Rename, SetValue
from resilient_client._reading import read

USER = {"role": "user", "content": "Hi"}
BASE: dict[str, Any] = {"model": "my-deployment", "messages": [USER]}

# gpt-5.1's refusal of reasoning.effort=minimal on the Responses API, with the param redacted as a proxy sends it.
REDACTED_EFFORT = {
    "error": {
        "message": (
            "Unsupported value: 'minimal' is not supported with the 'gpt-5.1' model. "
            "Supported values are: 'none', 'low', 'medium', and 'high'."
        ),
        "type": "invalid_request_error",
        "param": "***.effort",
        "code": "unsupported_value",
    }
}
SYSTEM_REFUSED = {
    "error": {
        "message": "Unsupported value: 'messages[0].role' does not support 'system' with this model.",
        "type": "invalid_request_error",
        "param": "messages[0].role",
        "code": "unsupported_value",
    }
}


def outcome(status: int, body: object, request: dict[str, Any]) -> Fix | None:
    """The one fix the reader derives from an error response for ``request`` (None for none or several)."""
    fixes = read(status, body, request).fixes
    return fixes[0] if len(fixes) == 1 else None


# A request carrying every param the synthetic bodies below name.
WIDE: dict[str, Any] = {**BASE, "max_tokens": 100, "top_p": 1, "seed": 1, "temperature": 0}


def nothing(status: int, body: object) -> bool:
    """Whether the reader derives no fix at all from the response, even for a request carrying every param."""
    return read(status, body, WIDE).fixes == ()


def assert_same_fix(actual: Fix | None, expected: Fix | None) -> None:
    """Equal, and equal in repr too, so True and 1 (equal in Python) are told apart."""
    assert actual == expected
    assert repr(actual) == repr(expected)


def test_original_request_is_not_changed_by_reading() -> None:
    """Reading a rejection does not mutate the request it was given."""
    request = {**BASE, "reasoning": {"effort": "minimal"}}
    snapshot = json.loads(json.dumps(request))
    outcome(400, REDACTED_EFFORT, request)
    assert request == snapshot


# --- synthetic bodies -------------------------------------------------------------------------------------------

RENAME_MESSAGE = (
    "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead."
)
RENAME_BODY = {"error": {"message": RENAME_MESSAGE, "type": "invalid_request_error", "param": "max_tokens"}}
MAX_TOKENS_REQUEST = {**BASE, "max_tokens": 100}


def test_deployment_not_found_is_not_repairable() -> None:
    """A 404 DeploymentNotFound body is not a parameter rejection."""
    body = {
        "error": {
            "code": "DeploymentNotFound",
            "message": (
                "The API deployment for this resource does not exist. If you created the deployment within the "
                "last 5 minutes, please wait a moment and try again."
            ),
        }
    }
    assert nothing(404, body)
    assert nothing(404, json.dumps(body))


def test_final_code_wins_over_a_parameter_wording() -> None:
    """A content_filter code makes the body final even when its message reads like a parameter rejection."""
    body = {"error": {"message": RENAME_MESSAGE, "param": "max_tokens", "code": "content_filter"}}
    assert nothing(400, body)


def test_both_token_params_at_once_drops_max_tokens_while_both_are_sent() -> None:
    """'Setting max_tokens and max_completion_tokens at the same time' drops max_tokens, only beside the other."""
    body = {"error": {"message": "Setting 'max_tokens' and 'max_completion_tokens' at the same time is not supported."}}
    request = {**BASE, "max_tokens": 100, "max_completion_tokens": 200}
    fix = Drop("max_tokens", when=Condition("max_completion_tokens", present=True))
    assert_same_fix(outcome(400, body, request), fix)
    assert apply((fix,), {**BASE, "max_tokens": 100}) == ({**BASE, "max_tokens": 100}, ())


def test_unrecognized_max_completion_tokens_renames_back_to_max_tokens() -> None:
    """An old api-version that does not know max_completion_tokens gets max_tokens instead."""
    body = {"error": {"message": "Unrecognized request argument supplied: max_completion_tokens"}}
    request = {**BASE, "max_completion_tokens": 100}
    assert_same_fix(outcome(400, body, request), Rename("max_completion_tokens", "max_tokens"))


@pytest.mark.parametrize("status", [401, 402, 408, 409, 429, 501, 502, 503, 504, 200, 0, -1])
def test_statuses_that_are_never_about_params(status: int) -> None:
    """Auth, rate-limit, gateway, overload and success statuses never yield a rejection, whatever the body says."""
    assert nothing(status, RENAME_BODY)


@pytest.mark.parametrize("status", [400, 403, 404, 422, 500])
def test_repairable_statuses(status: int) -> None:
    """400, 403, 404, 422 and 500 bodies are read (llama.cpp and Ollama send param rejections as 500)."""
    assert_same_fix(outcome(status, RENAME_BODY, MAX_TOKENS_REQUEST), Rename("max_tokens", "max_completion_tokens"))


@pytest.mark.parametrize(
    "message",
    [
        f"litellm.BadRequestError: OpenAIException - {RENAME_MESSAGE}",
        f"Error code: 400 - {RENAME_MESSAGE}",
        f"Provider API error: <400> {RENAME_MESSAGE}",
    ],
)
def test_a_500_about_the_servers_own_call_upstream_is_final(message: str) -> None:
    """A 500 that quotes an upstream's 400 is about what the server sent upstream (ll-015): nothing is changed."""
    reading = read(500, {"error": {"message": message, "code": "500"}}, MAX_TOKENS_REQUEST)
    assert reading.fixes == ()
    assert reading.final
    # The same words as a 400 are the upstream's own: read.
    assert read(400, {"error": {"message": message}}, MAX_TOKENS_REQUEST).fixes


def test_proxy_request_id_suffix_is_ignored() -> None:
    """'(request id: …)' suffixes a relay appends do not hide the wording."""
    body = {"error": {"message": "Unknown parameter: 'seed'. (request id: 20240806214436917505976hvsFC5y2)"}}
    assert_same_fix(outcome(400, body, {**BASE, "seed": 7}), Drop("seed"))
    suffixed = {"error": {"message": f"{RENAME_MESSAGE} (request id: abc) (request id: def)"}}
    assert_same_fix(outcome(400, suffixed, MAX_TOKENS_REQUEST), Rename("max_tokens", "max_completion_tokens"))


def test_detail_shape_is_read() -> None:
    """A FastAPI-style {"detail": …} body is read like an error object."""
    assert_same_fix(outcome(400, {"detail": "Unsupported parameter: top_p"}, {**BASE, "top_p": 0.5}), Drop("top_p"))


def test_error_as_a_plain_string_is_read() -> None:
    """A {"error": "<message>"} body is read like an error object."""
    body = {"error": "Unsupported parameter: 'top_p' is not supported with this model."}
    assert_same_fix(outcome(400, body, {**BASE, "top_p": 0.5}), Drop("top_p"))


def test_sdk_status_prefix_is_stripped() -> None:
    """A message the SDK prefixed with '400 ' is read without the prefix."""
    body = {"error": {"message": f"400 {RENAME_MESSAGE}"}}
    assert_same_fix(outcome(400, body, MAX_TOKENS_REQUEST), Rename("max_tokens", "max_completion_tokens"))


def test_sdk_error_code_prefix_is_stripped() -> None:
    """A message prefixed 'Error code: 400 - ' (the openai SDK's str(exc)) is read without the prefix."""
    body = {"error": {"message": f"Error code: 400 - {RENAME_MESSAGE}"}}
    assert_same_fix(outcome(400, body, MAX_TOKENS_REQUEST), Rename("max_tokens", "max_completion_tokens"))


def test_a_rejected_value_of_400_is_not_taken_for_a_status_prefix() -> None:
    """The legacy clamp wording is read when the rejected value happens to be 400."""
    body = {"error": {"message": "400 is greater than the maximum of 256 - 'max_tokens'"}}
    assert_same_fix(outcome(400, body, {**BASE, "max_tokens": 400}), Clamp("max_tokens", None, 256))


def test_same_legacy_clamp_with_another_value_is_read() -> None:
    """The legacy '<v> is greater than the maximum of <max> - '<param>'' wording clamps from above."""
    body = {"error": {"message": "300 is greater than the maximum of 256 - 'max_tokens'"}}
    assert_same_fix(outcome(400, body, {**BASE, "max_tokens": 300}), Clamp("max_tokens", None, 256))


@pytest.mark.parametrize(
    "body",
    [
        "Bad Request",
        "",
        "null",
        "[]",
        '"just a string"',
        "42",
        "{not json",
        b"\xff\xfe\x00garbage",
        b"",
        {},
        {"error": None},
        {"error": {"message": ""}},
        {"error": {"message": 42}},
        {"message": None, "detail": [1, 2]},
    ],
    ids=repr,
)
def test_garbage_bodies_are_not_rejections(body: object) -> None:
    """Non-JSON text, JSON that is not an error object, and empty messages give None without raising."""
    assert nothing(400, body)


def test_html_error_page_is_not_a_rejection() -> None:
    """An HTML page from a gateway is not a parameter rejection."""
    page = (
        "<html><head><title>400 Bad Request</title></head><body><center><h1>400 Bad Request</h1></center></body></html>"
    )
    assert nothing(400, page)
    assert nothing(400, page.encode())


def test_plain_text_body_with_a_known_wording_is_read() -> None:
    """A non-JSON body whose text is a known wording is read as the message."""
    text = "Unsupported parameter: 'top_p' is not supported with this model."
    assert_same_fix(outcome(400, text, {**BASE, "top_p": 1}), Drop("top_p"))
    assert_same_fix(outcome(400, text.encode(), {**BASE, "top_p": 1}), Drop("top_p"))


def test_bytes_body_is_read_like_text() -> None:
    """A JSON body given as bytes is decoded and read."""
    assert_same_fix(
        outcome(400, json.dumps(RENAME_BODY).encode(), MAX_TOKENS_REQUEST),
        Rename("max_tokens", "max_completion_tokens"),
    )


def test_nested_error_error_is_looked_through() -> None:
    """A proxy that re-wraps the error under error.error still yields the inner message."""
    inner = {"message": "Unknown parameter: 'seed'.", "param": "seed", "code": "unknown_parameter"}
    body = {"error": {"code": "unknown_parameter", "error": {"error": inner}}}
    assert_same_fix(outcome(400, body, {**BASE, "seed": 1}), Drop("seed"))


def test_reading_fields() -> None:
    """A reading keeps the status and code, what it found, and a message truncated for evidence."""
    message = (
        "Unsupported value: 'temperature' does not support 0 with this model. Only the default (1) value is supported."
    )
    body = {"error": {"message": message + " x" * 300, "code": "unsupported_value"}}
    reading = read(400, body, {**BASE, "temperature": 0})
    [finding] = reading.findings
    assert (finding.kind, finding.param, finding.default_only) == ("value", "temperature", True)
    assert (reading.status, reading.code) == (400, "unsupported_value")
    assert len(reading.message) <= 240
    assert reading.message.startswith(message)


def test_rename_wording_with_trailing_text_is_still_a_rename() -> None:
    """Text after the wording does not turn the rename it suggests into a drop."""
    body = {"error": {"message": RENAME_MESSAGE + " x" * 300}}
    assert_same_fix(outcome(400, body, MAX_TOKENS_REQUEST), Rename("max_tokens", "max_completion_tokens"))


def test_redacted_param_is_found_by_its_value() -> None:
    """A redacted param ('***.effort') is found as the one body path ending in 'effort' that holds the value."""
    request = {**BASE, "reasoning": {"effort": "minimal"}, "metadata": {"tier": "minimal"}}
    assert_same_fix(outcome(400, REDACTED_EFFORT, request), SetValue("reasoning.effort", "minimal", "low"))


def test_value_without_param_that_matches_two_paths_is_ambiguous() -> None:
    """A value rejection that names no param resolves to None when the value sits at two body paths."""
    body = {
        "error": {
            "message": (
                "Unsupported value: 'minimal' is not supported with the 'gpt-5.1' model. "
                "Supported values are: 'none', 'low', 'medium', and 'high'."
            ),
            "param": None,
        }
    }
    single = {**BASE, "reasoning": {"effort": "minimal"}}
    assert_same_fix(outcome(400, body, single), SetValue("reasoning.effort", "minimal", "low"))
    double = {**single, "thinking": {"level": "minimal"}}
    assert outcome(400, body, double) is None
    # The caller's own tags are not settings: a value among them makes nothing ambiguous.
    tagged = {**single, "metadata": {"tier": "minimal"}}
    assert_same_fix(outcome(400, body, tagged), SetValue("reasoning.effort", "minimal", "low"))


def top_logprobs_error(sent: int, allowed: str) -> dict[str, Any]:
    """A value rejection of top_logprobs=``sent`` listing ``allowed``."""
    message = (
        f"Unsupported value: 'top_logprobs' does not support {sent} with this model. Supported values are: {allowed}."
    )
    return {"error": {"message": message, "param": "top_logprobs"}}


def test_nearest_allowed_number_is_chosen() -> None:
    """A numeric value outside the allowed list becomes the nearest allowed number (ties go up)."""
    for sent, allowed, new in [(6, "0, 5, 9", 5), (2, "0, 5, 9", 0), (7, "5, 9", 9), (7, "3", 3)]:
        fix = outcome(400, top_logprobs_error(sent, allowed), {**BASE, "top_logprobs": sent})
        assert_same_fix(fix, SetValue("top_logprobs", sent, new))


def test_role_rejection_on_responses_input() -> None:
    """A role rejection on input[N].role yields a ChangeRole on 'input'."""
    body = {"error": {"message": "Unsupported value: 'input[0].role' does not support 'system' with this model."}}
    request = {"model": "o1-mini", "input": [{"role": "system", "content": "Be brief."}, USER]}
    assert_same_fix(outcome(400, body, request), ChangeRole("system", "developer", param="input"))


def test_role_rejection_without_that_role_in_the_request() -> None:
    """A role rejection for a role the request does not carry resolves to None."""
    assert outcome(400, SYSTEM_REFUSED, BASE) is None


@pytest.mark.parametrize("depth", [2_000, 4_000])
def test_deeply_nested_json_message_does_not_raise(depth: int) -> None:
    """A message that starts like JSON but nests deeper than the recursion limit yields None instead of raising."""
    message = '{"detail": ' + "[" * depth
    assert nothing(400, {"error": {"message": message}})
    assert nothing(400, json.dumps({"error": {"message": message}}))


def test_deeply_nested_json_body_does_not_raise() -> None:
    """A body nested far deeper than the recursion limit yields None instead of raising."""
    assert nothing(400, "[" * 100_000)
    assert nothing(400, '{"error": ' * 50_000)


def test_huge_body_is_handled() -> None:
    """A 1 MB body is read (the message is truncated) without error."""
    text = "Unknown parameter: 'seed'." + " " * 1_000_000
    assert_same_fix(outcome(400, text, {**BASE, "seed": 1}), Drop("seed"))
    assert nothing(400, "x" * 1_000_000)


# --- capabilities, list lengths, intervals, roles by list, values beside others ---------------------------------


def error(message: str, **fields: object) -> dict[str, Any]:
    """An OpenAI-style error envelope around ``message``."""
    return {"error": {"message": message, "type": "invalid_request_error", **fields}}


@pytest.mark.parametrize(
    ("message", "sent", "fixes"),
    [
        ("llama3.1:8b does not support thinking", {"think": True}, (Drop("think"),)),
        ("llama3.1:8b does not support thinking", {"reasoning_effort": "high"}, (Drop("reasoning_effort"),)),
        (
            "Penalty is not enabled for models/gemini-2.5-flash",
            {"frequency_penalty": 0.5, "presence_penalty": 0.5},
            (Drop("frequency_penalty"), Drop("presence_penalty")),
        ),
    ],
)
def test_a_capability_refused_as_a_word_drops_the_params_that_ask_for_it(
    message: str, sent: dict[str, Any], fixes: tuple[Fix, ...]
) -> None:
    """'does not support thinking' names the sent params whose words mean thinking; protected ones never."""
    assert read(400, error(message), {**BASE, **sent}).fixes == fixes
    assert read(400, error("This model does not support tools"), {**BASE, "tools": [{"type": "function"}]}).fixes == ()
    assert read(400, error(message), BASE).fixes == ()


@pytest.mark.parametrize(
    "message",
    [
        "Invalid 'stop': array too long. Expected an array with maximum length 4, but got an array with length 5.",
        "stop:最大只能有4个停止词 (request id: 202409291149558009254221372292)",
        "stop sequences must be at most 4",
    ],
)
def test_a_list_refused_for_its_length_is_left_out(message: str) -> None:
    """A list cannot be trimmed by a fix: a stop list that is too long goes."""
    request = {**BASE, "stop": ["a", "b", "c", "d", "e"]}
    assert_same_fix(outcome(400, error(message), request), Drop("stop"))


def test_the_length_of_a_list_is_not_the_context_length() -> None:
    """'Length of stop ([...]) exceeds the limit max_model_len(5)' is about the list, not the prompt."""
    body = {
        "object": "error",
        "message": "Length of stop ([1, 2, 1, 3, 3, 3]) exceeds the limit max_model_len(5).",
        "code": 400,
    }
    assert_same_fix(outcome(400, body, {**BASE, "stop": ["a", "b", "c", "d", "e", "f"]}), Drop("stop"))
    assert outcome(400, body, {**BASE, "max_tokens": 10}) is None


@pytest.mark.parametrize(
    ("message", "sent", "fix"),
    [
        ("top_p must be in (0, 1], got 0.0.", 0.0, Drop("top_p")),
        ("top_p must be in (0, 1], got 2.", 2, Clamp("top_p", None, 1)),
        ("Range of top_p should be [0.0, 1.0)", 1.0, Drop("top_p")),
    ],
)
def test_half_open_intervals(message: str, sent: float, fix: Fix) -> None:
    """Outside an open end the param is left out; outside a closed end it is clamped."""
    assert_same_fix(outcome(400, error(message), {**BASE, "top_p": sent}), fix)
    assert outcome(400, error(message), {**BASE, "top_p": 0.5}) is None


def test_a_status_tag_is_no_bound() -> None:
    """'<400> ... Range of max_tokens should be [1, 8192]' clamps to the range, not below 400."""
    body = error("<400> InternalError.Algo.InvalidParameter: Range of max_tokens should be [1, 8192]")
    assert_same_fix(outcome(400, body, {**BASE, "max_tokens": 16384}), Clamp("max_tokens", 1, 8192))


def test_a_role_left_out_of_the_accepted_list_goes_to_user() -> None:
    """messages[1].role 'Input should be user or assistant': the system message folds into the user message."""
    body = "{'errors': [{'loc': ['body', 'messages', 1, 'role'], 'msg': \"Input should be 'user' or 'assistant'\"}]}"
    request = {"model": "m", "messages": [USER, {"role": "system", "content": "Be brief."}]}
    assert_same_fix(outcome(400, body, request), ChangeRole("system", "user"))


@pytest.mark.parametrize(
    "message", ["Only user and assistant roles are supported!", "role must be one of user, assistant, tool"]
)
def test_a_list_of_accepted_roles_refuses_the_others(message: str) -> None:
    """Roles left out of the accepted ones are refused; with no instruction role accepted, to user."""
    request = {"model": "m", "messages": [{"role": "system", "content": "Be brief."}, USER]}
    assert_same_fix(outcome(400, error(message), request), ChangeRole("system", "user"))
    assert outcome(400, error(message), BASE) is None


def test_a_role_check_scoped_to_one_message_refuses_no_role() -> None:
    """Groq's "for 'role:system' ... property 'id' is unsupported" is about a field of that message."""
    message = (
        "'messages.0' : for 'role:system' the following must be satisfied"
        "[('messages.0' : property 'id' is unsupported)]"
    )
    request = {"model": "m", "messages": [{"role": "system", "content": "Be brief.", "id": "1"}, USER]}
    assert read(400, error(message), request).fixes == ()


def test_a_value_refused_beside_other_params_moves_along_its_scale() -> None:
    """'tools cannot be used with reasoning.effort 'minimal'' raises the effort and keeps the tools."""
    body = error("The following tools cannot be used with reasoning.effort 'minimal': file_search.", param="tools")
    request = {**BASE, "reasoning": {"effort": "minimal"}, "tools": [{"type": "file_search"}]}
    assert read(400, body, request).fixes == (SetValue("reasoning.effort", "minimal", "low"),)
    assert read(400, body, {**BASE, "reasoning": {"effort": "low"}, "tools": [{"type": "file_search"}]}).fixes == ()


def test_a_value_called_invalid_is_left_out() -> None:
    """'The thinking budget (52428) is invalid' names a nested param by its own words; the number goes."""
    body = {"error": {"code": 400, "message": "The thinking budget (52428) is invalid.", "status": "INVALID_ARGUMENT"}}
    request = {"contents": [], "generationConfig": {"thinkingConfig": {"thinkingBudget": 52428}}}
    assert_same_fix(outcome(400, body, request), Drop("generationConfig.thinkingConfig.thinkingBudget"))


@pytest.mark.parametrize(
    ("message", "fix"),
    [
        ("max_tokens exceeds the limit of 4096", Clamp("max_tokens", None, 4096)),
        ("`max_tokens` must be at most 8192 tokens per request", Clamp("max_tokens", None, 8192)),
        (
            "max_tokens: 100000 > 64000, which is the maximum allowed number of output tokens",
            Clamp("max_tokens", None, 64000),
        ),
    ],
)
def test_an_output_cap_is_not_the_context_limit(message: str, fix: Fix) -> None:
    """A token limit on max_tokens alone clamps it; one about the input stays final."""
    assert_same_fix(outcome(400, error(message), {**BASE, "max_tokens": 100000}), fix)
    context = error("input length and `max_tokens` exceed context limit: 179413 + 32768 > 200000")
    assert outcome(400, context, {**BASE, "max_tokens": 32768}) is None


def test_a_param_that_does_not_exist_is_dropped() -> None:
    """'The parameter 'seed' does not exist' is a name verdict; 'The model does not exist' stays final."""
    assert_same_fix(outcome(400, error("The parameter 'seed' does not exist"), {**BASE, "seed": 1}), Drop("seed"))
    assert outcome(404, error("The model 'seed' does not exist"), {**BASE, "seed": 1}) is None


@pytest.mark.parametrize(
    ("message", "fix"),
    [
        ("Parameter 'max_tokens' has been renamed to 'max_output_tokens'", Rename("max_tokens", "max_output_tokens")),
        ("'max_tokens' is deprecated, use 'max_output_tokens' instead", Rename("max_tokens", "max_output_tokens")),
        ("Use 'max_output_tokens' instead of 'max_tokens'", Rename("max_tokens", "max_output_tokens")),
    ],
)
def test_rename_wordings_that_are_verdicts_by_themselves(message: str, fix: Fix) -> None:
    """'renamed to', 'deprecated, use' and 'instead of' refuse the old name without another verdict."""
    assert_same_fix(outcome(400, error(message), MAX_TOKENS_REQUEST), fix)


@pytest.mark.parametrize(
    ("body", "fix"),
    [
        ({"errors": {"temperature": ["must be less than or equal to 2"]}}, Clamp("temperature", None, 2)),
        ({"error": {"message": "Validation failed", "fieldErrors": {"seed": "is not supported"}}}, Drop("seed")),
        (
            [{"code": "too_big", "path": ["temperature"], "message": "Number must be less than or equal to 2"}],
            Clamp("temperature", None, 2),
        ),
        (
            {"error_code": 336003, "error_msg": "the temperature parameter must be at most 2"},
            Clamp("temperature", None, 2),
        ),
        ({"base_resp": {"status_code": 2013, "status_msg": "invalid params, seed is not supported"}}, Drop("seed")),
        ({"invalid_params": [{"name": "seed", "reason": "unsupported"}]}, Drop("seed")),
    ],
)
def test_more_envelopes(body: object, fix: Fix) -> None:
    """Field maps, zod paths, error_msg, base_resp and RFC 7807 invalid-params are read."""
    assert_same_fix(outcome(400, body, {**BASE, "temperature": 3, "seed": 1}), fix)


def test_a_body_that_is_one_json_string_is_read_inside() -> None:
    """A body that is a JSON string holding the error JSON reads like the error JSON."""
    inner = json.dumps(error("Unsupported parameter: 'temperature' is not supported with this model."))
    request = {**BASE, "temperature": 0}
    assert_same_fix(outcome(400, inner, request), Drop("temperature"))
    assert_same_fix(outcome(400, json.dumps(inner), request), Drop("temperature"))


def test_typographic_quotes_read_as_plain_ones() -> None:
    """A message with typographic quotes around the role path and the role, as a page prints it."""
    body = error("Unsupported value: \u2018messages[0].role\u2019 does not support \u2018system\u2019 with this model.")
    request = {"model": "m", "messages": [{"role": "system", "content": "Be brief."}, USER]}
    assert_same_fix(outcome(400, body, request), ChangeRole("system", "developer"))


def test_typographic_quotes_in_an_echoed_prompt_are_still_scrubbed() -> None:
    """The scrubber sees the message before quotes are made plain: an echo with curly quotes is removed."""
    note = "my \u201cprivate\u201d note about the merger"
    request = {"model": "m", "messages": [{"role": "user", "content": note}], "seed": 1}
    reading = read(400, error(f"Unsupported parameter: 'seed'. Prompt was: {note}"), request)
    assert "private" not in reading.message
    assert reading.fixes == (Drop("seed"),)


def test_a_word_of_prose_is_no_leaf_of_a_nested_param() -> None:
    """'Expected a string' does not name metadata.a: a bare leaf must look like a param name."""
    body = error("Invalid 'tools[0].function.name': string does not match pattern. Expected a string.")
    assert read(400, body, {**BASE, "metadata": {"a": "b"}}).fixes == ()
    nested = error("`temperature` and `top_p` cannot both be specified for this model.")
    request = {**BASE, "inferenceConfig": {"temperature": 0.2, "topP": 0.9}}
    assert read(400, nested, request).fixes == (
        Drop("inferenceConfig.temperature", when=Condition("inferenceConfig.topP", present=True)),
    )


def test_a_bracket_before_the_record_does_not_hide_it() -> None:
    """'[400]: {...}': the first bracket opens no record; the record after it is read."""
    inner = json.dumps(error("Unsupported parameter: 'seed' is not supported with this model."))
    assert_same_fix(outcome(400, error(f"[400]: {inner}"), {**BASE, "seed": 1}), Drop("seed"))


def test_a_quoted_record_is_not_read_again_as_prose() -> None:
    """A proxy quoting the upstream body reads like the body: its raw text adds no fixes of its own."""
    problem = {
        "type": "extra_forbidden",
        "loc": ["body", "thinking"],
        "msg": "Extra inputs are not permitted",
        "input": {"type": "enabled", "budget_tokens": 1024},
    }
    upstream = {"object": "error", "message": {"detail": [problem]}}
    body = error("litellm.BadRequestError: MistralException - " + json.dumps(upstream))
    request = {**BASE, "thinking": {"type": "enabled", "budget_tokens": 1024}}
    assert read(400, body, request).fixes == (Drop("thinking"),)


def test_an_only_value_names_its_own_param() -> None:
    """'Only temperature=1 is supported' sets temperature, never another param the statement names."""
    body = error("Only temperature=1 is supported. temperature is supported when reasoning_effort='none'.")
    fixes = read(400, body, {**BASE, "temperature": 0.7, "reasoning_effort": "low"}).fixes
    assert SetValue("temperature", 0.7, 1) in fixes
    assert all(getattr(f, "param", "") != "reasoning_effort" or not isinstance(f, SetValue) for f in fixes)


@pytest.mark.parametrize(
    "message",
    [
        "Unsupported parameter: 'seed' isn't supported with this model.",
        "'seed' is currently not supported",
        "This model does not currently support 'seed'.",
    ],
)
def test_contractions_and_adverbs_in_verdicts(message: str) -> None:
    """'isn't', 'is currently not' and 'does not currently' are the same verdicts."""
    assert_same_fix(outcome(400, error(message), {**BASE, "seed": 1}), Drop("seed"))


def test_invalid_names_the_param_in_any_spelling() -> None:
    """'Invalid reasoningEffort: minimal' is reasoning_effort's value."""
    body = error("Invalid reasoningEffort: minimal. Valid values are: high, low, medium, none")
    request = {**BASE, "reasoning_effort": "minimal"}
    assert_same_fix(outcome(400, body, request), SetValue("reasoning_effort", "minimal", "low"))


def test_protected_names_are_never_bare_subjects_in_any_spelling() -> None:
    """A bare 'functionCall' is function_call: protected, never grounded from prose."""
    body = error("Unrecognized request arguments supplied: functionCall, functions")
    request = {**BASE, "function_call": "auto", "functions": [{"name": "f"}]}
    assert read(400, body, request).fixes == ()


# --- grounding: names that reach a sent setting by another way ------------------------------------------------------


def test_a_schema_path_that_ends_in_a_sent_setting_grounds_on_it() -> None:
    """'thinking.enabled.budget_tokens' (the provider's schema) is the sent thinking.budget_tokens."""
    from resilient_client._reading._ground import Vocabulary

    vocabulary = Vocabulary({"thinking": {"type": "enabled", "budget_tokens": 499}})
    found = vocabulary.ground("thinking.enabled.budget_tokens")
    assert found is not None
    assert found.path == "thinking.budget_tokens"
    assert vocabulary.ground("other.type") is None  # a bare word at the end is no name of its own


def test_the_end_of_a_nested_path_in_another_spelling_grounds_on_it() -> None:
    """'Thinking_config.include_thoughts' is generationConfig.thinkingConfig.includeThoughts."""
    from resilient_client._reading._ground import Vocabulary

    vocabulary = Vocabulary({"generationConfig": {"thinkingConfig": {"includeThoughts": True}}})
    found = vocabulary.ground("Thinking_config.include_thoughts", quoted=False)
    assert found is not None
    assert found.path == "generationConfig.thinkingConfig.includeThoughts"


def test_a_name_in_words_grounds_across_abbreviations() -> None:
    """'The maximum tokens you requested' names max_tokens."""
    from resilient_client._reading._ground import Vocabulary

    assert [g.path for g in Vocabulary({"max_tokens": 64000}).ground_phrase("The maximum tokens you requested")] == [
        "max_tokens"
    ]


def test_a_validator_bound_without_a_name_grounds_on_the_value_sent() -> None:
    """'8192 is not less or equal to 8191' clamps the one param sent as 8192; two such params: nothing."""
    body = {"message": "Malformed input request: 8192 is not less or equal to 8191, please reformat your input."}
    assert read(400, body, {"prompt": "p", "max_tokens_to_sample": 8192}).fixes == (
        Clamp("max_tokens_to_sample", None, 8191),
    )
    assert read(400, body, {"prompt": "p", "max_tokens_to_sample": 8192, "top_k": 8192}).fixes == ()


def test_a_drop_of_an_object_makes_drops_of_its_settings_moot() -> None:
    """Refusing thinking's 'disabled' type drops thinking, not thinking.type beside it."""
    body = {
        "error": {
            "code": "InvalidParameter",
            "message": "Unsupported thinking type for the current model: disabled",
            "param": "thinking.type",
        }
    }
    assert read(400, body, {"model": "m", "thinking": {"type": "disabled"}}).fixes == (Drop("thinking"),)


def test_a_string_value_refused_with_no_other_named_is_left_out() -> None:
    """Nothing to choose from: the param goes, so that the server's default applies (as for a number)."""
    body = {
        "message": "Malformed input request: #/truncate: LEFT is not a valid enum value, please reformat your input"
    }
    assert read(400, body, {"texts": ["x"], "truncate": "LEFT"}).fixes == (Drop("truncate"),)


def test_a_value_sent_as_text_goes_in_its_own_type_when_that_is_accepted() -> None:
    """'"true"' where true is accepted is sent as true."""
    body = {"error": 'invalid think value: "true" (must be "high", "medium", "low", "max", true, or false)'}
    assert read(400, body, {"model": "m", "think": "true"}).fixes == (SetValue("think", "true", new=True),)


def test_a_suggested_param_name_is_never_sent_as_a_value() -> None:
    """'Use 'text.verbosity' instead' beside the quoted value sent renames, or does nothing: never a SetValue."""
    body = {
        "error": {
            "message": "Unsupported parameter: 'mode' with value 'fast'. Use 'text.verbosity' instead.",
            "param": "mode",
        }
    }
    fixes = read(400, body, {"model": "m", "mode": "fast"}).fixes
    assert not any(isinstance(f, SetValue) for f in fixes)
    assert fixes == (Rename("mode", "text.verbosity"),)


# --- a named param under a bare constraint -------------------------------------------------------------------------

DASHSCOPE: dict[str, Any] = {
    "model": "qwen-plus",
    "input": {"messages": [USER]},
    "parameters": {"result_format": "text", "enable_thinking": True, "incremental_output": False},
}


@pytest.mark.parametrize(
    ("message", "request_body", "expected"),
    [
        # A list with an empty item: no fix trims a list, it is left out.
        ("stop_sequences: each stop sequence must be non-empty", {**BASE, "stop_sequences": ["", "\n"]},
         (Drop("stop_sequences"),)),
        # The one value it requires.
        ('The result_format parameter must be "message"', DASHSCOPE,
         (SetValue("parameters.result_format", "text", "message"),)),
        # The same, only while the condition holds (a nested condition param).
        ('The result_format parameter must be "message" when enable_thinking is true', DASHSCOPE,
         (SetValue("parameters.result_format", "text", "message",
                   when=Condition("parameters.enable_thinking", present=True)),)),
        # A boolean goes to the other value when the text names it.
        ("This model only supports incremental_output set to True.", DASHSCOPE,
         (SetValue("parameters.incremental_output", old=False, new=True),)),
        # A boolean with no value named is left out.
        ("parameter incremental_output only support stream call",
         {**DASHSCOPE, "parameters": {"incremental_output": True}}, (Drop("parameters.incremental_output"),)),
        # A bare word called a param by the words around it.
        ("The seed parameter must fit in 32 bits", {**BASE, "seed": 2**40}, (Drop("seed"),)),
    ],
)  # fmt: skip
def test_a_named_param_under_a_bare_constraint(
    message: str, request_body: dict[str, Any], expected: tuple[Fix, ...]
) -> None:
    """A param named by its own name, under 'must', 'only', 'cannot'… and no other verdict: set, or left out."""
    assert read(400, {"code": "InvalidParameter", "message": message}, request_body).fixes == expected


@pytest.mark.parametrize(
    ("message", "request_body"),
    [
        # Named only by words of prose: the thinking *mode* is no param name.
        ("The `reasoning_content` in the thinking mode must be passed back to the API.",
         {**BASE, "thinking": {"type": "enabled"}}),
        # A bare English word, not called a param.
        ("Each seed must be planted in spring", {**BASE, "seed": 1}),
        # Accepted alternatives without an order: which one is a guess.
        ("Validation: `thinking.type` must be `enabled` or `disabled`", {**BASE, "thinking": {"type": "adaptive"}}),
        # The conversation, the instructions and protected params are never left out this way.
        ("'messages' must contain the word 'json' in some form, to use 'response_format' of type 'json_object'.",
         {**BASE, "response_format": {"type": "json_object"}}),
        ("system: each block must be non-empty", {**BASE, "system": [{"type": "text", "text": ""}]}),
        ("`tool_choice` must be compatible with the thinking mode", {**BASE, "tool_choice": "required"}),
        # A constraint on a param the request does not send.
        ("max_tokens must be at least 1, got -186.", BASE),
    ],
)  # fmt: skip
def test_a_bare_constraint_leaves_these_alone(message: str, request_body: dict[str, Any]) -> None:
    """Loose names, unordered alternatives, protected params and params not sent: nothing is derived."""
    assert read(400, {"error": {"message": message}}, request_body).fixes == ()


def test_a_value_marked_default_in_a_list_is_the_way_out_when_there_is_no_order() -> None:
    """'standard (default)' is taken for an unordered value; an ordered one still goes to its nearest."""
    body = {"error": {"message": "Invalid value 'fast'. Supported modes are: turbo, standard (default), eco."}}
    assert read(400, body, {**BASE, "speed": "fast"}).fixes == (SetValue("speed", "fast", "standard"),)
    said = "Unexpected reasoning effort high. Supported types are xhigh (default), medium, and low."
    ordered = {"error": {"message": said}}
    request = {**BASE, "output_config": {"effort": "high"}}
    assert read(400, ordered, request).fixes == (SetValue("output_config.effort", "high", "xhigh"),)


@pytest.mark.parametrize(
    ("message", "sent", "expected"),
    [
        ("Only one candidate can be specified", 3, (SetValue("generationConfig.candidateCount", 3, 1),)),
        ("Multiple candidates are not supported", 2, (SetValue("generationConfig.candidateCount", 2, 1),)),
        ("At most 2 candidates are allowed", 4, (SetValue("generationConfig.candidateCount", 4, 2),)),
        # Within the cap already: the statement is not about this count.
        ("Only one candidate can be specified", 1, ()),
    ],
)
def test_a_capped_count_named_as_a_thing(message: str, sent: int, expected: tuple[Fix, ...]) -> None:
    """'Only one candidate can be specified' caps candidateCount, the sent count its word names."""
    request = {"contents": [{"role": "user", "parts": [{"text": "Hi"}]}], "generationConfig": {"candidateCount": sent}}
    assert read(400, {"error": {"code": 400, "message": message}}, request).fixes == expected


def test_a_capped_count_never_touches_a_protected_count() -> None:
    """'Only one completion choice is allowed' for n=3: n is protected, nothing is derived."""
    body = {"error": {"message": "Only one completion choice is allowed"}}
    assert read(400, body, {**BASE, "n": 3}).fixes == ()


# --- round nine ------------------------------------------------------------------------------------------------------

MISTRAL_ENUMS = (
    "reasoning_effort='medium' is not supported for this model. Must be one of "
    "(<ReasoningEffort.none: 'none'>, <ReasoningEffort.high: 'high'>)"
)


@pytest.mark.parametrize(
    ("message", "sent", "new"),
    [
        # The same value in another spelling.
        ("Invalid value: 'g711-ulaw'. Supported values are: 'pcm16', 'g711_ulaw', and 'g711_alaw'.", "g711-ulaw",
         "g711_ulaw"),
        # An image size: the nearest shape, then the nearest area.
        ("Invalid value: '2560x1440'. Supported values are: '1024x1024', '1024x1536', '1536x1024', and 'auto'.",
         "2560x1440", "1536x1024"),
        ("Invalid value: '900x1600'. Supported values are: '1024x1024', '1024x1536', '1536x1024'.", "900x1600",
         "1024x1536"),
        # "max" tops the effort scale: the highest level accepted.
        ('level "max" not supported, valid levels: low, medium, high, xhigh', "max", "xhigh"),
        # Python enum members listed by their reprs.
        (MISTRAL_ENUMS, "medium", "high"),
    ],
)  # fmt: skip
def test_a_refused_text_value_goes_to_the_accepted_one_it_is_nearest(message: str, sent: str, new: str) -> None:
    """Another spelling, an image size, a scale's neighbour: one accepted value is nearest."""
    param = "reasoning_effort" if "effort" in message or "level" in message else "fmt"
    body = {"error": {"message": message, "param": param, "code": "invalid_value"}}
    assert read(400, body, {**BASE, param: sent}).fixes == (SetValue(param, sent, new),)


@pytest.mark.parametrize(
    ("message", "fixes"),
    [
        ("top_p is immutable for this model and must be 0.95, got 1", (SetValue("top_p", 1, 0.95),)),
        ("this model has beta-limitations, temperature, top_p and n are fixed at 1", (SetValue("top_p", 0.5, 1),)),
    ],
)
def test_a_number_the_body_requires_is_read_whole(message: str, fixes: tuple[Fix, ...]) -> None:
    """'must be 0.95, got 1' requires 0.95 (not 0); 'fixed at 1' requires 1."""
    sent = 1 if "0.95" in message else 0.5
    assert read(400, {"error": {"message": message}}, {**BASE, "top_p": sent}).fixes == fixes


def test_an_unnamed_refused_role_is_the_one_instruction_role_sent() -> None:
    """'Unexpected message role.' with one developer message: it goes to system; with tool turns, nothing."""
    body = {"error": {"message": "chat template rejected the request: Unexpected message role."}}
    developer = {**BASE, "messages": [{"role": "developer", "content": "Be brief."}, USER]}
    assert read(400, body, developer).fixes == (ChangeRole("developer", "system"),)
    tool_turn = {"role": "tool", "tool_call_id": "1", "content": "42"}
    assert read(400, body, {**developer, "messages": [*developer["messages"], tool_turn]}).fixes == ()
    assert read(400, body, BASE).fixes == ()


def test_gemini_roles_listed_as_valid_fold_an_instruction_role_into_user() -> None:
    """'Please use a valid role: user, model.' refuses a developer item: it goes into the user input."""
    body = {"error": {"code": 400, "message": "Please use a valid role: user, model.", "status": "INVALID_ARGUMENT"}}
    request = {"model": "gemini-3.1-flash-lite", "input": [{"role": "developer", "content": "Be brief."}, USER]}
    assert read(400, body, request).fixes == (ChangeRole("developer", "user", "input"),)


def test_a_bare_setting_name_grounds_in_a_settings_object_but_not_in_metadata() -> None:
    """'temperature is deprecated' is inferenceConfig.temperature; a metadata key of the same word is never named."""
    body = {"message": "The model returned the following errors: temperature is deprecated for this model."}
    request = {"messages": [USER], "inferenceConfig": {"maxTokens": 100, "temperature": 0}}
    assert read(400, body, request).fixes == (Drop("inferenceConfig.temperature"),)
    assert read(400, body, {"messages": [USER], "metadata": {"temperature": "warm"}}).fixes == ()


def test_a_schema_path_through_a_variant_names_the_setting() -> None:
    """'thinking.adaptive.effort: Extra inputs…' is about thinking.effort, the variant named in between."""
    body = {"type": "error", "error": {"message": "thinking.adaptive.effort: Extra inputs are not permitted"}}
    request = {**BASE, "thinking": {"type": "adaptive", "effort": "high"}}
    assert read(400, body, request).fixes == (Drop("thinking.effort"),)


def test_a_statement_about_the_conversation_names_no_setting() -> None:
    """A validator's 'type: Value is "array" but should be "string"' at /input is about the input, not a 'type'."""
    body = {
        "error": {
            "code": "invalid_payload",
            "message": "Invalid payload",
            "details": [{"message": 'type: Value is "array" but should be "string"', "param": "/input"}],
        }
    }
    request = {"input": [USER], "agent": {"name": "planner", "type": "agent_reference"}}
    assert read(400, body, request).fixes == ()


def test_a_suggested_name_is_no_setting_of_the_subject() -> None:
    """'The 'agent' property is deprecated. Use 'agent_reference' instead.' renames agent, not agent.type."""
    body = {
        "error": {"message": "The 'agent' property is deprecated. Use 'agent_reference' instead.", "param": "agent"}
    }
    request = {"input": "2+2?", "agent": {"name": "my-agent", "type": "agent_reference"}}
    assert read(400, body, request).fixes == (Rename("agent", "agent_reference"),)


def test_bedrock_names_its_pass_through_block_in_words() -> None:
    """'The additional field system conflicts…' is additionalModelRequestFields.system; the root system stays."""
    body = {"message": "The additional field system conflicts with an existing field."}
    request = {
        "messages": [USER],
        "system": [{"text": "Be brief."}],
        "additionalModelRequestFields": {"system": "Be brief."},
    }
    assert read(400, body, request).fixes == (Drop("additionalModelRequestFields.system"),)


def test_an_invalid_flag_names_the_param_that_sends_it() -> None:
    """'invalid beta flag' is about anthropic_beta, the param that asks for betas."""
    body = {"message": "The model returned the following errors: invalid beta flag"}
    request = {"anthropic_version": "bedrock-2023-05-31", "anthropic_beta": ["x-2025"], "messages": [USER]}
    assert read(400, body, request).fixes == (Drop("anthropic_beta"),)


def test_a_refused_discriminator_drops_its_object() -> None:
    """'#/thinking/type: adaptive is not a valid enum value' beside another refusal: thinking goes whole."""
    body = {
        "message": "Malformed input request: #: extraneous key [output_config] is not permitted#/thinking/type: "
        "adaptive is not a valid enum value, please reformat your input and try again."
    }
    request = {**BASE, "max_tokens": 100, "thinking": {"type": "adaptive"}, "output_config": {"effort": "high"}}
    assert set(read(400, body, request).fixes) == {Drop("thinking"), Drop("output_config")}


def test_a_realtime_session_is_never_named_by_the_word() -> None:
    """'… to a realtime session is not allowed' names no param: session is the whole configuration."""
    body = {"error": {"message": "Passing a transcription session update event to a realtime session is not allowed."}}
    assert read(400, body, {"type": "session.update", "session": {"type": "transcription"}}).fixes == ()


def test_a_bracketed_list_ends_where_it_closes() -> None:
    """A jsonschema list of sizes followed by ' - 'size'': the param named after the list is the subject."""
    body = {"error": {"message": "'512x512' is not one of ['1024x1024', '1792x1024', '1024x1792'] - 'size'"}}
    assert read(400, body, {"model": "dall-e-3", "prompt": "x", "size": "512x512"}).fixes == (
        SetValue("size", "512x512", "1024x1024"),
    )


def test_a_servers_own_name_for_a_sent_number() -> None:
    """'matryoshka_dim=512 is not in a valid range. Select between 1 and 128.' clamps dimensions=512."""
    body = {"error": {"message": "matryoshka_dim=512 is not in a valid range. Select between 1 and 128.", "code": 400}}
    request = {"model": "mxbai-embed-large-v1", "input": ["x"], "dimensions": 512}
    assert read(400, body, request).fixes == (Clamp("dimensions", 1, 128),)
    # Two params sent with that number: which one is meant is not known.
    assert read(400, body, {**request, "max_tokens": 512}).fixes == ()


def test_the_conversation_itself_is_never_dropped() -> None:
    """'json: unknown field "messages"' is a wrong endpoint: no fix, not even a blocked one."""
    body = {"error": {"code": "InvalidParameter", "message": 'json: unknown field "messages" Request id: 0217'}}
    assert read(400, body, BASE).fixes == ()
    assert read(400, {"error": {"message": "Unknown parameter: 'prompt'."}}, {"model": "m", "prompt": "x"}).fixes == ()


def test_a_zod_role_list_ends_before_its_path() -> None:
    """'expected one of "user"|"assistant" at "params.messages[0].role"': a developer message goes into user."""
    body = {
        "error": {
            "message": 'Invalid request error. Validation error: Invalid option: expected one of "user"|"assistant" '
            'at "params.messages[0].role" or Invalid input: expected "tool" at "params.messages[0].role"'
        }
    }
    request = {**BASE, "messages": [{"role": "developer", "content": "Be brief."}, USER]}
    assert read(400, body, request).fixes == (ChangeRole("developer", "user"),)


def test_an_aspect_ratio_goes_to_the_accepted_one_of_the_same_shape() -> None:
    """'aspect_ratio must be one of … '21:9'' for 7:3: the same shape."""
    body = {"error": {"message": "* GenerateContentRequest.generation_config.image_config.aspect_ratio: aspect_ratio "
                                 "must be one of '1:1', '16:9', or '21:9'.\n "}}  # fmt: skip
    request = {"contents": [], "generationConfig": {"imageConfig": {"aspectRatio": "7:3"}}}
    assert read(400, body, request).fixes == (SetValue("generationConfig.imageConfig.aspectRatio", "7:3", "21:9"),)


def test_serde_names_the_refused_role_as_an_unknown_variant() -> None:
    """'messages[1].role: unknown variant system, expected user or assistant': system goes into the user message."""
    body = {"error": {"message": "Failed to deserialize the JSON body into the target type: messages[1].role: "
                                 "unknown variant system, expected user or assistant at line 1"}}  # fmt: skip
    request = {**BASE, "messages": [USER, {"role": "system", "content": "Session context"}]}
    assert read(400, body, request).fixes == (ChangeRole("system", "user"),)


def test_several_system_messages_are_this_request_s_to_merge() -> None:
    """'Only one system message can be specified.' with two: merging them is this request's fix, not a rule."""
    body = {"error": {"message": "Only one system message can be specified. (Request ID: ec5ca433)", "code": 400}}
    two = {**BASE, "messages": [{"role": "system", "content": "A"}, {"role": "system", "content": "B"}, USER]}
    assert read(400, body, two).fixes == ()


def test_model_kwargs_the_model_does_not_use_are_left_out() -> None:
    """Hugging Face transformers' 'model_kwargs are not used by the model: ['return_full_text']' drops that setting."""
    body = {"error": "The following `model_kwargs` are not used by the model: ['return_full_text'] (note: typos in the "
                     "generate arguments will also show up in this list)"}  # fmt: skip
    request = {"inputs": "Capital of France?", "parameters": {"max_new_tokens": 100, "return_full_text": False}}
    assert read(400, body, request).fixes == (Drop("parameters.return_full_text"),)


def test_a_list_of_sizes_names_the_one_param_sent_with_a_size() -> None:
    """'Invalid Resolution, Only support 1024x1024, …' names no param: the one sent with a size is meant."""
    body = {"error": {"message": "Invalid Resolution,Only support 1024x1024,1024x1792,1792x1024"}}
    assert read(400, body, {"model": "dall-e-3", "prompt": "a cat", "size": "512x512"}).fixes == (
        SetValue("size", "512x512", "1024x1024"),
    )


def test_sizes_written_with_a_star_are_sizes() -> None:
    """'Allowed sizes for wan-2.1/i2v-480p are 832*480, 480*832': 832x480 is 832*480 in another spelling."""
    body = {"code": 400, "message": "Invalid size: 832x480. Allowed sizes for wan-2.1/i2v-480p are 832*480, 480*832"}
    assert read(400, body, {"prompt": "a boat", "size": "832x480"}).fixes == (SetValue("size", "832x480", "832*480"),)


def test_a_pointer_to_a_union_member_is_about_the_param() -> None:
    """'#/stop/str: …' and '#/stop/list[str]: List should have at least 1 item' are about stop: it is left out."""
    body = {"error": {"code": 400, "message": "Validation error at #/stop/str: Input should be a valid string\n"
                                              "Validation error at #/stop/list[str]: List should have at least 1 item "
                                              "after validation, not 0"}}  # fmt: skip
    assert read(400, body, {**BASE, "stop": []}).fixes == (Drop("stop"),)


def test_a_gateway_s_enum_constant_names_the_value_sent() -> None:
    """'Thinking level is unsupported: THINKING_LEVEL_MINIMAL' for reasoning_effort 'minimal' leaves it out."""
    body = {"error": {"code": 400, "message": "Thinking level is unsupported: THINKING_LEVEL_MINIMAL"}}
    assert read(400, body, {**BASE, "reasoning_effort": "minimal"}).fixes == (Drop("reasoning_effort"),)
    # Two params sent with that word: which one is meant is not known.
    assert read(400, body, {**BASE, "reasoning_effort": "minimal", "verbosity": "minimal"}).fixes == ()


def test_two_settings_not_supported_together_are_a_pair() -> None:
    """'thinking_budget and thinking_level are not supported together': the first goes while the second is sent."""
    body = {"error": {"message": "Unable to submit request because thinking_budget and thinking_level are not "
                                 "supported together.", "code": 400}}  # fmt: skip
    request = {
        "contents": [],
        "generationConfig": {"thinkingConfig": {"thinkingBudget": 1024, "thinkingLevel": "high"}},
    }
    budget, level = "generationConfig.thinkingConfig.thinkingBudget", "generationConfig.thinkingConfig.thinkingLevel"
    assert read(400, body, request).fixes == (Drop(budget, when=Condition(level, present=True)),)


def test_an_upstream_body_kept_as_json_text_in_details_is_read() -> None:
    """A gateway's 'details': '{"error": {…}}' holds the upstream's rejection."""
    upstream = "The request is invalid: Invalid max_tokens value, the valid range of max_tokens is [1, 393216]."
    body = {"error": {"message": "Backend request failed with status 400", "type": "backend_error", "code": 400,
                      "details": json.dumps({"error": {"message": upstream}})}}  # fmt: skip
    assert read(400, body, {**BASE, "max_tokens": 500000}).fixes == (Clamp("max_tokens", 1, 393216),)


def test_a_schema_inside_a_setting_holds_no_settings() -> None:
    """'output_format.schema: Schema type oneOf is not supported' is about the caller's schema: nothing is derived."""
    body = {"type": "error", "error": {"message": "output_format.schema: Schema type oneOf is not supported"}}
    request = {**BASE, "output_format": {"type": "json_schema", "schema": {"oneOf": [{"type": "object"}]}}}
    assert read(400, body, request).fixes == ()


def test_of_a_pair_the_unprotected_param_goes() -> None:
    """Of 'stream' and 'background' not supported together, background goes while stream is sent."""
    body = {"detail": "OGX does not yet support 'stream' and 'background' together."}
    request = {"model": "m", "input": "Write a haiku.", "stream": True, "background": True}
    assert read(400, body, request).fixes == (Drop("background", when=Condition("stream", present=True)),)


def test_an_english_word_the_body_calls_a_param_is_one() -> None:
    """'Unsupported parameter: type' names the param type; 'type' in prose names nothing."""
    request = {"type": "response.create", "model": "gpt-5.5", "input": [USER]}
    assert read(400, {"detail": "Unsupported parameter: type"}, request).fixes == (Drop("type"),)
    assert read(400, {"detail": "This type of request is not supported"}, request).fixes == ()


def test_what_a_statement_requires_is_not_what_it_refuses() -> None:
    """'Agent does not support using background=True and requires store=True': background goes, store and agent stay."""
    body = {"error": {"code": 400, "message": "Agent does not support using background=True and requires store=True"}}
    request = {"agent": "antigravity-preview", "input": "List the files", "background": True, "store": True}
    assert read(400, body, request).fixes == (Drop("background"),)


def test_a_name_refused_beside_the_server_s_own_spelling_of_it_is_renamed() -> None:
    """Jackson's list of known properties, or a hint, spells max_tokens its own way: the value goes there."""
    body = {"status": 400, "error": "Bad Request", "message": 'JSON parse error: Unrecognized field "max_tokens" '
            '(class ai.acme.ChatRequest), not marked as ignorable (3 known properties: "model", "messages", '
            '"maxTokens"])'}  # fmt: skip
    assert read(400, body, {**BASE, "max_tokens": 300}).fixes == (Rename("max_tokens", "maxTokens"),)
    # Read again after the rename, the body refuses the other spelling first: it never renames back.
    assert not any(isinstance(f, Rename) for f in read(400, body, {**BASE, "maxTokens": 300}).fixes)
    # A server that only echoes the param in its own spelling names no other place: it is left out.
    echo = {"code": "Client specified an invalid argument", "error": "Argument not supported on this model: topP"}
    assert read(400, echo, {**BASE, "top_p": 0.5}).fixes == (Drop("top_p"),)
    # Two other spellings say nothing of which one is meant.
    two = {"error": "Unrecognized key 'top_p' (known keys: model, messages, topP, sampling.top_p)"}
    assert read(400, two, {**BASE, "top_p": 0.5}).fixes == (Drop("top_p"),)


def test_an_ordered_value_listed_as_enum_constants_is_answered_as_the_server_spells_it() -> None:
    """'valid values are MINIMAL, LOW, MEDIUM' for 'high': 'MEDIUM', the value listed (a validator may be strict)."""
    body = {"error": {"code": 400, "message": "thinking_level HIGH is not supported for this model; valid values "
                                              "are MINIMAL, LOW, MEDIUM.", "status": "INVALID_ARGUMENT"}}  # fmt: skip
    request = {"contents": [], "generationConfig": {"thinkingConfig": {"thinkingLevel": "high"}}}
    level = "generationConfig.thinkingConfig.thinkingLevel"
    assert read(400, body, request).fixes == (SetValue(level, "high", "MEDIUM"),)
    jackson = {"message": 'JSON parse error: Cannot deserialize value of type `com.acme.ReasoningEffort` from String '
               '"minimal": not one of the values accepted for Enum class: [HIGH, LOW, MEDIUM]'}  # fmt: skip
    fixes = read(400, jackson, {**BASE, "reasoning_effort": "minimal"}).fixes
    assert fixes == (SetValue("reasoning_effort", "minimal", "LOW"),)


def test_an_excluded_end_of_whole_numbers_bounds_a_count_at_the_next_one_inside() -> None:
    """'[1, 65537)' caps maxOutputTokens at 65536; '(0, 1.0]' is a range of fractions: no closed bound below."""
    body = {"error": {"code": 400, "message": "maxOutputTokens=100000 is outside the accepted range [1, 65537)"}}
    request = {"contents": [], "generationConfig": {"maxOutputTokens": 100000}}
    assert read(400, body, request).fixes == (Clamp("generationConfig.maxOutputTokens", 1, 65536),)
    fractions = {"error": {"message": "Invalid top_p value, the valid range of top_p is (0, 1.0]"}}
    assert read(400, fractions, {**BASE, "top_p": 0}).fixes == (Drop("top_p"),)
    # A temperature's range is one of fractions, even for a whole number sent: no cap at 1 from "[0, 2)".
    temperature = {"error": {"message": "temperature must be in [0, 2), got 3"}}
    assert read(400, temperature, {**BASE, "temperature": 3}).fixes == (Drop("temperature"),)


def test_a_java_bean_path_names_the_param_in_its_own_spelling() -> None:
    """'chatRequest.frequencyPenalty: must be greater than or equal to -2.0' is about frequency_penalty."""
    body = {"type": "about:blank", "title": "Bad Request", "status": 400,
            "detail": "chatRequest.frequencyPenalty: must be greater than or equal to -2.0"}  # fmt: skip
    assert read(400, body, {**BASE, "frequency_penalty": -5}).fixes == (Clamp("frequency_penalty", -2, None),)


@pytest.mark.parametrize(
    ("message", "param", "partner", "request_"),
    [
        ("`top_n_tokens` cannot be used together with streaming", "top_n_tokens", "stream", {"stream": True}),
        ("logit_bias is not supported together with structured output (response_format)", "logit_bias",
         "response_format", {"response_format": {"type": "json_object"}}),
        ("gpt-5.1 does not accept reasoning_effort together with function tools. Remove reasoning_effort.",
         "reasoning_effort", "tools", {"tools": [{"type": "function", "function": {"name": "f"}}]}),
    ],
)  # fmt: skip
def test_a_param_refused_beside_a_mode_goes_only_while_the_mode_is_on(
    message: str, param: str, partner: str, request_: dict[str, Any]
) -> None:
    request = {**BASE, **request_, param: {"1": 2} if param == "logit_bias" else 5 if param[0] == "t" else "low"}
    assert read(400, {"error": {"message": message}}, request).fixes == (
        Drop(param, when=Condition(partner, present=True)),
    )


@pytest.mark.parametrize(
    "message",
    [
        "o1-mini does not accept messages with the role 'system'. Put the instructions in the first user message.",
        "Input items with role 'system' are not supported by this deployment. Move that text into a 'user' item.",
    ],
)
def test_a_body_that_asks_for_the_instructions_in_the_user_message_folds_them_there(message: str) -> None:
    request = {**BASE, "messages": [{"role": "system", "content": "Be brief."}, USER]}
    assert read(400, {"error": {"message": message}}, request).fixes == (ChangeRole("system", "user"),)


@pytest.mark.parametrize(
    "message",
    [
        "stream_options may be specified only for streaming requests (stream: true).",
        "stream_options is only meaningful for streamed requests (stream=False received)",
        "Invalid 'stream_options': this field only applies to streamed responses. Set stream to true or leave it out.",
    ],
)
def test_stream_options_without_stream_goes_only_from_calls_that_do_not_stream(message: str) -> None:
    request = {**BASE, "stream_options": {"include_usage": True}}
    assert read(400, {"error": {"message": message}}, request).fixes == (
        Drop("stream_options", when=Condition("stream", present=False)),
    )


@pytest.mark.parametrize(
    "message",
    [
        "'parallel_tool_calls' was provided but 'tools' is empty or missing",
        "Invalid value for 'parallel_tool_calls': it only has meaning alongside 'tools'.",
        "The property 'parallel_tool_calls' applies to tool calling and was sent on a request without any 'tools'.",
    ],
)
def test_parallel_tool_calls_without_tools_goes_only_from_calls_without_tools(message: str) -> None:
    request = {**BASE, "parallel_tool_calls": True}
    assert read(400, {"error": {"message": message}}, request).fixes == (
        Drop("parallel_tool_calls", when=Condition("tools", present=False)),
    )


@pytest.mark.parametrize(
    ("message", "sent", "new"),
    [
        ("service_tier 'flex' is not available here; the only accepted value here is 'default'.", "flex", "default"),
        ("service_tier 'priority' is not supported: this server only accepts service_tier='auto'.", "priority", "auto"),
        ("La valeur « auto » n'est pas valide pour « service_tier » : seule la valeur « default » est acceptée.",
         "auto", "default"),
    ],
)  # fmt: skip
def test_the_one_value_a_body_accepts_is_set(message: str, sent: str, new: str) -> None:
    fixes = read(400, {"error": {"message": message}}, {**BASE, "service_tier": sent}).fixes
    assert fixes == (SetValue("service_tier", sent, new),)


def test_nest_it_as_names_where_the_value_goes() -> None:
    """A body that says "Nest the setting as X" moves it there; "do not nest it as X" says where it may not go."""
    message = "Unknown parameter: 'reasoning_effort'. Nest the setting as reasoning.effort."
    assert read(400, {"error": {"message": message}}, {**BASE, "reasoning_effort": "low"}).fixes == (
        Rename("reasoning_effort", "reasoning.effort"),
    )
    denied = "budget_tokens: Extra inputs are not permitted; do not nest it as thinking.budget_tokens either."
    assert read(400, {"error": {"message": denied}}, {**BASE, "budget_tokens": 500}).fixes == (Drop("budget_tokens"),)


@pytest.mark.parametrize(
    ("message", "role", "new"),
    [
        ("O papel 'developer' não é suportado; use 'system' para as instruções.", "developer", "system"),
        ("gemma-2-27b-it does not accept a system turn; include those instructions in the user message instead",
         "system", "user"),
    ],
)  # fmt: skip
def test_a_refused_role_in_other_words(message: str, role: str, new: Literal["system", "user"]) -> None:
    request = {**BASE, "messages": [{"role": role, "content": "Be brief."}, USER]}
    assert read(400, {"error": {"message": message}}, request).fixes == (ChangeRole(role, new),)


def test_a_fraction_sent_for_a_whole_number_is_sent_whole() -> None:
    """Pydantic's 'got a number with a fractional part' for max_tokens 100.5: 100, for that value only; 3.0 is 3."""
    body = {"error": {"message": "Input should be a valid integer, got a number with a fractional part",
                      "type": "invalid_request_error", "param": "max_tokens", "code": "invalid_value"}}  # fmt: skip
    assert read(400, body, {**BASE, "max_tokens": 100.5}).fixes == (SetValue("max_tokens", 100.5, 100),)
    assert read(400, body, {**BASE, "max_tokens": 100.0}).fixes == (SetValue("max_tokens", 100.0, 100),)


def test_an_rfc_9457_pointer_names_the_param() -> None:
    """RFC 9457's 'errors': [{'pointer': '#/seed', 'detail': 'unexpected property'}] is about seed."""
    body = {"type": "https://example.com/errors/unknown-property", "title": "Unknown property", "status": 400,
            "errors": [{"pointer": "#/seed", "detail": "unexpected property"}]}  # fmt: skip
    assert read(400, body, {**BASE, "seed": 7}).fixes == (Drop("seed"),)


def test_a_list_of_values_a_setting_supports_is_its_allowed_values() -> None:
    """A setting that "supports 'minimal', 'low', 'medium', and 'high'", sent xhigh: its neighbour, high."""
    message = "Invalid value: 'xhigh'. reasoning_effort for gpt-5-mini supports 'minimal', 'low', 'medium', and 'high'."
    fixes = read(400, {"error": {"message": message}}, {**BASE, "reasoning_effort": "xhigh"}).fixes
    assert fixes == (SetValue("reasoning_effort", "xhigh", "high"),)


def test_a_clause_that_says_where_a_name_holds_suggests_it() -> None:
    """After a refused max_output_tokens, "For chat completions use 'max_completion_tokens'" is a rename."""
    message = "Unrecognized parameter 'max_output_tokens'. For chat completions use 'max_completion_tokens'."
    fixes = read(400, {"error": {"message": message}}, {**BASE, "max_output_tokens": 700}).fixes
    assert fixes == (Rename("max_output_tokens", "max_completion_tokens"),)


def test_a_value_to_set_the_refused_one_to() -> None:
    """A body that says of a refused 'high' "set it to 'medium'" sets it."""
    message = "verbosity 'high' is not supported by deployment 'chat5-assist'; set it to 'medium'."
    fixes = read(400, {"error": {"message": message}}, {**BASE, "verbosity": "high"}).fixes
    assert fixes == (SetValue("verbosity", "high", "medium"),)


def test_an_api_to_use_instead_is_no_new_name() -> None:
    """A body that says "Use the Responses API web search tool instead" names no param: the refused one goes."""
    message = "web_search_options is not supported here. Use the Responses API web search tool instead."
    reading = read(400, {"error": {"message": message}}, {**BASE, "web_search_options": {"search_context_size": "low"}})
    assert reading.fixes == (Drop("web_search_options"),)
    # A name to use instead still holds the drop back until it is read.
    unread = "web_search_options is not supported here. Use search-options-v2 instead."
    assert read(400, {"error": {"message": unread}}, {**BASE, "web_search_options": {}}).fixes == ()


def test_a_name_given_after_the_param_s_own_words_is_a_rename() -> None:
    """A body that says "the sampling seed is called random_seed" renames seed; after other words, nothing."""
    said = "Extra inputs are not permitted; the sampling seed is called random_seed"
    assert read(400, {"error": {"message": said}}, {**BASE, "seed": 7}).fixes == (Rename("seed", "random_seed"),)
    other = "'top_k' is not supported. In this API the nucleus sampling threshold is called top_p."
    assert read(400, {"error": {"message": other}}, {**BASE, "top_k": 40}).fixes == (Drop("top_k"),)


@pytest.mark.parametrize(
    ("message", "sent", "new"),
    [
        ("o3 thinks at one of three levels (low, medium, high); 'minimal' is below what it offers.", "minimal", "low"),
        ("verbosity: 'low' is below what this model offers (medium, high)", "low", "medium"),
        ("'xhigh' is not available here; this deployment reasons at low / medium / high.", "xhigh", "high"),
    ],
)
def test_the_levels_of_a_scale_named_in_prose_are_its_allowed_values(message: str, sent: str, new: str) -> None:
    """A refused value on a scale, beside two or more of the scale's other words however listed: its neighbour."""
    param = "verbosity" if message.startswith("verbosity") else "reasoning_effort"
    fixes = read(400, {"error": {"message": message, "param": param}}, {**BASE, param: sent}).fixes
    assert fixes == (SetValue(param, sent, new),)


def test_one_other_word_of_a_scale_is_no_list_of_levels() -> None:
    """'high' alone beside a refused 'minimal' (a condition, a note) lists nothing: the value is left out."""
    message = "reasoning_effort 'minimal' is not supported when verbosity is high."
    fixes = read(
        400, {"error": {"message": message}}, {**BASE, "reasoning_effort": "minimal", "verbosity": "high"}
    ).fixes
    assert SetValue("reasoning_effort", "minimal", "high") not in fixes


def test_a_final_code_beside_a_param_field_naming_a_sent_setting_is_about_that_setting() -> None:
    """An OperationNotSupported code with ``param`` max_tokens is a rename.

    Without the field, or with one naming the conversation, the code stays final.
    """
    message = "The property max_tokens is not available for it; the equivalent property is max_completion_tokens."
    pinned = {"error": {"code": "OperationNotSupported", "message": message, "param": "max_tokens"}}
    reading = read(400, pinned, {**BASE, "max_tokens": 2000})
    assert reading.fixes == (Rename("max_tokens", "max_completion_tokens"),)
    unpinned = {"error": {"code": "OperationNotSupported", "message": message, "param": None}}
    assert read(400, unpinned, {**BASE, "max_tokens": 2000}).final
    content = {"error": {"code": "string_above_max_length", "message": "user too long", "param": "messages"}}
    assert read(400, content, {**BASE, "user": "u"}).final


@pytest.mark.parametrize(
    ("message", "param", "new"),
    [
        (
            "num_ctx must be passed inside the options object (options.num_ctx), not at the top level",
            "num_ctx",
            "options.num_ctx",
        ),
        (
            (
                "'enable_thinking' is a chat template switch and must arrive inside chat_template_kwargs "
                "(chat_template_kwargs.enable_thinking)."
            ),
            "enable_thinking",
            "chat_template_kwargs.enable_thinking",
        ),
    ],
)
def test_a_constraint_on_where_a_name_goes_names_its_place(message: str, param: str, new: str) -> None:
    """A param that "must be passed inside" an object the body names by path moves there."""
    fixes = read(400, {"error": {"message": message}}, {**BASE, param: 8192}).fixes
    assert fixes == (Rename(param, new),)


def test_a_code_appended_to_a_message_does_not_refuse_the_path_it_gives() -> None:
    """A path given after the param, with a code appended to the message: the rename is read.

    The default policy then blocks it, as ``text`` holds the structured-output format.
    """
    message = (
        "The top-level 'verbosity' field is not recognised. It now lives inside the text configuration as "
        "text.verbosity."
    )
    body = {"error": {"message": message, "param": "verbosity", "code": "unknown_parameter"}}
    assert read(400, body, {**BASE, "verbosity": "low"}).fixes == (Rename("verbosity", "text.verbosity"),)
    # Refused in its own sentence, the path is no place to go.
    refused = "'verbosity' is not recognised; text.verbosity is not accepted either."
    assert (
        Rename("verbosity", "text.verbosity")
        not in read(400, {"error": {"message": refused}}, {**BASE, "verbosity": "low"}).fixes
    )


@pytest.mark.parametrize(
    ("message", "sent", "bounds"),
    [
        ("Input validation error: `best_of` must be > 0 and <= 2. Given: 4", 4, (1, 2)),
        (
            "Input validation error: `best_of` must be strictly positive and less than 4095. Given: 8000",
            8000,
            (1, 4094),
        ),
    ],
)
def test_strict_bounds_of_a_whole_number_are_closed_a_step_inside(
    message: str, sent: int, bounds: tuple[int, int]
) -> None:
    """A strict bound beside another is closed a step inside for a count; a strict low end alone leaves 0 out."""
    assert read(400, {"error": message}, {**BASE, "best_of": sent}).fixes == (Clamp("best_of", *bounds),)
    alone = "Input validation error: `top_k` must be strictly positive"
    assert read(400, {"error": alone}, {**BASE, "top_k": 0}).fixes == (Drop("top_k"),)
    # Of fractions, nothing closes: "< 1.0" for top_p 1.0 leaves it out.
    fraction = "Input validation error: `top_p` must be > 0.0 and < 1.0"
    assert read(400, {"error": fraction}, {**BASE, "top_p": 1.0}).fixes == (Drop("top_p"),)


@pytest.mark.parametrize(
    ("message", "param", "new"),
    [
        (
            "gpt-5.1 measures its output limit in max_completion_tokens; the max_tokens you sent is not read.",
            "max_tokens",
            "max_completion_tokens",
        ),
        (
            (
                "Unsupported parameter: 'max_completion_tokens' is a Chat Completions field. In the Responses API the "
                "output limit is called 'max_output_tokens'."
            ),
            "max_completion_tokens",
            "max_output_tokens",
        ),
    ],
)
def test_the_one_kin_a_refusal_names_in_any_words_is_the_new_name(message: str, param: str, new: str) -> None:
    """A refused limit beside one name of the same limit, in whatever words: a rename."""
    assert read(400, {"error": {"message": message}}, {**BASE, param: 500}).fixes == (Rename(param, new),)


def test_a_kin_refused_too_or_glued_to_the_next_word_is_no_new_name() -> None:
    """'max_output_tokens is not read either' is refused too; 'litellm_session_idNo fallback' is an echo."""
    refused = "max_tokens is not supported here, and max_output_tokens is not supported either."
    assert read(400, {"error": {"message": refused}}, {**BASE, "max_tokens": 5}).fixes == (Drop("max_tokens"),)
    glued = "Unrecognized request argument supplied: litellm_session_idNo fallback model group found"
    fixes = read(400, {"error": {"message": glued}}, {**BASE, "litellm_session_id": "t-1"}).fixes
    assert fixes == (Drop("litellm_session_id"),)


def test_a_name_split_into_an_object_path_is_where_it_moves() -> None:
    """A name refused beside its own words split into an object's path moves there."""
    message = "Field `reasoning_effort` is not read on /v1/responses; the effort is written as reasoning.effort there."
    fixes = read(400, {"error": {"message": message}}, {**BASE, "reasoning_effort": "high"}).fixes
    assert fixes == (Rename("reasoning_effort", "reasoning.effort"),)


def test_azure_details_name_their_param_in_target() -> None:
    """Each of Azure's ``details[]`` names the param it is about in ``target``: one fix per detail."""
    body = {
        "error": {
            "code": "BadRequest",
            "message": "2 validation errors occurred. See details.",
            "details": [
                {
                    "code": "UnsupportedParameter",
                    "target": "frequency_penalty",
                    "message": "This parameter is not supported for the model behind the deployment.",
                },
                {
                    "code": "ValueOutOfRange",
                    "target": "top_logprobs",
                    "message": "Value 30 is outside the allowed range 0-20.",
                },
            ],
        }
    }
    fixes = read(400, body, {**BASE, "frequency_penalty": 0.5, "logprobs": True, "top_logprobs": 30}).fixes
    assert set(fixes) == {Drop("frequency_penalty"), Clamp("top_logprobs", 0, 20)}


def test_without_the_param_refused_is_the_remedy_not_a_condition() -> None:
    """'…or send the request without logit_bias' after a refusal of logit_bias leaves it out of every call."""
    message = (
        "logit_bias is not supported by this engine. Serve the model elsewhere or send the request without logit_bias."
    )
    assert read(400, {"error": {"message": message}}, {**BASE, "logit_bias": {"9454": 10}}).fixes == (
        Drop("logit_bias"),
    )
