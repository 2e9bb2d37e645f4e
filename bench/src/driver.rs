//! The load driver: measures loket end to end on this machine, on
//! loopback only.
//!
//! - `bot`: starts the sandbox gateway (latency settable) and a bench Bot
//!   API ([`crate::bot_api`]) in this process, runs the real `loket run`
//!   as a child process against them, logs N simulated private chats in
//!   (each as a member ID of its own) and drives them, each chat one
//!   command at a time. Reports start-up
//!   time, throughput, reply latency percentiles, overhead over the
//!   gateway's latency, the bot's RSS (idle and peak) and CPU time, and
//!   the data dir's size; with `--restart`, starts the bot again on the
//!   filled data dir and measures it there too.
//! - `engine`: the same commands straight into an in-process [`Engine`]
//!   (no Telegram), for the engine's own throughput.
//!
//! Every reply is checked against the command's expected answer, the
//! sandbox's counters against the commands sent, and in a `bot` run no
//! message may meet the Bot API's 429 (Telegram's limits, `--limits`), so
//! a fast run that lost or garbled replies, or paced them wrong, is
//! reported as such. Owns: workload, timing and
//! process metrics. Must not: reach anything but 127.0.0.1.

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::{mpsc, Mutex};

use crate::bot_api::{BenchBotApi, BotApiStats, Limits, Sent};
use loket::app::build_engine;
use loket::command::Lang;
use loket::engine::{ChatCtx, Engine, Input};
use loket::gateway::{BalanceSign, Credentials};
use loket::i18n::{LocaleError, Locales};
use loket::money::Rupiah;
use loket::sandbox::{self, SandboxAccount, SandboxConfig, SandboxHandle, SandboxStats};
use loket::secret::Secret;
use loket::settings::{Settings, Throttle};
use loket::store::{Location, Store};

/// The sandbox account of the engine run's chats (one member: the engine
/// run raises its per-account gateway limit to match); in a bot run each
/// chat logs in as a member of its own, `BENCH00001`…, as resellers do.
const MEMBER: &str = "BENCH";
const PIN: &str = "7531";
const KEY: &str = "bench-key";
/// Telegram user ids of the simulated chats start above this.
const FIRST_CHAT: i64 = 600_000_000;
/// How long one reply may take beyond the gateway's latency before it
/// counts as lost.
const PATIENCE: Duration = Duration::from_secs(30);

#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    #[error("cannot start a loopback server: {0}")]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    App(#[from] loket::app::AppError),
    #[error(transparent)]
    Store(#[from] loket::store::StoreError),
    #[error("the bot did not start polling within {0:?}")]
    NoPolling(Duration),
    #[error("{0}")]
    Failed(String),
}

/// What each simulated chat sends, round after round.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Mix {
    /// `saldo` only: one balance call per command.
    Saldo,
    /// Prepaid topups to a new number each round (journaled, flushed).
    Topup,
    /// `PLNPASC … cek` then `… bayar`, alternating.
    Bill,
    /// saldo, topup, bill check, bill payment in turn.
    Mixed,
}

/// One kind of command, for latency buckets and reply checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Kind {
    Login,
    Saldo,
    Topup,
    Inquiry,
    Pay,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Login => "login",
            Kind::Saldo => "saldo",
            Kind::Topup => "topup",
            Kind::Inquiry => "bill check",
            Kind::Pay => "bill payment",
        }
    }

    /// The locale message a successful answer starts with.
    fn message_id(self) -> &'static str {
        match self {
            Kind::Login => "login-ok",
            Kind::Saldo => "balance",
            Kind::Topup => "topup-success",
            Kind::Inquiry => "bill",
            Kind::Pay => "pay-success",
        }
    }
}

/// The member ID simulated chat number `index` (0-based) logs in as.
fn member_of(index: usize) -> String {
    format!("{MEMBER}{:05}", index + 1)
}

/// What simulated chat number `index` logs in with.
fn login_command(index: usize) -> String {
    format!("/login {} {PIN} {KEY}", member_of(index))
}

/// The `round`-th command of chat number `index` (0-based).
fn command(mix: Mix, index: usize, round: usize) -> (Kind, String) {
    let kind = match mix {
        Mix::Saldo => Kind::Saldo,
        Mix::Topup => Kind::Topup,
        Mix::Bill if round % 2 == 0 => Kind::Inquiry,
        Mix::Bill => Kind::Pay,
        Mix::Mixed => [Kind::Saldo, Kind::Topup, Kind::Inquiry, Kind::Pay][round % 4],
    };
    let bill_no = match mix {
        Mix::Mixed => round / 4,
        _ => round / 2,
    };
    let text = match kind {
        Kind::Login => login_command(index),
        Kind::Saldo => "saldo".to_string(),
        // A new number every round: a repeat would ask "send again?".
        Kind::Topup => format!("T5 0877{index:07}{round:04}"),
        Kind::Inquiry => format!("PLNPASC 51{index:07}{bill_no:03} cek"),
        Kind::Pay => format!("PLNPASC 51{index:07}{bill_no:03} bayar"),
    };
    (kind, text)
}

