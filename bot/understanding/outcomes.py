"""What the core decided for one turn, as types: answered, clarify, declined, small talk, shown.

Consumers (rendering, the unanswered log, `ask --json`, the evaluation) match on the type;
nothing compares decision strings, and a declined turn says why.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.kb.message_keys import MessageKey
from bot.text.small_talk import SmallTalkKind


@dataclass(frozen=True)
class Candidate:
    """A section the matcher considered, with its score (for clarify choices and `ask --json`)."""

    id: str
    score: float


class View(StrEnum):
    """How much of a section to show."""

    SECTION = "section"  # the section's answer
    SUBSTEPS = "substeps"  # "more detail": its numbered sub-steps, one line each, as buttons
    RELATED = "related"  # "more detail" where there are no sub-steps: related sections as buttons


class Notice(StrEnum):
    """A remark said instead of repeating a section the person already has."""

    END_OF_CHAIN = MessageKey.END_OF_CHAIN.value
    NO_PREVIOUS = MessageKey.NO_PREVIOUS.value


@dataclass(frozen=True)
class Answered:
    """Show one section (or a view of it)."""

    section_id: str
    view: View = View.SECTION
    notice: Notice | None = None
    candidates: tuple[Candidate, ...] = ()


@dataclass(frozen=True)
class Clarify:
    """Offer two or three sections to choose from ("did you mean")."""

    candidates: tuple[Candidate, ...]


class DeclineReason(StrEnum):
    """Why nothing was answered; each reason has its own sentence in the catalogue."""

    OFF_TOPIC = MessageKey.DECLINE.value  # plainly about something else
    ELSEWHERE = MessageKey.DECLINE_ELSEWHERE.value  # another country's SIM or operator
    NOT_COVERED = MessageKey.DECLINE_NOT_COVERED.value  # buying, topping up, roaming, eSIM
    OTHER_ACCOUNT = MessageKey.DECLINE_OTHER_ACCOUNT.value  # a bank card or another account
    EMPTY = MessageKey.EMPTY.value
    TOO_LONG = MessageKey.TOO_LONG.value
    NOT_TEXT = MessageKey.NON_TEXT.value
    UNKNOWN_STEP = MessageKey.UNKNOWN_STEP.value
    NO_CONTEXT = MessageKey.NO_CONTEXT.value
    STALE_BUTTON = MessageKey.STALE_BUTTON.value  # a button for a section that no longer exists


# The reasons a question is declined for being about something else (not empty, not a stale button).
OUT_OF_SCOPE_REASONS = frozenset(
    {DeclineReason.OFF_TOPIC, DeclineReason.ELSEWHERE, DeclineReason.NOT_COVERED, DeclineReason.OTHER_ACCOUNT}
)


@dataclass(frozen=True)
class Declined:
    """Answer nothing from the guide, saying why; `step` names the step asked for (UNKNOWN_STEP)."""

    reason: DeclineReason
    step: str = ""
    candidates: tuple[Candidate, ...] = ()


@dataclass(frozen=True)
class SmallTalk:
    """A greeting, thanks, goodbye or "who are you": a short friendly reply and the steps."""

    kind: SmallTalkKind


class Screen(StrEnum):
    """A fixed screen a command or button asks for."""

    WELCOME = "welcome"
    HELP = "help"
    STEPS = "steps"
    LANGUAGE_MENU = "language_menu"
    LANGUAGE_SET = "language_set"
    PHRASES = "phrases"
    STEP_USAGE = "step_usage"
    ASK_USAGE = "ask_usage"
    GROUP_INTRO = "group_intro"
    # What the bot keeps about a person (issue 20)
    PRIVACY = "privacy"  # what is kept, where, how long, who sees it, how to erase it
    FORGET_CONFIRM = "forget_confirm"  # /forget in a private chat: a button to confirm
    FORGET_IN_PRIVATE = "forget_in_private"  # /forget in a group: a link to a private chat
    FORGOTTEN = "forgotten"  # everything kept about the person was erased


@dataclass(frozen=True)
class Shown:
    """Show a fixed screen: the welcome, help, the steps, the language menu, the phrase card.

    `days` is the number a screen states: for /privacy, how long unanswered questions are kept.
    `link` is the deep link a screen offers (/forget in a group: a private chat with the bot).
    """

    screen: Screen
    days: int = 0
    link: str = ""


Outcome = Answered | Clarify | Declined | SmallTalk | Shown


def decision_name(outcome: Outcome) -> str:
    """The outcome's kind as `ask --json` and the evaluation report it."""
    match outcome:
        case Answered():
            return "answer"
        case Clarify():
            return "clarify"
        case Declined():
            return "decline"
        case SmallTalk():
            return "small_talk"
        case Shown():
            return "info"


def offered_sections(outcome: Outcome) -> tuple[str, ...]:
    """The sections a person is offered, first the one they see (none when declined)."""
    match outcome:
        case Answered(section_id=section_id, candidates=candidates):
            return (section_id, *(c.id for c in candidates if c.id != section_id))
        case Clarify(candidates=candidates):
            return tuple(c.id for c in candidates)
        case _:
            return ()
