"""Helpers of the security suite: every object a route can name, a snapshot of the database,
and signing in through the real form (with its CSRF token)."""

from __future__ import annotations

import re
from html import unescape

import sqlalchemy as sa

from training.extensions import db
from training.probation.services import start_typing
from training.quizzes.services import start_attempt, start_practice, submit_attempt
from training.roleplay.live_services import open_session
from training.roleplay.services import (
    add_quick_reply,
    end_conversation,
    send_reply,
    start_conversation,
)

# Touched by every signed-in request (the idle timeout): not a state change the user made.
VOLATILE_TABLES = ("login_session",)
# Opening a lesson notes where the trainee is ("continue where you left off"); only a completed
# lesson is progress, and that takes a POST.
READING_TABLES = ("lesson_progress",)


def route_ids(trainee, live) -> dict[str, int]:
    """An object of each kind the routes in tests/test_access_table.py name, owned by trainee
    (the live session is opened by the trainee's supervisor)."""
    attempt = start_attempt(user_id=trainee.id, quiz_slug="welcome", live=live)
    submitted = start_practice(
        user_id=trainee.id, quiz_slug="welcome", question_ids=["welcome-core-group"], live=live
    )
    submit_attempt(attempt=submitted, answers={})
    conversation, finished = (
        start_conversation(
            user_id=trainee.id,
            live=live,
            slug="haggling-phone-case",
            mode="practice",
            input="text",
            lang="zh",
        )
        for _ in range(2)
    )
    send_reply(conversation=finished, client_token="first", text="亲，您好！")
    end_conversation(conversation=finished)
    live_session = open_session(
        opener=trainee.supervisor, partner=trainee, live=live, slug=None, topic="议价", lang="zh"
    )
    return {
        "trainee": trainee.id,
        "attempt": attempt.id,
        "submitted": submitted.id,
        "conversation": conversation.id,
        "finished": finished.id,
        "turn": finished.turns[0].id,
        "live": live_session.id,
        "quick": add_quick_reply(user_id=trainee.id, text="亲，您好！").id,
        "typing": start_typing(user_id=trainee.id, live=live, lang="zh").id,
    }


def snapshot() -> dict[str, list]:
    """Every row of every table (row counts only for the volatile ones)."""
    db.session.expire_all()
    state = {}
    for table in db.metadata.sorted_tables:
        if table.name in VOLATILE_TABLES:
            state[table.name] = db.session.scalar(sa.select(sa.func.count()).select_from(table))
            continue
        query = sa.select(table).order_by(*table.primary_key.columns)
        if table.name in READING_TABLES:
            query = sa.select(
                table.c.user_id, table.c.module_slug, table.c.lesson_slug, table.c.completed_at
            ).where(table.c.completed_at.is_not(None))
        rows = db.session.execute(query)
        state[table.name] = [tuple(map(repr, row)) for row in rows]
    db.session.rollback()
    return state


def csrf_token_of(html: str) -> str:
    """The CSRF token a page's forms carry."""
    return unescape(re.search(r'name="csrf_token" value="([^"]+)"', html).group(1))


def sign_in_with_csrf(client, username: str, password: str) -> str:
    """Sign in through the real form; return a token valid for this session's next forms."""
    token = csrf_token_of(client.get("/login").get_data(as_text=True))
    response = client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token}
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return csrf_token_of(client.get("/password").get_data(as_text=True))
