"""/forget through the real Bot API protocol: afterwards no row of any SQLite file in the data
directory holds the person's user id, chat id or anything they wrote (every table is opened and
looked through), while other people's data stays."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bot.kb.base import KnowledgeBase
from bot.kb.message_keys import MessageKey
from bot.storage.erasure import sqlite_files
from bot.storage.reminders import REMINDERS_FILE
from bot.storage.state_store import STATE_FILE
from bot.storage.unanswered import DATABASE_FILE
from bot.telegram.runtime.app import AnyApplication
from bot.text.normalize import normalize_text
from fake_telegram import FakeBotApi
from tests.e2e.conftest import StartBot, buttons, reply_to
from tests.e2e.test_plan import make_plan, press

ZOE = 731_905_284  # ids unlikely to occur by chance in a timestamp or another id
OTTO = 618_247_093
GROUP = -1_004_512_837_261
ZOE_TEXTS = (
    "how long does pizza take in Tirana",  # declined: goes to the unanswered log
    "第四步",
    "下一步",
    "what is the weather on Mars tonight",
)
OTTO_TEXT = "how do I bake sourdough bread at home"


def rows_mentioning(data_dir: Path, needles: list[str]) -> list[tuple[str, str, tuple[object, ...]]]:
    """Every row, in every table of every SQLite file in `data_dir`, with one of `needles` in it."""
    found: list[tuple[str, str, tuple[object, ...]]] = []
    files = sqlite_files(data_dir)
    assert {STATE_FILE, DATABASE_FILE, "bot-updates.sqlite3"} <= {path.name for path in files}
    for path in files:
        db = sqlite3.connect(path)
        try:
            tables = [row[0] for row in db.execute("SELECT name FROM sqlite_schema WHERE type = 'table'")]
            for table in tables:
                for row in db.execute(f'SELECT * FROM "{table}"'):
                    text = " ".join(str(value) for value in row)
                    if any(needle in text for needle in needles):
                        found.append((path.name, table, row))
        finally:
            db.close()
    return found


def needles_for(user_id: int, texts: tuple[str, ...]) -> list[str]:
    return [str(user_id), *texts, *(normalize_text(text) for text in texts)]


async def save_now(application: AnyApplication) -> None:
    await application.update_persistence()


async def test_forget_erases_the_person_from_every_table_of_every_file(
    api: FakeBotApi, start_bot: StartBot, data_dir: Path, kb: KnowledgeBase
) -> None:
    async with start_bot() as application:
        for text in ZOE_TEXTS:
            await reply_to(api, text, chat_id=ZOE, user_id=ZOE, first_name="Zoe", username="zoe_tirana")
        await reply_to(api, "/lang en", chat_id=ZOE, user_id=ZOE)
        await reply_to(api, f"/ask {ZOE_TEXTS[0]}", chat_id=GROUP, user_id=ZOE, chat_type="supergroup")
        await reply_to(api, "/ask 第二步", chat_id=GROUP, user_id=OTTO, chat_type="supergroup")
        await reply_to(api, OTTO_TEXT, chat_id=OTTO, user_id=OTTO)
        # A plan with two ticks and a reminder (the plan's own reminders file), made as a person does.
        plan = await make_plan(api, ZOE, "vxhc", "en")
        plan = await press(api, plan, "t:request:", ZOE)
        await press(api, plan, "r:verify:", ZOE)
        await save_now(application)
        assert any(name == REMINDERS_FILE for name, _, _ in rows_mentioning(data_dir, [str(ZOE)]))
        needles = needles_for(ZOE, ZOE_TEXTS)
        assert rows_mentioning(data_dir, needles), "the person's data was never stored: nothing is proved"

        [prompt] = await reply_to(api, "/forget", chat_id=ZOE, user_id=ZOE)
        assert prompt["text"] == kb.messages.get(MessageKey.FORGET_CONFIRM, "en")
        [confirm] = buttons(prompt)
        mark = api.mark()
        api.inject_callback_query(confirm["callback_data"], message=prompt, user_id=ZOE)
        [done] = await api.wait_for_sent(ZOE, since=mark)
        assert done["text"] == kb.messages.get(MessageKey.FORGOTTEN, "en")
        assert done["message_id"] == prompt["message_id"]  # the prompt is edited to say it is done

        # At once, while the bot runs (the next save must not write them back either).
        assert rows_mentioning(data_dir, needles) == []
        await save_now(application)
        assert rows_mentioning(data_dir, needles) == []
        assert ZOE not in application.user_data
        assert str(ZOE) not in application.chat_data.get(GROUP, {})
        assert rows_mentioning(data_dir, needles_for(OTTO, (OTTO_TEXT,)))  # others keep theirs
    assert rows_mentioning(data_dir, needles) == []
    # Not left in a free page or the WAL either (secure_delete, checkpoint at close).
    for path in data_dir.iterdir():
        assert str(ZOE).encode() not in path.read_bytes(), path.name
    # A restart loads nothing of them: they are a new person, the language from their app.
    async with start_bot():
        [again] = await reply_to(api, "/help", chat_id=ZOE, user_id=ZOE)
        assert again["text"].startswith(kb.messages.get(MessageKey.HELP, "zh-Hans").split("\n")[0])


async def test_forget_in_a_group_links_to_a_private_chat_and_erases_nothing_there(
    api: FakeBotApi, bot: AnyApplication, kb: KnowledgeBase
) -> None:
    await reply_to(api, "/lang en", chat_id=ZOE, user_id=ZOE)
    [reply] = await reply_to(api, "/forget@SimHelpBot", chat_id=GROUP, user_id=ZOE, chat_type="supergroup")
    assert reply["text"] == kb.messages.get(MessageKey.FORGET_IN_PRIVATE, "en")
    [link] = buttons(reply)
    assert link["url"] == "https://t.me/SimHelpBot?start=forget"
    assert "callback_data" not in link
    assert bot.user_data[ZOE]["lang"] == "en"  # nothing erased from a group
    # The link opens the private chat with "/start forget": the confirm button is there.
    [prompt] = await reply_to(api, "/start forget", chat_id=ZOE, user_id=ZOE)
    assert prompt["text"] == kb.messages.get(MessageKey.FORGET_CONFIRM, "en")
    assert [button["callback_data"] for button in buttons(prompt)] == ["f::en"]


async def test_a_forged_confirm_pressed_in_a_group_erases_nothing(
    api: FakeBotApi, bot: AnyApplication, kb: KnowledgeBase
) -> None:
    await reply_to(api, "/lang en", chat_id=ZOE, user_id=ZOE)
    # A step reference says nothing about the language: one answer, in English, no offer.
    [answer] = await reply_to(api, "/ask 第四步", chat_id=GROUP, user_id=ZOE, chat_type="supergroup")
    mark = api.mark()
    api.inject_callback_query("f::en", message=answer, user_id=ZOE)
    [edited] = await api.wait_for_sent(GROUP, since=mark)
    assert edited["text"] == kb.messages.get(MessageKey.FORGET_IN_PRIVATE, "en")
    assert bot.user_data[ZOE]["lang"] == "en"


async def test_a_file_that_cannot_be_swept_is_never_reported_as_erased_and_a_retry_finishes(
    api: FakeBotApi, start_bot: StartBot, data_dir: Path, kb: KnowledgeBase
) -> None:
    async with start_bot():
        await reply_to(api, ZOE_TEXTS[0], chat_id=ZOE, user_id=ZOE, language_code="en")
        holder = sqlite3.connect(data_dir / "extra.sqlite3", isolation_level=None)
        holder.execute("CREATE TABLE notes (user_id INTEGER)")
        holder.execute("INSERT INTO notes VALUES (?)", (ZOE,))
        holder.execute("BEGIN EXCLUSIVE")  # another process holds the file past the busy timeout
        [prompt] = await reply_to(api, "/forget", chat_id=ZOE, user_id=ZOE, language_code="en")
        mark = api.mark()
        api.inject_callback_query(
            buttons(prompt)[0]["callback_data"], message=prompt, user_id=ZOE, language_code="en"
        )
        [error] = await api.wait_for_sent(ZOE, since=mark)
        assert error["text"] == kb.messages.get(MessageKey.ERROR, "en")
        holder.execute("ROLLBACK")
        holder.close()
        mark = api.mark()
        api.inject_callback_query(
            buttons(prompt)[0]["callback_data"], message=prompt, user_id=ZOE, language_code="en"
        )
        [done] = await api.wait_for_sent(ZOE, since=mark)
        assert done["text"] == kb.messages.get(MessageKey.FORGOTTEN, "en")
        assert rows_mentioning(data_dir, needles_for(ZOE, ZOE_TEXTS[:1])) == []
