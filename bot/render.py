"""Answers to replies: Telegram HTML text (escaped, split under 4,096) plus a button layout.

The layout is plain data (Button rows); each adapter turns it into its own widgets
(inline keyboards in Telegram, numbered choices in the console).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from bot.actions import Action
from bot.answer import Answer
from bot.kb import KnowledgeBase, Section
from bot.language import Lang

TELEGRAM_MAX_CHARS = 4_096
BUTTON_LABEL_MAX = 40


@dataclass(frozen=True)
class Button:
    """One button: what it says and the action it triggers."""

    label: str
    action: Action


@dataclass(frozen=True)
class Reply:
    """What the user sees: one or more message texts (HTML), buttons under the last one."""

    texts: tuple[str, ...]
    buttons: tuple[tuple[Button, ...], ...] = ()


def telegram_length(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def step_label(kb: KnowledgeBase, section: Section, lang: Lang) -> str:
    """The label users see before a section's title: 第 4.1 步 / Step 4.1, 全部步骤, or its own label.

    Built once at load time (bot.kb.section_label), where the check can see that no two clash.
    """
    return section.label[lang]


def heading(kb: KnowledgeBase, section: Section, lang: Lang) -> str:
    """A section's heading as plain text: "第 4 步 · 前往营业厅办理"."""
    return f"{step_label(kb, section, lang)} · {section.title[lang]}"


def render_answer(answer: Answer, kb: KnowledgeBase) -> Reply:
    """The reply for any Answer the core produced."""
    lang = answer.lang
    if answer.decision == "clarify":
        return _render_clarify(answer, kb)
    if answer.section_id is None:
        key = answer.notice or "decline"
        text = kb.messages.get(key, lang, **dict(answer.notice_values))
        return Reply(
            split_message([_paragraph(text)]),
            ((Button(kb.messages.get("btn_all_steps", lang), Action("steps", lang)),),),
        )
    section = kb.section(answer.section_id)
    if answer.notice:  # at an end of the chain, or no sub-steps: say so, offer the way on
        blocks = [_paragraph(kb.messages.get(answer.notice, lang))]
        return Reply(split_message(blocks), navigation(kb, section, lang, with_related=True))
    blocks = section_blocks(kb, section, lang)
    if answer.detail:
        for child_id in section.substeps:
            blocks.extend(section_blocks(kb, kb.section(child_id), lang))
    return Reply(split_message(blocks), navigation(kb, section, lang, with_detail=not answer.detail))


def render_section(kb: KnowledgeBase, section_id: str, lang: Lang, detail: bool = False) -> Reply:
    """A section as a reply, for buttons, deep links and inline results."""
    answer = Answer("answer", lang, section_id=section_id, detail=detail)
    return render_answer(answer, kb)


def render_message(kb: KnowledgeBase, key: str, lang: Lang, **values: object) -> Reply:
    """A catalogue sentence as a reply, with no buttons."""
    return Reply(split_message([_paragraph(kb.messages.get(key, lang, **values))]))


def render_plain(text: str) -> Reply:
    """Any plain text (a report for admins) as an escaped reply."""
    return Reply(split_message([_paragraph(text)]))


def render_steps(kb: KnowledgeBase, lang: Lang, intro_key: str | None = None) -> Reply:
    """The five steps as a list and as buttons (what /steps and /start show)."""
    lines = [_paragraph(kb.messages.get(intro_key, lang))] if intro_key else []
    lines.append(f"<b>{html.escape(kb.messages.get('steps_header', lang), quote=False)}</b>")
    steps = kb.main_steps()
    lines.extend(html.escape(heading(kb, section, lang), quote=False) for section in steps)
    buttons = tuple(
        (Button(_label(heading(kb, section, lang)), Action("section", lang, section.id)),)
        for section in steps
    )
    return Reply(split_message(["\n".join(lines)]), buttons)


