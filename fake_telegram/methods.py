"""The Bot API methods the bot calls (directly or through PTB), with Telegram's checks and errors.

PTB's ``initialize`` calls getMe; ``start_polling`` deleteWebhook then getUpdates; the
bot's webhook mode calls setWebhook. The bot itself calls sendMessage, editMessageText,
answerCallbackQuery, answerInlineQuery, set/getMyCommands, and sets its profile with
set/getMyDescription and set/getMyShortDescription. Nothing else is implemented: any other
method is a 404, as Telegram answers an unknown method.
"""

from __future__ import annotations

import copy
import json
import re
import time
from collections.abc import Callable
from typing import Any

from fake_telegram.chats import Chats
from fake_telegram.text import message_text
from fake_telegram.updates import UpdateQueue
from fake_telegram.wire import JSON, ApiError

Handler = Callable[[JSON], Any]  # returns the result, or an awaitable of it

_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
_QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"
_MARKUPS = frozenset({"inline_keyboard", "keyboard", "remove_keyboard", "force_reply"})
_COMMAND = re.compile(r"[a-z0-9_]{1,32}")
_LANGUAGE = re.compile(r"[a-z]{2}")
# Profile texts: (field, longest allowed).
_DESCRIPTION, _SHORT_DESCRIPTION = ("description", 512), ("short_description", 120)


class OpenQueries:
    """Callback and inline query ids Telegram issued: each can be answered once."""

    def __init__(self, bot_id: int) -> None:
        self._bot_id = bot_id
        self._issued = 0
        self._open: set[str] = set()

    def issue(self) -> str:
        self._issued += 1
        query_id = str(4_300_000_000_000_000_000 + self._bot_id % 10**6 * 1000 + self._issued)
        self._open.add(query_id)
        return query_id

    def answer(self, query_id: object) -> None:
        """Close the query, or Telegram's 400 for an unknown or already answered one."""
        if str(query_id) not in self._open:
            raise ApiError(400, _QUERY_TOO_OLD)
        self._open.discard(str(query_id))


