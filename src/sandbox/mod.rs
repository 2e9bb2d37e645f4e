//! The sandbox gateway: a local axum server that speaks the R-ONE H2H
//! protocol of the seed (SPEC §1) for the demo, tests and benchmarks.
//!
//! It checks every `sign` strictly, keeps simulated balances, prices
//! topups and bills deterministically, holds one result per refID (what a
//! repeat echoes and `cek=1` reads), and injects faults on demand. It
//! answers in one of several centers' reply [`Dialect`]s. Its
//! [`SandboxStats`] count requests by kind and the most in flight at once,
//! in all and per member ([`SandboxState::in_flight_peak`]), so a flood
//! from one member shows.
//!
//! Owns: its own simulated books (nothing is shared with the bot's store)
//! and the HTTP edge. Must not: block a thread (delays are
//! `tokio::time::sleep`), hold its lock across an `.await`, log a PIN, key
//! or sign, or charge one refID twice.
//!
//! # Demo account
//!
//! [`SandboxConfig::default`] has one account: member ID `DEMO`, PIN `0000`,
//! API key `demo`, balance Rp5.000.000, balance sign `fields`.
//!
//! # Prices and bills
//!
//! - Topup (`qty=1`): the digits in the code are the nominal in thousands;
//!   `HRG` is nominal × 1000 + 1000 (`T1` → 2000, `T10` → 11000). No digits
//!   or more than 1000 → `GAGAL, produk tidak tersedia`. `PLN…` codes get a
//!   token SN `<20 digits>/NAME/R1/1300/<kWh>`, others a 16-digit serial.
//! - Inquiry (`jenis=5`): name, bill (Rp10.000–Rp500.000, whole hundreds)
//!   and admin (Rp2.750 for `PLN…`, else Rp2.500) are fixed per product and
//!   destination; `PLNPASC`/`546302215889` is the seed's Anto, 300000, 2750.
//!   `@` forms per family: BPJSKS `no_va@months` (1–12, bill × months), PKB
//!   `plate@year`, PBB `code@year`, credit card `code@amount` (TAGIHAN is the
//!   amount). Inquiries charge nothing.
//! - Payment (`jenis=6`): same refID, product and dest as a successful
//!   inquiry; charges bill + admin once. A repeat echoes the first answer.
//!
//! # Faults
//!
//! By destination (its first 8 characters, so `08990002@3` counts), for
//! topup, inquiry and payment; status checks of these refIDs answer
//! normally so a follow-up learns the truth:
//!
//! | dest prefix | behaviour |
//! |---|---|
//! | `08990001` | processed and charged, answer held back `slow_delay` |
//! | `08990002` | processed and charged, then HTTP 500 with an error page |
//! | `08990003` | processed and charged, then HTTP 200 with an HTML page |
//! | `08990004` | processed and charged, then the connection is broken |
//! | `08990005` | topup/payment charged and answered PENDING; the next `pending_checks` status checks say PENDING, then SUKSES (`HRG`, and `SN` for a topup). An inquiry answers normally so the bill can be paid. |
//! | `08990006` | GAGAL, no charge: `nomor tujuan salah` (topup), `IDPEL salah` (inquiry) |
//! | `08990007` | HTTP 500 before anything is processed: nothing recorded or charged |
//! | `08990008` | an inquiry answers GAGAL `Tagihan sudah lunas` (the bill is paid; nothing charged) |
//!
//! By [`SandboxHandle::inject`], for the next N requests of any kind (balance
//! and status included): see [`Fault`].
//!
//! # Dialects
//!
//! The books (`ledger.rs`) decide a structured reply; `dialect.rs` writes
//! it in [`SandboxConfig::dialect`], so charges, idempotency, faults and the
//! pending countdown are the same in every dialect (the words above are
//! rone's). Times are WIB ([`SandboxClock`]); `T#`/`RefId` is the center's
//! transaction number, one per recorded topup, inquiry or payment, from
//! 41168891. Success lines for `T10 087712345678`, refID `L1`:
//!
//! | dialect | success line |
//! |---|---|
//! | `rone` (default) | `TRX T10.087712345678 SUKSES, HRG:11000 SN:… REFID:L1.` |
//! | `otomax` | `T#41168891 R#L1 T10.087712345678 SUKSES. SN/Ref: …. Saldo 5.000.000 - 11.000 = 4.989.000 @21/04 09:05` |
//! | `sisa` | `R#L1 T10.087712345678, status SUKSES. SN/Ref: …. RefId : 41168891. Sisa saldo 4989000` |
//! | `kv` | `status=20&refid=L1&price=11000&message=T10.087712345678 SUKSES. SN/Ref: …. Saldo 5.000.000 - 11.000 = 4.989.000` |
//!
//! - `otomax`: pending `T#… R#… P.D akan diproses. Saldo …`; failure
//!   `R#… P.D GAGAL. Reason. Saldo … @HH.MM.SS`; a resend or status check
//!   of a topup or payment `R#… P.D sdh pernah jam HH:MM, status Sukses. …`
//!   (or `status Gagal. …`, or `sedang diproses`); balance
//!   `Saldo Anda Rp 5.000.000 @ 2026-04-21 09:05:07`.
//! - `sisa`: `…, status Dalam Proses. RefId : …` / `…, status GAGAL.
//!   Reason. Sisa saldo …`; balance `Sisa saldo N`.
//! - `kv` (raw, not percent-encoded): pending `status=1&…Harga=… akan
//!   diproses..`; failure `status=52` (wrong number or customer ID) or
//!   `status=40`; not found `status=40&refid=…&message=Transaksi tidak
//!   ditemukan`; balance `Saldo: 5.000.000`.
//! - In every dialect a bill payment, which has no SN, shows `REF<trx>`
//!   (except rone, which has no SN field for it); an unpaid bill's status
//!   is its inquiry line; a refused call names its refID and `P.D`; a
//!   refusal that names no call (missing parameters, a balance call) is
//!   `GAGAL. Reason` (kv: `status=40&message=GAGAL. Reason`).

