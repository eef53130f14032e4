"""What the bot did (its calls, the messages it sent or edited) and waiting for it without sleeping."""

from __future__ import annotations

import asyncio
import contextlib
import copy
from collections.abc import Callable
from typing import TypeVar, cast

from fake_telegram.wire import JSON, Call

T = TypeVar("T")


class Changes:
    """Wakes every waiter whenever something happens (a call, an injection), never polling."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        self._event.set()
        self._event = asyncio.Event()

    async def next(self, timeout: float) -> None:
        """Until the next change, or `timeout` seconds."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout):
                await self._event.wait()

    async def wait_until(self, condition: Callable[[], T], timeout: float, what: Callable[[], str]) -> T:
        """The first truthy ``condition()``; AssertionError naming `what` after `timeout` seconds."""
        try:
            async with asyncio.timeout(timeout):
                while True:
                    event = self._event
                    result = condition()
                    if result:
                        return result
                    await event.wait()
        except TimeoutError:
            raise AssertionError(f"timed out after {timeout}s waiting for {what()}") from None


class BotActivity:
    """The record of the bot's requests, kept for the test to inspect and wait on."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self._outbox: list[tuple[int, JSON]] = []  # (index in calls, message sent or edited)
        self._changes = Changes()

    def _record(self, call: Call) -> None:
        self.calls.append(call)
        self._changes.notify()

    def _note_sent(self, message: JSON) -> None:
        self._outbox.append((len(self.calls), copy.deepcopy(message)))

    async def next_change(self, timeout: float) -> None:
        """Until something happens (a call, an injection), or `timeout` seconds: for a view that
        shows the bot's activity as it comes (``python -m fake_telegram``)."""
        await self._changes.next(timeout)

    def mark(self) -> int:
        """The current position in ``calls``: pass it as ``since=`` to see only later ones."""
        return len(self.calls)

    def calls_of(self, method: str, *, since: int = 0) -> list[Call]:
        return [call for call in self.calls[since:] if call.method == method]

    def failed_calls(self) -> list[Call]:
        """Calls that got an error (HTTP error or scripted fault), abandoned ones excluded."""
        return [call for call in self.calls if not call.ok and not call.abandoned]

    def sent(self, chat_id: int | None = None, *, since: int = 0) -> list[JSON]:
        """Messages the bot sent or edited (sendMessage / editMessageText that took effect), in order."""
        return [
            copy.deepcopy(m) for at, m in self._outbox if at >= since and chat_id in (None, m["chat"]["id"])
        ]

    def sent_texts(self, chat_id: int | None = None, *, since: int = 0) -> list[str]:
        return [str(message["text"]) for message in self.sent(chat_id, since=since)]

    async def wait_until(
        self, condition: Callable[[], T], *, timeout: float = 5.0, what: str = "condition"
    ) -> T:
        """The first truthy ``condition()``; AssertionError listing the calls seen after `timeout`."""
        return await self._changes.wait_until(condition, timeout, lambda: f"{what}\n{self._calls_summary()}")

    async def wait_for(
        self, predicate: Callable[[Call], bool], *, timeout: float = 5.0, since: int = 0
    ) -> Call:
        """The first call (from ``since``) matching `predicate`."""
        found = await self.wait_until(
            lambda: next((c for c in self.calls[since:] if predicate(c)), None),
            timeout=timeout,
            what="a call matching the predicate",
        )
        return cast(Call, found)

    async def wait_for_calls(
        self, method: str, count: int = 1, timeout: float = 5.0, *, since: int = 0
    ) -> list[Call]:
        """At least `count` calls of `method` since ``since``."""
        calls = await self.wait_until(
            lambda: len(found := self.calls_of(method, since=since)) >= count and found,
            timeout=timeout,
            what=f"{count} call(s) of {method}",
        )
        return cast(list[Call], calls)

    async def wait_for_sent(
        self, chat_id: int | None = None, count: int = 1, timeout: float = 5.0, *, since: int = 0
    ) -> list[JSON]:
        """At least `count` messages sent or edited (to `chat_id`) since ``since``."""
        messages = await self.wait_until(
            lambda: len(found := self.sent(chat_id, since=since)) >= count and found,
            timeout=timeout,
            what=f"{count} sent message(s) to chat {chat_id}",
        )
        return cast(list[JSON], messages)

    def _calls_summary(self, limit: int = 40) -> str:
        lines = [f"calls seen ({len(self.calls)}, the last {min(limit, len(self.calls))}):"]
        for call in self.calls[-limit:]:
            status = "ok" if call.ok else call.fault or f"{call.status} {call.error}"
            params = repr(call.params)
            lines.append(
                f"  {call.method} [{status}] {params if len(params) <= 240 else params[:237] + '...'}"
            )
        return "\n".join(lines)
