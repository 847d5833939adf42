//! A genome (or an exported champion) as a Pine Script v6 `strategy()` for TradingView
//! (`templates/strategy.pine`).
//!
//! The indicator columns are written out in gauntlet-indicators' arithmetic (running sums, seeds and
//! smoothing in the same operations and order, not `ta.*`, whose seeds and rounding differ), so the
//! entry conditions and the channel-exit conditions hold on exactly the bars where Gauntlet's do;
//! each is plotted to the data window for checking (PineTS runs the script in CI and compares the
//! plots bar by bar with Gauntlet's). The orders are TradingView's broker emulator's: what it cannot
//! do as Gauntlet's engine does is listed in the script's header and returned to the caller
//! ([`pine_strategy`]).

use gauntlet_genome::{Direction, SizingMethod};
use minijinja::Environment;
use serde::Serialize;

use crate::error::ReportError;
use crate::strategy_code::StrategySource;
use crate::strategy_rules::{Dialect, EntryCode, Indicator, docstring, entry_and_channel_code};

/// The template's name (also its file under `templates/`).
const TEMPLATE: &str = "strategy.pine";

/// A Pine number literal that reads back as exactly `value`: Rust's shortest round-trip digits,
/// never in exponent form, always with a decimal point (so it is a float).
pub(crate) fn pine_number(value: f64) -> String {
    let text = format!("{value}");
    if text.contains('.') {
        text
    } else {
        format!("{text}.0")
    }
}

/// Pine over the current bar: a column's value is the series, the bar before is `[1]`.
const PINE: Dialect = Dialect {
    value: |name, before| {
        if before {
            format!("{name}[1]")
        } else {
            name.to_string()
        }
    },
    close: "close",
    after_first_bar: "bar_index > 0",
    number: pine_number,
    compare: |a, op, b| {
        let helper = match op {
            ">" => "gt",
            ">=" => "ge",
            "<" => "lt",
            _ => "le",
        };
        format!("{helper}({a}, {b})")
    },
    formulas: gauntlet_blocks::pine_expressions,
};

