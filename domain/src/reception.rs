//! Reception at the counter: finding a customer from what the advisor types.
//!
//! - [`CustomerQuery`]: a search box's text read as part of a phone number or of a plate;
//! - [`SearchKey`]: the prefix a storage index is scanned for, and where its range ends.
//!
//! A customer at the counter says the last four digits of their phone, or the advisor
//! reads the plate off the car without its province character and in whatever case the
//! keyboard gives. Each reading maps to a prefix of an indexed key (the phone, the phone
//! reversed, the plate without its province), so a search is an index range scan however
//! many customers the chain has.

use serde::{Deserialize, Serialize};

use crate::Error;

/// The fewest digits that search phones: fewer match too many customers to be useful.
pub const MIN_PHONE_DIGITS: usize = 3;
/// The fewest plate characters (after the province) that search plates.
pub const MIN_PLATE_CHARS: usize = 2;
/// The most results one search returns; the advisor types more to narrow it.
pub const MAX_RESULTS: usize = 20;

/// A search box's text, read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CustomerQuery {
    /// Digits only: the start or the end of a mobile number (`138`, `8000`).
    PhoneDigits(String),
    /// Part of a plate from its authority letter on (`A12`, `AD123`), with the province
    /// character when one was typed (`浙A12`).
    Plate {
        /// The province character, when typed.
        province: Option<char>,
        /// Upper-case letters and digits from the authority letter on.
        rest: String,
    },
}

/// A prefix to scan an index for: the rows whose key `k` has `start <= k` and, when
/// there is an end, `k < end`.
///
/// Keys are upper-case ASCII letters and digits, and so is the end: digits sort before
/// letters and each class in its usual order under the C collation and under the
/// language collations PostgreSQL databases are made with, so one range query serves
/// both databases whatever their collation (a `:` or `[` bound would not: language
/// collations skip punctuation).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SearchKey {
    /// The prefix itself.
    pub start: String,
    /// The first key after every key that starts with the prefix; `None` when no key is
    /// (a prefix of nines and `Z`s).
    pub end: Option<String>,
}

impl SearchKey {
    /// The range of keys that start with `prefix` (ASCII upper-case letters and digits).
    fn prefix(prefix: &str) -> SearchKey {
        let mut end = prefix.as_bytes().to_vec();
        // The next prefix of the same or shorter length: `A19` → `A1A`, `139` → `14`,
        // `AZ` → `B`. Digits run into letters, as they sort.
        let end = loop {
            match end.pop() {
                None => break None,
                Some(b'Z') => continue,
                Some(b'9') => {
                    if prefix.bytes().all(|b| b.is_ascii_digit()) {
                        continue;
                    }
                    end.push(b'A');
                }
                Some(b) => end.push(b + 1),
            }
            break String::from_utf8(end).ok();
        };
        SearchKey {
            start: prefix.to_owned(),
            end,
        }
    }

    /// Whether `key` is in the range.
    pub fn matches(&self, key: &str) -> bool {
        self.start.as_str() <= key && self.end.as_deref().is_none_or(|end| key < end)
    }
}

