"""Writing without following links: the one way this tool creates, replaces, appends or moves a file.

A project can ship links anywhere, including inside `.posthog-wizard/` (`markers -> ~/.ssh`,
`queue.json -> ~/.bashrc`). Every write therefore walks its path one folder at a time from an
anchor that the caller trusts (the file system's root by default, so the path must be resolved),
opening each folder with `O_NOFOLLOW | O_DIRECTORY` relative to the one before (`openat`), and
creates the file itself with `O_NOFOLLOW`. A link at any level is refused with `LinkRefusedError`,
never followed. Whole files are replaced atomically (temp file in the same folder, fsync, rename
relative to the folder's descriptor); appended files and lock files must also be regular files
with a single name (a hard link planted in the run dir would point at a file elsewhere).

Nothing in the standard library or a maintained package does the `openat` walk for writes
(`pathlib` and `shutil` follow links at every level but the last), so it is written here once
and used by the run dir, the telemetry log and the proposal tools alike.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import os
import secrets
import stat
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path, PurePath, PurePosixPath

TMP_SUFFIX = ".tmp"
_DIR_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# Files look like any other file the user writes (mkstemp's 0600 would not).
FILE_MODE = 0o666 & ~_current_umask()
DIR_MODE = 0o777 & ~_current_umask()


class LinkRefusedError(OSError):
    """A path to write through holds a link (symbolic, or a second name of a file elsewhere)."""

    def __init__(self, path: PurePath, what: str = "a symbolic link") -> None:
        super().__init__(errno.ELOOP, f"{path} is {what}; the wizard never writes through links")
        self.path = path


def _parts(path: Path, anchor: Path) -> tuple[Path, tuple[str, ...]]:
    if not path.is_absolute() or not anchor.is_absolute():
        raise ValueError(f"{path} and {anchor} must be absolute paths")
    rel = path.relative_to(anchor).parts
    if any(part in ("..", ".", "") for part in rel):
        raise ValueError(f"{path} must not climb with '..'")
    return anchor, rel


def _refusal(dir_fd: int, name: str, shown: PurePath, exc: OSError) -> OSError:
    """Turn the error of a no-follow open into `LinkRefusedError` when a link caused it."""
    try:
        info = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
    except OSError:
        return exc
    if stat.S_ISLNK(info.st_mode):
        return LinkRefusedError(shown)
    return exc


def _open_dirs(
    anchor: Path, parts: tuple[str, ...], *, create: bool, created: list[PurePosixPath] | None = None
) -> int:
    """An fd of `anchor/parts...`, each level opened without following a link.

    With `create`, missing folders are made; those this call made are appended to `created`
    (relative to the anchor, outermost first), so a caller can remove them again.
    """
    fd = os.open(anchor, _DIR_FLAGS)
    try:
        for n, part in enumerate(parts):
            # The path for an error is built only when there is one.
            sub, made = _step(fd, part, create, functools.partial(anchor.joinpath, *parts[: n + 1]))
            if made and created is not None:
                created.append(PurePosixPath(*parts[: n + 1]))
            os.close(fd)
            fd = sub
    except BaseException:
        os.close(fd)
        raise
    return fd


def _step(dir_fd: int, name: str, create: bool, shown: Callable[[], PurePath]) -> tuple[int, bool]:
    """The folder `name` in `dir_fd` opened (made first when `create`) without following a link; whether it was made."""
    made = False
    if create:
        with contextlib.suppress(FileExistsError):
            os.mkdir(name, DIR_MODE, dir_fd=dir_fd)
            made = True
    try:
        return os.open(name, _DIR_FLAGS, dir_fd=dir_fd), made
    except OSError as exc:
        raise _refusal(dir_fd, name, shown(), exc) from exc


def open_dir_at(dir_fd: int, name: str, *, shown: PurePath, create: bool = False) -> int:
    """A descriptor of the folder `name` inside the folder open as `dir_fd` (made when `create`); never a link.

    `shown` is the folder's path, for the error that refuses a link; the caller closes the descriptor.
    """
    return _step(dir_fd, name, create, lambda: shown)[0]


def open_dir(path: Path, *, create: bool = False, anchor: Path = Path("/")) -> int:
    """A descriptor of the folder `path` (made with its parents when `create`); the caller closes it."""
    root, parts = _parts(path, anchor)
    return _open_dirs(root, parts, create=create)


def make_dirs(path: Path, *, anchor: Path = Path("/")) -> None:
    """`mkdir -p` that refuses a link at any level instead of following it."""
    os.close(open_dir(path, create=True, anchor=anchor))


def _parent_fd(path: Path, anchor: Path, create: bool) -> tuple[int, str]:
    root, parts = _parts(path, anchor)
    if not parts:
        raise ValueError(f"{path} names the anchor itself, not a file under it")
    return _open_dirs(root, parts[:-1], create=create), parts[-1]


def write_atomic(
    path: Path, data: bytes, *, fsync: bool = True, anchor: Path = Path("/"), create_dirs: bool = False
) -> None:
    """Replace `path` with `data`: temp file in the same folder, fsync, rename; no link followed.

    A link at the final name is replaced by the new file (rename never follows it), and a link
    on the way is refused. A failed write leaves the old file and no temp file behind.
    """
    dir_fd, name = _parent_fd(path, anchor, create_dirs)
    try:
        write_atomic_at(dir_fd, name, data, fsync=fsync)
    finally:
        os.close(dir_fd)


def write_atomic_at(dir_fd: int, name: str, data: bytes, *, fsync: bool = True) -> None:
    """`write_atomic` of the file `name` in the folder open as `dir_fd` (from `open_dir`).

    For many files in one folder (a run's handoffs): the folder was walked without following
    links once, and its descriptor keeps naming that folder whatever happens to its path.
    """
    tmp = f".{name[:100]}.{secrets.token_hex(6)}{TMP_SUFFIX}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, FILE_MODE, dir_fd=dir_fd)
    try:
        try:
            # Plain system calls: a buffered file object adds a stat, a seek and a tty check.
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            if fsync:
                os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp, dir_fd=dir_fd)
        raise


def _single_regular(fd: int, path: PurePath) -> None:
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        raise LinkRefusedError(path, "not a regular file")
    if info.st_nlink > 1:
        raise LinkRefusedError(path, "a hard link (a second name of another file)")


def open_regular(path: Path, flags: int, *, anchor: Path = Path("/")) -> int:
    """Open (or create) a regular file with one name for writing, without following links.

    For append-only logs and lock files: their content is kept, so a planted hard link
    or a FIFO must be refused before anything is written.
    """
    dir_fd, name = _parent_fd(path, anchor, False)
    try:
        try:
            fd = os.open(name, flags | _NOFOLLOW | getattr(os, "O_NONBLOCK", 0), FILE_MODE, dir_fd=dir_fd)
        except OSError as exc:
            raise _refusal(dir_fd, name, path, exc) from exc
    finally:
        os.close(dir_fd)
    return _accepted(fd, lambda: _single_regular(fd, path))


def _accepted(fd: int, check: Callable[[], None]) -> int:
    """`fd`, opened O_NONBLOCK so a planted FIFO is never waited on, made blocking once `check` passes.

    Closed, and `check`'s error raised, when it does not.
    """
    try:
        check()
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd


def move(src: Path, dst: Path, *, anchor: Path = Path("/")) -> None:
    """Rename `src` to `dst` (creating `dst`'s folders) without following a link on either side.

    Refuses to replace anything at `dst`: moved-aside files are never overwritten.
    """
    src_fd, src_name = _parent_fd(src, anchor, False)
    try:
        dst_fd, dst_name = _parent_fd(dst, anchor, True)
        try:
            with contextlib.suppress(FileNotFoundError):
                os.stat(dst_name, dir_fd=dst_fd, follow_symlinks=False)
                raise FileExistsError(errno.EEXIST, f"{dst} exists")
            os.rename(src_name, dst_name, src_dir_fd=src_fd, dst_dir_fd=dst_fd)
        finally:
            os.close(dst_fd)
    finally:
        os.close(src_fd)


def unlink(path: Path, *, anchor: Path = Path("/")) -> None:
    """Remove the name `path` (a link is removed itself, never its target)."""
    dir_fd, name = _parent_fd(path, anchor, False)
    try:
        os.unlink(name, dir_fd=dir_fd)
    finally:
        os.close(dir_fd)


def lexists(path: Path) -> bool:
    """Whether any entry (a link included) is at `path`."""
    try:
        os.lstat(path)
    except (OSError, ValueError):
        return False
    return True


def find_links(top: Path, *, limit: int = 100_000) -> Iterator[tuple[Path, str]]:
    """Every link under `top` (itself included), as (path, what), found with lstat and never followed.

    Symbolic links, and regular files with more than one name, since a hard link made
    elsewhere points our writes at someone else's file. Stops after `limit` entries.
    """
    seen = 0
    try:
        info = os.lstat(top)
    except FileNotFoundError:
        return
    if stat.S_ISLNK(info.st_mode):
        yield top, "a symbolic link"
        return
    pending = [top] if stat.S_ISDIR(info.st_mode) else []
    while pending and seen < limit:
        folder = pending.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            seen += 1
            try:
                if entry.is_symlink():
                    yield Path(entry.path), "a symbolic link"
                elif entry.is_dir(follow_symlinks=False):
                    pending.append(Path(entry.path))
                elif entry.is_file(follow_symlinks=False) and entry.stat(follow_symlinks=False).st_nlink > 1:
                    yield Path(entry.path), "a hard link (a second name of another file)"
            except OSError:
                continue


class NotRegularError(OSError):
    """A file to read is a link, a folder, a pipe or a device, or is over its size cap."""


def open_for_reading(path: Path) -> int:
    """A descriptor of the regular file `path`, opened without following a final link.

    O_NONBLOCK: a FIFO planted under a file's name is refused, not waited on.
    """
    fd = os.open(path, os.O_RDONLY | _NOFOLLOW | getattr(os, "O_NONBLOCK", 0))

    def regular() -> None:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise NotRegularError(errno.EINVAL, f"{path} is not a regular file")

    return _accepted(fd, regular)


def read_regular(path: Path, *, max_bytes: int) -> bytes:
    """The bytes of the regular file `path`, refused when over `max_bytes`; never through a final link."""
    fd = open_for_reading(path)
    try:
        size = os.fstat(fd).st_size
        if size > max_bytes:
            raise NotRegularError(errno.EFBIG, f"{path} is {size} bytes, over the {max_bytes} cap")
        chunks: list[bytes] = []
        left = max_bytes + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        data = b"".join(chunks)
        if len(data) > max_bytes:
            raise NotRegularError(errno.EFBIG, f"{path} grew over the {max_bytes} cap while being read")
        return data
    finally:
        os.close(fd)


# -- Relative paths below a trusted root, by folder descriptor (proposals, apply, revert) --------
#
# Apply stages every file in a temp file before it renames any, and checks each target with
# lstat in the folder it will rename into, so it works on folder descriptors directly.


def split_rel(rel: str) -> tuple[str, ...]:
    """The parts of a relative posix path; absolute paths, `..`, `.` and empty parts raise ValueError."""
    pure = PurePosixPath(rel)
    if pure.is_absolute() or not pure.parts or any(p in ("", ".", "..") or "\x00" in p for p in pure.parts):
        raise ValueError(f"{rel!r} is not a plain relative path")
    return pure.parts


@contextlib.contextmanager
def folder(
    root: Path, parts: Sequence[str], *, create: bool = False, created: list[PurePosixPath] | None = None
) -> Iterator[int]:
    """A descriptor of `root/parts...` for the `with` block, no link followed at any level.

    A link on the way raises LinkRefusedError, a file where a folder should be
    NotADirectoryError, a missing folder (without `create`) FileNotFoundError.
    """
    fd = _open_dirs(root, tuple(parts), create=create, created=created)
    try:
        yield fd
    finally:
        os.close(fd)


def lstat_at(dir_fd: int, name: str) -> os.stat_result | None:
    """The entry's own status (a link is reported as a link), or None when there is none."""
    try:
        return os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
    except FileNotFoundError:
        return None


def read_at(dir_fd: int, name: str, *, max_bytes: int) -> bytes:
    """The bytes of the regular file `name` in the folder, refused when a link, not regular, or too big."""
    try:
        fd = os.open(name, os.O_RDONLY | _NOFOLLOW | getattr(os, "O_NONBLOCK", 0), dir_fd=dir_fd)
    except OSError as exc:
        raise _refusal(dir_fd, name, PurePath(name), exc) from exc
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise NotRegularError(errno.EINVAL, f"{name} is not a regular file")
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise NotRegularError(errno.EFBIG, f"{name} is over the {max_bytes} byte cap")
    return data


def write_temp_at(dir_fd: int, name: str, data: bytes, mode: int) -> str:
    """Write `data` (fsynced) to a new temp file beside `name` with permission bits `mode`; its name."""
    tmp = f".{name[:100]}.{secrets.token_hex(6)}{TMP_SUFFIX}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o600, dir_fd=dir_fd)
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), mode & 0o7777)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp, dir_fd=dir_fd)
        raise
    return tmp


def replace_at(dir_fd: int, tmp: str, name: str) -> None:
    """Rename `tmp` over `name` in one folder (a link at `name` is replaced itself, never followed)."""
    os.replace(tmp, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)


def unlink_at(dir_fd: int, name: str) -> None:
    """Remove the name (a link itself, never its target); nothing when it is already gone."""
    with contextlib.suppress(FileNotFoundError):
        os.unlink(name, dir_fd=dir_fd)


def fsync_dir(dir_fd: int) -> None:
    """Make renames in the folder durable (skipped where the platform cannot)."""
    with contextlib.suppress(OSError):
        os.fsync(dir_fd)