/// The Pine statements computing `indicator` (named [`Indicator::name`]) each bar, in
/// gauntlet-indicators' arithmetic; `na` during warm-up. Columns it depends on come first.
fn pine_block(indicator: Indicator) -> String {
    let name = indicator.name();
    match indicator {
        Indicator::Sma(period) => format!(
            "// SMA({period}) of the close: a running sum over the last {period} closes.\n\
             var float {name}_sum = 0.0\n\
             {name}_sum += close\n\
             if bar_index >= {period}\n    {name}_sum -= close[{period}]\n\
             float {name} = bar_index >= {last} ? {name}_sum / {period} : na\n",
            last = period - 1
        ),
        Indicator::Ema(period) => ema_block(&name, "close", period, "EMA({period}) of the close"),
        Indicator::MacdLine(fast, slow, _) => format!(
            "// MACD line: EMA({fast}) - EMA({slow}).\n\
             float {name} = ema_{fast} - ema_{slow}\n"
        ),
        Indicator::MacdSignal(fast, slow, signal) => ema_block(
            &name,
            &format!("macd_line_{fast}_{slow}_{signal}"),
            signal,
            "the MACD signal line: EMA({period}) of the MACD line, from its first value",
        ),
        Indicator::Rsi(period) => format!(
            "// RSI({period}), Wilder's smoothing seeded with the mean of the first {period} changes.\n\
             var float {name}_gain = 0.0\n\
             var float {name}_loss = 0.0\n\
             var int {name}_changes = 0\n\
             float {name} = na\n\
             if bar_index > 0\n    \
                 float {name}_change = close - close[1]\n    \
                 float {name}_up = gt({name}_change, 0.0) ? {name}_change : 0.0\n    \
                 float {name}_down = gt({name}_change, 0.0) ? 0.0 : -{name}_change\n    \
                 {name}_changes += 1\n    \
                 if {name}_changes <= {period}\n        \
                     {name}_gain += {name}_up\n        \
                     {name}_loss += {name}_down\n        \
                     if {name}_changes == {period}\n            \
                         {name}_gain := {name}_gain / {period}\n            \
                         {name}_loss := {name}_loss / {period}\n    \
                 else\n        \
                     {name}_gain := ({name}_gain * ({period} - 1.0) + {name}_up) / {period}\n        \
                     {name}_loss := ({name}_loss * ({period} - 1.0) + {name}_down) / {period}\n    \
                 if {name}_changes >= {period}\n        \
                     float {name}_total = {name}_gain + {name}_loss\n        \
                     {name} := math.sign({name}_total) == 0 ? 0.0 : 100.0 * {name}_gain / {name}_total\n"
        ),
        Indicator::Roc(period) => format!(
            "// ROC({period}): the rate of change over {period} bars, a fraction.\n\
             float {name} = bar_index >= {period} ? close / close[{period}] - 1.0 : na\n"
        ),
        Indicator::StdDev(period) => format!(
            "// Population standard deviation of the last {period} closes (running sums of the\n\
             // closes less the first close).\n\
             var float {name}_anchor = na\n\
             if na({name}_anchor)\n    {name}_anchor := close\n\
             float {name}_shifted = close - {name}_anchor\n\
             var float {name}_sum = 0.0\n\
             var float {name}_squares = 0.0\n\
             {name}_sum += {name}_shifted\n\
             {name}_squares += {name}_shifted * {name}_shifted\n\
             if bar_index >= {period}\n    \
                 {name}_sum -= {name}_shifted[{period}]\n    \
                 {name}_squares -= {name}_shifted[{period}] * {name}_shifted[{period}]\n\
             float {name} = na\n\
             if bar_index >= {last}\n    \
                 float {name}_mean = {name}_sum / {period}\n    \
                 {name} := math.sqrt(math.max({name}_squares / {period} - {name}_mean * {name}_mean, 0.0))\n",
            last = period - 1
        ),
        Indicator::BollingerUpper(period, hundredths) => format!(
            "// Upper Bollinger band: SMA({period}) + {width} deviations.\n\
             float {name} = sma_{period} + {hundredths} / 100.0 * stddev_{period}\n",
            width = f64::from(hundredths) / 100.0
        ),
        Indicator::BollingerLower(period, hundredths) => format!(
            "// Lower Bollinger band: SMA({period}) - {width} deviations.\n\
             float {name} = sma_{period} - {hundredths} / 100.0 * stddev_{period}\n",
            width = f64::from(hundredths) / 100.0
        ),
        Indicator::ZScore(period) => format!(
            "// Z-score of the close over {period} bars (na when the deviation is 0).\n\
             float {name} = gt(stddev_{period}, 0.0) ? (close - sma_{period}) / stddev_{period} : na\n"
        ),
        Indicator::Atr(period) => format!(
            "// ATR({period}), Wilder's smoothing of the true range from the second bar.\n\
             var float {name}_value = 0.0\n\
             var int {name}_ranges = 0\n\
             float {name} = na\n\
             if bar_index > 0\n    \
                 float {name}_range = math.max(math.max(high - low, math.abs(high - close[1])), math.abs(low - close[1]))\n    \
                 {name}_ranges += 1\n    \
                 if {name}_ranges <= {period}\n        \
                     {name}_value += {name}_range\n        \
                     if {name}_ranges == {period}\n            \
                         {name}_value := {name}_value / {period}\n    \
                 else\n        \
                     {name}_value := ({name}_value * ({period} - 1.0) + {name}_range) / {period}\n    \
                 if {name}_ranges >= {period}\n        \
                     {name} := {name}_value\n"
        ),
        Indicator::Volatility(period) => format!(
            "// Sample standard deviation of the last {period} simple returns, per bar.\n\
             var float {name}_anchor = na\n\
             var float {name}_sum = 0.0\n\
             var float {name}_squares = 0.0\n\
             var int {name}_count = 0\n\
             float {name}_shifted = na\n\
             float {name} = na\n\
             if bar_index > 0\n    \
                 float {name}_return = close / close[1] - 1.0\n    \
                 if na({name}_anchor)\n        {name}_anchor := {name}_return\n    \
                 {name}_shifted := {name}_return - {name}_anchor\n    \
                 {name}_sum += {name}_shifted\n    \
                 {name}_squares += {name}_shifted * {name}_shifted\n    \
                 {name}_count += 1\n    \
                 if {name}_count > {period}\n        \
                     {name}_sum -= {name}_shifted[{period}]\n        \
                     {name}_squares -= {name}_shifted[{period}] * {name}_shifted[{period}]\n    \
                 if {name}_count >= {period}\n        \
                     {name} := math.sqrt(math.max(({name}_squares - {name}_sum * {name}_sum / {period}) / ({period} - 1.0), 0.0))\n"
        ),
        Indicator::DonchianUpper(period) => format!(
            "// Highest high of the last {period} bars.\n\
             float {name}_all = ta.highest(high, {period})\n\
             float {name} = bar_index >= {last} ? {name}_all : na\n",
            last = period - 1
        ),
        Indicator::DonchianLower(period) => format!(
            "// Lowest low of the last {period} bars.\n\
             float {name}_all = ta.lowest(low, {period})\n\
             float {name} = bar_index >= {last} ? {name}_all : na\n",
            last = period - 1
        ),
    }
}

