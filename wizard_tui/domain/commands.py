"""How to run the wizard again, written as the person would type it in the shell that started it.

A hint such as "continue with --resume" helps only if the command around it works where it is
pasted: `make run ARGS=--resume` after `make run`, the bare `wizard-tui` when that name is on
the PATH (installed with `pipx` or `uv tool`), `.venv/bin/wizard-tui` or `python3 -m wizard_tui`
otherwise. `Invocation.detect` reads how this process was started; `again` writes the command.
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from wizard_tui.domain.printable import printable

PROGRAM = "wizard-tui"
# Set by the Makefile's `run` target: "default" (SAMPLE not given) or "sample" (SAMPLE=... given).
MAKE_ENV = "WIZARD_TUI_MAKE_RUN"
# Flags that choose what happens to an earlier run; a hint replaces them with its own.
RUN_CHOICE_FLAGS = frozenset({"--resume", "--fresh"})
# The words that name a command other than a run (wizard_tui/cli dispatches on them).
SUBCOMMANDS = frozenset({"watch", "detect", "apply", "revert"})


@dataclass(frozen=True)
class Invocation:
    """The words that start the program, the arguments given after them, and whether make did it."""

    program: tuple[str, ...] = (PROGRAM,)
    args: tuple[str, ...] = ()
    make: str | None = None  # None, "default" or "sample" (see MAKE_ENV)
    path: str | None = None  # the project folder as typed, once the command line is parsed

    @classmethod
    def detect(
        cls,
        argv: Sequence[str],
        *,
        executable: str,
        env: Mapping[str, str],
        cwd: str,
        which: Callable[[str], str | None] | None = None,
    ) -> Invocation:
        """From `sys.argv`, `sys.executable`, the environment and the working directory."""
        if which is None:
            import shutil  # only here: shutil pulls in compression modules that --help never needs

            which = shutil.which
        args = tuple(argv[1:])
        make = env.get(MAKE_ENV)
        if make in ("default", "sample") and args:
            return cls(program=("make", "run"), args=args, make=make)
        argv0 = argv[0] if argv else ""
        name = os.path.basename(argv0)
        if name == "__main__.py":  # python -m wizard_tui
            python = _as_typed(executable, ("python3", "python"), cwd, which)
            return cls(program=(python, "-m", "wizard_tui"), args=args)
        if not argv0 or argv0 == "-c" or not os.path.isfile(os.path.join(cwd, argv0)):
            return cls(args=args)
        return cls(program=(_as_typed(argv0, (name,), cwd, which),), args=args)

    def again(self, flag: str | None = None) -> str:
        """This command once more, with `flag` in place of any --resume/--fresh given; shell-quoted."""
        args = [a for a in self.args if a not in RUN_CHOICE_FLAGS]
        if self.make is None:
            return shell_join([*self.program, *args, *([flag] if flag else [])])
        # The Makefile runs `wizard-tui $(SAMPLE) $(ARGS)`: the first argument is the sample.
        sample, options = args[0], [*args[1:], *([flag] if flag else [])]
        words = ["make", "run"]
        if self.make == "sample":
            words.append(f"SAMPLE={shlex.quote(sample)}")
        if options:
            words.append(f"ARGS={shlex.quote(' '.join(options))}")
        return " ".join(words)

    def sub(self, command: str, path: str) -> str:
        """The `apply` or `revert` command for `path` in this shell: `make apply` after `make run`."""
        if self.make is None:
            return shell_join([*self.program, command, self.path or path])
        # The Makefile's apply and revert targets take the same SAMPLE as its run target.
        words = ["make", command]
        if self.make == "sample" and self.args:
            sample = self.args[1] if self.args[0] in SUBCOMMANDS and len(self.args) > 1 else self.args[0]
            words.append(f"SAMPLE={shlex.quote(sample)}")
        return " ".join(words)

    def on(self, path: str, flag: str | None = None) -> str:
        """The program run on `path` with `flag` (for a hint printed by another command, e.g. watch)."""
        program = self.program if self.make is None else (PROGRAM,)
        return shell_join([*program, path, *([flag] if flag else [])])


def shell_join(words: Sequence[str]) -> str:
    """Words as one shell command line that types them back exactly, and shows no control character.

    `shlex.quote` keeps a word as it is inside quotes, so a path with a control character or
    bytes that are not UTF-8 would be printed escaped (by `printable`) and then not name the
    folder. Such a word is written in ANSI-C quotes instead (`$'\\xff'`, read by bash, zsh and
    ksh), which hold only printable ASCII; other words as shlex quotes them.
    """
    return " ".join(shlex.quote(w) if printable(w) == w else _ansi_c_quote(w) for w in words)


def _ansi_c_quote(word: str) -> str:
    try:
        data = os.fsencode(word)  # a byte that was not UTF-8 comes back as that byte
    except UnicodeEncodeError:  # a lone surrogate no file name made: shown, not typed back
        data = word.encode("utf-8", errors="backslashreplace")
    out = []
    for byte in data:
        char = chr(byte)
        if char in "\\'":
            out.append("\\" + char)
        elif 0x20 <= byte < 0x7F:
            out.append(char)
        else:
            out.append(f"\\x{byte:02x}")
    return "$'" + "".join(out) + "'"


def _as_typed(path: str, names: Sequence[str], cwd: str, which: Callable[[str], str | None]) -> str:
    """A bare name when the PATH finds this very file under it, else the path, relative to `cwd` if inside."""
    absolute = os.path.normpath(os.path.join(cwd, path))
    for name in names:
        found = which(name)
        if found and os.path.normpath(os.path.join(cwd, found)) == absolute:
            return name
    if not os.path.isabs(path):
        return path
    relative = os.path.relpath(absolute, cwd)
    if relative.startswith(".."):
        return absolute
    # A word without a slash is looked up on the PATH: keep it a path.
    return relative if os.sep in relative else os.path.join(".", relative)
