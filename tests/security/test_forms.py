"""Forms and output: CSRF on every state change and none on GET, hardening headers on every
response, injection strings in every query parameter."""

import time

import pytest
from itsdangerous.timed import TimestampSigner

from tests.factories import PASSWORD, make_admin, make_supervisor, make_trainee
from tests.html import without_csrf_tokens
from tests.security.helpers import route_ids, sign_in_with_csrf, snapshot
from tests.test_access_table import ACCESS

POSTS = sorted(endpoint for endpoint, (method, _, _) in ACCESS.items() if method == "POST")
GETS = sorted(endpoint for endpoint, (method, _, _) in ACCESS.items() if method == "GET")


def _role_for(expected: dict) -> str | None:
    """A signed-in role the route lets in (None: anyone, signed in or not)."""
    return next(
        (role for role in ("trainee", "supervisor", "admin") if expected[role] not in (403,)),
        None,
    )


@pytest.fixture
def csrf_app(make_app, content_files):
    from training.curriculum.services import sync_content

    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        sync_content(files=content_files)
        yield app


def _world(live):
    supervisor = make_supervisor("sam")
    trainee = make_trainee("amy", supervisor=supervisor)
    make_admin("admin")
    return {"trainee": "amy", "supervisor": "sam", "admin": "admin"}, route_ids(trainee, live)


@pytest.mark.parametrize("endpoint", POSTS)
def test_every_state_change_refuses_a_missing_wrong_or_expired_csrf_token(
    csrf_app, endpoint, monkeypatch
):
    from training.curriculum.queries import live_release

    names, ids = _world(live_release())
    method, path, expected = ACCESS[endpoint]
    client = csrf_app.test_client()
    role = _role_for(expected)
    token = sign_in_with_csrf(client, names[role or "trainee"], PASSWORD)
    url = path.format(**ids)
    before = snapshot()
    # A form as the page would send it, apart from the token.
    form = {"locale": "en", "outcome": "failed", "reason": "x", "reply": "亲", "token": "t"}
    for label, data in (
        ("missing", form),
        ("wrong", form | {"csrf_token": token[:-4] + "AAAA"}),
        ("other session", form | {"csrf_token": _token_of_another_session(csrf_app)}),
    ):
        response = client.open(url, method=method, data=data)
        assert response.status_code == 400, (label, response.status_code)
        assert snapshot() == before, label
    expired_at = TimestampSigner.get_timestamp
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: expired_at(self) + 13 * 3600)
    response = client.open(url, method=method, data=form | {"csrf_token": token})
    assert response.status_code == 400 and snapshot() == before


def _token_of_another_session(app) -> str:
    from tests.security.helpers import csrf_token_of

    return csrf_token_of(app.test_client().get("/login").get_data(as_text=True))


def test_a_valid_token_is_accepted(csrf_app):
    """The refusals above are the token's doing: the same request with it goes through."""
    from training.curriculum.queries import live_release

    _world(live_release())
    client = csrf_app.test_client()
    token = sign_in_with_csrf(client, "amy", PASSWORD)
    response = client.post("/language", data={"locale": "en", "csrf_token": token})
    assert response.status_code == 302


def test_a_sessions_pages_share_a_token_for_a_minute_and_no_one_else_gets_it(csrf_app, monkeypatch):
    from tests.security.helpers import csrf_token_of
    from training.curriculum.queries import live_release

    _world(live_release())
    client, other = csrf_app.test_client(), csrf_app.test_client()
    sign_in_with_csrf(client, "amy", PASSWORD)
    sign_in_with_csrf(other, "amy", PASSWORD)

    def token_on(some_client, path: str) -> str:
        return csrf_token_of(some_client.get(path).get_data(as_text=True))

    # The start of a minute to come, and a clock the tokens' signing reads too.
    minute = (int(time.time()) // 60 + 1) * 60
    clock = [minute + 1]
    monkeypatch.setattr(time, "time", lambda: clock[0])
    first = token_on(client, "/path")
    clock[0] = minute + 40  # Flask-WTF alone would sign it anew, with this time in it
    assert token_on(client, "/scenarios") == first
    # Another sign-in of the same trainee, and the sign-in page before it, have their own.
    assert token_on(other, "/path") != first
    assert token_on(csrf_app.test_client(), "/login") != first
    # The next minute, pages carry a token signed anew; both it and the older one are accepted.
    clock[0] = minute + 61
    later = token_on(client, "/path")
    assert later != first
    for token in (first, later):
        response = client.post("/language", data={"locale": "en", "csrf_token": token})
        assert response.status_code == 302
    # Signing out and in again starts a new session: its pages never carry the old token.
    client.post("/logout", data={"csrf_token": later})
    sign_in_with_csrf(client, "amy", PASSWORD)
    assert token_on(client, "/path") not in (first, later)


@pytest.mark.parametrize("role", ["anonymous", "trainee", "supervisor", "admin"])
def test_no_get_changes_anything(client, auth, live_content, role):
    names, ids = _world(live_content)
    if role != "anonymous":
        auth.login(names[role])
    before = snapshot()
    for endpoint in GETS:
        _, path, _ = ACCESS[endpoint]
        client.get(path.format(**ids)).close()
        assert snapshot() == before, endpoint


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/login", 200),
        ("GET", "/", 302),
        ("GET", "/static/css/app.css", 200),
        ("GET", "/no-such-page", 404),
        ("DELETE", "/login", 405),
        ("POST", "/language", 400),
        ("GET", "/admin/accounts", 302),
    ],
)
def test_hardening_headers_on_every_response(client, method, path, status):
    with client.open(path, method=method) as response:
        assert response.status_code == status
        _assert_hardened(response)


def _assert_hardened(response):
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
    assert "'unsafe-inline'" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Request-ID"]


def test_hardening_headers_on_500_and_429(make_app):
    app = make_app(TESTING=False, LOGIN_LIMIT_PER_CLIENT="1 per minute")

    @app.get("/boom")
    def boom():
        raise RuntimeError("internals")

    client = app.test_client()
    _assert_hardened(client.get("/boom"))
    client.post("/login", data={"username": "x", "password": "y"})
    limited = client.post("/login", data={"username": "x", "password": "y"})
    assert limited.status_code == 429
    _assert_hardened(limited)


INJECTIONS = [
    "' OR '1'='1",
    "1; DROP TABLE user; --",
    '" UNION SELECT password_hash, username FROM "user" --',
    "%' OR username LIKE '%",
    "1) OR (1=1",
    "\\'; SELECT pg_sleep(0); --",
]

PARAMETERS = [
    ("sam", "/supervisor/trainees", "show"),
    ("sam", "/supervisor/trainees", "sort"),
    ("admin", "/admin/accounts", "role"),
    ("admin", "/admin/accounts", "cohort"),
    ("amy", "/search", "q"),
    ("sam", "/search", "q"),
]


@pytest.mark.parametrize("payload", INJECTIONS)
def test_injection_strings_in_every_filter_sort_and_search_parameter(client, auth, people, payload):
    for username, path, name in PARAMETERS:
        auth.login(username)
        response = client.get(path, query_string={name: payload})
        page = without_csrf_tokens(response.get_data(as_text=True))
        assert response.status_code == 200, (path, name)
        assert "$argon2" not in page and "pbkdf2" not in page
        if username == "sam":
            assert "bob" not in page.lower(), (path, name)  # tom's trainee stays hidden
        auth.logout()
    assert people["bob"].username == "bob"  # the table is still there
