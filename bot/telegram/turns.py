"""One turn for one update, the same for every kind: the only place a turn is run.

The handlers (bot/telegram/handlers.py) turn an update into a core event; take_turn() does the
rest, in this order: who is asking and what the bot remembers of them, the flood check, the
conversation service once (with their pending reminders when the event needs them), what to
remember now (their place, reminder changes, a language they chose, an unanswered question — or,
after /forget, nothing: everything about them is erased), then deliver() shows the replies —
sent, in place of a pressed message, or as a toast.
"""

from __future__ import annotations

import time

from telegram import Update

from bot.conversation.plan import Reminder, Schedule, Unschedule
from bot.conversation.service import Event, PersonState, Press, Turn, needs_reminders, question_of
from bot.kb.message_keys import MessageKey
from bot.telegram.desk import get_desk
from bot.telegram.people import AnyContext, Verdict, choose_language, load_person, save_person, speaker_of
from bot.telegram.replies import How, deliver
from bot.telegram.runtime.reminder_loop import reminders_of
from bot.text.language import Lang


async def take_turn(update: Update, context: AnyContext, event: Event) -> Turn | None:
    """Run the turn for `event`, sent by this update's sender; None when there was none (no
    sender, or flooding: then at most the one notice)."""
    user = update.effective_user
    if user is None:
        return None
    desk = get_desk(context)
    verdict = desk.flood_guard(event).check(user.id, time.monotonic())
    person = load_person(context, user.id)
    speaker = speaker_of(update, context)
    conversation = desk.conversation()
    if verdict is not Verdict.ALLOW:  # at most one notice, then silence until the burst is over
        notice = conversation.notice(MessageKey.FLOOD, person, speaker)
        turn, replies, brief = None, [notice] if verdict is Verdict.NOTIFY else [], True
    else:
        now = time.time()
        turn = conversation.handle(event, person, speaker, now, _pending_reminders(update, context, event))
        await _remember(update, context, user.id, event, turn, now)
        replies, brief = list(turn.replies), turn.is_notice
    await deliver(update, context.bot, replies, _how(event, brief))
    return turn


async def _remember(
    update: Update, context: AnyContext, user_id: int, event: Event, turn: Turn, now: float
) -> None:
    """Keep what the turn changed: their place, reminders, a language they chose, an unanswered
    question; or, after /forget, erase everything about them (before the reply says so)."""
    desk = get_desk(context)
    if turn.erase:  # nothing may touch their chat_data or user_data again in this turn
        await desk.forget(user_id)
        return
    save_person(context, user_id, turn.person)
    _store_reminder_changes(update, context, turn)
    choose_language(context, turn.chosen_lang)
    desk.count_turn(turn)
    question = question_of(event)
    if desk.unanswered is not None and turn.unanswered and question is not None:
        # Redacted, with a keyed hash of who asked (so that /forget finds it), once per update (a
        # replayed update is not counted again).
        desk.unanswered.record(question, turn.lang, turn.decision, now, user_id, update.update_id)


def _pending_reminders(update: Update, context: AnyContext, event: Event) -> tuple[Reminder, ...]:
    """The sender's pending reminders in this chat, when `event` needs them (/reminders, cancelling
    one); for any other event the store is not read."""
    reminders = reminders_of(context.bot_data)
    chat, user = update.effective_chat, update.effective_user
    if reminders is None or chat is None or user is None or not needs_reminders(event):
        return ()
    return reminders.store.pending(chat.id, user.id)


def _store_reminder_changes(update: Update, context: AnyContext, turn: Turn) -> None:
    """Schedule or cancel what the turn asked for, in the sender's chat, and wake the loop that
    sends them (bot/telegram/runtime/reminder_loop.py); the conversation decided which."""
    reminders = reminders_of(context.bot_data)
    chat, user = update.effective_chat, update.effective_user
    if reminders is None or chat is None or user is None or not turn.reminder_changes:
        return
    for change in turn.reminder_changes:
        match change:
            case Schedule(reminder=reminder):
                reminders.store.schedule(chat.id, user.id, reminder, turn.lang)
            case Unschedule(kind=kind):
                reminders.store.cancel(chat.id, user.id, kind)
    reminders.changed()


def _how(event: Event, brief: bool) -> How:
    """A pressed button's message shows the answer in its place, or a toast for a brief notice;
    everything else is answered with new messages."""
    if isinstance(event, Press):
        return "toast" if brief else "edit"
    return "reply"


def language_for(update: Update, context: AnyContext, text: str | None = None) -> Lang:
    """The language to tell this update's sender something in outside a turn (an error), about
    `text` if there is one: the conversation service decides, as in a turn."""
    user = update.effective_user
    person = load_person(context, user.id) if user is not None else PersonState()
    return get_desk(context).conversation().language_for(text, person, speaker_of(update, context))
