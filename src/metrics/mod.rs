//! What loket counts for the person who runs it: calls for users' commands
//! and how they ended, gateway latency, Telegram's refusals, updates
//! handled — and what `/healthz` reports: the database and the Bot API's
//! last long poll. The journal's own numbers (entries still being checked,
//! the age of the oldest) are read from the journal at each scrape
//! (`endpoint`), not counted here.
//!
//! The instruments are prometheus-client's (counters, a histogram, an
//! explicit registry built by `endpoint`; no global recorder, so every
//! engine a test builds counts on its own). Counting costs an atomic add;
//! it runs whether or not `LOKET_METRICS` serves it.
//!
//! Owns: every metric's name, HELP text and label set. Labels are closed
//! vocabularies (kinds, states, operations, reasons): never a member ID,
//! chat, refID, product, number, URL, token or anything a user typed.
//! Must not: read the store, or decide anything.

pub mod endpoint;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;
use tokio::time::Instant;

use crate::gateway::CallError;

/// A command's call to the gateway, as the operator counts them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallKind {
    Topup,
    Payment,
    /// A bill check (`cek`).
    Inquiry,
    /// A `saldo`.
    Balance,
}

impl CallKind {
    fn label(self) -> &'static str {
        match self {
            CallKind::Topup => "topup",
            CallKind::Payment => "payment",
            CallKind::Inquiry => "inquiry",
            CallKind::Balance => "balance",
        }
    }
}

/// How a call ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallState {
    Success,
    /// The gateway said no (a topup's or payment's final GAGAL, a wrong
    /// customer number, a refused balance call).
    Failed,
    /// No readable answer (a bill check or balance only: a topup or
    /// payment without one is followed until it is final).
    Unknown,
}

impl CallState {
    fn label(self) -> &'static str {
        match self {
            CallState::Success => "success",
            CallState::Failed => "failed",
            CallState::Unknown => "unknown",
        }
    }
}

/// A Telegram update loket handled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpdateKind {
    Message,
    EditedMessage,
    CallbackQuery,
}

impl UpdateKind {
    fn label(self) -> &'static str {
        match self {
            UpdateKind::Message => "message",
            UpdateKind::EditedMessage => "edited_message",
            UpdateKind::CallbackQuery => "callback_query",
        }
    }
}

/// Why Telegram did not take a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TelegramFailure {
    /// HTTP 429 (`retry_after`): loket sent faster than Telegram allows.
    RateLimited,
    /// The Bot API's own trouble (5xx, an answer that is not its JSON).
    Server,
    /// No answer: connection refused or broken, a timeout.
    Network,
    /// Refused for good (blocked by the user, chat not found, bad request).
    Refused,
}

