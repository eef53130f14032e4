"""The validated knowledge base, kept on disk between starts: no YAML and no pydantic at a start
that changed nothing.

Reading the YAML and validating it (bot/kb/reading.py) needs pydantic and PyYAML, about 10 MB
of the process and a tenth of a second of imports, and its parse leaves the heap some 4 MB
larger than what it keeps. With this file (measured for issue 18's budgets) the benchmark's bot
polls at 62.8 MB instead of 74.8, and `python -m bot ask` answers in 0.20 s instead of 0.40.
The result only changes when a file of the knowledge base, the bot's code or OpenCC does, so it
is saved as JSON under a key that hashes all three; a start whose key matches takes it as it
is, with the zh-Hant conversions saved beside it.

Never trusted blindly: a file that is unreadable, malformed, from another version or under
another key is ignored, the YAML read and validated as usual, and the file replaced. Every value
is checked for its kind (a text, a list of texts, one text per language) and every section id
it names must be a section; what fails is never reported against the YAML. The knowledge base
is saved only after the YAML validated, and `python -m bot check` never reads this file. Texts
are not validated again: like the index, whose exact examples decide answers too, the file is
as trusted as the cache directory, which only the bot's user should be able to write.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from bot.kb.base import NEGATIVES_DIR, KnowledgeBase, Phrase, Section
from bot.kb.catalogue import REQUIRED_MESSAGE_KEYS, Messages
from bot.kb.conversions import adopt_saved_conversions
from bot.kb.negatives import NEGATIVE_SUFFIX
from bot.storage.cache_files import code_digest, read_saved, write_json
from bot.text.chinese import opencc_version
from bot.text.language import LANGUAGES
from bot.text.small_talk import SmallTalkKind
from bot.understanding.cues import OutOfScopeCues
from bot.understanding.synonyms import Synonyms

CACHE_FILE = "knowledge.json"
FORMAT = 1  # bump when the saved shape changes
SOURCE_SUFFIX = ".yaml"
MAX_SOURCE_BYTES = 8_000_000  # ours are ~1.7 MB; a directory far larger is not hashed at every start
# The fields of KnowledgeBase this file saves, besides `by_id` and `directory` (made at load).
_SAVED_FIELDS = frozenset(
    {
        "sections",
        "examples",
        "out_of_scope",
        "negatives",
        "small_talk",
        "messages",
        "phrases",
        "synonyms",
        "out_of_scope_cues",
    }
)
logger = logging.getLogger("bot.kb.saved")
RecordT = TypeVar("RecordT")


class _NotSavable(Exception):
    """The knowledge base has a field of a kind this file does not know how to keep."""


def load_saved_knowledge_base(directory: Path, cache_dir: Path) -> KnowledgeBase | None:
    """The knowledge base saved in `cache_dir` from the very files in `directory`, or None."""
    key = knowledge_key(directory)
    if key is None:
        return None
    path = cache_dir / CACHE_FILE
    saved = read_saved(path, FORMAT)
    if saved is None or saved.get("key") != key:
        return None
    if not adopt_saved_conversions(cache_dir):  # language detection needs what was derived with them
        return None
    try:
        state = saved["state"]
        if not isinstance(state, dict):
            raise TypeError("the saved state is not an object")
        return knowledge_base_from_state(state, directory)
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
        logger.info(
            "the saved knowledge base in %s is not usable (%s); reading the YAML", path, type(exc).__name__
        )
        return None


def save_knowledge_base(kb: KnowledgeBase, cache_dir: Path) -> None:
    """Save a knowledge base just read and validated from its YAML, for the next start."""
    key = knowledge_key(kb.directory)
    if key is None:
        return
    try:
        state = knowledge_base_state(kb)
    except _NotSavable as exc:
        logger.info("the knowledge base is not saved between starts: %s", exc)
        return
    try:
        write_json(cache_dir / CACHE_FILE, {"format": FORMAT, "key": key, "state": state})
    except OSError as exc:
        logger.info("the knowledge base could not be saved in %s (%s)", cache_dir, exc)


def knowledge_key(directory: Path) -> str | None:
    """A hash of what a load reads (the name and bytes of every YAML file of `directory` and of
    every file of negatives), of the bot's code and of OpenCC's version; None when a file cannot
    be read or is not a regular one: the YAML is then read, and reports it."""
    digest = hashlib.sha256()
    digest.update(f"{FORMAT}\0{code_digest()}\0{opencc_version()}\0".encode())
    total = 0
    try:
        sources = [
            *sorted(directory.glob("*" + SOURCE_SUFFIX)),
            *sorted((directory / NEGATIVES_DIR).glob("*" + NEGATIVE_SUFFIX)),
        ]
        for source in sources:
            if not source.is_file():  # a named pipe would block the read for ever
                return None
            content = source.read_bytes()
            total += len(content)
            if total > MAX_SOURCE_BYTES:
                return None
            digest.update(f"{source.relative_to(directory)}\0{len(content)}\0".encode() + content)
    except (OSError, ValueError):
        return None
    return digest.hexdigest() if sources else None


def knowledge_base_state(kb: KnowledgeBase) -> dict[str, object]:
    """The knowledge base as JSON-compatible values (_NotSavable when a field is of an unknown kind)."""
    fields = {field.name for field in dataclasses.fields(kb)} - {"by_id", "directory"}
    if fields != _SAVED_FIELDS:
        raise _NotSavable(f"fields {sorted(fields ^ _SAVED_FIELDS)}")
    return {
        "sections": [_record(section) for section in kb.sections],
        "examples": {section: _lists(by_lang) for section, by_lang in kb.examples.items()},
        "out_of_scope": _lists(kb.out_of_scope),
        "negatives": _lists(kb.negatives),
        "small_talk": {kind.value: list(texts) for kind, texts in kb.small_talk.items()},
        "messages": {key: dict(texts) for key, texts in kb.messages.texts.items()},
        "phrases": [_record(phrase) for phrase in kb.phrases],
        "synonyms": {
            "groups": [list(group) for group in kb.synonyms.groups],
            "topic": list(kb.synonyms.topic),
        },
        "out_of_scope_cues": _record(kb.out_of_scope_cues),
    }


def knowledge_base_from_state(state: Mapping[str, Any], directory: Path) -> KnowledgeBase:
    """The knowledge base knowledge_base_state() described (ValueError, TypeError, KeyError or
    AttributeError when the state is not one)."""
    sections = tuple(_from_record(Section, record) for record in _list(state["sections"]))
    by_id = {section.id: section for section in sections}
    if not sections or len(by_id) != len(sections):
        raise ValueError("no sections, or a section id twice")
    for section in sections:
        named = [section.parent, section.next, section.previous, *section.related, *section.children]
        if not set(named) - {None} <= by_id.keys() or not set(section.substeps) <= set(section.children):
            raise ValueError(f"section {section.id!r} names a section that is not there")
    examples = {
        _text(section): _texts_by_lang(by_lang) for section, by_lang in _dict(state["examples"]).items()
    }
    if not examples.keys() <= by_id.keys():
        raise ValueError("examples of a section that is not there")
    messages = {_text(key): _localized(texts) for key, texts in _dict(state["messages"]).items()}
    if not set(REQUIRED_MESSAGE_KEYS) <= messages.keys():
        raise ValueError("a message the bot says is missing")
    synonyms = _dict(state["synonyms"])
    return KnowledgeBase(
        sections=sections,
        by_id=by_id,
        examples=examples,
        out_of_scope=_texts_by_lang(state["out_of_scope"]),
        negatives=_texts_by_key(state["negatives"]),
        small_talk={SmallTalkKind(kind): texts for kind, texts in _texts_by_key(state["small_talk"]).items()},
        messages=Messages(messages),
        phrases=tuple(_from_record(Phrase, record) for record in _list(state["phrases"])),
        synonyms=Synonyms(
            tuple(_texts(group) for group in _list(synonyms["groups"])), _texts(synonyms["topic"])
        ),
        directory=directory,
        out_of_scope_cues=_from_record(OutOfScopeCues, state["out_of_scope_cues"]),
    )


# --- a dataclass as a JSON object, by the kinds of its fields ---------------------------------

_ENCODERS: dict[str, Callable[[Any], object]] = {
    "str": str,
    "str | None": lambda value: value,
    "bool": bool,
    "tuple[str, ...]": list,
    "Localized": dict,
}
_DECODERS: dict[str, Callable[[object], object]] = {
    "str": lambda value: _text(value),
    "str | None": lambda value: None if value is None else _text(value),
    "bool": lambda value: _flag(value),
    "tuple[str, ...]": lambda value: _texts(value),
    "Localized": lambda value: _localized(value),
}


def _record(value: object) -> dict[str, object]:
    record: dict[str, object] = {}
    for field in dataclasses.fields(value):  # type: ignore[arg-type]  # Section, Phrase, OutOfScopeCues
        if not field.init:
            continue  # made by the class itself (compiled patterns)
        encode = _ENCODERS.get(str(field.type))
        if encode is None:
            raise _NotSavable(f"{type(value).__name__}.{field.name} is a {field.type}")
        record[field.name] = encode(getattr(value, field.name))
    return record


def _from_record(cls: type[RecordT], record: object) -> RecordT:
    values = _dict(record)
    fields = {field.name: str(field.type) for field in dataclasses.fields(cls) if field.init}  # type: ignore[arg-type]
    if values.keys() != fields.keys():
        raise ValueError(f"{cls.__name__} has other fields")
    return cls(**{name: _DECODERS[kind](values[name]) for name, kind in fields.items()})


# --- values of the kinds the knowledge base holds, checked as they are read -------------------


def _lists(by_key: Mapping[Any, Iterable[str]]) -> dict[str, list[str]]:
    return {key: list(texts) for key, texts in by_key.items()}


def _text(value: object) -> str:
    if type(value) is not str:
        raise TypeError("not a text")
    return value


def _flag(value: object) -> bool:
    if type(value) is not bool:
        raise TypeError("not true or false")
    return value


def _list(value: object) -> list[object]:
    if type(value) is not list:
        raise TypeError("not a list")
    return value


def _dict(value: object) -> dict[str, object]:
    if type(value) is not dict:
        raise TypeError("not an object")
    return value


def _texts(value: object) -> tuple[str, ...]:
    return tuple(_text(text) for text in _list(value))


def _texts_by_key(value: object) -> dict[Any, tuple[str, ...]]:
    return {_text(key): _texts(texts) for key, texts in _dict(value).items()}


def _texts_by_lang(value: object) -> dict[Any, tuple[str, ...]]:
    texts = _texts_by_key(value)
    if set(texts) != set(LANGUAGES):
        raise ValueError("not texts for each language")
    return texts


def _localized(value: object) -> dict[Any, str]:
    texts = _dict(value)
    if set(texts) != set(LANGUAGES):
        raise ValueError("not one text per language")
    return {lang: _text(text) for lang, text in texts.items()}
