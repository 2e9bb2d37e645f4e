//! A minimal Telegram Bot API on loopback for the load driver: it feeds
//! updates to a bot's long polling and timestamps every message the bot
//! sends, per chat. It answers only what `loket run` calls, and enforces
//! Telegram's flood limits ([`Limits`]): a message beyond them is
//! answered 429 with `parameters.retry_after` and counted, so a pacing
//! bug shows up in a load run. It checks nothing else; the full fake
//! with Telegram's other refusals lives in `tests/support/fake_bot_api.rs`.
//!
//! Owns: the update queue, `getUpdates` long polling, message ids, the
//! per-chat reply channels and the flood limiter. Must not: block a
//! request on anything but the update queue.

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
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
    limiter: Mutex<Limiter>,
    stats: Mutex<BotApiStats>,
}

/// What the bot's messages met so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BotApiStats {
    /// Messages sent or edited within the limits (and so delivered).
    pub messages: u64,
    /// Messages refused with 429 Too Many Requests.
    pub too_many_requests: u64,
}

/// Which flood limits the bench Bot API enforces (`--limits`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Limits {
    /// Telegram's: one chat a burst of 3 then about one message a second,
    /// a group 20 a minute, the whole bot 30 a second.
    Telegram,
    /// The same ×1000, as `LOKET_THROTTLE=raised` paces.
    Raised,
    /// None: every message is delivered.
    Off,
}

impl Limits {
    pub fn name(self) -> &'static str {
        match self {
            Limits::Telegram => "telegram",
            Limits::Raised => "raised",
            Limits::Off => "off",
        }
    }

    /// The windows a message must fit, or none.
    fn windows(self) -> Option<Windows> {
        let scale = match self {
            Limits::Telegram => 1,
            Limits::Raised => 1000,
            Limits::Off => return None,
        };
        Some(Windows {
            chat: Window::new(CHAT_BURST * scale, Duration::from_secs(CHAT_BURST as u64)),
            group: Window::new(20 * scale, Duration::from_secs(60)),
            overall: Window::new(30 * scale, Duration::from_secs(1)),
        })
    }
}

/// Messages one chat may get at once before it must wait; on average
/// one a second (Telegram: "avoid more than one message per second in a
/// chat; short bursts are allowed").
const CHAT_BURST: usize = 3;

/// Messages are counted where they arrive, not where the bot let them
/// go: a bot pacing exactly at a limit sees its sends arrive up to this
/// much closer together than it released them, and is not refused for
/// that.
const ARRIVAL_SLACK: Duration = Duration::from_millis(100);

/// At most `max` messages in any `span` (less [`ARRIVAL_SLACK`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Window {
    max: usize,
    span: Duration,
}

impl Window {
    fn new(max: usize, span: Duration) -> Window {
        Window {
            max,
            span: span.saturating_sub(ARRIVAL_SLACK),
        }
    }

    /// Forgets what left the window by `now`; how long until one more
    /// fits, if it does not now.
    fn wait(self, sent: &mut VecDeque<Instant>, now: Instant) -> Option<Duration> {
        while sent
            .front()
            .is_some_and(|at| now.saturating_duration_since(*at) >= self.span)
        {
            sent.pop_front();
        }
        if sent.len() < self.max {
            return None;
        }
        let leaves = sent[sent.len() - self.max] + self.span;
        Some(leaves.saturating_duration_since(now))
    }
}

#[derive(Debug, Clone, Copy)]
struct Windows {
    /// Every chat (private or group).
    chat: Window,
    /// Groups, supergroups and channels (negative chat ids) on top.
    group: Window,
    /// The whole bot.
    overall: Window,
}

/// Telegram's flood limits as sliding windows over what was delivered.
#[derive(Debug)]
struct Limiter {
    windows: Option<Windows>,
    chats: HashMap<i64, VecDeque<Instant>>,
    groups: HashMap<i64, VecDeque<Instant>>,
    overall: VecDeque<Instant>,
}

impl Limiter {
    fn new(limits: Limits) -> Limiter {
        Limiter {
            windows: limits.windows(),
            chats: HashMap::new(),
            groups: HashMap::new(),
            overall: VecDeque::new(),
        }
    }

