//! The sandbox's side of the wire format: reading a request's query into a
//! typed call. Writing the reply is the dialect's (`dialect.rs`).
//!
//! Owns: parameter names, their validation, R-ONE's verbs and the refusal
//! wording. Must not: touch balances or the ledger, or know about HTTP.

/// Refusal reasons, before a dialect writes them.
pub(super) const MISSING_PARAMS: &str = "parameter tidak lengkap";
pub(super) const BAD_SIGN: &str = "sign tidak valid";
pub(super) const UNKNOWN_MEMBER: &str = "member tidak terdaftar";
/// Must say "not found": the bot tells it apart from a failed transaction.
pub(super) const NOT_FOUND: &str = "transaksi tidak ditemukan";

/// The longest value accepted for any identifying parameter.
const MAX_VALUE_LEN: usize = 64;

/// Which transaction-type call a request is, from its one extra parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Op {
    /// `qty=1`.
    Topup,
    /// `jenis=5`.
    Inquiry,
    /// `jenis=6`.
    Payment,
    /// `cek=1`.
    Status,
}

impl Op {
    /// The verb that starts this call's reply line in R-ONE's dialect.
    pub(super) fn verb(self) -> &'static str {
        match self {
            Op::Topup => "TRX",
            Op::Inquiry => "CEK",
            Op::Payment => "BAYAR",
            Op::Status => "STATUS",
        }
    }
}

/// A query string, decoded (`%40` → `@`, `+` → space).
#[derive(Debug, Clone, Default)]
pub(super) struct Params(Vec<(String, String)>);

impl Params {
    pub(super) fn parse(raw: Option<&str>) -> Params {
        Params(
            url::form_urlencoded::parse(raw.unwrap_or("").as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }

    /// The value of `name`; a parameter given twice counts as invalid.
    fn one(&self, name: &str) -> Result<Option<&str>, ()> {
        let mut found = self.0.iter().filter(|(k, _)| k == name);
        match (found.next(), found.next()) {
            (Some((_, v)), None) => Ok(Some(v)),
            (None, _) => Ok(None),
            (Some(_), Some(_)) => Err(()),
        }
    }

    /// Who the request says it is from (`memberID` as given, even if it is
    /// invalid; empty when missing or doubled), for counting calls in flight.
    pub(super) fn member(&self) -> String {
        self.one("memberID")
            .ok()
            .flatten()
            .unwrap_or_default()
            .to_string()
    }

    /// The operation the request asks for, if exactly one is given right.
    pub(super) fn op(&self) -> Option<Op> {
        let given: Vec<Op> = [
            ("qty", "1", Op::Topup),
            ("jenis", "5", Op::Inquiry),
            ("jenis", "6", Op::Payment),
            ("cek", "1", Op::Status),
        ]
        .iter()
        .filter(|(name, value, _)| self.one(name) == Ok(Some(*value)))
        .map(|(_, _, op)| *op)
        .collect();
        let op_params = self
            .0
            .iter()
            .filter(|(k, _)| matches!(k.as_str(), "qty" | "jenis" | "cek"))
            .count();
        match given.as_slice() {
            [op] if op_params == 1 => Some(*op),
            _ => None,
        }
    }

    fn value(&self, name: &str, allowed: fn(u8) -> bool) -> Result<String, ()> {
        match self.one(name)? {
            Some(v) if !v.is_empty() && v.len() <= MAX_VALUE_LEN && v.bytes().all(allowed) => {
                Ok(v.to_string())
            }
            _ => Err(()),
        }
    }
}

fn code_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'@'
}

fn dest_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'@' | b'-' | b'_')
}

fn id_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_')
}

fn sign_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'=' | b'+' | b'/')
}

/// A well-formed topup, inquiry, payment or status call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct TxCall {
    pub op: Op,
    pub product: String,
    pub dest: String,
    pub ref_id: String,
    pub member_id: String,
    pub sign: String,
}

impl TxCall {
    pub(super) fn from_params(params: &Params) -> Option<TxCall> {
        Some(TxCall {
            op: params.op()?,
            product: params.value("product", code_byte).ok()?,
            dest: params.value("dest", dest_byte).ok()?,
            ref_id: params.value("refID", id_byte).ok()?,
            member_id: params.value("memberID", id_byte).ok()?,
            sign: params.value("sign", sign_byte).ok()?,
        })
    }
}

/// A well-formed balance call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct BalanceCall {
    pub member_id: String,
    pub sign: String,
}

impl BalanceCall {
    pub(super) fn from_params(params: &Params) -> Option<BalanceCall> {
        Some(BalanceCall {
            member_id: params.value("memberID", id_byte).ok()?,
            sign: params.value("sign", sign_byte).ok()?,
        })
    }
}

/// Compares two signs without stopping at the first difference.
pub(super) fn same_sign(expected: &str, given: &str) -> bool {
    expected.len() == given.len()
        && expected
            .bytes()
            .zip(given.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(query: &str) -> Option<TxCall> {
        TxCall::from_params(&Params::parse(Some(query)))
    }

    #[test]
    fn reads_each_operation_from_its_one_extra_parameter() {
        let base = "product=T1&dest=0812&refID=R1&memberID=DEMO&sign=abc";
        let cases = [
            ("qty=1", Some(Op::Topup)),
            ("jenis=5", Some(Op::Inquiry)),
            ("jenis=6", Some(Op::Payment)),
            ("cek=1", Some(Op::Status)),
            ("qty=2", None),
            ("jenis=7", None),
            ("qty=1&cek=1", None),
            ("jenis=5&jenis=6", None),
            ("", None),
        ];
        for (extra, want) in cases {
            assert_eq!(
                call(&format!("{base}&{extra}")).map(|c| c.op),
                want,
                "{extra}"
            );
        }
    }

    #[test]
    fn decodes_percent_encoded_values() {
        let c =
            call("product=BPJSKS&dest=000123%404&refID=R1&memberID=DEMO&jenis=5&sign=x").unwrap();
        assert_eq!(c.dest, "000123@4");
    }

    #[test]
    fn missing_empty_doubled_or_odd_values_are_refused() {
        let cases = [
            "dest=0812&refID=R1&memberID=DEMO&qty=1&sign=x",
            "product=&dest=0812&refID=R1&memberID=DEMO&qty=1&sign=x",
            "product=T1&dest=0812&refID=R1&refID=R2&memberID=DEMO&qty=1&sign=x",
            "product=T1&dest=08+12&refID=R1&memberID=DEMO&qty=1&sign=x",
            "product=T1.5&dest=0812&refID=R1&memberID=DEMO&qty=1&sign=x",
            "product=T1&dest=0812&refID=R1&memberID=DEMO&qty=1",
        ];
        for query in cases {
            assert_eq!(call(query), None, "{query}");
        }
    }

    #[test]
    fn sign_comparison_needs_equal_length_and_bytes() {
        assert!(same_sign("abc", "abc"));
        assert!(!same_sign("abc", "abd"));
        assert!(!same_sign("abc", "ab"));
    }
}
