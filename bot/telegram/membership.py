"""The bot added to a group: one short introduction saying how to ask it there.

With Telegram's default privacy mode the bot never sees plain @mentions in a group, so people
must know to ask with /ask or by replying to it; the introduction says so (and tells admins
how plain mentions can work too). It is posted once per group, in the language of whoever
added the bot.
"""

from __future__ import annotations

from telegram import ChatMember, Update
from telegram.constants import ChatType, ParseMode
from telegram.ext import BaseHandler, ChatMemberHandler

from bot.conversation.service import Joined
from bot.telegram.people import AnyContext
from bot.telegram.replies import NO_PREVIEW, deliver
from bot.telegram.turns import decide

INTRO_KEY = "intro_posted"
_OUTSIDE = (ChatMember.LEFT, ChatMember.BANNED)
_INSIDE = (ChatMember.MEMBER, ChatMember.ADMINISTRATOR, ChatMember.RESTRICTED)
_GROUPS = (ChatType.GROUP, ChatType.SUPERGROUP)


async def on_my_membership(update: Update, context: AnyContext) -> None:
    """Post the introduction when the bot joins a group it has not introduced itself to."""
    change = update.my_chat_member
    if change is None or change.chat.type not in _GROUPS or context.chat_data is None:
        return
    joined = change.old_chat_member.status in _OUTSIDE and change.new_chat_member.status in _INSIDE
    if not joined or context.chat_data.get(INTRO_KEY):
        return
    turn = await decide(update, context, Joined())
    if turn is None:
        return
    context.chat_data[INTRO_KEY] = True
    for text in turn.reply.texts:
        await deliver(
            lambda text=text: context.bot.send_message(  # type: ignore[misc]
                change.chat.id, text, parse_mode=ParseMode.HTML, link_preview_options=NO_PREVIEW
            )
        )


def handlers() -> list[BaseHandler[Update, AnyContext, None]]:
    """The handler for changes of the bot's own membership."""
    return [ChatMemberHandler(on_my_membership, ChatMemberHandler.MY_CHAT_MEMBER)]
