"""PTB persistence over a StateStore (SQLite by default): per-user and per-chat data as JSON.

How it follows PTB 22's BasePersistence contract, and where it departs from PicklePersistence:

* `get_user_data` / `get_chat_data` load, once at start-up, everyone seen in the last 30 days;
  older rows are pruned first, so they never reach memory. No copy is kept here afterwards: the
  Application's dicts are the only one in memory.
* `update_*_data` (PTB calls them every `update_interval` seconds for each user and chat that was
  used) only encode the data as JSON and queue it; `flush` writes the queue as one transaction
  off the event loop. A flush that fails keeps the queue (newer changes win) for the next one.
* `refresh_*_data` (called before each handler) stores nothing: memory is authoritative in a
  single instance. It marks the user or chat as seen, which is what the 30-day sweep reads.
* bot_data and callback_data are not stored (PersistenceInput says so, so PTB never asks);
  conversations are not stored either, and a persistent ConversationHandler is refused.

PersistentApplication wires it together: before each persistence run it drops, from memory and
from the store, the people and chats not seen for 30 days (Application.drop_user_data /
drop_chat_data; at most FORGET_PER_SAVE a run), then flushes; nothing raised on the way escapes
into PTB's updater loop. bench/state_memory.py measures the memory this keeps flat.

An entry whose data is empty is deleted rather than stored: it says nothing, and after /forget
PTB's defaultdicts hand out a fresh empty dict for the person, which must not put a row with
their id back (forget_person).
"""

from __future__ import annotations

import asyncio
import logging
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

from telegram.ext import Application, BasePersistence, PersistenceInput
from telegram.warnings import PTBUserWarning

from bot.storage.erasure import Erased, ErasureIncomplete, erase_person
from bot.storage.sqlite_file import DiskFullError, move_aside
from bot.storage.state_json import decode_entry, encode_entry
from bot.storage.state_store import (
    KINDS,
    STATE_FILE,
    Kind,
    SQLiteStateStore,
    StateBatch,
    StateStore,
    StateStoreError,
    StoredEntry,
)
from bot.telegram.people import drop_person

FORGET_AFTER_SECONDS = 30 * 86400
# Users and chats forgotten per save, at most: PTB turns each drop into an asyncio task, and
# forgetting 20,000 people at once (after a quiet month) costs ~16 MB of tasks, a peak the
# process keeps as resident memory. A thousand every 10 s still forgets 100 people a second.
FORGET_PER_SAVE = 1_000
LEGACY_PICKLE_FILE = "bot-state.pickle"  # the state file of versions before the SQLite store
IN_MEMORY = ":memory:"  # SQLite's name for a database that lives in memory only
Data = dict[str, Any]
Clock = Callable[[], float]
logger = logging.getLogger("bot.state")


