//! The store kiosk's identity rules: how an iPad is paired to a store, how staff unlock
//! it, and when it locks itself.
//!
//! - [`PairingCode`]: the one-time code HQ shows and the iPad types, once, to pair.
//! - [`DeviceName`]: what HQ calls an iPad ("Counter 1").
//! - [`Pin`]: a staff member's personal PIN on the store's devices.
//! - [`IdleLock`]: how many idle minutes a store's kiosk waits before it locks.
//!
//! A paired device holds a long-lived credential of its own; a PIN only unlocks a device
//! already paired to the PIN holder's store, so a PIN alone is worth nothing elsewhere.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::Error;

/// The one-time code that pairs an iPad with a store: eight characters of Crockford's
/// base 32 (digits and capitals without I, L, O and U), shown as `K7QM-2XPD`.
///
/// 40 random bits, valid for [`PairingCode::VALID_MINUTES`] and usable once: nobody
/// guesses one in time, even without the rate limit on pairing.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PairingCode(String);

impl PairingCode {
    /// Characters in a code.
    pub const LEN: usize = 8;
    /// How long a code can be used after HQ made it.
    pub const VALID_MINUTES: i64 = 15;
    const ALPHABET: &'static [u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

    /// A code from random bytes (the server draws them; the domain has no randomness).
    pub fn from_random(bytes: [u8; 5]) -> PairingCode {
        let bits = bytes.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
        let code = (0..Self::LEN)
            .rev()
            .map(|i| char::from(Self::ALPHABET[((bits >> (5 * i)) & 31) as usize]))
            .collect();
        PairingCode(code)
    }

    /// What someone typed: case, spaces and dashes do not matter, and the letters people
    /// confuse with digits (I, L, O) are read as the digits, as Crockford's base 32 does.
    pub fn parse(input: &str) -> Result<PairingCode, Error> {
        let mut code = String::with_capacity(Self::LEN);
        for c in input.chars() {
            let c = match c.to_ascii_uppercase() {
                ' ' | '-' | '\u{3000}' => continue,
                'I' | 'L' => '1',
                'O' => '0',
                c => c,
            };
            if !c.is_ascii() || !Self::ALPHABET.contains(&(c as u8)) {
                return Err(Error::PairingCodeInvalid);
            }
            code.push(c);
        }
        if code.len() != Self::LEN {
            return Err(Error::PairingCodeInvalid);
        }
        Ok(PairingCode(code))
    }

    /// The eight characters, as stored (hashed) and compared.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// As shown to a person: two groups of four.
    pub fn display(&self) -> String {
        format!("{}-{}", &self.0[..4], &self.0[4..])
    }
}

impl fmt::Debug for PairingCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PairingCode(…)")
    }
}

/// What HQ calls a device: 1 to 40 characters after trimming.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DeviceName(String);

impl DeviceName {
    /// The longest name accepted.
    pub const MAX_CHARS: usize = 40;

    /// Trims, folds inner whitespace to single spaces, and checks the length.
    pub fn parse(input: &str) -> Result<DeviceName, Error> {
        let name = input.split_whitespace().collect::<Vec<_>>().join(" ");
        let chars = name.chars().count();
        if chars == 0 || chars > Self::MAX_CHARS || name.chars().any(char::is_control) {
            return Err(Error::DeviceNameInvalid);
        }
        Ok(DeviceName(name))
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for DeviceName {
    type Error = Error;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        DeviceName::parse(&value)
    }
}

impl From<DeviceName> for String {
    fn from(name: DeviceName) -> String {
        name.0
    }
}

/// A staff member's PIN: six digits. It is never serialised and its `Debug` hides it.
///
/// Six digits on a paired device, with attempts limited per person and per device, is
/// the strength of a bank card's PIN; a new PIN must not be one of the few everybody
/// tries first.
#[derive(Clone, PartialEq, Eq)]
pub struct Pin(String);

impl Pin {
    /// Digits in a PIN.
    pub const LEN: usize = 6;

    /// A PIN typed to unlock: six digits (whether it is right is for the stored hash).
    pub fn parse_attempt(input: &str) -> Result<Pin, Error> {
        let pin = input.trim();
        if pin.len() != Self::LEN || !pin.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Error::PinInvalid);
        }
        Ok(Pin(pin.to_owned()))
    }

    /// A new PIN: six digits, not one digit repeated and not a run up or down
    /// (`123456`, `987654`), which are the first any guesser tries.
    pub fn parse_new(input: &str) -> Result<Pin, Error> {
        let pin = Self::parse_attempt(input)?;
        let digits: Vec<i8> = pin.0.bytes().map(|b| (b - b'0') as i8).collect();
        let steps: Vec<i8> = digits.windows(2).map(|w| w[1] - w[0]).collect();
        let constant_step = steps.iter().all(|s| *s == steps[0]);
        if constant_step && matches!(steps[0], -1..=1) {
            return Err(Error::PinTooSimple);
        }
        Ok(pin)
    }

    /// The digits, for hashing or verifying; nothing else should read them.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Pin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Pin(…)")
    }
}

/// After how many idle minutes a store's kiosk locks and forgets who was using it:
/// 1 to 30, 2 unless the store manager chose otherwise.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct IdleLock(u8);

impl IdleLock {
    /// A store's setting until its manager changes it.
    pub const DEFAULT: IdleLock = IdleLock(2);
    /// The longest a kiosk may stay unlocked untouched.
    pub const MAX_MINUTES: u8 = 30;

    /// From a number of minutes.
    pub fn from_minutes(minutes: u8) -> Result<IdleLock, Error> {
        if (1..=Self::MAX_MINUTES).contains(&minutes) {
            Ok(IdleLock(minutes))
        } else {
            Err(Error::IdleLockInvalid)
        }
    }

