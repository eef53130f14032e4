"""The index and the ranker: a question in, every section scored, best first.

Method (chosen by measuring on the dev set and a held-out set, see README). Each section is
represented by its example questions and titles in all three languages, normalised to
simplified Chinese with synonyms folded. Terms are Chinese character unigrams and bigrams
and English word stems, weighted by IDF counted over sections (a term many sections share
weighs little). Two scores come out:

- `probability`: a multinomial naive Bayes posterior over the sections. It orders the
  sections; on our data it beats nearest-example similarity by several points of top-1.
- `similarity`: TF-IDF cosine, blending the closest example with the section's centroid.
  It says whether the question is about our topic at all: naive Bayes always picks some
  section, similarity stays low for "how do I cancel Netflix" (unknown words dilute it).

Out-of-scope examples form one more label, so "how do I cancel a China Unicom card" lands
there instead of on the nearest in-scope section.
"""

from __future__ import annotations

import heapq
import itertools
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from bot.kb import KnowledgeBase
from bot.normalize import normalize_text
from bot.synonyms import Synonyms

OUT_OF_SCOPE = "out-of-scope"
TermCounts = dict[str, float]
HAN_UNIGRAM_WEIGHT = 0.4


@dataclass(frozen=True)
class MatchSettings:
    """Knobs of the ranker (defaults tuned on the dev and held-out sets)."""

    nearest_weight: float = 0.4  # share of the closest example; the rest goes to the centroid
    unknown_term_weight: float = 1.0  # a word no example knows, as a share of the rarest term's IDF
    smoothing: float = 0.05  # naive Bayes additive smoothing
    similarity_candidates: int = 6  # how many of the most probable labels get a similarity score


# Particles and pronouns: bigrams across them ("销的", "亚的") are word-boundary noise.
_HAN_FUNCTION_CHARS = frozenset("的了吗呢啊吧呀么是我你他她它们在这那就都还也把被给和与或个些很太吧嘛哦哈")
_HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_ENGLISH_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "i",
        "me",
        "my",
        "we",
        "our",
        "you",
        "your",
        "it",
        "its",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "am",
        "do",
        "does",
        "did",
        "to",
        "of",
        "in",
        "on",
        "for",
        "at",
        "by",
        "with",
        "and",
        "or",
        "if",
        "so",
        "that",
        "this",
        "these",
        "those",
        "there",
        "here",
        "what",
        "which",
        "who",
        "how",
        "can",
        "could",
        "should",
        "would",
        "will",
        "shall",
        "may",
        "might",
        "must",
        "have",
        "has",
        "had",
        "just",
        "also",
        "about",
        "any",
        "some",
        "please",
        "pls",
        "hi",
        "hey",
        "ok",
        "okay",
        "really",
        "very",
        "then",
        "than",
        "from",
        "into",
        "as",
        "s",
    ]
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


def terms(normalized: str) -> TermCounts:
    """The weighted terms of a normalised text: Han unigrams and bigrams, English stems."""
    counts: TermCounts = defaultdict(float)
    for run in _HAN_RUN.findall(normalized):
        for ch in run:
            counts[ch] += HAN_UNIGRAM_WEIGHT
        for a, b in itertools.pairwise(run):
            if a not in _HAN_FUNCTION_CHARS and b not in _HAN_FUNCTION_CHARS:
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
    """A section id (or OUT_OF_SCOPE): its probability (orders the ranking) and similarity (0..1)."""

    id: str
    score: float
    similarity: float


