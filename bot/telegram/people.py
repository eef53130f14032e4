"""Per-person memory in PTB's chat_data and user_data, as plain JSON values.

A person's place and conversation language live in chat_data under their user id (as a
string, so the state survives a JSON round trip), so two people in one group never share a
place; a language chosen with /lang lives in user_data and follows them to every chat.
PTB persistence writes both to BOT_DATA_DIR. No message text is ever stored.
"""

from __future__ import annotations

import time
from typing import Any

from telegram import Update
from telegram.ext import CallbackContext

from bot.conversation import CONTEXT_TTL_SECONDS, PersonState, Speaker
from bot.language import Lang, parse_language

PEOPLE_KEY = "people"
LANGUAGE_KEY = "lang"
AnyContext = CallbackContext[Any, Any, Any, Any]


def load_person(context: AnyContext, user_id: int) -> PersonState:
    """This person's state in this chat (fresh when never seen or unreadable)."""
    people = context.chat_data.get(PEOPLE_KEY) if context.chat_data is not None else None
    return PersonState.from_json(people.get(str(user_id)) if isinstance(people, dict) else None)


def save_person(context: AnyContext, user_id: int, person: PersonState) -> None:
    """Remember this person's state, dropping other people's places that have expired."""
    if context.chat_data is None:
        return
    people = context.chat_data.get(PEOPLE_KEY)
    if not isinstance(people, dict):
        people = context.chat_data[PEOPLE_KEY] = {}
    cutoff = time.time() - CONTEXT_TTL_SECONDS
    for other in [key for key, value in people.items() if PersonState.from_json(value).updated_at < cutoff]:
        del people[other]
    people[str(user_id)] = person.to_json()


def chosen_language(context: AnyContext) -> Lang | None:
    """The language this user picked (/lang, or "in English please"), if any."""
    value = context.user_data.get(LANGUAGE_KEY) if context.user_data is not None else None
    return parse_language(value) if isinstance(value, str) else None


def choose_language(context: AnyContext, lang: Lang | None) -> None:
    """Remember the user's language choice (it overrides detection from then on)."""
    if context.user_data is not None and lang is not None and context.user_data.get(LANGUAGE_KEY) != lang:
        context.user_data[LANGUAGE_KEY] = lang


def speaker_of(update: Update, context: AnyContext) -> Speaker:
    """The sender as the conversation service sees them: chosen and app language, group or not."""
    user = update.effective_user
    chat = update.effective_chat
    return Speaker(
        chosen_lang=chosen_language(context),
        client_lang=parse_language(user.language_code) if user and user.language_code else None,
        in_group=chat is not None and chat.type != "private",
    )
