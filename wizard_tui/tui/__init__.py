"""The Textual app: a live task tree, a handoff viewer and an event log fed from the run dir."""
