"""The error-body reader against hostile, misleading and garbage bodies.

Red-team tests for resilient_client._reading: what it must never act on (protected params,
bodies about something else, lists of accepted params, text echoed from the prompt), that it
never raises or stalls on garbage, and that its fixes are a fixed point (reading the same body
against the fixed request asks for nothing that undoes or escalates them).
"""

from __future__ import annotations

import json
import warnings
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks.reader_stress import STRESS_REQUEST, stress_bodies
from resilient_client._attempts import Blocked, Call, GiveUp, Learn, Revoke, Step
from resilient_client._core import apply, changes, undone
from resilient_client._models import (
    DEFAULT_PROTECTED,
    ChangeRole,
    Clamp,
    Condition,
    DeploymentKey,
    DeploymentMapping,
    Drop,
    Fix,
    Rename,
    RepairPolicy,
    SetValue,
)
from resilient_client._reading import Reading, read
from tests.corpus import DESIGN
from tests.corpus import read as corpus_rows
from tests.strategies import (
    PROTECTED_SAMPLE,
    Body,
    error_bodies,
    request_bodies,
    resolve_cases,
    statuses,
)

KEY = DeploymentKey("hostile.openai.azure.com", "dep", "2025-04-01-preview", "chat/completions")
USER = {"role": "user", "content": "hello there"}
BASE: Body = {"model": "dep", "messages": [USER]}
WIDE: Body = {**BASE, "max_tokens": 100, "temperature": 0.5, "top_p": 1, "seed": 3}
PROPERTIES = settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))


def error(message: str, param: str | None = None, code: str | None = None) -> dict[str, Any]:
    """An OpenAI/Azure error envelope around ``message``."""
    return {"error": {"message": message, "type": "invalid_request_error", "param": param, "code": code}}


def decide(status: int, body: object, request: Body, mapping: DeploymentMapping | None = None) -> Step:
    """What the decision loop does with one rejection of ``request``, under the default policy."""
    call = Call(KEY, request, mapping, policy=RepairPolicy(), max_repairs=3, learn=True)
    return call.decide(status, body, 0.0)


def learned(step: Step) -> tuple[Fix, ...]:
    """The fixes a step would store (none unless it is a Learn)."""
    return tuple(rule.fix for rule in step.rules) if isinstance(step, Learn) else ()


def touched(fix: Fix) -> tuple[str, ...]:
    """The request params a fix removes, renames or rewrites."""
    return (fix.param, fix.new) if isinstance(fix, Rename) else (fix.param,)


def protected(fix: Fix) -> bool:
    """Whether a (non-role) fix touches a param the default policy protects (model included)."""
    return not isinstance(fix, ChangeRole) and any(
        p.split(".", 1)[0] in DEFAULT_PROTECTED | {"model"} for p in touched(fix)
    )


def params_of(fixes: tuple[Fix, ...]) -> set[str]:
    """Every param name the fixes touch."""
    return {p for fix in fixes for p in touched(fix)}


# --- 1. protected params: read() may name them, the loop must block them -------------------------------------------

FULL: Body = {
    **WIDE,
    "stream": True,
    "tools": [{"type": "function", "function": {"name": "f"}}],
    "tool_choice": "auto",
    "response_format": {"type": "json_object"},
    "n": 2,
}


@pytest.mark.parametrize("name", ["stream", "tools", "tool_choice", "response_format", "n", "messages", "model"])
def test_refusal_of_a_protected_param_is_never_learned(name: str) -> None:
    """A body refusing a protected param never makes the loop learn a fix touching it."""
    body = error(f"Unsupported parameter: '{name}' is not supported with this model.", name, "unsupported_parameter")
    step = decide(400, body, FULL)
    assert not isinstance(step, Learn)
    assert learned(step) == ()


@pytest.mark.parametrize(
    "target", ["messages", "input", "stream", "tools", "tool_choice", "response_format", "n", "model"]
)
def test_hostile_rename_into_a_protected_name_is_blocked(target: str) -> None:
    """A hostile "Use 'messages' instead" (and the like) is at most a Blocked step, never a Learn."""
    body = error(f"Unsupported parameter: 'max_tokens' is not supported. Use '{target}' instead.", "max_tokens")
    step = decide(400, body, WIDE)
    assert isinstance(step, Blocked | GiveUp)
    assert learned(step) == ()


@pytest.mark.parametrize(
    "target", ["'__class__'", "'__proto__'", "'Max Tokens'", "'max-tokens'", "'max_tokens.x'", "'a.b.c.d.e'", "'1abc'"]
)
def test_hostile_rename_into_a_malformed_name_gives_no_fix(target: str) -> None:
    """A rename into a name that is not a param name gives no fix at all (neither a rename nor a drop)."""
    body = error(f"Unsupported parameter: 'max_tokens' is not supported. Use {target} instead.", "max_tokens")
    assert read(400, body, WIDE).fixes == ()


