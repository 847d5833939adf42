#!/usr/bin/env python3
"""{{ name }}: a Gauntlet strategy as a backtesting.py Strategy.

Written by Gauntlet {{ gauntlet_version }} (`gauntlet export --format python`) for backtesting.py
{{ backtesting_version }}, numpy and pandas. Run it on bars of your own:

    python {{ file_name }} DATA.csv [--commission-bps N] [--spread-bps N] [--slippage-bps N]
        [--capital X] [--bars-per-year N] [--trades-out FILE.csv] [--sep C] [--decimal-comma]
        [--time-unit s|ms|us|ns]

DATA.csv is read as Gauntlet reads a bars file (`load_bars`): the columns timestamp (ISO 8601 dates
and date-times, dd.mm.yyyy, m/d/yyyy or d/m/yyyy, epoch seconds to nanoseconds), open, high, low,
close (volume optional) in any order, as `gauntlet data export NAME --to DATA.csv` writes them or
pandas' to_csv() does; a file with a close column only trades on closes (open = high = low = close),
as Gauntlet does. What Gauntlet would refuse, the module refuses, naming the line.
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

How this module maps that onto backtesting.py, and where the two engines differ:
 - backtesting.py calls next() from bar 1: the module decides bar 0 in init().
 - Indicators are plain arrays computed in init() (not self.I, which would hold every rule back until
   the slowest indicator has a value).
 - Gauntlet sizes an order and places its stop and target at the fill price. backtesting.py fills a
   market order at the next open, so the module reads that open (and nothing else ahead) when it
   sends the order, to size it and attach the levels. Whether to trade is decided from data up to
   the current close only.
 - backtesting.py trades whole units: the module runs FractionalBacktest with a unit of 2**-30 (a
   power of two, so prices are scaled exactly); quantities agree with Gauntlet's to that unit.
 - backtesting.py's `spread` is paid on entries only, Gauntlet pays half the spread plus the
   slippage on every fill: with spread or slippage, backtesting.py's exit prices are better than
   Gauntlet's by that fraction (the module's own ledger, printed after the statistics, is Gauntlet's).
 - Gauntlet closes a position still open at the last close; backtesting.py leaves it open and marks
   it to market (finalize_trades=False).
 - The module keeps Gauntlet's ledger beside backtesting.py's broker and checks on every bar that
   they hold the same position; a difference stops the run with an error naming the bar.
"""

import argparse
import math
import os
import sys
import warnings
from collections import deque

import numpy as np
import pandas as pd
from backtesting import Strategy
from backtesting.lib import FractionalBacktest

# The genome, as Gauntlet reads it (for reference; the code below is generated from it).
GENOME_JSON = r"""
{{ genome_json }}
"""

# Trading conditions (the run's, or `gauntlet backtest`'s defaults); each is a command-line flag.
COMMISSION_BPS = {{ commission_bps }}  # per side, basis points of traded value
SPREAD_BPS = {{ spread_bps }}  # full bid-ask spread, basis points; half is paid on each fill
SLIPPAGE_BPS = {{ slippage_bps }}  # per fill, basis points, against us
INITIAL_CAPITAL = {{ initial_capital }}  # quote currency
BARS_PER_YEAR = {{ bars_per_year }}  # to annualise volatility-target sizing

# The genome's genes (percentages in percent, periods in bars; None: off).
DIRECTION = "{{ direction }}"  # long, short or both
STOP_LOSS_PCT = {{ stop_loss_pct }}
TAKE_PROFIT_PCT = {{ take_profit_pct }}
TRAIL_ACTIVATION_PCT = {{ trail_activation_pct }}
TRAIL_PCT = {{ trail_pct }}
MAX_HOLDING_BARS = {{ max_holding_bars }}
CHANNEL_EXIT = {{ "True" if channel else "False" }}
EXIT_ON_OPPOSITE_SIGNAL = {{ "True" if exit_on_opposite_signal else "False" }}
SIZING = "{{ sizing }}"  # fixed_fraction, risk_per_trade, volatility_target or all_in
SIZING_PCT = {{ sizing_pct }}  # fraction of equity, risk per trade or annual volatility target
MAX_POSITION_PCT = {{ max_position_pct }}
LEVERAGE_CAP = {{ leverage_cap }}
DAILY_LOSS_LIMIT_PCT = {{ daily_loss_limit_pct }}
MAX_DRAWDOWN_HALT_PCT = {{ max_drawdown_halt_pct }}
CONSECUTIVE_LOSS_LIMIT = {{ consecutive_loss_limit }}

UNIT = 2.0**-30  # FractionalBacktest's unit of quantity: a power of two, so scaling is exact
MINIMUM_QUANTITY = 1e-8  # orders for fewer units are not sent (as Gauntlet and vectorbt)
MILLIS_PER_DAY = 86_400_000
NAN = float("nan")


# Indicators: gauntlet-indicators' definitions (TA-Lib compatible), in the same floating-point
# operations and order, so every value is the same to the bit. NaN during warm-up.


def sma(values, period):
    """Simple moving average: a running sum over the last `period` values."""
    out, window, total = [NAN] * len(values), deque(), 0.0
    for i, value in enumerate(values):
        total += value
        window.append(value)
        if len(window) > period:
            total -= window.popleft()
        if len(window) == period:
            out[i] = total / period
    return out


def ema(values, period):
    """Exponential moving average, seeded with the SMA of the first `period` values (TA-Lib)."""
    out, smoothing, seen, seed, current = [NAN] * len(values), 2.0 / (period + 1.0), 0, 0.0, None
    for i, value in enumerate(values):
        if current is None:
            if value != value:  # NaN: the series has not started
                continue
            seen += 1
            seed += value
            if seen == period:
                current = seed / period
        else:
            current = (value - current) * smoothing + current
        if current is not None:
            out[i] = current
    return out


