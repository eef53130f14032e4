"""Buttons: previous / next / more detail / all steps / related / language, edited in place."""

from __future__ import annotations

import time

from telegram import Message, Update
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot.actions import decode_action
from bot.dialogue import press_button
from bot.render import render_message
from bot.telegram.desk import get_desk
from bot.telegram.people import AnyContext, choose_language, load_context, reply_language, save_context
from bot.telegram.replies import deliver, edit_reply


async def on_button(update: Update, context: AnyContext) -> None:
    """Carry out a button press; stale or forged data gets a short notice, never an error."""
    query = update.callback_query
    if query is None:
        return
    desk = get_desk(context)
    responder = desk.responder
    action = decode_action(query.data)
    message = query.message if isinstance(query.message, Message) else None
    if action is None or message is None:
        notice = responder.kb.messages.get("stale_button", reply_language(update, context))
        await deliver(lambda: query.answer(notice))
        return
    if action.kind == "lang":
        choose_language(context, action.lang)
        await deliver(query.answer)
        await edit_reply(message, render_message(responder.kb, "lang_set", action.lang))
        return
    user_id = query.from_user.id
    now = time.time()
    turn = press_button(responder, action, load_context(context, user_id, now), now)
    if turn is None:
        notice = responder.kb.messages.get("stale_button", action.lang)
        await deliver(lambda: query.answer(notice))
        return
    save_context(context, user_id, turn.context)
    await deliver(query.answer)
    await edit_reply(message, turn.reply)


def handlers() -> list[BaseHandler[Update, AnyContext, None]]:
    """The one callback-query handler: every button goes through it."""
    return [CallbackQueryHandler(on_button)]
