"""Plain-text and markdown minutes.

Decoding: UTF-8 (with or without a byte-order mark), UTF-16/UTF-32 with a byte-order mark, UTF-16 without one
when every other byte is NUL, else Windows-1252 (which covers Latin-1); anything that still fails, or decodes
to control characters, is refused as "not a text file".

Markdown is flattened to readable text, keeping what a segmenter needs:
- YAML (`---`) or TOML (`+++`) front matter is dropped, its dates being page metadata (edit or publication
  times), not meeting dates; only its `title`, when it has one, is kept as a first `# title` line, since
  static sites often carry the meeting's name there ("Minutes for meeting held Tuesday 6 May 2025");
- ATX headings keep their `#` marks (setext headings are rewritten as `#`/`##` lines), the same convention
  the HTML and Word readers use for their headings;
- list markers become "- " (indentation kept), table rows become "cell | cell | cell" with the `|---|` rule
  dropped, horizontal rules and code fences are dropped;
- inline HTML is reduced to its text (`<li>` starts a "- " line, `<br>` a new line), emphasis and escapes are
  removed, and `[text](url)` keeps its text (plus the url in brackets when it is a different web address).
Plain .txt files are only normalised; their indentation is kept.
"""

from __future__ import annotations

import codecs
import html
import re
from pathlib import Path

from ingest.models import Document, IngestError
from ingest.readers.normalise import looks_binary, normalise_newlines, normalise_text