/// The first words of a successful answer of each kind, from `locales/`.
struct Expected(HashMap<Kind, String>);

impl Expected {
    fn load() -> Expected {
        let locales = Locales::load();
        let kinds = [
            Kind::Login,
            Kind::Saldo,
            Kind::Topup,
            Kind::Inquiry,
            Kind::Pay,
        ];
        Expected(
            kinds
                .into_iter()
                .map(|kind| {
                    // Formatted without its variables on purpose: only
                    // the words before the first one are kept.
                    let text = match locales.try_text(Lang::Id, kind.message_id(), &[]) {
                        Ok(text) | Err(LocaleError::Format { text, .. }) => text,
                        Err(e @ LocaleError::Unknown { .. }) => panic!("{e}"),
                    };
                    let head = text.split(['\n', '{']).next().unwrap_or("").trim_end();
                    (kind, head.to_string())
                })
                .collect(),
        )
    }

    fn accepts(&self, kind: Kind, reply: &str) -> bool {
        self.0
            .get(&kind)
            .is_some_and(|head| reply.starts_with(head))
    }
}

/// Latencies and failures of one phase.
#[derive(Debug, Default)]
struct PhaseStats {
    latencies: BTreeMap<Kind, Vec<Duration>>,
    wrong: Vec<(Kind, String)>,
    lost: usize,
    extra: usize,
    wall: Duration,
    /// When each reply arrived, counted from the phase's start (read when
    /// the worker has it, so never earlier than it came).
    arrivals: Vec<Duration>,
}

impl PhaseStats {
    fn merge(&mut self, other: PhaseStats) {
        for (kind, mut l) in other.latencies {
            self.latencies.entry(kind).or_default().append(&mut l);
        }
        self.wrong.extend(other.wrong);
        self.lost += other.lost;
        self.extra += other.extra;
        self.arrivals.extend(other.arrivals);
    }

    fn count(&self) -> usize {
        self.latencies.values().map(Vec::len).sum::<usize>() + self.lost
    }

    fn all(&self) -> Vec<Duration> {
        let mut all: Vec<Duration> = self.latencies.values().flatten().copied().collect();
        all.sort_unstable();
        all
    }

    fn count_of(&self, kind: Kind) -> u64 {
        self.latencies
            .get(&kind)
            .map_or(0, |l| u64::try_from(l.len()).unwrap_or(u64::MAX))
    }

    /// Prints the phase. Every kind of command makes exactly one gateway
    /// call, so "over gateway" subtracts `gateway_latency` once.
    fn report(&self, title: &str, gateway_latency: Duration) {
        let n = self.count();
        let secs = self.wall.as_secs_f64();
        println!(
            "{title}: {n} commands in {:.3} s = {:.0} commands/s",
            secs,
            if secs > 0.0 { n as f64 / secs } else { 0.0 }
        );
        let all = self.all();
        println!(
            "  reply latency        p50 {}  p95 {}  p99 {}  max {}",
            ms(percentile(&all, 50.0)),
            ms(percentile(&all, 95.0)),
            ms(percentile(&all, 99.0)),
            ms(all.last().copied().unwrap_or_default())
        );
        let mut arrivals = self.arrivals.clone();
        arrivals.sort_unstable();
        if let (Some(first), Some(last)) = (arrivals.first(), arrivals.last()) {
            // For a burst (one round): how the replies spread over time.
            let thirtieth = arrivals.get(29).copied().unwrap_or(*last);
            println!(
                "  replies since the start  first {}  30th {}  last {}",
                ms(*first),
                ms(thirtieth),
                ms(*last)
            );
        }
        for (kind, latencies) in &self.latencies {
            let mut sorted = latencies.clone();
            sorted.sort_unstable();
            let overhead: Vec<Duration> = sorted
                .iter()
                .map(|l| l.saturating_sub(gateway_latency))
                .collect();
            println!(
                "  {:<13} n={:<6} p50 {}  p95 {}  p99 {} | over gateway ({} ms): p50 {}  p99 {}",
                kind.name(),
                sorted.len(),
                ms(percentile(&sorted, 50.0)),
                ms(percentile(&sorted, 95.0)),
                ms(percentile(&sorted, 99.0)),
                gateway_latency.as_millis(),
                ms(percentile(&overhead, 50.0)),
                ms(percentile(&overhead, 99.0)),
            );
        }
        if self.lost > 0 || self.extra > 0 || !self.wrong.is_empty() {
            println!(
                "  PROBLEMS: {} lost, {} unexpected extra messages, {} wrong answers",
                self.lost,
                self.extra,
                self.wrong.len()
            );
            for (kind, text) in self.wrong.iter().take(5) {
                println!("    {}: {}", kind.name(), text.lines().next().unwrap_or(""));
            }
        }
    }

