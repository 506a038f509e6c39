"""Tests for the content checker: every kind of problem is reported at its exact path:line."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from training.curriculum.parser import (
    check_tree,
    content_version,
    load_curriculum,
    parse_tree,
    read_tree,
)
from training.curriculum.rendering import render_markdown
from training.curriculum.schema import (
    ContentError,
    Curriculum,
    GlossaryTerm,
    Lesson,
    LessonText,
    Module,
    Problem,
    Source,
)

WELCOME = "modules/01-welcome/module.yaml"
ORDERS = "modules/02-orders/module.yaml"
SHOP_ZH = "modules/01-welcome/01-the-shop.zh.md"
SHOP_EN = "modules/01-welcome/01-the-shop.en.md"
LEVELS_ZH = "modules/01-welcome/02-levels.zh.md"
LEVELS_EN = "modules/01-welcome/02-levels.en.md"
REFUNDS_ZH = "modules/02-orders/01-refunds.zh.md"
REFUNDS_EN = "modules/02-orders/01-refunds.en.md"


def module_yaml(slug: str, order: int, prerequisites: str = "[]") -> str:
    """Build a module.yaml; line numbers: slug 1, order 2, title 3, prerequisites 9."""
    return f"""slug: {slug}
order: {order}
title:
  zh: 模块{order}
  en: Module {order}
summary:
  zh: 概要
  en: Summary
prerequisites: {prerequisites}
sources:
  - seed: "000"
    where: "ch.{order}"
"""


def lesson_md(slug: str, order: int, title: str, body: str, prerequisites: str = "[]") -> str:
    """Build a lesson file; front matter keys on lines 2-11, body starts on line 13."""
    return f"""---
slug: {slug}
order: {order}
title: {title}
minutes: 6
prerequisites: {prerequisites}
objectives:
  - {title}
sources:
  - seed: "001"
    where: "ch.2"
---
{body}"""


GLOSSARY = """- id: qianniu
  term:
    zh: 千牛
    en: Qianniu
  definition:
    zh: 卖家工作台
    en: The seller workbench
  sources:
    - seed: "003"
      where: "tools"
