"""Bodies named in a question become a committee filter: "Milburn" → Milburn Parish Council, "Ayton CC" →
Ayton Community Council, "the audit committee" → Merton Council Audit Committee, "Herefordshire's scrutiny
committee" → Children and Young People Scrutiny Committee.

What a committee may be called is read from the library itself, never from a list of known councils:

- the words of its name ("Milburn", "Parish", "Council");
- places named in its meetings' title lines and venue before "Council", "Hall" or "Centre" ("Herefordshire
  Council", "Sutton Coldfield Town Hall"): minutes often name the council only there;
- acronyms of its name's capitalised words that its own minutes use ("ASF" for Apache Software Foundation,
  "CFHA" for China Falls Homeowner's Association).

Words are of three sorts. Generic words (council, committee, parish, board, meeting, community, town...) never
pick a body, alone or together. A proper word (a name: written with a capital inside the question, or never
written in lower case anywhere in the library) picks every committee it names on its own. Any other name word
("audit", "scrutiny", "amenities", "school") picks a body only as part of a phrase that ends in a body noun:
"the audit committee", "children's scrutiny meeting", "the school's governors".

Neighbouring mentions narrow each other ("Herefordshire's scrutiny committee": the committees both name);
separate ones add up ("the Milburn and Newbiggin parish councils": both). A variant of a name ("Ayton CC"
beside "Ayton Community Council") shares its proper words, so a question naming one finds both.

A capitalised name ending in a body noun ("Leeds City Council") that names no committee of the library and
that the library's minutes never mention is a body the library does not hold: the assistant says so rather
than answer from another body's minutes. A body the minutes only mention ("the Scottish Borders Council
cuts") is part of the topic, not the scope.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from assistant.terms import STOPWORDS, stem
from ingest.models import Meeting

# Words that say what kind of body, not which one: never enough to pick a body.
GENERIC = frozenset(
    """
    committee committees council councils parish parishes board boards meeting meetings minutes community
    communities town towns city cities county district borough village township the of and for full general
    annual special extraordinary regular monthly joint main sub civic member members
    """.split()
)
# Words a body's name ends in: a phrase of name words ending in one of these names a body.
BODY_NOUNS = frozenset(
    """
    committee committees council councils board boards meeting meetings governors governor trustees directors
    association society panel commission cabinet assembly forum body sub-committee subcommittee councillors
    councilors
    """.split()
)
# Body nouns that are also people ("which Apache director left early?"): the question may be about them, so a
# mention never ends in one.
PEOPLE = frozenset("governor governors director directors trustee trustees councillors councilors".split())
CONNECTORS = frozenset({"of", "and", "the", "for", "&"})
WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9&-]*(?:['’][A-Za-z]*)?|&")
# A place named before a council, hall or centre in a meeting's title lines or venue.
PLACE = re.compile(
    r"\b((?:[A-Z][\w’'-]+\s+){0,3}[A-Z][\w’'-]+)\s+(?:(?:Town|City|County|Borough|District|Parish|Village|"
    r"Community|Civic)\s+)?(?:Council|Hall|Centre|Center|Guildhall)\b"
)
# A body in the question's own words: capitalised words ending in a body noun ("Leeds City Council").
BODY_NAME = re.compile(
    r"\b((?:[A-Z][\w’'&.-]*\s+){1,5}?)((?:(?:Parish|Town|City|County|District|Borough|Community|Metropolitan)"
    r"\s+)?(?:Council|Committee|Board|Authority|Trust|Association|Society|Commission|Panel|Cabinet|Governors|"
    r"Assembly))\b"
)
# Question words and the like that open a sentence: not part of a body's name ("Did Leeds City Council ...").
_OPENERS = STOPWORDS | {"at", "in", "on", "by", "from", "to", "did", "does", "do", "has", "have", "was", "were"}
# Before a mention, words that only attach it to the sentence ("at Ayton's meeting", "reported to the board").
_LEAD_IN = frozenset({"at", "in", "of", "by", "from", "for", "to", "the"})
TITLE_LINES = 4  # a meeting's first non-empty lines searched for places
LISTED = 8  # committees named when saying what the library holds


def _norm(word: str) -> str:
    """A word as names are compared: lower case, possessive dropped, stemmed ("Homeowners'" = "Homeowner’s")."""
    word = word.lower().replace("’", "'")
    word = re.sub(r"'s?$", "", word)
    return stem(word)


@dataclass(frozen=True, slots=True)
class Token:
    start: int
    end: int
    text: str
    norm: str
    capital: bool  # written with a capital (or all in capitals) where it is not the question's first word


def tokens_of(text: str) -> list[Token]:
    found = []
    for n, match in enumerate(WORD.finditer(text)):
        raw = match.group(0)
        bare = re.sub(r"['’]s?$", "", raw)
        first = n == 0 or text[: match.start()].rstrip().endswith((".", "?", "!", ":"))
        capital = bare[:1].isupper() and (not first or (len(bare) > 1 and bare.isupper()))
        found.append(Token(match.start(), match.end(), raw, _norm(raw), capital))
    return found


@dataclass(frozen=True, slots=True)
class BodyMention:
    """One place the question names a body: the committees it may mean, and where it is in the question."""

    committees: frozenset[str]
    start: int
    end: int
    whole: bool = True  # the whole noun phrase ("at Ayton's"), not a word before its noun ("Apache director")
    phrase_end: int = -1  # the end of its noun phrase, body nouns included ("North Star township board's")


@dataclass(frozen=True, slots=True)
class BodyScope:
    """The bodies a question names: library committees, or a body the library does not hold."""

    committees: tuple[str, ...]  # library committees, sorted; empty when the question names only an unknown body
    mentions: tuple[BodyMention, ...]  # where the question names them (stripped from the text searched)
    unknown: str | None = None  # e.g. "Leeds City Council": a body neither held nor mentioned by the library

    @property
    def label(self) -> str:
        return " or ".join(self.committees) if self.committees else (self.unknown or "")


def _acronyms(name: str) -> set[str]:
    """Initials of every run of two or more capitalised words of a name, small words skipped: "ASF", "CFHA"."""
    words = [w for w in re.findall(r"[A-Za-z][\w’'-]*", name) if w.lower() not in {"of", "and", "the", "for"}]
    capitals = [w for w in words if w[0].isupper()]
    found = set()
    for start in range(len(capitals)):
        for end in range(start + 3, len(capitals) + 1):
            found.add("".join(w[0] for w in capitals[start:end]).upper())
    return found


def _title_lines(text: str, count: int = TITLE_LINES) -> list[str]:
    """The first `count` non-empty lines, stripped; only the head of the text is split (minutes run to 100 kB)."""
    head = text.split("\n", 64)
    whole = len(head) <= 64  # the text has no more lines than these
    lines = [line.strip() for line in (head if whole else head[:-1]) if line.strip()]
    if len(lines) < count and not whole:
        lines = [line.strip() for line in text.split("\n") if line.strip()]
    return lines[:count]


@lru_cache(maxsize=1)
def _generic_norms() -> frozenset[str]:
    return frozenset(_norm(word) for word in GENERIC)


def _occurs(text: str, word: str, after: re.Pattern[str], before: re.Pattern[str]) -> bool:
    """Whether `word` occurs in `text` followed by what `after` matches (it starts with `word`) and not preceded
    by a character `before` matches: a literal search first, which is ~30 times faster than a regex that begins
    with a look-behind or a word boundary (those try every position of ~60 MB of minutes at 100,000 passages)."""
    if word not in text:
        return False
    position = 0
    while (match := after.search(text, position)) is not None:
        start = match.start()
        if start == 0 or before.match(text, start - 1) is None:
            return True
        position = start + 1
    return False


_WORD_CHARACTER = re.compile(r"\w")
_NAME_CHARACTER = re.compile(r"[\w-]")


def _places(meeting: Meeting) -> list[str]:
    """Places a meeting's title lines and venue name before a council, hall or centre, generic words trimmed."""
    places = []
    for line in [*_title_lines(meeting.text), meeting.venue or ""]:
        for match in PLACE.finditer(line):
            words = match.group(1).split()
            while words and _norm(words[0]) in _generic_norms():
                words.pop(0)
            while words and _norm(words[-1]) in _generic_norms():
                words.pop()
            if words:
                places.append(" ".join(words))
    return places


