"""resilient-client 0.1.0's resilient_client/_serialize.py, kept verbatim but for its imports.

``is_valid_fix`` and the grammar it checks are 0.1.0's too (from its ``_core.py``), copied below in place of the
import: the checks a 0.1 process makes of a cache are 0.1's, not this release's wider ones.

The tests check what a 0.1 process reads from a cache a newer release wrote (CHANGELOG.md: mixed fleets).

Mappings <-> JSON text with a schema version. Pure; shared by every store.

Layout (``schema`` 1)::

    {"schema": 1,
     "deployments": [
       {"key": {"host": …, "deployment": …, "api_version": …, "operation": …},
        "rules": [{"fix": {"kind": "rename", "param": "max_tokens", "new": "max_completion_tokens"},
                   "evidence": {"status": 400, "code": …, "message": …,
                                "first_seen": …, "last_seen": …, "hits": 1}}]}]}

Reading validates every field and every name against the parameter grammar: a
cache file is shared, so what it says is checked like anything else from outside.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import asdict
from typing import Any, Final

from resilient_client._errors import CacheFormatError, NewerSchemaError
from resilient_client._models import (
    ChangeRole,
    Clamp,
    DeploymentKey,
    DeploymentMapping,
    Drop,
    Evidence,
    Fix,
    LearnedRule,
    Rename,
    SetValue,
)

__all__ = ["SCHEMA_VERSION", "Rules", "dumps", "entry_from_json", "entry_to_json", "key_id", "loads"]

SCHEMA_VERSION: Final = 1

Rules = dict[DeploymentKey, DeploymentMapping]

_SCALAR = (str, int, float, bool, type(None))
_MAX_SIGNATURE: Final = 200

# --- 0.1.0's _core.py: the parameter grammar and is_valid_fix, verbatim ---

# A name Azure asks us to *send* must look like an API parameter: lowercase
# snake_case segments, not underscore-led (no "__class__"), at most three deep.
_NEW_NAME: Final = re.compile(r"[a-z][a-z0-9_]{0,63}(?:\.[a-z][a-z0-9_]{0,63}){0,2}")
_SENT_NAME: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_-]{0,63}(?:\.[A-Za-z_][A-Za-z0-9_-]{0,63}){0,2}")
_REWRITABLE_ROLES: Final = frozenset({"system", "developer"})


def is_valid_fix(fix: Fix) -> bool:
    """Whether a fix (e.g. one read back from a shared cache) obeys the parameter grammar."""
    if isinstance(fix, ChangeRole):
        return fix.role in _REWRITABLE_ROLES and fix.new in ("developer", "user") and fix.param in ("messages", "input")
    if not _SENT_NAME.fullmatch(fix.param):
        return False
    if isinstance(fix, Rename):
        # Neither name may lie under the other: Rename('text', 'text.format') would nest forever.
        nested = fix.new.startswith(f"{fix.param}.") or fix.param.startswith(f"{fix.new}.")
        return bool(_NEW_NAME.fullmatch(fix.new)) and fix.new != fix.param and not nested
    if isinstance(fix, Clamp):
        bounds = [b for b in (fix.minimum, fix.maximum) if b is not None]
        return bool(bounds) and all(type(b) in (int, float) and math.isfinite(b) for b in bounds)
    return True


# --- 0.1.0's _serialize.py ---


def _fix_to_json(fix: Fix) -> dict[str, Any]:
    return asdict(fix)


def _str(data: dict[str, Any], name: str) -> str:
    value = data.get(name)
    if not isinstance(value, str):
        raise CacheFormatError(f"{name!r} must be a string")
    return value


def _num(data: dict[str, Any], name: str, *, optional: bool = False) -> float | int | None:
    value = data.get(name)
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise CacheFormatError(f"{name!r} must be a finite number")
    return value


def _scalar(data: dict[str, Any], name: str) -> Any:
    value = data.get(name)
    if not isinstance(value, _SCALAR):
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
        fix = Drop(_str(data, "param"))
    elif kind == "set_value":
        fix = SetValue(_str(data, "param"), _scalar(data, "old"), _scalar(data, "new"))
    elif kind == "clamp":
        fix = Clamp(_str(data, "param"), _num(data, "minimum", optional=True), _num(data, "maximum", optional=True))
    elif kind == "change_role":
        new = _str(data, "new")
        if new == "developer":
            fix = ChangeRole(_str(data, "role"), "developer", param=_str(data, "param"))
        elif new == "user":
            fix = ChangeRole(_str(data, "role"), "user", param=_str(data, "param"))
        else:
            raise CacheFormatError("a role can only change to 'developer' or 'user'")
    else:
        raise CacheFormatError(f"unknown fix kind {kind!r}")
    if not is_valid_fix(fix):
        raise CacheFormatError(f"fix {fix!r} does not obey the parameter grammar")
    return fix


def _evidence_from_json(data: Any) -> Evidence:
    if not isinstance(data, dict):
        raise CacheFormatError("evidence must be an object")
    code = data.get("code")
    status = _num(data, "status")
    hits = _num(data, "hits")
    if not isinstance(status, int) or not isinstance(hits, int) or hits < 1:
        raise CacheFormatError("status and hits must be whole numbers")
    return Evidence(
        status=status,
        code=code if isinstance(code, str) else None,
        message=_str(data, "message")[:240],
        first_seen=float(_num(data, "first_seen") or 0.0),
        last_seen=float(_num(data, "last_seen") or 0.0),
        hits=hits,
    )


def entry_to_json(key: DeploymentKey, mapping: DeploymentMapping) -> dict[str, Any]:
    """One deployment's entry of the document (also one Redis hash field's value)."""
    entry: dict[str, Any] = {
        "key": asdict(key),
        "rules": [{"fix": _fix_to_json(r.fix), "evidence": asdict(r.evidence)} for r in mapping.rules],
    }
    if mapping.accepted:
        entry["accepted"] = sorted(mapping.accepted)
    if mapping.model is not None:
        entry["model"] = mapping.model
    return entry


def entry_from_json(entry: Any) -> tuple[DeploymentKey, DeploymentMapping]:
    """Parse and validate one deployment entry.

    Raises:
        CacheFormatError: The entry is not this layout.
    """
    if (
        not isinstance(entry, dict)
        or not isinstance(entry.get("key"), dict)
        or not isinstance(entry.get("rules"), list)
    ):
        raise CacheFormatError("each deployment needs a 'key' object and a 'rules' list")
    k = entry["key"]
    key = DeploymentKey(_str(k, "host"), _str(k, "deployment"), _str(k, "api_version"), _str(k, "operation"))
    rules = tuple(
        LearnedRule(_fix_from_json(r.get("fix")), _evidence_from_json(r.get("evidence")))
        for r in entry["rules"]
        if isinstance(r, dict)
    )
    accepted = entry.get("accepted", [])
    if not isinstance(accepted, list) or not all(isinstance(a, str) and len(a) <= _MAX_SIGNATURE for a in accepted):
        raise CacheFormatError("'accepted' must be a list of short strings")
    model = entry.get("model")
    if model is not None and not isinstance(model, str):
        raise CacheFormatError("'model' must be a string")
    return key, DeploymentMapping(rules, frozenset(accepted), model)


def key_id(key: DeploymentKey) -> str:
    """A stable string naming a key (a Redis hash field, a lease name)."""
    return json.dumps([key.host, key.deployment, key.api_version, key.operation], separators=(",", ":"))


def dumps(rules: Rules) -> str:
    """Serialise all mappings, sorted for stable diffs."""
    # One deployment per line: readable diffs, and json's C encoder (indent= would
    # fall back to the pure-Python one, ~10x slower on a large cache).
    entries = [
        json.dumps(entry_to_json(key, mapping), ensure_ascii=False, separators=(",", ":"))
        for key, mapping in sorted(rules.items(), key=lambda item: str(item[0]))
        if mapping.rules or mapping.accepted or mapping.model
    ]
    body = ",\n  ".join(entries)
    return (
        f'{{"schema": {SCHEMA_VERSION}, "deployments": [\n  {body}\n]}}\n'
        if entries
        else f'{{"schema": {SCHEMA_VERSION}, "deployments": []}}\n'
    )


def loads(text: str | bytes) -> Rules:
    """Parse a cache document.

    Raises:
        CacheFormatError: The text is not JSON, or not this layout.
        NewerSchemaError: The document was written by a newer version of the library.
    """
    try:
        doc = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise CacheFormatError(f"not valid JSON: {exc}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("schema"), int) or isinstance(doc.get("schema"), bool):
        raise CacheFormatError("missing integer 'schema' field")
    if doc["schema"] > SCHEMA_VERSION:
        raise NewerSchemaError(doc["schema"], SCHEMA_VERSION)
    if doc["schema"] != SCHEMA_VERSION:
        raise CacheFormatError(f"unsupported schema version {doc['schema']}")
    entries = doc.get("deployments")
    if not isinstance(entries, list):
        raise CacheFormatError("'deployments' must be a list")
    return dict(entry_from_json(entry) for entry in entries)
