"""The knowledge base: articles, their curated Q&A entries and the alias groups, validated.

``load_knowledge(directory)`` reads every ``<slug>.yaml`` beside its ``<slug>.txt`` and
``synonyms.yaml``; any error raises :class:`KnowledgeError` listing every problem with
file, line and entry id.  ``check_knowledge`` returns the same problems (and warnings)
without raising, for ``python -m bot validate``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from rapidfuzz import fuzz

from bot.normalise import clean, normalise
from bot.synonyms import ENTITY_KINDS, AliasGroup, Synonyms
from bot.yamlfile import LineDict, YamlFileError, read_yaml

SYNONYMS_FILE = "synonyms.yaml"
MAX_ARTICLE_BYTES = 1_000_000
_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_ID_LENGTH = 40  # ids travel in Telegram callback data, which holds 64 bytes
_ENTRY_FIELDS = {
    "id": True, "topic": False, "questions": True, "questions_ru": False,
    "answer": True, "answer_ru": False, "quotes": True, "notes": False,
}
_TOP_FIELDS = {"version": True, "article": True, "entries": True, "topics": False,
               "featured": False}
_ARTICLE_FIELDS = {"file": True, "title": True, "source": True, "date": False, "url": False,
                   "language": False}
_SYNONYM_GROUP_FIELDS = {"canonical": True, "kind": True, "aliases": True,
                         "case_sensitive": False, "notes": False}


@dataclass(frozen=True)
class Article:
    """One news article: its paragraphs are the non-empty lines, numbered from 1."""

    slug: str
    title: str
    source: str
    paragraphs: tuple[str, ...]
    date: str = ""

    def paragraph(self, number: int) -> str:
        """The text of paragraph ``number`` (1-based)."""
        return self.paragraphs[number - 1]


@dataclass(frozen=True)
class Citation:
    """A verbatim passage and where it stands: article slug and paragraph number.

    ``text`` is the whole sentence (or sentences) around the curated quote, so the
    reader sees the claim in context; ``quote`` is the curated proof inside it.
    """

    article: str
    paragraph: int
    text: str
    quote: str = ""

    @property
    def highlight(self) -> str:
        """The words to emphasise inside ``text``."""
        return self.quote or self.text


_SENTENCE_END = re.compile(r"(?<=[.!?”])\s+(?=[A-Z“‘\"(])")


def sentence_spans(paragraph: str) -> list[tuple[int, int]]:
    """(start, end) offsets of the sentences of a paragraph (good enough for news prose)."""
    spans, start = [], 0
    for match in _SENTENCE_END.finditer(paragraph):
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(paragraph)))
    return [(a, b) for a, b in spans if paragraph[a:b].strip()]


def in_context(paragraph: str, start: int, end: int) -> str:
    """The sentence(s) of ``paragraph`` that contain the span ``start:end``."""
    spans = sentence_spans(paragraph)
    first = next(a for a, b in spans if b > start)
    last = next(b for a, b in reversed(spans) if a < end)
    return paragraph[first:last]


@dataclass(frozen=True)
class Topic:
    """A browsing heading for entries."""

    id: str
    title: str
    title_ru: str = ""


@dataclass(frozen=True)
class Entry:
    """One curated question with its wordings, answer and citations."""

    id: str
    article: str
    questions: tuple[str, ...]
    answer: str
    citations: tuple[Citation, ...]
    questions_ru: tuple[str, ...] = ()
    answer_ru: str = ""
    topic: str = ""
    line: int = 0

    @property
    def canonical(self) -> str:
        """The wording shown to people when this entry is suggested."""
        return self.questions[0]

    def canonical_in(self, language: str) -> str:
        """The suggestion wording in ``language`` ("en" or "ru")."""
        if language == "ru":
            cyrillic = [q for q in self.questions_ru if re.search("[а-яА-Я]", q)]
            if cyrillic:
                return cyrillic[0]
        return self.canonical

    def answer_in(self, language: str) -> str:
        """The curated answer in ``language``, English where no translation is curated."""
        return self.answer_ru if language == "ru" and self.answer_ru else self.answer


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or worth a look) in the knowledge files."""

    severity: str  # "error" | "warning"
    file: str
    message: str
    line: int | None = None
    entry: str | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        about = f" [{self.entry}]" if self.entry else ""
        return f"{where}: {self.severity}{about}: {self.message}"


