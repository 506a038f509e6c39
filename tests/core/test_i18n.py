"""The interface language: saved choice, then browser, then Chinese; catalogues complete."""

import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from flask import render_template_string

from tests.factories import make_trainee
from training.accounts.models import User
from training.extensions import db

ROOT = Path(__file__).resolve().parents[2]
CATALOGUES = ROOT / "training" / "translations"


def test_default_language_is_chinese(client):
    assert "登录" in client.get("/login").get_data(as_text=True)


def test_browser_language_is_followed(client):
    page = client.get("/login", headers={"Accept-Language": "en-US,en;q=0.9"}).get_data(
        as_text=True
    )
    assert "Sign in" in page and "登录" not in page.split("<main")[1]


def test_switching_language_is_saved_for_the_user(app, client, auth):
    user = make_trainee("amy")
    auth.login("amy")
    response = client.post("/language", data={"locale": "en", "next": "/path"})
    assert response.headers["Location"] == "/path"
    assert db.session.get(User, user.id).locale == "en"
    auth.logout()
    other = app.test_client()
    other.post(
        "/login",
        data={"username": "amy", "password": "correct-horse-42"},
        headers={"Accept-Language": "zh-CN"},
    )
    assert "My path" in other.get("/path", headers={"Accept-Language": "zh-CN"}).get_data(
        as_text=True
    )


def test_language_switch_refuses_unknown_languages_and_foreign_next(client):
    assert client.post("/language", data={"locale": "fr"}).status_code == 400
    response = client.post("/language", data={"locale": "en", "next": "//evil.example"})
    assert response.headers["Location"] == "/"


def _read_po(path):
    with path.open("rb") as file:
        return read_po(file)


def test_every_message_is_extracted_and_translated(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "-o",
            str(pot),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    extracted = {_msgid(m) for m in _read_po(pot) if m.id}
    catalogue = _read_po(CATALOGUES / "zh/LC_MESSAGES/messages.po")
    translated = {_msgid(m) for m in catalogue if m.id and m.string and not m.fuzzy}
    assert extracted - translated == set(), "run the catalogue update and translate these"


@pytest.mark.parametrize("language", ["zh", "en"])
def test_compiled_catalogue_matches_its_source(language):
    folder = CATALOGUES / language / "LC_MESSAGES"
    source = {
        (_key(m.context), _key(m.id)): _key(m.string)
        for m in _read_po(folder / "messages.po")
        if m.id
    }
    with (folder / "messages.mo").open("rb") as file:
        compiled = {(_key(m.context), _key(m.id)): _key(m.string) for m in read_mo(file) if m.id}
    # An untranslated plural is compiled as its own msgids: both sides leave those out.
    untranslated = {k for k, v in compiled.items() if v == k[1]}
    assert {k: v for k, v in compiled.items() if k not in untranslated} == {
        k: v for k, v in source.items() if v and all(v) and k not in untranslated
    }


def _msgid(message):
    """A message's context and singular id: the same words may mean different things."""
    return message.context, message.id if isinstance(message.id, str) else message.id[0]


def test_typing_accuracy_is_not_the_scorecards_accuracy(app):
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        html = render_template_string('{{ pgettext("typing", "Accuracy") }}|{{ _("Accuracy") }}')
    assert html == "准确率|准确"


def _key(value):
    """A message id, string or context as a comparable value (plurals, bytes from a .mo)."""
    if isinstance(value, bytes):
        return value.decode()
    return tuple(value) if isinstance(value, list | tuple) else value
