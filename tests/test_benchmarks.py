"""The load benchmark runs end to end on a tiny data set; its figures are not checked here."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

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
    # The layout floor is measured again after the steps, and the drift between the two shown.
    assert "\nfloor: base layout, again " in report
    assert "the layout floor moved " in report
    assert "capacity:" in report
    # What else a request costs the machine, and what the machine would serve from that.
    besides = "CPU a request besides the server's: " + ("PostgreSQL " if server else "the load")
    assert besides in report
    if server:
        assert "PostgreSQL CPU per request, each phase alone: floor: bare " in report
    assert "whole-machine estimate: " in report
    assert report.rstrip().endswith("load benchmark finished")


def _tiny_run(script: str, *options: str) -> str:
    """Run a benchmark on a tiny data set (on PostgreSQL in the suite's PostgreSQL run); return
    its output."""
    command = [sys.executable, str(ROOT / "benchmarks" / script), "--tiny", *options]
    server = os.environ.get("TEST_DATABASE_URL")
    if server:
        command += ["--database-url", server]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    return result.stdout


def _per_request_table(script: str, names: tuple[str, ...], *options: str):
    """Run a per-request benchmark on a tiny data set; return its output and its table: each
    name's figures, the layout's last."""
    output = _tiny_run(script, *options)
    rows = {
        line.split()[0]: line.split()[1:]
        for line in output.splitlines()
        if line.split() and line.split()[0] in (*names, "layout")
    }
    assert set(rows) == {*names, "layout"}
    assert rows["layout"][-1] == "1.00x"
    return output, rows


def test_trainee_pages_benchmark_measures_each_page_against_the_layout():
    pages = ("path", "lesson", "take", "review", "supervisor", "cohort")
    output, rows = _per_request_table("trainee_pages.py", pages, "--rotate")
    assert "trainees (each round the next of " in output  # not one trainee's warm caches
    # Each page reads more than the layout's one statement (the signed-in user).
    assert all(float(rows[page][0]) > 1 for page in pages)
    # The supervisor's page of the trainee reads their whole record: more than any of theirs.
    assert float(rows["supervisor"][0]) > max(float(rows[page][0]) for page in pages[:4])


def test_quiz_writes_benchmark_measures_autosave_and_submit_against_the_layout():
    _output, rows = _per_request_table("quiz_writes.py", ("autosave", "submit"))
    # A submit grades and records what an autosave only stores: it writes more.
    assert float(rows["submit"][0]) > float(rows["autosave"][0]) > 1


@pytest.mark.skipif(shutil.which("valgrind") is None, reason="valgrind counts the instructions")
def test_instructions_benchmark_counts_each_page_against_the_layout():
    output, rows = _per_request_table("instructions.py", ("path",))
    assert "instructions per request" in output
    # The path reads more than the layout's one statement and draws more than the layout.
    assert float(rows["path"][0]) > float(rows["layout"][0]) == 1
    assert float(rows["path"][1]) > float(rows["layout"][1]) > 0


def test_request_floor_benchmark_measures_each_layer_under_gunicorn():
    layers = ("wsgi", "flask", "app, bare", "app, signed in", "app, layout")
    rows = {
        layer: line[len(layer) :].split()
        for line in _tiny_run("request_floor.py").splitlines()
        for layer in layers
        if line.startswith(layer + " ")
    }
    assert set(rows) == set(layers)
    assert rows["app, layout"][-1] == "100%"
    # Rendering the layout for a signed-in user costs more than gunicorn answering "ok".
    assert float(rows["app, layout"][0]) > float(rows["wsgi"][0])


def test_a_turn_alone_is_credited_with_the_server_time_of_the_other_requests_of_its_phase():
    sys.path.insert(0, str(ROOT))
    from benchmarks.load import TURN, turns_alone

    # 100 turns/s at 3 ms of app CPU, 20 scorecards/s at 4 ms; 1 ms a request outside the app:
    # turns take 400 of the 500 ms a second the server spends, so alone it answers 125.
    rows = {
        TURN: {"count": 1000, "rps": 100.0, "cpu_ms": 3.0},
        "buyer: scorecard": {"count": 200, "rps": 20.0, "cpu_ms": 4.0},
    }
    assert turns_alone(rows, outside_app_ms=1.0) == 125.0
    assert turns_alone({TURN: rows[TURN]}, outside_app_ms=1.0) == 100.0
