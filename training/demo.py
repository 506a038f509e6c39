"""`flask demo`: an idempotent set of demo accounts, and a cohort at varied stages of
probation so the supervisor's console has something to show on first start.

The stories are made through the real services (lessons completed, quizzes answered and graded,
simulated-buyer conversations played with the manual's model replies, typing tests scored, a
decision recorded), so every figure the console shows is genuine evidence.
"""

from datetime import datetime, time, timedelta

import click
from flask.cli import with_appcontext

from training.accounts import services
from training.accounts.models import ADMIN, SUPERVISOR, TRAINEE, User
from training.clock import today, utcnow
from training.curriculum.queries import LiveRelease, live_release
from training.curriculum.services import complete_lesson
from training.probation import services as probation
from training.quizzes import grading
from training.quizzes.queries import attempt_secret
from training.quizzes.services import start_attempt, submit_attempt
from training.roleplay import live_services
from training.roleplay import services as roleplay
from training.roleplay.models import ASSESSED, BUYER, TEXT, TRAINEE_ROLE

DEMO_PASSWORD = "kefu-demo-2026"
DEMO_COHORT = "Demo cohort"

# (username, name, role, supervisor, days since hire)
DEMO_PEOPLE = (
    ("admin", "Admin 管理员", ADMIN, None, None),
    ("lin", "林静 Lin Jing", SUPERVISOR, None, None),
    ("zhou", "周强 Zhou Qiang", SUPERVISOR, None, None),
    ("wang", "王小雨 Wang Xiaoyu", TRAINEE, "lin", 10),
    ("chen", "陈晨 Chen Chen", TRAINEE, "lin", 25),
    ("li", "李娜 Li Na", TRAINEE, "lin", 60),
    ("zhao", "赵磊 Zhao Lei", TRAINEE, "zhou", 5),
    ("sun", "孙悦 Sun Yue", TRAINEE, "zhou", 40),
    # Hired longer ago than the 90-day probation: overdue, waiting for a decision.
    ("wu", "吴迪 Wu Di", TRAINEE, "zhou", 95),
)


def create_demo_accounts() -> list[tuple[str, str]]:
    """Create whichever demo accounts are missing; return (username, role) of all of them."""
    cohort = services.get_or_create_cohort(name=DEMO_COHORT)
    for username, name, role, supervisor, days in DEMO_PEOPLE:
        if services.find_user(username):
            continue
        services.create_user(
            name=name,
            username=username,
            role=role,
            email=f"{username}@demo.kefu.example",
            cohort=cohort if role == TRAINEE else None,
            supervisor=services.find_user(supervisor) if supervisor else None,
            hire_date=today() - timedelta(days=days) if days is not None else None,
            password=DEMO_PASSWORD,
        )
    return [(username, role) for username, _, role, _, _ in DEMO_PEOPLE]


# --------------------------------------------------------------------------- evidence


# 09:30 in China (UTC+8), when the shop's working day starts.
MORNING = time(1, 30)
QUIZ_AFTER_READING = timedelta(hours=5)


def study_days(user: User, count: int) -> list[datetime]:
    """``count`` mornings spread evenly from the day after the trainee's hire to today, so the
    console's charts and timelines show progress over time, not all of it at one moment."""
    now = utcnow()
    first = datetime.combine(user.hire_date + timedelta(days=1), MORNING)
    last = datetime.combine(now.date(), MORNING)
    if last + QUIZ_AFTER_READING >= now:  # that day's quiz would be in the future
        last -= timedelta(days=1)
    first = min(first, last)
    if count <= 1:
        return [last] * count
    step = (last - first) / (count - 1)
    return [datetime.combine((first + step * n).date(), MORNING) for n in range(count)]


def read_modules(user: User, live: LiveRelease, days: list[datetime]) -> None:
    """Complete every lesson of the first ``len(days)`` modules, one module a day (its lessons
    twenty minutes apart)."""
    for module, day in zip(live.curriculum.modules, days, strict=False):
        for n, lesson in enumerate(module.lessons):
            complete_lesson(
                user_id=user.id,
                release_id=live.id,
                module_slug=module.slug,
                lesson_slug=lesson.slug,
                now=day + timedelta(minutes=20 * n),
            )


def pass_module_quizzes(user: User, live: LiveRelease, days: list[datetime]) -> None:
    """Pass the quizzes of the first ``len(days)`` modules, each on its module's day, after
    the reading."""
    quiz_of = {quiz.module_slug: slug for slug, quiz in live.release.quizzes.quizzes.items()}
    for module, day in zip(live.curriculum.modules, days, strict=False):
        if module.slug in quiz_of:
            answer_quiz(user, live, quiz_of[module.slug], right=True, now=day + QUIZ_AFTER_READING)


def answer_quiz(user: User, live: LiveRelease, slug: str, *, right: bool, now=None) -> None:
    """Take a quiz as the trainee would: every answer right, or nothing answered (a fail)."""
    attempt = start_attempt(user_id=user.id, quiz_slug=slug, live=live, now=now)
    bank = live.release.quizzes
    secret = attempt_secret(attempt)
    answers = (
        {
            qid: grading.correct_answer(bank.question(qid), secret=secret)
            for qid in attempt.question_ids
        }
        if right
        else {}
    )
    submit_attempt(attempt=attempt, answers=answers, now=now)


