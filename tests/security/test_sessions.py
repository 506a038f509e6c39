"""Sign-in and sessions: limits that proxies and workers cannot split, cookies, lifetimes.

Proved in test_sign_in.py beside this file and not repeated here: the same
message for an unknown user and a wrong password, the legacy hash upgrade, `next` never
leaving the site, a new session id at sign-in, a copied cookie refused after sign-out,
disabling ending live sessions, the idle timeout and the absolute lifetime.
"""

import uuid

import pytest
import redis

from tests.factories import PASSWORD, make_trainee, make_user

REDIS_URL = "redis://127.0.0.1:6379/0"


def _wrong_password(client, username="amy", **kwargs):
    return client.post("/login", data={"username": username, "password": "wrong"}, **kwargs)


def test_rotating_x_forwarded_for_does_not_escape_the_limit(make_app):
    app = make_app(LOGIN_LIMIT_PER_CLIENT="3 per minute")
    client = app.test_client()
    codes = [
        _wrong_password(client, f"user{n}", headers={"X-Forwarded-For": f"203.0.113.{n}"})
        for n in range(6)
    ]
    assert [r.status_code for r in codes] == [200, 200, 200, 429, 429, 429]


def test_forwarded_for_is_used_only_behind_a_configured_proxy(make_app):
    app = make_app(LOGIN_LIMIT_PER_CLIENT="3 per minute", TRUSTED_PROXIES=1)
    client = app.test_client()
    codes = [
        _wrong_password(client, f"user{n}", headers={"X-Forwarded-For": f"203.0.113.{n}"})
        for n in range(6)
    ]
    # Behind one trusted proxy each forwarded address is a different client.
    assert {r.status_code for r in codes} == {200}


@pytest.fixture
def redis_storage():
    """A Redis storage URI with a key prefix of this test's own; its keys are removed after."""
    connection = redis.Redis.from_url(REDIS_URL)
    try:
        connection.ping()
    except redis.ConnectionError:
        pytest.skip("no Redis server on 127.0.0.1:6379")
    prefix = f"kefu-test-{uuid.uuid4().hex[:10]}"
    yield prefix
    for key in connection.scan_iter(f"*{prefix}*"):
        connection.delete(key)
    connection.close()


def test_the_limit_is_shared_by_every_worker_through_redis(make_app, redis_storage):
    settings = {
        "RATELIMIT_STORAGE_URI": REDIS_URL,
        "RATELIMIT_KEY_PREFIX": redis_storage,
        "LOGIN_LIMIT_PER_ACCOUNT": "4 per minute",
    }
    workers = [make_app(**settings), make_app(**settings)]
    with workers[0].app_context():
        make_user("amy")
    codes = []
    for n in range(8):  # a load balancer sending the attempts to each worker in turn
        worker = workers[n % 2]
        with worker.app_context():
            response = _wrong_password(
                worker.test_client(), environ_base={"REMOTE_ADDR": f"10.0.0.{n}"}
            )
        codes.append(response.status_code)
    assert codes == [200] * 4 + [429] * 4


def test_every_cookie_the_app_sets_is_httponly_samesite_and_secure_over_https(make_app):
    app = make_app(SESSION_COOKIE_SECURE=True, REMEMBER_COOKIE_SECURE=True)
    with app.app_context():
        make_trainee("amy")
        client = app.test_client()
        https = {"base_url": "https://localhost"}
        responses = [
            client.get("/login", **https),
            client.post("/language", data={"locale": "en"}, **https),
            client.post(
                "/login",
                data={"username": "amy", "password": PASSWORD, "remember": "y"},
                **https,
            ),
            client.get("/path", **https),
            client.post("/language", data={"locale": "zh_CN"}, **https),
            client.post("/logout", **https),
        ]
    cookies = [c for r in responses for c in r.headers.getlist("Set-Cookie")]
    assert cookies, "signing in sets a cookie"
    for cookie in cookies:
        flags = {part.strip().split("=")[0].lower() for part in cookie.split(";")}
        assert {"httponly", "secure", "samesite"} <= flags, cookie
        assert "samesite=lax" in cookie.lower() or "samesite=strict" in cookie.lower()
