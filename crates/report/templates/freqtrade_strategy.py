#!/usr/bin/env python3
"""{{ name }}: a Gauntlet strategy as a freqtrade IStrategy, {{ class_name }}.

Written by Gauntlet {{ gauntlet_version }} (`gauntlet export --format freqtrade`) for freqtrade
{{ platform_version }}. Put this file in `user_data/strategies/` and run it as `--strategy
{{ class_name }}`; or run `freqtrade backtesting` on bars of your own, offline, with:

    python {{ file_name }} DATA.csv [--commission-bps N] [--spread-bps N] [--slippage-bps N]
        [--capital X] [--bars-per-year N] [--amount-step Q] [--trades-out FILE.csv]

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

How {{ class_name }} does that in freqtrade (one pair, one trade at a time):
 - populate_indicators computes the genome's columns candle by candle in Gauntlet's arithmetic and
   each candle's entry side; populate_entry_trend signals it (freqtrade enters at the next open);
 - bot_loop_start steps Gauntlet's account through each closed candle (marks, risk limits,
   decisions); confirm_trade_entry and custom_stake_amount let through only the entry it decided,
   sized by Gauntlet's rules (freqtrade rounds the amount down to the market's step);
 - custom_stoploss gives freqtrade Gauntlet's stop level (after the entry fills, and when the level
   moves); custom_roi puts the take-profit at Gauntlet's level; custom_exit exits at the open for
   decided exits and for levels the candle opens beyond, and at Gauntlet's level when freqtrade
   found its stop reached before it could move it; order_filled books every fill in the account.
What freqtrade does differently, and how this module handles it:
{% for note in notes %} - {{ note }}
{% endfor %}
config.json fragment for dry_run (NOT TESTED HERE: no network where this was written; choose your
exchange, pair and timeframe; market orders need price_side "other"):

    {
        "strategy": "{{ class_name }}",
        "dry_run": true,
        "dry_run_wallet": {{ initial_capital }},
        "stake_currency": "USDT",
        "stake_amount": "unlimited",
        "tradable_balance_ratio": 1.0,
        "max_open_trades": 1,
        "timeframe": "{{ timeframe }}",
{% if can_short %}        "trading_mode": "futures",
        "margin_mode": "isolated",
{% endif %}        "entry_pricing": {"price_side": "other", "use_order_book": true, "order_book_top": 1},
        "exit_pricing": {"price_side": "other", "use_order_book": true, "order_book_top": 1},
        "exchange": {"name": "binance", "pair_whitelist": ["BTC/USDT{% if can_short %}:USDT{% endif %}"]},
        "pairlists": [{"method": "StaticPairList"}]
    }

(`python {{ file_name }} --config-fragment` prints it as JSON.)
"""

import argparse
import json
import logging
import math
import os
import sys
import tempfile
from collections import deque
from pathlib import Path

import numpy as np
import pandas as pd
from freqtrade.strategy import IStrategy, stoploss_from_absolute

FREQTRADE_VERSION = "{{ platform_version }}"  # the version this module was verified with
CAN_SHORT = {{ "True" if can_short else "False" }}  # a genome that goes short trades futures
# The candles' timeframe, from the bars per year it was exported for (the config's "timeframe"
# overrides it; the backtest runner takes the data's).
TIMEFRAME = "{{ timeframe }}"
# The runner's freqtrade wallet, in multiples of the capital: Gauntlet may hold up to 100 times its
# equity (max_position_pct and leverage_cap), and freqtrade cuts a stake above the wallet.
WALLET_HEADROOM = 1000.0

{% include "platform_common.py" %}

