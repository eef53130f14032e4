"""One turn of the conversation, the same for the console, the CLI and Telegram.

The adapter keeps one Context per person (per chat and user in groups) and hands it in;
a turn gives back what to show and the context to keep.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from bot.actions import Action
from bot.answer import Answer, Context, Responder
from bot.language import Lang
from bot.render import Reply, render_answer, render_steps

CONTEXT_TTL_SECONDS = 30 * 60


@dataclass(frozen=True)
class Turn:
    """The outcome of one message or button press."""

    answer: Answer | None
    reply: Reply
    context: Context


def fresh_context(context: Context | None, now: float, ttl: float = CONTEXT_TTL_SECONDS) -> Context:
    """The stored context, or an empty one when it is missing or older than `ttl` seconds."""
    if context is None or now - context.updated_at > ttl:
        return Context()
    return context


def take_turn(
    responder: Responder, text: str, context: Context, now: float, lang: Lang | None = None
) -> Turn:
    """Answer a text message from a person whose last place was `context`."""
    answer = responder.respond(text, context, lang)
    return Turn(answer, render_answer(answer, responder.kb), _touch(answer.next_context(context), now))


def press_button(responder: Responder, action: Action, context: Context, now: float) -> Turn | None:
    """Carry out a button's action; None when it names a section that no longer exists."""
    if action.kind == "steps":
        return Turn(None, render_steps(responder.kb, action.lang), _touch(context, now))
    if action.kind == "lang":
        return None  # language choice is stored by the adapter, which then confirms it
    if not responder.kb.has_section(action.section_id):
        return None
    answer = responder.section_answer(action.section_id, action.lang, detail=action.kind == "detail")
    return Turn(answer, render_answer(answer, responder.kb), _touch(answer.next_context(context), now))


def _touch(context: Context, now: float) -> Context:
    return replace(context, updated_at=now)
