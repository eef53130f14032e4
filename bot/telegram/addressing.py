"""Is a message meant for this bot? In private always; in groups only when addressed."""

from __future__ import annotations

from telegram import Bot, Message, MessageEntity
from telegram.ext import filters


def is_from_a_person(message: Message) -> bool:
    """Sent by a person: not by a bot, though an anonymous group admin counts as a person.

    Telegram shows an anonymous admin as the bot account GroupAnonymousBot, with the group
    itself as sender_chat; messages a linked channel forwards into the group are not people.
    """
    if message.from_user is None:
        return False
    anonymous_admin = message.sender_chat is not None and message.sender_chat.id == message.chat.id
    return anonymous_admin or not message.from_user.is_bot


def is_addressed_to(message: Message, bot: Bot) -> bool:
    """True in private chats; in groups for an @mention, a text mention or a reply to the bot."""
    if not is_from_a_person(message):
        return False
    if message.chat.type == "private":
        return True
    replied = message.reply_to_message
    if replied is not None and replied.from_user is not None and replied.from_user.id == bot.id:
        return True
    username = (bot.username or "").lower()
    for entity, text in message.parse_entities([MessageEntity.MENTION, MessageEntity.TEXT_MENTION]).items():
        if entity.type == MessageEntity.MENTION and username and text.lower() == "@" + username:
            return True
        if entity.type == MessageEntity.TEXT_MENTION and entity.user is not None and entity.user.id == bot.id:
            return True
    return False


class _AddressedToMe(filters.MessageFilter):
    """Messages addressed to this bot (see is_addressed_to)."""

    def filter(self, message: Message) -> bool:
        return is_addressed_to(message, message.get_bot())


ADDRESSED_TO_ME = _AddressedToMe(name="ADDRESSED_TO_ME")