MARKDOWN_SUFFIXES = (".md", ".markdown")

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def decode_text(data: bytes) -> str:
    """Bytes of a text file as str, or IngestError("not a text file (...)")."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError as exc:
                raise IngestError(f"not a text file (invalid {encoding.upper()} after its byte-order mark)") from exc
            break
    else:
        text = _decode_without_bom(data)
    if looks_binary(text):
        raise IngestError("not a text file (it holds binary control characters)")
    return text


def _decode_without_bom(data: bytes) -> str:
    if b"\x00" in data:
        # UTF-16 saved without a byte-order mark: ASCII text leaves every other byte NUL.
        if len(data) % 2 == 0 and len(data) >= 4:
            for encoding, nuls in (("utf-16-le", data[1::2]), ("utf-16-be", data[0::2])):
                if nuls.count(0) >= 0.9 * len(nuls):
                    try:
                        return data.decode(encoding)
                    except UnicodeDecodeError:
                        break
        raise IngestError("not a text file (it contains NUL bytes)")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise IngestError("not a text file (its bytes are neither UTF-8 nor Windows-1252 text)") from exc


def read_text(path: Path) -> Document:
    """A .txt, .md or .markdown file; markdown is flattened as the module docstring describes."""
    data = path.read_bytes()
    if not data:
        raise IngestError("the file is empty")
    text = decode_text(data)
    is_markdown = path.suffix.lower() in MARKDOWN_SUFFIXES
    if is_markdown:
        text = markdown_to_text(text)
    text = normalise_text(text)
    if not text.strip():
        raise IngestError("the file has no text")
    return Document(source=str(path), format="md" if is_markdown else "txt", text=text)


# --- markdown ---------------------------------------------------------------------------------------------

_FRONT_MATTER = re.compile(r"\A(?:---|\+\+\+)[ \t]*\n(?:.*?\n)?(?:---|\+\+\+|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)
_FRONT_MATTER_TITLE = re.compile(r"^title[ \t]*[:=][ \t]*(\S.*?)[ \t]*$", re.MULTILINE)
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_FENCE = re.compile(r"^\s*(```|~~~)")
_RULE = re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)+\|?\s*$|^\s*\|\s*:?-+:?\s*\|\s*$")
_ATX_HEADING = re.compile(r"^ {0,3}#{1,6}(?:[ \t]|$)")
_ATX_CLOSING = re.compile(r"^(#{1,6}\s.*?)\s+#+\s*$")
_LIST_MARKER = re.compile(r"^(\s*)[*+-][ \t]+(?=\S)")
_CELL_SPLIT = re.compile(r"(?<!\\)\|")

_BLOCK_TAGS = "ul|ol|p|div|table|tr|thead|tbody|blockquote|pre|h[1-6]|dl|dt|dd|center|section"
_INLINE_HTML = (
    (re.compile(r"<br\s*/?>", re.IGNORECASE), "\n"),
    (re.compile(r"<li\b[^>]*>\s*", re.IGNORECASE), "\n- "),
    (re.compile(rf"</?(?:{_BLOCK_TAGS})\b[^>]*>", re.IGNORECASE), "\n"),
    (re.compile(r"</li\s*>", re.IGNORECASE), ""),
    (
        re.compile(
            r"</?(?:a|b|i|u|s|em|strong|span|font|sup|sub|small|big|strike|del|ins|code|kbd|mark|abbr|"
            r"cite|q|tt|td|th|img|hr|caption|col|colgroup|label|tfoot)\b[^>]*>",
            re.IGNORECASE,
        ),
        "",
    ),
)
_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]*)\]\(([^)]*)\)")
_AUTOLINK = re.compile(r"<((?:https?|mailto):[^>\s]+)>")
_EMPHASIS = (
    re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*"),
    re.compile(r"(?<!\w)__(?=\S)(.+?)(?<=\S)__(?!\w)"),
    re.compile(r"(?<![\w*])\*(?=[^\s*])(.+?)(?<=[^\s*])\*(?![\w*])"),
    re.compile(r"(?<![\w_])_(?=[^\s_])(.+?)(?<=[^\s_])_(?![\w_])"),
    re.compile(r"~~(?=\S)(.+?)(?<=\S)~~"),
    re.compile(r"`([^`\n]+)`"),
)
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


def markdown_to_text(markdown: str) -> str:
    """Markdown flattened to readable text with headings kept as `#` lines (see the module docstring)."""
    text = normalise_newlines(markdown).lstrip("\ufeff")
    front_matter = _FRONT_MATTER.match(text)
    if front_matter:
        title = _FRONT_MATTER_TITLE.search(front_matter.group(0))
        heading = f"# {title.group(1).strip().strip(chr(34) + chr(39)).strip()}\n\n" if title else ""
        text = heading + text[front_matter.end() :]
    text = _HTML_COMMENT.sub("", text)
    lines = text.split("\n")
    table_rows = _table_rows(lines)
    out: list[str] = []
    in_fence = False
    after_paragraph_line = False  # the previous line was plain paragraph text (a setext heading's title)
    for index, line in enumerate(lines):
        if _FENCE.match(line):
            in_fence = not in_fence
            after_paragraph_line = False
            continue
        if in_fence:
            out.append(line)
            continue
        if index in table_rows:
            if not _TABLE_RULE.match(line):
                out.append(_table_row(line))
            after_paragraph_line = False
            continue
        if after_paragraph_line and _SETEXT.match(line):
            out[-1] = ("# " if line.lstrip().startswith("=") else "## ") + out[-1].strip()
            after_paragraph_line = False
            continue
        after_paragraph_line = _is_paragraph_line(line)
        if _RULE.match(line):
            out.append("")
            continue
        is_heading = _ATX_HEADING.match(line) is not None
        line = _ATX_CLOSING.sub(r"\1", line)
        line = _LIST_MARKER.sub(r"\1- ", line)
        line = _inline(line)
        if not is_heading and line.startswith("#"):
            line = "\\" + line  # "**\#** Denotes ..." must not turn into a heading
        out.append(line)
    return "\n".join(out)


def _table_rows(lines: list[str]) -> set[int]:
    """Indices of table lines: every line starting with `|`, and the rows of a pipe table without outer
    pipes (the header line before a `---|---` rule and the lines after it up to a blank one)."""
    rows = {i for i, line in enumerate(lines) if line.lstrip().startswith("|")}
    for i, line in enumerate(lines):
        if _TABLE_RULE.match(line) and "|" in line and i > 0 and "|" in lines[i - 1]:
            rows.update((i - 1, i))
            j = i + 1
            while j < len(lines) and lines[j].strip() and "|" in lines[j]:
                rows.add(j)
                j += 1
    return rows


def _table_row(line: str) -> str:
    cells = _CELL_SPLIT.split(line.strip())
    if cells and not cells[0].strip():
        cells = cells[1:]
    if cells and not cells[-1].strip():
        cells = cells[:-1]
    texts = [_inline(cell).strip() for cell in cells]
    return " | ".join(text for text in texts if text)


def _is_paragraph_line(line: str) -> bool:
    stripped = line.strip()
    return (
        bool(stripped)
        and not stripped.startswith(("#", "|", ">"))
        and not _LIST_MARKER.match(line)
        and not _RULE.match(line)
        and not _SETEXT.match(line)
    )


def _inline(text: str) -> str:
    for pattern, replacement in _INLINE_HTML:
        text = pattern.sub(replacement, text)
    text = _IMAGE.sub(r"\1", text)
    text = _LINK.sub(_link_text, text)
    text = _AUTOLINK.sub(r"\1", text)
    for pattern in _EMPHASIS:
        text = pattern.sub(r"\1", text)
    text = _ESCAPE.sub(r"\1", text)
    text = html.unescape(text)
    # A cell or line that HTML split into several lines: trim each piece.
    return "\n".join(part.strip() if i else part.rstrip() for i, part in enumerate(text.split("\n")))


def _link_text(match: re.Match[str]) -> str:
    label = match.group(1).strip()
    url = match.group(2).strip().strip("[]<>").strip()
    if not label:
        return url
    if url == label.strip("[]<>") or not url.startswith(("http://", "https://", "mailto:")):
        return label
    return f"{label} ({url})"
