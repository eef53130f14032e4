"""The journal of updates: every update the bot was given, until its handling ended.

Telegram forgets an update once the bot confirms it (the next getUpdates offset, or a 2xx to a
webhook POST), and the bot confirms a batch before handling it. Without a journal a crash loses
whatever was confirmed but not yet handled. With it:

* at-least-once in: a batch is recorded here before it is confirmed; updates not finished when
  the process stopped are handed out again at the next start, in update_id order;
* exactly-once out: an update id recorded before is never handed out a second time (a repeated
  webhook POST, a batch Telegram sends again because the confirmation was lost), and an update
  is finished once its handling ended, whether it succeeded or failed with a handled error.

What is stored is the update as JSON, already redacted by the caller, and only while it is
unfinished: finishing deletes the payload and keeps the id alone, for deduplication, for
KEEP_DONE_SECONDS. Telegram numbers updates sequentially but picks a random new start after a
week without updates, so ids older than a few days can never come back and are pruned.

`UpdateJournal` is the contract; `SQLiteUpdateJournal` keeps it in one SQLite file next to the
state (BOT_DATA_DIR/bot-updates.sqlite3). Calls are short (one small transaction each) and are
made from the event loop: a finished update must be on disk before the next one can be lost.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from bot.storage.sqlite_file import DiskFullError, failures_as, open_database, transaction

JOURNAL_FILE = "bot-updates.sqlite3"
SCHEMA_VERSION = 1
KEEP_DONE_SECONDS = 3 * 86400  # well under Telegram's week before update ids start afresh
PRUNE_EVERY_SECONDS = 3600.0
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS updates ("
    " update_id INTEGER PRIMARY KEY, received_at REAL NOT NULL, payload TEXT, done_at REAL);"
    "CREATE INDEX IF NOT EXISTS updates_done_at ON updates (done_at);"
)
Clock = Callable[[], float]
logger = logging.getLogger("bot.data")


def erase_payloads_about(db: sqlite3.Connection, ids: Collection[int], now: float) -> int:
    """Finish every unfinished update that names one of `ids` (as a user's or chat's "id"),
    erasing its payload; how many. For /forget (bot.storage.erasure), on any connection.

    Finished, not deleted: the id stays for deduplication, and the update being handled right
    now (the /forget confirmation itself) is not handed out again after a crash.
    """
    rows = db.execute("SELECT update_id, payload FROM updates WHERE done_at IS NULL AND payload IS NOT NULL")
    found = [update_id for update_id, payload in rows.fetchall() if _names_any(payload, ids)]
    db.executemany(
        "UPDATE updates SET payload = NULL, done_at = ? WHERE update_id = ?",
        [(now, update_id) for update_id in found],
    )
    return len(found)


def _names_any(payload: str, ids: Collection[int]) -> bool:
    """Whether any object in the JSON `payload` has an "id" among `ids` (a payload that is not
    JSON is treated as naming them: better erased than kept)."""
    try:
        value = json.loads(payload)
    except (ValueError, RecursionError):
        return True
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, dict):
            found = item.get("id")
            if isinstance(found, int) and not isinstance(found, bool) and found in ids:
                return True
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False


class UpdateJournalError(Exception):
    """Recording or reading the journal failed (disk full, I/O); the message holds no payload."""


@dataclass(frozen=True)
class JournalEntry:
    """One update as handed to the journal: its id and its redacted JSON.

    A payload of None records an update that is finished on arrival (one that could not be
    read): its id is kept for deduplication, there is nothing to hand out again.
    """

    update_id: int
    payload: str | None


class UpdateJournal(Protocol):
    """Durable record of updates between arrival and the end of their handling."""

    @property
    def where(self) -> str:
        """Where the journal is kept, for log lines."""
        ...

    def record(self, entries: Sequence[JournalEntry]) -> frozenset[int]:
        """Record a batch atomically; the ids that were new (the only ones to handle)."""
        ...

    def finish(self, update_id: int) -> None:
        """The update's handling ended: forget its payload, keep its id as done."""
        ...

    def unfinished(self) -> list[JournalEntry]:
        """Updates recorded but never finished, oldest id first (to hand out again at start)."""
        ...

    def prune(self, done_before: float) -> int:
        """Forget the ids of updates finished before `done_before`; how many went."""
        ...

    def close(self) -> None:
        """Release the journal."""
        ...


