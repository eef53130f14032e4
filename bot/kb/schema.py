"""The shape of each knowledge-base file, as pydantic models (authors' errors come from here)."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from bot.text.small_talk import SmallTalkKind

# A title is the bold heading of every answer, a button label, an inline result's title and a
# line of /steps. 80 characters is two lines on a phone; the longest real title has 50. (An
# unbounded one broke the answer: the heading is one <b> line, cut wherever it passes 4,096.)
MAX_TITLE_CHARS = 80
# Step labels are "4", "4.1", "1-4", "all": shown inside headings (第 4.1 步 · …).
MAX_STEP_CHARS = 8


def _one_line(text: str) -> str:
    """Headings are single lines: a line break could split the <b> tag across two messages."""
    if "\n" in text or "\r" in text:
        raise ValueError("must be one line")
    return text


Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
TitleText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_TITLE_CHARS),
    AfterValidator(_one_line),
]
StepLabel = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_STEP_CHARS),
    AfterValidator(_one_line),
]
SectionId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9-]+$", max_length=48)]
MIN_EXAMPLES_PER_LANGUAGE = 8


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True, strict=True)


class LocalizedText(_Strict):
    """A text written in simplified Chinese and English; traditional Chinese is optional."""

    zh_hans: Text = Field(alias="zh-Hans")
    en: Text
    zh_hant: Text | None = Field(default=None, alias="zh-Hant")


class LocalizedTitle(LocalizedText):
    """A section title: one short line in every language."""

    zh_hans: TitleText = Field(alias="zh-Hans")
    en: TitleText
    zh_hant: TitleText | None = Field(default=None, alias="zh-Hant")


class SectionSpec(_Strict):
    """One section of the guide as authored in guide.yaml."""

    id: SectionId
    step: StepLabel
    parent: SectionId | None = None
    next: SectionId | None = None
    title: LocalizedTitle
    summary: LocalizedText  # one line, shown beside the section's button when a step is opened up
    answer: LocalizedText
    related: list[SectionId] = Field(default_factory=list)
    # What users see before the title instead of the label derived from `step` ("第 3 步补充"):
    # for sections that are not a numbered step of their own, so that no two labels read alike.
    label: LocalizedText | None = None
    phrase_card: bool = False  # offer the Albanian phrase card under this section (a shop visit)


class GuideFile(_Strict):
    """guide.yaml: the sections in reading order."""

    sections: list[SectionSpec] = Field(min_length=1)


class ExampleSet(_Strict):
    """Example questions in each language (zh-Hant optional: it is matched after conversion)."""

    zh_hans: list[Text] = Field(alias="zh-Hans", min_length=MIN_EXAMPLES_PER_LANGUAGE)
    en: list[Text] = Field(min_length=MIN_EXAMPLES_PER_LANGUAGE)
    zh_hant: list[Text] = Field(default_factory=list, alias="zh-Hant")


class SmallTalkSet(_Strict):
    """Phrases of one kind of small talk in each language (zh-Hant optional, as for examples)."""

    zh_hans: list[Text] = Field(alias="zh-Hans", min_length=1)
    en: list[Text] = Field(min_length=1)
    zh_hant: list[Text] = Field(default_factory=list, alias="zh-Hant")


class ExamplesFile(_Strict):
    """examples.yaml: questions per section id, questions the bot must decline, small talk."""

    examples: dict[SectionId, ExampleSet]
    out_of_scope: ExampleSet
    small_talk: dict[Annotated[SmallTalkKind, Field(strict=False)], SmallTalkSet] = Field(
        default_factory=dict
    )


class PhraseSpec(LocalizedText):
    """One sentence of the phrase card a user shows at a shop: the Albanian, and what it means."""

    sq: Text


class MessagesFile(_Strict):
    """messages.yaml: the catalogue of fixed sentences, by key, and the Albanian phrase card."""

    messages: dict[Annotated[str, StringConstraints(pattern=r"^[a-z0-9_]+$")], LocalizedText]
    phrases: list[PhraseSpec] = Field(min_length=1)


class TraditionalFixesFile(_Strict):
    """zh-hant.yaml: words to replace after automatic conversion (e.g. 登出 → 註銷)."""

    replacements: dict[Text, Text] = Field(default_factory=dict)


class OutOfScopeCuesFile(_Strict):
    """synonyms.yaml `out_of_scope:`: word lists that give a decline its reason (issue 16)."""

    elsewhere: list[Text] = Field(default_factory=list)
    places: list[Text] = Field(default_factory=list)
    place_cards: list[Text] = Field(default_factory=list)
    albania: list[Text] = Field(default_factory=list)
    not_covered: list[Text] = Field(default_factory=list)
    topping_up_to_keep: list[Text] = Field(default_factory=list)
    other_account: list[Text] = Field(default_factory=list)
    cancelling: list[Text] = Field(default_factory=list)
    linking: list[Text] = Field(default_factory=list)


class SynonymsFile(_Strict):
    """synonyms.yaml: groups of words the matcher treats as one (the first word of each)."""

    groups: list[Annotated[list[Text], Field(min_length=2)]] = Field(default_factory=list)
    # Words that by themselves show a question is about our topic (SIM, 保号卡, Vodafone …):
    # a question with one of them is not declined for using words our examples do not.
    topic: list[Text] = Field(default_factory=list)
    # Words that say what an out-of-scope message is about (bot/understanding/cues.py).
    out_of_scope: OutOfScopeCuesFile = Field(default_factory=lambda: OutOfScopeCuesFile())
