//! Reading the gateway's plain-text replies (SPEC §1 "Replies" and "Other
//! centers' dialects").
//!
//! Owns: turning one reply text into a [`GatewayReply`]: which calls it
//! names ([`Mention`]s: `PRODUCT.DEST`, `R#REFID`, `REFID:…`, `refid=…`),
//! the status phrase that follows each, the fields in their common forms
//! (SN, price, reason, balance, bill), and the balance call's answer.
//! Must not: decide what a reply means for the journal — that is
//! [`super::verdict`] — or read anything but the text it is given.
//!
//! Reply texts are templates each center configures (FIELD.md), so the
//! reader knows the recurring pieces rather than one shape:
//!
//! - R-ONE (the seed): `TRX T1.089652137194 SUKSES, HRG:2000 SN:ABC REFID:TEST-1.`
//! - OtomaX templates seen in public center documentation:
//!   `T#41168891 R#1234 S5.082280004280 SUKSES. SN/Ref: R210630.2203.210045. Saldo 10.795.667 - 1.275 = 10.794.392 @30/06 22:03`,
//!   `R#112716622 FF5.322175, status GAGAL. Wrong player id. Sisa saldo 5121475`,
//!   `status=1&message=Transaksi DN50.081234567890 Harga=50.090 akan diproses..`
//!
//! A reply is only ever *about a call* through [`GatewayReply::status_for`]:
//! it must name the call and no other. Anything unreadable — HTML, several
//! lines, JSON, an empty body — is `Unknown`, which for a topup or payment
//! means "may have been charged", never "failed". Pure; never panics.

use std::sync::LazyLock;

use regex::Regex;

use super::rules::ReplyRules;
use crate::money::Rupiah;

/// What a reply's status phrase says happened.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
pub enum TxStatus {
    Success,
    Failed,
    Pending,
    /// Nothing can be concluded. The default, so an empty `GatewayReply`
    /// never claims success or failure.
    #[default]
    Unknown,
}

/// The call a reply is read against: what loket sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Call<'a> {
    pub product: &'a str,
    pub dest: &'a str,
    pub ref_id: &'a str,
}

/// Something in a reply that may name a call.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Mention {
    /// `PRODUCT.DEST`, with the status phrase that follows it, if any.
    Call {
        product: String,
        dest: String,
        status: Option<TxStatus>,
    },
    /// `REFID:X`, `REFID=X`, `refid=X`: a refID field. Another call's refID
    /// here makes the reply not about this call.
    RefField { ref_id: String },
    /// `R#X`, `T#X`, `RefId : X`: the reseller's refID or the center's own
    /// number. Anchors when it is the call's refID; otherwise neutral.
    RefTag {
        value: String,
        status: Option<TxStatus>,
    },
}

/// Whether a reply is about a given call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum About {
    /// It names this call and no other.
    ThisCall,
    /// It names another product, number or refID.
    OtherCall,
    /// It names no call at all (a bare `GAGAL, reason` line, prose, HTML).
    Unanchored,
}

/// A parsed reply. Every field but `status` and `raw` is optional because
/// gateways omit what they like.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct GatewayReply {
    /// The word before the first `PRODUCT.DEST` when the line starts so
    /// (`TRX`, `CEK`, `BAYAR`, `STATUS`), upper-cased.
    pub verb: Option<String>,
    /// The first `PRODUCT.DEST` the reply names.
    pub product: Option<String>,
    pub dest: Option<String>,
    /// What the text says, read without a call: the first status phrase
    /// after a mention, or a bare line's status word. Verdicts use
    /// [`GatewayReply::status_for`], never this.
    pub status: TxStatus,
    /// A numeric status code (`status=20`), where the center sends one.
    pub code: Option<u16>,
    pub reason: Option<String>,
    /// What the reseller was charged (`HRG:`, `Harga=`, `price=`, or the
    /// middle of `Saldo A - B = C`).
    pub cost: Option<Rupiah>,
    pub sn: Option<String>,
    /// The customer's name on a bill (`DATA:`, `Nama:`).
    pub name: Option<String>,
    pub bill: Option<Rupiah>,
    pub admin: Option<Rupiah>,
    /// The `REFID:` field's value.
    pub ref_id: Option<String>,
    /// The balance after the call (`Saldo A - B = C`, `Sisa saldo N`).
    pub balance: Option<Rupiah>,
    /// Every `KEY:value` / `KEY=value` pair in order.
    pub fields: Vec<(String, String)>,
    pub mentions: Vec<Mention>,
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

    /// Whether the reply names this call and no other (SPEC §1).
    ///
    /// A `PRODUCT.DEST` matches in any case, with or without its `@` part;
    /// a refID matches after `R#`, `T#`, `RefId :`, `REFID:` or `refid=`.
    /// A `PRODUCT.DEST` of another product or number, or a refID field
    /// holding another refID, makes the reply about another call. Numbers
    /// after `T#`, `R#` or `RefId :` that are not the refID are the
    /// center's own references: neutral.
    pub fn about(&self, call: &Call<'_>) -> About {
        let mut named = false;
        for mention in &self.mentions {
            match mention_of(mention, call) {
                Some(true) => named = true,
                Some(false) => return About::OtherCall,
                None => {}
            }
        }
        if named {
            About::ThisCall
        } else {
            About::Unanchored
        }
    }

    /// What the reply says about this call: the status phrase after each
    /// mention of the call (and the status code) when all of them agree.
    /// Not about this call, no status next to it, or two different
    /// verdicts: `Unknown`, never guessed.
    pub fn status_for(&self, call: &Call<'_>) -> TxStatus {
        if self.about(call) != About::ThisCall {
            return TxStatus::Unknown;
        }
        let mut said = self
            .mentions
            .iter()
            .filter(|m| mention_of(m, call) == Some(true))
            .filter_map(|m| match m {
                Mention::Call { status, .. } | Mention::RefTag { status, .. } => *status,
                Mention::RefField { .. } => None,
            })
            .chain(self.code.and_then(code_status));
        let Some(first) = said.next() else {
            return TxStatus::Unknown;
        };
        if said.all(|s| s == first) {
            first
        } else {
            TxStatus::Unknown
        }
    }

    /// A bare status line naming no call (`GAGAL, sign tidak valid.`): the
    /// gateway refusing the request itself.
    pub fn is_bare(&self) -> bool {
        self.mentions.is_empty() && self.status != TxStatus::Unknown
    }

    /// True when a failure's reason says "no such transaction" rather than
    /// "the transaction failed": the two must never be confused.
    pub fn is_not_found(&self) -> bool {
        self.status == TxStatus::Failed
            && self.reason.as_deref().is_some_and(says_no_such_transaction)
    }

    /// True when this is a bill inquiry's line (`DATA:… TAGIHAN:…`, no
    /// price and no SN), as a status check echoes it until the payment
    /// lands (SPEC §1): "payment not recorded yet", never "paid".
    pub fn is_inquiry_echo(&self) -> bool {
        !self.is_payment_line() && (self.name.is_some() || self.bill.is_some())
    }

    /// True when the line can only be a payment's: it shows a price or an
    /// SN, or uses a payment verb (`BAYAR`, `PAY`). An inquiry's line or a
    /// bare `SUKSES.` is not one.
    pub fn is_payment_line(&self) -> bool {
        let verb_pays = self
            .verb
            .as_deref()
            .is_some_and(|v| PAYMENT_VERBS.contains(&v));
        self.cost.is_some_and(|p| p.value() > 0) || self.sn.is_some() || verb_pays
    }

    pub fn field(&self, key: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.as_str())
    }
}

