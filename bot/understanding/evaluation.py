"""Score the responder on a labelled question set, or on a file of text it must not answer.

Labelled sets have the format of ../shared/eval/dev.yaml; `expect` lists the acceptable section
ids, or is [out-of-scope] (must be declined) or [small-talk] (a greeting, thanks …). What
counts is what the user is offered: the answered section, or the first choice of a clarify.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.kb.problems import KnowledgeBaseError, Problem
from bot.kb.yaml_source import read_yaml_file
from bot.text.language import LANGUAGES, Lang, detect_language
from bot.understanding.answer import Responder
from bot.understanding.outcomes import Clarify, Declined, SmallTalk, decision_name, offered_sections

OUT_OF_SCOPE = "out-of-scope"
SMALL_TALK = "small-talk"


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

    @property
    def small_talk(self) -> bool:
        """Whether the bot should answer this with small talk."""
        return self.expect == [SMALL_TALK]


@dataclass(frozen=True)
class Miss:
    """A question the responder got wrong, with what it did instead."""

    question: str
    lang: str
    expected: tuple[str, ...]
    decision: str
    offered: tuple[str, ...]


@dataclass(frozen=True)
class EvalReport:
    """Answer quality over a labelled set."""

    total: int
    top1: dict[Lang, tuple[int, int]]  # hits, questions (in scope)
    top3: tuple[int, int]
    declined_out_of_scope: tuple[int, int]
    small_talk: tuple[int, int]
    wrongly_declined: tuple[int, int]
    language_correct: tuple[int, int]
    misses: tuple[Miss, ...]
    # Per language, of the in-scope questions: how many were turned away (declined or taken
    # for small talk), and how many got a "did you mean" instead of an answer.
    declined_by_lang: dict[Lang, tuple[int, int]] = field(default_factory=dict)
    clarified_by_lang: dict[Lang, tuple[int, int]] = field(default_factory=dict)

    def top1_rate(self, lang: Lang) -> float:
        """Share of in-scope questions in `lang` whose first offered section is acceptable."""
        hits, total = self.top1.get(lang, (0, 0))
        return hits / total if total else 1.0

    @staticmethod
    def rate(pair: tuple[int, int]) -> float:
        """hits / total, 1.0 for an empty set."""
        return pair[0] / pair[1] if pair[1] else 1.0


@dataclass(frozen=True)
class OutOfScopeReport:
    """How much of a file of text the bot must not answer was given no section."""

    name: str
    no_section: tuple[int, int]  # declined or small talk, lines
    small_talk: int
    skipped_trained: int  # lines left out because the matcher was trained on them
    misses: tuple[Miss, ...]


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


def evaluate(responder: Responder, questions: Iterable[LabelledQuestion]) -> EvalReport:
    """Run every question through the responder (no context, language detected) and score it."""
    top1: dict[Lang, list[int]] = defaultdict(lambda: [0, 0])
    declined_by_lang: dict[Lang, list[int]] = defaultdict(lambda: [0, 0])
    clarified_by_lang: dict[Lang, list[int]] = defaultdict(lambda: [0, 0])
    top3, declined, small_talk, wrongly, language = [0, 0], [0, 0], [0, 0], [0, 0], [0, 0]
    misses: list[Miss] = []
    total = 0
    for question in questions:
        total += 1
        outcome = responder.understand(question.q)
        offered = offered_sections(outcome)
        language[0] += detect_language(question.q) == question.lang
        language[1] += 1
        if question.out_of_scope or question.small_talk:
            pair = declined if question.out_of_scope else small_talk
            hit = not offered if question.out_of_scope else isinstance(outcome, SmallTalk)
            pair[0] += hit
            pair[1] += 1
        else:
            counts = top1[question.lang]
            hit = bool(offered) and offered[0] in question.expect
            counts[0] += hit
            counts[1] += 1
            top3[0] += any(section in question.expect for section in offered[:3])
            top3[1] += 1
            turned_away = isinstance(outcome, Declined | SmallTalk)
            wrongly[0] += turned_away
            wrongly[1] += 1
            for pair, counted in (
                (declined_by_lang[question.lang], turned_away),
                (clarified_by_lang[question.lang], isinstance(outcome, Clarify)),
            ):
                pair[0] += counted
                pair[1] += 1
        if not hit:
            misses.append(
                Miss(question.q, question.lang, tuple(question.expect), decision_name(outcome), offered)
            )
    return EvalReport(
        total=total,
        top1={lang: (top1[lang][0], top1[lang][1]) for lang in LANGUAGES if lang in top1},
        top3=(top3[0], top3[1]),
        declined_out_of_scope=(declined[0], declined[1]),
        small_talk=(small_talk[0], small_talk[1]),
        wrongly_declined=(wrongly[0], wrongly[1]),
        language_correct=(language[0], language[1]),
        misses=tuple(misses),
        declined_by_lang=_pairs(declined_by_lang),
        clarified_by_lang=_pairs(clarified_by_lang),
    )


def _pairs(counts: dict[Lang, list[int]]) -> dict[Lang, tuple[int, int]]:
    return {lang: (counts[lang][0], counts[lang][1]) for lang in LANGUAGES if lang in counts}


def evaluate_out_of_scope(responder: Responder, name: str, lines: Sequence[str]) -> OutOfScopeReport:
    """Score text the bot must not answer: each line should get no section (declined or small talk).

    Lines the matcher was trained on (knowledge/negatives/) are skipped, so the figure is for
    text the bot has never seen.
    """
    trained = {text for texts in responder.kb.negatives.values() for text in texts}
    questions = [line.strip() for line in lines if line.strip()]
    unseen = [line for line in questions if line not in trained]
    hits = small_talk = 0
    misses: list[Miss] = []
    for line in unseen:
        outcome = responder.understand(line)
        offered = offered_sections(outcome)
        small_talk += isinstance(outcome, SmallTalk)
        if offered:
            misses.append(Miss(line, detect_language(line), (OUT_OF_SCOPE,), decision_name(outcome), offered))
        else:
            hits += 1
    # The worst first: a confident answer misleads more than a "did you mean".
    misses.sort(key=lambda miss: miss.decision != "answer")
    return OutOfScopeReport(
        name, (hits, len(unseen)), small_talk, len(questions) - len(unseen), tuple(misses)
    )


def format_report(report: EvalReport, show: int) -> str:
    """The report as the `eval` command prints it: misses first, the figures last."""
    lines = _format_misses(report.misses, show)
    lines.append(f"questions: {report.total}")
    for lang, (hits, total) in report.top1.items():
        lines.append(f"top-1 {lang:<16} {hits / total:.3f}  ({hits}/{total})")
    for name, pair in (
        ("top-3", report.top3),
        ("reply language", report.language_correct),
        ("out-of-scope declined", report.declined_out_of_scope),
        ("small talk answered", report.small_talk),
        ("wrongly declined", report.wrongly_declined),
    ):
        lines.append(f"{name:<22} {EvalReport.rate(pair):.3f}  ({pair[0]}/{pair[1]})")
    for lang in report.declined_by_lang:
        declined, clarified = report.declined_by_lang[lang], report.clarified_by_lang[lang]
        lines.append(
            f"{lang:<8} wrongly declined {EvalReport.rate(declined):.3f} ({declined[0]}/{declined[1]}),"
            f" did you mean {EvalReport.rate(clarified):.3f} ({clarified[0]}/{clarified[1]})"
        )
    top1 = " ".join(f"{lang} {report.top1_rate(lang):.3f}" for lang in report.top1)
    lines.append(
        f"summary: top-1 {top1} | out-of-scope declined {EvalReport.rate(report.declined_out_of_scope):.3f}"
        f" | wrongly declined {EvalReport.rate(report.wrongly_declined):.3f}"
    )
    return "\n".join(lines)


def format_out_of_scope_report(report: OutOfScopeReport, show: int) -> str:
    """An out-of-scope file's figures, with its worst misses."""
    lines = _format_misses(report.misses, show, header="given a section")
    hits, total = report.no_section
    lines.append(
        f"{report.name}: given no section {EvalReport.rate(report.no_section):.3f} ({hits}/{total};"
        f" {report.small_talk} as small talk); {report.skipped_trained} lines skipped (trained on)"
    )
    return "\n".join(lines)


