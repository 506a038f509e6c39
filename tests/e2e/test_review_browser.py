"""A supervisor reviews a trainee's simulated conversation in a browser: opens the trainee, the
transcript, comments on a reply, overrides the score (a missing reason is refused and what was
typed stays), sees the probation checklist and the timeline follow; the trainee then reads the
comment and the override on her own scorecard."""

import re
from datetime import timedelta

from tests.e2e.conftest import screenshot
from tests.factories import PASSWORD, make_supervisor, make_trainee
from tests.probation.helpers import play_assessed, required_scenarios
from training.clock import today
from training.curriculum.queries import live_release
from training.curriculum.services import sync_content
from training.extensions import db
from training.roleplay.models import Conversation, ScoreOverride

COMMENT = "Say sorry before explaining the policy."
REASON = "The apology came too late for an angry buyer."


def _sign_in_in_english(page, base, username):
    page.goto(f"{base}/login")
    # The sign-in page speaks the language the browser last chose.
    page.get_by_label(re.compile("用户名|Username")).fill(username)
    page.get_by_label(re.compile("密码|Password")).fill(PASSWORD)
    page.get_by_role("button", name=re.compile("^(登录|Sign in)$")).click()
    page.get_by_role("button", name="English").click()


def test_supervisor_comments_and_overrides_and_the_trainee_sees_it(
    live_server, page, content_files
):
    app, base = live_server
    with app.app_context():
        sync_content(files=content_files)
        live = live_release()
        supervisor = make_supervisor("sam", name="Sam Lee")
        trainee = make_trainee(
            "amy", name="Amy Wang", supervisor=supervisor, hire_date=today() - timedelta(days=10)
        )
        slug = required_scenarios(live)[0]
        conversation = play_assessed(trainee, live, slug)
        conversation_id, engine_score = conversation.id, round(conversation.score)
        title = live.release.scenarios[slug].title["en"]

    _sign_in_in_english(page, base, "sam")
    page.get_by_role("heading", name="My trainees", level=1).wait_for()
    page.get_by_role("link", name="Amy Wang").click()
    page.get_by_role("heading", name="Amy Wang", level=1).wait_for()
    row = page.locator("table tr", has_text=title)
    assert str(engine_score) in row.inner_text() and "Passed" in row.inner_text()
    row.get_by_role("link", name="Transcript and review").click()
    page.wait_for_url(f"{base}/conversations/{conversation_id}/result")

    # A comment on the second reply.
    second = page.locator("article.transcript-turn").nth(1)
    second.locator("details.comment-form summary").click()
    second.get_by_label("Comment on this reply").fill(COMMENT)
    second.get_by_role("button", name="Add the comment").click()
    page.get_by_text("Comment added; the trainee sees it on their scorecard.").wait_for()
    assert page.url.endswith("#turn-2")
    second = page.locator("article.transcript-turn").nth(1)
    assert COMMENT in second.locator("li.turn-comment").inner_text()

    # An override without a reason is refused; the score typed stays in the box.
    page.locator("details.override-form summary").click()
    page.get_by_label("Score that counts (0–100)").fill("40")
    page.locator("details.override-form button[type=submit]").click()
    page.get_by_text("Write the reason for the override.").wait_for()
    assert page.get_by_label("Score that counts (0–100)").input_value() == "40"
    screenshot(page, "review-override-refused")
    page.get_by_label("Reason (shown to the trainee and kept in the record)").fill(REASON)
    page.locator("details.override-form button[type=submit]").click()
    page.get_by_text("Score overridden; the engine's score is kept beside it.").wait_for()
    header = page.locator("hgroup").inner_text()
    assert re.search(rf"Score 40 \(engine: {engine_score}\)", header) and "Not passed" in header
    history = page.locator("ol.override-history").inner_text()
    assert REASON in history and "Sam Lee" in history
    screenshot(page, "review-supervisor-scorecard")

    # The trainee page: the score that counts, the checklist and the timeline follow.
    page.goto(f"{base}/supervisor/trainees")
    page.get_by_role("link", name="Amy Wang").click()
    row = page.locator("table tr", has_text=title)
    assert "40 (overridden)" in row.inner_text() and "Not passed" in row.inner_text()
    timeline = page.locator("div.timeline")
    assert "Sam Lee overrode the score" in timeline.locator("li.event-override").inner_text()
    assert COMMENT in timeline.locator("li.event-comment").inner_text()
    screenshot(page, "review-trainee-page")
    with app.app_context():
        assert db.session.get(Conversation, conversation_id).score == engine_score
        assert db.session.scalar(db.select(db.func.count(ScoreOverride.id))) == 1
    page.locator("details.dropdown summary").click()
    page.get_by_role("button", name="Sign out").click()

    # The trainee reads it all on her scorecard, and has no form to change it.
    _sign_in_in_english(page, base, "amy")
    page.goto(f"{base}/conversations/{conversation_id}/result")
    assert COMMENT in page.locator("article.transcript-turn").nth(1).inner_text()
    assert REASON in page.locator("ol.override-history").inner_text()
    assert "Not passed" in page.locator("hgroup").inner_text()
    assert page.locator("details.comment-form, details.override-form").count() == 0
    screenshot(page, "review-trainee-scorecard")
