"""Inline keyboards and callback data: pure functions, no Telegram round trip."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot import keyboards
from bot.answer import Answer, Suggestion, answer
from bot.config import BUNDLED_KNOWLEDGE
from bot.keyboards import CALLBACK_LIMIT, Tap, decode, encode
from bot.knowledge import Citation, load_knowledge
from bot.matcher import Index
from tests.telegram_helpers import (
    kb_fixture,  # noqa: F401
    write_knowledge,
)

ids = st.from_regex(r"[a-z0-9]+(-[a-z0-9]+){0,12}", fullmatch=True)
languages = st.sampled_from(keyboards.LANGUAGES)


def all_data(markup):
    return [b.callback_data for row in (markup.inline_keyboard if markup else ()) for b in row]


def test_each_kind_of_tap_survives_the_round_trip():
    taps = [Tap("answer", "en", "eu-aid-pledge"), Tap("topic", "ru", "aid"),
            Tap("topics", "en"), Tap("paragraph", "en", "talks", (7,)),
            Tap("paragraph", "ru", "talks", (7, 12, 40)),
            Tap("feedback", key="Ab3_-x", helpful=True), Tap("feedback", key="q1")]
    for tap in taps:
        assert decode(encode(tap)) == tap


def test_feedback_data_is_fb_id_and_vote():
    assert encode(Tap("feedback", key="q1", helpful=True)) == "fb:q1:1"
    assert encode(Tap("feedback", key="q1", helpful=False)) == "fb:q1:0"


@given(st.text(max_size=80))
def test_any_data_decodes_to_a_tap_or_none(data):
    tap = decode(data)
    assert tap is None or isinstance(tap, Tap)


def test_malformed_data_is_refused():
    for data in ("", None, "q", "q:en", "q:de:x", "q:en:", "tl:en:x", "p:en:talks",
                 "p:en:talks:7:1", "p:en:talks:x", "fb:q1:2", "fb::1", "zz:en:x", "q:en:x:1"):
        assert decode(data) is None, data


@given(ids, languages, st.integers(0, 10**6), st.integers(0, 10**6))
def test_callback_data_never_exceeds_64_bytes(key, language, start, end):
    for tap in (Tap("answer", language, key), Tap("topic", language, key),
                Tap("paragraph", language, key, (3, start, end)), Tap("feedback", key=key)):
        data = encode(tap)
        assert data is None or len(data.encode("utf-8")) <= CALLBACK_LIMIT
        assert data is None or decode(data) == tap


@given(st.lists(ids, min_size=1, max_size=5), languages)
def test_a_suggestion_whose_id_is_too_long_gets_no_button(entry_ids, language):
    declined = Answer("q", False, "no", language=language,
                      suggestions=tuple(Suggestion(i, f"question {i}") for i in entry_ids))
    data = all_data(keyboards.suggestions(declined))
    fitting = [i for i in entry_ids if encode(Tap("answer", language, i))]
    assert data == [f"q:{language}:{i}" for i in fitting]


def every_keyboard(kb):
    index = Index(kb)
    markups = [keyboards.examples(kb, "en"), keyboards.topics(kb, "ru"),
               keyboards.feedback("AbCdEfGhIjKl", "en")]
    markups += [keyboards.topic_questions(kb, t.id, lang) for t in kb.topics
                for lang in keyboards.LANGUAGES]
    markups.append(keyboards.topic_questions(kb, keyboards.OTHER_TOPIC, "en"))
    for entry in kb.entries:
        result = answer(entry.canonical, index)
        markups += [keyboards.paragraphs(result, kb), keyboards.suggestions(
            Answer("q", False, "no", suggestions=(Suggestion(entry.id, entry.canonical),)))]
    return [d for m in markups for d in all_data(m)]


def test_every_keyboard_of_the_test_knowledge_base_fits(kb):
    data = every_keyboard(kb)
    assert data and all(len(d.encode("utf-8")) <= CALLBACK_LIMIT for d in data)
    assert all(decode(d) is not None for d in data)


def test_every_entry_of_the_bundled_knowledge_base_gets_its_buttons():
    kb = load_knowledge(BUNDLED_KNOWLEDGE)
    data = every_keyboard(kb)
    assert all(len(d.encode("utf-8")) <= CALLBACK_LIMIT for d in data)
    assert {f"q:en:{e.id}" for e in kb.entries} <= set(data)  # no entry id is too long


def test_examples_are_the_first_three_featured_questions(kb):
    markup = keyboards.examples(kb, "ru")
    assert all_data(markup) == ["q:ru:taliban-regional-security", "q:ru:eu-aid-pledge",
                                "q:ru:is-fighters-count"]
    assert markup.inline_keyboard[0][0].text == "На что согласились талибы в Москве?"
    assert markup.inline_keyboard[2][0].text.startswith("How many")  # no Russian wording


def test_topics_list_the_used_topics_then_other_questions(kb):
    labels = [row[0].text for row in keyboards.topics(kb, "en").inline_keyboard]
    assert labels == ["The Moscow talks", "Aid", "Security", "Other questions"]
    other = keyboards.topic_questions(kb, keyboards.OTHER_TOPIC, "en").inline_keyboard
    assert [row[0].text for row in other] == ["When will the Taliban be officially recognised?",
                                              "« All topics"]


def test_a_paragraph_button_points_at_the_quote_inside_its_paragraph(kb):
    result = answer("how much did the EU pledge", Index(kb))
    [[button]] = keyboards.paragraphs(result, kb).inline_keyboard
    assert button.text == "Full paragraph"
    citation = keyboards.paragraph_citation(decode(button.callback_data), kb)
    assert citation.paragraph == 7
    assert citation.highlight == result.citations[0].highlight
    assert citation.text == kb.articles["talks"].paragraph(7)


def test_paragraph_buttons_are_numbered_when_there_are_several(kb):
    cited = tuple(Citation("talks", n, kb.articles["talks"].paragraph(n)) for n in (3, 5, 5, 7, 8))
    several = Answer("q", True, "a", cited, language="ru")
    labels = [row[0].text for row in keyboards.paragraphs(several, kb).inline_keyboard]
    assert labels == ["Весь абзац 3", "Весь абзац 5", "Весь абзац 7"]  # once each, three at most


def test_a_paragraph_that_no_longer_exists_is_none(kb):
    assert keyboards.paragraph_citation(Tap("paragraph", "en", "talks", (99,)), kb) is None
    assert keyboards.paragraph_citation(Tap("paragraph", "en", "gone", (1,)), kb) is None
    whole = keyboards.paragraph_citation(Tap("paragraph", "en", "talks", (2, 50, 10)), kb)
    assert whole.highlight == whole.text  # a nonsense span shows the paragraph plainly


def test_long_labels_are_cut():
    declined = Answer("q", False, "no", suggestions=(Suggestion("x", "why " * 100),))
    [[button]] = keyboards.suggestions(declined).inline_keyboard
    assert len(button.text) <= keyboards.BUTTON_TEXT and button.text.endswith("…")



def test_a_huge_topic_stays_within_telegrams_hundred_buttons(tmp_path):
    entries = "".join(f"""
  - id: entry-{n}
    topic: all
    questions: ["Question number {n} about the ferry?"]
    answer: Yes.
    quotes: ["The ferry runs."]
""" for n in range(150))
    yaml = ("version: 1\narticle: {file: talks.txt, title: Ferry, source: Test}\n"
            "topics: [{id: all, title: All}]\nentries:" + entries)
    kb = load_knowledge(write_knowledge(tmp_path / "big", "Ferry\nThe ferry runs.\n", yaml))
    rows = keyboards.topic_questions(kb, "all", "en").inline_keyboard
    assert len(rows) == keyboards.MAX_BUTTONS
    assert rows[-1][0].text == "« All topics"
