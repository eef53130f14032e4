"""Commands: /start (with deep links), /help, /steps, /step N, /lang, /ask and /q, /phrases,
/privacy and /forget.

/ask is how people ask in a group with Telegram's default privacy mode, where the bot does
not receive plain @mentions: "/ask 第四步要带什么" (or "/ask@SimHelpBot …", "/q …").
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler, MessageHandler, filters

from bot.conversation.service import Command
from bot.telegram.addressing import FROM_HUMAN, NEW_MESSAGE
from bot.telegram.guard import allowed
from bot.telegram.people import AnyContext
from bot.telegram.turns import take_turn

# The commands in the menu; /q is a short alias of /ask and is not listed.
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
    "privacy",
    "forget",
)
COMMANDS = (*MENU_COMMANDS, "q")


def command_of(text: str) -> Command:
    """The command a message starts with: "/step@SimHelpBot 4.1" → Command("step", "4.1")."""
    head, _, argument = text.strip().partition(" ")
    return Command(head.lstrip("/").split("@", 1)[0], argument.strip())


async def on_command(update: Update, context: AnyContext) -> None:
    """Carry out a command; in a private chat, an unknown command shows the help."""
    message = update.effective_message
    if message is None or message.text is None or not await allowed(update, context, message):
        return
    await take_turn(update, context, message, command_of(message.text))


def handlers() -> list[BaseHandler[Update, AnyContext, None]]:
    """The command handlers (edited messages and other bots' messages ignored)."""
    only_new = NEW_MESSAGE & FROM_HUMAN
    return [
        CommandHandler(list(COMMANDS), on_command, filters=only_new),
        # Any other command in a private chat (a typo, an old command): the help.
        MessageHandler(filters.COMMAND & filters.ChatType.PRIVATE & only_new, on_command),
    ]
