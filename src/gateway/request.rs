//! Building the gateway's HTTP-GET calls (SPEC §1, the seed's request list).
//!
//! Pure: credentials and intent in, a URL out. The URL holds the `sign`, so
//! it is wrapped in a type whose `Debug`/`Display` redact it.

use std::fmt;
use std::sync::LazyLock;

use regex::Regex;

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

use super::sign::{balance_sign, transaction_sign, BalanceSign, BRAND};
use crate::secret::Secret;

/// Everything needed to sign and address calls for one reseller account.
/// Not `Serialize`: the store keeps its own record, with the PIN, key and
/// URL sealed.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    pub member_id: String,
    pub pin: Secret,
    pub api_key: Secret,
    /// Gateway base URL, e.g. `https://h2h.example.co.id` (no `/V1/...`).
    /// It may hold `user:password@` (a gateway behind basic auth): show it
    /// only through [`shown_url`].
    pub base_url: String,
    pub balance_sign: BalanceSign,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("member_id", &self.member_id)
            .field("pin", &self.pin)
            .field("api_key", &self.api_key)
            .field("base_url", &shown_url(&self.base_url))
            .field("balance_sign", &self.balance_sign)
            .finish()
    }
}

/// Which transaction-type call to make.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Operation {
    /// Prepaid topup: `qty=1`.
    Topup,
    /// Bill inquiry: `jenis=5`.
    Inquiry,
    /// Bill payment: `jenis=6`, same refID as the inquiry.
    Payment,
    /// Status check: `cek=1`, refID of the transaction asked about.
    Status,
}

impl Operation {
    fn name(self) -> &'static str {
        match self {
            Operation::Topup => "topup",
            Operation::Inquiry => "inquiry",
            Operation::Payment => "payment",
            Operation::Status => "status",
        }
    }

    fn extra_param(self) -> (&'static str, &'static str) {
        match self {
            Operation::Topup => ("qty", "1"),
            Operation::Inquiry => ("jenis", "5"),
            Operation::Payment => ("jenis", "6"),
            Operation::Status => ("cek", "1"),
        }
    }
}

/// Everything but RFC 3986 unreserved characters is percent-encoded.
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// A ready-to-send call. `url()` is for the HTTP client only; anything that
/// prints it gets the redacted form.
#[derive(Clone, PartialEq, Eq)]
pub struct GatewayRequest {
    url: String,
    operation: &'static str,
}

impl GatewayRequest {
    pub fn url(&self) -> &str {
        &self.url
    }

    /// What the call is: `topup`, `inquiry`, `payment`, `status` or
    /// `balance` (a metrics label; it names no account or customer).
    pub fn operation(&self) -> &'static str {
        self.operation
    }

    /// The URL with the `sign` value replaced by `***`: safe to log.
    pub fn redacted(&self) -> String {
        redact_url(&self.url)
    }
}

impl fmt::Debug for GatewayRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "GatewayRequest({})", self.redacted())
    }
}

impl fmt::Display for GatewayRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

/// Replaces the values of `sign`, `pin` and key-like query parameters in any
/// URL-ish text (a URL, an error message quoting one) with `***`, and the
/// password of any `scheme://user:password@` in it (see [`shown_url`]).
///
/// A parameter name counts wherever it does not continue a longer word
/// (`design=` is left alone): after `?`/`&`, but also after a quote
/// (`query: Some("sign=…")`), after `&amp;` in HTML, and percent-encoded
/// inside another URL (`%26sign%3D…`). Redacting too much is harmless;
/// too little leaks the sign.
pub fn redact_url(text: &str) -> String {
    static SECRET_PARAM: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r#"(?i)(^|%[0-9a-f]{2}|[^a-z0-9])((?:sign|pin|api[_-]?key|key)(?:=|%3d))[^&\s#)"'<>;,]*"#,
        )
        .expect("redaction regex")
    });
    shown_url(&SECRET_PARAM.replace_all(text, "${1}${2}***"))
}

/// A URL (or any text holding URLs) as loket shows, logs and journals it:
/// `http://user:pass@host` → `http://user:***@host`; a lone user part
/// (`https://TOKEN@host`, often a token) → `https://***@host`. Nothing
/// else changes, so a URL without credentials is shown as it is; applying
/// it twice gives the same text.
pub fn shown_url(text: &str) -> String {
    static USERINFO: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"(?i)\b([a-z][a-z0-9+.\-]*://)([^/?#\s"'<>]*)@"#).expect("userinfo regex")
    });
    USERINFO
        .replace_all(text, |caps: &regex::Captures<'_>| {
            let (scheme, userinfo) = (&caps[1], &caps[2]);
            match userinfo.split_once(':') {
                Some((user, _password)) => format!("{scheme}{user}:***@"),
                None => format!("{scheme}***@"),
            }
        })
        .into_owned()
}

