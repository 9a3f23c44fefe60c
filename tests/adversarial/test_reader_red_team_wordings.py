"""A red-team pass on the reader's wider wordings: bodies that must not teach a wrong fix.

The wordings of tests/reading/test_paraphrases.py read verdicts, renames, bounds, lists and conditions in more words;
these are the bodies where more words first meant a wrong fix.

Each case is one a wider reading got wrong at first: a replacement value taken for a new param name, a percentage
or a duration read as a cap, a bound given to a param it was not about, a condition that turned a clamp into a drop,
a content block or a banned user read as a refused param, a resource that is gone read as a param that is gone, a
pronoun read as the param to remove, an API to switch to read as a param to rename to.
"""

from __future__ import annotations

from typing import Any

import pytest

from resilient_client._models import Clamp, Condition, Drop, Fix, Rename, SetValue
from resilient_client._reading import read
from tests.said import USER, allowed, fixes, request

EFFORT = request(reasoning_effort="minimal")

# What the body says, the request, and the only fixes that may come of it (an empty set: none).
CASES: list[tuple[str, dict[str, Any], set[Fix]]] = [
    # A replacement value is a value, not a new name for the param.
    (
        "reasoning_effort 'minimal' is deprecated in favor of 'low'",
        EFFORT,
        {SetValue("reasoning_effort", "minimal", "low")},
    ),
    ("Use 'low' rather than 'minimal' for reasoning_effort", EFFORT, {SetValue("reasoning_effort", "minimal", "low")}),
    (
        "This model requires 'low' instead of 'minimal' for reasoning_effort",
        EFFORT,
        {SetValue("reasoning_effort", "minimal", "low")},
    ),
    (
        "The 'minimal' reasoning effort is no longer supported. Please use 'low'.",
        EFFORT,
        {SetValue("reasoning_effort", "minimal", "low")},
    ),
    ("voice 'alloy' was renamed 'ash'", request(voice="alloy"), {SetValue("voice", "alloy", "ash")}),
    (
        "The `detailed` summary setting was removed in favor of `auto`",
        request(reasoning={"effort": "low", "summary": "detailed"}),
        {SetValue("reasoning.summary", "detailed", "auto")},
    ),
    # A share, a multiple or another unit is no cap in the param's own unit.
    (
        "thinking.budget_tokens is limited to 80% of max_tokens",
        request(max_tokens=4000, thinking={"type": "enabled", "budget_tokens": 3500}),
        set(),
    ),
    ("max_tokens has a limit of 25% of the model's context for free-tier keys", request(max_tokens=4000), set()),
    ("duration is limited to 1 minute", request(duration=30), set()),
    ("max_completion_tokens is limited to 2x the reasoning budget", request(max_completion_tokens=9000), set()),
    ("max_tokens is limited to 4 KB of output", request(max_tokens=9000), set()),
    # A bound beside a condition is still a bound.
    ("max_tokens cannot exceed 4096 without streaming", request(max_tokens=9000), {Clamp("max_tokens", None, 4096)}),
    (
        "max_tokens must be at most 4096 unless streaming is enabled",
        request(max_tokens=9000),
        {Clamp("max_tokens", None, 4096)},
    ),
    # Each param's own bound.
    (
        "temperature=1.5 (max 1), top_k=50 (max 40)",
        request(temperature=1.5, top_k=50),
        {Clamp("temperature", None, 1), Clamp("top_k", None, 40)},
    ),
    (
        "frequency_penalty must be within -2 and 2; top_logprobs max 20",
        request(frequency_penalty=3, top_logprobs=30),
        {Clamp("frequency_penalty", -2, 2), Clamp("top_logprobs", None, 20)},
    ),
    # Refused while streaming: left out only then.
    (
        "logprobs is only supported for non-streaming requests",
        request(logprobs=True, stream=True),
        {Drop("logprobs", when=Condition("stream", present=True))},
    ),
    # A content block, a banned user, an account that is not verified, a passing outage: no param to change.
    (
        "The prompt contains disallowed content under the configured safetySettings",
        request(safetySettings=[{"category": "HARM_CATEGORY_HARASSMENT", "threshold": "BLOCK_NONE"}]),
        set(),
    ),
    ("Requests from safety_identifier 'user-123' are disallowed.", request(safety_identifier="user-123"), set()),
    (
        "Reasoning summaries are unavailable for this organization until it is verified",
        request(reasoning={"effort": "low", "summary": "auto"}),
        set(),
    ),
    ("web_search_options is unavailable for the moment", request(web_search_options={}), set()),
    ("logprobs is unavailable for the time being due to high load", request(logprobs=True), set()),
    # A resource that is gone is not a param that is gone.
    ("adapter_id 'acme-lora-7' is no longer available", request(adapter_id="acme-lora-7"), set()),
    (
        "Vector store vs_abc123 referenced in tool_resources.file_search has been removed",
        request(tool_resources={"file_search": {"vector_store_ids": ["vs_abc123"]}}),
        set(),
    ),
    # "Remove one", "remove them": a pronoun is no param.
    ("Duplicate value in stop: remove one and try again", request(stop=["END", "END"]), set()),
    (
        "logit_bias contains token ids outside the vocabulary; remove them and try again",
        request(logit_bias={"50256": -100, "999999": -100}),
        set(),
    ),
    # Another param's list, and a param named in passing.
    (
        "With reasoning_effort high, service_tier can only be auto or default",
        request(reasoning_effort="high", service_tier="flex"),
        {SetValue("service_tier", "flex", "default"), SetValue("service_tier", "flex", "auto")},
    ),
    # An API, an endpoint or a method to move to is no param to rename to.
    ("seed is not supported on this endpoint. Please switch to the `responses` API", request(seed=1), {Drop("seed")}),
    ("logprobs is deprecated here; migrate to `responses.create`", request(logprobs=True), {Drop("logprobs")}),
    # A number is never renamed into a setting whose values are words.
    (
        "temperature is not supported; use reasoning_effort rather than temperature",
        request(temperature=0.2),
        {Drop("temperature")},
    ),
]


