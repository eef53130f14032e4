"""The person's reminders for a turn: loaded for the events that need them, changes stored after.

The conversation service decides (bot/conversation/plan_flow.py); this is only the plumbing
between a turn and the reminder store (bot/storage/reminders.py), and the loop's wake-up.
"""

from __future__ import annotations

from telegram import Update

from bot.conversation.plan import Reminder, Schedule, Unschedule
from bot.conversation.service import Event, Turn, needs_reminders
from bot.telegram.people import AnyContext
from bot.telegram.runtime.reminder_loop import reminders_of


def pending_reminders(update: Update, context: AnyContext, event: Event) -> tuple[Reminder, ...]:
    """The sender's pending reminders in this chat, when `event` needs them (else none)."""
    reminders = reminders_of(context.bot_data)
    chat, user = update.effective_chat, update.effective_user
    if reminders is None or chat is None or user is None or not needs_reminders(event):
        return ()
    return reminders.store.pending(chat.id, user.id)


def store_reminder_changes(update: Update, context: AnyContext, turn: Turn) -> None:
    """Schedule or cancel what the turn asked for, in the sender's chat, and wake the loop."""
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
