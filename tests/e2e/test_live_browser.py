"""A live role-play in two browsers: the supervisor plays the buyer, the trainee answers at the
workbench; messages appear in the other browser within the poll interval, the supervisor sees
the rubric's score of each reply (the trainee does not), closes the session and completes the
scorecard; the trainee's probation checklist then shows the live role-play met.

Selectors use element ids and classes rather than the new labels, which reach the Chinese
catalogue with the release.
"""

import re

from tests.e2e.conftest import screenshot
from tests.factories import PASSWORD, make_cohort, make_supervisor, make_trainee
from training.curriculum.queries import live_release
from training.curriculum.services import sync_content

SLUG = "haggling-phone-case"


def _sign_in(page, base, username):
    page.goto(f"{base}/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r"/(path|supervisor/trainees)$"))


def _new_page(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    return context, page


def test_supervisor_and_trainee_hold_a_live_session_in_two_browsers(
    live_server, browser, content_files
):
    app, base = live_server
    with app.app_context():
        sync_content(files=content_files)
        scenario = live_release().release.scenarios[SLUG]
        cohort = make_cohort("2026 秋")
        supervisor = make_supervisor("sam", name="林静")
        make_trainee("amy", name="王芳", supervisor=supervisor, cohort=cohort)
    first, second = scenario.turns[0], scenario.turns[1]
    sup_context, sup = _new_page(browser)
    amy_context, amy = _new_page(browser)
    try:
        # The supervisor opens an assessed session on a scenario for her trainee.
        _sign_in(sup, base, "sam")
        sup.locator(".nav-links a[href='/live/']").click()
        sup.locator("#partner").select_option(label="王芳 (amy)")
        sup.locator("#scenario").select_option(value=SLUG)
        sup.locator("form.live-open button[type=submit]").click()
        sup.wait_for_url(re.compile(r"/live/\d+$"))
        room_url = sup.url
        assert sup.locator(".script-card li").count() == len(scenario.turns)
        assert scenario.persona.description["zh"] in sup.locator(".scenario-brief").inner_text()

        # The trainee finds it under her own live role-play page.
        _sign_in(amy, base, "amy")
        amy.locator(".nav-links a[href='/live/']").click()
        amy.locator(f".live-sessions a[href='{room_url.removeprefix(base)}']").click()
        amy.wait_for_url(room_url)
        assert scenario.facts.product["zh"] in amy.locator(".order-card").inner_text()
        assert amy.locator(".quick-replies").count() == 1
        assert amy.locator(".script-card").count() == 0

        # The buyer takes the script's first line; it appears in the trainee's browser.
        sup.locator(f".script-line[data-turn='{first.id}']").click()
        sup.locator(".reply-form button[type=submit]").click()
        amy.locator("li.bubble.buyer", has_text=first.buyer["zh"]).wait_for(timeout=5000)
        amy.locator(".reply-timer").wait_for()

        # The trainee answers; the supervisor sees the reply and its score, the trainee no score.
        amy.locator("#reply").fill(first.model["zh"])
        amy.locator(".reply-form button[type=submit]").click()
        sup.locator("li.bubble.agent", has_text=first.model["zh"][:10]).wait_for(timeout=5000)
        sup.locator("li.feedback.live-score").wait_for()
        assert re.search(r"\d+", sup.locator("li.live-score strong").first.inner_text())
        # Each point the script adds cites its lesson, opened beside the room.
        cited = sup.locator("li.live-score small.source a").first
        assert cited.get_attribute("href").startswith("/lessons/") and cited.inner_text()
        assert cited.get_attribute("target") == "_blank" and cited.get_attribute("title")
        # The words that earned points are marked in the reply, as the script builds it.
        marked = sup.locator("li.bubble.agent mark.move").first
        assert marked.inner_text() and marked.inner_text() in first.model["zh"]

        # The buyer says the next thing in her own words.
        sup.locator("#reply").fill("还能再便宜点吗？<b>就五块</b>")
        sup.locator(".reply-form button[type=submit]").click()
        amy.locator("li.bubble.buyer", has_text="<b>就五块</b>").wait_for(timeout=5000)
        amy.locator("#reply").fill(second.model["zh"])
        amy.locator(".reply-form button[type=submit]").click()
        sup.locator("li.feedback.live-score").nth(1).wait_for(timeout=5000)
        amy.locator("li.bubble.agent").nth(1).wait_for()
        assert amy.locator("li.feedback, .live-score, ul.points, mark").count() == 0
        assert amy.locator("li.bubble b").count() == 0  # shown as text, never as markup
        screenshot(sup, "live-buyer-side")
        screenshot(amy, "live-trainee-side")

        # A reload shows the whole conversation, in order.
        amy.reload()
        bubbles = amy.locator("ol.messages li.bubble")
        assert bubbles.count() == 4
        assert [b.get_attribute("data-seq") for b in bubbles.all()] == ["1", "2", "3", "4"]

        # The supervisor closes the session; the trainee's page notices and locks.
        sup.locator(".end-form button[type=submit]").click()
        sup.locator("form.scorecard-form").wait_for()
        amy.locator(".live-state").filter(has_not_text="Open").wait_for()
        amy.wait_for_function("() => !document.querySelector('.reply-form')", timeout=5000)
        for fieldset in sup.locator("form.scorecard-form fieldset.rating").all():
            fieldset.locator("input[value='4']").check()
        sup.locator("#comments").fill("开场热情，议价时守住了底线。")
        screenshot(sup, "live-scorecard-form")
        sup.locator("form.scorecard-form button[type=submit]").click()
        sup.locator(".live-scorecard dl.ratings").wait_for()
        assert "80%" in sup.locator(".live-scorecard").inner_text()
        screenshot(sup, "live-scorecard-done")

        # The trainee's checklist now shows the supervised live role-play met.
        amy.goto(f"{base}/probation")
        live_item = amy.locator("li.criterion", has_text="主管陪练")
        assert "met" in live_item.get_attribute("class").split()
        assert "80%" in live_item.inner_text()
        screenshot(amy, "live-trainee-checklist")
    finally:
        sup_context.close()
        amy_context.close()
