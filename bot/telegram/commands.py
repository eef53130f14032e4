"""/start (with deep links), /help, /steps, /step N, /lang."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler, MessageHandler, filters

from bot.actions import Action
from bot.language import LANGUAGES
from bot.render import Button, Reply, render_answer, render_message, render_section, render_steps
from bot.telegram.addressing import FROM_HUMAN, NEW_MESSAGE
from bot.telegram.desk import get_desk
from bot.telegram.guard import allowed
from bot.telegram.people import AnyContext, remember_section, reply_language
from bot.telegram.replies import send_reply

LANGUAGE_NAMES = {"zh-Hans": "简体中文", "zh-Hant": "繁體中文", "en": "English"}


async def start(update: Update, context: AnyContext) -> None:
    """Welcome with the steps as buttons, or a deep link straight to a section."""
    message = update.effective_message
    if message is None or not await allowed(update, context, message):
        return
    desk = get_desk(context)
    kb = desk.responder.kb
    lang = reply_language(update, context)
    section_id = context.args[0].strip().lower() if context.args else ""
    if section_id and kb.has_section(section_id):
        remember_section(update, context, section_id)
        await send_reply(message, render_section(kb, section_id, lang))
        return
    await send_reply(message, render_steps(kb, lang, intro_key="welcome"))


async def help_command(update: Update, context: AnyContext) -> None:
    """How to use the bot."""
    message = update.effective_message
    if message is None or not await allowed(update, context, message):
        return
    kb = get_desk(context).responder.kb
    await send_reply(message, render_message(kb, "help", reply_language(update, context)))


async def steps(update: Update, context: AnyContext) -> None:
    """The five steps, as a list and as buttons."""
    message = update.effective_message
    if message is None or not await allowed(update, context, message):
        return
    kb = get_desk(context).responder.kb
    await send_reply(message, render_steps(kb, reply_language(update, context)))


async def step(update: Update, context: AnyContext) -> None:
    """/step 4 or /step 4.1: one step directly."""
    message = update.effective_message
    if message is None or not await allowed(update, context, message):
        return
    desk = get_desk(context)
    lang = reply_language(update, context)
    if not context.args:
        await send_reply(message, render_message(desk.responder.kb, "step_usage", lang))
        return
    answer = desk.responder.step_answer(context.args[0].strip().rstrip("."), lang)
    if answer.section_id:
        remember_section(update, context, answer.section_id)
    await send_reply(message, render_answer(answer, desk.responder.kb))


async def language(update: Update, context: AnyContext) -> None:
    """Offer the three languages as buttons."""
    message = update.effective_message
    if message is None or not await allowed(update, context, message):
        return
    kb = get_desk(context).responder.kb
    lang = reply_language(update, context)
    buttons = tuple((Button(LANGUAGE_NAMES[code], Action("lang", code)),) for code in LANGUAGES)
    prompt = render_message(kb, "lang_prompt", lang)
    await send_reply(message, Reply(prompt.texts, buttons))


def handlers() -> list[BaseHandler[Update, AnyContext, None]]:
    """The command handlers (edited messages and other bots' messages ignored)."""
    only_new = NEW_MESSAGE & FROM_HUMAN
    return [
        CommandHandler("start", start, filters=only_new),
        CommandHandler("help", help_command, filters=only_new),
        CommandHandler("steps", steps, filters=only_new),
        CommandHandler("step", step, filters=only_new),
        CommandHandler("lang", language, filters=only_new),
        # Any other command in a private chat (a typo, an old command): show the help.
        MessageHandler(filters.COMMAND & filters.ChatType.PRIVATE & only_new, help_command),
    ]
