"""``python -m bot run``: a real process against the stand-in, polling and webhook, stopped by
SIGTERM; and the line that keeps ``telegram`` out of the engine."""

from __future__ import annotations

import asyncio
import http.client
import json
import os
import pkgutil
import socket
import subprocess
import sys
from pathlib import Path

import bot
from tests.telegram_helpers import (
    TOKEN,
    USER_ID,
    replies,
    terminate,
)

ROOT = Path(__file__).parent.parent
TELEGRAM_MODULES = {"bot.app", "bot.handlers", "bot.keyboards"}
SECRET = "hook-Secret_42"
EU_QUOTE = "Brussels has pledged one billion euros ($1.2 billion) in aid"


def start_bot(api, knowledge_dir: Path, tmp_path: Path, *args: str, **env: str):
    """``python -m bot run ARGS`` with its settings in the environment only (no .env: the
    working directory is an empty temporary one)."""
    environment = {k: v for k, v in os.environ.items()
                   if not k.startswith(("TELEGRAM_", "WEBHOOK_", "PORT", "BOT_"))}
    environment.update({"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_URL": api.base_url,
                        "KNOWLEDGE_DIR": str(knowledge_dir), "LOG_LEVEL": "DEBUG",
                        "DATA_DIR": str(tmp_path / "data"), "PYTHONPATH": str(ROOT), **env})
    workdir = tmp_path / "cwd"
    workdir.mkdir(exist_ok=True)
    return subprocess.Popen([sys.executable, "-m", "bot", "run", *args], cwd=workdir,
                            env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


async def listening(port: int, timeout: float = 10.0) -> None:
    """Wait until something accepts connections on 127.0.0.1:``port``."""
    for _ in range(int(timeout / 0.05)):
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            await asyncio.sleep(0.05)
            continue
        writer.close()
        await writer.wait_closed()
        return
    raise AssertionError(f"nothing listens on port {port}")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def test_polling_answers_and_stops_cleanly_on_sigterm(api, knowledge_dir, tmp_path):
    process = start_bot(api, knowledge_dir, tmp_path)
    try:
        api.say("how much did the EU pledge")  # waits in the stand-in until the bot polls
        [reply] = await replies(api, USER_ID, 0, timeout=20)
        # A reply in flight when SIGTERM arrives is still delivered.
        api.fail_next("sendMessage", "slow", delay=1.0)
        update = api.say("how many IS fighters", USER_ID + 1)
        await api.await_for(lambda: api.update_deliveries[update["update_id"]])
        await asyncio.sleep(0.3)
    finally:
        code, err = await terminate(process)
    assert code == 0, err
    assert EU_QUOTE in reply["text"]
    assert "2,000" in api.texts_to(USER_ID + 1)[0]
    assert "serving as @talks_test_bot: 1 article(s), 6 entries" in err
    assert TOKEN not in err and TOKEN.split(":")[1] not in err
    assert "[redacted]" in err  # DEBUG logs the request URLs, redacted
    assert {c["command"] for c in next(iter(api.commands.values()))} >= {"ask", "help"}


async def test_webhook_refuses_requests_without_the_secret(api, knowledge_dir, tmp_path):
    port = free_port()
    process = start_bot(api, knowledge_dir, tmp_path, "--webhook", PORT=str(port),
                        WEBHOOK_URL=f"http://127.0.0.1:{port}/telegram", WEBHOOK_SECRET=SECRET)
    try:
        [call] = await api.await_for(lambda: api.calls_of("setWebhook", ok=True), timeout=20)
        url = call.params["url"]
        path = url.removeprefix(f"http://127.0.0.1:{port}")
        await listening(port)  # PTB registers the webhook just before it starts serving
        update = api.private_message("how much did the EU pledge", USER_ID + 2)
        body = json.dumps({"update_id": 900001, **update})

        def post(headers: dict[str, str]) -> int:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            try:
                connection.request("POST", path, body=body,
                                   headers={"Content-Type": "application/json", **headers})
                return connection.getresponse().status
            finally:
                connection.close()

        missing = await asyncio.to_thread(post, {})
        wrong = await asyncio.to_thread(post, {"X-Telegram-Bot-Api-Secret-Token": "guess"})
        await api.await_until_idle()
        silent = list(api.messages_to(USER_ID + 2))
        right = await asyncio.to_thread(post, {"X-Telegram-Bot-Api-Secret-Token": SECRET})
        [reply] = await replies(api, USER_ID + 2, 0, timeout=10)
        api.say("how many IS fighters", USER_ID + 3)  # delivered by the stand-in's webhook
        [pushed] = await replies(api, USER_ID + 3, 0, timeout=10)
    finally:
        code, err = await terminate(process)
    assert (missing, wrong, right) == (403, 403, 200)
    assert not silent
    assert EU_QUOTE in reply["text"] and "2,000" in pushed["text"]
    assert call.params["secret_token"] == SECRET
    assert url.startswith(f"http://127.0.0.1:{port}/telegram/")
    assert TOKEN not in url and TOKEN.split(":")[1] not in url
    assert code == 0, err
    assert TOKEN not in err and SECRET not in err


async def test_a_rejected_token_is_one_line_without_the_token(api, knowledge_dir, tmp_path):
    wrong = "654321:" + TOKEN.split(":")[1]
    process = start_bot(api, knowledge_dir, tmp_path, TELEGRAM_BOT_TOKEN=wrong)
    _, err = await asyncio.to_thread(process.communicate, timeout=20)
    assert process.returncode == 1
    assert "configuration error: Telegram rejected TELEGRAM_BOT_TOKEN" in err
    assert wrong not in err  # the DEBUG log shows PTB's traceback, redacted
    assert err.strip().splitlines()[-1].startswith("configuration error:")


def test_only_the_telegram_modules_import_telegram():
    engine = sorted(f"bot.{m.name}" for m in pkgutil.iter_modules(bot.__path__)
                    if f"bot.{m.name}" not in TELEGRAM_MODULES and m.name != "__main__")
    code = ("import importlib, sys\n"
            f"for name in {engine!r}: importlib.import_module(name)\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'telegram'))")
    found = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                           text=True, timeout=60, check=True)
    assert found.stdout.strip() == "[]", engine
