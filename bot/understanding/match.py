"""The index and the ranker: a question in, every label scored, plus how on-topic it reads.

Method (chosen by measurement; README "How it answers" has the figures):

- Terms (bot/understanding/terms.py): Chinese characters and bigrams, English stems, synonyms folded.
- Labels: every section, and one label per source of text the bot must decline (the
  hand-written out-of-scope examples; real questions written for banking and hotel
  assistants, in knowledge/negatives/). Multinomial naive Bayes over all of them, terms
  weighted by IDF, every label's counts scaled to the same total: a source with thousands of
  questions has no more say per word than a section with forty examples.
- Coverage: the share of a question's terms, weighted by how rare each is, that our topic's
  own texts (examples, titles, answers) use. Questions about cooking or the weather are
  mostly made of words we never use; a rule that only knows the banking and hotel negatives
  would not see that, coverage does.
- Topic words (synonyms.yaml `topic:`): SIM, 保号卡, Vodafone … vouch for a question whose
  other words we could not know ("my vodafone sim from the kiosk in Durrës").
- Generic questions: when every word of a question is one the sections share alike
  ("how do I cancel my SIM"), no section is more likely than the overview of them all.
- Exact examples: a question written exactly like an example gets that example's label.
"""

from __future__ import annotations

import functools
import heapq
import itertools
import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.kb.base import KnowledgeBase
from bot.storage.cache_files import packed, unpacked_doubles, unpacked_integers
from bot.text.normalize import normalize_text
from bot.text.patterns import HAN_CLASS
from bot.text.small_talk import SmallTalkKind
from bot.understanding.exact import ExactExamples
from bot.understanding.neighbours import ExampleNeighbours, NeighboursBuilder
from bot.understanding.synonyms import Synonyms
from bot.understanding.terms import HAN_UNIGRAM_WEIGHT, TermCounts, TypoCorrector, correct_words, terms, words
from bot.understanding.topic_model import TopicModel, train_topic_model

NEGATIVE_PREFIX = "oos:"
EXAMPLES_NEGATIVE_LABEL = NEGATIVE_PREFIX + "examples"  # the hand-written out-of-scope examples


SMALL_TALK_PREFIX = "talk:"
_KEY_WORDS = re.compile(r"\w+")
_HAN = re.compile(f"[{HAN_CLASS}]")


def is_negative(label: str) -> bool:
    """Whether a label stands for text the bot must decline."""
    return label.startswith(NEGATIVE_PREFIX)


def is_section(label: str) -> bool:
    """Whether a label is a section of the guide (not text to decline, not small talk)."""
    return not label.startswith((NEGATIVE_PREFIX, SMALL_TALK_PREFIX))


def small_talk_kind(label: str) -> SmallTalkKind | None:
    """The kind of small talk a label stands for ("talk:identity"), else None."""
    if not label.startswith(SMALL_TALK_PREFIX):
        return None
    kind = label.removeprefix(SMALL_TALK_PREFIX)
    return next((known for known in SmallTalkKind if known.value == kind), None)


@dataclass(frozen=True)
class MatchSettings:
    """Knobs of the ranker (defaults tuned with bench/tune.py on the labelled sets and negatives)."""

    smoothing: float = 0.05  # naive Bayes additive smoothing, on label counts scaled to one size
    generic_spread: float = 0.75  # a term this evenly spread over the sections names none of them


@dataclass(frozen=True)
class ScoredLabel:
    """A label (section id or negative source) and its naive Bayes probability."""

    id: str
    score: float


@dataclass(frozen=True)
class Ranking:
    """A question's labels, most probable first, and how on-topic its words are."""

    labels: tuple[ScoredLabel, ...]
    coverage: float  # share of its terms (weighted by rarity) our topic's texts use; 1.0 when it has none
    foreign: float  # share of its terms that only text the bot must decline uses (QQ, 信用卡, transfer)
    topic_words: tuple[str, ...]  # the topic words (synonyms.yaml) it contains
    generic: bool  # every word it has is one all sections use alike, or a topic word ("cancel my SIM")
    evidence: bool  # whether any of its terms is known at all (an emoji or gibberish has none)
    chinese_words: int = 0  # how many of its Chinese character pairs are known at all
    english_words: int = 0  # how many English content words it has
    exact: str | None = None  # the label of an example written exactly like it
    ours: float = 0.5  # the second opinion: P(ours) by bot/understanding/topic_model.py

    @functools.cached_property  # read by several rules of one decision
    def negative_share(self) -> float:
        """How much of the probability the sources of text to decline hold."""
        return sum(label.score for label in self.labels if is_negative(label.id))


