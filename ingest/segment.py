"""Split a meeting's text into its preamble and top-level agenda items, and find each item's decisions.

`segment_items(text)` returns the preamble (number and title None: title block, attendance) followed by every
top-level item in order. Items are contiguous, never overlap and together cover the whole text: an item runs
from the start of its heading line to the start of the next heading (the last one to the end of the text).

How headings are found, in order of preference:

1. **Numbered styles**: `48. TITLE`, `1 Apologies`, `4A Title`, `Item 4`, `Minute 45/23`, `12/23`, `14/037:`,
   `FGB 20/2021`, `17.03.02` (also after markdown `#` marks). One style is chosen per document: the one whose
   numbers form the best increasing sequence; numbers that do not continue the sequence are rejected, which
   is what keeps numbered resolutions (`1. That ...`) and numbered lists out. Plain `N.` headings must also
   look like headings (short, no sentence full stop, not `That ...`); list items (`- 2. The committee ...`)
   never qualify. The number is kept as printed (`17.03.3`, `FGB 20/2021`, `6` where `56` was meant: a
   number whose digits end the expected next number is accepted as a dropped-digit typo).
2. **Unnumbered headings**: markdown headings (`## Present`), or failing those, upper-case heading lines
   (`CALL TO ORDER AND ROLL CALL`). These win over numbers when numbered lines restart under them (`1.`,
   `2.` under each section heading are sub-items, not items). Unnumbered items are numbered by their
   ordinal position among the items, `"1"`, `"2"`, ..., so every item but the preamble has a number.
3. **Table rows**: minutes kept as one table (`Subject | Initials | Notes`) get an item per row, titled by
   its first cell and numbered by position.

Agenda lists: when a number is listed twice and its first occurrence sits in a run of headings with no text
between them (an agenda list at the top), the later occurrence (the minute itself) is the item, the agenda
list stays in the preamble, and, when the agenda list matches the minutes one for one, the item's title is
taken from the agenda list, whose titles are clean lines where minute headings may be wrapped in a narrow
column.

Attachments: after the last item, headings `Attachment 1: ...`, `Attachment A: ...` (as in board minutes
with appended reports) become items numbered `Attachment 1`, `Attachment A`; numbered lines inside them are
never items.

Titles are the heading text without its number, markdown marks or emphasis, with runs of whitespace
collapsed, a trailing colon dropped and any sentence run on after the heading cut off; an upper-case title
carries on over the next line or two of capitals or an agenda reference ("JUDGEMENT (Agenda item 4)").

Decisions are verbatim substrings of the item text: a paragraph opening with `Resolved: That ...`,
`Committee resolved to ...` or `Motion:` (marker included), or, after a bare `Resolved:`, each
recommendation in the list that follows (bullet and number left out) or the paragraph that follows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ingest.models import Item

MAX_TITLE_WORDS = 16  # a `N.` line longer than this is a numbered paragraph, not a heading
MAX_CAPS_WORDS = 12
_WINDOW = 400  # predecessors considered per candidate in the sequence search (keeps huge inputs linear)


@dataclass(frozen=True, slots=True)
class _Line:
    index: int
    start: int
    end: int  # excluding the newline
    text: str


@dataclass(frozen=True, slots=True)
class _Heading:
    line: int
    start: int
    style: str
    number: str
    key: tuple[int, ...]
    title: str
    level: int = 0  # markdown heading level, 0 when not a markdown heading


# ---------------------------------------------------------------------------------------------------------
# Lines and heading candidates

_MD = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_EMPHASIS = re.compile(r"^[*_]{1,3}(?=\S)|(?<=\S)[*_]{1,3}$")

_ITEM = re.compile(r"^Item\s+(?:No\.?\s*)?(\d{1,3})([A-Za-z]?)\b[.:)]?\s*[-–—:]?\s*(.*)$", re.I)
_MINUTE = re.compile(r"^Min(?:ute)?\.?\s+(?:No\.?\s*)?(\d{1,4})\s*/\s*(\d{2,4})\b[.:)]?\s*[-–—:]?\s*(.*)$", re.I)
_PREFIXED = re.compile(r"^([A-Z]{2,6})\s+(\d{1,4})\s*/\s*(\d{2,4})\b[.:)]?\s*[-–—:]?\s*(.*)$")
_SLASH = re.compile(r"^(\d{1,4})/(\d{2,4})[.:)]?(?:\s+(.*))?$")
_DOTTED = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{1,3})\.?(?:\s+(.*))?$")
_NUMBERED = re.compile(r"^(\d{1,3})([A-Z]?)[.):]?\s+(\S.*)$")
_ATTACHMENT = re.compile(r"^Attachment\s+(\d{1,3}|[A-Z]{1,3})\s*[:.\-–]\s*(.*)$")
_CAPS = re.compile(r"^[A-Z][A-Z0-9 ,&'’/()\-–:]*$")
_NOT_HEADINGS = frozenset({"NOTED", "AGREED", "APPROVED", "CARRIED", "NONE", "RESOLVED", "DRAFT", "ACTION"})
_SENTENCE_END = re.compile(r"(\S{3,})\.\s+(?=[A-Z])")
_ABBREVIATIONS = frozenset({"mrs", "cllr", "cllrs", "councillor", "no", "nos", "approx", "ref", "etc", "vol", "para"})
_MONTH_START = re.compile(
    r"(?i)^(?:st|nd|rd|th)?\s*(?:of\s+)?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b\.?,?(?:\s+\d{2,4}\b|\s*$)"
)
_STRONG_STYLES = ("item", "minute", "prefixed", "slash", "dotted")


def _split_lines(text: str) -> list[_Line]:
    lines = []
    pos = 0
    for index, raw in enumerate(text.split("\n")):
        lines.append(_Line(index, pos, pos + len(raw), raw))
        pos += len(raw) + 1
    return lines


def _front_matter_end(lines: list[_Line]) -> int:
    """Index of the first line after a leading YAML front matter block (0 when there is none)."""
    first = next((line for line in lines if line.text.strip().lstrip("\ufeff")), None)
    if first is None or first.text.strip().lstrip("\ufeff") != "---":
        return 0
    for line in lines[first.index + 1 : first.index + 80]:
        if line.text.strip() in ("---", "..."):
            return line.index + 1
    return 0


def _clean_title(title: str) -> str:
    title = " ".join(title.replace("\t", " ").split())
    title = _EMPHASIS.sub("", title).strip()
    for match in _SENTENCE_END.finditer(title):  # a heading run into its first sentence: keep the heading
        if match.group(1).lower() not in _ABBREVIATIONS:
            title = title[: match.start() + len(match.group(1))]
            break
    return re.sub(r"\s*:[-–]?$", "", title)  # "Invoices received :-"


def _content(line: _Line) -> tuple[str, int]:
    """The line's text without markdown heading marks or emphasis, and its markdown level (0 if none)."""
    match = _MD.match(line.text)
    if match:
        return _EMPHASIS.sub("", match.group(2)).strip(), len(match.group(1))
    return _EMPHASIS.sub("", line.text.strip()), 0


