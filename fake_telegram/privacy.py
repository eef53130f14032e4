"""Which group messages Telegram shows a bot (core.telegram.org/bots/features#privacy-mode).

With privacy mode on, a bot that is not an admin of the group receives only:

* commands explicitly meant for it (``/cmd@ThisBot``);
* general commands (``/cmd``) if it was the last bot to send a message to the group;
* messages sent via it (inline mode, ``via_bot``);
* replies to its messages;
* service messages (people joining or leaving, a new title, a pinned message, ...).

Private chats are always delivered in full. Admin bots and bots with privacy mode off receive
every group message except those sent by other bots (bot-to-bot communication is off by
default). Telegram also shows a message to only one privacy-mode bot at a time; with a single
bot under test that contention is reduced to the "last bot to send" rule.
"""

from __future__ import annotations

from dataclasses import dataclass

from fake_telegram.wire import JSON

SERVICE_FIELDS = frozenset(
    {"new_chat_members", "left_chat_member", "new_chat_title", "new_chat_photo", "delete_chat_photo"}
    | {"group_chat_created", "supergroup_chat_created", "migrate_to_chat_id", "migrate_from_chat_id"}
    | {"pinned_message", "forum_topic_created", "forum_topic_edited", "forum_topic_closed"}
    | {"forum_topic_reopened", "video_chat_started", "video_chat_ended", "message_auto_delete_timer_changed"}
)


@dataclass(frozen=True)
class BotView:
    """What decides whether one bot sees a group message."""

    bot_id: int
    username: str
    privacy_mode: bool
    is_admin: bool
    last_bot_in_chat: int | None


def bot_receives(message: JSON, view: BotView) -> bool:
    """True if Telegram delivers `message` (a new or edited Message) to the bot."""
    if message["chat"]["type"] in {"private", "channel"}:
        return True
    sender = message.get("from") or {}
    if sender.get("is_bot") and "sender_chat" not in message:  # anonymous admins and channels are people
        return False
    if SERVICE_FIELDS.intersection(message) or not view.privacy_mode or view.is_admin:
        return True
    if (message.get("via_bot") or {}).get("id") == view.bot_id:
        return True
    if ((message.get("reply_to_message") or {}).get("from") or {}).get("id") == view.bot_id:
        return True
    command = leading_command(message)
    if command is None:
        return False
    _, _, addressee = command.partition("@")
    if addressee:
        return addressee.lower() == view.username.lower()
    return view.last_bot_in_chat == view.bot_id


def leading_command(message: JSON) -> str | None:
    """The ``/command[@bot]`` a text or caption starts with (its bot_command entity at offset 0)."""
    for text_key, entities_key in (("text", "entities"), ("caption", "caption_entities")):
        text = message.get(text_key)
        for entity in message.get(entities_key) or []:
            if isinstance(text, str) and entity.get("type") == "bot_command" and entity.get("offset") == 0:
                return text.encode("utf-16-le")[: 2 * int(entity["length"])].decode("utf-16-le", "replace")
    return None
