"""Per-person data as JSON: what may be stored, and what is left out when something else creeps in.

Only JSON values are stored — dicts with str keys, lists, str, int, float (finite), bool, None —
so reading the state back can never run code (a pickle can). A top-level entry holding anything
else is left out of the saved copy (the rest is saved) and reported by type name only, never by
value: a bug that stores an object must not stop the bot saving everyone's state, nor put a
user's data in the log.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

MAX_DEPTH = 64


@dataclass(frozen=True)
class Encoded:
    """One user's or chat's data as JSON text, and the types of the entries left out."""

    text: str
    skipped: tuple[str, ...] = ()


def encode_entry(data: object) -> Encoded:
    """`data` (a dict) as compact JSON text, keeping only its JSON-compatible top-level entries."""
    if not isinstance(data, Mapping):
        return Encoded("{}", (type(data).__name__,))
    kept: dict[str, Any] = {}
    skipped: list[str] = []
    for key, value in data.items():
        problem = type(key).__name__ if not isinstance(key, str) else non_json_type(value)
        if problem is None:
            kept[key] = value
        else:
            skipped.append(problem)
    return Encoded(
        json.dumps(kept, ensure_ascii=False, allow_nan=False, separators=(",", ":")), tuple(skipped)
    )


def decode_entry(text: str) -> dict[str, Any] | None:
    """The dict stored as `text`; None when the text is not a JSON object."""
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


def non_json_type(value: object, depth: int = 0) -> str | None:
    """None if `value` is a JSON value; else the name of the first type in it that is not."""
    if depth > MAX_DEPTH:
        return f"nesting deeper than {MAX_DEPTH}"
    if value is None or isinstance(value, bool | int | str):
        return None
    if isinstance(value, float):
        return None if math.isfinite(value) else "float (not finite)"
    if isinstance(value, list):
        return next((found for item in value if (found := non_json_type(item, depth + 1))), None)
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                return f"{type(key).__name__} key"
            if found := non_json_type(item, depth + 1):
                return found
        return None
    return type(value).__name__
