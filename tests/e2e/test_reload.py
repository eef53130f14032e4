"""Knowledge-base hot reload: /reload, SIGHUP and file watching; a broken edit never takes the bot down."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.kb.base import DEFAULT_KB_DIR, KnowledgeBase
from bot.telegram.runtime.app import AnyApplication, desk_of
from bot.telegram.runtime.watcher import watch_knowledge_base
from fake_telegram import FakeBotApi
from tests.e2e.conftest import ADMIN_ID, StartBot, reply_to
from tests.kb_copies import small_knowledge_copy

VISITOR = 601


@pytest.fixture
def kb_dir(tmp_path: Path) -> Path:
    """A small copy: each reload here builds its index, and the mechanics are the same for any."""
    return small_knowledge_copy(tmp_path / "knowledge")


def retitle_step_four(kb_dir: Path, title: str, old: str = "去营业厅办理") -> None:
    guide = kb_dir / "guide.yaml"
    text = guide.read_text(encoding="utf-8")
    assert f"zh-Hans: {old}\n" in text
    guide.write_text(text.replace(f"zh-Hans: {old}\n", f"zh-Hans: {title}\n", 1), encoding="utf-8")


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


@pytest.mark.slow  # waits for real file-system events: 2-6 s
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


# --- edits that used to pass the check and then crash or hang the bot -----------------------


def line_in(path: Path, fragment: str) -> int:
    text = path.read_text(encoding="utf-8")
    return text[: text.index(fragment)].count("\n") + 1


def misspell_a_placeholder(kb_dir: Path) -> str:
    messages = kb_dir / "messages.yaml"
    text = messages.read_text(encoding="utf-8").replace("没有第 {step} 步", "没有第 {stpe} 步", 1)
    messages.write_text(text, encoding="utf-8")
    line = line_in(messages, "{stpe}")
    return f"messages.yaml:{line}: messages.unknown_step.zh-Hans: unknown placeholder {{stpe}}"


def nest_five_thousand_deep(kb_dir: Path) -> str:
    synonyms = kb_dir / "synonyms.yaml"
    with synonyms.open("a", encoding="utf-8") as file:
        file.write("deep: " + "[" * 5000 + "]" * 5000 + "\n")
    return f"synonyms.yaml:{line_in(synonyms, 'deep: ')}: lists and mappings nested more than 20 deep"


def write_a_4500_character_title(kb_dir: Path) -> str:
    guide = kb_dir / "guide.yaml"
    text = guide.read_text(encoding="utf-8")
    guide.write_text(text.replace("Why are you cancelling?", "Why " * 1125, 1), encoding="utf-8")
    line = line_in(guide, "Why Why")
    return f"guide.yaml:{line}: sections[1].title.en: is too long (4499 characters, at most 80)"


def replace_a_file_with_a_named_pipe(kb_dir: Path) -> str:
    (kb_dir / "synonyms.yaml").unlink()
    os.mkfifo(kb_dir / "synonyms.yaml")
    return "synonyms.yaml: is a named pipe (FIFO), not a regular file"


def link_a_file_to_dev_zero(kb_dir: Path) -> str:
    (kb_dir / "examples.yaml").unlink()
    (kb_dir / "examples.yaml").symlink_to("/dev/zero")
    return "examples.yaml: is a character device, not a regular file"


@pytest.mark.parametrize(
    "breakage",
    [
        misspell_a_placeholder,
        nest_five_thousand_deep,
        write_a_4500_character_title,
        replace_a_file_with_a_named_pipe,
        link_a_file_to_dev_zero,
    ],
)
async def test_reload_refuses_each_hazard_by_file_and_line_and_keeps_answering(
    api: FakeBotApi, start_bot: StartBot, kb_dir: Path, kb: KnowledgeBase, breakage: Callable[[Path], str]
) -> None:
    async with start_bot(BOT_KB_DIR=str(kb_dir)) as application:
        before = desk_of(application).responder
        expected = breakage(kb_dir)
        [refused] = await reply_to(api, "/reload", chat_id=ADMIN_ID, user_id=ADMIN_ID, timeout=30)
        assert refused["text"].startswith(kb.messages.get("reload_failed", "zh-Hans", errors="").strip())
        assert expected in refused["text"]
        assert desk_of(application).responder is before
        [answer] = await reply_to(api, "第四步", chat_id=VISITOR, user_id=VISITOR)
        assert answer["text"].startswith("第 4 步 · 去营业厅办理")
        [no_such_step] = await reply_to(api, "第九步", chat_id=VISITOR, user_id=VISITOR)
        assert no_such_step["text"] == kb.messages.get("unknown_step", "zh-Hans", step="9")


# --- /reload runs beside the other updates ---------------------------------------------------


def make_loading_slow(kb_dir: Path) -> None:
    """Pad the corrections file with 20,000 unused entries (0.9 MB): a valid base, seconds to load."""
    with (kb_dir / "zh-hant.yaml").open("a", encoding="utf-8") as file:
        file.writelines(f"  未用词{i:05d}甲: 未用词{i:05d}乙\n" for i in range(20_000))


async def test_other_people_are_answered_while_a_slow_reload_runs(
    api: FakeBotApi, start_bot: StartBot, kb_dir: Path, kb: KnowledgeBase
) -> None:
    async with start_bot(BOT_KB_DIR=str(kb_dir)) as application:
        before = desk_of(application).responder
        make_loading_slow(kb_dir)
        mark = api.mark()
        api.inject_message("/reload", chat_id=ADMIN_ID, user_id=ADMIN_ID)
        [answer] = await reply_to(api, "第四步", chat_id=VISITOR, user_id=VISITOR)
        assert answer["text"].startswith("第 4 步 · 去营业厅办理")
        assert api.sent(ADMIN_ID, since=mark) == []  # the reload is still running
        assert desk_of(application).responder is before
        [done] = await api.wait_for_sent(ADMIN_ID, since=mark, timeout=60)
        assert done["text"] == kb.messages.get("reload_ok", "zh-Hans", sections=len(kb.sections))
        assert desk_of(application).responder is not before


# --- the file watcher outlives directory swaps and errors ------------------------------------


async def wait_for_title(api: FakeBotApi, application: AnyApplication, title: str) -> None:
    """Wait until a reload has made step 4's title `title`."""

    def reloaded() -> bool:
        return desk_of(application).responder.kb.section("visit-store").title["zh-Hans"] == title

    await api.wait_until(reloaded, timeout=20, what=f"a reload to {title!r}")


