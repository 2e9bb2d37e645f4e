//! Backups, restores and rekeys of the database (issue 14): a backup is
//! one moment of every tree even while writes go on, a restore of a
//! backup taken mid-payment follows that payment to its end and tells the
//! chat, a restore refuses anything but a whole, checked file into an
//! empty data dir, the nightly backup keeps the newest N, and a rekey
//! leaves every account usable under the new key only. Everything runs
//! against the sandbox gateway on 127.0.0.1.

#[path = "support/chat.rs"]
mod chat;

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use chat::{ref_of, shown};
use chrono::{DateTime, Utc};
use loket::app::engine_with;
use loket::backups::Nightly;
use loket::catalog::Catalog;
use loket::clock::FakeClock;
use loket::engine::{ChatCtx, Engine, EngineConfig, Input, Notice, Response};
use loket::model::{EntryKind, EntryState, Inquiry, InquiryState, JournalEntry};
use loket::sandbox::{self, Fault, SandboxConfig, SandboxHandle};
use loket::store::backup::{restore, IndexCheck, Restored};
use loket::store::{rekey, Location, Store, StoreError};
use sha2::Digest as _;
use tokio::sync::mpsc;

const ME: i64 = 2002;
const KEY: [u8; 32] = [7; 32];

fn scratch(name: &str) -> PathBuf {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let dir = std::env::temp_dir().join(format!(
        "loket-backup-{name}-{}-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed),
        Utc::now().timestamp_micros()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

async fn start_sandbox() -> SandboxHandle {
    sandbox::spawn("127.0.0.1:0".parse().unwrap(), SandboxConfig::default())
        .await
        .unwrap()
}

/// An engine with no default account (every chat logs in, so accounts
/// are in the store); follow-ups re-check after `recheck`.
fn engine_on(
    store: Store,
    sandbox: &SandboxHandle,
    recheck: Duration,
) -> (Engine, mpsc::UnboundedReceiver<Notice>) {
    let mut config = EngineConfig::new(sandbox.base_url());
    config.recheck_after = recheck;
    config.recheck_cap = recheck.max(Duration::from_millis(400));
    engine_with(store, Catalog::builtin(), config, Duration::from_secs(5))
}

async fn say(engine: &Engine, message_id: i32, text: &str) -> Response {
    let ctx = ChatCtx::private(ME).with_message(message_id);
    engine.handle(&ctx, Input::Text(text.into())).await
}

async fn log_in(engine: &Engine, sandbox: &SandboxHandle, user: i64) {
    let url = sandbox.base_url();
    let ctx = ChatCtx::private(user).with_message(1);
    let login = engine
        .handle(&ctx, Input::Text(format!("/login DEMO 0000 demo {url}")))
        .await;
    assert!(
        shown(&login).contains("Login berhasil"),
        "{}",
        shown(&login)
    );
}

async fn next_notice(notices: &mut mpsc::UnboundedReceiver<Notice>) -> Notice {
    tokio::time::timeout(Duration::from_secs(10), notices.recv())
        .await
        .expect("a follow-up result within 10 s")
        .expect("notice channel open")
}

fn backup_of(store: &Store) -> Vec<u8> {
    let mut bytes = Vec::new();
    store.backup(&mut bytes, Utc::now()).expect("backup");
    bytes
}

fn restore_bytes(dir: &Path, bytes: &[u8], key: Option<[u8; 32]>) -> Result<Restored, StoreError> {
    restore(dir, &mut std::io::Cursor::new(bytes), key)
}

/// A backup's lines with its end line sealed again over them, as a
/// backup that really held only these lines would be.
fn resealed(lines: &[String]) -> Vec<u8> {
    let mut body = String::new();
    for line in lines {
        body.push_str(line);
        body.push('\n');
    }
    let sha = hex::encode(sha2::Sha256::digest(body.as_bytes()));
    let end = serde_json::json!({"line": "end", "records": lines.len() - 1, "sha256": sha});
    format!("{body}{end}\n").into_bytes()
}

fn lines_of(bytes: &[u8]) -> Vec<String> {
    bytes.lines().map(Result::unwrap).collect()
}

fn record_of(line: &str) -> (String, Vec<u8>) {
    let v: serde_json::Value = serde_json::from_str(line).unwrap();
    let key = base64::engine::general_purpose::STANDARD
        .decode(v["key"].as_str().unwrap_or_default())
        .unwrap_or_default();
    (v["tree"].as_str().unwrap_or_default().to_string(), key)
}

// ---- one moment of every tree ----

/// Money calls journaled, answered, settled and told, and bills claimed
/// and paid, by four writers at once, while backups are taken: every
/// backup restores to a journal whose indexes agree with its entries —
/// no unfinished entry off the list that is followed at start, no index
/// naming a missing entry, no bill being paid without its entry. (Guard:
/// fails when a backup reads the trees while writes go on.)
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_backup_taken_while_writes_go_on_restores_with_indexes_that_agree_with_entries() {
    let dir = scratch("live");
    let store = Store::open(&Location::Dir(dir.clone()), Some(KEY)).unwrap();
    let done = Arc::new(AtomicBool::new(false));
    let writers: Vec<_> = (0..4)
        .map(|w| {
            let store = store.clone();
            tokio::spawn(async move {
                for i in 0..120 {
                    write_one_call(&store, w, i).await;
                }
            })
        })
        .collect();
    let backups = {
        let (store, done) = (store.clone(), done.clone());
        tokio::task::spawn_blocking(move || {
            let mut taken = Vec::new();
            while !done.load(Ordering::SeqCst) && taken.len() < 40 {
                taken.push(backup_of(&store));
                std::thread::sleep(Duration::from_millis(5));
            }
            taken
        })
    };
    for writer in writers {
        writer.await.unwrap();
    }
    done.store(true, Ordering::SeqCst);
    let backups = backups.await.unwrap();
    let mut sizes = std::collections::BTreeSet::new();
    for (n, bytes) in backups.iter().enumerate() {
        let restored_dir = scratch("live-restored");
        let restored = restore_bytes(&restored_dir.join("data"), bytes, Some(KEY))
            .unwrap_or_else(|e| panic!("backup {n} restores: {e}"));
        assert!(
            restored.indexes.agrees(),
            "backup {n} of {}: {:?}",
            backups.len(),
            restored.indexes
        );
        assert_eq!(
            restored.indexes.entries as u64,
            restored.backup.journal_entries
        );
        sizes.insert(restored.backup.journal_entries);
        std::fs::remove_dir_all(restored_dir).ok();
    }
    assert!(
        sizes.len() >= 3,
        "the backups were taken while the journal grew: {sizes:?}"
    );
    drop(store);
    std::fs::remove_dir_all(dir).ok();
}

/// One writer's call `i`: a topup journaled, answered pending, then
/// success and told; every third a bill checked, claimed, paid and told.
async fn write_one_call(store: &Store, writer: i64, i: i64) {
    let ref_id = format!("LW{writer}N{i}");
    let chat = 100 + writer;
    let now = Utc::now();
    let kind = if i % 3 == 0 {
        EntryKind::Payment
    } else {
        EntryKind::Topup
    };
    let entry = JournalEntry::new(
        ref_id.clone(),
        kind,
        "T10",
        format!("0877{writer:04}{i:04}"),
        chat,
        chat,
        chat,
        "DEMO",
        "http://127.0.0.1:9",
        Some(1),
        now,
    );
    if kind == EntryKind::Payment {
        let inquiry = Inquiry {
            ref_id: ref_id.clone(),
            chat_id: chat,
            account_id: chat,
            requested_by: chat,
            product: "PLNPASC".into(),
            dest: format!("5463{writer:04}{i:04}"),
            family: "pln".into(),
            name: None,
            bill: None,
            admin: None,
            total: None,
            created_at: now,
            state: InquiryState::Open,
        };
        store.put_inquiry(&inquiry).await.unwrap();
        let claim = store.claim_payment(&entry, None).await.unwrap();
        assert!(
            matches!(claim, loket::model::Claim::Claimed(_)),
            "{claim:?}"
        );
    } else {
        assert!(store.begin_entry(&entry).await.unwrap());
    }
    let pending = JournalEntry {
        state: EntryState::Pending,
        sends: 1,
        ..entry.clone()
    };
    store.record_answer(&pending).unwrap();
    tokio::task::yield_now().await;
    let success = JournalEntry {
        state: EntryState::Success,
        told: false,
        ..pending
    };
    store.update_entry(&success).await.unwrap();
    if kind == EntryKind::Payment {
        store
            .transition_inquiry(&ref_id, InquiryState::Paying, InquiryState::Paid)
            .await
            .unwrap();
    }
    store.mark_told(&ref_id, EntryState::Success).await.unwrap();
}

/// The check the test above relies on sees each way a backup could be
/// torn: a backup with one line taken out restores to a journal whose
/// check names that entry.
#[tokio::test]
async fn the_index_check_names_every_way_a_journal_can_be_torn() {
    let store = Store::open(&Location::Temporary, Some(KEY)).unwrap();
    let now = Utc::now();
    let entry = JournalEntry::new(
        "LTORN1",
        EntryKind::Topup,
        "T10",
        "087712345678",
        ME,
        ME,
        ME,
        "DEMO",
        "http://127.0.0.1:9",
        Some(1),
        now,
    );
    assert!(store.begin_entry(&entry).await.unwrap());
    let bytes = backup_of(&store);
    let whole = restore_bytes(&scratch("torn-whole").join("data"), &bytes, Some(KEY)).unwrap();
    assert!(whole.indexes.agrees(), "{:?}", whole.indexes);

    type Named = fn(&IndexCheck) -> &Vec<String>;
    let cases: [(&str, Named); 4] = [
        ("journal_open", |c| &c.not_followed),
        ("journal_by_chat", |c| &c.not_indexed),
        ("journal_by_account", |c| &c.not_indexed),
        ("journal", |c| &c.dangling),
    ];
    let lines = lines_of(&bytes);
    for (tree, named) in cases {
        let kept: Vec<String> = lines[..lines.len() - 1]
            .iter()
            .filter(|line| record_of(line).0 != tree)
            .cloned()
            .collect();
        assert_eq!(kept.len(), lines.len() - 2, "{tree}: one record taken out");
        let dir = scratch("torn").join("data");
        let restored = restore_bytes(&dir, &resealed(&kept), Some(KEY)).unwrap();
        assert!(!restored.indexes.agrees(), "{tree}: {:?}", restored.indexes);
        assert_eq!(
            named(&restored.indexes),
            &vec!["LTORN1".to_string()],
            "{tree}"
        );
    }
}

// ---- a restore follows what was unfinished ----

/// Backups taken while a call was unfinished — journaled and not sent
/// (`Sending`), charged with its answer lost (`Unknown`), answered
/// `PENDING`, and a bill's payment with its answer lost — restored into a
/// new data dir: the engine started there follows each with the gateway
/// under its own refID, tells the chat the result as a reply to the
/// original message, and the call is charged once; a paid bill stays
/// paid.
#[tokio::test]
async fn a_restored_backup_follows_the_unfinished_payment() {
    let cases = [
        "sending topup",
        "unknown topup",
        "pending topup",
        "unknown payment",
    ];
    for case in cases {
        let sandbox = start_sandbox().await;
        let dir = scratch("mid");
        let store = Store::open(&Location::Dir(dir.join("data")), Some(KEY)).unwrap();
        // The loket the backup is taken from follows nothing in time.
        let (engine, _notices) = engine_on(store.clone(), &sandbox, Duration::from_secs(3600));
        log_in(&engine, &sandbox, ME).await;
        let (ref_id, told, pay) = match case {
            "sending topup" => {
                let entry = JournalEntry::new(
                    "LBACKUPSEND1",
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
                (entry.ref_id, "Isi ulang berhasil", None)
            }
            "unknown topup" | "pending topup" => {
                let dest = if case == "unknown topup" {
                    "089900021234" // charged, then HTTP 500
                } else {
                    "089900051234" // charged, PENDING, then SUKSES
                };
                let first = shown(&say(&engine, 41, &format!("T10 {dest}")).await);
                assert!(!first.to_lowercase().contains("gagal"), "{case}: {first}");
                (ref_of(&first), "Isi ulang berhasil", None)
            }
            _ => {
                let bill = say(&engine, 40, "PLNPASC 546302215889 cek").await;
                let pay = bill.replies[0].buttons[0].data.clone();
                sandbox.inject(Fault::ServerErrorAfterCharge, 1);
                let ctx = ChatCtx::private(ME).with_message(41);
                let tap = shown(&engine.handle(&ctx, Input::Button(pay.clone())).await);
                assert!(tap.contains("sedang dicek"), "{case}: {tap}");
                let ref_id = store
                    .recent_entries(ME, 1)
                    .unwrap()
                    .pop()
                    .expect("the payment's entry")
                    .ref_id;
                (ref_id, "Pembayaran berhasil", Some(pay))
            }
        };
        let state = store.entry(&ref_id).unwrap().unwrap().state;
        assert!(!state.is_final(), "{case}: {state:?} in the backup");
        let bytes = backup_of(&store);
        drop((engine, store));

        let restored_dir = dir.join("restored");
        let restored = restore_bytes(&restored_dir, &bytes, Some(KEY)).unwrap();
        assert!(restored.indexes.agrees(), "{case}: {:?}", restored.indexes);
        assert_eq!(restored.accounts, 1, "{case}: the login came along, sealed");
        let store = Store::open(&Location::Dir(restored_dir), Some(KEY)).unwrap();
        let (engine, mut notices) = engine_on(store.clone(), &sandbox, Duration::from_millis(100));
        assert_eq!(engine.resume_unfinished(), 1, "{case}");
        let notice = next_notice(&mut notices).await;
        assert!(
            notice.reply.text.contains(told),
            "{case}: {}",
            notice.reply.text
        );
        assert!(
            notice.reply.text.contains(&ref_id),
            "{case}: {}",
            notice.reply.text
        );
        assert_eq!(
            notice.reply_to,
            Some(41),
            "{case}: a reply to the original message"
        );
        let entry = store.entry(&ref_id).unwrap().unwrap();
        assert_eq!(entry.state, EntryState::Success, "{case}");
        assert_eq!(sandbox.charges_for(&ref_id), 1, "{case}: charged once");
        if let Some(pay) = pay {
            let ctx = ChatCtx::private(ME).with_message(42);
            let again = shown(&engine.handle(&ctx, Input::Button(pay)).await);
            assert!(again.contains("sudah dibayar"), "{case}: {again}");
            assert_eq!(sandbox.stats().payments, 1, "{case}");
        }
        std::fs::remove_dir_all(dir).ok();
    }
}

// ---- a restore takes only a whole, checked file into an empty dir ----

/// Each way a restore is refused, and that it leaves no database behind:
/// a data dir holding anything but a key file, a file cut short, changed,
/// miscounted, with lines after its end, of a newer format, not a backup,
/// and accounts with no key or a key that does not open them. (Guard:
/// fails when the end line's count or checksum is not checked.)
#[tokio::test]
async fn a_restore_refuses_anything_but_a_whole_backup_into_an_empty_data_dir() {
    let store = Store::open(&Location::Temporary, Some(KEY)).unwrap();
    let sandbox = start_sandbox().await;
    let (engine, _notices) = engine_on(store.clone(), &sandbox, Duration::from_secs(3600));
    log_in(&engine, &sandbox, ME).await;
    let first = shown(&say(&engine, 2, "T10 087712345678").await);
    assert!(first.contains("berhasil"), "{first}");
    let bytes = backup_of(&store);
    let lines = lines_of(&bytes);
    let join = |lines: &[String]| -> Vec<u8> {
        lines
            .iter()
            .flat_map(|l| format!("{l}\n").into_bytes())
            .collect()
    };
    let body = &lines[..lines.len() - 1];
    let changed: Vec<String> = lines
        .iter()
        .map(|l| {
            if l.contains("\"tree\":\"langs\"") || l.contains("\"tree\":\"journal\"") {
                l.replacen("\"value\":\"", "\"value\":\"AAAA", 1)
            } else {
                l.clone()
            }
        })
        .collect();
    let mut miscounted = body.to_vec();
    miscounted.push(lines[lines.len() - 1].replacen("\"records\":", "\"records\":1", 1));
    let mut after_end = lines.clone();
    after_end.push(lines[1].clone());
    let newer = lines[0].replace("\"version\":1", "\"version\":2");
    let mut newer_lines = vec![newer];
    newer_lines.extend(lines[1..lines.len() - 1].iter().cloned());

    let full_dir = scratch("full");
    std::fs::write(full_dir.join("notes.txt"), "old data").unwrap();
    type Case<'a> = (&'a str, PathBuf, Vec<u8>, Option<[u8; 32]>, &'a str);
    let cases: Vec<Case> = vec![
        (
            "a data dir in use",
            full_dir,
            bytes.clone(),
            Some(KEY),
            "not empty",
        ),
        (
            "cut short",
            scratch("short"),
            join(&lines[..lines.len() / 2]),
            Some(KEY),
            "incomplete",
        ),
        (
            "changed",
            scratch("changed"),
            join(&changed),
            Some(KEY),
            "checksum",
        ),
        (
            "miscounted",
            scratch("count"),
            join(&miscounted),
            Some(KEY),
            "counts",
        ),
        (
            "more after the end",
            scratch("after"),
            join(&after_end),
            Some(KEY),
            "after the end",
        ),
        (
            "a newer format",
            scratch("newer"),
            resealed(&newer_lines),
            Some(KEY),
            "newer loket",
        ),
        (
            "not a backup",
            scratch("text"),
            b"saldo=100\n".to_vec(),
            Some(KEY),
            "not a line",
        ),
        ("empty", scratch("empty"), Vec::new(), Some(KEY), "empty"),
        (
            "accounts and no key",
            scratch("nokey"),
            bytes.clone(),
            None,
            "LOKET_SECRET_KEY",
        ),
        (
            "another key",
            scratch("otherkey"),
            bytes.clone(),
            Some([9; 32]),
            "does not open",
        ),
    ];
    for (case, dir, file, key, said) in cases {
        let error = restore_bytes(&dir, &file, key).expect_err(case);
        assert!(error.to_string().contains(said), "{case}: {error}");
        let left: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|name| name != "notes.txt")
            .collect();
        assert!(left.is_empty(), "{case}: left {left:?}");
        std::fs::remove_dir_all(dir).ok();
    }

    // The same backup into a new dir, or one holding only its key file.
    let fresh = scratch("fresh").join("data");
    let restored = restore_bytes(&fresh, &bytes, Some(KEY)).unwrap();
    assert_eq!(restored.backup.records as usize, lines.len() - 2);
    assert_eq!(restored.backup.journal_entries, 1);
    let keyed = scratch("keyed");
    std::fs::write(keyed.join("secret.key"), hex::encode(KEY)).unwrap();
    let restored = restore_bytes(&keyed, &bytes, None).unwrap();
    assert_eq!(restored.accounts, 1);
    let store = Store::open(&Location::Dir(keyed.clone()), None).unwrap();
    assert_eq!(store.journal_len(), 1);
    assert!(store.account(ME).unwrap().is_some());
    for dir in [fresh, keyed] {
        std::fs::remove_dir_all(dir).ok();
    }
}

/// A backup holds the secrets as stored — sealed — and never the key.
#[tokio::test]
async fn a_backup_holds_secrets_sealed_and_never_the_key() {
    let store = Store::open(&Location::Temporary, Some(KEY)).unwrap();
    // The URL's password is sealed like the PIN and the key.
    let url = "http://agen:Sup3rPass@127.0.0.1:9".to_string();
    let secrets = ["pin-739164", "kunci-rahasia-9f3x", "Sup3rPass"];
    store
        .save_account(
            ME,
            &loket::gateway::Credentials {
                member_id: "AGEN7".into(),
                pin: loket::secret::Secret::new(secrets[0]),
                api_key: loket::secret::Secret::new(secrets[1]),
                base_url: url,
                balance_sign: loket::gateway::BalanceSign::Fields,
            },
        )
        .await
        .unwrap();
    let bytes = backup_of(&store);
    let mut readable = String::from_utf8(bytes.clone()).unwrap();
    for line in lines_of(&bytes) {
        if let Ok(v) = serde_json::from_str::<serde_json::Value>(&line) {
            for field in ["key", "value"] {
                if let Some(text) = v[field].as_str() {
                    let raw = base64::engine::general_purpose::STANDARD
                        .decode(text)
                        .unwrap();
                    readable.push_str(&String::from_utf8_lossy(&raw));
                }
            }
        }
    }
    assert!(readable.contains("AGEN7"), "the accounts are in it");
    for secret in secrets.iter().copied().chain([hex::encode(KEY).as_str()]) {
        assert!(!readable.contains(secret), "{secret} in the backup");
    }
}

// ---- the nightly backup ----

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&Utc)
}

/// At `LOKET_BACKUP_AT` (WIB), or at the first look after it the same
/// day, one backup a day is written into `backups/` (0600, the directory
/// 0700), named by its WIB day, and only the newest `LOKET_BACKUP_KEEP`
/// nightly ones are kept; files the operator put there stay.
#[tokio::test]
async fn the_nightly_backup_is_taken_once_a_day_and_keeps_the_newest_n() {
    use std::os::unix::fs::PermissionsExt;
    let dir = scratch("nightly");
    let store = Store::open(&Location::Dir(dir.clone()), Some(KEY)).unwrap();
    // 02:59 WIB on 1 December 2026.
    let clock = FakeClock::at(at("2026-11-30T19:59:00Z"));
    let nightly = Nightly::new(store.clone(), &dir, 3, 3 * 60, Arc::new(clock.clone()));
    let backups = dir.join("backups");
    assert_eq!(nightly.run_if_due().unwrap(), None, "not yet 03:00 WIB");
    std::fs::create_dir_all(&backups).unwrap();
    std::fs::write(backups.join("loket-before-move.jsonl"), "mine").unwrap();
    clock.advance(Duration::from_secs(60));
    let first = nightly.run_if_due().unwrap().expect("taken at 03:00 WIB");
    assert_eq!(first, backups.join("loket-2026-12-01.jsonl"));
    assert_eq!(nightly.run_if_due().unwrap(), None, "once a day");
    clock.advance(Duration::from_secs(20 * 3600));
    assert_eq!(
        nightly.run_if_due().unwrap(),
        None,
        "23:00 WIB: taken today already"
    );
    for day in 2..=5 {
        // Down at 03:00: taken at the first look after it, at 09:00.
        clock.set(at(&format!("2026-12-{:02}T02:00:00Z", day)));
        let path = nightly
            .run_if_due()
            .unwrap()
            .expect("caught up the same day");
        assert_eq!(path, backups.join(format!("loket-2026-12-{day:02}.jsonl")));
    }
    let mut kept: Vec<String> = std::fs::read_dir(&backups)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name != "loket.sock")
        .collect();
    kept.sort();
    assert_eq!(
        kept,
        [
            "loket-2026-12-03.jsonl",
            "loket-2026-12-04.jsonl",
            "loket-2026-12-05.jsonl",
            "loket-before-move.jsonl"
        ]
    );
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&backups), 0o700);
    assert_eq!(mode(&backups.join("loket-2026-12-05.jsonl")), 0o600);
    let newest = std::fs::read(backups.join("loket-2026-12-05.jsonl")).unwrap();
    let restored = restore_bytes(&scratch("nightly-restore").join("d"), &newest, Some(KEY));
    assert!(restored.is_ok(), "{restored:?}");

    let off = Nightly::new(store, &dir, 0, 0, Arc::new(clock));
    assert_eq!(off.run_if_due().unwrap(), None, "LOKET_BACKUP_KEEP=0: none");
    std::fs::remove_dir_all(dir).ok();
}