@pytest.mark.parametrize("target", ["'x'y'", "'max_completion_tokens\n'", "max tokens", "<script>", "$max", "''"])
def test_an_unreadable_rename_suggestion_gives_no_drop(target: str) -> None:
    """A rename suggestion the reader cannot read is not acted on: no fix, in particular no drop."""
    body = error(f"Unsupported parameter: 'max_tokens' is not supported. Use {target} instead.", "max_tokens")
    assert read(400, body, WIDE).fixes == ()


def test_model_is_never_a_subject() -> None:
    """'model' named as the refused param gives no fix: the SDK routes by it."""
    body = error("Unsupported parameter: 'model' is not supported with this model.", "model", "unsupported_parameter")
    assert read(400, body, WIDE).fixes == ()


def test_a_param_the_request_does_not_carry_gets_no_fix() -> None:
    """A body refusing a param the request does not send gives no fix."""
    body = error("Unsupported parameter: 'frequency_penalty' is not supported.", "frequency_penalty")
    assert read(400, body, WIDE).fixes == ()


HOSTILE_TEMPLATES = (
    "Unsupported parameter: '{p}' is not supported with this model.",
    "Unsupported parameter: 'max_tokens' is not supported. Use '{p}' instead.",
    "Unsupported parameter: '{p}'. In the Responses API, this parameter has moved to '{p}.x'.",
    "Setting '{p}' and 'max_tokens' at the same time is not supported.",
    "'{p}' is only allowed when 'temperature' is specified.",
    "Unsupported value: '{p}' does not support {v}. Supported values are: 'a', 'b'.",
    "Unrecognized request argument supplied: {p}",
    "{p} is not supported in this model.",
    '{{"detail":[{{"type":"extra_forbidden","loc":["body","{p}"],"msg":"Extra inputs are not permitted"}}]}}',
)


@st.composite
def protected_cases(draw: st.DrawFn) -> tuple[int, object, Body]:
    """A rejection aimed at a protected param the request carries (or a hostile rename into one)."""
    request = draw(request_bodies())
    name = draw(st.sampled_from((*PROTECTED_SAMPLE, "messages", "input", "model", "prompt", "instructions")))
    request[name] = draw(st.sampled_from((True, 2, "auto", [{"type": "function"}], {"type": "json_object"})))
    request.setdefault("max_tokens", 100)
    message = draw(st.sampled_from(HOSTILE_TEMPLATES)).format(p=name, v=json.dumps(request[name]))
    param = draw(st.sampled_from((name, None, f"body.{name}")))
    return draw(st.sampled_from((400, 404, 422))), error(message, param), request


@PROPERTIES
@given(st.one_of(protected_cases(), resolve_cases()))
def test_the_loop_never_learns_a_protected_fix(case: tuple[int, object, Body]) -> None:
    """Under the default policy Call.decide never learns a fix touching a protected param (roles aside)."""
    status, body, request = case
    step = decide(status, body, request)
    assert all(not protected(fix) for fix in learned(step))


@PROPERTIES
@given(st.one_of(protected_cases(), resolve_cases()))
def test_every_fix_is_about_a_param_the_request_carries(case: tuple[int, object, Body]) -> None:
    """Every fix read() returns changes the request it was read against, at a path the request sends."""
    status, body, request = case
    for fix in read(status, body, request).fixes:
        assert changes(fix, request)
        if not isinstance(fix, ChangeRole):
            node: Any = request
            for part in fix.param.split("."):
                assert isinstance(node, dict)
                assert part in node
                node = node[part]


# --- 1b. bodies about something else -------------------------------------------------------------------------------

ELSEWHERE: list[tuple[int, object]] = [
    (
        400,
        error(
            "This model's maximum context length is 8192 tokens. However, you requested 9000 tokens "
            "(1000 in the messages, 8000 in the completion). Please reduce the length of the messages or completion.",
            "messages",
            "context_length_exceeded",
        ),
    ),
    (400, error("max_tokens is too large: 100. This model's maximum context length is 4096 tokens.", "max_tokens")),
    (
        400,
        error(
            "The response was filtered due to the prompt triggering Azure OpenAI's content management policy.",
            "prompt",
            "content_filter",
        ),
    ),
    (400, error("Invalid prompt: your prompt was flagged as potentially violating our usage policy.", "temperature")),
    (429, error("You exceeded your current quota; 'temperature' is not supported.", "temperature")),
    (401, error("Incorrect API key provided; 'max_tokens' is not supported.", "max_tokens", "invalid_api_key")),
    (404, error("The model `gpt-9` does not exist or you do not have access to it.", "model", "model_not_found")),
    (404, {"error": {"code": "DeploymentNotFound", "message": "The API deployment for this resource does not exist."}}),
    (400, error("Rate limit reached for requests; temperature is not supported.", "temperature")),
    (403, error("Your organization must be verified to use temperature with this model.", "temperature")),
    (400, error("Your credit balance is too low; max_tokens is not allowed.", "max_tokens")),
    (502, error("Unsupported parameter: 'temperature' is not supported with this model.", "temperature")),
    (503, error("Unsupported parameter: 'temperature' is not supported with this model.", "temperature")),
    # A proxy's 500 about its own call upstream: the caller's request is not what was refused.
    (500, error("litellm.BadRequestError: Unsupported parameter: 'temperature' is not supported.", "temperature")),
    (500, error("Error code: 400 - Unsupported parameter: 'temperature' is not supported.", "temperature")),
]


