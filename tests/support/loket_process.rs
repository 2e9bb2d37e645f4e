//! Runs the real `loket run` binary for end-to-end tests: against the fake
//! Bot API (`fake_bot_api.rs`) and the sandbox gateway, both on 127.0.0.1,
//! with a fresh data directory, its stderr and stdout captured line by line.
//!
//! [`World`] is one running bot with its fake Telegram and its gateway, and
//! the few moves a reseller makes: say something, wait for loket's answer,
//! tap a button. It stops the bot with a signal and checks that it exits 0.
//! [`DelayProxy`] sits between the bot and the fake to hold back one Bot API
//! method's answers (to signal the bot while it is starting).
//!
//! Include next to the fake: `#[path = "support/fake_bot_api.rs"] mod
//! fake_bot_api;` then `#[path = "support/loket_process.rs"] mod
//! loket_process;`.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use loket::sandbox::{self, SandboxConfig, SandboxHandle};
use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};
use tokio::process::{Child, Command};
use tokio::task::JoinHandle;

use crate::fake_bot_api::{FakeBotApi, FakeChat, FakeUser, RecordedCall};

/// Longest wait for one answer of the bot.
pub const WAIT: Duration = Duration::from_secs(8);
/// How long a stopping bot may take to exit.
pub const STOP_WAIT: Duration = Duration::from_secs(5);
/// The bot token the child gets (any token is accepted by the fake).
pub const TOKEN: &str = "123456:TEST";

/// A directory under the system temp dir, removed on drop.
pub struct ScratchDir(PathBuf);

impl ScratchDir {
    pub fn new(label: &str) -> ScratchDir {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let path = std::env::temp_dir().join(format!(
            "loket-e2e-{label}-{}-{}-{nanos}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&path).expect("create a scratch dir");
        ScratchDir(path)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Lines a child wrote to stdout and stderr, ANSI colours removed.
type Lines = Arc<Mutex<Vec<String>>>;

/// One `loket run` child process.
pub struct LoketProcess {
    child: Child,
    output: Lines,
    readers: Vec<JoinHandle<()>>,
}

impl LoketProcess {
    /// Starts `loket run` with only the given environment (nothing is
    /// inherited, so a developer's `LOKET_*` cannot leak in).
    pub fn spawn(env: &[(String, String)]) -> LoketProcess {
        let mut child = Command::new(env!("CARGO_BIN_EXE_loket"))
            .arg("run")
            .env_clear()
            .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("spawn loket run");
        let output: Lines = Arc::default();
        let readers = vec![
            collect_lines(child.stdout.take().expect("piped stdout"), output.clone()),
            collect_lines(child.stderr.take().expect("piped stderr"), output.clone()),
        ];
        LoketProcess {
            child,
            output,
            readers,
        }
    }

    /// The process id, while it runs.
    pub fn pid(&self) -> u32 {
        self.child.id().expect("loket is still running")
    }

    /// What it printed so far.
    pub fn output(&self) -> Vec<String> {
        self.output.lock().expect("output lock").clone()
    }

    /// Whether it has exited already (without waiting).
    pub fn try_exit_status(&mut self) -> Option<ExitStatus> {
        self.child.try_wait().ok().flatten()
    }

    /// Sends `signal` (`INT`, `TERM`) with kill(1).
    pub async fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(self.pid().to_string())
            .status()
            .await
            .expect("run kill");
        assert!(status.success(), "kill -{signal} failed");
    }

    /// Waits up to `timeout` for the exit; `None` if it is still running
    /// (then it is killed). Returns everything it printed.
    pub async fn wait_exit(mut self, timeout: Duration) -> (Option<ExitStatus>, Vec<String>) {
        let status = match tokio::time::timeout(timeout, self.child.wait()).await {
            Ok(status) => Some(status.expect("wait for loket")),
            Err(_) => {
                let _ = self.child.kill().await;
                None
            }
        };
        for reader in self.readers.drain(..) {
            let _ = tokio::time::timeout(Duration::from_secs(2), reader).await;
        }
        let output = self.output();
        (status, output)
    }
}

fn collect_lines(stream: impl AsyncRead + Unpin + Send + 'static, into: Lines) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut lines = BufReader::new(stream).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            into.lock().expect("output lock").push(strip_ansi(&line));
        }
    })
}

