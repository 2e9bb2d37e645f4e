//! Money safety under faults: a call whose answer is lost is never called
//! failed, is charged once, and is followed to its end — across restarts
//! and SIGKILL too. Secrets never reach the disk in plain text or the logs.
//! Everything runs against loopback servers the tests start themselves.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::Utc;
use loket::app::{demo_account, engine_with};
use loket::catalog::Catalog;
use loket::engine::{ChatCtx, Engine, EngineConfig, Input, Notice, Response};
use loket::model::{EntryKind, EntryState, JournalEntry};
use loket::sandbox::{self, Fault, SandboxAccount, SandboxConfig, SandboxHandle};
use loket::store::{Location, Store};
use tokio::sync::mpsc;

#[path = "support/console_process.rs"]
mod console_process;
use console_process::{temp_dir, Console};

const ME: i64 = 2002;
/// A test account whose secrets are easy to spot anywhere they leak to.
const PIN: &str = "739164";
const KEY: &str = "kunci-rahasia-9f3x";

async fn start_sandbox(slow_delay: Duration) -> SandboxHandle {
    let agent = SandboxAccount {
        member_id: "AGEN7".into(),
        pin: PIN.into(),
        api_key: KEY.into(),
        ..SandboxAccount::demo()
    };
    let config = SandboxConfig {
        accounts: vec![SandboxAccount::demo(), agent],
        slow_delay,
        ..SandboxConfig::default()
    };
    sandbox::spawn("127.0.0.1:0".parse().unwrap(), config)
        .await
        .unwrap()
}

fn engine_on(
    location: &Location,
    sandbox: &SandboxHandle,
    tweak: impl FnOnce(&mut EngineConfig),
) -> (Engine, mpsc::UnboundedReceiver<Notice>) {
    let store = Store::open(location, Some([7u8; 32])).unwrap();
    let mut config = EngineConfig::new(sandbox.base_url());
    config.default_account = Some(demo_account(&sandbox.base_url()));
    config.recheck_after = Duration::from_millis(100);
    config.recheck_cap = Duration::from_millis(300);
    tweak(&mut config);
    let (engine, notices) = engine_with(
        store,
        Catalog::builtin(),
        config,
        Duration::from_millis(700),
    );
    (engine, notices)
}

async fn next_notice(notices: &mut mpsc::UnboundedReceiver<Notice>) -> Notice {
    tokio::time::timeout(Duration::from_secs(10), notices.recv())
        .await
        .expect("a follow-up within 10 s")
        .unwrap()
}

fn shown(response: &Response) -> String {
    let mut parts: Vec<String> = response.replies.iter().map(|r| r.text.clone()).collect();
    parts.extend(response.edit_source.iter().map(|r| r.text.clone()));
    parts.extend(response.toast.clone());
    parts.join("\n")
}

async fn say(engine: &Engine, text: &str) -> Response {
    engine
        .handle(&ChatCtx::private(ME), Input::Text(text.into()))
        .await
}

fn ref_of(text: &str) -> String {
    text.lines()
        .find_map(|l| l.strip_prefix("RefID: "))
        .expect("a RefID line")
        .to_string()
}

#[tokio::test]
async fn lost_answers_to_a_topup_are_never_called_failed_and_are_charged_once() {
    for fault in [
        Fault::ServerErrorAfterCharge,
        Fault::GarbageAfterCharge,
        Fault::DropAfterCharge,
        Fault::Slow,
    ] {
        let sandbox = start_sandbox(Duration::from_millis(1500)).await;
        let (engine, mut notices) = engine_on(&Location::Temporary, &sandbox, |_| {});
        sandbox.inject(fault, 1);
        let first = shown(&say(&engine, "T10 087712345678").await);
        assert!(
            !first.to_lowercase().contains("gagal"),
            "{fault:?}: {first}"
        );
        assert!(first.contains("sedang dicek"), "{fault:?}: {first}");
        let ref_id = ref_of(&first);
        let result = next_notice(&mut notices).await;
        assert!(
            result.reply.text.contains("Isi ulang berhasil"),
            "{fault:?}: {}",
            result.reply.text
        );
        assert_eq!(sandbox.charges_for(&ref_id), 1, "{fault:?}");
        assert_eq!(
            sandbox.stats().topups,
            1,
            "{fault:?}: found by a status check, never resent"
        );
        let entry = engine.store().entry(&ref_id).unwrap().unwrap();
        assert_eq!(entry.state, EntryState::Success);
    }
}

