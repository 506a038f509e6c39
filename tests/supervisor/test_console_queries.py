"""The console reads a cohort in a fixed number of queries, and the batch read gives every trainee
exactly the evidence the single-trainee path (their own checklist) gives."""

import pytest
import sqlalchemy as sa

from benchmarks.supervisor_console import PASSWORD, QueryCounter, seed_cohort
from tests.factories import make_admin, make_supervisor, make_trainee
from tests.probation.conftest import hired_ago
from tests.probation.helpers import (
    console_rows,
    extend,
    main_html,
    make_ready,
    pass_typing,
    play_assessed,
    required_scenarios,
    start_typing,
)
from tests.quizzes.helpers import complete_module, move_back, take_quiz
from training.accounts.queries import roster_ids_of
from training.clock import today
from training.curriculum.models import LessonProgress
from training.curriculum.queries import path_for
from training.extensions import db
from training.probation import rules
from training.probation import services as probation
from training.probation.models import ProbationDecision, TypingAttempt
from training.probation.queries import evidence_of
from training.quizzes.models import QuizAttempt
from training.quizzes.queries import answer_groups
from training.roleplay.models import ASSESSED, TRAINEE_ROLE, Conversation, LiveParticipant
from training.roleplay.services import end_conversation, start_conversation

PAGES = ("/supervisor/trainees", "/supervisor/trainees.csv", "/supervisor/charts")


def _queries(client, url: str) -> int:
    client.get(url)  # the first request may parse the release; count a steady one
    with QueryCounter(db.engine) as counter:
        assert client.get(url).status_code == 200
    return counter.count


@pytest.mark.parametrize("url", PAGES)
def test_the_number_of_queries_does_not_grow_with_the_cohort(app, live_content, url):
    counts = {}
    for size in (2, 25):
        username = f"sup{size}"
        seed_cohort(
            live_content,
            trainees=size,
            attempts=6,
            conversations=3,
            answers=3,
            supervisor_username=username,
            seed=size,
        )
        client = app.test_client()
        client.post("/login", data={"username": username, "password": PASSWORD})
        counts[size] = _queries(client, url)
        if url == PAGES[0]:
            assert len(console_rows(main_html(client.get(url)))) == size
    assert counts[2] == counts[25], counts
    assert counts[25] <= 16


def _reference_evidence(trainee, live) -> rules.Evidence:
    """The evidence of one trainee worked out row by row from the ORM, the plain way."""
    bank = live.release.quizzes
    attempts = db.session.scalars(
        sa.select(QuizAttempt).filter_by(user_id=trainee.id, mode="assessed", status="submitted")
    ).all()
    passed = {a.quiz_slug for a in attempts if a.passed}
    exam_scores = [a.score_percent for a in attempts if a.quiz_slug == bank.exam.slug]
    required = tuple(s.slug for s in live.release.scenarios.values() if s.required)
    runs = db.session.scalars(
        sa.select(Conversation)
        .filter(
            Conversation.user_id == trainee.id,
            Conversation.mode == "assessed",
            Conversation.finished_at.is_not(None),
        )
        .order_by(Conversation.finished_at, Conversation.id)
    ).all()
    scenarios = {}
    for slug in required:
        mine = [run for run in runs if run.scenario_slug == slug]
        if mine:
            scenarios[slug] = rules.ScenarioResult(
                best_score=max(run.effective_score or 0.0 for run in mine),
                passed=any(run.effective_passed for run in mine),
                fatal=mine[-1].effective_fatal,
            )
    typing = [
        t
        for t in db.session.scalars(sa.select(TypingAttempt).filter_by(user_id=trainee.id))
        if t.submitted_at is not None
    ]
    best = max(typing, key=lambda t: (bool(t.passed), t.chars_per_minute or 0.0), default=None)
    decision = db.session.scalar(
        sa.select(ProbationDecision)
        .filter_by(trainee_id=trainee.id)
        .order_by(ProbationDecision.id.desc())
        .limit(1)
    )
    lessons = {
        row.key
        for row in db.session.scalars(sa.select(LessonProgress).filter_by(user_id=trainee.id))
        if row.completed_at
    }
    scorecards = [
        seat.session.scorecard.percent
        for seat in db.session.scalars(
            sa.select(LiveParticipant).filter_by(user_id=trainee.id, role=TRAINEE_ROLE)
        )
        if seat.session.kind == ASSESSED and seat.session.scorecard is not None
    ]
    return rules.Evidence(
        hire_date=trainee.hire_date,
        probation_end=trainee.probation_end,
        lessons_total=len(live.curriculum.lessons()),
        lessons_done=sum(lesson.key in lessons for lesson in live.curriculum.lessons()),
        quizzes_total=len(bank.quizzes),
        quizzes_passed=len(set(bank.quizzes) & passed),
        exam_best=max(exam_scores) if exam_scores else None,
        required_scenarios=required,
        scenario_results=scenarios,
        typing_best=rules.TypingScore(best.chars_per_minute or 0.0, best.accuracy or 0.0)
        if best
        else None,
        live_roleplay_best=max(scorecards) if scorecards else None,
        live_roleplay_available=True,
        decision=rules.Decision(decision.outcome, decision.decided_at.date()) if decision else None,
    )


