"""wizard-tui: a task-queue orchestrator of LLM agents, with a terminal UI."""

__version__ = "0.1.0"
