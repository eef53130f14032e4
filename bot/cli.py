"""Command line: `python -m bot ask | check | eval | chat | run | unanswered`.

Exit codes: 0 ok, 1 findings, 2 usage. The installed `simbot` script is the same command line.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sqlite3
import sys
import time
from collections.abc import Iterator, Sequence
from importlib import metadata
from pathlib import Path

from bot.config import DEFAULT_DATA_DIR, ConfigError, merged_environment, resolve_cache_dir, resolve_kb_dir
from bot.conversation.render import html_to_plain
from bot.conversation.service import Conversation, PersonState, Speaker, Text, Turn
from bot.exit_codes import ExitCode
from bot.kb.base import load_knowledge_base
from bot.kb.problems import KnowledgeBaseError
from bot.storage.sqlite_file import DataFileError
from bot.storage.unanswered import (
    DATABASE_FILE,
    UnansweredGroup,
    UnansweredLog,
    format_groups,
    parse_duration,
)
from bot.text.language import LANGUAGES, Lang, parse_language
from bot.understanding.answer import Responder, load_responder_from
from bot.understanding.outcomes import Answered, Candidate, Clarify, Declined, Shown, SmallTalk

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = ExitCode.OK, ExitCode.FINDINGS, ExitCode.USAGE
DISTRIBUTION = "albania-sim-bot"
KB_DIR_HELP = "knowledge-base directory (default: BOT_KB_DIR, else the one that comes with the bot)"


def _language(value: str) -> Lang:
    lang = parse_language(value)
    if lang is None:
        raise argparse.ArgumentTypeError(f"unknown language {value!r}; use one of {', '.join(LANGUAGES)}")
    return lang


def installed_version() -> str:
    """The version in the installed package's metadata: what pip installed, not a copy in the code."""
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return "(not installed: run `make setup` or pip install the wheel)"


def build_parser(prog: str | None = None) -> argparse.ArgumentParser:
    """The argument parser, with an example in every command's help.

    `prog` is how the usage line names the command; by default the script's name (`simbot`).
    """
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Answer desk for cancelling an Albanian prepaid SIM card.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"{DISTRIBUTION} {installed_version()}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, summary: str, example: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(
            name,
            help=summary,
            description=f"{summary}\n\nexample:\n  {example}",
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        sub.add_argument(
            "--kb",
            type=Path,
            default=None,  # None, so that BOT_KB_DIR is honoured: see bot.config.resolve_kb_dir
            help=KB_DIR_HELP,
        )
        return sub

    ask = add("ask", "answer one question as the bot would", 'python -m bot ask "卡丢了还能注销吗"')
    ask.add_argument("question", nargs="?", help='the question ("-": read it from stdin; omit with --jsonl)')
    ask.add_argument("--lang", type=_language, help="reply language (default: detected)")
    output = ask.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="print one JSON object")
    output.add_argument(
        "--jsonl", action="store_true", help="read one question a line on stdin, write JSON lines"
    )

    check = add("check", "validate the knowledge base", "python -m bot check knowledge/")
    check.add_argument("path", nargs="?", type=Path, help=KB_DIR_HELP)
    check.add_argument(
        "--json",
        action="store_true",
        help="print the result as JSON on stdout: sections, languages and example count, or the problems",
    )

    evaluation = add(
        "eval",
        "score answer quality on a labelled set, or on text the bot must not answer",
        "python -m bot eval ../shared/eval/dev.yaml --show 20\n"
        "  python -m bot eval --out-of-scope ../shared/eval/out-of-scope/banking77-train.txt",
    )
    evaluation.add_argument(
        "file", type=Path, nargs="?", help="labelled questions (YAML list of {q, lang, expect})"
    )
    evaluation.add_argument(
        "--out-of-scope",
        type=Path,
        action="append",
        default=[],
        metavar="FILE",
        help="a text file of questions to decline, one a line (repeatable): the share given no section",
    )
    evaluation.add_argument(
        "--show", type=int, default=20, metavar="N", help="list up to N misses (default 20)"
    )
    evaluation.add_argument(
        "--json", action="store_true", help="print one JSON object (every figure, every miss)"
    )

    add("chat", "talk to the bot in the terminal", "python -m bot chat")

    unanswered = add(
        "unanswered",
        "the most frequent questions the bot could not answer",
        "python -m bot unanswered --since 7d",
    )
    unanswered.add_argument("--since", default="7d", help="how far back: 24h, 7d, 2w (default 7d)")
    unanswered.add_argument("--limit", type=int, default=30, help="how many groups to list (default 30)")
    unanswered.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="the bot's data directory (default: BOT_DATA_DIR, else ./data)",
    )
    unanswered.add_argument("--json", action="store_true", help="print the groups as one JSON object")

    run = add("run", "start the Telegram bot (token from TELEGRAM_BOT_TOKEN or .env)", "python -m bot run")
    run.add_argument(
        "--webhook", action="store_true", help="receive updates by webhook instead of long polling"
    )
    return parser


