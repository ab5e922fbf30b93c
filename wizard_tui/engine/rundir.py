"""The run dir's lifecycle on disk: check the install dir, lock, open new or resumed, archive, tidy.

`open_run_dir` is the one way a run gets its run dir and queue store. Every problem is a
`RunSetupError` whose message is the one sentence a person sees (exit 2).
"""

from __future__ import annotations

import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from wizard_tui.domain import nofollow
from wizard_tui.domain.clock import Clock, IdFactory, random_ids
from wizard_tui.domain.commands import Invocation
from wizard_tui.domain.events import EventBus
from wizard_tui.domain.models import QueueFile
from wizard_tui.domain.persistence import (
    ProposalsUnreadable,
    QueueFileError,
    RunLock,
    RunLockedError,
    RunPaths,
    read_proposals,
    read_queue_file,
)
from wizard_tui.domain.printable import path_text, printable
from wizard_tui.domain.queue import QueueStore

MAX_SHOWN_PATH = 240  # characters of a path the person typed, in a sentence about it


class RunSetupError(Exception):
    """The run cannot start (bad install dir, unfinished previous run, corrupt queue): exit 2."""


def new_run_id(clock: Clock) -> str:
    return f"{clock.now():%Y%m%d-%H%M%S}-{random_ids('r')[2:]}"


def check_install_dir(path: Path) -> Path:
    """The install dir must exist, be a directory and be readable; else one sentence.

    Any error the system gives (a name too long, a loop of links) is a sentence too, and a
    path of thousands of characters is shown cut.
    """
    shown = _cut(str(path))
    try:
        info = path.stat()
    except (FileNotFoundError, NotADirectoryError) as exc:
        raise RunSetupError(f"{shown} does not exist; pass the folder of the project to set up.") from exc
    except OSError as exc:
        raise RunSetupError(f"{shown} cannot be used ({exc.strerror or exc}); pass the project's folder.") from exc
    if not stat.S_ISDIR(info.st_mode):
        raise RunSetupError(f"{shown} is a file, not a folder; pass the project's folder.")
    try:
        next(iter(path.iterdir()), None)
    except PermissionError as exc:
        raise RunSetupError(f"{shown} cannot be read (permission denied).") from exc
    except OSError as exc:
        raise RunSetupError(f"{shown} cannot be read ({exc.strerror}).") from exc
    return path.resolve()


def _cut(text: str, keep: int = MAX_SHOWN_PATH) -> str:
    return text if len(text) <= keep else f"{text[: keep // 2]}...{text[-keep // 2 :]}"


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


@dataclass
class OpenRunDir:
    """A locked run dir and the store of the run in it (new, or read back for --resume)."""

    paths: RunPaths
    store: QueueStore
    lock: RunLock
    orphans: list[str] = field(default_factory=list)  # files moved to orphans/ on resume

    def release(self) -> None:
        """Let go of the lock (the OS also drops it if the process dies)."""
        self.lock.release()


def open_run_dir(
    install_dir: Path,
    *,
    resume: bool,
    fresh: bool,
    clock: Clock,
    ids: IdFactory,
    bus: EventBus,
    run_id: str | None = None,
    command: Callable[[str | None], str] | None = None,
) -> OpenRunDir:
    """Validate input, lock and open the run dir; raises RunSetupError with a sentence.

    `command(flag)` writes what the person types to run again with `--resume`, `--fresh` or
    nothing (None), for the sentences that tell them; by default `wizard-tui PATH FLAG`.
    On success the lock is held until `OpenRunDir.release()`.
    """
    command = command or Invocation(args=(path_text(install_dir),)).again
    install_dir = check_install_dir(install_dir)
    paths = RunPaths(install_dir)
    shown = printable(paths.root)
    if paths.root.is_symlink():
        raise RunSetupError(
            f"{shown} is a symlink; the wizard writes only into a real folder. Remove the link and run again."
        )
    if paths.root.exists() and not paths.root.is_dir():
        raise RunSetupError(f"{shown} exists and is not a folder; move it away and run again.")
    lock = RunLock(paths.lock)
    try:
        nofollow.make_dirs(paths.root, anchor=install_dir)
        lock.acquire()
    except RunLockedError as exc:
        raise RunSetupError(f"{exc}; wait for it to end or stop it, then run again.") from exc
    except nofollow.LinkRefusedError as exc:
        raise RunSetupError(
            f"{printable(exc.strerror)}; the wizard writes only real files in its run dir. Remove it and run again."
        ) from exc
    except OSError as exc:
        raise RunSetupError(f"cannot open {shown} ({exc.strerror}); is the folder writable?") from exc
    try:
        refuse_links(paths)
        # Before anything is archived: half-written temp files are garbage, not a run's files.
        paths.remove_stale_temp_files()
        opening = _Opening(paths, install_dir, clock, ids, bus, command)
        if resume:
            store, orphans = _open_resumed(opening)
        else:
            store, orphans = _open_new(opening, fresh=fresh, run_id=run_id), []
    except BaseException:
        lock.release()
        raise
    return OpenRunDir(paths, store, lock, orphans)


