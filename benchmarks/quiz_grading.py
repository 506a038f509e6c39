"""How fast quizzes are graded: answers per second, and one exam submission end to end.

    .venv/bin/python benchmarks/quiz_grading.py [--answers 10000] [--runs 7]

1. `grading.grade` over N answers of every question type, drawn from the shipped bank (right,
   wrong and partly right answers in turn, as the grader meets them).
2. A 40-question final-exam attempt submitted through the Flask test client on a fresh SQLite
   database (routes, validation, grading, review cards, commit), median of several runs, plus
   the review page that follows.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import statistics
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

from training.curriculum.parser import read_tree
from training.curriculum.release import parse_release
from training.quizzes import grading
from training.quizzes.answers import field_name
from training.quizzes.schema import Question

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "bench-password-42"
# Any key will do for timing; the app derives one per attempt.
SECRET = "bench-secret"


# --------------------------------------------------------------------------- answers


def answers_for(question: Question) -> list:
    """A right, a wrong and (where the type has one) a partly right answer."""
    right = grading.correct_answer(question, secret=SECRET)
    kind, data = question.type, question.data
    if kind in ("single", "case"):
        return [right, next(o.id for o in data.options if o.id != right)]
    if kind == "multiple":
        wrong = [o.id for o in data.options if o.id not in right]
        return [right, wrong[:1] or right[:1], right[:1] + wrong[:1]]
    if kind == "true_false":
        return [right, not right]
    if kind == "ordering":
        return [right, right[::-1], right[1:] + right[:1]]
    if kind == "matching":
        rights = list(right.values())
        return [right, dict(zip(right, rights[1:] + rights[:1], strict=True))]
    if kind == "short":
        return [right, " ５０。 ", "something else entirely"]
    raise AssertionError(kind)


def grading_throughput(bank, count: int) -> None:
    questions = bank.all_questions()
    pairs = []
    cycle = [(q, a) for q in questions for a in answers_for(q)]
    while len(pairs) < count:
        pairs.extend(cycle[: count - len(pairs)])
    kinds = Counter(q.type for q, _ in pairs)
    by_kind: dict[str, float] = defaultdict(float)
    grade = grading.grade
    for question, answer in pairs[:500]:  # warm up
        grade(question, answer, secret=SECRET)
    for question, answer in pairs:  # per type (the timer calls add a little to each)
        began = time.perf_counter()
        grade(question, answer, secret=SECRET)
        by_kind[question.type] += time.perf_counter() - began
    plain = time.perf_counter()
    for question, answer in pairs:
        grade(question, answer, secret=SECRET)
    plain = time.perf_counter() - plain
    print(f"Grading: {len(pairs):,} answers from {len(questions)} questions of the shipped bank")
    print(f"  total {plain * 1000:.1f} ms  ->  {len(pairs) / plain:,.0f} answers/s")
    print(f"  per answer {plain / len(pairs) * 1e6:.1f} µs (mean)")
    for kind in sorted(kinds):
        mean = by_kind[kind] / kinds[kind] * 1e6
        print(f"    {kind:<11} {kinds[kind]:>5} answers  {mean:6.1f} µs each")


# --------------------------------------------------------------------------- exam end to end


def exam_form(bank, attempt) -> dict:
    from training.quizzes.queries import attempt_secret

    secret = attempt_secret(attempt)
    form: dict = {}
    for question_id in attempt.question_ids:
        question = bank.question(question_id)
        view = grading.present(question, "zh", attempt.seed, secret=secret)
        answer = grading.correct_answer(question, secret=secret)
        kind = view["type"]
        if kind == "true_false":
            form[field_name(view)] = "true" if answer else "false"
        elif kind == "ordering":
            for position, item_id in enumerate(answer, 1):
                form[field_name(view, item_id)] = str(position)
        elif kind == "matching":
            for left, right in answer.items():
                form[field_name(view, left)] = right
        else:
            form[field_name(view)] = answer
    return form


def exam_submission(files: dict, runs: int) -> None:
    from flask_migrate import upgrade

    from training import create_app
    from training.accounts import services as accounts
    from training.accounts.models import TRAINEE
    from training.curriculum.queries import live_release
    from training.curriculum.services import sync_content
    from training.extensions import db
    from training.quizzes.models import QuizAttempt
    from training.quizzes.queries import attempt_secret
    from training.quizzes.services import start_attempt, submit_attempt

    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.sqlite'}"
        app = create_app({"SQLALCHEMY_DATABASE_URI": url})
        with app.app_context(), contextlib.redirect_stderr(io.StringIO()):
            upgrade()  # quietly: Alembic logs each migration
        with app.app_context():
            sync_content(files=files)
            bank = live_release().release.quizzes
        submit_times, review_times = [], []
        for run in range(runs):
            with app.app_context():
                live = live_release()
                user, _ = accounts.create_user(
                    username=f"bench{run}", role=TRAINEE, password=PASSWORD, name=f"Bench {run}"
                )
                for slug in bank.quizzes:  # the exam opens once every module quiz is passed
                    attempt = start_attempt(user_id=user.id, quiz_slug=slug, live=live)
                    submit_attempt(
                        attempt=attempt,
                        answers={
                            q: grading.correct_answer(
                                bank.question(q), secret=attempt_secret(attempt)
                            )
                            for q in attempt.question_ids
                        },
                    )
            client = app.test_client()
            client.post("/login", data={"username": f"bench{run}", "password": PASSWORD})
            location = client.post(f"/quizzes/{bank.exam.slug}/start").headers["Location"]
            attempt_id = int(location.rsplit("/", 1)[1])
            with app.app_context():
                attempt = db.session.get(QuizAttempt, attempt_id)
                form = exam_form(bank, attempt)
                assert len(attempt.question_ids) == 40
            started = time.perf_counter()
            response = client.post(f"/attempts/{attempt_id}/submit", data=form)
            submit_times.append(time.perf_counter() - started)
            assert response.status_code == 302, response.status_code
            started = time.perf_counter()
            review = client.get(response.headers["Location"])
            review_times.append(time.perf_counter() - started)
            assert review.status_code == 200
            with app.app_context():
                attempt = db.session.get(QuizAttempt, attempt_id)
                assert attempt.passed and attempt.score_percent == 100
        with app.app_context():
            db.engine.dispose()

    def ms(values):
        return ", ".join(f"{value * 1000:.1f}" for value in values)

    print(f"Exam submission: 40-question attempt via the Flask test client, SQLite, {runs} runs")
    print(f"  POST /attempts/<id>/submit  median {statistics.median(submit_times) * 1000:.1f} ms")
    print(f"    runs (ms): {ms(submit_times)}")
    print(f"  GET  /attempts/<id>/review  median {statistics.median(review_times) * 1000:.1f} ms")
    print(f"    runs (ms): {ms(review_times)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--answers", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=7)
    options = parser.parse_args()
    files = read_tree(ROOT / "content")
    bank = parse_release(files).quizzes
    grading_throughput(bank, options.answers)
    print()
    exam_submission(files, options.runs)


if __name__ == "__main__":
    main()
