"""Sweep the matcher's and the decision's settings over labelled sets; print the best few.

Usage: python bench/tune.py ../shared/eval/dev.yaml tests/data/holdout.yaml
Tune on several sets at once and prefer flat optima: the team measures on unseen questions.
"""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

from bot.answer import DecisionSettings, Responder
from bot.evaluation import EvalReport, evaluate, load_labelled_questions
from bot.kb import load_knowledge_base
from bot.match import MatchSettings, build_index

GRID_MATCH: dict[str, tuple[float, ...]] = {
    "nearest_weight": (0.4, 0.6),
    "unknown_term_weight": (0.5, 1.0),
    "smoothing": (0.02, 0.05, 0.2),
}
GRID_DECISION = {"decline_below": (0.14, 0.17, 0.2, 0.23), "clarify_ratio": (0.3, 0.5, 0.7)}


def combinations(grid: dict[str, tuple[float, ...]]) -> list[dict[str, float]]:
    return [dict(zip(grid, values, strict=True)) for values in itertools.product(*grid.values())]


def main(paths: list[str]) -> None:
    kb = load_knowledge_base()
    questions = [q for p in paths for q in load_labelled_questions(Path(p))]
    results = []
    for match in combinations(GRID_MATCH):
        index = build_index(kb, MatchSettings(**match))  # type: ignore[arg-type]  # floats only
        for decision in combinations(GRID_DECISION):
            report = evaluate(Responder(kb, index, DecisionSettings(**decision)), questions)
            mean = sum(report.top1_rate(lang) for lang in report.top1) / len(report.top1)
            worst = min(report.top1_rate(lang) for lang in report.top1)
            ood = EvalReport.rate(report.declined_out_of_scope)
            wrong = EvalReport.rate(report.wrongly_declined)
            results.append((mean + ood - 2 * wrong, mean, worst, ood, wrong, match | decision))
    results.sort(key=lambda row: -row[0])
    print("score  mean-top1 min-top1 ood   wrong  settings")
    for score, mean, worst, ood, wrong, settings in results[:15]:
        print(f"{score:.3f}  {mean:.3f}     {worst:.3f}    {ood:.3f} {wrong:.3f}  {settings}")


if __name__ == "__main__":
    main(sys.argv[1:])
