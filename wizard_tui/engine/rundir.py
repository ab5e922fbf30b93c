"""The run dir's lifecycle on disk: checking the install dir, archiving and tidying runs.

Pure file-system housekeeping with one error type, `RunSetupError`, whose message is the
one sentence a person sees (exit 2).
"""

from __future__ import annotations

from pathlib import Path

from wizard_tui.domain import nofollow
from wizard_tui.domain.clock import Clock, random_ids
from wizard_tui.domain.models import QueueFile
from wizard_tui.domain.persistence import RunPaths
from wizard_tui.domain.printable import path_text, printable


class RunSetupError(Exception):
    """The run cannot start (bad install dir, unfinished previous run, corrupt queue): exit 2."""


def new_run_id(clock: Clock) -> str:
    return f"{clock.now():%Y%m%d-%H%M%S}-{random_ids('r')[2:]}"


def check_install_dir(path: Path) -> Path:
    """The install dir must exist, be a directory and be readable; else one sentence."""
    if not path.exists():
        raise RunSetupError(f"{path} does not exist; pass the folder of the project to set up.")
    if not path.is_dir():
        raise RunSetupError(f"{path} is a file, not a folder; pass the project's folder.")
    try:
        next(iter(path.iterdir()), None)
    except PermissionError as exc:
        raise RunSetupError(f"{path} cannot be read (permission denied).") from exc
    except OSError as exc:
        raise RunSetupError(f"{path} cannot be read ({exc.strerror}).") from exc
    return path.resolve()


def archive_previous(paths: RunPaths, run_id: str) -> Path | None:
    """Move the files of a previous run to `previous/<run-id>/`; nothing is deleted."""
    # queue.json goes last: while it is still in place, a start after a kill mid-move knows the
    # run and finishes the move into the same folder.
    files = sorted(paths.run_files(), key=lambda p: p == paths.queue)
    if not files:
        return None
    target = paths.previous / run_id
    n = 1
    while nofollow.lexists(target) and any(nofollow.lexists(target / item.name) for item in files):
        n += 1
        target = paths.previous / f"{run_id}-{n}"
    # Renames relative to folders opened without following links: a `previous -> /elsewhere`
    # planted after the start-up check still cannot carry the run's files out.
    nofollow.make_dirs(target, anchor=paths.install_dir)
    for item in files:
        nofollow.move(item, target / item.name, anchor=paths.install_dir)
    return target


def set_aside_orphans(paths: RunPaths, queue: QueueFile) -> list[str]:
    """Move markers and handoffs that `queue.json` does not account for into `orphans/`.

    A kill can land between writing a marker or handoff and the next queue write; the task
    then re-runs on resume, and its new files must be the only ones under its id.
    """
    tasks = {t.id: t for t in queue.tasks}
    moved: list[str] = []
    for folder, suffix in ((paths.markers, ".txt"), (paths.handoffs, ".json")):
        if not folder.is_dir() or folder.is_symlink():
            continue
        for item in sorted(folder.iterdir()):
            if item.name.startswith("."):
                continue
            task = tasks.get(item.stem) if item.suffix == suffix else None
            if task is not None and (folder == paths.markers or task.handoff is not None):
                continue
            target = paths.orphans / folder.name / item.name
            n = 1
            while nofollow.lexists(target):
                n += 1
                target = target.with_name(f"{item.stem}-{n}{item.suffix}")
            nofollow.move(item, target, anchor=paths.install_dir)
            moved.append(f"{folder.name}/{item.name}")
    return moved


def refuse_links(paths: RunPaths) -> None:
    """A run dir shipped with links (say `markers -> ~/.ssh`) would steer our writes out of it.

    Every entry is checked with lstat, at every level (`previous/`, `orphans/` and the folders
    inside them too); the writes themselves never follow a link either (see `nofollow`).
    """
    for path, what in nofollow.find_links(paths.root):
        shown = printable(path.relative_to(paths.install_dir).as_posix())
        raise RunSetupError(
            f"{shown} is {what}; the wizard writes only real files in its run dir. Remove it and run again."
        )


def same_dir(recorded: str, install_dir: Path) -> bool:
    """Whether a queue file's `install_dir` names this folder: absolute, and the same folder.

    A relative path would be read against the current folder, so it never matches.
    """
    if recorded == path_text(install_dir):
        return True
    try:
        path = Path(recorded)
        return path.is_absolute() and path.resolve() == install_dir
    except (OSError, ValueError, RuntimeError):
        return False
