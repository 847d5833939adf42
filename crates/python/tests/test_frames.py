"""Frames in: pandas (index or column, naive or tz-aware), polars, yfinance and ccxt shapes, and
bad frames that must raise a GauntletError naming the column or row, never crash."""

from __future__ import annotations

import math
import os

import hypothesis.extra.pandas as hpd
import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import gauntlet
from conftest import REPOSITORY


def ohlcv(rows: int = 5, start: str = "2024-01-02") -> pd.DataFrame:
    """A small valid daily frame with a UTC DatetimeIndex; prices hand-made."""
    index = pd.date_range(start, periods=rows, freq="D", tz="UTC", name="ts")
    close = np.arange(rows, dtype=float) + 100.0
    return pd.DataFrame(
        {"open": close - 0.5, "high": close + 1.0, "low": close - 1.0, "close": close, "volume": 1000.0},
        index=index,
    )


def test_datasets_and_load() -> None:
    listing = gauntlet.datasets()
    assert "sp500-1d" in listing["name"].to_list()
    bars = gauntlet.load("sp500-1d")
    assert bars.columns == ["ts", "open", "high", "low", "close", "volume"]
    # The first S&P 500 bar of vega-datasets' file: 2000-01-03, close 1455.219971.
    assert bars["close"][0] == pytest.approx(1455.219971)
    assert bars["ts"][0].isoformat() == "2000-01-03T00:00:00+00:00"
    with pytest.raises(gauntlet.DataError, match="sp500"):
        gauntlet.load("sp500")


def test_yfinance_ticker_history_shape() -> None:
    # yf.Ticker("AAPL").history(period="5d"): a DatetimeIndex named Date in America/New_York,
    # columns Open High Low Close Volume (int64) Dividends "Stock Splits".
    index = pd.DatetimeIndex(
        ["2024-01-02", "2024-01-03", "2024-01-04"], name="Date"
    ).tz_localize("America/New_York")
    frame = pd.DataFrame(
        {
            "Open": [187.15, 184.22, 182.15],
            "High": [188.44, 185.88, 183.09],
            "Low": [183.89, 183.43, 180.88],
            "Close": [185.64, 184.25, 181.91],
            "Volume": np.array([82488700, 58414500, 71983600], dtype="int64"),
            "Dividends": 0.0,
            "Stock Splits": 0.0,
        },
        index=index,
    )
    bars = gauntlet.bars(frame, to="pandas")
    # Midnight in New York is 05:00 UTC in January.
    assert bars.index[0] == pd.Timestamp("2024-01-02T05:00:00Z")
    assert bars["close"].tolist() == [185.64, 184.25, 181.91]
    assert bars["volume"].tolist() == [82488700.0, 58414500.0, 71983600.0]


def test_yfinance_download_shape() -> None:
    # yf.download("AAPL MSFT") (yfinance >= 0.2.48): MultiIndex columns (Price, Ticker) and a
    # naive DatetimeIndex named Date; one ticker is frame.xs(ticker, axis=1, level="Ticker").
    index = pd.DatetimeIndex(["2024-01-02", "2024-01-03"], name="Date")
    columns = pd.MultiIndex.from_product(
        [["Close", "High", "Low", "Open", "Volume"], ["AAPL", "MSFT"]], names=["Price", "Ticker"]
    )
    values = np.array(
        [
            [185.64, 370.87, 188.44, 375.90, 183.89, 366.50, 187.15, 373.86, 82488700, 25258600],
            [184.25, 370.60, 185.88, 373.26, 183.43, 368.51, 184.22, 369.01, 58414500, 23083500],
        ]
    )
    download = pd.DataFrame(values, index=index, columns=columns)
    with pytest.raises(gauntlet.FrameError, match="MultiIndex"):
        gauntlet.bars(download)
    msft = gauntlet.bars(download.xs("MSFT", axis=1, level="Ticker"))
    assert msft["close"].to_list() == [370.87, 370.60]
    assert msft["ts"][0].isoformat() == "2024-01-02T00:00:00+00:00"  # naive read as UTC


def test_ccxt_fetch_ohlcv_shape() -> None:
    # exchange.fetch_ohlcv("BTC/USDT", "1d"): rows [ms, open, high, low, close, volume], usually
    # made a frame with these column names; the times are integer epoch milliseconds.
    rows = [
        [1704153600000, 44179.55, 45879.63, 44148.34, 44946.91, 65146.40],
        [1704240000000, 44946.91, 45500.00, 40750.00, 42845.23, 81194.55],
    ]
    frame = pd.DataFrame(rows, columns=["timestamp", "open", "high", "low", "close", "volume"])
    bars = gauntlet.bars(frame)
    assert bars["ts"].to_list()[1].isoformat() == "2024-01-03T00:00:00+00:00"
    assert gauntlet.bars(pl.DataFrame(frame))["close"].to_list() == [44946.91, 42845.23]


