"""The one door for files: capped reading of regular files only, and atomic writing (a temporary name, then rename)."""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator

from briefgen.errors import InputError, OutputError


class ReadRefused(InputError):
    """A file ``read_capped`` or ``check_regular`` refused.

    ``kind`` is one of 'missing', 'folder', 'special' (a pipe, device or socket), 'too_large' or
    'unreadable'; ``reason`` phrases it without the file's name; ``os_error`` is the operating
    system's error, when there was one; ``size`` and ``cap`` are in bytes.
    """

    def __init__(self, path: Path, kind: str, reason: str, *, os_error: OSError | None = None,
                 size: int = 0, cap: int = 0):
        self.path, self.kind, self.reason, self.os_error, self.size, self.cap = path, kind, reason, os_error, size, cap
        super().__init__(f"{path} {reason}")

    @property
    def detail(self) -> str:
        """The operating system's words for the failure ('Permission denied'), else ``reason``."""
        if self.os_error is not None:
            return self.os_error.strerror or str(self.os_error)
        return self.reason


def check_regular(path: Path | str, cap: int) -> int:
    """The size of ``path`` when it is a regular file of at most ``cap`` bytes; else ReadRefused.

    Only ``stat`` is called: a pipe or a device is refused before anything could block opening it.
    """
    path = Path(path)
    try:
        info = os.stat(path)
    except FileNotFoundError as exc:
        raise ReadRefused(path, "missing", "not found", os_error=exc) from None
    except OSError as exc:
        raise ReadRefused(path, "unreadable", f"cannot be read: {exc.strerror or exc}", os_error=exc) from None
    except ValueError:  # a NUL character in the name: no file can have it
        raise ReadRefused(path, "unreadable", "has a NUL character in its name") from None
    return _check_mode(path, info, cap)


def _check_mode(path: Path, info: os.stat_result, cap: int) -> int:
    if stat.S_ISDIR(info.st_mode):
        folder = IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
        raise ReadRefused(path, "folder", "is a folder, not a file", os_error=folder)
    if not stat.S_ISREG(info.st_mode):
        raise ReadRefused(path, "special", "is not a regular file (a pipe, device or socket)")
    if info.st_size > cap:
        raise ReadRefused(path, "too_large", f"is {info.st_size / 1e6:.0f} MB; the limit is {cap // 2**20} MB",
                          size=info.st_size, cap=cap)
    return info.st_size


