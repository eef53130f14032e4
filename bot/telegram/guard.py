"""The flood check every answering handler passes first."""

from __future__ import annotations

import time

from telegram import Message, Update

from bot.message_keys import MessageKey
from bot.render import render_message
from bot.telegram.desk import get_desk
from bot.telegram.flood import Verdict
from bot.telegram.people import AnyContext
from bot.telegram.replies import send_reply
from bot.telegram.turns import language_for


async def allowed(update: Update, context: AnyContext, message: Message) -> bool:
    """False when this user is flooding; the first dropped message gets one short notice."""
    user = update.effective_user
    if user is None:
        return False
    desk = get_desk(context)
    verdict = desk.flood.check(user.id, time.monotonic())
    if verdict is Verdict.NOTIFY:
        await send_reply(
            message, render_message(desk.responder.kb, MessageKey.FLOOD, language_for(update, context))
        )
    return verdict is Verdict.ALLOW
