"""Checks across fields and files that a schema cannot express: ids, links, loops, catalogue."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.kb.catalogue import (
    MESSAGE_MAX_CHARS,
    MESSAGE_PLACEHOLDERS,
    REQUIRED_MESSAGE_KEYS,
    placeholders,
    template_problems,
)
from bot.kb.problems import Problem
from bot.kb.schema import ExamplesFile, LocalizedText, MessagesFile, SectionSpec
from bot.kb.yaml_source import YamlDocument
from bot.text.language import LANGUAGES, Lang

GUIDE_FILE = "guide.yaml"
# Published in ../shared/kb-sections.md: deep links and acceptance checks rely on them.
REQUIRED_SECTION_IDS = (
    "overview",
    "reasons",
    "backup",
    "unbind-services",
    "contact-support",
    "support-channels",
    "operators",
    "prepare-info",
    "submit-request",
    "visit-store",
    "store-documents",
    "store-form",
    "sign-agreement",
    "verify-cancellation",
    "after-cancel",
    "return-devices",
    "rebind-services",
    "account-status",
    "lost-card",
    "let-it-lapse",
    "keep-number",
)


def check_sections(sections: list[SectionSpec], doc: YamlDocument) -> list[Problem]:
    """Unique ids, every published id present, links to known ids, no loops, one predecessor each."""
    problems: list[Problem] = []
    index_of: dict[str, int] = {}
    for index, section in enumerate(sections):
        if section.id in index_of:
            first = doc.line_of(("sections", index_of[section.id], "id"))
            problems.append(
                doc.problem(
                    ("sections", index, "id"),
                    f"duplicate section id {section.id!r} (first on line {first})",
                )
            )
        else:
            index_of[section.id] = index
    for required in REQUIRED_SECTION_IDS:
        if required not in index_of:
            problems.append(doc.problem(("sections",), f"required section {required!r} is missing"))
    pointed_from: dict[str, int] = {}
    for index, section in enumerate(sections):
        for field_name in ("parent", "next"):
            target = getattr(section, field_name)
            if target is not None and target not in index_of:
                problems.append(
                    doc.problem(("sections", index, field_name), f"unknown section id {target!r}")
                )
        for position, target in enumerate(section.related):
            if target not in index_of:
                problems.append(
                    doc.problem(("sections", index, "related", position), f"unknown section id {target!r}")
                )
        if section.next is not None:
            if section.next in pointed_from:
                other = sections[pointed_from[section.next]].id
                problems.append(
                    doc.problem(("sections", index, "next"), f"{section.next!r} already follows {other!r}")
                )
            pointed_from[section.next] = index
    problems.extend(_cycles(sections, index_of, "next", doc))
    problems.extend(_cycles(sections, index_of, "parent", doc))
    return problems


def _cycles(
    sections: list[SectionSpec], index_of: Mapping[str, int], link: str, doc: YamlDocument
) -> list[Problem]:
    """Report each loop formed by following `link` (next or parent) once, at its first member."""
    reported: set[frozenset[str]] = set()
    problems: list[Problem] = []
    for start in sections:
        path: list[str] = []
        current: str | None = start.id
        while current is not None and current in index_of and current not in path:
            path.append(current)
            current = getattr(sections[index_of[current]], link)
        if current is None or current not in path:
            continue
        loop = path[path.index(current) :]
        if frozenset(loop) in reported:
            continue
        reported.add(frozenset(loop))
        first = min(loop, key=lambda section_id: index_of[section_id])
        chain = " → ".join([*loop, loop[0]])
        problems.append(doc.problem(("sections", index_of[first], link), f"cycle: {chain}"))
    return problems


def check_examples(sections: list[SectionSpec], examples: ExamplesFile, doc: YamlDocument) -> list[Problem]:
    """Examples only for known sections, and for every section."""
    known = {section.id for section in sections}
    problems = [
        doc.problem(("examples", section_id), f"no section with id {section_id!r} in {GUIDE_FILE}")
        for section_id in examples.examples
        if section_id not in known
    ]
    problems.extend(
        doc.problem(("examples",), f"section {section.id!r} has no example questions")
        for section in sections
        if section.id not in examples.examples
    )
    return problems


def check_messages(
    catalogue: MessagesFile, texts: Mapping[str, Mapping[Lang, str]], doc: YamlDocument
) -> list[Problem]:
    """Every key the code uses is there, and every text of every key can be said.

    `texts` are the catalogue's texts in all three languages (zh-Hant converted where not
    written by hand): each is filled in with stand-in values as the bot would, uses only the
    placeholders its key may use, the same ones as zh-Hans, and fits where Telegram shows it.
    """
    problems = [
        doc.problem(("messages",), f"message {key!r} is missing")
        for key in REQUIRED_MESSAGE_KEYS
        if key not in catalogue.messages
    ]
    for key, authored in catalogue.messages.items():
        problems.extend(_check_message(key, authored, texts[key], doc))
    return problems


def _check_message(
    key: str, authored: LocalizedText, texts: Mapping[Lang, str], doc: YamlDocument
) -> list[Problem]:
    allowed = MESSAGE_PLACEHOLDERS.get(key, frozenset())
    limit = MESSAGE_MAX_CHARS.get(key)
    problems: list[Problem] = []
    expected: frozenset[str] | None = None
    for lang in LANGUAGES:  # zh-Hans first: the others are compared with it
        text = texts[lang]
        converted = lang == "zh-Hant" and authored.zh_hant is None
        if converted and expected is None:
            continue  # zh-Hans is wrong already; its conversion would repeat the same problems
        where = ("messages", key, lang)
        note = " (converted from zh-Hans)" if converted else ""
        found = template_problems(text, allowed)
        problems.extend(doc.problem(where, problem + note) for problem in found)
        if limit is not None and len(text) > limit:
            problems.append(
                doc.problem(where, f"is too long ({len(text)} characters, at most {limit}){note}")
            )
        if found:
            continue
        names = placeholders(text)
        if lang == "zh-Hans":
            expected = names if not problems else None
        elif expected is not None and names != expected:
            problems.append(
                doc.problem(where, f"placeholders {sorted(names)} differ from zh-Hans {sorted(expected)}")
            )
    return problems


# Where users see them: a title is a button label (as "label · title", cut at the render's
# BUTTON_LABEL_MAX), a summary is one line beside a sub-step's button. A Chinese character is
# about as wide as two Latin letters, hence half the count.
TITLE_MAX_CHARS: Mapping[Lang, int] = {"zh-Hans": 16, "zh-Hant": 16, "en": 32}
SUMMARY_MAX_CHARS: Mapping[Lang, int] = {"zh-Hans": 30, "zh-Hant": 30, "en": 60}


@dataclass(frozen=True)
class ShownTexts:
    """The short texts users see of one section, in all three languages, and where it is authored."""

    index: int  # position in guide.yaml's sections
    id: str
    label: Mapping[Lang, str]
    label_field: str  # "label" when authored, "step" when derived from the step
    title: Mapping[Lang, str]
    summary: Mapping[Lang, str]


def check_shown_texts(shown: Sequence[ShownTexts], doc: YamlDocument) -> list[Problem]:
    """No two sections share a label in any language; titles and summaries fit where they are shown."""
    problems: list[Problem] = []
    first_with: dict[tuple[Lang, str], ShownTexts] = {}
    for item in shown:
        clashes: dict[str, list[str]] = {}  # earlier section id -> "en 'Step 2'", ...
        for lang in LANGUAGES:
            earlier = first_with.setdefault((lang, item.label[lang]), item)
            if earlier is not item:
                clashes.setdefault(earlier.id, []).append(f"{lang} {item.label[lang]!r}")
        for earlier_id, labels in clashes.items():
            problems.append(
                doc.problem(
                    ("sections", item.index, item.label_field),
                    f"label {', '.join(labels)} is already used by section {earlier_id!r}; "
                    "give this section its own `label`",
                )
            )
        for field_name, texts, limits in (
            ("title", item.title, TITLE_MAX_CHARS),
            ("summary", item.summary, SUMMARY_MAX_CHARS),
        ):
            problems.extend(
                doc.problem(
                    ("sections", item.index, field_name, lang),
                    f"{len(texts[lang])} characters, at most {limits[lang]} fit",
                )
                for lang in LANGUAGES
                if len(texts[lang]) > limits[lang]
            )
    return problems