const PAYMENT_VERBS: &[&str] = &["BAYAR", "PAY", "PAYMENT", "PEMBAYARAN"];

/// `Some(true)` when the mention names the call, `Some(false)` when it
/// names another, `None` when it is neutral.
fn mention_of(mention: &Mention, call: &Call<'_>) -> Option<bool> {
    match mention {
        Mention::Call { product, dest, .. } => {
            if same_code(product, call.product) && same_code(dest, call.dest) {
                Some(true)
            } else if looks_like_call(product, dest) {
                Some(false)
            } else {
                None
            }
        }
        Mention::RefField { ref_id } => Some(ref_id.eq_ignore_ascii_case(call.ref_id)),
        Mention::RefTag { value, .. } => value.eq_ignore_ascii_case(call.ref_id).then_some(true),
    }
}

/// Equal in any case, or equal once an `@` part is left off one side
/// (`BPJSKS.0001234567890` for a call to `0001234567890@3`).
fn same_code(said: &str, sent: &str) -> bool {
    let base = |s: &str| s.split('@').next().unwrap_or("").to_string();
    said.eq_ignore_ascii_case(sent)
        || (!said.contains('@') && said.eq_ignore_ascii_case(&base(sent)))
}

/// Abbreviations that stand before a dot in prose (`Rp.10.000`, `No.123`).
const NOT_PRODUCTS: &[&str] = &[
    "RP", "NO", "JL", "JLN", "HP", "TGL", "TN", "NY", "DR", "ST", "PT", "CV", "REF", "SN", "ID",
    "VA", "TRX", "SLD", "KET", "IDR", "WWW", "HTTP", "HTTPS", "NOMOR",
];

/// Whether a `PRODUCT.DEST` that is not the call's looks like a call at
/// all (so it disqualifies the reply): a product code — letters and digits,
/// or three or more capital letters — and a destination of four or more
/// characters with a digit. `No.123`, `Rp.10.000`, `hello.world` or an
/// unlabelled serial `BSK.AFULP` are not calls.
fn looks_like_call(product: &str, dest: &str) -> bool {
    let code = product.split('@').next().unwrap_or("");
    if code.is_empty() || NOT_PRODUCTS.iter().any(|p| p.eq_ignore_ascii_case(code)) {
        return false;
    }
    let has_digit = code.bytes().any(|b| b.is_ascii_digit());
    let capitals = code.len() >= 3 && code.bytes().all(|b| b.is_ascii_uppercase());
    let dest_has_digit = dest.bytes().any(|b| b.is_ascii_digit());
    (has_digit || capitals) && dest.len() >= 4 && dest_has_digit
}

/// OtomaX-family report codes (FIELD.md; unofficial but consistent).
pub fn code_status(code: u16) -> Option<TxStatus> {
    match code {
        20 => Some(TxStatus::Success),
        40 | 45 | 47 | 50 | 52 | 53 | 56 => Some(TxStatus::Failed),
        1 | 2 => Some(TxStatus::Pending),
        _ => None,
    }
}

// ---------------------------------------------------------------------------
// Reason vocabulary
// ---------------------------------------------------------------------------

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

/// The alphanumeric words of lower-cased text, for matching whole words
/// and whole phrases (`tidak ditemukan` never matches inside
/// `ditemukannya`).
pub(super) struct Words<'a> {
    words: Vec<&'a str>,
    /// The words joined by single spaces, with a space at each end.
    spaced: String,
}

