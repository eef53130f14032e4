"""The global error handler: the user hears that something went wrong, the log hears where.

A handler that raises would otherwise leave the person in silence. They get the catalogue's
`error` sentence in their language, unless Telegram itself is the trouble (blocked, flood
control, a timeout after which the reply may well have arrived). The log gets the exception's
type, the update id and the traceback's frames — but no exception messages except Telegram's
own descriptions, because a message may quote what the user wrote; tokens are redacted anyway.
"""

from __future__ import annotations

import contextlib
import logging
import traceback

from telegram import Update
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut

from bot.conversation.render import render_message
from bot.kb.message_keys import MessageKey
from bot.telegram.desk import get_desk
from bot.telegram.people import AnyContext
from bot.telegram.replies import deliver
from bot.telegram.runtime.logging_setup import redact_tokens
from bot.telegram.turns import language_for

logger = logging.getLogger("bot.errors")


async def on_error(update: object, context: AnyContext) -> None:
    """Log an exception raised while handling an update, tell the user; the bot keeps running."""
    error = context.error
    update_id = update.update_id if isinstance(update, Update) else None
    kind = type(error).__name__ if error else "unknown"
    if is_telegram_trouble(error):
        logger.warning("Telegram error %s while handling update %s", kind, update_id)
        return
    details = redacted_traceback(error) if error else ""
    logger.error("%s while handling update %s\n%s", kind, update_id, details)
    if isinstance(update, Update):
        await tell_user(update, context)


def is_telegram_trouble(error: BaseException | None) -> bool:
    """Expected now and then from Telegram's side (no traceback, nothing to tell the user).

    BadRequest subclasses NetworkError in PTB, but a 400 is our bug (bad HTML, too long).
    """
    return isinstance(error, RetryAfter | TimedOut | NetworkError | Forbidden) and not isinstance(
        error, BadRequest
    )


async def tell_user(update: Update, context: AnyContext) -> None:
    """Send the catalogue's `error` sentence to the chat the update came from, if there is one."""
    message = update.effective_message
    if message is None:  # an inline query: there is no chat to write to
        return
    text = message.text if update.message is not None or update.edited_message is not None else None
    lang = language_for(update, context, text)
    reply = render_message(get_desk(context).responder.kb, MessageKey.ERROR, lang)
    try:
        if update.callback_query is not None:
            with contextlib.suppress(TelegramError):  # already answered, or too old: the spinner stops anyway
                await update.callback_query.answer()
        await deliver(update, context.bot, [reply])
    except TelegramError as exc:
        logger.warning("could not tell the user about the error either: %s", type(exc).__name__)


def redacted_traceback(error: BaseException) -> str:
    """The traceback of `error` and its causes, frames only; messages only from Telegram."""
    chain: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or (None if current.__suppress_context__ else current.__context__)
    lines: list[str] = []
    for position, exc in enumerate(reversed(chain)):
        if position:
            lines.append("\nwhich led to:\n")
        lines.append("Traceback (most recent call last):\n")
        lines.extend(traceback.format_list(traceback.extract_tb(exc.__traceback__)))
        name = f"{type(exc).__module__}.{type(exc).__qualname__}"
        shown = str(exc) if isinstance(exc, TelegramError) else "(message not logged: it may quote the user)"
        lines.append(f"{name}: {shown}\n")
    return redact_tokens("".join(lines)).rstrip("\n")
