"""Run every benchmark in one go and write benchmarks/RESULTS.md.

Each benchmark runs in a fresh interpreter of its own (``python -m benchmarks.<name>
--json ...``), one after the other, so that no benchmark's threads, imports or
warm caches touch another's figures; together they are one run, on one machine,
at one time, and RESULTS.md records which.

    python -m benchmarks.run_all                 # full size, writes benchmarks/RESULTS.md
    python -m benchmarks.run_all --tiny --output /tmp/RESULTS.md --json /tmp/results.json

Exits non-zero if a benchmark failed (its section of RESULTS.md says how).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import shlex
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from benchmarks._common import ROOT, parser

BENCHMARKS: tuple[str, ...] = (
    "warm_path",
    "stores",
    "async_stall",
    "cold_burst",
    "multiprocess",
    "import_time",
    "litellm_compare",
    "gateway",
    "fleet_sizes",
)
Results = dict[str, Any]


def _version(dist: str) -> str:
    try:
        return version(dist)
    except PackageNotFoundError:
        return "not installed"


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _commit() -> str:
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True, timeout=10
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return f"{head} (uncommitted changes)" if dirty else head


def machine(command: str, *, tiny: bool) -> dict[str, Any]:
    """Where and when the run happened, and how it was started."""
    cores = os.cpu_count() or 0
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else cores
    return {
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "command": command,
        "commit": _commit(),
        "platform": platform.platform(),
        "cpu": _cpu_model(),
        "cores": cores,
        "usable_cores": usable,
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "openai": _version("openai"),
        "litellm": _version("litellm"),
        "resilient_client": _version("resilient-client"),
        "load_average": list(os.getloadavg()) if hasattr(os, "getloadavg") else [],
        "size": "tiny (smoke test)" if tiny else "full",
    }


def run_one(name: str, *, tiny: bool, workdir: Path) -> Results:
    """Run ``python -m benchmarks.<name>`` and return its figures, or ``{"error": ...}``."""
    out = workdir / f"{name}.json"
    argv = [sys.executable, "-m", f"benchmarks.{name}", "--json", str(out), *(["--tiny"] if tiny else [])]
    shown = ["python", "-m", f"benchmarks.{name}", *(["--tiny"] if tiny else [])]
    print(f"== {shlex.join(shown)}", flush=True)
    t0 = time.perf_counter()
    try:
        done = subprocess.run(
            argv, cwd=ROOT, capture_output=True, text=True, timeout=300 if tiny else 3600, check=False
        )
    except subprocess.TimeoutExpired as exc:
        return {"error": f"timed out after {exc.timeout:.0f} s", "seconds": time.perf_counter() - t0}
    seconds = time.perf_counter() - t0
    print(done.stdout, end="", flush=True)
    if done.returncode != 0 or not out.exists():
        print(done.stderr, end="", file=sys.stderr, flush=True)
        tail = "\n".join(done.stderr.strip().splitlines()[-15:])
        return {"error": f"exit code {done.returncode}\n{tail}", "seconds": seconds}
    results: Results = json.loads(out.read_text())
    results["seconds"] = seconds
    return results


# --- RESULTS.md -----------------------------------------------------------------------------------------------------


def _f(value: float, digits: int = 1) -> str:
    return f"{value:,.{digits}f}"


def _unavailable(results: Results) -> str | None:
    if "error" in results:
        return f"**Failed** in this run:\n\n```\n{results['error']}\n```\n"
    if "skipped" in results:
        return f"Skipped in this run: {results['skipped']}.\n"
    return None


def _command(name: str, extra: str = "") -> str:
    return f"`python -m benchmarks.{name}{extra}`"


def section_warm_path(warm: Results, stores: Results) -> str:
    lines = [f"## 1. Warm path ({_command('warm_path')}, {_command('stores')})", ""]
    if (why := _unavailable(warm)) is not None:
        lines.append(why)
    else:
        shell, emu = warm["shell"], warm["emulator"]
        lines += [
            f"{warm['calls']:,} calls per client, alternating one by one; warm: the deployment's rules are known.",
            "",
            "| measurement | plain AzureOpenAI | ResilientAzureClient | ratio |",
            "|---|---|---|---|",
            (
                "| core: look up + apply 3 learned rules (rename `max_tokens`, drop `temperature`, drop `top_p`) | - | "
                f"{_f(warm['core_us_per_call'], 2)} µs/call | - |"
            ),
            (
                "| same body, in-memory transport (no network; worst case) — median | "
                f"{_f(shell['plain_median_us'])} µs | {_f(shell['resilient_median_us'])} µs | "
                f"**{_f(shell['ratio_median'], 3)}** |"
            ),
            (
                f"| same body, in-memory transport — p99 | {_f(shell['plain_p99_us'])} µs | "
                f"{_f(shell['resilient_p99_us'])} µs | {_f(shell['ratio_p99'], 3)} |"
            ),
            (
                "| emulator on loopback (own process), plain sends the correct body, resilient rewrites the "
                f"gpt-4o-style body — median | {_f(emu['plain_median_us'])} µs | {_f(emu['resilient_median_us'])} µs | "
                f"**{_f(emu['ratio_median'], 3)}** |"
            ),
            (
                f"| emulator on loopback — p99 | {_f(emu['plain_p99_us'])} µs | {_f(emu['resilient_p99_us'])} µs | "
                f"{_f(emu['ratio_p99'], 3)} |"
            ),
            "",
        ]
    lines += ["### By store (warm call on an in-memory transport)", ""]
    if (why := _unavailable(stores)) is not None:
        lines.append(why)
    else:
        lines += [
            "| store | `store.get` on a warm key | warm call, plain | warm call, resilient | ratio (median) |",
            "|---|---|---|---|---|",
        ]
        for key, title in (("memory", "MemoryStore"), ("json_file", "JSONFileStore"), ("redis", "RedisStore")):
            r = stores[key]
            lines.append(
                f"| {title} | {_f(r['get_us'], 2)} µs | {_f(r['plain_median_us'])} µs | "
                f"{_f(r['resilient_median_us'])} µs | **{_f(r['ratio'], 3)}** |"
            )
        lines += [
            "",
            (
                f"Redis commands sent by {stores['redis_warm_calls']:,} warm calls within one check interval: "
                f"**{stores['redis_commands']}**."
            ),
            "",
        ]
    return "\n".join(lines)


def _by_param(counts: dict[str, int]) -> str:
    return ", ".join(f"`{k}` {v}" for k, v in counts.items()) or "-"


def section_cold_burst(burst: Results) -> str:
    lines = [f"## 2. Cold burst ({_command('cold_burst')})", ""]
    if (why := _unavailable(burst)) is not None:
        return "\n".join([*lines, why])
    offending = burst["offending_params"]
    lines += [
        (
            f"{burst['threads']} threads + {burst['tasks']} asyncio tasks (event loop in its own thread), released "
            f"together, call `{burst['deployment']}` (emulator in its own process, {_f(burst['latency_ms'], 0)} ms per "
            f"answer) with a call written for gpt-4o: {', '.join(f'`{p}`' for p in offending)} are rejected by it, "
            f"so the target is **{len(offending)}** 400s for the whole cold burst (one per offending parameter)."
        ),
        "",
        "| burst | calls ok | 400s seen (target) | 400s by parameter | requests | wall time | call median / max |",
        "|---|---|---|---|---|---|---|",
    ]
    for key, title, target in (
        ("resilient_cold", "ResilientAzureClient, cold", str(len(offending))),
        ("resilient_warm", "ResilientAzureClient, warm (same burst again)", "0"),
        ("plain", "plain AzureOpenAI / AsyncAzureOpenAI", "-"),
    ):
        lines.append(_burst_row(title, burst[key], burst[key]["calls"], target))
    return "\n".join([*lines, ""])


def _burst_row(title: str, r: Results, calls: int, target: str) -> str:
    """One row of the cold-burst and multiprocess tables: calls ok, 400s against their target, requests, times."""
    errors = ", ".join(f"{k} x{v}" for k, v in r["errors"].items())
    return (
        f"| {title} | {r['ok']}/{calls}{f' ({errors})' if errors else ''} | **{r['status_400']}** "
        f"({target}) | {_by_param(r['status_400_by_param'])} | {r['requests']} | {_f(r['wall_ms'], 0)} ms | "
        f"{_f(r['median_call_ms'], 0)} / {_f(r['max_call_ms'], 0)} ms |"
    )


def section_multiprocess(fleet: Results) -> str:
    lines = [f"## 3. Processes cold-starting together ({_command('multiprocess')})", ""]
    if (why := _unavailable(fleet)) is not None:
        return "\n".join([*lines, why])
    offending = fleet["offending_params"]
    lines += [
        (
            f"{fleet['processes']} spawned processes, each with its own ResilientAzureClient on one shared store, "
            f"released by a barrier, make the same gpt-4o-style call to `{fleet['deployment']}` (emulator "
            f"{_f(fleet['latency_ms'], 0)} ms per answer). Target: **{len(offending)}** 400s in total."
        ),
        "",
        "| shared store | calls ok | 400s seen (target) | 400s by parameter | requests | wall time | call med. / max |",
        "|---|---|---|---|---|---|---|",
    ]
    for key, title in (("json_file", "one JSONFileStore file"), ("redis", "one Redis")):
        lines.append(_burst_row(title, fleet[key], fleet[key]["processes"], str(len(offending))))
    return "\n".join([*lines, ""])


def section_import_time(imp: Results) -> str:
    lines = [f"## 4. Import time ({_command('import_time')})", ""]
    if (why := _unavailable(imp)) is not None:
        return "\n".join([*lines, why])
    verdict = "within" if imp["within_target"] else "**over**"
    top = ", ".join(f"{k} {_f(v)}" for k, v in imp["breakdown_ms"][:6])
    lines += [
        f"{imp['repeats']} pairs of fresh interpreters, alternating; medians.",
        "",
        "| measurement | time |",
        "|---|---|",
        (
            f"| `import resilient_client` after `import openai`, same interpreter (target ≤ "
            f"{_f(imp['target_ms'], 0)} ms: {verdict}) | **{_f(imp['resilient_client_ms'])} ms** "
            f"(min {_f(imp['resilient_client_min_ms'])}, max {_f(imp['resilient_client_max_ms'])}) |"
        ),
        f"| `import openai` alone | {_f(imp['openai_ms'])} ms |",
        f"| `import openai` + `import resilient_client` | {_f(imp['openai_and_resilient_client_ms'])} ms |",
        f"| difference of the two medians (cross-check) | {_f(imp['difference_of_medians_ms'])} ms |",
        f"| resilient_client / openai | {_f(imp['ratio_to_openai'], 3)} |",
        "",
        (
            f"Where it goes (`python -X importtime`, self time by top-level package, median of "
            f"{imp['breakdown_runs']} run(s), ms; importtime itself slows imports): {top}."
        ),
        "",
    ]
    return "\n".join(lines)


def _cell(outcome: str, count: int) -> str:
    return f"ok ({count} x 400)" if outcome == "ok" else f"**fails** ({count} x 400): {outcome.replace('|', '/')}"


def section_litellm(lite: Results) -> str:
    lines = [f"## 5. LiteLLM side by side ({_command('litellm_compare')}, needs `pip install -e '.[bench]'`)", ""]
    if (why := _unavailable(lite)) is not None:
        return "\n".join([*lines, why])
    o = lite["overhead"]
    lines += [
        (
            f"LiteLLM {lite['litellm_version']} (imported in {_f(lite['litellm_import_s'])} s, with "
            "`LITELLM_LOCAL_MODEL_COST_MAP=True`), called as "
            '`litellm.completion(model="azure/<deployment>", api_base=<emulator>, api_key=..., api_version=..., '
            "drop_params=True, messages=..., max_tokens=50, temperature=0.2, top_p=0.9)`, against the same emulator "
            "(own process, no latency) as the two openai-based clients."
        ),
        "",
        f"### Per-call cost on gpt-4o (accepts everything), {o['calls']:,} calls each",
        "",
        (
            "Wall clock: the three clients take turns call by call, with a 2 ms untimed pause after each call so "
            "LiteLLM's logging threads never run inside another client's call. CPU: this process's CPU time (every "
            "thread, so LiteLLM's background logging counts), per call, over blocks of "
            f"{o['cpu_calls_per_block']:,} calls of one client; median of {o['cpu_rounds']} blocks."
        ),
        "",
        (
            "| client | wall median | wall p99 | CPU per call | ratio vs plain (wall / CPU) | "
            "ratio vs ResilientAzureClient (wall / CPU) |"
        ),
        "|---|---|---|---|---|---|",
        (
            f"| plain AzureOpenAI | {_f(o['plain_median_us'])} µs | {_f(o['plain_p99_us'])} µs | "
            f"{_f(o['plain_cpu_us'])} µs | 1 | - |"
        ),
        (
            f"| ResilientAzureClient | {_f(o['resilient_median_us'])} µs | {_f(o['resilient_p99_us'])} µs | "
            f"{_f(o['resilient_cpu_us'])} µs | **{_f(o['ratio_resilient_vs_plain'], 3)}** / "
            f"**{_f(o['cpu_ratio_resilient_vs_plain'], 3)}** | 1 |"
        ),
        (
            f"| litellm.completion | {_f(o['litellm_median_us'])} µs | {_f(o['litellm_p99_us'])} µs | "
            f"{_f(o['litellm_cpu_us'])} µs | **{_f(o['ratio_litellm_vs_plain'], 2)}** / "
            f"**{_f(o['cpu_ratio_litellm_vs_plain'], 2)}** | **{_f(o['ratio_litellm_vs_resilient'], 2)}** / "
            f"**{_f(o['cpu_ratio_litellm_vs_resilient'], 2)}** |"
        ),
        "",
        "### Does a gpt-4o-style call complete? (system message, `max_tokens`, `temperature=0.2`, `top_p`)",
        "",
        (
            "LiteLLM rewrites a request from what it knows about the model named in `model=`, which on Azure is the "
            "deployment name, and sends it once; ResilientAzureClient's first call to a deployment pays one 400 per "
            "parameter it learns, its later calls none. `prod-reasoner` is the o4-mini profile behind a deployment "
            "name that does not name the model, as deployments are often named."
        ),
        "",
        "| deployment (model) | LiteLLM | what LiteLLM sent | ResilientAzureClient, first call | later calls |",
        "|---|---|---|---|---|",
    ]
    for row in lite["compatibility"]:
        sent = "<br>".join(f"`{s}`" for s in row["litellm_sent"]) or "-"
        label = row["deployment"] if row["deployment"] == row["model"] else f"{row['deployment']} ({row['model']})"
        if row["call"].startswith("embeddings"):
            label += " — embeddings call"
        lines.append(
            f"| {label} | {_cell(row['litellm'], row['litellm_400s'])} | {sent} | "
            f"{_cell(row['resilient_cold'], row['resilient_cold_400s'])} | "
            f"{_cell(row['resilient_warm'], row['resilient_warm_400s'])} |"
        )
    lite_ok = sum(row["litellm"] == "ok" for row in lite["compatibility"])
    ok = sum(row["resilient_cold"] == "ok" for row in lite["compatibility"])
    lines += [
        "",
        (
            f"Completed: LiteLLM {lite_ok}/{len(lite['compatibility'])}, ResilientAzureClient "
            f"{ok}/{len(lite['compatibility'])}."
        ),
        "",
    ]
    return "\n".join(lines)


_GATEWAY_SIDES = {
    "direct": "emulator directly",
    "gateway": "resilient-client serve",
    "litellm_proxy": "LiteLLM's proxy",
}
_GATEWAY_ROWS = {
    "gpt4o": "gpt-4o, a body it accepts",
    "o4mini_repaired": "o4-mini, gpt-4o-style body (the gateway applies 2 learned rules)",
    "o4mini_stream": "o4-mini, the same call streamed (to the last chunk)",
}


def section_gateway(gw: Results) -> str:
    lines = [f"## 6. Gateway ({_command('gateway')}, needs `pip install -e '.[gateway]'`)", ""]
    if (why := _unavailable(gw)) is not None:
        return "\n".join([*lines, why])
    sides = [side for side in _GATEWAY_SIDES if f"{side}_p50_ms" in gw["gpt4o"]]
    proxy = (
        f"LiteLLM's proxy {gw['litellm_version']} (`drop_params: true`)"
        if "litellm_proxy" in sides
        else "LiteLLM's proxy not measured (no `litellm` with the proxy extra found)"
    )
    lines += [
        (
            f"Plain `openai.AzureOpenAI` (max_retries=0) calling the emulator directly and through `resilient-client "
            f"serve` (one worker), each in a process of its own, alternating call by call, {gw['calls']:,} calls a "
            f"side; {proxy}. Added: the difference of the percentiles from the direct call's."
        ),
        "",
        "| call | " + " | ".join(f"{_GATEWAY_SIDES[s]} p50 / p99" for s in sides) + " | added p50 / p99 |",
        "|---|" + "---|" * (len(sides) + 1),
    ]
    for row, title in _GATEWAY_ROWS.items():
        r = gw[row]
        cells = [f"{_f(r[f'{s}_p50_ms'], 2)} / {_f(r[f'{s}_p99_ms'], 2)} ms" for s in sides if f"{s}_p50_ms" in r]
        added = "; ".join(
            f"{_GATEWAY_SIDES[s]} **{_f(r[f'{s}_added_p50_ms'], 2)}** / {_f(r[f'{s}_added_p99_ms'], 2)} ms"
            for s in sides
            if f"{s}_added_p50_ms" in r
        )
        cells += ["-"] * (len(sides) - len(cells))
        lines.append(f"| {title} | " + " | ".join(cells) + f" | {added} |")
    rps = gw["throughput_rps"]
    compatibility = gw["compatibility"]
    lines += [
        "",
        (
            f"Throughput, gpt-4o, {gw['concurrency']} threads on one client: "
            + ", ".join(f"{_GATEWAY_SIDES[s]} **{_f(v, 0)}** calls/s" for s, v in rps.items())
            + "."
        ),
        "",
        "Does a gpt-4o-style call (system prompt, `max_tokens`, `temperature=0.2`) complete, by emulator profile:",
        "",
        "| deployment | " + " | ".join(_GATEWAY_SIDES[s] for s in sides) + " |",
        "|---|" + "---|" * len(sides),
        *(
            f"| {profile} | " + " | ".join(row.get(s, "-") for s in sides) + " |"
            for profile, row in compatibility.items()
        ),
        "",
        "Completed: "
        + ", ".join(
            f"{_GATEWAY_SIDES[s]} {sum(row.get(s) == 'ok' for row in compatibility.values())}/{len(compatibility)}"
            for s in sides
        )
        + ".",
        "",
    ]
    return "\n".join(lines)


_FLEET_TESTS = {
    "json_fleet": "processes learning into one JSON file, a reader parsing it meanwhile: no rule lost, no half file",
    "warm_load_file": "warm calls from threads and tasks on the file store: no read per call, no 400, memory flat",
    "warm_load_redis": "warm calls from threads and tasks on Redis: no command per call, no 400",
}


def section_fleet_sizes(sizes: Results) -> str:
    lines = [f"## 7. The store tests at full size ({_command('fleet_sizes')})", ""]
    if (why := _unavailable(sizes)) is not None:
        return "\n".join([*lines, why])
    lines += [
        (
            f"The test suite runs these small; here they run at full size, one at a time, in a pytest of their own: "
            f"{sizes['fleet_processes']} processes x {sizes['fleet_learns']} rules, and {sizes['load_calls']:,} warm "
            f"calls on {sizes['load_keys']} deployment keys."
        ),
        "",
        "| test | outcome | wall time |",
        "|---|---|---|",
    ]
    for key, title in _FLEET_TESTS.items():
        r = sizes[key]
        lines.append(f"| {title} | {'passed' if r['passed'] else '**FAILED**'} | {_f(r['seconds'])} s |")
    return "\n".join([*lines, ""])


def summary(results: dict[str, Results]) -> list[tuple[str, str]]:
    """The headline figures, one line each: (what, value)."""
    rows: list[tuple[str, str]] = []

    def add(name: str, render: Callable[[Results], list[tuple[str, str]]]) -> None:
        r = results.get(name, {"error": "not run"})
        if "error" in r:
            rows.append((name, "**failed** (see below)"))
        elif "skipped" in r:
            rows.append((name, f"skipped: {r['skipped']}"))
        else:
            rows.extend(render(r))

    add(
        "warm_path",
        lambda r: [
            (
                "warm call, emulator on loopback, median ratio resilient / plain",
                f"**{_f(r['emulator']['ratio_median'], 3)}**",
            ),
            (
                "warm call, in-memory transport, median ratio resilient / plain",
                f"**{_f(r['shell']['ratio_median'], 3)}**",
            ),
        ],
    )
    add(
        "async_stall",
        lambda r: [
            (
                f"async client's event loop stall while Redis hangs (goal ≤ {_f(r['goal_ms'], 0)} ms)",
                (
                    f"worst **{_f(r['adapter']['worst_ms'])} ms**, p99 {_f(r['adapter']['p99_ms'])} ms "
                    f"(store's get on the loop: worst {_f(r['on_loop']['worst_ms'], 0)} ms)"
                ),
            )
        ],
    )
    add(
        "cold_burst",
        lambda r: [
            (
                (
                    f"cold burst, {r['threads']} threads + {r['tasks']} tasks: 400s seen (target "
                    f"{len(r['offending_params'])}, one per offending param)"
                ),
                (
                    f"**{r['resilient_cold']['status_400']}**, "
                    f"{r['resilient_cold']['ok']}/{r['resilient_cold']['calls']} calls ok; "
                    f"plain AzureOpenAI: {r['plain']['status_400']} x 400, "
                    f"{r['plain']['failed']}/{r['plain']['calls']} calls failed"
                ),
            )
        ],
    )
    add(
        "multiprocess",
        lambda r: [
            (
                (
                    f"{r['processes']} processes cold-starting on one {title}: 400s seen (target "
                    f"{len(r['offending_params'])})"
                ),
                f"**{r[key]['status_400']}**, {r[key]['ok']}/{r[key]['processes']} calls ok",
            )
            for key, title in (("json_file", "JSON file"), ("redis", "Redis"))
        ],
    )
    add(
        "import_time",
        lambda r: [
            (
                f"import time of resilient_client after openai (target ≤ {_f(r['target_ms'], 0)} ms)",
                f"**{_f(r['resilient_client_ms'])} ms** (openai itself: {_f(r['openai_ms'], 0)} ms)",
            )
        ],
    )
    add(
        "litellm_compare",
        lambda r: [
            (
                "LiteLLM per call on gpt-4o, ratio vs plain AzureOpenAI / vs ResilientAzureClient",
                (
                    f"wall median **{_f(r['overhead']['ratio_litellm_vs_plain'], 2)}** / "
                    f"**{_f(r['overhead']['ratio_litellm_vs_resilient'], 2)}**; CPU "
                    f"**{_f(r['overhead']['cpu_ratio_litellm_vs_plain'], 2)}** / "
                    f"**{_f(r['overhead']['cpu_ratio_litellm_vs_resilient'], 2)}**"
                ),
            ),
            (
                f"gpt-4o-style call completes, of {len(r['compatibility'])} deployments",
                (
                    f"LiteLLM {sum(x['litellm'] == 'ok' for x in r['compatibility'])}, ResilientAzureClient "
                    f"{sum(x['resilient_cold'] == 'ok' for x in r['compatibility'])}"
                ),
            ),
        ],
    )
    add(
        "gateway",
        lambda r: [
            (
                "resilient-client serve, added to a gpt-4o call p50 / p99"
                + (" (LiteLLM's proxy)" if "litellm_proxy_added_p50_ms" in r["gpt4o"] else ""),
                f"**{_f(r['gpt4o']['gateway_added_p50_ms'], 2)}** / {_f(r['gpt4o']['gateway_added_p99_ms'], 2)} ms"
                + (
                    f" ({_f(r['gpt4o']['litellm_proxy_added_p50_ms'], 2)} / "
                    f"{_f(r['gpt4o']['litellm_proxy_added_p99_ms'], 2)} ms)"
                    if "litellm_proxy_added_p50_ms" in r["gpt4o"]
                    else ""
                ),
            ),
            (
                f"gpt-4o-style call completes through the gateway, of {len(r['compatibility'])} deployments",
                (
                    f"**{sum(row['gateway'] == 'ok' for row in r['compatibility'].values())}** (directly: "
                    f"{sum(row['direct'] == 'ok' for row in r['compatibility'].values())})"
                ),
            ),
        ],
    )
    add(
        "fleet_sizes",
        lambda r: [
            (
                (
                    f"store tests at full size ({r['fleet_processes']} x {r['fleet_learns']} rules in one file; "
                    f"{r['load_calls']:,} warm calls on {r['load_keys']} keys)"
                ),
                ", ".join(
                    f"{name} {'passed' if r[name]['passed'] else '**FAILED**'} ({_f(r[name]['seconds'], 0)} s)"
                    for name in _FLEET_TESTS
                ),
            )
        ],
    )
    return rows


def render(meta: dict[str, Any], results: dict[str, Results]) -> str:
    """RESULTS.md for one run."""
    load = ", ".join(_f(x, 2) for x in meta["load_average"]) or "unknown"
    lines = [
        "# Benchmark results",
        "",
        (
            "Every figure below was measured in one run of the command below, on the machine below, each against "
            "its baseline measured in the same run (plain `openai.AzureOpenAI`, or LiteLLM, side by side). Benchmarks "
            "are not tests: timings move with the machine and with whatever else it is running (see the load "
            "average below); figures from one run are noisy, so re-run before quoting them. The counts of 400s are "
            "exact and should not move."
        ),
        "",
        "| run | |",
        "|---|---|",
        f"| command | `{meta['command']}` (from the repository root) |",
        f"| date | {meta['date']} |",
        f"| commit | {meta['commit']} |",
        f"| size | {meta['size']} |",
        f"| machine | {meta['platform']} |",
        f"| CPU | {meta['cpu']}, {meta['cores']} cores ({meta['usable_cores']} usable) |",
        f"| load average at start (1, 5, 15 min) | {load} |",
        f"| Python | {meta['python']} |",
        f"| openai / litellm / resilient-client | {meta['openai']} / {meta['litellm']} / {meta['resilient_client']} |",
        "",
        "## Summary",
        "",
        "| figure | this run |",
        "|---|---|",
        *(f"| {what} | {value} |" for what, value in summary(results)),
        "",
        section_warm_path(results["warm_path"], results["stores"]),
        section_cold_burst(results["cold_burst"]),
        section_multiprocess(results["multiprocess"]),
        section_import_time(results["import_time"]),
        section_litellm(results["litellm_compare"]),
        section_gateway(results["gateway"]),
        section_fleet_sizes(results["fleet_sizes"]),
        "Time each benchmark took in this run: "
        + ", ".join(f"{name} {_f(results[name].get('seconds', 0.0), 0)} s" for name in BENCHMARKS)
        + ".",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run every benchmark, write RESULTS.md (and the raw figures as JSON when asked); 1 if any failed."""
    cli = parser(__doc__)
    cli.add_argument(
        "--output", type=Path, default=ROOT / "benchmarks" / "RESULTS.md", help="where to write the Markdown"
    )
    args = cli.parse_args(argv)
    command = shlex.join(["python", "-m", "benchmarks.run_all", *(sys.argv[1:] if argv is None else argv)])
    meta = machine(command, tiny=args.tiny)
    results: dict[str, Results] = {}
    with tempfile.TemporaryDirectory(prefix="rc-bench-") as tmp:
        for name in BENCHMARKS:
            results[name] = run_one(name, tiny=args.tiny, workdir=Path(tmp))
    text = render(meta, results)
    args.output.write_text(text)
    if args.json is not None:
        args.json.write_text(json.dumps({"machine": meta, "results": results}, indent=2, sort_keys=True) + "\n")
    print(f"\nwrote {args.output}")
    for what, value in summary(results):
        print(f"  {what}: {value.replace('**', '')}")
    failed = [name for name, r in results.items() if "error" in r]
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
