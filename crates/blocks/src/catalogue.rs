//! The list of every block for people: `gauntlet blocks`.

use std::fmt::Write as _;

use crate::block::{Arg, ParamKind};
use crate::blocks::registry;
use crate::formula::format_number;

/// Every block of [`crate::registry`], in its order: its call form (`sma(x, period)`), each
/// parameter's bounds and unit (`period: whole 1..=1000 bars`; grid step for real numbers), and its
/// one-line summary. Ends with a newline.
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
        // One header line, its parameters and one summary line per block.
        let params: usize = registry().iter().map(|block| block.params().len()).sum();
        assert_eq!(text.lines().count(), 2 * registry().len() + params);
    }
}
