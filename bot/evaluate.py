"""Scoring the engine on question sets: accuracy, declines and wrong answers, kept apart.

A question set is YAML in the format of ``shared/eval/dev_questions.yaml``.  An
answerable question is *right* when the bot answers and cites one of its ``gold``
strings (every part's, for ``gold_parts``), *declined* when the bot declines, and
*wrong* otherwise; a ``no_answer`` question is right only when the bot declines.  A
declined answerable question is also counted as *offered* when one of the suggested
questions would have cited a gold string: the person is one tap from the answer.
Questions under ``tests/data/eval/`` are split once, by a fixed seed, into a tuning
part and a held-out part (``split_of``); sets under ``tests/data/tuning/`` (written blind
to find near-misses) are tuning data only.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from bot.answer import Answer, Thresholds, answer
from bot.matcher import Index
from bot.yamlfile import YamlFileError, read_yaml

SPLIT_SEED = "moscow-talks-2021"
HELDOUT_SHARE = 50  # percent of each file held out from tuning


class EvalFileError(Exception):
    """A question set that cannot be read."""


@dataclass(frozen=True)
class Case:
    """One question with what a right answer must cite."""

    question: str
    expect: str
    gold: tuple[str, ...]
    kind: str
    source: str
    gold_parts: tuple[tuple[str, ...], ...] = ()
    split: str = "dev"


@dataclass(frozen=True)
class Outcome:
    """How the engine did on one case."""

    case: Case
    answer: Answer
    verdict: str  # "right" | "wrong" | "declined"
    offered: bool = False  # declined, but a suggestion would have cited a gold string


def split_of(question: str) -> str:
    """"tuning" or "heldout", fixed for a question by ``SPLIT_SEED``."""
    digest = hashlib.sha256(f"{SPLIT_SEED}\n{question}".encode()).digest()
    return "heldout" if digest[0] * 100 // 256 < HELDOUT_SHARE else "tuning"


def load_cases(paths: Iterable[Path], *, split: bool | None = None) -> list[Case]:
    """Read question sets; ``split`` assigns tuning/held-out (default: for tests/data/eval)."""
    cases: list[Case] = []
    for path in paths:
        path = Path(path)
        try:
            items = read_yaml(path)
        except YamlFileError as exc:
            line = f":{exc.line}" if exc.line else ""
            raise EvalFileError(f"{path}{line}: {exc.message}") from None
        if not isinstance(items, list):
            raise EvalFileError(f"{path}: expected a list of questions")
        home = path.resolve().parent.parts[-2:]
        do_split = split if split is not None else home == ("data", "eval")
        # Sets under tests/data/tuning/ were written for tuning and are never held out.
        fixed = "tuning" if home == ("data", "tuning") else "dev"
        for item in items:
            if not isinstance(item, dict) or not isinstance(item.get("q"), str) or \
                    item.get("expect") not in ("answer", "no_answer"):
                raise EvalFileError(f"{path}:{getattr(item, 'line', '?')}: each item needs "
                                    "'q' and 'expect: answer|no_answer'")
            question = item["q"]
            cases.append(Case(
                question, item["expect"], tuple(item.get("gold") or ()),
                str(item.get("kind", "")), path.name,
                tuple(tuple(p) for p in item.get("gold_parts") or ()),
                split_of(question) if do_split else fixed,
            ))
    return cases


def _cited(answer_: Answer) -> list[str]:
    return [c.text for c in answer_.citations]


def judge(case: Case, result: Answer) -> str:
    """The verdict for one answer: "right", "wrong" or "declined"."""
    if case.expect == "no_answer":
        return "declined" if not result.answered else "wrong"
    if not result.answered:
        return "declined"
    cited = _cited(result)
    groups = case.gold_parts or (case.gold,)
    ok = all(any(g in c for g in group for c in cited) for group in groups)
    return "right" if ok else "wrong"


def evaluate(cases: Iterable[Case], index: Index, thresholds: Thresholds | None = None
             ) -> list[Outcome]:
    """Answer every case and judge it."""
    options = {"thresholds": thresholds} if thresholds else {}
    outcomes = []
    for case in cases:
        result = answer(case.question, index, **options)
        verdict = judge(case, result)
        outcomes.append(Outcome(case, result, verdict,
                                verdict == "declined" and _offered(case, result, index)))
    return outcomes


def _offered(case: Case, result: Answer, index: Index) -> bool:
    """Whether a suggestion offered with a decline leads to a right answer: one tap away."""
    if case.expect != "answer" or case.gold_parts:
        return False
    for suggestion in result.suggestions:
        entry = index.kb.entry(suggestion.entry)
        if entry and any(g in c.text for g in case.gold for c in entry.citations):
            return True
    return False


def is_correct(outcome: Outcome) -> bool:
    """Right for an answerable case, a decline for an unanswerable one."""
    if outcome.case.expect == "no_answer":
        return outcome.verdict == "declined"
    return outcome.verdict == "right"


@dataclass(frozen=True)
class Figures:
    """Headline figures for a group of outcomes."""

    total: int
    correct: int
    wrong: int
    missed: int  # answerable but declined
    offered: int = 0  # ... of which a suggestion was the right question

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 0.0

    @property
    def wrong_rate(self) -> float:
        return self.wrong / self.total if self.total else 0.0

    @property
    def declined_rate(self) -> float:
        return self.missed / self.total if self.total else 0.0


def figures(outcomes: list[Outcome]) -> Figures:
    """Count correct, wrong and wrongly declined outcomes."""
    correct = sum(is_correct(o) for o in outcomes)
    wrong = sum(o.verdict == "wrong" for o in outcomes)
    missed = sum(o.case.expect == "answer" and o.verdict == "declined" for o in outcomes)
    return Figures(len(outcomes), correct, wrong, missed, sum(o.offered for o in outcomes))


def _line(label: str, f: Figures) -> str:
    offered = f" ({f.offered} with the right question suggested)" if f.offered else ""
    return (f"  {label:<28} {f.correct:>4}/{f.total:<4} {f.accuracy:6.1%}   "
            f"wrong {f.wrong:>3} ({f.wrong_rate:5.1%})   declined {f.missed:>3}{offered}")


def report(outcomes: list[Outcome], *, show_failures: bool = True) -> str:
    """A readable report: overall, by split, by expect, by kind, then the failures."""
    lines = ["overall", _line("all", figures(outcomes))]
    for title, key in (("by split", lambda o: o.case.split),
                       ("by file", lambda o: o.case.source),
                       ("by expect", lambda o: o.case.expect),
                       ("by kind", lambda o: o.case.kind or "-")):
        groups: dict[str, list[Outcome]] = defaultdict(list)
        for o in outcomes:
            groups[key(o)].append(o)
        if title == "by split" and len(groups) < 2:
            continue
        lines.append(title)
        lines.extend(_line(name, figures(group)) for name, group in sorted(groups.items()))
    failures = [o for o in outcomes if not is_correct(o)]
    if show_failures and failures:
        lines.append(f"failures ({len(failures)})")
        for o in failures:
            what = "WRONG" if o.verdict == "wrong" else "declined"
            got = o.answer.entry or (f"¶{o.answer.citations[0].paragraph}"
                                     if o.answer.citations else "-")
            lines.append(f"  [{what}] ({o.case.split}/{o.case.kind}) {o.case.question!r} -> "
                         f"{got} score {o.answer.score:.3f}")
    return "\n".join(lines)


def failure_report(outcomes: list[Outcome], index: Index) -> list[dict[str, object]]:
    """The failures as a curator's work list: the question, what the bot did and why, the
    gold passages a right answer cites, and the entries whose citations hold them.

    Only ever give a curator failures of tuning data: a held-out question fixed by hand
    measures nothing afterwards.
    """
    items: list[dict[str, object]] = []
    for o in outcomes:
        if is_correct(o):
            continue
        case = o.case
        citing = [e.id for e in index.kb.entries
                  if any(g in c.text for g in case.gold for c in e.citations)]
        items.append({
            "question": case.question, "kind": case.kind, "expect": case.expect,
            "source": case.source, "split": case.split,
            "bot": f"answered {o.answer.entry or 'from the article'}" if o.answer.answered
            else "declined",
            "reason": o.answer.explanation.reason,
            "gold": list(case.gold), "entries_citing_gold": citing,
        })
    return items


def sweep(cases: list[Case], index: Index, values: Iterable[float], *,
          knob: str = "confidence", base: Thresholds | None = None
          ) -> list[tuple[float, Figures]]:
    """Figures at each value of one threshold (``knob``), for choosing and plotting it."""
    base = base or Thresholds()
    return [(v, figures(evaluate(cases, index, replace(base, **{knob: v})))) for v in values]


def fit_confidence(cases: list[Case], index: Index) -> tuple[float, dict[str, float], int]:
    """Fit :mod:`bot.confidence` on ``cases``: each best match labelled right or not.

    Returns the intercept, the coefficients and the number of samples.
    """
    from bot.confidence import fit

    permissive = Thresholds(accept=0.0, confidence=0.0, sentence=9.0)
    samples = []
    for case in cases:
        result = answer(case.question, index, thresholds=permissive)
        if result.parts or not result.explanation.features:
            continue
        samples.append((result.explanation.features, judge(case, result) == "right"))
    intercept, coefficients = fit(samples)
    return intercept, coefficients, len(samples)


def plot_sweep(rows: list[tuple[float, Figures]], path: Path, title: str,
               knob: str = "confidence") -> None:
    """Draw accuracy, declined and wrong rates against the threshold (needs matplotlib)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    xs = [a for a, _ in rows]
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.plot(xs, [f.accuracy for _, f in rows], label="accuracy")
    ax.plot(xs, [f.declined_rate for _, f in rows], label="answerable but declined")
    ax.plot(xs, [f.wrong_rate for _, f in rows], label="answered wrongly")
    ax.axvline(getattr(Thresholds(), knob), color="grey", linestyle=":",
               label="chosen cut-off")
    ax.set_xlabel(f"{knob} cut-off")
    ax.set_ylabel("share of questions")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