impl CustomerQuery {
    /// Reads what was typed: spaces, dashes and the plate's middle dot are ignored, and
    /// letters may be in either case. Digits alone are a phone; letters and digits are
    /// a plate, with or without its province character.
    pub fn parse(input: &str) -> Result<CustomerQuery, Error> {
        let text: String = input
            .chars()
            .filter(|c| !c.is_whitespace() && !matches!(c, '·' | '•' | '-'))
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let text = text.strip_prefix("+86").unwrap_or(&text);
        if text.is_empty() {
            return Err(Error::SearchTooShort);
        }
        if text.bytes().all(|b| b.is_ascii_digit()) {
            if text.len() < MIN_PHONE_DIGITS {
                return Err(Error::SearchTooShort);
            }
            if text.len() > 11 {
                return Err(Error::SearchInvalid);
            }
            return Ok(CustomerQuery::PhoneDigits(text.to_owned()));
        }
        let mut chars = text.chars();
        let first = chars.next().ok_or(Error::SearchTooShort)?;
        let (province, rest) = if first.is_ascii() {
            (None, text.to_owned())
        } else if crate::plate::is_province(first) {
            (Some(first), chars.as_str().to_owned())
        } else {
            return Err(Error::SearchInvalid);
        };
        let mut rest_chars = rest.chars();
        let letter_first = rest_chars.next().is_none_or(|c| c.is_ascii_uppercase());
        if !letter_first || !rest.chars().all(|c| c.is_ascii_alphanumeric()) || rest.len() > 7 {
            return Err(Error::SearchInvalid);
        }
        if rest.len() < MIN_PLATE_CHARS {
            return Err(Error::SearchTooShort);
        }
        Ok(CustomerQuery::Plate { province, rest })
    }

    /// The index ranges to scan, each over one kind of key:
    /// - [`KeyKind::Phone`]: the phone number, for the digits it starts with;
    /// - [`KeyKind::PhoneReversed`]: the phone read backwards, for the digits it ends with;
    /// - [`KeyKind::PlateRest`]: the plate without its province character.
    pub fn keys(&self) -> Vec<(KeyKind, SearchKey)> {
        match self {
            CustomerQuery::PhoneDigits(digits) => {
                let reversed: String = digits.chars().rev().collect();
                vec![
                    (KeyKind::Phone, SearchKey::prefix(digits)),
                    (KeyKind::PhoneReversed, SearchKey::prefix(&reversed)),
                ]
            }
            CustomerQuery::Plate { rest, .. } => {
                vec![(KeyKind::PlateRest, SearchKey::prefix(rest))]
            }
        }
    }

    /// Whether a customer with this phone and these plates answers the query: the one
    /// test that storage's index scans approximate and the results are filtered by (the
    /// province, when typed, is checked here, not in the index).
    pub fn matches<'a>(&self, phone: &str, plates: impl IntoIterator<Item = &'a str>) -> bool {
        match self {
            CustomerQuery::PhoneDigits(digits) => {
                phone.starts_with(digits.as_str()) || phone.ends_with(digits.as_str())
            }
            CustomerQuery::Plate { province, rest } => plates.into_iter().any(|plate| {
                let mut chars = plate.chars();
                let plate_province = chars.next();
                let plate_rest = chars.as_str();
                plate_rest.starts_with(rest.as_str())
                    && province.is_none_or(|p| plate_province == Some(p))
            }),
        }
    }
}

/// Which indexed key a [`SearchKey`] ranges over.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyKind {
    /// `customers.phone`.
    Phone,
    /// The phone's digits in reverse order.
    PhoneReversed,
    /// `vehicles.plate` without its first (province) character.
    PlateRest,
}

/// The phone read backwards, the key that finds a number by its last digits.
pub fn reversed_phone(phone: &crate::Phone) -> String {
    phone.as_str().chars().rev().collect()
}

/// The plate without its province character, the key that finds a plate as read off
/// the car by someone who skips the province.
pub fn plate_rest(plate: &crate::Plate) -> &str {
    let mut chars = plate.as_str().chars();
    chars.next();
    chars.as_str()
}

crate::text::bounded_text!(
    /// What a staff member writes about a customer: 1 to 500 characters, trimmed, line
    /// breaks kept.
    NoteText, 1, 500, lines: true, Error::NoteInvalid
);

crate::text::bounded_text!(
    /// A tag's name in one language, as HQ writes it: 1 to 24 characters.
    TagLabel, 1, 24, lines: false, Error::TagLabelInvalid
);

/// The code of a tag in the chain's vocabulary (`price_sensitive`): lower-case letters,
/// digits and `_`, 1 to 32 of them. Whether the vocabulary holds it is storage's answer.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TagCode(String);

