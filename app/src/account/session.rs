//! Server-side helpers of accounts: password hashing, sessions and their cookie, sign-in
//! rate limiting, and the checks every server function starts with.
//!
//! - Passwords are hashed with argon2id (the `argon2` crate's defaults: 19 MiB each) on
//!   a blocking thread, so a sign-in never stalls the async workers, and at most one per
//!   core at a time with a short queue ([`HashingGate`]): a burst of sign-ins gets a
//!   quick "busy, try again" instead of taking the machine's memory.
//! - A session is a random 256-bit token in an HttpOnly, SameSite=Lax cookie (Secure
//!   when the request came over https); the database keeps only its SHA-256, so the
//!   token cannot be recovered from a copy of the database.
//! - Sign-in attempts are limited per client address and per account *from that address*
//!   with `governor`, in memory ([`SignInLimiter`]): someone guessing a password slows
//!   themselves down without locking the account's owner out. Sign-ups are limited per
//!   address. Each instance limits on its own (see the README on scaling).
//! - Kiosk PINs are hashed and verified like passwords; unlock attempts are limited per
//!   person and per device the same way ([`SignInLimiter::check_pin`]).
//! - A paired kiosk device keeps its own long-lived credential in a second HttpOnly
//!   cookie ([`DEVICE_COOKIE`]); a session unlocked with a PIN names its device.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::{Arc, LazyLock};
use std::time::Duration;

use std::cell::RefCell;

use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{Output, ParamsString, PasswordHash, Salt, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, PasswordHasher, Version};
use domain::kiosk::Pin;
use domain::{CustomerId, DeviceId, Password, Phone, Principal, StaffId};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use leptos::prelude::use_context;
use sha2::{Digest, Sha256};

use super::{AccountStorage, Me, Realm};
use crate::error::AppError;
use crate::storage::use_storage;

/// The cookie that carries the session token over plain http (development, tests).
pub const SESSION_COOKIE: &str = "pitlane_session";
/// Its name over https: the `__Host-` prefix makes the browser refuse it unless it is
/// `Secure`, has `Path=/` and no `Domain`, so no sibling site can plant or shadow it.
pub const SESSION_COOKIE_HTTPS: &str = "__Host-pitlane_session";

fn session_cookie_name() -> &'static str {
    if over_https() {
        SESSION_COOKIE_HTTPS
    } else {
        SESSION_COOKIE
    }
}

/// The cookie that carries a paired kiosk device's credential over plain http.
pub const DEVICE_COOKIE: &str = "pitlane_device";
/// Its name over https (see [`SESSION_COOKIE_HTTPS`]).
pub const DEVICE_COOKIE_HTTPS: &str = "__Host-pitlane_device";

fn device_cookie_name() -> &'static str {
    if over_https() {
        DEVICE_COOKIE_HTTPS
    } else {
        DEVICE_COOKIE
    }
}

/// A paired device keeps its credential until HQ revokes it; browsers cap a cookie's
/// life at 400 days, so each unlock renews it.
pub const DEVICE_CREDENTIAL: Duration = Duration::from_secs(400 * 24 * 3600);

/// Customers stay signed in on their own devices for a month.
pub const CUSTOMER_SESSION: Duration = Duration::from_secs(30 * 24 * 3600);
/// Staff sessions end with the working day.
pub const STAFF_SESSION: Duration = Duration::from_secs(12 * 3600);

/// The address of the client that sent the request, put into the request's extensions by
/// the server: the TCP peer, or what a configured trusted proxy says in `X-Forwarded-For`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientAddr(pub IpAddr);

/// Whether the client reached us over https, put into the request's extensions by the
/// server (configured, or said by a trusted proxy): then cookies are `Secure` and
/// `__Host-` prefixed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OverHttps(pub bool);

pub fn client_addr() -> Option<IpAddr> {
    use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<ClientAddr>().copied())
        .map(|c| c.0)
}

/// Runs password hashing on its own pool of `workers` threads (one per core), with at
/// most `queue` more waiting; beyond that a request is refused at once with
/// [`AppError::Busy`]. One argon2 hash holds 19 MiB while it runs, so this bounds what a
/// burst of sign-ins can take to a few dozen MiB. A fixed pool, rather than tokio's
/// blocking pool (which grows a thread per waiting task), also keeps the allocator from
/// holding on to 19 MiB in each of many threads after the burst.
pub struct HashingGate {
    admitted: Arc<tokio::sync::Semaphore>,
    pool: rayon::ThreadPool,
}

