"""Per-question cost on the real knowledge base: the bot beside the alternatives, same run."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.alternatives import (
    Accuracy,
    bm25_matcher,
    oracle_threshold,
    rapidfuzz_matcher,
    thefuzz_matcher,
    wordings,
)
from bench.timing import Latency, time_methods
from bot.answer import answer
from bot.evaluate import Case, evaluate, figures
from bot.knowledge import load_knowledge
from bot.matcher import Index

BOT = "bot answer()"
THEFUZZ = "thefuzz extractOne"
RAPIDFUZZ = "rapidfuzz extractOne"
BM25 = "BM25Okapi paragraphs"
METHODS = (BOT, THEFUZZ, RAPIDFUZZ, BM25)
BASELINE = RAPIDFUZZ


@dataclass(frozen=True)
class Row:
    """One method's speed and, where there is a dev set, its accuracy."""

    method: str
    latency: Latency
    accuracy: Accuracy | None
    over: str  # what it searches


@dataclass(frozen=True)
class PerQuestion:
    """The per-question comparison on one knowledge base."""

    knowledge: Path
    entries: int
    wordings: int
    paragraphs: int
    questions: int
    rows: tuple[Row, ...]

    def row(self, method: str) -> Row:
        return next(r for r in self.rows if r.method == method)


def run(knowledge: Path, cases: Sequence[Case], questions: Sequence[str], *, rounds: int,
        budget_s: float) -> PerQuestion:
    """Time the bot and each alternative over ``questions``; score all on ``cases``."""
    kb = load_knowledge(knowledge)
    index = Index(kb)
    texts, cites = wordings(kb)
    matchers = {THEFUZZ: thefuzz_matcher(kb), RAPIDFUZZ: rapidfuzz_matcher(texts, cites),
                BM25: bm25_matcher(kb)}
    methods = {BOT: lambda q: answer(q, index), **matchers}
    latency = time_methods(methods, questions, rounds=rounds, budget_s=budget_s,
                           label="per-question")
    scores: dict[str, Accuracy | None] = dict.fromkeys(METHODS)
    if cases:
        f = figures(evaluate(cases, index))
        scores[BOT] = Accuracy(f.accuracy, f.wrong_rate, f.declined_rate)
        for name, search in matchers.items():
            scores[name] = oracle_threshold(cases, [search(c.question) for c in cases])
    paragraphs = sum(len(a.paragraphs) for a in kb.articles.values())
    over = {BOT: f"{len(kb.entries)} entries + article sentences",
            THEFUZZ: f"{len(texts)} wordings", RAPIDFUZZ: f"{len(texts)} wordings",
            BM25: f"{paragraphs} paragraphs"}
    rows = tuple(Row(m, latency[m], scores[m], over[m]) for m in METHODS)
    return PerQuestion(Path(knowledge), len(kb.entries), len(texts), paragraphs,
                       len(questions), rows)