def rsi(values, period):
    """Wilder's RSI, 0-100 (0 when prices did not move)."""
    out, previous, changes, gain_avg, loss_avg = [NAN] * len(values), None, 0, 0.0, 0.0
    for i, value in enumerate(values):
        if previous is None:
            previous = value
            continue
        change = value - previous
        previous = value
        gain, loss = (change, 0.0) if change > 0.0 else (0.0, -change)
        changes += 1
        if changes <= period:
            gain_avg += gain
            loss_avg += loss
            if changes < period:
                continue
            gain_avg /= period
            loss_avg /= period
        else:
            gain_avg = (gain_avg * (period - 1.0) + gain) / period
            loss_avg = (loss_avg * (period - 1.0) + loss) / period
        total = gain_avg + loss_avg
        out[i] = 0.0 if total == 0.0 else 100.0 * gain_avg / total
    return out


def roc(values, period):
    """Rate of change over `period` bars, a fraction."""
    out = [NAN] * len(values)
    for i in range(period, len(values)):
        out[i] = values[i] / values[i - period] - 1.0
    return out


def _moments(values, period):
    """Rolling (count, sum, sum of squares) of values shifted by the first value (for stability)."""
    out, window, total, squares, anchor = [None] * len(values), deque(), 0.0, 0.0, None
    for i, value in enumerate(values):
        if anchor is None:
            anchor = value
        shifted = value - anchor
        window.append(shifted)
        total += shifted
        squares += shifted * shifted
        if len(window) > period:
            leaving = window.popleft()
            total -= leaving
            squares -= leaving * leaving
        if len(window) == period:
            out[i] = (float(period), total, squares)
    return out


def _max(a, b):
    """Rust's f64::max: the other operand when one is NaN."""
    if a != a:
        return b
    if b != b:
        return a
    return a if a >= b else b


def _min(a, b):
    """Rust's f64::min: the other operand when one is NaN."""
    if a != a:
        return b
    if b != b:
        return a
    return a if a <= b else b


def _divide(a, b):
    """a / b as IEEE 754 (and Rust) divide: infinite or NaN where Python would raise."""
    if b != 0.0:
        return a / b
    if a != a or a == 0.0:
        return NAN
    return math.copysign(math.inf, a) * math.copysign(1.0, b)


def stddev(values, period):
    """Rolling population standard deviation."""
    out = [NAN] * len(values)
    for i, moments in enumerate(_moments(values, period)):
        if moments is not None:
            count, total, squares = moments
            mean = total / count
            out[i] = math.sqrt(_max(squares / count - mean * mean, 0.0))
    return out


def bollinger_upper(middle, deviation, width):
    """Upper Bollinger band: SMA + width x population standard deviation."""
    return [m + width * d for m, d in zip(middle, deviation)]


def bollinger_lower(middle, deviation, width):
    """Lower Bollinger band: SMA - width x population standard deviation."""
    return [m - width * d for m, d in zip(middle, deviation)]


def zscore(values, middle, deviation):
    """(value - SMA) / population standard deviation; NaN when the deviation is 0."""
    return [
        (v - m) / d if d > 0.0 else NAN for v, m, d in zip(values, middle, deviation)
    ]


def atr(high, low, close, period):
    """Wilder's average true range, in price units."""
    out, previous, ranges, current = [NAN] * len(close), None, 0, 0.0
    for i in range(len(close)):
        if previous is None:
            previous = close[i]
            continue
        true_range = _max(
            _max(high[i] - low[i], abs(high[i] - previous)), abs(low[i] - previous)
        )
        previous = close[i]
        ranges += 1
        if ranges <= period:
            current += true_range
            if ranges < period:
                continue
            current /= period
        else:
            current = (current * (period - 1.0) + true_range) / period
        out[i] = current
    return out


def volatility(close, period):
    """Rolling sample standard deviation of simple returns, per bar (for volatility targeting)."""
    returns = [close[i] / close[i - 1] - 1.0 for i in range(1, len(close))]
    out = [NAN] * len(close)
    for i, moments in enumerate(_moments(returns, period)):
        if moments is not None:
            count, total, squares = moments
            out[i + 1] = math.sqrt(_max((squares - total * total / count) / (count - 1.0), 0.0))
    return out


def macd_line(fast_ema, slow_ema):
    """MACD line: EMA(fast) - EMA(slow) (its signal line is `ema` of it, from its first value)."""
    return [f - s for f, s in zip(fast_ema, slow_ema)]


def donchian_upper(high, period):
    """Highest high of the last `period` bars, this one included."""
    out = [NAN] * len(high)
    if len(high) >= period:
        windows = np.lib.stride_tricks.sliding_window_view(np.asarray(high), period)
        out[period - 1 :] = windows.max(axis=1).tolist()
    return out


def donchian_lower(low, period):
    """Lowest low of the last `period` bars, this one included."""
    out = [NAN] * len(low)
    if len(low) >= period:
        windows = np.lib.stride_tricks.sliding_window_view(np.asarray(low), period)
        out[period - 1 :] = windows.min(axis=1).tolist()
    return out


def volatility_band(atr_value, close, lowest_pct, highest_pct):
    """ATR as a percentage of the close lies within [lowest_pct, highest_pct]."""
    percent = 100.0 * atr_value / close
    return percent >= lowest_pct and percent <= highest_pct


