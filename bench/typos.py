"""``python -m bench.typos``: how well answers survive typing slips.

Takes the answerable English questions of the tuning data (the tuning split, the
near-miss tuning set and the dev set) that the bot answers rightly as written, injects
slips into some of their words (a letter swapped, dropped, doubled or replaced by a
neighbour on the keyboard, never the first letter), and prints how many are still
answered rightly, declined, or answered wrongly.  Held-out questions are never used.
"""

from __future__ import annotations

import argparse
import random
from collections import Counter
from pathlib import Path

from bot.answer import answer
from bot.evaluate import evaluate, judge, load_cases
from bot.lexicon import STOPWORDS
from bot.snapshot import load_index

ROOT = Path(__file__).resolve().parent.parent
ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")


def _neighbour(letter: str, rng: random.Random) -> str:
    for row in ROWS:
        i = row.find(letter)
        if i >= 0:
            return rng.choice([row[j] for j in (i - 1, i + 1) if 0 <= j < len(row)])
    return letter


def slip(word: str, rng: random.Random) -> str:
    """One typing slip somewhere after the first letter of ``word``."""
    i = rng.randrange(1, len(word) - 1)
    kind = rng.choice(("swap", "drop", "double", "neighbour"))
    if kind == "swap":
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    if kind == "drop":
        return word[:i] + word[i + 1:]
    if kind == "double":
        return word[:i] + word[i] + word[i:]
    return word[:i] + _neighbour(word[i], rng) + word[i + 1:]


def misspell(question: str, words: int, rng: random.Random, slips: int = 1) -> str:
    """``question`` with ``slips`` slips in each of up to ``words`` of its content words."""
    tokens = question.split()
    content = [i for i, t in enumerate(tokens)
               if t.isalpha() and len(t) >= 4 and t.lower() not in STOPWORDS]
    for i in rng.sample(content, min(words, len(content))):
        for _ in range(slips):
            tokens[i] = slip(tokens[i], rng)
    return " ".join(tokens)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.typos", description=__doc__)
    parser.add_argument("--words", type=int, default=2, help="words misspelt per question")
    parser.add_argument("--slips", type=int, default=1, help="slips in each misspelt word")
    parser.add_argument("--seeds", type=int, default=3, help="random seeds (rounds)")
    parser.add_argument("--knowledge", type=Path, default=ROOT / "knowledge")
    args = parser.parse_args(argv)
    index = load_index(args.knowledge)
    files = [*sorted((ROOT / "tests" / "data" / "eval").glob("*.yaml")),
             *sorted((ROOT / "tests" / "data" / "tuning").glob("*.yaml"))]
    dev = ROOT.parent / "shared" / "eval" / "dev_questions.yaml"
    cases = [c for c in load_cases(files + ([dev] if dev.exists() else []))
             if c.split in ("tuning", "dev") and c.expect == "answer" and not c.gold_parts
             and c.source != "questions_ru.yaml"]
    right = [o.case for o in evaluate(cases, index) if o.verdict == "right"]
    verdicts: Counter[str] = Counter()
    for seed in range(args.seeds):
        rng = random.Random(seed)
        for case in right:
            asked = misspell(case.question, args.words, rng, args.slips)
            verdicts[judge(case, answer(asked, index))] += 1
    total = sum(verdicts.values())
    print(f"{len(right)} questions answered rightly as written, {args.words} word(s) misspelt "
          f"with {args.slips} slip(s) each, {args.seeds} seed(s): {total} questions")
    for verdict in ("right", "declined", "wrong"):
        print(f"  {verdict:<9} {verdicts[verdict]:>5}  {verdicts[verdict] / total:6.1%}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
