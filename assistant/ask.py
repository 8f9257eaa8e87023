"""The assistant: a plain-language question → the passages that answer it, cited and highlighted, or an honest
"not found". `Assistant(library, settings).ask(question, history=(), filters=None, k=5)` is the one call the
page, the command line and eval all use.

The steps: read the question (kind, topic, the bodies and dates it names, follow-up; `assistant.question`,
`assistant.scope`, `assistant.dates`), turn the bodies and dates into filters (or say plainly that the library
holds no such meeting or body, and what it does hold), then either answer a meeting question from the
attendance record (`assistant.attendance`) or search:
dense and keyword candidates fused by RRF (`assistant.fusion`), passages of "what was decided" questions that
hold a resolution boosted, passages collapsed to items (`assistant.collapse`), the best sentences of each
highlighted (`assistant.highlight`), and the whole answer refused when the best items are weak
(`assistant.evidence`). Everything is deterministic: every sort has a tie-break.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

import numpy as np

from assistant.attendance import ATTENDANCE_KINDS, attendance_spans, holds_attendance
from assistant.collapse import ItemHit, collapse, item_key
from assistant.dates import dates_label, describe_holdings
from assistant.evidence import COVERAGE_WEIGHT, THRESHOLD, Evidence, answers, best
from assistant.fusion import MODES, fuse, order_scored
from assistant.highlight import DECISION_VERB, NUMBER_QUESTION, RESOLUTION, scored_highlight, split_sentences
from assistant.question import PreviousTurn, Reading, read_question, topic_of
from assistant.records import Answer, Filters, Highlight, Passage, Turn, fold
from assistant.scope import CommitteeNames, strip_mentions
from assistant.terms import TermStats, term_set
from index.library import Library
from ingest.models import Chunk, Meeting
from ingest.settings import Settings, load_settings
from ingest.terms import passage_text

SORTS = ("relevance", "date")
RECORD_COVERAGE = 0.5  # share of a meeting question's topic terms the attendance record must hold
# "What was decided" questions: passages holding a resolution score 10% higher (about four places in a fused
# list of 50); passages saying something was agreed, or of items that record decisions, 5%.
ITEM_DECISION_BOOST = 0.05
DECISION_BOOST = 0.10
EVIDENCE_ITEMS = 3  # abstention looks at the best this many items
CLOSEST = 3  # weak matches listed when the assistant abstains
SENTENCE_CACHE = 4096  # passages whose sentence vectors are kept
MAX_QUOTE = 400  # characters of highlighted text quoted in the answer line
NOT_FOUND = "Not found: nothing in this library answers that question."
# A question about what the minutes planned ("where will the board meet on 22 September?", "when are the
# meetings in January and February 2020?"): a date after the body's last meeting is the topic, not the meeting.
FUTURE = re.compile(r"\b(?:will|shall|going\s+to|next|upcoming|planned|when\s+(?:is|are))\b", re.IGNORECASE)


def answer_line(passage: Passage) -> str:
    """The top passage's highlighted sentence(s), quoted verbatim with the citation."""
    texts = passage.highlighted_texts() or [passage.chunk.text]
    quote = " … ".join(" ".join(text.split()) for text in texts)
    if len(quote) > MAX_QUOTE:
        quote = quote[:MAX_QUOTE].rsplit(" ", 1)[0] + " …"
    return f"“{quote}” — {passage.citation()}"


def previous_turn(history: Sequence[Turn]) -> PreviousTurn | None:
    if not history:
        return None
    answer = history[-1].answer
    filters = answer.filters
    return PreviousTurn(
        search_text=answer.search_text or answer.resolved_question,
        kind=answer.kind,
        topic=answer.topic,
        date_from=filters.date_from,
        date_to=filters.date_to,
        scope_label=dates_label(filters.date_from, filters.date_to),
        committees=filters.committees,
    )


def _intersect(filters: Filters, date_from: date | None, date_to: date | None) -> tuple[date | None, date | None]:
    low = max((d for d in (filters.date_from, date_from) if d), default=None)
    high = min((d for d in (filters.date_to, date_to) if d), default=None)
    return low, high


