//! Running loket in production, checked on the real `loket run` binary
//! against the fake Bot API and the sandbox gateway, both on 127.0.0.1:
//! `/metrics` shows the numbers of what a scripted run did, `/healthz`
//! turns 503 while the Bot API fails or cannot be reached and 200 once it
//! answers again, `loket healthcheck` exits by it, and SIGTERM (what
//! `docker stop` sends) stops loket with the update in flight finished
//! and its journal on disk.

#[path = "support/fake_bot_api.rs"]
mod fake_bot_api;
#[path = "support/loket_process.rs"]
mod loket_process;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::Duration;

use fake_bot_api::{FakeBotApi, FakeChat, FakeUser, Fault as BotApiFault};
use loket::model::EntryState;
use loket::sandbox::SandboxConfig;
use loket::store::{Location, Store};
use loket_process::{free_loopback_address, Setup, World, WAIT};
use tokio::task::JoinSet;

fn siti() -> FakeUser {
    FakeUser::new(1001, "Siti").with_language("id")
}

/// A bot with its metrics endpoint on a free loopback port.
fn with_metrics() -> (Setup, SocketAddr) {
    let listen = free_loopback_address();
    (
        Setup::default().env("LOKET_METRICS", &listen.to_string()),
        listen,
    )
}

async fn get(addr: SocketAddr, path: &str) -> (u16, String) {
    let response = reqwest::Client::new()
        .get(format!("http://{addr}{path}"))
        .timeout(Duration::from_secs(5))
        .send()
        .await
        .unwrap_or_else(|e| panic!("GET {path}: {e}"));
    let status = response.status().as_u16();
    (status, response.text().await.expect("a text body"))
}

/// Every sample of a scrape, by its series (`name{labels}`).
fn samples(scrape: &str) -> HashMap<String, f64> {
    scrape
        .lines()
        .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
        .map(|line| {
            let (series, value) = line.rsplit_once(' ').expect("`series value`");
            (series.to_string(), value.parse().expect("a number"))
        })
        .collect()
}