/// Removes terminal colour codes (`ESC [ … m`), so that a field printed as
/// `sign=…` is seen as such even when the logger colours it.
pub fn strip_ansi(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' && chars.peek() == Some(&'[') {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// How to start a [`World`].
#[derive(Default)]
pub struct Setup {
    pub sandbox: SandboxConfig,
    /// Extra environment for the bot (`LOKET_RECHECK_AFTER`, …).
    pub env: Vec<(String, String)>,
    /// Variables left out of the bot's environment.
    pub unset: Vec<String>,
    /// Return at once instead of waiting until the bot polls (or set its
    /// webhook).
    pub no_wait: bool,
}

impl Setup {
    pub fn env(mut self, key: &str, value: &str) -> Setup {
        self.env.push((key.to_string(), value.to_string()));
        self
    }

    pub fn sandbox(mut self, sandbox: SandboxConfig) -> Setup {
        self.sandbox = sandbox;
        self
    }

    pub fn unset(mut self, key: &str) -> Setup {
        self.unset.push(key.to_string());
        self
    }

    pub fn no_wait(mut self) -> Setup {
        self.no_wait = true;
        self
    }
}

/// A running `loket run` with its fake Telegram and sandbox gateway.
pub struct World {
    pub fake: FakeBotApi,
    pub sandbox: SandboxHandle,
    bot: Option<LoketProcess>,
    env: Vec<(String, String)>,
    /// Output of bot processes that already stopped (restarts).
    past_output: Vec<String>,
    dir: ScratchDir,
}

impl World {
    pub async fn start() -> World {
        World::start_with(Setup::default()).await
    }

    pub async fn start_with(setup: Setup) -> World {
        let fake = FakeBotApi::start().await;
        let api_url = fake.api_url();
        World::start_on(fake, api_url, setup).await
    }

    /// Like [`start_with`](Self::start_with) but the bot talks to the Bot
    /// API at `api_url` (a [`DelayProxy`] in front of `fake`).
    pub async fn start_on(fake: FakeBotApi, api_url: String, setup: Setup) -> World {
        let sandbox = sandbox::spawn("127.0.0.1:0".parse().expect("loopback"), setup.sandbox)
            .await
            .expect("start the sandbox gateway");
        let dir = ScratchDir::new("bot");
        let mut env = vec![
            ("TELOXIDE_TOKEN".to_string(), TOKEN.to_string()),
            ("TELOXIDE_API_URL".to_string(), api_url),
            ("LOKET_GATEWAY_URL".to_string(), sandbox.base_url()),
            (
                "LOKET_DATA_DIR".to_string(),
                dir.path().join("data").display().to_string(),
            ),
            ("LOKET_LOG".to_string(), "info".to_string()),
        ];
        for (key, value) in setup.env.iter().cloned() {
            env.retain(|(k, _)| *k != key);
            env.push((key, value));
        }
        env.retain(|(k, _)| !setup.unset.contains(k));
        let mut world = World {
            fake,
            sandbox,
            bot: Some(LoketProcess::spawn(&env)),
            env,
            past_output: Vec::new(),
            dir,
        };
        if !setup.no_wait {
            world.wait_ready_since(0).await;
        }
        world
    }

    fn bot(&self) -> &LoketProcess {
        self.bot.as_ref().expect("the bot is running")
    }

    pub fn bot_mut(&mut self) -> &mut LoketProcess {
        self.bot.as_mut().expect("the bot is running")
    }

    /// Whether the bot was told to use a webhook instead of long polling.
    pub fn webhook_mode(&self) -> bool {
        self.env.iter().any(|(k, _)| k == "LOKET_WEBHOOK_URL")
    }

    /// Waits until the bot is up: a `getUpdates` (or in webhook mode a
    /// `setWebhook`) recorded at or after `mark`.
    async fn wait_ready_since(&mut self, mark: usize) {
        let method = if self.webhook_mode() {
            "setWebhook"
        } else {
            "getUpdates"
        };
        let ready = self.fake.wait_for_after(mark, method, |_| true, WAIT).await;
        if ready.is_none() {
            let exited = self.bot_mut().try_exit_status();
            panic!(
                "loket did not call {method} (exit: {exited:?}); it printed:\n{}",
                self.bot().output().join("\n")
            );
        }
    }

    /// Waits up to `timeout` for the bot to exit by itself; `None` if it
    /// still runs (then it is killed). Returns what it printed.
    pub async fn wait_for_exit(&mut self, timeout: Duration) -> (Option<ExitStatus>, Vec<String>) {
        let bot = self.bot.take().expect("the bot is running");
        let (status, output) = bot.wait_exit(timeout).await;
        self.past_output.extend(output.iter().cloned());
        (status, output)
    }

    /// Stops the bot with SIGINT (it must exit 0) and starts it again on
    /// the same data directory, fake and gateway.
    pub async fn restart(&mut self) {
        self.stop("INT").await;
        self.start_again().await;
    }

    /// Sets (or replaces) one variable of the bot's environment for its
    /// next start (an operator editing a setting between restarts).
    pub fn set_env(&mut self, key: &str, value: &str) {
        self.env.retain(|(k, _)| k != key);
        self.env.push((key.to_string(), value.to_string()));
    }

    /// Starts the bot again after [`stop`](Self::stop), on the same data
    /// directory, fake and gateway; waits until it polls.
    pub async fn start_again(&mut self) {
        assert!(self.bot.is_none(), "the bot is still running");
        let mark = self.fake.mark();
        self.bot = Some(LoketProcess::spawn(&self.env));
        self.wait_ready_since(mark).await;
    }

    /// Signals the bot and asserts it exits with status 0 within
    /// [`STOP_WAIT`]; keeps what it printed.
    async fn stop_bot(&mut self, signal: &str) {
        let bot = self.bot.take().expect("the bot is running");
        bot.signal(signal).await;
        let (status, output) = bot.wait_exit(STOP_WAIT).await;
        self.past_output.extend(output);
        match status {
            Some(status) => assert!(
                status.success(),
                "loket exited with {status} after SIG{signal}; it printed:\n{}",
                self.past_output.join("\n")
            ),
            None => panic!(
                "loket still ran {STOP_WAIT:?} after SIG{signal}; it printed:\n{}",
                self.past_output.join("\n")
            ),
        }
    }

    /// Everything the bot printed so far, over all its runs.
    pub fn output(&self) -> Vec<String> {
        let mut all = self.past_output.clone();
        if let Some(bot) = &self.bot {
            all.extend(bot.output());
        }
        all
    }

    /// Stops the bot with `signal` (exit 0 within [`STOP_WAIT`] required)
    /// and checks that no `sign` value reached Telegram or the logs.
    /// Returns everything the bot printed over all its runs.
    pub async fn stop(&mut self, signal: &str) -> Vec<String> {
        self.stop_bot(signal).await;
        assert_no_sign_leaks(&self.fake.calls(), &self.past_output);
        self.past_output.clone()
    }

    /// Ends the test: [`stop`](Self::stop) with SIGINT.
    pub async fn finish(mut self) -> Vec<String> {
        self.stop("INT").await
    }

    /// The bot's `LOKET_DATA_DIR`.
    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    // ----- what a reseller does -----

    /// `from` writes `text` in `chat`; returns the message id.
    pub fn say(&self, chat: &FakeChat, from: &FakeUser, text: &str) -> i32 {
        self.fake.inject_text(chat, from, text)
    }

    /// Waits for a text containing `needle` shown in `chat_id` (sent or
    /// edited) since `mark`; returns that bot message's id.
    pub async fn expect_after(&self, mark: usize, chat_id: i64, needle: &str) -> i32 {
        match self
            .fake
            .wait_for_text_after(mark, chat_id, needle, WAIT)
            .await
        {
            Some(id) => id,
            None => panic!(
                "no message with {needle:?} in chat {chat_id} within {WAIT:?}.\n\
                 Sent there: {:#?}\nloket printed:\n{}",
                self.fake.sent_texts(chat_id),
                self.output().join("\n")
            ),
        }
    }

    /// `from` writes `text` in `chat` and loket answers with something
    /// containing `needle`: returns (the user's message id, loket's).
    pub async fn ask(
        &self,
        chat: &FakeChat,
        from: &FakeUser,
        text: &str,
        needle: &str,
    ) -> (i32, i32) {
        let mark = self.fake.mark();
        let asked = self.say(chat, from, text);
        let answer = self.expect_after(mark, chat.id, needle).await;
        (asked, answer)
    }

    /// The text of a bot message as it is now.
    pub fn text_of(&self, chat_id: i64, message_id: i32) -> String {
        self.fake
            .message_text(chat_id, message_id)
            .unwrap_or_else(|| panic!("message {message_id} of chat {chat_id} is gone"))
    }

    /// `/login …` in `user`'s private chat, which must succeed.
    pub async fn login(&self, user: &FakeUser, member_pin_key: &str) {
        let chat = FakeChat::private(user);
        self.ask(
            &chat,
            user,
            &format!("/login {member_pin_key}"),
            "Login berhasil",
        )
        .await;
    }

    /// `from` taps a button carrying `data` under message `message_id`
    /// (whether or not it still shows it); returns the callback answer.
    pub async fn tap(
        &self,
        chat: &FakeChat,
        from: &FakeUser,
        message_id: i32,
        data: &str,
    ) -> RecordedCall {
        let id = self.fake.inject_callback(chat, from, message_id, data);
        self.answer_to(&id).await
    }

    /// The `answerCallbackQuery` for callback `id`, waiting for it.
    pub async fn answer_to(&self, id: &str) -> RecordedCall {
        match self.fake.wait_for_callback_answer(id, WAIT).await {
            Some(answer) => answer,
            None => panic!(
                "callback {id} was not answered within {WAIT:?}; loket printed:\n{}",
                self.output().join("\n")
            ),
        }
    }

    /// sendMessage calls to `chat_id` since `mark` (answered or not).
    pub fn sends_since(&self, mark: usize, chat_id: i64) -> Vec<RecordedCall> {
        self.fake
            .calls_of("sendMessage")
            .into_iter()
            .filter(|c| c.seq >= mark && c.chat_id() == Some(chat_id))
            .collect()
    }
}

/// A loopback address nothing listens on (bound, then released).
pub fn free_loopback_address() -> std::net::SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    listener.local_addr().expect("its address")
}

/// The `callback_data` of the button labelled `label` on a bot message.
pub fn button_data(world: &World, chat_id: i64, message_id: i32, label: &str) -> String {
    let message = world
        .fake
        .message(chat_id, message_id)
        .unwrap_or_else(|| panic!("message {message_id} of chat {chat_id} is gone"));
    message
        .buttons()
        .into_iter()
        .find(|(text, _)| text == label)
        .and_then(|(_, data)| data)
        .unwrap_or_else(|| {
            panic!(
                "no button {label:?} on message {message_id}: {:?}",
                message.buttons()
            )
        })
}

/// Every `sign=` in what the bot sent to Telegram and in what it printed
/// must be followed by `***`.
pub fn assert_no_sign_leaks(calls: &[RecordedCall], output: &[String]) {
    let sent = calls.iter().map(|c| {
        (
            format!("{} call #{}", c.method, c.seq),
            serde_json::to_string(&c.params).unwrap_or_default(),
        )
    });
    let printed = output
        .iter()
        .enumerate()
        .map(|(i, line)| (format!("output line {i}"), line.clone()));
    for (place, text) in sent.chain(printed) {
        let lower = text.to_ascii_lowercase();
        for (at, _) in lower.match_indices("sign=") {
            let value = &text[at + "sign=".len()..];
            assert!(
                value.starts_with("***"),
                "a sign value leaked in {place}: {text}"
            );
        }
    }
}

/// Asserts that none of `secrets` occurs in what the bot sent to Telegram
/// (the parameters of every call) or in what it printed.
pub fn assert_never_shown(secrets: &[&str], calls: &[RecordedCall], output: &[String]) {
    for call in calls {
        let params = serde_json::to_string(&call.params).unwrap_or_default();
        for secret in secrets {
            assert!(
                !params.contains(secret),
                "{secret:?} was sent to Telegram in {} #{}: {params}",
                call.method,
                call.seq
            );
        }
    }
    for line in output {
        for secret in secrets {
            assert!(!line.contains(secret), "{secret:?} was logged: {line}");
        }
    }
}

/// A Bot API reverse proxy that forwards everything to `target` and holds
/// back the answers of one method (case-insensitive) for `delay`: the fake
/// records the call at once, the bot gets its answer late.
pub struct DelayProxy {
    addr: std::net::SocketAddr,
    task: JoinHandle<()>,
}

impl DelayProxy {
    pub async fn start(target: String, method: &str, delay: Duration) -> DelayProxy {
        use axum::body::Bytes;
        use axum::extract::{Request, State};
        use axum::response::{IntoResponse, Response};

        #[derive(Clone)]
        struct Relay {
            target: String,
            method: String,
            delay: Duration,
            client: reqwest::Client,
        }

        async fn relay(State(relay): State<Relay>, request: Request) -> Response {
            let (parts, body) = request.into_parts();
            let body: Bytes = axum::body::to_bytes(body, 16 * 1024 * 1024)
                .await
                .unwrap_or_default();
            let path = parts
                .uri
                .path_and_query()
                .map(|p| p.as_str().to_string())
                .unwrap_or_default();
            let mut forward = relay
                .client
                .request(parts.method.clone(), format!("{}{path}", relay.target))
                .body(body.to_vec());
            if let Some(ct) = parts.headers.get(axum::http::header::CONTENT_TYPE) {
                forward = forward.header(axum::http::header::CONTENT_TYPE, ct.clone());
            }
            let Ok(answer) = forward.send().await else {
                return axum::http::StatusCode::BAD_GATEWAY.into_response();
            };
            let status = answer.status();
            let content_type = answer.headers().get(reqwest::header::CONTENT_TYPE).cloned();
            let bytes = answer.bytes().await.unwrap_or_default();
            let method = parts.uri.path().rsplit('/').next().unwrap_or("");
            if method.eq_ignore_ascii_case(&relay.method) {
                tokio::time::sleep(relay.delay).await;
            }
            let mut response = (status, bytes.to_vec()).into_response();
            if let Some(ct) = content_type {
                response
                    .headers_mut()
                    .insert(axum::http::header::CONTENT_TYPE, ct);
            }
            response
        }

        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the delay proxy");
        let addr = listener.local_addr().expect("proxy address");
        let app = axum::Router::new().fallback(relay).with_state(Relay {
            target,
            method: method.to_string(),
            delay,
            client: reqwest::Client::new(),
        });
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        DelayProxy { addr, task }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for DelayProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}
