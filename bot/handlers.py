"""Telegram handlers: read the update, call the engine, render, reply.

Everything they share lives in ``context.bot_data`` (``kb``, ``index``, ``settings`` and
``store``, which may be None); per-chat memory for /why lives in ``context.chat_data``.
The few decisions that need no Telegram round trip (is a group message addressed to us,
is someone asking too fast) are plain functions here so tests can call them directly.
"""

from __future__ import annotations

import asyncio
import html
import logging
import time
from collections import OrderedDict, deque
from collections.abc import MutableMapping
from typing import Any

from telegram import (
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    LinkPreviewOptions,
    Message,
    MessageEntity,
    ReplyParameters,
    Update,
)
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest, TelegramError
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot import keyboards
from bot.answer import Answer, answer, answer_entry
from bot.knowledge import KnowledgeBase, KnowledgeError, load_knowledge
from bot.matcher import Index
from bot.phrases import phrase
from bot.render import (
    TELEGRAM_LIMIT,
    render_explanation,
    render_html,
    render_paragraph_html,
    visible_length,
)

log = logging.getLogger(__name__)

GROUP_LIMIT = 1024        # group replies stay about one screen; "Full paragraph" shows the rest
REMEMBERED_ANSWERS = 50   # message ids per chat that /why can still explain
QUESTIONS_PER_WINDOW = 15  # a person reading cited answers asks far less often than this...
WINDOW_SECONDS = 60.0      # ...per minute; more looks like a script or a stuck key
INLINE_RESULTS = 3
INLINE_CACHE_SECONDS = 10  # answers change only on /reload, but keep edits to the KB visible


Context = ContextTypes.DEFAULT_TYPE


# -- decisions that need no Telegram round trip -------------------------------------------------

def ignored(update: Update, bot_id: int) -> bool:
    """Updates the bot never answers: other bots, channel posts, edits outside private chats,
    and its own answers that someone shared through inline mode."""
    if update.channel_post or update.edited_channel_post:
        return True
    message = update.effective_message
    if message is not None and message.via_bot is not None and message.via_bot.id == bot_id:
        return True
    user = update.effective_user
    if user is not None and user.is_bot and user.id != bot_id:
        # Anonymous group admins write as @GroupAnonymousBot on behalf of the chat: a person.
        return not (message is not None and message.sender_chat is not None)
    chat = update.effective_chat
    return update.edited_message is not None and (chat is None or chat.type != ChatType.PRIVATE)


def addressed_question(message: Message, bot_id: int, username: str) -> str | None:
    """The question of a group message meant for this bot, or None when it is not addressed.

    Addressed means a mention of the bot (``@username``, or a text mention of its user) or a
    reply to one of its messages; the mentions are cut out of the question.
    """
    text = message.text or ""
    me = f"@{username}".casefold()
    mentions = [e for e, value in message.parse_entities(
        [MessageEntity.MENTION, MessageEntity.TEXT_MENTION]).items()
        if (e.type == MessageEntity.MENTION and value.casefold() == me)
        or (e.type == MessageEntity.TEXT_MENTION and e.user is not None and e.user.id == bot_id)]
    reply = message.reply_to_message
    to_me = (reply is not None and reply.from_user is not None and reply.from_user.id == bot_id
             and reply.forum_topic_created is None)
    if not mentions and not to_me:
        return None
    units = bytearray(text.encode("utf-16-le"))
    for entity in sorted(mentions, key=lambda e: e.offset, reverse=True):  # offsets: UTF-16 units
        units[2 * entity.offset: 2 * (entity.offset + entity.length)] = " ".encode("utf-16-le")
    return " ".join(units.decode("utf-16-le").split())


def wants_reply(update: Update, bot_id: int, username: str) -> bool:
    """Whether a person's update makes the bot send into a chat (what throttling counts):
    anything in a private chat, a button tap, a command or an addressed message in a group."""
    if update.effective_user is None:
        return False
    if update.callback_query is not None:
        return True
    message = update.effective_message
    if message is None or update.inline_query is not None:
        return False
    if message.chat.type == ChatType.PRIVATE:
        return True
    return (message.text or "").startswith("/") or addressed_question(
        message, bot_id, username) is not None


def too_fast(times: deque[float], now: float, *, limit: int = QUESTIONS_PER_WINDOW,
             window: float = WINDOW_SECONDS) -> bool:
    """Record a question at ``now`` unless ``limit`` were already asked within ``window``."""
    while times and now - times[0] >= window:
        times.popleft()
    if len(times) >= limit:
        return True
    times.append(now)
    return False