@pytest.mark.parametrize(("message", "sent", "expected"), CASES)
def test_a_wider_reading_teaches_nothing_wrong(message: str, sent: dict[str, Any], expected: set[Fix]) -> None:
    """Only the fixes listed may be learned (reading nothing is safe, reading something else is not)."""
    found = allowed(fixes(message, sent))
    assert found <= expected
    if len(found) > 1:
        assert found == expected


# A second pass, on the readings added after the first: scoping, validators' shapes, Chinese, renames, conditions.
SPRING = (
    "Validation failed for argument [0] in public org.springframework.http.ResponseEntity<com.acme.ChatResponse> "
    "com.acme.ChatController.chat(com.acme.ChatRequest) with 2 errors: [Field error in object 'chatRequest' on field "
    "'temperature': rejected value [3.0]; default message [must be less than or equal to 2]] [Field error in object "
    "'chatRequest' on field 'maxTokens': rejected value [8000]; default message [must be less than or equal to 4096]]"
)
SECOND: list[tuple[object, dict[str, Any], set[Fix]]] = [
    (
        "max_tokens: must be <= 4096\ntemperature: must be in range [0, 2]",
        request(max_tokens=8000, temperature=3),
        {Clamp("max_tokens", None, 4096), Clamp("temperature", 0, 2)},
    ),
    (
        "Invalid request: max_tokens must be <= 4096. temperature must be between 0 and 2.",
        request(max_tokens=8000, temperature=3),
        {Clamp("max_tokens", None, 4096), Clamp("temperature", 0, 2)},
    ),
    (
        {
            "code": 3,
            "message": "invalid ChatRequest.MaxTokens: value must be less than or equal to 4096 | caused by: invalid "
            "ChatRequest.Temperature: value must be inside range [0, 2]",
            "details": [],
        },
        request(max_tokens=8000, temperature=0.5),
        {Clamp("max_tokens", None, 4096)},
    ),
    (
        "top_k is not supported; temperature must be at most 1",
        request(top_k=40, temperature=1.5),
        {Drop("top_k"), Clamp("temperature", None, 1)},
    ),
    (
        {"status": 400, "message": SPRING},
        request(temperature=3, max_tokens=8000),
        {Clamp("temperature", None, 2), Clamp("max_tokens", None, 4096)},
    ),
    (
        {
            "detail": "2 validation errors for ChatCompletionRequest\ntemperature\n  Input should be less than or "
            "equal "
            "to 2 [type=less_than_equal, input_value=2.5, input_type=float]\nmax_tokens\n  Input should be greater "
            "than or equal to 1 [type=greater_than_equal, input_value=0, input_type=int]"
        },
        request(temperature=2.5, max_tokens=0),
        {Clamp("temperature", None, 2), Clamp("max_tokens", 1, None)},
    ),
    (
        "Invalid parameters: max_tokens must be <= 4096, temperature must be 1",
        request(max_tokens=8000, temperature=0.5),
        {Clamp("max_tokens", None, 4096), SetValue("temperature", 0.5, 1)},
    ),
    (
        "top_p must be left at its default (1.0) for this model, and temperature must be between 0 and 1",
        request(top_p=0.9, temperature=0.5),
        {Drop("top_p")},
    ),
    # A recommended range is no bound.
    (
        "Invalid temperature 2.5: must be at most 2. We recommend values between 0.2 and 0.8.",
        request(temperature=2.5),
        {Clamp("temperature", None, 2)},
    ),
    (
        "temperature \u8d85\u51fa\u8303\u56f4, \u5efa\u8bae\u8bbe\u7f6e\u5728 0.3 \u5230 0.7 \u4e4b\u95f4",
        request(temperature=2.5),
        set(),
    ),
    # "请删除 X" names the one to remove; a Chinese context-length or region error changes nothing.
    (
        "\u8bf7\u5220\u9664 repetition_penalty \u540e\u91cd\u8bd5, temperature \u4fdd\u6301\u4e0d\u53d8",
        request(repetition_penalty=1.2, temperature=0.5),
        {Drop("repetition_penalty")},
    ),
    (
        (
            # The request's tokens, input and max_tokens, exceed the model's context length; remove some history.
            "\u8bf7\u6c42 tokens \u6570 (\u8f93\u5165 + max_tokens) "
            "\u8d85\u8fc7\u6a21\u578b\u4e0a\u4e0b\u6587\u957f\u5ea6 "
            "131072, \u8bf7\u5220\u9664\u90e8\u5206\u5386\u53f2\u6d88\u606f\u540e\u91cd\u8bd5"
        ),
        request(max_tokens=8000),
        set(),
    ),
    ("web_search_options \u4e0d\u88ab\u5f53\u524d\u5730\u57df\u652f\u6301", request(web_search_options={}), set()),
    # A container, an SDK option or an API is no new name.
    (
        "top_k is not a valid top-level field; move it to `options`",
        request(top_k=40, options={"num_ctx": 4096}),
        {Drop("top_k")},
    ),
    (
        "max_tokens \u53c2\u6570\u5df2\u5e9f\u5f03, \u8bf7\u6539\u7528 `responses` \u63a5\u53e3",
        request(max_tokens=100),
        {Drop("max_tokens")},
    ),
    # A condition named in snake_case is a top-level param, not a sibling.
    (
        "thinking.budget_tokens is only allowed when `max_tokens` is set",
        request(thinking={"type": "enabled", "budget_tokens": 2048}),
        {Drop("thinking.budget_tokens", when=Condition("max_tokens", present=False))},
    ),
    # "In thinking mode" is when, not what.
    (
        "temperature is not supported in thinking mode",
        request(temperature=0.5, thinking={"type": "enabled", "budget_tokens": 1024}),
        {Drop("temperature", when=Condition("thinking", present=True))},
    ),
    # A number that runs on into a multiplier is not that number.
    ("max_tokens cannot exceed 32K", request(max_tokens=40000), set()),
    ("max_tokens must be at most 1M", request(max_tokens=2_000_000), set()),
    ("max_tokens must be at most 128 000", request(max_tokens=200_000), set()),
    # Bedrock's and Gemini's tool settings and guardrails are the caller's.
    (
        {
            "message": "This model doesn't support the toolConfig.toolChoice.any field. "
            "Remove toolConfig.toolChoice.any and try again."
        },
        request(toolConfig={"tools": [{"toolSpec": {"name": "extract"}}], "toolChoice": {"any": {}}}),
        set(),
    ),
    (
        {"message": "guardrailConfig is not supported for this model"},
        request(guardrailConfig={"guardrailIdentifier": "g1"}),
        set(),
    ),
]


