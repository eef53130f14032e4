"""Buttons: previous / next / more detail / all steps / related / language, shown in place."""

from __future__ import annotations

from telegram import Message, Update
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot.console import html_to_plain
from bot.conversation.actions import decode_action
from bot.conversation.service import Press
from bot.kb.message_keys import MessageKey
from bot.telegram.desk import get_desk
from bot.telegram.guard import press_allowed
from bot.telegram.people import AnyContext
from bot.telegram.replies import deliver, edit_reply
from bot.telegram.turns import decide, language_for
from bot.understanding.outcomes import Declined


async def on_button(update: Update, context: AnyContext) -> None:
    """Carry out a button press; stale or forged data gets a short notice, never an error."""
    query = update.callback_query
    if query is None or not await press_allowed(update, context, query):
        return
    action = decode_action(query.data)
    message = query.message if isinstance(query.message, Message) else None
    if action is None or message is None:
        kb = get_desk(context).responder.kb
        notice = kb.messages.get(MessageKey.STALE_BUTTON, language_for(update, context))
        await deliver(lambda: query.answer(notice))
        return
    turn = await decide(update, context, Press(action))
    if turn is None:
        return
    if isinstance(turn.outcome, Declined):  # a stale button: say so briefly, leave the message as it is
        notice = html_to_plain(turn.reply.texts[0])
        await deliver(lambda: query.answer(notice))
        return
    await deliver(query.answer)
    await edit_reply(message, turn.reply)


def handlers() -> list[BaseHandler[Update, AnyContext, None]]:
    """The one callback-query handler: every button goes through it."""
    return [CallbackQueryHandler(on_button)]
