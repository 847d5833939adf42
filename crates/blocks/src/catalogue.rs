//! The list of every block for people: `gauntlet blocks`.

use std::fmt::Write as _;

use crate::block::{Arg, ParamKind};
use crate::blocks::registry;
use crate::formula::format_number;
use crate::timeframe::TIMEFRAMES_ACCEPTED;

/// The catalogue's entry for `tf`, which is part of the language rather than a block.
fn timeframe_entry() -> String {
    format!(
        "tf(timeframe, x)\n    timeframe: quoted, {TIMEFRAMES_ACCEPTED}, longer than the data's bars\n    \
         x (a number or a condition, without tf) on the bars of a higher timeframe built from the \
         data's bars (UTC days, weeks from Monday), read from completed periods only: at a bar, \
         x's value on the previous period's bar, so nothing is read ahead\n"
    )
}

/// Every block of [`crate::registry`], in its order: its call form (`sma(x, period)`), each
/// parameter's bounds and unit (`period: whole 1..=1000 bars`; grid step for real numbers), and its
/// one-line summary; then `tf(timeframe, x)`, the higher-timeframe form of the language. Ends with
/// a newline.
pub fn catalogue() -> String {
    let mut text = String::new();
    for block in registry() {
        let names: Vec<&str> = block.args().iter().map(Arg::name).collect();
        if names.is_empty() {
            let _ = writeln!(text, "{}", block.name());
        } else {
            let _ = writeln!(text, "{}({})", block.name(), names.join(", "));
        }
        for param in block.params() {
            let bounds = format!(
                "{}..={}",
                format_number(param.min),
                format_number(param.max)
            );
            let _ = match param.kind {
                ParamKind::Period => {
                    writeln!(text, "    {}: whole {bounds} {}", param.name, param.unit)
                }
                ParamKind::Real => writeln!(
                    text,
                    "    {}: {bounds} {} in steps of {}",
                    param.name,
                    param.unit,
                    format_number(param.step)
                ),
            };
        }
        let _ = writeln!(text, "    {}", block.summary());
    }
    text.push_str(&timeframe_entry());
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_block_is_listed_with_its_bounds() {
        let text = catalogue();
        assert!(
            text.contains("sma(x, period)\n    period: whole 1..=1000 bars\n"),
            "{text}"
        );
        for block in registry() {
            assert!(text.contains(block.summary()), "{}", block.name());
            for param in block.params() {
                assert!(
                    text.contains(&format!("    {}: ", param.name)),
                    "{}",
                    block.name()
                );
            }
        }
        // One header line, its parameters and one summary line per block, then tf's three.
        let params: usize = registry().iter().map(|block| block.params().len()).sum();
        assert_eq!(text.lines().count(), 2 * registry().len() + params + 3);
        assert!(
            text.contains("tf(timeframe, x)\n    timeframe: quoted, "),
            "{text}"
        );
    }
}
