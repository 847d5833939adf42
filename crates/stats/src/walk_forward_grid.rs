//! The pass rule of a walk-forward matrix: walk-forward runs over a grid of settings (rows: in-sample
//! lengths; columns: window counts, or out-of-sample shares), each cell judged good or not by the
//! caller, and a cell that passes only where it and its neighbourhood are good. One good cell among
//! bad ones is a lucky setting; a block of good cells says re-optimisation works whatever its
//! period.
//!
//! StrategyQuant's Walk-Forward Matrix runs "a set of Walk-Forward optimizations performed with
//! different number of reoptimization periods and different Out of Sample %" and judges the
//! matrix by its cells' neighbourhoods
//! (<https://strategyquant.com/doc/strategyquant/walk-forward-matrix/>); its documented custom
//! check passes a chosen cell when a number of the cells surrounding it pass
//! (<https://strategyquant.com/doc/programming-for-sq/recognizing-results-in-wf-matrix-around-custom-field/>).
//!
//! The rule here ([`neighbourhood_pass`]): a cell's neighbours are the other cells of its Moore
//! neighbourhood of `radius` (the cells at most `radius` rows and `radius` columns away: 8 for an
//! inner cell at radius 1, the 3 x 3 block around it; fewer at the grid's edges, where no cell is
//! invented). A cell **passes** when it is good and [`NeighbourRequirement`] holds for its good
//! neighbours: all of them (`All`: the cell and every neighbour are good) or at least a count
//! (`AtLeast`). The grid passes when any cell passes; the **best** passing cell has the most good
//! neighbours, then the higher share of good neighbours, then comes first in row-major order (the
//! lower row, then the lower column).

use serde::{Deserialize, Serialize};

use crate::error::StatsError;

/// Most cells a walk-forward grid may hold (each cell is a whole walk-forward run).
pub const MAX_GRID_CELLS: usize = 10_000;

/// What a passing cell needs of its neighbours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NeighbourRequirement {
    /// Every neighbour that exists is good.
    All,
    /// At least this many neighbours are good.
    AtLeast(usize),
}

/// The neighbourhood rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NeighbourhoodRule {
    /// How far the neighbourhood reaches, in rows and columns (1: the 3 x 3 block), at least 1.
    pub radius: usize,
    /// What the neighbours must be.
    pub requirement: NeighbourRequirement,
}

/// One cell's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CellVerdict {
    /// Whether the cell itself is good (the caller's judgement).
    pub good: bool,
    /// Its neighbours inside the grid.
    pub neighbours: usize,
    /// How many of them are good.
    pub good_neighbours: usize,
    /// Whether it passes the rule.
    pub passes: bool,
}

/// The grid's verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GridVerdict {
    /// One verdict per cell, `cells[row][column]`, the input's shape.
    pub cells: Vec<Vec<CellVerdict>>,
    /// Whether any cell passes.
    pub passes: bool,
    /// The best passing cell, `(row, column)` (module documentation), if any passes.
    pub best: Option<(usize, usize)>,
}

