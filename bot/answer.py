"""The decision: answer one section, offer two or three to choose from, or decline.

Follow-ups ("下一步", "back", "more detail", "2" after a choice) are resolved here too, from
the per-person Context that the adapter keeps; the adapter never interprets text itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from bot.followup import FollowUp, detect_choice, detect_follow_up
from bot.kb import KnowledgeBase, Section
from bot.language import Lang, detect_language, has_letters
from bot.match import OUT_OF_SCOPE, MatchSettings, ScoredSection, SectionIndex, build_index, terms
from bot.normalize import (
    find_step_reference,
    normalize_text,
    remove_step_reference,
    strip_invisible,
)

Decision = Literal["answer", "clarify", "decline"]

MAX_CHOICES = 3
MAX_MESSAGE_CHARS = 1_000

_STEP_FILLER = re.compile(
    r"是什么意思|什么意思|是什么|是啥|是干嘛的|干嘛的|干嘛|干什么|干啥|讲什么|讲的什么|讲啥|说什么|说的什么|"
    r"做什么|要做什么|怎么做|怎么弄|怎么办|指什么|意思|内容|请问|告诉我|看看|一下|关于|呢|吗|啊|呀|的|了|是|"
    r"\b(?:what|whats|what's|is|the|about|of|do|does|i|how|tell|me|explain|show|again|please|pls|plz|in|this|"
    r"that|guide|are|mean|means|s)\b"
)


@dataclass(frozen=True)
class DecisionSettings:
    """Thresholds of the decision, tuned on ../shared/eval/dev.yaml with tests/data/holdout.yaml."""

    decline_below: float = 0.15  # best in-scope similarity under this: not about our topic
    out_of_scope_margin: float = 0.0  # out-of-scope similarity must beat the best section's by this
    clarify_ratio: float = 0.5  # a runner-up this probable relative to the best is offered too
    confident_above: float = 0.8  # the best this probable: answer, whatever the runner-up
    step_boost: float = 0.5  # a question naming a step ("第二步的解绑") leans to that step's sections


@dataclass(frozen=True)
class Candidate:
    """A section offered to the user, with the matcher's score."""

    id: str
    score: float


@dataclass(frozen=True)
class Context:
    """What one person was last shown: the section, and the choices if we asked them to pick."""

    section_id: str | None = None
    choices: tuple[str, ...] = ()
    updated_at: float = 0.0
    lang: Lang | None = None  # the language of the last answer: "next" / "2" keep it


@dataclass(frozen=True)
class Answer:
    """The outcome for one message, before rendering.

    `notice` is a catalogue key said before (or, with no section, instead of) an answer:
    "no_next", "unknown_step", "empty", "decline" ...
    """

    decision: Decision
    lang: Lang
    section_id: str | None = None
    candidates: tuple[Candidate, ...] = ()
    detail: bool = False
    notice: str | None = None
    notice_values: tuple[tuple[str, str], ...] = field(default=())

    def next_context(self, previous: Context) -> Context:
        """The context to remember after this answer (a decline keeps the old place)."""
        if self.decision == "answer" and self.section_id:
            return Context(section_id=self.section_id, updated_at=previous.updated_at, lang=self.lang)
        if self.decision == "clarify":
            choices = tuple(c.id for c in self.candidates)
            return Context(previous.section_id, choices, previous.updated_at, self.lang)
        return previous


