"""``python -m bench [--quick] [--write]``: run the benchmarks, print the tables.

The full run (ten minutes or so on two cores) writes ``bench/RESULTS.md`` and
``bench/latency.png``; ``--quick`` (under a minute, for CI) only prints.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bench import BUNDLED_KNOWLEDGE, dev_set, e2e, perquestion, report, scale, startup, tables
from bot.evaluate import load_cases
from bot.knowledge import KnowledgeError, load_knowledge

HERE = Path(__file__).resolve().parent
PARTS = ("per-question", "scale", "e2e", "startup")


@dataclass(frozen=True)
class Plan:
    """How much of everything to measure."""

    rounds: int  # per-question rounds over the dev questions
    budget_s: float  # stop adding rounds after this long (at least two are run)
    sizes: tuple[int, ...]
    scale_questions: int | None  # None: every dev question
    scale_rounds: int
    scale_budget_s: float
    burst: int
    kinds: tuple[str, ...]
    startup_runs: int
    poll_runs: int


QUICK = Plan(rounds=3, budget_s=5, sizes=(1_000, 10_000), scale_questions=8, scale_rounds=2,
             scale_budget_s=3, burst=200, kinds=(e2e.ECHO, e2e.BOT), startup_runs=2,
             poll_runs=1)
FULL = Plan(rounds=50, budget_s=120, sizes=(1_000, 10_000, 100_000), scale_questions=None,
            scale_rounds=5, scale_budget_s=60, burst=5_000, kinds=e2e.KINDS, startup_runs=10,
            poll_runs=5)


def _parts(text: str) -> tuple[str, ...]:
    parts = tuple(p.strip() for p in text.split(",") if p.strip())
    unknown = set(parts) - set(PARTS)
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown part(s) {', '.join(sorted(unknown))}; "
                                         f"choose from {', '.join(PARTS)}")
    return parts


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Benchmark the bot: per-question cost beside the alternatives, scale, "
                    "Telegram throughput and start-up. Prints tables; the full run also writes "
                    "bench/RESULTS.md and bench/latency.png.")
    parser.add_argument("--quick", action="store_true",
                        help="small sizes, few repetitions (CI); writes nothing unless --write")
    parser.add_argument("--write", action="store_true",
                        help="write bench/RESULTS.md and bench/latency.png (default: only a "
                             "full run of every part)")
    parser.add_argument("--knowledge", type=Path, default=BUNDLED_KNOWLEDGE, metavar="DIR",
                        help="knowledge directory (default: the bundled one)")
    parser.add_argument("--parts", type=_parts, default=PARTS, metavar="LIST",
                        help=f"comma-separated subset of {','.join(PARTS)} (default: all)")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the chosen parts, print their tables, and write the results if asked."""
    args = build_parser().parse_args(argv)
    plan = QUICK if args.quick else FULL
    # Only a full run of every part replaces the published results unasked.
    write = args.write or (not args.quick and set(args.parts) == set(PARTS))
    started = time.perf_counter()
    load_at_start = os.getloadavg()[0]
    try:
        kb = load_knowledge(args.knowledge)
    except KnowledgeError as exc:
        print(f"error: the knowledge base in {args.knowledge} does not load: {exc}",
              file=sys.stderr)
        return 1
    dev = dev_set()
    cases = load_cases([dev]) if dev else []
    questions = [c.question for c in cases] or [e.canonical for e in kb.entries]
    if dev is None:
        print("note: no dev set beside the repository; accuracy is not measured",
              file=sys.stderr)

    out: list[report.Table] = []
    plot: dict[str, list[tuple[int, float]]] = {}
    threshold = None

    def show(table: report.Table) -> None:
        out.append(table)
        print(table.text() + "\n", flush=True)
        print(f"  ({time.perf_counter() - started:.0f} s so far)", file=sys.stderr)

    if "per-question" in args.parts or "scale" in args.parts:
        print("per-question cost on the real knowledge base", file=sys.stderr)
        pq = perquestion.run(args.knowledge, cases, questions, rounds=plan.rounds,
                             budget_s=plan.budget_s)
        fuzz = pq.row(perquestion.RAPIDFUZZ).accuracy
        if fuzz and fuzz.threshold is not None and math.isfinite(fuzz.threshold):
            threshold = fuzz.threshold  # the scale part keeps it, as a deployed bot would
        if "per-question" in args.parts:
            show(tables.per_question(pq, plan.rounds))
        for row in pq.rows:
            plot.setdefault(row.method, []).append((pq.entries, row.latency.p50_ms))
    if "scale" in args.parts:
        print("scale: synthetic knowledge bases", file=sys.stderr)
        timed = questions[:plan.scale_questions] if plan.scale_questions else questions
        limit = len(timed) if plan.scale_questions else None
        sizes = scale.run(args.knowledge, plan.sizes, timed, dev=dev, threshold=threshold,
                          rounds=plan.scale_rounds, budget_s=plan.scale_budget_s,
                          accuracy_limit=limit, include_real=not args.quick)
        show(tables.scale(sizes, args.quick, limit or len(cases)))
        for size in sizes[0 if args.quick else 1:]:
            plot[perquestion.BOT].append((size.entries, size.bot.p50_ms))
            plot[perquestion.RAPIDFUZZ].append((size.entries, size.rapidfuzz.p50_ms))
    if "e2e" in args.parts:
        missing = e2e.available()
        if missing:
            show(tables.skipped("End to end", missing))
        else:
            show(tables.end_to_end(e2e.run(questions, plan.burst, args.knowledge, plan.kinds)))
    if "startup" in args.parts:
        one_shot = startup.one_shot(args.knowledge, plan.startup_runs)
        missing = e2e.available()
        polls = [] if missing else startup.to_first_poll(args.knowledge, plan.poll_runs)
        show(tables.startup(one_shot, polls, missing))

    elapsed = time.perf_counter() - started
    print(f"done in {elapsed:.0f} s", file=sys.stderr)
    if write:
        image = None
        if "scale" in args.parts:
            image = "latency.png"
            report.plot_latency(plot, HERE / image, (tables.TARGET_ENTRIES,
                                                     tables.TARGET_P50_MS))
        command = "python -m bench" + (" --quick --write" if args.quick else "")
        when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        (HERE / "RESULTS.md").write_text(
            report.results_markdown(out, when, command, image, METHOD,
                                    (load_at_start, os.getloadavg()[0])), encoding="utf-8")
        print(f"wrote {HERE / 'RESULTS.md'}" + (f" and {HERE / image}" if image else ""),
              file=sys.stderr)
    return 0


METHOD = [
    "Latency: `time.perf_counter_ns` around each call, after a warm-up pass; the methods "
    "are interleaved round by round over the dev questions so drift hits all alike; "
    "p50/p99 are nearest-rank percentiles; questions/s is calls over busy time.",
    "Scale: synthetic entries recombine and perturb the real wordings (words swapped, about "
    "a third replaced by real or Zipf-drawn made-up words, 2-5 English and 0-2 Russian "
    "wordings each) and cite verbatim word spans of the article; the real entries stay in. "
    "Each size and engine is measured in a fresh process.",
    "End to end: the bot and a bare python-telegram-bot echo bot each run as a child "
    "process with long polling against the Bot API stand-in of tests/standin.",
    "Start-up: subprocess wall time; the first-poll figure is process start to the first "
    "getUpdates the stand-in receives.",
]


if __name__ == "__main__":
    sys.exit(main())
