//! A fake Telegram Bot API server for end-to-end tests.
//!
//! [`FakeBotApi::start`] binds an axum server on `127.0.0.1:0`. Point the bot
//! at it with `Bot::new(token).set_api_url(fake.api_url().parse()?)` in
//! process, or with `TELOXIDE_API_URL=<fake.api_url()>` for a child process.
//! Requests arrive as `/bot{token}/{method}`; any token is accepted.
//!
//! What the fake models (the parts a teloxide bot touches):
//! - long polling: `getUpdates` honours `offset` (confirming and dropping
//!   older updates, negative offsets too), `limit`, `timeout` and
//!   `allowed_updates`, answers at once when updates are queued and waits on
//!   a `watch` channel otherwise; a second concurrent poller terminates the
//!   first with 409, as Telegram does when two bot instances run;
//! - webhooks: `setWebhook` to a loopback URL makes the fake POST queued
//!   updates there (with `X-Telegram-Bot-Api-Secret-Token`), and
//!   `getUpdates` then answers 409; non-loopback URLs are never contacted;
//! - messages: per-chat increasing `message_id`s shared by user and bot
//!   messages; `sendMessage`, `sendDocument`/`sendPhoto` (JSON or
//!   multipart uploads), `editMessageText`, `editMessageReplyMarkup`,
//!   `deleteMessage(s)` keep a per-chat store, so a callback carries the
//!   message as it currently is. Telegram's usual refusals are reproduced:
//!   unknown chat, empty or >4096 text, bad `parse_mode` markup, callback
//!   data over 64 bytes, editing to identical content ("message is not
//!   modified"), editing/deleting a missing message, answering a callback
//!   twice, invalid bot commands;
//! - `parse_mode`: the stored text is what the user sees (HTML tags and
//!   Markdown markers removed, entities decoded), like Telegram's `text`.
//!
//! Every call is recorded (method, params, response) and can be awaited with
//! a timeout. Methods the fake does not know are recorded, answered
//! `{"ok":true,"result":true}` and listed by [`FakeBotApi::unknown_calls`].
//! Faults ([`Fault`]) can be queued per method for reliability tests.
//!
//! Typical use (see `tests/fake_bot_api_selftest.rs` for runnable ones):
//!
//! ```text
//! #[path = "support/fake_bot_api.rs"]
//! mod fake_bot_api;
//! use fake_bot_api::{FakeBotApi, FakeChat, FakeUser};
//!
//! let fake = FakeBotApi::start().await;
//! let bot = Bot::new("123:TEST").set_api_url(fake.url());
//! // ... spawn the Dispatcher, then:
//! assert!(fake.wait_for_polling(WAIT).await);       // now shutdown() works
//! let user = FakeUser::new(1001, "Alice").with_language("id");
//! let chat = FakeChat::private(&user);
//! fake.inject_text(&chat, &user, "/start");
//! let id = fake.wait_for_text(chat.id, "Selamat datang", WAIT).await.unwrap();
//! let cb = fake.press_button(&chat, &user, id, "Cek saldo").unwrap();
//! fake.wait_for_callback_answer(&cb, WAIT).await.unwrap();
//! // ... stop the Dispatcher (token.shutdown()) before dropping the fake.
//! ```
//!
//! teloxide spells methods in PascalCase (`SendMessage`); every lookup here
//! (`calls_of`, `wait_for`, `fail_next`) ignores case.
#![allow(dead_code)]

use base64::Engine as _;
use std::{
    collections::{BTreeMap, HashMap, HashSet, VecDeque},
    net::SocketAddr,
    sync::{Arc, Mutex, MutexGuard},
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use axum::{
    body::Bytes,
    extract::{Path, RawQuery, State},
    http::{header::CONTENT_TYPE, HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::any,
    Router,
};
use serde_json::{json, Map, Value};
use tokio::{sync::watch, task::JoinHandle};

/// The fake bot's user id (`getMe`, `from` of every bot message).
pub const BOT_ID: i64 = 7_000_000_001;
/// The fake bot's username, without `@`.
pub const BOT_USERNAME: &str = "loket_test_bot";
/// The fake bot's first name.
pub const BOT_FIRST_NAME: &str = "Loket Test";

/// Longest `getUpdates` timeout the fake honours, in seconds.
const MAX_POLL_TIMEOUT_SECS: u64 = 50;
/// Telegram's limit on message text, in UTF-16 code units after parsing.
const MAX_TEXT_UTF16: usize = 4096;
/// Telegram's limit on `callback_data`, in bytes.
const MAX_CALLBACK_DATA_BYTES: usize = 64;

// ---------------------------------------------------------------------------
// Test-side value types
// ---------------------------------------------------------------------------

/// A human user who talks to the bot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FakeUser {
    pub id: i64,
    pub first_name: String,
    pub last_name: Option<String>,
    pub username: Option<String>,
    pub language_code: Option<String>,
}

impl FakeUser {
    /// A user with a positive id (Telegram user ids are positive).
    pub fn new(id: i64, first_name: &str) -> Self {
        assert!(id > 0, "Telegram user ids are positive, got {id}");
        Self {
            id,
            first_name: first_name.to_owned(),
            last_name: None,
            username: None,
            language_code: None,
        }
    }

    pub fn with_username(mut self, username: &str) -> Self {
        self.username = Some(username.trim_start_matches('@').to_owned());
        self
    }

    pub fn with_last_name(mut self, last_name: &str) -> Self {
        self.last_name = Some(last_name.to_owned());
        self
    }

    /// The IETF language tag the client reports (`"id"`, `"en"`, ...).
    pub fn with_language(mut self, code: &str) -> Self {
        self.language_code = Some(code.to_owned());
        self
    }

    /// The `User` object as Telegram sends it.
    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("id".into(), json!(self.id));
        m.insert("is_bot".into(), json!(false));
        m.insert("first_name".into(), json!(self.first_name));
        insert_opt(&mut m, "last_name", &self.last_name);
        insert_opt(&mut m, "username", &self.username);
        insert_opt(&mut m, "language_code", &self.language_code);
        Value::Object(m)
    }
}

/// What kind of chat a [`FakeChat`] is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FakeChatKind {
    Private {
        first_name: String,
        last_name: Option<String>,
        username: Option<String>,
    },
    Group {
        title: String,
    },
    Supergroup {
        title: String,
        username: Option<String>,
    },
}

/// A chat the bot is in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FakeChat {
    pub id: i64,
    pub kind: FakeChatKind,
}

impl FakeChat {
    /// The private chat with `user`: its id is the user's id.
    pub fn private(user: &FakeUser) -> Self {
        Self {
            id: user.id,
            kind: FakeChatKind::Private {
                first_name: user.first_name.clone(),
                last_name: user.last_name.clone(),
                username: user.username.clone(),
            },
        }
    }

    /// A basic group (`"type":"group"`); ids are negative.
    pub fn group(id: i64, title: &str) -> Self {
        assert!(id < 0, "group chat ids are negative, got {id}");
        Self {
            id,
            kind: FakeChatKind::Group {
                title: title.to_owned(),
            },
        }
    }

    /// A supergroup (`"type":"supergroup"`); ids look like `-100xxxxxxxxxx`.
    pub fn supergroup(id: i64, title: &str) -> Self {
        assert!(id < 0, "supergroup chat ids are negative, got {id}");
        Self {
            id,
            kind: FakeChatKind::Supergroup {
                title: title.to_owned(),
                username: None,
            },
        }
    }

    /// The id as teloxide's `ChatId`.
    pub fn chat_id(&self) -> teloxide::types::ChatId {
        teloxide::types::ChatId(self.id)
    }

    pub fn is_private(&self) -> bool {
        matches!(self.kind, FakeChatKind::Private { .. })
    }

    fn username(&self) -> Option<&str> {
        match &self.kind {
            FakeChatKind::Private { username, .. } | FakeChatKind::Supergroup { username, .. } => {
                username.as_deref()
            }
            FakeChatKind::Group { .. } => None,
        }
    }

    /// The `Chat` object as Telegram sends it inside a message.
    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("id".into(), json!(self.id));
        match &self.kind {
            FakeChatKind::Private {
                first_name,
                last_name,
                username,
            } => {
                m.insert("type".into(), json!("private"));
                m.insert("first_name".into(), json!(first_name));
                insert_opt(&mut m, "last_name", last_name);
                insert_opt(&mut m, "username", username);
            }
            FakeChatKind::Group { title } => {
                m.insert("type".into(), json!("group"));
                m.insert("title".into(), json!(title));
            }
            FakeChatKind::Supergroup { title, username } => {
                m.insert("type".into(), json!("supergroup"));
                m.insert("title".into(), json!(title));
                insert_opt(&mut m, "username", username);
            }
        }
        Value::Object(m)
    }
}

/// One request the bot made, in arrival order.
#[derive(Clone, Debug)]
pub struct RecordedCall {
    /// Position in [`FakeBotApi::calls`]; compare with [`FakeBotApi::mark`].
    pub seq: usize,
    /// The method as the client spelled it (`sendMessage`, ...).
    pub method: String,
    /// The token from the URL (`bot{token}`).
    pub token: String,
    /// Query, JSON, form or multipart parameters merged into one object.
    /// Form and multipart values that are JSON (numbers, objects) are parsed.
    pub params: Value,
    /// The full response body sent back (`{"ok":...}`); `Null` while a
    /// `getUpdates` long poll is still waiting.
    pub response: Value,
}

impl RecordedCall {
    /// Whether the fake answered `"ok": true`.
    pub fn ok(&self) -> bool {
        self.response.get("ok").and_then(Value::as_bool) == Some(true)
    }

    /// `params.chat_id` as an integer, if it is one.
    pub fn chat_id(&self) -> Option<i64> {
        param_i64(&self.params, "chat_id")
    }

    /// `params[key]` as a string (numbers are formatted).
    pub fn param_str(&self, key: &str) -> Option<String> {
        param_str(&self.params, key)
    }

    /// `params[key]` as an integer (numeric strings are parsed).
    pub fn param_i64(&self, key: &str) -> Option<i64> {
        param_i64(&self.params, key)
    }

