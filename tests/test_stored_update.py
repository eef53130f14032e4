"""What the journal stores of an update: no personal numbers, yet the same answer on replay."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from telegram import Bot, Update

from bot.conversation.service import Conversation, PersonState, Speaker, Text
from bot.telegram.runtime.stored_update import redact_plain, redacted_update
from bot.text.privacy import looks_personal
from bot.understanding.answer import Responder

BOT = "@SimHelpBot"
JSON = dict[str, Any]
UNCONNECTED = Bot("123:abc")  # de_json only needs a bot to attach


def utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def entity_text(text: str, entity: JSON) -> str:
    units = text.encode("utf-16-le")
    start, end = 2 * entity["offset"], 2 * (entity["offset"] + entity["length"])
    return units[start:end].decode("utf-16-le")


def group_message(text: str, entities: list[JSON]) -> JSON:
    return {
        "update_id": 5,
        "message": {
            "message_id": 9,
            "date": 1_700_000_000,
            "chat": {"id": -100, "type": "supergroup", "title": "Albania 0691234567"},
            "from": {"id": 42, "is_bot": False, "first_name": "Ann +355691234567"},
            "text": text,
            "entities": entities,
        },
    }


# Text around the number and the mention: Chinese, Latin, digits, emoji (two UTF-16 units each).
SURROUNDINGS = st.text(
    alphabet=st.sampled_from("注销号码卡第四步 abcXYZ.,:-0123456789😀🇦🇱\u200b"), max_size=30
)
PHONE_DIGITS = st.text(alphabet="123456789", min_size=7, max_size=7)


@given(before=SURROUNDINGS, middle=SURROUNDINGS, after=SURROUNDINGS, digits=PHONE_DIGITS)
def test_a_stored_group_message_keeps_the_mention_and_loses_the_phone_number(
    before: str, middle: str, after: str, digits: str
) -> None:
    text = f"{before}{BOT}{middle} +355 69 {digits} {after}"
    mention = {"type": "mention", "offset": utf16(before), "length": utf16(BOT)}
    bold = {"type": "bold", "offset": 0, "length": utf16(text)}
    stored = redacted_update(group_message(text, [bold, mention]))["message"]
    assert digits not in stored["text"]
    assert [entity_text(stored["text"], entity) for entity in stored["entities"]] == [BOT]
    assert "0691234567" not in stored["chat"]["title"]
    assert "691234567" not in stored["from"]["first_name"]
    assert Update.de_json(redacted_update(group_message(text, [mention])), UNCONNECTED).message is not None


@given(text=st.text(max_size=200))
def test_whatever_is_stored_looks_personal_exactly_when_the_original_did(text: str) -> None:
    assert looks_personal(redact_plain(text)) == looks_personal(text)


def test_a_command_keeps_its_entity_and_its_argument_is_redacted() -> None:
    stored = redacted_update(
        group_message("/start 0691234567", [{"type": "bot_command", "offset": 0, "length": 6}])
    )
    assert stored["message"]["text"] == "/start 000000"
    assert stored["message"]["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]


def test_a_shared_contact_and_an_inline_query_are_redacted() -> None:
    contact = redacted_update({"update_id": 1, "message": {"contact": {"phone_number": "+355691234567"}}})
    inline = redacted_update(
        {"update_id": 2, "inline_query": {"id": "77123456789", "query": "卡号 8935501234567890"}}
    )
    assert contact["message"]["contact"]["phone_number"] == "000000"
    assert inline["inline_query"] == {"id": "77123456789", "query": "卡号 000000"}  # ids are not text


@pytest.mark.parametrize("in_group", [False, True], ids=["private", "group"])
@pytest.mark.parametrize(
    "question",
    [
        "我的号码是 069 123 4567 怎么注销",
        "my number is +355 69 123 4567, how do I cancel it",
        "passport E12345678 第四步",
        "卡号 8935501234567890123 丢了",
        "第四步 0691234567",
        "第四步",
    ],
)
def test_the_stored_question_gets_the_same_answer_as_the_original(
    responder: Responder, question: str, in_group: bool
) -> None:
    conversation = Conversation(responder)
    speaker = Speaker(in_group=in_group)
    original = conversation.handle(Text(question), PersonState(), speaker, 0)
    replayed = conversation.handle(Text(redact_plain(question)), PersonState(), speaker, 0)
    assert replayed.replies == original.replies
