//! Thinning long curves for charts.

/// Keeps at most about `max_points` of `points` (sorted by x): the points are cut into
/// `max_points / 2` runs of consecutive points and each run keeps its lowest and highest point, in
/// their order, so peaks and troughs (a drawdown's bottom) survive; the first and last points are
/// always kept. Shorter curves are returned whole.
pub fn min_max_downsample(points: &[(f64, f64)], max_points: usize) -> Vec<(f64, f64)> {
    let buckets = (max_points / 2).max(1);
    if points.len() <= max_points.max(2) {
        return points.to_vec();
    }
    let size = points.len().div_ceil(buckets);
    let mut kept = Vec::with_capacity(buckets * 2 + 2);
    kept.push(points[0]);
    for chunk in points.chunks(size) {
        let (mut low, mut high) = (0, 0);
        for (index, point) in chunk.iter().enumerate() {
            if point.1 < chunk[low].1 {
                low = index;
            }
            if point.1 > chunk[high].1 {
                high = index;
            }
        }
        let (first, second) = (low.min(high), low.max(high));
        for index in [first, second] {
            push_new(&mut kept, chunk[index]);
        }
    }
    if let Some(&last) = points.last() {
        push_new(&mut kept, last);
    }
    kept
}

/// Pushes a point unless it is the one last kept (the first point may also be its run's extreme).
fn push_new(kept: &mut Vec<(f64, f64)>, point: (f64, f64)) {
    if kept.last() != Some(&point) {
        kept.push(point);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_curves_are_untouched() {
        let points = vec![(0.0, 1.0), (1.0, 2.0), (2.0, 0.5)];
        assert_eq!(min_max_downsample(&points, 10), points);
    }

    #[test]
    fn keeps_extremes_and_ends_within_budget() {
        // A sawtooth with one deep trough at x = 777 and one spike at x = 333.
        let points: Vec<(f64, f64)> = (0..1000)
            .map(|x| {
                let y = match x {
                    333 => 50.0,
                    777 => -50.0,
                    _ => (x % 7) as f64,
                };
                (x as f64, y)
            })
            .collect();
        let kept = min_max_downsample(&points, 100);
        assert!(kept.len() <= 104, "{} points kept", kept.len());
        assert!(kept.contains(&(333.0, 50.0)));
        assert!(kept.contains(&(777.0, -50.0)));
        assert_eq!(kept.first(), Some(&(0.0, 0.0)));
        assert_eq!(kept.last(), Some(&(999.0, (999 % 7) as f64)));
        assert!(kept.windows(2).all(|pair| pair[0].0 < pair[1].0));
    }
}
