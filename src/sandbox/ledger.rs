//! The sandbox's books: accounts, balances and every refID's transaction,
//! and the rules that move money (SPEC §1: sign, idempotency by refID,
//! inquiry before payment, status echo of the last message held).
//!
//! Owns: all state that a reply depends on, and the counters.
//! Must not: sleep, do I/O or read the clock (the balance timestamp is
//! passed in), so every rule here is testable without a server. A refID is
//! charged at most once: a topup when it is created, a bill when its first
//! payment lands; nothing else ever deducts.

use std::collections::HashMap;

use super::products::{
    quote, topup_price, topup_serial, DestFault, Quote, PRODUCT_UNAVAILABLE, WRONG_CUSTOMER_ID,
    WRONG_NUMBER,
};
use super::protocol::{
    failure, line, same_sign, BalanceCall, Op, TxCall, BAD_SIGN, UNKNOWN_MEMBER,
};
use super::{SandboxAccount, SandboxStats};
use crate::catalog::Catalog;
use crate::gateway::sign::{balance_sign, transaction_sign, BalanceSign, BRAND};
use crate::money::Rupiah;

const INSUFFICIENT_BALANCE: &str = "saldo tidak cukup";
const REF_ID_USED: &str = "refID sudah dipakai";
const NO_INQUIRY: &str = "belum cek tagihan";
const NOT_AS_INQUIRED: &str = "produk atau tujuan tidak sesuai cek tagihan";
/// Must say "not found": the bot tells it apart from a failed transaction.
const NOT_FOUND: &str = "transaksi tidak ditemukan";

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
    pub text: String,
    pub delivery: Delivery,
}

impl Answer {
    fn reply(text: String) -> Answer {
        Answer {
            text,
            delivery: Delivery::Normal,
        }
    }
}

/// The message a refID holds: what a repeat echoes and a status check reads.
#[derive(Debug, Clone)]
enum Held {
    Done(String),
    /// Charged, not yet confirmed: status checks count down, then `then`.
    Pending {
        checks_left: u32,
        body: String,
        then: String,
    },
}

impl Held {
    fn current(&self) -> &str {
        match self {
            Held::Done(body) | Held::Pending { body, .. } => body,
        }
    }

    /// A status check: a pending message stays pending for its remaining
    /// checks, then becomes its final message for good.
    fn check(&mut self) -> String {
        if let Held::Pending {
            checks_left, then, ..
        } = self
        {
            if *checks_left > 0 {
                *checks_left -= 1;
                return self.current().to_string();
            }
            let done = std::mem::take(then);
            *self = Held::Done(done);
        }
        self.current().to_string()
    }
}

#[derive(Debug, Clone)]
enum Kind {
    Topup(Held),
    /// A bill: its inquiry line, the quote when the inquiry succeeded, and
    /// the payment's message once a payment arrived.
    Bill {
        inquiry: String,
        quote: Option<Quote>,
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

    fn line(&self, op: Op, body: &str) -> String {
        line(op.verb(), &self.product, &self.dest, body)
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

    /// `saldo=<n>  @ <now>` or a bare `GAGAL, reason.` line.
    pub(super) fn balance(&mut self, call: &BalanceCall, now: &str) -> String {
        let Some(account) = self.accounts.get(&call.member_id) else {
            return failure(UNKNOWN_MEMBER);
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
            return failure(BAD_SIGN);
        }
        format!("saldo={}  @ {now}", account.balance.value())
    }

    /// A topup, inquiry, payment or status call, after its sign is checked.
    pub(super) fn transaction(&mut self, call: &TxCall) -> Answer {
        let Some(account) = self.accounts.get_mut(&call.member_id) else {
            return Answer::reply(call.refusal(UNKNOWN_MEMBER));
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
            return Answer::reply(call.refusal(BAD_SIGN));
        }
        // Status checks always answer normally, so a follow-up learns the truth.
        let fault = match call.op {
            Op::Status => None,
            _ => DestFault::of(&call.dest),
        };
        let delivery = match fault {
            Some(DestFault::Unprocessed) => {
                return Answer {
                    text: String::new(),
                    delivery: Delivery::ServerError,
                }
            }
            Some(DestFault::Slow) => Delivery::Slow,
            Some(DestFault::ServerError) => Delivery::ServerError,
            Some(DestFault::Garbage) => Delivery::Garbage,
            Some(DestFault::Drop) => Delivery::Drop,
            Some(DestFault::Pending | DestFault::Refused) | None => Delivery::Normal,
        };
        let mut teller = Teller {
            account,
            stats: &mut self.stats,
            catalog: &self.catalog,
            settlement: Settlement {
                pending: (fault == Some(DestFault::Pending)).then_some(self.pending_checks),
                ref_id: &call.ref_id,
            },
            refused: fault == Some(DestFault::Refused),
            call,
        };
        let text = match call.op {
            Op::Topup => teller.topup(),
            Op::Inquiry => teller.inquiry(),
            Op::Payment => teller.payment(),
            Op::Status => teller.status(),
        };
        Answer { text, delivery }
    }
}

/// How a successful charge is answered: at once, or PENDING first.
#[derive(Debug, Clone, Copy)]
struct Settlement<'a> {
    /// `Some(n)`: PENDING, and the next `n` status checks still say so.
    pending: Option<u32>,
    ref_id: &'a str,
}

impl Settlement<'_> {
    fn settle(self, success: String) -> Held {
        match self.pending {
            None => Held::Done(success),
            Some(checks_left) => Held::Pending {
                checks_left,
                body: format!("PENDING, sedang diproses REFID:{}.", self.ref_id),
                then: success,
            },
        }
    }
}

