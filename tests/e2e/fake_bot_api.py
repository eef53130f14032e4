"""A fake Telegram Bot API HTTP server for end-to-end tests of the python-telegram-bot bot.

The fake speaks the real wire protocol: python-telegram-bot (PTB) talks to it over HTTP exactly as
it talks to ``api.telegram.org``, so everything between the bot's handlers and the socket (PTB's
request layer, JSON decoding, ``Update.de_json``, polling, error mapping) is exercised for real.

Usage in a fixture (``tests/e2e/conftest.py``)::

    import pytest
    from telegram.ext import Application

    from tests.e2e.fake_bot_api import FakeBotApi

    TOKEN = "123456789:AAE2eTestTokenForTheFakeBotApiServer"

    @pytest.fixture
    async def api():
        async with FakeBotApi(token=TOKEN, username="SimHelpBot") as fake:
            yield fake

    @pytest.fixture
    async def app(api):
        application = (
            Application.builder()
            .token(api.token)
            .base_url(api.base_url)
            .base_file_url(api.base_file_url)
            .build()
        )
        # ... register the bot's handlers on `application` here ...
        async with application:  # initialize() -> getMe
            await application.updater.start_polling(poll_interval=0, timeout=1)
            await application.start()
            yield application
            await application.updater.stop()
            await application.stop()

    async def test_start(api, app):
        mark = api.mark()
        api.inject_message("/start", user_id=42)
        [reply] = await api.wait_for_sent(chat_id=42, since=mark)
        assert "SIM" in reply["text"]

Behaviour worth knowing (it mirrors Telegram, so the bot's bugs show up here):

* Chats must be known before the bot can write to them: ``inject_*`` registers the chat (and the
  user); ``ensure_chat()`` registers one explicitly. Unknown chat -> 400 "Bad Request: chat not
  found". ``block_user()`` makes sends to that private chat fail with 403.
* Message text goes through Telegram's formatting: ``parse_mode`` HTML / MarkdownV2 / Markdown is
  parsed into ``entities`` (UTF-16 offsets), invalid markup is a 400 "can't parse entities" (e.g.
  ``<br>`` in HTML, an unescaped ``.`` in MarkdownV2), leading/trailing whitespace is stripped,
  more than 4096 UTF-16 units is "message is too long", and url / email / @mention / #hashtag /
  /command entities are detected automatically.
* Only inline keyboards are echoed back in ``reply_markup`` (reply keyboards are not part of a
  Message). ``editMessageText`` without ``reply_markup`` removes the inline keyboard, as Telegram
  does.
* In a forum supergroup a topic message carries ``message_thread_id``, ``is_topic_message`` and,
  unless it is a real reply, ``reply_to_message`` = the topic's ``forum_topic_created`` service
  message (a Telegram quirk that trips bots which treat "has reply_to_message" as "is a reply").
* ``getUpdates`` implements offset confirmation, negative offsets, ``limit``, long polling and
  ``allowed_updates`` (updates of a type that is not allowed are dropped at delivery time; by
  default chat_member / message_reaction / message_reaction_count are not delivered, as in
  Telegram). A second concurrent ``getUpdates`` ends the first with 409, and an active webhook
  makes ``getUpdates`` fail with 409.
* Callback / inline query ids must come from injected queries and can be answered once; anything
  else is 400 "query is too old and response timeout expired or query ID is invalid".
* ``calls`` are recorded when a request is answered (so ``sent()`` is up to date when a wait
  returns); ``Call.at`` is the arrival time. Every request is recorded, including rejected ones.
  A long poll that PTB abandons on shutdown is recorded with status 499 (``Call.abandoned``);
  ``failed_calls()`` lists the calls that really got an error.
* PTB turns error descriptions into exception messages by removing "Bad Request: " and calling
  ``str.capitalize()`` (everything after the first letter is lower-cased), so match them with
  ``pytest.raises(BadRequest, match=r"(?i)message is not modified")``.

Main API (all ``inject_*`` are synchronous and return the Update dict):

* ``inject_message(text, *, chat_id=None, user_id=None, chat_type="private", first_name="Ann",
  username=None, language_code="zh-hans", chat_title=None, message_thread_id=None,
  is_topic_message=False, reply_to_message_id=None, entities=None, edited=False,
  message_id=None, from_bot=False)``; ``inject_media(kind, *, caption=None, content=None, ...)``;
  ``inject_callback_query(data, *, message, user_id=None)``;
  ``inject_inline_query(query, *, user_id, offset="")``; ``inject_raw(update)``.
* ``calls``, ``calls_of(method, since=0)``, ``sent(chat_id=None, since=0)``, ``sent_texts()``,
  ``last_sent()``, ``message(chat_id, message_id)``, ``mark()``, ``pending_updates``,
  ``my_commands(scope, language_code)``.
* ``await wait_for(predicate_on_call, timeout=5.0, since=0)``, ``await wait_for_calls(method,
  count, timeout, since=0)``, ``await wait_for_sent(chat_id, count, timeout, since=0)``,
  ``await wait_until(condition)``, ``await wait_delivered(update)``.
* ``fail_next(method, *, status, description=None, retry_after=None, times=1)``,
  ``delay_next(method, seconds)``, ``drop_next(method, processed=False)``,
  ``malformed_next(method, processed=False)``; ``method="*"`` matches any method.

Waiting never sleeps in a loop: every recorded call and every injection sets an ``asyncio.Event``
that the waiters (and long-polling ``getUpdates`` requests) are blocked on. Use the fake from the
event loop that runs it (it is not thread-safe).
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import copy
import html
import json
import re
import socket
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Literal, Self, TypeVar, cast

from aiohttp import web

__all__ = [
    "Call",
    "ChatType",
    "FakeBotApi",
    "Fault",
    "MediaKind",
    "format_text",
]

JSON = dict[str, Any]
T = TypeVar("T")
ChatType = Literal["private", "group", "supergroup", "channel"]
MediaKind = Literal[
    "photo",
    "sticker",
    "voice",
    "audio",
    "document",
    "video",
    "animation",
    "video_note",
    "location",
    "contact",
]

DEFAULT_TOKEN = "123456789:AAE2eTestTokenForTheFakeBotApiServer"

# Update types Telegram does not deliver unless they are listed in ``allowed_updates``.
_NOT_DELIVERED_BY_DEFAULT = frozenset({"chat_member", "message_reaction", "message_reaction_count"})

_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
_QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"

_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)

# Parameters whose form value is a plain string. Every other form value is JSON (numbers, booleans,
# objects and arrays are JSON-encoded by PTB), falling back to the raw string when it isn't JSON.
_STRING_PARAMS = frozenset(
    {
        "action",
        "address",
        "animation",
        "audio",
        "business_connection_id",
        "callback_query_id",
        "caption",
        "currency",
        "custom_title",
        "data",
        "description",
        "document",
        "emoji",
        "error_message",
        "explanation",
        "explanation_parse_mode",
        "file_id",
        "first_name",
        "foursquare_id",
        "foursquare_type",
        "game_short_name",
        "google_place_id",
        "google_place_type",
        "icon_custom_emoji_id",
        "inline_message_id",
        "inline_query_id",
        "ip_address",
        "language_code",
        "last_name",
        "message_effect_id",
        "name",
        "next_offset",
        "parse_mode",
        "payload",
        "performer",
        "phone_number",
        "photo",
        "pre_checkout_query_id",
        "provider_token",
        "query",
        "question",
        "question_parse_mode",
        "secret_token",
        "shipping_query_id",
        "short_description",
        "start_parameter",
        "sticker",
        "sticker_set_name",
        "switch_pm_parameter",
        "switch_pm_text",
        "text",
        "thumbnail",
        "title",
        "url",
        "vcard",
        "video",
        "video_note",
        "voice",
        "web_app_query_id",
    }
)


# --------------------------------------------------------------------------------------------
# Records and faults
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Call:
    """One request the bot made.

    ``params`` are decoded: JSON-encoded form values (numbers, booleans, ``reply_markup``,
    ``allowed_updates``, ``commands``, ``results``, ...) are Python objects, strings stay strings,
    uploaded files are ``{"filename", "content_type", "content"}`` dicts.
    """

    method: str
    params: dict[str, Any]
    at: float
    http_method: str = "POST"
    status: int = 200
    result: Any = None
    error: str | None = None
    fault: str | None = None

    @property
    def ok(self) -> bool:
        """The bot got a successful answer."""
        return self.status == 200 and self.error is None and self.fault is None

    @property
    def abandoned(self) -> bool:
        """The bot closed the connection before the answer (status 499), e.g. a long poll that
        PTB cancelled on shutdown."""
        return self.status == 499


FaultKind = Literal["error", "delay", "drop", "malformed"]


@dataclass
class Fault:
    """A scripted misbehaviour for the next request(s) of one method (``"*"`` = any method)."""

    kind: FaultKind
    method: str
    times: int = 1
    status: int = 500
    description: str | None = None
    retry_after: int | None = None
    seconds: float = 0.0
    processed: bool = False
    body: bytes = b'{"ok":true,"result":{"message_id":'


@dataclass(frozen=True)
class _SentRecord:
    call_index: int
    method: str
    message: JSON


class _Abandoned(Exception):
    """The client closed the connection while the request was pending."""


_CURRENT_REQUEST: contextvars.ContextVar[web.Request | None] = contextvars.ContextVar(
    "fake_bot_api_request", default=None
)


class _ApiError(Exception):
    def __init__(self, code: int, description: str, parameters: JSON | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters


@dataclass
class _Result:
    value: Any
    description: str | None = None


@dataclass
class _MethodSpec:
    name: str
    handler: Callable[[JSON], Any]
    is_async: bool = False


@dataclass
class _FileEntry:
    file_id: str
    file_unique_id: str
    file_path: str
    content: bytes


@dataclass
class _Open:
    tag: str
    kind: str
    start: int
    byte_offset: int
    attrs: dict[str, str] = field(default_factory=dict)


# --------------------------------------------------------------------------------------------
# Text formatting (parse_mode) and automatic entities
# --------------------------------------------------------------------------------------------


def _u16(text: str) -> int:
    """Length of ``text`` in UTF-16 code units (Telegram's unit for entity offsets)."""
    return len(text.encode("utf-16-le")) // 2


def _parse_error(detail: str) -> _ApiError:
    return _ApiError(400, f"Bad Request: can't parse entities: {detail}")


_HTML_TAGS: dict[str, str] = {
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
_TAG_NAME_RE = re.compile(r"[A-Za-z][A-Za-z0-9-]*")
_ATTR_RE = re.compile(r"""([A-Za-z][A-Za-z0-9_-]*)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s>"']+))?""")
_HTML_ENTITY_RE = re.compile(r"&(?:#([0-9]{1,7})|#[xX]([0-9a-fA-F]{1,6})|(lt|gt|amp|quot));")
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_USER_LINK_RE = re.compile(r"tg://user\?id=(\d+)$")
_EMOJI_LINK_RE = re.compile(r"tg://emoji\?id=(\d+)$")


def _link_entity(url: str, start: int, length: int) -> JSON:
    user = _USER_LINK_RE.match(url)
    if user:
        user_obj = {"id": int(user.group(1)), "is_bot": False, "first_name": "User"}
        return {"offset": start, "length": length, "type": "text_mention", "user": user_obj}
    return {"offset": start, "length": length, "type": "text_link", "url": url}


def _parse_html(src: str) -> tuple[str, list[JSON]]:
    out: list[str] = []
    pos = 0
    stack: list[_Open] = []
    entities: list[JSON] = []
    i, n = 0, len(src)

    def byte_offset(k: int) -> int:
        return len(src[:k].encode("utf-8"))

    while i < n:
        c = src[i]
        if c == "<":
            start = i
            j = i + 1
            closing = j < n and src[j] == "/"
            if closing:
                j += 1
            name_match = _TAG_NAME_RE.match(src, j)
            if not name_match:
                raise _parse_error(f"Unexpected end of name token at byte offset {byte_offset(j)}")
            name = name_match.group(0).lower()
            j = name_match.end()
            attrs: dict[str, str] = {}
            while True:
                while j < n and src[j].isspace():
                    j += 1
                if j >= n:
                    raise _parse_error(f"Unclosed start tag at byte offset {byte_offset(start)}")
                if src[j] == ">":
                    j += 1
                    break
                attr = _ATTR_RE.match(src, j)
                if closing or not attr:
                    raise _parse_error(
                        f'Expected end of tag at byte offset {byte_offset(j)}, found "{src[j]}"'
                    )
                value = attr.group(2) or ""
                if value[:1] in {'"', "'"}:
                    value = value[1:-1]
                attrs[attr.group(1).lower()] = html.unescape(value)
                j = attr.end()
            if closing:
                if not stack:
                    raise _parse_error(f"Unexpected end tag at byte offset {byte_offset(start)}")
                top = stack.pop()
                if top.tag != name:
                    raise _parse_error(
                        f"Unmatched end tag at byte offset {byte_offset(start)}, "
                        f'expected "</{top.tag}>", found "</{name}>"'
                    )
                _close_html_entity(top, pos, stack, entities)
            else:
                if name not in _HTML_TAGS:
                    raise _parse_error(f'Unsupported start tag "{name}" at byte offset {byte_offset(start)}')
                if name == "span" and attrs.get("class") != "tg-spoiler":
                    raise _parse_error(
                        f'Tag "span" must have class "tg-spoiler" at byte offset {byte_offset(start)}'
                    )
                stack.append(_Open(name, _HTML_TAGS[name], pos, byte_offset(start), attrs))
            i = j
            continue
        if c == "&":
            ent = _HTML_ENTITY_RE.match(src, i)
            if ent:
                if ent.group(1):
                    ch = chr(int(ent.group(1)))
                elif ent.group(2):
                    ch = chr(int(ent.group(2), 16))
                else:
                    ch = _NAMED_ENTITIES[ent.group(3)]
                out.append(ch)
                pos += _u16(ch)
                i = ent.end()
                continue
        out.append(c)
        pos += _u16(c)
        i += 1
    if stack:
        raise _parse_error(f'Can\'t find end tag corresponding to start tag "{stack[-1].tag}"')
    return "".join(out), entities


def _close_html_entity(top: _Open, pos: int, stack: list[_Open], entities: list[JSON]) -> None:
    length = pos - top.start
    language = top.attrs.get("class", "")
    if top.kind == "code" and stack and stack[-1].kind == "pre" and language.startswith("language-"):
        stack[-1].attrs["_language"] = language.removeprefix("language-")
        return
    if length <= 0:
        return
    entity: JSON = {"offset": top.start, "length": length, "type": top.kind}
    if top.kind == "text_link":
        href = top.attrs.get("href")
        if not href:
            return
        entity = _link_entity(href, top.start, length)
    elif top.kind == "pre" and top.attrs.get("_language"):
        entity["language"] = top.attrs["_language"]
    elif top.kind == "blockquote" and "expandable" in top.attrs:
        entity["type"] = "expandable_blockquote"
    elif top.kind == "custom_emoji":
        entity["custom_emoji_id"] = top.attrs.get("emoji-id", "")
    entities.append(entity)


_MDV2_RESERVED = frozenset("_*[]()~`>#+-=|{}.!")
_MDV2_NAMES = {
    "bold": "Bold",
    "italic": "Italic",
    "underline": "Underline",
    "strikethrough": "Strikethrough",
    "spoiler": "Spoiler",
    "text_link": "TextUrl",
    "custom_emoji": "CustomEmoji",
}


def _parse_markdown_v2(src: str) -> tuple[str, list[JSON]]:
    out: list[str] = []
    pos = 0
    stack: list[_Open] = []
    entities: list[JSON] = []
    i, n = 0, len(src)
    line_start = True
    quote_start: int | None = None
    quote_end = 0

    def byte_offset(k: int) -> int:
        return len(src[:k].encode("utf-8"))

    def emit(text: str) -> None:
        nonlocal pos
        out.append(text)
        pos += _u16(text)

    def toggle(kind: str) -> None:
        if stack and stack[-1].kind == kind:
            top = stack.pop()
            if pos > top.start:
                entities.append({"offset": top.start, "length": pos - top.start, "type": kind})
        elif any(o.kind == kind for o in stack):
            top = stack[-1]
            raise _parse_error(
                f"Can't find end of {_MDV2_NAMES.get(top.kind, top.kind)} entity at byte offset "
                f"{top.byte_offset}"
            )
        else:
            stack.append(_Open(kind, kind, pos, byte_offset(i)))

    while i < n:
        c = src[i]
        if line_start:
            line_start = False
            if c == ">":
                if quote_start is None:
                    quote_start = pos
                i += 1
                continue
            if quote_start is not None:
                if quote_end > quote_start:
                    entities.append(
                        {"offset": quote_start, "length": quote_end - quote_start, "type": "blockquote"}
                    )
                quote_start = None
        if c == "\n":
            quote_end = pos
            emit(c)
            i += 1
            line_start = True
            continue
        if c == "\\":
            if i + 1 < n and 1 <= ord(src[i + 1]) <= 126:
                emit(src[i + 1])
                i += 2
            else:
                emit(c)
                i += 1
            continue
        if c == "`":
            is_pre = src.startswith("```", i)
            fence = "```" if is_pre else "`"
            j = i + len(fence)
            body: list[str] = []
            while j < n and not src.startswith(fence, j):
                if src[j] == "\\" and j + 1 < n and src[j + 1] in "`\\":
                    body.append(src[j + 1])
                    j += 2
                else:
                    body.append(src[j])
                    j += 1
            if j >= n:
                kind = "Pre" if is_pre else "Code"
                raise _parse_error(f"Can't find end of {kind} entity at byte offset {byte_offset(i)}")
            content = "".join(body)
            language = ""
            if is_pre and "\n" in content:
                first, rest = content.split("\n", 1)
                if first and not first.isspace():
                    language, content = first.strip(), rest
            start = pos
            emit(content)
            if pos > start:
                entity: JSON = {
                    "offset": start,
                    "length": pos - start,
                    "type": "pre" if is_pre else "code",
                }
                if language:
                    entity["language"] = language
                entities.append(entity)
            i = j + len(fence)
            continue
        if c == "*":
            toggle("bold")
            i += 1
            continue
        if c == "_":
            if src.startswith("__", i):
                toggle("underline")
                i += 2
            else:
                toggle("italic")
                i += 1
            continue
        if c == "~":
            toggle("strikethrough")
            i += 1
            continue
        if c == "|" and src.startswith("||", i):
            toggle("spoiler")
            i += 2
            continue
        if c == "!" and src.startswith("![", i):
            stack.append(_Open("![", "custom_emoji", pos, byte_offset(i)))
            i += 2
            continue
        if c == "[":
            stack.append(_Open("[", "text_link", pos, byte_offset(i)))
            i += 1
            continue
        if c == "]" and stack and stack[-1].tag in {"[", "!["}:
            top = stack.pop()
            if not src.startswith("(", i + 1):
                raise _parse_error(
                    f"Can't find end of {_MDV2_NAMES[top.kind]} entity at byte offset {top.byte_offset}"
                )
            j = i + 2
            url_chars: list[str] = []
            while j < n and src[j] != ")":
                if src[j] == "\\" and j + 1 < n:
                    url_chars.append(src[j + 1])
                    j += 2
                else:
                    url_chars.append(src[j])
                    j += 1
            if j >= n:
                raise _parse_error(f"Can't find end of a URL at byte offset {byte_offset(i + 1)}")
            url = "".join(url_chars)
            length = pos - top.start
            if length > 0:
                if top.kind == "custom_emoji":
                    emoji = _EMOJI_LINK_RE.match(url)
                    entities.append(
                        {
                            "offset": top.start,
                            "length": length,
                            "type": "custom_emoji",
                            "custom_emoji_id": emoji.group(1) if emoji else "",
                        }
                    )
                else:
                    entities.append(_link_entity(url, top.start, length))
            i = j + 1
            continue
        if c in _MDV2_RESERVED:
            raise _parse_error(f"Character '{c}' is reserved and must be escaped with the preceding '\\'")
        emit(c)
        i += 1
    if stack:
        top = stack[-1]
        raise _parse_error(
            f"Can't find end of {_MDV2_NAMES.get(top.kind, top.kind)} entity at byte offset {top.byte_offset}"
        )
    if quote_start is not None and pos > quote_start:
        entities.append({"offset": quote_start, "length": pos - quote_start, "type": "blockquote"})
    return "".join(out), entities


def _parse_markdown(src: str) -> tuple[str, list[JSON]]:
    """Legacy ``Markdown``: *bold*, _italic_, `code`, ```pre```, [text](url); no nesting."""
    out: list[str] = []
    pos = 0
    entities: list[JSON] = []
    i, n = 0, len(src)

    def byte_offset(k: int) -> int:
        return len(src[:k].encode("utf-8"))

    def emit(text: str) -> None:
        nonlocal pos
        out.append(text)
        pos += _u16(text)

    def unclosed(k: int) -> _ApiError:
        return _parse_error(f"Can't find end of the entity starting at byte offset {byte_offset(k)}")

    while i < n:
        c = src[i]
        if c == "\\" and i + 1 < n and src[i + 1] in "_*`[":
            emit(src[i + 1])
            i += 2
            continue
        if c in "*_`" or c == "[":
            start = pos
            if c == "`" and src.startswith("```", i):
                end = src.find("```", i + 3)
                if end < 0:
                    raise unclosed(i)
                content = src[i + 3 : end]
                language = ""
                if "\n" in content:
                    first, rest = content.split("\n", 1)
                    if first.strip():
                        language, content = first.strip(), rest
                emit(content)
                if pos > start:
                    entity: JSON = {"offset": start, "length": pos - start, "type": "pre"}
                    if language:
                        entity["language"] = language
                    entities.append(entity)
                i = end + 3
                continue
            if c == "[":
                close = src.find("](", i + 1)
                end = src.find(")", close + 2) if close >= 0 else -1
                if close < 0 or end < 0:
                    raise unclosed(i)
                emit(src[i + 1 : close])
                if pos > start:
                    entities.append(_link_entity(src[close + 2 : end], start, pos - start))
                i = end + 1
                continue
            end = src.find(c, i + 1)
            if end < 0:
                raise unclosed(i)
            emit(src[i + 1 : end])
            kind = {"*": "bold", "_": "italic", "`": "code"}[c]
            if pos > start:
                entities.append({"offset": start, "length": pos - start, "type": kind})
            i = end + 1
            continue
        emit(c)
        i += 1
    return "".join(out), entities


_URL_CHARS = r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]"
_TLDS = "com|org|net|al|io|info|biz|gov|edu|eu|uk|de|fr|it|gr|cn|hk|tw|mo|sg|me|app|dev|ly|co|tv|ru"
_AUTO_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (
        "email",
        re.compile(
            r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*"
            r"\.[A-Za-z]{2,}(?![A-Za-z0-9-])"
        ),
    ),
    ("url", re.compile(rf"(?:(?:https?|ftp)://|www\.){_URL_CHARS}+", re.IGNORECASE)),
    (
        "url",
        re.compile(
            rf"(?<![A-Za-z0-9@./_-])(?:[A-Za-z0-9](?:[A-Za-z0-9-]{{0,61}}[A-Za-z0-9])?\.)+"
            rf"(?:{_TLDS})(?::\d{{1,5}})?(?:/{_URL_CHARS}*)?(?![A-Za-z0-9_-])",
            re.IGNORECASE,
        ),
    ),
    (
        "bot_command",
        re.compile(
            r"(?<![A-Za-z0-9_/])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z][A-Za-z0-9_]{2,31})?"
            r"(?![A-Za-z0-9_/])"
        ),
    ),
    ("mention", re.compile(r"(?<![A-Za-z0-9_@])@[A-Za-z][A-Za-z0-9_]{3,31}(?![A-Za-z0-9_])")),
    ("hashtag", re.compile(r"(?<![\w#])#(?=\w*[^\W\d])\w+")),
    ("cashtag", re.compile(r"(?<![\w$])\$[A-Z]{1,8}(?!\w)")),
]
_NO_AUTODETECT_INSIDE = frozenset(
    {"code", "pre", "text_link", "text_mention", "url", "email", "custom_emoji", "mention"}
)
_TRAILING_URL_PUNCT = ".,;:!?'\")]}"