class CommitteeNames:
    """What each committee of a library may be called in a question; `find(question)` reads the bodies named."""

    def __init__(self, meetings: Iterable[Meeting]) -> None:
        meetings = list(meetings)
        self.committees = sorted({meeting.committee for meeting in meetings}, key=str.casefold)
        self.dates: dict[str, list[date]] = defaultdict(list)
        self._texts = [meeting.text for meeting in meetings]
        generic = {_norm(word) for word in GENERIC}
        self._generic = generic
        self._body_nouns = {_norm(word) for word in BODY_NOUNS}
        self._people = {_norm(word) for word in PEOPLE}
        self._lowered: list[str] | None = None
        self._mentions_cache: dict[str, bool] = {}
        names: dict[str, set[str]] = defaultdict(set)  # committee -> name phrases
        acronyms: dict[str, dict[str, re.Pattern[str]]] = {}  # committee -> acronyms not yet seen in its minutes
        for meeting in meetings:
            self.dates[meeting.committee].append(meeting.meeting_date)
            names[meeting.committee].add(meeting.committee)
            names[meeting.committee].update(_places(meeting))
            if meeting.committee not in acronyms:
                acronyms[meeting.committee] = {a: re.compile(rf"{a}\b") for a in sorted(_acronyms(meeting.committee))}
            unseen = acronyms[meeting.committee]
            # an acronym its minutes use: a whole word of capitals ("ASF", not the "ASF" of "ASFX" or "xASF")
            for acronym in [a for a, after in unseen.items() if _occurs(meeting.text, a, after, _WORD_CHARACTER)]:
                names[meeting.committee].add(acronym)
                del unseen[acronym]
        # word (normalised) -> committees whose names hold it; generic words are left out
        self.owners: dict[str, set[str]] = defaultdict(set)
        self.full_names: dict[tuple[str, ...], set[str]] = defaultdict(set)
        surface: dict[str, set[str]] = defaultdict(set)  # normalised word -> its written forms
        self.name_words: dict[str, set[str]] = defaultdict(set)  # committee -> every word of its names
        for committee, phrases in names.items():
            for phrase in phrases:
                for token in tokens_of(phrase):
                    self.name_words[committee].add(token.norm)
                    if token.norm in generic | self._body_nouns or token.text.lower() in CONNECTORS:
                        continue
                    self.owners[token.norm].add(committee)
                    surface[token.norm].add(re.sub(r"['’]s?$", "", token.text))
        # Variants of one name ("Ayton CC", "Ayton Community Council") share proper words: merged below.
        self.proper = set(surface) - self._written_in_lower_case(surface)
        self._merge_variants()

    def _written_in_lower_case(self, forms: dict[str, set[str]]) -> set[str]:
        """The words (normalised) some minutes write in lower case: common words, not names. One pass per text."""
        lowered: dict[str, str] = {}
        common = set()
        for norm, written in forms.items():
            for form in written:
                if form.islower():
                    common.add(norm)
                lowered[form.lower()] = norm
        todo = {word: norm for word, norm in lowered.items() if norm not in common}
        if not todo:
            return common
        if any(re.fullmatch(r"[\w-]+", word) is None for word in todo):
            # a word with an apostrophe or "&" may overlap another: the one regex decides which it reads
            pattern = re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(w) for w in sorted(todo)) + r")(?![\w-])")
            for text in self._texts:
                common.update(todo[word] for word in set(pattern.findall(text)))
            return common
        # Each word on its own: a run of word characters and hyphens that is the word, anywhere in the minutes.
        for word, norm in sorted(todo.items()):
            if norm in common:
                continue
            after = re.compile(re.escape(word) + r"(?![\w-])")
            if any(_occurs(text, word, after, _NAME_CHARACTER) for text in self._texts):
                common.add(norm)
        return common

    def _merge_variants(self) -> None:
        """Committees whose proper words are the same are one body written two ways: each word names both."""
        proper_words: dict[str, frozenset[str]] = {}
        for committee in self.committees:
            words = frozenset(t.norm for t in tokens_of(committee) if t.norm in self.proper)
            proper_words[committee] = words
        groups: dict[frozenset[str], set[str]] = defaultdict(set)
        for committee, words in proper_words.items():
            if words:
                groups[words].add(committee)
        for members in groups.values():
            if len(members) > 1:
                for owners in self.owners.values():
                    if owners & members:
                        owners |= members

    def meeting_dates(self, committees: Sequence[str]) -> list[date]:
        return sorted(day for committee in committees for day in self.dates.get(committee, ()))

    # -------------------------------------------------------------------------------------------- reading

    def _mentions(self, question: str) -> list[BodyMention]:
        tokens = tokens_of(question)
        mentions = []
        n = 0
        while n < len(tokens):
            # a run of name words (and generic words or connectors between them)
            end = n
            while end < len(tokens) and self._name_like(tokens[end]):
                end += 1
            run = tokens[n:end]
            if not run:
                n += 1
                continue
            while run and run[-1].text.lower() in CONNECTORS:
                run.pop()
            followed = end < len(tokens) and tokens[end].norm in self._body_nouns
            ends_in_body = bool(run) and (run[-1].norm in self._body_nouns or followed)
            firing = [t for t in run if t.norm in self.owners and (t.capital or t.norm in self.proper or ends_in_body)]
            if firing:
                committees = set.intersection(*(self.owners[t.norm] for t in firing))
                if not committees:
                    committees = set.union(*(self.owners[t.norm] for t in firing))
                # the mention: from its first word to its last word that is part of a name it matches
                # ("the Town of North Star's board meetings" names the town; "board meetings" stays in the text)
                named = set().union(*(self.name_words[c] for c in committees))
                words = [t for t in [*run, *tokens[end : end + followed]] if t.text.lower() not in CONNECTORS]
                full_end = words[-1].end
                while words[-1].norm in self._people and len(words) > 1:
                    words.pop()
                phrase_end = words[-1].end
                while words[-1].norm not in named or words[-1].norm in self._people:
                    words.pop()
                whole = words[-1].end == full_end
                mentions.append(BodyMention(frozenset(committees), words[0].start, words[-1].end, whole, phrase_end))
            n = max(end, n + 1)
        return mentions

    def _name_like(self, token: Token) -> bool:
        return (
            token.norm in self.owners
            or token.norm in self._generic
            or token.norm in self._body_nouns
            or token.text.lower() in CONNECTORS
        )

    def find(self, question: str) -> BodyScope | None:
        """The bodies the question names, or None when it names none (or names every committee: no scope)."""
        mentions = self._mentions(question)
        groups: list[tuple[set[str], list[BodyMention]]] = []
        for mention in mentions:
            if groups and groups[-1][0] & mention.committees:
                groups[-1][0].intersection_update(mention.committees)
                groups[-1][1].append(mention)
            else:
                groups.append((set(mention.committees), [mention]))
        committees = set().union(*(group for group, _ in groups)) if groups else set()
        if committees and committees != set(self.committees):
            named = tuple(m for _, members in groups for m in members)
            return BodyScope(tuple(sorted(committees, key=str.casefold)), named)
        if committees:
            return None
        unknown = self._unknown_body(question)
        return BodyScope((), (), unknown) if unknown else None

    def _unknown_body(self, question: str) -> str | None:
        """A body named in the question's own words that the library neither holds nor mentions."""
        for match in BODY_NAME.finditer(question):
            words = match.group(1).split()
            while words and words[0].lower() in _OPENERS:
                words.pop(0)
            if not words or all(_norm(word) in self._generic for word in words):
                continue
            name = " ".join([*words, *match.group(2).split()])
            if not self._mentioned(name):
                return name
        return None

    def prepare(self) -> None:
        """Lower-case the minutes for `_mentioned` (made on first use, or ahead of it: most questions name no
        unknown body, but at 100,000 passages this takes ~0.3 s)."""
        if self._lowered is None:
            self._lowered = [text.lower() for text in self._texts]

    def _mentioned(self, name: str) -> bool:
        """Whether any minutes of the library write `name` (case aside), its words apart by any white space.

        The minutes are searched in lower case for the lower-cased name, and each answer is kept: a regex with
        IGNORECASE or a leading word boundary tried every position of every text (0.5 s a question at 100,000
        passages); a lower-case literal search takes ~30 ms. The name begins with a capital: a word character."""
        found = self._mentions_cache.get(name)
        if found is None:
            self.prepare()
            words = name.lower().split()
            after = re.compile(r"\s+".join(re.escape(w) for w in words) + r"\b")
            found = any(_occurs(text, words[0], after, _WORD_CHARACTER) for text in self._lowered or ())
            self._mentions_cache[name] = found
        return found

    # -------------------------------------------------------------------------------------------- wording

    def holdings(self, limit: int = LISTED) -> str:
        """What the library holds, e.g. "Ayton Community Council (2 meetings), Milburn Parish Council (1 meeting)"."""
        listed = []
        for committee in self.committees:
            count = len(self.dates[committee])
            listed.append(f"{committee} ({count} meeting{'s' if count != 1 else ''})")
        more = len(listed) - limit
        if more > 0:
            listed = [*listed[:limit], f"{more} other committee{'s' if more != 1 else ''}"]
        if len(listed) > 1:
            return f"{', '.join(listed[:-1])} and {listed[-1]}"
        return listed[0] if listed else "no minutes yet"


