"""The global error handler: log what failed (type, update id), never the token or user text."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.telegram.people import AnyContext

logger = logging.getLogger("bot.errors")


async def on_error(update: object, context: AnyContext) -> None:
    """Log an exception raised while handling an update; the bot keeps running."""
    error = context.error
    update_id = update.update_id if isinstance(update, Update) else None
    kind = type(error).__name__ if error else "unknown"
    # BadRequest subclasses NetworkError in PTB, but a 400 is our bug (bad HTML, too long): not expected.
    if isinstance(error, RetryAfter | TimedOut | NetworkError | Forbidden) and not isinstance(
        error, BadRequest
    ):
        # Telegram-side trouble: expected now and then, no traceback needed.
        logger.warning("Telegram error %s while handling update %s", kind, update_id)
        return
    logger.error("%s while handling update %s", kind, update_id, exc_info=error)
