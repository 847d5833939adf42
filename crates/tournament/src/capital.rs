//! Capital reallocation between agents after every generation (DESIGN.md, "Capital reallocation";
//! every number configurable in [`CapitalRules`]).
//!
//! Each agent (a member of the population, by id) holds capital; the system also holds a reserve.
//! After a generation is scored:
//! 1. agents that left the population return their capital to the reserve (`retired`);
//! 2. newborn agents receive an experimental stake from the reserve: `experimental_stake` times the
//!    mean capital of the proven agents (an equal share of the reserve in the first generation),
//!    scaled down if the reserve cannot pay it (`born`);
//! 3. each agent earns `capital x return` (the caller's per-generation return: a run credits one year
//!    of the agent's in-sample compound annual growth rate); of a positive total,
//!    `1 - reinvest` is withdrawn;
//! 4. agents are tiered by rank: excellent (top 10%) x1.5, good (next 20%) x1.2, average (middle 40%)
//!    x1.0, poor (next 20%) x0.8, critical (bottom 10%) x0.5, or retired with `retire_critical`;
//! 5. the system capital (agents + reserve + reinvested profit) is shared out in proportion to
//!    `(capital + profit) x factor`, the top 20% of agents together brought to `top_share`;
//! 6. when the generation lost more than `loss_budget` of the system capital, only
//!    `loss_budget x system / loss` of it is deployed and the rest stays in reserve.
//!
//! Capital is conserved: agents + reserve after = agents + reserve before + profit - withdrawal.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::TournamentError;

/// The reallocation rules; fractions, not percent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CapitalRules {
    /// System capital before the first generation, quote currency.
    pub initial_capital: f64,
    /// Factor of the excellent tier (top 10%).
    pub excellent_factor: f64,
    /// Factor of the good tier (next 20%).
    pub good_factor: f64,
    /// Factor of the average tier (middle 40%).
    pub average_factor: f64,
    /// Factor of the poor tier (next 20%).
    pub poor_factor: f64,
    /// Factor of the critical tier (bottom 10%) unless retired.
    pub critical_factor: f64,
    /// Retire the critical tier (capital to the reserve) instead of cutting it.
    pub retire_critical: bool,
    /// Share of system capital the top 20% of agents together are brought to.
    pub top_share: f64,
    /// A newborn's stake, as a fraction of the mean proven agent's capital.
    pub experimental_stake: f64,
    /// Share of a positive generation profit that stays in the system (the rest is withdrawn).
    pub reinvest: f64,
    /// Largest loss per generation, as a fraction of system capital, before allocations are scaled
    /// down.
    pub loss_budget: f64,
}

impl Default for CapitalRules {
    fn default() -> Self {
        Self {
            initial_capital: 1_000_000.0,
            excellent_factor: 1.5,
            good_factor: 1.2,
            average_factor: 1.0,
            poor_factor: 0.8,
            critical_factor: 0.5,
            retire_critical: false,
            top_share: 0.4,
            experimental_stake: 0.25,
            reinvest: 0.8,
            loss_budget: 0.1,
        }
    }
}

impl CapitalRules {
    /// Checks every rule.
    ///
    /// # Errors
    /// [`TournamentError::Config`] naming the rule (`capital.<name>`).
    pub fn validate(&self) -> Result<(), TournamentError> {
        let fail = |name: &str, message: String| {
            Err(TournamentError::Config {
                field: format!("capital.{name}"),
                message,
            })
        };
        if !(self.initial_capital.is_finite() && self.initial_capital > 0.0) {
            return fail(
                "initial_capital",
                format!("must be positive, got {}", self.initial_capital),
            );
        }
        for (name, factor) in [
            ("excellent_factor", self.excellent_factor),
            ("good_factor", self.good_factor),
            ("average_factor", self.average_factor),
            ("poor_factor", self.poor_factor),
            ("critical_factor", self.critical_factor),
        ] {
            if !(factor.is_finite() && factor >= 0.0) {
                return fail(name, format!("must be a non-negative factor, got {factor}"));
            }
        }
        for (name, share) in [
            ("top_share", self.top_share),
            ("experimental_stake", self.experimental_stake),
            ("reinvest", self.reinvest),
            ("loss_budget", self.loss_budget),
        ] {
            if !(0.0..=1.0).contains(&share) {
                return fail(name, format!("must be a fraction in [0, 1], got {share}"));
            }
        }
        Ok(())
    }
}

/// A rank tier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    /// Top 10%.
    Excellent,
    /// Next 20%.
    Good,
    /// Middle 40%.
    Average,
    /// Next 20%.
    Poor,
    /// Bottom 10%.
    Critical,
}

