//! What a flow came to, as data: a receipt, a bill, a balance, a history
//! line, a question. Flows build these; `render` turns them into text
//! from `locales/` (no flow formats a Rupiah or a time itself), so a
//! receipt can later also be a PNG and a front end can show the same
//! outcome its own way.
//!
//! Owns: the outcome types. Must not: hold text or know a language.

use chrono::{DateTime, Utc};

use crate::model::{EntryKind, EntryState, JournalEntry};
use crate::money::Rupiah;

/// A topup's or payment's result as far as it is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    pub kind: EntryKind,
    pub state: EntryState,
    pub product: String,
    pub dest: String,
    pub ref_id: String,
    /// What the gateway charged the reseller.
    pub cost: Option<Rupiah>,
    pub sn: Option<String>,
    pub reason: Option<String>,
    /// The gateway's own words, when loket could not read them.
    pub unread_words: Option<String>,
}

impl Receipt {
    pub fn of(entry: &JournalEntry) -> Receipt {
        let unread = entry.state == EntryState::Unknown;
        Receipt {
            kind: entry.kind,
            state: entry.state,
            product: entry.product.clone(),
            dest: entry.dest.clone(),
            ref_id: entry.ref_id.clone(),
            cost: entry.cost,
            sn: entry.sn.clone(),
            reason: entry.reason.clone(),
            unread_words: entry
                .raw_reply
                .clone()
                .filter(|raw| unread && !raw.trim().is_empty()),
        }
    }
}

/// A checked bill; payable for `payable_minutes` when that is set, else
/// shown for the record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BillView {
    /// The catalogue family's key (`pln`, `bpjsks`, …).
    pub family: String,
    pub product: String,
    pub dest: String,
    pub name: Option<String>,
    pub bill: Option<Rupiah>,
    pub admin: Option<Rupiah>,
    pub total: Rupiah,
    /// What to collect from the customer, when a `/jual` rule prices it.
    pub collect: Option<Rupiah>,
    pub ref_id: String,
    pub payable_minutes: Option<u64>,
}

/// A balance the gateway reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BalanceView {
    pub member: String,
    pub amount: Rupiah,
    /// The gateway's own time stamp, as it wrote it.
    pub at: Option<String>,
}

/// One line of `riwayat`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryLine {
    pub at: DateTime<Utc>,
    pub product: String,
    pub dest: String,
    pub state: EntryState,
    pub cost: Option<Rupiah>,
    pub ref_id: String,
}

impl HistoryLine {
    pub fn of(entry: &JournalEntry) -> HistoryLine {
        HistoryLine {
            at: entry.created_at,
            product: entry.product.clone(),
            dest: entry.dest.clone(),
            state: entry.state,
            cost: entry.cost,
            ref_id: entry.ref_id.clone(),
        }
    }
}

/// "The same topup went out N minutes ago: send again?"
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepeatQuestion {
    pub product: String,
    pub dest: String,
    pub minutes_ago: i64,
    pub previous: EntryState,
    /// The refID minted for the repeat, sent only on "yes".
    pub ref_id: String,
}

/// "This bill was paid today at 14:05 WIB: pay again?"
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaidTodayQuestion {
    pub product: String,
    pub dest: String,
    pub paid_at: DateTime<Utc>,
    pub cost: Option<Rupiah>,
    pub paid_ref: String,
    /// The inquiry paid on "yes".
    pub inquiry_ref: String,
}

/// A final result that a later answer of the gateway changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Correction {
    pub ref_id: String,
    pub before: EntryState,
    pub now: EntryState,
    /// Charged, when the correction is to success.
    pub cost: Option<Rupiah>,
}

/// A sale's receipt for the customer (`struk`), before it is worded: the
/// text form and the PNG are both made from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Struk {
    pub shop: Option<crate::shop::ShopProfile>,
    pub at: DateTime<Utc>,
    pub kind: StrukKind,
    pub product: String,
    /// The customer number, `@` suffix dropped.
    pub dest: String,
    /// The customer's name, for bills (and tokens whose SN names them).
    pub name: Option<String>,
    /// What the `@` form said: BPJS months, a tax year, a card amount.
    pub period: Option<StrukPeriod>,
    pub sn: Option<String>,
    pub token: Option<crate::shop::PlnToken>,
    /// What the customer pays.
    pub price: Option<Rupiah>,
    pub ref_id: String,
}

/// What kind of sale a receipt is for: its heading and its words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StrukKind {
    /// A PLN prepaid token.
    PlnToken,
    /// Any other prepaid topup.
    Topup,
    /// A bill of this catalogue family (`pln`, `bpjsks`, …).
    Bill(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StrukPeriod {
    Months(u32),
    Year(u32),
    Amount(Rupiah),
}

/// A recap of a period, before it is worded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecapView {
    /// `Senin, 30/11/2026`-style day or a month.
    pub period: crate::command::RecapPeriod,
    /// The WIB day the period was resolved on (for `today`, `yesterday`).
    pub day: chrono::NaiveDate,
    /// In a group: that group's share only.
    pub group_share: bool,
    pub sums: crate::shop::RecapSums,
}
