"""What the load benchmark's quiz writes cost the server: an autosave and a submit.

    .venv/bin/python benchmarks/quiz_writes.py [--requests 300] [--database-url postgresql://...]
    .venv/bin/python benchmarks/quiz_writes.py --steps submit --profile cprofile
    .venv/bin/python benchmarks/quiz_writes.py --tiny                # a smoke run

The data set is `load.py`'s (``--trainees`` trainees with history, each with an open attempt to
autosave and module quizzes started, to submit), published and seeded the same way. Each step's
requests go to a different trainee in turn, as under load, with the bodies the load benchmark
sends: an autosave of a third, two thirds or all of the answers, and a submit of every answer.
Requests go through the Flask test client of an app prepared as a server worker with the
benchmark figures on: each response reports its SQL statements and the CPU time spent on it.
The base layout floor is asked for between the writes, so each step's CPU comes beside it as a
multiple. To compare two versions, run this file from each checkout in turn (or alternately).
"""

from __future__ import annotations

import argparse
import itertools
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

sys.path.insert(0, str(ROOT))  # run as a script, only benchmarks/ is on the path
from benchmarks.profiling import profiled  # noqa: E402
from benchmarks.seeded_worker import (  # noqa: E402
    add_arguments,
    chosen,
    figures_of,
    report,
    seeded_worker,
    tiny,
)

STEPS = ("autosave", "submit")
FORM = "application/x-www-form-urlencoded"


def autosave_of(trainee: dict, number: int) -> tuple[str, str, str]:
    """(address, CSRF token, form body) of a trainee's number-th autosave of their open quiz:
    a third, two thirds or all of the answers, in turn."""
    take = trainee["take"]
    return (
        f"/attempts/{take['id']}/save",
        trainee["csrf"],
        take["saves"][number % len(take["saves"])],
    )


def requests_of(step: str, trainees: list[dict]):
    """(cookie, address, CSRF token, form body) for each request of a step, a different trainee
    each time; each open quiz is submitted once."""
    if step == "autosave":
        for number in itertools.count():
            for trainee in trainees:
                yield trainee["cookie"], *autosave_of(trainee, number)
    else:
        for rounds in itertools.count():
            left = [t for t in trainees if len(t["submits"]) > rounds]
            if not left:
                return
            for trainee in left:
                attempt = trainee["submits"][rounds]
                yield (
                    trainee["cookie"],
                    f"/attempts/{attempt['id']}/submit",
                    trainee["csrf"],
                    attempt["body"],
                )


def run(args) -> dict[str, dict]:
    with seeded_worker(args.database_url, args.trainees, "kefu_writes") as (seeded, client):
        pending = {step: requests_of(step, seeded["trainees"]) for step in args.steps}

        def ask(name: str):
            if name == "layout":
                response = client.get("/_bench/layout")
                assert response.status_code == 200
                return response
            cookie, address, csrf, body = next(pending[name])
            client.set_cookie("session", cookie)
            response = client.post(address, data=f"csrf_token={csrf}&{body}", content_type=FORM)
            assert response.status_code in (200, 302), (name, response.status_code)
            return response

        names = [*args.steps, "layout"]
        for _ in range(args.warmup):  # templates compiled, caches filled
            for name in names:
                ask(name)
        figures: dict[str, list[tuple[int, float]]] = {name: [] for name in names}
        for _ in range(args.requests):
            for name in names:
                figures[name].append(figures_of(ask(name)))
        profile = None
        if args.profile:
            profile = profiled(args.profile, lambda: [ask(s) for s in args.steps], args.requests)

    kind = "PostgreSQL" if args.database_url else "SQLite"
    heading = f"{kind}: {args.requests} requests per step, {args.trainees} trainees"
    summary = report(figures, heading)
    if profile:
        print(profile)
    return summary


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_arguments(parser, requests=300, trainees=500)
    parser.add_argument("--steps", default=",".join(STEPS), help="a comma-separated subset")
    args = parser.parse_args(argv)
    args.steps = chosen(parser, args.steps, "--steps", STEPS)
    tiny(args)
    return args


if __name__ == "__main__":
    run(parse_args())