@pytest.mark.parametrize(("status", "body"), ELSEWHERE)
def test_bodies_about_something_else_give_no_fix(status: int, body: object) -> None:
    """Context length, content filter, quota, auth, not-found, 502/503 and upstream-wrapped 500 bodies give no fix."""
    reading = read(status, body, WIDE)
    assert reading.fixes == ()
    assert learned(decide(status, body, WIDE)) == ()


def test_region_refusal_does_not_drop_the_user_param() -> None:
    """Gemini's "User location is not supported for the API use." (a region block) gives no fix for `user`."""
    body = [
        {
            "error": {
                "code": 400,
                "message": "User location is not supported for the API use.",
                "status": "FAILED_PRECONDITION",
            }
        }
    ]
    request = {**BASE, "user": "alice"}
    assert read(400, body, request).fixes == ()


@pytest.mark.parametrize(
    "message",
    [
        "Invalid request: prompt tokens (8000) + max_tokens (1000) exceed the model limit of 8192.",
        "Invalid request: the number of prompt tokens plus max_tokens cannot exceed 8192.",
        "Invalid prompt: your prompt is too long for max_tokens=1000.",
    ],
    ids=["sum-exceeds-limit", "cannot-exceed", "too-long-for"],
)
def test_prompt_too_long_does_not_drop_max_tokens(message: str) -> None:
    """A body saying the prompt and max_tokens together overflow the window does not drop max_tokens."""
    request = {**BASE, "max_tokens": 1000}
    assert read(400, error(message), request).fixes == ()


def test_moderation_wording_does_not_drop_a_param_whose_value_it_happens_to_contain() -> None:
    """A moderation body ("... none of the output passed moderation.") does not drop reasoning_effort='none'."""
    body = error("Invalid request: content was rejected, none of the output passed moderation.")
    assert read(400, body, {**BASE, "reasoning_effort": "none"}).fixes == ()


@pytest.mark.parametrize(
    "message",
    [
        "System message content is not allowed to exceed 1000 characters.",
        "Invalid value for system prompt: content must not be empty.",
        "Invalid 'messages[0].content': system message content is not allowed to be empty.",
    ],
    ids=["too-long", "empty-prompt", "empty-content"],
)
def test_a_body_about_system_message_content_changes_no_role(message: str) -> None:
    """A body about the content of a system message (length, emptiness) learns no role change."""
    request = {**BASE, "messages": [{"role": "system", "content": ""}, USER]}
    assert learned(decide(400, error(message), request)) == ()


def test_a_value_refusal_about_a_protected_param_is_not_pinned_on_another() -> None:
    """A redacted value refusal whose value only a protected param and one other share fixes neither."""
    body = error(
        "Unsupported value: 'low' is not supported with the 'gpt-5-codex' model. Supported values are: 'medium'."
    )
    request = {"model": "gpt-5-codex", "input": "hi", "reasoning": {"effort": "low"}, "text": {"verbosity": "low"}}
    assert read(400, body, request).fixes == ()


def test_a_tool_choice_refusal_does_not_change_service_tier() -> None:
    """A refusal of tool_choice='auto' does not rewrite service_tier='auto'."""
    body = error(
        "Invalid value: 'auto' is not supported for tool_choice with this model. "
        "Supported values are: 'none' and 'default'."
    )
    request = {**BASE, "tools": [{"type": "function"}], "tool_choice": "auto", "service_tier": "auto"}
    assert read(400, body, request).fixes == ()


# --- 1c. lists of accepted params, guesses -------------------------------------------------------------------------

LISTED: Body = {**BASE, "foo": 1, "max_tokens": 100, "temperature": 0.5}