impl TagCode {
    /// Parses a code as a form sends it.
    pub fn parse(input: &str) -> Result<TagCode, Error> {
        let code = input.trim();
        let valid = (1..=32).contains(&code.len())
            && code
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if valid {
            Ok(TagCode(code.to_owned()))
        } else {
            Err(Error::TagUnknown)
        }
    }

    /// The code.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for TagCode {
    type Error = Error;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        TagCode::parse(&value)
    }
}

impl From<TagCode> for String {
    fn from(code: TagCode) -> String {
        code.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Phone, Plate};
    use proptest::prelude::*;

    #[test]
    fn digits_are_a_phone_and_letters_a_plate() {
        assert_eq!(
            CustomerQuery::parse(" 8000 "),
            Ok(CustomerQuery::PhoneDigits("8000".into()))
        );
        assert_eq!(
            CustomerQuery::parse("138-0013"),
            Ok(CustomerQuery::PhoneDigits("1380013".into()))
        );
        assert_eq!(
            CustomerQuery::parse("a1 2"),
            Ok(CustomerQuery::Plate {
                province: None,
                rest: "A12".into()
            })
        );
        assert_eq!(
            CustomerQuery::parse("浙a·123"),
            Ok(CustomerQuery::Plate {
                province: Some('浙'),
                rest: "A123".into()
            })
        );
    }

