"""Lesson HTML is rendered when a release is synced, never while a lesson is served."""

import markdown

from tests.factories import make_trainee


def test_serving_a_lesson_renders_no_markdown(app, client, auth, live_content, monkeypatch):
    make_trainee("wang")
    auth.login("wang")

    def refuse(*_args, **_kwargs):
        raise AssertionError("Markdown rendered while serving a request")

    monkeypatch.setattr(markdown.Markdown, "convert", refuse)
    for lang in ("zh_CN", "en"):
        client.post("/language", data={"locale": lang})
        page = client.get("/lessons/welcome/the-shop")
        assert page.status_code == 200
        assert "<h2" in page.text
