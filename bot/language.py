"""Which language a message is written in: simplified Chinese, traditional Chinese or English."""

from __future__ import annotations

import re
import unicodedata
from typing import Literal, get_args

from bot.chinese import characters_to_simplified

Lang = Literal["zh-Hans", "zh-Hant", "en"]
LANGUAGES: tuple[Lang, ...] = get_args(Lang)
DEFAULT_LANGUAGE: Lang = "zh-Hans"

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_MENTION = re.compile(r"@\w+")


def parse_language(value: str) -> Lang | None:
    """Map a user's or a client's language code ("en-US", "zh-TW", "zh-hans") to a Lang."""
    code = value.strip().lower().replace("_", "-")
    if code.startswith("en"):
        return "en"
    if code in {"zh-hant", "zh-tw", "zh-hk", "zh-mo"} or code.startswith("zh-hant"):
        return "zh-Hant"
    if code.startswith("zh"):
        return "zh-Hans"
    return None


def has_letters(text: str) -> bool:
    """Whether a text holds any letter (Han characters count) once @mentions are removed."""
    return any(ch.isalpha() for ch in _MENTION.sub(" ", text))


def detect_language(text: str) -> Lang:
    """Guess the language of a message; text with no letters falls back to simplified Chinese.

    Any Han character makes it Chinese (users mix in English terms like "SIM" or "ICCID").
    A character that character-level conversion to simplified changes (遺, 註, 門) exists only
    in traditional writing: one is enough. Text with none (卡, 你好) reads as simplified.
    """
    text = _MENTION.sub(" ", unicodedata.normalize("NFKC", text))
    han = "".join(_HAN.findall(text))
    if han:
        traditional_only = any(a != b for a, b in zip(han, characters_to_simplified(han), strict=False))
        return "zh-Hant" if traditional_only else "zh-Hans"
    if any(ch.isalpha() for ch in text):
        return "en"
    return DEFAULT_LANGUAGE