def strip_mentions(
    question: str,
    mentions: Sequence[BodyMention],
    date_span: tuple[int, int] | None = None,
    *,
    phrases: bool = False,
) -> str:
    """The question without the bodies it names (and the date phrase at `date_span`): what it asks about.

    A mention that is a whole noun phrase goes with the small words attaching it ("At Ayton's May 2025
    meeting, ..." → "May 2025 meeting, ..."); one before a noun that stays goes alone ("the Decoy governors" →
    "the governors"). With `phrases`, the body nouns after a name go too ("the North Star township board's
    December meeting" → "the December meeting"): the question's topic, rather than the text searched."""
    spans = [(m.start, max(m.end, m.phrase_end), True) if phrases else (m.start, m.end, m.whole) for m in mentions]
    if date_span is not None:
        spans.append((date_span[0], date_span[1], False))
    merged: list[tuple[int, int, bool]] = []
    for start, end, whole in sorted(spans):
        if merged and start <= merged[-1][1]:
            last = merged[-1]
            merged[-1] = (last[0], max(last[1], end), last[2] and whole)
        else:
            merged.append((start, end, whole))
    text = question
    for start, end, whole in reversed(merged):
        head = text[:start]
        while whole:
            match = re.search(r"(\b[A-Za-z]+)\s*$", head)
            if not match or match.group(1).lower() not in _LEAD_IN:
                break
            head = head[: match.start()]
        tail = re.sub(r"^['’]s?", "", text[end:]) if end < len(text) else ""
        text = head + " " + tail
    return " ".join(text.split()).replace(" ?", "?").replace(" ,", ",")
