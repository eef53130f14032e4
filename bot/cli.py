"""Command line: `python -m bot ask | check | eval | chat | run` (exit 0 ok, 1 findings, 2 usage)."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

from bot.answer import Context, Responder, build_responder
from bot.config import DEFAULT_DATA_DIR, merged_environment
from bot.console import html_to_plain, run_console
from bot.dialogue import take_turn
from bot.evaluation import evaluate, format_report, load_labelled_questions
from bot.exit_codes import ExitCode
from bot.kb import DEFAULT_KB_DIR, load_knowledge_base
from bot.language import LANGUAGES, Lang, parse_language
from bot.problems import KnowledgeBaseError
from bot.unanswered import DATABASE_FILE, UnansweredLog, format_groups, parse_duration

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = ExitCode.OK, ExitCode.FINDINGS, ExitCode.USAGE


def _language(value: str) -> Lang:
    lang = parse_language(value)
    if lang is None:
        raise argparse.ArgumentTypeError(f"unknown language {value!r}; use one of {', '.join(LANGUAGES)}")
    return lang


def build_parser() -> argparse.ArgumentParser:
    """The argument parser, with an example in every command's help."""
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description="Answer desk for cancelling an Albanian prepaid SIM card.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
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
            default=DEFAULT_KB_DIR,
            help="knowledge-base directory (default: knowledge/)",
        )
        return sub

    ask = add("ask", "answer one question as the bot would", 'python -m bot ask "卡丢了还能注销吗"')
    ask.add_argument("question", nargs="?", help="the question (omit with --jsonl)")
    ask.add_argument("--lang", type=_language, help="reply language (default: detected)")
    output = ask.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="print one JSON object")
    output.add_argument(
        "--jsonl", action="store_true", help="read one question a line on stdin, write JSON lines"
    )

    check = add("check", "validate the knowledge base", "python -m bot check knowledge/")
    check.add_argument("path", nargs="?", type=Path, help="knowledge-base directory (default: knowledge/)")
    check.add_argument(
        "--json", action="store_true", help="print sections, languages and example count as JSON"
    )

    evaluation = add(
        "eval",
        "score answer quality on a labelled set",
        "python -m bot eval ../shared/eval/dev.yaml --show 20",
    )
    evaluation.add_argument("file", type=Path, help="labelled questions (YAML list of {q, lang, expect})")
    evaluation.add_argument(
        "--show", type=int, default=20, metavar="N", help="list up to N misses (default 20)"
    )

    add("chat", "talk to the bot in the terminal", "python -m bot chat")

    unanswered = add(
        "unanswered",
        "the most frequent questions the bot could not answer",
        "python -m bot unanswered --since 7d",
    )
    unanswered.add_argument("--since", default="7d", help="how far back: 24h, 7d, 2w (default 7d)")
    unanswered.add_argument("--limit", type=int, default=30, help="how many groups to list (default 30)")

    run = add("run", "start the Telegram bot (token from TELEGRAM_BOT_TOKEN or .env)", "python -m bot run")
    run.add_argument(
        "--webhook", action="store_true", help="receive updates by webhook instead of long polling"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of `python -m bot` and the `simbot` script."""
    args = build_parser().parse_args(argv)
    try:
        if args.command == "check":
            return _check(args.path or args.kb, args.json)
        if args.command == "unanswered":
            return _unanswered(args.since, args.limit)
        if args.command == "run":
            from bot.telegram.runner import run_bot

            return run_bot(args.kb, webhook=args.webhook)
        responder = build_responder(load_knowledge_base(args.kb))
    except KnowledgeBaseError as exc:
        print(exc.report(), file=sys.stderr)
        return EXIT_FINDINGS
    if args.command == "ask":
        return _ask(responder, args)
    if args.command == "eval":
        return _eval(responder, args.file, args.show)
    run_console(responder, _typed_lines() if sys.stdin.isatty() else sys.stdin, print)
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
    kb = load_knowledge_base(path)
    if as_json:
        print(
            json.dumps(
                {
                    "sections": [s.id for s in kb.sections],
                    "languages": list(LANGUAGES),
                    "examples": kb.example_count(),
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


def _ask(responder: Responder, args: argparse.Namespace) -> int:
    if args.jsonl:
        for line in sys.stdin:
            question = line.rstrip("\n")
            print(json.dumps(_result(responder, question, args.lang), ensure_ascii=False))
        return EXIT_OK
    if args.question is None:
        print("ask: give a question, or --jsonl to read questions from stdin", file=sys.stderr)
        return EXIT_USAGE
    if args.json:
        print(json.dumps(_result(responder, args.question, args.lang), ensure_ascii=False, indent=2))
    else:
        turn = take_turn(responder, args.question, Context(), 0.0, args.lang)
        print("\n\n".join(html_to_plain(text) for text in turn.reply.texts))
    return EXIT_OK


def _result(responder: Responder, question: str, lang: Lang | None) -> dict[str, object]:
    turn = take_turn(responder, question, Context(), 0.0, lang)
    answer = turn.answer
    assert answer is not None
    return {
        "question": question,
        "lang": answer.lang,
        "decision": answer.decision,
        "section": answer.section_id,
        "candidates": [{"id": c.id, "score": c.score} for c in answer.candidates],
        "text": "\n\n".join(html_to_plain(text) for text in turn.reply.texts),
    }


def _eval(responder: Responder, file: Path, show: int) -> int:
    try:
        questions = load_labelled_questions(file)
    except KnowledgeBaseError as exc:
        print(f"cannot read {file}:", file=sys.stderr)
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return EXIT_USAGE
    print(format_report(evaluate(responder, questions), show))
    return EXIT_OK


def _unanswered(since: str, limit: int) -> int:
    try:
        window = parse_duration(since)
    except ValueError as exc:
        print(f"unanswered: {exc}", file=sys.stderr)
        return EXIT_USAGE
    env = merged_environment()
    path = Path(env.get("BOT_DATA_DIR") or DEFAULT_DATA_DIR) / DATABASE_FILE
    if not path.exists():
        print(f"no unanswered questions recorded yet ({path} does not exist)")
        return EXIT_OK
    log = UnansweredLog(path)
    try:
        groups = log.most_frequent(time.time() - window, limit)
    finally:
        log.close()
    if not groups:
        print(f"no unanswered questions in the last {since}")
        return EXIT_OK
    print(f"count  languages        question (normalised, redacted) — last {since}")
    for line in format_groups(groups):
        print(line)
    return EXIT_OK
