"""Render one run's results (bench/results.json) as Markdown: the budgets first, then each benchmark.

The same text is printed and written to bench/RESULTS.md. Every figure comes from the results
file; `python bench/run.py --render-only` re-renders it without measuring again.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from bench.budgets import Budget, budgets, duration, profile_text
from bench.results import (
    BenchResults,
    BotRun,
    BuildGrowth,
    EndToEndResult,
    LabelledSet,
    OutOfScopeFile,
    Pair,
    QualityResult,
    SpeedRun,
    StartupResult,
)
from bench.state_memory import render as render_people
from bot.text.language import LANGUAGES

MATCHER_NAMES = {
    "ours": "this project",
    "bm25": "BM25 (bm25s + jieba, titles + answers)",
    "fuzzy": "fuzzy (rapidfuzz token_set_ratio, titles)",
}
BOT_NAMES = {
    "ours": "this bot",
    "echo": "echo bot (run before ours)",
    "echo-again": "echo bot (run after ours)",
    "echo-same-client": "echo bot on this bot's HTTP client (aiohttp)",
}
ENTRY_POINT_NAMES = {  # bench.profiles.ENTRY_POINTS, as the report names them
    "process_update": "PTB's dispatch of one update, handler included",
    "on_text": "our question handler",
    "echo": "the echo handler",
    "take_turn": "the turn: state in, conversation service, state out, replies",
    "handle": "the conversation service: decide and render",
    "deliver": "sending our reply (HTML, keyboard)",
    "reply_text": "PTB: build, send and parse a sendMessage",
    "record": "the unanswered-questions log (SQLite)",
    "get_updates": "long polling, parsing updates",
    "update_persistence": "persistence runs",
}
MARKS = {True: "met", False: "**missed**", None: "not measured"}


def table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines.extend("| " + " | ".join(str(cell) for cell in row) + " |" for row in rows)
    return "\n".join(lines)


def rate(pair: Pair) -> str:
    """hits/total as a rate with the counts; a dash when there is nothing to count."""
    hits, total = pair
    return f"{hits / total:.3f} ({hits}/{total})" if total else "–"


# --- the run and its budgets ---------------------------------------------------------------------


def run_section(results: BenchResults) -> str:
    machine = results.machine
    memory = f"{machine.memory_gb:.1f} GB RAM" if machine.memory_gb else "RAM unknown"
    packages = ", ".join(f"{name} {version}" for name, version in machine.packages.items())
    return "\n".join(
        [
            f"- Run: {results.date} at commit {results.commit};"
            f" `bench/run.py` took {results.duration_s:.0f} s",
            f"- Machine: {machine.cpu}, {machine.cores} cores ({machine.usable_cores} usable), {memory};"
            f" {machine.os}, {machine.python}",
            f"- Load average (1 min) before / after: {results.load_before} / {results.load_after}"
            " (the machine is shared: other work stretches wall-clock figures, CPU-time figures less so)",
            f"- Packages: {packages}",
        ]
    )


def budgets_section(found: Sequence[Budget]) -> str:
    return table(
        ["budget", "target", "measured", "result", "where the time or memory goes (when missed)"],
        ([b.name, b.target, b.measured, MARKS[b.met], b.where or "–"] for b in found),
    )


def trades_section(results: BenchResults, found: Sequence[Budget]) -> str:
    names = {budget.key: f"{budget.name} ({MARKS[budget.met]})" for budget in found}
    rows = ([names.get(t.budget, t.budget), t.change, t.now, t.then, t.cost] for t in results.trades)
    intro = (
        "Each change below is measured in this run by `bench/trades.py` without changing `bot/`"
        " (CPU seconds, best of three, fresh processes); the owner of `bot/` decides."
    )
    return intro + "\n\n" + table(["budget", "change", "now", "with the change", "what it costs"], rows)


# --- 1. quality ----------------------------------------------------------------------------------


def labelled_table(labelled: LabelledSet) -> str:
    header = ["matcher", "decline below", *(f"top-1 {lang}" for lang in LANGUAGES), "top-3"]
    header += ["out-of-scope declined", "small talk answered", "wrongly declined"]
    rows = (
        [
            MATCHER_NAMES[row.matcher],
            "its own decision" if row.threshold is None else f"{row.threshold:.3f}",
            *(rate(row.top1.get(lang, (0, 0))) for lang in LANGUAGES),
            rate(row.top3),
            rate(row.out_of_scope_declined),
            rate(row.small_talk),
            rate(row.wrongly_declined),
        ]
        for row in labelled.rows
    )
    return f"**`{labelled.name}`**, {labelled.questions} questions ({labelled.note})\n\n" + table(
        header, rows
    )


def out_of_scope_table(files: Sequence[OutOfScopeFile]) -> str:
    header = ["file", "right answer", "lines scored", "ours: no section", "ours: as small talk"]
    header += ["BM25: no section", "fuzzy: no section"]
    rows = (
        [
            f"`{found.file}`"
            + (f" ({found.skipped_trained:,} trained-on lines skipped)" if found.skipped_trained else ""),
            found.kind,
            f"{found.lines:,}",
            rate(found.no_section["ours"]),
            rate((found.ours_small_talk, found.lines)),
            rate(found.no_section.get("bm25", (0, 0))),
            rate(found.no_section.get("fuzzy", (0, 0))),
        ]
        for found in files
    )
    return table(header, rows)


OUT_OF_SCOPE_NOTE = """\
"No section" = declined, or answered as small talk (evaluation.evaluate_out_of_scope). "Right
answer" is the file's kind (out-of-scope-extra/README.md): *decline* every line; *small talk*
(greetings, thanks, "are you a bot": the right answer is small talk, so the "as small talk" column
is the figure); *either* (chit-chat: a decline or small talk). The baselines can only answer or
decline, with their thresholds from dev."""


def quality_section(quality: QualityResult) -> str:
    shared = [f for f in quality.out_of_scope if f.corpus == "shared"]
    extra = [f for f in quality.out_of_scope if f.corpus == "extra"]
    parts = [labelled_table(labelled) for labelled in quality.labelled]
    parts.append(
        "**Out-of-scope files: `../shared/eval/out-of-scope/`** — half of each file is in"
        " `knowledge/negatives/`, which our matcher is trained on: those lines are skipped, for every"
        " matcher, so all three are scored on the same unseen lines.\n\n" + out_of_scope_table(shared)
    )
    if extra:
        parts.append(
            "**Out-of-scope files: `../shared/eval/out-of-scope-extra/`** — measured only, never trained"
            " or tuned on (CLINC150, HWU64, SNIPS, SMP2017, CAIS, RiSAWOZ, DRCD, Taipei FAQ).\n\n"
            + out_of_scope_table(extra)
        )
    parts.append(OUT_OF_SCOPE_NOTE)
    return "\n\n".join(parts)


# --- 2. speed ------------------------------------------------------------------------------------

OPERATIONS = {
    "turn": "text turn: `Conversation.handle` (decide + render)",
    "understand": "`Responder.understand` (decide)",
    "rank": "`Responder.rank` (normalise + rank every label)",
    "best": "segment + score + top 3",
    "numpy-what-if": "what-if, not the bot's code: rank's per-label work in numpy (bench/trades.py)",
}


def _matcher(run: SpeedRun) -> str:
    return "ours" if run.matcher == "ours" else "BM25"


def latency_table(runs: Sequence[SpeedRun]) -> str:
    rows = (
        [_matcher(run), f"{run.scale}×", OPERATIONS[name], f"{lat.count:,}"]
        + [duration(value) for value in (lat.median_us, lat.p99_us, lat.cpu_p99_us, lat.max_us)]
        for run in runs
        for name, lat in run.latency.items()
    )
    return table(["matcher", "KB", "operation", "calls", "median", "p99", "CPU p99", "max"], rows)


def _mb_pair(first: float | None, second: float | None) -> str:
    return "–" if first is None else f"{first:.1f} / {second or 0:.1f} MB"


def _build_row(run: SpeedRun) -> list[str]:
    return [
        _matcher(run),
        f"{run.scale}×",
        f"{run.labels:,}",
        f"{run.texts:,}",
        f"{run.build_s:.2f} s" + (f" (median of {run.builds})" if run.builds > 1 else ""),
        _mb_pair(run.traced_retained_mb, run.traced_peak_mb),
        _mb_pair(run.rss_retained_mb, run.rss_peak_mb),
        run.build_note or "the bot's own code",
    ]


def build_table(runs: Sequence[SpeedRun]) -> str:
    header = ["matcher", "KB", "labels", "texts indexed", "index build", "tracemalloc retained / peak"]
    return table([*header, "RSS growth retained / peak", "built by"], (_build_row(run) for run in runs))


def extrapolated(rows: Sequence[BuildGrowth], scale: int = 100) -> str:
    """The bot's own build time at `scale`, from the growth of the last two sizes that finished."""
    done = [row for row in rows if row.seconds]
    if len(done) < 2:
        return ""
    (small, t_small), (big, t_big) = ((row.scale, row.seconds or 0.0) for row in done[-2:])
    exponent = math.log(t_big / t_small) / math.log(big / small)
    minutes = t_big * (scale / big) ** exponent / 60
    return (
        f" Time grows as size^{exponent:.1f} between {small}× and {big}×;"
        f" extrapolated to {scale}×: about {minutes:,.0f} minutes, likely more (the sections × terms"
        " part grows as size², and its share rises with size)."
    )


