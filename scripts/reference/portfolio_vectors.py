#!/usr/bin/env python3
"""Reference figures for gauntlet-stats' portfolio of champions (#33): daily returns from an equity
curve, members on different calendars aligned, their correlation matrix, the greedy selection
under a maximum correlation, equal and inverse-volatility weights and the buy-and-hold portfolio's
daily returns, written to crates/stats/tests/reference/portfolio_vectors.json.

Run:  python3 -m venv /tmp/venv && /tmp/venv/bin/pip install -r scripts/reference/portfolio-requirements.txt
      /tmp/venv/bin/python scripts/reference/portfolio_vectors.py

Members: daily returns of simple rules on the bundled daily datasets, each on its own market's
calendar and over its own span: a 50-day moving-average trend rule (long after a close above the
average of the 50 closes up to it, flat otherwise) on AAPL, AMD, BAC, CVX (New York calendar), AZN
(London calendar) and BTC/USD (every day); AAPL held throughout; a one-day reversal rule on AAPL
(long after a down day); and a member that never trades. The figures, made with pandas and numpy
as documented in crates/stats/src/portfolio.rs:
- alignment: `pd.concat(members, axis=1)` (the union of the days), cut to the span all members
  cover (latest first day to earliest last day), missing days filled with 0;
- correlation: `DataFrame.corr()` (Pearson), checked here against `numpy.corrcoef`;
- selection: greedy by fitness (the annualised Sharpe ratio of each member on its own days, 0 for
  the member that never trades), written here from the documentation, not from the Rust code;
- inverse volatility: `1 / aligned.std(ddof=1)`, normalised;
- portfolio: buy-and-hold, `V = (weights * (1 + aligned).cumprod()).sum(axis=1)`, the daily return
  `V / V.shift(1) - 1` with `V_0 = 1`;
- daily returns from equity: the first 1,000 closes of the bundled Bitstamp BTC/USD hourly bars as an
  equity curve, `equity.resample("1D").last().dropna()`, each day's return against the day before,
  the first against the starting equity (the first bar's open).
"""
import json
import math
import pathlib
import sys

import numpy as np
import pandas as pd
import pyarrow

root = pathlib.Path(__file__).resolve().parents[2]


def closes(name):
    frame = pd.read_parquet(root / f"datasets/{name}.parquet").set_index("ts")
    frame.index = frame.index.tz_convert(None)
    return frame["close"]


def trend(close):
    """Long on day t when close[t-1] is above the mean of closes t-50..t-1: no lookahead."""
    average = close.rolling(50).mean()
    position = (close > average).astype(float).shift(1)
    return (position * close.pct_change()).dropna()


def reversal(close):
    daily = close.pct_change()
    position = (daily < 0).astype(float).shift(1)
    return (position * daily).dropna()


def span(series, start, end):
    return series.loc[start:end]


aapl = closes("aapl-close-1d")
members = [
    ("AAPL trend", span(trend(aapl), "2018-03-01", "2019-06-28")),
    ("AMD trend", span(trend(closes("amd-close-1d")), "2018-01-02", "2019-06-28")),
    ("BAC trend", span(trend(closes("bac-close-1d")), "2018-01-02", "2019-05-31")),
    ("CVX trend", span(trend(closes("cvx-close-1d")), "2018-01-02", "2019-06-28")),
    ("AZN London trend", span(trend(closes("azn-l-1d")), "2018-01-01", "2019-06-30")),
    ("BTC/USD trend, every day", span(trend(closes("btcusd-1d-bitstamp")), "2018-02-01", "2019-07-31")),
    ("AAPL held", span(aapl.pct_change().dropna(), "2018-01-02", "2019-06-28")),
    ("AAPL reversal", span(reversal(aapl), "2018-01-02", "2019-06-28")),
]
flat = span(trend(aapl), "2017-06-01", "2019-12-31") * 0.0
members.append(("never trades", flat))


def sharpe(returns):
    deviation = returns.std(ddof=1)
    if not deviation > 0:
        return 0.0
    return float(returns.mean() / deviation * math.sqrt(252.0))


fitness = [sharpe(series) for _, series in members]

frame = pd.concat([series.rename(name) for name, series in members], axis=1, sort=True)
start = max(series.index[0] for _, series in members)
end = min(series.index[-1] for _, series in members)
aligned = frame.loc[start:end].fillna(0.0)
correlation = aligned.corr()
with np.errstate(invalid="ignore"):  # the member that never trades: 0 / 0
    numpy_correlation = np.corrcoef(aligned.to_numpy().T)
