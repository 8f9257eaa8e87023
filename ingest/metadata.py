"""Meeting metadata read from the minutes' own text: committee, date, time, venue, chair and who attended.

Where each field comes from (the title block is the preamble, the text before the first item, plus any early
item about attendance: `Present`, `Apologies`, `Roll Call`, `Call to order`):

- **committee**: "Minutes of the meeting of <committee> held ..."; else the title-block line naming a body
  (Council, Committee, Board, Foundation, ...), an organisation line joined to a committee line below it
  ("Merton Council" + "Audit Committee"), cleaned of "Meeting Minutes", dates and repeated words and
  title-cased when printed in capitals; else the first plain title line; else the "<Name> Community/Parish/
  Town/City Council" most named in the text.
- **meeting_date**: "held on <date>" or "meeting ... on <date>" in the title block; else a labelled date
  (`Date: 07/12/2020`); else the first date of the title block; else "meeting ... on <date>" in the first
  item. Dates after "previous", "last", "next", "dated", "as at", "signed", "updated" on the same line are
  never the meeting's. No date found gives None: the caller refuses the file and asks for --date.
- Numeric dates are day/month/year (UK) unless the text is American: its written dates are month-first
  ("December 16, 2019") more often than day-first, or, with no written dates at all, it prices things in
  dollars. A part over 12 settles the order either way.
- **present / apologies / officers**: the blocks after `Present:`, `Apologies ...`, `Officers:`, `In
  attendance:` (officers unless they are councillors; the members present when there is no `Present`
  list), `Clerk`, "Clerked by", or the prose "members present were ..."; a governors' attendance register
  (one P/S/A column per meeting date) when nothing else names them. Names lose titles (Councillor, Cllr,
  Mayor, ...), bracketed roles, initials columns and role suffixes.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from ingest.models import Item


@dataclass(frozen=True, slots=True)
class MeetingMetadata:
    committee: str | None
    meeting_date: date | None
    time: str | None
    venue: str | None
    chair: str | None
    present: tuple[str, ...]
    apologies: tuple[str, ...]
    officers: tuple[str, ...]


# ---------------------------------------------------------------------------------------------------------
# Dates

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sept", "sep"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_MONTH = r"(january|february|march|april|may|june|july|august|september|october|november|december|" + (
    r"jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)"
)
# "18th", "3rd", and OCR misreadings of the suffix: `18" March 2014`, `18tn March`.
_DAY = r"(\d{1,2})(?:st|nd|rd|th|[\"”“'’]{1,2}|[a-z]{2})?"
_DMY = re.compile(rf"(?<![\d/.])\b{_DAY}\s+(?:of\s+)?{_MONTH}\b\.?,?\s+(\d{{4}})\b", re.I)
_MDY = re.compile(rf"\b{_MONTH}\b\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b", re.I)
_YMD = re.compile(r"(?<![\d.])\b(\d{4})[-./](\d{1,2})[-./](\d{1,2})\b(?![\d])")
_NUMERIC = re.compile(r"(?<![\d./])\b(\d{1,2})(?:/(\d{1,2})/(\d{4}|\d{2})|\.(\d{1,2})\.(\d{4}))\b(?![\d/.])")
_NOT_THIS_MEETING = re.compile(
    r"(?i)\b(previous|last|next|dated|as at|signed|approved|updated|published|printed|circulated|"
    r"issued|adjourned to|resigned)\b"
)


@dataclass(frozen=True, slots=True)
class _Date:
    start: int
    end: int
    value: date


def _make_date(year: int, month: int, day: int) -> date | None:
    if year < 100:
        year += 2000 if year < 70 else 1900
    try:
        return date(year, month, day)
    except ValueError:
        return None


def is_american(text: str) -> bool:
    """Whether numeric dates in `text` are month/day/year; see the module docstring."""
    month_first = len(_MDY.findall(text))
    day_first = len(_DMY.findall(text))
    if month_first or day_first:
        return month_first > day_first
    return bool(re.search(r"\$\s?\d", text))


def find_dates(text: str, american: bool = False) -> list[_Date]:
    """Every full date in `text` (day, month and year), in order of position."""
    found: list[_Date] = []
    for match in _DMY.finditer(text):
        value = _make_date(int(match.group(3)), _MONTHS[match.group(2).lower()], int(match.group(1)))
        if value:
            found.append(_Date(match.start(), match.end(), value))
    for match in _MDY.finditer(text):
        value = _make_date(int(match.group(3)), _MONTHS[match.group(1).lower()], int(match.group(2)))
        if value:
            found.append(_Date(match.start(), match.end(), value))
    for match in _YMD.finditer(text):
        value = _make_date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        if value:
            found.append(_Date(match.start(), match.end(), value))
    for match in _NUMERIC.finditer(text):
        first = int(match.group(1))
        second = int(match.group(2) or match.group(4))
        year = int(match.group(3) or match.group(5))
        month_first = (american and first <= 12) or second > 12
        if first > 12:
            month_first = False
        month, day = (first, second) if month_first else (second, first)
        value = _make_date(year, month, day)
        if value:
            found.append(_Date(match.start(), match.end(), value))
    found.sort(key=lambda d: d.start)
    kept: list[_Date] = []
    for found_date in found:  # overlapping matches: keep the first, longest
        if kept and found_date.start < kept[-1].end:
            continue
        kept.append(found_date)
    return kept


def _meeting_dates(text: str, american: bool) -> list[_Date]:
    """Dates in `text` that are not excluded by a word before them on their line (see module docstring)."""
    kept = []
    for found in find_dates(text, american):
        line_start = text.rfind("\n", 0, found.start) + 1
        if not _NOT_THIS_MEETING.search(text[max(line_start, found.start - 60) : found.start]):
            kept.append(found)
    return kept


_HELD = re.compile(r"(?i)\b(?:held|meeting|met)\b")


def _held_date(text: str, american: bool) -> date | None:
    """The date of "held on <date>" / "meeting ... on <date>": the first date within the same sentence."""
    for match in _HELD.finditer(text):
        sentence_end = re.search(r"[.;](?:\s|$)|\n[ \t]*\n", text[match.end() :])
        window = text[match.end() : match.end() + (sentence_end.start() if sentence_end else 200)][:200]
        prefix = text[max(0, match.start() - 40) : match.start()]
        if _NOT_THIS_MEETING.search(prefix + window[:20]) or re.search(r"(?i)minutes of the", prefix):
            continue
        dates = _meeting_dates(window, american)
        if dates:
            return dates[0].value
    return None


# "A meeting of the Audit Committee will be held: Date: 22 October 2009": an agenda pack's front sheet announces
# the meeting the pack is for, not the meeting whose minutes it holds.
_NOTICE = re.compile(r"(?i)\b(?:will|is to|are to|shall)\s+be\s+held\b")


_WEEKDAY = r"(?:mon|tues|wednes|thurs|fri|satur|sun)day"


def _minutes_heading_date(title_block: str, american: bool) -> date | None:
    """In an agenda pack, the last date standing on a line of its own (with at most its weekday): the minutes'
    own heading ("24 SEPTEMBER 2009"), which comes after the front sheet's notice and agenda."""
    for found in reversed(_meeting_dates(title_block, american)):
        line_start = title_block.rfind("\n", 0, found.start) + 1
        line_end = title_block.find("\n", found.end)
        line_end = len(title_block) if line_end < 0 else line_end
        rest = title_block[line_start : found.start] + title_block[found.end : line_end]
        if not re.sub(rf"(?i)\b{_WEEKDAY}\b|[\s,.#*_]", "", rest):
            return found.value
    return None


