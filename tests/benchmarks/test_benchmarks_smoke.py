"""Smoke tests of the benchmarks: each runs at a tiny size and produces its figures.

One run of ``python -m benchmarks.run_all --tiny`` (which runs every benchmark's own
command, ``python -m benchmarks.<name> --tiny``, in a fresh interpreter) serves every
test here; each test checks one benchmark's figures: their shape, and the invariants
that do not depend on timing (how many 400s a cold burst costs, that every call
completed). Timings are never asserted on.
"""

from __future__ import annotations

import importlib.util
import json
import os
import platform
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from resilient_client.testing import PROFILES

ROOT = Path(__file__).resolve().parents[2]
OFFENDING = ["max_tokens", "temperature", "top_p"]  # what o4-mini rejects in the gpt-4o-style call
BY_PARAM = dict.fromkeys(OFFENDING, 1)
# One run of every benchmark (processes and timings) serves the module: slow, so one xdist worker runs it all.
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """``python -m benchmarks.run_all --tiny``, once: its exit code, output, RESULTS.md and JSON."""
    out = tmp_path_factory.mktemp("bench")
    argv = [sys.executable, "-m", "benchmarks.run_all", "--tiny", "--output", str(out / "RESULTS.md")]
    done = subprocess.run(
        [*argv, "--json", str(out / "results.json")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert (out / "results.json").exists(), done.stdout + done.stderr
    raw = json.loads((out / "results.json").read_text())
    return {
        "returncode": done.returncode,
        "stdout": done.stdout,
        "stderr": done.stderr,
        "markdown": (out / "RESULTS.md").read_text(),
        "machine": raw["machine"],
        "results": raw["results"],
    }


def figures(run: dict[str, Any], name: str) -> dict[str, Any]:
    found: dict[str, Any] = run["results"][name]
    assert "error" not in found, f"{name} failed:\n{found['error']}"
    return found


def test_warm_path(run: dict[str, Any]) -> None:
    """Core cost, in-memory shell overhead and loopback ratio, each with its plain baseline."""
    warm = figures(run, "warm_path")
    assert warm["calls"] == 30
    assert warm["core_us_per_call"] > 0
    for part in ("shell", "emulator"):
        r = warm[part]
        for key in ("plain_median_us", "plain_p99_us", "resilient_median_us", "resilient_p99_us"):
            assert r[key] > 0
        assert r["ratio_median"] == pytest.approx(r["resilient_median_us"] / r["plain_median_us"])


def test_stores(run: dict[str, Any]) -> None:
    """A warm call with each store; warm calls send no Redis command within a check interval."""
    stores = figures(run, "stores")
    for name in ("memory", "json_file", "redis"):
        r = stores[name]
        assert r["get_us"] > 0
        assert r["ratio"] == pytest.approx(r["resilient_median_us"] / r["plain_median_us"])
    assert stores["redis_warm_calls"] == 100
    if not os.environ.get("RESILIENT_TEST_REDIS_URL"):  # a shared Redis counts other clients' commands too
        assert stores["redis_commands"] == 0


def test_async_stall(run: dict[str, Any]) -> None:
    """The loop stalls of an async client while Redis hangs, and of the on-loop baseline, against the goal."""
    stall = figures(run, "async_stall")
    assert stall["goal_ms"] == 20
    for part in ("adapter", "on_loop"):
        r = stall[part]
        assert r["ticks"] > 0, part
        assert r["gets"] > 0, part
        assert r["writer_rounds"] > 0, part
        assert r["worst_ms"] >= r["p99_ms"] >= r["median_ms"] >= 0, part
    assert stall["met"] == (stall["adapter"]["worst_ms"] <= stall["goal_ms"])


def test_cold_burst(run: dict[str, Any]) -> None:
    """Threads and tasks released together on a cold deployment cost one 400 per offending param, all succeed."""
    burst = figures(run, "cold_burst")
    calls = burst["threads"] + burst["tasks"]
    assert (burst["threads"], burst["tasks"]) == (4, 8)
    assert burst["offending_params"] == OFFENDING
    cold, warm, plain = burst["resilient_cold"], burst["resilient_warm"], burst["plain"]
    assert (cold["calls"], cold["ok"], cold["errors"]) == (calls, calls, {})
    assert cold["status_400"] == len(OFFENDING)
    assert cold["status_400_by_param"] == BY_PARAM
    assert cold["requests"] == calls + len(OFFENDING)
    assert (warm["ok"], warm["status_400"], warm["requests"]) == (calls, 0, calls)
    assert (plain["ok"], plain["failed"], plain["errors"]) == (0, calls, {"BadRequestError": calls})
    assert plain["status_400"] == plain["requests"] == calls


def test_multiprocess(run: dict[str, Any]) -> None:
    """Processes cold-starting together on one file, and on one Redis, cost one 400 per offending param in total."""
    fleet = figures(run, "multiprocess")
    assert fleet["processes"] == 2
    assert fleet["offending_params"] == OFFENDING
    for store in ("json_file", "redis"):
        r = fleet[store]
        assert (r["ok"], r["failed"], r["errors"]) == (2, 0, {}), store
        assert r["status_400"] == len(OFFENDING), store
        assert r["status_400_by_param"] == BY_PARAM, store
        assert r["requests"] == 2 + len(OFFENDING), store


def test_import_time(run: dict[str, Any]) -> None:
    """Import time of resilient_client after openai, from fresh interpreters, with a breakdown by package."""
    imp = figures(run, "import_time")
    assert imp["repeats"] == 2
    assert imp["target_ms"] == 30
    assert imp["resilient_client_ms"] > 0
    assert imp["openai_ms"] > imp["resilient_client_ms"]
    assert imp["within_target"] == (imp["resilient_client_ms"] <= imp["target_ms"])
    packages = [package for package, _ in imp["breakdown_ms"]]
    assert "resilient_client" in packages
    assert "openai" not in packages  # only what resilient_client adds once openai is loaded


def test_litellm_compare(run: dict[str, Any]) -> None:
    """LiteLLM beside the openai clients: per-call cost on gpt-4o, and which profiles a gpt-4o-style call passes."""
    if importlib.util.find_spec("litellm") is None:
        pytest.skip("litellm is not installed (pip install -e '.[bench]')")
    lite = figures(run, "litellm_compare")
    if "skipped" in lite:  # installed but not importable: the benchmark says why
        pytest.skip(lite["skipped"])
    o = lite["overhead"]
    assert o["calls"] == 5
    assert o["status_400"] == 0
    for name in ("plain", "resilient", "litellm"):
        assert o[f"{name}_median_us"] > 0
        assert o[f"{name}_cpu_us"] > 0
    assert o["ratio_litellm_vs_resilient"] == pytest.approx(o["litellm_median_us"] / o["resilient_median_us"])
    assert o["cpu_ratio_litellm_vs_plain"] == pytest.approx(o["litellm_cpu_us"] / o["plain_cpu_us"])
    rows = {row["deployment"]: row for row in lite["compatibility"]}
    assert list(rows) == [*PROFILES, "prod-reasoner"]
    assert rows["gpt-4o"]["litellm"] == "ok"
    for name, row in rows.items():
        assert row["resilient_cold"] == "ok", name
        assert (row["resilient_warm"], row["resilient_warm_400s"]) == ("ok", 0), name
        accepts_everything = name in {"gpt-4o", "text-embedding-3-small"}
        assert (row["resilient_cold_400s"] == 0) == accepts_everything, name
        assert row["litellm_400s"] == len(row["litellm_rejected"]), name
    assert rows["prod-reasoner"]["resilient_cold_400s"] == len(OFFENDING)


def test_gateway(run: dict[str, Any]) -> None:
    """The gateway's added latency and throughput beside direct calls, and the profiles a call completes through."""
    gateway = figures(run, "gateway")
    if "skipped" in gateway:  # without the gateway extra the benchmark says why
        assert importlib.util.find_spec("starlette") is None or importlib.util.find_spec("uvicorn") is None
        pytest.skip(gateway["skipped"])
    assert gateway["calls"] == 10
    for row in ("gpt4o", "o4mini_repaired", "o4mini_stream"):
        assert set(gateway[row]) >= {"direct_p50_ms", "gateway_p99_ms", "gateway_added_p50_ms"}, row
    assert gateway["throughput_rps"]["gateway"] > 0
    compatibility = gateway["compatibility"]
    assert {p: row["gateway"] for p, row in compatibility.items()} == dict.fromkeys(compatibility, "ok")


def test_results_md(run: dict[str, Any]) -> None:
    """run_all succeeds and writes RESULTS.md: the machine, the command, every figure."""
    assert run["returncode"] == 0, run["stdout"] + run["stderr"]
    text = run["markdown"]
    machine = run["machine"]
    assert machine["platform"] == platform.platform()
    assert machine["python"].endswith(platform.python_version())
    assert machine["size"].startswith("tiny")
    for needle in (
        "# Benchmark results",
        "python -m benchmarks.run_all --tiny",
        platform.platform(),
        f"| Python | {machine['python']} |",
        machine["openai"],
        "noisy",
        "## Summary",
        "## 1. Warm path",
        "### By store",
        "## 2. Cold burst",
        "## 3. Processes cold-starting together",
        "## 4. Import time",
        "## 5. LiteLLM side by side",
        "## 6. Gateway",
        "cold burst, 4 threads + 8 tasks: 400s seen (target 3, one per offending param) | **3**",
        "2 processes cold-starting on one JSON file: 400s seen (target 3) | **3**",
        "2 processes cold-starting on one Redis: 400s seen (target 3) | **3**",
        "async client's event loop stall while Redis hangs (goal ≤ 20 ms) | worst **",
    ):
        assert needle in text, needle
    assert "**Failed**" not in text
    if "skipped" in run["results"]["litellm_compare"]:
        assert "Skipped in this run: litellm is not installed" in text
    else:
        assert "| litellm.completion |" in text
    if "skipped" not in run["results"]["gateway"]:
        assert "| gpt-4o, a body it accepts |" in text


def test_reader_stress(tmp_path: Path) -> None:
    """`benchmarks.reader_stress --tiny` times every stress body and reports the worst against its goal."""
    out = tmp_path / "stress.json"
    argv = [sys.executable, "-m", "benchmarks.reader_stress", "--tiny", "--json", str(out)]
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    found = json.loads(out.read_text())
    assert found["bodies"] > 100
    assert found["worst_ms"] >= found["median_ms"] > 0
    assert "worst" in done.stdout


def test_fleet_sizes(run: dict[str, Any]) -> None:
    """The store tests, run at the benchmark's (here tiny) sizes in pytests of their own, pass."""
    sizes = figures(run, "fleet_sizes")
    assert (sizes["fleet_learns"], sizes["load_keys"], sizes["load_calls"]) == (5, 10, 100)
    for name in ("json_fleet", "warm_load_file", "warm_load_redis"):
        assert sizes[name]["passed"], sizes[name].get("output")
        assert sizes[name]["seconds"] > 0
