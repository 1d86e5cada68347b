"""Percentiles and rates for the report."""

from __future__ import annotations

import statistics
from collections.abc import Sequence


def percentile(samples: Sequence[float], fraction: float) -> float:
    if not samples:
        return float("nan")
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def summary_ms(samples: Sequence[float]) -> dict[str, float]:
    """p50/p95/p99/mean of durations given in seconds, in milliseconds."""
    return {
        "count": len(samples),
        "p50_ms": round(percentile(samples, 0.50) * 1000, 2),
        "p95_ms": round(percentile(samples, 0.95) * 1000, 2),
        "p99_ms": round(percentile(samples, 0.99) * 1000, 2),
        "mean_ms": round(statistics.fmean(samples) * 1000, 2) if samples else float("nan"),
    }