impl<'a> Words<'a> {
    pub(super) fn of(lower: &'a str) -> Words<'a> {
        let words: Vec<&str> = lower
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .collect();
        let spaced = format!(" {} ", words.join(" "));
        Words { words, spaced }
    }

    pub(super) fn names(&self, list: &[&str]) -> bool {
        self.words.iter().any(|w| list.contains(w))
    }

    pub(super) fn has_phrase<S: AsRef<str>>(&self, phrases: &[S]) -> bool {
        phrases.iter().any(|p| {
            let p = p.as_ref();
            !p.is_empty() && self.spaced.contains(&format!(" {p} "))
        })
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

// ---------------------------------------------------------------------------
// Status phrases
// ---------------------------------------------------------------------------

/// Built-in status phrases, lower-case, as whole words (SPEC §1, FIELD.md).
/// Longer phrases first so `sedang diproses` wins over `diproses`.
const STATUS_PHRASES: &[(&str, TxStatus)] = &[
    ("sedang diproses", TxStatus::Pending),
    ("akan diproses", TxStatus::Pending),
    ("dalam proses", TxStatus::Pending),
    ("sedang proses", TxStatus::Pending),
    ("sukses", TxStatus::Success),
    ("berhasil", TxStatus::Success),
    ("success", TxStatus::Success),
    ("gagal", TxStatus::Failed),
    ("failed", TxStatus::Failed),
    ("dibatalkan", TxStatus::Failed),
    ("pending", TxStatus::Pending),
    ("proses", TxStatus::Pending),
    ("diproses", TxStatus::Pending),
    ("menunggu", TxStatus::Pending),
];

/// Words that may stand between a mention and its status phrase
/// (`R#1 FF5.3221, status SUKSES`, `Trx T10.0812 SUKSES`,
/// `sdh pernah jam 15:19, status Sukses`).
const BETWEEN_WORDS: &[&str] = &[
    "status",
    "sts",
    "trx",
    "transaksi",
    "transaction",
    "is",
    "sdh",
    "sudah",
    "pernah",
    "terjadi",
    "jam",
    "pada",
    "pd",
    "tgl",
    "tanggal",
    "anda",
    "masih",
];

/// How many words may stand between a mention and its status phrase.
const MAX_BETWEEN: usize = 8;

// ---------------------------------------------------------------------------
// Lexing
// ---------------------------------------------------------------------------

/// `PRODUCT.DEST`: a product code (a letter first; an `@` form allowed)
/// and a destination without dots. Preceded by the start, a space or
/// punctuation that is not part of a word, a number or a tag.
static CALL_TOKEN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[\s,;:(\[=])([A-Za-z][A-Za-z0-9_-]*(?:@[A-Za-z0-9]+)?)\.([A-Za-z0-9@+_-]+)")
        .expect("call token regex")
});

/// `R#1234`, `T#41168891`.
static TAG: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?:^|[\s,;(])[RrTt]#([A-Za-z0-9_-]+)").expect("tag regex"));

/// A known field key in any case, with its separator (`SN/Ref:`,
/// `Harga=`, `Nama: `, `RefId :`). Group 1 the key, group 2 the space
/// before the separator, group 3 the separator.
static KNOWN_KEY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?:^|[\s,.;(&])((?i:sn\s*/\s*ref|sn|token|hrg|harga|price|ref\s?id|ref|trxid|data|nama|name|tagihan|bill|admin|adm|total|periode|denda|ket|keterangan|alasan|info|kwh|qty))(\s*)([:=])",
    )
    .expect("known key regex")
});

/// The seed's `KEY:value` form: an upper-case word right before a colon.
static UPPER_KEY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[\s,.;(&])([A-Z][A-Z0-9_]{0,15})()(:)").expect("upper key regex")
});

/// An amount as centers write it: `10.795.667`, `1,250,000`, `Rp 5.000`,
/// `Rp.5.000`, `5.000,-`.
const AMOUNT: &str = r"(?:[Rr][Pp]\.?\s*|IDR\s*)?-?[0-9]+(?:[.,][0-9]+)*(?:,-)?";

/// The balance in a transaction reply: `Saldo A - B = C`, `Sld A-B=C`,
/// `Saldo N`, `Saldo: N`, `Sisa saldo N`, `Saldo Anda Rp N`, each with an
/// optional `@ time`. Group 1 the first amount, 2 the price, 3 the result.
static SALDO: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i)(?:^|[\s,.;(])(?:(?:sisa\s+)?saldo(?:\s+anda)?|sld|sal|stok)\s*[:=]?\s*({AMOUNT})(?:\s*([-+])\s*({AMOUNT})\s*=\s*({AMOUNT}))?(?:\s*@\s*[0-9][0-9/:.-]*(?:\s+[0-9]{{1,2}}[:.][0-9]{{2}}(?:[:.][0-9]{{2}})?)?)?"
    ))
    .expect("saldo regex")
});

/// `Hrg 6.487`, `Harga 5.500`: a price written without a separator.
static PRICE_WORD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(r"(?i)(?:^|[\s,.;])(?:hrg|harga)\s+({AMOUNT})")).expect("price regex")
});

/// `key=value&key=value…` (an OtomaX report or a query-string reply).
static QUERY_FORM: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[A-Za-z_]+=[^&]*&[A-Za-z_]+=").expect("query form regex"));

/// A piece of the text that is a field: from its key to its value's end.
#[derive(Debug, Clone)]
struct Span {
    start: usize,
    end: usize,
}

/// One field as found in the text.
#[derive(Debug, Clone)]
struct FoundField {
    key: String,
    value: String,
    span: Span,
    /// `RefId : 1447` (a space before the colon): a tag, not a field.
    spaced: bool,
}

/// Reads replies with the built-in vocabulary plus an operator's rules.
#[derive(Debug, Clone, Default)]
pub struct Reader {
    rules: ReplyRules,
}

static BUILT_IN: LazyLock<Reader> = LazyLock::new(Reader::default);

/// Parses a reply with the built-in vocabulary only.
pub fn parse_reply(text: &str) -> GatewayReply {
    BUILT_IN.parse(text)
}

/// Parses a balance answer with the built-in vocabulary only.
pub fn parse_balance(text: &str) -> BalanceReply {
    BUILT_IN.balance(text)
}

impl Reader {
    pub fn new(rules: ReplyRules) -> Reader {
        Reader { rules }
    }

    pub fn rules(&self) -> &ReplyRules {
        &self.rules
    }

