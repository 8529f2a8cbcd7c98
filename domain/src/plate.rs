//! Mainland-China licence plates.
//!
//! A plate identifies a vehicle at reception, so it is normalised to one
//! canonical spelling (`浙A12345`) whatever way it was typed or printed
//! (`浙a·12345`, `浙A 12345`).

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::Error;

/// The 31 provincial-level abbreviations of mainland China.
const PROVINCES: &str = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼";

/// A mainland licence plate: province character, issuing-authority letter,
/// then 5 characters (ordinary) or 6 (new-energy vehicle).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Plate {
    text: String,
    // Kept alongside the text so `province` needs no fallible char lookup.
    province: char,
}

impl Plate {
    /// Parses a plate, ignoring surrounding/inner spaces, the separators `·`,
    /// `•` and `-`, and ASCII letter case.
    pub fn parse(input: &str) -> Result<Plate, Error> {
        let text: String = input
            .chars()
            .filter(|c| !c.is_whitespace() && !matches!(c, '·' | '•' | '-'))
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let chars: Vec<char> = text.chars().collect();
        let valid = match chars.as_slice() {
            [province, authority, serial @ ..] => {
                PROVINCES.contains(*province)
                    && authority.is_ascii_uppercase()
                    && match serial {
                        [_, _, _, _, _] => serial.iter().copied().all(is_serial_char),
                        // Small new-energy: D (electric) or F (hybrid) first.
                        ['D' | 'F', second, a, b, c, d] => {
                            is_serial_char(*second)
                                && [a, b, c, d].iter().all(|c| c.is_ascii_digit())
                        }
                        // Large new-energy: D or F last.
                        [a, b, c, d, e, 'D' | 'F'] => {
                            [a, b, c, d, e].iter().all(|c| c.is_ascii_digit())
                        }
                        _ => false,
                    }
            }
            _ => false,
        };
        match chars.first() {
            Some(&province) if valid => Ok(Plate { text, province }),
            _ => Err(Error::PlateInvalid),
        }
    }

    /// The normalised plate, e.g. `浙A12345`.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// New-energy plates have 6 characters after the authority letter; they
    /// matter here because EVs need different services and parts.
    pub fn is_new_energy(&self) -> bool {
        self.text.chars().count() == 8
    }

    /// The province abbreviation, e.g. `浙`.
    pub fn province(&self) -> char {
        self.province
    }
}

/// Whether `c` is one of the 31 province abbreviations a plate starts with.
pub fn is_province(c: char) -> bool {
    PROVINCES.contains(c)
}

/// Letters I and O are never issued because they read as 1 and 0.
fn is_serial_char(c: char) -> bool {
    c.is_ascii_digit() || (c.is_ascii_uppercase() && c != 'I' && c != 'O')
}

impl fmt::Display for Plate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&self.text)
    }
}

impl TryFrom<String> for Plate {
    type Error = Error;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Plate::parse(&value)
    }
}

impl TryFrom<&str> for Plate {
    type Error = Error;

    fn try_from(value: &str) -> Result<Self, Self::Error> {
        Plate::parse(value)
    }
}

