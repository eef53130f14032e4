"""`check` names file:line for every edit that used to pass and then crash or hang the bot.

Broken catalogue placeholders, nesting deep enough to overflow the parser, over-long titles,
and files that are not files (a named pipe, a link to /dev/zero). `check` runs in this process,
as `python -m bot check DIR` runs it, under a deadline so a hang fails instead of stalling.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.cli import EXIT_FINDINGS, main
from bot.kb.base import DEFAULT_KB_DIR, load_knowledge_base
from bot.kb.catalogue import (
    MESSAGE_MAX_CHARS,
    MESSAGE_PLACEHOLDERS,
    REQUIRED_MESSAGE_KEYS,
    Messages,
    placeholders,
    template_problems,
)
from bot.kb.schema import MAX_STEP_CHARS, MAX_TITLE_CHARS
from bot.kb.yaml_source import MAX_NESTING_DEPTH
from bot.text.language import LANGUAGES

CHECK_DEADLINE_SECONDS = 30


@dataclass(frozen=True)
class CheckResult:
    code: int
    stdout: str
    stderr: str


def run_check(directory: Path) -> CheckResult:
    """`python -m bot check DIRECTORY`, in this process; fails (not hangs) past the deadline."""
    out, err = io.StringIO(), io.StringIO()
    outcome: list[int | BaseException] = []

    def run() -> None:
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                outcome.append(main(["check", str(directory)]))
        except BaseException as exc:  # handed to the test's thread below
            outcome.append(exc)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(CHECK_DEADLINE_SECONDS)
    assert not worker.is_alive(), f"check did not finish in {CHECK_DEADLINE_SECONDS} s"
    [result] = outcome
    if isinstance(result, BaseException):
        raise result
    return CheckResult(result, out.getvalue(), err.getvalue())


@pytest.fixture
def kb_copy(tmp_path: Path) -> Path:
    """A private copy of the real knowledge base that a test may break."""
    target = tmp_path / "knowledge"
    shutil.copytree(DEFAULT_KB_DIR, target)
    return target


def replace_once(path: Path, old: str, new: str) -> str:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {path.name}"
    changed = text.replace(old, new, 1)
    path.write_text(changed, encoding="utf-8")
    return changed


def line_of(text: str, fragment: str) -> int:
    return text[: text.index(fragment)].count("\n") + 1


def assert_reported(result: CheckResult, expected: str) -> None:
    """Exit 1, the expected `file:line: field: problem` line, and no traceback."""
    assert result.code == EXIT_FINDINGS, result.stdout
    assert expected in result.stderr.splitlines(), result.stderr
    assert "Traceback" not in result.stderr


def test_the_real_knowledge_base_passes_every_new_check() -> None:
    result = run_check(DEFAULT_KB_DIR)
    assert result.code == 0, result.stderr
    assert result.stdout.startswith("ok: ")


# --- message placeholders ------------------------------------------------------------------


def test_an_unknown_placeholder_is_named_with_file_line_key_and_language(kb_copy: Path) -> None:
    messages = kb_copy / "messages.yaml"
    text = replace_once(messages, "en: More detail", "en: More detail about {x}")
    assert_reported(
        run_check(kb_copy),
        f"{messages}:{line_of(text, 'More detail about')}: messages.btn_more.en: "
        "unknown placeholder {x}; this message can use none (write {{ and }} for a literal brace)",
    )


def test_a_misspelt_placeholder_names_the_ones_the_message_can_use(kb_copy: Path) -> None:
    messages = kb_copy / "messages.yaml"
    text = replace_once(messages, "en: Step {step}", "en: Step {stpe}")
    assert_reported(
        run_check(kb_copy),
        f"{messages}:{line_of(text, '{stpe}')}: messages.step_label.en: "
        "unknown placeholder {stpe}; this message can use {step}",
    )


def test_an_empty_placeholder_is_named(kb_copy: Path) -> None:
    messages = kb_copy / "messages.yaml"
    text = replace_once(messages, "zh-Hans: 第 {step} 步", "zh-Hans: 第 {} 步")
    assert_reported(
        run_check(kb_copy),
        f"{messages}:{line_of(text, '第 {} 步')}: messages.step_label.zh-Hans: "
        "empty placeholder {}; write {{ and }} for a literal brace",
    )


def test_a_lone_brace_is_named(kb_copy: Path) -> None:
    messages = kb_copy / "messages.yaml"
    text = replace_once(
        messages, 'en: "Knowledge base reloaded: {sections} sections."', 'en: "Reloaded: {sections sections."'
    )
    assert_reported(
        run_check(kb_copy),
        f"{messages}:{line_of(text, 'Reloaded: {sections sections')}: messages.reload_ok.en: "
        "malformed placeholder (expected '}' before end of string); write {{ and }} for a literal brace",
    )


def test_a_placeholder_with_an_attribute_is_refused(kb_copy: Path) -> None:
    messages = kb_copy / "messages.yaml"
    text = replace_once(messages, "en: Step {step}", "en: Step {step.real}")
    assert_reported(
        run_check(kb_copy),
        f"{messages}:{line_of(text, '{step.real}')}: messages.step_label.en: "
        "placeholder {step.real} must be a plain name like {step}",
    )


@pytest.mark.parametrize(
    ("template", "problem"),
    [
        ("Step {step:>4}", "placeholder {step:>4} must be a plain name like {step}"),
        ("Step {step!r}", "placeholder {step!r} must be a plain name like {step}"),
        ("Step {0}", "placeholder {0} must be a plain name like {step}"),
        ("Step {step[0]}", "placeholder {step[0]} must be a plain name like {step}"),
        (
            "Step } {step}",
            "malformed placeholder (Single '}' encountered in format string); "
            "write {{ and }} for a literal brace",
        ),
    ],
)
def test_only_plain_named_placeholders_are_allowed(template: str, problem: str) -> None:
    assert template_problems(template, frozenset({"step"})) == [problem]


def test_literal_braces_written_twice_are_fine() -> None:
    assert template_problems("{{step}} means {step}", frozenset({"step"})) == []
    messages = Messages({"step_label": dict.fromkeys(LANGUAGES, "{{step}} means {step}")})
    assert messages.get("step_label", "en", step="4") == "{step} means 4"


def test_a_converted_traditional_text_is_checked_too(kb_copy: Path) -> None:
    # A correction that adds a brace breaks only the zh-Hant text derived from zh-Hans.
    replace_once(
        kb_copy / "zh-hant.yaml", "replacements:\n", 'replacements:\n  "第 {step} 步": "第 {step} 步 {"\n'
    )
    result = run_check(kb_copy)
    messages = kb_copy / "messages.yaml"
    step_label_line = line_of(messages.read_text(encoding="utf-8"), "  step_label:")
    assert_reported(
        result,
        f"{messages}:{step_label_line}: messages.step_label.zh-Hant: malformed placeholder "
        "(Single '{' encountered in format string); write {{ and }} for a literal brace"
        " (converted from zh-Hans)",
    )


def test_a_button_notice_over_telegrams_limit_is_too_long(kb_copy: Path) -> None:
    messages = kb_copy / "messages.yaml"
    long_notice = "This button is out of date. " * 10
    text = replace_once(
        messages, "en: This button is out of date. Send /steps to start again.", f"en: {long_notice.strip()}"
    )
    limit = MESSAGE_MAX_CHARS["stale_button"]
    assert_reported(
        run_check(kb_copy),
        f"{messages}:{line_of(text, long_notice.strip())}: messages.stale_button.en: "
        f"is too long ({len(long_notice.strip())} characters, at most {limit})",
    )


def test_the_placeholder_table_names_only_keys_the_code_uses() -> None:
    assert set(MESSAGE_PLACEHOLDERS) <= set(REQUIRED_MESSAGE_KEYS)
    assert set(MESSAGE_MAX_CHARS) <= set(REQUIRED_MESSAGE_KEYS)


def test_every_real_message_uses_exactly_the_placeholders_its_key_declares() -> None:
    kb = load_knowledge_base()
    for key, texts in kb.messages.texts.items():
        for lang in LANGUAGES:
            assert placeholders(texts[lang]) == MESSAGE_PLACEHOLDERS.get(key, frozenset()), (key, lang)


def test_a_caller_that_forgets_a_value_gets_the_placeholder_shown_not_an_error() -> None:
    messages = Messages({"step_label": dict.fromkeys(LANGUAGES, "Step {step}")})
    assert messages.get("step_label", "en") == "Step {step}"
    assert messages.get("step_label", "en", step="4.1") == "Step 4.1"


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="{}!:.[]0 stepx", max_size=16))
def test_messages_get_never_raises_on_a_template_that_passed_the_check(template: str) -> None:
    allowed = frozenset({"step"})
    if template_problems(template, allowed):
        return
    messages = Messages({"step_label": dict.fromkeys(LANGUAGES, template)})
    for lang in LANGUAGES:
        messages.get("step_label", lang, step="4.1")
        messages.get("step_label", lang)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="{}!:.[]0 stepx", max_size=16))
def test_a_template_that_cannot_be_filled_is_always_reported(template: str) -> None:
    try:
        template.format(step="4.1")
    except (KeyError, IndexError, ValueError, AttributeError):
        assert template_problems(template, frozenset({"step"}))


# --- nesting ---------------------------------------------------------------------------------


def test_a_five_thousand_deep_list_is_one_clear_problem_not_a_traceback(kb_copy: Path) -> None:
    synonyms = kb_copy / "synonyms.yaml"
    text = synonyms.read_text(encoding="utf-8") + "deep: " + "[" * 5000 + "]" * 5000 + "\n"
    synonyms.write_text(text, encoding="utf-8")
    result = run_check(kb_copy)
    assert_reported(
        result,
        f"{synonyms}:{line_of(text, 'deep: ')}: lists and mappings nested more than {MAX_NESTING_DEPTH} deep",
    )
    assert len(result.stderr.splitlines()) == 2  # the heading and that one line


def test_nesting_built_from_aliases_is_capped_too(kb_copy: Path) -> None:
    fixes = kb_copy / "zh-hant.yaml"
    text = fixes.read_text(encoding="utf-8") + "loop: &loop [*loop]\n"
    fixes.write_text(text, encoding="utf-8")
    result = run_check(kb_copy)
    assert result.code == EXIT_FINDINGS
    line = line_of(text, "loop: &loop")
    assert (
        f"{fixes}:{line}: loop{'[0]' * (MAX_NESTING_DEPTH - 1)}: lists and mappings nested" in result.stderr
    )
    assert "Traceback" not in result.stderr


# --- single-line fields ----------------------------------------------------------------------


def test_a_4500_character_title_is_too_long(kb_copy: Path) -> None:
    guide = kb_copy / "guide.yaml"
    title = "Why " * 1125
    text = replace_once(guide, '      en: "Why are you cancelling?"', f'      en: "{title}"')
    assert_reported(
        run_check(kb_copy),
        f"{guide}:{line_of(text, title)}: sections[1].title.en: "
        f"is too long ({len(title.strip())} characters, at most {MAX_TITLE_CHARS})",
    )


def test_a_title_with_a_line_break_is_refused(kb_copy: Path) -> None:
    guide = kb_copy / "guide.yaml"
    two_lines = '"确认\\n注销原因"'  # in YAML, \n in double quotes is a line break
    text = replace_once(guide, "      zh-Hans: 确认注销原因", f"      zh-Hans: {two_lines}")
    line = line_of(text, two_lines)
    assert_reported(run_check(kb_copy), f"{guide}:{line}: sections[1].title.zh-Hans: must be one line")


def test_a_long_step_label_is_too_long(kb_copy: Path) -> None:
    guide = kb_copy / "guide.yaml"
    text = replace_once(guide, '    step: "1"\n', '    step: "1 and then some more"\n')
    assert_reported(
        run_check(kb_copy),
        f"{guide}:{line_of(text, 'then some more')}: sections[1].step: "
        f"is too long (20 characters, at most {MAX_STEP_CHARS})",
    )


# --- files that are not plain files ----------------------------------------------------------


def test_a_named_pipe_is_refused_without_waiting_for_a_writer(kb_copy: Path) -> None:
    synonyms = kb_copy / "synonyms.yaml"
    synonyms.unlink()
    os.mkfifo(synonyms)
    assert_reported(
        run_check(kb_copy),
        f"{synonyms}: is a named pipe (FIFO), not a regular file; knowledge files must be plain files",
    )


def test_a_link_to_dev_zero_is_refused_without_reading_it(kb_copy: Path) -> None:
    examples = kb_copy / "examples.yaml"
    examples.unlink()
    examples.symlink_to("/dev/zero")
    assert_reported(
        run_check(kb_copy),
        f"{examples}: is a character device, not a regular file; knowledge files must be plain files",
    )


def test_a_directory_in_place_of_a_file_is_named(kb_copy: Path) -> None:
    guide = kb_copy / "guide.yaml"
    guide.unlink()
    guide.mkdir()
    assert_reported(
        run_check(kb_copy),
        f"{guide}: is a directory, not a regular file; knowledge files must be plain files",
    )


def test_a_link_to_a_regular_file_is_followed(kb_copy: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere.yaml"
    shutil.move(kb_copy / "guide.yaml", elsewhere)
    (kb_copy / "guide.yaml").symlink_to(elsewhere)
    assert run_check(kb_copy).code == 0
