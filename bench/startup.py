"""Start-up: wall time of one-shot commands, and of the bot up to its first poll."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bench import BUNDLED_KNOWLEDGE, REPO

QUESTION = "how much did the EU pledge?"


@dataclass(frozen=True)
class Startup:
    """The median wall time of one command over several runs."""

    label: str
    runs: int
    median_s: float
    low_s: float
    high_s: float


def _environment(bytecode: Path) -> dict[str, str]:
    """The caller's environment less the bot's own settings; the repository importable.

    Bytecode is cached (under ``bytecode``, so nothing is written into the repository)
    as on a normal install, even where PYTHONDONTWRITEBYTECODE is set: without a cache
    the bot's own modules would be compiled on every start while the installed
    packages' come precompiled.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("TELEGRAM_")
           and k not in ("KNOWLEDGE_DIR", "WEBHOOK_URL", "DATA_DIR", "PYTHONDONTWRITEBYTECODE")}
    env["PYTHONPATH"] = str(REPO)
    env["PYTHONPYCACHEPREFIX"] = str(bytecode)
    return env


def _wall(command: Sequence[str], env: dict[str, str], cwd: Path) -> float:
    started = time.perf_counter()
    subprocess.run(list(command), cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, check=True, timeout=300)
    return time.perf_counter() - started


ASK = 'python -m bot ask "..."'
IMPORTS = "python -c 'import yaml, rapidfuzz'"


def commands(knowledge: Path) -> list[tuple[str, list[str], bool]]:
    """The one-shot commands compared: label, command, and whether it starts cold.

    The CLI keeps a snapshot of the index between runs (``bot.snapshot``, under
    ``$XDG_CACHE_HOME``): "warm" runs find it, "cold" runs (the first after a change
    of the knowledge base or the engine) get an empty cache directory.
    """
    python = sys.executable
    ask = [python, "-m", "bot", "ask", QUESTION]
    if Path(knowledge).resolve() != BUNDLED_KNOWLEDGE.resolve():
        ask[3:3] = ["--knowledge", str(knowledge)]
    return [
        (IMPORTS, [python, "-c", "import yaml, rapidfuzz"], False),
        (f"{ASK}, index snapshot warm", ask, False),
        (f"{ASK}, cold (no snapshot)", ask, True),
        ("python -c 'import bot.cli' (imports only)", [python, "-c", "import bot.cli"], False),
    ]


def one_shot(knowledge: Path, runs: int) -> list[Startup]:
    """Median wall time of each command, the commands interleaved run by run."""
    listed = commands(knowledge)
    times: dict[str, list[float]] = {label: [] for label, _, _ in listed}
    # An empty working directory (no .env or data/ of the developer's is read) and a
    # cache directory of our own (the developer's snapshot is neither used nor touched).
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as tmp:
        cwd, warm = Path(tmp) / "cwd", Path(tmp) / "cache"
        cwd.mkdir()

        def wall(command: list[str], cold: bool, run: int) -> float:
            env = _environment(Path(tmp) / "bytecode")
            env["XDG_CACHE_HOME"] = str(Path(tmp) / f"cold-{run}" if cold else warm)
            return _wall(command, env, cwd)

        for _label, command, cold in listed:
            wall(command, cold, -1)  # warm the file cache and the snapshot
        for run in range(runs):
            print(f"\r  start-up: run {run + 1}/{runs}", end="", file=sys.stderr, flush=True)
            for label, command, cold in listed:
                times[label].append(wall(command, cold, run))
    print(file=sys.stderr)
    return [Startup(label, runs, statistics.median(t), min(t), max(t))
            for label, t in times.items()]


def to_first_poll(knowledge: Path, runs: int) -> list[Startup]:
    """``python -m bot run`` and the echo bot: process start to first getUpdates."""
    from bench.e2e import ECHO, first_poll, stop
    from tests.standin import BotAPIStandIn

    found = []
    cache = tempfile.TemporaryDirectory(prefix="bench-cache-")
    for label, kind in (("python -m bot run, snapshot warm", None), ("bare PTB echo bot", ECHO)):
        samples = []
        for run in range(-1, runs):  # run -1 warms the file cache and the snapshot
            print(f"\r  start-up to first poll, {label}: run {run + 1}/{runs}", end="",
                  file=sys.stderr, flush=True)
            with BotAPIStandIn() as api, tempfile.TemporaryDirectory(prefix="bench-") as data:
                api.say("hello")  # so the first poll is answered at once
                env = _environment(Path(cache.name) / "bytecode")
                if kind is None:
                    env.update(TELEGRAM_BOT_TOKEN=api.token, TELEGRAM_API_URL=api.base_url,
                               KNOWLEDGE_DIR=str(knowledge), DATA_DIR=data, LOG_LEVEL="WARNING",
                               XDG_CACHE_HOME=cache.name)
                    command = [sys.executable, "-m", "bot", "run"]
                else:
                    command = [sys.executable, "-m", "bench.e2e", "serve", kind, api.base_url,
                               api.token, "--knowledge", str(knowledge), "--data", data]
                process, seconds, _at = first_poll(api, command, env, Path(data))
                stop(process)
            if run >= 0:
                samples.append(seconds)
        print(file=sys.stderr)
        found.append(Startup(f"{label} to first getUpdates", runs,
                             statistics.median(samples), min(samples), max(samples)))
    cache.cleanup()
    return found
