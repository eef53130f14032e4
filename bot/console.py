"""The conversation in a terminal: the same turns as the Telegram bot, typed and printed.

A thin translator, like the Telegram handlers: a line becomes a Text or Command event for
the one person at the keyboard, the conversation service decides, the reply is printed.
Buttons are listed under a reply, numbered; typing "#2" presses the second one.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable

from bot.conversation.commands import Command, parse_command
from bot.conversation.plan import Reminder, ReminderKind, Schedule, Unschedule
from bot.conversation.render import Button, Reply, html_to_plain
from bot.conversation.service import Conversation, Event, PersonState, Press, Speaker, Text, needs_reminders
from bot.kb.message_keys import MessageKey
from bot.text.language import DEFAULT_LANGUAGE

_PRESS = re.compile(r"^#(\d+)$")
QUIT_COMMANDS = {"/quit", "/exit", "quit", "exit"}


def reply_buttons(reply: Reply) -> list[Button]:
    """A reply's buttons in reading order (the console numbers them from 1)."""
    return [button for row in reply.buttons for button in row]


def format_reply(reply: Reply) -> str:
    """A reply as terminal text, its buttons numbered on one line underneath."""
    text = "\n\n".join(html_to_plain(part) for part in reply.texts)
    labels = [f"#{number} {button.label}" for number, button in enumerate(reply_buttons(reply), 1)]
    return text + ("\n  [" + " | ".join(labels) + "]" if labels else "")


def parse_line(line: str, buttons: list[Button]) -> Event:
    """A typed line as an event: "/step 4" a command, "#2" a button press, anything else text."""
    stripped = line.strip()
    pressed = _PRESS.match(stripped)
    if pressed and 1 <= int(pressed.group(1)) <= len(buttons):
        return Press(buttons[int(pressed.group(1)) - 1].action)
    return parse_command(stripped) or Text(line)


def run_console(conversation: Conversation, lines: Iterable[str], write: Callable[[str], None]) -> None:
    """Hold one person's conversation over `lines` (stdin in practice) until /quit or the end."""
    person = PersonState()
    speaker = Speaker()
    reminders: dict[ReminderKind, Reminder] = {}  # kept for this session only: a terminal sends none
    first = conversation.handle(Command("start"), person, speaker, time.time())
    write(format_reply(first.reply))
    write(html_to_plain(conversation.responder.kb.messages.get(MessageKey.CONSOLE_INTRO, DEFAULT_LANGUAGE)))
    buttons = reply_buttons(first.reply)
    for raw in lines:
        text = raw.rstrip("\n")
        if text.strip().lower() in QUIT_COMMANDS:
            break
        event = parse_line(text, buttons)
        pending = tuple(reminders.values()) if needs_reminders(event) else ()
        turn = conversation.handle(event, person, speaker, time.time(), pending)
        person, speaker = turn.person, Speaker(turn.chosen_lang)
        for change in turn.reminder_changes:
            match change:
                case Schedule(reminder=reminder):
                    reminders[reminder.kind] = reminder
                case Unschedule(kind=kind):
                    reminders.pop(kind, None)
        for reply in turn.replies:
            write(format_reply(reply))
        buttons = reply_buttons(turn.reply)