class StatePersistence(BasePersistence[Data, Data, Data]):
    """User and chat data in a StateStore; see the module docstring for the contract."""

    def __init__(
        self,
        store: StateStore,
        *,
        update_interval: float,
        forget_after: float = FORGET_AFTER_SECONDS,
        clock: Clock = time.time,
    ) -> None:
        super().__init__(
            store_data=PersistenceInput(bot_data=False, chat_data=True, user_data=True, callback_data=False),
            update_interval=update_interval,
        )
        self.store = store
        self.forget_after = forget_after
        self._clock = clock
        self._loaded: dict[Kind, dict[int, Data]] | None = None
        # When each user or chat was last seen, oldest first (moved to the end when seen again).
        # One map for both: a private chat's id is its user's id (the same person, seen at the
        # same time), and group ids are negative, so they never meet a user id.
        self._seen: dict[int, float] = {}
        # Changes since the last successful flush: an entry to write, or None to delete.
        self._pending: dict[Kind, dict[int, StoredEntry | None]] = {kind: {} for kind in KINDS}
        self._flush_lock = asyncio.Lock()
        self._reported_types: set[str] = set()

    # ---- loading (once, at Application.initialize)

    async def get_user_data(self) -> dict[int, Data]:
        """Everyone's user_data seen in the last 30 days."""
        return (await self._load()).pop("user", {})

    async def get_chat_data(self) -> dict[int, Data]:
        """Every chat's chat_data seen in the last 30 days."""
        return (await self._load()).pop("chat", {})

    async def _load(self) -> dict[Kind, dict[int, Data]]:
        if self._loaded is None:
            self._loaded = await asyncio.to_thread(self._read_store)
        return self._loaded

    def _read_store(self) -> dict[Kind, dict[int, Data]]:
        cutoff = self._clock() - self.forget_after
        try:
            self.store.prune(cutoff)
        except StateStoreError as exc:  # stale rows are skipped below and pruned at a later start
            logger.warning("old state not pruned: %s", exc)
        stored = self.store.load(cutoff)
        loaded: dict[Kind, dict[int, Data]] = {kind: {} for kind in KINDS}
        unreadable = stored.unreadable
        seen: dict[int, float] = {}
        for kind in KINDS:
            for entry_id, entry in stored.entries.get(kind, {}).items():
                data = decode_entry(entry.data)
                if data is None:
                    unreadable += 1
                    continue
                loaded[kind][entry_id] = data
                seen[entry_id] = max(entry.seen_at, seen.get(entry_id, entry.seen_at))
        self._seen.update(sorted(seen.items(), key=lambda item: item[1]))
        if unreadable:
            logger.warning("%d saved entries were not JSON objects and were skipped", unreadable)
        logger.info(
            "state loaded from %s: %d users and %d chats seen in the last %d days",
            self.store.where,
            len(loaded["user"]),
            len(loaded["chat"]),
            round(self.forget_after / 86400),
        )
        return loaded

    # ---- what PTB reports after handling updates

    async def refresh_user_data(self, user_id: int, user_data: Data) -> None:
        """A handler is about to use this user's data: they are seen now (memory is the truth)."""
        self._mark_seen(user_id, self._clock())

    async def refresh_chat_data(self, chat_id: int, chat_data: Data) -> None:
        """A handler is about to use this chat's data: it is seen now."""
        self._mark_seen(chat_id, self._clock())

    async def update_user_data(self, user_id: int, data: Data) -> None:
        """Queue this user's data (a deep copy made by PTB) for the next flush."""
        self._queue("user", user_id, data)

    async def update_chat_data(self, chat_id: int, data: Data) -> None:
        """Queue this chat's data for the next flush."""
        self._queue("chat", chat_id, data)

    async def drop_user_data(self, user_id: int) -> None:
        """Queue the deletion of this user's row (Application.drop_user_data was called)."""
        self._pending["user"][user_id] = None

    async def drop_chat_data(self, chat_id: int) -> None:
        """Queue the deletion of this chat's row."""
        self._pending["chat"][chat_id] = None

    def take_stale_ids(self, limit: int = FORGET_PER_SAVE) -> list[int]:
        """Up to `limit` user and chat ids not seen for `forget_after` seconds, the longest unseen
        first, no longer tracked from now on: the caller drops their data.

        Cheap: the seen map is in the order people were last seen, so this stops at the first
        one seen recently.
        """
        cutoff = self._clock() - self.forget_after
        stale: list[int] = []
        for entry_id, seen_at in self._seen.items():
            if seen_at >= cutoff or len(stale) >= limit:
                break
            stale.append(entry_id)
        for entry_id in stale:
            del self._seen[entry_id]
        return stale

    def _mark_seen(self, entry_id: int, now: float) -> None:
        self._seen.pop(entry_id, None)
        self._seen[entry_id] = now

    def forget_seen(self, entry_id: int) -> None:
        """Stop tracking when this user or chat was seen (/forget: nothing about them is kept)."""
        self._seen.pop(entry_id, None)

    def _queue(self, kind: Kind, entry_id: int, data: object) -> None:
        encoded = encode_entry(data)
        for type_name in encoded.skipped:
            if type_name not in self._reported_types:  # once per type: a bug must not flood the log
                self._reported_types.add(type_name)
                logger.warning("not saved: a %s in %s_data is not JSON-compatible", type_name, kind)
        if encoded.text == "{}":  # nothing to keep: no row (see the module docstring)
            self._pending[kind][entry_id] = None
            return
        # Seen is when a handler last used the data (refresh_*), not when PTB handed it over.
        seen_at = self._seen.get(entry_id)
        if seen_at is None:  # changed without an update (a job, a manual mark): seen now
            seen_at = self._clock()
            self._mark_seen(entry_id, seen_at)
        self._pending[kind][entry_id] = StoredEntry(encoded.text, seen_at)

    # ---- writing

    async def flush(self) -> None:
        """Write every queued change in one transaction; on failure keep them for the next flush."""
        async with self._flush_lock:
            batch = self._take_pending()
            if not len(batch):
                return
            try:
                await asyncio.to_thread(self.store.save_batch, batch)
            except Exception as exc:
                self._requeue(batch)
                expected = isinstance(exc, StateStoreError)  # disk full, locked, I/O: no traceback
                logger.error(
                    "state not saved (%s): %d change(s) kept in memory and retried at the next save",
                    exc if expected else type(exc).__name__,
                    len(batch),
                    exc_info=None if expected else exc,
                )

    def _take_pending(self) -> StateBatch:
        pending, self._pending = self._pending, {kind: {} for kind in KINDS}
        return StateBatch(
            upserts={
                kind: {entry_id: entry for entry_id, entry in changes.items() if entry is not None}
                for kind, changes in pending.items()
            },
            deletes={
                kind: frozenset(entry_id for entry_id, entry in changes.items() if entry is None)
                for kind, changes in pending.items()
            },
        )

    def _requeue(self, batch: StateBatch) -> None:
        """Put a failed batch back under whatever was queued since (the newer change wins)."""
        for kind in KINDS:
            newer = self._pending[kind]
            restored: dict[int, StoredEntry | None] = {}
            restored.update(batch.upserts.get(kind, {}))
            restored.update(dict.fromkeys(batch.deletes.get(kind, frozenset())))
            restored.update(newer)
            self._pending[kind] = restored

    def close(self) -> None:
        """Close the store (after the Application's last flush, at shutdown)."""
        self.store.close()

    # ---- what this persistence does not store

    async def get_bot_data(self) -> Data:
        """bot_data is rebuilt at every start (PTB does not ask: store_data.bot_data is False)."""
        return {}

    async def update_bot_data(self, data: Data) -> None:
        """Not stored."""

    async def refresh_bot_data(self, bot_data: Data) -> None:
        """Not stored."""

    # The parameter types below are wider than PTB's (CDCData, ConversationKey), which live in
    # a private module; nothing is stored, so nothing depends on their shape.
    async def get_callback_data(self) -> None:
        """Callback data is not stored (buttons carry their whole action)."""
        return None

    async def update_callback_data(self, data: object) -> None:
        """Not stored."""

    async def get_conversations(self, name: str) -> NoReturn:
        """Refuse a persistent ConversationHandler at start-up rather than lose its states."""
        raise NotImplementedError(f"conversation states are not stored: make {name!r} persistent=False")

    async def update_conversation(self, name: str, key: object, new_state: object | None) -> None:
        """Never called: get_conversations refuses persistent ConversationHandlers."""