{% if formula %}
{% include "formula_conditions.py" %}
{% endif %}
class Position:
    """Gauntlet's open position: fill, size, costs so far and protective levels (prices)."""

    def __init__(self, sign, quantity, price, bar, commission, stop, target, activation, trail):
        self.sign = sign  # +1 long, -1 short
        self.quantity = quantity
        self.entry_price = price
        self.entry_bar = bar
        self.entry_commission = commission
        self.stop_level = stop
        self.target_level = target
        self.trail_activation_level = activation
        self.trail_fraction = trail
        self.best_price = price

    def protective_level(self):
        """The stop in force: the tighter of the stop-loss and an armed trailing stop."""
        long = self.sign > 0
        armed = self.trail_activation_level is not None and (
            self.best_price >= self.trail_activation_level
            if long
            else self.best_price <= self.trail_activation_level
        )
        trail = None
        if armed:
            trail = (
                self.best_price * (1.0 - self.trail_fraction)
                if long
                else self.best_price * (1.0 + self.trail_fraction)
            )
        if self.stop_level is not None and trail is not None:
            tighter = trail > self.stop_level if long else trail < self.stop_level
            return (trail, "trailing_stop") if tighter else (self.stop_level, "stop_loss")
        if self.stop_level is not None:
            return (self.stop_level, "stop_loss")
        if trail is not None:
            return (trail, "trailing_stop")
        return None

    def intrabar_exit(self, open_, high, low):
        """This bar's protective exit (price, reason): stop first, then target; gaps at the open."""
        long = self.sign > 0
        protective = self.protective_level()
        if protective is not None:
            level, reason = protective
            if open_ <= level if long else open_ >= level:
                return (open_, reason)
            if low <= level if long else high >= level:
                return (level, reason)
        level = self.target_level
        if level is not None:
            if open_ >= level if long else open_ <= level:
                return (open_, "take_profit")
            if high >= level if long else low <= level:
                return (level, "take_profit")
        return None

    def track_extreme(self, high, low):
        """Folds the bar's extreme into the best price since entry (for the trailing stop)."""
        self.best_price = _max(self.best_price, high) if self.sign > 0 else _min(self.best_price, low)


class DivergedError(RuntimeError):
    """backtesting.py's broker did something Gauntlet's engine would not have done."""


