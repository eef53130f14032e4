"""The index and the ranker: a question in, every label scored, plus how on-topic it reads.

Method (chosen by measurement; README "How it answers" has the figures):

- Terms: Chinese character unigrams and bigrams and English word stems, synonyms folded, an
  English typo one edit away from a word of our topic read as that word ("cancle").
- Labels: every section, and one label per source of text the bot must decline (the
  hand-written out-of-scope examples; real questions written for banking and hotel
  assistants, in knowledge/negatives/). A question is ranked by multinomial naive Bayes over
  all of them, each label's counts scaled to the same total, so that a label with thousands of
  questions does not win merely for having seen more words.
- Coverage: the share of a question's terms that our topic's own texts (examples, titles,
  answers) use. Questions about cooking or the weather are mostly made of words we never use;
  a rule that knows only the banking and hotel negatives would not see that, coverage does.
- Topic terms: terms that are frequent in our examples and rare in every negative source
  (SIM, 保号卡, 运营商, Vodafone …). One of them vouches for a question whose coverage is low
  because of a name or detail we could not know ("my vodafone sim from the kiosk in Durrës").
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
from bot.patterns import HAN_RUN
from bot.synonyms import Synonyms

TermCounts = dict[str, float]
NEGATIVE_PREFIX = "oos:"
EXAMPLES_NEGATIVE_LABEL = NEGATIVE_PREFIX + "examples"  # the hand-written out-of-scope examples
HAN_UNIGRAM_WEIGHT = 0.4


def is_negative(label: str) -> bool:
    """Whether a label stands for text the bot must decline (not a section)."""
    return label.startswith(NEGATIVE_PREFIX)


@dataclass(frozen=True)
class MatchSettings:
    """Knobs of the ranker (defaults tuned with bench/tune.py on the dev and held-out sets)."""

    smoothing: float = 0.05  # naive Bayes additive smoothing, on label counts scaled to one size
    idf: bool = True
    equalize: str = "negatives"
    weighted_coverage: bool = True
    curated_topic: bool = True
    generic_spread: float = 0.75  # a term this evenly spread over the sections names none of them
    topic_min_examples: int = 3  # a topic term appears in at least this many of our examples …
    topic_min_ratio: float = 25.0  # … and this many times more often (per text) than in any negative source


# Particles and pronouns: bigrams across them ("销的", "亚的") are word-boundary noise.
_HAN_FUNCTION_CHARS = frozenset(
    "的了吗呢啊吧呀么是我你他她它们在这那就都还也把被给和与或个些很太吧嘛哦哈怎什啥"
)
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
        "im",
        "i'm",
        "i've",
        "i'd",
        "i'll",
        "get",
        "got",
        "want",
        "need",
        "know",
        "tell",
    ]
)
_SUFFIXES = ("ations", "ation", "ings", "ing", "ies", "ied", "ed", "es", "ly", "s")
_MIN_TYPO_LENGTH = 5  # shorter words have too many neighbours one edit away


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


def english_words(normalized: str) -> list[str]:
    """The content words of a normalised text (stop words and bare numbers left out)."""
    return [w for w in _WORD.findall(normalized) if w not in _ENGLISH_STOPWORDS and not w.isdigit()]


def terms(normalized: str) -> TermCounts:
    """The weighted terms of a normalised text: Han unigrams and bigrams, English stems."""
    counts: TermCounts = defaultdict(float)
    for run in HAN_RUN.findall(normalized):
        for ch in run:
            counts[ch] += HAN_UNIGRAM_WEIGHT
        for a, b in itertools.pairwise(run):
            if a not in _HAN_FUNCTION_CHARS and b not in _HAN_FUNCTION_CHARS:
                counts[a + b] += 1.0
    for word in english_words(normalized):
        counts["~" + stem(word)] += 1.0
    return counts


@dataclass(frozen=True)
class ScoredLabel:
    """A label (section id or negative source) and its naive Bayes probability."""

    id: str
    score: float


@dataclass(frozen=True)
class Ranking:
    """A question's labels, most probable first, and how on-topic its words are."""

    labels: tuple[ScoredLabel, ...]
    coverage: float  # share of the question's terms our topic's texts use (1.0 when it has none)
    topic_terms: tuple[str, ...]  # the strongly on-topic terms it contains
    generic: bool  # every word it has is one all sections use alike ("cancel", "SIM", "注销")
    evidence: bool  # whether any of its terms is known at all (an emoji or gibberish has none)

    @property
    def sections(self) -> tuple[ScoredLabel, ...]:
        """The section labels only, most probable first."""
        return tuple(label for label in self.labels if not is_negative(label.id))

    @property
    def best(self) -> ScoredLabel:
        """The most probable label (a section or a negative source)."""
        return self.labels[0]