def fit_lines(lines: list[str], limit: int = TELEGRAM_LIMIT) -> str:
    """As many of ``lines`` as fit in one message, escaped ("… (N more)" marks the cut)."""
    kept: list[str] = []
    for number, line in enumerate(lines):
        if visible_length("\n".join([*kept, html.escape(line, quote=False)])) > limit - 40:
            return "\n".join([*kept, f"… ({len(lines) - number} more)"])
        kept.append(html.escape(line, quote=False))
    return "\n".join(kept)


def _language(update: Update) -> str:
    """The language of the bot's own sentences for a person (not for an answer)."""
    user = update.effective_user
    code = (user.language_code or "") if user is not None else ""
    return "ru" if code.lower().startswith("ru") else "en"


def _example(kb: KnowledgeBase, language: str) -> str:
    entries = [kb.entry(i) for i in kb.featured] or list(kb.entries)
    return entries[0].canonical_in(language) if entries and entries[0] else ""


# -- sending ------------------------------------------------------------------------------------

async def _send(anchor: Message, texts: list[str], *, markup: InlineKeyboardMarkup | None = None,
                reply: bool | None = None) -> list[Message]:
    """Send ``texts`` in order into ``anchor``'s chat, the keyboard under the last one.

    In groups (or when ``reply`` is true) the first message replies to ``anchor``.
    """
    if reply is None:
        reply = anchor.chat.type != ChatType.PRIVATE
    thread = anchor.message_thread_id if anchor.is_topic_message else None
    sent = []
    for number, text in enumerate(texts):
        sent.append(await anchor.get_bot().send_message(
            anchor.chat_id, text, message_thread_id=thread,
            reply_markup=markup if number == len(texts) - 1 else None,
            reply_parameters=ReplyParameters(anchor.message_id, allow_sending_without_reply=True)
            if reply and number == 0 else None))
    return sent