def _meeting_date(title_block: str, first_item: str, american: bool) -> date | None:
    if notice := _NOTICE.search(title_block):
        heading = _minutes_heading_date(title_block[notice.end() :], american)
        notice_date = _held_date(title_block[notice.start() :], american)
        if heading and heading != notice_date:
            return heading
    held = _held_date(title_block, american)
    if held:
        return held
    for match in re.finditer(r"(?im)\b(?:meeting\s+)?date\b\s*[:\-–]?\s*", title_block):
        dates = _meeting_dates(title_block[match.end() : match.end() + 40], american)
        if dates and dates[0].start == 0:
            return dates[0].value
    dates = _meeting_dates(title_block, american)
    if dates:
        return dates[0].value
    return _held_date(first_item[:1500], american)


# ---------------------------------------------------------------------------------------------------------
# Committee

_ORGANISATION = r"Council|Foundation|Trust|Association|Society|Township|Authority|Corporation|Town of|City of"
_COMMITTEE = r"Committee|Board|Governors|Panel|Commission|Cabinet|Sub-Committee|Assembly"
_BODY = re.compile(rf"\b(?:{_ORGANISATION}|{_COMMITTEE})\b", re.I)
_COMMITTEE_RE = re.compile(rf"\b(?:{_COMMITTEE})\b", re.I)
_SMALL_WORDS = {"of", "and", "the", "for", "in", "on", "at", "to", "a", "an"}
_MEETING_OF = re.compile(
    r"(?i)minutes of (?:the|a)\s+(?:[a-z]+\s+){0,2}?meeting of (?:the\s+)?(.+?)\s+(?:held|on|at|which)\b"
)
_LABEL_WORDS = re.compile(
    r"(?i)^(?:minutes|held|page|date|time|venue|present|apologies|chair|in attendance|officers|members|"
    r"agenda|draft|meeting (?:date|time)|back to|last updated)\b"
)