/// An EMA of `source` seeded with the mean of its first `period` values that are not `na`.
fn ema_block(name: &str, source: &str, period: u32, what: &str) -> String {
    let what = what.replace("{period}", &period.to_string());
    format!(
        "// {what}, seeded with the SMA of the first {period} values.\n\
         var float {name} = na\n\
         var float {name}_seed = 0.0\n\
         var int {name}_seen = 0\n\
         if not na({source})\n    \
             if na({name})\n        \
                 {name}_seed += {source}\n        \
                 {name}_seen += 1\n        \
                 if {name}_seen == {period}\n            \
                     {name} := {name}_seed / {period}\n    \
             else\n        \
                 {name} := ({source} - {name}) * (2.0 / ({period} + 1.0)) + {name}\n"
    )
}

/// Everything the template reads.
#[derive(Serialize)]
struct Context {
    name: String,
    title: String,
    gauntlet_version: String,
    rules_text: String,
    gate: &'static str,
    failed_checks: Vec<String>,
    provenance: Vec<(String, String)>,
    approximations: Vec<String>,
    initial_capital: String,
    commission_pct: String,
    bars_per_year: String,
    direction: &'static str,
    blocks: Vec<String>,
    #[serde(flatten)]
    entry: EntryCode,
    channel: Option<(String, String)>,
    exit_on_opposite_signal: bool,
    max_holding_bars: String,
    stop_loss_pct: String,
    take_profit_pct: String,
    trail_activation_pct: String,
    trail_pct: String,
    sizing: &'static str,
    sizing_pct: String,
    volatility_column: String,
    max_position_pct: String,
    leverage_cap: String,
    daily_loss_limit_pct: String,
    max_drawdown_halt_pct: String,
    consecutive_loss_limit: String,
}

/// `na` or the number.
fn optional(value: Option<f64>) -> String {
    value.map_or_else(|| "na".to_string(), pine_number)
}

