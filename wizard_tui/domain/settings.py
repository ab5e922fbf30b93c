"""One place for the run's fixed facts: exit codes, limits, timeouts, token counters, run-dir names.

Every module that needs one of these imports it from here; none keeps its own copy.
"""

from __future__ import annotations

# Exit codes of every command (README, "Command line").
EXIT_OK = 0  # every required task done
EXIT_FAILED = 1  # the run finished with failed or blocked tasks
EXIT_USAGE = 2  # bad usage or input: one sentence on stderr
EXIT_INTERRUPTED = 130  # Ctrl-C / SIGTERM; continue with --resume

# The token counters every backend reports per agent, summed per run.
USAGE_KEYS = ("input_tokens", "output_tokens", "cache_read_input_tokens", "cache_creation_input_tokens")

# The run's model when `--model` is not given: agents whose prompt names no model run on it,
# and no agent runs on a model that costs more per token (see claude_models.capped).
DEFAULT_MODEL = "claude-sonnet-4-6"

# What one tool call may ask for (the tools' input models in domain/tools.py).
MAX_GLOB_CHARS = 500  # a glob pattern
MAX_LIST = 2_000  # list_files results
MAX_MATCHES = 500  # search_files matches
MAX_READ_LINES = 2_000  # read_file lines per call
DEFAULT_READ_LINES = 400

# Queue and agent limits (README, "How it works").
MAX_TASKS = 30  # the queue-full guard's default cap
MAX_DEPTH = 3  # dynamic chains at most this deep
MAX_FAN_OUT = 5  # follow-ups one task may enqueue
MAX_STARTS = 200  # backstop on task starts per run
MAX_ATTEMPTS = 2  # one retry
AGENT_TIMEOUT_S = 300.0  # wall clock per agent

# Model API time limits: one stuck request must not eat an agent's whole budget, and a wrong
# endpoint must fail before the run starts (the whole check well within 15 s).
REQUEST_TIMEOUT_S = 90.0  # one Messages API request of up to 4,096 output tokens; more tokens, longer
CONNECT_TIMEOUT_S = 5.0
PREFLIGHT_TIMEOUT_S = 10.0
MAX_CONCURRENCY = 32
MAX_TASK_CAP = 100_000  # the most --max-tasks may allow
MAX_PACE_MS = 60_000  # the slowest --pace

# The offline agent's pace in the interactive UI (ms per agent turn); --no-ui runs unpaced.
INTERACTIVE_PACE_MS = 150

# The run dir, `<install dir>/.posthog-wizard/`, and the names in it (README, "What it writes").
RUN_DIR_NAME = ".posthog-wizard"
QUEUE_FILE = "queue.json"
AUDIT_FILE = "audit.jsonl"
TELEMETRY_FILE = "telemetry.jsonl"
INSTALL_INTENT_FILE = "install-intent.json"
HANDOFFS_DIR = "handoffs"
MARKERS_DIR = "markers"
PREVIOUS_DIR = "previous"
ORPHANS_DIR = "orphans"
LOCK_NAME = ".lock"
CHANGES_PATCH_FILE = "changes.patch"
REPORT_FILE = "posthog-setup-report.md"
