"""Reference vectors for the indicators added to gauntlet-indicators for the building blocks (#29).

Run from the repository root, in a virtual environment with the pinned libraries (Python 3.12+):

    python3.12 -m venv target/reference-venv
    target/reference-venv/bin/pip install -r scripts/reference/indicator-requirements.txt
    target/reference-venv/bin/python scripts/reference/indicator_vectors.py

Writes crates/indicators/tests/reference/indicator_vectors.json, which
crates/indicators/tests/reference_parity.rs reads. The run is deterministic: the same libraries give
the same file byte for byte.

Inputs (each case holds its OHLCV bars, so the Rust test needs nothing else):
- two windows of bundled real data, read from datasets/*.parquet (the bundled files; their source
  and licence are in datasets/catalog.toml and copied into each case): 300 bars of sp500-1d from
  2008-07-23 (the 2008 crash) and 300 bars of eurusd-1h from 2017-06-25 (prices near 1.1, volumes
  near 1e10);
- one synthetic series of 128 bars (seeded, made here) with the cases real data rarely has: stretches
  of flat bars (open = high = low = close) with and without volume, the first 8 among them, bars with zero volume, closes
  on the bar's high and low, an unchanged typical price with volume. It pins TA-Lib's choices where
  a formula divides by zero.

Each output names the library call that made it; null marks a bar where the library gives no value
(warm-up, or a rolling VWAP over a window without volume). Conventions:
- ADX, +DI, -DI: talib.ADX / PLUS_DI / MINUS_DI (Wilder 1978; TA-Lib's seeding: the DM and TR sums
  of the first period - 1 bars, then Wilder's S - S/n + x; unstable period 0).
- Stochastic: talib.STOCH with SMA smoothing of %K and %D (Lane); slow %K and %D.
- CCI: talib.CCI (Lambert 1980). Williams %R: talib.WILLR (Williams). MFI: talib.MFI (Quong &
  Soudack 1989). OBV: talib.OBV (Granville 1963; TA-Lib starts at the first bar's volume).
- Aroon: talib.AROON (Chande 1995) and talib.AROONOSC.
- Highest / lowest: talib.MAX / talib.MIN. Value n bars ago: pandas Series.shift(n).
- Keltner channel: pandas_ta.kc with its defaults mamode="ema", tr=True (TradingView's definition,
  after Keltner 1960 and Raschke): middle = EMA(close, n), band = EMA(true range, n), middle +/-
  scalar * band. pandas-ta computes both EMAs with TA-Lib's EMA when TA-Lib is installed (as here):
  the true range starts at the second bar, so the bands start one bar after the middle line; the
  middle line is recorded from the bar the bands start (before it, it is EMA(close, n), checked
  elsewhere).
- Rolling VWAP: pandas_ta.vwma(hlc3, volume, n) = SMA(typical price * volume, n) / SMA(volume, n),
  the volume-weighted average of the typical price (high + low + close) / 3 over the last n bars.

TA-Lib 0.8's EMA evaluates (x - ema) * k + ema with a fused multiply-add where the CPU has one
(its src/ta_func/ta_utility.h dispatches at load time), so EMA-based outputs (the Keltner bands) may
differ in the last bit between machines and from a plain evaluation. When this file was made,
gauntlet-indicators gave 20,572 of the 20,643 reference values to the bit and the rest within 3e-15
relative: a few Keltner band values (that fused multiply-add), and the rolling VWAP after the
synthetic window without volume (gauntlet sets its running sums to exactly 0 there; pandas-ta keeps
their rounding residue).
"""
import json
import math
import pathlib
import platform
import tomllib

import numpy as np
import pandas as pd
import pandas_ta
import pyarrow
import talib

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUT = ROOT / "crates" / "indicators" / "tests" / "reference" / "indicator_vectors.json"
FIELDS = ("open", "high", "low", "close", "volume")


