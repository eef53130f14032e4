"""/forget on disk: delete everything about one person from every SQLite file in BOT_DATA_DIR.

Generic on purpose: every table of every SQLite file there is looked at, and a row goes when
one of its person columns holds the person, so a table added later (reminders, a plan) is
covered by naming its columns as below, with no code here to change:

* `user_id`, `chat_id`: a Telegram user id, or a chat id (the person's private chat has their
  user id; a group's chat data is not theirs to erase: their place in it is dropped in memory
  and saved by the persistence, bot.telegram.runtime.persistence.forget_person);
* `user_key`: the keyed hash of a user id (bot.storage.person_key), where who asked must not
  be stored as such (the unanswered log);
* `id` in the state store's `user_data` and `chat_data` (bot.storage.state_store).

The journal of updates keeps updates as JSON until they are handled: those naming the person
are finished with their payload erased (bot.storage.update_journal.erase_payloads_about).

Files moved aside as damaged are swept too, when SQLite can still read them. Each file is one
transaction with secure_delete on (deleted rows are overwritten, not left in free pages), then
a checkpoint that empties the WAL of the old pages.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import time
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from pathlib import Path

from bot.storage.person_key import load_person_key, user_key
from bot.storage.sqlite_file import BUSY_TIMEOUT_SECONDS, is_damage, transaction
from bot.storage.update_journal import erase_payloads_about

SQLITE_HEADER = b"SQLite format 3\x00"
_COMPANION_SUFFIXES = ("-wal", "-shm", "-journal")
# Column name → which of the person's identifiers it holds, in any table.
PERSON_COLUMNS: Mapping[str, str] = {"user_id": "user", "chat_id": "chat", "user_key": "user_key"}
# Tables whose rows are keyed by a person under a generic name.
TABLE_COLUMNS: Mapping[tuple[str, str], str] = {("user_data", "id"): "user", ("chat_data", "id"): "chat"}
# Tables that hold a person inside a value, by name and the columns that make them what they
# are: how to erase the person there (connection, ids, now → rows).
Eraser = Callable[[sqlite3.Connection, Collection[int], float], int]
TABLE_ERASERS: Mapping[tuple[str, frozenset[str]], Eraser] = {
    ("updates", frozenset({"update_id", "payload", "done_at"})): erase_payloads_about,
}
logger = logging.getLogger("bot.erasure")


class ErasureIncomplete(Exception):
    """Some file could not be swept (locked, unreadable): the person must not be told it is done.

    The message names the files, never the person; trying again is safe (an erasure is idempotent).
    """


@dataclass(frozen=True)
class Erased:
    """What one /forget did on disk: rows deleted or erased, files swept, files that failed (busy,
    locked, read-only: try again), files no SQLite can read (damaged copies: the operator's to delete)."""

    rows: int
    files: tuple[str, ...]
    failed: tuple[str, ...] = ()
    unreadable: tuple[str, ...] = ()


def erase_person(data_dir: Path, user_id: int, now: float | None = None) -> Erased:
    """Delete every row about `user_id` (and their private chat) in every SQLite file of `data_dir`.

    A file that cannot be swept is named in a warning (never with the id) and in `failed` (locked
    past the busy timeout, read-only, I/O) or `unreadable` (damaged: nothing can read it, so
    nothing can erase in it; whoever runs the bot should delete it); the others are swept all
    the same.
    """
    identifiers: dict[str, object] = {
        "user": user_id,
        "chat": user_id,  # a private chat's id is its user's id
        "user_key": user_key(load_person_key(data_dir), user_id),
    }
    rows = 0
    swept: list[str] = []
    failed: list[str] = []
    unreadable: list[str] = []
    for path in sqlite_files(data_dir):
        try:
            rows += _erase_in_file(path, identifiers, {user_id}, time.time() if now is None else now)
        except sqlite3.Error as exc:
            reason = getattr(exc, "sqlite_errorname", type(exc).__name__)
            if isinstance(exc, sqlite3.DatabaseError) and is_damage(exc):
                unreadable.append(path.name)
                logger.warning(
                    "/forget cannot erase in %s, which is damaged (%s): it may hold people's data;"
                    " delete it once nobody needs to look at it",
                    path,
                    reason,
                )
            else:
                failed.append(path.name)
                logger.warning("/forget could not erase in %s: %s", path.name, reason)
        else:
            swept.append(path.name)
    return Erased(rows, tuple(swept), tuple(failed), tuple(unreadable))


def sqlite_files(data_dir: Path) -> list[Path]:
    """Every SQLite database file directly in `data_dir` (by its header, whatever its name)."""
    found: list[Path] = []
    with contextlib.suppress(FileNotFoundError):
        for entry in sorted(data_dir.iterdir()):
            if entry.name.endswith(_COMPANION_SUFFIXES) or not entry.is_file() or entry.is_symlink():
                continue
            with contextlib.suppress(OSError), entry.open("rb") as file:
                if file.read(len(SQLITE_HEADER)) == SQLITE_HEADER:
                    found.append(entry)
    return found


def person_columns(db: sqlite3.Connection) -> dict[str, list[tuple[str, str]]]:
    """Each table's person columns and what they hold: {"reminders": [("chat_id", "chat"), ...]}."""
    listed = db.execute("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    tables = [str(row[0]) for row in listed]
    columns: dict[str, list[tuple[str, str]]] = {}
    for table in tables:
        for row in db.execute(f"PRAGMA table_info({_quoted(table)})"):
            name = str(row[1])
            holds = TABLE_COLUMNS.get((table, name)) or PERSON_COLUMNS.get(name.lower())
            if holds is not None:
                columns.setdefault(table, []).append((name, holds))
    return columns


def _erase_in_file(path: Path, identifiers: Mapping[str, object], ids: Collection[int], now: float) -> int:
    db = sqlite3.connect(path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None)
    try:
        db.execute("PRAGMA secure_delete = ON")
        rows = 0
        with transaction(db):
            for table, columns in person_columns(db).items():
                for column, holds in columns:
                    cursor = db.execute(
                        f"DELETE FROM {_quoted(table)} WHERE {_quoted(column)} = ?", (identifiers[holds],)
                    )
                    rows += max(cursor.rowcount, 0)
            for (table, needed), erase in TABLE_ERASERS.items():
                if needed <= {str(row[1]) for row in db.execute(f"PRAGMA table_info({_quoted(table)})")}:
                    rows += erase(db, ids, now)
        # Empty the WAL, which still holds the pages as they were before (best effort: a reader
        # elsewhere may keep part of it until its own next checkpoint).
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return rows
    finally:
        db.close()


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
