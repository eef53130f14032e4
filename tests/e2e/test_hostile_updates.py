"""Hostile updates: thousands of generated updates through the fake Bot API into the running bot.

A Hypothesis test sends at least 2,000 generated updates through the fake server into the
running Application: empty and whitespace text, 4,096-character messages, zero-width and
right-to-left characters, HTML/Markdown injection (<b>, </a>, *_[]), emoji sequences, control
characters, captions without text, unknown update types, callback data that was never issued.
No handler raises, every reply the bot sends parses as Telegram HTML and is under 4,096
characters.

Design: the test runs on the shared fixtures (conftest's ``api`` and ``start_bot``): pytest-asyncio
runs each Hypothesis example on the test's event loop, where the bot started by the fixture keeps
running from one batch to the next (hence the ``function_scoped_fixture`` health check is off:
one bot for all the batches is the point). Each batch injects its updates, then an inline query
from a never-seen sentinel user (inline queries skip the flood guard) and waits for its answer
and for every update taken to be handled. The totals over all batches are checked when the bot
stops. The bot runs without PTB's rate limiter, whose 30 messages a second across all chats
made this test take 46 s; the rate limiter is not what it tests. Users and groups come from
counters (with some reuse of recent ones), so the per-user flood guard only drops the odd
message and the bot really answers.

Updates whose type Telegram does not know at all (``some_future_update``) are dropped by the fake
at delivery, exactly as Telegram drops types missing from ``allowed_updates``; so each of them
travels with a deliverable ``message`` update carrying the same unknown top-level key and an
unknown content type, and unknown fields also ride on ordinary text messages. Only updates the
bot actually received (``getUpdates`` results) count towards the 2,000.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.telegram.runtime.app import AnyApplication
from fake_telegram import Call, FakeBotApi, MediaKind
from tests.e2e.conftest import ADMIN_ID, BOT_USERNAME, StartBot
from tests.telegram_html import telegram_html_errors

JSON = dict[str, Any]
pytestmark = pytest.mark.slow

BATCH_SIZE = 10
BATCHES = 200
MIN_UPDATES = 2_000
TELEGRAM_MAX_UTF16 = 4_096
CAPTION_MAX_UTF16 = 1_024
INLINE_QUERY_MAX_UTF16 = 256
CALLBACK_DATA_MAX_BYTES = 64
BATCH_TIMEOUT = 60.0

FIRST_USER = 50_000_001  # generated users count up from here
SENTINEL_USER = 880_000_001  # one fresh sentinel user per batch
OTHER_BOT_USER = 7_000_001
GROUP_COUNT = 400
RECENT = 300  # how many of the bot's recent messages buttons are pressed on / replied to


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def clip_utf16(text: str, limit: int) -> str:
    """At most `limit` UTF-16 code units of `text`, never half a surrogate pair."""
    data = text.encode("utf-16-le")
    if len(data) <= 2 * limit:
        return text
    data = data[: 2 * limit]
    if 0xD800 <= int.from_bytes(data[-2:], "little") <= 0xDBFF:
        data = data[:-2]
    return data.decode("utf-16-le")


def clip_utf8(text: str, limit: int) -> str:
    """At most `limit` UTF-8 bytes of `text` (Telegram's callback data limit)."""
    return text.encode()[:limit].decode(errors="ignore")


# --------------------------------------------------------------------------- generated input

CONTROL_CHARS = [chr(code) for code in range(0x20)] + ["\x7f"]
FRAGMENTS = [
    "",
    " ",
    "   ",
    "\n\t",
    "\n\n\n",
    "\u00a0",
    "\u200b",
    "\u200c",
    "\u200d",
    "\u200e",
    "\u200f",
    "\u202e",
    "\u2066",
    "\u2028",
    "\ufeff",
    "\ufffd",
    "<b>",
    "</b>",
    "</a>",
    "<a href='x'>",
    '<a href="tg://user?id=1">',
    "<br>",
    "<script>alert(1)</script>",
    "<tg-spoiler>",
    "<",
    ">",
    "&amp;",
    "&",
    "&lt;",
    "&#0;",
    "&nbsp;",
    "&#x1F600;",
    "*_[]`~",
    "```",
    "*bold*",
    "_it_",
    "[a](http://x)",
    "||spoiler||",
    "\\",
    "- ",
    "{}",
    "{step}",
    "{0}",
    "%s",
    "👨‍👩‍👧‍👦",
    "🇦🇱",
    "🏳️‍🌈",
    "👍🏽",
    "e\u0301",
    "第四步",
    "下一步",
    "上一步",
    "详细点",
    "第99步",
    "4.1",
    "4.",
    "99.99.99",
    "2",
    "0",
    "-1",
    "/step 4",
    "/step",
    "/step 4.1.",
    "/step <b>",
    "/step " + "<" * 100,
    "/start visit-store",
    "/start ../../etc",
    "/start VISIT-STORE",
    "/start",
    "/lang",
    "/help",
    "/steps",
    "/frobnicate",
    "/reload",
    "/unanswered",
    "0s",
    "1d",
    "99999999999999999999w",
    "/start " + "x" * 64,
    "/help@SimHelpBot",
    "/help@OtherBot",
    "@SimHelpBot",
    "@simhelpbot",
    "#hashtag",
    "https://example.com/<b>?a=1&b=2",
    "me@example.com",
    "E12345678",
    "+355 69 123 4567",
    "注销",
    "卡丢了怎么办",
    "我的阿尔巴尼亚卡丢了要怎么注销呢",
    "how do I cancel my SIM",
    "next",
    *CONTROL_CHARS,
]
LONG_FIXED = [
    "x" * 4096,
    "<" * 4096,
    "&" * 4096,
    "\u200b" * 4096,
    "\u202e" + "y" * 4095,
    "😀" * 2048,
    "第四步" * 1365,
    "<b>" * 1365,
    "- " + "a " * 2047,
    "/step " + "<&>" * 1363,
    "/start " + "z" * 4089,
    "@SimHelpBot " + "*_[]`~" * 680,
]
_CODE_POINTS = [chr(code) for code in range(0x20, 0x7F)] + [
    chr(code) for code in (0x4E00, 0x6B65, 0x56DB, 0x8BE6, 0x1F600, 0x1F1E6, 0x1F1F1, 0xFE0F, 0x0301)
]
ALPHABETS: dict[str, list[str]] = {
    "ascii": [chr(code) for code in range(0x20, 0x7F)],
    "markup": list("<>&*_[]`~\\/;#=\"' \n"),
    "invisible": ["\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u202e", "\ufeff", " ", "\n", "\t"],
    "cjk": [chr(code) for code in range(0x4E00, 0x4E00 + 2000)] + ["，", "。", "？", " "],
    "emoji": ["😀", "👨‍👩‍👧‍👦", "🇦🇱", "👍🏽", "🏳️‍🌈", "\u200d", "\ufe0f"],
    "control": CONTROL_CHARS,
    "fragments": [fragment for fragment in FRAGMENTS if fragment],
    "mixed": _CODE_POINTS + CONTROL_CHARS + ["\u200b", "\u202e", "<", "&"],
}


def long_text(seed: int, alphabet: str) -> str:
    """A 4,096-unit message from `alphabet` (random, but reproducible from the seed)."""
    rng = random.Random(seed)
    pool = ALPHABETS[alphabet]
    return clip_utf16("".join(rng.choice(pool) for _ in range(TELEGRAM_MAX_UTF16)), TELEGRAM_MAX_UTF16)


_SHORT_TEXT = st.one_of(
    st.sampled_from(FRAGMENTS),
    st.text(max_size=60),
    st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=12)), min_size=1, max_size=12).map(
        "".join
    ),
)
_LONG_TEXT = st.one_of(
    st.integers(0, len(LONG_FIXED) - 1).map(LONG_FIXED.__getitem__),  # (a short repr)
    st.builds(long_text, st.integers(0, 2**32 - 1), st.sampled_from(sorted(ALPHABETS))),
    st.text(min_size=300, max_size=1200),
)
# Mostly short texts, one in five near or at the 4,096 limit; never longer than Telegram allows.
TEXTS = st.one_of(_SHORT_TEXT, _SHORT_TEXT, _SHORT_TEXT, _SHORT_TEXT, _LONG_TEXT).map(
    lambda text: clip_utf16(text, TELEGRAM_MAX_UTF16)
)
CAPTIONS = st.one_of(st.none(), TEXTS.map(lambda text: clip_utf16(text, CAPTION_MAX_UTF16)))
INLINE_QUERIES = TEXTS.map(lambda text: clip_utf16(text, INLINE_QUERY_MAX_UTF16))
FORGED_DATA = [
    "s:nope:en",
    "d:visit-store:xx",
    "g::en",
    "g::zh-Hant",
    "g::xx",
    "g:visit-store:en",
    "l::en",
    "l:overview:en",
    "s::en",
    "d::en",
    "d:lost-card:en",
    "s:visit-store:en",
    "d:visit-store:zh-Hans",
    "s:visit-store:en:extra",
    "s:../../etc:en",
    "s:<b>:en",
    "s:VISIT-STORE:en",
    "s:overview:zh-hant",
    "x",
    ":",
    "::",
    ":::",
    "",
    "s:" + "x" * 59 + ":en",
    "s:" + "é" * 29 + ":en",
]
CALLBACK_DATA = st.one_of(
    st.sampled_from(FORGED_DATA),
    st.text(max_size=CALLBACK_DATA_MAX_BYTES).map(lambda text: clip_utf8(text, CALLBACK_DATA_MAX_BYTES)),
    st.none(),  # a game button: no data at all
)
LANGUAGE_CODES = st.sampled_from(["zh-hans", "zh-hant", "zh-TW", "en", "en-US", "fr", "sq", "", None])
FIRST_NAMES = st.sampled_from(["Ann", "<b>Bob</b>", "&amp;", "\u202eevil", "👨‍👩‍👧‍👦", "x" * 64, "第四步"])
USER_BACK = st.integers(0, 6)  # 0: a new person; n: the n-th most recent person again
PICK = st.integers(0, RECENT - 1)

