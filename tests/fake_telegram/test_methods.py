"""The Bot API methods the bot calls, answered as Telegram answers them."""

from __future__ import annotations

import datetime as dtm

import httpx
import pytest
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllPrivateChats,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    Message,
    MessageEntity,
    ReplyKeyboardMarkup,
    ReplyParameters,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, InvalidToken

from fake_telegram import FakeBotApi
from tests.fake_telegram.conftest import GROUP, USER


def keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("Yes", callback_data="yes"),
                InlineKeyboardButton("No", callback_data="no"),
            ],
            [InlineKeyboardButton("Docs", url="https://example.com/docs")],
        ]
    )


async def test_get_me_describes_the_bot_with_fields_ptb_knows(api: FakeBotApi, bot: Bot) -> None:
    me = await bot.get_me()
    assert (me.id, me.username, me.is_bot) == (123456789, "SimHelpBot", True)
    assert me.can_join_groups is True
    assert me.can_read_all_group_messages is True  # privacy mode is off by default
    assert me.api_kwargs == {}
    assert [c.method for c in api.calls] == ["getMe", "getMe"]  # initialize() called it first


async def test_a_wrong_token_is_401_and_ptb_calls_it_invalid(api: FakeBotApi) -> None:
    wrong = Bot("123456789:WrongTokenWrongTokenWrongTokenWrong", base_url=api.base_url)
    with pytest.raises(InvalidToken):
        await wrong.initialize()
    assert api.calls[-1].status == 401


async def test_raw_http_json_bodies_query_strings_and_unknown_methods(api: FakeBotApi) -> None:
    api.ensure_chat(USER)
    url = f"{api.base_url}{api.token}"
    async with httpx.AsyncClient() as client:
        response = await client.post(f"{url}/sendMessage", json={"chat_id": USER, "text": "json"})
        assert response.json()["result"]["text"] == "json"
        response = await client.get(f"{url}/sendMessage", params={"chat_id": str(USER), "text": "5"})
        assert response.json()["result"]["text"] == "5"  # text stays a string
        response = await client.post(f"{url}/sendChatAction")  # not implemented: unknown, as on Telegram
        assert (response.status_code, response.json()["description"]) == (404, "Not Found")
    assert api.calls_of("sendMessage")[1].http_method == "GET"


