"""Outcomes to replies: Telegram HTML text (escaped, split under 4,096) plus a button layout.

The layout is plain data (Button rows); each adapter turns it into its own widgets
(inline keyboards in Telegram, a list of labels in the console).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from bot.conversation.actions import Action
from bot.kb.base import KnowledgeBase, Section
from bot.kb.message_keys import MessageKey
from bot.text.language import LANGUAGES, Lang
from bot.understanding.outcomes import (
    Answered,
    Clarify,
    Declined,
    DeclineReason,
    Outcome,
    Screen,
    Shown,
    SmallTalk,
    View,
)

TELEGRAM_MAX_CHARS = 4_096
LANGUAGE_NAMES: dict[Lang, str] = {"zh-Hans": "简体中文", "zh-Hant": "繁體中文", "en": "English"}
_SMALL_TALK_KEYS = {
    "greeting": MessageKey.SMALL_TALK_GREETING,
    "thanks": MessageKey.SMALL_TALK_THANKS,
    "goodbye": MessageKey.SMALL_TALK_GOODBYE,
    "identity": MessageKey.SMALL_TALK_IDENTITY,
    "acknowledgement": MessageKey.SMALL_TALK_ACKNOWLEDGEMENT,
}
FORGET_START = "forget"  # the /start payload of the private chat where /forget is confirmed
BUTTON_LABEL_MAX = (
    40  # longer labels are cut by Telegram clients: the knowledge-base check keeps them shorter
)


@dataclass(frozen=True)
class Button:
    """One button: what it says and the action it triggers.

    With a `url` (a deep link into a private chat), Telegram opens the link instead; a front end
    without links (the console) carries out `action`.
    """

    label: str
    action: Action
    url: str = ""


Buttons = tuple[tuple[Button, ...], ...]


def private_chat_link(bot_username: str, payload: str) -> str:
    """The deep link that opens a private chat with the bot at /start <payload> ("" without a
    username: the console, where the button's action is carried out instead)."""
    return f"https://t.me/{bot_username}?start={payload}" if bot_username else ""


@dataclass(frozen=True)
class Reply:
    """What the user sees: one or more message texts (HTML), buttons under the last one."""

    texts: tuple[str, ...]
    buttons: Buttons = ()


def telegram_length(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def step_label(section: Section, lang: Lang) -> str:
    """The label users see before a section's title: 第 4.1 步 / Step 4.1, 全部步骤, or its own label.

    Built once at load time (bot.kb.base.section_label), where the check can see that no two clash.
    """
    return section.label[lang]


def heading(section: Section, lang: Lang) -> str:
    """A section's heading as plain text: "第 4 步 · 前往营业厅办理"."""
    return f"{step_label(section, lang)} · {section.title[lang]}"


def render_outcome(kb: KnowledgeBase, outcome: Outcome, lang: Lang) -> Reply:
    """The reply for any outcome the core decided."""
    match outcome:
        case Answered(section_id=section_id, view=view, notice=notice):
            section = kb.section(section_id)
            if notice is not None:
                return _render_notice(kb, section, MessageKey(notice.value), lang)
            if view is View.SUBSTEPS:
                return _render_substeps(kb, section, lang)
            if view is View.RELATED:
                return _render_related(kb, section, lang)
            return Reply(split_message(section_blocks(kb, section, lang)), navigation(kb, section, lang))
        case Clarify(candidates=candidates):
            return _render_clarify(kb, [kb.section(candidate.id) for candidate in candidates], lang)
        case Declined(reason=DeclineReason.NO_CONTEXT):
            return render_steps(kb, lang, intro=MessageKey.NO_CONTEXT)
        case Declined(reason=reason, step=step):
            text = kb.messages.get(MessageKey(reason.value), lang, **({"step": step} if step else {}))
            return Reply(split_message([_paragraph(text)]), (_all_steps_row(kb, lang),))
        case SmallTalk(kind=kind):
            return render_steps(kb, lang, intro=_SMALL_TALK_KEYS[kind.value], header=False)
        case Shown(screen=screen, days=days, link=link):
            return _render_screen(kb, screen, lang, days, link)


def render_section(kb: KnowledgeBase, section_id: str, lang: Lang, view: View = View.SECTION) -> Reply:
    """A section as a reply, for inline results and tests."""
    return render_outcome(kb, Answered(section_id, view), lang)


def render_message(kb: KnowledgeBase, key: MessageKey, lang: Lang, **values: object) -> Reply:
    """A catalogue sentence as a reply, with no buttons."""
    return Reply(split_message([_paragraph(kb.messages.get(key, lang, **values))]))


def render_language_offer(kb: KnowledgeBase, lang: Lang, section_id: str | None) -> Reply:
    """ "Answer in English instead?" with one button, both in `lang` (the message's language)."""
    label = kb.messages.get(MessageKey.BUTTON_LANG_SWITCH, lang)
    button = Button(label, Action("answer_in", lang, section_id or ""))
    text = kb.messages.get(MessageKey.LANG_SWITCH_OFFER, lang)
    return Reply(split_message([_paragraph(text)]), ((button,),))


def render_privacy_warning(kb: KnowledgeBase, lang: Lang) -> Reply:
    """The advice to delete a group message that shows a phone, passport or SIM number."""
    return render_message(kb, MessageKey.PRIVACY_WARNING, lang)


def html_to_plain(text: str) -> str:
    """A rendered text as plain text (tags dropped, entities unescaped): for the terminal, the
    command line, and where Telegram shows no markup (toasts, inline result descriptions)."""
    return html.unescape(_TAG.sub("", text))


def render_plain(text: str) -> Reply:
    """Any plain text (a report for admins) as an escaped reply."""
    return Reply(split_message([_paragraph(text)]))


def render_steps(
    kb: KnowledgeBase, lang: Lang, intro: MessageKey | None = None, *, header: bool = True
) -> Reply:
    """The five steps as a list and as buttons (what /steps, /start and small talk show)."""
    lines = [_paragraph(kb.messages.get(intro, lang))] if intro else []
    steps = kb.main_steps()
    if header:
        lines.append(f"<b>{_escape(kb.messages.get(MessageKey.STEPS_HEADER, lang))}</b>")
        lines.extend(_escape(heading(section, lang)) for section in steps)
    buttons = tuple((_section_button(kb, section, lang),) for section in steps)
    return Reply(split_message(["\n".join(lines)]), buttons)


def render_phrase_card(kb: KnowledgeBase, lang: Lang) -> Reply:
    """The Albanian phrase card: each sentence in Albanian (bold, to show staff), its meaning beside it."""
    lines = [f"<b>{_escape(kb.messages.get(MessageKey.PHRASES_TITLE, lang))}</b>"]
    lines.extend(
        f"<b>{_escape(phrase.albanian)}</b>\n{_escape(phrase.meaning[lang])}" for phrase in kb.phrases
    )
    lines.append(_escape(kb.messages.get(MessageKey.PHRASES_NOTE, lang)))
    return Reply(split_message(["\n\n".join(lines)]), (_all_steps_row(kb, lang),))


def navigation(kb: KnowledgeBase, section: Section, lang: Lang) -> Buttons:
    """◀ previous · next ▶, more detail (only where there are sub-steps) · all steps, phrase card."""
    moves: list[Button] = []
    if section.previous:
        moves.append(
            Button(
                kb.messages.get(MessageKey.BUTTON_PREVIOUS, lang), Action("section", lang, section.previous)
            )
        )
    if section.next:
        moves.append(
            Button(kb.messages.get(MessageKey.BUTTON_NEXT, lang), Action("section", lang, section.next))
        )
    more: list[Button] = []
    if section.substeps:  # "more detail" only where there is more: the sub-steps
        more.append(Button(kb.messages.get(MessageKey.BUTTON_MORE, lang), Action("detail", lang, section.id)))
    more.append(_all_steps_button(kb, lang))
    rows: list[tuple[Button, ...]] = [tuple(moves), tuple(more)] if moves else [tuple(more)]
    if section.phrase_card and kb.phrases:
        rows.append((Button(kb.messages.get(MessageKey.BUTTON_PHRASES, lang), Action("phrases", lang)),))
    return tuple(rows)


def section_blocks(kb: KnowledgeBase, section: Section, lang: Lang) -> list[str]:
    """A section as HTML blocks: the bold heading line, then its paragraphs and bullets."""
    blocks = [f"<b>{_escape(heading(section, lang))}</b>"]
    blocks.extend(_paragraph(paragraph) for paragraph in re.split(r"\n\s*\n", section.answer[lang].strip()))
    return blocks


# --- the views ----------------------------------------------------------------------------------


def _render_substeps(kb: KnowledgeBase, section: Section, lang: Lang) -> Reply:
    """ "More detail" on a step: its sub-steps one line each, and a button for each."""
    substeps = [kb.section(child) for child in section.substeps]
    lines = [
        f"<b>{_escape(heading(section, lang))}</b>",
        _escape(kb.messages.get(MessageKey.DETAIL_INTRO, lang)),
    ]
    lines.extend(
        f"• <b>{_escape(heading(child, lang))}</b>\n  {_escape(child.summary[lang])}" for child in substeps
    )
    rows = [(_section_button(kb, child, lang),) for child in substeps]
    rows.append((_all_steps_button(kb, lang),))
    return Reply(split_message(["\n".join(lines)]), tuple(rows))


def _render_related(kb: KnowledgeBase, section: Section, lang: Lang) -> Reply:
    """ "More detail" where there are no sub-steps: the related sections as buttons."""
    text = kb.messages.get(MessageKey.RELATED_INTRO, lang)
    rows = [(_section_button(kb, kb.section(other), lang),) for other in section.related]
    rows.append((_all_steps_button(kb, lang),))
    return Reply(split_message([_paragraph(text)]), tuple(rows))


def _render_notice(kb: KnowledgeBase, section: Section, key: MessageKey, lang: Lang) -> Reply:
    """At an end of the guide's chain: say so and offer what is left (the steps, the side paths)."""
    text = kb.messages.get(key, lang)
    if key is MessageKey.END_OF_CHAIN:
        offers = [other for other in kb.side_paths() if other.id != section.id]
        rows = [(_all_steps_button(kb, lang),), *((_section_button(kb, other, lang),) for other in offers)]
        return Reply(split_message([_paragraph(text)]), tuple(rows))
    return Reply(split_message([_paragraph(text)]), navigation(kb, section, lang))


def _render_clarify(kb: KnowledgeBase, options: list[Section], lang: Lang) -> Reply:
    lines = [_escape(kb.messages.get(MessageKey.CLARIFY, lang))]
    lines.extend(f"{number}. {_escape(heading(section, lang))}" for number, section in enumerate(options, 1))
    lines.append(_escape(kb.messages.get(MessageKey.CLARIFY_CHOOSE_HINT, lang)))
    buttons = tuple(
        (Button(f"{number}. {section.title[lang]}", Action("section", lang, section.id)),)
        for number, section in enumerate(options, 1)
    )
    return Reply(split_message(["\n".join(lines)]), buttons)


def _render_screen(kb: KnowledgeBase, screen: Screen, lang: Lang, days: int, link: str) -> Reply:
    match screen:
        case Screen.WELCOME:
            return render_steps(kb, lang, intro=MessageKey.WELCOME)
        case Screen.STEPS:
            return render_steps(kb, lang)
        case Screen.HELP:
            return Reply(render_message(kb, MessageKey.HELP, lang).texts, (_all_steps_row(kb, lang),))
        case Screen.LANGUAGE_MENU:
            buttons = tuple((Button(LANGUAGE_NAMES[code], Action("lang", code)),) for code in LANGUAGES)
            return Reply(render_message(kb, MessageKey.LANG_PROMPT, lang).texts, buttons)
        case Screen.LANGUAGE_SET:
            return render_message(kb, MessageKey.LANG_SET, lang)
        case Screen.STEP_USAGE:
            return render_message(kb, MessageKey.STEP_USAGE, lang)
        case Screen.ASK_USAGE:
            return render_message(kb, MessageKey.ASK_USAGE, lang)
        case Screen.GROUP_INTRO:
            return render_message(kb, MessageKey.GROUP_INTRO, lang)
        case Screen.PHRASES:
            return render_phrase_card(kb, lang)
        case Screen.PRIVACY:
            return render_message(kb, MessageKey.PRIVACY, lang, days=days)
        case Screen.FORGET_CONFIRM:
            confirm = Button(kb.messages.get(MessageKey.BUTTON_FORGET, lang), Action("forget", lang))
            return Reply(render_message(kb, MessageKey.FORGET_CONFIRM, lang).texts, ((confirm,),))
        case Screen.FORGET_IN_PRIVATE:
            label = kb.messages.get(MessageKey.BUTTON_OPEN_PRIVATE, lang)
            button = Button(label, Action("private", lang, FORGET_START), url=link)
            return Reply(render_message(kb, MessageKey.FORGET_IN_PRIVATE, lang).texts, ((button,),))
        case Screen.FORGOTTEN:
            return render_message(kb, MessageKey.FORGOTTEN, lang)


# --- pieces ---------------------------------------------------------------------------------------


def _section_button(kb: KnowledgeBase, section: Section, lang: Lang) -> Button:
    return Button(heading(section, lang), Action("section", lang, section.id))


def _all_steps_button(kb: KnowledgeBase, lang: Lang) -> Button:
    return Button(kb.messages.get(MessageKey.BUTTON_ALL_STEPS, lang), Action("steps", lang))


def _all_steps_row(kb: KnowledgeBase, lang: Lang) -> tuple[Button, ...]:
    return (_all_steps_button(kb, lang),)


def _escape(text: str) -> str:
    return html.escape(text, quote=False)


def _paragraph(text: str) -> str:
    """Escape a plain-text paragraph; "- " lines become bullets."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return "\n".join(
        "• " + _escape(line.lstrip()[2:]) if line.lstrip().startswith("- ") else _escape(line)
        for line in lines
    )


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


_TAG = re.compile(r"<[^>]+>")
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
