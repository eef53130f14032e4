"""Taking one turn for an update: load the person, ask the conversation service, send, save.

Every handler that answers a person goes through take_turn(), so that the state a person
leaves behind, the unanswered log and the replies are handled the same way everywhere.
"""

from __future__ import annotations

import time

from telegram import Message, Update

from bot.conversation.service import Event, PersonState, Turn, question_of
from bot.telegram.desk import get_desk
from bot.telegram.people import AnyContext, choose_language, load_person, save_person, speaker_of
from bot.telegram.reminders import pending_reminders, store_reminder_changes
from bot.telegram.replies import send_reply
from bot.telegram.runtime.persistence import forget_person
from bot.text.language import Lang


def language_for(update: Update, context: AnyContext, text: str | None = None) -> Lang:
    """The language to say something to this update's sender in (about `text`, if there is one)."""
    user = update.effective_user
    person = load_person(context, user.id) if user is not None else None
    conversation = get_desk(context).conversation()
    return conversation.language_for(text, person or PersonState(), speaker_of(update, context))


async def decide(update: Update, context: AnyContext, event: Event) -> Turn | None:
    """The conversation service's turn for `event` from this update's sender, state saved (or,
    after /forget, everything about them erased)."""
    user = update.effective_user
    if user is None:
        return None
    desk = get_desk(context)
    now = time.time()
    person, speaker = load_person(context, user.id), speaker_of(update, context)
    turn = desk.conversation().handle(event, person, speaker, now, pending_reminders(update, context, event))
    if turn.erase:  # nothing may touch their chat_data or user_data again in this turn
        await forget_person(context.application, user.id, desk.settings.data_dir)
        return turn
    save_person(context, user.id, turn.person)
    store_reminder_changes(update, context, turn)
    choose_language(context, turn.chosen_lang)
    desk.count_turn(turn)
    question = question_of(event)
    if turn.unanswered and question is not None:
        desk.note_unanswered(question, turn, now, user.id, update.update_id)
    return turn


async def take_turn(update: Update, context: AnyContext, message: Message, event: Event) -> None:
    """Answer `message` with the turn for `event` (replies in its thread, quoting it in groups)."""
    turn = await decide(update, context, event)
    if turn is not None:
        for reply in turn.replies:
            await send_reply(message, reply)
