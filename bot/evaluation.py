"""Score the responder on a labelled question set (the format of ../shared/eval/dev.yaml).

What counts is what the user is offered: the answered section, or the first choice of a
clarify. A declined in-scope question is a miss (and counted as wrongly declined).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.answer import Answer, Responder
from bot.language import LANGUAGES, Lang
from bot.match import OUT_OF_SCOPE
from bot.problems import KnowledgeBaseError, Problem
from bot.yaml_source import read_yaml_file


class LabelledQuestion(BaseModel):
    """One labelled question: the text, reply language, acceptable ids, and where it was asked."""

    model_config = ConfigDict(extra="ignore", frozen=True)
    q: str
    lang: Lang
    expect: list[str] = Field(min_length=1)
    where: str = "private"

    @property
    def out_of_scope(self) -> bool:
        """Whether the bot must decline this question."""
        return self.expect == [OUT_OF_SCOPE]


@dataclass(frozen=True)
class Miss:
    """A question the responder got wrong, with what it did instead."""

    question: LabelledQuestion
    decision: str
    offered: tuple[str, ...]


@dataclass(frozen=True)
class EvalReport:
    """Answer quality over a labelled set."""

    total: int
    top1: dict[Lang, tuple[int, int]]  # hits, questions (in scope)
    top3: tuple[int, int]
    declined_out_of_scope: tuple[int, int]
    wrongly_declined: tuple[int, int]
    language_correct: tuple[int, int]
    misses: tuple[Miss, ...]

    def top1_rate(self, lang: Lang) -> float:
        """Share of in-scope questions in `lang` whose first offered section is acceptable."""
        hits, total = self.top1.get(lang, (0, 0))
        return hits / total if total else 1.0

    @staticmethod
    def rate(pair: tuple[int, int]) -> float:
        """hits / total, 1.0 for an empty set."""
        return pair[0] / pair[1] if pair[1] else 1.0


def load_labelled_questions(path: Path) -> list[LabelledQuestion]:
    """Read a labelled set; malformed items raise KnowledgeBaseError with their line."""
    document = read_yaml_file(path)
    if not isinstance(document.data, list):
        raise KnowledgeBaseError([Problem(document.file, 1, "", "expected a list of questions")])
    questions: list[LabelledQuestion] = []
    problems: list[Problem] = []
    for index, item in enumerate(document.data):
        try:
            questions.append(LabelledQuestion.model_validate(item))
        except ValidationError as exc:
            problems.extend(document.problem((index, *e["loc"]), e["msg"]) for e in exc.errors())
    if problems:
        raise KnowledgeBaseError(problems)
    return questions


def offered_sections(answer: Answer) -> tuple[str, ...]:
    """The sections a user is offered, first the one they see."""
    if answer.decision == "decline":
        return ()
    ids = [answer.section_id] if answer.section_id else []
    ids.extend(candidate.id for candidate in answer.candidates if candidate.id not in ids)
    return tuple(ids)


def evaluate(responder: Responder, questions: list[LabelledQuestion]) -> EvalReport:
    """Run every question through the responder (no context, language detected) and score it."""
    top1: dict[Lang, list[int]] = defaultdict(lambda: [0, 0])
    top3 = [0, 0]
    declined = [0, 0]
    wrongly = [0, 0]
    language = [0, 0]
    misses: list[Miss] = []
    for question in questions:
        answer = responder.respond(question.q)
        offered = offered_sections(answer)
        language[0] += answer.lang == question.lang
        language[1] += 1
        if question.out_of_scope:
            declined[1] += 1
            if answer.decision == "decline":
                declined[0] += 1
            else:
                misses.append(Miss(question, answer.decision, offered))
            continue
        counts = top1[question.lang]
        counts[1] += 1
        hit = bool(offered) and offered[0] in question.expect
        counts[0] += hit
        top3[1] += 1
        top3[0] += any(section in question.expect for section in offered[:3])
        wrongly[1] += 1
        wrongly[0] += answer.decision == "decline"
        if not hit:
            misses.append(Miss(question, answer.decision, offered))
    return EvalReport(
        total=len(questions),
        top1={lang: (top1[lang][0], top1[lang][1]) for lang in LANGUAGES if lang in top1},
        top3=(top3[0], top3[1]),
        declined_out_of_scope=(declined[0], declined[1]),
        wrongly_declined=(wrongly[0], wrongly[1]),
        language_correct=(language[0], language[1]),
        misses=tuple(misses),
    )


def format_report(report: EvalReport, show: int) -> str:
    """The report as the `eval` command prints it: misses first, the figures last."""
    lines: list[str] = []
    if show and report.misses:
        lines.append(f"misses ({len(report.misses)}, showing {min(show, len(report.misses))}):")
        for miss in report.misses[:show]:
            offered = ", ".join(miss.offered) or "-"
            expected = ", ".join(miss.question.expect)
            lines.append(
                f"  [{miss.question.lang}] {miss.question.q!r}: "
                f"expected {expected}; {miss.decision} → {offered}"
            )
    lines.append(f"questions: {report.total}")
    for lang, (hits, total) in report.top1.items():
        lines.append(f"top-1 {lang:<16} {hits / total:.3f}  ({hits}/{total})")
    for name, pair in (
        ("top-3", report.top3),
        ("reply language", report.language_correct),
        ("out-of-scope declined", report.declined_out_of_scope),
        ("wrongly declined", report.wrongly_declined),
    ):
        lines.append(f"{name:<22} {EvalReport.rate(pair):.3f}  ({pair[0]}/{pair[1]})")
    top1 = " ".join(f"{lang} {report.top1_rate(lang):.3f}" for lang in report.top1)
    lines.append(
        f"summary: top-1 {top1} | out-of-scope declined {EvalReport.rate(report.declined_out_of_scope):.3f}"
        f" | wrongly declined {EvalReport.rate(report.wrongly_declined):.3f}"
    )
    return "\n".join(lines)