def growth_table(results: BenchResults) -> str:
    rows = (
        [
            f"{row.scale}×",
            f"{row.labels:,}",
            f"{row.texts:,}",
            f"{row.seconds:.1f} s" if row.seconds is not None else f"not finished in {row.limit_s:.0f} s",
        ]
        for row in results.build_growth
    )
    caption = (
        "The bot's own index build (`bot.understanding.match.SectionIndex`) as the knowledge base grows."
    )
    return f"{caption}{extrapolated(results.build_growth)}\n\n" + table(
        ["KB", "labels", "texts", "build"], rows
    )


def speed_section(results: BenchResults) -> str:
    parts = [latency_table(results.speed), build_table(results.speed), growth_table(results)]
    for run in results.speed:
        if run.profile:
            parts.append(
                f"Profile of ours at {run.scale}×, `{run.profiled}` over every labelled question once"
                f" (cProfile, own time): {profile_text(run.profile, 8)}."
            )
        if run.memory:
            lines = ", ".join(f"{m.line} {m.mb:.1f} MB ({m.share:.0%})" for m in run.memory)
            where = f"Where the {_matcher(run)} index's memory is at {run.scale}× (tracemalloc, by line)"
            parts.append(f"{where}: {lines}.")
    return "\n\n".join(parts)


