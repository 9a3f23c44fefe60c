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
from typing import Final

__all__ = [
    "COMPARED",
    "CONDITION_WHEN_ABSENT",
    "CONDITION_WHEN_PRESENT",
    "DEFAULT_ONLY",
    "FINAL_CODES",
    "FINAL_WORDS",
    "GUESS",
    "INSTRUCTIONS_REFUSED",
    "INTERVAL",
    "LIST_INTRO",
    "LOCATED",
    "MUST_BE_SET",
    "NAME",
    "NAME_LIST",
    "NAME_TOKEN",
    "NEGATIVE",
    "NEGATIVE_CODES",
    "NUMBER",
    "OFF_REFUSED",
    "ONLY_NAMES",
    "ONLY_VALUE",
    "PAIR",
    "QUOTE",
    "RANGE_AT_LEAST",
    "RANGE_AT_MOST",
    "RANGE_BETWEEN",
    "RANGE_BRACKETS",
    "RANGE_OPEN",
    "RENAME",
    "REQUIREMENT",
    "ROLE_CONTENT",
    "ROLE_PATH",
    "ROLE_REFUSED",
    "ROLE_WORD",
    "SET_TO",
    "SKIP",
    "SUGGESTS_NAME",
    "TYPE_REFUSED",
    "VALUE",
    "VALUE_CODES",
    "VALUE_REFUSED",
]


def _words(*alternatives: str) -> str:
    return "(?:" + "|".join(alternatives) + ")"


# --- shared fragments --------------------------------------------------------------------------------------------

NUMBER: Final = r"-?\d+(?:\.\d+)?"
"""A number as bodies print it: ``8192``, ``-678``, ``0.95``."""
VALUE: Final = rf"'[^'\n]{{1,64}}'|\"[^\"\n]{{1,64}}\"|{NUMBER}|true|false|null"
"""A value as bodies print it: quoted, a number, or a JSON literal."""
QUOTE: Final = r"(?:'|`|\")"
"""An optional quote around a name: ', ` or "."""
NAME: Final = r"[A-Za-z_][\w.]{0,63}"
"""A param name, possibly dotted, as prose gives it."""

# --- who ---------------------------------------------------------------------------------------------------------

# A name as bodies write it: quoted ('x', "x", `x`, [x]) or bare; dotted (reasoning.effort),
# prefixed (body.x, #/x), bracketed (messages[0].role) or camelCase (presencePenalty, xa-002).
_IDENT: Final = r"[A-Za-z_][A-Za-z0-9_\-]{0,63}"
# Item paths count numeric segments too ("messages.32.content", ll-005): they are never params.
_PATH: Final = (
    rf"(?:#/|/)?{_IDENT}(?:\[\d{{1,6}}\])?(?:(?:\.|/|->|\s->\s)(?:{_IDENT}|\d{{1,6}})(?:\[\d{{1,6}}\])?){{0,5}}"
)
NAME_TOKEN: Final = re.compile(
    rf"'(?P<q>{_PATH})'|\"(?P<dq>{_PATH})\"|`(?P<bt>{_PATH})`|\[(?P<sq>{_PATH})\]|(?P<bare>{_PATH})"
)

# --- verdicts ----------------------------------------------------------------------------------------------------

# "X is unsupported/not supported/unknown/unrecognized/not permitted/not allowed/extraneous/
# deprecated", "Extra inputs are not permitted", "Cannot find field", "does not support X",
# "not allowed to request X" (e001, e016, e027, e046, az-016, gm-001, gq-001, xa-002, xa-004,
# ds-003, br-001, br-009, m025, e080).
NEGATIVE: Final = re.compile(
    _words(
        r"\bun(?:supported|known|recogni[sz]ed|expected)\b",
        r"\bnot (?:be )?(?:supported|permitted|allowed|recogni[sz]ed|enabled|accepted|available)\b",
        r"\b(?:does|do|doesn't|don't|cannot|can't|can not) (?:not )?(?:support|accept|allow)\b",
        r"\bextra(?:neous)? (?:inputs?|keys?|fields?|param(?:eter)?s?|arguments?)\b",
        r"\bextra_forbidden\b",
        r"\bcannot find field\b",
        r"\bunknown (?:field|name|parameter|argument)\b",
        r"\bis deprecated\b",
        r"\bnot allowed to request\b",
        r"\bno such (?:field|param(?:eter)?)\b",
        # The same verdicts in other words, as other servers put them.
        r"\bis not (?:a )?(?:valid|supported|recogni[sz]ed|known|permitted)"
        r" (?:param(?:eter)?|argument|field|option|property|key)\b",
        r"\b(?:must|should) not be (?:set|specified|provided|used|present|sent|included)\b",
        r"\bcannot be (?:used|specified|set|provided)\b",
        r"\bforbidden\b",
        r"\bonly (?:supported|available|allowed) (?:for|by|on|in) ",
        r"\bno longer supported\b",
        r"\bnot (?:currently |yet )?(?:supported|available)\b",
        # Chinese providers (Zhipu, DashScope…): "temperature参数非法" (r2b-028), "不支持".
        r"参数非法|参数不合法|不支持|无效参数|参数无效",
    ),
    re.IGNORECASE,
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
    }
)
VALUE_CODES: Final = frozenset({"unsupported_value", "invalid_value", "literal_error", "enum", "invalid_enum_value"})