class PersistentApplication(Application[Any, Any, Any, Any, Any, Any]):
    """An Application whose persistence runs forget stale people, then save, and never raise."""

    async def update_persistence(self) -> None:
        """Drop people and chats unseen for 30 days, hand the rest to the persistence, flush.

        PTB calls this every update_interval from a background task that dies with the first
        exception it sees — and then nothing is saved again — so nothing may escape from here.
        """
        try:
            persistence = self.persistence
            if isinstance(persistence, StatePersistence):
                for stale_id in persistence.take_stale_ids():
                    if stale_id in self.user_data:
                        self.drop_user_data(stale_id)
                    if stale_id in self.chat_data:
                        self.drop_chat_data(stale_id)
            await super().update_persistence()
            self._forget_empty_user_data()
            if persistence is not None:
                await persistence.flush()
        except Exception:
            logger.exception("saving the state failed; it is retried at the next save")

    def _forget_empty_user_data(self) -> None:
        """Drop the users whose data is empty — most of them: only a chosen language is kept per
        user, a person's place is in the chat's data.

        PTB makes a dict for every user an update comes from and keeps it for good: 2.5 MB
        and a row on disk for 20,000 people who never chose a language. PTB makes a new one
        when the person writes again; handlers reach a user's data through
        context.user_data each time, never holding one across an await, so nothing is written
        into a dropped dict.
        """
        for user_id in [user_id for user_id, data in self.user_data.items() if not data]:
            self.drop_user_data(user_id)


