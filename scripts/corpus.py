"""Maintain the rejection corpus in tests/data/corpus.

    python scripts/corpus.py merge NEW.jsonl [...]   add checked rows; each lands in its split's file
    python scripts/corpus.py table                   the per-provider count table of the README
    python scripts/corpus.py marks                   rewrite expected_failures.json from today's reader
    python scripts/corpus.py readme                  rewrite the data README's table from the data
    python scripts/corpus.py providers               the root README's table: repaired and raised per provider

``merge`` refuses the whole batch when one row is malformed or its id is taken, and skips
rows whose (source, body) is already in the corpus. The split is decided by
``tests.corpus.held_back`` alone, so adding rows never moves an existing one.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.corpus import (
    DESIGN,
    DIRECTORY,
    HELD_BACK,
    Expected,
    canonical,
    counted,
    held_back,
    judge,
    problems,
    read,
    reader_fixes,
    summary,
    table,
)

_REASONS = {
    "reads_nothing": "the reader derives no fix from this body",
    "wrong_fix": "the reader derives other fixes than the row expects",
    "acts_on_lookalike": "the reader derives a fix from a body that is not about a changeable param",
    "applies_blocked": "the reader derives a fix the default policy allows for a body about a protected param",
}


def _write(path: Path, rows: list[dict[str, Any]]) -> None:
    rows = sorted(rows, key=lambda r: r["id"])
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")


def merge(files: list[Path]) -> int:
    """Check ``files`` and add their new rows to the split files; returns the exit status."""
    design = read(DESIGN) if DESIGN.exists() else []
    held = read(HELD_BACK) if HELD_BACK.exists() else []
    known = {(r["source"], canonical(r["body"])) for r in design + held}
    ids = {r["id"] for r in design + held}
    errors: list[str] = []
    added: list[dict[str, Any]] = []
    for file in files:
        for n, row in enumerate(read(file), 1):
            where = f"{file}:{n} ({row.get('id')})"
            errors += [f"{where}: {p}" for p in problems(row)]
            if (row.get("source"), canonical(row.get("body"))) in known:
                print(f"{where}: already in the corpus, skipped", file=sys.stderr)
                continue
            if row.get("id") in ids:
                errors.append(f"{where}: id already taken")
            ids.add(row.get("id"))
            known.add((row.get("source"), canonical(row.get("body"))))
            added.append(row)
    if errors:
        print("\n".join(errors), file=sys.stderr)
        return 1
    for row in added:
        (held if held_back(row) else design).append(row)
    _write(DESIGN, design)
    _write(HELD_BACK, held)
    back = sum(held_back(r) for r in added)
    print(f"added {len(added)} row(s): {len(added) - back} to design, {back} held back", file=sys.stderr)
    return 0


# Why each designed-on row the reader still gets wrong is left so: a reason a reader of the file can weigh.
_LEFT: dict[str, str] = {
    "r5a-008": "the clean fix is on the protected tool_choice; thinking is dropped while tool_choice is sent instead",
    "r9a-037": "Gemini's duplicate oneof fields (snake_case and camelCase both sent) need the pairing of two spellings",
    "r9b-036": "logprobs goes, but top_logprobs depends on it; the reader keeps no table of dependent params",
    "r9b-038": "'log probs' spelled apart names logprobs only as two words of prose",
    "r9b-041": "'Conflicting reasoning_effort values … top-level or chat_template_kwargs' needs which one to keep",
    "r9c-017": "'caching is not supported for instructions' is a condition the reader does not read after 'for'",
    "r9c-035": "one refusal is inside messages (messages[6].name), which no fix changes; stream_options is learned",
    "r9d-027": "a Realtime session event (voice), not an HTTP request the client sends",
    "r10a-005": "an organisation's access program is named like a param; the row is a lookalike the reader drops",
    "r10a-030": "'a length 0 completion' names max_tokens=0 only by its effect",
    "r10c-028": "'Setting user/encoding format' names user as an English word the reader never grounds bare",
    "r11a-027": "'Hyperparameters should be on the top level' asks to move nested settings up: no fix moves a block",
    "r11b-007": "Baidu answers errors with HTTP 200: the SDK never raises, so the client never reads it",
    "r12a-015": "'Cannot use background with store=False': the row keeps background only while store is on",
    "r12b-003": "the fix the row wants turns the caller's store: false into true: an opt-out is never turned on",
    "r12b-004": "the fix the row wants turns the caller's store: false into true: an opt-out is never turned on",
    "r13a-066": "the refusal names reasoning_effort, which DeepSeek maps from the sent output_config.effort; the "
    "reader sees no param of that name and drops the thinking switch it does see",
    "r13a-087": "a 500 that reports an upstream 400: the reader never repairs what a gateway's own call upstream was "
    "refused for (a 500 can be the gateway's own transformation)",
    "r14a-026": "the relay answers the upstream's 400 with a 429 of its own, which the client retries as a rate "
    "limit and never reads as a rejection",
    "r14a-070": "a string refused for its length (prompt_cache_key): the reader never leaves out a value the caller "
    "wrote because of its length",
    "r22a-064": "a gateway's translation of the sent name (Vertex's stopSequences for stop, through LiteLLM): the "
    "reader grounds no name the request does not carry",
    "r17a-032": "a bare protected name in a list ('response_format, frequency_penalty') is never grounded, so the "
    "other is dropped and the retry meets the refusal of response_format alone, which reaches the caller",
    "r14a-082": "'only accepts string reasoning_effort values' for an object sent: the reader takes the object's "
    "own setting (effort) for the subject",
}


def _fixes(found: list[Expected]) -> str:
    return ", ".join(repr(e.fix) for e in found) or "nothing"


def marks() -> int:
    """Write expected_failures.json: each row today's reader gets wrong, and why.

    Design rows say what the reader derived; held-back rows only which way it failed, so
    that designing on the reasons never shows the held-back bodies.
    """
    out: dict[str, str] = {}
    for path in (DESIGN, HELD_BACK):
        for row in read(path):
            found = reader_fixes(row)
            verdict = judge(row, found)
            if verdict == "right":
                continue
            if path == HELD_BACK:
                out[row["id"]] = f"held back: {_REASONS[verdict]}"
            else:
                left = _LEFT.get(row["id"])
                out[row["id"]] = f"{_REASONS[verdict]} (derives {_fixes(found)})" + (f"; left: {left}" if left else "")
    text = json.dumps(dict(sorted(out.items())), indent=1, ensure_ascii=False) + "\n"
    (DIRECTORY / "expected_failures.json").write_text(text, "utf-8")
    print(f"{len(out)} expected failure(s)", *summary(), sep="\n", file=sys.stderr)
    return 0


def readme() -> int:
    """Rewrite the data README's counts and its per-provider table from the data."""
    path = DIRECTORY / "README.md"
    text = counted(path.read_text("utf-8"), read(DESIGN) + read(HELD_BACK))
    head, marker, _ = text.partition("## Rows per provider\n")
    path.write_text(f"{head}{marker}\n{table()}\n", "utf-8")
    return 0


