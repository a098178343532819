"""Soak: thousands of mixed updates through the real bot while the Bot API keeps failing.

    python -m bench.soak --updates 20000 --fault-rate 0.05 [--seed 1] [--flood-limits]

The Bot API stand-in (``tests.standin``) runs in this process and the bot is the real
``Application`` from ``bot.app.build_application``, long polling it.  The updates are a mix
of private questions, group messages addressed to the bot and not, inline queries and taps
on suggestion buttons; a few private questions come from people who blocked the bot.

Faults: a seeded ``FaultPlan`` fails about ``--fault-rate`` of all calls (getUpdates,
sendMessage, answerInlineQuery, answerCallbackQuery) with 500, 502 (HTML and JSON),
dropped connections and slow answers; on top of that, per 2,000 updates, three 429s
(retry_after=1), one getUpdates that hangs past its timeout, two dropped getUpdates and two
400 "message to be replied not found" are scripted as the run goes.

What counts:

* an answerable update (a private question, an addressed group message, a button tap, an
  inline query) is answered exactly once: one message in its chat (in groups: replying to
  it), or one answerInlineQuery;
* chatter in a group is answered never;
* an update whose answer Telegram refuses for good is counted apart, not as lost:
  "undeliverable" (403, the person blocked the bot: nothing can reach them) and
  "refused" (400 on the answer: in a private chat the person gets the apology instead);
* lost = an answerable update with no answer; duplicated = more than one.

Telegram's flood limits (30 messages a second, 20 a minute per group), which the bot's
rate limiter honours, would make 20,000 updates take ten minutes without testing anything
more; they are lifted unless ``--flood-limits`` is given.  The 429 handling is still the
real one.  The exit status is 1 when anything was lost or duplicated.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import logging
import os
import random
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import BUNDLED_KNOWLEDGE

GROUPS = 40                    # group chats the group messages are spread over
FIRST_USER = 60_000_000        # every question comes from its own person (no throttling)
FIRST_GROUP = -1_009_000_000_000
APOLOGY = "Sorry, something went wrong"
TRANSIENT = ("500", "502", "502-json", "drop", "slow")
SLOW_S = 0.2                   # how late a "slow" answer comes (well inside the read timeout)
# Shares of the mix (the rest are private questions).
SHARES = {"blocked": 0.02, "group": 0.20, "chatter": 0.13, "inline": 0.15, "button": 0.15}
DECLINED = (
    "What did India's prime minister say?",
    "Who won the football match?",
    "What is the capital of Australia?",
)
CHUNK = 50                     # updates pushed at once
SLACK = 5                      # acting calls a chunk may miss (refused, blocked) and still pace
CHUNK_WAIT_S = 20.0            # longest wait before pushing the next chunk anyway
PROBE_WAIT_S = 300.0
# Successful acting calls each kind of update makes (a button: the answer and the ack).
ACTS = {"private": 1, "blocked": 0, "group": 1, "chatter": 0, "inline": 1, "button": 2}
# Scripted faults per 2,000 updates, spread over the run: (method, kind).
SCRIPT = (("sendMessage", "429"), ("getUpdates", "hang"), ("getUpdates", "drop"),
          ("sendMessage", "400-reply"), ("sendMessage", "429"), ("getUpdates", "drop"),
          ("sendMessage", "400-reply"), ("sendMessage", "429"))


@dataclass(frozen=True)
class Planned:
    """One pushed update and where its answer must show up."""

    update_id: int
    kind: str  # private | blocked | group | chatter | inline | button
    chat: int = 0
    message: int = 0  # the question's message id (groups)
    query: str = ""   # inline / callback query id


@dataclass
class Report:
    """What a run did, in counts."""

    inputs: Counter = field(default_factory=Counter)
    faults: Counter = field(default_factory=Counter)
    outcomes: Counter = field(default_factory=Counter)
    lost: list[int] = field(default_factory=list)
    duplicated: list[int] = field(default_factory=list)
    logged: Counter = field(default_factory=Counter)
    still_running: bool = False
    seconds: float = 0.0

    def lines(self) -> list[str]:
        """The report as printable lines."""
        def counts(counter: Counter) -> str:
            return ", ".join(f"{k} {v:,}" for k, v in sorted(counter.items())) or "none"

        return [
            f"inputs: {sum(self.inputs.values()):,} ({counts(self.inputs)})",
            f"faults injected: {sum(self.faults.values()):,} ({counts(self.faults)})",
            f"outcomes: {counts(self.outcomes)}",
            f"lost: {len(self.lost)} {self.lost[:10] or ''}".rstrip(),
            f"duplicated: {len(self.duplicated)} {self.duplicated[:10] or ''}".rstrip(),
            f"log records: {counts(self.logged)}",
            f"bot still running at the end: {'yes' if self.still_running else 'NO'}",
            f"time: {self.seconds:.1f}s",
        ]


class Tally(logging.Handler):
    """Counts the bot's log records by level (their text goes nowhere)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.counts: Counter = Counter()

    def emit(self, record: logging.LogRecord) -> None:
        self.counts[record.levelname] += 1


