"""Tests of the fake Bot API server, driven by PTB's own ``telegram.Bot``.

Every response the fake produces goes through PTB's request layer and ``de_json``, so these tests
prove PTB accepts it.
"""

from __future__ import annotations

import asyncio
import datetime as dtm
import json
import time
from collections.abc import AsyncIterator

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
from telegram.constants import ChatAction, ParseMode
from telegram.error import (
    BadRequest,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes
from telegram.request import HTTPXRequest

from fake_telegram import Call, FakeBotApi

TOKEN = "123456789:AAE2eTestTokenForTheFakeBotApiServer"
USER = 4242


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi(token=TOKEN, username="SimHelpBot") as fake:
        yield fake


@pytest.fixture
async def bot(api: FakeBotApi) -> AsyncIterator[Bot]:
    async with Bot(TOKEN, base_url=api.base_url, base_file_url=api.base_file_url) as ptb_bot:
        yield ptb_bot


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


# ------------------------------------------------------------------------------------ getMe


async def test_get_me(api: FakeBotApi, bot: Bot) -> None:
    me = await bot.get_me()
    assert me.is_bot is True
    assert me.username == "SimHelpBot"
    assert me.id == 123456789 == bot.id
    assert me.can_join_groups is True
    assert me.supports_inline_queries is True
    assert me.can_connect_to_business is False
    assert me.has_main_web_app is False
    assert me.api_kwargs == {}  # every field is one PTB knows
    # initialize() already called getMe once
    assert [c.method for c in api.calls] == ["getMe", "getMe"]
    assert api.bot_user["username"] == "SimHelpBot"


async def test_wrong_token_is_invalid_token(api: FakeBotApi) -> None:
    wrong = Bot("123456789:WrongTokenWrongTokenWrongTokenWrong", base_url=api.base_url)
    with pytest.raises(InvalidToken):
        await wrong.initialize()
    await wrong.shutdown()
    assert api.calls[-1].status == 401


async def test_raw_http_json_body_get_and_unknown_method(api: FakeBotApi) -> None:
    api.ensure_chat(USER)
    async with httpx.AsyncClient() as client:
        url = f"{api.base_url}{api.token}"
        response = await client.post(f"{url}/sendMessage", json={"chat_id": USER, "text": "json"})
        assert response.json()["result"]["text"] == "json"
        response = await client.get(f"{url}/sendMessage", params={"chat_id": str(USER), "text": "5"})
        assert response.json()["result"]["text"] == "5"  # text stays a string
        response = await client.post(f"{url}/noSuchMethod")
        assert response.status_code == 404
        assert response.json() == {"ok": False, "error_code": 404, "description": "Not Found"}
        response = await client.post(f"{api.base_url}nope/getMe")
        assert response.status_code == 401
        assert response.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}
    assert api.calls_of("sendMessage")[1].http_method == "GET"


# ------------------------------------------------------------------------------ sendMessage


async def test_send_message_round_trip(api: FakeBotApi, bot: Bot) -> None:
    api.inject_message("/start", user_id=USER, username="ann")
    markup = keyboard()
    first = await bot.send_message(
        USER, "<b>你好</b> Ann, see https://example.com", parse_mode=ParseMode.HTML, reply_markup=markup
    )
    second = await bot.send_message(USER, "second", reply_markup=ReplyKeyboardMarkup([["a", "b"]]))

    assert first.text == "你好 Ann, see https://example.com"
    assert first.chat.id == USER
    assert first.chat.type == "private"
    assert first.chat.username == "ann"
    assert first.from_user is not None
    assert first.from_user.id == bot.id
    assert first.reply_markup == markup
    assert first.entities[0] == MessageEntity(MessageEntity.BOLD, 0, 2)
    assert first.entities[1].type == MessageEntity.URL
    assert first.parse_entities()[first.entities[1]] == "https://example.com"
    assert second.message_id == first.message_id + 1  # the injected /start was message 1
    assert second.reply_markup is None  # reply keyboards are not echoed
    assert isinstance(first.date, dtm.datetime)

    sent = api.sent(USER)
    assert [m["text"] for m in sent] == [first.text, "second"]
    call = api.calls_of("sendMessage")[0]
    assert call.params["parse_mode"] == "HTML"
    assert call.params["chat_id"] == USER
    assert call.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "yes"


