"""Tests for lesson rendering: our markup survives, anything executable does not."""

from __future__ import annotations

from training.curriculum.rendering import RenderedLesson, render_markdown

CALLS: list[tuple[str, str]] = []


def resolve(kind: str, target: str) -> str:
    """Map internal links to predictable URLs and remember the calls."""
    CALLS.append((kind, target))
    return f"/{kind}/{target}"


def render(body: str) -> str:
    """Render a body and return its HTML."""
    return render_markdown(body, resolve).html


def test_lesson_and_glossary_links_are_rewritten():
    CALLS.clear()
    html = render("[a](lesson:welcome/levels#basic) and [b](glossary:qianniu)")
    assert CALLS == [("lesson", "welcome/levels#basic"), ("glossary", "qianniu")]
    assert '<a href="/lesson/welcome/levels#basic" rel="noopener noreferrer">a</a>' in html
    assert '<a href="/glossary/qianniu" rel="noopener noreferrer">b</a>' in html


def test_unresolvable_link_keeps_its_text_without_href():
    html = render_markdown("[gone](lesson:x/y)", lambda kind, target: "").html
    assert "gone" in html
    assert "href" not in html


def test_web_links_survive_with_rel():
    html = render("[w](https://example.com/a?b=1) [m](mailto:kefu@example.com) [s](#basic)")
    assert 'href="https://example.com/a?b=1"' in html
    assert 'href="mailto:kefu@example.com"' in html
    assert 'href="#basic"' in html
    assert html.count('rel="noopener noreferrer"') == 3


def test_headings_keep_ids_and_make_the_toc():
    result = render_markdown(
        "## 我们 & 你们 {#we}\n\ntext\n\n### Detail {#detail}\n\n## Two {#two}\n", resolve
    )
    assert isinstance(result, RenderedLesson)
    assert '<h2 id="we">我们 &amp; 你们</h2>' in result.html
    assert '<h3 id="detail">Detail</h3>' in result.html
    assert result.toc == (("we", "我们 & 你们"), ("two", "Two"))


def test_admonition_survives():
    html = render('!!! tip "记住"\n    先弄清买家要什么。\n')
    assert '<div class="admonition tip">' in html
    assert '<p class="admonition-title">记住</p>' in html
    assert "<p>先弄清买家要什么。</p>" in html


def test_table_survives_with_alignment():
    html = render("| 等级 | 要求 |\n| :--- | ---: |\n| 基础 | 熟悉商品 |\n")
    assert "<table>" in html
    assert '<th align="left">等级</th>' in html
    assert '<td align="right">熟悉商品</td>' in html


def test_code_lists_and_emphasis_survive():
    html = render("**b** *i* `c`\n\n```\nx = 1\n```\n\n1. one\n2. two\n\n- a\n\n> q\n\n---\n")
    for tag in ("<strong>b</strong>", "<em>i</em>", "<code>c</code>", "<pre><code>x = 1"):
        assert tag in html
    for tag in ("<ol>", "<ul>", "<blockquote>", "<hr"):
        assert tag in html


def test_script_and_its_content_are_removed():
    html = render("hi <script>alert('x')</script>\n\n<script>\nalert(2)\n</script>\n")
    assert "<script" not in html
    assert "alert" not in html


def test_event_handlers_are_removed():
    html = render('<img src="x" onerror="alert(1)"> <b onclick="alert(2)">b</b>')
    assert "onerror" not in html
    assert "onclick" not in html
    assert "<img" not in html


def test_javascript_and_data_urls_are_removed():
    html = render(
        "[j](javascript:alert(1)) [J](JaVaScRiPt:alert(1)) [d](data:text/html;base64,PHNjcmlwdD4=)"
        ' <a href="javascript:alert(3)">raw</a>'
    )
    assert "javascript" not in html.lower()
    assert "data:" not in html


def test_iframes_are_removed():
    html = render('<iframe src="https://evil.example"></iframe>\n\ntext')
    assert "iframe" not in html
    assert "evil" not in html


def test_style_attributes_and_foreign_classes_are_removed():
    html = render('para\n{: style="color: red" .evil onclick="x"}\n\n<p style="x">raw</p>')
    assert "style" not in html
    assert "evil" not in html
    assert "onclick" not in html
    assert "para" in html