def _body(said: object) -> object:
    return said if isinstance(said, dict) else {"error": {"message": said, "type": "invalid_request_error"}}


# A third pass, on reading by stretches: a bound, a verdict or a new name said of one param stays with it.
THIRD: list[tuple[object, dict[str, Any], set[Fix]]] = [
    (
        "temperature and top_k must be at most 1 and 40 respectively",
        request(temperature=1.5, top_k=50),
        {Clamp("temperature", None, 1), Clamp("top_k", None, 40)},
    ),
    (
        "Between 0 and 1 for temperature; at most 5 for top_k",
        request(top_k=50, temperature=1.5),
        {Clamp("top_k", None, 5)},
    ),
    (
        "Maximum of 1 for top_p and 2 for temperature",
        request(temperature=2.5, top_p=1.5),
        {Clamp("top_p", None, 1), Clamp("temperature", None, 2)},
    ),
    (
        "max_tokens is not supported. temperature must be 1. Use max_completion_tokens instead.",
        request(max_tokens=50, temperature=0.5),
        {Rename("max_tokens", "max_completion_tokens"), SetValue("temperature", 0.5, 1)},
    ),
    ("temperature is fine, but top_k is not supported", request(top_k=50, temperature=1.5), {Drop("top_k")}),
    ("temperature is OK; top_k is not supported", request(top_k=50, temperature=1.5), {Drop("top_k")}),
    ("top_k is not supported. temperature is supported.", request(top_k=50, temperature=1.5), {Drop("top_k")}),
    (
        "top_k is not supported; consider adjusting temperature instead",
        request(top_k=50, temperature=1.5),
        {Drop("top_k")},
    ),
    ("top_k is not supported, unlike temperature", request(top_k=50, temperature=1.5), {Drop("top_k")}),
]