#[tokio::test]
async fn lost_answers_to_a_payment_are_reported_when_final_and_charged_once() {
    for fault in [
        Fault::ServerErrorAfterCharge,
        Fault::GarbageAfterCharge,
        Fault::DropAfterCharge,
        Fault::Slow,
    ] {
        let sandbox = start_sandbox(Duration::from_millis(1500)).await;
        let (engine, mut notices) = engine_on(&Location::Temporary, &sandbox, |_| {});
        let bill = say(&engine, "PLNPASC 546302215889 cek").await;
        let pay = bill.replies[0].buttons[0].data.clone();
        sandbox.inject(fault, 1);
        let tap = shown(
            &engine
                .handle(&ChatCtx::private(ME), Input::Button(pay.clone()))
                .await,
        );
        assert!(!tap.to_lowercase().contains("gagal"), "{fault:?}: {tap}");
        let result = next_notice(&mut notices).await;
        assert!(
            result.reply.text.contains("Pembayaran berhasil"),
            "{fault:?}: {}",
            result.reply.text
        );
        let again = shown(
            &engine
                .handle(&ChatCtx::private(ME), Input::Button(pay))
                .await,
        );
        assert!(again.contains("sudah dibayar"), "{fault:?}: {again}");
        assert_eq!(sandbox.stats().payments, 1, "{fault:?}");
        assert_eq!(
            sandbox.balance("DEMO").unwrap().value(),
            5_000_000 - 302_750,
            "{fault:?}"
        );
    }
}

#[tokio::test]
async fn a_call_the_gateway_never_saw_is_resent_only_under_its_own_ref_id() {
    let sandbox = start_sandbox(Duration::from_secs(1)).await;
    let (engine, mut notices) = engine_on(&Location::Temporary, &sandbox, |c| {
        c.max_sends = 3;
        c.follow_for = Duration::from_secs(3);
    });
    // 08990007…: HTTP 500 before anything is processed, every time.
    let first = shown(&say(&engine, "T10 089900071234").await);
    assert!(first.contains("sedang dicek"), "{first}");
    let ref_id = ref_of(&first);
    let gave_up = next_notice(&mut notices).await;
    assert!(
        gave_up.reply.text.contains(&ref_id) && gave_up.reply.text.contains("24 jam"),
        "{}",
        gave_up.reply.text
    );
    let entry = engine.store().entry(&ref_id).unwrap().unwrap();
    assert_eq!(entry.sends, 3, "resent up to the limit");
    assert_eq!(entry.state, EntryState::Unknown, "never called failed");
    assert_eq!(sandbox.stats().topups, 3);
    assert_eq!(sandbox.charges_for(&ref_id), 0);
    let history = shown(&say(&engine, "riwayat").await);
    assert_eq!(
        history.matches("T10 089900071234").count(),
        1,
        "one intent, one refID: {history}"
    );
    // Given up once: a restart does not follow it (or say so) again.
    assert_eq!(engine.resume_unfinished(), 0);
    assert!(
        tokio::time::timeout(Duration::from_secs(2), notices.recv())
            .await
            .is_err(),
        "no second 'gave up' notice"
    );
    assert_eq!(sandbox.stats().topups, 3, "never resent after the window");
}