# "Unsupported value: 'X' does not support V", "Invalid value: 'V'", "value is not one of the
# allowed values", "must be one of", "Invalid reasoning_effort: minimal" (e005, az-011, gq-005,
# gq-006, gm-011, oa-030).
VALUE_REFUSED: Final = re.compile(
    _words(
        r"\b(?:unsupported|invalid) value\b",
        rf"\bdoes not support (?:{VALUE})(?!\w)",
        r"\bvalue is not (?:one of|in|among)\b",
        r"\bmust be (?:one of|either)\b",
        r"\bis not (?:a )?(?:valid|supported|allowed) value\b",
        r"\binput should be\b",
        r"\binvalid [a-z_.]{1,64}(?: and [a-z_.]{1,64})? value\b",
        r"\bnot a valid (?:enumeration member|choice|option)\b",
    ),
    re.IGNORECASE,
)

# "Reasoning is mandatory for this endpoint and cannot be disabled." (or-006): turning it off is refused.
OFF_REFUSED: Final = re.compile(r"\bcannot be (?:disabled|turned off|switched off)\b|\bis mandatory\b", re.IGNORECASE)
# "Frequency penalty must satisfy p > 0." (ot-001): an open bound; the param's default lies inside it.
RANGE_OPEN: Final = re.compile(
    r"(?P<op>>(?!=)|<(?!=)|\b(?:greater|larger|bigger|higher|more|less|smaller|lower|fewer) than)(?! or equal)"
    rf"\s*{QUOTE}?(?P<n>{NUMBER})",
    re.IGNORECASE,
)
# Where an open bound is a requirement: "must satisfy p > 0", "must be > 0.0 and < 1.0", "in range (0, +inf)".
REQUIREMENT: Final = re.compile(
    r"\b(?:must|should|has to|needs to) (?:satisfy|be|have)\b|\bin range\b|\bvalue must\b", re.IGNORECASE
)
# "Requests with max_tokens > 4096 must have stream=true" (r2b-030): a bound stated as a comparison.
COMPARED: Final = re.compile(rf"(?P<name>[A-Za-z_][\w.]{{0,63}}){QUOTE}?\s*(?P<op>>=?|<=?)\s*(?P<n>{NUMBER})")
# An open interval: "(0, +inf)" (r2b-039).
INTERVAL: Final = re.compile(rf"\((?P<lo>{NUMBER}|-inf),\s*(?P<hi>{NUMBER}|\+?inf)\)")
# A value of the wrong JSON type: "'1000' is not of type 'integer'", "invalid type: string \"1.3\", expected f32",
# "value must be a number" (r2a-037, r2b-021, r2b-007).
_TYPE: Final = r"[fiu]\d\d|int(?:eger)?\d*|float\d*|double|number|bool(?:ean)?|string"
TYPE_REFUSED: Final = re.compile(
    rf"\bis not of type '(?P<t1>{_TYPE})'"
    rf"|\binvalid type(?: for [^:\n]{{0,80}})?: (?:\w+ [^,\n]{{0,80}}, )?expected (?:an? )?(?P<t2>{_TYPE})\b"
    rf"|\b(?:must|should) be (?:an? )?(?:valid )?(?P<t3>{_TYPE})\b"
    rf"|\bcannot unmarshal \w+ \S+ into [^\n]{{0,120}}? of type (?P<t4>{_TYPE})\b",
    re.IGNORECASE,
)
# Only the default is supported, as e005 and e022 say it.
DEFAULT_ONLY: Final = re.compile(
    r"\bonly the default(?: value)? \((?P<value>[^)\n]{0,64})\)(?: value)? (?:is|are) (?:supported|allowed|accepted)",
    re.IGNORECASE,
)
# "only 1 is allowed for this model", "only 0.95 is allowed" (ot-004, ot-006)
ONLY_VALUE: Final = re.compile(
    rf"\bonly (?P<value>{VALUE}) (?:is|are) (?:allowed|supported|accepted)"
    rf"|\bonly supports? {NAME}\s*=\s*(?P<value2>{VALUE})"
    rf"|\bmust (?:be|equal) (?:equal to |exactly )?(?P<value3>{NUMBER}|true|false)\b(?! or| and|,)"
    r"(?! (?:tokens|characters|items))",
    re.IGNORECASE,
)

