"""Answer-quality floors: the acceptance figures, asserted so a regression fails the build."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.kb.base import KnowledgeBase
from bot.text.normalize import normalize_text
from bot.understanding.answer import Responder
from bot.understanding.evaluation import EvalReport, evaluate, evaluate_out_of_scope, load_labelled_questions

REPO = Path(__file__).resolve().parent.parent
SHARED_EVAL = REPO.parent / "shared" / "eval"
DEV_SET = SHARED_EVAL / "dev.yaml"
OUT_OF_SCOPE_FILES = [
    SHARED_EVAL / "out-of-scope" / name for name in ("banking77-train.txt", "crosswoz-val-users.txt")
]
HOLDOUT_SETS = [REPO / "tests" / "data" / name for name in ("holdout.yaml", "holdout2.yaml")]
# Written blind, never tuned on: a guard with lower floors (see the README for its figures).
BLIND_SET = REPO / "tests" / "data" / "holdout3.yaml"
LANGS = ("zh-Hans", "zh-Hant", "en")


@pytest.mark.skipif(not DEV_SET.exists(), reason="../shared/eval/dev.yaml is not beside this checkout")
def test_dev_set_is_answered_perfectly(responder: Responder) -> None:
    report = evaluate(responder, load_labelled_questions(DEV_SET))
    for lang in LANGS:
        assert report.top1_rate(lang) == 1.0, (lang, report.top1[lang], report.misses)
    assert report.wrongly_declined[0] == 0
    assert EvalReport.rate(report.declined_out_of_scope) >= 0.9


@pytest.mark.slow  # 10,000 real lines answered one by one: 3-7 s each file
@pytest.mark.parametrize("path", OUT_OF_SCOPE_FILES, ids=lambda p: p.name)
def test_real_text_for_other_assistants_is_given_no_section(responder: Responder, path: Path) -> None:
    """Measured only on the lines never trained on (knowledge/negatives holds a sample)."""
    if not path.exists():
        pytest.skip(f"{path} is not beside this checkout")
    report = evaluate_out_of_scope(responder, path.name, path.read_text(encoding="utf-8").splitlines())
    assert report.skipped_trained > 0  # the sample trained on is left out of the measure
    assert report.no_section[1] > 1000
    assert EvalReport.rate(report.no_section) >= 0.97, report.misses[:10]


@pytest.mark.parametrize("path", HOLDOUT_SETS, ids=lambda p: p.name)
def test_held_out_sets_stay_above_their_floors(responder: Responder, path: Path) -> None:
    """Questions written without seeing the examples: a guard against overfitting dev.yaml."""
    report = evaluate(responder, load_labelled_questions(path))
    for lang in LANGS:
        assert report.top1_rate(lang) >= 0.9, (lang, report.top1[lang])
    assert EvalReport.rate(report.declined_out_of_scope) >= 0.85
    assert EvalReport.rate(report.wrongly_declined) <= 0.03


def test_the_blind_set_stays_above_its_floors(responder: Responder) -> None:
    report = evaluate(responder, load_labelled_questions(BLIND_SET))
    for lang in LANGS:
        assert report.top1_rate(lang) >= 0.85, (lang, report.top1[lang])
    assert EvalReport.rate(report.declined_out_of_scope) >= 0.8
    assert EvalReport.rate(report.small_talk) >= 0.85
    assert EvalReport.rate(report.wrongly_declined) <= 0.06


def test_every_answer_is_in_the_language_it_was_asked_in(responder: Responder) -> None:
    questions = [q for path in [*HOLDOUT_SETS, BLIND_SET] for q in load_labelled_questions(path)]
    report = evaluate(responder, questions)
    assert report.language_correct[0] >= 0.98 * report.language_correct[1]


# Issue 16: the chat register (stories, Cantonese, Taiwan usage, non-native English, typos),
# written blind. Sets 4 to 9 were tuning sets through round 5 (their figures per round are in
# their headers and docs/method.md) and are TRAINING DATA since round 6: their lines are examples
# now, so these floors check that the examples are learnt, not what users will see. After round 6:
# top-1 1.000 on every language of every set but set 5 en 0.985 and set 7 zh-Hant 0.985;
# out-of-scope declined 0.960 / 1.000 / 0.985 / 0.939 / 1.000 / 0.985 (sets 4-9).
# (top-1 floor per language, most on-topic declined in any one language, out-of-scope floor)
ChatFloors = tuple[dict[str, float], float, float]
_LEARNT = {"zh-Hans": 0.96, "zh-Hant": 0.96, "en": 0.96}
TRAINED_CHAT_SETS: dict[str, ChatFloors] = {
    "holdout4.yaml": (_LEARNT, 0.03, 0.93),
    "holdout5.yaml": (_LEARNT, 0.03, 0.97),
    "holdout6.yaml": (_LEARNT, 0.03, 0.95),
    "holdout7.yaml": (_LEARNT, 0.03, 0.91),
    "holdout8.yaml": (_LEARNT, 0.03, 0.97),
    "holdout9.yaml": (_LEARNT, 0.03, 0.95),
    # Sets 10 to 18 and 20 to 32 were written blind and SEALED through round 9 (their figures per
    # round are in their headers and docs/method.md); round 10 taught them (on-topic lines as examples,
    # out-of-scope ones as everyday-chat negatives), so from here on they are TRAINING DATA like sets
    # 4-9: these floors check that the examples are learnt. At the start of round 10, after teaching:
    # top-1 0.985-1.000 on every language of every set; out-of-scope declined 0.889-1.000.
    "holdout10.yaml": (_LEARNT, 0.03, 0.97),
    "holdout11.yaml": (_LEARNT, 0.03, 0.97),
    "holdout12.yaml": (_LEARNT, 0.03, 0.94),
    "holdout13.yaml": (_LEARNT, 0.03, 0.97),
    "holdout14.yaml": (_LEARNT, 0.03, 0.95),
    "holdout15.yaml": (_LEARNT, 0.03, 0.94),
    "holdout16.yaml": (_LEARNT, 0.03, 0.95),
    "holdout17.yaml": (_LEARNT, 0.03, 0.97),
    "holdout18.yaml": (_LEARNT, 0.03, 0.86),
    "holdout20.yaml": (_LEARNT, 0.03, 0.89),
    "holdout21.yaml": (_LEARNT, 0.03, 0.90),
    "holdout22.yaml": (_LEARNT, 0.03, 0.94),
    "holdout23.yaml": (_LEARNT, 0.03, 0.93),
    "holdout24.yaml": (_LEARNT, 0.03, 0.87),
    "holdout25.yaml": (_LEARNT, 0.03, 0.97),
    "holdout26.yaml": (_LEARNT, 0.03, 0.89),
    "holdout27.yaml": (_LEARNT, 0.03, 0.95),
    "holdout28.yaml": (_LEARNT, 0.03, 0.86),
    "holdout29.yaml": (_LEARNT, 0.03, 0.92),
    "holdout30.yaml": (_LEARNT, 0.03, 0.94),
    "holdout31.yaml": (_LEARNT, 0.03, 0.95),
    "holdout32.yaml": (_LEARNT, 0.03, 0.92),
}


def assert_above_floors(responder: Responder, name: str, floors: ChatFloors) -> None:
    """A chat-register set's top-1 per language, on-topic declined (all, and per language) and
    topic-adjacent out-of-scope given no section, against its floors."""
    top1_floors, most_declined, out_of_scope_floor = floors
    report = evaluate(responder, load_labelled_questions(REPO / "tests" / "data" / name))
    for lang, floor in top1_floors.items():
        assert report.top1_rate(lang) >= floor, (lang, report.top1[lang])
    assert EvalReport.rate(report.wrongly_declined) <= 0.03
    for lang, declined in report.declined_by_lang.items():
        assert EvalReport.rate(declined) <= most_declined, (lang, declined)
    assert EvalReport.rate(report.declined_out_of_scope) >= out_of_scope_floor


@pytest.mark.parametrize("name", TRAINED_CHAT_SETS)
def test_the_chat_register_sets_taught_as_examples_are_learnt(responder: Responder, name: str) -> None:
    assert_above_floors(responder, name, TRAINED_CHAT_SETS[name])


# Sets 33 to 38: written blind at the start of round 10, before any change of the round, by writers
# who never saw the examples, and SEALED (never tuned on; only their summary lines were ever
# printed): what users will see. 33 and 36 with the registers brief (a list of chat registers), 34
# and 37 with the real-people one (no style rules), 35 and 38 with one of moments (before, during,
# after, gone wrong). Each file's header gives its figure per state, the first measured before
# any change of the round. At the end of round 10 every set meets the figures: top-1
# 0.951-1.000 (pooled 0.973 / 0.973 / 0.959), on-topic declined 0.4-1.2 %, out-of-scope declined
# 0.926-0.975. Floors about two questions under those figures, so a regression fails.
SEALED_CHAT_SETS: dict[str, ChatFloors] = {
    "holdout33.yaml": ({"zh-Hans": 0.96, "zh-Hant": 0.95, "en": 0.93}, 0.03, 0.91),
    "holdout34.yaml": ({"zh-Hans": 0.96, "zh-Hant": 0.97, "en": 0.93}, 0.03, 0.92),
    "holdout35.yaml": ({"zh-Hans": 0.96, "zh-Hant": 0.95, "en": 0.92}, 0.03, 0.95),
    "holdout36.yaml": ({"zh-Hans": 0.92, "zh-Hant": 0.92, "en": 0.93}, 0.03, 0.95),
    "holdout37.yaml": ({"zh-Hans": 0.93, "zh-Hant": 0.93, "en": 0.93}, 0.03, 0.92),
    "holdout38.yaml": ({"zh-Hans": 0.93, "zh-Hant": 0.95, "en": 0.92}, 0.03, 0.90),
}


@pytest.mark.parametrize("name", SEALED_CHAT_SETS)
def test_the_sealed_chat_register_sets_stay_above_their_floors(responder: Responder, name: str) -> None:
    assert_above_floors(responder, name, SEALED_CHAT_SETS[name])


def test_no_sealed_question_is_taught(kb: KnowledgeBase) -> None:
    """A sealed set says what users will see only while none of its lines is an example or a
    text to decline: round 6 copied other sets' lines in, so this keeps the sealed ones out."""
    taught = {
        normalize_text(text)
        for source in (
            *(texts for per_lang in kb.examples.values() for texts in per_lang.values()),
            *kb.out_of_scope.values(),
            *kb.negatives.values(),
        )
        for text in source
    }
    for name in SEALED_CHAT_SETS:
        questions = load_labelled_questions(REPO / "tests" / "data" / name)
        assert not [q.q for q in questions if normalize_text(q.q) in taught], name


# Set 19: written blind with another brief, like set 18, measured once after round 5 and once after
# round 6 (figures in its header), then its out-of-scope misses were read: a TUNING SET. Questions
# about an Albanian number that are not about ending it were answered with a step (out-of-scope
# declined 0.727 after round 6, 0.848 after round 7): the known gap its floor keeps in sight.
TUNING_CHAT_SETS: dict[str, ChatFloors] = {
    "holdout19.yaml": ({"zh-Hans": 0.97, "zh-Hant": 0.94, "en": 0.92}, 0.03, 0.89),
}


@pytest.mark.parametrize("name", TUNING_CHAT_SETS)
def test_the_chat_register_tuning_sets_stay_above_their_floors(responder: Responder, name: str) -> None:
    assert_above_floors(responder, name, TUNING_CHAT_SETS[name])