#[tokio::test]
async fn an_entry_left_sending_by_a_crash_is_followed_after_restart() {
    let sandbox = start_sandbox(Duration::from_secs(1)).await;
    let dir = temp_dir("restart");
    let location = Location::Dir(dir.clone());
    let ref_id = "LCRASHBEFORESEND1".to_string();
    {
        // The process wrote the journal entry, then died before sending.
        let store = Store::open(&location, Some([7u8; 32])).unwrap();
        let entry = JournalEntry::new(
            ref_id.clone(),
            EntryKind::Topup,
            "T10",
            "087712345678",
            ME,
            ME,
            ME,
            "DEMO",
            sandbox.base_url(),
            Some(41),
            Utc::now(),
        );
        assert!(store.begin_entry(&entry).await.unwrap());
    }
    let (engine, mut notices) = engine_on(&location, &sandbox, |_| {});
    assert_eq!(engine.resume_unfinished(), 1);
    let notice = next_notice(&mut notices).await;
    assert_eq!(
        notice.reply_to,
        Some(41),
        "the result answers the original message"
    );
    assert!(
        notice.reply.text.contains("Isi ulang berhasil"),
        "{}",
        notice.reply.text
    );
    assert_eq!(sandbox.charges_for(&ref_id), 1);
    assert_eq!(
        sandbox.stats().topups,
        1,
        "sent once, under the journaled refID"
    );
    drop(engine);
    std::fs::remove_dir_all(dir).ok();
}

// ---- the real binary: SIGKILL, secrets on disk and in logs ----

