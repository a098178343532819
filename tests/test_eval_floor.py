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
    "dev": (0.96, 0.02),        # measured 98.3%, wrong 0.0%
    "tuning": (0.91, 0.015),    # measured 92.1%, wrong 0.9%
    "heldout": (0.88, 0.0275),  # measured 89.7%, wrong 2.1% (docs/thresholds.md)
    "russian": (0.96, 0.02),    # measured 98.6%, wrong 0.0%
    "near_misses": (0.89, 0.085),     # measured 90.5%, wrong 7.7% (adversarial, tuning only)
    "more_questions": (0.78, 0.035),  # measured 80.0%, wrong 3.1% (tuning only)
    "fresh_questions": (0.73, 0.05),  # measured 74.7%, wrong 4.4% (blind; tuning only from now)
    "regional_chat_questions": (0.76, 0.035),   # measured 77.8%, wrong 2.8% (tuning only)
    "careful_reader_questions": (0.62, 0.035),  # measured 64.0%, wrong 2.5% (tuning only)
    "student_questions": (0.83, 0.04),      # measured 85.0%, wrong 3.5% (tuning only)
    "group_chat_questions": (0.80, 0.04),   # measured 82.5%, wrong 3.2% (tuning only)
    "everyday_questions": (0.83, 0.035),    # measured 84.8%, wrong 3.0% (tuning only)
    "regional_russian_questions": (0.86, 0.03),  # measured 88.2%, wrong 2.2% (tuning only)
    "classroom_questions": (0.85, 0.045),   # measured 87.2%, wrong 3.8% (tuning only)
    "adversarial_questions": (0.80, 0.06),  # measured 82.5%, wrong 5.2% (tuning only)
    "news_channel_questions": (0.86, 0.045),  # measured 88.8%, wrong 4.0% (tuning only)
    "professional_questions": (0.79, 0.03),   # measured 81.2%, wrong 2.0% (tuning only)
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


@pytest.mark.parametrize("name", ["near_misses", "more_questions", "fresh_questions",
                                  "regional_chat_questions", "careful_reader_questions",
                                  "student_questions", "group_chat_questions",
                                  "everyday_questions", "regional_russian_questions",
                                  "classroom_questions", "adversarial_questions",
                                  "news_channel_questions", "professional_questions"])
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