Where = Literal[
    "private", "mention", "reply", "chatter", "topic-mention", "topic-chatter", "other-bot", "admin"
]
MENTIONS = ["@SimHelpBot {}", "@simhelpbot\n{}", "{} @SimHelpBot", "@SimHelpBot{}", "@SimHelpBot_x {}"]


@dataclass(frozen=True)
class TextUpdate:
    """A text message: private, in a group (addressed or not, in a topic), or to the admin desk."""

    text: str
    where: Where
    user_back: int
    pick: int
    mention: int
    language_code: str | None
    first_name: str


@dataclass(frozen=True)
class EditedUpdate:
    """A message followed by an edit of it (the bot answers new messages only)."""

    original: str
    edited: str
    private: bool
    user_back: int
    pick: int


@dataclass(frozen=True)
class MediaUpdate:
    """A photo, document, ... with an optional caption and no text."""

    kind: MediaKind
    caption: str | None
    private: bool
    user_back: int
    pick: int


@dataclass(frozen=True)
class ButtonPress:
    """A callback query with data the bot never issued, on a message the bot really sent."""

    data: str | None
    pick: int
    stranger: bool


@dataclass(frozen=True)
class InlineUpdate:
    """An inline query with hostile text."""

    query: str
    offset: str
    user_back: int
    language_code: str | None