def detect_entities(text: str, existing: Iterable[JSON] = ()) -> list[JSON]:
    """Entities Telegram adds on its own: url, email, mention, hashtag, cashtag, bot_command.

    Regions covered by ``existing`` code/pre/link entities are skipped. Offsets are UTF-16.
    """
    offsets = [0]
    for ch in text:
        offsets.append(offsets[-1] + _u16(ch))
    taken: list[tuple[int, int]] = [
        (e["offset"], e["offset"] + e["length"]) for e in existing if e.get("type") in _NO_AUTODETECT_INSIDE
    ]
    found: list[JSON] = []
    for kind, pattern in _AUTO_PATTERNS:
        for match in pattern.finditer(text):
            start, end = match.start(), match.end()
            if kind == "url":
                while end > start and text[end - 1] in _TRAILING_URL_PUNCT:
                    if text[end - 1] == ")" and text[start:end].count("(") >= text[start:end].count(")"):
                        break
                    end -= 1
            s16, e16 = offsets[start], offsets[end]
            if e16 <= s16 or any(s16 < b and a < e16 for a, b in taken):
                continue
            taken.append((s16, e16))
            found.append({"offset": s16, "length": e16 - s16, "type": kind})
    return found


def _sort_entities(entities: list[JSON]) -> list[JSON]:
    return sorted(entities, key=lambda e: (e["offset"], -e["length"]))