    fn ok(&self) -> bool {
        self.lost == 0 && self.extra == 0 && self.wrong.is_empty()
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = (p / 100.0 * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

/// Where commands go: the real bot through the bench Bot API, or an
/// in-process engine.
#[derive(Clone)]
enum Front {
    Bot {
        api: BenchBotApi,
        inboxes: Arc<HashMap<i64, Mutex<mpsc::UnboundedReceiver<Sent>>>>,
    },
    Engine(Engine),
}

enum Answer {
    Reply(Duration, String),
    Lost,
}

/// Telegram user ids of `n` simulated private chats.
fn chat_ids(n: usize) -> Vec<i64> {
    (1..=n)
        .map(|i| FIRST_CHAT + i64::try_from(i).unwrap_or(i64::MAX))
        .collect()
}

impl Front {
    /// The bot behind `api`, with an inbox watching each of `chats`.
    fn bot(api: &BenchBotApi, chats: &[i64]) -> Front {
        let inboxes = chats
            .iter()
            .map(|&chat| (chat, Mutex::new(api.watch_chat(chat))))
            .collect();
        Front::Bot {
            api: api.clone(),
            inboxes: Arc::new(inboxes),
        }
    }

    /// Sends one command from `chat` and waits for its one reply.
    async fn ask(&self, chat: i64, text: &str, patience: Duration) -> (Answer, usize) {
        match self {
            Front::Bot { api, inboxes } => {
                let Some(inbox) = inboxes.get(&chat) else {
                    return (Answer::Lost, 0);
                };
                let mut inbox = inbox.lock().await;
                let mut extra = 0;
                while inbox.try_recv().is_ok() {
                    extra += 1;
                }
                let start = Instant::now();
                api.send_text(chat, text);
                match tokio::time::timeout(patience, inbox.recv()).await {
                    Ok(Some(sent)) => (Answer::Reply(sent.at - start, sent.text), extra),
                    _ => (Answer::Lost, extra),
                }
            }
            Front::Engine(engine) => {
                let start = Instant::now();
                let response = engine
                    .handle(&ChatCtx::private(chat), Input::Text(text.to_string()))
                    .await;
                let elapsed = start.elapsed();
                let extra = response.replies.len().saturating_sub(1);
                match response.replies.into_iter().next() {
                    Some(reply) => (Answer::Reply(elapsed, reply.text), extra),
                    None => (Answer::Lost, extra),
                }
            }
        }
    }
}

/// How a phase's chats send: each waits `pause` after a reply before its
/// next command, and the workers' first commands are spread evenly over
/// `spread` (zero: all at once).
#[derive(Debug, Clone, Copy, Default)]
struct Pace {
    pause: Duration,
    spread: Duration,
}

/// Runs `rounds` rounds over `chats` with `concurrency` workers; a worker
/// owns a fixed set of chats, so each chat's commands stay in order.
async fn run_phase(
    front: &Front,
    chats: &[i64],
    concurrency: usize,
    rounds: usize,
    pick: impl Fn(usize, usize) -> (Kind, String) + Send + Sync + 'static,
    patience: Duration,
    pace: Pace,
) -> PhaseStats {
    let Pace { pause, spread } = pace;
    let expected = Arc::new(Expected::load());
    let pick = Arc::new(pick);
    let concurrency = concurrency.clamp(1, chats.len().max(1));
    let started = Instant::now();
    let mut workers = Vec::new();
    for w in 0..concurrency {
        let mine: Vec<(usize, i64)> = chats
            .iter()
            .copied()
            .enumerate()
            .filter(|(i, _)| i % concurrency == w)
            .collect();
        let (front, pick, expected) = (front.clone(), pick.clone(), expected.clone());
        // Worker w of n starts w/n of the way through `spread`.
        let delay = spread.mul_f64(w as f64 / concurrency as f64);
        workers.push(tokio::spawn(async move {
            let mut stats = PhaseStats::default();
            tokio::time::sleep(delay).await;
            for round in 0..rounds {
                for &(index, chat) in &mine {
                    let (kind, text) = pick(index, round);
                    let (answer, extra) = front.ask(chat, &text, patience).await;
                    stats.extra += extra;
                    match answer {
                        Answer::Reply(latency, reply) => {
                            if !expected.accepts(kind, &reply) {
                                stats.wrong.push((kind, reply));
                            }
                            stats.latencies.entry(kind).or_default().push(latency);
                            stats.arrivals.push(started.elapsed());
                        }
                        Answer::Lost => stats.lost += 1,
                    }
                    if !pause.is_zero() {
                        tokio::time::sleep(pause).await;
                    }
                }
            }
            stats
        }));
    }
    let mut total = PhaseStats::default();
    for worker in workers {
        if let Ok(stats) = worker.await {
            total.merge(stats);
        }
    }
    total.wall = started.elapsed();
    total
}

fn bench_account(member_id: String) -> SandboxAccount {
    SandboxAccount {
        member_id,
        pin: PIN.to_string(),
        api_key: KEY.to_string(),
        // Enough for any run: the balance is never the bottleneck.
        balance: Rupiah(1_000_000_000_000),
        balance_sign: BalanceSign::Fields,
    }
}

/// The sandbox, knowing the demo account, the engine run's shared member
/// and a member for each of `chats` simulated chats.
async fn start_sandbox(latency: Duration, chats: usize) -> Result<SandboxHandle, BenchError> {
    let loopback: SocketAddr = "127.0.0.1:0".parse().expect("loopback address");
    let mut accounts = vec![SandboxAccount::demo(), bench_account(MEMBER.to_string())];
    accounts.extend((0..chats).map(|index| bench_account(member_of(index))));
    let config = SandboxConfig {
        accounts,
        latency,
        ..SandboxConfig::default()
    };
    Ok(sandbox::spawn(loopback, config).await?)
}

/// Checks the sandbox saw exactly the calls the phase's answers imply.
fn check_gateway(stats: &PhaseStats, before: SandboxStats, after: SandboxStats) -> Vec<String> {
    let rows = [
        (
            "balance calls",
            after.balance_checks - before.balance_checks,
            stats.count_of(Kind::Saldo) + stats.count_of(Kind::Login),
        ),
        (
            "topups",
            after.topups - before.topups,
            stats.count_of(Kind::Topup),
        ),
        (
            "bill checks",
            after.inquiries - before.inquiries,
            stats.count_of(Kind::Inquiry),
        ),
        (
            "payments",
            after.payments - before.payments,
            stats.count_of(Kind::Pay),
        ),
        (
            "charges",
            after.charges - before.charges,
            stats.count_of(Kind::Topup) + stats.count_of(Kind::Pay),
        ),
        ("bad signs", after.bad_signs, 0),
    ];
    rows.into_iter()
        .filter(|(_, got, want)| got != want)
        .map(|(what, got, want)| format!("gateway saw {got} {what}, expected {want}"))
        .collect()
}

/// `loket-bench bot` options.
#[derive(Debug, Clone, clap::Args)]
pub struct BotBench {
    /// The `loket` binary to run (default: `loket` beside this binary,
    /// as `cargo build --release -p loket -p loket-bench` leaves it).
    #[arg(long, env = "LOKET_BIN")]
    pub loket: Option<PathBuf>,
    /// Simulated private chats (each logs in first).
    #[arg(long, default_value_t = 200)]
    pub chats: usize,
    /// Chats with a command in flight at once (default: all of them).
    #[arg(long)]
    pub concurrency: Option<usize>,
    /// Commands each chat sends, one after the other.
    #[arg(long, default_value_t = 1)]
    pub rounds: usize,
    /// The sandbox gateway's latency per call, in milliseconds.
    #[arg(long, default_value_t = 0)]
    pub latency_ms: u64,
    #[arg(long, value_enum, default_value_t = Mix::Saldo)]
    pub mix: Mix,
    /// `LOKET_THROTTLE` for the bot: `raised` (Telegram's limits ×1000,
    /// the throttle still runs) or `telegram`.
    #[arg(long, default_value = "raised")]
    pub throttle: Throttle,
    /// The flood limits the bench Bot API enforces, answering 429 beyond
    /// them: `telegram`, `raised` (×1000) or `off`. Default: the same as
    /// `--throttle`, so a bot that paces right meets no 429.
    #[arg(long, value_enum)]
    pub limits: Option<Limits>,
    /// Wait this long after each reply before the chat's next command (a
    /// reseller typing, not a burst).
    #[arg(long, default_value_t = 0)]
    pub pause_ms: u64,
    /// Afterwards, start the bot again on the filled data dir and measure
    /// start-up, idle RSS and one `saldo` from every chat there.
    #[arg(long)]
    pub restart: bool,
    /// Keep the data dir here instead of a removed temporary one.
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
    /// Start the chats spread evenly over one `--pause-ms` instead of all
    /// at once: chats typing on their own, not a burst of every chat at
    /// the start of each round.
    #[arg(long)]
    pub stagger: bool,
}

impl BotBench {
    fn limits(&self) -> Limits {
        self.limits.unwrap_or(match self.throttle {
            Throttle::Telegram => Limits::Telegram,
            Throttle::Raised => Limits::Raised,
        })
    }
}

/// `LOKET_THROTTLE`'s spelling of a throttle.
fn throttle_name(throttle: Throttle) -> &'static str {
    match throttle {
        Throttle::Telegram => "telegram",
        Throttle::Raised => "raised",
    }
}

/// Prints what the bot's messages met at the Bot API between two
/// snapshots; a 429 is a problem: Telegram would have refused it too.
fn check_bot_api(
    phase: &str,
    limits: Limits,
    before: BotApiStats,
    after: BotApiStats,
) -> Option<String> {
    let refused = after.too_many_requests - before.too_many_requests;
    println!(
        "  Bot API: {} messages delivered, {refused} answered 429 Too Many Requests (limits {})",
        after.messages - before.messages,
        limits.name()
    );
    (refused > 0).then(|| {
        format!(
            "{phase}: the Bot API answered {refused} messages with 429 under {} limits: \
             the bot's pacing exceeds them",
            limits.name()
        )
    })
}

/// A running `loket run` child and what it is measured by.
struct BotProcess {
    child: tokio::process::Child,
    pid: u32,
    spawned: Instant,
}

/// The `loket` binary the bot runs from: the one given, or `loket` in
/// this binary's directory.
fn loket_binary(given: Option<&Path>) -> Result<PathBuf, BenchError> {
    let path = match given {
        Some(path) => path.to_path_buf(),
        None => std::env::current_exe()?.with_file_name("loket"),
    };
    if path.is_file() {
        Ok(path)
    } else {
        Err(BenchError::Failed(format!(
            "no loket binary at {}: build it with `cargo build --release -p loket -p loket-bench`, \
             or name one with --loket",
            path.display()
        )))
    }
}

fn spawn_bot(
    exe: &Path,
    api: &BenchBotApi,
    gateway: &str,
    data_dir: &Path,
    throttle: Throttle,
) -> Result<BotProcess, BenchError> {
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(data_dir.join("bench-bot.log"))?;
    let mut command = tokio::process::Command::new(exe);
    command
        .arg("run")
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("TELOXIDE_TOKEN", "123456:BENCH")
        .env("TELOXIDE_API_URL", api.api_url())
        .env("LOKET_GATEWAY_URL", gateway)
        .env("LOKET_DATA_DIR", data_dir)
        .env("LOKET_THROTTLE", throttle_name(throttle))
        .env("LOKET_LOG", "warn")
        .envs(std::env::vars_os().filter(|(k, _)| k.to_string_lossy().starts_with("MALLOC_")))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(log)
        .kill_on_drop(true);
    // SAFETY: prctl(2) only sets a flag of the child; async-signal-safe.
    unsafe {
        command.pre_exec(|| {
            // A driver that dies (Ctrl-C, timeout) takes the bot with it.
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM);
            Ok(())
        });
    }
    let spawned = Instant::now();
    let child = command.spawn()?;
    let pid = child
        .id()
        .ok_or_else(|| BenchError::Failed("the bot exited at once".into()))?;
    Ok(BotProcess {
        child,
        pid,
        spawned,
    })
}

impl BotProcess {
    /// Waits for the first `getUpdates`; returns the time from spawn.
    async fn started(&self, api: &BenchBotApi) -> Result<Duration, BenchError> {
        let limit = Duration::from_secs(30);
        let until = Instant::now() + limit;
        while Instant::now() < until {
            if let Some(at) = api.first_poll() {
                return Ok(at - self.spawned);
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        Err(BenchError::NoPolling(limit))
    }

    /// SIGTERM, then the exit status and how long stopping took.
    async fn stop(mut self) -> Result<(String, Duration), BenchError> {
        let asked = Instant::now();
        let pid = i32::try_from(self.pid).map_err(|_| BenchError::Failed("pid".into()))?;
        // SAFETY: kill(2) on our own child's pid has no memory effects.
        unsafe {
            libc::kill(pid, libc::SIGTERM);
        }
        let status = tokio::time::timeout(Duration::from_secs(30), self.child.wait())
            .await
            .map_err(|_| BenchError::Failed("the bot did not stop within 30 s".into()))??;
        Ok((status.to_string(), asked.elapsed()))
    }
}

/// Resident memory now and at its peak, in KiB (`/proc/PID/status`).
fn rss_kib(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// User + system CPU time of a process so far (`/proc/PID/stat`).
fn cpu_time(pid: u32) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the `(comm)`, which may hold spaces.
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0)
    };
    // utime and stime are fields 14 and 15 of stat(5); 12 and 13 here.
    let total = ticks(11) + ticks(12);
    // SAFETY: sysconf has no memory effects.
    let hz = u64::try_from(unsafe { libc::sysconf(libc::_SC_CLK_TCK) })
        .ok()
        .filter(|hz| *hz > 0)
        .unwrap_or(100);
    Duration::from_micros(total * 1_000_000 / hz)
}

fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}