def _letter_key(suffix: str) -> int:
    return ord(suffix.upper()) - ord("A") + 1 if suffix else 0


def _looks_like_heading(title: str) -> bool:
    """Whether a `N.`-numbered line's text reads as a heading rather than a numbered sentence."""
    if not title or not (title[0].isupper() or title[0].isdigit() or title[0] in "'‘\"“("):
        return False
    words = title.split()
    upper = title.upper() == title
    if len(words) > (3 * MAX_TITLE_WORDS if upper else MAX_TITLE_WORDS):
        return False
    if re.match(r"(?i)that\b", title):  # a numbered resolution: "1. That the committee note the report."
        return False
    if _MONTH_START.match(title):  # a date line: "1 March 2020", "15th May"
        return False
    if title.endswith((",", ";")) or ("://" in title):
        return False
    return not (title.endswith(".") and len(words) > 4 and not upper)


def _numbered_candidate(line: _Line, text: str, level: int) -> _Heading | None:
    if len(line.text) - len(line.text.lstrip()) > 3 and not level:
        return None  # indented: a sub-item or a list, never a top-level heading
    key: tuple[int, ...]
    if match := _ITEM.match(text):
        number = match.group(1) + match.group(2)
        key = (int(match.group(1)), _letter_key(match.group(2)))
        return _Heading(line.index, line.start, "item", f"Item {number}", key, _clean_title(match.group(3)), level)
    if match := _MINUTE.match(text):
        a, b = int(match.group(1)), int(match.group(2))
        number = f"{match.group(1)}/{match.group(2)}"
        return _Heading(line.index, line.start, "minute", number, (a, b), _clean_title(match.group(3)), level)
    if match := _PREFIXED.match(text):
        number = f"{match.group(1)} {match.group(2)}/{match.group(3)}"
        key = (int(match.group(2)), int(match.group(3)))
        return _Heading(line.index, line.start, "prefixed", number, key, _clean_title(match.group(4)), level)
    if match := _SLASH.match(text):
        number = f"{match.group(1)}/{match.group(2)}"
        key = (int(match.group(1)), int(match.group(2)))
        title = _clean_title(match.group(3) or "")
        return _Heading(line.index, line.start, "slash", number, key, title, level)
    if match := _DOTTED.match(text):
        number = f"{match.group(1)}.{match.group(2)}.{match.group(3)}"
        key = (int(match.group(1)), int(match.group(2)), int(match.group(3)))
        return _Heading(line.index, line.start, "dotted", number, key, _clean_title(match.group(4) or ""), level)
    if match := _NUMBERED.match(text):
        title = _clean_title(match.group(3))
        if _looks_like_heading(title):
            key = (int(match.group(1)), _letter_key(match.group(2)))
            return _Heading(line.index, line.start, "numbered", match.group(1) + match.group(2), key, title, level)
    return None


