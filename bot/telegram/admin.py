"""Admin commands: /reload the knowledge base, /unanswered questions (BOT_ADMIN_IDS only), and
telling the admins when a reload they did not ask for (SIGHUP, a file change) was refused.

Their reports go to an admin's private chat only: the unanswered log holds other people's
questions, and a reload's errors are the operator's business, not a group's. In a group an
admin is told to ask privately; nothing is reloaded or listed there.
"""

from __future__ import annotations

import contextlib
import time
from typing import Any

from telegram import Bot, Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import Application

from bot.conversation.render import render_message, render_plain
from bot.conversation.service import PersonState, Speaker
from bot.kb.message_keys import MessageKey
from bot.storage.unanswered import format_groups, parse_duration
from bot.telegram.desk import Desk, ReloadOutcome, desk_in, get_desk
from bot.telegram.people import AnyContext, language_chosen_in
from bot.telegram.replies import deliver, send_to_chat
from bot.telegram.turns import language_for
from bot.text.language import Lang

MAX_ERRORS_SHOWN = 15
DEFAULT_WINDOW = "7d"


def _is_admin(update: Update, desk: Desk) -> bool:
    user = update.effective_user
    return user is not None and user.id in desk.settings.admin_ids


async def _admin_in_private(update: Update, context: AnyContext) -> bool:
    """Whether this is an admin in a private chat; if not, they are told why nothing happens."""
    desk = get_desk(context)
    chat = update.effective_chat
    if _is_admin(update, desk) and chat is not None and chat.type == ChatType.PRIVATE:
        return True
    key = MessageKey.ADMIN_PRIVATE_ONLY if _is_admin(update, desk) else MessageKey.NOT_ADMIN
    told = render_message(desk.responder.kb, key, language_for(update, context))
    await deliver(update, context.bot, [told])
    return False


async def reload_command(update: Update, context: AnyContext) -> None:
    """Start a reload of the knowledge base; the admin hears the result when it is done."""
    if not await _admin_in_private(update, context):
        return
    desk = get_desk(context)
    lang = language_for(update, context)
    # Updates are handled one at a time, and a reload takes a while (seconds for a big
    # knowledge base): run it beside them, so nobody waits for it. PTB's stop() awaits it.
    context.application.create_task(_reload_and_report(update, context.bot, desk, lang), update=update)


async def _reload_and_report(update: Update, bot: Bot, desk: Desk, lang: Lang) -> None:
    """Reload and tell the admin the result (errors as file:line)."""
    outcome = await desk.reload()
    kb = desk.responder.kb
    if outcome.ok:
        done = render_message(kb, MessageKey.RELOAD_OK, lang, sections=outcome.sections)
        await deliver(update, bot, [done])
        return
    errors = [str(problem) for problem in outcome.problems[:MAX_ERRORS_SHOWN]]
    if len(outcome.problems) > MAX_ERRORS_SHOWN:
        errors.append(f"… {len(outcome.problems) - MAX_ERRORS_SHOWN} more")
    await deliver(update, bot, [render_message(kb, MessageKey.RELOAD_FAILED, lang, errors="\n".join(errors))])


async def tell_admins_reload_refused(
    application: Application[Any, Any, Any, Any, Any, Any], outcome: ReloadOutcome
) -> None:
    """Tell each admin privately, in their language, why a reload nobody asked for was refused."""
    desk = desk_in(application.bot_data)
    kb = desk.responder.kb
    errors = "\n".join(str(problem) for problem in outcome.problems[:MAX_ERRORS_SHOWN])
    conversation = desk.conversation()
    for admin_id in desk.settings.admin_ids:
        chosen = language_chosen_in(application.user_data.get(admin_id))
        lang = conversation.quiet_language(PersonState(), Speaker(chosen_lang=chosen))
        report = render_message(kb, MessageKey.RELOAD_FAILED, lang, errors=errors)
        with contextlib.suppress(TelegramError):  # an admin who never started the bot can't be told
            await send_to_chat(application.bot, admin_id, report)


async def unanswered_command(update: Update, context: AnyContext) -> None:
    """The most frequent unanswered questions of the last days (/unanswered 7d)."""
    if not await _admin_in_private(update, context):
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
        await deliver(update, context.bot, [render_message(kb, MessageKey.UNANSWERED_EMPTY, lang)])
        return
    header = kb.messages.get(MessageKey.UNANSWERED_HEADER, lang, days=round(window / 86400, 1))
    text = "\n".join([header, *format_groups(groups)])
    await deliver(update, context.bot, [render_plain(text)])
