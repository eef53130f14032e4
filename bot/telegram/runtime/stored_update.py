"""The copy of an update the journal keeps until it is handled: redacted, yet answered the same.

Everything a person wrote (texts, captions, inline queries, names, a shared contact's phone
number) goes through bot.text.privacy.redact, so no phone, passport or SIM number reaches the disk.

A replayed update must still get the answer the original would have got, and redact's
placeholders would change it: "<number>" reads as the English word "number" to the matcher, and
a group message that held a phone number would lose the warning the bot gives about posting one.
So each placeholder is written back as a neutral stand-in of the same kind — six zeros for a
number, X000000 for a document, x@x.xx for an e-mail address — which the core treats exactly as
it treats the real thing (looks_personal flags it, matching drops it) and which says nothing
about the person. Mentions and /commands are kept verbatim (they are public handles and the
bot's own commands; addressing and command handling read them through their entities), their
entity offsets are recomputed, and formatting entities are dropped: nothing in the bot reads them.
"""

from __future__ import annotations

import copy
from typing import Any

from bot.text.privacy import redact

JSON = dict[str, Any]

# What redact() puts in place of personal data, and what the journal stores instead.
STAND_INS = {"number": "000000", "id": "X000000", "email": "x@x.xx", "handle": "@handle"}
# Fields that hold what a person typed or chose to show, at any depth of an update.
_FREE_TEXT = frozenset(
    {"query", "phone_number", "first_name", "last_name", "title", "question", "address", "vcard"}
)
# Texts that come with entities: (text field, its entities field).
_TEXTS_WITH_ENTITIES = (("text", "entities"), ("caption", "caption_entities"))
# Entities the bot reads (addressing, commands); their text is kept as it is.
_KEPT_ENTITIES = frozenset({"mention", "bot_command", "text_mention"})


def redacted_update(update: JSON) -> JSON:
    """A deep copy of `update` (Bot API JSON) with every user-written text redacted."""
    copied = copy.deepcopy(update)
    _redact_in_place(copied)
    return copied


def redact_plain(text: str) -> str:
    """redact() with the stand-ins in place of what it removes (see the module docstring); a
    "<number>" the person typed stays as typed."""
    return redact(text, STAND_INS.__getitem__)


def _redact_in_place(node: object) -> None:
    if isinstance(node, list):
        for item in node:
            _redact_in_place(item)
        return
    if not isinstance(node, dict):
        return
    for text_key, entities_key in _TEXTS_WITH_ENTITIES:
        text = node.get(text_key)
        if isinstance(text, str):
            node[text_key], entities = redact_with_entities(text, node.get(entities_key))
            if entities:
                node[entities_key] = entities
            else:
                node.pop(entities_key, None)
    for key, value in node.items():
        if key in _FREE_TEXT and isinstance(value, str):
            node[key] = redact_plain(value)
        elif isinstance(value, dict | list):
            _redact_in_place(value)


def redact_with_entities(text: str, entities: object) -> tuple[str, list[JSON]]:
    """The text redacted around the kept entities (kept verbatim), with their new offsets.

    Offsets count UTF-16 code units, as Telegram's do. Entities that overlap, fall outside the
    text or are not well formed are dropped; the text around them is still redacted.
    """
    units = text.encode("utf-16-le")
    kept = sorted(
        (entity for entity in _well_formed(entities, len(units) // 2) if entity["type"] in _KEPT_ENTITIES),
        key=lambda entity: int(entity["offset"]),
    )
    pieces: list[str] = []
    written = 0  # UTF-16 units in `pieces`
    position = 0  # UTF-16 units of `text` consumed
    moved: list[JSON] = []
    for entity in kept:
        start, end = int(entity["offset"]), int(entity["offset"]) + int(entity["length"])
        if start < position:
            continue  # overlaps the previous kept entity
        before = redact_plain(_slice(units, position, start))
        verbatim = _slice(units, start, end)
        pieces += [before, verbatim]
        written += _utf16_length(before)
        moved.append({**entity, "offset": written})
        written += _utf16_length(verbatim)
        position = end
    pieces.append(redact_plain(_slice(units, position, len(units) // 2)))
    return "".join(pieces), moved


def _well_formed(entities: object, length: int) -> list[JSON]:
    if not isinstance(entities, list):
        return []
    return [
        entity
        for entity in entities
        if isinstance(entity, dict)
        and isinstance(entity.get("type"), str)
        and isinstance(entity.get("offset"), int)
        and isinstance(entity.get("length"), int)
        and entity["offset"] >= 0
        and entity["length"] > 0
        and entity["offset"] + entity["length"] <= length
    ]


def _slice(units: bytes, start: int, end: int) -> str:
    return units[2 * start : 2 * end].decode("utf-16-le", errors="replace")


def _utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le", errors="replace")) // 2
