//! Instants on the wire: RFC 3339 timestamps and HTTP dates.
//!
//! The core has no clock, so this module only converts between text and an
//! instant; callers pass "now" in wherever it matters.

use std::fmt;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An instant in time, with nanosecond precision, always rendered in UTC.
///
/// Parsed from RFC 3339 (`2025-01-15T10:30:00Z`, `2025-01-15T07:30:00.123-03:00`)
/// and from the offset-less form Python services emit
/// (`2025-01-15T10:30:00`), which is read as UTC.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp {
    secs: i64,
    nanos: u32,
}

/// Why a piece of text is not a timestamp.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimestampError {
    /// What was wrong, in English.
    pub reason: &'static str,
}

impl fmt::Display for TimestampError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.reason)
    }
}

impl std::error::Error for TimestampError {}

const fn err(reason: &'static str) -> TimestampError {
    TimestampError { reason }
}

/// Years outside 0000..=9999 cannot be written in RFC 3339.
const MIN_SECS: i64 = -62_167_219_200; // 0000-01-01T00:00:00Z
const MAX_SECS: i64 = 253_402_300_799; // 9999-12-31T23:59:59Z

impl Timestamp {
    /// The Unix epoch, 1970-01-01T00:00:00Z.
    pub const UNIX_EPOCH: Timestamp = Timestamp { secs: 0, nanos: 0 };

    /// An instant from whole seconds since the Unix epoch.
    ///
    /// Returns `None` outside the years 0000..=9999.
    pub fn from_unix_seconds(secs: i64) -> Option<Timestamp> {
        Self::from_unix_parts(secs, 0)
    }

    /// An instant from seconds and nanoseconds since the Unix epoch.
    ///
    /// Returns `None` if `nanos` is 1e9 or more, or outside the years 0000..=9999.
    pub fn from_unix_parts(secs: i64, nanos: u32) -> Option<Timestamp> {
        if nanos >= 1_000_000_000 || !(MIN_SECS..=MAX_SECS).contains(&secs) {
            return None;
        }
        Some(Timestamp { secs, nanos })
    }

    /// An instant from (possibly fractional) seconds since the Unix epoch, as
    /// hosts such as JavaScript and Python count time.
    pub fn from_unix_seconds_f64(secs: f64) -> Option<Timestamp> {
        if !secs.is_finite() {
            return None;
        }
        let whole = secs.floor();
        if whole < MIN_SECS as f64 || whole > MAX_SECS as f64 {
            return None;
        }
        let nanos = ((secs - whole) * 1e9).round().min(999_999_999.0) as u32;
        Self::from_unix_parts(whole as i64, nanos)
    }

    /// The instant a host clock reading stands for (the caller reads the
    /// clock: `Timestamp::from_system_time(SystemTime::now())`). Returns
    /// `None` outside the years 0000..=9999.
    pub fn from_system_time(time: std::time::SystemTime) -> Option<Timestamp> {
        match time.duration_since(std::time::UNIX_EPOCH) {
            Ok(after) => {
                Self::from_unix_parts(i64::try_from(after.as_secs()).ok()?, after.subsec_nanos())
            }
            Err(before) => {
                let before = before.duration();
                let secs = i64::try_from(before.as_secs()).ok()?;
                match before.subsec_nanos() {
                    0 => Self::from_unix_parts(-secs, 0),
                    nanos => Self::from_unix_parts(-secs - 1, 1_000_000_000 - nanos),
                }
            }
        }
    }

    /// Whole seconds since the Unix epoch (negative before 1970).
    pub fn unix_seconds(&self) -> i64 {
        self.secs
    }

    /// The sub-second part, in nanoseconds.
    pub fn subsec_nanos(&self) -> u32 {
        self.nanos
    }

    /// Whole milliseconds since the Unix epoch (the sub-millisecond part
    /// dropped), saturating at the ends of `i64`.
    pub fn unix_millis(&self) -> i64 {
        self.secs
            .saturating_mul(1000)
            .saturating_add(i64::from(self.nanos / 1_000_000))
    }

