"""The reader's grammar: small named fragments, each tested alone, composed into the larger patterns.

A statement about a request is read as parts, not matched as a whole sentence:

- who: the names it gives (quoted, backticked, dotted, bracketed, camelCase, or bare words);
- verdict: what it says of them (unsupported, unknown, not permitted, only the default...);
- suggestion: what it proposes (use X, moved to X, set X to V, the values it supports, a range);
- condition: when it holds (only allowed when Y; for non-streaming calls; X with Y).

Every fragment below names, in a comment, the corpus rows (tests/data/corpus) that showed it.
"""

from __future__ import annotations

import re
import sys
from typing import Final

__all__ = [
    "ADDITIONAL_FIELD",
    "ALTERNATIVES",
    "BOOLEAN_NAMED",
    "CAPABILITY",
    "CJK",
    "COMPARED",
    "CONDITION_CJK",
    "CONDITION_WHEN_ABSENT",
    "CONDITION_WHEN_PRESENT",
    "CONSTRAINT",
    "DEFAULT_ONLY",
    "DOC_POINTER",
    "DOES_NOT",
    "FIELD_LIST",
    "FINAL_CODES",
    "FINAL_WORDS",
    "GUESS",
    "INPUT_SIDE",
    "INSTRUCTIONS_REFUSED",
    "INTERVAL",
    "IS_NOT",
    "LIST_INTRO",
    "LIST_LENGTH",
    "LIST_TOO_LONG",
    "LOCATED",
    "MUST_BE_SET",
    "NAME",
    "NAME_LIST",
    "NAME_TOKEN",
    "NEGATIVE",
    "NEGATIVE_CODES",
    "NUMBER",
    "OFF_REFUSED",
    "ONLY_COUNT",
    "ONLY_NAMES",
    "ONLY_ROLES",
    "ONLY_VALUE",
    "PAIR",
    "PARAM_MISSING",
    "POSITIVE",
    "QUOTE",
    "QUOTED_VALUE",
    "RANGE_AT_LEAST",
    "RANGE_AT_MOST",
    "RANGE_BETWEEN",
    "RANGE_BRACKETS",
    "RANGE_DOTS",
    "RANGE_OPEN",
    "RANGE_SPAN",
    "RENAME",
    "RENAMED_BEFORE",
    "RENAME_EXPLICIT",
    "RENAME_PAIR",
    "RENAME_SAID",
    "RENAME_VERDICT",
    "RENAME_WHERE",
    "REQUIREMENT",
    "ROLE_CONTENT",
    "ROLE_NAME",
    "ROLE_ORDER",
    "ROLE_PATH",
    "ROLE_REFUSED",
    "ROLE_SCOPE",
    "ROLE_TO_USER",
    "ROLE_UNNAMED",
    "ROLE_WORD",
    "SCALES",
    "SERVER_CRASH",
    "SET_TO",
    "SKIP",
    "SUGGESTS_NAME",
    "TAG_FIELD",
    "TOKEN_LIMIT",
    "TYPE_REFUSED",
    "UNSPECIFIED_KEYS",
    "UPSTREAM_REFUSED",
    "USED_WITH_VALUE",
    "VALUE",
    "VALUE_CODES",
    "VALUE_COMPARED",
    "VALUE_CONDITION",
    "VALUE_REFUSED",
    "Wordings",
    "code_says",
    "exact_code",
]


# --- a first-character gate -----------------------------------------------------------------------------------

# The largest fragments are alternations that open with a word boundary, which the regex engine tries at every
# position of the text, branch by branch. Each is searched behind a lookahead of the characters a match can start
# with, worked out from the pattern itself: positions no match can start at are left after one test, and a run of
# brackets or digits costs a quarter of the time. Where the characters cannot be told (a class such as \w, any
# character, a backreference) or the parser is not at hand, a pattern is searched as it is: the gate only skips
# positions at which the pattern cannot match.
if sys.version_info >= (3, 11):
    from re import _constants as _sre  # type: ignore[attr-defined]
    from re import _parser as _sre_parse  # type: ignore[attr-defined]
else:  # pragma: no cover - Python 3.10
    import sre_constants as _sre
    import sre_parse as _sre_parse

_MAX_GATE: Final = 48  # a gate of more characters than this skips too little to pay for itself
_ZERO_WIDTH: Final = frozenset({_sre.AT, _sre.ASSERT, _sre.ASSERT_NOT})


def _first(items: object) -> tuple[set[str] | None, bool]:  # noqa: C901, PLR0911, PLR0912 - one branch per op
    """The characters the sequence ``items`` can start with (None: any), and whether it can match empty."""
    chars: set[str] = set()
    for op, arg in items:  # type: ignore[attr-defined]
        if op in _ZERO_WIDTH:
            continue
        if op is _sre.LITERAL:
            chars.add(chr(arg))
            return chars, False
        if op is _sre.IN:
            for kind, value in arg:
                if kind is _sre.LITERAL:
                    chars.add(chr(value))
                elif kind is _sre.RANGE and value[1] - value[0] < _MAX_GATE:
                    chars.update(chr(c) for c in range(value[0], value[1] + 1))
                else:
                    return None, False
            return chars, False
        if op is _sre.BRANCH:
            empty = False
            for alternative in arg[1]:
                found, may_be_empty = _first(alternative)
                if found is None:
                    return None, False
                chars |= found
                empty |= may_be_empty
            if not empty:
                return chars, False
        elif op is _sre.SUBPATTERN:
            found, may_be_empty = _first(arg[-1])
            if found is None:
                return None, False
            chars |= found
            if not may_be_empty:
                return chars, False
        elif op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT):
            found, may_be_empty = _first(arg[2])
            if found is None:
                return None, False
            chars |= found
            if arg[0] > 0 and not may_be_empty:
                return chars, False
        else:
            return None, False
    return chars, True


def _gate(source: str, flags: int) -> str | None:
    """``source`` behind a lookahead of the characters its matches start with, or None when none can be told."""
    try:
        chars, may_be_empty = _first(_sre_parse.parse(source, flags))
    except Exception:  # noqa: BLE001 - any change in the parser's internals: the pattern is used as it is
        return None
    if chars is None or may_be_empty or not chars:
        return None
    if flags & re.IGNORECASE:
        chars |= {c.swapcase() for c in chars}
    if len(chars) > _MAX_GATE:
        return None
    return f"(?=[{''.join(re.escape(c) for c in sorted(chars))}])(?:{source})"


def _compile(source: str, flags: int = 0) -> re.Pattern[str]:
    """A fragment, compiled once, behind its first-character gate where one can be told."""
    return re.compile(_gate(source, flags) or source, flags)


def gated(pattern: re.Pattern[str]) -> re.Pattern[str]:
    """``pattern`` searched behind a lookahead of the characters its matches start with (itself if none is told)."""
    source = _gate(pattern.pattern, pattern.flags)
    return pattern if source is None else re.compile(source, pattern.flags)


def _words(*alternatives: str) -> str:
    return "(?:" + "|".join(alternatives) + ")"


CJK: Final = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uff00-\uffef]")


class Wordings:
    """One fragment written twice: its Latin wordings, and its CJK ones, looked for only in text that has CJK.

    An alternative that does not open at a word boundary (参数非法) makes every search of the whole pattern
    try it at every position; split off, the Latin pattern keeps its fast scan. Both share group names.
    """

    __slots__ = ("cjk", "latin", "pattern")

    def __init__(self, latin: str, cjk: str) -> None:
        self.latin = _compile(latin, re.IGNORECASE)
        self.cjk = re.compile(cjk, re.IGNORECASE)
        self.pattern = f"{latin}|{cjk}"

    def search(self, text: str) -> re.Match[str] | None:
        """The first Latin match, else (in text with CJK characters) the first CJK one."""
        found = self.latin.search(text)
        if found is None and CJK.search(text) is not None:
            return self.cjk.search(text)
        return found


# --- shared fragments --------------------------------------------------------------------------------------------

NUMBER: Final = r"-?\d+(?:\.\d+)?"
"""A number as bodies print it: ``8192``, ``-678``, ``0.95``."""
QUOTED_VALUE: Final = r"'[^'\n]{1,64}'|\"[^\"\n]{1,64}\"|`[^`\n]{1,64}`"
"""A value in quotes (', " or `)."""
VALUE: Final = rf"{QUOTED_VALUE}|{NUMBER}|true|false|null"
"""A value as bodies print it: quoted (', " or `), a number, or a JSON literal."""
QUOTE: Final = r"(?:'|`|\")"
"""An optional quote around a name: ', ` or "."""
NAME: Final = r"[A-Za-z_][\w.]{0,63}"
_NOW: Final = r"(?: currently| yet| presently| at present)?"
IS_NOT: Final = rf"(?:is|are|was|were){_NOW}(?: not|n't){_NOW}"
"""A copula denied, with or without an adverb: "is not", "isn't", "is currently not", "are not yet"."""
DOES_NOT: Final = rf"(?:(?:does|do|did)(?: not|n't)|cannot|can't|can not){_NOW}"
"""A verb denied: "does not", "doesn't", "does not currently", "cannot"."""
"""A param name, possibly dotted, as prose gives it."""

# --- who ---------------------------------------------------------------------------------------------------------

# A name as bodies write it: quoted ('x', "x", `x`, [x]) or bare; dotted (reasoning.effort),
# prefixed (body.x, #/x), bracketed (messages[0].role) or camelCase (presencePenalty, xa-002).
_IDENT: Final = r"[A-Za-z_][A-Za-z0-9_\-]{0,63}"
# Item paths count numeric segments too ("messages.32.content", ll-005): they are never params.
# A bracketed key belongs to its path ("properties[temperature].type" inside a tool schema is no param of its own).
_KEY: Final = rf"(?:\[(?:\d{{1,6}}|{_IDENT})\])?"
_PATH: Final = rf"(?:#/|/)?{_IDENT}{_KEY}(?:(?:\.|/|->|\s->\s)(?:{_IDENT}|\d{{1,6}}){_KEY}){{0,7}}"
NAME_TOKEN: Final = _compile(
    rf"'(?P<q>{_PATH})'|\"(?P<dq>{_PATH})\"|`(?P<bt>{_PATH})`|\[(?P<sq>{_PATH})\]|(?P<bare>{_PATH})"
)

# "The parameter 'seed' does not exist", "Parameter seed not found": a name verdict, not a missing resource.
_PARAM_MISSING: Final = (
    rf"\b(?:param(?:eter)?|argument|field|property|key|option)s? {QUOTE}?{NAME}{QUOTE}?"
    r" (?:does not exist|(?:was )?not found)\b"
)

# --- verdicts ----------------------------------------------------------------------------------------------------

