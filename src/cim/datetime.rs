//! CIM `datetime`: timestamps with a UTC offset, intervals, and `*` wildcards (DSP0004 §5.2.4).

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::ValueError;

/// A CIM datetime value: a timestamp `yyyymmddhhmmss.mmmmmmsutc` (sign `+`/`-`, UTC offset
/// in minutes) or an interval `ddddddddhhmmss.mmmmmm:000`.
///
/// Digits that are not significant may be `*` (DSP0004 §5.2.4), e.g.
/// `20240501******.******+000` is "some time on 1 May 2024". The value keeps its exact
/// 25-character form, so formatting gives back what was parsed.
///
/// ```
/// use smis::cim::CimDateTime;
/// let t: CimDateTime = "20240501123000.000000+060".parse().unwrap();
/// assert!(!t.is_interval());
/// assert_eq!(t.year(), Some(2024));
/// assert_eq!(t.utc_offset_minutes(), Some(60));
/// let i = CimDateTime::from_duration(std::time::Duration::from_secs(90061));
/// assert_eq!(i.to_string(), "00000001010101.000000:000");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct CimDateTime {
    raw: [u8; 25],
}

fn field(raw: &[u8; 25], start: usize, len: usize) -> Option<u64> {
    let mut v: u64 = 0;
    for &b in &raw[start..start + len] {
        if !b.is_ascii_digit() {
            return None;
        }
        v = v * 10 + u64::from(b - b'0');
    }
    Some(v)
}

impl CimDateTime {
    /// Parses the 25-character DSP0004 form. Surrounding whitespace is ignored.
    pub fn parse(s: &str) -> Result<Self, ValueError> {
        let t = s.trim();
        let bad = |why: &str| ValueError::BadDateTime {
            text: t.chars().take(40).collect(),
            why: why.to_string(),
        };
        let bytes = t.as_bytes();
        if bytes.len() != 25 {
            return Err(bad("must be 25 characters"));
        }
        let mut raw = [0u8; 25];
        raw.copy_from_slice(bytes);
        if raw[14] != b'.' {
            return Err(bad("character 15 must be '.'"));
        }
        let interval = match raw[21] {
            b':' => true,
            b'+' | b'-' => false,
            _ => return Err(bad("character 22 must be '+', '-' or ':'")),
        };
        // Digits and wildcards: once a '*' appears in the significant part, the rest of it
        // must be '*' as well (precision goes right to left).
        let mut wild = false;
        for (i, &b) in raw[..21].iter().enumerate() {
            if i == 14 {
                continue;
            }
            match b {
                b'0'..=b'9' if !wild => {}
                b'*' => wild = true,
                b'0'..=b'9' => return Err(bad("a digit follows a '*' wildcard")),
                _ => return Err(bad("only digits and '*' are allowed")),
            }
        }
        if interval {
            if &raw[22..] != b"000" {
                return Err(bad("an interval must end in ':000'"));
            }
            if field(&raw, 8, 2).is_some_and(|h| h > 23)
                || field(&raw, 10, 2).is_some_and(|m| m > 59)
                || field(&raw, 12, 2).is_some_and(|s| s > 59)
            {
                return Err(bad("interval hours, minutes or seconds out of range"));
            }
        } else {
            if !raw[22..].iter().all(u8::is_ascii_digit) {
                return Err(bad("the UTC offset must be three digits"));
            }
            if field(&raw, 4, 2).is_some_and(|m| !(1..=12).contains(&m))
                || field(&raw, 6, 2).is_some_and(|d| !(1..=31).contains(&d))
                || field(&raw, 8, 2).is_some_and(|h| h > 23)
                || field(&raw, 10, 2).is_some_and(|m| m > 59)
                || field(&raw, 12, 2).is_some_and(|s| s > 60)
            {
                return Err(bad("a timestamp field is out of range"));
            }
            // The day must exist in its month (and year, for 29 February), as far as the
            // digits that are not wildcards tell.
            if let (Some(m), Some(d)) = (field(&raw, 4, 2), field(&raw, 6, 2)) {
                if d > days_in_month(field(&raw, 0, 4), m) {
                    return Err(bad("the day does not exist in that month"));
                }
            }
        }
        Ok(CimDateTime { raw })
    }

    /// A timestamp with full precision.
    #[allow(clippy::too_many_arguments)]
    pub fn timestamp(
        year: u16,
        month: u8,
        day: u8,
        hour: u8,
        minute: u8,
        second: u8,
        micros: u32,
        utc_offset_minutes: i16,
    ) -> Result<Self, ValueError> {
        if year > 9999 || micros > 999_999 || !(-999..=999).contains(&utc_offset_minutes) {
            return Err(ValueError::BadDateTime {
                text: format!("{year}-{month}-{day} {hour}:{minute}:{second}.{micros}"),
                why: "field out of range".into(),
            });
        }
        let sign = if utc_offset_minutes < 0 { '-' } else { '+' };
        let s = format!(
            "{year:04}{month:02}{day:02}{hour:02}{minute:02}{second:02}.{micros:06}{sign}{:03}",
            utc_offset_minutes.unsigned_abs()
        );
        Self::parse(&s)
    }