mod dialect;
mod ledger;
mod products;
mod protocol;
mod reply;

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{RawQuery, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::gateway::sign::BalanceSign;
use crate::money::Rupiah;
pub use dialect::{Dialect, UnknownDialect};
use ledger::{Delivery, Ledger};
use protocol::{BalanceCall, Params, TxCall, MISSING_PARAMS};
use reply::Reply;

pub const DEMO_MEMBER: &str = "DEMO";
pub const DEMO_PIN: &str = "0000";
pub const DEMO_KEY: &str = "demo";
/// The demo account's opening balance.
pub const DEMO_BALANCE: Rupiah = Rupiah(5_000_000);

/// How long [`SandboxHandle::shutdown`] waits for requests in flight.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(2);

/// One reseller account the sandbox knows. `Debug` hides the PIN and key.
#[derive(Clone, PartialEq, Eq)]
pub struct SandboxAccount {
    pub member_id: String,
    pub pin: String,
    pub api_key: String,
    pub balance: Rupiah,
    pub balance_sign: BalanceSign,
}

impl SandboxAccount {
    /// `DEMO` / `0000` / `demo` with Rp5.000.000, balance sign `fields`.
    pub fn demo() -> SandboxAccount {
        SandboxAccount {
            member_id: DEMO_MEMBER.to_string(),
            pin: DEMO_PIN.to_string(),
            api_key: DEMO_KEY.to_string(),
            balance: DEMO_BALANCE,
            balance_sign: BalanceSign::Fields,
        }
    }
}

impl fmt::Debug for SandboxAccount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SandboxAccount")
            .field("member_id", &self.member_id)
            .field("pin", &"***")
            .field("api_key", &"***")
            .field("balance", &self.balance)
            .field("balance_sign", &self.balance_sign)
            .finish()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SandboxConfig {
    pub accounts: Vec<SandboxAccount>,
    /// Added to every request before it is processed (benchmarks).
    pub latency: Duration,
    /// How long a slow answer (`08990001…`, [`Fault::Slow`]) is held back.
    pub slow_delay: Duration,
    /// How many status checks of a `08990005…` refID still say PENDING.
    pub pending_checks: u32,
    /// The reply templates answers are written in.
    pub dialect: Dialect,
    /// Where the times in replies come from.
    pub clock: SandboxClock,
}

/// The sandbox's clock. Times in replies are WIB (UTC+7), as Indonesian
/// centers stamp them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SandboxClock {
    /// The wall clock, in WIB.
    #[default]
    Wib,
    /// Always this WIB time, so tests can expect exact replies.
    Fixed(chrono::NaiveDateTime),
}

