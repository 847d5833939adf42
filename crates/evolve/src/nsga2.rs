//! NSGA-II's ranking (Deb, Pratap, Agarwal & Meyarivan, "A fast and elitist multiobjective genetic
//! algorithm: NSGA-II", IEEE Trans. Evolutionary Computation 6(2), 2002): non-dominated fronts,
//! crowding distance, and the crowded-comparison order that both survival and tournament selection
//! use. Every objective is maximised (higher is better, as fitness is everywhere in Gauntlet).
//!
//! The fronts are found with the sequential-search Efficient Non-dominated Sort (ENS-SS: Zhang,
//! Tian, Cheng & Jin, "An efficient approach to nondominated sorting for evolutionary
//! multiobjective optimization", IEEE Trans. Evolutionary Computation 19(2), 2015): the same fronts
//! as Deb's fast non-dominated sort, in O(n) memory rather than O(n²), so a whole run's leaderboard
//! can be ranked too. Ties are broken by input order, so the order never depends on anything else.

use std::cmp::Ordering;

/// Whether `a` dominates `b` (maximising): no objective worse and at least one better.
pub fn dominates(a: &[f64], b: &[f64]) -> bool {
    let mut better = false;
    for (x, y) in a.iter().zip(b) {
        if x < y {
            return false;
        }
        if x > y {
            better = true;
        }
    }
    better
}

/// Each point's non-dominated front: 0 for the points no other point dominates (the first, or
/// Pareto, front), 1 for those only front 0 dominates, and so on. Every point must have the same
/// number of finite objectives.
pub fn non_dominated_fronts(points: &[&[f64]]) -> Vec<u32> {
    // Lexicographically descending: a point can only be dominated by one before it.
    let mut order: Vec<usize> = (0..points.len()).collect();
    order.sort_by(|&a, &b| lexicographic(points[b], points[a]).then(a.cmp(&b)));
    let mut fronts: Vec<Vec<usize>> = Vec::new();
    let mut rank = vec![0u32; points.len()];
    for &index in &order {
        let point = points[index];
        let front = fronts
            .iter()
            .position(|members| {
                !members
                    .iter()
                    .rev()
                    .any(|&member| dominates(points[member], point))
            })
            .unwrap_or(fronts.len());
        if front == fronts.len() {
            fronts.push(Vec::new());
        }
        fronts[front].push(index);
        rank[index] = front as u32;
    }
    rank
}

fn lexicographic(a: &[f64], b: &[f64]) -> Ordering {
    a.iter()
        .zip(b)
        .map(|(x, y)| x.total_cmp(y))
        .find(|ordering| ordering.is_ne())
        .unwrap_or(Ordering::Equal)
}

/// Each point's crowding distance within its front (Deb et al. 2002, section III-B): per objective,
/// the front sorted by it, the two extremes infinite, every other point adding the gap between its
/// neighbours divided by the objective's range over the front. Larger means lonelier.
pub fn crowding_distances(points: &[&[f64]], fronts: &[u32]) -> Vec<f64> {
    let mut distance = vec![0.0; points.len()];
    let Some(&last) = fronts.iter().max() else {
        return distance;
    };
    let objectives = points.first().map_or(0, |point| point.len());
    let mut members_of: Vec<Vec<usize>> = vec![Vec::new(); last as usize + 1];
    for (index, &front) in fronts.iter().enumerate() {
        members_of[front as usize].push(index);
    }
    for members in &mut members_of {
        // `objective` indexes each point's objectives, not `points`.
        #[allow(clippy::needless_range_loop)]
        for objective in 0..objectives {
            members.sort_by(|&a, &b| {
                points[a][objective]
                    .total_cmp(&points[b][objective])
                    .then(a.cmp(&b))
            });
            let (Some(&low), Some(&high)) = (members.first(), members.last()) else {
                continue;
            };
            distance[low] = f64::INFINITY;
            distance[high] = f64::INFINITY;
            let range = points[high][objective] - points[low][objective];
            if range <= 0.0 {
                continue;
            }
            for window in members.windows(3) {
                let gap = points[window[2]][objective] - points[window[0]][objective];
                distance[window[1]] += gap / range;
            }
        }
    }
    distance
}