# --- 3. end to end -------------------------------------------------------------------------------


def _bot_row(key: str, run: BotRun, e2e: EndToEndResult) -> list[str]:
    loaded, unloaded = run.loaded, run.unloaded
    cpu = e2e.cpu_per_message_ms.get(key)
    return [
        BOT_NAMES[key],
        f"{loaded.per_second:.0f}" if loaded else "–",
        f"{loaded.latency_median_ms:.0f} / {loaded.latency_p99_ms:.0f} ms" if loaded else "–",
        f"{unloaded.latency_median_ms:.1f} / {unloaded.latency_p99_ms:.1f} ms" if unloaded else "–",
        f"{cpu:.2f} ms" if cpu is not None else "–",
        f"{run.ready_s:.2f} s",
        f"{run.stop_s:.2f} s" + ("" if run.exit_code == 0 else f" (exit {run.exit_code})"),
        f"{run.extra_replies} / {run.failed_calls}" + (f" — {run.error}" if run.error else ""),
    ]


def bots_table(e2e: EndToEndResult) -> str:
    header = ["bot", "answered / s", f"latency median / p99, {e2e.window} in flight"]
    header += ["latency median / p99, one at a time", "bot CPU per message", "ready", "stop (SIGTERM → exit)"]
    rows = (_bot_row(key, run, e2e) for key, run in e2e.runs.items())
    return table([*header, "extra replies / failed calls"], rows)


