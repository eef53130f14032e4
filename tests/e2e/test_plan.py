"""The personal plan and its reminders, through the real Bot API protocol (the fake server).

A person answers the four questions with buttons, gets only the steps that apply and their
operator's contacts, ticks two steps; the bot restarts; /plan still shows both ticks.
Reminders are sent once after a restart that they fell due during, never when cancelled,
and are dropped when the person has blocked the bot.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bot.storage.reminders import REMINDERS_FILE
from bot.telegram.runtime.app import AnyApplication, build_application, desk_of, running_application
from bot.telegram.runtime.reminder_loop import reminders_of
from bot.understanding.answer import Responder
from fake_telegram import FakeBotApi
from tests.e2e.conftest import BOT_USERNAME, StartBot, bot_settings, buttons, reply_to

JSON = dict[str, Any]
DAY = 86_400.0
GROUP = -100_555
# Per language: the app's language code and words that show the plan is in that language.
LANGUAGES = {
    "zh-Hans": ("zh-hans", "你的计划", "在国外"),
    "zh-Hant": ("zh-TW", "你的計劃", "在國外"),
    "en": ("en", "Your plan", "Abroad"),
}


def button_with(message: JSON, prefix: str) -> JSON:
    """The button whose callback data starts with `prefix`."""
    return next(b for b in buttons(message) if b.get("callback_data", "").startswith(prefix))


async def press(api: FakeBotApi, message: JSON, prefix: str, user: int) -> JSON:
    """Press the button `prefix` on `message`; the message as the bot edited it."""
    mark = api.mark()
    api.inject_callback_query(button_with(message, prefix)["callback_data"], message=message, user_id=user)
    [edited] = await api.wait_for_sent(user, since=mark)
    return edited


async def make_plan(api: FakeBotApi, user: int, answers: str, language_code: str) -> JSON:
    """/plan, then the four answers (e.g. "vxhc") pressed one after the other."""
    [message] = await reply_to(api, "/plan", chat_id=user, user_id=user, language_code=language_code)
    given = ""
    for letter in answers:
        given += letter
        message = await press(api, message, f"a:{given}:", user)
    return message


def started(api: FakeBotApi, data_dir: Path, responder: Responder, clock: Callable[[], float]) -> Any:
    """The bot with its clock moved (reminders and persistence read it)."""
    application = build_application(bot_settings(api, data_dir), responder, clock=clock)
    return running_application(application, poll_timeout=1)


async def eventually(condition: Callable[[], bool], what: str) -> None:
    """Wait (at most 5 s) for something the bot does after its last Bot API call."""
    for _ in range(100):
        if condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"never happened: {what}")


def stored_reminders(data_dir: Path) -> list[tuple[int, str, int]]:
    """The reminder rows, read with plain sqlite3: (chat_id, kind, sent)."""
    with sqlite3.connect(data_dir / REMINDERS_FILE) as db:
        return db.execute("SELECT chat_id, kind, sent FROM reminders").fetchall()


@pytest.mark.parametrize("lang", list(LANGUAGES))
async def test_the_four_answers_give_a_plan_whose_ticks_survive_a_restart(
    api: FakeBotApi, start_bot: StartBot, lang: str
) -> None:
    user = 4100 + list(LANGUAGES).index(lang)
    code, title, abroad = LANGUAGES[lang]
    async with start_bot():
        plan = await make_plan(api, user, "oxlc", code)  # One, abroad, card lost, cancel
        text = plan["text"]
        assert text.startswith(title)
        assert abroad in text
        assert "complaints@one.com.al" in text
        assert "one.al" in text
        assert "vodafone" not in text.lower()  # only their operator's contacts
        steps = [
            b["callback_data"].split(":")[1] for b in buttons(plan) if b["callback_data"].startswith("t:")
        ]
        assert steps == ["block", "unlink", "ready", "request", "insist", "verify", "account"]
        assert text.count("☐") == len(steps) + 1  # each step, and the hint that explains ☐
        plan = await press(api, plan, "t:block:", user)
        plan = await press(api, plan, "t:unlink:", user)
        assert plan["text"].count("☑") == 2
    async with start_bot():
        [again] = await reply_to(api, "/plan", chat_id=user, user_id=user, language_code=code)
    assert again["text"].startswith(title)
    assert again["text"].count("☑") == 2
    assert [b["text"] for b in buttons(again) if b["text"].startswith("☑")] == ["☑ 1", "☑ 2"]


async def test_keeping_the_number_gives_the_porting_plan(api: FakeBotApi, bot: AnyApplication) -> None:
    plan = await make_plan(api, 4200, "vahk", "en")
    steps = [b["callback_data"].split(":")[1] for b in buttons(plan) if b["callback_data"].startswith("t:")]
    assert steps == ["ready", "port", "ported"]
    assert "140" in plan["text"]
    assert "complaints@one.com.al" not in plan["text"]


async def test_a_reminder_due_during_a_restart_is_sent_once_after_it(
    api: FakeBotApi, data_dir: Path, responder: Responder
) -> None:
    user = 4300
    async with started(api, data_dir, responder, time.time):
        plan = await make_plan(api, user, "vxhc", "en")
        plan = await press(api, plan, "t:request:", user)
        confirmation = await press(api, plan, "r:verify:", user)
        assert "remind you on" in confirmation["text"]
        [listed] = await reply_to(api, "/reminders", chat_id=user, user_id=user, language_code="en")
        assert "check the number is really off" in listed["text"]
    later = lambda: time.time() + 4 * DAY  # noqa: E731 - the bot was down for four days
    mark = api.mark()
    async with started(api, data_dir, responder, later) as app:
        [reminder] = await api.wait_for_sent(user, since=mark)
        assert reminder["text"].startswith("⏰ Reminder")
        assert button_with(reminder, "n::en")  # back to the plan
    async with started(api, data_dir, responder, later) as app:
        loop = reminders_of(app.bot_data)
        assert loop is not None
        assert await loop.send_due(app.bot, desk_of(app).responder.kb) == 0
        [help_reply] = await reply_to(api, "/help", chat_id=user, user_id=user)
    reminders = [t for t in api.sent_texts(user, since=mark) if t.startswith("⏰")]
    assert len(reminders) == 1
    assert help_reply["text"]
    assert stored_reminders(data_dir) == [(user, "verify", 1)]


async def test_a_cancelled_reminder_is_never_sent(
    api: FakeBotApi, data_dir: Path, responder: Responder
) -> None:
    user = 4400
    async with started(api, data_dir, responder, time.time):
        plan = await make_plan(api, user, "vxhc", "en")
        plan = await press(api, plan, "t:request:", user)
        await press(api, plan, "r:verify:", user)
        [listed] = await reply_to(api, "/reminders", chat_id=user, user_id=user)
        cancelled = await press(api, listed, "x:verify:", user)
        assert "cancelled" in cancelled["text"]
        assert "no reminders" in cancelled["text"]
    mark = api.mark()
    async with started(api, data_dir, responder, lambda: time.time() + 30 * DAY) as app:
        loop = reminders_of(app.bot_data)
        assert loop is not None
        assert await loop.send_due(app.bot, desk_of(app).responder.kb) == 0
        await reply_to(api, "/help", chat_id=user, user_id=user)
    assert not [t for t in api.sent_texts(user, since=mark) if t.startswith("⏰")]
    assert stored_reminders(data_dir) == []


async def test_a_person_who_blocked_the_bot_has_their_reminders_dropped(
    api: FakeBotApi, data_dir: Path, responder: Responder
) -> None:
    user = 4500
    async with started(api, data_dir, responder, time.time):
        plan = await make_plan(api, user, "vahk", "en")
        plan = await press(api, plan, "t:port:", user)
        await press(api, plan, "r:ported:", user)
    api.block_user(user)
    mark = api.mark()
    async with started(api, data_dir, responder, lambda: time.time() + 2 * DAY):
        call = await api.wait_for(lambda c: c.method == "sendMessage" and c.status == 403, since=mark)
        assert call.params["chat_id"] in (user, str(user))
        await eventually(lambda: stored_reminders(data_dir) == [], "the blocked person's reminders dropped")


async def test_plan_in_a_group_answers_with_a_deep_link_to_a_private_chat(
    api: FakeBotApi, bot: AnyApplication
) -> None:
    [reply] = await reply_to(api, "/plan", chat_id=GROUP, user_id=4600, chat_type="group")
    [button] = buttons(reply)
    assert button["url"] == f"https://t.me/{BOT_USERNAME}?start=plan"
    [private] = await reply_to(api, "/start plan", chat_id=4600, user_id=4600, language_code="en")
    assert "1/4" in private["text"]


async def test_a_tick_on_a_forgotten_plan_gets_a_short_notice(api: FakeBotApi, bot: AnyApplication) -> None:
    [message] = await reply_to(api, "/plan", chat_id=4700, user_id=4700, language_code="en")
    mark = api.mark()
    api.inject_callback_query("t:request:en", message=message, user_id=4700)
    [call] = await api.wait_for_calls("answerCallbackQuery", since=mark)
    assert call.params.get("text")
    assert api.sent(4700, since=mark) == []
