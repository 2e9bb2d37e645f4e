//! The Telegram front end: teloxide's dispatcher in front of the engine.
//!
//! This file owns starting up (the Bot API, the command menus, results
//! not told yet, the metrics endpoint), long polling or the webhook, and
//! stopping on SIGINT/SIGTERM; `polling` is the long poll that reports
//! each `getUpdates` for `/healthz`; `updates` turns updates into engine
//! inputs; `outbox` makes every call to Telegram (paced, retried, results
//! marked told).
//! Must not: decide anything about accounts, money or text (the engine
//! and `locales/` do).
//!
//! Text is sent without a parse mode, so gateway text needs no escaping and
//! can never break formatting; long text is split under Telegram's 4096
//! character limit.

use std::net::SocketAddr;
use std::time::Duration;

mod outbox;
mod polling;
mod updates;

pub use outbox::{Limits, Outbox};
pub use updates::handler_tree;

use teloxide::dispatching::{DefaultKey, Dispatcher};
use teloxide::prelude::*;
use teloxide::types::{BotCommand, BotCommandScope, Me};
use teloxide::update_listeners::{webhooks, UpdateListener};
use teloxide::RequestError;
use tokio::signal::unix::{signal, SignalKind};
use tokio::sync::watch;

use crate::app::build_engine;
use crate::command::{self, Audience, Lang};
use crate::engine::{Engine, Notices};
use crate::settings::Settings;
use crate::store::Location;

/// Telegram's message length limit, in characters (kept a little under).
pub const MAX_MESSAGE_CHARS: usize = 4000;

