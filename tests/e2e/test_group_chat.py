"""Group chats with Telegram's default privacy mode: asked by /ask or a reply, answered in place.

The fake Bot API applies privacy mode here as Telegram does: the bot receives commands meant
for it, general commands when it was the last bot to post, and replies to its own messages —
not plain chatter and not plain @mentions (unless it is an admin).
"""

from __future__ import annotations

import pytest

from bot.kb.base import KnowledgeBase
from bot.kb.message_keys import MessageKey
from fake_telegram import FakeBotApi
from tests.e2e.conftest import BOT_USERNAME, assert_silent, buttons, reply_to

pytestmark = pytest.mark.privacy_mode

GROUP = -100_200_300
NEW_GROUP = -100_200_301
ANN, BOB = 201, 202


@pytest.fixture(autouse=True)
async def joined(api: FakeBotApi, bot: object) -> None:
    """Ann adds the bot to the group; its introduction makes it the last bot to post there.

    (With privacy mode, Telegram delivers a bare "/ask …" only to the bot that posted last.)
    """
    mark = api.mark()
    api.inject_my_chat_member(
        GROUP, old_status="left", new_status="member", from_user_id=ANN, chat_type="supergroup"
    )
    await api.wait_for_sent(GROUP, since=mark)


def in_group(user_id: int, **extra: object) -> dict[str, object]:
    return {
        "chat_id": GROUP,
        "user_id": user_id,
        "chat_type": "supergroup",
        "chat_title": "Albania SIM help",
        **extra,
    }


@pytest.mark.parametrize(
    ("question", "start"),
    [
        ("/ask 第四步要带什么", "第 4.1 步"),
        (f"/ask@{BOT_USERNAME} what do I bring to the store", "Step 4.1"),
        ("/q 卡丢了", "支线"),
        ("/ask 註銷之後帳戶還在嗎", "第 5.3 步"),
    ],
)
async def test_ask_in_a_group_is_answered_as_a_reply_to_the_asking_message(
    api: FakeBotApi, bot: object, question: str, start: str
) -> None:
    mark = api.mark()
    update = api.inject_message(question, **in_group(ANN))  # type: ignore[arg-type]
    [reply] = await api.wait_for_sent(GROUP, since=mark)
    assert reply["text"].startswith(start)
    assert reply["reply_to_message"]["message_id"] == update["message"]["message_id"]


async def test_chatter_and_plain_mentions_are_not_delivered_and_nothing_breaks(
    api: FakeBotApi, bot: object
) -> None:
    mark = api.mark()
    texts = ["大家好", "卡丢了还能注销吗", "下一步", f"@{BOT_USERNAME} 第四步怎么办", "你好"]
    for text in texts:
        api.inject_message(text, **in_group(ANN))  # type: ignore[arg-type]
    assert [m["text"] for m in api.withheld[-len(texts) :]] == texts  # Telegram kept them from the bot
    await assert_silent(api, GROUP, mark)
    assert api.failed_calls() == []


async def test_as_an_admin_the_bot_also_answers_plain_mentions(api: FakeBotApi, bot: object) -> None:
    api.set_admin(GROUP)
    [reply] = await reply_to(api, f"@{BOT_USERNAME} 第四步是什么", **in_group(ANN))  # type: ignore[arg-type]
    assert reply["text"].startswith("第 4 步")
    mark = api.mark()
    api.inject_message("今天好热", **in_group(BOB))  # type: ignore[arg-type]  # delivered, not addressed
    await assert_silent(api, GROUP, mark)


async def test_being_added_to_a_group_posts_one_introduction(
    api: FakeBotApi, bot: object, kb: KnowledgeBase
) -> None:
    mark = api.mark()
    api.inject_my_chat_member(
        NEW_GROUP,
        old_status="left",
        new_status="member",
        from_user_id=ANN,
        chat_type="group",
        language_code="en",
    )
    [intro] = await api.wait_for_sent(NEW_GROUP, since=mark)
    assert intro["text"].startswith(kb.messages.get(MessageKey.GROUP_INTRO, "en").splitlines()[0])
    assert "/ask" in intro["text"]
    # Made an admin, then asked a general command: the bot posted last, so /steps reaches it.
    api.inject_my_chat_member(
        NEW_GROUP, old_status="member", new_status="administrator", from_user_id=ANN, chat_type="group"
    )
    [steps] = await reply_to(api, "/steps", chat_id=NEW_GROUP, user_id=BOB, chat_type="group")
    assert len(buttons(steps)) == 5
    assert sum("/ask" in text for text in api.sent_texts(NEW_GROUP, since=mark)) == 1  # one introduction only


async def test_commands_for_this_bot_are_answered_and_for_other_bots_ignored(
    api: FakeBotApi, bot: object
) -> None:
    [mine] = await reply_to(api, f"/help@{BOT_USERNAME}", **in_group(ANN))  # type: ignore[arg-type]
    assert "/ask" in mine["text"]
    [bare] = await reply_to(api, "/steps", **in_group(ANN))  # type: ignore[arg-type]  # we posted last
    assert bare["reply_markup"]["inline_keyboard"]
    [phrases] = await reply_to(api, f"/phrases@{BOT_USERNAME}", **in_group(BOB))  # type: ignore[arg-type]
    assert "Dua ta mbyll përfundimisht këtë numër, ju lutem." in phrases["text"]
    mark = api.mark()
    api.inject_message("/help@OtherBot", **in_group(ANN))  # type: ignore[arg-type]
    api.inject_message("/start@OtherBot", **in_group(BOB))  # type: ignore[arg-type]
    await assert_silent(api, GROUP, mark)


