"""FakeBotApi, the one object a test holds: it plays the people (``inject_*``), sets the scene
(privacy mode, admin rights, network, token), scripts faults, and through BotActivity records
what the bot does and waits for it. Use it from the event loop that runs it."""

from __future__ import annotations

import copy
import time
from collections.abc import Mapping
from types import TracebackType
from typing import Any, Self, Unpack

from fake_telegram.chats import Chats, ChatType, MemberStatus, Profile, person
from fake_telegram.faults import Fault, FaultPlan, PoisonKind, poison
from fake_telegram.media import NO_CAPTION, MediaKind, media_content
from fake_telegram.methods import BotApiMethods, OpenQueries, commands_key
from fake_telegram.privacy import BotView, bot_receives
from fake_telegram.record import BotActivity
from fake_telegram.server import BotApiServer
from fake_telegram.text import detect_entities, sorted_entities
from fake_telegram.updates import UpdateQueue
from fake_telegram.wire import JSON

DEFAULT_TOKEN = "123456789:AAE2eTestTokenForTheFakeBotApiServer"


class Origin(Profile, total=False):
    """Where an injected message comes from (see ``FakeBotApi._user_message``)."""

    chat_id: int | None
    user_id: int | None
    chat_type: ChatType
    chat_title: str | None
    message_thread_id: int | None
    is_topic_message: bool
    reply_to_message_id: int | None
    from_bot: bool


