//! The records loket keeps: bill inquiries, journal entries of
//! money-moving calls, "send again?" questions and group links, with the
//! small rules that read them (is an inquiry expired, is a state final,
//! who may buy in a group).
//!
//! Owns: the shapes and their serde formats — databases written by
//! earlier versions must keep opening, so a field is never renamed and a
//! new one comes with a default. Must not: do I/O, know how or where the
//! records are stored (that is [`crate::store`]) or format user text.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::gateway::Operation;
use crate::money::Rupiah;
use crate::shop::Pricing;

/// Where an inquiry is in its one-payment life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum InquiryState {
    /// Checked, can be paid until it expires.
    Open,
    /// A payment call has been claimed for it; nobody else may pay.
    Paying,
    Paid,
    /// The payment was refused; a new inquiry is needed.
    Failed,
    Cancelled,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inquiry {
    pub ref_id: String,
    pub chat_id: i64,
    /// The account whose bill this is (private chat id of its owner); one
    /// bill of an account pays once, whichever chat checked it.
    #[serde(default)]
    pub account_id: i64,
    /// Telegram user who asked; only they or the account owner may pay.
    pub requested_by: i64,
    pub product: String,
    pub dest: String,
    pub family: String,
    pub name: Option<String>,
    pub bill: Option<Rupiah>,
    pub admin: Option<Rupiah>,
    pub total: Option<Rupiah>,
    pub created_at: DateTime<Utc>,
    pub state: InquiryState,
}

impl Inquiry {
    pub fn is_expired(&self, now: DateTime<Utc>, ttl: Duration) -> bool {
        now.signed_duration_since(self.created_at)
            .to_std()
            .is_ok_and(|age| age > ttl)
    }
}

/// Kinds of money-moving calls the journal tracks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum EntryKind {
    Topup,
    Payment,
}

impl EntryKind {
    pub fn operation(self) -> Operation {
        match self {
            EntryKind::Topup => Operation::Topup,
            EntryKind::Payment => Operation::Payment,
        }
    }
}

/// The journal's view of a money-moving call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum EntryState {
    /// Written before the call; if still here after a crash, the call may
    /// or may not have reached the gateway.
    Sending,
    Success,
    Failed,
    Pending,
    /// The call's outcome could not be read; it is being checked.
    Unknown,
}

