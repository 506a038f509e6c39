"""The typing test: timed by the server from when the passage was shown, scored once."""

import re
from urllib.parse import urlsplit

import pytest
from markupsafe import escape

from tests.factories import make_trainee
from tests.probation.helpers import (
    TOO_FAST,
    criteria,
    flashes,
    main_html,
    started_ago,
    text_of,
)
from tests.quizzes.helpers import publish
from training.curriculum import queries as curriculum_queries
from training.extensions import db
from training.probation.models import TypingAttempt
from training.probation.services import passage_of
from training.probation.typing_test import count_chars


def _start(client, lang="zh") -> TypingAttempt:
    response = client.post("/typing/start", data={"lang": lang})
    assert response.status_code == 302, response.status_code
    match = re.fullmatch(r"/typing/(\d+)", urlsplit(response.headers["Location"]).path)
    assert match, response.headers["Location"]
    return db.session.get(TypingAttempt, int(match.group(1)))


def _submit(client, attempt, typed, **kwargs):
    return client.post(f"/typing/{attempt.id}", data={"typed": typed}, **kwargs)


def _fresh(attempt) -> TypingAttempt:
    db.session.expire_all()
    return db.session.get(TypingAttempt, attempt.id)


def about(speed: float, chars: int) -> bool:
    """A speed measured over one minute (and the moment the request took) is `chars` a minute."""
    return chars * 0.95 <= speed <= chars


def _results_table(client) -> str:
    html = main_html(client.get("/typing"))
    return html.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in html else ""


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_starting_shows_a_passage_in_the_chosen_language(signed_in, lang):
    attempt = _start(signed_in, lang)
    passage = passage_of(attempt)
    assert passage.lang == attempt.lang == lang
    html = main_html(signed_in.get(f"/typing/{attempt.id}"))
    assert str(escape(passage.text)) in html
    assert '<textarea id="typed" name="typed"' in html
    assert 'data-seconds="120"' in html
    assert "在这里输入上面的段落" in html


def test_the_servers_clock_times_the_test(signed_in, trainee, live_content):
    attempt = _start(signed_in)
    passage = passage_of(attempt).text
    length = count_chars(passage, "zh")
    started_ago(attempt, 60)
    response = _submit(signed_in, attempt, passage, follow_redirects=True)
    assert response.request.path == "/typing"
    attempt = _fresh(attempt)
    assert attempt.submitted_at is not None and attempt.typed == passage
    # One minute for the whole passage: its length in characters a minute.
    assert about(attempt.chars_per_minute, length)
    assert attempt.accuracy == 100.0 and attempt.passed is True
    row = text_of(_results_table(signed_in))
    assert f"{attempt.chars_per_minute:.0f} 100% 已通过" in row
    assert criteria(main_html(signed_in.get("/probation")))["打字测试"]["state"] == "met"


def test_a_forged_time_in_the_form_is_ignored(signed_in):
    attempt = _start(signed_in)
    passage = passage_of(attempt).text
    started_ago(attempt, 60)
    signed_in.post(
        f"/typing/{attempt.id}",
        data={"typed": passage, "seconds": "5", "started_at": "2000-01-01T00:00:00"},
    )
    attempt = _fresh(attempt)
    assert about(attempt.chars_per_minute, count_chars(passage, "zh"))


def test_submitting_twice_changes_nothing(signed_in):
    attempt = _start(signed_in)
    passage = passage_of(attempt).text
    started_ago(attempt, 60)
    _submit(signed_in, attempt, passage)
    first = _fresh(attempt)
    saved = (first.submitted_at, first.typed, first.chars_per_minute, first.accuracy, first.passed)

    started_ago(attempt, 120)
    response = _submit(signed_in, attempt, passage[:10])
    assert response.status_code == 302 and response.headers["Location"].endswith("/typing")
    again = _fresh(attempt)
    assert saved == (
        again.submitted_at,
        again.typed,
        again.chars_per_minute,
        again.accuracy,
        again.passed,
    )
    # The page of a finished test goes back to the results.
    assert signed_in.get(f"/typing/{attempt.id}").status_code == 302
    assert TypingAttempt.query.count() == 1


def test_another_trainees_attempt_is_not_found(signed_in, client, auth, supervisor):
    attempt = _start(signed_in)
    auth.logout()
    make_trainee("bob", supervisor=supervisor)
    auth.login("bob")
    assert client.get(f"/typing/{attempt.id}").status_code == 404
    assert _submit(client, attempt, "您好").status_code == 404
    assert _fresh(attempt).submitted_at is None
    assert client.get("/typing/999999").status_code == 404


