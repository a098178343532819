"""Turning an :class:`Answer` into what people read: Telegram HTML or plain terminal text.

HTML output is built from escaped text only, one block per citation, and split into
messages on block boundaries so no message exceeds Telegram's 4096 characters
(counted as Telegram does: after entity parsing, in UTF-16 code units).
"""

from __future__ import annotations

import html
import re
import textwrap

from bot.answer import Answer
from bot.knowledge import Citation, KnowledgeBase
from bot.phrases import phrase

TELEGRAM_LIMIT = 4096
EXPANDABLE_OVER = 300  # quotes longer than this collapse behind "expand" in Telegram
_TAG = re.compile(r"<[^>]*>")


def visible_length(markup: str) -> int:
    """Length of Telegram HTML as Telegram counts it: UTF-16 units of the parsed text."""
    return len(html.unescape(_TAG.sub("", markup)).encode("utf-16-le")) // 2


def _units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _cut(text: str, units: int) -> str:
    """Shorten plain text to at most ``units`` UTF-16 units, ending with an ellipsis."""
    if _units(text) <= units:
        return text
    out = text.encode("utf-16-le")[: max(units - 1, 0) * 2].decode("utf-16-le", "ignore")
    return out.rstrip() + "…"


def where(citation: Citation, kb: KnowledgeBase, language: str = "en") -> str:
    """Where a citation stands: "paragraph 13 · AFP" (with the title when several articles)."""
    article = kb.articles[citation.article]
    label = f"{phrase(language, 'paragraph', number=citation.paragraph)} · {article.source}"
    return f"{label}, “{article.title}”" if len(kb.articles) > 1 else label


def _emphasised(text: str, highlight: str) -> str:
    """Escaped ``text`` with the curated quote inside it in bold."""
    before, found, after = text.partition(highlight)
    if not found or highlight == text:
        return html.escape(text, quote=False)
    return (html.escape(before, quote=False) + "<b>" + html.escape(found, quote=False)
            + "</b>" + html.escape(after, quote=False))


def _marked(text: str, shown: str) -> str:
    """``shown`` in quotation marks, unless ``text`` opens with its own (a sentence that
    is itself a quotation would read ““Not everyone…,” he said.”)."""
    return shown if text[:1] in "“\"‘'«" else f"“{shown}”"


def _quote_block(citation: Citation, kb: KnowledgeBase, language: str, room: int) -> str:
    label = where(citation, kb, language)
    room = max(room - _units(label) - 8, 40)
    text = citation.text if _units(citation.text) <= room else _cut(citation.highlight, room)
    attribute = " expandable" if len(text) > EXPANDABLE_OVER else ""
    return (f"<blockquote{attribute}>{_marked(text, _emphasised(text, citation.highlight))}\n"
            f"— <i>{html.escape(label, quote=False)}</i></blockquote>")


def _html_blocks(answer: Answer, kb: KnowledgeBase, limit: int,
                 list_suggestions: bool) -> list[str]:
    if not answer.answered:
        blocks = [html.escape(answer.text, quote=False)]
        if answer.suggestions and list_suggestions:
            hint = phrase(answer.language, "not_sure_hint")
            items = "\n".join(f"• {html.escape(s.question, quote=False)}"
                              for s in answer.suggestions)
            blocks.append(f"<i>{html.escape(hint, quote=False)}</i>\n{items}")
        return blocks
    parts = answer.parts or (answer,)
    blocks: list[str] = []
    for number, part in enumerate(parts, 1):
        prefix = f"<b>{number}.</b> " if len(parts) > 1 else ""
        text = part.text if part.answered else phrase(part.language, "not_said_part",
                                                      question=part.question)
        blocks.append(prefix + html.escape(_cut(text, limit - 16), quote=False))
        blocks.extend(_quote_block(c, kb, part.language, limit) for c in part.citations)
    return blocks


def render_html(answer: Answer, kb: KnowledgeBase, *, limit: int = TELEGRAM_LIMIT,
                list_suggestions: bool = True) -> list[str]:
    """Telegram HTML messages for ``answer``, each within ``limit`` visible characters.

    ``list_suggestions=False`` leaves the closest questions out of the text, for when
    they are shown as buttons instead.
    """
    messages: list[str] = []
    current: list[str] = []
    for block in _html_blocks(answer, kb, limit, list_suggestions):
        candidate = "\n\n".join([*current, block])
        if current and visible_length(candidate) > limit:
            messages.append("\n\n".join(current))
            current = [block]
        else:
            current.append(block)
    if current:
        messages.append("\n\n".join(current))
    return messages


def render_paragraph_html(citation: Citation, kb: KnowledgeBase, language: str = "en") -> str:
    """The whole paragraph a citation comes from, with the quoted words in bold."""
    paragraph = kb.articles[citation.article].paragraph(citation.paragraph)
    body = _emphasised(paragraph, citation.highlight)
    label = html.escape(where(citation, kb, language), quote=False)
    return f"<blockquote>{body}</blockquote>\n— <i>{label}</i>"


def render_text(answer: Answer, kb: KnowledgeBase, *, width: int = 88) -> str:
    """Plain text for a terminal: the answer, then each quote with where it stands."""
    def wrap(text: str, indent: str = "") -> str:
        return textwrap.fill(text, width, initial_indent=indent, subsequent_indent=indent)

    lines: list[str] = []
    if not answer.answered:
        lines.append(wrap(answer.text))
        if answer.suggestions:
            lines.append(phrase(answer.language, "not_sure_hint"))
            lines.extend(wrap(f"{i}. {s.question}", "  ")
                         for i, s in enumerate(answer.suggestions, 1))
        return "\n".join(lines)
    parts = answer.parts or (answer,)
    for number, part in enumerate(parts, 1):
        prefix = f"{number}. " if len(parts) > 1 else ""
        text = part.text if part.answered else phrase(part.language, "not_said_part",
                                                      question=part.question)
        lines.append(wrap(prefix + text))
        for citation in part.citations:
            lines.append(wrap(_marked(citation.text, citation.text), "    "))
            lines.append(f"      — {where(citation, kb, part.language)}")
    return "\n".join(lines)


def render_explanation(answer: Answer) -> str:
    """How the engine reached ``answer``, in plain text."""
    parts = answer.parts or (answer,)
    lines = []
    for part in parts:
        e = part.explanation
        t = e.thresholds
        lines.append(f"question: {part.question}")
        lines.append(f"  outcome: {'answered' if part.answered else 'declined'} "
                     f"({e.reason}); entry: {part.entry or '-'}")
        lines.append(f"  matched wording: {e.wording or '-'!s} (score {e.score:.3f})")
        if e.runner_up:
            lines.append(f"  runner-up: {e.runner_up}: {e.runner_up_wording} "
                         f"(score {e.runner_up_score:.3f})")
        lines.append(f"  thresholds: accept {t.accept:.2f}, margin {t.margin:.2f}, "
                     f"article sentence {t.sentence:.2f}")
        if e.synonyms:
            lines.append("  synonyms: " + ", ".join(f"{a} → {c}" for a, c in e.synonyms))
        if e.corrections:
            lines.append("  spelling: " + ", ".join(f"{a} → {b}" for a, b in e.corrections))
    return "\n".join(lines)
