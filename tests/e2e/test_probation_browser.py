"""Probation in a browser: a ready trainee, their supervisor's sign-off (in English) and the
certificate; the demo cohort signed off, the certificate checked by anyone, an override; and
the typing test's timer, which submits the test when the time runs out."""

import re
from datetime import timedelta

from tests.e2e.conftest import screenshot
from tests.factories import PASSWORD, make_supervisor, make_trainee
from tests.probation.helpers import make_ready
from training.clock import today, utcnow
from training.curriculum.queries import live_release
from training.curriculum.services import sync_content
from training.demo import DEMO_PASSWORD, add_demo_progress, create_demo_accounts
from training.extensions import db
from training.probation.models import ProbationDecision, TypingAttempt
from training.probation.services import passage_of

REASON = "All criteria met; steady and polite with buyers."


def _sign_in(page, base, username, *, lang="zh", password=PASSWORD):
    labels = {"zh": ("用户名", "密码", "登录"), "en": ("Username", "Password", "Sign in")}[lang]
    page.goto(f"{base}/login")
    page.get_by_label(labels[0]).fill(username)
    page.get_by_label(labels[1]).fill(password)
    page.get_by_role("button", name=labels[2]).click()


def _sign_out(page, label):
    page.locator("details.dropdown summary").click()
    page.get_by_role("button", name=label).click()


def test_a_ready_trainee_is_confirmed_and_opens_the_certificate(live_server, page, content_files):
    app, base = live_server
    with app.app_context():
        sync_content(files=content_files)
        supervisor = make_supervisor("sam", name="Sam Lee")
        trainee = make_trainee(
            "amy", name="Amy Wang", supervisor=supervisor, hire_date=today() - timedelta(days=30)
        )
        make_ready(trainee, live_release())
        trainee_id = trainee.id

    # The trainee sees on her path that she can be confirmed, and the checklist behind it.
    _sign_in(page, base, "amy")
    page.get_by_role("heading", name="我的学习路径", level=1).wait_for()
    summary = page.locator("article.probation-summary")
    assert "可以转正" in summary.inner_text()
    summary.get_by_role("link", name="清单").click()
    page.get_by_role("heading", name="我的试用期", level=1).wait_for()
    page.get_by_text("你已满足全部条件，主管现在可以为你办理转正。").wait_for()
    assert page.locator("li.criterion.met").count() == 6
    screenshot(page, "probation-trainee-checklist")
    _sign_out(page, "退出登录")

    # Her supervisor, in English, finds her in "My trainees" and confirms her.
    _sign_in(page, base, "sam")
    page.get_by_role("button", name="English").click()
    page.get_by_role("heading", name="My trainees", level=1).wait_for()
    row = page.locator("table.cohort tbody tr", has_text="Amy Wang")
    assert "Ready for sign-off" in row.inner_text()
    screenshot(page, "probation-supervisor-table")
    row.get_by_role("link", name="Amy Wang").click()
    page.get_by_role("heading", name="Amy Wang", level=1).wait_for()
    page.get_by_role("heading", name="Probation · Ready for sign-off").wait_for()
    page.get_by_label("Confirm (转正)").check()
    page.get_by_label("Reason (kept in the record)").fill(REASON)
    screenshot(page, "probation-supervisor-trainee")
    page.get_by_role("button", name="Record the decision").click()
    page.get_by_text("Decision recorded.").wait_for()
    page.get_by_role("heading", name="Probation · Decided").wait_for()
    decisions = page.locator("ul.audit-log").inner_text()
    assert "Ready for sign-off → confirmed" in decisions and REASON in decisions
    # What is left to decide is the reversal only.
    assert page.locator("input[name=outcome]").count() == 1
    page.get_by_label("Revoke the confirmation").wait_for()
    screenshot(page, "probation-supervisor-decided")
    with app.app_context():
        (decision,) = db.session.scalars(db.select(ProbationDecision)).all()
        assert (decision.trainee_id, decision.outcome) == (trainee_id, "confirmed")
        assert decision.evidence["state"] == "ready"
    _sign_out(page, "Sign out")

    # The trainee signs in again (the browser still speaks English), back to Chinese, and opens
    # her certificate.
    _sign_in(page, base, "amy", lang="en")
    page.get_by_role("heading", name="My path", level=1).wait_for()
    page.get_by_role("button", name="中文").click()
    page.get_by_role("heading", name="我的学习路径", level=1).wait_for()
    page.get_by_role("link", name="我的试用期").first.click()
    page.get_by_text("你的试用期已有结论：已转正。").wait_for()
    page.get_by_role("button", name="我的证书").click()
    page.wait_for_url(f"{base}/certificate/{trainee_id}")
    certificate = page.locator("article.certificate")
    certificate.get_by_role("heading", name="转正证书").wait_for()
    text = certificate.inner_text()
    assert "Amy Wang" in text and "Sam Lee" in text and REASON in text
    screenshot(page, "probation-certificate")