varies = aligned.std(ddof=1).to_numpy() > 0
for i in range(len(members)):
    for j in range(len(members)):
        if varies[i] and varies[j]:
            assert abs(correlation.iat[i, j] - numpy_correlation[i, j]) < 1e-14


def select(fitness, correlation, bound, max_members):
    """Greedy by fitness as crates/stats/src/portfolio.rs documents it."""
    order = sorted(range(len(fitness)), key=lambda i: (-fitness[i], i))
    taken, decisions = [], [None] * len(fitness)
    for candidate in order:
        if math.isnan(fitness[candidate]):
            decisions[candidate] = {"decision": "no_fitness"}
        elif math.isnan(correlation[candidate][candidate]):
            decisions[candidate] = {"decision": "no_variation"}
        elif len(taken) == max_members:
            decisions[candidate] = {"decision": "portfolio_full"}
        else:
            closest = None
            for member in taken:
                value = correlation[candidate][member]
                if closest is None or value > closest[1]:
                    closest = (member, value)
            if closest is not None and closest[1] > bound:
                decisions[candidate] = {
                    "decision": "too_correlated",
                    "with": closest[0],
                    "correlation": closest[1],
                }
            else:
                taken.append(candidate)
                decisions[candidate] = {"decision": "selected", "position": len(taken) - 1}
    return taken, decisions


matrix = [
    [float(correlation.iat[i, j]) if varies[i] and varies[j] else float("nan") for j in range(len(members))]
    for i in range(len(members))
]
for i in range(len(members)):
    if varies[i]:
        matrix[i][i] = 1.0


def portfolio(chosen, weights):
    growth = (1.0 + aligned.iloc[:, chosen]).cumprod()
    value = (growth * np.asarray(weights)).sum(axis=1)
    previous = value.shift(1).fillna(1.0)
    return (value / previous - 1.0).tolist()


selections = []
for bound, max_members in [(0.5, 9), (0.2, 9), (0.1, 9), (0.0, 9), (0.5, 3), (1.0, 9), (-1.0, 9)]:
    taken, decisions = select(fitness, matrix, bound, max_members)
    volatility = aligned.iloc[:, taken].std(ddof=1).to_numpy()
    inverse = (1.0 / volatility) / (1.0 / volatility).sum()
    equal = np.full(len(taken), 1.0 / len(taken))
    selections.append(
        {
            "max_correlation": bound,
            "max_members": max_members,
            "members": taken,
            "decisions": decisions,
            "equal_weights": equal.tolist(),
            "equal_weight_returns": portfolio(taken, equal),
            "inverse_volatility_weights": inverse.tolist(),
            "inverse_volatility_returns": portfolio(taken, inverse),
        }
    )

hourly = pd.read_parquet(root / "datasets/btcusd-1h.parquet").iloc[:1000].set_index("ts")
hourly.index = hourly.index.tz_convert(None)
start_equity = float(hourly["open"].iloc[0])
daily_close = hourly["close"].resample("1D").last().dropna()
daily_returns = (daily_close / daily_close.shift(1).fillna(start_equity) - 1.0).tolist()


def millis(index):
    return (index.as_unit("ms").asi8).tolist()


def number(value):
    return None if isinstance(value, float) and math.isnan(value) else value


out = {
    "generated_by": {
        "script": "scripts/reference/portfolio_vectors.py",
        "python": sys.version.split()[0],
        "pandas": pd.__version__,
        "numpy": np.__version__,
        "pyarrow": pyarrow.__version__,
    },
    "members": [
        {"name": name, "days_ms": millis(series.index), "returns": series.tolist()}
        for name, series in members
    ],
    "fitness": fitness,
    "aligned": {"days_ms": millis(aligned.index), "returns": [aligned[name].tolist() for name, _ in members]},
    "correlation": [[number(value) for value in row] for row in matrix],
    "selections": selections,
    "equity_to_daily": {
        "dataset": "datasets/btcusd-1h.parquet",
        "bars": 1000,
        "start_equity": start_equity,
        "timestamps_ms": millis(hourly.index),
        "equity": hourly["close"].tolist(),
        "days_ms": millis(daily_close.index),
        "returns": daily_returns,
    },
}
path = root / "crates/stats/tests/reference/portfolio_vectors.json"
path.write_text(json.dumps(out, separators=(",", ":"), allow_nan=False) + "\n")
print(f"wrote {path}: {len(members)} members, {len(aligned)} common days")
for selection in selections:
    print(selection["max_correlation"], selection["max_members"], selection["members"])
print([round(value, 3) for value in fitness])
