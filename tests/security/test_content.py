"""Content sync: a bad tree is refused whole with file:line, unsafe YAML never runs or explodes,
syncs queue one behind the other, and a module taken out keeps its history readable."""

import contextlib
import threading

import pytest
import yaml
from sqlalchemy import func, select

from tests.quizzes.helpers import complete_module, take_quiz
from training.curriculum import parser, queries
from training.curriculum import services as curriculum_services
from training.curriculum.models import ContentRelease
from training.curriculum.parser import MAX_FILE_BYTES, read_tree
from training.curriculum.schema import ContentError
from training.curriculum.services import sync_content
from training.extensions import db

MODULE = "modules/01-welcome/module.yaml"
LESSON = "modules/01-welcome/01-the-shop.en.md"


def _refused(files) -> list[str]:
    with pytest.raises(ContentError) as refusal:
        sync_content(files=files)
    return [str(problem) for problem in refusal.value.problems]


def _release_count() -> int:
    return db.session.scalar(select(func.count()).select_from(ContentRelease))


def test_one_bad_file_refuses_the_whole_sync_naming_file_and_line(app, content_files):
    first = sync_content(files=content_files)
    changed = dict(content_files)
    changed[LESSON] = changed[LESSON] + "\nA good edit that must not go live alone.\n"
    lines = changed[MODULE].splitlines()
    lines[1] = "order: first"
    changed[MODULE] = "\n".join(lines)
    problems = _refused(changed)
    assert any(problem.startswith(f"{MODULE}:2:") for problem in problems), problems
    assert _release_count() == 1 and queries.live_release().id == first.release_id


def test_yaml_python_tags_are_refused(app, content_files, tmp_path):
    evil = dict(content_files)
    marker = tmp_path / "ran"
    evil[MODULE] += f"\nx: !!python/object/apply:os.system ['touch {marker}']\n"
    problems = _refused(evil)
    assert any("python/object" in problem and problem.startswith(MODULE) for problem in problems)
    assert not marker.exists() and _release_count() == 0


@pytest.fixture
def composed_sizes(monkeypatch):
    """The length of every text handed to the YAML parser."""
    sizes = []
    real = yaml.compose

    def spy(stream, Loader):  # noqa: N803 (PyYAML's name)
        sizes.append(len(stream))
        return real(stream, Loader=Loader)

    monkeypatch.setattr(parser.yaml, "compose", spy)
    return sizes


def test_a_huge_file_is_refused_before_parsing(app, content_files, composed_sizes):
    huge = dict(content_files)
    huge[MODULE] += "\n" + "# padding\n" * (MAX_FILE_BYTES // 8)
    problems = _refused(huge)
    assert problems == [f"{MODULE}:1: file is too large: at most {MAX_FILE_BYTES // 1024} KB"]
    assert max(composed_sizes, default=0) <= MAX_FILE_BYTES and _release_count() == 0


def test_a_huge_file_on_disk_is_never_read(tmp_path, monkeypatch):
    (tmp_path / "glossary.yaml").write_bytes(b"a: 1\n" * (MAX_FILE_BYTES // 4))
    read = []
    monkeypatch.setattr(
        parser.Path, "read_bytes", lambda self: read.append(self) or b"", raising=True
    )
    with pytest.raises(ContentError, match="too large"):
        read_tree(tmp_path)
    assert read == []


def test_a_yaml_alias_bomb_is_refused_before_it_expands(app, content_files):
    bomb = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level, name in enumerate("bcdefghi"):
        previous = "abcdefghi"[level]
        bomb.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
    evil = dict(content_files)
    evil[MODULE] += "\n" + "\n".join(bomb) + "\n"
    problems = _refused(evil)
    assert any("aliases" in problem and problem.startswith(MODULE) for problem in problems)


def test_two_syncs_at_once_are_taken_one_after_the_other(make_app, content_files, monkeypatch):
    app = make_app()
    # Each sync waits (briefly) at the point of writing for the other to get there too: only
    # possible if both passed the "is it already live?" check at the same time.
    meeting = threading.Barrier(2, timeout=3)
    real = curriculum_services._lesson_pages

    def slow_pages(release_id, release):
        with contextlib.suppress(threading.BrokenBarrierError):
            meeting.wait()
        return real(release_id, release)

    monkeypatch.setattr(curriculum_services, "_lesson_pages", slow_pages)
    results, failures = [], []

    def sync():
        with app.app_context():
            try:
                results.append(sync_content(files=content_files).action)
            except Exception as error:  # noqa: BLE001 (reported by the assertion below)
                failures.append(repr(error))

    threads = [threading.Thread(target=sync) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == []
    assert sorted(results) == ["published", "unchanged"]
    with app.app_context():
        assert _release_count() == 1


def test_a_module_taken_out_is_retired_and_its_history_still_renders(
    client, auth, app, content_files
):
    from tests.factories import make_supervisor, make_trainee

    first = sync_content(files=content_files)
    live = queries.live_release()
    sam = make_supervisor("sam")
    amy = make_trainee("amy", supervisor=sam)
    for module in live.curriculum.modules:
        complete_module(amy, live, module.slug)
    attempt = take_quiz(amy, "performance", live)

    # The module goes; the two lessons that linked to it now link elsewhere.
    without = {
        path: text.replace("lesson:performance/service-metrics", "lesson:welcome/the-shop")
        for path, text in content_files.items()
        if not path.startswith("modules/12-performance/")
    }
    assert sync_content(files=without).release_id != first.release_id

    auth.login("amy")
    path_page = client.get("/path").get_data(as_text=True)
    assert "/lessons/performance/" not in path_page and "/quizzes/performance" not in path_page
    assert client.get("/quizzes/performance").status_code == 404
    review = client.get(f"/attempts/{attempt.id}/review")
    assert review.status_code == 200
    auth.logout()
    auth.login("sam")
    assert client.get(f"/supervisor/trainees/{amy.id}").status_code == 200
    assert client.get(f"/attempts/{attempt.id}/review").status_code == 200