@dataclass(frozen=True)
class IndexTables:
    """Everything an index learnt from its texts: what ranking reads, and what the cache saves."""

    labels: tuple[str, ...]
    typos: TypoCorrector
    exact: ExactExamples  # each example's key (see _example_key) and its label
    unknown_weight: float  # how much a term no text uses says, for coverage
    informativeness: dict[str, float]  # how much each known term says, for coverage
    known: frozenset[str]  # every term of every label
    vocabulary: frozenset[str]  # the terms our topic's own texts use
    neutral: frozenset[str]  # terms every section uses alike, and topic words
    lift: dict[str, tuple[tuple[int, float], ...]]  # term → (label position, log-likelihood lift)
    topic_model: TopicModel = field(default_factory=TopicModel)  # ours against the negatives (English)
    # The examples one by one, for the nearest ones' vote (bot/understanding/neighbours.py).
    neighbours: ExampleNeighbours = field(default_factory=ExampleNeighbours)


class SectionIndex:
    """Per-label term statistics for naive Bayes, and our topic's vocabulary.

    Build one from texts with SectionIndex.learn, or restore a saved one with from_state.
    """

    def __init__(self, tables: IndexTables, synonyms: Synonyms, settings: MatchSettings) -> None:
        self.synonyms = synonyms
        self.settings = settings
        self.labels = tables.labels
        self.section_labels = tuple(label for label in self.labels if is_section(label))
        self._typos = tables.typos
        self._exact = tables.exact
        self._unknown_weight = tables.unknown_weight
        self._informativeness = tables.informativeness
        self._known = tables.known
        self._vocabulary = tables.vocabulary
        self._neutral = tables.neutral
        self._lift = tables.lift
        self._topic_model = tables.topic_model
        self._neighbours = tables.neighbours
        self._position = {label: position for position, label in enumerate(self.labels)}

    @classmethod
    def learn(
        cls,
        documents: Mapping[str, Iterable[str]],
        topic_texts: Iterable[str] = (),
        synonyms: Synonyms = Synonyms(),
        settings: MatchSettings = MatchSettings(),
    ) -> SectionIndex:
        """Learn an index from each label's texts and our topic's own wording."""
        return cls(_IndexBuilder(synonyms, settings).tables(documents, topic_texts), synonyms, settings)

    # --- saving and restoring (bot/understanding/index_cache.py) ------------------------------

    def to_state(self) -> dict[str, object]:
        """Everything the index learnt, as JSON-compatible values (no code, nothing to execute).

        Column-wise: every term is written once, and the sets and postings refer to terms by
        position. Loading then makes one string per term, as building does, instead of one per
        mention (a term is in four or five of these at once) — that was 2.5 times the memory.
        The long columns of numbers (positions, postings, scores) are packed, one string each
        (bot/storage/cache_files.py): a JSON list made an object per number, ~90,000 of them
        alive at once while the file was read. A typo's words are one string: words have no spaces.
        """
        terms = sorted(self._known | self._vocabulary | self._neutral | self._informativeness.keys())
        position_of = {term: position for position, term in enumerate(terms)}
        informed = [term for term in terms if term in self._informativeness]
        lifted = list(self._lift)
        weighted = [term for term in terms if term in self._topic_model.weights]
        return {
            "labels": list(self.labels),
            "typo_known": sorted(self._typos.known),
            "typo_deletions": {
                variant: " ".join(words) for variant, words in self._typos.by_deletion.items()
            },
            "exact": self._exact.to_state(),
            "unknown_weight": self._unknown_weight,
            "terms": terms,
            "informed": packed((position_of[term] for term in informed), "I"),
            "informativeness": packed((self._informativeness[term] for term in informed), "d"),
            "known": packed(sorted(position_of[term] for term in self._known), "I"),
            "vocabulary": packed(sorted(position_of[term] for term in self._vocabulary), "I"),
            "neutral": packed(sorted(position_of[term] for term in self._neutral), "I"),
            "lift_terms": packed((position_of[term] for term in lifted), "I"),
            "lift_sizes": packed((len(self._lift[term]) for term in lifted), "I"),
            "lift_labels": packed((label for term in lifted for label, _ in self._lift[term]), "I"),
            "lift_values": packed((lift for term in lifted for _, lift in self._lift[term]), "d"),
            "topic_terms": packed((position_of[term] for term in weighted), "I"),
            "topic_weights": packed((self._topic_model.weights[term] for term in weighted), "d"),
            "topic_bias": self._topic_model.bias,
            "neighbours": self._neighbours.to_state(position_of),
        }

    @classmethod
    def from_state(
        cls, state: Mapping[str, Any], synonyms: Synonyms, settings: MatchSettings
    ) -> SectionIndex:
        """The index to_state() described (KeyError, TypeError, IndexError or ValueError when it
        is malformed).

        Equal values are made one object: a posting (label, lift) that 17,000 postings share as
        4,800, a word and its typo variants.
        """
        labels = tuple(str(label) for label in state["labels"])
        if len(set(labels)) != len(labels):
            raise ValueError("a label is named twice")
        exact = ExactExamples.from_state(state["exact"], len(labels))
        terms = [str(term) for term in state["terms"]]

        def term_set(key: str) -> frozenset[str]:
            return frozenset(terms[at] for at in _positions(state[key], len(terms)))

        scores: dict[float, float] = {}
        informativeness = {
            terms[at]: scores.setdefault(value, value)
            for at, value in zip(
                _positions(state["informed"], len(terms)),
                unpacked_doubles(state["informativeness"]),
                strict=True,
            )
        }
        tables = IndexTables(
            labels=labels,
            typos=_typos_from_state(state["typo_known"], state["typo_deletions"]),
            exact=exact,
            unknown_weight=_finite_number(state["unknown_weight"]),
            informativeness=informativeness,
            known=term_set("known"),
            vocabulary=term_set("vocabulary"),
            neutral=term_set("neutral"),
            lift=_lift_from_state(state, terms, len(labels)),
            topic_model=TopicModel(
                dict(
                    zip(
                        (terms[at] for at in _positions(state["topic_terms"], len(terms))),
                        unpacked_doubles(state["topic_weights"]),
                        strict=True,
                    )
                ),
                _finite_number(state["topic_bias"]),
            ),
            neighbours=ExampleNeighbours.from_state(state["neighbours"], terms, len(labels)),
        )
        return cls(tables, synonyms, settings)

    # --- querying ----------------------------------------------------------------------------

    def _exact_label(self, normalized: str) -> str | None:
        """The label of the example written exactly like this, if one is."""
        at = self._exact.label_of(_example_key(self.synonyms, normalized))
        return None if at is None else self.labels[at]

    def _terms(self, normalized: str, *, correct: bool = True) -> TermCounts:
        text = correct_words(normalized, self._typos) if correct else normalized
        return terms(self.synonyms.canonicalize(text))

    def neighbour_votes(self, normalized: str, among: Iterable[str]) -> dict[str, float]:
        """Each of the sections `among`'s share of their examples nearest a question
        (bot/understanding/neighbours.py)."""
        positions = [self._position[label] for label in among if label in self._position]
        votes = self._neighbours.vote(self._terms(normalized), positions)
        return {self.labels[position]: share for position, share in votes.items()}

    def rank(self, normalized: str, limit: int | None = None) -> Ranking:
        """Labels scored for a normalised question, most probable first (the top `limit`)."""
        counts = self._terms(normalized)
        known = {term: count for term, count in counts.items() if term in self._known}
        # log P(question | label) = Σ count × (base + lift); base × mass is the same for every
        # label and cancels in the normalisation, so only the terms' postings are visited.
        scores = [0.0] * len(self.labels)
        for term, count in known.items():
            for position, lift in self._lift.get(term, ()):
                scores[position] += count * lift
        top = max(scores)
        normaliser = top + math.log(sum(math.exp(value - top) for value in scores))
        positions = range(len(self.labels))
        order = (
            sorted(positions, key=lambda i: (-scores[i], i))
            if limit is None
            else heapq.nsmallest(limit, positions, key=lambda i: (-scores[i], i))
        )
        weights = self._weights(counts)
        return Ranking(
            labels=tuple(ScoredLabel(self.labels[i], math.exp(scores[i] - normaliser)) for i in order),
            coverage=_share(weights, lambda term: term in self._vocabulary, empty=1.0),
            foreign=_share(
                weights, lambda term: term in self._known and term not in self._vocabulary, empty=0.0
            ),
            topic_words=self.synonyms.topic_words(normalized),
            generic=bool(known) and all(term in self._neutral for term in known if len(term) > 1),
            evidence=bool(known),
            chinese_words=sum(1 for term in known if len(term) == 2 and not term.startswith("~")),
            english_words=sum(1 for term in counts if term.startswith("~")),
            exact=self._exact_label(normalized),
            ours=self._topic_model.probability(counts),
        )

    def _weights(self, counts: Mapping[str, float]) -> dict[str, float]:
        """How much each term of a question says (numbers say nothing: they were cut or are steps)."""
        return {
            term: self._informativeness.get(term, self._unknown_weight)
            * (HAN_UNIGRAM_WEIGHT if len(term) == 1 else 1.0)
            for term in counts
            if not term[1:].isdigit()
        }


