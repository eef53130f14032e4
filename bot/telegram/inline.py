"""Inline mode: `@bot question` in any chat offers up to five matching sections."""

from __future__ import annotations

from telegram import InlineQueryResultArticle, InputTextMessageContent, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.ext import BaseHandler, InlineQueryHandler

from bot.answer import Responder
from bot.console import html_to_plain
from bot.kb import Section
from bot.language import Lang
from bot.match import OUT_OF_SCOPE
from bot.render import heading, render_section
from bot.telegram.desk import get_desk
from bot.telegram.people import AnyContext, reply_language
from bot.telegram.replies import deliver

MAX_RESULTS = 5
DESCRIPTION_CHARS = 100


def inline_sections(responder: Responder, query: str) -> list[Section]:
    """Sections to offer for an inline query: the steps in order when it is empty."""
    kb = responder.kb
    if not query.strip():
        return (
            [kb.section("overview"), *kb.main_steps()]
            if kb.has_section("overview")
            else list(kb.main_steps())
        )
    ranked = [item for item in responder.rank(query, limit=MAX_RESULTS) if item.id != OUT_OF_SCOPE]
    if not ranked or max(item.similarity for item in ranked) < responder.settings.decline_below:
        return []
    return [kb.section(item.id) for item in ranked[:MAX_RESULTS]]


def _article(responder: Responder, section: Section, lang: Lang) -> InlineQueryResultArticle:
    kb = responder.kb
    text = render_section(kb, section.id, lang).texts[0]
    description = " ".join(html_to_plain(section.answer[lang]).split())[:DESCRIPTION_CHARS]
    return InlineQueryResultArticle(
        id=f"{section.id}:{lang}",
        title=heading(kb, section, lang),
        description=description,
        input_message_content=InputTextMessageContent(
            text, parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True)
        ),
    )


async def on_inline_query(update: Update, context: AnyContext) -> None:
    """Answer an inline query with matching sections as articles."""
    query = update.inline_query
    if query is None:
        return
    responder = get_desk(context).responder
    lang = reply_language(update, context, query.query)
    sections = inline_sections(responder, query.query[:256])
    results = [_article(responder, section, lang) for section in sections]
    await deliver(lambda: query.answer(results, cache_time=30, is_personal=True))


def handlers() -> list[BaseHandler[Update, AnyContext, None]]:
    """The inline-query handler."""
    return [InlineQueryHandler(on_inline_query)]