# "X is unsupported/not supported/unknown/unrecognized/not permitted/not allowed/extraneous/
# deprecated", "Extra inputs are not permitted", "Cannot find field", "does not support X",
# "not allowed to request X" (e001, e016, e027, e046, az-016, gm-001, gq-001, xa-002, xa-004,
# ds-003, br-001, br-009, m025, e080).
NEGATIVE: Final = Wordings(
    _words(
        r"\bun(?:supported|known|recogni[sz]ed|expected)\b",
        r"\bnot (?:be )?(?:supported|permitted|allowed|recogni[sz]ed|enabled|accepted|available)\b",
        rf"\b{IS_NOT} (?:be )?(?:supported|permitted|allowed|recogni[sz]ed|enabled|accepted|available)\b",
        rf"\b{DOES_NOT} (?:not )?(?:support|accept|allow)\b",
        r"\bextra(?:neous)? (?:inputs?|keys?|fields?|param(?:eter)?s?|arguments?)\b",
        r"\bextra_forbidden\b",
        # ajv: "must NOT have additional properties" (the property in params.additionalProperty).
        r"\b(?:must|should) not have additional propert(?:y|ies)\b",
        r"\bcannot find field\b",
        r"\bunknown (?:field|name|parameter|argument|attribute)\b",
        # graphql-js: 'Field "stopSequences" is not defined by type "ChatInput"' (z-036); "has been retired".
        r"\bis not defined by type\b",
        r"\bis deprecated\b",
        r"\bnot allowed to request\b",
        # "Invalid parameter: top_k", "'top_k' is an invalid parameter": the name, not its value.
        r"\binvalid (?:param(?:eter)?|argument|field|key|option)s?\b(?!\s*value)",
        # Azure: "Model incompatible request argument supplied: functions".
        r"\bincompatible (?:request )?(?:argument|param(?:eter)?|field|option)s?\b",
        r"\bno such (?:field|param(?:eter)?)\b",
        # transformers: "The following `model_kwargs` are not used by the model: ['return_full_text']" (r10a-026).
        r"\b(?:is|are) not used by the model\b",
        _PARAM_MISSING,
        # The same verdicts in other words, as other servers put them.
        r"\b(?:is )?not (?:a )?(?:valid|supported|recogni[sz]ed|known|permitted)"
        r" (?:param(?:eter)?|argument|field|option|property|key)\b",
        # "`stop` is not a Messages API field", "'max_tokens' is not a /completion option" (of another API).
        # Not a type: "'seed' is not a string field: expected an integer" is about the value sent.
        r"\bis not an? (?!(?:string|integer|int|number|numeric|float|double|boolean|bool|nullable|array|list|object"
        r"|required|optional|valid)\b)(?:[\w/\-.]+ ){1,3}"
        r"(?:param(?:eter)?|argument|field|option|property|key|attribute)\b",
        r"\b(?:must|should) not be (?:set|specified|provided|used|present|sent|included)\b",
        # "`top_k` must be unset when thinking is enabled" (r5a-007), "please remove the thinking_config setting".
        r"\b(?:must|should|has to|needs to) be (?:unset|omitted|removed|left out)\b",
        r"\bplease remove the\b",
        rf"\bremove {QUOTE}?{NAME}{QUOTE}? from (?:your|the) request\b",
        r"\bis not configurable\b",
        # Not a reason: "logprobs can't be provided because the content was filtered" (red-team pass six).
        r"\b(?:cannot|can't|can not) be (?:used|specified|set|provided)\b"
        r"(?!,? (?:because|since|as|until|while|due to|after|before)\b)",
        r"\bforbidden\b",
        r"\bonly (?:supported|available|allowed) (?:for|by|on|in) ",
        # "logprobs are currently available only for the vLLM backend" (r9b-036).
        r"\b(?:supported|available|allowed) only (?:for|by|on|in|with) ",
        r"\bno longer (?:supported|accepted|allowed|permitted|valid)\b",
        # "Remove top_k and try again" (never a pronoun: "remove one and try again" is about an item).
        rf"\bremove (?!(?:one|it|them|this|that|these|those|some|all|any|duplicates?)\b){QUOTE}?{NAME}{QUOTE}?"
        r" and (?:try|retry|resend)\b",
        r"\bnot applicable (?:to|for|with|on)\b",
        # Unavailable for a model, not for an account or for now ("for this organization", "for the moment").
        r"\b(?:is|are) unavailable (?:for|on|with|in) (?:this|the) (?:model|deployment|endpoint|provider|route)\b",
        r"\bnot part of the (?:schema|request schema|api|spec(?:ification)?)\b",
        # "top-level field "num_ctx" is not part of ChatRequest": a request type's name.
        r"\bnot part of [A-Z]\w{0,40}(?:Request|Params|Parameters|Body|Input|Options)\b",
        r"\bn'existe pas\b",
        r"\bdoes not implement\b|\bfailed on the 'isdefault' tag\b",
        # "`logit_bias` is not implemented by text-generation-inference", "does not know what to do with", "so
        # max_tokens is refused", "has no meaning for this server".
        r"\b(?:is|are) not implemented\b|\bdoes not know what to do with\b|\b(?:is|are) refused\b",
        r"\bha(?:s|ve) no (?:meaning|capability) for\b",
        # "the max_tokens you sent is not read by this model family", "a top-level enable_thinking is not read".
        r"\b(?:is|are) not (?:read|honou?red|looked at)\b|\bis(?:n't| never) read\b",
        # "groq/compound does not take 'logprobs'", "The model magistral-small-2509 rejects 'presence_penalty'": a
        # quoted name right after, and nothing said of its values or its messages ("rejects 'max_tokens' above 4096",
        # "does not take 'system' messages", red-team pass ten).
        rf"\b(?:{DOES_NOT} take|rejects|refuses) {QUOTE}[A-Za-z_][\w.\-]{{0,63}}{QUOTE}"
        r"(?!\s(?:messages?|roles?|turns?|above|below|over|under|greater|larger|higher|lower|beyond|values?|of|with"
        r"|when|for|in|if|unless|while|on|during)\b)",
        # "take it out of the payload and retry".
        r"\btake (?:it|them) out of the (?:payload|request|body)\b",
        # "min_p is not a supported sampling option": one word between.
        r"\bis not (?:a )?(?:valid|supported|recogni[sz]ed|known|permitted) [a-z]{3,20}"
        r" (?:param(?:eter)?|argument|field|option|property|key)\b",
        r"\bnot (?:currently |yet )?(?:supported|available)\b",
        r"\bno support for\b",
        # OpenRouter: "No endpoints found that support the following parameters: …", "No endpoints available that
        # support Anthropic's context management features" (r13a-090): no provider behind the route takes it.
        # "… that support the provided 'tool_choice' value" is about a value of it, which routing cannot serve.
        r"\bno (?:endpoints?|providers?) (?:found|available) that supports?\b(?! the provided\b)",
        # Rails' strong parameters ("found unpermitted parameter: :seed"), yup's "has unspecified keys: top_k".
        r"\bunpermitted (?:param(?:eter)?s?|keys?|attributes?)\b|\bunspecified keys?\b",
        # Laravel's "The frequency penalty field is prohibited.", Bean Validation's @Null ("must be null"), Symfony's
        # "This field was not expected.", ASP.NET's "could not be mapped to any .NET member", committee's
        # "does not define properties: mirostat".
        # A prohibition with its own condition or place ("when …", "unless …", "in your region") is not one a rule can
        # hold; "must be null" is also one branch of a schema's anyOf, beside the others.
        r"\b(?:is|are) prohibited\b(?!\s+(?:when|unless|if|in|for|while|because|with)\b)|\b(?:was|were) not expected\b"
        r"(?!\s+(?:at|in)\b)"
        r"|\bcould not be mapped to any \.NET member\b|\bdoes not define propert(?:y|ies)\b",
        # Bedrock's "invalid beta flag" (r7a-030): a flag or header the model does not take.
        r"\binvalid [a-z]{3,24} (?:flag|header)s?\b",
        # The same verdicts in French, German, Spanish, Portuguese and Italian (European providers' own wordings).
        r"\bn'est pas (?:reconnue?|prise? en charge|support[ée]e?|autoris[ée]e?|accept[ée]e?|valide|disponible)\b",
        r"\bnon (?:prise? en charge|support[ée]e?|reconnue?)\b",
        # Indonesian and Malay: "tidak didukung" (not supported), "tidak dikenal" (unknown).
        r"\btidak (?:didukung|dikenal)\b",
        r"\bnicht (?:unterstützt|erlaubt|zulässig|bekannt|verfügbar)\b|\bunbekannte[rs]? (?:Parameter|Feld)\b",
        r"\bno (?:es|está|son|están) (?:compatible|soportad[oa]|admitid[oa]|permitid[oa]|reconocid[oa]|válid[oa])s?\b"
        r"|\bno se (?:admite|permite|reconoce)\b|\bno soportad[oa]\b",
        r"\bnão (?:é|está|são) (?:suportad[oa]|permitid[oa]|reconhecid[oa]|aceit[oa]|válid[oa])s?\b"
        r"|\bnão suportad[oa]\b",
        r"\bnon (?:è|e') (?:supportat[oa]|consentit[oa]|riconosciut[oa])\b|\best inconnue?\b",
        # "the field frequency_penalty is invalid": the field itself, not its value.
        rf"\bthe (?:field|param(?:eter)?|argument|option) {QUOTE}?{NAME}{QUOTE}? is (?:invalid|not valid|unknown)\b",
    ),
    # Chinese providers (Zhipu, DashScope…): "temperature参数非法" (r2b-028), "不支持", "不被支持", "未知参数",
    # "参数错误" (a parameter error), "不允许" (not allowed).
    r"参数非法|参数不合法|不支持|不被[^\s,.。]{0,10}支持|无效参数|参数无效|参数错误|参数有误|参数不正确|未知参数|不允许"
    # "参数 max_tokens 无效" (the parameter max_tokens is invalid).
    r"|参数\s?['\"`]?[A-Za-z_][\w.]{0,63}['\"`]?\s?无效"
    # Japanese and Korean: "サポートされていません" (not supported), "지원되지 않습니다" (not supported).
    r"|サポートされていません|サポートされません|使用できません|認識されません|許可されていません"
    r"|지원되지 않|지원하지 않|허용되지 않|인식되지 않|인식할 수 없"
    r"|알 수 없는 (?:매개변수|파라미터)|잘못된 (?:매개변수|파라미터)|廃止され"
    r"|사용할 수 없"
    # "已废弃" (deprecated).
    r"|已(?:废弃|弃用)"
    # "未知请求字段" before a field name (an unknown request field, r11c-008).
    r"|未知(?:请求)?字段",
)
# Codes beside a message that say the same as its words (structure before prose).
NEGATIVE_CODES: Final = frozenset(
    {
        "unsupported_parameter",
        "unknown_parameter",
        "unrecognized_parameter",
        "unsupported_param",
        "unknown_param",
        "extra_forbidden",
        "unrecognized_argument",
        "unsupported_argument",
        "UNKNOWN_FIELD",
        "unknown_field",
    }
)
VALUE_CODES: Final = frozenset({"unsupported_value", "invalid_value", "literal_error", "enum", "invalid_enum_value"})
# Any other code is read by its words ("E_PARAM_UNSUPPORTED", "unknownField", "PARAMETRO_NO_SOPORTADO", w-039,
# w-040): a word for a param beside one that refuses it says what NEGATIVE_CODES say; a word for a value beside one
# that refuses it, what VALUE_CODES say. "invalid_parameter" says neither (a name or its value).
_CODE_NAME: Final = frozenset(
    {"param", "params", "parameter", "parameters", "argument", "arguments", "arg", "args", "field", "fields"}
    | {"key", "keys", "property", "properties", "attribute", "option", "parametro", "parametre"}
)
_CODE_VALUE: Final = frozenset({"value", "values", "enum", "valor", "valeur", "wert", "valore"})
_CODE_REFUSED: Final = frozenset(
    {"unsupported", "unknown", "unrecognized", "unrecognised", "unexpected", "forbidden", "disallowed"}
    | {"unpermitted", "extra", "notsupported", "unallowed", "nonsupported"}
)
_CODE_INVALID: Final = frozenset({"invalid", "invalido", "invalida", "invalide", "illegal", "bad"})
_CODE_NOT: Final = re.compile(
    r"\b(?:not|no|non|nao|nicht) (?:supported|allowed|permitted|accepted|soportado|suportado|supportato|supporte"
    r"|compatible|unterstuetzt|admitido|permitido)\b"
)
_CODE_WORD: Final = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")


def exact_code(code: str | None) -> str | None:
    """``"name"`` for a code of NEGATIVE_CODES, ``"value"`` for one of VALUE_CODES, else None."""
    return "name" if code in NEGATIVE_CODES else "value" if code in VALUE_CODES else None


def code_says(code: str | None) -> str | None:
    """``"name"`` when ``code``'s words refuse a param, ``"value"`` when they refuse a value, else None."""
    if not code or len(code) > 64:  # noqa: PLR2004 - a code is a word or a few
        return None
    if (exact := exact_code(code)) is not None:
        return exact
    words = [w.lower() for w in _CODE_WORD.findall(code)]
    refused = bool(_CODE_REFUSED.intersection(words)) or bool(_CODE_NOT.search(" ".join(words)))
    if _CODE_VALUE.intersection(words) and (refused or _CODE_INVALID.intersection(words)):
        return "value"
    return "name" if refused and _CODE_NAME.intersection(words) else None


# "Unsupported value: 'X' does not support V", "Invalid value: 'V'", "value is not one of the
# allowed values", "must be one of", "Invalid reasoning_effort: minimal" (e005, az-011, gq-005,
# gq-006, gm-011, oa-030).
VALUE_REFUSED: Final = _compile(
    _words(
        r"\b(?:unsupported|invalid) value\b",
        rf"\b{DOES_NOT} support (?:{VALUE})(?!\w)",
        r"\bvalue is not (?:one of|in|among)\b",
        # jsonschema: "'512x512' is not one of ['1024x1024', …] - 'size'" (r10c-015).
        # Tried only where a token starts: a run of 4,096 digits costs no quadratic backtracking.
        rf"(?<![\w.\-])(?:{VALUE}) is not one of\b",
        r"\bmust be (?:one of|either)\b",
        r"\bis not (?:a )?(?:valid|supported|allowed) (?:enum )?value\b",
        # 'think value "medium" is not supported for this model' (Ollama, r7b-008).
        rf"\bvalue (?:{VALUE}) {IS_NOT} (?:supported|allowed|valid)\b",
        r"\binput should be\b",
        r"\binvalid [a-z_.]{1,64}(?: and [a-z_.]{1,64})? value\b",
        r"\bnot a valid (?:enumeration member|choice|option)\b",
        # "temperature out of range", "max_tokens too large": the value, without the bounds.
        r"\bout of (?:range|bounds)\b",
        r"\b(?:provided|specified|given|supplied) is (?:invalid|not valid)\b",
        r"\b(?:is |are )?too (?:large|big|high|small|low)\b",
        # "The thinking budget (52428) is invalid." (r4-066): the subject's value, called invalid.
        r"\b(?:is|are) (?:invalid|illegal|not valid)\b",
        # In Spanish, Portuguese, French, Italian and German: "Valor no admitido para 'x'", "Valeur non prise en
        # charge pour « x »", "valore non valido", "ungültiger Wert" (z-067, w-128).
        r"\bvalor(?:es)? (?:no (?:válid|admitid|soportad|permitid|compatible)|não (?:suportad|permitid|aceit)|inválid)",
        r"\bvaleurs? (?:non (?:valide|prise en charge|supportée|autorisée|acceptée)|invalide)",
        r"\bvalore non (?:valido|supportato|consentito|ammesso)\b|\bungültiger? Wert\b",
        # A value off the end of what is offered: "'low' is below what this model offers (medium, high)", "exceeds
        # the highest level available".
        r"\b(?:is |are )?(?:below|above|beyond|outside) (?:what |the (?:range|levels?|tiers?) (?:that )?)"
        r"(?:[\w\-.]+ ){0,4}(?:offers?|supports?|allows?|accepts?|provides?|takes?)\b",
        r"\bexceeds the (?:highest|maximum|top) (?:level|tier|setting|value)\b",
    ),
    re.IGNORECASE,
)

