//! Money: the `Rupiah` newtype and the one place amounts are parsed and
//! formatted. Amounts are whole Rupiah in an `i64`; floats never touch money.

use std::fmt;

/// A whole-Rupiah amount. Displays as `Rp302.750` (dot thousands separator,
/// no decimals), the way resellers write it.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Default,
    serde::Serialize,
    serde::Deserialize,
)]
pub struct Rupiah(pub i64);

impl Rupiah {
    pub const ZERO: Rupiah = Rupiah(0);

    pub fn value(self) -> i64 {
        self.0
    }

    pub fn checked_add(self, other: Rupiah) -> Option<Rupiah> {
        self.0.checked_add(other.0).map(Rupiah)
    }

    /// Parses what a reseller types as an amount: `1500000`, `1.500.000`,
    /// `1,5jt`, `1.5jt`, `150rb`, `150ribu`, `2juta`, `Rp150.000`.
    /// Returns `None` for anything else, for zero and for negative amounts.
    pub fn parse_typed(text: &str) -> Option<Rupiah> {
        let lower = text.trim().to_ascii_lowercase();
        let body = lower
            .strip_prefix("rp")
            .unwrap_or(&lower)
            .trim_start_matches('.');
        let (number, multiplier): (&str, i64) = if let Some(n) = strip_any(body, &["juta", "jt"]) {
            (n, 1_000_000)
        } else if let Some(n) = strip_any(body, &["ribu", "rb", "k"]) {
            (n, 1_000)
        } else {
            (body, 1)
        };
        if number.is_empty()
            || !number
                .bytes()
                .all(|b| b.is_ascii_digit() || b == b'.' || b == b',')
        {
            return None;
        }
        let value = if multiplier == 1 {
            parse_grouped_integer(number)?
        } else {
            parse_scaled_decimal(number, multiplier)?
        };
        (value > 0).then_some(Rupiah(value))
    }

    /// Parses a plain integer amount as gateways send it (`302750`).
    pub fn parse_plain(text: &str) -> Option<Rupiah> {
        let t = text.trim();
        let digits = t.strip_prefix('-').unwrap_or(t);
        if digits.is_empty() || digits.len() > 15 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        t.parse().ok().map(Rupiah)
    }
}

fn strip_any<'a>(text: &'a str, suffixes: &[&str]) -> Option<&'a str> {
    suffixes.iter().find_map(|s| text.strip_suffix(s))
}

/// `1500000` or `1.500.000` (dots must group by three). A comma is not
/// allowed without a unit: `1,5` alone is ambiguous.
fn parse_grouped_integer(text: &str) -> Option<i64> {
    if text.contains(',') {
        return None;
    }
    if text.contains('.') {
        let mut groups = text.split('.');
        let first = groups.next()?;
        if first.is_empty() || first.len() > 3 {
            return None;
        }
        let rest: Vec<&str> = groups.collect();
        if rest.iter().any(|g| g.len() != 3) {
            return None;
        }
    }
    let digits: String = text.chars().filter(|c| *c != '.').collect();
    if digits.len() > 15 {
        return None;
    }
    digits.parse().ok()
}

/// `1,5` or `1.5` times a unit (`jt` = 1_000_000): whole Rupiah only.
fn parse_scaled_decimal(text: &str, multiplier: i64) -> Option<i64> {
    let normalized = text.replace(',', ".");
    let mut parts = normalized.split('.');
    let whole = parts.next()?;
    let frac = parts.next().unwrap_or("");
    if parts.next().is_some() || whole.is_empty() || whole.len() > 9 {
        return None;
    }
    let whole: i64 = whole.parse().ok()?;
    let mut value = whole.checked_mul(multiplier)?;
    let mut scale = multiplier;
    for digit in frac.bytes() {
        if scale % 10 != 0 {
            return None; // more decimals than the unit has Rupiah
        }
        scale /= 10;
        value = value.checked_add(i64::from(digit - b'0') * scale)?;
    }
    Some(value)
}

impl fmt::Display for Rupiah {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let digits = self.0.unsigned_abs().to_string();
        let mut grouped = String::with_capacity(digits.len() + digits.len() / 3 + 3);
        if self.0 < 0 {
            grouped.push('-');
        }
        grouped.push_str("Rp");
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                grouped.push('.');
            }
            grouped.push(c);
        }
        f.write_str(&grouped)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_with_dot_thousands() {
        let cases = [
            (0, "Rp0"),
            (5, "Rp5"),
            (999, "Rp999"),
            (1_000, "Rp1.000"),
            (2_750, "Rp2.750"),
            (302_750, "Rp302.750"),
            (1_000_000, "Rp1.000.000"),
            (12_345_678_901, "Rp12.345.678.901"),
            (-2_500, "-Rp2.500"),
        ];
        for (value, want) in cases {
            assert_eq!(Rupiah(value).to_string(), want, "formatting {value}");
        }
    }

    #[test]
    fn parses_typed_amounts() {
        let cases = [
            ("1500000", Some(1_500_000)),
            ("1.500.000", Some(1_500_000)),
            ("1,5jt", Some(1_500_000)),
            ("1.5jt", Some(1_500_000)),
            ("2juta", Some(2_000_000)),
            ("150rb", Some(150_000)),
            ("150RB", Some(150_000)),
            ("150ribu", Some(150_000)),
            ("Rp150.000", Some(150_000)),
            ("1,25jt", Some(1_250_000)),
            ("1.500.00", None),
            ("1,5", None),
            ("0", None),
            ("abc", None),
            ("", None),
            ("jt", None),
            ("-5", None),
            ("1.2.3jt", None),
            ("99999999999999999999", None),
        ];
        for (text, want) in cases {
            assert_eq!(
                Rupiah::parse_typed(text).map(Rupiah::value),
                want,
                "parsing {text:?}"
            );
        }
    }

    #[test]
    fn parses_gateway_amounts() {
        assert_eq!(Rupiah::parse_plain("302750"), Some(Rupiah(302_750)));
        assert_eq!(Rupiah::parse_plain("-10"), Some(Rupiah(-10)));
        assert_eq!(Rupiah::parse_plain("30a"), None);
        assert_eq!(Rupiah::parse_plain(""), None);
    }
}
