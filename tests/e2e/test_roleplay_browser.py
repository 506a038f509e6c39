"""A trainee talks to simulated buyers in a browser: a practice run typed in Chinese with
feedback after every reply, then an assessed run in English choosing replies, judged only at
the end.

What to type or pick comes from the scenario, found by what the trainee reads: the buyer's
current message names the turn, whose model reply (or clean option) is the answer.
"""

import re

from playwright.sync_api import expect

from tests.e2e.conftest import screenshot
from tests.factories import PASSWORD, make_trainee
from training.curriculum.queries import live_release
from training.curriculum.services import sync_content

PRACTICE_SLUG = "haggling-phone-case"
ASSESSED_SLUG = "defective-return"  # its clean options are unambiguous on every turn


def _sign_in(page, base, username):
    page.goto(f"{base}/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.get_by_role("heading", name="我的学习路径").wait_for()


def _current_turn(page, scenario, lang):
    """The turn whose buyer message the page shows as the one waiting for a reply."""
    shown = page.locator("li.bubble.buyer.current").inner_text().strip()
    return next(turn for turn in scenario.turns if turn.buyer[lang] == shown)


def _clean_option(turn):
    """The reply a careful trainee picks: no violations and the most moves."""
    clean = [option for option in turn.options if not option.violations]
    best = max(len(option.moves) for option in clean)
    [option] = [option for option in clean if len(option.moves) == best]
    return option


def _start(page, base, title, mode, answer):
    page.goto(f"{base}/scenarios")
    card = page.locator("article.scenario-card", has=page.get_by_role("heading", name=title))
    card.get_by_role("combobox").first.select_option(label=mode)
    card.get_by_role("combobox").nth(1).select_option(label=answer)
    card.get_by_role("button").click()
    page.wait_for_url(re.compile(r"/conversations/\d+$"))
    return int(re.search(r"/conversations/(\d+)$", page.url).group(1))


def _send(page):
    """Send the reply: the page's script swaps in the answered conversation, or opens the
    scorecard when the reply ended it."""
    sent = page.locator("li.bubble.agent").count()
    page.locator(".reply-form").get_by_role("button").click()
    answered = page.locator("li.bubble.agent").nth(sent)
    answered.or_(page.locator("article.transcript-turn").first).wait_for()


def test_trainee_practises_in_chinese_then_passes_assessed_in_english(
    live_server, page, content_files
):
    app, base = live_server
    with app.app_context():
        sync_content(files=content_files)
        scenarios = live_release().release.scenarios
        make_trainee("amy")
    practice, assessed = scenarios[PRACTICE_SLUG], scenarios[ASSESSED_SLUG]
    opening = practice.first_turn.model["zh"]

    _sign_in(page, base, "amy")
    # A quick reply, saved for later: the opening the manual recommends.
    page.goto(f"{base}/scenarios")
    page.get_by_role("link", name="编辑我的快捷短语").click()
    page.get_by_label("新的快捷短语").fill(opening)
    page.get_by_role("button", name="添加").click()
    page.get_by_text("快捷短语已添加。").wait_for()

    # ---- Practice, typing, in Chinese.
    conversation_id = _start(page, base, practice.title["zh"], "练习", "自己输入")
    page.locator("li.bubble.buyer.current").get_by_text(practice.first_turn.buyer["zh"]).wait_for()
    assert practice.facts.product["zh"] in page.locator(".order-card").inner_text()
    assert page.locator(".reply-timer").inner_text().startswith("买家已等待")
    screenshot(page, "roleplay-zh-start")

    # The first reply comes from the quick reply: one click puts it in the box.
    page.locator(".quick-reply").first.click()
    assert page.get_by_label("你的回复").input_value() == opening
    replies = 0
    typed = []
    page.evaluate("window.samePage = true")  # gone if the page reloads
    while True:
        turn = _current_turn(page, practice, "zh")
        if replies:
            page.get_by_label("你的回复").fill(turn.model["zh"])
        typed.append(page.get_by_label("你的回复").input_value())
        _send(page)
        replies += 1
        if page.url.endswith("/result"):
            break
        # The conversation was swapped in without reloading the page, ready for the next reply;
        # the server sent only the new turn, and the page kept the ones it showed, in order.
        assert page.evaluate("window.samePage") is True
        sent = page.locator("li.bubble.agent").all_inner_texts()
        assert [text.rsplit("\n", 1)[0].strip() for text in sent] == typed
        expect(page.get_by_label("你的回复")).to_be_focused()
        expect(page.get_by_label("你的回复")).to_have_value("")
        if replies == 1:
            # The quick replies still fill the new box.
            page.locator(".quick-reply").first.click()
            expect(page.get_by_label("你的回复")).to_have_value(opening)
        # Practice: the score and its reasons show under each reply as soon as it is sent.
        feedback = page.locator("li.feedback")
        assert feedback.count() == replies
        assert re.fullmatch(r"得分 \d+", feedback.last.locator("strong").first.inner_text())
        assert feedback.last.locator("ul.points li").count() >= 2
        assert page.locator("li.bubble.agent").last.locator("mark.move").count() >= 1
        if replies == 1:
            screenshot(page, "roleplay-zh-feedback")
    assert page.url == f"{base}/conversations/{conversation_id}/result"
    page.locator("strong.pass").get_by_text("已通过").wait_for()
    assert page.locator("article.transcript-turn").count() == replies
    assert page.locator(".ratings progress").count() == len(practice.dimensions)
    screenshot(page, "roleplay-zh-scorecard")

    # ---- Assessed, choosing, in English, on another scenario.
    page.get_by_role("button", name="English").click()
    # The page speaks English now; the conversation stays in the Chinese it was held in.
    page.get_by_role("heading", name="Scorecard: " + practice.title["zh"]).wait_for()
    conversation_id = _start(page, base, assessed.title["en"], "Assessed", "Choose replies")
    page.get_by_text("Assessed: your scorecard comes at the end.").wait_for()
    assert page.locator(".quick-replies").count() == 0
    screenshot(page, "roleplay-en-start")
    chosen = 0
    while True:
        turn = _current_turn(page, assessed, "en")
        option = _clean_option(turn)
        page.get_by_label(option.text["en"], exact=True).check()
        _send(page)
        chosen += 1
        if page.url.endswith("/result"):
            break
        # Assessed: the reply is there, and nothing about how it scored.
        assert page.locator("li.bubble.agent").count() == chosen
        assert page.locator("li.bubble.agent").last.inner_text().startswith(option.text["en"])
        assert page.locator("li.feedback, mark, ul.points").count() == 0
        assert "Score" not in page.locator("main").inner_text()
        if chosen == 2:
            screenshot(page, "roleplay-en-assessed")
    assert page.url == f"{base}/conversations/{conversation_id}/result"
    page.locator("strong.pass").get_by_text("Passed").wait_for()
    assert "Assessed" in page.locator("hgroup").inner_text()
    assert re.search(r"Score \d+ / pass mark \d+", page.locator("hgroup").inner_text())
    assert page.locator("article.transcript-turn").count() == chosen
    screenshot(page, "roleplay-en-scorecard")
    page.goto(f"{base}/scenarios")
    card = page.locator("article.scenario-card", has=page.get_by_text(assessed.title["en"]))
    card.locator(".done-badge").get_by_text(re.compile(r"Best assessed: \d+")).wait_for()


def test_quick_replies_fill_the_box_no_further_than_it_holds(live_server, page, content_files):
    app, base = live_server
    with app.app_context():
        sync_content(files=content_files)
        make_trainee("amy")
    _sign_in(page, base, "amy")
    for number in range(4):
        page.goto(f"{base}/quick-replies")
        page.get_by_label("新的快捷短语").fill(f"{number}" + "好" * 299)
        page.get_by_role("button", name="添加").click()
        page.get_by_text("快捷短语已添加。").wait_for()
    _start(page, base, "砍价的买家", "练习", "自己输入")
    buttons = page.locator(".quick-reply")
    assert buttons.count() == 4
    for number in range(4):
        buttons.nth(number).click()
    box = page.get_by_label("你的回复")
    value = box.input_value()
    assert len(value) == 1000 and value.startswith("0" + "好" * 299 + " 1")
    _send(page)
    assert page.locator("li.feedback").count() == 1  # taken, not refused as too long