    /// Parses a topup, inquiry, payment or status reply without knowing
    /// the call (tests, the probe). The engine uses [`Reader::read`].
    pub fn parse(&self, text: &str) -> GatewayReply {
        self.read_with(text, None)
    }

    /// Reads the reply to `call`: as [`Reader::parse`], and the call's own
    /// `PRODUCT.DEST` is found even where a center glued a word to it
    /// (`TrxDN50.0812…`, `Transaksi.DN50.0812…`).
    pub fn read(&self, call: &Call<'_>, text: &str) -> GatewayReply {
        self.read_with(text, Some(call))
    }

    fn read_with(&self, text: &str, call: Option<&Call<'_>>) -> GatewayReply {
        let raw = text.to_string();
        let trimmed = text.trim_start_matches('\u{feff}').trim();
        if unreadable(trimmed) {
            return GatewayReply::unknown(raw);
        }
        let mut reply = GatewayReply {
            raw,
            ..GatewayReply::default()
        };
        let query = trimmed.strip_prefix('?').unwrap_or(trimmed);
        let body = if QUERY_FORM.is_match(query) {
            read_query_form(query, &mut reply)
        } else {
            trimmed.to_string()
        };
        self.read_body(&body, call, &mut reply);
        self.apply_rules(&body, &mut reply);
        reply
    }

    fn read_body(&self, body: &str, call: Option<&Call<'_>>, reply: &mut GatewayReply) {
        let found = find_fields(body);
        let saldo = find_saldo(body);
        let inside = |at: usize| {
            found
                .iter()
                .filter(|f| !f.spaced)
                .map(|f| &f.span)
                .chain(saldo.iter().map(|(s, _)| s))
                .any(|s| at > s.start && at < s.end)
        };

        // Mentions outside field values, in order of position.
        let mut marks: Vec<(usize, usize, Mention)> = Vec::new();
        for c in CALL_TOKEN.captures_iter(body) {
            let (Some(p), Some(d)) = (c.get(1), c.get(2)) else {
                continue;
            };
            if inside(p.start()) {
                continue;
            }
            marks.push((
                p.start(),
                d.end(),
                Mention::Call {
                    product: p.as_str().to_string(),
                    dest: d.as_str().to_string(),
                    status: None,
                },
            ));
        }
        if let Some(call) = call {
            anchor_glued(body, call, &mut marks, &inside);
        }
        for c in TAG.captures_iter(body) {
            let (Some(whole), Some(v)) = (c.get(0), c.get(1)) else {
                continue;
            };
            if inside(v.start()) {
                continue;
            }
            let start = whole.start() + whole.as_str().find('#').unwrap_or(1) - 1;
            marks.push((
                start,
                v.end(),
                Mention::RefTag {
                    value: v.as_str().to_string(),
                    status: None,
                },
            ));
        }
        for f in &found {
            if !is_ref_key(&f.key) || f.value.is_empty() {
                continue;
            }
            let value = first_word(&f.value).to_string();
            let mention = if f.spaced {
                Mention::RefTag {
                    value,
                    status: None,
                }
            } else {
                Mention::RefField { ref_id: value }
            };
            marks.push((f.span.start, f.span.end, mention));
        }
        marks.sort_by_key(|(start, _, _)| *start);

        // The status phrase after each mention.
        let mut first_status: Option<(TxStatus, usize)> = None;
        for i in 0..marks.len() {
            let end = marks[i].1;
            let found_status = self.status_after(body, end, &marks, &found, &saldo);
            if let Some((status, phrase_end)) = found_status {
                if first_status.is_none() {
                    first_status = Some((status, phrase_end));
                }
                match &mut marks[i].2 {
                    Mention::Call { status: s, .. } | Mention::RefTag { status: s, .. } => {
                        *s = Some(status)
                    }
                    Mention::RefField { .. } => {}
                }
            }
        }

        // The head: `VERB PRODUCT.DEST …` at the start of the line.
        if let Some((start, _, Mention::Call { product, dest, .. })) = marks
            .iter()
            .find(|(_, _, m)| matches!(m, Mention::Call { .. }))
        {
            reply.product = Some(product.clone());
            reply.dest = Some(dest.clone());
            let before = body[..*start].trim();
            if !before.is_empty() && before.bytes().all(|b| b.is_ascii_alphabetic()) {
                reply.verb = Some(before.to_ascii_uppercase());
            }
        }
        reply.mentions.extend(marks.into_iter().map(|(_, _, m)| m));

        // A bare `STATUS[, reason][.]` line names no call.
        let status_end = match first_status {
            Some((status, end)) => {
                reply.status = status;
                Some(end)
            }
            None if reply.mentions.is_empty() => self.bare_status(body).map(|(status, end)| {
                reply.status = status;
                end
            }),
            None => None,
        };
        // A code alone (a report with no status word) still says something.
        if reply.status == TxStatus::Unknown {
            if let Some(status) = reply.code.and_then(code_status) {
                reply.status = status;
            }
        }

        if let Some(end) = status_end {
            reply.reason = reason_after(body, end, &found, &saldo, reply.status);
        }
        for f in &found {
            absorb_field(reply, f);
        }
        if reply.cost.is_none() {
            // `Hrg 6.487`: the price without a colon.
            reply.cost = PRICE_WORD
                .captures(body)
                .and_then(|c| parse_gateway_amount(c.get(1)?.as_str()));
        }
        if let Some((_, amounts)) = saldo.first() {
            if reply.cost.is_none_or(|p| p.value() == 0) {
                if let Some(price) = amounts.cost {
                    reply.cost = Some(price);
                }
            }
            if reply.balance.is_none() {
                reply.balance = amounts.after;
            }
        }
    }

