//! How the sandbox writes a [`Reply`] as text: one function per center
//! dialect, each one match over a flattened [`Line`].
//!
//! The templates follow the OtomaX-family replies in FIELD.md ("Centers
//! and their replies"): `T#`/`R#` tags, `SN/Ref:`, the balance arithmetic
//! `Saldo 10.795.667 - 1.275 = 10.794.392`, `Sisa saldo N`, the report
//! form `status=20&refid=…&message=…` with its status codes, and the
//! "sdh pernah jam 15:19, status Sukses" answer to a resend.
//!
//! Owns: all reply wording. Must not: decide anything: what happened is
//! the ledger's, so every dialect tells the same books.

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDateTime;

use super::products::{Quote, WRONG_CUSTOMER_ID, WRONG_NUMBER};
use super::protocol::NOT_FOUND;
use super::reply::{About, Charge, Named, Outcome, Reply};
use crate::money::Rupiah;

/// The reply templates the sandbox answers in (`loket sandbox --dialect`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Dialect {
    /// R-ONE, the seed's: `TRX T10.0877… SUKSES, HRG:11000 SN:… REFID:….`
    #[default]
    Rone,
    /// OtomaX's stock templates: `T#41168891 R#L1 T10.0877… SUKSES. SN/Ref: ….
    /// Saldo 5.000.000 - 11.000 = 4.989.000 @21/04 09:05`; a resend or
    /// status check answers `sdh pernah jam 09:05, status Sukses. …`.
    Otomax,
    /// `R#L1 T10.0877…, status SUKSES. SN/Ref: …. RefId : 41168891. Sisa
    /// saldo 4989000`.
    Sisa,
    /// The OtomaX report (callback) form, raw: `status=20&refid=L1&price=11000&message=…`.
    Kv,
}

impl Dialect {
    /// Every dialect, the default first.
    pub const ALL: [Dialect; 4] = [Dialect::Rone, Dialect::Otomax, Dialect::Sisa, Dialect::Kv];

    /// The name `--dialect` takes.
    pub fn name(self) -> &'static str {
        match self {
            Dialect::Rone => "rone",
            Dialect::Otomax => "otomax",
            Dialect::Sisa => "sisa",
            Dialect::Kv => "kv",
        }
    }

    /// `reply` as this dialect's center would write it.
    pub(super) fn render(self, reply: &Reply) -> String {
        let line = Line::of(reply);
        match self {
            Dialect::Rone => rone(&line),
            Dialect::Otomax => otomax(&line),
            Dialect::Sisa => sisa(&line),
            Dialect::Kv => kv(&line),
        }
    }
}

impl fmt::Display for Dialect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A name that is no [`Dialect`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownDialect(pub String);

impl fmt::Display for UnknownDialect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = Dialect::ALL.iter().map(|d| d.name()).collect();
        write!(
            f,
            "unknown dialect `{}` (one of: {})",
            self.0,
            names.join(", ")
        )
    }
}

impl std::error::Error for UnknownDialect {}

impl FromStr for Dialect {
    type Err = UnknownDialect;

    /// A [`Dialect::name`], in any case.
    fn from_str(text: &str) -> Result<Dialect, UnknownDialect> {
        Dialect::ALL
            .into_iter()
            .find(|d| d.name().eq_ignore_ascii_case(text.trim()))
            .ok_or_else(|| UnknownDialect(text.to_string()))
    }
}

/// One reply, flattened so that each dialect is one match.
#[derive(Debug, Clone, Copy)]
enum Line<'a> {
    Balance {
        amount: Rupiah,
        at: NaiveDateTime,
    },
    /// A refusal that names no call.
    Bare {
        reason: &'static str,
    },
    /// A call refused before anything was recorded.
    Refused {
        call: &'a Named,
        reason: &'static str,
    },
    NotFound {
        call: &'a Named,
    },
    /// `recalled`: a resend or status check, not the first answer.
    Success {
        call: &'a Named,
        trx: u64,
        at: NaiveDateTime,
        charge: &'a Charge,
        recalled: bool,
    },
    Pending {
        call: &'a Named,
        trx: u64,
        at: NaiveDateTime,
        charge: &'a Charge,
        recalled: bool,
    },
    Failed {
        call: &'a Named,
        at: NaiveDateTime,
        reason: &'static str,
        balance: Rupiah,
        recalled: bool,
    },
    /// An inquiry's bill, first answered or repeated: always the same line.
    Bill {
        call: &'a Named,
        quote: &'a Quote,
        balance: Rupiah,
    },
}

