//! Money and quantities.
//!
//! Amounts are integer fen (1/100 yuan) so that sums are exact and the web,
//! kiosk and counter can never disagree by a rounding error. Quantities are
//! integer thousandths because parts are sold by volume (4.5 L of oil) as well
//! as by piece.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::Error;

/// An amount of CNY in fen. May be negative (refunds, discounts, differences);
/// prices are additionally checked to be positive by [`parse_price`].
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Money(i64);

impl Money {
    /// Zero yuan.
    pub const ZERO: Money = Money(0);

    /// ¥10,000,000.00: no single service or part costs more, so anything above
    /// is a slip of the keyboard rather than a price.
    pub const MAX_PRICE: Money = Money(1_000_000_000);

    /// An amount from a number of fen.
    pub const fn from_fen(fen: i64) -> Money {
        Money(fen)
    }

    /// The amount in fen.
    pub const fn fen(self) -> i64 {
        self.0
    }

    /// `self + other`, or [`Error::AmountOverflow`].
    pub fn checked_add(self, other: Money) -> Result<Money, Error> {
        self.0
            .checked_add(other.0)
            .map(Money)
            .ok_or(Error::AmountOverflow)
    }

    /// `self - other`, or [`Error::AmountOverflow`].
    pub fn checked_sub(self, other: Money) -> Result<Money, Error> {
        self.0
            .checked_sub(other.0)
            .map(Money)
            .ok_or(Error::AmountOverflow)
    }

    /// `-self`, or [`Error::AmountOverflow`] for the one amount without a
    /// negation (`i64::MIN` fen).
    pub fn checked_neg(self) -> Result<Money, Error> {
        self.0.checked_neg().map(Money).ok_or(Error::AmountOverflow)
    }

    /// Unit price × quantity, rounded half away from zero to the fen.
    ///
    /// Half away from zero (the everyday "四舍五入") is what a customer checking
    /// the bill by hand expects, and it is symmetric, so a refund line is the
    /// exact negation of the sale line.
    pub fn checked_mul_qty(self, quantity: Quantity) -> Result<Money, Error> {
        let exact_milli_fen = i128::from(self.0) * i128::from(quantity.milli());
        let whole = exact_milli_fen / 1000;
        let remainder = exact_milli_fen % 1000;
        let rounded = if remainder.abs() >= 500 {
            whole + exact_milli_fen.signum()
        } else {
            whole
        };
        i64::try_from(rounded)
            .map(Money)
            .map_err(|_| Error::AmountOverflow)
    }

    /// The sum of `items`, or [`Error::AmountOverflow`] if any partial sum
    /// does not fit.
    pub fn sum<I: IntoIterator<Item = Money>>(items: I) -> Result<Money, Error> {
        items
            .into_iter()
            .try_fold(Money::ZERO, |acc, item| acc.checked_add(item))
    }

    /// Strictly greater than zero.
    pub const fn is_positive(self) -> bool {
        self.0 > 0
    }

    /// The plain editable form (`1234.50`, `-0.05`): no symbol and no
    /// separators, for pre-filling an input that [`parse_yuan`] reads back.
    pub fn yuan_string(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        format!("{sign}{}.{:02}", abs / 100, abs % 100)
    }
}

impl fmt::Display for Money {
    /// `¥1,234.50`, `-¥12.00`: the form shown identically on every surface.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let abs = self.0.unsigned_abs();
        let mut out = String::with_capacity(32);
        if self.0 < 0 {
            out.push('-');
        }
        out.push('¥');
        push_grouped(&mut out, abs / 100);
        out.push('.');
        let fen = abs % 100;
        out.push(char::from(b'0' + (fen / 10) as u8));
        out.push(char::from(b'0' + (fen % 10) as u8));
        // `pad` rather than `write_str` so table layouts can use `{:>12}`.
        f.pad(&out)
    }
}

