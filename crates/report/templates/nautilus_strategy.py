#!/usr/bin/env python3
"""{{ name }}: a Gauntlet strategy as a NautilusTrader Strategy.

Written by Gauntlet {{ gauntlet_version }} (`gauntlet export --format nautilus`) for NautilusTrader
{{ platform_version }} (CPython 3.11 to 3.13). Run it in NautilusTrader's backtester on bars of your own:

    python {{ file_name }} DATA.csv [--commission-bps N] [--spread-bps N] [--slippage-bps N]
        [--capital X] [--bars-per-year N] [--size-increment Q] [--trades-out FILE.csv]

DATA.csv has the columns timestamp (ISO 8601, UTC, or milliseconds since the epoch), open, high, low,
close (volume optional), as `gauntlet data export NAME --to DATA.csv` writes them. The trades are
written with `gauntlet backtest --trades-out`'s column names and ISO 8601 UTC times.
{% if gate == "failed" %}
!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!
!!! THIS CHAMPION FAILED GAUNTLET'S VALIDATION GATE: it was exported anyway, with --force.
!!! Its out-of-sample evidence does not support trading it. Failed checks:
{% for check in failed_checks %}!!!   - {{ check }}
{% endfor %}!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!
{% elif gate == "passed" %}
Validation gate: PASSED (the run's out-of-sample checks; see the run's report).
{% else %}
Validation gate: NOT CHECKED. This genome was not judged out of sample by a Gauntlet run; treat its
backtest figures as in-sample until it is.
{% endif %}
Rules: {{ rules_text }}
{% if provenance %}
Provenance:
{% for key, value in provenance %}    {{ key }}: {{ value }}
{% endfor %}{% endif %}
How it trades (Gauntlet's engine, in this order on each bar t):
 1. an order decided at bar t-1's close fills at bar t's open, moved against us by half the spread
    plus the slippage; commission is charged on the traded value of every fill;
 2. an open position's stop (the tighter of the stop-loss and an armed trailing stop) and then its
    take-profit are checked against the bar's range; a level gapped through fills at the open, a
    level inside the range fills at the level; the trailing stop's best price then takes in the bar;
 3. equity is marked at the close and the account risk limits are checked;
 4. exits and entries are decided on the close, from data up to bar t's close, to fill at t+1's open;
    an open position is closed at the last bar's close.

How GauntletStrategy does that in NautilusTrader (event by event, as in a live node):
 - on_bar (a bar closed): the indicators take the bar (computed bar by bar from the bars seen so
   far, in Gauntlet's arithmetic), the account marks equity, checks its limits and decides; resting
   stop and target orders are cancelled;
 - the first quote after a bar closed is the next bar's open: a decided entry or exit goes out as a
   market order; then a position whose stop or target lies beyond the open is closed at market, or
   its stop (STOP_MARKET) and target (LIMIT) are placed, reduce-only, for the bar;
 - on_order_filled: the account books each fill (and cancels the other protective order).
What NautilusTrader does differently, and how this module handles it:
{% for note in notes %} - {{ note }}
{% endfor %}
Paper and live trading (NOT TESTED HERE: no network where this was written): `ib_paper_node_config()`
and `bybit_testnet_node_config()` below build TradingNode configurations for an Interactive Brokers
paper account (TWS on port 7497, IB Gateway on 4002; needs `pip install nautilus_trader[ib]`) and
Bybit's testnet (BYBIT_TESTNET_API_KEY and BYBIT_TESTNET_API_SECRET in the environment);
`python {{ file_name }} --live ib-paper|bybit-testnet --instrument ID --bar-type TYPE` starts one.
"""

import argparse
import functools
import math
import os
import sys
from collections import deque
from decimal import ROUND_HALF_EVEN, Decimal