def _title_case(name: str) -> str:
    if name.upper() != name:
        return name
    words = name.lower().split()
    return " ".join(w if (i and w in _SMALL_WORDS) else w[:1].upper() + w[1:] for i, w in enumerate(words))


def _clean_committee(line: str) -> str:
    line = re.sub(r"^#+\s*|[*_]{1,3}|={2,}", " ", line).strip()
    line = re.split(r"(?i)\b(?:previous|next) meeting\b", line)[0]  # a wiki header run into its links
    parts = [p for p in re.split(r"\s+[|–—-]\s+|\s*\|\s*", line) if p.strip()]
    with_body = [p for p in parts if _BODY.search(p)]
    line = (with_body or parts or [line])[0]
    for found in reversed(find_dates(line)):
        line = line[: found.start] + line[found.end :]
    line = re.sub(
        r"(?i)\b(?:minutes of (?:a|the)\s+meeting.*|(?:meeting\s+)?minutes|(?:regular|monthly)?\s*meeting)\s*$",
        "",
        line.strip(),
    )
    line = re.sub(r"(?i)^(?:minutes\s+(?:of\s+)?)", "", line.strip())
    line = re.sub(r"(?i)^(\w+)\s+\1\b", r"\1", line.strip())  # "AYTON AYTON COMMUNITY COUNCIL"
    line = re.sub(r"\s*\([A-Z]{2,8}\)\s*$", "", line.strip())  # "... Association (CFHA)"
    line = re.sub(r"^[Tt]he\s+", "", line.strip(" ,.:-–"))
    return _title_case(" ".join(line.split()))


_GENERIC_NAMES = {"committee", "board", "council", "meeting", "governors", "panel", "commission", "cabinet"}


def _is_prose(line: str) -> bool:
    """A sentence rather than a title: "The first official meeting held for the 2017-18 committee."."""
    return len(line.split()) > 12 or (line.rstrip().endswith(".") and len(line.split()) > 4)


def _committee(text: str, title_lines: list[str]) -> str | None:
    if match := _MEETING_OF.search(text[:3000]):
        return _title_case(" ".join(match.group(1).split()))
    for i, line in enumerate(title_lines):
        if not _BODY.search(line) or _LABEL_WORDS.match(line.lstrip("# ")) or _is_prose(line):
            continue
        name = _clean_committee(line)
        if not name or name.lower() in _GENERIC_NAMES:
            continue
        if not _COMMITTEE_RE.search(name) and i + 1 < len(title_lines):
            below = title_lines[i + 1]
            if _COMMITTEE_RE.search(below) and not _LABEL_WORDS.match(below.lstrip("# ")):
                name = f"{name} {_clean_committee(below)}"
        return name
    for line in title_lines:
        plain = re.sub(r"^#+\s*|[*_]{1,3}", "", line).strip()
        if (
            plain
            and not _LABEL_WORDS.match(plain)
            and not find_dates(plain)
            and len(plain.split()) <= 10
            and re.search(r"[A-Za-z]{3}", plain)
            and not re.search(r"\d{4,}", plain)
            and not plain.endswith((".", ":"))
        ):
            name = _clean_committee(plain)
            if name:
                return name
    names = Counter(
        re.sub(r"^(?:(?:The|Next|This|Our|Their|A|An|Dear|Each)\s+)+", "", m.group(0)).strip()
        for m in re.finditer(
            r"(?:[A-Z][\w'’&-]+ +){1,4}(?:Community|Parish|Town|City|District|County|Borough|Village) +Council",
            text,
        )
    )
    names.pop("", None)
    if names:
        return names.most_common(1)[0][0]
    return _site_title_body(text) or _acronym_body(text)


