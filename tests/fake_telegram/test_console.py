"""The console of `python -m fake_telegram`: what is typed becomes updates, what the bot sends is shown."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup

from fake_telegram import FakeBotApi
from fake_telegram.console import ConsoleView, format_message
from tests.fake_telegram.conftest import USER, fetch


async def test_lines_become_messages_and_numbers_press_the_last_buttons(api: FakeBotApi, bot: Bot) -> None:
    shown: list[str] = []
    view = ConsoleView(api, USER, "en", shown.append)
    view.type_line("/start\n")
    [start] = await fetch(bot)
    assert start.message is not None
    assert start.message.text == "/start"
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Next ▶", callback_data="s:next:en")]])
    await bot.send_message(USER, "<b>Step 1</b> &amp; more", parse_mode="HTML", reply_markup=markup)
    view.show_new()
    assert shown[-1] == "bot:\nStep 1 & more\n  [#1 Next ▶]"
    view.type_line("#1")
    [press] = await fetch(bot)
    assert press.callback_query is not None
    assert press.callback_query.data == "s:next:en"
    await press.callback_query.answer("Too fast")
    view.show_new()
    assert shown[-1] == "(toast) Too fast"
    view.type_line("#7")
    assert shown[-1] == "(no button #7 on the last message with buttons)"


def test_an_edited_message_says_so() -> None:
    assert format_message({"text": "hello", "edit_date": 1}) == "bot (edited):\nhello"


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(line=st.text(max_size=80))
async def test_any_typed_line_is_a_message_a_press_or_nothing(api: FakeBotApi, line: str) -> None:
    shown: list[str] = []
    before = len(api.pending_updates)
    ConsoleView(api, USER, None, shown.append).type_line(line)
    added = len(api.pending_updates) - before
    assert added + len(shown) <= 1  # one message, or one line saying there is no such button
