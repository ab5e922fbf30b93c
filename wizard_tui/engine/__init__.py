"""The engine: a run's wiring, its executor, the agents' tools and the run dir's lifecycle.

Above the domain, agents, detection and telemetry; below the faces (headless, TUI, CLI).
"""
