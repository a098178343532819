"""The matchers a developer would otherwise pick, judged by the engine's own rule.

Each alternative returns its best guess and a score; deciding to answer needs a
threshold, which :func:`oracle_threshold` picks on the very questions it is scored on
(an upper bound on what the alternative could reach, said so in every table).  The
alternatives' imports stay inside their factories, so a process that measures one
alternative's memory carries no other's.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rapidfuzz import process as rf_process
from rapidfuzz import utils as rf_utils

from bot.answer import Answer
from bot.evaluate import Case, Outcome, figures, judge
from bot.knowledge import Citation, KnowledgeBase

_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Guess:
    """An alternative's best match for a question: its score and what it would cite."""

    score: float
    citations: tuple[Citation, ...]


def wordings(kb: KnowledgeBase) -> tuple[list[str], list[tuple[Citation, ...]]]:
    """Every entry's wordings (English and Russian), with the citations each leads to."""
    texts: list[str] = []
    cites: list[tuple[Citation, ...]] = []
    for entry in kb.entries:
        for text in (*entry.questions, *entry.questions_ru):
            texts.append(text)
            cites.append(entry.citations)
    return texts, cites


def thefuzz_matcher(kb: KnowledgeBase) -> Callable[[str], Guess]:
    """``thefuzz.process.extractOne`` over all wordings, defaults as documented."""
    from thefuzz import process as tf_process

    # thefuzz logs a warning for every query its processor empties ("?!"): noise here.
    logging.getLogger("thefuzz").setLevel(logging.ERROR)
    texts, cites = wordings(kb)
    choices = dict(enumerate(texts))

    def search(question: str) -> Guess:
        _text, score, key = tf_process.extractOne(question, choices)
        return Guess(score, cites[key])

    return search


def rapidfuzz_matcher(texts: Sequence[str], cites: Sequence[tuple[Citation, ...]]
                      ) -> Callable[[str], Guess]:
    """Plain ``rapidfuzz.process.extractOne`` (WRatio) with ``default_process``."""
    texts = list(texts)

    def search(question: str) -> Guess:
        found = rf_process.extractOne(question, texts, processor=rf_utils.default_process)
        if found is None:
            return Guess(0.0, ())
        return Guess(found[1], cites[found[2]])

    return search


def bm25_matcher(kb: KnowledgeBase) -> Callable[[str], Guess]:
    """``rank_bm25.BM25Okapi`` over the articles' paragraphs, lowercase word tokens."""
    from rank_bm25 import BM25Okapi

    paragraphs = [Citation(slug, number, text)
                  for slug, article in kb.articles.items()
                  for number, text in enumerate(article.paragraphs, 1)]
    bm25 = BM25Okapi([_WORD.findall(p.text.lower()) for p in paragraphs])

    def search(question: str) -> Guess:
        scores = bm25.get_scores(_WORD.findall(question.lower()))
        best = int(scores.argmax())
        return Guess(float(scores[best]), (paragraphs[best],))

    return search


def decide(case: Case, guess: Guess, threshold: float) -> Answer:
    """The alternative's answer at ``threshold``: cite its best match, or decline."""
    if guess.score >= threshold and guess.citations:
        return Answer(question=case.question, answered=True, text="",
                      citations=guess.citations, score=guess.score)
    return Answer(question=case.question, answered=False, text="", score=guess.score)


@dataclass(frozen=True)
class Accuracy:
    """Accuracy figures of one method on a question set."""

    accuracy: float
    wrong: float
    declined: float
    threshold: float | None = None


def accuracy_at(cases: Sequence[Case], guesses: Sequence[Guess], threshold: float) -> Accuracy:
    """Accuracy of an alternative's guesses at one threshold, by :func:`bot.evaluate.judge`."""
    outcomes = []
    for case, guess in zip(cases, guesses, strict=True):
        result = decide(case, guess, threshold)
        outcomes.append(Outcome(case, result, judge(case, result)))
    f = figures(outcomes)
    return Accuracy(f.accuracy, f.wrong_rate, f.declined_rate, threshold)


def oracle_threshold(cases: Sequence[Case], guesses: Sequence[Guess]) -> Accuracy:
    """The threshold with the best accuracy on these very cases (ties: fewer wrong)."""
    candidates = sorted({g.score for g in guesses} | {float("inf")})
    best: Accuracy | None = None
    for threshold in candidates:
        found = accuracy_at(cases, guesses, threshold)
        if best is None or (found.accuracy, -found.wrong) > (best.accuracy, -best.wrong):
            best = found
    assert best is not None
    return best