# --- suggestions -------------------------------------------------------------------------------------------------

# "Use 'max_completion_tokens' instead", "has moved to 'text.format'" (e001, e078, m058).
_NEW: Final = (
    r"(?:'(?P<{0}q>[^'\n]{{1,128}})'|`(?P<{0}bt>[^`\n]{{1,128}})`|\"(?P<{0}dq>[^\"\n]{{1,128}})\""
    r"|(?P<{0}bare>[a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)*))"
)
RENAME: Final = re.compile(
    r"\b(?:use|try) " + _NEW.format("a") + r" instead\b"
    r"|\b(?:(?:has|have)(?: been)?|was|is|were) (?:moved|renamed|replaced) (?:to|by|with) "
    + _NEW.format("b")
    + r"|\b(?:deprecated|replaced|superseded|renamed)\b[^.\n]{0,40}?\b(?:please )?use "
    + _NEW.format("c")
    + r"|\bplease use "
    + _NEW.format("d")
    + r"(?: instead)?\b",
    re.IGNORECASE,
)
# A suggestion of a new name that RENAME could not read ("Use 'x'' instead"): the finding would
# otherwise be a drop, which loses what the caller asked for, so it is not acted on.
SUGGESTS_NAME: Final = re.compile(
    r"\b(?:use|try)\b[^/]{0,80}?\binstead\b|\b(?:moved|renamed) to\b|\breplaced (?:by|with)\b", re.IGNORECASE
)
# A value to use, as br-012 puts it: set reasoning_effort to 'none'.
SET_TO: Final = re.compile(rf"\bset {QUOTE}?(?P<name>{NAME}){QUOTE}? to (?P<value>{VALUE})", re.IGNORECASE)
# "parameter.enable_thinking must be set to false for non-streaming calls" (ot-007)
MUST_BE_SET: Final = re.compile(
    rf"(?P<name>{NAME}){QUOTE}?\s*(?:must be set to|必须设置为)\s*(?P<value>{VALUE})", re.IGNORECASE
)
# What introduces a list of values or names that are *accepted*: never subjects (br-010).
# Names the server says it *accepts*: cut out, and never read as subjects or as values (br-010).
NAME_LIST: Final = re.compile(
    r"\b(?:(?:supported|valid|allowed|accepted|available|possible|permitted|known|recogni[sz]ed)"
    r" (?:fields|params|parameters|arguments|keys|properties)(?: are| is| include)?:?"
    r"|(?:fields|params|parameters|arguments|keys|properties)"
    r" (?:are |is )?(?:supported|allowed|accepted|available)(?: by this model| for this model)?:?"
    r"|(?:following|these) (?:fields|params|parameters|arguments|keys) (?:are )?(?:supported|allowed|accepted)"
    r"|\bonly accepts?|\buse one of|\bexpected one of (?:fields|params|parameters|keys)"
    r"|\bexpected one of(?= [a-z_]+, [a-z_]+))\s*[^\n]*",
    re.IGNORECASE,
)
# "Only X and Y are supported": the names given are the accepted ones.
ONLY_NAMES: Final = re.compile(
    r"\bonly (?P<names>[^.\n]{1,200}?) (?:is|are) (?:supported|allowed|accepted)\b", re.IGNORECASE
)
LIST_INTRO: Final = re.compile(
    r"\b(?:(?:supported|valid|allowed|accepted|available|possible|permitted)"
    r" (?:values|choices|options)(?: are| is| include)?:?"
    r"|(?:expected|must be|should be|is not) one of|one of the allowed values|must be either"
    r"|(?:input should be|must be|should be|expected)(?= ['\"`])"
    rf"|(?:it )?only supports?(?! {NAME}\s*=)|choose from|permitted:|allowed:)\s*",
    re.IGNORECASE,
)
# A guess at what was meant is neither a subject nor a suggestion to act on: "did you mean 'stop'?" (gq-001).
GUESS: Final = re.compile(r"\bdid you mean\b(?:[^?.\n]|\.(?=\w)){0,140}[?.]?", re.IGNORECASE)
# "Unknown name \"extra_body\" at 'extra_body'": a name inside the object at a path (gm-006, gm-021).
LOCATED: Final = re.compile(r"\"(?P<name>[A-Za-z_][\w\-]{0,63})\" at '(?P<at>[^'\n]{1,128})'")
# Spans that are never about the request: links, request ids, and structured values quoted
# inside the text (they are read on their own as statements: br-001, ot2-010).
SKIP: Final = re.compile(
    r"https?://\S+|\(request id:[^)]*\)|\brequest[_ ]id[:=]\s*\S+|(?P<braces>\{[^{}]{0,2048}\})", re.IGNORECASE
)