/// Bytes on disk (allocated blocks) and apparent size under `dir`.
fn disk_usage(dir: &Path) -> (u64, u64) {
    use std::os::unix::fs::MetadataExt;
    let mut allocated = 0;
    let mut apparent = 0;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(path) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&path) else {
            continue;
        };
        for entry in entries.flatten() {
            let Ok(meta) = entry.metadata() else { continue };
            if meta.is_dir() {
                stack.push(entry.path());
            } else {
                allocated += meta.blocks() * 512;
                apparent += meta.len();
            }
        }
    }
    (allocated, apparent)
}

/// A data dir for one run: the given one, or a temporary one removed
/// when dropped.
struct DataDir {
    path: PathBuf,
    remove: bool,
}

impl DataDir {
    fn new(given: Option<PathBuf>) -> Result<DataDir, BenchError> {
        let (path, remove) = match given {
            Some(path) => (path, false),
            None => {
                let nonce: u32 = rand::random();
                let path = std::env::temp_dir()
                    .join(format!("loket-bench-{}-{nonce:08x}", std::process::id()));
                (path, true)
            }
        };
        std::fs::create_dir_all(&path)?;
        Ok(DataDir { path, remove })
    }
}

impl Drop for DataDir {
    fn drop(&mut self) {
        if self.remove {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

/// `loket-bench bot`.
pub async fn bot(options: BotBench) -> Result<(), BenchError> {
    let exe = loket_binary(options.loket.as_deref())?;
    let concurrency = options.concurrency.unwrap_or(options.chats).max(1);
    let latency = Duration::from_millis(options.latency_ms);
    let limits = options.limits();
    let sandbox = start_sandbox(Duration::ZERO, options.chats).await?;
    let api = BenchBotApi::start(limits).await?;
    let dir = DataDir::new(options.data_dir.clone())?;
    println!(
        "loket-bench bot: {} chats, {} at once, {} round(s) of {:?}, gateway latency {} ms, \
         throttle {}, Bot API limits {}",
        options.chats,
        concurrency,
        options.rounds,
        options.mix,
        options.latency_ms,
        throttle_name(options.throttle),
        limits.name()
    );
    println!(
        "binary: {} ({} bytes)",
        exe.display(),
        std::fs::metadata(&exe)?.len()
    );

    let bot = spawn_bot(&exe, &api, &sandbox.base_url(), &dir.path, options.throttle)?;
    let startup = bot.started(&api).await?;
    println!("start to first getUpdates: {}", ms(startup));
    tokio::time::sleep(Duration::from_secs(2)).await;
    println!("idle RSS: {}", mib(rss_kib(bot.pid).0));

    let chats = chat_ids(options.chats);
    let front = Front::bot(&api, &chats);

    let before = sandbox.stats();
    let api_before = api.stats();
    let login = run_phase(
        &front,
        &chats,
        concurrency,
        1,
        |index, _| (Kind::Login, login_command(index)),
        PATIENCE,
        Pace::default(),
    )
    .await;
    login.report("login", Duration::ZERO);
    let mut problems = check_gateway(&login, before, sandbox.stats());
    problems.extend(check_bot_api("login", limits, api_before, api.stats()));

    // The logins' replies leave each chat's window (Telegram: 3 in any
    // 3 s) before the load is measured, so the load sees a chat's steady
    // pace, not its login a moment before.
    if limits != Limits::Off {
        tokio::time::sleep(Duration::from_secs(3)).await;
    }
    sandbox.set_latency(latency);
    let before = sandbox.stats();
    let api_before = api.stats();
    let cpu_before = cpu_time(bot.pid);
    let mix = options.mix;
    let load = run_phase(
        &front,
        &chats,
        concurrency,
        options.rounds,
        move |index, round| command(mix, index, round),
        PATIENCE + latency,
        Pace {
            pause: Duration::from_millis(options.pause_ms),
            spread: if options.stagger {
                Duration::from_millis(options.pause_ms)
            } else {
                Duration::ZERO
            },
        },
    )
    .await;
    let cpu = cpu_time(bot.pid).saturating_sub(cpu_before);
    let (rss_now, rss_peak) = rss_kib(bot.pid);
    load.report("load", latency);
    problems.extend(check_gateway(&load, before, sandbox.stats()));
    problems.extend(check_bot_api("load", limits, api_before, api.stats()));
    println!(
        "bot CPU time during load: {:.3} s ({:.0} µs per command, {:.0}% of one core)",
        cpu.as_secs_f64(),
        cpu.as_secs_f64() * 1e6 / load.count().max(1) as f64,
        100.0 * cpu.as_secs_f64() / load.wall.as_secs_f64().max(1e-9)
    );
    println!(
        "bot RSS after load: {}, peak {}",
        mib(rss_now),
        mib(rss_peak)
    );
    let (status, stopping) = bot.stop().await?;
    println!("SIGTERM → exit in {} ({status})", ms(stopping));

    let journal = Store::open(&Location::Dir(dir.path.clone()), None)?.journal_len();
    let (allocated, apparent) = disk_usage(&dir.path);
    println!(
        "data dir: {journal} journal entries, {:.1} MiB on disk ({:.1} MiB apparent)",
        allocated as f64 / 1048576.0,
        apparent as f64 / 1048576.0
    );

    if options.restart {
        sandbox.set_latency(Duration::ZERO);
        let api2 = BenchBotApi::start(limits).await?;
        let bot = spawn_bot(
            &exe,
            &api2,
            &sandbox.base_url(),
            &dir.path,
            options.throttle,
        )?;
        let startup = bot.started(&api2).await?;
        println!(
            "restart on the filled data dir: first getUpdates after {}",
            ms(startup)
        );
        tokio::time::sleep(Duration::from_secs(2)).await;
        println!("  idle RSS: {}", mib(rss_kib(bot.pid).0));
        let front = Front::bot(&api2, &chats);
        let before = sandbox.stats();
        let again = run_phase(
            &front,
            &chats,
            concurrency,
            1,
            move |index, round| command(Mix::Saldo, index, round),
            PATIENCE,
            Pace::default(),
        )
        .await;
        let (rss_now, rss_peak) = rss_kib(bot.pid);
        again.report("  saldo from every chat", Duration::ZERO);
        problems.extend(check_gateway(&again, before, sandbox.stats()));
        problems.extend(check_bot_api(
            "after restart",
            limits,
            BotApiStats::default(),
            api2.stats(),
        ));
        println!("  RSS after: {}, peak {}", mib(rss_now), mib(rss_peak));
        let (status, _) = bot.stop().await?;
        println!("  SIGTERM → {status}");
        if !again.ok() {
            problems.push("replies lost or wrong after restart".into());
        }
    }

    if !login.ok() || !load.ok() {
        problems.push("replies lost or wrong".into());
    }
    finish(problems, "; no message met a 429")
}

/// Reports the checks; `also` names what else was checked.
fn finish(problems: Vec<String>, also: &str) -> Result<(), BenchError> {
    if problems.is_empty() {
        println!(
            "checks: every reply arrived and was right; the gateway saw exactly the calls sent{also}"
        );
        Ok(())
    } else {
        Err(BenchError::Failed(problems.join("; ")))
    }
}

/// `loket-bench engine` options.
#[derive(Debug, Clone, clap::Args)]
pub struct EngineBench {
    /// Simulated private chats, all in flight at once.
    #[arg(long, default_value_t = 64)]
    pub chats: usize,
    #[arg(long, default_value_t = 40)]
    pub rounds: usize,
    #[arg(long, default_value_t = 0)]
    pub latency_ms: u64,
    #[arg(long, value_enum, default_value_t = Mix::Mixed)]
    pub mix: Mix,
}

/// `loket-bench engine`: commands straight into an in-process engine on a
/// real data dir, against the sandbox on loopback.
pub async fn engine(options: EngineBench) -> Result<(), BenchError> {
    let latency = Duration::from_millis(options.latency_ms);
    let sandbox = start_sandbox(latency, 0).await?;
    let dir = DataDir::new(None)?;
    let mut values = HashMap::new();
    values.insert("LOKET_DATA_DIR".to_string(), dir.path.display().to_string());
    // Every chat here signs with one member (the default account): its
    // gateway limit is raised to the chats in flight, so the run measures
    // the engine, not the queue of one member.
    values.insert(
        "LOKET_GATEWAY_CALLS_PER_ACCOUNT".to_string(),
        options.chats.max(1).to_string(),
    );
    let settings =
        Settings::from_map(&values).map_err(|e| BenchError::Failed(format!("settings: {e}")))?;
    let creds = Credentials {
        member_id: MEMBER.to_string(),
        pin: Secret::new(PIN),
        api_key: Secret::new(KEY),
        base_url: sandbox.base_url(),
        balance_sign: BalanceSign::Fields,
    };
    // Results learned later are not part of the measurement; the
    // receiver lives as long as the engine.
    let (engine, _notices) = build_engine(
        &settings,
        &Location::Dir(dir.path.clone()),
        sandbox.base_url(),
        Some(creds),
    )?;
    println!(
        "loket-bench engine: {} chats × {} rounds of {:?}, gateway latency {} ms, \
         one member with {} gateway calls in flight",
        options.chats,
        options.rounds,
        options.mix,
        options.latency_ms,
        settings.gateway_calls_per_account
    );
    let chats = chat_ids(options.chats);
    let front = Front::Engine(engine.clone());
    let before = sandbox.stats();
    let mix = options.mix;
    let load = run_phase(
        &front,
        &chats,
        options.chats,
        options.rounds,
        move |index, round| command(mix, index, round),
        PATIENCE + latency,
        Pace::default(),
    )
    .await;
    load.report("engine", latency);
    let mut problems = check_gateway(&load, before, sandbox.stats());
    if !load.ok() {
        problems.push("replies lost or wrong".into());
    }
    println!("journal entries: {}", engine.store().journal_len());
    finish(problems, "")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_pick_the_rank_at_or_above() {
        let sorted: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        assert_eq!(percentile(&sorted, 50.0), Duration::from_millis(50));
        assert_eq!(percentile(&sorted, 99.0), Duration::from_millis(99));
        assert_eq!(percentile(&sorted, 100.0), Duration::from_millis(100));
        assert_eq!(percentile(&sorted[..1], 99.0), Duration::from_millis(1));
        assert_eq!(percentile(&[], 50.0), Duration::ZERO);
    }

    #[test]
    fn every_round_sends_a_command_the_parser_takes() {
        let catalog = loket::catalog::Catalog::builtin();
        for mix in [Mix::Saldo, Mix::Topup, Mix::Bill, Mix::Mixed] {
            for round in 0..8 {
                let (_, text) = command(mix, 9_999, round);
                assert!(
                    loket::command::parse(&text, &catalog).is_ok(),
                    "{mix:?} round {round}: {text}"
                );
            }
        }
    }

    #[test]
    fn mixed_rounds_pay_the_bill_they_just_checked() {
        let (kind, check) = command(Mix::Mixed, 7, 6);
        let (pay_kind, pay) = command(Mix::Mixed, 7, 7);
        assert_eq!((kind, pay_kind), (Kind::Inquiry, Kind::Pay));
        assert_eq!(
            check.trim_end_matches(" cek"),
            pay.trim_end_matches(" bayar")
        );
        let (_, first) = command(Mix::Topup, 7, 0);
        let (_, second) = command(Mix::Topup, 7, 1);
        assert_ne!(first, second, "a repeated topup would ask first");
    }

    #[test]
    fn each_chat_logs_in_as_a_member_of_its_own() {
        let catalog = loket::catalog::Catalog::builtin();
        let members: std::collections::HashSet<String> = (0..20_000).map(member_of).collect();
        assert_eq!(members.len(), 20_000);
        for index in [0, 9_999, 19_999] {
            let (kind, text) = (Kind::Login, login_command(index));
            assert_eq!(kind.message_id(), "login-ok");
            assert!(text.contains(&member_of(index)), "{text}");
            assert!(
                loket::command::parse(&text, &catalog).is_ok(),
                "{index}: {text}"
            );
        }
    }

    #[test]
    fn expected_answers_come_from_the_locale() {
        let expected = Expected::load();
        assert!(expected.accepts(Kind::Topup, "✅ Isi ulang berhasil\nT5 ke 0877"));
        assert!(!expected.accepts(Kind::Topup, "⏳ Sedang dicek"));
        assert!(expected.0.values().all(|head| !head.is_empty()));
    }
}