/// Polls `/healthz` until it answers `status`; its body then.
async fn healthz_becomes(addr: SocketAddr, status: u16, limit: Duration, w: &World) -> String {
    let deadline = tokio::time::Instant::now() + limit;
    let mut last = (0, String::new());
    while tokio::time::Instant::now() < deadline {
        last = get(addr, "/healthz").await;
        if last.0 == status {
            return last.1;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!(
        "/healthz still answered {} after {limit:?}: {}\nloket printed:\n{}",
        last.0,
        last.1,
        w.output().join("\n")
    );
}

/// `loket healthcheck` with `LOKET_METRICS=listen`: its exit code and
/// what it printed.
async fn healthcheck(listen: Option<SocketAddr>) -> (i32, String) {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_loket"));
    command.arg("healthcheck").env_clear();
    if let Some(listen) = listen {
        command.env("LOKET_METRICS", listen.to_string());
    }
    let output = command.output().await.expect("run loket healthcheck");
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.code().unwrap_or(-1), printed)
}

#[tokio::test]
async fn the_metrics_count_what_a_scripted_run_did() {
    let (setup, listen) = with_metrics();
    // No follow-up check during the test: the pending topup stays pending.
    let setup = setup.env("LOKET_RECHECK_AFTER", "3600");
    let mut w = World::start_with(setup).await;
    let siti = siti();
    let chat = FakeChat::private(&siti);
    w.login(&siti, "DEMO 0000 demo").await;
    w.ask(&chat, &siti, "saldo", "Rp5.000.000").await;
    // One answer meets a 429 first; the outbox sends it again.
    w.fake
        .fail_next("sendMessage", 1, BotApiFault::RetryAfter(1));
    w.ask(&chat, &siti, "T10 087712345678", "Isi ulang berhasil")
        .await;
    w.ask(&chat, &siti, "T10 087712345679", "Isi ulang berhasil")
        .await;
    w.ask(&chat, &siti, "T10 089900051234", "sedang diproses")
        .await;
    w.ask(&chat, &siti, "T10 089900061234", "Isi ulang gagal")
        .await;
    w.ask(&chat, &siti, "PLNPASC 546302215889 cek", "Rp302.750")
        .await;
    w.ask(
        &chat,
        &siti,
        "PLNPASC 546302215889 bayar",
        "Pembayaran berhasil",
    )
    .await;

    // A result is marked told once Telegram's answer to it is back, a
    // moment after the fake shows it: scrape until nothing is untold.
    let deadline = tokio::time::Instant::now() + WAIT;
    let scrape = loop {
        let (status, scrape) = get(listen, "/metrics").await;
        assert_eq!(status, 200, "{scrape}");
        let untold = samples(&scrape)
            .get("loket_journal_untold_results")
            .copied();
        if untold == Some(0.0) || tokio::time::Instant::now() > deadline {
            break scrape;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let seen = samples(&scrape);
    let value = |series: &str| seen.get(series).copied().unwrap_or(0.0);
    let gateway = w.sandbox.stats();
    let cases = [
        // What users asked for, and how it ended.
        (
            r#"loket_money_calls_total{kind="topup",state="success"}"#,
            2.0,
        ),
        (
            r#"loket_money_calls_total{kind="topup",state="failed"}"#,
            1.0,
        ),
        (
            r#"loket_money_calls_total{kind="payment",state="success"}"#,
            1.0,
        ),
        (
            r#"loket_money_calls_total{kind="inquiry",state="success"}"#,
            1.0,
        ),
        (
            r#"loket_money_calls_total{kind="balance",state="success"}"#,
            1.0,
        ),
        // The pending topup is the one entry being checked.
        ("loket_journal_checking_entries", 1.0),
        ("loket_journal_untold_results", 0.0),
        // Every call the gateway received, by operation (the login's
        // balance call included).
        (
            r#"loket_gateway_call_duration_seconds_count{operation="topup"}"#,
            gateway.topups as f64,
        ),
        (
            r#"loket_gateway_call_duration_seconds_count{operation="inquiry"}"#,
            gateway.inquiries as f64,
        ),
        (
            r#"loket_gateway_call_duration_seconds_count{operation="payment"}"#,
            gateway.payments as f64,
        ),
        (
            r#"loket_gateway_call_duration_seconds_count{operation="balance"}"#,
            gateway.balance_checks as f64,
        ),
        // The login, saldo, four topups, the check and the payment.
        (r#"loket_updates_total{kind="message"}"#, 8.0),
        (
            r#"loket_telegram_failures_total{reason="rate_limited"}"#,
            1.0,
        ),
        ("loket_telegram_undelivered_total", 0.0),
        ("loket_bot_api_poll_failures_total", 0.0),
    ];
    for (series, expected) in cases {
        assert_eq!(value(series), expected, "{series} in:\n{scrape}");
    }
    assert_eq!(
        (gateway.topups, gateway.balance_checks),
        (4, 2),
        "the run made the calls it meant to"
    );
    let age = value("loket_journal_oldest_checking_age_seconds");
    assert!((0.0..60.0).contains(&age), "oldest entry {age} s old");
    for help in [
        "# HELP loket_money_calls_total ",
        "# HELP loket_journal_checking_entries ",
    ] {
        assert!(scrape.contains(help), "{help} in:\n{scrape}");
    }
    // Labels are kinds and states: no account, customer or secret.
    for secret in [
        "DEMO",
        "demo",
        "087712345678",
        "546302215889",
        "123456:TEST",
    ] {
        assert!(!scrape.contains(secret), "{secret:?} in:\n{scrape}");
    }
    let (status, health) = get(listen, "/healthz").await;
    assert_eq!(status, 200, "{health}");
    w.stop("INT").await;
}

/// A TCP relay to the fake Bot API that can be switched off (connections
/// cut, the port closed: the Bot API is unreachable) and on again on the
/// same port.
struct Switch {
    addr: SocketAddr,
    target: SocketAddr,
    relay: Option<JoinSet<()>>,
}

impl Switch {
    async fn start(target: SocketAddr) -> Switch {
        let mut switch = Switch {
            addr: "127.0.0.1:0".parse().expect("loopback"),
            target,
            relay: None,
        };
        switch.on().await;
        switch
    }

    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    async fn on(&mut self) {
        let listener = tokio::net::TcpListener::bind(self.addr)
            .await
            .expect("bind the relay");
        self.addr = listener.local_addr().expect("relay address");
        let target = self.target;
        let mut relay = JoinSet::new();
        relay.spawn(async move {
            let mut connections = JoinSet::new();
            while let Ok((mut inbound, _)) = listener.accept().await {
                connections.spawn(async move {
                    if let Ok(mut outbound) = tokio::net::TcpStream::connect(target).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
            }
        });
        self.relay = Some(relay);
    }

    /// Cuts every connection and closes the port.
    async fn off(&mut self) {
        if let Some(mut relay) = self.relay.take() {
            relay.shutdown().await;
        }
    }
}

#[tokio::test]
async fn healthz_is_503_while_the_bot_api_fails_or_is_unreachable_and_200_once_it_answers() {
    let fake = FakeBotApi::start().await;
    let mut switch = Switch::start(fake.addr()).await;
    let (setup, listen) = with_metrics();
    let mut w = World::start_on(fake, switch.url(), setup).await;
    let limit = Duration::from_secs(30);

    let ok = healthz_becomes(listen, 200, WAIT, &w).await;
    assert!(ok.contains("database: ok"), "{ok}");
    let (code, printed) = healthcheck(Some(listen)).await;
    assert_eq!(code, 0, "healthy, yet loket healthcheck said:\n{printed}");

    // The Bot API refuses the polls (a revoked token), three times.
    let unauthorized = BotApiFault::Api {
        code: 401,
        description: "Unauthorized".into(),
    };
    w.fake.fail_next("getUpdates", 3, unauthorized);
    let failing = healthz_becomes(listen, 503, limit, &w).await;
    assert!(failing.contains("bot api: failing"), "{failing}");
    let (code, printed) = healthcheck(Some(listen)).await;
    assert_eq!(code, 1, "unhealthy, yet loket healthcheck said:\n{printed}");
    assert!(printed.contains("503"), "{printed}");
    healthz_becomes(listen, 200, limit, &w).await;

    // The Bot API cannot be reached at all, then comes back.
    switch.off().await;
    let unreachable = healthz_becomes(listen, 503, limit, &w).await;
    assert!(unreachable.contains("bot api: failing"), "{unreachable}");
    tokio::time::sleep(Duration::from_secs(2)).await;
    switch.on().await;
    healthz_becomes(listen, 200, limit, &w).await;

    // And it still serves its chats.
    let siti = siti();
    w.login(&siti, "DEMO 0000 demo").await;
    let (_, scrape) = get(listen, "/metrics").await;
    let failures = samples(&scrape)
        .get("loket_bot_api_poll_failures_total")
        .copied()
        .unwrap_or(0.0);
    assert!(
        failures >= 4.0,
        "{failures} failed polls counted:\n{scrape}"
    );
    w.stop("TERM").await;
    drop(switch);
}

#[tokio::test]
async fn loket_healthcheck_fails_when_nothing_answers_or_no_endpoint_is_set() {
    let (code, printed) = healthcheck(Some(free_loopback_address())).await;
    assert_eq!(code, 1, "{printed}");
    assert!(printed.contains("no answer"), "{printed}");
    let (code, printed) = healthcheck(None).await;
    assert_ne!(code, 0, "{printed}");
    assert!(printed.contains("LOKET_METRICS"), "{printed}");
}

#[tokio::test]
async fn sigterm_finishes_the_update_in_flight_and_leaves_its_journal_on_disk() {
    let setup = Setup::default()
        .env("LOKET_GATEWAY_TIMEOUT", "10")
        .sandbox(SandboxConfig {
            slow_delay: Duration::from_millis(1500),
            ..SandboxConfig::default()
        });
    let mut w = World::start_with(setup).await;
    let siti = siti();
    let chat = FakeChat::private(&siti);
    w.login(&siti, "DEMO 0000 demo").await;

    // Charged at once, answered 1.5 s later: SIGTERM comes in between.
    w.say(&chat, &siti, "T10 089900011234");
    let deadline = tokio::time::Instant::now() + WAIT;
    while w.sandbox.stats().topups == 0 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the topup never arrived"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    w.stop("TERM").await;
    let sent = w.fake.sent_texts(chat.id);
    assert!(
        sent.iter().any(|t| t.contains("Isi ulang berhasil")),
        "the answer in flight was lost: {sent:#?}"
    );

    // The data dir, reopened by another process: the entry is final and
    // marked told, so the next start neither checks nor tells it again.
    let store = Store::open(&Location::Dir(w.data_dir()), None).expect("the data dir reopens");
    let entries = store.recent_entries(chat.id, 10).expect("journal reads");
    assert_eq!(entries.len(), 1, "{entries:#?}");
    let entry = &entries[0];
    assert_eq!(
        (entry.state, entry.told, entry.sends),
        (EntryState::Success, true, 1),
        "{entry:#?}"
    );
    assert!(store.unfinished_entries().expect("open list").is_empty());
    assert!(store.untold_results().expect("open list").is_empty());
    assert_eq!(w.sandbox.stats().charges, 1, "charged once");
}
