"""BOT_DATA_DIR checked before anything is started, so that a bad one gets one clear line,
and kept private: the directory 0700, every file in it 0600.

Without the check, a missing, read-only or full data directory surfaced as a traceback from
deep inside SQLite or PTB that did not even name the path. Without the modes, the default umask
made the directory 0755 and its SQLite files 0644: any account on the host could read every
person's state and the unanswered log.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import stat
from pathlib import Path

PRIVATE_DIR_MODE = 0o700
OTHERS = 0o077  # group and world permission bits: none of them on what the bot keeps
PROBE_BYTES = 64 * 1024  # room for a few state saves: less than this and the bot cannot work


logger = logging.getLogger("bot.data")


class DataDirError(Exception):
    """The data directory cannot be used; the message names it and says what is wrong."""


class DataDirFull(DataDirError):
    """The data directory's disk is full: the bot starts degraded rather than not at all."""


def check_data_dir(path: Path) -> None:
    """Create `path` if needed and prove the bot can write to it; DataDirError if not."""
    where = f"BOT_DATA_DIR {path.absolute()}"
    try:
        if path.exists() and not path.is_dir():
            raise DataDirError(f"{where} is not a directory")
    except OSError as exc:
        raise DataDirError(f"{where} cannot be looked at: {_reason(exc)}") from None
    try:
        path.mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)
    except OSError as exc:
        raise DataDirError(f"{where} does not exist and cannot be created: {_reason(exc)}") from None
    probe = path / f".write-test-{os.getpid()}"
    try:
        with open(os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as file:
            file.write(b"\0" * PROBE_BYTES)
            file.flush()
            os.fsync(file.fileno())
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise DataDirFull(f"{where}: the disk is full ({_reason(exc)})") from None
        raise DataDirError(f"{where} is not writable: {_reason(exc)}") from None
    finally:
        with contextlib.suppress(OSError):
            probe.unlink(missing_ok=True)


def make_private_dir(path: Path, setting: str) -> bool:
    """Create `path` 0700 if missing; take group and world access off it and off every file in
    it (not below: the bot writes nothing deeper). Whether it is private now.

    When that is not allowed (a directory or file owned by another user, a read-only mount),
    one WARNING names what others can still read, and the bot carries on: refusing to start
    would cost every user their answers for what is the operator's to fix.
    """
    try:
        path.mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)
        if path.stat().st_mode & (stat.S_ISVTX | stat.S_IWOTH):  # /tmp and the like: not ours to lock
            logger.warning(
                "%s %s is a directory shared with every user of this machine: use a directory of"
                " the bot's own (it is left as it is)",
                setting,
                path.absolute(),
            )
            return False
        entries = [path, *(entry for entry in path.iterdir() if entry.is_file() and not entry.is_symlink())]
    except OSError as exc:
        logger.warning("%s %s could not be made private: %s", setting, path.absolute(), _reason(exc))
        return False
    open_to_others: list[str] = []
    for entry in entries:
        try:
            mode = stat.S_IMODE(entry.stat().st_mode)
            if mode & OTHERS:
                os.chmod(entry, mode & ~OTHERS)
        except FileNotFoundError:  # gone meanwhile (a temporary file): nothing to protect
            continue
        except OSError:
            open_to_others.append(entry.name if entry != path else "the directory itself")
    if open_to_others:
        logger.warning(
            "%s %s can be read by other users of this machine and could not be made private (%s):"
            " make it and its files readable by the bot's user only (chmod 700 / 600)",
            setting,
            path.absolute(),
            ", ".join(open_to_others[:5]) + (" …" if len(open_to_others) > 5 else ""),
        )
        return False
    return True


def _reason(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__
