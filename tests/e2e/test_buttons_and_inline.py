"""Navigation buttons (edited in place), inline mode and the command menu."""

from __future__ import annotations

import asyncio

from bot.telegram.runtime.app import AnyApplication, profile_publisher
from fake_telegram import FakeBotApi
from tests.e2e.conftest import buttons, reply_to

CAT = 301


async def test_next_button_edits_the_message_in_place(api: FakeBotApi, bot: object) -> None:
    [answer] = await reply_to(api, "第四步", chat_id=CAT, user_id=CAT)
    next_button = next(b for b in buttons(answer) if "▶" in b["text"])
    mark = api.mark()
    update = api.inject_callback_query(next_button["callback_data"], message=answer, user_id=CAT)
    [edited] = await api.wait_for_sent(CAT, since=mark)
    assert edited["message_id"] == answer["message_id"]
    assert edited["text"].startswith("第 4.1 步")
    [answered] = api.calls_of("answerCallbackQuery", since=mark)
    assert answered.params["callback_query_id"] == update["callback_query"]["id"]
    assert api.calls_of("sendMessage", since=mark) == []


async def test_more_detail_button_shows_the_sub_steps(api: FakeBotApi, bot: object) -> None:
    [answer] = await reply_to(api, "第四步", chat_id=CAT, user_id=CAT)
    detail = next(b for b in buttons(answer) if b["callback_data"].startswith("d:"))
    mark = api.mark()
    api.inject_callback_query(detail["callback_data"], message=answer, user_id=CAT)
    edited = (await api.wait_for_sent(CAT, since=mark))[0]
    assert "第 4.1 步" in edited["text"]
    assert "第 4.4 步" in "".join(api.sent_texts(CAT, since=mark))


async def test_every_button_fits_in_64_bytes(api: FakeBotApi, bot: object) -> None:
    for text in ["第四步", "/steps", "/lang", "注销后还被扣费怎么办", "余额没用完怎么办"]:
        [reply] = await reply_to(api, text, chat_id=CAT, user_id=CAT)
        for button in buttons(reply):
            assert len(button["callback_data"].encode()) <= 64


async def test_stale_or_forged_button_gets_a_short_notice(api: FakeBotApi, bot: object) -> None:
    [answer] = await reply_to(api, "第四步", chat_id=CAT, user_id=CAT)
    for data in ["s:removed-section:en", "garbage", "g::xx", "s:" + "x" * 40 + ":en"]:
        mark = api.mark()
        api.inject_callback_query(data, message=answer, user_id=CAT)
        [call] = await api.wait_for_calls("answerCallbackQuery", since=mark)
        assert call.params.get("text")
        assert api.sent(CAT, since=mark) == []
    assert api.failed_calls() == []


async def test_inline_query_offers_matching_sections(api: FakeBotApi, bot: object) -> None:
    mark = api.mark()
    api.inject_inline_query("卡丢了怎么办", user_id=CAT)
    [call] = await api.wait_for_calls("answerInlineQuery", since=mark)
    results = call.params["results"]
    assert 1 <= len(results) <= 5
    assert results[0]["id"].startswith("lost-card")
    assert results[0]["input_message_content"]["parse_mode"] == "HTML"


async def test_empty_inline_query_offers_the_steps_in_order(api: FakeBotApi, bot: object) -> None:
    mark = api.mark()
    api.inject_inline_query("", user_id=CAT)
    [call] = await api.wait_for_calls("answerInlineQuery", since=mark)
    ids = [result["id"].split(":")[0] for result in call.params["results"]]
    assert ids == ["overview", "reasons", "backup", "contact-support", "visit-store", "after-cancel"]


async def test_command_menu_is_published_in_chinese_and_english(api: FakeBotApi, bot: AnyApplication) -> None:
    publishing = profile_publisher(bot)  # in the background, once polling has started
    assert publishing is not None
    await asyncio.wait_for(publishing, timeout=10)
    english = api.my_commands(language_code="en")
    chinese = api.my_commands(language_code="zh")
    assert [c["command"] for c in english] == [
        *(
            "start",
            "ask",
            "steps",
            "step",
            "plan",
            "reminders",
            "phrases",
            "lang",
            "help",
            "privacy",
            "forget",
        )
    ]
    assert english[1]["description"] != chinese[1]["description"]
    assert api.my_commands()  # the default menu for everyone else
