//! The one place the app reads the clock.
//!
//! On the server that is the system clock, unless the server was given another
//! [`Clock`] (the tests drive time with one): server functions and background jobs find
//! it in their context. In the browser `std` has no clock (reading it panics on
//! `wasm32-unknown-unknown`), so it is the page's `Date.now()`. Everything else calls
//! [`now`]; `clippy.toml` forbids `OffsetDateTime::now_utc` elsewhere.

use time::OffsetDateTime;

/// Where the server reads the time: [`SystemClock`] in production, a clock the test
/// sets in tests.
#[cfg(feature = "ssr")]
pub trait Clock: Send + Sync + std::fmt::Debug + 'static {
    /// Now, in UTC.
    fn now(&self) -> OffsetDateTime;
}

/// A clock shared by the server's requests and jobs.
#[cfg(feature = "ssr")]
pub type SharedClock = std::sync::Arc<dyn Clock>;

/// The system's clock.
#[cfg(feature = "ssr")]
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

#[cfg(feature = "ssr")]
impl Clock for SystemClock {
    #[allow(clippy::disallowed_methods)]
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}

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
        #[cfg(feature = "ssr")]
        if let Some(clock) = leptos::prelude::use_context::<SharedClock>() {
            return clock.now();
        }
        OffsetDateTime::now_utc()
    }
}

/// Today's date in the stores' local time.
pub fn local_today() -> time::Date {
    domain::local_time::local_date(now())
}
