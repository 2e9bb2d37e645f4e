//! Reading the gateway's plain-text replies (SPEC §1 "Replies").
//!
//! Shape: `VERB PRODUCT.DEST STATUS[, reason][ KEY:value …][.]`, plus the
//! balance line `saldo=<n>  @ <timestamp>`. Anything that fits neither —
//! HTML, an empty body, a proxy error page — is `Unknown`, which for a topup
//! or payment means "may have been charged", never "failed".
//! Pure: text in, typed value out; never panics on any input.

use std::sync::LazyLock;

use regex::Regex;

use crate::money::Rupiah;

/// What the gateway says happened.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
pub enum TxStatus {
    Success,
    Failed,
    Pending,
    /// The reply could not be read: nothing can be concluded from it. The
    /// default, so an empty `GatewayReply` never claims success or failure.
    #[default]
    Unknown,
}

/// A parsed transaction-type reply. Every field but `status` and `raw` is
/// optional because gateways omit what they like.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct GatewayReply {
    pub verb: Option<String>,
    pub product: Option<String>,
    pub dest: Option<String>,
    pub status: TxStatus,
    pub reason: Option<String>,
    /// `HRG`: what the reseller was charged.
    pub price: Option<Rupiah>,
    pub sn: Option<String>,
    /// `DATA`: the customer's name on a bill.
    pub name: Option<String>,
    pub bill: Option<Rupiah>,
    pub admin: Option<Rupiah>,
    pub ref_id: Option<String>,
    /// Every `KEY:value` pair in order, including the ones above.
    pub fields: Vec<(String, String)>,
    pub raw: String,
}

impl GatewayReply {
    /// An unreadable reply, keeping the raw text for the journal.
    pub fn unknown(raw: impl Into<String>) -> GatewayReply {
        GatewayReply {
            raw: raw.into(),
            ..GatewayReply::default()
        }
    }

    /// The bill total: bill plus admin, when the gateway sent both.
    pub fn bill_total(&self) -> Option<Rupiah> {
        match (self.bill, self.admin) {
            (Some(bill), Some(admin)) => bill.checked_add(admin),
            (Some(bill), None) => Some(bill),
            _ => None,
        }
    }

    /// True when a status-check answer says "no such transaction" rather than
    /// "the transaction failed": the two must never be confused.
    ///
    /// "Not found" alone is not enough: `IDPEL tidak ditemukan` or `nomor
    /// tujuan tidak ditemukan` is a transaction that failed because the
    /// customer number was not found. See [`says_no_such_transaction`].
    pub fn is_not_found(&self) -> bool {
        self.status == TxStatus::Failed
            && self.reason.as_deref().is_some_and(says_no_such_transaction)
    }

    /// True when this is the inquiry's line (`DATA:… TAGIHAN:… ADMIN:…`,
    /// no `HRG`), as a status check echoes it until the payment lands
    /// (SPEC §1): "payment not recorded yet", never "payment succeeded",
    /// whatever its status word says.
    pub fn is_inquiry_echo(&self) -> bool {
        let has = |keys: &[&str]| keys.iter().any(|k| self.field(k).is_some());
        self.verb.as_deref() != Some("BAYAR")
            && !has(&["HRG", "HARGA", "PRICE"])
            && has(&["DATA", "NAMA", "NAME", "TAGIHAN", "BILL", "ADMIN"])
    }

    /// True when the reply names this product and destination in its
    /// head (`STATUS PLNPASC.546302215889 …`), as a status echo does.
    pub fn is_about(&self, product: &str, dest: &str) -> bool {
        self.product
            .as_deref()
            .is_some_and(|p| p.eq_ignore_ascii_case(product))
            && self
                .dest
                .as_deref()
                .is_some_and(|d| d.eq_ignore_ascii_case(dest))
    }

    pub fn field(&self, key: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.as_str())
    }
}

/// Subjects that make a "not found" about something other than the
/// transaction (the customer number, the product, the bill, the account).
const OTHER_SUBJECTS: &[&str] = &[
    "nomor",
    "no",
    "tujuan",
    "pelanggan",
    "idpel",
    "id",
    "produk",
    "product",
    "kode",
    "code",
    "customer",
    "meter",
    "tagihan",
    "bill",
    "nopol",
    "plat",
    "va",
    "number",
    "rekening",
    "akun",
    "account",
    "member",
    "user",
];

