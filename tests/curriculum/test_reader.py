"""The trainee's path and the lesson reader, through the routes."""

from datetime import datetime

from sqlalchemy import select, update

from tests.factories import make_supervisor, make_trainee
from training.curriculum.models import LessonPage, LessonProgress
from training.extensions import db


def _path(client, **headers):
    return client.get("/path", headers=headers).get_data(as_text=True)


def test_path_lists_modules_in_order_with_locks(client, auth, live_content):
    make_trainee("amy")
    auth.login("amy")
    page = _path(client)
    titles = [m.title["zh"] for m in live_content.curriculum.modules]
    positions = [page.index(t) for t in titles]
    assert positions == sorted(positions)
    assert "欢迎" in page or titles[0] in page
    assert "未开放" in page  # later modules wait for their prerequisites
    assert "继续：" in page


def test_reading_and_completing_a_lesson_moves_progress(client, auth, live_content):
    make_trainee("amy")
    auth.login("amy")
    response = client.get("/lessons/welcome/the-shop")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'value="0" max="100"' in page
    response = client.post("/lessons/welcome/the-shop/complete")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/lessons/welcome/")
    page = client.get("/lessons/welcome/the-shop").get_data(as_text=True)
    module = live_content.curriculum.module("welcome")
    expected = round(100 / len(module.lessons))
    assert f'value="{expected}" max="100"' in page
    assert "你已完成本课" in page


def test_reopening_a_lesson_updates_when_it_was_last_opened(client, auth, live_content):
    trainee = make_trainee("amy")
    auth.login("amy")
    client.get("/lessons/welcome/the-shop")
    long_ago = datetime(2020, 1, 1)
    db.session.execute(update(LessonProgress).values(last_opened_at=long_ago))
    db.session.commit()
    assert client.get("/lessons/welcome/the-shop").status_code == 200
    rows = db.session.scalars(select(LessonProgress).filter_by(user_id=trainee.id)).all()
    assert [(row.key, row.last_opened_at > long_ago) for row in rows] == [
        ("welcome/the-shop", True)
    ]


def test_locked_lesson_redirects_to_the_path(client, auth, live_content):
    make_trainee("amy")
    auth.login("amy")
    response = client.get("/lessons/after-sale/after-sale-flow")
    assert response.status_code == 302 and response.headers["Location"] == "/path"
    assert client.post("/lessons/after-sale/after-sale-flow/complete").status_code == 403


def test_lesson_follows_the_interface_language(client, auth, live_content):
    make_trainee("amy")
    auth.login("amy")
    lesson = live_content.curriculum.lesson("welcome", "the-shop")
    zh = client.get("/lessons/welcome/the-shop").get_data(as_text=True)
    assert lesson.texts["zh"].title in zh
    client.post("/language", data={"locale": "en"})
    en = client.get("/lessons/welcome/the-shop").get_data(as_text=True)
    assert lesson.texts["en"].title in en and lesson.texts["zh"].title not in en


def test_missing_translation_falls_back_with_a_notice(client, auth, live_content):
    make_trainee("amy")
    auth.login("amy")
    db.session.execute(
        LessonPage.__table__.delete().where(
            LessonPage.lesson_slug == "the-shop", LessonPage.lang == "en"
        )
    )
    db.session.commit()
    client.post("/language", data={"locale": "en"})
    page = client.get("/lessons/welcome/the-shop").get_data(as_text=True)
    assert "not available in your language yet" in page
    assert live_content.curriculum.lesson("welcome", "the-shop").texts["zh"].title in page


def test_lesson_html_is_sanitised_and_links_resolved(client, auth, live_content):
    make_trainee("amy")
    auth.login("amy")
    page = client.get("/lessons/welcome/the-shop").get_data(as_text=True)
    assert "lesson:" not in page and "glossary:" not in page
    assert "<script" not in page.split("<main")[1]


def test_unknown_lesson_is_404(client, auth, live_content):
    make_trainee("amy")
    auth.login("amy")
    assert client.get("/lessons/welcome/nope").status_code == 404


def test_search_finds_lessons_in_both_languages(client, auth, live_content):
    make_trainee("amy")
    auth.login("amy")
    zh = client.get("/search", query_string={"q": "退款"}).get_data(as_text=True)
    assert "/lessons/after-sale/" in zh
    en = client.get("/search", query_string={"q": "refund"}).get_data(as_text=True)
    assert "/lessons/after-sale/" in en
    none = client.get("/search", query_string={"q": "zzzxqj"}).get_data(as_text=True)
    assert "没有与" in none


def test_glossary_lists_terms(client, auth, live_content):
    make_trainee("amy")
    auth.login("amy")
    page = client.get("/glossary").get_data(as_text=True)
    assert 'id="term-qianniu"' in page and "千牛" in page


def test_supervisor_previews_every_lesson(client, auth, live_content):
    make_supervisor("lin")
    auth.login("lin")
    page = client.get("/catalogue").get_data(as_text=True)
    assert "/lessons/after-sale/after-sale-flow" in page
    response = client.get("/lessons/after-sale/after-sale-flow")
    assert response.status_code == 200 and "标记为已完成" not in response.get_data(as_text=True)


def test_progress_survives_sign_out(client, auth, live_content):
    make_trainee("amy")
    auth.login("amy")
    client.post("/lessons/welcome/the-shop/complete")
    auth.logout()
    auth.login("amy")
    page = client.get("/lessons/welcome/the-shop").get_data(as_text=True)
    assert "你已完成本课" in page
