"""Open the bot's SQLite files under BOT_DATA_DIR, whatever an earlier run left on disk.

A damaged file (not a database, malformed pages, a schema from another version) must not stop
the bot: it is renamed with a timestamp suffix — kept for whoever wants to look at it — and a
fresh one is created, with one warning. Anything else that stops SQLite (a read-only file, a full
disk, a lock held by another process) is not damage: DataFileError says what is wrong, and the
file is left alone.
"""

from __future__ import annotations

import contextlib
import datetime
import logging
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

# Primary SQLite result codes that mean "the bytes on disk are not a (readable) database".
_SQLITE_CORRUPT = 11
_SQLITE_NOTADB = 26
_COMPANIONS = ("-wal", "-shm", "-journal")  # SQLite's files next to a database
BUSY_TIMEOUT_SECONDS = 2.0
CACHE_KIB = 256
PRIVATE_FILE_MODE = 0o600  # people's data: readable by the bot's own user only
logger = logging.getLogger("bot.data")


class DataFileError(Exception):
    """A file under BOT_DATA_DIR cannot be used; the message names it and says why."""


class DiskFullError(DataFileError):
    """The file cannot be created or written because the disk is full (the bot can start
    without it, degraded, and try again later: issue 18)."""


class _Damaged(Exception):
    """The database file is damaged (internal: it is moved aside)."""


def open_database(path: Path, schema: str, version: int, what: str) -> sqlite3.Connection:
    """A connection to `path` (WAL mode, `schema` created), moving a damaged file aside first.

    `version` is stored as SQLite's user_version: a file written with another one is treated as
    damaged. `what` names the file's purpose in the warning and in errors ("the bot's state").
    """
    try:
        return _open(path, schema, version)
    except _Damaged as damage:
        moved = move_aside(path, "damaged")
        logger.warning(
            "%s in %s was unreadable (%s): moved to %s, starting with an empty one",
            what,
            path,
            damage,
            moved.name,
        )
    try:
        return _open(path, schema, version)
    except _Damaged as damage:  # a fresh file cannot be damaged: the filesystem is lying
        raise DataFileError(f"cannot create {what} in {path}: {damage}") from None


def move_aside(path: Path, reason: str) -> Path:
    """Rename `path` (and SQLite's -wal/-shm next to it) to `<name>.<reason>-<UTC time>`."""
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.name}.{reason}-{stamp}")
    counter = 1
    while target.exists():
        counter += 1
        target = path.with_name(f"{path.name}.{reason}-{stamp}-{counter}")
    try:
        for suffix in _COMPANIONS:
            companion = path.with_name(path.name + suffix)
            if companion.exists():
                companion.rename(target.with_name(target.name + suffix))
        path.rename(target)
    except OSError as exc:
        raise DataFileError(f"cannot move the unreadable {path} aside: {exc.strerror or exc}") from None
    return target


@contextlib.contextmanager
def failures_as(error_class: type[Exception], action: str) -> Iterator[None]:
    """sqlite3 errors raised as `error_class`, naming what failed and why (never the data)."""
    try:
        yield
    except sqlite3.Error as error:
        name = getattr(error, "sqlite_errorname", type(error).__name__)
        raise error_class(f"could not {action}: {name} ({error})") from None


@contextlib.contextmanager
def transaction(db: sqlite3.Connection) -> Iterator[None]:
    """BEGIN IMMEDIATE … COMMIT, rolled back if anything in between (or the commit) fails."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
        db.execute("COMMIT")
    except BaseException:
        if db.in_transaction:
            with contextlib.suppress(sqlite3.Error):  # SQLite may have rolled back already
                db.execute("ROLLBACK")
        raise


def make_private(path: Path) -> None:
    """Create `path` empty if it is missing, and make it and SQLite's files beside it 0600.

    SQLite creates its -wal, -shm and -journal files with the mode of the database file, so a
    database made 0600 before SQLite opens it never has a readable companion; an older 0644
    one is tightened here (silently left when that is not allowed: the data directory's check
    at start-up names it).
    """
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE))
    for name in (path.name, *(path.name + suffix for suffix in _COMPANIONS)):
        with contextlib.suppress(OSError):
            os.chmod(path.with_name(name), PRIVATE_FILE_MODE)


def _open(path: Path, schema: str, version: int) -> sqlite3.Connection:
    try:
        make_private(path)
    except OSError as exc:
        raise DataFileError(f"cannot open {path}: {exc.strerror or exc}{_os_hint(exc)}") from None
    try:
        db = sqlite3.connect(
            path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None, check_same_thread=False
        )
    except sqlite3.Error as exc:
        raise DataFileError(f"cannot open {path}: {exc}") from None
    try:
        _prepare(db, schema, version)
    except _Damaged:
        db.close()
        raise
    except sqlite3.DatabaseError as exc:
        db.close()
        if is_damage(exc):
            raise _Damaged(str(exc)) from None
        error = (
            DiskFullError if getattr(exc, "sqlite_errorname", "").startswith("SQLITE_FULL") else DataFileError
        )
        raise error(f"cannot use {path}: {exc}{_hint(exc)}") from None
    return db


def _prepare(db: sqlite3.Connection, schema: str, version: int) -> None:
    db.execute("PRAGMA journal_mode=WAL")  # reads the header: a non-database fails here
    # Writes by primary key and appends need few pages: the default 2 MB cache would only sit
    # in the bot's resident memory (bench/state_memory.py).
    db.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
    # synchronous=NORMAL: with WAL, a commit is on disk as far as the process is concerned (a
    # kill -9 loses nothing) without an fsync; only a power cut may lose the last commits.
    # FULL (the default) would fsync on every commit, and these commits run on the bot's
    # event loop: one unanswered question logged stalled every chat for the disk's flush.
    db.execute("PRAGMA synchronous = NORMAL")
    # What is deleted (a person who sent /forget, people not seen for 30 days) is overwritten,
    # not left readable in a free page of the file.
    db.execute("PRAGMA secure_delete = ON")
    found = db.execute("PRAGMA quick_check").fetchone()
    if found is None or found[0] != "ok":
        raise _Damaged(f"integrity check: {found[0] if found else 'no result'}")
    stored = db.execute("PRAGMA user_version").fetchone()[0]
    if stored not in (0, version):
        raise _Damaged(f"schema version {stored}, this bot uses {version}")
    db.executescript(schema)
    db.execute(f"PRAGMA user_version = {int(version)}")


def is_damage(exc: sqlite3.DatabaseError) -> bool:
    """Whether SQLite says the file is not a (readable) database, rather than busy, locked or full."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code is None:  # an error raised by the sqlite3 module itself, not by SQLite
        return False
    return code & 0xFF in (_SQLITE_CORRUPT, _SQLITE_NOTADB)


def _os_hint(exc: OSError) -> str:
    if isinstance(exc, PermissionError):
        return " (check that the bot's user may write to the directory)"
    return ""


def _hint(exc: sqlite3.Error) -> str:
    name = getattr(exc, "sqlite_errorname", "")
    if name.startswith("SQLITE_BUSY") or name.startswith("SQLITE_LOCKED"):
        return " (is another copy of the bot running with the same BOT_DATA_DIR?)"
    if name.startswith("SQLITE_FULL"):
        return " (the disk is full)"
    if name.startswith("SQLITE_READONLY") or name.startswith("SQLITE_CANTOPEN"):
        return " (check that the bot's user may write to the file and its directory)"
    return ""
