"""The reader on synthetic wordings, envelopes and garbage (the real bodies are in test_corpus.py)."""

from __future__ import annotations

import json
from typing import Any

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


@pytest.mark.parametrize("status", [401, 402, 408, 409, 429, 500, 502, 503, 200, 0, -1])
def test_statuses_that_are_never_about_params(status: int) -> None:
    """Auth, rate-limit, server and success statuses never yield a rejection, whatever the body says."""
    assert nothing(status, RENAME_BODY)


@pytest.mark.parametrize("status", [400, 403, 404, 422])
def test_repairable_statuses(status: int) -> None:
    """400, 403, 404 and 422 bodies are read."""
    assert_same_fix(outcome(status, RENAME_BODY, MAX_TOKENS_REQUEST), Rename("max_tokens", "max_completion_tokens"))


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
    double = {**single, "metadata": {"tier": "minimal"}}
    assert outcome(400, body, double) is None


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
