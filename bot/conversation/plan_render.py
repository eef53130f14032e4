"""The personal plan as replies: its questions, the checklist, the ready-to-send request, reminders.

Every sentence comes from the catalogue (knowledge/messages.yaml), so a reviewer corrects the
plan, the contacts or the Albanian request in one place. The checklist's first message is kept
within one phone screen (tests/test_plan.py renders all 24 combinations in every language).
"""

from __future__ import annotations

import datetime
import html

from bot.conversation.actions import Action
from bot.conversation.plan import ANSWERS, Answers, Plan, PlanStep, Reminder, ReminderKind, next_question
from bot.conversation.render import Button, Buttons, Reply, split_message
from bot.kb.base import KnowledgeBase
from bot.kb.message_keys import MessageKey
from bot.text.language import Lang

UNTICKED, TICKED = "☐", "☑"
_QUESTION_KEYS = {
    "operator": MessageKey.PLAN_Q_OPERATOR,
    "place": MessageKey.PLAN_Q_PLACE,
    "card": MessageKey.PLAN_Q_CARD,
    "goal": MessageKey.PLAN_Q_GOAL,
}
_REMIND_BUTTONS = {"verify": MessageKey.BTN_REMIND_VERIFY, "ported": MessageKey.BTN_REMIND_PORTED}
_UNREMIND_BUTTONS = {"verify": MessageKey.BTN_UNREMIND_VERIFY, "ported": MessageKey.BTN_UNREMIND_PORTED}
_REMINDER_LINES = {"verify": MessageKey.REMINDER_LINE_VERIFY, "ported": MessageKey.REMINDER_LINE_PORTED}
_DUE_TEXTS = {"verify": MessageKey.REMINDER_DUE_VERIFY, "ported": MessageKey.REMINDER_DUE_PORTED}


def answer_label(kb: KnowledgeBase, code: str, lang: Lang) -> str:
    """What an answer says on its button and in the plan's summary ("Abroad")."""
    return kb.messages.get(MessageKey(f"plan_a_{code}"), lang)


def render_question(kb: KnowledgeBase, codes: str, lang: Lang) -> Reply:
    """The next question after the answers `codes`, its answers as buttons."""
    question = next_question(codes)
    if question is None:
        raise ValueError(f"all questions are answered: {codes!r}")
    lines = [_escape(kb.messages.get(MessageKey.PLAN_INTRO, lang))] if not codes else []
    lines.append(f"<b>{_escape(kb.messages.get(_QUESTION_KEYS[question], lang))}</b>")
    row = tuple(
        Button(answer_label(kb, letter, lang), Action("answer", lang, codes + letter))
        for letter in ANSWERS[question]
    )
    return Reply(split_message(["\n".join(lines)]), (row,))


def step_line(kb: KnowledgeBase, step: PlanStep, answers: Answers, lang: Lang) -> str:
    """The one line a step of the plan gets, worded for this person's answers."""
    key = f"plan_step_{step.key}"
    if step.key in ("request", "port") and answers.abroad:
        key += "_abroad"
    elif step.key == "ready" and answers.keeps_number:
        key += "_keep"
    return kb.messages.get(MessageKey(key), lang)


def contact_lines(kb: KnowledgeBase, answers: Answers, lang: Lang) -> list[str]:
    """The operator's own contacts for where the person is (both operators when not sure)."""
    operators = {"v": ("vodafone",), "o": ("one",)}.get(answers.operator, ("vodafone", "one"))
    place = "abroad" if answers.abroad else "albania"
    return [kb.messages.get(MessageKey(f"plan_contacts_{name}_{place}"), lang) for name in operators]


def render_plan(kb: KnowledgeBase, plan: Plan, lang: Lang) -> Reply:
    """The checklist: the answers given, one line per step (☐/☑), the contacts, and its buttons."""
    answers = plan.answers
    summary = " · ".join(answer_label(kb, code, lang) for code in answers.codes)
    lines = [f"<b>{_escape(kb.messages.get(MessageKey.PLAN_TITLE, lang))}</b> · {_escape(summary)}"]
    for number, step in enumerate(plan.steps, 1):
        mark = TICKED if step.key in plan.ticked else UNTICKED
        lines.append(f"{mark} {number}. {_escape(step_line(kb, step, answers, lang))}")
    contacts = [f"<b>{_escape(kb.messages.get(MessageKey.PLAN_CONTACTS_TITLE, lang))}</b>"]
    contacts.extend(f"• {_escape(line)}" for line in contact_lines(kb, answers, lang))
    contacts.append(_escape(kb.messages.get(MessageKey.PLAN_CONTACTS_NOTE, lang)))
    hint = _escape(kb.messages.get(MessageKey.PLAN_HINT, lang))
    return Reply(split_message(["\n".join(lines), "\n".join(contacts), hint]), plan_buttons(kb, plan, lang))