    /// The status phrase after a mention ending at `from`, skipping what
    /// may stand between: punctuation, other mentions, fields, `status`,
    /// `Trx`, `sdh pernah jam 15:19`.
    fn status_after(
        &self,
        body: &str,
        from: usize,
        marks: &[(usize, usize, Mention)],
        found: &[FoundField],
        saldo: &[(Span, SaldoAmounts)],
    ) -> Option<(TxStatus, usize)> {
        let mut at = from;
        let mut skipped = 0;
        while skipped <= MAX_BETWEEN {
            // Punctuation and spaces.
            let rest = &body[at..];
            let trimmed = rest.trim_start_matches(|c: char| {
                c.is_whitespace() || matches!(c, ',' | '.' | ';' | ':' | '-' | '(' | ')')
            });
            at += rest.len() - trimmed.len();
            if at >= body.len() {
                return None;
            }
            if let Some(end) = marks
                .iter()
                .find(|(s, _, _)| *s == at)
                .map(|(_, e, _)| *e)
                .or_else(|| {
                    found
                        .iter()
                        .find(|f| f.span.start == at)
                        .map(|f| f.span.end)
                })
                .or_else(|| {
                    saldo
                        .iter()
                        .find(|(s, _)| s.start == at)
                        .map(|(s, _)| s.end)
                })
            {
                at = end;
                skipped += 1;
                continue;
            }
            if let Some((status, len)) = self.status_phrase(&body[at..]) {
                return Some((status, at + len));
            }
            let word_len = body[at..]
                .find(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | ':'))
                .unwrap_or(body.len() - at)
                .max(1);
            let word = body[at..at + word_len]
                .trim_end_matches(['.', ':'])
                .to_ascii_lowercase();
            // A time: `15:19`, `18.50`, `19.06.42`, `@18:46` (split at `:`).
            let digits = word.trim_start_matches('@');
            let time = !digits.is_empty()
                && digits.bytes().all(|b| b.is_ascii_digit() || b == b'.')
                && (digits.len() <= 2 || digits.contains('.'));
            if !(BETWEEN_WORDS.contains(&word.as_str()) || time) {
                return None;
            }
            at += word_len;
            skipped += 1;
        }
        None
    }

    /// A status phrase at the very start of `text`, as whole words, with
    /// its length. ASCII-only case folding: with Unicode folding `ſukſeſ`
    /// or a Kelvin sign would pass for a word.
    fn status_phrase(&self, text: &str) -> Option<(TxStatus, usize)> {
        let builtin = STATUS_PHRASES.iter().map(|(p, s)| (*p, *s));
        let operator = self.rules.status_phrases();
        let mut best: Option<(TxStatus, usize)> = None;
        for (phrase, status) in operator.chain(builtin) {
            if let Some(len) = phrase_at(text, phrase) {
                if best.is_none_or(|(_, l)| len > l) {
                    best = Some((status, len));
                }
            }
        }
        best
    }

    /// A bare line: a status phrase at the start, then nothing, `.`, or
    /// `, reason` / `. reason`. `GAGAL: x` or `Proses gagal: …` is prose.
    fn bare_status(&self, body: &str) -> Option<(TxStatus, usize)> {
        let (status, len) = self.status_phrase(body)?;
        let tail = &body[len..];
        let ok = tail.is_empty()
            || tail == "."
            || tail.starts_with(',')
            || tail.starts_with(". ")
            || tail.starts_with(".. ");
        ok.then_some((status, len))
    }

    fn apply_rules(&self, body: &str, reply: &mut GatewayReply) {
        if let Some(sn) = self.rules.capture_sn(body) {
            reply.sn = Some(sn);
        }
        if let Some(price) = self
            .rules
            .capture_cost(body)
            .and_then(|p| parse_gateway_amount(&p))
        {
            reply.cost = Some(price);
        }
        if let Some(reason) = self.rules.capture_reason(body) {
            reply.reason = Some(reason);
        }
    }

    /// Parses the balance call's answer: `saldo=N  @ …`, `Saldo N`,
    /// `Saldo: N`, `Saldo Anda Rp N`, `Sisa saldo N`, each with an optional
    /// `@ time`, or an operator's balance pattern.
    pub fn balance(&self, text: &str) -> BalanceReply {
        let trimmed = text.trim_start_matches('\u{feff}').trim();
        // An account block over several lines (`Nama : …`, `Saldo : N`,
        // `Bonus : …`): the one line that is a balance, if exactly one is.
        if trimmed.contains('\n') && !has_markup(trimmed) {
            let mut lines = trimmed.lines().filter_map(|line| match self.balance(line) {
                BalanceReply::Balance { amount, at } => Some((amount, at)),
                _ => None,
            });
            return match (lines.next(), lines.next()) {
                (Some((amount, at)), None) => BalanceReply::Balance { amount, at },
                _ => BalanceReply::Unknown {
                    raw: text.to_string(),
                },
            };
        }
        if let Some(amount) = self
            .rules
            .capture_balance(trimmed)
            .and_then(|a| parse_balance_amount(&a))
        {
            return BalanceReply::Balance { amount, at: None };
        }
        if let Some(c) = BALANCE.captures(trimmed) {
            if let Some(amount) = parse_balance_amount(&c[1]) {
                return BalanceReply::Balance {
                    amount,
                    at: c.get(2).map(|m| m.as_str().to_string()),
                };
            }
        }
        let reply = self.parse(trimmed);
        if reply.is_bare() && reply.status == TxStatus::Failed {
            return BalanceReply::Refused {
                reason: reply.reason.unwrap_or_default(),
            };
        }
        BalanceReply::Unknown {
            raw: text.to_string(),
        }
    }
}

