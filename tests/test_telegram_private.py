"""The bot in a private chat, driven over HTTP through the Bot API stand-in."""

from __future__ import annotations

import shutil
from collections import deque

from telegram.ext import CommandHandler

from bot import handlers
from bot.render import visible_length
from tests.standin import parse_html
from tests.telegram_helpers import (
    ADMIN_ID,
    ENTRIES,
    USER_ID,
    FakeStore,
    ask,
    buttons,
    replies,
    running_bot,
    sends,
    tap,
    write_huge_knowledge,
    write_knowledge,
)

EU_QUOTE = "Brussels has pledged one billion euros ($1.2 billion) in aid"


def media_message(api, user_id=USER_ID, **fields):
    """A private message carrying only ``fields`` (a photo, a voice note...), no text."""
    update = api.private_message("-", user_id)
    del update["message"]["text"]
    update["message"].update(fields)
    return update


async def test_a_question_is_answered_with_its_quote_and_paragraph(api, knowledge_dir):
    async with running_bot(api, knowledge_dir):
        [reply] = await ask(api, "how much did the EU pledge?")
    assert reply["text"].startswith("One billion euros, about $1.2 billion.")
    assert EU_QUOTE in reply["text"]
    assert "paragraph 7 · AFP" in reply["text"]
    assert any(e["type"] in ("blockquote", "expandable_blockquote") for e in reply["entities"])
    [sent] = sends(api, USER_ID)
    assert sent["parse_mode"] == "HTML"
    assert sent["link_preview_options"] == {"is_disabled": True}
    assert "<blockquote" in sent["text"]
    assert "reply_parameters" not in sent  # a private chat needs no reply threading
    assert not buttons(reply)  # no store: no feedback buttons


async def test_a_near_miss_is_declined_with_buttons_and_a_tap_answers(api, knowledge_dir):
    async with running_bot(api, knowledge_dir):
        [declined] = await ask(api, "What did India's prime minister say?")
        assert declined["text"].startswith("The article doesn't say.")
        offered = buttons(declined)
        assert offered and len(offered) <= 3
        assert offered[0]["text"] == "Which countries took part in the talks?"
        assert all(len(b["callback_data"].encode()) <= 64 for b in offered)

        before = len(api.messages_to(USER_ID))
        query_id = await tap(api, declined, offered[0]["callback_data"])
        [answered] = await replies(api, USER_ID, before)
    assert "India" in answered["text"] and "paragraph 8" in answered["text"]
    assert query_id in api.callback_answers


async def test_start_greets_says_what_it_knows_and_offers_three_examples(api, knowledge_dir):
    async with running_bot(api, knowledge_dir):
        [hello] = await ask(api, "/start")
        lines = hello["text"].splitlines()
        assert lines[0].startswith("Hi!") and len(lines[1]) > 10
        assert "At Moscow talks, Taliban vows" in hello["text"] and "(AFP)" in hello["text"]
        examples = buttons(hello)
        assert [b["text"] for b in examples] == [
            "What did the Taliban agree to in Moscow?",
            "How much aid has the European Union pledged?",
            "How many Islamic State fighters are in northern Afghanistan?",
        ]
        before = len(api.messages_to(USER_ID))
        await tap(api, hello, examples[1]["callback_data"])
        [answer] = await replies(api, USER_ID, before)
    assert EU_QUOTE in answer["text"]


async def test_help_explains_asking_groups_and_inline_mode(api, knowledge_dir):
    async with running_bot(api, knowledge_dir):
        [text] = [m["text"] for m in await ask(api, "/help")]
    assert "/ask" in text and "/topics" in text and "/why" in text and "/source" in text
    assert "groups" in text and "@talks_test_bot" in text


async def test_every_command_the_bot_handles_is_documented(api, knowledge_dir):
    async with running_bot(api, knowledge_dir) as app:
        [help_text] = [m["text"] for m in await ask(api, "/help")]
        menus = {c["command"] for menu in api.commands.values() for c in menu}
        commands = {c for handler in app.handlers[0] if isinstance(handler, CommandHandler)
                    for c in handler.commands}
    maintainer = {"stats", "reload"}
    assert commands - maintainer == menus
    assert all(f"/{c}" in help_text for c in commands - maintainer - {"start", "help"})