# -- the mix ------------------------------------------------------------------------------------

def question_pool(kb: Any) -> tuple[list[str], list[str]]:
    """Questions whose answer is one message in a private chat and in a group, and the ids
    of entries whose button answer is one message: so every answer can be counted."""
    from bot.answer import answer, answer_entry
    from bot.handlers import GROUP_LIMIT
    from bot.matcher import Index
    from bot.render import TELEGRAM_LIMIT, render_html

    index = Index(kb)

    def single(result: Any) -> bool:
        return all(len(render_html(result, kb, limit=limit)) == 1
                   for limit in (TELEGRAM_LIMIT, GROUP_LIMIT))

    questions = [q for q in [e.canonical for e in kb.entries] + list(DECLINED)
                 if single(answer(q, index))]
    entries = [e.id for e in kb.entries if len(f"q:en:{e.id}") <= 64
               and single(answer_entry(e, "en"))]
    return questions, entries


def build_mix(api: Any, kb: Any, count: int, seed: int) -> list[tuple[dict, str, dict]]:
    """``count`` updates (not yet pushed): (update, kind, what to remember)."""
    questions, entries = question_pool(kb)
    rng = random.Random(seed)
    username = api.bot_user["username"]
    mix = []
    for n in range(count):
        user = FIRST_USER + n
        roll, kind = rng.random(), "private"
        for name, share in SHARES.items():
            if roll < share:
                kind = name
                break
            roll -= share
        question = rng.choice(questions)
        if kind in ("private", "blocked"):
            update, keep = api.private_message(question, user), {"chat": user}
        elif kind in ("group", "chatter"):
            chat = FIRST_GROUP - rng.randrange(GROUPS)
            text = question if kind == "chatter" else rng.choice(
                (f"@{username} {question}", f"/ask {question}", f"{question} @{username}"))
            update = api.group_message(text, chat, user)
            keep = {"chat": chat, "message": update["message"]["message_id"]}
        elif kind == "inline":
            update = api.inline_query(question, user)
            keep = {"query": update["inline_query"]["id"]}
        else:
            shown = {"message_id": 1, "date": int(time.time()), "chat": api.private_chat(user),
                     "from": api.bot_user, "text": "The article doesn't say."}
            update = api.callback_query(f"q:en:{rng.choice(entries)}", shown, user)
            keep = {"chat": user, "query": update["callback_query"]["id"]}
        if kind == "blocked":
            api.block(user)
        mix.append((update, kind, keep))
    return mix


# -- running the bot ----------------------------------------------------------------------------

@contextmanager
def flood_limits_lifted() -> Iterator[None]:
    """Build the bot's rate limiter without Telegram's flood limits (429s and the retries of
    transient failures stay as they are)."""
    import bot.app

    original = bot.app.RetryingRateLimiter
    bot.app.RetryingRateLimiter = functools.partial(original, overall_max_rate=0,
                                                    group_max_rate=0)
    try:
        yield
    finally:
        bot.app.RetryingRateLimiter = original


@asynccontextmanager
async def running_bot(api: Any, knowledge: Path, *, flood_limits: bool = False,
                      ) -> AsyncIterator[Any]:
    """The real application long polling ``api`` (as ``run_polling`` starts and stops it)."""
    from bot.app import build_application
    from bot.config import Settings
    from bot.knowledge import load_knowledge

    settings = Settings(token=api.token, api_url=api.base_url, knowledge_dir=knowledge)
    if flood_limits:
        app = build_application(settings, load_knowledge(knowledge))
    else:
        with flood_limits_lifted():
            app = build_application(settings, load_knowledge(knowledge))
    from tests.standin.ptb import running_polling

    async with running_polling(app, lifecycle=True):
        yield app


