//! A genome (or an exported champion) as a strategy for the paper traders people run:
//! a NautilusTrader `Strategy` with its config class ([`nautilus_strategy`],
//! `templates/nautilus_strategy.py`) and a freqtrade `IStrategy` ([`freqtrade_strategy`],
//! `templates/freqtrade_strategy.py`), each a self-contained Python module that also runs the
//! platform's own backtester on a CSV of bars (`python FILE.py DATA.csv --trades-out F`).
//!
//! Both share `templates/platform_common.py`: the genome's indicator columns computed bar by bar
//! (each indicator as a streaming class whose `update` takes the newest bar, in
//! gauntlet-indicators' floating-point operations and order, so every value is Gauntlet's to the
//! bit), its entry conditions (today's shared generator, [`crate::strategy_rules`], in its Python
//! dialect), and Gauntlet's account ledger driven by the platform's events: it decides on each
//! close, is told each fill, and sizes every order from its own cash. What the platform trades
//! differently from Gauntlet's engine is written in the module's header, returned as notes (printed
//! by `gauntlet export` as `note:` lines) and asserted by `scripts/verify_platform_export.py`.

use gauntlet_genome::{Direction, EntryLogic, SizingMethod};
use minijinja::Environment;
use serde::Serialize;

use crate::error::ReportError;
use crate::strategy_code::{FORMULA_CONDITIONS, PYTHON, StrategySource, float, header, optional};
use crate::strategy_rules::{EntryCode, Indicator, docstring, entry_and_channel_code};

/// NautilusTrader's version the module is written for and verified against in CI
/// (`scripts/nautilus-requirements.txt` pins it).
pub const NAUTILUS_VERSION: &str = "1.221.0";

/// freqtrade's version the module is written for and verified against in CI
/// (`scripts/freqtrade-requirements.txt` pins it; the offline runner patches two of its private
/// functions).
pub const FREQTRADE_VERSION: &str = "2026.9";

/// The shared part of both modules (a template included by both).
const COMMON: &str = "platform_common.py";

/// What NautilusTrader does differently from Gauntlet's engine, and how the module handles it.
const NAUTILUS_NOTES: &[&str] = &[
    "an order sent on a bar fills at that bar's close in NautilusTrader's backtester (it stamps \
     bars at their close); the strategy sends what it decided on a close at the next bar's first \
     quote, its open, as Gauntlet fills it",
    "a resting stop or limit order gapped through fills at its own price in NautilusTrader's \
     simulator (Gauntlet: at the open); the strategy cancels its stop and target at each close and, \
     at the next open, exits at market when the open lies at or beyond one, else places them again",
    "NautilusTrader replays a bar open, high, low, close whatever the position; the runner replays \
     it as quotes at the open, the extreme against the position held, the other extreme and the \
     close: Gauntlet's assumption that a bar reaching both the stop and the target reached the stop \
     first (a live venue's ticks decide)",
    "the runner's venue quotes each price without a spread and fills at it; the strategy's ledger \
     charges Gauntlet's half spread, slippage and commission and sizes the orders from its own cash: \
     a fill's price times 1 + or - (spread / 2 + slippage) is Gauntlet's",
    "quantities are Gauntlet's rounded down to the instrument's size increment (the runner's CFD: \
     1e-9; a whole-share stock: 1, and a position Gauntlet sizes below one share is not opened)",
    "the venue's account charges commission rounded to the cent and no spread or slippage: its \
     balance drifts from Gauntlet's ledger by those amounts",
    "Gauntlet closes a position still open at the end of the data at the last close; the runner \
     tells the strategy where the data ends (last_bar_ns); a live node keeps the position",
    "the indicators are computed from the bars the strategy has seen: a live node trades once they \
     have warmed up on its own bars",
];