def plan_buttons(kb: KnowledgeBase, plan: Plan, lang: Lang) -> Buttons:
    """A row per step (tick it · read it), then the request, a reminder offer, change answers."""
    rows: list[tuple[Button, ...]] = []
    for number, step in enumerate(plan.steps, 1):
        mark = TICKED if step.key in plan.ticked else UNTICKED
        title = kb.section(step.section_id).title[lang] if kb.has_section(step.section_id) else ""
        rows.append(
            (
                Button(f"{mark} {number}", Action("tick", lang, step.key)),
                Button(f"{number}. {title}", Action("section", lang, step.section_id)),
            )
        )
    if not plan.answers.keeps_number:
        rows.append((Button(kb.messages.get(MessageKey.BTN_PLAN_REQUEST, lang), Action("request", lang)),))
    offered = plan.reminder_offered()
    if offered is not None:
        rows.append(
            (Button(kb.messages.get(_REMIND_BUTTONS[offered], lang), Action("remind", lang, offered)),)
        )
    rows.append(
        (
            Button(kb.messages.get(MessageKey.BTN_PLAN_CHANGE, lang), Action("answer", lang)),
            Button(kb.messages.get(MessageKey.BUTTON_ALL_STEPS, lang), Action("steps", lang)),
        )
    )
    return tuple(rows)


def render_request(kb: KnowledgeBase, lang: Lang) -> Reply:
    """The ready-to-send request: Albanian and English in one copyable monospace block."""
    block = "\n\n".join(
        _escape(kb.messages.get(key, lang))
        for key in (MessageKey.PLAN_REQUEST_SQ, MessageKey.PLAN_REQUEST_EN)
    )
    parts = [
        _escape(kb.messages.get(MessageKey.PLAN_REQUEST_INTRO, lang)),
        f"<pre>{block}</pre>",
        _escape(kb.messages.get(MessageKey.PLAN_REQUEST_NOTE, lang)),
    ]
    return Reply(split_message(parts), (plan_button_row(kb, lang),))


def reminder_date(due_at: float) -> str:
    """When a reminder is due, in UTC to the minute ("2026-12-09 14:00"): the bot has no time zone."""
    return datetime.datetime.fromtimestamp(due_at, datetime.UTC).strftime("%Y-%m-%d %H:%M")


def render_reminder_set(kb: KnowledgeBase, reminder: Reminder, lang: Lang) -> Reply:
    """The confirmation that a reminder is scheduled, with the way back to the plan."""
    text = kb.messages.get(MessageKey.REMINDER_SET, lang, date=reminder_date(reminder.due_at))
    return Reply(split_message([_escape(text)]), (plan_button_row(kb, lang),))


def render_reminders(
    kb: KnowledgeBase, reminders: tuple[Reminder, ...], lang: Lang, *, cancelled: bool = False
) -> Reply:
    """/reminders: the pending ones, each with a button that cancels it (after "cancelled", if one was)."""
    intro = [_escape(kb.messages.get(MessageKey.REMINDER_CANCELLED, lang))] if cancelled else []
    if not reminders:
        none = _escape(kb.messages.get(MessageKey.REMINDERS_NONE, lang))
        return Reply(split_message(["\n".join([*intro, none])]), (plan_button_row(kb, lang),))
    lines = [*intro, _escape(kb.messages.get(MessageKey.REMINDERS_HEADER, lang))]
    lines.extend(
        "• " + _escape(kb.messages.get(_REMINDER_LINES[r.kind], lang, date=reminder_date(r.due_at)))
        for r in reminders
    )
    rows: list[tuple[Button, ...]] = [
        (Button(kb.messages.get(_UNREMIND_BUTTONS[r.kind], lang), Action("unremind", lang, r.kind)),)
        for r in reminders
    ]
    rows.append(plan_button_row(kb, lang))
    return Reply(split_message(["\n".join(lines)]), tuple(rows))


def render_due_reminder(kb: KnowledgeBase, kind: ReminderKind, lang: Lang) -> Reply:
    """The reminder itself, sent when it is due, with a button to the plan."""
    return Reply(
        split_message([_escape(kb.messages.get(_DUE_TEXTS[kind], lang))]), (plan_button_row(kb, lang),)
    )


def render_private_only(kb: KnowledgeBase, lang: Lang, deep_link: str) -> Reply:
    """In a group: plans live in private chats; a button opens one at the plan."""
    text = _escape(kb.messages.get(MessageKey.PLAN_PRIVATE_ONLY, lang))
    button = Button(kb.messages.get(MessageKey.BTN_PLAN_PRIVATE, lang), Action("plan", lang), url=deep_link)
    return Reply(split_message([text]), ((button,),))


def render_unknown_command(kb: KnowledgeBase, help_reply: Reply, lang: Lang) -> Reply:
    """An unknown command: say so first, then the help."""
    first, *rest = help_reply.texts
    notice = _escape(kb.messages.get(MessageKey.UNKNOWN_COMMAND, lang))
    return Reply((f"{notice}\n\n{first}", *rest), help_reply.buttons)


def plan_button(kb: KnowledgeBase, lang: Lang) -> Button:
    """The "My plan" button (on the welcome, the overview, after "did you mean")."""
    return Button(kb.messages.get(MessageKey.BTN_PLAN, lang), Action("plan", lang))


def plan_button_row(kb: KnowledgeBase, lang: Lang) -> tuple[Button, ...]:
    """A keyboard row holding only the "My plan" button."""
    return (plan_button(kb, lang),)


def _escape(text: str) -> str:
    return html.escape(text, quote=False)
