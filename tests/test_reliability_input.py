"""Bad input from people: whatever they type, nothing raises, every reply is valid Telegram
HTML within 4096 UTF-16 units, and nothing they typed reaches the HTML unescaped.

Checked at the engine (``answer`` + ``render_html``, many generated examples) and through the
real Application on the stand-in, which answers 400 to invalid HTML or an overlong message.
Also here: maintainer commands from people who are not maintainers.
"""

from __future__ import annotations

import functools
import random
import re
import time

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from bench import BUNDLED_KNOWLEDGE
from bot.answer import answer
from bot.handlers import GROUP_LIMIT
from bot.knowledge import KnowledgeBase, load_knowledge
from bot.matcher import Index
from bot.phrases import phrase
from bot.render import TELEGRAM_LIMIT, render_html
from tests.standin import parse_html, utf16_len
from tests.standin.telegram_html import trim_text
from tests.telegram_helpers import (
    ADMIN_ID,
    ENTRIES,
    GROUP_ID,
    USER_ID,
    USERNAME,
    ask,
    replies,
    running_bot,
    settle,
)

# Pieces of hostile text: markup, invisible and control characters, scripts, emoji.
MARKUP = (
    "<b>", "</b>", "</blockquote>", "<blockquote expandable>", "&amp;", "&lt;", "&#0;", "&#x1F600;",
    "&nbsp;", '<a href="https://evil.example/x">click</a>', "<a href='tg://user?id=1'>me</a>",
    "<tg-spoiler>", '<span class="tg-spoiler">', "<pre><code class=\"language-py\">",
    "<script>alert(1)</script>", "<!--", "-->", "<![CDATA[", "a < b > c", "&", "<", ">", '"',
    "*bold*", "_italic_", "__under__", "~strike~", "||spoiler||", "`code`", "```\npre\n```",
    "[link](https://evil.example)", "\\", "\\_", "<i>", "</i><b>", "<u><s>",
)
INVISIBLE = (
    "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u200e", "\u200f", "\u202a",
    "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069", "\u061c",
    "\x00", "\x01", "\x07", "\x08", "\x0b", "\x0c", "\r", "\r\n", "\x1b[31m", "\x7f", "\x85",
    "\u2028", "\u2029", "\ufffd", "\ufff9",
)
SCRIPTS = (
    "שלום עולם", "مرحبا بالعالم", "Сколько обещал ЕС?", "中文问题", "日本語の質問", "한국어",
    "e\u0301\u0301\u0301", "Z\u0351\u0300\u0336\u0337a\u0489\u0489l\u0338g\u0360o",
    "👨‍👩‍👧‍👦", "🇺🇦🇷🇺", "👍🏽", "1️⃣", "🏳️‍🌈", "🧑🏿‍🚀", "\U0001f600" * 5,
    "ﷺ", "𝕳𝖊𝖑𝖑𝖔", "ǅ", "ß", "İ", "ﬃ", "Ⅻ", "²³",
)
QUESTIONS = (
    "how much did the EU pledge", "What did the Taliban agree to in Moscow?",
    "how many IS fighters", "who criticized the absence of US officials",
    "What did India's prime minister say?", "and", "?", "¿", "/ask", "/ask@talks_test_bot",
    "@talks_test_bot", "/start", "/why", "/reload",
)
PIECES = MARKUP + INVISIBLE + SCRIPTS + QUESTIONS
SEPARATORS = (" ", "", "? ", "\n", " and ", "; ", ", also ")
# Tags the renderer itself writes: anything else would be the user's.
OUR_TAGS = {"<b>", "</b>", "<i>", "</i>", "<blockquote>", "<blockquote expandable>",
            "</blockquote>"}
OUR_ENTITIES = {"bold", "italic", "blockquote", "expandable_blockquote"}
_TAG = re.compile(r"<[^>]*>")
_LABEL = re.compile(r"^(paragraph|абзац) \d+ · ")


@functools.cache
def engine() -> tuple[KnowledgeBase, Index, str]:
    """The bundled knowledge base, its index, and its article text (loaded once)."""
    kb = load_knowledge(BUNDLED_KNOWLEDGE)
    article = "\n".join(p for a in kb.articles.values() for p in a.paragraphs)
    return kb, Index(kb), article


def _utf16_slice(text: str, offset: int, length: int) -> str:
    units = text.encode("utf-16-le", "surrogatepass")
    return units[2 * offset: 2 * (offset + length)].decode("utf-16-le", "surrogatepass")


