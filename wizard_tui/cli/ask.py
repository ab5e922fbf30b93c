"""The question a plain run asks when an unfinished run is in the folder: continue, start over, or quit."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from wizard_tui.domain.settings import RUN_DIR_NAME

if TYPE_CHECKING:  # type names only: importing the models at run time would slow --help
    from wizard_tui.domain.models import QueueFile


def can_ask() -> bool:
    """A person is at the keyboard: the question goes to stderr, the answer comes from stdin."""
    return sys.stdin.isatty() and sys.stderr.isatty()


def ask_about(queue: QueueFile, install_dir: Path) -> str | None:
    """Ask whether to continue an unfinished run: "resume", "fresh", or None to do nothing."""
    from wizard_tui.domain.printable import printable

    finished = sum(1 for t in queue.tasks if t.status.terminal)
    where = install_dir / RUN_DIR_NAME
    sys.stderr.write(
        printable(f"An unfinished run ({queue.run_id}, {finished} of {len(queue.tasks)} tasks finished) is in {where}.")
        + "\n"
    )
    while True:
        sys.stderr.write("Continue it? [Y]es / [n]o, start over (the old run is kept under previous/) / [q]uit: ")
        sys.stderr.flush()
        try:
            answer = sys.stdin.readline()
        except KeyboardInterrupt:
            answer = ""
        if not answer:  # end of input or Ctrl-C: do nothing
            sys.stderr.write("\n")
            return None
        word = answer.strip().lower()
        if word in ("", "y", "yes"):
            return "resume"
        if word in ("n", "no"):
            return "fresh"
        if word in ("q", "quit"):
            return None