class GauntletStrategy(Strategy):
    """{{ name }}: {{ rules_text | replace('"', "'") }}"""

    # Parameters (backtesting.py's Backtest.run(**kwargs) sets them).
    commission_bps = COMMISSION_BPS
    spread_bps = SPREAD_BPS
    slippage_bps = SLIPPAGE_BPS
    initial_capital = INITIAL_CAPITAL
    bars_per_year = BARS_PER_YEAR

    def init(self):
        scale = 1.0 / UNIT  # the data backtesting.py hands over is scaled by UNIT
        self.opens = (np.asarray(self.data.Open, dtype=float) * scale).tolist()
        self.highs = (np.asarray(self.data.High, dtype=float) * scale).tolist()
        self.lows = (np.asarray(self.data.Low, dtype=float) * scale).tolist()
        self.closes = (np.asarray(self.data.Close, dtype=float) * scale).tolist()
        millis = pd.DatetimeIndex(self.data.index).as_unit("ms").asi8
        self.days = (millis // MILLIS_PER_DAY).tolist()
        self.last_bar = len(self.closes) - 1
        high, low, close = self.highs, self.lows, self.closes
        # Indicator columns.
{% for name, expression in columns %}        self.{{ name }} = {{ expression }}
{% endfor %}{% if formula %}        # The formulas' conditions on every bar (volume is scaled by 1/UNIT in backtesting.py's data).
        (
            self.formula_long,
            self.formula_short,
            self.formula_exit_long,
            self.formula_exit_short,
        ) = formula_conditions(
            np.asarray(self.opens),
            np.asarray(self.highs),
            np.asarray(self.lows),
            np.asarray(self.closes),
            np.asarray(self.data.Volume, dtype=float) * UNIT,
            np.asarray(millis, dtype=np.int64),
        )
{% endif %}
        # Gauntlet's ledger and account state.
        self.fee = self.commission_bps / 10_000.0
        self.adjustment = (self.spread_bps / 2.0 + self.slippage_bps) / 10_000.0
        self.cash = float(self.initial_capital)
        self.position_ = None
        self.pending = None  # ("entry", sign) or ("exit", reason), filling at the next open
        self.peak = float(self.initial_capital)
        self.halted_at_bar = None
        self.day = None
        self.day_start_equity = float(self.initial_capital)
        self.entries_blocked_today = False
        self.consecutive_losses = 0
        self.previous_equity = float(self.initial_capital)
        self.ledger_trades = []  # Gauntlet's trades: dicts in `gauntlet backtest --trades-out` terms
        self.closed_seen = 0  # backtesting.py trades closed so far
        self.step(0)

    def next(self):
        self.step(len(self.data) - 1)

    # Entry and exit conditions (generated from the genome).

    def entry_signals(self, t):
        """(long, short): whether each side's entry conditions hold at bar t's close."""
        close = self.closes
{% if logic == "always" %}        return (True, True)
{% elif logic == "formula" %}        return (self.formula_long[t], self.formula_short[t])
{% elif logic == "score" %}        score = self.score(t)
        return (score > {{ score.buy_above }}, score < {{ score.sell_below }})
{% else %}{% for rule in rules %}        # Rule {{ loop.index }}: long when {{ rule.long_text }}; short when {{ rule.short_text }}.
        long_{{ loop.index }} = {{ rule.long }}
        short_{{ loop.index }} = {{ rule.short }}
{% endfor %}{% if rules | length == 1 %}        return (long_1, short_1)
{% else %}        needed = {{ needed }}  # rules that must hold
        longs = {% for rule in rules %}int(long_{{ loop.index }}){% if not loop.last %} + {% endif %}{% endfor %}
        shorts = {% for rule in rules %}int(short_{{ loop.index }}){% if not loop.last %} + {% endif %}{% endfor %}
        return (longs >= needed, shorts >= needed)
{% endif %}{% endif %}
{% if score %}
    def score(self, t):
        """The weighted factor score at bar t (NaN while an input warms up)."""
        trend_gap = self.{{ score.trend_fast }}[t] - self.{{ score.trend_slow }}[t]
        if trend_gap > 0.0:
            trend = {{ score.trend_weight }}
        elif trend_gap < 0.0:
            trend = -{{ score.trend_weight }}
        elif trend_gap == 0.0:
            trend = 0.0
        else:
            return NAN
        momentum_fraction = _divide(self.{{ score.momentum }}[t], {{ score.momentum_scale_pct }} / 100.0)
        atr_percent = 100.0 * self.{{ score.atr }}[t] / self.closes[t]
        if momentum_fraction != momentum_fraction or atr_percent != atr_percent:
            return NAN
        momentum = {{ score.momentum_weight }} * min(max(momentum_fraction, -1.0), 1.0)
        calm = 1.0 - _min(_divide(atr_percent, {{ score.volatility_max_pct }}), 1.0)
        return trend + momentum + {{ score.volatility_weight }} * calm
{% endif %}
    def entry_side(self, t):
        """+1 (long), -1 (short) or None: a both-ways strategy enters only when one side fires."""
        long, short = self.entry_signals(t)
        if DIRECTION == "long":
            return 1 if long else None
        if DIRECTION == "short":
            return -1 if short else None
        if long and not short:
            return 1
        if short and not long:
            return -1
        return None

    def exit_signal(self, position, t):
        """The exit decided at bar t's close for an open position, if any."""
        close = self.closes
        if EXIT_ON_OPPOSITE_SIGNAL:
            long, short = self.entry_signals(t)
            if (short if position.sign > 0 else long):
                return "signal"
{% if formula and formula.exits %}        if self.formula_exit_long[t] if position.sign > 0 else self.formula_exit_short[t]:
            return "formula"
{% endif %}{% if channel %}        if t > 0:
            broken = (
                close[t] < self.{{ channel[0] }}[t - 1]
                if position.sign > 0
                else close[t] > self.{{ channel[1] }}[t - 1]
            )
            if broken:
                return "signal"
{% endif %}        if MAX_HOLDING_BARS is not None and t - position.entry_bar + 1 >= MAX_HOLDING_BARS:
            return "time_exit"
        return None

    # Gauntlet's sizing and fills.

    def volatility_at(self, t):
        {% if volatility_column %}return self.{{ volatility_column }}[t]{% else %}return NAN{% endif %}

    def quantity(self, sign, fill, volatility_now):
        """Units to trade at `fill` (a price after spread and slippage), or None below the minimum."""
        equity = self.cash
        if SIZING == "all_in":
            quantity = self.cash / (1.0 + self.fee) / fill
        elif SIZING == "fixed_fraction":
            quantity = equity * (SIZING_PCT / 100.0) / fill
        elif SIZING == "risk_per_trade":
            quantity = (
                equity * (SIZING_PCT / 100.0) / (fill * (STOP_LOSS_PCT / 100.0))
                if STOP_LOSS_PCT is not None
                else 0.0
            )
        else:
            annual = volatility_now * math.sqrt(self.bars_per_year)
            quantity = _divide(equity * (SIZING_PCT / 100.0), annual) / fill
        cap_fraction = _min(MAX_POSITION_PCT / 100.0, LEVERAGE_CAP)
        quantity = _min(quantity, equity * cap_fraction / fill)
        quantity = _min(quantity, (equity * LEVERAGE_CAP - 0.0) / fill)
        if sign > 0 and LEVERAGE_CAP <= 1.0:
            quantity = _min(quantity, self.cash / (1.0 + self.fee) / fill)
        if not (math.isfinite(quantity) and quantity >= MINIMUM_QUANTITY):
            return None
        return quantity

    def levels(self, sign, fill):
        """(stop, target, trailing activation) levels of a position filled at `fill`."""
        stop = fill * (1.0 - sign * (STOP_LOSS_PCT / 100.0)) if STOP_LOSS_PCT is not None else None
        target = (
            fill * (1.0 + sign * (TAKE_PROFIT_PCT / 100.0)) if TAKE_PROFIT_PCT is not None else None
        )
        activation = (
            fill * (1.0 + sign * (TRAIL_ACTIVATION_PCT / 100.0))
            if TRAIL_ACTIVATION_PCT is not None
            else None
        )
        return stop, target, activation

    def open_position(self, sign, price, t, volatility_now):
        fill = price * (1.0 + sign * self.adjustment)
        quantity = self.quantity(sign, fill, volatility_now)
        if quantity is None:
            return
        value = quantity * fill
        commission = value * self.fee
        if sign > 0:
            self.cash -= value + commission
        else:
            self.cash += value - commission
        stop, target, activation = self.levels(sign, fill)
        trail = TRAIL_PCT / 100.0 if TRAIL_PCT is not None else 0.0
        self.position_ = Position(sign, quantity, fill, t, commission, stop, target, activation, trail)

    def close_position(self, price, t, reason):
        position, self.position_ = self.position_, None
        fill = price * (1.0 - position.sign * self.adjustment)
        value = position.quantity * fill
        commission = value * self.fee
        if position.sign > 0:
            self.cash += value - commission
        else:
            self.cash -= value + commission
        gross = (fill - position.entry_price) * position.quantity * position.sign
        total_commission = position.entry_commission + commission
        net = gross - total_commission
        self.consecutive_losses = self.consecutive_losses + 1 if net < 0.0 else 0
        self.ledger_trades.append(
            {
                "side": "long" if position.sign > 0 else "short",
                "entry_bar": position.entry_bar,
                "entry_price": position.entry_price,
                "exit_bar": t,
                "exit_price": fill,
                "exit_price_before_costs": price,
                "quantity": position.quantity,
                "net_pnl": net,
                "exit_reason": reason,
            }
        )

    def marked(self, price):
        position = self.position_
        return 0.0 if position is None else position.sign * position.quantity * price

    # One bar of Gauntlet's engine, with backtesting.py's broker kept in step.

    def step(self, t):
        o, h, low, c = self.opens[t], self.highs[t], self.lows[t], self.closes[t]
        if DAILY_LOSS_LIMIT_PCT is not None and self.days[t] != self.day:
            self.day = self.days[t]
            self.day_start_equity = self.previous_equity
            self.entries_blocked_today = False

        # 1. The order decided at the last close fills at this open.
        pending, self.pending = self.pending, None
        if pending is not None:
            kind, what = pending
            if kind == "exit":
                self.close_position(o, t, what)
            elif self.position_ is None:
                self.open_position(what, o, t, self.volatility_at(max(t - 1, 0)))

        # 2. Intrabar protective exits, then the trailing stop's best price.
        position = self.position_
        if position is not None and t >= position.entry_bar:
            hit = position.intrabar_exit(o, h, low)
            if hit is not None:
                self.close_position(hit[0], t, hit[1])
            else:
                position.track_extreme(h, low)
        self.check_broker(t)
        if self.position_ is not None and TRAIL_PCT is not None:
            self.place_stop(self.position_)

        # 3. Risk limits on the close.
        marked = self.cash + self.marked(c)
        self.peak = max(self.peak, marked)
        risk_exit = False
        if (
            self.halted_at_bar is None
            and MAX_DRAWDOWN_HALT_PCT is not None
            and marked <= self.peak * (1.0 - MAX_DRAWDOWN_HALT_PCT / 100.0)
        ):
            self.halted_at_bar = t
            risk_exit = self.position_ is not None
        if DAILY_LOSS_LIMIT_PCT is not None and marked <= self.day_start_equity * (
            1.0 - DAILY_LOSS_LIMIT_PCT / 100.0
        ):
            self.entries_blocked_today = True

        # 4. Decisions on the close, to fill at the next open.
        last = t == self.last_bar
        position = self.position_
        reason = "risk_halt" if risk_exit else (
            self.exit_signal(position, t) if position is not None else None
        )
        if reason is not None:
            if not last:
                self.pending = ("exit", reason)
                for trade in self.trades:
                    trade.sl = None  # the exit fills at the open, before any stop of the next bar
                    trade.tp = None
                    trade.close()
        elif (
            position is None
            and self.halted_at_bar is None
            and not self.entries_blocked_today
            and (CONSECUTIVE_LOSS_LIMIT is None or self.consecutive_losses < CONSECUTIVE_LOSS_LIMIT)
        ):
            sign = self.entry_side(t)
            if sign is not None and not last:
                self.pending = ("entry", sign)
                self.send_entry(sign, t)
        if last and self.position_ is not None:
            self.close_position(c, t, "end_of_data")
        self.previous_equity = self.cash + self.marked(c)

    def send_entry(self, sign, t):
        """The order for an entry decided at bar t: sized, with its levels, at bar t+1's fill."""
        fill = self.opens[t + 1] * (1.0 + sign * self.adjustment)
        quantity = self.quantity(sign, fill, self.volatility_at(t))
        if quantity is None:
            return
        units = math.floor(quantity / UNIT)
        order = self.buy(size=units) if sign > 0 else self.sell(size=units)
        stop, target, activation = self.levels(sign, fill)
        trail = TRAIL_PCT / 100.0 if TRAIL_PCT is not None else 0.0
        protective = Position(sign, quantity, fill, t + 1, 0.0, stop, target, activation, trail)
        level = protective.protective_level()
        # Attached after the order is made: backtesting.py checks levels against the current close,
        # and Gauntlet's are relative to the fill.
        order._replace(
            sl_price=level[0] * UNIT if level is not None else None,
            tp_price=target * UNIT if target is not None else None,
        )

    def place_stop(self, position):
        """Moves backtesting.py's stop to the trailing stop's new level, when it moved."""
        level = position.protective_level()
        for trade in self.trades:
            wanted = level[0] * UNIT if level is not None else None
            if trade.sl != wanted:
                trade.sl = wanted

    def check_broker(self, t):
        """Stops the run when backtesting.py's broker and Gauntlet's ledger hold different positions."""
        broker_open = len(self.trades) > 0
        if broker_open != (self.position_ is not None):
            raise DivergedError(
                f"bar {t} ({self.data.index[-1]}): backtesting.py "
                f"{'holds' if broker_open else 'does not hold'} a position, Gauntlet's engine "
                f"{'does' if self.position_ is not None else 'does not'}"
            )
        closed = self.closed_trades
        for trade in closed[self.closed_seen :]:
            ledger = self.ledger_trades[self.closed_seen] if self.closed_seen < len(self.ledger_trades) else None
            price = trade.exit_price / UNIT
            if ledger is None or ledger["exit_bar"] != t or price != ledger["exit_price_before_costs"]:
                raise DivergedError(
                    f"bar {t} ({self.data.index[-1]}): backtesting.py closed a trade at {price}, "
                    f"Gauntlet's engine {'did not' if ledger is None else 'at ' + str(ledger['exit_price_before_costs'])}"
                )
            self.closed_seen += 1


def _read_csv(path):
    """A CSV file with every number read back to the bit (pandas before 3.1 needs asking)."""
    major, minor = (int(part) for part in pd.__version__.split(".")[:2])
    if (major, minor) >= (3, 1):
        return pd.read_csv(path)
    return pd.read_csv(path, float_precision="round_trip")


# Reading bars as Gauntlet's importer reads them (gauntlet-data's `import_csv` with its default
# options, or the --sep, --decimal-comma and --time-unit flags of `gauntlet data import`), so the
# module trades the bars Gauntlet trades; what Gauntlet refuses, the module refuses.
_MISSING = {"", "null", "none", ".", "na", "n/a", "#n/a", "-"}
_EARLIEST_MS = -2_208_988_800_000  # 1900-01-01T00:00:00Z
_END_MS = 7_289_654_400_000  # 2201-01-01T00:00:00Z: years 1900-2200 only
_EPOCH_UNITS = {"s": (1000, 1), "ms": (1, 1), "us": (1, 1000), "ns": (1, 1_000_000)}
_MAX_PRICE = 1e12
_MAX_VOLUME = 1e18


def _normalise(name):
    """A column name for matching: lower case, without spaces, _, -, <, >, quotes and BOM."""
    return "".join(c for c in name if c not in " _-<>\"'\ufeff").lower()


def _epoch_ms(value, unit):
    """Milliseconds of an epoch count in `unit` (finer units rounded down), or None when the date
    is outside the years 1900-2200."""
    multiply, divide = _EPOCH_UNITS[unit]
    millis = value * multiply // divide
    return millis if _EARLIEST_MS <= millis < _END_MS else None


def _epoch_unit(value):
    """The coarsest unit putting `value` in the years 1900-2200 (as Gauntlet tells units)."""
    return next((unit for unit in _EPOCH_UNITS if _epoch_ms(value, unit) is not None), "ms")


def _is_integer(text):
    digits = text[1:] if text.startswith("-") else text
    return digits.isascii() and digits.isdigit()


def _day_ms(year, month, day):
    import datetime

    return (datetime.date(year, month, day) - datetime.date(1970, 1, 1)).days * MILLIS_PER_DAY


def _time_of_day_ms(text):
    """HH:MM, HH:MM:SS or HH:MM:SS.fff as milliseconds after midnight; empty is midnight."""
    if not text:
        return 0
    parts = text.split(":")
    if len(parts) not in (2, 3) or not all(part.replace(".", "", 1).isdigit() for part in parts):
        raise ValueError
    hours, minutes = int(parts[0]), int(parts[1])
    seconds = float(parts[2]) if len(parts) == 3 else 0.0
    if hours > 23 or minutes > 59 or seconds >= 61:
        raise ValueError
    return hours * 3_600_000 + minutes * 60_000 + int(round(seconds * 1000))


def _iso_ms(text, zoned):
    import datetime

    text = text[:10] + "T" + text[11:] if len(text) > 10 and text[10] == " " else text
    if zoned:
        # RFC 3339, as Gauntlet reads it: the seconds are not optional.
        if len(text) < 20 or text[16] != ":":
            raise ValueError
        stamp = datetime.datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
        if stamp.tzinfo is None:
            raise ValueError
    else:
        stamp = datetime.datetime.fromisoformat(text)
        if stamp.tzinfo is not None or len(text) < 16:
            raise ValueError
        stamp = stamp.replace(tzinfo=datetime.timezone.utc)
    delta = stamp - datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
    return (delta.days * 86_400 + delta.seconds) * 1000 + delta.microseconds // 1000


def _time_format(text, unit):
    """The format a timestamp is written in (Gauntlet's detection order), or None."""
    if _is_integer(text):
        return "epoch:" + (unit or _epoch_unit(int(text)))
    for form, day_first in (
        ("iso_date", False),
        ("iso_zoned", False),
        ("iso_naive", False),
        ("dots", False),
        ("slash", False),
        ("slash", True),  # 13/1/2021: which number is the month is decided over the whole file
    ):
        try:
            _parse_time(form, text, day_first)
            return form
        except (ValueError, OverflowError):
            pass
    return None


def _parse_time(form, text, day_first):
    """Milliseconds of `text` in `form`; a slash date in day/month order when `day_first`."""
    if form.startswith("epoch:"):
        if not _is_integer(text):
            raise ValueError
        millis = _epoch_ms(int(text), form[6:])
        if millis is None:
            raise ValueError
        return millis
    if form == "iso_date":
        if len(text) != 10 or text[4] != "-" or text[7] != "-":
            raise ValueError
        return _day_ms(int(text[:4]), int(text[5:7]), int(text[8:]))
    if form in ("iso_zoned", "iso_naive"):
        return _iso_ms(text, form == "iso_zoned")
    date, _, time = text.partition(" ")
    if form == "dots":
        day, month, year = date.split(".")
        if len(date) < 8 or len(year) != 4:
            raise ValueError
        return _day_ms(int(year), int(month), int(day)) + _time_of_day_ms(time.strip())
    first, second, year = (int(part) for part in date.split("/"))
    if year < 1000 or not (1 <= first <= 31 and 1 <= second <= 31):
        raise ValueError
    month, day = (second, first) if day_first else (first, second)
    return _day_ms(year, month, day) + _time_of_day_ms(time.strip())


def _open_text(path):
    """The file's text: gzip told by its content, a UTF-8 byte-order mark dropped; UTF-16 and
    JSON candles refused (Gauntlet imports those; export them as CSV with `gauntlet data export`)."""
    import gzip

    with open(path, "rb") as file:
        raw = file.read()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in raw[:64]:
        raise ValueError(f"{path}: UTF-16 text; save it as UTF-8")
    text = raw.decode("utf-8-sig")
    if text.lstrip()[:1] in ("[", "{"):
        raise ValueError(
            f"{path}: JSON candles; import them with `gauntlet data import` and write a CSV with "
            "`gauntlet data export NAME --to FILE.csv`"
        )
    return text


def load_bars(path, sep=",", decimal_comma=False, time_unit=None):
    """Bars from a CSV file for backtesting.py: Open, High, Low, Close (and Volume), indexed by time.

    Read as Gauntlet reads a bars file (`gauntlet backtest --data`): columns found by name in any
    order and case (a pandas index column is skipped unless it is the only candidate for the time;
    a separate date and time pair is joined; a close-only file trades on closes); ISO dates and
    date-times (a zone converted to UTC), dd.mm.yyyy, m/d/yyyy or d/m/yyyy decided over the file,
    epoch seconds, milliseconds, microseconds or nanoseconds told by magnitude (or `time_unit`);
    rows without any price dropped; a descending file reversed. Anything Gauntlet refuses
    (a bad price, a row out of order, a date outside 1900-2200, ...) raises ValueError naming the
    line."""
    import csv
    import io

    rows = [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(_open_text(path)), delimiter=sep)]
    rows = [row for row in rows if row and any(row)]
    if len(rows) < 2:
        raise ValueError(f"{path}: no data rows")
    names = [_normalise(name) for name in rows[0]]
    named = [name for name in names if name]
    if len(named) != len(set(named)):
        raise ValueError(f"{path}, line 1: two columns have the same name; rename one")

    def find(*candidates):
        return next((names.index(name) for name in candidates if name in names), None)

    def missing(column):
        if len(names) == 1 and any(mark in rows[0][0] for mark in ";\t|,"):
            return ValueError(f"{path}, line 1: the header is one column; is the file separated by another character (--sep)?")
        return ValueError(f"{path}, line 1: no {column} column (the header has: {', '.join(rows[0])})")

    time = find("timestamp", "datetime", "gmttime", "localtime", "ts", "opentime")
    time_of_day = None
    if time is None:
        date, clock = find("date"), find("time")
        time, time_of_day = (date, clock) if date is not None else (clock, None)
    if time is None:
        if names[0] == "" and len(names) > 1:
            time = 0
        else:
            raise missing("timestamp")
    open_, high, low = find("open"), find("high"), find("low")
    adjusted = find("adjclose", "adjustedclose")
    volume = find("volume", "vol", "tickvolume", "tickvol")
    close = find("close", "last", "price")
    ohlc = any(column is not None for column in (open_, high, low))
    if close is None:
        if ohlc:
            raise missing("close")
        used = {time, time_of_day, volume, adjusted}
        candidates = [index for index in range(len(names)) if index not in used]
        if len(candidates) != 1:
            raise ValueError(f"{path}, line 1: no close column, and {len(candidates)} columns could be the close")
        close = candidates[0]
    if ohlc and None in (open_, high, low):
        raise missing(("open", "high", "low")[(open_, high, low).index(None)])

    def number(text, line, column):
        if decimal_comma:
            if "." in text:
                raise ValueError(f"{path}, line {line}: '{text}' is not a number with a decimal comma")
            text = text.replace(",", ".")
        try:
            if "_" in text:
                raise ValueError
            return float(text)
        except ValueError:
            raise ValueError(f"{path}, line {line}, column '{rows[0][column]}': '{text}' is not a number") from None

    kept, texts = [], []
    for line, row in enumerate(rows[1:], start=2):
        if len(row) != len(names):
            raise ValueError(f"{path}, line {line}: the row has {len(row)} fields but the header has {len(names)}")
        prices = [row[index] for index in ((open_, high, low, close) if ohlc else (close,))]
        if all(price.lower() in _MISSING for price in prices):
            continue  # a market holiday
        if any(price.lower() in _MISSING for price in prices):
            raise ValueError(f"{path}, line {line}: a price is missing while others are present")
        values = [number(price, line, close) for price in prices]
        o, h, l, c = values if ohlc else values * 4
        v = 0.0
        if volume is not None:
            if row[volume].lower() in _MISSING:
                raise ValueError(f"{path}, line {line}: the volume is missing while the prices are present")
            v = number(row[volume], line, volume)
        if not all(math.isfinite(x) for x in (o, h, l, c, v)) or min(o, h, l, c) <= 0.0 or v < 0.0:
            raise ValueError(f"{path}, line {line}: prices must be finite and positive, the volume finite and >= 0")
        if max(o, h, l, c) > _MAX_PRICE or v > _MAX_VOLUME or h < l or h < max(o, c) or l > min(o, c):
            raise ValueError(f"{path}, line {line}: prices must have low <= open, close <= high")
        stamp = row[time] if time_of_day is None else f"{row[time]} {row[time_of_day]}"
        if stamp.lower() in _MISSING:
            raise ValueError(f"{path}, line {line}: the timestamp is missing")
        kept.append((line, o, h, l, c, v))
        texts.append(stamp)
    if not kept:
        raise ValueError(f"{path}: no data rows")
    form = _time_format(texts[0], time_unit)
    if form is None:
        raise ValueError(f"{path}, line {kept[0][0]}: unknown date format '{texts[0]}'")
    day_first = form == "slash" and any(int(text.split("/")[0]) > 12 for text in texts)
    times = []
    for (line, *_), text in zip(kept, texts):
        try:
            millis = _parse_time(form, text, day_first)
        except (ValueError, OverflowError):
            raise ValueError(f"{path}, line {line}: '{text}' is not in the file's date format") from None
        if not _EARLIEST_MS <= millis < _END_MS:
            raise ValueError(f"{path}, line {line}: '{text}' is outside the years 1900-2200")
        times.append(millis)
    if len(times) >= 2 and times[0] > times[-1]:
        times.reverse()
        kept.reverse()
    for index in range(1, len(times)):
        if times[index] <= times[index - 1]:
            raise ValueError(f"{path}, line {kept[index][0]}: timestamps must be strictly increasing")
    _check_grid(path, times, kept)
    if len(kept) < 2:
        raise ValueError(f"{path}: fewer than two bars")
    columns = list(zip(*kept))
    bars = pd.DataFrame(
        {"Open": columns[1], "High": columns[2], "Low": columns[3], "Close": columns[4], "Volume": columns[5]},
        index=pd.to_datetime(np.array(times, dtype="int64"), unit="ms"),
    )
    return bars