@dataclass(frozen=True)
class UnknownUpdate:
    """Update types, message types and fields from a future Bot API."""

    shape: Literal["future-type", "future-content", "future-field"]
    payload: str
    private: bool
    user_back: int
    pick: int


Spec = TextUpdate | EditedUpdate | MediaUpdate | ButtonPress | InlineUpdate | UnknownUpdate

WHERE: list[Where] = [
    "private",
    "private",
    "private",
    "private",
    "mention",
    "mention",
    "reply",
    "reply",
    "chatter",
    "topic-mention",
    "topic-chatter",
    "other-bot",
    "admin",
]
MEDIA_KINDS: list[MediaKind] = [
    "photo",
    "document",
    "photo",
    "document",
    "sticker",
    "voice",
    "video",
    "animation",
    "location",
    "contact",
]
UNCAPTIONED = frozenset({"sticker", "video_note", "location", "contact"})  # Telegram allows no caption

_TEXT_UPDATES = st.builds(
    TextUpdate,
    text=TEXTS,
    where=st.sampled_from(WHERE),
    user_back=USER_BACK,
    pick=PICK,
    mention=st.integers(0, len(MENTIONS) - 1),
    language_code=LANGUAGE_CODES,
    first_name=FIRST_NAMES,
)
UPDATES: st.SearchStrategy[Spec] = st.one_of(
    _TEXT_UPDATES,
    _TEXT_UPDATES,
    _TEXT_UPDATES,
    _TEXT_UPDATES,
    st.builds(EditedUpdate, TEXTS, TEXTS, st.booleans(), USER_BACK, PICK),
    st.builds(MediaUpdate, st.sampled_from(MEDIA_KINDS), CAPTIONS, st.booleans(), USER_BACK, PICK),
    st.builds(ButtonPress, CALLBACK_DATA, PICK, st.booleans()),
    st.builds(ButtonPress, CALLBACK_DATA, PICK, st.booleans()),
    st.builds(
        InlineUpdate, INLINE_QUERIES, st.sampled_from(["", "5", "-1", "x" * 64]), USER_BACK, LANGUAGE_CODES
    ),
    st.builds(
        UnknownUpdate,
        st.sampled_from(["future-type", "future-content", "future-field"]),
        TEXTS.map(lambda text: clip_utf16(text, 200)),
        st.booleans(),
        USER_BACK,
        PICK,
    ),
)


