#!/usr/bin/env python3
"""Reference figures for gauntlet-stats' one-sample Kolmogorov-Smirnov test against the uniform
distribution, written to crates/stats/tests/reference/kolmogorov_smirnov_vectors.json.

Run:  python3 -m venv /tmp/venv && /tmp/venv/bin/pip install scipy==1.17.1
      /tmp/venv/bin/python scripts/reference/kolmogorov_smirnov_vectors.py

For each sample: scipy.stats.kstest(sample, "uniform") with method="approx" (twice the exact
one-sided p-value, what gauntlet-stats computes) and with the default method="auto" (the exact
two-sided distribution for up to 10,000 values), statistic and p-value.
Samples: uniform draws of 20, 50, 100 and 1,000 values; Beta(2, 1) and Beta(1.3, 1) draws (not
uniform); permutation-test p-values (k / 100, with ties) from uniform and from too-small draws; a
sample with values outside [0, 1].
"""
import json
import pathlib
import sys

import numpy as np
import scipy
from scipy import stats

root = pathlib.Path(__file__).resolve().parents[2]
target = root / "crates/stats/tests/reference/kolmogorov_smirnov_vectors.json"
generator = np.random.default_rng(32)

samples = [
    ("uniform, 20 values", generator.uniform(size=20)),
    ("uniform, 50 values", generator.uniform(size=50)),
    ("uniform, 100 values", generator.uniform(size=100)),
    ("uniform, 1000 values", generator.uniform(size=1000)),
    ("Beta(2, 1), 50 values", generator.beta(2.0, 1.0, size=50)),
    ("Beta(1.3, 1), 200 values", generator.beta(1.3, 1.0, size=200)),
    (
        "permutation p-values (1 + k) / 100 from uniform, 60 values",
        (1 + np.floor(generator.uniform(size=60) * 99)) / 100,
    ),
    (
        "permutation p-values skewed low, 60 values",
        (1 + np.floor(generator.uniform(size=60) ** 1.6 * 99)) / 100,
    ),
    ("values outside [0, 1], 10 values", np.linspace(-0.2, 1.3, 10)),
]

cases = []
for name, sample in samples:
    sample = [float(f"{value:.12g}") for value in sample]
    approx = stats.kstest(sample, "uniform", method="approx")
    exact = stats.kstest(sample, "uniform")
    cases.append(
        {
            "name": name,
            "sample": sample,
            "statistic": float(approx.statistic),
            "pvalue_approx": float(approx.pvalue),
            "statistic_exact": float(exact.statistic),
            "pvalue_exact": float(exact.pvalue),
        }
    )
    print(f"{name}: D {approx.statistic:.5f} approx {approx.pvalue:.6g} exact {exact.pvalue:.6g}")

out = {
    "generated_by": {
        "script": "scripts/reference/kolmogorov_smirnov_vectors.py",
        "python": sys.version.split()[0],
        "scipy": scipy.__version__,
        "numpy": np.__version__,
    },
    "cases": cases,
}
target.write_text(json.dumps(out, indent=1) + "\n")
print(f"wrote {target}")