    /// Lets one message to `chat` through at `now`, or refuses it with
    /// the whole seconds to wait (`retry_after`, at least 1). A refused
    /// message is not counted.
    fn admit(&mut self, chat: i64, now: Instant) -> Result<(), u64> {
        let Some(windows) = self.windows else {
            return Ok(());
        };
        let chat_sent = self.chats.entry(chat).or_default();
        let mut wait = windows.chat.wait(chat_sent, now);
        let mut group_sent = (chat < 0).then(|| self.groups.entry(chat).or_default());
        if let Some(sent) = group_sent.as_deref_mut() {
            wait = wait.max(windows.group.wait(sent, now));
        }
        wait = wait.max(windows.overall.wait(&mut self.overall, now));
        if let Some(wait) = wait {
            let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            return Err(secs.max(1));
        }
        if let Some(sent) = group_sent {
            sent.push_back(now);
        }
        self.chats.entry(chat).or_default().push_back(now);
        self.overall.push_back(now);
        Ok(())
    }
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
    /// Binds `127.0.0.1:0` and serves until the runtime stops, holding
    /// the bot to `limits`.
    pub async fn start(limits: Limits) -> std::io::Result<BenchBotApi> {
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
            limiter: Mutex::new(Limiter::new(limits)),
            stats: Mutex::new(BotApiStats::default()),
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

    /// Messages delivered and refused with 429 so far.
    pub fn stats(&self) -> BotApiStats {
        *lock(&self.inner.stats)
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

fn ok(result: Value) -> (StatusCode, Json<Value>) {
    (StatusCode::OK, Json(json!({"ok": true, "result": result})))
}

fn too_many_requests(retry_after: u64) -> (StatusCode, Json<Value>) {
    (
        StatusCode::TOO_MANY_REQUESTS,
        Json(json!({
            "ok": false,
            "error_code": 429,
            "description": format!("Too Many Requests: retry after {retry_after}"),
            "parameters": {"retry_after": retry_after},
        })),
    )
}

/// Whether a method sends or edits a message, and so counts toward
/// Telegram's flood limits (a chat action, a callback answer or a
/// deletion does not).
fn counts_as_message(method: &str) -> bool {
    (method.starts_with("send") && method != "sendchataction")
        || method.starts_with("editmessage")
        || matches!(
            method,
            "copymessage" | "copymessages" | "forwardmessage" | "forwardmessages"
        )
}

/// A parameter of a JSON body, or of a multipart one (files are sent as
/// multipart/form-data; only text fields are read).
fn param(params: &Value, body: &[u8], name: &str) -> Option<String> {
    match &params[name] {
        Value::String(s) => return Some(s.clone()),
        Value::Number(n) => return Some(n.to_string()),
        Value::Null if !params.is_null() => return None,
        _ => {}
    }
    let text = String::from_utf8_lossy(body);
    let start = text.find(&format!("name=\"{name}\""))?;
    let value = &text[start..];
    let value = &value[value.find("\r\n\r\n")? + 4..];
    Some(value[..value.find("\r\n").unwrap_or(value.len())].to_string())
}

async fn call(
    State(inner): State<Arc<Inner>>,
    Path((_token, method)): Path<(String, String)>,
    body: Bytes,
) -> (StatusCode, Json<Value>) {
    let method = method.to_ascii_lowercase();
    let params: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    if counts_as_message(&method) {
        return message(&inner, &params, &body);
    }
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
        _ => ok(json!(true)),
    }
}

/// A message sent or edited: within the limits it is delivered to the
/// chat's watcher and answered as Telegram would; beyond them, 429.
fn message(inner: &Inner, params: &Value, body: &[u8]) -> (StatusCode, Json<Value>) {
    let chat_id = param(params, body, "chat_id")
        .and_then(|c| c.trim().parse::<i64>().ok())
        .unwrap_or_default();
    let now = Instant::now();
    if let Err(retry_after) = lock(&inner.limiter).admit(chat_id, now) {
        lock(&inner.stats).too_many_requests += 1;
        return too_many_requests(retry_after);
    }
    lock(&inner.stats).messages += 1;
    let text = param(params, body, "text")
        .or_else(|| param(params, body, "caption"))
        .unwrap_or_default();
    let sender = lock(&inner.chats).get(&chat_id).cloned();
    if let Some(sender) = sender {
        let _ = sender.send(Sent {
            at: now,
            text: text.clone(),
        });
    }
    let message_id = params["message_id"]
        .as_i64()
        .unwrap_or_else(|| next_message_id(inner));
    ok(json!({
        "message_id": message_id,
        "date": unix_now(),
        "chat": private_chat(chat_id),
        "from": {"id": BOT_ID, "is_bot": true, "first_name": "Loket Bench"},
        "text": text,
    }))
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

#[cfg(test)]
mod tests {
    use super::*;

    const SECOND: Duration = Duration::from_secs(1);

    /// Messages to send: when (from the start) and to which chat.
    type Script = Vec<(Duration, i64)>;
    /// What each message met: `Ok` or `Err(retry_after)`.
    type Met = Vec<Result<(), u64>>;

    fn play(limits: Limits, script: &[(Duration, i64)]) -> Met {
        let mut limiter = Limiter::new(limits);
        let start = Instant::now();
        script
            .iter()
            .map(|(at, chat)| limiter.admit(*chat, start + *at))
            .collect()
    }

    /// `n` messages to `chat`, `every` apart from `from`.
    fn burst(n: usize, chat: i64, from: Duration, every: Duration) -> Script {
        (0..n)
            .map(|i| (from + every * u32::try_from(i).unwrap(), chat))
            .collect()
    }

    #[test]
    fn telegrams_limits_refuse_what_telegram_would_with_a_retry_after() {
        const PRIVATE: i64 = 42;
        const GROUP: i64 = -10042;
        let ms = Duration::from_millis;
        let cases: Vec<(&str, Script, Met)> = vec![
            (
                "a burst within the limit passes",
                burst(CHAT_BURST, PRIVATE, ms(0), ms(10)),
                vec![Ok(()); CHAT_BURST],
            ),
            (
                "one beyond the burst in the same second waits",
                burst(CHAT_BURST + 1, PRIVATE, ms(0), ms(10)),
                [vec![Ok(()); CHAT_BURST], vec![Err(3)]].concat(),
            ),
            (
                "one a second to a chat always passes",
                burst(10, PRIVATE, ms(0), SECOND),
                vec![Ok(()); 10],
            ),
            (
                "twenty messages a minute to a group pass, the 21st waits",
                burst(21, GROUP, ms(0), SECOND),
                [vec![Ok(()); 20], vec![Err(40)]].concat(),
            ),
            (
                "thirty messages a second across chats pass, the 31st waits",
                (0..31).map(|chat| (ms(chat as u64), chat)).collect(),
                [vec![Ok(()); 30], vec![Err(1)]].concat(),
            ),
        ];
        for (name, script, want) in cases {
            assert_eq!(play(Limits::Telegram, &script), want, "{name}");
        }
    }

    #[test]
    fn a_refused_message_is_not_counted_and_the_window_slides() {
        let mut limiter = Limiter::new(Limits::Telegram);
        let start = Instant::now();
        for _ in 0..CHAT_BURST {
            assert_eq!(limiter.admit(7, start), Ok(()));
        }
        let refused = limiter.admit(7, start + Duration::from_millis(500));
        assert!(refused.is_err_and(|retry_after| retry_after >= 1));
        // Once the burst has left the window, the chat may send again.
        assert_eq!(limiter.admit(7, start + 3 * SECOND), Ok(()));
    }

    #[test]
    fn raised_limits_are_telegrams_times_a_thousand_and_off_has_none() {
        let flood: Script = (0..1000).map(|i| (Duration::ZERO, i % 3)).collect();
        assert!(play(Limits::Raised, &flood).iter().all(Result::is_ok));
        assert!(
            play(Limits::Off, &burst(5000, 1, Duration::ZERO, Duration::ZERO))
                .iter()
                .all(Result::is_ok)
        );
        let beyond = burst(30_001, 1, Duration::ZERO, Duration::from_nanos(10));
        let raised = play(Limits::Raised, &beyond);
        assert_eq!(raised.iter().filter(|r| r.is_err()).count(), 30_001 - 3000);
    }

    #[test]
    fn sends_and_edits_count_as_messages_other_calls_do_not() {
        for method in [
            "sendmessage",
            "sendphoto",
            "senddocument",
            "editmessagetext",
            "editmessagereplymarkup",
            "copymessage",
            "forwardmessage",
        ] {
            assert!(counts_as_message(method), "{method}");
        }
        for method in [
            "sendchataction",
            "answercallbackquery",
            "deletemessage",
            "getupdates",
            "getme",
            "setmycommands",
        ] {
            assert!(!counts_as_message(method), "{method}");
        }
    }

    #[test]
    fn a_files_chat_and_caption_are_read_from_multipart() {
        let body = b"--b\r\nContent-Disposition: form-data; name=\"chat_id\"\r\n\r\n-10042\r\n\
                     --b\r\nContent-Disposition: form-data; name=\"caption\"\r\n\r\nStruk\r\n--b--\r\n";
        assert_eq!(
            param(&Value::Null, body, "chat_id").as_deref(),
            Some("-10042")
        );
        assert_eq!(
            param(&Value::Null, body, "caption").as_deref(),
            Some("Struk")
        );
        let json = json!({"chat_id": 42, "text": "hai"});
        assert_eq!(param(&json, b"", "chat_id").as_deref(), Some("42"));
        assert_eq!(param(&json, b"", "caption"), None);
    }
}