    /// Seconds since the Unix epoch as a float, for hosts that count time that way.
    pub fn as_unix_seconds_f64(&self) -> f64 {
        self.secs as f64 + f64::from(self.nanos) / 1e9
    }

    /// Parses an RFC 3339 timestamp; a missing offset is read as UTC.
    pub fn parse(text: &str) -> Result<Timestamp, TimestampError> {
        parse_rfc3339(text.as_bytes())
    }

    /// Parses an RFC 3339 timestamp that states its offset (`Z` or `±hh:mm`),
    /// as every timestamp the SDK sends must: an offset-less one (a naive
    /// Python `datetime`, a local wall-clock reading) is ambiguous, and
    /// reading it as UTC would silently shift it by the sender's offset.
    pub fn parse_with_offset(text: &str) -> Result<Timestamp, TimestampError> {
        let t = parse_rfc3339(text.as_bytes())?;
        let b = text.as_bytes();
        let end = b
            .iter()
            .skip(19)
            .position(|c| !(c.is_ascii_digit() || *c == b'.'))
            .map(|i| i + 19);
        if end.is_none() {
            return Err(err(
                "has no UTC offset: add 'Z' or '+hh:mm' (a naive datetime is ambiguous)",
            ));
        }
        Ok(t)
    }

    /// Parses an HTTP date (IMF-fixdate, e.g. `Wed, 21 Oct 2015 07:28:00 GMT`),
    /// as found in a `Retry-After` header.
    pub fn parse_http_date(text: &str) -> Result<Timestamp, TimestampError> {
        parse_imf_fixdate(text.trim())
    }

    /// The calendar fields in UTC: (year, month, day, hour, minute, second).
    pub fn to_utc_fields(&self) -> (i64, u32, u32, u32, u32, u32) {
        let days = self.secs.div_euclid(86_400);
        let rem = self.secs.rem_euclid(86_400) as u32;
        let (y, m, d) = civil_from_days(days);
        (y, m, d, rem / 3600, rem / 60 % 60, rem % 60)
    }

    /// Renders as RFC 3339 in UTC (`Z`), with as many fractional digits as needed.
    pub fn to_rfc3339(&self) -> String {
        self.to_string()
    }
}

/// `YYYY-MM-DDTHH:MM:SS.fffffffffZ`, the longest form [`Timestamp`] writes.
const RFC3339_MAX_LEN: usize = 30;

impl Timestamp {
    /// Writes RFC 3339 in UTC, the fraction without trailing zeros, into
    /// `buf`: digits by hand rather than through `core::fmt`, because every
    /// resource a binding hands over carries timestamps (in wasm, formatting
    /// them was a sixth of a webhook's parse-and-serialize time).
    fn write_rfc3339<'b>(&self, buf: &'b mut [u8; RFC3339_MAX_LEN]) -> &'b [u8] {
        fn put(buf: &mut [u8], at: usize, width: usize, mut n: u32) {
            for i in (at..at + width).rev() {
                buf[i] = b'0' + (n % 10) as u8;
                n /= 10;
            }
        }
        let (y, mo, d, h, mi, s) = self.to_utc_fields();
        // The constructors keep the year in 0000..=9999.
        put(buf, 0, 4, y.clamp(0, 9999) as u32);
        put(buf, 5, 2, mo);
        put(buf, 8, 2, d);
        put(buf, 11, 2, h);
        put(buf, 14, 2, mi);
        put(buf, 17, 2, s);
        for (at, sep) in [(4, b'-'), (7, b'-'), (10, b'T'), (13, b':'), (16, b':')] {
            buf[at] = sep;
        }
        let mut len = 19;
        if self.nanos != 0 {
            buf[19] = b'.';
            put(buf, 20, 9, self.nanos);
            len = 29;
            while buf[len - 1] == b'0' {
                len -= 1;
            }
        }
        buf[len] = b'Z';
        &buf[..=len]
    }

    /// [`write_rfc3339`](Self::write_rfc3339) as text.
    fn rfc3339_text<'b>(&self, buf: &'b mut [u8; RFC3339_MAX_LEN]) -> &'b str {
        // Only ASCII digits and separators were written.
        std::str::from_utf8(self.write_rfc3339(buf)).unwrap_or_default()
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.rfc3339_text(&mut [0; RFC3339_MAX_LEN]))
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Timestamp({self})")
    }
}

