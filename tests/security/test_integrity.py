"""Assessment integrity and faults: parallel starts, the transcript as the only source of a
conversation's score, a plain 503 when the database is gone, all-or-nothing under SIGKILL.

Proved beside the feature and not repeated here: two parallel submissions grade once
(tests/quizzes/test_submit.py::test_two_submissions_at_once_grade_once and the stale-page
tests there), a new release leaves open attempts and conversations alone
(tests/quizzes/test_versioning.py, tests/roleplay/test_versioning.py).
"""

import contextlib
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import func, select

from tests.factories import PASSWORD, make_trainee
from training import create_app
from training.curriculum.models import ContentRelease
from training.extensions import db
from training.quizzes import services as quiz_services
from training.quizzes.models import OPEN, AttemptAnswer, QuizAttempt
from training.roleplay import engine
from training.roleplay.models import ConversationTurn
from training.roleplay.services import current_state, scenario_of, start_conversation

ROOT = Path(__file__).resolve().parents[2]


def test_parallel_starts_never_exceed_the_attempt_limit(make_app, content_files, monkeypatch):
    from training.curriculum.queries import live_release
    from training.curriculum.services import sync_content

    app = make_app()
    with app.app_context():
        sync_content(files=content_files)
        user_id = make_trainee("amy").id
    # Each start waits (briefly) just before creating its attempt for the others to get there:
    # only possible if they all passed the "open attempt? attempts left?" checks together.
    meeting = threading.Barrier(3, timeout=3)
    real = quiz_services.quiz_definition

    def slow_definition(live, slug):
        with contextlib.suppress(threading.BrokenBarrierError):
            meeting.wait()
        return real(live, slug)

    monkeypatch.setattr(quiz_services, "quiz_definition", slow_definition)
    started, failures = [], []

    def start():
        with app.app_context():
            try:
                attempt = quiz_services.start_attempt(
                    user_id=user_id, quiz_slug="welcome", live=live_release()
                )
                started.append(attempt.id)
            except Exception as error:  # noqa: BLE001 (reported by the assertion below)
                failures.append(repr(error))

    threads = [threading.Thread(target=start) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == []
    assert len(set(started)) == 1  # all three resumed the one attempt
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(QuizAttempt)) == 1


def test_a_conversation_is_scored_only_from_its_stored_transcript(client, auth, live_content):
    amy = make_trainee("amy")
    conversation = start_conversation(
        user_id=amy.id,
        live=live_content,
        slug="haggling-phone-case",
        mode="assessed",
        input="text",
        lang="zh",
    )
    auth.login("amy")
    url = f"/conversations/{conversation.id}/reply"
    client.post(url, data={"reply": "亲，您好！在的～", "token": "first"})
    [first] = db.session.scalars(select(ConversationTurn)).all()
    kept = (first.reply, first.score, first.result)
    # Sending the first turn again with other words, or naming its position, edits nothing.
    client.post(url, data={"reply": "完全不同的回答", "token": "first"})
    client.post(
        url,
        data={
            "reply": "亲",
            "token": "x",
            "position": "0",
            "turn_id": "open",
            "score": "100",
            "result": "{}",
        },
    )
    client.post(f"/conversations/{conversation.id}/end", data={"score": "100", "passed": "1"})
    db.session.expire_all()
    turns = db.session.scalars(select(ConversationTurn).order_by(ConversationTurn.position)).all()
    assert (turns[0].reply, turns[0].score, turns[0].result) == kept
    assert [turn.position for turn in turns] == list(range(len(turns)))
    # The scorecard is what the engine makes of the stored turns, nothing posted.
    scenario = scenario_of(conversation)
    card = engine.scorecard(scenario, current_state(conversation))
    assert conversation.score == card.overall and conversation.passed == card.passed


def test_there_is_no_route_that_edits_a_past_turn(app):
    editing = [
        rule.rule
        for rule in app.url_map.iter_rules()
        if "conversation" in rule.rule and rule.methods & {"PUT", "PATCH", "DELETE"}
    ]
    assert editing == []


@pytest.mark.parametrize(
    "url",
    ["sqlite:////nonexistent-folder/kefu.sqlite", "postgresql+psycopg://nobody@127.0.0.1:1/kefu"],
)
def test_an_unreachable_database_gives_a_plain_503_and_no_sign_in(url):
    from training.config import _database_url

    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": url.replace("postgresql://", "postgresql+psycopg://")}
    )
    assert _database_url  # the same driver the real configuration picks
    client = app.test_client()
    with client.session_transaction() as session:
        session.update({"_user_id": "1", "sid": "a-live-session", "_fresh": True})
    for response in (
        client.post("/login", data={"username": "amy", "password": PASSWORD}),
        client.get("/path"),
    ):
        page = response.get_data(as_text=True)
        assert response.status_code == 503
        assert "Traceback" not in page and "sqlite" not in page.lower()
        assert "psycopg" not in page and "OperationalError" not in page
        assert response.headers["Content-Security-Policy"]
        assert "_user_id" not in str(response.headers.getlist("Set-Cookie"))
    with app.app_context():
        db.engine.dispose()


def _kill_mid(database_url: str, *arguments: str) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "tests.security.killed_worker", database_url, *arguments],
        cwd=ROOT,
        capture_output=True,
        timeout=300,
        check=False,
    )
    assert completed.returncode == -signal.SIGKILL, completed.stderr.decode()[-2000:]


def _integrity_ok() -> None:
    if db.engine.dialect.name == "sqlite":
        assert db.session.execute(sa.text("PRAGMA integrity_check")).scalar() == "ok"


def test_a_worker_killed_mid_submission_leaves_the_attempt_as_it_was(
    app, database_url, live_content
):
    amy = make_trainee("amy")
    attempt = quiz_services.start_attempt(user_id=amy.id, quiz_slug="welcome", live=live_content)
    _kill_mid(database_url, "submit", str(attempt.id))
    db.session.expire_all()
    assert attempt.status == OPEN and attempt.score_percent is None
    assert db.session.scalar(select(func.count()).select_from(AttemptAnswer)) == 0
    _integrity_ok()
    # The trainee carries on: the attempt submits normally.
    assert quiz_services.submit_attempt(attempt=attempt, answers={}).graded_now


def test_a_worker_killed_mid_sync_publishes_nothing(app, database_url):
    _kill_mid(database_url, "sync", str(ROOT / "content"))
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(ContentRelease)) == 0
    _integrity_ok()
