"""How updates come in: journalled before they are confirmed, each read on its own, never twice.

python-telegram-bot reads a whole getUpdates batch with one `Update.de_list`: a single update it
cannot parse fails the batch, the offset never moves, and the same batch comes back forever (each
time logged whole, users' texts included). Here every update is read by itself: one that cannot
be read is logged once — its id and the error's type, never its content — recorded as done so
that it is not read again, and the rest of its batch goes on.

`UpdateIntake` is shared by both ways in: `JournalBot.get_updates` (long polling, through PTB's
Updater) and the webhook server. Both hand it the raw JSON; it records the batch in the journal
(bot.storage.update_journal) and returns only the updates never seen before, parsed, in order.

Confirmed means kept: an update is confirmed to Telegram (the next getUpdates offset, a 2xx to
a webhook POST) only once it is in the journal on disk. When the journal cannot be written (a
full disk) the updates are still answered, but not confirmed: Telegram keeps them (24 hours)
and sends them again, and the ids answered meanwhile are remembered in memory so that they are
not answered twice. The journal is written on one worker thread, in order, never on the event
loop (an fsync there stalled every chat).
"""

from __future__ import annotations

import asyncio
import datetime as dtm
import json
import logging
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from telegram import Bot, Update

# Private, but unavoidable: get_updates is overridden with PTB's own signature, whose defaults
# (DEFAULT_NONE, "not given") and parameter types only these modules define.
from telegram._utils.defaultvalue import DEFAULT_NONE, DefaultValue
from telegram._utils.types import JSONDict, ODVInput, TimePeriod
from telegram.error import Conflict, InvalidToken, TimedOut
from telegram.ext import ExtBot

from bot.storage.update_journal import JournalEntry, UpdateJournal, UpdateJournalError
from bot.telegram.runtime.polling_health import PollingHealth
from bot.telegram.runtime.stored_update import redacted_update

logger = logging.getLogger("bot.intake")
# After a 409 (another process polls with this token): wait before asking again.
CONFLICT_PAUSE_SECONDS = 2.0
# While the journal fails, Telegram sends the unconfirmed updates straight back: wait between
# such batches rather than spin.
UNCONFIRMED_PAUSE_SECONDS = 1.0


class UpdateIntake:
    """Journal, deduplicate and parse raw updates (see the module docstring)."""

    def __init__(self, journal: UpdateJournal) -> None:
        self.journal = journal
        self._journal_failing = False
        # Ids handed out while the journal could not record them: Telegram sends them again.
        self._unjournalled: set[int] = set()
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="update-journal")
        self._closed = False

    @property
    def journal_failing(self) -> bool:
        """Whether the last journal write failed (then nothing is confirmed to Telegram)."""
        return self._journal_failing

    async def admit_off_loop(self, raw: Sequence[object], bot: Bot) -> list[Update]:
        """admit(), on the journal's worker thread."""
        return await asyncio.get_running_loop().run_in_executor(self._writer, self.admit, raw, bot)

    def admit(self, raw: Sequence[object], bot: Bot) -> list[Update]:
        """The updates of `raw` never seen before, parsed, in order; the batch is journalled first.

        If the journal cannot be written (a full disk), the updates are still handled —
        answering matters more than surviving a crash — but `journal_failing` tells the caller
        not to confirm them, and the failure is logged once.
        """
        entries: list[JournalEntry] = []
        parsed: dict[int, Update] = {}
        unreadable: dict[int, str] = {}
        for item in raw:
            update_id = item.get("update_id") if isinstance(item, dict) else None
            if not isinstance(item, dict) or not isinstance(update_id, int) or isinstance(update_id, bool):
                logger.warning("an update without an update_id was skipped (%s)", type(item).__name__)
                continue
            try:
                update = Update.de_json(item, bot)
            except Exception as exc:  # whatever the library raises on a shape it does not expect
                unreadable[update_id] = type(exc).__name__
                entries.append(JournalEntry(update_id, None))
                continue
            parsed[update_id] = update
            entries.append(JournalEntry(update_id, json.dumps(redacted_update(item), ensure_ascii=False)))
        fresh = self._record(entries)
        for update_id, error in unreadable.items():
            if update_id in fresh:
                logger.warning("update %d could not be read (%s): skipped", update_id, error)
        return [update for update_id, update in parsed.items() if update_id in fresh]

    def unfinished(self, bot: Bot) -> list[Update]:
        """Updates journalled by an earlier run and never finished, oldest first, to handle now."""
        try:
            entries = self.journal.unfinished()
        except UpdateJournalError as exc:
            logger.error("unfinished updates not replayed: %s", exc)
            return []
        updates: list[Update] = []
        for entry in entries:
            try:
                updates.append(Update.de_json(json.loads(entry.payload or ""), bot))
            except Exception as exc:
                logger.warning(
                    "journalled update %d could not be read (%s): skipped",
                    entry.update_id,
                    type(exc).__name__,
                )
                self.finish(entry.update_id)
        if updates:
            logger.info("%d update(s) left unfinished by the last run are handled first", len(updates))
        return updates

    def finish(self, update_id: int) -> None:
        """The update's handling ended: mark it done on the journal's thread, after its record."""
        if not self._closed:
            self._writer.submit(self.finish_now, update_id)

    def finish_now(self, update_id: int) -> None:
        """finish(), on the calling thread."""
        try:
            self.journal.finish(update_id)
        except UpdateJournalError as exc:
            self._journal_failed(exc)
        else:
            self._journal_failing = False

    def close(self) -> None:
        """Write what is pending, then close the journal."""
        self._closed = True
        self._writer.shutdown(wait=True)
        self.journal.close()

    def _record(self, entries: list[JournalEntry]) -> frozenset[int]:
        try:
            fresh = self.journal.record(entries)
        except UpdateJournalError as exc:
            self._journal_failed(exc)
            new = frozenset(e.update_id for e in entries if e.update_id not in self._unjournalled)
            self._unjournalled |= new
            return new
        self._journal_failing = False
        answered = fresh & self._unjournalled
        for update_id in answered:  # handed out while the journal failed: done, not to replay
            self.finish_now(update_id)
        self._unjournalled -= {entry.update_id for entry in entries}
        return fresh - answered

    def _journal_failed(self, exc: UpdateJournalError) -> None:
        if not self._journal_failing:  # once until it works again: a full disk must not fill the log
            logger.error("the journal of updates is failing (%s): updates are handled without it", exc)
        self._journal_failing = True


