"""Output: lesson content is sanitised on the page, and what trainees type (names, replies,
quick replies, reasons) is escaped in every page, the supervisor's and the admin's included.

The sanitiser itself is tested piece by piece in tests/unit/test_curriculum_rendering.py.
"""

import pytest

from tests.factories import make_admin, make_supervisor, make_trainee
from training.curriculum.schema import ContentError
from training.curriculum.services import sync_content
from training.probation.services import record_decision
from training.roleplay.services import add_quick_reply, end_conversation, send_reply
from training.roleplay.services import start_conversation as begin

LESSON = "modules/01-welcome/01-the-shop.en.md"
ATTACKS = (
    "<script>alert('lesson')</script>",
    '<img src="x" onerror="alert(1)">',
    '<a href="javascript:alert(1)">click</a>',
    '<iframe src="https://evil.example"></iframe>',
    '<a href="data:text/html;base64,PHNjcmlwdD4=">data</a>',
)
XSS = "<script>alert('x')</script><img src=x onerror=alert(2)>"


def test_lesson_content_is_sanitised_on_the_page(client, auth, app, content_files):
    evil = dict(content_files)
    evil[LESSON] = evil[LESSON] + "\n\n" + "\n\n".join(ATTACKS) + "\n"
    sync_content(files=evil)
    make_trainee("amy")
    auth.login("amy")
    page = client.get("/lessons/welcome/the-shop", headers={"Accept-Language": "en"})
    html = page.get_data(as_text=True).split("<main", 1)[1]
    assert page.status_code == 200
    for needle in ("<script", "onerror", "javascript:", "<iframe", "data:text/html"):
        assert needle not in html.lower(), needle


def test_a_javascript_link_in_markdown_is_refused_at_sync(app, content_files):
    evil = dict(content_files)
    evil[LESSON] = evil[LESSON] + "\n\n[click](javascript:alert(1))\n"
    with pytest.raises(ContentError, match="javascript"):
        sync_content(files=evil)


def test_trainee_text_is_escaped_in_every_page(client, auth, app, live_content):
    sam = make_supervisor("sam")
    amy = make_trainee("amy", supervisor=sam, name=XSS)
    conversation = begin(
        user_id=amy.id,
        live=live_content,
        slug="haggling-phone-case",
        mode="practice",
        input="text",
        lang="zh",
    )
    send_reply(conversation=conversation, client_token="t", text=XSS)
    end_conversation(conversation=conversation)
    add_quick_reply(user_id=amy.id, text=XSS)
    record_decision(trainee=amy, decided_by=sam, outcome="failed", reason=XSS, live=live_content)
    pages = {
        "amy": [
            "/path",
            f"/conversations/{conversation.id}/result",
            "/quick-replies",
            "/probation",
        ],
        "sam": [
            "/supervisor/trainees",
            f"/supervisor/trainees/{amy.id}",
            f"/conversations/{conversation.id}/result",
        ],
        "admin": ["/admin/accounts", f"/supervisor/trainees/{amy.id}"],
    }
    make_admin("admin")
    for username, paths in pages.items():
        auth.login(username)
        for path in paths:
            response = client.get(path)
            html = response.get_data(as_text=True)
            assert response.status_code == 200, path
            assert "<script>alert('x')" not in html and "<img src=x" not in html, path
            assert "&lt;script&gt;" in html, path  # shown, as text
        auth.logout()
