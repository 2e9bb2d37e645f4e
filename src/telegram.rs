//! The Telegram front end: teloxide's dispatcher in front of the engine.
//!
//! Owns: turning updates into `ChatCtx` + `Input`, showing `Response`s
//! (send, edit the pressed message, toast, delete a secret-bearing
//! message), the "typing" indicator, `setMyCommands`, throttling, long
//! polling or webhook, and stopping on SIGINT/SIGTERM. Must not: decide
//! anything about accounts, money or text (the engine and `locales/` do).
//!
//! Text is sent without a parse mode, so gateway text needs no escaping and
//! can never break formatting; long text is split under Telegram's 4096
//! character limit.

use std::net::SocketAddr;
use std::time::Duration;

use teloxide::adaptors::throttle::Limits;
use teloxide::adaptors::Throttle;
use teloxide::dispatching::{DefaultKey, Dispatcher, UpdateFilterExt, UpdateHandler};
use teloxide::payloads::{
    AnswerCallbackQuerySetters, EditMessageTextSetters, SendDocumentSetters, SendMessageSetters,
    SendPhotoSetters, SetMyCommandsSetters,
};
use teloxide::prelude::*;
use teloxide::types::{
    BotCommand, BotCommandScope, ChatAction, InlineKeyboardButton, InlineKeyboardMarkup, InputFile,
    Me, MessageId, ReplyParameters,
};
use teloxide::update_listeners::{polling_default, webhooks, UpdateListener};
use teloxide::RequestError;
use tokio::signal::unix::{signal, SignalKind};
use tokio::sync::{mpsc, oneshot, watch};

use crate::app::build_engine;
use crate::command::{self, Audience, Lang};
use crate::engine::{
    Attachment, ChatCtx, ChatKind, Engine, Input, Notice, Notices, Reply, Response,
};
use crate::settings::{Settings, Throttle as Pacing};
use crate::store::Location;

/// The bot as handlers see it: every request goes through the throttle,
/// which keeps to Telegram's per-chat, per-group and global limits and
/// retries after a 429.
pub type LoketBot = Throttle<Bot>;

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
    let bot = bot.throttle(limits(settings.throttle));
    serve(bot, engine, notices, &settings).await
}

/// Telegram's limits, or the same ×1000 for a local load test.
fn limits(throttle: Pacing) -> Limits {
    let telegram = Limits::default();
    match throttle {
        Pacing::Telegram => telegram,
        Pacing::Raised => Limits {
            messages_per_sec_chat: telegram.messages_per_sec_chat * 1000,
            messages_per_min_chat: telegram.messages_per_min_chat * 1000,
            messages_per_min_channel_or_supergroup: telegram.messages_per_min_channel_or_supergroup
                * 1000,
            messages_per_sec_overall: telegram.messages_per_sec_overall * 1000,
        },
    }
}

/// Runs the dispatcher until SIGINT/SIGTERM; in-flight handlers finish
/// first. A stop asked for while starting up is honoured too. Separate
/// from `run` so tests can drive a bot they built.
pub async fn serve(
    bot: LoketBot,
    engine: Engine,
    notice_rx: Notices,
    settings: &Settings,
) -> Result<(), TelegramError> {
    let stop = stop_requests().map_err(TelegramError::Signals)?;
    let Some(me) = unless_stopped(&stop, start_up(&bot, &engine, settings)).await else {
        tracing::info!("stopped while starting up");
        return Ok(());
    };
    let me = me?;

    let (stop_notices, notices_stopping) = oneshot::channel();
    let notices = tokio::spawn(deliver_notices(
        bot.clone(),
        engine.clone(),
        notice_rx,
        notices_stopping,
    ));
    let resumed = engine.resume_unfinished();
    if resumed > 0 {
        tracing::info!(count = resumed, "following unfinished journal entries");
    }

    let mut dispatcher = Dispatcher::builder(bot.clone(), handler_tree())
        .dependencies(dptree::deps![engine.clone(), me])
        .default_handler(|_| async {})
        .build();
    let served = match (&settings.webhook_url, settings.listen) {
        (Some(url), listen) => serve_webhook(&mut dispatcher, &bot, url, listen, &stop).await,
        (None, _) => {
            let polling = unless_stopped(&stop, polling_default(bot.clone())).await;
            if let Some(polling) = polling {
                dispatch_until_stopped(&mut dispatcher, polling, &stop, "long polling error").await;
            }
            Ok(())
        }
    };

    // Results already known are still told, within a bound.
    let _ = stop_notices.send(());
    if tokio::time::timeout(NOTICE_GRACE, notices).await.is_err() {
        tracing::warn!("stopped before every follow-up result was delivered");
    }
    if let Err(e) = engine.store().flush().await {
        tracing::error!(error = %e, "final flush of the database failed");
    }
    tracing::info!("stopped");
    served
}

