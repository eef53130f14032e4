"""Reminders people asked for, in SQLite under BOT_DATA_DIR: scheduled again at every start.

PTB's JobQueue keeps nothing across restarts, so the reminders live here and the bot's
reminder loop (bot/telegram/runtime/reminder_loop.py) reads what is due. A row is keyed by
chat_id and user_id (so forgetting a person deletes theirs) and the reminder's kind: asking
again moves it instead of adding a second one. It holds ids, a kind, a time and a language
code: nothing anyone typed.

"Never sent twice": take_due() marks a reminder sent in the same transaction that picks it,
before it is sent. A crash between that commit and the send loses that one reminder rather
than sending it again after the restart (at most once).
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path

from bot.conversation.plan import Reminder, ReminderKind, parse_reminder_kind
from bot.storage.sqlite_file import open_database, transaction
from bot.text.language import Lang, parse_language

REMINDERS_FILE = "reminders.sqlite3"
SCHEMA_VERSION = 1
SENT_KEPT_SECONDS = 30 * 86_400.0  # sent rows are kept this long, then purged at start
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS reminders ("
    " chat_id INTEGER NOT NULL, user_id INTEGER NOT NULL, kind TEXT NOT NULL,"
    " due_at REAL NOT NULL, lang TEXT NOT NULL, sent INTEGER NOT NULL DEFAULT 0,"
    " PRIMARY KEY (chat_id, user_id, kind));"
    "CREATE INDEX IF NOT EXISTS reminders_due ON reminders (sent, due_at);"
)


@dataclass(frozen=True)
class DueReminder:
    """A reminder to send now: to whom, what, in which language."""

    chat_id: int
    user_id: int
    kind: ReminderKind
    lang: Lang


class ReminderStore:
    """The reminders table; every call is one short statement or transaction (event-loop safe)."""

    def __init__(self, path: Path) -> None:
        """Open (or create) the store; a damaged file is moved aside (bot.storage.sqlite_file)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.Lock()
        self._db = open_database(path, _SCHEMA, SCHEMA_VERSION, "the reminders")

    def schedule(self, chat_id: int, user_id: int, reminder: Reminder, lang: Lang) -> None:
        """Schedule `reminder` for this person (replacing one of the same kind, sent or not)."""
        with self._lock:
            self._db.execute(
                "INSERT INTO reminders (chat_id, user_id, kind, due_at, lang, sent) VALUES (?, ?, ?, ?, ?, 0)"
                " ON CONFLICT (chat_id, user_id, kind) DO UPDATE SET"
                " due_at = excluded.due_at, lang = excluded.lang, sent = 0",
                (chat_id, user_id, reminder.kind, reminder.due_at, lang),
            )

    def cancel(self, chat_id: int, user_id: int, kind: ReminderKind) -> None:
        """Cancel this person's reminder of `kind` (nothing happens if there is none)."""
        with self._lock:
            self._db.execute(
                "DELETE FROM reminders WHERE chat_id = ? AND user_id = ? AND kind = ? AND sent = 0",
                (chat_id, user_id, kind),
            )

    def pending(self, chat_id: int, user_id: int) -> tuple[Reminder, ...]:
        """This person's reminders not sent yet, soonest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT kind, due_at FROM reminders WHERE chat_id = ? AND user_id = ? AND sent = 0"
                " ORDER BY due_at",
                (chat_id, user_id),
            ).fetchall()
        return tuple(
            Reminder(kind, float(due_at))
            for name, due_at in rows
            if (kind := parse_reminder_kind(name)) is not None
        )

    def take_due(self, now: float) -> DueReminder | None:
        """The earliest reminder due by `now`, marked sent in the same transaction (at most once)."""
        with self._lock, transaction(self._db):
            row = self._db.execute(
                "SELECT chat_id, user_id, kind, lang FROM reminders WHERE sent = 0 AND due_at <= ?"
                " ORDER BY due_at LIMIT 1",
                (now,),
            ).fetchone()
            if row is None:
                return None
            chat_id, user_id, name, code = row
            self._db.execute(
                "UPDATE reminders SET sent = 1 WHERE chat_id = ? AND user_id = ? AND kind = ?",
                (chat_id, user_id, name),
            )
        kind = parse_reminder_kind(name)
        lang = parse_language(code)
        if kind is None or lang is None:  # written by another version: marked sent, skipped
            return self.take_due(now)
        return DueReminder(int(chat_id), int(user_id), kind, lang)

    def next_due(self) -> float | None:
        """When the next unsent reminder is due (None when there is none)."""
        with self._lock:
            row = self._db.execute("SELECT MIN(due_at) FROM reminders WHERE sent = 0").fetchone()
        return float(row[0]) if row and row[0] is not None else None

    def drop_chat(self, chat_id: int) -> int:
        """Delete every reminder of a chat (it blocked the bot); how many went."""
        with self._lock:
            return self._db.execute("DELETE FROM reminders WHERE chat_id = ?", (chat_id,)).rowcount

    def purge_sent(self, before: float) -> None:
        """Delete sent reminders that were due before `before`."""
        with self._lock:
            self._db.execute("DELETE FROM reminders WHERE sent = 1 AND due_at < ?", (before,))

    def close(self) -> None:
        """Close the file."""
        with self._lock, contextlib.suppress(sqlite3.Error):  # closing must never stop a shutdown
            self._db.close()
