"""The sidebar: search filters, and the library's meetings by committee and date, with counts."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

import streamlit as st

from ui.components import state
from ui.components.render import short_date

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~:$])")


def label_text(text: str) -> str:
    """File text made safe for a widget label, which Streamlit reads as Markdown: specials backslash-escaped."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(text.split()))


@dataclass(frozen=True)
class SearchOptions:
    filters: Any  # assistant.Filters
    k: int
    sort: str


def render_filters(library: Any) -> SearchOptions:
    """Committee, meeting dates, number of results and order; the full date range means "no date filter"."""
    from assistant.records import Filters

    st.header("Filters")
    committees = library.committees() if library is not None else []
    chosen = st.multiselect("Committee", committees, placeholder="All committees", key="filter_committees")
    dates = sorted(meeting.meeting_date for meeting in library.meetings.values()) if library is not None else []
    date_from: date | None = None
    date_to: date | None = None
    if dates:
        first, last = dates[0], dates[-1]
        picked = st.date_input(
            "Meeting dates",
            value=(first, last),
            min_value=first,
            max_value=last,
            format="DD/MM/YYYY",
            # A new key when the library's span changes (minutes added), so the widget starts at the full span.
            key=f"filter_dates-{first}-{last}",
        )
        if isinstance(picked, tuple | list) and len(picked) == 2:
            date_from = picked[0] if picked[0] != first else None
            date_to = picked[1] if picked[1] != last else None
        elif isinstance(picked, tuple | list) and len(picked) == 1:  # half-picked range: from that day on
            date_from = picked[0]
    k = st.slider("Number of results", min_value=1, max_value=10, value=5, key="filter_k")
    sort = st.radio(
        "Order",
        ("relevance", "date"),
        format_func=lambda s: "Best match" if s == "relevance" else "Newest first",
        horizontal=True,
        key="filter_sort",
    )
    return SearchOptions(Filters(committees=tuple(chosen), date_from=date_from, date_to=date_to), k, str(sort))


# Up to this many meetings the sidebar lists them all, a committee to an expander; above it, one committee's at
# a time, picked from a list: Streamlit sends every widget to the browser on every rerun, and 1,480 meeting
# buttons (a 100,000-passage library) made each answer take ~1 s to appear in the browser.
LIST_ALL_MEETINGS = 60


def render_library(library: Any) -> None:
    """Meetings grouped by committee, newest first, each opening the meeting view."""
    st.header("Library")
    if library is None:
        st.caption("No minutes yet.")
        return
    meetings = list(library.meetings.values())
    by_committee: dict[str, list[Any]] = defaultdict(list)
    for meeting in meetings:
        by_committee[meeting.committee].append(meeting)
    st.caption(
        f"{len(meetings)} meeting{'s' if len(meetings) != 1 else ''} · {len(by_committee)} "
        f"committee{'s' if len(by_committee) != 1 else ''} · {len(library.chunks)} passages"
    )
    committees = sorted(by_committee, key=str.casefold)
    if len(meetings) <= LIST_ALL_MEETINGS:
        for committee in committees:
            group = by_committee[committee]
            with st.expander(f"{label_text(committee)} ({len(group)})", expanded=len(by_committee) == 1):
                _meeting_buttons(library, group)
        return
    chosen = st.selectbox(
        "Meetings of",
        committees,
        format_func=lambda committee: f"{committee} ({len(by_committee[committee])})",
        key="library_committee",
    )
    if chosen is not None:
        _meeting_buttons(library, by_committee[chosen])


def _meeting_buttons(library: Any, group: list[Any]) -> None:
    """A button per meeting, newest first: date, items, passages."""
    for meeting in sorted(group, key=lambda m: m.meeting_date, reverse=True):
        items = sum(1 for item in meeting.items if item.number is not None)
        passages = len(library.rows_of_meetings([meeting.meeting_id]))
        st.button(
            f"{short_date(meeting.meeting_date)} · {items} items · {passages} passages",
            key=f"meeting-{meeting.meeting_id}",
            on_click=state.open_meeting,
            args=(meeting.meeting_id,),
            type="tertiary",
        )