def _create(paths: RunPaths) -> None:
    try:
        paths.create()
    except OSError as exc:
        raise RunSetupError(f"cannot create {paths.root} ({exc.strerror}); is the folder writable?") from exc


@dataclass(frozen=True)
class _Opening:
    """What opening a run dir needs: where, the store's clock, ids and bus, and how to name commands."""

    paths: RunPaths
    install_dir: Path
    clock: Clock
    ids: IdFactory
    bus: EventBus
    command: Callable[[str | None], str]

    def store(self, run_id: str) -> QueueStore:
        return QueueStore(run_id=run_id, install_dir=self.install_dir, clock=self.clock, ids=self.ids, bus=self.bus)


def _open_resumed(opening: _Opening) -> tuple[QueueStore, list[str]]:
    paths, install_dir, command = opening.paths, opening.install_dir, opening.command
    if not paths.queue.exists():
        raise RunSetupError(f"there is no run to resume in {paths.root}; start one with `{command(None)}`.")
    try:
        queue = read_queue_file(paths.queue)
    except QueueFileError as exc:
        raise RunSetupError(
            f"cannot resume: {exc}. The file was left as it is; start over with `{command('--fresh')}` "
            "(the old run is kept under previous/)."
        ) from exc
    if not same_dir(queue.install_dir, install_dir):
        raise RunSetupError(
            f"cannot resume: {paths.queue} belongs to a run in {queue.install_dir[:200]!r}, not {install_dir}. "
            f"The file was left as it is; start over with `{command('--fresh')}`."
        )
    if queue.finished:
        raise RunSetupError(
            f"the run {queue.run_id} in {paths.root} already finished; start a new one with `{command(None)}`."
        )
    try:
        read_proposals(paths)
    except ProposalsUnreadable as exc:
        # The finished tasks' changes are in that file: a resume without it would lose them.
        raise RunSetupError(
            f"cannot resume: {exc}, and it holds the changes the finished tasks proposed. "
            f"The file was left as it is; start over with `{command('--fresh')}`."
        ) from exc
    _create(paths)
    try:
        orphans = set_aside_orphans(paths, queue)
    except OSError as exc:
        raise RunSetupError(f"cannot tidy {paths.root} ({exc.strerror}); is the folder writable?") from exc
    store = QueueStore.from_file(queue, clock=opening.clock, ids=opening.ids, bus=opening.bus)
    store.install_dir = install_dir
    return store, orphans


def _open_new(opening: _Opening, *, fresh: bool, run_id: str | None) -> QueueStore:
    paths, clock, command = opening.paths, opening.clock, opening.command
    if paths.queue.exists():
        try:
            previous: QueueFile | None = read_queue_file(paths.queue)
            problem = ""
        except QueueFileError as exc:
            previous, problem = None, str(exc)
        if previous is not None and not previous.finished and not fresh:
            raise RunSetupError(
                f"an unfinished run ({previous.run_id}) is in {paths.root}; "
                f"continue it with `{command('--resume')}`, or start over with `{command('--fresh')}` "
                "(the old run is kept under previous/)."
            )
        if previous is None and not fresh:
            raise RunSetupError(
                f"{problem}; start over with `{command('--fresh')}` (the file is kept under previous/)."
            )
        archive = previous.run_id if previous else f"unreadable-{new_run_id(clock)}"
    else:
        archive = f"partial-{new_run_id(clock)}"
    try:
        archive_previous(paths, archive)
    except OSError as exc:
        raise RunSetupError(f"cannot move the previous run aside ({exc.strerror}); is {paths.root} writable?") from exc
    _create(paths)
    return opening.store(run_id or new_run_id(clock))


def unfinished_run(install_dir: Path) -> QueueFile | None:
    """The run recorded in `install_dir`'s run dir when it did not finish; None when there is none.

    None also when the file cannot be used (a link, unreadable, another folder's run): the run
    itself then refuses with the sentence that explains it.
    """
    paths = RunPaths(install_dir)
    if paths.root.is_symlink() or paths.queue.is_symlink() or not paths.queue.is_file():
        return None
    try:
        queue = read_queue_file(paths.queue)
    except QueueFileError:
        return None
    if queue.finished or not same_dir(queue.install_dir, install_dir):
        return None
    return queue