/// Deducts `price` when the balance covers it.
fn charge(
    balance: &mut Rupiah,
    stats: &mut SandboxStats,
    price: Rupiah,
) -> Result<(), &'static str> {
    if *balance < price {
        return Err(INSUFFICIENT_BALANCE);
    }
    *balance = Rupiah(balance.value() - price.value());
    stats.charges += 1;
    Ok(())
}

/// One call at one account's counter.
struct Teller<'a> {
    account: &'a mut Account,
    stats: &'a mut SandboxStats,
    catalog: &'a Catalog,
    settlement: Settlement<'a>,
    /// The destination asks for a business failure (GAGAL, no charge).
    refused: bool,
    call: &'a TxCall,
}

impl Teller<'_> {
    fn record(&mut self, kind: Kind, charges: u32) {
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

    fn topup(&mut self) -> String {
        let call = self.call;
        if let Some(tx) = self.account.transactions.get(&call.ref_id) {
            return match &tx.kind {
                Kind::Topup(held) if tx.is_for(call) => tx.line(Op::Topup, held.current()),
                _ => call.refusal(REF_ID_USED),
            };
        }
        let (held, charges) = match topup_price(&call.product) {
            None => (Held::Done(failure(PRODUCT_UNAVAILABLE)), 0),
            Some(_) if self.refused => (Held::Done(failure(WRONG_NUMBER)), 0),
            Some(price) => match charge(&mut self.account.balance, self.stats, price) {
                Err(reason) => (Held::Done(failure(reason)), 0),
                Ok(()) => {
                    let sn = topup_serial(&call.product, &call.dest, &call.ref_id);
                    let success = format!(
                        "SUKSES, HRG:{} SN:{sn} REFID:{}.",
                        price.value(),
                        call.ref_id
                    );
                    (self.settlement.settle(success), 1)
                }
            },
        };
        let text = line(Op::Topup.verb(), &call.product, &call.dest, held.current());
        self.record(Kind::Topup(held), charges);
        text
    }

    fn inquiry(&mut self) -> String {
        let call = self.call;
        if let Some(tx) = self.account.transactions.get(&call.ref_id) {
            return match &tx.kind {
                Kind::Bill { inquiry, .. } if tx.is_for(call) => tx.line(Op::Inquiry, inquiry),
                _ => call.refusal(REF_ID_USED),
            };
        }
        let quote = if self.refused {
            Err(WRONG_CUSTOMER_ID)
        } else {
            quote(self.catalog, &call.product, &call.dest)
        };
        let inquiry = match &quote {
            Ok(q) => format!(
                "SUKSES, DATA:{} TAGIHAN:{} ADMIN:{}.",
                q.name,
                q.bill.value(),
                q.admin.value()
            ),
            Err(reason) => failure(reason),
        };
        let text = line(Op::Inquiry.verb(), &call.product, &call.dest, &inquiry);
        let kind = Kind::Bill {
            inquiry,
            quote: quote.ok(),
            payment: None,
        };
        self.record(kind, 0);
        text
    }

    fn payment(&mut self) -> String {
        let call = self.call;
        let Some(tx) = self.account.transactions.get_mut(&call.ref_id) else {
            return call.refusal(NO_INQUIRY);
        };
        if !tx.is_for(call) {
            return call.refusal(match tx.kind {
                Kind::Bill { .. } => NOT_AS_INQUIRED,
                Kind::Topup(_) => REF_ID_USED,
            });
        }
        let Kind::Bill { quote, payment, .. } = &mut tx.kind else {
            return call.refusal(REF_ID_USED);
        };
        if let Some(held) = payment {
            let body = held.current().to_string();
            return tx.line(Op::Payment, &body);
        }
        let Some(total) = quote.as_ref().map(Quote::total) else {
            return call.refusal(NO_INQUIRY);
        };
        let held = match charge(&mut self.account.balance, self.stats, total) {
            Err(reason) => Held::Done(failure(reason)),
            Ok(()) => {
                tx.charges += 1;
                let success = format!("SUKSES, HRG:{} REFID:{}.", total.value(), call.ref_id);
                self.settlement.settle(success)
            }
        };
        let body = held.current().to_string();
        *payment = Some(held);
        tx.line(Op::Payment, &body)
    }

    fn status(&mut self) -> String {
        let call = self.call;
        let Some(tx) = self.account.transactions.get_mut(&call.ref_id) else {
            return line(
                Op::Status.verb(),
                &call.product,
                &call.dest,
                &failure(NOT_FOUND),
            );
        };
        let body = match &mut tx.kind {
            Kind::Topup(held)
            | Kind::Bill {
                payment: Some(held),
                ..
            } => held.check(),
            Kind::Bill { inquiry, .. } => inquiry.clone(),
        };
        tx.line(Op::Status, &body)
    }
}
