"""Synthetic knowledge bases in the real YAML format, grown from the real one.

``generate(source, out, entries)`` copies the real knowledge files into ``out`` and adds
synthetic entries until the base holds ``entries`` in all.  A synthetic wording is a
real wording (or two spliced) with words swapped and a third or so replaced by random
vocabulary: real words, or made-up ones drawn with a Zipf law so the vocabulary keeps
growing with the base as real text does.  Its quotes are verbatim word spans of the
article, so every synthetic entry passes the loader's checks.

The loader refuses YAML files over ``bot.yamlfile.MAX_BYTES`` (meant for hand-edited
files), so the synthetic entries are spread over several files, each with its own
copy of the article beside it; :class:`Generated` says how large one file would be.
"""

from __future__ import annotations

import json
import random
import re
import shutil
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path

from bot.knowledge import Entry, KnowledgeBase, load_knowledge
from bot.normalise import normalise
from bot.yamlfile import MAX_BYTES

SHARD_SHARE = 0.9  # fill each file to 90% of the loader's limit
PSEUDO_WORDS = 40_000
_LATIN = ("bcdfghklmnprstvz", "aeiou")
_CYRILLIC = ("бвгдзклмнпрстф", "аеиоуя")
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'-]+")
_CYRILLIC_WORD = re.compile(r"[а-яА-ЯёЁ]{2,}")


@dataclass(frozen=True)
class Generated:
    """What :func:`generate` wrote."""

    directory: Path
    entries: int  # real and synthetic
    synthetic: int
    wordings: int
    files: int  # synthetic YAML files
    synthetic_bytes: int  # all synthetic YAML, as one file would be (give or take a header)
    largest_file: int


class _Vocabulary:
    """Replacement words for one script: the real ones, and Zipf-drawn made-up ones."""

    def __init__(self, rng: random.Random, real: set[str], letters: tuple[str, str]) -> None:
        self.rng = rng
        self.real = sorted(real) or ["word"]
        consonants, vowels = letters
        made: dict[str, None] = {}
        while len(made) < PSEUDO_WORDS:
            syllables = rng.randint(2, 4)
            made["".join(rng.choice(consonants) + rng.choice(vowels)
                         for _ in range(syllables))] = None
        self.made = list(made)
        self.weights = list(accumulate(1 / rank for rank in range(1, len(self.made) + 1)))

    def draw(self) -> str:
        if self.rng.random() < 0.4:
            return self.rng.choice(self.real)
        return self.rng.choices(self.made, cum_weights=self.weights)[0]


class _Generator:
    def __init__(self, kb: KnowledgeBase, seed: int) -> None:
        self.rng = random.Random(seed)
        self.kb = kb
        self.english = [q for e in kb.entries for q in e.questions]
        self.russian = [q for e in kb.entries for q in e.questions_ru]
        text = " ".join(self.english + [p for a in kb.articles.values() for p in a.paragraphs])
        self.latin = _Vocabulary(self.rng, set(_LATIN_WORD.findall(text)), _LATIN)
        self.cyrillic = _Vocabulary(
            self.rng, set(_CYRILLIC_WORD.findall(" ".join(self.russian))), _CYRILLIC)
        self.seen = {normalise(w) for e in kb.entries for w in (*e.questions, *e.questions_ru)}

    def wording(self, pool: list[str], vocabulary: _Vocabulary) -> str:
        rng = self.rng
        for _ in range(20):
            words = rng.choice(pool).split()
            if rng.random() < 0.5:
                other = rng.choice(pool).split()
                words = words[: max(1, len(words) // 2)] + other[len(other) // 2:]
            if len(words) >= 2 and rng.random() < 0.5:
                i = rng.randrange(len(words) - 1)
                words[i], words[i + 1] = words[i + 1], words[i]
            replace = max(1, round(len(words) * rng.uniform(0.2, 0.45)))
            for i in rng.sample(range(len(words)), min(replace, len(words))):
                words[i] = vocabulary.draw()
            text = " ".join(words)
            key = normalise(text)
            if key and key not in self.seen:
                self.seen.add(key)
                return text
        raise RuntimeError("could not make a new wording in 20 tries")

    def quote(self, paragraphs: tuple[str, ...]) -> str:
        paragraph = self.rng.choice(paragraphs)
        spans = [m.span() for m in re.finditer(r"\S+", paragraph)]
        length = self.rng.randint(min(4, len(spans)), min(18, len(spans)))
        first = self.rng.randrange(len(spans) - length + 1)
        return paragraph[spans[first][0]: spans[first + length - 1][1]]

    def entry(self, number: int, paragraphs: tuple[str, ...]) -> tuple[str, int]:
        rng = self.rng
        template: Entry = rng.choice(self.kb.entries)
        english = [self.wording(self.english, self.latin) for _ in range(rng.randint(2, 5))]
        russian = [self.wording(self.russian, self.cyrillic)
                   for _ in range(rng.choice((0, 0, 1, 2)) if self.russian else 0)]
        quotes = list(dict.fromkeys(self.quote(paragraphs) for _ in range(rng.randint(1, 2))))
        lines = [f"  - id: synthetic-{number:06d}", "    questions:"]
        lines += [f"      - {_scalar(q)}" for q in english]
        if russian:
            lines.append("    questions_ru:")
            lines += [f"      - {_scalar(q)}" for q in russian]
        lines.append(f"    answer: {_scalar(template.answer)}")
        lines.append("    quotes:")
        lines += [f"      - {_scalar(q)}" for q in quotes]
        return "\n".join(lines) + "\n", len(english) + len(russian)


def _scalar(text: str) -> str:
    """A YAML double-quoted scalar (JSON's string escapes are a subset of YAML's)."""
    return json.dumps(text, ensure_ascii=False)


def _header(stem: str, title: str, source: str) -> str:
    return (f"version: 1\narticle:\n  file: {stem}.txt\n  title: {_scalar(title)}\n"
            f"  source: {_scalar(source)}\nentries:\n")


def generate(source: Path, out: Path, entries: int, *, seed: int = 2021) -> Generated:
    """Write a knowledge base of ``entries`` entries (the real ones included) into ``out``."""
    source, out = Path(source), Path(out)
    kb = load_knowledge(source)
    out.mkdir(parents=True, exist_ok=True)
    for path in source.iterdir():
        if path.is_file() and path.suffix in (".yaml", ".txt"):
            shutil.copy(path, out / path.name)
    generator = _Generator(kb, seed)
    articles = list(kb.articles.values())
    budget = int(MAX_BYTES * SHARD_SHARE)
    wordings = sum(len(e.questions) + len(e.questions_ru) for e in kb.entries)
    files, total, largest = 0, 0, 0
    number = 0
    synthetic = max(0, entries - len(kb.entries))
    while number < synthetic:
        files += 1
        article = articles[(files - 1) % len(articles)]
        stem = f"synthetic-{files:04d}"
        (out / f"{stem}.txt").write_text("\n".join(article.paragraphs) + "\n", encoding="utf-8")
        header = _header(stem, f"{article.title} (synthetic copy {files})", article.source)
        size = len(header.encode())
        with (out / f"{stem}.yaml").open("w", encoding="utf-8") as handle:
            handle.write(header)
            while number < synthetic:
                text, count = generator.entry(number + 1, article.paragraphs)
                raw = len(text.encode())
                if size + raw > budget and size > len(header):
                    # This entry goes into the next file: draw it again there.
                    break
                handle.write(text)
                size += raw
                number += 1
                wordings += count
        total += size
        largest = max(largest, size)
    return Generated(out, len(kb.entries) + synthetic, synthetic, wordings, files, total,
                     largest)
