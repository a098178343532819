"""Shared pieces of the Telegram tests: a small knowledge base, the stand-in, a running bot.

Import the fixtures explicitly in each test module (there is no conftest.py on purpose);
each is named ``<name>_fixture`` and registered as ``<name>``::

    from tests.telegram_helpers import api_fixture, knowledge_dir_fixture  # noqa: F401

Everything is real: the knowledge base is loaded by ``load_knowledge``, the bot is the
``Application`` from ``build_application``, and it talks HTTP to ``BotAPIStandIn`` on
127.0.0.1.  Only the question log is a fake, and only where the recording hook is tested.
"""

from __future__ import annotations

import asyncio
import io
import logging
import signal
import subprocess
import textwrap
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from bot.app import build_application
from bot.config import Settings
from bot.knowledge import KnowledgeBase, load_knowledge
from bot.logs import configure_logging
from tests.standin import BotAPIStandIn
from tests.standin.ptb import running_polling

TOKEN = "123456:" + "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghi"  # 35 letters, like a real token
BOT_ID = 123456
USERNAME = "talks_test_bot"
ADMIN_ID = 4242
USER_ID = 1001
GROUP_ID = -1001234567890

# Nine verbatim paragraphs of the AFP story the bot ships with: enough to test every path.
ARTICLE = """\
At Moscow talks, Taliban vows to work with regional players over IS threats
Russian envoy calls on international governments to abandon their ‘bias’ against new Afghan government and offer aid to country’s citizens
MOSCOW (AFP) — The Taliban agreed on Wednesday to work with Russia, China, and Iran on regional security, after the Kremlin warned of emerging Islamic State and drug-trafficking threats in the wake of the hardline group’s takeover in Afghanistan.
During talks in the Russian capital — the Taliban’s latest high-profile international appearance since it took power in August — 10 participating countries also called for “urgent” humanitarian aid for Afghans.

Russian Foreign Minister Sergei Lavrov, who addressed the gathering and criticized the absence of US officials, said earlier that both IS-linked fighters and al-Qaeda terrorists have been seeking to exploit a security vacuum.
The Kremlin’s envoy to Afghanistan, Zamir Kabulov, said, however, that official recognition would only come when the Taliban meets expectations on human rights and inclusive governance.
The meeting came amid concerns over a looming humanitarian crisis in Afghanistan, and Brussels has pledged one billion euros ($1.2 billion) in aid.
The countries, which include China, Pakistan, Iran, India and the ex-Soviet states bordering Afghanistan, also called for a United Nations international donor conference “as soon as possible.”
The Russian president cautioned last week that some 2,000 fighters loyal to the Islamic State group had converged in northern Afghanistan.
"""  # noqa: E501  (one paragraph per line, as in the article files)

