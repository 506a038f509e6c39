"""What one simulated-buyer turn costs the server, and where that time goes.

    .venv/bin/python benchmarks/buyer_turn.py [--turns 200] [--database-url postgresql://...]
    .venv/bin/python benchmarks/buyer_turn.py --profile cprofile      # or pyinstrument
    .venv/bin/python benchmarks/buyer_turn.py --tiny                  # a smoke run

A turn is what the load benchmark's "buyer turn" step measures: the POST that scores and saves a
free-text reply, sent by the workbench's script, which answers with the conversation's part of
the page. Beside it, the same turn as a browser without script makes it: the POST, then the
workbench page it redirects to. One trainee (Chinese interface, CSRF on) goes through every
shipped scenario in turn, practising with its model replies (a conversation's last reply leads to
the scorecard and is not counted), through the Flask test client of an app prepared as a server
worker (``prepare_worker``) with the benchmark figures on (``BENCHMARK``): each response reports
its SQL statements and the CPU time spent on it, as under gunicorn. The base layout floor
(``/_bench/layout``) is measured alongside, alternating with the turns, so the ratio compares
figures taken on the same machine at the same moment.

Without --database-url it uses a fresh SQLite file; with a PostgreSQL server URL it creates a
throwaway database on that server and drops it afterwards. With --profile the turns run again
under a profiler whose report is printed (its own overhead inflates the absolute figures).
To compare with other code, run this file from that checkout with that checkout's venv, one
after the other, and compare the ratios to the layout.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import re
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
USERNAME, PASSWORD = "bench-buyer", "bench-password-42"
_CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


sys.path.insert(0, str(ROOT))  # run as a script, only benchmarks/ is on the path
from benchmarks.profiling import profiled  # noqa: E402
from benchmarks.throwaway_db import fresh_database  # noqa: E402


def seed(app) -> list[tuple[str, list[str]]]:
    """The live content and the trainee; returns (scenario, model replies) pairs."""
    from flask_migrate import upgrade

    from training.accounts.models import TRAINEE, User
    from training.accounts.passwords import hash_password
    from training.curriculum.parser import read_tree
    from training.curriculum.queries import live_release
    from training.curriculum.services import sync_content
    from training.extensions import db
    from training.roleplay import engine

    content = Path(app.config["CONTENT_DIR"])
    with app.app_context():
        with contextlib.redirect_stderr(io.StringIO()):
            upgrade()  # quietly: Alembic logs each migration
        sync_content(files=read_tree(content))
        user = User(
            username=USERNAME,
            name="Bench Buyer",
            role=TRAINEE,
            password_hash=hash_password(PASSWORD),
            must_change_password=False,
            locale="zh_CN",
        )
        db.session.add(user)
        db.session.commit()
        scenarios = sorted(live_release().release.scenarios.values(), key=lambda s: s.slug)
        plan = [
            (s.slug, [reply for _, reply, _ in engine.model_path(s, "zh").steps]) for s in scenarios
        ]
        db.session.remove()
        db.engine.dispose()
    return plan


class Turns:
    """The trainee's browser: goes through the scenarios with their model replies."""

    def __init__(self, client, plan):
        self.client = client
        self.plan = plan
        self.scenario = -1
        self.conversation = None
        self.replies: list[str] = []
        self.csrf = ""

    def _start(self) -> None:
        self.scenario = (self.scenario + 1) % len(self.plan)
        slug, self.replies = self.plan[self.scenario]
        response = self.client.post(
            f"/scenarios/{slug}/start",
            data={"mode": "practice", "input": "text", "csrf_token": self.csrf},
        )
        assert response.status_code == 302, response.status_code
        self.conversation = response.headers["Location"].rstrip("/").rsplit("/", 1)[-1]
        self.index = 0

    def _reply(self, **headers):
        if self.conversation is None or self.index >= len(self.replies):
            self._start()
        text = self.replies[self.index]
        shown = self.index  # the turns the page shows, which the form reports as it sends
        self.index += 1
        return self.client.post(
            f"/conversations/{self.conversation}/reply",
            data={"reply": text, "token": f"{self.conversation}-{self.index}",
                  "shown": shown, "csrf_token": self.csrf},
            headers=headers,
        )  # fmt: skip

    def by_script(self) -> dict | None:
        """Reply as the workbench's script does: one response, the conversation's part of the
        page; its figures (None: the reply ended the conversation)."""
        posted = self._reply(**{"X-Kefu-Chat": "1"})
        if posted.status_code == 204:  # the address of the scorecard
            self.conversation = None
            return None
        assert posted.status_code == 200, posted.status_code
        return _figures(posted) | {"bytes": len(posted.data)}

    def by_form(self) -> tuple[dict, dict] | None:
        """Reply as the form does without script, then read the page it redirects to; the
        figures of both responses (None: not a full turn)."""
        posted = self._reply()
        assert posted.status_code == 302, posted.status_code
        page = self.client.get(f"/conversations/{self.conversation}")
        if page.status_code == 302:  # the conversation ended: the page is the scorecard's
            self.conversation = None
            return None
        assert page.status_code == 200, page.status_code
        return _figures(posted), _figures(page) | {"bytes": len(page.data)}

    def one(self) -> None:
        """One turn each way (what the profiler runs by default)."""
        self.by_script()
        self.by_form()


