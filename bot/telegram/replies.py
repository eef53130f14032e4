"""The one way out to Telegram: deliver() sends, edits or shows a toast, retrying what is safe.

Whatever the bot says to a person leaves through deliver(): a turn's replies, the flood notice,
the error sentence, an admin's report. Every part of every reply is sent (HTML, no link
previews), with the buttons under the last part.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Literal, TypeVar

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions, Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, TelegramError, TimedOut

from bot.conversation.render import Button, Reply, html_to_plain
from bot.telegram.runtime.delivery_errors import RequestMaybeSent, RequestNotSent

NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
TOAST_MAX_CHARS = 200  # Telegram refuses a longer answerCallbackQuery text
ATTEMPTS = 4
FIRST_BACKOFF_SECONDS = 0.5
T = TypeVar("T")
# How replies are shown: under the update's message (or in its chat when it has none), in place
# of the message whose button was pressed, or as a toast over it (the message stays as it was).
How = Literal["reply", "edit", "toast"]
Send = Callable[[str, InlineKeyboardMarkup | None], Awaitable[Message]]
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


async def with_retries(call: Callable[[], Awaitable[T]]) -> T:
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


def keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    """The reply's buttons as an inline keyboard (None when it has none): a link where the core
    made one (a deep link into a private chat), else the action as callback data."""
    if not reply.buttons:
        return None
    return InlineKeyboardMarkup([[_button(button) for button in row] for row in reply.buttons])


def _button(button: Button) -> InlineKeyboardButton:
    if button.url:
        return InlineKeyboardButton(button.label, url=button.url)
    return InlineKeyboardButton(button.label, callback_data=button.action.encode())


async def deliver(update: Update, bot: Bot, replies: Sequence[Reply], how: How = "reply") -> None:
    """Show `replies` to whoever sent `update`, the way `how` says.

    "reply": under the update's message (quoting it in groups, in its forum topic), or posted in
    its chat when it has no message (the bot added to a group). "edit": a button press answered,
    the first reply shown in place of the message pressed, the others after it. "toast": a button
    press answered with the first reply's first part as a toast (none: the spinner just stops).
    """
    query = update.callback_query
    if how != "reply" and query is not None:
        brief = html_to_plain(replies[0].texts[0])[:TOAST_MAX_CHARS] if how == "toast" and replies else None
        await with_retries(lambda: query.answer(brief))
        if how == "toast":
            return
    message = update.effective_message
    if how == "edit" and message is not None and replies:
        await _edit(message, replies[0])
        replies = replies[1:]
    for reply in replies:
        await _send_parts(reply, _sender(update, bot))


def _sender(update: Update, bot: Bot) -> Send:
    """How a new message goes out for this update: as a reply to its message, or into its chat."""
    message = update.effective_message
    if message is not None and update.callback_query is None:
        return lambda text, markup: message.reply_text(
            text, parse_mode=ParseMode.HTML, reply_markup=markup, link_preview_options=NO_PREVIEW
        )
    chat = update.effective_chat
    if chat is None:
        raise ValueError("an update with no chat to reply in")
    return _into_chat(bot, chat.id, message)


def _into_chat(bot: Bot, chat_id: int, beside: Message | None = None) -> Send:
    """New messages in a chat (in the forum topic of `beside`, if it is in one)."""
    thread = beside.message_thread_id if beside is not None and beside.is_topic_message else None
    return lambda text, markup: bot.send_message(
        chat_id,
        text,
        parse_mode=ParseMode.HTML,
        reply_markup=markup,
        link_preview_options=NO_PREVIEW,
        message_thread_id=thread,
    )


async def send_to_chat(bot: Bot, chat_id: int, reply: Reply) -> None:
    """Post `reply` in a chat no update came from (an admin told about a refused reload)."""
    await _send_parts(reply, _into_chat(bot, chat_id))


async def _send_parts(reply: Reply, send: Send) -> None:
    """Each part of `reply` as one message, the buttons under the last."""
    for position, text in enumerate(reply.texts):
        markup = keyboard(reply) if position == len(reply.texts) - 1 else None
        await with_retries(lambda text=text, markup=markup: send(text, markup))  # type: ignore[misc]


async def _edit(message: Message, reply: Reply) -> None:
    """Show `reply`'s first part in place of `message`; further parts follow as new messages."""
    first, *rest = reply.texts
    try:
        await with_retries(
            lambda: message.edit_text(
                first,
                parse_mode=ParseMode.HTML,
                reply_markup=None if rest else keyboard(reply),
                link_preview_options=NO_PREVIEW,
            )
        )
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():
            raise
    if rest:
        following = _into_chat(message.get_bot(), message.chat.id, message)
        await _send_parts(Reply(tuple(rest), reply.buttons), following)