impl Tier {
    /// The tier of rank `index` (0 = best) among `count` agents.
    pub fn of_rank(index: usize, count: usize) -> Self {
        let position = index as f64 / count.max(1) as f64;
        match position {
            p if p < 0.1 => Self::Excellent,
            p if p < 0.3 => Self::Good,
            p if p < 0.7 => Self::Average,
            p if p < 0.9 => Self::Poor,
            _ => Self::Critical,
        }
    }

    /// The snake_case name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Excellent => "excellent",
            Self::Good => "good",
            Self::Average => "average",
            Self::Poor => "poor",
            Self::Critical => "critical",
        }
    }

    fn factor(self, rules: &CapitalRules) -> f64 {
        match self {
            Self::Excellent => rules.excellent_factor,
            Self::Good => rules.good_factor,
            Self::Average => rules.average_factor,
            Self::Poor => rules.poor_factor,
            Self::Critical => rules.critical_factor,
        }
    }
}

/// One agent's line of a generation's reallocation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CapitalRow {
    /// The generation.
    pub generation: u32,
    /// The agent's id.
    pub agent: String,
    /// Rank in the generation (1 = best); 0 for an agent that left the population.
    pub rank: usize,
    /// Capital before reallocation (after a newborn's stake), quote currency.
    pub capital_before: f64,
    /// The agent's return credited this generation (fraction).
    pub return_fraction: f64,
    /// `capital_before x return`.
    pub profit: f64,
    /// The tier (`None` for an agent that left).
    pub tier: Option<Tier>,
    /// The tier's factor (0 when retired).
    pub factor: f64,
    /// Capital after reallocation.
    pub capital_after: f64,
    /// `capital_after` / system capital after reallocation.
    pub share: f64,
    /// `born`, `survived` or `retired`.
    pub event: String,
    /// Why, in words.
    pub reason: String,
}

/// The system's capital: each agent's and the reserve, plus what was withdrawn so far.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CapitalBook {
    /// Capital per agent id.
    pub agents: BTreeMap<String, f64>,
    /// Capital held by no agent.
    pub reserve: f64,
    /// Profit withdrawn from the system so far.
    pub withdrawn: f64,
}

/// One agent as ranked by a generation: id, fitness (`None` if ineligible) and in-sample return.
#[derive(Debug, Clone, PartialEq)]
pub struct RankedAgent {
    /// The agent's id.
    pub id: String,
    /// Whether it has a fitness (ineligible agents rank last).
    pub eligible: bool,
    /// Its return for this generation, a fraction (clamped at -1 when used).
    pub return_fraction: f64,
}

impl CapitalBook {
    /// A book holding `rules.initial_capital` in reserve and no agents.
    pub fn new(rules: &CapitalRules) -> Self {
        Self {
            agents: BTreeMap::new(),
            reserve: rules.initial_capital,
            withdrawn: 0.0,
        }
    }

    /// Capital of the agents and the reserve.
    pub fn system_capital(&self) -> f64 {
        self.agents.values().sum::<f64>() + self.reserve
    }

