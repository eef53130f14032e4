"""Fair concurrency: chats are handled side by side, each chat's updates strictly one by one.

Handling one update at a time let a busy group hold up everyone: a group waiting on Telegram's
20-posts-a-minute limit (the rate limiter sleeps) kept every private question behind it. Here
each chat (or, with no chat, each user) has its own line: an update starts once the one before
it in the same chat has ended, so a person's "next" never overtakes their question, while other
chats go on. At most MAX_CHATS_AT_ONCE updates run at the same time.

Why 8: handling is mostly CPU (matching, rendering) and the rest is waiting on Telegram, so more
at once buys nothing but overhead (with httpx, whose connection pool scans every open connection
on each request, 32 at once cost 45% more CPU per message than one at a time; the bot's aiohttp
client does not grow with connections, but nothing is won either). Eight requests in flight
still exceed Telegram's 30 messages a second at any realistic round trip. And a place is given
in arrival order: an update that waits for one is served before the next update of a chat whose
reply just left (a group on its 20-a-minute limit re-queues behind it), so a few slow groups
cannot starve everyone else.

The cap is applied here rather than by BaseUpdateProcessor's own semaphore: that one is taken
before an update reaches its chat's line, so thirty questions queued in one group would hold
thirty places while waiting for each other. Waiting for your chat's turn costs no place.

Stopping (`stop_within`): updates keep being handled, in order, until the time is up; then what
is still running or waiting is cancelled and stays unfinished in the journal, to be handled at
the next start. `on_finished` is called for every update whose handling ended (with success or
with an error the error handler dealt with), never for a cancelled one.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine, Hashable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

MAX_CHATS_AT_ONCE = 8
# The base class's bound on updates in hand (running or waiting for their chat): PTB makes a
# task for every update it takes from its queue anyway, so this only has to never bind.
_IN_HAND = 1_000_000
logger = logging.getLogger("bot.processing")


def chat_key(update: object) -> Hashable | None:
    """Which line an update waits in: its chat, else its user (inline queries), else none."""
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return ("chat", update.effective_chat.id)
    if update.effective_user is not None:
        return ("user", update.effective_user.id)
    return None


class ChatOrderedProcessor(BaseUpdateProcessor):
    """Per-chat order, concurrency across chats, a stop with a deadline (see the module docstring)."""

    def __init__(
        self,
        max_chats_at_once: int = MAX_CHATS_AT_ONCE,
        on_finished: Callable[[object], None] = lambda update: None,
        on_timed: Callable[[float], None] | None = None,
        stop_grace: float = 8.0,
    ) -> None:
        super().__init__(_IN_HAND)
        self.max_chats_at_once = max_chats_at_once
        self.stop_grace = stop_grace  # seconds stop_within() is given by the application
        self.on_finished = on_finished
        # Seconds each update's handling took (the latency histogram of /metrics), if asked.
        self.on_timed = on_timed
        self._places = asyncio.Semaphore(max_chats_at_once)
        self._tails: dict[Hashable, asyncio.Future[None]] = {}  # each line's last update's end
        self._in_hand: set[asyncio.Task[Any]] = set()
        self._deadline: asyncio.TimerHandle | None = None

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Forget a pending deadline."""
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    @property
    def in_hand(self) -> int:
        """Updates running or waiting for their turn."""
        return len(self._in_hand)

    def stop_within(self, seconds: float) -> None:
        """Keep handling for `seconds`; then cancel whatever is still running or waiting."""
        if self._deadline is None:
            self._deadline = asyncio.get_running_loop().call_later(seconds, self._abandon)

    def _abandon(self) -> None:
        if self._in_hand:
            logger.info(
                "stopping: %d update(s) not handled in time stay in the journal for the next start",
                len(self._in_hand),
            )
        for task in list(self._in_hand):
            task.cancel()

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Wait for the chat's previous update, then for a place; handle; report the end."""
        task = asyncio.current_task()
        assert task is not None
        key = chat_key(update)
        before = self._tails.get(key) if key is not None else None
        turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        if key is not None:
            self._tails[key] = turn
        self._in_hand.add(task)
        started = False
        try:
            if before is not None:
                await asyncio.shield(before)  # shielded: cancelling us must not end `before`
            async with self._places:
                started = True
                began = time.monotonic()
                try:
                    await coroutine
                except Exception:  # PTB's error handlers ran inside; it still counts as handled
                    self.on_finished(update)
                    raise
                finally:
                    if self.on_timed is not None:
                        self.on_timed(time.monotonic() - began)
                self.on_finished(update)
        finally:
            self._in_hand.discard(task)
            if not started and isinstance(coroutine, Coroutine):
                coroutine.close()  # cancelled while waiting: it never ran, and must not warn
            self._pass_turn(key, before, turn)

    def _pass_turn(
        self, key: Hashable | None, before: asyncio.Future[None] | None, turn: asyncio.Future[None]
    ) -> None:
        """Let the chat's next update start — but never before the previous one has ended."""

        def release(_: object = None) -> None:
            if not turn.done():
                turn.set_result(None)
            if key is not None and self._tails.get(key) is turn:
                del self._tails[key]

        if before is None or before.done():
            release()
        else:  # we were cancelled while waiting: keep the line's order
            before.add_done_callback(release)