def _figures(response) -> dict:
    return {
        "queries": int(response.headers["X-Bench-Queries"]),
        "cpu_ms": int(response.headers["X-Bench-CPU-us"]) / 1000,
    }


def run(args) -> dict:
    """Seed a database, sign in, then measure turns and the layout floor alternately."""
    from training import create_app
    from training.core.worker import prepare_worker

    with fresh_database(args.database_url, prefix="kefu_turn") as url:
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": url,
                "TESTING": False,
                "WTF_CSRF_ENABLED": True,
                "BENCHMARK": True,
                "ARGON2_TIME_COST": 1,
                "ARGON2_MEMORY_COST": 8192,
            }
        )
        plan = seed(app)
        prepare_worker(app)
        client = app.test_client()
        token = _CSRF_RE.search(client.get("/login").get_data(as_text=True)).group(1)
        signed = client.post(
            "/login", data={"username": USERNAME, "password": PASSWORD, "csrf_token": token}
        )
        assert signed.status_code == 302, signed.status_code
        turns = Turns(client, plan)
        turns.csrf = _CSRF_RE.search(client.get("/scenarios").get_data(as_text=True)).group(1)
        for _ in range(args.warmup):  # templates compiled, caches filled
            turns.one()
            client.get("/_bench/layout")

        scripted, replies, pages, floors = [], [], [], []
        while len(replies) < args.turns or len(scripted) < args.turns:
            chat = turns.by_script()
            floors.append(_figures(client.get("/_bench/layout")))
            figures = turns.by_form()
            if chat:
                scripted.append(chat)
            if figures:
                replies.append(figures[0])
                pages.append(figures[1])

        profile = None
        if args.profile:
            work = {"both": turns.one, "script": turns.by_script, "form": turns.by_form}
            profile = profiled(args.profile, work[args.profile_turn], args.turns)
        with app.app_context():
            from training.extensions import db

            db.engine.dispose()

    kind = "PostgreSQL" if args.database_url else "SQLite"
    floor_ms = statistics.median(f["cpu_ms"] for f in floors)
    summary = {
        "reply": _summary(replies),
        "page": _summary(pages),
        "turn": _summary(
            [
                r | {"cpu_ms": r["cpu_ms"] + p["cpu_ms"], "queries": r["queries"] + p["queries"]}
                for r, p in zip(replies, pages, strict=True)
            ]
        ),  # fmt: skip
        "layout": _summary(floors),
        "script": _summary(scripted),
    }
    print(f"{kind}: {len(replies)} turns over {len(plan)} scenarios; load average "
          f"{' '.join(f'{n:.1f}' for n in os.getloadavg())}")  # fmt: skip
    print(f"{'':<34} {'queries':>8} {'CPU ms median':>14} {'mean':>7} {'x layout':>9}")
    for name, label in (
        ("layout", "floor: base layout"),
        ("script", "turn by script (one request)"),
        ("reply", "turn by form: reply (score + save)"),
        ("page", "turn by form: page after reply"),
        ("turn", "= turn by form"),
    ):
        row = summary[name]
        print(
            f"{label:<34} {row['queries']:>8.1f} {row['cpu_ms']:>14.2f} {row['mean_ms']:>7.2f}"
            f" {row['cpu_ms'] / floor_ms:>8.1f}x"
        )
    page_kb = statistics.median(p["bytes"] for p in pages) / 1024
    part_kb = statistics.median(c["bytes"] for c in scripted) / 1024
    print(f"median size: workbench page {page_kb:.1f} KB, the conversation's part {part_kb:.1f} KB")
    if profile:
        print(profile)
    return summary


def _summary(rows: list[dict]) -> dict:
    return {
        "queries": statistics.mean(r["queries"] for r in rows),
        "cpu_ms": statistics.median(r["cpu_ms"] for r in rows),
        "mean_ms": statistics.mean(r["cpu_ms"] for r in rows),
    }


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--turns", type=int, default=200, help="measured turns")
    parser.add_argument("--warmup", type=int, default=40, help="turns before measuring")
    parser.add_argument("--database-url", help="a PostgreSQL server URL (default: SQLite)")
    parser.add_argument("--profile", choices=("cprofile", "pyinstrument"))
    parser.add_argument(
        "--profile-turn",
        choices=("both", "script", "form"),
        default="both",
        help="which way of replying the profiler runs",
    )
    parser.add_argument("--tiny", action="store_true", help="a few turns, a smoke run")
    args = parser.parse_args(argv)
    if args.tiny:
        args.turns, args.warmup = 5, 2
    return args


def main(argv=None) -> None:
    run(parse_args(argv))


if __name__ == "__main__":
    main()