impl HashingGate {
    pub fn new(workers: usize, queue: usize) -> HashingGate {
        let workers = workers.max(1);
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(workers)
            .thread_name(|i| format!("password-hashing-{i}"))
            .build()
            .unwrap_or_else(|e| {
                tracing::error!(error = %e, "cannot start the password-hashing threads; using one");
                rayon::ThreadPoolBuilder::new()
                    .num_threads(1)
                    .build()
                    .unwrap_or_else(|e| panic!("no thread for password hashing: {e}"))
            });
        HashingGate {
            admitted: Arc::new(tokio::sync::Semaphore::new(workers + queue)),
            pool,
        }
    }

    /// One hash per core, and eight per core waiting (a fraction of a second's work).
    pub fn for_this_machine() -> HashingGate {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        HashingGate::new(cores, 8 * cores)
    }

    pub async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, AppError> {
        let Ok(_admitted) = self.admitted.clone().try_acquire_owned() else {
            tracing::warn!("password hashing queue full");
            return Err(AppError::Busy);
        };
        let (done, result) = tokio::sync::oneshot::channel();
        self.pool.spawn(move || {
            let _ = done.send(work());
        });
        result
            .await
            .map_err(|_| AppError::internal("a password-hashing thread stopped"))
    }
}

/// The process's one gate: the bound is per machine, whatever the request.
static HASHING: LazyLock<HashingGate> = LazyLock::new(HashingGate::for_this_machine);

/// One argon2 work area (19 MiB) per hashing thread, reused by every hash on it: the
/// memory a burst of sign-ins takes is the pool's threads' work areas, allocated once,
/// not 19 MiB per request that the allocator then keeps.
fn argon2_output(
    argon: &Argon2<'_>,
    password: &[u8],
    salt: Salt<'_>,
    output_len: usize,
) -> argon2::password_hash::Result<Output> {
    thread_local! {
        static BLOCKS: RefCell<Vec<Block>> = const { RefCell::new(Vec::new()) };
    }
    let mut salt_buf = [0u8; 64];
    let salt = salt.decode_b64(&mut salt_buf)?;
    BLOCKS.with_borrow_mut(|blocks| {
        let needed = argon.params().block_count();
        if blocks.len() != needed {
            blocks.resize(needed, Block::default());
        }
        Output::init_with(output_len, |out| {
            Ok(argon.hash_password_into_with_memory(password, salt, out, &mut blocks[..])?)
        })
    })
}

/// A new PHC hash string (argon2id with the crate's default parameters, random salt),
/// exactly what `Argon2::default().hash_password` makes.
fn new_hash(password: &[u8]) -> argon2::password_hash::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    let argon = Argon2::default();
    let output_len = argon
        .params()
        .output_len()
        .unwrap_or(Params::DEFAULT_OUTPUT_LEN);
    let output = argon2_output(&argon, password, salt.as_salt(), output_len)?;
    Ok(PasswordHash {
        algorithm: Algorithm::default().ident(),
        version: Some(Version::default().into()),
        params: ParamsString::try_from(argon.params())?,
        salt: Some(salt.as_salt()),
        hash: Some(output),
    }
    .to_string())
}

/// Whether `password` produces the stored PHC string's hash with its parameters (the
/// comparison of the outputs takes constant time).
fn matches_hash(password: &[u8], stored: &str) -> argon2::password_hash::Result<bool> {
    let parsed = PasswordHash::new(stored)?;
    let algorithm = Algorithm::try_from(parsed.algorithm)?;
    let version = parsed
        .version
        .map(Version::try_from)
        .transpose()?
        .unwrap_or_default();
    let params = Params::try_from(&parsed)?;
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
        return Ok(false);
    };
    let argon = Argon2::new(algorithm, version, params);
    Ok(argon2_output(&argon, password, salt, expected.len())? == expected)
}

/// Hashes a new password (argon2id, random salt) off the async workers.
pub async fn hash_password(password: Password) -> Result<String, AppError> {
    hash_secret(password.expose().to_owned()).await
}

