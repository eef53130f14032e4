"""When a handler fails, the person hears so in their language; the log says where, not what they wrote."""

from __future__ import annotations

import io
from dataclasses import dataclass, fields

import pytest

from bot.kb.base import KnowledgeBase
from bot.kb.message_keys import MessageKey
from bot.text.language import Lang
from bot.understanding.answer import Place, Responder
from bot.understanding.outcomes import Outcome
from fake_telegram import FakeBotApi
from tests.e2e.conftest import StartBot, reply_to

FAY = 5101


@dataclass(frozen=True)
class BrokenResponder(Responder):
    """The real responder with a bug in the core: the exception quotes the question."""

    def understand(self, text: str, place: Place = Place()) -> Outcome:
        raise ValueError(f"cannot handle {text!r}")


def broken_copy(responder: Responder) -> BrokenResponder:
    """The same knowledge base, index, small talk and settings, with the broken `understand`."""
    return BrokenResponder(**{field.name: getattr(responder, field.name) for field in fields(responder)})


def error_sentence(kb: KnowledgeBase, lang: Lang) -> str:
    return kb.messages.get(MessageKey.ERROR, lang)


@pytest.mark.parametrize(
    ("question", "lang"),
    [
        ("what should I take to the shop, my number is 0691234567", "en"),
        ("去營業廳要帶什麼證件", "zh-Hant"),
        ("去营业厅要带什么证件", "zh-Hans"),
    ],
)
async def test_an_exception_in_a_handler_gets_the_error_sentence_in_the_users_language(
    api: FakeBotApi,
    start_bot: StartBot,
    responder: Responder,
    kb: KnowledgeBase,
    log_stream: io.StringIO,
    question: str,
    lang: Lang,
) -> None:
    broken = broken_copy(responder)
    async with start_bot(responder_override=broken):
        mark = api.mark()
        update = api.inject_message(question, chat_id=FAY, user_id=FAY, language_code="zh-hans")
        [reply] = await api.wait_for_sent(FAY, since=mark)
        assert reply["text"] == error_sentence(kb, lang)
        [still_answering] = await reply_to(api, "/help", chat_id=FAY, user_id=FAY)
        assert still_answering["text"]
    log = log_stream.getvalue()
    assert f"ValueError while handling update {update['update_id']}" in log
    assert "Traceback (most recent call last)" in log  # where it failed …
    assert "respond" in log
    assert question not in log  # … but not what the person wrote
    assert "0691234567" not in log


async def test_a_chosen_language_wins_for_the_error_sentence(
    api: FakeBotApi, start_bot: StartBot, responder: Responder, kb: KnowledgeBase
) -> None:
    broken = broken_copy(responder)
    async with start_bot(responder_override=broken) as app:
        app.user_data[FAY]["lang"] = "en"  # what pressing "English" under /lang stores
        [reply] = await reply_to(api, "卡丢了还能注销吗", chat_id=FAY, user_id=FAY)
        assert reply["text"] == error_sentence(kb, "en")


async def test_a_reply_telegram_refuses_with_400_gets_the_error_sentence(
    api: FakeBotApi, bot: object, kb: KnowledgeBase, log_stream: io.StringIO
) -> None:
    api.fail_next("sendMessage", status=400, description="Bad Request: can't parse entities")
    mark = api.mark()
    update = api.inject_message("what should I take to the shop", chat_id=FAY, user_id=FAY)
    refused, told = await api.wait_for_calls("sendMessage", count=2, since=mark)
    assert refused.status == 400
    assert told.ok
    assert told.params["text"] == error_sentence(kb, "en")
    log = log_stream.getvalue()
    assert f"BadRequest while handling update {update['update_id']}" in log
    assert "BadRequest: Can't parse entities" in log  # Telegram's own description is kept


async def test_telegram_trouble_gets_no_error_sentence(
    api: FakeBotApi, bot: object, log_stream: io.StringIO
) -> None:
    api.fail_next("sendMessage", status=403, description="Forbidden: bot was blocked by the user")
    mark = api.mark()
    api.inject_message("第四步", chat_id=FAY, user_id=FAY)
    [blocked] = await api.wait_for_calls("sendMessage", since=mark)
    assert blocked.status == 403
    [answer] = await reply_to(api, "第五步", chat_id=FAY, user_id=FAY)
    assert answer["text"].startswith("第 5 步")  # the next message is answered; nothing else was sent
    assert len(api.calls_of("sendMessage", since=mark)) == 2
    assert "Telegram error Forbidden while handling update" in log_stream.getvalue()
