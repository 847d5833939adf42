//! The seed genomes of `genomes/` load, validate, describe themselves and round-trip through JSON;
//! bad genomes are refused with the offending field named.

use std::path::PathBuf;

use gauntlet_genome::{Genome, GenomeError};

fn seed(name: &str) -> Genome {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../genomes")
        .join(format!("{name}.json"));
    let text = std::fs::read_to_string(&path).unwrap();
    Genome::from_json(&text).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

#[test]
fn seeds_describe_themselves_in_plain_english() {
    let expected = [
        (
            "buy-and-hold",
            "Buy on the first bar and hold; no exit rule (held to the end); invest 100% of equity per position.",
        ),
        (
            "sma-50-200-crossover",
            "Go long when SMA(50) crosses above SMA(200); exit on the opposite signal; invest 100% of equity per position.",
        ),
        (
            "rsi-2-mean-reversion",
            "Go long when RSI(2) is below 10 and close is above SMA(200); stop 5%, exit after 5 bars; invest 100% of equity per position.",
        ),
        (
            "donchian-20-10-breakout",
            "Go long when close breaks above the previous 20-bar high; exit on a break of the previous 10-bar low (high, short); invest 100% of equity per position.",
        ),
    ];
    for (name, text) in expected {
        assert_eq!(seed(name).describe(), text, "{name}");
    }
    let origin = seed("multi-factor-origin").describe();
    for part in [
        "Go long when the factor score is above 50 (trend ±30",
        "go short when it is below -40;",
        "stop 2%, target 4%, trail 1% once 2% in profit, exit on the opposite signal",
        "risk 2% of equity per trade, capped at 10% of equity per position, at most 3 positions",
        "halt at 10% drawdown.",
    ] {
        assert!(origin.contains(part), "{part} not in: {origin}");
    }
}

#[test]
fn the_buy_and_hold_constructor_is_the_seed_file() {
    assert_eq!(Genome::buy_and_hold(), seed("buy-and-hold"));
}

#[test]
fn seeds_round_trip_through_json() {
    for name in [
        "buy-and-hold",
        "sma-50-200-crossover",
        "rsi-2-mean-reversion",
        "donchian-20-10-breakout",
        "multi-factor-origin",
    ] {
        let genome = seed(name);
        assert_eq!(
            Genome::from_json(&genome.to_json()).unwrap(),
            genome,
            "{name}"
        );
    }
}

#[test]
fn the_example_of_the_issue_reads_as_written() {
    let text = r#"{
      "schema": 1,
      "entry": { "direction": "long", "logic": { "kind": "rules", "combine": { "mode": "all" }, "rules": [
        { "rule": "rsi_threshold", "period": 14, "lower": 30.0, "upper": 70.0, "crossing": true },
        { "rule": "price_vs_average", "average": "sma", "period": 200 } ] } },
      "exit": { "stop_loss_pct": 2.0, "take_profit_pct": 4.0, "trailing_stop": { "activation_pct": 2.0, "trail_pct": 1.0 } },
      "sizing": { "method": { "method": "risk_per_trade", "risk_pct": 1.0 }, "max_position_pct": 100.0, "leverage_cap": 1.0, "max_positions": 1 }
    }"#;
    assert_eq!(
        Genome::from_json(text).unwrap().describe(),
        "Go long when RSI(14) crosses below 30 and close is above SMA(200); stop 2%, target 4%, \
         trail 1% once 2% in profit; risk 1% of equity per trade."
    );
}

#[test]
fn out_of_range_genes_name_their_field() {
    let mut genome = seed("sma-50-200-crossover");
    let text = genome.to_json().replace("\"slow\": 200", "\"slow\": 20");
    assert_eq!(
        Genome::from_json(&text).unwrap_err(),
        GenomeError::Inconsistent {
            field: "entry.logic.rules[0].fast".into(),
            message: "must be shorter than slow (20)".into()
        }
    );
    genome.exit.stop_loss_pct = Some(-1.0);
    let error = genome.validate().unwrap_err().to_string();
    assert_eq!(error, "exit.stop_loss_pct = -1 is out of range: (0, 99]");
    genome.exit.stop_loss_pct = Some(f64::NAN);
    assert!(genome.validate().is_err());
    let mut unknown: serde_json::Value =
        serde_json::from_str(&seed("buy-and-hold").to_json()).unwrap();
    unknown["exit"]["stop_pct"] = 2.into();
    let error = Genome::from_json(&unknown.to_string())
        .unwrap_err()
        .to_string();
    assert!(error.contains("unknown field `stop_pct`"), "{error}");
    let risk_without_stop = seed("multi-factor-origin")
        .to_json()
        .replace("\"stop_loss_pct\": 2.0,", "");
    let error = Genome::from_json(&risk_without_stop)
        .unwrap_err()
        .to_string();
    assert!(
        error.starts_with("sizing.method: risk_per_trade sizing needs exit.stop_loss_pct"),
        "{error}"
    );
}

/// `genomes/formulas/rsi-2-formula.json`: the RSI(2) seed's entry written as a formula.
fn formula_seed() -> Genome {
    seed("formulas/rsi-2-formula")
}

#[test]
fn a_formula_genome_loads_validates_and_round_trips() {
    let genome = formula_seed();
    genome.validate().unwrap();
    let again = Genome::from_json(&genome.to_json()).unwrap();
    assert_eq!(again, genome);
    let text = genome.describe();
    assert!(text.starts_with("Go long when "), "{text}");
    assert!(text.contains("RSI") && text.contains("below 10"), "{text}");
    assert!(text.contains("200-bar simple moving average"), "{text}");
}

#[test]
fn a_malformed_formula_is_refused_naming_the_field_and_the_position() {
    let json = formula_seed().to_json();
    // In `rsi(close, 2) < (close > 3)` the comparison's right side, `close > 3` from column 18 (after
    // the 13 characters of `rsi(close, 2)`, ` < ` and the parenthesis), is a condition.
    let bad = json.replace(
        "rsi(close, 2) < 10 and close > sma(close, 200)",
        "rsi(close, 2) < (close > 3)",
    );
    let error = Genome::from_json(&bad)
        .and_then(|genome| genome.validate())
        .unwrap_err()
        .to_string();
    assert!(error.contains("entry.logic.long"), "{error}");
    assert!(
        error.contains("formula 1:18: expected a number, found a condition"),
        "{error}"
    );
}

#[test]
fn a_formula_genome_needs_the_formulas_its_direction_trades_and_no_placeholders() {
    let json = formula_seed().to_json();
    let both = json.replace("\"long\",\n", "\"both\",\n");
    let genome = Genome::from_json(&both).and_then(|genome| genome.validate());
    let error = genome.unwrap_err().to_string();
    assert!(error.contains("entry.logic.short"), "{error}");
    let template = json.replace("< 10 and", "< ?level[5..40] and");
    let error = Genome::from_json(&template)
        .and_then(|genome| genome.validate())
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("entry.logic.long") && error.contains("level"),
        "{error}"
    );
}

#[test]
fn exit_formulas_are_described() {
    let mut genome = seed("formulas/rsi-2-formula");
    if let gauntlet_genome::EntryLogic::Formula(entry) = &mut genome.entry.logic {
        entry.exit_long = Some("close > sma(close, 5)".into());
    }
    let text = genome.describe();
    assert!(
        text.contains(
            "exit after 5 bars, close a long when the close is above the 5-bar simple moving \
             average of the close;"
        ),
        "{text}"
    );
}