impl SandboxClock {
    /// WIB's offset from UTC, in seconds.
    const WIB_OFFSET: i32 = 7 * 3600;

    pub fn now(self) -> chrono::NaiveDateTime {
        match self {
            SandboxClock::Wib => {
                let wib = chrono::FixedOffset::east_opt(Self::WIB_OFFSET).expect("UTC+7 is valid");
                chrono::Utc::now().with_timezone(&wib).naive_local()
            }
            SandboxClock::Fixed(at) => at,
        }
    }
}

impl Default for SandboxConfig {
    fn default() -> Self {
        SandboxConfig {
            accounts: vec![SandboxAccount::demo()],
            latency: Duration::ZERO,
            slow_delay: Duration::from_secs(3),
            pending_checks: 1,
            dialect: Dialect::default(),
            clock: SandboxClock::default(),
        }
    }
}

/// A fault for the next requests, of any kind (see [`SandboxHandle::inject`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Fault {
    /// Processed (and charged), then answered only after `slow_delay`.
    Slow,
    /// HTTP 500 with an error page, before anything is processed.
    ServerError,
    /// HTTP 200 with an HTML page, before anything is processed.
    Garbage,
    /// The connection is broken before anything is processed.
    Drop,
    /// Processed (and charged), then HTTP 500: the reply is lost.
    ServerErrorAfterCharge,
    /// Processed (and charged), then an HTML page instead of the reply.
    GarbageAfterCharge,
    /// Processed (and charged), then the connection is broken.
    DropAfterCharge,
}

impl Fault {
    /// Whether the request is processed before the fault hits.
    fn processes(self) -> bool {
        !matches!(self, Fault::ServerError | Fault::Garbage | Fault::Drop)
    }

    fn delivery(self) -> Delivery {
        match self {
            Fault::Slow => Delivery::Slow,
            Fault::ServerError | Fault::ServerErrorAfterCharge => Delivery::ServerError,
            Fault::Garbage | Fault::GarbageAfterCharge => Delivery::Garbage,
            Fault::Drop | Fault::DropAfterCharge => Delivery::Drop,
        }
    }
}

/// Counters since the sandbox started.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SandboxStats {
    /// Every request to either endpoint, faulted or not.
    pub requests: u64,
    /// Requests received per kind (`qty=1`, `jenis=5`, `jenis=6`, `cek=1`,
    /// balance), whatever became of them.
    pub topups: u64,
    pub inquiries: u64,
    pub payments: u64,
    pub status_checks: u64,
    pub balance_checks: u64,
    /// Requests refused for a wrong sign.
    pub bad_signs: u64,
    /// Balance deductions (topups and bill payments).
    pub charges: u64,
    /// The most requests in flight at once (arrived, not yet answered),
    /// from all members; per member see [`SandboxState::in_flight_peak`].
    pub in_flight_peak: u64,
}

