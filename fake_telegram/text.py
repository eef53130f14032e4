"""What Telegram makes of a message text: parse_mode HTML into entities, automatic entities, limits.

Offsets and lengths are in UTF-16 code units, as in the Bot API. Only parse_mode HTML is
implemented (it is all the bot uses); any other parse_mode is refused with a 400 that says so.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from fake_telegram.wire import JSON, ApiError

MAX_MESSAGE_LENGTH = 4096

_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_TAG_NAME = re.compile(r"[A-Za-z][A-Za-z0-9-]*")
_ATTRIBUTE = re.compile(r"""([A-Za-z][A-Za-z0-9_-]*)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s>"']+))?""")
_CHARACTER_REFERENCE = re.compile(r"&(?:#([0-9]{1,7})|#[xX]([0-9a-fA-F]{1,6})|(lt|gt|amp|quot));")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_USER_LINK = re.compile(r"tg://user\?id=(\d+)$")


def utf16_length(text: str) -> int:
    """Length in UTF-16 code units, Telegram's unit for offsets and limits."""
    return len(text.encode("utf-16-le")) // 2


def _cannot_parse(detail: str) -> ApiError:
    return ApiError(400, f"Bad Request: can't parse entities: {detail}")


@dataclass
class _Open:
    tag: str
    start: int
    attrs: dict[str, str] = field(default_factory=dict)


def parse_html(source: str) -> tuple[str, list[JSON]]:
    """Telegram's HTML subset: plain text and entities, or the 400 Telegram answers."""
    out: list[str] = []
    position = 0  # in UTF-16 units of the plain text
    stack: list[_Open] = []
    entities: list[JSON] = []
    i, n = 0, len(source)

    def byte_offset(k: int) -> int:
        return len(source[:k].encode())

    while i < n:
        if source[i] == "<":
            start, j = i, i + 1
            closing = source.startswith("/", j)
            j += closing
            name_match = _TAG_NAME.match(source, j)
            if not name_match:
                raise _cannot_parse(f"Unexpected end of name token at byte offset {byte_offset(j)}")
            name, j = name_match.group(0).lower(), name_match.end()
            attrs: dict[str, str] = {}
            while True:
                while j < n and source[j].isspace():
                    j += 1
                if j >= n:
                    raise _cannot_parse(f"Unclosed start tag at byte offset {byte_offset(start)}")
                if source[j] == ">":
                    j += 1
                    break
                attribute = _ATTRIBUTE.match(source, j)
                if closing or not attribute:
                    found = source[j]
                    raise _cannot_parse(
                        f'Expected end of tag at byte offset {byte_offset(j)}, found "{found}"'
                    )
                value = attribute.group(2) or ""
                if value[:1] in {'"', "'"}:
                    value = value[1:-1]
                attrs[attribute.group(1).lower()] = html.unescape(value)
                j = attribute.end()
            if closing:
                if not stack:
                    raise _cannot_parse(f"Unexpected end tag at byte offset {byte_offset(start)}")
                top = stack.pop()
                if top.tag != name:
                    raise _cannot_parse(
                        f'Unmatched end tag at byte offset {byte_offset(start)}, expected "</{top.tag}>", '
                        f'found "</{name}>"'
                    )
                _close(top, position, stack, entities)
            elif name not in _TAGS:
                raise _cannot_parse(f'Unsupported start tag "{name}" at byte offset {byte_offset(start)}')
            elif name == "span" and attrs.get("class") != "tg-spoiler":
                raise _cannot_parse(
                    f'Tag "span" must have class "tg-spoiler" at byte offset {byte_offset(start)}'
                )
            else:
                stack.append(_Open(name, position, attrs))
            i = j
            continue
        character = source[i]
        reference = _CHARACTER_REFERENCE.match(source, i) if character == "&" else None
        if reference:
            number, hexadecimal, named = reference.groups()
            character = (
                chr(int(number)) if number else chr(int(hexadecimal, 16)) if hexadecimal else _NAMED[named]
            )
            i = reference.end()
        else:
            i += 1
        out.append(character)
        position += utf16_length(character)
    if stack:
        raise _cannot_parse(f'Can\'t find end tag corresponding to start tag "{stack[-1].tag}"')
    return "".join(out), entities


def _close(top: _Open, end: int, stack: list[_Open], entities: list[JSON]) -> None:
    kind = _TAGS[top.tag]
    language = top.attrs.get("class", "")
    if kind == "code" and stack and stack[-1].tag == "pre" and language.startswith("language-"):
        stack[-1].attrs["language"] = language.removeprefix("language-")
        return
    if end <= top.start:
        return
    entity: JSON = {"offset": top.start, "length": end - top.start, "type": kind}
    if kind == "text_link":
        href = top.attrs.get("href")
        if not href:
            return
        user = _USER_LINK.match(href)
        if user:
            entity.update(
                type="text_mention", user={"id": int(user.group(1)), "is_bot": False, "first_name": "User"}
            )
        else:
            entity["url"] = href
    elif kind == "pre" and top.attrs.get("language"):
        entity["language"] = top.attrs["language"]
    elif kind == "blockquote" and "expandable" in top.attrs:
        entity["type"] = "expandable_blockquote"
    elif kind == "custom_emoji":
        entity["custom_emoji_id"] = top.attrs.get("emoji-id", "")
    entities.append(entity)


_URL_CHARACTERS = r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]"
_AUTOMATIC: list[tuple[str, re.Pattern[str]]] = [
    (
        "email",
        re.compile(
            r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![A-Za-z0-9-])"
        ),
    ),
    ("url", re.compile(rf"(?:https?://|www\.){_URL_CHARACTERS}+", re.IGNORECASE)),
    (
        "bot_command",
        re.compile(r"(?<![A-Za-z0-9_/])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z][A-Za-z0-9_]{2,31})?(?![A-Za-z0-9_/])"),
    ),
    ("mention", re.compile(r"(?<![A-Za-z0-9_@])@[A-Za-z][A-Za-z0-9_]{3,31}(?![A-Za-z0-9_])")),
    ("hashtag", re.compile(r"(?<![\w#])#(?=\w*[^\W\d])\w+")),
]
# Telegram detects nothing inside these.
_OPAQUE = frozenset({"code", "pre", "text_link", "text_mention", "url", "email", "custom_emoji", "mention"})


def detect_entities(text: str, existing: Iterable[JSON] = ()) -> list[JSON]:
    """Entities Telegram adds by itself: url, email, @mention, #hashtag, /command."""
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
