"""Answer-quality floors: the acceptance figures, asserted so a regression fails the build."""

from __future__ import annotations

from pathlib import Path

import pytest

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
# written blind. All three sets are TUNING SETS now, not holdouts: their floors sit a few points
# under the figures measured after tuning on them, to catch a regression, not to predict users.
# Set 4: measured once before tuning (top-1 0.867 / 0.693 / 0.813, 17.3 % of on-topic questions
# declined); after round 2: 0.973 / 0.973 / 0.880, declined 1.8 %, out-of-scope declined 0.947.
# Set 5: measured blind before round 1 (0.824 / 0.662 / 0.868, declined 17.2 %) and after it
# (0.912 / 0.868 / 0.912, declined 3.4 %); after round 2, tuned on it: 0.985 / 0.956 / 0.941,
# declined 0.5 %, out-of-scope declined 0.955; after round 3: out-of-scope declined 0.985.
# Set 6: measured blind before issue 16 (0.794 / 0.735 / 0.809, declined 17.6 %, out-of-scope
# declined 0.879) and after round 2 (0.897 / 0.941 / 0.868, declined 2.0 %, out-of-scope 0.879);
# tuned on in round 3: 0.897 / 0.941 / 0.868, declined 2.0 %, out-of-scope declined 1.000,
# "did you mean" 0.015 / 0.029 / 0.029.
# Round 4 (a negated top-up is its own word; the English topic model as a second opinion before
# a decline) lifted English on every set: set 4 en 0.880 -> 0.933, declined 0.4 %; set 5 en 0.941
# -> 0.956, declined 0 %; set 6 zh-Hant 0.941 -> 0.956, en 0.868 -> 0.926, declined 0.5 %.
# Set 7: sealed until round 4, which read its English misses: blind figures in its header; after
# round 4 0.941 / 0.971 / 0.868, declined 1.0 % (en 1/68), out-of-scope declined 0.848.
# Set 8: measured blind before round 4 (0.956 / 0.956 / 0.868, declined 2.0 %, out-of-scope 1.000;
# before issue 16 0.897 / 0.779 / 0.853, 11.3 %, 0.788), tuned on in round 4: 0.956 / 0.956 / 0.897,
# declined 0 %, out-of-scope declined 1.000.
# Round 5 (about 2,400 new examples in the chat register, everyday chat to decline as a source of
# its own): set 4 0.973 / 0.960 / 0.920, declined 0 %, out-of-scope 0.947; set 5 0.971 / 0.956 /
# 0.956, 0 %, 1.000; set 6 0.956 / 0.956 / 0.985, 0.5 %, 0.955; set 7 0.985 / 0.971 / 0.897,
# 0.5 %, 0.909; set 8 0.971 / 0.985 / 0.956, 0 %, 0.970.
# Sets 10 to 15 are sealed (below); set 9 was until round 5.
# (top-1 floor per language, most on-topic declined in any one language, out-of-scope floor)
ChatFloors = tuple[dict[str, float], float, float]
CHAT_SETS: dict[str, ChatFloors] = {
    "holdout4.yaml": ({"zh-Hans": 0.94, "zh-Hant": 0.93, "en": 0.89}, 0.04, 0.92),
    "holdout5.yaml": ({"zh-Hans": 0.94, "zh-Hant": 0.92, "en": 0.92}, 0.03, 0.97),
    "holdout6.yaml": ({"zh-Hans": 0.92, "zh-Hant": 0.92, "en": 0.95}, 0.04, 0.92),
    "holdout7.yaml": ({"zh-Hans": 0.95, "zh-Hant": 0.94, "en": 0.86}, 0.04, 0.87),
    "holdout8.yaml": ({"zh-Hans": 0.94, "zh-Hant": 0.95, "en": 0.92}, 0.04, 0.94),
    # Set 9: sealed until round 5 (figures below with the sealed sets), then its zh-Hans misses read.
    "holdout9.yaml": ({"zh-Hans": 0.89, "zh-Hant": 0.92, "en": 0.85}, 0.03, 0.92),
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


@pytest.mark.parametrize("name", CHAT_SETS)
def test_the_chat_register_tuning_sets_stay_above_their_floors(responder: Responder, name: str) -> None:
    assert_above_floors(responder, name, CHAT_SETS[name])


# Sets 9 to 15: written blind in the same register and SEALED (never tuned on; only their
# summary lines were printed): what users will see. Set 9 is a tuning set since round 5 (its
# zh-Hans misses were read after its last figure below). Set 9 before issue 16: 0.926 / 0.750 / 0.779,
# declined 14.7 %, out-of-scope 0.833; after rounds 1-3 0.971 / 0.941 / 0.853, 2.0 %, 0.939; after
# round 4 0.971 / 0.941 / 0.882, 0.5 % (en 1/68), 0.924. Set 10 before issue 16: 0.838 / 0.721 /
# 0.765, 17.2 %, 0.864; after rounds 1-3 0.971 / 0.941 / 0.809, 3.4 %, 0.955; after round 4
# 0.971 / 0.926 / 0.838, 1.5 % (en 3/68), 0.955. Set 11, written after round 4 and measured
# once: before issue 16 0.824 / 0.618 / 0.735, 18.1 %, 0.894; after rounds 1-3 0.897 / 0.794 /
# 0.765, 4.4 %, 0.970; after round 4 0.897 / 0.794 / 0.809, 2.0 % (zh-Hant 2/68, en 2/68), 0.970.
# Set 12, written at the start of round 5 and measured before it: before issue 16 0.912 / 0.765 /
# 0.853, 9.3 %, 0.758; after round 4 0.941 / 0.912 / 0.912, 0.5 %, 0.909.
# After round 5: set 9 0.926 / 0.956 / 0.882, 0 %, 0.955; set 10 0.956 / 0.912 / 0.897, 1.5 %
# (zh-Hans 1/68, en 2/68), 0.939; set 11 0.882 / 0.868 / 0.868, 0 %, 0.955; set 12 0.941 / 0.912 /
# 0.926, 1.0 % (zh-Hant 2/68), 0.909. Set 13, written after round 5 and measured once: before
# issue 16 0.926 / 0.765 / 0.838, 10.8 %, 0.833; after round 4 0.985 / 0.897 / 0.897, 1.5 %, 0.909;
# after round 5 0.971 / 0.956 / 0.897, 1.0 % (zh-Hant 1/68, en 1/68), 0.894. Set 14, written after
# round 5 and measured once: before issue 16 0.926 / 0.691 / 0.838, 12.3 %, 0.818; after round 4
# 0.971 / 0.868 / 0.912, 1.0 %, 0.970; after round 5 0.941 / 0.912 / 0.956, 0.5 % (en 1/68), 0.939.
# Set 15, written at the end of round 5 and measured once: before issue 16 0.838 / 0.691 / 0.838,
# 16.2 %, 0.848; after round 4 0.882 / 0.853 / 0.941, 1.5 %, 1.000; after round 5 0.971 / 0.941 /
# 0.941, 1.5 % (zh-Hant 1/68, en 2/68), 0.970. Floors a few points under, so a regression fails;
# the top-1 target (0.95) is met on six of these 21 figures (set 9 zh-Hant, set 10 zh-Hans,
# set 13 zh-Hans and zh-Hant, set 14 en, set 15 zh-Hans).
SEALED_CHAT_SETS: dict[str, ChatFloors] = {
    "holdout10.yaml": ({"zh-Hans": 0.92, "zh-Hant": 0.88, "en": 0.86}, 0.06, 0.90),
    "holdout11.yaml": ({"zh-Hans": 0.85, "zh-Hant": 0.83, "en": 0.83}, 0.05, 0.92),
    "holdout12.yaml": ({"zh-Hans": 0.91, "zh-Hant": 0.88, "en": 0.89}, 0.06, 0.87),
    "holdout13.yaml": ({"zh-Hans": 0.94, "zh-Hant": 0.92, "en": 0.86}, 0.05, 0.86),
    "holdout14.yaml": ({"zh-Hans": 0.91, "zh-Hant": 0.88, "en": 0.92}, 0.05, 0.90),
    "holdout15.yaml": ({"zh-Hans": 0.94, "zh-Hant": 0.91, "en": 0.91}, 0.06, 0.94),
}


@pytest.mark.parametrize("name", SEALED_CHAT_SETS)
def test_the_sealed_chat_register_sets_stay_above_their_floors(responder: Responder, name: str) -> None:
    assert_above_floors(responder, name, SEALED_CHAT_SETS[name])
