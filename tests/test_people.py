"""Per-person state in chat_data: one entry per person, expiry, and state saved by earlier versions."""

from __future__ import annotations

import time
from typing import Any

import pytest
from telegram.ext import Application, ApplicationBuilder, CallbackContext

from bot.conversation.service import CONTEXT_TTL_SECONDS, PersonState
from bot.telegram.handlers import INTRO_KEY
from bot.telegram.people import LEGACY_PEOPLE_KEY, load_person, person_key, save_person

GROUP = -100123
TOKEN = "123456789:AAE2eTestTokenForPeopleStateTests0000"


@pytest.fixture
def application() -> Application[Any, Any, Any, Any, Any, Any]:
    return ApplicationBuilder().token(TOKEN).build()


def context_for(
    application: Application[Any, Any, Any, Any, Any, Any], user_id: int
) -> CallbackContext[Any, Any, Any, Any]:
    return CallbackContext(application, chat_id=GROUP, user_id=user_id)


def test_two_people_in_one_group_keep_their_own_places(
    application: Application[Any, Any, Any, Any, Any, Any],
) -> None:
    now = time.time()
    save_person(context_for(application, 1), 1, PersonState("4", (), "en", now))
    save_person(context_for(application, 2), 2, PersonState("lost-card", ("a", "b"), "zh-Hant", now))
    assert load_person(context_for(application, 1), 1) == PersonState("4", (), "en", now)
    assert load_person(context_for(application, 2), 2) == PersonState("lost-card", ("a", "b"), "zh-Hant", now)
    assert load_person(context_for(application, 3), 3) == PersonState()
    # One flat entry per person: no dict of people inside the chat's data.
    assert set(application.chat_data[GROUP]) == {person_key(1), person_key(2)}


def test_expired_places_of_others_are_dropped_and_named_keys_are_kept(
    application: Application[Any, Any, Any, Any, Any, Any],
) -> None:
    long_ago = time.time() - CONTEXT_TTL_SECONDS - 60
    save_person(context_for(application, 1), 1, PersonState("4", (), "en", long_ago))
    application.chat_data[GROUP][INTRO_KEY] = True
    save_person(context_for(application, 2), 2, PersonState("5", (), "en", time.time()))
    assert set(application.chat_data[GROUP]) == {INTRO_KEY, person_key(2)}


def test_state_saved_by_an_earlier_version_is_read_and_moved_up(
    application: Application[Any, Any, Any, Any, Any, Any],
) -> None:
    now = time.time()
    legacy = {"section": "3", "choices": [], "lang": "zh-Hans", "at": now}
    application.chat_data[GROUP][LEGACY_PEOPLE_KEY] = {person_key(1): legacy, person_key(2): legacy}
    assert load_person(context_for(application, 1), 1) == PersonState("3", (), "zh-Hans", now)
    save_person(context_for(application, 1), 1, PersonState("4", (), "zh-Hans", now))
    assert LEGACY_PEOPLE_KEY not in application.chat_data[GROUP]
    assert load_person(context_for(application, 1), 1).section_id == "4"
    assert load_person(context_for(application, 2), 2) == PersonState("3", (), "zh-Hans", now)
