use super::*;

const DAY: i64 = MILLIS_PER_DAY;
const HOUR: i64 = 3_600_000;

fn days(numbers: &[i64]) -> Vec<Timestamp> {
    numbers.iter().map(|day| Timestamp(day * DAY)).collect()
}

#[test]
fn daily_returns_take_each_days_last_equity_by_hand() {
    // Day 0 closes at 103 (its last bar), day 1 at 99, day 3 at 110; the start is 100.
    let timestamps = [
        Timestamp(10 * HOUR),
        Timestamp(20 * HOUR),
        Timestamp(DAY + 5 * HOUR),
        Timestamp(3 * DAY + HOUR),
    ];
    let daily =
        daily_returns_from_equity(&timestamps, &[101.0, 103.0, 99.0, 110.0], 100.0).unwrap();
    assert_eq!(daily.days, days(&[0, 1, 3]));
    let expected = [0.03, 99.0 / 103.0 - 1.0, 110.0 / 99.0 - 1.0];
    for (found, expected) in daily.returns.iter().zip(expected) {
        assert!(
            (found - expected).abs() < 1e-15,
            "{found} against {expected}"
        );
    }
    assert!(daily_returns_from_equity(&timestamps, &[1.0, 2.0, 0.0, 1.0], 1.0).is_err());
    assert!(daily_returns_from_equity(&timestamps[..2], &[1.0], 1.0).is_err());
    let backwards = [Timestamp(HOUR), Timestamp(0)];
    assert!(daily_returns_from_equity(&backwards, &[1.0, 1.0], 1.0).is_err());
    assert!(daily_returns_from_equity(&timestamps[..1], &[1.0], f64::NAN).is_err());
}

#[test]
fn members_align_on_the_union_of_days_inside_their_common_span() {
    // A trades days 1-5, B days 2, 3, 5 and 6: the common span is days 2-5; B has no day 4
    // (its market was closed) and gets 0 there; A's day 1 and B's day 6 are outside.
    let a = DailyReturns {
        days: days(&[1, 2, 3, 4, 5]),
        returns: vec![0.1, 0.2, 0.3, 0.4, 0.5],
    };
    let b = DailyReturns {
        days: days(&[2, 3, 5, 6]),
        returns: vec![-0.2, -0.3, -0.5, -0.6],
    };
    let aligned = align_daily_returns(&[a.clone(), b.clone()]).unwrap();
    assert_eq!(aligned.days, days(&[2, 3, 4, 5]));
    assert_eq!(
        aligned.returns,
        [vec![0.2, 0.3, 0.4, 0.5], vec![-0.2, -0.3, 0.0, -0.5]]
    );
    let later = DailyReturns {
        days: days(&[7, 8]),
        returns: vec![0.0, 0.0],
    };
    let error = align_daily_returns(&[a.clone(), later]).unwrap_err();
    assert!(error.to_string().contains("do not overlap"), "{error}");
    let off_midnight = DailyReturns {
        days: vec![Timestamp(2 * DAY + HOUR)],
        returns: vec![0.0],
    };
    assert!(align_daily_returns(&[a.clone(), off_midnight]).is_err());
    let below_minus_one = DailyReturns {
        days: days(&[2]),
        returns: vec![-1.5],
    };
    let error = align_daily_returns(&[a, below_minus_one]).unwrap_err();
    assert!(error.to_string().contains("member 1"), "{error}");
    assert!(align_daily_returns(&[]).is_err());
}

#[test]
fn pearson_correlation_by_hand() {
    // x = 1, 2, 3 and y = 1, 2, 4: deviations (-1, 0, 1) and (-4/3, -1/3, 5/3), products adding
    // up to 3, squares to 2 and 42/9: r = 3 / sqrt(2 * 42 / 9) = 9 / sqrt(84).
    let aligned = AlignedReturns {
        days: days(&[0, 1, 2]),
        returns: vec![
            vec![1.0, 2.0, 3.0],
            vec![1.0, 2.0, 4.0],
            vec![3.0, 2.0, 1.0],
            vec![0.5; 3],
        ],
    };
    let matrix = correlation_matrix(&aligned);
    let r = 9.0 / 84f64.sqrt();
    assert!((matrix[0][1] - r).abs() < 1e-15 && (matrix[1][0] - r).abs() < 1e-15);
    assert_eq!(matrix[0][0], 1.0);
    assert!((matrix[0][2] + 1.0).abs() < 1e-15, "a mirror image");
    assert!(
        matrix[3].iter().all(|value| value.is_nan()),
        "a constant member"
    );
    assert!(matrix[1][3].is_nan());
}

fn symmetric(entries: &[((usize, usize), f64)], size: usize) -> Vec<Vec<f64>> {
    let mut matrix = vec![vec![0.0; size]; size];
    for (index, row) in matrix.iter_mut().enumerate() {
        row[index] = 1.0;
    }
    for &((i, j), value) in entries {
        matrix[i][j] = value;
        matrix[j][i] = value;
    }
    matrix
}

