"""One conversation service for every front end: a typed event in, a typed turn out.

Telegram (private chats, groups, buttons), the console chat and the command line all hand
their input here as an Event for one person and get back a Turn: what was decided, the
replies to send, and the person's new state to keep. The rules of a conversation live here
once — which language to answer in, what "next" means, what each command shows — so every
front end behaves the same.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace

from bot.conversation.actions import Action
from bot.conversation.commands import ASK_COMMANDS, COMMANDS, FORGET_COMMAND, PRIVACY_COMMAND
from bot.conversation.commands import Command as Command  # re-exported: an Event, with the others here
from bot.conversation.plan import Plan, PlanShown, Reminder, ReminderChange
from bot.conversation.plan_flow import PLAN_ACTIONS, PlanFlow, PlanRequest
from bot.conversation.plan_render import plan_button_row, render_unknown_command
from bot.conversation.render import (
    FORGET_START,
    Reply,
    private_chat_link,
    render_language_offer,
    render_message,
    render_outcome,
    render_privacy_warning,
)
from bot.kb.message_keys import MessageKey
from bot.storage.unanswered import DEFAULT_KEEP_DAYS
from bot.text.language import (
    LANGUAGES,
    Lang,
    Script,
    detect_script,
    other_language,
    parse_language,
    requested_language,
    resolve_language,
)
from bot.text.normalize import normalize_text
from bot.text.privacy import looks_personal
from bot.text.small_talk import SmallTalkKind
from bot.understanding.answer import Place, Responder
from bot.understanding.followup import detect_choice, detect_follow_up
from bot.understanding.outcomes import (
    OUT_OF_SCOPE_REASONS,
    Answered,
    Clarify,
    Declined,
    DeclineReason,
    Outcome,
    Screen,
    Shown,
    SmallTalk,
    View,
    decision_name,
)

CONTEXT_TTL_SECONDS = 30 * 60  # a place in the guide older than this is forgotten (the language is kept)


@dataclass(frozen=True)
class PersonState(Place):
    """What the bot remembers of one person in one chat: their Place in the guide (this is one),
    the conversation's language, and when they were last here.

    Stored by the front end between turns (Telegram: persisted as JSON), never with any text.
    """

    lang: Lang | None = None
    updated_at: float = 0.0
    plan: Plan | None = None  # the personal plan (private chats only), kept until forgotten

    def expired(self, now: float, ttl: float = CONTEXT_TTL_SECONDS) -> bool:
        """Whether `ttl` seconds have passed since their last turn: their place is forgotten."""
        return now - self.updated_at > ttl

    def place(self, now: float, ttl: float = CONTEXT_TTL_SECONDS) -> Place:
        """Where they are in the guide, or nowhere once it has expired."""
        return Place() if self.expired(now, ttl) else Place(self.section_id, self.choices)

    def to_json(self) -> list[object]:
        """A JSON-compatible form (ids, a language code and a timestamp: nothing personal).

        A flat list, not a dict: a bot keeps one of these per person for 30 days, and at
        20,000 people a dict with a list inside costs 4 MB more (bench/state_memory.py).
        Section ids have no spaces, so the choices travel as one space-separated string.
        A plan, when there is one, is a fifth item (codes only, see Plan.to_json).
        """
        flat: list[object] = [self.section_id, " ".join(self.choices), self.lang, self.updated_at]
        return flat if self.plan is None else [*flat, self.plan.to_json()]

    @classmethod
    def from_json(cls, data: object) -> PersonState:
        """Read what to_json() wrote (or the dict form older versions saved); anything malformed
        (an old or edited file) reads as a fresh state."""
        plan = None
        if isinstance(data, list) and len(data) == 5:
            plan = Plan.from_json(data[4])
            data = data[:4]
        if isinstance(data, list) and len(data) == 4:
            section, choices, lang, at = data
            choices = choices.split() if isinstance(choices, str) else None
        elif isinstance(data, Mapping):
            section, choices, lang, at = (data.get(key) for key in ("section", "choices", "lang", "at"))
        else:
            return cls()
        return cls(
            section_id=section if isinstance(section, str) else None,
            choices=tuple(c for c in choices if isinstance(c, str)) if isinstance(choices, list) else (),
            lang=next((known for known in LANGUAGES if known == lang), None),
            updated_at=float(at) if isinstance(at, int | float) and math.isfinite(at) else 0.0,
            plan=plan,
        )


@dataclass(frozen=True)
class Text:
    """A message typed by the person."""

    text: str


@dataclass(frozen=True)
class Press:
    """A button the person pressed; None for one we cannot act on (data we never issued, or a
    message the front end can no longer show the answer in)."""

    action: Action | None


@dataclass(frozen=True)
class Media:
    """A sticker, photo or voice message: only text can be answered."""

    caption: str = ""


@dataclass(frozen=True)
class Joined:
    """The bot was added to a group: introduce itself once, saying how to ask it there."""


Event = Text | Command | Press | Media | Joined


def question_of(event: Event) -> str | None:
    """The question an event asks, if it asks one: a text, or what follows /ask or /q."""
    match event:
        case Text(text=text):
            return text
        case Command(name=name, argument=argument) if name.lower() in ASK_COMMANDS and argument.strip():
            return argument
        case _:
            return None


@dataclass(frozen=True)
class Speaker:
    """Who is talking, as far as the language and the chat matter."""

    chosen_lang: Lang | None = None  # chosen with /lang or "in English please": it wins
    client_lang: Lang | None = None  # their app's language (Telegram language_code)
    in_group: bool = False
    bot_username: str = ""  # for deep links from a group into a private chat (/plan, /forget)


@dataclass(frozen=True)
class Turn:
    """The outcome of one event: what was decided, what to send, what to remember."""

    outcome: Outcome | PlanShown
    lang: Lang
    replies: tuple[Reply, ...]
    person: PersonState
    chosen_lang: Lang | None
    reminder_changes: tuple[ReminderChange, ...] = ()  # for the front end's reminder store
    # The person confirmed /forget: the front end erases everything it keeps about them
    # (and keeps neither `person` nor `chosen_lang`) before it sends the reply saying so.
    erase: bool = False

    @property
    def reply(self) -> Reply:
        """The main reply (a privacy warning, if any, follows it)."""
        return self.replies[0]

    @property
    def decision(self) -> str:
        """The outcome's kind as `ask --json` and the unanswered log name it ("plan" for the plan)."""
        return "plan" if isinstance(self.outcome, PlanShown) else decision_name(self.outcome)

    @property
    def is_notice(self) -> bool:
        """A short notice rather than an answer (a stale button): shown briefly where a front end
        can (Telegram: a toast over the message, which stays as it was)."""
        return isinstance(self.outcome, Declined) and self.outcome.reason is DeclineReason.STALE_BUTTON

    @property
    def unanswered(self) -> bool:
        """Whether the question went unanswered (declined as off-topic, or only a "did you mean")."""
        match self.outcome:
            case Declined(reason=reason) if reason in OUT_OF_SCOPE_REASONS:
                return True
            case Clarify():
                return True
            case _:
                return False


