"""Scale: load time, memory and per-question cost as the knowledge base grows.

Each (size, engine) pair is measured in a fresh process (``python -m bench.scale ...``)
so one size's memory never shows up in another's.  The worker prints one JSON object
on its last stdout line; progress goes to stderr.  Only the standard library and psutil
are imported before the baseline memory is read.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import psutil

from bench import REPO

BOT = "bot"
RAPIDFUZZ = "rapidfuzz"
ENGINES = (BOT, RAPIDFUZZ)
WORKER_TIMEOUT_S = 3600


@dataclass(frozen=True)
class Point:
    """One engine at one knowledge-base size."""

    engine: str
    entries: int
    wordings: int
    load_s: float  # reading and validating the YAML (bot: load_knowledge)
    index_s: float  # building the matching structures (bot: Index)
    base_mb: float  # RSS after imports, before loading
    rss_mb: float  # RSS after loading and answering every question
    peak_mb: float  # the process's peak RSS
    p50_ms: float
    p99_ms: float
    per_second: float
    timed: int  # timed calls
    accuracy: float | None
    wrong: float | None
    declined: float | None


def _rss_mb() -> float:
    return psutil.Process().memory_info().rss / 2**20


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def _load_bot(knowledge: Path):
    from bot.answer import answer
    from bot.knowledge import load_knowledge
    from bot.matcher import Index

    t0 = time.perf_counter()
    kb = load_knowledge(knowledge)
    t1 = time.perf_counter()
    index = Index(kb)
    t2 = time.perf_counter()
    wordings = sum(len(e.questions) + len(e.questions_ru) for e in kb.entries)
    return (lambda q: answer(q, index)), index, len(kb.entries), wordings, t1 - t0, t2 - t1


def _load_rapidfuzz(knowledge: Path):
    """What a developer would write: ``yaml.safe_load`` each file, list every wording."""
    import yaml

    t0 = time.perf_counter()
    texts: list[str] = []
    quotes: list[tuple[str, tuple[str, ...]]] = []
    entries = 0
    for path in sorted(knowledge.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or "entries" not in data:
            continue  # synonyms.yaml
        for entry in data["entries"]:
            entries += 1
            for text in (*entry["questions"], *entry.get("questions_ru", ())):
                texts.append(text)
                quotes.append((path.stem, tuple(entry["quotes"])))
    return texts, quotes, entries, time.perf_counter() - t0


def worker(engine: str, knowledge: Path, questions: list[str], dev: Path | None,
           threshold: float | None, rounds: int, budget_s: float,
           accuracy_limit: int | None = None) -> Point:
    """Measure one engine on one knowledge base, in this (fresh) process."""
    base = _rss_mb()
    print(f"  {engine}: loading {knowledge.name}", file=sys.stderr, flush=True)
    if engine == BOT:
        call, index, entries, wordings, load_s, index_s = _load_bot(knowledge)
    else:
        texts, quotes, entries, load_s = _load_rapidfuzz(knowledge)
        wordings = len(texts)
    from bench.alternatives import accuracy_at, rapidfuzz_matcher
    from bench.timing import time_methods
    from bot.evaluate import evaluate, figures, load_cases
    from bot.knowledge import Citation

    if engine == RAPIDFUZZ:
        t0 = time.perf_counter()
        cites = [tuple(Citation(slug, 0, q) for q in qs) for slug, qs in quotes]
        call = rapidfuzz_matcher(texts, cites)
        index_s = time.perf_counter() - t0
    accuracy = wrong = declined = None
    if dev is not None:
        print(f"  {engine} {entries:,} entries: dev set", file=sys.stderr, flush=True)
        cases = load_cases([dev])[:accuracy_limit]
        if engine == BOT:
            f = figures(evaluate(cases, index))
            accuracy, wrong, declined = f.accuracy, f.wrong_rate, f.declined_rate
        elif threshold is not None:
            found = accuracy_at(cases, [call(c.question) for c in cases], threshold)
            accuracy, wrong, declined = found.accuracy, found.wrong, found.declined
    latency = time_methods({engine: call}, questions, rounds=rounds, budget_s=budget_s,
                           warmup=0 if dev is not None else 1,
                           label=f"{engine} {entries:,} entries")[engine]
    return Point(engine, entries, wordings, load_s, index_s, base, _rss_mb(), _peak_mb(),
                 latency.p50_ms, latency.p99_ms, latency.per_second, latency.calls,
                 accuracy, wrong, declined)


def measure(engine: str, knowledge: Path, questions: Sequence[str], *, dev: Path | None,
            threshold: float | None, rounds: int, budget_s: float,
            accuracy_limit: int | None = None) -> Point:
    """Run :func:`worker` in a fresh interpreter and return its figures."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(list(questions), handle)
    command = [sys.executable, "-m", "bench.scale", engine, str(knowledge), handle.name,
               "--rounds", str(rounds), "--budget", str(budget_s)]
    if dev is not None:
        command += ["--dev", str(dev)]
    if threshold is not None:
        command += ["--threshold", repr(threshold)]
    if accuracy_limit is not None:
        command += ["--accuracy-questions", str(accuracy_limit)]
    try:
        done = subprocess.run(command, cwd=REPO, stdout=subprocess.PIPE, text=True,
                              timeout=WORKER_TIMEOUT_S, check=True)
    finally:
        Path(handle.name).unlink()
    return Point(**json.loads(done.stdout.strip().splitlines()[-1]))