fn endpoint(base_url: &str, path: &str) -> String {
    format!("{}/{}", base_url.trim_end_matches('/'), path)
}

fn encode(value: &str) -> percent_encoding::PercentEncode<'_> {
    utf8_percent_encode(value, QUERY_VALUE)
}

/// Builds a topup, inquiry, payment or status call. `product` and `dest` are
/// the values as sent (upper-cased product, `@` forms included): they are
/// signed raw and percent-encoded into the query.
pub fn transaction_request(
    creds: &Credentials,
    operation: Operation,
    product: &str,
    dest: &str,
    ref_id: &str,
) -> GatewayRequest {
    let sign = Secret::new(transaction_sign(
        BRAND,
        &creds.member_id,
        product,
        dest,
        ref_id,
        creds.pin.expose(),
        creds.api_key.expose(),
    ));
    let (extra, extra_value) = operation.extra_param();
    let url = format!(
        "{}?product={}&dest={}&refID={}&memberID={}&{extra}={extra_value}&sign={}",
        endpoint(&creds.base_url, "V1/http-get"),
        encode(product),
        encode(dest),
        encode(ref_id),
        encode(&creds.member_id),
        sign.expose(),
    );
    GatewayRequest {
        url,
        operation: operation.name(),
    }
}

/// Builds the balance call.
pub fn balance_request(creds: &Credentials) -> GatewayRequest {
    let sign = balance_sign(
        creds.balance_sign,
        BRAND,
        &creds.member_id,
        creds.pin.expose(),
        creds.api_key.expose(),
    );
    let url = format!(
        "{}?memberID={}&sign={}",
        endpoint(&creds.base_url, "V1/http-get/balance"),
        encode(&creds.member_id),
        sign
    );
    GatewayRequest {
        url,
        operation: "balance",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn creds() -> Credentials {
        Credentials {
            member_id: "DEMO".into(),
            pin: Secret::new("0000"),
            api_key: Secret::new("demo"),
            base_url: "http://127.0.0.1:9/".into(),
            balance_sign: BalanceSign::Fields,
        }
    }

    #[test]
    fn redaction_hides_sign_everywhere_it_is_printed() {
        let req = transaction_request(&creds(), Operation::Topup, "T10", "087712345678", "L1");
        let sign = req.url().split("sign=").nth(1).unwrap().to_string();
        assert_eq!(sign.len(), 27);
        for shown in [format!("{req:?}"), format!("{req}"), req.redacted()] {
            assert!(!shown.contains(&sign), "{shown}");
            assert!(shown.contains("sign=***"), "{shown}");
        }
    }

    #[test]
    fn redact_url_handles_several_secret_params_and_leaves_others() {
        let text = "error sending request for url (http://x/V1/http-get?product=T1&pin=1234&sign=abc&refID=Q)";
        assert_eq!(
            redact_url(text),
            "error sending request for url (http://x/V1/http-get?product=T1&pin=***&sign=***&refID=Q)"
        );
        assert_eq!(redact_url("design=ok"), "design=ok");
    }

    #[test]
    fn a_password_in_a_gateway_url_is_never_shown() {
        for (url, shown) in [
            ("http://user:Sup3rPass@host", "http://user:***@host"),
            ("http://agen:p@ss@host/x", "http://agen:***@host/x"),
            (
                "https://agen:p%40ss:w0rd@h2h.example.co.id:8443/api",
                "https://agen:***@h2h.example.co.id:8443/api",
            ),
            (
                "https://TOKEN123@h2h.example.co.id",
                "https://***@h2h.example.co.id",
            ),
            ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
            ("http://host/path?to=a@b", "http://host/path?to=a@b"),
            (
                "see (http://u:p@x/V1/http-get?sign=abc)",
                "see (http://u:***@x/V1/http-get?sign=abc)",
            ),
        ] {
            assert_eq!(shown_url(url), shown, "{url}");
            assert_eq!(shown_url(shown), shown, "idempotent: {shown}");
        }
        let mut c = creds();
        c.base_url = "http://agen:Sup3rPass@127.0.0.1:9".into();
        let req = balance_request(&c);
        assert!(req.url().contains("Sup3rPass"), "the client needs it");
        for shown in [format!("{req:?}"), format!("{req}"), format!("{c:?}")] {
            assert!(!shown.contains("Sup3rPass"), "{shown}");
        }
        assert!(req.redacted().starts_with("http://agen:***@127.0.0.1:9/"));
    }

    #[test]
    fn base_url_with_path_and_trailing_slash_is_joined_once() {
        let mut c = creds();
        c.base_url = "https://h2h.example.co.id/api/".into();
        let req = balance_request(&c);
        assert!(req
            .url()
            .starts_with("https://h2h.example.co.id/api/V1/http-get/balance?memberID=DEMO&sign="));
    }
}