impl std::str::FromStr for Timestamp {
    type Err = TimestampError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Timestamp::parse(s)
    }
}

impl Timestamp {
    /// Writes the timestamp as a JSON string, as its `Serialize` does
    /// (RFC 3339 needs no escape), without a serializer in between.
    pub(crate) fn write_json(&self, out: &mut Vec<u8>) {
        out.push(b'"');
        out.extend_from_slice(self.write_rfc3339(&mut [0; RFC3339_MAX_LEN]));
        out.push(b'"');
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.rfc3339_text(&mut [0; RFC3339_MAX_LEN]))
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TimestampVisitor;
        impl Visitor<'_> for TimestampVisitor {
            type Value = Timestamp;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an RFC 3339 timestamp string")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Timestamp, E> {
                Timestamp::parse(v)
                    .map_err(|e| E::custom(format_args!("invalid timestamp {v:?}: {e}")))
            }
        }
        deserializer.deserialize_str(TimestampVisitor)
    }
}

/// Reads an argument timestamp with [`Timestamp::parse_with_offset`].
pub(crate) fn deserialize_with_offset<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Timestamp, D::Error> {
    let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
    Timestamp::parse_with_offset(&text)
        .map_err(|e| de::Error::custom(format_args!("invalid timestamp {text:?}: {e}")))
}

/// [`deserialize_with_offset`] for an optional argument.
pub(crate) fn deserialize_opt_with_offset<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Timestamp>, D::Error> {
    match <Option<std::borrow::Cow<'de, str>>>::deserialize(deserializer)? {
        None => Ok(None),
        Some(text) => Timestamp::parse_with_offset(&text)
            .map(Some)
            .map_err(|e| de::Error::custom(format_args!("invalid timestamp {text:?}: {e}"))),
    }
}

/// A duration written in seconds for people (logs, error messages), to the
/// millisecond: `1.5`, `30`, `0.25`; with a precision (`{:.3}`), that many
/// decimals (at most 3). Integer arithmetic rather than `f64` formatting,
/// which would bring the float printer (≈ 15 KB) into the web build.
pub(crate) struct Seconds(pub(crate) std::time::Duration);

impl fmt::Display for Seconds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // In u64: u128's printer and division are 2 KB of wasm. Rounding
        // Duration::MAX up carries past u64::MAX, to exactly 2^64.
        let (whole, frac) = match (self.0.subsec_nanos() + 500_000) / 1_000_000 {
            1000 => (self.0.as_secs().checked_add(1), 0),
            ms => (Some(self.0.as_secs()), ms),
        };
        match whole {
            Some(whole) => write!(f, "{whole}")?,
            None => f.write_str("18446744073709551616")?,
        }
        let digits = format!("{frac:03}");
        let shown = match f.precision() {
            Some(p) => &digits[..p.min(3)],
            None => digits.trim_end_matches('0'),
        };
        if shown.is_empty() {
            Ok(())
        } else {
            write!(f, ".{shown}")
        }
    }
}

/// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if is_leap(y) => 29,
        _ => 28,
    }
}

fn digits(b: &[u8], at: usize, n: usize) -> Result<u32, TimestampError> {
    let slice = b.get(at..at + n).ok_or(err("too short"))?;
    let mut v = 0u32;
    for &c in slice {
        if !c.is_ascii_digit() {
            return Err(err("expected a digit"));
        }
        v = v * 10 + u32::from(c - b'0');
    }
    Ok(v)
}

fn expect(b: &[u8], at: usize, what: &[u8], reason: &'static str) -> Result<(), TimestampError> {
    match b.get(at) {
        Some(c) if what.contains(c) => Ok(()),
        _ => Err(err(reason)),
    }
}