def navigation(
    kb: KnowledgeBase,
    section: Section,
    lang: Lang,
    *,
    with_detail: bool = True,
    with_related: bool = False,
) -> tuple[tuple[Button, ...], ...]:
    """◀ previous · next ▶, more detail · all steps, and related sections where useful."""
    moves: list[Button] = []
    if section.previous:
        moves.append(Button(kb.messages.get("btn_prev", lang), Action("section", lang, section.previous)))
    if section.next:
        moves.append(Button(kb.messages.get("btn_next", lang), Action("section", lang, section.next)))
    more: list[Button] = []
    if with_detail and section.substeps:
        more.append(Button(kb.messages.get("btn_more", lang), Action("detail", lang, section.id)))
    more.append(Button(kb.messages.get("btn_all_steps", lang), Action("steps", lang)))
    rows: list[tuple[Button, ...]] = [tuple(moves), tuple(more)] if moves else [tuple(more)]
    shown = {section.previous, section.next}
    related = [kb.section(r) for r in section.related if r not in shown]
    if with_related or not section.substeps:
        rows.extend(
            (Button(_label(heading(kb, other, lang)), Action("section", lang, other.id)),)
            for other in related[:3]
        )
    return tuple(rows)


def section_blocks(kb: KnowledgeBase, section: Section, lang: Lang) -> list[str]:
    """A section as HTML blocks: the bold heading line, then its paragraphs and bullets."""
    blocks = [f"<b>{html.escape(heading(kb, section, lang), quote=False)}</b>"]
    blocks.extend(_paragraph(paragraph) for paragraph in re.split(r"\n\s*\n", section.answer[lang].strip()))
    return blocks


def _render_clarify(answer: Answer, kb: KnowledgeBase) -> Reply:
    lang = answer.lang
    options = [kb.section(candidate.id) for candidate in answer.candidates]
    lines = [html.escape(kb.messages.get("clarify", lang), quote=False)]
    lines.extend(
        f"{number}. {html.escape(heading(kb, section, lang), quote=False)}"
        for number, section in enumerate(options, 1)
    )
    lines.append(html.escape(kb.messages.get("clarify_choose_hint", lang), quote=False))
    buttons = tuple(
        (Button(_label(f"{number}. {section.title[lang]}"), Action("section", lang, section.id)),)
        for number, section in enumerate(options, 1)
    )
    return Reply(split_message(["\n".join(lines)]), buttons)


def _paragraph(text: str) -> str:
    """Escape a plain-text paragraph; "- " lines become bullets."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return "\n".join(
        "• " + html.escape(line.lstrip()[2:], quote=False)
        if line.lstrip().startswith("- ")
        else html.escape(line, quote=False)
        for line in lines
    )


def _label(text: str) -> str:
    return text if len(text) <= BUTTON_LABEL_MAX else text[: BUTTON_LABEL_MAX - 1] + "…"


def split_message(blocks: list[str], limit: int = TELEGRAM_MAX_CHARS) -> tuple[str, ...]:
    """Join self-contained HTML blocks with blank lines into messages under `limit`.

    Blocks are only ever split at line breaks, and an over-long line (plain escaped text,
    never a tag) is cut between characters outside any entity, so every piece stays valid.
    """
    lines: list[str] = []
    for block in blocks:
        if lines:
            lines.append("")  # the blank line between blocks
        for line in block.split("\n"):
            lines.extend(_cut_line(line, limit))
    messages: list[str] = []
    current: list[str] = []
    length = 0  # of "\n".join(current), in UTF-16 units
    for line in lines:
        added = telegram_length(line) + (1 if current else 0)
        if current and length + added > limit:
            messages.append("\n".join(current).strip("\n"))
            current, length = [], 0
            if not line:
                continue  # a blank line never starts a message
            added = telegram_length(line)
        current.append(line)
        length += added
    if current:
        messages.append("\n".join(current).strip("\n"))
    return tuple(message for message in messages if message) or ("…",)


_ENTITY_OR_CHAR = re.compile(r"&[a-z]+;|&#\d+;|.", re.S)


def _cut_line(line: str, limit: int) -> list[str]:
    if telegram_length(line) <= limit:
        return [line]
    parts: list[str] = []
    current = ""
    for token in _ENTITY_OR_CHAR.findall(line):
        if telegram_length(current + token) > limit:
            parts.append(current)
            current = ""
        current += token
    return [*parts, current] if current else parts
