"""The nearest examples' vote over the steps offered (bot/understanding/neighbours.py)."""

from __future__ import annotations

import dataclasses
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.text.normalize import normalize_text
from bot.understanding.answer import Responder
from bot.understanding.neighbours import (
    ExampleNeighbours,
    NeighboursBuilder,
    best_whatever_the_vote,
    blended_best,
)
from bot.understanding.outcomes import Answered
from bot.understanding.terms import terms

EXAMPLES = [
    (0, "what documents do I bring to the store"),
    (0, "passport and sim card for the shop"),
    (1, "where is the live chat of vodafone"),
    (1, "customer care email address"),
    (2, "the number still rings after cancelling"),
]


ALL = (0, 1, 2)


def toy() -> ExampleNeighbours:
    builder = NeighboursBuilder()
    for label, text in EXAMPLES:
        builder.add(label, terms(normalize_text(text)))
    return builder.build()


def test_the_nearest_examples_vote_for_their_step() -> None:
    votes = toy().vote(terms(normalize_text("which documents for the store, passport?")), ALL)
    assert max(votes, key=votes.__getitem__) == 0
    assert math.isclose(sum(votes.values()), 1.0)


def test_only_the_steps_offered_take_part() -> None:
    question = terms(normalize_text("passport for the store, or the live chat email?"))
    assert set(toy().vote(question, ALL)) == {0, 1}
    assert set(toy().vote(question, (1, 2))) == {1}
    assert toy().vote(question, (2,)) == {}  # its one example shares no term with the question
    assert toy().vote(question, ()) == {}


def test_a_question_with_no_known_term_gets_no_vote() -> None:
    assert toy().vote(terms(normalize_text("pizza tonight")), ALL) == {}
    assert toy().vote({}, ALL) == {}


def test_saved_and_restored_the_votes_are_the_same() -> None:
    neighbours = toy()
    names = sorted(neighbours.positions)
    restored = ExampleNeighbours.from_state(
        neighbours.to_state({term: at for at, term in enumerate(names)}), names, labels=3
    )
    for question in ("store passport", "live chat", "still rings", "email"):
        counts = terms(normalize_text(question))
        assert restored.vote(counts, ALL) == neighbours.vote(counts, ALL)


@pytest.mark.parametrize(
    ("part", "value"),
    [
        ("labels", "not base64!"),
        ("weights", "AAAA"),  # three bytes: not a whole double
        ("starts", None),
        ("starts", "AAAAAAAAAAA="),  # two positions, where the terms need one more
        ("examples", 7),
    ],
)
def test_a_malformed_saved_state_is_refused(part: str, value: object) -> None:
    neighbours = toy()
    names = sorted(neighbours.positions)
    state = {**neighbours.to_state({term: at for at, term in enumerate(names)}), part: value}
    with pytest.raises((ValueError, TypeError)):
        ExampleNeighbours.from_state(state, names, labels=3)


def test_a_saved_state_naming_a_label_past_the_last_is_refused() -> None:
    neighbours = toy()
    names = sorted(neighbours.positions)
    with pytest.raises(ValueError, match="label"):
        ExampleNeighbours.from_state(
            neighbours.to_state({term: at for at, term in enumerate(names)}), names, labels=2
        )


def test_the_blend_follows_the_vote_only_between_close_steps() -> None:
    close = {"a": 0.5, "b": 0.4}
    assert blended_best(["a", "b"], close, {"b": 1.0}, say=0.5) == "b"
    sure = {"a": 0.999, "b": 0.0001}
    assert blended_best(["a", "b"], sure, {"b": 1.0}, say=0.5) == "a"
    assert blended_best(["a", "b"], close, {}, say=0.5) == "a"  # no vote: the naive Bayes decides
    assert blended_best([], close, {}, say=0.5) is None


@given(st.text(max_size=300))
def test_any_text_gets_shares_of_real_labels(text: str) -> None:
    votes = toy().vote(terms(normalize_text(text)), ALL)
    assert set(votes) <= {0, 1, 2}
    assert not votes or math.isclose(sum(votes.values()), 1.0)
    assert all(0.0 < share <= 1.0 for share in votes.values())


# --- in the bot ------------------------------------------------------------------------------


def test_a_question_worded_like_one_steps_examples_gets_that_step(responder: Responder) -> None:
    """Written for this test: the naive Bayes alone gives the operators (for "balance" and
    "number"); the examples nearest it are about letting the number lapse."""
    question = "my balance ran out, what happens to the number now?"
    alone = dataclasses.replace(
        responder, settings=dataclasses.replace(responder.settings, neighbours_say=0.0)
    )
    assert alone.understand(question) == Answered(
        "operators", candidates=alone.understand(question).candidates
    )
    outcome = responder.understand(question)
    assert isinstance(outcome, Answered)
    assert outcome.section_id == "let-it-lapse"


def test_the_vote_never_answers_a_declined_question_nor_moves_the_overview(responder: Responder) -> None:
    alone = dataclasses.replace(
        responder, settings=dataclasses.replace(responder.settings, neighbours_say=0.0)
    )
    for question in (
        "how do I cancel my Singtel sim, i moved away",
        "what's the capital of Albania",
        "保号卡怎么注销",
    ):
        assert type(responder.understand(question)) is type(alone.understand(question))
    assert responder.understand("how do I cancel my albanian prepaid sim") == alone.understand(
        "how do I cancel my albanian prepaid sim"
    )


SHARES = st.floats(min_value=0.0, max_value=1.0)


@given(
    naive_bayes=st.lists(SHARES, min_size=1, max_size=3),
    votes=st.lists(SHARES, min_size=3, max_size=3),
)
def test_a_candidate_sure_whatever_the_vote_is_the_one_any_vote_picks(
    naive_bayes: list[float], votes: list[float]
) -> None:
    names = ["a", "b", "c"][: len(naive_bayes)]
    scores = dict(zip(names, naive_bayes, strict=True))
    sure = best_whatever_the_vote(names, scores, say=0.5)
    if sure is not None:
        assert blended_best(names, scores, dict(zip(names, votes, strict=False)), say=0.5) == sure
        assert blended_best(names, scores, {name: float(name != sure) for name in names}, say=0.5) == sure


def test_a_close_race_is_left_to_the_vote() -> None:
    assert best_whatever_the_vote(["a", "b"], {"a": 0.999, "b": 0.0001}, say=0.5) == "a"
    assert best_whatever_the_vote(["a", "b"], {"a": 0.6, "b": 0.3}, say=0.5) is None
    assert best_whatever_the_vote([], {}, say=0.5) is None
