"""A red-team pass on the reader's wider readings: realistic bodies that must not teach a wrong fix.

Each case is one that an earlier reader got wrong: a count that was an output cap, a range read as one value,
numbers cut at a thousands separator, a tool schema's property taken for a sampling param, a crashed server's
traceback, a history item, a caller's opt-out. The default policy would have stored every one of them.
"""

from __future__ import annotations

from typing import Any

import pytest

from resilient_client._core import blocked_param
from resilient_client._models import Clamp, Condition, Drop, Fix, Rename, RepairPolicy, SetValue
from resilient_client._reading import read

USER = {"role": "user", "content": "Summarise the attached report in five bullet points please."}


def oa(message: str, param: str | None = None, kind: str = "invalid_request_error") -> dict[str, Any]:
    return {"error": {"message": message, "type": kind, "param": param, "code": None}}


def anthropic(message: str) -> dict[str, Any]:
    return {"type": "error", "error": {"type": "invalid_request_error", "message": message}}


def gemini(message: str, status: str = "INVALID_ARGUMENT") -> list[dict[str, Any]]:
    return [{"error": {"code": 400, "message": message, "status": status}}]


def chat(**params: Any) -> dict[str, Any]:
    return {"model": "m", "messages": [USER], **params}


TOOL = {"type": "function", "function": {"name": "set_thermostat", "parameters": {"type": "object", "properties": {}}}}
THERMOSTAT = {
    "type": "function",
    "function": {"name": "set_thermostat", "parameters": {"type": "object", "properties": {"temperature": {}}}},
}
TRACEBACK = (
    'Traceback (most recent call last):\n  File "/app/server.py", line 210, in generate\n    out = model.sample('
    "logits / sampling_params.temperature, top_p=sampling_params.top_p)\nRuntimeError: CUDA error: an illegal memory "
    "access was encountered"
)
UNSUPPORTED = "Unsupported parameter: 'temperature' is not supported with this model."