def _caps_candidate(line: _Line, text: str) -> bool:
    if not _CAPS.match(text) or len(text.split()) > MAX_CAPS_WORDS or len(text) > 90:
        return False
    if text.strip(" :.") in _NOT_HEADINGS:
        return False
    letters = sum(c.isalpha() for c in text)
    return letters >= 4 and any(len(word) >= 3 and word.isalpha() for word in re.split(r"[\s/&,()\-–:]+", text))


# ---------------------------------------------------------------------------------------------------------
# Choosing the numbered sequence


def _varying_key(headings: list[_Heading]) -> list[_Heading]:
    """For `a/b` numbers, order by the part that counts: `45/23` (number/year) or `14/037` (year/number)."""
    if len({h.key[0] for h in headings}) < len({h.key[1] for h in headings}):
        return headings
    return [_Heading(h.line, h.start, h.style, h.number, (h.key[1], h.key[0]), h.title, h.level) for h in headings]


def _drop_agenda_list(headings: list[_Heading], lines: list[_Line]) -> tuple[list[_Heading], dict[tuple, str]]:
    """Drop agenda lists: runs of three or more headings with at most two non-blank lines between them, at
    least half of whose numbers are repeated by headings after the run. Returns the other headings and the
    lists' titles."""
    runs: list[list[_Heading]] = []
    run_keys: set[tuple[int, ...]] = set()
    for heading in headings:
        if runs and _close(runs[-1][-1], heading, lines) and heading.key not in run_keys:
            runs[-1].append(heading)
        else:
            runs.append([heading])
            run_keys = set()
        run_keys.add(heading.key)
    kept: list[_Heading] = []
    agenda_titles: dict[tuple[int, ...], str] = {}
    later_count: dict[tuple[int, ...], int] = {}
    for heading in headings:
        later_count[heading.key] = later_count.get(heading.key, 0) + 1
    for run in runs:
        for heading in run:
            later_count[heading.key] -= 1
        repeated = sum(later_count[heading.key] > 0 for heading in run)
        if len(run) >= 3 and repeated >= len(run) / 2:
            for heading in run:
                agenda_titles.setdefault(heading.key, heading.title)
        else:
            kept.extend(run)
    return kept, agenda_titles