class SQLiteUpdateJournal:
    """The UpdateJournal in one SQLite file (WAL, synchronous=NORMAL as every file here,
    secure_delete).

    synchronous=NORMAL (bot/storage/sqlite_file.py): a transaction is on disk once it commits as far as
    the process is concerned (kill -9 loses nothing); only a power cut may lose the last ones,
    as for any WAL database. secure_delete: an erased payload is overwritten, not left in a
    free page.
    """

    def __init__(self, path: Path, clock: Clock = time.time) -> None:
        self.path = path
        self._clock = clock
        self._db = open_database(path, _SCHEMA, SCHEMA_VERSION, "the journal of updates")
        self._db.execute("PRAGMA secure_delete = ON")
        # The WAL keeps old page images (payloads included) until it is reused; cap what stays.
        self._db.execute("PRAGMA journal_size_limit = 1048576")
        self._pruned_at = 0.0

    @property
    def where(self) -> str:
        """The database file's path."""
        return str(self.path)

    def record(self, entries: Sequence[JournalEntry]) -> frozenset[int]:
        """Insert the entries not seen before, in one transaction; return their ids."""
        if not entries:
            return frozenset()
        now = self._clock()
        with failures_as(UpdateJournalError, "record updates"), transaction(self._db):
            ids = [entry.update_id for entry in entries]
            known = {
                row[0]
                for row in self._db.execute(
                    f"SELECT update_id FROM updates WHERE update_id IN ({','.join('?' * len(ids))})", ids
                )
            }
            fresh = {entry.update_id: entry for entry in entries if entry.update_id not in known}
            self._db.executemany(
                "INSERT INTO updates (update_id, received_at, payload, done_at) VALUES (?, ?, ?, ?)",
                [
                    (entry.update_id, now, entry.payload, None if entry.payload is not None else now)
                    for entry in fresh.values()
                ],
            )
        return frozenset(fresh)

    def finish(self, update_id: int) -> None:
        """Mark done and erase the payload; now and then, prune old ids too."""
        now = self._clock()
        with failures_as(UpdateJournalError, "finish an update"):
            self._db.execute(
                "UPDATE updates SET payload = NULL, done_at = ? WHERE update_id = ? AND done_at IS NULL",
                (now, update_id),
            )
        if now - self._pruned_at > PRUNE_EVERY_SECONDS:
            self.prune(now - KEEP_DONE_SECONDS)

    def unfinished(self) -> list[JournalEntry]:
        """Every unfinished update with its payload, by update id."""
        with failures_as(UpdateJournalError, "read the journal"):
            rows = self._db.execute(
                "SELECT update_id, payload FROM updates WHERE done_at IS NULL ORDER BY update_id"
            ).fetchall()
        return [JournalEntry(int(update_id), payload) for update_id, payload in rows]

    def prune(self, done_before: float) -> int:
        """Delete ids finished before `done_before`."""
        self._pruned_at = self._clock()
        with failures_as(UpdateJournalError, "prune the journal"):
            cursor = self._db.execute("DELETE FROM updates WHERE done_at < ?", (done_before,))
        return cursor.rowcount

    def close(self) -> None:
        """Close the database (a checkpoint folds the WAL back into the file)."""
        self._db.close()


def open_update_journal(path: Path, clock: Clock = time.time) -> UpdateJournal:
    """The SQLite journal at `path`; on a full disk, one that keeps trying to open it.

    Starting on a full disk is better than not starting: the bot answers, and confirms nothing
    until the journal can be written (bot.telegram.runtime.intake).
    """
    try:
        return SQLiteUpdateJournal(path, clock)
    except DiskFullError as exc:
        logger.warning("%s: updates are answered but not confirmed until it can be written", exc)
        return DeferredUpdateJournal(path, clock)


class DeferredUpdateJournal:
    """The journal whose file could not be created (a full disk): each call tries again, and
    fails with UpdateJournalError until it can; from then on it is the SQLite journal."""

    def __init__(self, path: Path, clock: Clock = time.time) -> None:
        self.path = path
        self._clock = clock
        self._journal: SQLiteUpdateJournal | None = None
        self._lock = threading.Lock()

    @property
    def where(self) -> str:
        """The database file's path."""
        return str(self.path)

    def _opened(self) -> SQLiteUpdateJournal:
        with self._lock:
            if self._journal is None:
                try:
                    self._journal = SQLiteUpdateJournal(self.path, self._clock)
                except Exception as exc:  # DataFileError: still full, or worse
                    raise UpdateJournalError(f"could not open the journal: {exc}") from None
            return self._journal

    def record(self, entries: Sequence[JournalEntry]) -> frozenset[int]:
        """Record, once the file can be opened."""
        return self._opened().record(entries)

    def finish(self, update_id: int) -> None:
        """Finish, once the file can be opened."""
        self._opened().finish(update_id)

    def unfinished(self) -> list[JournalEntry]:
        """Nothing could have been left unfinished in a journal never written."""
        return [] if self._journal is None else self._journal.unfinished()

    def prune(self, done_before: float) -> int:
        """Prune, once the file can be opened."""
        return self._opened().prune(done_before)

    def close(self) -> None:
        """Close the journal if it was ever opened."""
        if self._journal is not None:
            self._journal.close()
