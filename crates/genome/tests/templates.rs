//! Templates that evolution fills (#29): checks of templates and fills, and property tests that
//! random fills, crossover, mutation and jitter keep every placeholder inside its bounds and every
//! genome a valid fill of its template.

use std::collections::BTreeMap;
use std::path::PathBuf;

use gauntlet_blocks::Formula;
use gauntlet_genome::*;
use proptest::prelude::*;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

const RSI_TEMPLATE: &str =
    "rsi(close, ?period[2..30]) < ?level[5..40] and close > sma(close, ?trend[50..250])";

fn long(text: &str) -> TemplateFormulas {
    TemplateFormulas {
        long: Some(text.into()),
        ..TemplateFormulas::default()
    }
}

fn numbers(pairs: &[(&str, f64)]) -> BTreeMap<String, PlaceholderValue> {
    pairs
        .iter()
        .map(|(name, value)| (name.to_string(), PlaceholderValue::Number(*value)))
        .collect()
}

fn rsi_2() -> Genome {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../genomes/formulas/rsi-2-formula.json");
    Genome::from_json(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn error_text(result: Result<Template, GenomeError>) -> String {
    result.map(|_| ()).unwrap_err().to_string()
}

#[test]
fn the_rsi_template_filled_with_2_10_200_is_the_rsi_2_formula_genome() {
    let template = Template::new(&long(RSI_TEMPLATE), "template").unwrap();
    let entry = template
        .fill(&numbers(&[
            ("period", 2.0),
            ("level", 10.0),
            ("trend", 200.0),
        ]))
        .unwrap();
    let hand_written = rsi_2();
    let EntryLogic::Formula(written) = &hand_written.entry.logic else {
        panic!("rsi-2-formula.json is a formula genome");
    };
    assert_eq!(entry.long, written.long);
    assert_eq!(
        entry.long.as_deref(),
        Some("rsi(close, 2) < 10 and close > sma(close, 200)")
    );
    let mut filled = hand_written.clone();
    filled.entry.logic = EntryLogic::Formula(entry);
    filled.validate().unwrap();
    // The fill travels in JSON and reads back equal.
    assert_eq!(Genome::from_json(&filled.to_json()).unwrap(), filled);
}

#[test]
fn templates_are_checked_before_work() {
    let error = error_text(Template::new(
        &long("rsi(close, ?p[2..30]) < 10 and close"),
        "template",
    ));
    // `close` (column 32: 31 characters before it) is a number where `and` needs a condition.
    assert_eq!(
        error,
        "template.long: formula 1:32: expected a condition, found a number"
    );
    let error = error_text(Template::new(
        &long("rsi(close, 2) < ?level[10..10]"),
        "template",
    ));
    assert!(
        error.contains("?level has the empty range [10..10]"),
        "{error}"
    );
    let many: Vec<String> = (0..17)
        .map(|index| format!("close > ?p{index}[1..2]"))
        .collect();
    let error = error_text(Template::new(&long(&many.join(" and ")), "template"));
    assert!(
        error.contains("has 17 placeholders, more than the 16 allowed"),
        "{error}"
    );
    let error = error_text(Template::new(
        &TemplateFormulas {
            exit_long: Some("close > 1".into()),
            ..TemplateFormulas::default()
        },
        "template",
    ));
    assert!(error.contains("needs a long or a short formula"), "{error}");
    let mut formulas = long("?filter");
    formulas
        .conditions
        .insert("other".into(), ConditionOptions::default());
    let error = error_text(Template::new(&formulas, "template"));
    assert!(error.starts_with("template.conditions.other:"), "{error}");
    let mut formulas = long("?filter");
    formulas.conditions.insert(
        "filter".into(),
        ConditionOptions {
            blocks: vec!["nope".into()],
            ..ConditionOptions::default()
        },
    );
    let error = error_text(Template::new(&formulas, "template"));
    assert!(error.contains("unknown block `nope`"), "{error}");
    // Twelve condition placeholders of depth 3 (up to 4 atoms each) cannot fit 256 nodes.
    let wide: Vec<String> = (0..12).map(|index| format!("?c{index}")).collect();
    let mut formulas = long(&wide.join(" and "));
    for index in 0..12 {
        formulas.conditions.insert(
            format!("c{index}"),
            ConditionOptions {
                max_depth: 3,
                ..ConditionOptions::default()
            },
        );
    }
    let error = error_text(Template::new(&formulas, "template"));
    assert!(
        error.contains("more than the 256 a formula may have"),
        "{error}"
    );
}

#[test]
fn fills_are_checked_by_placeholder() {
    let template = Template::new(&long(RSI_TEMPLATE), "template").unwrap();
    let out = template
        .fill(&numbers(&[
            ("period", 31.0),
            ("level", 10.0),
            ("trend", 200.0),
        ]))
        .unwrap_err()
        .to_string();
    assert_eq!(
        out,
        "values.period = 31 is out of range: a whole number from 2 to 30"
    );
    let half = template
        .fill(&numbers(&[
            ("period", 2.5),
            ("level", 10.0),
            ("trend", 200.0),
        ]))
        .unwrap_err()
        .to_string();
    assert!(half.contains("values.period = 2.5"), "{half}");
    // A level is real: 10.5 fills it.
    template
        .fill(&numbers(&[
            ("period", 2.0),
            ("level", 10.5),
            ("trend", 200.0),
        ]))
        .unwrap();
    let missing = template
        .fill(&numbers(&[("period", 2.0), ("level", 10.0)]))
        .unwrap_err()
        .to_string();
    assert!(missing.starts_with("values.trend: is missing"), "{missing}");

    // A genome whose formula was edited after filling is refused, naming the formula.
    let mut genome = rsi_2();
    let mut entry = template
        .fill(&numbers(&[
            ("period", 2.0),
            ("level", 10.0),
            ("trend", 200.0),
        ]))
        .unwrap();
    entry.long = Some("rsi(close, 3) < 10 and close > sma(close, 200)".into());
    genome.entry.logic = EntryLogic::Formula(entry);
    let error = genome.validate().unwrap_err().to_string();
    assert!(
        error.starts_with("entry.logic.long: is not the template filled with its values"),
        "{error}"
    );
    // Both directions for a long-only template are refused (there is no short formula).
    let mut genome = rsi_2();
    genome.entry.logic = EntryLogic::Formula(
        template
            .fill(&numbers(&[
                ("period", 2.0),
                ("level", 10.0),
                ("trend", 200.0),
            ]))
            .unwrap(),
    );
    genome.entry.direction = Direction::Both;
    let error = genome.validate().unwrap_err().to_string();
    assert!(error.starts_with("entry.logic.short"), "{error}");
}

#[test]
fn a_condition_value_must_come_from_its_family() {
    let mut formulas = long("rsi(close, 2) < 10 and ?filter");
    formulas.conditions.insert(
        "filter".into(),
        ConditionOptions {
            blocks: vec!["sma".into()],
            max_depth: 1,
            max_period: 200,
        },
    );
    let template = Template::new(&formulas, "template").unwrap();
    let condition = |text: &str| {
        BTreeMap::from([(
            "filter".to_string(),
            PlaceholderValue::Condition(text.to_string()),
        )])
    };
    let entry = template
        .fill(&condition("close > sma(close, 200)"))
        .unwrap();
    assert_eq!(
        entry.long.as_deref(),
        Some("rsi(close, 2) < 10 and close > sma(close, 200)")
    );
    // `or` binds looser than `and`: the filled text keeps the condition whole.
    let entry = template
        .fill(&condition("close > sma(close, 5) or close < sma(close, 9)"))
        .err()
        .unwrap()
        .to_string();
    assert!(
        entry.contains("more than the family's max_depth 1"),
        "{entry}"
    );
    let outside = template
        .fill(&condition("adx(14) > 25"))
        .unwrap_err()
        .to_string();
    assert!(
        outside.contains("`adx`, which is not in the family"),
        "{outside}"
    );
}

fn filter_template() -> Template {
    let mut formulas = TemplateFormulas {
        long: Some("rsi(close, ?period[2..30]) < ?level[5..40] and ?filter".into()),
        short: Some("rsi(close, ?period[2..30]) > 100 - ?level[5..40] and not ?filter".into()),
        exit_long: Some("close > bollinger_upper(close, 20, ?width[1..3])".into()),
        ..TemplateFormulas::default()
    };
    formulas.conditions.insert(
        "filter".into(),
        ConditionOptions {
            blocks: vec![
                "sma".into(),
                "ema".into(),
                "adx".into(),
                "atr".into(),
                "volume".into(),
            ],
            max_depth: 2,
            max_period: 100,
        },
    );
    Template::new(&formulas, "template").unwrap()
}

/// Every placeholder of `genome` inside its bounds, whole where it must be, on the grid for the
/// parameter width (a multiple of 0.25), and the genome a valid fill.
fn check_fill(genome: &Genome) -> Result<(), String> {
    genome
        .validate()
        .map_err(|error| format!("{error}: {}", genome.to_json()))?;
    let EntryLogic::Formula(FormulaEntry {
        template: Some(fill),
        ..
    }) = &genome.entry.logic
    else {
        return Err("not a template genome".into());
    };
    let number = |name: &str| match fill.values.get(name) {
        Some(PlaceholderValue::Number(value)) => *value,
        other => panic!("{name}: {other:?}"),
    };
    let (period, level, width) = (number("period"), number("level"), number("width"));
    if !((2.0..=30.0).contains(&period) && period.fract() == 0.0) {
        return Err(format!("period {period}"));
    }
    if !(5.0..=40.0).contains(&level) {
        return Err(format!("level {level}"));
    }
    if !((1.0..=3.0).contains(&width) && (width * 4.0).fract() == 0.0) {
        return Err(format!("width {width}"));
    }
    let Some(PlaceholderValue::Condition(filter)) = fill.values.get("filter") else {
        return Err("filter".into());
    };
    Formula::parse(filter).map_err(|error| error.to_string())?;
    if genome.entry.direction != Direction::Both {
        return Err("a template with both sides trades both".into());
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn operators_keep_template_genomes_valid_fills(seed in any::<u64>(), generations in 1usize..8) {
        let template = filter_template();
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut pool: Vec<Genome> = (0..8)
            .map(|_| random_template_genome(&mut rng, RiskLimits::default(), &template))
            .collect();
        for genome in &pool {
            prop_assert!(check_fill(genome).is_ok(), "{:?}", check_fill(genome));
        }
        for _ in 0..generations {
            let mut next = Vec::new();
            for index in 0..pool.len() {
                let other = &pool[(index * 5 + 3) % pool.len()];
                let (child, operator) = crossover(&pool[index], other, &mut rng);
                prop_assert!(check_fill(&child).is_ok(), "{operator}: {:?}", check_fill(&child));
                let (mutant, operator) = mutate(&child, &mut rng);
                prop_assert!(check_fill(&mutant).is_ok(), "{operator}: {:?}", check_fill(&mutant));
                let neighbour = jitter(&mutant, &mut rng, 0.1);
                prop_assert!(check_fill(&neighbour).is_ok(), "jitter: {:?}", check_fill(&neighbour));
                next.push(mutant);
            }
            pool = next;
        }
    }
}

#[test]
fn mutation_reaches_every_placeholder_and_crossover_swaps_values() {
    let template = filter_template();
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let genome = random_template_genome(&mut rng, RiskLimits::default(), &template);
    let mut seen = std::collections::BTreeSet::new();
    for _ in 0..400 {
        let (_, operator) = mutate(&genome, &mut rng);
        if let Some(rest) = operator.strip_prefix("mutation:placeholder:") {
            seen.insert(rest.to_string());
        }
    }
    for expected in ["period", "level", "width", "filter:redraw", "filter:number"] {
        assert!(
            seen.contains(expected),
            "{expected} never mutated: {seen:?}"
        );
    }
    // Uniform crossover of two fills takes each value from one parent or the other.
    let other = random_template_genome(&mut rng, RiskLimits::default(), &template);
    let values = |genome: &Genome| match &genome.entry.logic {
        EntryLogic::Formula(FormulaEntry {
            template: Some(fill),
            ..
        }) => fill.values.clone(),
        _ => panic!(),
    };
    let (a, b) = (values(&genome), values(&other));
    let mut mixed = false;
    for _ in 0..100 {
        let (child, operator) = crossover(&genome, &other, &mut rng);
        let child = values(&child);
        for (name, value) in &child {
            assert!(value == &a[name] || value == &b[name], "{operator}: {name}");
        }
        mixed |= child != a && child != b;
    }
    assert!(mixed, "uniform crossover never mixed the parents' values");
}

#[test]
fn jitter_moves_whole_placeholders_one_step() {
    let template = Template::new(&long(RSI_TEMPLATE), "template").unwrap();
    let mut genome = rsi_2();
    genome.entry.logic = EntryLogic::Formula(
        template
            .fill(&numbers(&[
                ("period", 2.0),
                ("level", 10.0),
                ("trend", 200.0),
            ]))
            .unwrap(),
    );
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let mut trends = std::collections::BTreeSet::new();
    for _ in 0..100 {
        let neighbour = jitter(&genome, &mut rng, 0.1);
        let EntryLogic::Formula(FormulaEntry {
            template: Some(fill),
            ..
        }) = &neighbour.entry.logic
        else {
            panic!()
        };
        let PlaceholderValue::Number(trend) = fill.values["trend"] else {
            panic!()
        };
        let PlaceholderValue::Number(period) = fill.values["period"] else {
            panic!()
        };
        let PlaceholderValue::Number(level) = fill.values["level"] else {
            panic!()
        };
        trends.insert(trend as i64);
        // The period cannot go below its bound of 2; the level moves by at most 10%.
        assert!(period == 2.0 || period == 3.0, "{period}");
        assert!((9.0..=11.0).contains(&level), "{level}");
    }
    assert_eq!(trends.into_iter().collect::<Vec<_>>(), [199, 200, 201]);
}
