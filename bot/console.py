"""The conversation in a terminal: the same turns as the Telegram bot, typed and printed."""

from __future__ import annotations

import html
import re
import time
from collections.abc import Callable, Iterable

from bot.answer import Context, Responder
from bot.dialogue import take_turn
from bot.language import DEFAULT_LANGUAGE, Lang, parse_language
from bot.render import Reply, render_message, render_steps

_TAG = re.compile(r"<[^>]+>")
QUIT_COMMANDS = {"/quit", "/exit", "quit", "exit", "/q"}


def html_to_plain(text: str) -> str:
    """Telegram HTML as terminal text: tags dropped, entities unescaped."""
    return html.unescape(_TAG.sub("", text))


def format_reply(reply: Reply) -> str:
    """A reply as terminal text, its buttons listed on one line underneath."""
    text = "\n\n".join(html_to_plain(part) for part in reply.texts)
    labels = [button.label for row in reply.buttons for button in row]
    return text + ("\n  [" + " | ".join(labels) + "]" if labels else "")


def run_console(responder: Responder, lines: Iterable[str], write: Callable[[str], None]) -> None:
    """Hold one person's conversation over `lines` (stdin in practice) until /quit or the end."""
    kb = responder.kb
    context = Context()
    lang: Lang | None = None
    write(format_reply(render_steps(kb, DEFAULT_LANGUAGE, intro_key="welcome")))
    write(html_to_plain(kb.messages.get("console_intro", DEFAULT_LANGUAGE)))
    for raw in lines:
        text = raw.rstrip("\n")
        command, _, argument = text.strip().partition(" ")
        shown = lang or DEFAULT_LANGUAGE
        if command in QUIT_COMMANDS:
            break
        if command in ("/help", "/start"):
            write(format_reply(render_message(kb, "help", shown)))
        elif command == "/steps":
            write(format_reply(render_steps(kb, shown)))
        elif command == "/lang":
            chosen = parse_language(argument)
            if chosen is None:
                write("/lang zh-Hans | zh-Hant | en")
            else:
                lang = chosen
                write(format_reply(render_message(kb, "lang_set", chosen)))
        else:
            turn = take_turn(responder, text, context, time.monotonic(), lang)
            context = turn.context
            write(format_reply(turn.reply))