class FakeBotApi(BotActivity):
    """A fake ``api.telegram.org`` for one bot, on 127.0.0.1 (see the package docstring)."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        username: str = "SimHelpBot",
        *,
        first_name: str = "SIM Help",
        privacy_mode: bool = False,
        token_rejected: bool = False,
        reachable: bool = True,
        first_update_id: int = 100_000_001,
        port: int = 0,
    ) -> None:
        self._token, self._token_rejected, self._reachable_at_start = token, token_rejected, reachable
        self._privacy_mode = privacy_mode
        head = token.split(":", 1)[0]
        self._bot_user: JSON = {
            "id": int(head) if head.isdigit() else 1,
            "is_bot": True,
            "first_name": first_name,
            "username": username,
            "can_join_groups": True,
            "can_read_all_group_messages": not privacy_mode,
            "supports_inline_queries": True,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }
        super().__init__()
        self.withheld: list[JSON] = []  # messages Telegram did not show the bot
        self._chats = Chats(self._bot_user)
        self._updates = UpdateQueue(self._changes, first_update_id)
        self._queries = OpenQueries(self._bot_user["id"])
        self._faults = FaultPlan()
        self._methods = BotApiMethods(
            self._bot_user, self._chats, self._updates, self._queries, self._note_sent
        )
        self._server = BotApiServer(
            self._methods.table(),
            self._faults,
            self._record,
            self._token_accepted,
            notify=self._changes.notify,
            port=port,
        )
        self._media_serial = 0

    # ---- lifecycle and addresses

    async def start(self) -> None:
        self._updates.closing = False
        await self._server.start(reachable=self._reachable_at_start)

    async def stop(self) -> None:
        self._updates.closing = True  # a pending long poll answers with an empty list
        self._changes.notify()
        await self._server.stop()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()

    @property
    def root_url(self) -> str:
        """For the bot's TELEGRAM_API_BASE_URL."""
        return f"http://127.0.0.1:{self._server.port}"

    @property
    def base_url(self) -> str:
        """For ``Bot(token, base_url=...)`` / ``ApplicationBuilder().base_url(...)``."""
        return f"{self.root_url}/bot"

    @property
    def token(self) -> str:
        return self._token

    @property
    def bot_user(self) -> JSON:
        """The getMe result."""
        return copy.deepcopy(self._bot_user)

    # ---- the network, the token, the bot's place in groups

    async def set_reachable(self, reachable: bool) -> None:
        """Take the server off the network (connections refused, open ones cut) or bring it back
        at the same address. ``FakeBotApi(reachable=False)`` starts it unreachable."""
        await self._server.set_reachable(reachable)

    def reject_token(self, rejected: bool = True) -> None:
        """Every request answers 401 Unauthorized, as for a revoked token."""
        self._token_rejected = rejected

    def _token_accepted(self, token: str) -> bool:
        return token == self._token and not self._token_rejected

    def set_admin(self, chat_id: int, admin: bool = True) -> None:
        """Make the bot an admin of the group (it then sees every message) or a plain member."""
        self._chats.set_status(chat_id, "administrator" if admin else "member")

    def ensure_chat(self, chat_id: int, *, chat_type: ChatType = "private", title: str | None = None) -> JSON:
        """A chat the bot can write to (someone has started it), without a message."""
        return self._chats.ensure(chat_id, chat_type=chat_type, title=title)

    def block_user(self, user_id: int, blocked: bool = True) -> None:
        """The person blocks the bot: sends to their chat fail with 403."""
        self._chats.block(user_id, blocked)

    # ---- what people do

    def _queue_message(self, message: JSON, kind: str = "message") -> JSON:
        """Store `message`, then queue it if Telegram would show it to the bot.

        A withheld message (privacy mode, another bot's message, a group the bot left) is in
        the chat but never reaches the bot: the returned dict has no ``update_id``.
        """
        self._chats.store(message)
        chat_id = message["chat"]["id"]
        status = self._chats.status(chat_id)
        view = BotView(
            bot_id=self._bot_user["id"],
            username=self._bot_user["username"],
            privacy_mode=self._privacy_mode,
            is_admin=status == "administrator",
            last_bot_in_chat=self._chats.last_bot(chat_id),
        )
        in_chat = message["chat"]["type"] == "private" or status in {"member", "administrator"}
        if kind == "message":
            self._chats.note_sender(message)
        if in_chat and bot_receives(message, view):
            return self._updates.add({kind: message})
        self.withheld.append(copy.deepcopy(message))
        self._changes.notify()
        return {kind: copy.deepcopy(message)}

    def _user_message(
        self,
        *,
        chat_id: int | None = None,
        user_id: int | None = None,
        chat_type: ChatType = "private",
        chat_title: str | None = None,
        message_thread_id: int | None = None,
        is_topic_message: bool = False,
        reply_to_message_id: int | None = None,
        from_bot: bool = False,
        **profile: Unpack[Profile],
    ) -> JSON:
        """A new Message from a person (or a bot) in a chat, registering both on first sight.

        In a supergroup a ``message_thread_id`` makes the chat a forum and the message a topic
        message (``is_topic_message`` is implied; callers may say it for readability).
        """
        if chat_type == "private":
            if None not in (chat_id, user_id) and chat_id != user_id:
                raise ValueError("in a private chat, chat_id == user_id (give either)")
            chat_id = user_id = chat_id if chat_id is not None else user_id
        if chat_id is None or user_id is None:
            raise ValueError(f"a {chat_type} message needs chat_id and user_id")
        sender = person(user_id, **profile)
        if from_bot:
            sender = {key: value for key, value in sender.items() if key != "language_code"} | {
                "is_bot": True
            }
        forum = message_thread_id is not None or is_topic_message
        chat = self._chats.ensure(
            chat_id, chat_type=chat_type, title=chat_title, sender=sender, is_forum=forum
        )
        reply_to = None
        if reply_to_message_id is not None:
            reply_to = self._chats.message(chat_id, reply_to_message_id)
            if reply_to is None:
                raise ValueError(f"unknown message {reply_to_message_id} in chat {chat_id}")
        return self._chats.new_message(chat, sender, thread_id=message_thread_id, reply_to=reply_to)

    def inject_message(
        self,
        text: str,
        *,
        entities: list[JSON] | None = None,
        edited: bool = False,
        message_id: int | None = None,
        extra: Mapping[str, Any] | None = None,
        **origin: Unpack[Origin],
    ) -> JSON:
        """A person sends `text`; returns the Update dict (see ``_queue_message`` for withheld ones).

        ``entities=None`` detects /command, @mention and links as Telegram does. ``edited=True``
        edits the person's message ``message_id`` (default: their last one in that chat).
        ``extra`` adds or overrides Message fields (``sender_chat``, ``via_bot``, future fields).
        """
        if edited:
            chat_id = origin.get("chat_id") or origin.get("user_id")
            user_id = origin.get("user_id") or chat_id
            if chat_id is None or user_id is None:
                raise ValueError("an edit needs chat_id (or user_id in a private chat)")
            original = (
                self._chats.message(chat_id, message_id)
                if message_id
                else self._chats.last_from(chat_id, user_id)
            )
            if original is None:
                raise ValueError(f"no message to edit in chat {chat_id}")
            message = {key: value for key, value in original.items() if key != "entities"}
            message["edit_date"] = max(int(time.time()), message["date"])
        else:
            message = self._user_message(**origin)
        message["text"] = text
        if found := detect_entities(text) if entities is None else entities:
            message["entities"] = sorted_entities(found)
        message.update(extra or {})
        return self._queue_message(message, "edited_message" if edited else "message")

    def inject_media(self, kind: MediaKind, *, caption: str | None = None, **origin: Unpack[Origin]) -> JSON:
        """A person sends a photo, sticker, voice note, document, location ... (no text)."""
        message = self._user_message(**origin)
        self._media_serial += 1
        message.update(media_content(kind, message["from"], self._media_serial))
        if caption is not None:
            if kind in NO_CAPTION:
                raise ValueError(f"a {kind} has no caption")
            message["caption"] = caption
            if found := detect_entities(caption):
                message["caption_entities"] = found
        return self._queue_message(message)

    def inject_service_message(self, content: JSON, **origin: Unpack[Origin]) -> JSON:
        """A service message, e.g. ``{"new_chat_title": "SIM help"}`` (privacy mode lets it through)."""
        return self._queue_message(self._user_message(**origin) | content)

    def inject_callback_query(
        self, data: str | None, *, message: JSON, user_id: int | None = None, **profile: Unpack[Profile]
    ) -> JSON:
        """A person presses a button on `message`, a message the bot sent (its current version is
        used). ``data=None`` is a game button. The query can be answered once."""
        chat = message["chat"]
        if user_id is None:
            if chat["type"] != "private":
                raise ValueError("a button press in a group needs user_id")
            user_id = int(chat["id"])
        query: JSON = {
            "id": self._queries.issue(),
            "from": person(user_id, **profile),
            "message": self._chats.message(chat["id"], message["message_id"]) or message,
            "chat_instance": str(-((abs(int(chat["id"])) * 2_654_435_761 + self._bot_user["id"]) % 10**19)),
        }
        if data is not None:
            query["data"] = data
        return self._updates.add({"callback_query": query})

    def inject_inline_query(
        self, query: str, *, user_id: int, offset: str = "", **profile: Unpack[Profile]
    ) -> JSON:
        """A person types ``@ThisBot query`` in a chat; the query can be answered once."""
        inline = {
            "id": self._queries.issue(),
            "from": person(user_id, **profile),
            "query": query,
            "offset": offset,
        }
        return self._updates.add({"inline_query": inline | {"chat_type": "sender"}})

    def inject_my_chat_member(
        self,
        chat_id: int,
        *,
        old_status: MemberStatus,
        new_status: MemberStatus,
        from_user_id: int,
        chat_type: ChatType = "group",
        chat_title: str | None = None,
        language_code: str | None = "zh-hans",
    ) -> JSON:
        """Someone adds, promotes or removes the bot: its status in the group changes and a
        ``my_chat_member`` update is queued. Telegram delivers it by default, but not when
        allowed_updates leaves it out (as the bot's own list does)."""
        chat = self._chats.ensure(chat_id, chat_type=chat_type, title=chat_title)
        self._chats.set_status(chat_id, new_status)
        change = {
            "chat": chat,
            "from": person(from_user_id, language_code=language_code),
            "date": int(time.time()),
            "old_chat_member": self._chats.member(old_status),
            "new_chat_member": self._chats.member(new_status),
        }
        return self._updates.add({"my_chat_member": change})

    def inject_raw(self, update: JSON) -> JSON:
        """Queue any update dict as is (``update_id`` is assigned unless present): no checks,
        no privacy mode. For updates from a future Bot API or ones PTB cannot parse."""
        return self._updates.add(update)

    def inject_poison(self, kind: PoisonKind, **origin: Unpack[Origin]) -> JSON:
        """Queue an update PTB cannot parse (see ``faults.poison``), e.g. in the middle of a batch."""
        return self._updates.add(poison(kind, self._user_message(**origin) | {"text": "hello"}))

    # ---- what the bot did

    def message(self, chat_id: int, message_id: int) -> JSON | None:
        """A stored message as it is now."""
        return copy.deepcopy(self._chats.message(chat_id, message_id))

    @property
    def pending_updates(self) -> list[JSON]:
        """Updates the bot has not confirmed with a getUpdates offset."""
        return copy.deepcopy(self._updates.pending)

    @property
    def pending_polls(self) -> int:
        """getUpdates requests open right now (a long poll waiting)."""
        return self._updates.polls_open

    def my_commands(self, scope: JSON | None = None, language_code: str = "") -> list[JSON]:
        """The command menu the bot published for a scope and language."""
        return copy.deepcopy(self._methods.commands.get(commands_key(scope, language_code), []))

    def my_description(self, language_code: str = "", *, short: bool = False) -> str:
        """The (short) description the bot set for `language_code` ("" if none)."""
        return self._methods.profile.get(("short_description" if short else "description", language_code), "")

    async def push_update(self, update: JSON, *, url: str, secret_token: str | None = None) -> int:
        """POST `update` to the bot's webhook at `url` as Telegram does; returns the HTTP status.

        The secret header is the one the bot registered with setWebhook unless ``secret_token``
        is given (``""``: no header). A 2xx answer takes the update off the pending queue.
        """
        return await self._updates.push(update, url, secret_token)

    async def wait_delivered(self, update: JSON, timeout: float = 5.0) -> None:
        """Until the bot has fetched `update` (by getUpdates or a webhook push)."""
        if "update_id" not in update:
            raise AssertionError(f"this update was withheld from the bot, it is never delivered: {update}")
        update_id = int(update["update_id"])
        await self.wait_until(
            lambda: update_id in self._updates.delivered, timeout=timeout, what=f"update {update_id}"
        )

    # ---- faults

    def fail_next(
        self,
        method: str,
        *,
        status: int = 500,
        description: str | None = None,
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        """The next `times` calls of `method` ("*": any) get an error and have no effect.
        A 429 always carries ``retry_after`` (default 1), like Telegram's flood control."""
        self._faults.add(Fault("error", method, times, status, description, retry_after))

    def delay_next(self, method: str, seconds: float, *, times: int = 1) -> None:
        """The next calls of `method` are answered `seconds` late, and take effect even if the
        client gave up meanwhile."""
        self._faults.add(Fault("delay", method, times, seconds=seconds))

    def drop_next(self, method: str, *, times: int = 1, processed: bool = False) -> None:
        """Close the connection without an answer; ``processed``: after the call took effect."""
        self._faults.add(Fault("drop", method, times, processed=processed))

    def stall_next(self, method: str, *, times: int = 1, after: int = 0) -> None:
        """After `after` normal answers, the next `times` calls of `method` hang: no answer, no
        effect, until the client gives up (a request that never got through). ``stalled`` counts
        the ones hanging now; the call is recorded as abandoned (499) when the client goes."""
        if after:
            self._faults.add(Fault("pass", method, after))
        self._faults.add(Fault("stall", method, times))

    @property
    def stalled(self) -> int:
        """Requests held by ``stall_next`` right now."""
        return self._server.stalled

    def malformed_next(self, method: str, *, times: int = 1, processed: bool = False) -> None:
        """Answer 200 with a body that is not JSON."""
        self._faults.add(Fault("malformed", method, times, processed=processed))

    def clear_faults(self) -> None:
        self._faults.clear()
