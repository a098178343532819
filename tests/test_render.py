"""Rendering: valid Telegram HTML within 4096 characters, quotes in context, plain text."""

from pathlib import Path

import pytest

from bot.answer import Answer, Suggestion, answer
from bot.knowledge import Citation, load_knowledge
from bot.matcher import Index
from bot.render import render_html, render_paragraph_html, render_text, visible_length
from tests.standin.telegram_html import parse_html

ROOT = Path(__file__).parent.parent


@pytest.fixture(scope="module")
def kb():
    return load_knowledge(ROOT / "knowledge")


@pytest.fixture(scope="module")
def index(kb):
    return Index(kb)


def test_answer_html_quotes_the_sentence_with_the_proof_in_bold(kb, index):
    result = answer("how much aid has the EU pledged?", index)
    (message,) = render_html(result, kb)
    parse_html(message)  # raises on anything Telegram would refuse
    assert "<blockquote>" in message and "<b>" in message
    assert "paragraph 13 · AFP" in message
    assert "Brussels has pledged one billion euros ($1.2 billion) in aid" in message


def test_decline_lists_suggestions_unless_they_are_buttons(kb):
    result = Answer("q", False, "The article doesn't say.",
                    suggestions=(Suggestion("eu-aid-pledge", "How much <aid>?"),))
    (listed,) = render_html(result, kb)
    (bare,) = render_html(result, kb, list_suggestions=False)
    parse_html(listed)
    assert "How much &lt;aid&gt;?" in listed
    assert bare == "The article doesn't say."


def test_user_text_is_escaped_in_partial_declines(kb, index):
    part = Answer("<b>who</b> & </blockquote>", False, "The article doesn't say.")
    ok = answer("how much aid has the EU pledged?", index)
    combined = Answer("x", True, "x", ok.citations, parts=(ok, part), source="multi")
    (message,) = render_html(combined, kb)
    parse_html(message)
    assert "&lt;b&gt;who&lt;/b&gt; &amp; &lt;/blockquote&gt;" in message


def test_long_answers_split_on_citation_boundaries(kb):
    article = kb.articles["moscow-talks"]
    citations = tuple(Citation("moscow-talks", n, p, p)
                      for n, p in enumerate(article.paragraphs, 1)) * 3
    messages = render_html(Answer("q", True, "Everything.", citations), kb)
    assert len(messages) > 1
    for message in messages:
        parse_html(message)
        assert visible_length(message) <= 4096
        assert message.count("<blockquote") == message.count("</blockquote>")


def test_a_single_oversized_quote_is_cut_not_split_inside_a_tag(kb):
    huge = "word " * 3000
    result = Answer("q", True, "Long.", (Citation("moscow-talks", 3, huge, huge),))
    for message in render_html(result, kb):
        parse_html(message)
        assert visible_length(message) <= 4096


def test_full_paragraph_marks_the_quote(kb, index):
    citation = answer("how much aid has the EU pledged?", index).citations[0]
    html = render_paragraph_html(citation, kb)
    parse_html(html)
    assert "<b>Brussels has pledged one billion euros ($1.2 billion) in aid</b>" in html


def test_plain_text_has_quote_and_where(kb, index):
    text = render_text(answer("who is kabulov", index), kb)
    assert "Zamir Kabulov" in text and "paragraph 10 · AFP" in text


def test_a_sentence_that_is_itself_a_quotation_is_not_wrapped_in_more_marks(kb, index):
    result = answer("what did kabulov say about punishing the government?", index)
    assert result.answered
    (message,) = render_html(result, kb)
    parse_html(message)
    plain = render_text(result, kb)
    assert "<blockquote>“<b>Not everyone likes" in message
    assert "    “Not everyone likes the new government in Afghanistan" in plain
    for text in (message, plain):
        assert "““" not in text and "“<b>“" not in text
