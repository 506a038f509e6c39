"""Each trainee's standing per quiz and per scenario says what their attempts and runs say,
whichever way those were written, and a rolled-back write leaves it as it was."""

import importlib.util
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.probation.conftest import hired_ago
from tests.probation.helpers import play_assessed, required_scenarios
from tests.quizzes.helpers import move_back, take_quiz
from training.core.standings import rebuild_standings
from training.extensions import db
from training.quizzes.models import QuizStanding
from training.roleplay.models import ScenarioStanding
from training.roleplay.services import override_score

MIGRATION = next(
    (Path(__file__).resolve().parents[2] / "migrations" / "versions").glob("*_standings.py")
)
TABLES = (QuizStanding.__table__, ScenarioStanding.__table__)


@pytest.fixture
def trainee(app):
    from tests.factories import make_supervisor, make_trainee

    boss = make_supervisor("sam")
    return make_trainee("amy", supervisor=boss, hire_date=hired_ago(20))


def _rows() -> dict[str, list[tuple]]:
    return {
        table.name: sorted(tuple(row) for row in db.session.execute(sa.select(table)))
        for table in TABLES
    }


def _rows_rebuilt_by(rebuild) -> dict[str, list[tuple]]:
    """The standings as ``rebuild`` writes them into empty tables; the kept ones are put back."""
    for table in TABLES:
        db.session.execute(table.delete())
    rebuild()
    rows = _rows()
    db.session.rollback()
    return rows


def _rebuilt() -> dict[str, list[tuple]]:
    return _rows_rebuilt_by(lambda: rebuild_standings(db.session.connection()))


def _quiz_standing(user_id: int, slug: str) -> QuizStanding:
    db.session.expire_all()
    return db.session.get(QuizStanding, (user_id, slug))


def _fail(trainee, live, slug="welcome"):
    wrong = [q.id for q in live.release.quizzes.quiz(slug).questions]
    attempt = take_quiz(trainee, slug, live, wrong=wrong)
    move_back(attempt, minutes=11)  # past the retake delay
    return attempt


def test_submissions_keep_the_quiz_standing(trainee, live_content):
    assert _quiz_standing(trainee.id, "welcome") is None
    first = _fail(trainee, live_content)
    second = _fail(trainee, live_content)
    standing = _quiz_standing(trainee.id, "welcome")
    assert (standing.fails, standing.last_pass_at) == (2, None)
    assert standing.last_fail_at == second.submitted_at > first.submitted_at
    assert standing.best_score == max(first.score_percent, second.score_percent)

    passed = take_quiz(trainee, "welcome", live_content)
    standing = _quiz_standing(trainee.id, "welcome")
    assert (standing.fails, standing.best_score) == (2, passed.score_percent)
    assert standing.last_pass_at == passed.submitted_at
    assert _rows() == _rebuilt()


def test_a_correction_through_the_orm_rewrites_the_standing(trainee, live_content):
    attempt = _fail(trainee, live_content)
    attempt.passed, attempt.score_percent = True, 100.0  # as a re-grade does
    db.session.commit()
    standing = _quiz_standing(trainee.id, "welcome")
    assert (standing.fails, standing.best_score) == (0, 100.0)
    assert standing.last_pass_at == attempt.submitted_at
    assert _rows() == _rebuilt()


def test_a_rolled_back_write_leaves_the_standing_as_it_was(trainee, live_content):
    attempt = _fail(trainee, live_content)
    before = _rows()
    attempt.passed = True
    db.session.flush()
    assert _quiz_standing(trainee.id, "welcome").last_pass_at is not None
    db.session.rollback()
    assert _rows() == before


def test_finished_runs_and_overrides_keep_the_scenario_standing(trainee, live_content):
    from tests.factories import make_supervisor

    slug = required_scenarios(live_content)[0]
    run = play_assessed(trainee, live_content, slug)
    standing = db.session.get(ScenarioStanding, (trainee.id, slug))
    assert (standing.best_score, standing.passed, standing.fatal) == (run.score, True, False)

    # A supervisor's override is written with a Core UPDATE, which the ORM's events miss.
    boss = make_supervisor("lin")
    override_score(conversation=run, author=boss, score=10, fatal=True, reason="泄露了买家电话")
    db.session.expire_all()
    standing = db.session.get(ScenarioStanding, (trainee.id, slug))
    assert (standing.best_score, standing.passed, standing.fatal) == (10.0, False, True)
    assert _rows() == _rebuilt()


def test_a_standing_is_rewritten_from_its_own_trainee_rows_only(trainee, live_content):
    """The refresh after a submission reads the trainee's attempts and replaces their standing
    through the indexes, not by going over every trainee's rows: the cost of a submit must not
    grow with the whole database. SQLite's planner is the one that went wrong (PostgreSQL plans
    the list of row values itself)."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("the query plan checked is SQLite's")
    refreshes = []

    def note(_connection, _cursor, statement, parameters, *_args):
        if statement.startswith(("INSERT INTO quiz_standing", "DELETE FROM quiz_standing")):
            refreshes.append((statement, parameters))

    sa.event.listen(db.engine, "before_cursor_execute", note)
    try:
        _fail(trainee, live_content)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", note)
    assert {statement.split()[0] for statement, _ in refreshes} == {"DELETE", "INSERT"}
    raw = db.session.connection().connection.dbapi_connection
    for statement, parameters in refreshes:
        query = statement[statement.index("SELECT") :] if "SELECT" in statement else statement
        steps = [row[3] for row in raw.execute(f"EXPLAIN QUERY PLAN {query}", parameters)]
        reads = [step for step in steps if "quiz_attempt" in step or "quiz_standing" in step]
        assert reads and all("(user_id=?" in step for step in reads), steps


def test_the_migration_fills_the_standings_as_the_app_keeps_them(trainee, live_content):
    """What an existing database gets on upgrade equals what the app would have kept."""
    _fail(trainee, live_content)
    take_quiz(trainee, "welcome", live_content)
    for slug in required_scenarios(live_content)[:2]:
        play_assessed(trainee, live_content, slug)
    spec = importlib.util.spec_from_file_location("standings_migration", MIGRATION)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)

    def fill():
        db.session.execute(sa.text(migration.FILL_QUIZ_STANDING))
        db.session.execute(sa.text(migration.FILL_SCENARIO_STANDING))

    kept = _rows()
    assert kept["quiz_standing"] and kept["scenario_standing"]
    assert _rows_rebuilt_by(fill) == kept