class KnowledgeError(Exception):
    """The knowledge base has errors; ``problems`` lists them all."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        errors = [p for p in problems if p.severity == "error"]
        first = str(errors[0]) if errors else "invalid knowledge base"
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        super().__init__(first + more)


@dataclass(frozen=True)
class KnowledgeBase:
    """Everything the engine answers from, validated and ready."""

    articles: dict[str, Article]
    entries: tuple[Entry, ...]
    synonyms: Synonyms
    topics: tuple[Topic, ...] = ()
    featured: tuple[str, ...] = ()
    directory: Path | None = None
    warnings: tuple[Problem, ...] = ()
    _by_id: dict[str, Entry] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._by_id.update((e.id, e) for e in self.entries)

    def entry(self, entry_id: str) -> Entry | None:
        """The entry with ``entry_id``, or None."""
        return self._by_id.get(entry_id)

    def article_for(self, entry: Entry) -> Article:
        """The article an entry belongs to."""
        return self.articles[entry.article]


class _Collector:
    """Accumulates problems for one validation run."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.problems: list[Problem] = []

    def _name(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.directory.parent))
        except ValueError:
            return str(path)

    def error(self, path: Path, message: str, line: int | None = None,
              entry: str | None = None) -> None:
        self.problems.append(Problem("error", self._name(path), message, line, entry))

    def warning(self, path: Path, message: str, line: int | None = None,
                entry: str | None = None) -> None:
        self.problems.append(Problem("warning", self._name(path), message, line, entry))

    def read(self, path: Path) -> object | None:
        try:
            data = read_yaml(path)
        except YamlFileError as exc:
            self.error(path, exc.message, exc.line)
            return None
        if data is None:
            self.error(path, "the file is empty", 1)
        return data

    def fields(self, path: Path, data: LineDict, spec: dict[str, bool], what: str,
               entry: str | None = None) -> bool:
        ok = True
        for key in data:
            if key not in spec:
                known = ", ".join(spec)
                self.error(path, f"unknown field {key!r} in {what} (known: {known})",
                           data.line_of(key), entry)
                ok = False
        for key, required in spec.items():
            if required and key not in data:
                self.error(path, f"missing field {key!r} in {what}", data.line, entry)
                ok = False
        return ok


def _text(value: object) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _text_list(c: _Collector, path: Path, data: LineDict, key: str, entry: str) -> list[str]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(_text(v) for v in value):
        c.error(path, f"{key!r} must be a list of non-empty strings", data.line_of(key), entry)
        return []
    return [v.strip() for v in value]


def _read_article(c: _Collector, path: Path) -> tuple[str, ...] | None:
    try:
        if path.stat().st_size > MAX_ARTICLE_BYTES:
            c.error(path, f"article file is larger than {MAX_ARTICLE_BYTES:,} bytes")
            return None
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        c.error(path, "article file not found")
        return None
    except OSError as exc:
        c.error(path, f"cannot read article file: {exc.strerror or exc}")
        return None
    except UnicodeDecodeError as exc:
        c.error(path, f"article file is not UTF-8 (byte offset {exc.start})")
        return None
    paragraphs = tuple(line.strip() for line in text.splitlines() if line.strip())
    if not paragraphs:
        c.error(path, "article file is empty")
        return None
    return paragraphs


def _nearest_passage(quote: str, paragraphs: tuple[str, ...]) -> tuple[int, str, float]:
    best = (0, "", -1.0)
    for number, paragraph in enumerate(paragraphs, 1):
        found = fuzz.partial_ratio_alignment(quote, paragraph)
        if found is not None and found.score > best[2]:
            start, end = found.dest_start, found.dest_end
            while start > 0 and not paragraph[start - 1].isspace():
                start -= 1
            while end < len(paragraph) and not paragraph[end].isspace():
                end += 1
            best = (number, paragraph[start:end], found.score)
    return best


def _locate(c: _Collector, path: Path, quote: str, line: int, entry: str,
            slug: str, paragraphs: tuple[str, ...]) -> Citation | None:
    for number, paragraph in enumerate(paragraphs, 1):
        start = paragraph.find(quote)
        if start >= 0:
            return Citation(slug, number, in_context(paragraph, start, start + len(quote)),
                            quote)
    number, passage, _score = _nearest_passage(quote, paragraphs)
    hint = ""
    if passage and " ".join(clean(quote).split()) in " ".join(
            clean(paragraphs[number - 1]).split()):
        hint = " (it differs only in whitespace or quote marks)"
    nearest = f"; nearest passage, paragraph {number}: {passage!r}" if passage else ""
    c.error(path, f"quote is not verbatim in the article{hint}: {quote!r}{nearest}", line, entry)
    return None