# --------------------------------------------------------------------------- checks


def call_problems(call: Call) -> list[str]:
    """What is wrong with one recorded Bot API call (empty: nothing)."""
    problems: list[str] = []
    if not call.ok and not call.abandoned:
        # Pressing a forged but well-formed button twice ("g::en") edits the message to the text it
        # already has: Telegram answers "message is not modified", which edit_reply expects and
        # ignores. Every other error is a bug.
        not_modified = call.method == "editMessageText" and "message is not modified" in str(call.error)
        if not not_modified:
            problems.append(f"{call.method} failed: {call.status} {call.error} {_short(call.params)}")
    if call.method in {"sendMessage", "editMessageText"}:
        problems.extend(f"{call.method}: {p}" for p in text_problems(call.params.get("text"), call.params))
    if call.method == "answerInlineQuery":
        for result in call.params.get("results") or []:
            content = (result.get("input_message_content") or {}) if isinstance(result, dict) else {}
            problems.extend(
                f"inline result: {p}" for p in text_problems(content.get("message_text"), content)
            )
    return problems


def text_problems(text: object, params: JSON) -> list[str]:
    """A message text the bot sends: Telegram HTML, at most 4,096 UTF-16 units."""
    if not isinstance(text, str) or not text.strip():
        return [f"no text: {_short(params)}"]
    errors = telegram_html_errors(text)
    if params.get("parse_mode") != "HTML":
        errors.append(f"parse_mode {params.get('parse_mode')!r}, not HTML")
    if utf16_length(text) > TELEGRAM_MAX_UTF16:
        errors.append(f"{utf16_length(text)} UTF-16 units")
    return [f"{'; '.join(errors)} in {text[:300]!r}"] if errors else []


