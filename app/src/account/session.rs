//! Server-side helpers of accounts: password hashing, sessions and their cookie, sign-in
//! rate limiting, and the checks every server function starts with.
//!
//! - Passwords are hashed with argon2id (the `argon2` crate's defaults) on a blocking
//!   thread, so a sign-in never stalls the async workers.
//! - A session is a random 256-bit token in an HttpOnly, SameSite=Lax cookie (Secure
//!   when the request came over https); the database keeps only its SHA-256, so the
//!   token cannot be recovered from a copy of the database.
//! - Sign-in attempts are limited per account and per client address with `governor`,
//!   in memory: each instance limits on its own (see the README on scaling).

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::{Arc, LazyLock};
use std::time::Duration;

use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{PasswordHash, SaltString};
use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use domain::{CustomerId, Password, Phone, Principal};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use leptos::prelude::use_context;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use super::{Me, Realm};
use crate::error::AppError;
use crate::store::Store;

/// The cookie that carries the session token.
pub const SESSION_COOKIE: &str = "pitlane_session";

/// Customers stay signed in on their own devices for a month.
pub const CUSTOMER_SESSION: Duration = Duration::from_secs(30 * 24 * 3600);
/// Staff sessions end with the working day.
pub const STAFF_SESSION: Duration = Duration::from_secs(12 * 3600);

/// The address of the client that sent the request, put into the request's extensions by
/// the server (the TCP peer: a deployment behind a proxy must pass the real address on).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientAddr(pub IpAddr);

pub fn client_addr() -> Option<IpAddr> {
    use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<ClientAddr>().copied())
        .map(|c| c.0)
}

/// Hashes a new password (argon2id, random salt) off the async workers.
pub async fn hash_password(password: Password) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.expose().as_bytes(), &salt)
            .map(|hash| hash.to_string())
            .map_err(|e| AppError::internal(format!("password hashing failed: {e}")))
    })
    .await
    .map_err(AppError::internal)?
}

/// Whether `password` matches the stored PHC string; a malformed hash never matches.
async fn verify_password(password: Password, hash: String) -> Result<bool, AppError> {
    tokio::task::spawn_blocking(move || {
        let Ok(parsed) = PasswordHash::new(&hash) else {
            tracing::error!("a stored password hash is malformed");
            return false;
        };
        Argon2::default()
            .verify_password(password.expose().as_bytes(), &parsed)
            .is_ok()
    })
    .await
    .map_err(AppError::internal)
}

/// A hash that no password of ours produces, verified against when the phone number has no
/// account, so that "no such account" takes as long as "wrong password".
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(b"no account has this password", &salt)
        .map(|h| h.to_string())
        .unwrap_or_default()
});

/// Checks a phone number and password against the accounts of `realm`.
pub async fn authenticate(
    store: &dyn Store,
    realm: Realm,
    phone: &Phone,
    password: Password,
) -> Result<Principal, AppError> {
    let found = store.credentials(realm, phone).await?;
    let (principal, hash) = match found {
        Some((principal, Some(hash))) => (Some(principal), hash),
        _ => (None, DUMMY_HASH.clone()),
    };
    let matches = verify_password(password, hash).await?;
    match principal {
        Some(principal) if matches => Ok(principal),
        _ => {
            tracing::info!(realm = realm.code(), "sign-in refused");
            Err(AppError::BadCredentials)
        }
    }
}

/// A fresh random token and the hash under which its session is stored.
fn new_token() -> (String, String) {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    let token = hex(&bytes);
    let hash = token_hash(&token);
    (token, hash)
}

pub fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The session token the request carries, if any.
fn request_token() -> Option<String> {
    let parts = use_context::<http::request::Parts>()?;
    parts
        .headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|header| header.split(';'))
        .find_map(|pair| {
            let (name, value) = pair.trim().split_once('=')?;
            (name == SESSION_COOKIE && !value.is_empty()).then(|| value.to_owned())
        })
}

/// Whether the request reached us over https (directly or through a proxy that says so).
fn over_https() -> bool {
    use_context::<http::request::Parts>().is_some_and(|parts| {
        parts.uri.scheme_str() == Some("https")
            || parts
                .headers
                .get("x-forwarded-proto")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|p| p.eq_ignore_ascii_case("https"))
    })
}

fn set_cookie(value: &str, max_age: Duration) {
    let secure = if over_https() { "; Secure" } else { "" };
    let cookie = format!(
        "{SESSION_COOKIE}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}",
        max_age.as_secs()
    );
    if let (Some(res), Ok(header)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        http::HeaderValue::from_str(&cookie),
    ) {
        res.append_header(http::header::SET_COOKIE, header);
    }
}

/// Starts a new session for `principal`: any session the request carried is ended first,
/// so a token planted before sign-in is never promoted to a signed-in one.
pub async fn start_session(store: &dyn Store, principal: &Principal) -> Result<(), AppError> {
    if let Some(old) = request_token() {
        store.end_session(&token_hash(&old)).await?;
    }
    let lifetime = match principal {
        Principal::Customer { .. } => CUSTOMER_SESSION,
        Principal::Staff { .. } => STAFF_SESSION,
    };
    let (token, hash) = new_token();
    let expires = OffsetDateTime::now_utc() + lifetime;
    store.create_session(&hash, principal, expires).await?;
    set_cookie(&token, lifetime);
    Ok(())
}

