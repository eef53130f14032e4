"""The knowledge base loads, and every kind of broken edit is reported as file:line: field: problem."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.kb.base import DEFAULT_KB_DIR, load_knowledge_base
from bot.kb.checks import REQUIRED_SECTION_IDS
from bot.kb.problems import KnowledgeBaseError, Problem
from bot.kb.yaml_source import MAX_FILE_BYTES

SEED_ADVERTISEMENT_MARKERS = ("esim1088", "t.me/", "TG💪", "postimg", "讨论群组")


@pytest.fixture
def kb_copy(tmp_path: Path) -> Path:
    """A private copy of the real knowledge base that a test may break."""
    target = tmp_path / "knowledge"
    shutil.copytree(DEFAULT_KB_DIR, target)
    return target


def edit(directory: Path, filename: str, change: Callable[[str], str]) -> str:
    """Rewrite one file of a knowledge-base copy; returns the new text."""
    path = directory / filename
    new = change(path.read_text(encoding="utf-8"))
    path.write_text(new, encoding="utf-8")
    return new


def line_of(text: str, fragment: str) -> int:
    """1-based line of the first occurrence of `fragment`."""
    return text[: text.index(fragment)].count("\n") + 1


def problems_of(directory: Path) -> list[Problem]:
    with pytest.raises(KnowledgeBaseError) as caught:
        load_knowledge_base(directory)
    return list(caught.value.problems)


def test_real_knowledge_base_has_every_published_section_in_order() -> None:
    kb = load_knowledge_base()
    ids = [section.id for section in kb.sections]
    assert set(REQUIRED_SECTION_IDS) <= set(ids)
    assert ids[:3] == ["overview", "reasons", "backup"]
    assert kb.section("visit-store").children == (
        "store-documents",
        "store-form",
        "sign-agreement",
        "verify-cancellation",
    )
    assert kb.section("backup").previous == "reasons"


def test_every_section_has_enough_examples_in_both_authored_languages() -> None:
    kb = load_knowledge_base()
    for section in kb.sections:
        assert len(kb.examples[section.id]["zh-Hans"]) >= 8, section.id
        assert len(kb.examples[section.id]["en"]) >= 8, section.id


def test_traditional_chinese_is_derived_with_taiwan_phrasing_and_fixes() -> None:
    kb = load_knowledge_base()
    overview = kb.section("overview")
    assert "註銷" in overview.answer["zh-Hant"]
    assert "登出" not in overview.answer["zh-Hant"]  # s2twp's wrong reading of 注销
    assert overview.answer["zh-Hant"] != overview.answer["zh-Hans"]


def test_no_trace_of_the_seed_advertisement_anywhere_in_the_knowledge_base() -> None:
    for path in DEFAULT_KB_DIR.glob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        for marker in SEED_ADVERTISEMENT_MARKERS:
            assert marker not in text, f"{path.name} contains {marker!r}"


def test_no_orange_albania_presented_as_an_operator() -> None:
    kb = load_knowledge_base()
    operators = kb.section("operators").answer["en"]
    assert "One Albania" in operators
    assert "Vodafone Albania" in operators
    assert 'There is no "Orange Albania"' in operators


# --- broken knowledge bases: one test per kind of mistake -------------------------------------


def test_yaml_syntax_error_names_file_and_line(kb_copy: Path) -> None:
    text = edit(kb_copy, "guide.yaml", lambda t: t.replace('    step: "1"\n', '    step: ["1"\n', 1))
    [problem] = problems_of(kb_copy)
    assert problem.file.endswith("guide.yaml")
    assert "YAML syntax error" in problem.message
    assert abs(problem.line - line_of(text, 'step: ["1"')) <= 2


def test_tab_indentation_is_named(kb_copy: Path) -> None:
    text = edit(kb_copy, "guide.yaml", lambda t: t.replace('    step: "1"', '\tstep: "1"', 1))
    [problem] = problems_of(kb_copy)
    assert problem.line == line_of(text, '\tstep: "1"')
    assert "tab" in problem.message


def test_duplicate_key_is_refused_not_silently_overwritten(kb_copy: Path) -> None:
    text = edit(
        kb_copy, "guide.yaml", lambda t: t.replace('    step: "1"\n', '    step: "1"\n    step: "2"\n', 1)
    )
    [problem] = problems_of(kb_copy)
    assert problem.line == line_of(text, 'step: "2"')
    assert problem.field == "sections[1].step"
    assert "duplicate key" in problem.message


def test_duplicate_section_id(kb_copy: Path) -> None:
    text = edit(kb_copy, "guide.yaml", lambda t: t.replace("  - id: reasons", "  - id: overview", 1))
    problems = problems_of(kb_copy)
    duplicate = next(p for p in problems if "duplicate section id" in p.message)
    assert duplicate.field == "sections[1].id"
    assert duplicate.line == line_of(text, '  - id: overview\n    step: "1"')


def test_id_with_characters_outside_the_allowed_set(kb_copy: Path) -> None:
    edit(kb_copy, "guide.yaml", lambda t: t.replace("  - id: reasons", "  - id: Reasons_1", 1))
    problems = problems_of(kb_copy)
    assert any(p.field == "sections[1].id" and "a-z, 0-9" in p.message for p in problems)


def test_unknown_related_id(kb_copy: Path) -> None:
    text = edit(
        kb_copy,
        "guide.yaml",
        lambda t: t.replace("related: [backup, contact-support", "related: [backup, contact-suport", 1),
    )
    [problem] = problems_of(kb_copy)
    assert problem.field == "sections[1].related[1]"
    assert "contact-suport" in problem.message
    assert problem.line == line_of(text, "contact-suport")


def test_unknown_parent_id(kb_copy: Path) -> None:
    edit(
        kb_copy,
        "guide.yaml",
        lambda t: t.replace(
            "    parent: overview\n    next: backup", "    parent: nowhere\n    next: backup", 1
        ),
    )
    [problem] = problems_of(kb_copy)
    assert problem.field == "sections[1].parent"
    assert "nowhere" in problem.message


def test_cycle_in_the_reading_order(kb_copy: Path) -> None:
    edit(kb_copy, "guide.yaml", lambda t: t.replace("    next: unbind-services", "    next: reasons", 1))
    problems = problems_of(kb_copy)
    assert any("cycle" in p.message and "reasons → backup → reasons" in p.message for p in problems), problems


def test_cycle_in_parents(kb_copy: Path) -> None:
    edit(kb_copy, "guide.yaml", lambda t: t.replace("    parent: null", "    parent: reasons", 1))
    problems = problems_of(kb_copy)
    assert any(p.field.endswith(".parent") and "cycle" in p.message for p in problems), problems


def test_missing_language(kb_copy: Path) -> None:
    edit(kb_copy, "guide.yaml", lambda t: t.replace('      en: "Why are you cancelling?"\n', "", 1))
    [problem] = problems_of(kb_copy)
    assert problem.field == "sections[1].title.en"
    assert problem.message == "missing"


def test_empty_answer(kb_copy: Path) -> None:
    def empty_answer(text: str) -> str:
        start = text.index("  - id: reasons")
        answer = text.index("      zh-Hans: |", text.index("    answer:", start))
        end = text.index("      en: |", answer)
        return text[:answer] + '      zh-Hans: "   "\n' + text[end:]

    edit(kb_copy, "guide.yaml", empty_answer)
    [problem] = problems_of(kb_copy)
    assert problem.field == "sections[1].answer.zh-Hans"
    assert problem.message == "must not be empty"


def test_wrong_type(kb_copy: Path) -> None:
    edit(kb_copy, "guide.yaml", lambda t: t.replace('    step: "1"', "    step: 1", 1))
    [problem] = problems_of(kb_copy)
    assert problem.field == "sections[1].step"
    assert "must be text" in problem.message


def test_unknown_field(kb_copy: Path) -> None:
    text = edit(
        kb_copy, "guide.yaml", lambda t: t.replace('    step: "1"\n', '    step: "1"\n    colour: blue\n', 1)
    )
    [problem] = problems_of(kb_copy)
    assert problem.field == "sections[1].colour"
    assert problem.message == "unknown field"
    assert problem.line == line_of(text, "colour: blue")


def test_python_object_tag_is_refused(kb_copy: Path) -> None:
    text = edit(
        kb_copy,
        "guide.yaml",
        lambda t: t.replace('    step: "1"', '    step: !!python/object/apply:os.system ["echo pwned"]', 1),
    )
    [problem] = problems_of(kb_copy)
    assert "not allowed" in problem.message
    assert problem.line == line_of(text, "!!python/object")


def test_file_that_is_not_utf8(kb_copy: Path) -> None:
    path = kb_copy / "messages.yaml"
    raw = path.read_bytes()
    position = raw.index("你好".encode())
    path.write_bytes(raw[:position] + "你好".encode("gbk") + raw[position + len("你好".encode()) :])
    [problem] = problems_of(kb_copy)
    assert problem.file.endswith("messages.yaml")
    assert "UTF-8" in problem.message
    assert problem.line == raw[:position].count(b"\n") + 1


def test_missing_file(kb_copy: Path) -> None:
    (kb_copy / "examples.yaml").unlink()
    [problem] = problems_of(kb_copy)
    assert problem.file.endswith("examples.yaml")
    assert problem.message == "file is missing"


def test_file_over_the_size_limit(kb_copy: Path) -> None:
    path = kb_copy / "examples.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "#" * MAX_FILE_BYTES, encoding="utf-8")
    [problem] = problems_of(kb_copy)
    assert "limit" in problem.message


def test_alias_bomb_is_stopped(kb_copy: Path) -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
        f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
        for i in range(8)
    )
    (kb_copy / "zh-hant.yaml").write_text(bomb, encoding="utf-8")
    problems = problems_of(kb_copy)
    assert any("too large" in p.message for p in problems)


def test_missing_required_section(kb_copy: Path) -> None:
    def drop_let_it_lapse(text: str) -> str:
        return text[: text.index("  - id: let-it-lapse")]

    edit(kb_copy, "guide.yaml", drop_let_it_lapse)
    problems = problems_of(kb_copy)
    assert any("'let-it-lapse' is missing" in p.message for p in problems)


def test_two_sections_claiming_the_same_next(kb_copy: Path) -> None:
    edit(
        kb_copy,
        "guide.yaml",
        lambda t: t.replace("    next: unbind-services", "    next: contact-support", 1),
    )
    problems = problems_of(kb_copy)
    assert any("already follows" in p.message for p in problems)


def test_examples_for_an_unknown_section_and_too_few_examples(kb_copy: Path) -> None:
    edit(kb_copy, "examples.yaml", lambda t: t.replace("  overview:\n", "  overveiw:\n", 1))
    problems = problems_of(kb_copy)
    assert any(p.field == "examples.overveiw" and "no section" in p.message for p in problems)
    assert any("'overview' has no example questions" in p.message for p in problems)


def test_message_placeholders_must_match_across_languages(kb_copy: Path) -> None:
    edit(kb_copy, "messages.yaml", lambda t: t.replace("en: Step {step}", "en: Step", 1))
    [problem] = problems_of(kb_copy)
    assert problem.field == "messages.step_label.en"
    assert problem.message == "placeholders [] differ from zh-Hans ['step']"


def test_missing_message_key(kb_copy: Path) -> None:
    edit(kb_copy, "messages.yaml", lambda t: t.replace("  welcome:\n", "  welcom:\n", 1))
    problems = problems_of(kb_copy)
    assert any("'welcome' is missing" in p.message for p in problems)


def test_every_problem_is_reported_in_one_pass(kb_copy: Path) -> None:
    edit(
        kb_copy,
        "guide.yaml",
        lambda t: t.replace('    step: "1"', "    step: 1", 1).replace("    title:", "    titel:", 1),
    )
    edit(kb_copy, "messages.yaml", lambda t: t.replace("  welcome:\n", "  welcom:\n", 1))
    problems = problems_of(kb_copy)
    assert {p.file.rsplit("/", 1)[-1] for p in problems} == {"guide.yaml", "messages.yaml"}
    assert len(problems) >= 4  # wrong type, unknown field, missing title, missing message


def test_problem_renders_as_file_line_field_message() -> None:
    problem = Problem("knowledge/guide.yaml", 118, "sections[7].answer.en", "missing")
    assert str(problem) == "knowledge/guide.yaml:118: sections[7].answer.en: missing"


# --- labels, summaries and the phrase card ------------------------------------------------------


def test_a_section_label_replaces_the_step_label_and_is_converted_to_traditional() -> None:
    kb = load_knowledge_base()
    assert kb.section("lost-card").label == {"zh-Hans": "支线", "zh-Hant": "支線", "en": "Side path"}
    assert kb.section("contact-support").label == {"zh-Hans": "第 3 步", "zh-Hant": "第 3 步", "en": "Step 3"}
    assert kb.section("overview").label["en"] == kb.messages.get("step_label_all", "en")
    assert kb.section("let-it-lapse").label["en"] == kb.messages.get("step_label_extra", "en")


def test_every_section_has_a_summary_in_all_three_languages() -> None:
    kb = load_knowledge_base()
    for section in kb.sections:
        assert all(section.summary[lang] for lang in ("zh-Hans", "zh-Hant", "en")), section.id


def test_two_sections_sharing_a_label_are_reported_at_the_later_one(kb_copy: Path) -> None:
    def drop_operators_label(text: str) -> str:
        start = text.index("  - id: operators")
        label = text.index("    label:\n", start)
        return text[:label] + text[text.index("    parent:", label) :]

    text = edit(kb_copy, "guide.yaml", drop_operators_label)
    [problem] = problems_of(kb_copy)
    assert problem.field.endswith(".step")
    assert problem.line == line_of(text, '  - id: operators\n    step: "3"') + 1
    assert "'contact-support'" in problem.message
    assert "en 'Step 3'" in problem.message
    assert "zh-Hans '第 3 步'" in problem.message


def test_an_authored_label_that_clashes_is_reported_at_its_label(kb_copy: Path) -> None:
    text = edit(kb_copy, "guide.yaml", lambda t: t.replace('en: "Alternative"', 'en: "Side path"', 1))
    [problem] = problems_of(kb_copy)
    assert problem.field.endswith(".label")
    assert problem.line == line_of(text, "      zh-Hans: 另一种选择") - 1
    assert "en 'Side path'" in problem.message
    assert "'lost-card'" in problem.message


def test_a_title_too_long_for_a_button_is_reported_with_its_limit(kb_copy: Path) -> None:
    long_title = "Why exactly are you cancelling this card?"
    text = edit(kb_copy, "guide.yaml", lambda t: t.replace("Why are you cancelling?", long_title, 1))
    [problem] = problems_of(kb_copy)
    assert problem.field == "sections[1].title.en"
    assert problem.line == line_of(text, long_title)
    assert problem.message == f"{len(long_title)} characters, at most 32 fit"


def test_a_chinese_summary_over_thirty_characters_is_reported_in_both_scripts(kb_copy: Path) -> None:
    edit(
        kb_copy,
        "guide.yaml",
        lambda t: t.replace("zh-Hans: 注销前把卡上的联系人和短信存好", "zh-Hans: " + "备份" * 16, 1),
    )
    problems = problems_of(kb_copy)
    assert {p.field for p in problems} == {"sections[2].summary.zh-Hans", "sections[2].summary.zh-Hant"}
    assert all("at most 30 fit" in p.message for p in problems)


def test_a_missing_summary_is_named(kb_copy: Path) -> None:
    def drop_reasons_summary(text: str) -> str:
        start = text.index("    summary:", text.index("  - id: reasons"))
        return text[:start] + text[text.index("    answer:", start) :]

    edit(kb_copy, "guide.yaml", drop_reasons_summary)
    [problem] = problems_of(kb_copy)
    assert problem.field == "sections[1].summary"
    assert problem.message == "missing"


def test_phrases_keep_their_order_and_derive_traditional_chinese() -> None:
    kb = load_knowledge_base()
    assert kb.phrases[0].albanian == "Mirëdita!"
    close = kb.phrases[1]
    assert close.albanian == "Dua ta mbyll përfundimisht këtë numër, ju lutem."
    assert close.meaning["zh-Hans"] == "我想彻底注销这个号码，谢谢。"
    assert close.meaning["zh-Hant"] == "我想徹底註銷這個號碼，謝謝。"
    assert close.meaning["en"] == "I would like to close this number for good, please."
    assert kb.phrases[-1].albanian == "Faleminderit!"


def test_a_phrase_without_its_albanian_is_named(kb_copy: Path) -> None:
    without_albanian = "  - sq: Faleminderit!\n    zh-Hans"
    text = edit(kb_copy, "messages.yaml", lambda t: t.replace(without_albanian, "  - zh-Hans", 1))
    [problem] = problems_of(kb_copy)
    assert problem.file.endswith("messages.yaml")
    assert problem.field.startswith("phrases[")
    assert problem.field.endswith("].sq")
    assert problem.message == "missing"
    assert problem.line == line_of(text, "  - zh-Hans: 谢谢！")


def test_a_catalogue_without_phrases_is_refused(kb_copy: Path) -> None:
    edit(kb_copy, "messages.yaml", lambda t: t[: t.index("\nphrases:")] + "\nphrases: []\n")
    [problem] = problems_of(kb_copy)
    assert problem.field == "phrases"
    assert "at least 1" in problem.message