def main(argv: Sequence[str] | None = None, prog: str | None = None) -> int:
    """Entry point of `python -m bot` and the `simbot` script."""
    try:
        return _main(argv, prog)
    except BrokenPipeError:  # `ask --jsonl | head`: the reader has gone, which is not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
        return EXIT_OK


def _main(argv: Sequence[str] | None, prog: str | None) -> int:
    args = build_parser(prog).parse_args(argv)
    try:
        if args.command == "unanswered":
            return _unanswered(args.since, args.limit, args.data_dir, args.json)
        if args.command == "run":
            from bot.telegram.runtime.runner import run_bot

            return run_bot(args.kb, webhook=args.webhook)  # resolved with the other settings
        explicit = (args.path or args.kb) if args.command == "check" else args.kb
        environment = merged_environment()
        kb_dir = resolve_kb_dir(explicit, environment)
        if args.command == "check":
            return _check(kb_dir, args.json)
        responder = load_responder_from(kb_dir, resolve_cache_dir(environment))
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KnowledgeBaseError as exc:
        print(exc.report(), file=sys.stderr)
        return EXIT_FINDINGS
    if args.command == "ask":
        return _ask(Conversation(responder), args)
    if args.command == "eval":
        return _eval(responder, args.file, args.out_of_scope, args.show, args.json)
    from bot.console import run_console

    run_console(Conversation(responder), _typed_lines() if sys.stdin.isatty() else sys.stdin, print)
    return EXIT_OK


def _typed_lines() -> Iterator[str]:
    """Lines typed at a "> " prompt, until Ctrl-D or Ctrl-C."""
    while True:
        try:
            yield input("> ")
        except (EOFError, KeyboardInterrupt):
            print()
            return


def _check(path: Path, as_json: bool) -> int:
    try:
        kb = load_knowledge_base(path)
    except KnowledgeBaseError as exc:
        if not as_json:
            raise
        # A script asked for JSON: the problems go to stdout too, as data (exit status 1).
        problems = [dataclasses.asdict(problem) for problem in exc.problems]
        print(json.dumps({"ok": False, "problems": problems}, ensure_ascii=False))
        return EXIT_FINDINGS
    if as_json:
        print(
            json.dumps(
                {
                    "ok": True,
                    "problems": [],
                    "sections": [s.id for s in kb.sections],
                    "languages": list(LANGUAGES),
                    "examples": kb.example_count(),
                    # the label each section shows before its title, in English (ids are English too)
                    "steps": {s.id: s.label["en"] for s in kb.sections},
                },
                ensure_ascii=False,
            )
        )
    else:
        print(
            f"ok: {len(kb.sections)} sections, {len(kb.messages.texts)} messages, "
            f"{kb.example_count()} example questions, languages {', '.join(LANGUAGES)}"
        )
    return EXIT_OK


def _ask(conversation: Conversation, args: argparse.Namespace) -> int:
    if args.jsonl:
        for line in sys.stdin:
            question = line.rstrip("\n")
            print(
                json.dumps(
                    _result(_one_turn(conversation, question, args.lang), question), ensure_ascii=False
                )
            )
        return EXIT_OK
    if args.question is None:
        print("ask: give a question, or --jsonl to read questions from stdin", file=sys.stderr)
        return EXIT_USAGE
    question = sys.stdin.read().strip() if args.question == "-" else args.question
    if not question:
        print("ask: the question read from stdin is empty", file=sys.stderr)
        return EXIT_USAGE
    turn = _one_turn(conversation, question, args.lang)
    if args.json:
        print(json.dumps(_result(turn, question), ensure_ascii=False, indent=2))
    else:
        print("\n\n".join(html_to_plain(text) for reply in turn.replies for text in reply.texts))
    return EXIT_OK