    /// `result` of a successful response.
    pub fn result(&self) -> Option<&Value> {
        self.response.get("result")
    }
}

/// A failure to answer instead of handling a call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fault {
    /// HTTP 429 with `parameters.retry_after` (teloxide: `RequestError::RetryAfter`;
    /// the `Throttle` adaptor waits and retries).
    RetryAfter(u32),
    /// HTTP 500 `Internal Server Error`. Note: teloxide-core sleeps 10 s
    /// before reading any 5xx response body, so a call hit by this takes
    /// over 10 s to fail.
    ServerError,
    /// Any Telegram error, e.g. `Api { code: 403, description:
    /// "Forbidden: bot was blocked by the user".into() }`.
    Api { code: u16, description: String },
    /// HTTP 400: the group became a supergroup with this id
    /// (`parameters.migrate_to_chat_id`; teloxide:
    /// `RequestError::MigrateToChatId`).
    Migrated(i64),
}

/// A message as the fake currently stores it.
#[derive(Clone, Debug)]
pub struct FakeMessage {
    pub chat_id: i64,
    pub message_id: i32,
    /// Sent by the bot (as opposed to injected as a user's message).
    pub from_bot: bool,
    /// The current text (after edits), as the user sees it.
    pub text: Option<String>,
    /// The caption of a document or photo.
    pub caption: Option<String>,
    /// The current inline keyboard (`{"inline_keyboard":[[...]]}`).
    pub reply_markup: Option<Value>,
    /// The full `Message` object as Telegram would send it now.
    pub json: Value,
}

impl FakeMessage {
    /// `(text, callback_data)` of every inline button, row by row.
    pub fn buttons(&self) -> Vec<(String, Option<String>)> {
        let mut out = Vec::new();
        let rows = self
            .reply_markup
            .as_ref()
            .and_then(|m| m.get("inline_keyboard"))
            .and_then(Value::as_array);
        for row in rows.into_iter().flatten() {
            for button in row.as_array().into_iter().flatten() {
                let text = button.get("text").and_then(Value::as_str).unwrap_or("");
                let data = button
                    .get("callback_data")
                    .and_then(Value::as_str)
                    .map(str::to_owned);
                out.push((text.to_owned(), data));
            }
        }
        out
    }

    /// The texts of the inline buttons.
    pub fn button_texts(&self) -> Vec<String> {
        self.buttons().into_iter().map(|(t, _)| t).collect()
    }
}

/// One `setMyCommands` call, as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommandSet {
    /// `{"type":"default"}` when the bot gave no scope.
    pub scope: Value,
    pub language_code: Option<String>,
    /// `(command, description)` pairs in the order given.
    pub commands: Vec<(String, String)>,
}

// ---------------------------------------------------------------------------
// Server state
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq)]
struct ApiError {
    code: u16,
    description: String,
    parameters: Option<Value>,
}

impl ApiError {
    fn bad_request(what: impl std::fmt::Display) -> Self {
        Self {
            code: 400,
            description: format!("Bad Request: {what}"),
            parameters: None,
        }
    }

    fn from_fault(fault: &Fault) -> Self {
        match fault {
            Fault::RetryAfter(secs) => Self {
                code: 429,
                description: format!("Too Many Requests: retry after {secs}"),
                parameters: Some(json!({ "retry_after": secs })),
            },
            Fault::ServerError => Self {
                code: 500,
                description: "Internal Server Error".into(),
                parameters: None,
            },
            Fault::Api { code, description } => Self {
                code: *code,
                description: description.clone(),
                parameters: None,
            },
            Fault::Migrated(to) => Self {
                code: 400,
                description: "Bad Request: group chat was upgraded to a supergroup chat".into(),
                parameters: Some(json!({ "migrate_to_chat_id": to })),
            },
        }
    }

    fn body(&self) -> Value {
        let mut m = Map::new();
        m.insert("ok".into(), json!(false));
        m.insert("error_code".into(), json!(self.code));
        m.insert("description".into(), json!(self.description));
        if let Some(p) = &self.parameters {
            m.insert("parameters".into(), p.clone());
        }
        Value::Object(m)
    }
}

type ApiResult = Result<Value, ApiError>;

struct StoredMessage {
    json: Value,
    from_bot: bool,
    /// The text as the bot sent it and its `parse_mode` (lowercase), so
    /// that an edit changing only formatting counts as a modification.
    source: (String, String),
}

struct ChatState {
    chat: FakeChat,
    next_message_id: i32,
    messages: BTreeMap<i32, StoredMessage>,
    deleted: Vec<i32>,
}

/// A text the bot put on screen: sent or edited.
struct Shown {
    seq: usize,
    chat_id: i64,
    message_id: i32,
    text: String,
}

struct Webhook {
    url: String,
    secret_token: Option<String>,
}

#[derive(Default)]
struct Inner {
    calls: Vec<RecordedCall>,
    next_update_id: i64,
    /// Updates not yet confirmed (`offset`) or delivered (webhook).
    queue: VecDeque<Value>,
    /// Updates dropped because `allowed_updates` excluded their kind.
    filtered: Vec<Value>,
    /// `None`: Telegram's default (everything except chat_member and
    /// reactions).
    allowed_updates: Option<Vec<String>>,
    /// Bumped by every `getUpdates`; an older waiting poll that sees a newer
    /// generation answers 409 like Telegram.
    poll_generation: u64,
    chats: HashMap<i64, ChatState>,
    users: HashMap<i64, FakeUser>,
    /// Callback query id → answered yet.
    callbacks: HashMap<String, bool>,
    next_callback: u64,
    faults: HashMap<String, VecDeque<Fault>>,
    webhook: Option<Webhook>,
    webhook_last_error: Option<(i64, String)>,
    commands: Vec<CommandSet>,
    member_status: HashMap<(i64, i64), String>,
    blocked: HashSet<i64>,
    shown: Vec<Shown>,
}

