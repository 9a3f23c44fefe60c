"""The pure core: the rules. Apply learned fixes to a request body, merge, check, sign.

Nothing here does I/O or imports an HTTP client. Every function takes plain data
and returns plain data, so the behaviour is tested without a network, an event
loop or mocks. Reading an error body into fixes is :mod:`resilient_client._reading`.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any, Final, TypeAlias

from ._models import (
    DEFAULT_PROTECTED,
    ChangeRole,
    Clamp,
    Condition,
    DeploymentMapping,
    Drop,
    Fix,
    JSONScalar,
    LearnedRule,
    Rename,
    RepairPolicy,
    SetValue,
)

__all__ = [
    "ENUM_PARAMS",
    "MAX_ACCEPTED",
    "MAX_KEYS",
    "MAX_NUMBER",
    "MAX_RULES",
    "MAX_SIGNATURE",
    "NEW_NAME_0_1",
    "SENT_NAME_0_1",
    "accept",
    "apply",
    "blocked_param",
    "changes",
    "consistent",
    "count_uses",
    "expire",
    "is_valid_fix",
    "merge",
    "observe_model",
    "permitted",
    "revoke",
    "signature",
    "storable_value",
    "undoes",
    "undone",
]

Body: TypeAlias = dict[str, Any]

# A name we *rename to* must look like an API parameter: snake_case or lowerCamelCase
# segments ("generationConfig.maxOutputTokens"), not underscore-led (no "__class__"),
# at most four deep ("generationConfig.thinkingConfig.thinkingBudget" under a proxy's "request").
_NEW_NAME: Final = re.compile(r"[a-z][A-Za-z0-9_]{0,63}(?:\.[a-z][A-Za-z0-9_]{0,63}){0,3}")
# A name we *remove or change* must be one the caller sent; it may be camelCase
# ("apiMode", e085) but nothing stranger.
_SENT_NAME: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_-]{0,63}(?:\.[A-Za-z_][A-Za-z0-9_-]{0,63}){0,3}")
# What releases before 0.2 accept: three levels, and a new name in lowercase only (_serialize keeps the rest
# from them, since they refuse a whole file that holds one name outside their grammar).
NEW_NAME_0_1: Final = re.compile(r"[a-z][a-z0-9_]{0,63}(?:\.[a-z][a-z0-9_]{0,63}){0,2}")
SENT_NAME_0_1: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_-]{0,63}(?:\.[A-Za-z_][A-Za-z0-9_-]{0,63}){0,2}")
_REWRITABLE_ROLES: Final = frozenset({"system", "developer"})

# One set of limits, for what is learned and for what is read back from a store: the
# writer never writes what a reader refuses, and no stored value can break a call.
MAX_NUMBER: Final = 2**64
"""Largest magnitude of a number in a fix (a 400-digit integer overflows float comparisons)."""
MAX_VALUE_TEXT: Final = 32
"""Longest string value a fix may hold (an enum value, a number sent as text)."""
MAX_SIGNATURE: Final = 200
"""Longest accepted-signature string."""
MAX_RULES: Final = 64
"""Rules kept per key; the least recently seen go first."""
MAX_ACCEPTED: Final = 512
"""Accepted signatures kept per key; past it the key starts a fresh set."""
MAX_KEYS: Final = 4096
"""Keys kept per store; the least recently active go first (a gateway's callers create keys through ``model``)."""

# Params whose *value* is a setting (an effort level, a tier, a mode). Their string
# values are compared, stored (``SetValue.old``) and put in signatures; for every other
# param only its name counts, so values of free-form params (user ids, metadata,
# prompts) are never stored or logged.
ENUM_PARAMS: Final = frozenset(
    {
        "reasoning_effort",
        "verbosity",
        "service_tier",
        "truncation",
        "prompt_cache_retention",
        "reasoning_format",
        "reasoning.effort",
        "reasoning.summary",
        "reasoning.generate_summary",
        "text.verbosity",
        "thinking.type",
    }
)
_NUMERIC_TEXT: Final = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


_MISSING: Final = object()


def _get(body: Body, path: str) -> Any:
    node: Any = body
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return _MISSING
        node = node[part]
    return node


def _set(body: Body, path: str, value: Any) -> Body:
    head, _, rest = path.partition(".")
    out = dict(body)
    if rest:
        child = out.get(head)
        out[head] = _set(child if isinstance(child, dict) else {}, rest, value)
    else:
        out[head] = value
    return out


def _delete(body: Body, path: str) -> Body:
    head, _, rest = path.partition(".")
    if head not in body:
        return body
    out = dict(body)
    if rest:
        child = out[head]
        if not isinstance(child, dict):
            return body
        out[head] = _delete(child, rest)
    else:
        del out[head]
    return out


def _same(a: Any, b: Any) -> bool:
    # 1 == True in Python; a rule about temperature 1 must not fire on stream=True.
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    return bool(a == b)


def _text_of(content: Any) -> str | None:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        texts = [p["text"] for p in content if isinstance(p, dict) and isinstance(p.get("text"), str)]
        if len(texts) == len(content):
            return "\n".join(texts)
    return None


def _change_role(body: Body, fix: ChangeRole) -> Body:
    messages = body.get(fix.param)
    if not isinstance(messages, list) or not any(isinstance(m, dict) and m.get("role") == fix.role for m in messages):
        return body
    if fix.new != "user":
        changed = [{**m, "role": fix.new} if isinstance(m, dict) and m.get("role") == fix.role else m for m in messages]
        return {**body, fix.param: changed}
    folded: list[str] = []
    kept: list[Any] = []
    for m in messages:
        text = _text_of(m.get("content")) if isinstance(m, dict) and m.get("role") == fix.role else None
        if text is None:
            kept.append({**m, "role": "user"} if isinstance(m, dict) and m.get("role") == fix.role else m)
        else:
            folded.append(text)
    first_user = next((i for i, m in enumerate(kept) if isinstance(m, dict) and m.get("role") == "user"), None)
    prefix = "\n\n".join(folded)
    if first_user is None:
        kept.insert(0, {"role": "user", "content": prefix})
    elif folded:
        user = kept[first_user]
        content = user.get("content")
        if isinstance(content, list):
            part_type = (
                "input_text" if any(isinstance(p, dict) and p.get("type") == "input_text" for p in content) else "text"
            )
            content = [{"type": part_type, "text": prefix}, *content]
        else:
            content = f"{prefix}\n\n{content}" if content else prefix
        kept[first_user] = {**user, "content": content}
    return {**body, fix.param: kept}


def _apply_one(body: Body, fix: Fix) -> Body:  # noqa: C901, PLR0911 - one return per fix kind
    if isinstance(fix, ChangeRole):
        return _change_role(body, fix)
    if isinstance(fix, Drop | SetValue) and fix.when is not None and not fix.when.holds(body):
        return body
    value = _get(body, fix.param)
    if value is _MISSING:
        return body
    if isinstance(fix, Drop):
        return _delete(body, fix.param)
    if isinstance(fix, Rename):
        trimmed = _delete(body, fix.param)
        # Both names at once is itself rejected; the caller's explicit new name wins.
        return trimmed if _get(trimmed, fix.new) is not _MISSING else _set(trimmed, fix.new, value)
    if isinstance(fix, SetValue):
        if fix.new is not None and _same(fix.old, fix.new) and type(fix.old) is not type(fix.new):
            # A change of type only (3.0 -> 3: a server that wants an integer refuses 3.0, r3a-002):
            # it fires on exactly the type it was learned from.
            return _set(body, fix.param, fix.new) if type(value) is type(fix.old) and value == fix.old else body
        if not _same(value, fix.old) or (fix.new is not None and _same(value, fix.new)):
            return body
        return _delete(body, fix.param) if fix.new is None else _set(body, fix.param, fix.new)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return body
    clamped = value
    if fix.minimum is not None and clamped < fix.minimum:
        clamped = fix.minimum
    if fix.maximum is not None and clamped > fix.maximum:
        clamped = fix.maximum
    return body if clamped == value else _set(body, fix.param, clamped)


def apply(fixes: tuple[Fix, ...], body: Body) -> tuple[Body, tuple[Fix, ...]]:
    """Apply learned fixes, in order, to a request body.

    The input is never mutated: changed levels are copied, untouched ones shared.

    Args:
        fixes: The fixes learned for the request's deployment key.
        body: The JSON body the caller built.

    Returns:
        The body to send, and the fixes that changed something.
    """
    applied: list[Fix] = []
    for fix in fixes:
        changed = _apply_one(body, fix)
        if changed is not body:
            applied.append(fix)
            body = changed
    return body, tuple(applied)


def changes(fix: Fix, body: Body) -> bool:
    """Whether applying ``fix`` to ``body`` changes anything (a fix that does not is never learned)."""
    return _apply_one(body, fix) is not body


def touched(fix: Fix) -> tuple[str, ...]:
    """The request params a fix removes, renames or rewrites."""
    if isinstance(fix, Rename):
        return (fix.param, fix.new)
    return (fix.param,)


def blocked_param(fix: Fix, policy: RepairPolicy) -> str | None:
    """The protected param ``fix`` would change without the policy's consent, if any.

    That is the param the fix touches, or, for a fix on a parent of a protected path (dropping
    ``generationConfig``), the protected path it would take with it.
    """
    if isinstance(fix, ChangeRole):
        return None if policy.change_roles else fix.param
    for param in touched(fix):
        if (path := policy.protecting(param)) is not None:
            return path if path.startswith(f"{param}.") else param
    return None


def permitted(fixes: tuple[Fix, ...], policy: RepairPolicy) -> tuple[tuple[Fix, ...], tuple[tuple[Fix, str], ...]]:
    """Split stored fixes into those ``policy`` lets act and those it blocks (with the param each would change).

    Consent is local: a rule another client learned under a wider policy, or one
    planted in a shared cache, never changes what this client protects.
    """
    blocked = tuple((fix, param) for fix in fixes if (param := blocked_param(fix, policy)) is not None)
    if not blocked:
        return fixes, ()
    refused = {fix for fix, _ in blocked}
    return tuple(fix for fix in fixes if fix not in refused), blocked


def _bounded(number: object) -> bool:
    # NaN and infinities compare false; an integer is compared as an integer (no float overflow).
    return type(number) in (int, float) and -MAX_NUMBER <= number <= MAX_NUMBER  # type: ignore[operator]  # checked


def _value_ok(value: object) -> bool:
    if value is None or isinstance(value, bool):
        return True
    if isinstance(value, str):
        return 0 < len(value) <= MAX_VALUE_TEXT and value.isprintable()
    return _bounded(value)


_TOKEN: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,31}")