fn push_grouped(out: &mut String, value: u64) {
    let digits = value.to_string();
    let len = digits.len();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (len - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
}

/// Parses an amount in yuan as a person types it into a price box.
///
/// Accepted: surrounding whitespace, an optional `¥`/`￥`, an optional sign
/// (before or after the symbol, so `-¥12.00` as displayed parses back),
/// correctly grouped `,` thousands separators, and up to two decimals after a
/// `.` (at least one digit on each side of it).
///
/// Thousands groups are checked strictly so `12,50` (a European-style decimal)
/// is refused instead of silently becoming ¥1,250.
pub fn parse_yuan(input: &str) -> Result<Money, Error> {
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Err(Error::AmountEmpty);
    }
    let (negative, number) = strip_sign_and_symbol(trimmed);
    let (integer, decimals) = match number.split_once('.') {
        Some((integer, decimals)) => (integer, Some(decimals)),
        None => (number, None),
    };

    // Validate the whole shape before computing so that a long malformed
    // input reports "not a number" rather than "too large".
    if !is_grouped_integer(integer) {
        return Err(Error::AmountNotANumber);
    }
    let decimals = decimals.unwrap_or("");
    if number.contains('.')
        && (decimals.is_empty() || !decimals.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(Error::AmountNotANumber);
    }
    if decimals.len() > 2 {
        return Err(Error::AmountTooPrecise);
    }

    let mut fen: i128 = 0;
    for digit in integer.bytes().filter(u8::is_ascii_digit) {
        fen = fen
            .checked_mul(10)
            .and_then(|v| v.checked_add(i128::from(digit - b'0')))
            .ok_or(Error::AmountOverflow)?;
    }
    fen = fen.checked_mul(100).ok_or(Error::AmountOverflow)?;
    let mut scale = 10;
    for digit in decimals.bytes() {
        fen += i128::from(digit - b'0') * scale;
        scale /= 10;
    }
    if negative {
        fen = -fen;
    }
    i64::try_from(fen)
        .map(Money)
        .map_err(|_| Error::AmountOverflow)
}

/// Parses a price: like [`parse_yuan`], then requires `0 < price <= MAX_PRICE`.
pub fn parse_price(input: &str) -> Result<Money, Error> {
    let amount = parse_yuan(input)?;
    check_price(amount)?;
    Ok(amount)
}

pub(crate) fn check_price(amount: Money) -> Result<(), Error> {
    if !amount.is_positive() {
        Err(Error::PriceNotPositive)
    } else if amount > Money::MAX_PRICE {
        Err(Error::PriceTooHigh)
    } else {
        Ok(())
    }
}

/// Splits off at most one sign and at most one currency symbol, in either order.
fn strip_sign_and_symbol(s: &str) -> (bool, &str) {
    let (mut sign, mut rest) = strip_sign(s);
    if let Some(after_symbol) = rest.strip_prefix(['¥', '￥']) {
        rest = after_symbol.trim_start();
        if sign.is_none() {
            (sign, rest) = strip_sign(rest);
        }
    }
    (sign == Some('-'), rest)
}

fn strip_sign(s: &str) -> (Option<char>, &str) {
    match s.chars().next() {
        Some(c @ ('-' | '+')) => (Some(c), &s[1..]),
        _ => (None, s),
    }
}

/// ASCII digits, optionally grouped by `,` into a 1–3 digit head and 3-digit groups.
fn is_grouped_integer(s: &str) -> bool {
    let all_digits = |group: &str| group.bytes().all(|b| b.is_ascii_digit());
    let mut groups = s.split(',');
    let head = groups.next().unwrap_or("");
    if !s.contains(',') {
        return !head.is_empty() && all_digits(head);
    }
    (1..=3).contains(&head.len())
        && all_digits(head)
        && groups.all(|group| group.len() == 3 && all_digits(group))
}

/// A positive quantity in thousandths of a unit (4.5 L = 4500, 2 pieces = 2000).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
// Same wire format as `transparent`, but a zero coming over the wire is refused.
#[serde(try_from = "u32", into = "u32")]
pub struct Quantity(u32);

impl Quantity {
    /// One unit (one piece, one litre).
    pub const ONE: Quantity = Quantity(1000);

    /// A quantity in thousandths; zero is [`Error::QuantityInvalid`] because an
    /// order line for nothing is always a mistake.
    pub fn from_milli(milli: u32) -> Result<Quantity, Error> {
        if milli == 0 {
            Err(Error::QuantityInvalid)
        } else {
            Ok(Quantity(milli))
        }
    }

    /// A whole number of units; zero or too many is [`Error::QuantityInvalid`].
    pub fn units(units: u32) -> Result<Quantity, Error> {
        units
            .checked_mul(1000)
            .ok_or(Error::QuantityInvalid)
            .and_then(Quantity::from_milli)
    }

    /// The quantity in thousandths.
    pub const fn milli(self) -> u32 {
        self.0
    }

