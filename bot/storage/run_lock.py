"""One running bot per data directory: an exclusive flock on BOT_DATA_DIR/bot.lock.

Two bots on one directory poll with the same token (Telegram answers one of them 409, in turn)
and share the journal: last round, 20 of 100 questions were answered twice. The lock is the
kernel's, so it goes with the process however it ends (kill -9 included): no stale lock file to
clean up. The file holds the holder's pid, for the message a second start prints.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

LOCK_FILE = "bot.lock"


class DataDirInUse(Exception):
    """Another process holds the data directory; the message names it."""


@contextlib.contextmanager
def data_dir_lock(data_dir: Path) -> Iterator[None]:
    """Hold the data directory's lock for the duration; DataDirInUse if another process has it."""
    path = data_dir / LOCK_FILE
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
            who = f" (pid {holder})" if holder.isdigit() else ""
            raise DataDirInUse(
                f"BOT_DATA_DIR {data_dir.absolute()} is in use by another running bot{who}:"
                " one process per data directory"
            ) from None
        with contextlib.suppress(OSError):  # a full disk: the lock still holds, the pid is a courtesy
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)