ENTRIES = """\
version: 1
article:
  file: talks.txt
  title: "At Moscow talks, Taliban vows to work with regional players over IS threats"
  source: AFP
  date: "October 2021"
topics:
  - id: talks
    title: The Moscow talks
    title_ru: Переговоры в Москве
  - id: aid
    title: Aid
    title_ru: Помощь
  - id: security
    title: Security
    title_ru: Безопасность
featured:
  - taliban-regional-security
  - eu-aid-pledge
  - is-fighters-count
  - lavrov-us-absence
entries:
  - id: taliban-regional-security
    topic: talks
    questions:
      - What did the Taliban agree to in Moscow?
      - what did the taliban agree to
      - taliban regional security
    questions_ru:
      - На что согласились талибы в Москве?
    answer: To work with Russia, China and Iran on regional security.
    answer_ru: Работать с Россией, Китаем и Ираном над региональной безопасностью.
    quotes:
      - "The Taliban agreed on Wednesday to work with Russia, China, and Iran on regional security"
  - id: eu-aid-pledge
    topic: aid
    questions:
      - How much aid has the European Union pledged?
      - how much did the EU pledge
      - EU aid amount
    questions_ru:
      - Сколько помощи пообещал Евросоюз?
      - сколько обещал ЕС
    answer: One billion euros, about $1.2 billion.
    answer_ru: Один миллиард евро, около 1,2 млрд долларов.
    quotes:
      - "Brussels has pledged one billion euros ($1.2 billion) in aid"
  - id: is-fighters-count
    topic: security
    questions:
      - How many Islamic State fighters are in northern Afghanistan?
      - how many IS fighters
    answer: Some 2,000, according to the Russian president.
    quotes:
      - "some 2,000 fighters loyal to the Islamic State group had converged in northern Afghanistan"
  - id: lavrov-us-absence
    topic: talks
    questions:
      - Who criticized the absence of US officials?
      - did lavrov criticize the americans
    answer: Russian Foreign Minister Sergei Lavrov.
    quotes:
      - "Russian Foreign Minister Sergei Lavrov, who addressed the gathering and criticized the absence of US officials"
  - id: participating-countries
    topic: talks
    questions:
      - Which countries took part in the talks?
      - was india at the talks
    answer: China, Pakistan, Iran, India and the ex-Soviet states bordering Afghanistan, ten in all.
    quotes:
      - "China, Pakistan, Iran, India and the ex-Soviet states bordering Afghanistan"
  - id: recognition-conditions
    questions:
      - When will the Taliban be officially recognised?
      - conditions for recognition
    answer: Only when the Taliban meets expectations on human rights and inclusive governance.
    quotes:
      - "official recognition would only come when the Taliban meets expectations on human rights and inclusive governance"
"""  # noqa: E501


def write_knowledge(directory: Path, article: str = ARTICLE, entries: str = ENTRIES) -> Path:
    """Write the test knowledge base (``talks.txt`` + ``talks.yaml``) into ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "talks.txt").write_text(article, encoding="utf-8")
    (directory / "talks.yaml").write_text(entries, encoding="utf-8")
    return directory


def write_huge_knowledge(directory: Path) -> Path:
    """A knowledge base whose one answer cannot fit in a Telegram message (two long quotes)."""
    sentence = "The delegates spoke at great length about every matter on the agenda that day. "
    first, second = (sentence * 70).strip(), ("Later, " + sentence * 60).strip()
    article = f"A very long report\n{first}\n{second}\n"
    entries = textwrap.dedent(f"""\
        version: 1
        article:
          file: talks.txt
          title: A very long report
          source: Test Wire
        featured: [everything]
        entries:
          - id: everything
            questions:
              - What did the delegates talk about?
            answer: "{'They talked about everything on the agenda, at length. ' * 30}"
            quotes:
              - "{first}"
              - "{second}"
        """)
    return write_knowledge(directory, article, entries)


@pytest.fixture(name="knowledge_dir")
def knowledge_dir_fixture(tmp_path: Path) -> Path:
    """A fresh copy of the test knowledge base (tests may break or change it)."""
    return write_knowledge(tmp_path / "knowledge")


@pytest.fixture(name="kb")
def kb_fixture(knowledge_dir: Path) -> KnowledgeBase:
    return load_knowledge(knowledge_dir)


@pytest.fixture(name="api")
def api_fixture() -> Iterator[BotAPIStandIn]:
    """The Bot API stand-in on 127.0.0.1, with the test token and bot username."""
    with BotAPIStandIn(token=TOKEN, username=USERNAME) as server:
        yield server


def make_settings(api: BotAPIStandIn, knowledge: Path, **changes: Any) -> Settings:
    """Settings for a bot that talks to ``api`` (one maintainer: ``ADMIN_ID``)."""
    settings = Settings(token=api.token, api_url=api.base_url, knowledge_dir=knowledge,
                        admin_ids=frozenset({ADMIN_ID}), log_level="DEBUG")
    return replace(settings, **changes)


@asynccontextmanager
async def running_bot(api: BotAPIStandIn, knowledge: Path, *, store: Any = None,
                      rate_limit: bool = True, **changes: Any) -> AsyncIterator[Any]:
    """The real application, long polling the stand-in; stopped cleanly on exit.

    It starts and stops the way ``run_polling`` does, ``post_init`` and ``post_shutdown``
    included.
    """
    settings = make_settings(api, knowledge, **changes)
    app = build_application(settings, load_knowledge(knowledge), store=store,
                            rate_limit=rate_limit)
    async with running_polling(app, lifecycle=True):
        yield app


class FakeStore:
    """Just enough of ``bot.store.Store`` to watch the recording hook."""

    def __init__(self) -> None:
        self.records: list[dict[str, Any]] = []
        self.votes: list[tuple[str, bool]] = []
        self.closed = False

    def record_answer(self, *, chat_type: str, chat_id: int | None, result: Any) -> str:
        self.records.append({"chat_type": chat_type, "chat_id": chat_id, "result": result})
        return f"q{len(self.records)}"

    def feedback(self, question_id: str, helpful: bool) -> None:
        self.votes.append((question_id, helpful))

    def headline_text(self, days: int = 7) -> str:
        return f"last {days} days: 3 questions, 2 answered <67%>"

    def close(self) -> None:
        self.closed = True


# -- reading what the bot did ---------------------------------------------------------------

async def replies(api: BotAPIStandIn, chat_id: int, before: int, count: int = 1,
                  timeout: float = 5.0) -> list[dict[str, Any]]:
    """Wait until the bot has sent ``count`` more messages to ``chat_id``; return the new ones."""
    await api.await_for(lambda: len(api.messages_to(chat_id)) >= before + count, timeout)
    return api.messages_to(chat_id)[before:]


async def ask(api: BotAPIStandIn, text: str, user_id: int = USER_ID, count: int = 1,
              **kwargs: Any) -> list[dict[str, Any]]:
    """Say ``text`` in a private chat; return the bot's next ``count`` messages there."""
    before = len(api.messages_to(user_id))
    api.say(text, user_id, **kwargs)
    return await replies(api, user_id, before, count)