# A range: "[1, 8192]" (ds-001), "at most 4096" / "maximum of 256" (e047), ">= 1" / "minimum of 1" (e063, e064).
RANGE_BRACKETS: Final = re.compile(rf"\[\s*(?P<lo>{NUMBER})\s*,\s*(?P<hi>{NUMBER})\s*\]")
_LIMIT: Final = r"(?: (?:allowed|supported|permitted))?(?: value)?(?: of| is|:)?"
_BOUND: Final = rf"{QUOTE}?(?P<n>{NUMBER}){QUOTE}?"
RANGE_AT_MOST: Final = re.compile(
    rf"(?:\bat most|\bmaximum{_LIMIT}|<=|≤|\bno (?:more|greater) than|\bless than or equal to|\bup to"
    r"|\b(?:cannot|must not|may not) exceed|\bexceeds? the (?:maximum|limit) of"
    r"|\bmax(?:imum)? allowed(?: value)?(?: is|:)?)"
    rf"\s+{_BOUND}",
    re.IGNORECASE,
)
RANGE_AT_LEAST: Final = re.compile(
    rf"(?:\bat least|\bminimum{_LIMIT}|>=|≥|\bno (?:less|fewer) than|\bgreater than or equal to)\s+{_BOUND}"
    r"|\bnon-negative\b(?P<zero>)",
    re.IGNORECASE,
)
# "must be between 0 and 2" (a range in words).
RANGE_BETWEEN: Final = re.compile(rf"\bbetween (?P<lo>{NUMBER}) and (?P<hi>{NUMBER})\b", re.IGNORECASE)

# --- conditions --------------------------------------------------------------------------------------------------

# "'parallel_tool_calls' is only allowed when 'tools' are specified", "only allowed when 'stream'
# is enabled" (e041, oa-011, az-009); "must be set to false for non-streaming calls" (ot-007).
CONDITION_WHEN_ABSENT: Final = re.compile(
    r"\b(?:is |are |can )?only (?:be )?"
    r"(?:allowed|supported|permitted|valid|available|used|set|specified|defined|provided|passed|sent)"
    rf" (?:when|if|with) (?:the )?(?P<q>{QUOTE})?(?P<name>{NAME}){QUOTE}?"
    rf"|\brequires? (?:the )?(?P<q2>{QUOTE})?(?P<name2>{NAME}){QUOTE}?"
    r" (?:to be (?:set|enabled|true|specified)|(?:param(?:eter)?|to be))"
    r"|\bfor non-(?P<stream>stream)ing (?:calls|requests)|(?P<stream2>非流式)",
    re.IGNORECASE,
)
# "Function tools with reasoning_effort are not supported" (br-012): the first holds while the second is sent.
CONDITION_WHEN_PRESENT: Final = re.compile(
    rf"\b(?:function )?(?P<name>tools?|stream(?:ing)?|logprobs|response_format) with {QUOTE}?(?P<subject>{NAME})"
    r"|\b(?:is|are) not (?:supported|allowed|permitted) (?:with|when using|together with|in combination with|alongside)"
    rf" (?:the )?(?:(?P<q2>['`\"])(?P<name2>{NAME})(?P=q2)|(?P<name3>{NAME}))(?! model)",
    re.IGNORECASE,
)

