"""Answer-quality floors: the acceptance figures, asserted so a regression fails the build."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.answer import Responder
from bot.evaluation import EvalReport, evaluate, load_labelled_questions

REPO = Path(__file__).resolve().parent.parent
DEV_SET = REPO.parent / "shared" / "eval" / "dev.yaml"
HOLDOUT_SETS = [REPO / "tests" / "data" / "holdout.yaml", REPO / "tests" / "data" / "holdout2.yaml"]


@pytest.mark.skipif(not DEV_SET.exists(), reason="../shared/eval/dev.yaml is not beside this checkout")
def test_dev_set_meets_the_acceptance_floors(responder: Responder) -> None:
    report = evaluate(responder, load_labelled_questions(DEV_SET))
    for lang in ("zh-Hans", "zh-Hant", "en"):
        assert report.top1_rate(lang) >= 0.93, (lang, report.top1[lang])
    assert EvalReport.rate(report.declined_out_of_scope) >= 0.90
    assert EvalReport.rate(report.wrongly_declined) <= 0.03


@pytest.mark.parametrize("path", HOLDOUT_SETS, ids=lambda p: p.name)
def test_held_out_sets_stay_above_their_floors(responder: Responder, path: Path) -> None:
    """Questions written without seeing the examples: a guard against overfitting dev.yaml."""
    report = evaluate(responder, load_labelled_questions(path))
    for lang in ("zh-Hans", "zh-Hant", "en"):
        assert report.top1_rate(lang) >= 0.88, (lang, report.top1[lang])
    assert EvalReport.rate(report.declined_out_of_scope) >= 0.75
    assert EvalReport.rate(report.wrongly_declined) <= 0.05


def test_every_answer_is_in_the_language_it_was_asked_in(responder: Responder) -> None:
    questions = [q for path in HOLDOUT_SETS for q in load_labelled_questions(path)]
    report = evaluate(responder, questions)
    assert report.language_correct[0] >= 0.98 * report.language_correct[1]
