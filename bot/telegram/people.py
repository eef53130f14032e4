"""Per-person memory: the last section shown (per chat and user) and the chosen language.

Contexts live in chat_data keyed by user id, so two people in one group never share a
place; PTB persistence writes them to BOT_DATA_DIR. No message text is ever stored.
"""

from __future__ import annotations

import time
from typing import Any

from telegram import Update
from telegram.ext import CallbackContext

from bot.answer import Context
from bot.dialogue import CONTEXT_TTL_SECONDS, fresh_context
from bot.language import DEFAULT_LANGUAGE, Lang, detect_language, parse_language

PEOPLE_KEY = "people"
LANGUAGE_KEY = "lang"
AnyContext = CallbackContext[Any, Any, Any, Any]


def load_context(context: AnyContext, user_id: int, now: float) -> Context:
    """This person's place in this chat, or a fresh one after 30 minutes of silence."""
    chat_data = context.chat_data
    people = chat_data.get(PEOPLE_KEY, {}) if chat_data is not None else {}
    stored = people.get(user_id)
    return fresh_context(stored if isinstance(stored, Context) else None, now)


def save_context(context: AnyContext, user_id: int, person: Context) -> None:
    """Remember this person's place, dropping other people's expired entries."""
    if context.chat_data is None:
        return
    people: dict[int, Context] = context.chat_data.setdefault(PEOPLE_KEY, {})
    now = time.time()
    for other in [uid for uid, ctx in people.items() if now - ctx.updated_at > CONTEXT_TTL_SECONDS]:
        del people[other]
    people[user_id] = person


def chosen_language(context: AnyContext) -> Lang | None:
    """The language this user picked with /lang, if any."""
    value = context.user_data.get(LANGUAGE_KEY) if context.user_data is not None else None
    return parse_language(value) if isinstance(value, str) else None


def choose_language(context: AnyContext, lang: Lang) -> None:
    """Remember the user's language choice (it overrides detection from then on)."""
    if context.user_data is not None:
        context.user_data[LANGUAGE_KEY] = lang


def reply_language(update: Update, context: AnyContext, text: str | None = None) -> Lang:
    """The language to answer in: the user's choice, else the text's, else their client's."""
    chosen = chosen_language(context)
    if chosen:
        return chosen
    if text and text.strip() and not text.strip().startswith("/"):
        return detect_language(text)
    user = update.effective_user
    client = parse_language(user.language_code) if user and user.language_code else None
    return client or DEFAULT_LANGUAGE


def remember_section(update: Update, context: AnyContext, section_id: str) -> None:
    """Record that the sender was just shown `section_id` (for "next" / "back" after it)."""
    if update.effective_user is not None:
        save_context(
            context, update.effective_user.id, Context(section_id=section_id, updated_at=time.time())
        )
