"""Where per-person state lives between runs: one row per user and per chat, as JSON text.

`StateStore` is the whole contract the Telegram persistence needs — load, save a batch in one
transaction, prune — so another database (PostgreSQL, when several instances share one bot) can
replace `SQLiteStateStore` without touching the bot. Values arrive already encoded as JSON text;
the store never interprets them, and nothing here can execute code found on disk (no pickle).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol

from bot.storage.sqlite_file import failures_as, open_database, transaction

STATE_FILE = "bot-state.sqlite3"
SCHEMA_VERSION = 1
Kind = Literal["user", "chat"]
KINDS: tuple[Kind, ...] = ("user", "chat")
_TABLES: dict[Kind, str] = {"user": "user_data", "chat": "chat_data"}
_SCHEMA = "".join(
    f"CREATE TABLE IF NOT EXISTS {table} ("
    " id INTEGER PRIMARY KEY, data TEXT NOT NULL, seen_at REAL NOT NULL);"
    f"CREATE INDEX IF NOT EXISTS {table}_seen_at ON {table} (seen_at);"
    for table in _TABLES.values()
)


class StateStoreError(Exception):
    """Saving or loading failed (disk full, locked, I/O); the message holds no stored data."""


@dataclass(frozen=True)
class StoredEntry:
    """One user's or chat's data (JSON text) and when they were last seen (epoch seconds)."""

    data: str
    seen_at: float


@dataclass(frozen=True)
class StoredState:
    """Everything loaded at start-up, oldest first, by kind ("user", "chat") and id."""

    entries: Mapping[Kind, Mapping[int, StoredEntry]]
    unreadable: int = 0  # rows skipped because their text was not a JSON object


@dataclass(frozen=True)
class StateBatch:
    """The changes of one flush: written together or not at all."""

    upserts: Mapping[Kind, Mapping[int, StoredEntry]] = field(default_factory=dict)
    deletes: Mapping[Kind, frozenset[int]] = field(default_factory=dict)

    def __len__(self) -> int:
        return sum(len(rows) for rows in self.upserts.values()) + sum(
            len(ids) for ids in self.deletes.values()
        )


class StateStore(Protocol):
    """Durable per-user and per-chat state (see the module docstring)."""

    @property
    def where(self) -> str:
        """Where the state is kept, for log lines (a path or a database name; no password)."""
        ...

    def load(self, seen_since: float) -> StoredState:
        """Every entry last seen at or after `seen_since`."""
        ...

    def save_batch(self, batch: StateBatch) -> None:
        """Apply all of `batch` atomically; StateStoreError (and nothing changed) if that fails."""
        ...

    def prune(self, seen_before: float) -> int:
        """Delete the entries last seen before `seen_before`; how many went."""
        ...

    def close(self) -> None:
        """Release the database."""
        ...


class SQLiteStateStore:
    """The StateStore in one SQLite file in WAL mode (BOT_DATA_DIR/bot-state.sqlite3).

    A batch is one transaction: after a crash or a full disk mid-write SQLite rolls it back,
    so the file holds the last batch that committed. Calls come from a worker thread (so the
    event loop never waits for the disk); a lock keeps them one at a time.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._db = open_database(path, _SCHEMA, SCHEMA_VERSION, "the bot's state")

    @property
    def where(self) -> str:
        """The database file's path."""
        return str(self.path)

    def load(self, seen_since: float) -> StoredState:
        """Every entry seen since `seen_since`, oldest first; rows that are not JSON objects skipped."""
        entries: dict[Kind, dict[int, StoredEntry]] = {}
        unreadable = 0
        with self._lock, failures_as(StateStoreError, "load the state"):
            for kind, table in _TABLES.items():
                rows = self._db.execute(
                    f"SELECT id, data, seen_at FROM {table} WHERE seen_at >= ? ORDER BY seen_at",
                    (seen_since,),
                )
                loaded: dict[int, StoredEntry] = {}
                for row_id, data, seen_at in rows:
                    if isinstance(data, str) and data.startswith("{"):
                        loaded[int(row_id)] = StoredEntry(data, float(seen_at))
                    else:
                        unreadable += 1
                entries[kind] = loaded
        return StoredState(entries, unreadable)

    def save_batch(self, batch: StateBatch) -> None:
        """Upserts and deletes in one transaction (rolled back as a whole if any part fails)."""
        if not len(batch):
            return
        with self._lock, failures_as(StateStoreError, "save the state"), transaction(self._db):
            for kind, table in _TABLES.items():
                upserts = batch.upserts.get(kind, {})
                self._db.executemany(
                    f"INSERT INTO {table} (id, data, seen_at) VALUES (?, ?, ?)"
                    " ON CONFLICT (id) DO UPDATE SET data = excluded.data, seen_at = excluded.seen_at",
                    [(row_id, entry.data, entry.seen_at) for row_id, entry in upserts.items()],
                )
                self._db.executemany(
                    f"DELETE FROM {table} WHERE id = ?",
                    [(row_id,) for row_id in batch.deletes.get(kind, frozenset())],
                )

    def prune(self, seen_before: float) -> int:
        """Delete everyone not seen since `seen_before`, in one transaction."""
        with self._lock, failures_as(StateStoreError, "prune the state"), transaction(self._db):
            removed = sum(
                self._db.execute(f"DELETE FROM {table} WHERE seen_at < ?", (seen_before,)).rowcount
                for table in _TABLES.values()
            )
        return removed

    def close(self) -> None:
        """Close the database (a checkpoint folds the WAL back into the file)."""
        with self._lock:
            self._db.close()