async def forget_person(
    application: Application[Any, Any, Any, Any, Any, Any], user_id: int, data_dir: Path
) -> Erased:
    """Erase everything kept about one person, in memory and in every file of `data_dir` (/forget).

    In memory first, so that no later save writes them back: their user_data and their private
    chat's chat_data are dropped, their place is taken out of every group's chat_data, their
    scheduled jobs (reminders) are removed. Then a persistence run writes those changes (the
    group rows without them, their own rows deleted), and bot.storage.erasure sweeps every
    SQLite file in the data directory for what is left (the unanswered log, the journal, tables
    added later), off the event loop. ErasureIncomplete when a file could not be swept.
    """
    application.drop_user_data(user_id)
    application.drop_chat_data(user_id)  # their private chat: its id is theirs
    groups = [chat_id for chat_id, data in application.chat_data.items() if drop_person(data, user_id)]
    if groups:
        application.mark_data_for_update_persistence(chat_ids=groups)
    with warnings.catch_warnings():  # PTB warns on asking when its job-queue extra is not installed
        warnings.simplefilter("ignore", PTBUserWarning)
        jobs = application.job_queue
    if jobs is not None:
        for job in jobs.jobs():
            if user_id in (job.user_id, job.chat_id):
                job.schedule_removal()
    if isinstance(application.persistence, StatePersistence):
        application.persistence.forget_seen(user_id)
    await application.update_persistence()
    erased = await asyncio.to_thread(erase_person, data_dir, user_id)
    if erased.failed:  # the error handler tells them something went wrong: they can try again
        raise ErasureIncomplete(f"/forget could not sweep {', '.join(erased.failed)}")
    logger.info("a person's data was erased on request: %d rows in %d files", erased.rows, len(erased.files))
    return erased


def open_state_persistence(
    data_dir: Path, update_interval: float, clock: Clock = time.time
) -> StatePersistence:
    """The persistence over BOT_DATA_DIR/bot-state.sqlite3 (a damaged file is moved aside).

    A bot-state.pickle left by an earlier version is moved aside unread: unpickling runs code
    from the data directory, and its contents would not be JSON anyway.
    """
    legacy = data_dir / LEGACY_PICKLE_FILE
    if legacy.exists():
        moved = move_aside(legacy, "unused")
        logger.warning(
            "%s is from an earlier version and is not read (unpickling could run code; the state"
            " is kept in %s now): moved to %s",
            legacy,
            STATE_FILE,
            moved.name,
        )
    try:
        store = SQLiteStateStore(data_dir / STATE_FILE)
    except DiskFullError as exc:  # start degraded: people's places and languages kept in memory only
        logger.warning("%s: the state is kept in memory until the next start", exc)
        store = SQLiteStateStore(Path(IN_MEMORY))
    return StatePersistence(store, update_interval=update_interval, clock=clock)
