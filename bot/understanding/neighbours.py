"""The examples most like a question, as a second vote on which of the top steps it asks.

The naive Bayes (match.py) sums each word's evidence for a step independently: a story that uses
one step's words and asks another's ("going to the One store tomorrow, what should I take") leans
to the step whose words are most numerous. A question is often worded much like one example as a
whole, so the five examples nearest it (TF-IDF cosine over the index's terms) vote too, and the
two are blended over the two or three steps the naive Bayes offers (answer.py). It never adds a
step the naive Bayes did not offer, nor turns a decline into an answer.

Measured in round 9 of issue 16, leaving each of 30 writer and tuning sets out of the examples in
turn, against the naive Bayes alone in the same run: top-1 English 2,345 → 2,398 of 2,593
(0.904 → 0.925), zh-Hant +6 of 2,203, zh-Hans +1 of 1,683, declines unchanged; half the say was
best of 0.2, 0.3 and 0.5. Round 5 had measured it on five sets (+1.2 points English). Only the
examples of the steps offered take part: the same figures or better, and the cost is that of two
or three steps, not of the whole knowledge base (a turn's p99 2.4 → 1.4-1.7 ms).

Stored as columns (one array of example numbers and one of weights, a slice per term) so that
ten thousand examples cost about 2 MB, not the 15 MB of a tuple per posting.
"""

from __future__ import annotations

import bisect
import functools
import heapq
import math
from array import array
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
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
    """Every example's TF-IDF vector, by term: what `vote` needs and the cache saves.

    Columns, not objects: a term's postings are `examples[starts[i]:starts[i + 1]]` with their
    weights, i = `positions[term]`; weights in single precision (2.3 MB in all, 4.3 MB as a
    dict of spans and doubles: the bot's memory budget had 4 MB to spare).
    """

    labels: array[int] = field(default_factory=lambda: array("I"))  # each example's label position
    positions: dict[str, int] = field(default_factory=dict)  # term → its place in the columns below
    idf: array[float] = field(default_factory=lambda: array("d"))
    starts: array[int] = field(default_factory=lambda: array("I", [0]))  # one more than the terms
    examples: array[int] = field(default_factory=lambda: array("I"))
    weights: array[float] = field(default_factory=lambda: array("f"))  # normalised: a cosine is a sum

    def vote(self, counts: TermCounts, among: Collection[int]) -> dict[int, float]:
        """Each label's share of the similarity of its examples nearest a question's terms,
        only the examples of the labels `among` (the steps offered) taking part.

        A term's postings are in example order and each label's examples are consecutive, so a
        label's are found by bisection: the cost is that of the two or three steps offered,
        not of the whole knowledge base. The question's own length is left out: it scales every
        similarity alike, and shares are what is returned.
        """
        ranges = [self._ranges[label] for label in among if label in self._ranges]
        similarity: dict[int, float] = defaultdict(float)
        for term, count in counts.items():
            at = self.positions.get(term)
            if at is None:
                continue
            value = count * self.idf[at]
            start, stop = self.starts[at], self.starts[at + 1]
            for first, end in ranges:
                low = bisect.bisect_left(self.examples, first, start, stop)
                high = bisect.bisect_left(self.examples, end, low, stop)
                for example, weight in zip(self.examples[low:high], self.weights[low:high], strict=True):
                    similarity[example] += value * weight
        nearest = heapq.nlargest(NEIGHBOURS, similarity.items(), key=lambda item: (item[1], -item[0]))
        votes: dict[int, float] = defaultdict(float)
        for example, value in nearest:
            votes[self.labels[example]] += value
        total = sum(votes.values())
        return {label: value / total for label, value in votes.items()} if total > 0 else {}

    @functools.cached_property
    def _ranges(self) -> dict[int, tuple[int, int]]:
        """Each label's examples, first to one past the last (consecutive: added label by label)."""
        ranges: dict[int, tuple[int, int]] = {}
        for example, label in enumerate(self.labels):
            first, _ = ranges.get(label, (example, example))
            ranges[label] = (first, example + 1)
        return ranges

    def to_state(self, position_of: Mapping[str, int]) -> dict[str, object]:
        """JSON-compatible columns, terms by their position in the index's term list."""
        return {
            "labels": packed(self.labels, "I"),
            "terms": packed((position_of[term] for term in self.positions), "I"),
            "idf": packed(self.idf, "d"),
            "starts": packed(self.starts, "I"),
            "examples": packed(self.examples, "I"),
            "weights": packed(self.weights, "d"),  # single-precision values, exactly
        }

    @classmethod
    def from_state(cls, state: Mapping[str, Any], terms: list[str], labels: int) -> ExampleNeighbours:
        """The neighbours to_state() described (ValueError, TypeError or IndexError when malformed)."""
        example_labels = unpacked_integers(state["labels"])
        if example_labels and max(example_labels) >= labels:
            raise ValueError("an example of a label past the last")
        term_positions = unpacked_integers(state["terms"])
        idf = unpacked_doubles(state["idf"])
        starts = unpacked_integers(state["starts"])
        examples = unpacked_integers(state["examples"])
        weights = array("f", unpacked_doubles(state["weights"]))
        if not all(map(math.isfinite, weights)):
            raise ValueError("a weight too large for single precision")
        if not len(term_positions) == len(idf) == len(starts) - 1:
            raise ValueError("the neighbours' columns do not add up")
        if (
            starts[0] != 0
            or not starts[-1] == len(examples) == len(weights)
            or list(starts) != sorted(starts)
        ):
            raise ValueError("the postings do not add up")
        if examples and max(examples) >= len(example_labels):
            raise ValueError("a posting of an example past the last")
        positions = {terms[at]: place for place, at in enumerate(term_positions)}
        if len(positions) != len(term_positions):
            raise ValueError("a term is named twice")
        return cls(example_labels, positions, idf, starts, examples, weights)


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
        weights = array("f", bytes(4 * len(self._terms)))
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
        kept = ExampleNeighbours(self._labels)
        for term, at in self._term_ids.items():
            if frequency[at] <= common:
                kept.positions[term] = len(kept.idf)
                kept.idf.append(idf[at])
                kept.examples.extend(examples[offsets[at] : offsets[at + 1]])
                kept.weights.extend(weights[offsets[at] : offsets[at + 1]])
                kept.starts.append(len(kept.examples))
        return kept


