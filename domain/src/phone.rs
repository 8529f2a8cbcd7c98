//! Mainland-China mobile numbers.
//!
//! The phone number is how reception finds a customer, so it is normalised to
//! the bare 11 digits: the same person typed as `+86 138-0013-8000` and
//! `13800138000` must be the same key.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::Error;

/// An 11-digit mainland mobile number: `1`, then `3`–`9`, then nine digits.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Phone(String);

impl Phone {
    /// Parses a mobile number, tolerating surrounding whitespace, inner spaces
    /// and dashes, and a `+86`, `0086` or `86` country prefix.
    pub fn parse(input: &str) -> Result<Phone, Error> {
        let compact: String = input
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect();
        // The bare `86` prefix is only taken off a 13-digit number: a mobile
        // starts with `1`, so there is no ambiguity with an 11-digit one.
        let digits = if let Some(rest) = compact.strip_prefix("+86") {
            rest
        } else if compact.len() == 15 && compact.starts_with("0086") {
            &compact[4..]
        } else if compact.len() == 13 && compact.starts_with("86") {
            &compact[2..]
        } else {
            &compact
        };
        let bytes = digits.as_bytes();
        let valid = bytes.len() == 11
            && bytes.iter().all(u8::is_ascii_digit)
            && bytes[0] == b'1'
            && (b'3'..=b'9').contains(&bytes[1]);
        if valid {
            Ok(Phone(digits.to_owned()))
        } else {
            Err(Error::PhoneInvalid)
        }
    }

    /// The 11 digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `138****8000`: enough for a customer to recognise their number on a
    /// shared kiosk screen without exposing it to the next person in line.
    pub fn masked(&self) -> String {
        // Always 11 ASCII digits, so byte slicing is on char boundaries.
        format!("{}****{}", &self.0[..3], &self.0[7..])
    }
}

impl fmt::Display for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&self.0)
    }
}

impl TryFrom<String> for Phone {
    type Error = Error;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Phone::parse(&value)
    }
}

impl TryFrom<&str> for Phone {
    type Error = Error;

    fn try_from(value: &str) -> Result<Self, Self::Error> {
        Phone::parse(value)
    }
}

impl From<Phone> for String {
    fn from(phone: Phone) -> String {
        phone.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn phone(s: &str) -> Phone {
        Phone::parse(s).expect(s)
    }

    #[test]
    fn parse_accepts_common_forms() {
        for input in [
            "13800138000",
            "  13800138000 ",
            "138 0013 8000",
            "138-0013-8000",
            "+8613800138000",
            "+86 138 0013 8000",
            "+86-138-0013-8000",
            "8613800138000",
            "008613800138000",
            "0086 138 0013 8000",
            "\u{3000}13800138000",
        ] {
            assert_eq!(
                Phone::parse(input).map(|p| p.0),
                Ok("13800138000".to_owned()),
                "{input:?}"
            );
        }
        assert_eq!(phone("19912345678").as_str(), "19912345678");
        assert_eq!(phone("13000000000").as_str(), "13000000000");
    }

    #[test]
    fn parse_rejects_non_mobiles() {
        for input in [
            "",
            "   ",
            "1380013800",
            "138001380001",
            "12800138000",
            "10800138000",
            "23800138000",
            "03800138000",
            "1380013800a",
            "１３８００１３８０００",
            "+8513800138000",
            "+86",
            "+8612800138000",
            "861380013800",
            "00861380013800",
            "0571-88888888",
            "138.0013.8000",
            "(138)00138000",
        ] {
            assert_eq!(Phone::parse(input), Err(Error::PhoneInvalid), "{input:?}");
        }
    }

    #[test]
    fn display_and_as_str_are_the_digits() {
        let p = phone("+86 139-1234-5678");
        assert_eq!(p.as_str(), "13912345678");
        assert_eq!(p.to_string(), "13912345678");
    }

    #[test]
    fn masked_hides_the_middle() {
        assert_eq!(phone("13800138000").masked(), "138****8000");
        assert_eq!(phone("15912345678").masked(), "159****5678");
    }

    #[test]
    fn conversions() {
        assert_eq!(Phone::try_from("13800138000"), Ok(phone("13800138000")));
        assert_eq!(Phone::try_from("x".to_owned()), Err(Error::PhoneInvalid));
        assert_eq!(String::from(phone("13800138000")), "13800138000");
    }

    #[test]
    fn serde_validates() {
        let p = phone("13800138000");
        let json = serde_json::to_string(&p).expect("serialise");
        assert_eq!(json, "\"13800138000\"");
        assert_eq!(
            serde_json::from_str::<Phone>(&json).expect("deserialise"),
            p
        );
        assert_eq!(
            serde_json::from_str::<Phone>("\"+86 138 0013 8000\"").expect("normalised"),
            p
        );
        assert!(serde_json::from_str::<Phone>("\"12345\"").is_err());
        assert!(serde_json::from_str::<Phone>("13800138000").is_err());
    }

    /// A valid mobile and a decorated way a person might type it.
    fn typed_phone() -> impl Strategy<Value = (String, String)> {
        (
            "1[3-9][0-9]{9}",
            prop::sample::select(vec!["", "+86", "+86 ", "86", "0086", "+86-"]),
            prop::sample::select(vec!["", " ", "-"]),
            "[ \t]{0,2}",
        )
            .prop_map(|(digits, prefix, sep, pad)| {
                let typed = format!(
                    "{pad}{prefix}{}{sep}{}{sep}{}{pad}",
                    &digits[..3],
                    &digits[3..7],
                    &digits[7..]
                );
                (digits, typed)
            })
    }

    proptest! {
        #[test]
        fn never_panics(s in ".*") {
            let _ = Phone::parse(&s);
        }

        #[test]
        fn never_panics_on_near_phones(s in "[+0-9 -]{0,20}") {
            let _ = Phone::parse(&s);
        }

        #[test]
        fn valid_phones_parse_and_round_trip((digits, typed) in typed_phone()) {
            let p = Phone::parse(&typed);
            prop_assert_eq!(p.as_ref().map(Phone::as_str), Ok(digits.as_str()));
            let p = p.map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(Phone::parse(&p.to_string()), Ok(p.clone()));
            let masked = p.masked();
            prop_assert_eq!(masked.len(), 11);
            prop_assert!(masked.starts_with(&digits[..3]) && masked.ends_with(&digits[7..]));
        }

        #[test]
        fn wrong_second_digit_is_rejected(second in "[0-2]", rest in "[0-9]{9}") {
            prop_assert_eq!(Phone::parse(&format!("1{second}{rest}")), Err(Error::PhoneInvalid));
        }
    }
}
