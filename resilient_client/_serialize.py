"""Mappings <-> JSON text with a schema version. Pure; shared by every store.

Layout (``schema`` 1)::

    {"schema": 1,
     "deployments": [
       {"key": {"host": …, "deployment": …, "api_version": …, "operation": …},
        "rules": [{"fix": {"kind": "rename", "param": "max_tokens", "new": "max_completion_tokens"},
                   "evidence": {"status": 400, "code": …, "message": …,
                                "first_seen": …, "last_seen": …, "hits": 1}}]}]}

Rules that releases before 0.2 cannot read (conditional fixes, ``developer`` ->
``system``, a rename to a camelCase name, a path four levels deep) are never put in
``rules``: those releases would apply a conditional drop unconditionally, or refuse the
whole document. An entry holding any of them carries the full list, in order, in
``ordered``, which this release reads instead of ``rules``; older releases ignore the
field and keep using ``rules``. The document still says ``"schema": 1`` so that every
release keeps reading it (CHANGELOG.md: what a mixed-version fleet sees).

Reading validates every field and every name against the parameter grammar and the
limits learning obeys (``_core.is_valid_fix``, ``_core.MAX_*``): a cache is shared, so
what it says is checked like anything else from outside. One bad rule or entry is
skipped and reported; the valid rest is used. Only a document that cannot be parsed
at all is refused as a whole.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any, Final

from ._core import (
    MAX_KEYS,
    MAX_NUMBER,
    MAX_SIGNATURE,
    MAX_VALUE_TEXT,
    NEW_NAME_0_1,
    SENT_NAME_0_1,
    consistent,
    is_valid_fix,
)
from ._errors import CacheFormatError, NewerSchemaError
from ._models import (
    ChangeRole,
    Clamp,
    Condition,
    DeploymentKey,
    DeploymentMapping,
    Drop,
    Evidence,
    Fix,
    LearnedRule,
    Rename,
    SetValue,
)

__all__ = [
    "SCHEMA_VERSION",
    "Rules",
    "bounded",
    "decode_entry",
    "dumps",
    "entry_from_json",
    "entry_to_json",
    "fix_to_json",
    "key_id",
    "load_document",
    "loads",
]

SCHEMA_VERSION: Final = 1

Rules = dict[DeploymentKey, DeploymentMapping]

_SCALAR = (str, int, float, bool, type(None))
# Lengths of a key's parts, the model and the evidence: generous for real names, small
# enough that no entry can make a reader slow.
_MAX_KEY_PART: Final = 512
_MAX_MESSAGE: Final = 240
_MAX_CODE: Final = 64
_MAX_PROBLEMS: Final = 20


def fix_to_json(fix: Fix) -> dict[str, Any]:
    """A fix as JSON: its fields, without a ``when`` it does not have."""
    data = asdict(fix)
    if data.get("when", 0) is None:
        del data["when"]
    return data


def _understood_by_0_1(fix: Fix) -> bool:
    """Whether releases before 0.2 read and apply ``fix`` as this release does."""
    if not SENT_NAME_0_1.fullmatch(fix.param):
        # 0.1 refuses a whole file that holds a four-level path ("request.generationConfig.thinkingConfig.x").
        return False
    if isinstance(fix, Drop | SetValue):
        return fix.when is None
    if isinstance(fix, Rename):
        # 0.1 refuses a whole file that holds a camelCase new name ("inferenceConfig.maxTokens").
        return NEW_NAME_0_1.fullmatch(fix.new) is not None
    return not (isinstance(fix, ChangeRole) and fix.new == "system")


def _condition(data: dict[str, Any]) -> Condition | None:
    when = data.get("when")
    if when is None:
        return None
    if not isinstance(when, dict) or not isinstance(when.get("present"), bool):
        raise CacheFormatError("'when' must be an object with a param and present")
    return Condition(_str(when, "param"), present=when["present"])


def _str(data: dict[str, Any], name: str, limit: int = _MAX_KEY_PART) -> str:
    value = data.get(name)
    if not isinstance(value, str) or len(value) > limit:
        raise CacheFormatError(f"{name!r} must be a string of at most {limit} characters")
    return value


def _num(data: dict[str, Any], name: str, *, optional: bool = False) -> float | int | None:
    value: object = data.get(name)
    if value is None and optional:
        return None
    # Compared, not math.isfinite(): that raises OverflowError on a 400-digit integer. NaN compares false.
    if not isinstance(value, int | float) or isinstance(value, bool) or not -MAX_NUMBER <= value <= MAX_NUMBER:
        raise CacheFormatError(f"{name!r} must be a finite number")
    return value


def _scalar(data: dict[str, Any], name: str) -> Any:
    value = data.get(name)
    if not isinstance(value, _SCALAR) or (isinstance(value, str) and len(value) > MAX_VALUE_TEXT):
        raise CacheFormatError(f"{name!r} must be a JSON scalar")
    return value


def _fix_from_json(data: Any) -> Fix:
    if not isinstance(data, dict):
        raise CacheFormatError("a fix must be an object")
    kind = data.get("kind")
    fix: Fix
    if kind == "rename":
        fix = Rename(_str(data, "param"), _str(data, "new"))
    elif kind == "drop":
        fix = Drop(_str(data, "param"), when=_condition(data))
    elif kind == "set_value":
        fix = SetValue(_str(data, "param"), _scalar(data, "old"), _scalar(data, "new"), when=_condition(data))
    elif kind == "clamp":
        fix = Clamp(_str(data, "param"), _num(data, "minimum", optional=True), _num(data, "maximum", optional=True))
    elif kind == "change_role":
        new = _str(data, "new")
        if new not in ("developer", "system", "user"):
            raise CacheFormatError("a role can only change to 'developer', 'system' or 'user'")
        fix = ChangeRole(_str(data, "role"), new, param=_str(data, "param"))  # type: ignore[arg-type]  # checked above
    else:
        raise CacheFormatError(f"unknown fix kind {str(kind)[:MAX_VALUE_TEXT]!r}")
    if not is_valid_fix(fix):
        raise CacheFormatError(f"a {kind} fix does not obey the parameter grammar or its limits")
    return fix


def _evidence_from_json(data: Any) -> Evidence:
    if not isinstance(data, dict):
        raise CacheFormatError("evidence must be an object")
    code = data.get("code")
    status = _num(data, "status")
    if isinstance(code, str):
        code = code[:_MAX_CODE]
    hits = _num(data, "hits")
    uses = _num(data, "uses") if "uses" in data else 0  # written since 0.2; older releases ignore it
    if not isinstance(status, int) or not isinstance(hits, int) or hits < 1:
        raise CacheFormatError("status and hits must be whole numbers")
    if not isinstance(uses, int) or uses < 0:
        raise CacheFormatError("uses must be a whole number")
    return Evidence(
        status=status,
        code=code if isinstance(code, str) else None,
        message=_str(data, "message", limit=1 << 16)[:_MAX_MESSAGE],
        first_seen=float(_num(data, "first_seen") or 0.0),
        last_seen=float(_num(data, "last_seen") or 0.0),
        hits=hits,
        uses=uses,
    )


def entry_to_json(key: DeploymentKey, mapping: DeploymentMapping) -> dict[str, Any]:
    """One deployment's entry of the document (also one Redis hash field's value)."""
    # What the reader would leave out (a cycle, rules past the bound) is never written.
    kept = consistent(mapping.rules)
    rules = [{"fix": fix_to_json(r.fix), "evidence": asdict(r.evidence)} for r in kept]
    older = [rule for rule, r in zip(rules, kept, strict=True) if _understood_by_0_1(r.fix)]
    entry: dict[str, Any] = {"key": asdict(key), "rules": older}
    if len(older) != len(rules):
        entry["ordered"] = rules
    if mapping.accepted:
        entry["accepted"] = sorted(mapping.accepted)
    if mapping.model is not None:
        entry["model"] = mapping.model
    return entry


def _rule_from_json(data: Any) -> LearnedRule | str:
    """A rule, or why it cannot be used."""
    if not isinstance(data, dict):
        return "a rule must be an object"
    try:
        return LearnedRule(_fix_from_json(data.get("fix")), _evidence_from_json(data.get("evidence")))
    except CacheFormatError as exc:
        return str(exc)


def entry_from_json(entry: Any, problems: list[str] | None = None) -> tuple[DeploymentKey, DeploymentMapping]:
    """Parse and validate one deployment entry; a rule that fails validation is skipped.

    Args:
        entry: The decoded JSON entry.
        problems: If given, one line is appended per skipped rule (never a stored value).

    Raises:
        CacheFormatError: The entry itself is not this layout.
    """
    if (
        not isinstance(entry, dict)
        or not isinstance(entry.get("key"), dict)
        or not isinstance(entry.get("rules"), list)
    ):
        raise CacheFormatError("each deployment needs a 'key' object and a 'rules' list")
    k = entry["key"]
    key = DeploymentKey(_str(k, "host"), _str(k, "deployment"), _str(k, "api_version"), _str(k, "operation"))
    ordered = entry.get("ordered")
    if ordered is not None and not isinstance(ordered, list):
        raise CacheFormatError("'ordered' must be a list")
    rules: list[LearnedRule] = []
    for i, r in enumerate(entry["rules"] if ordered is None else ordered):
        rule = _rule_from_json(r)
        if isinstance(rule, LearnedRule):
            rules.append(rule)
        elif problems is not None:
            problems.append(f"{key.deployment[:64]!r}: rule {i + 1} skipped: {rule}")
    accepted = entry.get("accepted", [])
    if not isinstance(accepted, list) or not all(isinstance(a, str) and len(a) <= MAX_SIGNATURE for a in accepted):
        raise CacheFormatError("'accepted' must be a list of short strings")
    model = entry.get("model")
    if model is not None and (not isinstance(model, str) or len(model) > _MAX_KEY_PART):
        raise CacheFormatError("'model' must be a string")
    # A cycle (A→B, B→C, C→A) or more rules than one key keeps are never used as they are.
    return key, DeploymentMapping(consistent(tuple(rules)), frozenset(accepted), model)


def key_id(key: DeploymentKey) -> str:
    """A stable string naming a key (a Redis hash field, a lease name)."""
    return json.dumps([key.host, key.deployment, key.api_version, key.operation], separators=(",", ":"))


def _activity(mapping: DeploymentMapping) -> float:
    return max((rule.evidence.last_seen for rule in mapping.rules), default=float("-inf"))


def bounded(rules: Rules) -> Rules:
    """At most :data:`~resilient_client._core.MAX_KEYS` keys, the least recently active left out.

    Keys with only accepted signatures (no rules) go first: they cost a relearned
    acceptance at most, never a 400.
    """
    if len(rules) <= MAX_KEYS:
        return rules
    newest = sorted(rules.items(), key=lambda item: _activity(item[1]), reverse=True)[:MAX_KEYS]
    return dict(newest)


def dumps(rules: Rules) -> str:
    """Serialise all mappings, sorted for stable diffs (at most ``MAX_KEYS`` of them)."""
    # One deployment per line: readable diffs, and json's C encoder (indent= would
    # fall back to the pure-Python one, ~10x slower on a large cache).
    entries = [
        json.dumps(entry_to_json(key, mapping), ensure_ascii=False, separators=(",", ":"))
        for key, mapping in sorted(bounded(rules).items(), key=lambda item: str(item[0]))
        if mapping.rules or mapping.accepted or mapping.model
    ]
    body = ",\n  ".join(entries)
    return (
        f'{{"schema": {SCHEMA_VERSION}, "deployments": [\n  {body}\n]}}\n'
        if entries
        else f'{{"schema": {SCHEMA_VERSION}, "deployments": []}}\n'
    )


def decode_entry(text: str | bytes) -> Any:
    """JSON text of one entry (a Redis hash field's value), decoded; deep or broken JSON is a CacheFormatError."""
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise CacheFormatError(f"not valid JSON: {type(exc).__name__}") from None


def load_document(text: str | bytes) -> tuple[Rules, list[str]]:
    """Parse a cache document: its valid entries and rules, and one line per part skipped.

    Raises:
        CacheFormatError: The text is not JSON, or not this layout at all.
        NewerSchemaError: The document was written by a newer version of the library.
    """
    doc = decode_entry(text)
    if not isinstance(doc, dict) or not isinstance(doc.get("schema"), int) or isinstance(doc.get("schema"), bool):
        raise CacheFormatError("missing integer 'schema' field")
    if doc["schema"] > SCHEMA_VERSION:
        raise NewerSchemaError(doc["schema"], SCHEMA_VERSION)
    if doc["schema"] != SCHEMA_VERSION:
        raise CacheFormatError(f"unsupported schema version {doc['schema']}")
    entries = doc.get("deployments")
    if not isinstance(entries, list):
        raise CacheFormatError("'deployments' must be a list")
    rules: Rules = {}
    problems: list[str] = []
    for i, entry in enumerate(entries):
        try:
            key, mapping = entry_from_json(entry, problems)
        except CacheFormatError as exc:
            problems.append(f"entry {i + 1} skipped: {exc}")
            continue
        rules[key] = mapping
    return bounded(rules), problems[:_MAX_PROBLEMS]


def loads(text: str | bytes) -> Rules:
    """Parse a cache document: its valid entries and rules (see :func:`load_document`).

    Raises:
        CacheFormatError: The text is not JSON, or not this layout at all.
        NewerSchemaError: The document was written by a newer version of the library.
    """
    return load_document(text)[0]