def format_text(
    text: str,
    parse_mode: str | None = None,
    entities: list[JSON] | None = None,
    *,
    strip: bool = True,
) -> tuple[str, list[JSON]]:
    """Turn (text, parse_mode | entities) into what Telegram stores: plain text + entities.

    Raises the same 400 errors as Telegram for broken markup (``_ApiError``).
    """
    if entities is not None:
        if not isinstance(entities, list):
            raise _ApiError(400, "Bad Request: can't parse entities JSON object")
        plain, parsed = text, [dict(e) for e in entities]
    elif parse_mode:
        mode = parse_mode.lower()
        if mode == "html":
            plain, parsed = _parse_html(text)
        elif mode == "markdownv2":
            plain, parsed = _parse_markdown_v2(text)
        elif mode == "markdown":
            plain, parsed = _parse_markdown(text)
        else:
            raise _ApiError(400, f"Bad Request: unsupported parse_mode {parse_mode!r}")
    else:
        plain, parsed = text, []
    if strip:
        stripped = plain.strip()
        if stripped != plain:
            lead = _u16(plain[: len(plain) - len(plain.lstrip())])
            total = _u16(stripped)
            adjusted: list[JSON] = []
            for entity in parsed:
                start = max(entity["offset"] - lead, 0)
                end = min(entity["offset"] + entity["length"] - lead, total)
                if end > start:
                    adjusted.append({**entity, "offset": start, "length": end - start})
            plain, parsed = stripped, adjusted
    parsed.extend(detect_entities(plain, parsed))
    return plain, _sort_entities(parsed)


# --------------------------------------------------------------------------------------------
# The server
# --------------------------------------------------------------------------------------------


def _dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


