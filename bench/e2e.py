"""End to end: updates per second through the real Application, beside a bare echo bot.

The Bot API stand-in (``tests.standin.BotAPIStandIn``) runs in this process; each bot
runs in a child process (``python -m bench.e2e serve KIND URL TOKEN``) with long
polling, as in production, so the stand-in and the bot do not share one interpreter.
A burst of private questions, each from its own chat, is queued before the bot starts;
throughput is questions over the time from its first poll to its last reply.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bench import REPO

BOT = "bot"
BOT_STORE = "bot+log"
ECHO = "echo"
KINDS = (ECHO, BOT, BOT_STORE)
FIRST_USER = 50_000_000
START_TIMEOUT_S = 120.0


def available() -> str | None:
    """Why end-to-end figures cannot be taken here, or None when they can."""
    missing = [p for p in ("bot/app.py", "tests/standin/server.py") if not (REPO / p).is_file()]
    if missing:
        return f"{' and '.join(missing)} not there yet"
    try:
        import bot.app  # noqa: F401
        import tests.standin  # noqa: F401
    except ImportError as exc:
        return f"the Telegram layer does not import: {exc}"
    return None


@dataclass(frozen=True)
class Burst:
    """One bot's figures for one burst."""

    kind: str
    questions: int
    replies: int
    seconds: float
    per_second: float
    first_poll_s: float  # process start to its first getUpdates


def _child_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TELEGRAM_")}
    env["PYTHONPATH"] = str(REPO)
    return env


def stop(process: subprocess.Popen) -> None:
    """Stop a child bot the way an operator does (SIGINT), killing it if it hangs."""
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def first_poll(api, command: Sequence[str], env: dict[str, str], cwd: Path = REPO
               ) -> tuple[subprocess.Popen, float, float]:
    """Start ``command``; wait for its first getUpdates (which needs an update pending).

    The stand-in records a call when it is answered, and a long poll with nothing to
    deliver is answered only at its timeout: with an update already queued, the first
    poll is answered at once.  Returns the process, the seconds from its start to that
    poll, and when (``time.monotonic``) the poll arrived.
    """
    seen = len(api.calls_of("getUpdates"))
    started = time.monotonic()
    process = subprocess.Popen(list(command), cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)
    deadline = started + START_TIMEOUT_S
    while True:
        polls = api.calls_of("getUpdates")
        if len(polls) > seen:
            return process, polls[seen].started - started, polls[seen].started
        if process.poll() is not None or time.monotonic() > deadline:
            stop(process)
            error = (process.stderr.read() if process.stderr else "").strip().splitlines()
            raise RuntimeError(f"{' '.join(command[1:4])} never polled: "
                               f"{error[-1] if error else 'no error output'}")
        time.sleep(0.002)


def burst(kind: str, questions: Sequence[str], knowledge: Path, *,
          timeout_s: float = 600.0) -> Burst:
    """Queue ``questions`` (one chat each), start a bot of ``kind``, time its replies.

    The clock runs from the bot's first getUpdates to its last reply, so start-up is
    not counted.
    """
    from tests.standin import BotAPIStandIn

    with BotAPIStandIn() as api, tempfile.TemporaryDirectory(prefix="bench-e2e-") as data:
        api.push_updates([api.private_message(q, user_id=FIRST_USER + i)
                          for i, q in enumerate(questions)])
        command = [sys.executable, "-m", "bench.e2e", "serve", kind, api.base_url, api.token,
                   "--knowledge", str(knowledge), "--data", data]
        process, first, polled = first_poll(api, command, _child_env())
        try:
            deadline = time.monotonic() + timeout_s
            while True:
                sends = api.calls_of("sendMessage", ok=True)
                if len(sends) >= len(questions) or time.monotonic() > deadline:
                    break
                if process.poll() is not None:
                    raise RuntimeError(f"the {kind} bot exited with {process.returncode}")
                time.sleep(0.05)
        finally:
            stop(process)
    seconds = (max(c.finished for c in sends) - polled) if sends else float("inf")
    return Burst(kind, len(questions), len(sends), seconds, len(sends) / seconds, first)


def run(questions: Sequence[str], count: int, knowledge: Path,
        kinds: Sequence[str] = KINDS) -> list[Burst]:
    """A burst of ``count`` questions (the dev questions, cycled) for each kind of bot."""
    texts = [questions[i % len(questions)] for i in range(count)]
    found = []
    for kind in kinds:
        print(f"  end to end: {count:,} questions to the {kind} bot", file=sys.stderr,
              flush=True)
        found.append(burst(kind, texts, knowledge))
    return found


# -- the child processes ------------------------------------------------------------------------

def _echo_application(url: str, token: str):
    from telegram import Update
    from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.message.reply_text(update.message.text)

    application = ApplicationBuilder().token(token).base_url(url).build()
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    return application


def _bot_application(url: str, token: str, knowledge: Path, data: Path, log: bool):
    from bot.app import build_application
    from bot.config import Settings
    from bot.knowledge import load_knowledge

    settings = Settings(token=token, api_url=url, knowledge_dir=knowledge, data_dir=data)
    store = None
    if log:
        from bot.store import Store

        store = Store.open(settings)
    return build_application(settings, load_knowledge(knowledge), store=store,
                             rate_limit=False)


def main(argv: list[str] | None = None) -> int:
    """``serve KIND URL TOKEN``: run one bot with long polling until SIGINT."""
    parser = argparse.ArgumentParser(prog="python -m bench.e2e")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve")
    serve.add_argument("kind", choices=KINDS)
    serve.add_argument("url")
    serve.add_argument("token")
    serve.add_argument("--knowledge", type=Path, required=True)
    serve.add_argument("--data", type=Path, required=True)
    args = parser.parse_args(argv)
    if args.kind == ECHO:
        application = _echo_application(args.url, args.token)
    else:
        application = _bot_application(args.url, args.token, args.knowledge, args.data,
                                       log=args.kind == BOT_STORE)
    application.run_polling()
    return 0


if __name__ == "__main__":
    sys.exit(main())
