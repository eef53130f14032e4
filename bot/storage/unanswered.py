"""Questions the bot could not answer, for maintainers: redacted, grouped, counted.

Only declined and clarify-only questions are stored, after redaction (e-mail addresses,
@handles, document numbers and runs of six or more digits replaced) and normalisation, so
the table holds what people asked about, not who they are. A damaged database file is moved
aside at start-up (bot.storage.sqlite_file), and a write that fails later is logged and skipped: this log
is for maintainers and must never cost a user their answer.
"""

from __future__ import annotations

import logging
import re
import sqlite3
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.storage.sqlite_file import open_database, transaction
from bot.text.normalize import normalize_text
from bot.text.privacy import redact

DATABASE_FILE = "unanswered.sqlite3"
_DURATION = re.compile(r"^\s*(\d+)\s*([smhdw])\s*$")
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
MAX_STORED_CHARS = 300
SCHEMA_VERSION = 1
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS unanswered ("
    " id INTEGER PRIMARY KEY, asked_at REAL NOT NULL, lang TEXT NOT NULL,"
    " decision TEXT NOT NULL, text TEXT NOT NULL);"
    "CREATE INDEX IF NOT EXISTS unanswered_asked_at ON unanswered (asked_at);"
    # The updates already counted: one a replay after a crash hands out again is not counted twice.
    "CREATE TABLE IF NOT EXISTS unanswered_updates (update_id INTEGER PRIMARY KEY, asked_at REAL NOT NULL);"
)
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

    def __init__(self, path: Path) -> None:
        """Open (or create) the log; DataFileError if the file cannot be used at all."""
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.Lock()
        self._db = open_database(path, _SCHEMA, SCHEMA_VERSION, "the unanswered-questions log")

    def record(
        self, question: str, lang: str, decision: str, now: float, update_id: int | None = None
    ) -> None:
        """Store one redacted, normalised question (skipped when nothing is left of it, or when
        the update it came in was counted already)."""
        text = normalize_text(redact(question))[:MAX_STORED_CHARS]
        if not text:
            return
        try:
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
                    "INSERT INTO unanswered (asked_at, lang, decision, text) VALUES (?, ?, ?, ?)",
                    (now, lang, decision, text),
                )
        except sqlite3.Error as exc:  # disk full, I/O error: lose this record, keep answering
            logger.warning("unanswered question not recorded: %s", getattr(exc, "sqlite_errorname", exc))

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


def format_groups(groups: list[UnansweredGroup]) -> list[str]:
    """One line per group: count, languages, the question."""
    return [f"{group.count:>4}  {','.join(group.languages):<16} {group.text}" for group in groups]
