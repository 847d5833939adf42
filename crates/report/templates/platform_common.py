# The genome, as Gauntlet reads it (for reference; the code below is generated from it).
GENOME_JSON = r"""
{{ genome_json }}
"""

# Trading conditions (the run's, or `gauntlet backtest`'s defaults); each is a setting of the
# strategy's config and a flag of the command line.
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
FORMULA_EXITS = {{ "True" if formula and formula.exits else "False" }}  # exit formulas (reason "formula")
SIZING = "{{ sizing }}"  # fixed_fraction, risk_per_trade, volatility_target or all_in
SIZING_PCT = {{ sizing_pct }}  # fraction of equity, risk per trade or annual volatility target
MAX_POSITION_PCT = {{ max_position_pct }}
LEVERAGE_CAP = {{ leverage_cap }}
DAILY_LOSS_LIMIT_PCT = {{ daily_loss_limit_pct }}
MAX_DRAWDOWN_HALT_PCT = {{ max_drawdown_halt_pct }}
CONSECUTIVE_LOSS_LIMIT = {{ consecutive_loss_limit }}

# A strict backtest runner gives a formula genome's conditions over its data at once and checks them
# against the formulas computed over the bars up to every this many bars (as a live strategy does).
FORMULA_CHECK_EVERY = 20

MINIMUM_QUANTITY = 1e-8  # orders for fewer units are not sent (as Gauntlet and vectorbt)
MILLIS_PER_DAY = 86_400_000
NAN = float("nan")

# What this platform does differently from Gauntlet's engine, and how the module handles it (also
# printed by `gauntlet export` as `note:` lines and asserted by Gauntlet's checker).
NOTES = [
{% for note in notes %}    "{{ note }}",
{% endfor %}]


# Indicators, fed one bar at a time: gauntlet-indicators' definitions (TA-Lib compatible) in the
# same floating-point operations and order, so every value is the same to the bit as Gauntlet's.
# Each `update` takes the newest bar's value(s) and returns the indicator's value on that bar (NaN
# during warm-up); memory is bounded by the period.


class Sma:
    """Simple moving average: a running sum over the last `period` values."""

    def __init__(self, period):
        self.period, self.window, self.total = period, deque(), 0.0

    def update(self, value):
        self.total += value
        self.window.append(value)
        if len(self.window) > self.period:
            self.total -= self.window.popleft()
        return self.total / self.period if len(self.window) == self.period else NAN


class Ema:
    """Exponential moving average, seeded with the SMA of the first `period` values (TA-Lib); NaN
    inputs before the first value are skipped (the MACD signal line starts with the MACD line)."""

    def __init__(self, period):
        self.period, self.smoothing = period, 2.0 / (period + 1.0)
        self.seen, self.seed, self.current = 0, 0.0, None

    def update(self, value):
        if self.current is None:
            if value != value:  # NaN: the series has not started
                return NAN
            self.seen += 1
            self.seed += value
            if self.seen == self.period:
                self.current = self.seed / self.period
        else:
            self.current = (value - self.current) * self.smoothing + self.current
        return NAN if self.current is None else self.current


class Rsi:
    """Wilder's RSI, 0-100 (0 when prices did not move)."""

    def __init__(self, period):
        self.period, self.previous, self.changes = period, None, 0
        self.gain_average, self.loss_average = 0.0, 0.0

    def update(self, value):
        if self.previous is None:
            self.previous = value
            return NAN
        change = value - self.previous
        self.previous = value
        gain, loss = (change, 0.0) if change > 0.0 else (0.0, -change)
        self.changes += 1
        period = self.period
        if self.changes <= period:
            self.gain_average += gain
            self.loss_average += loss
            if self.changes < period:
                return NAN
            self.gain_average /= period
            self.loss_average /= period
        else:
            self.gain_average = (self.gain_average * (period - 1.0) + gain) / period
            self.loss_average = (self.loss_average * (period - 1.0) + loss) / period
        total = self.gain_average + self.loss_average
        return 0.0 if total == 0.0 else 100.0 * self.gain_average / total


