"""parse_rejection + resolve over every real error body in tests/data/azure_errors.jsonl, and synthetic wordings."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from resilient_client._core import blocked_param, is_valid_fix, parse_rejection, resolve
from resilient_client._models import ChangeRole, Clamp, Drop, Fix, Rename, RepairPolicy, SetValue

CORPUS_PATH = Path(__file__).resolve().parents[1] / "data" / "azure_errors.jsonl"
CORPUS: list[dict[str, Any]] = [
    json.loads(line) for line in CORPUS_PATH.read_text("utf-8").splitlines() if line.strip()
]

USER = {"role": "user", "content": "Hi"}
SYSTEM_FIRST = [{"role": "system", "content": "Be brief."}, USER]
BASE: dict[str, Any] = {"model": "my-deployment", "messages": [USER]}


@dataclass(frozen=True)
class Expect:
    """What one corpus body must resolve to against ``request`` (merged over BASE)."""

    request: dict[str, Any]
    fix: Fix | None
    blocked: str | None = None
    why: str = field(default="", compare=False)


MOVED = "Rename of a protected param: the caller decides (blocked by the default policy)."
FINAL = "Not about a parameter: the error must reach the caller unchanged."

# One line per corpus id. request_excerpt nulls are replaced by plausible values.
TABLE: dict[str, Expect] = {
    "e001": Expect({"max_tokens": 256}, Rename("max_tokens", "max_completion_tokens")),
    "e002": Expect({"max_tokens": 256}, Rename("max_tokens", "max_completion_tokens")),
    "e004": Expect({"max_tokens": 256}, Rename("max_tokens", "max_completion_tokens")),
    # "Only the default (1) value is supported": leaving the param out is the default.
    "e005": Expect({"temperature": 0}, Drop("temperature")),
    "e006": Expect({"temperature": 0}, Drop("temperature")),
    "e007": Expect({"temperature": 0.0}, Drop("temperature")),
    "e009": Expect({"temperature": 0.2}, Drop("temperature")),
    "e010": Expect({"temperature": 0}, Drop("temperature")),
    # system -> developer first; a model that also refuses developer (e032) then gets developer -> user.
    "e011": Expect({"messages": SYSTEM_FIRST}, ChangeRole("system", "developer")),
    "e012": Expect({"messages": SYSTEM_FIRST, "temperature": 0.0}, ChangeRole("system", "developer")),
    "e014": Expect({"messages": SYSTEM_FIRST}, ChangeRole("system", "developer")),
    "e015": Expect({"temperature": 0.1}, Drop("temperature")),
    "e016": Expect({"temperature": 0.7}, Drop("temperature")),
    "e018": Expect({"top_p": 0.9, "temperature": 1}, Drop("top_p")),
    "e019": Expect({"top_p": 0.9}, Drop("top_p")),
    "e020": Expect({"top_p": 0.9}, Drop("top_p")),
    "e021": Expect({"top_p": 0.9}, Drop("top_p")),
    "e022": Expect(
        {"stream": True}, Drop("stream"), "stream", "stream is protected: dropping it is the caller's call."
    ),
    "e023": Expect({"temperature": 0.2}, Drop("temperature")),
    "e026": Expect({"reasoning": {"effort": "minimal"}}, SetValue("reasoning.effort", "minimal", "low")),
    "e027": Expect({"reasoning_effort": "low"}, Drop("reasoning_effort")),
    "e028": Expect({"reasoning_effort": "none"}, Drop("reasoning_effort")),
    "e032": Expect(
        {"messages": [{"role": "developer", "content": "Be brief."}, USER]}, ChangeRole("developer", "user")
    ),
    "e035": Expect({"messages": SYSTEM_FIRST}, ChangeRole("system", "developer")),
    "e036": Expect({"messages": SYSTEM_FIRST}, ChangeRole("system", "developer")),
    "e037": Expect(
        {"messages": [USER, {"role": "function", "name": "f", "content": "42"}]},
        None,
        why="Only system/developer roles are rewritten; converting function messages changes the conversation.",
    ),
    "e038": Expect(
        {"messages": [USER, {"role": "function", "name": "f", "content": "42"}]},
        None,
        why="Same as e037, newer wording.",
    ),
    "e039": Expect({"parallel_tool_calls": False}, Drop("parallel_tool_calls")),
    "e041": Expect(
        {"stream": False, "stream_options": {"include_usage": True}},
        None,
        why="Wording not recognised: a conditional constraint, not an unsupported parameter.",
    ),
    "e043": Expect({"stream": True}, Drop("stream"), "stream"),
    "e044": Expect({"stream": True}, SetValue("stream", old=True, new=False), "stream"),
    "e045": Expect({"stream": True}, SetValue("stream", old=True, new=False), "stream"),
    "e046": Expect({"stream": True, "stream_options": {"include_usage": True}}, Drop("stream_options")),
    "e047": Expect({"max_tokens": 8192}, Clamp("max_tokens", None, 4096)),
    "e049": Expect({"max_tokens": 8192}, Clamp("max_tokens", None, 4096)),
    "e051": Expect({"max_tokens": 8192}, None, why=FINAL + " (context_length_exceeded)"),
    "e052": Expect({"stop": ["\n"]}, Drop("stop")),
    "e053": Expect({"stop": ["END"], "max_tokens": 16384, "temperature": 1, "top_p": 1}, Drop("stop")),
    "e054": Expect({"stop": "END"}, Drop("stop")),
    "e058": Expect({}, None, why=FINAL + " (api-version too old)"),
    "e059": Expect({}, None, why=FINAL + " (api-version too old)"),
    # null is rejected but listed values are not ordered against null: omit the key (new=None).
    "e061": Expect({"reasoning_effort": None}, SetValue("reasoning_effort", None, None)),
    "e063": Expect({"max_tokens": -678}, Clamp("max_tokens", 1, None)),
    "e064": Expect({"max_tokens": 0}, Clamp("max_tokens", 1, None)),
    "e066": Expect({"tools": []}, Drop("tools"), "tools"),
    "e067": Expect({"tools": []}, Drop("tools"), "tools"),
    "e069": Expect({"tools": [{"type": "function", "function": {"name": "f"}}]}, Drop("tools"), "tools"),
    "e070": Expect({}, None, why=FINAL + " (content_filter, although it names param 'prompt')"),
    "e073": Expect({"model": "gpt-3.5-turbo-0301", "temperature": 0}, None, why=FINAL + " (wrong endpoint)"),
    "e075": Expect(
        {"response_format": "json_object", "max_tokens": 6, "temperature": 0.2},
        None,
        why="A value reshape, not a parameter fix.",
    ),
    "e077": Expect({"response_format": {"type": "json_schema"}}, None, why="Downgrading a schema changes the answer."),
    "e078": Expect(
        {"response_format": {"type": "json_schema"}}, Rename("response_format", "text.format"), "response_format", MOVED
    ),
    "e079": Expect({"functions": [{"name": "f", "parameters": {}}]}, Drop("functions"), "functions"),
    "e080": Expect({"logprobs": True}, Drop("logprobs")),
    "e081": Expect({"temperature": 0.7}, Drop("temperature")),
    "e085": Expect({"apiMode": "chat"}, Drop("apiMode")),
    "m006": Expect({}, None, why=FINAL + " (OperationNotSupported)"),
    "m007": Expect({}, None, why=FINAL + " (OperationNotSupported)"),
    "m013": Expect(
        {"input": [{"type": "web_search_call", "action": {"type": "other"}}]},
        None,
        why="Names an item inside input history, not a parameter.",
    ),
    "m015": Expect({"stream": True, "stream_options": {"include_usage": True}}, Drop("stream_options")),
    "m016": Expect({"extra_body": {"thinking": {"type": "enabled"}}}, Drop("extra_body")),
    "m019": Expect(
        {"reasoning": {"effort": "medium", "generate_summary": "detailed"}}, Drop("reasoning.generate_summary")
    ),
    "m022": Expect(
        {"reasoning": {"generate_summary": "detailed"}}, SetValue("reasoning.generate_summary", "detailed", "concise")
    ),
    "m024": Expect({"web_search_options": {}}, Drop("web_search_options")),
    "m025": Expect({"web_search_options": {}}, Drop("web_search_options")),
    "m026": Expect({"web_search": True}, Drop("web_search")),
    "m027": Expect(
        {"input": [{"type": "web_search_call", "action": {"type": "find_in_page", "query": None}}]},
        None,
        why="'input[16].action.query' is an item path, outside the parameter grammar.",
    ),
    "m029": Expect({"prompt_cache_retention": "24h"}, Drop("prompt_cache_retention")),
    "m042": Expect({"tools": [{"type": "function", "function": {"name": "get weather"}}]}, None, why="Tool name."),
    "m043": Expect({"tools": [{"type": "function", "function": {"name": "get_/whoami"}}]}, None, why="Tool name."),
    "m044": Expect(
        {"tools": [{"type": "function", "function": {"name": "f", "description": "x" * 2780}}]},
        None,
        why="A string inside tools, not a parameter.",
    ),
    "m046": Expect({"model": "o3-mini"}, None, why=FINAL + " (Assistants API)"),
    "m048": Expect({"modalities": ["text"]}, None, why="Needs a param added, not changed."),
    "m050": Expect(
        {"response_format": {"type": "json_schema", "json_schema": {"name": "default"}}}, None, why="Schema error."
    ),
    "m051": Expect(
        {"text": {"format": {"name": "codex_output_schema", "schema": {}}}}, None, why=FINAL + " (invalid_json_schema)"
    ),
    "m057": Expect(
        {"messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "https://x"}}]}]},
        None,
        why="Content part, not a parameter.",
    ),
    "m058": Expect({"messages": [USER]}, Rename("messages", "input"), "messages", MOVED),
    "m065": Expect({}, None, why="A header, not a body param."),
    "m068": Expect(
        {"messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "data:"}}]}]},
        None,
        why=FINAL + " (sanitizer_server_error)",
    ),
    "m072": Expect({"max_output_tokens": 1024}, Drop("max_output_tokens")),
}


def outcome(status: int, body: object, request: dict[str, Any]) -> Fix | None:
    """What the core derives from one error response for ``request``."""
    rejection = parse_rejection(status, body)
    return resolve(rejection, request) if rejection is not None else None


def status_of(entry: dict[str, Any]) -> int:
    """The corpus status; 400 where the source did not show one (m046, m065)."""
    status = entry["status"]
    return status if isinstance(status, int) else 400


def assert_same_fix(actual: Fix | None, expected: Fix | None) -> None:
    """Equal, and equal in repr too, so True and 1 (equal in Python) are told apart."""
    assert actual == expected
    assert repr(actual) == repr(expected)


def test_every_corpus_id_has_an_expectation() -> None:
    """Every line of azure_errors.jsonl has an entry in TABLE, and TABLE names no id the corpus lacks."""
    ids = [entry["id"] for entry in CORPUS]
    assert len(ids) == len(set(ids))
    assert sorted(set(ids) - set(TABLE)) == []
    assert sorted(set(TABLE) - set(ids)) == []


@pytest.mark.parametrize("entry", CORPUS, ids=[entry["id"] for entry in CORPUS])
def test_corpus_body_resolves_as_expected(entry: dict[str, Any]) -> None:
    """Each real error body resolves to its TABLE fix (or None); the default policy blocks exactly the listed param."""
    expect = TABLE[entry["id"]]
    request = {**BASE, **expect.request}
    fix = outcome(status_of(entry), entry["body"], request)
    assert_same_fix(fix, expect.fix)
    if fix is not None:
        assert is_valid_fix(fix)
        assert blocked_param(fix, RepairPolicy()) == expect.blocked
    else:
        assert expect.blocked is None


@pytest.mark.parametrize("entry", CORPUS, ids=[entry["id"] for entry in CORPUS])
def test_corpus_body_as_text_and_bytes_gives_the_same_fix(entry: dict[str, Any]) -> None:
    """The raw JSON text and its UTF-8 bytes resolve exactly like the decoded body."""
    expect = TABLE[entry["id"]]
    request = {**BASE, **expect.request}
    text = json.dumps(entry["body"])
    assert_same_fix(outcome(status_of(entry), text, request), expect.fix)
    assert_same_fix(outcome(status_of(entry), text.encode(), request), expect.fix)


@pytest.mark.parametrize("entry", [e for e in CORPUS if e["category"] == "not_repairable"], ids=lambda e: e["id"])
def test_not_repairable_corpus_bodies_are_not_even_rejections(entry: dict[str, Any]) -> None:
    """Bodies the corpus tags not_repairable do not parse into a Rejection at all."""
    assert parse_rejection(status_of(entry), entry["body"]) is None


def test_original_request_is_not_changed_by_resolve() -> None:
    """Resolving a rejection does not mutate the request it was given."""
    request = {**BASE, "reasoning": {"effort": "minimal"}}
    snapshot = json.loads(json.dumps(request))
    entry = next(e for e in CORPUS if e["id"] == "e026")
    outcome(400, entry["body"], request)
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
    assert parse_rejection(404, body) is None
    assert parse_rejection(404, json.dumps(body)) is None


def test_final_code_wins_over_a_parameter_wording() -> None:
    """A content_filter code makes the body final even when its message reads like a parameter rejection."""
    body = {"error": {"message": RENAME_MESSAGE, "param": "max_tokens", "code": "content_filter"}}
    assert parse_rejection(400, body) is None


def test_both_token_params_at_once_drops_max_tokens() -> None:
    """'Setting max_tokens and max_completion_tokens at the same time' drops max_tokens."""
    body = {"error": {"message": "Setting 'max_tokens' and 'max_completion_tokens' at the same time is not supported."}}
    request = {**BASE, "max_tokens": 100, "max_completion_tokens": 200}
    assert_same_fix(outcome(400, body, request), Drop("max_tokens"))


def test_unrecognized_max_completion_tokens_renames_back_to_max_tokens() -> None:
    """An old api-version that does not know max_completion_tokens gets max_tokens instead."""
    body = {"error": {"message": "Unrecognized request argument supplied: max_completion_tokens"}}
    request = {**BASE, "max_completion_tokens": 100}
    assert_same_fix(outcome(400, body, request), Rename("max_completion_tokens", "max_tokens"))


@pytest.mark.parametrize("status", [401, 402, 408, 409, 429, 500, 502, 503, 200, 0, -1])
def test_statuses_that_are_never_about_params(status: int) -> None:
    """Auth, rate-limit, server and success statuses never yield a rejection, whatever the body says."""
    assert parse_rejection(status, RENAME_BODY) is None


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
    assert parse_rejection(400, body) is None


def test_html_error_page_is_not_a_rejection() -> None:
    """An HTML page from a gateway is not a parameter rejection."""
    page = (
        "<html><head><title>400 Bad Request</title></head><body><center><h1>400 Bad Request</h1></center></body></html>"
    )
    assert parse_rejection(400, page) is None
    assert parse_rejection(400, page.encode()) is None


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


def test_rejection_fields() -> None:
    """A parsed rejection keeps the status and code and a message truncated for evidence."""
    message = (
        "Unsupported value: 'temperature' does not support 0 with this model. Only the default (1) value is supported."
    )
    body = {"error": {"message": message + " x" * 300, "code": "unsupported_value"}}
    rejection = parse_rejection(400, body)
    assert rejection is not None
    assert (rejection.kind, rejection.param, rejection.default_only) == ("value", "temperature", True)
    assert (rejection.status, rejection.code) == (400, "unsupported_value")
    assert len(rejection.message) <= 240
    assert rejection.message.startswith(message)


def test_rename_wording_with_trailing_text_is_not_read() -> None:
    """Unknown text after the 'not supported' wording makes the rejection unreadable rather than a drop."""
    assert parse_rejection(400, {"error": {"message": RENAME_MESSAGE + " x" * 300}}) is None


def test_redacted_param_is_found_by_its_value() -> None:
    """A redacted param ('***.effort') is found as the one body path ending in 'effort' that holds the value."""
    entry = next(e for e in CORPUS if e["id"] == "e026")
    request = {**BASE, "reasoning": {"effort": "minimal"}, "metadata": {"tier": "minimal"}}
    assert_same_fix(outcome(400, entry["body"], request), SetValue("reasoning.effort", "minimal", "low"))


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
    entry = next(e for e in CORPUS if e["id"] == "e011")
    assert outcome(400, entry["body"], BASE) is None


@pytest.mark.parametrize("entry", [e for e in CORPUS if TABLE[e["id"]].fix is not None], ids=lambda e: e["id"])
def test_fix_for_a_param_the_request_lacks_is_none(entry: dict[str, Any]) -> None:
    """The same body resolves to None against a request that does not carry the rejected param."""
    if entry["id"] == "m058":
        request: dict[str, Any] = {"model": "my-deployment", "input": "Hi"}
    else:
        request = {"model": "my-deployment", "messages": [USER]}
    assert outcome(status_of(entry), entry["body"], request) is None


@pytest.mark.parametrize("depth", [2_000, 4_000])
def test_deeply_nested_json_message_does_not_raise(depth: int) -> None:
    """A message that starts like JSON but nests deeper than the recursion limit yields None instead of raising."""
    message = '{"detail": ' + "[" * depth
    assert parse_rejection(400, {"error": {"message": message}}) is None
    assert parse_rejection(400, json.dumps({"error": {"message": message}})) is None


def test_deeply_nested_json_body_does_not_raise() -> None:
    """A body nested far deeper than the recursion limit yields None instead of raising."""
    assert parse_rejection(400, "[" * 100_000) is None
    assert parse_rejection(400, '{"error": ' * 50_000) is None


def test_huge_body_is_handled() -> None:
    """A 1 MB body is read (the message is truncated) without error."""
    text = "Unknown parameter: 'seed'." + " " * 1_000_000
    assert_same_fix(outcome(400, text, {**BASE, "seed": 1}), Drop("seed"))
    assert parse_rejection(400, "x" * 1_000_000) is None
