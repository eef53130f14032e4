"""Personal numbers in messages: spot them (to warn in groups) and redact them (before storing)."""

from __future__ import annotations

import re

# ICCID: 19-20 digits starting with 89, often printed in groups of 4-5.
_ICCID = re.compile(r"(?<!\d)8\s?9(?:[\s-]?\d){17,18}(?!\d)")
# Phone numbers: an optional +country code and 8-15 digits, spaces or dashes between groups.
_PHONE = re.compile(r"(?<![\w+])\+?\d(?:[\s-]?\d){7,14}(?!\d)")
# Passports and ID cards: one or two letters then 6-9 digits (E12345678, AB1234567, J1234567).
_DOCUMENT = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{1,2}\d{6,9}(?![A-Za-z0-9])")
_LONG_DIGITS = re.compile(r"\+?\d(?:[\s-]?\d){5,}")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_HANDLE = re.compile(r"(?<![\w.])@[A-Za-z0-9_]{3,64}")


def looks_personal(text: str) -> bool:
    """Whether a message seems to hold a phone, passport/ID or SIM (ICCID) number."""
    return bool(_ICCID.search(text) or _PHONE.search(text) or _DOCUMENT.search(text))


def redact(text: str) -> str:
    """Replace e-mail addresses, @handles, document numbers and runs of 6+ digits before storing."""
    text = _EMAIL.sub("<email>", text)
    text = _HANDLE.sub("<handle>", text)
    text = _DOCUMENT.sub("<id>", text)
    return _LONG_DIGITS.sub("<number>", text)
