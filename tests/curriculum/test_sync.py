"""Publishing the curriculum: atomic, idempotent, versioned."""

from sqlalchemy import func, select

from tests.factories import PASSWORD, make_trainee
from training.curriculum import queries
from training.curriculum.models import ContentRelease, LessonPage
from training.curriculum.schema import ContentError
from training.curriculum.services import complete_lesson, sync_content
from training.extensions import db

SHOP_EN = "modules/01-welcome/01-the-shop.en.md"


def _releases():
    return db.session.scalar(select(func.count(ContentRelease.id)))


def test_sync_publishes_every_lesson_in_both_languages(app, content_files):
    result = sync_content(files=content_files)
    assert result.action == "published"
    live = queries.live_release()
    lessons = live.curriculum.lessons()
    assert len(live.curriculum.modules) >= 12 and all(
        2 <= len(m.lessons) <= 5 for m in live.curriculum.modules
    )
    pages = db.session.scalar(select(func.count(LessonPage.id)).filter_by(release_id=live.id))
    assert pages == 2 * len(lessons)


def test_syncing_unchanged_content_is_a_no_op(app, content_files):
    sync_content(files=content_files)
    again = sync_content(files=content_files)
    assert again.action == "unchanged" and _releases() == 1


def test_a_broken_file_leaves_the_live_release_untouched(app, content_files):
    first = sync_content(files=content_files)
    broken = dict(content_files)
    broken[SHOP_EN] = broken[SHOP_EN].replace("order: 1", "order: [", 1)
    try:
        sync_content(files=broken)
    except ContentError as error:
        assert any(p.path == SHOP_EN for p in error.problems)
    else:
        raise AssertionError("a broken tree was published")
    assert _releases() == 1
    assert queries.live_release().id == first.release_id


def test_a_new_release_keeps_old_releases_and_progress(app, content_files):
    trainee = make_trainee()
    first = sync_content(files=content_files)
    complete_lesson(
        user_id=trainee.id,
        release_id=first.release_id,
        module_slug="welcome",
        lesson_slug="the-shop",
    )
    edited = dict(content_files)
    edited[SHOP_EN] = edited[SHOP_EN] + "\nOne more sentence for the new release.\n"
    second = sync_content(files=edited)
    assert second.action == "published" and second.release_id != first.release_id
    assert queries.live_release().id == second.release_id
    assert queries.release_by_id(first.release_id).release.version == first.version
    state = queries.path_for(trainee.id, queries.live_release())
    assert state.lesson("welcome/the-shop").completed
    # Going back to the first content re-activates the stored release instead of copying it.
    assert sync_content(files=content_files).action == "reactivated"
    assert queries.live_release().id == first.release_id and _releases() == 2


def test_another_worker_serves_the_new_release_without_restarting(make_app, content_files):
    """Two app instances stand for two gunicorn workers (or hosts) sharing one database."""
    first_worker, second_worker = make_app(), make_app()
    with first_worker.app_context():
        sync_content(files=content_files)
        make_trainee("amy")
    reader = second_worker.test_client()
    reader.post("/login", data={"username": "amy", "password": PASSWORD})
    reader.post("/language", data={"locale": "en"})
    title = "A new title for a new release"
    assert title not in reader.get("/lessons/welcome/the-shop").get_data(as_text=True)
    edited = dict(content_files)
    edited[SHOP_EN] = edited[SHOP_EN].replace("title: ", f"title: {title} # ", 1)
    with first_worker.app_context():
        sync_content(files=edited)
    assert title in reader.get("/lessons/welcome/the-shop").get_data(as_text=True)
