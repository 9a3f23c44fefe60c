"""Ground: match the names a body gives against the request that was sent.

A rejection can only be about params the request carries: the request is the vocabulary.
A name is matched exactly, as a dotted path (``reasoning.effort``), with a prefix
(``body.x``, ``#/x``, ``body -> x``, a pydantic ``loc``), or word for word across spellings
(``presencePenalty`` = ``presence_penalty``; ``reasoningEffort`` = ``reasoning.effort``).
Names under ``messages``, ``input`` or ``tools`` are items of the conversation, not
params, and are never grounded, except ``messages[i].role`` / ``input[i].role``.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Any, Final

from .._models import DEFAULT_PROTECTED

__all__ = ["CONVERSATION", "ITEM_ROOTS", "Grounded", "Vocabulary"]

ITEM_ROOTS: Final = frozenset({"messages", "input", "tools", "functions", "contents", "prediction"})
_ROLE_LISTS: Final = ("messages", "input")
_PREFIXES: Final = ("body.", "$.", "#/", "/", "request.", "parameter.", "parameters.", "params.", "json.")
_CAMEL: Final = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_SEPARATORS: Final = re.compile(r"\s*->\s*|/|\.")
_INDEX: Final = re.compile(r"\[(\d{1,6})\]")
# A bare token that looks like a param name, not an English word: snake_case or camelCase.
_IDENTIFIER: Final = re.compile(r"[a-z0-9]_[a-z0-9]|[a-z][A-Z]")
_SCHEMA_WORDS: Final = frozenset(
    {"schema", "properties", "items", "$defs", "definitions", "anyOf", "oneOf", "allOf", "input_schema"}
)
_UNION_MEMBER: Final = re.compile(r"(?:str|int|float|bool|list|dict|tuple|null|none)(?:\[[\w, \[\]]{1,40}\])?")
_MAX_DEPTH: Final = 4
# The longest name grounded: four levels of 64-character names and their dots, with room for a prefix.
_MAX_NAME: Final = 300
# Objects whose keys are the caller's own words, not settings.
_FREE_FORM: Final = frozenset(
    {"metadata", "extra_headers", "response_format", "text", "user", "logit_bias", "labels", "requestMetadata"}
)
# Of those, the ones whose keys are never indexed at all: tags and token ids, not settings a body could name.
_OPAQUE: Final = frozenset({"metadata", "labels", "requestMetadata", "logit_bias", "extra_headers"})
# Top-level params whose insides are not indexed: the conversation's items, tags and token-id maps.
_UNINDEXED: Final = ITEM_ROOTS | _OPAQUE
# At most this many paths are indexed: a request with thousands of nested keys costs no more than this.
_MAX_PATHS: Final = 512
# Bare words that are also English: only a quoted or structured name grounds them.
# "session" is the Realtime API's whole configuration object, and a word of prose ("a realtime session").
# "agent" picks the agent as model picks the model ("Agent does not support using background=True", r12b-007).
_BARE_NEVER: Final = DEFAULT_PROTECTED | {"user", "role", "content", "name", "type", "value", "session", "agent"}
# The conversation itself: a bare word never names it, even as a statement's subject ("messages 参数非法", ot-011).
CONVERSATION: Final = frozenset(
    {"messages", "input", "inputs", "prompt", "instructions", "suffix", "conversation", "message", "chat_history"}
)
# Never a subject, however it is written: what the SDK routes by, and bodies name it in
# passing ("Model grok-4 does not support parameter stop", "Received Model Group=…").
_NEVER: Final = frozenset({"model"})


# Stems that mean the same capability: a model that "does not support thinking" refuses reasoning_effort too.
_SYNONYMS: Final = {"reason": "think"}
# Words that name no capability a param asks for.
# "Image generation is not available" names no generationConfig, "content" no contents.
_STOP_STEMS: Final = frozenset(
    {"this", "that", "the", "request", "model", "chat", "input", "output", "image", "file", "generation", "config",
     "content", "setting", "option", "parameter"}
)  # fmt: skip


def _stem(word: str) -> str:
    """A word without its plural or -ing ending: "thinking" -> "think", "penalties" -> "penalty"."""
    word = word.lower()
    if word.endswith("ies") and len(word) > 4:  # noqa: PLR2004 - a plural
        return word[:-3] + "y"
    if word.endswith("ing") and len(word) > 5:  # noqa: PLR2004 - a gerund
        return word[:-3]
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:  # noqa: PLR2004 - a plural
        return word[:-1]
    return word


# Words that abbreviate the same: "The maximum tokens you requested" names max_tokens (r5a-024).
_SHORT: Final = {"maximum": "max", "minimum": "min"}


def spelled(text: str) -> str:
    """``text`` in one spelling, to compare two spellings of a name or a value.

    ``g711-ulaw`` is ``g711_ulaw``; ``maxTokens`` is ``max_tokens``.
    """
    return re.sub(r"[\s_\-]", "", text.lower())


_JOINERS: Final = re.compile(r"[_\-]")


@functools.lru_cache(maxsize=4096)
def words(name: str) -> tuple[str, ...]:
    """A name as lowercase words: ``presencePenalty`` and ``presence_penalty`` -> ``("presence", "penalty")``.

    Cached: every name a body gives is looked up in several spellings, and a hostile body repeats them.
    """
    out: list[str] = []
    for segment in name.split("."):
        out.extend(w.lower() for part in _CAMEL.split(segment) for w in _JOINERS.split(part) if w)
    return tuple(_SHORT.get(w, w) for w in out)


# The same names in any spelling: a bare "functionCall" is function_call.
_BARE_NEVER_WORDS: Final = frozenset(words(n) for n in _BARE_NEVER)


@dataclass(frozen=True, slots=True)
class Grounded:
    """A name from a body that the request carries: a param path, or a role list item."""

    path: str
    role_list: str | None = None
    index: int | None = None
    # Named only loosely: by words of prose or a capability ("Parallel tool calls…", "does not support thinking"),
    # not by the param's own name. Such a name takes only an explicit verdict, never a bare constraint.
    loose: bool = field(default=False, compare=False)
    # Named in the message's own words, not only beside it (a ``param`` or ``loc`` field).
    named: bool = field(default=True, compare=False)


class Vocabulary:
    """The names a request body carries, indexed for grounding."""

    __slots__ = ("_by_leaf", "_by_words", "_longest_first", "_paths", "body")

    def __init__(self, body: dict[str, Any]) -> None:
        self.body = body
        self._paths: dict[str, Any] = {}
        self._by_words: dict[tuple[str, ...], list[str]] = {}
        self._by_leaf: dict[tuple[str, ...], list[str]] = {}
        self._index(body, "", 0)
        self._longest_first = sorted((p for p in self._paths if "_" in p and "." not in p), key=len, reverse=True)

    def _index(self, node: dict[Any, Any], prefix: str, depth: int) -> None:
        for name, value in node.items():
            if not isinstance(name, str) or len(self._paths) >= _MAX_PATHS or (prefix and name in _SCHEMA_WORDS):
                # A schema inside a setting ("output_format.schema") holds the caller's own names, not settings.
                continue

            path = f"{prefix}{name}"
            if not prefix and name in _NEVER:
                continue
            self._paths[path] = value
            self._by_words.setdefault(words(path), []).append(path)
            if prefix:
                self._by_leaf.setdefault(words(name), []).append(path)
            if isinstance(value, dict) and depth < _MAX_DEPTH - 1 and not (not prefix and name in _UNINDEXED):
                self._index(value, f"{path}.", depth + 1)

    def value(self, path: str) -> Any:
        """The value sent at ``path`` (``...`` when it is not sent)."""
        return self._paths.get(path, ...)

    def paths(self) -> list[str]:
        """Every param path the request carries, outermost first."""
        return list(self._paths)

    def ground(self, name: str, *, quoted: bool = True) -> Grounded | None:  # noqa: C901, PLR0911, PLR0912 - one exit per form
        """The request path (or role item) ``name`` refers to, or ``None`` if the request does not carry it."""
        text = name.strip().strip("'\"`")
        if len(text) > _MAX_NAME:
            return None  # no param path is this long: a hostile one costs nothing
        for prefix in _PREFIXES:
            if text.startswith(prefix) and len(text) > len(prefix):
                text = text[len(prefix) :]
                break
        parts = [p for p in _SEPARATORS.split(text) if p]
        if parts and parts[0] == "body" and len(parts) > 1:
            parts = parts[1:]
        if any(p in _SCHEMA_WORDS for p in parts[1:]):
            # A path through a JSON schema ("$.properties.temperature", "#/properties/temperature/type") is about a
            # tool's or a format's schema, never a sampling param of the same name.
            return None
        if len(parts) > 1 and _UNION_MEMBER.fullmatch(parts[-1]):
            # pydantic names the member of a union it tried: "#/stop/str", "#/stop/list[str]" are about stop.
            parts = parts[:-1]
        if not parts:
            return None
        joined = ".".join(parts)
        index = _INDEX.search(joined)
        digit = next((i for i, p in enumerate(parts) if p.isdigit()), None)
        if digit and digit == len(parts) - 1 and parts[0] not in ITEM_ROOTS and index is None:
            # An item of a sent list that is no conversation ("#/stopSequences/0"): the list is the param (r7a-040).
            # A name inside the item ("#/data_sources/0/azure_search/…") is about that item: never the list.
            return self.ground(".".join(parts[:digit]), quoted=quoted)
        if index is not None or digit is not None or (parts[0] in _ROLE_LISTS and parts[-1] == "role"):
            return self.role_item(joined)
        if parts[0] in ITEM_ROOTS and len(parts) > 1:
            return None
        if parts[0] == "metadata" and len(parts) > 1:
            # A key of the caller's own tags ("/data/attributes/metadata/temperature"): no setting, and never the tags.
            return None
        if not quoted and self.english(joined):
            return None
        if joined in self._paths:
            return Grounded(joined)
        found = self._by_words.get(words(joined), [])
        if len(found) == 1:
            return Grounded(found[0])
        # A body that names only the leaf of a nested param ("top_p" for inferenceConfig.topP, br-007). Bare, the
        # name must look like one (snake_case or camelCase): a word of prose ("a", "type") is no leaf of metadata.
        leaf = self._by_leaf.get(words(joined), []) if not found else []
        if not quoted and not _IDENTIFIER.search(joined):
            # A bare English word is a leaf only of a settings object ("temperature" for inferenceConfig.temperature,
            # r9a-038), never of free-form data (metadata's keys are the caller's own words), and never four levels
            # down, where a word of prose meets a setting by chance ("a transcription session update" is no
            # session.audio.input.transcription, r9d-024).
            leaf = [p for p in leaf if p.split(".", 1)[0] not in _FREE_FORM and p.count(".") < _MAX_DEPTH - 1]
        if len(leaf) == 1 and words(joined) not in self._by_words:
            return Grounded(leaf[0])
        # A nested param named by the end of its path in another spelling: "Thinking_config.include_thoughts" for
        # generationConfig.thinkingConfig.includeThoughts (r5a-048).
        if len(parts) > 1 and not found and len(tail := self._by_tail(words(joined))) == 1:
            return Grounded(tail[0])
        # A path through the provider's own schema that ends in a sent setting: "thinking.enabled.budget_tokens"
        # for thinking.budget_tokens (r5a-044). The end must look like a name, not a word ("x.type").
        for i in range(1, len(parts)):
            end = ".".join(parts[i:])
            if (i < len(parts) - 1 or _IDENTIFIER.search(end)) and len(leaf := self._by_leaf.get(words(end), [])) == 1:
                return Grounded(leaf[0])
        # A discriminated object's schema path: "thinking.adaptive.effort" for thinking.effort, the variant named
        # between the object and its setting (r9a-004).
        if len(parts) > 2 and (inner := f"{parts[0]}.{parts[-1]}") in self._paths:  # noqa: PLR2004 - object, variant, setting
            return Grounded(inner)
        # A provider's own nesting around a sent name ("$.parameter.chat.temperature", r2b-040).
        if len(parts) > 1 and parts[0] not in self._paths and parts[-1] in self._paths and "." not in parts[-1]:
            return Grounded(parts[-1])
        # Or a Java bean's path in its own spelling ("chatRequest.frequencyPenalty" for frequency_penalty).
        if len(parts) > 1 and parts[0] not in self._paths and _IDENTIFIER.search(parts[-1]):
            top = [p for p in self._by_words.get(words(parts[-1]), []) if "." not in p]
            if len(top) == 1:
                return Grounded(top[0])
        return self._glued(joined) if not quoted else None

    def _by_tail(self, key: tuple[str, ...]) -> list[str]:
        """The paths whose words end with ``key`` (and have more words)."""
        size = len(key)
        return [p for w, paths in self._by_words.items() if len(w) > size and w[-size:] == key for p in paths]

    def _glued(self, token: str) -> Grounded | None:
        # A proxy that glued its own text to the name ("litellm_session_idNo fallback…", ll-003).
        # Only snake_case names: a camelCase word goes on with a capital too ("stopSequences", vx-001).
        for path in self._longest_first:
            if token.startswith(path) and re.fullmatch(r"[A-Z][a-z]{0,15}", token[len(path) :]):
                return Grounded(path)
        return None

    def ground_phrase(self, text: str) -> list[Grounded]:
        """Params named as words in prose: "Parallel tool calls are not supported" (gm-012, m025).

        The words of a nested param's own name count when no other param has them: "The thinking budget
        (52428) is invalid" for ``generationConfig.thinkingConfig.thinkingBudget`` (r4-066).
        """
        tokens = re.findall(r"[A-Za-z][a-z]*", text)
        found: list[Grounded] = []
        for size in (4, 3, 2):
            for i in range(len(tokens) - size + 1):
                key = tuple(_SHORT.get(t.lower(), t.lower()) for t in tokens[i : i + size])
                paths = self._by_words.get(key) or self._unique_leaf(key)
                for path in paths:
                    if path.split(".", 1)[0] not in _BARE_NEVER and Grounded(path) not in found:
                        found.append(Grounded(path, loose=True))
        return found

    def _unique_leaf(self, key: tuple[str, ...]) -> list[str]:
        leaf = self._by_leaf.get(key, [])
        return leaf if len(leaf) == 1 else []

    @staticmethod
    def english(name: str) -> bool:
        """Whether a bare ``name`` is an English word bodies use of anything (type, value, name, role…)."""
        return name.lower() in _BARE_NEVER or words(name) in _BARE_NEVER_WORDS

    @staticmethod
    def _never_named(path: str) -> bool:
        """Protected params, the conversation and nested items are never named by a capability word."""
        root = path.split(".", 1)[0]
        return root in _BARE_NEVER or root in CONVERSATION or root in ITEM_ROOTS

    def ground_capability(self, word: str) -> list[Grounded]:
        """The sent params that ask for a capability named as one word: "thinking", "penalty" (ol-004, r3b-007).

        A param asks for it when one of its words has the word's stem ("think" in ``think``), or a stem that
        means the same ("reason" in ``reasoning_effort``). Protected params, the conversation and nested items
        are never named this way.
        """
        stem = _SYNONYMS.get(_stem(word), _stem(word))
        if len(stem) < 3 or stem in _STOP_STEMS:  # noqa: PLR2004 - too short to be a name
            return []
        # A word that is a sent param's whole name ("Tools are not supported", "does not support thinking" for
        # ``think``) names that param alone, and nothing when it is protected; it is not spread over the params
        # that merely share the word (parallel_tool_calls).
        exact = [p for p in self._paths if "." not in p and tuple(_stem(w) for w in words(p)) == (_stem(word),)]
        if exact:
            return [Grounded(p, loose=True) for p in exact if not self._never_named(p)]
        found: list[Grounded] = []
        for path in self._paths:
            if self._never_named(path):
                continue
            if any(_SYNONYMS.get(_stem(w), _stem(w)) == stem for w in words(path)):
                found.append(Grounded(path, loose=True))
        # A capability names the params that ask for it, not each of their nested settings.
        return [g for g in found if not any(g.path.startswith(f"{o.path}.") for o in found)]

    def ground_loc(self, loc: tuple[str | int, ...]) -> Grounded | None:
        """A pydantic ``loc`` (``("body", "stream_options", "include_usage")``) grounded: its top-level param."""
        parts = list(loc[1:] if loc and loc[0] == "body" else loc)
        if not parts or not isinstance(parts[0], str):
            return None
        if parts[0] in ITEM_ROOTS and len(parts) > 1:
            return self.role_item(".".join(f"[{p}]" if isinstance(p, int) else p for p in parts).replace(".[", "["))
        # extra_forbidden on a nested key: the key goes where its object holds others ("reasoning.summary": the
        # reasoning effort stays); an object it is alone in goes whole (m015: stream_options.include_usage).
        top = self.ground(parts[0])
        if top is not None and len(parts) > 1 and all(isinstance(p, str) for p in parts):
            owner = self.value(".".join(map(str, parts[:-1])))
            whole = self.ground(".".join(map(str, parts)))
            if whole is not None and isinstance(owner, dict) and len(owner) > 1:
                return whole
        return top

    def role_item(self, joined: str) -> Grounded | None:
        """A role path (``messages[i].role``) as the role item it names; any other item path names nothing."""
        # Only messages[i].role / input[i].role are about the deployment; every other item path is not.
        # The index may be missing or garbled ("messages.role", "messages.['0].role", r3b-017/r3b-020),
        # or point past the request: then the role is looked for in every message.
        m = re.fullmatch(r"(messages|input)\W{0,3}(\d{0,6})\W{0,3}(member\W)?role", joined)
        if m is None:
            return None
        items = self.body.get(m[1])
        if not isinstance(items, list):
            return None
        # AWS validation counts list members from 1: "messages.1.member.role" is the first message's role.
        i = int(m[2]) - (1 if m[3] else 0) if m[2] else None
        if i is None or not 0 <= i < len(items) or not isinstance(items[i], dict):
            return Grounded(f"{m[1]}[*].role", role_list=m[1])
        return Grounded(f"{m[1]}[{i}].role", role_list=m[1], index=i)

    def roles(self) -> dict[str, set[str]]:
        """The roles each role list (``messages``, ``input``) carries."""
        out: dict[str, set[str]] = {}
        for name in _ROLE_LISTS:
            items = self.body.get(name)
            if isinstance(items, list):
                out[name] = {m["role"] for m in items if isinstance(m, dict) and isinstance(m.get("role"), str)}
        return out
