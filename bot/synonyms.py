"""Alias folding: every name a person may use for one thing becomes one canonical token."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.normalise import normalise

ENTITY_KINDS = frozenset({"person", "country", "organisation", "place", "group"})


@dataclass(frozen=True)
class AliasGroup:
    """One thing and the names it goes by, as written in ``synonyms.yaml``."""

    canonical: str
    kind: str
    aliases: tuple[str, ...]
    case_sensitive: tuple[str, ...] = ()

    @property
    def token(self) -> str:
        """The single token every alias folds into."""
        return normalise(self.canonical).replace(" ", "_")


@dataclass(frozen=True)
class Fired:
    """An alias found in a text and the canonical token it became."""

    alias: str
    token: str


def _shouting(text: str) -> bool:
    """ALL CAPS text, where case says nothing ("WHO IS HANAFI")."""
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 6 and sum(c.isupper() for c in letters) / len(letters) > 0.8


def _alternative(alias: str) -> str:
    if alias.endswith("*"):
        return re.escape(alias[:-1]) + r"\w*"
    return re.escape(alias)


class Synonyms:
    """Compiled alias groups; ``fold`` applies them to cleaned text."""

    def __init__(self, groups: tuple[AliasGroup, ...] = ()) -> None:
        self.groups = groups
        self.entity_tokens = frozenset(g.token for g in groups if g.kind in ENTITY_KINDS)
        exact: dict[str, str] = {}
        folded: dict[str, str] = {}
        for group in groups:
            for alias in group.aliases:
                if alias in group.case_sensitive:
                    exact[alias] = group.token
                else:
                    key = normalise(alias.rstrip("*")) + ("*" if alias.endswith("*") else "")
                    if key.strip("*"):
                        folded[key] = group.token
            folded.setdefault(normalise(group.canonical), group.token)
        self._exact = exact
        self._folded = {k.rstrip("*"): v for k, v in folded.items()}
        self._exact_re = self._compile(exact, flags=0)
        self._folded_re = self._compile(folded, flags=0)

    @staticmethod
    def _compile(aliases: dict[str, str], flags: int) -> re.Pattern[str] | None:
        if not aliases:
            return None
        ordered = sorted(aliases, key=lambda a: (-len(a.rstrip("*")), a))
        body = "|".join(_alternative(a) for a in ordered)
        return re.compile(rf"(?<!\w)(?:{body})(?!\w)", flags)

    def _lookup(self, table: dict[str, str], matched: str) -> str:
        if matched in table:
            return table[matched]
        # A prefix alias ("росси*"): the longest stem that starts the match.
        stems = [s for s in table if matched.startswith(s)]
        return table[max(stems, key=len)]

    def fold(self, cleaned: str) -> tuple[str, tuple[Fired, ...]]:
        """Return the normalised text with aliases folded, and which aliases fired.

        ``cleaned`` is text after :func:`bot.normalise.clean` (case still intact), so
        case-sensitive aliases such as "IS" never catch the verb "is".
        """
        fired: list[Fired] = []

        def replace(table: dict[str, str]):
            def sub(match: re.Match[str]) -> str:
                token = self._lookup(table, match[0])
                fired.append(Fired(match[0], token))
                return f" {token} "
            return sub

        if self._exact_re is not None and not _shouting(cleaned):
            cleaned = self._exact_re.sub(replace(self._exact), cleaned)
        text = normalise(cleaned)
        if self._folded_re is not None:
            text = self._folded_re.sub(replace(self._folded), text)
        return " ".join(text.split()), tuple(fired)
