"""The topic model: a second opinion on "is this ours?" for English (bot/understanding/topic_model.py)."""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.text.normalize import normalize_text
from bot.understanding.answer import Responder
from bot.understanding.outcomes import Answered, Declined
from bot.understanding.topic_model import TopicModel, train_topic_model

OURS = [("sim", "ring", "shop"), ("sim", "cancel", "line"), ("ring", "line", "still")]
THEIRS = [("card", "transfer", "still"), ("transfer", "pending", "day"), ("card", "declined", "shop")]


def toy_texts() -> list[tuple[tuple[str, ...], bool]]:
    return ([(text, True) for text in OURS] + [(text, False) for text in THEIRS]) * 10


def test_words_of_one_side_weigh_for_it_and_shared_words_weigh_little() -> None:
    model = train_topic_model(toy_texts())
    assert model.probability(("sim", "ring")) > 0.9
    assert model.probability(("card", "transfer")) < 0.1
    # "still" and "shop" are on both sides: each says less than a word of one side.
    assert abs(model.weights.get("still", 0.0)) < abs(model.weights["ring"])
    assert abs(model.weights.get("shop", 0.0)) < abs(model.weights["card"])


def test_training_is_deterministic() -> None:
    assert train_topic_model(toy_texts()) == train_topic_model(toy_texts())


def test_one_sided_training_data_gives_no_opinion() -> None:
    assert train_topic_model([(("sim",), True)]) == TopicModel()
    assert TopicModel().probability(("anything",)) == 0.5


@given(st.lists(st.text(max_size=12), max_size=30))
def test_a_probability_is_always_a_probability(terms: list[str]) -> None:
    probability = train_topic_model(toy_texts()).probability(terms)
    assert math.isfinite(probability)
    assert 0.0 <= probability <= 1.0


# --- in the bot: English in bank customers' register, on topic and not (written for this test) --


@pytest.mark.parametrize(
    ("question", "section"),
    [
        (
            "I went to the shop last week and they closed it, but today my sister called and it "
            "still rings, did it not work?",
            "verify-cancellation",
        ),
        (
            "Sent my cancellation request to the operator a week ago and nothing since, is that usual?",
            "submit-request",
        ),
        (
            "the lady at the counter said it is finished but when i dial it still connects. is that normal?",
            "verify-cancellation",
        ),
    ],
)
def test_english_in_a_bank_customers_register_about_our_number_is_answered(
    responder: Responder, question: str, section: str
) -> None:
    outcome = responder.understand(question)
    assert isinstance(outcome, Answered), outcome
    assert outcome.section_id == section


@pytest.mark.parametrize(
    "question",
    [
        "I transferred money to my friend 5 days ago and it still has not arrived, is that normal?",
        "my card payment was declined at the shop yesterday, why?",
        "how long does a bank transfer take to go through?",
        "I want to cancel my credit card, what do I do?",
    ],
)
def test_the_same_register_about_banking_is_still_declined(responder: Responder, question: str) -> None:
    assert isinstance(responder.understand(question), Declined)


def test_the_second_opinion_is_the_reason_the_first_kind_is_answered(responder: Responder) -> None:
    """Without it the naive Bayes alone gives such a message to banking77 (what round 4 fixed).

    (Rounds 6 and 7 taught the naive Bayes round 4's own message, "Sent my cancellation request
    to the operator a week ago …", and then "requested the termination of my line last week …":
    this one still needs the second opinion. No English question of the labelled sets does now.)
    """
    question = normalize_text("the cancellation has not gone through yet, how many days does it take?")
    ranking = responder.index.rank(question)
    assert ranking.negative_share > responder.settings.max_negative_share_ending
    assert ranking.ours >= responder.settings.second_opinion


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=200))
def test_any_text_gets_a_finite_second_opinion(responder: Responder, text: str) -> None:
    ours = responder.index.rank(normalize_text(text)).ours
    assert math.isfinite(ours)
    assert 0.0 <= ours <= 1.0