/// What freqtrade does differently from Gauntlet's engine, and how the module handles it.
const FREQTRADE_NOTES: &[&str] = &[
    "freqtrade's backtester has no spread or slippage: it fills at the open or at the stop or \
     take-profit level; the strategy's ledger charges Gauntlet's half spread, slippage and commission \
     and sizes the orders from its own cash: a fill's price times 1 + or - (spread / 2 + slippage) \
     is Gauntlet's",
    "a trade still open at the end of the data is force-exited by freqtrade at the last candle's \
     open (Gauntlet: at its close), and freqtrade opens no trade on the last candle (Gauntlet's \
     entry there ends at that candle's close)",
    "freqtrade's own trailing stop follows the same candle's high, it moves a stop only while the \
     candle has not reached the stop it holds, and it checks a moved stop after its take-profit; the \
     strategy gives custom_stoploss Gauntlet's level (stop-loss or armed trailing stop), exits \
     through custom_exit at that level when freqtrade found its old stop reached, and in a backtest \
     declines the take-profit on a candle that also reached Gauntlet's stop (Gauntlet's assumption \
     that the stop came first; live, the market's order decides); the static stoploss of -99% is a \
     backstop",
    "the take-profit is freqtrade's ROI at Gauntlet's level (custom_roi); exits decided on a close \
     (signal, channel, time, risk halt) and a stop or target the candle opens beyond are custom_exit, \
     filled at the open",
    "freqtrade fills missing candles with flat ones (weekends, holidays) and rounds stop and exit \
     prices to the data's price tick; the runner turns both off (Gauntlet trades the bars that \
     exist, at levels between ticks); on a live exchange both apply",
    "quantities are Gauntlet's rounded down to the market's amount step (the runner's market table: \
     1e-8)",
    "freqtrade cuts a stake above its wallet, and a spot wallet cannot lend; the runner's wallet \
     holds a thousand times the capital so that no order Gauntlet sizes is cut (Gauntlet may hold up \
     to 100 times its equity with max_position_pct and leverage_cap); the ledger that sizes the \
     orders starts at the capital",
    "live, freqtrade recomputes the indicators each candle over the candles it holds (set \
     startup_candle_count): recursive ones (EMA, RSI, ATR, MACD) then differ from Gauntlet's \
     full-history values in their last digits",
];

/// What only a strategy that can go short adds for freqtrade.
const FREQTRADE_SHORT_NOTE: &str = "freqtrade shorts only in futures mode: this genome goes short, so the strategy is an \
     isolated-margin futures strategy at leverage 1 (can_short), on a perpetual swap market; \
     freqtrade would liquidate a short near twice its entry price, Gauntlet never does";

/// What only a formula genome adds for NautilusTrader.
const NAUTILUS_FORMULA_NOTE: &str = "the formulas (gauntlet-blocks' numpy code, as in the \
     backtesting.py export) are evaluated on each close over every bar the strategy has seen, as \
     their recursive blocks need the whole history to give Gauntlet's values: the work per bar \
     grows with the bars held; the runner's backtest evaluates them over its data at once (each \
     bar's value from the bars up to it) and, strict, checks them against the bar-by-bar \
     evaluation on every 20th bar";

/// What a formula with `tf(...)` adds for NautilusTrader.
const NAUTILUS_TIMEFRAME_NOTE: &str = "tf(...) groups the bars into periods by their open times, \
     Gauntlet's bar times, reading a period once a bar of a later period has been seen; \
     NautilusTrader stamps a bar at its close, so a bar's open is its ts_event less the bar type's \
     interval (GauntletConfig.bar_open_offset_ns sets another offset: 0 for bars stamped at their \
     open; the runner's backtest stamps its bars 5 ns after their open)";

/// What a formula with `tf(...)` adds for freqtrade.
const FREQTRADE_TIMEFRAME_NOTE: &str = "tf(...) groups the candles into periods by their open \
     times (the dataframe's date column, Gauntlet's bar times), reading a period once a candle of \
     a later period has been seen; live, startup_candle_count must cover the higher timeframe's \
     warm-up in candles of the strategy's timeframe (24 an hour-candle day)";

/// What only a formula genome adds for freqtrade.
const FREQTRADE_FORMULA_NOTE: &str = "the formulas (gauntlet-blocks' numpy code, as in the \
     backtesting.py export) are evaluated in populate_indicators over the candles freqtrade holds, \
     each candle's value from the candles up to it; live, set startup_candle_count to cover their \
     warm-up";

