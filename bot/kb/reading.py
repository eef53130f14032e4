"""Read and validate the knowledge base's YAML: the files in, one KnowledgeBase out.

Every problem is collected (not just the first) and located as `file:line: field: what`,
so an author fixes a broken edit in one pass. bot.kb.base calls this only when no knowledge
base saved by an earlier start can be used (bot/kb/saved.py): it is what needs pydantic and
PyYAML, 10 MB of the process and a tenth of a second of every start.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from bot.kb.base import (
    EXAMPLES_FILE,
    MESSAGES_FILE,
    NEGATIVES_DIR,
    SYNONYMS_FILE,
    TRADITIONAL_FIXES_FILE,
    KnowledgeBase,
    Localized,
    Phrase,
    Section,
)
from bot.kb.catalogue import Messages
from bot.kb.checks import (
    GUIDE_FILE,
    ShownTexts,
    check_examples,
    check_messages,
    check_sections,
    check_shown_texts,
)
from bot.kb.conversions import adopt_saved_conversions, save_conversions
from bot.kb.message_keys import MessageKey
from bot.kb.negatives import read_negatives
from bot.kb.problems import KnowledgeBaseError, Problem
from bot.kb.schema import (
    ExampleSet,
    ExamplesFile,
    GuideFile,
    LocalizedText,
    MessagesFile,
    PhraseSpec,
    SectionSpec,
    SynonymsFile,
    TraditionalFixesFile,
)
from bot.kb.yaml_source import YamlDocument, read_yaml_file
from bot.text.chinese import release_traditional, to_traditional, traditional_converter_loaded
from bot.text.language import LANGUAGES, Lang
from bot.understanding.cues import OutOfScopeCues
from bot.understanding.synonyms import Synonyms, duplicate_variants

ModelT = TypeVar("ModelT", bound=BaseModel)
_NUMERIC_STEP = re.compile(r"^\d+(?:[.\-]\d+)*$")


def read_knowledge_base(directory: Path, cache_dir: Path | None) -> KnowledgeBase:
    """Read, validate and assemble the knowledge base in `directory` (KnowledgeBaseError listing
    every problem); with `cache_dir`, reusing and saving the zh-Hant conversions there."""
    problems: list[Problem] = []
    adopted = adopt_saved_conversions(cache_dir) if cache_dir is not None else False

    def read(filename: str, model: type[ModelT]) -> tuple[ModelT | None, YamlDocument | None]:
        try:
            document = read_yaml_file(directory / filename, _display_name(directory / filename))
        except KnowledgeBaseError as exc:
            problems.extend(exc.problems)
            return None, None
        return _validate(document, model, problems), document

    guide, guide_doc = read(GUIDE_FILE, GuideFile)
    examples, examples_doc = read(EXAMPLES_FILE, ExamplesFile)
    catalogue, messages_doc = read(MESSAGES_FILE, MessagesFile)
    fixes_model = TraditionalFixesFile()
    if (directory / TRADITIONAL_FIXES_FILE).exists():
        loaded_fixes, _ = read(TRADITIONAL_FIXES_FILE, TraditionalFixesFile)
        fixes_model = loaded_fixes or fixes_model
    fixes = fixes_model.replacements
    synonyms_model = SynonymsFile()
    if (directory / SYNONYMS_FILE).exists():
        loaded_synonyms, synonyms_doc = read(SYNONYMS_FILE, SynonymsFile)
        synonyms_model = loaded_synonyms or synonyms_model
        if loaded_synonyms and synonyms_doc:
            problems.extend(
                synonyms_doc.problem(("groups", index), f"{word!r} is already in an earlier group")
                for index, word in duplicate_variants(loaded_synonyms.groups)
            )

    if guide and guide_doc:
        problems.extend(check_sections(guide.sections, guide_doc))
    if guide and examples and examples_doc:
        problems.extend(check_examples(guide.sections, examples, examples_doc))
    message_texts = (
        {key: localize(text, fixes) for key, text in catalogue.messages.items()} if catalogue else {}
    )
    message_problems = (
        check_messages(catalogue, message_texts, messages_doc) if catalogue and messages_doc else []
    )
    problems.extend(message_problems)
    messages = None
    if catalogue and not message_problems:  # step labels are built from catalogue sentences
        messages = Messages(message_texts)
        if guide and guide_doc:
            shown = [_shown_texts(index, spec, messages, fixes) for index, spec in enumerate(guide.sections)]
            problems.extend(check_shown_texts(shown, guide_doc))
    negatives = read_negatives(directory / NEGATIVES_DIR, problems)
    if problems or not (guide and examples and catalogue and messages):
        raise KnowledgeBaseError(problems)

    sections = _assemble_sections(guide.sections, fixes, messages)
    phrases = tuple(_phrase(spec, fixes) for spec in catalogue.phrases)
    if cache_dir is not None and (not adopted or traditional_converter_loaded()):
        save_conversions(cache_dir)  # something was converted afresh: keep it for the next start
    release_traditional()  # every zh-Hant text is derived now
    return KnowledgeBase(
        sections=sections,
        by_id={section.id: section for section in sections},
        examples={
            section_id: _example_texts(example_set) for section_id, example_set in examples.examples.items()
        },
        out_of_scope=_example_texts(examples.out_of_scope),
        negatives=negatives,
        small_talk={
            kind: (*said.zh_hans, *said.en, *said.zh_hant) for kind, said in examples.small_talk.items()
        },
        messages=messages,
        phrases=phrases,
        synonyms=Synonyms(
            tuple(tuple(group) for group in synonyms_model.groups), tuple(synonyms_model.topic)
        ),
        directory=directory,
        out_of_scope_cues=OutOfScopeCues(
            **{name: tuple(words) for name, words in synonyms_model.out_of_scope.model_dump().items()}
        ),
    )


def localize(text: LocalizedText, fixes: Mapping[str, str]) -> Localized:
    """All three languages of a text: zh-Hant is the override, or derived from zh-Hans."""
    traditional = text.zh_hant
    if traditional is None:
        traditional = to_traditional(text.zh_hans)
        for wrong, right in fixes.items():
            traditional = traditional.replace(wrong, right)
    return {"zh-Hans": text.zh_hans, "zh-Hant": traditional, "en": text.en}


def section_label(spec: SectionSpec, messages: Messages, fixes: Mapping[str, str]) -> Localized:
    """What users see before a section's title: its own `label`, or 第 4.1 步 / Step 4.1 from its step."""
    if spec.label is not None:
        return localize(spec.label, fixes)
    if spec.step == "all":
        return {lang: messages.get(MessageKey.STEP_LABEL_ALL, lang) for lang in LANGUAGES}
    if _NUMERIC_STEP.match(spec.step):
        return {lang: messages.get(MessageKey.STEP_LABEL, lang, step=spec.step) for lang in LANGUAGES}
    return {lang: messages.get(MessageKey.STEP_LABEL_EXTRA, lang) for lang in LANGUAGES}


