"""The conversation: typed events in, typed turns out, rendered replies and button actions."""