/// Finds the call's own `PRODUCT.DEST` where the lexer missed it because
/// a word was glued before it, and puts it in place of the token that
/// swallowed it (`TrxDN50.0812…` lexes as product `TrxDN50`).
fn anchor_glued(
    body: &str,
    call: &Call<'_>,
    marks: &mut Vec<(usize, usize, Mention)>,
    inside: &dyn Fn(usize) -> bool,
) {
    let lower = body.to_ascii_lowercase();
    for product in [call.product, call.product.split('@').next().unwrap_or("")] {
        for dest in [call.dest, call.dest.split('@').next().unwrap_or("")] {
            if product.is_empty() || dest.is_empty() {
                continue;
            }
            let needle = format!("{product}.{dest}").to_ascii_lowercase();
            let mut from = 0;
            while let Some(at) = lower[from..].find(&needle).map(|i| i + from) {
                let end = at + needle.len();
                from = end;
                let cut_after = body[end..]
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphanumeric() || c == '@');
                if cut_after || inside(at) || marks.iter().any(|(s, _, _)| *s == at) {
                    continue;
                }
                marks.retain(|(s, e, _)| !(*s < end && at < *e));
                marks.push((
                    at,
                    end,
                    Mention::Call {
                        product: body[at..at + product.len()].to_string(),
                        dest: body[end - dest.len()..end].to_string(),
                        status: None,
                    },
                ));
            }
        }
    }
}

/// Whether `text` starts with `phrase` (lower-case, words separated by
/// single spaces) as whole words; spaces in the text may be runs.
fn phrase_at(text: &str, phrase: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut at = 0;
    for (i, word) in phrase.split(' ').enumerate() {
        if i > 0 {
            let spaces = bytes[at..]
                .iter()
                .take_while(|b| **b == b' ' || **b == b'\t')
                .count();
            if spaces == 0 {
                return None;
            }
            at += spaces;
        }
        let end = at + word.len();
        if end > bytes.len() || !bytes[at..end].eq_ignore_ascii_case(word.as_bytes()) {
            return None;
        }
        at = end;
    }
    let glued = text[at..]
        .chars()
        .next()
        .is_some_and(|c| c.is_alphanumeric() || c == '_');
    (!glued && at > 0).then_some(at)
}

/// Text no reply looks like: empty, several lines, control characters,
/// markup, JSON.
fn unreadable(trimmed: &str) -> bool {
    trimmed.is_empty()
        || trimmed.chars().any(|c| c.is_control() && c != '\t')
        || trimmed.starts_with(['{', '['])
        || has_markup(trimmed)
}

fn has_markup(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.windows(2).any(|w| {
        w[0] == b'<' && (w[1].is_ascii_alphabetic() || w[1] == b'/' || w[1] == b'!' || w[1] == b'?')
    })
}

/// Splits `status=1&refid=L1&message=…` into fields and returns the
/// message to read as the reply's text. The message is the rest of the
/// string after `message=` (it may hold `&`). Values are percent-decoded
/// when they hold `%XX`.
fn read_query_form(text: &str, reply: &mut GatewayReply) -> String {
    let mut message = String::new();
    let mut rest = text;
    while !rest.is_empty() {
        let (pair, tail) = rest.split_once('&').unwrap_or((rest, ""));
        let Some((key, _)) = pair.split_once('=') else {
            break;
        };
        let key_lower = key.to_ascii_lowercase();
        if matches!(
            key_lower.as_str(),
            "message" | "msg" | "pesan" | "keterangan"
        ) {
            message = decode(&rest[key.len() + 1..]);
            break;
        }
        let value = decode(&pair[key.len() + 1..]);
        match key_lower.as_str() {
            "status" | "rc" | "statuscode" => {
                if let Ok(code) = value.trim().parse::<u16>() {
                    reply.code = Some(code);
                }
            }
            "refid" | "ref_id" | "reffid" | "trxid_api" => reply.mentions.push(Mention::RefField {
                ref_id: value.trim().to_string(),
            }),
            "price" | "harga" => {
                reply.cost = parse_gateway_amount(&value).filter(|p| p.value() > 0);
            }
            "sn" => reply.sn = (!value.trim().is_empty()).then(|| value.trim().to_string()),
            "saldo" | "balance" => reply.balance = parse_gateway_amount(&value),
            _ => {}
        }
        reply.fields.push((key.to_string(), value));
        rest = tail;
    }
    message
}

fn decode(value: &str) -> String {
    if !value.contains('%') {
        return value.to_string();
    }
    percent_encoding::percent_decode_str(&value.replace('+', " "))
        .decode_utf8_lossy()
        .into_owned()
}

fn is_ref_key(key: &str) -> bool {
    matches!(normal_key(key).as_str(), "REFID" | "REF_ID")
}

fn first_word(value: &str) -> &str {
    value
        .split(|c: char| c.is_whitespace() || c == ',')
        .next()
        .unwrap_or("")
        .trim_end_matches('.')
}

/// Keys whose value is one amount or one word (`QTY : 12345 akan
/// diproses`, `Tagihan: Rp 300.000. Admin: …`).
const ONE_VALUE_KEYS: &[&str] = &[
    "HRG", "HARGA", "PRICE", "TAGIHAN", "BILL", "ADMIN", "ADM", "TOTAL", "DENDA", "QTY", "REFID",
    "REF_ID", "TRXID", "KWH",
];

static AMOUNT_AT_START: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!("^{AMOUNT}")).expect("amount regex"));

/// A key without spaces, upper-cased (`SN / Ref` → `SN/REF`).
fn normal_key(key: &str) -> String {
    key.chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_uppercase()
}

/// Keys whose value is an SN (read up to `. ` as well as the next field).
fn is_sn_key(key: &str) -> bool {
    matches!(normal_key(key).as_str(), "SN" | "SN/REF" | "TOKEN")
}