@pytest.mark.parametrize(
    "message",
    [
        "Unknown parameter: 'foo'. Supported parameters are: 'max_tokens', 'temperature'.",
        "unknown field `foo`, expected one of `max_tokens`, `temperature`",
        "Unknown parameter: 'foo'. Did you mean 'temperature'?",
        "Unknown parameter: 'foo'. Accepted parameters: max_tokens, temperature.",
        "Unknown parameter 'foo': must be one of max_tokens, temperature",
    ],
    ids=["supported-parameters-are", "expected-one-of", "did-you-mean", "accepted-parameters", "must-be-one-of"],
)
def test_accepted_params_in_recognised_lists_are_left_alone(message: str) -> None:
    """Params named in "supported parameters are"/"expected one of"/"did you mean" get no fix."""
    assert params_of(read(400, error(message), LISTED).fixes) <= {"foo"}


@pytest.mark.parametrize(
    "message",
    [
        "Unknown parameter: 'foo'. The following parameters are supported: max_tokens, temperature.",
        "Unknown parameter: 'foo'. Only max_tokens and temperature are supported.",
        "Unknown parameter: 'foo'. This model only accepts max_tokens and temperature.",
        "Unknown parameter: 'foo'. Allowed keys are max_tokens, temperature.",
        "Unknown parameter: 'foo'. Valid arguments are: max_tokens, temperature.",
        "Unknown parameter: 'foo'. Known fields: max_tokens, temperature.",
        "Unknown parameter: 'foo'. Parameters supported by this model: max_tokens, temperature.",
        "Unknown parameter: 'foo'. Use one of: max_tokens, temperature.",
    ],
    ids=[
        "following-are-supported",
        "only-x-and-y",
        "only-accepts",
        "allowed-keys",
        "valid-arguments",
        "known-fields",
        "supported-by-this-model",
        "use-one-of",
    ],
)
def test_accepted_params_in_other_list_wordings_are_left_alone(message: str) -> None:
    """Params a body lists as accepted, in wordings other than the recognised ones, get no fix."""
    assert params_of(read(400, error(message), LISTED).fixes) <= {"foo"}


@pytest.mark.parametrize(
    "message",
    [
        "Unknown parameter: 'foo'. Supported parameters are: 'max_tokens'.",
        "Unsupported parameter: 'foo' is not supported with this model. Supported fields are: 'temperature'.",
        "Unknown parameter: 'foo'; supported parameters are: max_tokens; temperature.",
        "Unknown parameter: 'foo'; supported parameters are:\nmax_tokens\ntemperature",
    ],
    ids=["one-name", "supported-fields", "semicolons", "newlines"],
)
def test_a_list_of_param_names_is_never_a_value(message: str) -> None:
    """No fix sets a param to a param name the body lists as accepted."""
    fixes = read(400, error(message), LISTED).fixes
    assert not any(isinstance(f, SetValue) and f.new in ("max_tokens", "temperature") for f in fixes)


def test_a_second_did_you_mean_names_no_subject() -> None:
    """A param offered as a guess in the second of two "did you mean" clauses gets no fix."""
    message = (
        "Unrecognized request argument supplied: foo (did you mean 'max_tokens'?); "
        "unrecognized request argument supplied: bar (did you mean 'temperature'?)"
    )
    assert params_of(read(400, error(message), LISTED).fixes) <= {"foo"}


def test_a_dotted_did_you_mean_guess_names_no_subject() -> None:
    """A dotted guess ("Did you mean 'reasoning.effort'?") drops reasoning_effort only, never reasoning.effort."""
    body = error("Unknown parameter: 'reasoning_effort'. Did you mean 'reasoning.effort'?", code="unknown_parameter")
    request = {**BASE, "reasoning_effort": "low", "reasoning": {"effort": "low"}}
    assert read(400, body, request).fixes == (Drop("reasoning_effort"),)


def test_a_role_is_never_moved_into_a_role_the_same_body_refuses() -> None:
    """A body refusing both system and developer messages moves no message into either role."""
    request = {**BASE, "messages": [{"role": "developer", "content": "D"}, USER]}
    fixes = read(400, error("System and developer messages are not supported with this model."), request).fixes
    assert not any(isinstance(f, ChangeRole) and f.new in ("system", "developer") for f in fixes)


# --- 1d. text from the prompt --------------------------------------------------------------------------------------


def test_an_exact_echo_of_the_prompt_is_scrubbed_from_the_message() -> None:
    """A prompt echoed verbatim is replaced in Reading.message."""
    private = "my password is hunter2"
    request = {**BASE, "messages": [{"role": "user", "content": private}]}
    reading = read(400, error(f"Invalid 'messages[0].content': '{private}' is not allowed."), request)
    assert "hunter2" not in reading.message


PRIVATE = "My SSN is 078-05-1120 and my password is hunter2"