"""


def valid_files() -> dict[str, str]:
    """A small valid tree: two modules, three lessons, one glossary term."""
    return {
        "glossary.yaml": GLOSSARY,
        WELCOME: module_yaml("welcome", 1),
        SHOP_ZH: lesson_md(
            "the-shop", 1, "认识店铺", "\n## 我们卖什么 {#what-we-sell}\n\n手机配件。\n"
        ),
        SHOP_EN: lesson_md(
            "the-shop", 1, "The shop", "\n## What we sell {#what-we-sell}\n\nPhone accessories.\n"
        ),
        LEVELS_ZH: lesson_md(
            "levels",
            2,
            "等级",
            "\n## 基础 {#basic}\n\n见 [店铺](lesson:welcome/the-shop)。\n",
            prerequisites="[the-shop]",
        ),
        LEVELS_EN: lesson_md(
            "levels",
            2,
            "Levels",
            "\n## Basic {#basic}\n\nSee [the shop](lesson:welcome/the-shop).\n",
            prerequisites="[welcome/the-shop]",
        ),
        ORDERS: module_yaml("orders", 2, "[welcome]"),
        REFUNDS_ZH: lesson_md(
            "refunds",
            1,
            "退款",
            "\n## 流程 {#steps}\n\n先看 [千牛](glossary:qianniu)，"
            "再读 [商品](lesson:welcome/the-shop#what-we-sell)。\n",
            prerequisites="[welcome/levels]",
        ),
        REFUNDS_EN: lesson_md(
            "refunds",
            1,
            "Refunds",
            "\n## Steps {#steps}\n\nOpen [Qianniu](glossary:qianniu), "
            "then read [what we sell](lesson:welcome/the-shop#what-we-sell).\n",
            prerequisites="[welcome/levels]",
        ),
    }


def problems(files: dict[str, str]) -> list[str]:
    """Return the problems of a tree as ``path:line: message`` strings."""
    return [str(problem) for problem in check_tree(files)]


def only_problem(files: dict[str, str]) -> str:
    """Return the single problem of a tree, failing if there are none or several."""
    found = problems(files)
    assert len(found) == 1, found
    return found[0]


def edit(files: dict[str, str], path: str, old: str, new: str) -> dict[str, str]:
    """Replace text in one file, failing loudly if the fixture no longer contains ``old``."""
    assert old in files[path], (path, old)
    files[path] = files[path].replace(old, new, 1)
    return files


# --------------------------------------------------------------------------- the valid tree


def test_valid_tree_parses_into_dataclasses():
    curriculum = parse_tree(valid_files())

    assert isinstance(curriculum, Curriculum)
    assert [module.slug for module in curriculum.modules] == ["welcome", "orders"]
    welcome = curriculum.module("welcome")
    assert isinstance(welcome, Module)
    assert welcome.title == {"zh": "模块1", "en": "Module 1"}
    assert welcome.path == WELCOME
    assert welcome.sources == (Source("000", "ch.1"),)
    assert [lesson.key for lesson in welcome.lessons] == ["welcome/the-shop", "welcome/levels"]
    assert welcome.minutes == 12
    assert curriculum.module("orders").prerequisites == ("welcome",)

    levels = curriculum.lesson("welcome", "levels")
    assert isinstance(levels, Lesson)
    # A bare slug and module/slug both normalise to module/slug.
    assert levels.prerequisites == ("welcome/the-shop",)
    assert levels.sources == (Source("001", "ch.2"),)
    assert (levels.order, levels.minutes) == (2, 6)

    zh, is_fallback = levels.text("zh")
    assert isinstance(zh, LessonText)
    assert not is_fallback
    assert zh.path == LEVELS_ZH
    assert zh.title == "等级"
    assert zh.objectives == ("等级",)
    assert zh.body_line == 13
    assert zh.body.startswith("\n## 基础 {#basic}")
    assert zh.section_ids == ("basic",)

    assert curriculum.term("qianniu") == GlossaryTerm(
        "qianniu",
        {"zh": "千牛", "en": "Qianniu"},
        {"zh": "卖家工作台", "en": "The seller workbench"},
        (Source("003", "tools"),),
    )
    assert curriculum.lesson("welcome", "nope") is None
    assert curriculum.lesson("nope", "levels") is None
    assert curriculum.term("nope") is None
    assert check_tree(valid_files()) == []


def test_modules_and_lessons_are_sorted_by_order_not_folder_name():
    files = valid_files()
    edit(files, WELCOME, "order: 1", "order: 3")
    for path in (SHOP_ZH, SHOP_EN):
        edit(files, path, "order: 1", "order: 5")
    curriculum = parse_tree(files)
    assert [module.slug for module in curriculum.modules] == ["orders", "welcome"]
    assert [lesson.slug for lesson in curriculum.module("welcome").lessons] == [
        "levels",
        "the-shop",
    ]


def test_glossary_file_is_optional():
    files = valid_files()
    del files["glossary.yaml"]
    for path in (REFUNDS_ZH, REFUNDS_EN):
        files[path] = files[path].replace("(glossary:qianniu)", "(https://example.com)")
    assert parse_tree(files).glossary == ()


def test_version_is_stable_and_changes_with_any_edit():
    first = parse_tree(valid_files()).version
    assert first == parse_tree(valid_files()).version
    assert first == content_version(valid_files())
    assert len(first) == 64
    changed = edit(valid_files(), SHOP_EN, "Phone accessories.", "Phone accessories!")
    assert parse_tree(changed).version != first


def test_lesson_text_falls_back_to_the_other_language():
    lesson = parse_tree(valid_files()).lesson("welcome", "the-shop")
    only_zh = Lesson(
        lesson.module_slug,
        lesson.slug,
        lesson.order,
        lesson.minutes,
        lesson.prerequisites,
        lesson.sources,
        {"zh": lesson.texts["zh"]},
    )
    text, is_fallback = only_zh.text("en")
    assert is_fallback
    assert text.lang == "zh"
    assert only_zh.text("zh") == (lesson.texts["zh"], False)
    assert lesson.text("en") == (lesson.texts["en"], False)


def test_problem_format_order_and_error_message():
    late = Problem("b.md", 2, "second")
    early = Problem("a.md", 9, "first")
    assert str(late) == "b.md:2: second"
    assert sorted([late, early]) == [early, late]
    error = ContentError([late, early])
    assert error.problems == [early, late]
    assert str(error) == "a.md:9: first\nb.md:2: second"


# --------------------------------------------------------------------------- YAML and front matter


def test_yaml_syntax_error_in_module_yaml_reports_the_yaml_line():
    files = edit(valid_files(), WELCOME, "  en: Summary\n", "  en: Summary\n  - oops\n")
    assert only_problem(files).startswith(f"{WELCOME}:9: invalid YAML")


def test_yaml_syntax_error_in_front_matter_reports_the_file_line():
    files = valid_files()
    for path in (SHOP_ZH, SHOP_EN):
        edit(files, path, "minutes: 6", "minutes: [6")
    found = problems(files)
    assert found[0].startswith(f"{SHOP_EN}:6: invalid YAML")
    assert found[1].startswith(f"{SHOP_ZH}:6: invalid YAML")


def test_front_matter_missing():
    files = valid_files()
    files[SHOP_EN] = files[SHOP_EN].removeprefix("---\n")
    assert (
        only_problem(files)
        == f"{SHOP_EN}:1: front matter missing: start the file with a '---' line"
    )


def test_front_matter_not_terminated():
    files = edit(valid_files(), SHOP_EN, "---\n\n## What", "\n## What")
    assert only_problem(files).startswith(f"{SHOP_EN}:1: front matter not terminated")


def test_unknown_key_is_reported_at_its_line():
    files = edit(valid_files(), WELCOME, "prerequisites: []", "prerequisites: []\nauthor: me")
    assert only_problem(files).startswith(f"{WELCOME}:10: unknown key 'author'")


def test_missing_key_is_reported_at_the_mapping():
    files = valid_files()
    files[WELCOME] = files[WELCOME].replace("summary:\n  zh: 概要\n  en: Summary\n", "")
    assert only_problem(files) == f"{WELCOME}:1: missing key 'summary' in module.yaml"


def test_missing_key_in_front_matter_is_reported_at_its_first_line():
    files = edit(valid_files(), SHOP_EN, "objectives:\n  - The shop\n", "")
    assert only_problem(files) == f"{SHOP_EN}:2: missing key 'objectives' in the front matter"


def test_missing_language_in_a_title():
    files = edit(valid_files(), WELCOME, "  en: Module 1\n", "")
    assert only_problem(files) == f"{WELCOME}:4: missing key 'en' in title"


def test_duplicate_yaml_key():
    files = edit(valid_files(), WELCOME, "order: 1", "order: 1\norder: 1")
    assert only_problem(files).startswith(f"{WELCOME}:3: duplicate key 'order'")


def test_bool_is_not_an_order():
    files = edit(valid_files(), WELCOME, "order: 1", "order: yes")
    assert only_problem(files) == f"{WELCOME}:2: order must be a whole number, not yes"


def test_title_must_be_a_string():
    files = edit(valid_files(), SHOP_EN, "title: The shop", "title: [The, shop]")
    assert only_problem(files).startswith(f"{SHOP_EN}:4: title must be text, not a list")
    files = edit(valid_files(), SHOP_EN, "title: The shop", "title: no")
    assert only_problem(files).startswith(f"{SHOP_EN}:4: title must be text, not no")


@pytest.mark.parametrize("minutes", ["0", "61"])
def test_minutes_must_be_between_1_and_60(minutes):
    files = valid_files()
    for path in (SHOP_ZH, SHOP_EN):
        edit(files, path, "minutes: 6", f"minutes: {minutes}")
    found = problems(files)
    expected = f"minutes must be between 1 and 60, not {minutes}"
    assert found == [f"{SHOP_EN}:5: {expected}", f"{SHOP_ZH}:5: {expected}"]


def test_minutes_must_be_whole():
    files = valid_files()
    for path in (SHOP_ZH, SHOP_EN):
        edit(files, path, "minutes: 6", "minutes: 6.5")
    assert problems(files)[0] == f"{SHOP_EN}:5: minutes must be a whole number, not 6.5"


def test_slug_must_be_lowercase_with_single_hyphens():
    files = edit(valid_files(), ORDERS, "slug: orders", "slug: Orders--2")
    found = problems(files)
    assert found[0].startswith(f"{ORDERS}:1: slug 'Orders--2' is not valid")


def test_seed_must_be_quoted():
    files = edit(valid_files(), WELCOME, 'seed: "000"', "seed: 000")
    assert only_problem(files) == f'{WELCOME}:11: seed must be in quotes, like seed: "000"'


@pytest.mark.parametrize(
    ("seed", "message"),
    [
        ('"7"', "seed '7' must be a quoted 3-digit string"),
        ('"009"', "unknown seed '009' (known seeds: 000-004)"),
    ],
)
def test_seed_must_be_a_known_three_digit_string(seed, message):
    files = edit(valid_files(), WELCOME, 'seed: "000"', f"seed: {seed}")
    assert only_problem(files).startswith(f"{WELCOME}:11: {message}")


def test_sources_must_not_be_empty():
    files = valid_files()
    files[WELCOME] = files[WELCOME].split("sources:")[0] + "sources: []\n"
    assert only_problem(files) == f"{WELCOME}:10: sources must list at least one item"


def test_objectives_must_not_be_empty():
    files = edit(valid_files(), SHOP_EN, "objectives:\n  - The shop", "objectives: []")
    assert only_problem(files) == f"{SHOP_EN}:7: objectives must list at least one item"


# --------------------------------------------------------------------------- duplicates and twins


def test_duplicate_module_slug():
    files = edit(valid_files(), ORDERS, "slug: orders", "slug: welcome")
    assert f"{ORDERS}:1: duplicate module slug 'welcome' (also {WELCOME})" in problems(files)


def test_duplicate_module_order():
    files = edit(valid_files(), ORDERS, "order: 2", "order: 1")
    assert only_problem(files) == f"{ORDERS}:2: duplicate module order 1 (also {WELCOME})"


def test_duplicate_lesson_slug_within_a_module():
    files = valid_files()
    for path in (LEVELS_ZH, LEVELS_EN):
        edit(files, path, "slug: levels", "slug: the-shop")
    assert problems(files)[0].startswith(
        f"{LEVELS_ZH}:2: duplicate lesson slug 'the-shop' in this module (also {SHOP_ZH})"
    )


def test_same_lesson_slug_in_two_modules_is_fine():
    files = valid_files()
    for path in (REFUNDS_ZH, REFUNDS_EN):
        edit(files, path, "slug: refunds", "slug: the-shop")
    assert parse_tree(files).lesson("orders", "the-shop") is not None


def test_duplicate_glossary_id():
    files = valid_files()
    files["glossary.yaml"] += GLOSSARY
    assert only_problem(files) == "glossary.yaml:11: duplicate glossary id 'qianniu' (also line 1)"


def test_missing_translation():
    files = valid_files()
    del files[SHOP_EN]
    assert only_problem(files) == (
        f"{SHOP_ZH}:1: missing English translation of 01-the-shop (expected {SHOP_EN})"
    )
    files = valid_files()
    del files[SHOP_ZH]
    assert only_problem(files).startswith(f"{SHOP_EN}:1: missing Chinese translation of")


def test_twins_must_agree_on_minutes():
    files = edit(valid_files(), SHOP_EN, "minutes: 6", "minutes: 7")
    assert only_problem(files).startswith(
        f"{SHOP_EN}:5: minutes differs from the Chinese twin {SHOP_ZH}:5"
    )


def test_twins_must_agree_on_sources():
    files = edit(valid_files(), SHOP_EN, 'where: "ch.2"', 'where: "ch.3"')
    assert only_problem(files).startswith(f"{SHOP_EN}:9: sources differs from the Chinese twin")


def test_twins_must_agree_on_prerequisites():
    files = edit(valid_files(), LEVELS_EN, "prerequisites: [welcome/the-shop]", "prerequisites: []")
    assert only_problem(files).startswith(f"{LEVELS_EN}:6: prerequisites differs from")


def test_twins_must_have_the_same_section_ids():
    files = edit(valid_files(), SHOP_EN, "{#what-we-sell}", "{#what-we-offer}")
    assert problems(files) == [
        f"{SHOP_EN}:14: section id 'what-we-offer' is missing from the Chinese twin {SHOP_ZH}",
        f"{SHOP_ZH}:14: section id 'what-we-sell' is missing from the English twin {SHOP_EN}",
    ]


# --------------------------------------------------------------------------- the body


def test_section_heading_needs_an_id():
    files = edit(valid_files(), SHOP_EN, "Phone accessories.\n", "Phone accessories.\n\n## More\n")
    assert only_problem(files) == f"{SHOP_EN}:18: ## heading has no id: end it with {{#some-id}}"


def test_headings_inside_code_fences_are_ignored():
    fenced = "Phone accessories.\n\n```\n## not a heading\n[x](../x.md)\n```\n"
    files = edit(valid_files(), SHOP_EN, "Phone accessories.\n", fenced)
    assert problems(files) == []


def test_duplicate_section_id():
    body = "Phone accessories.\n\n## Again {#what-we-sell}\n"
    files = edit(valid_files(), SHOP_EN, "Phone accessories.\n", body)
    assert (
        only_problem(files) == f"{SHOP_EN}:18: duplicate section id 'what-we-sell' (also line 14)"
    )


def test_level_one_heading_is_refused():
    files = edit(valid_files(), SHOP_EN, "Phone accessories.\n", "# Title again\n")
    assert only_problem(files).startswith(f"{SHOP_EN}:16: level-1 heading")


def test_unknown_callout_type():
    body = '!!! danger "Careful"\n    Hot.\n'
    files = edit(valid_files(), SHOP_EN, "Phone accessories.\n", body)
    assert only_problem(files).startswith(f"{SHOP_EN}:16: unknown callout type 'danger'")


def test_empty_body():
    files = valid_files()
    files[SHOP_EN] = files[SHOP_EN].split("---\n\n## What")[0] + "---\n\n  \n"
    assert only_problem(files) == f"{SHOP_EN}:13: lesson body is empty"


# --------------------------------------------------------------------------- prerequisites


def test_unknown_module_prerequisite():
    files = edit(valid_files(), ORDERS, "prerequisites: [welcome]", "prerequisites: [welcom]")
    assert only_problem(files) == f"{ORDERS}:9: unknown module prerequisite 'welcom'"


def test_unknown_lesson_prerequisite():
    files = valid_files()
    for path in (LEVELS_ZH, LEVELS_EN):
        edit(files, path, "prerequisites: [", "prerequisites: [the-shops, ")
    assert problems(files)[0] == f"{LEVELS_ZH}:6: unknown lesson prerequisite 'the-shops'"


def test_lesson_prerequisite_in_unknown_module():
    files = valid_files()
    for path in (REFUNDS_ZH, REFUNDS_EN):
        edit(files, path, "[welcome/levels]", "[welcom/levels]")
    assert only_problem(files) == (
        f"{REFUNDS_ZH}:6: unknown module 'welcom' in prerequisite 'welcom/levels'"
    )


def test_module_prerequisite_cycle_is_named():
    files = edit(valid_files(), WELCOME, "prerequisites: []", "prerequisites: [orders]")
    assert only_problem(files) == (
        f"{ORDERS}:9: module prerequisite cycle: orders -> welcome -> orders"
    )


def test_module_requiring_itself_is_a_cycle():
    files = edit(valid_files(), WELCOME, "prerequisites: []", "prerequisites: [welcome]")
    assert only_problem(files) == f"{WELCOME}:9: module prerequisite cycle: welcome -> welcome"


def test_lesson_prerequisite_cycle_is_named():
    files = valid_files()
    for path in (SHOP_ZH, SHOP_EN):
        edit(files, path, "prerequisites: []", "prerequisites: [orders/refunds]")
    assert only_problem(files) == (
        f"{REFUNDS_ZH}:6: lesson prerequisite cycle: "
        "orders/refunds -> welcome/levels -> welcome/the-shop -> orders/refunds"
    )


# --------------------------------------------------------------------------- links


@pytest.mark.parametrize(
    ("link", "message"),
    [
        ("lesson:nowhere/the-shop", "broken link 'lesson:nowhere/the-shop': no module 'nowhere'"),
        (
            "lesson:welcome/nope",
            "broken link 'lesson:welcome/nope': no lesson 'nope' in module 'welcome'",
        ),
        (
            "lesson:welcome/the-shop#nope",
            "broken link 'lesson:welcome/the-shop#nope': lesson has no section 'nope'",
        ),
        ("lesson:the-shop", "malformed link 'lesson:the-shop'"),
        ("glossary:wangwang", "broken link 'glossary:wangwang': no glossary term 'wangwang'"),
        ("#nope", "broken link '#nope': this lesson has no section 'nope'"),
        ("../x.md", "links may not point at files; use lesson:MODULE/LESSON or glossary:TERM"),
        ("x.md", "links may not point at files"),
        ("sub/../../etc/passwd", "links may not point at files"),
        ("/etc/passwd", "links may not point at files"),
        ("javascript:alert(1)", "links may not use 'javascript:'"),
        ("data:text/html,hi", "links may not use 'data:'"),
    ],
)
def test_broken_links(link, message):
    files = edit(valid_files(), SHOP_EN, "Phone accessories.", f"Phone [accessories]({link}).")
    assert only_problem(files).startswith(f"{SHOP_EN}:16: {message}")


def test_reference_style_and_image_links_are_checked():
    body = "Phone ![pic](pic.png).\n\n[ref]: ../other.md\n"
    files = edit(valid_files(), SHOP_EN, "Phone accessories.\n", body)
    assert [p.split(": ")[0] for p in problems(files)] == [f"{SHOP_EN}:16", f"{SHOP_EN}:18"]


def test_good_links_pass():
    body = (
        "See [web](https://example.com), [mail](mailto:a@example.com), [here](#what-we-sell), "
        "`[code](../x.md)` and [levels](lesson:welcome/levels#basic).\n"
    )
    files = edit(valid_files(), SHOP_EN, "Phone accessories.\n", body)
    assert problems(files) == []


# --------------------------------------------------------------------------- files and folders


def test_module_folder_without_module_yaml():
    files = valid_files()
    del files[ORDERS]
    found = problems(files)
    assert found[0] == f"{ORDERS}:1: module.yaml is missing: every module folder needs one"


def test_markdown_file_with_a_bad_name():
    files = valid_files()
    files["modules/01-welcome/notes.md"] = "hello"
    files["modules/01-welcome/03-x.fr.md"] = "bonjour"
    assert problems(files) == [
        "modules/01-welcome/03-x.fr.md:1: lesson files must be named NAME.zh.md or NAME.en.md",
        "modules/01-welcome/notes.md:1: lesson files must be named NAME.zh.md or NAME.en.md",
    ]


def test_unexpected_files():
    files = valid_files()
    files["glosary.yaml"] = "[]"
    files["modules/01-welcome/notes.yaml"] = "[]"
    # Quizzes, the exam, scenarios and the probation policy belong to other parsers.
    files["modules/01-welcome/quiz.yaml"] = "[]"
    files["exam.yaml"] = files["scenarios/refund.yaml"] = "{}"
    found = problems(files)
    assert [problem.split(": ")[0] for problem in found] == [
        "glosary.yaml:1",
        "modules/01-welcome/notes.yaml:1",
    ]


def test_every_problem_is_reported_at_once():
    files = valid_files()
    edit(files, WELCOME, "order: 1", "order: yes")
    edit(files, ORDERS, "prerequisites: [welcome]", "prerequisites: [nope]")
    edit(files, SHOP_EN, "Phone accessories.", "[x](../x.md)")
    del files[LEVELS_EN]
    with pytest.raises(ContentError) as caught:
        parse_tree(files)
    assert [f"{p.path}:{p.line}" for p in caught.value.problems] == [
        f"{SHOP_EN}:16",
        f"{LEVELS_ZH}:1",
        f"{WELCOME}:2",
        f"{ORDERS}:9",
    ]
    assert str(caught.value).count("\n") == 3


# --------------------------------------------------------------------------- reading from disk


def write_tree(root: Path, files: dict[str, str]) -> None:
    """Write a ``{path: text}`` tree under ``root``."""
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def test_read_tree_round_trip_ignores_readme_and_dotfiles(tmp_path):
    write_tree(tmp_path, valid_files())
    (tmp_path / "README.md").write_text("# docs", encoding="utf-8")
    (tmp_path / ".hidden.yaml").write_text(": bad", encoding="utf-8")
    (tmp_path / "modules" / ".git").mkdir()
    (tmp_path / "modules" / ".git" / "x.md").write_text("x", encoding="utf-8")
    (tmp_path / "modules" / "01-welcome" / "photo.png").write_bytes(b"\x89PNG")

    assert read_tree(tmp_path) == valid_files()
    assert load_curriculum(tmp_path).version == parse_tree(valid_files()).version


def test_read_tree_refuses_a_symlink_escaping_the_root(tmp_path):
    root = tmp_path / "content"
    write_tree(root, valid_files())
    outside = tmp_path / "secret.md"
    outside.write_text("secret", encoding="utf-8")
    os.symlink(outside, root / "modules" / "01-welcome" / "03-secret.zh.md")
    os.symlink(tmp_path, root / "modules" / "99-linked")

    with pytest.raises(ContentError) as caught:
        read_tree(root)
    assert [str(p) for p in caught.value.problems] == [
        "modules/01-welcome/03-secret.zh.md:1: symbolic links are not allowed",
        "modules/99-linked:1: symbolic links are not allowed",
    ]


def test_read_tree_refuses_non_utf8(tmp_path):
    write_tree(tmp_path, valid_files())
    (tmp_path / SHOP_EN).write_bytes("---\nslug: x\ntitle: 店\n".encode("gb18030"))
    with pytest.raises(ContentError) as caught:
        read_tree(tmp_path)
    assert [str(p) for p in caught.value.problems] == [
        f"{SHOP_EN}:3: file is not valid UTF-8; save it as UTF-8"
    ]


def test_read_tree_normalises_bom_and_crlf(tmp_path):
    write_tree(tmp_path, valid_files())
    text = valid_files()[SHOP_EN].replace("\n", "\r\n")
    (tmp_path / SHOP_EN).write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert read_tree(tmp_path) == valid_files()


def test_read_tree_of_a_missing_folder(tmp_path):
    with pytest.raises(ContentError):
        read_tree(tmp_path / "nope")


def test_section_ids_match_what_the_renderer_makes():
    body = "##NoSpace {#what-we-sell}\n\n## closing ## {#d}\n\n    ## code {#x}\n"
    files = valid_files()
    for path in (SHOP_ZH, SHOP_EN):
        files[path] = files[path].split("---\n\n")[0] + "---\n\n" + body
    text, _ = parse_tree(files).lesson("welcome", "the-shop").text("en")
    rendered = render_markdown(text.body, lambda kind, target: "")
    assert (
        text.section_ids == tuple(section for section, _ in rendered.toc) == ("what-we-sell", "d")
    )


def test_heading_id_needs_a_space_before_it():
    files = edit(valid_files(), SHOP_EN, "Phone accessories.\n", "## More{#more}\n")
    assert only_problem(files).endswith("(with a space before it)")