def test_close_only_and_polars_and_pyarrow() -> None:
    frame = ohlcv()[["close"]]
    bars = gauntlet.bars(frame)
    assert bars["open"].null_count() == len(frame)
    polars_frame = pl.from_pandas(ohlcv().reset_index())
    assert gauntlet.bars(polars_frame)["close"].to_list() == ohlcv()["close"].tolist()
    table = pa.Table.from_pandas(ohlcv().reset_index(), preserve_index=False)
    assert gauntlet.bars(table)["close"].to_list() == ohlcv()["close"].tolist()


@pytest.mark.parametrize(
    "break_it, pattern",
    [
        (lambda f: f.assign(close=[100.0, math.nan, 102.0, 103.0, 104.0]), r"column 'close'.*row 1"),
        (lambda f: f.iloc[[0, 2, 1, 3, 4]], r"bar 2.*not after"),
        (lambda f: f.iloc[[0, 1, 1, 3, 4]], r"bar 2.*not after"),
        (lambda f: f.drop(columns="close"), r"no close column"),
        (lambda f: f.drop(columns="high"), r"column 'high'"),
        (lambda f: f.assign(close=["100", "101", "x", "103", "104"]), r"column 'close'"),
        (lambda f: f.assign(close=pd.Series([100.0, "x", 2, None, 4], index=f.index, dtype=object)), r"column 'close'"),
        (lambda f: f.iloc[:0], r"no rows"),
        (lambda f: f.assign(low=f["high"] + 5), r"bar 0"),
        (lambda f: f.assign(close=-f["close"]), r"bar 0"),
        (lambda f: f.reset_index(drop=True), r"no time column"),
    ],
)
def test_bad_frames_raise_naming_the_column_or_row(break_it: object, pattern: str) -> None:
    frame = break_it(ohlcv())  # type: ignore[operator]
    with pytest.raises(gauntlet.FrameError, match=pattern):
        gauntlet.bars(frame)
    with pytest.raises(gauntlet.GauntletError, match=pattern):
        gauntlet.backtest(frame, REPOSITORY / "genomes" / "rsi-2-mean-reversion.json")


def test_not_a_frame() -> None:
    with pytest.raises(gauntlet.FrameError, match="expected a pandas or polars DataFrame"):
        gauntlet.bars([1, 2, 3])


columns = st.sampled_from(["ts", "open", "high", "low", "close", "volume", "Close", "date", "x"])
dtypes = st.sampled_from(["float64", "float32", "int64", "object", "datetime64[ns]", "bool", "str"])


@st.composite
def malformed_frames(draw: st.DrawFn) -> pd.DataFrame:
    rows = draw(st.integers(0, 8))
    names = draw(st.lists(columns, min_size=0, max_size=7))
    frame = pd.DataFrame(index=range(rows))
    for position, name in enumerate(names):
        dtype = draw(dtypes)
        values = draw(
            st.lists(
                st.one_of(
                    st.floats(allow_nan=True, allow_infinity=True),
                    st.integers(-(2**63), 2**63 - 1),
                    st.text(max_size=3),
                    st.none(),
                    st.datetimes(),
                ),
                min_size=rows,
                max_size=rows,
            )
        )
        try:
            series = pd.Series(values, dtype=dtype)
        except (TypeError, ValueError, OverflowError):
            series = pd.Series(values, dtype=object)
        frame.insert(position, name, series, allow_duplicates=True)
    if rows and draw(st.booleans()):
        index = draw(st.lists(st.datetimes(), min_size=rows, max_size=rows))
        frame.index = pd.DatetimeIndex(index, tz=draw(st.sampled_from([None, "UTC", "Asia/Tokyo"])))
    return frame


# 5,000 in the acceptance run (about 9 minutes on a busy 2-core machine, nearly all of it
# hypothesis and pandas building frames); CI runs GAUNTLET_MALFORMED_FRAMES (default 300).
MALFORMED_FRAMES = int(os.environ.get("GAUNTLET_MALFORMED_FRAMES", "300"))


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@settings(max_examples=MALFORMED_FRAMES, deadline=None, suppress_health_check=list(HealthCheck))
@given(malformed_frames())
def test_random_malformed_frames_never_crash(frame: pd.DataFrame) -> None:
    try:
        gauntlet.bars(frame)
    except gauntlet.GauntletError as error:
        assert str(error)
