#!/usr/bin/env python3
"""Reference bars for gauntlet-data's resampling with shifted boundaries (`resample_with_offset`,
the shifted-bars test of #33), written to crates/data/tests/reference/resample_offset_vectors.json.

Run:  python3 -m venv /tmp/venv && /tmp/venv/bin/pip install -r scripts/reference/portfolio-requirements.txt
      /tmp/venv/bin/python scripts/reference/resample_offset_vectors.py

Input: the first 600 bars of the bundled datasets/btcusd-1h.parquet (Bitstamp BTC/USD hourly bars
from 2017-07-01 11:00 UTC), resampled by pandas with
`df.resample(rule, offset=offset, label="left", closed="left").agg(open first, high max, low min,
close last, volume sum)`, buckets without any bar dropped. pandas' default origin is the first
day's midnight (UTC, the index made zone-naive: pandas ignores `offset` for day rules on a
zoned index); for rules that divide a day (4h, 1D) its grid is the epoch's, which is the one
gauntlet uses (`BarInterval::floor`), so the two agree bar for bar.
"""
import json
import pathlib
import sys

import numpy as np
import pandas as pd
import pyarrow

root = pathlib.Path(__file__).resolve().parents[2]
BARS = 600
frame = pd.read_parquet(root / "datasets/btcusd-1h.parquet").iloc[:BARS].set_index("ts")
# UTC times without a zone: pandas ignores `offset` for day rules on a zoned index.
frame.index = frame.index.tz_convert(None)

cases = []
for rule, rule_hours, offsets in [("4h", 4, [0, 1, 2, 3]), ("1D", 24, [0, 6, 13])]:
    for offset in offsets:
        bars = (
            frame.resample(rule, offset=pd.Timedelta(hours=offset), label="left", closed="left")
            .agg({"open": "first", "high": "max", "low": "min", "close": "last", "volume": "sum"})
            .dropna(subset=["open"])
        )
        millis = (bars.index.as_unit("ms").asi8).tolist()
        cases.append(
            {
                "to_hours": rule_hours,
                "offset_hours": offset,
                "timestamps_ms": millis,
                "open": bars["open"].tolist(),
                "high": bars["high"].tolist(),
                "low": bars["low"].tolist(),
                "close": bars["close"].tolist(),
                "volume": bars["volume"].tolist(),
            }
        )

out = {
    "generated_by": {
        "script": "scripts/reference/resample_offset_vectors.py",
        "python": sys.version.split()[0],
        "pandas": pd.__version__,
        "numpy": np.__version__,
        "pyarrow": pyarrow.__version__,
    },
    "dataset": "datasets/btcusd-1h.parquet",
    "input_bars": BARS,
    "cases": cases,
}
path = root / "crates/data/tests/reference/resample_offset_vectors.json"
path.write_text(json.dumps(out, indent=1) + "\n")
print(f"wrote {path} ({len(cases)} cases)")
