#!/usr/bin/env python3
"""Reference figures for gauntlet-stats' data-snooping tests (White's Reality Check and Hansen's SPA
with the stationary bootstrap), written to crates/stats/tests/reference/data_snooping_vectors.json.

Run:  python3 -m venv /tmp/venv && /tmp/venv/bin/pip install arch==8.0.0
      /tmp/venv/bin/python scripts/reference/data_snooping_vectors.py

What arch 8.0.0's `arch.bootstrap.SPA` computes (read from its source, multiple_comparison.py):
- loss differentials d = benchmark losses - model losses (T x K; positive: the model did better);
- `_loss_diff_var`: the stationary bootstrap's closed-form variance of sqrt(T) * mean, with
  kappa(T, i) = (1 - i/T)(1 - q)^i + (i/T)(1 - q)^(T - i), q = 1 / block_size;
- `_valid_columns`: mean(d_k) >= -sqrt(var_k / T * 2 log log T) (relevant to the consistent p-value);
- each draw recentres the resampled means by max(mean, 0) (lower), by the mean where valid and 0
  elsewhere (consistent), by the mean (upper); the p-value is the share of draws whose largest
  recentred mean is strictly above the largest sample mean.
arch's `studentize` flag does not enter `SPA.compute` (the p-values are the same with it on or off,
checked below), so arch's p-values are the unstudentised test; its upper p-value is White's Reality
Check. The studentised figures (Hansen 2005: each mean divided by its standard error sqrt(var_k / T))
are computed here from arch's own bootstrap draws (the same index arrays SPA used, recorded from its
bootstrap) and arch's variance estimate.

Cases: a candidate that truly beats the benchmark; candidates that are all no better; long-only
moving-average filters on the S&P 500 (arch's bundled data) against buy-and-hold; candidates all
clearly worse than the benchmark (the largest mean is negative); and a small case whose every draw
(index arrays and each draw's maxima) is written out so the Rust test can replay it exactly.
Inputs are rounded to 10 significant digits before arch sees them, so the file holds exactly what
arch computed on.
"""
import json
import math
import pathlib
import sys

import arch
import arch.data.sp500
import numpy as np
import pandas as pd
import scipy
from arch.bootstrap import SPA, StationaryBootstrap

root = pathlib.Path(__file__).resolve().parents[2]
target = root / "crates/stats/tests/reference/data_snooping_vectors.json"
DRAWS = 10_000
SEED = 20260732


def rounded(values):
    return np.array([float(f"{value:.10g}") for value in np.ravel(values)]).reshape(np.shape(values))


def autocorrelated(generator, bars, candidates, rho, scales):
    """AR(1) noise with unit innovations times each candidate's scale."""
    shocks = generator.normal(size=(bars, candidates))
    series = np.empty_like(shocks)
    series[0] = shocks[0]
    for t in range(1, bars):
        series[t] = rho * series[t - 1] + shocks[t]
    return series * scales


def recorded_spa(benchmark, models, block_size, reps, seed):
    """arch's SPA with every draw's index array recorded from its own bootstrap."""
    spa = SPA(benchmark, models, block_size=block_size, reps=reps, seed=seed)
    indices = []
    original = spa.bootstrap.update_indices

    def recording():
        drawn = original()
        indices.append(np.array(drawn, copy=True))
        return drawn

    spa.bootstrap.update_indices = recording
    spa.compute()
    return spa, np.array(indices)


def studentized(spa, indices):
    """Hansen's studentised statistic and p-values on arch's draws and variance estimate."""
    d = spa._loss_diff
    t = d.shape[0]
    means = d.mean(0)
    variances = spa._loss_diff_var
    has_error = variances > 0
    scale = np.where(has_error, np.sqrt(t) / np.sqrt(np.where(has_error, variances, 1.0)), 0.0)
    valid = spa._valid_columns
    recentring = [np.maximum(means, 0.0), np.where(valid, means, 0.0), means]
    statistic = np.max((means * scale)[has_error])
    maxima = np.empty((len(indices), 3))
    unstudentized = np.empty((len(indices), 3))
    for b, index in enumerate(indices):
        resampled = d[index].mean(0)
        for way, mu in enumerate(recentring):
            maxima[b, way] = np.max(((resampled - mu) * scale)[has_error])
            unstudentized[b, way] = np.max(resampled - mu)
    return statistic, maxima, unstudentized