@pytest.mark.parametrize(
    ("content", "echo"),
    [
        # The message is cut to 4096 characters before the prompt is looked for in it.
        (PRIVATE + ". " + "x" * 5000, "Invalid 'messages[0].content': '" + PRIVATE + ". " + "x" * 5000 + "'"),
        # pydantic v2 cuts a long input_value in its middle (vLLM, FastAPI servers).
        (
            PRIVATE,
            (
                "1 validation error for ChatCompletionRequest\nmessages.0.content\n  Input should be a valid list "
                f"[type=list_type, input_value='{PRIVATE[:20]}...{PRIVATE[-20:]}', input_type=str]"
            ),
        ),
        # A repr or JSON echo escapes the prompt's newline.
        (PRIVATE + "\nsecond line", "Invalid content: " + repr(PRIVATE + "\nsecond line")),
        (PRIVATE + "\nsecond line", "Invalid message: " + json.dumps({"content": PRIVATE + "\nsecond line"})),
    ],
    ids=["over-4kb", "pydantic-cut", "repr-escaped", "json-escaped"],
)
def test_a_partial_or_escaped_echo_of_the_prompt_is_scrubbed(content: str, echo: str) -> None:
    """No part of the prompt echoed by a body (cut, truncated or escaped) reaches Reading.message."""
    request = {**BASE, "messages": [{"role": "user", "content": content}]}
    assert "hunter2" not in read(400, {"detail": echo}, request).message


def test_echoed_prediction_content_is_scrubbed() -> None:
    """Text the caller sent as a predicted output, echoed by the body, is scrubbed like the prompt."""
    request = {**BASE, "prediction": {"type": "content", "content": "def secret_algorithm(): return 42"}}
    reading = read(400, error("Invalid prediction: 'def secret_algorithm(): return 42' is too long."), request)
    assert "secret_algorithm" not in reading.message


INJECTION = "Unsupported parameter: 'max_tokens' is not supported. Use 'logit_bias' instead."


@pytest.mark.parametrize(
    "echo",
    [
        (
            "1 validation error for ChatCompletionRequest\nmessages.0.content\n  Input should be a valid list "
            f"[type=list_type, input_value={INJECTION!r}, input_type=str]"
        ),
        f"Invalid 'messages[0].content': {INJECTION!r} is too long.",
    ],
    ids=["pydantic", "quoted"],
)
def test_prompt_text_echoed_by_a_body_drives_no_fix(echo: str) -> None:
    """A user's prompt echoed in a body cannot steer the rules learned for the deployment (prompt injection)."""
    request = {**BASE, "messages": [{"role": "user", "content": INJECTION}], "max_tokens": 100}
    assert read(400, {"detail": echo}, request).fixes == ()
    assert learned(decide(400, {"detail": echo}, request)) == ()


def test_a_value_quoted_from_the_prompt_is_in_no_fix_or_finding() -> None:
    """A value that only the prompt holds never appears in a fix or in Reading.findings."""
    prompt = "'reasoning_effort' does not support 'xx'. Supported values are: 'my private words'"
    request = {**BASE, "messages": [{"role": "user", "content": prompt}], "reasoning_effort": "xx"}
    reading = read(400, error(f"Invalid prompt {prompt!r}."), request)
    assert "my private words" not in repr(reading.fixes)
    assert "my private words" not in repr(reading.findings)
    assert "my private words" not in reading.message


def test_the_code_the_reading_keeps_is_bounded() -> None:
    """A megabyte-long error code is cut before it reaches Reading.code (and the shared store)."""
    body = {"error": {"message": "Unknown parameter: 'temperature'.", "code": "x" * 1_000_000}}
    assert len(read(400, body, WIDE).code or "") <= 240


# --- 2. robustness: garbage never raises ---------------------------------------------------------------------------


def _json_in_json(levels: int) -> str:
    text = "Unknown parameter: 'temperature'."
    for _ in range(levels):
        text = json.dumps({"error": {"message": text}})
    return text


def _self_referential() -> dict[str, Any]:
    node: dict[str, Any] = {"message": "Unknown parameter: 'temperature'."}
    node["error"] = node
    return node


def _msg(text: str) -> dict[str, Any]:
    return {"error": {"message": text}}