#[derive(Debug, thiserror::Error)]
pub enum TelegramError {
    #[error("TELOXIDE_TOKEN is not set: create a bot with @BotFather and export its token")]
    NoToken,
    #[error("TELOXIDE_API_URL is not a valid URL: {0}")]
    BadApiUrl(String),
    #[error("LOKET_WEBHOOK_URL is not a valid URL: {0}")]
    BadWebhookUrl(String),
    #[error("cannot reach the Telegram Bot API: {0}")]
    Api(#[from] RequestError),
    #[error(transparent)]
    App(#[from] crate::app::AppError),
    #[error("cannot start the sandbox gateway: {0}")]
    Sandbox(std::io::Error),
    #[error("cannot listen for SIGINT/SIGTERM: {0}")]
    Signals(std::io::Error),
    #[error("webhook listener: {0}")]
    Webhook(String),
    #[error(transparent)]
    Metrics(#[from] crate::metrics::endpoint::EndpointError),
}

/// `loket run`: the Telegram bot with settings from the environment.
pub async fn run(settings: Settings) -> Result<(), TelegramError> {
    let token = std::env::var("TELOXIDE_TOKEN").map_err(|_| TelegramError::NoToken)?;
    let mut bot = Bot::new(token);
    if let Ok(api_url) = std::env::var("TELOXIDE_API_URL") {
        let url = url::Url::parse(api_url.trim_end_matches('/'))
            .map_err(|e| TelegramError::BadApiUrl(e.to_string()))?;
        bot = bot.set_api_url(url);
    }

    // Without a configured gateway, accounts use the built-in sandbox.
    let mut _sandbox = None;
    let gateway_url = match &settings.gateway_url {
        Some(url) => url.clone(),
        None => {
            let loopback = "127.0.0.1:0".parse().expect("loopback address");
            let handle = crate::sandbox::spawn(loopback, crate::sandbox::SandboxConfig::default())
                .await
                .map_err(TelegramError::Sandbox)?;
            let url = handle.base_url();
            tracing::info!(%url, "no LOKET_GATEWAY_URL: using the built-in sandbox gateway (demo: /login DEMO 0000 demo)");
            _sandbox = Some(handle);
            url
        }
    };
    let (engine, notices) = build_engine(
        &settings,
        &Location::Dir(settings.data_dir.clone()),
        gateway_url,
        None,
    )?;
    let _backups = crate::backups::start(
        &settings,
        engine.store(),
        &settings.data_dir,
        crate::clock::system(),
    );
    serve(bot, engine, notices, &settings).await
}

/// Runs the dispatcher until SIGINT/SIGTERM; in-flight handlers finish
/// first. A stop asked for while starting up is honoured too. Separate
/// from `run` so tests can drive a bot they built.
pub async fn serve(
    bot: Bot,
    engine: Engine,
    mut notices: Notices,
    settings: &Settings,
) -> Result<(), TelegramError> {
    let stop = stop_requests().map_err(TelegramError::Signals)?;
    // Up first, so /healthz says "starting" rather than nothing.
    let endpoint = match settings.metrics {
        Some(listen) => Some(
            crate::metrics::endpoint::Endpoint::start(
                listen,
                engine.metrics().clone(),
                engine.store().clone(),
                engine.config().clock.clone(),
            )
            .await?,
        ),
        None => None,
    };
    let outbox = Outbox::new(bot.clone(), engine.clone(), Limits::of(settings.throttle));
    let Some(me) = unless_stopped(&stop, start_up(&bot, &outbox, &engine, settings)).await else {
        tracing::info!("stopped while starting up");
        return Ok(());
    };
    let me = me?;

    // Results learned later go out through the outbox as they come.
    let delivering = {
        let outbox = outbox.clone();
        tokio::spawn(async move {
            while let Some(notice) = notices.recv().await {
                outbox.notice(notice);
            }
        })
    };
    // Results the last run knew but Telegram never took.
    let untold = engine.untold();
    if !untold.is_empty() {
        tracing::info!(
            count = untold.len(),
            "telling results not told before the last stop"
        );
    }
    for notice in untold {
        outbox.notice(notice);
    }
    let resumed = engine.resume_unfinished();
    if resumed > 0 {
        tracing::info!(count = resumed, "following unfinished journal entries");
    }
    let recaps = engine.spawn_recap_schedule(crate::engine::shop::RECAP_CHECK_EVERY);

    let mut dispatcher = Dispatcher::builder(bot.clone(), handler_tree())
        .dependencies(dptree::deps![
            engine.clone(),
            outbox.clone(),
            crate::app::UpdateGate::from_settings(settings),
            me
        ])
        .default_handler(|_| async {})
        .build();
    let served = match (&settings.webhook_url, settings.listen) {
        (Some(url), listen) => {
            serve_webhook(&mut dispatcher, &bot, engine.metrics(), url, listen, &stop).await
        }
        (None, _) => {
            let polling = unless_stopped(
                &stop,
                polling::watched_polling(bot.clone(), engine.metrics().clone()),
            )
            .await;
            if let Some(polling) = polling {
                dispatch_until_stopped(&mut dispatcher, polling, &stop, "long polling error").await;
            }
            Ok(())
        }
    };

    // Results already known are still told, within a bound; one not told
    // is told at the next start.
    recaps.abort();
    tokio::task::yield_now().await;
    if !outbox.drain(NOTICE_GRACE).await {
        tracing::warn!("stopped before every message was delivered; results not told are told at the next start");
    }
    delivering.abort();
    if let Err(e) = engine.store().flush().await {
        tracing::error!(error = %e, "final flush of the database failed");
    }
    if let Some(endpoint) = endpoint {
        endpoint.stop().await;
    }
    tracing::info!("stopped");
    served
}

type LoketDispatcher = Dispatcher<Bot, RequestError, DefaultKey>;

/// Webhook mode: serves Telegram's POSTs on `listen` until stopped.
async fn serve_webhook(
    dispatcher: &mut LoketDispatcher,
    bot: &Bot,
    metrics: &crate::metrics::Metrics,
    url: &str,
    listen: Option<SocketAddr>,
    stop: &watch::Receiver<bool>,
) -> Result<(), TelegramError> {
    let url = url::Url::parse(url).map_err(|e| TelegramError::BadWebhookUrl(e.to_string()))?;
    metrics.webhook_mode();
    let address = listen.unwrap_or_else(|| "0.0.0.0:8443".parse().expect("listen address"));
    // Bind before Telegram is told to deliver here: a taken port is an
    // error to exit with, not a silent stop.
    let tcp = tokio::net::TcpListener::bind(address)
        .await
        .map_err(|e| TelegramError::Webhook(format!("cannot listen on {address}: {e}")))?;
    let options = webhooks::Options::new(address, url);
    let Some(made) = unless_stopped(stop, webhooks::axum_to_router(bot.clone(), options)).await
    else {
        return Ok(());
    };
    let (mut listener, stopped, router) =
        made.map_err(|e| TelegramError::Webhook(e.to_string()))?;
    let stop_listening = listener.stop_token();
    let server = tokio::spawn(async move {
        let served = axum::serve(tcp, router)
            .with_graceful_shutdown(stopped)
            .await;
        if let Err(e) = &served {
            tracing::error!(error = %e, "webhook server failed; stopping");
            stop_listening.stop();
        }
        served
    });
    dispatch_until_stopped(dispatcher, listener, stop, "webhook listener error").await;
    match tokio::time::timeout(Duration::from_secs(2), server).await {
        Ok(Ok(Err(e))) => Err(TelegramError::Webhook(e.to_string())),
        _ => Ok(()),
    }
}

/// Dispatches updates from `listener` until a stop is requested; in-flight
/// handlers finish first. The stop goes to the listener's own token, which
/// works whenever it comes: teloxide's `ShutdownToken` refuses a shutdown
/// before the dispatcher runs (it first calls getMe) and can miss one that
/// lands between two turns of its loop.
async fn dispatch_until_stopped<L>(
    dispatcher: &mut LoketDispatcher,
    mut listener: L,
    stop: &watch::Receiver<bool>,
    what: &'static str,
) where
    L: UpdateListener + Send,
    L::Err: std::fmt::Debug,
{
    let stop_listening = listener.stop_token();
    let stop = stop.clone();
    let stopper = tokio::spawn(async move {
        stop_requested(stop).await;
        stop_listening.stop();
    });
    dispatcher
        .dispatch_with_listener(listener, LoggingErrorHandler::with_custom_text(what))
        .await;
    stopper.abort();
}

/// Runs a start-up step unless a stop is requested first.
async fn unless_stopped<T>(
    stop: &watch::Receiver<bool>,
    step: impl std::future::Future<Output = T>,
) -> Option<T> {
    tokio::select! {
        done = step => Some(done),
        () = stop_requested(stop.clone()) => None,
    }
}

/// Who the bot is, and its command menu.
async fn start_up(
    bot: &Bot,
    outbox: &Outbox,
    engine: &Engine,
    settings: &Settings,
) -> Result<Me, TelegramError> {
    let me = bot.get_me().await?;
    tracing::info!(username = %me.username(), "connected to the Bot API");
    if let Err(e) = set_commands(outbox, engine, settings.locale).await {
        tracing::warn!(error = %e, "setMyCommands failed; continuing");
    }
    Ok(me)
}

/// Turns SIGINT and SIGTERM into a stop request from the moment it is
/// called, so that no signal finds the process without a handler.
fn stop_requests() -> std::io::Result<watch::Receiver<bool>> {
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    let (requested, stop) = watch::channel(false);
    tokio::spawn(async move {
        loop {
            let name = tokio::select! {
                _ = interrupt.recv() => "SIGINT",
                _ = terminate.recv() => "SIGTERM",
            };
            if *requested.borrow() {
                tracing::info!(
                    signal = name,
                    "already stopping: waiting for updates in flight"
                );
            } else {
                tracing::info!(signal = name, "stopping: finishing in-flight updates first");
                requested.send_replace(true);
            }
        }
    });
    Ok(stop)
}

async fn stop_requested(mut stop: watch::Receiver<bool>) {
    // The sender lives as long as the process; an error cannot happen.
    let _ = stop.wait_for(|requested| *requested).await;
}

/// Moves what loket keeps for a group to its supergroup's new id.
pub(crate) async fn migrate(engine: &Engine, from: i64, to: i64) {
    match engine.store().migrate_chat(from, to).await {
        Ok(()) => tracing::info!(from, to, "a group became a supergroup; its records moved"),
        Err(e) => {
            tracing::error!(error = %e, from, to, "could not move a migrated group's records")
        }
    }
}

/// How long a stopping bot keeps delivering follow-up results it holds.
const NOTICE_GRACE: Duration = Duration::from_secs(5);

/// Splits text into parts of at most `MAX_MESSAGE_CHARS` characters,
/// preferring line breaks.
pub fn split_text(text: &str) -> Vec<String> {
    let text = if text.trim().is_empty() { "…" } else { text };
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut count = 0usize;
    for line in text.split_inclusive('\n') {
        let line_chars = line.chars().count();
        if count + line_chars > MAX_MESSAGE_CHARS && !current.is_empty() {
            parts.push(std::mem::take(&mut current));
            count = 0;
        }
        if line_chars > MAX_MESSAGE_CHARS {
            for c in line.chars() {
                if count == MAX_MESSAGE_CHARS {
                    parts.push(std::mem::take(&mut current));
                    count = 0;
                }
                current.push(c);
                count += 1;
            }
        } else {
            current.push_str(line);
            count += line_chars;
        }
    }
    if !current.is_empty() {
        parts.push(current);
    }
    parts
}

/// Telegram's command menu for this kind of chat (`None`: every command
/// the table puts in a menu, for chats no scoped menu covers), read from
/// [`command::COMMANDS`].
pub fn command_menu(engine: &Engine, lang: Lang, audience: Option<Audience>) -> Vec<BotCommand> {
    command::menu(audience)
        .into_iter()
        .map(|(name, text)| BotCommand::new(name, engine.text(lang, text, &[])))
        .collect()
}

/// Sets the menus: one for private chats (no group settings), one for
/// groups (no `/login`, `/akun`, `/logout`) and the default with both,
/// each in the default language and under each language's code.
async fn set_commands(outbox: &Outbox, engine: &Engine, default: Lang) -> Result<(), RequestError> {
    let scopes = [
        (None, None),
        (
            Some(BotCommandScope::AllPrivateChats),
            Some(Audience::Private),
        ),
        (Some(BotCommandScope::AllGroupChats), Some(Audience::Group)),
    ];
    for (scope, audience) in scopes {
        let langs = [
            (default, None),
            (Lang::Id, Some(Lang::Id)),
            (Lang::En, Some(Lang::En)),
        ];
        for (lang, code) in langs {
            outbox
                .set_commands(
                    command_menu(engine, lang, audience),
                    scope.clone(),
                    code.map(Lang::code),
                )
                .await?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::updates::addressed_to_other_bot;
    use super::*;

    #[test]
    fn long_text_is_split_under_the_limit() {
        let text = "baris\n".repeat(2000);
        let parts = split_text(&text);
        assert!(parts.len() >= 3);
        assert!(parts.iter().all(|p| p.chars().count() <= MAX_MESSAGE_CHARS));
        assert_eq!(parts.concat(), text);
        let one_line = "x".repeat(9000);
        let parts = split_text(&one_line);
        assert_eq!(parts.len(), 3);
        assert_eq!(parts.concat(), one_line);
        assert_eq!(split_text(""), vec!["…".to_string()]);
    }

    #[test]
    fn commands_for_other_bots_are_ignored() {
        assert!(addressed_to_other_bot("/saldo@otherbot", "loket_bot"));
        assert!(!addressed_to_other_bot("/saldo@Loket_Bot", "loket_bot"));
        assert!(!addressed_to_other_bot("/saldo", "loket_bot"));
        assert!(!addressed_to_other_bot("saldo@x", "loket_bot"));
    }
}