# "Reasoning is mandatory for this endpoint and cannot be disabled." (or-006): turning it off is refused.
OFF_REFUSED: Final = _compile(r"\bcannot be (?:disabled|turned off|switched off)\b|\bis mandatory\b", re.IGNORECASE)
# "Frequency penalty must satisfy p > 0." (ot-001): an open bound; the param's default lies inside it.
RANGE_OPEN: Final = _compile(
    r"(?P<op>>(?!=)|<(?!=)|\b(?:greater|larger|bigger|higher|more|less|smaller|lower|fewer) than)(?! or equal)"
    rf"\s*{QUOTE}?(?P<n>{NUMBER})",
    re.IGNORECASE,
)
# Where an open bound is a requirement: "must satisfy p > 0", "must be > 0.0 and < 1.0", "in range (0, +inf)".
REQUIREMENT: Final = Wordings(
    r"\b(?:must|should|has to|needs to) (?:satisfy|be|have)\b|\bin range\b|\bvalue must\b"
    r"|\b(?:valid|supported|allowed) range\b",
    r"必须|应(?:该|当|为)?在|取值范围|范围(?:是|为|应)",
)
# "must be positive", "strictly positive", "greater than zero": an open lower bound at 0 (TGI, vLLM wordings).
POSITIVE: Final = _compile(
    r"\b(?:must|should|has to|needs to) be (?:a )?(?:strictly )?positive\b|\bstrictly positive\b"
    r"|\b(?:greater|larger|bigger|more) than zero\b",
    re.IGNORECASE,
)
# "max_tokens: 100000 > 64000, which is the maximum": the sent value compared with a bound.
VALUE_COMPARED: Final = _compile(rf"(?<![\w.])(?P<a>{NUMBER})\s?(?P<op>>|<)\s?(?P<b>{NUMBER})(?![\w.])")
# JSON-schema validators (everit, as behind Bedrock): "8192 is not less or equal to 8191", "-1 is not greater or
# equal to 0", "expected maximum: 1, found: 1.5" (r5a-020): the sent value and the bound it breaks.
VALUE_BOUND: Final = _compile(
    rf"(?<![\w.])(?P<a>{NUMBER}) is not (?P<op>less|greater)(?: than)? or equal to (?P<b>{NUMBER})"
    rf"|\bexpected (?P<op2>maximum|minimum): (?P<b2>{NUMBER}), found: (?P<a2>{NUMBER})",
    re.IGNORECASE,
)
# Where a validator's message names no param, what it validates: "Malformed input request: 8192 is not…",
# "Invalid JSON data: invalid type: integer 1…". Only then is the sent value or list the subject; after any other
# words ("Too many images: 42 is not…", "prompt length 8192 …", "#/tools/0/…: …") it is about something else.
UNNAMED: Final = _compile(r"(?:^|\b(?:request|data|body|payload|json|JSON)\s?:|#:)\s*$")
# A validator's refusal of one item of a sent list, or of its length: "string [Human:] does not match pattern …",
# "expected maximum item count: 1, found: 5" (r7a-001, r7a-002). The list is left out (no fix trims a list).
LIST_ITEM_REFUSED: Final = _compile(r"\bstring \[(?P<item>[^\]\n]{1,64})\] does not match pattern\b")
ITEM_COUNT: Final = _compile(r"\bexpected (?:maximum|minimum) item count: \d+, found: (?P<count>\d+)")
# "Requests with max_tokens > 4096 must have stream=true" (r2b-030): a bound stated as a comparison.
COMPARED: Final = _compile(rf"(?P<name>[A-Za-z_][\w.]{{0,63}}){QUOTE}?\s*(?P<op>>=?|<=?)\s*(?P<n>{NUMBER})")
# An interval whose ends may be open or closed: "(0, +inf)" (r2b-039), "(0, 1]" (r4-040), "[0, 2)".
# A purely closed one, "[1, 8192]", is RANGE_BRACKETS.
INTERVAL: Final = _compile(rf"(?P<left>[(\[])\s*(?P<lo>{NUMBER}|-inf)\s*,\s*(?P<hi>{NUMBER}|\+?inf)\s*(?P<right>[)\]])")
# A value of the wrong JSON type: "'1000' is not of type 'integer'", "invalid type: string \"1.3\", expected f32",
# "value must be a number" (r2a-037, r2b-021, r2b-007).
_TYPE: Final = (
    r"[fiu]\d\d|int(?:eger)?\d*|float\d*|double|decimal|number|bool(?:ean)?|string|JSONArray|JSONObject|array|object"
)
TYPE_REFUSED: Final = _compile(
    rf"\bis not of type '(?P<t1>{_TYPE})'"
    rf"|\binvalid type(?: for [^:\n]{{0,80}})?: (?:\w+ [^,\n]{{0,80}}, )?expected (?:an? )?(?P<t2>{_TYPE})\b"
    rf"|\b(?:must|should) be (?:of type |an? )?(?:valid |non-empty )?(?P<t3>{_TYPE})\b"
    rf"|\bcannot unmarshal \w+(?: \S+)? into [^\n]{{0,120}}? of type (?P<t4>{_TYPE})\b"
    rf"|\bexpected (?:an? )?(?:type: )?(?P<t5>{_TYPE})\b(?: value)?,? (?:but )?(?:got|received|found)\b",
    re.IGNORECASE,
)
# Only the default is supported, as e005 and e022 say it.
DEFAULT_ONLY: Final = _compile(
    rf"\bonly the default(?: value)?(?: (?:of |for )?{NAME})? \((?P<value>[^)\n]{{0,64}})\)(?: value)?"
    r" (?:is|are) (?:supported|allowed|accepted)"
    # "top_p must be left at its default (1.0) for this model".
    r"|\b(?:must|should) be (?:left|kept) at (?:its|the) default(?: value)? \((?P<value2>[^)\n]{0,64})\)"
    # "temperature is fixed at 1.0 (the default)", "only runs at its default temperature of 1.0" (round eleven).
    rf"|\b(?:is|are) fixed (?:at|to) (?P<value3>{NUMBER}) \((?:the|its) default\)"
    rf"|\bonly (?:runs|works) (?:at|with) (?:its|the) default [\w.]{{1,64}} of (?P<value4>{NUMBER})\b",
    re.IGNORECASE,
)
# "only 1 is allowed for this model", "only 0.95 is allowed" (ot-004, ot-006)
ONLY_VALUE: Final = _compile(
    rf"\bonly (?P<value>{VALUE}) (?:is|are) (?:allowed|supported|accepted)"
    # "The only permitted value is `on_demand`".
    # "the only accepted value here is 'default'", "only accepts service_tier='auto'", French "seule la valeur
    # « default » est acceptée" (aa-099, aa-120, aa-175).
    rf"|\bthe only (?:permitted|allowed|supported|accepted|valid) value (?:here |now )?(?:is|for [\w.]{{1,64}} is)"
    rf" (?P<value5>{VALUE})"
    rf"|\bonly accepts? (?:{QUOTE}?(?P<name6>{NAME}){QUOTE}?\s?=\s?)(?P<value6>{VALUE})"
    # "the only tier there is 'auto'", German "zulässig ist nur 'default'" (round eleven): a quoted value.
    rf"|\bthe only [a-z]{{3,20}} (?:there |here |available )?is (?P<value9>{QUOTED_VALUE})"
    r"|\b(?:zulässig|erlaubt|unterstützt) (?:ist|sind) nur (?P<value10>'[^'\n]{1,64}'|\"[^\"\n]{1,64}\")"
    rf"|\bseule la valeur (?:«\s?(?P<value7>[^»\s]{{1,64}})\s?»|(?P<value8>{VALUE}))"
    r" est (?:acceptée|autorisée|prise en charge)"
    rf"|\bonly supports? (?:the )?(?P<name2>{NAME})(?:\s*[=:]\s*|\s(?:of |value |set to )?)"
    rf"(?P<value2>{NUMBER}|true|false)\b"
    rf"|\bonly (?P<name4>{NAME})\s*=\s*(?P<value4>{VALUE}|[A-Za-z_][\w\-]{{0,31}})"
    r" (?:is|are) (?:allowed|supported|accepted)"
    # "must be 0.95, got 1" (r9c-034): a number is read whole, and ", got …" ends it; "must be 1, 2 or 3" lists.
    # "temperature, top_p and n are fixed at 1" (r9d-033).
    rf"|\b(?:must (?:be|equal)|(?:may|can) only be(?: set to)?|is restricted to|(?:is|are) fixed (?:at|to))"
    rf" (?:equal to |exactly )?(?P<value3>{NUMBER}|true|false)(?![\d.]*\d)\b"
    r"(?! or| and|, ?[-\d'\"`])"
    r"(?! (?:tokens|characters|items))"
    # A range or a unit goes on after the number: "must be 1-8192", "0.0 - 2.0", "1 to 8192", "64 bit integer".
    r"(?!\s?(?:-|~|to|through|\.\.|…|<=?)\s?-?\d)(?!\s?-?\s?bits?\b| multiple| times)"
    # "must be 0 (greedy) or between 0.01 and 1": the number is one end of a choice, not the value required.
    r"(?!\s?\([^)\n]{0,24}\),?\s?or (?:between|any|a|an|from)\b)",
    re.IGNORECASE,
)

# --- suggestions -------------------------------------------------------------------------------------------------