    /// An interval with full precision. `days` must be below 100,000,000.
    pub fn interval(
        days: u32,
        hours: u8,
        minutes: u8,
        seconds: u8,
        micros: u32,
    ) -> Result<Self, ValueError> {
        if days > 99_999_999 || micros > 999_999 {
            return Err(ValueError::BadDateTime {
                text: format!("{days}d {hours}:{minutes}:{seconds}.{micros}"),
                why: "field out of range".into(),
            });
        }
        Self::parse(&format!(
            "{days:08}{hours:02}{minutes:02}{seconds:02}.{micros:06}:000"
        ))
    }

    /// An interval from a `Duration` (saturating at 99,999,999 days).
    pub fn from_duration(d: Duration) -> Self {
        let total = d.as_secs().min(99_999_999 * 86_400 + 86_399);
        let days = total / 86_400;
        let rem = total % 86_400;
        let s = format!(
            "{days:08}{:02}{:02}{:02}.{:06}:000",
            rem / 3600,
            rem % 3600 / 60,
            rem % 60,
            d.subsec_micros()
        );
        let mut raw = [0u8; 25];
        raw.copy_from_slice(s.as_bytes());
        CimDateTime { raw }
    }

    /// A UTC timestamp from a `SystemTime`. The value saturates at both ends of what the
    /// format can hold: times before 1970 give the epoch, `19700101000000.000000+000`, and
    /// times after the year 9999 give the last representable instant,
    /// `99991231235959.999999+000` (the whole value, not only the year, so that it stays
    /// the latest timestamp).
    pub fn from_system_time(t: SystemTime) -> Self {
        let d = t.duration_since(UNIX_EPOCH).unwrap_or_default();
        let secs = d.as_secs();
        let days = (secs / 86_400) as i64;
        let (y, m, dd) = civil_from_days(days);
        if y > 9999 {
            let mut raw = [0u8; 25];
            raw.copy_from_slice(b"99991231235959.999999+000");
            return CimDateTime { raw };
        }
        let rem = secs % 86_400;
        let s = format!(
            "{:04}{:02}{:02}{:02}{:02}{:02}.{:06}+000",
            y.clamp(0, 9999),
            m,
            dd,
            rem / 3600,
            rem % 3600 / 60,
            rem % 60,
            d.subsec_micros()
        );
        let mut raw = [0u8; 25];
        raw.copy_from_slice(s.as_bytes());
        CimDateTime { raw }
    }

    /// The current time, UTC.
    pub fn now() -> Self {
        Self::from_system_time(SystemTime::now())
    }

    /// True for an interval, false for a timestamp.
    pub fn is_interval(&self) -> bool {
        self.raw[21] == b':'
    }

    /// True when some digits are `*` wildcards.
    pub fn has_wildcards(&self) -> bool {
        self.raw.contains(&b'*')
    }

    /// The exact 25-character form.
    pub fn as_str(&self) -> &str {
        // Only ASCII bytes are ever stored (checked by `parse`).
        std::str::from_utf8(&self.raw).unwrap_or("")
    }

    /// Year of a timestamp (None for intervals or a wildcard).
    pub fn year(&self) -> Option<u16> {
        if self.is_interval() {
            return None;
        }
        field(&self.raw, 0, 4).map(|v| v as u16)
    }
    /// Month of a timestamp (1-12).
    pub fn month(&self) -> Option<u8> {
        (!self.is_interval())
            .then(|| field(&self.raw, 4, 2))
            .flatten()
            .map(|v| v as u8)
    }
    /// Day of a timestamp (1-31).
    pub fn day(&self) -> Option<u8> {
        (!self.is_interval())
            .then(|| field(&self.raw, 6, 2))
            .flatten()
            .map(|v| v as u8)
    }
    /// Days of an interval.
    pub fn days(&self) -> Option<u32> {
        self.is_interval()
            .then(|| field(&self.raw, 0, 8))
            .flatten()
            .map(|v| v as u32)
    }
    /// Hours (timestamp or interval).
    pub fn hour(&self) -> Option<u8> {
        field(&self.raw, 8, 2).map(|v| v as u8)
    }
    /// Minutes.
    pub fn minute(&self) -> Option<u8> {
        field(&self.raw, 10, 2).map(|v| v as u8)
    }
    /// Seconds.
    pub fn second(&self) -> Option<u8> {
        field(&self.raw, 12, 2).map(|v| v as u8)
    }
    /// Microseconds (None when any of its digits is a wildcard).
    pub fn microsecond(&self) -> Option<u32> {
        field(&self.raw, 15, 6).map(|v| v as u32)
    }
    /// UTC offset in minutes of a timestamp.
    pub fn utc_offset_minutes(&self) -> Option<i16> {
        if self.is_interval() {
            return None;
        }
        let v = field(&self.raw, 22, 3)? as i16;
        Some(if self.raw[21] == b'-' { -v } else { v })
    }

