"""Hypothesis strategies for the pure core: request bodies, error bodies, fixes and learned rules."""

from __future__ import annotations

import json
from typing import Any, TypeAlias

from hypothesis import strategies as st

from resilient_client._core import is_valid_fix
from resilient_client._models import (
    ChangeRole,
    Clamp,
    DeploymentKey,
    DeploymentMapping,
    Drop,
    Evidence,
    Fix,
    JSONScalar,
    LearnedRule,
    Rename,
    SetValue,
)

Body: TypeAlias = dict[str, Any]

# Names real requests carry, a few protected ones, and names the grammar refuses.
KNOWN_PARAMS: tuple[str, ...] = (
    "max_tokens",
    "max_completion_tokens",
    "max_output_tokens",
    "temperature",
    "top_p",
    "stop",
    "logprobs",
    "top_logprobs",
    "reasoning_effort",
    "parallel_tool_calls",
    "stream_options",
    "web_search_options",
    "apiMode",
    "seed",
)
PROTECTED_SAMPLE: tuple[str, ...] = ("stream", "tools", "response_format", "n", "tool_choice", "text")
HOSTILE_NAMES: tuple[str, ...] = ("__class__", "max tokens", "a'b", 'a"b', "a.b.c.d.e", "", "x[0]", "_", "1abc")
ROLES: tuple[str, ...] = ("system", "developer", "user", "assistant", "tool", "function")

identifiers = st.from_regex(r"[a-z][a-z0-9_]{0,11}", fullmatch=True)
param_names = st.one_of(st.sampled_from(KNOWN_PARAMS), st.sampled_from(PROTECTED_SAMPLE), identifiers)
# Paths a fix may name: top-level names and up to four levels ("reasoning.effort").
param_paths = st.one_of(
    param_names,
    st.sampled_from(("reasoning.effort", "reasoning.generate_summary", "reasoning.summary", "text.format")),
    # A settings object whose children are protected in part (Gemini's JSON mode) and the object itself.
    st.sampled_from(("generationConfig", "generationConfig.responseMimeType", "generationConfig.temperature")),
    st.lists(identifiers, min_size=2, max_size=4).map(".".join),
)

json_scalars: st.SearchStrategy[JSONScalar] = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**53), max_value=2**53),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
)
json_values: st.SearchStrategy[Any] = st.recursive(
    json_scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=3),
        st.dictionaries(st.text(max_size=8), children, max_size=3),
    ),
    max_leaves=8,
)


def _part(text: str, part_type: str) -> dict[str, str]:
    return {"type": part_type, "text": text}


contents: st.SearchStrategy[Any] = st.one_of(
    st.text(max_size=20),
    st.lists(st.builds(_part, st.text(max_size=10), st.sampled_from(("text", "input_text"))), max_size=3),
    st.just([{"type": "image_url", "image_url": {"url": "https://x"}}]),
    st.none(),
)
chat_messages: st.SearchStrategy[list[Any]] = st.lists(
    st.fixed_dictionaries({"role": st.sampled_from(ROLES), "content": contents}),
    max_size=4,
)


@st.composite
def request_bodies(draw: st.DrawFn) -> Body:
    """A request body: model, messages, some params (nested ones included) with arbitrary JSON values."""
    body: Body = {"model": draw(st.sampled_from(("o3-mini", "gpt-5.1", "dep")))}
    if draw(st.booleans()):
        body["messages"] = draw(chat_messages)
    for name in draw(st.lists(param_names, max_size=5, unique=True)):
        body[name] = draw(st.one_of(json_scalars, json_values))
    if draw(st.booleans()):
        body["reasoning"] = draw(
            st.dictionaries(st.sampled_from(("effort", "generate_summary", "summary")), json_scalars, max_size=2)
        )
    if draw(st.booleans()):
        body["generationConfig"] = draw(
            st.dictionaries(
                st.sampled_from(("responseMimeType", "responseSchema", "temperature")), json_values, max_size=2
            )
        )
    return body


