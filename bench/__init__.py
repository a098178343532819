"""Benchmarks of the engine and the bot: ``python -m bench [--quick] [--write]``.

Owns the figures a reader needs to trust the bot's speed claims: per-question cost beside
the matchers a developer would otherwise pick (with their accuracy on the same dev set),
how cost and memory grow with the knowledge base, Telegram throughput against a local
Bot API stand-in, and start-up time.  Benchmarks print figures; tests assert behaviour.
"""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BUNDLED_KNOWLEDGE = REPO / "knowledge"
FIXTURE_KNOWLEDGE = REPO / "tests" / "fixtures" / "harbour"
# The public dev set lives in the shared folder beside the repository (in CI too).
DEV_SET = REPO.parent / "shared" / "eval" / "dev_questions.yaml"


def dev_set() -> Path | None:
    """The public dev question set, or None where this checkout has none beside it."""
    return DEV_SET if DEV_SET.is_file() else None