/// Applies the neighbourhood rule to a grid of good cells, `good[row][column]` (module
/// documentation).
///
/// # Errors
/// [`StatsError::Invalid`] when the grid is empty or the radius 0; [`StatsError::RaggedMatrix`]
/// when rows differ in length; [`StatsError::OverLimit`] above [`MAX_GRID_CELLS`] cells. Checked
/// before any work.
pub fn neighbourhood_pass(
    good: &[Vec<bool>],
    rule: NeighbourhoodRule,
) -> Result<GridVerdict, StatsError> {
    let rows = good.len();
    let columns = good.first().map_or(0, Vec::len);
    if rows == 0 || columns == 0 {
        return Err(StatsError::Invalid(
            "a walk-forward grid needs at least one row and one column".to_string(),
        ));
    }
    if let Some(row) = good.iter().position(|row| row.len() != columns) {
        return Err(StatsError::RaggedMatrix {
            row,
            found: good[row].len(),
            expected: columns,
        });
    }
    if rows.saturating_mul(columns) > MAX_GRID_CELLS {
        return Err(StatsError::OverLimit {
            quantity: "walk-forward grid cells",
            value: rows.saturating_mul(columns),
            maximum: MAX_GRID_CELLS,
        });
    }
    if rule.radius == 0 {
        return Err(StatsError::Invalid(
            "a neighbourhood's radius must be at least 1".to_string(),
        ));
    }
    let radius = rule.radius;
    let cells: Vec<Vec<CellVerdict>> = (0..rows)
        .map(|row| {
            (0..columns)
                .map(|column| {
                    let (mut neighbours, mut good_neighbours) = (0, 0);
                    let row_span = row.saturating_sub(radius)..=(row + radius).min(rows - 1);
                    for other_row in row_span {
                        let column_span =
                            column.saturating_sub(radius)..=(column + radius).min(columns - 1);
                        for other_column in column_span {
                            if (other_row, other_column) != (row, column) {
                                neighbours += 1;
                                good_neighbours += usize::from(good[other_row][other_column]);
                            }
                        }
                    }
                    let enough = match rule.requirement {
                        NeighbourRequirement::All => good_neighbours == neighbours,
                        NeighbourRequirement::AtLeast(count) => good_neighbours >= count,
                    };
                    CellVerdict {
                        good: good[row][column],
                        neighbours,
                        good_neighbours,
                        passes: good[row][column] && enough,
                    }
                })
                .collect()
        })
        .collect();
    let mut best: Option<(usize, usize)> = None;
    for (row, verdicts) in cells.iter().enumerate() {
        for (column, verdict) in verdicts.iter().enumerate() {
            if !verdict.passes {
                continue;
            }
            let better = match best {
                None => true,
                Some((best_row, best_column)) => {
                    let current = cells[best_row][best_column];
                    // Cross-multiplied shares: good / neighbours compared without division.
                    let share_above = verdict.good_neighbours * current.neighbours.max(1)
                        > current.good_neighbours * verdict.neighbours.max(1);
                    verdict.good_neighbours > current.good_neighbours
                        || (verdict.good_neighbours == current.good_neighbours && share_above)
                }
            };
            if better {
                best = Some((row, column));
            }
        }
    }
    Ok(GridVerdict {
        cells,
        passes: best.is_some(),
        best,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid(text: &str) -> Vec<Vec<bool>> {
        text.split_whitespace()
            .map(|row| row.chars().map(|cell| cell == '#').collect())
            .collect()
    }

    fn passing(verdict: &GridVerdict) -> Vec<(usize, usize)> {
        let mut cells = Vec::new();
        for (row, verdicts) in verdict.cells.iter().enumerate() {
            for (column, cell) in verdicts.iter().enumerate() {
                if cell.passes {
                    cells.push((row, column));
                }
            }
        }
        cells
    }

    const ALL: NeighbourhoodRule = NeighbourhoodRule {
        radius: 1,
        requirement: NeighbourRequirement::All,
    };

    #[test]
    fn a_lone_good_cell_fails_and_a_good_block_passes_by_hand() {
        // A 3 x 3 matrix (3 in-sample lengths x 3 window counts) with one good cell: it has bad
        // neighbours, nothing passes.
        let lone = neighbourhood_pass(&grid("... .#. ..."), ALL).unwrap();
        assert!(!lone.passes && lone.best.is_none());
        assert_eq!(
            lone.cells[1][1],
            CellVerdict {
                good: true,
                neighbours: 8,
                good_neighbours: 0,
                passes: false
            }
        );
        // All good: every cell passes (corners have 3 neighbours, edges 5, the centre 8); the
        // centre is best, with the most good neighbours.
        let full = neighbourhood_pass(&grid("### ### ###"), ALL).unwrap();
        assert_eq!(passing(&full).len(), 9);
        assert_eq!(full.best, Some((1, 1)));
        assert_eq!(
            (full.cells[0][0].neighbours, full.cells[0][1].neighbours),
            (3, 5)
        );
        // The top-left 2 x 2 block good: only its corner cell (0, 0) has every neighbour good
        // ((0, 1), (1, 0), (1, 1)); (1, 1) has bad neighbours below and right.
        let block = neighbourhood_pass(&grid("##. ##. ..."), ALL).unwrap();
        assert_eq!(passing(&block), [(0, 0)]);
        assert_eq!(block.best, Some((0, 0)));
    }

    #[test]
    fn at_least_counts_good_neighbours_and_ties_go_to_the_higher_share_then_row_major() {
        // 4 x 4; at least 3 good neighbours.
        let cells = grid("##.. ##.. ...# ..##");
        let rule = NeighbourhoodRule {
            radius: 1,
            requirement: NeighbourRequirement::AtLeast(3),
        };
        let verdict = neighbourhood_pass(&cells, rule).unwrap();
        // (0, 0): 3 of 3 neighbours good; (0, 1): 3 of 5; (1, 0): 3 of 5; (1, 1): 3 of 8; (3, 3):
        // 2 of 3 fails; (3, 2) and (2, 3): 2 good neighbours each, fail.
        assert_eq!(passing(&verdict), [(0, 0), (0, 1), (1, 0), (1, 1)]);
        // All have 3 good neighbours; (0, 0) has the highest share (3/3).
        assert_eq!(verdict.best, Some((0, 0)));
        // Without the corner every cell of the block has only 2 good neighbours: nothing passes.
        let without_corner = grid(".#.. ##.. ...# ..##");
        let verdict = neighbourhood_pass(&without_corner, rule).unwrap();
        assert!(passing(&verdict).is_empty() && !verdict.passes);
        let wide = grid(".##. .##. .... ....");
        let verdict = neighbourhood_pass(&wide, rule).unwrap();
        // (0, 1): neighbours (0, 0) (0, 2) (1, 0) (1, 1) (1, 2): 3 good of 5; (0, 2) likewise;
        // (1, 1): 3 of 8; (1, 2): 3 of 8. (0, 1) and (0, 2) tie on 3/5: the first in row-major.
        assert_eq!(verdict.best, Some((0, 1)));
        // Equal counts, the higher share later in row-major order: (1, 1) has 5 good of 8
        // neighbours, (2, 1) 5 of 5; the share decides for (2, 1).
        let bottom = grid(".... ###. ###.");
        let verdict = neighbourhood_pass(&bottom, rule).unwrap();
        assert_eq!(
            (
                verdict.cells[1][1].good_neighbours,
                verdict.cells[1][1].neighbours
            ),
            (5, 8)
        );
        assert_eq!(verdict.best, Some((2, 1)));
    }

    #[test]
    fn a_wider_radius_and_bad_grids() {
        // Radius 2 on a 3 x 5 grid of good cells: the middle column sees all 14 others (radius 2
        // covers every row from any row); (0, 2) comes first in row-major order.
        let cells = grid("##### ##### #####");
        let rule = NeighbourhoodRule {
            radius: 2,
            requirement: NeighbourRequirement::All,
        };
        let verdict = neighbourhood_pass(&cells, rule).unwrap();
        assert_eq!(verdict.cells[1][2].neighbours, 14);
        assert_eq!(verdict.cells[0][2].neighbours, 14);
        assert_eq!(verdict.cells[0][0].neighbours, 8);
        assert_eq!(verdict.best, Some((0, 2)));
        assert!(neighbourhood_pass(&[], ALL).is_err());
        assert!(matches!(
            neighbourhood_pass(&[vec![true, true], vec![true]], ALL),
            Err(StatsError::RaggedMatrix { row: 1, .. })
        ));
        let zero = NeighbourhoodRule { radius: 0, ..ALL };
        assert!(neighbourhood_pass(&cells, zero).is_err());
        let huge = vec![vec![true; 101]; 100];
        assert!(matches!(
            neighbourhood_pass(&huge, ALL),
            Err(StatsError::OverLimit { .. })
        ));
        // A 1 x 1 grid: no neighbours, so "all neighbours good" holds and a good cell passes.
        assert!(neighbourhood_pass(&[vec![true]], ALL).unwrap().passes);
    }
}