import numpy as np
import pandas as pd
from nautilus_trader.backtest.engine import BacktestEngine, BacktestEngineConfig
from nautilus_trader.config import LoggingConfig, StrategyConfig
from nautilus_trader.model.currencies import USD
from nautilus_trader.model.data import Bar, BarType, QuoteTick
from nautilus_trader.model.enums import AccountType, AssetClass, OmsType, OrderSide
from nautilus_trader.model.identifiers import InstrumentId, Symbol, Venue
from nautilus_trader.model.instruments import Cfd
from nautilus_trader.model.objects import QUANTITY_MAX, Money, Price, Quantity
from nautilus_trader.trading.strategy import Strategy

NAUTILUS_VERSION = "{{ platform_version }}"  # the version this module was verified with
NANOS_PER_DAY = 86_400_000_000_000
NANOS_PER_MILLI = 1_000_000
# Where the backtest runner stamps a bar: this many ns after its open (after the open's quotes).
BAR_STAMP_NS = 5

{% include "platform_common.py" %}

class GauntletConfig(StrategyConfig, frozen=True):
    """GauntletStrategy's settings: the instrument and bar type it trades, the trading conditions
    its ledger charges (basis points; capital in the quote currency), and two settings for backtests:
    `strict` stops the run when a fill differs from Gauntlet's rules, `last_bar_ns` (a bar's
    timestamp, nanoseconds) closes a position open at that bar's close, as Gauntlet does at the end
    of its data. `bar_open_offset_ns`: how far a bar's `ts_event` lies after the bar's open, which is
    Gauntlet's bar time (tf(...) in a formula groups bars into periods by it). None, NautilusTrader's
    convention (its time-bar aggregators and adapters such as Bybit's, with their default
    timestamp_on_close, stamp a bar at its close), takes the bar type's interval; the backtest
    runner stamps each bar 5 ns after its open and sets 5; an adapter that stamps bars at their open
    needs 0."""

    instrument_id: InstrumentId
    bar_type: BarType
    commission_bps: float = COMMISSION_BPS
    spread_bps: float = SPREAD_BPS
    slippage_bps: float = SLIPPAGE_BPS
    initial_capital: float = INITIAL_CAPITAL
    bars_per_year: float = BARS_PER_YEAR
    strict: bool = False
    last_bar_ns: int | None = None
    bar_open_offset_ns: int | None = None


@functools.lru_cache(maxsize=1 << 16)
def _price(value):
    """A NautilusTrader Price of precision 16 equal to `value` to 1e-16 (from its shortest decimal
    form: `Price(float, 16)` scales through a float and can be off by more)."""
    raw = Decimal(repr(value)).scaleb(16).to_integral_value(ROUND_HALF_EVEN)
    return Price.from_raw(int(raw), 16)


def _volume(value):
    """A bar's volume as a NautilusTrader Quantity of precision 16 equal to `value` to 1e-16 (as
    `_price`), for the formulas that read it; a volume that is not a number from 0 to NautilusTrader's
    largest quantity (QUANTITY_MAX, about 3.4e13) is clamped into that range (a strict backtest of a
    formula that reads it then stops: its values differ from those over the data)."""
    largest = math.floor(QUANTITY_MAX) - 1.0  # its raw form stays below NautilusTrader's raw limit
    value = float(value)
    value = min(max(value, 0.0), largest) if value == value else 0.0
    raw = Decimal(repr(value)).scaleb(16).to_integral_value(ROUND_HALF_EVEN)
    return Quantity.from_raw(int(raw), 16)


@functools.lru_cache(maxsize=1 << 16)
def _float(raw):
    """The float nearest a fixed-point value of 16 decimals (correctly rounded)."""
    return float(Decimal(raw).scaleb(-16))


def _value(price):
    """A Price as the float it was made from: its exact decimal value, correctly rounded (`as_double`
    can be an ulp off). NautilusTrader's high-precision build keeps 16 decimals for every precision."""
    return _float(price.raw)