def _load_synonyms(c: _Collector, directory: Path) -> tuple[AliasGroup, ...]:
    path = directory / SYNONYMS_FILE
    if not path.exists():
        return ()
    data = c.read(path)
    if data is None:
        return ()
    if not isinstance(data, LineDict) or not isinstance(data.get("groups"), list):
        c.error(path, "expected a mapping with a 'groups' list", 1)
        return ()
    groups: list[AliasGroup] = []
    owner: dict[str, str] = {}
    for raw in data["groups"]:
        if not isinstance(raw, LineDict):
            c.error(path, "each group must be a mapping", data.line_of("groups"))
            continue
        if not c.fields(path, raw, _SYNONYM_GROUP_FIELDS, "synonym group"):
            continue
        canonical, kind = _text(raw["canonical"]), _text(raw["kind"])
        if not canonical or not kind:
            c.error(path, "'canonical' and 'kind' must be non-empty strings", raw.line)
            continue
        if kind not in ENTITY_KINDS | {"other"}:
            c.error(path, f"unknown kind {kind!r} for {canonical!r}", raw.line_of("kind"))
        aliases = _text_list(c, path, raw, "aliases", canonical)
        sensitive = _text_list(c, path, raw, "case_sensitive", canonical)
        for alias in sensitive:
            if alias not in aliases:
                c.error(path, f"case_sensitive alias {alias!r} is not among the aliases",
                        raw.line_of("case_sensitive"))
        mine: set[str] = set()
        for alias in aliases:
            key = alias if alias in sensitive else normalise(alias)
            if key in owner and owner[key] != canonical:
                c.error(path, f"alias {alias!r} is in two groups: {owner[key]!r} and "
                        f"{canonical!r}", raw.line_of("aliases"))
            elif key in mine:
                c.warning(path, f"alias {alias!r} is repeated in {canonical!r}",
                          raw.line_of("aliases"))
            mine.add(key)
            owner[key] = canonical
        groups.append(AliasGroup(canonical, kind, tuple(aliases), tuple(sensitive)))
    return tuple(groups)


def _load_entries(c: _Collector, path: Path, data: LineDict, slug: str,
                  paragraphs: tuple[str, ...], topic_ids: set[str],
                  seen_ids: dict[str, str], seen_wordings: dict[str, str]) -> Iterator[Entry]:
    raw_entries = data.get("entries")
    if not isinstance(raw_entries, list):
        c.error(path, "'entries' must be a list", data.line_of("entries"))
        return
    for raw in raw_entries:
        if not isinstance(raw, LineDict):
            c.error(path, "each entry must be a mapping", data.line_of("entries"))
            continue
        entry_id = raw.get("id") if isinstance(raw.get("id"), str) else None
        if not c.fields(path, raw, _ENTRY_FIELDS, "entry", entry_id):
            continue
        if not entry_id or not _ID.match(entry_id):
            c.error(path, f"id {raw.get('id')!r} must be kebab-case", raw.line_of("id"), entry_id)
            continue
        if len(entry_id) > MAX_ID_LENGTH:
            c.error(path, f"id is longer than {MAX_ID_LENGTH} characters", raw.line_of("id"),
                    entry_id)
            continue
        if entry_id in seen_ids:
            c.error(path, f"duplicate id (first defined at {seen_ids[entry_id]})",
                    raw.line_of("id"), entry_id)
            continue
        seen_ids[entry_id] = f"{path.name}:{raw.line}"
        questions = _text_list(c, path, raw, "questions", entry_id)
        questions_ru = _text_list(c, path, raw, "questions_ru", entry_id)
        answer, answer_ru = _text(raw.get("answer")), raw.get("answer_ru", "")
        if not answer:
            c.error(path, "'answer' must be a non-empty string", raw.line_of("answer"), entry_id)
        if answer_ru and not _text(answer_ru):
            c.error(path, "'answer_ru' must be a string", raw.line_of("answer_ru"), entry_id)
        if raw.get("questions") == []:  # any other wrong value was reported just above
            c.error(path, "an entry needs at least one question", raw.line_of("questions"),
                    entry_id)
        topic = raw.get("topic", "")
        if topic and (not isinstance(topic, str) or topic not in topic_ids):
            c.error(path, f"unknown topic {topic!r}", raw.line_of("topic"), entry_id)
        for wording in questions + questions_ru:
            key = normalise(wording)
            if not key:
                c.error(path, f"wording {wording!r} has no words", raw.line_of("questions"),
                        entry_id)
            elif key in seen_wordings and seen_wordings[key] != entry_id:
                c.error(path, f"wording {wording!r} is also under entry "
                        f"{seen_wordings[key]!r}", raw.line_of("questions"), entry_id)
            elif key in seen_wordings:
                c.warning(path, f"wording {wording!r} is repeated", raw.line_of("questions"),
                          entry_id)
            seen_wordings[key] = entry_id
        quotes = _text_list(c, path, raw, "quotes", entry_id)
        if raw.get("quotes") == []:
            c.error(path, "an entry needs at least one quote", raw.line_of("quotes"), entry_id)
        citations = [_locate(c, path, q, raw.line_of("quotes"), entry_id, slug, paragraphs)
                     for q in quotes]
        if questions and answer and quotes and all(citations):
            yield Entry(entry_id, slug, tuple(questions), answer, tuple(citations),
                        tuple(questions_ru), _text(answer_ru) or "",
                        topic, raw.line)


