"""What Telegram makes of a message text: parse_mode HTML into entities, automatic entities, limits.

Offsets and lengths are in UTF-16 code units, as in the Bot API. Only parse_mode HTML is
implemented (it is all the bot uses); any other parse_mode is refused with a 400 that says so.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

from fake_telegram.wire import JSON, ApiError

MAX_MESSAGE_LENGTH = 4096

# Telegram's HTML tags and the entity each makes.
_TAGS = {
    **dict.fromkeys(("b", "strong"), "bold"),
    **dict.fromkeys(("i", "em"), "italic"),
    **dict.fromkeys(("u", "ins"), "underline"),
    **dict.fromkeys(("s", "strike", "del"), "strikethrough"),
    **dict.fromkeys(("tg-spoiler", "span"), "spoiler"),
    **{
        "a": "text_link",
        "code": "code",
        "pre": "pre",
        "blockquote": "blockquote",
        "tg-emoji": "custom_emoji",
    },
}
_PIECES = re.compile(r"""<(?:[^<>"']|"[^"]*"|'[^']*')*>|<|[^<]+""")
_TAG = re.compile(
    r"<(/?)([A-Za-z][A-Za-z0-9-]*)((?:\s+[A-Za-z][\w-]*(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>\"']+))?)*)\s*>"
)
_ATTRIBUTE = re.compile(r"""([A-Za-z][\w-]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+)))?""")
# Only these named references are decoded; others stay as written.
_REFERENCE = re.compile(r"&(?:#([0-9]{1,7})|#[xX]([0-9a-fA-F]{1,6})|(lt|gt|amp|quot));")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


def utf16_length(text: str) -> int:
    """Length in UTF-16 code units, Telegram's unit for offsets and limits."""
    return len(text.encode("utf-16-le")) // 2


def _cannot_parse(detail: str, source: str, at: int) -> ApiError:
    offset = len(source[:at].encode())
    return ApiError(400, f"Bad Request: can't parse entities: {detail} at byte offset {offset}")


def _unescape(reference: re.Match[str]) -> str:
    number, hexadecimal, named = reference.groups()
    return chr(int(number)) if number else chr(int(hexadecimal, 16)) if hexadecimal else _NAMED[named]


def parse_html(source: str) -> tuple[str, list[JSON]]:
    """Telegram's HTML subset: plain text and entities, or the 400 Telegram answers."""
    out: list[str] = []
    position = 0  # in UTF-16 units of the plain text
    stack: list[tuple[str, int, dict[str, str]]] = []  # open tags: name, start, attributes
    entities: list[JSON] = []
    for piece in _PIECES.finditer(source):
        if not piece.group().startswith("<"):
            text = _REFERENCE.sub(_unescape, piece.group())
            out.append(text)
            position += utf16_length(text)
            continue
        tag = _TAG.fullmatch(piece.group())
        if tag is None or (tag.group(1) and tag.group(3)):
            raise _cannot_parse("Unclosed or malformed tag", source, piece.start())
        name = tag.group(2).lower()
        if tag.group(1):
            if not stack or stack[-1][0] != name:
                raise _cannot_parse(f'Unmatched end tag "</{name}>"', source, piece.start())
            _, start, attrs = stack.pop()
            if entity := _entity(name, start, position, attrs):
                entities.append(entity)
            continue
        attrs = {
            match.group(1).lower(): html.unescape(match.group(2) or match.group(3) or match.group(4) or "")
            for match in _ATTRIBUTE.finditer(tag.group(3))
        }
        if name not in _TAGS:
            raise _cannot_parse(f'Unsupported start tag "{name}"', source, piece.start())
        if name == "span" and attrs.get("class") != "tg-spoiler":
            raise _cannot_parse('Tag "span" must have class "tg-spoiler"', source, piece.start())
        stack.append((name, position, attrs))
    if stack:
        raise _cannot_parse(
            f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"', source, len(source)
        )
    return "".join(out), sorted_entities(entities)


def _entity(tag: str, start: int, end: int, attrs: dict[str, str]) -> JSON | None:
    """The entity a closed tag makes (none when empty, or a link without href)."""
    entity: JSON = {"offset": start, "length": end - start, "type": _TAGS[tag]}
    if tag == "a":
        entity["url"] = attrs.get("href")
    elif tag == "tg-emoji":
        entity["custom_emoji_id"] = attrs.get("emoji-id", "")
    return entity if end > start and entity.get("url", True) else None


_URL_CHARACTERS = r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]"
_AUTOMATIC: list[tuple[str, re.Pattern[str]]] = [
    ("url", re.compile(rf"(?:https?://|www\.){_URL_CHARACTERS}+", re.IGNORECASE)),
    (
        "bot_command",
        re.compile(r"(?<![A-Za-z0-9_/])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z][A-Za-z0-9_]{2,31})?(?![A-Za-z0-9_/])"),
    ),
    ("mention", re.compile(r"(?<![A-Za-z0-9_@])@[A-Za-z][A-Za-z0-9_]{3,31}(?![A-Za-z0-9_])")),
]
# Telegram detects nothing inside these.
_OPAQUE = frozenset({"code", "pre", "text_link", "text_mention", "url", "custom_emoji", "mention"})


def detect_entities(text: str, existing: Iterable[JSON] = ()) -> list[JSON]:
    """Entities Telegram adds by itself (those the bot reads: /command, @mention, and links)."""
    offsets = [0]
    for character in text:
        offsets.append(offsets[-1] + utf16_length(character))
    taken = [(e["offset"], e["offset"] + e["length"]) for e in existing if e.get("type") in _OPAQUE]
    found: list[JSON] = []
    for kind, pattern in _AUTOMATIC:
        for match in pattern.finditer(text):
            start, end = match.span()
            if kind == "url":  # a sentence's full stop or closing bracket is not part of the link
                while end > start and text[end - 1] in ".,;:!?'\")]}":
                    end -= 1
            begin16, end16 = offsets[start], offsets[end]
            if end16 > begin16 and not any(begin16 < b and a < end16 for a, b in taken):
                taken.append((begin16, end16))
                found.append({"offset": begin16, "length": end16 - begin16, "type": kind})
    return found


def sorted_entities(entities: Iterable[JSON]) -> list[JSON]:
    """In Telegram's order: by offset, the longer first."""
    return sorted(entities, key=lambda e: (e["offset"], -e["length"]))


def message_text(raw: object, parse_mode: object = None, entities: object = None) -> tuple[str, list[JSON]]:
    """The text and entities Telegram stores for a sendMessage / editMessageText, or its 400.

    Markup is parsed first, then surrounding whitespace is stripped (entities follow the
    text), then the limits apply: empty is refused, more than 4,096 UTF-16 units is too long.
    """
    if raw is None or str(raw) == "":
        raise ApiError(400, "Bad Request: message text is empty")
    source = str(raw)
    if isinstance(entities, list):
        plain, parsed = source, [dict(e) for e in entities]
    elif not parse_mode:
        plain, parsed = source, []
    elif str(parse_mode).lower() == "html":
        plain, parsed = parse_html(source)
    else:
        raise ApiError(400, f"Bad Request: fake_telegram implements parse_mode HTML only, not {parse_mode!r}")
    stripped = plain.strip()
    if stripped != plain:
        lead, total = utf16_length(plain[: len(plain) - len(plain.lstrip())]), utf16_length(stripped)
        kept = []
        for entity in parsed:
            start = max(entity["offset"] - lead, 0)
            end = min(entity["offset"] + entity["length"] - lead, total)
            if end > start:
                kept.append({**entity, "offset": start, "length": end - start})
        plain, parsed = stripped, kept
    if not plain:
        raise ApiError(400, "Bad Request: message text is empty")
    if utf16_length(plain) > MAX_MESSAGE_LENGTH:
        raise ApiError(400, "Bad Request: message is too long")
    return plain, sorted_entities([*parsed, *detect_entities(plain, parsed)])