impl<'a> Line<'a> {
    fn of(reply: &'a Reply) -> Line<'a> {
        let (call, about) = match reply {
            Reply::Balance { amount, at } => {
                return Line::Balance {
                    amount: *amount,
                    at: *at,
                }
            }
            Reply::Refused(reason) => return Line::Bare { reason },
            Reply::Call { call, about } => (call, about),
        };
        let (record, recalled) = match about {
            About::Refused(reason) => return Line::Refused { call, reason },
            About::NotFound => return Line::NotFound { call },
            About::Held { record, recalled } => (record, *recalled),
        };
        let (trx, at) = (record.trx, record.at);
        match &record.outcome {
            Outcome::Success(charge) => Line::Success {
                call,
                trx,
                at,
                charge,
                recalled,
            },
            Outcome::Pending(charge) => Line::Pending {
                call,
                trx,
                at,
                charge,
                recalled,
            },
            Outcome::Failed { reason, balance } => Line::Failed {
                call,
                at,
                reason,
                balance: *balance,
                recalled,
            },
            Outcome::Bill { quote, balance } => Line::Bill {
                call,
                quote,
                balance: *balance,
            },
        }
    }
}

/// `2026-04-21 11:00:00`, as balance replies stamp it.
const DATE_TIME: &str = "%Y-%m-%d %H:%M:%S";
/// `21/04 11:00`, after a transaction's `@`.
const DAY_MINUTE: &str = "%d/%m %H:%M";
/// `11:00`, in "sdh pernah jam 11:00".
const MINUTE: &str = "%H:%M";
/// `11.00.00`, after a failure's `@`.
const SECONDS: &str = "%H.%M.%S";

/// OtomaX report status codes (FIELD.md; unofficial but consistent).
const KV_PENDING: u16 = 1;
const KV_SUCCESS: u16 = 20;
const KV_FAILED: u16 = 40;
const KV_WRONG_DEST: u16 = 52;

/// `PRODUCT.DEST`.
fn target(call: &Named) -> String {
    format!("{}.{}", call.product, call.dest)
}

/// `R#refID PRODUCT.DEST`.
fn tagged(call: &Named) -> String {
    format!("R#{} {}", call.ref_id, target(call))
}

/// `5.000.000`: Rupiah's own formatting, without the `Rp`.
fn dotted(amount: Rupiah) -> String {
    amount.to_string().replacen("Rp", "", 1)
}

/// `Nomor tujuan salah`: a reason as a sentence.
fn capitalized(reason: &str) -> String {
    let mut chars = reason.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The serial, or for a bill payment (which has none) the center's own
/// reference `REF<trx>`.
fn sn_or_ref(charge: &Charge, trx: u64) -> String {
    charge.sn.clone().unwrap_or_else(|| format!("REF{trx}"))
}

/// A failure's report code: 52 "tujuan salah" for a wrong number or
/// customer ID, 40 "gagal" for anything else.
fn kv_code(reason: &str) -> u16 {
    if reason == WRONG_NUMBER || reason == WRONG_CUSTOMER_ID {
        KV_WRONG_DEST
    } else {
        KV_FAILED
    }
}

/// R-ONE (the seed, SPEC §1): `VERB PRODUCT.DEST STATUS[, reason][ KEY:value …].`
/// with plain amounts; a status check or resend repeats the held line under
/// the call's verb.
fn rone(line: &Line) -> String {
    let (call, body) = match *line {
        Line::Balance { amount, at } => {
            return format!("saldo={}  @ {}", amount.value(), at.format(DATE_TIME))
        }
        Line::Bare { reason } => return format!("GAGAL, {reason}."),
        Line::Refused { call, reason } | Line::Failed { call, reason, .. } => {
            (call, format!("GAGAL, {reason}."))
        }
        Line::NotFound { call } => (call, format!("GAGAL, {NOT_FOUND}.")),
        Line::Success { call, charge, .. } => {
            let sn = match &charge.sn {
                Some(sn) => format!(" SN:{sn}"),
                None => String::new(),
            };
            let price = charge.price.value();
            (
                call,
                format!("SUKSES, HRG:{price}{sn} REFID:{}.", call.ref_id),
            )
        }
        Line::Pending { call, .. } => (
            call,
            format!("PENDING, sedang diproses REFID:{}.", call.ref_id),
        ),
        Line::Bill { call, quote, .. } => (
            call,
            format!(
                "SUKSES, DATA:{} TAGIHAN:{} ADMIN:{}.",
                quote.name,
                quote.bill.value(),
                quote.admin.value()
            ),
        ),
    };
    format!("{} {}.{} {body}", call.op.verb(), call.product, call.dest)
}

/// OtomaX's stock templates, with dotted amounts. A resend or status check
/// of a topup or payment answers "sdh pernah jam HH:MM" with the stored
/// result; an unpaid bill answers its inquiry line.
fn otomax(line: &Line) -> String {
    match *line {
        Line::Balance { amount, at } => {
            format!(
                "Saldo Anda Rp {} @ {}",
                dotted(amount),
                at.format(DATE_TIME)
            )
        }
        Line::Bare { reason } => format!("GAGAL. {}", capitalized(reason)),
        Line::Refused { call, reason } => {
            format!("{} GAGAL. {}", tagged(call), capitalized(reason))
        }
        Line::NotFound { call } => format!("{} GAGAL. {}", tagged(call), capitalized(NOT_FOUND)),
        Line::Success {
            call,
            trx,
            at,
            charge,
            recalled: false,
        } => format!(
            "T#{trx} {} SUKSES. SN/Ref: {}. Saldo {} - {} = {} @{}",
            tagged(call),
            sn_or_ref(charge, trx),
            dotted(charge.before),
            dotted(charge.price),
            dotted(charge.after),
            at.format(DAY_MINUTE)
        ),
        Line::Success {
            call,
            trx,
            at,
            charge,
            recalled: true,
        } => format!(
            "{} sdh pernah jam {}, status Sukses. SN/Ref: {}. Saldo {}",
            tagged(call),
            at.format(MINUTE),
            sn_or_ref(charge, trx),
            dotted(charge.after)
        ),
        Line::Pending {
            call,
            trx,
            at,
            charge,
            recalled: false,
        } => format!(
            "T#{trx} {} akan diproses. Saldo {} @{}",
            tagged(call),
            dotted(charge.after),
            at.format(DAY_MINUTE)
        ),
        Line::Pending {
            call,
            recalled: true,
            ..
        } => format!("{} sedang diproses", tagged(call)),
        Line::Failed {
            call,
            at,
            reason,
            balance,
            recalled: false,
        } => format!(
            "{} GAGAL. {}. Saldo {} @{}",
            tagged(call),
            capitalized(reason),
            dotted(balance),
            at.format(SECONDS)
        ),
        Line::Failed {
            call,
            at,
            reason,
            recalled: true,
            ..
        } => format!(
            "{} sdh pernah jam {}, status Gagal. {}",
            tagged(call),
            at.format(MINUTE),
            capitalized(reason)
        ),
        Line::Bill {
            call,
            quote,
            balance,
        } => format!(
            "{} SUKSES. Nama: {}. Tagihan: {}. Admin: {}. Total: {}. Saldo {}",
            tagged(call),
            quote.name,
            quote.bill,
            quote.admin,
            quote.total(),
            dotted(balance)
        ),
    }
}

/// `R#ref PRODUCT.DEST, status …. Sisa saldo N`, the balance undotted as
/// in FIELD.md's example; a status check or resend repeats the line for the
/// current state.
fn sisa(line: &Line) -> String {
    let status = |call: &Named| format!("{}, status", tagged(call));
    match *line {
        Line::Balance { amount, .. } => format!("Sisa saldo {}", amount.value()),
        Line::Bare { reason } => format!("GAGAL. {}", capitalized(reason)),
        Line::Refused { call, reason } => {
            format!("{} GAGAL. {}", status(call), capitalized(reason))
        }
        Line::NotFound { call } => format!("{} GAGAL. {}", status(call), capitalized(NOT_FOUND)),
        Line::Success {
            call, trx, charge, ..
        } => format!(
            "{} SUKSES. SN/Ref: {}. RefId : {trx}. Sisa saldo {}",
            status(call),
            sn_or_ref(charge, trx),
            charge.after.value()
        ),
        Line::Pending {
            call, trx, charge, ..
        } => format!(
            "{} Dalam Proses. RefId : {trx}. Sisa saldo {}",
            status(call),
            charge.after.value()
        ),
        Line::Failed {
            call,
            reason,
            balance,
            ..
        } => format!(
            "{} GAGAL. {}. Sisa saldo {}",
            status(call),
            capitalized(reason),
            balance.value()
        ),
        Line::Bill {
            call,
            quote,
            balance,
        } => format!(
            "{} SUKSES. Nama: {}. Tagihan: {}. Admin: {}. Sisa saldo {}",
            status(call),
            quote.name,
            dotted(quote.bill),
            dotted(quote.admin),
            balance.value()
        ),
    }
}

/// The OtomaX report form as a raw query string (not percent-encoded):
/// `status=<code>&refid=<ref>[&price=<n>]&message=<text>`; a status check or
/// resend repeats the line for the current state.
fn kv(line: &Line) -> String {
    match *line {
        Line::Balance { amount, .. } => format!("Saldo: {}", dotted(amount)),
        Line::Bare { reason } => format!("status={KV_FAILED}&message=GAGAL. {}", capitalized(reason)),
        Line::Refused { call, reason } | Line::Failed { call, reason, .. } => format!(
            "status={}&refid={}&message={} GAGAL. {}",
            kv_code(reason),
            call.ref_id,
            target(call),
            capitalized(reason)
        ),
        Line::NotFound { call } => format!(
            "status={KV_FAILED}&refid={}&message={}",
            call.ref_id,
            capitalized(NOT_FOUND)
        ),
        Line::Success {
            call, trx, charge, ..
        } => format!(
            "status={KV_SUCCESS}&refid={}&price={}&message={} SUKSES. SN/Ref: {}. Saldo {} - {} = {}",
            call.ref_id,
            charge.price.value(),
            target(call),
            sn_or_ref(charge, trx),
            dotted(charge.before),
            dotted(charge.price),
            dotted(charge.after)
        ),
        Line::Pending { call, charge, .. } => format!(
            "status={KV_PENDING}&refid={}&message=Transaksi {} Harga={} akan diproses..",
            call.ref_id,
            target(call),
            dotted(charge.price)
        ),
        Line::Bill { call, quote, .. } => format!(
            "status={KV_SUCCESS}&refid={}&message={} SUKSES. Nama: {}. Tagihan: {}. Admin: {}",
            call.ref_id,
            target(call),
            quote.name,
            dotted(quote.bill),
            dotted(quote.admin)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_in_any_case() {
        for dialect in Dialect::ALL {
            assert_eq!(dialect.name().parse(), Ok(dialect));
            assert_eq!(dialect.name().to_uppercase().parse(), Ok(dialect));
            assert_eq!(dialect.to_string(), dialect.name());
        }
        assert_eq!(Dialect::default(), Dialect::Rone);
        let error = "digiflazz".parse::<Dialect>().unwrap_err();
        assert_eq!(
            error.to_string(),
            "unknown dialect `digiflazz` (one of: rone, otomax, sisa, kv)"
        );
    }

    #[test]
    fn amounts_are_dotted_and_reasons_capitalized() {
        assert_eq!(dotted(Rupiah(4_989_000)), "4.989.000");
        assert_eq!(dotted(Rupiah(750)), "750");
        assert_eq!(capitalized("refID sudah dipakai"), "RefID sudah dipakai");
        assert_eq!(capitalized(""), "");
    }

    #[test]
    fn only_a_wrong_destination_reports_52() {
        assert_eq!(kv_code(WRONG_NUMBER), 52);
        assert_eq!(kv_code(WRONG_CUSTOMER_ID), 52);
        assert_eq!(kv_code("saldo tidak cukup"), 40);
        assert_eq!(kv_code(NOT_FOUND), 40);
    }
}
