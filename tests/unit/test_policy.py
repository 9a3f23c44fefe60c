"""RepairPolicy: which paths a fix may change without the caller's consent."""

from __future__ import annotations

import dataclasses
import pickle

import pytest

from resilient_client import DEFAULT_PROTECTED, RepairPolicy
from resilient_client._core import blocked_param
from resilient_client._models import Drop, Rename, SetValue


@pytest.mark.parametrize(
    ("param", "protecting"),
    [
        ("tools", "tools"),
        ("tools.0.function", "tools"),
        ("model", "model"),
        ("top_p", None),
        # A protected path inside a settings object protects itself and what lies under it …
        ("generationConfig.responseMimeType", "generationConfig.responseMimeType"),
        ("generationConfig.responseSchema.type", "generationConfig.responseSchema"),
        ("output_config.format", "output_config.format"),
        ("outputConfig.textFormat", "outputConfig.textFormat"),
        # … and a fix on its parent changes it too; its siblings are free.
        ("generationConfig", "generationConfig.responseJsonSchema"),
        ("output_config", "outputConfig.textFormat"),  # output_config and outputConfig are one name
        ("generationConfig.temperature", None),
        ("output_config.effort", None),
        # A name that merely starts like a protected one is another name.
        ("generationConfigX", None),
        ("output_config.formats", None),
    ],
)
def test_the_default_policy_protects_names_and_paths(param: str, protecting: str | None) -> None:
    assert RepairPolicy().protecting(param) == protecting
    assert RepairPolicy().blocks(param) is (protecting is not None)


def test_allow_lifts_a_path_by_itself_or_a_parent() -> None:
    """Allowing the path, or a parent of it, lifts the protection; allowing one protected child lifts only that one."""
    assert not RepairPolicy(allow=frozenset({"generationConfig.responseMimeType"})).blocks(
        "generationConfig.responseMimeType"
    )
    assert not RepairPolicy(allow=frozenset({"generationConfig"})).blocks("generationConfig.responseSchema.type")
    assert not RepairPolicy(allow=frozenset({"generationConfig"})).blocks("generationConfig")
    only_mime = RepairPolicy(allow=frozenset({"generationConfig.responseMimeType"}))
    assert only_mime.protecting("generationConfig") == "generationConfig.responseJsonSchema"
    # model and stream stay unchangeable whatever is allowed.
    assert RepairPolicy(allow=frozenset({"model", "stream"})).blocks("stream")


def test_a_custom_protected_path_works_like_the_defaults() -> None:
    policy = RepairPolicy(protected=DEFAULT_PROTECTED | {"thinking.budget_tokens"})
    assert policy.protecting("thinking") == "thinking.budget_tokens"
    assert policy.blocks("thinking.budget_tokens")
    assert not policy.blocks("thinking.type")
    assert not RepairPolicy().blocks("thinking")


def test_blocked_param_names_the_protected_path() -> None:
    """RepairBlockedError names what would be lost: the protected path, not only the param the fix drops."""
    policy = RepairPolicy()
    assert blocked_param(Drop("generationConfig"), policy) == "generationConfig.responseJsonSchema"
    assert blocked_param(Drop("generationConfig.responseMimeType"), policy) == "generationConfig.responseMimeType"
    assert blocked_param(Rename("format_hint", "response_format"), policy) == "response_format"
    assert blocked_param(SetValue("output_config.effort", "max", "high"), policy) is None


def test_the_derived_index_does_not_change_equality_hashing_or_copies() -> None:
    policy = RepairPolicy(allow=frozenset({"tools"}))
    assert policy == RepairPolicy(allow=frozenset({"tools"}))
    assert hash(policy) == hash(RepairPolicy(allow=frozenset({"tools"})))
    assert "_nested" not in repr(policy)
    for copy in (pickle.loads(pickle.dumps(policy)), dataclasses.replace(policy, change_roles=False)):  # noqa: S301 - our own object
        assert copy.protecting("output_config.format") == "output_config.format"


@pytest.mark.parametrize(
    "param",
    [
        "generationConfig.response_mime_type",
        "generation_config.responseMimeType",
        "responseSchema",
        "response_modalities",
        "responseFormat",
        "additionalModelRequestFields.output_config",
    ],
)
def test_a_protected_name_is_protected_in_any_spelling(param: str) -> None:
    """Gemini takes snake_case and camelCase at any level: protection cannot be stepped around by spelling."""
    assert RepairPolicy().blocks(param)


def test_another_case_is_another_name() -> None:
    """Gemini does not know "generationconfig" (r6a-007): leaving it out touches no protected path."""
    assert not RepairPolicy().blocks("generationconfig")


@pytest.mark.parametrize("name", ["Tools", "Stream", "Messages", "ResponseFormat", "Model", "ToolConfig.Tools"])
def test_a_protected_name_in_pascal_case_is_protected(name: str) -> None:
    """Tencent Cloud names its fields in PascalCase: ``Tools`` are the tools, ``Stream`` decides the return type."""
    assert RepairPolicy().blocks(name)


def test_allow_matches_in_any_spelling_too() -> None:
    assert not RepairPolicy(allow=frozenset({"generation_config"})).blocks("generationConfig.responseMimeType")


@pytest.mark.parametrize(
    "param",
    [
        "request.generationConfig.responseSchema.additionalProperties",
        "request.toolConfig.functionCallingConfig.allowedFunctionNames",
        "request.contents",
        "payload.messages",
        "body.tools",
        "request.stream",
        "request",
    ],
)
def test_what_is_protected_at_the_top_is_protected_inside_a_wrapper(param: str) -> None:
    """A proxy that wraps the native body ({"model": …, "request": {…}}) cannot step around protection."""
    assert RepairPolicy().blocks(param)


@pytest.mark.parametrize(
    "param",
    ["request.generationConfig.thinkingConfig.thinkingBudget", "extra_body", "reasoning.effort", "options.num_ctx"],
)
def test_a_setting_inside_a_wrapper_is_not_protected(param: str) -> None:
    assert not RepairPolicy().blocks(param)