class FakeBotApi:
    """In-process fake of ``https://api.telegram.org`` for one bot (see the module docstring)."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        username: str = "SimHelpBot",
        *,
        first_name: str = "SIM Help",
        bot_id: int | None = None,
        host: str = "127.0.0.1",
        first_update_id: int = 100_000_001,
        bot_user_extra: Mapping[str, Any] | None = None,
    ) -> None:
        self._token = token
        head = token.split(":", 1)[0]
        self._bot_id = bot_id if bot_id is not None else (int(head) if head.isdigit() else 1)
        self._bot_user: JSON = {
            "id": self._bot_id,
            "is_bot": True,
            "first_name": first_name,
            "username": username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": True,
            "can_connect_to_business": False,
            "has_main_web_app": False,
            "has_topics_enabled": False,
            "allows_users_to_create_topics": False,
        }
        self._bot_user.update(bot_user_extra or {})
        self._host = host
        self._port: int | None = None
        self._runner: web.AppRunner | None = None
        self._inflight: set[asyncio.Task[Any]] = set()
        self._closing = False
        self._changed = asyncio.Event()

        self.calls: list[Call] = []
        self._outbox: list[_SentRecord] = []
        self._faults: list[Fault] = []

        self._next_update_id = first_update_id
        self._updates: list[JSON] = []
        self._delivered: set[int] = set()
        self._allowed_updates: list[str] = []
        self._poll_generation = 0
        self._polls_waiting = 0
        self._webhook: JSON | None = None

        self._chats: dict[int, JSON] = {}
        self._users: dict[int, JSON] = {}
        self._blocked: set[int] = set()
        self._messages: dict[tuple[int, int], JSON] = {}
        self._last_message_id: dict[int, int] = {}
        self._callback_queries: dict[str, bool] = {}
        self._inline_queries: dict[str, bool] = {}
        self._query_counter = 0
        self._files: dict[str, _FileEntry] = {}
        self._commands: dict[str, list[JSON]] = {}
        self._descriptions: dict[tuple[str, str], str] = {}
        self._methods = self._build_methods()

    # ---------------------------------------------------------------- lifecycle / properties

    async def start(self) -> None:
        if self._runner is not None:
            return
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_method)
        app.router.add_route("GET", "/file/bot{token}/{path:.+}", self._handle_file)
        app.router.add_route("*", "/{tail:.*}", self._handle_not_found)
        runner = web.AppRunner(
            app,
            handle_signals=False,
            access_log=None,
            shutdown_timeout=0.5,
            handler_cancellation=True,  # an abandoned long poll ends at once, like on Telegram
        )
        await runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind((self._host, 0))
        self._port = sock.getsockname()[1]
        await web.SockSite(runner, sock).start()
        self._runner = runner
        self._closing = False

    async def stop(self) -> None:
        runner, self._runner = self._runner, None
        if runner is None:
            return
        self._closing = True
        self._bump()  # lets pending long polls answer with an empty list
        if self._inflight:
            await asyncio.wait(set(self._inflight), timeout=0.2)
        for task in list(self._inflight):
            task.cancel()
        await runner.cleanup()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("FakeBotApi is not started")
        return self._port

    @property
    def root_url(self) -> str:
        return f"http://{self._host}:{self.port}"

    @property
    def base_url(self) -> str:
        """For ``Bot(token, base_url=...)`` / ``ApplicationBuilder().base_url(...)``."""
        return f"{self.root_url}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self.root_url}/file/bot"

    @property
    def token(self) -> str:
        return self._token

    @property
    def bot_user(self) -> JSON:
        """The getMe result."""
        return copy.deepcopy(self._bot_user)

    @property
    def bot_id(self) -> int:
        return self._bot_id

    # ---------------------------------------------------------------- recorded calls

    def mark(self) -> int:
        """Current position in ``calls``; pass it as ``since=`` to only look at later calls."""
        return len(self.calls)

    def calls_of(self, method: str, *, since: int = 0) -> list[Call]:
        wanted = method.lower()
        return [c for c in self.calls[since:] if c.method.lower() == wanted]

    def failed_calls(self) -> list[Call]:
        """Calls that got an error (HTTP error, scripted fault); abandoned calls excluded."""
        return [c for c in self.calls if not c.ok and not c.abandoned]

    def sent(self, chat_id: int | str | None = None, *, since: int = 0) -> list[JSON]:
        """Messages the bot sent or edited (successful sendMessage / edit* results), in order."""
        return [
            copy.deepcopy(r.message)
            for r in self._outbox
            if r.call_index >= since and (chat_id is None or r.message["chat"]["id"] == chat_id)
        ]

    def sent_texts(self, chat_id: int | str | None = None, *, since: int = 0) -> list[str]:
        return [str(m.get("text") or m.get("caption") or "") for m in self.sent(chat_id, since=since)]

    def last_sent(self, chat_id: int | str | None = None) -> JSON:
        messages = self.sent(chat_id)
        if not messages:
            raise AssertionError(f"the bot has sent nothing to {chat_id!r}\n{self._calls_summary()}")
        return messages[-1]

    def message(self, chat_id: int, message_id: int) -> JSON | None:
        """Current state of a stored message (None if unknown or deleted)."""
        stored = self._messages.get((chat_id, message_id))
        return copy.deepcopy(stored) if stored is not None else None

    @property
    def pending_updates(self) -> list[JSON]:
        """Injected updates not yet confirmed by a getUpdates offset."""
        return copy.deepcopy(self._updates)

    @property
    def pending_polls(self) -> int:
        """Number of getUpdates requests currently open (e.g. a long poll waiting)."""
        return self._polls_waiting

    def my_commands(self, scope: JSON | None = None, language_code: str = "") -> list[JSON]:
        return copy.deepcopy(self._commands.get(self._commands_key(scope, language_code), []))

    # ---------------------------------------------------------------- waiting

    def _bump(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def wait_until(
        self, condition: Callable[[], T], *, timeout: float = 5.0, what: str = "condition"
    ) -> T:
        """Wait until ``condition()`` is truthy (re-checked after every call / injection)."""
        try:
            async with asyncio.timeout(timeout):
                while True:
                    event = self._changed
                    result = condition()
                    if result:
                        return result
                    await event.wait()
        except TimeoutError:
            raise AssertionError(
                f"timed out after {timeout}s waiting for {what}\n{self._calls_summary()}"
            ) from None

    async def wait_for(
        self, predicate: Callable[[Call], bool], *, timeout: float = 5.0, since: int = 0
    ) -> Call:
        """First call (at index >= ``since``) for which ``predicate(call)`` is true."""

        def find() -> Call | None:
            return next((c for c in self.calls[since:] if predicate(c)), None)

        found = await self.wait_until(find, timeout=timeout, what="a call matching the predicate")
        return cast(Call, found)

    async def wait_for_calls(
        self, method: str, count: int = 1, timeout: float = 5.0, *, since: int = 0
    ) -> list[Call]:
        """Wait until the bot made ``count`` calls of ``method`` (since ``since``); returns them."""

        def enough() -> list[Call] | None:
            calls = self.calls_of(method, since=since)
            return calls if len(calls) >= count else None

        found = await self.wait_until(enough, timeout=timeout, what=f"{count} call(s) of {method}")
        return cast(list[Call], found)

    async def wait_for_sent(
        self,
        chat_id: int | str | None = None,
        count: int = 1,
        timeout: float = 5.0,
        *,
        since: int = 0,
    ) -> list[JSON]:
        """Wait until ``count`` messages were sent/edited (to ``chat_id``) since ``since``."""

        def enough() -> list[JSON] | None:
            messages = self.sent(chat_id, since=since)
            return messages if len(messages) >= count else None

        found = await self.wait_until(
            enough, timeout=timeout, what=f"{count} sent message(s) to chat {chat_id}"
        )
        return cast(list[JSON], found)

    async def wait_delivered(self, update: JSON | int, timeout: float = 5.0) -> None:
        """Wait until the bot fetched ``update`` with getUpdates."""
        update_id = update if isinstance(update, int) else int(update["update_id"])
        await self.wait_until(
            lambda: update_id in self._delivered,
            timeout=timeout,
            what=f"delivery of update {update_id}",
        )

    def _calls_summary(self, limit: int = 40) -> str:
        shown = self.calls[-limit:]
        more = f", showing the last {limit}" if len(self.calls) > limit else ""
        lines = [f"calls seen ({len(self.calls)}{more}):"]
        for call in shown:
            params = {k: v for k, v in call.params.items() if not isinstance(v, dict | list)}
            params.update({k: v for k, v in call.params.items() if isinstance(v, dict | list)})
            text = repr(params)
            if len(text) > 240:
                text = text[:237] + "..."
            status = "ok" if call.ok else (call.fault or f"{call.status} {call.error}")
            lines.append(f"  {call.method} [{status}] {text}")
        if not shown:
            lines.append("  (none)")
        return "\n".join(lines)

    # ---------------------------------------------------------------- faults

    def fail_next(
        self,
        method: str,
        *,
        status: int = 500,
        description: str | None = None,
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        """The next ``times`` calls of ``method`` ("*" = any) fail with an error response.

        A 429 always carries ``parameters.retry_after`` (default 1) like Telegram's flood control.
        The call has no effect on the fake's state.
        """
        if status == 429 and retry_after is None:
            retry_after = 1
        self._faults.append(
            Fault(
                "error",
                method,
                times=times,
                status=status,
                description=description,
                retry_after=retry_after,
            )
        )

    def delay_next(self, method: str, seconds: float, *, times: int = 1) -> None:
        """The next calls of ``method`` are handled ``seconds`` late (still handled if the client
        gave up meanwhile: a timed-out sendMessage may still have been delivered, like Telegram)."""
        self._faults.append(Fault("delay", method, times=times, seconds=seconds))

    def drop_next(self, method: str, *, times: int = 1, processed: bool = False) -> None:
        """Close the connection without answering. ``processed=True``: the call took effect first
        (the classic "sent but the response got lost" case)."""
        self._faults.append(Fault("drop", method, times=times, processed=processed))

    def malformed_next(
        self,
        method: str,
        *,
        times: int = 1,
        processed: bool = False,
        body: bytes | None = None,
    ) -> None:
        """Answer 200 with a body that is not valid JSON."""
        fault = Fault("malformed", method, times=times, processed=processed)
        if body is not None:
            fault.body = body
        self._faults.append(fault)

    def clear_faults(self) -> None:
        self._faults.clear()

    def _take_fault(self, method: str) -> Fault | None:
        wanted = method.lower()
        for fault in self._faults:
            if fault.method == "*" or fault.method.lower() == wanted:
                fault.times -= 1
                if fault.times <= 0:
                    self._faults.remove(fault)
                return fault
        return None

    # ---------------------------------------------------------------- chats and users

    def _make_user(
        self,
        user_id: int,
        *,
        first_name: str = "Ann",
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = None,
        is_bot: bool = False,
    ) -> JSON:
        user: JSON = {"id": user_id, "is_bot": is_bot, "first_name": first_name}
        if last_name:
            user["last_name"] = last_name
        if username:
            user["username"] = username
        if language_code and not is_bot:
            user["language_code"] = language_code
        self._users[user_id] = user
        return copy.deepcopy(user)

    def ensure_chat(
        self,
        chat_id: int,
        *,
        chat_type: ChatType = "private",
        title: str | None = None,
        first_name: str = "Ann",
        last_name: str | None = None,
        username: str | None = None,
        is_forum: bool | None = None,
    ) -> JSON:
        """Register (or return) a chat the bot can talk to; returns the Chat object."""
        chat = self._chats.get(chat_id)
        if chat is None:
            chat = {"id": chat_id}
            if chat_type == "private":
                chat["first_name"] = first_name
                if last_name:
                    chat["last_name"] = last_name
            else:
                chat["title"] = title or ("Test group" if chat_type != "channel" else "Channel")
            if username:
                chat["username"] = username
            chat["type"] = chat_type
            if chat_type == "group":
                chat["all_members_are_administrators"] = True
            self._chats[chat_id] = chat
        if is_forum and chat["type"] == "supergroup":
            chat["is_forum"] = True
        return copy.deepcopy(chat)

    def block_user(self, user_id: int, blocked: bool = True) -> None:
        """Sends to this user's private chat fail with 403 "bot was blocked by the user"."""
        if blocked:
            self._blocked.add(user_id)
        else:
            self._blocked.discard(user_id)

    def _chat_from_param(self, value: Any) -> JSON:
        if value is None or value == "":
            raise _ApiError(400, "Bad Request: chat_id is empty")
        chat: JSON | None = None
        if isinstance(value, str) and value.startswith("@"):
            chat = next((c for c in self._chats.values() if c.get("username") == value[1:]), None)
        else:
            try:
                chat = self._chats.get(int(value))
            except (TypeError, ValueError):
                chat = None
        if chat is None:
            raise _ApiError(400, "Bad Request: chat not found")
        return chat

    def _writable_chat(self, value: Any) -> JSON:
        chat = self._chat_from_param(value)
        if chat["type"] == "private" and chat["id"] in self._blocked:
            raise _ApiError(403, "Forbidden: bot was blocked by the user")
        return chat

    def _next_message_id(self, chat_id: int) -> int:
        message_id = self._last_message_id.get(chat_id, 0) + 1
        self._last_message_id[chat_id] = message_id
        return message_id

    def _bot_sender(self) -> JSON:
        return {
            key: self._bot_user[key]
            for key in ("id", "is_bot", "first_name", "username")
            if key in self._bot_user
        }

    @staticmethod
    def _as_reply(message: JSON) -> JSON:
        reply = copy.deepcopy(message)
        reply.pop("reply_to_message", None)
        return reply

    def _topic_root(self, chat: JSON, thread_id: int, creator: JSON) -> JSON:
        key = (chat["id"], thread_id)
        root = self._messages.get(key)
        if root is None:
            root = {
                "message_id": thread_id,
                "message_thread_id": thread_id,
                "from": copy.deepcopy(creator),
                "chat": copy.deepcopy(chat),
                "date": int(time.time()) - 60,
                "forum_topic_created": {"name": f"Topic {thread_id}", "icon_color": 7322096},
                "is_topic_message": True,
            }
            self._messages[key] = root
            if self._last_message_id.get(chat["id"], 0) < thread_id:
                self._last_message_id[chat["id"]] = thread_id
        return root

    def _base_message(
        self,
        chat: JSON,
        sender: JSON,
        *,
        thread_id: int | None,
        is_topic_message: bool,
        reply_to: JSON | None,
        date: int | None = None,
    ) -> JSON:
        message: JSON = {"message_id": self._next_message_id(chat["id"])}
        if thread_id is not None:
            message["message_thread_id"] = thread_id
        message["from"] = copy.deepcopy(sender)
        message["chat"] = copy.deepcopy(chat)
        message["date"] = int(time.time()) if date is None else date
        if reply_to is None and is_topic_message and thread_id is not None and thread_id != 1:
            reply_to = self._topic_root(chat, thread_id, sender)
        if reply_to is not None:
            message["reply_to_message"] = self._as_reply(reply_to)
        if is_topic_message:
            message["is_topic_message"] = True
        return message

    def _store(self, message: JSON) -> None:
        self._messages[(message["chat"]["id"], message["message_id"])] = message

    # ---------------------------------------------------------------- injection

    def _enqueue(self, payload: JSON) -> JSON:
        update: JSON = {"update_id": self._next_update_id}
        self._next_update_id += 1
        update.update(payload)
        self._updates.append(update)
        self._bump()
        return copy.deepcopy(update)

    def inject_raw(self, update: JSON) -> JSON:
        """Queue any update dict as is; ``update_id`` is assigned unless present."""
        update = copy.deepcopy(update)
        if "update_id" in update:
            self._next_update_id = max(self._next_update_id, int(update["update_id"]) + 1)
        else:
            update = {"update_id": self._next_update_id, **update}
            self._next_update_id += 1
        self._updates.append(update)
        self._bump()
        return copy.deepcopy(update)

    def _prepare_user_message(
        self,
        *,
        chat_id: int | None,
        user_id: int | None,
        chat_type: ChatType,
        first_name: str,
        last_name: str | None,
        username: str | None,
        language_code: str | None,
        chat_title: str | None,
        message_thread_id: int | None,
        is_topic_message: bool,
        reply_to_message_id: int | None,
        from_bot: bool,
        date: int | None,
    ) -> JSON:
        if chat_type == "private":
            chat_id = chat_id if chat_id is not None else user_id
            user_id = user_id if user_id is not None else chat_id
            if chat_id is None or user_id is None:
                raise ValueError("give chat_id or user_id")
            if chat_id != user_id:
                raise ValueError("in a private chat, chat_id == user_id")
        elif chat_id is None or user_id is None:
            raise ValueError(f"a {chat_type} message needs chat_id and user_id")
        sender = self._make_user(
            user_id,
            first_name=first_name,
            last_name=last_name,
            username=username,
            language_code=language_code,
            is_bot=from_bot,
        )
        chat = self.ensure_chat(
            chat_id,
            chat_type=chat_type,
            title=chat_title,
            first_name=first_name,
            last_name=last_name,
            username=username if chat_type == "private" else None,
            is_forum=chat_type == "supergroup" and message_thread_id is not None,
        )
        reply_to: JSON | None = None
        if reply_to_message_id is not None:
            reply_to = self._messages.get((chat_id, reply_to_message_id))
            if reply_to is None:
                raise ValueError(f"unknown message {reply_to_message_id} in chat {chat_id}")
        return self._base_message(
            chat,
            sender,
            thread_id=message_thread_id,
            is_topic_message=is_topic_message,
            reply_to=reply_to,
            date=date,
        )

    def inject_message(
        self,
        text: str,
        *,
        chat_id: int | None = None,
        user_id: int | None = None,
        chat_type: ChatType = "private",
        first_name: str = "Ann",
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "zh-hans",
        chat_title: str | None = None,
        message_thread_id: int | None = None,
        is_topic_message: bool = False,
        reply_to_message_id: int | None = None,
        entities: list[JSON] | None = None,
        edited: bool = False,
        message_id: int | None = None,
        from_bot: bool = False,
        date: int | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> JSON:
        """Queue a text message from a user; returns the Update dict.

        ``entities=None`` detects bot_command / mention / url / hashtag ... like Telegram.
        ``edited=True`` produces an ``edited_message`` update for ``message_id`` (default: the
        user's last message in that chat).
        """
        if edited:
            return self._inject_edit(
                text,
                chat_id=chat_id if chat_id is not None else user_id,
                user_id=user_id if user_id is not None else chat_id,
                message_id=message_id,
                entities=entities,
            )
        message = self._prepare_user_message(
            chat_id=chat_id,
            user_id=user_id,
            chat_type=chat_type,
            first_name=first_name,
            last_name=last_name,
            username=username,
            language_code=language_code,
            chat_title=chat_title,
            message_thread_id=message_thread_id,
            is_topic_message=is_topic_message,
            reply_to_message_id=reply_to_message_id,
            from_bot=from_bot,
            date=date,
        )
        message["text"] = text
        found = detect_entities(text) if entities is None else entities
        if found:
            message["entities"] = _sort_entities(list(found))
        message.update(extra or {})
        self._store(message)
        return self._enqueue({"message": copy.deepcopy(message)})

    def _inject_edit(
        self,
        text: str,
        *,
        chat_id: int | None,
        user_id: int | None,
        message_id: int | None,
        entities: list[JSON] | None,
    ) -> JSON:
        if chat_id is None:
            raise ValueError("an edit needs chat_id (or user_id for a private chat)")
        if message_id is None:
            own = [
                mid
                for (cid, mid), m in self._messages.items()
                if cid == chat_id and m.get("from", {}).get("id") == user_id
            ]
            if not own:
                raise ValueError(f"no message from user {user_id} in chat {chat_id} to edit")
            message_id = max(own)
        original = self._messages.get((chat_id, message_id))
        if original is None:
            raise ValueError(f"unknown message {message_id} in chat {chat_id}")
        message = copy.deepcopy(original)
        message["edit_date"] = int(time.time())
        message["text"] = text
        found = detect_entities(text) if entities is None else entities
        message.pop("entities", None)
        if found:
            message["entities"] = _sort_entities(list(found))
        self._store(message)
        return self._enqueue({"edited_message": copy.deepcopy(message)})

    def _new_file(self, kind: str, content: bytes | None, suffix: str) -> JSON:
        number = len(self._files) + 1
        data = content if content is not None else f"{kind}-{number}".encode() * 8
        file_id = f"AgACAgQAAxkBAAI{kind.upper()}{number:06d}fakeFileId"
        unique = f"AQAD{kind[:3]}{number:06d}"
        self._files[file_id] = _FileEntry(file_id, unique, f"{kind}s/file_{number}.{suffix}", data)
        return {"file_id": file_id, "file_unique_id": unique, "file_size": len(data)}

    def inject_media(
        self,
        kind: MediaKind,
        *,
        chat_id: int | None = None,
        user_id: int | None = None,
        caption: str | None = None,
        caption_entities: list[JSON] | None = None,
        content: bytes | None = None,
        chat_type: ChatType = "private",
        first_name: str = "Ann",
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "zh-hans",
        chat_title: str | None = None,
        message_thread_id: int | None = None,
        is_topic_message: bool = False,
        reply_to_message_id: int | None = None,
        from_bot: bool = False,
        emoji: str = "👍",
        duration: int = 3,
        extra: Mapping[str, Any] | None = None,
    ) -> JSON:
        """Queue a photo / sticker / voice / audio / document / video / animation / video_note /
        location / contact message. Files can be fetched with getFile + the file URL."""
        message = self._prepare_user_message(
            chat_id=chat_id,
            user_id=user_id,
            chat_type=chat_type,
            first_name=first_name,
            last_name=last_name,
            username=username,
            language_code=language_code,
            chat_title=chat_title,
            message_thread_id=message_thread_id,
            is_topic_message=is_topic_message,
            reply_to_message_id=reply_to_message_id,
            from_bot=from_bot,
            date=None,
        )
        sender_id = message["from"]["id"]
        if kind == "photo":
            sizes = []
            for width, height in ((90, 67), (320, 240), (800, 600)):
                size = self._new_file("photo", content, "jpg")
                sizes.append({**size, "width": width, "height": height})
            message["photo"] = sizes
        elif kind == "sticker":
            thumb = self._new_file("thumbnail", None, "webp")
            message["sticker"] = {
                "width": 512,
                "height": 512,
                "emoji": emoji,
                "set_name": "FakeStickers",
                "is_animated": False,
                "is_video": False,
                "type": "regular",
                "thumbnail": {**thumb, "width": 128, "height": 128},
                "thumb": {**thumb, "width": 128, "height": 128},
                **self._new_file("sticker", content, "webp"),
            }
        elif kind == "voice":
            message["voice"] = {
                "duration": duration,
                "mime_type": "audio/ogg",
                **self._new_file("voice", content, "oga"),
            }
        elif kind == "audio":
            message["audio"] = {
                "duration": duration,
                "file_name": "audio.mp3",
                "mime_type": "audio/mpeg",
                "title": "Song",
                "performer": "Artist",
                **self._new_file("audio", content, "mp3"),
            }
        elif kind == "document":
            message["document"] = {
                "file_name": "document.pdf",
                "mime_type": "application/pdf",
                **self._new_file("document", content, "pdf"),
            }
        elif kind == "video":
            message["video"] = {
                "duration": duration,
                "width": 640,
                "height": 360,
                "file_name": "video.mp4",
                "mime_type": "video/mp4",
                **self._new_file("video", content, "mp4"),
            }
        elif kind == "animation":
            anim = {
                "file_name": "animation.mp4",
                "mime_type": "video/mp4",
                "duration": duration,
                "width": 320,
                "height": 240,
                **self._new_file("animation", content, "mp4"),
            }
            message["animation"] = anim
            message["document"] = {
                k: anim[k] for k in ("file_name", "mime_type", "file_id", "file_unique_id")
            } | {"file_size": anim["file_size"]}
        elif kind == "video_note":
            message["video_note"] = {
                "duration": duration,
                "length": 240,
                **self._new_file("video_note", content, "mp4"),
            }
        elif kind == "location":
            message["location"] = {"latitude": 41.327953, "longitude": 19.819025}
        elif kind == "contact":
            message["contact"] = {
                "phone_number": "+355690000000",
                "first_name": message["from"]["first_name"],
                "user_id": sender_id,
            }
        else:
            raise ValueError(f"unknown media kind {kind!r}")
        if caption is not None:
            if kind in {"sticker", "video_note", "location", "contact"}:
                raise ValueError(f"a {kind} has no caption")
            message["caption"] = caption
            found = detect_entities(caption) if caption_entities is None else caption_entities
            if found:
                message["caption_entities"] = _sort_entities(list(found))
        message.update(extra or {})
        self._store(message)
        return self._enqueue({"message": copy.deepcopy(message)})

    def _next_query_id(self) -> str:
        self._query_counter += 1
        return str(4_300_000_000_000_000_000 + self._bot_id * 1000 + self._query_counter)

    def inject_callback_query(
        self,
        data: str | None,
        *,
        message: JSON | None = None,
        inline_message_id: str | None = None,
        user_id: int | None = None,
        first_name: str = "Ann",
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "zh-hans",
        chat_instance: str | None = None,
        game_short_name: str | None = None,
    ) -> JSON:
        """Queue a button press on ``message`` (a message dict the bot sent, e.g. from
        ``sent()``; its current stored version is used). Returns the Update dict; the query id
        is ``update["callback_query"]["id"]``."""
        if message is None and inline_message_id is None:
            raise ValueError("give message or inline_message_id")
        current: JSON | None = None
        if message is not None:
            chat_id = message["chat"]["id"]
            current = self._messages.get((chat_id, message["message_id"]), message)
            if user_id is None and message["chat"]["type"] == "private":
                user_id = chat_id
        if user_id is None:
            raise ValueError("give user_id")
        sender = self._make_user(
            user_id,
            first_name=first_name,
            last_name=last_name,
            username=username,
            language_code=language_code,
        )
        query_id = self._next_query_id()
        self._callback_queries[query_id] = False
        query: JSON = {"id": query_id, "from": sender}
        if current is not None:
            query["message"] = copy.deepcopy(current)
        if inline_message_id is not None:
            query["inline_message_id"] = inline_message_id
        if chat_instance is None:
            seed = current["chat"]["id"] if current is not None else user_id
            chat_instance = str(-((abs(seed) * 2_654_435_761 + self._bot_id) % 10**19))
        query["chat_instance"] = chat_instance
        if data is not None:
            query["data"] = data
        if game_short_name is not None:
            query["game_short_name"] = game_short_name
        return self._enqueue({"callback_query": query})

    def inject_inline_query(
        self,
        query: str,
        *,
        user_id: int,
        offset: str = "",
        chat_type: str | None = "sender",
        first_name: str = "Ann",
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "zh-hans",
        location: JSON | None = None,
    ) -> JSON:
        """Queue an inline query; the id is ``update["inline_query"]["id"]``."""
        sender = self._make_user(
            user_id,
            first_name=first_name,
            last_name=last_name,
            username=username,
            language_code=language_code,
        )
        query_id = self._next_query_id()
        self._inline_queries[query_id] = False
        inline: JSON = {"id": query_id, "from": sender}
        if chat_type is not None:
            inline["chat_type"] = chat_type
        if location is not None:
            inline["location"] = location
        inline["query"] = query
        inline["offset"] = offset
        return self._enqueue({"inline_query": inline})

    # ---------------------------------------------------------------- HTTP layer

    def _build_methods(self) -> dict[str, _MethodSpec]:
        table: list[tuple[str, Callable[[JSON], Any], bool]] = [
            ("getMe", self._m_get_me, False),
            ("getUpdates", self._m_get_updates, True),
            ("setWebhook", self._m_set_webhook, False),
            ("deleteWebhook", self._m_delete_webhook, False),
            ("getWebhookInfo", self._m_get_webhook_info, False),
            ("logOut", self._m_true, False),
            ("close", self._m_true, False),
            ("sendMessage", self._m_send_message, False),
            ("editMessageText", self._m_edit_message_text, False),
            ("editMessageReplyMarkup", self._m_edit_message_reply_markup, False),
            ("deleteMessage", self._m_delete_message, False),
            ("answerCallbackQuery", self._m_answer_callback_query, False),
            ("answerInlineQuery", self._m_answer_inline_query, False),
            ("setMyCommands", self._m_set_my_commands, False),
            ("getMyCommands", self._m_get_my_commands, False),
            ("deleteMyCommands", self._m_delete_my_commands, False),
            ("setMyDescription", self._m_set_my_description, False),
            ("getMyDescription", self._m_get_my_description, False),
            ("setMyShortDescription", self._m_set_my_short_description, False),
            ("getMyShortDescription", self._m_get_my_short_description, False),
            ("sendChatAction", self._m_send_chat_action, False),
            ("getChat", self._m_get_chat, False),
            ("getFile", self._m_get_file, False),
        ]
        return {name.lower(): _MethodSpec(name, fn, is_async) for name, fn, is_async in table}

    @staticmethod
    def _decode_value(name: str, value: str) -> Any:
        if name in _STRING_PARAMS:
            return value
        try:
            return json.loads(value)
        except ValueError:
            return value

    async def _read_params(self, request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = {k: self._decode_value(k, v) for k, v in request.query.items()}
        if request.method not in {"POST", "PUT"} or not request.can_read_body:
            return params
        content_type = request.content_type
        if content_type == "application/json":
            body = await request.json()
            if not isinstance(body, dict):
                raise _ApiError(400, "Bad Request: request body must be a JSON object")
            params.update(body)
        elif content_type in {"application/x-www-form-urlencoded", "multipart/form-data"}:
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    params[key] = {
                        "filename": value.filename,
                        "content_type": value.content_type,
                        "content": value.file.read(),
                    }
                else:
                    params[key] = self._decode_value(key, str(value))
        return params

    def _record(self, call: Call) -> int:
        self.calls.append(call)
        self._bump()
        return len(self.calls) - 1

    @staticmethod
    def _error_body(code: int, description: str, parameters: JSON | None = None) -> JSON:
        body: JSON = {"ok": False, "error_code": code, "description": description}
        if parameters:
            body["parameters"] = parameters
        return body

    def _error_response(self, code: int, description: str, parameters: JSON | None = None) -> web.Response:
        return web.json_response(self._error_body(code, description, parameters), status=code, dumps=_dumps)

    async def _handle_not_found(self, request: web.Request) -> web.Response:
        return self._error_response(404, "Not Found")

    async def _handle_file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self._token:
            return self._error_response(401, "Unauthorized")
        path = request.match_info["path"]
        entry = next((f for f in self._files.values() if f.file_path == path), None)
        if entry is None:
            return self._error_response(404, "Not Found")
        return web.Response(body=entry.content, content_type="application/octet-stream")

    async def _handle_method(self, request: web.Request) -> web.StreamResponse:
        task = asyncio.current_task()
        if task is not None:
            self._inflight.add(task)
        try:
            return await self._dispatch(request)
        except _Abandoned:
            if request.transport is not None:
                request.transport.close()
            return web.Response(status=499)
        finally:
            if task is not None:
                self._inflight.discard(task)

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        at = time.time()
        raw_method = request.match_info["method"]
        spec = self._methods.get(raw_method.lower())
        method = spec.name if spec else raw_method
        try:
            params = await self._read_params(request)
        except (ValueError, _ApiError) as exc:
            description = exc.description if isinstance(exc, _ApiError) else "Bad Request: invalid request"
            self._record(Call(method, {}, at, request.method, status=400, error=description))
            return self._error_response(400, description)
        if request.match_info["token"] != self._token:
            self._record(Call(method, params, at, request.method, status=401, error="Unauthorized"))
            return self._error_response(401, "Unauthorized")

        fault = self._take_fault(method)
        if fault is not None and fault.kind == "delay":
            # Shielded: if the client gives up during the delay, the call still takes effect.
            inner = asyncio.create_task(self._respond_later(fault.seconds, request, spec, method, params, at))
            self._inflight.add(inner)
            inner.add_done_callback(self._inflight.discard)
            return await asyncio.shield(inner)
        return await self._respond(request, spec, method, params, at, fault)

    async def _respond_later(
        self,
        seconds: float,
        request: web.Request,
        spec: _MethodSpec | None,
        method: str,
        params: JSON,
        at: float,
    ) -> web.StreamResponse:
        await asyncio.sleep(seconds)
        return await self._respond(request, spec, method, params, at, None)

    async def _respond(
        self,
        request: web.Request,
        spec: _MethodSpec | None,
        method: str,
        params: JSON,
        at: float,
        fault: Fault | None,
    ) -> web.StreamResponse:
        def record(**kwargs: Any) -> None:
            self._record(Call(method, params, at, request.method, **kwargs))

        if fault is not None and fault.kind == "error":
            description = fault.description or _default_description(fault.status, fault.retry_after)
            parameters = {"retry_after": fault.retry_after} if fault.retry_after else None
            record(status=fault.status, error=description, fault=f"error {fault.status}")
            return self._error_response(fault.status, description, parameters)
        if fault is not None:  # drop / malformed
            if fault.processed and spec is not None:
                with contextlib.suppress(_ApiError):
                    await self._run(spec, params, request)
            record(fault=fault.kind)
            if fault.kind == "drop":
                if request.transport is not None:
                    request.transport.close()
                return web.Response(status=500)
            return web.Response(body=fault.body, content_type="application/json")

        if spec is None:
            record(status=404, error="Not Found")
            return self._error_response(404, "Not Found")
        try:
            outcome = await self._run(spec, params, request)
        except _ApiError as exc:
            record(status=exc.code, error=exc.description)
            return self._error_response(exc.code, exc.description, exc.parameters)
        except (asyncio.CancelledError, _Abandoned):
            # the client went away (e.g. PTB cancelled a long poll on shutdown)
            record(status=499, error="client closed request")
            raise
        result = outcome.value if isinstance(outcome, _Result) else outcome
        body: JSON = {"ok": True, "result": result}
        if isinstance(outcome, _Result) and outcome.description:
            body["description"] = outcome.description
        record(result=copy.deepcopy(result))
        return web.json_response(body, dumps=_dumps)

    async def _run(self, spec: _MethodSpec, params: JSON, request: web.Request) -> Any:
        token = _CURRENT_REQUEST.set(request)
        try:
            if spec.is_async:
                return await spec.handler(params)
            return spec.handler(params)
        finally:
            _CURRENT_REQUEST.reset(token)

    # ---------------------------------------------------------------- parameter helpers

    @staticmethod
    def _int(params: JSON, name: str, missing: str | None = None) -> int:
        value = params.get(name)
        if value is None or value == "":
            raise _ApiError(400, missing or f"Bad Request: {name} is empty")
        try:
            return int(value)
        except (TypeError, ValueError):
            raise _ApiError(400, f"Bad Request: invalid {name} specified") from None

    @staticmethod
    def _language(params: JSON) -> str:
        code = params.get("language_code") or ""
        if not isinstance(code, str) or (code and not re.fullmatch(r"[a-z]{2}", code)):
            raise _ApiError(400, "Bad Request: invalid language code specified")
        return code

    @staticmethod
    def _markup(value: Any) -> JSON | None:
        """Validate reply_markup; return the part Telegram echoes (inline keyboards only)."""
        if value is None or value == "":
            return None
        if not isinstance(value, dict):
            raise _ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
        if "inline_keyboard" not in value:
            if not any(k in value for k in ("keyboard", "remove_keyboard", "force_reply")):
                raise _ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
            return None
        rows = value["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise _ApiError(400, 'Bad Request: field "inline_keyboard" must be of type Array')
        for row in rows:
            for button in row:
                if not isinstance(button, dict) or not button.get("text"):
                    raise _ApiError(400, "Bad Request: can't parse inline keyboard button")
                data = button.get("callback_data")
                if data is not None and not 1 <= len(str(data).encode()) <= 64:
                    raise _ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
                actions = set(button) - {"text", "style", "icon_custom_emoji_id"}
                if not actions:
                    raise _ApiError(
                        400,
                        "Bad Request: can't parse inline keyboard button: Text buttons are "
                        "unallowed in the inline keyboard",
                    )
        if not rows or not any(rows):
            return None
        return copy.deepcopy(value)

    def _text(self, params: JSON) -> tuple[str, list[JSON]]:
        raw = params.get("text")
        if raw is None or str(raw) == "":
            raise _ApiError(400, "Bad Request: message text is empty")
        entities = params.get("entities")
        text, found = format_text(
            str(raw), params.get("parse_mode"), entities if isinstance(entities, list) else None
        )
        if not text:
            raise _ApiError(400, "Bad Request: message text is empty")
        if _u16(text) > 4096:
            raise _ApiError(400, "Bad Request: message is too long")
        return text, found

    def _add_outbox(self, method: str, message: JSON) -> None:
        self._outbox.append(_SentRecord(len(self.calls), method, copy.deepcopy(message)))

    # ---------------------------------------------------------------- methods

    def _m_true(self, params: JSON) -> bool:
        return True

    def _m_get_me(self, params: JSON) -> JSON:
        return copy.deepcopy(self._bot_user)

    def _m_set_webhook(self, params: JSON) -> _Result:
        url = params.get("url") or ""
        if not url:
            return self._m_delete_webhook(params)
        if not str(url).startswith("https://"):
            raise _ApiError(400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook")
        already = self._webhook is not None and self._webhook.get("url") == url
        self._webhook = {"url": url, "max_connections": int(params.get("max_connections") or 40)}
        if params.get("allowed_updates") is not None:
            self._allowed_updates = list(params["allowed_updates"])
        if params.get("drop_pending_updates"):
            self._updates.clear()
        return _Result(True, "Webhook is already set" if already else "Webhook was set")

    def _m_delete_webhook(self, params: JSON) -> _Result:
        existed = self._webhook is not None
        self._webhook = None
        if params.get("drop_pending_updates"):
            self._updates.clear()
        return _Result(True, "Webhook was deleted" if existed else "Webhook is already deleted")

    def _m_get_webhook_info(self, params: JSON) -> JSON:
        info: JSON = {
            "url": self._webhook["url"] if self._webhook else "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if self._webhook:
            info["max_connections"] = self._webhook["max_connections"]
            info["ip_address"] = "203.0.113.10"
        if self._allowed_updates:
            info["allowed_updates"] = list(self._allowed_updates)
        return info

    def _confirm(self, offset: int) -> None:
        if offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        elif offset < 0:
            self._updates = self._updates[offset:]

    def _deliverable(self, limit: int) -> list[JSON]:
        allowed = set(self._allowed_updates)
        kept: list[JSON] = []
        for update in self._updates:
            kind = next((k for k in update if k != "update_id"), "")
            if (allowed and kind not in allowed) or (not allowed and kind in _NOT_DELIVERED_BY_DEFAULT):
                continue
            kept.append(update)
        dropped = len(self._updates) - len(kept)
        if dropped:
            self._updates = kept
        return copy.deepcopy(kept[:limit])

    async def _m_get_updates(self, params: JSON) -> list[JSON]:
        if self._webhook is not None:
            raise _ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; use "
                "deleteWebhook to delete the webhook first",
            )
        offset = int(params.get("offset") or 0)
        limit = min(max(int(params.get("limit") or 100), 1), 100)
        timeout = max(float(params.get("timeout") or 0), 0.0)
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = [str(a) for a in allowed]
        self._confirm(offset)
        self._poll_generation += 1
        generation = self._poll_generation
        self._polls_waiting += 1
        self._bump()
        try:
            return await self._poll(generation, limit, timeout)
        finally:
            self._polls_waiting -= 1

    async def _poll(self, generation: int, limit: int, timeout: float) -> list[JSON]:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            batch = self._deliverable(limit)
            if batch or self._closing:
                break
            if self._poll_generation != generation:
                request = _CURRENT_REQUEST.get()
                if request is not None and (request.transport is None or request.transport.is_closing()):
                    raise _Abandoned
                raise _ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; make sure that only one "
                    "bot instance is running",
                )
            remaining = deadline - loop.time()
            if remaining <= 0:
                break
            event = self._changed
            try:
                async with asyncio.timeout(remaining):
                    await event.wait()
            except TimeoutError:
                pass
        self._delivered.update(u["update_id"] for u in batch)
        return batch

    def _reply_target(self, chat: JSON, params: JSON) -> JSON | None:
        reply = params.get("reply_parameters")
        if not isinstance(reply, dict):
            reply = None
        if reply is None and params.get("reply_to_message_id") not in (None, ""):
            reply = {
                "message_id": params["reply_to_message_id"],
                "allow_sending_without_reply": params.get("allow_sending_without_reply", False),
            }
        if reply is None:
            return None
        target_chat = chat
        if reply.get("chat_id") not in (None, ""):
            target_chat = self._chat_from_param(reply["chat_id"])
        try:
            target_id = int(reply.get("message_id"))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise _ApiError(400, "Bad Request: message to be replied not found") from None
        target = self._messages.get((target_chat["id"], target_id))
        if target is None and not reply.get("allow_sending_without_reply"):
            raise _ApiError(400, "Bad Request: message to be replied not found")
        return target

    def _m_send_message(self, params: JSON) -> JSON:
        chat = self._writable_chat(params.get("chat_id"))
        text, entities = self._text(params)
        markup = self._markup(params.get("reply_markup"))
        target = self._reply_target(chat, params)
        thread_id: int | None = None
        if params.get("message_thread_id") not in (None, ""):
            thread_id = self._int(params, "message_thread_id")
        elif target is not None and target.get("is_topic_message"):
            thread_id = target.get("message_thread_id")
        is_topic = bool(chat.get("is_forum")) and thread_id is not None
        message = self._base_message(
            chat, self._bot_sender(), thread_id=thread_id, is_topic_message=is_topic, reply_to=target
        )
        message["text"] = text
        if entities:
            message["entities"] = entities
        if params.get("link_preview_options") and any(e["type"] in {"url", "text_link"} for e in entities):
            message["link_preview_options"] = params["link_preview_options"]
        if params.get("protect_content"):
            message["has_protected_content"] = True
        if markup is not None:
            message["reply_markup"] = markup
        self._store(message)
        self._add_outbox("sendMessage", message)
        return copy.deepcopy(message)

    def _editable(self, params: JSON) -> JSON:
        chat = self._chat_from_param(params.get("chat_id"))
        message_id = self._int(params, "message_id", "Bad Request: message identifier is not specified")
        message = self._messages.get((chat["id"], message_id))
        if message is None:
            raise _ApiError(400, "Bad Request: message to edit not found")
        if message.get("from", {}).get("id") != self._bot_id:
            raise _ApiError(400, "Bad Request: message can't be edited")
        return message

    def _m_edit_message_text(self, params: JSON) -> JSON | bool:
        if params.get("inline_message_id"):
            self._text(params)
            self._markup(params.get("reply_markup"))
            return True
        message = self._editable(params)
        if "text" not in message:
            raise _ApiError(400, "Bad Request: there is no text in the message to edit")
        text, entities = self._text(params)
        markup = self._markup(params.get("reply_markup"))
        if (
            text == message["text"]
            and entities == message.get("entities", [])
            and markup == message.get("reply_markup")
        ):
            raise _ApiError(400, _NOT_MODIFIED)
        edited = copy.deepcopy(message)
        edited["text"] = text
        edited.pop("entities", None)
        edited.pop("reply_markup", None)
        if entities:
            edited["entities"] = entities
        if markup is not None:
            edited["reply_markup"] = markup
        edited["edit_date"] = int(time.time())
        self._store(edited)
        self._add_outbox("editMessageText", edited)
        return copy.deepcopy(edited)

    def _m_edit_message_reply_markup(self, params: JSON) -> JSON | bool:
        markup = self._markup(params.get("reply_markup"))
        if params.get("inline_message_id"):
            return True
        message = self._editable(params)
        if markup == message.get("reply_markup"):
            raise _ApiError(400, _NOT_MODIFIED)
        edited = copy.deepcopy(message)
        edited.pop("reply_markup", None)
        if markup is not None:
            edited["reply_markup"] = markup
        edited["edit_date"] = int(time.time())
        self._store(edited)
        self._add_outbox("editMessageReplyMarkup", edited)
        return copy.deepcopy(edited)

    def _m_delete_message(self, params: JSON) -> bool:
        chat = self._chat_from_param(params.get("chat_id"))
        message_id = self._int(params, "message_id", "Bad Request: message identifier is not specified")
        if self._messages.pop((chat["id"], message_id), None) is None:
            raise _ApiError(400, "Bad Request: message to delete not found")
        return True

    def _m_answer_callback_query(self, params: JSON) -> bool:
        query_id = str(params.get("callback_query_id") or "")
        if self._callback_queries.get(query_id, True):
            raise _ApiError(400, _QUERY_TOO_OLD)
        text = params.get("text")
        if text is not None and len(str(text)) > 200:
            raise _ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        self._callback_queries[query_id] = True
        return True

    def _m_answer_inline_query(self, params: JSON) -> bool:
        query_id = str(params.get("inline_query_id") or "")
        if self._inline_queries.get(query_id, True):
            raise _ApiError(400, _QUERY_TOO_OLD)
        results = params.get("results")
        if not isinstance(results, list):
            raise _ApiError(400, "Bad Request: can't parse inline query results JSON object")
        if len(results) > 50:
            raise _ApiError(400, "Bad Request: RESULTS_TOO_MUCH")
        ids = [r.get("id") if isinstance(r, dict) else None for r in results]
        if any(not isinstance(r, dict) or not r.get("id") or not r.get("type") for r in results):
            raise _ApiError(400, "Bad Request: can't parse inline query result")
        if len(set(ids)) != len(ids):
            raise _ApiError(400, "Bad Request: RESULT_ID_DUPLICATE")
        if any(len(str(i).encode()) > 64 for i in ids):
            raise _ApiError(400, "Bad Request: RESULT_ID_INVALID")
        self._inline_queries[query_id] = True
        return True

    @staticmethod
    def _commands_key(scope: Any, language_code: str) -> str:
        if not isinstance(scope, dict) or not scope:
            scope = {"type": "default"}
        return f"{json.dumps(scope, sort_keys=True)}|{language_code}"

    def _m_set_my_commands(self, params: JSON) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise _ApiError(400, "Bad Request: can't parse commands JSON object")
        if len(commands) > 100:
            raise _ApiError(400, "Bad Request: too many commands specified")
        cleaned: list[JSON] = []
        for item in commands:
            if not isinstance(item, dict):
                raise _ApiError(400, "Bad Request: can't parse BotCommand")
            command, description = item.get("command"), item.get("description")
            if not isinstance(command, str) or not re.fullmatch(r"[a-z0-9_]{1,32}", command):
                raise _ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
                raise _ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
            cleaned.append({"command": command, "description": description})
        key = self._commands_key(params.get("scope"), self._language(params))
        if cleaned:
            self._commands[key] = cleaned
        else:
            self._commands.pop(key, None)
        return True

    def _m_get_my_commands(self, params: JSON) -> list[JSON]:
        key = self._commands_key(params.get("scope"), self._language(params))
        return copy.deepcopy(self._commands.get(key, []))

    def _m_delete_my_commands(self, params: JSON) -> bool:
        key = self._commands_key(params.get("scope"), self._language(params))
        self._commands.pop(key, None)
        return True

    def _set_description(self, params: JSON, field_name: str, limit: int) -> bool:
        language = self._language(params)
        value = params.get(field_name) or ""
        if len(str(value)) > limit:
            raise _ApiError(400, f"Bad Request: {field_name.upper()}_INVALID")
        self._descriptions[(field_name, language)] = str(value)
        return True

    def _m_set_my_description(self, params: JSON) -> bool:
        return self._set_description(params, "description", 512)

    def _m_set_my_short_description(self, params: JSON) -> bool:
        return self._set_description(params, "short_description", 120)

    def _m_get_my_description(self, params: JSON) -> JSON:
        value = self._descriptions.get(("description", self._language(params)), "")
        return {"description": value}

    def _m_get_my_short_description(self, params: JSON) -> JSON:
        value = self._descriptions.get(("short_description", self._language(params)), "")
        return {"short_description": value}

    def _m_send_chat_action(self, params: JSON) -> bool:
        self._writable_chat(params.get("chat_id"))
        if params.get("action") not in _CHAT_ACTIONS:
            raise _ApiError(400, "Bad Request: wrong parameter action in request")
        return True

    def _m_get_chat(self, params: JSON) -> JSON:
        chat = copy.deepcopy(self._chat_from_param(params.get("chat_id")))
        chat.pop("all_members_are_administrators", None)
        chat["accent_color_id"] = chat["id"] % 7 if chat["type"] == "private" else 0
        chat["max_reaction_count"] = 11
        chat["accepted_gift_types"] = {
            "unlimited_gifts": True,
            "limited_gifts": True,
            "unique_gifts": True,
            "premium_subscription": True,
            "gifts_from_channels": True,
        }
        if chat["type"] in {"group", "supergroup"}:
            chat["permissions"] = {
                "can_send_messages": True,
                "can_send_audios": True,
                "can_send_documents": True,
                "can_send_photos": True,
                "can_send_videos": True,
                "can_send_video_notes": True,
                "can_send_voice_notes": True,
                "can_send_polls": True,
                "can_send_other_messages": True,
                "can_add_web_page_previews": True,
                "can_change_info": True,
                "can_invite_users": True,
                "can_pin_messages": True,
                "can_manage_topics": True,
            }
        return chat

    def _m_get_file(self, params: JSON) -> JSON:
        entry = self._files.get(str(params.get("file_id") or ""))
        if entry is None:
            raise _ApiError(400, "Bad Request: invalid file_id")
        return {
            "file_id": entry.file_id,
            "file_unique_id": entry.file_unique_id,
            "file_size": len(entry.content),
            "file_path": entry.file_path,
        }


def _default_description(status: int, retry_after: int | None) -> str:
    if status == 429:
        return f"Too Many Requests: retry after {retry_after or 1}"
    return {
        400: "Bad Request",
        401: "Unauthorized",
        403: "Forbidden: bot was blocked by the user",
        404: "Not Found",
        409: "Conflict: terminated by other getUpdates request; make sure that only one bot "
        "instance is running",
        500: "Internal Server Error",
        502: "Bad Gateway",
        503: "Service Unavailable",
    }.get(status, "Error")
