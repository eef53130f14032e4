"""The chats the fake knows: people, groups, stored messages, and the bot's place in each group."""

from __future__ import annotations

import copy
import time
from typing import Any, Literal, TypedDict

from fake_telegram.wire import JSON, ApiError

ChatType = Literal["private", "group", "supergroup", "channel"]
MemberStatus = Literal["member", "administrator", "left", "kicked"]


class Profile(TypedDict, total=False):
    """What a person's User object shows besides the id."""

    first_name: str
    username: str | None
    language_code: str | None


def person(
    user_id: int,
    *,
    first_name: str = "Ann",
    username: str | None = None,
    language_code: str | None = "zh-hans",
) -> JSON:
    """A human User object (``language_code`` as the person's app sends it; falsy: none)."""
    user: JSON = {"id": user_id, "is_bot": False, "first_name": first_name}
    if username:
        user["username"] = username
    if language_code:
        user["language_code"] = language_code
    return user


class Chats:
    """Chats, their messages (numbered per chat, as in Telegram) and the bot's membership."""

    def __init__(self, bot_user: JSON) -> None:
        self.bot_sender = {key: bot_user[key] for key in ("id", "is_bot", "first_name", "username")}
        self._chats: dict[int, JSON] = {}
        self._messages: dict[tuple[int, int], JSON] = {}
        self._last_message_id: dict[int, int] = {}
        self._status: dict[int, MemberStatus] = {}
        self._last_bot: dict[int, int] = {}
        self._blocked: set[int] = set()

    # ---- chats

    def ensure(
        self,
        chat_id: int,
        *,
        chat_type: ChatType = "private",
        title: str | None = None,
        sender: JSON | None = None,
        is_forum: bool = False,
    ) -> JSON:
        """The Chat object, registered on first sight (the bot can only write to known chats).
        A private chat shows the name of the person (`sender`) it is with."""
        chat = self._chats.get(chat_id)
        if chat is None:
            chat = {"id": chat_id, "type": chat_type}
            if chat_type == "private":
                chat |= {
                    k: v for k, v in (sender or person(chat_id)).items() if k in {"first_name", "username"}
                }
            else:
                chat["title"] = title or "Test group"
            self._chats[chat_id] = chat
        if is_forum and chat["type"] == "supergroup":
            chat["is_forum"] = True
        return copy.deepcopy(chat)

    def find(self, chat_id: Any) -> JSON:
        """The chat a ``chat_id`` parameter names, or Telegram's 400."""
        if chat_id is None or chat_id == "":
            raise ApiError(400, "Bad Request: chat_id is empty")
        try:
            chat = self._chats.get(int(chat_id))
        except (TypeError, ValueError):
            chat = None
        if chat is None:
            raise ApiError(400, "Bad Request: chat not found")
        return chat

    def writable(self, chat_id: Any) -> JSON:
        """The chat, if the bot may post there: not blocked by the person, still in the group."""
        chat = self.find(chat_id)
        if chat["type"] == "private" and chat["id"] in self._blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        status = self.status(chat["id"])
        if status == "kicked":
            raise ApiError(403, f"Forbidden: bot was kicked from the {chat['type']} chat")
        if status == "left":
            raise ApiError(403, f"Forbidden: bot is not a member of the {chat['type']} chat")
        return chat

    def block(self, user_id: int, blocked: bool) -> None:
        """The person blocked (or unblocked) the bot."""
        if blocked:
            self._blocked.add(user_id)
        else:
            self._blocked.discard(user_id)

    # ---- the bot's membership

    def status(self, chat_id: int) -> MemberStatus:
        """The bot's status in a group (a member of every group it has not been told otherwise)."""
        return self._status.get(chat_id, "member")

    def set_status(self, chat_id: int, status: MemberStatus) -> None:
        self._status[chat_id] = status

    def member(self, status: MemberStatus) -> JSON:
        """The bot as a ChatMember of that status, with the fields PTB requires for it."""
        member: JSON = {"status": status, "user": dict(self.bot_sender)}
        if status == "kicked":
            member["until_date"] = 0
        if status == "administrator":
            granted = (
                "manage_chat",
                "delete_messages",
                "manage_video_chats",
                "restrict_members",
                "change_info",
            )
            withheld = ("promote_members", "post_stories", "edit_stories", "delete_stories")
            member |= {"can_be_edited": False, "is_anonymous": False, "can_invite_users": True}
            member |= {f"can_{right}": True for right in granted} | {
                f"can_{right}": False for right in withheld
            }
        return member

    def note_sender(self, message: JSON) -> None:
        """Remember the last bot that posted in a group (privacy mode's rule for bare /commands).

        A message with sender_chat is an anonymous admin or a channel, not a bot posting.
        """
        sender = message.get("from") or {}
        if sender.get("is_bot") and "sender_chat" not in message and message["chat"]["type"] != "private":
            self._last_bot[message["chat"]["id"]] = sender["id"]

    def last_bot(self, chat_id: int) -> int | None:
        return self._last_bot.get(chat_id)

    # ---- messages

    def message(self, chat_id: int, message_id: int) -> JSON | None:
        return self._messages.get((chat_id, message_id))

    def store(self, message: JSON) -> None:
        self._messages[(message["chat"]["id"], message["message_id"])] = copy.deepcopy(message)

    def last_from(self, chat_id: int, user_id: int) -> JSON | None:
        """The newest stored message of `user_id` in `chat_id`."""
        own = [m for (cid, _), m in self._messages.items() if cid == chat_id and m["from"]["id"] == user_id]
        return max(own, key=lambda m: int(m["message_id"]), default=None)

    def new_message(
        self, chat: JSON, sender: JSON, *, thread_id: int | None = None, reply_to: JSON | None = None
    ) -> JSON:
        """A Message with the next id in `chat`, not stored yet.

        In a forum topic a message that is not a real reply "replies" to the topic's creation
        message, as on Telegram (which trips bots that take reply_to_message for a reply).
        """
        message_id = self._last_message_id.get(chat["id"], 0) + 1
        self._last_message_id[chat["id"]] = message_id
        message: JSON = {"message_id": message_id, "from": copy.deepcopy(sender), "chat": copy.deepcopy(chat)}
        message["date"] = int(time.time())
        in_topic = bool(chat.get("is_forum")) and thread_id is not None
        if thread_id is not None:
            message["message_thread_id"] = thread_id
        if reply_to is None and in_topic and thread_id != 1:
            reply_to = self._topic_root(chat, int(thread_id or 0), sender)
        if reply_to is not None:
            message["reply_to_message"] = {k: v for k, v in reply_to.items() if k != "reply_to_message"}
        if in_topic:
            message["is_topic_message"] = True
        return message

    def _topic_root(self, chat: JSON, thread_id: int, creator: JSON) -> JSON:
        root = self._messages.get((chat["id"], thread_id))
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
            self._messages[(chat["id"], thread_id)] = root
            self._last_message_id[chat["id"]] = max(self._last_message_id.get(chat["id"], 0), thread_id)
        return root
