"""How many trainees one machine serves: real journeys under gunicorn, beside the framework's floor.

    .venv/bin/python benchmarks/load.py [--db sqlite,postgres] [--workers 2] [--trainees 500]
    .venv/bin/python benchmarks/load.py --tiny      # a few seconds on SQLite: does it run?

For each database (SQLite in a scratch folder; PostgreSQL in a throwaway database created and
dropped here, on the server named by --pg-url):

1. `flask db upgrade` and `flask content sync` publish the shipped curriculum; then trainees with
   history (lessons read, quizzes submitted with their answers, finished simulated-buyer
   conversations), their supervisors and one signed-in session each are bulk-inserted. Session
   cookies and CSRF tokens are signed here with the server's secret, so thousands of users need
   not pay the (deliberately slow) password hash; sign-in itself is one of the measured steps.
2. gunicorn starts the app with KEFU_BENCHMARK=1 (floor pages, per-response query and CPU
   figures), pinned to core 0; `load_driver.py` (locust) runs on core 1.
3. Phases, each with a warm-up and then a counted window: the two floors; each journey step on
   its own (closed loop, every user asking again as soon as answered); the whole journey mix
   with 200 users and no think time (errors, "database is locked"); the mix with each trainee
   acting every 5 seconds at growing numbers of users until p95 passes 100 ms (the capacity).
4. The report: per step requests/s, p50/p95/p99, errors, SQL queries and server CPU per request,
   each beside its ratio to the two floors; RSS per worker; worker start-up time; the targets.
   PostgreSQL's CPU per request of every phase; for the mix and the capacity steps also the
   load generator's, and what the whole machine would serve with the load generated elsewhere.

Absolute figures drift on a shared machine; the ratios to floors measured in the same run,
and the server CPU per request, are what compare across runs.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import random
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import timedelta
from functools import partial
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import quote_plus, urlencode

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PASSWORD = "bench-password-42"
PG_URL = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")

# One journey through the app, as the mix repeats it. Trainees spend most of their time
# reading and answering; a supervisor looks at the table, then at one trainee.
TRAINEE_JOURNEY = (
    "path", "lesson", "lesson", "quiz", "autosave", "autosave", "autosave", "submit", "review",
    "turn", "turn", "turn", "path", "lesson",
)  # fmt: skip
SUPERVISOR_JOURNEY = ("supervisor-trainees", "supervisor-trainee", "supervisor-trainee")
ISOLATED_STEPS = (
    "signin", "path", "lesson", "quiz", "autosave", "submit", "review", "turn",
    "supervisor-trainees", "supervisor-trainee",
)  # fmt: skip
TRAINEE_PAGES = {"trainee: path", "trainee: lesson", "quiz: take page", "quiz: review"}
TURN = "buyer: turn (score+save+render)"  # as load_driver.py names it
BARE, LAYOUT = "floor: bare", "floor: base layout"  # phases named as their one step
LAYOUT_AGAIN = "floor: base layout, again"


# --------------------------------------------------------------------------- databases


sys.path.insert(0, str(ROOT))  # run as a script, only benchmarks/ is on the path
from benchmarks.throwaway_db import throwaway_postgres  # noqa: E402


@contextlib.contextmanager
def database(kind: str, scratch: Path, pg_url: str):
    """A fresh, empty database URL; a PostgreSQL one is dropped afterwards."""
    if kind == "sqlite":
        yield f"sqlite:///{scratch / 'bench.sqlite'}"
        return
    with throwaway_postgres(pg_url, prefix="kefu_bench") as url:
        yield url


def server_env(url: str, secret: str) -> dict[str, str]:
    """The environment of the CLI and of gunicorn: production settings plus the benchmark flag."""
    return os.environ | {
        "FLASK_APP": "training",
        "KEFU_ENV": "production",
        "SECRET_KEY": secret,
        "DATABASE_URL": url,
        "KEFU_BENCHMARK": "1",
        # Every simulated user signs in from 127.0.0.1; the limits guard real clients.
        "LOGIN_LIMIT_PER_CLIENT": "1000000 per minute",
        "LOGIN_LIMIT_PER_ACCOUNT": "1000000 per minute",
    }


def flask(env: dict, *args: str) -> float:
    """Run a flask CLI command; return how long it took."""
    began = time.perf_counter()
    subprocess.run([str(BIN / "flask"), *args], env=env, cwd=ROOT, check=True, capture_output=True)
    return time.perf_counter() - began


# --------------------------------------------------------------------------- seeding


def form_pairs(view: dict, answer) -> list[tuple[str, str]]:
    """The form fields a browser sends for `answer` (the inverse of answers.from_form)."""
    from training.quizzes.answers import field_name

    kind = view["type"]
    if kind in ("single", "case", "short"):
        return [(field_name(view), str(answer))]
    if kind == "multiple":
        return [(field_name(view), option) for option in answer]
    if kind == "true_false":
        return [(field_name(view), "true" if answer else "false")]
    if kind == "ordering":
        return [(field_name(view, item), str(n)) for n, item in enumerate(answer, 1)]
    if kind == "matching":
        return [(field_name(view, left), right) for left, right in answer.items()]
    raise ValueError(kind)


def seed(url: str, secret: str, args) -> dict:
    """Bulk-insert supervisors, trainees with history and open work; return the users' keys."""
    from flask import g, session
    from flask_wtf.csrf import generate_csrf
    from sqlalchemy import insert, select, text

    from training import create_app
    from training.accounts.models import SUPERVISOR, TRAINEE, Cohort, LoginSession, User
    from training.accounts.passwords import hash_password
    from training.clock import utcnow
    from training.config import Config
    from training.core.standings import rebuild_standings
    from training.curriculum.models import LessonProgress
    from training.curriculum.queries import live_release
    from training.extensions import db
    from training.quizzes import grading, policy
    from training.quizzes.models import ASSESSED, OPEN, SUBMITTED, AttemptAnswer, QuizAttempt
    from training.quizzes.queries import attempt_secret
    from training.roleplay import engine
    from training.roleplay.models import PRACTICE, TEXT, Conversation, ConversationTurn

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": secret,
            "ARGON2_TIME_COST": Config.ARGON2_TIME_COST,
            "ARGON2_MEMORY_COST": Config.ARGON2_MEMORY_COST,
            "WTF_CSRF_ENABLED": True,
        }
    )
    rng = random.Random(20261122)
    with app.app_context():
        live = live_release()
        lessons = live.curriculum.lessons()
        bank = live.release.quizzes
        modules = live.curriculum.modules
        quizzes = [m.slug for m in modules if bank.quiz(m.slug) is not None]
        scenarios = sorted(live.release.scenarios.values(), key=lambda s: s.slug)
        paths = {s.slug: engine.model_path(s, "zh") for s in scenarios}
        now = utcnow()
        cohort = Cohort(name="Bench cohort", probation_days=90)
        db.session.add(cohort)
        db.session.flush()
        password_hash = hash_password(PASSWORD)

        def person(username: str, role: str, supervisor_id=None, days=None) -> dict:
            return {
                "username": username,
                "name": username,
                "email": None,
                "role": role,
                "password_hash": password_hash,
                "must_change_password": False,
                "active": True,
                "locale": "zh_CN",
                "hire_date": (now - timedelta(days=days)).date() if days is not None else None,
                "probation_end": (now + timedelta(days=90 - days)).date() if days else None,
                "cohort_id": cohort.id if role == TRAINEE else None,
                "supervisor_id": supervisor_id,
                "created_at": now,
            }

        supervisor_count = math.ceil(args.trainees / args.per_supervisor)
        db.session.execute(
            insert(User), [person(f"sup{n:03}", SUPERVISOR) for n in range(supervisor_count)]
        )
        supervisor_ids = list(db.session.scalars(select(User.id).filter_by(role=SUPERVISOR)))
        db.session.execute(
            insert(User),
            [
                person(
                    f"t{n:05}",
                    TRAINEE,
                    supervisor_ids[n // args.per_supervisor],
                    rng.randint(1, 89),
                )
                for n in range(args.trainees)
            ],
        )
        trainee_ids = list(
            db.session.scalars(select(User.id).filter_by(role=TRAINEE).order_by(User.id))
        )

        # History: lessons read, module quizzes submitted, simulated buyers finished.
        progress, submitted, answers_of, conversations, turns_of = [], [], [], [], []
        read_counts = {}
        for user_id in trainee_ids:
            # Everyone has read a module or more, so there is a submitted quiz to review.
            read = rng.randint(len(modules[0].lessons), len(lessons))
            read_counts[user_id] = read
            for index, lesson in enumerate(lessons[: read + 1]):
                opened = now - timedelta(days=read - index, minutes=rng.randint(0, 600))
                progress.append(
                    {
                        "user_id": user_id,
                        "module_slug": lesson.module_slug,
                        "lesson_slug": lesson.slug,
                        "release_id": live.id,
                        "last_opened_at": opened,
                        "completed_at": opened + timedelta(minutes=9) if index < read else None,
                    }
                )
            done = {lesson.module_slug for lesson in lessons[:read]}
            for slug in quizzes:
                if slug not in done or (slug != quizzes[0] and rng.random() < 0.3):
                    continue
                questions = bank.quiz(slug).questions
                right = [rng.random() < 0.85 for _ in questions]
                percent = 100 * sum(right) / len(questions)
                when = now - timedelta(days=rng.randint(1, 20))
                submitted.append(
                    {
                        "user_id": user_id,
                        "quiz_slug": slug,
                        "mode": ASSESSED,
                        "release_id": live.id,
                        "question_ids": [q.id for q in questions],
                        "seed": rng.randrange(2**31),
                        "started_at": when - timedelta(minutes=12),
                        "deadline_at": None,
                        "submitted_at": when,
                        "status": SUBMITTED,
                        "score_percent": percent,
                        "passed": percent >= bank.quiz(slug).settings.pass_mark,
                    }
                )
                answers_of.append(
                    # Ordering and matching answers are keyed per attempt, so they are written
                    # once the attempt has its id.
                    partial(_graded_answers, questions, right, seed=submitted[-1]["seed"], at=when)
                )
            for scenario in rng.sample(scenarios, 2):
                path = paths[scenario.slug]
                card = path.scorecard
                when = now - timedelta(days=rng.randint(1, 20))
                conversations.append(
                    {
                        "user_id": user_id,
                        "scenario_slug": scenario.slug,
                        "release_id": live.id,
                        "mode": PRACTICE,
                        "input": TEXT,
                        "lang": "zh",
                        "state": engine.state_to_dict(path.state),
                        "started_at": when - timedelta(minutes=8),
                        "buyer_spoke_at": when,
                        "finished_at": when,
                        "score": card.overall,
                        "passed": card.passed,
                        "fatal": bool(card.fatal),
                        "scorecard": engine.scorecard_to_dict(card),
                    }
                )
                turns_of.append(
                    [
                        {
                            "position": position,
                            "turn_id": turn_id,
                            "reply": reply,
                            "option_id": None,
                            "seconds": 40.0,
                            "score": scored.score,
                            "result": scored.to_dict(),
                            "client_token": secrets.token_hex(8),
                            "created_at": when,
                        }
                        for position, (turn_id, reply, scored) in enumerate(path.steps)
                    ]
                )
        db.session.execute(insert(LessonProgress), progress)
        submitted_ids = _insert_children(
            db, QuizAttempt, submitted, AttemptAnswer, "attempt_id", answers_of
        )
        reviews: dict[int, list[int]] = {}
        for row, attempt_id in zip(submitted, submitted_ids, strict=True):
            reviews.setdefault(row["user_id"], []).append(attempt_id)
        _insert_children(
            db, Conversation, conversations, ConversationTurn, "conversation_id", turns_of
        )

        # Open work for the journeys: every module quiz started (the first one is kept open for
        # the take page and autosaves, the others are submitted one by one), one session each.
        open_attempts = []
        for user_id in trainee_ids:
            for slug in quizzes:
                definition = bank.quiz(slug)
                question_ids = [q.id for q in definition.questions]
                attempt_seed = rng.randrange(2**31)
                random.Random(attempt_seed).shuffle(question_ids)
                open_attempts.append(
                    {
                        "user_id": user_id,
                        "quiz_slug": slug,
                        "mode": ASSESSED,
                        "release_id": live.id,
                        "question_ids": question_ids,
                        "seed": attempt_seed,
                        "started_at": now,
                        "deadline_at": policy.deadline(definition.settings, now),
                        "status": OPEN,
                    }
                )
        attempt_ids = list(
            db.session.scalars(
                insert(QuizAttempt).returning(QuizAttempt.id, sort_by_parameter_order=True),
                open_attempts,
            )
        )
        sessions = {user_id: secrets.token_urlsafe(32) for user_id in supervisor_ids + trainee_ids}
        db.session.execute(
            insert(LoginSession),
            [
                {"id": sid, "user_id": uid, "created_at": now, "last_seen_at": now}
                for uid, sid in sessions.items()
            ],
        )
        rebuild_standings(db.session.connection())  # bulk inserts skip the ORM's events
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            # The planner's statistics, as autovacuum keeps them on a database that grew by use.
            # Left to autovacuum, the first minute's phases ran on plans for empty tables (the
            # trainee page's comment read scanned every turn: 2 ms instead of 0.02) and the
            # analysis itself landed inside a counted phase.
            with db.engine.connect() as connection:
                connection.execute(text("ANALYZE"))
                connection.commit()

        serializer = app.session_interface.get_signing_serializer(app)

        def signed_in(user_id: int) -> dict:
            """The cookie and CSRF token a browser holds after signing in."""
            with app.test_request_context():
                g.pop("csrf_token", None)  # generate_csrf keeps the last token in g
                session.update(
                    {"_user_id": str(user_id), "_fresh": True, "sid": sessions[user_id]}
                    | {"locale": "zh_CN", "_permanent": True}
                )
                token = generate_csrf()
                return {"id": user_id, "cookie": serializer.dumps(dict(session)), "csrf": token}

        def bodies(attempt: dict, attempt_id: int) -> tuple[list[str], str]:
            key = attempt_secret(SimpleNamespace(id=attempt_id, seed=attempt["seed"], secret=None))
            views = [
                grading.present(bank.question(qid), "zh", attempt["seed"], secret=key)
                for qid in attempt["question_ids"]
            ]
            pairs = [
                form_pairs(view, grading.correct_answer(bank.question(view["id"]), secret=key))
                for view in views
            ]
            # Autosaves carry what has been answered so far: a third, two thirds, all of it.
            thirds = [sum(pairs[: len(pairs) * n // 3], []) for n in (1, 2, 3)]
            return [urlencode(fields) for fields in thirds], urlencode(sum(pairs, []))

        trainees = []
        for index, user_id in enumerate(trainee_ids):
            mine = list(zip(open_attempts, attempt_ids, strict=True))[
                index * len(quizzes) : (index + 1) * len(quizzes)
            ]
            saves, _ = bodies(*mine[0])
            scenario = scenarios[index % len(scenarios)]
            read = read_counts[user_id]
            trainees.append(
                signed_in(user_id)
                | {
                    "username": f"t{index:05}",
                    "lessons": [
                        f"/lessons/{lesson.module_slug}/{lesson.slug}"
                        for lesson in lessons[max(0, read - 5) : read + 1]
                    ],
                    "take": {"id": mine[0][1], "saves": saves},
                    "submits": [{"id": aid, "body": bodies(row, aid)[1]} for row, aid in mine[1:]],
                    "reviews": reviews.get(user_id, []),
                    "scenario": scenario.slug,
                    "replies": [quote_plus(reply) for _, reply, _ in paths[scenario.slug].steps],
                }
            )
        supervisors = [
            signed_in(sid)
            | {"trainee_ids": trainee_ids[n * args.per_supervisor : (n + 1) * args.per_supervisor]}
            for n, sid in enumerate(supervisor_ids)
        ]
        db.engine.dispose()
    return {
        "trainees": trainees,
        "supervisors": supervisors,
        "rows": {
            "lesson_progress": len(progress),
            "quiz_attempts": len(submitted) + len(open_attempts),
            "attempt_answers": sum(len(graded.args[0]) for graded in answers_of),
            "conversations": len(conversations),
            "conversation_turns": sum(map(len, turns_of)),
        },
    }


def _graded_answers(questions, right, attempt_id: int, *, seed: int, at) -> list[dict]:
    """The stored answers of a seeded attempt: right where ``right`` says so, else blank."""
    from training.quizzes import grading
    from training.quizzes.queries import attempt_secret

    # Bulk-inserted attempts keep no secret of their own: theirs derives from the key.
    secret = attempt_secret(SimpleNamespace(id=attempt_id, seed=seed, secret=None))
    return [
        {
            "question_id": q.id,
            "answer": grading.correct_answer(q, secret=secret) if ok else None,
            "saved_at": at,
            "score": 1.0 if ok else 0.0,
            "correct": ok,
        }
        for q, ok in zip(questions, right, strict=True)
    ]


def _insert_children(db, parent, parent_rows, child, key, children_of) -> list[int]:
    """Insert parents, then their children pointing at the new parent ids; return those ids.

    A child list may be a function of the parent's id, for children that depend on it.
    """
    from sqlalchemy import insert

    if not parent_rows:
        return []
    ids = list(
        db.session.scalars(
            insert(parent).returning(parent.id, sort_by_parameter_order=True), parent_rows
        )
    )
    rows = [
        row | {key: parent_id}
        for parent_id, children in zip(ids, children_of, strict=True)
        for row in (children(parent_id) if callable(children) else children)
    ]
    db.session.execute(insert(child), rows)
    return ids


# --------------------------------------------------------------------------- the server


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def pinned(core: int) -> list[str]:
    """A taskset prefix pinning a command to one core, where the machine has two or more."""
    if (os.cpu_count() or 1) >= 2 and shutil.which("taskset"):
        return ["taskset", "-c", str(core)]
    return []


@contextlib.contextmanager
def gunicorn(env: dict, workers: int, scratch: Path, preload: bool = True, app: str = "wsgi:app"):
    """gunicorn serving ``app`` on core 0; yields (address, master pid, start-up figures, log path).

    The start-up figures: each worker's time from fork to ready, and the whole server's from
    launch to every worker ready (with --preload the app loads once, in the master, before
    the workers fork).
    """
    port = free_port()
    log = scratch / f"gunicorn-{port}.log"
    command = [
        *pinned(0),
        str(BIN / "gunicorn"),
        "--workers", str(workers),
        "--bind", f"127.0.0.1:{port}",
        "--backlog", "4096",
        "--timeout", "120",
        *(["--preload"] if preload else []),
        "--config", str(ROOT / "benchmarks" / "gunicorn_timing.py"),
        app,
    ]  # fmt: skip
    launched = time.perf_counter()
    with log.open("w") as sink:
        server = subprocess.Popen(command, env=env, cwd=ROOT, stdout=sink, stderr=sink)
    try:
        deadline = time.monotonic() + 300  # a crowded machine slows the start a lot
        while time.monotonic() < deadline:
            started = re.findall(r"worker ready in ([\d.]+) s", log.read_text())
            if len(started) >= workers:
                ready = time.perf_counter() - launched
                break
            if server.poll() is not None:
                raise RuntimeError(f"gunicorn stopped:\n{log.read_text()[-3000:]}")
            time.sleep(0.1)
        else:
            raise RuntimeError(f"gunicorn did not start:\n{log.read_text()[-3000:]}")
        address = f"http://127.0.0.1:{port}"
        urllib.request.urlopen(address + "/_bench/bare", timeout=10).read()
        yield address, server.pid, {"workers": [float(s) for s in started], "server": ready}, log
    finally:
        server.terminate()
        server.wait(timeout=30)


def memory_mb(master: int) -> dict[str, list[float]]:
    """Memory of each worker, in MB: resident (RSS), proportional (PSS: pages shared with the
    master and the other workers count a share each) and private (USS: pages no one shares)."""
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    found = {"rss": [], "pss": [], "uss": []}
    for pid in children:
        rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()

        def kb(field: str, text: str = rollup) -> int:
            return int(re.search(rf"^{field}:\s+(\d+)", text, re.M).group(1))

        found["rss"].append(kb("Rss") / 1024)
        found["pss"].append(kb("Pss") / 1024)
        found["uss"].append((kb("Private_Clean") + kb("Private_Dirty")) / 1024)
    return found


# --------------------------------------------------------------------------- phases


def phases(args) -> list[dict]:
    """Floors, every step alone, the 200-user mix, then the capacity steps."""
    warm, counted = args.warmup, args.duration
    # Each worker parses the live release (and loads the segmenter) on first use: not counted.
    warm_up = {"name": "warm-up", "kind": "mix", "users": 4 * args.workers, "warmup": 0}
    found = [
        warm_up | {"duration": max(warm * 2, 4)},
        {"name": BARE, "kind": "bare", "users": args.users},
        {"name": LAYOUT, "kind": "layout", "users": args.users},
    ]
    found += [{"name": step, "kind": step, "users": args.users} for step in ISOLATED_STEPS]
    # The layout again after the steps: the phases run one after another, so a machine whose
    # speed drifts moves every share; the two floors show by how much.
    found.append({"name": LAYOUT_AGAIN, "kind": "layout", "users": args.users})
    for phase in found[1:]:
        phase |= {"warmup": warm, "duration": counted}
    found.append(
        {
            "name": f"mix: {args.stress_users} users, no think time",
            "kind": "mix",
            "users": args.stress_users,
            "warmup": warm + args.stress_users / 100,
            "duration": counted * 2,
            "spawn_rate": 100,
        }
    )
    for users in args.capacity:
        found.append(
            {
                "name": f"capacity: {users} users, one action / 5 s",
                "kind": "mix",
                "users": users,
                "pacing": 5,
                "spawn_rate": 100,
                "warmup": users / 100 + 6,
                "duration": max(counted * 2, 15),
                "capacity": True,
            }
        )
    return found


def drive(plan: dict, scratch: Path) -> list[dict]:
    """Run the load generator on core 1 and read its results."""
    plan_path, results_path = scratch / "plan.json", scratch / "results.json"
    plan_path.write_text(json.dumps(plan))
    subprocess.run(
        [*pinned(1), sys.executable, str(ROOT / "benchmarks" / "load_driver.py"), plan_path,
         results_path],
        cwd=ROOT,
        check=True,
    )  # fmt: skip
    return json.loads(results_path.read_text())


# --------------------------------------------------------------------------- the report


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def ratio_of(value: float, floor: float) -> float:
    return value / floor if floor else 0.0


def summarise(phase: dict) -> dict[str, dict]:
    """Per step: requests/s, latency percentiles, errors, queries and CPU per request."""
    rows = {}
    for name, step in phase["steps"].items():
        count = len(step["times"])
        figures = step["figures"] or 1
        rows[name] = {
            "count": count,
            "rps": count / phase["seconds"],
            "p50": percentile(step["times"], 0.50),
            "p95": percentile(step["times"], 0.95),
            "p99": percentile(step["times"], 0.99),
            "errors": step["errors"],
            "why": step["why"],
            "queries": step["queries"] / figures,
            "cpu_ms": step["cpu_us"] / figures / 1000,
        }
    return rows


def turns_alone(rows: dict[str, dict], outside_app_ms: float) -> float:
    """Turns a second the server would answer if it answered nothing else.

    A conversation ends after a few turns, so the turn phase also starts conversations and
    opens scorecards, and the server's time goes to those too. Each request's share of that
    time is its app CPU plus what every request costs outside the app (gunicorn, the kernel:
    the layout floor's CPU read from /proc less what the app measured for it).
    """
    cost = {name: row["count"] * (row["cpu_ms"] + outside_app_ms) for name, row in rows.items()}
    total = sum(cost.values())
    share = cost[TURN] / total if total else 1.0
    return rows[TURN]["rps"] / share if share else 0.0


def ratio(value: float, floor: float) -> str:
    return f"{value / floor:5.0%}" if floor else "    —"


def report(kind: str, args, setup: dict, results: list[dict], log_text: str) -> dict:
    """Print one database's figures; return the figures the targets are judged on."""
    every_error = sum(step["errors"] for phase in results for step in phase["steps"].values())
    results = [phase for phase in results if phase["name"] != "warm-up"]
    by_name = {phase["name"]: phase for phase in results}
    floors = {}
    for label, step in ((BARE, BARE), (LAYOUT, LAYOUT), (LAYOUT_AGAIN, LAYOUT)):
        phase = by_name[label]
        empty = {"times": [], "errors": 0, "queries": 0, "cpu_us": 0, "figures": 0, "why": {}}
        row = summarise(phase | {"steps": {step: empty} | phase["steps"]})[step]
        row["proc_cpu_ms"] = phase["server_cpu_seconds"] * 1000 / max(row["count"], 1)
        floors[label] = row
    bare, layout, again = floors[BARE], floors[LAYOUT], floors[LAYOUT_AGAIN]
    # Shares are judged against the mean of the two layout floors.
    floor_rps = (layout["rps"] + again["rps"]) / 2
    print(f"\n== {kind}: {args.workers} gunicorn worker(s), {setup['trainees']} trainees ==")
    print(f"   seeded rows: {setup['rows']}; migrate + sync {setup['prepare']:.1f} s, "
          f"bulk seed {setup['seed']:.1f} s")  # fmt: skip
    startup, memory = setup["startup"], setup["memory"]
    print(f"   start-up ({'--preload' if args.preload else 'no --preload'}): launch to every "
          f"worker ready {startup['server']:.1f} s; each worker from fork "
          f"{', '.join(f'{s:.2f} s' for s in startup['workers'])}")  # fmt: skip
    print("   memory per worker after the run (MB): "
          + "; ".join(f"{name.upper()} {', '.join(f'{m:.0f}' for m in sizes)}"
                      for name, sizes in memory.items()))  # fmt: skip
    header = (
        f"{'step':<32} {'users':>5} {'req/s':>7} {'×bare':>6} {'×layout':>7} {'p50':>6} "
        f"{'p95':>6} {'p99':>6} {'err':>4} {'SQL':>5} {'×layout':>7} {'CPU ms':>7} {'×bare':>6} "
        f"{'×layout':>7}"
    )
    print(header)
    print("-" * len(header))

    def line(name, users, row, cpu_ms=None):
        cpu = row["cpu_ms"] if cpu_ms is None else cpu_ms
        print(
            f"{name[:32]:<32} {users:>5} {row['rps']:>7.1f} {ratio(row['rps'], bare['rps']):>6} "
            f"{ratio(row['rps'], layout['rps']):>7} {row['p50']:>6.1f} {row['p95']:>6.1f} "
            f"{row['p99']:>6.1f} {row['errors']:>4} {row['queries']:>5.1f} "
            f"{ratio(row['queries'], layout['queries']):>7} {cpu:>7.2f} "
            f"{ratio(cpu, bare['cpu_ms']):>6} {ratio(cpu, layout['cpu_ms']):>7}"
        )
        for why, times in row["why"].items():
            print(f"{'':>34}! {times} × {why}")

    judged = {"pages": {}, "errors": 0, "drift": ratio_of(again["rps"], layout["rps"]) - 1}
    database_ms = {}  # PostgreSQL's CPU per request of each phase before the mix
    for phase in results:
        rows = summarise(phase)
        if not phase["name"].startswith(("mix", "capacity")):
            answered = sum(row["count"] for row in rows.values())
            database_ms[phase["name"]] = phase["database_cpu_seconds"] * 1000 / max(answered, 1)
        if phase["name"] == LAYOUT_AGAIN:
            line(LAYOUT_AGAIN, phase["users"], again)
        elif not phase["name"].startswith(("mix", "capacity")):
            for name, row in rows.items():
                line(name, phase["users"], row)
                if name in TRAINEE_PAGES and phase["kind"] != "mix":
                    judged["pages"][name] = ratio_of(row["rps"], floor_rps)
            if phase["kind"] == "turn" and TURN in rows:
                alone = turns_alone(rows, outside_app_ms=layout["proc_cpu_ms"] - layout["cpu_ms"])
                judged["turn"] = ratio_of(alone, floor_rps)
                print(f"{'':>34}= {alone:.1f} turns/s alone ({judged['turn']:.0%} of the layout "
                      "floor): the phase's starts and scorecards take their share out")  # fmt: skip
    print(f"\n   /proc CPU per request: bare {bare['proc_cpu_ms']:.2f} ms, "
          f"base layout {layout['proc_cpu_ms']:.2f} ms, again {again['proc_cpu_ms']:.2f} ms "
          "(header figures above)")  # fmt: skip
    print(f"   the layout floor moved {judged['drift']:+.0%} between before and after the steps; "
          f"the targets are judged against the mean of the two, {floor_rps:.1f} req/s")  # fmt: skip
    if kind == "postgres":
        print("   PostgreSQL CPU per request, each phase alone: "
              + ", ".join(f"{name} {ms:.2f} ms" for name, ms in database_ms.items()))  # fmt: skip
    capacity = 0
    for phase in results:
        if not phase["name"].startswith(("mix", "capacity")):
            continue
        rows = summarise(phase)
        times = [t for step in phase["steps"].values() for t in step["times"]]
        errors = sum(row["errors"] for row in rows.values())
        total = sum(row["count"] for row in rows.values())
        p95 = percentile(times, 0.95)
        cpu = phase["server_cpu_seconds"] * 1000 / max(total, 1)
        database_cpu = phase["database_cpu_seconds"] * 1000 / max(total, 1)
        driver_cpu = phase["driver_cpu_seconds"] * 1000 / max(total, 1)
        print(f"\n-- {phase['name']}: {total / phase['seconds']:.1f} req/s, p50 "
              f"{percentile(times, .5):.1f} p95 {p95:.1f} p99 {percentile(times, .99):.1f} ms, "
              f"{errors} errors, server CPU {cpu:.2f} ms/request")  # fmt: skip
        database = f"PostgreSQL {database_cpu:.2f} ms, " if kind == "postgres" else ""
        print(f"   CPU a request besides the server's: {database}the load generator "
              f"{driver_cpu:.2f} ms")  # fmt: skip
        for name, row in sorted(rows.items()):
            line("  " + name, phase["users"], row)
        if phase.get("pacing"):
            if p95 <= 100 and not errors:
                capacity = max(capacity, phase["users"])
        else:
            judged["errors"] += errors
            judged["mix_cpu_ms"] = cpu
            judged["mix_database_cpu_ms"] = database_cpu if kind == "postgres" else 0.0
    locked = log_text.count("database is locked")
    if every_error and "Traceback" in log_text:
        # The server's side of the last error, so a failed run says why.
        # Its start and its end: the end names the error.
        last = log_text[log_text.rindex("Traceback") :]
        shown = last if len(last) <= 4000 else f"{last[:1500]}\n   [...]\n{last[-2500:]}"
        print("\n   last traceback in the server log:\n" + shown)
    judged |= {"capacity": capacity, "locked": locked, "all_errors": every_error}
    print(f"\n   targets ({kind}):")
    if abs(judged["drift"]) > 0.1:
        print(f"   (the machine's speed drifted by {judged['drift']:+.0%} during the steps: "
              "the shares below are uncertain by about as much)")  # fmt: skip
    for name, share in sorted(judged["pages"].items()):
        print(f"   {'ok ' if share >= 0.6 else 'MISS'} {name}: {share:.0%} of the layout floor "
              "(target ≥ 60%)")  # fmt: skip
    if "turn" in judged:
        print(f"   {'ok ' if judged['turn'] >= 0.4 else 'MISS'} buyer turn alone: "
              f"{judged['turn']:.0%} of the layout floor (target ≥ 40%)")  # fmt: skip
    print(f"   {'ok ' if not judged['errors'] and not locked else 'MISS'} "
          f"{args.stress_users}-user mix: {judged['errors']} errors, "
          f"{locked} 'database is locked' in the server log")  # fmt: skip
    print(f"   capacity: {capacity or 'under ' + str(min(args.capacity))} active trainees "
          "(one action every 5 s) with p95 ≤ 100 ms and no errors")  # fmt: skip
    if judged.get("mix_cpu_ms"):
        # What the server's own CPU cost allows, whatever else shares the machine: each core
        # serves 1000 / (ms per request) requests a second, each trainee asks 0.2 a second.
        per_core = 1000 / judged["mix_cpu_ms"] * 5
        print(f"   CPU-bound estimate: {per_core:.0f} active trainees per dedicated core "
              f"({judged['mix_cpu_ms']:.1f} ms server CPU per request of the mix)")  # fmt: skip
        # The machine's every core for the app and its database, the load coming from elsewhere:
        # an estimate from CPU alone (no queueing, no memory or disk limit), not a measurement.
        cores = os.cpu_count() or 1
        whole = cores * 1000 / (judged["mix_cpu_ms"] + judged["mix_database_cpu_ms"]) * 5
        print(f"   whole-machine estimate: {whole:.0f} active trainees on {cores} cores serving "
              "the app and its database, the load generated elsewhere")  # fmt: skip
    return judged


# --------------------------------------------------------------------------- main


def run(kind: str, args, scratch: Path) -> dict:
    secret = secrets.token_hex(32)
    with database(kind, scratch, args.pg_url) as url:
        env = server_env(url, secret)
        prepare = flask(env, "db", "upgrade") + flask(env, "content", "sync")
        began = time.perf_counter()
        people = seed(url, secret, args)
        seeded = time.perf_counter() - began
        with gunicorn(env, args.workers, scratch, args.preload) as (address, master, startup, log):
            plan = people | {
                "host": address,
                "master_pid": master,
                "password": PASSWORD,
                "mix_supervisor_every": args.per_supervisor + 1,
                "journeys": {"trainee": TRAINEE_JOURNEY, "supervisor": SUPERVISOR_JOURNEY},
                "phases": phases(args),
            }
            results = drive(plan, scratch)
            memory = memory_mb(master)
        setup = {
            "trainees": args.trainees,
            "rows": people["rows"],
            "prepare": prepare,
            "seed": seeded,
            "startup": startup,
            "memory": memory,
        }
        return report(kind, args, setup, results, log.read_text())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", help="sqlite, postgres or both (default both; --tiny: sqlite)")
    parser.add_argument("--pg-url", default=PG_URL, help="a PostgreSQL server to create a db on")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--trainees", type=int, default=500)
    parser.add_argument("--per-supervisor", type=int, default=25)
    parser.add_argument("--users", type=int, default=20, help="closed-loop users per step")
    parser.add_argument("--stress-users", type=int, default=200)
    parser.add_argument(
        "--capacity", default="100,250,500,1000,1500,2000,3000", help="active trainees per step"
    )
    parser.add_argument("--warmup", type=float, default=3)
    parser.add_argument("--duration", type=float, default=10, help="counted seconds per phase")
    parser.add_argument("--tiny", action="store_true", help="a few seconds on SQLite, 1 worker")
    parser.add_argument(
        "--preload",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="gunicorn --preload, as in production (--no-preload: every worker loads the app)",
    )
    args = parser.parse_args()
    if args.tiny:
        args.db = args.db or "sqlite"
        args.workers, args.trainees, args.per_supervisor = 1, 30, 6
        args.users, args.stress_users, args.capacity = 3, 8, "10"
        # No warm-up: on a quiet machine it would use up the few open attempts there are to
        # submit before the counted window opens.
        args.warmup, args.duration = 0.0, 2.0
    args.db = args.db or "sqlite,postgres"
    args.capacity = [int(n) for n in args.capacity.split(",")]
    print(f"Kefu Academy load benchmark: {os.cpu_count()} cores, load average "
          f"{os.getloadavg()[0]:.1f}; gunicorn {'on core 0' if pinned(0) else 'unpinned'}, "
          f"locust {'on core 1' if pinned(1) else 'unpinned'}")  # fmt: skip
    failed = False
    with tempfile.TemporaryDirectory(prefix="kefu-load-") as scratch:
        for kind in args.db.split(","):
            judged = run(kind.strip(), args, Path(scratch))
            failed |= bool(judged["all_errors"] or judged["locked"])
    print("\nload benchmark finished" + (" with errors" if failed else ""))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
