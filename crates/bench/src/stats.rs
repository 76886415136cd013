//! Summary figures of a set of durations.

use std::time::Duration;

/// Count, median, p90, p99, min and max of journey times, in milliseconds.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// How many journeys.
    pub count: usize,
    /// The median (mean of the two middle values when the count is even).
    pub median_ms: f64,
    /// The 90th percentile (nearest rank).
    pub p90_ms: f64,
    /// The 99th percentile (nearest rank).
    pub p99_ms: f64,
    /// The fastest journey.
    pub min_ms: f64,
    /// The slowest journey.
    pub max_ms: f64,
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The nearest-rank percentile `p` (0–100) of sorted, non-empty `values`.
fn nearest_rank(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

impl Summary {
    /// Summarises `times`; `None` when there are none.
    pub fn of(times: &[Duration]) -> Option<Summary> {
        let mut sorted = times.to_vec();
        sorted.sort();
        let n = sorted.len();
        let (first, last) = (*sorted.first()?, *sorted.last()?);
        let median = if n % 2 == 1 {
            ms(sorted[n / 2])
        } else {
            (ms(sorted[n / 2 - 1]) + ms(sorted[n / 2])) / 2.0
        };
        Some(Summary {
            count: n,
            median_ms: median,
            p90_ms: ms(nearest_rank(&sorted, 90.0)),
            p99_ms: ms(nearest_rank(&sorted, 99.0)),
            min_ms: ms(first),
            max_ms: ms(last),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_of_one_to_a_hundred_milliseconds_are_their_ranks() {
        let times: Vec<Duration> = (1..=100).rev().map(Duration::from_millis).collect();
        let s = Summary::of(&times).unwrap();
        assert_eq!(s.count, 100);
        assert_eq!(s.median_ms, 50.5);
        assert_eq!((s.p90_ms, s.p99_ms), (90.0, 99.0));
        assert_eq!((s.min_ms, s.max_ms), (1.0, 100.0));
    }

    #[test]
    fn a_single_time_is_every_figure_and_none_is_no_summary() {
        let s = Summary::of(&[Duration::from_millis(7)]).unwrap();
        assert_eq!((s.median_ms, s.p90_ms, s.p99_ms), (7.0, 7.0, 7.0));
        assert!(Summary::of(&[]).is_none());
    }
}
