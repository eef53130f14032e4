"""Questions in plain text: in private chats always, in groups when addressed to the bot."""

from __future__ import annotations

import time

from telegram import Update
from telegram.ext import BaseHandler, MessageHandler, filters

from bot.dialogue import take_turn
from bot.privacy import looks_personal
from bot.render import render_message
from bot.telegram.addressing import ADDRESSED_TO_ME, FROM_HUMAN, NEW_MESSAGE
from bot.telegram.desk import get_desk
from bot.telegram.guard import allowed
from bot.telegram.people import AnyContext, chosen_language, load_context, reply_language, save_context
from bot.telegram.replies import send_reply

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
    """Answer, offer choices or decline, and remember where this person now is."""
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None or message.text is None:
        return
    if not await allowed(update, context, message):
        return
    desk = get_desk(context)
    responder = desk.responder  # one reference for the whole turn, even if a reload swaps it
    now = time.time()
    turn = take_turn(
        responder, message.text, load_context(context, user.id, now), now, chosen_language(context)
    )
    save_context(context, user.id, turn.context)
    await send_reply(message, turn.reply)
    if turn.answer is not None:
        desk.note_unanswered(message.text, turn.answer, now)
    if message.chat.type != "private" and looks_personal(message.text) and turn.answer is not None:
        await send_reply(message, render_message(responder.kb, "privacy_warning", turn.answer.lang))


async def media_hint(update: Update, context: AnyContext) -> None:
    """Stickers, photos, voice in a private chat: say that only text questions are read."""
    message = update.effective_message
    if message is None or not await allowed(update, context, message):
        return
    kb = get_desk(context).responder.kb
    await send_reply(
        message, render_message(kb, "non_text", reply_language(update, context, message.caption))
    )


def handlers() -> list[BaseHandler[Update, AnyContext, None]]:
    """Text questions (addressed) and media hints (private only)."""
    private = filters.ChatType.PRIVATE
    return [
        MessageHandler(
            filters.TEXT & ~filters.COMMAND & NEW_MESSAGE & FROM_HUMAN & ADDRESSED_TO_ME, answer_question
        ),
        MessageHandler(_MEDIA & private & NEW_MESSAGE & FROM_HUMAN, media_hint),
    ]