async def test_command_menus_for_private_chats_and_groups(api, knowledge_dir):
    async with running_bot(api, knowledge_dir):
        pass
    menus = {(scope, language): [c["command"] for c in commands]
             for (scope, language), commands in api.commands.items()}
    private = '{"type": "all_private_chats"}'
    group = '{"type": "all_group_chats"}'
    assert menus[(private, "")] == ["start", "help", "ask", "topics", "source", "why"]
    assert menus[(group, "")] == ["ask", "help", "source"]
    assert menus[(private, "ru")] == menus[(private, "")]


async def test_ask_command_and_ask_alone(api, knowledge_dir):
    async with running_bot(api, knowledge_dir):
        [answered] = await ask(api, "/ask how much did the EU pledge")
        [hint] = await ask(api, "/ask")
    assert EU_QUOTE in answered["text"]
    assert hint["text"].startswith("Put the question after /ask")
    assert "\n" not in hint["text"]


async def test_topics_then_a_topic_then_a_question_then_back(api, knowledge_dir):
    async with running_bot(api, knowledge_dir):
        [menu] = await ask(api, "/topics")
        topics = buttons(menu)
        assert [b["text"] for b in topics] == ["The Moscow talks", "Aid", "Security",
                                               "Other questions"]

        await tap(api, menu, topics[1]["callback_data"])
        edited = api.message(USER_ID, menu["message_id"])
        assert edited["text"].startswith("Aid")
        questions = buttons(edited)
        assert [b["text"] for b in questions] == ["How much aid has the European Union pledged?",
                                                  "« All topics"]

        before = len(api.messages_to(USER_ID))
        await tap(api, edited, questions[0]["callback_data"])
        [answer] = await replies(api, USER_ID, before)
        assert EU_QUOTE in answer["text"]

        await tap(api, edited, questions[-1]["callback_data"])
        back = api.message(USER_ID, menu["message_id"])
        assert [b["text"] for b in buttons(back)] == [b["text"] for b in topics]


async def test_source_names_the_article_and_the_numbering(api, knowledge_dir):
    async with running_bot(api, knowledge_dir):
        [text] = [m["text"] for m in await ask(api, "/source")]
    assert "“At Moscow talks, Taliban vows to work with regional players over IS threats”" in text
    assert "AFP, October 2021" in text
    assert "headline is paragraph 1" in text


async def test_why_after_an_answer_and_as_a_reply(api, knowledge_dir):
    async with running_bot(api, knowledge_dir):
        [nothing_yet] = await ask(api, "/why")
        [first] = await ask(api, "how much did the EU pledge")
        [why_last] = await ask(api, "/why")
        await ask(api, "What did India's prime minister say?")
        [why_reply] = await ask(api, "/why", reply_to=first["message_id"])
        [why_declined] = await ask(api, "/why")
    assert nothing_yet["text"].startswith("Ask me something first")
    assert "outcome: answered" in why_last["text"] and "eu-aid-pledge" in why_last["text"]
    assert why_last["entities"][0]["type"] == "pre"
    assert "eu-aid-pledge" in why_reply["text"]  # the replied-to answer, not the last one
    assert "outcome: declined" in why_declined["text"]


async def test_a_huge_answer_is_split_into_messages_within_the_limit(api, tmp_path):
    knowledge = write_huge_knowledge(tmp_path / "huge")
    async with running_bot(api, knowledge):
        got = await ask(api, "What did the delegates talk about?", count=2)
        await api.await_until_idle()
    attempts = api.calls_of("sendMessage")
    assert len(got) >= 2 and all(c.ok for c in attempts)  # the stand-in answers 400 when too long
    assert all(visible_length(c.params["text"]) <= 4096 for c in attempts)
    assert all(len(parse_html(c.params["text"])[0]) <= 4096 for c in attempts)
    assert got[0]["text"].startswith("They talked about everything")
    assert "paragraph 2" in "".join(m["text"] for m in api.messages_to(USER_ID))


async def test_an_edited_question_is_answered_again(api, knowledge_dir):
    async with running_bot(api, knowledge_dir):
        question = api.private_message("how many IS fighters", USER_ID)
        api.push_update(question)
        [first] = await replies(api, USER_ID, 0)
        api.push_update(api.edited_message(question, "how much did the EU pledge"))
        [second] = await replies(api, USER_ID, 1)
    assert "2,000" in first["text"]
    assert EU_QUOTE in second["text"]
    assert second["reply_to_message"]["message_id"] == question["message"]["message_id"]