async def settle(api: BotAPIStandIn, user_id: int = 777) -> None:
    """Wait until the bot has handled everything pushed so far.

    Updates are handled one after another, so once a later question from another person is
    answered, every earlier update has been processed (or ignored).
    """
    await ask(api, "/source", user_id)


def sends(api: BotAPIStandIn, chat_id: int | None = None) -> list[dict[str, Any]]:
    """Parameters of every successful sendMessage (to ``chat_id`` if given), as sent."""
    return [c.params for c in api.calls_of("sendMessage", ok=True)
            if chat_id is None or c.params.get("chat_id") == chat_id]


def buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    """The inline buttons under a message, row by row flattened."""
    markup = message.get("reply_markup") or {}
    return [b for row in markup.get("inline_keyboard", []) for b in row]


async def tap(api: BotAPIStandIn, message: dict[str, Any], data: str,
              user_id: int = USER_ID) -> str:
    """Press the button with ``data`` on ``message``; return the callback query id."""
    update = api.push_update(api.callback_query(data, message, user_id))
    query_id = update["callback_query"]["id"]
    await api.await_for(lambda: query_id in api.callback_answers)
    return query_id


@contextmanager
def captured_logs(secrets: list[str | None]) -> Iterator[io.StringIO]:
    """Everything logged at DEBUG through the bot's own redacting handler (root restored)."""
    root = logging.getLogger()
    saved = root.level, list(root.handlers)
    levels = {name: logging.getLogger(name).level for name in ("httpx", "httpcore")}
    stream = io.StringIO()
    configure_logging("DEBUG", secrets, stream=stream)
    try:
        yield stream
    finally:
        logging.captureWarnings(False)
        root.setLevel(saved[0])
        root.handlers[:] = saved[1]
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)


async def terminate(process: subprocess.Popen, timeout: float = 5.0) -> tuple[int, str]:
    """SIGTERM, then the exit code and stderr (killed, and the test failed, after ``timeout``)."""
    process.send_signal(signal.SIGTERM)
    try:
        _, err = await asyncio.to_thread(process.communicate, timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        _, err = process.communicate()
        raise AssertionError(f"the bot did not stop within {timeout}s:\n{err}") from None
    return process.returncode, err