/// The Pine Script v6 strategy for `source`, and the genome's features that TradingView's broker
/// emulator cannot trade as Gauntlet's engine does (also listed in the script's header).
///
/// # Errors
/// [`ReportError::Export`] when the champion's run filled orders at the signal bar's close;
/// [`ReportError::Template`] for a bug in the template.
pub fn pine_strategy(source: &StrategySource<'_>) -> Result<(String, Vec<String>), ReportError> {
    let genome = source.genome;
    let header = crate::strategy_code::header(source)?;
    let (mut columns, entry, channel) = entry_and_channel_code(genome, &PINE)?;
    let exit = &genome.exit;
    let sizing = &genome.sizing;
    let (method, sizing_pct, volatility_column) = match sizing.method {
        SizingMethod::AllIn => ("all_in", "na".to_string(), "float(na)".to_string()),
        SizingMethod::FixedFraction { fraction_pct } => (
            "fixed_fraction",
            pine_number(fraction_pct),
            "float(na)".to_string(),
        ),
        SizingMethod::RiskPerTrade { risk_pct } => (
            "risk_per_trade",
            pine_number(risk_pct),
            "float(na)".to_string(),
        ),
        SizingMethod::VolatilityTarget {
            annual_volatility_pct,
            lookback,
        } => (
            "volatility_target",
            pine_number(annual_volatility_pct),
            columns.add(Indicator::Volatility(lookback)),
        ),
    };
    let approximations = approximations(source, &header);
    let context = Context {
        name: header.name.clone(),
        title: header.name.replace('"', "'"),
        gauntlet_version: source.gauntlet_version.to_string(),
        rules_text: header.rules_text.clone(),
        gate: header.gate,
        failed_checks: header.failed_checks.clone(),
        provenance: header.provenance.clone(),
        approximations: approximations.clone(),
        initial_capital: pine_number(header.costs.3),
        commission_pct: pine_number(header.costs.0 / 100.0),
        bars_per_year: pine_number(source.bars_per_year),
        direction: match genome.entry.direction {
            Direction::Long => "long",
            Direction::Short => "short",
            Direction::Both => "both",
        },
        blocks: columns.0.iter().map(|&column| pine_block(column)).collect(),
        entry,
        channel,
        exit_on_opposite_signal: exit.exit_on_opposite_signal,
        max_holding_bars: exit
            .max_holding_bars
            .map_or_else(|| "na".to_string(), |bars| bars.to_string()),
        stop_loss_pct: optional(exit.stop_loss_pct),
        take_profit_pct: optional(exit.take_profit_pct),
        trail_activation_pct: optional(exit.trailing_stop.map(|trail| trail.activation_pct)),
        trail_pct: optional(exit.trailing_stop.map(|trail| trail.trail_pct)),
        sizing: method,
        sizing_pct,
        volatility_column,
        max_position_pct: pine_number(sizing.max_position_pct),
        leverage_cap: pine_number(sizing.leverage_cap),
        daily_loss_limit_pct: optional(genome.risk.daily_loss_limit_pct),
        max_drawdown_halt_pct: optional(genome.risk.max_drawdown_halt_pct),
        consecutive_loss_limit: genome
            .risk
            .consecutive_loss_limit
            .map_or_else(|| "na".to_string(), |limit| limit.to_string()),
    };
    let mut environment = Environment::new();
    environment.set_keep_trailing_newline(true);
    environment
        .add_template(TEMPLATE, include_str!("../templates/strategy.pine"))
        .map_err(|error| crate::template_error(TEMPLATE, &error))?;
    let code = environment
        .get_template(TEMPLATE)
        .and_then(|template| template.render(&context))
        .map_err(|error| crate::template_error(TEMPLATE, &error))?;
    Ok((code, approximations))
}

/// What TradingView's broker emulator does differently from Gauntlet's engine for this genome.
fn approximations(
    source: &StrategySource<'_>,
    header: &crate::strategy_code::Header,
) -> Vec<String> {
    let genome = source.genome;
    let exit = &genome.exit;
    let mut notes = vec![
        "orders are sized at the signal bar's close: Pine cannot read the next open, where the \
         order fills and where Gauntlet sizes it"
            .to_string(),
        "a position still open at the end stays open (Gauntlet closes it at the last close)"
            .to_string(),
    ];
    let (_, spread, slippage, _) = header.costs;
    if spread > 0.0 || slippage > 0.0 {
        notes.push(format!(
            "spread and slippage ({} bps per fill) are not set: Pine's slippage is in ticks; set \
             `slippage` for your symbol",
            docstring(&pine_number(spread / 2.0 + slippage))
        ));
    }
    if exit.stop_loss_pct.is_some() || exit.take_profit_pct.is_some() {
        notes.push(
            "stops and targets start on the bar after the entry fills (Gauntlet checks the entry \
             bar too); when one bar reaches both, the broker emulator's intrabar path decides \
             (Gauntlet takes the stop)"
                .to_string(),
        );
    }
    if exit.trailing_stop.is_some() {
        notes.push(
            "the trailing stop is moved once per bar, at the close, to the best price so far \
             (as Gauntlet's), and starts on the bar after the entry"
                .to_string(),
        );
    }
    if matches!(genome.sizing.method, SizingMethod::AllIn) {
        notes.push("all-in sizing spends the equity at the close, not the cash at the fill".into());
    }
    notes
}
