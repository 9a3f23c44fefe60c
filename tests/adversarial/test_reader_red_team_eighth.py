"""Red-team pass eight on the reader: bodies that once made it learn a harmful fix.

Roles in Chinese, Japanese and Korean words that were about what a message holds or where it stands, conditions
read from words that name no param, values that were retired or do not exist, pairs refused "together", and
renames into another param: each case is (said, sent, expected), and only the fixes listed may be learned.
"""

from __future__ import annotations

from typing import Any

import pytest

from resilient_client._models import Condition, Drop, Fix, SetValue
from resilient_client._reading import read
from tests.said import allowed

USER = {"role": "user", "content": "hello there"}


def _req(**params: Any) -> dict[str, Any]:
    return {"model": "my-deployment", "messages": [USER], **params}


def _first(role: str, content: Any = "You are terse.", **fields: Any) -> dict[str, Any]:
    return {"model": "my-deployment", "messages": [{"role": role, "content": content, **fields}, USER]}


# A system message that comes after the conversation started (an order problem, not a refused role).
_LATE_SYSTEM = {
    "model": "my-deployment",
    "messages": [USER, {"role": "assistant", "content": "ok"}, {"role": "system", "content": "Be brief."}],
}
_TWO_SYSTEMS = {
    "model": "my-deployment",
    "messages": [{"role": "system", "content": "Be brief."}, {"role": "system", "content": "Answer in French."}, USER],
}
_IMAGE = [
    {"type": "text", "text": "You are terse."},
    {"type": "image_url", "image_url": {"url": "https://example.com/logo.png"}},
]
_STREAM_OPTS = {"include_usage": True}