def _short(params: JSON) -> str:
    text = repr(params)
    return text if len(text) <= 600 else text[:597] + "..."


class RecordCollector(logging.Handler):
    """Keeps every log record it sees (attached to the loggers that report handler failures)."""

    def __init__(self, level: int) -> None:
        super().__init__(level)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def describe(record: logging.LogRecord) -> str:
    text = f"log {record.levelname} {record.name}: {record.getMessage()}"
    if record.exc_info:
        text += "\n" + logging.Formatter().formatException(record.exc_info)
    return text


# --------------------------------------------------------------------------- the running bot


@dataclass
class Totals:
    """What went through, for the final assertions."""

    injected: int
    delivered: int
    sent: int
    edited: int
    callback_answers: int
    inline_answers: int
    problems: list[str]


@dataclass
class HostileBot:
    """The fake server and the running Application, with what the batches have done so far."""

    api: FakeBotApi
    collectors: list[RecordCollector]
    application: AnyApplication
    next_user: int = FIRST_USER
    group_turn: int = 0
    sentinels: int = 0
    raw_messages: int = 0
    generated: list[int] = field(default_factory=list)
    undeliverable: set[int] = field(default_factory=set)
    callback_ids: set[str] = field(default_factory=set)
    inline_ids: set[str] = field(default_factory=set)
    bot_messages: list[JSON] = field(default_factory=list)
    group_bot_messages: list[JSON] = field(default_factory=list)
    scanned: int = 0

    def records(self) -> list[logging.LogRecord]:
        return [record for collector in self.collectors for record in collector.records]

    async def send(self, batch: Sequence[Spec]) -> list[str]:
        """Inject a batch, wait until the bot handled all of it; what went wrong meanwhile."""
        api = self.api
        mark = api.mark()
        seen_records = len(self.records())
        callbacks_before, inlines_before = set(self.callback_ids), set(self.inline_ids)
        for spec in batch:
            self._inject(spec)
        self.sentinels += 1
        sentinel = api.inject_inline_query("", user_id=SENTINEL_USER + self.sentinels)
        query_id = str(sentinel["inline_query"]["id"])
        self.inline_ids.add(query_id)
        await api.wait_for(
            lambda call: (
                call.method == "answerInlineQuery" and str(call.params.get("inline_query_id")) == query_id
            ),
            since=mark,
            timeout=BATCH_TIMEOUT,
        )
        # The sentinel came last, so the batch is in the bot; chats are handled side by side,
        # so wait until every update it took has been handled, not only the sentinel's.
        await asyncio.wait_for(self.application.update_queue.join(), timeout=BATCH_TIMEOUT)
        calls = api.calls[mark:]
        self.remember_bot_messages()
        problems = [problem for call in calls for problem in call_problems(call)]
        problems.extend(describe(record) for record in self.records()[seen_records:])
        answered_callbacks = _answered(calls, "answerCallbackQuery", "callback_query_id")
        answered_inline = _answered(calls, "answerInlineQuery", "inline_query_id")
        for query in sorted(self.callback_ids - callbacks_before):
            if answered_callbacks[query] != 1:
                problems.append(f"callback query {query} answered {answered_callbacks[query]} times")
        for query in sorted(self.inline_ids - inlines_before):
            if answered_inline[query] != 1:
                problems.append(f"inline query {query} answered {answered_inline[query]} times")
        return problems

    def totals(self) -> Totals:
        """What went through over all the batches, and every problem seen."""
        api = self.api
        delivered_ids = {
            int(update["update_id"])
            for call in api.calls_of("getUpdates")
            if call.ok and isinstance(call.result, list)
            for update in call.result
        }
        deliverable = set(self.generated) - self.undeliverable
        problems = [problem for call in api.calls for problem in call_problems(call)]
        problems.extend(describe(record) for record in self.records())
        never_delivered = sorted(deliverable - delivered_ids)
        if never_delivered:
            problems.append(f"{len(never_delivered)} updates never reached the bot: {never_delivered[:20]}")
        answered_callbacks = _answered(api.calls, "answerCallbackQuery", "callback_query_id")
        answered_inline = _answered(api.calls, "answerInlineQuery", "inline_query_id")
        problems.extend(
            f"callback query {query} not answered exactly once"
            for query in sorted(self.callback_ids)
            if answered_callbacks[query] != 1
        )
        problems.extend(
            f"inline query {query} not answered exactly once"
            for query in sorted(self.inline_ids)
            if answered_inline[query] != 1
        )
        return Totals(
            injected=len(self.generated),
            delivered=len(deliverable & delivered_ids),
            sent=len([call for call in api.calls_of("sendMessage") if call.ok]),
            edited=len([call for call in api.calls_of("editMessageText") if call.ok]),
            callback_answers=sum(answered_callbacks.values()),
            inline_answers=sum(answered_inline.values()),
            problems=problems,
        )

    def remember_bot_messages(self) -> None:
        """The bot's new messages: targets for button presses and group replies."""
        calls = self.api.calls[self.scanned :]
        self.scanned += len(calls)
        for call in calls:
            if call.method == "sendMessage" and call.ok and isinstance(call.result, dict):
                self.bot_messages.append(call.result)
                if call.result["chat"]["type"] != "private":
                    self.group_bot_messages.append(call.result)
        del self.bot_messages[:-RECENT]
        del self.group_bot_messages[:-RECENT]

    # ---- people, groups and messages

    def _user(self, back: int) -> int:
        if back == 0 or back >= self.next_user - FIRST_USER:
            self.next_user += 1
            return self.next_user - 1
        return self.next_user - back

    def _group(self, slot: int, *, supergroup: bool = False) -> tuple[int, Literal["group", "supergroup"]]:
        """Groups in turn (with some reuse), so no group hits the 20-per-minute limit."""
        self.group_turn += 1
        index = (self.group_turn + slot) % GROUP_COUNT
        if supergroup:
            index |= 1
        if index % 2:
            return -(1_000_000_000_000 + index), "supergroup"
        return -(4_000 + index), "group"

    def _recent(self, messages: list[JSON], pick: int) -> JSON | None:
        return messages[-1 - pick % len(messages)] if messages else None

    def _generated(self, update: JSON) -> None:
        if "update_id" in update:  # none: Telegram withholds it (another bot's group message)
            self.generated.append(int(update["update_id"]))

    def _raw_message(self, chat: JSON, user_id: int, content: JSON) -> JSON:
        self.raw_messages += 1
        return {
            "message_id": 900_000 + self.raw_messages,
            "from": {"id": user_id, "is_bot": False, "first_name": "Ann", "language_code": "en"},
            "chat": chat,
            "date": int(time.time()),
            **content,
        }

    def _inject(self, spec: Spec) -> None:
        if isinstance(spec, TextUpdate):
            self._inject_text(spec)
        elif isinstance(spec, EditedUpdate):
            self._inject_edit(spec)
        elif isinstance(spec, MediaUpdate):
            self._inject_media(spec)
        elif isinstance(spec, ButtonPress):
            self._inject_button(spec)
        elif isinstance(spec, InlineUpdate):
            update = self.api.inject_inline_query(
                spec.query,
                user_id=self._user(spec.user_back),
                offset=spec.offset,
                language_code=spec.language_code,
            )
            self.inline_ids.add(str(update["inline_query"]["id"]))
            self._generated(update)
        else:
            self._inject_unknown(spec)

    def _inject_text(self, spec: TextUpdate) -> None:
        api = self.api
        user = self._user(spec.user_back)
        people: JSON = {"language_code": spec.language_code, "first_name": spec.first_name}
        where = spec.where
        if where == "reply" and not self.group_bot_messages:
            where = "mention"
        if where == "private":
            update = api.inject_message(spec.text, user_id=user, **people)
        elif where == "admin":
            text = clip_utf16("/unanswered " + spec.text, TELEGRAM_MAX_UTF16)
            update = api.inject_message(text, user_id=ADMIN_ID, **people)
        elif where == "reply":
            target = self._recent(self.group_bot_messages, spec.pick)
            assert target is not None
            chat = target["chat"]
            topic = (
                {"message_thread_id": target["message_thread_id"], "is_topic_message": True}
                if target.get("is_topic_message")
                else {}
            )
            update = api.inject_message(
                spec.text,
                chat_id=chat["id"],
                user_id=user,
                chat_type=chat["type"],
                reply_to_message_id=target["message_id"],
                **topic,
                **people,
            )
        else:
            addressed = where in {"mention", "topic-mention", "other-bot"}
            text = spec.text
            if addressed:
                style = MENTIONS[spec.mention]
                text = style.format(clip_utf16(text, TELEGRAM_MAX_UTF16 - len(style)))
            chat_id, chat_type = self._group(spec.pick % 4, supergroup=where.startswith("topic"))
            extra: JSON = {}
            if where.startswith("topic"):
                extra = {"message_thread_id": 3 + 11 * (spec.pick % 3), "is_topic_message": True}
            if where == "other-bot":
                user = OTHER_BOT_USER + spec.pick % 3
                extra["from_bot"] = True
            update = api.inject_message(
                text, chat_id=chat_id, user_id=user, chat_type=chat_type, chat_title=spec.first_name, **extra
            )
        self._generated(update)

    def _inject_edit(self, spec: EditedUpdate) -> None:
        api = self.api
        user = self._user(spec.user_back)
        if spec.private:
            self._generated(api.inject_message(spec.original, user_id=user))
            self._generated(api.inject_message(spec.edited, user_id=user, edited=True))
            return
        chat_id, chat_type = self._group(spec.pick % 4)
        self._generated(api.inject_message(spec.original, chat_id=chat_id, user_id=user, chat_type=chat_type))
        edited = clip_utf16(f"@{BOT_USERNAME} {spec.edited}", TELEGRAM_MAX_UTF16)
        self._generated(api.inject_message(edited, chat_id=chat_id, user_id=user, edited=True))

    def _inject_media(self, spec: MediaUpdate) -> None:
        user = self._user(spec.user_back)
        caption = spec.caption if spec.kind not in UNCAPTIONED else None
        if spec.private:
            update = self.api.inject_media(spec.kind, user_id=user, caption=caption)
        else:
            chat_id, chat_type = self._group(spec.pick % 4)
            update = self.api.inject_media(
                spec.kind, chat_id=chat_id, user_id=user, chat_type=chat_type, caption=caption
            )
        self._generated(update)

    def _inject_button(self, spec: ButtonPress) -> None:
        target = self._recent(self.bot_messages, spec.pick)
        assert target is not None  # the fixture made the bot send one before the first batch
        chat = target["chat"]
        if chat["type"] == "private":
            user = chat["id"]
        else:
            asker = (target.get("reply_to_message") or {}).get("from") or {}
            human = asker.get("id") if not asker.get("is_bot") else None
            user = human if human is not None and not spec.stranger else self._user(0)
        update = self.api.inject_callback_query(spec.data, message=target, user_id=user)
        self.callback_ids.add(str(update["callback_query"]["id"]))
        self._generated(update)

    def _inject_unknown(self, spec: UnknownUpdate) -> None:
        api = self.api
        user = self._user(spec.user_back)
        future: JSON = {"id": spec.payload, "nested": {"list": [1, "two", None], "text": spec.payload}}
        if spec.private:
            chat = api.ensure_chat(user, chat_type="private")
        else:
            chat_id, chat_type = self._group(spec.pick % 4)
            chat = api.ensure_chat(chat_id, chat_type=chat_type)
        if spec.shape == "future-field":
            text = spec.payload if spec.private else f"@{BOT_USERNAME} {spec.payload}"
            update = api.inject_message(
                text,
                chat_id=chat["id"],
                user_id=user,
                chat_type=chat["type"],
                extra={"some_future_field": future, "another_one": [spec.payload]},
            )
            self._generated(update)
            return
        if spec.shape == "future-type":
            # Not in allowed_updates: the fake drops it at delivery, as Telegram does.
            pure = api.inject_raw({"some_future_update": future})
            self._generated(pure)
            self.undeliverable.add(int(pure["update_id"]))
        content = {"some_future_content": future, "caption": spec.payload}
        raw: JSON = {"message": self._raw_message(chat, user, content)}
        if spec.shape == "future-type":
            raw["some_future_update"] = future
        self._generated(api.inject_raw(raw))