GARBAGE: dict[str, object] = {
    "invalid utf-8 bytes": b"\xff\xfe{\x00\x80\xc3(",
    "json bytes": b'{"error": {"message": "Unknown parameter: \'temperature\'."}}',
    "100k open brackets": "[" * 100_000,
    "100k open objects": '{"a":' * 100_000,
    "10 MB of text": "A" * 10_000_000,
    "10 MB message": _msg("temperature is not supported " * 350_000),
    "lone surrogates": _msg("\ud800 'temperature' is not supported \udfff"),
    "lone surrogates in raw text": '\ud800\udfff{"error": "x"} \udc00',
    "NaN literal": '{"error": {"message": "temperature must be at most NaN", "param": NaN}}',
    "Infinity literal": '{"error": {"message": "max_tokens must be at most Infinity", "code": -Infinity}}',
    "NaN bounds in words": _msg("'temperature' must be between -Infinity and NaN, at most Infinity"),
    "5000-digit int in json": '{"error": {"message": "x", "code": ' + "9" * 5000 + "}}",
    "5000-digit bound": _msg("'max_tokens' must be at most " + "9" * 5000 + " and at least -" + "9" * 5000),
    "5000-digit between": _msg("'temperature' must be between -" + "9" * 5000 + " and " + "9" * 5000),
    "5000-digit list": _msg("Unsupported value: 'temperature'. Supported values are: [" + "9" * 5000 + "]"),
    "repr 9**9**9": _msg("x [9**9**9, 'a' * 10**9]"),
    "repr deep parens": _msg("x [" + "(" * 300 + "1" + ")" * 300 + "]"),
    "repr deep unary": _msg("x [" + "-" * 3000 + "1]"),
    "repr deep lists": _msg("x " + "[" * 5000 + "]" * 5000),
    "repr deep dicts": _msg("x " + "{'a': " * 3000 + "1" + "}" * 3000),
    "repr set complex bytes": _msg("x [{1, 2}, 1+2j, b'\\x00', -1e999, ...]"),
    "repr null byte": _msg("x [\x00]"),
    "repr lambda": _msg("x [lambda: __import__('os')]"),
    "repr f-string": _msg("x [f'{__import__(\"os\")}']"),
    "repr unicode name": _msg("x ['\\N{NO SUCH NAME}']"),
    "json in json x3": _json_in_json(3),
    "json in json x12": _json_in_json(12),
    "json string inside": json.dumps(json.dumps(_msg("Unknown parameter: 'temperature'."))),
    "self-referential dict": _self_referential(),
    "non-string keys": {1: "x", None: {"error": "y"}, (1, 2): "z"},
    "list root": [None, 1, {"error": {"message": ["a", {"msg": 5}]}}],
    "wrong types": {"error": {"message": 5, "param": 7, "code": {"x": 1}, "loc": "body"}},
    "weird locs": {"detail": [{"loc": [None, {}], "msg": "Extra inputs are not permitted"}, {"loc": [], "msg": "x"}]},
    "int loc first": {
        "detail": [{"loc": [0, "x"], "msg": "Extra inputs are not permitted"}, {"loc": [True], "msg": "m"}]
    },
    "python objects": {"error": {"message": object(), "param": b"temperature", "code": 1.5}},
    "a set": {1, 2},
    "None": None,
    "float": float("nan"),
}


@pytest.mark.parametrize("body", GARBAGE.values(), ids=GARBAGE.keys())
def test_garbage_bodies_never_raise(body: object) -> None:
    """read() returns a Reading for garbage bodies and every fix it gives has finite, valid bounds."""
    for status in (400, 422):
        reading = read(status, body, WIDE)
        assert isinstance(reading, Reading)
        for fix in reading.fixes:
            if isinstance(fix, Clamp):
                assert all(b is None or abs(b) < float("inf") for b in (fix.minimum, fix.maximum))


@pytest.mark.parametrize(
    "request_body",
    [
        {**WIDE, "temperature": float("nan"), "max_tokens": 10**4000, "top_p": float("inf")},
        {**WIDE, "messages": "not a list", "reasoning": {"effort": {"deep": [[[[]]]]}}},
        {1: "x", None: 2, "messages": [None, 5, {"role": 7}, {"role": "system", "content": {"a": "b"}}]},
        {**WIDE, "metadata": {"a": {"b": {"c": {"d": {"e": "f"}}}}}},
    ],
)
def test_odd_requests_never_raise(request_body: dict[Any, Any]) -> None:
    """read() copes with odd request bodies: non-finite numbers, huge ints, non-string keys, odd shapes."""
    for message in (
        "Unsupported value: 'temperature' does not support NaN. Supported values are: 0, 1.",
        "'max_tokens' must be at most 4096",
        "Unsupported value: 'messages[3].role' does not support 'system' with this model.",
        "'top_p' must satisfy p > 0.",
    ):
        assert isinstance(read(400, error(message), request_body), Reading)


def test_read_emits_no_warnings() -> None:
    """A body quoting a Python repr with an invalid escape makes read() emit no warning."""
    body = _msg("Unsupported value: 'temperature' must be one of ['\\d', 'low']")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        read(400, body, {**BASE, "temperature": "x"})
    assert [str(w.message) for w in caught] == []