impl TelegramFailure {
    fn label(self) -> &'static str {
        match self {
            TelegramFailure::RateLimited => "rate_limited",
            TelegramFailure::Server => "server",
            TelegramFailure::Network => "network",
            TelegramFailure::Refused => "refused",
        }
    }
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CallLabels {
    kind: &'static str,
    state: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OperationLabels {
    operation: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct GatewayErrorLabels {
    operation: &'static str,
    error: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ReasonLabels {
    reason: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct UpdateLabels {
    kind: &'static str,
}

/// Upper bounds of the gateway latency buckets, in seconds: fine under a
/// second (a healthy center), then up to the default 60 s timeout, with
/// 10 s (the alert on p95) a bound of its own.
const GATEWAY_BUCKETS: [f64; 12] = [
    0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 15.0, 20.0, 30.0, 60.0,
];

fn gateway_histogram() -> Histogram {
    Histogram::new(GATEWAY_BUCKETS)
}

/// loket's instruments. Cheap to clone; clones count into the same ones.
#[derive(Clone, Debug, Default)]
pub struct Metrics {
    inner: Arc<Instruments>,
}

#[derive(Debug)]
struct Instruments {
    calls: Family<CallLabels, Counter>,
    followups_given_up: Counter,
    gateway_seconds: Family<OperationLabels, Histogram, fn() -> Histogram>,
    gateway_errors: Family<GatewayErrorLabels, Counter>,
    telegram_failures: Family<ReasonLabels, Counter>,
    telegram_undelivered: Counter,
    poll_failures: Counter,
    updates: Family<UpdateLabels, Counter>,
    bot_api: Mutex<BotApiState>,
}

impl Default for Instruments {
    fn default() -> Instruments {
        Instruments {
            calls: Family::default(),
            followups_given_up: Counter::default(),
            gateway_seconds: Family::new_with_constructor(gateway_histogram),
            gateway_errors: Family::default(),
            telegram_failures: Family::default(),
            telegram_undelivered: Counter::default(),
            poll_failures: Counter::default(),
            updates: Family::default(),
            bot_api: Mutex::new(BotApiState::NotPolledYet),
        }
    }
}

impl Metrics {
    pub fn new() -> Metrics {
        Metrics::default()
    }

    /// A command's call ended (a topup or payment: its journal entry
    /// turned final, which happens once per entry).
    pub fn call(&self, kind: CallKind, state: CallState) {
        self.inner
            .calls
            .get_or_create(&CallLabels {
                kind: kind.label(),
                state: state.label(),
            })
            .inc();
    }

    /// An unfinished call was followed for the whole window and handed to
    /// a human.
    pub fn followup_given_up(&self) {
        self.inner.followups_given_up.inc();
    }

    /// One HTTP call to a gateway took `elapsed`; `error` says why it gave
    /// no readable reply, if it did not.
    pub fn gateway_call(
        &self,
        operation: &'static str,
        elapsed: Duration,
        error: Option<&CallError>,
    ) {
        self.inner
            .gateway_seconds
            .get_or_create(&OperationLabels { operation })
            .observe(elapsed.as_secs_f64());
        if let Some(error) = error {
            let error = match error {
                CallError::Timeout => "timeout",
                CallError::Connect => "connect",
                CallError::Status(_) => "status",
                CallError::Broken => "broken",
            };
            self.inner
                .gateway_errors
                .get_or_create(&GatewayErrorLabels { operation, error })
                .inc();
        }
    }

    /// Telegram did not take one call (it may be retried).
    pub fn telegram_failure(&self, why: TelegramFailure) {
        self.inner
            .telegram_failures
            .get_or_create(&ReasonLabels {
                reason: why.label(),
            })
            .inc();
    }

    /// A message was given up: Telegram never took it.
    pub fn telegram_undelivered(&self) {
        self.inner.telegram_undelivered.inc();
    }

    pub fn update(&self, kind: UpdateKind) {
        self.inner
            .updates
            .get_or_create(&UpdateLabels { kind: kind.label() })
            .inc();
    }

    /// A `getUpdates` answered.
    pub fn poll_succeeded(&self) {
        *self.bot_api() = BotApiState::Polled {
            ok: true,
            at: Instant::now(),
        };
    }

    /// A `getUpdates` failed (refused, unreachable, broken).
    pub fn poll_failed(&self) {
        self.inner.poll_failures.inc();
        *self.bot_api() = BotApiState::Polled {
            ok: false,
            at: Instant::now(),
        };
    }

    /// Updates come by webhook: there is no poll to watch.
    pub fn webhook_mode(&self) {
        *self.bot_api() = BotApiState::Webhook;
    }

    /// What the Bot API's last poll says about loket's health at `now`.
    pub fn bot_api_health(&self, now: Instant) -> BotApiHealth {
        BotApiHealth::of(*self.bot_api(), now, POLL_FRESH_FOR)
    }

    fn bot_api(&self) -> std::sync::MutexGuard<'_, BotApiState> {
        self.inner
            .bot_api
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Registers every instrument with `registry`, under its name and HELP
    /// text (prometheus-client adds `_total` to counters).
    fn register(&self, registry: &mut Registry) {
        let m = &self.inner;
        registry.register(
            "loket_money_calls",
            "Calls for users' commands by kind (topup, payment, inquiry, balance) and how they \
             ended: a topup or payment once, when its journal entry turns final (success, \
             failed); a bill check or saldo when answered (success, failed, unknown: no readable \
             answer)",
            m.calls.clone(),
        );
        registry.register(
            "loket_followups_given_up",
            "Topups and payments followed for the whole follow-up window (24 h) without a final \
             answer; each was handed to a human (the chat was told to ask the gateway's support)",
            m.followups_given_up.clone(),
        );
        registry.register(
            "loket_gateway_call_duration_seconds",
            "One HTTP call to a gateway, from sending to the whole reply or the error, by \
             operation (topup, payment, inquiry, status, balance); a retry is a call of its own",
            m.gateway_seconds.clone(),
        );
        registry.register(
            "loket_gateway_call_errors",
            "Gateway calls without a readable reply, by operation and error (timeout, connect, \
             status: a non-2xx HTTP status, broken: the reply was cut off)",
            m.gateway_errors.clone(),
        );
        registry.register(
            "loket_telegram_failures",
            "Bot API calls Telegram did not take, by reason (rate_limited: HTTP 429; server: a \
             5xx or unreadable answer; network; refused: for good, e.g. blocked by the user); \
             messages are retried",
            m.telegram_failures.clone(),
        );
        registry.register(
            "loket_telegram_undelivered",
            "Messages Telegram never took after every retry; a money result among them is told \
             again at the next start",
            m.telegram_undelivered.clone(),
        );
        registry.register(
            "loket_bot_api_poll_failures",
            "Long polls (getUpdates) that failed: the Bot API refused them or was unreachable",
            m.poll_failures.clone(),
        );
        registry.register(
            "loket_updates",
            "Telegram updates handled, by kind (message, edited_message, callback_query)",
            m.updates.clone(),
        );
    }
}

/// A last poll older than this is no proof the Bot API answers now: a
/// long poll returns at least every 10 s.
pub const POLL_FRESH_FOR: Duration = Duration::from_secs(120);

/// What loket last heard from the Bot API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BotApiState {
    NotPolledYet,
    Polled { ok: bool, at: Instant },
    Webhook,
}

/// The Bot API's part of `/healthz`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BotApiHealth {
    /// The last poll answered, `ago`.
    Answered {
        ago: Duration,
    },
    /// The last poll failed, `ago`.
    Failed {
        ago: Duration,
    },
    /// The last poll answered, but longer ago than a long poll lasts.
    Silent {
        ago: Duration,
    },
    NotPolledYet,
    /// Webhook mode: Telegram calls loket; nothing to poll.
    Webhook,
}

impl BotApiHealth {
    /// Healthy only when the last poll answered within `fresh_for`.
    pub fn of(state: BotApiState, now: Instant, fresh_for: Duration) -> BotApiHealth {
        match state {
            BotApiState::NotPolledYet => BotApiHealth::NotPolledYet,
            BotApiState::Webhook => BotApiHealth::Webhook,
            BotApiState::Polled { ok, at } => {
                let ago = now.saturating_duration_since(at);
                match ok {
                    false => BotApiHealth::Failed { ago },
                    true if ago > fresh_for => BotApiHealth::Silent { ago },
                    true => BotApiHealth::Answered { ago },
                }
            }
        }
    }

    pub fn is_healthy(self) -> bool {
        matches!(self, BotApiHealth::Answered { .. } | BotApiHealth::Webhook)
    }
}

impl std::fmt::Display for BotApiHealth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BotApiHealth::Answered { ago } => {
                write!(
                    f,
                    "ok: the last getUpdates answered {} s ago",
                    ago.as_secs()
                )
            }
            BotApiHealth::Failed { ago } => {
                write!(
                    f,
                    "failing: the last getUpdates failed {} s ago",
                    ago.as_secs()
                )
            }
            BotApiHealth::Silent { ago } => {
                write!(f, "silent: no getUpdates answered for {} s", ago.as_secs())
            }
            BotApiHealth::NotPolledYet => f.write_str("starting: no getUpdates answered yet"),
            BotApiHealth::Webhook => f.write_str("ok: webhook mode (Telegram calls loket)"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_recent_answered_poll_is_healthy() {
        let at = Instant::now();
        let fresh = Duration::from_secs(120);
        let later = |secs| at + Duration::from_secs(secs);
        let cases = [
            (BotApiState::NotPolledYet, 0, false),
            (BotApiState::Polled { ok: true, at }, 0, true),
            (BotApiState::Polled { ok: true, at }, 120, true),
            (BotApiState::Polled { ok: true, at }, 121, false),
            (BotApiState::Polled { ok: false, at }, 0, false),
            (BotApiState::Webhook, 0, true),
        ];
        for (state, secs, healthy) in cases {
            let health = BotApiHealth::of(state, later(secs), fresh);
            assert_eq!(
                health.is_healthy(),
                healthy,
                "{state:?} after {secs} s: {health}"
            );
        }
    }
}