def real_case(name, first, bars):
    catalog = tomllib.loads((ROOT / "datasets" / "catalog.toml").read_text())
    entry = next(d for d in catalog["dataset"] if d["name"] == name)
    frame = pd.read_parquet(ROOT / "datasets" / entry["file"]).iloc[first:first + bars]
    return {
        "dataset": name,
        "file": f"datasets/{entry['file']}",
        "bars": f"{first}..{first + bars} (zero-based, end exclusive)",
        "first_bar_open_utc": frame["ts"].iloc[0].isoformat(),
        "licence": entry["licence"],
        "source": entry["source"],
    }, {field: frame[field].to_numpy(dtype=float) for field in FIELDS}


def synthetic_case():
    rng = np.random.default_rng(29)
    opens, highs, lows, closes, volumes = [], [], [], [], []
    close = 50.0

    def bar(open_, high, low, close_, volume):
        opens.append(open_), highs.append(high), lows.append(low), closes.append(close_), volumes.append(volume)

    def walk(count, volume=True):
        nonlocal close
        for _ in range(count):
            open_ = close
            close = round(open_ * (1 + rng.normal(0, 0.02)), 2)
            high = round(max(open_, close) * (1 + rng.uniform(0, 0.01)), 2)
            low = round(min(open_, close) * (1 - rng.uniform(0, 0.01)), 2)
            bar(open_, high, low, close, float(rng.integers(1, 1000)) if volume else 0.0)

    def flat(count, volume):
        for _ in range(count):
            bar(close, close, close, close, volume)

    flat(8, 300.0)     # starts flat: Wilder's true-range sum is exactly 0 for ADX(5)'s first DIs
    walk(30)
    flat(25, 0.0)      # flat, no volume: longer than every period used
    walk(10)
    flat(25, 500.0)    # flat with volume: the typical price does not move
    walk(8, volume=False)
    walk(4)
    for _ in range(6):  # closes on the bar's high, then on its low
        open_ = close
        close = round(open_ * 1.01, 2)
        bar(open_, close, open_, close, 100.0)
    for _ in range(6):
        open_ = close
        close = round(open_ * 0.99, 2)
        bar(open_, open_, close, close, 100.0)
    walk(6)
    provenance = {
        "dataset": "synthetic",
        "made_by": "synthetic_case() in scripts/reference/indicator_vectors.py, numpy default_rng(29)",
        "bars": f"{len(closes)}: 8 flat bars with volume, 30 random-walk bars, 25 flat bars without volume, 10 random-walk, 25 flat "
        "bars with volume, 8 random-walk without volume, 4 random-walk, 6 closing on the high, 6 closing "
        "on the low, 6 random-walk",
    }
    return provenance, {field: np.array(values) for field, values in
                        zip(FIELDS, (opens, highs, lows, closes, volumes))}