@dataclass(frozen=True)
class Size:
    """Both engines at one knowledge-base size, and what was generated for it."""

    entries: int
    files: int  # YAML files holding the synthetic entries (0: the real base)
    synthetic_bytes: int  # their size, were they one file
    bot: Point
    rapidfuzz: Point


def run(source: Path, sizes: Sequence[int], questions: Sequence[str], *, dev: Path | None,
        threshold: float | None, rounds: int, budget_s: float,
        accuracy_limit: int | None = None, include_real: bool = True) -> list[Size]:
    """The real base (unless not ``include_real``), then a synthetic base of each size:
    both engines on each, one after the other.

    Accuracy is measured on the first ``accuracy_limit`` dev questions (default: all).
    """
    from bench.synthetic import generate

    def both(knowledge: Path) -> tuple[Point, Point]:
        return tuple(measure(engine, knowledge, questions, dev=dev, threshold=threshold,
                             rounds=rounds, budget_s=budget_s, accuracy_limit=accuracy_limit)
                     for engine in ENGINES)

    found = []
    if include_real:
        bot, fuzz = both(source)
        found.append(Size(bot.entries, 0, 0, bot, fuzz))
    for size in sizes:
        with tempfile.TemporaryDirectory(prefix=f"bench-kb-{size}-") as tmp:
            print(f"  generating a {size:,}-entry knowledge base", file=sys.stderr, flush=True)
            made = generate(source, Path(tmp), size)
            bot, fuzz = both(Path(tmp))
            found.append(Size(made.entries, made.files, made.synthetic_bytes, bot, fuzz))
    return found


def main(argv: list[str] | None = None) -> int:
    """The worker's command line (called by :func:`measure`)."""
    parser = argparse.ArgumentParser(prog="python -m bench.scale")
    parser.add_argument("engine", choices=ENGINES)
    parser.add_argument("knowledge", type=Path)
    parser.add_argument("questions", type=Path, help="JSON list of questions to time")
    parser.add_argument("--dev", type=Path)
    parser.add_argument("--threshold", type=float)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--budget", type=float, default=60.0)
    parser.add_argument("--accuracy-questions", type=int)
    args = parser.parse_args(argv)
    questions = json.loads(args.questions.read_text(encoding="utf-8"))
    point = worker(args.engine, args.knowledge, questions, args.dev, args.threshold,
                   args.rounds, args.budget, args.accuracy_questions)
    print(json.dumps(point.__dict__))
    return 0


if __name__ == "__main__":
    sys.exit(main())
