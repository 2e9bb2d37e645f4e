//! A minimal Telegram Bot API on loopback for the load driver: it feeds
//! updates to a bot's long polling and timestamps every message the bot
//! sends, per chat. It answers only what `loket run` calls and checks
//! nothing; the full fake with Telegram's refusals lives in
//! `tests/support/fake_bot_api.rs`.
//!
//! Owns: the update queue, `getUpdates` long polling, message ids and the
//! per-chat reply channels. Must not: block a request on anything but the
//! update queue.

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{json, Value};
use tokio::sync::{mpsc, Notify};

/// The bot's own user id and username as `getMe` reports them.
pub const BOT_ID: i64 = 7_000_000_777;
pub const BOT_USERNAME: &str = "loket_bench_bot";

/// Longest `getUpdates` wait honoured, whatever the bot asks for.
const MAX_POLL: Duration = Duration::from_secs(10);
/// Most updates one `getUpdates` answer carries (Telegram's limit).
const MAX_BATCH: usize = 100;

/// A message the bot sent, as the driver sees it.
#[derive(Debug)]
pub struct Sent {
    pub at: Instant,
    pub text: String,
}

#[derive(Default)]
struct Queue {
    next_update_id: i64,
    updates: VecDeque<(i64, Value)>,
}

struct Inner {
    queue: Mutex<Queue>,
    arrived: Notify,
    next_message_id: Mutex<i64>,
    chats: Mutex<HashMap<i64, mpsc::UnboundedSender<Sent>>>,
    first_poll: OnceLock<Instant>,
}

/// A running bench Bot API. Cheap to clone.
#[derive(Clone)]
pub struct BenchBotApi {
    inner: Arc<Inner>,
    addr: SocketAddr,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl BenchBotApi {
    /// Binds `127.0.0.1:0` and serves until the runtime stops.
    pub async fn start() -> std::io::Result<BenchBotApi> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let inner = Arc::new(Inner {
            queue: Mutex::new(Queue {
                next_update_id: 1,
                updates: VecDeque::new(),
            }),
            arrived: Notify::new(),
            next_message_id: Mutex::new(1),
            chats: Mutex::new(HashMap::new()),
            first_poll: OnceLock::new(),
        });
        let app = Router::new()
            .route("/{token}/{method}", post(call))
            .with_state(inner.clone());
        tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, app).await {
                tracing::error!(error = %e, "bench Bot API stopped");
            }
        });
        Ok(BenchBotApi { inner, addr })
    }

    /// What `TELOXIDE_API_URL` should be.
    pub fn api_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Messages the bot sends to `chat_id` arrive on the returned channel.
    pub fn watch_chat(&self, chat_id: i64) -> mpsc::UnboundedReceiver<Sent> {
        let (tx, rx) = mpsc::unbounded_channel();
        lock(&self.inner.chats).insert(chat_id, tx);
        rx
    }

    /// When the bot first asked for updates.
    pub fn first_poll(&self) -> Option<Instant> {
        self.inner.first_poll.get().copied()
    }

    /// Queues a text message from user `chat_id` in their private chat.
    pub fn send_text(&self, chat_id: i64, text: &str) {
        let message_id = self.next_message_id();
        let message = json!({
            "message_id": message_id,
            "date": unix_now(),
            "chat": private_chat(chat_id),
            "from": {"id": chat_id, "is_bot": false, "first_name": "Reseller"},
            "text": text,
        });
        let mut queue = lock(&self.inner.queue);
        let id = queue.next_update_id;
        queue.next_update_id += 1;
        queue
            .updates
            .push_back((id, json!({"update_id": id, "message": message})));
        drop(queue);
        self.inner.arrived.notify_waiters();
    }

    fn next_message_id(&self) -> i64 {
        next_message_id(&self.inner)
    }
}

fn next_message_id(inner: &Inner) -> i64 {
    let mut next = lock(&inner.next_message_id);
    let id = *next;
    *next += 1;
    id
}

fn unix_now() -> i64 {
    chrono::Utc::now().timestamp()
}

fn private_chat(id: i64) -> Value {
    json!({"id": id, "type": "private", "first_name": "Reseller"})
}

fn ok(result: Value) -> Json<Value> {
    Json(json!({"ok": true, "result": result}))
}

async fn call(
    State(inner): State<Arc<Inner>>,
    Path((_token, method)): Path<(String, String)>,
    body: Bytes,
) -> Json<Value> {
    let method = method.to_ascii_lowercase();
    let params: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    match method.as_str() {
        "getme" => ok(json!({
            "id": BOT_ID,
            "is_bot": true,
            "first_name": "Loket Bench",
            "username": BOT_USERNAME,
            "can_join_groups": true,
            "can_read_all_group_messages": false,
            "supports_inline_queries": false,
            "can_connect_to_business": false,
            "has_main_web_app": false,
        })),
        "getupdates" => ok(get_updates(&inner, &params).await),
        "getwebhookinfo" => ok(json!({
            "url": "",
            "has_custom_certificate": false,
            "pending_update_count": 0,
        })),
        "sendmessage" | "editmessagetext" => {
            let chat_id = params["chat_id"].as_i64().unwrap_or_default();
            let text = params["text"].as_str().unwrap_or_default().to_string();
            let sender = lock(&inner.chats).get(&chat_id).cloned();
            if let Some(sender) = sender {
                let _ = sender.send(Sent {
                    at: Instant::now(),
                    text: text.clone(),
                });
            }
            let message_id = params["message_id"]
                .as_i64()
                .unwrap_or_else(|| next_message_id(&inner));
            ok(json!({
                "message_id": message_id,
                "date": unix_now(),
                "chat": private_chat(chat_id),
                "from": {"id": BOT_ID, "is_bot": true, "first_name": "Loket Bench"},
                "text": text,
            }))
        }
        _ => ok(json!(true)),
    }
}

/// Long polling: confirms updates below `offset`, answers at once when
/// some are queued, else waits for one (up to the asked timeout).
async fn get_updates(inner: &Inner, params: &Value) -> Value {
    let _ = inner.first_poll.set(Instant::now());
    let offset = params["offset"].as_i64().unwrap_or(0);
    let limit = params["limit"]
        .as_u64()
        .map_or(MAX_BATCH, |l| usize::try_from(l).unwrap_or(MAX_BATCH))
        .clamp(1, MAX_BATCH);
    let wait = params["timeout"]
        .as_u64()
        .map_or(Duration::ZERO, Duration::from_secs)
        .min(MAX_POLL);
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        let arrived = inner.arrived.notified();
        tokio::pin!(arrived);
        arrived.as_mut().enable();
        {
            let mut queue = lock(&inner.queue);
            while queue.updates.front().is_some_and(|(id, _)| *id < offset) {
                queue.updates.pop_front();
            }
            if !queue.updates.is_empty() {
                let batch: Vec<Value> = queue
                    .updates
                    .iter()
                    .take(limit)
                    .map(|(_, u)| u.clone())
                    .collect();
                return Value::Array(batch);
            }
        }
        if tokio::time::timeout_at(deadline, arrived).await.is_err() {
            return Value::Array(Vec::new());
        }
    }
}
