//! DSP1054 reliable delivery on the listener side: `SequenceContext` / `SequenceNumber`.
//!
//! DMTF DSP1054 (Indications profile 1.2) and the `CIM_Indication` property descriptions
//! (CIM Schema 2.41): the context identifies the indication service and the listener
//! destination (it changes when the server restarts or the destination is re-created), the
//! number starts at 0 for a new context, grows by one per indication to that destination,
//! wraps to 0 after `i64::MAX`, and is kept unchanged on retries. A listener therefore sees:
//! the expected number (in order), a lower one (a duplicate: a retry whose first attempt
//! did arrive), or a higher one (a gap: indications lost or still being retried).

use std::collections::{HashMap, HashSet, VecDeque};
use std::net::IpAddr;

/// How an indication fits its sequence.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SequenceStatus {
    /// The first indication seen for this context (or a new context: the server restarted
    /// or the destination was re-created; a loss across the change cannot be detected).
    First,
    /// The expected next number.
    InOrder,
    /// Numbers were skipped before this one: `missing` indications (starting at `from`)
    /// have not arrived (lost, or still being retried by the sender).
    AfterGap {
        /// First missing number.
        from: i64,
        /// How many are missing.
        missing: u64,
    },
    /// A number that was reported missing earlier and arrived after all.
    Late,
    /// Already received (a redelivery): acknowledged and, by default, not handed on.
    Duplicate,
}

/// The sequence properties of one indication and how they fit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SequenceInfo {
    /// `SequenceContext` (opaque).
    pub context: String,
    /// `SequenceNumber`.
    pub number: i64,
    /// In order, after a gap, late or duplicate.
    pub status: SequenceStatus,
}

#[derive(Debug, Default)]
struct Stream {
    expected: i64,
    /// Numbers reported missing and not yet seen (bounded, oldest forgotten first).
    missing: HashSet<i64>,
    missing_order: VecDeque<i64>,
}

/// Tracks `(sender address, SequenceContext)` streams (DSP1054). Memory is bounded: at most
/// `max_streams` contexts and `max_missing` remembered missing numbers per context (the
/// oldest are forgotten first; a forgotten number that arrives later counts as a duplicate).
#[derive(Debug)]
pub struct SequenceTracker {
    streams: HashMap<(IpAddr, String), Stream>,
    order: VecDeque<(IpAddr, String)>,
    max_streams: usize,
    max_missing: usize,
}

impl Default for SequenceTracker {
    fn default() -> Self {
        SequenceTracker::new(1024, 4096)
    }
}

impl SequenceTracker {
    /// A tracker remembering up to `max_streams` contexts and `max_missing` missing numbers
    /// per context.
    pub fn new(max_streams: usize, max_missing: usize) -> Self {
        SequenceTracker {
            streams: HashMap::new(),
            order: VecDeque::new(),
            max_streams: max_streams.max(1),
            max_missing,
        }
    }

    /// Classifies `number` in `context` from `sender` without recording it.
    pub fn classify(&self, sender: IpAddr, context: &str, number: i64) -> SequenceStatus {
        let Some(s) = self.streams.get(&(sender, context.to_string())) else {
            return SequenceStatus::First;
        };
        if number == s.expected {
            SequenceStatus::InOrder
        } else if s.missing.contains(&number) {
            SequenceStatus::Late
        } else if number < s.expected && !(s.expected - number > i64::MAX / 2 && number < 16) {
            SequenceStatus::Duplicate
        } else if number > s.expected {
            SequenceStatus::AfterGap {
                from: s.expected,
                missing: number.abs_diff(s.expected),
            }
        } else {
            // A small number long after a huge expected one: the sender wrapped past
            // i64::MAX (DSP1054), or restarted without changing the context.
            SequenceStatus::AfterGap {
                from: 0,
                missing: number.unsigned_abs(),
            }
        }
    }