def _close(before: _Heading, after: _Heading, lines: list[_Line]) -> bool:
    return sum(1 for line in lines[before.line + 1 : after.line] if line.text.strip()) <= 2


def _step(previous: tuple[int, ...], heading: _Heading) -> tuple[float, tuple[int, ...]] | None:
    """The gain of following `previous` with `heading` in a sequence, and the key it then stands for."""
    key = heading.key
    if key > previous:
        # The gap in the first part that differs: 4 -> 4A and 14/037 -> 14/038 are both steps of one.
        gap = next(new - old for new, old in zip(key, previous, strict=False) if new != old)
        if gap == 1:
            return 1.0, key
        return (0.7 if gap <= 3 else 0.3), key
    expected = previous[0] + 1
    if heading.style == "numbered" and len(key) == 2 and key[1] == 0 and len(str(key[0])) < len(str(expected)):
        if str(expected).endswith(str(key[0])):  # "6" printed where "56" was meant
            return 0.8, (expected, 0)
    return None


def _quality(heading: _Heading, lines: list[_Line]) -> float:
    """A small bonus that settles ties between same-numbered lines for the heading-like one: a short title
    that does not run on into a lower-case line (`2. Old business:` over `2. Greg Cromwell is ... be our`)."""
    following = lines[heading.line + 1].text.lstrip()[:1] if heading.line + 1 < len(lines) else ""
    return 0.05 * (len(heading.title.split()) <= 8) + 0.05 * (not following.islower())


def _best_sequence(headings: list[_Heading], lines: list[_Line]) -> tuple[float, list[_Heading]]:
    """The increasing sequence of headings with the best score (see `_step`), by dynamic programming."""
    if not headings:
        return 0.0, []
    best: list[tuple[float, int, tuple[int, ...]]] = []
    for j, heading in enumerate(headings):
        quality = _quality(heading, lines)
        choice = (1.0 + quality, -1, heading.key)
        for i in range(max(0, j - _WINDOW), j):
            score, _, key = best[i]
            step = _step(key, heading)
            if step is not None and score + step[0] + quality > choice[0]:
                choice = (score + step[0] + quality, i, step[1])
        best.append(choice)
    end = max(range(len(best)), key=lambda j: (best[j][0], -j))
    chain = []
    j = end
    while j >= 0:
        chain.append(headings[j])
        j = best[j][1]
    return best[end][0], chain[::-1]


# ---------------------------------------------------------------------------------------------------------
# The whole layout


@dataclass(frozen=True, slots=True)
class _Layout:
    headings: tuple[_Heading, ...]  # the chosen top-level headings, in order, with their final numbers
    style: str  # "numbered", "item", "minute", "prefixed", "slash", "dotted", "markdown", "caps" or "none"