class _PairState:
    """Gauntlet's account for one pair and the candles it reads."""

    def __init__(self, strategy):
        config = strategy.gauntlet_settings
        self.account = GauntletAccount(
            config["commission_bps"], config["spread_bps"], config["slippage_bps"],
            config["initial_capital"], config["bars_per_year"], strict=config["strict"],
        )
        self.signals = {}  # candle open time (ms) -> BarSignals
        self.open_candle = None  # open time (ms) of the candle the account has open
        self.order = None  # the order decided for this candle's open: ("entry", sign) or ("exit", reason)
        self.entry = None  # (sign, Gauntlet's quantity, price) of the entry being sent
        self.reasons = {}  # a trade's entry time (ms) -> Gauntlet's exit reason
        self.stop_checked = None  # the candle on which freqtrade last asked for the stop to move
        self.stop_set = None  # the stop level last given to freqtrade


class {{ class_name }}(IStrategy):
    """{{ name }}: {{ rules_text | replace('"', "'") }}"""

    INTERFACE_VERSION = 3
    timeframe = TIMEFRAME
    can_short = CAN_SHORT
    startup_candle_count = 0
    process_only_new_candles = True
    # Exits: Gauntlet's stop through custom_stoploss, its take-profit through custom_roi, the rest
    # through custom_exit (a limit order: custom_exit_price). The static stoploss is a backstop.
    minimal_roi = {"0": 1000.0}
    use_custom_roi = TAKE_PROFIT_PCT is not None
    stoploss = -0.99
    trailing_stop = False
    use_custom_stoploss = STOP_LOSS_PCT is not None or TRAIL_PCT is not None
    use_exit_signal = True
    exit_profit_only = False
    ignore_roi_if_entry_signal = False
    order_types = {
        "entry": "market",
        "exit": "limit",
        "emergency_exit": "market",
        "force_entry": "market",
        "force_exit": "market",
        "stoploss": "market",
        "stoploss_on_exchange": False,
    }

    def __init__(self, config):
        super().__init__(config)
        # The trading conditions Gauntlet's ledger charges (the config's "gauntlet" section overrides).
        self.gauntlet_settings = {
            "commission_bps": COMMISSION_BPS,
            "spread_bps": SPREAD_BPS,
            "slippage_bps": SLIPPAGE_BPS,
            "initial_capital": INITIAL_CAPITAL,
            "bars_per_year": BARS_PER_YEAR,
            "strict": False,
            **config.get("gauntlet", {}),
        }
        self.pairs = {}

    def _state(self, pair):
        state = self.pairs.get(pair)
        if state is None:
            state = self.pairs[pair] = _PairState(self)
        return state

    # Indicators and signals.

    def populate_indicators(self, dataframe, metadata):
        state = self._state(metadata["pair"])
        rules = GenomeRules()
        # freqtrade's "date" is the candle's open time (UTC), Gauntlet's bar time: in ms, the candles'
        # times for tf(...) and the keys of `state.signals`.
        times = pd.DatetimeIndex(dataframe["date"]).as_unit("ms").asi8.tolist()
        opens, highs, lows, closes, volumes = (
            dataframe[column].astype(float).tolist() for column in ("open", "high", "low", "close", "volume")
        )
{% if formula %}        # The formulas over the candles freqtrade holds, in one pass (each candle's value from the
        # candles up to it only).
        # A strict backtest recomputes them over the candles up to every 20th and checks they agree.
        check_every = FORMULA_CHECK_EVERY if self.gauntlet_settings["strict"] else None
        rules.known_formulas(opens, highs, lows, closes, volumes, times, check_every, state.account.diverged)
{% endif %}        sides = []
        for i, time in enumerate(times):
            bar = rules.update(opens[i], highs[i], lows[i], closes[i], volumes[i], time)
            state.signals[time] = bar
            sides.append(state.account.entry_side(bar) or 0)
        for name, values in vars(rules).items():
            if not name.startswith("_") and name not in ("opens", "highs", "lows", "closes", "volumes"):
                dataframe[f"gauntlet_{name}"] = values
        dataframe["gauntlet_side"] = sides
        return dataframe

    def populate_entry_trend(self, dataframe, metadata):
        dataframe["enter_long"] = (dataframe["gauntlet_side"] == 1).astype(int)
        dataframe["enter_short"] = (dataframe["gauntlet_side"] == -1).astype(int)
        return dataframe

    def populate_exit_trend(self, dataframe, metadata):
        dataframe["exit_long"] = 0
        dataframe["exit_short"] = 0
        return dataframe

    # Gauntlet's account, candle by candle.

    def bot_loop_start(self, current_time, **kwargs):
        for pair in list(self.pairs):
            self._advance(pair, current_time)

    def _advance(self, pair, current_time):
        """Closes the candle the account has open once a later one starts, then opens the candle
        starting at `current_time` (a backtest's candle time; live, the candle now forming)."""
        state = self._state(pair)
        step = self.timeframe_to_ms()
        now = int(current_time.timestamp() * 1000) // step * step
        if state.open_candle is not None and state.open_candle >= now:
            return
        account = state.account
        if state.open_candle is None and account.bar < 0:
            # The first call: the candles before it (freqtrade's first candle only carries signals;
            # live, the history it loaded) pass through the account as they closed, without fills.
            for time in sorted(time for time in state.signals if time < now):
                account.open_bar(time // MILLIS_PER_DAY)
                account.opened()
                account.close_bar(state.signals[time])
        if state.open_candle is not None:
            bar = state.signals.get(state.open_candle)
            if bar is None:
                return  # live: the closed candle is not analysed yet
            if account.strict and state.order is not None:
                account.diverged(f"{current_time}: freqtrade did not fill Gauntlet's {state.order}")
            account.close_bar(bar)
            state.open_candle = None
        backtest = self.dp is not None and self.dp.runmode.value in ("backtest", "hyperopt")
        if backtest and now not in state.signals:
            return  # no candle at this time (a gap in the data)
        state.open_candle = now
        state.order = account.open_bar(now // MILLIS_PER_DAY)
        if state.order is None:
            account.opened()

    def timeframe_to_ms(self):
        from freqtrade.exchange import timeframe_to_msecs

        return timeframe_to_msecs(self.timeframe)

    # Entries.

    def custom_stake_amount(self, pair, current_time, current_rate, proposed_stake, min_stake,
                            max_stake, leverage, entry_tag, side, **kwargs):
        state = self._state(pair)
        self._advance(pair, current_time)
        sign = 1 if side == "long" else -1
        if state.order != ("entry", sign):
            return 0.0
        account = state.account
        quantity = account.quantity(
            sign, current_rate * (1.0 + sign * account.adjustment), account.decision_volatility
        )
        if quantity is None:
            state.order = None  # below the minimum: Gauntlet does not enter either
            return 0.0
        state.entry = (sign, quantity, current_rate)
        return quantity * current_rate

    def confirm_trade_entry(self, pair, order_type, amount, rate, time_in_force, current_time,
                            entry_tag, side, **kwargs):
        state = self._state(pair)
        sign = 1 if side == "long" else -1
        return state.order == ("entry", sign) and state.entry is not None and state.entry[0] == sign

    def leverage(self, pair, current_time, current_rate, proposed_leverage, max_leverage, entry_tag,
                 side, **kwargs):
        return 1.0

    # Exits.

    def custom_stoploss(self, pair, trade, current_time, current_rate, current_profit, after_fill,
                        **kwargs):
        """Gauntlet's stop level (stop-loss, or a tighter armed trailing stop) as freqtrade's
        relative stop: set right after the entry fills, then moved only when Gauntlet's level moves
        (freqtrade calls this while the candle has not reached the stop it holds)."""
        state = self._state(pair)
        self._advance(pair, current_time)
        if not after_fill:
            state.stop_checked = current_time
        stop = state.account.protective_orders()[0]
        if stop is None or (not after_fill and stop[0] == state.stop_set):
            return None
        state.stop_set = stop[0]
        return stoploss_from_absolute(stop[0], current_rate, is_short=trade.is_short,
                                      leverage=float(trade.leverage or 1.0))

    def custom_roi(self, pair, trade, current_time, trade_duration, entry_tag, side, **kwargs):
        """The ROI at which freqtrade's exit price is Gauntlet's take-profit level."""
        state = self._state(pair)
        target = state.account.protective_orders()[1]
        if target is None:
            return None
        base = trade.calc_close_trade_value(0.0)
        slope = trade.calc_close_trade_value(1.0) - base
        sign = -1.0 if trade.is_short else 1.0
        opened = trade._calc_open_trade_value(trade.amount, trade.open_rate)
        return sign * ((target * slope + base) / opened - 1.0) * float(trade.leverage or 1.0)

    def custom_exit(self, pair, trade, current_time, current_rate, current_profit, **kwargs):
        """At the candle's open (`current_rate`): the exit decided on the last close; a stop or target
        the candle opens beyond (Gauntlet fills it at the open); or, when freqtrade found its stop
        reached before moving it (it then skips custom_stoploss), Gauntlet's stop at its level for this
        candle (a limit order, see custom_exit_price)."""
        state = self._state(pair)
        self._advance(pair, current_time)
        order = state.order
        if order is not None and order[0] == "exit":
            return order[1]
        account = state.account
        gap = account.gap_exit(current_rate)
        if gap is not None:
            return f"gap_{gap[1]}"
        stop = account.protective_orders()[0]
        if stop is not None and self.use_custom_stoploss and state.stop_checked != current_time:
            return f"stop_{stop[1]}"
        return None

    def custom_exit_price(self, pair, trade, current_time, proposed_rate, current_profit, exit_tag,
                          **kwargs):
        state = self._state(pair)
        stop = state.account.protective_orders()[0]
        if exit_tag and exit_tag.startswith("stop_") and stop is not None:
            return stop[0]
        return proposed_rate

    def confirm_trade_exit(self, pair, trade, order_type, amount, rate, time_in_force, exit_reason,
                           current_time, **kwargs):
        """In a backtest, declines freqtrade's take-profit (ROI, which freqtrade checks before a moved
        stop) on a candle that also reached Gauntlet's stop: Gauntlet assumes a candle reaching both
        reached the stop first, and freqtrade then takes its stop. Live, the market's order decides."""
        if exit_reason != "roi" or not self._backtesting():
            return True
        state = self._state(pair)
        stop = state.account.protective_orders()[0]
        candle = state.signals.get(state.open_candle)
        if stop is None or candle is None:
            return True
        reached = candle.high >= stop[0] if trade.is_short else candle.low <= stop[0]
        return not reached

    def _backtesting(self):
        return self.dp is not None and self.dp.runmode.value in ("backtest", "hyperopt")

    # Fills.

    def order_filled(self, pair, trade, order, current_time, **kwargs):
        state = self._state(pair)
        account = state.account
        price = order.safe_price
        if order.ft_order_side == trade.entry_side:
            sign, quantity, expected = state.entry
            self._check(account, price, expected, current_time)
            account.filled_entry(sign, expected, quantity)
            state.order = state.entry = state.stop_set = None
            account.opened()
            return
        reason = trade.exit_reason or ""
        stop, target = account.protective_orders()
        at_open, expected = False, price
        if state.order is not None and state.order[0] == "exit" and reason == state.order[1]:
            at_open = True  # decided on the last close, filled at this open
        elif reason.startswith("gap_"):
            reason = reason[len("gap_"):]
        elif reason.startswith("stop_") and stop is not None:
            expected, reason = stop
        elif reason in ("stop_loss", "trailing_stop_loss") and stop is not None:
            expected, reason = stop
        elif reason == "roi" and target is not None:
            expected, reason = target, "take_profit"
        elif reason == "force_exit":
            at_open, reason = True, "end_of_data"
        self._check(account, price, expected, current_time)
        state.reasons[int(trade.open_date_utc.timestamp() * 1000)] = reason
        account.filled_exit(expected, reason, at_open)
        if at_open:
            state.order = None
            account.opened()

    def _check(self, account, price, expected, current_time):
        if self.gauntlet_settings["strict"] and not abs(price - expected) <= 1e-9 * abs(expected):
            account.diverged(f"{current_time}: filled at {price!r}, Gauntlet's price is {expected!r}")


# The offline backtest runner: `freqtrade backtesting` without a network.


def _market(pair, amount_step, fee, futures):
    """A ccxt market entry: the quantity step and fees the backtest uses, prices unrounded."""
    base, quote = pair.split("/")[0], "USDT"
    return {
        "id": pair.replace("/", "").replace(":USDT", ""), "symbol": pair, "base": base,
        "quote": quote, "settle": quote if futures else None, "baseId": base, "quoteId": quote,
        "settleId": quote if futures else None, "active": True, "type": "swap" if futures else "spot",
        "spot": not futures, "margin": False, "swap": futures, "future": False, "option": False,
        "contract": futures, "linear": True if futures else None, "inverse": False if futures else None,
        "contractSize": 1.0 if futures else None, "taker": fee, "maker": fee,
        "precision": {"amount": amount_step, "price": None, "base": None, "quote": None},
        "limits": {
            "amount": {"min": amount_step, "max": None}, "cost": {"min": None, "max": None},
            "price": {"min": None, "max": None}, "leverage": {"min": 1.0, "max": 1.0},
        },
        "info": {},
    }


def _offline(markets):
    """Installs `markets` instead of the exchange's market download, and keeps backtests on the
    candles that exist at the prices asked for (freqtrade's private functions: pinned version)."""
    import freqtrade.optimize.backtesting as backtesting_module
    from freqtrade.data import history
    from freqtrade.exchange.exchange import Exchange

    async def _api_reload_markets(self, reload=False):
        self._api_async.set_markets(markets)

    def fill_leverage_tiers(self):
        # One tier per market: leverage 1, no maintenance margin.
        tier = {"minNotional": 0.0, "maxNotional": 1e18, "maintenanceMarginRate": 0.0,
                "maxLeverage": 1.0, "maintAmt": 0.0}
        self._leverage_tiers = {pair: [dict(tier)] for pair in markets}

    Exchange._api_reload_markets = _api_reload_markets
    Exchange.fill_leverage_tiers = fill_leverage_tiers
    load_data = getattr(history, "gauntlet_unpatched_load_data", history.load_data)
    history.gauntlet_unpatched_load_data = load_data

    def load_data_without_filling(*args, **kwargs):
        return load_data(*args, **{**kwargs, "fill_up_missing": False})

    backtesting_module.history.load_data = load_data_without_filling
    backtesting_module.get_tick_size_over_time = lambda data: None


def _timeframe(interval_ms):
    from freqtrade.exchange import timeframe_to_msecs

    for timeframe in ("1m", "3m", "5m", "15m", "30m", "1h", "2h", "4h", "6h", "8h", "12h", "1d", "3d", "1w"):
        if timeframe_to_msecs(timeframe) == interval_ms:
            return timeframe
    raise ValueError(f"bars {interval_ms} ms apart have no freqtrade timeframe")


def _no_zero_candle_move(record):
    """False for freqtrade's warning that it moves the start of a backtest by 0 candles."""
    message = record.msg if isinstance(record.msg, str) else ""
    return not (message.startswith("Moving start-date by") and record.args == (0,))


def config_fragment(timeframe=TIMEFRAME, pair=None):
    """The config.json fragment for dry_run (see the module's header)."""
    pair = pair or ("BTC/USDT:USDT" if CAN_SHORT else "BTC/USDT")
    fragment = {
        "strategy": {{ class_name }}.__name__,
        "dry_run": True,
        "dry_run_wallet": INITIAL_CAPITAL,
        "stake_currency": "USDT",
        "stake_amount": "unlimited",
        "tradable_balance_ratio": 1.0,
        "max_open_trades": 1,
        "timeframe": timeframe,
        "entry_pricing": {"price_side": "other", "use_order_book": True, "order_book_top": 1},
        "exit_pricing": {"price_side": "other", "use_order_book": True, "order_book_top": 1},
        "exchange": {"name": "binance", "pair_whitelist": [pair]},
        "pairlists": [{"method": "StaticPairList"}],
    }
    if CAN_SHORT:
        fragment.update(trading_mode="futures", margin_mode="isolated")
    return fragment


def backtest(bars, commission_bps=COMMISSION_BPS, spread_bps=SPREAD_BPS, slippage_bps=SLIPPAGE_BPS,
             initial_capital=INITIAL_CAPITAL, bars_per_year=BARS_PER_YEAR, amount_step=1e-8,
             strict=True):
    """Runs `freqtrade backtesting` on `bars` (see `read_bars`), offline, with this module's
    strategy: one pair on a market table whose amounts step by `amount_step`, commission as
    freqtrade's fee, missing candles left out. Returns (trades, strategy): freqtrade's trades
    (TRADE_COLUMNS, prices as filled, before Gauntlet's spread and slippage; a trade open at the end
    as freqtrade force-exits it) and the strategy instance."""
    from freqtrade.commands.optimize_commands import setup_optimize_configuration
    from freqtrade.data.history import get_datahandler
    from freqtrade.enums import CandleType, RunMode
    from freqtrade.optimize.backtesting import Backtesting

    interval = int(np.median(np.diff(bars.index.as_unit("ms").asi8)))
    timeframe = _timeframe(interval)
    pair = "BTC/USDT:USDT" if CAN_SHORT else "BTC/USDT"
    fee = commission_bps / 10_000.0
    _offline({pair: _market(pair, amount_step, fee, CAN_SHORT)})
    strategy_class = {{ class_name }}
    with tempfile.TemporaryDirectory() as folder:
        user_data = Path(folder) / "user_data"
        strategies = user_data / "strategies"
        data_dir = user_data / "data" / "binance"
        os.makedirs(strategies)
        os.makedirs(data_dir)
        (strategies / "gauntlet_export.py").write_text(Path(__file__).read_text(encoding="utf-8"), encoding="utf-8")
        candles = pd.DataFrame(
            {
                "date": bars.index.tz_convert("UTC"),
                "open": bars["open"].to_numpy(),
                "high": bars["high"].to_numpy(),
                "low": bars["low"].to_numpy(),
                "close": bars["close"].to_numpy(),
                "volume": bars["volume"].to_numpy(),
            }
        ).reset_index(drop=True)
        handler = get_datahandler(data_dir, "feather")
        if CAN_SHORT:
            # Futures also read mark prices and funding rates (binance's, hourly): the bars, and none.
            handler.ohlcv_store(pair, timeframe, candles, CandleType.FUTURES)
            handler.ohlcv_store(pair, "1h", candles, CandleType.MARK)
            funding = pd.DataFrame({"date": candles["date"], "funding_rate": 0.0})
            handler.ohlcv_store(pair, "1h", funding, CandleType.FUNDING_RATE)
        else:
            handler.ohlcv_store(pair, timeframe, candles, CandleType.SPOT)
        config = {
            **config_fragment(timeframe, pair),
            "dry_run_wallet": initial_capital * WALLET_HEADROOM,
            "fee": fee,
            "exchange": {"name": "binance", "pair_whitelist": [pair], "key": "", "secret": ""},
            "futures_funding_rate": 0.0,
            "dataformat_ohlcv": "feather",
            "gauntlet": {
                "commission_bps": commission_bps, "spread_bps": spread_bps,
                "slippage_bps": slippage_bps, "initial_capital": initial_capital,
                "bars_per_year": bars_per_year, "strict": strict,
            },
        }
        config_path = Path(folder) / "config.json"
        with open(config_path, "w", encoding="utf-8") as file:
            json.dump(config, file)
        arguments = {
            "config": [str(config_path)], "user_data_dir": str(user_data), "datadir": str(data_dir),
            "strategy": strategy_class.__name__, "strategy_path": str(strategies), "export": "none",
            "timeframe": timeframe, "cache": "none",
        }
        logging.disable(logging.INFO)  # freqtrade's progress messages; warnings still show
        # ... but one: with no start date and no startup candles, freqtrade warns on every run that
        # it moves the start "by 0 candles" (a filter: freqtrade's logging setup resets levels).
        timerange_log = logging.getLogger("freqtrade.configuration.timerange")
        timerange_log.addFilter(_no_zero_candle_move)
        try:
            settings = setup_optimize_configuration(arguments, RunMode.BACKTEST)
            engine = Backtesting(settings)
            data, timerange = engine.load_bt_data()
            strategy = engine.strategylist[0]
            engine.backtest_one_strategy(strategy, data, timerange)
        finally:
            logging.disable(logging.NOTSET)
            timerange_log.removeFilter(_no_zero_candle_move)
        results = engine.all_bt_content[strategy.get_strategy_name()]["results"]
        state = strategy.pairs.get(pair)
        if state is not None and state.account.divergence is not None:
            raise DivergedError(state.account.divergence)
        reasons = state.reasons if state is not None else {}
        rows = []
        for trade in results.itertuples():
            rows.append(
                {
                    "side": "short" if trade.is_short else "long",
                    "entry_time": pd.Timestamp(trade.open_date),
                    "entry_price": float(trade.open_rate),
                    "exit_time": pd.Timestamp(trade.close_date),
                    "exit_price": float(trade.close_rate),
                    "quantity": float(trade.amount),
                    "exit_reason": reasons.get(int(trade.open_timestamp), trade.exit_reason),
                }
            )
        Backtesting.cleanup()
    return pd.DataFrame(rows, columns=TRADE_COLUMNS), strategy


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("data", nargs="?", help="bars: a CSV file with timestamp, open, high, low, close")
    parser.add_argument("--commission-bps", type=float, default=COMMISSION_BPS)
    parser.add_argument("--spread-bps", type=float, default=SPREAD_BPS)
    parser.add_argument("--slippage-bps", type=float, default=SLIPPAGE_BPS)
    parser.add_argument("--capital", type=float, default=INITIAL_CAPITAL)
    parser.add_argument("--bars-per-year", type=float, default=BARS_PER_YEAR)
    parser.add_argument("--amount-step", type=float, default=1e-8, help="the market's quantity step")
    parser.add_argument("--trades-out", help="write the trades to this CSV file (- for standard output)")
    parser.add_argument("--config-fragment", action="store_true",
                        help="print the config.json fragment for dry_run and stop")
    arguments = parser.parse_args(argv)
    if arguments.config_fragment:
        print(json.dumps(config_fragment(), indent=4))
        return
    if arguments.data is None:
        parser.error("give a CSV file of bars (or --config-fragment)")
    bars = read_bars(arguments.data)
    trades, strategy = backtest(
        bars,
        commission_bps=arguments.commission_bps,
        spread_bps=arguments.spread_bps,
        slippage_bps=arguments.slippage_bps,
        initial_capital=arguments.capital,
        bars_per_year=arguments.bars_per_year,
        amount_step=arguments.amount_step,
        strict=False,
    )
    report = sys.stderr if arguments.trades_out == "-" else sys.stdout
    ledger = [state.account for state in strategy.pairs.values()]
    print(
        f"freqtrade {FREQTRADE_VERSION}: {len(trades)} trades; Gauntlet's ledger: "
        f"{sum(len(account.trades) for account in ledger)} trades",
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