/// The streaming form of `indicator` in the modules: its state's constructor (none for a column
/// computed from other columns of the same bar) and the expression giving its value on bar `t`
/// from the bar's `high`, `low`, `close` and the columns computed before it (`self.<name>[t]`).
fn streaming_python(indicator: Indicator) -> (Option<String>, String) {
    let name = indicator.name();
    let state = |constructor: String, input: &str| {
        (Some(constructor), format!("self._{name}.update({input})"))
    };
    match indicator {
        Indicator::Sma(period) => state(format!("Sma({period})"), "close"),
        Indicator::Ema(period) => state(format!("Ema({period})"), "close"),
        Indicator::Rsi(period) => state(format!("Rsi({period})"), "close"),
        Indicator::Roc(period) => state(format!("Roc({period})"), "close"),
        Indicator::StdDev(period) => state(format!("StdDev({period})"), "close"),
        Indicator::Atr(period) => state(format!("Atr({period})"), "high, low, close"),
        Indicator::Volatility(period) => state(format!("Volatility({period})"), "close"),
        Indicator::DonchianUpper(period) => state(format!("DonchianUpper({period})"), "high"),
        Indicator::DonchianLower(period) => state(format!("DonchianLower({period})"), "low"),
        Indicator::MacdSignal(fast, slow, signal) => state(
            format!("Ema({signal})"),
            &format!("self.macd_line_{fast}_{slow}_{signal}[t]"),
        ),
        Indicator::BollingerUpper(period, hundredths) => (
            None,
            format!(
                "bollinger_upper(self.sma_{period}[t], self.stddev_{period}[t], {hundredths} / 100.0)"
            ),
        ),
        Indicator::BollingerLower(period, hundredths) => (
            None,
            format!(
                "bollinger_lower(self.sma_{period}[t], self.stddev_{period}[t], {hundredths} / 100.0)"
            ),
        ),
        Indicator::ZScore(period) => (
            None,
            format!("zscore(close, self.sma_{period}[t], self.stddev_{period}[t])"),
        ),
        Indicator::MacdLine(fast, slow, _) => {
            (None, format!("self.ema_{fast}[t] - self.ema_{slow}[t]"))
        }
    }
}

/// Everything the two templates read.
#[derive(Serialize)]
struct Context {
    name: String,
    file_name: String,
    gauntlet_version: String,
    platform_version: &'static str,
    rules_text: String,
    genome_json: String,
    /// `passed`, `failed` or `unknown`.
    gate: &'static str,
    failed_checks: Vec<String>,
    provenance: Vec<(String, String)>,
    commission_bps: String,
    spread_bps: String,
    slippage_bps: String,
    initial_capital: String,
    bars_per_year: String,
    direction: &'static str,
    /// (name, state constructor, update expression) per column, dependencies first.
    columns: Vec<(String, Option<String>, String)>,
    #[serde(flatten)]
    entry: EntryCode,
    channel: Option<(String, String)>,
    volatility_column: Option<String>,
    stop_loss_pct: String,
    take_profit_pct: String,
    trail_activation_pct: String,
    trail_pct: String,
    max_holding_bars: String,
    exit_on_opposite_signal: bool,
    sizing: &'static str,
    sizing_pct: String,
    max_position_pct: String,
    leverage_cap: String,
    daily_loss_limit_pct: String,
    max_drawdown_halt_pct: String,
    consecutive_loss_limit: String,
    notes: Vec<String>,
    /// The freqtrade strategy's class name (what `--strategy` names).
    class_name: String,
    /// freqtrade: the genome can go short (futures mode).
    can_short: bool,
    /// freqtrade: the candles' timeframe ([`timeframe`]).
    timeframe: &'static str,
}

/// The freqtrade timeframe of bars that come `bars_per_year` times a year: a day, 4 hours, an hour
/// or 15 minutes when there are at most 400 (trading days and some), 2,400, 9,600 or 38,400 of
/// them a year, else 5 minutes (the config's `timeframe` overrides it).
fn timeframe(bars_per_year: f64) -> &'static str {
    [
        ("1d", 400.0),
        ("4h", 2_400.0),
        ("1h", 9_600.0),
        ("15m", 38_400.0),
    ]
    .into_iter()
    .find(|&(_, most)| bars_per_year <= most)
    .map_or("5m", |(timeframe, _)| timeframe)
}

/// The platforms a genome exports to as a Python module.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Platform {
    Nautilus,
    Freqtrade,
}

/// A Python class name for freqtrade from the export's name: `Gauntlet` and the name's letters and
/// digits in CamelCase (`rsi-2-mean-reversion` gives `GauntletRsi2MeanReversion`).
pub(crate) fn class_name(name: &str) -> String {
    let mut class = String::from("Gauntlet");
    for part in name.split(|c: char| !c.is_ascii_alphanumeric()) {
        let mut characters = part.chars();
        if let Some(first) = characters.next() {
            class.push(first.to_ascii_uppercase());
            class.extend(characters);
        }
    }
    class
}

