"""Simplified/traditional Chinese conversion, done by OpenCC.

Matching works on simplified text (tw2sp also maps Taiwan vocabulary such as 簡訊 → 短信);
replies in traditional Chinese are derived from the simplified source with Taiwan phrasing.

OpenCC's phrase dictionaries are large in memory (s2twp alone holds ~45 MB), and the
traditional converter is only needed while the knowledge base loads: release_traditional()
frees it afterwards so the running bot stays small. Better still, it need not be loaded at
all: bot/kb/conversions.py keeps the conversions (and the simplified-only characters derived
with it) between starts, and adopt_conversions() hands them back here.
"""

from __future__ import annotations

import functools
from importlib import metadata

import opencc

from bot.memory import return_free_memory

_TRADITIONAL = "s2twp"
_converters: dict[str, opencc.OpenCC] = {}
_ever_loaded: set[str] = set()  # for diagnostics and tests: which converters this process loaded
# simplified → traditional, as converted by this process or adopted from the cache; and which
# of them were asked for since the last adoption (what a cache written now should hold).
_traditional: dict[str, str] = {}
_asked: set[str] = set()
_adopted_simplified_only: frozenset[str] | None = None
# The CJK unified ideographs: every character a simplified-only form can be.
_CJK_UNIFIED = range(0x4E00, 0xA000)
# Characters the simplified → traditional conversion changes that traditional writers also use
# in their own right (台北, 公里, 干擾, 人云亦云, surnames 余 于 范): not proof of simplified text.
_SHARED_BY_BOTH_SCRIPTS = frozenset("台里干云余于范丑几")


@functools.cache
def opencc_version() -> str:
    """The installed OpenCC's version: its dictionaries decide every conversion (cache keys)."""
    try:
        return metadata.version("opencc")
    except metadata.PackageNotFoundError:
        return "unknown"


def _converter(config: str) -> opencc.OpenCC:
    converter = _converters.get(config)
    if converter is None:
        converter = _converters[config] = opencc.OpenCC(config)
        _ever_loaded.add(config)
    return converter


def to_simplified(text: str) -> str:
    """Traditional (Taiwan/Hong Kong phrasing included) to simplified Chinese."""
    return str(_converter("tw2sp").convert(text))


def to_traditional(text: str) -> str:
    """Simplified to traditional Chinese with Taiwan phrasing (from memory when converted before)."""
    _asked.add(text)
    converted = _traditional.get(text)
    if converted is None:
        converted = _traditional[text] = str(_converter(_TRADITIONAL).convert(text))
    return converted


def adopt_conversions(traditional: dict[str, str], simplified_only: frozenset[str]) -> None:
    """Take conversions made by an earlier process with this OpenCC (bot/kb/conversions.py)."""
    global _adopted_simplified_only
    _traditional.update(traditional)
    _asked.clear()
    _adopted_simplified_only = simplified_only


def forget_conversions() -> None:
    """Drop every conversion in memory, adopted or made (a saved file turned out untrustworthy)."""
    global _adopted_simplified_only
    _traditional.clear()
    _asked.clear()
    _adopted_simplified_only = None


def conversions_asked() -> dict[str, str]:
    """Every conversion asked for since the last adoption, with its result."""
    return {text: _traditional[text] for text in _asked if text in _traditional}


def converters_ever_loaded() -> frozenset[str]:
    """The OpenCC configurations this process has loaded so far ("s2twp", "tw2sp", "t2s")."""
    return frozenset(_ever_loaded)


def traditional_converter_loaded() -> bool:
    """Whether the (large) simplified → traditional converter is in memory right now."""
    return _TRADITIONAL in _converters


def characters_to_simplified(text: str) -> str:
    """Character-level traditional → simplified, no phrase changes (for telling scripts apart)."""
    return str(_converter("t2s").convert(text))


def simplified_only_characters() -> frozenset[str]:
    """Characters written only in simplified Chinese (们, 这, 销): one settles the script.

    Adopted from the cache when there is one, else derived (see _derive_simplified_only).
    """
    if _adopted_simplified_only is not None:
        return _adopted_simplified_only
    return _derive_simplified_only()


@functools.cache
def _derive_simplified_only() -> frozenset[str]:
    """The simplified-only characters, derived with OpenCC.

    A character is simplified-only when conversion to traditional changes it and conversion
    back to simplified does not: 们 → 們, while 台 or 你 are the same in both scripts.
    Computed once (about 0.1 s) with the traditional converter, about 2,600 characters.
    """
    characters = [chr(code) for code in _CJK_UNIFIED]
    # One character a line, so that phrase tables never join neighbours.
    traditional = str(_converter(_TRADITIONAL).convert("\n".join(characters))).split("\n")
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