class Roc:
    """Rate of change over `period` bars, a fraction."""

    def __init__(self, period):
        self.period, self.window = period, deque()

    def update(self, value):
        self.window.append(value)
        if len(self.window) <= self.period:
            return NAN
        return value / self.window.popleft() - 1.0


class _Moments:
    """Rolling (count, sum, sum of squares) of values shifted by the first value (for stability)."""

    def __init__(self, period):
        self.period, self.window, self.total, self.squares, self.anchor = period, deque(), 0.0, 0.0, None

    def update(self, value):
        if self.anchor is None:
            self.anchor = value
        shifted = value - self.anchor
        self.window.append(shifted)
        self.total += shifted
        self.squares += shifted * shifted
        if len(self.window) > self.period:
            leaving = self.window.popleft()
            self.total -= leaving
            self.squares -= leaving * leaving
        return len(self.window) == self.period


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


class StdDev:
    """Rolling population standard deviation."""

    def __init__(self, period):
        self.moments = _Moments(period)

    def update(self, value):
        moments = self.moments
        if not moments.update(value):
            return NAN
        count = float(moments.period)
        mean = moments.total / count
        return math.sqrt(_max(moments.squares / count - mean * mean, 0.0))


def bollinger_upper(middle, deviation, width):
    """Upper Bollinger band: SMA + width x population standard deviation."""
    return middle + width * deviation


def bollinger_lower(middle, deviation, width):
    """Lower Bollinger band: SMA - width x population standard deviation."""
    return middle - width * deviation


def zscore(value, middle, deviation):
    """(value - SMA) / population standard deviation; NaN when the deviation is 0."""
    return (value - middle) / deviation if deviation > 0.0 else NAN


class Atr:
    """Wilder's average true range, in price units."""

    def __init__(self, period):
        self.period, self.previous, self.ranges, self.current = period, None, 0, 0.0

    def update(self, high, low, close):
        if self.previous is None:
            self.previous = close
            return NAN
        previous = self.previous
        true_range = _max(_max(high - low, abs(high - previous)), abs(low - previous))
        self.previous = close
        self.ranges += 1
        period = self.period
        if self.ranges <= period:
            self.current += true_range
            if self.ranges < period:
                return NAN
            self.current /= period
        else:
            self.current = (self.current * (period - 1.0) + true_range) / period
        return self.current


class Volatility:
    """Rolling sample standard deviation of simple returns, per bar (for volatility targeting)."""

    def __init__(self, period):
        self.moments, self.previous = _Moments(period), None

    def update(self, close):
        previous, self.previous = self.previous, close
        if previous is None:
            return NAN
        moments = self.moments
        if not moments.update(close / previous - 1.0):
            return NAN
        count = float(moments.period)
        return math.sqrt(_max((moments.squares - moments.total * moments.total / count) / (count - 1.0), 0.0))


class DonchianUpper:
    """Highest high of the last `period` bars, this one included."""

    def __init__(self, period):
        self.window = deque(maxlen=period)

    def update(self, high):
        self.window.append(high)
        return max(self.window) if len(self.window) == self.window.maxlen else NAN


class DonchianLower:
    """Lowest low of the last `period` bars, this one included."""

    def __init__(self, period):
        self.window = deque(maxlen=period)

    def update(self, low):
        self.window.append(low)
        return min(self.window) if len(self.window) == self.window.maxlen else NAN


def volatility_band(atr_value, close, lowest_pct, highest_pct):
    """ATR as a percentage of the close lies within [lowest_pct, highest_pct]."""
    percent = 100.0 * atr_value / close
    return percent >= lowest_pct and percent <= highest_pct


{% if formula %}{% include "formula_conditions.py" %}