# A web page's title or footer line: "CompSoc Edinburgh • Committee Meeting Minutes".
_SITE_TITLE = re.compile(
    rf"(?m)^[ \t]*([A-Z][^\n•|]{{1,60}}?)[ \t]*[•|][ \t]*({_COMMITTEE})[ \t]+(?:meeting[ \t]+)?minutes[ \t]*$",
    re.I,
)


def _site_title_body(text: str) -> str | None:
    """The organisation and body of a site title or footer line anywhere in the text, for pages whose title
    block names only the date."""
    for match in _SITE_TITLE.finditer(text):
        organisation = _clean_committee(match.group(1))
        if organisation and not find_dates(organisation) and not _LABEL_WORDS.match(organisation):
            return f"{organisation} {_title_case(match.group(2).capitalize())}"
    return None


_LINK = re.compile(r"\S*(?:://|www\.)\S*")
# An organisation's acronym qualifies other names ("OWASP Podcast", "OWASP Training"), as RESOLVED never does.
_ACRONYM = re.compile(r"\b([A-Z]{3,8})\s+(?:\d{4}\s+)?[A-Z][a-z]")
_SELF_BODY = re.compile(r"(?<![.!?:\n]\s)(?<!^)\b(Board|Committee|Council|Trustees|Governors)\b", re.M)


def _acronym_body(text: str) -> str | None:
    """ "OWASP Board" for minutes whose title names no body. The organisation is the one acronym the text names
    at least three times as part of a name (outside links and upper-case headings); the body is the capitalised
    body word it uses most within sentences ("send to Board for review"), at least twice. A last resort before
    refusing the file, so both must be unambiguous."""
    prose = "\n".join(
        line for line in _LINK.sub(" ", text).split("\n") if not re.fullmatch(r"[^a-z]*", line.strip("#* "))
    )
    acronyms = Counter(_ACRONYM.findall(prose)).most_common(2)
    bodies = Counter(_SELF_BODY.findall(prose)).most_common(2)
    if not acronyms or acronyms[0][1] < 3 or (len(acronyms) > 1 and acronyms[1][1] * 2 > acronyms[0][1]):
        return None
    if not bodies or bodies[0][1] < 2 or (len(bodies) > 1 and bodies[1][1] == bodies[0][1]):
        return None
    return f"{acronyms[0][0]} {bodies[0][0]}"


# ---------------------------------------------------------------------------------------------------------
# People

_TITLES = re.compile(
    # "Clir" is how OCR reads "Cllr".
    r"^(?:(?:(?:District|County|Town|Parish|Borough|City)\s+(?=C))?(?:Councillors?|Cllrs?\.?|Clirs?|Councilors?|"
    r"Council\s+President|Mayor|Deputy\s+Mayor|Vice[- ]Chair(?:man|person)?|Chair(?:man|person)?|Mr|Mrs|Ms|"
    r"Miss|Dr|Prof|Professor|Rev(?:d|erend)?|Sir|Dame|Lord|Lady|Superintendent|Inspector|Sergeant|Alderman|"
    r"Supervisors?|Treasurer|Clerk|Secretary|Guests?|Members?|Directors?|Trustees?|Governors?|Officers?|"
    r"President|Vice[- ]President|City\s+(?:Attorney|Recorder|Manager)|Town\s+Clerk|Assistant\s+Town\s+Clerk)"
    r"\b\.?:?\s*)+",
    re.I,
)
_NOT_NAMES = {"none", "nil", "n/a", "vacant", "apologies", "absent", "present", "none received", "all"}
_NOT_SURNAMES = {"only", "late", "online", "remotely", "virtually", "apologised", "absent", "present", "also"}
_PARTICLES = {"van", "de", "der", "von", "la", "le", "du", "da", "di", "del", "mc", "st"}
_OFFICER_ROLE = re.compile(r"(?i)^(?:the\s+)?(?:(?:assistant\s+)?(?:town|parish|city)?\s*clerk|officers?)\b")
_COUNCILLOR = re.compile(
    r"(?i)^(?:(?:district|county|town|parish|borough|city)\s+)?(?:councillors?|cllrs?|clirs?|councilors?|members?)\b"
)
# A line that breaks inside a name ("District Cllr Mrs" / "Sims") continues on the next line.
_BROKEN_NAME = re.compile(
    r"(?i)\b(Mrs?|Ms|Miss|Dr|Cllrs?|Clirs?|Councillors?|Councilors?|District|County|Town|Parish|Borough)[ \t]*\n\s*"
)


