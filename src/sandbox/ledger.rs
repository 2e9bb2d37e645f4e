//! The sandbox's books: accounts, balances and every refID's transaction,
//! and the rules that move money (SPEC §1: sign, idempotency by refID,
//! inquiry before payment, status echo of the last message held).
//!
//! Owns: all state that a reply depends on, the center's transaction
//! numbers, and the counters. Answers are structured [`Reply`]s; how they
//! read is the dialect's business. Must not: sleep, do I/O, read the clock
//! (the time is passed in) or word a reply, so every rule here is testable
//! without a server and is the same in every dialect. A refID is charged
//! at most once: a topup when it is created, a bill when its first payment
//! lands; nothing else ever deducts.

use std::collections::HashMap;

use chrono::NaiveDateTime;

use super::products::{
    quote, topup_price, topup_serial, DestFault, BILL_PAID, PRODUCT_UNAVAILABLE, WRONG_CUSTOMER_ID,
    WRONG_NUMBER,
};
use super::protocol::{same_sign, BalanceCall, Op, TxCall, BAD_SIGN, UNKNOWN_MEMBER};
use super::reply::{About, Charge, Named, Outcome, Record, Reply};
use super::{SandboxAccount, SandboxStats};
use crate::catalog::Catalog;
use crate::gateway::sign::{balance_sign, transaction_sign, BalanceSign, BRAND};
use crate::money::Rupiah;

const INSUFFICIENT_BALANCE: &str = "saldo tidak cukup";
const REF_ID_USED: &str = "refID sudah dipakai";
const NO_INQUIRY: &str = "belum cek tagihan";
const NOT_AS_INQUIRED: &str = "produk atau tujuan tidak sesuai cek tagihan";

/// The first center transaction number (`T#41168891`, FIELD.md's example).
const FIRST_TRX: u64 = 41_168_891;

/// How an answer leaves the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Delivery {
    Normal,
    /// Answer only after `slow_delay`.
    Slow,
    /// HTTP 500 with an error page instead of the answer.
    ServerError,
    /// HTTP 200 with an HTML page instead of the answer.
    Garbage,
    /// Break the connection instead of answering.
    Drop,
}

/// The ledger's answer to one transaction-type call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Answer {
    /// `None` when nothing was processed and only the fault page goes out.
    pub reply: Option<Reply>,
    pub delivery: Delivery,
}

/// A topup's or payment's record: what a repeat echoes and a status check
/// reads.
#[derive(Debug, Clone)]
struct Held {
    record: Record,
    /// While the outcome is pending: how many status checks still say so.
    checks_left: u32,
}

impl Held {
    fn done(record: Record) -> Held {
        Held {
            record,
            checks_left: 0,
        }
    }

    /// A status check: a pending outcome stays pending for its remaining
    /// checks, then is confirmed for good.
    fn check(&mut self) -> &Record {
        if let Outcome::Pending(charge) = &self.record.outcome {
            if self.checks_left > 0 {
                self.checks_left -= 1;
            } else {
                self.record.outcome = Outcome::Success(charge.clone());
            }
        }
        &self.record
    }
}

#[derive(Debug, Clone)]
enum Kind {
    Topup(Held),
    /// A bill: its inquiry's record (a bill or a failure), and the
    /// payment's once a payment arrived.
    Bill {
        inquiry: Record,
        payment: Option<Held>,
    },
}

#[derive(Debug, Clone)]
struct Transaction {
    product: String,
    dest: String,
    kind: Kind,
    charges: u32,
}

impl Transaction {
    fn is_for(&self, call: &TxCall) -> bool {
        self.product == call.product && self.dest == call.dest
    }

    /// `call` as a reply about this transaction names it: with the
    /// product and destination the transaction was recorded for.
    fn named(&self, call: &TxCall) -> Named {
        Named {
            product: self.product.clone(),
            dest: self.dest.clone(),
            ..named(call)
        }
    }
}

/// `call` as a reply names it.
fn named(call: &TxCall) -> Named {
    Named {
        op: call.op,
        product: call.product.clone(),
        dest: call.dest.clone(),
        ref_id: call.ref_id.clone(),
    }
}