NOTHING: list[tuple[str, int, object, dict[str, Any]]] = [
    # A count noun that is part of an output cap's name, or a length in tokens.
    ("completions", 400, oa("Multiple completions are not supported"), chat(max_completion_tokens=4096)),
    ("completion", 500, oa("Only one completion is allowed", kind="server_error"), chat(max_completion_tokens=4096)),
    ("input tokens", 400, oa("The input is too long: at most 512 tokens are allowed."), chat(max_tokens=1024)),
    # A range that the value sent is inside already.
    ("inside a range", 400, oa("max_tokens must be 1-8192"), chat(max_tokens=4096)),
    # A tool schema's property named like a sampling param.
    ("tool property", 400, gemini("* GenerateContentRequest.tools[0].function_declarations[0].parameters.properties"
     "[temperature].type: must be specified\n"), chat(temperature=0.7, tools=[THERMOSTAT])),
    ("tool enum", 400, gemini("* GenerateContentRequest.tools[0].function_declarations[0].parameters.properties"
     "[temperature].enum: only allowed for STRING type\n"), chat(temperature=0.7, tools=[THERMOSTAT])),
    ("tool_use_failed", 400, {"error": {"message": "tool call validation failed: parameters for tool set_thermostat "
     "did not match schema: errors: [additionalProperties 'seed' not allowed]", "code": "tool_use_failed"}},
     chat(seed=7, tools=[TOOL])),
    # A crashed server, or a proxy whose own call upstream was refused.
    ("traceback", 500, {"detail": TRACEBACK}, chat(temperature=0.7, top_p=0.9)),
    ("httpx", 500, oa(f"Client error '400 Bad Request' for url 'https://x/v1/chat/completions': {UNSUPPORTED}"),
     chat(temperature=0.7)),
    ("HTTP 400", 500, oa(f"Upstream returned HTTP 400: {UNSUPPORTED}"), chat(temperature=0.7)),
    ("openai v0", 500, oa(f"openai.error.InvalidRequestError: {UNSUPPORTED}"), chat(temperature=0.7)),
    # One message of the history.
    ("history item", 400, anthropic("messages.1.content.0: Invalid `signature` in `thinking` block"),
     chat(max_tokens=8000, thinking={"type": "enabled", "budget_tokens": 4000})),
    # Two sent numbers in order already, or one of them not sent (a gateway computes the budget).
    ("ordered, one sent", 400, anthropic("`max_tokens` must be greater than `thinking.budget_tokens`."),
     chat(max_tokens=1024, reasoning_effort="high")),
    ("ordered already", 400, anthropic("`max_tokens` must be greater than `thinking.budget_tokens`."),
     chat(max_tokens=2000, thinking={"type": "enabled", "budget_tokens": 1999})),
    # The caller's own tags.
    ("request metadata", 400, {"message": "Invocation of model ID anthropic.claude-3-5-sonnet with on-demand "
     "throughput isn't supported. Retry your request with the ID or ARN of an inference profile that contains this "
     "model."},
     {"modelId": "x", "messages": [USER], "requestMetadata": {"profile": "batch"}}),
    ("labels", 400, gemini("User location is not supported for the API use.", "FAILED_PRECONDITION"),
     {"contents": [], "generationConfig": {"temperature": 0.3}, "labels": {"location": "paris"}}),
    ("free tier", 400, gemini("This model is not available on the free tier."),
     {"contents": [], "labels": {"tier": "gold"}}),
    # A caller's opt-out of storage.
    ("store opt-out", 400, oa("store must be true for background responses"),
     {"model": "o3", "input": "research this", "background": True, "store": False}),
    # A value condition no fix can hold to; a boolean never becomes a number.
    ("value condition", 400, oa("top_p must be 1 when temperature is 0"), chat(top_p=0.9, temperature=0.7)),
    ("bool to int", 400, oa("top_logprobs must be 0 when logprobs is false"), chat(logprobs=True, top_logprobs=5)),
    # Generic words beside a param field; the conversation's length.
    ("param field only", 400, oa("The request must be valid JSON", "temperature"), chat(temperature=0.7)),
    ("prompt length", 400, oa("max_tokens should be reduced: your messages resulted in 7000 tokens"),
     chat(max_tokens=4096)),
]  # fmt: skip


@pytest.mark.parametrize(("status", "body", "request_body"), [c[1:] for c in NOTHING], ids=[c[0] for c in NOTHING])
def test_these_bodies_teach_nothing(status: int, body: object, request_body: dict[str, Any]) -> None:
    """None of these is a param the deployment refuses: nothing is learned."""
    assert read(status, body, request_body).fixes == ()


FIXES: list[tuple[str, object, dict[str, Any], tuple[Fix, ...]]] = [
    ("range ~", oa("max_tokens must be 1~8192"), chat(max_tokens=10000), (Clamp("max_tokens", 1, 8192),)),
    ("range en dash", oa("temperature must be 0.0 \u2013 2.0"), chat(temperature=2.5),
     (Clamp("temperature", 0.0, 2.0),)),
    ("thousands", oa("max_tokens must be at most 128,000"), chat(max_tokens=200000),
     (Clamp("max_tokens", None, 128000),)),
    ("k suffix", oa("max_tokens must be at most 32k"), chat(max_tokens=64000), (Clamp("max_tokens", None, 32000),)),
    ("power", oa("seed must be between 0 and 2^32 - 1"), chat(seed=-1), (Clamp("seed", 0, 2**32 - 1),)),
    ("bracketed thousands", oa("max_tokens must be in [1, 128,000]"), chat(max_tokens=200000),
     (Clamp("max_tokens", 1, 128000),)),
    ("conflicts", oa("`max_tokens` conflicts with `max_completion_tokens`"),
     chat(max_tokens=1000, max_completion_tokens=1000),
     (Drop("max_tokens", when=Condition("max_completion_tokens", present=True)),)),
    ("not both", oa("Either 'temperature' or 'top_p' should be set, not both"), chat(temperature=0.5, top_p=0.9),
     (Drop("temperature", when=Condition("top_p", present=True)),)),
    ("forced tool", anthropic("Thinking may not be enabled when tool_choice forces tool use."),
     chat(max_tokens=8000, thinking={"type": "enabled", "budget_tokens": 4000}, tool_choice={"type": "any"}),
     (Drop("thinking", when=Condition("tool_choice", present=True)),)),
    ("off condition", oa("`echo` cannot be true when `logprobs` is false"), chat(echo=True, logprobs=False),
     (Drop("echo", when=Condition("logprobs", present=False)),)),
]  # fmt: skip


