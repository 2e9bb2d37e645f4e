//! Wiring: settings → store, gateway client, catalogue → engine. Shared by
//! the `console` and `run` entry points and the load driver (`bench/`) so
//! they build one engine the same way. Also the [`UpdateGate`] a front end
//! passes every update through (`LOKET_MAX_UPDATES`).

use std::future::Future;
use std::sync::Arc;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

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

/// `loket export`: one account's transactions of `month` as CSV, read from
/// the data dir (the file `/ekspor` sends, in the default language).
pub fn export_month(
    settings: &Settings,
    account_id: i64,
    month: crate::command::Month,
) -> Result<Vec<u8>, AppError> {
    let store = Store::open(
        &Location::Dir(settings.data_dir.clone()),
        settings.secret_key,
    )?;
    let entries = store.account_entries_between(
        account_id,
        crate::wib::start_of(month.first_day()),
        crate::wib::start_of(month.next().first_day()),
    )?;
    Ok(crate::engine::shop::export_csv(
        &crate::i18n::Locales::load(),
        settings.locale,
        &entries,
    ))
}

/// `loket restore FILE`: the backup in `file` into the (new, empty) data
/// dir, under `LOKET_SECRET_KEY` or the key file put there first.
pub fn restore(
    settings: &Settings,
    file: &std::path::Path,
) -> Result<crate::store::backup::Restored, AppError> {
    let input = std::fs::File::open(file).map_err(|source| crate::store::StoreError::Io {
        path: file.display().to_string(),
        source,
    })?;
    let mut input = std::io::BufReader::new(input);
    Ok(crate::store::backup::restore(
        &settings.data_dir,
        &mut input,
        settings.secret_key,
    )?)
}

/// `loket rekey`: every secret of the stopped data dir sealed again under
/// `LOKET_NEW_SECRET_KEY`, from `LOKET_SECRET_KEY` (or the key file,
/// which is then replaced).
pub fn rekey(settings: &Settings) -> Result<crate::store::Rekeyed, AppError> {
    let new = settings.new_secret_key.ok_or_else(|| {
        crate::store::StoreError::Key(
            "set LOKET_NEW_SECRET_KEY to the new key (64 hex characters or base64 of 32 bytes)"
                .into(),
        )
    })?;
    Ok(crate::store::rekey(
        &settings.data_dir,
        settings.secret_key,
        new,
    )?)
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
    config.gateway_calls_per_account = settings.gateway_calls_per_account;
    config.check_all_summary_after = settings.check_all_wait;
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

/// At most N updates handled at once (`LOKET_MAX_UPDATES`); the rest wait
/// for a turn, first come first served. A front end takes a turn around
/// each update, so a flood of messages queues instead of holding a task,
/// a gateway connection and a Bot API connection each. Cheap to clone;
/// clones share the turns.
#[derive(Debug, Clone)]
pub struct UpdateGate {
    turns: Arc<Semaphore>,
    max: usize,
}

/// One update's turn; it ends when this is dropped.
#[derive(Debug)]
pub struct UpdateTurn {
    _permit: OwnedSemaphorePermit,
}

impl UpdateGate {
    /// `max` below 1 is taken as 1: no update would ever be handled.
    pub fn new(max: usize) -> UpdateGate {
        let max = max.clamp(1, Semaphore::MAX_PERMITS);
        UpdateGate {
            turns: Arc::new(Semaphore::new(max)),
            max,
        }
    }

    /// The gate `settings.max_updates` asks for.
    pub fn from_settings(settings: &Settings) -> UpdateGate {
        UpdateGate::new(settings.max_updates)
    }

    /// Waits for a turn; hold it while the update is handled (e.g. move it
    /// into the task that handles it).
    pub async fn enter(&self) -> UpdateTurn {
        let permit = self
            .turns
            .clone()
            .acquire_owned()
            .await
            .expect("the update gate is never closed");
        UpdateTurn { _permit: permit }
    }

    /// Runs `work` in a turn of its own.
    pub async fn run<F: Future>(&self, work: F) -> F::Output {
        let _turn = self.enter().await;
        work.await
    }

    /// How many updates are being handled now.
    pub fn in_use(&self) -> usize {
        self.max - self.turns.available_permits()
    }

    pub fn max(&self) -> usize {
        self.max
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn no_more_than_max_updates_are_handled_at_once_and_the_rest_wait_their_turn() {
        let gate = UpdateGate::new(3);
        let inside = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        let handled = Arc::new(AtomicUsize::new(0));
        let updates: Vec<_> = (0..10)
            .map(|_| {
                let (gate, inside, peak, handled) =
                    (gate.clone(), inside.clone(), peak.clone(), handled.clone());
                tokio::spawn(async move {
                    gate.run(async {
                        let now = inside.fetch_add(1, Ordering::SeqCst) + 1;
                        peak.fetch_max(now, Ordering::SeqCst);
                        tokio::time::sleep(Duration::from_millis(30)).await;
                        inside.fetch_sub(1, Ordering::SeqCst);
                        handled.fetch_add(1, Ordering::SeqCst);
                    })
                    .await;
                })
            })
            .collect();
        for update in updates {
            update.await.expect("update task");
        }
        assert_eq!(handled.load(Ordering::SeqCst), 10, "every update handled");
        assert_eq!(peak.load(Ordering::SeqCst), 3, "three at once, never more");
        assert_eq!(gate.in_use(), 0, "every turn given back");
    }

    #[tokio::test]
    async fn a_held_turn_keeps_the_next_update_waiting() {
        let gate = UpdateGate::new(1);
        let turn = gate.enter().await;
        assert_eq!(gate.in_use(), 1);
        let waiting = tokio::time::timeout(Duration::from_millis(50), gate.enter()).await;
        assert!(waiting.is_err(), "the second update waits");
        drop(turn);
        let _next = tokio::time::timeout(Duration::from_secs(1), gate.enter())
            .await
            .expect("a freed turn goes to the waiting update");
        assert_eq!(UpdateGate::new(0).max(), 1);
    }
}
