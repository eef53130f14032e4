"""Simplified/traditional Chinese conversion, done by OpenCC.

Matching works on simplified text (tw2sp also maps Taiwan vocabulary such as 簡訊 → 短信);
replies in traditional Chinese are derived from the simplified source with Taiwan phrasing.

OpenCC's phrase dictionaries are large in memory (s2twp alone holds ~45 MB), and the
traditional converter is only needed while the knowledge base loads: release_traditional()
frees it afterwards so the running bot stays small.
"""

from __future__ import annotations

import functools

import opencc

from bot.memory import return_free_memory

_TRADITIONAL = "s2twp"
_converters: dict[str, opencc.OpenCC] = {}
# The CJK unified ideographs: every character a simplified-only form can be.
_CJK_UNIFIED = range(0x4E00, 0xA000)
# Characters the simplified → traditional conversion changes that traditional writers also use
# in their own right (台北, 公里, 干擾, 人云亦云, surnames 余 于 范): not proof of simplified text.
_SHARED_BY_BOTH_SCRIPTS = frozenset("台里干云余于范丑几")


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


@functools.cache
def simplified_only_characters() -> frozenset[str]:
    """Characters written only in simplified Chinese (们, 这, 销): one settles the script.

    A character is simplified-only when conversion to traditional changes it and conversion
    back to simplified does not: 们 → 們, while 台 or 你 are the same in both scripts.
    Computed once (about 0.1 s) with the traditional converter, about 2,600 characters.
    """
    characters = [chr(code) for code in _CJK_UNIFIED]
    # One character a line, so that phrase tables never join neighbours.
    traditional = to_traditional("\n".join(characters)).split("\n")
    if len(traditional) != len(characters):  # a converter that merged lines: trust nothing
        return frozenset()
    return frozenset(
        simplified
        for simplified, converted in zip(characters, traditional, strict=True)
        if converted != simplified
        and characters_to_simplified(simplified) == simplified
        and simplified not in _SHARED_BY_BOTH_SCRIPTS
    )


def release_traditional() -> None:
    """Free the simplified → traditional converter and give its memory back to the system.

    What is derived from it for good (the simplified-only characters) is derived first, so that
    the first Chinese message does not load the converter again (+40 MB for the process's life).
    """
    if _TRADITIONAL not in _converters:
        return
    simplified_only_characters()
    del _converters[_TRADITIONAL]
    return_free_memory()