class Conversation:
    """The rules of a turn, around one Responder (hand in a new one after a reload).

    `unanswered_days` is how long the front end keeps unanswered questions: /privacy says it.
    """

    def __init__(self, responder: Responder, *, unanswered_days: int = DEFAULT_KEEP_DAYS) -> None:
        self.responder = responder
        self.unanswered_days = unanswered_days

    def handle(
        self,
        event: Event,
        person: PersonState,
        speaker: Speaker,
        now: float,
        reminders: tuple[Reminder, ...] = (),
    ) -> Turn:
        """Decide and render one turn for a person whose state was `person`.

        `reminders`: the person's pending reminders, which the front end loads only for the
        events that need them (see needs_reminders).
        """
        plan_turn = self._plan_turn(event, person, speaker, now, reminders)
        if plan_turn is not None:
            return plan_turn
        match event:
            case Text(text=text):
                return self._text(text, person, speaker, now)
            case Command(name=name, argument=argument):
                return self._command(name.lower(), argument.strip(), person, speaker, now)
            case Press(action=action):
                return self._press(action, person, speaker, now)
            case Joined():
                lang = self.quiet_language(person, speaker)
                return self._turn(Shown(Screen.GROUP_INTRO), lang, person, speaker, now)
            case Media(caption=caption):
                lang = (
                    self._language(caption, person, speaker)
                    if caption.strip()
                    else self.quiet_language(person, speaker)
                )
                return self._turn(Declined(DeclineReason.NOT_TEXT), lang, person, speaker, now)

    def suggest(self, query: str, speaker: Speaker, limit: int) -> tuple[Lang, tuple[str, ...]]:
        """Sections to offer for a search (Telegram's inline mode): the steps in order when it is empty."""
        lang = self._language(query, PersonState(), speaker)
        kb = self.responder.kb
        if not query.strip():  # the whole guide, in order
            return lang, (kb.overview.id, *(section.id for section in kb.main_steps()))
        return lang, tuple(self.responder.suggest(query, limit))

    # --- events ----------------------------------------------------------------------------

    def _text(self, text: str, person: PersonState, speaker: Speaker, now: float) -> Turn:
        normalized = normalize_text(text)
        requested = requested_language(normalized)
        if requested is not None:
            return self._turn(
                Shown(Screen.LANGUAGE_SET), requested, person, replace(speaker, chosen_lang=requested), now
            )
        outcome = self.responder.understand(text, person.place(now))
        if isinstance(outcome, SmallTalk) and outcome.kind is SmallTalkKind.PLAN:  # "我的计划" (issue 16)
            return self._plan(
                PlanRequest("plan", lang=self._language(text, person, speaker)), person, speaker, now
            )
        lang = self._language(
            text, person, speaker, keeps_conversation=self._context_bound(normalized, outcome)
        )
        turn = self._turn(outcome, lang, person, speaker, now)
        chosen = speaker.chosen_lang
        offer = other_language(text, chosen, speaker.client_lang) if chosen else None
        if offer is not None:  # /lang chose one language, the message is plainly in another
            section = outcome.section_id if isinstance(outcome, Answered) else None
            turn = replace(
                turn, replies=(*turn.replies, render_language_offer(self.responder.kb, offer, section))
            )
        if speaker.in_group and looks_personal(text):
            turn = replace(turn, replies=(*turn.replies, render_privacy_warning(self.responder.kb, lang)))
        return turn

    def _command(self, name: str, argument: str, person: PersonState, speaker: Speaker, now: float) -> Turn:
        if name in ASK_COMMANDS:
            if not argument:
                return self._turn(
                    Shown(Screen.ASK_USAGE), self.quiet_language(person, speaker), person, speaker, now
                )
            return self._text(argument, person, speaker, now)
        lang = self.quiet_language(person, speaker)
        kb = self.responder.kb
        outcome: Outcome
        if name not in COMMANDS:  # a typo, an old command: say so, then the help
            turn = self._turn(Shown(Screen.HELP), lang, person, speaker, now)
            return replace(turn, replies=(render_unknown_command(kb, turn.reply, lang),))
        if name == FORGET_COMMAND or (name == "start" and argument.strip().lower() == FORGET_START):
            return self._turn(self._forget_prompt(speaker), lang, person, speaker, now)
        if name == "start":
            payload = argument.split()[0].lower() if argument else ""
            outcome = self.responder.show(payload) if kb.has_section(payload) else Shown(Screen.WELCOME)
        elif name == PRIVACY_COMMAND:
            outcome = Shown(Screen.PRIVACY, days=self.unanswered_days)
        elif name == "steps":
            outcome = Shown(Screen.STEPS)
        elif name == "phrases":
            outcome = Shown(Screen.PHRASES)
        elif name == "step":
            outcome = (
                self.responder.show_step(argument.split()[0].rstrip("."))
                if argument
                else Shown(Screen.STEP_USAGE)
            )
        elif name == "lang":
            chosen = parse_language(argument) if argument else None
            if chosen is not None:
                return self._turn(
                    Shown(Screen.LANGUAGE_SET), chosen, person, replace(speaker, chosen_lang=chosen), now
                )
            outcome = Shown(Screen.LANGUAGE_MENU)
        else:  # /help, and any command we do not know (a typo, an old command)
            outcome = Shown(Screen.HELP)
        return self._turn(outcome, lang, person, speaker, now)

    def _press(self, action: Action | None, person: PersonState, speaker: Speaker, now: float) -> Turn:
        if action is None:
            stale = Declined(DeclineReason.STALE_BUTTON)
            return self._turn(stale, self.quiet_language(person, speaker), person, speaker, now)
        if action.kind == "answer_in":
            chosen = replace(speaker, chosen_lang=action.lang)
            if self.responder.kb.has_section(action.section_id):
                return self._turn(self.responder.show(action.section_id), action.lang, person, chosen, now)
            return self._turn(Shown(Screen.LANGUAGE_SET), action.lang, person, chosen, now)
        if action.kind == "lang":
            return self._turn(
                Shown(Screen.LANGUAGE_SET),
                action.lang,
                person,
                replace(speaker, chosen_lang=action.lang),
                now,
            )
        if action.kind == "forget":
            return self._forget(action.lang, person, speaker, now)
        if action.kind == "private":  # a deep link pressed where links are buttons (the console)
            return self._command("start", action.section_id, person, speaker, now)
        if action.kind in ("steps", "phrases"):
            screen = Screen.STEPS if action.kind == "steps" else Screen.PHRASES
            return self._turn(Shown(screen), action.lang, person, speaker, now)
        if not self.responder.kb.has_section(action.section_id):  # stale after a knowledge-base edit
            return self._turn(Declined(DeclineReason.STALE_BUTTON), action.lang, person, speaker, now)
        view = View.SUBSTEPS if action.kind == "detail" else View.SECTION
        return self._turn(self.responder.show(action.section_id, view), action.lang, person, speaker, now)

    # --- what is kept about a person -------------------------------------------------------

    @staticmethod
    def _forget_prompt(speaker: Speaker) -> Shown:
        """/forget: confirm with a button in a private chat; in a group, a link to one (what is
        kept about a person, and that they erased it, is not the group's business)."""
        if not speaker.in_group:
            return Shown(Screen.FORGET_CONFIRM)
        return Shown(Screen.FORGET_IN_PRIVATE, link=private_chat_link(speaker.bot_username, FORGET_START))

    def _forget(self, lang: Lang, person: PersonState, speaker: Speaker, now: float) -> Turn:
        """The confirm button: the front end erases everything (Turn.erase); nothing is remembered."""
        if speaker.in_group:  # a forged or forwarded button: only a private chat erases
            return self._turn(self._forget_prompt(speaker), lang, person, speaker, now)
        reply = render_outcome(self.responder.kb, Shown(Screen.FORGOTTEN), lang)
        return Turn(Shown(Screen.FORGOTTEN), lang, (reply,), PersonState(), None, erase=True)

    # --- language ---------------------------------------------------------------------------

    def _language(
        self, text: str, person: PersonState, speaker: Speaker, *, keeps_conversation: bool = False
    ) -> Lang:
        if speaker.chosen_lang is not None:
            return speaker.chosen_lang
        script = detect_script(text)
        if keeps_conversation and script is Script.LATIN and person.lang is not None:
            return person.lang  # "next", "2", "ok" in a Chinese conversation stay Chinese
        return resolve_language(script, person.lang, speaker.client_lang)

    def language_for(self, text: str | None, person: PersonState, speaker: Speaker) -> Lang:
        """The language to tell this person something in (an error, a notice) about `text`, if any."""
        if text and text.strip():
            return self._language(text, person, speaker)
        return self.quiet_language(person, speaker)

    def notice(self, key: MessageKey, person: PersonState, speaker: Speaker) -> Reply:
        """A catalogue sentence for this person outside a turn (the flood notice), in the
        language a command would get."""
        return render_message(self.responder.kb, key, self.quiet_language(person, speaker))

    def quiet_language(self, person: PersonState, speaker: Speaker) -> Lang:
        """The language for a command or media: nothing in it to read the language from."""
        return resolve_language(Script.NONE, speaker.chosen_lang or person.lang, speaker.client_lang)

    @staticmethod
    def _context_bound(normalized: str, outcome: Outcome) -> bool:
        """Whether a message only makes sense in the conversation so far ("next", "2", "ok")."""
        if isinstance(outcome, SmallTalk) and outcome.kind is SmallTalkKind.ACKNOWLEDGEMENT:
            return True
        return detect_follow_up(normalized) is not None or detect_choice(normalized) is not None

    # --- the turn ---------------------------------------------------------------------------

    def _turn(self, outcome: Outcome, lang: Lang, person: PersonState, speaker: Speaker, now: float) -> Turn:
        place = person.place(now)
        kb = self.responder.kb
        match outcome:
            case Answered(section_id=section_id, view=View.SUBSTEPS | View.RELATED as view, notice=None):
                # A list of sub-steps (or related topics) is a choice: a typed "2" picks the second.
                section = kb.section(section_id)
                listed = section.substeps if view is View.SUBSTEPS else section.related
                place = Place(section_id, tuple(listed))
            case Answered(section_id=section_id):
                place = Place(section_id)
            case Clarify(candidates=candidates):
                place = Place(place.section_id, tuple(candidate.id for candidate in candidates))
        state = PersonState(place.section_id, place.choices, lang, now, person.plan)
        reply = render_outcome(kb, outcome, lang)
        if not speaker.in_group and _offers_plan(outcome, kb.overview.id):
            reply = replace(reply, buttons=(*reply.buttons, plan_button_row(kb, lang)))
        return Turn(outcome, lang, (reply,), state, speaker.chosen_lang)

    # --- the personal plan ------------------------------------------------------------------

    def _plan_turn(
        self, event: Event, person: PersonState, speaker: Speaker, now: float, reminders: tuple[Reminder, ...]
    ) -> Turn | None:
        """A turn about the plan or reminders (bot/conversation/plan_flow.py), or None for any other."""
        request = plan_request(event)
        return None if request is None else self._plan(request, person, speaker, now, reminders)

    def _plan(
        self,
        request: PlanRequest,
        person: PersonState,
        speaker: Speaker,
        now: float,
        reminders: tuple[Reminder, ...] = (),
    ) -> Turn:
        """The plan turn for `request`, in its language (a button's or a typed request's) or the person's."""
        lang = request.lang or self.quiet_language(person, speaker)
        deep_link = private_chat_link(speaker.bot_username, "plan")
        flow = PlanFlow(self.responder.kb, lang, now)
        step = flow.handle(request, person.plan, reminders, in_group=speaker.in_group, deep_link=deep_link)
        state = PersonState(person.section_id, person.choices, lang, now, step.plan)
        return Turn(step.outcome, lang, (step.reply,), state, speaker.chosen_lang, step.changes)


def _offers_plan(outcome: Outcome, overview_id: str) -> bool:
    """Where "My plan" is offered: the welcome, the overview, and after a "did you mean"."""
    match outcome:
        case Shown(screen=Screen.WELCOME) | Clarify():
            return True
        case Answered(section_id=section_id, view=View.SECTION, notice=None):
            return section_id == overview_id
        case _:
            return False


def plan_request(event: Event) -> PlanRequest | None:
    """The plan request an event makes (/plan, /start plan, /reminders, a plan button), if any."""
    match event:
        case Command(name=name, argument=argument):
            name = name.lower()
            if name == "plan" or (name == "start" and argument.strip().lower().startswith("plan")):
                return PlanRequest("plan")
            if name == "reminders":
                return PlanRequest("reminders")
        case Press(action=action) if action is not None and action.kind in PLAN_ACTIONS:
            return PlanRequest(PLAN_ACTIONS[action.kind], action.section_id, action.lang)
    return None


def needs_reminders(event: Event) -> bool:
    """Whether handling `event` needs the person's pending reminders (/reminders, cancelling one).

    The front end loads them from its store only then, not on every message.
    """
    request = plan_request(event)
    return request is not None and request.kind in ("reminders", "unremind")