def storable_value(param: str, old: object, *, declared: bool = False) -> bool:
    """Whether a rejected value of ``param`` may be kept as the ``old`` of a :class:`SetValue`.

    Bools, numbers and ``null`` may. A string only where it is a setting: the value of
    an :data:`ENUM_PARAMS` param, a number sent as text, or a one-word value of a param
    the rejection itself ``declared`` an enum (it lists the values the param takes).
    Free-form text (a user id, metadata, a prompt key) never is: such a rejection is
    repaired by leaving the param out.
    """
    if not _value_ok(old):
        return False
    if isinstance(old, str):
        return param in ENUM_PARAMS or bool(_NUMERIC_TEXT.fullmatch(old)) or (declared and bool(_TOKEN.fullmatch(old)))
    return True


def is_valid_fix(fix: Fix) -> bool:  # noqa: PLR0911 - one exit per fix kind
    """Whether a fix obeys the parameter grammar and the limits: checked on learning and on every read-back."""
    if isinstance(fix, ChangeRole):
        return (
            fix.role in _REWRITABLE_ROLES
            and fix.new in ("developer", "system", "user")
            and fix.new != fix.role
            and fix.param in ("messages", "input")
        )
    param: object = fix.param  # read back from a store: not necessarily a string
    if not isinstance(param, str) or not _SENT_NAME.fullmatch(param):
        return False
    if isinstance(fix, Drop | SetValue) and fix.when is not None:
        when: object = fix.when
        if not isinstance(when, Condition) or not _SENT_NAME.fullmatch(when.param) or when.param == fix.param:
            return False
    if isinstance(fix, Rename):
        # Neither name may lie under the other: Rename('text', 'text.format') would nest forever.
        nested = fix.new.startswith(f"{fix.param}.") or fix.param.startswith(f"{fix.new}.")
        return bool(_NEW_NAME.fullmatch(fix.new)) and fix.new != fix.param and not nested
    if isinstance(fix, SetValue):
        return _value_ok(fix.old) and _value_ok(fix.new)
    if isinstance(fix, Clamp):
        bounds = [b for b in (fix.minimum, fix.maximum) if b is not None]
        ordered = fix.minimum is None or fix.maximum is None or fix.minimum <= fix.maximum
        return bool(bounds) and all(_bounded(b) for b in bounds) and ordered
    return True


