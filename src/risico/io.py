"""Writing outputs so that a failed stage leaves nothing half-written, and no command deletes what it did not make.

Every output folder is made by :func:`atomic_dir` (the one shared function; see
``docs/security.md``). It refuses a target it could damage, writes into a
temporary sibling, marks the result as risico's own with :data:`MARKER`, and
swaps it into place under a lock. Governance writers serialise on
:func:`governance_lock`.
"""

from __future__ import annotations

import contextlib
import contextvars
import errno
import fcntl
import json
import logging
import os
import shutil
import socket
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from risico.errors import RisicoError

__all__ = ["atomic_dir", "atomic_file", "write_parquet", "write_json", "read_tables", "MARKER", "running",
           "governance_lock", "governance_root", "read_marker", "output_folder"]

log = logging.getLogger(__name__)

#: The file in every output folder that says which command wrote it and which files it wrote (JSON, no
#: timestamp: the same run gives the same bytes, so DVC outputs stay identical between runs).
MARKER = ".risico-output"
#: The governance lock, inside the governance folder.
GOVERNANCE_LOCK = ".risico.lock"

ALLOWED = "Allowed: a new folder, an empty folder, or an earlier output of '{who}'."
EMPTY = "{what} is empty (an unset shell variable?). " + ALLOWED
SPECIAL = "{what} '{path}' is {kind}; risico never writes its output over it. " + ALLOWED
IS_FILE = "{what} '{path}' is a file, not a folder. " + ALLOWED
PARENT_IS_FILE = "{what} '{path}' lies below a file, not a folder. " + ALLOWED
NO_PERMISSION = "{what} '{path}': no permission to write in '{parent}'. Allowed: a folder you may write in."
IS_LINK = ("{what} '{path}' is a symbolic link (to '{dest}'); risico does not write through links. "
           + ALLOWED)
OVERLAP = "{what} '{path}' {how} the input {input}. Allowed: a folder apart from every input."
NOT_OURS = ("{what} '{path}' holds files risico did not write ({files}); risico never deletes them. "
            + ALLOWED)
OTHER_COMMAND = ("{what} '{path}' holds the output of '{other}', not of '{who}'. "
                 + ALLOWED)
NO_REPLACE = ("{what} '{path}' already holds the output of an earlier '{who}', which is never "
              "replaced. Allowed: a new or empty folder.")
CHANGED = ("{what} '{path}' changed during the run ({files}); it was left untouched and the new output is "
           "in '{kept}'.")
LOCKED = ("{what} '{path}' is in use by '{holder}' (pid {pid} on {host}); wait until it has "
          "finished. Lock file: '{lock}'.")
GOVERNANCE_LOCKED = ("The governance folder '{path}' is in use by '{holder}' (pid {pid} on {host}); wait "
                     "until it has finished. Lock file: '{lock}'.")
FILE_IS_DIR = "Output file '{path}' is a folder. Allowed: a file path."
FILE_IS_LINK = "Output file '{path}' is a symbolic link (to '{dest}'); risico does not write through links."

_COMMAND: contextvars.ContextVar[str] = contextvars.ContextVar("risico_command", default="risico")


@contextlib.contextmanager
def running(command: str) -> Iterator[None]:
    """Name the command being run (the CLI does this) for markers, locks and messages."""
    token = _COMMAND.set(command)
    try:
        yield
    finally:
        _COMMAND.reset(token)


# -- output folders ----------------------------------------------------------------------------------------
def output_folder(value: str) -> Path | str:
    """The argparse ``type`` of an output folder option: a Path, but an empty value stays ``""`` (``Path("")`` would
    be ``.``), so that :func:`atomic_dir` can say it is empty."""
    return Path(value) if value.strip() else value


@contextlib.contextmanager
def atomic_dir(target: str | Path, *, inputs: Mapping[str, str | Path | None] | Iterable[str | Path] = (),
               command: str | None = None, option: str | None = None, replace: bool = True) -> Iterator[Path]:
    """Yield a fresh temporary folder that becomes ``target`` only on success; never delete what risico did not write.

    Parameters
    ----------
    target : str or Path
        The output folder.
    inputs : mapping of option to path, or iterable of paths
        The command's inputs; ``target`` may not be, contain or lie inside any of them.
    command : str, optional
        The command writing (default: the one the CLI runs, see :func:`running`); stored in :data:`MARKER`.
    option : str, optional
        How the user named ``target`` (e.g. ``"--out"``), for messages.
    replace : bool
        Whether an earlier output of the same command may be replaced (``False``: only a new or empty folder).

    Raises
    ------
    RisicoError
        ``target`` is empty, ``.``, ``..`` or any folder holding the working folder, ``/``, the home folder, a
        file, a symbolic link, overlaps an input, holds anything risico did not write or another command's output,
        or another run holds its lock. Nothing is written or removed then.
    """
    command = command or _COMMAND.get()
    raw = str(target)
    say = {"what": f"Option {option}" if option else "Output folder", "path": raw, "command": command,
           "who": _who(command)}
    if not raw.strip():
        raise RisicoError(EMPTY.format(**say))
    target = Path(target)
    _check_path(target, say)
    _check_inputs(target, inputs, say)
    _make_parent(target, say)
    with _lock(target.parent / f".{target.name}.lock", command, LOCKED, say):
        _check_contents(target, say, replace)
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
        tmp.chmod(0o755)
        try:
            yield tmp
            _write_marker(tmp, command)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        _swap(tmp, target, say, replace)