    #[test]
    fn too_little_or_nonsense_is_refused() {
        for short in ["", "  ", "13", "A", "浙", "浙A"] {
            assert_eq!(
                CustomerQuery::parse(short),
                Err(Error::SearchTooShort),
                "{short:?}"
            );
        }
        for bad in ["1380013800099", "12A", "x?", "东A123", "A12345678", "A1_2"] {
            assert_eq!(
                CustomerQuery::parse(bad),
                Err(Error::SearchInvalid),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn a_key_range_holds_exactly_its_prefix() {
        let key = SearchKey::prefix("A12");
        assert_eq!(key.end.as_deref(), Some("A13"));
        assert!(key.matches("A12"));
        assert!(key.matches("A12ZZZ"));
        assert!(!key.matches("A13"));
        assert!(!key.matches("A1"));
        let nine = SearchKey::prefix("139");
        assert_eq!(nine.end.as_deref(), Some("14"));
        assert!(nine.matches("13999999999"));
        assert!(!nine.matches("14000000000"));
        let plate_nine = SearchKey::prefix("A19");
        assert_eq!(plate_nine.end.as_deref(), Some("A1A"));
        assert!(plate_nine.matches("A1999"));
        assert!(!plate_nine.matches("A1A00"));
        assert_eq!(SearchKey::prefix("AZ").end.as_deref(), Some("B"));
        let top = SearchKey::prefix("999");
        assert_eq!(top.end, None);
        assert!(top.matches("99912345678"));
        assert!(!top.matches("99812345678"));
    }

    #[test]
    fn notes_and_tag_codes_parse() {
        assert_eq!(
            NoteText::parse("  prefers Saturday\n ").map(|n| n.as_str().to_owned()),
            Ok("prefers Saturday".into())
        );
        assert_eq!(NoteText::parse("   "), Err(Error::NoteInvalid));
        assert_eq!(NoteText::parse(&"好".repeat(501)), Err(Error::NoteInvalid));
        assert!(NoteText::parse(&"好".repeat(500)).is_ok());
        assert_eq!(NoteText::parse("a\u{7}b"), Err(Error::NoteInvalid));
        assert_eq!(
            TagCode::parse("price_sensitive").map(|t| t.as_str().to_owned()),
            Ok("price_sensitive".into())
        );
        for bad in ["", "Fleet", "fleet!", "x y", &"a".repeat(33)] {
            assert_eq!(TagCode::parse(bad), Err(Error::TagUnknown), "{bad:?}");
        }
    }

    fn phone() -> impl Strategy<Value = Phone> {
        "1[3-9][0-9]{9}".prop_map(|s| Phone::parse(&s).expect("generated phone"))
    }

    fn plate() -> impl Strategy<Value = Plate> {
        ("[浙沪京粤]", "[A-HJ-NP-Z]", "[0-9A-HJ-NP-Z]{5}")
            .prop_map(|(p, a, s)| Plate::parse(&format!("{p}{a}{s}")).expect("generated plate"))
    }

    proptest! {
        /// A key range holds exactly the keys that start with its prefix: digit keys for
        /// a digit prefix (phones), letter-and-digit keys otherwise (plates).
        #[test]
        fn a_range_is_its_prefix(digits in "[0-9]{1,5}", plate in "[A-Z][0-9A-Z]{0,4}", digit_key in "[0-9]{0,8}", plate_key in "[0-9A-Z]{0,8}") {
            let phone_range = SearchKey::prefix(&digits);
            prop_assert_eq!(phone_range.matches(&digit_key), digit_key.starts_with(&digits));
            let plate_range = SearchKey::prefix(&plate);
            prop_assert_eq!(plate_range.matches(&plate_key), plate_key.starts_with(&plate));
        }

        /// Any start or end of a phone, at least three digits long, finds it, and the
        /// index ranges the query scans contain the phone's keys.
        #[test]
        fn any_start_or_end_of_a_phone_finds_it(phone in phone(), len in 3usize..=11, from_end: bool) {
            let digits = phone.as_str();
            let typed = if from_end { &digits[11 - len..] } else { &digits[..len] };
            let query = CustomerQuery::parse(typed).expect("digits parse");
            prop_assert!(query.matches(digits, []));
            let reversed = reversed_phone(&phone);
            let found = query.keys().iter().any(|(kind, key)| match kind {
                KeyKind::Phone => key.matches(digits),
                KeyKind::PhoneReversed => key.matches(&reversed),
                KeyKind::PlateRest => false,
            });
            prop_assert!(found);
        }

        /// A plate typed from its letter on, in either case, with or without the
        /// province, finds it through the plate index; another province's does not.
        #[test]
        fn any_start_of_a_plate_finds_it(plate in plate(), len in 2usize..=6, lower: bool, with_province: bool) {
            let rest = plate_rest(&plate);
            let mut typed: String = rest[..len].to_owned();
            if lower {
                typed = typed.to_lowercase();
            }
            if with_province {
                typed.insert(0, plate.province());
            }
            let query = CustomerQuery::parse(&typed).expect("plate fragment parses");
            prop_assert!(query.matches("13800138000", [plate.as_str()]));
            let keys = query.keys();
            prop_assert!(keys.iter().all(|(kind, key)| *kind == KeyKind::PlateRest && key.matches(rest)));
            if with_province {
                let other = if plate.province() == '苏' { '浙' } else { '苏' };
                let elsewhere = format!("{other}{rest}");
                prop_assert!(!query.matches("13800138000", [elsewhere.as_str()]));
            }
        }

        /// Whatever is typed, parsing never panics, and a query it accepts only
        /// matches what its own keys range over.
        #[test]
        fn matching_agrees_with_the_keys(typed in "[0-9A-Za-z浙 ·-]{0,12}", phone in phone(), plate in plate()) {
            if let Ok(query) = CustomerQuery::parse(&typed) {
                let reversed = reversed_phone(&phone);
                let in_keys = query.keys().iter().any(|(kind, key)| match kind {
                    KeyKind::Phone => key.matches(phone.as_str()),
                    KeyKind::PhoneReversed => key.matches(&reversed),
                    KeyKind::PlateRest => key.matches(plate_rest(&plate)),
                });
                if query.matches(phone.as_str(), [plate.as_str()]) {
                    prop_assert!(in_keys);
                }
            }
        }
    }
}
