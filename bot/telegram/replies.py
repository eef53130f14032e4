"""Sending a core Reply through Telegram: HTML text, inline keyboard on the last part."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions, Message
from telegram.constants import ParseMode
from telegram.error import BadRequest

from bot.render import Reply

NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


def keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    """The reply's buttons as an inline keyboard (None when it has none)."""
    if not reply.buttons:
        return None
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(button.label, callback_data=button.action.encode()) for button in row]
            for row in reply.buttons
        ]
    )


async def send_reply(message: Message, reply: Reply) -> list[Message]:
    """Reply to `message` (quoting it in groups, in its forum topic), one message per part."""
    sent: list[Message] = []
    for position, text in enumerate(reply.texts):
        last = position == len(reply.texts) - 1
        sent.append(
            await message.reply_text(
                text,
                parse_mode=ParseMode.HTML,
                reply_markup=keyboard(reply) if last else None,
                link_preview_options=NO_PREVIEW,
            )
        )
    return sent


async def edit_reply(message: Message, reply: Reply) -> None:
    """Show `reply` in place of a message the bot sent; extra parts follow as new messages."""
    first, *rest = reply.texts
    try:
        await message.edit_text(
            first,
            parse_mode=ParseMode.HTML,
            reply_markup=None if rest else keyboard(reply),
            link_preview_options=NO_PREVIEW,
        )
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():
            raise
    for position, text in enumerate(rest):
        last = position == len(rest) - 1
        await message.chat.send_message(
            text,
            parse_mode=ParseMode.HTML,
            reply_markup=keyboard(reply) if last else None,
            link_preview_options=NO_PREVIEW,
            message_thread_id=message.message_thread_id if message.is_topic_message else None,
        )