def read_capped(path: Path | str, cap: int) -> bytes:
    """The bytes of a regular file of at most ``cap`` bytes; ReadRefused for anything else.

    The file is opened without blocking and checked again once open, so a file swapped for a pipe
    between the check and the open is refused too, and reading stops at the cap if it grew.
    """
    path = Path(path)
    check_regular(path, cap)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except FileNotFoundError as exc:
        raise ReadRefused(path, "missing", "not found", os_error=exc) from None
    except OSError as exc:
        raise ReadRefused(path, "unreadable", f"cannot be read: {exc.strerror or exc}", os_error=exc) from None
    try:
        _check_mode(path, os.fstat(fd), cap)
        chunks, total = [], 0
        while total <= cap:
            chunk = os.read(fd, min(1 << 20, cap + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    except OSError as exc:
        raise ReadRefused(path, "unreadable", f"cannot be read: {exc.strerror or exc}", os_error=exc) from None
    finally:
        os.close(fd)
    if total > cap:
        raise ReadRefused(path, "too_large", f"is larger than {cap // 2**20} MB; the limit is {cap // 2**20} MB",
                          size=total, cap=cap)
    return b"".join(chunks)


class OutsideTree(InputError):
    """A path that leads outside the folder tree it must stay in (symbolic links followed).

    ``path`` is the path as named, ``root`` the folder it had to stay in; the message names both
    and says how to allow it, never anything the file holds.
    """

    def __init__(self, path: Path, root: Path, what: str = "file"):
        self.path, self.root = path, root
        super().__init__(f"{what} {path} leads outside {root} (after following symbolic links); "
                         "refusing to read it")


def resolved(path: Path | str) -> Path:
    """``path`` with every symbolic link followed (as far as it exists); a link loop stays as written."""
    try:
        return Path(os.path.realpath(path))
    except (OSError, ValueError):
        return Path(os.path.abspath(path))


def is_inside(path: Path | str, root: Path | str) -> bool:
    """True when ``path``, symbolic links followed, is ``root`` or lies inside it (links followed too)."""
    real, base = resolved(path), resolved(root)
    return real == base or real.is_relative_to(base)


def confine(path: Path | str, root: Path | str, allowed: Iterable[Path | str] = (), what: str = "file") -> Path:
    """The real path of ``path`` when it stays inside ``root`` or one of ``allowed``; else OutsideTree.

    A file someone sends (a brief, a template, a folder of sources) may name only files in its
    own tree: ``..``, absolute paths and symbolic links that leave it are refused unless the user
    allowed the place explicitly. Read the returned path, so a link is not followed twice.
    """
    real = resolved(path)
    for base in (root, *allowed):
        base_real = resolved(base)
        if real == base_real or real.is_relative_to(base_real):
            return real
    raise OutsideTree(Path(path), Path(root), what)


@contextmanager
def atomic_path(target: Path | str) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; on success it replaces ``target``, else it vanishes."""
    target = Path(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        # the temporary name must fit where the target's name fits (255 bytes on most file systems)
        short = target.name.encode("utf-8", "surrogateescape")[:150].decode("utf-8", "ignore")
        fd, tmp = tempfile.mkstemp(prefix=f".{short}.", suffix=".tmp", dir=target.parent)
        os.close(fd)
    except OSError as exc:
        raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from None
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        try:
            os.replace(tmp_path, target)
        except OSError as exc:  # a name too long, a folder in the way, …
            raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from None
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise


def write_bytes_atomic(target: Path | str, data: bytes) -> None:
    """Write bytes to ``target`` atomically."""
    with atomic_path(target) as tmp:
        try:
            tmp.write_bytes(data)
        except OSError as exc:
            raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from None


def write_text_atomic(target: Path | str, text: str) -> None:
    """Write UTF-8 text to ``target`` atomically."""
    write_bytes_atomic(target, text.encode("utf-8"))


def replace_all(pending: list[tuple[Path, bytes]], mode: int = 0o644) -> None:
    """Write every ``(target, data)`` so that all targets change together or none does.

    Every target is checked (not a folder, its folder creatable) and every temporary file written
    before any target is replaced; if a replacement still fails, the targets already replaced get
    their previous content back. OutputError names the target that failed.
    """
    created: list[Path] = []  # folders made for the outputs, removed again on failure
    staged: list[tuple[Path, Path]] = []
    backups: list[tuple[Path, Path | None]] = []  # (target, its previous content or None if it was new)
    try:
        for target, _ in pending:
            _check_target(Path(target), created)
        for target, data in pending:
            target = Path(target)
            try:
                fd, tmp = tempfile.mkstemp(prefix=f".{target.name[:64]}.", suffix=".tmp", dir=target.parent)
                staged.append((target, Path(tmp)))
                with os.fdopen(fd, "wb") as fh:
                    fh.write(data)
                os.chmod(tmp, mode)  # mkstemp creates 0600; outputs are ordinary shareable files
            except OSError as exc:
                raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from None
        for target, tmp in staged:
            backup = None
            if os.path.lexists(target):
                backup = Path(f"{tmp}.old")
                try:
                    os.link(target, backup, follow_symlinks=False)
                except OSError:
                    backup = None  # a filesystem without hard links: replaced without a way back
            try:
                os.replace(tmp, target)
            except OSError as exc:
                if backup is not None:
                    backup.unlink(missing_ok=True)
                raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from None
            backups.append((target, backup))
    except BaseException:
        for target, backup in reversed(backups):
            try:
                if backup is not None:
                    os.replace(backup, target)
                else:
                    Path(target).unlink(missing_ok=True)
            except OSError:
                pass
        for _, tmp in staged:
            tmp.unlink(missing_ok=True)
        for folder in reversed(created):
            try:
                folder.rmdir()
            except OSError:
                pass
        raise
    for _, backup in backups:
        if backup is not None:
            backup.unlink(missing_ok=True)


def _check_target(target: Path, created: list[Path]) -> None:
    """Refuse a target that is a folder or special file; make its folder (recording what was made)."""
    try:
        info = os.stat(target)
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from None
    if info is not None and stat.S_ISDIR(info.st_mode):
        raise OutputError(f"cannot write {target}: it is a folder; move it away or choose another output "
                          "folder; nothing was written")
    if info is not None and not stat.S_ISREG(info.st_mode):
        raise OutputError(f"cannot write {target}: it is not a regular file (a pipe, device or socket); "
                          "nothing was written")
    missing = []
    folder = target.parent
    while not folder.exists() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    try:
        for folder in reversed(missing):
            folder.mkdir()
            created.append(folder)
    except OSError as exc:
        raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from None
    if not target.parent.is_dir():
        raise OutputError(f"cannot write {target}: {target.parent} is not a folder; nothing was written")
    if not os.access(target.parent, os.W_OK | os.X_OK):
        raise OutputError(f"cannot write {target}: its folder {target.parent} is not writable; nothing was written")