async def test_send_message_errors(api: FakeBotApi, bot: Bot) -> None:
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(999, "hi")
    api.ensure_chat(USER)
    with pytest.raises(BadRequest, match=r'(?i)can.t parse entities.*Unsupported start tag "br"'):
        await bot.send_message(USER, "a<br>b", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match=r"(?i)Character '.' is reserved"):
        await bot.send_message(USER, "Hello.", parse_mode=ParseMode.MARKDOWN_V2)
    with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
        await bot.send_message(USER, "   ")
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(USER, "x" * 4097)
    with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
        await bot.send_message(
            USER,
            "x",
            reply_markup=InlineKeyboardMarkup.from_button(InlineKeyboardButton("b", callback_data="d" * 65)),
        )
    api.block_user(USER)
    with pytest.raises(Forbidden, match=r"(?i)blocked by the user"):
        await bot.send_message(USER, "hi")
    assert api.sent() == []
    assert all(not c.ok for c in api.calls_of("sendMessage"))


async def test_markdown_v2_and_replies(api: FakeBotApi, bot: Bot) -> None:
    update = api.inject_message("question", user_id=USER)
    asked = update["message"]["message_id"]
    reply = await bot.send_message(
        USER,
        r"*Step 1\.* call `*123#`",
        parse_mode=ParseMode.MARKDOWN_V2,
        reply_parameters=ReplyParameters(asked),
    )
    assert reply.text == "Step 1. call *123#"
    assert [e.type for e in reply.entities] == [MessageEntity.BOLD, MessageEntity.CODE]
    assert reply.reply_to_message is not None
    assert reply.reply_to_message.text == "question"
    with pytest.raises(BadRequest, match=r"(?i)message to be replied not found"):
        await bot.send_message(USER, "x", reply_to_message_id=777)


async def test_topics_in_forum_supergroup(api: FakeBotApi, bot: Bot) -> None:
    group = -1001234567890
    raw = api.inject_message(
        "/help@SimHelpBot",
        chat_id=group,
        user_id=USER,
        chat_type="supergroup",
        chat_title="SIM users",
        message_thread_id=7,
        is_topic_message=True,
    )
    update = Update.de_json(raw, bot)
    assert update.message is not None
    assert update.message.chat.is_forum is True
    assert update.message.chat.title == "SIM users"
    assert update.message.is_topic_message is True
    assert update.message.message_thread_id == 7
    assert update.message.entities[0].type == MessageEntity.BOT_COMMAND
    assert update.message.entities[0].length == len("/help@SimHelpBot")
    # Telegram quirk: topic messages "reply" to the topic's creation message
    assert update.message.reply_to_message is not None
    assert update.message.reply_to_message.forum_topic_created is not None

    sent = await bot.send_message(group, "answer", message_thread_id=7)
    assert sent.message_thread_id == 7
    assert sent.is_topic_message is True
    threaded = await bot.send_message(group, "reply", reply_to_message_id=update.message.message_id)
    assert threaded.message_thread_id == 7
    assert threaded.reply_to_message is not None
    assert threaded.reply_to_message.text == "/help@SimHelpBot"


async def test_group_message_and_mentions(api: FakeBotApi, bot: Bot) -> None:
    raw = api.inject_message("hey @SimHelpBot how to cancel?", chat_id=-555, user_id=USER, chat_type="group")
    update = Update.de_json(raw, bot)
    assert update.message is not None
    assert update.message.chat.type == "group"
    assert update.message.chat.title == "Test group"
    assert update.message.parse_entities([MessageEntity.MENTION]) == {
        update.message.entities[0]: "@SimHelpBot"
    }
    assert update.message.from_user is not None
    assert update.message.from_user.language_code == "zh-hans"


