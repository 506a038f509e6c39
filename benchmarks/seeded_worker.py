"""A prepared app worker on `load.py`'s data set, driven through the Flask test client, and the
table the per-request benchmarks print: SQL statements and CPU beside the base layout's."""

from __future__ import annotations

import contextlib
import os
import secrets
import statistics
from types import SimpleNamespace

from benchmarks import load
from benchmarks.throwaway_db import fresh_database


@contextlib.contextmanager
def seeded_database(database_url: str | None, trainees: int, prefix: str):
    """Yield (its URL, the app's secret key, the seeded people) of a throwaway database with
    `load.py`'s data set, dropped afterwards."""
    secret = secrets.token_hex(32)
    with fresh_database(database_url, prefix=prefix) as url:
        env = load.server_env(url, secret)
        load.flask(env, "db", "upgrade")
        load.flask(env, "content", "sync")
        seeded = load.seed(url, secret, SimpleNamespace(trainees=trainees, per_supervisor=10))
        yield url, secret, seeded


def worker_app(url: str, secret: str):
    """The app on ``url``, prepared as a server worker, with the benchmark figures on."""
    from training import create_app
    from training.core.worker import prepare_worker

    os.environ["KEFU_ENV"] = "production"
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": secret, "BENCHMARK": True}
        | {"WTF_CSRF_ENABLED": True, "TESTING": False}
    )
    prepare_worker(app)
    return app


@contextlib.contextmanager
def seeded_worker(database_url: str | None, trainees: int, prefix: str):
    """Yield (the seeded people, a test client) of an app prepared as a server worker with the
    benchmark figures on, on a throwaway database that is dropped afterwards."""
    from training.extensions import db

    with seeded_database(database_url, trainees, prefix) as (url, secret, seeded):
        app = worker_app(url, secret)
        try:
            yield seeded, app.test_client()
        finally:
            with app.app_context():
                db.engine.dispose()


def reviewing_trainees(seeded: dict) -> list[dict]:
    """The seeded trainees with a submitted quiz to review: every page has something to show."""
    return [trainee for trainee in seeded["trainees"] if trainee["reviews"]]


def supervisor_cookies(seeded: dict) -> dict[int, str]:
    """{trainee id: their supervisor's session cookie}."""
    return {
        trainee_id: supervisor["cookie"]
        for supervisor in seeded["supervisors"]
        for trainee_id in supervisor["trainee_ids"]
    }


def figures_of(response) -> tuple[int, float]:
    """(SQL statements, CPU ms) the server reported for a response."""
    return int(response.headers["X-Bench-Queries"]), int(response.headers["X-Bench-CPU-us"]) / 1000


def report(figures: dict[str, list[tuple[int, float]]], heading: str) -> dict[str, dict]:
    """Print each name's mean statements and median CPU, as a multiple of the layout's."""
    floor = statistics.median(cpu for _, cpu in figures["layout"])
    print(f"{heading}; load average {' '.join(f'{n:.1f}' for n in os.getloadavg())}")
    print(f"{'':<12} {'queries':>8} {'CPU ms median':>14} {'x layout':>9}")
    summary = {}
    for name, rows in figures.items():
        queries = statistics.mean(q for q, _ in rows)
        cpu = statistics.median(c for _, c in rows)
        summary[name] = {"queries": queries, "cpu_ms": cpu}
        print(f"{name:<12} {queries:>8.1f} {cpu:>14.2f} {cpu / floor:>8.2f}x")
    return summary


def add_arguments(parser, *, requests: int, trainees: int) -> None:
    """The options every per-request benchmark takes, with its own defaults."""
    parser.add_argument("--requests", type=int, default=requests, help="measured requests each")
    parser.add_argument("--warmup", type=int, default=20, help="requests each before")
    parser.add_argument("--trainees", type=int, default=trainees, help="trainees in the data set")
    parser.add_argument("--database-url", help="a PostgreSQL server URL (default: SQLite)")
    parser.add_argument("--profile", choices=("cprofile", "pyinstrument"))
    parser.add_argument("--tiny", action="store_true", help="a few requests, a smoke run")


def chosen(parser, value: str, option: str, allowed: tuple[str, ...]) -> list[str]:
    """The names a comma-separated option lists, each one of ``allowed``."""
    names = [name for name in value.split(",") if name]
    if set(names) - set(allowed):
        parser.error(f"{option}: choose among {', '.join(allowed)}")
    return names


def tiny(args) -> None:
    """--tiny: a few requests on a dozen trainees."""
    if args.tiny:
        args.requests, args.warmup, args.trainees = 5, 2, 12
