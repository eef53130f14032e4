"""Terms: what a text is made of, for matching — Chinese characters and bigrams, English stems.

One definition for the index, the coverage measure and the step-only check. English typos
one edit away from a word of our topic are read as that word ("cancle" → "cancel").
"""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from collections.abc import Iterable

from bot.text.patterns import HAN_RUN

TermCounts = dict[str, float]
HAN_UNIGRAM_WEIGHT = 0.4  # a single character says less than a word

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


def words(normalized: str) -> list[str]:
    """Every Latin-script word of a normalised text, as it is written."""
    return _WORD.findall(normalized)


def correct_words(normalized: str, typos: TypoCorrector) -> str:
    """The text with each misspelt topic word corrected ("how to cancle" → "how to cancel")."""
    return _WORD.sub(lambda found: typos.correct(found.group(0)), normalized)


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


class TypoCorrector:
    """Reads an unknown English word as the topic word one edit away ("cancle" → "cancel").

    Symmetric deletion: a misspelling and a word match when deleting at most one letter from
    each gives the same string (a deletion, an insertion, a substitution or a swap). A word any
    text of the index uses is never corrected, and neither is one with two candidates.
    """

    def __init__(self, topic_words: Iterable[str], known_words: Iterable[str]) -> None:
        self.known = frozenset(known_words)
        by_deletion: dict[str, set[str]] = defaultdict(set)
        for word in {word for word in topic_words if len(word) >= _MIN_TYPO_LENGTH}:
            for variant in _deletions(word):
                by_deletion[variant].add(word)
        # Tuples: nearly every variant has one word, and a set costs four times a tuple's memory.
        self.by_deletion = {variant: tuple(sorted(found)) for variant, found in by_deletion.items()}

    @classmethod
    def from_parts(cls, known: Iterable[str], by_deletion: dict[str, tuple[str, ...]]) -> TypoCorrector:
        """A corrector restored from its known words and deletion variants (index_cache.py)."""
        corrector = cls(topic_words=(), known_words=known)
        corrector.by_deletion = by_deletion
        return corrector

    def correct(self, word: str) -> str:
        """The topic word `word` is a misspelling of, or `word` itself."""
        if len(word) < _MIN_TYPO_LENGTH or word in self.known:
            return word
        matches: set[str] = set()
        for variant in _deletions(word):
            matches.update(self.by_deletion.get(variant, ()))
        return next(iter(matches)) if len(matches) == 1 else word


def _deletions(word: str) -> set[str]:
    return {word, *(word[:index] + word[index + 1 :] for index in range(len(word)))}
