//! [`DbTime`]: how a UTC instant is stored, the same way on every row.
//!
//! On PostgreSQL it is a plain `TIMESTAMPTZ`. On SQLite, which has no time type, it is
//! fixed-width UTC text, `2026-11-24T08:30:00.123456Z`: with every value the same width
//! and offset, text order is time order, so `WHERE t <= $1` and `ORDER BY t` are right.
//! (sqlx's own SQLite encoding trims trailing zeros from the fraction, which breaks that
//! order within a second.)

use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::postgres::{PgArgumentBuffer, PgTypeInfo, PgValueRef};
use sqlx::sqlite::{SqliteArgumentsBuffer, SqliteTypeInfo, SqliteValueRef};
use sqlx::{Decode, Encode, Postgres, Sqlite, Type};
use time::format_description::FormatItem;
use time::macros::format_description;
use time::{OffsetDateTime, UtcOffset};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct DbTime(pub OffsetDateTime);

const SQLITE_FORMAT: &[FormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z");

impl DbTime {
    /// The SQLite text form (microsecond precision, always UTC).
    pub fn sqlite_text(self) -> Result<String, time::error::Format> {
        self.0.to_offset(UtcOffset::UTC).format(SQLITE_FORMAT)
    }
}

impl From<OffsetDateTime> for DbTime {
    fn from(t: OffsetDateTime) -> Self {
        DbTime(t)
    }
}

impl Type<Sqlite> for DbTime {
    fn type_info() -> SqliteTypeInfo {
        <OffsetDateTime as Type<Sqlite>>::type_info()
    }
    fn compatible(ty: &SqliteTypeInfo) -> bool {
        <OffsetDateTime as Type<Sqlite>>::compatible(ty) || <String as Type<Sqlite>>::compatible(ty)
    }
}

impl Encode<'_, Sqlite> for DbTime {
    fn encode_by_ref(&self, buf: &mut SqliteArgumentsBuffer) -> Result<IsNull, BoxDynError> {
        Encode::<Sqlite>::encode(self.sqlite_text()?, buf)
    }
}

impl<'r> Decode<'r, Sqlite> for DbTime {
    fn decode(value: SqliteValueRef<'r>) -> Result<Self, BoxDynError> {
        Ok(DbTime(<OffsetDateTime as Decode<Sqlite>>::decode(value)?))
    }
}

impl Type<Postgres> for DbTime {
    fn type_info() -> PgTypeInfo {
        <OffsetDateTime as Type<Postgres>>::type_info()
    }
}

impl Encode<'_, Postgres> for DbTime {
    fn encode_by_ref(&self, buf: &mut PgArgumentBuffer) -> Result<IsNull, BoxDynError> {
        Encode::<Postgres>::encode_by_ref(&self.0, buf)
    }
}

impl<'r> Decode<'r, Postgres> for DbTime {
    fn decode(value: PgValueRef<'r>) -> Result<Self, BoxDynError> {
        Ok(DbTime(<OffsetDateTime as Decode<Postgres>>::decode(value)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn sqlite_text_is_fixed_width_utc_and_sorts_as_time() {
        let times = [
            datetime!(2026-11-24 08:30:02 UTC),
            datetime!(2026-11-24 08:30:02.1 UTC),
            datetime!(2026-11-24 08:30:02.15 UTC),
            datetime!(2026-11-24 16:30:03 +8),
        ];
        let texts: Vec<String> = times
            .iter()
            .map(|t| DbTime(*t).sqlite_text().expect("format"))
            .collect();
        assert_eq!(texts[0], "2026-11-24T08:30:02.000000Z");
        assert_eq!(texts[3], "2026-11-24T08:30:03.000000Z");
        assert!(texts.iter().all(|t| t.len() == texts[0].len()));
        let mut sorted = texts.clone();
        sorted.sort();
        assert_eq!(sorted, texts);
    }
}