/// Every field in the text with its value. A value runs to the next field
/// (or a `Saldo` amount); `KEY=value` values are one word; values written
/// `Key: value` (a space after the colon, or a key not in capitals) also
/// end at `. `, as in `SN/Ref: R2106.2203. Saldo …` or `Nama: Budi. Tagihan: …`.
fn find_fields(body: &str) -> Vec<FoundField> {
    let mut keys: Vec<(usize, usize, String, bool, char)> = Vec::new();
    for regex in [&*KNOWN_KEY, &*UPPER_KEY] {
        for c in regex.captures_iter(body) {
            let (Some(key), Some(sep)) = (c.get(1), c.get(3)) else {
                continue;
            };
            if keys.iter().any(|k| k.0 == key.start()) {
                continue;
            }
            // The seed's `KEY:value` has no space after the colon;
            // `YUSCOM: PLNV50…` is a center's name before its reply.
            let upper_only = !KNOWN_KEY.is_match(&body[key.start().saturating_sub(1)..sep.end()]);
            if upper_only && body[sep.end()..].starts_with(char::is_whitespace) {
                continue;
            }
            let spaced = c.get(2).is_some_and(|m| !m.as_str().is_empty());
            let sep_char = if sep.as_str() == "=" { '=' } else { ':' };
            keys.push((
                key.start(),
                sep.end(),
                key.as_str().to_string(),
                spaced,
                sep_char,
            ));
        }
    }
    keys.sort_by_key(|k| k.0);
    let saldo_starts: Vec<usize> = find_saldo(body).iter().map(|(s, _)| s.start).collect();
    let mut fields = Vec::new();
    for (i, (start, value_start, key, spaced, sep)) in keys.iter().enumerate() {
        let next_key = keys.get(i + 1).map_or(body.len(), |k| k.0);
        let next_saldo = saldo_starts
            .iter()
            .copied()
            .find(|s| *s >= *value_start)
            .unwrap_or(body.len());
        let mut end = next_key.min(next_saldo);
        let value_text = &body[*value_start..end];
        let loose = (*sep == ':' || *sep == '=' && value_text.starts_with([' ', '\t']))
            && (value_text.starts_with([' ', '\t'])
                || !key.bytes().all(|b| b.is_ascii_uppercase() || b == b'_'))
            || is_sn_key(key) && value_text.starts_with([' ', '\t']);
        let lead = value_text.len() - value_text.trim_start().len();
        let one_amount = ONE_VALUE_KEYS.contains(&normal_key(key).as_str());
        if one_amount {
            let value = &value_text[lead..];
            let len = AMOUNT_AT_START
                .find(value)
                .map(|m| m.end())
                .unwrap_or_else(|| value.find(char::is_whitespace).unwrap_or(value.len()));
            end = value_start + lead + len;
        } else if *sep == '=' && !loose {
            let word = value_text[lead..]
                .find(|c: char| c.is_whitespace() || c == '&')
                .unwrap_or(value_text.len() - lead);
            end = value_start + lead + word;
        } else if loose {
            if let Some(dot) = value_text[lead..].find(". ") {
                end = value_start + lead + dot + 1;
            }
        }
        let value = clean_value(&body[*value_start..end]);
        fields.push(FoundField {
            key: key.clone(),
            value,
            span: Span { start: *start, end },
            spaced: *spaced,
        });
    }
    fields
}

/// The amounts of a `Saldo …` piece.
#[derive(Debug, Clone, Copy)]
struct SaldoAmounts {
    /// B of `A - B = C`, only when A − B = C.
    cost: Option<Rupiah>,
    /// C of `A - B = C`, or the lone amount.
    after: Option<Rupiah>,
}

/// `Saldo : Rp.(Awal 10000000 Akhir 9989650)`: the balance before and after.
static SALDO_RANGE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i)(?:^|[\s,.;])saldo\s*:?\s*(?:rp\.?)?\s*\(?\s*awal\s+({AMOUNT})\s+akhir\s+({AMOUNT})\s*\)?"
    ))
    .expect("saldo range regex")
});

fn find_saldo(body: &str) -> Vec<(Span, SaldoAmounts)> {
    let ranges = SALDO_RANGE.captures_iter(body).filter_map(|c| {
        let whole = c.get(0)?;
        let lead = whole.as_str().len() - whole.as_str().trim_start().len();
        let before = parse_balance_amount(c.get(1)?.as_str());
        let after = parse_balance_amount(c.get(2)?.as_str());
        let price = match (before, after) {
            (Some(a), Some(c)) if a.value() > c.value() => Some(Rupiah(a.value() - c.value())),
            _ => None,
        };
        Some((
            Span {
                start: whole.start() + lead,
                end: whole.end(),
            },
            SaldoAmounts { cost: price, after },
        ))
    });
    let ranges: Vec<_> = ranges.collect();
    if !ranges.is_empty() {
        return ranges;
    }
    SALDO
        .captures_iter(body)
        .filter_map(|c| {
            let whole = c.get(0)?;
            let lead = whole.as_str().len()
                - whole
                    .as_str()
                    .trim_start_matches([' ', ',', '.', ';', '('])
                    .len();
            let first = parse_balance_amount(c.get(1)?.as_str());
            let amounts = match (c.get(2), c.get(3), c.get(4)) {
                (Some(op), Some(b), Some(after)) => {
                    let b = parse_balance_amount(b.as_str());
                    let after = parse_balance_amount(after.as_str());
                    // `A - B = C` is a charge of B; `A + B = C` a refund.
                    let charge = op.as_str() == "-";
                    let adds_up = match (first, b, after) {
                        (Some(a), Some(b), Some(c)) if charge => {
                            a.value().checked_sub(b.value()) == Some(c.value())
                        }
                        _ => false,
                    };
                    SaldoAmounts {
                        cost: if adds_up { b } else { None },
                        after,
                    }
                }
                _ => SaldoAmounts {
                    cost: None,
                    after: first,
                },
            };
            Some((
                Span {
                    start: whole.start() + lead,
                    end: whole.end(),
                },
                amounts,
            ))
        })
        .collect()
}

