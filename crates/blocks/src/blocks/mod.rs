//! The blocks, one module per block or small family, and [`registry`], the list every user of the
//! blocks reads (the formula parser, random draws, the exports).

use std::fmt::Debug;

use gauntlet_core::Bar;

use crate::block::{Block, StreamingBlock};

mod adx;
mod aroon;
mod average;
mod bollinger;
mod keltner;
mod momentum;
mod oscillator;
mod price;
mod stochastic;
mod volatility;
mod volume;
mod window;

/// Every block, in the order help texts list them. Adding a block is adding its module and one
/// line here.
pub fn registry() -> &'static [&'static dyn Block] {
    &[
        &price::Open,
        &price::High,
        &price::Low,
        &price::Close,
        &price::Volume,
        &window::LagBlock,
        &window::HighestBlock,
        &window::LowestBlock,
        &window::PctChange,
        &average::SmaBlock,
        &average::EmaBlock,
        &momentum::RsiBlock,
        &volatility::AtrBlock,
        &volatility::StdDevBlock,
        &bollinger::UPPER,
        &bollinger::LOWER,
        &keltner::UPPER,
        &keltner::LOWER,
        &oscillator::WilliamsRBlock,
        &oscillator::CciBlock,
        &stochastic::K,
        &stochastic::D,
        &adx::ADX,
        &adx::PLUS_DI,
        &adx::MINUS_DI,
        &aroon::UP,
        &aroon::DOWN,
        &volume::ObvBlock,
        &volume::MfiBlock,
        &volume::VwapBlock,
    ]
}

/// The registered block called `name`.
pub fn find(name: &str) -> Option<&'static dyn Block> {
    registry()
        .iter()
        .copied()
        .find(|block| block.name() == name)
}

/// A streaming block from an indicator state and a step function (the step reads the bar or the
/// series inputs and feeds the state).
#[derive(Debug, Clone)]
pub(crate) struct Stepper<T> {
    state: T,
    step: fn(&mut T, &Bar, &[f64]) -> Option<f64>,
}

impl<T: Debug + Clone + Send + 'static> StreamingBlock for Stepper<T> {
    fn update(&mut self, bar: &Bar, inputs: &[f64]) -> f64 {
        (self.step)(&mut self.state, bar, inputs).unwrap_or(f64::NAN)
    }

    fn box_clone(&self) -> Box<dyn StreamingBlock> {
        Box::new(self.clone())
    }
}

/// Boxes a [`Stepper`].
pub(crate) fn stepper<T: Debug + Clone + Send + 'static>(
    state: T,
    step: fn(&mut T, &Bar, &[f64]) -> Option<f64>,
) -> Box<dyn StreamingBlock> {
    Box::new(Stepper { state, step })
}

/// A period parameter as a bar count (the formula's checks made it a whole number within bounds).
pub(crate) fn bars(value: f64) -> usize {
    value as usize
}

/// "the 14-bar" style prefix for English texts.
pub(crate) fn bars_text(period: &str) -> String {
    format!("{period}-bar")
}
