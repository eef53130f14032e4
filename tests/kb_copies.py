"""A small copy of the real knowledge base, for tests of mechanics that any index shows.

Rounds 6 and 7 of issue 16 took the examples to 9,000 and the index build to 1.4 s; a test that
starts a fresh `python -m bot` process with an empty cache pays that at every start. The copy
keeps every file but the examples (eight a section and language) and the negatives (fifty lines
a source), so it builds in a tenth of the time and answers "第四步" and the core question alike.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from bot.kb.base import DEFAULT_KB_DIR, EXAMPLES_FILE, NEGATIVES_DIR

EXAMPLES_KEPT = 8
NEGATIVE_LINES_KEPT = 50


def small_knowledge_copy(target: Path) -> Path:
    """Copy the knowledge base to `target` with few examples and negatives; returns `target`."""
    shutil.copytree(DEFAULT_KB_DIR, target)
    examples_path = target / EXAMPLES_FILE
    document = yaml.safe_load(examples_path.read_text(encoding="utf-8"))
    document["examples"] = {
        section: {lang: texts[:EXAMPLES_KEPT] for lang, texts in by_lang.items()}
        for section, by_lang in document["examples"].items()
    }
    examples_path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")
    for source in (target / NEGATIVES_DIR).glob("*.txt"):
        lines = [line for line in source.read_text(encoding="utf-8").splitlines() if line.strip()]
        kept = [line for line in lines if not line.startswith("#")][:NEGATIVE_LINES_KEPT]
        source.write_text("\n".join(kept) + "\n", encoding="utf-8")
    return target
