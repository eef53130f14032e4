"""Read every synonym as its group's first word, so examples teach all their variants."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field


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
            words = sorted(set(self.topic), key=len, reverse=True)
            object.__setattr__(self, "_topic", re.compile("|".join(_as_pattern(word) for word in words)))
        canonical = {variant: group[0] for group in self.groups for variant in group[1:]}
        object.__setattr__(self, "_canonical", canonical)
        if canonical:
            # Longest first, so "sim card" wins over "sim"; Latin variants only as whole words.
            alternatives = [_as_pattern(variant) for variant in sorted(canonical, key=len, reverse=True)]
            object.__setattr__(self, "_pattern", re.compile("|".join(alternatives)))

    def topic_words(self, normalized: str) -> tuple[str, ...]:
        """The topic words (synonyms.yaml `topic:`) a normalised text contains, as written there."""
        if self._topic is None:
            return ()
        return tuple(dict.fromkeys(found.group(0) for found in self._topic.finditer(normalized)))

    def canonicalize(self, normalized: str) -> str:
        """`normalized` with every variant replaced by its group's first word."""
        if self._pattern is None:
            return normalized
        return self._pattern.sub(lambda found: self._canonical[found.group(0)], normalized)


def _as_pattern(variant: str) -> str:
    escaped = re.escape(variant)
    if variant[:1].isascii() and variant[:1].isalnum():
        escaped = r"(?<![a-z0-9])" + escaped
    if variant[-1:].isascii() and variant[-1:].isalnum():
        escaped += r"(?![a-z0-9])"
    return escaped


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