def check_message(html_text: str, limit: int, article: str) -> str:
    """Assert ``html_text`` is one message Telegram accepts, whose formatting all comes from
    the knowledge base; return its plain text."""
    assert set(_TAG.findall(html_text)) <= OUR_TAGS, html_text
    plain, entities = parse_html(html_text)  # raises on anything Telegram would refuse
    trimmed, _ = trim_text(plain, entities)
    assert trimmed, "Telegram refuses an empty message"
    assert utf16_len(trimmed) <= limit
    for entity in entities:
        assert entity["type"] in OUR_ENTITIES, entity
        inside = _utf16_slice(plain, entity["offset"], entity["length"])
        if entity["type"] == "bold":
            assert re.fullmatch(r"\d+\.", inside) or inside in article, inside
        elif entity["type"] == "italic":
            hints = {phrase(lang, "not_sure_hint") for lang in ("en", "ru")}
            assert _LABEL.match(inside) or inside in hints, inside
        else:
            quoted = inside.partition("“")[2].rpartition("”\n— ")[0]
            assert quoted.removesuffix("…") in article, inside
    return plain


def check_reply(text: str) -> None:
    """Answer ``text`` and render it every way the bot does; check every message."""
    kb, index, article = engine()
    result = answer(text, index)
    for limit in (TELEGRAM_LIMIT, GROUP_LIMIT):
        for listed in (True, False):
            messages = render_html(result, kb, limit=limit, list_suggestions=listed)
            assert messages
            plain = "\n".join(check_message(m, limit, article) for m in messages)
            # What the user typed is shown as typed: their "<b>" is text, not bold.
            for part in result.parts:
                if not part.answered and limit == TELEGRAM_LIMIT:
                    assert phrase(part.language, "not_said_part",
                                  question=part.question) in plain


def _joined(parts: list[str], separators: list[str]) -> str:
    return "".join(p + s for p, s in zip(parts, separators, strict=False))


pieces = st.sampled_from(PIECES) | st.text(max_size=12)
separators = st.lists(st.sampled_from(SEPARATORS), min_size=12, max_size=12)
hostile = st.builds(_joined, st.lists(pieces, max_size=12), separators)
# A curated question with something hostile after it, so that part is echoed back.
echoed = st.builds(lambda q, tail: f"{q}? and what about {tail}?",
                   st.sampled_from(QUESTIONS[:4]), hostile)
# A curated question wrapped in invisible characters and markup: answered, with its quote.
wrapped = st.builds(lambda before, q, after: before + q + after,
                    st.sampled_from(("", *INVISIBLE, *MARKUP)), st.sampled_from(QUESTIONS[:4]),
                    st.sampled_from(("", "?", *INVISIBLE, *MARKUP)))
