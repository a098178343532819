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


# Lowercase "us" before one of these is the country ("us officials", "us-led"), not the
# pronoun ("tell us"), so it is read as "US".
_COUNTRY_US = re.compile(
    r"\bus(?=[ -](?:officials?|troops|soldiers|forces|envoys?|government|president|delegation|"
    r"delegates|army|military|side|administration|diplomats?|led|occupation|withdrawal|"
    r"embassy|dollars?|sanctions)\b)")


def _shouting(text: str) -> bool:
    """ALL CAPS text, where case says nothing ("WHO IS HANAFI")."""
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 6 and sum(c.isupper() for c in letters) / len(letters) > 0.8


class Synonyms:
    """Alias groups ready to apply; ``fold`` applies them to cleaned text.

    Case-insensitive aliases are matched word by word on normalised text (longest phrase
    first; a trailing ``*`` makes the last word a prefix, for inflected forms such as
    "росси*"), which costs a few dictionary look-ups per word however many aliases there
    are.  The few case-sensitive ones ("IS", "US") are one small regular expression.
    """

    def __init__(self, groups: tuple[AliasGroup, ...] = ()) -> None:
        self.groups = groups
        self.tokens = frozenset(g.token for g in groups)
        self.entity_tokens = frozenset(g.token for g in groups if g.kind in ENTITY_KINDS)
        self.person_tokens = frozenset(g.token for g in groups if g.kind == "person")
        self.place_tokens = frozenset(g.token for g in groups if g.kind in ("country", "place"))
        self.country_tokens = frozenset(g.token for g in groups if g.kind == "country")
        self.organisation_tokens = frozenset(g.token for g in groups
                                             if g.kind in ("organisation", "group"))
        exact: dict[str, str] = {}
        phrases: dict[tuple[str, ...], str] = {}
        prefixes: dict[tuple[tuple[str, ...], str], str] = {}
        for group in groups:
            for alias in group.aliases:
                if alias in group.case_sensitive:
                    exact[alias] = group.token
                    continue
                words = tuple(normalise(alias.rstrip("*")).split())
                if not words:
                    continue
                if alias.endswith("*"):
                    prefixes.setdefault((words[:-1], words[-1]), group.token)
                else:
                    phrases.setdefault(words, group.token)
            phrases.setdefault(tuple(normalise(group.canonical).split()), group.token)
        self._exact = exact
        self._exact_re = re.compile(
            r"(?<!\w)(?:{})(?!\w)".format("|".join(
                re.escape(a) for a in sorted(exact, key=lambda a: (-len(a), a))))
        ) if exact else None
        self._phrases = phrases
        self._prefixes = prefixes
        self._longest = max((len(k) for k in phrases), default=0)
        self._longest = max(self._longest, max((len(h) + 1 for h, _ in prefixes), default=0))
        self._heads = {h for h, _ in prefixes} | {k[:n] for k in phrases for n in range(len(k))}
        lengths: dict[tuple[str, ...], set[int]] = {}
        for head, stem_ in prefixes:
            lengths.setdefault(head, set()).add(len(stem_))
        self._stem_lengths = {h: sorted(n, reverse=True) for h, n in lengths.items()}

    def _match(self, words: list[str], i: int) -> tuple[int, str] | None:
        """The longest alias starting at ``words[i]``: (number of words, token)."""
        for n in range(min(self._longest, len(words) - i), 0, -1):
            head = tuple(words[i:i + n - 1])
            if head not in self._heads:
                continue
            phrase = (*head, words[i + n - 1])
            if phrase in self._phrases:
                return n, self._phrases[phrase]
            last = words[i + n - 1]
            for length in self._stem_lengths.get(head, ()):
                if length <= len(last):
                    token = self._prefixes.get((head, last[:length]))
                    if token is not None:
                        return n, token
        return None

    def fold(self, cleaned: str) -> tuple[str, tuple[Fired, ...]]:
        """Return the normalised text with aliases folded, and which aliases fired.

        ``cleaned`` is text after :func:`bot.normalise.clean` (case still intact), so
        case-sensitive aliases such as "IS" never catch the verb "is".
        """
        fired: list[Fired] = []
        if _shouting(cleaned):
            cleaned = cleaned.lower()  # "WHO IS HANAFI": case says nothing, so "IS" is "is"
        cleaned = _COUNTRY_US.sub("US", cleaned)
        if self._exact_re is not None:
            def sub(match: re.Match[str]) -> str:
                token = self._exact[match[0]]
                fired.append(Fired(match[0], token))
                return f" {token} "
            cleaned = self._exact_re.sub(sub, cleaned)
        words = normalise(cleaned).split()
        out: list[str] = []
        i = 0
        while i < len(words):
            found = self._match(words, i)
            if found is None:
                out.append(words[i])
                i += 1
                continue
            n, token = found
            fired.append(Fired(" ".join(words[i:i + n]), token))
            out.append(token)
            i += n
        return " ".join(out), tuple(fired)
