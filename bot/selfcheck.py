"""Does every curated wording reach its own entry?  A check for knowledge maintainers.

A wording the engine answers with another entry (or declines) is dead weight at best; at
worst it shows that two entries overlap, or that an alias folds a word the wrong way.
``misrouted_wordings`` asks the engine every wording and reports those that miss, with the
YAML file and line, so ``python -m bot validate --answers`` can point at each one.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.answer import answer
from bot.knowledge import Problem
from bot.matcher import Index


@dataclass(frozen=True)
class Misrouted:
    """A curated wording that does not lead to its own entry."""

    entry: str
    wording: str
    got: str | None  # the entry answered instead, or None when declined
    reason: str
    file: str
    line: int | None

    def problem(self) -> Problem:
        """As a validation warning."""
        outcome = f"is answered by {self.got}" if self.got else f"is declined ({self.reason})"
        return Problem("warning", self.file, f"wording {self.wording!r} {outcome}",
                       self.line, self.entry)


def _line_of(lines: list[str], entry_line: int, wording: str) -> int | None:
    """The line of ``wording``'s list item, searched from its entry's line on (the YAML
    loader keeps lines for mappings, not for list items)."""
    for number in range(max(entry_line, 1), len(lines) + 1):
        text = lines[number - 1].strip()
        if text.startswith("- ") and wording in text:
            return number
    return None


def misrouted_wordings(index: Index) -> list[Misrouted]:
    """Every wording in the knowledge base that the engine does not answer with its entry."""
    found: list[Misrouted] = []
    files: dict[str, list[str]] = {}
    for entry in index.kb.entries:
        name = f"{entry.article}.yaml"  # each article's entries live in <slug>.yaml
        for wording in (*entry.questions, *entry.questions_ru):
            result = answer(wording, index)
            if result.entry == entry.id or entry.id in {p.entry for p in result.parts}:
                continue
            if name not in files:
                try:
                    files[name] = (Path(index.kb.directory) / name).read_text("utf-8").splitlines()
                except OSError:
                    files[name] = []
            found.append(Misrouted(entry.id, wording, result.entry,
                                   result.explanation.reason,
                                   f"{Path(index.kb.directory).name}/{name}",
                                   _line_of(files[name], entry.line, wording)))
    return found
