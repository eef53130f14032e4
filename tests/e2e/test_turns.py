"""The turn pipeline through the real Application: what the handler table sends where, and how
the replies leave (a new message, the pressed message edited, or a toast)."""

from __future__ import annotations

from bot.kb.base import KnowledgeBase
from bot.kb.message_keys import MessageKey
from fake_telegram import FakeBotApi
from tests.e2e.conftest import ADMIN_ID, BOT_USERNAME, assert_silent, buttons, reply_to

ANN = 301
GROUP = -100_300_400


async def test_an_unknown_command_gets_the_help_in_private_and_nothing_in_a_group(
    api: FakeBotApi, bot: object, kb: KnowledgeBase
) -> None:
    [private] = await reply_to(api, "/frobnicate now", chat_id=ANN, user_id=ANN)
    assert kb.messages.get(MessageKey.HELP, "zh-Hans").splitlines()[0] in private["text"]
    mark = api.mark()
    for text in ("/frobnicate", f"/frobnicate@{BOT_USERNAME}", "/help@OtherBot"):
        api.inject_message(text, chat_id=GROUP, user_id=ANN, chat_type="supergroup")
    await assert_silent(api, GROUP, mark)


async def test_admin_commands_come_before_the_command_handler_that_takes_the_rest(
    api: FakeBotApi, bot: object, kb: KnowledgeBase
) -> None:
    [refused] = await reply_to(api, "/unanswered", chat_id=ANN, user_id=ANN)
    assert refused["text"] == kb.messages.get(MessageKey.NOT_ADMIN, "zh-Hans").strip()
    [report] = await reply_to(api, "/unanswered", chat_id=ADMIN_ID, user_id=ADMIN_ID)
    assert kb.messages.get(MessageKey.HELP, "zh-Hans").splitlines()[0] not in report["text"]
    assert report["text"] != refused["text"]


async def test_a_press_edits_its_message_and_a_stale_one_gets_a_toast_and_no_edit(
    api: FakeBotApi, bot: object, kb: KnowledgeBase
) -> None:
    [answer] = await reply_to(api, "第四步", chat_id=ANN, user_id=ANN)
    next_button = next(button for button in buttons(answer) if button["text"].endswith("▶"))
    mark = api.mark()
    api.inject_callback_query(next_button["callback_data"], message=answer)
    [edited] = await api.wait_for_sent(ANN, since=mark)
    assert edited["message_id"] == answer["message_id"]
    assert edited["text"].startswith("第 4.1 步")
    mark = api.mark()
    api.inject_callback_query("s:no-such-section:en", message=edited)
    [toast] = await api.wait_for_calls("answerCallbackQuery", since=mark)
    assert toast.params["text"] == kb.messages.get(MessageKey.STALE_BUTTON, "en")
    await assert_silent(api, ANN, mark)  # the message stays as it was