fn about_record(call: Named, record: &Record, recalled: bool) -> Reply {
    Reply::Call {
        call,
        about: About::Held {
            record: record.clone(),
            recalled,
        },
    }
}

fn refusal(call: &TxCall, reason: &'static str) -> Reply {
    Reply::Call {
        call: named(call),
        about: About::Refused(reason),
    }
}

#[derive(Debug, Clone)]
struct Account {
    pin: String,
    api_key: String,
    balance: Rupiah,
    balance_sign: BalanceSign,
    /// By refID; refIDs are unique per account.
    transactions: HashMap<String, Transaction>,
}

#[derive(Debug)]
pub(super) struct Ledger {
    accounts: HashMap<String, Account>,
    catalog: Catalog,
    pending_checks: u32,
    /// The next center transaction number.
    next_trx: u64,
    stats: SandboxStats,
}

impl Ledger {
    pub(super) fn new(accounts: &[SandboxAccount], pending_checks: u32) -> Ledger {
        Ledger {
            accounts: accounts
                .iter()
                .map(|a| {
                    let account = Account {
                        pin: a.pin.clone(),
                        api_key: a.api_key.clone(),
                        balance: a.balance,
                        balance_sign: a.balance_sign,
                        transactions: HashMap::new(),
                    };
                    (a.member_id.clone(), account)
                })
                .collect(),
            catalog: Catalog::builtin(),
            pending_checks,
            next_trx: FIRST_TRX,
            stats: SandboxStats::default(),
        }
    }

    pub(super) fn stats(&self) -> SandboxStats {
        self.stats
    }

    pub(super) fn balance_of(&self, member_id: &str) -> Option<Rupiah> {
        self.accounts.get(member_id).map(|a| a.balance)
    }

    pub(super) fn charges_for(&self, ref_id: &str) -> u32 {
        self.accounts
            .values()
            .filter_map(|a| a.transactions.get(ref_id))
            .map(|t| t.charges)
            .sum()
    }

    /// The refIDs recorded for this product and destination, of every
    /// member, sorted.
    pub(super) fn refs_for(&self, product: &str, dest: &str) -> Vec<String> {
        let mut refs: Vec<String> = self
            .accounts
            .values()
            .flat_map(|a| a.transactions.iter())
            .filter(|(_, t)| t.product == product && t.dest == dest)
            .map(|(ref_id, _)| ref_id.clone())
            .collect();
        refs.sort();
        refs
    }

    /// Counts a transaction-type request as it arrives, before anything else.
    pub(super) fn count_transaction(&mut self, op: Option<Op>) {
        self.stats.requests += 1;
        match op {
            Some(Op::Topup) => self.stats.topups += 1,
            Some(Op::Inquiry) => self.stats.inquiries += 1,
            Some(Op::Payment) => self.stats.payments += 1,
            Some(Op::Status) => self.stats.status_checks += 1,
            None => {}
        }
    }

    /// Counts a balance request as it arrives.
    pub(super) fn count_balance(&mut self) {
        self.stats.requests += 1;
        self.stats.balance_checks += 1;
    }

    /// The balance at `now`, or a refusal that names no call.
    pub(super) fn balance(&mut self, call: &BalanceCall, now: NaiveDateTime) -> Reply {
        let Some(account) = self.accounts.get(&call.member_id) else {
            return Reply::Refused(UNKNOWN_MEMBER);
        };
        let expected = balance_sign(
            account.balance_sign,
            BRAND,
            &call.member_id,
            &account.pin,
            &account.api_key,
        );
        if !same_sign(&expected, &call.sign) {
            self.stats.bad_signs += 1;
            return Reply::Refused(BAD_SIGN);
        }
        Reply::Balance {
            amount: account.balance,
            at: now,
        }
    }