def _without_brackets(text: str) -> str:
    previous = None
    while previous != text:
        previous = text
        text = re.sub(r"\([^()]*\)|\[[^\[\]]*\]", " ", text)
    return text


def _clean_name(entry: str, keep_roles: bool = False) -> str | None:
    """The person's name in a list entry, or None. A dash separates a name from its role ("Olive O'Sullivan
    – Town Clerk"); the first dash-separated part that is a name wins, which skips template text left in
    ("REMOVE NOT PRESENT - Iain")."""
    entry = re.sub(r"[*_]{1,3}", "", entry)
    entry = re.sub(r"^\s*(?:[-*+•\u2022\u25cf\uf0b7]\s*)+", "", entry)
    entry = re.split(r"\s+(?:left|arrived|joined|attended|was|were)\b", entry)[0]
    for part in re.split(r"\s+[–—-]\s+", entry):
        name = _name_in(part, keep_roles)
        if name:
            return name
    return None


def _name_in(entry: str, keep_roles: bool) -> str | None:
    entry = re.sub(r"^(?:and|&)\s+", "", entry.strip(" \t.,;:"))
    entry = _TITLES.sub("", entry).strip()
    if keep_roles:
        entry = re.sub(r"^(?:[a-z]+\s+)+", "", entry)  # "supervisors Dick Dillon", "treasurer Ray Barnes"
    tokens = entry.split()
    while tokens and re.fullmatch(r"[A-Z]{2,4}", tokens[-1]):  # initials column: "Rob Boyd RB"
        tokens.pop()
    name = " ".join(tokens).strip(" .,;:")
    if not name or name.lower() in _NOT_NAMES or re.search(r"\d|@|/", name) or len(tokens) > 5:
        return None
    if re.search(r"(?i)\b(?:present|absent|apologies|remove|names?|tbc|tba)\b", name):  # template text
        return None
    if not name[0].isupper():
        return None
    # The second half of a surname printed without its hyphen and capital ("Diane Neil mills") may end a name of
    # three or more words; any other lower-case word means the entry is not a name.
    last = len(tokens) - 1
    for i, token in enumerate(tokens[1:], start=1):
        if not (token[0].isupper() or token.lower() in _PARTICLES or token[0] in "'’"):
            if not (i == last >= 2 and token.isalpha() and all(t[0].isupper() for t in tokens[:i])):
                return None
            if token.lower() in _NOT_SURNAMES:
                return None
    return name


_SPLIT_NAME = re.compile(
    r"((?:,|;|\band)[ \t]+[A-Z][a-z'’-]+)[ \t]*\n[ \t]*([A-Z][a-z'’-]+)(?=[ \t]*(?:,|;|\band\b|$))", re.M
)


def _split_entries(block: str) -> list[str]:
    block = _BROKEN_NAME.sub(r"\1 ", _without_brackets(block))
    # A forename at the end of one line and its surname at the start of the next: "Margaret" / "Brierly,".
    block = _SPLIT_NAME.sub(r"\1 \2", block)
    entries: list[str] = []
    for part in re.split(r",|;|\n|\s{2,}|\t|\band\b|&", block):
        # Names in an initials grid ("Rob Boyd RB Kenny Combe KC") split at the initials.
        entries.extend(piece for piece in re.split(r"(?<=\s[A-Z]{2})\s+(?=[A-Z][a-z])", part) if piece.strip())
    return entries


def _names(block: str, keep_roles: bool = False) -> list[str]:
    names = []
    for entry in _split_entries(block):
        name = _clean_name(entry, keep_roles)
        if name and name not in names:
            names.append(name)
    return names


