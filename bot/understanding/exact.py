"""Examples written exactly alike: a question worded like an example gets that example's label.

Kept as a dict of the examples' keys, this held every example's text a second time: 2.1 MB of a
running bot once round 10 of issue 16 brought the examples to 15,500 (the bot's memory with
20,000 people had 0.8 MB left under its budget). A sorted column of 64-bit digests of the keys,
beside a column of their labels, holds the same in 0.2 MB and is found by bisection. Two different
keys share a digest with a chance of about n² / 2⁶⁵, 10⁻¹¹ for 15,500 keys; the question would
then be answered as that example.
"""

from __future__ import annotations

import bisect
import hashlib
import itertools
from array import array
from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.storage.cache_files import packed, unpacked_integers

_DIGEST_BYTES = 8


def key_digest(key: str) -> int:
    """A key's 64-bit digest (BLAKE2b: the same on every machine and every run, unlike hash())."""
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=_DIGEST_BYTES).digest(), "little")


@dataclass(frozen=True)
class ExactExamples:
    """Each example's key, as its digest, and the position of its label among the index's."""

    digests: array[int] = field(default_factory=lambda: array("Q"))  # ascending, each once
    labels: array[int] = field(default_factory=lambda: array("I"))

    @classmethod
    def of(cls, label_of_key: Mapping[str, int]) -> ExactExamples:
        """From {key: label position} (of two keys with one digest, about 10⁻¹¹, one is kept)."""
        by_digest = {key_digest(key): label for key, label in label_of_key.items()}
        kept = sorted(by_digest.items())
        return cls(array("Q", (digest for digest, _ in kept)), array("I", (label for _, label in kept)))

    def label_of(self, key: str) -> int | None:
        """The label position of the example whose key this is, else None."""
        digest = key_digest(key)
        at = bisect.bisect_left(self.digests, digest)
        return self.labels[at] if at < len(self.digests) and self.digests[at] == digest else None

    def to_state(self) -> dict[str, str]:
        """Both columns, packed (bot/storage/cache_files.py)."""
        return {"digests": packed(self.digests, "Q"), "labels": packed(self.labels, "I")}

    @classmethod
    def from_state(cls, state: Mapping[str, object], label_count: int) -> ExactExamples:
        """What to_state() saved (KeyError, TypeError or ValueError when it is malformed): the
        digests ascending, one label for each, every label one of the index's."""
        digests = unpacked_integers(state["digests"], "Q")
        labels = unpacked_integers(state["labels"])
        if len(digests) != len(labels):
            raise ValueError("not one label for each example")
        if any(later <= earlier for earlier, later in itertools.pairwise(digests)):
            raise ValueError("the digests are not ascending")
        if labels and max(labels) >= label_count:
            raise ValueError("an example's label is not one of the index's")
        return cls(digests, labels)