def _check_grid(path, times, kept):
    """Intraday bars off the grid the others keep are refused, as Gauntlet refuses them."""
    from collections import Counter

    if len(times) < 10:
        return
    spacing = min(Counter(np.diff(times).tolist()).most_common(), key=lambda item: (-item[1], item[0]))[0]
    if not 60_000 <= spacing < MILLIS_PER_DAY:
        return
    phases = Counter(time % spacing for time in times)
    phase, count = min(phases.most_common(), key=lambda item: (-item[1], item[0]))
    if count * 100 < len(times) * 95:
        return
    for time, (line, *_) in zip(times, kept):
        if time % spacing != phase:
            raise ValueError(f"{path}, line {line}: off the {spacing // 60_000}-minute grid of the other bars")


def backtest(bars, **parameters):
    """Runs the strategy on `bars` (see `load_bars`); `parameters` override the trading conditions
    (commission_bps, spread_bps, slippage_bps, initial_capital, bars_per_year). Returns
    backtesting.py's statistics."""
    spread = (
        parameters.get("spread_bps", SPREAD_BPS) / 2.0 + parameters.get("slippage_bps", SLIPPAGE_BPS)
    ) / 10_000.0
    engine = FractionalBacktest(
        bars,
        GauntletStrategy,
        cash=parameters.get("initial_capital", INITIAL_CAPITAL),
        commission=parameters.get("commission_bps", COMMISSION_BPS) / 10_000.0,
        spread=spread,
        # Gauntlet sizes the orders itself; a margin below 1 only keeps backtesting.py from
        # refusing an order a hair larger than its own arithmetic of the cash allows.
        margin=1.0 / (2.0 * max(1.0, LEVERAGE_CAP)),
        fractional_unit=UNIT,
        finalize_trades=False,
    )
    with warnings.catch_warnings():
        # The position Gauntlet closes at the last close is left open here, on purpose (see above).
        warnings.filterwarnings("ignore", message="Some trades remain open")
        return engine.run(**parameters)


