"""Assistant: question → ranked, cited, highlighted passages, or an honest "not found"."""