// ---- rekey ----

const NEW_KEY: [u8; 32] = [0x5a; 32];

/// Two accounts logged in under the old key, then `rekey`: each one's
/// balance call works under the new key; the old key opens none. With the
/// key in the key file, the file holds the new key afterwards, and a rekey
/// run again after a stop between the database and the key file
/// finishes the job.
#[tokio::test]
async fn after_a_rekey_every_account_works_with_the_new_key_only() {
    let sandbox = start_sandbox().await;
    for key_file in [false, true] {
        let dir = scratch("rekey");
        let old = if key_file { None } else { Some(KEY) };
        {
            let store = Store::open(&Location::Dir(dir.clone()), old).unwrap();
            let (engine, _n) = engine_on(store, &sandbox, Duration::from_secs(3600));
            for user in [ME, ME + 1] {
                log_in(&engine, &sandbox, user).await;
            }
        }
        let file_key = std::fs::read_to_string(dir.join("secret.key")).ok();
        let done = rekey(&dir, old, NEW_KEY).unwrap();
        assert_eq!(
            (done.resealed, done.already),
            (2, 0),
            "key file: {key_file}"
        );
        assert_eq!(done.key_file_replaced, key_file);
        if key_file {
            let file = std::fs::read_to_string(dir.join("secret.key")).unwrap();
            assert_eq!(file.trim(), hex::encode(NEW_KEY));
            assert_ne!(Some(file), file_key);
        }

        let under_old = match &file_key {
            Some(text) => loket::store::parse_key(text).unwrap(),
            None => KEY,
        };
        {
            let store = Store::open(&Location::Dir(dir.clone()), Some(under_old)).unwrap();
            for user in [ME, ME + 1] {
                let opened = store.account(user);
                assert!(matches!(opened, Err(StoreError::Key(_))), "{opened:?}");
            }
        }
        let store = Store::open(&Location::Dir(dir.clone()), Some(NEW_KEY)).unwrap();
        let (engine, _n) = engine_on(store, &sandbox, Duration::from_secs(3600));
        for user in [ME, ME + 1] {
            let ctx = ChatCtx::private(user).with_message(9);
            let balance = shown(&engine.handle(&ctx, Input::Text("saldo".into())).await);
            assert!(
                balance.contains("Rp"),
                "key file {key_file}, {user}: {balance}"
            );
        }
        drop(engine);

        if !key_file {
            // Stopped after the database, before the key file: the key
            // file still holds the old key; run again, it finishes.
            std::fs::write(dir.join("secret.key"), hex::encode(KEY)).unwrap();
            let again = rekey(&dir, None, NEW_KEY).unwrap();
            assert_eq!((again.resealed, again.already), (0, 2));
            assert!(again.key_file_replaced);
            let store = Store::open(&Location::Dir(dir.clone()), None).unwrap();
            assert!(store.account(ME).unwrap().is_some());
        }
        std::fs::remove_dir_all(dir).ok();
    }
}