def _check_path(target: Path, say: dict[str, str]) -> None:
    """Refuse the working folder and its parents, ``/``, home, a file or a link (before anything is written)."""
    resolved = target.resolve()
    cwd, home = Path.cwd().resolve(), Path.home().resolve()
    if resolved == Path(resolved.anchor):
        raise RisicoError(SPECIAL.format(kind="the root folder", **say))
    for folder, name in ((home, "the home folder"), (cwd, "the working folder")):
        if resolved == folder:
            raise RisicoError(SPECIAL.format(kind=name, **say))
    for folder, name in ((cwd, "the working folder"), (home, "the home folder")):
        if resolved in folder.parents:
            raise RisicoError(SPECIAL.format(kind=f"a folder that holds {name}", **say))
    if target.is_symlink():
        raise RisicoError(IS_LINK.format(dest=os.readlink(target), **say))
    if target.exists() and not target.is_dir():
        raise RisicoError(IS_FILE.format(**say))


def _make_parent(target: Path, say: dict[str, str]) -> None:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        raise RisicoError(PARENT_IS_FILE.format(**say)) from None
    except PermissionError:
        raise RisicoError(NO_PERMISSION.format(parent=target.parent, **say)) from None
    if not os.access(target.parent, os.W_OK | os.X_OK):
        raise RisicoError(NO_PERMISSION.format(parent=target.parent, **say))


def _check_inputs(target: Path, inputs: Mapping[str, str | Path | None] | Iterable[str | Path],
                  say: dict[str, str]) -> None:
    named = inputs.items() if isinstance(inputs, Mapping) else (("", path) for path in inputs)
    out = target.resolve()
    for name, path in named:
        if path is None or not str(path).strip():
            continue
        source = Path(path).resolve()
        how = ("is" if out == source else "lies inside" if source in out.parents
               else "contains" if out in source.parents else None)
        if how:
            shown = f"{name} '{path}'" if name else f"'{path}'"
            raise RisicoError(OVERLAP.format(how=how, input=shown, **say))


def _check_contents(target: Path, say: dict[str, str], replace: bool) -> None:
    """An existing folder must be empty, or an earlier output of the same command holding only its own files."""
    if not target.is_dir():
        return
    entries = sorted(p.name for p in target.iterdir())
    if not entries:
        return
    marker = read_marker(target)
    if marker is None:
        raise RisicoError(NOT_OURS.format(files=_few(entries), **say))
    if marker["command"] != say["command"]:
        raise RisicoError(OTHER_COMMAND.format(other=_who(marker["command"]), **say))
    if not replace:
        raise RisicoError(NO_REPLACE.format(**say))
    foreign = _foreign(target, marker)
    if foreign:
        raise RisicoError(NOT_OURS.format(files=_few(foreign), **say))


def read_marker(folder: Path) -> dict[str, Any] | None:
    """The marker of ``folder`` (``{"command": ..., "files": [...]}``), or None when there is none or it is broken."""
    path = folder / MARKER
    if path.is_symlink() or not path.is_file():
        return None
    try:
        marker = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    ok = (isinstance(marker, dict) and isinstance(marker.get("command"), str)
          and isinstance(marker.get("files"), list) and all(isinstance(f, str) for f in marker["files"]))
    return marker if ok else None


def _files(folder: Path) -> list[str]:
    """Every file, link and empty folder below ``folder``, relative, without the marker."""
    found = []
    for path in sorted(folder.rglob("*")):
        if path.is_symlink() or path.is_file() or (path.is_dir() and not any(path.iterdir())):
            found.append(path.relative_to(folder).as_posix())
    return [name for name in found if name != MARKER]


def _foreign(folder: Path, marker: Mapping[str, Any]) -> list[str]:
    """What ``folder`` holds beyond the files its marker lists (something a person put there)."""
    return sorted(set(_files(folder)) - set(marker["files"]))


