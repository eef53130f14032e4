"""/privacy and /forget as conversation rules: the same in Telegram and in the console chat."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.conversation.actions import Action, decode_action
from bot.conversation.render import FORGET_START, html_to_plain
from bot.conversation.service import Command, Conversation, PersonState, Press, Speaker, Text
from bot.kb.base import KnowledgeBase
from bot.kb.message_keys import MessageKey
from bot.text.language import LANGUAGES
from bot.understanding.answer import Responder
from bot.understanding.outcomes import Screen, Shown
from tests.test_console import chat

NOW = 1_000_000.0
PRIVATE = Speaker(client_lang="en")
GROUP = Speaker(client_lang="en", in_group=True)


def test_privacy_states_the_retention_it_is_given(responder: Responder, kb: KnowledgeBase) -> None:
    turn = Conversation(responder, unanswered_days=14).handle(Command("privacy"), PersonState(), PRIVATE, NOW)
    assert turn.outcome == Shown(Screen.PRIVACY, days=14)
    expected = kb.messages.get(MessageKey.PRIVACY, "en", days=14)
    assert html_to_plain(turn.reply.texts[0]) == expected.replace("\n- ", "\n• ")
    assert "14 days" in turn.reply.texts[0]
    assert not turn.erase


def test_forget_in_a_private_chat_asks_to_confirm_with_a_button(responder: Responder) -> None:
    turn = Conversation(responder).handle(Command("forget"), PersonState(), PRIVATE, NOW)
    assert turn.outcome == Shown(Screen.FORGET_CONFIRM)
    assert [button.action for row in turn.reply.buttons for button in row] == [Action("forget", "en")]
    assert not turn.erase  # asking erases nothing


def test_forget_in_a_group_links_to_a_private_chat(responder: Responder) -> None:
    turn = Conversation(responder).handle(Command("forget"), PersonState(), GROUP, NOW)
    assert turn.outcome == Shown(Screen.FORGET_IN_PRIVATE)
    assert [button.action for row in turn.reply.buttons for button in row] == [
        Action("private", "en", FORGET_START)
    ]
    assert not turn.erase


def test_the_confirm_button_erases_and_remembers_nothing(responder: Responder) -> None:
    person = PersonState("visit-store", (), "zh-Hans", NOW - 5)
    turn = Conversation(responder).handle(
        Press(Action("forget", "en")), person, Speaker(chosen_lang="en"), NOW
    )
    assert turn.erase
    assert turn.outcome == Shown(Screen.FORGOTTEN)
    assert (turn.person, turn.chosen_lang) == (PersonState(), None)


def test_the_confirm_button_pressed_in_a_group_erases_nothing(responder: Responder) -> None:
    turn = Conversation(responder).handle(Press(Action("forget", "en")), PersonState(), GROUP, NOW)
    assert not turn.erase
    assert turn.outcome == Shown(Screen.FORGET_IN_PRIVATE)


def test_the_deep_link_start_payload_opens_the_confirmation(responder: Responder) -> None:
    conversation = Conversation(responder)
    for event in (Command("start", FORGET_START), Press(Action("private", "en", FORGET_START))):
        assert conversation.handle(event, PersonState(), PRIVATE, NOW).outcome == Shown(Screen.FORGET_CONFIRM)


def test_the_console_chat_forgets_too(responder: Responder, kb: KnowledgeBase) -> None:
    out = chat(responder, "/lang en", "/forget", "#1", "/help")
    assert out[-3].startswith(kb.messages.get(MessageKey.FORGET_CONFIRM, "en"))
    assert out[-2] == kb.messages.get(MessageKey.FORGOTTEN, "en")
    assert out[-1].startswith(kb.messages.get(MessageKey.HELP, "zh-Hans").split("\n")[0])  # choice gone


def test_the_new_actions_survive_callback_data_and_forged_ones_do_not() -> None:
    for action in (Action("forget", "zh-Hant"), Action("private", "en", FORGET_START)):
        assert decode_action(action.encode()) == action
    for forged in ("v::en", "v:has space:en", "v:" + "x" * 65 + ":en", "f:visit-store:en", "v:a/b:en"):
        assert decode_action(forged) is None


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80), st.sampled_from(LANGUAGES))
def test_no_text_a_person_types_erases_anything(responder: Responder, text: str, lang: str) -> None:
    """Only the confirm button erases: whatever is typed ("/forget" included) never does."""
    conversation = Conversation(responder)
    speaker = Speaker(client_lang="en")
    for event in (Text(text), Command("forget", text), Command("start", text), Command(text, text)):
        assert not conversation.handle(event, PersonState(), speaker, NOW).erase


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=70))
def test_any_callback_data_decodes_to_an_action_that_encodes_back_or_to_none(data: str) -> None:
    action = decode_action(data)
    assert action is None or action.encode() == data