@pytest.mark.parametrize(("body", "request_body", "expected"), [c[1:] for c in FIXES], ids=[c[0] for c in FIXES])
def test_these_bodies_teach_the_right_fix(
    body: object, request_body: dict[str, Any], expected: tuple[Fix, ...]
) -> None:
    """Ranges, numbers as people write them, pairs and conditions: the fix a careful reader derives."""
    assert read(400, body, request_body).fixes == expected


@pytest.mark.parametrize(
    ("body", "request_body"),
    [
        (anthropic("output_format.schema: For 'object' type, 'additionalProperties' must be explicitly set to false"),
         chat(max_tokens=1000, output_format={"type": "json_schema", "schema": {"type": "object"}})),
        (oa("guided_json must be a valid JSON object schema"), chat(guided_json={"type": "object"})),
    ],
)  # fmt: skip
def test_structured_output_of_other_apis_is_protected(body: object, request_body: dict[str, Any]) -> None:
    """Anthropic's output_format and vLLM's guided_json are the caller's structured output: never changed by default."""
    fixes = read(400, body, request_body).fixes
    assert all(blocked_param(fix, RepairPolicy()) for fix in fixes)


def test_an_order_between_two_sent_params_is_never_a_stored_bound() -> None:
    """'`max_tokens` must be greater than `thinking.budget_tokens`' is this request's relation: nothing is learned.

    A clamp of the budget below this call's max_tokens would cap every later call, whose own values are in order.
    """
    body = anthropic("`max_tokens` must be greater than `thinking.budget_tokens`.")
    request = chat(max_tokens=2000, thinking={"type": "enabled", "budget_tokens": 4000})
    assert read(400, body, request).fixes == ()
    vllm = oa("min_tokens must be less than or equal to max_tokens=100, got 200.")
    assert read(400, vllm, chat(max_tokens=100, min_tokens=200)).fixes == ()


SECOND_PASS: list[tuple[str, int, object, dict[str, Any]]] = [
    # A message-order error, a one-request merge: no role rule.
    ("role after assistant", 400, oa("Unexpected role 'system' after role 'assistant'"),
     chat(messages=[USER, {"role": "assistant", "content": "ok"}, {"role": "system", "content": "x"}])),
    # One history item behind a gateway's prefix.
    ("item behind a prefix", 400, {"message": "The model returned the following errors: messages.1.content.0: "
     "Invalid `signature` in `thinking` block"}, chat(max_tokens=8000, thinking={"type": "enabled"})),
    # The context cache and the caller's region.
    ("cached content", 400, gemini("CachedContent can not be used with GenerateContent request setting "
     "system_instruction, tools or tool_config.\n\nProposed fix: move those values to CachedContent"),
     {"contents": [], "cachedContent": "projects/p/cachedContents/1", "systemInstruction": {"parts": []}}),
    ("region", 400, gemini("Image generation is not available in your country.", "FAILED_PRECONDITION"),
     {"contents": [], "generationConfig": {"temperature": 0.3, "maxOutputTokens": 512}}),
    # store: false is never left out where the server knows it.
    ("store condition", 400, oa("'store' must be true when 'background' is true."),
     {"model": "o3", "input": "x", "background": True, "store": False}),
    # A JSON-schema path through a tool's properties.
    ("schema path", 400, oa("$.properties.temperature: must be of type number"),
     chat(temperature=0.7, tools=[THERMOSTAT])),
    ("schema pointer", 400, oa("#/properties/temperature/type: expected one of string, number"),
     chat(temperature=0.7, tools=[THERMOSTAT])),
    # Proxy 500s quoting an upstream 400 in other SDKs' words.
    ("openai-node 500", 500, oa(f"400 {UNSUPPORTED}"), chat(temperature=0.7)),
    ("aiohttp 500", 500, oa(f"400, message='Bad Request': {UNSUPPORTED}"), chat(temperature=0.7)),
    ("google-genai 500", 500, oa(f"400 INVALID_ARGUMENT. {UNSUPPORTED}"), chat(temperature=0.7)),
    # A hostile number past Python's digit limit reads as nothing, and raises nothing.
    ("digit limit", 400, {"message": "Malformed input request: expected maximum item count: 1, found: 999^99"
     + "9" * 4051}, chat(stop=["a", "b"])),
]  # fmt: skip


