"""The benchmarks run and report; their synthetic knowledge bases are valid.

No timing is asserted: these machines are noisy.  Benchmarks print figures, tests
assert behaviour.
"""

import math
import re
import subprocess
import sys
from pathlib import Path

import pytest
from rapidfuzz.distance import DamerauLevenshtein

from bench import BUNDLED_KNOWLEDGE, e2e, perquestion, synthetic
from bench.alternatives import Guess, oracle_threshold
from bench.report import Table
from bench.startup import ASK, IMPORTS
from bench.tables import E2E_LABELS
from bench.timing import percentile
from bot.evaluate import Case
from bot.knowledge import Citation, check_knowledge, load_knowledge

ROOT = Path(__file__).parent.parent
HARBOUR = Path(__file__).parent / "fixtures" / "harbour"
NUMBER = re.compile(r"\d")


@pytest.fixture(scope="module")
def quick_run():
    results = ROOT / "bench" / "RESULTS.md"
    before = results.stat().st_mtime_ns if results.exists() else None
    done = subprocess.run([sys.executable, "-m", "bench", "--quick"], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    after = results.stat().st_mtime_ns if results.exists() else None
    return done, before, after


def _rows(output: str, first: str) -> list[str]:
    """Lines whose first cell is ``first`` (cells are two or more spaces apart)."""
    return [line for line in output.splitlines() if line.startswith(first + "  ")]


def test_quick_run_completes_and_writes_nothing(quick_run):
    done, before, after = quick_run
    assert done.returncode == 0, done.stderr[-2000:]
    assert before == after


def test_quick_run_prints_every_table_row_with_numbers(quick_run):
    out = quick_run[0].stdout
    for method in perquestion.METHODS:
        (row,) = _rows(out, method)
        assert len(NUMBER.findall(row)) >= 4, row
    for size in ("1,000", "10,000"):
        rows = _rows(out, size)
        assert {"bot", "rapidfuzz"} <= {cell for row in rows for cell in row.split()}, rows
        assert all(len(NUMBER.findall(row)) >= 8 for row in rows), rows
    if e2e.available() is None:
        for kind in (e2e.ECHO, e2e.BOT):
            (row,) = _rows(out, E2E_LABELS[kind])
            assert NUMBER.search(row), row
    for command in (IMPORTS, f"{ASK}, index snapshot warm", f"{ASK}, cold (no snapshot)"):
        (row,) = _rows(out, command)
        assert NUMBER.search(row[len(command):]), row


def test_quick_run_prints_the_targets(quick_run):
    out = quick_run[0].stdout
    assert "target accuracy on the real entries" in out
    assert f"target {ASK}" in out


@pytest.mark.parametrize("source", [BUNDLED_KNOWLEDGE, HARBOUR], ids=["bundled", "harbour"])
def test_synthetic_knowledge_base_loads_and_validates(source, tmp_path, monkeypatch):
    # A small file limit, so the entries are spread over several files as at 100,000.
    monkeypatch.setattr(synthetic, "MAX_BYTES", 60_000)
    made = synthetic.generate(source, tmp_path, 400)
    kb = load_knowledge(tmp_path)
    assert len(kb.entries) == made.entries == 400
    assert made.files > 1
    assert all(p.stat().st_size <= 60_000 for p in tmp_path.glob("synthetic-*.yaml"))
    assert not [p for p in check_knowledge(tmp_path) if p.severity == "error"]
    real = load_knowledge(source)
    assert {e.id for e in real.entries} <= {e.id for e in kb.entries}
    assert sum(len(e.questions) + len(e.questions_ru) for e in kb.entries) == made.wordings


def test_synthetic_generation_is_reproducible(tmp_path):
    first = synthetic.generate(HARBOUR, tmp_path / "a", 50, seed=7)
    second = synthetic.generate(HARBOUR, tmp_path / "b", 50, seed=7)
    assert first.synthetic == 44
    assert ((tmp_path / "a" / "synthetic-0001.yaml").read_text()
            == (tmp_path / "b" / "synthetic-0001.yaml").read_text())
    assert second.wordings == first.wordings


def test_percentile_is_nearest_rank():
    samples = list(range(1, 101))
    assert percentile(samples, 0.5) == 50
    assert percentile(samples, 0.99) == 99
    assert percentile([7], 0.99) == 7


def _case(question, expect, gold=()):
    return Case(question, expect, tuple(gold), "", "test")


def test_oracle_threshold_picks_the_best_cut_off():
    good = (Citation("a", 1, "the gold text"),)
    bad = (Citation("a", 2, "something else"),)
    cases = [_case("q1", "answer", ["gold"]), _case("q2", "answer", ["gold"]),
             _case("q3", "no_answer")]
    guesses = [Guess(90, good), Guess(80, good), Guess(70, bad)]
    found = oracle_threshold(cases, guesses)
    assert found.threshold == 80
    assert found.accuracy == 1.0
    declined_all = oracle_threshold(cases[2:], guesses[2:])
    assert declined_all.accuracy == 1.0 and math.isinf(declined_all.threshold)


def test_table_aligns_figures_right_and_words_left():
    table = Table("T", ["method", "p50 ms"], [["a", "1.5"], ["long name", "12.25"]], ["note"])
    lines = table.text().splitlines()
    assert lines[4] == "a             1.5"
    assert lines[5] == "long name   12.25"
    assert lines[-1] == "  * note"
    assert "|---|---:|" in table.markdown()


def test_typo_benchmark_misspells_content_words_but_never_their_first_letter():
    import random

    from bench.typos import misspell

    rng = random.Random(1)
    question = "How much humanitarian assistance did Brussels pledge?"
    changed = misspell(question, 2, rng)
    before, after = question.split(), changed.split()
    differing = [(a, b) for a, b in zip(before, after, strict=True) if a != b]
    assert len(differing) == 2
    assert all(a[0] == b[0] and a.lower() not in ("how", "much", "did") for a, b in differing)


def test_typo_benchmark_can_put_several_slips_in_a_word():
    import random

    from bench.typos import misspell

    question = "How much humanitarian assistance did Brussels pledge?"
    changed = misspell(question, 1, random.Random(3), slips=2)
    differing = [(a, b) for a, b in zip(question.split(), changed.split(), strict=True) if a != b]
    assert len(differing) == 1
    word, slipped = differing[0]
    assert word[0] == slipped[0]
    assert DamerauLevenshtein.distance(word, slipped) >= 2


def test_typo_benchmark_runs_and_reports_every_verdict(capsys):
    from bench.typos import main

    assert main(["--seeds", "1", "--words", "1"]) == 0
    out = capsys.readouterr().out
    assert "answered rightly as written" in out
    assert all(f"  {v}" in out for v in ("right", "declined", "wrong"))
