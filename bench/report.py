"""Turn one run's figures into Markdown: the targets first, then each benchmark's tables.

The same text is printed and written to bench/RESULTS.md, so what a reader sees in the
terminal and in the repository is one thing. "Why" texts for missed targets are built from
the figures of the same run (profiles included), never written by hand.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from bench.quality import NAMES, QualityRow
from bot.language import LANGUAGES

Results = dict[str, Any]

P99_REAL_US = 1_000
P99_SCALED_US = 5_000
THROUGHPUT_RATIO = 0.8
COLD_START_S = 0.6
RSS_MB = 80


@dataclass(frozen=True)
class Target:
    """One target of the issue, as measured in this run."""

    name: str
    measured: str
    met: bool | None  # None: could not be measured
    why: str = ""


def table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines.extend("| " + " | ".join(str(cell) for cell in row) + " |" for row in rows)
    return "\n".join(lines)


def rate(pair: Sequence[int]) -> str:
    """hits/total as a rate with the counts."""
    hits, total = pair
    return f"{hits / total:.3f} ({hits}/{total})" if total else "–"


def duration_us(micros: float) -> str:
    """Microseconds, shown in the unit that reads best."""
    if micros >= 1_000:
        return f"{micros / 1_000:.2f} ms"
    return f"{micros:.0f} µs"


def _speed(results: Results, matcher: str, scale: int) -> dict[str, Any] | None:
    return next(
        (row for row in results.get("speed", []) if row["matcher"] == matcher and row["scale"] == scale),
        None,
    )


def _profile_text(rows: Sequence[dict[str, Any]], count: int = 3) -> str:
    return ", ".join(
        f"{row['function']} {row.get('own_share', row.get('share', 0)):.0%}" for row in rows[:count]
    )


# --------------------------------------------------------------------------------------- targets


def targets(results: Results) -> list[Target]:
    """Each target of the issue: measured value, met or not, and the reason when not."""
    found: list[Target] = []
    real = _speed(results, "ours", 1)
    if real and "latency_respond" in real:
        p99 = real["latency_respond"]["p99_us"]
        found.append(
            Target(
                "matcher p99 < 1 ms, real knowledge base (Responder.respond)",
                duration_us(p99),
                p99 < P99_REAL_US,
                "" if p99 < P99_REAL_US else f"profile: {_profile_text(real.get('profile', []))}",
            )
        )
    scaled = _speed(results, "ours", 100)
    if scaled and "latency_rank" in scaled:
        p99 = scaled["latency_rank"]["p99_us"]
        why = ""
        if p99 >= P99_SCALED_US:
            why = (
                f"{scaled['labels']:,} labels, {scaled['texts']:,} texts indexed at 100×. "
                f"Profile (own time): {_profile_text(scaled.get('profile', []), 4)}"
            )
        found.append(
            Target(
                "matcher p99 < 5 ms, 100× knowledge base (rank)", duration_us(p99), p99 < P99_SCALED_US, why
            )
        )
    found.append(_throughput_target(results.get("end_to_end", {})))
    startup = results.get("startup", {})
    if "ask" in startup:
        median = startup["ask"]["median_s"]
        why = ""
        if median >= COLD_START_S:
            phases = ", ".join(f"{p['phase']} {p['seconds']:.2f} s" for p in startup.get("phases", []))
            packages = ", ".join(
                f"{p['package']} {p['ms']:.0f} ms" for p in startup.get("imports_by_package", [])
            )
            why = f"phases: {phases}; imports by package: {packages}"
        found.append(
            Target(
                "`ask` cold start < 0.6 s",
                f"{median:.3f} s (median of {startup['ask']['runs']})",
                median < COLD_START_S,
                why,
            )
        )
    found.append(_memory_target(results))
    found.append(_quality_target(results.get("quality", {}).get("dev", [])))
    return found


def _throughput_target(e2e: Results) -> Target:
    name = "end-to-end throughput ≥ 0.8 × echo bot"
    ratio = e2e.get("throughput_ratio")
    if ratio is None:
        errors = "; ".join(f"{k}: {r.get('error')}" for k, r in e2e.get("runs", {}).items() if r.get("error"))
        return Target(name, "not measured", None, errors)
    measured = f"{ratio:.2f} × (CPU per message, echo / ours: {e2e.get('cpu_ratio', 0):.2f})"
    if ratio >= THROUGHPUT_RATIO:
        return Target(name, measured, True)
    ours = e2e["runs"]["ours"]
    cpu = e2e.get("cpu_per_message_ms", {})
    echo_p99 = e2e["runs"].get("echo", {}).get("loaded", {}).get("latency_p99_ms", 0)
    parts = [
        f"ours uses {cpu.get('ours', 0):.2f} ms of CPU per answered message, "
        f"echo {cpu.get('echo', 0):.2f} / {cpu.get('echo-again', 0):.2f} ms",
        f"latency under load: median {ours['loaded']['latency_median_ms']:.0f} ms,"
        f" p99 {ours['loaded']['latency_p99_ms']:.0f} ms (echo p99 {echo_p99:.0f} ms)",
    ]
    profiles = e2e.get("profiles", {})
    if "ours" in profiles and "echo" in profiles:
        ours_ms, echo_ms = profiles["ours"]["per_message_ms"], profiles["echo"]["per_message_ms"]
        extra = ours_ms.get("process_update", 0) - echo_ms.get("process_update", 0)
        reply = ours_ms.get("reply_text", 0) - echo_ms.get("reply_text", 0)
        decide = ours_ms.get("take_turn", 0)
        parts.append(
            f"under cProfile ours spends {extra:+.2f} ms more per update than echo"
            f" ({ours_ms.get('process_update', 0):.2f} vs {echo_ms.get('process_update', 0):.2f} ms):"
            f" sending its richer reply (HTML, inline keyboard) {reply:+.2f} ms, deciding and rendering"
            f" (take_turn) {decide:+.2f} ms, the rest {extra - reply - decide:+.2f} ms"
            " (flood guard, context, unanswered log, persistence)"
        )
    ticks = e2e.get("persistence_ticks")
    if ticks:
        parts.append(
            "one persistence run: "
            + ", ".join(f"{t['seconds']:.2f} s for {t['people']:,} people" for t in ticks)
        )
    return Target(name, measured, False, "; ".join(parts))


def _memory_target(results: Results) -> Target:
    name = "bot resident memory < 80 MB (after start-up, after the run)"
    ours = results.get("end_to_end", {}).get("runs", {}).get("ours")
    if not ours or not ours.get("rss_ready_mb"):
        return Target(name, "not measured", None)
    ready, after = ours["rss_ready_mb"], ours["rss_after_mb"]
    met = max(ready, after) < RSS_MB
    why = ""
    if not met:
        phases = ours.get("phases_rss_mb", {})
        steps = ", ".join(f"{phase} {mb:.0f} MB" for phase, mb in phases.items())
        converters = results.get("startup", {}).get("converters_mb", {})
        heavy = ", ".join(
            f"{name} +{mb:.0f} MB" for name, mb in sorted(converters.items(), key=lambda kv: -kv[1])
        )
        echo = results["end_to_end"]["runs"].get("echo", {})
        why = (
            f"RSS after each start-up phase: {steps} "
            f"(the bare echo bot: {echo.get('rss_ready_mb', 0):.0f} MB). "
            f"OpenCC converters on first use (fresh process each): {heavy}"
        )
    return Target(name, f"{ready:.0f} MB after start-up, {after:.0f} MB after the run", met, why)


def _quality_target(rows: Sequence[QualityRow]) -> Target:
    name = "top-1 above both baselines in every language (dev)"
    by_name = {row.matcher: row for row in rows}
    if "ours" not in by_name:
        return Target(name, "not measured", None)
    ours = by_name["ours"]
    missed = []
    for lang in LANGUAGES:
        hits, total = ours.top1[lang]
        mine = hits / total if total else 0.0
        for other in ("bm25", "fuzzy"):
            theirs_hits, theirs_total = by_name[other].top1[lang]
            theirs = theirs_hits / theirs_total if theirs_total else 0.0
            if not mine > theirs:
                missed.append(f"{lang}: ours {mine:.3f} ≤ {other} {theirs:.3f}")
    margins = []
    for lang in LANGUAGES:
        best_other = max(
            by_name[o].top1[lang][0] / by_name[o].top1[lang][1]
            for o in ("bm25", "fuzzy")
            if by_name[o].top1[lang][1]
        )
        hits, total = ours.top1[lang]
        margins.append(f"{lang} +{hits / total - best_other:.2f}")
    return Target(
        name, "margin over the better baseline: " + ", ".join(margins), not missed, "; ".join(missed)
    )


# --------------------------------------------------------------------------------------- sections


def machine_section(results: Results) -> str:
    machine = results["machine"]
    packages = ", ".join(f"{name} {version}" for name, version in machine["packages"].items())
    memory = f"{machine['memory_gb']:.1f} GB RAM" if machine.get("memory_gb") else "RAM unknown"
    return "\n".join(
        [
            f"- Run: {results['date']}; `bench/run.py` took {results['duration_s']:.0f} s",
            f"- Machine: {machine['cpu']}, {machine['cores']} cores "
            f"({machine['usable_cores']} usable), {memory}",
            f"- {machine['os']}, {machine['python']}",
            f"- Load average (1 min) before / after the run: {results.get('load_before', '?')}"
            f" / {results.get('load_after', '?')} (other work on the machine skews wall-clock figures)",
            f"- Packages: {packages}",
        ]
    )


def targets_section(found: Sequence[Target]) -> str:
    marks = {True: "met", False: "**not met**", None: "not measured"}
    return table(
        ["target", "measured", "result", "why (when missed)"],
        ([t.name, t.measured, marks[t.met], t.why or "–"] for t in found),
    )


def quality_section(quality: dict[str, list[QualityRow]]) -> str:
    parts = []
    for set_name, rows in quality.items():
        title = {
            "dev": "`../shared/eval/dev.yaml` (baseline thresholds tuned here)",
            "holdout2": "`tests/data/holdout2.yaml` (never tuned on; baseline thresholds from dev)",
        }.get(set_name, set_name)
        parts.append(f"**{title}**, {rows[0].questions} questions\n")
        parts.append(
            table(
                [
                    "matcher",
                    "decline below",
                    *(f"top-1 {lang}" for lang in LANGUAGES),
                    "out-of-scope declined",
                    "wrongly declined",
                    "top-3",
                ],
                (
                    [
                        NAMES[row.matcher],
                        "its own decision" if row.threshold is None else f"{row.threshold:.3f}",
                        *(rate(row.top1[lang]) for lang in LANGUAGES),
                        rate(row.declined_out_of_scope),
                        rate(row.wrongly_declined),
                        rate(row.top3),
                    ]
                    for row in rows
                ),
            )
        )
        parts.append("")
    return "\n".join(parts)


def speed_section(results: Results) -> str:
    rows = results.get("speed", [])
    latency_rows = []
    for row in rows:
        for key, label in (
            ("latency_respond", "respond (full decision)"),
            ("latency_rank", "normalise + rank (top 3, as respond)"),
            ("latency_best", "segment + score + top 3"),
        ):
            if key in row:
                stats = row[key]
                latency_rows.append(
                    [
                        "ours" if row["matcher"] == "ours" else "BM25",
                        f"{row['scale']}×",
                        label,
                        f"{stats['count']:,}",
                        duration_us(stats["median_us"]),
                        duration_us(stats["p99_us"]),
                        duration_us(stats["max_us"]),
                    ]
                )
    build_rows = []
    for row in rows:
        traced = (
            f"{row['traced_retained_mb']:.1f} / {row['traced_peak_mb']:.1f} MB"
            if "traced_retained_mb" in row
            else "– (see RSS)"
        )
        rss = (
            f"{row.get('rss_retained_mb', 0):.1f} / {row.get('rss_peak_mb', 0):.1f} MB"
            if "rss_retained_mb" in row
            else "–"
        )
        build_rows.append(
            [
                "ours" if row["matcher"] == "ours" else "BM25",
                f"{row['scale']}×",
                f"{row['labels']:,}",
                f"{row['texts']:,}",
                f"{row['build_s']:.3f} s" + (f" (median of {row['builds']})" if row["builds"] > 1 else ""),
                traced,
                rss,
            ]
        )
    growth = []
    for matcher, key in (("ours", "latency_rank"), ("bm25", "latency_best")):
        small, big = _speed(results, matcher, 1), _speed(results, matcher, 100)
        if small and big and key in small and key in big:
            rss_growth = big.get("rss_retained_mb", 0) / max(small.get("rss_retained_mb", 0), 0.01)
            growth.append(
                f"{'ours' if matcher == 'ours' else 'BM25'}: "
                f"p99 ×{big[key]['p99_us'] / small[key]['p99_us']:.0f}, "
                f"median ×{big[key]['median_us'] / small[key]['median_us']:.0f}, "
                f"build ×{big['build_s'] / small['build_s']:.0f}, RSS ×{rss_growth:.0f}"
            )
    parts = [
        table(["matcher", "KB", "operation", "calls", "median", "p99", "max"], latency_rows),
        "",
        table(
            [
                "matcher",
                "KB",
                "labels",
                "texts indexed",
                "index build",
                "tracemalloc retained / peak",
                "RSS growth retained / peak",
            ],
            build_rows,
        ),
        "",
        "Growth from 1× to 100×: " + ("; ".join(growth) if growth else "–") + ".",
    ]
    for matcher, scale in (("ours", 1), ("ours", 100)):
        row = _speed(results, matcher, scale)
        if row and row.get("profile"):
            parts.append(
                f"\nProfile of ours at {scale}× (cProfile, one pass of the dev set, own time): "
                + ", ".join(f"{p['function']} {p['own_share']:.0%}" for p in row["profile"])
            )
    real = _speed(results, "ours", 1)
    if real and real.get("memory_holders"):
        parts.append(
            "\nWhere our index's memory is (tracemalloc, 1×, by line): "
            + ", ".join(f"{h['line']} {h['share']:.0%}" for h in real["memory_holders"])
        )
    return "\n".join(parts)


def end_to_end_section(e2e: Results) -> str:
    runs = e2e.get("runs", {})
    rows = []
    for kind in ("ours", "echo", "echo-again"):
        run = runs.get(kind)
        if not run:
            continue
        loaded, unloaded = run.get("loaded") or {}, run.get("unloaded") or {}
        cpu = e2e.get("cpu_per_message_ms", {}).get(kind)
        rows.append(
            [
                BOT_NAMES[kind],
                f"{loaded.get('per_second', 0):.0f}",
                f"{loaded.get('latency_median_ms', 0):.0f} / {loaded.get('latency_p99_ms', 0):.0f} ms",
                f"{unloaded.get('latency_median_ms', 0):.1f} / {unloaded.get('latency_p99_ms', 0):.1f} ms",
                f"{cpu:.2f} ms" if cpu is not None else "–",
                f"{run['ready_s']:.2f} s",
                f"{run['stop_s']:.2f} s"
                + ("" if run.get("exit_code") == 0 else f" (exit {run.get('exit_code')})"),
                f"{loaded.get('users', 0):,}",
                f"{run['extra_replies']} / {run['failed_calls']}"
                + (f" — {run['error']}" if run.get("error") else ""),
            ]
        )
    parts = [
        table(
            [
                "bot",
                "answered / s",
                f"latency median / p99, {e2e.get('window', '?')} in flight",
                "latency median / p99, one at a time",
                "bot CPU per message",
                "ready",
                "stop (SIGTERM → exit)",
                "users",
                "extra replies / failed calls",
            ],
            rows,
        ),
        "",
        f"Throughput ratio ours / echo (mean of the two echo runs, {e2e['echo_per_second']:.0f}/s):"
        f" **{e2e['throughput_ratio']:.2f}**; CPU per message, echo / ours: {e2e.get('cpu_ratio', 0):.2f}."
        if "throughput_ratio" in e2e
        else "Throughput ratio: not measured.",
    ]
    fake_shares = [
        f"{BOT_NAMES[kind].split(' (')[0]} {run['loaded']['fake_cpu_s'] / run['loaded']['seconds']:.0%}"
        for kind, run in runs.items()
        if run.get("loaded") and run["loaded"].get("seconds")
    ]
    if fake_shares:
        parts.append(
            "The fake Bot API process used this share of one core during the loaded runs (below 100%:"
            " it was not the bottleneck): " + ", ".join(fake_shares) + "."
        )
    profiles = e2e.get("profiles", {})
    if profiles:
        kinds = [kind for kind in ("ours", "echo") if kind in profiles]
        parts.append(
            f"\nWhere the time goes: each bot once more under cProfile ({PROFILED_NOTE}), milliseconds"
            " per message (cumulative; cProfile slows everything 2-3×, so compare the columns, not"
            " with the table above):\n"
        )
        parts.append(
            table(
                ["function", *(BOT_NAMES[kind].split(" (")[0] for kind in kinds)],
                (
                    [f"`{name}` — {PROFILE_ROWS[name]}"]
                    + [
                        f"{profiles[kind]['per_message_ms'][name]:.2f}"
                        if name in profiles[kind]["per_message_ms"]
                        else "–"
                        for kind in kinds
                    ]
                    for name in PROFILE_ROWS
                    if any(name in profiles[kind]["per_message_ms"] for kind in kinds)
                ),
            )
        )
        if "ours" in profiles:
            parts.append(
                "\nThis bot's top functions by own time: "
                + ", ".join(f"{p['function']} {p['share']:.0%}" for p in profiles["ours"]["top_own"][:6])
                + "."
            )
    ticks = e2e.get("persistence_ticks")
    if ticks:
        parts.append(
            "\nOne persistence run (PTB `update_persistence`, every 10 s and at stop) with our settings: "
            + ", ".join(f"{t['people']:,} people changed → {t['seconds']:.2f} s" for t in ticks)
            + "."
        )
    return "\n".join(parts)


PROFILED_NOTE = "600 questions, 100 in flight"
PROFILE_ROWS = {
    "process_update": "PTB dispatch of one update, handler included",
    "answer_question": "our question handler",
    "echo": "the echo handler",
    "take_turn": "decide and render (no Telegram)",
    "reply_text": "build, send and parse the sendMessage",
    "note_unanswered": "unanswered-questions log (SQLite)",
    "get_updates": "long polling and parsing updates",
    "update_persistence": "persistence runs",
}
BOT_NAMES = {
    "ours": "this bot",
    "echo": "echo bot (run before ours)",
    "echo-again": "echo bot (run after ours)",
}


def startup_section(results: Results) -> str:
    startup = results.get("startup", {})
    e2e_runs = results.get("end_to_end", {}).get("runs", {})
    rows = []
    if "ask" in startup:
        ask = startup["ask"]
        rows.append(
            [
                f'`python -m bot ask "{startup["question"]}"`',
                f"{ask['median_s']:.3f} s (min {ask['min_s']:.3f}, max {ask['max_s']:.3f})",
                f"{ask['peak_rss_mb']:.0f} MB",
            ]
        )
        rows.append(
            [
                "`python -c pass` (interpreter alone)",
                f"{startup['interpreter']['median_s']:.3f} s",
                f"{startup['interpreter']['peak_rss_mb']:.0f} MB",
            ]
        )
        rows.append(
            [
                '`python -c "import bot.cli"`',
                f"{startup['import']['median_s']:.3f} s",
                f"{startup['import']['peak_rss_mb']:.0f} MB",
            ]
        )
    parts = [table(["command (fresh process, median of 5)", "wall time", "peak RSS"], rows)] if rows else []
    if startup.get("phases"):
        parts.append(
            "\nOne start-up in phases (fresh process, median of 3): "
            + ", ".join(
                f"{p['phase']} {p['seconds'] * 1000:.0f} ms (RSS {p['rss_mb']:.0f} MB)"
                for p in startup["phases"]
            )
            + ". Import time by package (`-X importtime`, self time summed): "
            + ", ".join(f"{p['package']} {p['ms']:.0f} ms" for p in startup.get("imports_by_package", []))
            + "."
        )
    memory_rows = []
    for kind in ("ours", "echo"):
        run = e2e_runs.get(kind)
        if run:
            memory_rows.append(
                [
                    "this bot" if kind == "ours" else "echo bot",
                    f"{run['rss_ready_mb']:.0f} MB",
                    f"{run['rss_after_mb']:.0f} MB",
                    f"{run['peak_rss_mb']:.0f} MB",
                    ", ".join(f"{phase} {mb:.0f}" for phase, mb in run.get("phases_rss_mb", {}).items())
                    or "–",
                ]
            )
    if memory_rows:
        parts.append("")
        parts.append(
            table(
                [
                    "bot process",
                    "RSS after start-up",
                    "RSS after the 5,000 questions",
                    "peak (VmHWM)",
                    "RSS (MB) after each start-up phase",
                ],
                memory_rows,
            )
        )
    converters = startup.get("converters_mb")
    if converters:
        parts.append(
            "\nOpenCC converters (`bot/chinese.py`), RSS growth on first use, each in a fresh process: "
            + ", ".join(f"{name} +{mb:.0f} MB" for name, mb in converters.items())
            + "."
        )
    return "\n".join(parts)


METHOD = """\
How each figure is measured (`bench/*.py` docstrings say why):