# "Setting 'max_tokens' and 'max_completion_tokens' at the same time is not supported",
# "`temperature` and `top_p` cannot both be specified" (br-007).
PAIR: Final = re.compile(
    r"\bat the same time\b|\bcannot both be\b|\bmutually exclusive\b|\bonly one of\b|\bsimultaneously\b"
    r"|\b(?:cannot|can't|can not) (?:set|specify|use|pass) both\b"
    r"|\b(?:used|specified|set) together\b|\bboth [^.\n]{1,60} (?:and|&) [^.\n]{1,60} (?:cannot|can't|may not)\b"
    r"|\bin combination\b",
    re.IGNORECASE,
)
# A role named in prose: "System messages are not supported", "role 'developer' is not allowed".
ROLE_WORD: Final = re.compile(
    rf"\broles?(?:\s{{0,3}}[:=]\s{{0,3}}|\s{{1,3}}){QUOTE}?(?P<a>system|developer)\b"
    rf"|\b{QUOTE}?(?P<b>system|developer){QUOTE}? (?:role|messages?|prompts?)\b"
    r"|\b(?P<c>system|developer) and (?:system|developer) (?:roles?|messages?|prompts?)\b",
    re.IGNORECASE,
)
# The verdicts a role gets in prose besides the general ones: "invalid role: developer", "is not one of".
ROLE_REFUSED: Final = re.compile(r"\binvalid\b|\bis not one of\b|\breceived\b", re.IGNORECASE)
# A message about what a role's message holds, not about the role (red-team: "System message content is
# not allowed to be empty").
ROLE_CONTENT: Final = re.compile(
    r"\bcontent (?:is|must|cannot|can't|should|may)\b|\bempty\b|\btoo long\b|\blength\b|\bcharacters\b|\bexceed",
    re.IGNORECASE,
)
# A role path written any way: messages[0].role, messages.0.role, messages.role, 'messages.[6].role' (r3b-017/019).
ROLE_PATH: Final = re.compile(r"\b(?:messages|input)\W{0,4}\d{0,6}\W{0,4}role\b")

# "Developer instruction is not enabled for models/gemma-3-27b-it" (gm-022): no system or developer message at all.
INSTRUCTIONS_REFUSED: Final = re.compile(
    r"\b(?:developer|system) (?:instructions?|prompts?|messages?|role) (?:is|are) not (?:enabled|supported|allowed)",
    re.IGNORECASE,
)

# --- what makes a body final -------------------------------------------------------------------------------------

# Codes that say the request is fine but something else is wrong (e070 carries param "prompt").
FINAL_CODES: Final = frozenset(
    {
        "content_filter",
        "context_length_exceeded",
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
# Wordings of the same: limits of the conversation, money, identity, existence (lk-0xx, oa-0xx).
FINAL_WORDS: Final = re.compile(
    _words(
        r"\bcontext (?:length|window|limit)\b",
        r"\bmax(?:imum)?[_ ](?:model|seq)[_ ]len\b",
        r"\breduce (?:the length|your prompt)",
        r"\btoo many tokens\b",
        r"\btokens? (?:per|limit)\b",
        r"\brate limit",
        r"\bquota\b",
        r"\bbilling\b",
        r"\bcredits?\b",
        r"\bbalance\b",
        r"\bbudget\b",
        r"\bcontent (?:management )?(?:policy|filter)",
        r"\bflagged\b",
        r"\bmust be verified\b",
        r"\bapi[ -]?key\b",
        r"\bauthenticat",
        r"\bunauthori[sz]ed\b",
        r"\bdoes not exist\b",
        r"\bnot found\b",
        r"\bdecommissioned\b",
        r"\bnot a chat model\b",
        r"\bis a chat model\b",
        r"\bjson schema\b",
        r"\binvalid schema\b",
        r"\bexceeds? (?:the )?(?:model(?:'s)? )?(?:maximum |token |context )?limit\b",
        r"\bprompt (?:tokens|is too long)\b",
    ),
    re.IGNORECASE,
)