@dataclass(frozen=True)
class Responder:
    """The knowledge base and its index: everything needed to answer, swapped as one on reload."""

    kb: KnowledgeBase
    index: SectionIndex
    settings: DecisionSettings = DecisionSettings()

    def respond(self, text: str, context: Context = Context(), lang: Lang | None = None) -> Answer:
        """Decide what to say to `text`, given what this person was last shown."""
        sample = text[:MAX_MESSAGE_CHARS]
        # "4.1" or "🙂" says nothing about language: stay in the conversation's, if there is one.
        language = lang or (
            context.lang if context.lang and not has_letters(sample) else detect_language(sample)
        )
        if not strip_invisible(text).strip():
            return Answer("decline", language, notice="empty")
        if len(text) > MAX_MESSAGE_CHARS:
            return Answer("decline", language, notice="too_long")
        normalized = normalize_text(text)
        if not normalized:
            return Answer("decline", language, notice="empty")
        # "next", "back", "2" carry no language of their own: keep the conversation's.
        kept = lang or context.lang or language
        return (
            self._choice(normalized, context, kept)
            or self._follow_up(normalized, context, kept)
            or self._step_only(normalized, language)
            or self._matched(normalized, language)
        )

    def section_answer(self, section_id: str, lang: Lang, detail: bool = False) -> Answer:
        """An answer showing one known section (deep links, buttons, /step)."""
        return Answer(
            "answer",
            lang,
            section_id=section_id,
            candidates=(Candidate(section_id, 1.0),),
            detail=detail,
        )

    def step_answer(self, label: str, lang: Lang) -> Answer:
        """The first section labelled `label` ("4", "4.1"), or a notice that no such step exists."""
        sections = self.kb.sections_with_step(label)
        if not sections:
            return Answer("decline", lang, notice="unknown_step", notice_values=(("step", label),))
        return self.section_answer(sections[0].id, lang)

    def rank(self, text: str, limit: int | None = None) -> list[ScoredSection]:
        """Labels (sections and out-of-scope) scored for a raw question, best first; see SectionIndex.rank."""
        return self.index.rank(normalize_text(text), limit=limit)

    # --- the stages of respond(), each returning None when it does not apply -----------------

    def _choice(self, normalized: str, context: Context, lang: Lang) -> Answer | None:
        number = detect_choice(normalized)
        if number is None:
            return None
        if not context.choices:  # a bare "4" with no choices pending: step 4, if there is one
            step = self.step_answer(str(number), lang)
            return step if step.section_id else None
        if number > len(context.choices):
            return None
        return self.section_answer(context.choices[number - 1], lang)

    def _follow_up(self, normalized: str, context: Context, lang: Lang) -> Answer | None:
        kind = detect_follow_up(normalized)
        if kind is None:
            return None
        if context.section_id is None or not self.kb.has_section(context.section_id):
            return Answer("decline", lang, notice="no_context")
        current = self.kb.section(context.section_id)
        if kind is FollowUp.DETAIL:
            if current.substeps:
                return self.section_answer(current.id, lang, detail=True)
            return Answer(
                "answer",
                lang,
                section_id=current.id,
                notice="no_detail",
                candidates=(Candidate(current.id, 1.0),),
            )
        target = current.next if kind is FollowUp.NEXT else current.previous
        if target is None:
            notice = "no_next" if kind is FollowUp.NEXT else "no_previous"
            return Answer(
                "answer",
                lang,
                section_id=current.id,
                notice=notice,
                candidates=(Candidate(current.id, 1.0),),
            )
        return self.section_answer(target, lang)

    def _step_only(self, normalized: str, lang: Lang) -> Answer | None:
        label = find_step_reference(normalized)
        if label is None:
            return None
        rest = _STEP_FILLER.sub(" ", remove_step_reference(normalized))
        if terms(rest):
            return None  # more was asked than the step: let the matcher weigh it (with a boost)
        return self.step_answer(label, lang)

    def _matched(self, normalized: str, lang: Lang) -> Answer:
        label = find_step_reference(normalized)
        in_step = [section.id for section in self.kb.sections if label and _in_step(section, label)]
        ranked = self.index.rank(normalized, limit=MAX_CHOICES, include=in_step)
        if in_step:
            ranked = _boost_step(ranked, set(in_step), self.settings.step_boost)
        sections = [item for item in ranked if item.id != OUT_OF_SCOPE]
        candidates = tuple(Candidate(item.id, round(item.score, 4)) for item in sections[:MAX_CHOICES])
        settings = self.settings
        best = sections[0]
        in_scope = max(item.similarity for item in sections)
        outside = next((item for item in ranked if item.id == OUT_OF_SCOPE), None)
        off_topic = outside is not None and (
            outside.similarity > in_scope + settings.out_of_scope_margin or outside.score > best.score
        )
        if in_scope < settings.decline_below or off_topic:
            return Answer("decline", lang, candidates=candidates, notice="decline")
        close = [item for item in sections[:MAX_CHOICES] if item.score >= best.score * settings.clarify_ratio]
        if len(close) > 1 and best.score < settings.confident_above:
            return Answer(
                "clarify", lang, candidates=tuple(Candidate(c.id, round(c.score, 4)) for c in close)
            )
        return Answer("answer", lang, section_id=best.id, candidates=candidates)


def _in_step(section: Section, label: str) -> bool:
    return section.step == label or section.step.startswith(label + ".")


def _boost_step(ranked: list[ScoredSection], in_step: set[str], boost: float) -> list[ScoredSection]:
    boosted = [
        ScoredSection(item.id, item.score + boost, item.similarity) if item.id in in_step else item
        for item in ranked
    ]
    return sorted(boosted, key=lambda item: (-item.score, -item.similarity))


def build_responder(
    kb: KnowledgeBase,
    match: MatchSettings = MatchSettings(),
    decision: DecisionSettings = DecisionSettings(),
) -> Responder:
    """Index a knowledge base and wrap both for answering."""
    return Responder(kb, build_index(kb, match), decision)
