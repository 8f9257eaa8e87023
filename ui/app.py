"""The minutebook page: `streamlit run ui/app.py` (or `minutebook ui`). Layout only; the parts live in
`ui/components/`. The library comes from MINUTEBOOK_LIBRARY (or the user's data directory)."""

from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # the model ships in a package; nothing may reach a model hub
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import streamlit as st  # noqa: E402

from index.errors import LibraryError  # noqa: E402
from ui.components import loading, state  # noqa: E402
from ui.components.briefing_tab import render_briefing  # noqa: E402
from ui.components.chat import render_conversation  # noqa: E402
from ui.components.meeting_view import render_meeting  # noqa: E402
from ui.components.sidebar import render_filters, render_library  # noqa: E402
from ui.components.style import PAGE_CSS  # noqa: E402
from ui.components.upload_tab import render_upload  # noqa: E402

st.set_page_config(page_title="minutebook", page_icon=":material/menu_book:", layout="wide")
st.html(PAGE_CSS)
state.init()
try:
    settings = loading.page_settings()
except ValueError as error:  # a bad MINUTEBOOK_* variable: the same line the commands print
    st.error(str(error))
    st.stop()

try:
    loaded = loading.load(settings)
except LibraryError as error:
    st.error(f"The library at {settings.library} cannot be opened: {error}")
    st.stop()
library = loaded.library if loaded is not None else None

with st.sidebar:
    options = render_filters(library)
    render_library(library)

meeting_id = st.query_params.get("meeting")
if meeting_id:
    render_meeting(library, meeting_id, st.query_params.get("item"), st.query_params.get("chunk"))
else:
    st.title("minutebook")
    ask_tab, briefing_tab, add_tab = st.tabs(["Ask", "Briefing", "Add minutes"])
    with ask_tab:
        if loaded is None:
            st.info(
                "The library is empty. Add minutes in the **Add minutes** tab, or run "
                "`minutebook ingest FOLDER_OF_MINUTES` and reload this page."
            )
        if state.turns():
            st.button("New conversation", key="clear", on_click=state.clear_conversation, type="tertiary")
        render_conversation(loaded, options.filters, options.k, options.sort, disabled=loaded is None)
    with briefing_tab:
        render_briefing()
    with add_tab:
        render_upload(settings)