# ------------------------------------------------------------------------------- getUpdates


async def test_get_updates_order_offset_and_limit(api: FakeBotApi, bot: Bot) -> None:
    injected = [api.inject_message(text, user_id=USER) for text in ("/start", "one", "two")]
    updates = await bot.get_updates(timeout=0)
    assert [u.update_id for u in updates] == [u["update_id"] for u in injected]
    assert [u.message.text for u in updates if u.message] == ["/start", "one", "two"]
    assert updates[0].message is not None
    assert updates[0].message.entities[0].type == MessageEntity.BOT_COMMAND

    # not confirmed yet: same updates again, limit honoured
    again = await bot.get_updates(limit=2)
    assert [u.update_id for u in again] == [u.update_id for u in updates[:2]]
    # offset confirms everything before it
    rest = await bot.get_updates(offset=updates[1].update_id + 1)
    assert [u.update_id for u in rest] == [updates[2].update_id]
    assert await bot.get_updates(offset=updates[2].update_id + 1) == ()
    assert api.pending_updates == []
    assert api.calls_of("getUpdates")[0].params["timeout"] == 0


async def test_long_poll_returns_early_on_injection(api: FakeBotApi, bot: Bot) -> None:
    async def inject_later() -> None:
        await asyncio.sleep(0.15)
        api.inject_message("late", user_id=USER)

    started = time.monotonic()
    task = asyncio.create_task(inject_later())
    updates = await bot.get_updates(timeout=3)
    await task
    assert 0.1 < time.monotonic() - started < 1.5
    assert [u.message.text for u in updates if u.message] == ["late"]


async def test_long_poll_times_out_empty(api: FakeBotApi, bot: Bot) -> None:
    started = time.monotonic()
    assert await bot.get_updates(timeout=dtm.timedelta(seconds=0.3)) == ()
    assert 0.25 < time.monotonic() - started < 1.5


async def test_allowed_updates_and_webhook_conflict(api: FakeBotApi, bot: Bot) -> None:
    api.inject_inline_query("x", user_id=USER)
    kept = api.inject_message("kept", user_id=USER)
    updates = await bot.get_updates(allowed_updates=["message"])
    assert [u.update_id for u in updates] == [kept["update_id"]]

    assert await bot.set_webhook("https://example.com/hook") is True
    info = await bot.get_webhook_info()
    assert info.url == "https://example.com/hook"
    with pytest.raises(Conflict, match=r"(?i)webhook is active"):
        await bot.get_updates()
    assert await bot.delete_webhook(drop_pending_updates=True) is True
    assert (await bot.get_webhook_info()).pending_update_count == 0
    assert api.calls_of("deleteWebhook")[0].params["drop_pending_updates"] is True


async def test_edited_media_and_raw_updates_parse(api: FakeBotApi, bot: Bot) -> None:
    api.inject_message("first", user_id=USER)
    raws = [
        api.inject_message("first (edited)", user_id=USER, edited=True),
        api.inject_media("photo", user_id=USER, caption="my #sim card"),
        api.inject_media("sticker", user_id=USER),
        api.inject_media("voice", user_id=USER, content=b"OggS-fake"),
        api.inject_media("animation", user_id=USER),
        api.inject_media("contact", user_id=USER),
        api.inject_raw({"some_future_update": {"x": 1}}),
    ]
    updates = await bot.get_updates()
    assert len(updates) == 8
    edited = updates[1].edited_message
    assert edited is not None
    assert edited.text == "first (edited)"
    assert edited.edit_date is not None
    photo = updates[2].message
    assert photo is not None
    assert photo.photo[-1].width == 800
    assert photo.caption_entities[0].type == MessageEntity.HASHTAG
    assert updates[3].message is not None
    assert updates[3].message.sticker is not None
    assert updates[3].message.sticker.emoji == "👍"
    voice = updates[4].message.voice if updates[4].message else None
    assert voice is not None
    assert voice.mime_type == "audio/ogg"
    assert updates[5].message is not None
    assert updates[5].message.animation is not None
    assert updates[6].message is not None
    assert updates[6].message.contact is not None
    assert updates[7].api_kwargs == {"some_future_update": {"x": 1}}
    assert updates[7].update_id == raws[-1]["update_id"]

    file = await bot.get_file(voice.file_id)
    assert bytes(await file.download_as_bytearray()) == b"OggS-fake"


