"""A trainee reads a lesson in Chinese, switches to English, completes it, sees progress move."""

from tests.e2e.conftest import screenshot
from tests.factories import PASSWORD, make_trainee
from training.curriculum.services import sync_content


def test_trainee_reads_and_completes_a_lesson(live_server, page, content_files):
    app, base = live_server
    with app.app_context():
        sync_content(files=content_files)
        make_trainee("amy")
    page.goto(f"{base}/login")
    page.get_by_label("用户名").fill("amy")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.get_by_role("heading", name="我的学习路径").wait_for()
    screenshot(page, "path-zh")
    page.locator("a[href='/lessons/welcome/the-shop']").first.click()
    page.locator(".lesson-body h2").first.wait_for()
    zh_title = page.locator("h1").inner_text()
    assert page.locator(".lesson-aside progress").get_attribute("value") == "0"
    screenshot(page, "lesson-zh")
    page.get_by_role("button", name="English").click()
    page.get_by_role("button", name="Mark as complete").wait_for()
    assert page.locator("h1").inner_text() != zh_title
    screenshot(page, "lesson-en")
    page.get_by_role("button", name="Mark as complete").click()
    page.get_by_text("Lesson completed.").wait_for()
    page.goto(f"{base}/path")
    welcome = page.locator("#module-welcome progress")
    assert int(welcome.get_attribute("value")) > 0
    screenshot(page, "path-en-after")