class BotApiMethods:
    """Each method reads the decoded parameters and returns the ``result`` or raises ApiError."""

    def __init__(
        self,
        bot_user: JSON,
        chats: Chats,
        queue: UpdateQueue,
        queries: OpenQueries,
        on_sent: Callable[[JSON], None],
    ) -> None:
        self.bot_user = bot_user
        self._chats = chats
        self._queue = queue
        self._queries = queries
        self._on_sent = on_sent
        self.commands: dict[str, list[JSON]] = {}
        self.profile: dict[tuple[str, str], str] = {}

    def table(self) -> dict[str, tuple[str, Handler]]:
        """Lower-cased method name -> (its proper name, handler): Telegram ignores the case."""
        handlers: list[tuple[str, Handler]] = [
            ("getMe", lambda params: copy.deepcopy(self.bot_user)),
            ("getUpdates", self._queue.get_updates),
            ("setWebhook", self._queue.set_webhook),
            ("deleteWebhook", self._queue.delete_webhook),
            ("sendMessage", self.send_message),
            ("editMessageText", self.edit_message_text),
            ("answerCallbackQuery", self.answer_callback_query),
            ("answerInlineQuery", self.answer_inline_query),
            ("setMyCommands", self.set_my_commands),
            ("getMyCommands", self.get_my_commands),
            ("setMyDescription", lambda params: self._set_profile(params, *_DESCRIPTION)),
            ("getMyDescription", lambda params: self._get_profile(params, _DESCRIPTION[0])),
            ("setMyShortDescription", lambda params: self._set_profile(params, *_SHORT_DESCRIPTION)),
            ("getMyShortDescription", lambda params: self._get_profile(params, _SHORT_DESCRIPTION[0])),
        ]
        return {name.lower(): (name, handler) for name, handler in handlers}

    # ---- messages

    def send_message(self, params: JSON) -> JSON:
        chat = self._chats.writable(params.get("chat_id"))
        text, entities = message_text(params.get("text"), params.get("parse_mode"), params.get("entities"))
        markup = inline_keyboard(params.get("reply_markup"))
        target = self._reply_target(chat, params)
        thread_id = params.get("message_thread_id")
        if thread_id in (None, "") and target is not None and target.get("is_topic_message"):
            thread_id = target.get("message_thread_id")
        thread = int(thread_id) if thread_id not in (None, "") else None
        message = self._chats.new_message(chat, self._chats.bot_sender, thread_id=thread, reply_to=target)
        message["text"] = text
        if entities:
            message["entities"] = entities
        if markup is not None:
            message["reply_markup"] = markup
        self._chats.store(message)
        self._chats.note_sender(message)
        self._on_sent(message)
        return message

    def _reply_target(self, chat: JSON, params: JSON) -> JSON | None:
        """The message a sendMessage replies to (PTB sends reply_parameters), in the same chat."""
        reply = params.get("reply_parameters")
        if not isinstance(reply, dict):
            return None
        try:
            target = self._chats.message(chat["id"], int(reply.get("message_id")))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            target = None
        if target is None and not reply.get("allow_sending_without_reply"):
            raise ApiError(400, "Bad Request: message to be replied not found")
        return target

    def edit_message_text(self, params: JSON) -> JSON:
        chat = self._chats.find(params.get("chat_id"))
        try:
            message = self._chats.message(chat["id"], int(params.get("message_id")))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise ApiError(400, "Bad Request: message identifier is not specified") from None
        if message is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        if message["from"]["id"] != self.bot_user["id"]:
            raise ApiError(400, "Bad Request: message can't be edited")
        if "text" not in message:
            raise ApiError(400, "Bad Request: there is no text in the message to edit")
        text, entities = message_text(params.get("text"), params.get("parse_mode"), params.get("entities"))
        markup = inline_keyboard(params.get("reply_markup"))  # none given: the keyboard goes
        old = (message["text"], message.get("entities", []), message.get("reply_markup"))
        if (text, entities, markup) == old:
            raise ApiError(400, _NOT_MODIFIED)
        edited = {k: v for k, v in message.items() if k not in {"entities", "reply_markup"}}
        edited.update(text=text, edit_date=int(time.time()))
        if entities:
            edited["entities"] = entities
        if markup is not None:
            edited["reply_markup"] = markup
        self._chats.store(edited)
        self._on_sent(edited)
        return edited

    # ---- queries

    def answer_callback_query(self, params: JSON) -> bool:
        if len(str(params.get("text") or "")) > 200:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        self._queries.answer(params.get("callback_query_id"))
        return True

    def answer_inline_query(self, params: JSON) -> bool:
        results = params.get("results")
        if not isinstance(results, list):
            raise ApiError(400, "Bad Request: can't parse inline query results JSON object")
        if len(results) > 50:
            raise ApiError(400, "Bad Request: RESULTS_TOO_MUCH")
        if not all(isinstance(r, dict) and r.get("id") and r.get("type") for r in results):
            raise ApiError(400, "Bad Request: can't parse inline query result")
        ids = [str(r["id"]) for r in results]
        if len(set(ids)) != len(ids):
            raise ApiError(400, "Bad Request: RESULT_ID_DUPLICATE")
        if any(len(i.encode()) > 64 for i in ids):
            raise ApiError(400, "Bad Request: RESULT_ID_INVALID")
        self._queries.answer(params.get("inline_query_id"))
        return True

    # ---- the bot's profile: command menu and descriptions, per scope and language

    def set_my_commands(self, params: JSON) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise ApiError(400, "Bad Request: can't parse commands JSON object")
        if len(commands) > 100:
            raise ApiError(400, "Bad Request: too many commands specified")
        for item in commands:
            if not isinstance(item, dict) or not _COMMAND.fullmatch(str(item.get("command"))):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(str(item.get("description") or "").strip()) <= 256:
                raise ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        key = commands_key(params.get("scope"), language(params))
        self.commands[key] = [{"command": c["command"], "description": c["description"]} for c in commands]
        return True

    def get_my_commands(self, params: JSON) -> list[JSON]:
        """The menu set for exactly this scope and language (Telegram does not fall back here)."""
        return copy.deepcopy(self.commands.get(commands_key(params.get("scope"), language(params)), []))

    def _set_profile(self, params: JSON, field: str, longest: int) -> bool:
        value = str(params.get(field) or "")
        if len(value) > longest:
            raise ApiError(400, f"Bad Request: BOT_{field.upper()}_INVALID")
        self.profile[(field, language(params))] = value  # "" removes the language's own text
        return True

    def _get_profile(self, params: JSON, field: str) -> JSON:
        return {field: self.profile.get((field, language(params)), "")}


def language(params: JSON) -> str:
    """The ``language_code`` a profile setting is scoped to ("" for everyone without one)."""
    code = params.get("language_code") or ""
    if not isinstance(code, str) or (code and not _LANGUAGE.fullmatch(code)):
        raise ApiError(400, "Bad Request: invalid language code specified")
    return code


def commands_key(scope: object, language_code: str) -> str:
    """Where a command menu is stored: its scope (default: everyone) and language."""
    scope = scope if isinstance(scope, dict) and scope else {"type": "default"}
    return f"{json.dumps(scope, sort_keys=True)}|{language_code}"


def inline_keyboard(markup: object) -> JSON | None:
    """Check reply_markup like Telegram; return what a Message echoes (inline keyboards only)."""
    if markup is None or markup == "":
        return None
    if not isinstance(markup, dict) or not _MARKUPS & set(markup):
        raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
    rows = markup.get("inline_keyboard")
    if rows is None:
        return None
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise ApiError(400, 'Bad Request: field "inline_keyboard" must be of type Array')
    for button in (button for row in rows for button in row):
        if not isinstance(button, dict) or not button.get("text"):
            raise ApiError(400, "Bad Request: can't parse inline keyboard button")
        if "callback_data" in button and not 1 <= len(str(button["callback_data"]).encode()) <= 64:
            raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
        if not set(button) - {"text", "style", "icon_custom_emoji_id"}:
            raise ApiError(400, "Bad Request: can't parse inline keyboard button: Text buttons are unallowed")
    return copy.deepcopy(markup) if any(rows) else None