def trades_table(stats, bars):
    """backtesting.py's trades in `gauntlet backtest --trades-out` terms (the one left open at the end
    last, without an exit), with Gauntlet's exit reason from the module's ledger."""
    strategy = stats["_strategy"]
    rows = []
    for row in stats["_trades"].itertuples():
        rows.append(
            {
                "side": "long" if row.Size > 0 else "short",
                "entry_time": row.EntryTime,
                "entry_price": row.EntryPrice,
                "exit_time": row.ExitTime,
                "exit_price": row.ExitPrice,
                "quantity": abs(row.Size),
            }
        )
    for trade in strategy.trades:
        rows.append(
            {
                "side": "long" if trade.size > 0 else "short",
                "entry_time": bars.index[trade.entry_bar],
                "entry_price": trade.entry_price / UNIT,
                "exit_time": None,
                "exit_price": None,
                "quantity": abs(trade.size) * UNIT,
            }
        )
    for row, ledger in zip(rows, strategy.ledger_trades):
        row["exit_reason"] = ledger["exit_reason"] if row["exit_time"] is not None else "open"
    if rows and rows[-1]["exit_time"] is None:
        rows[-1]["exit_reason"] = "open"
    return pd.DataFrame(
        rows,
        columns=["side", "entry_time", "entry_price", "exit_time", "exit_price", "quantity", "exit_reason"],
    )