fn wait_until(what: &str, timeout: Duration, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_between_send_and_reply_is_followed_to_the_end_after_restart() {
    // The sandbox charges, then holds the answer for 4 s; loket is killed
    // while it waits.
    let sandbox = start_sandbox(Duration::from_secs(4)).await;
    let dir = temp_dir("sigkill");
    let url = sandbox.base_url();
    let stats = sandbox.state().clone();
    let log = dir.join("first.log");
    let dir2 = dir.clone();
    let (ref_id, after) = tokio::task::spawn_blocking(move || {
        let mut console = Console::start(&dir2, &log, &[]);
        console.send(&format!("/login AGEN7 {PIN} {KEY} {url}"));
        console.wait_for("Login berhasil", Duration::from_secs(10));
        console.send("T10 089900011234");
        wait_until(
            "the topup to reach the gateway",
            Duration::from_secs(10),
            || stats.stats().topups == 1,
        );
        console.child.kill().unwrap(); // SIGKILL
        console.child.wait().unwrap();

        let mut console = Console::start(&dir2, &dir2.join("second.log"), &[]);
        console.wait_for("Isi ulang berhasil", Duration::from_secs(15));
        let line = console.wait_for("RefID: ", Duration::from_secs(5));
        let seen = console.quit();
        (line.trim_start_matches("RefID: ").to_string(), seen)
    })
    .await
    .unwrap();
    assert!(
        after.iter().any(|l| l.contains("Isi ulang berhasil")),
        "{after:?}"
    );
    assert!(
        after.iter().all(|l| !l.to_lowercase().contains("gagal")),
        "{after:?}"
    );
    let _ = ref_id;
    assert_eq!(
        sandbox.stats().topups,
        1,
        "never sent again: the status check found it"
    );
    assert_eq!(sandbox.stats().charges, 1);
    std::fs::remove_dir_all(dir).ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn data_dir_and_logs_hold_no_secret() {
    let sandbox = start_sandbox(Duration::from_secs(1)).await;
    let dir = temp_dir("secrets");
    let url = sandbox.base_url();
    let log = dir.join("trace.log");
    let (dir2, log2) = (dir.clone(), log.clone());
    let transcript = tokio::task::spawn_blocking(move || {
        let mut console = Console::start(&dir2, &log2, &[("LOKET_LOG", "trace")]);
        console.send(&format!("/login AGEN7 {PIN} {KEY} {url}"));
        console.wait_for("Login berhasil", Duration::from_secs(10));
        console.send("saldo");
        console.wait_for("Saldo AGEN7", Duration::from_secs(10));
        console.send("T10 087712345678");
        console.wait_for("RefID", Duration::from_secs(10));
        console.send("PLNPASC 546302215889 cek");
        console.wait_for("Bayar Rp302.750", Duration::from_secs(10));
        console.send("1");
        console.wait_for("Pembayaran berhasil", Duration::from_secs(10));
        console.send("/akun");
        console.wait_for("API key", Duration::from_secs(10));
        console.quit()
    })
    .await
    .unwrap();

    let stored: Vec<(String, Vec<u8>)> = walk(&dir)
        .into_iter()
        .filter(|entry| *entry != log)
        .map(|entry| (entry.display().to_string(), std::fs::read(&entry).unwrap()))
        .collect();
    // The scan below proves nothing about an empty or unused data dir:
    // first, the database is there and holds what was done (the bill's
    // number, written by the check and the payment).
    assert!(
        stored.iter().any(|(_, bytes)| !bytes.is_empty()),
        "the data dir holds files: {:?}",
        stored.iter().map(|(place, _)| place).collect::<Vec<_>>()
    );
    assert!(
        stored
            .iter()
            .any(|(_, bytes)| contains(bytes, b"546302215889")),
        "the data dir holds the session's records"
    );
    let mut places: Vec<(String, Vec<u8>)> =
        vec![("console output".into(), transcript.join("\n").into_bytes())];
    places.push(("log".into(), std::fs::read(&log).unwrap()));
    places.extend(stored);
    let log_text = String::from_utf8_lossy(&places[1].1).to_string();
    assert!(
        log_text.lines().count() > 5,
        "trace logging produced output"
    );
    for (place, bytes) in &places {
        for secret in [PIN, KEY] {
            assert!(
                !contains(bytes, secret.as_bytes()),
                "{secret} found in {place}"
            );
        }
        let text = String::from_utf8_lossy(bytes);
        for (i, _) in text.match_indices("sign=") {
            let after = &text[i + 5..];
            assert!(
                after.starts_with("***"),
                "a sign value in {place}: {}",
                &text[i..(i + 40).min(text.len())]
            );
        }
    }
    std::fs::remove_dir_all(dir).ok();
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().map_while(Result::ok) {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[tokio::test]
async fn key_file_is_created_private() {
    let dir = temp_dir("keyfile");
    let store = Store::open(&Location::Dir(dir.clone()), None).unwrap();
    drop(store);
    let meta = std::fs::metadata(dir.join(loket::store::KEY_FILE)).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    }
    assert!(meta.len() >= 64);
    // The same key opens what it sealed after a restart.
    let creds = demo_account("http://127.0.0.1:9");
    let store = Store::open(&Location::Dir(dir.clone()), None).unwrap();
    store.save_account(5, &creds).await.unwrap();
    drop(store);
    let store = Store::open(&Location::Dir(dir.clone()), None).unwrap();
    assert_eq!(store.account(5).unwrap(), Some(creds));
    drop(store);
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn an_unopenable_database_names_its_path() {
    let dir = temp_dir("badpath");
    let file = dir.join("not-a-dir");
    std::fs::write(&file, b"x").unwrap();
    let err = Store::open(&Location::Dir(file.clone()), None)
        .unwrap_err()
        .to_string();
    assert!(err.contains(&file.display().to_string()), "{err}");
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn hostile_text_gets_a_short_answer_or_silence_never_a_panic() {
    use proptest::prelude::*;
    use proptest::test_runner::{Config, TestRunner};
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (engine, _sandbox) = runtime.block_on(async {
        let sandbox = start_sandbox(Duration::from_secs(1)).await;
        (engine_on(&Location::Temporary, &sandbox, |_| {}).0, sandbox)
    });
    let strategy = prop_oneof![
        "\\PC{0,300}",
        "[\\x00-\\x1f<>&\"'/@.]{0,50}",
        "(T10|PLNPASC|/cek|/bayar|/login|status|bayar|cek) [\\PC]{0,40}",
        Just("x".repeat(10_000)),
        Just("<script>alert(1)</script> PLNPASC 546302215889 cek".to_string()),
    ];
    let mut runner = TestRunner::new(Config {
        cases: 300,
        ..Config::default()
    });
    runner
        .run(&strategy, |text| {
            for ctx in [ChatCtx::private(ME), ChatCtx::group(-5, ME)] {
                let response = runtime.block_on(engine.handle(&ctx, Input::Text(text.clone())));
                for reply in response.replies.iter().chain(response.edit_source.iter()) {
                    prop_assert!(reply.text.chars().count() <= 4096);
                    prop_assert!(!reply.text.contains("panicked"));
                }
            }
            let pressed =
                runtime.block_on(engine.handle(&ChatCtx::private(ME), Input::Button(text.clone())));
            prop_assert!(pressed.toast.is_some() || pressed.edit_source.is_some());
            Ok(())
        })
        .unwrap();
}

#[tokio::test]
async fn a_broken_inquiry_answer_stores_no_bill_and_the_next_check_works() {
    let sandbox = start_sandbox(Duration::from_millis(1500)).await;
    let (engine, _notices) = engine_on(&Location::Temporary, &sandbox, |_| {});
    // A 5xx or a dropped connection is retried twice (a check moves no
    // money) before the user is told; HTML and a timeout are not retried.
    for (fault, times) in [
        (Fault::ServerError, 3),
        (Fault::Garbage, 1),
        (Fault::Drop, 3),
        (Fault::Slow, 1),
    ] {
        sandbox.inject(fault, times);
        let broken = say(&engine, "PLNPASC 546302215889 cek").await;
        let text = shown(&broken);
        assert!(text.contains("Gateway tidak"), "{fault:?}: {text}");
        assert!(
            broken.replies.iter().all(|r| r.buttons.is_empty()),
            "{fault:?}: no Bayar button"
        );
        let paid = shown(&say(&engine, "PLNPASC 546302215889 bayar").await);
        // The first round finds no bill at all; later ones find only the
        // previous round's cancelled bill. Either way: check again first.
        assert!(
            paid.contains("Cek dulu") || paid.contains("Cek ulang"),
            "{fault:?}: {paid}"
        );
        let good = say(&engine, "PLNPASC 546302215889 cek").await;
        assert!(shown(&good).contains("Rp302.750"), "{fault:?}");
        let cancel = good.replies[0].buttons[1].data.clone();
        engine
            .handle(&ChatCtx::private(ME), Input::Button(cancel))
            .await;
    }
    assert_eq!(sandbox.stats().payments, 0);
}

/// sled 0.34's `flush_async` can deadlock when many flushes race (sled
/// issue #1308); a bot that hangs there never sends, never answers and
/// never follows up. Many chats journaling topups at once must all finish.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_chats_journaling_at_once_never_hang() {
    let sandbox = start_sandbox(Duration::from_secs(3)).await;
    let dir = temp_dir("concurrent-journal");
    let (engine, _notices) = engine_on(&Location::Dir(dir.clone()), &sandbox, |_| {});
    let chats: Vec<i64> = (1..=64).map(|i| 50_000 + i).collect();
    let all = chats.iter().map(|&chat| {
        let engine = engine.clone();
        tokio::spawn(async move {
            let mut answers = Vec::new();
            for round in 0..3 {
                let text = format!("T5 0877{chat:06}{round:02}");
                let response = engine
                    .handle(&ChatCtx::private(chat), Input::Text(text))
                    .await;
                answers.push(shown(&response));
            }
            answers
        })
    });
    let answers = tokio::time::timeout(Duration::from_secs(60), futures::future::join_all(all))
        .await
        .expect("192 journaled topups from 64 chats finish instead of hanging");
    let answers: Vec<String> = answers.into_iter().flat_map(|a| a.unwrap()).collect();
    assert_eq!(answers.len(), 192);
    assert!(
        answers.iter().all(|a| a.contains("berhasil")),
        "every topup succeeded: {:?}",
        answers.iter().find(|a| !a.contains("berhasil"))
    );
    assert_eq!(engine.store().journal_len(), 192);
    assert_eq!(sandbox.stats().charges, 192);
    std::fs::remove_dir_all(dir).ok();
}
