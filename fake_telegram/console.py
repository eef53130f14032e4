"""A console view of the fake Bot API: type as one person in a private chat, see what the bot does.

Lines typed become messages from that person ("/start" is a command, as in Telegram); "#2"
presses the second button of the last message that has buttons. What the bot sends or edits
is printed as Telegram shows it (its plain text, then the buttons numbered), a toast from a
button press as "(toast) …". So anyone can try the Telegram side of a bot with no token and
no network: ``python -m fake_telegram`` (see ``fake_telegram.__main__``).
"""

from __future__ import annotations

import asyncio
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field

from fake_telegram.api import FakeBotApi
from fake_telegram.wire import JSON

_PRESS = re.compile(r"^#(\d+)$")
QUIT = frozenset({"/quit", "/exit"})


def message_buttons(message: JSON) -> list[JSON]:
    """A message's inline buttons in reading order (numbered from 1 in the view)."""
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return [button for row in rows for button in row]


def format_message(message: JSON) -> str:
    """A sent or edited message as the console shows it: the text, then its buttons numbered."""
    head = "bot (edited):" if "edit_date" in message else "bot:"
    labels = [f"#{n} {button.get('text', '')}" for n, button in enumerate(message_buttons(message), 1)]
    tail = "\n  [" + " | ".join(labels) + "]" if labels else ""
    return f"{head}\n{message.get('text', '')}{tail}"


@dataclass
class ConsoleView:
    """One person's private chat with the bot, printed as it happens."""

    api: FakeBotApi
    user_id: int
    language_code: str | None = None
    write: Callable[[str], None] = print
    _shown_sent: int = 0
    _shown_calls: int = 0
    _polling_told: bool = False
    _last_with_buttons: JSON | None = field(default=None)

    def type_line(self, line: str) -> None:
        """What the person typed: a button press ("#2") or a message."""
        text = line.rstrip("\n")
        pressed = _PRESS.match(text.strip())
        if pressed:
            self._press(int(pressed.group(1)))
        elif text.strip():
            self.api.inject_message(text, user_id=self.user_id, language_code=self.language_code)

    def _press(self, number: int) -> None:
        message = self._last_with_buttons
        buttons = message_buttons(message) if message else []
        if message is None or not 1 <= number <= len(buttons):
            self.write(f"(no button #{number} on the last message with buttons)")
            return
        data = buttons[number - 1].get("callback_data")
        if data is None:
            self.write(f"(button #{number} is a link: {buttons[number - 1].get('url', '')})")
            return
        self.api.inject_callback_query(data, message=message, language_code=self.language_code)

    def show_new(self) -> None:
        """Print what happened since the last call: the bot starting to poll, messages, toasts."""
        if not self._polling_told and self.api.pending_polls > 0:
            self._polling_told = True
            self.write("(the bot is polling: type a message)")
        sent = self.api.sent(self.user_id)
        for message in sent[self._shown_sent :]:
            self.write(format_message(message))
            if message_buttons(message):
                self._last_with_buttons = message
        self._shown_sent = len(sent)
        calls = self.api.calls
        for call in calls[self._shown_calls :]:
            if call.method == "answerCallbackQuery" and call.ok and call.params.get("text"):
                self.write(f"(toast) {call.params['text']}")
        self._shown_calls = len(calls)

    async def follow(self) -> None:
        """Show the bot's activity as it comes, until cancelled."""
        while True:
            self.show_new()
            await self.api.next_change(timeout=60)


async def read_lines(view: ConsoleView, readline: Callable[[], str] = sys.stdin.readline) -> None:
    """Feed typed lines to `view` until /quit or the end of input (read in a thread: stdin blocks)."""
    while True:
        line = await asyncio.to_thread(readline)
        if not line or line.strip().lower() in QUIT:
            return
        view.type_line(line)