def play_scenario(user: User, live: LiveRelease, slug: str) -> None:
    """An assessed conversation answered with the manual's model replies."""
    conversation = roleplay.start_conversation(
        user_id=user.id, live=live, slug=slug, mode=ASSESSED, input=TEXT, lang="zh"
    )
    scenario = live.release.scenarios[slug]
    for n in range(50):  # every scenario ends well before; the bound only guards the loop
        if conversation.finished:
            break
        turn = scenario.turn(conversation.state["turn_id"])
        roleplay.send_reply(
            conversation=conversation, client_token=f"demo-{n}", text=turn.model["zh"]
        )


def pass_typing(user: User, live: LiveRelease) -> None:
    """A typing test copied exactly, submitted after ninety seconds."""
    attempt = probation.start_typing(user_id=user.id, live=live, lang="zh")
    text = probation.passage_of(attempt).text
    probation.submit_typing(
        attempt=attempt, typed=text, now=attempt.started_at + timedelta(seconds=90)
    )


def hold_live_roleplay(user: User, live: LiveRelease, slug: str) -> None:
    """A live session with the supervisor as the buyer: the scenario's opening line, the
    manual's model reply, then closed and scored 4 of 5 on every dimension."""
    supervisor = user.supervisor
    session = live_services.open_session(
        opener=supervisor, partner=user, live=live, slug=slug, topic="", lang="zh"
    )
    turn = live.release.scenarios[slug].first_turn
    for role, sender, text in (
        (BUYER, supervisor, turn.buyer["zh"]),
        (TRAINEE_ROLE, user, turn.model["zh"]),
    ):
        live_services.send_message(
            session=session,
            sender=sender,
            role=role,
            text=text,
            client_token=f"demo-{role}",
            turn_id=turn.id,
        )
    live_services.close_session(session=session, user=supervisor)
    live_services.score_session(
        session=session,
        supervisor=supervisor,
        ratings=dict.fromkeys(live_services.dimensions_of(session), 4),
        comments="应对得体，先安抚再给方案。",
    )


def complete_everything(user: User, live: LiveRelease) -> None:
    """Every criterion of the policy met, with genuine evidence: the modules and their quizzes
    over the weeks since hire, the exam, the conversations and the tests today."""
    days = study_days(user, len(live.curriculum.modules))
    read_modules(user, live, days)
    pass_module_quizzes(user, live, days)
    if live.release.quizzes.exam:
        answer_quiz(user, live, live.release.quizzes.exam.slug, right=True)
    for slug, scenario in live.release.scenarios.items():
        if scenario.required:
            play_scenario(user, live, slug)
    pass_typing(user, live)
    hold_live_roleplay(user, live, next(iter(live.release.scenarios)))


# --------------------------------------------------------------------------- the stories


def early(modules: int, quizzes: int):
    """A trainee at an early stage: a few modules read, some of their quizzes passed."""

    def story(user: User, live: LiveRelease) -> None:
        days = study_days(user, modules)
        read_modules(user, live, days)
        pass_module_quizzes(user, live, days[:quizzes])

    return story


def first_lesson(user: User, live: LiveRelease) -> None:
    """Just started: the first lesson read."""
    module = live.curriculum.modules[0]
    complete_lesson(
        user_id=user.id,
        release_id=live.id,
        module_slug=module.slug,
        lesson_slug=module.lessons[0].slug,
    )


def at_risk(user: User, live: LiveRelease) -> None:
    """The first module quiz failed three times, the last four days ago, and nothing since."""
    slug = next(iter(live.release.quizzes.quizzes))
    for days_ago in (6, 5, 4):
        answer_quiz(user, live, slug, right=False, now=utcnow() - timedelta(days=days_ago))


def confirmed(user: User, live: LiveRelease) -> None:
    """Everything done, and confirmed by the supervisor: a certificate to show."""
    complete_everything(user, live)
    probation.record_decision(
        trainee=user,
        decided_by=user.supervisor,
        outcome="confirmed",
        reason="全部达标，服务态度稳定，准予转正。",
        live=live,
    )


def overdue(user: User, live: LiveRelease) -> None:
    """Half the lessons and quizzes; the probation end has passed with no decision."""
    half = len(live.curriculum.modules) // 2
    early(half, half)(user, live)


DEMO_STORIES = {
    "wang": early(2, 1),
    "chen": at_risk,
    "li": complete_everything,  # ready for sign-off
    "zhao": first_lesson,
    "sun": confirmed,
    "wu": overdue,
}


def add_demo_progress() -> None:
    """Give each demo trainee their story, once a curriculum is live; a trainee who already
    has any recorded activity is left as they are, so running it again changes nothing."""
    live = live_release()
    if live is None:
        return
    for username, story in DEMO_STORIES.items():
        user = services.find_user(username)
        if user is None or probation.last_activity(user.id) or probation.latest_decision(user.id):
            continue
        story(user, live)


@click.command("demo")
@with_appcontext
def demo_command():
    """Create the demo accounts and their probation stories (safe to run again)."""
    accounts = create_demo_accounts()
    add_demo_progress()
    click.echo(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
    for username, role in accounts:
        click.echo(f"  {role:<11} {username}")