/// Words that name the transaction itself.
const TRANSACTION_WORDS: &[&str] = &["transaksi", "trx", "transaction", "refid", "ref", "trxid"];

const NOT_FOUND_PHRASES: &[&str] = &[
    "tidak ditemukan",
    "tdk ditemukan",
    "not found",
    "tidak terdaftar",
    "tidak ada transaksi",
    "belum ada transaksi",
    "no transaction",
    "no such transaction",
];

/// Whether a failure reason says the gateway has no such transaction.
///
/// The reason is read clause by clause (split at `,;.:`): a clause counts
/// when it holds a not-found phrase and either names the transaction
/// (`transaksi`, `trx`, `refID`) or names no other subject (`data tidak
/// ditemukan`, `not found`). `Transaksi gagal, nomor tidak ditemukan` is a
/// failure: its not-found clause is about the number.
pub fn says_no_such_transaction(reason: &str) -> bool {
    let lower = reason.to_lowercase();
    lower.split([',', ';', '.', ':']).any(|clause| {
        let words = Words::of(clause);
        words.has_phrase(NOT_FOUND_PHRASES)
            && (words.names(TRANSACTION_WORDS) || !words.names(OTHER_SUBJECTS))
    })
}

/// The alphanumeric words of lower-cased reason text, for matching whole
/// words and whole phrases (`tidak ditemukan` never matches inside
/// `ditemukannya`).
struct Words<'a> {
    words: Vec<&'a str>,
    /// The words joined by single spaces, with a space at each end.
    spaced: String,
}

impl<'a> Words<'a> {
    fn of(lower: &'a str) -> Words<'a> {
        let words: Vec<&str> = lower
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .collect();
        let spaced = format!(" {} ", words.join(" "));
        Words { words, spaced }
    }

    fn names(&self, list: &[&str]) -> bool {
        self.words.iter().any(|w| list.contains(w))
    }

    fn has_phrase(&self, phrases: &[&str]) -> bool {
        phrases
            .iter()
            .any(|p| self.spaced.contains(&format!(" {p} ")))
    }
}

/// Words of a failure reason that is about the request, the account or the
/// gateway itself (a bad sign, an unknown member, a blocked IP, maintenance)
/// rather than the transaction's own outcome.
const REQUEST_WORDS: &[&str] = &[
    "sign",
    "signature",
    "pin",
    "password",
    "member",
    "memberid",
    "ip",
    "akses",
    "access",
    "apikey",
    "key",
    "token",
    "parameter",
    "param",
    "maintenance",
    "gangguan",
    "server",
    "timeout",
    "koneksi",
    "connection",
    "sibuk",
    "busy",
    "limit",
];

/// Phrases saying the refID is already taken: the earlier send of the same
/// intent exists, which is no verdict on it.
const DUPLICATE_PHRASES: &[&str] = &[
    "sudah ada",
    "sudah digunakan",
    "sudah dipakai",
    "pernah dipakai",
    "duplikat",
    "duplicate",
    "double",
    "already",
    "sedang diproses",
    "masih diproses",
    "in process",
];

/// Whether a failure reason says the refID is already known (the earlier
/// send of the same intent exists): no verdict on that send.
pub fn says_ref_taken(reason: &str) -> bool {
    Words::of(&reason.to_lowercase()).has_phrase(DUPLICATE_PHRASES)
}

/// Whether a failure reason gives no verdict on an earlier send of the
/// same refID: the request itself was refused (see `REQUEST_WORDS`) or the
/// refID is already known. Such a `GAGAL` must never mark a call that may
/// have been charged as failed.
pub fn says_no_verdict(reason: &str) -> bool {
    let lower = reason.to_lowercase();
    let words = Words::of(&lower);
    words.names(REQUEST_WORDS) || words.has_phrase(DUPLICATE_PHRASES)
}

/// `VERB PRODUCT.DEST rest`, on one line. Product codes are letters, digits
/// and an `@` form; destinations are numbers, plates and `@` forms: markup
/// or prose in either place is not a reply.
static HEAD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^([A-Za-z]+)[ \t]+([A-Za-z0-9@_-]+)\.([A-Za-z0-9@_./+-]+)[ \t]+(.+)$")
        .expect("head regex")
});

