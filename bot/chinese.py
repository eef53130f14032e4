"""Simplified/traditional Chinese conversion, done by OpenCC.

Matching works on simplified text (tw2sp also maps Taiwan vocabulary such as 簡訊 → 短信);
replies in traditional Chinese are derived from the simplified source with Taiwan phrasing.
"""

from __future__ import annotations

from functools import cache

import opencc


@cache
def _converter(config: str) -> opencc.OpenCC:
    return opencc.OpenCC(config)


def to_simplified(text: str) -> str:
    """Traditional (Taiwan/Hong Kong phrasing included) to simplified Chinese."""
    return str(_converter("tw2sp").convert(text))


def to_traditional(text: str) -> str:
    """Simplified to traditional Chinese with Taiwan phrasing."""
    return str(_converter("s2twp").convert(text))


def characters_to_simplified(text: str) -> str:
    """Character-level traditional → simplified, no phrase changes (for telling scripts apart)."""
    return str(_converter("t2s").convert(text))


def characters_to_traditional(text: str) -> str:
    """Character-level simplified → traditional, no phrase changes (for telling scripts apart)."""
    return str(_converter("s2t").convert(text))
