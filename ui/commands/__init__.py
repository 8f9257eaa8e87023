"""One module per `minutebook` sub-command family; `ui.cli` registers them on the one click group."""