/// A population's NSGA-II ranking: each member's front and crowding distance (`None` for members
/// without objectives: ineligible genomes, ranked after every front), and the members' indices in
/// crowded-comparison order, best first (lower front first, then larger crowding distance, then
/// input order).
#[derive(Debug, Clone, PartialEq)]
pub struct Ranking {
    /// Per member, its front (0 = non-dominated).
    pub front: Vec<Option<u32>>,
    /// Per member, its crowding distance within its front (infinite at a front's extremes).
    pub crowding: Vec<Option<f64>>,
    /// Member indices, best first.
    pub order: Vec<usize>,
}

/// Ranks `points` (see [`Ranking`]).
pub fn rank(points: &[Option<&[f64]>]) -> Ranking {
    let eligible: Vec<usize> = (0..points.len())
        .filter(|&index| points[index].is_some())
        .collect();
    let values: Vec<&[f64]> = eligible.iter().filter_map(|&index| points[index]).collect();
    let fronts = non_dominated_fronts(&values);
    let crowding = crowding_distances(&values, &fronts);
    let mut ranking = Ranking {
        front: vec![None; points.len()],
        crowding: vec![None; points.len()],
        order: Vec::with_capacity(points.len()),
    };
    let mut ranked: Vec<(u32, f64, usize)> = Vec::with_capacity(eligible.len());
    for (position, &index) in eligible.iter().enumerate() {
        ranking.front[index] = Some(fronts[position]);
        ranking.crowding[index] = Some(crowding[position]);
        ranked.push((fronts[position], crowding[position], index));
    }
    ranked.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.total_cmp(&a.1)).then(a.2.cmp(&b.2)));
    ranking.order = ranked.into_iter().map(|(_, _, index)| index).collect();
    ranking
        .order
        .extend((0..points.len()).filter(|&index| points[index].is_none()));
    ranking
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fronts_match_a_hand_sorted_example() {
        // Maximising both: A (4,1), B (3,3), C (1,4) are non-dominated; D (2,2) is dominated by B
        // only; E (1,1) by A, B, C and D; F (3,3) ties B.
        let points: Vec<&[f64]> = vec![
            &[4.0, 1.0],
            &[3.0, 3.0],
            &[1.0, 4.0],
            &[2.0, 2.0],
            &[1.0, 1.0],
            &[3.0, 3.0],
        ];
        assert_eq!(non_dominated_fronts(&points), [0, 0, 0, 1, 2, 0]);
    }

    #[test]
    fn crowding_gives_extremes_infinity_and_interior_points_their_normalised_gaps() {
        // One front: (0,4), (1,3), (3,1), (4,0); ranges 4 and 4.
        let points: Vec<&[f64]> = vec![&[0.0, 4.0], &[1.0, 3.0], &[3.0, 1.0], &[4.0, 0.0]];
        let fronts = non_dominated_fronts(&points);
        assert_eq!(fronts, [0, 0, 0, 0]);
        let crowding = crowding_distances(&points, &fronts);
        assert_eq!(crowding[0], f64::INFINITY);
        assert_eq!(crowding[3], f64::INFINITY);
        // (1,3): neighbours (0,4) and (3,1): (3-0)/4 + (4-1)/4 = 1.5; (3,1) likewise.
        assert!((crowding[1] - 1.5).abs() < 1e-12);
        assert!((crowding[2] - 1.5).abs() < 1e-12);
    }

    #[test]
    fn ranking_puts_members_without_objectives_last() {
        let points: Vec<Option<&[f64]>> = vec![
            None,
            Some(&[1.0, 1.0]),
            Some(&[2.0, 2.0]),
            None,
            Some(&[3.0, 0.0]),
        ];
        let ranking = rank(&points);
        assert_eq!(ranking.front, [None, Some(1), Some(0), None, Some(0)]);
        // Front 0 holds (2,2) and (3,0), both extremes: input order breaks the tie.
        assert_eq!(ranking.order, [2, 4, 1, 0, 3]);
    }
}