def _shown_texts(index: int, spec: SectionSpec, messages: Messages, fixes: Mapping[str, str]) -> ShownTexts:
    return ShownTexts(
        index=index,
        id=spec.id,
        label=section_label(spec, messages, fixes),
        label_field="step" if spec.label is None else "label",
        title=localize(spec.title, fixes),
        summary=localize(spec.summary, fixes),
    )


def _phrase(spec: PhraseSpec, fixes: Mapping[str, str]) -> Phrase:
    return Phrase(albanian=spec.sq, meaning=localize(spec, fixes))


def _display_name(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


_FRIENDLY_ERRORS = {
    "missing": "missing",
    "extra_forbidden": "unknown field",
    "string_type": "must be text (put numbers in quotes)",
    "string_too_short": "must not be empty",
    "string_pattern_mismatch": "may use only a-z, 0-9 and '-'",
    "list_type": "must be a list",
    "dict_type": "must be a mapping of keys to values",
    "model_type": "must be a mapping of fields",
}


def _validate(document: YamlDocument, model: type[ModelT], problems: list[Problem]) -> ModelT | None:
    try:
        return model.model_validate(document.data if document.data is not None else {})
    except ValidationError as exc:
        problems.extend(document.problem(_error_path(error), _describe(error)) for error in exc.errors())
        return None


def _error_path(error: ErrorDetails) -> tuple[str | int, ...]:
    # For a bad dict key pydantic appends "[key]"; the key itself is what the author wrote.
    return tuple(part for part in error["loc"] if part != "[key]")


def _describe(error: ErrorDetails) -> str:
    kind = error["type"]
    if kind == "too_short" and isinstance(error.get("ctx"), dict):
        minimum = error["ctx"].get("min_length")
        return f"needs at least {minimum} items"
    if kind == "string_too_long" and isinstance(error.get("ctx"), dict):
        length = len(str(error["input"]).strip())  # what the limit is checked against
        return f"is too long ({length} characters, at most {error['ctx'].get('max_length')})"
    if kind == "value_error" and isinstance(error.get("ctx"), dict):
        return str(error["ctx"].get("error"))  # our validators' own wording, without "Value error, "
    return _FRIENDLY_ERRORS.get(kind, error["msg"])


def _example_texts(example_set: ExampleSet) -> Mapping[Lang, tuple[str, ...]]:
    return {
        "zh-Hans": tuple(example_set.zh_hans),
        "zh-Hant": tuple(example_set.zh_hant),
        "en": tuple(example_set.en),
    }


def _assemble_sections(
    specs: list[SectionSpec], fixes: Mapping[str, str], messages: Messages
) -> tuple[Section, ...]:
    by_id = {spec.id: spec for spec in specs}
    previous = {spec.next: spec.id for spec in specs if spec.next is not None}
    ordered: list[SectionSpec] = []
    for spec in specs:  # chains in the order their first section appears in the file
        if spec.id in previous:
            continue
        current: SectionSpec | None = spec
        while current is not None:
            ordered.append(current)
            current = by_id[current.next] if current.next else None
    children: dict[str, list[str]] = {}
    substeps: dict[str, list[str]] = {}
    for spec in ordered:
        if spec.parent is not None:
            children.setdefault(spec.parent, []).append(spec.id)
            if spec.step.startswith(by_id[spec.parent].step + "."):
                substeps.setdefault(spec.parent, []).append(spec.id)
    return tuple(
        Section(
            id=spec.id,
            step=spec.step,
            parent=spec.parent,
            next=spec.next,
            previous=previous.get(spec.id),
            label=section_label(spec, messages, fixes),
            title=localize(spec.title, fixes),
            summary=localize(spec.summary, fixes),
            answer=localize(spec.answer, fixes),
            related=tuple(spec.related),
            children=tuple(children.get(spec.id, ())),
            substeps=tuple(substeps.get(spec.id, ())),
            phrase_card=spec.phrase_card,
        )
        for spec in ordered
    )
