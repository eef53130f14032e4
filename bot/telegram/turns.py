"""One turn for one update, the same for every kind: the only place a turn is run.

The handlers (bot/telegram/handlers.py) turn an update into a core event; take_turn() does the
rest, in this order: who is asking and what the bot remembers of them, the flood check, the
conversation service once, what to remember now (their place, a language they chose, an
unanswered question), then deliver() shows the replies — sent, in place of a pressed message,
or as a toast.
"""

from __future__ import annotations

import time

from telegram import Update

from bot.conversation.service import Event, PersonState, Press, Turn, question_of
from bot.kb.message_keys import MessageKey
from bot.telegram.desk import get_desk
from bot.telegram.people import AnyContext, Verdict, choose_language, load_person, save_person, speaker_of
from bot.telegram.replies import How, deliver
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
        turn = conversation.handle(event, person, speaker, now)
        question = question_of(event)
        if desk.unanswered is not None and turn.unanswered and question is not None:
            desk.unanswered.record(question, turn.lang, turn.decision, now)
        save_person(context, user.id, turn.person)
        choose_language(context, turn.chosen_lang)
        replies, brief = list(turn.replies), turn.is_notice
    await deliver(update, context.bot, replies, _how(event, brief))
    return turn


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