/// Ends the request's session (if any) and clears the cookie.
pub async fn end_session(store: &dyn Store) -> Result<(), AppError> {
    if let Some(token) = request_token() {
        store.end_session(&token_hash(&token)).await?;
    }
    set_cookie("", Duration::ZERO);
    Ok(())
}

/// The signed-in person, from the request's cookie and the sessions table.
pub async fn current_user() -> Result<Option<Me>, AppError> {
    let Some(token) = request_token() else {
        return Ok(None);
    };
    let store = crate::store::use_store()?;
    Ok(store.session(&token_hash(&token)).await?)
}

/// The signed-in customer, or [`AppError::Unauthenticated`].
pub async fn require_customer() -> Result<CustomerId, AppError> {
    match current_user().await? {
        Some(me) => me.principal.customer().ok_or(AppError::Forbidden),
        None => Err(AppError::Unauthenticated),
    }
}

/// The signed-in person if `allowed` holds for them; [`AppError::Unauthenticated`] when
/// nobody is signed in, [`AppError::Forbidden`] otherwise.
pub async fn require(allowed: impl Fn(&Principal) -> bool) -> Result<Me, AppError> {
    match current_user().await? {
        Some(me) if allowed(&me.principal) => Ok(me),
        Some(_) => Err(AppError::Forbidden),
        None => Err(AppError::Unauthenticated),
    }
}

/// Limits sign-in attempts per account and per client address, so that passwords cannot
/// be guessed at speed: the first bursts pass, then one attempt per period.
pub struct SignInLimiter {
    per_account: DefaultKeyedRateLimiter<String>,
    per_address: DefaultKeyedRateLimiter<IpAddr>,
}

impl SignInLimiter {
    /// 10 attempts per account, then one every 30 s (2,880 a day at most, each an
    /// argon2 verification); 30 per address, then one every 2 s.
    pub fn new() -> SignInLimiter {
        SignInLimiter::with_quotas(
            quota(10, Duration::from_secs(30)),
            quota(30, Duration::from_secs(2)),
        )
    }

    pub fn with_quotas(per_account: Quota, per_address: Quota) -> SignInLimiter {
        SignInLimiter {
            per_account: RateLimiter::keyed(per_account),
            per_address: RateLimiter::keyed(per_address),
        }
    }

    /// Counts one attempt; refuses it with [`AppError::RateLimited`] when over either limit.
    pub fn check(&self, phone: &Phone, addr: Option<IpAddr>) -> Result<(), AppError> {
        // Forget keys that are back to a full allowance, so memory stays bounded.
        if self.per_account.len() > 10_000 {
            self.per_account.retain_recent();
        }
        if self.per_address.len() > 10_000 {
            self.per_address.retain_recent();
        }
        let address_ok = addr.is_none_or(|a| self.per_address.check_key(&a).is_ok());
        let account_ok = self
            .per_account
            .check_key(&phone.as_str().to_owned())
            .is_ok();
        if address_ok && account_ok {
            Ok(())
        } else {
            tracing::warn!(?addr, "sign-in rate limited");
            Err(AppError::RateLimited)
        }
    }
}

impl Default for SignInLimiter {
    fn default() -> Self {
        SignInLimiter::new()
    }
}

/// `burst` attempts at once, then one every `period`.
pub fn quota(burst: u32, period: Duration) -> Quota {
    let burst = NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN);
    Quota::with_period(period)
        .unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN))
        .allow_burst(burst)
}

/// The limiter the server provides as context.
pub fn limiter() -> Result<Arc<SignInLimiter>, AppError> {
    use_context::<Arc<SignInLimiter>>().ok_or_else(|| AppError::internal("no SignInLimiter"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_hashed() {
        let (a, ha) = new_token();
        let (b, hb) = new_token();
        assert_ne!(a, b);
        assert_eq!(a.len(), 64);
        assert_eq!(ha, token_hash(&a));
        assert_ne!(ha, a);
        assert_ne!(ha, hb);
    }

    #[test]
    fn limiter_counts_per_account_and_per_address() {
        let limiter = SignInLimiter::with_quotas(
            quota(2, Duration::from_secs(3600)),
            quota(3, Duration::from_secs(3600)),
        );
        let p1 = Phone::parse("13800000001").expect("phone");
        let p2 = Phone::parse("13800000002").expect("phone");
        let ip: IpAddr = "10.0.0.1".parse().expect("ip");
        assert!(limiter.check(&p1, Some(ip)).is_ok());
        assert!(limiter.check(&p1, Some(ip)).is_ok());
        assert_eq!(limiter.check(&p1, Some(ip)), Err(AppError::RateLimited));
        // Another account from the same address hits the address limit.
        assert_eq!(limiter.check(&p2, Some(ip)), Err(AppError::RateLimited));
        // From another address the second account still has its allowance.
        let other: IpAddr = "10.0.0.2".parse().expect("ip");
        assert!(limiter.check(&p2, Some(other)).is_ok());
    }
}