impl From<Plate> for String {
    fn from(plate: Plate) -> String {
        plate.text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    fn plate(s: &str) -> Plate {
        Plate::parse(s).expect(s)
    }

    #[test]
    fn there_are_31_distinct_provinces() {
        let set: BTreeSet<char> = PROVINCES.chars().collect();
        assert_eq!(set.len(), 31);
        assert_eq!(PROVINCES.chars().count(), 31);
    }

    #[test]
    fn ordinary_plates() {
        let p = plate("浙A12345");
        assert_eq!(p.as_str(), "浙A12345");
        assert_eq!(p.to_string(), "浙A12345");
        assert_eq!(p.province(), '浙');
        assert!(!p.is_new_energy());
        assert_eq!(plate("京N8P9Z2").as_str(), "京N8P9Z2");
        // A letter in the last position is still an ordinary 5-character plate.
        let p = plate("粤B·8888F");
        assert_eq!(p.as_str(), "粤B8888F");
        assert!(!p.is_new_energy());
        assert_eq!(p.province(), '粤');
    }

    #[test]
    fn new_energy_plates() {
        let small = plate("浙AD12345");
        assert!(small.is_new_energy());
        assert_eq!(small.province(), '浙');
        assert!(plate("沪AFA1234").is_new_energy());
        let large = plate("浙A12345D");
        assert!(large.is_new_energy());
        assert!(plate("琼E00000F").is_new_energy());
    }

    #[test]
    fn normalises_typing() {
        for input in [
            "浙A12345",
            " 浙A12345 ",
            "浙a12345",
            "浙A·12345",
            "浙A•12345",
            "浙A-12345",
            "浙 A 123 45",
            "\u{3000}浙A12345\u{3000}",
        ] {
            assert_eq!(
                Plate::parse(input).map(|p| p.text),
                Ok("浙A12345".to_owned()),
                "{input:?}"
            );
        }
        assert_eq!(plate("粤b·da1234").as_str(), "粤BDA1234");
    }

    #[test]
    fn rejects_invalid_plates() {
        for input in [
            "",
            "浙",
            "浙A",
            "浙A1234",
            "浙A123456",
            "浙A1234567",
            "浙AI2345",
            "浙AO2345",
            "浙A1234I",
            "XA12345",
            "港A12345",
            "A浙12345",
            "浙112345",
            "浙ÄA12345",
            "浙A12345X",
            "浙AX12345",
            "浙AD1234A",
            "浙AD1I345",
            "浙A1234DD",
            "浙A1234AD",
            "浙AD12345D",
            "浙A１２３４５",
            "浙A12_45",
            "浙A12.45",
        ] {
            assert_eq!(Plate::parse(input), Err(Error::PlateInvalid), "{input:?}");
        }
    }

    #[test]
    fn conversions() {
        assert_eq!(Plate::try_from("浙A12345"), Ok(plate("浙A12345")));
        assert_eq!(Plate::try_from("bad".to_owned()), Err(Error::PlateInvalid));
        assert_eq!(String::from(plate("浙a 12345")), "浙A12345");
    }

    #[test]
    fn serde_validates() {
        let p = plate("浙AD12345");
        let json = serde_json::to_string(&p).expect("serialise");
        assert_eq!(json, "\"浙AD12345\"");
        assert_eq!(
            serde_json::from_str::<Plate>(&json).expect("deserialise"),
            p
        );
        assert_eq!(
            serde_json::from_str::<Plate>("\"浙a·12345\"").expect("normalised"),
            plate("浙A12345")
        );
        assert!(serde_json::from_str::<Plate>("\"浙AI2345\"").is_err());
    }

    const SERIAL: &str = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789";

    fn chars_of(s: &'static str) -> impl Strategy<Value = char> {
        prop::sample::select(s.chars().collect::<Vec<_>>())
    }

    /// (body after the province and letter, whether it is new-energy)
    fn valid_body() -> impl Strategy<Value = (String, bool)> {
        prop_oneof![
            prop::collection::vec(chars_of(SERIAL), 5)
                .prop_map(|cs| (cs.into_iter().collect(), false)),
            (chars_of("DF"), chars_of(SERIAL), "[0-9]{4}")
                .prop_map(|(kind, second, digits)| (format!("{kind}{second}{digits}"), true)),
            ("[0-9]{5}", chars_of("DF"))
                .prop_map(|(digits, kind)| (format!("{digits}{kind}"), true)),
        ]
    }

    proptest! {
        #[test]
        fn never_panics(s in ".*") {
            let _ = Plate::parse(&s);
        }

        #[test]
        fn never_panics_on_near_plates(s in "[浙京粤A-Za-z0-9·• -]{0,12}") {
            let _ = Plate::parse(&s);
        }

        #[test]
        fn valid_plates_parse_and_round_trip(
            province in chars_of(PROVINCES),
            authority in chars_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ"),
            (body, new_energy) in valid_body(),
            separator in prop::sample::select(vec!["", "·", "•", " ", "-"]),
            lowercase in any::<bool>(),
        ) {
            let canonical = format!("{province}{authority}{body}");
            let typed = format!(" {province}{authority}{separator}{body} ");
            let typed = if lowercase { typed.to_lowercase() } else { typed };
            let p = Plate::parse(&typed).map_err(|e| TestCaseError::fail(format!("{typed}: {e}")))?;
            prop_assert_eq!(p.as_str(), canonical.as_str());
            prop_assert_eq!(p.province(), province);
            prop_assert_eq!(p.is_new_energy(), new_energy);
            prop_assert_eq!(Plate::parse(&p.to_string()), Ok(p));
        }

        #[test]
        fn i_and_o_are_rejected_in_ordinary_serials(
            province in chars_of(PROVINCES),
            mut serial in prop::collection::vec(chars_of(SERIAL), 5),
            position in 0usize..5,
            bad in chars_of("IO"),
        ) {
            serial[position] = bad;
            let text: String = serial.into_iter().collect();
            prop_assert_eq!(Plate::parse(&format!("{province}A{text}")), Err(Error::PlateInvalid));
        }
    }
}
