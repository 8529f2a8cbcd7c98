//! The one place the app reads the clock.
//!
//! On the server that is the system clock. In the browser `std` has no clock (reading it
//! panics on `wasm32-unknown-unknown`), so it is the page's `Date.now()`. Everything else
//! calls [`now`]; `clippy.toml` forbids `OffsetDateTime::now_utc` elsewhere.

use time::OffsetDateTime;

/// Now, in UTC.
#[allow(clippy::disallowed_methods)]
pub fn now() -> OffsetDateTime {
    #[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
    {
        let millis = js_sys::Date::now();
        // Date.now() is whole milliseconds since the epoch, far inside i128.
        OffsetDateTime::from_unix_timestamp_nanos(millis as i128 * 1_000_000)
            .unwrap_or(OffsetDateTime::UNIX_EPOCH)
    }
    #[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
    {
        OffsetDateTime::now_utc()
    }
}

/// Today's date in the stores' local time.
pub fn local_today() -> time::Date {
    domain::local_time::local_date(now())
}
