"""The update processor: one line per chat, chats side by side, a cap, and a stop with a deadline."""

from __future__ import annotations

import asyncio
import warnings
from collections.abc import Callable, Coroutine
from typing import Any

from telegram import Bot, Update

from bot.telegram.runtime.processing import ChatOrderedProcessor, chat_key

BOT = Bot("123:abc")


def message_update(update_id: int, chat_id: int) -> Update:
    chat = {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup", "title": "g"}
    sender = {"id": abs(chat_id), "is_bot": False, "first_name": "A"}
    raw = {"message_id": update_id, "date": 0, "chat": chat, "from": sender, "text": "hi"}
    return Update.de_json({"update_id": update_id, "message": raw}, BOT)


class Recorder:
    """Handlers that note when they start and end, and wait for a gate to open."""

    def __init__(self) -> None:
        self.events: list[str] = []
        self.finished: list[int] = []
        self.gates: dict[int, asyncio.Event] = {}
        self.running = 0
        self.most_at_once = 0

    def gate(self, update_id: int) -> asyncio.Event:
        return self.gates.setdefault(update_id, asyncio.Event())

    async def handle(self, update: Update) -> None:
        self.running += 1
        self.most_at_once = max(self.most_at_once, self.running)
        self.events.append(f"start {update.update_id}")
        try:
            await self.gate(update.update_id).wait()
        finally:
            self.running -= 1
        self.events.append(f"end {update.update_id}")

    def on_finished(self, update: object) -> None:
        assert isinstance(update, Update)
        self.finished.append(update.update_id)


def submit(
    processor: ChatOrderedProcessor, update: Update, handler: Callable[[Update], Coroutine[Any, Any, None]]
) -> asyncio.Task[None]:
    """As Application does with concurrent updates: one task per update, in arrival order."""
    return asyncio.ensure_future(processor.process_update(update, handler(update)))


async def settle() -> None:
    for _ in range(20):
        await asyncio.sleep(0)


async def test_updates_of_one_chat_run_in_order_while_other_chats_go_on() -> None:
    recorder = Recorder()
    processor = ChatOrderedProcessor(on_finished=recorder.on_finished)
    group_first, group_second, private = message_update(1, -5), message_update(2, -5), message_update(3, 7)
    tasks = [submit(processor, update, recorder.handle) for update in (group_first, group_second, private)]
    await settle()
    assert recorder.events == ["start 1", "start 3"]  # the group's second waits; the private chat does not
    recorder.gate(3).set()
    await settle()
    assert recorder.finished == [3]
    recorder.gate(2).set()  # ready early, but it must still wait for the first
    await settle()
    assert "start 2" not in recorder.events
    recorder.gate(1).set()
    await asyncio.gather(*tasks)
    assert recorder.events == ["start 1", "start 3", "end 3", "end 1", "start 2", "end 2"]
    assert recorder.finished == [3, 1, 2]


async def test_no_more_chats_than_the_cap_run_at_once_and_waiting_for_a_chat_takes_no_place() -> None:
    recorder = Recorder()
    processor = ChatOrderedProcessor(max_chats_at_once=3, on_finished=recorder.on_finished)
    same_group = [message_update(n, -5) for n in range(1, 31)]
    others = [message_update(100 + n, 1000 + n) for n in range(5)]
    tasks = [submit(processor, update, recorder.handle) for update in [*same_group, *others]]
    await settle()
    # Thirty queued in one group hold one place: two other chats run beside it.
    assert recorder.events == ["start 1", "start 100", "start 101"]
    for gate in [*range(1, 31), *range(100, 105)]:
        recorder.gate(gate).set()
    await asyncio.gather(*tasks)
    assert recorder.most_at_once == 3
    assert [n for n in recorder.finished if n < 100] == list(range(1, 31))


async def test_a_handler_that_raises_still_counts_as_finished() -> None:
    recorder = Recorder()
    processor = ChatOrderedProcessor(on_finished=recorder.on_finished)

    async def broken(update: Update) -> None:
        raise ValueError("handled by PTB's error handler in real life")

    task = submit(processor, message_update(1, 7), broken)
    await asyncio.gather(task, return_exceptions=True)
    assert recorder.finished == [1]


async def test_a_stop_gives_updates_their_time_then_cancels_the_rest_unfinished() -> None:
    recorder = Recorder()
    processor = ChatOrderedProcessor(on_finished=recorder.on_finished)
    updates = [message_update(1, -5), message_update(2, -5), message_update(3, 7)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a coroutine that never ran must be closed, not leaked
        tasks = [submit(processor, update, recorder.handle) for update in updates]
        await settle()
        processor.stop_within(0.2)
        recorder.gate(3).set()  # finishes in time
        results = await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), timeout=2)
    assert recorder.finished == [3]
    assert [type(result).__name__ for result in results] == ["CancelledError", "CancelledError", "NoneType"]
    assert "start 2" not in recorder.events  # waited for its turn, never ran
    assert processor.in_hand == 0


def test_updates_wait_in_their_chat_or_else_their_user_line() -> None:
    inline = Update.de_json(
        {
            "update_id": 1,
            "inline_query": {
                "id": "1",
                "from": {"id": 9, "is_bot": False, "first_name": "A"},
                "query": "",
                "offset": "",
            },
        },
        BOT,
    )
    assert chat_key(message_update(1, -5)) == ("chat", -5)
    assert chat_key(inline) == ("user", 9)
    assert chat_key(object()) is None
