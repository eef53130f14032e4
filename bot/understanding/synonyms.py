"""Read every synonym as its group's first word, so examples teach all their variants."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Synonyms:
    """Synonym groups from knowledge/synonyms.yaml, applied to normalised text."""

    groups: tuple[tuple[str, ...], ...] = ()
    topic: tuple[str, ...] = ()
    _pattern: re.Pattern[str] | None = field(init=False, default=None, compare=False, repr=False)
    _canonical: dict[str, str] = field(init=False, default_factory=dict, compare=False, repr=False)
    _topic: re.Pattern[str] | None = field(init=False, default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.topic:
            object.__setattr__(self, "_topic", re.compile(whole_words_pattern(self.topic)))
        canonical = {variant: group[0] for group in self.groups for variant in group[1:]}
        object.__setattr__(self, "_canonical", canonical)
        if canonical:
            object.__setattr__(self, "_pattern", re.compile(whole_words_pattern(canonical)))

    def topic_words(self, normalized: str) -> tuple[str, ...]:
        """The topic words (synonyms.yaml `topic:`) a normalised text contains, as written there."""
        if self._topic is None:
            return ()
        return tuple(dict.fromkeys(found.group(0) for found in self._topic.finditer(normalized)))

    def canonicalize(self, normalized: str) -> str:
        """`normalized` with every variant replaced by its group's first word."""
        if self._pattern is None:
            return normalized
        return self._pattern.sub(lambda found: _spaced(self._canonical[found.group(0)], found), normalized)


def _spaced(replacement: str, found: re.Match[str]) -> str:
    """The replacement, with a space where it would otherwise run into a neighbouring Latin word:
    "英国vodafone张卡" → "英国vodafone sim卡", not "vodafonesim卡" (a word nobody wrote)."""
    text = found.string
    before = text[found.start() - 1] if found.start() > 0 else ""
    after = text[found.end()] if found.end() < len(text) else ""
    if replacement[:1].isascii() and replacement[:1].isalnum() and _is_latin(before):
        replacement = " " + replacement
    if replacement[-1:].isascii() and replacement[-1:].isalnum() and _is_latin(after):
        replacement += " "
    return replacement


def whole_words_pattern(words: Iterable[str]) -> str:
    """A regex for any of `words`, the longest first, Latin words only as whole words.

    Built as a trie ("sim", "sim card", "simcard" share "sim"), because Python's regex engine
    tries the alternatives of a flat list one by one at every position: with hundreds of
    variants that made folding synonyms the slowest part of building the index.
    """
    trie: dict[str, Any] = {}
    for word in set(words):
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}  # a word ends here
    latin = {ch: child for ch, child in trie.items() if _is_latin(ch)}
    other = {ch: child for ch, child in trie.items() if ch and not _is_latin(ch)}
    parts = []
    if latin:
        parts.append(r"(?<![a-z0-9])" + _trie_pattern(latin, ""))
    if other:
        parts.append(_trie_pattern(other, ""))
    return "|".join(f"(?:{part})" for part in parts) or r"(?!)"


def _trie_pattern(node: dict[str, Any], previous: str) -> str:
    branches = [
        re.escape(ch) + _trie_pattern(child, ch)
        for ch, child in sorted(node.items(), key=lambda item: item[0])
        if ch
    ]
    if "" in node:  # a word may end here: after every longer continuation has been tried
        branches.append(r"(?![a-z0-9])" if _is_latin(previous) else "")
    if len(branches) == 1:
        return branches[0]
    return "(?:" + "|".join(branches) + ")"


def _is_latin(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def duplicate_variants(groups: Sequence[Sequence[str]]) -> list[tuple[int, str]]:
    """(group index, word) for each word that already appeared in an earlier group."""
    seen: set[str] = set()
    duplicates: list[tuple[int, str]] = []
    for index, group in enumerate(groups):
        for word in group:
            if word in seen:
                duplicates.append((index, word))
            seen.add(word)
    return duplicates
