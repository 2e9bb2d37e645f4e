//! The R-ONE H2H gateway: signing (`sign`), building calls (`request`),
//! reading replies (`reply`, with an operator's `rules`), what a reply
//! means for a money call (`verdict`) and the HTTP client at the edge
//! (`client`).
//!
//! Everything but `client` is pure and testable without a network. This
//! module knows the protocol, not chats, accounts or the journal.

pub mod client;
pub mod reply;
pub mod request;
pub mod rules;
pub mod sign;
pub mod verdict;

pub use client::{CallError, GatewayClient};
pub use reply::{
    parse_balance, parse_reply, says_no_verdict, says_ref_taken, About, BalanceReply, Call,
    GatewayReply, Mention, Reader, TxStatus,
};
pub use request::{
    balance_request, shown_url, transaction_request, Credentials, GatewayRequest, Operation,
};
pub use rules::{ReplyRules, RuleError};
pub use sign::{BalanceSign, BRAND};
pub use verdict::{MoneyCall, Phase, Verdict};