def _one_turn(conversation: Conversation, question: str, lang: Lang | None) -> Turn:
    """A question asked by a new person in a private chat (no place in the guide yet)."""
    return conversation.handle(Text(question), PersonState(), Speaker(chosen_lang=lang), time.time())


def _result(turn: Turn, question: str) -> dict[str, object]:
    """One turn as `ask --json` prints it: the decision, and what it depends on."""
    result: dict[str, object] = {
        "question": question,
        "lang": turn.lang,
        "decision": turn.decision,
        "section": turn.outcome.section_id if isinstance(turn.outcome, Answered) else None,
    }
    candidates: tuple[Candidate, ...] = ()
    match turn.outcome:
        case Answered(candidates=candidates) | Clarify(candidates=candidates):
            pass
        case Declined(reason=reason, candidates=candidates):
            result["reason"] = reason.name.lower()
        case SmallTalk(kind=kind):
            result["small_talk"] = kind.value
        case Shown(screen=screen):
            result["screen"] = screen.value
    result["candidates"] = [{"id": c.id, "score": c.score} for c in candidates]
    result["text"] = "\n\n".join(html_to_plain(text) for text in turn.reply.texts)
    return result


def _eval(
    responder: Responder, file: Path | None, out_of_scope: list[Path], show: int, as_json: bool = False
) -> int:
    # Imported here: evaluating reads YAML with pydantic, which no other command needs once the
    # knowledge base is saved between starts (bot/kb/saved.py); `ask` starts 0.1 s sooner.
    from bot.understanding.evaluation import (
        evaluate,
        evaluate_out_of_scope,
        format_out_of_scope_report,
        format_report,
        load_labelled_questions,
        out_of_scope_as_json,
        report_as_json,
    )

    if file is None and not out_of_scope:
        print("eval: give a labelled set, or --out-of-scope FILE", file=sys.stderr)
        return EXIT_USAGE
    result: dict[str, object] = {"labelled": None, "out_of_scope": []}
    if file is not None:
        try:
            questions = load_labelled_questions(file)
        except KnowledgeBaseError as exc:
            print(f"cannot read {file}:", file=sys.stderr)
            for problem in exc.problems:
                print(problem, file=sys.stderr)
            return EXIT_USAGE
        report = evaluate(responder, questions)
        if as_json:
            result["labelled"] = {"file": str(file), **report_as_json(report)}
        else:
            print(format_report(report, show))
    files: list[dict[str, object]] = []
    for path in out_of_scope:
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            print(f"cannot read {path}: {exc}", file=sys.stderr)
            return EXIT_USAGE
        oos_report = evaluate_out_of_scope(responder, path.name, lines)
        if as_json:
            files.append(out_of_scope_as_json(oos_report))
        else:
            print(format_out_of_scope_report(oos_report, show))
    if as_json:
        result["out_of_scope"] = files
        print(json.dumps(result, ensure_ascii=False))
    return EXIT_OK


def _unanswered(since: str, limit: int, data_dir: Path | None = None, as_json: bool = False) -> int:
    try:
        window = parse_duration(since)
    except ValueError as exc:
        print(f"unanswered: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if data_dir is None:
        data_dir = Path(merged_environment().get("BOT_DATA_DIR") or DEFAULT_DATA_DIR)
    path = data_dir / DATABASE_FILE
    groups: list[UnansweredGroup] = []
    if path.exists():
        try:
            log = UnansweredLog(path)
            try:
                groups = log.most_frequent(time.time() - window, limit)
            finally:
                log.close()
        except (DataFileError, sqlite3.Error) as exc:  # locked, read-only, unreadable: one line, no traceback
            print(f"unanswered: cannot read {path}: {exc}", file=sys.stderr)
            return EXIT_USAGE
    if as_json:
        print(
            json.dumps(
                {"since": since, "groups": [dataclasses.asdict(g) for g in groups]}, ensure_ascii=False
            )
        )
        return EXIT_OK
    if not path.exists():
        print(f"no unanswered questions recorded yet ({path} does not exist)")
        return EXIT_OK
    if not groups:
        print(f"no unanswered questions in the last {since}")
        return EXIT_OK
    print(f"count  languages        question (normalised, redacted) — last {since}")
    for line in format_groups(groups):
        print(line)
    return EXIT_OK