def _write_marker(folder: Path, command: str) -> None:
    body = {"command": command, "files": _files(folder), "written_by": "risico"}
    (folder / MARKER).write_text(json.dumps(body, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def _swap(tmp: Path, target: Path, say: dict[str, str], replace: bool) -> None:
    """Move ``tmp`` into place; an earlier output goes to a backup first and comes back if the move fails.

    The target is checked again just before the swap (under the lock, so only a person can have changed it); when
    it now holds something risico did not write, nothing is removed and the new output stays in ``tmp``.
    """
    try:
        _check_contents(target, say, replace)
    except RisicoError:
        raise RisicoError(CHANGED.format(files=_few(_changed(target)), kept=os.path.abspath(tmp), **say)) from None
    if not (target.is_dir() and any(target.iterdir())):
        try:
            os.rename(tmp, target)        # fails (and removes nothing) if a file or a non-empty folder appeared
        except OSError as exc:
            if exc.errno not in (errno.ENOTEMPTY, errno.EEXIST, errno.ENOTDIR, errno.EISDIR):
                raise
            raise RisicoError(CHANGED.format(files=_few(_changed(target)), kept=os.path.abspath(tmp), **say)) from None
        return
    log.warning("%s '%s': replacing the earlier output of '%s'", say["what"], say["path"], say["who"])
    backup = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".old", dir=target.parent))
    os.rename(target, backup)             # over the empty folder just made
    try:
        os.rename(tmp, target)
    except BaseException:
        os.rename(backup, target)
        raise
    marker = read_marker(backup)
    late = _foreign(backup, marker) if marker else _files(backup)
    if late:                              # dropped in between the check and the rename: keep it
        log.warning("%s '%s': files appeared during the swap (%s); the earlier output is kept in '%s'",
                    say["what"], say["path"], _few(late), backup)
        return
    shutil.rmtree(backup)


def _changed(target: Path) -> list[str]:
    if not target.is_dir() or target.is_symlink():
        return [target.name]
    marker = read_marker(target)
    return (_foreign(target, marker) if marker else sorted(p.name for p in target.iterdir())) or [target.name]


def _who(command: str) -> str:
    return command if command == "risico" else f"risico {command}"


def _few(names: list[str]) -> str:
    return ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")


# -- locks -----------------------------------------------------------------------------------------------------
@contextlib.contextmanager
def _lock(path: Path, command: str, message: str, say: Mapping[str, str]) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``path`` (created, removed on release); refuse, naming the holder, when held.

    The kernel releases a flock when its process ends, so a lock file left by a process that died (stale) never
    blocks: the next run takes it over and says so.
    """
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(fd)
            os.close(fd)
            raise RisicoError(message.format(lock=path, **holder, **say)) from None
        try:
            same = os.fstat(fd).st_ino == os.stat(path).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)                      # the previous holder removed the file while we waited: open it again
    try:
        stale = _holder(fd)
        if stale["pid"] != "?":
            log.warning("taking over the stale lock '%s' of '%s' (pid %s on %s, no longer running)",
                        path, stale["holder"], stale["pid"], stale["host"])
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps({"command": command, "host": socket.gethostname(), "pid": os.getpid()}).encode(), 0)
        yield
    finally:
        path.unlink(missing_ok=True)
        os.close(fd)


def _holder(fd: int) -> dict[str, str]:
    try:
        info = json.loads(os.pread(fd, 4096, 0).decode("utf-8"))
        return {"holder": _who(str(info["command"])), "pid": str(info["pid"]), "host": str(info["host"])}
    except (ValueError, KeyError, TypeError):
        return {"holder": "?", "pid": "?", "host": "?"}


def governance_root(path: str | Path) -> Path:
    """The governance folder of ``path``: the nearest of it and its two parents called ``governance``, else the
    folder ``path`` is or lies in (``governance/decisions/providers`` -> ``governance``)."""
    path = Path(path)
    for folder in (path, *path.parents[:2]):
        if folder.name == "governance":
            return folder
    return path if path.is_dir() or not (path.exists() or path.suffix) else path.parent


@contextlib.contextmanager
def governance_lock(path: str | Path, *, command: str | None = None) -> Iterator[None]:
    """Serialise the governance writers (approve, worklist, feedback, register) on the folder holding ``path``.

    A second writer while one is running is refused with a line naming the holder.
    """
    root = governance_root(path)
    root.mkdir(parents=True, exist_ok=True)
    with _lock(root / GOVERNANCE_LOCK, command or _COMMAND.get(), GOVERNANCE_LOCKED, {"path": str(root)}):
        yield


# -- files -------------------------------------------------------------------------------------------------
@contextlib.contextmanager
def atomic_file(target: str | Path) -> Iterator[Path]:
    """Yield a temporary path that is renamed to ``target`` only on success; refuse a folder or a link."""
    target = Path(target)
    if target.is_symlink():
        raise RisicoError(FILE_IS_LINK.format(path=target, dest=os.readlink(target)))
    if target.is_dir():
        raise RisicoError(FILE_IS_DIR.format(path=target))
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(name)
    tmp.chmod(0o644)
    try:
        yield tmp
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    os.replace(tmp, target)


def write_parquet(frame: pd.DataFrame, path: str | Path) -> None:
    """Write a DataFrame to Parquet, byte-for-byte reproducibly (no index, fixed settings)."""
    table = pa.Table.from_pandas(frame, preserve_index=False)
    pq.write_table(table, path, compression="zstd", row_group_size=1_000_000, write_statistics=True)


def write_json(data: Mapping[str, Any], path: str | Path) -> None:
    """Write JSON with sorted keys and a trailing newline (stable diffs)."""
    with atomic_file(path) as tmp:
        tmp.write_text(json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")


def read_tables(folder: str | Path, names: tuple[str, ...] | list[str]) -> dict[str, pd.DataFrame]:
    """Read ``<folder>/<name>.parquet`` for each name."""
    folder = Path(folder)
    return {name: pd.read_parquet(folder / f"{name}.parquet") for name in names}
