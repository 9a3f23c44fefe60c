"""Red-team pass nine on the reader: bodies that made its newer readings learn a harmful fix.

Guesses that share words with another setting, names said at a sentence's end, spellings the body refuses too,
excluded ends of a probability's range, a quota worded as an output budget, values of another setting, roles in
count and order wordings of other languages, conditions from "applies to", and bodies read again after their own
fix: each case is (said, sent, expected, why), and only the fixes listed may be learned.
"""

# ruff: noqa: E501 - each case keeps the reason it was found for, whole, beside it
from __future__ import annotations

from typing import Any

import pytest

from resilient_client._models import Clamp, Condition, Drop, Fix, Rename, SetValue
from resilient_client._reading import read
from tests.said import allowed

U = {"role": "user", "content": "hello there"}


def req(**p: Any) -> dict[str, Any]:
    return {"model": "my-deployment", "messages": [U], **p}


def env(msg: str, param: str | None = None, code: str | None = None) -> dict[str, Any]:
    return {"error": {"message": msg, "type": "invalid_request_error", "param": param, "code": code}}


def gemini(message: str) -> list[dict[str, Any]]:
    return [{"error": {"code": 400, "message": message, "status": "INVALID_ARGUMENT"}}]


T = [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object", "properties": {}}}}]
TWO_SYSTEMS = {"model": "m", "messages": [{"role": "system", "content": "Be brief."},
                                          {"role": "system", "content": "Answer in French."}, U]}  # fmt: skip
LATE_SYSTEM = {"model": "m", "messages": [U, {"role": "assistant", "content": "ok"},
                                          {"role": "system", "content": "Be brief."}]}  # fmt: skip
SYS_NAME = {"model": "m", "messages": [{"role": "system", "content": "You grade.", "name": "policy"}, U]}
DEV_NAME = {"model": "m", "messages": [{"role": "developer", "content": "You grade.", "name": "policy"}, U]}

NINTH: list[tuple[object, dict[str, Any], set[Fix] | None, str]] = [
    # ---- _kin: "did you mean X?" with two shared words that is ANOTHER setting --------------------------------
    (
        env(
            "Unknown parameter: 'max_reasoning_tokens'. Did you mean 'max_completion_tokens'?",
            param="max_reasoning_tokens",
            code="unknown_parameter",
        ),
        req(max_reasoning_tokens=2048),
        {Drop("max_reasoning_tokens")},
        (
            "OpenAI's nearest-spelling guess. the reader then renames to max_completion_tokens (_kin: {max,tokens} shared): the "
            "reasoning budget becomes the cap on the whole output, learned for every call; reasoning models then "
            "answer empty."
        ),
    ),
    (
        env(
            "Unknown parameter: 'max_thinking_tokens'. Did you mean 'max_output_tokens'?",
            param="max_thinking_tokens",
            code="unknown_parameter",
        ),
        {"model": "gpt-5", "input": "Plan a trip.", "max_thinking_tokens": 1024},
        {Drop("max_thinking_tokens")},
        (
            "Responses API guess. the reader then: Rename(max_thinking_tokens->max_output_tokens): a 1024 thinking budget caps "
            "the visible answer at 1024 tokens (reasoning included)."
        ),
    ),
    (
        env(
            "Unknown parameter: 'prompt_cache_retention'. Did you mean 'prompt_cache_key'?",
            param="prompt_cache_retention",
            code="unknown_parameter",
        ),
        req(prompt_cache_retention="24h"),
        {Drop("prompt_cache_retention")},
        (
            "Azure api-version that knows prompt_cache_key but not the newer prompt_cache_retention. the reader then renames: "
            "'24h' is sent as every call's cache routing key (another setting; _kin: {prompt,cache} shared)."
        ),
    ),
    (
        {
            "error": {
                "message": "property 'chat_template_kwargs' is unsupported, did you mean 'chat_template'?",
                "type": "invalid_request_error",
            }
        },
        req(chat_template_kwargs={"enable_thinking": False}),
        {Drop("chat_template_kwargs")},
        (
            "Groq-style guess. the reader then: Rename(chat_template_kwargs->chat_template): a kwargs dict sent as the Jinja "
            "template itself (_kin: 2 of 3 words)."
        ),
    ),
    # ---- RENAME 'is called / is named X' at a sentence end -----------------------------------------------------
    (
        env(
            "Unsupported parameter: 'seed' is not supported on this deployment. Your deployment is named gpt4o_prod.",
            param="seed",
        ),
        req(seed=5),
        {Drop("seed")},
        (
            "the reader then: Rename(seed->gpt4o_prod): the deployment's name read as seed's new name (RENAME k, new lookahead "
            "'(?=\\s*(?:$|[.;,()]))')."
        ),
    ),
    (
        env(
            "'top_k' is not supported. In this API the nucleus sampling threshold is called top_p; "
            "top-k sampling is not available.",
            param="top_k",
        ),
        req(top_k=40),
        {Drop("top_k")},
        "the reader then: Rename(top_k->top_p): top_p=40, another setting (then clamped to 1 = sampling changed).",
    ),
    (
        env(
            "'logprobs' is not supported on this deployment. The field for per-token scores is called top_logprobs.",
            param="logprobs",
        ),
        req(logprobs=True),
        {Drop("logprobs")},
        "the reader then: Rename(logprobs->top_logprobs): a boolean sent as a count, under another param.",
    ),
    (
        env(
            "'max_tokens' is not supported with reasoning models. The cap on hidden reasoning is called "
            "max_reasoning_tokens.",
            param="max_tokens",
        ),
        req(max_tokens=4000),
        {Drop("max_tokens")},
        "the reader then: Rename(max_tokens->max_reasoning_tokens): the output cap moved onto the reasoning budget.",
    ),
    # ---- _respelled: the other spelling is named as refused too (an echo, not a hint) --------------------------
    (
        (
            "Unsupported parameter 'num_ctx': the OpenAI-compatible endpoint does not read options.num_ctx either; "
            "set the context size in the Modelfile."
        ),
        req(num_ctx=8192),
        {Drop("num_ctx")},
        (
            "the reader then: Rename(num_ctx->options.num_ctx) although the body says options.num_ctx is not read either; the "
            "next read drops options.num_ctx (two round trips, a wrong rule kept)."
        ),
    ),
    (
        "Unknown parameter 'effort'. Note that reasoning.effort is also not supported for this model.",
        req(effort="low"),
        {Drop("effort")},
        "the reader then: Rename(effort->reasoning.effort), the path the body calls unsupported (_respelled, dotted).",
    ),
    (
        (
            "Unsupported parameter: 'top_k'. Bedrock rejected the mapped field 'topK': extraneous key [topK] is not "
            "permitted."
        ),
        req(top_k=40),
        {Drop("top_k")},
        "Gateway quoting its upstream's refusal of its own mapping. the reader then: Rename(top_k->topK) (_respelled).",
    ),
    (
        "Parameter 'top_k' (alias 'topK') is not supported by this model.",
        req(top_k=40),
        {Drop("top_k")},
        "An alias echoed, refused with the name. the reader then: Rename(top_k->topK); re-read then Drop(topK).",
    ),
    (
        (
            "budget_tokens: Extra inputs are not permitted. Extended thinking is unavailable on this model, so do not "
            "nest it as thinking.budget_tokens either."
        ),
        req(max_tokens=1000, budget_tokens=500),
        {Drop("budget_tokens")},
        (
            "'do not nest it as X' read as 'nest it as X' (new verb 'nest' in RENAME, no negation; _respelled takes it "
            "too). the reader then: Rename into thinking.budget_tokens, creating a thinking object; the re-read drops 'thinking'."
        ),
    ),
    # ---- idempotence: the same body read again against the fixed request ----------------------------------------
    (
        {
            "type": "error",
            "error": {
                "type": "invalid_request_error",
                "message": "budget_tokens: Extra inputs are not permitted. Did you mean thinking.budget_tokens?",
            },
        },
        {
            "model": "claude-sonnet-4-5",
            "messages": [U],
            "max_tokens": 4000,
            "thinking": {"type": "enabled", "budget_tokens": 2000},
        },
        None,
        (
            "aa-045 AFTER its own fix (Rename budget_tokens->thinking.budget_tokens): the reader then now derives "
            "Drop(thinking.budget_tokens), undoing the fix it just made (_moved_to guess + tail grounding)."
        ),
    ),
    (
        "Unrecognized field 'max_tokens'. Known fields: model, messages, maxTokens, temperature",
        req(maxTokens=100),
        None,
        (
            "The list case after the reader's own Rename(max_tokens->maxTokens): the same body now derives Drop(maxTokens) "
            "(_respelled + spelling grounding): the rename is undone."
        ),
    ),
    # ---- the one value accepted: 'only accepts x=v' is never checked against the param -------------------------
    (
        env(
            "Unsupported value: 'max_tokens' 8192 is not supported for this request; this model only accepts n=1 "
            "with max_tokens above 4096.",
            param="max_tokens",
        ),
        req(max_tokens=8192, n=2),
        {SetValue("n", 2, 1)},
        (
            "the reader then: SetValue(max_tokens, 8192 -> 1): n's value given to max_tokens (ONLY_VALUE value6 has no name "
            "group, so _names() is never asked). n is protected: a correct client raises RepairBlockedError."
        ),
    ),
    (
        env(
            "'presence_penalty' is not supported by this model; it only accepts temperature=1.",
            param="presence_penalty",
        ),
        req(presence_penalty=0.6),
        {Drop("presence_penalty")},
        "the reader then: SetValue(presence_penalty, 0.6 -> 1): temperature's value raises the penalty (ONLY_VALUE value6).",
    ),
    (
        env(
            "Unsupported value: 'top_k' 50 is not supported; greedy decoding only accepts temperature=0.", param="top_k"
        ),
        req(top_k=50),
        {Drop("top_k")},
        "the reader then: SetValue(top_k, 50 -> 0) from temperature=0 (ONLY_VALUE value6).",
    ),
    # ---- 'output budget' is no money: but a key's/team's remaining output budget is a quota ---------------------
    (
        env(
            "Requested max_tokens (4000) exceeds the remaining output budget for this virtual key; max_tokens must "
            "be less than or equal to 1200.",
            param="max_tokens",
        ),
        req(max_tokens=4000),
        None,
        (
            "Gateway quota (LiteLLM-style virtual key). the reader then: Clamp(max_tokens, max=1200), learned for the deployment "
            "after the quota resets (FINAL_WORDS budget lookbehind (?<!output budget))."
        ),
    ),
    (
        env(
            "ExceededTokenBudget: team 'research' has 1200 tokens left of its daily output budget. max_tokens must "
            "be <= 1200.",
            param="max_tokens",
        ),
        req(max_tokens=4000),
        None,
        "Same: a daily quota read as a bound. the reader then: Clamp(max_tokens, max=1200).",
    ),
    # ---- excluded ends: 'integral' is taken from the value SENT, not from the param ----------------------------
    (
        env("p must be in (0, 1), got 1", param="p"),
        req(p=1),
        {Drop("p")},
        (
            "Cohere-style nucleus 'p' sent as 1. the reader then: Clamp(p, max=0): a bound the open low end excludes; every later "
            "p (0.75) is forced to 0. _FRACTION_NAME misses 'p', and _inside() makes 1) into 0."
        ),
    ),
    (
        env("top_a must be in [0, 1), got 2", param="top_a"),
        req(top_a=2),
        {Drop("top_a")},
        "OpenRouter/Aphrodite top_a sent as 2. the reader then: Clamp(top_a, 0, 0): every later top_a becomes 0 (off).",
    ),
    (
        gemini(
            "Unable to submit request because it has a maxOutputTokens value of 100000 but the supported range "
            "is from 1 (inclusive) to 65537 (exclusive). Update the value and try again."
        ),
        {"contents": [{"role": "user", "parts": [{"text": "hi"}]}], "generationConfig": {"maxOutputTokens": 100000.0}},
        {Clamp("generationConfig.maxOutputTokens", 1, 65536)},
        (
            "A count sent as 100000.0: 'integral' is False, so the excluded end bounds nothing and the reader then derives "
            "nothing; the base clamped to 65536."
        ),
    ),
    # ---- a fraction sent for an integer: dropped for EVERY later call ----------------------------------------
    (
        {
            "detail": [
                {
                    "type": "int_from_float",
                    "loc": ["body", "max_tokens"],
                    "msg": "Input should be a valid integer, got a number with a fractional part",
                    "input": 100.5,
                }
            ]
        },
        req(max_tokens=100.5),
        {SetValue("max_tokens", 100.5, 100)},
        (
            "the reader then: unconditional Drop(max_tokens), learned for the deployment: later calls with max_tokens=500 lose "
            "their output cap (cost, length). The value is what is refused: scope it (old=100.5 -> None, or -> 100)."
        ),
    ),
    (
        {
            "detail": [
                {
                    "type": "int_from_float",
                    "loc": ["body", "seed"],
                    "msg": "Input should be a valid integer, got a number with a fractional part",
                    "input": 0.5,
                }
            ]
        },
        req(seed=0.5),
        {SetValue("seed", 0.5, 0)},
        "the reader then: Drop(seed) for every later call: reproducible calls silently become random.",
    ),
    # ---- roles: the new nouns ('turns', rol/rôle/Rolle/ruolo/papel) bypass the order/count/field guards -------
    (
        "Multiple system turns are not supported; combine them into one.",
        TWO_SYSTEMS,
        None,
        "A count. 'Multiple system messages …' derives nothing; the reader then with 'turns': ChangeRole(system->developer).",
    ),
    (
        "System turns after the first user turn are not supported.",
        LATE_SYSTEM,
        None,
        "An order. the reader then: ChangeRole(system->developer) for every call.",
    ),
    (
        "Le rôle « system » n'est pas pris en charge après le premier message.",
        LATE_SYSTEM,
        None,
        (
            "French order ('after the first message'). English 'The role 'system' is not supported after the first "
            "message' derives nothing; the reader then: ChangeRole(system->developer)."
        ),
    ),
    (
        "No se admite más de un mensaje con el rol 'system'.",
        TWO_SYSTEMS,
        None,
        "Spanish count ('more than one message with role system'). the reader then: ChangeRole(system->developer).",
    ),
    (
        "Il campo 'name' non è supportato per il ruolo 'system'.",
        SYS_NAME,
        None,
        "Italian: the name field, not the role. English equivalent derives nothing; the reader then: ChangeRole(system->developer).",
    ),
    (
        "Das Feld 'name' wird für die Rolle 'developer' nicht unterstützt.",
        DEV_NAME,
        None,
        "German: the name field of developer messages. the reader then: ChangeRole(developer->system).",
    ),
    # ---- conditions: 'applies to' (with optional 'only') + 'first condition that names a param' ----------------
    (
        env("'top_k' is not supported when 'tools' are provided; the same applies to 'top_p'.", param="top_k"),
        req(top_k=5, top_p=0.9, tools=T),
        {Drop("top_k", when=Condition("tools", present=True)), Drop("top_p", when=Condition("tools", present=True))},
        (
            "'the same applies to top_p' is taken as 'only when top_p is absent' before the real WHEN_PRESENT condition; "
            "the reader then derives nothing (the base got both drops)."
        ),
    ),
    (
        env(
            "Unsupported value: 'temperature' does not support 0.2 with this model. Only the default (1) value is "
            "supported. This also applies to 'top_p'.",
            param="temperature",
        ),
        req(temperature=0.2, top_p=0.5),
        {Drop("temperature"), Drop("top_p")},
        "the reader then: nothing ('applies to top_p' becomes a condition on top_p; both findings vanish).",
    ),
    (
        env(
            "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' "
            "instead. (This applies to `o1` and `o3-mini`.)",
            param="max_tokens",
            code="unsupported_parameter",
        ),
        req(max_tokens=500),
        {Rename("max_tokens", "max_completion_tokens")},
        "Model names after 'applies to' become a condition; the Azure rename is lost (the reader then: nothing).",
    ),
    (
        env(
            "Unsupported parameter: 'logprobs'. This restriction applies to streaming and non-streaming requests "
            "alike.",
            param="logprobs",
        ),
        req(logprobs=True, stream=True),
        {Drop("logprobs")},
        (
            "the reader then reads 'applies to streaming' as 'only without stream': Drop(logprobs, unless stream), which changes "
            "nothing on a streamed call: nothing derived (the base dropped it)."
        ),
    ),
    (
        env(
            "'presence_penalty' is not supported with this model. (The same restriction applies when "
            "'frequency_penalty' is set.)",
            param="presence_penalty",
        ),
        req(presence_penalty=0.5),
        {Drop("presence_penalty")},
        (
            "the reader then: Drop(presence_penalty, unless frequency_penalty): calls that also send frequency_penalty keep "
            "failing; the statement is unconditional."
        ),
    ),
    (
        env(
            "`stream_options` cannot be used with streaming disabled. Set stream to true or remove stream_options.",
            param="stream_options",
        ),
        req(stream_options={"include_usage": True}, stream=False),
        {Drop("stream_options", when=Condition("stream", present=False))},
        (
            "'cannot be used with streaming' + 'disabled' read as 'while stream is on' (name10 'streaming'): the "
            "inverted condition changes nothing here, the reader then derives nothing (the base dropped it)."
        ),
    ),
    (
        env(
            "'max_completion_tokens' was provided but 'max_tokens' is missing; this endpoint requires max_tokens.",
            param="max_completion_tokens",
        ),
        req(max_completion_tokens=500),
        {Rename("max_completion_tokens", "max_tokens")},
        (
            "'provided but X is missing' (name16) read as 'drop unless X': the reader then leaves the output cap out, and the "
            "endpoint then refuses the missing max_tokens."
        ),
    ),
    (
        env(
            "Streaming is not supported with structured outputs; `max_tokens` must be at most 4096.", param="max_tokens"
        ),
        req(
            max_tokens=4096,
            stream=True,
            response_format={"type": "json_schema", "json_schema": {"name": "x", "schema": {"type": "object"}}},
        ),
        None,
        (
            "Idempotence: after the reader's own Clamp(max_tokens<=4096), the same body derives Drop(max_tokens, while "
            "response_format) (name16 'structured outputs'), a conflicting second rule."
        ),
    ),
    # ---- scale case-folding ------------------------------------------------------------------------------------
    (
        env("Invalid enum value. Expected 'LOW' | 'MEDIUM' | 'HIGH', received 'minimal'", param="reasoning_effort"),
        req(reasoning_effort="minimal"),
        {SetValue("reasoning_effort", "minimal", "LOW")},
        (
            "zod enums are case-sensitive. the reader then: SetValue(minimal -> 'low'), a value the body does not allow; the next "
            "call fails and a second rule low->LOW is learned."
        ),
    ),
]


def _body(said: object) -> object:
    return said if not isinstance(said, str) else {"error": {"message": said, "type": "invalid_request_error"}}


@pytest.mark.parametrize(("said", "sent", "expected", "why"), NINTH)
def test_a_ninth_pass_teaches_nothing_wrong(
    said: object, sent: dict[str, Any], expected: set[Fix] | None, why: str
) -> None:
    """Only the fixes listed may be learned (reading nothing is safe, reading something else is not)."""
    assert why
    assert allowed(frozenset(read(400, _body(said), sent).fixes)) <= (expected or set())