fn from_fields(y: i64, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> Result<i64, TimestampError> {
    if !(1..=12).contains(&mo) {
        return Err(err("month out of range"));
    }
    if d == 0 || d > days_in_month(y, mo) {
        return Err(err("day out of range"));
    }
    if h > 23 || mi > 59 {
        return Err(err("time out of range"));
    }
    // A leap second (:60) is folded into the next second, as most hosts do.
    if s > 60 {
        return Err(err("second out of range"));
    }
    Ok(days_from_civil(y, mo, d) * 86_400 + i64::from(h * 3600 + mi * 60 + s))
}

fn parse_rfc3339(b: &[u8]) -> Result<Timestamp, TimestampError> {
    if b.len() < 19 {
        return Err(err("too short for YYYY-MM-DDTHH:MM:SS"));
    }
    let y = i64::from(digits(b, 0, 4)?);
    expect(b, 4, b"-", "expected '-' after the year")?;
    let mo = digits(b, 5, 2)?;
    expect(b, 7, b"-", "expected '-' after the month")?;
    let d = digits(b, 8, 2)?;
    expect(b, 10, b"Tt ", "expected 'T' between date and time")?;
    let h = digits(b, 11, 2)?;
    expect(b, 13, b":", "expected ':' after the hour")?;
    let mi = digits(b, 14, 2)?;
    expect(b, 16, b":", "expected ':' after the minute")?;
    let s = digits(b, 17, 2)?;
    let mut secs = from_fields(y, mo, d, h, mi, s)?;
    let mut at = 19;
    let mut nanos = 0u32;
    if b.get(at) == Some(&b'.') {
        at += 1;
        let start = at;
        while let Some(c) = b.get(at).filter(|c| c.is_ascii_digit()) {
            if at - start < 9 {
                nanos = nanos * 10 + u32::from(c - b'0');
            }
            at += 1;
        }
        let n = at - start;
        if n == 0 {
            return Err(err("expected digits after '.'"));
        }
        for _ in n..9 {
            nanos *= 10;
        }
    }
    match b.get(at) {
        None => {}
        Some(b'Z' | b'z') => {
            at += 1;
        }
        Some(&sign @ (b'+' | b'-')) => {
            let oh = digits(b, at + 1, 2)?;
            expect(b, at + 3, b":", "expected ':' in the UTC offset")?;
            let om = digits(b, at + 4, 2)?;
            if oh > 23 || om > 59 {
                return Err(err("UTC offset out of range"));
            }
            let offset = i64::from(oh * 3600 + om * 60);
            secs += if sign == b'+' { -offset } else { offset };
            at += 6;
        }
        Some(_) => return Err(err("unexpected text after the time")),
    }
    if at != b.len() {
        return Err(err("unexpected text after the UTC offset"));
    }
    Timestamp::from_unix_parts(secs, nanos).ok_or(err("year out of range"))
}

/// How a timestamp in the usual form is written as canonical JSON (what
/// [`Timestamp::write_json`] writes for it) straight from its text: its
/// date and time, then as many of its fraction's digits as are kept (the
/// nanoseconds' digits, trailing zeros trimmed). What a webhook's two
/// timestamps take on the web build's path, which needs no instant.
#[derive(Debug, Clone, Copy)]
pub(crate) struct UsualForm {
    fraction_kept: usize,
}

impl UsualForm {
    /// The form of `text`, when it is a timestamp in the form servers
    /// send, `YYYY-MM-DDTHH:MM:SS[.fraction]Z`, in range for the calendar,
    /// without a leap second (which is folded into the next minute) and
    /// with digits after any `.`. Any such text is an instant that
    /// [`Timestamp`] holds (years 0000 to 9999, in UTC).
    pub(crate) fn of(text: &[u8]) -> Option<UsualForm> {
        let (head, rest) = text.split_first_chunk::<19>()?;
        let separators = [head[4], head[7], head[10], head[13], head[16]];
        if separators != *b"--T::" {
            return None;
        }
        let two = |at: usize| digits(head, at, 2).ok();
        let y = digits(head, 0, 4).ok()?;
        let (mo, d, h, mi, s) = (two(5)?, two(8)?, two(11)?, two(14)?, two(17)?);
        if !(1..=12).contains(&mo)
            || d == 0
            || d > days_in_month(i64::from(y), mo)
            || h > 23
            || mi > 59
            || s > 59
        {
            return None;
        }
        let fraction = match rest {
            [b'Z'] => &[][..],
            [b'.', fraction @ .., b'Z']
                if !fraction.is_empty() && fraction.iter().all(u8::is_ascii_digit) =>
            {
                fraction
            }
            _ => return None,
        };
        let nanos = &fraction[..fraction.len().min(9)];
        let fraction_kept = nanos.iter().rposition(|d| *d != b'0').map_or(0, |i| i + 1);
        Some(UsualForm { fraction_kept })
    }

    /// Writes the canonical JSON of `text`, the text [`of`](Self::of) read.
    pub(crate) fn write_json(self, text: &[u8], out: &mut Vec<u8>) {
        out.push(b'"');
        out.extend_from_slice(text.get(..19).unwrap_or_default());
        if self.fraction_kept > 0 {
            out.extend_from_slice(text.get(19..20 + self.fraction_kept).unwrap_or_default());
        }
        out.extend_from_slice(b"Z\"");
    }
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

fn parse_imf_fixdate(s: &str) -> Result<Timestamp, TimestampError> {
    // "Sun, 06 Nov 1994 08:49:37 GMT"
    let b = s.as_bytes();
    if b.len() != 29 || !s.is_ascii() {
        return Err(err("not an HTTP date like 'Sun, 06 Nov 1994 08:49:37 GMT'"));
    }
    if &b[3..5] != b", " || &b[25..] != b" GMT" {
        return Err(err("not an HTTP date like 'Sun, 06 Nov 1994 08:49:37 GMT'"));
    }
    let d = digits(b, 5, 2)?;
    let mo = MONTHS
        .iter()
        .position(|m| m.as_bytes() == &b[8..11])
        .ok_or(err("unknown month name"))? as u32
        + 1;
    let y = i64::from(digits(b, 12, 4)?);
    let h = digits(b, 17, 2)?;
    let mi = digits(b, 20, 2)?;
    let sec = digits(b, 23, 2)?;
    if b[7] != b' ' || b[11] != b' ' || b[16] != b' ' || b[19] != b':' || b[22] != b':' {
        return Err(err("not an HTTP date like 'Sun, 06 Nov 1994 08:49:37 GMT'"));
    }
    let secs = from_fields(y, mo, d, h, mi, sec)?;
    Timestamp::from_unix_seconds(secs).ok_or(err("year out of range"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_system_times_on_both_sides_of_the_epoch() {
        use std::time::{Duration, UNIX_EPOCH};
        let after = UNIX_EPOCH + Duration::new(1_736_937_000, 250_000_000);
        assert_eq!(
            Timestamp::from_system_time(after).unwrap().to_string(),
            "2025-01-15T10:30:00.25Z"
        );
        let before = UNIX_EPOCH - Duration::new(1, 250_000_000);
        let t = Timestamp::from_system_time(before).unwrap();
        assert_eq!((t.unix_seconds(), t.subsec_nanos()), (-2, 750_000_000));
        assert_eq!(
            Timestamp::from_system_time(UNIX_EPOCH),
            Some(Timestamp::UNIX_EPOCH)
        );
    }

    #[test]
    fn parses_offsets_fractions_and_naive() {
        let z = Timestamp::parse("2025-01-15T10:30:00Z").unwrap();
        assert_eq!(z.unix_seconds(), 1_736_937_000);
        assert_eq!(Timestamp::parse("2025-01-15T07:30:00-03:00").unwrap(), z);
        assert_eq!(Timestamp::parse("2025-01-15T10:30:00").unwrap(), z);
        let f = Timestamp::parse("2025-01-15T10:30:00.123456789+00:00").unwrap();
        assert_eq!(f.subsec_nanos(), 123_456_789);
        assert_eq!(f.to_string(), "2025-01-15T10:30:00.123456789Z");
        let long = Timestamp::parse("2025-01-15T10:30:00.1234567891234Z").unwrap();
        assert_eq!(long.subsec_nanos(), 123_456_789);
        assert_eq!(z.to_string(), "2025-01-15T10:30:00Z");
    }

    #[test]
    fn rejects_nonsense_without_panicking() {
        for bad in [
            "",
            "2025",
            "2025-13-01T00:00:00Z",
            "2025-02-29T00:00:00Z",
            "2025-01-15T10:30:00+",
            "2025-01-15T10:30:00Zjunk",
            "2025-01-15T10:30:00.Z",
            "2025-01-15T24:00:00Z",
            "ééééééééééééééééééééé",
        ] {
            assert!(Timestamp::parse(bad).is_err(), "{bad}");
        }
        assert!(Timestamp::parse("2024-02-29T00:00:00Z").is_ok());
    }

    #[test]
    fn http_dates() {
        let t = Timestamp::parse_http_date("Wed, 21 Oct 2015 07:28:00 GMT").unwrap();
        assert_eq!(t, Timestamp::parse("2015-10-21T07:28:00Z").unwrap());
        assert!(Timestamp::parse_http_date("Wed, 21 Foo 2015 07:28:00 GMT").is_err());
        assert!(Timestamp::parse_http_date("120").is_err());
    }

    #[test]
    fn calendar_round_trip() {
        for days in [-719_528i64, -1, 0, 1, 11_016, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
    }

    proptest::proptest! {
        /// The hand-written digits say what `core::fmt` would, and read back
        /// to the same instant, over every year RFC 3339 can hold.
        #[test]
        fn writes_what_fmt_would_and_reads_back(secs in MIN_SECS..=MAX_SECS, nanos in 0u32..1_000_000_000) {
            let t = Timestamp::from_unix_parts(secs, nanos).unwrap();
            let (y, mo, d, h, mi, s) = t.to_utc_fields();
            let mut expected = format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}");
            if nanos != 0 {
                expected.push_str(format!(".{nanos:09}").trim_end_matches('0'));
            }
            expected.push('Z');
            proptest::prop_assert_eq!(t.to_string(), expected.clone());
            proptest::prop_assert_eq!(serde_json::to_string(&t).unwrap(), format!("\"{expected}\""));
            proptest::prop_assert_eq!(Timestamp::parse(&expected).unwrap(), t);
        }
    }

    #[test]
    fn seconds_read_as_people_write_them() {
        use std::time::Duration;
        let ms = Duration::from_millis;
        assert_eq!(Seconds(ms(1500)).to_string(), "1.5");
        assert_eq!(Seconds(ms(30_000)).to_string(), "30");
        assert_eq!(Seconds(ms(250)).to_string(), "0.25");
        assert_eq!(
            Seconds(Duration::from_micros(2_500_600)).to_string(),
            "2.501"
        );
        assert_eq!(format!("{:.3}", Seconds(ms(1500))), "1.500");
        assert_eq!(format!("{:.3}", Seconds(ms(0))), "0.000");
        assert_eq!(format!("{:.1}", Seconds(ms(1250))), "1.2");
        assert_eq!(Seconds(Duration::MAX).to_string(), "18446744073709551616");
        assert_eq!(
            format!("{:.3}", Seconds(Duration::MAX)),
            "18446744073709551616.000"
        );
        assert_eq!(
            Seconds(Duration::new(u64::MAX, 499_999_999)).to_string(),
            "18446744073709551615.5"
        );
    }

    /// What [`UsualForm`] makes of `text`: when it takes it, the parser
    /// must read it and the form must write what the instant writes; it
    /// must take every text the parser reads that is UTC as `Z`, has a `T`,
    /// digits after any `.` and no leap second.
    fn check_usual_form(text: &[u8]) -> Result<(), String> {
        let parsed = std::str::from_utf8(text)
            .ok()
            .and_then(|t| Timestamp::parse(t).ok());
        let shown = String::from_utf8_lossy(text);
        match (UsualForm::of(text), parsed) {
            (Some(form), Some(t)) => {
                let (mut straight, mut written) = (Vec::new(), Vec::new());
                form.write_json(text, &mut straight);
                t.write_json(&mut written);
                if straight != written {
                    return Err(format!("{shown}: {straight:?} != {written:?}"));
                }
            }
            (Some(_), None) => return Err(format!("{shown} taken, but not a timestamp")),
            (None, Some(_)) => {
                let usual = text.len() >= 20
                    && text[10] == b'T'
                    && text.ends_with(b"Z")
                    && !text.ends_with(b".Z")
                    && text[17..19] != *b"60";
                if usual {
                    return Err(format!("{shown} not taken"));
                }
            }
            (None, None) => {}
        }
        Ok(())
    }

    /// Every text in the usual form, in range or just out of it.
    #[test]
    fn the_usual_form_is_taken_whenever_it_is_valid() {
        let check = |text: String| check_usual_form(text.as_bytes()).unwrap();
        for y in [0, 1900, 2000, 2024, 2025, 9999] {
            for mo in 0..=13 {
                for d in 0..=32 {
                    check(format!("{y:04}-{mo:02}-{d:02}T12:00:00Z"));
                }
            }
        }
        for (h, mi, s) in [0, 23, 24].iter().flat_map(|&h| {
            [0, 59, 60]
                .iter()
                .flat_map(move |&mi| [0, 59, 60, 61].map(move |s| (h, mi, s)))
        }) {
            for fraction in [
                "",
                ".",
                ".0",
                ".5",
                ".500",
                ".123456789",
                ".1234567891",
                ".x",
            ] {
                for zone in ["Z", "z", "+01:00", ""] {
                    check(format!("9999-12-31T{h:02}:{mi:02}:{s:02}{fraction}{zone}"));
                    check(format!("2024-02-29T{h:02}:{mi:02}:{s:02}{fraction}{zone}"));
                }
            }
        }
    }

    proptest::proptest! {
        /// The same over fields in and out of range, fractions of any
        /// length and near-misses of the form (a byte damaged).
        #[test]
        fn the_usual_form_agrees_with_the_parser(
            y in 0u32..=9999, mo in 0u32..=13, d in 0u32..=32, h in 0u32..=24,
            mi in 0u32..=60, s in 0u32..=61, fraction in "(\\.[0-9]{0,12})?",
            zone in "Z|z|\\+01:00|", damage in proptest::option::of((0usize..32, proptest::num::u8::ANY)),
        ) {
            let mut text = format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}{fraction}{zone}").into_bytes();
            if let Some((at, byte)) = damage {
                if let Some(b) = text.get_mut(at) {
                    *b = byte;
                }
            }
            if let Err(e) = check_usual_form(&text) {
                proptest::prop_assert!(false, "{}", e);
            }
        }
    }

    #[test]
    fn the_written_form_is_recognized_exactly() {
        // check_usual_form over every date, fraction and zone form the
        // parser reads, of which the usual ones must be taken.
        let dates = [
            "2025-01-15T10:30:07",
            "2024-02-29T23:59:60",
            "0000-01-01T00:00:00",
            "9999-12-31T23:59:59",
            "2025-01-15t10:30:07",
            "2025-01-15 10:30:07",
        ];
        let fractions = [
            "",
            ".",
            ".0",
            ".5",
            ".50",
            ".500",
            ".412",
            ".000000001",
            ".123456789",
            ".1234567890",
            ".1000000000",
            ".1234567891",
            ".0000000001",
            ".000",
        ];
        let zones = ["Z", "z", "+00:00", "-00:00", "+01:30", ""];
        let mut taken = 0;
        for date in dates {
            for fraction in fractions {
                for zone in zones {
                    let text = format!("{date}{fraction}{zone}");
                    if Timestamp::parse(&text).is_err() {
                        continue;
                    }
                    check_usual_form(text.as_bytes()).unwrap();
                    taken += usize::from(UsualForm::of(text.as_bytes()).is_some());
                }
            }
        }
        assert!(taken >= 30, "{taken}");
    }
}