/// Hashes a new PIN exactly as a password is hashed.
pub async fn hash_pin(pin: Pin) -> Result<String, AppError> {
    hash_secret(pin.expose().to_owned()).await
}

async fn hash_secret(secret: String) -> Result<String, AppError> {
    HASHING
        .run(move || new_hash(secret.as_bytes()))
        .await?
        .map_err(|e| AppError::internal(format!("password hashing failed: {e}")))
}

/// Whether `password` matches the stored PHC string; a malformed hash never matches.
async fn verify_password(password: Password, hash: String) -> Result<bool, AppError> {
    verify_secret(password.expose().to_owned(), hash).await
}

/// Whether `pin` matches the stored hash. A person without a PIN is checked against a
/// hash nothing matches, so that "no PIN yet" takes as long as "wrong PIN".
pub async fn verify_pin(pin: &Pin, hash: Option<String>) -> Result<bool, AppError> {
    let known = hash.is_some();
    let matches = verify_secret(
        pin.expose().to_owned(),
        hash.unwrap_or_else(|| DUMMY_HASH.clone()),
    )
    .await?;
    Ok(known && matches)
}

async fn verify_secret(secret: String, hash: String) -> Result<bool, AppError> {
    HASHING
        .run(move || {
            matches_hash(secret.as_bytes(), &hash).unwrap_or_else(|e| {
                tracing::error!(error = %e, "a stored password hash is malformed");
                false
            })
        })
        .await
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
    accounts: &dyn AccountStorage,
    realm: Realm,
    phone: &Phone,
    password: Password,
) -> Result<Principal, AppError> {
    let found = accounts.credentials(realm, phone).await?;
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

/// A fresh random token and the hash under which its session (or device) is stored.
pub fn new_token() -> (String, String) {
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

/// Five random bytes for a pairing code.
pub fn pairing_code() -> domain::kiosk::PairingCode {
    let mut bytes = [0u8; 5];
    OsRng.fill_bytes(&mut bytes);
    domain::kiosk::PairingCode::from_random(bytes)
}

/// The session token the request carries, if any.
fn request_token() -> Option<String> {
    cookie(session_cookie_name())
}

/// The paired-device credential the request carries, if any.
pub fn device_token() -> Option<String> {
    cookie(device_cookie_name())
}

/// The hash under which that credential's device is stored.
pub fn device_token_hash() -> Option<String> {
    device_token().map(|token| token_hash(&token))
}

fn cookie(cookie_name: &str) -> Option<String> {
    cookie_in(&use_context::<http::request::Parts>()?.headers, cookie_name)
}

/// The value of the cookie `cookie_name` in these request headers, if set and not empty.
pub fn cookie_in(headers: &http::HeaderMap, cookie_name: &str) -> Option<String> {
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|header| header.split(';'))
        .find_map(|pair| {
            let (name, value) = pair.trim().split_once('=')?;
            (name == cookie_name && !value.is_empty()).then(|| value.to_owned())
        })
}

/// Whether the request reached us over https, as the server decided from its
/// configuration and trusted proxies (never from a header anyone can send).
fn over_https() -> bool {
    use_context::<http::request::Parts>().is_some_and(|parts| {
        parts.uri.scheme_str() == Some("https")
            || parts.extensions.get::<OverHttps>().is_some_and(|h| h.0)
    })
}

fn set_cookie(value: &str, max_age: Duration) {
    set_named_cookie(session_cookie_name(), value, max_age);
}

/// Gives this browser a paired device's credential (or, with `""`, takes it away).
pub fn set_device_cookie(value: &str, max_age: Duration) {
    set_named_cookie(device_cookie_name(), value, max_age);
}

fn set_named_cookie(name: &str, value: &str, max_age: Duration) {
    let secure = if over_https() { "; Secure" } else { "" };
    let cookie = format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}",
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
pub async fn start_session(
    accounts: &dyn AccountStorage,
    principal: &Principal,
) -> Result<(), AppError> {
    start_session_on(accounts, principal, None).await
}

/// [`start_session`], for a session unlocked with a PIN on the paired `device` when it
/// is given: revoking the device ends it.
pub async fn start_session_on(
    accounts: &dyn AccountStorage,
    principal: &Principal,
    device: Option<DeviceId>,
) -> Result<(), AppError> {
    if let Some(old) = request_token() {
        accounts.end_session(&token_hash(&old)).await?;
    }
    let lifetime = match principal {
        Principal::Customer { .. } => CUSTOMER_SESSION,
        Principal::Staff { .. } => STAFF_SESSION,
    };
    let (token, hash) = new_token();
    let expires = crate::clock::now() + lifetime;
    accounts
        .create_session(&hash, principal, expires, device)
        .await?;
    set_cookie(&token, lifetime);
    Ok(())
}

/// Ends the request's session (if any) and clears the cookie.
pub async fn end_session(accounts: &dyn AccountStorage) -> Result<(), AppError> {
    if let Some(token) = request_token() {
        accounts.end_session(&token_hash(&token)).await?;
    }
    set_cookie("", Duration::ZERO);
    Ok(())
}

/// The signed-in person, from the request's cookie and the sessions table.
pub async fn current_user() -> Result<Option<Me>, AppError> {
    let Some(token) = request_token() else {
        return Ok(None);
    };
    let accounts = use_storage::<dyn AccountStorage>()?;
    let device = device_token_hash();
    Ok(accounts
        .session(&token_hash(&token), device.as_deref())
        .await?)
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

/// Limits sign-in and sign-up attempts so that passwords cannot be guessed at speed and
/// accounts cannot be created in bulk, without letting anyone lock a person out:
///
/// - every sign-in attempt counts against its client address (a burst, then one every
///   2 s), whichever account it is for;
/// - and against the pair (account, address): 10, then one every 30 s. An address that
///   guesses at one account is slowed on that account; the owner, from their own
///   address, still signs in with the right password;
/// - sign-ups count against their address: a burst, then one a minute.
///
/// Kiosk PINs are limited alike, with their own buckets ([`SignInLimiter::check_pin`]):
/// per person (10, then one every 30 s) and per device (30, then one every 5 s). Someone
/// guessing a colleague's PIN slows only that colleague's unlocks and, gently, the
/// device; everyone else at the counter still unlocks at once.
pub struct SignInLimiter {
    per_address: DefaultKeyedRateLimiter<IpAddr>,
    per_account_address: DefaultKeyedRateLimiter<(String, Option<IpAddr>)>,
    sign_ups: DefaultKeyedRateLimiter<IpAddr>,
    pin_per_person: DefaultKeyedRateLimiter<StaffId>,
    pin_per_device: DefaultKeyedRateLimiter<DeviceId>,
}

impl SignInLimiter {
    /// The production limits: 30 sign-ins per address, 10 per account from one
    /// address, 5 sign-ups per address, in a burst.
    pub fn new() -> SignInLimiter {
        SignInLimiter::with_bursts(30, 10, 5)
    }

    /// Production periods with other bursts (browser tests act as many people, and sign
    /// the same staff in many times, from one address).
    pub fn with_bursts(
        sign_in_per_address: u32,
        sign_in_per_account: u32,
        sign_up_per_address: u32,
    ) -> SignInLimiter {
        SignInLimiter::with_quotas(
            quota(sign_in_per_address, Duration::from_secs(2)),
            quota(sign_in_per_account, Duration::from_secs(30)),
            quota(sign_up_per_address, Duration::from_secs(60)),
        )
    }

    pub fn with_quotas(per_address: Quota, per_account: Quota, sign_ups: Quota) -> SignInLimiter {
        SignInLimiter {
            per_address: RateLimiter::keyed(per_address),
            per_account_address: RateLimiter::keyed(per_account),
            sign_ups: RateLimiter::keyed(sign_ups),
            pin_per_person: RateLimiter::keyed(quota(10, Duration::from_secs(30))),
            pin_per_device: RateLimiter::keyed(quota(30, Duration::from_secs(5))),
        }
    }

    /// The same limiter with other PIN bursts (the production periods): tests unlock the
    /// same demo staff many times, or few, on purpose.
    pub fn with_pin_bursts(mut self, per_person: u32, per_device: u32) -> SignInLimiter {
        self.pin_per_person = RateLimiter::keyed(quota(per_person, Duration::from_secs(30)));
        self.pin_per_device = RateLimiter::keyed(quota(per_device, Duration::from_secs(5)));
        self
    }

    /// Forgets keys that are back to a full allowance, so memory stays bounded.
    fn tidy(&self) {
        if self.per_address.len() > 10_000 {
            self.per_address.retain_recent();
        }
        if self.per_account_address.len() > 10_000 {
            self.per_account_address.retain_recent();
        }
        if self.sign_ups.len() > 10_000 {
            self.sign_ups.retain_recent();
        }
        if self.pin_per_person.len() > 10_000 {
            self.pin_per_person.retain_recent();
        }
        if self.pin_per_device.len() > 10_000 {
            self.pin_per_device.retain_recent();
        }
    }

    /// Counts one PIN attempt for `staff` on `device`; refuses it with
    /// [`AppError::RateLimited`] when that person, or that device, is over its limit.
    pub fn check_pin(&self, staff: StaffId, device: DeviceId) -> Result<(), AppError> {
        self.tidy();
        let person_ok = self.pin_per_person.check_key(&staff).is_ok();
        let device_ok = person_ok && self.pin_per_device.check_key(&device).is_ok();
        if device_ok {
            Ok(())
        } else {
            tracing::warn!(%staff, %device, "PIN attempts rate limited");
            Err(AppError::RateLimited)
        }
    }

    /// Counts one PIN attempt on `device` for someone who does not work at its store.
    pub fn check_pin_device(&self, device: DeviceId) -> Result<(), AppError> {
        self.tidy();
        if self.pin_per_device.check_key(&device).is_ok() {
            Ok(())
        } else {
            tracing::warn!(%device, "PIN attempts rate limited");
            Err(AppError::RateLimited)
        }
    }

    /// Counts one pairing attempt from `addr` against the address's sign-in allowance.
    pub fn check_pairing(&self, addr: Option<IpAddr>) -> Result<(), AppError> {
        self.tidy();
        match addr {
            Some(a) if self.per_address.check_key(&a).is_err() => {
                tracing::warn!(addr = %a, "pairing rate limited");
                Err(AppError::RateLimited)
            }
            _ => Ok(()),
        }
    }

    /// Counts one sign-in attempt; refuses it with [`AppError::RateLimited`] when its
    /// address, or this account from this address, is over its limit.
    pub fn check(&self, phone: &Phone, addr: Option<IpAddr>) -> Result<(), AppError> {
        self.tidy();
        let address_ok = addr.is_none_or(|a| self.per_address.check_key(&a).is_ok());
        let pair_ok = address_ok
            && self
                .per_account_address
                .check_key(&(phone.as_str().to_owned(), addr))
                .is_ok();
        if pair_ok {
            Ok(())
        } else {
            tracing::warn!(?addr, "sign-in rate limited");
            Err(AppError::RateLimited)
        }
    }

    /// Counts one sign-up from `addr`.
    pub fn check_sign_up(&self, addr: Option<IpAddr>) -> Result<(), AppError> {
        self.tidy();
        match addr {
            Some(a) if self.sign_ups.check_key(&a).is_err() => {
                tracing::warn!(addr = %a, "sign-up rate limited");
                Err(AppError::RateLimited)
            }
            _ => Ok(()),
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

/// Refuses a state-changing call that a page of another site made the browser send.
///
/// Browsers send `Origin` with every cross-site POST; when it is there it must name this
/// server (the `Host` it was asked for). Clients that send no `Origin` (API clients,
/// `curl`) are not browsers carrying someone else's cookies, so they pass.
pub fn require_same_origin() -> Result<(), AppError> {
    let Some(parts) = use_context::<http::request::Parts>() else {
        return Ok(());
    };
    let header = |name| parts.headers.get(name).and_then(|v| v.to_str().ok());
    let Some(origin) = header(http::header::ORIGIN) else {
        return Ok(());
    };
    let origin_host = origin.split_once("://").map(|(_, rest)| rest).unwrap_or("");
    match header(http::header::HOST) {
        Some(host) if host.eq_ignore_ascii_case(origin_host) => Ok(()),
        _ => {
            tracing::warn!(%origin, "cross-origin request refused");
            Err(AppError::Forbidden)
        }
    }
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
    fn limiter_slows_the_guesser_not_the_owner() {
        let hour = Duration::from_secs(3600);
        let limiter = SignInLimiter::with_quotas(quota(4, hour), quota(2, hour), quota(1, hour));
        let p1 = Phone::parse("13800000001").expect("phone");
        let p2 = Phone::parse("13800000002").expect("phone");
        let guesser: IpAddr = "10.0.0.1".parse().expect("ip");
        let owner: IpAddr = "10.0.0.2".parse().expect("ip");
        assert!(limiter.check(&p1, Some(guesser)).is_ok());
        assert!(limiter.check(&p1, Some(guesser)).is_ok());
        // The account from this address is spent...
        assert_eq!(
            limiter.check(&p1, Some(guesser)),
            Err(AppError::RateLimited)
        );
        // ...and, with every attempt counted, the address soon is for every account.
        assert!(limiter.check(&p2, Some(guesser)).is_ok());
        assert_eq!(
            limiter.check(&p2, Some(guesser)),
            Err(AppError::RateLimited)
        );
        // The owner of the first account, elsewhere, is not locked out.
        assert!(limiter.check(&p1, Some(owner)).is_ok());
        // Sign-ups have their own allowance per address.
        assert!(limiter.check_sign_up(Some(owner)).is_ok());
        assert_eq!(
            limiter.check_sign_up(Some(owner)),
            Err(AppError::RateLimited)
        );
        assert!(limiter.check_sign_up(Some(guesser)).is_ok());
    }

    #[test]
    fn a_guessed_pin_slows_its_owner_not_the_colleagues() {
        let limiter = SignInLimiter::new().with_pin_bursts(2, 4);
        let device = DeviceId::new();
        let (guessed, colleague) = (StaffId::new(), StaffId::new());
        assert!(limiter.check_pin(guessed, device).is_ok());
        assert!(limiter.check_pin(guessed, device).is_ok());
        assert_eq!(
            limiter.check_pin(guessed, device),
            Err(AppError::RateLimited)
        );
        // A colleague at the same device is not held up by the guesser...
        assert!(limiter.check_pin(colleague, device).is_ok());
        // ...and the device as a whole has its own, larger, allowance.
        assert!(limiter.check_pin(colleague, device).is_ok());
        assert_eq!(
            limiter.check_pin(StaffId::new(), device),
            Err(AppError::RateLimited)
        );
        assert!(limiter.check_pin(StaffId::new(), DeviceId::new()).is_ok());
    }

    #[test]
    fn hashes_agree_with_the_argon2_crate_both_ways() {
        use argon2::PasswordVerifier;
        let ours = new_hash(b"brake-pads-7").expect("hash");
        let parsed = PasswordHash::new(&ours).expect("phc");
        assert!(Argon2::default()
            .verify_password(b"brake-pads-7", &parsed)
            .is_ok());
        let theirs = Argon2::default()
            .hash_password(b"oil-change-9", &SaltString::generate(&mut OsRng))
            .expect("hash")
            .to_string();
        assert_eq!(matches_hash(b"oil-change-9", &theirs), Ok(true));
        assert_eq!(matches_hash(b"oil-change-8", &theirs), Ok(false));
        assert!(matches_hash(b"x", "not a hash").is_err());
    }

    #[tokio::test]
    async fn hashing_gate_refuses_beyond_its_queue() {
        let gate = Arc::new(HashingGate::new(1, 1));
        let (release, wait) = std::sync::mpsc::channel::<()>();
        let first = {
            let gate = gate.clone();
            tokio::spawn(async move { gate.run(move || wait.recv().is_ok()).await })
        };
        // Let the first take the worker, then queue a second.
        while gate.admitted.available_permits() > 1 {
            tokio::task::yield_now().await;
        }
        let second = {
            let gate = gate.clone();
            tokio::spawn(async move { gate.run(|| true).await })
        };
        while gate.admitted.available_permits() > 0 {
            tokio::task::yield_now().await;
        }
        assert_eq!(gate.run(|| true).await, Err(AppError::Busy));
        release.send(()).expect("release");
        assert_eq!(first.await.expect("join"), Ok(true));
        assert_eq!(second.await.expect("join"), Ok(true));
    }
}
