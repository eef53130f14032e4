"""Someone in the middle of the guide asks without naming the topic (bot/understanding/answer.py,
Responder._ours_in_conversation). Questions written for this test."""

from __future__ import annotations

from bot.conversation.service import CONTEXT_TTL_SECONDS, Conversation, PersonState, Speaker, Text
from bot.understanding.answer import Place, Responder
from bot.understanding.outcomes import Clarify, Declined, DeclineReason

HOW_LONG = "how long does it take to go through"  # alone: a bank customer's question
NOW = 1_000_000.0


def test_alone_it_is_declined_after_the_step_before_its_own_it_gets_choices(responder: Responder) -> None:
    assert isinstance(responder.understand(HOW_LONG), Declined)
    outcome = responder.understand(HOW_LONG, Place("sign-agreement"))  # verify-cancellation is next
    assert isinstance(outcome, Clarify)
    assert outcome.candidates[0].id == "verify-cancellation"


def test_far_from_the_step_it_is_like_it_is_still_declined(responder: Responder) -> None:
    assert isinstance(responder.understand(HOW_LONG, Place("backup")), Declined)


def test_a_forgotten_place_or_a_choice_without_a_section_is_no_conversation(responder: Responder) -> None:
    assert isinstance(responder.understand(HOW_LONG, Place(None, ("store-form", "sign-agreement"))), Declined)


def test_a_decline_with_a_reason_stands_in_conversation(responder: Responder) -> None:
    for question, reason in (
        ("how do I cancel my Singtel sim, i moved away", DeclineReason.ELSEWHERE),
        ("how do I top up my vodafone card", DeclineReason.NOT_COVERED),
    ):
        outcome = responder.understand(question, Place("verify-cancellation"))
        assert isinstance(outcome, Declined), question
        assert outcome.reason is reason, question


def test_plainly_other_text_is_still_declined_in_conversation(responder: Responder) -> None:
    for question in (
        "what's the weather in Tirana tomorrow",
        "帮我写一首诗",
        "pizza",
        "how long does pizza take",
    ):
        outcome = responder.understand(question, Place("verify-cancellation"))
        assert not isinstance(outcome, Clarify), (question, outcome)


# --- through the conversation service: the place is the person's, and it expires --------------


def test_the_service_offers_choices_only_while_the_person_is_in_the_guide(responder: Responder) -> None:
    conversation = Conversation(responder)
    shown = conversation.handle(Text("step 4.3"), PersonState(), Speaker(), NOW)
    assert shown.person.section_id == "sign-agreement"
    soon = conversation.handle(Text(HOW_LONG), shown.person, Speaker(), NOW + 60)
    assert isinstance(soon.outcome, Clarify)
    assert soon.reply.buttons  # one button a choice, in the person's language
    later = conversation.handle(Text(HOW_LONG), shown.person, Speaker(), NOW + CONTEXT_TTL_SECONDS + 1)
    assert isinstance(later.outcome, Declined)
    stranger = conversation.handle(Text(HOW_LONG), PersonState(), Speaker(), NOW + 60)
    assert isinstance(stranger.outcome, Declined)  # someone else in the same group: no place