# "Use 'max_completion_tokens' instead", "has moved to 'text.format'" (e001, e078, m058).
# An article may come first ("Please use the `max_completion_tokens` parameter instead"); a bare new name must be
# an identifier (snake_case or dotted): "use streaming instead" names no param (test_reader_red_team).
_NEW: Final = (
    r"(?:the |a |an )?(?:'(?P<{0}q>[^'\n]{{1,128}})'|`(?P<{0}bt>[^`\n]{{1,128}})`|\"(?P<{0}dq>[^\"\n]{{1,128}})\""
    r"|«\s?(?P<{0}gu>[^»\s]{{1,128}})\s?»"
    # A bare name: snake_case, dotted or camelCase; never a way of writing names ("use snake_case"), nor a model's
    # name ("o3_mini", "gpt_4o": a letter and a digit open it).
    r"|(?!(?:snake_case|camel_?case|kebab_case|pascal_?case|lower_case|upper_case|title_case)\b)(?![a-z]\d)"
    r"(?P<{0}bare>[a-z][a-z0-9]*(?:[_.][a-z0-9]+)+|(?-i:[a-z][a-z0-9]*(?:[A-Z][a-z0-9]+)+(?:\.[a-z]\w*)*)))"
    r"(?: param(?:eter)?| field| setting| option)?"
)
# What a clause that says only what to use may name that is no param: an API, a route, a mode to use.
_NOT_A_NAME_TO_USE: Final = r"(?! (?:API|api|endpoint|route|method|SDK|model|mode|instead)\b)"
_INSTEAD_OF: Final = r"(?:instead of|rather than|in place of|in (?:its|their) place)\b"
RENAME: Final = _compile(
    r"\b(?:use|try|pass|send|specify|provide|set) "
    + _NEW.format("a")
    # "Use \"stopSequences\" to pass stop strings" (after a verdict) suggests as "instead" does.
    + rf" (?:instead\b(?P<of> of)?|(?P<of2>{_INSTEAD_OF})|to (?:pass|send|specify|set)\b)"
    r"|\b(?:(?:(?:has|have)(?: been)?|was|is|were) (?:moved|renamed|replaced|superseded)|superseded)"
    r" (?:to |by |with )?"
    + _NEW.format("b")
    + r"|\b(?:deprecated|replaced|superseded|renamed|no longer supported)\b(?:[^.\n]|\.\s){0,40}?\b(?:please )?"
    r"(?:use|switch to) "
    + _NEW.format("c")
    # An API, an endpoint or a method to move to is no param: "Please switch to the `responses` API".
    + r"(?! (?:API|api|endpoint|route|method|SDK|model)\b)"
    # "requires 'max_completion_tokens' instead of 'max_tokens'", "deprecated in favor of max_completion_tokens".
    + r"|\b(?:requires|expects|accepts|takes|needs|supports) "
    + _NEW.format("e")
    + rf" {_INSTEAD_OF}"
    # "参数 max_length 已废弃, 请改用 max_tokens" (deprecated, use max_tokens instead).
    + r"|(?:已废弃|已弃用|不再支持)[^。\n]{0,20}?(?:请)?(?:改用|使用)\s?"
    + _NEW.format("h")
    # "请改用 `responses` 接口" (use the responses API) names an API, not a param.
    + r"(?!\s?(?:接口|API|api|版本|endpoint))"
    # "the correct name is X", "should be written as X", "is called X on this API", "move it to X".
    # "The OpenAI-compatible name is 'seed'", "this parameter is named 'max_output_tokens'" (y-084, y-045).
    + r"|\bthe (?:correct|right|proper|new|valid|supported|expected|[\w\-]{2,24}-compatible|openai)"
    r" (?:name|param(?:eter)?|field)(?: name)? is "
    + _NEW.format("i")
    + r"|\b(?:this|that|the) (?:param(?:eter)?|field|setting|option) is (?:named|called|spelled) "
    + _NEW.format("g")
    + r"|\b(?:should|must) be (?:written|spelled|named|called) (?:as )?"
    + _NEW.format("j")
    + r"|\b(?:is|are) (?:called|named) "
    + _NEW.format("k")
    + r" (?:on|in|for|here)\b"
    # Only to a path ("move it to options.num_ctx"): "move it to `options`" names a container, not a name.
    + r"|\bmove (?:it |this |them )?(?:in)?to (?=['\"`]?[A-Za-z_]\w*\.\w)"
    + _NEW.format("l")
    + r"|\bin favou?r of "
    + _NEW.format("f")
    + rf"|\bplease (?:use|pass|send) (?!{_NEW.format('x')} {_INSTEAD_OF})"
    + _NEW.format("d")
    + r"(?: instead)?(?!\w)"
    # A clause of its own that says only what to use: "…; use max_completion_tokens", "(use repeat_penalty)",
    # "… is not supported. Use `stop_sequences` to provide stop strings". Not an API, a route or a mode to use.
    + r"|(?:^|(?<=[;:,(])|(?<=[.!?] )|(?<= - ))[ \t]*(?:please |instead,? |rather,? )?(?:use|try|send|pass) "
    + _NEW.format("m")
    + _NOT_A_NAME_TO_USE
    # A list of values to use is no name: 'use "low", "medium" or "high"'.
    # A dot that goes on into a word is the name's own ("use a.b.thinking_budget instead" is no "use a.b").
    + r"(?=\s*(?:$|[;)!]|\.(?!\w)|,(?!\s?['\"`\w])|\s(?:for|to|on|in|with|when|if|here)\b))"
    # "pass it as reasoning.effort", "send the limit as 'max_completion_tokens'", "is set with num_predict",
    # "is controlled by candidateCount", "Cohere calls this `k`", "the equivalent field is X".
    + r"|(?<!\bnot )(?<!n't )(?<!\bnever )\b(?:pass|send|resend|provide|specify|set|put|give|nest)"
    r" (?:it|this|them|(?:the|a|an|your) (?:[\w\-]+ ){0,4}?[\w\-]+)"
    # "send it inside the 'reasoning' object as 'reasoning.effort'" (y-117).
    r"(?: (?:inside|in|within|under) (?:the |an? )?['\"`]?(?P<nbox>[A-Za-z_][\w.]{0,39})['\"`]?"
    r"(?: object| field| block)?)?"
    r" (?:as|via|using|through) "
    + _NEW.format("n")
    + r"|\b(?:is|are) (?:set|controlled|configured|specified|given|passed|chosen) (?:with|by|via|through|using) "
    + _NEW.format("o")
    # "this setting lives at 'text.verbosity'" (y-175): a move, read only to a path that ends in the param's own
    # name ("belongs in 'extra_body'" names a container). "takes custom stop strings as `stop_sequences`" (y-071).
    + r"|\b(?:this|the|that) (?:param(?:eter)?|field|setting|option) (?:lives|belongs|goes|sits) (?:at|in|under) "
    + _NEW.format("q")
    + r"|\btakes (?:[\w\-]+ ){1,4}?as "
    + _NEW.format("z")
    # "Cohere calls this `k`", "the Responses API calls this limit max_output_tokens" (z-020).
    + r"|\bcalls? (?:this|it|that|the [\w\-]+)(?: [\w\-]+){0,2}? "
    + _NEW.format("p")
    # "the equivalent is sampling.top_k", "the equivalent knob on this server is "topK"", "The Gemini equivalent of
    # max_tokens is maxOutputTokens" (z-038, z-023, z-006).
    # Not "the closest equivalent", a knob on another scale (red-team pass seven).
    + r"|\bthe (?!(?:closest|nearest|most similar|rough|approximate)\b)(?:[\w\-]+ )?"
    r"(?:equivalent|corresponding|counterpart)(?: [\w\-]+)?"
    r"(?: (?:param(?:eter)?|field|option|setting|name|knob))?"
    rf"(?: of {QUOTE}?{NAME}{QUOTE}?)?(?: (?:on|in|for) (?:this|the) [\w\-]+)? (?:is|here is) "
    + _NEW.format("r")
    # "max_completion_tokens replaces it", "Its successor, 'max_completion_tokens'," (z-003, z-015).
    + r"|\b(?:its|the) (?:successor|replacement)(?: is)?,? "
    + _NEW.format("bb")
    # A whole name only: not a model id ("anthropic.claude-3-haiku…") or a field of the response ("logprobs.content[]").
    + r"(?![\w\-:\[/.])"
    # "Converse expects inferenceConfig.maxTokens", "the generate route reads `parameters.max_new_tokens`".
    # Not "uses" or "takes": "which uses 'top_p' for nucleus sampling" names another param (red-team pass six).
    + r"|\b(?:expects|reads|wants)(?: the [\w ]{1,30}? from)? "
    + _NEW.format("u")
    + r"(?=\s*(?:$|[.;)!]|,(?!\s?['\"`\w])|\s(?:for|to|on|in|with|when|if|here|instead)\b))"
    # In other languages: "utilisez 'max_tokens' à la place", "verwenden Sie stattdessen 'max_tokens'",
    # "utilice 'max_tokens'", "请使用 max_output_tokens" (use X).
    # Not "usa" or "utilizza", which also say what a model uses; "se llama" only of the param here ("aquí se llama"),
    # never of a tool ("la herramienta se llama web_search", red-team pass seven).
    + r"|\b(?:utilisez|utiliser|verwenden sie|nutzen sie|utilice|utiliza|utilize|utilizzare|usare"
    r"|gunakan|unter dem Namen|aquí se llama|aqui se chama|ici s'appelle|qui si chiama|hier heißt)"
    r"(?: plutôt| stattdessen| en su lugar| invece)? "
    + _NEW.format("s")
    + r"(?!\w|\.\w)(?! (?:API|api|endpoint|mod[eè]le?|model|modo|Modell)\b)"
    # Korean "'max_tokens' 대신 'maxTokens'를 사용하세요" and Japanese "代わりに max_tokens を指定してください"
    # (use X instead).
    + r"|(?:대신|代わりに)\s?"
    + _NEW.format("w")
    + r"\s?(?:를|을|を)\s?(?:사용|指定|使用)"
    # "중지 문자열은 'stop'으로 전달해 주세요" (pass stop strings as 'stop').
    + r"|['\"`](?P<wk>[A-Za-z_][\w.]{0,63})['\"`]\s?(?:으로|로)\s?(?:전달|보내|지정|사용)"
    # "参数 max_tokens 已更名为 max_completion_tokens" (has been renamed to, w-069).
    # Renamed, not replaced: "已替换为 top_p 采样" (replaced by top_p sampling) is another param (red-team pass six).
    + r"|已?(?:更名|改名|重命名)为\s?"
    + _NEW.format("v")
    + r"|(?:请使用|请改用|请用|应使用|请改为使用)\s?"
    + _NEW.format("t")
    + r"(?!\w|\.\w)(?!\s?(?:接口|API|api|版本|endpoint|模型))",
    re.IGNORECASE,
)
# How a server says the param's other name without "use" or "instead" (round eleven): apart from RENAME, whose
# first-character gate these openings would widen past its worth.
RENAME_SAID: Final = _compile(
    # "the limit is sent as 'max_completion_tokens'", "the effort is written as reasoning.effort there".
    r"\b(?:is|are) (?:sent|written|passed|given|expressed|supplied|spelled) as "
    + _NEW.format("oa")
    # "states the same limit with 'max_output_tokens'", "limits output by 'max_tokens'".
    + r"|\b(?:states|sets|limits|caps|expresses)(?: [\w\-]+){0,4}? (?:with|by|via|through|using) "
    + _NEW.format("ob")
    + r"(?=\s*(?:$|[.;)!]|,(?!\s?['\"`\w])))"
    # "the Compatibility API takes 'top_p'.": an API's own name for it, where the clause ends.
    + r"|\b(?:API|server|endpoint|route) takes "
    + _NEW.format("oc")
    + r"(?=\s*(?:$|[.;)!]))"
    # "Move the value to max_completion_tokens".
    + r"|\bmove (?:the|its|your) (?:value|setting|limit|number)s? (?:in)?to "
    + _NEW.format("oe")
    # "reads its output cap from 'max_completion_tokens'", "wants its output limit in …", "reads stop strings from …".
    + r"|\b(?:reads|wants)(?: (?:(?:its|their) )?[\w ]{1,30}? (?:from|in)) "
    + _NEW.format("ua")
    + r"(?=\s*(?:$|[.;)!]|,(?!\s?['\"`\w])|\s(?:for|to|on|in|with|when|if|here|instead)\b))"
    # "deprecated for reasoning models; supply max_completion_tokens".
    + r"|\b(?:deprecated|replaced|superseded|no longer supported)\b(?:[^.\n]|\.\s){0,40}?\bsupply "
    + _NEW.format("sup"),
    re.IGNORECASE,
)
# A clause that opens with where a name holds: "For chat completions use 'max_completion_tokens'" (aa-018). Apart
# from RENAME, whose first-character gate these openings would widen past its worth.
RENAME_WHERE: Final = _compile(
    r"(?:^|(?<=[.;:!?] ))[ \t]*(?:for|on|in) [\w/.\-]{1,40}(?: [\w/.\-]{1,40}){0,3}?,? (?:please )?(?:use|send|pass) "
    + _NEW.format("mm")
    + _NOT_A_NAME_TO_USE
    + r"(?=\s*(?:$|[.;)!]|,(?!\s?['\"`\w])))",
    re.IGNORECASE,
)
# A rename that names both the old name and the new one, read for each of several params in one statement
# ("temperature and top_p are not supported, and max_tokens must be sent as max_completion_tokens", "'max_tokens'
# (use 'max_completion_tokens'), 'temperature'", "'max_tokens' debe enviarse como 'max_completion_tokens'"; z-126,
# y-095, z-139).
RENAME_PAIR: Final = _compile(
    rf"(?<![\w.]){QUOTE}?(?P<old>{NAME}){QUOTE}? (?:"
    r"(?:must|should|has to|needs to) be (?:sent|passed|given|provided|specified|written) as"
    r"|(?:has been |was |is )?renamed (?:to|as)"
    r"|(?:debe|deben) (?:enviarse|pasarse|especificarse) como|deve ser (?:enviad|passad)o como"
    r"|doit être (?:envoyé|passé|transmis) (?:comme|en tant que)"
    r"|\((?:use|try|send|now))"
    r" " + _NEW.format("pair") + rf"|\breplace {QUOTE}?(?P<old2>{NAME}){QUOTE}? (?:with|by) " + _NEW.format("pair2"),
    re.IGNORECASE,
)
# Japanese and Korean give the new name first: "max_tokens は max_completion_tokens に名称変更されました",
# "max_tokens는 max_completion_tokens로 이름이 변경되었습니다" (w-188): renamed ("changed to" may be another
# param). Apart from RENAME, whose first-character gate a leading name would undo; looked for only in text with CJK.
RENAMED_BEFORE: Final = re.compile(
    r"(?<![\w.])" + _NEW.format("y") + r"\s?(?:に(?:名称変更|改名)され|(?:으로|로) 이름이 변경되)",
    re.IGNORECASE,
)
# The RENAME alternatives that are verdicts by themselves: "X has been renamed to Y", "deprecated, use Y",
# "use Y instead of X", "requires Y instead of X", "in favor of Y". "Use Y instead" alone suggests, and needs a
# verdict beside it.
RENAME_VERDICT: Final = (
    *(f"{alt}{kind}" for alt in "bcefhijklv" for kind in ("q", "bt", "dq", "gu", "bare")),
    "of",
    "of2",
)
# The RENAME alternatives that say the new name is the refused param's own ("pass it as X", "is set with X", "this
# API calls it X", "the equivalent field is X"), where "use X" alone may be another param or a value.
RENAME_EXPLICIT: Final = "noprbcefghijklqvyz"
# A suggestion of a new name that RENAME could not read ("Use 'x'' instead"): the finding would
# otherwise be a drop, which loses what the caller asked for, so it is not acted on.
SUGGESTS_NAME: Final = _compile(
    # Not an API, an endpoint or a tool to use ("Use the Responses API web search tool instead", aa-040).
    r"\b(?:use|try)\b(?![^/.]{0,80}?\b(?:API|endpoint|route|tool|SDK)\b)[^/]{0,80}?\binstead\b"
    r"|\b(?:moved|renamed) to\b|\breplaced (?:by|with)\b",
    re.IGNORECASE,
)
# A value to use instead of the one refused: "Use 'json' or 'text' instead", "Use effort 'high' or below"
# (r6a-014, r6b-015). Read only where the message quotes the value sent (else "Use 'x'" names a param).
USE_VALUE: Final = _compile(
    # "…; set it to 'medium'" (aa-138).
    rf"\b(?:use|try|(?:set|change|switch) it to)(?: {NAME})?"
    r" (?P<value>'[^'\n]{1,32}'|\"[^\"\n]{1,32}\"|`[^`\n]{1,32}`)"
    r"(?= or\b|,| instead\b| and below\b|\.|$)",
    re.IGNORECASE,
)
# A value to use, as br-012 puts it: set reasoning_effort to 'none'; "Use service_tier='default' for these requests"
# (w-107). A tip, not a subject: it counts only for a param the statement names otherwise.
SET_TO: Final = _compile(
    rf"\b(?:set {QUOTE}?(?P<name>{NAME}){QUOTE}? to "
    rf"|(?<!to )(?:use|send|pass) {QUOTE}?(?P<name2>{NAME}){QUOTE}?\s?=\s?)(?P<value>{VALUE})",
    re.IGNORECASE,
)
# "parameter.enable_thinking must be set to false for non-streaming calls" (ot-007)
MUST_BE_SET: Final = _compile(
    rf"(?P<name>{NAME}){QUOTE}?\s*(?:must be set to|必须设置为)\s*(?P<value>{VALUE})", re.IGNORECASE
)
# "Agents are required to use background=true" (r12b-006): the value the named setting must have.
USE_SETTING: Final = _compile(
    rf"\b(?:required|needs?|has|have) to use {QUOTE}?(?P<name>{NAME}){QUOTE}?\s?=\s?(?P<value>{VALUE})(?![\w.])",
    re.IGNORECASE,
)
# "max_tokens or max_completion_tokens must be set when using reasoning_effort" (r12a-012): a param the request
# lacks, without which the one named after it is refused.
_REQUIRED: Final = (
    r" (?:must|needs to|has to|should) be (?:set|provided|specified|given|present|included|enabled)(?: to true)?"
)
REQUIRED_WITH: Final = _compile(
    rf"(?<![\w.]){QUOTE}?(?P<name>{NAME}){QUOTE}?(?: or {QUOTE}?{NAME}{QUOTE}?)?{_REQUIRED}"
    r" (?:when|if|while) (?:using |you use |sending )?(?:the )?"
    # The other way round: "when using `top_logprobs`, `logprobs` must be set to true" (the subject stays).
    rf"|(?<=, ){QUOTE}?(?P<name2>{NAME}){QUOTE}?{_REQUIRED}\b"
    # ajv's dependentRequired: "must have property logprobs when property top_logprobs is present".
    rf"|\bmust have property {QUOTE}?(?P<name3>{NAME}){QUOTE}? when property\b",
    re.IGNORECASE,
)
# What introduces a list of values or names that are *accepted*: never subjects (br-010).
# Names the server says it *accepts*: cut out, and never read as subjects or as values (br-010).
NAME_LIST: Final = _compile(
    r"\b(?:(?:supported|valid|allowed|accepted|available|possible|permitted|known|recogni[sz]ed)"
    r" (?:fields|params|parameters|arguments|keys|properties)(?: are| is| include)?:?"
    r"|(?:fields|params|parameters|arguments|keys|properties)"
    r" (?:are |is )?(?:supported|allowed|accepted|available)(?: by this model| for this model)?:?"
    r"|(?:following|these) (?:fields|params|parameters|arguments|keys) (?:are )?(?:supported|allowed|accepted)"
    r"|\bexpected one of (?:fields|params|parameters|keys)"
    # A bare list after "expected one of" is of names when it holds the request's own (br-010: "expected one of
    # messages, model, store"); "Expected one of low, medium, high" is of values (w-122).
    r"|\bexpected one of(?= [a-z_]+, [a-z_]+)(?=[^\n]{0,400}?\b(?:messages|model)\b))\s*[^\n]*",
    re.IGNORECASE,
)
# serde's "unknown field `foo`, expected one of `model`, `messages`": the list after the subject is of the names
# the server knows, not of values (a "variant" list is of values: r2b-023).
FIELD_LIST: Final = _compile(
    r"\bunknown (?:field|key|property|parameter|argument) [^,\n]{1,80}, (?P<list>expected (?:one of )?[^\n]*)",
    re.IGNORECASE,
)
# "Only X and Y are supported": the names given are the accepted ones.
ONLY_NAMES: Final = _compile(
    r"\bonly (?P<names>[^.\n]{1,200}?) (?:is|are) (?:supported|allowed|accepted)\b", re.IGNORECASE
)
# What follows an intro when it is a list of values: a quoted value, or two or more words joined by "or", "and" or
# "|" ("low, medium or high", "low|high").
_LISTED: Final = r" ['\"`]| [\w.\-]{1,32}(?:(?:, ?| ?\| ?)[\w.\-]{1,32})*(?:,? (?:or|and) | ?\| ?)[\w.\-]{1,32}\b"
LIST_INTRO: Final = _compile(
    r"\b(?:(?:supported|valid|allowed|accepted|available|possible|permitted)"
    r" (?:values|choices|options|types|modes|levels|sizes|resolutions)(?: for (?P<listof>[\w.\-/]{1,64}))?"
    r"(?: are| is| include)?:?"
    r"|(?:expected|must be|should be|is not|use|want|wanted|needs? to be|has to be) one of|one of the allowed values"
    r"|must be either"
    # AWS: "Member must satisfy enum value set: [user, assistant]"; pydantic's "any of the expected tags: 'a', 'b'".
    r"|enum value set:|any of the expected tags:"
    rf"|(?:\bonly accepts?|\b(?:can|may) only be)(?={_LISTED})"
    # Quoted, or two or more words joined by "or" or "|": "should be low, medium or high", "expected low|high".
    rf"|(?:input should be|must be|should be|expected)(?={_LISTED})"
    rf"|(?:it )?only supports?\b(?! (?:the )?{NAME}(?:\s*[=:]\s*|\s(?:of |value |set to )?)(?:{NUMBER}|true|false)\b)"
    r"|choose from|(?<!not )permitted:|(?<!not )allowed:"
    # "Choose low, medium or high" (z-069).
    rf"|\bchoose(?={_LISTED})"
    # In other languages: "Valores admitidos:", "valeurs possibles :", "valori ammessi:", "zulässige Werte:",
    # "허용 값:"; Go's "not in enum [low medium high]"; "this deployment takes low, medium or high".
    r"|\bvalor(?:es)? (?:admitidos|aceitos|aceptados|permitidos|posibles|possíveis|válidos)\s?:"
    r"|\bvaleurs? (?:possibles|acceptées|autorisées|valides)\s?:|\bvalori (?:ammessi|consentiti|validi)\s?:"
    r"|\b(?:zulässige|erlaubte|gültige) Werte\s?:|허용(?:되는)? 값\s?:|許可される値\s?:|有効な値\s?:|指定可能な値\s?:"
    r"|사용 가능한 값\s?:|可用值(?:为|是|有)?\s?:?"
    r"|\bnot in enum(?= \[)|\b(?:it |this \w+ )?(?:accepts|takes|offers)(?= ['\"`]| [\w.\-]{1,32},)"
    # "reasoning_effort for gpt-5-mini supports 'minimal', 'low', 'medium', and 'high'" (aa-077): two quoted at least.
    r"|\bsupports(?= ['\"`][^'\"`\n]{1,32}['\"`],)"
    # Chinese lists: "可选值为 low、medium、high" (the values to choose from), "取值为", "仅支持", "支持的值为".
    r"|可选值(?:为|是|有|包括)?:?|取值(?:只能|必须)?(?:为|是):?|(?:仅|只)支持(?!流式|非流式):?|支持的(?:值|取值)(?:为|是|有)?:?"
    # "Please use a valid role: user, model." (Gemini, r9a-008): the roles it takes.
    r"|(?P<roles>\b(?:valid|supported|allowed|accepted) roles?(?: are| is)?:"
    # "Roles accepted by this model: 'user', 'assistant'" (z-106).
    r"|\broles? (?:accepted|supported|allowed)(?: by this (?:model|deployment|endpoint))?:)"
    # A list after a colon: "Valid: low, medium, high", "(supported: a, b)", "available efforts: low, high".
    # Jackson: "not one of the values accepted for Enum class: [high, low]"; "value xhigh is not in [a, b]".
    r"|\bvalues accepted for Enum class:|\bis not in(?= \[)"
    # pydantic's union tags: "does not match any of the expected tags: 'system', 'user'".
    r"|\bexpected (?:tags|values|options|choices|variants):"
    r"|(?<!not )(?<!in)\b(?:supported|valid|allowed|accepted|available|possible)"
    r"(?: (?P<listof2>[\w.]{1,64}))?(?: [a-z]{3,20}s)?:"
    # "Only 'enabled' and 'disabled' are supported" (r7c-031): a list of quoted values after "only".
    r"|\bonly(?= ['\"`][^'\"`\n]{1,32}['\"`](?:,| and| or) ))\s*",
    re.IGNORECASE,
)
# A guess at what was meant is neither a subject nor a suggestion to act on: "did you mean 'stop'?" (gq-001).
GUESS: Final = _compile(r"\bdid you mean\b(?:[^?.\n]|\.(?=\w)){0,140}[?.]?", re.IGNORECASE)
# "Unknown name \"extra_body\" at 'extra_body'": a name inside the object at a path (gm-006, gm-021).
# A JSON pointer ("#/data_sources/0/azure_search/parameters/indexName", "/messages/0/role"): one name, grounded
# whole; the words along it are not names of their own (r5c-010).
POINTER: Final = _compile(r"#/[\w\-]+(?:/[\w\-]+)*|(?<![\w.])/[\w\-]+(?:/[\w\-]+)+")
# Go's decoder names the struct before the field: "Go struct field Options.seed", "ChatRequest.format" (r8a-012).
# go-playground/validator and grpc-gateway name the struct too: "Key: 'ChatRequest.TopK' Error:…", "invalid
# ChatRequest.Temperature: value must be inside range [0, 1]".
GO_FIELD: Final = _compile(
    r"\bGo struct field [A-Za-z]\w{0,63}\.(?P<name>[A-Za-z_][\w.]{0,63})"
    r"|\b[A-Z]\w{0,63}(?:Request|Params|Options|Config|Body)\.(?P<field>[A-Z][A-Za-z0-9]{0,63})\b"
)
# A name set before its message as a label: "errors: reasoning: Extra inputs are not permitted" (r5a-022).
LABELLED: Final = _compile(r"(?:^|(?<=: )|(?<=\n))(?P<name>[A-Za-z_][\w.]{0,63}): (?=\S)")
# A nested param given as "outer: inner": "invalid options: format" for options.format (r5b-040).
NESTED_LABEL: Final = _compile(r"(?<![\w.])(?P<outer>[A-Za-z_]\w{0,63}): (?P<inner>[A-Za-z_]\w{0,63})\b")
# pydantic's discriminated union: "thinking: Input tag 'adaptive' found using 'type' does not match any of the
# expected tags: 'disabled', 'enabled'" (r13a-093) is about thinking.type.
TAG_FIELD: Final = _compile(
    r"(?:^|(?<=: ))(?P<owner>[A-Za-z_][\w.]{0,63}): Input tag '[^'\n]{1,64}' found using '(?P<field>[A-Za-z_]\w{0,63})'"
)
# yup: "options field has unspecified keys: mirostat" is about options.mirostat, not all of options.
UNSPECIFIED_KEYS: Final = _compile(
    r"\b(?:(?P<owner>[A-Za-z_][\w.]{0,63}) field|this field|this object) has unspecified keys?: "
    r"(?P<keys>[\w., ]{1,300})"
)
LOCATED: Final = _compile(r"\"(?P<name>[A-Za-z_][\w\-]{0,63})\" at '(?P<at>[^'\n]{1,128})'")
# Spans that are never about the request: links, request ids, and structured values quoted
# inside the text (they are read on their own as statements: br-001, ot2-010).
# A status tag a gateway puts before the message ("<400> InternalError.Algo.InvalidParameter: ...", r4-088)
# is no bound: "<400" would read as "less than 400".
SKIP: Final = _compile(
    r"https?://\S+|\(request id:[^)]*\)|\brequest[_ ]id[:=]\s*\S+|<\d{3}>|(?P<braces>\{[^{}]{0,2048}\})",
    re.IGNORECASE,
)
# A pointer to the docs names topics, not params: "To learn more about provider routing, visit: …" (OpenRouter). It
# is blanked before subjects are read, never before final words are looked for ("…about your tier's quota, see").
DOC_POINTER: Final = _compile(
    r"\b(?:to learn more|for more (?:information|details|info)|learn more|please (?:see|consult|refer to|visit)"
    r"|see (?:the )?(?:docs|documentation))\b(?!\s+(?:the )?(?:supported|valid|allowed|accepted|possible)\s)"
    r"[^.!?\n]{0,200}",
    re.IGNORECASE,
)

