"""Turn a lesson body into safe HTML plus its table of contents.

Lesson links (``lesson:``/``glossary:``) are rewritten on the parsed tree, then the HTML is
sanitised with nh3 so that whatever an author (or an attacker with commit access) writes,
only the markup our Markdown extensions produce reaches the browser.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from xml.etree.ElementTree import Element

import markdown
import nh3
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

LinkResolver = Callable[[str, str], str]

LINK_KINDS = ("lesson", "glossary")
EXTENSIONS = ("tables", "admonition", "toc", "fenced_code", "attr_list", "sane_lists")
# Tables emit align="..." instead of style="...", because styles are stripped.
EXTENSION_CONFIGS = {"tables": {"use_align_attribute": True}}

ALLOWED_TAGS = {
    "p", "h2", "h3", "h4", "ul", "ol", "li", "strong", "em", "code", "pre", "blockquote",
    "table", "thead", "tbody", "tr", "th", "td", "a", "div", "hr", "br",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "h2": {"id"},
    "h3": {"id"},
    "h4": {"id"},
    "th": {"align"},
    "td": {"align"},
    "ol": {"start"},
}
CALLOUT_TYPES = ("note", "tip", "warning", "example")
ALLOWED_CLASSES = {
    "div": {"admonition", *CALLOUT_TYPES},
    "p": {"admonition-title"},
}
URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "noopener noreferrer"


@dataclass(frozen=True)
class RenderedLesson:
    """Sanitised HTML of a lesson body and its ``##`` sections as (id, heading text)."""

    html: str
    toc: tuple[tuple[str, str], ...]


class _LinkRewriter(Treeprocessor):
    """Replaces ``lesson:``/``glossary:`` hrefs with URLs from the app's resolver."""

    def __init__(self, md: markdown.Markdown, resolve_link: LinkResolver):
        super().__init__(md)
        self.resolve_link = resolve_link

    def run(self, root: Element) -> None:
        """Rewrite every internal link in place."""
        for anchor in root.iter("a"):
            href = anchor.get("href", "")
            kind, sep, target = href.partition(":")
            if not sep or kind not in LINK_KINDS:
                continue
            url = self.resolve_link(kind, target)
            if url:
                anchor.set("href", url)
            else:
                # An unresolvable link stays readable text rather than a dead href.
                del anchor.attrib["href"]


class _LinkExtension(Extension):
    def __init__(self, resolve_link: LinkResolver):
        super().__init__()
        self.resolve_link = resolve_link

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 (Markdown's API name)
        """Register the rewriter after attr_list/toc so it sees final hrefs."""
        md.treeprocessors.register(_LinkRewriter(md, self.resolve_link), "kefu_links", 1)


def render_markdown(body: str, resolve_link: LinkResolver) -> RenderedLesson:
    """Render a lesson body to sanitised HTML, resolving internal links via ``resolve_link``."""
    # A fresh Markdown instance per call: instances hold state and are not thread-safe.
    md = markdown.Markdown(
        extensions=[*EXTENSIONS, _LinkExtension(resolve_link)],
        extension_configs=EXTENSION_CONFIGS,
        output_format="html",
    )
    raw = md.convert(body)
    return RenderedLesson(html=sanitise(raw), toc=_sections(md.toc_tokens))


def sanitise(raw_html: str) -> str:
    """Keep only the markup our Markdown extensions produce, so content can never run code."""
    return nh3.clean(
        raw_html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES,
        url_schemes=URL_SCHEMES,
        link_rel=LINK_REL,
    )


def _sections(tokens: list[dict]) -> tuple[tuple[str, str], ...]:
    found: list[tuple[str, str]] = []
    for token in tokens:
        if token["level"] == 2:
            # toc gives HTML-escaped text; templates escape again, so hand over plain text.
            found.append((token["id"], html.unescape(token["name"])))
        found.extend(_sections(token.get("children", [])))
    return tuple(found)
