//! Local time of the stores: every store is in mainland China, which keeps UTC+8 all
//! year (no daylight saving), so "local" is one fixed offset, not a time-zone database.
//!
//! Instants are stored and passed around as UTC [`OffsetDateTime`]s; opening hours,
//! delivery waves and "today" are local wall-clock notions converted here.

use time::{Date, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

/// China Standard Time, UTC+08:00.
pub const CHINA: UtcOffset = match UtcOffset::from_hms(8, 0, 0) {
    Ok(offset) => offset,
    Err(_) => UtcOffset::UTC,
};

/// The local calendar date of an instant.
pub fn local_date(at: OffsetDateTime) -> Date {
    at.to_offset(CHINA).date()
}

/// Minutes after local midnight of an instant (0..1440).
pub fn local_minute_of_day(at: OffsetDateTime) -> u16 {
    let t = at.to_offset(CHINA);
    u16::from(t.hour()) * 60 + u16::from(t.minute())
}

/// The instant at `minutes` after local midnight of `date`; 1440 is the next midnight.
pub fn at_local_minute(date: Date, minutes: u16) -> OffsetDateTime {
    let midnight = PrimitiveDateTime::new(date, Time::MIDNIGHT).assume_offset(CHINA);
    midnight + time::Duration::minutes(i64::from(minutes))
}

/// Parses a local calendar date as forms send it, `2026-12-05`;
/// [`crate::Error::TimeInvalid`] for anything else.
pub fn parse_date(input: &str) -> Result<Date, crate::Error> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(input.trim(), &format).map_err(|_| crate::Error::TimeInvalid)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    #[test]
    fn parses_a_form_date() {
        assert_eq!(parse_date(" 2026-12-05 "), Ok(date!(2026 - 12 - 05)));
        for bad in ["", "2026-13-01", "05/12/2026", "2026-02-30"] {
            assert_eq!(parse_date(bad), Err(crate::Error::TimeInvalid), "{bad:?}");
        }
    }

    #[test]
    fn converts_between_utc_and_local() {
        let at = datetime!(2026-11-24 23:30 UTC);
        assert_eq!(local_date(at), date!(2026 - 11 - 25));
        assert_eq!(local_minute_of_day(at), 7 * 60 + 30);
        assert_eq!(at_local_minute(date!(2026 - 11 - 25), 450), at);
        assert_eq!(
            at_local_minute(date!(2026 - 11 - 25), 1440),
            datetime!(2026-11-26 00:00 +8)
        );
    }
}