/// The reason: the text between the status phrase and the first field or
/// `Saldo`. A failure whose reason would be empty because a `Saldo …`
/// piece follows (`Failed, Saldo anda Rp 5.000, kurang`) keeps the words
/// up to the next field instead: a failure is never shown without them.
fn reason_after(
    body: &str,
    from: usize,
    found: &[FoundField],
    saldo: &[(Span, SaldoAmounts)],
    status: TxStatus,
) -> Option<String> {
    // Where the reason's words start, past `, ` or `. `.
    let start = from
        + body[from..]
            .find(|c: char| !(c.is_whitespace() || matches!(c, ',' | '.' | ';' | ':' | '-')))
            .unwrap_or(body.len() - from);
    let next_field = found
        .iter()
        .map(|f| f.span.start)
        .find(|s| *s >= start)
        .unwrap_or(body.len());
    let next_saldo = saldo
        .iter()
        .map(|(s, _)| s.start)
        .find(|s| *s >= start)
        .unwrap_or(body.len());
    // A sentence that starts with the balance ends the reason too
    // (`dibatalkan. Saldo refund 10.000.`).
    let next_sentence = BALANCE_SENTENCE
        .find_at(body, start)
        .map_or(body.len(), |m| m.start());
    let reason = trim_reason(&body[start..next_field.min(next_saldo).min(next_sentence)]);
    if !reason.is_empty() {
        return Some(reason);
    }
    if status == TxStatus::Failed && next_saldo < next_field {
        let reason = trim_reason(&body[start..next_field.min(next_sentence)]);
        return (!reason.is_empty()).then_some(reason);
    }
    None
}

static BALANCE_SENTENCE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\.\s+(?:sisa\s+)?(?:saldo|sal|sld)\b").expect("balance sentence regex")
});

fn trim_reason(text: &str) -> String {
    text.trim_matches(|c: char| c.is_whitespace() || matches!(c, ',' | '.' | ';' | ':' | '-'))
        .to_string()
}

fn absorb_field(reply: &mut GatewayReply, f: &FoundField) {
    let key = normal_key(&f.key);
    let value = &f.value;
    let text = || (!value.is_empty()).then(|| value.clone());
    match key.as_str() {
        "HRG" | "HARGA" | "PRICE" => {
            if let Some(p) =
                parse_gateway_amount(first_word(value)).or_else(|| parse_gateway_amount(value))
            {
                if p.value() > 0 || reply.cost.is_none() {
                    reply.cost = Some(p);
                }
            }
        }
        "SN" | "SN/REF" | "TOKEN" if reply.sn.is_none() => {
            reply.sn = text().map(|v| v.trim_end_matches('.').to_string())
        }
        // `Ref:6111641000977535851`: some centers label the serial so.
        "REF" if reply.sn.is_none() && !f.spaced => reply.sn = text(),
        "ALASAN" | "KET" | "KETERANGAN" => reply.reason = text().or(reply.reason.take()),
        "DATA" | "NAMA" | "NAME" => reply.name = text(),
        "TAGIHAN" | "BILL" => reply.bill = parse_gateway_amount(value),
        "ADMIN" | "ADM" => reply.admin = parse_gateway_amount(value),
        "REFID" | "REF_ID" if !f.spaced => reply.ref_id = text(),
        _ => {}
    }
    reply.fields.push((f.key.clone(), value.clone()));
}

/// Trims whitespace and one closing `.`.
fn clean_value(text: &str) -> String {
    let t = text.trim();
    t.strip_suffix('.').unwrap_or(t).trim_end().to_string()
}

/// `302750`, `302.750`, `302,750`, `Rp302.750`, `Rp. 302.750`, `5.000,-`
/// or `IDR 5.000` from a gateway, possibly negative (`-2.500`, or
/// `-Rp2.500` as `Rupiah` shows it). Separators must group by three:
/// `2.00` or `1.000,50` is `None`.
pub fn parse_gateway_amount(text: &str) -> Option<Rupiah> {
    let t = text.trim();
    let t = t.strip_suffix(",-").unwrap_or(t).trim_end();
    let (negative, t) = match t.strip_prefix('-') {
        Some(rest) => (true, rest.trim_start()),
        None => (false, t),
    };
    let t = match t
        .strip_prefix("Rp")
        .or_else(|| t.strip_prefix("RP"))
        .or_else(|| t.strip_prefix("rp"))
        .or_else(|| t.strip_prefix("IDR"))
    {
        Some(rest) => rest.strip_prefix('.').unwrap_or(rest).trim_start(),
        None => t,
    };
    let (negative, t) = match t.strip_prefix('-') {
        Some(rest) if !negative => (true, rest),
        _ => (negative, t),
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

/// A balance as centers show it: like [`parse_gateway_amount`], and a
/// fraction after the other separator is dropped (a balance shown whole is
/// informative; a price is never rounded).
fn parse_balance_amount(text: &str) -> Option<Rupiah> {
    parse_gateway_amount(without_cents(text.trim()))
}

/// Drops a fraction written with the other separator than the thousands:
/// `1.234.531.425,773` or `10.000,00` (and `1,250,000.50`) keep their
/// whole Rupiah. A lone separator stays ambiguous (`2.00` is not read).
fn without_cents(t: &str) -> &str {
    let (Some(dot), Some(comma)) = (t.rfind('.'), t.rfind(',')) else {
        return t;
    };
    let cut = dot.max(comma);
    let fraction = &t[cut + 1..];
    if (1..=3).contains(&fraction.len()) && fraction.bytes().all(|b| b.is_ascii_digit()) {
        &t[..cut]
    } else {
        t
    }
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

/// A whole balance answer: `saldo=N  @ time` (the seed), `Saldo N`,
/// `Saldo: N`, `Saldo Anda Rp N @ time`, `Sisa saldo N`.
static BALANCE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"^(?i-u:(?:sisa[ \t]+)?saldo(?:[ \t]+anda)?)[ \t]*[=:]?[ \t]*({AMOUNT})(?:[ \t]*@[ \t]*(.+?))?[ \t]*\.?$"
    ))
    .expect("balance regex")
});