async def _until(predicate: Any, timeout_s: float) -> bool:
    """Wait until ``predicate()``; False after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.02)
    return True


async def soak(api: Any, knowledge: Path = BUNDLED_KNOWLEDGE, *, updates: int = 2000,
               fault_rate: float = 0.05, seed: int = 1, flood_limits: bool = False) -> Report:
    """Run ``updates`` mixed updates through the bot against ``api`` under faults; count.

    Updates arrive in chunks, the next one when the bot is about a chunk behind, so the
    queue never runs dry and getUpdates faults land in the middle of the traffic.
    """
    from bot.knowledge import load_knowledge
    from tests.standin import FaultPlan

    os.environ.setdefault("PTB_TIMEDELTA", "1")  # PTB 22 warns on RetryAfter without it
    tally = Tally()
    logging.getLogger().addHandler(tally)
    started = time.monotonic()
    report = Report()
    try:
        mix = build_mix(api, load_knowledge(knowledge), updates, seed)
        chunks = [mix[i:i + CHUNK] for i in range(0, len(mix), CHUNK)]
        expected = [0]  # acting calls the chunks before each one should have made
        for chunk in chunks:
            expected.append(expected[-1] + sum(ACTS[kind] for _, kind, _ in chunk))
        script = [SCRIPT[i % len(SCRIPT)] for i in range(len(SCRIPT) * max(1, updates // 2000))]
        when = {len(chunks) * (i + 1) // (len(script) + 1): step for i, step in enumerate(script)}
        pushed: list[dict] = []
        async with running_bot(api, knowledge, flood_limits=flood_limits) as app:
            baseline = len(api.sent)
            api.faults = FaultPlan(rate=fault_rate, seed=seed, kinds=TRANSIENT, delay=SLOW_S)
            for number, chunk in enumerate(chunks):
                if number >= 2:  # a missing answer or a long retry only slows the pace
                    behind = expected[number - 1] - SLACK
                    await _until(lambda b=behind: len(api.sent) - baseline >= b, CHUNK_WAIT_S)
                if number in when:
                    method, kind = when[number]
                    api.fail_next(method, kind, retry_after=1)
                pushed += api.push_updates([update for update, _, _ in chunk])
            # Updates are handled one after another: once a later question is answered,
            # every earlier update has been handled, retries included.
            probe = FIRST_USER - 1
            api.say("how much did the EU pledge", probe)
            if not await _until(lambda: api.messages_to(probe), PROBE_WAIT_S):
                raise TimeoutError(f"the bot did not get through the updates in {PROBE_WAIT_S}s")
            report.still_running = app.running and app.updater.running
        planned = [Planned(update["update_id"], kind, **keep)
                   for update, (_, kind, keep) in zip(pushed, mix, strict=True)]
        count(api, planned, report)
    finally:
        logging.getLogger().removeHandler(tally)
        report.logged = tally.counts
        report.seconds = time.monotonic() - started
    return report


# -- counting -----------------------------------------------------------------------------------

def count(api: Any, planned: list[Planned], report: Report) -> None:
    """Fill ``report`` from what the stand-in recorded."""
    replies: Counter = Counter()   # (chat, replied-to message id) -> messages
    for message in api.delivered:
        reply = message.get("reply_to_message")
        if reply is not None and message["chat"]["id"] < 0:
            replies[message["chat"]["id"], reply["message_id"]] += 1
    answered: Counter = Counter()  # query id -> successful answers
    refused: set[Any] = set()      # chats / (group, message) whose answer got a 400
    for call in api.calls:
        if call.ok and call.method in ("answerInlineQuery", "answerCallbackQuery"):
            answered[str(call.params.get("inline_query_id")
                         or call.params.get("callback_query_id"))] += 1
        if call.method == "sendMessage" and call.fault == "400-reply":
            chat, reply = call.params.get("chat_id"), call.params.get("reply_parameters")
            refused.add((chat, reply["message_id"]) if chat < 0 and reply else chat)
    report.faults = Counter(api.fault_counts)
    for item in planned:
        report.inputs[item.kind] += 1
        if item.kind in ("group", "chatter"):
            got = replies[item.chat, item.message]
            texts = []
        elif item.kind == "inline":
            got, texts = answered[item.query], []
        else:
            texts = api.texts_to(item.chat)
            got = len(texts)
        if item.kind == "chatter":
            outcome = "silent (not addressed)" if got == 0 else "answered chatter"
        elif item.kind == "blocked":
            outcome = "undeliverable (403 blocked)" if got == 0 else "delivered to a blocker"
        elif item.chat in refused or (item.chat, item.message) in refused:
            outcome = "refused (400), apology instead" if texts else "refused (400)"
        elif got == 0 or any(t.startswith(APOLOGY) for t in texts):
            outcome = "lost"
            report.lost.append(item.update_id)
        elif got > 1:
            outcome = "duplicated"
            report.duplicated.append(item.update_id)
        elif item.kind == "button" and answered[item.query] != 1:
            outcome = "button not acknowledged"
            report.lost.append(item.update_id)
        else:
            outcome = "answered once"
        report.outcomes[outcome] += 1


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m bench.soak``."""
    parser = argparse.ArgumentParser(prog="python -m bench.soak", description=__doc__.split(
        "\n\n")[0])
    parser.add_argument("--updates", type=int, default=20_000, help="how many (default 20000)")
    parser.add_argument("--fault-rate", type=float, default=0.05,
                        help="share of calls that fail (default 0.05)")
    parser.add_argument("--seed", type=int, default=1, help="the fault plan's seed")
    parser.add_argument("--knowledge", type=Path, default=BUNDLED_KNOWLEDGE)
    parser.add_argument("--flood-limits", action="store_true",
                        help="keep Telegram's flood limits (30 messages/s): much slower")
    args = parser.parse_args(argv)
    from tests.standin import BotAPIStandIn

    logging.getLogger().setLevel(logging.WARNING)  # counted by the tally, not printed

    async def go() -> Report:
        async with BotAPIStandIn() as api:
            return await soak(api, args.knowledge, updates=args.updates,
                              fault_rate=args.fault_rate, seed=args.seed,
                              flood_limits=args.flood_limits)

    report = asyncio.run(go())
    print("\n".join(report.lines()))
    ok = not report.lost and not report.duplicated and report.still_running
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