TOOLS = [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object", "properties": {}}}}]


def _tencent(code: str, message: str) -> dict[str, Any]:
    return {"Response": {"Error": {"Code": code, "Message": message}, "RequestId": "7198e47e"}}


# A fourth pass, on the clauses that say what to use, other languages, envelopes and validators' words.
FOURTH: list[tuple[object, dict[str, Any], set[Fix]]] = [
    (
        "No endpoints found that support tool use. To learn more about provider routing, visit: https://x.ai/docs",
        request(tools=TOOLS, provider={"order": ["groq"], "allow_fallbacks": False}),
        set(),
    ),
    (
        _tencent("UnknownParameter", "The parameter `Tools` is not recognized."),
        {"Model": "hunyuan-lite", "Messages": [{"Role": "user", "Content": "hi"}], "Tools": TOOLS},
        set(),
    ),
    (
        _tencent("UnknownParameter", "The parameter `Stream` is not recognized."),
        {"Model": "hunyuan-lite", "Messages": [{"Role": "user", "Content": "hi"}], "Stream": True},
        set(),
    ),
    (
        _tencent("InvalidParameter", "Model hunyuan-lite does not support `ResponseFormat`"),
        {"Model": "hunyuan-lite", "Messages": [{"Role": "user", "Content": "hi"}], "ResponseFormat": {"Type": "json"}},
        set(),
    ),
    (
        "options field has unspecified keys: mirostat",
        request(options={"num_ctx": 32768, "mirostat": 1}),
        {Drop("options.mirostat")},
    ),
    (
        (
            "La longueur maximale du contexte de ce mod\u00e8le est de 8192 tokens. max_tokens doit \u00eatre "
            "inf\u00e9rieur ou \u00e9gal \u00e0 1192."
        ),
        request(max_tokens=2000),
        set(),
    ),
    (
        (
            "\ubaa8\ub378\uc758 \ucd5c\ub300 \ucee8\ud14d\uc2a4\ud2b8 \uae38\uc774\ub294 8192 \ud1a0\ud070"
            "\uc785\ub2c8\ub2e4. max_tokens\ub294 1192 \uc774\ud558\uc5ec\uc57c \ud569\ub2c8\ub2e4."
        ),
        request(max_tokens=2000),
        set(),
    ),
    (
        "input_type 'query' is not supported; use search_query",
        request(input_type="query"),
        {SetValue("input_type", "query", "search_query")},
    ),
    (
        "image_size '1024x1024' is not supported (use square_hd, landscape_4_3 or portrait_16_9)",
        request(image_size="1024x1024"),
        {Drop("image_size")},
    ),
    ("Unsupported language 'en'. Use en_US.", request(language="en"), {SetValue("language", "en", "en_US")}),
    (
        "task 'query' is not supported; use retrieval.query",
        request(task="query"),
        {SetValue("task", "query", "retrieval.query")},
    ),
    (
        "Invalid value for 'temperature': 2.5. Use top_p for finer control.",
        request(temperature=2.5),
        {Drop("temperature")},
    ),
    ("When streaming, logprobs is not supported; use top_logprobs", request(logprobs=True, stream=True), set()),
    (
        "'reasoning_effort' is not supported by this model; use thinking.budget_tokens",
        request(reasoning_effort="high"),
        set(),
    ),
    (
        "stop is not supported for reasoning models; use max_completion_tokens to bound output",
        request(stop=["x"]),
        set(),
    ),
    ("max_tokens is not supported; use inferenceConfig", request(max_tokens=100), {Drop("max_tokens")}),
    ("Unknown parameter 'maxTokens' (use snake_case)", request(maxTokens=100), {Drop("maxTokens")}),
    (
        "reasoning_effort is not supported by this model (use o3_mini)",
        request(reasoning_effort="low"),
        {Drop("reasoning_effort")},
    ),
    (
        "max_tokens \u53c2\u6570\u4e0d\u652f\u6301\uff0c\u8bf7\u4f7f\u7528 chat_completions \u63a5\u53e3",
        request(max_tokens=100),
        {Drop("max_tokens")},
    ),
    ("seed wird nicht unterst\u00fctzt; verwenden Sie chat_v2 API", request(seed=1), {Drop("seed")}),
    ("Exceeded token budget of 1000: max_tokens 2000 is not allowed", request(max_tokens=2000), set()),
    ("Budget of 5 USD exceeded for this key; max_tokens must be at most 256", request(max_tokens=2000), set()),
    ("Requested tokens 8000 is not allowed on the free plan", request(max_tokens=8000), set()),
    (
        (
            "\u30af\u30a9\u30fc\u30bf\u3092\u8d85\u904e\u3057\u307e\u3057\u305f\u3002max_tokens \u306f"
            "\u8a31\u53ef\u3055\u308c\u3066\u3044\u307e\u305b\u3093"
        ),
        request(max_tokens=8000),
        set(),
    ),
    ("'seed' is not a string field: expected an integer", request(seed="42"), set()),
    (
        "Invalid value for 'encoding_format': 'binary'. Use base64_url",
        request(encoding_format="binary"),
        {Drop("encoding_format"), SetValue("encoding_format", "binary", "base64_url")},
    ),
]


HISTORY = request(reasoning={"effort": "high"})
HISTORY["messages"] = [
    USER_TURN := {"role": "user", "content": "hi"},
    {"role": "assistant", "content": "yo", "reasoning": "…"},
]
TWO_SYSTEMS = {
    "model": "m",
    "messages": [{"role": "system", "content": "a"}, USER_TURN, {"role": "system", "content": "b"}],
}

# A fifth pass, on the validators' words and envelopes of the fifth round of written wordings.
FIFTH: list[tuple[object, dict[str, Any], set[Fix]]] = [
    (
        {
            "errors": [
                {"instancePath": "/max_tokens", "message": "must be <= 4096"},
                {"instancePath": "/max_tokens", "message": "must be null"},
            ]
        },
        request(max_tokens=8192),
        {Clamp("max_tokens", None, 4096)},
    ),
    (
        "The max tokens field is prohibited when reasoning effort is high.",
        request(max_tokens=3000, reasoning_effort="high"),
        set(),
    ),
    (
        "max_tokens greater than 4096 is prohibited for this model",
        request(max_tokens=8000),
        {Clamp("max_tokens", None, 4096)},
    ),
    (
        (
            "max_tokens of 32000 is not allowed. For more information about your tier's rate limits and quota, see "
            "the docs."
        ),
        request(max_tokens=32000),
        set(),
    ),
    (
        "service_tier 'priority' is not available. For more information about quota and billing, see the docs.",
        request(service_tier="priority"),
        set(),
    ),
    (
        "temperature is not supported for reasoning models. Use reasoning_effort='none' to enable sampling parameters.",
        request(temperature=0.2, reasoning_effort="high"),
        {Drop("temperature")},
    ),
    ("#/components/schemas/ChatMessage does not define properties: reasoning", HISTORY, set()),
    (
        (
            "The JSON property 'reasoning' could not be mapped to any .NET member contained in type "
            "'Contoso.Chat.ChatMessage'."
        ),
        HISTORY,
        set(),
    ),
    ({"detail": "Property 'reasoning' was not expected at messages[1]"}, HISTORY, set()),
    (
        {"errors": {"json": {"images": ["Longer than maximum length 4."]}}},
        request(images=["a", "b", "c", "d", "e"]),
        set(),
    ),
    ({"errors": {"documents": ["Longer than maximum length 100."]}}, request(documents=[{"text": "x"}] * 101), set()),
    ("The top p field is prohibited unless temperature is in 1.", request(top_p=0.9, temperature=0.7), set()),
    ("Use of this voice is prohibited in your region.", request(voice="alloy"), set()),
    (
        "A system message was not expected at index 2; only the first message may have the system role.",
        TWO_SYSTEMS,
        set(),
    ),
    ("Multiple system messages are prohibited.", TWO_SYSTEMS, set()),
    (
        {
            "errors": [
                {"detail": "reasoning is not allowed.", "source": {"pointer": "/data/attributes/messages/1/reasoning"}}
            ]
        },
        HISTORY,
        set(),
    ),
    (
        "seed is not supported by this provider (use provider.sort='price' to route to one that does)",
        request(seed=1, provider={"sort": "latency"}),
        {Drop("seed")},
    ),
    ("El par\u00e1metro max_tokens no est\u00e1 permitido en el plan gratuito.", request(max_tokens=8000), set()),
    # An image size is a text, not a count: its new name is taken.
    ("size is not supported for this model; use image_size", request(size="1024x1024"), {Rename("size", "image_size")}),
]


def _first(role: str, content: Any, **params: Any) -> dict[str, Any]:
    return {"model": "my-deployment", "messages": [{"role": role, "content": content}, USER], **params}


_IMAGE = [{"type": "text", "text": "describe"}, {"type": "image_url", "image_url": {"url": "https://x/a.png"}}]

# A sixth pass, on codes read by their words, more ways of giving a new name, "use X=V", conditions that hold the
# refused value, lists refused as values and CJK nouns: each case once made the reader learn a harmful fix.
SIXTH: list[tuple[object, dict[str, Any], set[Fix]]] = [
    # --- RENAME "uses / takes X" (group u widened with uses|takes|models take|APIs use) ---------------------------
    # Another param the model uses is not the refused param's new name.
    # HEAD: Rename(top_k -> top_p) puts 40 into top_p. Base: Drop(top_k) (right).
    (
        "'top_k' is not supported by this model, which uses 'top_p' for nucleus sampling.",
        request(top_k=40),
        {Drop("top_k")},
    ),
    # HEAD: Rename(logprobs -> include): include=True is no valid include list. Base: Drop(logprobs) (right).
    (
        "'logprobs' is not supported by this endpoint. The Responses API uses 'include' for extra outputs.",
        request(logprobs=True),
        {Drop("logprobs")},
    ),
    # HEAD: Rename(top_logprobs -> logprobs): the count 5 is sent as the boolean logprobs. Base: nothing (right).
    (
        "top_logprobs is not supported. This endpoint takes 'logprobs' for token probabilities.",
        request(top_logprobs=5),
        {Drop("top_logprobs")},
    ),
    # HEAD: SetValue(reasoning_effort, 'high' -> 'thinking'): the name of another API's param becomes a value.
    # Base: Drop(reasoning_effort) (right).
    (
        "'reasoning_effort' is not supported by this model. Anthropic models take 'thinking' for extended reasoning.",
        request(reasoning_effort="high"),
        {Drop("reasoning_effort")},
    ),
    # --- RENAME "this setting belongs in / lives at / goes in X" (group z) and "send it inside the X object as Y" --
    # The container the param goes in is not its new name. HEAD: Rename(top_k -> extra_body), extra_body=40.
    # Base: Drop(top_k) (right).
    ("Unknown parameter 'top_k'. This parameter belongs in 'extra_body'.", request(top_k=40), {Drop("top_k")}),
    # HEAD: Rename(enable_thinking -> chat_template_kwargs): chat_template_kwargs=false, a boolean for an object.
    # Base: Drop(enable_thinking).
    (
        "Unsupported parameter: 'enable_thinking'. This setting belongs in 'chat_template_kwargs'.",
        request(enable_thinking=False),
        {Drop("enable_thinking"), Rename("enable_thinking", "chat_template_kwargs.enable_thinking")},
    ),
    # HEAD: SetValue(data_collection, 'deny' -> 'provider'). Base: Drop(data_collection).
    (
        "Unknown parameter 'data_collection'. This setting belongs in the 'provider' object.",
        request(data_collection="deny"),
        {Drop("data_collection"), Rename("data_collection", "provider.data_collection")},
    ),
    # HEAD: SetValue(reasoning_effort, 'high' -> 'effort'): the leaf name read as a value. Base: Drop(reasoning_effort).
    (
        (
            "Unsupported parameter: 'reasoning_effort'. In the Responses API, send it inside the 'reasoning' object as "
            "'effort'."
        ),
        request(reasoning_effort="high"),
        {Drop("reasoning_effort"), Rename("reasoning_effort", "reasoning.effort")},
    ),
    # --- RENAME "this parameter is named X" (group g, a verdict by itself) and "the current ... name is X" -------
    # A note about another API is no rename here: HEAD Rename(max_tokens -> max_output_tokens) on a chat request
    # loses the bound (and the cap). Base: Clamp(max_tokens, None, 4096) (right).
    (
        (
            "max_tokens must be less than or equal to 4096. (In the Responses API this parameter is named "
            "max_output_tokens.)"
        ),
        request(max_tokens=8000),
        {Clamp("max_tokens", None, 4096)},
    ),
    # HEAD: SetValue(safety_identifier, 's1' -> 'user'): every later call sends the identifier "user".
    # Base: Drop(safety_identifier).
    (
        (
            "Unknown parameter 'safety_identifier'. The current field name is 'user' (safety_identifier will be "
            "available in a future version)."
        ),
        request(safety_identifier="s1"),
        {Drop("safety_identifier"), Rename("safety_identifier", "user")},
    ),
    # --- CJK renames: RENAME group v (已替换为) and RENAMED_BEFORE (に変更され) -------------------------------------
    # "temperature is not supported, replaced by top_p sampling". HEAD: Rename(temperature -> top_p), 0.2 into
    # top_p. Base: Drop(temperature) (right).
    ("temperature 参数不支持\uff0c已替换为 top_p 采样。", request(temperature=0.2), {Drop("temperature")}),
    # "top_k is an invalid parameter for this model. The sampling method was changed to 'top_p'." HEAD:
    # Rename(top_k -> top_p). Base: nothing (right).
    (
        "top_k はこのモデルでは無効なパラメータです。サンプリング方式は 'top_p' に変更されました。",
        request(top_k=40),
        {Drop("top_k")},
    ),
    # --- a rename beats a one-sided pair (renames = ... or NEGATIVE) ---------------------------------------------
    # "use the other one instead" names the other param of the pair, not a new name. HEAD: Rename(top_p ->
    # temperature), 0.9 into temperature. Base: Drop(top_p) (right). ("can't be used" is also new in NEGATIVE.)
    (
        "'top_p' can't be used together with 'temperature' on this model; use 'temperature' instead.",
        request(top_p=0.9),
        {Drop("top_p")},
    ),
    # HEAD: Rename(frequency_penalty -> repetition_penalty): 0.5 as a repetition_penalty (neutral is 1.0) asks for
    # MORE repetition. Base: Drop(frequency_penalty) (right).
    (
        (
            "'frequency_penalty' cannot be used with 'repetition_penalty' on this backend; use 'repetition_penalty' "
            "instead."
        ),
        request(frequency_penalty=0.5),
        {Drop("frequency_penalty")},
    ),
    # --- "can't be used/set/provided" as a verdict ---------------------------------------------------------------
    # A content-filter outcome, not a refusal of the param. HEAD: Drop(logprobs). Base: nothing (right).
    ("logprobs can't be provided because the content was filtered.", request(logprobs=True), set()),
    # --- SET_TO "use/send/pass X=V" ------------------------------------------------------------------------------
    # An example value is not the value to send: HEAD SetValue(seed, '12345' -> 42) changes the caller's seed.
    # Base: SetValue(seed, '12345' -> 12345) (right).
    (
        "Invalid type for 'seed': expected an integer, but got a string instead. Example: pass seed=42.",
        request(seed="12345"),
        {SetValue("seed", "12345", 12345)},
    ),
    # A docs-style placeholder: HEAD SetValue(reasoning_effort, 'minimal' -> 'low|medium|high').
    # Base: Drop(reasoning_effort).
    (
        "Invalid reasoning_effort 'minimal'. Use reasoning_effort=\"low|medium|high\".",
        request(reasoning_effort="minimal"),
        {SetValue("reasoning_effort", "minimal", "low"), Drop("reasoning_effort")},
    ),
    # Advice for other models: HEAD SetValue(reasoning_effort, 'high' -> 'medium') on a model that takes no
    # reasoning_effort at all. Base: Drop(reasoning_effort) (right).
    (
        (
            "The parameter reasoning_effort is not supported for gpt-4o. For o-series models use "
            "reasoning_effort='medium'."
        ),
        request(reasoning_effort="high"),
        {Drop("reasoning_effort")},
    ),
    # --- _condition_is_subject: the param after "for" becomes the subject and EVERY condition is cleared ---------
    # HEAD: Drop(service_tier) on every call, streaming or not. Base: nothing.
    (
        "'flex' is not supported for 'service_tier' when stream is true.",
        request(service_tier="flex", stream=True),
        {Drop("service_tier", when=Condition("stream", present=True))},
    ),
    # HEAD: Drop(reasoning_effort) on every call, with tools or without. Base: nothing.
    (
        "Unsupported value: 'high' is not supported for 'reasoning_effort' when tools are present.",
        request(reasoning_effort="high", tools=[{"type": "function", "function": {"name": "f", "parameters": {}}}]),
        {Drop("reasoning_effort", when=Condition("tools", present=True))},
    ),
    # w-049's own wording with a condition: HEAD Drop(reasoning.summary) also for non-streaming calls. Base: nothing.
    (
        "Unsupported value: 'detailed' is not supported for 'reasoning.summary' with streaming.",
        request(reasoning={"effort": "low", "summary": "detailed"}, stream=True),
        {Drop("reasoning.summary", when=Condition("stream", present=True))},
    ),
    # An account state (verification), not a rule of the deployment. HEAD: Drop(service_tier). Base: nothing.
    (
        "'priority' is not supported for 'service_tier' until your organization is verified.",
        request(service_tier="priority"),
        set(),
    ),
    # --- a list/object refused as a value with nothing else said is dropped (_fix) -------------------------------
    # One stop string is too long: HEAD drops all stop sequences (output no longer stops). Base: nothing.
    (
        (
            "Invalid 'stop': string too long. Expected a string with maximum length 20, but got a string with "
            "length 30 instead."
        ),
        request(stop=["a" * 30]),
        set(),
    ),
    # A model-not-found lookalike: HEAD drops OpenRouter's fallback list, so routing silently changes. Base: nothing.
    (
        "Invalid value for 'models': 'anthropic/claude-3-opus' is not a valid model ID.",
        request(models=["anthropic/claude-3-opus", "openai/gpt-4o"]),
        set(),
    ),
    # --- code_says: codes read by their words (INVALID_PARAMETER_VALUE, InvalidParameter.UnsupportedModel) -------
    # Databricks context length, read as "(invalid value)" of the stop list: HEAD Drop(stop). Base: nothing.
    (
        {
            "error_code": "INVALID_PARAMETER_VALUE",
            "message": "INVALID_PARAMETER_VALUE: Input is too long for this endpoint. The prompt plus max_tokens must "
            "fit in 8192 tokens; stop sequences count toward the limit.",
        },
        request(stop=["END"], max_tokens=2000),
        set(),
    ),
    # A guardrail (content) refusal: HEAD Drop(metadata) on every later call. Base: nothing.
    (
        {
            "error_code": "INVALID_PARAMETER_VALUE",
            "message": "INVALID_PARAMETER_VALUE: Guardrail check failed: the request metadata contains PII.",
        },
        request(metadata={"email": "a@b.c"}),
        set(),
    ),
    # Volcengine Ark's code on a passing outage: HEAD Drop(thinking) for good. Base: nothing.
    (
        {
            "error": {
                "code": "InvalidParameter.UnsupportedModel",
                "message": "The request failed because the selected model ep-20250101 is being upgraded; thinking "
                "will be available again shortly.",
                "type": "BadRequest",
            }
        },
        request(thinking={"type": "enabled"}),
        set(),
    ),
    # --- CJK nouns calling a bare word a param (called_a_param) --------------------------------------------------
    # A content-safety refusal ("personal information is not allowed in the user param"): HEAD Drop(user).
    # Base: nothing.
    ("内容安全检查未通过\uff1a不支持在 user 参数中包含个人信息。", request(user="alice@example.com"), set()),
    # --- ROLE_TO_USER: "in a user message" folds any refused role into the user message --------------------------
    # The image is refused, not the role. HEAD: ChangeRole(developer -> user), instructions demoted to user text.
    # Base ALSO WRONG, more mildly: ChangeRole(developer -> system).
    (
        (
            "Invalid 'messages[0]'. Image URLs are only allowed for messages with role 'user', but this message with "
            "role 'developer' contains an image URL. Put images in a user message."
        ),
        _first("developer", _IMAGE),
        set(),
    ),
    # The 'name' field is refused, not the role. HEAD: ChangeRole(developer -> user).
    # Base ALSO WRONG, more mildly: ChangeRole(developer -> system).
    (
        (
            "Invalid 'messages[0].name': the 'name' field is not supported for 'developer' messages. Put the speaker "
            "name in the user message."
        ),
        _first("developer", "be brief"),
        set(),
    ),
]


def _embed(**params: Any) -> dict[str, Any]:
    return {"model": "embed-v3", "input": ["hello there"], **params}


# A seventh pass, on other languages, pairs of names, equivalents, ranges and conditions: each case once made the
# reader learn a harmful fix.
SEVENTH: list[tuple[object, dict[str, Any], set[Fix]]] = [
    # --- RENAME: "the … equivalent/counterpart … is Y" (group r widened to any word before "equivalent") -----------
    # A similar knob on another scale is no new name: top_k=40 lands in top_p (range 0-1).
    # HEAD: Rename(top_k -> top_p). Base: Drop(top_k) (right).
    (
        "'top_k' is not supported by this model; the closest equivalent is top_p.",
        request(top_k=40),
        {Drop("top_k")},
    ),
    # HEAD: Rename(presence_penalty -> repetition_penalty): 0.5 is a repetition_penalty below 1 (it rewards repeats).
    # Base: Drop(presence_penalty) (right).
    (
        "presence_penalty is not supported; the closest counterpart is repetition_penalty.",
        request(presence_penalty=0.5),
        {Drop("presence_penalty")},
    ),
    # The body even says the two differ. HEAD: Rename(frequency_penalty -> repetition_penalty). Base: Drop (right).
    (
        (
            "'frequency_penalty' is not supported by this model; the closest equivalent is repetition_penalty, "
            "which works differently."
        ),
        request(frequency_penalty=0.5),
        {Drop("frequency_penalty")},
    ),
    # --- RENAME: "(calls|names) (this|it|the W) … Y" (now "names" too) ----------------------------------------------
    # A note about another API comes first: on Chat Completions max_output_tokens is unknown.
    # HEAD: Rename(max_tokens -> max_output_tokens). Base: Drop(max_tokens) (also wrong: the cap is lost).
    # --- RENAME: "its successor, Y" / "the replacement is Y" (group bb) ----------------------------------------------
    # The successor is a model (a Bedrock id, dotted): HEAD: Rename(top_k -> anthropic.claude). Base: Drop (right).
    (
        (
            "'top_k' is not supported by anthropic.claude-v2, which is deprecated; its successor, "
            "anthropic.claude-3-haiku-20240307-v1:0, supports it."
        ),
        request(top_k=40),
        {Drop("top_k")},
    ),
    # The replacement is a field of the response, not of the request.
    # HEAD: Rename(top_logprobs -> logprobs.content): logprobs=true becomes an object. Base: Drop(top_logprobs) (right).
    (
        (
            "'top_logprobs' is not supported for this model; the replacement is logprobs.content[].top_logprobs in the "
            "response body."
        ),
        request(logprobs=True, top_logprobs=5),
        {Drop("top_logprobs")},
    ),
    # --- RENAME: "(pass|send) it … through Y" (group n: "through" added) ----------------------------------------------
    # extra_body is the SDK's way to merge keys into the body, not a key of it.
    # HEAD: Rename(top_k -> extra_body): sends "extra_body": 40. Base: Drop(top_k).
    (
        "'top_k' is not supported by this provider. Pass it through extra_body.",
        request(top_k=40),
        {Drop("top_k")},
    ),
    # --- RENAME in other languages: usa / utilizza ("uses"), se llama / s'appelle ("is called"), heißt
    # -----------------
    # Spanish "que usa" is "which uses" (the pass-six "which uses 'top_p'" bug, in Spanish).
    # HEAD: Rename(top_k -> top_p). Base: Drop(top_k) (right).
    (
        "El parámetro 'top_k' no es compatible con este modelo, que usa top_p para el muestreo.",
        request(top_k=40),
        {Drop("top_k")},
    ),
    # Italian "utilizza" (uses). HEAD: Rename(top_k -> top_p). Base: Drop(top_k) (right).
    (
        "Il parametro 'top_k' non è supportato: questo modello utilizza top_p.",
        request(top_k=40),
        {Drop("top_k")},
    ),
    # Portuguese "usa" (uses). HEAD: Rename(top_k -> top_p). Base: Drop(top_k) (right).
    (
        "O parâmetro 'top_k' não é suportado; este modelo usa top_p.",
        request(top_k=40),
        {Drop("top_k")},
    ),
    # Italian "usa" + a model to switch to (a Bedrock id is dotted; the lookahead only knows the word "modello").
    # HEAD: Rename(top_k -> meta.llama3). Base: Drop(top_k) (right).
    (
        "Il parametro 'top_k' non è supportato da questo modello; usa meta.llama3-1-70b-instruct-v1:0.",
        request(top_k=40),
        {Drop("top_k")},
    ),
    # "se llama" names the tool, not the param. HEAD: Rename(parallel_tool_calls -> web_search). Base: Drop (right).
    (
        (
            "'parallel_tool_calls' no es compatible con la herramienta integrada; la herramienta se llama web_search y "
            "solo admite una llamada por turno."
        ),
        request(parallel_tool_calls=True),
        {Drop("parallel_tool_calls")},
    ),
    # "s'appelle" names the function. HEAD: Rename(parallel_tool_calls -> get_weather). Base: Drop (right).
    (
        (
            "« parallel_tool_calls » n'est pas pris en charge : la fonction s'appelle get_weather et ne peut être "
            "appelée qu'une fois par tour."
        ),
        request(parallel_tool_calls=True),
        {Drop("parallel_tool_calls")},
    ),
    # German "das heißt" is "that is" (i.e.), not "is called". HEAD: Rename(top_k -> top_p). Base: Drop (right).
    (
        "Der Parameter 'top_k' wird nicht unterstützt, das heißt top_p ist die einzige Sampling-Option.",
        request(top_k=40),
        {Drop("top_k")},
    ),
    # --- RENAME_PAIR / _renamed_pairs: a rename by both names, with none of the single rename's guards ---------------
    # "must be specified as A or B" lists values, not a new name.
    # HEAD: Rename(input_type -> search_document). Base: Drop(input_type).
    (
        "input_type must be specified as search_document or search_query for embed-v3 models.",
        _embed(input_type="query"),
        {Drop("input_type"), SetValue("input_type", "query", "search_query")},
    ),
    # Values that are dotted: HEAD: Rename(task -> retrieval.query) nests "query" under retrieval. Base: nothing.
    (
        "task must be specified as retrieval.query or retrieval.passage for jina-embeddings-v3.",
        _embed(task="query"),
        {Drop("task"), SetValue("task", "query", "retrieval.query")},
    ),
    # "(use A or B)" after a param lists its values (Groq's service tiers).
    # HEAD: Rename(service_tier -> on_demand). Base: Drop(service_tier).
    (
        "Unsupported value: 'service_tier' (use on_demand or flex for this model).",
        request(service_tier="scale"),
        {
            Drop("service_tier"),
            SetValue("service_tier", "scale", "on_demand"),
            SetValue("service_tier", "scale", "flex"),
        },
    ),
    # The single rename never puts a number into a setting whose values are words ("'top_p' is not supported for o3;
    # use reasoning_effort" reads Drop); the pair does. HEAD: Rename(temperature -> reasoning_effort) sends
    # reasoning_effort=0.7. Base: Drop(temperature), Drop(top_p) (right).
    (
        "Unsupported parameters for o3: 'temperature' (use reasoning_effort), 'top_p'.",
        request(temperature=0.7, top_p=0.9),
        {Drop("temperature"), Drop("top_p")},
    ),
    # Same guard bypassed by "replace X with Y". HEAD: Rename(temperature -> reasoning_effort). Base: Drop (right).
    (
        "'temperature' is not supported with o3; replace temperature with reasoning_effort.",
        request(temperature=0.7),
        {Drop("temperature")},
    ),
    # The count guard bypassed: "high" is sent as thinking.budget_tokens.
    # HEAD: Rename(reasoning_effort -> thinking.budget_tokens). Base: Drop(reasoning_effort) (right).
    (
        "'reasoning_effort' is not supported for Claude models; replace reasoning_effort with thinking.budget_tokens.",
        request(reasoning_effort="high"),
        {Drop("reasoning_effort")},
    ),
    # "must be sent as token_id: bias pairs" describes the format of its keys.
    # HEAD: Rename(logit_bias -> token_id). Base: Drop(logit_bias).
    (
        "logit_bias must be sent as token_id: bias pairs, with integer token ids as keys.",
        request(logit_bias={"hello": 5}),
        {Drop("logit_bias")},
    ),
    # --- PAIR in other languages: "ne peut pas être utilisé avec", "non può essere usato con", "kann nicht zusammen"
    # ---
    # "cannot be used with a value above 4096" is a bound, read as a pair with one param sent: the param goes.
    # HEAD: Drop(max_tokens) on every later call (the caller's cap is lost). Base: nothing.
    (
        "« max_tokens » ne peut pas être utilisé avec une valeur supérieure à 4096 pour ce modèle.",
        request(max_tokens=8000),
        {Clamp("max_tokens", None, 4096)},
    ),
    # HEAD: Drop(temperature): every later temperature (0 included) is lost. Base: nothing.
    (
        "Il parametro 'temperature' non può essere usato con valori superiori a 1 per questo modello.",
        request(temperature=1.5),
        {Clamp("temperature", None, 1)},
    ),
    # The context window, in German ("max_tokens cannot together with the input come to more than 8192 tokens").
    # HEAD: Drop(max_tokens). Base: nothing.
    (
        "max_tokens kann nicht zusammen mit der Eingabe mehr als 8192 Tokens betragen.",
        request(max_tokens=4000),
        set(),
    ),
    # --- NEGATIVE in Indonesian ("tidak diizinkan") and VALUE_REFUSED in other languages
    # -------------------------------
    # A monthly quota, used up. HEAD: Drop(max_tokens). Base: nothing.
    (
        "Permintaan ditolak: kuota bulanan Anda telah habis. Nilai max_tokens tidak diizinkan melebihi sisa kuota.",
        request(max_tokens=4000),
        set(),
    ),
    # The model is refused; the value 'auto' is also service_tier's. HEAD: Drop(service_tier). Base: nothing (its
    # English "Invalid value for model: 'auto'" drops service_tier too: the old bug, now in Spanish, French, German,
    # Italian).
    (
        "Valor no válido para el modelo: 'auto'. Consulte la lista de modelos disponibles.",
        {"model": "auto", "messages": [USER], "service_tier": "auto"},
        set(),
    ),
    # --- RANGE_SPAN: German "Bereich" --------------------------------------------------------------------------------
    # A range of status codes. HEAD: Clamp(max_tokens, 400, 499) on every later call. Base: Drop(max_tokens).
    (
        "Client-Fehler (Statuscode im Bereich 400-499): max_tokens ist für dieses Modell nicht zulässig.",
        request(max_tokens=4000),
        {Drop("max_tokens")},
    ),
    # --- RANGE_AT_MOST: "exceeds the N … cap" ----------------------------------------------------------------------
    # A daily quota learned as a bound of the deployment. HEAD: Clamp(max_tokens, None, 10000). Base: nothing.
    (
        "max_tokens 20000 exceeds the 10000 daily token cap of your organization.",
        request(max_tokens=20000),
        set(),
    ),
    # --- CONDITION_WHEN_PRESENT: a mode named by its switch ('(enable_thinking=true)')
    # ---------------------------------
    # The switch is only the request's context; the fix is the number's type. HEAD: Drop(presence_penalty, when
    # enable_thinking is sent). Base: SetValue(presence_penalty, "0.5" -> 0.5) (right).
    (
        "Bad request for model qwen3-32b (enable_thinking=true): presence_penalty must be a number between -2 and 2.",
        request(presence_penalty="0.5", enable_thinking=True),
        {SetValue("presence_penalty", "0.5", 0.5)},
    ),
]


@pytest.mark.parametrize(("said", "sent", "expected"), SECOND + THIRD + FOURTH + FIFTH + SIXTH + SEVENTH)
def test_a_later_pass_teaches_nothing_wrong(said: object, sent: dict[str, Any], expected: set[Fix]) -> None:
    """Only the fixes listed may be learned (reading nothing is safe, reading something else is not)."""
    found = allowed(frozenset(read(400, _body(said), sent).fixes))
    assert found <= expected