@pytest.mark.slow  # waits for real file-system events: 2-6 s
async def test_file_watching_survives_the_directory_being_replaced_again_and_again(
    api: FakeBotApi, start_bot: StartBot, kb_dir: Path, tmp_path: Path
) -> None:
    async with start_bot(BOT_KB_DIR=str(kb_dir), BOT_WATCH_KB="1") as application:
        for round_ in range(1, 3):
            new = tmp_path / f"knowledge.new{round_}"
            shutil.copytree(DEFAULT_KB_DIR, new)
            retitle_step_four(new, f"第{round_}次换目录")
            shutil.rmtree(kb_dir)  # rm -rf knowledge && cp -r knowledge.new knowledge
            shutil.copytree(new, kb_dir)
            await wait_for_title(api, application, f"第{round_}次换目录")
            retitle_step_four(
                kb_dir, f"第{round_}次换目录后再改", old=f"第{round_}次换目录"
            )  # edit inside it
            await wait_for_title(api, application, f"第{round_}次换目录后再改")
        [answer] = await reply_to(api, "第四步", chat_id=VISITOR, user_id=VISITOR)
        assert answer["text"].startswith("第 4 步 · 第2次换目录后再改")


@pytest.mark.slow  # waits for real file-system events: 2-6 s
async def test_file_watching_follows_a_symlink_that_is_re_pointed(
    api: FakeBotApi, start_bot: StartBot, tmp_path: Path
) -> None:
    releases = [tmp_path / "releases" / name for name in ("one", "two")]
    for release in releases:
        shutil.copytree(DEFAULT_KB_DIR, release)
    retitle_step_four(releases[1], "第二版")
    link = tmp_path / "knowledge"
    link.symlink_to(releases[0])
    async with start_bot(BOT_KB_DIR=str(link), BOT_WATCH_KB="1") as application:
        staged = tmp_path / "knowledge.staged"
        staged.symlink_to(releases[1])
        staged.replace(link)  # ln -sfn releases/two knowledge, atomically
        await wait_for_title(api, application, "第二版")
        retitle_step_four(releases[1], "第二版修订", old="第二版")
        await wait_for_title(api, application, "第二版修订")


@pytest.mark.slow  # waits for real file-system events: 2-6 s
async def test_file_watching_outlives_its_parent_directory_vanishing(
    api: FakeBotApi, start_bot: StartBot, tmp_path: Path
) -> None:
    deploy = tmp_path / "deploy"
    kb_dir = deploy / "knowledge"
    shutil.copytree(DEFAULT_KB_DIR, kb_dir)
    async with start_bot(BOT_KB_DIR=str(kb_dir), BOT_WATCH_KB="1") as application:
        shutil.rmtree(deploy)  # nothing left to watch: the watch itself fails, and must retry
        await asyncio.sleep(1.5)
        shutil.copytree(DEFAULT_KB_DIR, kb_dir)
        retitle_step_four(kb_dir, "重新部署")
        await wait_for_title(api, application, "重新部署")


async def test_a_failing_reload_does_not_stop_the_watch(tmp_path: Path) -> None:
    kb_dir = tmp_path / "knowledge"
    kb_dir.mkdir()
    calls: list[str] = []
    called = asyncio.Event()

    async def reload() -> None:
        calls.append((kb_dir / "note.yaml").read_text(encoding="utf-8"))
        called.set()
        if len(calls) == 1:
            raise RuntimeError("a defect in the reload")

    watching = asyncio.create_task(watch_knowledge_base(kb_dir, reload))
    try:
        for text in ("first", "second"):
            called.clear()
            await asyncio.sleep(0.2)  # let the watch arm (a missed event is caught on its recheck)
            (kb_dir / "note.yaml").write_text(text, encoding="utf-8")
            await asyncio.wait_for(called.wait(), timeout=15)
        assert calls[0] == "first"
        assert calls[-1] == "second"
    finally:
        watching.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watching