/// Everything a request may change, behind one short-held lock.
#[derive(Debug)]
struct Desk {
    ledger: Ledger,
    latency: Duration,
    /// Injected faults in order, each with how many requests it still hits.
    faults: VecDeque<(Fault, u32)>,
    /// Requests in flight now and at most, per `memberID` and in all.
    in_flight: HashMap<String, InFlightCount>,
    all_in_flight: InFlightCount,
}

/// Requests of one member (or of all) between arriving and being answered.
#[derive(Debug, Clone, Copy, Default)]
struct InFlightCount {
    now: u64,
    peak: u64,
}

impl InFlightCount {
    fn arrive(&mut self) {
        self.now += 1;
        self.peak = self.peak.max(self.now);
    }

    fn leave(&mut self) {
        self.now = self.now.saturating_sub(1);
    }
}

impl Desk {
    fn next_fault(&mut self) -> Option<Fault> {
        let (fault, left) = self.faults.front_mut()?;
        let fault = *fault;
        *left -= 1;
        if *left == 0 {
            self.faults.pop_front();
        }
        Some(fault)
    }
}

/// The sandbox's shared state; cheap to clone. [`router`] serves it.
#[derive(Debug, Clone)]
pub struct SandboxState {
    desk: Arc<Mutex<Desk>>,
    slow_delay: Duration,
    dialect: Dialect,
    clock: SandboxClock,
}

impl SandboxState {
    pub fn new(config: SandboxConfig) -> SandboxState {
        let desk = Desk {
            ledger: Ledger::new(&config.accounts, config.pending_checks),
            latency: config.latency,
            faults: VecDeque::new(),
            in_flight: HashMap::new(),
            all_in_flight: InFlightCount::default(),
        };
        SandboxState {
            desk: Arc::new(Mutex::new(desk)),
            slow_delay: config.slow_delay,
            dialect: config.dialect,
            clock: config.clock,
        }
    }

    /// The lock; a panic elsewhere never makes the books unreadable.
    fn desk(&self) -> MutexGuard<'_, Desk> {
        self.desk.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub fn stats(&self) -> SandboxStats {
        let desk = self.desk();
        SandboxStats {
            in_flight_peak: desk.all_in_flight.peak,
            ..desk.ledger.stats()
        }
    }

    /// The most requests from `member_id` in flight at once so far (the
    /// `memberID` a request gives, whether or not the sandbox knows it).
    pub fn in_flight_peak(&self, member_id: &str) -> u64 {
        self.desk().in_flight.get(member_id).map_or(0, |c| c.peak)
    }

    pub fn balance(&self, member_id: &str) -> Option<Rupiah> {
        self.desk().ledger.balance_of(member_id)
    }

    /// How many times this refID was charged (0 or 1).
    pub fn charges_for(&self, ref_id: &str) -> u32 {
        self.desk().ledger.charges_for(ref_id)
    }

    /// The refIDs recorded for this product and destination (topups,
    /// inquiries and payments of every member), sorted.
    pub fn refs_for(&self, product: &str, dest: &str) -> Vec<String> {
        self.desk().ledger.refs_for(product, dest)
    }

    pub fn set_latency(&self, latency: Duration) {
        self.desk().latency = latency;
    }

    /// Queues `fault` for the next `count` requests of any kind.
    pub fn inject(&self, fault: Fault, count: u32) {
        if count > 0 {
            self.desk().faults.push_back((fault, count));
        }
    }

    /// Counts an arriving request from `member` and takes its latency and
    /// injected fault; it is in flight until the returned guard drops.
    fn arrive(
        &self,
        member: String,
        count: impl FnOnce(&mut Ledger),
    ) -> (Duration, Option<Fault>, InFlight) {
        let mut desk = self.desk();
        count(&mut desk.ledger);
        desk.in_flight.entry(member.clone()).or_default().arrive();
        desk.all_in_flight.arrive();
        let in_flight = InFlight {
            state: self.clone(),
            member,
        };
        (desk.latency, desk.next_fault(), in_flight)
    }

