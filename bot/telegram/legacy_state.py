"""TEMPORARY bridge — delete this module (and its two calls in persistence.py) once people.py
stores plain JSON (dicts keyed by str(user id)), which is being rewritten at the time of writing.

Until then people.py keeps `chat_data["people"] = {user_id (int): Context}`, and the persistence
stores JSON only. This converts at that boundary with explicit markers, so plain JSON data is
never altered: a Context is written as {"__context__": {...}} and a dict with int keys as
{"__int_keys__": {"<id>": ...}}; only those markers are turned back on loading.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from bot.answer import Context
from bot.language import parse_language

CONTEXT_MARK = "__context__"
INT_KEYS_MARK = "__int_keys__"


def to_json_compatible(value: Any) -> Any:
    """`value` with Context objects and int-keyed dicts replaced by their marked JSON form."""
    if isinstance(value, Context):
        fields = asdict(value)
        fields["choices"] = list(value.choices)
        return {CONTEXT_MARK: fields}
    if isinstance(value, dict):
        converted = {key: to_json_compatible(item) for key, item in value.items()}
        if converted and all(type(key) is int for key in converted):
            return {INT_KEYS_MARK: {str(key): item for key, item in converted.items()}}
        return converted
    if isinstance(value, list):
        return [to_json_compatible(item) for item in value]
    return value


def from_json(value: Any) -> Any:
    """The inverse of to_json_compatible: marked forms back to Context objects and int keys."""
    if isinstance(value, list):
        return [from_json(item) for item in value]
    if not isinstance(value, dict):
        return value
    if len(value) == 1 and isinstance(value.get(CONTEXT_MARK), dict):
        fields = value[CONTEXT_MARK]
        lang = fields.get("lang")
        return Context(
            section_id=fields.get("section_id"),
            choices=tuple(str(choice) for choice in fields.get("choices") or ()),
            updated_at=float(fields.get("updated_at") or 0.0),
            lang=parse_language(lang) if isinstance(lang, str) else None,
        )
    if len(value) == 1 and isinstance(value.get(INT_KEYS_MARK), dict):
        marked = value[INT_KEYS_MARK]
        if all(key.lstrip("-").isdigit() for key in marked):
            return {int(key): from_json(item) for key, item in marked.items()}
    return {key: from_json(item) for key, item in value.items()}
