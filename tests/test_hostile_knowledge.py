"""Hostile or broken knowledge files: each gives one clear error naming the file (and the line
or entry where known), quickly and in little memory; ``validate`` fails and the bot refuses to
start before it contacts Telegram.

The corpus is ``tests/fixtures/broken/<case>/`` (``ferry.txt`` + ``ferry.yaml``, each broken
in one way); the huge files are generated here.
"""

from __future__ import annotations

import copy
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import psutil
import pytest
import yaml

from bot.knowledge import check_knowledge
from bot.yamlfile import MAX_BYTES
from tests.telegram_helpers import TOKEN

ROOT = Path(__file__).parent.parent
BROKEN = Path(__file__).parent / "fixtures" / "broken"
ENTRY = "ferry-capacity"

# case: (file named, line, entry id, words of the message)
CASES = {
    "yaml-syntax": ("ferry.yaml", 15, None, "YAML error: while parsing a flow sequence"),
    "entries-a-string": ("ferry.yaml", 9, None, "'entries' must be a list"),
    "questions-a-number": ("ferry.yaml", 12, ENTRY, "'questions' must be a list"),
    "missing-article": ("ferry-story.txt", None, None, "article file not found"),
    "yaml-not-utf8": ("ferry.yaml", 8, None, "not UTF-8 (byte 0xe9)"),
    "article-not-utf8": ("ferry.txt", None, None, "article file is not UTF-8"),
    "alias-bomb": ("ferry.yaml", 14, None, "aliases expand to more than 10,000 values"),
    "alias-bomb-under-the-count": ("ferry.yaml", 4, None, "aliases expand to more than"),
    "quote-whitespace": ("ferry.yaml", 15, ENTRY, "differs only in whitespace or quote marks"),
    "quote-marks": ("ferry.yaml", 15, ENTRY, "differs only in whitespace or quote marks"),
    "duplicate-keys": ("ferry.yaml", 15, None, "duplicate key 'answer'"),
    "topic-a-list": ("ferry.yaml", 11, ENTRY, "unknown topic ['boat']"),
    "topics-a-number": ("ferry.yaml", 6, None, "'topics' must be a list"),
    "title-a-mapping": ("ferry.yaml", 3, None, "'article.title' and 'article.source' must be"),
    "empty-yaml": ("ferry.yaml", 1, None, "the file is empty"),
    "deep-nesting": ("ferry.yaml", None, None, "nested too deeply"),
}
MAX_SECONDS = 2.0   # CPU time for a whole ``python -m bot ...`` refusing a case (0.1-0.7 s)
MAX_GROWTH_MIB = 20  # resident memory of this process around check_knowledge (< 1 MiB here)


def test_the_corpus_and_the_table_agree():
    assert sorted(p.name for p in BROKEN.iterdir() if p.is_dir()) == sorted(CASES)


