"""From the question log to a knowledge-base draft: what people ask that the bot can't answer.

``unanswered_clusters`` gathers the declined questions and those marked "not helpful",
groups paraphrases with rapidfuzz, and names the closest existing entry for each group;
``export_yaml`` writes a YAML draft that a curator checks and pastes into the knowledge
base.  Nothing here edits the knowledge base itself.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from rapidfuzz import fuzz

from bot.lexicon import QUESTION_WORDS, STOPWORDS, is_cyrillic
from bot.matcher import Index, Scored
from bot.normalise import normalise
from bot.store import Row

# Leader clustering cut-off on ``similarity`` (0-100).  Measured on 34 questions in 12
# topics (weather, ages, prices, timetables, people; English and Russian) in 100 shuffled
# orders: at 72 no cluster mixed two topics (16 clusters for the 12); at 70 a run mixed
# 0.6 on average, at 65 0.75.  A topic split in two costs the curator a second look; two
# topics merged would propose wrong wordings for an entry, so the cut-off errs high.
SIMILAR = 72
# An entry at least this close (matcher score, 0-1) is proposed as the home of a cluster's
# wordings.  Declined questions score below the accept threshold (0.52); on paraphrases of
# the test fixture's entries the closest entry was the right one for 2 of 3 at 0.40 or
# more, and for about half below it, so lower scores get a new-entry skeleton instead.
CLOSE = 0.40
MAX_EXAMPLES = 10  # wordings per cluster in the draft; the count says how many there were


@dataclass(frozen=True)
class Cluster:
    """Questions that ask the same thing, with the entry that comes closest to answering them."""

    questions: tuple[str, ...]          # distinct wordings, most asked first
    count: int                          # times asked, all wordings together
    not_helpful: int = 0                # of those, answered but marked "not helpful"
    answered_with: tuple[str, ...] = ()  # the entries given in those answers
    closest: str | None = None          # entry id
    closest_question: str = ""          # that entry's canonical question
    closest_article: str = ""           # the slug of the file it lives in
    closest_score: float = 0.0


def _content(text: str) -> str:
    return " ".join(w for w in normalise(text).split() if w not in STOPWORDS)


def _similar(a: str, b: str) -> float:
    if not set(a.split()) & set(b.split()):
        return 0.0
    return (fuzz.token_set_ratio(a, b) + fuzz.token_sort_ratio(a, b)) / 2


def similarity(a: str, b: str) -> float:
    """How alike two questions are (0-100), on normalised words without stopwords.

    The mean of token_set_ratio (forgives extra words) and token_sort_ratio (keeps one
    shared word from scoring a short question 100); 0 when no content word is shared.
    """
    return _similar(_content(a), _content(b))


def needs_work(row: Row) -> bool:
    """A question the knowledge base failed: declined, or answered but not helpful."""
    return row.outcome != "answered" or row.feedback is False


@dataclass
class _Group:
    """Rows whose questions share the same content words."""

    key: str
    order: int
    wordings: Counter[str] = field(default_factory=Counter)
    first: dict[str, str] = field(default_factory=dict)
    not_helpful: int = 0
    answered_with: Counter[str] = field(default_factory=Counter)

    def add(self, row: Row) -> None:
        text = " ".join(row.question.split())
        self.first.setdefault(normalise(text), text)
        self.wordings[normalise(text)] += 1
        if row.outcome == "answered" and row.feedback is False:
            self.not_helpful += 1
            if row.entry:
                self.answered_with[row.entry] += 1


def _groups(rows: Iterable[Row]) -> list[_Group]:
    groups: dict[str, _Group] = {}
    for row in rows:
        if not needs_work(row):
            continue
        key = _content(row.question)
        if not set(key.split()) - QUESTION_WORDS:  # "hi", "what?": nothing to curate
            continue
        groups.setdefault(key, _Group(key, len(groups))).add(row)
    return sorted(groups.values(), key=lambda g: (-g.wordings.total(), g.order))


def _closest(index: Index, wordings: list[str]) -> Scored | None:
    best = None
    for text in wordings[:5]:
        ranked = index.rank(index.parse(text), limit=1)
        if ranked and (best is None or ranked[0].score > best.score):
            best = ranked[0]
    return best


def unanswered_clusters(rows: Iterable[Row], index: Index, *,
                        threshold: float = SIMILAR) -> list[Cluster]:
    """Declined and not-helpful questions grouped by similarity, most asked first.

    Leader clustering: groups are taken most asked first, and each joins the cluster
    whose leader (its most asked wording) is most similar, if that reaches
    ``threshold``; otherwise it leads a new cluster.
    """
    leaders: list[str] = []
    members: list[list[_Group]] = []
    for group in _groups(rows):
        scores = [_similar(group.key, leader) for leader in leaders]
        best = max(range(len(scores)), key=scores.__getitem__, default=None)
        if best is not None and scores[best] >= threshold:
            members[best].append(group)
        else:
            leaders.append(group.key)
            members.append([group])
    clusters = []
    for groups in members:
        counts: Counter[str] = Counter()
        first: dict[str, str] = {}
        answered_with: Counter[str] = Counter()
        for group in groups:
            counts.update(group.wordings)
            answered_with.update(group.answered_with)
            for key, text in group.first.items():
                first.setdefault(key, text)
        wordings = [first[key] for key, _ in counts.most_common()]
        near = _closest(index, wordings)
        entry = near.target.entry if near is not None else None
        clusters.append(Cluster(
            tuple(wordings), counts.total(), sum(g.not_helpful for g in groups),
            tuple(e for e, _ in answered_with.most_common()),
            entry.id if entry else None, entry.canonical if entry else "",
            entry.article if entry else "", round(near.score, 3) if near else 0.0))
    return sorted(clusters, key=lambda c: -c.count)


def format_clusters(clusters: list[Cluster], *, close: float = CLOSE) -> str:
    """The clusters as terminal text, one block each."""
    if not clusters:
        return "Nothing unanswered: no declined or unhelpful questions in that period."
    lines = []
    for cluster in clusters:
        shown = "; ".join(cluster.questions[:3])
        more = f" (+{len(cluster.questions) - 3} more)" if len(cluster.questions) > 3 else ""
        lines.append(f"{cluster.count:>5}  {shown}{more}")
        if cluster.closest:
            verdict = "add as wordings?" if cluster.closest_score >= close else "not close"
            lines.append(f"       closest: {cluster.closest} ({cluster.closest_score:.2f}, "
                         f"{verdict}) “{cluster.closest_question}”")
        if cluster.not_helpful:
            lines.append(f"       {cluster.not_helpful} marked not helpful after an answer "
                         f"from {', '.join(cluster.answered_with) or '-'}")
    return "\n".join(lines)


class _IndentedDumper(yaml.SafeDumper):
    """Indents lists under their key, as the knowledge files do."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        return super().increase_indent(flow, False)


