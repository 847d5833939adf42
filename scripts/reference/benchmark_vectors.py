#!/usr/bin/env python3
"""Reference values of the benchmark-relative metrics (alpha, beta, information ratio, tracking
error) for gauntlet-stats' parity test, written to
crates/stats/tests/reference/benchmark_vectors.json.

Run:  python3 -m venv /tmp/venv && /tmp/venv/bin/pip install empyrical-reloaded==0.7.1
      /tmp/venv/bin/python scripts/reference/benchmark_vectors.py

Definitions (empyrical-reloaded 0.7.1, as quantopian empyrical 0.5.5):
- beta = cov(r, b) / var(b) (both ddof 0), `empyrical.beta`;
- alpha = (1 + mean(r - rf - beta (b - rf)))^annualization - 1, `empyrical.alpha`;
- information ratio = `empyrical.excess_sharpe` (mean(r - b) / std(r - b, ddof 1), per period)
  times sqrt(annualization), annualised like empyrical's Sharpe ratio;
- tracking error = std(r - b, ddof 1) * sqrt(annualization) (the standard definition; empyrical
  has no function of its own, its excess_sharpe divides by the per-period value).
Inputs: the strategy series A and B of the team's empyrical_vectors.json against (1) each other (A cut to B's length),
(2) seeded synthetic benchmarks, (3) a benchmark equal to the strategy (beta 1, tracking error 0),
(4) a constant benchmark (variance 0: beta undefined).
"""
import json
import math
import pathlib
import sys

import empyrical
import numpy as np

root = pathlib.Path(__file__).resolve().parents[2]
vectors = json.loads((root / "crates/stats/tests/reference/empyrical_vectors.json").read_text())
series_a = np.array(vectors["series"]["A"]["returns"], dtype=float)
series_b = np.array(vectors["series"]["B_first_return_negative"]["returns"], dtype=float)
generator = np.random.default_rng(20261130)


def synthetic_benchmark(strategy, beta, noise):
    """A benchmark correlated with the strategy: strategy / beta plus seeded noise."""
    return strategy / beta + generator.normal(0.0, noise, size=strategy.shape)


cases = [
    ("A's first returns vs B", series_a[: len(series_b)], series_b),
    ("B vs A's last returns", series_b, series_a[-len(series_b) :]),
    ("A vs synthetic (beta about 0.8)", series_a, synthetic_benchmark(series_a, 0.8, 0.004)),
    ("B vs synthetic (beta about 1.5)", series_b, synthetic_benchmark(series_b, 1.5, 0.01)),
    ("A vs itself", series_a, series_a.copy()),
    ("A vs a constant benchmark", series_a, np.full(series_a.shape, 0.0004)),
]

out = {
    "generated_by": {
        "script": "scripts/reference/benchmark_vectors.py",
        "python": sys.version.split()[0],
        "empyrical-reloaded": empyrical.__version__,
        "numpy": np.__version__,
    },
    "cases": [],
}


def number(value):
    value = float(value)
    return value if math.isfinite(value) else None


for name, strategy, benchmark in cases:
    results = {}
    for annualization in (252, 12):
        for risk_free in (0.0, 0.0001):
            key = f"annualization={annualization}, risk_free={risk_free}"
            alpha, beta = empyrical.alpha_beta(
                strategy, benchmark, risk_free=risk_free, annualization=annualization
            )
            active = strategy - benchmark
            results[key] = {
                "alpha": number(alpha),
                "beta": number(beta),
                "alpha()": number(
                    empyrical.alpha(strategy, benchmark, risk_free=risk_free, annualization=annualization)
                ),
                "beta()": number(empyrical.beta(strategy, benchmark, risk_free=risk_free)),
                "information_ratio": number(
                    empyrical.excess_sharpe(strategy, benchmark) * math.sqrt(annualization)
                ),
                "tracking_error": number(np.std(active, ddof=1) * math.sqrt(annualization)),
            }
    out["cases"].append(
        {"name": name, "returns": strategy.tolist(), "benchmark": benchmark.tolist(), "expected": results}
    )

target = root / "crates/stats/tests/reference/benchmark_vectors.json"
target.write_text(json.dumps(out, indent=1) + "\n")
print(f"wrote {target}")
