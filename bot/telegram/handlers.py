"""Every update the bot handles, in one ordered table; each handler only says which core event it is.

A handler's whole job is to read an update as an Event (Text, Command, Press, Media, Joined)
and hand it to bot/telegram/turns.py, which runs the turn the same way for all of them. The rules — what
a command does, which language, what a stale button gets — are the conversation service's.

PTB tries the groups in order (-1 before 0), and within a group the first handler whose filter
matches takes the update: the table is read top to bottom, and where the order matters, it says so.
There is no catch-all: the command handler takes every command, and the conversation answers
one it does not know with the help (in a private chat; in a group it is left to other bots).
"""

from __future__ import annotations

from collections.abc import Sequence

from telegram import ChatMember, Message, Update
from telegram.constants import ChatType
from telegram.ext import (
    ApplicationHandlerStop,
    BaseHandler,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    InlineQueryHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.conversation.actions import decode_action
from bot.conversation.commands import command_for
from bot.conversation.service import Joined, Media, Press, Text
from bot.telegram import admin, inline
from bot.telegram.addressing import ADDRESSED_TO_ME, is_from_a_person
from bot.telegram.people import AnyContext
from bot.telegram.turns import take_turn

AnyHandler = BaseHandler[Update, AnyContext, None]

INTRO_KEY = "intro_posted"  # in a group's chat_data: the bot introduced itself there
_OUTSIDE = (ChatMember.LEFT, ChatMember.BANNED)
_INSIDE = (ChatMember.MEMBER, ChatMember.ADMINISTRATOR, ChatMember.RESTRICTED)
_GROUPS = (ChatType.GROUP, ChatType.SUPERGROUP)
MEDIA = (
    filters.Sticker.ALL
    | filters.PHOTO
    | filters.VOICE
    | filters.VIDEO
    | filters.VIDEO_NOTE
    | filters.AUDIO
    | filters.Document.ALL
    | filters.ANIMATION
    | filters.LOCATION
    | filters.CONTACT
)


def by_group() -> dict[int, Sequence[AnyHandler]]:
    """The handlers, by PTB handler group, in the order they are tried."""
    return {
        # Before anything else: what no turn is for ends here.
        -1: [TypeHandler(Update, stop_what_is_not_for_us)],
        0: [
            # Admin commands first: the command handler after them takes every other command.
            CommandHandler("reload", admin.reload_command),
            CommandHandler("unanswered", admin.unanswered_command),
            MessageHandler(filters.COMMAND, on_command),
            MessageHandler(filters.TEXT & ~filters.COMMAND & ADDRESSED_TO_ME, on_text),
            MessageHandler(MEDIA & filters.ChatType.PRIVATE, on_media),
            CallbackQueryHandler(on_button),
            ChatMemberHandler(on_my_membership, ChatMemberHandler.MY_CHAT_MEMBER),
            InlineQueryHandler(inline.on_inline_query),  # a search, not a turn: nothing to remember
        ],
    }


async def stop_what_is_not_for_us(update: Update, context: AnyContext) -> None:
    """Edited messages and channel posts get no answer, nor messages sent by bots (a group's
    anonymous admin counts as a person)."""
    if update.callback_query is not None or update.effective_message is None:
        return
    if update.message is None or not is_from_a_person(update.message):
        raise ApplicationHandlerStop


async def on_text(update: Update, context: AnyContext) -> None:
    """A question in plain text (private, or addressed to the bot in a group)."""
    message = update.message
    if message is not None and message.text is not None:
        await take_turn(update, context, Text(message.text))


async def on_command(update: Update, context: AnyContext) -> None:
    """A command for this bot (the conversation knows which are; in groups, only those)."""
    message = update.message
    if message is None or message.text is None:
        return
    in_group = message.chat.type != ChatType.PRIVATE
    command = command_for(message.text, context.bot.username, in_group=in_group)
    if command is not None:
        await take_turn(update, context, command)


async def on_media(update: Update, context: AnyContext) -> None:
    """A sticker, photo, voice ... in a private chat: only text questions are read."""
    if update.message is not None:
        await take_turn(update, context, Media(update.message.caption or ""))


async def on_button(update: Update, context: AnyContext) -> None:
    """A button: its action, or none when it is not ours or its message is out of reach."""
    query = update.callback_query
    if query is not None:
        reachable = isinstance(query.message, Message)
        await take_turn(update, context, Press(decode_action(query.data) if reachable else None))


async def on_my_membership(update: Update, context: AnyContext) -> None:
    """The bot added to a group it has not introduced itself to: it does, once per group."""
    change = update.my_chat_member
    if change is None or change.chat.type not in _GROUPS or context.chat_data is None:
        return
    joined = change.old_chat_member.status in _OUTSIDE and change.new_chat_member.status in _INSIDE
    if joined and not context.chat_data.get(INTRO_KEY):
        context.chat_data[INTRO_KEY] = True
        await take_turn(update, context, Joined())