def _item(item: dict, comments: list[str]) -> list[str]:
    """One list item, indented to sit under a top-level key, with its comments above."""
    body = yaml.dump([item], Dumper=_IndentedDumper, allow_unicode=True, sort_keys=False,
                     width=1000)
    return [f"  # {' '.join(c.split())}" for c in comments] + \
        [f"  {line}" for line in body.splitlines()]


def _split_languages(questions: list[str]) -> tuple[list[str], list[str]]:
    return ([q for q in questions if not is_cyrillic(q)], [q for q in questions if is_cyrillic(q)])


def _slug(cluster: Cluster, taken: set[str]) -> str:
    words = [w for w in _content(cluster.questions[0]).split()
             if w not in QUESTION_WORDS and re.fullmatch(r"[a-z0-9]+", w)]
    base = "TODO-" + ("-".join(words[:5]) or "new-entry")
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    taken.add(slug)
    return slug


def _asked(cluster: Cluster) -> str:
    hidden = len(cluster.questions) - MAX_EXAMPLES
    more = f" ({hidden} more wordings not shown)" if hidden > 0 else ""
    unhelpful = ""
    if cluster.not_helpful:
        unhelpful = (f"; {cluster.not_helpful} answered with "
                     f"{', '.join(cluster.answered_with) or 'an entry'} and marked not "
                     "helpful: improve that answer, or if these ask something else, "
                     "make them a new entry")
    return f"asked {cluster.count} time(s){more}{unhelpful}"


def draft_yaml(clusters: list[Cluster], *, close: float = CLOSE) -> str:
    """The curator's draft for ``clusters`` as YAML text with explanatory comments."""
    wordings: list[Cluster] = []
    new: list[Cluster] = []
    for cluster in clusters:
        close_enough = cluster.closest and cluster.closest_score >= close
        (wordings if close_enough else new).append(cluster)
    lines = [
        f"# Draft from the question log: {len(clusters)} group(s) of questions the bot",
        "# declined or answered unhelpfully.  Nothing here is live.  Copy what is right into",
        "# the article's YAML file in the knowledge directory, fix every TODO, then run",
        "#   python -m bot validate",
        "#   python -m bot eval tests/data/eval/*.yaml",
        "",
        "# add_wordings: an existing entry comes close.  If it really answers these, paste the",
        "# questions into that entry's `questions:` list (`questions_ru:` for Russian ones).",
        "# If it does not, treat the group as a new entry below.",
        "add_wordings:" if wordings else "add_wordings: []",
    ]
    for cluster in wordings:
        english, russian = _split_languages(list(cluster.questions[:MAX_EXAMPLES]))
        item: dict = {"entry": cluster.closest}
        if english:
            item["questions"] = english
        if russian:
            item["questions_ru"] = russian
        lines += _item(item, [
            _asked(cluster),
            f"closest entry {cluster.closest} (score {cluster.closest_score:.2f}) in "
            f"{cluster.closest_article}.yaml: “{cluster.closest_question}”",
        ])
    lines += [
        "",
        "# new_entries: no entry comes close.  If the article answers these, paste the item",
        "# under `entries:`, give it a kebab-case id, an answer in the article's words and",
        "# quotes copied verbatim from it.  If the article does not say, leave it out: the",
        "# bot is right to decline.",
        "new_entries:" if new else "new_entries: []",
    ]
    taken: set[str] = set()
    for cluster in new:
        english, russian = _split_languages(list(cluster.questions[:MAX_EXAMPLES]))
        item = {"id": _slug(cluster, taken),
                "questions": english or ["TODO an English wording"]}
        if russian:
            item["questions_ru"] = russian
        item |= {"answer": "TODO", "quotes": ["TODO"]}
        nearest = (f"nearest entry {cluster.closest} (score {cluster.closest_score:.2f}) is "
                   "not close" if cluster.closest else "no entry shares a word with these")
        lines += _item(item, [_asked(cluster), nearest])
    return "\n".join(lines) + "\n"


def export_yaml(clusters: list[Cluster], path: Path, *, close: float = CLOSE) -> None:
    """Write :func:`draft_yaml` to ``path``."""
    Path(path).write_text(draft_yaml(clusters, close=close), encoding="utf-8")