# ------------------------------------------------------------------------------------ edits


async def test_edit_message_text(api: FakeBotApi, bot: Bot) -> None:
    api.ensure_chat(USER)
    message = await bot.send_message(USER, "v1", reply_markup=keyboard())
    edited = await bot.edit_message_text(
        "v2", chat_id=USER, message_id=message.message_id, reply_markup=keyboard()
    )
    assert not isinstance(edited, bool)
    assert edited.text == "v2"
    assert edited.message_id == message.message_id
    assert edited.edit_date is not None
    assert edited.reply_markup == keyboard()
    with pytest.raises(BadRequest, match=r"(?i)not modified"):
        await bot.edit_message_text(
            "v2", chat_id=USER, message_id=message.message_id, reply_markup=keyboard()
        )
    # without reply_markup Telegram drops the keyboard - so this is a modification
    plain = await bot.edit_message_text("v2", chat_id=USER, message_id=message.message_id)
    assert not isinstance(plain, bool)
    assert plain.reply_markup is None
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("x", chat_id=USER, message_id=999)

    markup_only = await bot.edit_message_reply_markup(USER, message.message_id, reply_markup=keyboard())
    assert not isinstance(markup_only, bool)
    assert markup_only.reply_markup == keyboard()
    assert [m["text"] for m in api.sent(USER)] == ["v1", "v2", "v2", "v2"]
    assert api.message(USER, message.message_id) == api.sent(USER)[-1]

    assert await bot.delete_message(USER, message.message_id) is True
    with pytest.raises(BadRequest, match=r"(?i)message to delete not found"):
        await bot.delete_message(USER, message.message_id)


# ----------------------------------------------------------------------- callback / inline


async def test_callback_query(api: FakeBotApi, bot: Bot) -> None:
    api.ensure_chat(USER, username="ann")
    message = await bot.send_message(USER, "Cancel the SIM?", reply_markup=keyboard())
    raw = api.inject_callback_query("yes", message=api.last_sent(USER))
    update = Update.de_json(raw, bot)
    query = update.callback_query
    assert query is not None
    assert query.data == "yes"
    assert query.from_user.id == USER
    assert isinstance(query.message, Message)
    assert query.message.message_id == message.message_id
    assert query.message.reply_markup == keyboard()
    assert query.chat_instance

    [fetched] = await bot.get_updates()
    assert fetched.callback_query == query
    assert await bot.answer_callback_query(query.id, text="Done") is True
    assert api.calls_of("answerCallbackQuery")[0].params == {"callback_query_id": query.id, "text": "Done"}
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query(query.id)


async def test_inline_query(api: FakeBotApi, bot: Bot) -> None:
    raw = api.inject_inline_query("cancel sim", user_id=USER, offset="10")
    update = Update.de_json(raw, bot)
    inline = update.inline_query
    assert inline is not None
    assert inline.query == "cancel sim"
    assert inline.offset == "10"
    assert inline.from_user.id == USER
    assert inline.chat_type == "sender"
    results = [InlineQueryResultArticle("a1", "How to cancel", InputTextMessageContent("Steps..."))]
    assert await bot.answer_inline_query(inline.id, results, cache_time=0, next_offset="20") is True
    params = api.calls_of("answerInlineQuery")[0].params
    assert params["results"][0]["id"] == "a1"
    assert params["results"][0]["input_message_content"]["message_text"] == "Steps..."
    assert params["next_offset"] == "20"
    assert params["cache_time"] == 0