_Node: TypeAlias = tuple[Any, ...]


def _value_node(fix: SetValue, value: JSONScalar, *, typed: bool) -> _Node:
    # Nodes compare as apply() does: 1 and 1.0 are one value, True and 1 are not.
    kind = "bool" if isinstance(value, bool) else type(value).__name__ if typed else "value"
    return ("value", fix.param, fix.when, kind, value)


def _edge(fix: Fix) -> tuple[_Node, _Node] | None:
    """What a fix turns into what: a name into a name, a value into a value, a role into a role."""
    if isinstance(fix, Rename):
        return ("name", fix.param), ("name", fix.new)
    if isinstance(fix, ChangeRole):
        return ("role", fix.param, fix.role), ("role", fix.param, fix.new)
    if isinstance(fix, SetValue) and fix.new is not None:
        # A change of type only (3.0 -> 3) fires on exactly its type: its nodes carry it.
        typed = _same(fix.old, fix.new) and type(fix.old) is not type(fix.new)
        return _value_node(fix, fix.old, typed=typed), _value_node(fix, fix.new, typed=typed)
    return None


def undone(fix: Fix, fixes: tuple[Fix, ...]) -> Fix | None:
    """The one of ``fixes`` that starts a way back from what ``fix`` makes to what it changes.

    B→A after A→B, or C→A after A→B and B→C: learning ``fix`` would close a cycle, and
    requests would go round it. Returns the first fix on the way back, else ``None``.
    """
    edge = _edge(fix)
    if edge is None:
        return None
    source, target = edge
    edges = [(e, other) for other in fixes if (e := _edge(other)) is not None]
    frontier: list[tuple[_Node, Fix | None]] = [(target, None)]
    seen = {target}
    while frontier:
        node, first = frontier.pop()
        for (a, b), other in edges:
            if a != node:
                continue
            start = first or other
            if b == source:
                return start
            if b not in seen:
                seen.add(b)
                frontier.append((b, start))
    return None