@lru_cache(maxsize=8)
def _layout(text: str) -> _Layout:
    lines = _split_lines(text)
    body = _front_matter_end(lines)
    attachments = [
        (line, match)
        for line in lines[body:]
        if (match := _ATTACHMENT.match(line.text.strip())) and len(line.text) - len(line.text.lstrip()) == 0
    ]
    if len(attachments) < 2:
        attachments = []
    stop = attachments[0][0].index if attachments else len(lines)

    by_style: dict[str, list[_Heading]] = {}
    markdown: list[_Heading] = []
    caps: list[_Heading] = []
    for line in lines[body:stop]:
        content, level = _content(line)
        if not content:
            continue
        candidate = _numbered_candidate(line, content, level)
        if candidate is not None:
            by_style.setdefault(candidate.style, []).append(candidate)
        elif level:
            markdown.append(_Heading(line.index, line.start, "markdown", "", (), _clean_title(content), level))
        elif _caps_candidate(line, content):
            caps.append(_Heading(line.index, line.start, "caps", "", (), _clean_title(content)))

    best_score, best_style, best_chain, best_titles = 0.0, "none", [], {}
    for style, found in by_style.items():
        if style in ("minute", "prefixed", "slash"):
            found = _varying_key(found)
        kept, agenda_titles = _drop_agenda_list(found, lines)
        score, chain = _best_sequence(kept, lines)
        if len(chain) < (1 if style in _STRONG_STYLES else 2):
            continue
        weighted = score * (1.5 if style in _STRONG_STYLES else 1.0)
        if weighted > best_score:
            best_score, best_style, best_chain, best_titles = weighted, style, chain, agenda_titles

    caps = _without_running_headers(caps)
    unnumbered = _markdown_items(markdown) or (_with_title_lines(caps, lines, body, stop) if len(caps) >= 2 else [])
    # Lists that restart at 1 (after dropping an agenda list) are sub-items under unnumbered headings; a "1"
    # line that runs on into a lower-case line is a numbered paragraph (a footnote), not a list's heading.
    restarts = sum(
        1
        for h in _drop_agenda_list(by_style.get("numbered", []), lines)[0]
        if h.key == (1, 0) and not (h.line + 1 < len(lines) and lines[h.line + 1].text[:1].islower())
    )
    if best_chain and len(unnumbered) >= 3 and (restarts >= 2 or len(unnumbered) > 2 * len(best_chain)):
        best_chain = []
    if best_chain:
        if set(best_titles) != {h.key for h in best_chain}:
            best_titles = {}  # the agenda list does not match the minutes one for one: its numbering differs
        taken = {h.line for h in best_chain}
        headings = [_with_title(h, best_titles.get(h.key), lines, taken) for h in best_chain]
    elif len(unnumbered) >= 2:
        best_style = unnumbered[0].style
        headings = list(unnumbered)
    elif table := _table_rows(lines, body, stop):
        best_style, headings = "table", table
    elif unnumbered and unnumbered[0].style == "markdown":  # one markdown heading over the whole text
        best_style, headings = "markdown", list(unnumbered)
    else:
        best_style, headings = "none", []
    headings = [
        _Heading(h.line, h.start, h.style, h.number or str(i + 1), h.key, h.title, h.level)
        for i, h in enumerate(headings)
    ]
    last_line = headings[-1].line if headings else -1
    for line, match in attachments:
        if line.index > last_line:
            name = f"Attachment {match.group(1)}"
            headings.append(_Heading(line.index, line.start, "attachment", name, (), _clean_title(match.group(2))))
    return _Layout(tuple(headings), best_style)


_TABLE_HEADER = re.compile(r"(?i)^\s*\|?\s*(?:subject|item|agenda item|topic|agenda)\s*\|")


def _table_rows(lines: list[_Line], body: int, stop: int) -> list[_Heading]:
    """Minutes kept as a table, one agenda item a row (`Subject | Initials | Notes`, as the readers flatten
    tables): after a header row whose first cell is Subject, Item, Topic or Agenda, each line with at least
    as many cells starts an item titled by its first cell; lines without cells continue the row above."""
    rows: list[_Heading] = []
    cells = 0
    for line in lines[body:stop]:
        if not cells:
            if _TABLE_HEADER.match(line.text):
                cells = line.text.strip().strip("|").count("|")
            continue
        parts = line.text.strip().strip("|").split("|")
        title = _clean_title(parts[0])
        if len(parts) - 1 >= cells and title and len(title.split()) <= MAX_TITLE_WORDS and title[0] not in "-*•":
            rows.append(_Heading(line.index, line.start, "table", "", (), title))
    return rows if len(rows) >= 2 else []