#[test]
fn greedy_selection_by_hand() {
    // Candidates 1 and 2 tie on fitness 3.0 (1 goes first), then 3 (2.0), then 0 (1.0).
    let fitness = [1.0, 3.0, 3.0, 2.0];
    let matrix = symmetric(
        &[
            ((1, 2), 0.9),
            ((1, 3), 0.2),
            ((2, 3), 0.1),
            ((0, 1), 0.3),
            ((0, 2), 0.1),
            ((0, 3), 0.6),
        ],
        4,
    );
    let selection = select_uncorrelated(&fitness, &matrix, 0.5, 4).unwrap();
    // 1 is taken; 2 correlates 0.9 with 1; 3 only 0.2 with 1, taken; 0 correlates 0.3 with 1 and
    // 0.6 with 3, so 3 is the member it is too close to.
    assert_eq!(selection.members, [1, 3]);
    assert_eq!(
        selection.decisions,
        [
            Decision::TooCorrelated {
                with: 3,
                correlation: 0.6
            },
            Decision::Selected { position: 0 },
            Decision::TooCorrelated {
                with: 1,
                correlation: 0.9
            },
            Decision::Selected { position: 1 },
        ]
    );
    assert_eq!(max_pairwise_correlation(&matrix, &selection.members), 0.2);
    // A bound of exactly 0.6 lets 0 in: "at most" the bound.
    let loose = select_uncorrelated(&fitness, &matrix, 0.6, 4).unwrap();
    assert_eq!(loose.members, [1, 3, 0]);
    // Room for one: the best is taken, the rest find the portfolio full.
    let one = select_uncorrelated(&fitness, &matrix, 0.5, 1).unwrap();
    assert_eq!(one.members, [1]);
    assert_eq!(one.decisions[2], Decision::PortfolioFull);
    // NaN fitness and a constant member are skipped; a bound of -1 keeps only the first.
    let mut odd = matrix.clone();
    odd[3] = vec![f64::NAN; 4];
    let skipped = select_uncorrelated(&[f64::NAN, 3.0, 3.0, 2.0], &odd, -1.0, 4).unwrap();
    assert_eq!(skipped.members, [1]);
    assert_eq!(skipped.decisions[0], Decision::NoFitness);
    assert_eq!(skipped.decisions[3], Decision::NoVariation);
    for (bound, room) in [(1.5, 4), (f64::NAN, 4), (0.5, 0)] {
        assert!(select_uncorrelated(&fitness, &matrix, bound, room).is_err());
    }
    assert!(select_uncorrelated(&fitness[..3], &matrix, 0.5, 4).is_err());
}

#[test]
fn the_bound_is_signed_so_negatively_correlated_members_diversify() {
    // Correlation -0.8: at most 0.5, so both are taken; a bound of -0.9 keeps only the first.
    let matrix = symmetric(&[((0, 1), -0.8)], 2);
    let selection = select_uncorrelated(&[2.0, 1.0], &matrix, 0.5, 2).unwrap();
    assert_eq!(selection.members, [0, 1]);
    let strict = select_uncorrelated(&[2.0, 1.0], &matrix, -0.9, 2).unwrap();
    assert_eq!(strict.members, [0]);
    assert_eq!(
        strict.decisions[1],
        Decision::TooCorrelated {
            with: 0,
            correlation: -0.8
        }
    );
}

#[test]
fn weights_and_buy_and_hold_returns_by_hand() {
    let aligned = AlignedReturns {
        days: days(&[0, 1]),
        returns: vec![
            vec![0.01, -0.01],
            vec![0.02, -0.02],
            vec![0.1, 0.1],
            vec![0.0, -0.5],
        ],
    };
    // Standard deviations sqrt(2 * 0.01^2) and twice that: inverse weights 2/3 and 1/3.
    let weights = portfolio_weights(&aligned, &[0, 1], Weighting::InverseVolatility).unwrap();
    assert!((weights[0] - 2.0 / 3.0).abs() < 1e-15 && (weights[1] - 1.0 / 3.0).abs() < 1e-15);
    assert_eq!(
        portfolio_weights(&aligned, &[0, 1, 2], Weighting::Equal).unwrap(),
        [1.0 / 3.0; 3]
    );
    // Half each in members 2 and 3: day 1, 0.55 + 0.5 = 1.05 (+5%); day 2, 0.605 + 0.25 = 0.855,
    // 0.855 / 1.05 - 1 = -0.185714...; daily rebalancing would have lost 0.5 * 0.1 - 0.5 * 0.5 = 20%.
    let returns = portfolio_returns(&aligned, &[2, 3], &[0.5, 0.5]).unwrap();
    assert!((returns[0] - 0.05).abs() < 1e-15);
    assert!((returns[1] - (0.855 / 1.05 - 1.0)).abs() < 1e-15);
    assert!(portfolio_returns(&aligned, &[2, 3], &[0.6, 0.6]).is_err());
    assert!(portfolio_returns(&aligned, &[2, 9], &[0.5, 0.5]).is_err());
    let flat = AlignedReturns {
        days: days(&[0, 1]),
        returns: vec![vec![0.0, 0.0]],
    };
    assert!(portfolio_weights(&flat, &[0], Weighting::InverseVolatility).is_err());
}

#[test]
fn the_correlation_matrix_is_symmetric_and_the_same_on_any_number_of_threads() {
    use rand::{RngExt, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
    let aligned = AlignedReturns {
        days: days(&(0..251).collect::<Vec<_>>()),
        returns: (0..40)
            .map(|_| (0..251).map(|_| rng.random_range(-0.02..0.02)).collect())
            .collect(),
    };
    let on = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let matrix = pool.install(|| correlation_matrix(&aligned));
        matrix
            .iter()
            .flatten()
            .map(|value| value.to_bits())
            .collect::<Vec<_>>()
    };
    let one = on(1);
    assert_eq!(one, on(4));
    let matrix = correlation_matrix(&aligned);
    for (i, row) in matrix.iter().enumerate() {
        for (j, value) in row.iter().enumerate() {
            assert_eq!(value.to_bits(), matrix[j][i].to_bits());
        }
    }
}
