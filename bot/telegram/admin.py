"""Admin commands: /reload the knowledge base, /unanswered questions (BOT_ADMIN_IDS only).

Their reports go to an admin's private chat only: the unanswered log holds other people's
questions, and a reload's errors are the operator's business, not a group's. In a group an
admin is told to ask privately; nothing is reloaded or listed there.
"""

from __future__ import annotations

import time

from telegram import Message, Update
from telegram.constants import ChatType
from telegram.ext import BaseHandler, CommandHandler

from bot.conversation.render import render_message, render_plain
from bot.kb.message_keys import MessageKey
from bot.storage.unanswered import format_groups, parse_duration
from bot.telegram.addressing import FROM_HUMAN, NEW_MESSAGE
from bot.telegram.desk import Desk, get_desk
from bot.telegram.people import AnyContext
from bot.telegram.replies import send_reply
from bot.telegram.turns import language_for
from bot.text.language import Lang

MAX_ERRORS_SHOWN = 15
DEFAULT_WINDOW = "7d"


def _is_admin(update: Update, desk: Desk) -> bool:
    user = update.effective_user
    return user is not None and user.id in desk.settings.admin_ids


async def _admin_in_private(update: Update, context: AnyContext, message: Message) -> bool:
    """Whether this is an admin in a private chat; if not, they are told why nothing happens."""
    desk = get_desk(context)
    if _is_admin(update, desk) and message.chat.type == ChatType.PRIVATE:
        return True
    key = MessageKey.ADMIN_PRIVATE_ONLY if _is_admin(update, desk) else MessageKey.NOT_ADMIN
    await send_reply(message, render_message(desk.responder.kb, key, language_for(update, context)))
    return False


async def reload_command(update: Update, context: AnyContext) -> None:
    """Start a reload of the knowledge base; the admin hears the result when it is done."""
    message = update.effective_message
    if message is None or not await _admin_in_private(update, context, message):
        return
    desk = get_desk(context)
    lang = language_for(update, context)
    # Updates are handled one at a time, and a reload takes a while (seconds for a big
    # knowledge base): run it beside them, so nobody waits for it. PTB's stop() awaits it.
    context.application.create_task(_reload_and_report(message, desk, lang), update=update)


async def _reload_and_report(message: Message, desk: Desk, lang: Lang) -> None:
    """Reload and tell the admin the result (errors as file:line)."""
    outcome = await desk.reload()
    kb = desk.responder.kb
    if outcome.ok:
        await send_reply(message, render_message(kb, MessageKey.RELOAD_OK, lang, sections=outcome.sections))
        return
    errors = [str(problem) for problem in outcome.problems[:MAX_ERRORS_SHOWN]]
    if len(outcome.problems) > MAX_ERRORS_SHOWN:
        errors.append(f"… {len(outcome.problems) - MAX_ERRORS_SHOWN} more")
    await send_reply(message, render_message(kb, MessageKey.RELOAD_FAILED, lang, errors="\n".join(errors)))


async def unanswered_command(update: Update, context: AnyContext) -> None:
    """The most frequent unanswered questions of the last days (/unanswered 7d)."""
    message = update.effective_message
    if message is None or not await _admin_in_private(update, context, message):
        return
    desk = get_desk(context)
    kb = desk.responder.kb
    lang = language_for(update, context)
    try:
        window = parse_duration(context.args[0] if context.args else DEFAULT_WINDOW)
    except ValueError:
        window = parse_duration(DEFAULT_WINDOW)
    groups = desk.unanswered.most_frequent(time.time() - window) if desk.unanswered else []
    if not groups:
        await send_reply(message, render_message(kb, MessageKey.UNANSWERED_EMPTY, lang))
        return
    header = kb.messages.get(MessageKey.UNANSWERED_HEADER, lang, days=round(window / 86400, 1))
    text = "\n".join([header, *format_groups(groups)])
    await send_reply(message, render_plain(text))


def handlers() -> list[BaseHandler[Update, AnyContext, None]]:
    """The admin command handlers."""
    only_new = NEW_MESSAGE & FROM_HUMAN
    return [
        CommandHandler("reload", reload_command, filters=only_new),
        CommandHandler("unanswered", unanswered_command, filters=only_new),
    ]
