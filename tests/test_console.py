"""The console chat: the same conversation as Telegram, typed and printed (in-process)."""

from __future__ import annotations

from bot.console import format_reply, parse_line, run_console
from bot.conversation.render import render_steps
from bot.conversation.service import Command, Conversation, Press, Text
from bot.understanding.answer import Responder


def chat(responder: Responder, *lines: str) -> list[str]:
    printed: list[str] = []
    run_console(Conversation(responder), [line + "\n" for line in lines], printed.append)
    return printed


def test_steps_in_an_english_conversation_are_in_english(responder: Responder) -> None:
    out = chat(responder, "how do I cancel my sim", "/steps")
    assert out[-1].startswith("Cancelling your SIM in five steps")


def test_the_phrase_card_shows_albanian_with_the_translation(responder: Responder) -> None:
    chinese = chat(responder, "/phrases")[-1]
    assert "Dua ta mbyll përfundimisht këtë numër, ju lutem.\n我想彻底注销这个号码，谢谢。" in chinese
    english = chat(responder, "in English please", "/phrases")[-1]
    close = "Dua ta mbyll përfundimisht këtë numër, ju lutem."
    assert f"{close}\nI would like to close this number for good, please." in english


def test_buttons_are_numbered_and_can_be_pressed(responder: Responder) -> None:
    out = chat(responder, "第四步", "#2")
    assert "#2 下一步 ▶" in out[-2]
    assert out[-1].startswith("第 4.1 步")


def test_greetings_get_small_talk_and_a_traditional_conversation_stays_traditional(
    responder: Responder,
) -> None:
    out = chat(responder, "你好", "請問保號卡怎麼註銷", "下一步")
    assert out[2].startswith("你好！")
    assert out[-1].startswith("第 1 步 · 確認")  # the overview's next step, in traditional script


def test_lines_become_events() -> None:
    buttons: list = []  # type: ignore[type-arg]
    assert parse_line("/step@SimHelpBot 4.1", buttons) == Command("step", "4.1")
    assert parse_line("hello", buttons) == Text("hello")
    assert parse_line("#9", buttons) == Text("#9")  # no such button: just text


def test_format_reply_lists_buttons(responder: Responder) -> None:
    reply = render_steps(responder.kb, "en")
    assert format_reply(reply).splitlines()[-1].startswith("  [#1 Step 1")
    assert isinstance(parse_line("#1", [b for row in reply.buttons for b in row]), Press)
