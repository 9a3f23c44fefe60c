"""``python -m benchmarks.gateway --tiny`` runs and reports its figures (their shape, never their values)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_gateway_benchmark_runs_tiny(gateway_extra: None, tmp_path: Path) -> None:
    out = tmp_path / "gateway.json"
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.gateway", "--tiny", "--json", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    figures = json.loads(out.read_text())
    for row in ("gpt4o", "o4mini_repaired", "o4mini_stream"):
        assert set(figures[row]) >= {"direct_p50_ms", "gateway_p99_ms", "gateway_added_p50_ms", "gateway_added_p99_ms"}
    assert set(figures["throughput_rps"]) >= {"direct", "gateway"}
    # Every profile completes a gpt-4o-style call through the gateway; only gpt-4o does directly.
    compatibility = figures["compatibility"]
    assert {p: row["gateway"] for p, row in compatibility.items()} == dict.fromkeys(compatibility, "ok")
    assert [p for p, row in compatibility.items() if row["direct"] == "ok"] == ["gpt-4o"]
