"""Personal data in messages: one detector that both warns in groups and redacts before storing.

People write numbers the way they read them: `069.123.4567`, `069 – 123 – 4567`,
`零六九一二三四五六七`, `zero six nine one two three…`, `name [at] example [dot] com`,
`a.b at example dot com`. The text is first brought to one form
(NFKC folds full-width digits and letters; invisible format characters such as zero-width
spaces are dropped, so they cannot split a number), then three kinds of personal data are
masked: e-mail addresses, document numbers (letters and digits), and runs of digits.

A run of digits is personal from PERSONAL_DIGITS_MIN digits on, whatever separates its groups;
years (2024), prices (2.5, 500) and step numbers (4.1) are shorter and stay readable.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

from bot.text.patterns import strip_invisible

# Six digits: the shortest subscriber numbers, passport and PUK numbers are longer; a year,
# a price or a step label is shorter.
PERSONAL_DIGITS_MIN = 6

# Chinese numerals people use to write a number digit by digit (幺 is "one" read aloud in
# phone numbers; 壹贰叁… are the banking forms), simplified and traditional.
CHINESE_DIGITS = "〇零幺一二两兩三四五六七八九壹贰貳叁參肆伍陆陸柒捌玖"
# English digit words, as a number is read out ("oh" for zero); whole words only ("done").
WORD_DIGITS = ("zero", "oh", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_WORD_DIGIT = rf"(?<![A-Za-z])(?:{'|'.join(WORD_DIGITS)})(?![A-Za-z])"
_DIGIT = rf"(?:[\d{CHINESE_DIGITS}]|{_WORD_DIGIT})"
# Between the groups of one number: any run of spaces, . / · and dashes (hyphen, non-breaking
# hyphen, figure dash, en dash, em dash, bar, minus); also 。 and ， (a Chinese keyboard types
# them for . and , and normalize_text turns them into spaces before storing).
_SEPARATOR = r"[\s./·。，\-\u2010\u2011\u2012\u2013\u2014\u2015\u2212]+"
# 18-character Chinese resident IDs end in a digit or X: the X belongs to the number.
_DIGIT_RUN = re.compile(rf"\+?{_DIGIT}(?:(?:{_SEPARATOR})?{_DIGIT})*(?:[Xx](?![A-Za-z0-9]))?", re.IGNORECASE)
_COUNTED_DIGIT = re.compile(_DIGIT, re.IGNORECASE)
# "4.1 4.2 4.3", "1.5 2.5 3.5": step labels and prices side by side, not one number.
_SHORT_DECIMAL = re.compile(r"\d{1,2}\.\d{1,2}")

# Passports and ID cards: one or two letters, 6-9 digits, maybe a closing letter
# (E12345678, AB1234567, I12345678A).
_DOCUMENT = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{1,2}\d{6,9}[A-Za-z]?(?![A-Za-z0-9])")

# E-mail addresses, also with the at and the dots spelt out: name (at) example [dot] com.
_OPEN, _CLOSE = r"[(\[{<【]", r"[)\]}>】]"
_AT = rf"(?:@|\s*{_OPEN}\s*(?:at|@)\s*{_CLOSE}\s*)"
_DOT = rf"(?:\.|\s*{_OPEN}\s*(?:dot|\.)\s*{_CLOSE}\s*)"
_LOCAL_PART = r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+"  # starts where a word starts: linear time
_EMAIL = re.compile(rf"{_LOCAL_PART}{_AT}[A-Za-z0-9-]+(?:{_DOT}[A-Za-z0-9-]+)+", re.IGNORECASE)
# With bare words ("a.b at example dot com") only before a common ending: "look at step dot four"
# is a question, not an address.
_COMMON_ENDINGS = "com|net|org|edu|gov|info|io|me|co|al|cn|tw|hk|mo|uk|de|it|fr|eu|us"
_EMAIL_IN_WORDS = re.compile(
    rf"{_LOCAL_PART}\s+at\s+[A-Za-z0-9-]+(?:\s+dot\s+[A-Za-z0-9-]+)*\s+dot\s+(?:{_COMMON_ENDINGS})(?![A-Za-z0-9])",
    re.IGNORECASE,
)

# Nothing below can match without one of these: a fast way out for ordinary text.
_MAYBE_PERSONAL = re.compile(rf"{_DIGIT}|@|{_OPEN}\s*at|\sat\s", re.IGNORECASE)

# Telegram @handles are public, so not a reason to warn, but nothing to keep either.
_HANDLE = re.compile(r"(?<![\w.])@[A-Za-z0-9_]{3,64}")


def looks_personal(text: str) -> bool:
    """Whether a message seems to hold an e-mail address, a document, phone or SIM number."""
    prepared = _prepared(text)
    return _mask_personal(prepared) != prepared


def redact(text: str, placeholder: Callable[[str], str] = lambda kind: f"<{kind}>") -> str:
    """The text with e-mail addresses, documents, long numbers and @handles replaced by
    placeholder(kind): <email>, <id>, <number>, <handle> unless the caller wants other stand-ins
    (the journal's, which must read as the same message again).

    The result is in NFKC form without invisible characters (it is stored normalised anyway).
    """
    handle = placeholder("handle")
    return _HANDLE.sub(lambda _found: handle, _mask_personal(_prepared(text), placeholder))


def drop_personal_data(text: str) -> str:
    """The text with every e-mail address, document number and long number taken out (for matching)."""
    return _mask_personal(text, lambda _kind: " ")


def _prepared(text: str) -> str:
    """What normalize_text would see: whatever it drops must not hide a number from us."""
    return strip_invisible(unicodedata.normalize("NFKC", text))


def _mask_personal(text: str, placeholder: Callable[[str], str] = lambda kind: f"<{kind}>") -> str:
    """The one detector: what it replaces is what looks_personal reports."""
    if not _MAYBE_PERSONAL.search(text):  # most messages: no digit, no @, no spelt-out "at"
        return text
    text = _EMAIL.sub(placeholder("email"), text)
    text = _EMAIL_IN_WORDS.sub(placeholder("email"), text)
    text = _DOCUMENT.sub(placeholder("id"), text)
    number = placeholder("number")
    return _DIGIT_RUN.sub(lambda run: number if _is_personal_number(run.group(0)) else run.group(0), text)


def _is_personal_number(text: str) -> bool:
    if len(_COUNTED_DIGIT.findall(text)) < PERSONAL_DIGITS_MIN:
        return False
    return not all(_SHORT_DECIMAL.fullmatch(token) for token in text.split())