huge = st.builds(_joined, st.lists(pieces, min_size=1, max_size=12), separators).map(
    lambda text: (text * (10_000 // max(len(text), 1) + 1))[:10_000])
anything = st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=200)


@settings(max_examples=1500, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.one_of(hostile, echoed, wrapped, huge, anything))
def test_any_text_gets_valid_html_within_the_limit_and_nothing_unescaped(text):
    check_reply(text)
    event(f"outcome: {answer(text, engine()[1]).source}")  # see --hypothesis-show-statistics


@pytest.mark.parametrize("text", [
    "", " ", "/ask", "/ask   ", "/ask@talks_test_bot", "@talks_test_bot", "@talks_test_bot ?",
    "how much did the EU pledge? and <b>who</b> is &amp; <a href='https://x.y'>this</a>?",
    "how much did the EU pledge? and what did </blockquote><b>Lavrov</b> eat?",
    "how many IS fighters?\u202e and what is <i>\u200bthis</i>?",
    "x" * 10_000, "<b>" * 2500, "&amp;" * 2000, "\U0001f600" * 5000, "\u0301" * 10_000,
    "how much did the EU pledge " + "?" * 10_000,
])
def test_known_hostile_messages(text):
    check_reply(text)


def test_an_echoed_tag_is_escaped_not_parsed():
    kb, index, _ = engine()
    result = answer("how much did the EU pledge? and what about <b>Lavrov</b>?", index)
    [message] = render_html(result, kb)
    assert "what about &lt;b&gt;Lavrov&lt;/b&gt;" in message
    assert "what about <b>Lavrov</b>" in parse_html(message)[0]


# -- through the real Application ------------------------------------------------------------

def sample(count: int, seed: int = 5) -> list[str]:
    """``count`` hostile messages built from the same pieces, reproducibly."""
    rng = random.Random(seed)
    texts = []
    for _ in range(count):
        parts = [rng.choice(PIECES) for _ in range(rng.randrange(1, 10))]
        text = "".join(p + rng.choice(SEPARATORS) for p in parts)
        if rng.random() < 0.3:
            text = f"{rng.choice(QUESTIONS[:4])}? and what about {text}?"
        if rng.random() < 0.05:
            text = (text * 10_000)[:10_000]
        texts.append(text if text.strip() else text + "?")
    return texts


async def test_hostile_messages_through_the_bot_are_all_delivered(api, knowledge_dir, caplog):
    texts = sample(150)
    first = 90_000
    async with running_bot(api, knowledge_dir, rate_limit=False):
        started = time.monotonic()
        for number, text in enumerate(texts):
            api.say(text, first + number)  # one person each: nobody is asking too fast
        for number, text in enumerate(texts[:40]):
            api.say_in_group(f"@{USERNAME} {text}", GROUP_ID - number, first + 1000 + number)
            api.push_update(api.inline_query(text[:256], first + 2000 + number))
        for number, text in enumerate(["/ask", f"@{USERNAME}", f"/ask@{USERNAME}", "/ask  "]):
            api.say_in_group(text, GROUP_ID - 100 - number, first + 3000 + number)
        api.say("/ask", first + 4000)
        api.say("/source", 777)  # once it is answered, everything before it has been handled
        await replies(api, 777, 0, timeout=60)
        seconds = time.monotonic() - started
    attempts = [c for c in api.calls if c.method in ("sendMessage", "answerInlineQuery")]
    refused = [(c.method, c.status, c.error) for c in attempts if not c.ok]
    print(f"\n{len(texts)} private, 40 group and 40 inline hostile messages, 5 bare /ask or "
          f"mentions: {len(attempts)} sends, {len(refused)} refused, {seconds:.1f}s")
    assert not refused
    assert not [r for r in caplog.records if r.levelname == "ERROR"]
    for number in range(len(texts)):
        [reply] = api.messages_to(first + number)
        assert utf16_len(reply["text"]) <= TELEGRAM_LIMIT
    for number in range(40):
        [reply] = api.messages_to(GROUP_ID - number)
        assert reply["reply_to_message"]["from"]["id"] == first + 1000 + number
    assert len(api.inline_answers) == 40
    hints = [api.messages_to(GROUP_ID - 100 - n)[0]["text"] for n in range(4)]
    hints.append(api.messages_to(first + 4000)[0]["text"])
    assert all(h.startswith(("Put the question after /ask", "Ask me a question")) for h in hints)


# -- maintainer commands -------------------------------------------------------------------------

async def test_maintainer_commands_refuse_everyone_not_listed(api, knowledge_dir):
    broken = ENTRIES.replace("answer: One billion euros", "answer: [One billion euros")
    async with running_bot(api, knowledge_dir):
        (knowledge_dir / "talks.yaml").write_text(broken, encoding="utf-8")
        before = len(api.delivered)
        anonymous = api.group_message("/reload", GROUP_ID, user_id=1087968824,
                                      sender_chat={"id": GROUP_ID, "type": "supergroup",
                                                   "title": "Test Group"})
        anonymous["message"]["from"].update(is_bot=True, username="GroupAnonymousBot")
        api.push_update(anonymous)  # an anonymous group admin is not a listed maintainer
        api.push_update(api.private_message(  # a maintainer's command forwarded by someone else
            "/reload", USER_ID, forward_origin={"type": "user", "date": 1,
                                                "sender_user": api.user(ADMIN_ID)}))
        api.say_in_group(f"/reload@{USERNAME}", GROUP_ID, USER_ID)
        api.say_in_group(f"/stats@{USERNAME} 7", GROUP_ID, USER_ID)
        await settle(api)
        refused = api.delivered[before:-1]  # the last one is settle's
        [still] = await ask(api, "how much did the EU pledge")
    assert [m["text"] for m in refused] == ["I don't know that command; try /help."]
    assert refused[0]["chat"]["id"] == USER_ID
    assert "One billion euros" in still["text"]  # nothing was reloaded


async def test_without_maintainers_nobody_may_reload_or_see_stats(api, knowledge_dir):
    async with running_bot(api, knowledge_dir, admin_ids=frozenset()):
        [stats] = await ask(api, "/stats", ADMIN_ID)
        [reload] = await ask(api, "/reload", ADMIN_ID)
        api.say_in_group("/reload", GROUP_ID, ADMIN_ID)
        await settle(api)
    assert stats["text"] == reload["text"] == "I don't know that command; try /help."
    assert not api.messages_to(GROUP_ID)