class JournalBot(ExtBot[Any]):
    """The bot whose getUpdates goes through an UpdateIntake (see the module docstring).

    The offset it asks for is its own, not the Updater's: past every update this process
    received and journalled, readable or not, so an unreadable update at the end of a batch is
    confirmed too, and a batch the journal could not record is not (module docstring). Only ids
    received by this process count: after a week without updates Telegram starts numbering
    afresh, possibly lower.

    What PTB's Updater does badly is handled here and reported to `health`: a 401 (the token
    revoked, the bot deleted) ends polling for good — health.end() stops the process — where
    PTB would end it silently; a 409 (another process polls with this token) is one warning a
    minute, not a traceback a second; a long poll that gets no answer is a warning.

    `accepting()` is False once the Updater is stopping: a batch that arrives then is journalled
    (and confirmed by the Updater's last getUpdates) but not handed out; the next start handles
    it. PTB would otherwise drop it with a CRITICAL "Updater stopped unexpectedly".
    """

    def __init__(self, *args: Any, intake: UpdateIntake, poll_read_timeout: float, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Underscored: PTB freezes a Bot after __init__, except for protected attributes.
        self._intake = intake
        self._accepting: Callable[[], bool] = lambda: True
        self._poll_read_timeout = poll_read_timeout
        self._offset: int | None = None
        self._health = PollingHealth()

    async def initialize(self) -> None:
        """PTB's, except that a failure (a rejected token, no network) closes the connections
        opened for it: PTB leaves them to the garbage collector, which aiohttp reports as
        unclosed sessions on stderr, next to the one line a failed start should print."""
        try:
            await super().initialize()
        except BaseException:
            await asyncio.gather(*(request.shutdown() for request in self._request))
            raise

    @property
    def health(self) -> PollingHealth:
        """What polling has been through (for /healthz and for run_bot's exit)."""
        return self._health

    @property
    def intake(self) -> UpdateIntake:
        """Where this bot's updates are journalled and parsed."""
        return self._intake

    def accept_while(self, accepting: Callable[[], bool]) -> None:
        """Hand out polled updates only while `accepting()` (the Updater is running)."""
        self._accepting = accepting

    async def get_updates(
        self,
        offset: int | None = None,
        limit: int | None = None,
        timeout: TimePeriod | None = None,
        allowed_updates: Sequence[str] | None = None,
        *,
        read_timeout: ODVInput[float] = DEFAULT_NONE,
        write_timeout: ODVInput[float] = DEFAULT_NONE,
        connect_timeout: ODVInput[float] = DEFAULT_NONE,
        pool_timeout: ODVInput[float] = DEFAULT_NONE,
        api_kwargs: JSONDict | None = None,
    ) -> tuple[Update, ...]:
        """getUpdates, with the raw batch journalled and parsed one update at a time."""
        del offset  # the Updater's: it would confirm what the journal could not record
        if self._health.ended is not None:  # the Updater's last call after a 401: nothing to ask
            return ()
        waited = timeout.total_seconds() if isinstance(timeout, dtm.timedelta) else float(timeout or 0)
        base_read = self._poll_read_timeout if isinstance(read_timeout, DefaultValue) else read_timeout
        data: JSONDict = {
            "timeout": timeout,
            "offset": self._offset,
            "limit": limit,
            "allowed_updates": allowed_updates,
        }
        try:
            raw = await self._post(
                "getUpdates",
                data,
                read_timeout=(base_read or 0) + waited,
                write_timeout=write_timeout,
                connect_timeout=connect_timeout,
                pool_timeout=pool_timeout,
                api_kwargs=api_kwargs,
            )
        except InvalidToken:
            self._health.end(
                "Telegram no longer accepts the bot token (401 Unauthorized on getUpdates):"
                " it was revoked or the bot deleted; check TELEGRAM_BOT_TOKEN"
            )
            await asyncio.Event().wait()  # until the Updater, stopping, cancels this poll
            raise AssertionError("unreachable") from None
        except Conflict:
            self._health.warn(
                "conflict",
                "another process is polling with this token (409 Conflict): only one may;"
                " stop the other one (this one keeps trying)",
            )
            await asyncio.sleep(CONFLICT_PAUSE_SECONDS)
            return ()
        except TimedOut:
            self._health.warn(
                "hung", "getUpdates got no answer within %.0f s: polling again", (base_read or 0) + waited
            )
            raise
        batch: list[object] = raw if isinstance(raw, list) else []
        self._health.answered(len(batch))
        updates = await self.intake.admit_off_loop(batch, self)
        if self.intake.journal_failing:
            if not updates:
                await asyncio.sleep(UNCONFIRMED_PAUSE_SECONDS)
        else:
            ids = [
                item["update_id"]
                for item in batch
                if isinstance(item, dict) and isinstance(item.get("update_id"), int)
            ]
            if ids:
                self._offset = max([*ids, (self._offset or 0) - 1]) + 1
        if not self._accepting():
            return ()
        for update in updates:
            self.insert_callback_data(update)
        return tuple(updates)
