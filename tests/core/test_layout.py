"""The page header: the account and language on the top bar, the role's sections below it with
the current one marked."""

import re

from tests.factories import make_admin, make_supervisor, make_trainee


def _section_nav(html: str) -> str:
    return re.search(r'<nav class="container section-nav".*?</nav>', html, re.S).group(0)


def test_trainee_sees_their_sections_and_where_they_are(client, auth, live_content):
    make_trainee("amy")
    auth.login("amy")
    nav = _section_nav(client.get("/path").get_data(as_text=True))
    assert re.search(r'<a href="/path" aria-current="page">', nav)
    assert nav.count('aria-current="page"') == 1
    assert 'href="/quizzes/statistics"' not in nav
    # The account menu stays on the top bar, not among the sections.
    assert "dropdown" not in nav


def test_supervisor_and_admin_sections(client, auth, live_content):
    make_supervisor("sam")
    auth.login("sam")
    nav = _section_nav(client.get("/supervisor/trainees").get_data(as_text=True))
    assert re.search(r'<a href="/supervisor/trainees" aria-current="page">', nav)
    assert 'href="/path"' not in nav and 'href="/admin/accounts"' not in nav
    auth.logout()
    make_admin()
    auth.login("boss")
    nav = _section_nav(client.get("/quizzes/statistics").get_data(as_text=True))
    assert re.search(r'<a href="/quizzes/statistics" aria-current="page">', nav)
    assert 'href="/admin/accounts"' in nav and 'href="/live/"' not in nav


def test_signed_out_pages_have_no_sections(client):
    assert "section-nav" not in client.get("/login").get_data(as_text=True)


def test_pages_name_their_icon_so_browsers_ask_for_no_missing_file(client):
    page = client.get("/login").get_data(as_text=True)
    assert '<link rel="icon" href="data:,">' in page
    assert client.get("/favicon.ico").status_code == 404  # what they would have asked for


def test_sections_follow_the_page_the_language_and_the_role(client, auth, live_content):
    """The section links are kept once drawn: each page, language and role gets its own."""
    make_trainee("amy")
    auth.login("amy")
    nav = _section_nav(client.get("/path").get_data(as_text=True))
    assert '<a href="/path" aria-current="page">我的学习路径</a>' in nav
    nav = _section_nav(client.get("/probation").get_data(as_text=True))
    assert '<a href="/path">我的学习路径</a>' in nav
    assert '<a href="/probation" aria-current="page">' in nav
    client.post("/language", data={"locale": "en"})
    nav = _section_nav(client.get("/path").get_data(as_text=True))
    assert '<a href="/path" aria-current="page">My path</a>' in nav
    assert "我的" not in nav
    auth.logout()
    # The same page in the same language for another role: a supervisor's links, not amy's.
    make_supervisor("sam")
    auth.login("sam")
    client.post("/language", data={"locale": "en"})
    nav = _section_nav(client.get("/scenarios").get_data(as_text=True))
    assert 'href="/quizzes/statistics"' in nav and 'href="/path"' not in nav
    auth.logout()
    auth.login("amy")
    nav = _section_nav(client.get("/scenarios").get_data(as_text=True))
    assert 'href="/path"' in nav and 'href="/quizzes/statistics"' not in nav


def test_addresses_follow_the_url_root_the_app_is_served_under(client, auth, live_content):
    """Templates' addresses are kept once built: under another URL root each gets its own."""
    make_trainee("amy")
    auth.login("amy")
    lesson = live_content.curriculum.modules[0].lessons[0]
    lesson_href = f'href="/lessons/{lesson.module_slug}/{lesson.slug}"'
    for root in ("", "/kefu", ""):
        html = client.get("/path", base_url=f"http://localhost{root}").get_data(as_text=True)
        assert f'href="{root}/static/css/app.css"' in html
        assert f'action="{root}/logout"' in html and f'action="{root}/language"' in html
        assert lesson_href.replace('href="', f'href="{root}') in html
        # Nothing built under the other root is left on the page.
        other = "" if root else "/kefu"
        assert f'"{other}/static/css/app.css"' not in html