def outputs(bars):
    o, h, l, c, v = (bars[field] for field in FIELDS)
    out = {}

    def put(name, call, values):
        out[name] = {"reference": call, "values": values}

    for n in (5, 14):
        put(f"adx_{n}", f"talib.ADX(high, low, close, {n})", talib.ADX(h, l, c, n))
        put(f"plus_di_{n}", f"talib.PLUS_DI(high, low, close, {n})", talib.PLUS_DI(h, l, c, n))
        put(f"minus_di_{n}", f"talib.MINUS_DI(high, low, close, {n})", talib.MINUS_DI(h, l, c, n))
    for k, slow_k, d in ((14, 3, 3), (5, 3, 4)):
        slowk, slowd = talib.STOCH(h, l, c, k, slow_k, talib.MA_Type.SMA, d, talib.MA_Type.SMA)
        call = f"talib.STOCH(high, low, close, {k}, {slow_k}, SMA, {d}, SMA)"
        put(f"stochastic_{k}_{slow_k}_{d}_k", call + "[0]", slowk)
        put(f"stochastic_{k}_{slow_k}_{d}_d", call + "[1]", slowd)
    for n in (14, 20):
        put(f"cci_{n}", f"talib.CCI(high, low, close, {n})", talib.CCI(h, l, c, n))
    put("williams_r_14", "talib.WILLR(high, low, close, 14)", talib.WILLR(h, l, c, 14))
    put("mfi_14", "talib.MFI(high, low, close, volume, 14)", talib.MFI(h, l, c, v, 14))
    put("obv", "talib.OBV(close, volume)", talib.OBV(c, v))
    down, up = talib.AROON(h, l, 14)
    put("aroon_14_up", "talib.AROON(high, low, 14)[1]", up)
    put("aroon_14_down", "talib.AROON(high, low, 14)[0]", down)
    put("aroon_14_oscillator", "talib.AROONOSC(high, low, 14)", talib.AROONOSC(h, l, 14))
    put("highest_high_20", "talib.MAX(high, 20)", talib.MAX(h, 20))
    put("lowest_low_20", "talib.MIN(low, 20)", talib.MIN(l, 20))
    put("highest_close_10", "talib.MAX(close, 10)", talib.MAX(c, 10))
    put("lowest_close_10", "talib.MIN(close, 10)", talib.MIN(c, 10))
    put("close_5_bars_ago", "pandas.Series(close).shift(5)", pd.Series(c).shift(5).to_numpy())
    series = {name: pd.Series(values) for name, values in zip(FIELDS, (o, h, l, c, v))}
    for n, scalar in ((20, 2.0), (10, 1.5)):
        frame = pandas_ta.kc(series["high"], series["low"], series["close"], length=n, scalar=scalar)
        lower, middle, upper = (frame.iloc[:, i].to_numpy() for i in range(3))
        middle = np.where(np.isnan(upper), np.nan, middle)
        call = f"pandas_ta.kc(high, low, close, length={n}, scalar={scalar})"
        put(f"keltner_{n}_{scalar}_upper", call + " upper", upper)
        put(f"keltner_{n}_{scalar}_middle", call + " basis, from the first band", middle)
        put(f"keltner_{n}_{scalar}_lower", call + " lower", lower)
    typical = (series["high"] + series["low"] + series["close"]) / 3
    put("rolling_vwap_20", "pandas_ta.vwma(hlc3, volume, 20)",
        pandas_ta.vwma(typical, series["volume"], length=20).to_numpy())
    return out


def numbers(values):
    """One JSON array on one line; NaN and infinities as null. Python writes the shortest text that
    reads back as the same double, so the vectors are exact."""
    return json.dumps([None if not math.isfinite(x) else float(x) for x in values], separators=(",", ":"))


def main():
    cases = {
        "sp500-1d 2008-07-23, 300 bars": real_case("sp500-1d", 2150, 300),
        "eurusd-1h 2017-06-25, 300 bars": real_case("eurusd-1h", 3000, 300),
        "synthetic flat and zero-volume bars": synthetic_case(),
    }
    header = {
        "script": "scripts/reference/indicator_vectors.py",
        "python": platform.python_version(),
        "ta-lib": talib.__version__,
        "ta-lib C library": talib.__ta_version__.decode(),
        "pandas-ta": pandas_ta.version,
        "numpy": np.__version__,
        "pandas": pd.__version__,
        "pyarrow": pyarrow.__version__,
    }
    lines = ["{", f' "generated_by": {json.dumps(header)},', ' "cases": {']
    for case_index, (name, (provenance, bars)) in enumerate(cases.items()):
        lines.append(f"  {json.dumps(name)}: {{")
        lines.append(f'   "provenance": {json.dumps(provenance)},')
        lines.append('   "inputs": {')
        lines.append(",\n".join(f"    {json.dumps(f)}: {numbers(bars[f])}" for f in FIELDS))
        lines.append("   },")
        lines.append('   "outputs": {')
        lines.append(",\n".join(
            f'    {json.dumps(key)}: {{"reference": {json.dumps(item["reference"])}, "values": {numbers(item["values"])}}}'
            for key, item in outputs(bars).items()))
        lines.append("   }")
        lines.append("  }" + ("," if case_index + 1 < len(cases) else ""))
    lines.append(" }")
    lines.append("}")
    text = "\n".join(lines) + "\n"
    json.loads(text)  # well formed
    OUT.write_text(text)
    print(f"wrote {OUT.relative_to(ROOT)} ({len(text)} bytes)")


if __name__ == "__main__":
    main()