/// All or nothing: an account that opens with neither key stops the
/// rekey before anything is written — the others still open with the old
/// key and not the new one; a rekey of a data dir a loket holds, with the
/// same key twice, or with no old key, is refused too. (Guard: fails
/// when accounts are resealed one by one as they are read.)
#[tokio::test]
async fn a_rekey_is_all_or_nothing() {
    let sandbox = start_sandbox().await;
    let dir = scratch("rekey-none");
    {
        let store = Store::open(&Location::Dir(dir.clone()), Some(KEY)).unwrap();
        let (engine, _n) = engine_on(store, &sandbox, Duration::from_secs(3600));
        for user in [ME, ME + 1] {
            log_in(&engine, &sandbox, user).await;
        }
    }
    {
        // One account sealed under a third key, after the others.
        let store = Store::open(&Location::Dir(dir.clone()), Some([3; 32])).unwrap();
        let (engine, _n) = engine_on(store, &sandbox, Duration::from_secs(3600));
        log_in(&engine, &sandbox, ME + 2).await;
    }
    let refused = rekey(&dir, Some(KEY), NEW_KEY).expect_err("one account opens with neither");
    assert!(
        refused.to_string().contains("nothing was changed"),
        "{refused}"
    );
    {
        let store = Store::open(&Location::Dir(dir.clone()), Some(KEY)).unwrap();
        for user in [ME, ME + 1] {
            assert!(
                store.account(user).unwrap().is_some(),
                "{user} still under the old key"
            );
        }
    }
    {
        let store = Store::open(&Location::Dir(dir.clone()), Some(NEW_KEY)).unwrap();
        for user in [ME, ME + 1] {
            assert!(store.account(user).is_err(), "{user} not under the new key");
        }
        let running = rekey(&dir, Some(KEY), NEW_KEY).expect_err("a loket holds the dir");
        assert!(matches!(running, StoreError::InUse(_)), "{running}");
    }
    let same = rekey(&dir, Some(KEY), KEY).expect_err("same key");
    assert!(same.to_string().contains("key in use"), "{same}");
    let no_old = rekey(&dir, None, NEW_KEY).expect_err("no key file, no LOKET_SECRET_KEY");
    assert!(no_old.to_string().contains("no old key"), "{no_old}");
    assert!(!dir.join("secret.key").exists(), "no key file made up");
    std::fs::remove_dir_all(dir).ok();
}
