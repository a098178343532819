"""Timing calls: per-call latencies with ``perf_counter_ns``, percentiles and throughput."""

from __future__ import annotations

import gc
import math
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Latency:
    """Per-call latency figures of one method over many calls."""

    calls: int
    p50_ms: float
    p99_ms: float
    per_second: float  # calls per second of busy time, one after another


def percentile(samples: Sequence[float], share: float) -> float:
    """The nearest-rank percentile (``share`` in 0..1) of ``samples``."""
    ordered = sorted(samples)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


def summarise(samples_ns: Sequence[int]) -> Latency:
    """Latency figures from per-call durations in nanoseconds."""
    total_s = sum(samples_ns) / 1e9
    return Latency(len(samples_ns), percentile(samples_ns, 0.50) / 1e6,
                   percentile(samples_ns, 0.99) / 1e6,
                   len(samples_ns) / total_s if total_s else math.inf)


def time_methods(methods: dict[str, Callable[[str], object]], questions: Sequence[str], *,
                 rounds: int, budget_s: float = math.inf, warmup: int = 1,
                 label: str = "") -> dict[str, Latency]:
    """Time every method on every question, ``rounds`` times, interleaving the methods.

    Interleaving by round spreads any drift of the machine (another process, frequency
    scaling) over all methods alike.  After at least two rounds, stops early when
    ``budget_s`` of wall time is spent.
    """
    for _ in range(warmup):
        for call in methods.values():
            for question in questions:
                call(question)
    samples: dict[str, list[int]] = {name: [] for name in methods}
    started = time.perf_counter()
    clock = time.perf_counter_ns
    for done in range(1, rounds + 1):
        for name, call in methods.items():
            bucket = samples[name]
            gc.collect()
            for question in questions:
                t0 = clock()
                call(question)
                bucket.append(clock() - t0)
        if label:
            print(f"\r  {label}: round {done}/{rounds}", end="", file=sys.stderr, flush=True)
        if done >= 2 and time.perf_counter() - started > budget_s:
            break
    if label:
        print(file=sys.stderr)
    return {name: summarise(bucket) for name, bucket in samples.items()}