def undoes(fix: Fix, fixes: tuple[Fix, ...]) -> bool:
    """Whether ``fix`` closes a cycle with ``fixes``: learning it would oscillate."""
    return undone(fix, fixes) is not None


def consistent(rules: tuple[LearnedRule, ...]) -> tuple[LearnedRule, ...]:
    """Rules read back from a store, without those that close a cycle with earlier ones, at most :data:`MAX_RULES`.

    A planted or raced cycle (A→B, B→C, C→A) would otherwise send every call round it.
    """
    kept: list[LearnedRule] = []
    for rule in rules:
        if undone(rule.fix, tuple(r.fix for r in kept)) is None:
            kept.append(rule)
    return _evict(tuple(kept)) if len(kept) != len(rules) or len(kept) > MAX_RULES else rules


def _evict(rules: tuple[LearnedRule, ...]) -> tuple[LearnedRule, ...]:
    """At most :data:`MAX_RULES` rules, the least recently seen left out, order kept."""
    if len(rules) <= MAX_RULES:
        return rules
    newest = sorted(range(len(rules)), key=lambda i: rules[i].evidence.last_seen, reverse=True)[:MAX_RULES]
    keep = set(newest)
    return tuple(rule for i, rule in enumerate(rules) if i in keep)


def _slot(fix: Fix) -> tuple[Any, ...]:
    # A conditional fix and an unconditional one for the same param are separate slots.
    if isinstance(fix, SetValue):
        return (fix.kind, fix.param, type(fix.old).__name__, fix.old, fix.when)
    if isinstance(fix, ChangeRole):
        return (fix.kind, fix.param, fix.role)
    if isinstance(fix, Drop):
        return (fix.kind, fix.param, fix.when)
    return (fix.kind, fix.param)


def merge(mapping: DeploymentMapping, rule: LearnedRule) -> DeploymentMapping:
    """Add a learned rule to a mapping.

    A rule for the same slot (same kind and param; same old value or role) replaces
    the older one in place and adds up the evidence; anything else is appended.
    Merging is a union: two processes that learn different fixes keep both.

    Args:
        mapping: The rules known so far.
        rule: The new rule.

    Returns:
        The new mapping.
    """
    slot = _slot(rule.fix)
    rules = list(mapping.rules)
    for i, old in enumerate(rules):
        if _slot(old.fix) == slot:
            rules[i] = _combine(old, rule)
            return replace(mapping, rules=tuple(rules))
    return replace(mapping, rules=_evict((*rules, rule)))


def _combine(old: LearnedRule, new: LearnedRule) -> LearnedRule:
    if isinstance(old.fix, Clamp) and isinstance(new.fix, Clamp):
        # A minimum learned from one rejection and a maximum from another both hold.
        bounds = Clamp(
            new.fix.param,
            new.fix.minimum if new.fix.minimum is not None else old.fix.minimum,
            new.fix.maximum if new.fix.maximum is not None else old.fix.maximum,
        )
        new = LearnedRule(bounds, new.evidence)
        old = LearnedRule(bounds, old.evidence)
    a, b = old.evidence, new.evidence
    newest = b if b.last_seen >= a.last_seen else a
    evidence = replace(
        newest,
        first_seen=min(a.first_seen, b.first_seen),
        hits=a.hits + b.hits if old.fix == new.fix else newest.hits,
        uses=a.uses + b.uses if old.fix == new.fix else newest.uses,
    )
    return LearnedRule(new.fix if newest is b else old.fix, evidence)


