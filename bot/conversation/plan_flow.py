"""The rules of a plan turn: /plan, its questions, ticks, the request, reminders, /reminders.

The conversation service hands a PlanRequest here (a command or a button press it has
recognised) with the person's plan and pending reminders, and gets back what to show, the
person's new plan and the reminder changes for the front end to store. Plans and reminders
live only in private chats: in a group, the answer is a deep link into one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.conversation.plan import (
    REMINDER_DELAYS,
    Plan,
    PlanShown,
    PlanView,
    Reminder,
    ReminderChange,
    Schedule,
    Unschedule,
    next_question,
    parse_answers,
    parse_reminder_kind,
)
from bot.conversation.plan_render import (
    render_plan,
    render_private_only,
    render_question,
    render_reminder_set,
    render_reminders,
    render_request,
)
from bot.conversation.render import Reply, render_outcome
from bot.kb.base import KnowledgeBase
from bot.text.language import Lang
from bot.understanding.outcomes import Declined, DeclineReason

PlanRequestKind = Literal["plan", "answer", "tick", "request", "remind", "unremind", "reminders"]
# The button actions that are plan requests (bot/conversation/actions.py), by action kind.
PLAN_ACTIONS: dict[str, PlanRequestKind] = {
    kind: kind for kind in ("plan", "answer", "tick", "request", "remind", "unremind")
}


@dataclass(frozen=True)
class PlanRequest:
    """What the person asked of their plan; `payload` as the button carried it; `lang` a button's."""

    kind: PlanRequestKind
    payload: str = ""
    lang: Lang | None = None


@dataclass(frozen=True)
class PlanResult:
    """What a plan turn shows, the person's plan after it, and the reminders to (un)schedule."""

    outcome: PlanShown | Declined
    reply: Reply
    plan: Plan | None
    changes: tuple[ReminderChange, ...] = ()


@dataclass(frozen=True)
class PlanFlow:
    """One plan turn in `lang` at time `now`."""

    kb: KnowledgeBase
    lang: Lang
    now: float

    def handle(
        self,
        request: PlanRequest,
        plan: Plan | None,
        reminders: tuple[Reminder, ...],
        *,
        in_group: bool,
        deep_link: str,
    ) -> PlanResult:
        """Carry out `request` for a person with this plan and these pending reminders."""
        if in_group:
            return self._show(PlanView.PRIVATE_ONLY, render_private_only(self.kb, self.lang, deep_link), plan)
        match request.kind:
            case "plan":
                if plan is None:
                    return self._show(PlanView.QUESTION, render_question(self.kb, "", self.lang), plan)
                return self._show(PlanView.PLAN, render_plan(self.kb, plan, self.lang), plan)
            case "answer":
                return self._answer(request.payload, plan)
            case "tick":
                if plan is None or not plan.has_step(request.payload):
                    return self._stale(plan)  # a button from a plan since changed or forgotten
                ticked = plan.toggle(request.payload)
                return self._show(PlanView.PLAN, render_plan(self.kb, ticked, self.lang), ticked)
            case "request":
                return self._show(PlanView.REQUEST, render_request(self.kb, self.lang), plan)
            case "remind":
                kind = parse_reminder_kind(request.payload)
                if kind is None:
                    return self._stale(plan)
                reminder = Reminder(kind, self.now + REMINDER_DELAYS[kind])
                reply = render_reminder_set(self.kb, reminder, self.lang)
                return PlanResult(PlanShown(PlanView.REMINDER_SET), reply, plan, (Schedule(reminder),))
            case "unremind":
                kind = parse_reminder_kind(request.payload)
                if kind is None:
                    return self._stale(plan)
                left = tuple(reminder for reminder in reminders if reminder.kind != kind)
                reply = render_reminders(self.kb, left, self.lang, cancelled=True)
                return PlanResult(PlanShown(PlanView.REMINDERS), reply, plan, (Unschedule(kind),))
            case "reminders":
                return self._show(PlanView.REMINDERS, render_reminders(self.kb, reminders, self.lang), plan)

    def _answer(self, codes: str, plan: Plan | None) -> PlanResult:
        """An answer to a question: the next question, or the plan once all four are in."""
        if next_question(codes) is not None:
            return self._show(PlanView.QUESTION, render_question(self.kb, codes, self.lang), plan)
        answers = parse_answers(codes)
        if answers is None:
            return self._stale(plan)
        kept = plan.ticked if plan is not None else frozenset()  # changed answers keep what still applies
        fresh = Plan(answers)
        fresh = Plan(answers, frozenset(key for key in kept if fresh.has_step(key)))
        return self._show(PlanView.PLAN, render_plan(self.kb, fresh, self.lang), fresh)

    def _show(self, view: PlanView, reply: Reply, plan: Plan | None) -> PlanResult:
        return PlanResult(PlanShown(view), reply, plan)

    def _stale(self, plan: Plan | None) -> PlanResult:
        outcome = Declined(DeclineReason.STALE_BUTTON)
        return PlanResult(outcome, render_outcome(self.kb, outcome, self.lang), plan)
