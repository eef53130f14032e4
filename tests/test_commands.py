"""Reading a command out of a message: one parser for Telegram and the console."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.conversation.commands import COMMANDS, MENU_COMMANDS, Command, command_for, parse_command
from bot.kb.base import KnowledgeBase
from bot.kb.message_keys import MessageKey

BOT = "SimHelpBot"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/step 4.1", Command("step", "4.1")),
        ("/step@SimHelpBot 4.1", Command("step", "4.1")),
        ("/STEP@simhelpbot   4.1  ", Command("step", "4.1")),
        ("/ask\n卡丢了怎么办", Command("ask", "卡丢了怎么办")),
        ("  /start visit-store", Command("start", "visit-store")),
        ("/help", Command("help")),
        ("/help@OtherBot", None),
        ("/", None),
        ("/@SimHelpBot", None),
        ("step 4", None),
        ("", None),
    ],
)
def test_a_command_is_read_the_same_way_everywhere(text: str, expected: Command | None) -> None:
    assert parse_command(text, BOT) == expected


def test_in_a_group_only_our_own_commands_are_taken() -> None:
    assert command_for("/frobnicate", BOT, in_group=True) is None  # another bot's, maybe
    assert command_for("/frobnicate", BOT, in_group=False) == Command("frobnicate")  # the help
    assert command_for("/q@SimHelpBot 第四步", BOT, in_group=True) == Command("q", "第四步")


def test_every_menu_command_has_a_description_in_the_catalogue(kb: KnowledgeBase) -> None:
    assert set(MENU_COMMANDS) <= COMMANDS
    for name in MENU_COMMANDS:
        assert kb.messages.get(MessageKey(f"cmd_{name}"), "en")


NAMES = st.from_regex(r"[A-Za-z0-9_]{1,32}", fullmatch=True)


@given(name=NAMES, argument=st.text(max_size=80), addressed=st.booleans())
def test_a_command_and_its_argument_come_back_as_typed(name: str, argument: str, addressed: bool) -> None:
    text = f"/{name}{'@' + BOT if addressed else ''} {argument}"
    assert parse_command(text, BOT.lower()) == Command(name.lower(), argument.strip())


@given(text=st.text(max_size=200))
def test_any_text_is_a_command_for_us_or_not_and_never_an_error(text: str) -> None:
    command = parse_command(text, BOT)
    if command is not None:
        assert text.strip().startswith("/")
        assert command.name
        assert command.name == command.name.lower()
        assert not any(char.isspace() or char == "@" for char in command.name)
        assert command.argument == command.argument.strip()