/// A status word at the start of the text. ASCII-only case-insensitivity:
/// with Unicode folding `ſukſeſ` or a Kelvin sign would pass for a word.
static STATUS_WORD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i-u)^(sedang[ \t]+diproses|sukses|berhasil|success|gagal|failed|diproses|proses|pending|menunggu)\b",
    )
    .expect("status regex")
});

/// A field key: an upper-case word right before a colon.
static FIELD_KEY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?:^|\s)([A-Z][A-Z0-9_]{0,15}):").expect("key regex"));

static BALANCE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?i-u:saldo)\s*[=:]\s*(-?[0-9][0-9.,]*)(?:\s*@\s*(.+?))?\s*$")
        .expect("balance regex")
});

/// The status a matched status word names. Anything else is `Unknown`:
/// a word this list does not know must never become `Pending` by default.
fn status_of(word: &str) -> TxStatus {
    let w = word.to_ascii_lowercase();
    let w = w.split_whitespace().collect::<Vec<_>>().join(" ");
    match w.as_str() {
        "sukses" | "berhasil" | "success" => TxStatus::Success,
        "gagal" | "failed" => TxStatus::Failed,
        "pending" | "proses" | "diproses" | "sedang diproses" | "menunggu" => TxStatus::Pending,
        _ => TxStatus::Unknown,
    }
}

/// Parses a topup, inquiry, payment or status reply.
///
/// Only two shapes are read: `VERB PRODUCT.DEST STATUS[, reason][ KEY:value …][.]`
/// and a bare `STATUS[, reason][.]`, each on one line. Anything else —
/// a status word followed by prose, several lines, control characters —
/// is `Unknown`: the status is never guessed from text that merely
/// contains a status word.
pub fn parse_reply(text: &str) -> GatewayReply {
    let raw = text.to_string();
    let trimmed = text.trim_start_matches('\u{feff}').trim();
    if trimmed.is_empty() || trimmed.chars().any(|c| c.is_control() && c != '\t') {
        return GatewayReply::unknown(raw);
    }
    let head = HEAD
        .captures(trimmed)
        .filter(|c| c.get(4).is_some_and(|m| STATUS_WORD.is_match(m.as_str())));
    let (verb, product, dest, rest, fields_allowed) = match head {
        Some(c) => (
            Some(c[1].to_ascii_uppercase()),
            Some(c[2].to_string()),
            Some(c[3].to_string()),
            c.get(4).map_or("", |m| m.as_str()),
            true,
        ),
        // A bare `STATUS[, reason]` line, as some gateways send for errors.
        None => (None, None, None, trimmed, false),
    };
    let Some(status_match) = STATUS_WORD.find(rest) else {
        return GatewayReply::unknown(raw);
    };
    let status = status_of(status_match.as_str());
    if status == TxStatus::Unknown {
        return GatewayReply::unknown(raw);
    }
    let Some((reason_text, fields_text)) = split_tail(&rest[status_match.end()..], fields_allowed)
    else {
        return GatewayReply::unknown(raw);
    };
    let reason = clean_value(reason_text);

    let keys: Vec<(usize, usize, String)> = FIELD_KEY
        .captures_iter(fields_text)
        .filter_map(|c| {
            let whole = c.get(0)?;
            let key = c.get(1)?;
            Some((whole.start(), whole.end(), key.as_str().to_string()))
        })
        .collect();

    let mut reply = GatewayReply {
        verb,
        product,
        dest,
        status,
        reason: (!reason.is_empty()).then_some(reason),
        raw,
        ..GatewayReply::default()
    };
    for (i, (_, value_start, key)) in keys.iter().enumerate() {
        let value_end = keys.get(i + 1).map_or(fields_text.len(), |next| next.0);
        let value = clean_value(&fields_text[*value_start..value_end]);
        match key.as_str() {
            "HRG" | "HARGA" | "PRICE" => reply.price = parse_gateway_amount(&value),
            "SN" => reply.sn = (!value.is_empty()).then(|| value.clone()),
            "DATA" | "NAMA" | "NAME" => reply.name = (!value.is_empty()).then(|| value.clone()),
            "TAGIHAN" | "BILL" => reply.bill = parse_gateway_amount(&value),
            "ADMIN" => reply.admin = parse_gateway_amount(&value),
            "REFID" => reply.ref_id = (!value.is_empty()).then(|| value.clone()),
            _ => {}
        }
        reply.fields.push((key.clone(), value));
    }
    reply
}

