"""Sending reminders when they are due: one asyncio task, started with the bot, woken on change.

A 40-line loop rather than PTB's JobQueue (an optional extra that pulls in APScheduler and keeps
nothing across restarts anyway): the store (bot/storage/reminders.py) is the schedule, so at
every start whatever came due while the bot was down is sent at once, each exactly once at
most. A person who blocked the bot (403 Forbidden) has their reminders dropped.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from telegram import Bot
from telegram.error import Forbidden, TelegramError

from bot.conversation.plan_render import render_due_reminder
from bot.kb.base import KnowledgeBase
from bot.storage.reminders import SENT_KEPT_SECONDS, DueReminder, ReminderStore
from bot.telegram.replies import send_to_chat

REMINDERS_KEY = "reminders"
# The longest the loop sleeps: a safety net if a wake-up were ever missed, and the wall clock
# may jump (a suspended laptop); one cheap query a minute.
MAX_SLEEP_SECONDS = 60.0
logger = logging.getLogger("bot.reminders")


@dataclass
class Reminders:
    """The store and the loop's alarm clock, kept in bot_data under REMINDERS_KEY."""

    store: ReminderStore
    clock: Callable[[], float]
    _changed: asyncio.Event = field(default_factory=asyncio.Event)
    _task: asyncio.Task[None] | None = None

    def changed(self) -> None:
        """Wake the loop: a reminder was scheduled or cancelled."""
        self._changed.set()

    def start(self, bot: Bot, knowledge: Callable[[], KnowledgeBase]) -> None:
        """Start the loop (in post_init); `knowledge` gives the current knowledge base."""
        self.store.purge_sent(self.clock() - SENT_KEPT_SECONDS)
        self._task = asyncio.get_running_loop().create_task(self._run(bot, knowledge))

    async def stop(self) -> None:
        """Stop the loop (in post_stop); a reminder being sent is finished first by the store's rule."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def send_due(self, bot: Bot, kb: KnowledgeBase) -> int:
        """Send every reminder due now; how many were sent."""
        sent = 0
        while (due := self.store.take_due(self.clock())) is not None:
            sent += await _send(bot, kb, due, self.store)
        return sent

    async def _run(self, bot: Bot, knowledge: Callable[[], KnowledgeBase]) -> None:
        while True:
            try:
                await self.send_due(bot, knowledge())
            except Exception:  # a defect or a failing disk must not end reminders for good
                logger.exception("sending reminders failed; trying again later")
            next_due = self.store.next_due()
            wait = MAX_SLEEP_SECONDS if next_due is None else next_due - self.clock()
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), timeout=min(max(wait, 0.0), MAX_SLEEP_SECONDS))


async def _send(bot: Bot, kb: KnowledgeBase, due: DueReminder, store: ReminderStore) -> int:
    reply = render_due_reminder(kb, due.kind, due.lang)
    try:
        await send_to_chat(bot, due.chat_id, reply)
    except Forbidden:  # blocked the bot (or left the chat): nothing more will reach them
        dropped = store.drop_chat(due.chat_id)
        logger.info("reminder not delivered (403): %d reminder(s) of that chat dropped", dropped + 1)
        return 0
    except TelegramError as error:  # at most once: a reminder that failed is not sent again
        logger.warning("reminder not delivered: %s", type(error).__name__)
        return 0
    return 1


def reminders_of(bot_data: Any) -> Reminders | None:
    """The Reminders installed by build_application(), if any."""
    found = bot_data.get(REMINDERS_KEY) if hasattr(bot_data, "get") else None
    return found if isinstance(found, Reminders) else None