def _answered(calls: Sequence[Call], method: str, key: str) -> Counter[str]:
    return Counter(str(call.params.get(key)) for call in calls if call.method == method and call.ok)


@contextlib.contextmanager
def collecting_logs() -> Iterator[list[RecordCollector]]:
    """Collect WARNING+ from the bot's loggers (the error handler: "bot.errors") and ERROR+ from
    python-telegram-bot's "telegram.ext" loggers (exceptions no error handler took)."""
    watched = [("bot", logging.WARNING), ("telegram.ext", logging.ERROR)]
    collectors: list[RecordCollector] = []
    restore: list[tuple[logging.Logger, int]] = []
    for name, level in watched:
        logger = logging.getLogger(name)
        restore.append((logger, logger.level))
        if logger.getEffectiveLevel() > level:
            logger.setLevel(level)
        collector = RecordCollector(level)
        logger.addHandler(collector)
        collectors.append(collector)
    try:
        yield collectors
    finally:
        for (logger, level), collector in zip(restore, collectors, strict=True):
            logger.removeHandler(collector)
            logger.setLevel(level)


@pytest.fixture
async def hostile_bot(api: FakeBotApi, start_bot: StartBot) -> AsyncIterator[HostileBot]:
    """The running bot for all the batches; when they are done, the totals over all of them."""
    started = time.monotonic()
    with collecting_logs() as collectors:
        async with start_bot(rate_limit=False) as application:
            harness = HostileBot(api, collectors, application)
            # A first message from the bot, so button presses always have a real message to press on.
            mark = api.mark()
            api.inject_message("/start", user_id=SENTINEL_USER)
            await api.wait_for_sent(SENTINEL_USER, since=mark, timeout=BATCH_TIMEOUT)
            harness.remember_bot_messages()
            yield harness
            totals = harness.totals()
    print(
        f"\n{totals.injected} updates injected, {totals.delivered} delivered to the bot in "
        f"{time.monotonic() - started:.1f}s: {totals.sent} messages sent, {totals.edited} edited, "
        f"{totals.callback_answers} callback and {totals.inline_answers} inline queries answered"
    )
    assert totals.problems == [], "\n".join(totals.problems[:50])
    assert totals.delivered >= MIN_UPDATES
    assert totals.sent >= MIN_UPDATES // 5  # the bot really answered, not only the flood guard


@settings(
    max_examples=BATCHES,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
        HealthCheck.filter_too_much,
        HealthCheck.function_scoped_fixture,  # one running bot for every batch, on purpose
    ],
)
@given(batch=st.lists(UPDATES, min_size=BATCH_SIZE, max_size=BATCH_SIZE))
async def test_thousands_of_hostile_updates_never_break_the_bot(
    hostile_bot: HostileBot, batch: list[Spec]
) -> None:
    """Each batch handled without a failed call, a bad reply or a logged error (the totals over
    all batches are checked by the fixture when the bot stops)."""
    problems = await hostile_bot.send(batch)
    assert problems == [], "\n".join(problems)
