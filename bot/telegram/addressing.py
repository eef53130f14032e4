"""Is a message meant for this bot? In private always; in groups only when addressed."""

from __future__ import annotations

from telegram import Bot, Message, MessageEntity
from telegram.ext import filters


def is_addressed_to(message: Message, bot: Bot) -> bool:
    """True in private chats; in groups for an @mention, a text mention or a reply to the bot."""
    if message.from_user is None or message.from_user.is_bot:
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


class _FromHuman(filters.MessageFilter):
    """Messages sent by a person, not by a bot."""

    def filter(self, message: Message) -> bool:
        return message.from_user is not None and not message.from_user.is_bot


ADDRESSED_TO_ME = _AddressedToMe(name="ADDRESSED_TO_ME")
FROM_HUMAN = _FromHuman(name="FROM_HUMAN")
NEW_MESSAGE = filters.UpdateType.MESSAGE  # edited messages get no answer
