//! The bounds that keep [`WaitOptions`] arithmetic from overflowing or busy-polling.
//!
//! Any `Duration` is accepted in [`WaitOptions`] and none of them panics: the deadline
//! saturates at [`WaitOptions::MAX_DEADLINE`], poll intervals are clamped to
//! [`WaitOptions::MIN_POLL_INTERVAL`]..=[`WaitOptions::MAX_POLL_INTERVAL`], and a backoff
//! factor that is not a finite number of at least 1 counts as 1 (no growth).

use std::time::Duration;

use tokio::time::Instant;

use super::WaitOptions;

impl WaitOptions {
    /// The shortest polling interval used (10 ms): a zero or tiny `poll_interval` is
    /// raised to it instead of polling the provider in a busy loop.
    pub const MIN_POLL_INTERVAL: Duration = Duration::from_millis(10);
    /// The longest polling interval used (1 hour): larger `poll_interval` or
    /// `max_interval` values are lowered to it.
    pub const MAX_POLL_INTERVAL: Duration = Duration::from_secs(3600);
    /// The longest deadline (100 years): `Duration::MAX` or anything beyond this means
    /// "wait for as long as it takes" and saturates here instead of overflowing an
    /// `Instant`.
    pub const MAX_DEADLINE: Duration = Duration::from_secs(100 * 365 * 86_400);

    /// The first polling interval, clamped.
    pub(crate) fn first_interval(&self) -> Duration {
        clamp_interval(self.poll_interval)
    }

    /// The polling interval after `current`: grown by the backoff factor, at most
    /// `max_interval` (but never below `current`), always within the clamps.
    pub(crate) fn bounded_next_interval(&self, current: Duration) -> Duration {
        let factor = if self.backoff.is_finite() && self.backoff >= 1.0 {
            self.backoff
        } else {
            1.0
        };
        let current = clamp_interval(current);
        let ceiling = clamp_interval(self.max_interval).max(current);
        let grown = current.as_secs_f64() * factor;
        let next = if grown.is_finite() && grown < ceiling.as_secs_f64() {
            Duration::try_from_secs_f64(grown).unwrap_or(ceiling)
        } else {
            ceiling
        };
        clamp_interval(next)
    }

    /// The deadline counted from `start`, saturating at [`WaitOptions::MAX_DEADLINE`].
    pub(crate) fn deadline_from(&self, start: Instant) -> Instant {
        let d = self.deadline.min(Self::MAX_DEADLINE);
        start
            .checked_add(d)
            .or_else(|| start.checked_add(Duration::from_secs(86_400 * 365)))
            .unwrap_or(start)
    }
}

fn clamp_interval(d: Duration) -> Duration {
    d.clamp(
        WaitOptions::MIN_POLL_INTERVAL,
        WaitOptions::MAX_POLL_INTERVAL,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extreme_values_never_panic() {
        let extremes = [
            Duration::ZERO,
            Duration::from_nanos(1),
            Duration::from_secs(1),
            Duration::from_secs(u64::MAX / 2),
            Duration::MAX,
        ];
        for poll in extremes {
            for max in extremes {
                for backoff in [f64::NAN, f64::INFINITY, -1.0, 0.0, 1.0, 1.5, 1e300] {
                    for deadline in extremes {
                        let o = WaitOptions {
                            poll_interval: poll,
                            max_interval: max,
                            backoff,
                            deadline,
                            ..WaitOptions::default()
                        };
                        let first = o.first_interval();
                        assert!(first >= WaitOptions::MIN_POLL_INTERVAL);
                        assert!(first <= WaitOptions::MAX_POLL_INTERVAL);
                        let mut i = first;
                        for _ in 0..5 {
                            let n = o.bounded_next_interval(i);
                            assert!(n >= i.min(WaitOptions::MAX_POLL_INTERVAL));
                            assert!(n <= WaitOptions::MAX_POLL_INTERVAL);
                            i = n;
                        }
                        let now = Instant::now();
                        assert!(o.deadline_from(now) >= now);
                    }
                }
            }
        }
    }

    #[test]
    fn zero_interval_is_clamped_to_the_minimum() {
        let o = WaitOptions {
            poll_interval: Duration::ZERO,
            max_interval: Duration::ZERO,
            ..WaitOptions::default()
        };
        assert_eq!(o.first_interval(), WaitOptions::MIN_POLL_INTERVAL);
        assert_eq!(
            o.bounded_next_interval(Duration::ZERO),
            WaitOptions::MIN_POLL_INTERVAL
        );
    }

    #[test]
    fn deadline_max_saturates() {
        let o = WaitOptions::with_deadline(Duration::MAX);
        let now = Instant::now();
        assert_eq!(o.deadline_from(now), now + WaitOptions::MAX_DEADLINE);
    }
}