_LABELS: list[tuple[str, re.Pattern[str]]] = [
    ("officers", re.compile(r"(?i)^(?:executive\s+)?officers?(?:\s+(?:present|in attendance))?\s*[:\-–]?\s*")),
    ("public", re.compile(r"(?i)^(?:members of the public|public\b|visitors?|guests?|observing|press|minute taker)")),
    ("present", re.compile(r"(?i)^(?:(?:members|councillors|directors|governors|trustees)\s+)?present\b\s*[:\-–]?\s*")),
    ("present", re.compile(r"(?i)^co-?opted\s+members?\s*[:\-–]?\s*")),
    ("present", re.compile(r"(?i)^(?:attending|attendees|attendance)\s*:\s*")),
    ("attendance", re.compile(r"(?i)^(?:in attendance|also (?:present|in attendance))\s*[:\-–]?\s*")),
    (
        "apologies",
        re.compile(
            r"(?i)^apologies(?:\s+for\s+absence)?(?:\s+(?:had\s+been|have\s+been|were|was)?\s*"
            r"received)?(?:\s+from)?\s*[:\-–]?\s*"
        ),
    ),
    ("absent", re.compile(r"(?i)^(?:(?:members|directors|councillors)\s+)?absent\b\s*[:\-–]?\s*")),
    ("officers", re.compile(r"(?i)^(?:the\s+)?clerk\b\s*[:\-–]?\s*(?-i:(?=[A-Z]))")),
    (
        "other",
        re.compile(
            r"(?i)^(?:chair(?:man|person)?\s*[:\-–]|the meeting was|under item|public gallery|"
            r"substitutes?|declarations?|minutes\b)"
        ),
    ),
]


def _label(line: str) -> tuple[str, int] | None:
    text = re.sub(r"^\s*(?:#+\s*|[-*+•]\s+)?(?:\d{1,3}(?:\.\d+)*[.)]?\s+)?", "", line)
    text = re.sub(r"^[*_]{1,3}", "", text)
    offset = len(line) - len(text)
    for kind, pattern in _LABELS:
        if match := pattern.match(text):
            return kind, offset + match.end()
    return None


def _blocks(text: str) -> list[tuple[str, str]]:
    """(kind, text) for each attendance block in `text` (see module docstring)."""
    lines = text.split("\n")
    blocks: list[tuple[str, str]] = []
    i = 0
    while i < len(lines):
        found = _label(lines[i])
        if found is None:
            i += 1
            continue
        kind, offset = found
        parts = [lines[i][offset:]]
        i += 1
        while i < len(lines):
            line = lines[i]
            if _label(line) is not None or re.match(r"^\s*#", line):
                break
            if not line.strip():
                following = next((later for later in lines[i + 1 : i + 4] if later.strip()), "")
                content = " ".join(parts).strip()
                if content and not (
                    content.count("(") > content.count(")")
                    or re.search(r"(?:,|&|\band)\s*$", content)
                    or _COUNCILLOR.match(following.strip())
                ):
                    break
                if not following or _label(following) is not None:
                    break
                i += 1
                continue
            if parts[-1].strip() and re.search(r"[.!?]\s*$", parts[-1]) and len(line.split()) > 12:
                break  # a sentence of prose after the names
            parts.append(line)
            i += 1
        blocks.append((kind, "\n".join(parts)))
    return blocks


def _first_sentence(text: str) -> str:
    """Text up to its first full stop that ends a sentence (an initial's stop does not); lines are kept."""
    text = _without_brackets(text)
    match = re.search(r"(?<![A-Z])\.[ \t]*(?:\n\s*)?(?=[A-Z])|\.\s*$", text)
    return text[: match.start()] if match else text


_GRID_CODE = re.compile(r"(?<!\S)([PASL])(?!\S)")


def _attendance_grid(preamble: str, meeting_date: date | None, american: bool) -> list[str]:
    """Members marked present (P, or L for late) in a governors' attendance register: one row per member,
    `HEATHER POUSTIE Headteacher Ex-officio P P`, one code per meeting column, the columns headed by the
    year's meeting dates. The column is the one headed by this meeting's date."""
    if meeting_date is None:
        return []
    columns: list[date] = []
    rows: list[tuple[str, list[str]]] = []
    for line in preamble.split("\n"):
        text = line.strip()
        dates = find_dates(text, american)
        if dates and not rows and not re.sub(r"[\d/.\s-]", "", text):
            columns.extend(found.value for found in dates)
            continue
        tokens = text.split()
        name: list[str] = []
        for token in tokens:
            if not re.fullmatch(r"[A-Z][A-Z'’-]+", token) or (len(name) >= 2 and len(token) <= 2):
                break
            name.append(token)
        if len(name) >= 2 and columns:
            rows.append((" ".join(name), _GRID_CODE.findall(" ".join(tokens[len(name) :]))))
    if meeting_date not in columns or len(rows) < 3:
        return []
    column = columns.index(meeting_date)
    return [_title_case(name) for name, codes in rows if column < len(codes) and codes[column] in ("P", "L")]


