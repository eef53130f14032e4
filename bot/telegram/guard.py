"""The flood checks: every answering handler passes one first (messages and button presses)."""

from __future__ import annotations

import time

from telegram import CallbackQuery, Message, Update

from bot.console import html_to_plain
from bot.conversation.render import render_message
from bot.kb.message_keys import MessageKey
from bot.telegram.desk import get_desk
from bot.telegram.flood import FloodGuard, Verdict
from bot.telegram.people import AnyContext
from bot.telegram.replies import deliver, send_reply
from bot.telegram.turns import language_for

# Presses have their own budget, so that reading through the steps never costs a question;
# a little larger than the messages' (8 in 10 s): "next, next, next" is quick to press.
BUTTON_FLOOD_KEY = "button-flood"
BUTTON_PRESSES_PER_WINDOW = 12


def button_flood_guard() -> FloodGuard:
    """The guard build_application() keeps in bot_data under BUTTON_FLOOD_KEY."""
    return FloodGuard(limit=BUTTON_PRESSES_PER_WINDOW)


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


async def press_allowed(update: Update, context: AnyContext, query: CallbackQuery) -> bool:
    """False when this user presses buttons too fast: the query is answered (the first time with
    the notice, as a toast), and the caller skips the edit."""
    guard = context.bot_data.get(BUTTON_FLOOD_KEY)
    if not isinstance(guard, FloodGuard):
        return True
    verdict = guard.check(query.from_user.id, time.monotonic())
    if verdict is Verdict.ALLOW:
        return True
    if verdict is Verdict.NOTIFY:
        reply = render_message(
            get_desk(context).responder.kb, MessageKey.FLOOD, language_for(update, context)
        )
        notice = html_to_plain(reply.texts[0])
        await deliver(lambda: query.answer(notice))
    else:
        await deliver(query.answer)
    return False