# A range: "[1, 8192]" (ds-001), "at most 4096" / "maximum of 256" (e047), ">= 1" / "minimum of 1" (e063, e064).
RANGE_BRACKETS: Final = _compile(rf"\[\s*(?P<lo>{NUMBER})\s*,\s*(?P<hi>{NUMBER})\s*\]")
_LIMIT: Final = (
    r"(?: (?:allowed|supported|permitted))?(?: (?:output |completion )?(?:value|limit|tokens?|number)| output length)?"
    r"(?: of| is|:)?"
)
# A bound is a number in the param's own unit: a share, a multiple or a duration is not ("limited to 80% of
# max_tokens", "2x the reasoning budget", "1 minute", "4 KB").
_BOUND: Final = (
    rf"{QUOTE}?\(?(?P<n>{NUMBER})(?!\d|\.\d)\)?{QUOTE}?"
    r"(?!\s?(?:%|percent\b|x\b|times\b|(?:milli)?seconds?\b|secs?\b|minutes?\b|mins?\b|hours?\b|days?\b"
    r"|[kmg]i?b\b|bytes?\b))"
    # A number that runs on into a multiplier or a digit group is not this one: "32K", "1M", "8千", "128 000".
    r"(?![KMBkmb]\b|[千万亿]|\s\d{3}(?!\d))"
)
RANGE_AT_MOST: Final = Wordings(
    rf"(?:\bat most|\bmax(?:imum)?\b{_LIMIT}|<=|≤|\blimited to|\ba (?:max(?:imum)? )?limit of"
    r"|\bmax(?:imum)? (?:allowed )?value (?:for|of) [\w.]{1,64} is"
    r"|\babove (?:the )?(?:max(?:imum)? |model(?:'s)? )?(?:limit|maximum)(?: of| is|:)?"
    # The number before the word: "is above the 64000 output-token limit", "exceeds the 16384 completion-token
    # ceiling" (z-152, z-151).
    # Not a quota: "the 10000 daily token cap of your organization" (red-team pass seven).
    rf"|\b(?:above|exceeds?|over|beyond) the"
    rf"(?=\s{NUMBER}(?:\s(?!daily|monthly|hourly|weekly|per\b)[\w\-]{{1,30}}){{0,2}}"
    r"\s(?:limit|ceiling|maximum)\b(?![^.\n]{0,60}\b(?:organi[sz]ation|account|quota|plan|tier)\b))"
    # "MaxTokens must be 4096 or less": the bound comes first.
    rf"|(?<![\w.])(?={NUMBER} or (?:less|fewer|lower|below|smaller)\b)"
    # "temperature greater than 1 is not allowed": the bound comes before the verdict.
    rf"|\b(?:greater|more|larger|higher) than(?=\s*{NUMBER} (?:is|are) (?:not (?:allowed|supported|permitted|valid)"
    r"|prohibited)\b)"
    r"|\bno (?:more|greater) than|\bless than or equal to|\bup to"
    # "is capped at 128000 for gpt-5", "cannot go past 65536", "this deployment's output ceiling of 16384 tokens".
    r"|\b(?:is |are )?capped at|\bcannot go (?:past|beyond|above)"
    r"|\b(?:output |token |completion )?ceiling of"
    r"(?![^.\n]{0,60}\b(?:organi[sz]ation|account|quota|plan|tier|day|month)\b)"
    r"|\bexcede o limite de|\bexcede el l[ií]mite de|\bd[ée]passe la limite de"
    r"|\b(?:cannot|can't|can not|must not|may not|should not|shall not)"
    r" (?:exceed|be (?:greater|more|larger|higher) than)"
    r"|\bexceeds? (?:the )?(?:model(?:'s)? )?(?:maximum |token |output )?(?:limit|maximum)(?: of| is|:)?\s?\(?"
    r"|\bmax(?:imum)? allowed(?: value)?(?: is|:)?"
    # Laravel's and other validators' words in Spanish, Portuguese, French and German.
    r"|\bno debe ser mayor (?:que|a)|\bnão (?:deve|pode) ser maior (?:que|do que)|\bne doit pas dépasser"
    r"|\bless or equal to|\bbatas maksimum|\bmaksimal"
    r"|\bdoit être inférieure? ou égale? à|\bdarf nicht größer (?:als|sein als)|\bhöchstens)"
    rf"\s*{_BOUND}",
    # Korean: "0 이상 2 이하여야 합니다" (must be at least 0 and at most 2): the bound comes first.
    rf"(?:(?:不能超过|不得超过|不能大于|不得大于|最大值?(?:为|是)?)\s*|(?<![\w.])(?={NUMBER}\s?(?:이하|以下))){_BOUND}",
)
RANGE_AT_LEAST: Final = Wordings(
    rf"(?:\bat least|\bminimum{_LIMIT}|>=|≥|\bno (?:less|fewer) than|\bgreater than or equal to"
    # "must be 1 or more": the bound comes first.
    rf"|(?<![\w.])(?={NUMBER} or (?:more|greater|higher|larger|above)\b)"
    rf"|\b(?:cannot|can't|can not|must not|may not|should not) be (?:less|smaller|lower|fewer) than)\s*{_BOUND}"
    r"|\bnon-negative\b(?P<zero>)",
    # The group "zero" is the Latin pattern's "non-negative"; here it never matches, but it exists.
    rf"(?:(?:不能小于|不得小于|最小值?(?:为|是)?)\s*|(?<![\w.])(?={NUMBER}\s?(?:이상|以上))){_BOUND}(?P<zero>(?!))?",
)
# "must be between 0 and 2" (a range in words).
# A range the body recommends is no bound: "We recommend values between 0.2 and 0.8", "推荐在 0.1 到 0.7 之间".
RECOMMENDED: Final = _compile(r"(?:\brecommend\w*|\bsuggest\w*|推荐|建议)[^.;。\n]{0,60}", re.IGNORECASE)
# "取值需在 0 到 1 之间" (must be between 0 and 1).
RANGE_BETWEEN: Final = _compile(
    rf"(?:\b(?:between|within|entre|zwischen|tra|từ) |(?:在|介于)\s?)(?P<lo>{NUMBER})\s?"
    rf"(?:and|y|et|e|und|đến|到|至|和|~)\s?(?P<hi>{NUMBER})(?!\d|\.\d)"
    # Korean: "1에서 40 사이" (between 1 and 40).
    rf"|(?<![\w.])(?P<lo2>{NUMBER})\s?(?:에서|부터)\s?(?P<hi2>{NUMBER})\s?사이",
    re.IGNORECASE,
)
# "integers from 1 to 24576", "the supported range is from 1 (inclusive) to 65536 (exclusive)" (r5a-043, r5a-051).
RANGE_FROM_TO: Final = _compile(
    rf"\bfrom (?P<lo>{NUMBER})(?: \((?P<lox>inclusive|exclusive)\))? (?:to|through) (?P<hi>{NUMBER})"
    r"(?: \((?P<hix>inclusive|exclusive)\))?",
    re.IGNORECASE,
)
# "max_tokens must be 1-8192", "must be 1~8192", "temperature must be 0.0 - 2.0", "range is 1 to 4096".
RANGE_SPAN: Final = _compile(
    # German "des zulässigen Bereichs 1-100" (of the range allowed, z-165).
    # "(allowed 1 ~ 8192)".
    rf"\b(?:must be|should be|range(?: is)?:?|in range|within|valid values are|allowed"
    r"|(?:zulässigen|erlaubten|gültigen) (?:Werte)?[Bb]ereich(?:s|es)?)"
    rf"\s+(?:in\s+)?[\[(]?(?P<lo>{NUMBER})"
    # The sentence may end after it ("must be 1-8192."): a dot before a digit is the number's own.
    rf"\s?(?:-|~|to|through)\s?(?P<hi>{NUMBER})[\])]?(?!\w|\.\d)",
    re.IGNORECASE,
)
# "temperature: range: 0..1" (Anthropic-style validators behind OpenAI-compatible gateways).
# Rust's inclusive range: "value 25 is out of range (0..=8)".
RANGE_DOTS: Final = _compile(rf"(?<![\w.])(?P<lo>{NUMBER})\s?\.\.=?\s?(?P<hi>{NUMBER})(?!\w|\.\d)")

