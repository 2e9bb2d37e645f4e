//! The R-ONE H2H gateway: signing (`sign`), building calls (`request`),
//! reading replies (`reply`) and the HTTP client at the edge (`client`).
//!
//! Everything but `client` is pure and testable without a network. This
//! module knows the protocol, not chats, accounts or the journal.

pub mod client;
pub mod reply;
pub mod request;
pub mod sign;

pub use client::{CallError, GatewayClient};
pub use reply::{
    parse_balance, parse_reply, says_no_verdict, says_ref_taken, BalanceReply, GatewayReply,
    TxStatus,
};
pub use request::{balance_request, transaction_request, Credentials, GatewayRequest, Operation};
pub use sign::{BalanceSign, BRAND};
