//! The OtomaX-family request signature (SPEC §1).
//!
//! `sign = base64url_no_pad(sha1("BRAND|memberID|product|dest|refID|pin|api_key"))`,
//! always 27 characters. Pure functions; the result is a secret-derived value
//! and must never be logged.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use sha1::{Digest, Sha1};

/// The brand word R-ONE gateways put first in the signed string.
pub const BRAND: &str = "R-ONE";

/// How the balance call is signed; a per-gateway setting (`LOKET_BALANCE_SIGN`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum BalanceSign {
    /// `BRAND|memberID||||pin|api_key`: the seed's one script, empty fields.
    #[default]
    Fields,
    /// `BRAND|CheckBalance|memberID|pin|api_key`.
    CheckBalance,
}

impl std::str::FromStr for BalanceSign {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "fields" => Ok(BalanceSign::Fields),
            "checkbalance" => Ok(BalanceSign::CheckBalance),
            other => Err(format!(
                "`{other}` is not a balance sign mode (fields, checkbalance)"
            )),
        }
    }
}

/// Signs a `|`-joined list of fields.
pub fn sign_fields(fields: &[&str]) -> String {
    let mut hasher = Sha1::new();
    for (i, field) in fields.iter().enumerate() {
        if i > 0 {
            hasher.update(b"|");
        }
        hasher.update(field.as_bytes());
    }
    URL_SAFE_NO_PAD.encode(hasher.finalize())
}

/// The sign of a transaction-type request (topup, inquiry, payment, status).
pub fn transaction_sign(
    brand: &str,
    member_id: &str,
    product: &str,
    dest: &str,
    ref_id: &str,
    pin: &str,
    api_key: &str,
) -> String {
    sign_fields(&[brand, member_id, product, dest, ref_id, pin, api_key])
}

/// The sign of the balance request, in the gateway's chosen mode.
pub fn balance_sign(
    mode: BalanceSign,
    brand: &str,
    member_id: &str,
    pin: &str,
    api_key: &str,
) -> String {
    match mode {
        BalanceSign::Fields => sign_fields(&[brand, member_id, "", "", "", pin, api_key]),
        BalanceSign::CheckBalance => sign_fields(&[brand, "CheckBalance", member_id, pin, api_key]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn otomax_published_vector() {
        let sign = transaction_sign(
            "OtomaX",
            "YUSUF",
            "X10",
            "08123456789",
            "2140669",
            "1144",
            "abcd",
        );
        assert_eq!(sign, "Cp9NLVuKWBt5Sey_uMlYsvnKvJI");
    }

    #[test]
    fn r_one_sign_is_27_url_safe_chars_and_depends_on_every_field() {
        let base = ["R-ONE", "DEMO", "T10", "087712345678", "L1", "0000", "demo"];
        let reference = sign_fields(&base);
        assert_eq!(reference.len(), 27);
        assert!(reference
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        for i in 0..base.len() {
            let mut changed = base;
            changed[i] = "x";
            assert_ne!(sign_fields(&changed), reference, "field {i} must be signed");
        }
    }

    #[test]
    fn balance_sign_modes_differ_and_fields_mode_is_the_empty_field_formula() {
        let fields = balance_sign(BalanceSign::Fields, BRAND, "DEMO", "0000", "demo");
        assert_eq!(
            fields,
            sign_fields(&["R-ONE", "DEMO", "", "", "", "0000", "demo"])
        );
        let check = balance_sign(BalanceSign::CheckBalance, BRAND, "DEMO", "0000", "demo");
        assert_eq!(
            check,
            sign_fields(&["R-ONE", "CheckBalance", "DEMO", "0000", "demo"])
        );
        assert_ne!(fields, check);
    }

    #[test]
    fn balance_sign_mode_parses_from_settings() {
        assert_eq!("fields".parse::<BalanceSign>(), Ok(BalanceSign::Fields));
        assert_eq!(
            "CheckBalance".parse::<BalanceSign>(),
            Ok(BalanceSign::CheckBalance)
        );
        assert!("md5".parse::<BalanceSign>().is_err());
    }
}
