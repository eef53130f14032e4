"""Declined and clarify-only questions are logged (redacted) for maintainers; opt-out stores nothing."""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path

from bot.kb.base import KnowledgeBase
from bot.kb.message_keys import MessageKey
from bot.storage.unanswered import DATABASE_FILE, UnansweredLog
from bot.storage.update_journal import JOURNAL_FILE
from bot.telegram.runtime.app import desk_of
from fake_telegram import FakeBotApi
from tests.e2e.conftest import ADMIN_ID, StartBot, reply_to

FAY = 801


async def test_declined_questions_are_logged_redacted_and_reported_to_admins(
    api: FakeBotApi, start_bot: StartBot, data_dir: Path, kb: KnowledgeBase
) -> None:
    async with start_bot():
        await reply_to(api, "how long does pizza take, call me on +355 69 123 4567", chat_id=FAY, user_id=FAY)
        await reply_to(
            api, "how long does pizza take, call me on +355 69 765 4321", chat_id=FAY + 1, user_id=FAY + 1
        )
        await reply_to(api, "第四步", chat_id=FAY, user_id=FAY)  # answered: not logged
        [report] = await reply_to(
            api, "/unanswered 7d", chat_id=ADMIN_ID, user_id=ADMIN_ID, language_code="en"
        )
        assert "   2  en" in report["text"]
        assert "<number>" in report["text"] or "&lt;number&gt;" in report["text"]
        [refused] = await reply_to(api, "/unanswered", chat_id=FAY, user_id=FAY)
        assert refused["text"] == kb.messages.get(MessageKey.NOT_ADMIN, "zh-Hans")
    log = UnansweredLog(data_dir / DATABASE_FILE)
    groups = log.most_frequent(time.time() - 3600)
    log.close()
    assert [(g.text, g.count) for g in groups] == [("how long does pizza take, call me on <number>", 2)]
    stored = (data_dir / DATABASE_FILE).read_bytes()
    assert b"4567" not in stored
    assert "第四步".encode() not in stored


async def test_opting_out_stores_nothing(api: FakeBotApi, start_bot: StartBot, data_dir: Path) -> None:
    async with start_bot(BOT_LOG_UNANSWERED="0"):
        await reply_to(api, "tell me a joke", chat_id=FAY, user_id=FAY)
    assert not (data_dir / DATABASE_FILE).exists()


async def test_admin_reports_in_a_group_post_nothing_of_the_log_there(
    api: FakeBotApi, start_bot: StartBot, kb: KnowledgeBase
) -> None:
    group = -100_555_0001
    question = "how long does pizza take in Durres"
    async with start_bot() as application:
        await reply_to(api, question, chat_id=FAY, user_id=FAY, first_name="Fay", username="fay_durres")
        before = desk_of(application).responder
        mark = api.mark()
        in_group = {"chat_id": group, "user_id": ADMIN_ID, "chat_type": "supergroup", "language_code": "en"}
        [told] = await reply_to(api, "/unanswered@SimHelpBot 7d", **in_group)
        [reload_told] = await reply_to(api, "/reload@SimHelpBot", **in_group)
        [private] = await reply_to(
            api, "/unanswered 7d", chat_id=ADMIN_ID, user_id=ADMIN_ID, language_code="en"
        )
        assert desk_of(application).responder is before  # nothing was reloaded from the group
    assert told["text"] == reload_told["text"] == kb.messages.get(MessageKey.ADMIN_PRIVATE_ONLY, "en")
    posted = " ".join(api.sent_texts(group, since=mark))
    assert "pizza" not in posted
    # In private the admin gets the report, with the question and nobody's id or name.
    assert "pizza" in private["text"]
    assert not {str(FAY), "Fay", "fay_durres"} & set(private["text"].replace("\n", " ").split())
    assert str(FAY) not in private["text"]


async def test_an_update_replayed_after_a_crash_is_counted_once(
    api: FakeBotApi, start_bot: StartBot, data_dir: Path
) -> None:
    async with start_bot():
        asked = api.inject_message("how long does pizza take", chat_id=FAY, user_id=FAY)
        await api.wait_for_sent(FAY, count=1)
    # A kill -9 between the answer and the journal's "finished" leaves the update unfinished:
    # the next start hands it out again (at-least-once), and the log must not count it twice.
    journal = sqlite3.connect(data_dir / JOURNAL_FILE)
    with journal:
        journal.execute(
            "UPDATE updates SET done_at = NULL, payload = ? WHERE update_id = ?",
            (json.dumps(asked), asked["update_id"]),
        )
    journal.close()
    mark = api.mark()
    async with start_bot():
        await api.wait_for_sent(FAY, count=1, since=mark)  # replayed and answered again
    log = UnansweredLog(data_dir / DATABASE_FILE)
    groups = log.most_frequent(time.time() - 3600)
    log.close()
    assert [(g.text, g.count) for g in groups] == [("how long does pizza take", 1)]  # before: 2