# ---------------------------------------------------------------------------------------------------------
# Chair, time, venue

_NAME = r"([A-Z][\w.'’-]*(?:[ \t]+(?:[A-Z][\w.'’-]*|(?:van|de|von)\b)){0,4})"
_CHAIR_PATTERNS = [
    re.compile(_NAME + r"\s*\(\s*(?i:the\s+)?(?i:chair|chairman|chairperson|chairwoman|in the chair)\s*\)"),
    re.compile(_NAME + r"\s*[—–-]\s*[_*]*(?i:chair|chairman|chairperson)[_*]*\s*$", re.M),
    re.compile(r"(?i:chaired by)\s+" + _NAME),
    re.compile(r"(?im)^\W*chair(?:man|person)?\s*[:\-–]\s*" + _NAME),
    re.compile(_NAME + r",?\s+(?i:in the chair|presiding)\b"),
    re.compile(r"\b(?:Chair(?:man|person)?|Mayor|President)\s+" + _NAME + r"\s+(?:called|opened|presided|welcomed)"),
]
_NAME_STOP = {"Clerked", "Minuted", "Clerk", "Present", "Apologies", "Minutes", "Vice"}


def _chair(text: str) -> str | None:
    for pattern in _CHAIR_PATTERNS:
        for match in pattern.finditer(text):
            raw = match.group(1)
            tokens = []
            for token in raw.split():
                if token in _NAME_STOP:
                    break
                tokens.append(token)
                if token.endswith(".") and len(token) > 2:  # the sentence ends: "Chaired by John Slater."
                    break
            name = _clean_name(" ".join(tokens))
            if name and not name.lower().startswith("vice"):
                return name
    return None


_TIME = r"(\d{1,2}(?:[.:]\d{2})?\s*[ap]\.?\s?m\b\.?)"
_TIME_PATTERNS = [
    re.compile(r"(?i)\bat\s+" + _TIME),
    re.compile(r"(?im)^\W*time\s*[:\-–]\s*(\d{1,2}[.:]\d{2}\s*(?:[ap]\.?\s?m\b\.?)?)"),
    re.compile(
        r"(?i)\b(?:began|commenced|opened|started|to order)\b[^.\n]{0,80}?\bat\s+"
        r"(\d{1,2}[.:]?\d{2}\b\s*(?:[ap]\.?\s?m\b\.?)?)"
    ),
]
_PLACE = re.compile(
    r"\b(?:Hall|Room|Centre|Center|Chamber|Chambers|Offices|School|Library|Church|House|Pavilion|Hotel)\b"
)
_VENUE_PATTERNS = [
    re.compile(r"(?i)\bheld\s+(?:at|in)\s+(.+?)(?:\s+on\s+(?:\w+day\b|\d)|\s+at\s+\d|\s*[.,]?\s*$|\.\s)", re.M),
    re.compile(r"(?i)\bat\s+\d{1,2}[.:]\d{2}\s*[ap]\.?\s?m\.?\s+in\s+(.+?)\s*\.?\s*$", re.M),
    re.compile(r"(?i)\bto order at\s+(.+?)\s+(?:on|at)\s"),
    re.compile(r"(?im)^\W*venue\s*[:\-–]\s*(.+?)\s*$"),
]


def _time(text: str) -> str | None:
    for pattern in _TIME_PATTERNS:
        if match := pattern.search(text):
            found = " ".join(match.group(1).split())
            return found[:-1] if re.search(r"(?<!\.)[ap]m\.$", found) else found  # "7:00pm." ends a sentence
    return None