    /// What a manager typed: a whole number of minutes.
    pub fn parse(input: &str) -> Result<IdleLock, Error> {
        let minutes: u8 = input.trim().parse().map_err(|_| Error::IdleLockInvalid)?;
        IdleLock::from_minutes(minutes)
    }

    /// Minutes.
    pub const fn minutes(self) -> u8 {
        self.0
    }

    /// Whether a kiosk last touched `idle_ms` milliseconds ago should lock now.
    pub fn is_due(self, idle_ms: u64) -> bool {
        idle_ms >= u64::from(self.0) * 60_000
    }
}

impl Default for IdleLock {
    fn default() -> Self {
        IdleLock::DEFAULT
    }
}

impl TryFrom<u8> for IdleLock {
    type Error = Error;
    fn try_from(minutes: u8) -> Result<Self, Self::Error> {
        IdleLock::from_minutes(minutes)
    }
}

impl From<IdleLock> for u8 {
    fn from(lock: IdleLock) -> u8 {
        lock.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn pairing_codes_read_what_people_type() {
        let code = PairingCode::parse("k7qm-2xpd").expect("code");
        assert_eq!(code.as_str(), "K7QM2XPD");
        assert_eq!(code.display(), "K7QM-2XPD");
        assert_eq!(PairingCode::parse(" K7QM 2XPD "), Ok(code.clone()));
        // I, L and O are the digits people meant.
        assert_eq!(
            PairingCode::parse("OIL0-1234").map(|c| c.as_str().to_owned()),
            Ok("0110-1234".replace('-', ""))
        );
        for bad in [
            "",
            "K7QM2XP",
            "K7QM2XPDD",
            "K7QM2XPU",
            "配对码配对码配对",
            "K7QM_2XPD",
        ] {
            assert_eq!(
                PairingCode::parse(bad),
                Err(Error::PairingCodeInvalid),
                "{bad}"
            );
        }
        assert!(!format!("{code:?}").contains("K7QM"));
    }

    #[test]
    fn pins() {
        assert!(Pin::parse_new("428613").is_ok());
        assert_eq!(
            Pin::parse_attempt(" 428613 ").map(|p| p.0),
            Ok("428613".into())
        );
        for bad in ["", "12345", "1234567", "12a456", "１２３４５６"] {
            assert_eq!(Pin::parse_attempt(bad), Err(Error::PinInvalid), "{bad}");
        }
        for simple in ["000000", "777777", "123456", "654321", "345678"] {
            assert_eq!(Pin::parse_new(simple), Err(Error::PinTooSimple), "{simple}");
            // Whoever has one may still type it to unlock.
            assert!(Pin::parse_attempt(simple).is_ok());
        }
        assert!(Pin::parse_new("135790").is_ok());
        assert!(!format!("{:?}", Pin::parse_new("428613")).contains("428613"));
    }

    #[test]
    fn device_names() {
        assert_eq!(
            DeviceName::parse("  前台  iPad 1 ").map(|n| n.as_str().to_owned()),
            Ok("前台 iPad 1".into())
        );
        assert_eq!(DeviceName::parse(" "), Err(Error::DeviceNameInvalid));
        assert_eq!(
            DeviceName::parse(&"台".repeat(41)),
            Err(Error::DeviceNameInvalid)
        );
    }

    #[test]
    fn idle_lock() {
        assert_eq!(IdleLock::default().minutes(), 2);
        assert_eq!(IdleLock::parse(" 5 ").map(IdleLock::minutes), Ok(5));
        for bad in ["0", "31", "-1", "2.5", "", "两"] {
            assert_eq!(IdleLock::parse(bad), Err(Error::IdleLockInvalid), "{bad}");
        }
        let two = IdleLock::DEFAULT;
        assert!(!two.is_due(119_999));
        assert!(two.is_due(120_000));
        assert!(serde_json::from_str::<IdleLock>("0").is_err());
    }

    proptest! {
        #[test]
        fn every_drawn_code_parses_back_to_itself(bytes: [u8; 5]) {
            let code = PairingCode::from_random(bytes);
            prop_assert_eq!(code.as_str().len(), PairingCode::LEN);
            prop_assert_eq!(PairingCode::parse(&code.display()), Ok(code.clone()));
            prop_assert_eq!(PairingCode::parse(&code.as_str().to_lowercase()), Ok(code));
        }

        #[test]
        fn distinct_draws_give_distinct_codes(a: [u8; 5], b: [u8; 5]) {
            prop_assume!(a != b);
            prop_assert_ne!(PairingCode::from_random(a), PairingCode::from_random(b));
        }

        #[test]
        fn a_new_pin_is_six_digits_and_not_a_run(input in "[0-9]{6}") {
            let steps: Vec<i16> = input
                .as_bytes()
                .windows(2)
                .map(|w| i16::from(w[1]) - i16::from(w[0]))
                .collect();
            let run = steps.iter().all(|s| *s == steps[0]) && steps[0].abs() <= 1;
            prop_assert_eq!(Pin::parse_new(&input).is_ok(), !run);
            prop_assert!(Pin::parse_attempt(&input).is_ok());
        }

        #[test]
        fn idle_lock_is_due_exactly_after_its_minutes(minutes in 1u8..=30, idle_ms in 0u64..4_000_000) {
            let lock = IdleLock::from_minutes(minutes).expect("in range");
            prop_assert_eq!(lock.is_due(idle_ms), idle_ms >= u64::from(minutes) * 60_000);
        }
    }
}
