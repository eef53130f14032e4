"""A personal plan: four answers decide which steps of the guide apply; ticks record progress.

The guide is written for everyone; a person abroad with a lost One card needs only some of
it, in an order that suits them. The rules live here, once: the four questions, the steps
each combination of answers gets, and the checklist. Everything is plain data (short codes),
so a plan travels in callback data and in the person's stored state as JSON, and holds no
free text: nothing in it needs redacting.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

# The four questions, in the order they are asked. Each answer is one letter, so the answers
# given so far fit in callback data ("a:vx:en": Vodafone, abroad) and in state ("vxhc").
Question = Literal["operator", "place", "card", "goal"]
QUESTIONS: tuple[Question, ...] = ("operator", "place", "card", "goal")
ANSWERS: Mapping[Question, tuple[str, ...]] = {
    "operator": ("v", "o", "u"),  # Vodafone, One, not sure
    "place": ("a", "x"),  # in Albania, abroad
    "card": ("h", "l"),  # I have it, lost or broken
    "goal": ("c", "k"),  # cancel, keep the number (port it)
}

ReminderKind = Literal["verify", "ported"]
REMINDER_KINDS: tuple[ReminderKind, ...] = ("verify", "ported")
DAY_SECONDS = 86_400.0
# After the request is sent, the operator needs a few days; porting is done within a working day.
REMINDER_DELAYS: Mapping[ReminderKind, float] = {"verify": 3 * DAY_SECONDS, "ported": 1 * DAY_SECONDS}


@dataclass(frozen=True)
class Answers:
    """The four answers; `codes` is their compact form ("vxhc")."""

    operator: str
    place: str
    card: str
    goal: str

    @property
    def codes(self) -> str:
        """The answers as four letters, in question order."""
        return self.operator + self.place + self.card + self.goal

    @property
    def abroad(self) -> bool:
        """Whether the person is outside Albania (short codes may not work; no shop visit)."""
        return self.place == "x"

    @property
    def lost(self) -> bool:
        """Whether the card is lost or broken."""
        return self.card == "l"

    @property
    def keeps_number(self) -> bool:
        """Whether they want to keep the number (port it) rather than cancel it."""
        return self.goal == "k"


def valid_partial(codes: str) -> bool:
    """Whether `codes` are answers to the first len(codes) questions (at most four)."""
    if len(codes) > len(QUESTIONS):
        return False
    return all(code in ANSWERS[question] for question, code in zip(QUESTIONS, codes, strict=False))


def parse_answers(codes: str) -> Answers | None:
    """All four answers from their codes, or None when incomplete or not ours."""
    if len(codes) != len(QUESTIONS) or not valid_partial(codes):
        return None
    return Answers(*codes)


def next_question(codes: str) -> Question | None:
    """The question to ask after the answers `codes` (None once all four are given)."""
    return QUESTIONS[len(codes)] if len(codes) < len(QUESTIONS) else None


@dataclass(frozen=True)
class PlanStep:
    """One line of a plan: a short key (for ticks and buttons) and the guide section it opens."""

    key: str
    section_id: str


# Every step a plan can have, in the order a plan shows them. Keys are short and fixed: they
# are stored in people's state and in buttons already sent, so never rename one.
_STEP_ORDER: tuple[PlanStep, ...] = (
    PlanStep("which", "operators"),  # not sure which operator: find out first
    PlanStep("block", "lost-card"),  # card lost: ask to block the number
    PlanStep("backup", "backup"),
    PlanStep("unlink", "unbind-services"),
    PlanStep("ready", "prepare-info"),
    PlanStep("request", "submit-request"),  # ask to cancel (the ready-to-send text)
    PlanStep("shop", "visit-store"),  # in Albania: if they ask you to come in
    PlanStep("insist", "let-it-lapse"),  # abroad: if they insist on a visit
    PlanStep("port", "keep-number"),  # keeping the number: port it at the other operator
    PlanStep("verify", "verify-cancellation"),
    PlanStep("ported", "keep-number"),  # the day after porting: check the number works
    PlanStep("account", "account-status"),
)
STEP_KEYS = frozenset(step.key for step in _STEP_ORDER)
REQUEST_STEP = {"request": "verify", "port": "ported"}  # ticking these offers a reminder of that kind


def applicable_steps(answers: Answers) -> tuple[PlanStep, ...]:
    """The steps that apply to these answers, in order."""
    wanted = {"ready"}
    if answers.operator == "u":
        wanted.add("which")
    if answers.lost:
        wanted.add("block")
    if answers.keeps_number:
        wanted |= {"port", "ported"}
    else:
        wanted |= {"unlink", "request", "verify", "account"}
        wanted.add("insist" if answers.abroad else "shop")
        if not answers.lost:
            wanted.add("backup")  # a lost card has nothing left to back up
    return tuple(step for step in _STEP_ORDER if step.key in wanted)


@dataclass(frozen=True)
class Plan:
    """A person's plan: their answers and the steps they have ticked."""

    answers: Answers
    ticked: frozenset[str] = frozenset()

    @property
    def steps(self) -> tuple[PlanStep, ...]:
        """The steps of this plan, in order."""
        return applicable_steps(self.answers)

    def has_step(self, key: str) -> bool:
        """Whether `key` is one of this plan's steps."""
        return any(step.key == key for step in self.steps)

    def toggle(self, key: str) -> Plan:
        """The plan with step `key` ticked, or unticked if it was (ignored if not a step of it)."""
        if not self.has_step(key):
            return self
        return Plan(self.answers, self.ticked ^ {key})

    def reminder_offered(self) -> ReminderKind | None:
        """The reminder to offer: once the request (or porting) is ticked and its check is not."""
        for request, check in REQUEST_STEP.items():
            if request in self.ticked and check not in self.ticked and self.has_step(check):
                return "verify" if check == "verify" else "ported"
        return None

    def to_json(self) -> list[str]:
        """Plain JSON: the four answer codes and the ticked keys, space-separated (no free text)."""
        return [self.answers.codes, " ".join(sorted(self.ticked))]

    @classmethod
    def from_json(cls, data: object) -> Plan | None:
        """Read what to_json() wrote; anything else (an edited or older file) is no plan."""
        if not (isinstance(data, list) and len(data) == 2 and all(isinstance(item, str) for item in data)):
            return None
        answers = parse_answers(data[0])
        if answers is None:
            return None
        return cls(answers, frozenset(key for key in data[1].split() if key in STEP_KEYS))


@dataclass(frozen=True)
class Reminder:
    """A reminder a person asked for: what to check, and when (Unix time)."""

    kind: ReminderKind
    due_at: float


@dataclass(frozen=True)
class Schedule:
    """Ask the front end to schedule (or move) this person's reminder of `kind`."""

    reminder: Reminder


@dataclass(frozen=True)
class Unschedule:
    """Ask the front end to cancel this person's reminder of `kind`."""

    kind: ReminderKind


ReminderChange = Schedule | Unschedule


def parse_reminder_kind(text: str) -> ReminderKind | None:
    """The reminder kind named `text`, if it is one."""
    return next((kind for kind in REMINDER_KINDS if kind == text), None)


class PlanView(StrEnum):
    """What a plan turn shows."""

    QUESTION = "question"  # one of the four questions
    PLAN = "plan"  # the checklist
    REQUEST = "request"  # the ready-to-send request
    REMINDER_SET = "reminder_set"
    REMINDERS = "reminders"  # /reminders
    PRIVATE_ONLY = "private_only"  # asked in a group: a deep link into a private chat


@dataclass(frozen=True)
class PlanShown:
    """The outcome of a plan turn (beside the guide's outcomes: not a question answered)."""

    view: PlanView