def _markdown_items(markdown: list[_Heading]) -> list[_Heading]:
    """Top-level markdown headings. A level whose few headings all come before the more numerous deeper ones
    is the title block (`# Town of North Star` over `## CALL TO ORDER` ...); the items are the shallowest
    other level used twice, plus deeper headings that are not under an item (a template's `###` sections
    before its first `##`)."""
    levels = sorted({h.level for h in markdown})
    title_levels = set()
    for level in levels:
        deeper = [h.line for h in markdown if h.level > level]
        at_level = [h.line for h in markdown if h.level == level]
        if deeper and len(at_level) < len(deeper) and max(at_level) < min(deeper):
            title_levels.add(level)
        else:
            break
    counts = {level: sum(1 for h in markdown if h.level == level) for level in levels}
    repeated = [level for level in levels if level not in title_levels and counts[level] >= 2]
    if not repeated:
        rest = [h for h in markdown if h.level not in title_levels]
        return rest if len(rest) == 1 else []
    item_level = repeated[0]
    items: list[_Heading] = []
    open_level: int | None = None
    for heading in markdown:
        if heading.level < item_level:
            open_level = None
        elif open_level is None or heading.level <= open_level:
            items.append(heading)
            open_level = heading.level
    return items


def _without_running_headers(caps: list[_Heading]) -> list[_Heading]:
    """Upper-case lines printed more than once (`AUDIT COMMITTEE` atop every page) are page furniture."""
    counts: dict[str, int] = {}
    for heading in caps:
        counts[heading.title] = counts.get(heading.title, 0) + 1
    return [heading for heading in caps if counts[heading.title] == 1]


def _with_title_lines(caps: list[_Heading], lines: list[_Line], body: int, stop: int) -> list[_Heading]:
    """Upper-case section headings plus the odd mixed-case heading between them (an unnumbered
    `Tualatin Valley Fire & Rescue State of the Fire District presentation` between two sections): a short,
    mostly capitalised line with no punctuation at its end, after a blank line and before a paragraph."""
    taken = {heading.line for heading in caps}
    found = list(caps)
    for line in lines[max(body, caps[0].line) : stop]:
        if line.index in taken or line.index == 0 or lines[line.index - 1].text.strip():
            continue
        text = line.text.strip()
        following = lines[line.index + 1].text.split() if line.index + 1 < len(lines) else []
        words = text.split()
        long_words = [word for word in words if len(word) > 3]
        if (
            2 <= len(words) <= MAX_CAPS_WORDS
            and text[0].isupper()
            and not re.search(r"[.:;,!?\"”’)\]]$|:", text)
            and long_words
            and sum(word[0].isupper() for word in long_words) >= 0.6 * len(long_words)
            and len(following) >= 6
            and _numbered_candidate(line, text, 0) is None
        ):
            found.append(_Heading(line.index, line.start, "caps", "", (), _clean_title(text)))
    return sorted(found, key=lambda heading: heading.line)


_CAPS_CONTINUATION = re.compile(
    r"[A-Z0-9][A-Z0-9 ,&'’/\-–:]*(?:\s*\((?:Agenda\s+)?item\s+\w+\))?|\((?:Agenda\s+)?item\s+\w+\)"
)


def _caps_continuation(index: int, lines: list[_Line], taken: set[int]) -> list[str]:
    """Lines that carry on an upper-case heading: more capitals ("JUDGEMENT (Agenda item 4)" on the next page)
    or an agenda cross-reference ("(Agenda item 6)"), at most two, across at most one blank line."""
    found: list[str] = []
    blank = False
    for line in lines[index + 1 : index + 5]:
        text = line.text.strip()
        if not text:
            if blank or found:
                break
            blank = True
            continue
        if line.index in taken or text.strip(" :.") in _NOT_HEADINGS or not _CAPS_CONTINUATION.fullmatch(text):
            break
        found.append(text)
        if len(found) == 2 or text.endswith(")"):
            break
    return found


def _with_title(heading: _Heading, agenda_title: str | None, lines: list[_Line], taken: set[int]) -> _Heading:
    title = agenda_title or heading.title
    if not title:  # "Item 4" alone on its line: the title is the next non-blank line
        following = next((line.text for line in lines[heading.line + 1 :] if line.text.strip()), "")
        if len(following.split()) <= MAX_TITLE_WORDS:
            title = _clean_title(_content(_Line(0, 0, 0, following))[0])
    elif not agenda_title and title.upper() == title and any(c.isalpha() for c in title):
        title = _clean_title(" ".join([title, *_caps_continuation(heading.line, lines, taken)]))
    return _Heading(heading.line, heading.start, heading.style, heading.number, heading.key, title, heading.level)


