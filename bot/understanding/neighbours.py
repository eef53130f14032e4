"""The examples most like a question, as a second vote on which of the top steps it asks.

The naive Bayes (match.py) sums each word's evidence for a step independently: a story that uses
one step's words and asks another's ("going to the One store tomorrow, what should I take") leans
to the step whose words are most numerous. A question is often worded much like one example as a
whole, so the five examples nearest it (TF-IDF cosine over the index's terms) vote too, and the
two are blended over the two or three steps the naive Bayes offers (answer.py). It never adds a
step the naive Bayes did not offer, nor turns a decline into an answer.

Measured in round 9 of issue 16, leaving each of 30 writer and tuning sets out of the examples in
turn: top-1 zh-Hans +4 of 1,683, zh-Hant +10 of 2,203, English +26 of 2,593 (0.911 → 0.921), with
half the say (0.3 gave +3 / +5 / +26). Round 5 measured it on five sets (+1.2 points English).

Stored flat (one array of example numbers and one of weights, a slice per term) so that ten
thousand examples cost about 2 MB, not the 15 MB of a tuple per posting.
"""

from __future__ import annotations

import heapq
import math
from array import array
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.storage.cache_files import packed, unpacked_doubles, unpacked_integers
from bot.understanding.terms import TermCounts

NEIGHBOURS = 5  # how many of the nearest examples vote
# A term in more of the examples than this (的, 要, 注销, cancel, sim) barely moves a cosine but
# holds a third of the postings: it still counts in each example's length, but is not looked up.
# (Round 9: 0.1 the same as every term, 0.05 lost 9 English questions of 2,593; a third faster.)
# Never in a small knowledge base, where every term is in a good share of the examples.
COMMON_SHARE = 0.1
COMMON_AT_LEAST = 100


@dataclass(frozen=True)
class ExampleNeighbours:
    """Every example's TF-IDF vector, by term: what `vote` needs and the cache saves."""

    labels: array[int] = field(default_factory=lambda: array("I"))  # each example's label position
    idf: dict[str, float] = field(default_factory=dict)
    spans: dict[str, tuple[int, int]] = field(default_factory=dict)  # term → its slice of the two below
    examples: array[int] = field(default_factory=lambda: array("I"))
    weights: array[float] = field(default_factory=lambda: array("d"))  # normalised: a cosine is a sum

    def vote(self, counts: TermCounts) -> dict[int, float]:
        """Each label's share of the nearest examples' similarity to a question's terms."""
        query = {term: count * self.idf[term] for term, count in counts.items() if term in self.idf}
        norm = math.sqrt(sum(value * value for value in query.values()))
        if not norm:
            return {}
        similarity: dict[int, float] = defaultdict(float)
        for term, value in query.items():
            start, stop = self.spans[term]
            share = value / norm
            for example, weight in zip(self.examples[start:stop], self.weights[start:stop], strict=True):
                similarity[example] += share * weight
        nearest = heapq.nlargest(NEIGHBOURS, similarity.items(), key=lambda item: (item[1], -item[0]))
        votes: dict[int, float] = defaultdict(float)
        for example, value in nearest:
            votes[self.labels[example]] += value
        total = sum(votes.values())
        return {label: value / total for label, value in votes.items()} if total else {}

    def to_state(self, position_of: Mapping[str, int]) -> dict[str, object]:
        """JSON-compatible columns, terms by their position in the index's term list."""
        terms = list(self.spans)
        return {
            "labels": packed(self.labels, "I"),
            "terms": packed((position_of[term] for term in terms), "I"),
            "idf": packed((self.idf[term] for term in terms), "d"),
            "sizes": packed((self.spans[term][1] - self.spans[term][0] for term in terms), "I"),
            "examples": packed(self.examples, "I"),
            "weights": packed(self.weights, "d"),
        }

    @classmethod
    def from_state(cls, state: Mapping[str, Any], terms: list[str], labels: int) -> ExampleNeighbours:
        """The neighbours to_state() described (ValueError, TypeError or IndexError when malformed)."""
        example_labels = unpacked_integers(state["labels"])
        if example_labels and max(example_labels) >= labels:
            raise ValueError("an example of a label past the last")
        positions = unpacked_integers(state["terms"])
        idf = unpacked_doubles(state["idf"])
        sizes = unpacked_integers(state["sizes"])
        examples = unpacked_integers(state["examples"])
        weights = unpacked_doubles(state["weights"])
        if not len(positions) == len(idf) == len(sizes) or not sum(sizes) == len(examples) == len(weights):
            raise ValueError("the neighbours' columns do not add up")
        if examples and max(examples) >= len(example_labels):
            raise ValueError("a posting of an example past the last")
        spans: dict[str, tuple[int, int]] = {}
        start = 0
        for at, size in zip(positions, sizes, strict=True):
            spans[terms[at]] = (start, start + size)
            start += size
        return cls(
            example_labels,
            dict(zip((terms[at] for at in positions), idf, strict=True)),
            spans,
            examples,
            weights,
        )