    /// A topup, inquiry, payment or status call at `now`, after its sign
    /// is checked.
    pub(super) fn transaction(&mut self, call: &TxCall, now: NaiveDateTime) -> Answer {
        let Some(account) = self.accounts.get_mut(&call.member_id) else {
            return Answer::reply(refusal(call, UNKNOWN_MEMBER));
        };
        let expected = transaction_sign(
            BRAND,
            &call.member_id,
            &call.product,
            &call.dest,
            &call.ref_id,
            &account.pin,
            &account.api_key,
        );
        if !same_sign(&expected, &call.sign) {
            self.stats.bad_signs += 1;
            return Answer::reply(refusal(call, BAD_SIGN));
        }
        // Status checks always answer normally, so a follow-up learns the truth.
        let fault = match call.op {
            Op::Status => None,
            _ => DestFault::of(&call.dest),
        };
        let delivery = match fault {
            Some(DestFault::Unprocessed) => {
                return Answer {
                    reply: None,
                    delivery: Delivery::ServerError,
                }
            }
            Some(DestFault::Slow) => Delivery::Slow,
            Some(DestFault::ServerError) => Delivery::ServerError,
            Some(DestFault::Garbage) => Delivery::Garbage,
            Some(DestFault::Drop) => Delivery::Drop,
            Some(DestFault::Pending | DestFault::Refused | DestFault::Paid) | None => {
                Delivery::Normal
            }
        };
        let mut teller = Teller {
            account,
            stats: &mut self.stats,
            catalog: &self.catalog,
            clerk: Clerk {
                next_trx: &mut self.next_trx,
                now,
                pending: (fault == Some(DestFault::Pending)).then_some(self.pending_checks),
            },
            refused: fault == Some(DestFault::Refused),
            paid: fault == Some(DestFault::Paid),
            call,
        };
        let reply = match call.op {
            Op::Topup => teller.topup(),
            Op::Inquiry => teller.inquiry(),
            Op::Payment => teller.payment(),
            Op::Status => teller.status(),
        };
        Answer {
            reply: Some(reply),
            delivery,
        }
    }
}

impl Answer {
    fn reply(reply: Reply) -> Answer {
        Answer {
            reply: Some(reply),
            delivery: Delivery::Normal,
        }
    }
}

/// Writes new records: numbers them, stamps the time, and settles a
/// successful charge at once or PENDING first.
struct Clerk<'a> {
    next_trx: &'a mut u64,
    now: NaiveDateTime,
    /// `Some(n)`: a charge is PENDING, and the next `n` status checks still
    /// say so.
    pending: Option<u32>,
}

impl Clerk<'_> {
    fn record(&mut self, outcome: Outcome) -> Record {
        let trx = *self.next_trx;
        *self.next_trx += 1;
        Record {
            trx,
            at: self.now,
            outcome,
        }
    }

    /// A topup's or payment's record: a failure, or a charge settled.
    fn hold(&mut self, result: Result<Charge, Outcome>) -> Held {
        match (result, self.pending) {
            (Err(failed), _) => Held::done(self.record(failed)),
            (Ok(charge), None) => Held::done(self.record(Outcome::Success(charge))),
            (Ok(charge), Some(checks_left)) => Held {
                record: self.record(Outcome::Pending(charge)),
                checks_left,
            },
        }
    }
}

/// Deducts `price` when the balance covers it.
fn charge(
    balance: &mut Rupiah,
    stats: &mut SandboxStats,
    price: Rupiah,
    sn: Option<String>,
) -> Result<Charge, Outcome> {
    let before = *balance;
    if before < price {
        return Err(failed(INSUFFICIENT_BALANCE, before));
    }
    *balance = Rupiah(before.value() - price.value());
    stats.charges += 1;
    Ok(Charge {
        price,
        sn,
        before,
        after: *balance,
    })
}

fn failed(reason: &'static str, balance: Rupiah) -> Outcome {
    Outcome::Failed { reason, balance }
}

/// One call at one account's counter.
struct Teller<'a> {
    account: &'a mut Account,
    stats: &'a mut SandboxStats,
    catalog: &'a Catalog,
    clerk: Clerk<'a>,
    /// The destination asks for a business failure (GAGAL, no charge).
    refused: bool,
    /// The destination's bill is paid: its check is refused as such.
    paid: bool,
    call: &'a TxCall,
}