def body_paths(body: Body) -> list[str]:
    """The dotted paths to every dict entry of ``body``, two levels deep."""
    paths: list[str] = []
    for name, value in body.items():
        paths.append(name)
        if isinstance(value, dict):
            paths.extend(f"{name}.{child}" for child in value)
    return paths


def lookup(body: Body, path: str) -> object:
    """The value at dotted ``path`` in ``body``, or ``None`` when it is absent."""
    node: object = body
    for part in path.split("."):
        if not isinstance(node, dict):
            return None
        node = node.get(part)
    return node


def render(value: object) -> str:
    """How Azure writes a value in a message: 'text', true, null, 0.2."""
    if isinstance(value, str):
        return f"'{value}'"
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, int | float):
        return repr(value)
    return json.dumps(value)


TEMPLATES: tuple[str, ...] = (
    "Unsupported parameter: '{p}' is not supported with this model.",
    "Unsupported parameter: '{p}' is not supported with this model. Use '{n}' instead.",
    "Unsupported parameter: '{p}' is not supported with the 'o3-mini-2025-01-31' model.",
    "Unsupported parameter: '{p}'. In the Responses API, this parameter has moved to '{n}'. Try again.",
    "Unsupported parameter: {p}",
    "Unsupported value: '{p}' does not support {v} with this model.",
    "Unsupported value: '{p}' does not support {v} with this model. Only the default ({w}) value is supported.",
    "Unsupported value: '{p}' does not support {v} with this model. Supported values are: {a}.",
    "Unsupported value: 'messages[0].role' does not support '{r}' with this model.",
    "Unsupported value: 'input[1].role' does not support '{r}' with this model.",
    "Unsupported value: {v} is not supported with the 'gpt-5.1' model. Supported values are: {a}.",
    "Invalid value: {v} is not supported with this model. Supported values are: {a}.",
    "Unrecognized request argument supplied: {p}",
    "Unknown parameter: '{p}'.",
    "Setting '{p}' and '{n}' at the same time is not supported.",
    "{p} is too large: {i}. This model supports at most {j} completion tokens, whereas you provided {i}.",
    "Invalid '{p}': integer below minimum value. Expected a value >= {j}, but got {i} instead.",
    "Invalid '{p}': number above maximum value. Expected a value <= {j}, but got {i} instead.",
    "{i} is less than the minimum of {j} - '{p}'",
    "{i} is greater than the maximum of {j} - '{p}'",
    "You are not allowed to request {p} from this model",
    "{p} is not supported in this model. For a list of supported models, refer to the docs.",
    "Web search options not supported with this model.",
    '{{"detail":[{{"type":"extra_forbidden","loc":["body","{p}"],"msg":"Extra inputs are not permitted"}}]}}',
)


@st.composite
def rejection_messages(draw: st.DrawFn, body: Body) -> tuple[str, str | None]:
    """A rejection wording about ``body`` (or about names it lacks), with the ``param`` field to send."""
    paths = body_paths(body)
    names = st.one_of(st.sampled_from(paths), param_paths, st.sampled_from(HOSTILE_NAMES)) if paths else param_paths
    p = draw(names)
    sent = lookup(body, p)
    values = st.one_of(st.just(sent if isinstance(sent, str | int | float | bool | type(None)) else 0), json_scalars)
    levels = st.sampled_from(("none", "minimal", "low", "medium", "high"))
    allowed = draw(st.lists(st.one_of(levels, json_scalars), min_size=1, max_size=4))
    # Index len(TEMPLATES) stands for free text; integers spread draws more evenly than sampled_from.
    index = draw(st.integers(0, len(TEMPLATES)))
    if index == len(TEMPLATES):
        template = draw(st.text(max_size=80)).replace("{", "(").replace("}", ")")
    else:
        template = TEMPLATES[index]
    message = template.format(
        p=p,
        n=draw(st.one_of(param_paths, st.sampled_from(HOSTILE_NAMES), st.just(p))),
        v=render(draw(values)),
        w=render(draw(json_scalars)),
        a=", ".join(render(a) for a in allowed),
        r=draw(st.sampled_from(ROLES)),
        i=draw(st.integers(-(10**6), 10**6)),
        j=draw(st.integers(-(10**6), 10**6)),
    )
    param = draw(st.one_of(st.just(p), st.none(), st.sampled_from(("***.effort", "*", "messages[0].role"))))
    return message, param