# ------------------------------------------------------------------------- other methods


async def test_commands_descriptions_and_misc(api: FakeBotApi, bot: Bot) -> None:
    scope = BotCommandScopeAllPrivateChats()
    commands = [BotCommand("start", "开始"), BotCommand("help", "帮助")]
    assert await bot.set_my_commands(commands, scope=scope, language_code="zh") is True
    assert await bot.get_my_commands(scope=scope, language_code="zh") == tuple(commands)
    assert await bot.get_my_commands() == ()
    assert api.my_commands({"type": "all_private_chats"}, "zh")[0] == {
        "command": "start",
        "description": "开始",
    }
    with pytest.raises(BadRequest, match=r"(?i)BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand("Start", "x")])
    assert await bot.delete_my_commands(scope=scope, language_code="zh") is True
    assert await bot.get_my_commands(scope=scope, language_code="zh") == ()

    assert await bot.set_my_description("Answer desk", language_code="en") is True
    assert (await bot.get_my_description(language_code="en")).description == "Answer desk"
    assert await bot.set_my_short_description("SIM help") is True
    assert (await bot.get_my_short_description()).short_description == "SIM help"

    api.inject_message("hi", chat_id=-100777, user_id=USER, chat_type="supergroup")
    api.ensure_chat(USER)  # a group message does not open the private chat
    assert await bot.send_chat_action(USER, ChatAction.TYPING) is True
    chat = await bot.get_chat(USER)
    assert chat.type == "private"
    assert chat.first_name == "Ann"
    group = await bot.get_chat(-100777)
    assert group.type == "supergroup"
    assert group.permissions is not None
    assert await bot.log_out() is True
    assert await bot.close() is True


# ------------------------------------------------------------------------------- faults


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_fail_next_429_is_retry_after(api: FakeBotApi, bot: Bot) -> None:
    api.ensure_chat(USER)
    api.fail_next("sendMessage", status=429, retry_after=7)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(USER, "x")
    retry_after = caught.value.retry_after
    seconds = retry_after.total_seconds() if isinstance(retry_after, dtm.timedelta) else retry_after
    assert seconds == 7
    assert api.calls[-1].fault == "error 429"
    assert api.calls[-1].error == "Too Many Requests: retry after 7"
    # only once: the retry goes through
    assert (await bot.send_message(USER, "x")).text == "x"
    assert len(api.sent(USER)) == 1


async def test_fail_next_server_errors_are_network_errors(api: FakeBotApi, bot: Bot) -> None:
    api.ensure_chat(USER)
    api.fail_next("sendMessage", status=500, times=2)
    api.fail_next("*", status=502)
    for _ in range(2):
        with pytest.raises(NetworkError) as caught:
            await bot.send_message(USER, "x")
        assert not isinstance(caught.value, BadRequest)
    with pytest.raises(NetworkError, match=r"(?i)Bad Gateway"):
        await bot.get_me()
    api.fail_next("sendMessage", status=400, description="Bad Request: custom")
    with pytest.raises(BadRequest, match=r"(?i)custom"):
        await bot.send_message(USER, "x")
    assert api.sent() == []


async def test_drop_malformed_and_delay(api: FakeBotApi, bot: Bot) -> None:
    api.ensure_chat(USER)
    api.drop_next("sendMessage")
    with pytest.raises(NetworkError):
        await bot.send_message(USER, "dropped")
    assert api.sent() == []

    api.drop_next("sendMessage", processed=True)  # delivered, but the response is lost
    with pytest.raises(NetworkError):
        await bot.send_message(USER, "lost response")
    assert api.sent_texts(USER) == ["lost response"]

    api.malformed_next("getMe")
    with pytest.raises(TelegramError, match=r"(?i)Invalid server response"):
        await bot.get_me()

    api.delay_next("sendChatAction", 0.3)
    started = time.monotonic()
    assert await bot.send_chat_action(USER, ChatAction.TYPING) is True
    assert time.monotonic() - started >= 0.3
    assert [c.fault for c in api.calls[-4:-1]] == ["drop", "drop", "malformed"]


async def test_delayed_call_still_takes_effect_after_client_timeout(api: FakeBotApi) -> None:
    api.ensure_chat(USER)
    api.delay_next("sendMessage", 0.3)
    request = HTTPXRequest(read_timeout=0.1)
    async with Bot(TOKEN, base_url=api.base_url, request=request) as impatient:
        with pytest.raises(TimedOut):
            await impatient.send_message(USER, "slow")
        assert api.sent() == []
        [message] = await api.wait_for_sent(USER, 1, timeout=2)
    assert message["text"] == "slow"


async def test_second_poller_terminates_the_first(api: FakeBotApi, bot: Bot) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=3))
    await api.wait_until(lambda: api.pending_polls == 1, timeout=1)
    async with Bot(TOKEN, base_url=api.base_url) as other:
        assert await other.get_updates(timeout=0) == ()
    with pytest.raises(Conflict, match=r"(?i)terminated by other getUpdates request"):
        await first