impl Teller<'_> {
    /// Records a new transaction under the call's refID.
    fn insert(&mut self, kind: Kind, charges: u32) {
        let transaction = Transaction {
            product: self.call.product.clone(),
            dest: self.call.dest.clone(),
            kind,
            charges,
        };
        self.account
            .transactions
            .insert(self.call.ref_id.clone(), transaction);
    }

    fn topup(&mut self) -> Reply {
        let call = self.call;
        if let Some(tx) = self.account.transactions.get(&call.ref_id) {
            return match &tx.kind {
                Kind::Topup(held) if tx.is_for(call) => {
                    about_record(tx.named(call), &held.record, true)
                }
                _ => refusal(call, REF_ID_USED),
            };
        }
        let balance = self.account.balance;
        let result = match topup_price(&call.product) {
            None => Err(failed(PRODUCT_UNAVAILABLE, balance)),
            Some(_) if self.refused => Err(failed(WRONG_NUMBER, balance)),
            Some(price) => {
                let sn = topup_serial(&call.product, &call.dest, &call.ref_id);
                charge(&mut self.account.balance, self.stats, price, Some(sn))
            }
        };
        let charges = u32::from(result.is_ok());
        let held = self.clerk.hold(result);
        let reply = about_record(named(call), &held.record, false);
        self.insert(Kind::Topup(held), charges);
        reply
    }

    fn inquiry(&mut self) -> Reply {
        let call = self.call;
        if let Some(tx) = self.account.transactions.get(&call.ref_id) {
            return match &tx.kind {
                Kind::Bill { inquiry, .. } if tx.is_for(call) => {
                    about_record(tx.named(call), inquiry, false)
                }
                _ => refusal(call, REF_ID_USED),
            };
        }
        let quote = if self.refused {
            Err(WRONG_CUSTOMER_ID)
        } else if self.paid {
            Err(BILL_PAID)
        } else {
            quote(self.catalog, &call.product, &call.dest)
        };
        let balance = self.account.balance;
        let outcome = match quote {
            Ok(quote) => Outcome::Bill { quote, balance },
            Err(reason) => failed(reason, balance),
        };
        let inquiry = self.clerk.record(outcome);
        let reply = about_record(named(call), &inquiry, false);
        let kind = Kind::Bill {
            inquiry,
            payment: None,
        };
        self.insert(kind, 0);
        reply
    }

    fn payment(&mut self) -> Reply {
        let call = self.call;
        let Some(tx) = self.account.transactions.get_mut(&call.ref_id) else {
            return refusal(call, NO_INQUIRY);
        };
        if !tx.is_for(call) {
            return refusal(
                call,
                match tx.kind {
                    Kind::Bill { .. } => NOT_AS_INQUIRED,
                    Kind::Topup(_) => REF_ID_USED,
                },
            );
        }
        let named = tx.named(call);
        let Kind::Bill { inquiry, payment } = &mut tx.kind else {
            return refusal(call, REF_ID_USED);
        };
        if let Some(held) = payment {
            return about_record(named, &held.record, true);
        }
        let Outcome::Bill { quote, .. } = &inquiry.outcome else {
            return refusal(call, NO_INQUIRY);
        };
        let result = charge(&mut self.account.balance, self.stats, quote.total(), None);
        tx.charges += u32::from(result.is_ok());
        let held = payment.insert(self.clerk.hold(result));
        about_record(named, &held.record, false)
    }

    fn status(&mut self) -> Reply {
        let call = self.call;
        let Some(tx) = self.account.transactions.get_mut(&call.ref_id) else {
            return Reply::Call {
                call: named(call),
                about: About::NotFound,
            };
        };
        let named = tx.named(call);
        match &mut tx.kind {
            Kind::Topup(held)
            | Kind::Bill {
                payment: Some(held),
                ..
            } => about_record(named, held.check(), true),
            Kind::Bill { inquiry, .. } => about_record(named, inquiry, false),
        }
    }
}
