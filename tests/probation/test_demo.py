"""`flask demo` seeds a cohort at varied stages of probation, from genuine evidence, once."""

from sqlalchemy import func, select

from training.accounts.models import User
from training.clock import utcnow
from training.curriculum.models import LessonProgress
from training.extensions import db
from training.probation.models import ProbationDecision, TypingAttempt
from training.probation.services import readiness_of
from training.quizzes.models import QuizAttempt
from training.roleplay.models import Conversation
from training.supervisor.queries import cohort_rows


def _counts() -> tuple[int, ...]:
    models = (QuizAttempt, Conversation, TypingAttempt, ProbationDecision, User)
    return tuple(db.session.scalar(select(func.count()).select_from(m)) for m in models)


def test_the_demo_cohort_is_at_every_stage_and_seeding_twice_changes_nothing(runner, live_content):
    assert runner.invoke(args=["demo"]).exit_code == 0
    seeded = _counts()
    assert runner.invoke(args=["demo"]).exit_code == 0
    assert _counts() == seeded

    trainees = list(db.session.scalars(select(User).filter_by(role="trainee")))
    rows = {row.trainee.username: row for row in cohort_rows(trainees, live_content)}
    states = {name: row.readiness.state for name, row in rows.items()}
    assert states == {
        "wang": "in_progress",
        "chen": "in_progress",
        "li": "ready",
        "zhao": "in_progress",
        "sun": "decided",
        "wu": "overdue",
    }
    assert {"inactive", "failing"} <= set(rows["chen"].flags)
    li = rows["li"].trainee
    readiness = readiness_of(li, live_content)
    assert {c.state for c in readiness.criteria} == {"met"}
    # The supervised role-play is a real session: the supervisor's scorecard counts.
    assert readiness.status("live_roleplay").detail["best"] >= 70

    # Li read a module a day over the weeks since hire, and passed its quiz the same day;
    # none of the history lies before the hire or in the future.
    read = list(db.session.scalars(select(LessonProgress.completed_at).filter_by(user_id=li.id)))
    passed = list(
        db.session.scalars(select(QuizAttempt.submitted_at).filter_by(user_id=li.id, passed=True))
    )
    assert len({at.date() for at in read}) == len(live_content.curriculum.modules)
    assert {at.date() for at in read} <= {at.date() for at in passed}
    assert li.hire_date < min(read).date() and max(read + passed) <= utcnow()

    (decision,) = db.session.scalars(select(ProbationDecision))
    sun = rows["sun"].trainee
    assert (decision.trainee_id, decision.outcome) == (sun.id, "confirmed")
    assert decision.decided_by_id == sun.supervisor_id and decision.verification_code
    assert not decision.override
    # The evidence is real: graded attempts and finished conversations.
    assert db.session.scalar(
        select(func.count(Conversation.id)).filter(
            Conversation.user_id == li.id, Conversation.passed.is_(True)
        )
    )
