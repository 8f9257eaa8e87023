"""What a browser would make of the page's Markdown and HTML: tags, attributes and visible text, so tests can
check that markup from minutes is shown as text and never becomes elements.

Streamlit renders `st.markdown` as CommonMark (raw HTML allowed only with unsafe_allow_html); markdown-it-py
(installed with rich) is a CommonMark renderer, so rendering a fragment with it shows what elements it makes.
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from markdown_it import MarkdownIt

# Markers that occur only in the hostile minutes: if one turns up in a tag's attributes or in a script, markup
# from the minutes has become an element.
HOSTILE_MARKERS = ("alert(", "pwned", "evil.example", "javascript:")
# Elements the hostile minutes try to create; the page's own Markdown fragments use none of them.
HOSTILE_TAGS = {"script", "img", "svg", "iframe", "b", "i", "object", "embed", "a"}


@dataclass
class Parsed:
    tags: list[tuple[str, list[tuple[str, str | None]]]] = field(default_factory=list)
    scripts: list[str] = field(default_factory=list)
    text: str = ""


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parsed = Parsed()
        self._in_script = False
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.parsed.tags.append((tag, attrs))
        self._in_script = tag == "script"
        if tag == "br":
            self._text.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.parsed.scripts.append(data)
        else:
            self._text.append(data)

    def close(self) -> None:
        super().close()
        self.parsed.text = "".join(self._text)


def parse_html(fragment: str) -> Parsed:
    collector = _Collector()
    collector.feed(fragment)
    collector.close()
    return collector.parsed


def render_markdown(source: str, *, allow_html: bool) -> Parsed:
    """The elements and text CommonMark makes of `source` (raw HTML passed through only if `allow_html`)."""
    renderer = MarkdownIt("commonmark", {"html": allow_html})
    return parse_html(renderer.render(source))


def injected(parsed: Parsed, own_tags: frozenset[str] = frozenset()) -> list[str]:
    """Every way in which `parsed` holds an element or script that came from the hostile minutes. `own_tags`
    are tags the page itself writes there (its scroll script in `st.html`), whose content is still checked."""
    problems = []
    for tag, attrs in parsed.tags:
        if tag in HOSTILE_TAGS - own_tags:
            problems.append(f"<{tag}> element")
        for name, value in attrs:
            if name.startswith("on"):
                problems.append(f"{name} attribute on <{tag}>")
            if value and any(marker in value.lower() for marker in HOSTILE_MARKERS):
                problems.append(f"{name}={value!r} on <{tag}>")
    for script in parsed.scripts:
        if any(marker in script for marker in HOSTILE_MARKERS):
            problems.append(f"script {script[:60]!r}")
    return problems


def walk(node: Any) -> Iterator[Any]:
    """Every element and block of an AppTest tree (main area, sidebar, tabs, expanders, chat messages)."""
    yield node
    children = getattr(node, "children", None)
    if isinstance(children, dict):
        for child in children.values():
            yield from walk(child)


@dataclass
class Shown:
    """One piece of the page: where it came from, whether Streamlit lets raw HTML through, and its source."""

    kind: str
    source: str
    allow_html: bool


def page_pieces(at: Any) -> list[Shown]:
    """Every text the page hands the browser as Markdown or HTML (labels too: Streamlit reads them as Markdown).
    `st.code` and `st.text` are left out: they are shown verbatim by construction."""
    pieces = []
    for node in walk(at._tree):
        kind = type(node).__name__
        proto = getattr(node, "proto", None)
        if kind == "Html":
            pieces.append(Shown(kind, proto.body, True))
        elif kind in ("Markdown", "Caption", "Title", "Header", "Subheader", "Divider", "Latex"):
            pieces.append(Shown(kind, node.value, bool(getattr(proto, "allow_html", False))))
        elif kind in ("Info", "Success", "Warning", "Error", "Exception"):
            pieces.append(Shown(kind, node.value, False))
        if kind in ("Tab", "Expander", "Button", "DownloadButton", "TextArea", "TextInput", "ChatInput"):
            label = getattr(node, "label", None) or ""
            if label:
                pieces.append(Shown(f"{kind} label", label, False))
        if kind in ("Radio", "Multiselect", "Selectbox"):
            pieces.extend(Shown(f"{kind} option", str(option), False) for option in node.options)
    return pieces


def shown_text(piece: Shown) -> str:
    """What the reader sees of a piece: its rendered text, entities decoded."""
    if piece.kind == "Html":
        return html.unescape(parse_html(piece.source).text)
    return html.unescape(render_markdown(piece.source, allow_html=piece.allow_html).text)