def _load_article_file(c: _Collector, path: Path, seen_ids: dict[str, str],
                       seen_wordings: dict[str, str], topics: list[Topic],
                       featured: list[str]) -> tuple[Article | None, list[Entry]]:
    data = c.read(path)
    if data is None:
        return None, []
    if not isinstance(data, LineDict):
        c.error(path, "expected a mapping with 'version', 'article' and 'entries'", 1)
        return None, []
    if not c.fields(path, data, _TOP_FIELDS, "the file"):
        return None, []
    if data["version"] != 1:
        c.error(path, f"unsupported version {data['version']!r} (expected 1)",
                data.line_of("version"))
        return None, []
    meta = data["article"]
    if not isinstance(meta, LineDict) or not c.fields(path, meta, _ARTICLE_FIELDS, "article"):
        if not isinstance(meta, LineDict):
            c.error(path, "'article' must be a mapping", data.line_of("article"))
        return None, []
    slug = path.stem
    if not _text(meta["file"]) or Path(meta["file"]).name != meta["file"]:
        c.error(path, "'article.file' must be a file name beside the YAML file",
                meta.line_of("file"))
        return None, []
    paragraphs = _read_article(c, path.parent / meta["file"])
    if paragraphs is None:
        return None, []
    title, source, date = _text(meta["title"]), _text(meta["source"]), meta.get("date") or ""
    if not title or not source or isinstance(date, list | dict):
        c.error(path, "'article.title' and 'article.source' must be text, 'article.date' a "
                "date or text", meta.line)
        return None, []
    article = Article(slug, title, source, paragraphs, str(date))
    topic_ids = set()
    raw_topics = data.get("topics") or []
    if not isinstance(raw_topics, list):
        c.error(path, "'topics' must be a list", data.line_of("topics"))
        raw_topics = []
    for raw in raw_topics:
        if not isinstance(raw, LineDict) or not _text(raw.get("id")) or not _text(
                raw.get("title")) or not isinstance(raw.get("title_ru", ""), str):
            c.error(path, "each topic needs an 'id' and a 'title' (a 'title_ru' is text too)",
                    data.line_of("topics"))
            continue
        topic_ids.add(raw["id"])
        topics.append(Topic(raw["id"], raw["title"], str(raw.get("title_ru", ""))))
    entries = list(_load_entries(c, path, data, slug, paragraphs, topic_ids, seen_ids,
                                 seen_wordings))
    cited = {cit.paragraph for e in entries for cit in e.citations}
    for number in range(1, len(paragraphs) + 1):
        if number not in cited:
            c.warning(path, f"paragraph {number} is not cited by any entry: "
                      f"{paragraphs[number - 1][:60]!r}")
    wanted = data.get("featured") or []
    if not isinstance(wanted, list):
        c.error(path, "'featured' must be a list of entry ids", data.line_of("featured"))
        wanted = []
    known = {e.id for e in entries}
    for entry_id in wanted:
        if not isinstance(entry_id, str) or entry_id not in known:
            c.error(path, f"featured entry {entry_id!r} does not exist",
                    data.line_of("featured"))
        else:
            featured.append(entry_id)
    return article, entries


def _build(directory: Path) -> tuple[KnowledgeBase | None, list[Problem]]:
    c = _Collector(directory)
    if not directory.is_dir():
        c.error(directory, "knowledge directory not found")
        return None, c.problems
    files = sorted(p for p in directory.glob("*.yaml") if p.name != SYNONYMS_FILE)
    if not files:
        c.error(directory, "no article YAML files found")
        return None, c.problems
    groups = _load_synonyms(c, directory)
    articles: dict[str, Article] = {}
    entries: list[Entry] = []
    topics: list[Topic] = []
    featured: list[str] = []
    seen_ids: dict[str, str] = {}
    seen_wordings: dict[str, str] = {}
    for path in files:
        article, found = _load_article_file(c, path, seen_ids, seen_wordings, topics, featured)
        if article is not None:
            articles[article.slug] = article
            entries.extend(found)
    if any(p.severity == "error" for p in c.problems):
        return None, c.problems
    warnings = tuple(p for p in c.problems if p.severity == "warning")
    kb = KnowledgeBase(articles, tuple(entries), Synonyms(groups), tuple(topics),
                       tuple(featured), directory, warnings)
    return kb, c.problems


def check_knowledge(directory: Path) -> list[Problem]:
    """Every error and warning in the knowledge files under ``directory``."""
    return _build(Path(directory))[1]


def load_knowledge(directory: Path) -> KnowledgeBase:
    """Load and validate the knowledge base; raise :class:`KnowledgeError` on any error."""
    kb, problems = _build(Path(directory))
    if kb is None:
        raise KnowledgeError(problems)
    return kb