- **Quality**: `bot.evaluation.evaluate` scores every matcher; the baselines are wrapped to answer
  like a `Responder` (their best section, or a decline under a threshold). Each baseline's
  threshold maximises mean top-1 + out-of-scope declined − 2 × wrongly declined on the dev set
  (the objective of `bench/tune.py`). `@SimHelpBot` is removed from questions for the baselines,
  as our normalisation does.
- **Speed**: each (matcher, size) runs in a fresh process. Latency: `perf_counter_ns` around
  each call over the dev questions repeated and shuffled to 10,000 calls (time-boxed to 15 s
  when one call takes milliseconds: the count is in the table). The 100× knowledge base is
  generated from the real one: 100 variants of every section (`{id}-{k}`) with texts perturbed
  deterministically (words replaced by other words of the knowledge base, one adjacent pair
  swapped, a variant tag appended); the out-of-scope examples stay as they are. tracemalloc
  slows building ~4×, so at 100× memory is the process's RSS growth only.
- **End to end**: the tests' fake Bot API runs in the benchmark process on 127.0.0.1; each bot
  runs in its own process (`bench/e2e_bot.py`: what `python -m bot run` does, without the rate
  limiter, which would cap both bots at Telegram's ~30 messages/s); the echo bot is a bare
  `Application` with one `MessageHandler(filters.TEXT, echo)` and the same builder options, run
  before and after ours. 100 questions in flight (closed loop), ~1,000 users asking in turn,
  never faster than our flood guard allows. Latency = the fake's arrival time of the
  `sendMessage` − injection time; every question must get exactly one reply. RSS is the bot
  process's own (`/proc/<pid>/status`).
- **Start-up**: wall time of whole fresh processes (one unmeasured run first, so bytecode caches
  are warm as after any install)."""


def render(results: Results) -> str:
    """The whole report."""
    found = targets(results)
    sections = [
        "# Benchmark results",
        "",
        "Produced by `make bench` (`.venv/bin/python bench/run.py`); this file holds the latest run.",
        "",
        machine_section(results),
        "",
        "## Targets",
        "",
        targets_section(found),
        "",
        "## 1. Answer quality against baselines",
        "",
        quality_section(results.get("quality", {})),
        "## 2. Matcher speed",
        "",
        speed_section(results),
        "",
        "## 3. End to end (real Application, fake Bot API over HTTP on 127.0.0.1)",
        "",
        end_to_end_section(results.get("end_to_end", {})),
        "",
        "## 4. Start-up and footprint",
        "",
        startup_section(results),
        "",
        "## Method",
        "",
        METHOD,
        "",
    ]
    return "\n".join(sections)
