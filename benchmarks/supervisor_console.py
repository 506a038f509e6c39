"""How fast the supervisor's console renders for a large cohort, and how many queries it runs.

    .venv/bin/python benchmarks/supervisor_console.py [--trainees 2000] [--attempts 100]
        [--conversations 20] [--answers 10] [--requests 5] [--database-url postgresql://...]
    .venv/bin/python benchmarks/supervisor_console.py --tiny     # a few trainees, for CI

A supervisor gets N trainees, each with lessons completed, quiz attempts (with graded answers),
assessed simulated-buyer conversations, typing tests and some decisions, written with bulk
inserts. Then "my trainees" (/supervisor/trainees), the question statistics of the cohort
(/quizzes/statistics) and one trainee's page, with all that history (/supervisor/trainees/<id>),
are requested through the Flask test client: the median render time of
several requests and the number of SQL queries each runs are printed. The app is prepared as a
server process prepares it (``prepare_worker``) before the first request.

Without --database-url it uses a fresh SQLite file; with a PostgreSQL server URL it creates a
throwaway database on that server and drops it afterwards.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "bench-password-42"
SUPERVISOR = "bench-sup"
BATCH = 5000


def seed_cohort(
    live,
    *,
    trainees: int,
    attempts: int,
    conversations: int,
    answers: int,
    supervisor_username: str = SUPERVISOR,
    seed: int = 7,
):
    """A supervisor and their cohort of varied trainees, written in bulk; returns the supervisor.

    Needs an app context and a live release. Trainees vary in hire date, lessons done, quiz
    scores, conversation scores, typing and decisions, so every code path of the console runs.
    """
    from training.accounts.models import SUPERVISOR as SUPERVISOR_ROLE
    from training.accounts.models import TRAINEE, User
    from training.accounts.passwords import hash_password
    from training.clock import today, utcnow
    from training.core.standings import rebuild_standings
    from training.curriculum.models import LessonProgress
    from training.extensions import db
    from training.probation.models import ProbationDecision, TypingAttempt
    from training.quizzes.models import ASSESSED, SUBMITTED, AttemptAnswer, QuizAttempt
    from training.roleplay.models import ASSESSED as SCENARIO_ASSESSED
    from training.roleplay.models import Conversation

    rng = random.Random(seed)
    now = utcnow()
    password = hash_password(PASSWORD)
    boss = User(
        username=supervisor_username,
        name="Bench Supervisor",
        role=SUPERVISOR_ROLE,
        password_hash=password,
        must_change_password=False,
    )
    db.session.add(boss)
    db.session.flush()
    first = db.session.scalar(sa.select(sa.func.coalesce(sa.func.max(User.id), 0))) + 1
    people = []
    for n in range(trainees):
        hired = today() - timedelta(days=rng.randint(0, 120))
        people.append(
            {
                "id": first + n,
                "username": f"{supervisor_username}-t{n:05d}",
                "name": f"学员 {n:05d}",
                "role": TRAINEE,
                "password_hash": password,
                "must_change_password": False,
                "active": True,
                "hire_date": hired,
                "probation_end": hired + timedelta(days=90),
                "supervisor_id": boss.id,
                "created_at": now,
            }
        )
    _insert(User, people)
    ids = [person["id"] for person in people]

    lessons = live.curriculum.lessons()
    progress = []
    for user_id in ids:
        for lesson in lessons[: rng.randint(0, len(lessons))]:
            opened = now - timedelta(days=rng.uniform(0, 40))
            progress.append(
                {
                    "user_id": user_id,
                    "module_slug": lesson.module_slug,
                    "lesson_slug": lesson.slug,
                    "release_id": live.id,
                    "last_opened_at": opened,
                    "completed_at": opened,
                }
            )
    _insert(LessonProgress, progress)

    bank = live.release.quizzes
    quizzes = {slug: [q.id for q in quiz.questions] for slug, quiz in bank.quizzes.items()}
    if bank.exam:
        quizzes[bank.exam.slug] = [q.id for q in bank.all_questions()][:40]
    slugs = list(quizzes)
    next_attempt = db.session.scalar(sa.select(sa.func.coalesce(sa.func.max(QuizAttempt.id), 0)))
    attempt_rows, answer_rows = [], []
    for user_id in ids:
        skill = rng.uniform(0.4, 1.0)
        for _ in range(attempts):
            next_attempt += 1
            slug = rng.choice(slugs)
            questions = quizzes[slug][:answers]
            grades = [1.0 if rng.random() < skill else 0.0 for _ in questions]
            score = round(100 * sum(grades) / len(grades), 1) if grades else 0.0
            started = now - timedelta(days=rng.uniform(0, 60))
            attempt_rows.append(
                {
                    "id": next_attempt,
                    "user_id": user_id,
                    "quiz_slug": slug,
                    "mode": ASSESSED,
                    "release_id": live.id,
                    "question_ids": questions,
                    "seed": 1,
                    "started_at": started,
                    "submitted_at": started + timedelta(minutes=8),
                    "status": SUBMITTED,
                    "score_percent": score,
                    "passed": score >= 80,
                }
            )
            answer_rows.extend(
                {
                    "attempt_id": next_attempt,
                    "question_id": question_id,
                    "answer": "A",
                    "saved_at": started,
                    "score": grade,
                    "correct": grade == 1.0,
                }
                for question_id, grade in zip(questions, grades, strict=True)
            )
        if len(answer_rows) > 50 * BATCH:
            _insert(QuizAttempt, attempt_rows)
            _insert(AttemptAnswer, answer_rows)
            attempt_rows, answer_rows = [], []
    _insert(QuizAttempt, attempt_rows)
    _insert(AttemptAnswer, answer_rows)

    scenarios = list(live.release.scenarios)
    talks = []
    for user_id in ids:
        for _ in range(conversations):
            started = now - timedelta(days=rng.uniform(0, 60))
            score = round(rng.uniform(30, 100), 1)
            talks.append(
                {
                    "user_id": user_id,
                    "scenario_slug": rng.choice(scenarios),
                    "release_id": live.id,
                    "mode": SCENARIO_ASSESSED,
                    "input": "text",
                    "lang": "zh",
                    "state": {},
                    "started_at": started,
                    "buyer_spoke_at": started,
                    "finished_at": started + timedelta(minutes=6),
                    "score": score,
                    "passed": score >= 70,
                    "fatal": rng.random() < 0.05,
                }
            )
    _insert(Conversation, talks)

    typing, decisions = [], []
    for user_id in ids:
        for _ in range(rng.randint(0, 3)):
            started = now - timedelta(days=rng.uniform(0, 30))
            speed = round(rng.uniform(20, 90), 1)
            typing.append(
                {
                    "user_id": user_id,
                    "release_id": live.id,
                    "passage_id": "bench",
                    "lang": "zh",
                    "started_at": started,
                    "submitted_at": started + timedelta(minutes=1),
                    "typed": "",
                    "chars_per_minute": speed,
                    "accuracy": 97.0,
                    "passed": speed >= 50,
                }
            )
        if rng.random() < 0.1:
            decisions.append(
                {
                    "trainee_id": user_id,
                    "decided_by_id": boss.id,
                    "sequence": 1,
                    "previous_state": "in_progress",
                    "outcome": rng.choice(("confirmed", "extended", "failed")),
                    "reason": "bench",
                    "decided_at": now - timedelta(days=1),
                    "evidence": {},
                }
            )
    _insert(TypingAttempt, typing)
    _insert(ProbationDecision, decisions)
    rebuild_standings(db.session.connection())  # bulk inserts skip the ORM's events
    db.session.commit()
    _reset_sequences()
    return boss


def _insert(model, rows: list[dict]) -> None:
    from training.extensions import db

    for start in range(0, len(rows), BATCH):
        db.session.execute(sa.insert(model), rows[start : start + BATCH])


def _reset_sequences() -> None:
    """Explicit ids leave PostgreSQL's sequences behind; move them past the rows written."""
    from training.extensions import db

    if db.engine.dialect.name != "postgresql":
        return
    for table in ("user", "quiz_attempt"):
        db.session.execute(
            sa.text(
                f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                f'(SELECT max(id) FROM "{table}"))'
            )
        )
    db.session.commit()


