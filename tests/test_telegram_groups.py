"""The bot in groups: it answers only when addressed, as a reply, and is silent otherwise."""

from __future__ import annotations

from bot.handlers import GROUP_LIMIT
from bot.render import visible_length
from tests.telegram_helpers import (
    ADMIN_ID,
    GROUP_ID,
    USER_ID,
    buttons,
    replies,
    running_bot,
    sends,
    tap,
    write_huge_knowledge,
)

EU = "how much did the EU pledge?"
EU_QUOTE = "Brussels has pledged one billion euros ($1.2 billion) in aid"
OTHER_GROUP = -1009999999999


async def say(api, text, chat_id=GROUP_ID, count=1, **kwargs):
    """Say ``text`` in a group; return the update and the bot's next ``count`` messages."""
    before = len(api.messages_to(chat_id))
    update = api.say_in_group(text, chat_id, **kwargs)
    return update, await replies(api, chat_id, before, count)


async def assert_silent(api, *updates, chat_id=GROUP_ID):
    """Push ``updates``; then an addressed question must be the only thing answered."""
    before = len(api.messages_to(chat_id))
    for update in updates:
        api.push_update(update)
    question, [reply] = await say(api, f"/ask {EU}", chat_id)
    await api.await_until_idle()
    assert len(api.messages_to(chat_id)) == before + 1
    assert reply["reply_to_message"]["message_id"] == question["message"]["message_id"]


async def test_ask_is_answered_as_a_reply_with_a_full_paragraph_button(api, knowledge_dir):
    async with running_bot(api, knowledge_dir):
        question, [reply] = await say(api, f"/ask {EU}")
        [paragraph_button] = buttons(reply)
        query_id = await tap(api, reply, paragraph_button["callback_data"])
        [paragraph] = await replies(api, GROUP_ID, 1)
    [sent, _] = sends(api, GROUP_ID)
    assert sent["reply_parameters"]["message_id"] == question["message"]["message_id"]
    assert sent["reply_parameters"]["allow_sending_without_reply"] is True
    assert EU_QUOTE in reply["text"] and "paragraph 7" in reply["text"]
    assert paragraph_button["text"] == "Full paragraph"
    assert query_id in api.callback_answers
    assert paragraph["text"].startswith("The meeting came amid concerns over a looming")
    assert paragraph["reply_to_message"]["message_id"] == reply["message_id"]
    assert any(e["type"] == "bold" for e in paragraph["entities"])  # the quote stands out


async def test_every_way_of_addressing_the_bot_is_answered(api, knowledge_dir):
    async with running_bot(api, knowledge_dir):
        _, [with_name] = await say(api, f"/ask@talks_test_bot {EU}")
        _, [mention] = await say(api, f"@talks_test_bot {EU}")
        _, [inside] = await say(api, "hey @Talks_Test_Bot, how many IS fighters are there?")
        _, [reply] = await say(api, "and which countries took part in the talks?",
                               reply_to=mention["message_id"])
    assert EU_QUOTE in with_name["text"] and EU_QUOTE in mention["text"]
    assert "2,000" in inside["text"]
    assert "India" in reply["text"]


async def test_ask_alone_gets_a_one_line_hint(api, knowledge_dir):
    async with running_bot(api, knowledge_dir):
        _, [hint] = await say(api, "/ask")
        _, [hint_named] = await say(api, "/ask@talks_test_bot")
    assert hint["text"] == hint_named["text"]
    assert hint["text"].startswith("Put the question after /ask") and "\n" not in hint["text"]


async def test_chatter_is_not_answered(api, knowledge_dir):
    async with running_bot(api, knowledge_dir):
        await assert_silent(
            api,
            api.group_message(EU),                                   # plain chatter
            api.group_message(f"/ask@helper_bot {EU}"),              # another bot's command
            api.group_message(f"@helper_bot {EU}"),                  # another bot's name
            api.group_message("/frobnicate"),                        # an unknown command
            api.group_message("/help@helper_bot"),
        )


async def test_other_bots_and_service_messages_are_not_answered(api, knowledge_dir):
    async with running_bot(api, knowledge_dir):
        await assert_silent(
            api,
            api.group_message(f"@talks_test_bot {EU}", from_bot=True),
            api.group_message(f"/ask {EU}", from_bot=True),
            api.new_chat_members(),                                  # the bot was added
            api.new_chat_members([USER_ID + 1]),
            api.my_chat_member(),
            api.sticker_message(chat_id=GROUP_ID),
        )


async def test_replies_to_other_people_and_edits_are_not_answered(api, knowledge_dir):
    async with running_bot(api, knowledge_dir):
        someone = api.push_update(api.group_message("what a day", user_id=USER_ID + 1))
        addressed = api.group_message(f"/ask {EU}")
        await assert_silent(
            api,
            api.group_message(EU, reply_to=someone["message"]["message_id"]),
            api.edited_message(addressed, f"/ask {EU} (edited)"),
        )


async def test_maintainer_commands_from_others_are_silent_in_groups(api, knowledge_dir):
    async with running_bot(api, knowledge_dir):
        await assert_silent(api, api.group_message("/stats"), api.group_message("/reload"))
        _, [stats] = await say(api, "/stats", user_id=ADMIN_ID)
    assert stats["text"].startswith("Recording is off")


async def test_a_decline_offers_buttons_and_a_tap_answers_in_the_group(api, knowledge_dir):
    async with running_bot(api, knowledge_dir):
        _, [declined] = await say(api, "/ask What did India's prime minister say?")
        offered = buttons(declined)
        query_id = await tap(api, declined, offered[0]["callback_data"], user_id=USER_ID + 5)
        [answer] = await replies(api, GROUP_ID, 1)
    assert declined["text"].startswith("The article doesn't say.")
    assert query_id in api.callback_answers
    assert "India" in answer["text"]
    assert answer["reply_to_message"]["message_id"] == declined["message_id"]


async def test_why_in_a_group_needs_a_reply_to_an_answer(api, knowledge_dir):
    async with running_bot(api, knowledge_dir):
        _, [answer] = await say(api, f"/ask {EU}")
        _, [explained] = await say(api, "/why", reply_to=answer["message_id"])
        _, [hint] = await say(api, "/why")
    assert "eu-aid-pledge" in explained["text"]
    assert hint["text"].startswith("Reply /why to one of my answers")


async def test_help_and_source_work_in_groups(api, knowledge_dir):
    async with running_bot(api, knowledge_dir):
        _, [help_text] = await say(api, "/help@talks_test_bot")
        _, [source] = await say(api, "/source")
    assert "@talks_test_bot" in help_text["text"]
    assert "headline is paragraph 1" in source["text"]


async def test_forum_topics_get_the_answer_in_the_same_topic(api, knowledge_dir):
    async with running_bot(api, knowledge_dir):
        await say(api, f"/ask {EU}", message_thread_id=17)
    [sent] = sends(api, GROUP_ID)
    assert sent["message_thread_id"] == 17


async def test_group_answers_are_compact(api, tmp_path):
    async with running_bot(api, write_huge_knowledge(tmp_path / "huge")):
        _, got = await say(api, "/ask What did the delegates talk about?", OTHER_GROUP, count=2)
        await api.await_until_idle()
    assert all(visible_length(s["text"]) <= GROUP_LIMIT for s in sends(api, OTHER_GROUP))
    assert [b["text"] for b in buttons(api.messages_to(OTHER_GROUP)[-1])] == [
        "Full paragraph 2", "Full paragraph 3"]
    assert got[0]["text"].startswith("They talked about everything")
