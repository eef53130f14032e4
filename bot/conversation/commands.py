"""The bot's commands: the one list (Telegram's menu is made from it) and reading one from a message.

Every front end reads commands here — "/step@SimHelpBot 4.1" is Command("step", "4.1") in
Telegram and in the console alike — and the conversation service carries them out.
"""

from __future__ import annotations

from dataclasses import dataclass

PRIVACY_COMMAND = "privacy"  # what is kept about a person (Telegram clients send it from the profile)
FORGET_COMMAND = "forget"  # erase everything kept about the person, after a confirm button
# The commands in the menu Telegram shows, in its order; each has a `cmd_<name>` catalogue text.
MENU_COMMANDS = (
    "start",
    "ask",
    "steps",
    "step",
    "plan",
    "reminders",
    "phrases",
    "lang",
    "help",
    PRIVACY_COMMAND,
    FORGET_COMMAND,
)
# Commands that ask a question ("/ask 第四步要带什么"): how people ask in a group with Telegram's
# default privacy mode, where the bot does not see plain @mentions. /q is short for /ask, unlisted.
ASK_COMMANDS = frozenset({"ask", "q"})
COMMANDS = frozenset(MENU_COMMANDS) | ASK_COMMANDS


@dataclass(frozen=True)
class Command:
    """A command such as /step 4: its name without the slash (and without @botname), and the rest."""

    name: str
    argument: str = ""


def parse_command(text: str, bot_username: str | None = None) -> Command | None:
    """The command `text` starts with, or None when it starts with none or names another bot.

    "/step@SimHelpBot 4.1" → Command("step", "4.1"); "/help@OtherBot" → None when this bot is
    SimHelpBot (compared without case, as Telegram does).
    """
    head, *rest = text.strip().split(None, 1) or [""]
    if not head.startswith("/") or len(head) < 2:
        return None
    name, _, target = head[1:].partition("@")
    if not name or (target and bot_username is not None and target.lower() != bot_username.lower()):
        return None
    return Command(name.lower(), rest[0].strip() if rest else "")


def command_for(text: str, bot_username: str | None, *, in_group: bool) -> Command | None:
    """The command a message gives this bot, or None if it gives none.

    In a private chat every command is ours (one we do not know gets the help); in a group only
    the ones we have, since other bots there have commands of their own.
    """
    command = parse_command(text, bot_username)
    if command is None or (in_group and command.name not in COMMANDS):
        return None
    return command
