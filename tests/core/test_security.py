"""Security baseline: headers, CSRF, cookies, secrets, errors."""

import pytest

from tests.factories import PASSWORD, make_trainee
from training import create_app
from training.config import Config


@pytest.mark.parametrize("path", ["/login", "/no-such-page", "/static/css/app.css"])
def test_security_headers_on_every_response(client, path):
    with client.get(path) as response:
        csp = response.headers["Content-Security-Policy"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
    assert "frame-ancestors 'none'" in csp


def test_error_pages_are_translated(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404 and "页面不存在" in response.get_data(as_text=True)
    response = client.get("/no-such-page", headers={"Accept-Language": "en"})
    assert "This page does not exist" in response.get_data(as_text=True)


def test_unexpected_error_shows_no_traceback(make_app):
    app = make_app(TESTING=False)

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internals")

    response = app.test_client().get("/boom")
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "secret internals" not in page and "Traceback" not in page
    assert response.headers["Content-Security-Policy"]


def test_state_changes_need_a_csrf_token(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        make_trainee("amy")
    client = app.test_client()
    response = client.post("/login", data={"username": "amy", "password": PASSWORD})
    assert response.status_code == 400
    assert client.post("/language", data={"locale": "en"}).status_code == 400


def test_session_cookie_flags(make_app):
    app = make_app(SESSION_COOKIE_SECURE=True)
    with app.app_context():
        make_trainee("amy")
    client = app.test_client()
    response = client.post("/login", data={"username": "amy", "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie


def test_production_refuses_to_start_without_a_secret(monkeypatch):
    class Production(Config):
        SECRET_KEY = None

    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(Production)


def test_postgres_urls_use_psycopg3(monkeypatch):
    from training.config import _database_url

    monkeypatch.setenv("DATABASE_URL", "postgresql://u@h/db")
    assert _database_url("") == "postgresql+psycopg://u@h/db"
