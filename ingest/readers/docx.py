"""Word (.docx) minutes: paragraphs and tables in document order.

python-docx opens the package; the body is then walked as XML so that content controls (`w:sdt`), tracked
insertions and hyperlinks are read too, and text boxes and deleted text are not. Layout:
- each paragraph is a paragraph (blank line between), a `w:br` inside one is a line break;
- "Heading N" (or "Title", as level 1) paragraphs are prefixed markdown-style with "#" * N + " ";
- Word's automatic numbering is written out ("3.", "3.1", "(a)", bullets as "- "), since minutes often
  number their items that way and the segmenter needs the numbers; list paragraphs are single-spaced;
- table rows become "cell | cell" lines, a cell's paragraphs joined by spaces;
- paragraphs that are only a typed page label ("Page 2 of 3") are dropped: some minutes simulate page
  breaks with them, and with a typed signature line ("Signed ____ Dated ...") before each; a signature
  line that recurs is kept only where it last appears, at the end of the minutes.
Page headers and footers are not read (they are page furniture). A package that would inflate beyond
`MAX_DOCUMENT_XML_BYTES` (the body) or `MAX_PACKAGE_BYTES` (everything) is refused before parsing.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ingest.models import Document, IngestError
from ingest.readers.normalise import is_page_label, join_blocks, normalise_text, one_line

MAX_DOCUMENT_XML_BYTES = 50 * 1024 * 1024
MAX_PACKAGE_BYTES = 200 * 1024 * 1024

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_SIGNATURE_LINE = re.compile(r"^sign(?:ed|ature)\b[^\n]*_{4,}[^\n]*$", re.IGNORECASE)
_HEADING_STYLE = re.compile(r"^heading\s*([1-9])$", re.IGNORECASE)
# Subtrees whose text is not part of the paragraph as printed: text boxes (anchored shapes, often repeated
# in a VML fallback), deleted or moved-away revisions, field instructions, and formatting (whose `w:tab`
# elements are tab stops, not tabs).
_SKIPPED = {
    f"{_W}{name}"
    for name in ("txbxContent", "del", "moveFrom", "instrText", "delText", "fldData", "pPr", "rPr", "sectPr")
}
_SKIPPED.add("{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback")


def read_docx(path: Path) -> Document:
    """A .docx file as text (see the module docstring)."""
    _check_package(path)
    try:
        import docx

        word = docx.Document(str(path))
        body = word.element.body
        styles = _Styles(word.part.styles.element)
        numbering = _Numbering(_numbering_element(word.part))
        text = _Writer(styles, numbering).body(body)
    except IngestError:
        raise
    except Exception as exc:  # python-docx, zipfile and lxml raise assorted errors on damaged packages
        raise IngestError(f"not a readable Word document ({_reason(exc)})") from exc
    text = normalise_text(text)
    if not text.strip():
        raise IngestError("the Word document has no text")
    return Document(source=str(path), format="docx", text=text)


def _check_package(path: Path) -> None:
    with path.open("rb") as handle:
        head = handle.read(8)
    if not head:
        raise IngestError("the file is empty")
    if head == _OLE_SIGNATURE:
        raise IngestError("not a readable Word document (an old-format .doc or a password-protected file)")
    if not zipfile.is_zipfile(path):
        raise IngestError("not a readable Word document (it is not a zip package)")
    try:
        with zipfile.ZipFile(path) as package:
            names = package.namelist()
            if "word/document.xml" not in names:
                raise IngestError("not a readable Word document (the package has no word/document.xml)")
            total = 0
            for info in package.infolist():
                limit = MAX_DOCUMENT_XML_BYTES if info.filename == "word/document.xml" else MAX_PACKAGE_BYTES
                size = _inflated_size(package, info, min(limit, MAX_PACKAGE_BYTES - total) + 1)
                if info.filename == "word/document.xml" and size > MAX_DOCUMENT_XML_BYTES:
                    raise IngestError(
                        f"the Word document is too large to read safely (its text part inflates to more than "
                        f"{MAX_DOCUMENT_XML_BYTES // (1024 * 1024)} MB)"
                    )
                total += size
                if total > MAX_PACKAGE_BYTES:
                    raise IngestError(
                        f"the Word document is too large to read safely (it inflates to more than "
                        f"{MAX_PACKAGE_BYTES // (1024 * 1024)} MB)"
                    )
    except IngestError:
        raise
    except Exception as exc:  # BadZipFile, unsupported compression, CRC errors, truncated members
        raise IngestError(f"not a readable Word document ({_reason(exc)})") from exc


def _inflated_size(package: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int) -> int:
    """Bytes the member really inflates to, counted while streaming and stopped at `cap` (the header's
    declared size can lie)."""
    if info.file_size >= cap:
        return info.file_size
    size = 0
    with package.open(info) as member:
        while size < cap:
            chunk = member.read(1 << 20)
            if not chunk:
                break
            size += len(chunk)
    return size


def _reason(exc: BaseException) -> str:
    return one_line(f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)


def _numbering_element(part: Any) -> Any:
    from docx.opc.constants import RELATIONSHIP_TYPE as RT

    try:
        return part.part_related_by(RT.NUMBERING).element
    except (KeyError, AttributeError):
        return None


def _val(element: Any, path: str) -> str | None:
    found = element.find(path) if element is not None else None
    return None if found is None else found.get(f"{_W}val")


class _Styles:
    """Paragraph styles by id: heading level and list numbering, following `basedOn` links."""

    def __init__(self, styles_element: Any) -> None:
        self._by_id = {style.get(f"{_W}styleId"): style for style in styles_element.iter(f"{_W}style")}

    def _chain(self, style_id: str | None) -> Iterator[Any]:
        seen: set[str] = set()
        while style_id and style_id not in seen and style_id in self._by_id:
            seen.add(style_id)
            style = self._by_id[style_id]
            yield style
            style_id = _val(style, f"{_W}basedOn")

    def heading_level(self, style_id: str | None) -> int:
        for style in self._chain(style_id):
            name = (_val(style, f"{_W}name") or "").strip()
            match = _HEADING_STYLE.match(name)
            if match:
                return int(match.group(1))
            if name.lower() == "title":
                return 1
        return 0

    def numbering(self, style_id: str | None) -> tuple[str, int] | None:
        for style in self._chain(style_id):
            num_pr = style.find(f"{_W}pPr/{_W}numPr")
            if num_pr is not None:
                num_id = _val(num_pr, f"{_W}numId")
                return (num_id, int(_val(num_pr, f"{_W}ilvl") or 0)) if num_id else None
        return None


@dataclass
class _Level:
    fmt: str = "decimal"
    text: str = "%1."
    start: int = 1


_ROMAN = ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"), (50, "l"), (40, "xl"),
          (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"))  # fmt: skip


def _format_number(value: int, fmt: str) -> str:
    if fmt in ("lowerLetter", "upperLetter"):
        letters = ""
        n = value
        while n > 0:
            n, rest = divmod(n - 1, 26)
            letters = chr(ord("a") + rest) + letters
        return letters.upper() if fmt == "upperLetter" else letters
    if fmt in ("lowerRoman", "upperRoman"):
        roman, n = "", value
        for number, numeral in _ROMAN:
            while n >= number:
                roman, n = roman + numeral, n - number
        return roman.upper() if fmt == "upperRoman" else roman
    if fmt == "decimalZero":
        return f"{value:02d}"
    return str(value)


@dataclass
class _Numbering:
    """Word's list numbering, replayed: counters per list instance (numId) and level."""

    element: Any
    counters: dict[str, list[int]] = field(default_factory=dict)

    def label(self, num_id: str, ilvl: int) -> str | None:
        """The label Word would print for the next paragraph of this list and level ("2.", "1.3", "- ")."""
        levels = self._levels(num_id)
        if levels is None or not 0 <= ilvl < 9:
            return None
        level = levels.get(ilvl, _Level())
        if level.fmt == "bullet":
            return "- "
        if level.fmt == "none":
            return None
        counters = self.counters.setdefault(num_id, [0] * 9)
        for deeper in range(ilvl + 1, 9):
            counters[deeper] = 0
        counters[ilvl] = counters[ilvl] + 1 if counters[ilvl] else level.start
        text = level.text

        def number(match: re.Match[str]) -> str:
            index = int(match.group(1)) - 1
            shown = levels.get(index, _Level())
            return _format_number(counters[index] or shown.start, shown.fmt)

        label = re.sub(r"%([1-9])", number, text).strip()
        return label + " " if label else None

    def _levels(self, num_id: str) -> dict[int, _Level] | None:
        if self.element is None or num_id in ("0", ""):
            return None
        num = next((n for n in self.element.iter(f"{_W}num") if n.get(f"{_W}numId") == num_id), None)
        if num is None:
            return None
        abstract_id = _val(num, f"{_W}abstractNumId")
        abstract = next(
            (a for a in self.element.iter(f"{_W}abstractNum") if a.get(f"{_W}abstractNumId") == abstract_id), None
        )
        levels: dict[int, _Level] = {}
        if abstract is not None:
            for lvl in abstract.iter(f"{_W}lvl"):
                index = int(lvl.get(f"{_W}ilvl") or 0)
                start = _val(lvl, f"{_W}start")
                levels[index] = _Level(
                    fmt=_val(lvl, f"{_W}numFmt") or "decimal",
                    text=_val(lvl, f"{_W}lvlText") or "",
                    start=int(start) if start and start.lstrip("-").isdigit() else 1,
                )
        for override in num.iter(f"{_W}lvlOverride"):
            index = int(override.get(f"{_W}ilvl") or 0)
            start = _val(override, f"{_W}startOverride")
            if start and start.isdigit():
                levels.setdefault(index, _Level()).start = int(start)
        return levels


