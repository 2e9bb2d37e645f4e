//! Wiring: settings → store, gateway client, catalogue → engine. Shared by
//! the `console` and `run` entry points and the load driver (`bench/`) so
//! they build one engine the same way.

use crate::catalog::Catalog;
use crate::engine::{Engine, EngineConfig, Notices};
use crate::gateway::{Credentials, GatewayClient};
use crate::secret::Secret;
use crate::settings::Settings;
use crate::store::{Location, Store};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
}

/// Builds the engine and the receiver of the results it learns later.
/// `default_gateway_url` is used by accounts that name no gateway;
/// `default_account` serves private chats with no account.
pub fn build_engine(
    settings: &Settings,
    location: &Location,
    default_gateway_url: String,
    default_account: Option<Credentials>,
) -> Result<(Engine, Notices), AppError> {
    let store = Store::open(location, settings.secret_key)?;
    let catalog = settings.catalog.clone();
    let mut config = EngineConfig::new(default_gateway_url);
    config.inquiry_ttl = settings.inquiry_ttl;
    config.duplicate_window = settings.duplicate_window;
    config.recheck_after = settings.recheck_after;
    config.default_lang = settings.locale;
    config.balance_sign = settings.balance_sign;
    config.default_account = default_account;
    config.reply_rules = settings.reply_rules.clone();
    Ok(engine_with(
        store,
        catalog,
        config,
        settings.gateway_timeout,
    ))
}

/// An engine on `store` whose gateway calls time out after `timeout`, and
/// the receiver of the results it learns later (tests build theirs here).
pub fn engine_with(
    store: Store,
    catalog: Catalog,
    config: EngineConfig,
    timeout: std::time::Duration,
) -> (Engine, Notices) {
    let (sender, notices) = tokio::sync::mpsc::unbounded_channel();
    let engine = Engine::new(store, GatewayClient::new(timeout), catalog, config, sender);
    (engine, notices)
}

/// The sandbox's demo account on a sandbox at `base_url`.
pub fn demo_account(base_url: &str) -> Credentials {
    Credentials {
        member_id: crate::sandbox::DEMO_MEMBER.to_string(),
        pin: Secret::new(crate::sandbox::DEMO_PIN),
        api_key: Secret::new(crate::sandbox::DEMO_KEY),
        base_url: base_url.to_string(),
        balance_sign: crate::gateway::BalanceSign::Fields,
    }
}

/// Logs to stderr, filtered by `LOKET_LOG` (else `default`, e.g. `info`),
/// coloured only on a terminal. Secrets never reach a log line: requests
/// print redacted.
pub fn init_logging(default: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("LOKET_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}
