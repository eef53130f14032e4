"""Every way of writing a personal number: warned about in a group, redacted in the unanswered log."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from bot.kb.base import KnowledgeBase
from bot.kb.message_keys import MessageKey
from bot.storage.unanswered import DATABASE_FILE, UnansweredLog
from bot.text.language import LANGUAGES
from fake_telegram import FakeBotApi
from tests.e2e.conftest import StartBot, reply_to
from tests.test_privacy import PERSONAL

pytestmark = pytest.mark.privacy_mode

GROUP = -100_700_800
ASKER = 7301
CASES = [param.values[0] for param in PERSONAL]


async def test_each_case_is_warned_about_in_a_group_and_never_stored(
    api: FakeBotApi, start_bot: StartBot, data_dir: Path, kb: KnowledgeBase
) -> None:
    async with start_bot():
        # One group and one person each: Telegram lets a bot post ~20 messages a minute in a
        # group (the rate limiter waits), and the flood guard allows 8 messages in 10 s.
        for index, case in enumerate(CASES):
            group, person = GROUP - index, ASKER + index
            mark = api.mark()
            api.inject_my_chat_member(group, old_status="left", new_status="member", from_user_id=person)
            await api.wait_for_sent(group, since=mark)
            # Off-topic on purpose, so that it goes to the unanswered log.
            question = f"/ask@SimHelpBot how long does pizza take, reach me on {case}"
            replies = await reply_to(api, question, count=2, chat_id=group, user_id=person, chat_type="group")
            warnings = {kb.messages.get(MessageKey.PRIVACY_WARNING, lang) for lang in LANGUAGES}
            assert replies[1]["text"] in warnings, case  # (in Chinese when the number is in Chinese)
    log = UnansweredLog(data_dir / DATABASE_FILE)
    groups = log.most_frequent(time.time() - 3600, limit=100)
    log.close()
    assert sum(group.count for group in groups) == len(CASES)  # every question is there …
    questions = [group.text for group in groups]
    assert {q.rsplit(" ", 1)[1] for q in questions} <= {"<number>", "<email>", "<id>"}
    # … their numbers are not, anywhere in the data directory (state, journal, log, WAL files)
    stored = "".join(
        path.read_bytes().decode("utf-8", "replace") for path in data_dir.iterdir() if path.is_file()
    )
    stored += "\n".join(questions)
    for case in CASES:
        digits = re.sub(r"\D", "", case)
        if len(digits) >= 6:
            assert digits not in re.sub(r"\D", "", stored), case  # … their numbers are not
    assert "example" not in stored.lower()
    assert "E12345678" not in stored
    assert "I12345678A" not in stored