def _venue(text: str, title_lines: list[str], committee: str | None) -> str | None:
    for pattern in _VENUE_PATTERNS:
        if match := pattern.search(text):
            venue = re.sub(r"(?i)^the\s+", "", " ".join(match.group(1).split())).strip(" ._*")
            if venue and not find_dates(venue) and not re.match(r"\d", venue):
                return venue
    for line in title_lines:
        plain = re.sub(r"^#+\s*|[*_]{1,3}", "", line).strip()
        if _PLACE.search(plain) and len(plain.split()) <= 8 and not find_dates(plain) and plain != committee:
            return plain
    return None


# ---------------------------------------------------------------------------------------------------------
# Putting it together

_ATTENDANCE_ITEM = re.compile(r"(?i)present|apolog|roll call|attendance|call to order|absence|attended")


def _title_lines(preamble: str) -> list[str]:
    lines = []
    for line in preamble.split("\n"):
        if not line.strip():
            continue
        label = _label(line)
        if label is not None and label[0] != "other":
            break
        lines.append(line.strip())
        if len(lines) >= 12:
            break
    return lines


def extract_metadata(text: str, items: Sequence[Item]) -> MeetingMetadata:
    """Committee, date, time, venue, chair and attendance from the text; see the module docstring."""
    numbered = [item for item in items if item.number is not None]
    preamble_end = numbered[0].start if numbered else len(text)
    preamble = text[:preamble_end]
    first_item = text[numbered[0].start : numbered[0].end] if numbered else ""
    if len(preamble.strip()) < 40 and numbered:  # no title block: the first heading stands in for it
        preamble = text[: text.find("\n", numbered[0].start) + 1 or len(text)]
    attendance_items = [item for item in numbered[:6] if item.title and _ATTENDANCE_ITEM.search(item.title)]
    scope = preamble + "\n" + "\n".join(text[item.start : item.end][:4000] for item in attendance_items)
    american = is_american(text)
    title_lines = _title_lines(preamble)

    committee = _committee(text, title_lines)
    meeting_date = _meeting_date(preamble, first_item, american)

    present: list[str] = []
    apologies: list[str] = []
    officers: list[str] = []
    blocks = _blocks(scope)
    has_present = any(kind == "present" for kind, _ in blocks)
    for kind, block in blocks:
        if kind == "present":
            block = re.split(r"(?i)\bwere present\b|\bwas also present\b", block)[0]
            for entry in _split_entries(block):
                name = _clean_name(entry)
                if not name:
                    continue
                target = officers if _OFFICER_ROLE.match(entry.strip()) else present
                if name not in target:
                    target.append(name)
        elif kind == "officers":
            officers.extend(n for n in _names(block) if n not in officers)
        elif kind == "attendance" and not has_present:  # no "Present" list: those attending are present
            present.extend(n for n in _names(block) if n not in present)
        elif kind == "attendance":
            # "Councillors A, B and C." names councillors up to the end of its sentence; the rest are officers.
            for sentence in re.split(r"(?<=[a-z])\.\s+", _without_brackets(block)):
                councillors = bool(_COUNCILLOR.match(sentence.strip()))
                for entry in _split_entries(sentence):
                    name = _clean_name(entry)
                    if name and not councillors and not _COUNCILLOR.match(entry.strip()) and name not in officers:
                        officers.append(name)
        elif kind == "apologies":
            apologies.extend(n for n in _names(_first_sentence(block)) if n not in apologies)
    if not present:
        present = _attendance_grid(preamble, meeting_date, american)
    if not present:
        if match := re.search(r"(?i)\bmembers present (?:were|was|included)\s+(.+?)\.(?:\s|$)", scope, re.S):
            present = _names(match.group(1), keep_roles=True)
    for match in re.finditer(r"(?i:clerked|minuted) by\s+" + _NAME, scope):
        name = _clean_name(match.group(1))
        if name and name not in officers:
            officers.append(name)
    for match in re.finditer(
        r"\b(?:City|Town|Parish)\s+(?:Attorney|Recorder|Manager|Clerk|Administrator)\s+" + _NAME, scope
    ):
        name = _clean_name(match.group(1))
        if name and name not in officers and name not in present:
            officers.append(name)
    present = [name for name in present if name not in officers]

    return MeetingMetadata(
        committee=committee,
        meeting_date=meeting_date,
        time=_time(scope),
        venue=_venue(scope, title_lines, committee),
        chair=_chair(scope),
        present=tuple(present),
        apologies=tuple(apologies),
        officers=tuple(officers),
    )
