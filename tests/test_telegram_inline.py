"""Inline mode: ``@bot question`` in any chat offers answers ready to send, with their quotes."""

from __future__ import annotations

from bot.render import visible_length
from tests.standin import parse_html
from tests.telegram_helpers import (
    USER_ID,
    running_bot,
    tap,
)

EU_QUOTE = "Brussels has pledged one billion euros ($1.2 billion) in aid"


async def inline(api, text, user_id=USER_ID, **kwargs):
    """Type ``@talks_test_bot text``; return what the bot offered (answerInlineQuery params)."""
    update = api.push_update(api.inline_query(text, user_id, **kwargs))
    query_id = update["inline_query"]["id"]
    return await api.await_for(lambda: api.inline_answers.get(query_id))


def content(result):
    """The message a result would send, parsed like Telegram parses it."""
    message = result["input_message_content"]
    assert message["parse_mode"] == "HTML"
    assert message["link_preview_options"] == {"is_disabled": True}
    assert visible_length(message["message_text"]) <= 4096
    return parse_html(message["message_text"])


async def test_a_question_offers_its_answer_with_the_quote(api, knowledge_dir):
    async with running_bot(api, knowledge_dir):
        offered = await inline(api, "how much did the EU pledge")
    [result] = offered["results"]
    text, entities = content(result)
    assert result["type"] == "article"
    assert result["title"] == "How much aid has the European Union pledged?"
    assert text.startswith("How much aid has the European Union pledged?\n\nOne billion euros")
    assert EU_QUOTE in text and "paragraph 7 · AFP" in text
    assert any(e["type"].endswith("blockquote") for e in entities)
    assert offered["cache_time"] <= 60 and offered["is_personal"] is False


async def test_an_empty_query_offers_popular_questions_answered(api, knowledge_dir):
    async with running_bot(api, knowledge_dir):
        offered = await inline(api, "")
    titles = [r["title"] for r in offered["results"]]
    assert titles == ["What did the Taliban agree to in Moscow?",
                      "How much aid has the European Union pledged?",
                      "How many Islamic State fighters are in northern Afghanistan?"]
    assert all("paragraph" in content(r)[0] for r in offered["results"])


async def test_a_decline_offers_the_closest_questions(api, knowledge_dir):
    async with running_bot(api, knowledge_dir):
        offered = await inline(api, "What did India's prime minister say?")
        russian = await inline(api, "Кто такой Путин?")
    assert offered["results"][0]["title"] == "Which countries took part in the talks?"
    assert "India" in content(offered["results"][0])[0]
    assert russian["results"][0]["title"] == "На что согласились талибы в Москве?"
    assert content(russian["results"][0])[0].count("абзац 3") == 1


async def test_never_more_than_three_results(api, knowledge_dir):
    questions = ["", "taliban", "how much did the EU pledge and how many IS fighters",
                 "what is the weather", "?", "x" * 250]
    async with running_bot(api, knowledge_dir):
        offers = [await inline(api, q) for q in questions]
    assert all(len(o["results"]) <= 3 for o in offers)
    assert all(len({r["id"] for r in o["results"]}) == len(o["results"]) for o in offers)


async def test_a_button_on_an_inline_message_is_still_answered(api, knowledge_dir):
    async with running_bot(api, knowledge_dir):
        update = api.push_update(api.callback_query("q:en:eu-aid-pledge",
                                                    inline_message_id="AAAAinline"))
        query_id = update["callback_query"]["id"]
        await api.await_for(lambda: query_id in api.callback_answers)
        # Telegram no longer shows the bot a message this old: an InaccessibleMessage.
        gone = {"chat": api.private_chat(USER_ID), "message_id": 999, "date": 0}
        stale = await tap(api, gone, "t:en:aid")
    assert api.callback_answers[query_id]["text"].startswith("This button is out of date")
    assert stale in api.callback_answers