fn render(
    platform: Platform,
    source: &StrategySource<'_>,
) -> Result<(String, Vec<String>), ReportError> {
    let genome = source.genome;
    let header = header(source)?;
    let (mut columns, entry, channel) = entry_and_channel_code(genome, &PYTHON)?;
    let exit = &genome.exit;
    let sizing = &genome.sizing;
    let (method, sizing_pct, volatility_column) = match sizing.method {
        SizingMethod::AllIn => ("all_in", "None".to_string(), None),
        SizingMethod::FixedFraction { fraction_pct } => {
            ("fixed_fraction", float(fraction_pct), None)
        }
        SizingMethod::RiskPerTrade { risk_pct } => ("risk_per_trade", float(risk_pct), None),
        SizingMethod::VolatilityTarget {
            annual_volatility_pct,
            lookback,
        } => (
            "volatility_target",
            float(annual_volatility_pct),
            Some(columns.add(Indicator::Volatility(lookback))),
        ),
    };
    let can_short = genome.entry.direction != Direction::Long;
    let mut notes: Vec<String> = match platform {
        Platform::Nautilus => NAUTILUS_NOTES.iter().map(|note| note.to_string()).collect(),
        Platform::Freqtrade => FREQTRADE_NOTES
            .iter()
            .map(|note| note.to_string())
            .collect(),
    };
    if platform == Platform::Freqtrade && can_short {
        notes.push(FREQTRADE_SHORT_NOTE.to_string());
    }
    if let EntryLogic::Formula(entry) = &genome.entry.logic {
        notes.push(
            match platform {
                Platform::Nautilus => NAUTILUS_FORMULA_NOTE,
                Platform::Freqtrade => FREQTRADE_FORMULA_NOTE,
            }
            .to_string(),
        );
        // tf(...) groups the bars into periods by their open times (#29, #35).
        if entry.formulas().any(|(_, text)| {
            gauntlet_blocks::Formula::parse(text).is_ok_and(|formula| formula.uses_timeframes())
        }) {
            notes.push(
                match platform {
                    Platform::Nautilus => NAUTILUS_TIMEFRAME_NOTE,
                    Platform::Freqtrade => FREQTRADE_TIMEFRAME_NOTE,
                }
                .to_string(),
            );
        }
    }
    let (commission, spread, slippage, capital) = header.costs;
    let context = Context {
        name: header.name,
        file_name: docstring(source.file_name),
        gauntlet_version: source.gauntlet_version.to_string(),
        platform_version: match platform {
            Platform::Nautilus => NAUTILUS_VERSION,
            Platform::Freqtrade => FREQTRADE_VERSION,
        },
        rules_text: header.rules_text,
        genome_json: genome.to_json(),
        gate: header.gate,
        failed_checks: header.failed_checks,
        provenance: header.provenance,
        commission_bps: float(commission),
        spread_bps: float(spread),
        slippage_bps: float(slippage),
        initial_capital: float(capital),
        bars_per_year: float(source.bars_per_year),
        direction: match genome.entry.direction {
            Direction::Long => "long",
            Direction::Short => "short",
            Direction::Both => "both",
        },
        columns: columns
            .0
            .into_iter()
            .map(|indicator| {
                let (state, update) = streaming_python(indicator);
                (indicator.name(), state, update)
            })
            .collect(),
        entry,
        channel,
        volatility_column,
        stop_loss_pct: optional(exit.stop_loss_pct),
        take_profit_pct: optional(exit.take_profit_pct),
        trail_activation_pct: optional(exit.trailing_stop.map(|trail| trail.activation_pct)),
        trail_pct: optional(exit.trailing_stop.map(|trail| trail.trail_pct)),
        max_holding_bars: exit
            .max_holding_bars
            .map_or_else(|| "None".to_string(), |bars| bars.to_string()),
        exit_on_opposite_signal: exit.exit_on_opposite_signal,
        sizing: method,
        sizing_pct,
        max_position_pct: float(sizing.max_position_pct),
        leverage_cap: float(sizing.leverage_cap),
        daily_loss_limit_pct: optional(genome.risk.daily_loss_limit_pct),
        max_drawdown_halt_pct: optional(genome.risk.max_drawdown_halt_pct),
        consecutive_loss_limit: genome
            .risk
            .consecutive_loss_limit
            .map_or_else(|| "None".to_string(), |limit| limit.to_string()),
        notes: notes.clone(),
        class_name: class_name(source.name),
        can_short,
        timeframe: timeframe(source.bars_per_year),
    };
    let (template, text) = match platform {
        Platform::Nautilus => (
            "nautilus_strategy.py",
            include_str!("../templates/nautilus_strategy.py"),
        ),
        Platform::Freqtrade => (
            "freqtrade_strategy.py",
            include_str!("../templates/freqtrade_strategy.py"),
        ),
    };
    let mut environment = Environment::new();
    environment.set_keep_trailing_newline(true);
    for (name, source) in [
        (
            FORMULA_CONDITIONS,
            include_str!("../templates/formula_conditions.py"),
        ),
        (COMMON, include_str!("../templates/platform_common.py")),
        (template, text),
    ] {
        environment
            .add_template(name, source)
            .map_err(|error| crate::template_error(name, &error))?;
    }
    let code = environment
        .get_template(template)
        .and_then(|template| template.render(&context))
        .map_err(|error| crate::template_error(template, &error))?;
    Ok((code, notes))
}