def _varied_cohort(supervisor, live):
    """Trainees at every stage, built through the real services."""
    people = [
        make_trainee(f"t{n}", name=f"T{n}", supervisor=supervisor, hire_date=hired_ago(10 * n))
        for n in range(8)
    ]
    idle, started, failing, ready, confirmed, extended, slipped, typist = people
    complete_module(started, live, "welcome")
    take_quiz(started, "welcome", live)
    wrong = [q.id for q in live.release.quizzes.quiz("welcome").questions]
    for _ in range(3):
        move_back(take_quiz(failing, "welcome", live, wrong=wrong), minutes=11)
    make_ready(ready, live)
    make_ready(confirmed, live)
    probation.record_decision(
        trainee=confirmed, decided_by=supervisor, outcome="confirmed", reason="ok", live=live
    )
    make_ready(extended, live, typing=False)
    extend(extended, supervisor, live, reason="more practice")
    # A clean run followed by one that broke a fatal rule: the latest counts.
    slug = required_scenarios(live)[0]
    play_assessed(slipped, live, slug)
    late = play_assessed(slipped, live, slug)
    late.fatal = True
    late.passed = False
    db.session.commit()
    unfinished = start_conversation(
        user_id=slipped.id, live=live, slug=slug, mode="assessed", input="text", lang="zh"
    )
    assert unfinished.finished_at is None
    end_conversation(
        conversation=start_conversation(
            user_id=slipped.id, live=live, slug=slug, mode="practice", input="text", lang="zh"
        )
    )
    pass_typing(typist, live)
    start_typing(typist, live)  # never submitted: does not count
    return people


def test_the_batch_gives_each_trainee_the_evidence_of_their_own_checklist(supervisor, live_content):
    people = _varied_cohort(supervisor, live_content)
    batch = evidence_of(people, live_content)
    assert set(batch) == {person.id for person in people}
    for person in people:
        alone = probation.gather_evidence(person, live_content)
        with_path = probation.gather_evidence(
            person, live_content, path_for(person.id, live_content)
        )
        reference = _reference_evidence(person, live_content)
        assert batch[person.id] == alone == with_path == reference, person.username
    states = {
        person.username: rules.readiness(
            live_content.release.probation, batch[person.id], today()
        ).state
        for person in people
    }
    assert states["t3"] == rules.READY and states["t4"] == rules.DECIDED
    assert batch[people[6].id].scenario_results[required_scenarios(live_content)[0]].fatal
    assert batch[people[2].id].quizzes_passed == 0


def test_each_viewers_roster_reads_their_own_trainees(supervisor, live_content):
    # A roster's reads are built once and shared by every viewer: each must still read its own.
    ours = _varied_cohort(supervisor, live_content)
    other = make_supervisor("bea")
    theirs = [make_trainee(f"b{n}", supervisor=other) for n in range(2)]
    make_ready(theirs[0], live_content)
    take_quiz(theirs[1], "welcome", live_content)
    admin = make_admin("boss")
    for viewer, people in ((supervisor, ours), (other, theirs), (admin, ours + theirs)):
        roster = roster_ids_of(viewer)
        ids = [person.id for person in people]
        assert evidence_of(people, live_content, among=roster) == evidence_of(people, live_content)
        assert sorted(answer_groups(roster)) == sorted(answer_groups(ids)), viewer.username
        assert answer_groups(ids)


def test_evidence_of_nobody_is_empty(app, live_content):
    assert evidence_of([], live_content) == {}


def test_a_trainee_without_content_sees_no_readiness(as_supervisor_without_content):
    (row,) = console_rows(main_html(as_supervisor_without_content.get("/supervisor/trainees")))
    assert row["state"] is None


@pytest.fixture
def as_supervisor_without_content(client, auth, supervisor, trainee):
    auth.login(supervisor.username)
    return client


def test_the_supervisor_sees_only_their_cohorts_data_on_every_page(client, auth, live_content):
    seed_cohort(
        live_content,
        trainees=3,
        attempts=4,
        conversations=2,
        answers=2,
        supervisor_username="ann",
        seed=1,
    )
    make_supervisor("bea")
    auth.login("bea")
    assert console_rows(main_html(client.get("/supervisor/trainees"))) == []
    body = client.get("/supervisor/trainees.csv").get_data(as_text=True)
    assert len(body.strip().splitlines()) == 1  # the header alone
