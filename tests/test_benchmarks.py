"""The load benchmark runs end to end on a tiny data set; its figures are not checked here."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STEPS = (
    "floor: bare",
    "floor: base layout",
    "sign in: submit",
    "trainee: path",
    "trainee: lesson",
    "quiz: take page",
    "quiz: autosave",
    "quiz: submit",
    "quiz: review",
    "buyer: turn (score+save+render)",
    "supervisor: my trainees",
    "supervisor: trainee page",
)


def test_load_benchmark_runs_every_journey_without_errors():
    command = [sys.executable, str(ROOT / "benchmarks" / "load.py"), "--tiny"]
    server = os.environ.get("TEST_DATABASE_URL")
    if server:  # the suite's PostgreSQL run checks the benchmark's PostgreSQL path
        command += ["--db", "postgres", "--pg-url", server]
    result = subprocess.run(
        command,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    report = result.stdout
    assert result.returncode == 0, report[-4000:] + result.stderr[-4000:]
    for step in STEPS:
        assert f"\n{step} " in report, step
    assert " 0 errors, 0 'database is locked'" in report
    assert "capacity:" in report
    assert report.rstrip().endswith("load benchmark finished")
