//! The price primitives: a bar's open, high, low, close and volume.

use gauntlet_core::Bar;

use crate::block::{Arg, BatchInput, Block, StreamingBlock};
use crate::error::BlocksError;

use super::stepper;

macro_rules! price_block {
    ($type:ident, $name:literal, $field:ident, $words:literal, $python:literal, $pine:literal) => {
        #[doc = concat!("The bar's ", $words, " (`", $name, "`).")]
        #[derive(Debug, Clone, Copy)]
        pub(crate) struct $type;

        impl Block for $type {
            fn name(&self) -> &'static str {
                $name
            }
            fn args(&self) -> &'static [Arg] {
                &[]
            }
            fn summary(&self) -> &'static str {
                concat!("The bar's ", $words, ", as the data gives it.")
            }
            fn english(&self, _args: &[String]) -> String {
                concat!("the ", $words).to_string()
            }
            fn batch(&self, input: &BatchInput<'_>) -> Result<Vec<f64>, BlocksError> {
                Ok(input.series.$field().to_vec())
            }
            fn streaming(&self, _params: &[f64]) -> Result<Box<dyn StreamingBlock>, BlocksError> {
                Ok(stepper((), |_, bar: &Bar, _| Some(bar.$field)))
            }
            fn python(&self, _args: &[String]) -> String {
                $python.to_string()
            }
            fn python_helpers(&self) -> &'static str {
                ""
            }
            fn pine(&self, _args: &[String]) -> String {
                $pine.to_string()
            }
            fn pine_helpers(&self) -> &'static str {
                ""
            }
        }
    };
}

price_block!(Open, "open", open, "open", "open_", "open");
price_block!(High, "high", high, "high", "high", "high");
price_block!(Low, "low", low, "low", "low", "low");
price_block!(Close, "close", close, "close", "close", "close");
price_block!(Volume, "volume", volume, "volume", "volume", "volume");