EIGHTH: list[tuple[object, dict[str, Any], set[Fix]]] = [
    # --- roles in Chinese/Japanese/Korean words (ROLE_WORD e/f, CJK refusal in _refused_role) -------------------
    # A restriction on what a system message may hold, not on the role: "cache_control is not supported in
    # system-role messages". HEAD: ChangeRole(system->developer). Base: nothing (ok).
    (
        "不支持在 system 角色消息中使用 cache_control",
        _first("system", [{"type": "text", "text": "x", "cache_control": {"type": "ephemeral"}}]),
        set(),
    ),
    # "Images are not supported in system-role messages": about the image. HEAD: ChangeRole(system->developer).
    # Base: ok.
    ("system ロールのメッセージでは画像はサポートされていません", _first("system", _IMAGE), set()),
    # "The name field cannot be used in system-role messages" (new NEGATIVE 사용할 수 없 + ROLE_WORD f): about
    # messages[0].name. HEAD: ChangeRole(system->developer). Base: ok.
    ("system 역할 메시지에서는 name 필드를 사용할 수 없습니다", _first("system", name="policy"), set()),
    # "The name field is not supported in developer-role messages". HEAD: ChangeRole(developer->system). Base: ok.
    ("developer 角色的消息不支持 name 字段", _first("developer", name="policy"), set()),
    # "Content arrays in system-role messages are not supported; send a string": about the content's shape.
    # HEAD: ChangeRole(system->developer). Base: ok.
    (
        "system 역할 메시지의 content 배열은 지원되지 않습니다. 문자열로 보내 주세요",
        _first("system", [{"type": "text", "text": "You are terse."}]),
        set(),
    ),
    # Order, not refusal: "the system role cannot be used except in the first message" (ROLE_ORDER is English
    # only). HEAD: ChangeRole(system->developer), learned for every call. Base: ok.
    ("最初のメッセージ以外では system ロールは使用できません", _LATE_SYSTEM, set()),
    # Order at a role path, via the new CJK refusal in _refused_role ("system messages are not allowed after the
    # first message"). HEAD: ChangeRole(system->developer). Base: ok.
    ("messages[2].role: 不允许 system 消息出现在第一条消息之后", _LATE_SYSTEM, set()),
    # How many, not which: "only one system-role message is allowed; multiple system messages are not supported".
    # HEAD: ChangeRole(system->developer). Base: ok.
    ("system 역할 메시지는 하나만 허용됩니다. 여러 개의 system 메시지는 지원되지 않습니다", _TWO_SYSTEMS, set()),
    # _roles_in_prose beside a role path (new fallback): a position check in English words. HEAD:
    # ChangeRole(system->developer). Base: ok.
    (
        (
            "messages[2].role: invalid position for system message; system messages are only allowed at the start "
            "of the conversation"
        ),
        _LATE_SYSTEM,
        set(),
    ),
    # --- conditions ------------------------------------------------------------------------------------------
    # "when streaming" (name13): "is not enabled" is not in the off/disabled/false lookahead, so the condition is
    # read as *streaming*, ungrounded, and dropped: stream_options is left out of every call, streaming ones too.
    # HEAD: Drop(stream_options) unconditional. Base: ok (nothing).
    (
        "stream_options must not be set when streaming is not enabled",
        _req(stream_options=_STREAM_OPTS),
        {Drop("stream_options", when=Condition("stream", present=False))},
    ),
    # Romance "quando o streaming está ativado" (name14 of CONDITION_WHEN_PRESENT) keeps "streaming" as the name
    # (never mapped to stream), which grounds nothing: the condition is lost and logprobs goes for non-streaming
    # calls too. HEAD: Drop(logprobs) unconditional. Base: also wrong (same).
    (
        "'logprobs' não é suportado quando o streaming está ativado",
        _req(logprobs=True, stream=True),
        {Drop("logprobs", when=Condition("stream", present=True))},
    ),
    # --- NEGATIVE additions --------------------------------------------------------------------------------
    # "has been retired" said of a value: the voice is gone, not the param. HEAD: Drop(voice) (silently the default
    # voice). Base: ok.
    ("The voice 'fable' has been retired", _req(voice="fable", modalities=["text", "audio"]), set()),
    # A retired value of reasoning_effort. HEAD: Drop(reasoning_effort) (every call at the default effort). Base: ok.
    ("Reasoning effort 'minimal' has been retired for this model", _req(reasoning_effort="minimal"), set()),
    # A retired value, with the accepted ones listed. HEAD: Drop(reasoning.summary) (no more summaries). Base: ok.
    (
        "The summary setting 'detailed' was retired; reasoning.summary now accepts auto or concise",
        _req(reasoning={"effort": "low", "summary": "detailed"}),
        {SetValue("reasoning.summary", "detailed", "auto"), SetValue("reasoning.summary", "detailed", "concise")},
    ),
    # "no existe" of a token id inside logit_bias ("token 50256 does not exist in the vocabulary"): the English
    # wording reads nothing. HEAD: Drop(logit_bias) (all the caller's biases). Base: ok.
    (
        "El token '50256' en logit_bias no existe en el vocabulario del modelo",
        _req(logit_bias={"50256": -100, "1734": 5}),
        set(),
    ),
    # "no existe" of a value. HEAD: Drop(reasoning_effort). Base: ok.
    ("El valor 'minimal' no existe para reasoning_effort", _req(reasoning_effort="minimal"), set()),
    # "no existe" of the model (a typo in the model id), echoing the request's settings. HEAD: Drop(dimensions):
    # every later embedding comes back at the default size. Base: ok.
    (
        "El modelo 'text-embedding-3-smal' no existe (dimensions=256)",
        {"model": "text-embedding-3-smal", "input": "hello there", "dimensions": 256},
        set(),
    ),
    # Italian "non è più supportato" of a value. HEAD: Drop(reasoning_effort). Base: ok.
    ("Il valore 'minimal' di reasoning_effort non è più supportato", _req(reasoning_effort="minimal"), set()),
    # Korean "cannot be used together" (사용할 수 없): a pair, one of which must go. HEAD: Drop(temperature) and
    # Drop(top_p), both unconditionally. Base: ok.
    (
        "'temperature'와 'top_p'를 함께 사용할 수 없습니다",
        _req(temperature=0.5, top_p=0.9),
        {
            Drop("top_p", when=Condition("temperature", present=True)),
            Drop("temperature", when=Condition("top_p", present=True)),
        },
    ),
    # "Set repetition suppression with repetition_penalty": a knob on another scale (0.5 as a multiplicative
    # repetition_penalty encourages repetition). HEAD: Rename(frequency_penalty->repetition_penalty). Base: ok.
    (
        "'frequency_penalty' 필드는 사용되지 않습니다. 반복 억제는 repetition_penalty로 지정하세요",
        _req(frequency_penalty=0.5),
        set(),
    ),
]


def _body(said: object) -> object:
    return said if isinstance(said, dict) else {"error": {"message": said, "type": "invalid_request_error"}}


@pytest.mark.parametrize(("said", "sent", "expected"), EIGHTH)
def test_an_eighth_pass_teaches_nothing_wrong(said: object, sent: dict[str, Any], expected: set[Fix]) -> None:
    """Only the fixes listed may be learned (reading nothing is safe, reading something else is not)."""
    assert allowed(frozenset(read(400, _body(said), sent).fixes)) <= expected
