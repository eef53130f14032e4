"""Build the bot's index at 100× in minutes instead of hours, without changing what is built.

bot.match._spread (how evenly a term is used across the sections) looks at every section for
every term and sums every section's term weights again each time: terms × sections ×
terms-per-section additions. At 100× (2,100 sections, ~100,000 terms) that alone takes hours
(bench/growth.py measures how the bot's own build grows). Only while the benchmark builds its
100× index, _spread is replaced by `_spread_from_postings`: the same formula over the sections
that use the term (the others add exact zeros to the sums and are skipped by the entropy), with
each section's total summed once. check_same_index() verifies on the real knowledge base, every
run, that the index built this way equals the bot's own, attribute by attribute; if bot.match
changes its formula, that check fails and says so.

This is a measuring aid, not a fix: the bot's code is unchanged.
"""

from __future__ import annotations

import contextlib
import math
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence

import bot.match as match
from bot.kb import KnowledgeBase
from bot.synonyms import Synonyms

Weights = Mapping[str, Mapping[str, float]]


class _Postings:
    """For one weights table: each section's total, and the sections (in order) using each term."""

    def __init__(self, weights: Weights, sections: Sequence[str]) -> None:
        self.totals = {label: sum(weights[label].values()) or 1.0 for label in sections}
        self.users: dict[str, list[str]] = defaultdict(list)
        for label in sections:
            for term in weights[label]:
                self.users[term].append(label)


@contextlib.contextmanager
def _spread_from_postings() -> Iterator[None]:
    original = match._spread
    built: dict[int, _Postings] = {}

    def spread(weights: Weights, sections: Iterable[str], term: str) -> float:
        labels = tuple(sections)
        if id(weights) not in built:
            built.clear()
            built[id(weights)] = _Postings(weights, labels)
        postings = built[id(weights)]
        shares = [weights[label][term] / postings.totals[label] for label in postings.users.get(term, ())]
        total = sum(shares)
        if total <= 0 or len(labels) < 2:
            return 0.0
        entropy = -sum(share / total * math.log(share / total) for share in shares if share > 0)
        return entropy / math.log(len(labels))

    match._spread = spread
    try:
        yield
    finally:
        match._spread = original


def quick_build(
    documents: Mapping[str, Iterable[str]], topic_texts: Iterable[str], synonyms: Synonyms
) -> match.SectionIndex:
    """bot.match.SectionIndex(documents, topic_texts, synonyms), _spread computed from postings."""
    with _spread_from_postings():
        return match.SectionIndex(documents, topic_texts, synonyms)


def check_same_index(kb: KnowledgeBase) -> None:
    """Raise if the quick build of the real knowledge base differs from the bot's own in any way."""
    documents, topic = match.section_documents(kb), match.topic_texts(kb)
    own = match.SectionIndex(documents, topic, kb.synonyms)
    quick = quick_build(documents, topic, kb.synonyms)
    if vars(own).keys() != vars(quick).keys():
        raise RuntimeError("bench.quick_build: the index has other attributes than the bot's: update it")
    for name, value in vars(own).items():
        other = vars(quick)[name]
        if name == "_typos":  # no __eq__ of its own: compare what it holds
            value, other = vars(value), vars(other)
        if value != other:
            raise RuntimeError(
                f"bench.quick_build: the index differs from the bot's own build in {name}:"
                " bot.match._spread changed, update bench/quick_build.py"
            )