    /// What a person types: `1`, `4.5`, `0.25` (at most three decimals, a point or a
    /// full-width point), more than zero; else [`Error::QuantityInvalid`].
    pub fn parse(input: &str) -> Result<Quantity, Error> {
        let input = input.trim().replace('．', ".");
        let (whole, fraction) = input.split_once('.').unwrap_or((&input, ""));
        let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() || !digits(whole) || !digits(fraction) || fraction.len() > 3 {
            return Err(Error::QuantityInvalid);
        }
        let whole: u32 = whole.parse().map_err(|_| Error::QuantityInvalid)?;
        let fraction: u32 = format!("{fraction:0<3}")
            .parse()
            .map_err(|_| Error::QuantityInvalid)?;
        whole
            .checked_mul(1000)
            .and_then(|w| w.checked_add(fraction))
            .ok_or(Error::QuantityInvalid)
            .and_then(Quantity::from_milli)
    }
}

impl TryFrom<u32> for Quantity {
    type Error = Error;

    fn try_from(milli: u32) -> Result<Self, Self::Error> {
        Quantity::from_milli(milli)
    }
}

impl From<Quantity> for u32 {
    fn from(quantity: Quantity) -> u32 {
        quantity.0
    }
}

impl fmt::Display for Quantity {
    /// `4.5`, `1`, `0.25`: no trailing zeros, as written on a work order.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let whole = self.0 / 1000;
        let milli = self.0 % 1000;
        let text = if milli == 0 {
            whole.to_string()
        } else {
            let decimals = format!("{milli:03}");
            format!("{whole}.{}", decimals.trim_end_matches('0'))
        };
        f.pad(&text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn yuan(s: &str) -> Money {
        parse_yuan(s).expect(s)
    }

    fn qty(milli: u32) -> Quantity {
        Quantity::from_milli(milli).expect("non-zero")
    }

    #[test]
    fn constants() {
        assert_eq!(Money::ZERO.fen(), 0);
        assert_eq!(Money::default(), Money::ZERO);
        assert_eq!(Money::MAX_PRICE.to_string(), "¥10,000,000.00");
        assert_eq!(Quantity::ONE.milli(), 1000);
    }

    #[test]
    fn from_fen_and_fen() {
        assert_eq!(Money::from_fen(12_345).fen(), 12_345);
        assert_eq!(Money::from_fen(-5).fen(), -5);
    }

    #[test]
    fn checked_add_sub_neg() {
        let a = Money::from_fen(150);
        let b = Money::from_fen(275);
        assert_eq!(a.checked_add(b), Ok(Money::from_fen(425)));
        assert_eq!(a.checked_sub(b), Ok(Money::from_fen(-125)));
        assert_eq!(a.checked_neg(), Ok(Money::from_fen(-150)));
        let max = Money::from_fen(i64::MAX);
        let min = Money::from_fen(i64::MIN);
        assert_eq!(
            max.checked_add(Money::from_fen(1)),
            Err(Error::AmountOverflow)
        );
        assert_eq!(
            min.checked_sub(Money::from_fen(1)),
            Err(Error::AmountOverflow)
        );
        assert_eq!(min.checked_neg(), Err(Error::AmountOverflow));
        assert_eq!(max.checked_neg(), Ok(Money::from_fen(-i64::MAX)));
    }

    #[test]
    fn checked_mul_qty_examples() {
        // 4.5 L of oil at ¥68.80/L = ¥309.60 exactly.
        assert_eq!(yuan("68.80").checked_mul_qty(qty(4500)), Ok(yuan("309.60")));
        assert_eq!(
            yuan("12.00").checked_mul_qty(Quantity::ONE),
            Ok(yuan("12.00"))
        );
        // 0.333 × ¥0.10 = 3.33 fen → 3 fen; 0.335 × ¥0.10 = 3.35 fen → 3 fen;
        // 0.005 × ¥1.00 = 0.5 fen → 1 fen (half away from zero).
        assert_eq!(
            Money::from_fen(10).checked_mul_qty(qty(333)),
            Ok(Money::from_fen(3))
        );
        assert_eq!(
            Money::from_fen(100).checked_mul_qty(qty(5)),
            Ok(Money::from_fen(1))
        );
        assert_eq!(
            Money::from_fen(100).checked_mul_qty(qty(4)),
            Ok(Money::from_fen(0))
        );
        assert_eq!(
            Money::from_fen(-100).checked_mul_qty(qty(5)),
            Ok(Money::from_fen(-1))
        );
        assert_eq!(
            Money::from_fen(-100).checked_mul_qty(qty(4)),
            Ok(Money::from_fen(0))
        );
        assert_eq!(
            Money::from_fen(3).checked_mul_qty(qty(1500)),
            Ok(Money::from_fen(5))
        );
        assert_eq!(
            Money::from_fen(i64::MAX).checked_mul_qty(qty(2000)),
            Err(Error::AmountOverflow)
        );
        assert_eq!(
            Money::from_fen(i64::MAX).checked_mul_qty(Quantity::ONE),
            Ok(Money::from_fen(i64::MAX))
        );
    }

    #[test]
    fn sum_of_amounts() {
        assert_eq!(Money::sum([]), Ok(Money::ZERO));
        assert_eq!(
            Money::sum([yuan("1.10"), yuan("2.20"), yuan("-0.30")]),
            Ok(yuan("3.00"))
        );
        assert_eq!(
            Money::sum([Money::from_fen(i64::MAX), Money::from_fen(1)]),
            Err(Error::AmountOverflow)
        );
    }

    #[test]
    fn is_positive() {
        assert!(Money::from_fen(1).is_positive());
        assert!(!Money::ZERO.is_positive());
        assert!(!Money::from_fen(-1).is_positive());
    }

    #[test]
    fn parse_yuan_accepts_what_people_type() {
        let cases = [
            ("0", 0),
            ("12", 1200),
            ("12.5", 1250),
            ("12.50", 1250),
            ("0.05", 5),
            ("  199  ", 19_900),
            ("¥199", 19_900),
            ("￥199.9", 19_990),
            ("¥ 199", 19_900),
            ("-12", -1200),
            ("+12", 1200),
            ("-¥12.00", -1200),
            ("¥-12.00", -1200),
            ("1,234.50", 123_450),
            ("¥1,234,567", 123_456_700),
            ("007", 700),
            ("-0", 0),
            ("\u{3000}88\t", 8800),
            ("92233720368547758.07", i64::MAX),
            ("-92233720368547758.08", i64::MIN),
        ];
        for (input, fen) in cases {
            assert_eq!(parse_yuan(input), Ok(Money::from_fen(fen)), "{input:?}");
        }
    }

    #[test]
    fn parse_yuan_empty() {
        for input in ["", "   ", "\n\t", "\u{3000}"] {
            assert_eq!(parse_yuan(input), Err(Error::AmountEmpty), "{input:?}");
        }
    }

    #[test]
    fn parse_yuan_not_a_number() {
        for input in [
            "abc",
            "1.2.3",
            ".",
            "1e5",
            "NaN",
            "inf",
            "-inf",
            "12.",
            ".5",
            "¥",
            "-",
            "+",
            "--1",
            "-+1",
            "+-1",
            "-¥-1",
            "¥¥1",
            "1 000",
            "1,23",
            "12,50",
            "1234,567",
            ",123",
            "123,",
            "1,,234",
            "1,234,",
            "１２",
            "12．5",
            "1.2a",
            "1.-2",
            "12元",
            "0x10",
            "1_000",
            "99999999999999999999999999999999999999999999.x",
        ] {
            assert_eq!(parse_yuan(input), Err(Error::AmountNotANumber), "{input:?}");
        }
    }

    #[test]
    fn parse_yuan_too_precise() {
        for input in ["1.234", "0.001", "1.230", "-¥1.999"] {
            assert_eq!(parse_yuan(input), Err(Error::AmountTooPrecise), "{input:?}");
        }
    }

    #[test]
    fn parse_yuan_overflow() {
        for input in [
            "92233720368547758.08",
            "-92233720368547758.09",
            "100000000000000000000",
            "9999999999999999999999999999999999999999999999999999999999999",
        ] {
            assert_eq!(parse_yuan(input), Err(Error::AmountOverflow), "{input:?}");
        }
    }

    #[test]
    fn parse_price_bounds() {
        assert_eq!(parse_price("0.01"), Ok(Money::from_fen(1)));
        assert_eq!(parse_price("10,000,000.00"), Ok(Money::MAX_PRICE));
        assert_eq!(parse_price("0"), Err(Error::PriceNotPositive));
        assert_eq!(parse_price("-5"), Err(Error::PriceNotPositive));
        assert_eq!(parse_price("10000000.01"), Err(Error::PriceTooHigh));
        assert_eq!(parse_price(""), Err(Error::AmountEmpty));
        assert_eq!(parse_price("x"), Err(Error::AmountNotANumber));
    }

    #[test]
    fn display() {
        let cases = [
            (0, "¥0.00"),
            (5, "¥0.05"),
            (50, "¥0.50"),
            (123_450, "¥1,234.50"),
            (99_999, "¥999.99"),
            (100_000, "¥1,000.00"),
            (-1200, "-¥12.00"),
            (-5, "-¥0.05"),
            (12_345_678_900, "¥123,456,789.00"),
            (i64::MAX, "¥92,233,720,368,547,758.07"),
            (i64::MIN, "-¥92,233,720,368,547,758.08"),
        ];
        for (fen, text) in cases {
            assert_eq!(Money::from_fen(fen).to_string(), text);
        }
        assert_eq!(format!("{:>8}", Money::from_fen(5)), "   ¥0.05");
    }

    #[test]
    fn yuan_string() {
        assert_eq!(Money::from_fen(123_450).yuan_string(), "1234.50");
        assert_eq!(Money::from_fen(5).yuan_string(), "0.05");
        assert_eq!(Money::ZERO.yuan_string(), "0.00");
        assert_eq!(Money::from_fen(-1205).yuan_string(), "-12.05");
        assert_eq!(
            Money::from_fen(i64::MIN).yuan_string(),
            "-92233720368547758.08"
        );
    }

    #[test]
    fn money_serde_is_fen() {
        let json = serde_json::to_string(&Money::from_fen(1250)).expect("serialise");
        assert_eq!(json, "1250");
        assert_eq!(
            serde_json::from_str::<Money>("-3").expect("deserialise"),
            Money::from_fen(-3)
        );
    }

    #[test]
    fn quantity_constructors() {
        assert_eq!(Quantity::from_milli(4500).map(Quantity::milli), Ok(4500));
        assert_eq!(Quantity::from_milli(0), Err(Error::QuantityInvalid));
        assert_eq!(Quantity::units(2), Ok(qty(2000)));
        assert_eq!(Quantity::units(1), Ok(Quantity::ONE));
        assert_eq!(Quantity::units(0), Err(Error::QuantityInvalid));
        assert_eq!(Quantity::units(4_294_967), Ok(qty(4_294_967_000)));
        assert_eq!(Quantity::units(4_294_968), Err(Error::QuantityInvalid));
    }

    #[test]
    fn quantity_display() {
        let cases = [
            (4500, "4.5"),
            (1000, "1"),
            (250, "0.25"),
            (1, "0.001"),
            (10_010, "10.01"),
            (u32::MAX, "4294967.295"),
        ];
        for (milli, text) in cases {
            assert_eq!(qty(milli).to_string(), text);
        }
    }

    #[test]
    fn quantities_are_read_as_people_type_them() {
        assert_eq!(Quantity::parse("1").map(Quantity::milli), Ok(1000));
        assert_eq!(Quantity::parse(" 4.5 ").map(Quantity::milli), Ok(4500));
        assert_eq!(Quantity::parse("0.25").map(Quantity::milli), Ok(250));
        assert_eq!(Quantity::parse("0．5").map(Quantity::milli), Ok(500));
        assert_eq!(Quantity::parse("2.").map(Quantity::milli), Ok(2000));
        for bad in [
            "0", "0.000", "", ".5", "-1", "1.2345", "one", "1,5", "5000000",
        ] {
            assert_eq!(Quantity::parse(bad), Err(Error::QuantityInvalid), "{bad}");
        }
    }

    #[test]
    fn quantity_serde_rejects_zero() {
        assert_eq!(
            serde_json::to_string(&qty(4500)).expect("serialise"),
            "4500"
        );
        assert_eq!(
            serde_json::from_str::<Quantity>("250").expect("deserialise"),
            qty(250)
        );
        assert!(serde_json::from_str::<Quantity>("0").is_err());
        assert!(serde_json::from_str::<Quantity>("-1").is_err());
    }

    fn any_money() -> impl Strategy<Value = Money> {
        any::<i64>().prop_map(Money::from_fen)
    }

    fn any_quantity() -> impl Strategy<Value = Quantity> {
        (1..=u32::MAX).prop_map(qty)
    }

    proptest! {
        #[test]
        fn yuan_string_round_trips(m in any_money()) {
            prop_assert_eq!(parse_yuan(&m.yuan_string()), Ok(m));
        }

        #[test]
        fn display_round_trips(m in any_money()) {
            prop_assert_eq!(parse_yuan(&m.to_string()), Ok(m));
        }

        #[test]
        fn parse_yuan_never_panics(s in ".*") {
            let _ = parse_yuan(&s);
            let _ = parse_price(&s);
        }

        #[test]
        fn parse_yuan_never_panics_on_near_numbers(s in "[-+¥￥0-9,. ]{0,40}") {
            let _ = parse_yuan(&s);
        }

        #[test]
        fn checked_add_agrees_with_i128(a in any::<i64>(), b in any::<i64>()) {
            let exact = i128::from(a) + i128::from(b);
            let expected = i64::try_from(exact).map(Money::from_fen).map_err(|_| Error::AmountOverflow);
            prop_assert_eq!(Money::from_fen(a).checked_add(Money::from_fen(b)), expected);
            let exact = i128::from(a) - i128::from(b);
            let expected = i64::try_from(exact).map(Money::from_fen).map_err(|_| Error::AmountOverflow);
            prop_assert_eq!(Money::from_fen(a).checked_sub(Money::from_fen(b)), expected);
        }

        #[test]
        fn checked_mul_qty_agrees_with_i128(m in any_money(), q in any_quantity()) {
            // Independent formulation of half-away-from-zero: shift the magnitude by
            // half a fen and truncate.
            let exact = i128::from(m.fen()) * i128::from(q.milli());
            let magnitude = (exact.abs() + 500) / 1000;
            let expected_fen = if exact < 0 { -magnitude } else { magnitude };
            let expected = i64::try_from(expected_fen).map(Money::from_fen).map_err(|_| Error::AmountOverflow);
            prop_assert_eq!(m.checked_mul_qty(q), expected);
        }

        #[test]
        fn checked_mul_qty_is_within_half_a_fen(fen in -(1i64 << 40)..(1i64 << 40), q in any_quantity()) {
            let exact = i128::from(fen) * i128::from(q.milli());
            let total = Money::from_fen(fen).checked_mul_qty(q);
            prop_assert!(total.is_ok());
            let total_milli = i128::from(total.map(Money::fen).unwrap_or_default()) * 1000;
            let error = total_milli - exact;
            prop_assert!(error.abs() <= 500, "error {} milli-fen", error);
            // Exact halves move away from zero.
            if error.abs() == 500 {
                prop_assert_eq!(error.signum(), exact.signum());
            }
        }

        #[test]
        fn whole_units_multiply_exactly(fen in -(1i64 << 40)..(1i64 << 40), n in 1u32..10_000) {
            let q = Quantity::units(n).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(Money::from_fen(fen).checked_mul_qty(q), Ok(Money::from_fen(fen * i64::from(n))));
        }

        #[test]
        fn sum_agrees_with_i128(items in proptest::collection::vec(any::<i64>(), 0..8)) {
            let exact: i128 = items.iter().map(|&f| i128::from(f)).sum();
            let result = Money::sum(items.iter().copied().map(Money::from_fen));
            if let Ok(total) = result {
                prop_assert_eq!(i128::from(total.fen()), exact);
            } else {
                // Some partial sum left the range.
                let mut acc: i128 = 0;
                let mut overflowed = false;
                for &f in &items {
                    acc += i128::from(f);
                    overflowed |= i64::try_from(acc).is_err();
                }
                prop_assert!(overflowed);
            }
        }

        #[test]
        fn quantity_display_parses_back(q in any_quantity()) {
            prop_assert_eq!(Quantity::parse(&q.to_string()), Ok(q));
        }

        #[test]
        fn quantity_display_is_exact(q in any_quantity()) {
            let text = q.to_string();
            prop_assert!(!text.ends_with('0') || !text.contains('.'));
            let (whole, decimals) = text.split_once('.').unwrap_or((text.as_str(), ""));
            let padded = format!("{decimals:0<3}");
            let milli = whole.parse::<u64>().map_err(|e| TestCaseError::fail(e.to_string()))? * 1000
                + padded.parse::<u64>().map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(milli, u64::from(q.milli()));
        }
    }
}
