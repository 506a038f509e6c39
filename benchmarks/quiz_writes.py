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
import os
import secrets
import statistics
import sys
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent

sys.path.insert(0, str(ROOT))  # run as a script, only benchmarks/ is on the path
from benchmarks import load  # noqa: E402
from benchmarks.profiling import profiled  # noqa: E402
from benchmarks.throwaway_db import fresh_database  # noqa: E402

STEPS = ("autosave", "submit")
FORM = "application/x-www-form-urlencoded"


def requests_of(step: str, trainees: list[dict]):
    """(cookie, address, form body) for each request of a step, a different trainee each time;
    each open quiz is submitted once."""
    if step == "autosave":
        for number in itertools.count():
            for trainee in trainees:
                take = trainee["take"]
                body = take["saves"][number % len(take["saves"])]
                yield trainee["cookie"], f"/attempts/{take['id']}/save", trainee["csrf"], body
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
                    (attempt["body"]),
                )


def run(args) -> dict[str, dict]:
    from training import create_app
    from training.core.worker import prepare_worker

    secret = secrets.token_hex(32)
    with fresh_database(args.database_url, prefix="kefu_writes") as url:
        env = load.server_env(url, secret)
        load.flask(env, "db", "upgrade")
        load.flask(env, "content", "sync")
        seeded = load.seed(url, secret, SimpleNamespace(trainees=args.trainees, per_supervisor=10))
        os.environ["KEFU_ENV"] = "production"
        app = create_app(
            {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": secret, "BENCHMARK": True}
            | {"WTF_CSRF_ENABLED": True, "TESTING": False}
        )
        prepare_worker(app)
        client = app.test_client()
        pending = {step: requests_of(step, seeded["trainees"]) for step in args.steps}

        def write(step: str):
            cookie, address, csrf, body = next(pending[step])
            client.set_cookie("session", cookie)
            response = client.post(address, data=f"csrf_token={csrf}&{body}", content_type=FORM)
            assert response.status_code in (200, 302), (step, response.status_code)
            return response

        def layout():
            response = client.get("/_bench/layout")
            assert response.status_code == 200
            return response

        for _ in range(args.warmup):  # templates compiled, caches filled
            for step in args.steps:
                write(step)
            layout()
        figures: dict[str, list[tuple[int, float]]] = {name: [] for name in [*args.steps, "layout"]}
        for _ in range(args.requests):
            for name in [*args.steps, "layout"]:
                response = write(name) if name != "layout" else layout()
                figures[name].append(
                    (
                        int(response.headers["X-Bench-Queries"]),
                        int(response.headers["X-Bench-CPU-us"]) / 1000,
                    )
                )
        report = None
        if args.profile:
            report = profiled(
                args.profile, lambda: [write(step) for step in args.steps], args.requests
            )
        with app.app_context():
            from training.extensions import db

            db.engine.dispose()

    floor = statistics.median(cpu for _, cpu in figures["layout"])
    kind = "PostgreSQL" if args.database_url else "SQLite"
    print(f"{kind}: {args.requests} requests per step, {args.trainees} trainees; "
          f"load average {' '.join(f'{n:.1f}' for n in os.getloadavg())}")  # fmt: skip
    print(f"{'':<10} {'queries':>8} {'CPU ms median':>14} {'x layout':>9}")
    summary = {}
    for name, rows in figures.items():
        queries = statistics.mean(q for q, _ in rows)
        cpu = statistics.median(c for _, c in rows)
        summary[name] = {"queries": queries, "cpu_ms": cpu}
        print(f"{name:<10} {queries:>8.1f} {cpu:>14.2f} {cpu / floor:>8.2f}x")
    if report:
        print(report)
    return summary


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=300, help="measured requests per step")
    parser.add_argument("--warmup", type=int, default=20, help="requests per step before")
    parser.add_argument("--trainees", type=int, default=500, help="trainees in the data set")
    parser.add_argument("--steps", default=",".join(STEPS), help="a comma-separated subset")
    parser.add_argument("--database-url", help="a PostgreSQL server URL (default: SQLite)")
    parser.add_argument("--profile", choices=("cprofile", "pyinstrument"))
    parser.add_argument("--tiny", action="store_true", help="a few requests, a smoke run")
    args = parser.parse_args(argv)
    args.steps = [name for name in args.steps.split(",") if name]
    if set(args.steps) - set(STEPS):
        parser.error(f"--steps: choose among {', '.join(STEPS)}")
    if args.tiny:
        args.requests, args.warmup, args.trainees = 5, 2, 12
    return args


def main(argv=None) -> None:
    run(parse_args(argv))


if __name__ == "__main__":
    main()
