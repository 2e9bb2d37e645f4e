//! What the sandbox says, before it is text: the ledger decides a [`Reply`]
//! and a [`Dialect`](super::Dialect) writes it (see `dialect.rs`).
//!
//! Owns: the vocabulary shared by the books and the dialects — a recorded
//! transaction's [`Record`] (center number, time, [`Outcome`]) and how a
//! reply is [`About`] it. Must not: know any wording, or touch balances.

use chrono::NaiveDateTime;

use super::products::Quote;
use super::protocol::Op;
use crate::money::Rupiah;

/// Everything the sandbox can answer, on either endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Reply {
    /// About one well-formed transaction-type call.
    Call { call: Named, about: About },
    /// A refusal that names no call: parameters missing, or a balance call
    /// refused.
    Refused(&'static str),
    /// The balance, at the sandbox's time.
    Balance { amount: Rupiah, at: NaiveDateTime },
}

/// The call a reply names: the call's operation (its verb), and the
/// product, destination and refID the reply repeats.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Named {
    pub op: Op,
    pub product: String,
    pub dest: String,
    pub ref_id: String,
}

/// What a reply to a call says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum About {
    /// The call is refused before anything is recorded or charged.
    Refused(&'static str),
    /// A status check of a refID the center holds nothing for.
    NotFound,
    /// A recorded transaction. `recalled`: a resend or status check of a
    /// topup or payment, which some centers word as "already done at …";
    /// an inquiry's line is always repeated as it was answered.
    Held { record: Record, recalled: bool },
}

/// One transaction as the center recorded it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Record {
    /// The center's own transaction number (`T#…`), one per record.
    pub trx: u64,
    /// When it was recorded (WIB).
    pub at: NaiveDateTime,
    pub outcome: Outcome,
}

/// The result of a topup, inquiry or payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Outcome {
    /// Charged and confirmed.
    Success(Charge),
    /// Charged, not yet confirmed; what it becomes when it is.
    Pending(Charge),
    /// Nothing charged; `balance` is the balance it left.
    Failed {
        reason: &'static str,
        balance: Rupiah,
    },
    /// An inquiry's bill, at the balance of the moment.
    Bill { quote: Quote, balance: Rupiah },
}

/// One deduction from the balance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Charge {
    pub price: Rupiah,
    /// A topup's serial or token; a bill payment has none.
    pub sn: Option<String>,
    pub before: Rupiah,
    pub after: Rupiah,
}