async def _say(anchor: Message, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    """One plain sentence (escaped here) as a reply in groups, a message in private chats."""
    await _send(anchor, [html.escape(text, quote=False)], markup=markup)


def _remember(chat_data: MutableMapping[str, Any], result: Answer, sent: list[Message]) -> None:
    chat_data["last"] = result
    asked = chat_data.setdefault("asked", OrderedDict())
    for message in sent:
        asked[message.message_id] = result.question
    while len(asked) > REMEMBERED_ANSWERS:
        asked.popitem(last=False)


async def _deliver(context: Context, result: Answer, anchor: Message, *,
                   reply: bool | None = None) -> None:
    """Render ``result`` for ``anchor``'s chat, send it, remember it for /why and record it."""
    kb: KnowledgeBase = context.bot_data["kb"]
    store = context.bot_data.get("store")
    chat = anchor.chat
    private = chat.type == ChatType.PRIVATE
    question_id = store.record_answer(chat_type=chat.type, chat_id=chat.id, result=result) \
        if store is not None else None
    if not result.answered:
        markup = keyboards.suggestions(result)
    elif not private:
        markup = keyboards.paragraphs(result, kb)
    else:
        markup = keyboards.feedback(question_id, result.language) if question_id else None
    texts = render_html(result, kb, limit=TELEGRAM_LIMIT if private else GROUP_LIMIT,
                        list_suggestions=markup is None)
    sent = await _send(anchor, texts, markup=markup, reply=reply)
    _remember(context.chat_data, result, sent)
    log.debug("%s in a %s chat: entry %s, score %.3f",
              "answered" if result.answered else "declined", chat.type, result.entry, result.score)


async def _ask(update: Update, context: Context, question: str) -> None:
    """Answer ``question`` from the message in ``update`` (the gate has throttled the asker)."""
    message = update.effective_message
    result = answer(question, context.bot_data["index"])
    await _deliver(context, result, message, reply=True if update.edited_message else None)


# -- commands -----------------------------------------------------------------------------------

async def gate(update: Update, context: Context) -> None:
    """Stop updates the bot never answers, and those of a person going too fast, before any
    handler sees them: questions, commands, stickers and button taps all count, so nobody can
    spend the bot's sending budget (Telegram's 30 messages a second) for everyone else."""
    if ignored(update, context.bot.id):
        raise ApplicationHandlerStop
    if wants_reply(update, context.bot.id, context.bot.username) and not await _allowed(
            update, context):
        raise ApplicationHandlerStop


async def _allowed(update: Update, context: Context) -> bool:
    """Count one request of this person; False (with one notice) while they go too fast."""
    user_data = context.user_data
    times = user_data.setdefault("asked_at", deque())
    if not too_fast(times, time.monotonic()):
        user_data["warned"] = False
        return True
    if not user_data.get("warned"):
        user_data["warned"] = True
        notice = phrase(_language(update), "slow_down")
        if update.callback_query is not None:
            await update.callback_query.answer(notice)
        else:
            await _say(update.effective_message, notice)
    return False


async def start(update: Update, context: Context) -> None:
    """/start: who the bot is, what it knows about, three example questions."""
    kb: KnowledgeBase = context.bot_data["kb"]
    language = _language(update)
    about = [phrase(language, "knows_about", title=a.title, source=a.source)
             for a in kb.articles.values()]
    text = "\n".join([phrase(language, "greeting"), *about, "", phrase(language, "try_these")])
    await _say(update.effective_message, text, keyboards.examples(kb, language))


async def help_command(update: Update, context: Context) -> None:
    """/help: how to ask, in private chats, groups and inline mode."""
    await _say(update.effective_message,
               phrase(_language(update), "help", username=context.bot.username))


async def ask(update: Update, context: Context) -> None:
    """/ask QUESTION (anywhere); /ask alone gets a one-line hint."""
    message = update.effective_message
    if not context.args:
        language = _language(update)
        example = _example(context.bot_data["kb"], language)
        await _say(message, phrase(language, "ask_hint", example=example))
        return
    await _ask(update, context, message.text)


async def topics(update: Update, context: Context) -> None:
    """/topics: the topics as buttons; a topic shows its questions."""
    language = _language(update)
    await _say(update.effective_message, phrase(language, "pick_topic"),
               keyboards.topics(context.bot_data["kb"], language))


async def source(update: Update, context: Context) -> None:
    """/source: the article(s) and how citations are numbered."""
    kb: KnowledgeBase = context.bot_data["kb"]
    language = _language(update)
    lines = [phrase(language, "source", title=a.title, source=a.source,
                    date=f", {a.date}" if a.date else "") for a in kb.articles.values()]
    await _say(update.effective_message, "\n".join([*lines, "", phrase(language, "numbering")]))


async def why(update: Update, context: Context) -> None:
    """/why: how the engine chose an answer (replied to, or the last one in a private chat)."""
    message = update.effective_message
    language = _language(update)
    reply = message.reply_to_message
    result: Answer | None = None
    if reply is not None and reply.from_user is not None and reply.from_user.id == context.bot.id:
        question = context.chat_data.get("asked", {}).get(reply.message_id)
        if question is None:
            await _say(message, phrase(language, "why_forgotten"))
            return
        result = answer(question, context.bot_data["index"])
    elif message.chat.type == ChatType.PRIVATE:
        result = context.chat_data.get("last")
    if result is None:
        key = "why_first" if message.chat.type == ChatType.PRIVATE else "why_reply"
        await _say(message, phrase(language, key))
        return
    await _send(message, [f"<pre>{fit_lines(render_explanation(result).splitlines())}</pre>"])


async def stats(update: Update, context: Context) -> None:
    """/stats (maintainers): headline figures of the last week from the recording store."""
    store = context.bot_data.get("store")
    if store is None:
        await _say(update.effective_message, phrase(_language(update), "recording_off"))
        return
    text = await asyncio.to_thread(store.headline_text, days=7)
    await _send(update.effective_message, [f"<pre>{fit_lines(text.splitlines())}</pre>"])


async def reload(update: Update, context: Context) -> None:
    """/reload (maintainers): load the knowledge base again; keep the old one if it is broken."""
    settings = context.bot_data["settings"]
    language = _language(update)
    try:
        kb = await asyncio.to_thread(load_knowledge, settings.knowledge_dir)
        index = await asyncio.to_thread(Index, kb)
    except KnowledgeError as exc:
        log.warning("reload refused, still serving the previous knowledge base: %s", exc)
        errors = [str(p) for p in exc.problems if p.severity == "error"]
        await _send(update.effective_message,
                    [fit_lines([phrase(language, "reload_failed"), *errors])])
        return
    context.bot_data.update(kb=kb, index=index)
    log.info("reloaded the knowledge base: %d article(s), %d entries",
             len(kb.articles), len(kb.entries))
    await _say(update.effective_message, phrase(language, "reloaded", articles=len(kb.articles),
                                                 entries=len(kb.entries)))


async def unknown_command(update: Update, context: Context) -> None:
    """A command the bot does not know (or may not run for this person), in a private chat."""
    await _say(update.effective_message, phrase(_language(update), "unknown_command"))


# -- messages -----------------------------------------------------------------------------------

async def private_message(update: Update, context: Context) -> None:
    """In a private chat any text (or caption) is a question."""
    message = update.effective_message
    await _ask(update, context, message.text or message.caption or "")


async def group_message(update: Update, context: Context) -> None:
    """In groups only a message that mentions the bot or replies to it is a question."""
    question = addressed_question(update.effective_message, context.bot.id, context.bot.username)
    if question is not None:
        await _ask(update, context, question)


async def not_text(update: Update, context: Context) -> None:
    """Stickers, photos without a caption, voice... in a private chat: a one-line hint."""
    await _say(update.effective_message, phrase(_language(update), "not_text"))


# -- buttons and inline mode --------------------------------------------------------------------

async def button(update: Update, context: Context) -> None:
    """Every button press: answer a question, browse topics, show a paragraph, take feedback.

    The query is answered once the work is done (a failure is answered by the error handler).
    """
    query = update.callback_query
    kb: KnowledgeBase = context.bot_data["kb"]
    tap = keyboards.decode(query.data)
    message = query.message if query.message is not None and query.message.is_accessible \
        else None
    if tap is not None and tap.kind == "feedback":
        store = context.bot_data.get("store")
        if store is not None:
            store.feedback(tap.key, tap.helpful)
        if message is not None:
            try:  # one vote per answer; the vote counts even if the buttons cannot go
                await _edit(query.edit_message_reply_markup(None))
            except TelegramError as exc:
                log.warning("could not remove the feedback buttons: %s", exc)
        await query.answer(phrase(_language(update), "feedback_thanks"))
        return
    stale = phrase(_language(update) if tap is None else tap.language, "stale_button")
    if tap is None or message is None:
        await query.answer(stale)
        return
    if tap.kind == "answer":
        entry = kb.entry(tap.key)
        if entry is None:
            await query.answer(stale)
            return
        await _deliver(context, answer_entry(entry, tap.language), message)
    elif tap.kind == "topic":
        title = keyboards.topic_title(kb, tap.key, tap.language)
        await _edit(query.edit_message_text(
            html.escape(phrase(tap.language, "topic_questions", topic=title), quote=False),
            reply_markup=keyboards.topic_questions(kb, tap.key, tap.language)))
    elif tap.kind == "topics":
        await _edit(query.edit_message_text(
            html.escape(phrase(tap.language, "pick_topic"), quote=False),
            reply_markup=keyboards.topics(kb, tap.language)))
    else:
        citation = keyboards.paragraph_citation(tap, kb)
        if citation is None:
            await query.answer(stale)
            return
        await _send(message, [render_paragraph_html(citation, kb, tap.language)], reply=True)
    await query.answer()


async def _edit(edit: Any) -> None:
    """Await an edit; a double tap that changes nothing is not an error."""
    try:
        await edit
    except BadRequest as exc:
        if "not modified" not in exc.message:
            raise


def _inline_result(result: Answer, kb: KnowledgeBase, number: int) -> InlineQueryResultArticle:
    entry = kb.entry(result.entry) if result.entry and result.source == "entry" else None
    question = entry.canonical_in(result.language) if entry else result.question
    # The chat the answer lands in never saw the question: put it on top.
    header = f"<b>{html.escape(question, quote=False)}</b>\n\n"
    body = render_html(result, kb, limit=TELEGRAM_LIMIT - visible_length(header))[0]
    return InlineQueryResultArticle(
        id=f"{number}-{result.entry or 'article'}"[:64], title=question[:200],
        description=result.text[:200],
        input_message_content=InputTextMessageContent(
            header + body, parse_mode=ParseMode.HTML,
            link_preview_options=LinkPreviewOptions(is_disabled=True)))


async def inline_query(update: Update, context: Context) -> None:
    """``@bot question``: the answer, or the closest questions; nothing typed: popular ones."""
    query = update.inline_query
    kb: KnowledgeBase = context.bot_data["kb"]
    text = query.query.strip()
    if text:
        result = answer(text, context.bot_data["index"])
        language = result.language
        found = [result] if result.answered else []
        ids = [] if result.answered else [s.entry for s in result.suggestions]
    else:
        language = _language(update)
        found, ids = [], list(kb.featured) or [e.id for e in kb.entries]
    found += [answer_entry(e, language) for e in (kb.entry(i) for i in ids[:INLINE_RESULTS])
              if e is not None]
    results = [_inline_result(r, kb, n) for n, r in enumerate(found[:INLINE_RESULTS])]
    await query.answer(results, cache_time=INLINE_CACHE_SECONDS, is_personal=False)


# -- errors -------------------------------------------------------------------------------------

async def error(update: object, context: Context) -> None:
    """Log every failure with its update id; tell a person in a private chat we are sorry."""
    update_id = update.update_id if isinstance(update, Update) else None
    log.error("update %s failed", update_id, exc_info=context.error)
    if not isinstance(update, Update):
        return
    language = _language(update)
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(phrase(language, "apology"))
        elif update.effective_chat is not None and update.effective_chat.type == ChatType.PRIVATE:
            await context.bot.send_message(update.effective_chat.id,
                                           html.escape(phrase(language, "apology"), quote=False))
    except TelegramError as exc:
        log.warning("could not apologise for update %s: %s", update_id, exc)