    /// The interval as a `Duration` (None for timestamps or wildcards).
    pub fn to_duration(&self) -> Option<Duration> {
        let days = u64::from(self.days()?);
        let secs = days * 86_400
            + u64::from(self.hour()?) * 3600
            + u64::from(self.minute()?) * 60
            + u64::from(self.second()?);
        Some(Duration::from_secs(secs) + Duration::from_micros(u64::from(self.microsecond()?)))
    }

    /// The timestamp as a `SystemTime` (None for intervals, wildcards or dates before 1970).
    pub fn to_system_time(&self) -> Option<SystemTime> {
        let days = days_from_civil(
            i64::from(self.year()?),
            u32::from(self.month()?),
            u32::from(self.day()?),
        );
        let secs = days * 86_400
            + i64::from(self.hour()?) * 3600
            + i64::from(self.minute()?) * 60
            + i64::from(self.second()?)
            - i64::from(self.utc_offset_minutes()?) * 60;
        let secs = u64::try_from(secs).ok()?;
        Some(
            UNIX_EPOCH
                + Duration::from_secs(secs)
                + Duration::from_micros(u64::from(self.microsecond()?)),
        )
    }
}

/// Days in `month` (1-12) of `year` (February has 29 when the year is unknown).
fn days_in_month(year: Option<u64>, month: u64) -> u64 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 => match year {
            Some(y) if !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)) => 28,
            _ => 29,
        },
        _ => 31,
    }
}

// Howard Hinnant's civil-from-days algorithms.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

impl std::str::FromStr for CimDateTime {
    type Err = ValueError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        CimDateTime::parse(s)
    }
}

impl fmt::Display for CimDateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
impl fmt::Debug for CimDateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CimDateTime({})", self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_timestamp_and_interval() {
        let t = CimDateTime::parse("20240229235960.123456-300").unwrap();
        assert_eq!(t.month(), Some(2));
        assert_eq!(t.utc_offset_minutes(), Some(-300));
        assert_eq!(t.microsecond(), Some(123_456));
        let i = CimDateTime::parse("00000010020304.000005:000").unwrap();
        assert_eq!(
            i.to_duration(),
            Some(Duration::new(10 * 86400 + 2 * 3600 + 3 * 60 + 4, 5000))
        );
    }

    #[test]
    fn wildcards() {
        let t = CimDateTime::parse("20240501******.******+000").unwrap();
        assert!(t.has_wildcards());
        assert_eq!(t.day(), Some(1));
        assert_eq!(t.hour(), None);
        assert!(CimDateTime::parse("2024050112*030.000000+000").is_err());
        // Compellent's value from pywbem #1379 is a valid interval.
        assert!(
            CimDateTime::parse("20180911124613.128***:000")
                .unwrap()
                .is_interval()
        );
    }

    #[test]
    fn refusals() {
        for bad in [
            "",
            "2024",
            "20241301000000.000000+000",
            "20240101000000.000000x000",
            "20240101000000.000000:001",
            "00000000250000.000000:000",
            "2024010100000a.000000+000",
            "20240231000000.000000+000",
            "20230229000000.000000+000",
            "19000229000000.000000+000",
            "20240431000000.000000+000",
        ] {
            assert!(CimDateTime::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn calendar_dates() {
        for good in [
            "20240229000000.000000+000",
            "20000229000000.000000+000",
            "20241231235959.999999+000",
        ] {
            assert!(CimDateTime::parse(good).is_ok(), "{good}");
        }
    }

    #[test]
    fn far_future_saturates_whole_value() {
        let far = UNIX_EPOCH + Duration::from_secs(400_000_000_000);
        let c = CimDateTime::from_system_time(far);
        assert_eq!(c.to_string(), "99991231235959.999999+000");
        let later = UNIX_EPOCH + Duration::from_secs(u64::MAX / 4);
        assert_eq!(CimDateTime::from_system_time(later), c);
        // The largest value is later than anything before it.
        let before = CimDateTime::parse("99991231235959.999998+000").unwrap();
        assert!(before.to_system_time() < c.to_system_time());
    }

    #[test]
    fn system_time_round_trip() {
        let t = UNIX_EPOCH + Duration::from_secs(1_700_000_000) + Duration::from_micros(42);
        let c = CimDateTime::from_system_time(t);
        assert_eq!(c.to_string(), "20231114221320.000042+000");
        assert_eq!(c.to_system_time(), Some(t));
        let shifted = CimDateTime::parse("20231115001320.000042+120").unwrap();
        assert_eq!(shifted.to_system_time(), Some(t));
    }
}