def wrap(message: str, param: str | None, code: str | None, shape: int) -> object:
    """Put ``message`` into one of the body shapes Azure, OpenAI and proxies send."""
    error = {"message": message, "type": "invalid_request_error", "param": param, "code": code}
    shapes: tuple[object, ...] = (
        {"error": error},
        {"error": {"code": code, "error": error}, "provider": "azure"},
        {"detail": message},
        {"error": message},
        json.dumps({"error": error}),
        json.dumps({"error": error}).encode(),
        message,
        f"{message} (request id: 20240806214436917505976hvsFC5y2)",
    )
    return shapes[shape % len(shapes)]


error_codes = st.one_of(
    st.none(),
    st.sampled_from(("unsupported_parameter", "unsupported_value", "unknown_parameter", "content_filter")),
    st.text(max_size=10),
)
statuses = st.one_of(st.sampled_from((400, 403, 404, 422)), st.integers(-1000, 10**6))


numbers = st.one_of(st.integers(-(10**6), 10**6), st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False))


@st.composite
def targeted_rejections(draw: st.DrawFn) -> tuple[str, str | None, Body]:
    """A rejection wording aimed at a param the body really carries (value, clamp, role and rename families)."""
    body = draw(request_bodies())
    family = draw(st.sampled_from(("value", "clamp", "role", "rename", "redacted")))
    name = draw(param_paths)
    if family == "role":
        role = draw(st.sampled_from(ROLES))
        body["messages"] = [{"role": role, "content": draw(contents)}, *draw(chat_messages)]
        root = draw(st.sampled_from(("messages", "input")))
        body[root] = body.pop("messages")
        return f"Unsupported value: '{root}[0].role' does not support '{role}' with this model.", None, body
    if family == "clamp":
        number = draw(numbers)
        body = _put(body, name, number)
        bound = draw(st.integers(-(10**6), 10**6))
        template = draw(st.sampled_from(TEMPLATES[15:20]))
        return template.format(p=name, i=render(number), j=bound), draw(st.none() | st.just(name)), body
    value = draw(json_scalars)
    body = _put(body, name, value)
    levels = st.sampled_from(("none", "minimal", "low", "medium", "high"))
    allowed = draw(st.lists(st.one_of(levels, numbers), max_size=4))
    listed = ", ".join(render(a) for a in allowed) or "false"
    if family == "rename":
        new = draw(st.one_of(param_paths, st.sampled_from(HOSTILE_NAMES)))
        return TEMPLATES[draw(st.sampled_from((1, 3)))].format(p=name, n=new), name, body
    if family == "redacted":
        suffix = name.rsplit(".", 1)[-1]
        message = (
            f"Unsupported value: {render(value)} is not supported with the 'gpt-5.1' model. "
            f"Supported values are: {listed}."
        )
        return message, draw(st.sampled_from((f"***.{suffix}", "*", None))), body
    rest = draw(
        st.sampled_from(("", f" Supported values are: {listed}.", f" Only the default ({listed}) value is supported."))
    )
    return f"Unsupported value: '{name}' does not support {render(value)} with this model.{rest}", name, body


def _put(body: Body, path: str, value: object) -> Body:
    """``body`` with ``value`` at dotted ``path`` (intermediate objects created or replaced)."""
    head, _, rest = path.partition(".")
    child = body.get(head)
    return {**body, head: _put(child if isinstance(child, dict) else {}, rest, value) if rest else value}


