"""Buttons: previous / next / more detail / all steps / related / language, shown in place."""

from __future__ import annotations

from telegram import Message, Update
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot.actions import decode_action
from bot.conversation import Press
from bot.message_keys import MessageKey
from bot.telegram.desk import get_desk
from bot.telegram.people import AnyContext
from bot.telegram.replies import deliver
from bot.telegram.turns import language_for, take_turn_in_place


async def on_button(update: Update, context: AnyContext) -> None:
    """Carry out a button press; stale or forged data gets a short notice, never an error."""
    query = update.callback_query
    if query is None:
        return
    action = decode_action(query.data)
    message = query.message if isinstance(query.message, Message) else None
    if action is None or message is None:
        kb = get_desk(context).responder.kb
        notice = kb.messages.get(MessageKey.STALE_BUTTON, language_for(update, context))
        await deliver(lambda: query.answer(notice))
        return
    await deliver(query.answer)
    await take_turn_in_place(update, context, message, Press(action))


def handlers() -> list[BaseHandler[Update, AnyContext, None]]:
    """The one callback-query handler: every button goes through it."""
    return [CallbackQueryHandler(on_button)]