_ROLE_LISTS: Final = ("messages", "input")
_NAME_SIZE: Final = 64


def _named(name: object) -> bool:
    # Only names a rule could be about enter a signature: a non-string key (extra_body={1: …})
    # or a 201-character one would give an entry the reader refuses.
    return isinstance(name, str) and 0 < len(name) <= _NAME_SIZE


def _sig(name: str, value: Any) -> str:
    if isinstance(value, bool):
        return f"{name}={'true' if value else 'false'}"
    if value is None:
        return f"{name}=null"
    if name in ENUM_PARAMS and isinstance(value, str) and len(value) <= MAX_VALUE_TEXT:
        return f"{name}={value}"
    return name


def signature(body: Body) -> frozenset[str]:
    """What about a body decides whether a deployment accepts it: param names, roles, enum values.

    ``{"model": …, "messages": [{"role": "system"…}], "max_tokens": 5, "reasoning_effort": "low"}``
    -> ``{"model", "messages", "messages.role=system", "max_tokens", "reasoning_effort=low"}``.
    Never a prompt: message contents and free-form values are not part of it. Every
    string is at most :data:`MAX_SIGNATURE` long.
    """
    out: set[str] = set()
    for name, value in body.items():
        if not _named(name):
            continue
        if name in _ROLE_LISTS and isinstance(value, list):
            out.add(name)
            out.update(
                f"{name}.role={m['role']}"
                for m in value
                if isinstance(m, dict) and isinstance(m.get("role"), str) and len(m["role"]) <= MAX_VALUE_TEXT
            )
        elif isinstance(value, dict) and name not in DEFAULT_PROTECTED:
            out.add(name)
            out.update(_sig(f"{name}.{sub}", child) for sub, child in value.items() if _named(sub))
        else:
            out.add(_sig(name, value))
    return frozenset(out)


def count_uses(mapping: DeploymentMapping, uses: dict[Fix, int]) -> DeploymentMapping:
    """Add to each rule the number of calls its fix rewrote (counted in memory since the last write)."""
    if not uses or not any(rule.fix in uses for rule in mapping.rules):
        return mapping
    rules = tuple(
        replace(rule, evidence=replace(rule.evidence, uses=min(rule.evidence.uses + uses[rule.fix], MAX_NUMBER)))
        if rule.fix in uses
        else rule
        for rule in mapping.rules
    )
    return replace(mapping, rules=rules)


def accept(mapping: DeploymentMapping, signatures: frozenset[str]) -> DeploymentMapping:
    """Record that the deployment accepted a body with these signatures.

    Bounded: past :data:`MAX_ACCEPTED` the key starts a fresh set with these (at worst
    one more single-flight round per signature, never a lost rule).
    """
    if signatures <= mapping.accepted:
        return mapping
    accepted = mapping.accepted | signatures
    return replace(mapping, accepted=accepted if len(accepted) <= MAX_ACCEPTED else signatures)


def revoke(mapping: DeploymentMapping, fix: Fix) -> DeploymentMapping:
    """Drop a rule a later rejection contradicted (and what was accepted under it)."""
    rules = tuple(rule for rule in mapping.rules if rule.fix != fix)
    if len(rules) == len(mapping.rules):
        return mapping
    return replace(mapping, rules=rules, accepted=frozenset())


def observe_model(mapping: DeploymentMapping, model: str) -> DeploymentMapping:
    """Note the model a deployment reported; a different one than before starts the key afresh.

    Azure upgrades the model behind a deployment in place: what the old model
    rejected says nothing about the new one, so its rules are relearned.
    """
    if mapping.model == model:
        return mapping
    if mapping.model is None:
        return replace(mapping, model=model)
    return DeploymentMapping(model=model)


def expire(mapping: DeploymentMapping, ttl: float, now: float) -> DeploymentMapping:
    """Leave out rules not seen for ``ttl`` seconds.

    A rule last seen "in the future" (the clock went backwards) counts as fresh.
    """
    rules = tuple(rule for rule in mapping.rules if now - rule.evidence.last_seen <= ttl)
    return mapping if len(rules) == len(mapping.rules) else replace(mapping, rules=rules, accepted=frozenset())