# --- conditions --------------------------------------------------------------------------------------------------

# "'parallel_tool_calls' is only allowed when 'tools' are specified", "only allowed when 'stream'
# is enabled" (e041, oa-011, az-009); "must be set to false for non-streaming calls" (ot-007).
CONDITION_WHEN_ABSENT: Final = _compile(
    r"\b(?:(?:is |are |can |may |should )?only (?:be )?"
    r"(?:allowed|supported|permitted|valid|available|used|set|specified|defined|provided|passed|sent|meaningful"
    r"|applicable|relevant|honou?red|effective|supplied|given)"
    r"|(?:allowed|supported|permitted|valid|available|specified|used|set|sent|meaningful|applicable|relevant"
    r"|supplied|given) only"
    # "only applies to streamed responses", "only has meaning alongside 'tools'" (aa-192, aa-179); never without
    # "only" ("the same applies to 'top_p'", "applies to streaming and non-streaming requests alike").
    r"|only (?:applies|apply|has (?:any )?meaning|makes sense)|(?:applies|apply|has (?:any )?meaning|makes sense) only)"
    r" (?:when|if|with|for|in|to|together with|alongside|in combination with)"
    rf" (?:the )?(?P<q>{QUOTE})?(?P<name>{NAME})(?![\w.-]){QUOTE}?"
    rf"|\brequires? (?:the )?(?P<q2>{QUOTE})?(?P<name2>{NAME}){QUOTE}?"
    r"(?: (?:to be (?:set|enabled|true|specified)|(?:param(?:eter)?|to be))|(?=\s*(?:$|[.,;:)])))"
    # "search_options requires enable_search=true", right after the name it is about (not "… and requires store=True",
    # a requirement beside another verdict).
    rf"|(?<=[\w'\"`] )(?<!\band )(?:requires?|needs?) (?P<q9>{QUOTE})?(?P<name9>{NAME}){QUOTE}?\s?=\s?(?:true|1|on)\b"
    # "parallel_tool_calls requires at least one tool" (zod), joi's '"parallel_tool_calls" missing required peer
    # "tools"', jsonschema's "'stream' is a dependency of 'stream_options'".
    r"|\brequires? (?:at least one|one or more|a|an|some) (?P<name6>tools?|functions?|documents?)\b"
    # "was given for a request that defines no tools", "was set, yet there are no tools to call" (round eleven).
    r"|\b(?:(?:a|the|this) request (?:that|which) (?:defines|declares|has|carries|sends|includes)|there (?:are|is))"
    r" no (?P<name17>tools?|functions?)\b"
    # "only applies when the response is streamed, and this request is not streamed".
    r"|\bonly (?:applies|apply|works|makes sense|has (?:any )?meaning) (?:when|if)"
    r" the (?:response|request|output|reply) is (?P<stream5>stream)ed\b"
    r"|\b(?:this|the) request is not (?P<stream6>stream)ed\b"
    rf"|\bmissing required peer (?P<q7>{QUOTE})?(?P<name7>{NAME}){QUOTE}?"
    rf"|(?P<q8>{QUOTE})(?P<name8>{NAME}){QUOTE} is a dependency of\b"
    # "X is not allowed without tools", "cannot be specified unless 'tools' is given" (the name is checked as above).
    rf"|\b(?:without|unless) (?:the |any |a )?(?P<q3>{QUOTE})?(?P<name3>{NAME})(?![\w.]){QUOTE}?"
    # Not a condition on its value: "unless reasoning_effort resolves to 'none'", "unless n is 1" (r5c-020).
    r"(?!\s(?:resolves|evaluates|equals)\b|\s?==?"
    r"|\s(?:is|are)(?: set to)? (?:['\"`\d-]|(?:true|false|none|null|off)\b))"
    # "must be omitted when no tools are given".
    rf"|\b(?:when|if) no (?P<q4>{QUOTE})?(?P<name4>{NAME}){QUOTE}?"
    r" (?:is|are) (?:given|provided|set|specified|present|sent|declared|defined|supplied|included)"
    r"|(?<!only supported )(?<!only allowed )(?<!only available )(?<!only permitted )"
    r"\bfor non-(?P<stream>stream)ing (?:calls|requests)|(?P<stream2>非流式|仅(?:支持|适用于|可用于)流式)"
    # "must not be set when streaming is not enabled" (red-team eight).
    r"|\bwhen (?P<stream3>stream)ing is (?:not enabled|not on|off|disabled|false)\b"
    # "cannot be used with streaming disabled" (red-team nine).
    r"|\bwith (?P<stream4>stream)(?:ing)? (?:disabled|off|turned off|not enabled)\b"
    # The same in German, French and Vietnamese: "ist nur zulässig, wenn auch tools angegeben sind", "n'est accepté
    # que si « store » vaut true", "khi logprobs được bật".
    r"|\bnur (?:zulässig|erlaubt|gültig|möglich),? wenn (?:auch )?(?:die |der |das )?"
    rf"(?P<q10>{QUOTE})?(?P<name10>{NAME})"
    rf"|\bn'est (?:accepté|autorisé|valide|permis)e? que si (?:«\s?)?(?P<q11>{QUOTE})?(?P<name11>{NAME})"
    rf"|\bkhi (?P<q12>{QUOTE})?(?P<name12>{NAME}){QUOTE}? được bật"
    # "tool_stream 参数仅在 stream=true 时可用" (only available when stream=true).
    rf"|仅在\s*(?P<q5>{QUOTE})?(?P<name5>{NAME}){QUOTE}?(?:\s*(?:=|为|是)\s*\w+)?\s*时(?:可用|有效|支持|生效)"
    # Italian "è consentito solo quando 'store' è true" (z-102), "solo cuando", "somente quando", "seulement si";
    # class-validator's "should not exist when logprobs is not set" (z-095).
    rf"|\b(?:solo|soltanto|solamente|somente|apenas|seulement|uniquement) (?:quando|cuando|si|lorsque|quand) "
    rf"(?:(?:el|la|o|a|le|il|lo) )?(?P<q14>{QUOTE})?(?P<name14>{NAME})(?![\w.-]){QUOTE}?"
    # "'parallel_tool_calls' was provided but 'tools' is empty or missing" (aa-154).
    rf"|\bbut (?:the )?(?P<q16>{QUOTE})?(?P<name16>{NAME}){QUOTE}? (?:is|are) (?:empty|missing|absent"
    r"|not (?:set|provided|given|specified))\b"
    rf"|\bwhen (?P<q15>{QUOTE})?(?P<name15>{NAME}){QUOTE}? (?:is|are) (?:not set|not provided|not specified|not given"
    r"|absent|missing|unset|omitted)\b"
    # "thinking_budget only takes effect when enable_thinking is true", "top_logprobs has no effect unless logprobs
    # is true" (y-138, w-134).
    r"|\b(?:(?:only )?takes? effect (?:only )?(?:when|if)|has (?:any )?effect only (?:when|if)|has no effect"
    rf" (?:unless|without)) (?:the )?(?P<q13>{QUOTE})?(?P<name13>{NAME})(?![\w.-]){QUOTE}?",
    re.IGNORECASE,
)
# "Function tools with reasoning_effort are not supported" (br-012): the first holds while the second is sent.
CONDITION_WHEN_PRESENT: Final = _compile(
    rf"\b(?:function )?(?P<name>tools?|stream(?:ing)?|logprobs|response_format) with {QUOTE}?(?P<subject>{NAME})"
    rf"|\b{IS_NOT} (?:supported|allowed|permitted|compatible|available|implemented)"
    r" (?:with|when using|when|while|together with|in combination with|alongside|for)"
    # "`prompt_logprobs` are not available when `stream=True`" (y-036).
    rf" (?:the )?(?:extended )?(?:(?P<q2>['`\"])(?P<name2>{NAME})(?:\s?=\s?(?:true|1|on))?(?P=q2)"
    # "not supported together with structured output (response_format)" (aa-011).
    r"|(?P<name16>structured outputs?|json mode)\b(?:\s?\((?:the )?['`\"]?response_format['`\"]?\))?"
    rf"|(?P<name3>{NAME}))"
    r"(?! model)"
    # "reasoning_effort cannot be combined with function tools", "seed cannot be combined with stream=true" (y-111).
    r"|\b(?:cannot|can't|can not|may not) be (?:combined|used|sent) (?:with|alongside|together with) (?:the )?"
    # "`top_n_tokens` cannot be used together with streaming" (aa-041).
    r"(?:(?:function )?(?P<name10>tools?|stream(?:ing)?)\b(?! (?:disabled|off|turned off|not enabled)\b)"
    rf"|(?P<q11>{QUOTE})?(?P<name11>{NAME})(?(q11)(?P=q11))"
    r"\s?=\s?(?:true|1|on)\b)"
    # "does not accept reasoning_effort together with function tools" (aa-043): the subject between verb and partner.
    rf"|\b(?:does not|doesn't|do not|don't) (?:accept|support|allow) {QUOTE}?{NAME}{QUOTE}?"
    r" (?:together with|alongside|in combination with|combined with) (?:the )?(?:function )?(?P<name17>tools?)\b"
    # A mode named by its switch: "wird im Denkmodus (enable_thinking=true) nicht unterstützt" (z-085).
    rf"|\((?P<q12>{QUOTE})?(?P<name12>[A-Za-z_]\w*_[\w.]{{1,60}})(?(q12)(?P=q12))\s?=\s?(?:true|1|on)\)"
    # Only before the verdict it conditions: "(enable_thinking=true): presence_penalty must be a number" is where the
    # request ran, not a condition (red-team pass seven).
    r"(?=[^.:;\n]{0,12}\b(?:nicht|not|non|no|isn't|aren't|cannot)\b)"
    rf"|\b{IS_NOT} (?:supported|allowed|permitted|available|returned|implemented) (?:in|for|with)"
    r" (?P<name4>stream)(?:ing)? "
    r"(?:mode|requests?|calls?|responses?)\b"
    # "temperature is not supported in thinking mode": while thinking is sent (it is no second subject).
    rf"|\b{IS_NOT} (?:supported|allowed|permitted|available) in {QUOTE}?(?P<name8>{NAME}){QUOTE}? mode\b"
    # "logprobs is only supported for non-streaming requests": refused while streaming.
    r"|\bonly (?:supported|allowed|permitted|available) (?:in|for|with) non-(?P<name7>stream)(?:ing)?"
    r" (?:mode|requests?|calls?|responses?)\b"
    # "must be unset when thinking is enabled", "may only be set to 1 when thinking is enabled" (r5a-007, r5a-002).
    rf"|\b(?:when|while) (?:the )?(?:extended )?(?P<q5>['`\"])?(?P<name5>{NAME})(?(q5)(?P=q5))"
    r" (?:is|are) (?:enabled|on|active|in use|true|set|specified|provided|present|attached|included|given|sent)\b"
    # "best_of must be 1 when streaming" (z-089); "quando 'reasoning_effort' está definido" (z-088).
    r"|\b(?:when|while) (?P<name13>stream)ing\b(?! is (?:not|off|disabled|false)\b)"
    rf"|\b(?:quando|cuando|lorsque|quand) (?:(?:el|la|o|a|le) )?(?P<q14>{QUOTE})?(?P<name14>{NAME})(?(q14)(?P=q14))"
    r" (?:está|esté|estiver|est|è) (?:definid[oa]|presente|activad[oa]|ativad[oa]|défini|présent|activé|impostat[oa]"
    r"|attivat[oa]|true)\b(?! (?:en|a|como|em|para|à|su|auf|sur|com|con|to) ['\"`\w])"
    # "Thinking may not be enabled when tool_choice forces tool use." (r5a-008).
    rf"|\b(?:when|while) (?:the )?(?P<q6>['`\"])?(?P<name6>[A-Za-z]\w*_[\w.]{{1,60}})(?(q6)(?P=q6))"
    r" (?:forces|requires|specifies|sets|uses)\b"
    # A leading clause: "When streaming, logprobs is not supported", "For streaming requests, …".
    r"|(?:^|(?<=[.;:] ))[ \t]*(?:when|while|if|for|in|during) (?P<name9>stream)(?:ing|ed)?"
    r"(?: (?:is (?:enabled|on|true)|mode|requests?|calls?|responses?))?,",
    re.IGNORECASE,
)
# The same in Japanese and Chinese, where the name comes first: "stream_options は stream が true の場合のみ指定
# できます" (only while stream is sent, w-137), "stream が有効な場合、logprobs は使用できません", "当 stream 为 true 时"
# (while it is, y-189). Looked for only in text with CJK: a fragment that opens with a name is tried at every word.
CONDITION_CJK: Final = re.compile(
    rf"(?<![\w.])(?P<q>{QUOTE})?(?P<absent>{NAME}){QUOTE}?\s?が\s?(?:true|有効)\s?(?:の|な)?場合(?:のみ|に限り)"
    rf"|(?<![\w.])(?P<q2>{QUOTE})?(?P<present>{NAME}){QUOTE}?\s?が\s?(?:有効|true|オン)\s?(?:な|の)?場合"
    rf"|当\s?(?P<q3>{QUOTE})?(?P<present2>{NAME}){QUOTE}?\s?(?:为|=|==)\s?(?:true|开启|启用)\s?时"
    # "tools가 지정된 요청에서는" (in requests where tools are given, z-084).
    rf"|(?<![\w.])(?P<q4>{QUOTE})?(?P<present3>{NAME}){QUOTE}?\s?(?:가|이) "
    r"(?:지정된|포함된|있는|설정된|활성화된) (?:요청|경우)",
    re.IGNORECASE,
)
# A condition on a value: "when logprobs is false" (while it is not sent, or off), "when temperature is 0" (a value
# no fix can hold to: the statement is not acted on).
VALUE_CONDITION: Final = _compile(
    rf"\b(?:when|if|while) (?:the )?{QUOTE}?(?P<name>{NAME}){QUOTE}? (?:is|=|==|equals|is set to) "
    rf"(?P<value>{VALUE}|[A-Za-z_][\w\-]{{0,31}})(?![\w.])",
    re.IGNORECASE,
)