/// Splits what follows the status word into `(reason, KEY:value text)`.
///
/// After a head it may be `[, reason][ KEY:value …][.]`; on a bare line only
/// `[, reason][.]`. `None` when it is neither (`SUKSES blah`, `GAGAL: x`),
/// so the caller answers `Unknown`.
fn split_tail(tail: &str, fields_allowed: bool) -> Option<(&str, &str)> {
    if tail.is_empty() || tail == "." {
        return Some(("", ""));
    }
    if let Some(rest) = tail.strip_prefix(',') {
        let reason_end = if fields_allowed {
            FIELD_KEY.find(rest).map_or(rest.len(), |m| m.start())
        } else {
            rest.len()
        };
        return Some(rest.split_at(reason_end));
    }
    let rest = tail.trim_start_matches([' ', '\t']);
    if rest.len() == tail.len() {
        return None;
    }
    if rest == "." {
        return Some(("", ""));
    }
    let starts_with_field = FIELD_KEY.find(rest).is_some_and(|m| m.start() == 0);
    (fields_allowed && starts_with_field).then_some(("", rest))
}

/// Trims whitespace and one closing `.`.
fn clean_value(text: &str) -> String {
    let t = text.trim();
    t.strip_suffix('.').unwrap_or(t).trim_end().to_string()
}

/// `302750`, `302.750`, `302,750`, `Rp302.750` or `Rp. 302.750` from a
/// gateway, possibly negative (`-2.500`, or `-Rp2.500` as `Rupiah` shows
/// it). Separators must group by three: `2.00` or `1.000,50` is `None`.
pub fn parse_gateway_amount(text: &str) -> Option<Rupiah> {
    let t = text.trim();
    let (negative, t) = match t.strip_prefix('-') {
        Some(rest) => (true, rest.trim_start()),
        None => (false, t),
    };
    let t = match t.strip_prefix("Rp").or_else(|| t.strip_prefix("RP")) {
        Some(rest) => rest.strip_prefix('.').unwrap_or(rest).trim_start(),
        None => t,
    };
    if t.is_empty()
        || !t
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b'.' || b == b',')
    {
        return None;
    }
    let magnitude = if t.bytes().all(|b| b.is_ascii_digit()) {
        Rupiah::parse_plain(t)?
    } else {
        parse_grouped(t)?
    };
    Some(if negative {
        Rupiah(-magnitude.value())
    } else {
        magnitude
    })
}

/// `1.250.000` or `1,250,000`: one separator, groups of three.
fn parse_grouped(t: &str) -> Option<Rupiah> {
    for sep in ['.', ','] {
        let mut groups = t.split(sep);
        let first = groups.next()?;
        let rest: Vec<&str> = groups.collect();
        let well_grouped = !rest.is_empty()
            && (1..=3).contains(&first.len())
            && first.bytes().all(|b| b.is_ascii_digit())
            && rest
                .iter()
                .all(|g| g.len() == 3 && g.bytes().all(|b| b.is_ascii_digit()));
        if well_grouped {
            return Rupiah::parse_plain(&t.replace(sep, ""));
        }
    }
    None
}

/// The balance call's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BalanceReply {
    Balance {
        amount: Rupiah,
        at: Option<String>,
    },
    /// The gateway refused (bad sign, unknown member…), with its reason.
    Refused {
        reason: String,
    },
    Unknown {
        raw: String,
    },
}

/// Parses `saldo=1000000  @ 2026-04-21 11:00:00`.
pub fn parse_balance(text: &str) -> BalanceReply {
    let trimmed = text.trim_start_matches('\u{feff}').trim();
    if let Some(c) = BALANCE.captures(trimmed) {
        if let Some(amount) = parse_gateway_amount(&c[1]) {
            return BalanceReply::Balance {
                amount,
                at: c.get(2).map(|m| m.as_str().to_string()),
            };
        }
    }
    let reply = parse_reply(trimmed);
    if reply.status == TxStatus::Failed {
        return BalanceReply::Refused {
            reason: reply.reason.unwrap_or_default(),
        };
    }
    BalanceReply::Unknown {
        raw: text.to_string(),
    }
}
