"""Reference vectors for gauntlet-indicators, computed by TA-Lib (and pandas for realised volatility).

Run from the repository root (needs: pip install ta-lib==0.8.2 pandas pyarrow):

    python3 crates/indicators/tests/reference/generate_talib.py

Writes talib_vectors.json next to this script: for each input series (the first 400 bars of the bundled
S&P 500 daily data and the whole bundled BTCUSD 2021 daily data), the OHLC inputs and each indicator's
output, null where TA-Lib gives no value (warm-up).

Conventions checked (each one TA-Lib's, except where said):
- SMA, EMA (seeded with the SMA of the first `period` values, k = 2 / (period + 1)), RSI (Wilder), ATR
  (Wilder, first value the mean of the first `period` true ranges), BBANDS (SMA middle, population
  standard deviation), STDDEV (population), MAX/MIN (Donchian channel), ROCP (rate of change as a
  fraction).
- MACD is built from TA-Lib's EMA: line = EMA(fast) - EMA(slow), signal = EMA(signal) of the line from
  its first value. TA-Lib's own MACD function seeds the fast EMA late (so both EMAs start on the same
  bar), which no streaming implementation reproduces; the building blocks are the standard definition.
- z-score = (close - SMA(n)) / STDDEV(n) from TA-Lib's SMA and STDDEV.
- Realised volatility = pandas close.pct_change().rolling(n).std() (sample standard deviation, ddof = 1,
  of simple returns, per bar, not annualised).
"""
import json
import math
import pathlib

import numpy as np
import pandas as pd
import pyarrow
import talib

ROOT = pathlib.Path(__file__).resolve().parents[4]
OUT = pathlib.Path(__file__).with_name("talib_vectors.json")


def clean(values):
    return [None if (v is None or (isinstance(v, float) and math.isnan(v))) else float(v) for v in values]


def load(name, bars=None):
    frame = pd.read_parquet(ROOT / "datasets" / f"{name}.parquet")
    if bars:
        frame = frame.iloc[:bars]
    return frame


def vectors(frame):
    o, h, l, c = (frame[k].to_numpy(dtype=float) for k in ("open", "high", "low", "close"))
    out = {}
    for n in (2, 5, 20, 50):
        out[f"sma_{n}"] = talib.SMA(c, n)
    for n in (5, 20):
        out[f"ema_{n}"] = talib.EMA(c, n)
    for n in (2, 14):
        out[f"rsi_{n}"] = talib.RSI(c, n)
    out["atr_14"] = talib.ATR(h, l, c, 14)
    upper, middle, lower = talib.BBANDS(c, 20, 2.0, 2.0, 0)
    out["bollinger_20_2_upper"], out["bollinger_20_2_middle"], out["bollinger_20_2_lower"] = upper, middle, lower
    line = talib.EMA(c, 12) - talib.EMA(c, 26)
    first = int(np.argmax(~np.isnan(line)))
    signal = np.full_like(line, np.nan)
    signal[first:] = talib.EMA(line[first:], 9)
    out["macd_12_26_9_line"], out["macd_12_26_9_signal"], out["macd_12_26_9_histogram"] = line, signal, line - signal
    out["donchian_20_upper"], out["donchian_20_lower"] = talib.MAX(h, 20), talib.MIN(l, 20)
    out["roc_10"] = talib.ROCP(c, 10)
    out["stddev_20"] = talib.STDDEV(c, 20, 1.0)
    out["zscore_20"] = (c - talib.SMA(c, 20)) / talib.STDDEV(c, 20, 1.0)
    out["volatility_20"] = pd.Series(c).pct_change().rolling(20).std().to_numpy()
    return {
        "inputs": {"open": clean(o), "high": clean(h), "low": clean(l), "close": clean(c)},
        "outputs": {name: clean(values) for name, values in out.items()},
    }


document = {
    "generated_by": {
        "script": "crates/indicators/tests/reference/generate_talib.py",
        "ta-lib": talib.__version__,
        "numpy": np.__version__,
        "pandas": pd.__version__,
        "pyarrow": pyarrow.__version__,
    },
    "series": {
        "sp500-1d first 400 bars": vectors(load("sp500-1d", 400)),
        "btcusd-1d-2021": vectors(load("btcusd-1d-2021")),
    },
}
OUT.write_text(json.dumps(document, indent=1) + "\n")
print(f"wrote {OUT}")