def profile_table(e2e: EndToEndResult) -> str:
    profiles = {kind: e2e.profiles[kind] for kind in ("ours", "echo") if kind in e2e.profiles}

    def cell(ms: float | None) -> str:
        return "–" if ms is None else f"{ms:.2f}"

    rows: list[list[str]] = [
        [f"`{name}` — {what}", *(cell(found.per_message_ms.get(name)) for found in profiles.values())]
        for name, what in ENTRY_POINT_NAMES.items()
        if any(name in found.per_message_ms for found in profiles.values())
    ]
    rows.append(
        ["busy (all but waiting in epoll)", *(cell(p.busy_per_message_ms) for p in profiles.values())]
    )
    header = ["function (ms per message, cumulative)", *(BOT_NAMES[kind].split(" (")[0] for kind in profiles)]
    return table(header, rows)


def end_to_end_section(e2e: EndToEndResult) -> str:
    ratio = f"{e2e.throughput_ratio:.2f}" if e2e.throughput_ratio is not None else "not measured"
    cpu_ratio = f"{e2e.cpu_ratio:.2f}" if e2e.cpu_ratio is not None else "–"
    same = f"{e2e.same_client_ratio:.2f}" if e2e.same_client_ratio is not None else "not measured"
    parts = [
        bots_table(e2e),
        f"Throughput ours / echo (mean of the echo runs on PTB's default client,"
        f" {e2e.echo_per_second:.0f}/s): **{ratio}**; CPU per message, echo / ours: {cpu_ratio}."
        f" Against the echo bot on this bot's own HTTP client (aiohttp), which shows our overhead"
        f" apart from what the client saves: {same}. Questions: every labelled question, cycled;"
        f" {e2e.questions:,} under load.",
    ]
    if e2e.profiles:
        parts.append(
            "Each bot once more under cProfile (cProfile slows everything 2-3×: compare the columns"
            " with each other, not with the table above):\n\n" + profile_table(e2e)
        )
        if "ours" in e2e.profiles:
            parts.append(
                f"This bot's top functions by own time: {profile_text(e2e.profiles['ours'].top_own, 8)}."
            )
    if e2e.persistence:
        ticks = ", ".join(
            f"{tick.people:,} people changed → {tick.seconds:.3f} s" for tick in e2e.persistence
        )
        parts.append(f"One persistence run (every 10 s and at stop): {ticks}.")
    return "\n\n".join(parts)


# --- 4. start-up ---------------------------------------------------------------------------------


def startup_table(startup: StartupResult) -> str:
    rows = [
        (f'`python -m bot ask "{startup.question}"`', startup.ask),
        ("`python -c pass` (the interpreter alone)", startup.interpreter),
        ('`python -c "import bot.cli"`', startup.imports),
    ]
    return table(
        [f"command (fresh process, median of {startup.ask.runs})", "wall time", "peak RSS"],
        (
            [
                name,
                f"{runs.median_s:.3f} s (min {runs.min_s:.3f}, max {runs.max_s:.3f})",
                f"{runs.peak_rss_mb:.0f} MB",
            ]
            for name, runs in rows
        ),
    )


def _memory_row(key: str, run: BotRun) -> list[str]:
    return [
        BOT_NAMES[key].split(" (")[0],
        f"{run.rss_ready_mb:.0f} MB",
        f"{run.rss_after_mb:.0f} MB",
        f"{run.peak_rss_mb:.0f} MB",
        ", ".join(f"{phase} {mb:.0f}" for phase, mb in run.phases_rss_mb.items()) or "–",
    ]


