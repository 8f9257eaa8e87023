"""HTML minutes: the visible text of the page body, laid out as paragraphs.

Scripts, styles, navigation, inline SVG, page headers and footers (but not an `<article>`'s or `<main>`'s own
header, which holds its title), forms and templates are dropped first.
Dropping `<script>` matters beyond tidiness: static-site exports (Next.js) repeat the whole page body as
escaped HTML inside script payloads, so keeping scripts would index the minutes twice.

Layout: each block element (paragraph, div, blockquote, ...) becomes a paragraph separated by a blank line;
h1-h6 become lines prefixed markdown-style with "#" * level (the convention of every reader); list items
become "- " lines ("1. " in ordered lists), indented two spaces per nesting level; table rows become
"cell | cell" lines. A short paragraph that is bold throughout (`<p><strong>Present</strong></p>`), which
pages without real headings use for their sections, becomes a heading one level below the page's deepest
h1-h6 (so "## Present" under an h1 date). A non-heading line that happens to start with "#" is written
"\\#" so it cannot pass for one.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from bs4 import BeautifulSoup, Comment, NavigableString, Tag
from bs4.element import CData, Declaration, Doctype, PageElement, ProcessingInstruction

from ingest.models import Document, IngestError
from ingest.readers.normalise import join_blocks, looks_binary, normalise_text, one_line

DROPPED_TAGS = (
    "script", "style", "noscript", "template", "nav", "svg", "math", "header", "footer", "head",
    "form", "button", "select", "input", "textarea", "iframe", "object", "embed", "canvas", "audio", "video",
)  # fmt: skip
_BLOCK_TAGS = frozenset(
    "p div section article main aside blockquote address center figure figcaption details summary "
    "fieldset dl dt dd body html hgroup".split()
)
_HEADING = re.compile(r"^h([1-6])$")
MAX_BOLD_TITLE_WORDS = 12
_WHITESPACE = re.compile(r"[ \t\r\n\f\v]+")
_SKIPPED_STRINGS = (Comment, CData, Declaration, Doctype, ProcessingInstruction)


def read_html(path: Path) -> Document:
    """An .html/.htm page as readable text (see the module docstring)."""
    data = path.read_bytes()
    if not data:
        raise IngestError("the file is empty")
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise IngestError("not an HTML file (it contains binary data)")
    try:
        soup = BeautifulSoup(data, "lxml")
    except Exception as exc:  # lxml and bs4 raise assorted errors on hostile input
        raise IngestError(f"not a readable HTML file ({one_line(str(exc) or type(exc).__name__)})") from exc
    text = html_to_text(soup)
    if looks_binary(text):
        raise IngestError("not an HTML file (it decodes to binary control characters)")
    if not text.strip():
        raise IngestError("the HTML page has no visible text")
    return Document(source=str(path), format="html", text=text)


def html_to_text(soup: BeautifulSoup) -> str:
    for tag in soup.find_all(DROPPED_TAGS):
        if tag.name in ("header", "footer") and tag.find_parent(("article", "main")) is not None:
            continue  # an article's own header holds its title, not site chrome
        tag.decompose()
    root = soup.body or soup
    levels = [int(tag.name[1]) for tag in root.find_all(_HEADING)]
    layout = _Layout(bold_level=min(max(levels, default=0) + 1, 6))
    layout.walk(root)
    layout.flush()
    return normalise_text(layout.render())


@dataclass
class _Block:
    text: str
    tight: bool  # a list item or table row: no blank line between it and the block before it, if tight too


@dataclass
class _Layout:
    """Walks the tree once, collecting inline text into the current block and closing blocks at element
    boundaries."""

    blocks: list[_Block] = field(default_factory=list)
    inline: list[str] = field(default_factory=list)
    lists: list[list[int]] = field(default_factory=list)  # per open list: [next number] (0 for <ul>)
    item_prefix: str | None = None  # "- " or "3. " waiting for the first block of the current <li>
    in_item: int = 0
    bold_level: int = 1  # heading level given to a short paragraph that is all bold

    def walk(self, root: Tag) -> None:
        """Lay out `root`'s content. Iterative, not recursive: unclosed inline tags (`<font>` in old exported
        pages) nest one level each, and a few hundred of them exhausted Python's recursion limit."""
        stack: list[tuple[Iterator[PageElement], Callable[[], None] | None]] = [(iter(root.children), None)]
        while stack:
            children, after = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                if after is not None:
                    after()
            elif isinstance(child, _SKIPPED_STRINGS):
                continue
            elif isinstance(child, NavigableString):
                self.inline.append(_WHITESPACE.sub(" ", str(child)))  # source newlines are spaces; <br> is "\n"
            elif isinstance(child, Tag):
                descend, after_children = self.element(child)
                if descend:
                    stack.append((iter(child.children), after_children))

    def element(self, tag: Tag) -> tuple[bool, Callable[[], None] | None]:
        """Open `tag`: whether its children are to be laid out, and what to do once they have been."""
        name = tag.name.lower()
        heading = _HEADING.match(name)
        if heading:
            self.flush()
            title = _WHITESPACE.sub(" ", tag.get_text(" ")).strip()
            if title:
                self.blocks.append(_Block("#" * int(heading.group(1)) + " " + title, tight=False))
        elif name == "br":
            self.inline.append("\n")
        elif name == "hr":
            self.flush()
        elif name in ("ul", "ol", "menu", "dir"):
            self.flush()
            start = tag.get("start") if name == "ol" else None
            first = int(start) if isinstance(start, str) and start.strip().isdigit() else 1
            self.lists.append([first if name == "ol" else 0])
            return True, self._close_list
        elif name == "li":
            self.flush()
            counter = self.lists[-1] if self.lists else [0]
            if counter[0]:
                self.item_prefix = f"{counter[0]}. "
                counter[0] += 1
            else:
                self.item_prefix = "- "
            self.in_item += 1
            return True, self._close_item
        elif name == "table":
            self.flush()
            self.blocks.append(_Block("", tight=False))
            self.table(tag)
        elif name == "pre":
            self.flush()
            self.blocks.append(_Block(tag.get_text().strip("\n"), tight=False))
        elif name == "p" and not self.in_item and (bold_title := _bold_title(tag)):
            self.flush()
            self.blocks.append(_Block("#" * self.bold_level + " " + bold_title, tight=False))
        elif name in _BLOCK_TAGS or name in ("tr", "thead", "tbody", "tfoot", "caption", "legend"):
            self.flush()
            return True, self.flush
        else:
            return True, None
        return False, None

    def _close_list(self) -> None:
        self.flush()
        self.lists.pop()

    def _close_item(self) -> None:
        self.flush()
        self.in_item -= 1
        self.item_prefix = None

    def table(self, table: Tag) -> None:
        for row in table.find_all("tr"):
            if row.find_parent("table") is not table:
                continue  # a nested table's rows are flattened into their cell below
            cells = [_WHITESPACE.sub(" ", cell.get_text(" ")).strip() for cell in row.find_all(["td", "th"])]
            cells = [cell for cell in cells if cell]
            if cells:
                self.blocks.append(_Block(" | ".join(cells), tight=True))
        self.blocks.append(_Block("", tight=False))

    def flush(self) -> None:
        """Close the current block: its inline text, whitespace collapsed, `<br>` kept as line breaks."""
        lines = [_WHITESPACE.sub(" ", part).strip() for part in "".join(self.inline).split("\n")]
        self.inline.clear()
        lines = [line for line in lines if line]
        if not lines:
            return
        depth = max(len(self.lists) - 1, 0)
        indent = "  " * depth
        if self.item_prefix is not None:
            lines[0] = indent + self.item_prefix + lines[0]
            lines[1:] = [indent + "  " + line for line in lines[1:]]
            self.item_prefix = None
        elif self.in_item:
            lines = [indent + "  " + line for line in lines]
        lines = ["\\" + line if line.startswith("#") else line for line in lines]
        self.blocks.append(_Block("\n".join(lines), tight=bool(self.in_item)))

    def render(self) -> str:
        return join_blocks((block.text, block.tight) for block in self.blocks)


def _bold_title(paragraph: Tag) -> str | None:
    """The text of a short paragraph that is bold from end to end (`<p><strong>Present</strong></p>`), which
    pages without real headings use as their section headings; None for any other paragraph."""
    text = _WHITESPACE.sub(" ", paragraph.get_text(" ")).strip()
    if not text or len(text.split()) > MAX_BOLD_TITLE_WORDS or text.endswith((".", ",", ";")):
        return None
    bold = paragraph.find_all(("strong", "b"))
    outermost = [b for b in bold if not any(parent in bold for parent in b.parents)]
    bold_text = "".join(b.get_text() for b in outermost)
    return text if "".join(bold_text.split()) == "".join(text.split()) else None