# ------------------------------------------------------------------------------- waiting


async def test_wait_helpers(api: FakeBotApi, bot: Bot) -> None:
    api.ensure_chat(USER)
    mark = api.mark()

    async def bot_side() -> None:
        await asyncio.sleep(0.05)
        await bot.send_message(USER, "one")
        await bot.send_message(USER, "two")

    task = asyncio.create_task(bot_side())
    calls = await api.wait_for_calls("sendMessage", 2, timeout=2, since=mark)
    assert [c.params["text"] for c in calls] == ["one", "two"]
    found = await api.wait_for(lambda c: c.params.get("text") == "two", timeout=1)
    assert isinstance(found, Call)
    assert found.result["text"] == "two"
    assert [m["text"] for m in await api.wait_for_sent(USER, 2, since=mark)] == ["one", "two"]
    await task

    with pytest.raises(AssertionError, match=r"(?s)1 call\(s\) of answerCallbackQuery.*sendMessage"):
        await api.wait_for_calls("answerCallbackQuery", 1, timeout=0.1)


# ------------------------------------------------------------------- a real Application


async def test_application_polling_end_to_end(api: FakeBotApi) -> None:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_chat is not None
        await context.bot.send_message(
            update.effective_chat.id, "<b>Welcome</b>", parse_mode=ParseMode.HTML, reply_markup=keyboard()
        )

    async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        await query.answer()
        await query.edit_message_text(f"You chose {query.data}")

    app = Application.builder().token(api.token).base_url(api.base_url).build()
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(pressed))
    async with app:
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=1)
        await app.start()
        try:
            api.inject_message("/start", user_id=USER)
            [welcome] = await api.wait_for_sent(USER, 1, timeout=3)
            assert welcome["text"] == "Welcome"
            mark = api.mark()
            api.inject_callback_query("no", message=welcome)
            [edited] = await api.wait_for_sent(USER, 1, timeout=3, since=mark)
            assert edited["text"] == "You chose no"
            assert "reply_markup" not in edited
            assert api.calls_of("answerCallbackQuery", since=mark)[0].ok
        finally:
            await app.updater.stop()
            await app.stop()
    methods = {c.method for c in api.calls}
    assert {"getMe", "deleteWebhook", "getUpdates"} <= methods
    assert api.failed_calls() == []
    assert api.pending_updates == []
    json.dumps([c.params for c in api.calls])  # params are plain JSON data