def test_the_typing_timer_counts_down_and_submits_at_the_end(live_server, page, content_files):
    app, base = live_server
    with app.app_context():
        sync_content(files=content_files)
        make_trainee("amy", supervisor=make_supervisor("sam"))

    _sign_in(page, base, "amy")
    page.get_by_role("heading", name="我的学习路径", level=1).wait_for()
    page.goto(f"{base}/typing")
    page.get_by_role("button", name="开始打字测试").click()
    page.wait_for_url(re.compile(r".*/typing/\d+$"))
    attempt_id = int(page.url.rsplit("/", 1)[1])
    assert re.fullmatch(r"剩余时间 (2:00|1:59|1:58)", page.locator(".timer").inner_text())
    # Pasting is not typing: the page refuses it.
    prevented = page.locator("textarea#typed").evaluate(
        "box => { const e = new Event('paste', {cancelable: true});"
        " box.dispatchEvent(e); return e.defaultPrevented; }"
    )
    assert prevented is True
    screenshot(page, "probation-typing-test")

    # Almost two minutes later (as the server sees it) the page shows the few seconds left and
    # hands the test in by itself when they run out.
    with app.app_context():
        attempt = db.session.get(TypingAttempt, attempt_id)
        attempt.started_at = utcnow() - timedelta(seconds=115)
        db.session.commit()
        passage = passage_of(attempt).text
    page.reload()
    assert re.fullmatch(r"剩余时间 0:0[3-5]", page.locator(".timer").inner_text())
    page.locator("textarea#typed").fill(passage)
    page.wait_for_url(f"{base}/typing", timeout=15_000)
    page.get_by_text("已通过").wait_for()
    screenshot(page, "probation-typing-results")
    with app.app_context():
        attempt = db.session.get(TypingAttempt, attempt_id)
        assert attempt.typed == passage and attempt.accuracy == 100.0
        assert 115 <= (attempt.submitted_at - attempt.started_at).total_seconds() < 125


def test_the_demo_cohorts_ready_trainee_is_confirmed_and_anyone_can_check_the_certificate(
    live_server, page, browser, content_files
):
    app, base = live_server
    with app.app_context():
        sync_content(files=content_files)
        create_demo_accounts()
        add_demo_progress()

    # Lin opens her trainees, finds the one ready for sign-off and confirms her.
    _sign_in(page, base, "lin", password=DEMO_PASSWORD)
    page.get_by_role("button", name="English").click()
    page.get_by_role("heading", name="My trainees", level=1).wait_for()
    ready = page.locator("table.cohort tbody tr", has_text="Ready for sign-off")
    assert ready.count() == 1
    name = ready.get_by_role("link").first.inner_text()
    ready.get_by_role("link", name=name).click()
    page.get_by_role("heading", name="Probation · Ready for sign-off").wait_for()
    assert page.locator("input[name=override]").count() == 0
    page.get_by_label("Confirm (转正)").check()
    page.get_by_label("Reason (kept in the record)").fill("全部达标，准予转正。")
    page.get_by_role("button", name="Record the decision").click()
    page.get_by_text("Decision recorded.").wait_for()
    page.get_by_role("link", name="Certificate", exact=True).click()
    certificate = page.locator("article.certificate")
    certificate.get_by_role("heading", name="Certificate of confirmation").wait_for()
    code = certificate.locator("code.verification-code").inner_text()
    verify_url = certificate.get_by_role("link").get_attribute("href")
    assert verify_url.endswith(f"/verify/{code}") and len(code) >= 20
    screenshot(page, "signoff-certificate")
    page.emulate_media(media="print")
    assert page.locator("header.site-header").is_hidden()
    assert page.get_by_role("button", name="Print or save as PDF").is_hidden()
    screenshot(page, "signoff-certificate-print")

    # Someone who never signed in checks the code: the name, the date and the status only.
    stranger = browser.new_context(locale="en-US")
    try:
        check = stranger.new_page()
        check.goto(verify_url)
        check.get_by_role("heading", name="Certificate check").wait_for()
        shown = check.locator("main").inner_text()
        assert name in shown and "Valid: confirmed" in shown
        assert "全部达标" not in shown and "Lin Jing" not in shown
        assert check.goto(f"{base}/verify/not-a-real-code").status == 404
        assert name not in check.locator("main").inner_text()
    finally:
        stranger.close()


def test_confirming_a_trainee_who_is_not_ready_needs_the_override(live_server, page, content_files):
    app, base = live_server
    with app.app_context():
        sync_content(files=content_files)
        supervisor = make_supervisor("sam", name="Sam Lee")
        make_trainee("amy", name="Amy Wang", supervisor=supervisor,
                     hire_date=today() - timedelta(days=30))  # fmt: skip

    _sign_in(page, base, "sam")
    page.get_by_role("button", name="English").click()
    page.get_by_role("link", name="Amy Wang").click()
    page.get_by_role("heading", name="Probation · In progress").wait_for()
    page.get_by_label("Confirm (转正)").check()
    reason = "Outstanding in live chats; the manager agreed to confirm early."
    page.get_by_label("Reason (kept in the record)").fill(reason)
    page.get_by_role("button", name="Record the decision").click()
    page.get_by_text("To confirm anyway, tick").wait_for()
    # Nothing typed is lost; the override is what is missing.
    assert page.get_by_label("Reason (kept in the record)").input_value() == reason
    assert page.get_by_label("Confirm (转正)").is_checked()
    page.get_by_label("Confirm despite unmet criteria").check()
    page.get_by_role("button", name="Record the decision").click()
    page.get_by_text("Decision recorded.").wait_for()
    entry = page.locator("ul.audit-log li").first
    assert "override: confirmed with unmet criteria" in entry.inner_text()
    entry.get_by_text("Evidence at the time").click()
    assert "0 of 41 lessons completed" in entry.inner_text()
    screenshot(page, "signoff-override")
    with app.app_context():
        (decision,) = db.session.scalars(db.select(ProbationDecision)).all()
        assert decision.override and "typing" in decision.evidence["unmet"]