_HOSTILE_ALPHABET = st.sampled_from(
    [*"[]{}'\"` .\n\\:,-><=()", "use ", "both ", "must be ", "instead", "temperature", "max_tokens", "role ", "system"]
)


@PROPERTIES
@given(
    status=statuses,
    body=st.one_of(
        error_bodies,
        st.lists(st.integers(0xD800, 0xDFFF).map(chr), max_size=20).map(lambda cs: _msg("x" + "".join(cs))),
        st.lists(_HOSTILE_ALPHABET, max_size=200).map("".join),
        st.lists(_HOSTILE_ALPHABET, max_size=200).map(lambda parts: _msg("".join(parts))),
        st.binary(max_size=400),
    ),
    request_body=request_bodies(),
)
def test_read_never_raises(status: int, body: object, request_body: Body) -> None:
    """read() never raises, whatever the status, body and request."""
    assert isinstance(read(status, body, request_body), Reading)


# --- 2b. bodies built to stress each grammar fragment (timed in benchmarks/reader_stress.py) ---------------------


@pytest.mark.parametrize(("name", "body"), list(stress_bodies()), ids=[name for name, _ in stress_bodies()])
def test_read_completes_on_adversarial_bodies(name: str, body: object) -> None:
    """read() returns a Reading on every body built to make a fragment backtrack (the times are a benchmark)."""
    assert isinstance(read(400, body, STRESS_REQUEST), Reading)


# --- 3. idempotence: the fixes are a fixed point -------------------------------------------------------------------


def _reread(status: int, body: object, request_body: Body) -> tuple[tuple[Fix, ...], Body, tuple[Fix, ...]]:
    """The first fixes, the request they give, and what the same body reads as against that request."""
    first = read(status, body, request_body).fixes
    fixed, applied = apply(first, request_body)
    return first, fixed, read(status, body, fixed, known=applied).fixes


@PROPERTIES
@given(resolve_cases())
def test_applying_fixes_twice_changes_nothing_more(case: tuple[int, object, Body]) -> None:
    """apply(fixes, apply(fixes, request)) == apply(fixes, request)."""
    status, body, request_body = case
    fixes = read(status, body, request_body).fixes
    once, _ = apply(fixes, request_body)
    twice, applied = apply(fixes, once)
    assert twice == once
    assert applied == ()


@PROPERTIES
@given(resolve_cases())
def test_rereading_never_undoes_a_fix(case: tuple[int, object, Body]) -> None:
    """The same body read against the fixed request (as the loop does) gives no fix undoing the first ones."""
    first, _, second = _reread(*case)
    assert all(undone(fix, first) is None for fix in second)


DESIGN_ROWS = [row for row in corpus_rows(DESIGN) if isinstance(row["request"], dict)]


@pytest.mark.parametrize("row", DESIGN_ROWS, ids=[row["id"] for row in DESIGN_ROWS])
def test_design_corpus_fixes_are_idempotent_and_never_undone(row: dict[str, Any]) -> None:
    """For every design-corpus body: fixes applied twice change nothing more, and rereading undoes none."""
    first, fixed, second = _reread(row["status"], row["body"], row["request"])
    assert apply(first, fixed)[0] == fixed
    assert all(undone(fix, first) is None for fix in second)


def test_one_reading_never_holds_a_fix_and_its_reverse() -> None:
    """A body refusing both system and developer roles never yields A->B and B->A in one reading."""
    request = {
        **BASE,
        "messages": [{"role": "system", "content": "S"}, {"role": "developer", "content": "D"}, USER],
    }
    body = {
        "error": [
            {"message": "Unsupported value: 'messages[0].role' does not support 'system' with this model."},
            {"message": "Unsupported value: 'messages[1].role' does not support 'developer' with this model."},
        ]
    }
    fixes = read(400, body, request).fixes
    assert all(undone(fix, fixes) is None for fix in fixes)


PAIR = error(
    "Setting 'max_tokens' and 'max_completion_tokens' at the same time is not supported.",
    "max_tokens",
    "invalid_parameter_combination",
)
CLAMP = error(
    "max_tokens is too large: 20000. This model supports at most 16384 completion tokens, whereas you provided 20000.",
    "max_tokens",
    "invalid_value",
)
RANGE = error("Invalid max_tokens value, the valid range of max_tokens is [1, 8192]", code="invalid_request_error")


def test_a_pair_rejection_reread_after_its_fix_asks_for_nothing() -> None:
    """Once one of a refused pair is gone, the same pair body gives no fix (not a rename back to the dropped name)."""
    request = {**BASE, "max_tokens": 1024, "max_completion_tokens": 1024}
    first, fixed, second = _reread(400, PAIR, request)
    assert first == (Drop("max_tokens", when=Condition("max_completion_tokens", present=True)),)
    assert "max_tokens" not in fixed
    assert second == ()


