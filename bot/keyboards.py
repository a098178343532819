"""Inline keyboards and their callback data: pure functions from engine values to buttons.

Callback data is ``code:field:field...``, always at most 64 bytes (Telegram's limit):

- ``q:<lang>:<entry>``: answer that entry (suggestions, examples, topic questions)
- ``t:<lang>:<topic>`` / ``tl:<lang>``: the questions of a topic / the list of topics
- ``p:<lang>:<article>:<paragraph>[:<start>:<end>]``: show a whole paragraph, the
  characters ``start:end`` of it (the quote) in bold
- ``fb:<question id>:1`` / ``fb:<question id>:0``: helpful / not helpful
"""

from __future__ import annotations

from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.answer import Answer
from bot.knowledge import Citation, KnowledgeBase
from bot.phrases import phrase

CALLBACK_LIMIT = 64  # bytes of callback_data Telegram accepts
BUTTON_TEXT = 120    # longer labels are cut: Telegram shows one line per button anyway
OTHER_TOPIC = "-"    # the pseudo-topic of entries that have none
MAX_BUTTONS = 100    # Telegram refuses a bigger inline keyboard
LANGUAGES = ("en", "ru")


@dataclass(frozen=True)
class Tap:
    """What a button press asks for, decoded from its callback data."""

    kind: str  # "answer" | "topic" | "topics" | "paragraph" | "feedback"
    language: str = "en"
    key: str = ""
    numbers: tuple[int, ...] = ()
    helpful: bool = False


_CODES = {"answer": "q", "topic": "t", "topics": "tl", "paragraph": "p"}
_KINDS = {code: kind for kind, code in _CODES.items()}


def encode(tap: Tap) -> str | None:
    """The callback data for ``tap``, or None when it would not fit in 64 bytes."""
    if tap.kind == "feedback":
        fields = ["fb", tap.key, "1" if tap.helpful else "0"]
    else:
        fields = [_CODES[tap.kind], tap.language]
        fields += [tap.key] if tap.kind != "topics" else []
        fields += [str(n) for n in tap.numbers]
    data = ":".join(fields)
    return data if len(data.encode("utf-8")) <= CALLBACK_LIMIT else None


def decode(data: str | None) -> Tap | None:
    """The :class:`Tap` behind callback ``data``, or None for anything unknown or malformed."""
    fields = (data or "").split(":")
    code = fields[0]
    if code == "fb" and len(fields) == 3 and fields[1] and fields[2] in ("0", "1"):
        return Tap("feedback", key=fields[1], helpful=fields[2] == "1")
    if code not in _KINDS or len(fields) < 2 or fields[1] not in LANGUAGES:
        return None
    kind, language = _KINDS[code], fields[1]
    if kind == "topics":
        return Tap(kind, language) if len(fields) == 2 else None
    if len(fields) < 3 or not fields[2]:
        return None
    numbers = fields[3:]
    allowed = (1, 3) if kind == "paragraph" else (0,)
    if len(numbers) not in allowed or not all(n.isdigit() for n in numbers):
        return None
    return Tap(kind, language, fields[2], tuple(int(n) for n in numbers))


def _label(text: str) -> str:
    return text if len(text) <= BUTTON_TEXT else text[: BUTTON_TEXT - 1].rstrip() + "…"


def _button(text: str, tap: Tap) -> InlineKeyboardButton | None:
    data = encode(tap)
    return InlineKeyboardButton(_label(text), callback_data=data) if data else None


def _column(buttons: list[InlineKeyboardButton | None]) -> InlineKeyboardMarkup | None:
    rows = [[b] for b in buttons if b is not None][:MAX_BUTTONS]
    return InlineKeyboardMarkup(rows) if rows else None


def suggestions(answer: Answer) -> InlineKeyboardMarkup | None:
    """One button per question the bot offers instead of an answer."""
    return _column([_button(s.question, Tap("answer", answer.language, s.entry))
                    for s in answer.suggestions])


