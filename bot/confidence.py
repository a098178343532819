"""How likely the best-matching entry is the right answer: a small logistic model.

The matcher ranks well (its first choice is right for about nine answerable questions
in ten) but its raw score is a poor judge of *whether* to answer.  This model weighs
the match's features into a probability; the engine answers only above a cut-off.
The coefficients are fitted on the tuning split plus the public dev set with
``python -m bot eval --fit`` (never on the held-out split); see docs/thresholds.md.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

FEATURES = ("score", "fuzz", "overlap", "coverage", "recall", "gap", "stray", "unknown",
            "agree", "length")

# Fitted by `python -m bot eval --fit tests/data/eval/*.yaml ../shared/eval/dev_questions.yaml`.
INTERCEPT = -5.688
COEFFICIENTS = {
    "score": 2.201,
    "fuzz": 2.650,
    "overlap": 2.572,
    "coverage": 0.259,
    "recall": 1.613,
    "gap": 0.319,
    "stray": -0.656,
    "unknown": -1.426,
    "agree": 1.573,
    "length": 0.852,
}


def probability(features: dict[str, float], intercept: float = INTERCEPT,
                coefficients: dict[str, float] | None = None) -> float:
    """The model's probability that the match is right."""
    coefficients = COEFFICIENTS if coefficients is None else coefficients
    z = intercept + sum(coefficients[name] * features[name] for name in FEATURES)
    return 1 / (1 + math.exp(-max(min(z, 40), -40)))


def fit(samples: Sequence[tuple[dict[str, float], bool]], *, l2: float = 0.001,
        iterations: int = 8000, rate: float = 1.0) -> tuple[float, dict[str, float]]:
    """Fit the intercept and coefficients by gradient descent on the log-loss."""
    rows = [[f[name] for name in FEATURES] for f, _ in samples]
    labels = [1.0 if right else 0.0 for _, right in samples]
    weights = [0.0] * len(FEATURES)
    intercept = 0.0
    n = len(rows)
    for _ in range(iterations):
        grad = [0.0] * len(FEATURES)
        grad_intercept = 0.0
        for row, label in zip(rows, labels, strict=True):
            z = intercept + sum(w * x for w, x in zip(weights, row, strict=True))
            error = 1 / (1 + math.exp(-max(min(z, 40), -40))) - label
            grad_intercept += error
            for j, x in enumerate(row):
                grad[j] += error * x
        intercept -= rate * grad_intercept / n
        weights = [w - rate * (g / n + l2 * w) for w, g in zip(weights, grad, strict=True)]
    return intercept, dict(zip(FEATURES, weights, strict=True))