impl EntryState {
    pub fn is_final(self) -> bool {
        matches!(self, EntryState::Success | EntryState::Failed)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournalEntry {
    pub ref_id: String,
    pub chat_id: i64,
    pub user_id: i64,
    /// The user's account (private chat id) whose credentials sign the call.
    pub account_id: i64,
    /// The gateway account (member ID and base URL) that signed the call;
    /// follow-ups only ever use that same account. The URL is kept as
    /// `shown_url` gives it: a password in it is never journaled.
    #[serde(default)]
    pub member_id: String,
    #[serde(default)]
    pub gateway: String,
    /// The chat message to reply to or edit when the result is known.
    pub message_id: Option<i32>,
    pub kind: EntryKind,
    pub product: String,
    pub dest: String,
    pub state: EntryState,
    /// What the gateway charged the reseller (written `price` by earlier
    /// versions).
    #[serde(alias = "price")]
    pub cost: Option<Rupiah>,
    pub sn: Option<String>,
    pub reason: Option<String>,
    /// The last gateway reply, as received (replies carry no secrets).
    pub raw_reply: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// How many times the call itself was sent (always with this refID).
    pub sends: u32,
    /// How many status checks were made.
    pub checks: u32,
    /// Earlier final answers that a later answer corrected, oldest first
    /// (`status REFID` asks the gateway again and may move a final entry).
    #[serde(default)]
    pub history: Vec<EntryEvent>,
    /// The gateway's words last shown to the chat while the call is being
    /// checked, so the same words are not posted twice.
    #[serde(default)]
    pub shown: Option<String>,
    /// The chat was told this call cannot be checked until its account
    /// logs in again (as the same member, on the same gateway).
    #[serde(default)]
    pub unsigned_told: bool,
    /// Telegram (or the console) accepted the message that tells this
    /// entry's final result. Until then it is told again, after a restart
    /// too. Entries written before this existed count as told.
    #[serde(default = "already_told")]
    pub told: bool,
    /// How the sale was priced for the customer when it was made (the
    /// account's `/jual` rule then); `None`: at the gateway's price.
    #[serde(default)]
    pub pricing: Option<Pricing>,
    /// The customer's name the bill's check returned (payments only).
    #[serde(default)]
    pub customer: Option<String>,
    /// The total the bill's check showed (payments only): what a paid
    /// bill cost when the gateway's answer names no price.
    #[serde(default)]
    pub bill_total: Option<Rupiah>,
}

fn already_told() -> bool {
    true
}

impl JournalEntry {
    /// A call about to be sent for the first time: `Sending`, never sent,
    /// never checked, nothing known from the gateway yet.
    ///
    /// `chat_id`, `user_id` and `message_id` say who asked where;
    /// `account_id`, `member_id` and `gateway` (as `shown_url` gives it)
    /// name the gateway account that signs the call.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        ref_id: impl Into<String>,
        kind: EntryKind,
        product: impl Into<String>,
        dest: impl Into<String>,
        chat_id: i64,
        user_id: i64,
        account_id: i64,
        member_id: impl Into<String>,
        gateway: impl Into<String>,
        message_id: Option<i32>,
        now: DateTime<Utc>,
    ) -> JournalEntry {
        JournalEntry {
            ref_id: ref_id.into(),
            chat_id,
            user_id,
            account_id,
            member_id: member_id.into(),
            gateway: gateway.into(),
            message_id,
            kind,
            product: product.into(),
            dest: dest.into(),
            state: EntryState::Sending,
            cost: None,
            sn: None,
            reason: None,
            raw_reply: None,
            created_at: now,
            updated_at: now,
            sends: 0,
            checks: 0,
            history: Vec::new(),
            shown: None,
            unsigned_told: false,
            told: false,
            pricing: None,
            customer: None,
            bill_total: None,
        }
    }
}

/// A final state an entry had before a later answer corrected it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryEvent {
    pub at: DateTime<Utc>,
    pub state: EntryState,
    /// What the gateway charged the reseller (written `price` by earlier
    /// versions).
    #[serde(alias = "price")]
    pub cost: Option<Rupiah>,
    pub sn: Option<String>,
    pub reason: Option<String>,
    pub raw_reply: Option<String>,
}

/// A topup that repeated a recent one, waiting for "send again?".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingConfirmation {
    pub ref_id: String,
    pub chat_id: i64,
    pub user_id: i64,
    pub product: String,
    pub dest: String,
    pub created_at: DateTime<Utc>,
}

/// A group linked to one member's account.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct GroupLink {
    pub owner: i64,
    pub allowed: Vec<i64>,
}

impl GroupLink {
    pub fn may_transact(&self, user_id: i64) -> bool {
        user_id == self.owner || self.allowed.contains(&user_id)
    }
}

/// One bill of an account (product and customer number, `@` suffixes
/// dropped): its newest check, the only one that may be paid, and its
/// latest payment, whose journal entry says whether it is settled.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct BillRecord {
    pub newest: Option<String>,
    pub payment: Option<String>,
}

/// What a payment claim came to. Anything but `Claimed` wrote nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// Claimed: the inquiry is `Paying` and its journal entry is written.
    Claimed(Inquiry),
    /// No such inquiry.
    Missing,
    /// The inquiry is not open (paid, being paid, failed, cancelled).
    NotOpen(InquiryState),
    /// A newer check of the same bill replaced this one.
    Replaced { newest: String },
    /// Another payment of this bill has no final answer yet.
    Unsettled { ref_id: String },
    /// The bill was paid successfully since `paid_since`: ask first.
    PaidRecently(JournalEntry),
    /// The refID is already journaled.
    Journaled,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_written_with_a_price_read_it_as_their_cost() {
        let entry = JournalEntry::new(
            "L1",
            EntryKind::Topup,
            "T10",
            "087712345678",
            7,
            7,
            7,
            "DEMO",
            "http://127.0.0.1:9",
            None,
            Utc::now(),
        );
        let mut old = serde_json::to_value(&entry).expect("serializes");
        let fields = old.as_object_mut().expect("an object");
        fields.remove("cost");
        fields.insert("price".into(), serde_json::json!(11000));
        let read: JournalEntry = serde_json::from_value(old).expect("an old entry reads");
        assert_eq!(read.cost, Some(Rupiah(11_000)));
    }
}