@dataclass(frozen=True, slots=True)
class Retrieval:
    """What one search found: items best first, the query vector, and per item the passage each retriever
    ranked first, keyed by ("dense" | "keyword", item key)."""

    hits: list[ItemHit]
    query_vector: np.ndarray
    firsts: dict[tuple[str, tuple[str, str | None]], int]


class Assistant:
    """Answers questions from one loaded library."""

    def __init__(
        self,
        library: Library,
        settings: Settings | None = None,
        *,
        threshold: float = THRESHOLD,
        coverage_weight: float = COVERAGE_WEIGHT,
    ) -> None:
        self.library = library
        self.settings = settings or load_settings(library.path)
        self.threshold = threshold  # see assistant.evidence for how these were set
        self.coverage_weight = coverage_weight
        self.meeting_dates = sorted({meeting.meeting_date for meeting in library.meetings.values()})
        counted = library.term_frequencies()  # None for a library built before the index counted them
        self.stats = (
            TermStats.from_counts(*counted)
            if counted is not None
            else TermStats(passage_text(c) for c in library.chunks)
        )
        self._terms: dict[str, frozenset[str]] = {}
        self._decision_rows: dict[int, int] = {}
        self._sentences: OrderedDict[str, tuple[list[tuple[int, int]], np.ndarray]] = OrderedDict()
        self._names: CommitteeNames | None = None
        self._names_lock = threading.Lock()
        self._records: dict[tuple[str, str], list[Chunk]] = {}

    @property
    def names(self) -> CommitteeNames:
        """What the library's committees may be called in a question (read once, on first use: ~1 s at 100,000
        passages, so the page reads them in the background with `prepare` while the user types)."""
        with self._names_lock:
            if self._names is None:
                self._names = CommitteeNames(self.library.meetings.values())
        return self._names

    def prepare(self) -> None:
        """Do now what the first question would otherwise wait for: read the committees' names, lower-case
        the minutes that names of unknown bodies are looked for in, and find each meeting's attendance record
        and its terms. Safe to run in a thread beside `ask`."""
        self.names.prepare()
        for meeting in self.library.meetings.values():
            for kind in ATTENDANCE_KINDS:
                for chunk in self._record_chunks(meeting, kind):
                    self._chunk_terms(chunk)

    # ------------------------------------------------------------------------------------------------ asking

    def ask(
        self,
        question: str,
        history: Sequence[Turn] = (),
        filters: Filters | None = None,
        k: int = 5,
        mode: str | None = None,
        sort: str = "relevance",
        scope: bool | None = None,
    ) -> Answer:
        """Answer `question`, reading follow-ups against `history`; `k` counts distinct items. `scope` (default:
        `settings.scope_parsing`) reads the bodies and dates the question names as filters; False searches every
        meeting the explicit `filters` admit, as the page's "search all meetings" does."""
        if not question.strip():
            raise ValueError("the question is empty")
        mode = mode or self.settings.mode
        if mode not in MODES:
            raise ValueError(f"unknown retrieval mode {mode!r}; expected one of {', '.join(MODES)}")
        if sort not in SORTS:
            raise ValueError(f"unknown sort {sort!r}; expected one of {', '.join(SORTS)}")
        if k < 1:
            raise ValueError(f"k must be at least 1, got {k}")
        filters = filters or Filters()
        scoped = self.settings.scope_parsing if scope is None else scope
        previous = previous_turn(history)
        if scoped:
            reading = read_question(question, self.meeting_dates, previous, self.names)
        else:  # no meeting dates: no dates read; a follow-up keeps the previous topic but not its scope
            if previous is not None:
                previous = replace(previous, date_from=None, date_to=None, scope_label=None, committees=())
            reading = read_question(question, (), previous)
        answer = self._answer(reading, filters, k, mode, sort)
        dated = reading.inherited_dates is not None and any(reading.inherited_dates)
        inherited = dated or bool(reading.inherited_committees)
        if answer.abstained and inherited and reading.topic_terms and not reading.inherited_topic:
            # "what about X?" after a scoped question: X may have come up at another meeting.
            wider = self._answer(
                replace(reading, inherited_dates=None, inherited_committees=()), filters, k, mode, sort
            )
            if not wider.abstained:
                when = dates_label(*(reading.inherited_dates or (None, None)))
                return replace(
                    wider,
                    resolved_question=wider.resolved_question.replace(f" ({when})", ""),
                    scope_note=f"Nothing on this in {_scope_words(reading.inherited_committees, when)}; "
                    "searched every meeting.",
                )
        return answer

    def _answer(self, reading: Reading, filters: Filters, k: int, mode: str, sort: str) -> Answer:
        bodies = reading.bodies
        if bodies is not None and bodies.unknown and not bodies.committees:
            return self._not_held(reading, filters, bodies.unknown, mode, sort)
        named = bodies.committees if bodies is not None else reading.inherited_committees
        if reading.scope:
            dates: tuple[date | None, date | None] = (reading.scope.date_from, reading.scope.date_to)
        elif reading.inherited_dates and any(reading.inherited_dates):
            dates = reading.inherited_dates
        else:
            dates = (None, None)
        question_scope = Filters(committees=tuple(named), date_from=dates[0], date_to=dates[1])
        answer = self._scoped_answer(reading, filters, question_scope, k, mode, sort)
        return replace(answer, scope=None if question_scope.empty else question_scope)

    def _scoped_answer(
        self, reading: Reading, filters: Filters, question_scope: Filters, k: int, mode: str, sort: str
    ) -> Answer:
        """Search (or read the attendance record) within the user's filters and the question's own scope."""
        named = question_scope.committees
        own = reading.bodies is not None or reading.scope is not None
        when = reading.scope.label if reading.scope else dates_label(question_scope.date_from, question_scope.date_to)
        words = _scope_words(named, when)
        source = "as the question asks" if own else "as in the previous question"
        note = f"Searched {words}, {source}." if words else None
        committees = filters.committees
        if named:
            wanted = {fold(name) for name in filters.committees}
            committees = tuple(name for name in named if not wanted or fold(name) in wanted)
            if not committees:
                return self._outside_filters(reading, filters, named, mode, sort)
        within = replace(filters, committees=committees)
        low, high = _intersect(filters, question_scope.date_from, question_scope.date_to)
        if low and high and low > high:
            return self._no_meeting(reading, within, within, k, mode, sort)
        scoped = within.with_dates(low, high)
        if not self._meetings_in(scoped):
            return self._no_meeting(reading, within, scoped, k, mode, sort)
        if reading.kind in ATTENDANCE_KINDS:
            return self._attendance(reading, scoped, note, k, mode, sort)
        return self._search(reading, scoped, note, k, mode, sort)

    def _make(
        self, reading: Reading, filters: Filters, note: str | None, mode: str, sort: str, **fields: object
    ) -> Answer:
        return Answer(
            question=reading.question,
            resolved_question=reading.resolved_question,
            filters=filters,
            scope_note=note,
            kind=reading.kind,
            topic=reading.topic,
            search_text=reading.search_text,
            mode=mode,
            sort=sort,
            **fields,  # type: ignore[arg-type]
        )

    # ------------------------------------------------------------------------------------------------ search

    def _retrieve(self, text: str, filters: Filters, mode: str, decision: bool) -> Retrieval:
        """Every matching item for `text` within `filters`, best first, with the query vector and ranks."""
        rows = None if filters.empty else self._rows_within(filters)
        query_vector = self.library.encode_query(text)
        depth = self.settings.candidate_depth
        dense = self.library.dense_search(query_vector, depth, rows) if mode != "keyword" else []
        keyword = self.library.keyword_search(text, depth, rows) if mode != "dense" else []
        fused = fuse(dense, keyword, mode=mode, k=self.settings.rrf_k, depth=depth)
        if decision:
            fused = sorted(
                ((row, score * (1 + self._decision_boost(row))) for row, score in fused),
                key=lambda pair: (-pair[1], pair[0]),
            )
        hits = collapse([(self.library.chunks[row], score) for row, score in fused])
        firsts: dict[tuple[str, tuple[str, str | None]], int] = {}
        for name, scored in (("dense", dense), ("keyword", keyword)):
            for row, _ in order_scored(scored):
                key = item_key(self.library.chunks[row])
                firsts.setdefault((name, key), row)
        return Retrieval(hits, query_vector, firsts)

    def _rows_within(self, filters: Filters) -> np.ndarray:
        """The rows of the passages `filters` admit: the passages of the meetings they admit, and of those only
        the ones of the item a filter names (every passage of an admitted meeting passes the committee and date
        tests, which cost ~0.1 ms a passage when a question names many committees)."""
        meetings = [m.meeting_id for m in self._meetings_in(filters)]
        rows = self.library.rows_of_meetings(meetings)
        if filters.item_number is None:
            return rows
        return self.library.rows_for(filters.matches, within=rows)

    def _answering_passage(self, hit: ItemHit, retrieval: Retrieval, reading: Reading) -> ItemHit:
        """The item's passage whose best sentence best answers the question, among its best fused passage,
        the next one, and the passages the dense and the keyword search each ranked first in the item: the
        fused order favours passages both like a little over one passage that states the answer."""
        key = item_key(hit.chunk)
        rows = [self.library.row_of(chunk.chunk_id) for chunk in (hit.chunk, *hit.related[:1])]
        rows += [retrieval.firsts[(name, key)] for name in ("dense", "keyword") if (name, key) in retrieval.firsts]
        candidates = [self.library.chunks[row] for row in dict.fromkeys(rows)]
        if len(candidates) == 1:
            return hit
        self._encode_sentences(candidates)
        scores = [self._scored_highlights(chunk, retrieval.query_vector, reading)[1] for chunk in candidates]
        chosen = candidates[max(range(len(candidates)), key=lambda n: (scores[n], -n))]
        if chosen is hit.chunk:
            return hit
        others = tuple(chunk for chunk in (hit.chunk, *hit.related) if chunk is not chosen)
        return ItemHit(chosen, hit.score, others)

    def _decision_in(self, row: int) -> int:
        """How plainly a passage records a decision: 2 for a resolution (a "Resolved:" line, or the text of one
        of its item's recorded decisions), 1 for a sentence saying something was agreed, approved or decided,
        0 for neither."""
        found = self._decision_rows.get(row)
        if found is None:
            chunk = self.library.chunks[row]
            item = self.library.meetings[chunk.meeting_id].item(chunk.item_number)
            flat = " ".join(chunk.text.split())
            recorded = any(" ".join(decision.split())[:80] in flat for decision in (item.decisions if item else ()))
            if recorded or RESOLUTION.search(chunk.text):
                found = 2
            else:
                found = 1 if DECISION_VERB.search(chunk.text) else 0
            self._decision_rows[row] = found
        return found

    def _decision_boost(self, row: int) -> float:
        strength = self._decision_in(row)
        if strength == 2:
            return DECISION_BOOST
        chunk = self.library.chunks[row]
        item = self.library.meetings[chunk.meeting_id].item(chunk.item_number)
        return ITEM_DECISION_BOOST if strength == 1 or (item is not None and item.decisions) else 0.0

    def _resolution_first(self, hit: ItemHit) -> ItemHit:
        """For "what was decided": show the item's matching passage that records its decision most plainly
        (the best-ranked of those), if any does."""
        chunks = (hit.chunk, *hit.related)
        strengths = [self._decision_in(self.library.row_of(chunk.chunk_id)) for chunk in chunks]
        chosen = chunks[max(range(len(chunks)), key=lambda n: (strengths[n], -n))]
        if chosen is hit.chunk:
            return hit
        return ItemHit(chosen, hit.score, tuple(chunk for chunk in chunks if chunk is not chosen))

    def _evidence(self, hit: ItemHit, query_vector: np.ndarray, topic_terms: list[str]) -> Evidence:
        chunks = (hit.chunk, *hit.related)
        rows = np.array(sorted(self.library.row_of(chunk.chunk_id) for chunk in chunks), dtype=np.int64)
        cosine = max((score for _, score in self.library.dense_search(query_vector, len(rows), rows)), default=0.0)
        terms = frozenset().union(*(self._chunk_terms(chunk) for chunk in chunks))
        return Evidence(float(cosine), self.stats.coverage(topic_terms, terms))

    def _chunk_terms(self, chunk: Chunk) -> frozenset[str]:
        terms = self._terms.get(chunk.chunk_id)
        if terms is None:
            terms = self._terms[chunk.chunk_id] = term_set(passage_text(chunk))
        return terms

    def _search(self, reading: Reading, scoped: Filters, note: str | None, k: int, mode: str, sort: str) -> Answer:
        retrieval = self._retrieve(reading.search_text, scoped, mode, reading.kind == "decision")
        hits, query_vector = retrieval.hits, retrieval.query_vector
        topic_terms = reading.topic_terms
        # A question with no topic of its own ("what was decided at the latest meeting?") asks about the
        # meeting it names: whatever that meeting holds answers it, however weakly it matches the words.
        about_scope = not topic_terms and not scoped.empty
        evidence = (
            () if about_scope else tuple(self._evidence(h, query_vector, topic_terms) for h in hits[:EVIDENCE_ITEMS])
        )
        strongest = best(list(evidence), self.coverage_weight)
        if not hits or not (about_scope or answers(strongest, self.threshold, self.coverage_weight)):
            closest = self._passages(hits[:CLOSEST], query_vector, reading)
            return self._make(
                reading,
                scoped,
                note,
                mode,
                sort,
                answer_line=NOT_FOUND,
                passages=(),
                abstained=True,
                closest=closest,
                evidence=evidence,
            )
        top = hits[:k]
        if reading.kind == "decision":
            top = [self._resolution_first(hit) for hit in top]
        else:
            top = [self._answering_passage(hit, retrieval, reading) if n < 3 else hit for n, hit in enumerate(top)]
        if sort == "date":
            top = sorted(top, key=lambda hit: hit.chunk.meeting_date, reverse=True)
        passages = self._passages(top, query_vector, reading)
        return self._make(
            reading,
            scoped,
            note,
            mode,
            sort,
            answer_line=answer_line(passages[0]),
            passages=passages,
            abstained=False,
            evidence=evidence,
        )

    def _passages(self, hits: Sequence[ItemHit], query_vector: np.ndarray, reading: Reading) -> tuple[Passage, ...]:
        self._encode_sentences([hit.chunk for hit in hits])
        return tuple(
            Passage(hit.chunk, hit.score, rank, self._highlights(hit.chunk, query_vector, reading), hit.related)
            for rank, hit in enumerate(hits, start=1)
        )

    def _highlights(self, chunk: Chunk, query_vector: np.ndarray, reading: Reading) -> tuple[Highlight, ...]:
        return self._scored_highlights(chunk, query_vector, reading)[0]

    def _scored_highlights(
        self, chunk: Chunk, query_vector: np.ndarray, reading: Reading
    ) -> tuple[tuple[Highlight, ...], float]:
        if reading.kind in ATTENDANCE_KINDS:
            spans = attendance_spans(chunk.text, reading.kind)
            if spans:
                return tuple(Highlight(start, end) for start, end in sorted(spans)), 1.0
        spans, vectors = self._sentence_vectors(chunk)
        terms = reading.topic_terms or list(term_set(reading.search_text))
        return scored_highlight(
            chunk.text,
            spans,
            vectors,
            query_vector,
            terms,
            decision=reading.kind == "decision",
            number=NUMBER_QUESTION.search(reading.search_text) is not None,
        )

    def _encode_sentences(self, chunks: Sequence[Chunk]) -> None:
        """Take the sentence vectors of passages not seen before from the library, which stores them; split and
        embed, in one batch, those of a library written before it did (or of a passage it holds none for)."""
        todo = []
        for chunk in dict.fromkeys(chunks):
            if chunk.chunk_id in self._sentences:
                continue
            stored = self.library.sentences(self.library.row_of(chunk.chunk_id))
            if stored is not None and (stored[0] or not split_sentences(chunk.text)):
                self._sentences[chunk.chunk_id] = stored
            else:
                todo.append(chunk)
        spans = [split_sentences(chunk.text) for chunk in todo]
        texts = [chunk.text[start:end] for chunk, found in zip(todo, spans, strict=True) for start, end in found]
        vectors = self.library.encoder.encode(texts) if texts else np.zeros((0, 1), dtype=np.float32)
        offset = 0
        for chunk, found in zip(todo, spans, strict=True):
            self._sentences[chunk.chunk_id] = (found, vectors[offset : offset + len(found)])
            offset += len(found)
        while len(self._sentences) > SENTENCE_CACHE:
            self._sentences.popitem(last=False)

    def _sentence_vectors(self, chunk: Chunk) -> tuple[list[tuple[int, int]], np.ndarray]:
        if chunk.chunk_id not in self._sentences:
            self._encode_sentences([chunk])
        self._sentences.move_to_end(chunk.chunk_id)
        return self._sentences[chunk.chunk_id]

    # ------------------------------------------------------------------------------------------------ scope

    def _meetings_in(self, filters: Filters) -> list[Meeting]:
        """The meetings a filter admits, newest first (ties by id)."""
        found = [m for m in self.library.meetings.values() if filters.matches_meeting(m.committee, m.meeting_date)]
        if filters.item_number is not None:
            found = [m for m in found if m.item(filters.item_number) is not None]
        return sorted(found, key=lambda m: (-m.meeting_date.toordinal(), m.meeting_id))

    def _no_meeting(self, reading: Reading, filters: Filters, scoped: Filters, k: int, mode: str, sort: str) -> Answer:
        """The question's scope matches no meeting: say so and what the library holds, unless its date was the
        subject rather than the meeting (a date the minutes mention, or one they plan for)."""
        scope = reading.scope
        holdings_filter = Filters(committees=filters.committees)
        dates = [m.meeting_date for m in self._meetings_in(holdings_filter)]
        who = f"{' or '.join(filters.committees)} " if filters.committees else ""
        if scope is not None:
            when = (
                scope.label
                if scope.label.startswith(("since", "the "))
                else (f"on {scope.label}" if scope.exact else f"in {scope.label}")
            )
            message = f"This library has no {who}meeting {when}; {describe_holdings(dates, scope)}."
        else:
            message = f"This library has no meeting matching {scoped.describe()}."
        unscoped = replace(reading, scope=None, inherited_dates=None)
        if scope is not None:
            # "Where will the board meet on 22 September?" asks what the minutes before that day planned.
            ahead = bool(dates) and scope.date_from is not None and scope.date_from > max(dates)
            planned = ahead and FUTURE.search(reading.question) is not None
            if planned:
                dated_text = strip_mentions(reading.question, reading.bodies.mentions if reading.bodies else ())
                unscoped = replace(unscoped, kind="search", search_text=dated_text)
            if planned or reading.kind not in ATTENDANCE_KINDS:
                # "How many care proceedings were completed in 2023?" names the year the minutes talk about,
                # and "the recommendation from the 30 July 2024 meeting" a meeting they mention: if the best
                # passage found without the date names it too, that is the answer.
                wider = self._search(unscoped, filters, None, k, mode, sort)
                if not wider.abstained and (planned or _mentions(wider.passages[0].chunk.text, scope.label)):
                    shown = "what the earlier minutes say about" if planned else "passages that mention"
                    return replace(wider, scope_note=f"{message} Showing {shown} {scope.label}.")
        retrieval = self._retrieve(reading.search_text, filters, mode, reading.kind == "decision")
        closest = self._passages(retrieval.hits[:CLOSEST], retrieval.query_vector, unscoped)
        return self._make(
            reading,
            scoped,
            message,
            mode,
            sort,
            answer_line=f"Not found: {message}",
            passages=(),
            abstained=True,
            closest=closest,
        )

    def _not_held(self, reading: Reading, filters: Filters, body: str, mode: str, sort: str) -> Answer:
        """The question names a body the library holds no minutes of, and its minutes never mention."""
        message = f"This library has no minutes of {body}; it holds: {self.names.holdings()}."
        return self._make(
            reading, filters, message, mode, sort, answer_line=f"Not found: {message}", passages=(), abstained=True
        )

    def _outside_filters(
        self, reading: Reading, filters: Filters, named: tuple[str, ...], mode: str, sort: str
    ) -> Answer:
        """The question names a committee the filters leave out."""
        message = f"The question asks about {' or '.join(named)}, which the filters ({filters.describe()}) leave out."
        return self._make(
            reading, filters, message, mode, sort, answer_line=f"Not found: {message}", passages=(), abstained=True
        )

    # ------------------------------------------------------------------------------------------------ meetings

    def _attendance(self, reading: Reading, scoped: Filters, note: str | None, k: int, mode: str, sort: str) -> Answer:
        """Who attended, sent apologies or chaired: the attendance record of the meeting(s) asked about."""
        kind = reading.kind
        meetings = self._meetings_in(scoped)
        topic_terms = reading.topic_terms
        if topic_terms:
            # A name or role ("did Liz Harvey attend?", "which police officer attended?") is in the attendance
            # record; anything else ("who chairs the Improvement Board?") is a question about the minutes.
            record_coverage = {
                m.meeting_id: self.stats.coverage(
                    topic_terms,
                    frozenset().union(*(self._chunk_terms(c) for c in self._record_chunks(m, kind))),
                )
                for m in meetings
            }
            if max(record_coverage.values(), default=0.0) < RECORD_COVERAGE:
                # then its cue words are part of what it asks about ("what was pupil attendance?")
                topic = reading.topic if reading.follow_up else topic_of(reading.search_text, cues=True)
                return self._search(replace(reading, kind="search", topic=topic), scoped, note, k, mode, sort)
            meetings = sorted(meetings, key=lambda m: -record_coverage[m.meeting_id])
        query_vector = self.library.encode_query(reading.search_text)
        passages: list[Passage] = []
        for meeting in meetings:
            if len(passages) >= k:  # only the first k are shown: a library of 1,000 meetings need not be read
                break
            for chunk, related in self._record_items(meeting, kind):
                highlights = self._highlights(chunk, query_vector, reading)
                passages.append(Passage(chunk, 1.0, len(passages) + 1, highlights, related))
        passages = passages[:k]
        if sort == "date":
            passages = sorted(passages, key=lambda p: p.chunk.meeting_date, reverse=True)
        passages = [replace(p, rank=n) for n, p in enumerate(passages, start=1)]
        if not passages:
            return self._make(reading, scoped, note, mode, sort, answer_line=NOT_FOUND, passages=(), abstained=True)
        return self._make(
            reading,
            scoped,
            note,
            mode,
            sort,
            answer_line=answer_line(passages[0]),
            passages=tuple(passages),
            abstained=False,
        )

    def _record_chunks(self, meeting: Meeting, kind: str) -> list[Chunk]:
        """The passages of a meeting that can hold its attendance record for `kind` (kept: a question with no
        scope reads every meeting's, ~0.5 s at 100,000 passages the first time)."""
        key = (meeting.meeting_id, kind)
        found = self._records.get(key)
        if found is None:
            rows = self.library.rows_for(
                lambda c: holds_attendance(c, kind), within=self.library.rows_of_meetings([meeting.meeting_id])
            )
            found = self._records[key] = [self.library.chunks[row] for row in rows]
        return found

    def _record_items(self, meeting: Meeting, kind: str) -> list[tuple[Chunk, tuple[Chunk, ...]]]:
        """The items holding a meeting's attendance record for `kind`, each as (best passage, other passages):
        for apologies an apologies item before the preamble; items that say nothing on it are left out
        unless none says anything."""
        items: dict[str | None, list[Chunk]] = {}
        for chunk in self._record_chunks(meeting, kind):
            items.setdefault(chunk.item_number, []).append(chunk)
        found = []
        for number, chunks in items.items():
            answering = [c for c in chunks if attendance_spans(c.text, kind)]
            if answering:
                chosen = answering[0]
                found.append((number is None, chosen, tuple(c for c in chunks if c is not chosen)))
        if not found and None in items:
            chunks = items[None]
            found.append((True, chunks[0], tuple(chunks[1:])))
        # apologies: the item of that name first; other kinds: the preamble first
        found.sort(key=lambda entry: entry[0] if kind == "apologies" else not entry[0])
        return [(chunk, related) for _, chunk, related in found]


def _scope_words(committees: Sequence[str], when: str | None) -> str:
    """A scope in words: "Milburn Parish Council, March 2017"; "" for none."""
    return ", ".join([*([" or ".join(committees)] if committees else []), *([when] if when else [])])


def _mentions(text: str, label: str) -> bool:
    """Whether a passage names a date range's label ("2023", "March 2018") in its own words."""
    return re.search(rf"\b{re.escape(label)}\b", text, re.IGNORECASE) is not None
