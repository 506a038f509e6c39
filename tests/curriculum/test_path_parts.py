"""The path page's pre-rendered headers and lesson lines: each trainee still sees their own
states, in their own language, of the live release; the preview still links every lesson."""

import re

from tests.factories import make_supervisor, make_trainee
from tests.html import without_csrf_tokens
from training.curriculum.queries import live_release
from training.curriculum.services import sync_content

SHOP = "/lessons/welcome/the-shop"
LOCKED = "/lessons/after-sale/after-sale-flow"


def _path(client):
    return without_csrf_tokens(client.get("/path").get_data(as_text=True))


def _lesson_line(page: str, title: str) -> str:
    match = re.search(rf'<li class="([^"]*)">\s*<(a href="[^"]*"|span)>{title}</(a|span)>.*?</li>',
                      page, re.S)  # fmt: skip
    assert match, title
    return match.group(0)


def _header(page: str, module_slug: str) -> str:
    return page.split(f'id="module-{module_slug}"')[1].split("</header>")[0]


def test_each_trainee_sees_their_own_progress(client, auth, live_content):
    shop = live_content.curriculum.lesson("welcome", "the-shop")
    total = len(live_content.curriculum.module("welcome").lessons)
    make_trainee("amy")
    make_trainee("bob")
    auth.login("amy")
    client.post(f"{SHOP}/complete")
    amy = _path(client)
    auth.logout()
    auth.login("bob")
    bob = _path(client)
    auth.logout()
    auth.login("amy")
    amy_again = _path(client)

    amy_line = _lesson_line(amy, shop.texts["zh"].title)
    bob_line = _lesson_line(bob, shop.texts["zh"].title)
    assert 'class="completed' in amy_line and "done-badge" in amy_line
    assert 'class="completed' not in bob_line and "done-badge" not in bob_line
    assert f'<progress value="{round(100 / total)}" max="100"' in _header(amy, "welcome")
    assert '<progress value="0" max="100"' in _header(bob, "welcome")
    assert _lesson_line(amy_again, shop.texts["zh"].title) == amy_line


def test_trainees_at_the_same_point_each_continue_where_they_left_off(client, auth, live_content):
    """Paths are laid out once per state and shared: two trainees with the same lessons done
    still each continue with the lesson they opened last."""
    curriculum = live_content.curriculum
    platform, qualities = (curriculum.module(slug).lessons[0] for slug in ("platform", "qualities"))

    def continue_link(page: str) -> str:
        return re.search(r'<a role="button" href="([^"]*)">\s*继续：', page).group(1)

    for name, opened in (("amy", platform), ("bob", qualities)):
        make_trainee(name)
        auth.login(name)
        for lesson in curriculum.module("welcome").lessons:
            client.post(f"/lessons/welcome/{lesson.slug}/complete")
        assert client.get(f"/lessons/{opened.module_slug}/{opened.slug}").status_code == 200
        auth.logout()

    for name, opened in (("amy", platform), ("bob", qualities), ("amy", platform)):
        auth.login(name)
        assert continue_link(_path(client)) == f"/lessons/{opened.module_slug}/{opened.slug}"
        auth.logout()


def test_locked_lessons_are_links_only_in_the_preview(client, auth, live_content):
    flow = live_content.curriculum.lesson("after-sale", "after-sale-flow")
    make_trainee("amy")
    make_supervisor("lin")
    auth.login("amy")
    trainee_line = _lesson_line(_path(client), flow.texts["zh"].title)
    assert "<span>" in trainee_line and LOCKED not in trainee_line
    assert 'class=" locked"' in trainee_line
    auth.logout()
    auth.login("lin")
    preview = client.get("/catalogue").get_data(as_text=True)
    preview_line = _lesson_line(preview, flow.texts["zh"].title)
    assert f'<a href="{LOCKED}">' in preview_line
    auth.logout()
    auth.login("amy")
    assert LOCKED not in _lesson_line(_path(client), flow.texts["zh"].title)


def test_the_path_follows_the_interface_language(client, auth, live_content):
    shop = live_content.curriculum.lesson("welcome", "the-shop")
    welcome = live_content.curriculum.module("welcome")
    make_trainee("amy")
    auth.login("amy")
    client.post(f"{SHOP}/complete")
    _path(client)  # shows (and clears) the "lesson completed" message
    zh = _path(client)
    client.post("/language", data={"locale": "en"})
    en = _path(client)
    assert shop.texts["zh"].title in zh and shop.texts["en"].title not in zh
    assert shop.texts["en"].title in en and shop.texts["zh"].title not in en
    assert welcome.title["en"] in _header(en, "welcome")
    assert welcome.title["zh"] not in _header(en, "welcome")
    assert "✓ Done" in _lesson_line(en, shop.texts["en"].title)
    assert f"{shop.minutes} min" in _lesson_line(en, shop.texts["en"].title)
    assert "Locked" in en and "Locked" not in zh
    client.post("/language", data={"locale": "zh_CN"})
    assert _path(client) == zh  # the English lines did not stay behind


def test_a_new_release_shows_at_once(client, auth, live_content, content_files):
    shop = live_content.curriculum.lesson("welcome", "the-shop")
    make_trainee("amy")
    auth.login("amy")
    assert shop.texts["zh"].title in _path(client)
    changed = dict(content_files)
    for lang in ("zh", "en"):
        path = f"modules/01-welcome/01-the-shop.{lang}.md"
        changed[path] = content_files[path].replace(
            f"minutes: {shop.minutes}\n", "minutes: 17\n", 1
        )
    path = "modules/01-welcome/01-the-shop.zh.md"
    changed[path] = changed[path].replace(
        f"title: {shop.texts['zh'].title}\n", "title: 认识悦购小铺（新版）\n", 1
    )
    sync_content(files=changed)
    assert live_release().id != live_content.id
    page = _path(client)
    assert "认识悦购小铺（新版）" in page
    assert "17" in _lesson_line(page, "认识悦购小铺（新版）")
    assert f">{shop.texts['zh'].title}<" not in page


def test_each_trainee_sees_their_own_quiz_result(client, auth, live_content):
    from training.clock import utcnow
    from training.extensions import db
    from training.quizzes.models import QuizStanding

    quizzes = live_content.release.quizzes.quizzes
    slug = next(m.slug for m in live_content.curriculum.modules if m.slug in quizzes)
    results = {"amy": (92.4, True), "bob": (40.0, False), "cy": None}
    for name, result in results.items():
        trainee = make_trainee(name)
        if result:
            best, passed = result
            db.session.add(QuizStanding(user_id=trainee.id, quiz_slug=slug, best_score=best,
                                        fails=0 if passed else 1,
                                        last_pass_at=utcnow() if passed else None,
                                        last_fail_at=None if passed else utcnow()))  # fmt: skip
    db.session.commit()
    cards = {}
    for name in [*results, "amy"]:
        auth.login(name)
        page = _path(client)
        cards[name] = page.split(f'id="module-{slug}"')[1].split("</article>")[0]
        auth.logout()
    assert "done-badge" in cards["amy"] and "92%" in cards["amy"]
    assert "wrong-badge" in cards["bob"] and "40%" in cards["bob"]
    assert "done-badge" not in cards["bob"]
    assert "badge" not in cards["cy"].split("</header>")[1]
    assert f'href="/quizzes/{slug}"' in cards["cy"]  # the first module is open: its quiz too