    /// Records `number` (after the indication was accepted) and returns its status.
    pub fn record(&mut self, sender: IpAddr, context: &str, number: i64) -> SequenceStatus {
        let status = self.classify(sender, context, number);
        let key = (sender, context.to_string());
        if !self.streams.contains_key(&key) {
            if self.streams.len() >= self.max_streams
                && let Some(old) = self.order.pop_front()
            {
                self.streams.remove(&old);
            }
            self.order.push_back(key.clone());
        }
        let max_missing = self.max_missing;
        let s = self.streams.entry(key).or_default();
        let next = if number == i64::MAX { 0 } else { number + 1 };
        match &status {
            SequenceStatus::First | SequenceStatus::InOrder => s.expected = next,
            SequenceStatus::AfterGap { from, missing } => {
                let mut n = *from;
                for _ in 0..(*missing).min(max_missing as u64) {
                    if s.missing.insert(n) {
                        s.missing_order.push_back(n);
                    }
                    n = n.wrapping_add(1);
                }
                while s.missing_order.len() > max_missing {
                    if let Some(old) = s.missing_order.pop_front() {
                        s.missing.remove(&old);
                    }
                }
                s.expected = next;
            }
            SequenceStatus::Late => {
                s.missing.remove(&number);
                s.missing_order.retain(|n| *n != number);
            }
            SequenceStatus::Duplicate => {}
        }
        status
    }

    /// Numbers currently missing (reported in a gap, not arrived) for a stream.
    pub fn missing(&self, sender: IpAddr, context: &str) -> Vec<i64> {
        let mut v: Vec<i64> = self
            .streams
            .get(&(sender, context.to_string()))
            .map(|s| s.missing.iter().copied().collect())
            .unwrap_or_default();
        v.sort_unstable();
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn in_order_gap_late_duplicate_new_context_wrap() {
        let ip: IpAddr = [127, 0, 0, 1].into();
        let mut t = SequenceTracker::default();
        assert_eq!(t.record(ip, "A", 0), SequenceStatus::First);
        assert_eq!(t.record(ip, "A", 1), SequenceStatus::InOrder);
        assert_eq!(t.record(ip, "A", 1), SequenceStatus::Duplicate);
        assert_eq!(
            t.record(ip, "A", 4),
            SequenceStatus::AfterGap {
                from: 2,
                missing: 2
            }
        );
        assert_eq!(t.missing(ip, "A"), vec![2, 3]);
        assert_eq!(t.record(ip, "A", 3), SequenceStatus::Late);
        assert_eq!(t.record(ip, "A", 3), SequenceStatus::Duplicate);
        assert_eq!(t.missing(ip, "A"), vec![2]);
        assert_eq!(t.record(ip, "A", 5), SequenceStatus::InOrder);
        // A new context (re-created destination) starts over.
        assert_eq!(t.record(ip, "B", 0), SequenceStatus::First);
        // Another sender with the same context is another stream.
        let other: IpAddr = [127, 0, 0, 2].into();
        assert_eq!(t.record(other, "A", 0), SequenceStatus::First);
        // Wrap after i64::MAX.
        assert_eq!(t.record(ip, "W", i64::MAX - 1), SequenceStatus::First);
        assert_eq!(t.record(ip, "W", i64::MAX), SequenceStatus::InOrder);
        assert_eq!(t.record(ip, "W", 0), SequenceStatus::InOrder);
    }

    #[test]
    fn memory_is_bounded() {
        let ip: IpAddr = [127, 0, 0, 1].into();
        let mut t = SequenceTracker::new(2, 10);
        t.record(ip, "A", 0);
        t.record(ip, "A", 1_000_000);
        assert_eq!(t.missing(ip, "A").len(), 10);
        t.record(ip, "B", 0);
        t.record(ip, "C", 0);
        // A was forgotten: it starts over.
        assert_eq!(t.record(ip, "A", 7), SequenceStatus::First);
    }
}
