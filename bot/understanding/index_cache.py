"""The built index, kept on disk between starts: the same index in a tenth of the time.

Building the index (bot/understanding/match.py) is most of a start: every example, negative and answer is
normalised and counted, about 0.3 s and a memory peak of its own, for a result that only
changes when the knowledge base or the code does. So the index is saved as JSON next to a key,
and a start whose key matches loads it instead.

The key is a SHA-256 of everything the index is made from: the texts it indexes (after the
knowledge base derived its zh-Hant texts), the synonyms, the settings, the bot's own source
files and the OpenCC version (normalisation converts with it). Any change, even a comment in
the code, builds afresh; a stale index cannot be loaded.

JSON, not pickle: loading a file runs no code, so a cache directory another user can write to
cannot make the bot execute anything. A file that is unreadable, malformed or from another
version is ignored and replaced; a directory that cannot be written only costs the speed-up.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
from pathlib import Path

from bot.kb.base import KnowledgeBase
from bot.storage.cache_files import code_digest, read_saved, write_json
from bot.text.chinese import opencc_version
from bot.understanding.match import MatchSettings, SectionIndex, build_index, section_documents, topic_texts

CACHE_FILE = "index.json"
# Bumped when SectionIndex.to_state changes shape (3: packed columns; 4: the topic model;
# 5: neighbours; 6: exact examples as digests).
FORMAT = 6
logger = logging.getLogger("bot.understanding.index_cache")


def cached_index(kb: KnowledgeBase, settings: MatchSettings, cache_dir: Path | None) -> SectionIndex:
    """The index of `kb`: loaded from `cache_dir` when it holds this very index, else built
    (and saved there for the next start). With no cache_dir, simply built."""
    if cache_dir is None:
        return build_index(kb, settings)
    key = index_key(kb, settings)
    path = cache_dir / CACHE_FILE
    loaded = load_saved_index(path, key, kb, settings)
    if loaded is not None:
        return loaded
    index = build_index(kb, settings)
    _save(path, key, index)
    return index


def index_key(kb: KnowledgeBase, settings: MatchSettings) -> str:
    """What the index is made of, hashed (see the module docstring)."""
    digest = hashlib.sha256()
    inputs = [
        FORMAT,
        section_documents(kb),
        topic_texts(kb),
        kb.synonyms.groups,
        kb.synonyms.topic,
        dataclasses.asdict(settings),
        code_digest(),
        opencc_version(),
    ]
    digest.update(json.dumps(inputs, ensure_ascii=False).encode())
    return digest.hexdigest()


def load_saved_index(path: Path, key: str, kb: KnowledgeBase, settings: MatchSettings) -> SectionIndex | None:
    """The index saved at `path` if it was saved under `key` and reads back whole, else None."""
    saved = read_saved(path, FORMAT)
    if saved is None or saved.get("key") != key:
        return None
    try:
        state = saved["state"]
        if not isinstance(state, dict):
            raise TypeError("the saved state is not an object")
        return SectionIndex.from_state(state, kb.synonyms, settings)
    except (
        ValueError,
        KeyError,
        TypeError,
        IndexError,
        AttributeError,
        RecursionError,
        OverflowError,
    ) as exc:
        logger.info("the saved index in %s is not usable (%s); building it afresh", path, type(exc).__name__)
        return None


def _save(path: Path, key: str, index: SectionIndex) -> None:
    try:
        write_json(path, {"format": FORMAT, "key": key, "state": index.to_state()})
    except OSError as exc:
        logger.info(
            "the index could not be saved in %s (%s); the next start builds it again", path.parent, exc
        )