@dataclass
class _Block:
    text: str
    tight: bool  # a list paragraph or table row: single-spaced against a tight neighbour


@dataclass
class _Writer:
    styles: _Styles
    numbering: _Numbering
    blocks: list[_Block] = field(default_factory=list)

    def body(self, body: Any) -> str:
        self._container(body)
        signatures = [i for i, block in enumerate(self.blocks) if _SIGNATURE_LINE.match(block.text)]
        for i in signatures[:-1]:
            if " ".join(self.blocks[i].text.split()) == " ".join(self.blocks[signatures[-1]].text.split()):
                self.blocks[i] = _Block("", tight=False)
        return join_blocks((block.text, block.tight) for block in self.blocks)

    def _container(self, element: Any) -> None:
        for child in element:
            if child.tag == f"{_W}p":
                self._paragraph(child)
            elif child.tag == f"{_W}tbl":
                self._table(child)
            elif child.tag in (f"{_W}sdt", f"{_W}customXml", f"{_W}sdtContent"):
                self._container(child.find(f"{_W}sdtContent") if child.tag == f"{_W}sdt" else child)

    def _paragraph(self, p: Any) -> None:
        text = paragraph_text(p).strip()
        style_id = _val(p, f"{_W}pPr/{_W}pStyle")
        num_pr = p.find(f"{_W}pPr/{_W}numPr")
        numbered: tuple[str, int] | None = None
        if num_pr is not None:
            num_id = _val(num_pr, f"{_W}numId")
            numbered = (num_id, int(_val(num_pr, f"{_W}ilvl") or 0)) if num_id else None
        else:
            numbered = self.styles.numbering(style_id)
        if not text or is_page_label(text):
            return  # an empty paragraph takes no number in Word either
        label = self.numbering.label(*numbered) if numbered else None
        level = self.styles.heading_level(style_id)
        if level:
            self.blocks.append(_Block("#" * level + " " + (label or "") + text, tight=False))
            return
        lines = [line.strip() for line in text.split("\n")]
        if label:
            indent = "  " * numbered[1] if numbered else ""
            lines[0] = indent + label + lines[0]
        lines = ["\\" + line if line.startswith("#") else line for line in lines]
        self.blocks.append(_Block("\n".join(lines), tight=label is not None))

    def _table(self, table: Any) -> None:
        self.blocks.append(_Block("", tight=False))  # a blank line between a list and a table
        for row in _children(table, "tr"):
            cells = []
            for cell in _children(row, "tc"):
                texts = (paragraph_text(p).strip() for p in cell.iter(f"{_W}p"))
                cells.append(" ".join(" ".join(text.split()) for text in texts if text))
            cells = [cell for cell in cells if cell]
            if cells:
                self.blocks.append(_Block(" | ".join(cells), tight=True))
        self.blocks.append(_Block("", tight=False))  # and between the table and what follows


