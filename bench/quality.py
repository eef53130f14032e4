"""Answer quality against the baselines, scored by bot.understanding.evaluation for everyone.

Labelled sets: dev (../shared/eval/dev.yaml) and every tests/data/holdout*.yaml. Each
baseline's decline threshold is tuned on dev itself (the set we also report on), which
flatters the baselines; the held-out sets are scored with the thresholds from dev.

Out-of-scope files: the share of lines given no section (declined, or answered as small talk).
The two shared files (../shared/eval/out-of-scope/) are half in knowledge/negatives/, which our
matcher is trained on: evaluate_out_of_scope skips those lines, and the baselines are scored on
the same remaining lines, so the columns compare. The files of out-of-scope-extra/ (when that
directory exists) were never trained or tuned on by anyone.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from bench.baselines import (
    BaselineResponder,
    Bm25Ranker,
    FuzzyRanker,
    as_responder,
    guide_documents,
    score_with,
    title_pairs,
    tune_threshold,
)
from bench.common import DEV_SET, EXTRA_OUT_OF_SCOPE_DIR, HOLDOUTS, OUT_OF_SCOPE_DIR, progress
from bench.results import LabelledSet, OutOfScopeFile, OutOfScopeKind, QualityResult, QualityRow
from bot.kb.base import KnowledgeBase, load_knowledge_base
from bot.understanding.answer import build_responder
from bot.understanding.evaluation import (
    EvalReport,
    LabelledQuestion,
    evaluate_out_of_scope,
    load_labelled_questions,
)

Matchers = Mapping[str, object]  # name → ours (a Responder) or a BaselineResponder
SHARED_FILES = ("banking77-train.txt", "crosswoz-val-users.txt")


def out_of_scope_kind(file_name: str) -> OutOfScopeKind:
    """What the right answer to a file's lines is (out-of-scope-extra/README.md names the kinds)."""
    if "-smalltalk-" in file_name:
        return "small talk"
    if "-chat-" in file_name:
        return "either"
    return "decline"


def build_matchers(kb: KnowledgeBase, dev: list[LabelledQuestion]) -> dict[str, object]:
    """Ours, and both baselines with their thresholds tuned on dev."""
    progress("quality: building ours, BM25 and fuzzy; tuning the baselines' thresholds on dev")
    baselines = {
        "bm25": BaselineResponder(kb, Bm25Ranker(guide_documents(kb))),
        "fuzzy": BaselineResponder(kb, FuzzyRanker(title_pairs(kb))),
    }
    for baseline in baselines.values():
        tune_threshold(baseline, dev)
    return {"ours": build_responder(kb), **baselines}


def quality_row(name: str, matcher: object, report: EvalReport) -> QualityRow:
    """The counts of one report."""
    return QualityRow(
        matcher=name,  # type: ignore[arg-type]  # one of MATCHERS
        threshold=matcher.threshold if isinstance(matcher, BaselineResponder) else None,
        top1=dict(report.top1),
        top3=report.top3,
        out_of_scope_declined=report.declined_out_of_scope,
        small_talk=report.small_talk,
        wrongly_declined=report.wrongly_declined,
    )


def score_set(name: str, note: str, questions: list[LabelledQuestion], matchers: Matchers) -> LabelledSet:
    """Every matcher on one labelled set."""
    progress(f"quality: {name} ({len(questions)} questions)")
    rows = [quality_row(key, matcher, score_with(matcher, questions)) for key, matcher in matchers.items()]
    return LabelledSet(name=name, questions=len(questions), note=note, rows=rows)


def score_file(path: Path, corpus: str, matchers: Matchers) -> OutOfScopeFile:
    """Every matcher on one out-of-scope file (the lines ours was trained on left out for all)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    reports = {
        key: evaluate_out_of_scope(as_responder(matcher), path.name, lines)
        for key, matcher in matchers.items()
    }
    ours = reports["ours"]
    return OutOfScopeFile(
        file=path.name,
        corpus=corpus,  # type: ignore[arg-type]  # "shared" or "extra"
        kind=out_of_scope_kind(path.name),
        lines=ours.no_section[1],
        skipped_trained=ours.skipped_trained,
        no_section={key: report.no_section for key, report in reports.items()},
        ours_small_talk=ours.small_talk,
    )


def labelled_sets() -> list[tuple[str, str, list[LabelledQuestion]]]:
    """(name, note, questions) of dev and every held-out set."""
    sets = [("dev", "baseline thresholds tuned here", load_labelled_questions(DEV_SET))]
    sets.extend(
        (f"tests/data/{path.name}", "baseline thresholds from dev", load_labelled_questions(path))
        for path in HOLDOUTS
    )
    return sets


def out_of_scope_files() -> list[tuple[Path, str]]:
    """(path, corpus) of the shared out-of-scope files and, when present, the extra ones."""
    files = [
        (OUT_OF_SCOPE_DIR / name, "shared") for name in SHARED_FILES if (OUT_OF_SCOPE_DIR / name).is_file()
    ]
    if EXTRA_OUT_OF_SCOPE_DIR.is_dir():
        files.extend((path, "extra") for path in sorted(EXTRA_OUT_OF_SCOPE_DIR.glob("*.txt")))
    return files


def run_quality() -> QualityResult:
    """Ours and both baselines on every labelled set and every out-of-scope file."""
    kb = load_knowledge_base()
    sets = labelled_sets()
    matchers = build_matchers(kb, sets[0][2])
    labelled = [score_set(name, note, questions, matchers) for name, note, questions in sets]
    files = out_of_scope_files()
    progress(f"quality: {len(files)} out-of-scope files")
    return QualityResult(
        thresholds={
            key: matcher.threshold
            for key, matcher in matchers.items()
            if isinstance(matcher, BaselineResponder)
        },
        labelled=labelled,
        out_of_scope=[score_file(path, corpus, matchers) for path, corpus in files],
    )