# ---------------------------------------------------------------------------------------------------------
# Public API


def segment_items(text: str) -> list[Item]:
    """The preamble (omitted when the text starts with an item) followed by every top-level item in order."""
    if not text:
        return []
    layout = _layout(text)
    starts = [h.start for h in layout.headings]
    items: list[Item] = []
    if not starts or starts[0] > 0:
        end = starts[0] if starts else len(text)
        items.append(Item(None, None, 0, end, find_decisions(text, 0, end)))
    for i, heading in enumerate(layout.headings):
        end = starts[i + 1] if i + 1 < len(starts) else len(text)
        items.append(
            Item(heading.number, heading.title or None, heading.start, end, find_decisions(text, heading.start, end))
        )
    return items


_SUB_NUMBERED = re.compile(r"^\s*(\d{1,3}\.\d{1,3})\.?\s+\S")
_SUB_PAREN = re.compile(r"^\s*(\((?:[a-z]|[ivx]{1,5})\))\s+\S")
_SUB_LETTER = re.compile(r"^\s*([a-z][.)])\s+\S")
_SUB_UPPER = re.compile(r"^\s+([A-Z]{1,2}\.)\s+\S")
_SUB_SLASH = re.compile(r"^\s*(\d{1,4}[a-z]/\d{2,4})\b")
_SUB_PLAIN = re.compile(r"^\s{0,3}(\d{1,2}\.)\s+(\S.*)$")


def _letters_value(label: str) -> int:
    letters = re.sub(r"[^A-Za-z]", "", label).upper()
    value = 0
    for char in letters:
        value = value * 26 + ord(char) - ord("A") + 1
    return value


def find_sub_items(text: str, item: Item) -> list[tuple[str, int, int]]:
    """Sub-items inside an item (`4.1`, `(a)`, `a.`, `A.`, `28c/2021`, `1.` under unnumbered section headings,
    or a markdown sub-heading, labelled by its text), each as (label, start, end) in absolute offsets; a
    sub-item runs to the next one or the item's end. Numbered and lettered labels must follow in order,
    which keeps initials (`P. Taylor`) and section references (`5.100.`) out."""
    if item.number is None:
        return []
    layout = _layout(text)
    plain_allowed = layout.style in ("markdown", "caps")
    found: list[tuple[str, int]] = []
    last_letter: dict[str, int] = {}
    last_plain = 0
    last_decimal = (0, 0)
    pos = item.start
    first = True
    for raw in text[item.start : item.end].split("\n"):
        line_start, pos = pos, pos + len(raw) + 1
        if first:  # the heading line itself
            first = False
            continue
        label = None
        if match := _SUB_NUMBERED.match(raw):
            major, minor = (int(part) for part in match.group(1).split("."))
            if minor == 1 or (major, minor - 1) == last_decimal:  # 4.1, 4.2, ...; not "5.100. This is"
                last_decimal = (major, minor)
                label = match.group(1)
        elif match := _SUB_PAREN.match(raw) or _SUB_SLASH.match(raw):
            label = match.group(1)
        elif match := _MD.match(raw):
            label = _clean_title(match.group(2)) or None
        elif match := _SUB_LETTER.match(raw) or _SUB_UPPER.match(raw):
            kind = "lower" if match.group(1)[0].islower() else "upper"
            value = _letters_value(match.group(1))
            if value == last_letter.get(kind, 0) + 1 or (value == 1 and kind not in last_letter):
                last_letter[kind] = value
                label = match.group(1)
        elif plain_allowed and (match := _SUB_PLAIN.match(raw)) and _looks_like_heading(match.group(2)):
            value = int(match.group(1)[:-1])
            if value == last_plain + 1 or value == 1:
                last_plain = value
                label = match.group(1)
        if label is not None:
            found.append((label, line_start))
    return [
        (label, start, found[i + 1][1] if i + 1 < len(found) else item.end) for i, (label, start) in enumerate(found)
    ]


