"""The run dir's lifecycle on disk: checking the install dir, archiving and tidying runs.

Pure file-system housekeeping with one error type, `RunSetupError`, whose message is the
one sentence a person sees (exit 2).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from wizard_tui.domain.clock import Clock, random_ids
from wizard_tui.domain.models import QueueFile
from wizard_tui.domain.persistence import RunPaths


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
    while target.exists() and any((target / item.name).exists() for item in files):
        n += 1
        target = paths.previous / f"{run_id}-{n}"
    target.mkdir(parents=True, exist_ok=True)
    for item in files:
        shutil.move(str(item), str(target / item.name))
    return target


def set_aside_orphans(paths: RunPaths, queue: QueueFile) -> list[str]:
    """Move markers and handoffs that `queue.json` does not account for into `orphans/`.

    A kill can land between writing a marker or handoff and the next queue write; the task
    then re-runs on resume, and its new files must be the only ones under its id.
    """
    tasks = {t.id: t for t in queue.tasks}
    moved: list[str] = []
    for folder, suffix in ((paths.markers, ".txt"), (paths.handoffs, ".json")):
        if not folder.is_dir():
            continue
        for item in sorted(folder.iterdir()):
            if item.name.startswith("."):
                continue
            task = tasks.get(item.stem) if item.suffix == suffix else None
            if task is not None and (folder == paths.markers or task.handoff is not None):
                continue
            target = paths.orphans / folder.name / item.name
            target.parent.mkdir(parents=True, exist_ok=True)
            n = 1
            while target.exists():
                n += 1
                target = target.with_name(f"{item.stem}-{n}{item.suffix}")
            shutil.move(str(item), str(target))
            moved.append(f"{folder.name}/{item.name}")
    return moved


def refuse_symlinks(paths: RunPaths) -> None:
    """A run dir shipped with links (say `markers -> ~/.ssh`) would steer our writes out of it."""
    for path in (
        paths.handoffs,
        paths.markers,
        paths.previous,
        paths.orphans,
        paths.queue,
        paths.audit,
        paths.telemetry,
        paths.install_intent,
        paths.gitignore,
    ):
        if path.is_symlink():
            raise RunSetupError(
                f"{path} is a symlink; the wizard writes only real files in its run dir. Remove the link and run again."
            )


def same_dir(recorded: str, install_dir: Path) -> bool:
    if recorded == str(install_dir):
        return True
    try:
        return Path(recorded).resolve() == install_dir
    except (OSError, ValueError, RuntimeError):
        return False