_NO_VOTE, _WHOLE_VOTE = 0.01, 1.01  # a share of the vote, smoothed as the blend reads it


def blended_best(
    candidates: Iterable[str], naive_bayes: Mapping[str, float], votes: Mapping[str, float], say: float
) -> str | None:
    """The candidate with the best geometric blend of the two probabilities (`say` is the vote's)."""
    best: tuple[float, str] | None = None
    for candidate in candidates:
        score = (1 - say) * _log(naive_bayes, candidate) + say * math.log(
            votes.get(candidate, 0.0) + _NO_VOTE
        )
        if best is None or score > best[0]:
            best = (score, candidate)
    return best[1] if best else None


def best_whatever_the_vote(
    candidates: Sequence[str], naive_bayes: Mapping[str, float], say: float
) -> str | None:
    """The candidate the blend picks however the vote falls, if the naive Bayes alone decides:
    its lead over every other is more than the whole vote against none of it can make up.
    Most answers are that sure, and then the examples need not be searched at all."""
    if not candidates:
        return None
    scores = {candidate: (1 - say) * _log(naive_bayes, candidate) for candidate in candidates}
    leader = max(candidates, key=scores.__getitem__)
    reach = say * (math.log(_WHOLE_VOTE) - math.log(_NO_VOTE))
    if all(scores[leader] - scores[other] > reach for other in candidates if other != leader):
        return leader
    return None


def _log(naive_bayes: Mapping[str, float], candidate: str) -> float:
    return math.log(naive_bayes.get(candidate, 0.0) + 1e-9)
