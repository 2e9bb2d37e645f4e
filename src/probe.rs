//! `loket probe`: an operator's look at how loket reads a center.
//!
//! Owns: one balance call and, when asked, one status check (`cek=1`) of a
//! known refID, each printed as the raw reply beside how loket read it, so
//! an operator can see whether a center's dialect needs `LOKET_REPLY_RULES`.
//! Must not: move money (never a topup, inquiry or payment), or print a
//! PIN, a key or a `sign` (the URL shown is redacted).

use std::fmt::Write as _;

use crate::gateway::request::redact_url;
use crate::gateway::{
    balance_request, transaction_request, BalanceReply, Call, CallError, Credentials,
    GatewayClient, MoneyCall, Operation, Phase, Reader,
};

/// The status check a probe makes, if any.
#[derive(Debug, Clone)]
pub struct ProbeCheck {
    pub ref_id: String,
    pub product: String,
    pub dest: String,
}

/// Runs the probe and returns its report (plain text for the terminal).
pub async fn probe(
    client: &GatewayClient,
    reader: &Reader,
    creds: &Credentials,
    check: Option<&ProbeCheck>,
) -> String {
    let mut out = String::new();
    let request = balance_request(creds);
    let _ = writeln!(out, "balance call: GET {}", request.redacted());
    match client.send(&request).await {
        Ok(body) => {
            let _ = writeln!(out, "  raw reply : {}", one_line(&body));
            let read = match reader.balance(&body) {
                BalanceReply::Balance { amount, at } => format!(
                    "balance {amount}{}",
                    at.map(|at| format!(" at {at}")).unwrap_or_default()
                ),
                BalanceReply::Refused { reason } => format!("refused: {reason}"),
                BalanceReply::Unknown { .. } => {
                    "not readable (add a `balance` rule to LOKET_REPLY_RULES)".to_string()
                }
            };
            let _ = writeln!(out, "  read as   : {read}");
        }
        Err(error) => {
            let _ = writeln!(out, "  no reply  : {}", call_error(&error));
        }
    }
    let Some(check) = check else {
        return out;
    };
    let request = transaction_request(
        creds,
        Operation::Status,
        &check.product,
        &check.dest,
        &check.ref_id,
    );
    let _ = writeln!(out, "status check: GET {}", request.redacted());
    match client.send(&request).await {
        Ok(body) => {
            let call = Call {
                product: &check.product,
                dest: &check.dest,
                ref_id: &check.ref_id,
            };
            let reply = reader.read(&call, &body);
            let _ = writeln!(out, "  raw reply : {}", one_line(&body));
            let _ = writeln!(out, "  about     : {:?}", reply.about(&call));
            let _ = writeln!(out, "  status    : {:?}", reply.status_for(&call));
            for (name, value) in [
                ("price", reply.cost.map(|p| p.to_string())),
                ("sn", reply.sn.clone()),
                ("reason", reply.reason.clone()),
                ("balance", reply.balance.map(|b| b.to_string())),
                ("code", reply.code.map(|c| c.to_string())),
            ] {
                if let Some(value) = value {
                    let _ = writeln!(out, "  {name:<10}: {value}");
                }
            }
            for money in [MoneyCall::Topup, MoneyCall::Payment] {
                let verdict = reader.verdict(money, Phase::Check, &call, &reply);
                let _ = writeln!(out, "  verdict if {money:?}: {verdict:?}");
            }
        }
        Err(error) => {
            let _ = writeln!(out, "  no reply  : {}", call_error(&error));
        }
    }
    out
}

/// A reply on one line, control characters shown escaped, at most 500
/// characters; redacted in case a center echoes the query.
fn one_line(body: &str) -> String {
    let escaped: String = body.escape_debug().take(500).collect();
    redact_url(&escaped)
}

fn call_error(error: &CallError) -> String {
    error.to_string()
}