class SectionIndex:
    """Example vectors and per-label term statistics, searchable through inverted indexes."""

    def __init__(
        self,
        documents: Mapping[str, Iterable[str]],
        synonyms: Synonyms = Synonyms(),
        settings: MatchSettings = MatchSettings(),
    ) -> None:
        self.synonyms = synonyms
        self.settings = settings
        self.labels: tuple[str, ...] = tuple(documents)
        self._order = {label: position for position, label in enumerate(self.labels)}
        labelled = [
            (label, self.terms_of(normalize_text(text)))
            for label, texts in documents.items()
            for text in texts
        ]
        labelled = [(label, counts) for label, counts in labelled if counts]
        label_terms: dict[str, set[str]] = defaultdict(set)
        for label, counts in labelled:
            label_terms[label].update(counts)
        document_frequency: Counter[str] = Counter(term for seen in label_terms.values() for term in seen)
        self._idf = {term: math.log(1 + len(self.labels) / df) for term, df in document_frequency.items()}
        # A question full of words no example uses (Netflix, visa ...) is probably about
        # something else: unknown words keep their weight in the query and dilute its score.
        self._unknown_idf = math.log(1 + len(self.labels)) * settings.unknown_term_weight
        self._build_similarity(labelled)
        self._build_bayes(labelled)

    def _build_similarity(self, labelled: list[tuple[str, TermCounts]]) -> None:
        # Postings are kept per term and per label, so that similarity is computed for the few
        # labels naive Bayes finds likely, at a cost that does not grow with the number of labels.
        self._example_count = 0
        self._postings: dict[str, dict[str, list[tuple[int, float]]]] = defaultdict(lambda: defaultdict(list))
        centroids: dict[str, SparseVector] = defaultdict(lambda: defaultdict(float))
        for label, counts in labelled:
            vector = self._weigh(counts)
            position = self._example_count
            self._example_count += 1
            for term, value in vector.items():
                self._postings[term][label].append((position, value))
                centroids[label][term] += value
        self._centroid_postings: dict[str, dict[str, float]] = defaultdict(dict)
        for label, centroid in centroids.items():
            for term, value in _unit(centroid).items():
                self._centroid_postings[term][label] = value

    def _build_bayes(self, labelled: list[tuple[str, TermCounts]]) -> None:
        # log P(term | label) = base[label] + lift[term][label]; only terms a label has seen
        # get a lift, so scoring a question touches postings, not every label for every term.
        weights: dict[str, TermCounts] = defaultdict(lambda: defaultdict(float))
        for label, counts in labelled:
            for term, count in counts.items():
                weights[label][term] += count * self._idf[term]
        alpha = self.settings.smoothing
        vocabulary = len(self._idf)
        # Labels by position in lists: list indexing is markedly faster than hashing label names
        # in the per-question loop, which dominates on large knowledge bases.
        self._bayes_base: list[float] = []
        self._bayes_lift: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for position, label in enumerate(self.labels):
            total = sum(weights[label].values()) + alpha * vocabulary
            self._bayes_base.append(math.log(alpha / total))
            for term, weight in weights[label].items():
                self._bayes_lift[term].append((position, math.log((weight + alpha) / alpha)))

    @property
    def size(self) -> int:
        """How many example vectors the index holds."""
        return self._example_count

    def terms_of(self, normalized: str) -> TermCounts:
        """The terms of a normalised text after synonyms are folded."""
        return terms(self.synonyms.canonicalize(normalized))

    def _weigh(self, counts: Mapping[str, float], unknown_idf: float = 0.0) -> SparseVector:
        return _unit(
            {
                term: (1 + math.log(count) if count >= 1 else count)
                * self._idf.get(term, _unknown(term, unknown_idf))
                for term, count in counts.items()
            }
        )

    def rank(
        self, normalized: str, limit: int | None = None, include: Iterable[str] = ()
    ) -> list[ScoredSection]:
        """Labels scored against a normalised question, most probable first.

        With `limit`, only the `limit` most probable labels come back, plus the out-of-scope
        label and any label in `include` (so a large knowledge base costs little per question).
        Similarity is computed for the most probable labels, out-of-scope and `include` only;
        other labels keep 0.0 (they are not offered, and never decide whether to decline).
        """
        counts = self.terms_of(normalized)
        scores, normaliser = self._log_likelihood(counts)
        candidates = self.settings.similarity_candidates
        positions = range(len(self.labels))
        likely = [self.labels[i] for i in heapq.nlargest(candidates, positions, key=scores.__getitem__)]
        extra = [label for label in (OUT_OF_SCOPE, *include) if label in self._order and label not in likely]
        similarity = self._similarity(counts, [*likely, *extra])
        if limit is None:
            shown: Iterable[str] = self.labels
        else:
            top = (
                likely
                if limit <= candidates
                else [self.labels[i] for i in heapq.nlargest(limit, positions, key=scores.__getitem__)]
            )
            shown = dict.fromkeys([*top[:limit], *extra])
        scored = [
            ScoredSection(
                label, math.exp(scores[self._order[label]] - normaliser), similarity.get(label, 0.0)
            )
            for label in shown
        ]
        scored.sort(key=lambda item: (-item.score, -item.similarity, self._order[item.id]))
        return scored

    def _similarity(self, counts: Mapping[str, float], labels: list[str]) -> dict[str, float]:
        query = self._weigh(counts, self._unknown_idf)
        share = self.settings.nearest_weight
        similarity: dict[str, float] = {}
        for label in labels:
            dots: dict[int, float] = defaultdict(float)
            central = 0.0
            for term, weight in query.items():
                for position, value in self._postings[term].get(label, ()) if term in self._postings else ():
                    dots[position] += weight * value
                central += (
                    weight * self._centroid_postings[term].get(label, 0.0)
                    if term in self._centroid_postings
                    else 0.0
                )
            similarity[label] = share * max(dots.values(), default=0.0) + (1 - share) * central
        return similarity

    def _log_likelihood(self, counts: Mapping[str, float]) -> tuple[list[float], float]:
        """Naive Bayes log-likelihood per label (by position), and the log of their sum."""
        known = {term: count for term, count in counts.items() if term in self._idf}
        if not known:  # nothing to go on: a flat distribution
            return [0.0] * len(self.labels), math.log(len(self.labels))
        mass = sum(known.values())
        scores = [mass * base for base in self._bayes_base]
        lifts = self._bayes_lift
        for term, count in known.items():
            for position, lift in lifts[term]:
                scores[position] += count * lift
        top = max(scores)
        # Labels more than e^30 less likely than the best add nothing measurable to the sum.
        floor = top - 30.0
        return scores, top + math.log(sum(math.exp(value - top) for value in scores if value > floor))


def _unknown(term: str, unknown_idf: float) -> float:
    # An unseen Chinese bigram is mostly a word boundary we cut through, not a new topic;
    # unseen characters and English words are real evidence of something else.
    is_han_bigram = len(term) == 2 and not term.startswith("~")
    return 0.0 if is_han_bigram else unknown_idf


def section_documents(kb: KnowledgeBase) -> dict[str, list[str]]:
    """What represents each label: a section's examples and titles; the out-of-scope examples."""
    documents: dict[str, list[str]] = {}
    for section in kb.sections:
        texts = [text for per_lang in kb.examples.get(section.id, {}).values() for text in per_lang]
        texts.extend(section.title.values())
        documents[section.id] = texts
    documents[OUT_OF_SCOPE] = [text for per_lang in kb.out_of_scope.values() for text in per_lang]
    return documents


def build_index(kb: KnowledgeBase, settings: MatchSettings = MatchSettings()) -> SectionIndex:
    """Index a knowledge base (see section_documents for what is indexed)."""
    return SectionIndex(section_documents(kb), kb.synonyms, settings)