struct Shared {
    inner: Mutex<Inner>,
    /// Bumped on every recorded call or call completion.
    calls_tx: watch::Sender<u64>,
    /// Bumped on every queue change, webhook change and `getUpdates`.
    updates_tx: watch::Sender<u64>,
    shutdown_tx: watch::Sender<bool>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panicking test thread must not hide the fake's state from others.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn bump_calls(&self) {
        self.calls_tx.send_modify(|v| *v += 1);
    }

    fn bump_updates(&self) {
        self.updates_tx.send_modify(|v| *v += 1);
    }

    fn is_shut_down(&self) -> bool {
        *self.shutdown_tx.borrow()
    }

    /// Waits until `check` returns `Some`, re-checking whenever `tx` changes;
    /// `None` after `timeout` or shutdown. Never busy-loops.
    async fn wait_on<T>(
        &self,
        tx: &watch::Sender<u64>,
        timeout: Duration,
        mut check: impl FnMut(&mut Inner) -> Option<T>,
    ) -> Option<T> {
        let deadline = tokio::time::Instant::now() + timeout;
        let mut rx = tx.subscribe();
        let mut shutdown = self.shutdown_tx.subscribe();
        loop {
            rx.borrow_and_update();
            if let Some(v) = check(&mut self.lock()) {
                return Some(v);
            }
            if *shutdown.borrow_and_update() {
                return None;
            }
            tokio::select! {
                changed = rx.changed() => {
                    if changed.is_err() {
                        return None;
                    }
                }
                _ = shutdown.changed() => {}
                _ = tokio::time::sleep_until(deadline) => {
                    return check(&mut self.lock());
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------
// The server handle
// ---------------------------------------------------------------------------

/// The running fake. Dropping it stops the server.
pub struct FakeBotApi {
    addr: SocketAddr,
    shared: Arc<Shared>,
    server: Option<JoinHandle<()>>,
    deliverer: Option<JoinHandle<()>>,
}

impl FakeBotApi {
    /// Binds `127.0.0.1:0` and serves until [`shutdown`](Self::shutdown) or drop.
    pub async fn start() -> Self {
        let (calls_tx, _) = watch::channel(0);
        let (updates_tx, _) = watch::channel(0);
        let (shutdown_tx, _) = watch::channel(false);
        let shared = Arc::new(Shared {
            inner: Mutex::new(Inner {
                next_update_id: 100_001,
                ..Inner::default()
            }),
            calls_tx,
            updates_tx,
            shutdown_tx,
        });

        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the fake Bot API on loopback");
        let addr = listener.local_addr().expect("local addr");

        let app = Router::new()
            .route("/{bot_token}/{method}", any(handle))
            .fallback(not_found)
            .with_state(shared.clone());

        let mut stop = shared.shutdown_tx.subscribe();
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = stop.wait_for(|stopped| *stopped).await;
                })
                .await;
        });
        let deliverer = tokio::spawn(deliver_webhooks(shared.clone()));

        Self {
            addr,
            shared,
            server: Some(server),
            deliverer: Some(deliverer),
        }
    }

    /// `http://127.0.0.1:PORT`, no trailing slash: the value for
    /// `TELOXIDE_API_URL` or `Bot::set_api_url` (teloxide appends
    /// `/bot{token}/{method}`).
    pub fn api_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// [`api_url`](Self::api_url) parsed, for `Bot::set_api_url`.
    pub fn url(&self) -> url::Url {
        self.api_url().parse().expect("loopback URL parses")
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops the server: waiting long polls return `[]` at once, then the
    /// listener closes. Bounded: gives up waiting after 2 s.
    pub async fn shutdown(mut self) {
        self.shared.shutdown_tx.send_replace(true);
        for handle in [self.server.take(), self.deliverer.take()]
            .into_iter()
            .flatten()
        {
            let abort = handle.abort_handle();
            if tokio::time::timeout(Duration::from_secs(2), handle)
                .await
                .is_err()
            {
                abort.abort();
            }
        }
    }

    // ----- injecting what users do -----

    /// Makes the chat known without a message (so the bot may write to it).
    pub fn register_chat(&self, chat: &FakeChat) {
        let mut inner = self.shared.lock();
        ensure_chat(&mut inner, chat);
    }

    /// A text message from `from` in `chat`; returns its `message_id`.
    /// Commands (`/start`, `/saldo@loket_test_bot`) get a `bot_command` entity.
    pub fn inject_text(&self, chat: &FakeChat, from: &FakeUser, text: &str) -> i32 {
        self.inject_message(chat, from, text, None)
    }

    /// A text message replying to message `reply_to` of the same chat (a
    /// user's or the bot's own; it must still exist). Returns its id.
    pub fn inject_reply(&self, chat: &FakeChat, from: &FakeUser, text: &str, reply_to: i32) -> i32 {
        self.inject_message(chat, from, text, Some(reply_to))
    }

    /// `from` edits their message `message_id` of `chat` to `text`: the
    /// stored message changes and an `edited_message` update (with
    /// `edit_date`) is queued, as Telegram does. Panics if the message is
    /// gone or is not `from`'s.
    pub fn inject_edit(&self, chat: &FakeChat, from: &FakeUser, message_id: i32, text: &str) {
        let mut inner = self.shared.lock();
        let state = ensure_chat(&mut inner, chat);
        let stored = state
            .messages
            .get_mut(&message_id)
            .unwrap_or_else(|| panic!("inject_edit: no message {message_id} in chat {}", chat.id));
        assert!(
            !stored.from_bot && stored.json["from"]["id"] == json!(from.id),
            "inject_edit: message {message_id} is not {}'s",
            from.first_name
        );
        let m = stored.json.as_object_mut().expect("a message object");
        m.insert("text".into(), json!(text));
        m.insert("edit_date".into(), json!(unix_now()));
        m.remove("entities");
        if let Some(len) = command_len_utf16(text) {
            m.insert(
                "entities".into(),
                json!([{ "type": "bot_command", "offset": 0, "length": len }]),
            );
        }
        stored.source = (text.to_owned(), String::new());
        let message = stored.json.clone();
        push_update(&mut inner, "edited_message", message);
        drop(inner);
        self.shared.bump_updates();
    }

    fn inject_message(
        &self,
        chat: &FakeChat,
        from: &FakeUser,
        text: &str,
        reply_to: Option<i32>,
    ) -> i32 {
        let mut inner = self.shared.lock();
        inner.users.insert(from.id, from.clone());
        let state = ensure_chat(&mut inner, chat);
        let replied = reply_to.map(|id| {
            let target = state
                .messages
                .get(&id)
                .unwrap_or_else(|| panic!("inject_reply: no message {id} in chat {}", chat.id));
            strip_nested_reply(&target.json)
        });
        let message_id = state.next_message_id;
        state.next_message_id += 1;

        let mut m = Map::new();
        m.insert("message_id".into(), json!(message_id));
        m.insert("from".into(), from.to_json());
        m.insert("chat".into(), chat.to_json());
        m.insert("date".into(), json!(unix_now()));
        if let Some(r) = replied {
            m.insert("reply_to_message".into(), r);
        }
        m.insert("text".into(), json!(text));
        if let Some(len) = command_len_utf16(text) {
            m.insert(
                "entities".into(),
                json!([{ "type": "bot_command", "offset": 0, "length": len }]),
            );
        }
        let message = Value::Object(m);
        state.messages.insert(
            message_id,
            StoredMessage {
                json: message.clone(),
                from_bot: false,
                source: (text.to_owned(), String::new()),
            },
        );
        push_update(&mut inner, "message", message);
        drop(inner);
        self.shared.bump_updates();
        message_id
    }

    /// `from` presses a button carrying `data` under message `message_id` of
    /// `chat`. The callback's `message` is that message as stored now; if it
    /// is gone (deleted or never existed) it is sent as an inaccessible
    /// message (`date: 0`), as Telegram does. Returns the callback query id.
    pub fn inject_callback(
        &self,
        chat: &FakeChat,
        from: &FakeUser,
        message_id: i32,
        data: &str,
    ) -> String {
        let mut inner = self.shared.lock();
        inner.users.insert(from.id, from.clone());
        let state = ensure_chat(&mut inner, chat);
        let message = match state.messages.get(&message_id) {
            Some(stored) => stored.json.clone(),
            None => json!({ "message_id": message_id, "chat": chat.to_json(), "date": 0 }),
        };
        inner.next_callback += 1;
        let id = (4_200_000_000_000_000_000u64 + inner.next_callback).to_string();
        inner.callbacks.insert(id.clone(), false);
        let query = json!({
            "id": id,
            "from": from.to_json(),
            "message": message,
            "chat_instance": format!("{}", chat.id.unsigned_abs().wrapping_mul(7919)),
            "data": data,
        });
        push_update(&mut inner, "callback_query", query);
        drop(inner);
        self.shared.bump_updates();
        id
    }

    /// Presses the inline button whose text is `button_text` on message
    /// `message_id` (which must carry it now). Returns the callback id, or
    /// `None` if there is no such message or button.
    pub fn press_button(
        &self,
        chat: &FakeChat,
        from: &FakeUser,
        message_id: i32,
        button_text: &str,
    ) -> Option<String> {
        let message = self.message(chat.id, message_id)?;
        let (_, data) = message
            .buttons()
            .into_iter()
            .find(|(text, _)| text == button_text)?;
        Some(self.inject_callback(chat, from, message_id, &data?))
    }

    /// Queues an arbitrary update body, e.g. `("my_chat_member", {...})`.
    /// Returns its `update_id`.
    pub fn inject_raw(&self, kind: &str, payload: Value) -> i64 {
        let mut inner = self.shared.lock();
        let id = push_update(&mut inner, kind, payload);
        drop(inner);
        self.shared.bump_updates();
        id
    }

    // ----- knobs -----

    /// The next `n` calls of `method` fail with `fault` (queued after any
    /// faults already pending for it).
    pub fn fail_next(&self, method: &str, n: usize, fault: Fault) {
        let mut inner = self.shared.lock();
        let queue = inner.faults.entry(method.to_ascii_lowercase()).or_default();
        queue.extend(std::iter::repeat_n(fault, n));
    }

    /// The user blocked the bot: sends to `chat_id` answer 403.
    pub fn block_chat(&self, chat_id: i64) {
        self.shared.lock().blocked.insert(chat_id);
    }

    pub fn unblock_chat(&self, chat_id: i64) {
        self.shared.lock().blocked.remove(&chat_id);
    }

    /// What `getChatMember(chat_id, user_id)` says: `"creator"`,
    /// `"administrator"`, `"member"`, `"restricted"`, `"left"`, `"kicked"`.
    /// Default: `"administrator"` for the bot, `"member"` for others.
    /// For `user_id == BOT_ID` it also governs the bot in groups: not an
    /// admin → may not delete others' messages; `"kicked"`/`"left"` → sends
    /// answer 403 like Telegram.
    pub fn set_member_status(&self, chat_id: i64, user_id: i64, status: &str) {
        self.shared
            .lock()
            .member_status
            .insert((chat_id, user_id), status.to_owned());
    }

    // ----- inspecting what the bot did -----

    /// Every call so far, in arrival order.
    pub fn calls(&self) -> Vec<RecordedCall> {
        self.shared.lock().calls.clone()
    }

    /// Calls of one method (case-insensitive), in order.
    pub fn calls_of(&self, method: &str) -> Vec<RecordedCall> {
        self.shared
            .lock()
            .calls
            .iter()
            .filter(|c| c.method.eq_ignore_ascii_case(method))
            .cloned()
            .collect()
    }

    /// Calls of methods the fake does not model (answered `true`).
    pub fn unknown_calls(&self) -> Vec<RecordedCall> {
        self.shared
            .lock()
            .calls
            .iter()
            .filter(|c| !is_known_method(&c.method.to_ascii_lowercase()))
            .cloned()
            .collect()
    }

    /// Calls answered with `"ok": false` (faults and refusals).
    pub fn failed_calls(&self) -> Vec<RecordedCall> {
        self.shared
            .lock()
            .calls
            .iter()
            .filter(|c| !c.response.is_null() && !c.ok())
            .cloned()
            .collect()
    }

    /// The number of calls so far: pass it to the `*_after` waits to ignore
    /// what happened before.
    pub fn mark(&self) -> usize {
        self.shared.lock().calls.len()
    }

    /// The first call of `method` (any, from the start) matching `pred`,
    /// waiting up to `timeout` for it to arrive. `pred` runs under the
    /// fake's lock: it must not call back into the fake.
    pub async fn wait_for(
        &self,
        method: &str,
        pred: impl Fn(&RecordedCall) -> bool,
        timeout: Duration,
    ) -> Option<RecordedCall> {
        self.wait_for_after(0, method, pred, timeout).await
    }

    /// Like [`wait_for`](Self::wait_for), but only calls with `seq >= mark`.
    /// Calls are matched once answered (so `response` is filled in), except
    /// `getUpdates`, matched as soon as it starts (its response is `Null`
    /// while it waits).
    pub async fn wait_for_after(
        &self,
        mark: usize,
        method: &str,
        pred: impl Fn(&RecordedCall) -> bool,
        timeout: Duration,
    ) -> Option<RecordedCall> {
        let shared = self.shared.clone();
        shared
            .wait_on(&shared.calls_tx, timeout, |inner| {
                inner
                    .calls
                    .iter()
                    .skip(mark)
                    .find(|c| {
                        c.method.eq_ignore_ascii_case(method)
                            && (!c.response.is_null()
                                || c.method.eq_ignore_ascii_case("getUpdates"))
                            && pred(c)
                    })
                    .cloned()
            })
            .await
    }

    /// Waits until the bot is long polling (its first `getUpdates` arrived):
    /// from then on a teloxide `Dispatcher` accepts `shutdown()`.
    pub async fn wait_for_polling(&self, timeout: Duration) -> bool {
        self.wait_for("getUpdates", |_| true, timeout)
            .await
            .is_some()
    }

    /// Texts of messages the bot sent to `chat_id`, as sent (not edited), in
    /// order; parse-mode markup removed.
    pub fn sent_texts(&self, chat_id: i64) -> Vec<String> {
        self.shared
            .lock()
            .calls
            .iter()
            .filter(|c| c.method.eq_ignore_ascii_case("sendMessage") && c.ok())
            .filter_map(|c| c.result())
            .filter(|m| m["chat"]["id"].as_i64() == Some(chat_id))
            .filter_map(|m| m["text"].as_str().map(str::to_owned))
            .collect()
    }

    /// Waits until the bot shows a text containing `needle` in `chat_id`
    /// (by sending or editing a text, or as a document/photo caption);
    /// returns that message's id.
    pub async fn wait_for_text(
        &self,
        chat_id: i64,
        needle: &str,
        timeout: Duration,
    ) -> Option<i32> {
        self.wait_for_text_after(0, chat_id, needle, timeout).await
    }

    /// Like [`wait_for_text`](Self::wait_for_text), only for calls since `mark`.
    pub async fn wait_for_text_after(
        &self,
        mark: usize,
        chat_id: i64,
        needle: &str,
        timeout: Duration,
    ) -> Option<i32> {
        let shared = self.shared.clone();
        shared
            .wait_on(&shared.calls_tx, timeout, |inner| {
                inner
                    .shown
                    .iter()
                    .find(|s| s.seq >= mark && s.chat_id == chat_id && s.text.contains(needle))
                    .map(|s| s.message_id)
            })
            .await
    }

    /// The current text of a stored message (after edits); `None` if it was
    /// deleted or never existed.
    pub fn message_text(&self, chat_id: i64, message_id: i32) -> Option<String> {
        self.message(chat_id, message_id)?.text
    }

    /// A stored message as it is now.
    pub fn message(&self, chat_id: i64, message_id: i32) -> Option<FakeMessage> {
        let inner = self.shared.lock();
        let stored = inner.chats.get(&chat_id)?.messages.get(&message_id)?;
        Some(to_fake_message(chat_id, message_id, stored))
    }

    /// All stored (not deleted) messages of a chat, oldest first.
    pub fn messages(&self, chat_id: i64) -> Vec<FakeMessage> {
        let inner = self.shared.lock();
        inner
            .chats
            .get(&chat_id)
            .map(|c| {
                c.messages
                    .iter()
                    .map(|(id, s)| to_fake_message(chat_id, *id, s))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The newest stored message the bot sent to `chat_id`.
    pub fn last_bot_message(&self, chat_id: i64) -> Option<FakeMessage> {
        self.messages(chat_id)
            .into_iter()
            .rev()
            .find(|m| m.from_bot)
    }

    /// Ids deleted in `chat_id` (by `deleteMessage(s)`), in order.
    pub fn deleted(&self, chat_id: i64) -> Vec<i32> {
        self.shared
            .lock()
            .chats
            .get(&chat_id)
            .map(|c| c.deleted.clone())
            .unwrap_or_default()
    }

    /// The `answerCallbackQuery` call for `callback_id`, waiting up to `timeout`.
    pub async fn wait_for_callback_answer(
        &self,
        callback_id: &str,
        timeout: Duration,
    ) -> Option<RecordedCall> {
        self.wait_for(
            "answerCallbackQuery",
            |c| c.param_str("callback_query_id").as_deref() == Some(callback_id),
            timeout,
        )
        .await
    }

    /// Every `setMyCommands` still in force, in the order set.
    pub fn command_sets(&self) -> Vec<CommandSet> {
        self.shared.lock().commands.clone()
    }

    /// Commands in force for a scope type (`"default"`, `"all_private_chats"`,
    /// `"chat"`, ...) and language (`None` = for all languages).
    pub fn commands_for(
        &self,
        scope_type: &str,
        language_code: Option<&str>,
    ) -> Option<Vec<(String, String)>> {
        self.shared
            .lock()
            .commands
            .iter()
            .find(|s| {
                s.scope["type"].as_str() == Some(scope_type)
                    && s.language_code.as_deref() == language_code
            })
            .map(|s| s.commands.clone())
    }

    /// Updates not yet confirmed by the bot (nor delivered by webhook).
    pub fn pending_updates(&self) -> usize {
        self.shared.lock().queue.len()
    }

    /// Updates dropped because the bot's `allowed_updates` excluded them:
    /// a handler tree without a branch for that update kind.
    pub fn filtered_updates(&self) -> Vec<Value> {
        self.shared.lock().filtered.clone()
    }

    /// Waits until every injected update was confirmed by the bot's next
    /// `getUpdates` offset (or delivered to its webhook).
    pub async fn wait_updates_consumed(&self, timeout: Duration) -> bool {
        let shared = self.shared.clone();
        shared
            .wait_on(&shared.updates_tx, timeout, |inner| {
                inner.queue.is_empty().then_some(())
            })
            .await
            .is_some()
    }

    /// Waits until all injected updates are consumed and no call other than
    /// `getUpdates` arrived for `quiet`. `false` if `timeout` passes first.
    pub async fn wait_until_idle(&self, quiet: Duration, timeout: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let now = tokio::time::Instant::now();
            if now >= deadline {
                return false;
            }
            let before = self.non_polling_calls();
            if !self.wait_updates_consumed(deadline - now).await {
                return false;
            }
            let rest = deadline.saturating_duration_since(tokio::time::Instant::now());
            tokio::time::sleep(quiet.min(rest)).await;
            if self.non_polling_calls() == before && self.pending_updates() == 0 {
                return quiet <= rest;
            }
        }
    }

    fn non_polling_calls(&self) -> usize {
        self.shared
            .lock()
            .calls
            .iter()
            .filter(|c| !c.method.eq_ignore_ascii_case("getUpdates"))
            .count()
    }

    /// The webhook URL in force, if any.
    pub fn webhook_url(&self) -> Option<String> {
        self.shared.lock().webhook.as_ref().map(|w| w.url.clone())
    }

    /// The last webhook delivery error, if any.
    pub fn webhook_error(&self) -> Option<String> {
        self.shared
            .lock()
            .webhook_last_error
            .as_ref()
            .map(|(_, e)| e.clone())
    }
}

impl Drop for FakeBotApi {
    fn drop(&mut self) {
        self.shared.shutdown_tx.send_replace(true);
        for handle in [self.server.take(), self.deliverer.take()]
            .into_iter()
            .flatten()
        {
            handle.abort();
        }
    }
}

fn to_fake_message(chat_id: i64, message_id: i32, stored: &StoredMessage) -> FakeMessage {
    FakeMessage {
        chat_id,
        message_id,
        from_bot: stored.from_bot,
        text: stored.json["text"].as_str().map(str::to_owned),
        caption: stored.json["caption"].as_str().map(str::to_owned),
        reply_markup: stored.json.get("reply_markup").cloned(),
        json: stored.json.clone(),
    }
}

// ---------------------------------------------------------------------------
// HTTP layer
// ---------------------------------------------------------------------------

async fn not_found() -> Response {
    json_response(
        404,
        json!({ "ok": false, "error_code": 404, "description": "Not Found" }),
    )
}

fn json_response(status: u16, body: Value) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (
        status,
        [(CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

fn respond(result: &ApiResult) -> (u16, Value) {
    match result {
        Ok(v) => (200, json!({ "ok": true, "result": v })),
        Err(e) => (e.code, e.body()),
    }
}

async fn handle(
    State(shared): State<Arc<Shared>>,
    Path((bot_token, method)): Path<(String, String)>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(token) = bot_token.strip_prefix("bot") else {
        return not_found().await;
    };
    let params = match parse_params(query.as_deref(), &headers, &body) {
        Ok(p) => p,
        Err(e) => {
            let err = ApiError::bad_request(e);
            return json_response(err.code, err.body());
        }
    };
    let lc = method.to_ascii_lowercase();

    // Record first, so waiters see long polls as they start.
    let seq = {
        let mut inner = shared.lock();
        let seq = inner.calls.len();
        inner.calls.push(RecordedCall {
            seq,
            method: method.clone(),
            token: token.to_owned(),
            params: params.clone(),
            response: Value::Null,
        });
        seq
    };
    shared.bump_calls();

    let fault = shared
        .lock()
        .faults
        .get_mut(&lc)
        .and_then(VecDeque::pop_front);
    let result = match fault {
        Some(f) => Err(ApiError::from_fault(&f)),
        None if lc == "getupdates" => get_updates(&shared, &params).await,
        None => {
            let mut inner = shared.lock();
            let r = call_method(&mut inner, &lc, &params, seq);
            drop(inner);
            // Webhook changes and confirmations wake pollers and the deliverer.
            if matches!(lc.as_str(), "setwebhook" | "deletewebhook") {
                shared.bump_updates();
            }
            r
        }
    };
    let (status, body) = respond(&result);
    shared.lock().calls[seq].response = body.clone();
    shared.bump_calls();
    json_response(status, body)
}

/// Query string, then body (JSON, urlencoded form or multipart) on top.
fn parse_params(query: Option<&str>, headers: &HeaderMap, body: &[u8]) -> Result<Value, String> {
    let mut params = Map::new();
    if let Some(q) = query {
        for (k, v) in url::form_urlencoded::parse(q.as_bytes()) {
            params.insert(k.into_owned(), form_value(&v));
        }
    }
    let content_type = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Object(params));
    }
    if content_type.starts_with("multipart/form-data") {
        let boundary = content_type_boundary(headers).ok_or("multipart without boundary")?;
        for (k, v) in parse_multipart(body, &boundary) {
            params.insert(k, v);
        }
        // teloxide sends `"document": "attach://<part>"` plus the part;
        // resolve that so tests see the file where the field is.
        let attached: Vec<(String, Value)> = params
            .iter()
            .filter_map(|(k, v)| {
                let part = v.as_str()?.strip_prefix("attach://")?;
                Some((k.clone(), params.get(part)?.clone()))
            })
            .collect();
        for (k, v) in attached {
            params.insert(k, v);
        }
    } else if content_type.starts_with("application/x-www-form-urlencoded") {
        for (k, v) in url::form_urlencoded::parse(body) {
            params.insert(k.into_owned(), form_value(&v));
        }
    } else {
        // JSON, also when the client forgot the content type.
        match serde_json::from_slice::<Value>(body) {
            Ok(Value::Object(m)) => params.extend(m),
            Ok(_) => return Err("request body must be a JSON object".into()),
            Err(e) => return Err(format!("can't parse JSON body: {e}")),
        }
    }
    Ok(Value::Object(params))
}

/// Telegram accepts JSON-serialized values in form fields.
fn form_value(s: &str) -> Value {
    match serde_json::from_str::<Value>(s) {
        Ok(v @ (Value::Object(_) | Value::Array(_) | Value::Number(_) | Value::Bool(_))) => v,
        _ => Value::String(s.to_owned()),
    }
}

fn content_type_boundary(headers: &HeaderMap) -> Option<String> {
    let ct = headers.get(CONTENT_TYPE)?.to_str().ok()?;
    ct.split(';').find_map(|part| {
        let part = part.trim();
        let (k, v) = part.split_once('=')?;
        k.eq_ignore_ascii_case("boundary")
            .then(|| v.trim_matches('"').to_owned())
    })
}

/// A small multipart/form-data reader: text fields become values, file
/// fields become `{"file_name":..,"size":..,"base64":..}` (the bytes, so a
/// test can open the file the bot sent).
fn parse_multipart(body: &[u8], boundary: &str) -> Vec<(String, Value)> {
    let delimiter = format!("--{boundary}");
    let mut out = Vec::new();
    for part in split_bytes(body, delimiter.as_bytes()).into_iter().skip(1) {
        if part.starts_with(b"--") {
            break;
        }
        let part = part.strip_prefix(b"\r\n").unwrap_or(part);
        let Some(split) = find_bytes(part, b"\r\n\r\n") else {
            continue;
        };
        let head = String::from_utf8_lossy(&part[..split]);
        let mut content = &part[split + 4..];
        content = content.strip_suffix(b"\r\n").unwrap_or(content);
        let disposition = head
            .lines()
            .find(|l| l.to_ascii_lowercase().starts_with("content-disposition"))
            .unwrap_or("");
        let attr = |name: &str| {
            disposition.split(';').find_map(|p| {
                let (k, v) = p.trim().split_once('=')?;
                (k == name).then(|| v.trim_matches('"').to_owned())
            })
        };
        let Some(name) = attr("name") else { continue };
        let value = match attr("filename") {
            Some(file_name) => json!({
                "file_name": file_name,
                "size": content.len(),
                "base64": base64::engine::general_purpose::STANDARD.encode(content),
            }),
            None => form_value(&String::from_utf8_lossy(content)),
        };
        out.push((name, value));
    }
    out
}

fn find_bytes(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn split_bytes<'a>(mut haystack: &'a [u8], needle: &[u8]) -> Vec<&'a [u8]> {
    let mut out = Vec::new();
    while let Some(i) = find_bytes(haystack, needle) {
        out.push(&haystack[..i]);
        haystack = &haystack[i + needle.len()..];
    }
    out.push(haystack);
    out
}

// ---------------------------------------------------------------------------
// Long polling and webhook delivery
// ---------------------------------------------------------------------------

const DEFAULT_UPDATE_KINDS_EXCLUDED: [&str; 3] =
    ["chat_member", "message_reaction", "message_reaction_count"];

fn update_kind(update: &Value) -> Option<&str> {
    update
        .as_object()?
        .keys()
        .find(|k| k.as_str() != "update_id")
        .map(String::as_str)
}

fn update_id(update: &Value) -> i64 {
    update["update_id"].as_i64().unwrap_or(0)
}

fn push_update(inner: &mut Inner, kind: &str, payload: Value) -> i64 {
    let id = inner.next_update_id;
    inner.next_update_id += 1;
    inner
        .queue
        .push_back(json!({ "update_id": id, kind: payload }));
    id
}

/// Drops queued updates the allowed list excludes (moving them to `filtered`).
fn apply_allowed_updates(inner: &mut Inner) {
    let allowed = inner.allowed_updates.clone();
    let is_allowed = |kind: &str| match &allowed {
        Some(list) if !list.is_empty() => list.iter().any(|a| a == kind),
        _ => !DEFAULT_UPDATE_KINDS_EXCLUDED.contains(&kind),
    };
    let (keep, drop): (Vec<Value>, Vec<Value>) = inner
        .queue
        .drain(..)
        .partition(|u| update_kind(u).is_some_and(is_allowed));
    inner.queue = keep.into();
    inner.filtered.extend(drop);
}

/// Telegram's offset rule: updates with id < offset are confirmed and
/// forgotten; a negative offset keeps only the last `-offset` updates.
fn confirm_offset(inner: &mut Inner, offset: i64) {
    if offset > 0 {
        inner.queue.retain(|u| update_id(u) >= offset);
    } else if offset < 0 {
        let keep = offset.unsigned_abs() as usize;
        while inner.queue.len() > keep {
            inner.queue.pop_front();
        }
    }
}

async fn get_updates(shared: &Arc<Shared>, params: &Value) -> ApiResult {
    let offset = param_i64(params, "offset").unwrap_or(0);
    let limit = param_i64(params, "limit").unwrap_or(100).clamp(1, 100) as usize;
    let timeout = param_i64(params, "timeout")
        .unwrap_or(0)
        .clamp(0, MAX_POLL_TIMEOUT_SECS as i64) as u64;
    let generation = {
        let mut inner = shared.lock();
        if inner.webhook.is_some() {
            return Err(ApiError {
                code: 409,
                description: "Conflict: can't use getUpdates method while webhook is active; \
                              use deleteWebhook to delete the webhook first"
                    .into(),
                parameters: None,
            });
        }
        if let Some(list) = params.get("allowed_updates").and_then(Value::as_array) {
            inner.allowed_updates = Some(
                list.iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect(),
            );
        }
        confirm_offset(&mut inner, offset);
        inner.poll_generation += 1;
        inner.poll_generation
    };
    // Wake an older poll (so it answers 409) and `wait_updates_consumed`.
    shared.bump_updates();

    let outcome = shared
        .wait_on(&shared.updates_tx, Duration::from_secs(timeout), |inner| {
            if inner.poll_generation != generation {
                return Some(Err(ApiError {
                    code: 409,
                    description: "Conflict: terminated by other getUpdates request; make sure \
                                  that only one bot instance is running"
                        .into(),
                    parameters: None,
                }));
            }
            apply_allowed_updates(inner);
            let batch: Vec<Value> = inner.queue.iter().take(limit).cloned().collect();
            (!batch.is_empty()).then_some(Ok(Value::Array(batch)))
        })
        .await;
    outcome.unwrap_or(Ok(json!([])))
}

fn is_loopback_url(url: &str) -> bool {
    let Ok(parsed) = url::Url::parse(url) else {
        return false;
    };
    match parsed.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// POSTs queued updates, in order, to a loopback webhook; retries a failed
/// delivery every 200 ms like Telegram retries (but faster).
async fn deliver_webhooks(shared: Arc<Shared>) {
    let client = reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(5))
        .build()
        .expect("webhook client");
    loop {
        let next = shared
            .wait_on(&shared.updates_tx, Duration::from_secs(3600), |inner| {
                let hook = inner.webhook.as_ref()?;
                if !is_loopback_url(&hook.url) {
                    return None;
                }
                let (url, secret) = (hook.url.clone(), hook.secret_token.clone());
                apply_allowed_updates(inner);
                let update = inner.queue.front()?.clone();
                Some((url, secret, update))
            })
            .await;
        if shared.is_shut_down() {
            return;
        }
        let Some((url, secret, update)) = next else {
            continue;
        };
        let mut req = client.post(&url).json(&update);
        if let Some(s) = &secret {
            req = req.header("X-Telegram-Bot-Api-Secret-Token", s);
        }
        let outcome = match req.send().await {
            Ok(resp) if resp.status().is_success() => Ok(()),
            Ok(resp) => Err(format!(
                "Wrong response from the webhook: {}",
                resp.status()
            )),
            Err(e) => Err(format!("Connection failed: {e}")),
        };
        match outcome {
            Ok(()) => {
                let id = update_id(&update);
                shared.lock().queue.retain(|u| update_id(u) != id);
                shared.bump_updates();
            }
            Err(e) => {
                shared.lock().webhook_last_error = Some((unix_now(), e));
                let mut stop = shared.shutdown_tx.subscribe();
                tokio::select! {
                    _ = tokio::time::sleep(Duration::from_millis(200)) => {}
                    _ = stop.wait_for(|s| *s) => return,
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Methods
// ---------------------------------------------------------------------------

/// Methods answered `true` without further modelling, but known to return
/// `True` in the Bot API (so they are not "unknown").
const TRUE_METHODS: &[&str] = &[
    "sendchataction",
    "logout",
    "close",
    "setmydescription",
    "setmyshortdescription",
    "setmyname",
    "setchatmenubutton",
    "setmydefaultadministratorrights",
    "pinchatmessage",
    "unpinchatmessage",
    "unpinallchatmessages",
    "leavechat",
    "setmessagereaction",
];

const MODELLED_METHODS: &[&str] = &[
    "getupdates",
    "getme",
    "getwebhookinfo",
    "setwebhook",
    "deletewebhook",
    "sendmessage",
    "senddocument",
    "sendphoto",
    "editmessagetext",
    "editmessagereplymarkup",
    "deletemessage",
    "deletemessages",
    "answercallbackquery",
    "setmycommands",
    "getmycommands",
    "deletemycommands",
    "getchat",
    "getchatmember",
];

fn is_known_method(lc: &str) -> bool {
    MODELLED_METHODS.contains(&lc) || TRUE_METHODS.contains(&lc)
}

fn bot_user_json() -> Value {
    json!({
        "id": BOT_ID,
        "is_bot": true,
        "first_name": BOT_FIRST_NAME,
        "username": BOT_USERNAME,
    })
}

fn call_method(inner: &mut Inner, lc: &str, p: &Value, seq: usize) -> ApiResult {
    match lc {
        "getme" => Ok(json!({
            "id": BOT_ID,
            "is_bot": true,
            "first_name": BOT_FIRST_NAME,
            "username": BOT_USERNAME,
            "can_join_groups": true,
            "can_read_all_group_messages": false,
            "supports_inline_queries": false,
            "can_connect_to_business": false,
            "has_main_web_app": false,
        })),
        "getwebhookinfo" => {
            let mut m = Map::new();
            let url = inner
                .webhook
                .as_ref()
                .map(|w| w.url.clone())
                .unwrap_or_default();
            m.insert("url".into(), json!(url));
            m.insert("has_custom_certificate".into(), json!(false));
            m.insert("pending_update_count".into(), json!(inner.queue.len()));
            if let Some((date, msg)) = &inner.webhook_last_error {
                m.insert("last_error_date".into(), json!(date));
                m.insert("last_error_message".into(), json!(msg));
            }
            if let Some(list) = &inner.allowed_updates {
                m.insert("allowed_updates".into(), json!(list));
            }
            Ok(Value::Object(m))
        }
        "setwebhook" => {
            let url = param_str(p, "url").unwrap_or_default();
            if param_bool(p, "drop_pending_updates") {
                inner.queue.clear();
            }
            if let Some(list) = p.get("allowed_updates").and_then(Value::as_array) {
                inner.allowed_updates = Some(
                    list.iter()
                        .filter_map(|v| v.as_str().map(str::to_owned))
                        .collect(),
                );
            }
            if url.is_empty() {
                inner.webhook = None;
            } else {
                if url::Url::parse(&url).is_err() {
                    return Err(ApiError::bad_request("bad webhook: invalid URL"));
                }
                inner.webhook = Some(Webhook {
                    url,
                    secret_token: param_str(p, "secret_token"),
                });
                inner.webhook_last_error = None;
            }
            Ok(json!(true))
        }
        "deletewebhook" => {
            if param_bool(p, "drop_pending_updates") {
                inner.queue.clear();
            }
            inner.webhook = None;
            Ok(json!(true))
        }
        "sendmessage" => send_message(inner, p, seq, SendKind::Text),
        "senddocument" => send_message(inner, p, seq, SendKind::Document),
        "sendphoto" => send_message(inner, p, seq, SendKind::Photo),
        "editmessagetext" => edit_message(inner, p, seq, true),
        "editmessagereplymarkup" => edit_message(inner, p, seq, false),
        "deletemessage" => {
            let chat_id = resolve_chat(inner, p)?;
            let message_id = param_i64(p, "message_id")
                .ok_or_else(|| ApiError::bad_request("message identifier is not specified"))?
                as i32;
            let may_delete_others =
                matches!(bot_status(inner, chat_id), "administrator" | "creator");
            let chat = inner.chats.get_mut(&chat_id).expect("resolved chat");
            let from_bot = match chat.messages.get(&message_id) {
                None => return Err(ApiError::bad_request("message to delete not found")),
                Some(m) => m.from_bot,
            };
            // In groups only an admin bot may delete other people's messages.
            if !from_bot && !chat.chat.is_private() && !may_delete_others {
                return Err(ApiError::bad_request("message can't be deleted"));
            }
            chat.messages.remove(&message_id);
            chat.deleted.push(message_id);
            Ok(json!(true))
        }
        "deletemessages" => {
            let chat_id = resolve_chat(inner, p)?;
            let ids: Vec<i32> = p
                .get("message_ids")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_i64)
                        .map(|i| i as i32)
                        .collect()
                })
                .unwrap_or_default();
            if ids.is_empty() || ids.len() > 100 {
                return Err(ApiError::bad_request("message_ids must hold 1-100 ids"));
            }
            let chat = inner.chats.get_mut(&chat_id).expect("resolved chat");
            for id in ids {
                if chat.messages.remove(&id).is_some() {
                    chat.deleted.push(id);
                }
            }
            Ok(json!(true))
        }
        "answercallbackquery" => {
            let id = param_str(p, "callback_query_id").unwrap_or_default();
            let text_len = param_str(p, "text").map_or(0, |t| t.chars().count());
            if text_len > 200 {
                return Err(ApiError::bad_request("MESSAGE_TOO_LONG"));
            }
            match inner.callbacks.get_mut(&id) {
                Some(answered @ false) => {
                    *answered = true;
                    Ok(json!(true))
                }
                _ => Err(ApiError::bad_request(
                    "query is too old and response timeout expired or query ID is invalid",
                )),
            }
        }
        "setmycommands" => set_my_commands(inner, p),
        "getmycommands" => {
            let scope = p
                .get("scope")
                .cloned()
                .unwrap_or(json!({"type": "default"}));
            let lang = param_str(p, "language_code").filter(|l| !l.is_empty());
            let found = inner
                .commands
                .iter()
                .find(|s| same_scope(&s.scope, &scope) && s.language_code == lang);
            let list: Vec<Value> = found
                .map(|s| {
                    s.commands
                        .iter()
                        .map(|(c, d)| json!({"command": c, "description": d}))
                        .collect()
                })
                .unwrap_or_default();
            Ok(Value::Array(list))
        }
        "deletemycommands" => {
            let scope = p
                .get("scope")
                .cloned()
                .unwrap_or(json!({"type": "default"}));
            let lang = param_str(p, "language_code").filter(|l| !l.is_empty());
            inner
                .commands
                .retain(|s| !(same_scope(&s.scope, &scope) && s.language_code == lang));
            Ok(json!(true))
        }
        "getchat" => {
            let chat_id = resolve_chat(inner, p)?;
            let mut info = inner.chats[&chat_id].chat.to_json();
            let m = info.as_object_mut().expect("chat object");
            m.insert(
                "accepted_gift_types".into(),
                json!({
                    "unlimited_gifts": false,
                    "limited_gifts": false,
                    "unique_gifts": false,
                    "premium_subscription": false,
                }),
            );
            m.insert("max_reaction_count".into(), json!(11));
            Ok(info)
        }
        "getchatmember" => {
            let chat_id = resolve_chat(inner, p)?;
            let user_id = param_i64(p, "user_id")
                .ok_or_else(|| ApiError::bad_request("user_id is not specified"))?;
            let user = if user_id == BOT_ID {
                bot_user_json()
            } else {
                inner
                    .users
                    .get(&user_id)
                    .map(FakeUser::to_json)
                    .ok_or_else(|| ApiError::bad_request("user not found"))?
            };
            let default = if user_id == BOT_ID {
                "administrator"
            } else {
                "member"
            };
            let status = inner
                .member_status
                .get(&(chat_id, user_id))
                .map_or(default, String::as_str);
            Ok(chat_member_json(user, status))
        }
        other if TRUE_METHODS.contains(&other) => {
            if other == "sendchataction" {
                let chat_id = resolve_chat(inner, p)?;
                if let Some(refusal) = write_refusal(inner, chat_id) {
                    return Err(refusal);
                }
            }
            Ok(json!(true))
        }
        // Unknown: recorded by the caller, visible via `unknown_calls`.
        _ => Ok(json!(true)),
    }
}

fn chat_member_json(user: Value, status: &str) -> Value {
    match status {
        "creator" => json!({ "status": "creator", "user": user, "is_anonymous": false }),
        "administrator" => json!({
            "status": "administrator",
            "user": user,
            "can_be_edited": false,
            "is_anonymous": false,
            "can_manage_chat": true,
            "can_delete_messages": true,
            "can_manage_video_chats": false,
            "can_restrict_members": true,
            "can_promote_members": false,
            "can_change_info": false,
            "can_invite_users": true,
            "can_post_stories": false,
            "can_edit_stories": false,
            "can_delete_stories": false,
            "can_pin_messages": true,
        }),
        "restricted" => json!({
            "status": "restricted",
            "user": user,
            "is_member": true,
            "can_send_messages": false,
            "can_send_audios": false,
            "can_send_documents": false,
            "can_send_photos": false,
            "can_send_videos": false,
            "can_send_video_notes": false,
            "can_send_voice_notes": false,
            "can_send_polls": false,
            "can_send_other_messages": false,
            "can_add_web_page_previews": false,
            "can_change_info": false,
            "can_invite_users": false,
            "can_pin_messages": false,
            "can_manage_topics": false,
            "until_date": 0,
        }),
        "left" => json!({ "status": "left", "user": user }),
        "kicked" => json!({ "status": "kicked", "user": user, "until_date": 0 }),
        _ => json!({ "status": "member", "user": user }),
    }
}

/// The bot's status in `chat_id` (set with `set_member_status(chat, BOT_ID, ..)`).
fn bot_status(inner: &Inner, chat_id: i64) -> &str {
    inner
        .member_status
        .get(&(chat_id, BOT_ID))
        .map_or("administrator", String::as_str)
}

/// Why the bot may not write to `chat_id`, if it may not.
fn write_refusal(inner: &Inner, chat_id: i64) -> Option<ApiError> {
    if inner.blocked.contains(&chat_id) {
        return Some(blocked_error());
    }
    let chat = &inner.chats.get(&chat_id)?.chat;
    let kind = match chat.kind {
        FakeChatKind::Private { .. } => return None,
        FakeChatKind::Group { .. } => "group",
        FakeChatKind::Supergroup { .. } => "supergroup",
    };
    let description = match bot_status(inner, chat_id) {
        "kicked" => format!("Forbidden: bot was kicked from the {kind} chat"),
        "left" => format!("Forbidden: bot is not a member of the {kind} chat"),
        _ => return None,
    };
    Some(ApiError {
        code: 403,
        description,
        parameters: None,
    })
}

fn blocked_error() -> ApiError {
    ApiError {
        code: 403,
        description: "Forbidden: bot was blocked by the user".into(),
        parameters: None,
    }
}

fn ensure_chat<'a>(inner: &'a mut Inner, chat: &FakeChat) -> &'a mut ChatState {
    let state = inner.chats.entry(chat.id).or_insert_with(|| ChatState {
        chat: chat.clone(),
        next_message_id: 1,
        messages: BTreeMap::new(),
        deleted: Vec::new(),
    });
    state.chat = chat.clone();
    state
}

/// `chat_id` as a known chat id (integer, numeric string or `@username`).
fn resolve_chat(inner: &Inner, p: &Value) -> Result<i64, ApiError> {
    let not_found = || ApiError::bad_request("chat not found");
    let id = match p.get("chat_id") {
        None | Some(Value::Null) => {
            return Err(ApiError::bad_request("chat_id is empty"));
        }
        Some(Value::String(s)) if s.starts_with('@') => {
            let name = &s[1..];
            inner
                .chats
                .values()
                .find(|c| {
                    c.chat
                        .username()
                        .is_some_and(|u| u.eq_ignore_ascii_case(name))
                })
                .map(|c| c.chat.id)
                .ok_or_else(not_found)?
        }
        Some(_) => param_i64(p, "chat_id").ok_or_else(not_found)?,
    };
    inner
        .chats
        .contains_key(&id)
        .then_some(id)
        .ok_or_else(not_found)
}

/// The rendered text of a send/edit, validated like Telegram does.
fn checked_text(p: &Value) -> Result<String, ApiError> {
    let raw = param_str(p, "text").unwrap_or_default();
    let mode = param_str(p, "parse_mode").unwrap_or_default();
    let text = render_parse_mode(&raw, &mode)
        .map_err(|e| ApiError::bad_request(format!("can't parse entities: {e}")))?;
    if text.trim().is_empty() {
        return Err(ApiError::bad_request("message text is empty"));
    }
    if text.encode_utf16().count() > MAX_TEXT_UTF16 {
        return Err(ApiError::bad_request("message is too long"));
    }
    Ok(text)
}

/// `(text, parse_mode)` of a send/edit as given.
fn text_source(p: &Value) -> (String, String) {
    (
        param_str(p, "text").unwrap_or_default(),
        param_str(p, "parse_mode")
            .unwrap_or_default()
            .to_ascii_lowercase(),
    )
}

/// The inline keyboard to store, if any; checks button data like Telegram.
fn checked_markup(p: &Value) -> Result<Option<Value>, ApiError> {
    let markup = match p.get("reply_markup") {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::String(s)) => serde_json::from_str::<Value>(s)
            .map_err(|_| ApiError::bad_request("can't parse reply keyboard markup JSON object"))?,
        Some(v) => v.clone(),
    };
    let Some(rows) = markup.get("inline_keyboard") else {
        // Reply keyboards and keyboard removal are not part of `Message`.
        return Ok(None);
    };
    let rows = rows
        .as_array()
        .ok_or_else(|| ApiError::bad_request("field \"inline_keyboard\" must be an Array"))?;
    for row in rows {
        let buttons = row
            .as_array()
            .ok_or_else(|| ApiError::bad_request("inline keyboard rows must be Arrays"))?;
        for b in buttons {
            if b.get("text")
                .and_then(Value::as_str)
                .is_none_or(str::is_empty)
            {
                return Err(ApiError::bad_request("BUTTON_TEXT_INVALID"));
            }
            if let Some(data) = b.get("callback_data") {
                let data = data.as_str().unwrap_or("");
                if data.is_empty() || data.len() > MAX_CALLBACK_DATA_BYTES {
                    return Err(ApiError::bad_request("BUTTON_DATA_INVALID"));
                }
            }
        }
    }
    Ok(Some(markup))
}

/// What a send method puts into the message besides the common fields.
#[derive(Clone, Copy, PartialEq, Eq)]
enum SendKind {
    Text,
    Document,
    Photo,
}

/// Telegram's limit on captions, in UTF-16 code units after parsing.
const MAX_CAPTION_UTF16: usize = 1024;

/// `(field, value)` for a document or photo: uploaded files arrive as
/// multipart parts (`{"file_name", "size"}`), re-sent ones as a file id/URL.
fn media_field(p: &Value, kind: SendKind, message_id: i32, chat_id: i64) -> ApiResult {
    let key = if kind == SendKind::Photo {
        "photo"
    } else {
        "document"
    };
    let input = p
        .get(key)
        .filter(|v| !v.is_null())
        .ok_or_else(|| ApiError::bad_request(format!("there is no {key} in the request")))?;
    let size = input.get("size").and_then(Value::as_u64).unwrap_or(1024);
    let file_id = format!("FAKE-{key}-{}-{message_id}", chat_id.unsigned_abs());
    let unique = format!("U{}{message_id}", chat_id.unsigned_abs());
    Ok(match kind {
        SendKind::Photo => json!([{
            "file_id": file_id, "file_unique_id": unique,
            "width": 320, "height": 240, "file_size": size,
        }]),
        _ => {
            let mut doc =
                json!({ "file_id": file_id, "file_unique_id": unique, "file_size": size });
            if let Some(name) = input.get("file_name").and_then(Value::as_str) {
                doc["file_name"] = json!(name);
            }
            doc
        }
    })
}

/// The rendered caption, if any, validated like Telegram does.
fn checked_caption(p: &Value) -> Result<Option<String>, ApiError> {
    let Some(raw) = param_str(p, "caption") else {
        return Ok(None);
    };
    let mode = param_str(p, "parse_mode").unwrap_or_default();
    let caption = render_parse_mode(&raw, &mode)
        .map_err(|e| ApiError::bad_request(format!("can't parse entities: {e}")))?;
    if caption.encode_utf16().count() > MAX_CAPTION_UTF16 {
        return Err(ApiError::bad_request("message caption is too long"));
    }
    Ok(Some(caption))
}

fn send_message(inner: &mut Inner, p: &Value, seq: usize, kind: SendKind) -> ApiResult {
    let chat_id = resolve_chat(inner, p)?;
    if let Some(refusal) = write_refusal(inner, chat_id) {
        return Err(refusal);
    }
    let (text, caption) = match kind {
        SendKind::Text => (Some(checked_text(p)?), None),
        _ => (None, checked_caption(p)?),
    };
    let markup = checked_markup(p)?;
    let reply_params = p.get("reply_parameters");
    let reply_to = reply_params
        .and_then(|r| param_i64(r, "message_id"))
        .or_else(|| param_i64(p, "reply_to_message_id"))
        .map(|id| id as i32);
    let allow_without = reply_params.is_some_and(|r| param_bool(r, "allow_sending_without_reply"))
        || param_bool(p, "allow_sending_without_reply");

    let chat = inner.chats.get_mut(&chat_id).expect("resolved chat");
    let replied = match reply_to {
        Some(id) => match chat.messages.get(&id) {
            Some(m) => Some(strip_nested_reply(&m.json)),
            None if allow_without => None,
            None => return Err(ApiError::bad_request("message to be replied not found")),
        },
        None => None,
    };
    let message_id = chat.next_message_id;

    let mut m = Map::new();
    m.insert("message_id".into(), json!(message_id));
    m.insert("from".into(), bot_user_json());
    m.insert("chat".into(), chat.chat.to_json());
    m.insert("date".into(), json!(unix_now()));
    if let Some(r) = replied {
        m.insert("reply_to_message".into(), r);
    }
    match kind {
        SendKind::Text => {
            m.insert("text".into(), json!(text));
        }
        SendKind::Document => {
            m.insert(
                "document".into(),
                media_field(p, kind, message_id, chat_id)?,
            );
        }
        SendKind::Photo => {
            m.insert("photo".into(), media_field(p, kind, message_id, chat_id)?);
        }
    }
    if let Some(c) = &caption {
        m.insert("caption".into(), json!(c));
    }
    if let Some(k) = markup {
        m.insert("reply_markup".into(), k);
    }
    chat.next_message_id += 1;
    let message = Value::Object(m);
    chat.messages.insert(
        message_id,
        StoredMessage {
            json: message.clone(),
            from_bot: true,
            source: text_source(p),
        },
    );
    if let Some(text) = text.or(caption) {
        inner.shown.push(Shown {
            seq,
            chat_id,
            message_id,
            text,
        });
    }
    Ok(message)
}

fn edit_message(inner: &mut Inner, p: &Value, seq: usize, with_text: bool) -> ApiResult {
    if p.get("inline_message_id").is_some_and(|v| !v.is_null()) {
        if with_text {
            checked_text(p)?;
        }
        checked_markup(p)?;
        return Ok(json!(true));
    }
    let chat_id = resolve_chat(inner, p)?;
    let message_id = param_i64(p, "message_id")
        .ok_or_else(|| ApiError::bad_request("message identifier is not specified"))?
        as i32;
    let text = if with_text {
        Some(checked_text(p)?)
    } else {
        None
    };
    let markup = checked_markup(p)?;

    let chat = inner.chats.get_mut(&chat_id).expect("resolved chat");
    let stored = chat
        .messages
        .get_mut(&message_id)
        .ok_or_else(|| ApiError::bad_request("message to edit not found"))?;
    if !stored.from_bot {
        return Err(ApiError::bad_request("message can't be edited"));
    }
    if with_text && stored.json.get("text").is_none() {
        return Err(ApiError::bad_request(
            "there is no text in the message to edit",
        ));
    }
    let obj = stored.json.as_object_mut().expect("message object");
    let same_text = text.as_ref().is_none_or(|t| {
        obj.get("text").and_then(Value::as_str) == Some(t.as_str())
            && stored.source == text_source(p)
    });
    if same_text && obj.get("reply_markup") == markup.as_ref() {
        return Err(ApiError::bad_request(
            "message is not modified: specified new message content and reply markup are \
             exactly the same as a current content and reply markup of the message",
        ));
    }
    if let Some(t) = &text {
        obj.insert("text".into(), json!(t));
        stored.source = text_source(p);
    }
    // Like Telegram: an edit without `reply_markup` removes the keyboard.
    match markup {
        Some(k) => obj.insert("reply_markup".into(), k),
        None => obj.remove("reply_markup"),
    };
    obj.insert("edit_date".into(), json!(unix_now()));
    let message = stored.json.clone();
    if let Some(text) = text {
        inner.shown.push(Shown {
            seq,
            chat_id,
            message_id,
            text,
        });
    }
    Ok(message)
}

fn same_scope(a: &Value, b: &Value) -> bool {
    let key = |v: &Value| {
        (
            v["type"].as_str().unwrap_or("default").to_owned(),
            param_str(v, "chat_id"),
            param_i64(v, "user_id"),
        )
    };
    key(a) == key(b)
}

fn set_my_commands(inner: &mut Inner, p: &Value) -> ApiResult {
    let list = p
        .get("commands")
        .and_then(Value::as_array)
        .ok_or_else(|| ApiError::bad_request("field \"commands\" must be an Array"))?;
    if list.len() > 100 {
        return Err(ApiError::bad_request("too many commands"));
    }
    let mut commands = Vec::new();
    for c in list {
        let command = param_str(c, "command").unwrap_or_default();
        let description = param_str(c, "description").unwrap_or_default();
        let command_ok = (1..=32).contains(&command.len())
            && command
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if !command_ok {
            return Err(ApiError::bad_request("BOT_COMMAND_INVALID"));
        }
        if !(1..=256).contains(&description.chars().count()) {
            return Err(ApiError::bad_request("BOT_COMMAND_DESCRIPTION_INVALID"));
        }
        commands.push((command, description));
    }
    let scope = p
        .get("scope")
        .cloned()
        .unwrap_or(json!({"type": "default"}));
    let language_code = param_str(p, "language_code").filter(|l| !l.is_empty());
    inner
        .commands
        .retain(|s| !(same_scope(&s.scope, &scope) && s.language_code == language_code));
    if !commands.is_empty() {
        inner.commands.push(CommandSet {
            scope,
            language_code,
            commands,
        });
    }
    Ok(json!(true))
}

// ---------------------------------------------------------------------------
// parse_mode rendering
// ---------------------------------------------------------------------------

/// What the user sees of `raw` under `mode` (`""`, `HTML`, `MarkdownV2`,
/// `Markdown`), or the reason Telegram would refuse it.
fn render_parse_mode(raw: &str, mode: &str) -> Result<String, String> {
    match mode.to_ascii_lowercase().as_str() {
        "" => Ok(raw.to_owned()),
        "html" => render_html(raw),
        "markdownv2" => render_markdown_v2(raw),
        "markdown" => render_markdown_legacy(raw),
        other => Err(format!("unsupported parse_mode \"{other}\"")),
    }
}

const HTML_TAGS: &[&str] = &[
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "span",
    "tg-spoiler",
    "a",
    "code",
    "pre",
    "blockquote",
    "tg-emoji",
];

fn render_html(raw: &str) -> Result<String, String> {
    let mut out = String::new();
    let mut open: Vec<(String, usize)> = Vec::new();
    let mut i = 0;
    while i < raw.len() {
        let rest = &raw[i..];
        let c = rest.chars().next().expect("in bounds");
        if c == '<' {
            let end = rest
                .find('>')
                .ok_or_else(|| format!("Unclosed start tag at byte offset {i}"))?;
            let tag = &rest[1..end];
            if let Some(name) = tag.strip_prefix('/') {
                let name = name.trim().to_ascii_lowercase();
                match open.pop() {
                    Some((top, _)) if name.is_empty() || top == name => {}
                    _ => return Err(format!("Unexpected end tag at byte offset {i}")),
                }
            } else {
                let name = tag
                    .split(|ch: char| ch.is_whitespace())
                    .next()
                    .unwrap_or("")
                    .to_ascii_lowercase();
                if !HTML_TAGS.contains(&name.as_str()) {
                    return Err(format!(
                        "Unsupported start tag \"{name}\" at byte offset {i}"
                    ));
                }
                if name == "span" && !tag.contains("tg-spoiler") {
                    return Err("Tag \"span\" must have class \"tg-spoiler\"".into());
                }
                open.push((name, i));
            }
            i += end + 1;
        } else if c == '&' {
            match decode_html_entity(rest) {
                Some((decoded, len)) => {
                    out.push(decoded);
                    i += len;
                }
                None => {
                    out.push('&');
                    i += 1;
                }
            }
        } else if c == '>' {
            // Telegram tolerates a bare '>' in text.
            out.push(c);
            i += 1;
        } else {
            out.push(c);
            i += c.len_utf8();
        }
    }
    if let Some((name, _)) = open.pop() {
        return Err(format!(
            "Can't find end tag corresponding to start tag \"{name}\""
        ));
    }
    Ok(out)
}

/// `&lt;` `&gt;` `&amp;` `&quot;` and numeric entities; (char, bytes used).
fn decode_html_entity(s: &str) -> Option<(char, usize)> {
    let end = s.find(';')?;
    if end > 10 {
        return None;
    }
    let body = &s[1..end];
    let c = match body {
        "lt" => '<',
        "gt" => '>',
        "amp" => '&',
        "quot" => '"',
        _ => {
            let num = body.strip_prefix('#')?;
            let code = match num.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => num.parse().ok()?,
            };
            char::from_u32(code)?
        }
    };
    Some((c, end + 1))
}

const MDV2_RESERVED: &str = "_*[]()~`>#+-=|{}.!";

fn render_markdown_v2(raw: &str) -> Result<String, String> {
    let mut out = String::new();
    // Open entities: (marker, byte offset).
    let mut open: Vec<(&'static str, usize)> = Vec::new();
    let chars: Vec<(usize, char)> = raw.char_indices().collect();
    let at = |k: usize| chars.get(k).map(|&(_, c)| c);
    let mut k = 0;
    let mut line_start = true;
    while k < chars.len() {
        let (off, c) = chars[k];
        let in_code = matches!(open.last(), Some((m, _)) if *m == "`" || *m == "```");
        if c == '\\' {
            match at(k + 1) {
                Some(n) => out.push(n),
                None => {
                    return Err(format!(
                        "Character '\\' at byte offset {off} must be escaped"
                    ))
                }
            }
            k += 2;
            line_start = false;
            continue;
        }
        if in_code {
            let marker = open.last().expect("in code").0;
            if marker == "```" && c == '`' && at(k + 1) == Some('`') && at(k + 2) == Some('`') {
                open.pop();
                k += 3;
            } else if marker == "`" && c == '`' {
                open.pop();
                k += 1;
            } else {
                out.push(c);
                k += 1;
            }
            continue;
        }
        match c {
            '`' if at(k + 1) == Some('`') && at(k + 2) == Some('`') => {
                open.push(("```", off));
                k += 3;
                // The rest of the opening line is the language.
                while let Some(n) = at(k) {
                    k += 1;
                    if n == '\n' {
                        break;
                    }
                }
                continue;
            }
            '`' => open.push(("`", off)),
            '*' => md_toggle(&mut open, "*", off)?,
            '~' => md_toggle(&mut open, "~", off)?,
            '_' if at(k + 1) == Some('_') => {
                md_toggle(&mut open, "__", off)?;
                k += 1;
            }
            '_' => md_toggle(&mut open, "_", off)?,
            '|' if at(k + 1) == Some('|') => {
                md_toggle(&mut open, "||", off)?;
                k += 1;
            }
            '[' => open.push(("[", off)),
            ']' if open.last().is_some_and(|(m, _)| *m == "[") => {
                open.pop();
                if at(k + 1) != Some('(') {
                    return Err(format!("Can't find end of a URL at byte offset {off}"));
                }
                k += 2;
                loop {
                    match at(k) {
                        Some(')') => break,
                        Some('\\') => k += 2,
                        Some(_) => k += 1,
                        None => {
                            return Err(format!("Can't find end of a URL at byte offset {off}"))
                        }
                    }
                }
            }
            '>' if line_start => {}
            c if MDV2_RESERVED.contains(c) => {
                return Err(format!(
                    "Character '{c}' is reserved and must be escaped with the preceding '\\'"
                ));
            }
            c => out.push(c),
        }
        line_start = c == '\n';
        k += 1;
    }
    if let Some((marker, off)) = open.pop() {
        return Err(format!(
            "Can't find end of {marker} entity at byte offset {off}"
        ));
    }
    Ok(out)
}

/// Opens `marker`, or closes it if it is the innermost open entity.
fn md_toggle(
    open: &mut Vec<(&'static str, usize)>,
    marker: &'static str,
    off: usize,
) -> Result<(), String> {
    match open.iter().position(|(m, _)| *m == marker) {
        Some(pos) if pos + 1 == open.len() => {
            open.pop();
            Ok(())
        }
        Some(_) => Err(format!(
            "Can't find end of {marker} entity at byte offset {off}"
        )),
        None => {
            open.push((marker, off));
            Ok(())
        }
    }
}

fn render_markdown_legacy(raw: &str) -> Result<String, String> {
    let mut out = String::new();
    let mut open: Option<(char, usize)> = None;
    let mut chars = raw.char_indices().peekable();
    while let Some((off, c)) = chars.next() {
        match (open, c) {
            (None, '\\') => {
                if let Some((_, n)) = chars.next() {
                    out.push(n);
                }
            }
            (None, '*' | '_' | '`') => open = Some((c, off)),
            (Some((m, _)), _) if m == c => open = None,
            (None, '[') => {
                let mut label = String::new();
                let mut closed = false;
                for (_, n) in chars.by_ref() {
                    if n == ']' {
                        closed = true;
                        break;
                    }
                    label.push(n);
                }
                if !closed || chars.next().map(|(_, n)| n) != Some('(') {
                    return Err(format!(
                        "Can't find end of the entity starting at byte offset {off}"
                    ));
                }
                if !chars.by_ref().any(|(_, n)| n == ')') {
                    return Err(format!(
                        "Can't find end of the entity starting at byte offset {off}"
                    ));
                }
                out.push_str(&label);
            }
            _ => out.push(c),
        }
    }
    if let Some((_, off)) = open {
        return Err(format!(
            "Can't find end of the entity starting at byte offset {off}"
        ));
    }
    Ok(out)
}

// ---------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(1)
}

fn insert_opt(m: &mut Map<String, Value>, key: &str, v: &Option<String>) {
    if let Some(v) = v {
        m.insert(key.into(), json!(v));
    }
}

/// Telegram does not nest `reply_to_message` more than one level.
fn strip_nested_reply(message: &Value) -> Value {
    let mut m = message.clone();
    if let Some(obj) = m.as_object_mut() {
        obj.remove("reply_to_message");
    }
    m
}

/// Length in UTF-16 units of a leading `/command[@bot]`, if the text has one.
fn command_len_utf16(text: &str) -> Option<usize> {
    let rest = text.strip_prefix('/')?;
    let end = rest.find(|c: char| c.is_whitespace()).unwrap_or(rest.len());
    (end > 0).then(|| text[..end + 1].encode_utf16().count())
}

fn param_i64(p: &Value, key: &str) -> Option<i64> {
    match p.get(key)? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn param_str(p: &Value, key: &str) -> Option<String> {
    match p.get(key)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn param_bool(p: &Value, key: &str) -> bool {
    match p.get(key) {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => s == "true" || s == "1",
        Some(Value::Number(n)) => n.as_i64() == Some(1),
        _ => false,
    }
}