    /// Reallocates after `generation`, whose agents are `ranked` best first. Returns one row per agent
    /// (ranked agents in rank order, then agents that left, by id).
    pub fn reallocate(
        &mut self,
        rules: &CapitalRules,
        generation: u32,
        ranked: &[RankedAgent],
    ) -> Vec<CapitalRow> {
        let mut rows = Vec::with_capacity(ranked.len());
        // 1. Agents that left return their capital.
        let present: BTreeMap<&str, usize> = ranked
            .iter()
            .enumerate()
            .map(|(index, agent)| (agent.id.as_str(), index))
            .collect();
        let departed: Vec<String> = self
            .agents
            .keys()
            .filter(|id| !present.contains_key(id.as_str()))
            .cloned()
            .collect();
        let mut departed_rows = Vec::with_capacity(departed.len());
        for id in departed {
            let capital = self.agents.remove(&id).unwrap_or(0.0);
            self.reserve += capital;
            departed_rows.push(CapitalRow {
                generation,
                agent: id,
                rank: 0,
                capital_before: capital,
                return_fraction: 0.0,
                profit: 0.0,
                tier: None,
                factor: 0.0,
                capital_after: 0.0,
                share: 0.0,
                event: "retired".into(),
                reason: "left the population (not selected for breeding)".into(),
            });
        }
        // 2. Newborns' stakes.
        let newborns: Vec<&RankedAgent> = ranked
            .iter()
            .filter(|agent| !self.agents.contains_key(&agent.id))
            .collect();
        let proven_mean = if self.agents.is_empty() {
            None
        } else {
            Some(self.agents.values().sum::<f64>() / self.agents.len() as f64)
        };
        let wanted_stake = match proven_mean {
            Some(mean) => rules.experimental_stake * mean,
            None => self.reserve / newborns.len().max(1) as f64,
        };
        let total_wanted = wanted_stake * newborns.len() as f64;
        let stake = if total_wanted > self.reserve && total_wanted > 0.0 {
            wanted_stake * self.reserve / total_wanted
        } else {
            wanted_stake
        };
        for agent in &newborns {
            self.agents.insert(agent.id.clone(), stake);
            self.reserve -= stake;
        }
        let system_before = self.system_capital();
        // 3. Profit and withdrawal.
        let profits: Vec<f64> = ranked
            .iter()
            .map(|agent| self.agents[&agent.id] * agent.return_fraction.max(-1.0))
            .collect();
        let total_profit: f64 = profits.iter().sum();
        let withdrawal = total_profit.max(0.0) * (1.0 - rules.reinvest);
        let system_after = system_before + total_profit - withdrawal;
        // 4. Tiers and weights.
        let count = ranked.len();
        let tiers: Vec<Tier> = (0..count)
            .map(|index| Tier::of_rank(index, count))
            .collect();
        let retired: Vec<bool> = tiers
            .iter()
            .map(|tier| rules.retire_critical && *tier == Tier::Critical)
            .collect();
        let weights: Vec<f64> = ranked
            .iter()
            .enumerate()
            .map(|(index, agent)| {
                if retired[index] {
                    0.0
                } else {
                    (self.agents[&agent.id] + profits[index]).max(0.0) * tiers[index].factor(rules)
                }
            })
            .collect();
        // 6. The loss budget.
        let deployed = if total_profit < -rules.loss_budget * system_before && total_profit < 0.0 {
            system_after * (rules.loss_budget * system_before / -total_profit)
        } else {
            system_after
        };
        // 5. Shares: the top 20% brought to top_share.
        let top = count.div_ceil(5);
        let top_weight: f64 = weights[..top].iter().sum();
        let rest_weight: f64 = weights[top..].iter().sum();
        let (top_pool, rest_pool) = match (top_weight > 0.0, rest_weight > 0.0) {
            (true, true) => (
                deployed * rules.top_share,
                deployed * (1.0 - rules.top_share),
            ),
            (true, false) => (deployed, 0.0),
            (false, true) => (0.0, deployed),
            (false, false) => (0.0, 0.0),
        };
        let allocated: Vec<f64> = weights
            .iter()
            .enumerate()
            .map(|(index, weight)| {
                if index < top {
                    if top_weight > 0.0 {
                        top_pool * weight / top_weight
                    } else {
                        0.0
                    }
                } else if rest_weight > 0.0 {
                    rest_pool * weight / rest_weight
                } else {
                    0.0
                }
            })
            .collect();
        let allocated_total: f64 = allocated.iter().sum();
        self.reserve = system_after - allocated_total;
        self.withdrawn += withdrawal;
        for (index, agent) in ranked.iter().enumerate() {
            let capital_before = self.agents[&agent.id];
            let tier = tiers[index];
            let born = newborns.iter().any(|newborn| newborn.id == agent.id);
            let (event, factor) = if retired[index] {
                ("retired", 0.0)
            } else if born {
                ("born", tier.factor(rules))
            } else {
                ("survived", tier.factor(rules))
            };
            let mut reason = format!(
                "rank {}/{count}: {} x{}",
                index + 1,
                tier.name(),
                tier.factor(rules)
            );
            if index < top {
                reason.push_str(&format!("; top 20% share {:.0}%", rules.top_share * 100.0));
            }
            if retired[index] {
                reason.push_str("; critical tier retired");
            } else if !agent.eligible {
                reason.push_str("; not eligible in the category");
            }
            if deployed < system_after {
                reason.push_str("; loss budget breached, allocation scaled down");
            }
            rows.push(CapitalRow {
                generation,
                agent: agent.id.clone(),
                rank: index + 1,
                capital_before,
                return_fraction: agent.return_fraction,
                profit: profits[index],
                tier: Some(tier),
                factor,
                capital_after: allocated[index],
                share: if system_after > 0.0 {
                    allocated[index] / system_after
                } else {
                    0.0
                },
                event: event.into(),
                reason,
            });
        }
        for (index, agent) in ranked.iter().enumerate() {
            if retired[index] {
                self.agents.remove(&agent.id);
            } else {
                self.agents.insert(agent.id.clone(), allocated[index]);
            }
        }
        // Retired agents' zero allocation is already in the reserve via system_after.
        rows.extend(departed_rows);
        rows
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn agents(returns: &[f64]) -> Vec<RankedAgent> {
        returns
            .iter()
            .enumerate()
            .map(|(index, &return_fraction)| RankedAgent {
                id: format!("a{index:02}"),
                eligible: true,
                return_fraction,
            })
            .collect()
    }

    #[test]
    fn a_worked_generation() {
        // Ten newborn agents share 1,000,000: 100,000 each. Returns (best first) +10%, then 0 for
        // the rest: profit 10,000, 2,000 withdrawn, system 1,008,000. Weights: agent 0 (excellent)
        // 110,000 x 1.5 = 165,000; agent 1 (good) 100,000 x 1.2 = 120,000; the top 20% (2 agents)
        // share 40% = 403,200 in proportion 165:120; the other 8 share 604,800.
        let rules = CapitalRules::default();
        let mut book = CapitalBook::new(&rules);
        let mut returns = vec![0.0; 10];
        returns[0] = 0.1;
        let rows = book.reallocate(&rules, 0, &agents(&returns));
        assert_eq!(rows[0].capital_before, 100_000.0);
        assert_eq!(rows[0].event, "born");
        assert!((rows[0].capital_after - 403_200.0 * 165.0 / 285.0).abs() < 1e-6);
        assert!((rows[1].capital_after - 403_200.0 * 120.0 / 285.0).abs() < 1e-6);
        // Agents 2-8: good (2), average (3-6), poor (7-8); agent 9 critical x0.5.
        let rest_weights = [1.2, 1.0, 1.0, 1.0, 1.0, 0.8, 0.8, 0.5];
        let rest_total: f64 = rest_weights.iter().sum::<f64>() * 100_000.0;
        for (offset, weight) in rest_weights.iter().enumerate() {
            let expected = 604_800.0 * weight * 100_000.0 / rest_total;
            assert!(
                (rows[offset + 2].capital_after - expected).abs() < 1e-6,
                "{offset}"
            );
        }
        assert_eq!(rows[9].tier, Some(Tier::Critical));
        assert!((book.withdrawn - 2_000.0).abs() < 1e-9);
        assert!((book.system_capital() - 1_008_000.0).abs() < 1e-6);
    }

    #[test]
    fn a_loss_beyond_the_budget_scales_allocations_down() {
        // Everyone loses 20%: loss 200,000 on 1,000,000 with a 10% budget: only half of the remaining
        // 800,000 is deployed; the rest waits in reserve.
        let rules = CapitalRules::default();
        let mut book = CapitalBook::new(&rules);
        let rows = book.reallocate(&rules, 0, &agents(&[-0.2; 10]));
        let deployed: f64 = rows.iter().map(|row| row.capital_after).sum();
        assert!((deployed - 400_000.0).abs() < 1e-6);
        assert!((book.reserve - 400_000.0).abs() < 1e-6);
        assert!(rows[0].reason.contains("loss budget"));
    }

    proptest! {
        /// Capital is conserved except for the declared profit and withdrawal, over generations in
        /// which agents are born, survive and leave.
        #[test]
        fn capital_is_conserved(
            generations in proptest::collection::vec(
                proptest::collection::vec((0u8..30, -0.5f64..0.5, any::<bool>()), 2..25),
                1..6,
            ),
            retire in any::<bool>(),
        ) {
            let rules = CapitalRules { retire_critical: retire, ..CapitalRules::default() };
            let mut book = CapitalBook::new(&rules);
            for (generation, members) in generations.iter().enumerate() {
                let mut seen = std::collections::BTreeSet::new();
                let ranked: Vec<RankedAgent> = members
                    .iter()
                    .filter(|(id, _, _)| seen.insert(*id))
                    .map(|&(id, return_fraction, eligible)| RankedAgent {
                        id: format!("a{id}"),
                        eligible,
                        return_fraction,
                    })
                    .collect();
                let before = book.system_capital();
                let withdrawn_before = book.withdrawn;
                let rows = book.reallocate(&rules, generation as u32, &ranked);
                let profit: f64 = rows.iter().map(|row| row.profit).sum();
                let withdrawal = book.withdrawn - withdrawn_before;
                let after = book.system_capital();
                prop_assert!((after - (before + profit - withdrawal)).abs() < 1e-6 * before.max(1.0),
                    "before {before} profit {profit} withdrawal {withdrawal} after {after}");
                prop_assert!(book.reserve > -1e-6 && book.agents.values().all(|&capital| capital >= 0.0));
                prop_assert!(withdrawal >= 0.0);
            }
        }
    }
}
