"""Questions the bot could not answer, for maintainers: redacted, grouped, counted.

Only declined and clarify-only questions are stored, after redaction (e-mail addresses,
@handles, document numbers and runs of six or more digits replaced) and normalisation, so
the table holds what people asked about, not who they are: who asked is kept only as a keyed
hash of their user id (bot.storage.person_key), so that /forget can find their rows, and
nothing older than the retention (BOT_UNANSWERED_KEEP_DAYS) is kept. A damaged database file is moved
aside at start-up (bot.storage.sqlite_file), and a write that fails later is logged and skipped: this log
is for maintainers and must never cost a user their answer.
"""

from __future__ import annotations

import logging
import re
import sqlite3
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.storage.person_key import load_person_key, user_key
from bot.storage.sqlite_file import open_database, transaction
from bot.text.normalize import normalize_text
from bot.text.privacy import redact

DATABASE_FILE = "unanswered.sqlite3"
_DURATION = re.compile(r"^\s*(\d+)\s*([smhdw])\s*$")
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
MAX_STORED_CHARS = 300
DEFAULT_KEEP_DAYS = 90  # how long a question is kept unless BOT_UNANSWERED_KEEP_DAYS says otherwise
PRUNE_EVERY_SECONDS = 3600.0
PERSON_COLUMN = "user_key"  # the keyed hash of who asked (bot.storage.erasure finds rows by it)
SCHEMA_VERSION = 1
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS unanswered ("
    " id INTEGER PRIMARY KEY, asked_at REAL NOT NULL, lang TEXT NOT NULL,"
    " decision TEXT NOT NULL, text TEXT NOT NULL, user_key TEXT);"
    "CREATE INDEX IF NOT EXISTS unanswered_asked_at ON unanswered (asked_at);"
    # The updates already counted: one a replay after a crash hands out again is not counted twice.
    "CREATE TABLE IF NOT EXISTS unanswered_updates (update_id INTEGER PRIMARY KEY, asked_at REAL NOT NULL);"
)
Clock = Callable[[], float]
KEEP_UPDATE_IDS_SECONDS = 7 * 86400  # Telegram renumbers after a week without updates
logger = logging.getLogger("bot.storage.unanswered")


def parse_duration(text: str) -> float:
    """Seconds in "30m", "24h", "7d", "2w"; ValueError for anything else."""
    found = _DURATION.match(text.lower())
    if not found:
        raise ValueError(f"not a duration: {text!r} (use e.g. 24h, 7d, 2w)")
    return int(found.group(1)) * _SECONDS[found.group(2)]


@dataclass(frozen=True)
class UnansweredGroup:
    """One normalised question, how often it was asked, and in which languages."""

    text: str
    count: int
    languages: tuple[str, ...]
    decisions: tuple[str, ...]


class UnansweredLog:
    """An SQLite table under BOT_DATA_DIR; safe to call from the bot's event loop thread."""

    def __init__(self, path: Path, keep_days: int | None = None, clock: Clock = time.time) -> None:
        """Open (or create) the log; DataFileError if the file cannot be used at all.

        With `keep_days` (the bot), older questions are deleted now and every hour after; without
        (`python -m bot unanswered`, which does not know the bot's setting), none are.
        """
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.path = path
        self.keep_seconds = keep_days * 86400.0 if keep_days is not None else None
        self._lock = threading.Lock()
        self._key: bytes | None = None  # made on the first record: listing the log writes nothing
        self._db = open_database(path, _SCHEMA, SCHEMA_VERSION, "the unanswered-questions log")
        _add_person_column(self._db)
        self._pruned_at = 0.0
        self._prune(clock())

    def record(
        self,
        question: str,
        lang: str,
        decision: str,
        now: float,
        user_id: int | None = None,
        update_id: int | None = None,
    ) -> None:
        """Store one redacted, normalised question (skipped when nothing is left of it, or when
        the update it came in was counted already), with the keyed hash of who asked; questions
        older than the retention go now and then."""
        text = normalize_text(redact(question))[:MAX_STORED_CHARS]
        if not text:
            return
        try:
            asker = user_key(self._person_key(), user_id) if user_id is not None else None
            with self._lock, transaction(self._db):
                if update_id is not None:
                    counted = self._db.execute(
                        "INSERT OR IGNORE INTO unanswered_updates (update_id, asked_at) VALUES (?, ?)",
                        (update_id, now),
                    )
                    if counted.rowcount == 0:
                        return
                    self._db.execute(
                        "DELETE FROM unanswered_updates WHERE asked_at < ?", (now - KEEP_UPDATE_IDS_SECONDS,)
                    )
                self._db.execute(
                    "INSERT INTO unanswered (asked_at, lang, decision, text, user_key)"
                    " VALUES (?, ?, ?, ?, ?)",
                    (now, lang, decision, text, asker),
                )
            self._prune(now)
        except (sqlite3.Error, OSError) as exc:  # disk full, I/O error: lose this record, keep answering
            logger.warning("unanswered question not recorded: %s", getattr(exc, "sqlite_errorname", exc))

    def _person_key(self) -> bytes:
        if self._key is None:
            self._key = load_person_key(self.path.parent)
        return self._key

    def _prune(self, now: float) -> None:
        """Delete the questions older than the retention, at most once an hour."""
        if self.keep_seconds is None or now - self._pruned_at < PRUNE_EVERY_SECONDS:
            return
        self._pruned_at = now
        try:
            with self._lock:
                self._db.execute("DELETE FROM unanswered WHERE asked_at < ?", (now - self.keep_seconds,))
        except sqlite3.Error as exc:  # tried again in an hour
            logger.warning("old unanswered questions not deleted: %s", getattr(exc, "sqlite_errorname", exc))

    def most_frequent(self, since: float, limit: int = 20) -> list[UnansweredGroup]:
        """The most asked unanswered questions since `since` (epoch seconds), most frequent first."""
        with self._lock:
            rows: Sequence[tuple[str, int, str, str]] = self._db.execute(
                "SELECT text, COUNT(*), GROUP_CONCAT(DISTINCT lang), GROUP_CONCAT(DISTINCT decision)"
                " FROM unanswered WHERE asked_at >= ? GROUP BY text"
                " ORDER BY COUNT(*) DESC, MAX(asked_at) DESC LIMIT ?",
                (since, limit),
            ).fetchall()
        return [
            UnansweredGroup(text, count, tuple(sorted(langs.split(","))), tuple(sorted(decisions.split(","))))
            for text, count, langs, decisions in rows
        ]

    def close(self) -> None:
        """Close the database."""
        with self._lock:
            self._db.close()


def _add_person_column(db: sqlite3.Connection) -> None:
    """Give a log made by an earlier version its user_key column (its old rows have none)."""
    columns = {row[1] for row in db.execute("PRAGMA table_info(unanswered)")}
    if PERSON_COLUMN not in columns:
        db.execute(f"ALTER TABLE unanswered ADD COLUMN {PERSON_COLUMN} TEXT")
    db.execute(f"CREATE INDEX IF NOT EXISTS unanswered_{PERSON_COLUMN} ON unanswered ({PERSON_COLUMN})")


def format_groups(groups: list[UnansweredGroup]) -> list[str]:
    """One line per group: count, languages, the question."""
    return [f"{group.count:>4}  {','.join(group.languages):<16} {group.text}" for group in groups]
