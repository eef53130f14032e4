"""Sweep the matcher's and the decision's settings over labelled sets; print the best few.

Usage: python -m bench.tune ../shared/eval/dev.yaml tests/data/holdout.yaml
           [--out-of-scope ../shared/eval/out-of-scope/banking77-train.txt ...]

Tune on several sets at once and prefer flat optima: the team measures on unseen questions.
Never tune on the sets kept for measuring (holdout2, holdout3, out-of-scope-extra). Lines of an
out-of-scope file that are in knowledge/negatives/ are skipped (evaluate_out_of_scope), so only
the half the matcher was not trained on counts.
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
from dataclasses import dataclass
from pathlib import Path

from bot.kb.base import KnowledgeBase, load_knowledge_base
from bot.understanding.answer import DecisionSettings, Responder, build_responder
from bot.understanding.evaluation import (
    EvalReport,
    LabelledQuestion,
    evaluate,
    evaluate_out_of_scope,
    load_labelled_questions,
)
from bot.understanding.match import MatchSettings, build_index

GRID_MATCH: dict[str, tuple[float, ...]] = {
    "smoothing": (0.02, 0.05, 0.1),
    "generic_spread": (0.7, 0.75, 0.8),
}
GRID_DECISION: dict[str, tuple[float, ...]] = {
    "min_coverage": (0.6, 0.7, 0.8),
    "max_negative_share": (0.4, 0.5, 0.6),
    "clarify_ratio": (0.4, 0.5, 0.6),
}
SHOW = 15


@dataclass(frozen=True)
class Score:
    """One combination's figures; `value` is what is maximised."""

    value: float
    mean_top1: float
    worst_top1: float
    declined: float  # out-of-scope questions of the labelled sets, declined
    no_section: float  # out-of-scope files: lines given no section
    wrongly_declined: float
    settings: dict[str, float]


def combinations(grid: dict[str, tuple[float, ...]]) -> list[dict[str, float]]:
    """Every combination of a grid's values."""
    return [dict(zip(grid, values, strict=True)) for values in itertools.product(*grid.values())]


def score(
    responder: Responder, questions: list[LabelledQuestion], files: list[Path], settings: dict[str, float]
) -> Score:
    """Mean top-1 + out-of-scope declined + no-section share of the files − 2 × wrongly declined."""
    report = evaluate(responder, questions)
    rates = [report.top1_rate(lang) for lang in report.top1]
    reports = [
        evaluate_out_of_scope(responder, p.name, p.read_text(encoding="utf-8").splitlines()) for p in files
    ]
    no_section = sum(EvalReport.rate(r.no_section) for r in reports) / len(reports) if reports else 1.0
    mean, declined = sum(rates) / len(rates), EvalReport.rate(report.declined_out_of_scope)
    wrongly = EvalReport.rate(report.wrongly_declined)
    return Score(
        mean + declined + no_section - 2 * wrongly, mean, min(rates), declined, no_section, wrongly, settings
    )


def sweep(kb: KnowledgeBase, questions: list[LabelledQuestion], files: list[Path]) -> list[Score]:
    """Every combination of both grids, best first."""
    base = build_responder(kb)
    scores = []
    for match in combinations(GRID_MATCH):
        index = build_index(kb, MatchSettings(**match))
        for decision in combinations(GRID_DECISION):
            responder = dataclasses.replace(base, index=index, settings=DecisionSettings(**decision))
            scores.append(score(responder, questions, files, match | decision))
    return sorted(scores, key=lambda found: -found.value)


def main() -> None:
    """Parse the sets, sweep, print the best combinations."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("sets", type=Path, nargs="+", help="labelled sets (YAML)")
    parser.add_argument("--out-of-scope", type=Path, action="append", default=[], metavar="FILE")
    args = parser.parse_args()
    questions = [q for path in args.sets for q in load_labelled_questions(path)]
    print("score  mean-top1 min-top1 declined no-section wrong  settings")
    for s in sweep(load_knowledge_base(), questions, args.out_of_scope)[:SHOW]:
        print(
            f"{s.value:.3f}  {s.mean_top1:.3f}     {s.worst_top1:.3f}    {s.declined:.3f}"
            f"    {s.no_section:.3f}      {s.wrongly_declined:.3f}  {s.settings}"
        )


if __name__ == "__main__":
    main()
