"""What the bot keeps about each person: their place and language (persisted), their pace (not).

The place and language live in PTB's chat_data and user_data, as plain JSON values.
A person's place and conversation language live in chat_data under their user id (as a
string, so the state survives a JSON round trip; digits never clash with the named keys), so
two people in one group never share a place; a language chosen with /lang lives in
user_data and follows them to every chat. PTB persistence writes both to BOT_DATA_DIR.
No message text is ever stored.

Their pace — when they last wrote or pressed — is held in memory by a FloodGuard (one for
messages, one for presses, in the Desk), so that a burst over the limit is dropped after one
notice.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from telegram import Update
from telegram.ext import CallbackContext

from bot.conversation.service import PersonState, Speaker
from bot.text.language import Lang, parse_language

LEGACY_PEOPLE_KEY = "people"  # earlier versions kept everyone's state in one dict under this key
LANGUAGE_KEY = "lang"
AnyContext = CallbackContext[Any, Any, Any, Any]
PRUNE_EVERY = 1_000  # flood checks between sweeps of people gone quiet, so memory stays flat
MESSAGES_PER_WINDOW = 8
# Presses have their own budget, so that reading through the steps never costs a question;
# a little larger than the messages': "next, next, next" is quick to press.
BUTTON_PRESSES_PER_WINDOW = 12


def person_key(user_id: int) -> str:
    """Where a person's state lives in their chat's chat_data."""
    return str(user_id)


def load_person(context: AnyContext, user_id: int) -> PersonState:
    """This person's state in this chat (fresh when never seen or unreadable)."""
    data = context.chat_data
    if data is None:
        return PersonState()
    stored = data.get(person_key(user_id))
    if stored is None and isinstance(legacy := data.get(LEGACY_PEOPLE_KEY), dict):
        stored = legacy.get(person_key(user_id))
    return PersonState.from_json(stored)


def save_person(context: AnyContext, user_id: int, person: PersonState) -> None:
    """Remember this person's state, dropping other people's places that have expired.

    The state sits directly in chat_data, not in a dict of its own: a private chat has one
    person, and the extra dict per chat was a fifth of the bot's memory per person.
    """
    data = context.chat_data
    if data is None:
        return
    legacy = data.pop(LEGACY_PEOPLE_KEY, None)
    if isinstance(legacy, dict):  # state saved by an earlier version: move it up a level
        for key, value in legacy.items():
            data.setdefault(key, value)
    now = time.time()
    expired = [
        key
        for key, value in data.items()
        if isinstance(key, str) and key.isdigit() and PersonState.from_json(value).expired(now)
    ]
    for key in expired:
        del data[key]
    data[person_key(user_id)] = person.to_json()


def drop_person(chat_data: dict[Any, Any], user_id: int) -> bool:
    """Remove this person's place from one chat's data (for /forget); whether it held one."""
    found = chat_data.pop(person_key(user_id), None) is not None
    legacy = chat_data.get(LEGACY_PEOPLE_KEY)
    if isinstance(legacy, dict):
        found = legacy.pop(person_key(user_id), None) is not None or found
    return found


def chosen_language(context: AnyContext) -> Lang | None:
    """The language this user picked (/lang, or "in English please"), if any."""
    return language_chosen_in(context.user_data)


def language_chosen_in(user_data: Mapping[str, object] | None) -> Lang | None:
    """The language chosen, as kept in a user's user_data (None: none chosen, or unreadable)."""
    value = user_data.get(LANGUAGE_KEY) if user_data is not None else None
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
        bot_username=_bot_username(context),
    )


def _bot_username(context: AnyContext) -> str:
    """The bot's username, for deep links into a private chat ("" before the bot knows it)."""
    try:
        username: str = context.bot.username
    except RuntimeError:  # the Bot is not initialised (get_me not called yet)
        return ""
    return username


class Verdict(Enum):
    """What to do with one message."""

    ALLOW = "allow"
    NOTIFY = "notify"  # the first message over the limit: tell the user once
    DROP = "drop"


@dataclass
class FloodGuard:
    """At most `limit` messages per user in any `window` seconds."""

    limit: int = MESSAGES_PER_WINDOW
    window: float = 10.0
    # A tuple per person, not a deque: a deque is 760 bytes however few times it holds, and
    # in a busy minute thousands of people are inside the window at once (bench/state_memory.py).
    _times: dict[int, tuple[float, ...]] = field(default_factory=dict)
    _notified: set[int] = field(default_factory=set)
    _checks: int = 0

    def check(self, user_id: int, now: float) -> Verdict:
        """Record a message from `user_id` at `now` and judge it."""
        self._checks += 1
        if self._checks % PRUNE_EVERY == 0:
            self.forget_idle(now)
        times = tuple(at for at in self._times.get(user_id, ()) if now - at <= self.window)
        if len(times) < self.limit:
            self._times[user_id] = (*times, now)
            if not times:
                self._notified.discard(user_id)
            return Verdict.ALLOW
        self._times[user_id] = times
        if user_id in self._notified:
            return Verdict.DROP
        self._notified.add(user_id)
        return Verdict.NOTIFY

    def forget_idle(self, now: float) -> None:
        """Drop users with no message in the window (keeps memory flat)."""
        for user_id in [
            uid for uid, times in self._times.items() if not times or now - times[-1] > self.window
        ]:
            del self._times[user_id]
            self._notified.discard(user_id)