def test_implausibly_fast_input_is_refused_and_not_counted(signed_in):
    attempt = _start(signed_in)  # started just now
    response = _submit(signed_in, attempt, passage_of(attempt).text, follow_redirects=True)
    assert TOO_FAST in flashes(response)
    attempt = _fresh(attempt)
    assert attempt.submitted_at is None and attempt.chars_per_minute is None
    assert attempt.passed is None and attempt.typed is None
    typing = criteria(main_html(signed_in.get("/probation")))["打字测试"]
    assert typing["state"] == "not_met" and typing["progress"] == 0
    assert "继续" in text_of(_results_table(signed_in))  # the test can still be taken


def test_half_the_passage_gives_half_the_speed(signed_in):
    attempt = _start(signed_in)
    passage = passage_of(attempt).text
    half = passage[: len(passage) // 2]
    started_ago(attempt, 60)
    _submit(signed_in, attempt, half)
    attempt = _fresh(attempt)
    assert about(attempt.chars_per_minute, count_chars(half, "zh"))
    assert attempt.chars_per_minute < count_chars(passage, "zh") * 0.6
    assert attempt.accuracy == 100.0


def test_mistakes_lower_accuracy_and_speed(signed_in):
    attempt = _start(signed_in)
    passage = passage_of(attempt).text
    typed = "".join("错" if i % 5 == 0 else ch for i, ch in enumerate(passage))
    started_ago(attempt, 60)
    _submit(signed_in, attempt, typed)
    attempt = _fresh(attempt)
    assert attempt.accuracy < 95 and attempt.passed is False
    assert attempt.chars_per_minute < count_chars(passage, "zh") - 10
    assert "未通过" in text_of(_results_table(signed_in))


def test_time_past_the_limit_is_not_free(signed_in):
    """A passage finished ten minutes after it was shown is typed at a tenth of its length a
    minute, not as if it had been done within the two minutes allowed."""
    attempt = _start(signed_in)
    passage = passage_of(attempt).text
    length = count_chars(passage, "zh")
    started_ago(attempt, 600)
    _submit(signed_in, attempt, passage)
    attempt = _fresh(attempt)
    assert attempt.submitted_at is not None
    assert attempt.chars_per_minute <= length / 10 + 1
    assert attempt.passed is False


def test_an_unknown_language_is_refused(signed_in):
    assert signed_in.post("/typing/start", data={"lang": "fr"}).status_code == 400
    assert TypingAttempt.query.count() == 0


def test_an_open_test_keeps_its_own_release(signed_in, content_files):
    """A new release with a shorter time limit does not change a test already under way."""
    attempt = _start(signed_in)
    passage = passage_of(attempt).text
    files = dict(content_files)
    files["probation.yaml"] = files["probation.yaml"].replace("seconds: 120", "seconds: 60")
    newer = publish(files)
    assert newer.id != attempt.release_id and newer.release.probation.typing.seconds == 60
    try:
        html = main_html(signed_in.get(f"/typing/{attempt.id}"))
        assert 'data-seconds="120"' in html and str(escape(passage)) in html
        started_ago(attempt, 60)
        _submit(signed_in, attempt, passage)
        assert _fresh(attempt).passed is True
        # A new test takes the new limit.
        html = main_html(signed_in.get(f"/typing/{_start(signed_in).id}"))
        assert 'data-seconds="60"' in html
    finally:
        curriculum_queries._parsed.pop(newer.id, None)


def test_text_far_longer_than_the_passage_is_refused_with_its_own_message(signed_in):
    signed_in.post("/language", data={"locale": "en"})  # the message is newer than the catalogue
    attempt = _start(signed_in)
    started_ago(attempt, 600)  # slow enough: only the length is wrong
    typed = passage_of(attempt).text * 3
    response = _submit(signed_in, attempt, typed, follow_redirects=True)
    assert flashes(response) == [
        "That attempt could not be scored: the text is much longer than the passage."
    ]
    assert _fresh(attempt).submitted_at is None


def test_the_submit_button_says_submit_not_done(signed_in):
    signed_in.post("/language", data={"locale": "en"})
    attempt = _start(signed_in)
    page = main_html(signed_in.get(f"/typing/{attempt.id}"))
    assert '<button type="submit">Submit my typing</button>' in page
    assert ">Done<" not in page