{% endif %}class BarSignals:
    """What Gauntlet's rules read from one closed bar: its prices, the entry conditions of each side,
    the channel exit's conditions, the exit formulas' conditions and the volatility that sizes an
    entry decided on it."""

    __slots__ = ("open", "high", "low", "close", "long", "short", "channel_exit_long",
                 "channel_exit_short", "formula_exit_long", "formula_exit_short", "volatility")

    def __init__(self, open_, high, low, close, long, short, channel_exit_long, channel_exit_short,
                 volatility, formula_exit_long=False, formula_exit_short=False):
        self.open, self.high, self.low, self.close = open_, high, low, close
        self.long, self.short = long, short
        self.channel_exit_long, self.channel_exit_short = channel_exit_long, channel_exit_short
        self.formula_exit_long, self.formula_exit_short = formula_exit_long, formula_exit_short
        self.volatility = volatility


class GenomeRules:
    """The genome's indicator columns and conditions, fed one closed bar at a time (the bars seen so
    far only: nothing ahead). Each column is a list of its values by bar number."""

    def __init__(self):
        self.opens, self.highs, self.lows, self.closes, self.volumes = [], [], [], [], []
        self.times = []  # the bars' open times, ms since the epoch (UTC)
{% if formula %}        # The formulas' conditions by bar (see `formula_conditions`), and those given at once by
        # `known_formulas` for bars not yet fed.
        self.formula_long, self.formula_short, self.formula_exit_long, self.formula_exit_short = [], [], [], []
        self._formulas_known = None
        self._formula_check = (None, None)
{% endif %}{% for name, state, update in columns %}{% if state %}        self._{{ name }} = {{ state }}
{% endif %}        self.{{ name }} = []
{% endfor %}
    def update(self, open_, high, low, close, volume, time):
        """Takes the bar that just closed, `time` its open time (integer ms since the epoch, UTC:
        Gauntlet's bar time, which tf(...) groups into periods); returns its `BarSignals`."""
        t = len(self.closes)
        self.times.append(int(time))
        self.opens.append(open_)
        self.highs.append(high)
        self.lows.append(low)
        self.closes.append(close)
        self.volumes.append(volume)
{% if formula %}        self.update_formulas(t)
{% endif %}{% for name, state, update in columns %}        self.{{ name }}.append({{ update }})
{% endfor %}        long, short = self.entry_signals(t)
{% if channel %}        channel_exit_long = t > 0 and close < self.{{ channel[0] }}[t - 1]
        channel_exit_short = t > 0 and close > self.{{ channel[1] }}[t - 1]
{% else %}        channel_exit_long = channel_exit_short = False
{% endif %}        volatility = {% if volatility_column %}self.{{ volatility_column }}[t]{% else %}NAN{% endif %}
{% if formula %}        return BarSignals(open_, high, low, close, bool(long), bool(short), channel_exit_long,
                          channel_exit_short, volatility, self.formula_exit_long[t], self.formula_exit_short[t])
{% else %}        return BarSignals(open_, high, low, close, bool(long), bool(short), channel_exit_long,
                          channel_exit_short, volatility)
{% endif %}{% if formula %}
    def known_formulas(self, opens, highs, lows, closes, volumes, times, check_every=None, diverged=None):
        """Gives the formulas' conditions on bars given all at once (freqtrade's dataframe: the
        candles up to the newest closed one; the backtest runners: their data), computed in one
        pass: `update` then reads them for those bars (the same bars, in order) instead of computing
        the formulas again over the history on each bar (`times`: the bars' open times, integer ms
        since the epoch, UTC, as `update` takes them). Each bar's value depends on the bars up to
        it only; with `check_every`, every that many bars and on the last one `update` computes them
        over the bars fed so far as well and calls `diverged` (default: raises DivergedError) with
        a message where the two differ."""
        self._formulas_known = formula_conditions(
            np.asarray(opens, dtype=float), np.asarray(highs, dtype=float),
            np.asarray(lows, dtype=float), np.asarray(closes, dtype=float),
            np.asarray(volumes, dtype=float), np.asarray(times, dtype=np.int64),
        )
        self._formula_check = (check_every, diverged)

    def update_formulas(self, t):
        """The formulas' conditions on bar t, just fed: from `known_formulas`, or computed over the
        bars seen so far (each formula's value on a bar depends on the bars up to it only, and its
        recursive blocks on all of them, so the whole history is kept and read)."""
        known = self._formulas_known
        given = known is not None and t < len(known[0])
        every, diverged = self._formula_check if given else (None, None)
        if not given or (every is not None and (t % every == every - 1 or t == len(known[0]) - 1)):
            computed = formula_conditions(
                np.asarray(self.opens), np.asarray(self.highs), np.asarray(self.lows),
                np.asarray(self.closes), np.asarray(self.volumes, dtype=float),
                np.asarray(self.times, dtype=np.int64),
            )
            if given:
                now, before = [values[t] for values in computed], [values[t] for values in known]
                if now != before:
                    message = (
                        f"bar {t}: the formulas (long, short, exit long, exit short) over the bars up "
                        f"to it give {now}, over the bars given at once {before}"
                    )
                    if diverged is None:
                        raise DivergedError(message)
                    diverged(message)
            else:
                known = computed
        long, short, exit_long, exit_short = (values[t] for values in known)
        self.formula_long.append(long)
        self.formula_short.append(short)
        self.formula_exit_long.append(exit_long)
        self.formula_exit_short.append(exit_short)
{% endif %}
    # Entry conditions (generated from the genome).

    def entry_signals(self, t):
        """(long, short): whether each side's entry conditions hold at bar t's close."""
        close = self.closes  # noqa: F841 (read by the conditions below when they use the close)
{% if logic == "always" %}        return (True, True)
{% elif logic == "score" %}        score = self.score(t)
        return (score > {{ score.buy_above }}, score < {{ score.sell_below }})
{% elif logic == "formula" %}        return (self.formula_long[t], self.formula_short[t])
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