@st.composite
def resolve_cases(draw: st.DrawFn) -> tuple[int, object, Body]:
    """A status, an error body (random, or aimed at a param the body carries) and the request body."""
    if draw(st.booleans()):
        message, param, body = draw(targeted_rejections())
    else:
        body = draw(request_bodies())
        message, param = draw(rejection_messages(body))
    status = draw(st.sampled_from((400, 403, 404, 422)))
    return status, wrap(message, param, draw(error_codes), draw(st.integers(0, 7))), body


error_bodies: st.SearchStrategy[object] = st.one_of(
    json_values,
    st.text(),
    st.binary(max_size=200),
    st.builds(wrap, st.text(max_size=200), st.none() | st.text(max_size=20), error_codes, st.integers(0, 7)),
    st.dictionaries(st.sampled_from(("error", "detail", "message", "param", "code")), json_values, max_size=4),
    st.recursive(
        st.dictionaries(st.sampled_from(("message", "param", "code")), json_scalars, max_size=3),
        lambda inner: st.dictionaries(st.just("error"), inner, min_size=1),
        max_leaves=8,
    ),
)


renames = st.builds(Rename, param_paths, param_paths).filter(lambda f: f.new != f.param)
drops = st.builds(Drop, param_paths)
set_values = st.builds(SetValue, param_paths, json_scalars, json_scalars)
clamps = st.builds(Clamp, param_paths, st.none() | numbers, st.none() | numbers).filter(
    lambda f: f.minimum is not None or f.maximum is not None
)
change_roles = st.builds(
    ChangeRole,
    st.sampled_from(("system", "developer")),
    st.sampled_from(("developer", "user")),
    param=st.sampled_from(("messages", "input")),
)
fixes: st.SearchStrategy[Fix] = st.one_of(renames, drops, set_values, clamps, change_roles)


def _aim(fix: Fix, path: str, value: object) -> Fix:
    """The same kind of fix, aimed at ``path`` (a SetValue's old value becomes the value sent there)."""
    if isinstance(fix, Rename):
        return Rename(path, fix.new) if fix.new != path else fix
    if isinstance(fix, Drop):
        return Drop(path)
    if isinstance(fix, SetValue):
        old = value if isinstance(value, str | int | float | bool | type(None)) else fix.old
        return SetValue(path, old, fix.new)
    if isinstance(fix, Clamp):
        return Clamp(path, fix.minimum, fix.maximum)
    return fix


@st.composite
def bodies_with_fix(draw: st.DrawFn) -> tuple[Body, Fix]:
    """A body and a fix; most of the time the fix names a param the body carries."""
    body = draw(request_bodies())
    fix = draw(fixes)
    paths = body_paths(body)
    aim = draw(st.integers(0, 3)) > 0
    if paths and aim:
        path = draw(st.sampled_from(paths))
        fix = _aim(fix, path, lookup(body, path))
    return body, fix


evidences = st.builds(
    Evidence,
    status=st.sampled_from((400, 403, 404, 422)),
    code=st.none() | st.text(max_size=20),
    message=st.text(max_size=240),
    first_seen=st.floats(0, 2e9),
    last_seen=st.floats(0, 2e9),
    hits=st.integers(1, 10**6),
)
learned_rules = st.builds(LearnedRule, fixes.filter(is_valid_fix), evidences)
deployment_keys = st.builds(
    DeploymentKey,
    host=st.text(max_size=30),
    deployment=st.text(max_size=20),
    api_version=st.text(max_size=20),
    operation=st.sampled_from(("chat/completions", "responses", "completions")),
)
rule_sets: st.SearchStrategy[dict[DeploymentKey, DeploymentMapping]] = st.dictionaries(
    deployment_keys,
    st.lists(learned_rules, min_size=1, max_size=4).map(lambda rules: DeploymentMapping(tuple(rules))),
    max_size=3,
)
