"""Group chats: speak only when addressed, reply in place, keep each person's own place."""

from __future__ import annotations

from bot.kb import KnowledgeBase
from fake_telegram import FakeBotApi
from tests.e2e.conftest import BOT_USERNAME, assert_silent, reply_to

GROUP = -100_200_300
ANN, BOB = 201, 202


def in_group(user_id: int, **extra: object) -> dict[str, object]:
    return {
        "chat_id": GROUP,
        "user_id": user_id,
        "chat_type": "supergroup",
        "chat_title": "Albania SIM help",
        **extra,
    }


async def test_ordinary_chatter_gets_no_reply(api: FakeBotApi, bot: object) -> None:
    mark = api.mark()
    for text in ["大家好", "卡丢了还能注销吗", "下一步", "anyone tried cancelling a Vodafone SIM?"]:
        api.inject_message(text, **in_group(ANN))  # type: ignore[arg-type]
    await assert_silent(api, GROUP, mark)


async def test_a_mention_is_answered_as_a_reply_to_the_asking_message(api: FakeBotApi, bot: object) -> None:
    mark = api.mark()
    update = api.inject_message(f"@{BOT_USERNAME} 第四步是什么", **in_group(ANN))  # type: ignore[arg-type]
    [reply] = await api.wait_for_sent(GROUP, since=mark)
    assert reply["text"].startswith("第 4 步")
    assert reply["reply_to_message"]["message_id"] == update["message"]["message_id"]


async def test_commands_for_this_bot_are_answered_and_for_other_bots_ignored(
    api: FakeBotApi, bot: object
) -> None:
    [mine] = await reply_to(api, f"/help@{BOT_USERNAME}", **in_group(ANN))  # type: ignore[arg-type]
    assert "/steps" in mine["text"]
    [bare] = await reply_to(api, "/steps", **in_group(ANN))  # type: ignore[arg-type]
    assert bare["reply_markup"]["inline_keyboard"]
    mark = api.mark()
    api.inject_message("/help@OtherBot", **in_group(ANN))  # type: ignore[arg-type]
    api.inject_message("/start@OtherBot", **in_group(BOB))  # type: ignore[arg-type]
    await assert_silent(api, GROUP, mark)


async def test_edited_messages_other_bots_and_media_get_silence(api: FakeBotApi, bot: object) -> None:
    mark = api.mark()
    api.inject_message(f"@{BOT_USERNAME} hi", **in_group(ANN))  # type: ignore[arg-type]
    await api.wait_for_sent(GROUP, since=mark)
    mark = api.mark()
    api.inject_message(f"@{BOT_USERNAME} 第四步", edited=True, **in_group(ANN))  # type: ignore[arg-type]
    api.inject_message(f"@{BOT_USERNAME} 第四步", from_bot=True, **in_group(303))  # type: ignore[arg-type]
    api.inject_media("sticker", chat_id=GROUP, user_id=ANN, chat_type="supergroup")
    await assert_silent(api, GROUP, mark)


async def test_a_reply_to_the_bot_is_addressed_to_it(api: FakeBotApi, bot: object) -> None:
    [answer] = await reply_to(api, f"@{BOT_USERNAME} 第四步", **in_group(ANN))  # type: ignore[arg-type]
    [follow] = await reply_to(api, "下一步", reply_to_message_id=answer["message_id"], **in_group(ANN))  # type: ignore[arg-type]
    assert follow["text"].startswith("第 4.1 步")


async def test_forum_topic_questions_are_answered_in_the_same_topic(api: FakeBotApi, bot: object) -> None:
    topic = 77
    mark = api.mark()
    api.inject_message(
        f"@{BOT_USERNAME} 卡丢了", message_thread_id=topic, is_topic_message=True, **in_group(ANN)
    )  # type: ignore[arg-type]
    [reply] = await api.wait_for_sent(GROUP, since=mark)
    assert reply["message_thread_id"] == topic
    [call] = api.calls_of("sendMessage", since=mark)
    assert int(call.params["message_thread_id"]) == topic


async def test_two_people_interleaving_keep_their_own_place(api: FakeBotApi, bot: object) -> None:
    [ann_four] = await reply_to(api, f"@{BOT_USERNAME} 第四步", **in_group(ANN))  # type: ignore[arg-type]
    [bob_two] = await reply_to(api, f"@{BOT_USERNAME} 第2步", **in_group(BOB))  # type: ignore[arg-type]
    mark = api.mark()
    api.inject_message("今天好热", **in_group(ANN))  # type: ignore[arg-type]
    await assert_silent(api, GROUP, mark)
    [ann_next] = await reply_to(api, f"@{BOT_USERNAME} 下一步", **in_group(ANN))  # type: ignore[arg-type]
    [bob_next] = await reply_to(api, "next", reply_to_message_id=bob_two["message_id"], **in_group(BOB))  # type: ignore[arg-type]
    [ann_back] = await reply_to(api, f"@{BOT_USERNAME} 上一步", **in_group(ANN))  # type: ignore[arg-type]
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
    question = f"@{BOT_USERNAME} 我的号码 +355 69 123 4567 怎么注销"
    replies = await reply_to(api, question, count=2, **in_group(ANN))  # type: ignore[arg-type]
    assert replies[1]["text"] == kb.messages.get("privacy_warning", "zh-Hans")
    iccid = await reply_to(
        api, f"@{BOT_USERNAME} SIM card 8935501234567890123 how to cancel", count=2, **in_group(BOB)
    )  # type: ignore[arg-type]
    assert iccid[1]["text"] == kb.messages.get("privacy_warning", "en")
    private = await reply_to(api, "我的号码 +355 69 123 4567 怎么注销", chat_id=ANN, user_id=ANN)
    mark = api.mark()
    await assert_silent(api, ANN, mark)
    assert len(private) == 1


async def test_an_anonymous_admin_is_answered_like_a_person(api: FakeBotApi, bot: object) -> None:
    anonymous = 1087968824  # Telegram's GroupAnonymousBot
    group_as_sender = {"id": GROUP, "type": "supergroup", "title": "Albania SIM help"}
    [reply] = await reply_to(
        api,
        f"@{BOT_USERNAME} 第四步",
        from_bot=True,
        extra={"sender_chat": group_as_sender},
        **in_group(anonymous),  # type: ignore[arg-type]
    )
    assert reply["text"].startswith("第 4 步")
    mark = api.mark()
    channel = {"id": -100_999, "type": "channel", "title": "News"}
    api.inject_message(
        f"@{BOT_USERNAME} 第四步", from_bot=True, extra={"sender_chat": channel}, **in_group(777000)
    )  # type: ignore[arg-type]
    await assert_silent(api, GROUP, mark)
