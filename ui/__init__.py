"""Front ends: the `minutebook` command line and the Streamlit page."""