class DivergedError(RuntimeError):
    """The platform filled differently from Gauntlet's rules (raised in strict mode only)."""


class Position:
    """Gauntlet's open position: fill, size, costs so far and protective levels (prices)."""

    def __init__(self, sign, quantity, price, bar, commission, stop, target, activation, trail):
        self.sign = sign  # +1 long, -1 short
        self.quantity = quantity  # Gauntlet's (unrounded) quantity
        self.entry_price = price  # after spread and slippage
        self.entry_bar = bar
        self.entry_commission = commission
        self.stop_level = stop
        self.target_level = target
        self.trail_activation_level = activation
        self.trail_fraction = trail
        self.best_price = price

    def protective_level(self):
        """(level, reason) of the stop in force: the tighter of the stop-loss and an armed trailing
        stop; None without one."""
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

    def gap_exit(self, open_):
        """(price, reason) when the bar opens beyond the stop (checked first) or the target: Gauntlet
        fills that exit at the open."""
        long = self.sign > 0
        protective = self.protective_level()
        if protective is not None and (open_ <= protective[0] if long else open_ >= protective[0]):
            return (open_, protective[1])
        target = self.target_level
        if target is not None and (open_ >= target if long else open_ <= target):
            return (open_, "take_profit")
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


class GauntletAccount:
    """Gauntlet's account for one symbol, bar by bar, in its engine's order: (1) the order decided at
    the last close fills at this open; (2) an open position's stop (the tighter of the stop-loss and
    an armed trailing stop) and then its target are checked against the bar's range, a level gapped
    through filling at the open; (3) equity is marked at the close and the risk limits checked; (4)
    exits and entries are decided on the close, from data up to that close, to fill at the next open.

    The platform does the filling: the strategy tells the account at each open (`open_bar`, which
    returns the order to send), on each fill (`filled_entry`, `filled_exit`) and at each close
    (`close_bar`). Prices given to it are before costs (the open, or the stop or target level); it
    charges Gauntlet's half spread plus slippage and commission itself. It sizes every entry from its
    own cash (Gauntlet's quantity, before the platform's quantity step)."""

    def __init__(self, commission_bps, spread_bps, slippage_bps, initial_capital, bars_per_year,
                 strict=False):
        self.fee = commission_bps / 10_000.0
        self.adjustment = (spread_bps / 2.0 + slippage_bps) / 10_000.0
        self.bars_per_year = bars_per_year
        self.strict = strict
        self.cash = float(initial_capital)
        self.position = None
        self.pending = None  # ("entry", sign) or ("exit", reason), filling at the next open
        self.decision_volatility = NAN  # the volatility column on the bar an entry was decided
        self.peak = float(initial_capital)
        self.halted_at_bar = None
        self.day = None
        self.day_start_equity = float(initial_capital)
        self.entries_blocked_today = False
        self.consecutive_losses = 0
        self.previous_equity = float(initial_capital)
        self.trades = []  # Gauntlet's trades as this account saw them
        self.divergence = None  # the first fill that differed from Gauntlet's rules (strict mode)
        self.bar = -1  # the bar now open
        self.held_after_open = None  # the position the bar's range is checked against
        self.exit_this_bar = None  # (price, reason) of an exit filled after this bar's open

    def diverged(self, message):
        """Records the first way the platform differed from Gauntlet's rules and raises
        DivergedError (platforms that swallow a callback's exception still have the record)."""
        if self.divergence is None:
            self.divergence = message
        raise DivergedError(message)

    # (1) At the open.

    def open_bar(self, day):
        """Bar `self.bar + 1` opens on UTC `day` (days since the epoch): returns the order decided at
        the last close, to send now: ("exit", reason), ("entry", sign) (see `entry_quantity`), or
        None."""
        self.bar += 1
        self.exit_this_bar = None
        self.held_after_open = None
        if DAILY_LOSS_LIMIT_PCT is not None and day != self.day:
            self.day = day
            self.day_start_equity = self.previous_equity
            self.entries_blocked_today = False
        pending, self.pending = self.pending, None
        if pending is None:
            return None
        if pending[0] == "exit":
            return pending if self.position is not None else None
        return pending if self.position is None else None

    def entry_quantity(self, sign, open_):
        """Gauntlet's quantity for an entry on side `sign` filling at `open_` (before costs), sized
        with the volatility of the bar it was decided on; None below the minimum."""
        return self.quantity(sign, open_ * (1.0 + sign * self.adjustment), self.decision_volatility)

    def gap_exit(self, open_):
        """After the open's orders: (price, reason) when the position's stop or target lies at or
        beyond the open (Gauntlet fills it at the open), else None."""
        return None if self.position is None else self.position.gap_exit(open_)

    def protective_orders(self):
        """((stop level, its reason) or None, target level or None) for the bar now open: the levels
        a position's resting orders take, before costs."""
        position = self.position
        if position is None:
            return (None, None)
        return (position.protective_level(), position.target_level)

    # Fills.

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

    def filled_entry(self, sign, price, quantity):
        """The entry order filled at `price` (before costs) for Gauntlet's `quantity`."""
        fill = price * (1.0 + sign * self.adjustment)
        value = quantity * fill
        commission = value * self.fee
        if sign > 0:
            self.cash -= value + commission
        else:
            self.cash += value - commission
        stop = fill * (1.0 - sign * (STOP_LOSS_PCT / 100.0)) if STOP_LOSS_PCT is not None else None
        target = (
            fill * (1.0 + sign * (TAKE_PROFIT_PCT / 100.0)) if TAKE_PROFIT_PCT is not None else None
        )
        activation = (
            fill * (1.0 + sign * (TRAIL_ACTIVATION_PCT / 100.0))
            if TRAIL_ACTIVATION_PCT is not None
            else None
        )
        trail = TRAIL_PCT / 100.0 if TRAIL_PCT is not None else 0.0
        self.position = Position(sign, quantity, fill, self.bar, commission, stop, target, activation, trail)

    def filled_exit(self, price, reason, at_open):
        """The position's exit filled at `price` (before costs) for `reason`; `at_open`: the order
        sent at this bar's open (a decided exit or a gap), not a resting stop or target."""
        position, self.position = self.position, None
        if not at_open:
            self.exit_this_bar = (price, reason)
        fill = price * (1.0 - position.sign * self.adjustment)
        value = position.quantity * fill
        commission = value * self.fee
        if position.sign > 0:
            self.cash += value - commission
        else:
            self.cash -= value + commission
        gross = (fill - position.entry_price) * position.quantity * position.sign
        net = gross - (position.entry_commission + commission)
        self.consecutive_losses = self.consecutive_losses + 1 if net < 0.0 else 0
        self.trades.append(
            {
                "side": "long" if position.sign > 0 else "short",
                "entry_bar": position.entry_bar,
                "entry_price": position.entry_price,
                "exit_bar": self.bar,
                "exit_price": fill,
                "quantity": position.quantity,
                "net_pnl": net,
                "exit_reason": reason,
            }
        )

    def opened(self):
        """Marks the end of the open's orders (call it after their fills, or when there were none):
        the position now held is the one this bar's range is checked against (Gauntlet's step 2)."""
        self.held_after_open = self.position

    def marked(self, price):
        position = self.position
        return 0.0 if position is None else position.sign * position.quantity * price

    # (2) to (4) At the close.

    def close_bar(self, bar, last=False):
        """The bar now open closed with `bar` (its `BarSignals`); `last`: the data ends here (no order
        is left pending). Returns "end_of_data" when a position is open at the last close (Gauntlet
        closes it there; the caller sends that order), else None."""
        t = self.bar
        held = self.held_after_open
        self.held_after_open = None
        if held is not None:
            # What Gauntlet's engine does over this bar's range, checked against the platform.
            expected = held.intrabar_exit(bar.open, bar.high, bar.low)
            if self.strict and expected != self.exit_this_bar and not (
                expected is not None and self.exit_this_bar is not None
                and expected[1] == self.exit_this_bar[1]
                and abs(expected[0] - self.exit_this_bar[0]) <= 1e-9 * abs(expected[0])
            ):
                self.diverged(
                    f"bar {t}: Gauntlet's engine exits {expected}, the platform {self.exit_this_bar}"
                )
            if self.position is held:
                held.track_extreme(bar.high, bar.low)

        # (3) Risk limits on the close.
        marked = self.cash + self.marked(bar.close)
        self.peak = max(self.peak, marked)
        risk_exit = False
        if (
            self.halted_at_bar is None
            and MAX_DRAWDOWN_HALT_PCT is not None
            and marked <= self.peak * (1.0 - MAX_DRAWDOWN_HALT_PCT / 100.0)
        ):
            self.halted_at_bar = t
            risk_exit = self.position is not None
        if DAILY_LOSS_LIMIT_PCT is not None and marked <= self.day_start_equity * (
            1.0 - DAILY_LOSS_LIMIT_PCT / 100.0
        ):
            self.entries_blocked_today = True

        # (4) Decisions on the close, to fill at the next open.
        position = self.position
        reason = "risk_halt" if risk_exit else (
            self.exit_signal(position, bar, t) if position is not None else None
        )
        if reason is not None:
            if not last:
                self.pending = ("exit", reason)
        elif (
            position is None
            and self.halted_at_bar is None
            and not self.entries_blocked_today
            and (CONSECUTIVE_LOSS_LIMIT is None or self.consecutive_losses < CONSECUTIVE_LOSS_LIMIT)
        ):
            sign = self.entry_side(bar)
            if sign is not None and not last:
                self.pending = ("entry", sign)
                self.decision_volatility = bar.volatility
        self.previous_equity = self.cash + self.marked(bar.close)
        return "end_of_data" if last and self.position is not None else None

    def entry_side(self, bar):
        """+1 (long), -1 (short) or None: a both-ways strategy enters only when one side fires."""
        if DIRECTION == "long":
            return 1 if bar.long else None
        if DIRECTION == "short":
            return -1 if bar.short else None
        if bar.long and not bar.short:
            return 1
        if bar.short and not bar.long:
            return -1
        return None

    def exit_signal(self, position, bar, t):
        """The exit decided at bar t's close for an open position, if any."""
        if EXIT_ON_OPPOSITE_SIGNAL and (bar.short if position.sign > 0 else bar.long):
            return "signal"
        if FORMULA_EXITS and (bar.formula_exit_long if position.sign > 0 else bar.formula_exit_short):
            return "formula"
        if CHANNEL_EXIT and (bar.channel_exit_long if position.sign > 0 else bar.channel_exit_short):
            return "signal"
        if MAX_HOLDING_BARS is not None and t - position.entry_bar + 1 >= MAX_HOLDING_BARS:
            return "time_exit"
        return None