/// The Python module for `source` with a NautilusTrader `Strategy` (`GauntletStrategy`, configured
/// by `GauntletConfig`) trading the genome as Gauntlet's engine does, a header of provenance, the
/// validation gate's result and what NautilusTrader does differently, example node configurations
/// for an Interactive Brokers paper account and Bybit's testnet (untested here), and a command line
/// that runs it in NautilusTrader's `BacktestEngine` (`python FILE.py DATA.csv`). Returns the code
/// and the differences (the header's notes).
///
/// # Errors
/// [`ReportError::Export`] when the champion's run filled orders at the signal bar's close (the
/// module reproduces next-open fills only); [`ReportError::Template`] for a bug in the template.
pub fn nautilus_strategy(
    source: &StrategySource<'_>,
) -> Result<(String, Vec<String>), ReportError> {
    render(Platform::Nautilus, source)
}

/// The Python module for `source` with a freqtrade `IStrategy` (named `Gauntlet<Name>`, see the
/// module's header) trading the genome as Gauntlet's engine does, a `config.json` fragment for
/// `dry_run`, a header of provenance, the validation gate's result and what freqtrade does
/// differently, and a command line that runs `freqtrade backtesting` on it offline (`python
/// FILE.py DATA.csv`). Returns the code and the differences (the header's notes).
///
/// # Errors
/// As [`nautilus_strategy`].
pub fn freqtrade_strategy(
    source: &StrategySource<'_>,
) -> Result<(String, Vec<String>), ReportError> {
    render(Platform::Freqtrade, source)
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use gauntlet_genome::Genome;

    use super::*;

    fn seed(name: &str) -> Genome {
        let path = format!("{}/../../genomes/{name}.json", env!("CARGO_MANIFEST_DIR"));
        gauntlet_genome::read_genome_file(Path::new(&path)).unwrap()
    }

    fn source(genome: &Genome) -> StrategySource<'_> {
        StrategySource {
            name: "rsi-2-mean-reversion",
            genome,
            champion: None,
            file_name: "test.py",
            bars_per_year: 252.0,
            gauntlet_version: "0.0.0",
        }
    }

    #[test]
    fn the_indicators_are_fed_bar_by_bar_and_the_rules_read_them_as_gauntlet_does() {
        let genome = seed("rsi-2-mean-reversion");
        for (code, _) in [
            nautilus_strategy(&source(&genome)).unwrap(),
            freqtrade_strategy(&source(&genome)).unwrap(),
        ] {
            assert!(code.contains("self._rsi_2 = Rsi(2)"), "{code}");
            assert!(code.contains("self.rsi_2.append(self._rsi_2.update(close))"));
            assert!(code.contains("self.sma_200.append(self._sma_200.update(close))"));
            assert!(code.contains("long_1 = self.rsi_2[t] < 10.0"));
            assert!(code.contains("long_2 = close[t] > self.sma_200[t]"));
            assert!(code.contains("needed = 2"));
            assert!(code.contains("Validation gate: NOT CHECKED"));
        }
    }

    #[test]
    fn a_formula_genome_reads_gauntlet_blocks_code_bar_by_bar() {
        let mut genome = seed("formulas/rsi-2-formula");
        for (platform, (code, notes)) in [
            ("nautilus", nautilus_strategy(&source(&genome)).unwrap()),
            ("freqtrade", freqtrade_strategy(&source(&genome)).unwrap()),
        ] {
            // The formula's numpy form (gauntlet-blocks' RSI and SMA ports) and its entry.
            assert!(code.contains("def gb_rsi(x, n):"), "{platform}");
            assert!(code.contains("def gb_sma("), "{platform}");
            assert!(
                code.contains("    long = gb_signal(gb_and(gb_compare(gb_rsi(close, 2), 10.0,"),
                "{platform}"
            );
            assert!(code.contains("return (self.formula_long[t], self.formula_short[t])"));
            assert!(code.contains("FORMULA_EXITS = False"), "{platform}");
            assert!(notes.iter().any(|note| note.contains("the formulas")));
            // The helpers are written once, and no rule columns are computed.
            assert_eq!(code.matches("def gb_rsi(x, n):").count(), 1, "{platform}");
            assert!(!code.contains("self._rsi_2 = Rsi(2)"), "{platform}");
        }
        let EntryLogic::Formula(formulas) = &mut genome.entry.logic else {
            panic!("rsi-2-formula is a formula genome");
        };
        formulas.exit_long = Some("close > sma(close, 5)".into());
        let (code, _) = nautilus_strategy(&source(&genome)).unwrap();
        assert!(code.contains("FORMULA_EXITS = True"));
        assert!(code.contains("    exit_long = gb_signal(gb_compare(close, gb_sma(close, 5),"));
        // Rule genomes carry no formula code.
        let (code, notes) = nautilus_strategy(&source(&seed("rsi-2-mean-reversion"))).unwrap();
        assert!(!code.contains("def formula_conditions"));
        assert!(!notes.iter().any(|note| note.contains("the formulas")));
    }

    #[test]
    fn bands_and_macd_are_computed_from_the_columns_of_the_same_bar() {
        assert_eq!(
            streaming_python(Indicator::BollingerUpper(20, 200)),
            (
                None,
                "bollinger_upper(self.sma_20[t], self.stddev_20[t], 200 / 100.0)".to_string()
            )
        );
        assert_eq!(
            streaming_python(Indicator::MacdSignal(12, 26, 9)),
            (
                Some("Ema(9)".to_string()),
                "self._macd_signal_12_26_9.update(self.macd_line_12_26_9[t])".to_string()
            )
        );
    }

    #[test]
    fn every_note_is_in_the_module_and_a_valid_python_string() {
        let genome = seed("sma-50-200-crossover");
        let (code, notes) = freqtrade_strategy(&source(&genome)).unwrap();
        assert_eq!(notes.len(), FREQTRADE_NOTES.len());
        let every_note = notes.iter().map(String::as_str);
        for note in every_note.chain(NAUTILUS_NOTES.iter().copied()) {
            assert!(!note.contains('"') && !note.contains('\\'), "{note}");
        }
        for note in &notes {
            assert!(code.contains(&format!("    \"{note}\",")), "{note}");
        }
    }

    #[test]
    fn a_genome_that_goes_short_is_a_futures_strategy_for_freqtrade() {
        let mut genome = seed("sma-50-200-crossover");
        genome.entry.direction = Direction::Both;
        let (code, notes) = freqtrade_strategy(&source(&genome)).unwrap();
        assert!(notes.iter().any(|note| note.contains("futures mode")));
        assert!(code.contains("CAN_SHORT = True"));
        genome.entry.direction = Direction::Long;
        let (code, notes) = freqtrade_strategy(&source(&genome)).unwrap();
        assert!(!notes.iter().any(|note| note.contains("futures mode")));
        assert!(code.contains("CAN_SHORT = False"));
    }

    #[test]
    fn the_timeframe_follows_the_bars_per_year() {
        assert_eq!(timeframe(252.0), "1d");
        assert_eq!(timeframe(6_240.0), "1h");
        assert_eq!(timeframe(8_760.0), "1h");
        assert_eq!(timeframe(35_040.0), "15m");
        assert_eq!(timeframe(105_120.0), "5m");
    }

    #[test]
    fn a_class_name_is_a_python_identifier_from_the_name() {
        assert_eq!(
            class_name("rsi-2-mean-reversion"),
            "GauntletRsi2MeanReversion"
        );
        assert_eq!(
            class_name("quickstart-monthly_performance"),
            "GauntletQuickstartMonthlyPerformance"
        );
        assert_eq!(class_name("été 2"), "GauntletT2");
    }
}