def case(name, note, benchmark, models, block_size, form, replay=False, reps=DRAWS):
    benchmark, models = rounded(benchmark), rounded(models)
    spa, indices = recorded_spa(benchmark, models, block_size, reps, SEED)
    same = SPA(benchmark, models, block_size=block_size, reps=reps, seed=SEED, studentize=False)
    same.compute()
    assert np.array_equal(same.pvalues.values, spa.pvalues.values), "studentize changed arch's p-values"
    statistic, maxima, unstudentized = studentized(spa, indices)
    # The recorded draws are the ones SPA used: their unstudentised maxima are arch's.
    assert np.allclose(unstudentized, np.max(spa._simulated_vals, 0), rtol=0, atol=1e-12)
    arch_p = spa.pvalues
    student_p = (maxima > statistic).mean(0)
    # arch's p-values over 10 more seeds: a steadier figure to report beside the one above.
    steadier = []
    for extra in range(1, 11):
        other = SPA(benchmark, models, block_size=block_size, reps=reps, seed=SEED + extra)
        other.compute()
        steadier.append(other.pvalues.values)
    steadier = np.mean(steadier, axis=0)
    means = spa._loss_diff.mean(0)
    entry = {
        "name": name,
        "note": note,
        "form": form,
        "block_size": block_size,
        "bars": int(spa.t),
        "candidates": int(spa.k),
        "benchmark": benchmark.tolist(),
        "models": models.T.tolist(),
        "expected": {
            "means": means.tolist(),
            "variances": spa._loss_diff_var.tolist(),
            "relevant": [bool(v) for v in spa._valid_columns],
            "unstudentized_statistic": float(np.max(means)),
            "best_candidate": int(np.argmax(means)),
            "studentized_statistic": float(statistic),
            "arch_draws": reps,
            "arch_seed": SEED,
            "arch_pvalues": {k: float(v) for k, v in arch_p.items()},
            "arch_pvalues_mean_of_10_more_seeds": dict(zip(["lower", "consistent", "upper"], map(float, steadier))),
            "studentized_pvalues": dict(zip(["lower", "consistent", "upper"], map(float, student_p))),
        },
    }
    if replay:
        entry["replay"] = {
            "indices": indices.tolist(),
            "unstudentized_maxima": unstudentized.tolist(),
            "studentized_maxima": maxima.tolist(),
        }
    print(
        f"{name}: arch {dict(arch_p)} studentised {student_p} "
        f"max mean {np.max(means):.3g}"
    )
    return entry


generator = np.random.default_rng(SEED)
cases = []

# 1. One candidate truly beats the benchmark (by 0.6 of its noise's scale a bar); 29 others do not.
bars, k = 500, 30
scales = np.linspace(0.5, 2.0, k)
noise = autocorrelated(generator, bars, k, 0.3, scales)
benchmark = generator.normal(0.0, 1.0, bars)
edge = np.zeros(k)
edge[7] = 0.6 * scales[7]
edge[k // 2 :] = -0.1 * scales[k // 2 :]
cases.append(
    case(
        "best candidate beats the benchmark",
        "losses; candidate 7 has mean loss 0.6 of its scale below the benchmark's",
        benchmark,
        benchmark[:, None] - edge + noise,
        10,
        "losses",
    )
)

# 2. No candidate beats the benchmark: 15 equal to it in mean, 15 worse.
noise = autocorrelated(generator, bars, k, 0.3, scales)
benchmark = generator.normal(0.0, 1.0, bars)
edge = np.zeros(k)
edge[k // 2 :] = -0.1 * scales[k // 2 :]
cases.append(
    case(
        "no candidate beats the benchmark",
        "losses; 15 candidates as good as the benchmark in mean, 15 worse",
        benchmark,
        benchmark[:, None] - edge + noise,
        10,
        "losses",
    )
)

# 3. Long-only moving-average filters on the S&P 500 against buy-and-hold (returns).
prices = arch.data.sp500.load()["Adj Close"].to_numpy()
returns = prices[1:] / prices[:-1] - 1.0
window = 750
strategies = []
for period in range(10, 210, 10):
    average = pd.Series(prices).rolling(period).mean().to_numpy()
    position = (prices > average).astype(float)[:-1]  # decided at bar t's close, held over t+1
    strategies.append(position * returns)
strategies = np.array(strategies).T[-window:]
market = returns[-window:]
cases.append(
    case(
        "moving-average filters against buy-and-hold",
        "returns (losses given to arch as minus returns); S&P 500 adjusted closes, arch.data.sp500, "
        "the last 750 daily returns to 2018-12-31; candidates hold the index over bar t+1 when "
        "bar t's close is above its SMA(10, 20, ..., 200)",
        -market,
        -strategies,
        int(np.sqrt(window)),
        "returns",
    )
)

# 4. Every candidate clearly worse (the largest mean is negative).
bars, k = 300, 10
scales = np.linspace(0.8, 1.5, k)
noise = autocorrelated(generator, bars, k, 0.2, scales)
benchmark = generator.normal(0.0, 1.0, bars)
cases.append(
    case(
        "every candidate clearly worse",
        "losses; every candidate's mean loss 0.4 of its scale above the benchmark's",
        benchmark,
        benchmark[:, None] + 0.4 * scales + noise,
        5,
        "losses",
    )
)

# 5. A small case whose every draw is written out.
bars, k = 60, 5
scales = np.array([0.5, 1.0, 1.5, 2.0, 3.0])
noise = autocorrelated(generator, bars, k, 0.4, scales)
benchmark = generator.normal(0.0, 1.0, bars)
edge = np.array([0.3, 0.0, -0.2, 0.1, -1.5])
cases.append(
    case(
        "replayed draws",
        "losses; 200 draws whose index arrays and maxima are written out",
        benchmark,
        benchmark[:, None] - edge + noise,
        4,
        "losses",
        replay=True,
        reps=200,
    )
)

out = {
    "generated_by": {
        "script": "scripts/reference/data_snooping_vectors.py",
        "python": sys.version.split()[0],
        "arch": arch.__version__,
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "pandas": pd.__version__,
    },
    "conventions": "models[k] is candidate k's series (losses, or minus returns for the returns case); "
    "arch's loss differential is benchmark - models[k]; means are per bar; variances are arch's "
    "_loss_diff_var; studentized_* use arch's draws and variances with Hansen's t = sqrt(T) mean / "
    "sqrt(variance); maxima per draw are lower, consistent, upper.",
    "cases": cases,
}
target.write_text(json.dumps(out, separators=(",", ":")) + "\n")
print(f"wrote {target} ({target.stat().st_size} bytes)")
