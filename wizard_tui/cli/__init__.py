"""Command line: `wizard-tui PATH [options]`, `wizard-tui watch PATH`, `wizard-tui detect PATH`,
`wizard-tui apply PATH`, `wizard-tui revert PATH`.

`commands.main` picks the command by its first word (`parsers.py` says why not subparsers or
click) and runs it; `ask.py` is the question about an unfinished run.

Imports stay lazy: `--no-ui` and `detect` never load Textual, and `--help` loads nothing heavy
(not even asyncio: bench/bench_startup.py holds `--help` to 4x `python -c pass`).
"""

from wizard_tui.cli.commands import choose_backend, main

__all__ = ["choose_backend", "main"]
