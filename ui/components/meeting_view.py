"""The meeting view: a meeting's full text, item by item, with the cited passage marked and scrolled to."""

from __future__ import annotations

import html
import json
from typing import Any

import streamlit as st

from ui.components import state
from ui.components.render import block, escape_text, header_html, item_heading, long_date, marked_html
from ui.components.sidebar import label_text

PASSAGE_ANCHOR = "cited-passage"

# Our own script; its only input is an element id we made (JSON-quoted): scroll to it once Streamlit drew it.
_SCROLL_SCRIPT = """
<script>
(function () {
  let tries = 0;
  const scroll = () => {
    const target = document.getElementById(TARGET);
    if (target) { target.scrollIntoView({block: "center"}); }
    else if (tries++ < 40) { setTimeout(scroll, 100); }
  };
  scroll();
})();
</script>
"""


def scroll_script(element_id: str) -> str:
    return _SCROLL_SCRIPT.replace("TARGET", json.dumps(element_id))


def item_anchor(number: str | None) -> str:
    if number is None:
        return "preamble"
    return "item-" + "-".join("".join(c if c.isalnum() else " " for c in number.lower()).split())


def _people(label: str, names: tuple[str, ...] | list[str]) -> str:
    return f"<strong>{html.escape(label)}:</strong> {html.escape(', '.join(names))}" if names else ""


def render_meeting(library: Any, meeting_id: str, item_number: str | None, chunk_id: str | None) -> None:
    """Draw the meeting `meeting_id`; `chunk_id` (a passage of it) is marked and scrolled to."""
    st.button("Back to the conversation", icon=":material/arrow_back:", on_click=state.close_meeting, key="back")
    meeting = library.meetings.get(meeting_id) if library is not None else None
    if meeting is None:
        st.warning("That meeting is not in the library (it may have been removed).")
        st.text(meeting_id)
        return
    chunk = None
    if chunk_id:
        try:
            chunk = library.chunk_by_id(chunk_id)
        except KeyError:
            chunk = None
        if chunk is not None and chunk.meeting_id != meeting.meeting_id:
            chunk = None
    if chunk is not None:
        item_number = chunk.item_number
    st.markdown(header_html(meeting.committee, level=2), unsafe_allow_html=True)
    details = [long_date(meeting.meeting_date)]
    details += [part for part in (meeting.time, meeting.venue) if part]
    st.markdown(block(html.escape(" · ".join(details)), "meeting-details"), unsafe_allow_html=True)
    people = [
        _people("Chair", [meeting.chair] if meeting.chair else []),
        _people("Present", meeting.present),
        _people("Apologies", meeting.apologies),
    ]
    people = [line for line in people if line]
    if people:
        st.markdown(block("<br>".join(people), "attendance"), unsafe_allow_html=True)
    source = meeting.source.replace("\\", "/").rsplit("/", 1)[-1]
    pages = f", {len(meeting.pages)} pages" if meeting.pages else ""
    st.caption(f"Source: {label_text(source)} ({meeting.format}{pages})")
    for item in meeting.items:
        anchor = item_anchor(item.number)
        st.markdown(header_html(item_heading(item.number, item.title), level=4, anchor=anchor), unsafe_allow_html=True)
        text = meeting.item_text(item)
        if chunk is not None and item.start <= chunk.start and chunk.end <= item.end:
            span = (chunk.start - item.start, chunk.end - item.start)
            body = marked_html(text, [span], mark_id=PASSAGE_ANCHOR)
        else:
            body = escape_text(text)
        selected = item.number == item_number and item_number is not None
        st.markdown(block(body, "item-text selected" if selected else "item-text"), unsafe_allow_html=True)
    if chunk is not None:
        st.html(scroll_script(PASSAGE_ANCHOR), unsafe_allow_javascript=True)
    elif item_number is not None and meeting.item(item_number) is not None:
        st.html(scroll_script(item_anchor(item_number)), unsafe_allow_javascript=True)
