"""Knowledge-base hot reload: /reload, SIGHUP and file watching; a broken edit never takes the bot down."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
from pathlib import Path

import pytest

from bot.kb import DEFAULT_KB_DIR, KnowledgeBase
from bot.telegram.app import desk_of
from fake_telegram import FakeBotApi
from tests.e2e.conftest import ADMIN_ID, StartBot, reply_to

VISITOR = 601


@pytest.fixture
def kb_dir(tmp_path: Path) -> Path:
    copy = tmp_path / "knowledge"
    shutil.copytree(DEFAULT_KB_DIR, copy)
    return copy


def retitle_step_four(kb_dir: Path, title: str) -> None:
    guide = kb_dir / "guide.yaml"
    text = guide.read_text(encoding="utf-8")
    guide.write_text(text.replace("zh-Hans: 去营业厅办理", f"zh-Hans: {title}", 1), encoding="utf-8")


def break_guide(kb_dir: Path) -> None:
    guide = kb_dir / "guide.yaml"
    guide.write_text(
        guide.read_text(encoding="utf-8").replace('    step: "1"', "    step: 1", 1), encoding="utf-8"
    )


async def test_admin_reload_picks_up_an_edit(
    api: FakeBotApi, start_bot: StartBot, kb_dir: Path, kb: KnowledgeBase
) -> None:
    async with start_bot(BOT_KB_DIR=str(kb_dir)):
        retitle_step_four(kb_dir, "亲自去营业厅")
        [done] = await reply_to(api, "/reload", chat_id=ADMIN_ID, user_id=ADMIN_ID)
        assert done["text"] == kb.messages.get("reload_ok", "zh-Hans", sections=len(kb.sections))
        [answer] = await reply_to(api, "第四步", chat_id=VISITOR, user_id=VISITOR)
        assert answer["text"].startswith("第 4 步 · 亲自去营业厅")


async def test_a_broken_edit_is_refused_and_the_last_good_one_keeps_answering(
    api: FakeBotApi, start_bot: StartBot, kb_dir: Path
) -> None:
    async with start_bot(BOT_KB_DIR=str(kb_dir)):
        break_guide(kb_dir)
        [refused] = await reply_to(api, "/reload", chat_id=ADMIN_ID, user_id=ADMIN_ID)
        assert "guide.yaml:38: sections[1].step: must be text" in refused["text"]
        [answer] = await reply_to(api, "第四步", chat_id=VISITOR, user_id=VISITOR)
        assert answer["text"].startswith("第 4 步 · ")


async def test_reload_is_for_admins_only(
    api: FakeBotApi, start_bot: StartBot, kb_dir: Path, kb: KnowledgeBase
) -> None:
    async with start_bot(BOT_KB_DIR=str(kb_dir)) as application:
        before = desk_of(application).responder
        [reply] = await reply_to(api, "/reload", chat_id=VISITOR, user_id=VISITOR)
        assert reply["text"] == kb.messages.get("not_admin", "zh-Hans")
        assert desk_of(application).responder is before


async def test_sighup_reloads(api: FakeBotApi, start_bot: StartBot, kb_dir: Path) -> None:
    async with start_bot(BOT_KB_DIR=str(kb_dir)) as application:
        before = desk_of(application).responder
        retitle_step_four(kb_dir, "到门店办理")
        os.kill(os.getpid(), signal.SIGHUP)
        await api.wait_until(
            lambda: desk_of(application).responder is not before, timeout=10, what="a reload"
        )
        [answer] = await reply_to(api, "第四步", chat_id=VISITOR, user_id=VISITOR)
        assert answer["text"].startswith("第 4 步 · 到门店办理")


async def test_file_watching_reloads_and_tells_admins_about_broken_edits(
    api: FakeBotApi, start_bot: StartBot, kb_dir: Path
) -> None:
    api.ensure_chat(ADMIN_ID)  # the admin has talked to the bot before
    async with start_bot(BOT_KB_DIR=str(kb_dir), BOT_WATCH_KB="1") as application:
        before = desk_of(application).responder
        await asyncio.sleep(0.3)  # let the watcher start
        retitle_step_four(kb_dir, "线下办理")
        await api.wait_until(
            lambda: desk_of(application).responder is not before, timeout=15, what="a reload"
        )
        mark = api.mark()
        break_guide(kb_dir)
        [notice] = await api.wait_for_sent(ADMIN_ID, since=mark, timeout=15)
        assert "sections[1].step" in notice["text"]
        [answer] = await reply_to(api, "第四步", chat_id=VISITOR, user_id=VISITOR)
        assert answer["text"].startswith("第 4 步 · 线下办理")


async def test_questions_during_a_reload_all_get_whole_answers(
    api: FakeBotApi, start_bot: StartBot, kb_dir: Path
) -> None:
    async with start_bot(BOT_KB_DIR=str(kb_dir)) as application:
        retitle_step_four(kb_dir, "新标题")
        mark = api.mark()
        reload = asyncio.create_task(desk_of(application).reload())
        for user in range(5):
            api.inject_message("第四步", chat_id=VISITOR + user, user_id=VISITOR + user)
        await reload
        for user in range(5):
            [answer] = await api.wait_for_sent(VISITOR + user, since=mark)
            first_line = answer["text"].splitlines()[0]
            assert first_line in {"第 4 步 · 去营业厅办理", "第 4 步 · 新标题"}
