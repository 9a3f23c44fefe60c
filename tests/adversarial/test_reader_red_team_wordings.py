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

from resilient_client._core import blocked_param
from resilient_client._models import Clamp, Condition, Drop, Fix, RepairPolicy, SetValue
from resilient_client._reading import read

USER = {"role": "user", "content": "hello there"}


def request(**params: Any) -> dict[str, Any]:
    return {"model": "m", "messages": [USER], **params}


def fixes(message: str, sent: dict[str, Any]) -> frozenset[Fix]:
    body = {"error": {"message": message, "type": "invalid_request_error", "param": None, "code": None}}
    return frozenset(read(400, body, sent).fixes)


def allowed(found: frozenset[Fix]) -> set[Fix]:
    return {fix for fix in found if blocked_param(fix, RepairPolicy()) is None}


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