def huge_yaml(directory: Path) -> Path:
    """A YAML file just over the size limit (a real entry, then a long list of questions)."""
    base = (BROKEN / "quote-marks" / "ferry.yaml").read_text(encoding="utf-8")
    base = base[:base.index("    answer:")]
    padding = "      - How many passengers does the ferry carry, in any weather?\n"
    directory.mkdir()
    (directory / "ferry.txt").write_bytes((BROKEN / "quote-marks" / "ferry.txt").read_bytes())
    (directory / "ferry.yaml").write_text(base + padding * (MAX_BYTES // len(padding) + 1),
                                          encoding="utf-8")
    return directory


def huge_article(directory: Path) -> Path:
    """An article of 2 MB beside a valid YAML file."""
    directory.mkdir()
    (directory / "ferry.yaml").write_bytes((BROKEN / "quote-marks" / "ferry.yaml").read_bytes())
    line = "The new electric boat carries up to 120 passengers, and more, every day.\n"
    (directory / "ferry.txt").write_text(line * (2_000_000 // len(line)), encoding="utf-8")
    return directory


GENERATED = {
    "huge-yaml": (huge_yaml, ("ferry.yaml", None, None, "the limit is 2,000,000")),
    "huge-article": (huge_article, ("ferry.txt", None, None, "larger than 1,000,000 bytes")),
}


def case_dir(name: str, tmp_path: Path) -> tuple[Path, tuple]:
    if name in GENERATED:
        make, expected = GENERATED[name]
        return make(tmp_path / name), expected
    return BROKEN / name, CASES[name]


ALL = [*CASES, *GENERATED]


@pytest.mark.parametrize("name", ALL)
def test_each_broken_case_is_one_clear_error(name, tmp_path):
    directory, (file, line, entry, words) = case_dir(name, tmp_path)
    before = psutil.Process().memory_info().rss
    started = time.process_time()
    problems = check_knowledge(directory)
    seconds = time.process_time() - started
    growth = (psutil.Process().memory_info().rss - before) / 2**20
    [error] = [p for p in problems if p.severity == "error"]
    assert Path(error.file).name == file and error.file.startswith(f"{name}/")
    assert (error.line, error.entry) == (line, entry), str(error)
    assert words in error.message
    assert seconds < MAX_SECONDS and growth < MAX_GROWTH_MIB, (seconds, growth)


@dataclass
class Finished:
    code: int
    cpu: float
    err: str


def start(args: list[str], env: dict[str, str], err: Path) -> tuple[subprocess.Popen, Path]:
    with err.open("w") as sink:
        process = subprocess.Popen([sys.executable, "-m", "bot", *args], cwd=err.parent,
                                   env=env, stdout=subprocess.DEVNULL, stderr=sink)
    return process, err


def finish(started: tuple[subprocess.Popen, Path]) -> Finished:
    """Wait for the process; its exit code and CPU time (its own, by wait4).

    Not its peak memory: ru_maxrss counts the pytest process it was forked from.
    """
    process, err = started
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    return Finished(process.returncode, usage.ru_utime + usage.ru_stime,
                    err.read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", ALL)
def test_validate_fails_and_the_bot_does_not_start(name, api, tmp_path):
    directory, (file, line, entry, words) = case_dir(name, tmp_path)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("TELEGRAM_", "WEBHOOK_", "PORT", "BOT_", "KNOWLEDGE_"))}
    env.update(PYTHONPATH=str(ROOT), DATA_DIR=str(tmp_path / "data"))
    bot_env = {**env, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_URL": api.base_url,
               "KNOWLEDGE_DIR": str(directory)}
    validating = start(["validate", "--knowledge", str(directory)], env, tmp_path / "v.err")
    running = start(["run"], bot_env, tmp_path / "r.err")
    validated, ran = finish(validating), finish(running)
    where = f"{name}/{file}:{line}" if line else f"{name}/{file}"
    about = f" [{entry}]" if entry else ""
    for finished in (validated, ran):
        assert finished.code == 1, finished.err
        assert f"{where}: error{about}: " in finished.err and words in finished.err
        assert finished.cpu < MAX_SECONDS, finished
        assert "Traceback" not in finished.err
    assert "1 error(s)" in validated.err
    assert ran.err.strip().splitlines()[-1].startswith("error: the knowledge base in")
    assert api.calls == []  # refused before contacting Telegram


# -- every field, every wrong type --------------------------------------------------------------

VALID = {
    "version": 1,
    "article": {"file": "ferry.txt", "title": "Harbour ferry", "source": "Test Wire",
                "date": "May 2024", "url": "https://example.com/ferry", "language": "en"},
    "topics": [{"id": "boat", "title": "The boat", "title_ru": "Лодка"}],
    "featured": [ENTRY],
    "entries": [{"id": ENTRY, "topic": "boat",
                 "questions": ["How many passengers does the new ferry carry?"],
                 "questions_ru": ["Сколько пассажиров берёт паром?"],
                 "answer": "Up to 120 passengers.", "answer_ru": "До 120 пассажиров.",
                 "quotes": ["Harbour ferry returns after two-year pause",
                            "The new electric boat carries up to 120 passengers"],
                 "notes": "checked"}],
}
SYNONYMS = {"groups": [{"canonical": "ferry", "kind": "other", "aliases": ["boat", "Ferry"],
                        "case_sensitive": ["Ferry"], "notes": "x"}]}
WRONG = (0, 2.5, True, None, "", "x", [], ["x"], [["x"]], {}, {"a": 1}, [{"a": 1}])


def _paths(value, prefix=()):
    yield prefix
    children = value.items() if isinstance(value, dict) else enumerate(value) \
        if isinstance(value, list) else ()
    for key, child in children:
        yield from _paths(child, (*prefix, key))


def _replaced(document, path, value):
    if not path:
        return value
    document = copy.deepcopy(document)
    inner = document
    for key in path[:-1]:
        inner = inner[key]
    inner[path[-1]] = value
    return document


def test_any_field_of_any_wrong_type_is_an_error_or_harmless_never_a_crash(tmp_path):
    article = (BROKEN / "quote-marks" / "ferry.txt").read_bytes()
    directory = tmp_path / "kb"
    directory.mkdir()
    (directory / "ferry.txt").write_bytes(article)
    tried = 0
    for target, document in (("ferry.yaml", VALID), ("synonyms.yaml", SYNONYMS)):
        for path in _paths(document):
            for wrong in WRONG:
                files = {"ferry.yaml": VALID, "synonyms.yaml": SYNONYMS,
                         target: _replaced(document, path, wrong)}
                for name, content in files.items():
                    (directory / name).write_text(yaml.safe_dump(content, allow_unicode=True),
                                                  encoding="utf-8")
                problems = check_knowledge(directory)  # must not raise
                tried += 1
                required_text = path and path[-1] in ("title", "source", "answer", "id", "file")
                if required_text and not isinstance(wrong, str):
                    assert any(p.severity == "error" for p in problems), (target, path, wrong)
    assert tried > 400