/// An account's low-balance alert (`/saldo minimal 200000`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BalanceWatch {
    pub threshold: Rupiah,
    /// The owner was told the balance went under the threshold; told again
    /// only after a balance at or above it was seen.
    pub alerted: bool,
}

/// A regular customer an account saved (`simpan …`): a product and number
/// to use by name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Customer {
    /// As it is sent: upper-case product, `@` forms kept (BPJS months, a
    /// tax year); a card's amount is not kept.
    pub product: String,
    pub dest: String,
    pub name: String,
    pub saved_at: DateTime<Utc>,
}

/// A `cek semua` run: every saved bill customer of an account checked in
/// one go, from one chat. Kept in the store as it goes, so a restart picks
/// it up where it was: what was checked stays checked, what was in flight
/// is asked again under the same refID (the gateway answers a refID it
/// knows with its own record; no second check is made).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckRun {
    pub id: u64,
    pub account_id: i64,
    pub chat_id: i64,
    /// Who typed `cek semua`: the bills are theirs to pay (and the
    /// account owner's, in a group).
    pub user_id: i64,
    /// The message that started it (the progress message answers it).
    pub message_id: Option<i32>,
    pub started_at: DateTime<Utc>,
    pub items: Vec<RunItem>,
    /// How many bill customers the account had saved when it started
    /// (more than `items` when a run's cap left some out).
    #[serde(default)]
    pub saved: usize,
    /// The summary went out; results after it are added to it.
    pub summary_sent: bool,
    /// Every item has its result; the last versions of its messages are
    /// on their way.
    pub done: bool,
    /// The chat has the last version of the summary: nothing more to
    /// show after a restart.
    #[serde(default)]
    pub told: bool,
}

impl CheckRun {
    /// Items with their result.
    pub fn checked(&self) -> usize {
        self.items.iter().filter(|i| i.state.is_final()).count()
    }

    pub fn all_checked(&self) -> bool {
        self.items.iter().all(|i| i.state.is_final())
    }

    /// What every message slot of this run starts with.
    pub fn slot_prefix(&self) -> String {
        format!("run:{}:", self.id)
    }

    /// The slot of its progress message.
    pub fn progress_slot(&self) -> String {
        format!("{}progress", self.slot_prefix())
    }

    /// The slot of its summary.
    pub fn summary_slot(&self) -> String {
        format!("{}summary", self.slot_prefix())
    }

    /// The run whose summary slot this is.
    pub fn run_of_summary_slot(key: &str) -> Option<u64> {
        key.strip_prefix("run:")?
            .strip_suffix(":summary")?
            .parse()
            .ok()
    }
}

/// One saved customer in a [`CheckRun`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunItem {
    pub name: String,
    /// As saved (`@` forms kept).
    pub product: String,
    pub dest: String,
    pub state: RunItemState,
}

/// Where one customer of a run is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum RunItemState {
    /// Not sent yet.
    Waiting,
    /// Sent under this refID, no answer kept yet.
    Checking { ref_id: String },
    /// Checked: the inquiry with this refID holds the bill (paid by its
    /// own button, once).
    Bill { ref_id: String },
    /// Paid this month already (the journal's payment with this refID):
    /// not checked again.
    PaidAlready { ref_id: String, at: DateTime<Utc> },
    /// The gateway says there is nothing to pay (`sudah lunas`).
    NothingDue { reason: String },
    /// A payment of this bill has no final answer yet: no new check.
    PaymentUnsettled { ref_id: String },
    /// The gateway refused the check.
    Failed { reason: String },
    /// No readable answer: check it by hand.
    Unclear,
    /// A credit card: its amount must be typed each time.
    NeedsAmount,
}

impl RunItemState {
    pub fn is_final(&self) -> bool {
        !matches!(self, RunItemState::Waiting | RunItemState::Checking { .. })
    }
}
