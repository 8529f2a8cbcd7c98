//! The one error type of the domain.
//!
//! Messages are English for logs and developers; the UI matches on the variant
//! (or on [`Error::code`] across the wire) to show a translated message, so
//! variants carry no data that would need interpolating.

use serde::{Deserialize, Serialize};

/// Everything that can go wrong when turning raw input into domain values or
/// applying a pricing rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum Error {
    /// Nothing was typed into an amount field.
    #[error("amount is empty")]
    AmountEmpty,
    /// The amount is not a decimal number in yuan.
    #[error("amount is not a number")]
    AmountNotANumber,
    /// More than two decimals: fen is the smallest unit, and silently rounding
    /// a typed price would publish a number nobody typed.
    #[error("amount has more than 2 decimals")]
    AmountTooPrecise,
    /// The amount (or a computed total) does not fit in the fen range.
    #[error("amount is too large")]
    AmountOverflow,
    /// A price must be strictly greater than zero.
    #[error("price must be greater than zero")]
    PriceNotPositive,
    /// A price above `Money::MAX_PRICE` is almost certainly a typo.
    #[error("price is above the maximum allowed")]
    PriceTooHigh,
    /// Publishing the current price again would create an empty version.
    #[error("price is unchanged")]
    PriceUnchanged,
    /// The item has no price in the price list.
    #[error("item has no price in the price list")]
    NotPriced,
    /// A quantity must be positive and fit the range.
    #[error("quantity is invalid")]
    QuantityInvalid,
    /// Not a mainland-China licence plate.
    #[error("licence plate is invalid")]
    PlateInvalid,
    /// Not a mainland-China mobile number.
    #[error("phone number is invalid")]
    PhoneInvalid,
    /// Not a UUID.
    #[error("identifier is invalid")]
    IdInvalid,
    /// The price list has used up its version numbers.
    #[error("no price-list version numbers are left")]
    VersionExhausted,
}

impl Error {
    /// A stable snake_case code for APIs, logs and translation keys; unlike the
    /// `Debug` name it is part of the contract and must never change.
    pub fn code(&self) -> &'static str {
        match self {
            Error::AmountEmpty => "amount_empty",
            Error::AmountNotANumber => "amount_not_a_number",
            Error::AmountTooPrecise => "amount_too_precise",
            Error::AmountOverflow => "amount_overflow",
            Error::PriceNotPositive => "price_not_positive",
            Error::PriceTooHigh => "price_too_high",
            Error::PriceUnchanged => "price_unchanged",
            Error::NotPriced => "not_priced",
            Error::QuantityInvalid => "quantity_invalid",
            Error::PlateInvalid => "plate_invalid",
            Error::PhoneInvalid => "phone_invalid",
            Error::IdInvalid => "id_invalid",
            Error::VersionExhausted => "version_exhausted",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    const ALL: [Error; 13] = [
        Error::AmountEmpty,
        Error::AmountNotANumber,
        Error::AmountTooPrecise,
        Error::AmountOverflow,
        Error::PriceNotPositive,
        Error::PriceTooHigh,
        Error::PriceUnchanged,
        Error::NotPriced,
        Error::QuantityInvalid,
        Error::PlateInvalid,
        Error::PhoneInvalid,
        Error::IdInvalid,
        Error::VersionExhausted,
    ];

    #[test]
    fn codes_are_the_documented_ones() {
        let codes: Vec<&str> = ALL.iter().map(Error::code).collect();
        assert_eq!(
            codes,
            [
                "amount_empty",
                "amount_not_a_number",
                "amount_too_precise",
                "amount_overflow",
                "price_not_positive",
                "price_too_high",
                "price_unchanged",
                "not_priced",
                "quantity_invalid",
                "plate_invalid",
                "phone_invalid",
                "id_invalid",
                "version_exhausted",
            ]
        );
    }

    #[test]
    fn codes_are_unique_snake_case() {
        let unique: BTreeSet<&str> = ALL.iter().map(Error::code).collect();
        assert_eq!(unique.len(), ALL.len());
        for code in unique {
            assert!(
                code.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
                "{code}"
            );
        }
    }

    #[test]
    fn messages_are_distinct_and_non_empty() {
        let messages: BTreeSet<String> = ALL.iter().map(ToString::to_string).collect();
        assert_eq!(messages.len(), ALL.len());
        assert!(messages.iter().all(|m| !m.is_empty()));
        assert_eq!(
            Error::AmountTooPrecise.to_string(),
            "amount has more than 2 decimals"
        );
    }

    #[test]
    fn serde_round_trips_every_variant() {
        for error in ALL {
            let json = serde_json::to_string(&error).expect("serialise");
            let back: Error = serde_json::from_str(&json).expect("deserialise");
            assert_eq!(back, error);
        }
        assert_eq!(
            serde_json::to_string(&Error::NotPriced).expect("serialise"),
            "\"NotPriced\""
        );
    }
}