class NeighboursBuilder:
    """Collects the examples one at a time (no list of every example's terms held at once)."""

    def __init__(self) -> None:
        self._labels: array[int] = array("I")
        self._term_ids: dict[str, int] = {}
        self._terms: array[int] = array("I")  # every example's terms, one after another …
        self._counts: array[float] = array("d")
        self._sizes: array[int] = array("I")  # … this many for each

    def add(self, label: int, counts: TermCounts) -> None:
        """One example of the label at position `label`."""
        if not counts:
            return
        self._labels.append(label)
        for term, count in counts.items():
            self._terms.append(self._term_ids.setdefault(term, len(self._term_ids)))
            self._counts.append(count)
        self._sizes.append(len(counts))

    def build(self) -> ExampleNeighbours:
        """The normalised TF-IDF vectors, regrouped by term: a counting sort into two flat arrays
        (a tuple per posting would be 150 bytes each, 1.5 GB for a knowledge base 100× ours)."""
        total = len(self._labels)
        frequency = array("I", bytes(4 * len(self._term_ids)))
        for term_id in self._terms:
            frequency[term_id] += 1
        idf = [math.log(total / count) for count in frequency]
        offsets = array("I", [0])
        for count in frequency:
            offsets.append(offsets[-1] + count)
        free = array("I", offsets[:-1])  # where each term's next posting goes
        examples = array("I", bytes(4 * len(self._terms)))
        weights = array("d", bytes(8 * len(self._terms)))
        start = 0
        for example, size in enumerate(self._sizes):
            ids = self._terms[start : start + size]
            values = [
                count * idf[term_id]
                for term_id, count in zip(ids, self._counts[start : start + size], strict=True)
            ]
            norm = math.sqrt(sum(value * value for value in values)) or 1.0
            for term_id, value in zip(ids, values, strict=True):
                examples[free[term_id]] = example
                weights[free[term_id]] = value / norm
                free[term_id] += 1
            start += size
        common = max(COMMON_SHARE * total, COMMON_AT_LEAST)
        kept = [(term, at) for term, at in self._term_ids.items() if frequency[at] <= common]
        spans: dict[str, tuple[int, int]] = {}
        kept_examples: array[int] = array("I")
        kept_weights: array[float] = array("d")
        for term, at in kept:
            spans[term] = (len(kept_examples), len(kept_examples) + frequency[at])
            kept_examples.extend(examples[offsets[at] : offsets[at + 1]])
            kept_weights.extend(weights[offsets[at] : offsets[at + 1]])
        return ExampleNeighbours(
            self._labels, {term: idf[at] for term, at in kept}, spans, kept_examples, kept_weights
        )


def blended_best(
    candidates: Iterable[str], naive_bayes: Mapping[str, float], votes: Mapping[str, float], say: float
) -> str | None:
    """The candidate with the best geometric blend of the two probabilities (`say` is the vote's)."""
    best: tuple[float, str] | None = None
    for candidate in candidates:
        score = (1 - say) * math.log(naive_bayes.get(candidate, 0.0) + 1e-9) + say * math.log(
            votes.get(candidate, 0.0) + 0.01
        )
        if best is None or score > best[0]:
            best = (score, candidate)
    return best[1] if best else None
