"""Figures over the question log: volume, answer rate, what is asked and what is missing.

Pure functions over :class:`bot.store.Row` values; ``format_report`` and ``headline``
turn them into text, ``plot_report`` into a picture (matplotlib, imported only there).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from bot.normalise import normalise

if TYPE_CHECKING:
    from bot.store import Row


class ReportError(Exception):
    """A report cannot be made; the message is one line for a person."""


@dataclass(frozen=True)
class Figures:
    """Counts over a set of rows."""

    questions: int = 0
    answered: int = 0
    declined: int = 0
    suggestion: int = 0
    helpful: int = 0
    not_helpful: int = 0

    def rate(self, count: int) -> float:
        """``count`` as a share of all questions (0 when there are none)."""
        return count / self.questions if self.questions else 0.0

    @property
    def answer_rate(self) -> float:
        """Share of questions answered."""
        return self.rate(self.answered)

    @property
    def declined_rate(self) -> float:
        """Share declined, counting those declined with close suggestions."""
        return self.rate(self.declined + self.suggestion)


def figures(rows: Iterable[Row]) -> Figures:
    """Questions, outcomes and feedback counted over ``rows``."""
    outcomes: Counter[str] = Counter()
    votes: Counter[bool | None] = Counter()
    for row in rows:
        outcomes[row.outcome] += 1
        votes[row.feedback] += 1
    return Figures(sum(outcomes.values()), outcomes["answered"], outcomes["declined"],
                   outcomes["suggestion"], votes[True], votes[False])


def per_day(rows: Sequence[Row]) -> list[tuple[date, Figures]]:
    """Figures for each UTC day from the first row to the last, empty days included."""
    days: dict[date, list[Row]] = {}
    for row in rows:
        days.setdefault(row.time.date(), []).append(row)
    if not days:
        return []
    first, last = min(days), max(days)
    span = (last - first).days + 1
    every = (first + timedelta(days=n) for n in range(span))
    return [(day, figures(days.get(day, []))) for day in every]


def _top(counts: Counter[str], limit: int) -> list[tuple[str, int]]:
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:limit]


def most_asked(rows: Iterable[Row], limit: int = 5) -> list[tuple[str, int]]:
    """Entries answered most often, with their counts."""
    return _top(Counter(r.entry for r in rows if r.outcome == "answered" and r.entry), limit)


def most_unhelpful(rows: Iterable[Row], limit: int = 5) -> list[tuple[str, int]]:
    """Entries whose answers were marked "not helpful" most often."""
    return _top(Counter(r.entry for r in rows if r.feedback is False and r.entry), limit)


def top_unanswered(rows: Iterable[Row], limit: int = 10) -> list[tuple[str, int]]:
    """Questions declined most often, grouped by normalised text, as (a wording, count).

    The wording shown is the group's most frequent one (the first seen on a tie).
    """
    groups: dict[str, Counter[str]] = {}
    for row in rows:
        if row.outcome != "answered":
            key = normalise(row.question)
            if key:
                groups.setdefault(key, Counter())[row.question.strip()] += 1
    counted = {wordings.most_common(1)[0][0]: wordings.total() for wordings in groups.values()}
    return _top(Counter(counted), limit)


def _since(days: int | None) -> str:
    return "all recorded time" if days is None else f"the last {days} day(s)"


def format_report(rows: Sequence[Row], *, days: int | None = None, limit: int = 10) -> str:
    """The terminal report: headline figures, volume per day, top and missing questions."""
    total = figures(rows)
    if not total.questions:
        return f"No questions recorded in {_since(days)}."
    lines = [
        f"Questions in {_since(days)}: {total.questions}",
        f"  answered   {total.answered:>6}  {total.answer_rate:6.1%}",
        f"  declined   {total.declined:>6}  {total.rate(total.declined):6.1%}",
        f"  suggestion {total.suggestion:>6}  {total.rate(total.suggestion):6.1%}"
        "  (declined, closest questions offered)",
        f"  feedback   {total.helpful} helpful, {total.not_helpful} not helpful",
        "",
        "Per day (UTC)        questions  answered",
    ]
    lines += [f"  {day.isoformat()}       {f.questions:>6}    {f.answer_rate:6.1%}"
              for day, f in per_day(rows)]
    for title, pairs in (("Most asked entries", most_asked(rows, limit)),
                         ("Most often not helpful", most_unhelpful(rows, limit)),
                         ("Most asked unanswered questions", top_unanswered(rows, limit))):
        lines += ["", title]
        lines += [f"  {count:>5}  {name}" for name, count in pairs] or ["  (none)"]
    return "\n".join(lines)


def headline(rows: Sequence[Row], *, days: int) -> str:
    """A few plain-text lines of headline figures, for a Telegram /stats command."""
    total = figures(rows)
    if not total.questions:
        return f"No questions recorded in {_since(days)}."
    top = ", ".join(f"{entry} ({count})" for entry, count in most_asked(rows, 3)) or "none"
    return "\n".join([
        f"Questions in {_since(days)}: {total.questions}",
        f"Answered {total.answer_rate:.0%}, declined {total.declined_rate:.0%}",
        f"Feedback: {total.helpful} helpful, {total.not_helpful} not helpful",
        f"Most asked: {top}",
    ])


def plot_report(rows: Sequence[Row], path: Path) -> None:
    """Draw questions per day and the answer rate per day into ``path`` (needs matplotlib)."""
    try:
        import matplotlib
    except ImportError:
        raise ReportError("plotting needs matplotlib: pip install matplotlib") from None
    matplotlib.use("Agg")
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt

    days = per_day(rows)
    if not days:
        raise ReportError("no questions recorded in that period: nothing to plot")
    xs = [day for day, _ in days]
    fig, (volume, rate) = plt.subplots(2, 1, sharex=True, figsize=(8, 5))
    volume.bar(xs, [f.answered for _, f in days], label="answered")
    volume.bar(xs, [f.questions - f.answered for _, f in days],
               bottom=[f.answered for _, f in days], label="not answered")
    volume.set_ylabel("questions")
    volume.legend()
    rate.plot(xs, [f.answer_rate if f.questions else float("nan") for _, f in days],
              marker="o")
    rate.set_ylim(0, 1)
    rate.set_ylabel("answer rate")
    for ax in (volume, rate):
        ax.grid(alpha=0.3)
    rate.xaxis.set_major_locator(mdates.DayLocator(interval=max(1, len(days) // 10)))
    rate.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m-%d"))
    fig.autofmt_xdate()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
