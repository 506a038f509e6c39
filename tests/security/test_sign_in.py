"""Signing in and out, as each role, and everything that can go wrong on the way."""

from datetime import timedelta

import pytest
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from tests.factories import PASSWORD, make_admin, make_supervisor, make_trainee, make_user
from training.accounts.models import LoginSession
from training.extensions import db, limiter


@pytest.mark.parametrize(
    ("maker", "home"),
    [
        (make_trainee, "/path"),
        (make_supervisor, "/supervisor/trainees"),
        (make_admin, "/admin/accounts"),
    ],
)
def test_each_role_lands_on_its_home(client, auth, maker, home):
    user = maker()
    response = auth.login(user.username)
    assert response.status_code == 302
    assert response.headers["Location"] == home
    assert client.get(home).status_code == 200


def test_unknown_user_and_wrong_password_look_the_same(client, auth):
    make_trainee("amy")
    wrong = auth.login("amy", "not-the-password")
    unknown = auth.login("nobody", "not-the-password")
    assert wrong.status_code == unknown.status_code == 200
    assert "用户名或密码错误" in wrong.get_data(as_text=True)
    # The form keeps what was typed; apart from that the two pages are identical.
    assert wrong.get_data(as_text=True).replace('value="amy"', "") == unknown.get_data(
        as_text=True
    ).replace('value="nobody"', "")


def test_username_is_case_insensitive(auth):
    make_trainee("amy")
    assert auth.login("  AMY ").status_code == 302


def test_disabled_account_cannot_sign_in(app, auth):
    user = make_trainee("amy")
    from training.accounts.services import set_active

    set_active(user=user, active=False)
    assert auth.login("amy").status_code == 200


def test_disabling_ends_open_sessions(app, client, auth):
    user = make_trainee("amy")
    auth.login("amy")
    assert client.get("/path").status_code == 200
    from training.accounts.services import set_active

    set_active(user=user, active=False)
    response = client.get("/path")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_copied_cookie_is_refused_after_sign_out(app, client, auth):
    make_trainee("amy")
    auth.login("amy")
    copy = app.test_client()
    copy.set_cookie("session", client.get_cookie("session").value)
    assert copy.get("/path").status_code == 200
    auth.logout()
    assert copy.get("/path").status_code == 302


def test_session_identifier_changes_at_sign_in(app, client, auth):
    make_trainee("amy")
    client.get("/login")
    before = client.get_cookie("session")
    auth.login("amy")
    after = client.get_cookie("session")
    assert after is not None and (before is None or before.value != after.value)
    first_sid = db.session.scalars(select(LoginSession.id)).one()
    auth.logout()
    auth.login("amy")
    assert db.session.scalars(select(LoginSession.id).where(LoginSession.id != first_sid)).one()


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example",
        "//evil.example",
        "/\\evil.example",
        "javascript:alert(1)",
        "\\\\evil",
    ],
)
def test_next_never_leaves_the_site(auth, target):
    make_trainee("amy")
    response = auth.login("amy", query_string={"next": target})
    assert response.headers["Location"] == "/path"


def test_next_to_a_local_page_is_followed(auth):
    make_trainee("amy")
    response = auth.login("amy", query_string={"next": "/password?x=1"})
    assert response.headers["Location"] == "/password?x=1"


def test_idle_session_expires(app, client, auth):
    make_trainee("amy")
    auth.login("amy")
    login_session = db.session.scalars(select(LoginSession)).one()
    login_session.last_seen_at -= timedelta(minutes=app.config["SESSION_IDLE_MINUTES"] + 1)
    db.session.commit()
    assert client.get("/path").status_code == 302


def test_absolute_lifetime_is_enforced(app, client, auth):
    make_trainee("amy")
    auth.login("amy")
    login_session = db.session.scalars(select(LoginSession)).one()
    login_session.created_at -= app.config["PERMANENT_SESSION_LIFETIME"] + timedelta(minutes=1)
    db.session.commit()
    assert client.get("/path").status_code == 302


def test_one_time_password_must_be_changed_first(app, client, auth):
    from training.accounts.services import create_user

    _, one_time = create_user(name="New", username="newbie", role="trainee")
    response = auth.login("newbie", one_time)
    assert response.status_code == 302
    assert client.get("/path").headers["Location"] == "/password"
    response = client.post(
        "/password",
        data={
            "current_password": one_time,
            "new_password": "my-own-secret-1",
            "confirm": "my-own-secret-1",
        },
    )
    assert response.headers["Location"] == "/path"
    assert client.get("/path").status_code == 200


def test_password_change_ends_other_sessions(app, client, auth):
    make_trainee("amy")
    auth.login("amy")
    other = app.test_client()
    other.post("/login", data={"username": "amy", "password": PASSWORD})
    assert other.get("/path").status_code == 200
    client.post(
        "/password",
        data={
            "current_password": PASSWORD,
            "new_password": "another-secret-9",
            "confirm": "another-secret-9",
        },
    )
    assert client.get("/path").status_code == 200
    assert other.get("/path").status_code == 302


def test_rejected_password_form_keeps_nothing_secret_but_says_why(client, auth):
    make_trainee("amy")
    auth.login("amy")
    response = client.post(
        "/password", data={"current_password": "wrong", "new_password": "short", "confirm": "short"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "至少 10 个字符" in page


def test_legacy_hash_is_upgraded_on_sign_in(app, auth):
    user = make_trainee("amy")
    user.password_hash = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
    db.session.commit()
    assert auth.login("amy").status_code == 302
    db.session.refresh(user)
    assert user.password_hash.startswith("$argon2")


def test_sign_in_is_rate_limited_per_account(make_app):
    app = make_app(LOGIN_LIMIT_PER_ACCOUNT="3 per minute")
    with app.app_context():
        make_user("amy")
    client = app.test_client()
    codes = [
        client.post(
            "/login",
            data={"username": "amy", "password": "wrong"},
            environ_base={"REMOTE_ADDR": f"10.0.0.{n}"},
        ).status_code
        for n in range(5)
    ]
    assert codes[:3] == [200, 200, 200] and codes[3:] == [429, 429]


def test_sign_in_is_rate_limited_per_client_ignoring_forwarded_for(make_app):
    app = make_app(LOGIN_LIMIT_PER_CLIENT="3 per minute")
    client = app.test_client()
    codes = [
        client.post(
            "/login",
            data={"username": f"user{n}", "password": "wrong"},
            headers={"X-Forwarded-For": f"203.0.113.{n}"},
        ).status_code
        for n in range(5)
    ]
    assert codes.count(429) == 2


def test_a_limit_on_every_page_would_still_apply(make_app):
    # The limits sit on views, and the extension's check before every request is dropped
    # while there are no others: one set for the whole app must bring it back.
    app = make_app(RATELIMIT_DEFAULT="2 per minute")
    try:
        client = app.test_client()
        codes = [client.get("/").status_code for _ in range(3)]
    finally:
        limiter.limit_manager.set_default_limits([])  # the extension outlives this test's app
    assert codes == [302, 302, 429]