async def test_send_message_parses_html_into_utf16_entities(api: FakeBotApi, bot: Bot) -> None:
    api.inject_message("/start", user_id=USER, username="ann")
    first = await bot.send_message(
        USER, "<b>😀你好</b> see https://example.com.", parse_mode=ParseMode.HTML, reply_markup=keyboard()
    )
    second = await bot.send_message(USER, "second", reply_markup=ReplyKeyboardMarkup([["a", "b"]]))

    assert first.text == "😀你好 see https://example.com."
    assert first.entities[0] == MessageEntity(MessageEntity.BOLD, 0, 4)  # the emoji is 2 UTF-16 units
    assert first.parse_entities([MessageEntity.URL]) == {first.entities[1]: "https://example.com"}
    assert (first.chat.id, first.chat.username, first.reply_markup) == (USER, "ann", keyboard())
    assert first.from_user is not None
    assert first.from_user.id == bot.id
    assert second.message_id == first.message_id + 1  # the injected /start was message 1
    assert second.reply_markup is None  # reply keyboards are not echoed
    assert isinstance(first.date, dtm.datetime)
    assert api.sent_texts(USER) == [first.text, "second"]
    assert (
        api.calls_of("sendMessage")[0].params["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
        == "yes"
    )


@pytest.mark.parametrize(
    ("text", "parse_mode", "error"),
    [
        ("a<br>b", ParseMode.HTML, r'can.t parse entities: unsupported start tag "br"'),
        ("<b>open", ParseMode.HTML, r"can.t find end tag"),
        ("<b><i>x</b></i>", ParseMode.HTML, r"unmatched end tag"),
        ("a < b", ParseMode.HTML, r"can.t parse entities"),
        ("*bold*", ParseMode.MARKDOWN_V2, r"implements parse_mode html only"),
        ("   \n ", None, r"message text is empty"),
        ("<b> </b>", ParseMode.HTML, r"message text is empty"),
        ("x" * 4097, None, r"message is too long"),
        ("😀" * 2049, None, r"message is too long"),  # 4,098 UTF-16 units
    ],
)
async def test_send_message_refuses_what_telegram_refuses(
    api: FakeBotApi, bot: Bot, text: str, parse_mode: str | None, error: str
) -> None:
    api.ensure_chat(USER)
    with pytest.raises(BadRequest, match=rf"(?i){error}"):
        await bot.send_message(USER, text, parse_mode=parse_mode)
    assert api.sent() == []


async def test_the_longest_message_fits(api: FakeBotApi, bot: Bot) -> None:
    api.ensure_chat(USER)
    assert (await bot.send_message(USER, "😀" * 2048)).text == "😀" * 2048


async def test_unknown_blocked_and_left_chats_and_bad_buttons_are_refused(api: FakeBotApi, bot: Bot) -> None:
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(999, "hi")
    api.ensure_chat(USER)
    too_long = InlineKeyboardMarkup.from_button(InlineKeyboardButton("b", callback_data="d" * 65))
    with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
        await bot.send_message(USER, "x", reply_markup=too_long)
    api.block_user(USER)
    with pytest.raises(Forbidden, match=r"(?i)blocked by the user"):
        await bot.send_message(USER, "hi")
    api.inject_my_chat_member(GROUP, old_status="member", new_status="kicked", from_user_id=USER)
    with pytest.raises(Forbidden, match=r"(?i)bot was kicked from the group chat"):
        await bot.send_message(GROUP, "hi")
    assert api.sent() == []


async def test_replies_quote_the_message_and_a_missing_one_is_an_error(api: FakeBotApi, bot: Bot) -> None:
    asked = api.inject_message("question", user_id=USER)["message"]["message_id"]
    reply = await bot.send_message(USER, "answer", reply_parameters=ReplyParameters(asked))
    assert reply.reply_to_message is not None
    assert reply.reply_to_message.text == "question"
    with pytest.raises(BadRequest, match=r"(?i)message to be replied not found"):
        await bot.send_message(USER, "x", reply_parameters=ReplyParameters(777))
    lenient = await bot.send_message(
        USER, "x", reply_parameters=ReplyParameters(777, allow_sending_without_reply=True)
    )
    assert lenient.reply_to_message is None


async def test_forum_topics_keep_replies_in_the_topic(api: FakeBotApi, bot: Bot) -> None:
    raw = api.inject_message(
        "/help@SimHelpBot", chat_id=-1001234, user_id=USER, chat_type="supergroup", message_thread_id=7
    )
    update = Update.de_json(raw, bot)
    assert update.message is not None
    assert update.message.chat.is_forum is True
    assert (update.message.is_topic_message, update.message.message_thread_id) == (True, 7)
    assert update.message.entities[0] == MessageEntity(MessageEntity.BOT_COMMAND, 0, len("/help@SimHelpBot"))
    # Telegram's quirk: a topic message "replies" to the topic's creation message.
    assert update.message.reply_to_message is not None
    assert update.message.reply_to_message.forum_topic_created is not None

    in_topic = await bot.send_message(-1001234, "answer", message_thread_id=7)
    assert (in_topic.message_thread_id, in_topic.is_topic_message) == (7, True)
    reply = await bot.send_message(
        -1001234, "reply", reply_parameters=ReplyParameters(update.message.message_id)
    )
    assert reply.message_thread_id == 7


async def test_injected_group_messages_carry_mention_and_command_entities(api: FakeBotApi, bot: Bot) -> None:
    raw = api.inject_message("hey @SimHelpBot, /help me", chat_id=GROUP, user_id=USER, chat_type="group")
    message = Update.de_json(raw, bot).message
    assert message is not None
    assert (message.chat.type, message.chat.title) == ("group", "Test group")
    assert list(message.parse_entities().values()) == ["@SimHelpBot", "/help"]
    assert message.from_user is not None
    assert message.from_user.language_code == "zh-hans"


async def test_edit_message_text_follows_telegrams_rules(api: FakeBotApi, bot: Bot) -> None:
    api.ensure_chat(USER)
    message = await bot.send_message(USER, "v1", reply_markup=keyboard())
    edited = await bot.edit_message_text(
        "v2", chat_id=USER, message_id=message.message_id, reply_markup=keyboard()
    )
    assert isinstance(edited, Message)
    assert (edited.text, edited.message_id, edited.reply_markup) == ("v2", message.message_id, keyboard())
    assert edited.edit_date is not None
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text(
            "v2", chat_id=USER, message_id=message.message_id, reply_markup=keyboard()
        )
    plain = await bot.edit_message_text("v2", chat_id=USER, message_id=message.message_id)
    assert isinstance(plain, Message)
    assert plain.reply_markup is None  # no reply_markup: Telegram drops the keyboard
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("x", chat_id=USER, message_id=999)
    theirs = api.inject_message("mine", user_id=USER)["message"]["message_id"]
    with pytest.raises(BadRequest, match=r"(?i)message can.t be edited"):
        await bot.edit_message_text("x", chat_id=USER, message_id=theirs)
    assert api.sent_texts(USER) == ["v1", "v2", "v2"]
    assert api.message(USER, message.message_id) == api.sent(USER)[-1]


async def test_a_callback_query_can_be_answered_once(api: FakeBotApi, bot: Bot) -> None:
    api.ensure_chat(USER)
    sent = await bot.send_message(USER, "Cancel the SIM?", reply_markup=keyboard())
    raw = api.inject_callback_query("yes", message=api.sent(USER)[-1])
    [fetched] = await bot.get_updates()
    query = fetched.callback_query
    assert query is not None
    assert (query.data, query.from_user.id) == ("yes", USER)
    assert isinstance(query.message, Message)
    assert (query.message.message_id, query.message.reply_markup) == (sent.message_id, keyboard())
    assert query.id == raw["callback_query"]["id"]
    assert await bot.answer_callback_query(query.id, text="Done") is True
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query(query.id)
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query("12345")  # never issued


async def test_an_inline_query_can_be_answered_once_with_valid_results(api: FakeBotApi, bot: Bot) -> None:
    raw = api.inject_inline_query("cancel sim", user_id=USER, offset="10")
    inline = Update.de_json(raw, bot).inline_query
    assert inline is not None
    assert (inline.query, inline.offset, inline.from_user.id) == ("cancel sim", "10", USER)
    article = InlineQueryResultArticle("a1", "How to cancel", InputTextMessageContent("Steps..."))
    with pytest.raises(BadRequest, match=r"(?i)RESULT_ID_DUPLICATE"):
        await bot.answer_inline_query(inline.id, [article, article])
    assert await bot.answer_inline_query(inline.id, [article], cache_time=0, next_offset="20") is True
    params = api.calls_of("answerInlineQuery")[-1].params
    assert (params["results"][0]["id"], params["next_offset"], params["cache_time"]) == ("a1", "20", 0)
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_inline_query(inline.id, [article])


async def test_command_menus_are_kept_per_scope_and_language(api: FakeBotApi, bot: Bot) -> None:
    commands = [BotCommand("start", "开始"), BotCommand("help", "帮助")]
    assert await bot.set_my_commands(commands, scope=BotCommandScopeAllPrivateChats(), language_code="zh")
    assert api.my_commands({"type": "all_private_chats"}, "zh")[0] == {
        "command": "start",
        "description": "开始",
    }
    assert api.my_commands() == []
    with pytest.raises(BadRequest, match=r"(?i)BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand("Start", "x")])
    with pytest.raises(BadRequest, match=r"(?i)invalid language code"):
        await bot.set_my_commands(commands, language_code="zh-hans")


async def test_descriptions_are_kept_per_language_like_telegram(api: FakeBotApi, bot: Bot) -> None:
    assert await bot.set_my_description("Answer desk for SIM cards")
    assert await bot.set_my_description("注销阿尔巴尼亚 SIM 卡", language_code="zh")
    assert await bot.set_my_short_description("SIM help", language_code="en")
    assert (await bot.get_my_description()).description == "Answer desk for SIM cards"
    assert (await bot.get_my_description(language_code="zh")).description == "注销阿尔巴尼亚 SIM 卡"
    assert (await bot.get_my_description(language_code="fr")).description == ""  # none of its own
    assert (await bot.get_my_short_description(language_code="en")).short_description == "SIM help"
    assert (await bot.get_my_short_description()).short_description == ""
    assert api.my_description("zh") == "注销阿尔巴尼亚 SIM 卡"
    assert api.my_description("en", short=True) == "SIM help"
    assert await bot.set_my_description("", language_code="zh")  # removes it
    assert (await bot.get_my_description(language_code="zh")).description == ""
    with pytest.raises(BadRequest, match=r"(?i)description_invalid"):
        await bot.set_my_short_description("x" * 121)
    with pytest.raises(BadRequest, match=r"(?i)description_invalid"):
        await bot.set_my_description("x" * 513)
    with pytest.raises(BadRequest, match=r"(?i)invalid language code"):
        await bot.set_my_description("x", language_code="english")
    assert api.my_description(short=True) == ""
