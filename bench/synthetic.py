"""A synthetic knowledge base 100 times larger, generated deterministically from the real one.

Why: the matcher must stay fast when the guide grows. Each real section becomes `copies`
variants (`{id}-{k}`) whose texts (examples and titles, and the titles and answers that make up
our topic's vocabulary) are perturbed — words swapped, replaced by other words of the knowledge
base, a variant tag appended — so the vocabulary and the posting lists grow the way they would
with more, similar content, not as exact duplicates.

The label scheme is the real one (bot.understanding.match.section_documents): sections plus the negative
labels (the hand-written out-of-scope examples and one label per file of knowledge/negatives/).
The negative labels are kept as they are, once: a guide with 100 times the sections does not
bring 100 times the off-topic questions, and the matcher must decline the same text at both
sizes, so both sizes carry the same negatives.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from bot.kb.base import KnowledgeBase
from bot.understanding.match import is_section, section_documents

_TOKEN = re.compile(r"[\u3400-\u9fff]|[A-Za-z0-9']+|\s+|[^\sA-Za-z0-9\u3400-\u9fff]")
_HAN = re.compile(r"[\u3400-\u9fff]")
_WORD = re.compile(r"[A-Za-z0-9']+")
REPLACE_SHARE = 0.12  # share of tokens replaced by another token of the same kind
SEED = "albania-sim-bench"


class Perturber:
    """Deterministic text variants: the same (text, key, k) always gives the same variant."""

    def __init__(self, corpus: Iterable[str]) -> None:
        han: set[str] = set()
        words: set[str] = set()
        for text in corpus:
            for token in _TOKEN.findall(text):
                if _HAN.fullmatch(token):
                    han.add(token)
                elif _WORD.fullmatch(token):
                    words.add(token)
        self._han = sorted(han)
        self._words = sorted(words)

    def variant(self, text: str, key: str, k: int) -> str:
        """Variant `k` of `text`; variant 0 is the text itself."""
        if k == 0:
            return text
        rng = random.Random(f"{SEED}|{key}|{k}|{text}")
        tokens = _TOKEN.findall(text)
        for position, token in enumerate(tokens):
            if rng.random() >= REPLACE_SHARE:
                continue
            if _HAN.fullmatch(token) and self._han:
                tokens[position] = rng.choice(self._han)
            elif _WORD.fullmatch(token) and self._words:
                tokens[position] = rng.choice(self._words)
        if len(tokens) >= 6:  # swap one adjacent pair: word order changes, terms mostly stay
            position = rng.randrange(len(tokens) - 1)
            tokens[position], tokens[position + 1] = tokens[position + 1], tokens[position]
        return "".join(tokens) + f" v{k}"


@dataclass(frozen=True)
class IndexInput:
    """What a SectionIndex is built from: the labels' documents and our topic's own texts."""

    documents: dict[str, list[str]]
    topic: dict[str, list[str]]  # per section: its titles and answers (bot.understanding.match.topic_texts)

    @property
    def topic_texts(self) -> list[str]:
        """The topic texts as SectionIndex takes them."""
        return [text for texts in self.topic.values() for text in texts]

    @property
    def text_count(self) -> int:
        """Texts indexed: every label's documents plus the topic texts."""
        return sum(len(texts) for texts in self.documents.values()) + len(self.topic_texts)


def real_input(kb: KnowledgeBase) -> IndexInput:
    """What bot.understanding.match.build_index indexes for the real knowledge base."""
    topic = {section.id: [*section.title.values(), *section.answer.values()] for section in kb.sections}
    return IndexInput(section_documents(kb), topic)


def kb_corpus(kb: KnowledgeBase) -> list[str]:
    """Every text the knowledge base holds for our topic, to draw replacement words from."""
    texts = [text for per_lang in kb.examples.values() for texts in per_lang.values() for text in texts]
    for section in kb.sections:
        texts.extend(section.title.values())
        texts.extend(section.answer.values())
    return texts


def scale_input(real: IndexInput, perturber: Perturber, copies: int) -> IndexInput:
    """`copies` variants of every section (documents and topic texts); negative labels once."""
    documents: dict[str, list[str]] = {}
    for label, texts in real.documents.items():
        if is_section(label):
            documents.update(_variants(label, texts, perturber, copies))
    documents.update((label, list(texts)) for label, texts in real.documents.items() if not is_section(label))
    topic: dict[str, list[str]] = {}
    for section_id, texts in real.topic.items():
        topic.update(_variants(section_id, texts, perturber, copies))
    return IndexInput(documents, topic)


def scale_documents(
    documents: Mapping[str, Sequence[str]], perturber: Perturber, copies: int
) -> dict[str, list[str]]:
    """`copies` variants of every document set (the BM25 baseline's sections)."""
    scaled: dict[str, list[str]] = {}
    for label, texts in documents.items():
        scaled.update(_variants(label, texts, perturber, copies))
    return scaled


def _variants(label: str, texts: Sequence[str], perturber: Perturber, copies: int) -> dict[str, list[str]]:
    return {f"{label}-{k}": [perturber.variant(text, label, k) for text in texts] for k in range(copies)}
