"""The console benchmark runs end to end in its tiny mode (figures only; no timing is asserted)."""

import os
import re

from benchmarks import supervisor_console


def test_the_benchmark_runs_in_tiny_mode(capsys):
    argv = ["--tiny"]
    if os.environ.get("TEST_DATABASE_URL"):
        argv += ["--database-url", os.environ["TEST_DATABASE_URL"]]
    rows = supervisor_console.run(supervisor_console.parse_args(argv))
    printed = capsys.readouterr().out
    assert "5 trainees" in printed
    pages = [page for page, *_ in rows]
    assert pages[:2] == ["/supervisor/trainees", "/quizzes/statistics"]
    assert re.fullmatch(r"/supervisor/trainees/\d+", pages[2]) and len(pages) == 3
    for page, milliseconds, queries, size in rows:
        assert milliseconds > 0 and queries > 0 and size > 0, page
        assert page in printed