def _settle(db) -> None:
    """Planner statistics (and, on PostgreSQL, the visibility map that index-only scans need)
    as a production database has them once autovacuum has seen the rows."""
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(sa.text("VACUUM ANALYZE"))
    else:
        db.session.execute(sa.text("ANALYZE"))
        db.session.commit()


class QueryCounter:
    """Counts the SQL statements an engine runs while active."""

    def __init__(self, engine):
        self.engine = engine
        self.count = 0

    def _count(self, *args, **kwargs):
        self.count += 1

    def __enter__(self):
        sa.event.listen(self.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *exc):
        sa.event.remove(self.engine, "before_cursor_execute", self._count)


def measure(client, engine, url: str, requests: int) -> tuple[float, int, int]:
    """(median milliseconds, queries of one request, response bytes) of GET url."""
    response = client.get(url)  # warm up: templates compiled, release parsed
    assert response.status_code == 200, (url, response.status_code)
    with QueryCounter(engine) as counter:
        client.get(url)
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), counter.count, len(response.data)


sys.path.insert(0, str(ROOT))  # run as a script, only benchmarks/ is on the path
from benchmarks.throwaway_db import fresh_database  # noqa: E402


def run(args) -> list[tuple[str, float, int, int]]:
    """Seed one database and measure the pages; returns (page, ms, queries, bytes) rows."""
    from flask_migrate import upgrade

    from training import create_app
    from training.accounts.models import TRAINEE, User
    from training.core.worker import prepare_worker
    from training.curriculum.parser import read_tree
    from training.curriculum.queries import live_release
    from training.curriculum.services import sync_content
    from training.extensions import db

    with fresh_database(args.database_url, prefix="kefu_bench") as url:
        app = create_app(
            {"SQLALCHEMY_DATABASE_URI": url, "ARGON2_TIME_COST": 1, "ARGON2_MEMORY_COST": 8192}
        )
        with app.app_context():
            with contextlib.redirect_stderr(io.StringIO()):
                upgrade()  # quietly: Alembic logs each migration
            sync_content(files=read_tree(ROOT / "content"))
            started = time.perf_counter()
            seed_cohort(
                live_release(),
                trainees=args.trainees,
                attempts=args.attempts,
                conversations=args.conversations,
                answers=args.answers,
            )
            seeded = time.perf_counter() - started
            _settle(db)
            engine = db.engine
            first_trainee = db.session.scalar(
                sa.select(User.id).filter_by(role=TRAINEE).order_by(User.id)
            )
        # What a server process does before its first request (wsgi.py), garbage collector
        # settings included: the figures are those of a running worker.
        prepare_worker(app)
        client = app.test_client()
        client.post("/login", data={"username": SUPERVISOR, "password": PASSWORD})
        rows = [
            (page, *measure(client, engine, page, args.requests))
            for page in (
                "/supervisor/trainees",
                "/quizzes/statistics",
                f"/supervisor/trainees/{first_trainee}",
            )
        ]
        with app.app_context():
            db.engine.dispose()
    kind = "PostgreSQL" if args.database_url else "SQLite"
    print(
        f"{kind}: {args.trainees} trainees x {args.attempts} quiz attempts "
        f"({args.answers} answers each), {args.conversations} conversations; "
        f"seeded in {seeded:.1f} s"
    )
    print(f"{'page':<28} {'median ms':>10} {'queries':>8} {'KB':>8}")
    for page, ms, queries, size in rows:
        print(f"{page:<28} {ms:>10.1f} {queries:>8} {size / 1024:>8.0f}")
    return rows


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--trainees", type=int, default=2000)
    parser.add_argument("--attempts", type=int, default=100, help="quiz attempts per trainee")
    parser.add_argument("--conversations", type=int, default=20, help="per trainee")
    parser.add_argument("--answers", type=int, default=10, help="graded answers per attempt")
    parser.add_argument("--requests", type=int, default=5, help="timed requests per page")
    parser.add_argument("--database-url", help="a PostgreSQL server URL (default: SQLite)")
    parser.add_argument("--tiny", action="store_true", help="5 trainees, a smoke run for CI")
    args = parser.parse_args(argv)
    if args.tiny:
        args.trainees, args.attempts, args.conversations, args.requests = 5, 4, 2, 1
    return args


def main(argv=None) -> None:
    run(parse_args(argv))


if __name__ == "__main__":
    main()
