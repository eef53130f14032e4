"""The index and the ranker: a question in, every section scored, best first.

Method (chosen on the dev set and a held-out set, see README): each section is represented
by its example questions and titles in all three languages, normalised to simplified
Chinese. A question and every example become TF-IDF vectors over Chinese character
unigrams and bigrams and English word stems; IDF is counted over sections, not examples,
so a term shared by many sections weighs little. A section's score blends its single
closest example (people ask the same few things) with its centroid (robust to new wording).
Out-of-scope examples form one more label, so "how do I cancel a China Unicom card" lands
there instead of on the nearest in-scope section.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from bot.kb import KnowledgeBase
from bot.normalize import normalize_text

OUT_OF_SCOPE = "out-of-scope"
NEAREST_WEIGHT = 0.6  # the rest goes to the centroid
HAN_UNIGRAM_WEIGHT = 0.4

_HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_ENGLISH_STOPWORDS = frozenset(
    "a an the i me my we our you your it its is are was were be been am do does did to of in on "
    "for at by with and or if so that this these those there here what which who how can could "
    "should would will shall may might must have has had just also about any some please pls "
    "hi hey ok okay really very then than from into as s".split()
)
_SUFFIXES = ("ations", "ation", "ings", "ing", "ies", "ied", "ed", "es", "ly", "s")


def stem(word: str) -> str:
    """A light English stem: enough to join cancel/cancelled/cancelling, store/stores."""
    if word.endswith("'s"):
        word = word[:-2]
    word = word.replace("'", "")
    for suffix in _SUFFIXES:
        if len(word) > len(suffix) + 2 and word.endswith(suffix):
            word = word[: -len(suffix)]
            break
    if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "aeiou":
        word = word[:-1]  # cancell → cancel, stopp → stop
    return word


def terms(normalized: str) -> Counter[str]:
    """The weighted terms of a normalised text: Han unigrams and bigrams, English stems."""
    counts: Counter[str] = Counter()
    for run in _HAN_RUN.findall(normalized):
        for ch in run:
            counts[ch] += HAN_UNIGRAM_WEIGHT
        for a, b in zip(run, run[1:], strict=False):
            counts[a + b] += 1.0
    for word in _WORD.findall(normalized):
        if word not in _ENGLISH_STOPWORDS:
            counts["~" + stem(word)] += 1.0
    return counts


SparseVector = dict[str, float]


def _unit(vector: SparseVector) -> SparseVector:
    norm = math.sqrt(sum(value * value for value in vector.values()))
    return {term: value / norm for term, value in vector.items()} if norm else {}


@dataclass(frozen=True)
class ScoredSection:
    """A section id (or OUT_OF_SCOPE) with its similarity to the question, 0..1."""

    id: str
    score: float


class SectionIndex:
    """TF-IDF vectors of every example, grouped by label, searchable through an inverted index."""

    def __init__(self, documents: Mapping[str, Iterable[str]]) -> None:
        labelled = [(label, terms(normalize_text(text))) for label, texts in documents.items() for text in texts]
        labelled = [(label, counts) for label, counts in labelled if counts]
        labels = list(documents)
        label_terms: dict[str, set[str]] = defaultdict(set)
        for label, counts in labelled:
            label_terms[label].update(counts)
        document_frequency: Counter[str] = Counter(term for seen in label_terms.values() for term in seen)
        self._idf = {term: math.log(1 + len(labels) / df) for term, df in document_frequency.items()}
        self.labels: tuple[str, ...] = tuple(labels)
        self._document_labels: list[str] = []
        self._postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        centroids: dict[str, SparseVector] = defaultdict(lambda: defaultdict(float))
        for label, counts in labelled:
            vector = self._weigh(counts)
            position = len(self._document_labels)
            self._document_labels.append(label)
            for term, value in vector.items():
                self._postings[term].append((position, value))
                centroids[label][term] += value
        self._centroid_postings: dict[str, list[tuple[str, float]]] = defaultdict(list)
        for label, centroid in centroids.items():
            for term, value in _unit(centroid).items():
                self._centroid_postings[term].append((label, value))

    @property
    def size(self) -> int:
        """How many example vectors the index holds."""
        return len(self._document_labels)

    def _weigh(self, counts: Mapping[str, float]) -> SparseVector:
        return _unit({term: (1 + math.log(count) if count >= 1 else count) * self._idf.get(term, 0.0) for term, count in counts.items()})

    def rank(self, normalized: str) -> list[ScoredSection]:
        """Every label scored against a normalised question, best first (ties by label order)."""
        query = self._weigh(terms(normalized))
        nearest: dict[str, float] = {}
        if query:
            dots: dict[int, float] = defaultdict(float)
            for term, weight in query.items():
                for position, value in self._postings.get(term, ()):
                    dots[position] += weight * value
            for position, dot in dots.items():
                label = self._document_labels[position]
                if dot > nearest.get(label, 0.0):
                    nearest[label] = dot
        central: dict[str, float] = defaultdict(float)
        for term, weight in query.items():
            for label, value in self._centroid_postings.get(term, ()):
                central[label] += weight * value
        order = {label: position for position, label in enumerate(self.labels)}
        scored = [
            ScoredSection(label, NEAREST_WEIGHT * nearest.get(label, 0.0) + (1 - NEAREST_WEIGHT) * central.get(label, 0.0))
            for label in self.labels
        ]
        scored.sort(key=lambda item: (-item.score, order[item.id]))
        return scored


def build_index(kb: KnowledgeBase) -> SectionIndex:
    """Index a knowledge base: each section's examples and titles, plus the out-of-scope examples."""
    documents: dict[str, list[str]] = {}
    for section in kb.sections:
        texts = [text for per_lang in kb.examples.get(section.id, {}).values() for text in per_lang]
        texts.extend(section.title.values())
        documents[section.id] = texts
    documents[OUT_OF_SCOPE] = [text for per_lang in kb.out_of_scope.values() for text in per_lang]
    return SectionIndex(documents)