def _format_misses(misses: Sequence[Miss], show: int, header: str = "misses") -> list[str]:
    if not show or not misses:
        return []
    lines = [f"{header} ({len(misses)}, showing {min(show, len(misses))}):"]
    for miss in misses[:show]:
        offered = ", ".join(miss.offered) or "-"
        expected = ", ".join(miss.expected)
        lines.append(f"  [{miss.lang}] {miss.question!r}: expected {expected}; {miss.decision} → {offered}")
    return lines


def report_as_json(report: EvalReport) -> dict[str, object]:
    """A labelled set's figures as `eval --json` prints them: rates with their counts, misses listed."""

    def figure(pair: tuple[int, int]) -> dict[str, float | int]:
        return {"rate": round(EvalReport.rate(pair), 4), "hits": pair[0], "total": pair[1]}

    return {
        "questions": report.total,
        "top1": {lang: figure(pair) for lang, pair in report.top1.items()},
        "top3": figure(report.top3),
        "reply_language": figure(report.language_correct),
        "out_of_scope_declined": figure(report.declined_out_of_scope),
        "small_talk_answered": figure(report.small_talk),
        "wrongly_declined": figure(report.wrongly_declined),
        "wrongly_declined_by_lang": {lang: figure(pair) for lang, pair in report.declined_by_lang.items()},
        "did_you_mean_by_lang": {lang: figure(pair) for lang, pair in report.clarified_by_lang.items()},
        "misses": [asdict(miss) for miss in report.misses],
    }


def out_of_scope_as_json(report: OutOfScopeReport) -> dict[str, object]:
    """An out-of-scope file's figures as `eval --json` prints them."""
    return {
        "name": report.name,
        "given_no_section": {
            "rate": round(EvalReport.rate(report.no_section), 4),
            "hits": report.no_section[0],
            "total": report.no_section[1],
        },
        "small_talk": report.small_talk,
        "skipped_trained": report.skipped_trained,
        "misses": [asdict(miss) for miss in report.misses],
    }