# ---------------------------------------------------------------------------------------------------------
# Decisions

_RESOLVED = re.compile(
    r"^\s*(?:(?:The\s+)?(?:Committee|Council|Board|Councillors|Governors|Members|Panel)\s+|It\s+was\s+)?"
    r"(?:RESOLVED|Resolved|resolved|RESOLVES|resolves)\b(.*)$"
)
_MOTION = re.compile(r"^\s*(?:Motion|MOTION)\s*(?::|\b(?:by|made by)\b)")
_BARE = re.compile(r"(?i)^\s*(?:that|to)?\s*[:\-–—,]?\s*(?:that\s*:?)?\s*$")
_LIST_MARK = re.compile(r"^\s*(?:[-*+•\u2022\u25cf\uf0b7]\s+)?(?:\d{1,2}[.)]|\(?(?:[a-z]|[ivx]{1,5})\))?\s*")
_IS_LIST = re.compile(r"^\s*(?:[-*+•\u2022\u25cf\uf0b7]\s|\d{1,2}[.)]\s|\(?(?:[a-z]|[ivx]{1,5})\)\s)")


def find_decisions(text: str, start: int, end: int) -> tuple[str, ...]:
    """Decision texts in text[start:end], each a verbatim (stripped) substring; see the module docstring."""
    lines = [line for line in _split_lines(text[start:end])]
    decisions: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        resolved = _RESOLVED.match(line.text)
        if not resolved and not _MOTION.match(line.text):
            i += 1
            continue
        if resolved and _BARE.match(resolved.group(1)):
            found, i = _following_decisions(lines, i + 1)
            decisions.extend(text[start + a : start + b].strip() for a, b in found)
            continue
        j = i + 1
        while j < len(lines) and lines[j].text.strip() and not _starts_decision(lines[j].text):
            j += 1
        decisions.append(text[start + line.start : start + lines[j - 1].end].strip())
        i = j
    return tuple(d for d in decisions if d)


def _starts_decision(line: str) -> bool:
    return bool(_RESOLVED.match(line) or _MOTION.match(line))


def _following_decisions(lines: list[_Line], i: int) -> tuple[list[tuple[int, int]], int]:
    """After a bare `Resolved:`: each list entry that follows, or else the next paragraph."""
    while i < len(lines) and (not lines[i].text.strip() or _BARE.match(lines[i].text)):
        i += 1  # blank lines and a bare "That:"
    if i >= len(lines):
        return [], i
    if not _IS_LIST.match(lines[i].text):
        j = i
        while j < len(lines) and lines[j].text.strip() and not _starts_decision(lines[j].text):
            j += 1
        return [(lines[i].start, lines[j - 1].end)], j
    entries: list[tuple[int, int]] = []
    j = i
    while j < len(lines):
        text = lines[j].text
        if not text.strip():
            j += 1
            continue
        if _IS_LIST.match(text):
            marker = _LIST_MARK.match(text)
            entries.append((lines[j].start + (marker.end() if marker else 0), lines[j].end))
        elif entries and not text.strip().startswith(("Resolved", "RESOLVED")) and _continues(lines, j, entries):
            entries[-1] = (entries[-1][0], lines[j].end)
        else:
            break
        j += 1
    return entries, j


def _continues(lines: list[_Line], j: int, entries: list[tuple[int, int]]) -> bool:
    """A non-list line continues the last entry if it directly follows it, or, after a blank line, if the
    entry broke off mid-sentence at the end of a full-width line (a page break inside a recommendation)."""
    if lines[j - 1].text.strip():
        return True
    previous = next(line.text.rstrip() for line in reversed(lines[:j]) if line.text.strip())
    return len(previous) >= 60 and not previous.endswith((".", ";", ":", "!", "?"))
