//! `CimDateTime` (DSP0004 §5.2.4): parsing arbitrary text never panics; what parses formats
//! back to the same text, has fields in range, and converts to and from `Duration` /
//! `SystemTime` without loss; what `from_duration` / `from_system_time` build always
//! parses.
#![no_main]

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use libfuzzer_sys::fuzz_target;
use smis::cim::CimDateTime;

fn days_in_month(year: u16, month: u8) -> u8 {
    let leap = year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400));
    match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// 9999-12-31T23:59:59.999999Z, the last instant a CIM timestamp can hold in UTC.
fn max_timestamp() -> SystemTime {
    UNIX_EPOCH + Duration::new(253_402_300_799, 999_999_000)
}

fn check(dt: &CimDateTime, origin: &str) {
    let text = dt.to_string();
    assert_eq!(text.len(), 25, "{origin}: {text:?}");
    let back = CimDateTime::parse(&text).unwrap_or_else(|e| panic!("{origin}: {text:?}: {e}"));
    assert_eq!(back, *dt, "{origin}");
    let _ = (
        dt.hour(),
        dt.minute(),
        dt.second(),
        dt.microsecond(),
        dt.has_wildcards(),
    );
    if dt.is_interval() {
        if let Some(d) = dt.to_duration() {
            assert_eq!(
                CimDateTime::from_duration(d),
                *dt,
                "{origin}: interval via Duration"
            );
        }
    } else {
        if let (Some(y), Some(m), Some(d)) = (dt.year(), dt.month(), dt.day()) {
            assert!((1..=12).contains(&m), "{origin}: month {m}");
            assert!(
                d >= 1 && d <= days_in_month(y, m),
                "{origin}: {y}-{m}-{d} is no date"
            );
        }
        let _ = dt.utc_offset_minutes();
        if let Some(t) = dt.to_system_time().filter(|t| *t <= max_timestamp()) {
            let again = CimDateTime::from_system_time(t);
            assert_eq!(
                again.to_system_time(),
                Some(t),
                "{origin}: via SystemTime gives {again}"
            );
        }
    }
}

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data)
        && let Ok(dt) = CimDateTime::parse(text)
    {
        check(&dt, text);
    }
    if data.len() >= 12 {
        let mut secs = [0u8; 8];
        secs.copy_from_slice(&data[..8]);
        let mut nanos = [0u8; 4];
        nanos.copy_from_slice(&data[8..12]);
        let secs = u64::from_le_bytes(secs);
        let nanos = u32::from_le_bytes(nanos) % 1_000_000_000;
        let d = Duration::new(secs, nanos);
        let i = CimDateTime::from_duration(d);
        check(&i, "from_duration");
        if let Some(t) = UNIX_EPOCH.checked_add(d) {
            let ts = CimDateTime::from_system_time(t);
            check(&ts, "from_system_time");
            let want = UNIX_EPOCH + Duration::new(secs, nanos / 1000 * 1000);
            if t <= max_timestamp() {
                assert_eq!(
                    ts.to_system_time(),
                    Some(want),
                    "from_system_time {d:?} gives {ts}"
                );
            }
        }
    }
});