@pytest.mark.parametrize(
    ("status", "body", "request_body"), [c[1:] for c in SECOND_PASS], ids=[c[0] for c in SECOND_PASS]
)
def test_a_second_pass_teaches_nothing(status: int, body: object, request_body: dict[str, Any]) -> None:
    """A second red-team pass: none of these is a rule of the deployment."""
    assert read(status, body, request_body).fixes == ()


SECOND_PASS_FIXES: list[tuple[str, object, dict[str, Any], tuple[Fix, ...]]] = [
    ("article before the new name", oa("The parameter `max_tokens` is deprecated for this model. Please use the "
     "`max_completion_tokens` parameter instead."), chat(max_tokens=300),
     (Rename("max_tokens", "max_completion_tokens"),)),
    ("negative exponent", {"detail": [{"loc": ["body", "temperature"], "msg": "Input should be greater than or "
     "equal to 1e-05", "type": "greater_than_equal"}]}, chat(temperature=0.0), (Clamp("temperature", 0.00001, None),)),
    ("compact list", oa("dimensions must be one of [64,128,256,512,768]"), chat(dimensions=1024),
     (SetValue("dimensions", 1024, 768),)),
    ("compact range", oa("top_k must be in range [1,100]"), chat(top_k=200), (Clamp("top_k", 1, 100),)),
]  # fmt: skip


@pytest.mark.parametrize(
    ("body", "request_body", "expected"), [c[1:] for c in SECOND_PASS_FIXES], ids=[c[0] for c in SECOND_PASS_FIXES]
)
def test_a_second_pass_reads_these_right(body: object, request_body: dict[str, Any], expected: tuple[Fix, ...]) -> None:
    """Articles, small numbers, compact lists: the fix a careful reader derives."""
    assert read(400, body, request_body).fixes == expected


def test_an_image_size_in_thousands_stays_text() -> None:
    """'only 1K is supported' for imageSize '4K': never the number 1000 for a text value."""
    fixes = read(400, gemini("imageSize: only 1K is supported"), {"contents": [], "generationConfig": {"imageConfig":
                 {"imageSize": "4K"}}}).fixes  # fmt: skip
    assert not any(isinstance(f, SetValue) and not isinstance(f.new, str) for f in fixes)


def test_the_alternatives_fragment_does_not_backtrack() -> None:
    """A run of items costs a linear scan: the read completes (the benchmark times it)."""
    fixes = read(400, oa("reasoning_effort must be " + "1, " * 1300), chat(reasoning_effort="high")).fixes
    assert all(f.param == "reasoning_effort" for f in fixes)


def test_a_request_with_thousands_of_nested_keys_reads_quickly() -> None:
    """Only a bounded number of paths is indexed: token-id maps and tags are not indexed at all."""
    request = chat(logit_bias={str(i): -100 for i in range(5000)}, metadata={f"k{i}": "v" for i in range(16)})
    body = {"error": {"message": "; ".join(f"'x{i}.y{i}.z{i}' is not supported" for i in range(32))}}
    assert read(400, body, request).fixes == ()
    # A SetValue is still only ever derived for a param that is sent.
    assert not any(isinstance(f, SetValue) for f in read(400, body, request).fixes)
