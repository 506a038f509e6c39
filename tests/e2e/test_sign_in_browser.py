"""Each role signs in through a real browser and switches the interface language."""

import pytest

from tests.e2e.conftest import screenshot
from tests.factories import PASSWORD, make_admin, make_supervisor, make_trainee


def _sign_in(page, base, username):
    page.goto(f"{base}/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()


@pytest.mark.parametrize(
    ("maker", "username", "heading_zh", "heading_en"),
    [
        (make_trainee, "trainee", "我的学习路径", "My path"),
        (make_supervisor, "sup", "我的学员", "My trainees"),
        (make_admin, "boss", "账号", "Accounts"),
    ],
)
def test_role_signs_in_and_switches_language(
    live_server, page, maker, username, heading_zh, heading_en
):
    app, base = live_server
    with app.app_context():
        supervisor = make_supervisor("lead") if maker is make_trainee else None
        maker(**({"supervisor": supervisor} if supervisor else {}))
    refused = []  # every address the page asked for and did not get: a stylesheet, a script

    def note_refused(response):
        if response.status >= 400:
            refused.append(response.url)

    page.on("response", note_refused)
    _sign_in(page, base, username)
    page.get_by_role("heading", name=heading_zh, level=1).wait_for()
    screenshot(page, f"home-{username}-zh")
    page.get_by_role("button", name="English").click()
    page.get_by_role("heading", name=heading_en, level=1).wait_for()
    screenshot(page, f"home-{username}-en")
    # The choice is saved: it survives signing out and in again.
    page.locator("details.dropdown summary").click()
    page.get_by_role("button", name="Sign out").click()
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name=heading_en, level=1).wait_for()
    assert refused == []


def test_wrong_password_in_the_browser_keeps_the_username(live_server, page):
    app, base = live_server
    with app.app_context():
        make_trainee("amy")
    page.goto(f"{base}/login")
    page.get_by_label("用户名").fill("amy")
    page.get_by_label("密码").fill("nope")
    page.get_by_role("button", name="登录").click()
    page.get_by_text("用户名或密码错误").wait_for()
    assert page.get_by_label("用户名").input_value() == "amy"
    screenshot(page, "login-error")
