"""BOT_DATA_DIR checked before anything is started, so that a bad one gets one clear line.

Without this, a missing, read-only or full data directory surfaced as a traceback from deep
inside SQLite or PTB that did not even name the path.
"""

from __future__ import annotations

import contextlib
import errno
import os
from pathlib import Path

PROBE_BYTES = 64 * 1024  # room for a few state saves: less than this and the bot cannot work


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
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DataDirError(f"{where} does not exist and cannot be created: {_reason(exc)}") from None
    probe = path / f".write-test-{os.getpid()}"
    try:
        with probe.open("wb") as file:
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


def _reason(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__
