"""Simplified/traditional Chinese conversion, done by OpenCC.

Matching works on simplified text (tw2sp also maps Taiwan vocabulary such as 簡訊 → 短信);
replies in traditional Chinese are derived from the simplified source with Taiwan phrasing.

OpenCC's phrase dictionaries are large in memory (s2twp alone holds ~45 MB), and the
traditional converter is only needed while the knowledge base loads: release_traditional()
frees it afterwards so the running bot stays small.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc

import opencc

_TRADITIONAL = "s2twp"
_converters: dict[str, opencc.OpenCC] = {}


def _converter(config: str) -> opencc.OpenCC:
    converter = _converters.get(config)
    if converter is None:
        converter = _converters[config] = opencc.OpenCC(config)
    return converter


def to_simplified(text: str) -> str:
    """Traditional (Taiwan/Hong Kong phrasing included) to simplified Chinese."""
    return str(_converter("tw2sp").convert(text))


def to_traditional(text: str) -> str:
    """Simplified to traditional Chinese with Taiwan phrasing."""
    return str(_converter(_TRADITIONAL).convert(text))


def characters_to_simplified(text: str) -> str:
    """Character-level traditional → simplified, no phrase changes (for telling scripts apart)."""
    return str(_converter("t2s").convert(text))


def release_traditional() -> None:
    """Free the simplified → traditional converter and give its memory back to the system."""
    if _converters.pop(_TRADITIONAL, None) is None:
        return
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):  # glibc only; elsewhere the memory stays cached
        ctypes.CDLL("libc.so.6").malloc_trim(0)
