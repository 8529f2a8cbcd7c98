//! The `uses` text of `consumption_history`, one row per location and part: what was
//! used on each local day with any use, as `day:milli` pairs joined by commas, the day
//! counted from 1970-01-01. One row per position keeps the replenishment run's read to
//! a row per shelf (migration 0022 says why).

use std::collections::BTreeMap;

use app::storage::StorageError;
use time::Date;

/// Days kept: a year, well beyond the forecast's 90 days of history.
pub const KEEP_DAYS: i64 = 366;

/// `Date::to_julian_day` of 1970-01-01.
const JULIAN_1970: i32 = 2_440_588;

/// The day's number counted from 1970-01-01.
pub fn day_number(day: Date) -> i64 {
    i64::from(day.to_julian_day() - JULIAN_1970)
}

/// The stored pairs in their order, each (day, milli).
pub fn pairs(text: &str) -> impl Iterator<Item = Result<(i64, i64), StorageError>> + '_ {
    text.split(',').filter(|p| !p.is_empty()).map(|pair| {
        pair.split_once(':')
            .and_then(|(d, m)| Some((d.parse::<i64>().ok()?, m.parse::<i64>().ok()?)))
            .ok_or_else(|| StorageError::corrupt(format!("consumption history {pair:?}")))
    })
}

/// Parses a stored list; a day written twice counts both.
pub fn parse(text: &str) -> Result<BTreeMap<i64, i64>, StorageError> {
    let mut days = BTreeMap::new();
    for pair in pairs(text) {
        let (day, milli) = pair?;
        *days.entry(day).or_insert(0) += milli;
    }
    Ok(days)
}

/// The stored form of `days`.
pub fn write(days: &BTreeMap<i64, i64>) -> String {
    let mut text = String::with_capacity(days.len() * 12);
    for (day, milli) in days {
        if !text.is_empty() {
            text.push(',');
        }
        text.push_str(&format!("{day}:{milli}"));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn day_numbers_count_from_1970() {
        assert_eq!(day_number(date!(1970 - 01 - 01)), 0);
        assert_eq!(day_number(date!(2026 - 12 - 06)), 20_793);
    }

    #[test]
    fn a_list_reads_back_as_written_and_repeats_add_up() {
        let days = BTreeMap::from([(20_000, 1_500), (20_003, 2_000)]);
        assert_eq!(write(&days), "20000:1500,20003:2000");
        assert_eq!(parse(&write(&days)).expect("parses"), days);
        assert_eq!(
            parse("20000:1000,20000:500").expect("parses"),
            BTreeMap::from([(20_000, 1_500)])
        );
        assert_eq!(parse("").expect("empty"), BTreeMap::new());
        assert!(parse("20000-1000").is_err());
    }
}
