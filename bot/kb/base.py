"""The knowledge base: one immutable KnowledgeBase, loaded from its YAML files.

Reading and validating the YAML is bot/kb/reading.py (every problem located as `file:line:
field: what`). A start whose files and code are those of an earlier start takes the knowledge
base that start saved instead (bot/kb/saved.py), and then never imports pydantic or PyYAML.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from bot.kb.catalogue import Messages
from bot.kb.conversions import discard_saved_conversions
from bot.kb.problems import KnowledgeBaseError
from bot.text.language import Lang
from bot.text.small_talk import SmallTalkKind
from bot.understanding.cues import OutOfScopeCues
from bot.understanding.synonyms import Synonyms

_PACKAGE_DIR = Path(__file__).resolve().parents[1]  # bot/, two levels above bot/kb/base.py
# The knowledge base that comes with this code. In a source checkout (pyproject.toml next to bot/)
# it is knowledge/ at the top, the one authors edit; an installed wheel carries a copy inside the
# package (pyproject.toml maps knowledge/ to bot/knowledge). Which directory a command actually
# uses, --kb and BOT_KB_DIR included, is decided by bot.config.resolve_kb_dir.
DEFAULT_KB_DIR = (
    _PACKAGE_DIR.parent / "knowledge"
    if (_PACKAGE_DIR.parent / "pyproject.toml").is_file()
    else _PACKAGE_DIR / "knowledge"
)
EXAMPLES_FILE = "examples.yaml"
MESSAGES_FILE = "messages.yaml"
TRADITIONAL_FIXES_FILE = "zh-hant.yaml"
SYNONYMS_FILE = "synonyms.yaml"
NEGATIVES_DIR = "negatives"


Localized = Mapping[Lang, str]


@dataclass(frozen=True)
class Section:
    """One section of the guide, with every text in all three languages."""

    id: str
    step: str
    parent: str | None
    next: str | None
    previous: str | None
    label: Localized  # shown before the title: the section's own label, or derived from its step
    title: Localized
    summary: Localized
    answer: Localized
    related: tuple[str, ...]
    children: tuple[str, ...]
    substeps: tuple[str, ...]  # the children numbered under this step (4 → 4.1 … 4.4): "more detail"
    phrase_card: bool = False  # the Albanian phrase card is offered under it (a shop visit)


@dataclass(frozen=True)
class Phrase:
    """One line of the phrase card a user shows at a shop: the Albanian, and what it means."""

    albanian: str
    meaning: Localized


@dataclass(frozen=True)
class KnowledgeBase:
    """The whole validated knowledge base; build it with load_knowledge_base()."""

    sections: tuple[Section, ...]
    by_id: Mapping[str, Section]
    examples: Mapping[str, Mapping[Lang, tuple[str, ...]]]
    out_of_scope: Mapping[Lang, tuple[str, ...]]
    negatives: Mapping[str, tuple[str, ...]]  # real questions from other assistants, by source file
    small_talk: Mapping[SmallTalkKind, tuple[str, ...]]
    messages: Messages
    phrases: tuple[Phrase, ...]  # the Albanian phrase card, in the order messages.yaml gives
    synonyms: Synonyms
    directory: Path
    # What a decline can say it understood (synonyms.yaml `out_of_scope:`).
    out_of_scope_cues: OutOfScopeCues = field(default_factory=OutOfScopeCues)

    def for_answering(self) -> KnowledgeBase:
        """This knowledge base without the texts only its index is built from (examples, our own
        out-of-scope examples, the negatives): a running bot answers from the index, and 15,000
        example questions held for nothing cost it 1.3 MB with 20,000 people (round 10 of
        issue 16, bench/state_memory.py)."""
        return replace(self, examples={}, out_of_scope={}, negatives={})

    def section(self, section_id: str) -> Section:
        """The section with this id (KeyError if unknown)."""
        return self.by_id[section_id]

    def has_section(self, section_id: str) -> bool:
        """Whether a section with this id exists."""
        return section_id in self.by_id

    @property
    def overview(self) -> Section:
        """The section that shows the whole guide at a glance (step "all"), else the first one."""
        return next((section for section in self.sections if section.step == "all"), self.sections[0])

    def side_paths(self) -> tuple[Section, ...]:
        """Sections that start a chain of their own (a lost card, keeping the number …), in order."""
        return tuple(
            section for section in self.sections if section.previous is None and section is not self.overview
        )

    def sections_with_step(self, step: str) -> tuple[Section, ...]:
        """Sections labelled with this step ("4", "4.1"), in reading order."""
        return tuple(section for section in self.sections if section.step == step)

    def main_steps(self) -> tuple[Section, ...]:
        """The first section of each whole-number step, in order: what /steps lists."""
        seen: dict[str, Section] = {}
        for section in self.sections:
            if section.step.isdigit() and section.step not in seen:
                seen[section.step] = section
        return tuple(seen[step] for step in sorted(seen, key=int))

    def example_count(self) -> int:
        """How many example questions the matcher learns from (out-of-scope ones included)."""
        in_scope = sum(len(texts) for per_lang in self.examples.values() for texts in per_lang.values())
        return in_scope + sum(len(texts) for texts in self.out_of_scope.values())


def load_knowledge_base(directory: Path = DEFAULT_KB_DIR, cache_dir: Path | None = None) -> KnowledgeBase:
    """Read, validate and assemble the knowledge base in `directory`.

    With `cache_dir`, the knowledge base saved there by an earlier load from the very same files
    and code is taken as it is (bot/kb/saved.py), else the YAML is read, reusing the zh-Hant
    conversions saved there (bot/kb/conversions.py), and both are saved for the next start.
    Raises KnowledgeBaseError listing every problem found in every file — found without the
    saved conversions: a derived file that fails validation is discarded, never blamed on the YAML.
    """
    if cache_dir is not None:
        from bot.kb.saved import load_saved_knowledge_base, save_knowledge_base

        saved = load_saved_knowledge_base(directory, cache_dir)
        if saved is not None:
            return saved
    from bot.kb.reading import read_knowledge_base  # pydantic and PyYAML: only now

    try:
        kb = read_knowledge_base(directory, cache_dir)
    except KnowledgeBaseError:
        if cache_dir is None or not discard_saved_conversions(cache_dir):
            raise
        kb = read_knowledge_base(directory, cache_dir)
    if cache_dir is not None:
        save_knowledge_base(kb, cache_dir)
    return kb