def _children(element: Any, name: str) -> Iterator[Any]:
    """Direct children named `name`, looking through content controls and custom XML wrappers."""
    for child in element:
        if child.tag == f"{_W}{name}":
            yield child
        elif child.tag in (f"{_W}sdt", f"{_W}customXml"):
            inner = child.find(f"{_W}sdtContent") if child.tag == f"{_W}sdt" else child
            if inner is not None:
                yield from _children(inner, name)


def paragraph_text(p: Any) -> str:
    """The printed text of a `w:p`: runs inside hyperlinks, fields, insertions and inline content controls
    included; text boxes and deleted revisions not."""
    parts: list[str] = []
    _collect(p, parts)
    return "".join(parts)


def _collect(element: Any, parts: list[str]) -> None:
    for child in element:
        tag = child.tag
        if not isinstance(tag, str) or tag in _SKIPPED:
            continue
        if tag == f"{_W}t":
            parts.append(child.text or "")
        elif tag in (f"{_W}tab", f"{_W}ptab"):
            parts.append("\t")
        elif tag in (f"{_W}br", f"{_W}cr"):
            parts.append("\n")
        elif tag == f"{_W}noBreakHyphen":
            parts.append("-")
        elif tag == f"{_W}p":
            continue  # a nested paragraph (inside a shape) is not part of this one
        else:
            _collect(child, parts)
