"""Sending a core Reply through Telegram: HTML text, inline keyboard on the last part."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions, Message
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, TelegramError, TimedOut

from bot.conversation.render import Button, Reply
from bot.telegram.runtime.delivery_errors import RequestMaybeSent, RequestNotSent

NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
ATTEMPTS = 4
FIRST_BACKOFF_SECONDS = 0.5
T = TypeVar("T")
logger = logging.getLogger("bot.replies")


def _worth_retrying(error: TelegramError) -> bool:
    """Errors after which Telegram certainly did not act on the request, so sending again is safe.

    No connection was made (RequestNotSent), or Telegram answered with a 5xx: retry. Anything
    that may have reached Telegram is not retried — sendMessage is not idempotent, and a retry
    answered twice: a timeout, a connection cut after the request was written
    (RequestMaybeSent), a 200 whose body could not be read ("Invalid server response"). A 400 or
    403 will not get better. 429 is the rate limiter's job (it waits retry_after).
    """
    if isinstance(error, RequestNotSent):
        return True
    if isinstance(error, TimedOut | RequestMaybeSent | BadRequest | Forbidden):
        return False
    return isinstance(error, NetworkError)  # PTB's error for a 5xx status: Telegram said it failed


async def deliver(call: Callable[[], Awaitable[T]]) -> T:
    """Make one Bot API call, retrying with backoff when Telegram certainly did not act on it."""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return await call()
        except TelegramError as error:
            if attempt == ATTEMPTS or not _worth_retrying(error):
                raise
            logger.warning(
                "Bot API call failed (%s), attempt %d of %d", type(error).__name__, attempt, ATTEMPTS
            )
            await asyncio.sleep(FIRST_BACKOFF_SECONDS * 2 ** (attempt - 1))
    raise AssertionError("unreachable")


def keyboard(reply: Reply, bot_username: str | None = None) -> InlineKeyboardMarkup | None:
    """The reply's buttons as an inline keyboard (None when it has none); a "private" action is a
    link that opens a private chat with the bot at /start <payload>."""
    if not reply.buttons:
        return None
    return InlineKeyboardMarkup([[_button(button, bot_username) for button in row] for row in reply.buttons])


def _button(button: Button, bot_username: str | None) -> InlineKeyboardButton:
    if button.url:
        return InlineKeyboardButton(button.label, url=button.url)
    action = button.action
    if action.kind == "private" and bot_username:
        return InlineKeyboardButton(
            button.label, url=f"https://t.me/{bot_username}?start={action.section_id}"
        )
    return InlineKeyboardButton(button.label, callback_data=action.encode())


async def send_reply(message: Message, reply: Reply) -> list[Message]:
    """Reply to `message` (quoting it in groups, in its forum topic), one message per part."""
    sent: list[Message] = []
    for position, text in enumerate(reply.texts):
        last = position == len(reply.texts) - 1
        sent.append(
            await deliver(
                lambda text=text, last=last: message.reply_text(  # type: ignore[misc]
                    text,
                    parse_mode=ParseMode.HTML,
                    reply_markup=keyboard(reply, message.get_bot().username) if last else None,
                    link_preview_options=NO_PREVIEW,
                )
            )
        )
    return sent


async def edit_reply(message: Message, reply: Reply) -> None:
    """Show `reply` in place of a message the bot sent; extra parts follow as new messages."""
    first, *rest = reply.texts
    try:
        await deliver(
            lambda: message.edit_text(
                first,
                parse_mode=ParseMode.HTML,
                reply_markup=None if rest else keyboard(reply, message.get_bot().username),
                link_preview_options=NO_PREVIEW,
            )
        )
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():
            raise
    for position, text in enumerate(rest):
        last = position == len(rest) - 1
        await deliver(
            lambda text=text, last=last: message.chat.send_message(  # type: ignore[misc]
                text,
                parse_mode=ParseMode.HTML,
                reply_markup=keyboard(reply, message.get_bot().username) if last else None,
                link_preview_options=NO_PREVIEW,
                message_thread_id=message.message_thread_id if message.is_topic_message else None,
            )
        )