async def test_stickers_photos_and_voice_get_a_one_line_hint(api, knowledge_dir):
    async with running_bot(api, knowledge_dir):
        api.push_update(api.sticker_message(USER_ID))
        api.push_update(media_message(api, photo=[{"file_id": "p1", "file_unique_id": "u1",
                                                   "width": 90, "height": 90}]))
        api.push_update(media_message(api, voice={"file_id": "v1", "file_unique_id": "u2",
                                                  "duration": 3}))
        got = await replies(api, USER_ID, 0, count=3)
        api.push_update(media_message(api, photo=[{"file_id": "p2", "file_unique_id": "u3",
                                                   "width": 90, "height": 90}],
                                      caption="how much did the EU pledge"))
        [answer] = await replies(api, USER_ID, 3)
    assert [m["text"] for m in got] == ["I can only read text: please type your question "
                                        "about the article."] * 3
    assert EU_QUOTE in answer["text"]  # a caption is a question


async def test_a_429_is_waited_out_and_the_answer_still_arrives(api, knowledge_dir,
                                                                monkeypatch):
    # PTB 22 warns about RetryAfter's future type while building the error; opt in to it.
    monkeypatch.setenv("PTB_TIMEDELTA", "1")
    async with running_bot(api, knowledge_dir):
        api.fail_next("sendMessage", "429", retry_after=1)
        [reply] = await ask(api, "how much did the EU pledge")
    assert [c.status for c in api.calls_of("sendMessage")] == [429, 200]
    assert EU_QUOTE in reply["text"]


async def test_an_answer_shared_through_inline_mode_is_not_a_question(api, knowledge_dir):
    async with running_bot(api, knowledge_dir):
        api.say("One billion euros, about $1.2 billion.", via_bot=api.bot_user)
        [answer] = await ask(api, "how many IS fighters")
    assert [m["text"] for m in api.messages_to(USER_ID)] == [answer["text"]]


async def test_unknown_commands_and_maintainer_commands_for_others(api, knowledge_dir):
    async with running_bot(api, knowledge_dir):
        [unknown] = await ask(api, "/frobnicate")
        [stats] = await ask(api, "/stats")
        [reload] = await ask(api, "/reload")
    expected = "I don't know that command; try /help."
    assert unknown["text"] == stats["text"] == reload["text"] == expected


async def test_stats_for_a_maintainer(api, knowledge_dir):
    async with running_bot(api, knowledge_dir):
        [off] = await ask(api, "/stats", ADMIN_ID)
    async with running_bot(api, knowledge_dir, store=FakeStore()):
        [on] = await ask(api, "/stats", ADMIN_ID)
    assert off["text"] == "Recording is off, so there are no statistics."
    assert on["text"] == "last 7 days: 3 questions, 2 answered <67%>"  # escaped, then shown


async def test_reload_with_a_broken_knowledge_base_keeps_serving(api, knowledge_dir):
    async with running_bot(api, knowledge_dir):
        (knowledge_dir / "talks.yaml").write_text(
            (knowledge_dir / "talks.yaml").read_text(encoding="utf-8").replace(
                "Brussels has pledged", "Brussels <b>promised</b>"), encoding="utf-8")
        [refused] = await ask(api, "/reload", ADMIN_ID)
        [still] = await ask(api, "how much did the EU pledge")
    assert refused["text"].startswith("The knowledge base has errors; I keep serving")
    assert "talks.yaml:" in refused["text"] and "[eu-aid-pledge]" in refused["text"]
    assert "<b>promised</b>" in refused["text"]  # shown as typed: escaped, not parsed
    assert EU_QUOTE in still["text"]


async def test_reload_swaps_in_the_new_knowledge_base(api, knowledge_dir):
    async with running_bot(api, knowledge_dir):
        shutil.rmtree(knowledge_dir)
        write_knowledge(knowledge_dir, entries=ENTRIES.replace(
            "answer: One billion euros, about $1.2 billion.",
            "answer: A billion euros (reloaded)."))
        [done] = await ask(api, "/reload", ADMIN_ID)
        [answer] = await ask(api, "how much did the EU pledge")
    assert done["text"] == "Reloaded: 1 article(s), 6 entries."
    assert answer["text"].startswith("A billion euros (reloaded).")