# "The following tools cannot be used with reasoning.effort 'minimal'" (r3b-014): one value of a param is refused
# beside the others; it is that value which changes, to its neighbour on its scale.
USED_WITH_VALUE: Final = _compile(
    rf"\b(?:cannot|can't|can not|may not) be used (?:with|together with|alongside) {QUOTE}?(?P<name>{NAME}){QUOTE}?"
    rf"(?: (?:set to|of|=|:))?\s?(?P<value>'[^'\n]{{1,32}}'|\"[^\"\n]{{1,32}}\"|`[^`\n]{{1,32}}`)",
    re.IGNORECASE,
)
# Ordered value scales: a value refused for its place on one goes to its nearest neighbour.
SCALES: Final = (
    ("none", "minimal", "low", "medium", "high", "xhigh", "max"),
    ("concise", "auto", "detailed"),
)

# "Setting 'max_tokens' and 'max_completion_tokens' at the same time is not supported",
# "`temperature` and `top_p` cannot both be specified" (br-007).
# Which of a pair the body says to remove: "…; drop repetition_penalty or set it to 1", "Remove topP and retry",
# "请移除 penalty_score" (remove penalty_score).
REMOVE_ONE: Final = _compile(
    rf"\b(?:remove|drop|omit|unset|delete|retirez|supprimez|elimine|quite|remova|entfernen sie|rimuovi)"
    rf"\s(?:the\s)?(?:«\s?)?{QUOTE}?(?P<name>{NAME}){QUOTE}?(?![\w.])"
    rf"|请(?:移除|删除|去掉)\s?{QUOTE}?(?P<name2>{NAME}){QUOTE}?",
    re.IGNORECASE,
)
PAIR: Final = _compile(
    r"\bat the same time\b|\bcannot both be\b|\bmutually exclusive\b|\bonly (?:\w+ ){0,2}one of\b|\bsimultaneously\b"
    r"|\b(?:cannot|can't|can not|may not) be (?:used|combined|set|specified|sent) (?:together )?(?:with|alongside)\b"
    # Not with a deployment, a model or an account: those are where the param is refused, not its partner.
    r"(?! (?:this|the|your) (?:deployment|model|endpoint|provider|account|api|version|route|region)\b)"
    r"|\bcannot be combined\b|\b(?:are|is) both set\b"
    r"|\b(?:cannot|can't|can not) (?:set|specify|use|pass) both\b"
    r"|\b(?:used|specified|set) together\b|\bboth [^.\n]{1,60} (?:and|&) [^.\n]{1,60} (?:cannot|can't|may not)\b"
    # "Both max_tokens and max_completion_tokens were supplied."
    r"|\bboth [^.\n]{1,60} (?:and|&) [^.\n]{1,60} (?:were|are) (?:supplied|given|sent|set|specified|provided)\b"
    r"|\bin combination\b|\binvalid combination of\b|\b(?:are|is) (?:not compatible|incompatible) with each other\b"
    # "Extended thinking is incompatible with top_k sampling. Remove top_k or turn thinking off."
    r"|\b(?:is|are) incompatible with\b"
    r"|\band [\w.]{1,64} are (?:not compatible|incompatible)\b"
    # "`max_tokens` conflicts with `max_completion_tokens`", "Either 'temperature' or 'top_p' should be set, not both".
    r"|\bconflicts? with\b|\bnot both\b"
    # "thinking_budget and thinking_level are not supported together" (Gemini, r11c-001).
    r"|\b(?:are|is) not (?:supported|allowed|permitted) together\b"
    # "does not yet support 'stream' and 'background' together" (r12a-014).
    r"|\bsupport\b[^.\n]{1,80}\band\b[^.\n]{1,80}\btogether\b|\bsupport\b[^.\n]{1,80}\btogether with\b"
    # "`echo` combined with `logprobs` is not supported" (r9b-030).
    r"|\bcombined with\b"
    # "不能同时设置" (cannot be set at the same time).
    r"|不能同时(?:设置|使用|指定|传入)|함께 사용할 수 없|동시에 사용할 수 없|同時に(?:使用|指定)できません"
    # In Spanish, Portuguese, French, German and Italian: "no pueden enviarse juntos", "ne peut pas être combiné
    # avec" (z-087, z-086).
    r"|\bno (?:pueden|puede) (?:enviarse|usarse|combinarse|especificarse|utilizarse) (?:juntos|a la vez)\b"
    r"|\bnão (?:podem|pode) ser (?:enviad|usad|combinad|especificad|utilizad)[oa]s? (?:juntos|ao mesmo tempo)\b"
    # With another param, not with a value ("avec une valeur supérieure à 4096" is a bound, red-team pass seven).
    r"|\bne (?:peut|peuvent) pas être (?:combiné|utilisé|envoyé|spécifié)e?s? (?:avec|ensemble)\b"
    r"(?! (?:une?|des|la|le|les|valeurs?|plus)\b)"
    r"|\b(?:können|kann) nicht (?:zusammen|gleichzeitig|gemeinsam) (?:verwendet|gesetzt|angegeben|gesendet)\b"
    r"|\bnon (?:possono|può) essere (?:usat|inviat|combinat|specificat)[oiae] (?:insieme|con)\b"
    r"(?! (?:valori|valore|un|una|il|la|i|le|più)\b)",
    re.IGNORECASE,
)
# Two sent params in an order: "`max_tokens` must be greater than `thinking.budget_tokens`" (r5a-045),
# "budget_tokens must be less than max_tokens". A relation within one request: it is read so that nothing is learned.
ORDERED_PAIR: Final = _compile(
    rf"{QUOTE}?(?P<a>{NAME}){QUOTE}? (?:must|should|has to|needs to) be"
    r" (?P<op>greater|larger|more|higher|less|smaller|lower|fewer) than(?P<eq> or equal to)?"
    rf" {QUOTE}?(?P<b>{NAME}){QUOTE}?",
    re.IGNORECASE,
)
# A role refused without saying which: "chat template rejected the request: Unexpected message role." (r9b-014).
ROLE_UNNAMED: Final = _compile(
    r"\b(?:unexpected|invalid|unsupported|unknown) (?:message )?role\b(?!\s*(?:[:=]|'|\"|`|\w))", re.IGNORECASE
)
# A role the API does not know at all, rather than one this model refuses: "Unexpected role \"system\"",
# "system is not a valid enum value" (r5a-009, r5a-021). An API without a system role has no developer role.
# A role out of place, not refused as such: "Unexpected role 'system' after role 'assistant'" (Mistral 3230).
ROLE_ORDER: Final = _compile(
    r"\bafter (?:the )?(?:role|(?:an? )?(?:user|assistant|tool) (?:message|turn))\b"
    # How many there are, or where: "Multiple system messages are prohibited", "only the first message may have the
    # system role", "… was not expected at index 3".
    r"|\b(?:multiple|more than one|several|two or more) (?:system|developer) (?:messages|prompts)\b"
    r"|\bonly the first message\b|\bat index \d+"
    # "invalid position for system message; only allowed at the start" (red-team eight), and in CJK words: after
    # the first message, other than the first, only one.
    r"|\bposition\b|\bat the (?:start|beginning)\b|\bfirst message\b"
    r"|之后|以外|最初の|第一条|하나만|一つだけ|只能有一个|多个|여러 개|複数",
    re.IGNORECASE,
)
ROLE_UNKNOWN: Final = _compile(
    r"\bunexpected role\b|\bis not a valid enum value\b|\binvalid (?:message )?role\b|\bunknown (?:variant|role)\b"
    # A chat template refuses it (llama.cpp, vLLM, TGI, LM Studio): a template knows no developer role either.
    r"|\bjinja\d?\b|\b(?:chat |prompt )?template (?:error|exception)\b|\bTemplateError\b"
    r"|\berror rendering (?:the )?prompt\b"
    # "this model's template does not support system prompts" (Ollama, w-169).
    r"|\btemplate\b[^.\n]{0,40}?\b(?:does not|doesn't|do not|cannot|can't) (?:support|handle|render|accept)\b",
    re.IGNORECASE,
)
# The body says where instructions go: "Put your instructions in a user message instead", "Send the instructions as
# a 'user' message", "请仅使用 user 消息" (y-076, y-191): into the user message, whichever role was refused.
# Only the instructions: "Put images in a user message" is about what a message holds (red-team pass six).
ROLE_TO_USER: Final = _compile(
    # "Put the instructions in the first user message", "Move that text into a 'user' item" (aa-028, aa-015).
    r"\b(?:instructions?|system prompts?|prompt|it|them|this|(?:that|the|this|its) (?:text|content))"
    r" (?:in|into|as|inside|to) (?:a|an|the)(?: first| initial| leading)? (?P<uq>['\"`])?user"
    r"(?(uq)(?P=uq)) (?:message|turn|item|input)\b|仅(?:使用|支持)\s?user|\buser\s?メッセージに|放入\s?user\s?消息",
    re.IGNORECASE,
)
# A role named in prose: "System messages are not supported", "role 'developer' is not allowed".
ROLE_WORD: Final = _compile(
    # "O papel 'developer' não é suportado" (aa-106); not the nouns of languages whose order and count wordings the
    # reader does not know ("Le rôle « system » n'est pas pris en charge après le premier message", red-team nine).
    rf"\b(?:roles?|papel)(?:\s{{0,3}}[:=]\s{{0,3}}|\s{{1,3}}){QUOTE}?(?P<a>system|developer)\b"
    rf"|\b{QUOTE}?(?P<b>system|developer){QUOTE}? (?:role|messages?|prompts?)\b"
    # "does not accept a system turn" (aa-186): one, not "Multiple system turns" nor "System turns after …".
    r"|(?<=\ba )(?P<g>system|developer) turn\b"
    r"|\b(?P<c>system|developer) and (?:system|developer) (?:roles?|messages?|prompts?)\b"
    # "discriminator property 'role' has invalid value 'developer'".
    rf"|\broles?{QUOTE}?\s(?:has |with )?(?:an? )?(?:invalid|unsupported|unknown) value"
    rf"\s{QUOTE}?(?P<d>system|developer)\b"
    # "ロール 'system'", "'developer' 역할", "不支持的角色: developer", "developer 角色" (z-117, z-125, y-155).
    rf"|(?:ロール|角色|역할)\s?:?\s?[「'\"`]?(?P<e>system|developer)\b"
    rf"|\b(?P<f>system|developer)[」'\"`]?\s?(?:ロール|角色|역할)",
    re.IGNORECASE,
)
# A role the body says to use is not one it refuses: "Provide instructions with the 'developer' role".
ROLE_SUGGESTED: Final = _compile(
    # "Provide the instructions in a developer message" (z-124).
    rf"\b(?:with|use|using|via|as|into|in) (?:the |a )?{QUOTE}?(?:system|developer){QUOTE}? (?:role|message)s?\b"
    r"(?! (?:is|are) not\b)"
    # "system ロールを使用してください", "请使用 system 角色" (use the system role, w-160, z-116).
    r"|\b(?:system|developer)[」'\"`]?\s?ロール\s?を\s?(?:使用|指定)|(?:请使用|请改用|应使用)\s?['\"`]?(?:system|developer)\b",
    re.IGNORECASE,
)
# The verdicts a role gets in prose besides the general ones: "invalid role: developer", "is not one of".
ROLE_REFUSED: Final = _compile(r"\binvalid\b|\bis not one of\b|\breceived\b", re.IGNORECASE)
# A message about what a role's message holds, not about the role (tests/adversarial: "System message content is
# not allowed to be empty").
ROLE_CONTENT: Final = _compile(
    r"\bcontent (?:is|must|cannot|can't|should|may)\b|\bempty\b|\btoo long\b|\blength\b|\bcharacters\b|\bexceed"
    # What a message holds: an image, audio, a file, its 'name' field (red-team pass six).
    r"|\bcontains?\b|\bimage|\baudio\b|\bfiles?\b|\b'?name'? field\b"
    # In Chinese, Japanese and Korean: a field, an image, an array, cache control in that message (red-team eight).
    r"|字段|필드|フィールド|画像|图片|图像|이미지|配列|数组|배열|内容|콘텐츠|コンテンツ|\bcache_control\b",
    re.IGNORECASE,
)
# The scope of a per-role check, not a refused role: "'messages.4' : for 'role:assistant' the following must be
# satisfied[...]" (gq-008): what follows is about a field of that message.
ROLE_SCOPE: Final = _compile(r"\bfor '?role:\s?[a-z]{1,16}'?", re.IGNORECASE)
# A role path written any way: messages[0].role, messages.0.role, messages.role, 'messages.[6].role' (r3b-017/019).
# Bedrock's "messages.1.member.role" names the same item.
ROLE_PATH: Final = _compile(
    r"\b(?:messages|input)\W{0,4}\d{0,6}\W{0,4}(?:member\W)?role\b"
    # serde names the item, not its field: "messages[0]: unknown variant `developer`, expected one of `system`, …".
    r"|\b(?:messages|input)\[\d{1,6}\](?=: unknown variant ['\"`]?(?:system|developer)\b)"
)

