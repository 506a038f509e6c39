"""Access control: every route decided on purpose, other people's objects answer 404, a
supervisor reaches only their own trainees, forged fields and denied requests change nothing."""

import logging

import pytest
from sqlalchemy import func, select

from tests.html import without_csrf_tokens
from tests.test_access_table import ACCESS
from training.extensions import db
from training.probation.models import ProbationDecision
from training.quizzes.models import AttemptAnswer, QuizAttempt
from training.quizzes.services import start_attempt, submit_attempt
from training.roleplay.models import Conversation, ConversationTurn
from training.roleplay.services import end_conversation, send_reply, start_conversation


def test_the_route_table_covers_every_route(app):
    rules = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert rules <= set(ACCESS), sorted(rules - set(ACCESS))


def _quiz_and_conversation(user, live):
    attempt = start_attempt(user_id=user.id, quiz_slug="welcome", live=live)
    done = start_attempt(user_id=user.id, quiz_slug="after-sale", live=live)
    submit_attempt(attempt=done, answers={})
    conversation = start_conversation(
        user_id=user.id,
        live=live,
        slug="haggling-phone-case",
        mode="assessed",
        input="text",
        lang="zh",
    )
    send_reply(conversation=conversation, client_token="t1", text="亲，您好，在的～")
    finished = start_conversation(
        user_id=user.id,
        live=live,
        slug="haggling-phone-case",
        mode="practice",
        input="text",
        lang="zh",
    )
    end_conversation(conversation=finished)
    return attempt, done, conversation, finished


def _counts():
    return [
        db.session.scalar(select(func.count()).select_from(model))
        for model in (QuizAttempt, AttemptAnswer, Conversation, ConversationTurn)
    ]


def test_a_trainee_cannot_reach_another_trainees_attempts_or_conversations(
    client, auth, people, live_content
):
    attempt, done, conversation, finished = _quiz_and_conversation(people["bob"], live_content)
    before = _counts()
    auth.login("amy")
    requests = [
        ("GET", f"/attempts/{attempt.id}", {}),
        ("POST", f"/attempts/{attempt.id}/save", {"q-x": "a"}),
        ("POST", f"/attempts/{attempt.id}/submit", {}),
        ("GET", f"/attempts/{attempt.id}/review", {}),
        ("GET", f"/attempts/{done.id}/review", {}),
        ("POST", f"/attempts/{done.id}/practice", {}),
        ("GET", f"/conversations/{conversation.id}", {}),
        ("POST", f"/conversations/{conversation.id}/reply", {"reply": "亲", "token": "x"}),
        ("POST", f"/conversations/{conversation.id}/end", {}),
        ("GET", f"/conversations/{finished.id}/result", {}),
        ("GET", f"/conversations/{conversation.id}/result", {}),
    ]
    for method, path, data in requests:
        response = client.open(path, method=method, data=data)
        page = without_csrf_tokens(response.get_data(as_text=True))
        assert response.status_code == 404, path
        assert "亲，您好，在的" not in page and "bob" not in page.lower(), path
    assert _counts() == before and attempt.is_open and not conversation.finished


def test_a_supervisor_cannot_open_another_supervisors_trainee(client, auth, people, live_content):
    bob = people["bob"]
    attempt, done, conversation, finished = _quiz_and_conversation(bob, live_content)
    end_conversation(conversation=conversation)
    auth.login("sam")
    for path in (
        f"/supervisor/trainees/{bob.id}",
        f"/attempts/{done.id}/review",
        f"/conversations/{conversation.id}/result",
        f"/conversations/{finished.id}/result",
        f"/certificate/{bob.id}",
    ):
        response = client.get(path)
        assert response.status_code in (403, 404), path
        assert "亲，您好，在的" not in response.get_data(as_text=True)
    # Their own trainee's pages open.
    assert client.get(f"/supervisor/trainees/{people['amy'].id}").status_code == 200


@pytest.mark.parametrize("who", ["sam", "admin"])
def test_nobody_signs_off_a_trainee_not_theirs_nor_themselves(client, auth, people, who):
    auth.login(who)
    data = {"outcome": "failed", "reason": "没有达到要求。"}
    targets = [people[who].id] + ([people["bob"].id] if who == "sam" else [])
    for target in targets:
        assert client.post(f"/probation/{target}/decide", data=data).status_code == 404
    assert db.session.scalar(select(func.count()).select_from(ProbationDecision)) == 0


def test_forged_fields_on_a_submission_are_ignored(client, auth, people, live_content):
    attempt = start_attempt(user_id=people["amy"].id, quiz_slug="welcome", live=live_content)
    auth.login("amy")
    forged = {
        "score": "100",
        "score_percent": "100",
        "passed": "true",
        "status": "open",
        "user_id": str(people["bob"].id),
        "deadline_at": "2099-01-01T00:00:00",
        "attempt_id": "999999",
        "role": "admin",
        "supervisor": str(people["sam"].id),
    }
    response = client.post(f"/attempts/{attempt.id}/submit", data=forged)
    assert response.status_code == 302
    db.session.refresh(attempt)
    assert attempt.score_percent == 0 and attempt.passed is False
    assert attempt.user_id == people["amy"].id
    assert people["amy"].role == "trainee" and people["amy"].supervisor_id == people["sam"].id


def test_forged_fields_on_a_decision_and_an_account_are_ignored(client, auth, people):
    amy = people["amy"]
    auth.login("sam")
    client.post(
        f"/probation/{amy.id}/decide",
        data={
            "outcome": "failed",
            "reason": "未达到要求。",
            "sequence": "0",
            "role": "admin",
            "supervisor": "0",
            "decided_by_id": str(people["tom"].id),
            "trainee_id": str(people["bob"].id),
        },
    )
    row = db.session.scalars(select(ProbationDecision)).one()
    assert (row.trainee_id, row.decided_by_id) == (amy.id, people["sam"].id)
    db.session.refresh(amy)
    assert amy.role == "trainee" and amy.supervisor_id == people["sam"].id


def test_denied_requests_are_logged_with_user_route_and_request_id(
    client, auth, people, live_content, caplog
):
    attempt, *_ = _quiz_and_conversation(people["bob"], live_content)
    auth.login("amy")
    with caplog.at_level(logging.WARNING):
        response = client.get(f"/attempts/{attempt.id}")
        admin_page = client.get("/admin/accounts")
    assert response.status_code == 404 and admin_page.status_code == 403
    denied = [r.getMessage() for r in caplog.records if "access denied" in r.getMessage()]
    assert len(denied) == 2
    assert f"user={people['amy'].id}" in denied[0]
    assert "route=/attempts/<int:attempt_id>" in denied[0]
    assert f"request_id={response.headers['X-Request-ID']}" in denied[0]
    assert "status=403" in denied[1] and "route=/admin/accounts" in denied[1]


def test_a_request_id_is_kept_only_from_a_trusted_proxy(make_app):
    plain = make_app().test_client().get("/login", headers={"X-Request-ID": "proxy-123"})
    assert plain.headers["X-Request-ID"] not in ("", "proxy-123")
    trusted = make_app(TRUST_REQUEST_ID=True).test_client()
    assert (
        trusted.get("/login", headers={"X-Request-ID": "proxy-123"}).headers["X-Request-ID"]
        == "proxy-123"
    )
    forged = trusted.get("/login", headers={"X-Request-ID": "a b<script>" * 10})
    assert "<" not in forged.headers["X-Request-ID"]