class _IndexBuilder:
    """Learns an index's tables from texts (SectionIndex.learn); kept apart from the index itself,
    which is the same whether learnt afresh or restored from the cache."""

    def __init__(self, synonyms: Synonyms, settings: MatchSettings) -> None:
        self.synonyms = synonyms
        self.settings = settings

    def _terms(self, normalized: str, typos: TypoCorrector | None = None) -> TermCounts:
        text = correct_words(normalized, typos) if typos is not None else normalized
        return terms(self.synonyms.canonicalize(text))

    def tables(self, documents: Mapping[str, Iterable[str]], topic_texts: Iterable[str]) -> IndexTables:
        labels: tuple[str, ...] = tuple(documents)
        section_labels = tuple(label for label in labels if is_section(label))
        normalized = {label: [normalize_text(text) for text in texts] for label, texts in documents.items()}
        topic = [normalize_text(text) for text in topic_texts]
        typos = TypoCorrector(
            topic_words=itertools.chain.from_iterable(
                words(text) for text in [*topic, *(t for label in section_labels for t in normalized[label])]
            ),
            known_words=itertools.chain.from_iterable(
                words(text) for text in [*topic, *itertools.chain.from_iterable(normalized.values())]
            ),
        )
        # Only what authors wrote: the real negatives share plain phrasings with our examples
        # ("the card is damaged" is a bank question there, a SIM question here).
        label_position = {label: at for at, label in enumerate(labels)}
        exact = ExactExamples.of(
            _unambiguous(
                (_example_key(self.synonyms, text), label_position[label])
                for label, texts in normalized.items()
                if not is_negative(label) or label == EXAMPLES_NEGATIVE_LABEL
                for text in texts
            )
        )
        # One pass over the texts, keeping only sums: holding every text's terms at once was
        # the start-up's memory peak (and the heap stays as large as its peak).
        sums = _TermSums()
        english: list[tuple[tuple[str, ...], bool]] = []  # the topic model's texts (see below)
        neighbours = NeighboursBuilder()
        for position, (label, texts) in enumerate(normalized.items()):
            for text in texts:
                # Every word of these texts is known, so none needs the typo corrector.
                counts = self._terms(text)
                sums.add(label, counts, in_scope=is_section(label))
                if is_section(label):
                    neighbours.add(position, counts)
                if (is_section(label) or is_negative(label)) and counts and not _HAN.search(text):
                    english.append((tuple(counts), is_section(label)))
        del normalized
        vocabulary = frozenset(sums.in_scope) | frozenset(
            term for text in topic for term in self._terms(text, typos)
        )
        # How much a term says, for coverage: rare terms say more ("pizza"), common ones little
        # ("long", "take"); a term no text has ever used says the most.
        text_count = sums.texts + 1
        known, lift, neutral = self._bayes(sums, labels, section_labels, typos)
        return IndexTables(
            labels=labels,
            typos=typos,
            exact=exact,
            unknown_weight=math.log(text_count),
            informativeness={
                term: math.log(text_count / (frequency + 1))
                for term, frequency in sums.text_frequency.items()
            },
            known=known,
            vocabulary=vocabulary,
            neutral=neutral,
            lift=lift,
            # English only: that is where the naive Bayes is drowned by banking77's register.
            topic_model=train_topic_model(english),
            neighbours=neighbours.build(),
        )

    def _bayes(
        self,
        sums: _TermSums,
        labels: tuple[str, ...],
        section_labels: tuple[str, ...],
        typos: TypoCorrector,
    ) -> tuple[frozenset[str], dict[str, tuple[tuple[int, float], ...]], frozenset[str]]:
        """The known terms, each term's lift per label, and the neutral terms."""
        label_frequency = Counter(term for counts in sums.by_label.values() for term in counts)
        idf = {term: math.log(1 + len(labels) / df) for term, df in label_frequency.items()}
        weights: dict[str, dict[str, float]] = {
            label: {term: count * idf[term] for term, count in sums.by_label.get(label, {}).items()}
            for label in labels
        }
        alpha = self.settings.smoothing
        totals = {label: sum(weights[label].values()) for label in labels}
        typical = sorted(totals[label] for label in section_labels)[len(section_labels) // 2]
        # Every label is scaled to a typical section's total, so that P(term | label) compares
        # how a label uses its words, not how many words it has; P(unseen term | label) is then
        # the same for every label and cancels out of the ranking.
        lift: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for position, label in enumerate(labels):
            scale = typical / totals[label] if totals[label] else 0.0
            for term, weight in weights[label].items():
                lift[term].append((position, math.log((weight * scale + alpha) / alpha)))
        # Each term's share of each section's weight, gathered per term from the sections that
        # use it: linear in the index, so it stays cheap for a knowledge base 100 times larger.
        shares_by_term: dict[str, list[float]] = defaultdict(list)
        for label in section_labels:
            total = sum(weights[label].values()) or 1.0
            for term, weight in weights[label].items():
                shares_by_term[term].append(weight / total)
        sections = len(section_labels)
        generic = {
            term
            for term, shares in shares_by_term.items()
            if len(term) > 1 and _spread(shares, sections) >= self.settings.generic_spread
        }
        # Topic words name what is cancelled (SIM, Vodafone, 保号卡), never which step: neutral too.
        topic = {term for word in self.synonyms.topic for term in self._terms(normalize_text(word), typos)}
        neutral = frozenset(generic | {term for term in topic if len(term) > 1})
        return frozenset(idf), {term: tuple(postings) for term, postings in lift.items()}, neutral


class _TermSums:
    """What the index needs from every text, summed as the texts go by."""

    def __init__(self) -> None:
        self.by_label: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        self.text_frequency: Counter[str] = Counter()  # in how many texts each term appears
        self.in_scope: set[str] = set()  # the terms the sections' texts use
        self.texts = 0  # texts with at least one term

    def add(self, label: str, counts: TermCounts, *, in_scope: bool) -> None:
        if not counts:
            return
        self.texts += 1
        self.text_frequency.update(counts.keys())
        label_counts = self.by_label[label]
        for term, count in counts.items():
            label_counts[term] += count
        if in_scope:
            self.in_scope.update(counts)


def _example_key(synonyms: Synonyms, normalized: str) -> str:
    """What makes two questions "written exactly alike": the same words in the same order."""
    return " ".join(_KEY_WORDS.findall(synonyms.canonicalize(normalized)))


def _positions(packed_positions: object, size: int) -> Sequence[int]:
    """Positions into a sequence of `size`, packed in a saved index (ValueError when one is not)."""
    positions = unpacked_integers(packed_positions)
    if positions and max(positions) >= size:
        raise ValueError(f"a position past {size}")
    return positions


def _finite_number(value: object) -> float:
    """A number read from a saved index (ValueError unless an int or float, and finite)."""
    if type(value) not in (int, float):  # not a bool, not a string such as "nan"
        raise ValueError(f"{value!r} is not a number")
    try:
        number = float(value)  # type: ignore[arg-type]  # an int or a float: checked above
    except OverflowError:
        raise ValueError("a number too large") from None
    if not math.isfinite(number):
        raise ValueError("a number that is not finite")
    return number


def _lift_from_state(
    state: Mapping[str, Any], terms: Sequence[str], labels: int
) -> dict[str, tuple[tuple[int, float], ...]]:
    """Each term's postings (label position, lift), in the order saved, equal postings one tuple."""
    lifted = _positions(state["lift_terms"], len(terms))
    sizes = unpacked_integers(state["lift_sizes"])
    positions = _positions(state["lift_labels"], labels)
    values = unpacked_doubles(state["lift_values"])
    if len(sizes) != len(lifted) or not sum(sizes) == len(positions) == len(values):
        raise ValueError("the postings do not add up")
    postings = zip(positions, values, strict=True)  # one at a time: no list of them all alive
    shared: dict[tuple[int, float], tuple[int, float]] = {}
    lift: dict[str, tuple[tuple[int, float], ...]] = {}
    for at, size in zip(lifted, sizes, strict=True):
        lift[terms[at]] = tuple(
            shared.setdefault(posting, posting) for posting in itertools.islice(postings, size)
        )
    return lift


def _typos_from_state(known: object, deletions: Mapping[str, Any]) -> TypoCorrector:
    """The typo corrector saved as its known words and {variant: "word word"} (TypeError when not)."""
    if not isinstance(known, list):
        raise TypeError("the known words are a list")
    named = {str(word): str(word) for word in known}
    found: dict[str, tuple[str, ...]] = {}
    by_deletion: dict[str, tuple[str, ...]] = {}
    for variant, spelt in deletions.items():
        if not isinstance(spelt, str):
            raise TypeError("a variant's words are one string")
        if spelt not in found:
            found[spelt] = tuple(named.get(word, word) for word in spelt.split(" "))
        by_deletion[named.get(variant, variant)] = found[spelt]
    return TypoCorrector.from_parts(known=named.values(), by_deletion=by_deletion)


def _share(weights: Mapping[str, float], chosen: Callable[[str], bool], *, empty: float) -> float:
    total = sum(weights.values())
    return sum(weight for term, weight in weights.items() if chosen(term)) / total if total else empty


def _spread(shares: Sequence[float], sections: int) -> float:
    """How evenly a term is used across the sections: normalised entropy, 0 (one) to 1 (all alike).

    `shares` are the term's share of each section's weight, for the sections that use it.
    """
    total = sum(shares)
    if total <= 0 or sections < 2:
        return 0.0
    entropy = -sum(share / total * math.log(share / total) for share in shares if share > 0)
    return entropy / math.log(sections)


def _unambiguous(pairs: Iterable[tuple[str, int]]) -> dict[str, int]:
    """Keys that map to exactly one label (an example written twice for two labels says nothing)."""
    labels: dict[str, set[int]] = defaultdict(set)
    for key, label in pairs:
        if key:
            labels[key].add(label)
    return {key: next(iter(found)) for key, found in labels.items() if len(found) == 1}


def section_documents(kb: KnowledgeBase) -> dict[str, list[str]]:
    """What represents each label: a section's examples and titles; each source of negatives; small talk."""
    documents: dict[str, list[str]] = {}
    for section in kb.sections:
        texts = [text for per_lang in kb.examples.get(section.id, {}).values() for text in per_lang]
        texts.extend(section.title.values())
        documents[section.id] = texts
    documents[EXAMPLES_NEGATIVE_LABEL] = [text for per_lang in kb.out_of_scope.values() for text in per_lang]
    for name, negatives in kb.negatives.items():
        documents[NEGATIVE_PREFIX + name] = list(negatives)
    for kind, phrases in kb.small_talk.items():
        if kind is not SmallTalkKind.PLAN:  # the plan opens for the phrase alone, never for a guess
            documents[SMALL_TALK_PREFIX + kind] = list(phrases)
    return documents


def topic_texts(kb: KnowledgeBase) -> list[str]:
    """Our topic's own wording beyond the examples: every section's title and answer."""
    return [text for section in kb.sections for text in (*section.title.values(), *section.answer.values())]


def build_index(kb: KnowledgeBase, settings: MatchSettings = MatchSettings()) -> SectionIndex:
    """Index a knowledge base (see section_documents and topic_texts for what is indexed)."""
    return SectionIndex.learn(section_documents(kb), topic_texts(kb), kb.synonyms, settings)