# "Developer instruction is not enabled for models/gemma-3-27b-it" (gm-022): no system or developer message at all.
INSTRUCTIONS_REFUSED: Final = _compile(
    r"\b(?:developer|system) (?:instructions?|prompts?|messages?|role) (?:is|are) not (?:enabled|supported|allowed)",
    re.IGNORECASE,
)

# --- sizes of lists ---------------------------------------------------------------------------------------------

# A list refused for its length: "'stop': array too long. Expected an array with maximum length 4" (r3b-011),
# "stop:最大只能有4个停止词" (at most 4 stop words, r3b-012). A list cannot be trimmed by a fix: it is left out.
LIST_TOO_LONG: Final = Wordings(
    r"\b(?:array|list) (?:is )?too long\b|\btoo many (?:items|elements|entries|values|sequences|strings|stop\w*)\b"
    # marshmallow's Length validator on a list: "Longer than maximum length 4."
    r"|\blonger than maximum length \d{1,6}\b"
    r"|\b(?:at most|up to|maximum of|max(?:imum)?) \d{1,6}"
    r" (?:items|elements|entries|values|sequences|strings|stop\w*)\b",
    r"最(?:大|多)\s?(?:只能|仅能|可以|支持)?\s?(?:有|为|是|传|设置)?\s?\d{1,6}\s?个",
)

# "Length of stop ([2, 16, 2, 1, 3, 3]) exceeds the limit max_model_len(5)" (r3b-013): a statement about the
# length of a sent list, not about the context, whatever limit it names.
LIST_LENGTH: Final = _compile(
    rf"\b(?:length|size|number|count) of (?:the )?{QUOTE}?(?P<name>{NAME}){QUOTE}?"
    r" \(?\[[^\]\n]{0,512}\]\)? exceeds\b",
    re.IGNORECASE,
)

# --- capabilities ------------------------------------------------------------------------------------------------

# A capability refused as a word, not as a param name: "does not support thinking" (ol-004, ol-005), "Penalty is not
# enabled for models/..." (r3b-007). The word names the sent params that ask for it (see Vocabulary.ground_capability);
# a word followed by another noun ("image input", "Function Calling", "Json Output") is a feature, not a param.
CAPABILITY: Final = _compile(
    rf"\b{DOES_NOT} (?:not )?support"
    r" (?:the )?(?P<a>[A-Za-z]{3,24})\b(?![-\w]|(?-i: [a-z]{2,}))"
    r"|\binvalid (?P<c>[a-z]{3,24}) (?:flag|header)s?\b"
    # "Multiple completions are not supported" counts things: no capability (test_reader_red_team).
    rf"|(?:^|[.:;]\s|(?<!multiple)(?<!several)\s)(?P<b>[A-Za-z]{{3,24}})"
    rf" {IS_NOT} (?:enabled|supported|available|allowed)\b",
    re.IGNORECASE,
)

# A count the server caps, named as a thing: "Only one candidate can be specified" (Gemini, r6b-010), "at most 2
# choices are allowed", "multiple candidates are not supported". The word names a sent count param by its stem
# (candidateCount), as a capability does; that count goes to the number given.
ONLY_COUNT: Final = _compile(
    r"\b(?:only|at most|no more than) (?P<n>one|a single|\d{1,3}) (?P<a>[a-z]{3,24}?)s? (?:can|may|is|are)\b"
    rf"|\b(?:multiple|more than one) (?P<b>[a-z]{{3,24}}?)s? (?:{IS_NOT}|{DOES_NOT})"
    r" (?:supported|allowed|permitted|enabled|be)\b",
    re.IGNORECASE,
)

# Bedrock's pass-through block named in words: "The additional field system conflicts with an existing field."
# (r7a-008) is about additionalModelRequestFields.system.
ADDITIONAL_FIELD: Final = _compile(
    r"\bthe additional (?:model request )?field (?P<name>[A-Za-z_][\w.]{0,63})\b", re.IGNORECASE
)

# "Only user and assistant roles are supported!" (chat templates behind vLLM and others): the roles named are the
# ones accepted; a system or developer message the request sends is refused.
_ROLE: Final = r"(?:user|assistant|tool|function|system|developer|model)"
_AND: Final = r"(?:,| and| or|,? and|,? or) ?"
ROLE_NAME: Final = re.compile(rf"\b{_ROLE}\b", re.IGNORECASE)
"""One role's name, as a word, in a list of roles."""
ONLY_ROLES: Final = _compile(
    rf"\bonly (?:the )?(?P<roles>{_ROLE}(?:(?:,|/| and| or|,? and|,? or) ?{_ROLE}){{0,5}}) (?:roles?|messages?)"
    r" (?:are|is) (?:supported|allowed|accepted|permitted)\b"
    # About a place in the conversation ("... allowed as the last message"), not about roles as such.
    r"(?! (?:as|at|in|for) (?:the )?(?:first|last|final|start|end|beginning))"
    # A chat template that takes only turns of these roles: "Conversation roles must alternate user/assistant/…"
    # (Mistral's and Llama's templates behind vLLM, r7b-002).
    rf"|\broles must alternate (?:between )?(?P<roles2>{_ROLE}(?:/{_ROLE}){{1,5}})"
    # "Role must be in [user, assistant]." (a relay, r7c-033); "a 'role' field that is in [user, assistant, system,
    # tool]. Got 'developer'" (LM Studio, r8a-019). A bracketed list of roles elsewhere is no list of roles accepted.
    rf"|\broles? must be (?:in|one of) \[(?P<roles3>{_ROLE}(?:, ?{_ROLE}){{0,5}})\]"
    r"|\brole'?s?'? (?:field )?(?:that is |must be |should be )?(?:in|one of) "
    rf"\[(?P<roles4>{_ROLE}(?:, ?{_ROLE}){{1,5}})\]"
    # "qwen-mt-plus accepts only user and assistant messages", "valid roles are system, user, assistant".
    rf"|\baccepts? only (?P<roles5>{_ROLE}(?:{_AND}{_ROLE}){{0,5}}) (?:roles?|messages?|turns?)\b"
    rf"|\b(?:valid|supported|allowed|accepted) roles are:? (?P<roles6>{_ROLE}(?:{_AND}{_ROLE}){{1,5}})\b",
    re.IGNORECASE,
)

# --- what makes a body final -------------------------------------------------------------------------------------

# Codes that say the request is fine but something else is wrong (e070 carries param "prompt").
FINAL_CODES: Final = frozenset(
    {
        "content_filter",
        "context_length_exceeded",
        # The model's own tool call failed its schema (Groq): nothing in the request is refused.
        "tool_use_failed",
        "DeploymentNotFound",
        "invalid_json_schema",
        "OperationNotSupported",
        "ResponsibleAIPolicyViolation",
        "sanitizer_server_error",
        "model_not_found",
        "insufficient_quota",
        "rate_limit_exceeded",
        "invalid_api_key",
        "unknown_model",
        "string_above_max_length",
    }
)
# Of those, the codes about what a request asks of the model rather than about its content, money or identity: with a
# ``param`` field naming a sent setting, the error is about that setting ("OperationNotSupported" for max_tokens on a
# reasoning deployment; a prompt_cache_key too long, r14a-070).
PINNABLE_CODES: Final = frozenset({"OperationNotSupported", "string_above_max_length"})
# Wordings of the same: limits of the conversation, money, identity, existence (lk-0xx, oa-0xx).
FINAL_WORDS: Final = Wordings(
    _words(
        r"\bcontext (?:length|window|limit)\b",
        r"\bmax(?:imum)?[_ ](?:model|seq)[_ ]len\b",
        r"\breduce (?:the length|your prompt)",
        r"\btoo many tokens\b",
        r"\btokens? per (?:min(?:ute)?|hour|day|second|month)\b",
        r"\brate limit",
        r"\bquota\b",
        r"\bbilling\b",
        r"\bcredits?\b",
        r"\bbalance\b",
        # Money, not a model's "thinking budget" (r4-066).
        # "Budget 0 is invalid" (a thinking budget of 0 tokens sent, Gemini) is no money either.
        r"\bbudget\b(?<!thinking budget)(?<!reasoning budget)(?! -?\d+(?:\.\d+)? (?:is|are)\b)",
        r"\bcontent (?:management )?(?:policy|filter)",
        r"\bflagged\b",
        r"\bmust be verified\b",
        r"\bapi[ -]?key\b",
        r"\bauthenticat",
        r"\bunauthori[sz]ed\b",
        r"\bdoes not exist\b",
        # Where the caller is, not what it sent: "not available in your country", "User location is not supported".
        r"\bnot available in your (?:country|region|location|territory)\b",
        r"\b(?:user|your) location is not supported\b",
        r"\bunsupported (?:country|region|location)\b",
        r"\bnot found\b",
        r"\bdecommissioned\b",
        r"\bnot a chat model\b",
        r"\bis a chat model\b",
        r"\bjson schema\b",
        r"\binvalid schema\b",
        r"\bprompt (?:tokens|is too long)\b",
        # A plan or tier the account is on: "not allowed on the free plan", "upgrade your tier".
        r"\b(?:free|current|your|paid|trial) (?:plan|tier)\b",
        # The same in French, German, Spanish, Portuguese and Italian: context length, quota, balance, credit.
        r"\blongueur (?:maximale )?(?:du|de) contexte\b|\bfenêtre de contexte\b|\bKontext(?:länge|fenster|limit)\b"
        r"|\blongitud (?:máxima )?(?:del|de) contexto\b|\bventana de contexto\b"
        r"|\bcomprimento (?:máximo )?(?:do|de) contexto\b|\bjanela de contexto\b"
        r"|\blunghezza (?:massima )?(?:del|di) contesto\b|\bcontingente\b|\bKontingent\b"
        r"|\bGuthaben\b|\bsolde\b|\bsaldo\b|\bcrédito\b|\bcrédit\b|\bcuota\b|\bRatenlimit\b"
        r"|\bplan (?:gratuito|gratuit|gratis)\b|\bplano gratuito\b|\bkostenlose[nm]? (?:Plan|Tarif)\b",
    ),
    # The same in Chinese: context length, region, balance, arrears, quota, rate, sensitive content, throttling;
    # in Japanese and Korean: context length, quota, balance, rate limit, a free plan.
    r"上下文|地域|地区|余额|欠费|配额|频率|敏感|限流|免费|套餐"
    r"|コンテキスト|クォータ|残高|レート制限|無料プラン|컨텍스트|할당량|잔액|요금|한도 초과|속도 제한",
)
# A token limit that is final only when the statement is about the conversation: "exceeds the limit" is the
# context's when the prompt or input is in it, an output cap's when it names only a sent max-tokens param
# ("max_tokens exceeds the limit of 4096": clamp).
TOKEN_LIMIT: Final = _compile(
    r"\btokens? limit\b|\btokens? per (?:request|call|response)\b"
    r"|\bexceeds? (?:the )?(?:model(?:'s)? )?(?:maximum |token |output )?limit\b",
    re.IGNORECASE,
)
# The conversation side of a token count: the prompt, input, messages, context, or a sum.
# Not Bedrock's "Malformed input request:", which opens every refusal it sends (z-024).
INPUT_SIDE: Final = _compile(
    r"\b(?:prompt|input(?! request\b)|inputs|messages?|context|conversation|history)\b|\s\+\s", re.IGNORECASE
)
# The same, cut out before the final wordings are looked for ("does not exist", "not found").
PARAM_MISSING: Final = _compile(_PARAM_MISSING, re.IGNORECASE)
# A server error that quotes an upstream's client error: the server's own call upstream was refused (a proxy that
# mistranslated the request, ll-015). Nothing the caller changes fixes that.
UPSTREAM_REFUSED: Final = _compile(
    r"\b(?:BadRequestError|InvalidRequestError|UnprocessableEntityError|ValidationException)\b"
    r"|\bError code:? 4\d\d\b|<4\d\d>|\bstatus(?:[ _]?code)?\s?[:=]?\s?4\d\d\b|\bstatusCode\s?[:=]\s?4\d\d\b"
    r"|\bClient error '4\d\d|\b4\d\d Client Error\b|\bHTTP[ /]?(?:1\.1 )?4\d\d\b|[(\[]4\d\d[)\]]"
    r"|\b(?:returned|responded with|answered) (?:HTTP )?4\d\d\b"
    # openai-node's "400 Unsupported parameter…", aiohttp's "400, message='Bad Request'", google-genai's
    # "400 INVALID_ARGUMENT".
    r"|(?:^|: )4\d\d (?=[A-Z])|\b4\d\d, message=|\b4\d\d [A-Z_]{5,}\b",
    re.IGNORECASE,
)
# A server that crashed: a traceback, a device error, memory. Whatever names a param beside it, the 500 is the
# server's own failure and retrying is the remedy ("sampling_params.temperature … CUDA error", test_reader_red_team).
SERVER_CRASH: Final = _compile(
    r"Traceback \(most recent call last\)|\bCUDA\b|\bout of memory\b|\bOOM\b|\bsegmentation fault\b"
    r"|\bpanic: |\billegal memory access\b|\b(?:RuntimeError|AssertionError|KeyError|AttributeError|TypeError)\b",
    re.IGNORECASE,
)
# Any constraint at all on a named, sent param: what a statement that names one and gives no other verdict says of
# it. Leaving the param out asks for its default.
CONSTRAINT: Final = Wordings(
    r"\b(?:must|should|has to|needs to|only|may not|cannot|can't|can not|conflicts? with|requires?|invalid|illegal"
    r"|incorrect|not valid|wrong|non-empty)\b",
    r"必须|只能|仅支持|不能|无效|错误|非法",
)
BOOLEAN_NAMED: Final = {
    True: re.compile(r"\btrue\b", re.IGNORECASE),
    False: re.compile(r"\bfalse\b", re.IGNORECASE),
}
# Accepted values listed as alternatives: "should be enabled or disabled", "either 'a', 'b' or 'c'".
# One item each way, so that no run of items backtracks ("must be 1, 1, 1, …" costs a linear scan).
_ITEM: Final = r"(?:'[^'\n]{0,64}'|\"[^\"\n]{0,64}\"|`[^`\n]{0,64}`|[\w.\-]{1,64})"
ALTERNATIVES: Final = _compile(
    rf"\b(?:be|either|of|to)\s+{_ITEM}(?:\s*,\s*{_ITEM}){{0,16}},?\s+or\s+",
    re.IGNORECASE,
)