def _utc_times(trades):
    """The trades with their times as `gauntlet backtest --trades-out` writes them (ISO 8601, UTC)."""
    trades = trades.copy()
    for column in ("entry_time", "exit_time"):
        trades[column] = [
            "" if pd.isna(t) else pd.Timestamp(t).strftime("%Y-%m-%dT%H:%M:%SZ")
            for t in trades[column]
        ]
    return trades


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("data", help="bars: a CSV file with timestamp, open, high, low, close")
    parser.add_argument("--sep", default=",", help="the field separator (';', '|', '\\t' for tab)")
    parser.add_argument("--decimal-comma", action="store_true", help="numbers written 1,5")
    parser.add_argument("--time-unit", choices=["s", "ms", "us", "ns"], help="epoch timestamps' unit")
    parser.add_argument("--commission-bps", type=float, default=COMMISSION_BPS)
    parser.add_argument("--spread-bps", type=float, default=SPREAD_BPS)
    parser.add_argument("--slippage-bps", type=float, default=SLIPPAGE_BPS)
    parser.add_argument("--capital", type=float, default=INITIAL_CAPITAL)
    parser.add_argument("--bars-per-year", type=float, default=BARS_PER_YEAR)
    parser.add_argument(
        "--trades-out", help="write backtesting.py's trades to this CSV file (- for standard output)"
    )
    arguments = parser.parse_args(argv)
    separator = "\t" if arguments.sep in ("\\t", "tab") else arguments.sep
    bars = load_bars(arguments.data, separator, arguments.decimal_comma, arguments.time_unit)
    stats = backtest(
        bars,
        commission_bps=arguments.commission_bps,
        spread_bps=arguments.spread_bps,
        slippage_bps=arguments.slippage_bps,
        initial_capital=arguments.capital,
        bars_per_year=arguments.bars_per_year,
    )
    # With the trades on standard output, the statistics go to standard error.
    report = sys.stderr if arguments.trades_out == "-" else sys.stdout
    print(stats.drop(["_strategy", "_equity_curve", "_trades"]).to_string(), file=report)
    strategy = stats["_strategy"]
    print(
        f"\nGauntlet's ledger: {len(strategy.ledger_trades)} trades, final equity {strategy.cash:.2f}"
        " (every fill paying half the spread and the slippage; an open position closed at the last"
        " close)",
        file=report,
    )
    if arguments.trades_out == "-":
        _utc_times(trades_table(stats, bars)).to_csv(sys.stdout, index=False)
    elif arguments.trades_out:
        # Written beside the target and renamed: a run killed meanwhile leaves the old file whole.
        target = os.path.realpath(arguments.trades_out)
        temporary = f"{target}.{os.getpid()}.tmp"
        try:
            _utc_times(trades_table(stats, bars)).to_csv(temporary, index=False)
            os.replace(temporary, target)
        finally:
            if os.path.exists(temporary):
                os.remove(temporary)
        print(f"Wrote {arguments.trades_out}")


if __name__ == "__main__":
    try:
        main()
    except BrokenPipeError:
        sys.exit(0)
    except (OSError, ValueError, KeyError) as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(2)
