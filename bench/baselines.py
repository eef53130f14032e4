"""The obvious alternatives to our matcher, wrapped to decide exactly like a Responder.

Why adapters: quality must be scored by the same code for everyone (bot.understanding.evaluation.evaluate and
evaluate_out_of_scope), so each baseline answers `understand(text) -> Outcome` as a Responder
does: its best section (Answered), or Declined when its score is under a threshold tuned for it
on a labelled set. It never answers small talk: it has no notion of it. It carries the same
knowledge base as ours, so evaluate_out_of_scope skips the same trained-on lines for everyone.

- BM25 (bm25s): one document per section, its title and answer text in the three languages —
  what one gets by indexing the guide. Chinese is segmented with jieba; English and Chinese
  stopwords are dropped (bm25s' lists), everything is lower-cased.
- Fuzzy (rapidfuzz): token_set_ratio of the question against every section title (three
  languages each); the best title's section wins.
"""

from __future__ import annotations

import itertools
import logging
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol, cast

import bm25s  # type: ignore[import-untyped]
import jieba  # type: ignore[import-untyped]
import numpy as np
from bm25s.stopwords import STOPWORDS_CHINESE, STOPWORDS_EN  # type: ignore[import-untyped]
from rapidfuzz import fuzz, process, utils

from bot.kb.base import KnowledgeBase
from bot.understanding.answer import Place, Responder
from bot.understanding.evaluation import EvalReport, LabelledQuestion, evaluate
from bot.understanding.outcomes import Answered, Candidate, Declined, DeclineReason

jieba.setLogLevel(logging.WARNING)
_STOPWORDS = frozenset(STOPWORDS_EN) | frozenset(STOPWORDS_CHINESE)
_HAS_WORD = re.compile(r"\w")
_MENTION = re.compile(r"@\w+")


def segment(text: str) -> list[str]:
    """jieba tokens of a text, lower-cased, without punctuation, spaces and stopwords."""
    return [
        token
        for token in jieba.lcut(text.lower())
        if _HAS_WORD.search(token) and token.strip() not in _STOPWORDS
    ]


class Ranker(Protocol):
    """A baseline's core: the best section for a question, with a score to threshold."""

    def best(self, text: str) -> tuple[tuple[str, ...], float]:
        """Up to three best section ids (best first) and the best score."""
        ...


class Bm25Ranker:
    """BM25 over one document per section (any id → texts mapping, so it scales to 100×)."""

    def __init__(self, documents: Mapping[str, Sequence[str]]) -> None:
        self.ids = list(documents)
        corpus = [segment(" ".join(texts)) for texts in documents.values()]
        self.retriever = bm25s.BM25()
        self.retriever.index(corpus, show_progress=False)

    def scores(self, text: str) -> np.ndarray:
        """BM25 score of every section; zeros when no query word is in the vocabulary."""
        ids = self.retriever.get_tokens_ids(segment(text))
        if not ids:
            return np.zeros(len(self.ids), dtype=np.float32)
        return cast(np.ndarray, self.retriever.get_scores(ids))

    def best(self, text: str) -> tuple[tuple[str, ...], float]:
        """The three highest-scoring sections and the top score."""
        scores = self.scores(text)
        top = np.argpartition(-scores, 2)[:3] if len(scores) > 3 else np.arange(len(scores))
        top = top[np.argsort(-scores[top], kind="stable")]
        return tuple(self.ids[i] for i in top), float(scores[top[0]])


class FuzzyRanker:
    """rapidfuzz token_set_ratio against the section titles (all three languages)."""

    def __init__(self, titles: Iterable[tuple[str, str]]) -> None:
        pairs = list(titles)
        self.choices = [title for _, title in pairs]
        self.owners = [section_id for section_id, _ in pairs]

    def best(self, text: str) -> tuple[tuple[str, ...], float]:
        """The sections of the three closest titles (distinct) and the best ratio (0..100)."""
        found = process.extract(
            text, self.choices, scorer=fuzz.token_set_ratio, processor=utils.default_process, limit=9
        )
        ids: list[str] = []
        for _, _, position in found:
            if self.owners[position] not in ids:
                ids.append(self.owners[position])
        best_score = float(found[0][1]) if found else 0.0
        return tuple(ids[:3]), best_score


def guide_documents(kb: KnowledgeBase) -> dict[str, list[str]]:
    """Per section: its title and answer in every language (what indexing the guide gives)."""
    return {section.id: [*section.title.values(), *section.answer.values()] for section in kb.sections}


def title_pairs(kb: KnowledgeBase) -> list[tuple[str, str]]:
    """(section id, title) for every section and language."""
    return [(section.id, title) for section in kb.sections for title in section.title.values()]


@dataclass
class BaselineResponder:
    """A ranker plus a decline threshold, answering in the shape bot.understanding.evaluation scores.

    Rankings are cached per text: tuning tries many thresholds on the same questions.
    """

    kb: KnowledgeBase
    ranker: Ranker
    threshold: float = 0.0

    def __post_init__(self) -> None:
        self._cache: dict[str, tuple[tuple[str, ...], float]] = {}

    def ranked(self, text: str) -> tuple[tuple[str, ...], float]:
        """The ranker's answer for `text`, computed once.

        "@SimHelpBot" in group questions is removed first, as our normalisation does: the
        baselines should not lose points to the bot's own name.
        """
        if text not in self._cache:
            self._cache[text] = self.ranker.best(_MENTION.sub(" ", text))
        return self._cache[text]

    def understand(self, text: str, place: Place = Place()) -> Answered | Declined:
        """The best section, or a decline when its score is under the threshold (`place` unused)."""
        ids, score = self.ranked(text)
        candidates = tuple(Candidate(section_id, score) for section_id in ids)
        if not ids or score < self.threshold:
            return Declined(DeclineReason.OFF_TOPIC, candidates=candidates)
        return Answered(ids[0], candidates=candidates)


def objective(report: EvalReport) -> float:
    """What tuning maximises (as bench/tune.py): mean top-1 + out-of-scope declined − 2 × wrongly declined."""
    mean = sum(report.top1_rate(lang) for lang in report.top1) / max(len(report.top1), 1)
    return mean + EvalReport.rate(report.declined_out_of_scope) - 2 * EvalReport.rate(report.wrongly_declined)


def as_responder(responder: object) -> Responder:
    """A baseline where the evaluation wants a Responder: it only calls understand() and reads kb."""
    return cast(Responder, responder)


def score_with(responder: object, questions: list[LabelledQuestion]) -> EvalReport:
    """bot.understanding.evaluation.evaluate on ours or a baseline."""
    return evaluate(as_responder(responder), questions)


def tune_threshold(
    baseline: BaselineResponder,
    questions: list[LabelledQuestion],
    score: Callable[[EvalReport], float] = objective,
) -> float:
    """Set and return the decline threshold that maximises `score` on `questions`.

    Candidates: no threshold, every midpoint between consecutive observed best scores, and
    just above the highest (decline all). Ties go to the lowest threshold (fewest declines).
    """
    observed = sorted({baseline.ranked(question.q)[1] for question in questions})
    candidates = [0.0, *((a + b) / 2 for a, b in itertools.pairwise(observed))]
    candidates.append(observed[-1] + 1.0 if observed else 1.0)
    best_threshold, best_value = 0.0, float("-inf")
    for threshold in candidates:
        baseline.threshold = threshold
        value = score(score_with(baseline, questions))
        if value > best_value + 1e-12:
            best_threshold, best_value = threshold, value
    baseline.threshold = best_threshold
    return best_threshold