# The root README's names for the providers it lists one by one, in its order.
_NAMES = {
    "openai": "OpenAI",
    "azure": "Azure OpenAI",
    "azure-foundry": "Azure AI Foundry",
    "github-models": "GitHub Models",
    "gemini": "Gemini",
    "vertex": "Vertex",
    "bedrock": "Bedrock",
    "anthropic": "Anthropic",
    "deepseek": "DeepSeek",
    "groq": "Groq",
    "litellm-proxy": "LiteLLM proxy",
    "vllm": "vLLM",
    "mistral": "Mistral",
    "xai": "xAI",
    "nvidia-nim": "NVIDIA NIM",
    "dashscope": "DashScope (Qwen)",
    "cerebras": "Cerebras",
    "fireworks": "Fireworks",
    "openrouter": "OpenRouter",
    "ollama": "Ollama",
    "llamacpp": "llama.cpp",
    "moonshot": "Moonshot",
    "lmstudio": "LM Studio",
    "tgi": "TGI",
}
_FAMILIES = ("clamp", "conditional", "drop", "rename", "role", "several at once", "value")


def _families(row: dict[str, Any]) -> set[str]:
    fixes = row["fixes"]
    out = {"several at once"} if len(fixes) > 1 else set()
    for fix in fixes:
        kind = next(k for k in ("drop", "rename", "set", "clamp", "role") if k in fix)
        out.add("conditional" if "unless" in fix or "when" in fix else {"set": "value"}.get(kind, kind))
    return out


def providers() -> str:
    """Per provider (both parts): repairable bodies repaired, the families among them, the others raised."""
    stats: dict[str, dict[str, Any]] = {}
    for row in read(DESIGN) + read(HELD_BACK):
        s = stats.setdefault(row["provider"], {"fix": 0, "fixed": 0, "raise": 0, "raised": 0, "families": set()})
        right = judge(row, reader_fixes(row)) == "right"
        if row["outcome"] == "repair":
            s["fix"] += 1
            s["fixed"] += right
            if right:
                s["families"] |= _families(row)
        else:
            s["raise"] += 1
            s["raised"] += right
    lines = [
        "| provider | repairable, repaired | families repaired | lookalikes and protected, raised |",
        "|---|---:|---|---:|",
    ]
    for key, name in _NAMES.items():
        if key in stats:
            s = stats.pop(key)
            families = ", ".join(f for f in _FAMILIES if f in s["families"])
            lines.append(f"| {name} | {s['fixed']}/{s['fix']} | {families} | {s['raised']}/{s['raise']} |")
    rest = sorted(stats, key=lambda k: -(stats[k]["fix"] + stats[k]["raise"]))
    total = {k: sum(stats[p][k] for p in rest) for k in ("fix", "fixed", "raise", "raised")}
    lines.append(
        f"| {len(rest)} more ({', '.join(rest[:8])}, …) | {total['fixed']}/{total['fix']} | | "
        f"{total['raised']}/{total['raise']} |"
    )
    return "\n".join(lines)


def main() -> int:
    """Run the command line."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    m = sub.add_parser("merge")
    m.add_argument("files", nargs="+", type=Path)
    sub.add_parser("table")
    sub.add_parser("marks")
    sub.add_parser("readme")
    sub.add_parser("providers")
    args = parser.parse_args()
    if args.command == "merge":
        return merge(args.files)
    if args.command == "marks":
        return marks()
    if args.command == "readme":
        return readme()
    if args.command == "providers":
        print(providers())
        return 0
    print(table())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
