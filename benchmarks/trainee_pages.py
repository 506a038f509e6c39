"""What each trainee page costs the server against the base layout, and where that time goes.

    .venv/bin/python benchmarks/trainee_pages.py [--requests 200] [--database-url postgresql://...]
    .venv/bin/python benchmarks/trainee_pages.py --profile pyinstrument --pages take
    .venv/bin/python benchmarks/trainee_pages.py --rotate --trainees 500  # as under load
    .venv/bin/python benchmarks/trainee_pages.py --tiny                # a smoke run

The pages are the load benchmark's trainee steps: the path, a lesson, an open quiz's take page
and a submitted quiz's review; and its supervisor steps, the trainee's page as their supervisor
sees it (``supervisor``) and that supervisor's "my trainees" (``cohort``), asked with the
supervisor's cookie. The data set is `load.py`'s
(``--trainees`` trainees with history), published and seeded the same way; one of its trainees,
signed in with the cookie the seed made, asks for each page and for the base layout floor
(``/_bench/layout``) in every round, in a shuffled order, so every ratio compares figures taken
at the same moment. With --rotate each round is the next trainee's, as in the load benchmark,
where every request is someone else's: their own history to read and lay out, and the worker's
per-state caches missing where one trainee's would be warm. Requests go through the Flask test
client of an app prepared as a server worker with the benchmark figures on: each response
reports its SQL statements and the CPU time spent on it, as under gunicorn, without the HTTP
server's share.

Without --database-url it uses a fresh SQLite file; with a PostgreSQL server URL it creates a
throwaway database on that server and drops it afterwards. To compare two versions, run this
file from each checkout in turn (or alternately) and compare the ratios to the layout.
"""

from __future__ import annotations

import argparse
import random
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
    reviewing_trainees,
    seeded_worker,
    supervisor_cookies,
    tiny,
)

PAGES = ("path", "lesson", "take", "review", "supervisor", "cohort")


def addresses(trainee: dict) -> dict[str, str]:
    """Each page's address for a trainee of the load benchmark's seed, and the floor's."""
    return {
        "path": "/path",
        "lesson": trainee["lessons"][-1],
        "take": f"/attempts/{trainee['take']['id']}",
        "review": f"/attempts/{trainee['reviews'][0]}/review",
        "supervisor": f"/supervisor/trainees/{trainee['id']}",
        "cohort": "/supervisor/trainees",
        "layout": "/_bench/layout",
    }


def run(args) -> dict[str, dict]:
    with seeded_worker(args.database_url, args.trainees, "kefu_pages") as (seeded, client):
        with_reviews = reviewing_trainees(seeded)
        # One trainee, or each round the next one: under load every request is someone else's,
        # with their own history, and per-state caches miss where one trainee's would not.
        cast = with_reviews if args.rotate else with_reviews[:1]
        supervisor_of = supervisor_cookies(seeded)

        def as_trainee(number: int) -> dict[str, tuple[str, str]]:
            """Each page's (session cookie, address): the supervisor's pages are theirs."""
            trainee = cast[number % len(cast)]
            cookies = dict.fromkeys(("supervisor", "cohort"), supervisor_of[trainee["id"]])
            return {
                name: (cookies.get(name, trainee["cookie"]), url)
                for name, url in addresses(trainee).items()
            }

        def get(pages: dict[str, tuple[str, str]], name: str):
            cookie, url = pages[name]
            client.set_cookie("session", cookie)
            return client.get(url)

        names = [*args.pages, "layout"]
        for number in range(args.warmup):  # templates compiled, caches filled
            pages = as_trainee(number)
            for name in names:
                response = get(pages, name)
                assert response.status_code == 200, (name, response.status_code)
        figures: dict[str, list[tuple[int, float]]] = {name: [] for name in names}
        # Each round asks for the pages in a new order: in a fixed order the collector's
        # costlier passes, which come after a set number of allocations, kept landing on the
        # same page, and a change to one page moved that cost onto another.
        shuffled = random.Random(0)
        for number in range(args.requests):
            pages = as_trainee(args.warmup + number)
            for name in shuffled.sample(names, len(names)):
                figures[name].append(figures_of(get(pages, name)))
        profile = None
        if args.profile:
            rounds = iter(range(args.requests))

            def one_round():
                pages = as_trainee(next(rounds))
                return [get(pages, name) for name in args.pages]

            profile = profiled(args.profile, one_round, args.requests)

    kind = "PostgreSQL" if args.database_url else "SQLite"
    who = f"each round the next of {len(cast)}" if args.rotate else "one trainee"
    summary = report(
        figures, f"{kind}: {args.requests} requests per page, {args.trainees} trainees ({who})"
    )
    if profile:
        print(profile)
    return summary


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_arguments(parser, requests=200, trainees=60)
    parser.add_argument("--pages", default=",".join(PAGES), help="a comma-separated subset")
    parser.add_argument(
        "--rotate", action="store_true", help="each round as the next trainee, as under load"
    )
    args = parser.parse_args(argv)
    args.pages = chosen(parser, args.pages, "--pages", PAGES)
    tiny(args)
    return args


if __name__ == "__main__":
    run(parse_args())