def examples(kb: KnowledgeBase, language: str, limit: int = 3) -> InlineKeyboardMarkup | None:
    """Buttons for the first ``limit`` featured questions (any entries if none are featured)."""
    ids = list(kb.featured) or [e.id for e in kb.entries]
    entries = [e for e in (kb.entry(i) for i in ids[:limit]) if e is not None]
    return _column([_button(e.canonical_in(language), Tap("answer", language, e.id))
                    for e in entries])


def topic_title(kb: KnowledgeBase, topic_id: str, language: str) -> str:
    """The heading of ``topic_id`` in ``language`` ("Other questions" for entries without)."""
    for topic in kb.topics:
        if topic.id == topic_id:
            return topic.title_ru if language == "ru" and topic.title_ru else topic.title
    return phrase(language, "other_topic")


def topics(kb: KnowledgeBase, language: str) -> InlineKeyboardMarkup | None:
    """One button per topic that has entries (plus "Other questions" for the rest)."""
    used = {e.topic or OTHER_TOPIC for e in kb.entries}
    ids = [t.id for t in kb.topics if t.id in used]
    ids += [OTHER_TOPIC] if OTHER_TOPIC in used else []
    return _column([_button(topic_title(kb, i, language), Tap("topic", language, i))
                    for i in ids])


def topic_questions(kb: KnowledgeBase, topic_id: str, language: str) -> InlineKeyboardMarkup:
    """The questions of one topic, then a button back to the list of topics."""
    entries = [e for e in kb.entries if (e.topic or OTHER_TOPIC) == topic_id]
    buttons = [_button(e.canonical_in(language), Tap("answer", language, e.id))
               for e in entries][: MAX_BUTTONS - 1]
    buttons.append(_button(phrase(language, "back"), Tap("topics", language)))
    return _column(buttons) or InlineKeyboardMarkup([])


def paragraph_tap(citation: Citation, kb: KnowledgeBase, language: str) -> Tap:
    """The tap that shows ``citation``'s whole paragraph (with the quote's place in it)."""
    text = kb.articles[citation.article].paragraph(citation.paragraph)
    start = text.find(citation.highlight)
    span = (start, start + len(citation.highlight)) if start >= 0 and citation.highlight else ()
    return Tap("paragraph", language, citation.article, (citation.paragraph, *span))


def paragraph_citation(tap: Tap, kb: KnowledgeBase) -> Citation | None:
    """The paragraph a tap points at (the quote in it, if known), or None if it is gone."""
    article = kb.articles.get(tap.key)
    if article is None or not 1 <= tap.numbers[0] <= len(article.paragraphs):
        return None
    text = article.paragraph(tap.numbers[0])
    start, end = tap.numbers[1:] or (0, 0)
    quote = text[start:end] if start < end <= len(text) else ""
    return Citation(article.slug, tap.numbers[0], text, quote)


def paragraphs(answer: Answer, kb: KnowledgeBase, limit: int = 3) -> InlineKeyboardMarkup | None:
    """A "Full paragraph" button for each of the first ``limit`` paragraphs an answer cites."""
    parts = answer.parts or (answer,)
    first: dict[tuple[str, int], Citation] = {}
    for citation in (c for p in parts for c in p.citations):
        first.setdefault((citation.article, citation.paragraph), citation)
    cited = list(first.values())[:limit]
    buttons = []
    for citation in cited:
        tap = paragraph_tap(citation, kb, answer.language)
        if encode(tap) is None:  # a long article slug: drop the quote's place, keep the button
            tap = Tap("paragraph", answer.language, citation.article, (citation.paragraph,))
        label = phrase(answer.language, "full_paragraph") if len(cited) == 1 else \
            phrase(answer.language, "full_paragraph_n", number=citation.paragraph)
        buttons.append(_button(label, tap))
    return _column(buttons)


def feedback(question_id: str, language: str) -> InlineKeyboardMarkup | None:
    """👍 / 👎 on one row, for an answer recorded as ``question_id``."""
    row = [_button(phrase(language, "helpful"), Tap("feedback", key=question_id, helpful=True)),
           _button(phrase(language, "not_helpful"),
                   Tap("feedback", key=question_id, helpful=False))]
    return InlineKeyboardMarkup([row]) if all(row) else None  # type: ignore[list-item]