async def test_small_talk_in_a_group_needs_to_be_addressed_too(
    api: FakeBotApi, bot: object, kb: KnowledgeBase
) -> None:
    [hello] = await reply_to(api, "/ask 你好", **in_group(ANN))  # type: ignore[arg-type]
    assert hello["text"] == kb.messages.get(MessageKey.SMALL_TALK_GREETING, "zh-Hans")
    [thanks] = await reply_to(api, "thanks!", reply_to_message_id=hello["message_id"], **in_group(BOB))  # type: ignore[arg-type]
    assert thanks["text"] == kb.messages.get(MessageKey.SMALL_TALK_THANKS, "en")


async def test_edited_messages_other_bots_and_media_get_silence(api: FakeBotApi, bot: object) -> None:
    [answer] = await reply_to(api, "/ask hi", **in_group(ANN))  # type: ignore[arg-type]
    mark = api.mark()
    api.inject_message("第四步", edited=True, reply_to_message_id=answer["message_id"], **in_group(ANN))  # type: ignore[arg-type]
    api.inject_message(f"/ask@{BOT_USERNAME} 第四步", from_bot=True, **in_group(303))  # type: ignore[arg-type]
    api.inject_media("sticker", chat_id=GROUP, user_id=ANN, chat_type="supergroup")
    await assert_silent(api, GROUP, mark)


async def test_a_reply_to_the_bot_is_addressed_to_it(api: FakeBotApi, bot: object) -> None:
    [answer] = await reply_to(api, "/ask 第四步", **in_group(ANN))  # type: ignore[arg-type]
    [follow] = await reply_to(api, "下一步", reply_to_message_id=answer["message_id"], **in_group(ANN))  # type: ignore[arg-type]
    assert follow["text"].startswith("第 4.1 步")


async def test_forum_topic_questions_are_answered_in_the_same_topic(api: FakeBotApi, bot: object) -> None:
    topic = 77
    mark = api.mark()
    api.inject_message("/ask 卡丢了", message_thread_id=topic, is_topic_message=True, **in_group(ANN))  # type: ignore[arg-type]
    [reply] = await api.wait_for_sent(GROUP, since=mark)
    assert reply["message_thread_id"] == topic
    [call] = api.calls_of("sendMessage", since=mark)
    assert int(call.params["message_thread_id"]) == topic


async def test_two_people_interleaving_keep_their_own_place(api: FakeBotApi, bot: object) -> None:
    [ann_four] = await reply_to(api, "/ask 第四步", **in_group(ANN))  # type: ignore[arg-type]
    [bob_two] = await reply_to(api, "/step 2", **in_group(BOB))  # type: ignore[arg-type]
    mark = api.mark()
    api.inject_message("今天好热", **in_group(ANN))  # type: ignore[arg-type]
    await assert_silent(api, GROUP, mark)
    [ann_next] = await reply_to(api, "/ask 下一步", **in_group(ANN))  # type: ignore[arg-type]
    [bob_next] = await reply_to(api, "next", reply_to_message_id=bob_two["message_id"], **in_group(BOB))  # type: ignore[arg-type]
    [ann_back] = await reply_to(api, "上一步", reply_to_message_id=ann_next["message_id"], **in_group(ANN))  # type: ignore[arg-type]
    assert ann_four["text"].startswith("第 4 步")
    assert ann_next["text"].startswith("第 4.1 步")
    assert bob_two["text"].startswith("第 2 步")
    # backup → unbind-services, still in Chinese although Bob typed "next"
    assert bob_next["text"].startswith("第 2 步")
    assert bob_next["text"] != bob_two["text"]
    assert ann_back["text"].startswith("第 4 步")


async def test_personal_numbers_in_a_group_get_a_privacy_advice(
    api: FakeBotApi, bot: object, kb: KnowledgeBase
) -> None:
    replies = await reply_to(api, "/ask 我的号码 +355 69 123 4567 怎么注销", count=2, **in_group(ANN))  # type: ignore[arg-type]
    assert replies[1]["text"] == kb.messages.get(MessageKey.PRIVACY_WARNING, "zh-Hans")
    iccid = await reply_to(api, "/ask SIM card 8935501234567890123 how to cancel", count=2, **in_group(BOB))  # type: ignore[arg-type]
    assert iccid[1]["text"] == kb.messages.get(MessageKey.PRIVACY_WARNING, "en")
    private = await reply_to(api, "我的号码 +355 69 123 4567 怎么注销", chat_id=ANN, user_id=ANN)
    mark = api.mark()
    await assert_silent(api, ANN, mark)
    assert len(private) == 1


async def test_an_anonymous_admin_is_answered_like_a_person(api: FakeBotApi, bot: object) -> None:
    anonymous = 1087968824  # Telegram's GroupAnonymousBot
    group_as_sender = {"id": GROUP, "type": "supergroup", "title": "Albania SIM help"}
    [reply] = await reply_to(
        api,
        "/ask 第四步",
        from_bot=True,
        extra={"sender_chat": group_as_sender},
        **in_group(anonymous),  # type: ignore[arg-type]
    )
    assert reply["text"].startswith("第 4 步")
