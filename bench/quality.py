"""Answer quality against the baselines, scored by bot.evaluation.evaluate for everyone.

Each baseline's decline threshold is tuned on the dev set itself (the same set we report on),
which flatters the baselines: our matcher's settings were tuned on dev and holdout.yaml, and
holdout2.yaml was never tuned on by anyone, so it is reported too, with the thresholds from dev.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.baselines import (
    BaselineResponder,
    Bm25Ranker,
    FuzzyRanker,
    guide_documents,
    objective,
    score_with,
    title_pairs,
    tune_threshold,
)
from bench.common import DEV_SET, HOLDOUT2, progress
from bot.answer import build_responder
from bot.evaluation import EvalReport, LabelledQuestion, load_labelled_questions
from bot.kb import load_knowledge_base
from bot.language import LANGUAGES

MATCHERS = ("ours", "bm25", "fuzzy")
NAMES = {
    "ours": "this project",
    "bm25": "BM25 (bm25s + jieba, titles + answers)",
    "fuzzy": "fuzzy (rapidfuzz token_set_ratio, titles)",
}


@dataclass
class QualityRow:
    """One matcher on one labelled set."""

    matcher: str
    questions: int
    top1: dict[str, tuple[int, int]]
    declined_out_of_scope: tuple[int, int]
    wrongly_declined: tuple[int, int]
    top3: tuple[int, int]
    objective: float
    threshold: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, matcher: str, report: EvalReport, threshold: float | None) -> QualityRow:
        """Copy what the report says (hits and totals, so rates can be shown with counts)."""
        return cls(
            matcher=matcher,
            questions=report.total,
            top1={lang: report.top1.get(lang, (0, 0)) for lang in LANGUAGES},
            declined_out_of_scope=report.declined_out_of_scope,
            wrongly_declined=report.wrongly_declined,
            top3=report.top3,
            objective=objective(report),
            threshold=threshold,
        )


def run_quality() -> dict[str, list[QualityRow]]:
    """Ours and both baselines on dev (baseline thresholds tuned there) and on holdout2."""
    kb = load_knowledge_base()
    sets: dict[str, list[LabelledQuestion]] = {"dev": load_labelled_questions(DEV_SET)}
    if Path(HOLDOUT2).exists():
        sets["holdout2"] = load_labelled_questions(HOLDOUT2)
    progress("quality: building ours, BM25 and fuzzy")
    ours = build_responder(kb)
    baselines = {
        "bm25": BaselineResponder(Bm25Ranker(guide_documents(kb))),
        "fuzzy": BaselineResponder(FuzzyRanker(title_pairs(kb))),
    }
    for name, baseline in baselines.items():
        threshold = tune_threshold(baseline, sets["dev"])
        progress(f"quality: {name} decline threshold tuned on dev: {threshold:.3f}")
    results: dict[str, list[QualityRow]] = {}
    for set_name, questions in sets.items():
        progress(f"quality: scoring on {set_name} ({len(questions)} questions)")
        rows = [QualityRow.of("ours", score_with(ours, questions), None)]
        rows.extend(
            QualityRow.of(name, score_with(baseline, questions), baseline.threshold)
            for name, baseline in baselines.items()
        )
        results[set_name] = rows
    return results