class GauntletStrategy(Strategy):
    """{{ name }}: {{ rules_text | replace('"', "'") }}"""

    def __init__(self, config: GauntletConfig):
        super().__init__(config)
        self.rules = GenomeRules()
        self.account = GauntletAccount(
            config.commission_bps, config.spread_bps, config.slippage_bps,
            config.initial_capital, config.bars_per_year, strict=config.strict,
        )
        self.instrument = None
        self.awaiting_open = True  # the next quote is a bar's open
        self.open_price = NAN
        self.roles = {}  # client order id -> what the order is for (see `_send`)
        self.resting = False  # a stop or target order was placed for this bar
        self.reasons = {}  # client order id (text) of an exit -> Gauntlet's exit reason

    def on_start(self):
        self.instrument = self.cache.instrument(self.config.instrument_id)
        if self.instrument is None:
            self.log.error(f"no instrument {self.config.instrument_id} in the cache")
            self.stop()
            return
        self.subscribe_bars(self.config.bar_type)
        self.subscribe_quote_ticks(self.config.instrument_id)

    def resting_side(self):
        """+1 or -1: the side of a position whose stop or target rests at the venue now; 0 when none
        rests (the backtest runner reads it)."""
        position = self.account.position
        return 0 if position is None or not self.resting else position.sign

    # The open.

    def on_quote_tick(self, tick):
        if not self.awaiting_open:
            return
        self.awaiting_open = False
        self.open_price = (_value(tick.bid_price) + _value(tick.ask_price)) / 2.0
        order = self.account.open_bar(tick.ts_event // NANOS_PER_DAY)
        if order is None:
            self._after_open()
        elif order[0] == "entry":
            sign = order[1]
            quantity = self.account.entry_quantity(sign, self.open_price)
            if quantity is None or not self._send(("entry", sign, quantity), sign, quantity):
                self._after_open()
        else:
            self._send(("exit", order[1], True, self.open_price), -self.account.position.sign,
                       self.account.position.quantity)

    def _after_open(self):
        """The open's orders are done: exit a position whose level lies beyond the open, or place its
        stop and target for this bar."""
        self.account.opened()
        gap = self.account.gap_exit(self.open_price)
        position = self.account.position
        if position is None:
            return
        if gap is not None:
            self._send(("exit", gap[1], False, gap[0]), -position.sign, position.quantity)
            return
        (stop, target) = self.account.protective_orders()
        quantity = self._quantity(position.quantity)
        side = OrderSide.SELL if position.sign > 0 else OrderSide.BUY
        self.resting = stop is not None or target is not None
        if stop is not None:
            order = self.order_factory.stop_market(
                self.config.instrument_id, side, quantity, _price(stop[0]), reduce_only=True
            )
            self.roles[order.client_order_id] = ("exit", stop[1], False, stop[0])
            self.submit_order(order)
        if target is not None:
            order = self.order_factory.limit(
                self.config.instrument_id, side, quantity, _price(target), reduce_only=True
            )
            self.roles[order.client_order_id] = ("exit", "take_profit", False, target)
            self.submit_order(order)

    def _quantity(self, quantity):
        """Gauntlet's quantity rounded down to the instrument's size increment."""
        increment = Decimal(str(self.instrument.size_increment))
        steps = (Decimal(repr(quantity)) / increment).to_integral_value(rounding="ROUND_FLOOR")
        precision = self.instrument.size_precision
        return Quantity.from_str(f"{steps * increment:.{precision}f}")

    def _send(self, role, sign, quantity):
        """Sends a market order for `role`: ("entry", sign, Gauntlet's quantity) or ("exit", reason,
        at the open, price before costs). False when the quantity rounds to nothing."""
        rounded = self._quantity(quantity)
        if rounded.as_double() <= 0.0:
            if self.config.strict:
                self.account.diverged(
                    f"bar {self.account.bar}: {quantity!r} units round to none at the instrument's "
                    f"size increment {self.instrument.size_increment}"
                )
            self.log.warning(f"{role[0]} of {quantity!r} units rounds to none: not sent")
            return False
        order = self.order_factory.market(
            self.config.instrument_id,
            OrderSide.BUY if sign > 0 else OrderSide.SELL,
            rounded,
            reduce_only=role[0] == "exit",
        )
        self.roles[order.client_order_id] = role
        self.submit_order(order)
        return True

    # Fills.

    def on_order_filled(self, event):
        role = self.roles.pop(event.client_order_id, None)
        if role is None:
            return
        price = _value(event.last_px)
        if role[0] == "entry":
            _, sign, quantity = role
            self._check_price(price, self.open_price)
            self.account.filled_entry(sign, self.open_price, quantity)
            self._after_open()
            return
        _, reason, at_open, level = role
        self._check_price(price, level)
        self.reasons[event.client_order_id.value] = reason
        self.account.filled_exit(level, reason, at_open)
        if self.resting:
            self.cancel_all_orders(self.config.instrument_id)
            self.resting = False
        if at_open:
            self._after_open()

    def _check_price(self, price, expected):
        if self.config.strict and abs(price - expected) > 1e-9 * abs(expected):
            self.account.diverged(
                f"bar {self.account.bar}: filled at {price!r}, Gauntlet's price is {expected!r}"
            )

    def on_order_denied(self, event):
        self._refused(event)

    def on_order_rejected(self, event):
        self._refused(event)

    def _refused(self, event):
        role = self.roles.pop(event.client_order_id, None)
        if self.config.strict:
            self.account.diverged(f"bar {self.account.bar}: order refused: {event.reason}")
        self.log.warning(f"order refused ({event.reason}): {role}")
        if role is not None and (role[0] == "entry" or role[2]):
            self._after_open()

    # The close.

    def on_bar(self, bar):
        if bar.bar_type != self.config.bar_type:
            return
        offset = self.config.bar_open_offset_ns
        if offset is None:
            offset = bar.bar_type.spec.get_interval_ns()
        signals = self.rules.update(
            _value(bar.open), _value(bar.high), _value(bar.low), _value(bar.close), _float(bar.volume.raw),
            (bar.ts_event - offset) // NANOS_PER_MILLI,
        )
        if self.resting:
            self.cancel_all_orders(self.config.instrument_id)
            self.resting = False
        self.awaiting_open = True
        if self.account.bar < 0:
            return  # closed before the first open this strategy saw: indicators only
        last = self.config.last_bar_ns is not None and bar.ts_event >= self.config.last_bar_ns
        if self.account.close_bar(signals, last) == "end_of_data":
            position = self.account.position
            self._send(("exit", "end_of_data", True, signals.close), -position.sign, position.quantity)


# The backtest runner: NautilusTrader's BacktestEngine on a CSV of bars.


def bar_interval_ns(bars):
    """The bars' interval: the most common step between timestamps, nanoseconds."""
    steps = np.diff(bars.index.as_unit("ns").asi8)
    values, counts = np.unique(steps, return_counts=True)
    return int(values[np.argmax(counts)])


def _bar_spec(interval_ns):
    """NautilusTrader's bar specification text for an interval (`1-DAY`, `4-HOUR`, `15-MINUTE`)."""
    seconds = interval_ns // 1_000_000_000
    for unit, size in (("DAY", 86_400), ("HOUR", 3_600), ("MINUTE", 60), ("SECOND", 1)):
        if seconds % size == 0:
            return f"{seconds // size}-{unit}"
    raise ValueError(f"bars {interval_ns} ns apart have no NautilusTrader bar specification")


def _feed(bars, strategy, instrument_id, bar_type, size_precision):
    """The engine's data, one bar at a time: a quote at the open (bid = ask = the price), quotes at the
    bar's extremes, then the bar (and a quote at the last close, where Gauntlet closes a position
    left open). The extreme against the position comes first (the low for a long): Gauntlet's
    assumption that a bar reaching both its stop and its target reached the stop first. Without a
    resting stop or target, only the open and the bar (nothing could fill on the others). The chunks
    end one quote after an open, so each is made after that open's orders filled."""
    size = Quantity(10**12, size_precision)  # never the limit of a fill
    stamps = bars.index.as_unit("ns").asi8.tolist()
    opens, highs, lows, closes, volumes = (
        bars[column].tolist() for column in ("open", "high", "low", "close", "volume")
    )

    def quote(price, ns):
        return QuoteTick(instrument_id, price, price, size, size, ns, ns)

    last = len(stamps) - 1
    open_ = _price(opens[0])
    chunk = [quote(open_, stamps[0]), quote(open_, stamps[0] + 1)]
    for i, start in enumerate(stamps):
        yield chunk
        high, low, close = _price(highs[i]), _price(lows[i]), _price(closes[i])
        side = strategy.resting_side()
        chunk = []
        if side != 0:
            first, second = (low, high) if side > 0 else (high, low)
            chunk += [quote(first, start + 2), quote(second, start + 3)]
        if i == last:
            chunk.append(quote(close, start + 4))
        chunk.append(Bar(bar_type, open_, high, low, close, _volume(volumes[i]), start + BAR_STAMP_NS,
                         start + BAR_STAMP_NS))
        if i < last:
            open_ = _price(opens[i + 1])
            chunk += [quote(open_, stamps[i + 1]), quote(open_, stamps[i + 1] + 1)]
    yield chunk


def backtest(bars, commission_bps=COMMISSION_BPS, spread_bps=SPREAD_BPS, slippage_bps=SLIPPAGE_BPS,
             initial_capital=INITIAL_CAPITAL, bars_per_year=BARS_PER_YEAR, size_increment="0.000000001",
             strict=True):
    """Runs GauntletStrategy in NautilusTrader's BacktestEngine on `bars` (see `read_bars`): a
    simulated venue with a margin account, one CFD quoted to 16 decimals whose quantities step by
    `size_increment`, commission as its taker fee. Returns (trades, strategy): the venue's fills paired
    into trades (TRADE_COLUMNS, prices as filled, before Gauntlet's spread and slippage), and the
    strategy (its `account.trades` are Gauntlet's view)."""
    interval = bar_interval_ns(bars)
    venue = Venue("SIM")
    instrument_id = InstrumentId(Symbol("GAUNTLET"), venue)
    increment = Quantity.from_str(str(size_increment))
    fee = Decimal(repr(commission_bps)) / Decimal(10_000)
    instrument = Cfd(
        instrument_id, Symbol("GAUNTLET"), AssetClass.INDEX, USD, 16, increment.precision,
        Price.from_raw(1, 16), increment, 0, 0,
        margin_init=Decimal(0), margin_maint=Decimal(0), maker_fee=fee, taker_fee=fee,
    )
    bar_type = BarType.from_str(f"{instrument_id}-{_bar_spec(interval)}-LAST-EXTERNAL")
    engine = BacktestEngine(
        BacktestEngineConfig(logging=LoggingConfig(log_level="ERROR", bypass_logging=True))
    )
    try:
        engine.add_venue(
            venue, OmsType.NETTING, AccountType.MARGIN, [Money(initial_capital, USD)],
            base_currency=USD, default_leverage=Decimal(1), bar_execution=False,
        )
        engine.add_instrument(instrument)
        strategy = GauntletStrategy(
            GauntletConfig(
                instrument_id=instrument_id, bar_type=bar_type, commission_bps=commission_bps,
                spread_bps=spread_bps, slippage_bps=slippage_bps, initial_capital=initial_capital,
                bars_per_year=bars_per_year, strict=strict,
                last_bar_ns=int(bars.index.as_unit("ns").asi8[-1]) + BAR_STAMP_NS,
                bar_open_offset_ns=BAR_STAMP_NS,
            )
        )
        engine.add_strategy(strategy)
{% if formula %}        # The formulas over the data at once (each bar's value from the bars up to it); a strict run
        # recomputes them over the bars up to every 20th, as a live node does on each bar, and checks.
        strategy.rules.known_formulas(
            *(bars[column].to_numpy() for column in ("open", "high", "low", "close", "volume")),
            bars.index.as_unit("ms").asi8,
            FORMULA_CHECK_EVERY if strict else None, strategy.account.diverged,
        )
{% endif %}        engine.add_data_iterator("bars", _feed(bars, strategy, instrument_id, bar_type, increment.precision))
        engine.run()
        fills = engine.trader.generate_fills_report()
    finally:
        engine.dispose()
    if strategy.account.divergence is not None:
        raise DivergedError(strategy.account.divergence)
    return _trades(fills, bars, strategy.reasons), strategy


def _trades(fills, bars, reasons):
    """The venue's fills paired into round trips (a netting position goes from flat to flat)."""
    rows, open_trade, net = [], None, Decimal(0)
    stamps = bars.index.as_unit("ns").asi8
    if len(fills) == 0:
        return pd.DataFrame(rows, columns=TRADE_COLUMNS)
    fills = fills.sort_values("ts_event", kind="stable")
    for client_order_id, fill in fills.iterrows():
        quantity = Decimal(str(fill["last_qty"]))
        signed = quantity if fill["order_side"] == "BUY" else -quantity
        bar = bars.index[int(np.searchsorted(stamps, pd.Timestamp(fill["ts_event"]).value, side="right")) - 1]
        price = float(str(fill["last_px"]))
        if net == 0:
            open_trade = {
                "side": "long" if signed > 0 else "short", "entry_time": bar, "entry_price": price,
                "quantity": float(quantity),
            }
        net += signed
        if net == 0:
            open_trade.update(exit_time=bar, exit_price=price, exit_reason=reasons.get(str(client_order_id), ""))
            rows.append(open_trade)
            open_trade = None
    if open_trade is not None:
        open_trade.update(exit_time=None, exit_price=None, exit_reason="open")
        rows.append(open_trade)
    return pd.DataFrame(rows, columns=TRADE_COLUMNS)


# Live: example TradingNode configurations (NOT TESTED HERE: they need a network and accounts).


def ib_paper_node_config(port=7497, client_id=1, account_id=None):
    """A TradingNode configuration for an Interactive Brokers paper account through TWS (port 7497)
    or IB Gateway (port 4002) running on this machine. Needs `pip install "nautilus_trader[ib]"`."""
    from nautilus_trader.adapters.interactive_brokers.common import IB
    from nautilus_trader.adapters.interactive_brokers.config import (
        InteractiveBrokersDataClientConfig,
        InteractiveBrokersExecClientConfig,
        InteractiveBrokersInstrumentProviderConfig,
    )
    from nautilus_trader.config import LiveExecEngineConfig, TradingNodeConfig

    provider = InteractiveBrokersInstrumentProviderConfig()
    return TradingNodeConfig(
        trader_id="GAUNTLET-001",
        logging=LoggingConfig(log_level="INFO"),
        exec_engine=LiveExecEngineConfig(reconciliation=True),
        data_clients={
            IB: InteractiveBrokersDataClientConfig(
                ibg_port=port, ibg_client_id=client_id, instrument_provider=provider
            )
        },
        exec_clients={
            IB: InteractiveBrokersExecClientConfig(
                ibg_port=port, ibg_client_id=client_id, account_id=account_id,
                instrument_provider=provider,
            )
        },
    )


def bybit_testnet_node_config():
    """A TradingNode configuration for Bybit's testnet (linear perpetuals; API key and secret from
    BYBIT_TESTNET_API_KEY and BYBIT_TESTNET_API_SECRET)."""
    from nautilus_trader.adapters.bybit import BYBIT, BybitDataClientConfig, BybitExecClientConfig
    from nautilus_trader.config import InstrumentProviderConfig, LiveExecEngineConfig, TradingNodeConfig
    from nautilus_trader.core.nautilus_pyo3 import BybitProductType

    provider = InstrumentProviderConfig(load_all=True)
    return TradingNodeConfig(
        trader_id="GAUNTLET-001",
        logging=LoggingConfig(log_level="INFO"),
        exec_engine=LiveExecEngineConfig(reconciliation=True),
        data_clients={
            BYBIT: BybitDataClientConfig(
                product_types=[BybitProductType.LINEAR], testnet=True, instrument_provider=provider
            )
        },
        exec_clients={
            BYBIT: BybitExecClientConfig(
                product_types=[BybitProductType.LINEAR], testnet=True, instrument_provider=provider
            )
        },
    )


def run_live(which, instrument, bar_type):
    """Starts a TradingNode with GauntletStrategy on `instrument` (`SPY.ARCA`, `BTCUSDT-LINEAR.BYBIT`)
    and `bar_type` (`SPY.ARCA-1-DAY-LAST-EXTERNAL`). NOT TESTED HERE."""
    from nautilus_trader.live.node import TradingNode

    if which == "ib-paper":
        from nautilus_trader.adapters.interactive_brokers.common import IB as name
        from nautilus_trader.adapters.interactive_brokers.factories import (
            InteractiveBrokersLiveDataClientFactory as data_factory,
            InteractiveBrokersLiveExecClientFactory as exec_factory,
        )
        config = ib_paper_node_config()
    else:
        from nautilus_trader.adapters.bybit import BYBIT as name
        from nautilus_trader.adapters.bybit import BybitLiveDataClientFactory as data_factory
        from nautilus_trader.adapters.bybit import BybitLiveExecClientFactory as exec_factory
        config = bybit_testnet_node_config()
    node = TradingNode(config=config)
    node.trader.add_strategy(
        GauntletStrategy(
            GauntletConfig(
                instrument_id=InstrumentId.from_str(instrument), bar_type=BarType.from_str(bar_type)
            )
        )
    )
    node.add_data_client_factory(name, data_factory)
    node.add_exec_client_factory(name, exec_factory)
    node.build()
    try:
        node.run()
    finally:
        node.dispose()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("data", nargs="?", help="bars: a CSV file with timestamp, open, high, low, close")
    parser.add_argument("--commission-bps", type=float, default=COMMISSION_BPS)
    parser.add_argument("--spread-bps", type=float, default=SPREAD_BPS)
    parser.add_argument("--slippage-bps", type=float, default=SLIPPAGE_BPS)
    parser.add_argument("--capital", type=float, default=INITIAL_CAPITAL)
    parser.add_argument("--bars-per-year", type=float, default=BARS_PER_YEAR)
    parser.add_argument("--size-increment", default="0.000000001",
                        help="the instrument's quantity step (1 for whole units)")
    parser.add_argument("--trades-out", help="write the trades to this CSV file (- for standard output)")
    parser.add_argument("--live", choices=["ib-paper", "bybit-testnet"],
                        help="run a live TradingNode instead (not tested here)")
    parser.add_argument("--instrument", help="with --live: the instrument id")
    parser.add_argument("--bar-type", help="with --live: the bar type")
    arguments = parser.parse_args(argv)
    if arguments.live:
        if not (arguments.instrument and arguments.bar_type):
            parser.error("--live needs --instrument and --bar-type")
        run_live(arguments.live, arguments.instrument, arguments.bar_type)
        return
    if arguments.data is None:
        parser.error("give a CSV file of bars (or --live)")
    bars = read_bars(arguments.data)
    trades, strategy = backtest(
        bars,
        commission_bps=arguments.commission_bps,
        spread_bps=arguments.spread_bps,
        slippage_bps=arguments.slippage_bps,
        initial_capital=arguments.capital,
        bars_per_year=arguments.bars_per_year,
        size_increment=arguments.size_increment,
        strict=False,
    )
    # With the trades on standard output, the summary goes to standard error.
    report = sys.stderr if arguments.trades_out == "-" else sys.stdout
    account = strategy.account
    print(
        f"NautilusTrader {NAUTILUS_VERSION}: {len(trades)} trades filled; Gauntlet's ledger: "
        f"{len(account.trades)} trades, final cash {account.cash:.2f}",
        file=report,
    )
    for note in NOTES:
        print(f"note: {note}", file=report)
    if arguments.trades_out:
        write_trades(trades, arguments.trades_out)
        if arguments.trades_out != "-":
            print(f"Wrote {arguments.trades_out}", file=report)


if __name__ == "__main__":
    try:
        main()
    except BrokenPipeError:
        sys.exit(0)
    except (OSError, ValueError, KeyError) as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(2)
