"""The Briefing tab: collected passages to reorder, annotate or drop, and the Markdown and Word exports."""

from __future__ import annotations

import streamlit as st

from ui.components import briefing, state
from ui.components.render import block, escape_text, header_html

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def render_briefing() -> None:
    entries = state.entries()
    if not entries:
        st.info("Nothing collected yet. Use **Add to briefing** on any passage in an answer.")
        return
    st.caption(f"{len(entries)} passage{'s' if len(entries) != 1 else ''}, in the order they will be exported.")
    markdown_col, word_col, _ = st.columns([1, 1, 2])
    markdown_col.download_button(
        "Export as Markdown",
        briefing.to_markdown(entries),
        file_name="briefing.md",
        mime="text/markdown",
        icon=":material/download:",
        key="export-md",
        on_click="ignore",
    )
    word_col.download_button(
        "Export as Word",
        briefing.to_docx(entries),
        file_name="briefing.docx",
        mime=DOCX_MIME,
        icon=":material/download:",
        key="export-docx",
        on_click="ignore",
    )
    for index, entry in enumerate(entries):
        with st.container(border=True):
            st.markdown(header_html(f"{index + 1}. {entry.citation}", level=5), unsafe_allow_html=True)
            st.markdown(block(escape_text(entry.text), "passage"), unsafe_allow_html=True)
            note_key = f"note-{entry.chunk_id}"
            st.text_area(
                "Note",
                value=entry.note,
                key=note_key,
                placeholder="Why this matters for the briefing (optional)",
                on_change=state.save_note,
                args=(index, note_key),
                height=68,
            )
            up, down, remove, open_item, _ = st.columns([1, 1, 1, 2, 2])
            up.button(
                "Up",
                key=f"up-{entry.chunk_id}",
                icon=":material/arrow_upward:",
                disabled=index == 0,
                on_click=state.move_in_briefing,
                args=(index, -1),
            )
            down.button(
                "Down",
                key=f"down-{entry.chunk_id}",
                icon=":material/arrow_downward:",
                disabled=index == len(entries) - 1,
                on_click=state.move_in_briefing,
                args=(index, 1),
            )
            remove.button(
                "Remove",
                key=f"remove-{entry.chunk_id}",
                icon=":material/delete:",
                on_click=state.remove_from_briefing,
                args=(index,),
            )
            open_item.button(
                "Open the whole item",
                key=f"open-briefing-{entry.chunk_id}",
                icon=":material/article:",
                on_click=state.open_meeting,
                args=(entry.meeting_id, entry.item_number, entry.chunk_id),
            )
