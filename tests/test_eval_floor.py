"""Evaluation floors: CI fails when answer quality regresses.

Each floor sits just under the figure measured when the thresholds were last tuned
(docs/thresholds.md); a wrong-answer ceiling sits just above it.  Raise them when the
engine improves; never lower them to make a change pass.
"""

from pathlib import Path

import pytest

from bot.answer import Thresholds
from bot.evaluate import evaluate, figures, load_cases
from bot.knowledge import load_knowledge
from bot.matcher import Index

ROOT = Path(__file__).parent.parent
EVAL = ROOT / "tests" / "data" / "eval"
TUNING = ROOT / "tests" / "data" / "tuning"
DEV = ROOT.parent / "shared" / "eval" / "dev_questions.yaml"

# (accuracy floor, wrong-answer ceiling) per question set, from `python -m bot eval`.
FLOORS = {
    "dev": (0.98, 0.02),                        # measured 100.0%, wrong 0.0%
    "tuning": (0.975, 0.015),                   # measured 98.8%, wrong 0.5%
    "heldout": (0.94, 0.015),                   # measured 95.1%, wrong 0.9% (docs/thresholds.md)
    "russian": (0.98, 0.02),                    # measured 100.0%, wrong 0.0%
    # Tuning-only sets (tests/data/tuning), each written blind from the article:
    "near_misses": (0.95, 0.04),                # measured 96.4%, wrong 3.2% (adversarial)
    "more_questions": (0.955, 0.02),            # measured 96.6%, wrong 1.2%
    "fresh_questions": (0.955, 0.02),           # measured 96.6%, wrong 0.9%
    "regional_chat_questions": (0.96, 0.02),    # measured 97.0%, wrong 1.2%
    "careful_reader_questions": (0.925, 0.02),  # measured 93.8%, wrong 1.2%
    "student_questions": (0.965, 0.02),         # measured 97.5%, wrong 1.2%
    "group_chat_questions": (0.975, 0.015),     # measured 98.8%, wrong 0.5%
    "everyday_questions": (0.94, 0.025),        # measured 95.2%, wrong 1.5%
    "regional_russian_questions": (0.98, 0.01),  # measured 99.2%, wrong 0.2%
    "classroom_questions": (0.96, 0.03),        # measured 97.2%, wrong 1.8%
    "adversarial_questions": (0.955, 0.03),     # measured 96.5%, wrong 2.0%
    "news_channel_questions": (0.955, 0.025),   # measured 96.5%, wrong 1.5%
    "professional_questions": (0.965, 0.02),    # measured 97.5%, wrong 1.0%
    "blind_check_questions": (0.955, 0.015),    # measured 96.9%, wrong 0.3%
    "followers_questions": (0.955, 0.02),       # measured 96.5%, wrong 1.0%
    "phone_questions": (0.94, 0.03),            # measured 95.0%, wrong 2.0%
    "second_language_questions": (0.955, 0.015),  # measured 96.5%, wrong 0.5%
    "channel_audience_questions": (0.96, 0.01),  # measured 97.2%, wrong 0.0%
    "blind_check_2_questions": (0.875, 0.02),   # measured 88.8%, wrong 1.2%
    "blind_check_3_questions": (0.88, 0.025),   # measured 89.4%, wrong 1.6%
}


@pytest.fixture(scope="module")
def index():
    return Index(load_knowledge(ROOT / "knowledge"))


@pytest.fixture(scope="module")
def corpus():
    return load_cases(sorted(EVAL.glob("*.yaml")))


def check(outcomes, name):
    floor, ceiling = FLOORS[name]
    f = figures(outcomes)
    assert f.accuracy >= floor, f"{name}: accuracy {f.accuracy:.1%} < floor {floor:.0%}"
    assert f.wrong_rate <= ceiling, f"{name}: wrong {f.wrong_rate:.1%} > ceiling {ceiling:.1%}"


def test_corpus_is_large_enough_and_split(corpus):
    answerable = [c for c in corpus if c.expect == "answer"]
    unanswerable = [c for c in corpus if c.expect == "no_answer"]
    russian = [c for c in corpus if c.source == "questions_ru.yaml"]
    assert len(answerable) >= 300 and len(unanswerable) >= 100 and len(russian) >= 40
    splits = {c.split for c in corpus}
    assert splits == {"tuning", "heldout"}


@pytest.mark.parametrize("split", ["tuning", "heldout"])
def test_split_floor(index, corpus, split):
    check(evaluate([c for c in corpus if c.split == split], index), split)


@pytest.mark.parametrize("name", sorted(p.stem for p in TUNING.glob("*.yaml")))
def test_tuning_only_set_floor(index, name):
    cases = load_cases([TUNING / f"{name}.yaml"])
    assert {c.split for c in cases} == {"tuning"} and len(cases) >= 200
    check(evaluate(cases, index), name)


def test_every_tuning_only_set_has_a_floor():
    assert {p.stem for p in TUNING.glob("*.yaml")} <= FLOORS.keys()


def test_heldout_unanswerable_are_declined(index, corpus):
    outcomes = evaluate([c for c in corpus if c.split == "heldout" and c.expect == "no_answer"],
                        index)
    declined = sum(o.verdict == "declined" for o in outcomes) / len(outcomes)
    assert declined >= 0.95, f"held-out unanswerable declined {declined:.1%} < 95%"


def test_russian_floor(index, corpus):
    check(evaluate([c for c in corpus if c.source == "questions_ru.yaml"], index), "russian")


def test_dev_set_floor_and_every_no_answer_declined(index):
    if not DEV.exists():
        pytest.skip("shared/eval/dev_questions.yaml is not beside this checkout")
    outcomes = evaluate(load_cases([DEV]), index)
    check(outcomes, "dev")
    answered = [o.case.question for o in outcomes
                if o.case.expect == "no_answer" and o.answer.answered]
    assert answered == []


def test_a_decline_counts_as_offered_only_when_a_suggestion_cites_the_gold(index, tmp_path):
    questions = tmp_path / "set.yaml"
    questions.write_text(
        "- q: what sort of cash did brussels put on the table, all in all, for the afghans\n"
        "  expect: answer\n  gold: [\"one billion euros\"]\n  kind: paraphrase\n"
        "- q: what sort of cash did brussels put on the table, all in all, for the afghans\n"
        "  expect: answer\n  gold: [\"14,000 Soviet troops\"]\n  kind: paraphrase\n",
        encoding="utf-8")
    cases = load_cases([questions])
    outcomes = evaluate(cases, index, Thresholds(confidence=1.01))  # decline everything
    assert [o.verdict for o in outcomes] == ["declined", "declined"]
    assert [o.offered for o in outcomes] == [True, False]
    assert figures(outcomes).offered == 1
