"""Questions in plain text: in private chats always, in groups when addressed to the bot."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, MessageHandler, filters

from bot.conversation.service import Media, Text
from bot.telegram.addressing import ADDRESSED_TO_ME, FROM_HUMAN, NEW_MESSAGE
from bot.telegram.guard import allowed
from bot.telegram.people import AnyContext
from bot.telegram.turns import take_turn

_MEDIA = (
    filters.Sticker.ALL
    | filters.PHOTO
    | filters.VOICE
    | filters.VIDEO
    | filters.VIDEO_NOTE
    | filters.AUDIO
    | filters.Document.ALL
    | filters.ANIMATION
    | filters.LOCATION
    | filters.CONTACT
)


async def answer_question(update: Update, context: AnyContext) -> None:
    """Answer, offer choices, decline or chat back, and remember where this person now is."""
    message = update.effective_message
    if message is None or message.text is None or not await allowed(update, context, message):
        return
    await take_turn(update, context, message, Text(message.text))


async def media_hint(update: Update, context: AnyContext) -> None:
    """Stickers, photos, voice in a private chat: say that only text questions are read."""
    message = update.effective_message
    if message is None or not await allowed(update, context, message):
        return
    await take_turn(update, context, message, Media(message.caption or ""))


def handlers() -> list[BaseHandler[Update, AnyContext, None]]:
    """Text questions (addressed) and media hints (private only)."""
    private = filters.ChatType.PRIVATE
    return [
        MessageHandler(
            filters.TEXT & ~filters.COMMAND & NEW_MESSAGE & FROM_HUMAN & ADDRESSED_TO_ME, answer_question
        ),
        MessageHandler(_MEDIA & private & NEW_MESSAGE & FROM_HUMAN, media_hint),
    ]