type LoketDispatcher = Dispatcher<LoketBot, RequestError, DefaultKey>;

/// Webhook mode: serves Telegram's POSTs on `listen` until stopped.
async fn serve_webhook(
    dispatcher: &mut LoketDispatcher,
    bot: &LoketBot,
    url: &str,
    listen: Option<SocketAddr>,
    stop: &watch::Receiver<bool>,
) -> Result<(), TelegramError> {
    let url = url::Url::parse(url).map_err(|e| TelegramError::BadWebhookUrl(e.to_string()))?;
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
    bot: &LoketBot,
    engine: &Engine,
    settings: &Settings,
) -> Result<Me, TelegramError> {
    let me = bot.get_me().await?;
    tracing::info!(username = %me.username(), "connected to the Bot API");
    if let Err(e) = set_commands(bot, engine, settings.locale).await {
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

/// The handler tree: messages, edited messages and button presses. This
/// function is the seam tests use to run the real handlers against a fake
/// Bot API.
pub fn handler_tree() -> UpdateHandler<RequestError> {
    dptree::entry()
        .branch(Update::filter_message().endpoint(on_message))
        .branch(Update::filter_edited_message().endpoint(on_edited_message))
        .branch(Update::filter_callback_query().endpoint(on_callback))
}

/// Who wrote a text message, where: `None` for messages loket does not
/// read (no text, no author, a channel, a command for another bot).
fn text_ctx<'m>(msg: &'m Message, me: &Me) -> Option<(ChatCtx, &'m str)> {
    let text = msg.text()?;
    let from = msg.from.as_ref()?;
    let kind = if msg.chat.is_private() {
        ChatKind::Private
    } else if msg.chat.is_group() || msg.chat.is_supergroup() {
        ChatKind::Group
    } else {
        return None;
    };
    if addressed_to_other_bot(text, me.username()) {
        return None;
    }
    let replied = msg.reply_to_message().and_then(|m| m.from.as_ref());
    let ctx = ChatCtx {
        chat_id: msg.chat.id.0,
        user_id: user_id(from.id),
        kind,
        message_id: Some(msg.id.0),
        addressed: replied.is_some_and(|u| u.id == me.id),
        reply_to_user: replied
            .filter(|u| u.id != me.id && !u.is_bot)
            .map(|u| user_id(u.id)),
    };
    Some((ctx, text))
}

async fn on_message(
    bot: LoketBot,
    msg: Message,
    engine: Engine,
    me: Me,
) -> Result<(), RequestError> {
    // A group upgraded to a supergroup gets a new id; everything kept for
    // it moves along. Telegram says so in the old chat and in the new.
    let migration = match (msg.migrate_to_chat_id(), msg.migrate_from_chat_id()) {
        (Some(to), _) => Some((msg.chat.id.0, to.0)),
        (None, Some(from)) => Some((from.0, msg.chat.id.0)),
        (None, None) => None,
    };
    if let Some((from, to)) = migration {
        migrate(&engine, from, to).await;
        return Ok(());
    }
    let Some((ctx, text)) = text_ctx(&msg, &me) else {
        return Ok(());
    };
    let kind = ctx.kind;
    // A PIN or key is deleted before anything else happens.
    let deleted_early = engine.holds_secret(&ctx, text);
    if deleted_early {
        delete_secret(&bot, &engine, &msg).await;
    }
    let will_answer = kind == ChatKind::Private || text.starts_with('/') || ctx.addressed;
    let typing = will_answer.then(|| tokio::spawn(keep_typing(bot.clone(), msg.chat.id)));
    let response = engine.handle(&ctx, Input::Text(text.to_string())).await;
    if let Some(typing) = typing {
        typing.abort();
    }
    if response.delete_input && !deleted_early {
        delete_secret(&bot, &engine, &msg).await;
    }
    // In groups, answer as a reply so it is clear who is being answered;
    // a deleted message cannot be replied to.
    let reply_to = (kind == ChatKind::Group && !response.delete_input).then_some(msg.id);
    for reply in &response.replies {
        send(&bot, &engine, msg.chat.id, reply, reply_to).await?;
    }
    Ok(())
}

/// An edited message: never run (a command edited in is not a new
/// command); deleted when it now holds a login form.
async fn on_edited_message(
    bot: LoketBot,
    msg: Message,
    engine: Engine,
    me: Me,
) -> Result<(), RequestError> {
    let Some((ctx, text)) = text_ctx(&msg, &me) else {
        return Ok(());
    };
    let response = engine.handle_edit(&ctx, text);
    if response.delete_input {
        delete_secret(&bot, &engine, &msg).await;
    }
    for reply in &response.replies {
        send(&bot, &engine, msg.chat.id, reply, None).await?;
    }
    Ok(())
}

/// Deletes a message holding a PIN or key; if the bot may not (a group
/// where it is not an admin), it asks the user to delete it.
async fn delete_secret(bot: &LoketBot, engine: &Engine, msg: &Message) {
    if let Err(e) = bot.delete_message(msg.chat.id, msg.id).await {
        tracing::warn!(error = %e, chat = msg.chat.id.0, "could not delete a message holding a secret");
        let ask = engine.text(engine.lang(msg.chat.id.0), "secret-not-deleted", &[]);
        let _ = send(bot, engine, msg.chat.id, &Reply::text(ask), Some(msg.id)).await;
    }
}

async fn on_callback(
    bot: LoketBot,
    query: CallbackQuery,
    engine: Engine,
) -> Result<(), RequestError> {
    let (Some(data), Some(message)) = (query.data.as_deref(), query.regular_message()) else {
        bot.answer_callback_query(query.id.clone()).await?;
        return Ok(());
    };
    let kind = if message.chat.is_private() {
        ChatKind::Private
    } else {
        ChatKind::Group
    };
    let ctx = ChatCtx {
        chat_id: message.chat.id.0,
        user_id: user_id(query.from.id),
        kind,
        message_id: Some(message.id.0),
        addressed: true,
        reply_to_user: None,
    };
    let typing = tokio::spawn(keep_typing(bot.clone(), message.chat.id));
    let handling = engine.handle(&ctx, Input::Button(data.to_string()));
    tokio::pin!(handling);
    // Telegram wants a button answered within seconds. A refusal is quick
    // and answered with its toast; a slow gateway call gets "being
    // processed" now and its result as an edit of the message later.
    let (response, answered) = tokio::select! {
        response = &mut handling => (response, false),
        () = tokio::time::sleep(CALLBACK_PATIENCE) => {
            let busy = engine.text(engine.lang(ctx.chat_id), "button-working", &[]);
            if let Err(e) = bot.answer_callback_query(query.id.clone()).text(busy).await {
                tracing::warn!(error = %e, "answerCallbackQuery failed");
            }
            (handling.await, true)
        }
    };
    typing.abort();
    show_button_response(&bot, &engine, &query, message, response, answered).await
}

/// How long a button press may wait for its result before it is answered
/// with "being processed".
const CALLBACK_PATIENCE: Duration = Duration::from_secs(2);

async fn show_button_response(
    bot: &LoketBot,
    engine: &Engine,
    query: &CallbackQuery,
    message: &Message,
    response: Response,
    answered: bool,
) -> Result<(), RequestError> {
    if !answered {
        let mut answer = bot.answer_callback_query(query.id.clone());
        if let Some(toast) = &response.toast {
            answer = answer.text(truncate(toast, 190));
        }
        if let Err(e) = answer.await {
            tracing::warn!(error = %e, "answerCallbackQuery failed");
        }
    } else if let Some(toast) = &response.toast {
        // The press was already answered; a late toast becomes a message.
        send(
            bot,
            engine,
            message.chat.id,
            &Reply::text(toast.clone()),
            Some(message.id),
        )
        .await?;
    }
    if let Some(edit) = &response.edit_source {
        let chunks = split_text(&edit.text);
        let first = chunks.first().cloned().unwrap_or_default();
        let mut request = bot.edit_message_text(message.chat.id, message.id, first);
        request = request.reply_markup(keyboard(edit));
        if let Err(e) = request.await {
            tracing::warn!(error = %e, "could not edit the pressed message; sending the result instead");
            send(bot, engine, message.chat.id, edit, Some(message.id)).await?;
        } else {
            for chunk in chunks.iter().skip(1) {
                bot.send_message(message.chat.id, chunk.clone()).await?;
            }
        }
    }
    for reply in &response.replies {
        send(bot, engine, message.chat.id, reply, Some(message.id)).await?;
    }
    Ok(())
}

/// Moves what loket keeps for a group to its supergroup's new id.
async fn migrate(engine: &Engine, from: i64, to: i64) {
    match engine.store().migrate_chat(from, to).await {
        Ok(()) => tracing::info!(from, to, "a group became a supergroup; its records moved"),
        Err(e) => {
            tracing::error!(error = %e, from, to, "could not move a migrated group's records")
        }
    }
}

/// Sends one reply (split if long), with its buttons on the last part.
/// A chat that became a supergroup (Telegram refuses with its new id)
/// has its records moved and the reply sent there.
async fn send(
    bot: &LoketBot,
    engine: &Engine,
    chat: ChatId,
    reply: &Reply,
    reply_to: Option<MessageId>,
) -> Result<(), RequestError> {
    match send_once(bot, chat, reply, reply_to).await {
        Err(RequestError::MigrateToChatId(to)) => {
            migrate(engine, chat.0, to.0).await;
            // The original message stayed in the old group.
            send_once(bot, to, reply, None).await
        }
        other => other,
    }
}

async fn send_once(
    bot: &LoketBot,
    chat: ChatId,
    reply: &Reply,
    reply_to: Option<MessageId>,
) -> Result<(), RequestError> {
    let chunks = split_text(&reply.text);
    // A file goes last with the last part of the text as its caption
    // (when it fits), so the buttons sit under the file.
    let caption = match (&reply.attachment, chunks.last()) {
        (Some(_), Some(last)) if last.chars().count() <= CAPTION_LIMIT => Some(last.clone()),
        _ => None,
    };
    let texts = if caption.is_some() {
        &chunks[..chunks.len() - 1]
    } else {
        &chunks[..]
    };
    let last = texts.len().saturating_sub(1);
    for (i, chunk) in texts.iter().enumerate() {
        let mut request = bot.send_message(chat, chunk.clone());
        if let (0, Some(id)) = (i, reply_to) {
            request =
                request.reply_parameters(ReplyParameters::new(id).allow_sending_without_reply());
        }
        if i == last && reply.attachment.is_none() && !reply.buttons.is_empty() {
            request = request.reply_markup(keyboard(reply));
        }
        request.await?;
    }
    let Some(file) = &reply.attachment else {
        return Ok(());
    };
    let input = InputFile::memory(file.bytes().to_vec()).file_name(file.name().to_string());
    let replying = texts.is_empty().then_some(reply_to).flatten();
    // sendPhoto and sendDocument take the same extras.
    macro_rules! send_file {
        ($request:expr) => {{
            let mut request = $request;
            if let Some(caption) = caption {
                request = request.caption(caption);
            }
            if let Some(id) = replying {
                request = request
                    .reply_parameters(ReplyParameters::new(id).allow_sending_without_reply());
            }
            if !reply.buttons.is_empty() {
                request = request.reply_markup(keyboard(reply));
            }
            request.await?;
        }};
    }
    match file {
        Attachment::Photo { .. } => send_file!(bot.send_photo(chat, input)),
        Attachment::Document { .. } => send_file!(bot.send_document(chat, input)),
    }
    Ok(())
}

/// Telegram's limit on a photo's or document's caption, in characters.
const CAPTION_LIMIT: usize = 1024;

fn keyboard(reply: &Reply) -> InlineKeyboardMarkup {
    let row: Vec<InlineKeyboardButton> = reply
        .buttons
        .iter()
        .map(|b| InlineKeyboardButton::callback(b.label.clone(), b.data.clone()))
        .collect();
    if row.is_empty() {
        InlineKeyboardMarkup::default()
    } else {
        InlineKeyboardMarkup::new(vec![row])
    }
}

/// How long a stopping bot keeps delivering follow-up results it holds.
const NOTICE_GRACE: Duration = Duration::from_secs(5);

/// Results that became known later (a pending topup that succeeded).
/// Once `stopping` fires, delivers what is queued and takes no more.
async fn deliver_notices(
    bot: LoketBot,
    engine: Engine,
    mut notices: mpsc::UnboundedReceiver<Notice>,
    mut stopping: oneshot::Receiver<()>,
) {
    loop {
        tokio::select! {
            notice = notices.recv() => match notice {
                Some(notice) => deliver_notice(&bot, &engine, notice).await,
                None => return,
            },
            _ = &mut stopping => break,
        }
    }
    notices.close();
    while let Some(notice) = notices.recv().await {
        deliver_notice(&bot, &engine, notice).await;
    }
}

async fn deliver_notice(bot: &LoketBot, engine: &Engine, notice: Notice) {
    let reply_to = notice.reply_to.map(MessageId);
    if let Err(e) = send(bot, engine, ChatId(notice.chat_id), &notice.reply, reply_to).await {
        tracing::warn!(error = %e, chat = notice.chat_id, "could not deliver a follow-up result");
    }
}

/// "typing…" until aborted (Telegram shows it for about 5 s per call).
async fn keep_typing(bot: LoketBot, chat: ChatId) {
    // Fast answers need no indicator.
    tokio::time::sleep(Duration::from_millis(300)).await;
    loop {
        let _ = bot.send_chat_action(chat, ChatAction::Typing).await;
        tokio::time::sleep(Duration::from_secs(4)).await;
    }
}

/// `/saldo@otherbot` is for another bot in the group.
fn addressed_to_other_bot(text: &str, my_username: &str) -> bool {
    let Some(first) = text.split_whitespace().next() else {
        return false;
    };
    match first.strip_prefix('/').and_then(|c| c.split_once('@')) {
        Some((_, name)) => !name.eq_ignore_ascii_case(my_username),
        None => false,
    }
}

fn user_id(id: UserId) -> i64 {
    i64::try_from(id.0).unwrap_or(i64::MAX)
}

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

fn truncate(text: &str, max_chars: usize) -> String {
    text.chars().take(max_chars).collect()
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
async fn set_commands(bot: &LoketBot, engine: &Engine, default: Lang) -> Result<(), RequestError> {
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
            let mut set = bot.set_my_commands(command_menu(engine, lang, audience));
            if let Some(scope) = &scope {
                set = set.scope(scope.clone());
            }
            if let Some(code) = code {
                set = set.language_code(code.code());
            }
            set.await?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
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
