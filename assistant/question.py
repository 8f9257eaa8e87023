"""Reading a question without a language model: what kind of answer it wants, its topic, the bodies and dates
it names (`assistant.scope`, `assistant.dates`), and, in a conversation, what a follow-up such as "and what did
they decide?" or "what about in September?" refers to.

Kinds: "attendance" (who attended), "apologies" (who sent apologies), "chair" (who chaired), "venue" (where
the meeting was held), "decision" (what was decided or agreed) and "search" (anything else). The topic is the
question's words from its first content word to its last, dates, question words and the kind's own cue words
not counting as content: it is what a follow-up inherits.

A follow-up (with history) is a question that opens with "and", "what about", "how about"..., or that has no
topic of its own. It keeps the previous turn's topic where it names none, its kind where it asks for no
particular kind ("search"), and its dates and committees where it names none.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from assistant.dates import DateScope, find_date_scope
from assistant.scope import BodyScope, CommitteeNames, strip_mentions
from assistant.terms import GENERIC, STOPWORDS, content_terms, words

APOLOGIES = re.compile(
    r"\b(?:apolog\w*|absent|absence|absentees?|"
    r"(?:(?:did|could|would|was|were)(?:\s*n[o’']?t|n[’']t)|failed\s+to|unable\s+to)\s+(?:able\s+to\s+)?"
    r"(?:attend|come|make|be\s+(?:there|present))|missed|sent\s+regrets)\b",
    re.IGNORECASE,
)
ATTENDANCE = re.compile(
    r"\b(?:attend(?:ed|ing|ance|ees?)?|who\s+(?:was|were)\s+(?:there|present|at)|present\s+at|"
    r"(?:members|councillors|people|officers)\s+(?:who\s+were\s+)?present|"
    r"(?:was|were)\s+(?:at|present\s+at)\s+the\s+(?:meeting|committee)|"
    r"^\s*(?:who|which|what)\b[^?]*\b(?:was|were)\s+(?:present|there)\b|"
    r"who\s+came|turned\s+up|in\s+attendance)\b",
    re.IGNORECASE,
)
# "Who was the treasurer?": the officers a meeting's attendance record names by role.
ROLE = re.compile(
    r"^\s*who\s+(?:was|is|were|are)\s+(?:the\s+|its\s+|their\s+)?(?:[\w-]+\s+){0,2}?"
    r"(?:treasurer|secretary|clerk|vice[- ]?chair(?:man|woman|person)?|mayor|president|attorney|recorder|"
    r"minute[- ]?taker|head\s*teacher)s?\b",
    re.IGNORECASE,
)
CHAIR = re.compile(
    r"\b(?:chaired|presided|presiding|in\s+the\s+chair|who\s+(?:was|is)\s+(?:the\s+)?chair(?:man|woman|person)?|"
    r"chair(?:man|woman|person)?\s+(?:of|at|for)\s+(?:the|this|that)\s+meeting|"
    r"who\s+chairs?|name\s+of\s+the\s+chair(?:man|woman|person)?)\b",
    re.IGNORECASE,
)
VENUE = re.compile(
    r"\bwhere\b[^?]*\b(?:held|meet|met|meeting|take\s+place|took\s+place)\b|\bvenue\b|"
    r"\bwhat\s+(?:location|place)\b[^?]*\bmeeting\b",
    re.IGNORECASE,
)
DECISION = re.compile(
    r"\b(?:decid\w*|decision\w*|resol(?:ve|ved|ution|utions)|agree(?:d|ment)?|approv\w*|vot(?:e|ed|ing)|"
    r"recommend\w*|conclu(?:de|ded|sion)|outcome)\b",
    re.IGNORECASE,
)
# The cue words of each kind are not topic words: "who attended" has no topic.
CUE_WORDS = frozenset(
    """
    attend attended attending attendance attendee attendees present came turned apology apologies apologise
    apologised apologize apologized sent send sending absent absence absentee absentees missed regrets unable
    fail failed chair
    chaired chairs chairman chairwoman chairperson presided presiding name decide decided decides decision
    decisions resolve resolved resolution resolutions agree agreed agreement approve approved approval vote
    voted voting recommend recommended conclude concluded conclusion outcome
    held venue location place take took meet met
    """.split()
)
FOLLOW_UP_OPENER = re.compile(
    r"^\s*(?:and|also|so|then|but|plus|what\s+about|how\s+about|and\s+what\s+about|what\s+of|same\s+for|"
    r"likewise|as\s+for|and\s+how\s+about)\b",
    re.IGNORECASE,
)
PRONOUNS = frozenset("they them their it its that this those these he she him her there".split())

KIND_PHRASES = {
    "attendance": "who attended",
    "apologies": "who sent apologies",
    "chair": "who chaired the meeting",
    "venue": "where was the meeting held",
    "decision": "what was decided",
    "search": "",
}


def question_kind(text: str) -> str:
    """The kind of answer a question asks for; apologies before attendance ("who did not attend")."""
    if APOLOGIES.search(text):
        return "apologies"
    if CHAIR.search(text):
        return "chair"
    if ATTENDANCE.search(text) or ROLE.search(text):
        return "attendance"
    if VENUE.search(text):
        return "venue"
    if DECISION.search(text):
        return "decision"
    return "search"


def topic_of(text: str, *, cues: bool = False) -> str:
    """The question's words from its first content word to its last (question words, generic words and cue
    words are not content), as written: "dentistry for looked-after children". With `cues`, cue words count
    as content: "what was pupil attendance?" is about attendance, asked as a search."""
    kept = [
        (start, end)
        for start, end, word in words(text)
        if word not in STOPWORDS and word not in GENERIC and (cues or word not in CUE_WORDS) and not word.isdigit()
    ]
    return " ".join(text[kept[0][0] : kept[-1][1]].split()) if kept else ""


@dataclass(frozen=True, slots=True)
class Reading:
    """How a question was read: the text to search, its kind, topic and date scope."""

    question: str
    resolved_question: str  # the question as understood, follow-ups spelled out
    search_text: str  # what is sent to the retrievers: the resolved question without its date phrase
    kind: str
    topic: str
    scope: DateScope | None  # dates the question (or, for a follow-up, the previous turn) named
    follow_up: bool = False
    inherited_dates: tuple[date | None, date | None] | None = None  # the previous turn's dates, if kept
    inherited_topic: bool = False  # the topic is the previous turn's
    bodies: BodyScope | None = None  # the bodies the question names
    inherited_committees: tuple[str, ...] = ()  # the previous turn's committees, kept by a follow-up

    @property
    def topic_terms(self) -> list[str]:
        return content_terms(self.topic)


@dataclass(frozen=True, slots=True)
class PreviousTurn:
    """What a follow-up needs from the turn before: what it searched for, its kind, topic and date filters."""

    search_text: str
    kind: str
    topic: str
    date_from: date | None
    date_to: date | None
    scope_label: str | None = None  # the previous dates in words, e.g. "January 2025"
    committees: tuple[str, ...] = ()  # the committees the previous turn searched


def is_follow_up(text: str, topic: str) -> bool:
    if FOLLOW_UP_OPENER.match(text):
        return True
    if not topic:
        return True
    question_words = [word for _, _, word in words(text)]
    return len(question_words) <= 8 and bool(PRONOUNS & set(question_words)) and len(topic.split()) <= 1


def read_question(
    question: str,
    meeting_dates: Sequence[date],
    previous: PreviousTurn | None = None,
    names: CommitteeNames | None = None,
) -> Reading:
    """Read one question, against the previous turn when there is one. With `names` (the library's committees),
    bodies the question names are read too, and its dates relative to those bodies' meetings ("Milburn's latest
    meeting"); with no meeting dates, no dates are read."""
    text = " ".join(question.split())
    bodies = names.find(text) if names is not None else None
    if bodies is not None and bodies.committees and names is not None:
        meeting_dates = names.meeting_dates(bodies.committees)
    scope = find_date_scope(text, meeting_dates)
    mentions = bodies.mentions if bodies is not None else ()
    date_span = (scope.start, scope.end) if scope else None
    undated = strip_mentions(text, mentions, date_span)
    kind = question_kind(undated)
    about = strip_mentions(text, mentions, date_span, phrases=True) if mentions else undated
    topic = topic_of(FOLLOW_UP_OPENER.sub("", about))
    if previous is None or not is_follow_up(undated, topic):
        return Reading(text, text, undated, kind, topic, scope, bodies=bodies)

    own_topic = bool(topic)
    if not own_topic:
        topic = previous.topic
    if kind == "search":
        kind = previous.kind
    inherited = None if scope else (previous.date_from, previous.date_to)
    phrase = KIND_PHRASES[kind]
    if kind in ("attendance", "apologies", "chair", "venue"):
        search_text = f"{phrase} {topic}".strip() if own_topic else phrase
    elif kind == "decision":
        search_text = f"{phrase} about {topic}" if topic else phrase
    elif not own_topic:
        search_text = previous.search_text or topic
    elif previous.topic and previous.topic in previous.search_text:
        search_text = previous.search_text.replace(previous.topic, topic)  # "what did they say about <topic>"
    else:
        search_text = topic
    label = scope.label if scope else previous.scope_label if inherited and any(inherited) else None
    when = f" ({label})" if label else ""
    resolved = f"{search_text.rstrip(' ?')}{when}?"
    resolved = resolved[0].upper() + resolved[1:]
    committees = () if bodies is not None else previous.committees
    return Reading(text, resolved, search_text, kind, topic, scope, True, inherited, not own_topic, bodies, committees)
