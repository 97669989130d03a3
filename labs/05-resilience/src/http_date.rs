//! The HTTP-date of RFC 9110 section 5.6.7, in the one form senders must use
//! (IMF-fixdate, `Sun, 06 Nov 1994 08:49:37 GMT`). Written out here, rather than taken
//! from a crate, because it is thirty lines and the lab adds no dependency for it.
//!
//! RFC 9110 asks recipients to accept two obsolete forms as well (RFC 850 and asctime).
//! This parser does not: whoever reads a `Retry-After` here falls back to its own
//! backoff for them, which is safe.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

const DAY_NAMES: [&str; 7] = ["Mon,", "Tue,", "Wed,", "Thu,", "Fri,", "Sat,", "Sun,"];
const MONTHS: [&str; 12] =
    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

// ANCHOR: parse
/// Parses an IMF-fixdate; `None` for anything else, including impossible dates such
/// as 30 February. Years before 1970 are refused too: no server means them.
pub fn parse(text: &str) -> Option<SystemTime> {
    let mut fields = text.split(' ');
    let (Some(day_name), Some(day), Some(month), Some(year), Some(time), Some("GMT"), None) = (
        fields.next(),
        fields.next(),
        fields.next(),
        fields.next(),
        fields.next(),
        fields.next(),
        fields.next(),
    ) else {
        return None;
    };
    if !DAY_NAMES.contains(&day_name) {
        return None;
    }
    let year = number(year, 4).filter(|y| *y >= 1970)?;
    let month = MONTHS.iter().position(|m| *m == month)? + 1;
    let month = u32::try_from(month).ok()?;
    let day = number(day, 2).filter(|d| (1..=days_in_month(year, month)).contains(d))?;
    let seconds_of_day = time_of_day(time)?;
    let days = days_since_epoch(year, month, day);
    Some(UNIX_EPOCH + Duration::from_secs(days * 86_400 + seconds_of_day))
}
// ANCHOR_END: parse

/// `HH:MM:SS`, with 60 seconds allowed for a leap second.
fn time_of_day(text: &str) -> Option<u64> {
    let mut parts = text.split(':');
    let (Some(h), Some(m), Some(s), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
        return None;
    };
    let h = number(h, 2).filter(|h| *h <= 23)?;
    let m = number(m, 2).filter(|m| *m <= 59)?;
    let s = number(s, 2).filter(|s| *s <= 60)?;
    Some(u64::from(h * 3_600 + m * 60 + s))
}

/// Exactly `len` ASCII digits.
fn number(text: &str, len: usize) -> Option<u32> {
    (text.len() == len && text.bytes().all(|b| b.is_ascii_digit())).then(|| text.parse().ok()).flatten()
}

fn days_in_month(year: u32, month: u32) -> u32 {
    let leap = year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400));
    match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to a date on or after it (Howard Hinnant's `days_from_civil`,
/// which counts in eras of 400 years starting in March, so leap days fall at the end).
fn days_since_epoch(year: u32, month: u32, day: u32) -> u64 {
    let year = u64::from(if month <= 2 { year - 1 } else { year });
    let (era, year_of_era) = (year / 400, year % 400);
    let month_from_march = u64::from((month + 9) % 12);
    let day_of_year = (153 * month_from_march + 2) / 5 + u64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}