    /// Sends `text` the way `delivery` says, holding it back if slow.
    async fn deliver(&self, text: String, delivery: Delivery, slow: bool) -> Response {
        if slow || delivery == Delivery::Slow {
            tokio::time::sleep(self.slow_delay).await;
        }
        match delivery {
            Delivery::Normal | Delivery::Slow => text.into_response(),
            Delivery::ServerError => server_error_page(),
            Delivery::Garbage => garbage_page(),
            Delivery::Drop => dropped_connection(),
        }
    }
}

/// A request in flight: answered, or dropped when its client gave up.
struct InFlight {
    state: SandboxState,
    member: String,
}

impl Drop for InFlight {
    fn drop(&mut self) {
        let mut desk = self.state.desk();
        if let Some(count) = desk.in_flight.get_mut(&self.member) {
            count.leave();
        }
        desk.all_in_flight.leave();
    }
}

/// The sandbox's routes over `state`, for mounting in another server.
pub fn router(state: SandboxState) -> Router {
    Router::new()
        .route("/V1/http-get", get(transaction_endpoint))
        .route("/V1/http-get/balance", get(balance_endpoint))
        .with_state(state)
}

async fn transaction_endpoint(
    State(state): State<SandboxState>,
    RawQuery(query): RawQuery,
) -> Response {
    let params = Params::parse(query.as_deref());
    let (latency, injected, _in_flight) = state.arrive(params.member(), |ledger| {
        ledger.count_transaction(params.op())
    });
    pause(latency).await;
    if let Some(fault) = injected.filter(|f| !f.processes()) {
        return state.deliver(String::new(), fault.delivery(), false).await;
    }
    let answer = match TxCall::from_params(&params) {
        Some(call) => state.desk().ledger.transaction(&call, state.clock.now()),
        None => ledger::Answer {
            reply: Some(Reply::Refused(MISSING_PARAMS)),
            delivery: Delivery::Normal,
        },
    };
    let text = answer
        .reply
        .map(|reply| state.dialect.render(&reply))
        .unwrap_or_default();
    let (delivery, slow) = combine(answer.delivery, injected);
    state.deliver(text, delivery, slow).await
}

async fn balance_endpoint(
    State(state): State<SandboxState>,
    RawQuery(query): RawQuery,
) -> Response {
    let params = Params::parse(query.as_deref());
    let (latency, injected, _in_flight) = state.arrive(params.member(), Ledger::count_balance);
    pause(latency).await;
    if let Some(fault) = injected.filter(|f| !f.processes()) {
        return state.deliver(String::new(), fault.delivery(), false).await;
    }
    let reply = match BalanceCall::from_params(&params) {
        Some(call) => state.desk().ledger.balance(&call, state.clock.now()),
        None => Reply::Refused(MISSING_PARAMS),
    };
    let text = state.dialect.render(&reply);
    let (delivery, slow) = combine(Delivery::Normal, injected);
    state.deliver(text, delivery, slow).await
}

/// The delivery after an injected fault that lets the request through, and
/// whether the answer is held back: an injected loss wins over the dest's.
fn combine(from_dest: Delivery, injected: Option<Fault>) -> (Delivery, bool) {
    match injected {
        Some(Fault::Slow) => (from_dest, true),
        Some(fault) => (fault.delivery(), false),
        None => (from_dest, false),
    }
}

async fn pause(latency: Duration) {
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
}

fn server_error_page() -> Response {
    let page = "<html><head><title>500 Internal Server Error</title></head>\
                <body><h1>Internal Server Error</h1><p>sandbox: injected fault</p></body></html>";
    html(StatusCode::INTERNAL_SERVER_ERROR, page)
}

fn garbage_page() -> Response {
    let page = "<!DOCTYPE html><html><head><title>Maintenance</title></head>\
                <body><p>Layanan sedang dalam pemeliharaan.</p></body></html>";
    html(StatusCode::OK, page)
}

fn html(status: StatusCode, page: &'static str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        page,
    )
        .into_response()
}

