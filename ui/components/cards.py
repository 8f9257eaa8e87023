"""A passage card: citation header, the passage with its answering sentences marked, and its actions."""

from __future__ import annotations

from typing import Any

import streamlit as st

from ui.components import state
from ui.components.briefing import BriefingEntry
from ui.components.render import card_header, header_html, passage_html


def render_card(passage: Any, key: str) -> None:
    """One result. `passage` is an `assistant.Passage`; `key` makes its buttons' keys unique on the page."""
    chunk = passage.chunk
    spans = [(h.start, h.end) for h in passage.highlights]
    with st.container(border=True):
        st.markdown(header_html(card_header(chunk), level=5), unsafe_allow_html=True)
        st.markdown(passage_html(chunk.text, spans), unsafe_allow_html=True)
        if passage.related:
            more = len(passage.related)
            st.caption(f"{more} more matching passage{'s' if more != 1 else ''} in this item.")
        citation = passage.citation()
        open_col, brief_col, copy_col = st.columns(3)
        open_col.button(
            "Open the whole item",
            key=f"open-{key}",
            icon=":material/article:",
            on_click=state.open_meeting,
            args=(chunk.meeting_id, chunk.item_number, chunk.chunk_id),
            width="stretch",
        )
        added = state.in_briefing(chunk.chunk_id)
        brief_col.button(
            "In the briefing" if added else "Add to briefing",
            key=f"brief-{key}",
            icon=":material/check:" if added else ":material/playlist_add:",
            disabled=added,
            on_click=state.add_to_briefing,
            args=(BriefingEntry.from_passage(chunk, citation),),
            width="stretch",
        )
        with copy_col.popover("Copy citation", icon=":material/content_copy:", width="stretch"):
            st.code(citation, language=None, wrap_lines=True)