def read_bars(path):
    """Bars from a CSV file (timestamp, open, high, low, close[, volume]) as `gauntlet data export`
    writes them: a DataFrame with a UTC DatetimeIndex and float columns open, high, low, close,
    volume, every number read back to the bit. A close-only file trades on closes (open = high = low
    = close), as Gauntlet does."""
    major, minor = (int(part) for part in pd.__version__.split(".")[:2])
    if (major, minor) >= (3, 1):
        frame = pd.read_csv(path)
    else:
        frame = pd.read_csv(path, float_precision="round_trip")
    frame.columns = [str(name).strip().lower() for name in frame.columns]
    stamps = frame[frame.columns[0]]
    if pd.api.types.is_numeric_dtype(stamps):
        index = pd.to_datetime(stamps, unit="ms", utc=True)
    else:
        index = pd.to_datetime(stamps, utc=True, format="ISO8601")
    close = frame["close"].astype(float)
    bars = pd.DataFrame(
        {
            "open": frame["open"].astype(float) if "open" in frame else close,
            "high": frame["high"].astype(float) if "high" in frame else close,
            "low": frame["low"].astype(float) if "low" in frame else close,
            "close": close,
            "volume": frame["volume"].astype(float) if "volume" in frame else 0.0,
        }
    )
    bars.index = pd.DatetimeIndex(index)
    prices = bars[["open", "high", "low", "close"]].to_numpy()
    bad = ~(np.isfinite(prices) & (prices > 0.0)).all(axis=1)
    bad |= (bars["low"] > bars[["open", "close"]].min(axis=1)).to_numpy()
    bad |= (bars["high"] < bars[["open", "close"]].max(axis=1)).to_numpy()
    if bad.any():
        row = int(np.argmax(bad))
        raise ValueError(
            f"{path}: row {row + 2}: prices must be positive numbers with low <= open, close <= high"
        )
    steps = np.diff(bars.index.as_unit("ns").asi8)
    if (steps <= 0).any():
        row = int(np.argmax(steps <= 0)) + 1
        raise ValueError(f"{path}: row {row + 2}: timestamps must be strictly increasing")
    if len(bars) < 2:
        raise ValueError(f"{path}: fewer than two bars")
    return bars


TRADE_COLUMNS = ["side", "entry_time", "entry_price", "exit_time", "exit_price", "quantity", "exit_reason"]


def write_trades(trades, target):
    """Writes `trades` (a DataFrame of TRADE_COLUMNS, times as Timestamps) as CSV with times in ISO
    8601 UTC, as `gauntlet backtest --trades-out` writes them; `-` is standard output. A file is
    written beside the target and renamed, so a run killed meanwhile leaves the old one whole."""
    trades = trades.copy()
    for column in ("entry_time", "exit_time"):
        trades[column] = [
            "" if pd.isna(t) else pd.Timestamp(t).tz_convert("UTC").strftime("%Y-%m-%dT%H:%M:%SZ")
            for t in trades[column]
        ]
    if target == "-":
        trades.to_csv(sys.stdout, index=False)
        return
    target = os.path.realpath(target)
    temporary = f"{target}.{os.getpid()}.tmp"
    try:
        trades.to_csv(temporary, index=False)
        os.replace(temporary, target)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)