class SectionIndex:
    """Per-label term statistics for naive Bayes, our topic's vocabulary and its topic terms."""

    def __init__(
        self,
        documents: Mapping[str, Iterable[str]],
        topic_texts: Iterable[str] = (),
        synonyms: Synonyms = Synonyms(),
        settings: MatchSettings = MatchSettings(),
    ) -> None:
        self.synonyms = synonyms
        self.settings = settings
        self.labels: tuple[str, ...] = tuple(documents)
        self.section_labels = tuple(label for label in self.labels if not is_negative(label))
        normalized = {label: [normalize_text(text) for text in texts] for label, texts in documents.items()}
        topic = [normalize_text(text) for text in topic_texts]
        words = {
            label: {word for text in texts for word in _WORD.findall(text)}
            for label, texts in normalized.items()
        }
        self._typos = TypoCorrector(
            topic_words=itertools.chain(
                *(words[label] for label in self.section_labels),
                *(_WORD.findall(text) for text in topic),
            ),
            known_words=itertools.chain(*words.values(), *(_WORD.findall(text) for text in topic)),
        )
        labelled = [
            (label, counts)
            for label, texts in normalized.items()
            for counts in (self._terms(text) for text in texts)
            if counts
        ]
        self._build_vocabulary(labelled, topic)
        self._build_bayes(labelled)

    # --- building ----------------------------------------------------------------------------

    def _build_vocabulary(self, labelled: list[tuple[str, TermCounts]], topic: list[str]) -> None:
        in_scope: Counter[str] = Counter()
        examples = 0
        negative: dict[str, Counter[str]] = defaultdict(Counter)
        negative_texts: Counter[str] = Counter()
        for label, counts in labelled:
            if label == EXAMPLES_NEGATIVE_LABEL:
                continue  # written to share our words ("top up my albanian sim"): no measure of them
            if is_negative(label):
                negative[label].update(counts.keys())
                negative_texts[label] += 1
            else:
                in_scope.update(counts.keys())
                examples += 1
        self._vocabulary = frozenset(in_scope) | frozenset(
            term for text in topic for term in self._terms(text)
        )
        # How much a term says, for coverage: rare terms say more ("pizza"), common ones little
        # ("long", "take"); a term no text has ever used says the most.
        document_frequency = Counter(term for _, counts in labelled for term in counts)
        documents = len(labelled) + 1
        self._unknown_weight = math.log(documents)
        self._informativeness = {
            term: math.log(documents / (frequency + 1)) for term, frequency in document_frequency.items()
        }
        settings = self.settings

        def rate_elsewhere(term: str) -> float:
            return max(
                ((negative[label][term] + 1) / (negative_texts[label] + 1) for label in negative_texts),
                default=0.0,
            )

        self._topic_terms = frozenset(
            term
            for term, count in in_scope.items()
            if count >= settings.topic_min_examples
            and (len(term) > 1)  # a single Han character is too ambiguous to vouch for anything
            and count / max(examples, 1) >= settings.topic_min_ratio * rate_elsewhere(term)
        )

    def _build_bayes(self, labelled: list[tuple[str, TermCounts]]) -> None:
        # Terms are weighted by IDF over labels (a term every label uses says little). A negative
        # source's counts are scaled to the size of a typical section, so a source with thousands
        # of questions has no more say per word than a section with forty examples.
        label_terms: dict[str, set[str]] = defaultdict(set)
        for label, counts in labelled:
            label_terms[label].update(counts)
        document_frequency = Counter(term for seen in label_terms.values() for term in seen)
        idf = {term: math.log(1 + len(self.labels) / df) for term, df in document_frequency.items()}
        if not self.settings.idf:
            idf = dict.fromkeys(idf, 1.0)
        weights: dict[str, TermCounts] = defaultdict(lambda: defaultdict(float))
        for label, counts in labelled:
            for term, count in counts.items():
                weights[label][term] += count * idf[term]
        self._known = frozenset(idf)
        alpha = self.settings.smoothing
        vocabulary = len(idf)
        totals = {label: sum(weights[label].values()) for label in self.labels}
        section_totals = sorted(totals[label] for label in self.section_labels) or [1.0]
        typical = section_totals[len(section_totals) // 2]
        scale = {
            label: typical / totals[label]
            if totals[label]
            and (
                self.settings.equalize == "all"
                or (self.settings.equalize == "negatives" and is_negative(label))
            )
            else 1.0
            for label in self.labels
        }
        # log P(term | label) = base[label] + lift[term][label]; only terms a label has seen get
        # a lift, so scoring a question touches its terms' postings, not every label.
        self._base = [
            math.log(alpha / (totals[label] * scale[label] + alpha * vocabulary)) for label in self.labels
        ]
        self._lift: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for position, label in enumerate(self.labels):
            for term, weight in weights[label].items():
                self._lift[term].append((position, math.log((weight * scale[label] + alpha) / alpha)))
        self._generic_terms = frozenset(
            term
            for term in idf
            if len(term) > 1 and _spread(weights, self.section_labels, term) >= self.settings.generic_spread
        )

    # --- querying ----------------------------------------------------------------------------

    def _terms(self, normalized: str) -> TermCounts:
        text = _WORD.sub(lambda found: self._typos.correct(found.group(0)), normalized)
        return terms(self.synonyms.canonicalize(text))

    def rank(self, normalized: str, limit: int | None = None) -> Ranking:
        """Labels scored for a normalised question, most probable first (the top `limit`)."""
        counts = self._terms(normalized)
        known = {term: count for term, count in counts.items() if term in self._known}
        mass = sum(known.values())
        scores = [mass * base for base in self._base]
        for term, count in known.items():
            for position, lift in self._lift[term]:
                scores[position] += count * lift
        top = max(scores)
        normaliser = top + math.log(sum(math.exp(value - top) for value in scores))
        positions = range(len(self.labels))
        order = (
            sorted(positions, key=lambda i: (-scores[i], i))
            if limit is None
            else heapq.nsmallest(limit, positions, key=lambda i: (-scores[i], i))
        )
        return Ranking(
            labels=tuple(ScoredLabel(self.labels[i], math.exp(scores[i] - normaliser)) for i in order),
            coverage=self._coverage(counts),
            topic_terms=self.synonyms.topic_words(normalized)
            if self.settings.curated_topic
            else tuple(term for term in counts if term in self._topic_terms),
            generic=self._is_generic(known),
            evidence=bool(known),
        )

    def _is_generic(self, known: Mapping[str, float]) -> bool:
        words = [term for term in known if len(term) > 1]
        return bool(words) and all(term in self._generic_terms for term in words)

    def _coverage(self, counts: Mapping[str, float]) -> float:
        # Each term counts once: a Han character, a Han bigram or an English word. Bigrams matter
        # most in Chinese (景点, 酒店 are made of characters our texts happen to use elsewhere).
        content = [term for term in counts if not term[1:].isdigit()]
        if not content:
            return 1.0
        if not self.settings.weighted_coverage:
            return sum(term in self._vocabulary for term in content) / len(content)
        weights = {
            term: self._informativeness.get(term, self._unknown_weight)
            * (HAN_UNIGRAM_WEIGHT if len(term) == 1 else 1.0)
            for term in content
        }
        total = sum(weights.values())
        return (
            sum(weight for term, weight in weights.items() if term in self._vocabulary) / total
            if total
            else 1.0
        )


def _spread(weights: Mapping[str, Mapping[str, float]], sections: Iterable[str], term: str) -> float:
    """How evenly a term is used across the sections: normalised entropy, 0 (one) to 1 (all alike)."""
    shares = [weights[label].get(term, 0.0) / (sum(weights[label].values()) or 1.0) for label in sections]
    total = sum(shares)
    if total <= 0 or len(shares) < 2:
        return 0.0
    entropy = -sum(share / total * math.log(share / total) for share in shares if share > 0)
    return entropy / math.log(len(shares))


class TypoCorrector:
    """Reads an unknown English word as the topic word one edit away ("cancle" → "cancel").

    Symmetric deletion: a misspelling and a word match when deleting at most one letter from
    each gives the same string (a deletion, an insertion, a substitution or a swap). A word any
    text of the index uses is never corrected, and neither is one with two candidates.
    """

    def __init__(self, topic_words: Iterable[str], known_words: Iterable[str]) -> None:
        self._known = frozenset(known_words)
        self._by_deletion: dict[str, set[str]] = defaultdict(set)
        for word in {word for word in topic_words if len(word) >= _MIN_TYPO_LENGTH}:
            for variant in _deletions(word):
                self._by_deletion[variant].add(word)

    def correct(self, word: str) -> str:
        """The topic word `word` is a misspelling of, or `word` itself."""
        if len(word) < _MIN_TYPO_LENGTH or word in self._known:
            return word
        matches: set[str] = set()
        for variant in _deletions(word):
            matches |= self._by_deletion.get(variant, set())
        return next(iter(matches)) if len(matches) == 1 else word


def _deletions(word: str) -> set[str]:
    return {word, *(word[:index] + word[index + 1 :] for index in range(len(word)))}


def section_documents(kb: KnowledgeBase) -> dict[str, list[str]]:
    """What represents each label: a section's examples and titles; each source of negatives."""
    documents: dict[str, list[str]] = {}
    for section in kb.sections:
        texts = [text for per_lang in kb.examples.get(section.id, {}).values() for text in per_lang]
        texts.extend(section.title.values())
        documents[section.id] = texts
    documents[EXAMPLES_NEGATIVE_LABEL] = [text for per_lang in kb.out_of_scope.values() for text in per_lang]
    for name, negatives in kb.negatives.items():
        documents[NEGATIVE_PREFIX + name] = list(negatives)
    return documents


def topic_texts(kb: KnowledgeBase) -> list[str]:
    """Our topic's own wording beyond the examples: every section's title and answer."""
    return [text for section in kb.sections for text in (*section.title.values(), *section.answer.values())]


def build_index(kb: KnowledgeBase, settings: MatchSettings = MatchSettings()) -> SectionIndex:
    """Index a knowledge base (see section_documents and topic_texts for what is indexed)."""
    return SectionIndex(section_documents(kb), topic_texts(kb), kb.synonyms, settings)
