"""From raw user text to a comparable form, and the step references people type.

One pipeline for every adapter: NFKC (which also folds full-width letters and digits),
invisible and control characters dropped, @mentions removed, traditional → simplified
Chinese (Taiwan vocabulary included), lower case, whitespace collapsed.
"""

from __future__ import annotations

import re
import unicodedata

from bot.text.chinese import to_simplified
from bot.text.patterns import HAN, MAX_QUESTION_CHARS, MENTION, strip_invisible
from bot.text.privacy import drop_personal_data

_SPACES = re.compile(r"\s+")


def normalize_text(raw: str) -> str:
    """The comparable form of a message: what matching and follow-up detection look at.

    Personal data (phone, SIM, passport numbers, e-mail addresses — found by the same detector
    that redacts them, bot.text.privacy) are dropped: they mean nothing to matching, and "+355" of a
    phone number would pull towards the section that names the country code.
    """
    text = unicodedata.normalize("NFKC", raw[: MAX_QUESTION_CHARS * 4])
    text = strip_invisible(text)
    text = drop_personal_data(text)  # before mentions: "@example" of ann@example.com is not one
    text = MENTION.sub(" ", text)
    text = (to_simplified(text) if HAN.search(text) else text).lower()
    text = text.replace("。", " ").replace("，", " ")
    # Once more at the end: a character taken out above can leave two combining marks side by
    # side in an order NFKC would swap ("\u0308\u200b\u20e5"), and a second pass must change
    # nothing (found by hypothesis).
    text = unicodedata.normalize("NFKC", text)
    return _SPACES.sub(" ", text).strip()[:MAX_QUESTION_CHARS]


# --- step references -----------------------------------------------------------------------

_CHINESE_DIGITS = {
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
    "十": 10,
}
_ENGLISH_NUMBERS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9,
}  # fmt: skip
_NUM = r"(\d{1,2}(?:\.\d{1,2})?|[一二两三四五六七八九十])"
_EN_NUM = r"(\d{1,2}(?:\.\d{1,2})?|" + "|".join(_ENGLISH_NUMBERS) + r")"
_STEP_PATTERNS = (
    re.compile(r"第\s*" + _NUM + r"\s*(?:个)?\s*(?:步骤|步|部分|阶段)"),
    re.compile(r"步骤\s*" + _NUM),
    re.compile(r"\bstep\s*(?:no\.?|number|#)?\s*" + _EN_NUM + r"\b"),
    re.compile(r"\b" + _EN_NUM + r"(?:st|nd|rd|th)?\s+step\b"),
    re.compile(r"\bpart\s+" + _EN_NUM + r"\b"),
)
_SUB_STEP = re.compile(
    r"第\s*" + _NUM + r"\s*步\s*(?:的|里的|里)?\s*第\s*" + _NUM + r"\s*(?:个)?\s*小?(?:步骤|步)"
)
# A bare "4.1" is a step reference only in a short message ("4.1", "3.2 是什么", "what's 5.2").
_BARE_SUBSTEP = re.compile(r"(?<![\d.])([1-9])\.([1-9])(?![\d.%€$]|\s*(?:欧|元|块|lek|eur|gb|mb|g\b|m\b))")
_BARE_SUBSTEP_MAX_LENGTH = 24


def _number_text(token: str) -> str | None:
    if token in _CHINESE_DIGITS:
        return str(_CHINESE_DIGITS[token])
    if token in _ENGLISH_NUMBERS:
        return str(_ENGLISH_NUMBERS[token])
    if re.fullmatch(r"\d{1,2}(?:\.\d{1,2})?", token):
        whole, _, part = token.partition(".")
        return f"{int(whole)}.{int(part)}" if part else str(int(whole))
    return None


def find_step_reference(normalized: str) -> str | None:
    """The step label a normalised message refers to ("4", "4.1"), or None.

    Recognises 第四步, 第4步, 步骤四, 第四个步骤 (and traditional forms, already converted),
    step 4, step four, 4th step, fourth step, and a bare "4.1" in a short message.
    """
    sub_step = _SUB_STEP.search(normalized)  # 第五步第二小步: 5.2
    if sub_step:
        whole, part = _number_text(sub_step.group(1)), _number_text(sub_step.group(2))
        if whole and part and "." not in whole + part:
            return f"{whole}.{part}"
    for pattern in _STEP_PATTERNS:
        found = pattern.search(normalized)
        if found:
            return _number_text(found.group(1))
    if len(normalized) <= _BARE_SUBSTEP_MAX_LENGTH:
        bare = _BARE_SUBSTEP.search(normalized)
        if bare:
            return f"{bare.group(1)}.{bare.group(2)}"
    return None


def remove_step_reference(normalized: str) -> str:
    """The message without its step reference, to judge whether anything else was asked."""
    for pattern in (*_STEP_PATTERNS, _BARE_SUBSTEP):
        normalized = pattern.sub(" ", normalized)
    return _SPACES.sub(" ", normalized).strip()