@pytest.mark.parametrize(("body", "sent"), [(CLAMP, 20000), (RANGE, 16384)], ids=["at-most", "range"])
def test_a_clamp_reread_after_it_is_applied_asks_for_nothing(body: object, sent: int) -> None:
    """Once max_tokens is within the body's bounds, the same body gives no fix (not a drop of max_tokens)."""
    first, _, second = _reread(400, body, {**BASE, "max_tokens": sent})
    assert len(first) == 1
    assert isinstance(first[0], Clamp)
    assert second == ()


def _loop(body: object, request_body: Body, rounds: int = 4) -> tuple[list[Step], Body]:
    """Drive Call.decide against a deployment that answers every attempt with ``body``."""
    call = Call(KEY, request_body, None, policy=RepairPolicy(), max_repairs=5, learn=True)
    mapping = DeploymentMapping()
    steps: list[Step] = []
    for _ in range(rounds):
        step = call.decide(400, body, 0.0)
        steps.append(step)
        if not isinstance(step, Learn | Revoke):
            break
        mapping = step.change(mapping)
        if not call.adopt(step, mapping):
            break
    return steps, call.body


@pytest.mark.parametrize(
    ("body", "request_body"),
    [(PAIR, {**BASE, "max_tokens": 1024, "max_completion_tokens": 1024}), (CLAMP, {**BASE, "max_tokens": 20000})],
    ids=["pair", "clamp"],
)
def test_a_rejection_repeated_after_its_fix_gives_up(body: object, request_body: Body) -> None:
    """A deployment that repeats a rejection after its fix makes the loop give up, keeping an output limit."""
    steps, final = _loop(body, request_body)
    assert [type(step) for step in steps] == [Learn, GiveUp]
    assert "max_tokens" in final or "max_completion_tokens" in final


# --- the fragments of the later corpus rounds, against lookalikes and hostile bodies ------------------------------

SENT: Any = {
    "model": "gpt-4o",
    "temperature": 0.7,
    "max_tokens": 4096,
    "seed": 42,
    "stop": ["a", "b"],
    "tools": [{"type": "function", "function": {"name": "f", "parameters": {"properties": {"n": {"maximum": 10}}}}}],
    "messages": [{"role": "system", "content": "s"}, {"role": "user", "content": [{"type": "text", "text": "u"}] * 2}],
}


@pytest.mark.parametrize(
    "message",
    [
        "messages: content: Extra inputs are not permitted",
        "#/messages: expected minimum item count: 3, found: 2",
        "#/messages/1/content: expected maximum item count: 1, found: 2",
        "#/tools/0/function/parameters/properties/n/maximum: 42 is not less or equal to 10",
        "Too many images: 42 is not less or equal to 20",
        "prompt length 4096 is not less or equal to 2048",
        "The request contains 4096 tokens; 4096 is not less or equal to 2048",
        "#/messages/1/content/1/image_url/detail: expected maximum: 2, found: 4096",
        "Tool message at index 2 must follow an assistant message; allowed predecessors [user, assistant]",
        "messages[1].content: invalid content for roles [user, assistant]",
        "#/tools: expected maximum item count: 1, found: 3",
        "tools and response_format are incompatible with each other",
    ],
)
def test_a_statement_about_items_or_other_things_changes_no_param(message: str) -> None:
    """A number, count or role list that is about a message, a tool, an image or the prompt gives no fix."""
    assert read(400, {"error": {"message": message}}, SENT).fixes == ()


@pytest.mark.parametrize(
    "body",
    [
        {"error": {"message": "bad", "param": ".".join(["a"] * 20_000)}},
        {"error": {"message": "/a" * 32_768}},
    ],
    ids=["a-40k-dotted-param", "a-64k-pointer"],
)
def test_a_huge_name_is_refused_at_once(body: Any) -> None:
    """A name longer than any param path is no name: reading it never walks its parts (it took minutes)."""
    assert read(400, body, SENT).fixes == ()


def test_a_body_is_read_as_far_as_its_first_8_kb_of_messages() -> None:
    """Two distinct 4 KB messages are read; what comes after them is not (a real body says it in about 1 KB)."""
    noise = [{"message": ("lorem ipsum " * 400)[i : i + 4000]} for i in range(3)]
    said = {"message": "Unsupported parameter: 'top_k' is not supported with this model."}
    sent = {**BASE, "top_k": 5}
    assert read(400, {"error": [said, *noise]}, sent).fixes == (Drop("top_k"),)
    assert read(400, {"error": [*noise, said]}, sent).fixes == ()
    # The same message again is no new message: it does not use up what is read.
    assert read(400, {"error": [noise[0], noise[0], noise[0], said]}, sent).fixes == (Drop("top_k"),)
