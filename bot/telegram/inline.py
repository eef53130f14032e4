"""Inline mode: `@bot question` in any chat offers up to five matching sections."""

from __future__ import annotations

from telegram import InlineQueryResultArticle, InputTextMessageContent, LinkPreviewOptions, Update
from telegram.constants import ParseMode

from bot.conversation.render import heading, html_to_plain, render_section
from bot.kb.base import KnowledgeBase
from bot.telegram.desk import get_desk
from bot.telegram.people import AnyContext, speaker_of
from bot.telegram.replies import with_retries
from bot.text.language import Lang

MAX_RESULTS = 5
MAX_QUERY_CHARS = 256  # Telegram's own limit on an inline query
DESCRIPTION_CHARS = 100


def _article(kb: KnowledgeBase, section_id: str, lang: Lang) -> InlineQueryResultArticle:
    section = kb.section(section_id)
    text = render_section(kb, section.id, lang).texts[0]
    description = " ".join(html_to_plain(section.answer[lang]).split())[:DESCRIPTION_CHARS]
    return InlineQueryResultArticle(
        id=f"{section.id}:{lang}",
        title=heading(section, lang),
        description=description,
        input_message_content=InputTextMessageContent(
            text, parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True)
        ),
    )


async def on_inline_query(update: Update, context: AnyContext) -> None:
    """Answer an inline query with matching sections as articles (none when it is off-topic)."""
    query = update.inline_query
    if query is None:
        return
    conversation = get_desk(context).conversation()
    lang, section_ids = conversation.suggest(
        query.query[:MAX_QUERY_CHARS], speaker_of(update, context), MAX_RESULTS
    )
    kb = conversation.responder.kb
    results = [_article(kb, section_id, lang) for section_id in section_ids]
    await with_retries(lambda: query.answer(results, cache_time=30, is_personal=True))
