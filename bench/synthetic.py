"""A synthetic knowledge base 100 times larger, generated deterministically from the real one.

Why: the matcher must stay fast when the guide grows. Each real section becomes `copies`
variants (`{id}-{k}`) whose texts are perturbed (words swapped, replaced by other words of the
knowledge base, a variant tag appended), so the vocabulary and the posting lists grow the way
they would with more, similar content, not as exact duplicates.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable, Mapping, Sequence

from bot.kb import KnowledgeBase
from bot.match import OUT_OF_SCOPE, section_documents

_TOKEN = re.compile(r"[\u3400-\u9fff]|[A-Za-z0-9']+|\s+|[^\sA-Za-z0-9\u3400-\u9fff]")
_HAN = re.compile(r"[\u3400-\u9fff]")
_WORD = re.compile(r"[A-Za-z0-9']+")
REPLACE_SHARE = 0.12  # share of tokens replaced by another token of the same kind
SEED = "albania-sim-bench"


class Perturber:
    """Deterministic text variants: the same (text, key) always gives the same variant."""

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


def kb_corpus(kb: KnowledgeBase) -> list[str]:
    """Every text the knowledge base holds (examples, titles, answers), to draw replacements from."""
    texts = [text for per_lang in kb.examples.values() for texts in per_lang.values() for text in texts]
    texts.extend(text for texts in kb.out_of_scope.values() for text in texts)
    for section in kb.sections:
        texts.extend(section.title.values())
        texts.extend(section.answer.values())
    return texts


def matcher_documents(kb: KnowledgeBase) -> dict[str, list[str]]:
    """The documents build_index() indexes (bot.match.section_documents)."""
    return section_documents(kb)


def scale_documents(
    documents: Mapping[str, Sequence[str]], perturber: Perturber, copies: int
) -> dict[str, list[str]]:
    """`copies` variants of every section's documents; the out-of-scope label as it is.

    Sections become `{id}-{k}`. The out-of-scope label stays one label with its real examples:
    a guide with 100 times the sections does not bring 100 times the off-topic questions, and
    multiplying them would only inflate that one label.
    """
    scaled: dict[str, list[str]] = {}
    for label, texts in documents.items():
        if label == OUT_OF_SCOPE:
            continue
        for k in range(copies):
            scaled[f"{label}-{k}"] = [perturber.variant(text, label, k) for text in texts]
    if OUT_OF_SCOPE in documents:
        scaled[OUT_OF_SCOPE] = list(documents[OUT_OF_SCOPE])
    return scaled