def memory_table(runs: dict[str, BotRun]) -> str:
    header = ["bot process", "RSS after start-up", "RSS after the load", "peak (VmHWM)"]
    rows = (_memory_row(key, run) for key, run in runs.items() if key in ("ours", "echo"))
    return table([*header, "RSS (MB) after each start-up phase"], rows)


def startup_section(results: BenchResults) -> str:
    startup = results.startup
    phases = ", ".join(f"{p.phase} {p.seconds * 1000:.0f} ms (RSS {p.rss_mb:.0f} MB)" for p in startup.phases)
    packages = ", ".join(f"{p.package} {p.ms:.0f} ms" for p in startup.imports_by_package)
    converters = ", ".join(f"{name} +{mb:.0f} MB" for name, mb in startup.converters_mb.items())
    return "\n\n".join(
        [
            startup_table(startup),
            f"One start-up in phases (fresh process, median of 3): {phases}.",
            f"Building the responder under cProfile (own time): {profile_text(startup.build_profile, 8)}.",
            f"Import time by package (`-X importtime`, self time summed): {packages}.",
            memory_table(results.end_to_end.runs),
            "OpenCC converters (`bot/text/chinese.py`), RSS growth on first use, each in a fresh process:"
            f" {converters}.",
        ]
    )


METHOD = """\
How each figure is measured (the docstrings of `bench/*.py` say why):

- **Quality** (`bench/quality.py`): `bot.understanding.evaluation.evaluate` and `evaluate_out_of_scope` score
  every matcher; the baselines answer like a `Responder` (their best section, or a decline under a
  threshold that maximises mean top-1 + out-of-scope declined − 2 × wrongly declined on dev).
- **Speed** (`bench/speed.py`): each (matcher, size) in a fresh process; `perf_counter_ns` and
  `thread_time_ns` around each call, over every labelled question repeated and shuffled to 10,000
  calls (time-boxed to 15 s). The 100× knowledge base (`bench/synthetic.py`) has the real label
  scheme: 100 perturbed variants of every section (examples, titles, answers) plus the negative
  labels once, as they are; its index is the bot's own build (`bench/growth.py` measures how the
  build grows).
- **End to end** (`bench/end_to_end.py`, `bench/load.py`): the fake Bot API in the benchmark
  process, each bot in its own process (`bench/e2e_bot.py`: what `python -m bot run` does, minus
  the rate limiter); 100 questions in flight, ~1,000 users asking in turn, never faster than the
  flood guard allows; latency = the fake's arrival time of the `sendMessage` − injection time.
- **Start-up** (`bench/startup.py`): wall time of whole fresh processes (one unmeasured run first,
  so bytecode caches are warm as after any install); RSS from `/proc/<pid>/status`."""


def people_section(results: BenchResults) -> str:
    """bench/state_memory.py's snapshots."""
    found = results.state_memory
    if found is None:
        return "Not measured in this run."
    return (
        f"The real bot in its own process; {found.people:,} people ask one question each in private"
        " chats, 31 days pass (the bot's clock moves), the bot forgets them all, then as many new"
        " people ask (`bench/state_memory.py`).\n\n" + render_people(found.snapshots)
    )


def render(results: BenchResults) -> str:
    """The whole report."""
    found = budgets(results)
    sections = [
        "# Benchmark results",
        "Produced by `make bench` (`.venv/bin/python bench/run.py`), from `bench/results.json`; this file"
        " holds the latest run.",
        run_section(results),
        "## Budgets",
        budgets_section(found),
        "### What would meet them, and what it costs",
        trades_section(results, found),
        "## 1. Answer quality against baselines",
        quality_section(results.quality),
        "## 2. Matcher speed",
        speed_section(results),
        "## 3. End to end (real Application, fake Bot API over HTTP on 127.0.0.1)",
        end_to_end_section(results.end_to_end),
        "## 4. Start-up and footprint",
        startup_section(results),
        "## 5. Memory with many people",
        people_section(results),
        "## Method",
        METHOD,
    ]
    return "\n\n".join(sections) + "\n"