/// A response whose body fails at once: hyper aborts the connection, so the
/// client sees a broken connection and never a reply.
fn dropped_connection() -> Response {
    let broken = futures::stream::once(async {
        Err::<Bytes, std::io::Error>(std::io::Error::new(
            std::io::ErrorKind::ConnectionAborted,
            "sandbox: connection dropped on purpose",
        ))
    });
    (
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        Body::from_stream(broken),
    )
        .into_response()
}

/// A running sandbox. Dropping it leaves the server running until the
/// runtime stops; [`SandboxHandle::shutdown`] stops it.
#[derive(Debug)]
pub struct SandboxHandle {
    addr: SocketAddr,
    state: SandboxState,
    stop: oneshot::Sender<()>,
    task: JoinHandle<()>,
}

impl SandboxHandle {
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The shared state, e.g. to watch it from another task.
    pub fn state(&self) -> &SandboxState {
        &self.state
    }

    pub fn stats(&self) -> SandboxStats {
        self.state.stats()
    }

    /// The most requests from `member_id` in flight at once so far.
    pub fn in_flight_peak(&self, member_id: &str) -> u64 {
        self.state.in_flight_peak(member_id)
    }

    pub fn balance(&self, member_id: &str) -> Option<Rupiah> {
        self.state.balance(member_id)
    }

    /// How many times this refID was charged; never more than 1.
    pub fn charges_for(&self, ref_id: &str) -> u32 {
        self.state.charges_for(ref_id)
    }

    /// See [`SandboxState::refs_for`].
    pub fn refs_for(&self, product: &str, dest: &str) -> Vec<String> {
        self.state.refs_for(product, dest)
    }

    pub fn set_latency(&self, latency: Duration) {
        self.state.set_latency(latency);
    }

    /// The next `count` requests of any kind (balance and status included)
    /// get `fault`; faults injected earlier are used up first.
    pub fn inject(&self, fault: Fault, count: u32) {
        self.state.inject(fault, count);
    }

    /// Stops accepting, lets requests in flight finish (up to 2 s), stops.
    pub async fn shutdown(self) {
        let _ = self.stop.send(());
        let mut task = self.task;
        if tokio::time::timeout(SHUTDOWN_GRACE, &mut task)
            .await
            .is_err()
        {
            task.abort();
        }
    }
}

/// Binds `addr` (`127.0.0.1:0` picks a free port) and serves in a task.
pub async fn spawn(addr: SocketAddr, config: SandboxConfig) -> std::io::Result<SandboxHandle> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    let state = SandboxState::new(config);
    let (stop, stopped) = oneshot::channel::<()>();
    let app = router(state.clone());
    let task = tokio::spawn(async move {
        let signal = async {
            // A dropped handle is not a stop request.
            if stopped.await.is_err() {
                std::future::pending::<()>().await;
            }
        };
        if let Err(error) = axum::serve(listener, app)
            .with_graceful_shutdown(signal)
            .await
        {
            tracing::error!(%error, "sandbox gateway stopped");
        }
    });
    Ok(SandboxHandle {
        addr,
        state,
        stop,
        task,
    })
}

/// Serves the sandbox on `addr` until ctrl-c (or SIGTERM), for
/// `loket sandbox --listen`.
pub async fn serve_forever(addr: SocketAddr, config: SandboxConfig) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let members: Vec<&str> = config
        .accounts
        .iter()
        .map(|a| a.member_id.as_str())
        .collect();
    tracing::info!(
        url = %format!("http://{}", listener.local_addr()?),
        members = ?members,
        dialect = %config.dialect,
        "sandbox gateway listening"
    );
    let app = router(SandboxState::new(config));
    axum::serve(listener, app)
        .with_graceful_shutdown(stop_signal())
        .await
}

/// Resolves on ctrl-c, or SIGTERM on Unix.
async fn stop_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
    tracing::info!("sandbox gateway stopping");
}