async def test_russian_questions_get_russian_answers_and_buttons(api, knowledge_dir):
    async with running_bot(api, knowledge_dir):
        [answered] = await ask(api, "сколько помощи пообещал Евросоюз")
        [declined] = await ask(api, "Кто такой Путин?")
    assert answered["text"].startswith("Один миллиард евро")
    assert "абзац 7" in answered["text"]
    assert declined["text"].startswith("В статье об этом не говорится.")
    assert buttons(declined)[0]["text"] == "На что согласились талибы в Москве?"


async def test_feedback_buttons_record_and_thank(api, knowledge_dir):
    store = FakeStore()
    async with running_bot(api, knowledge_dir, store=store):
        [answered] = await ask(api, "how much did the EU pledge")
        [declined] = await ask(api, "What did India's prime minister say?")
        votes = buttons(answered)
        assert [b["callback_data"] for b in votes] == ["fb:q1:1", "fb:q1:0"]
        query_id = await tap(api, answered, "fb:q1:0")
    assert store.votes == [("q1", False)]
    assert api.callback_answers[query_id]["text"] == "Thanks for the feedback"
    assert not buttons(api.message(USER_ID, answered["message_id"]))  # one vote per answer
    assert [r["chat_type"] for r in store.records] == ["private", "private"]
    assert store.records[0]["result"].entry == "eu-aid-pledge"
    assert not store.records[1]["result"].answered
    assert not any(b["callback_data"].startswith("fb:") for b in buttons(declined))
    assert store.closed


async def test_stale_or_unknown_buttons_are_still_answered(api, knowledge_dir):
    async with running_bot(api, knowledge_dir):
        [hello] = await ask(api, "/start")
        unknown = await tap(api, hello, "zz:whatever")
        gone = await tap(api, hello, "q:en:no-such-entry")
        moved = await tap(api, hello, "p:en:talks:99:0:5")
    for query_id in (unknown, gone, moved):
        assert api.callback_answers[query_id]["text"].startswith("This button is out of date")


async def test_an_error_is_logged_with_the_update_id_and_the_person_gets_an_apology(
        api, knowledge_dir, caplog):
    async with running_bot(api, knowledge_dir):
        # The next send fails for real (Telegram lost the message being replied to).
        api.fail_next("sendMessage", "400-reply")
        update = api.say("how much did the EU pledge")
        [apology] = await replies(api, USER_ID, 0)
    assert apology["text"].startswith("Sorry, something went wrong")
    [record] = [r for r in caplog.records if r.name == "bot.handlers" and r.levelname == "ERROR"]
    assert str(update["update_id"]) in record.getMessage()
    assert record.exc_info is not None


async def test_a_handler_bug_is_caught_by_the_error_handler(api, knowledge_dir, caplog):
    async def broken(update, context):
        raise RuntimeError("a bug")

    async with running_bot(api, knowledge_dir) as app:
        app.add_handler(CommandHandler("broken", broken), group=-2)
        apology, unknown = await ask(api, "/broken", count=2)
    assert unknown["text"].startswith("I don't know that command")  # later handlers still run
    assert apology["text"].startswith("Sorry, something went wrong")
    assert any(r.exc_info and isinstance(r.exc_info[1], RuntimeError) for r in caplog.records)


async def test_someone_asking_too_fast_is_told_once_to_slow_down(api, knowledge_dir):
    async with running_bot(api, knowledge_dir):
        for _ in range(handlers.QUESTIONS_PER_WINDOW + 3):
            api.say("how much did the EU pledge")
        got = await replies(api, USER_ID, 0, count=handlers.QUESTIONS_PER_WINDOW + 1)
        await ask(api, "/source", 555)  # everything before it has been handled
    texts = [m["text"] for m in api.messages_to(USER_ID)]
    assert len(texts) == len(got) == handlers.QUESTIONS_PER_WINDOW + 1
    assert texts[-1].startswith("You're asking faster than I can answer")


def test_too_fast_counts_questions_in_a_sliding_window():
    times: deque[float] = deque()
    assert not any(handlers.too_fast(times, t, limit=3, window=60) for t in (0, 1, 2))
    assert handlers.too_fast(times, 30, limit=3, window=60)
    assert not handlers.too_fast(times, 60.5, limit=3, window=60)  # the first one expired


def test_fit_lines_escapes_and_cuts():
    assert handlers.fit_lines(["a < b", "c"]) == "a &lt; b\nc"
    cut = handlers.fit_lines(["x" * 1000] * 10)
    assert visible_length(cut) <= 4096 and cut.endswith("more)")

