//! `cek semua` (issue 13, item 2): every saved bill customer checked in one
//! go — one inquiry each, a few at a time; one progress message and one
//! summary, both updated in place; each bill its own Bayar button, paid
//! only by a tap and only once; results after the summary added to it.
//! The restart in the middle of a run is in `tests/binary.rs`' kin,
//! `a_restart_in_the_middle_of_cek_semua_neither_loses_nor_repeats_a_check`
//! below, on the real binary.

use std::collections::BTreeSet;
use std::time::Duration;

use loket::catalog::Catalog;
use loket::command::{self, Command};
use loket::engine::{ChatCtx, Notice};
use loket::money::Rupiah;
use loket::sandbox::{self, SandboxAccount, SandboxConfig};

#[path = "support/chat.rs"]
mod chat;
#[path = "support/console_process.rs"]
mod console_process;
#[path = "support/engine_world.rs"]
mod engine_world;

use chat::shown;
use console_process::{temp_dir, Console};
use engine_world::{World, GROUP, MEMBER, OWNER, STRANGER};

fn me() -> ChatCtx {
    ChatCtx::private(OWNER)
}

#[test]
fn cek_semua_reads_its_words() {
    let catalog = Catalog::builtin();
    let cases: Vec<(&str, Result<Command, &str>)> = vec![
        ("cek semua", Ok(Command::CheckAll)),
        ("CEK SEMUA", Ok(Command::CheckAll)),
        ("semua cek", Ok(Command::CheckAll)),
        ("/cek semua", Ok(Command::CheckAll)),
        ("/cek@loket_bot semua", Ok(Command::CheckAll)),
        ("/cekbulanan", Ok(Command::CheckAll)),
        ("cekbulanan", Ok(Command::CheckAll)),
        ("/checkall", Ok(Command::CheckAll)),
        ("/cekbulanan sekarang", Err("err-too-many-words")),
        // `semua` is no product code and no customer number.
        ("bayar semua", Err("err-not-a-product")),
    ];
    for (text, expected) in cases {
        let parsed = command::parse(text, &catalog).map_err(|e| e.message_id());
        assert_eq!(parsed, expected, "{text}");
    }
}

/// The saved customers of the dozen-bills story, by what their number
/// makes the sandbox do.
const DOZEN: &[(&str, &str, &str)] = &[
    ("PLNPASC", "546302215889", "Pak Anto"),
    ("PLNPASC", "546302215890", "Bu Ani"),
    ("PLNPASC", "546302215891", "Pak Cahyo"),
    ("PDAMKLT", "0012345678", "Rumah Budi"),
    ("PDAMKLT", "0012345679", "Rumah Dedi"),
    ("BPJSKS", "0001234567890 3", "Keluarga Eko"),
    ("INDIHOME", "122334455667", "Warung Fajar"),
    // slow: answered after the summary went out
    ("PLNPASC", "089900010001", "Pak Lambat"),
    // refused: a wrong customer number
    ("PLNPASC", "089900060001", "Salah Nomor"),
    ("PDAMKLT", "0899000600", "Salah Juga"),
    // paid already, the center says
    ("PLNPASC", "089900080001", "Sudah Lunas"),
    // no answer at all (an HTML page)
    ("PLNPASC", "089900030001", "Tanpa Jawaban"),
];

async fn save_all(w: &World, ctx: ChatCtx, customers: &[(&str, &str, &str)]) {
    for (product, dest, name) in customers {
        let typed = format!("simpan {product} {dest} {name}");
        let saved = shown(&w.say_in(ctx, &typed).await);
        assert!(saved.contains("Pelanggan disimpan"), "{typed}: {saved}");
    }
}

/// Notices until the run's progress says it is done.
async fn notices_until_done(w: &mut World) -> Vec<Notice> {
    let mut seen = Vec::new();
    loop {
        let notice = w.next_notice().await;
        let done = notice.reply.text.contains("Selesai:");
        seen.push(notice);
        if done {
            // The summary's last version follows the progress's last word.
            seen.push(w.next_notice().await);
            return seen;
        }
    }
}

fn slot_of(notice: &Notice) -> String {
    notice
        .reply
        .slot
        .as_ref()
        .map(|s| s.key.clone())
        .unwrap_or_else(|| panic!("a slot on {notice:?}"))
}

fn pay_buttons(reply: &loket::engine::Reply) -> Vec<(String, String)> {
    reply
        .buttons
        .iter()
        .filter(|b| b.label.starts_with("Bayar"))
        .map(|b| (b.label.clone(), b.data.clone()))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dozen_saved_bills_are_checked_once_each_and_paid_only_by_a_tap() {
    let sandbox = SandboxConfig {
        slow_delay: Duration::from_millis(1500),
        ..SandboxConfig::default()
    };
    let mut w = World::start_with(sandbox, |c| {
        c.check_all_summary_after = Duration::from_millis(900);
    })
    .await;
    save_all(&w, me(), DOZEN).await;
    // Every call takes a while: the checks of a run overlap.
    w.sandbox.set_latency(Duration::from_millis(150));
    // A topup customer and a card (its amount is typed each time) are
    // saved too: neither is checked.
    save_all(
        &w,
        me(),
        &[
            ("T10", "087712345678", "Dewi Pulsa"),
            ("CCBCA", "4111111111111111", "Kartu Gita"),
        ],
    )
    .await;
    // An older check of Pak Anto's bill, with its own Bayar button.
    let old = w.say_in(me(), "PLNPASC 546302215889 cek").await;
    let old_pay = engine_world::button(&old, "Bayar");
    let inquiries_before = w.sandbox.stats().inquiries;

    let started = w.say_in(me(), "cek semua").await;
    let progress = started.replies.first().expect("a progress message");
    assert!(progress.text.contains("0/13 dicek"), "{}", progress.text);
    let progress_slot = progress.slot.clone().expect("the progress is a slot").key;

    let notices = notices_until_done(&mut w).await;
    let (progress_updates, summaries): (Vec<&Notice>, Vec<&Notice>) =
        notices.iter().partition(|n| slot_of(n) == progress_slot);
    // One progress message and one summary: every update names one of the
    // two.
    let summary_slots: BTreeSet<String> = summaries.iter().map(|n| slot_of(n)).collect();
    assert_eq!(summary_slots.len(), 1, "{summary_slots:?}");
    assert!(progress_updates.iter().all(|n| n.reply.buttons.is_empty()));
    assert!(
        progress_updates
            .last()
            .unwrap()
            .reply
            .text
            .contains("13/13 dicek"),
        "{:?}",
        progress_updates.last()
    );

    // The slow check came after the first summary, which said so; the
    // last summary has its bill.
    let first = &summaries.first().unwrap().reply.text;
    assert!(
        first.contains("Pak Lambat — PLNPASC 089900010001: masih dicek"),
        "{first}"
    );
    let summary = &summaries.last().unwrap().reply;
    let text = &summary.text;
    for line in [
        "Salah Nomor — PLNPASC 089900060001: gagal dicek (IDPEL salah)",
        "Sudah Lunas — PLNPASC 089900080001: tidak ada tagihan (Tagihan sudah lunas)",
        "Tanpa Jawaban — PLNPASC 089900030001: belum ada jawaban jelas",
        "Kartu Gita: kartu kredit, ketik jumlahnya: CCBCA 4111111111111111",
        "Pak Anto — PLNPASC 546302215889: Rp302.750",
    ] {
        assert!(text.contains(line), "{line}\n{text}");
    }
    assert!(
        !text.contains("Dewi Pulsa"),
        "a topup is not a bill: {text}"
    );
    assert!(!text.contains("masih dicek"), "{text}");
    // Eight bills to pay, each with its own button, one under the other;
    // the grand total is theirs.
    let buttons = pay_buttons(summary);
    assert_eq!(buttons.len(), 8, "{buttons:?}");
    assert!(summary.column);
    let totals: i64 = buttons
        .iter()
        .map(|(label, _)| {
            let amount = label.rsplit(' ').next().unwrap();
            Rupiah::parse_typed(amount).unwrap().value()
        })
        .sum();
    assert!(
        text.contains(&format!(
            "Belum dibayar: 8 tagihan, total {}",
            Rupiah(totals)
        )),
        "{text}"
    );

    // One inquiry per customer checked, none for the card, the topup or
    // the customers settled without a check; nothing paid without a tap.
    let stats = w.sandbox.stats();
    assert_eq!(stats.inquiries - inquiries_before, 12, "{stats:?}");
    // Several in flight, never more than a run's share of the turns.
    let peak = w.sandbox.in_flight_peak("DEMO");
    assert!((2..=4).contains(&peak), "{peak} checks in flight at once");
    assert_eq!(stats.payments, 0, "{stats:?}");
    for (product, dest, name) in DOZEN {
        let dest = dest.replace(' ', "@");
        let refs = w.sandbox.refs_for(product, &dest);
        let expected = if *name == "Pak Anto" { 2 } else { 1 };
        assert_eq!(refs.len(), expected, "{name}: {refs:?}");
    }

    // Two taps on Pak Anto's bill — the old check's button and the
    // summary's, at once — and two on Bu Ani's summary button: one
    // payment each.
    let anto = buttons
        .iter()
        .find(|(l, _)| l.contains("Pak Anto"))
        .unwrap();
    let ani = buttons.iter().find(|(l, _)| l.contains("Bu Ani")).unwrap();
    let (a, b, c, d) = tokio::join!(
        w.press(me(), &old_pay),
        w.press(me(), &anto.1),
        w.press(me(), &ani.1),
        w.press(me(), &ani.1),
    );
    assert_eq!(w.sandbox.stats().payments, 2, "one jenis=6 per bill");
    let paid = [&a, &b, &c, &d]
        .iter()
        .filter(|r| shown(r).contains("Pembayaran berhasil"))
        .count();
    assert_eq!(paid, 2, "{a:?}\n{b:?}\n{c:?}\n{d:?}");
    assert!(shown(&a).contains("diganti"), "the old check: {a:?}");
    // A summary tap draws the summary again: that bill paid, its button gone.
    let redrawn = b.edit_source.as_ref().expect("the summary, drawn again");
    assert!(
        redrawn
            .text
            .contains("Pak Anto — PLNPASC 546302215889: Rp302.750 ✅ dibayar"),
        "{}",
        redrawn.text
    );
    assert!(redrawn.slot.as_ref().unwrap().key == slot_of(summaries[0]));
    let after = w.say_in(me(), "riwayat").await;
    assert!(shown(&after).contains("546302215889"), "{after:?}");
    let summary_now = w
        .press(
            me(),
            &buttons
                .iter()
                .find(|(l, _)| l.contains("Rumah Budi"))
                .unwrap()
                .1,
        )
        .await;
    let left = pay_buttons(summary_now.edit_source.as_ref().unwrap());
    assert_eq!(left.len(), 5, "{left:?}");
    assert!(left
        .iter()
        .all(|(l, _)| !l.contains("Anto") && !l.contains("Ani")));
}

#[tokio::test]
async fn a_second_run_waits_for_the_first_and_an_empty_list_says_how_to_save() {
    let sandbox = SandboxConfig {
        slow_delay: Duration::from_millis(800),
        ..SandboxConfig::default()
    };
    let mut w = World::start_with(sandbox, |_| {}).await;
    let none = shown(&w.say_in(me(), "cek semua").await);
    assert!(none.contains("Belum ada pelanggan tagihan"), "{none}");
    save_all(&w, me(), &[("T10", "087712345678", "Dewi")]).await;
    let still = shown(&w.say_in(me(), "cek semua").await);
    assert!(still.contains("Belum ada pelanggan tagihan"), "{still}");
    assert_eq!(w.sandbox.stats().inquiries, 0);

    save_all(&w, me(), &[("PLNPASC", "089900010001", "Pak Lambat")]).await;
    w.say_in(me(), "cek semua").await;
    let again = shown(&w.say_in(me(), "cek semua").await);
    assert!(again.contains("masih berjalan (0/1 dicek)"), "{again}");
    notices_until_done(&mut w).await;
    assert_eq!(w.sandbox.stats().inquiries, 1);
}

#[tokio::test]
async fn in_a_group_the_run_is_the_accounts_and_its_buttons_the_askers() {
    let mut w = World::start(|c| c.check_all_summary_after = Duration::from_millis(200)).await;
    w.owner_with_group().await;
    let member = ChatCtx::group(GROUP, MEMBER);
    save_all(
        &w,
        ChatCtx::private(OWNER),
        &[("PLNPASC", "546302215889", "Pak Anto")],
    )
    .await;
    let stranger = shown(
        &w.say_in(ChatCtx::group(GROUP, STRANGER), "/cek semua")
            .await,
    );
    assert!(!stranger.contains("Mengecek"), "{stranger}");
    let started = w.say_in(member, "/cekbulanan").await;
    assert!(shown(&started).contains("0/1 dicek"), "{started:?}");
    let notices = notices_until_done(&mut w).await;
    assert!(notices.iter().all(|n| n.chat_id == GROUP));
    let summary = &notices.last().unwrap().reply;
    let (_, pay) = pay_buttons(summary).pop().expect("a Bayar button");
    // Another member of the group may not pay what this one checked.
    let other = w.press(ChatCtx::group(GROUP, STRANGER), &pay).await;
    assert!(
        other.toast.is_some() && other.replies.is_empty(),
        "{other:?}"
    );
    // Nor may the same bill be paid from the owner's private chat.
    let elsewhere = w.press(ChatCtx::private(OWNER), &pay).await;
    assert!(elsewhere.replies.is_empty(), "{elsewhere:?}");
    assert_eq!(w.sandbox.stats().payments, 0);
    let paid = w.press(member, &pay).await;
    assert!(shown(&paid).contains("Pembayaran berhasil"), "{paid:?}");
    assert_eq!(w.sandbox.stats().payments, 1);
}

// ---- the real binary: killed in the middle of a run ----

const PIN: &str = "739164";
const KEY: &str = "kunci-rahasia-9f3x";

/// The console on `data_dir`, with `cek semua` waiting `wait` seconds for
/// slow checks before its summary.
fn console_waiting(data_dir: &std::path::Path, wait: u64) -> Console {
    let wait = wait.to_string();
    Console::start(
        data_dir,
        &data_dir.join(format!(
            "console-{}.log",
            chrono::Utc::now().timestamp_micros()
        )),
        &[("LOKET_CHECK_ALL_WAIT", wait.as_str())],
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_in_the_middle_of_cek_semua_neither_loses_nor_repeats_a_check() {
    // Two slow customers hold their answers 4 s; loket is killed while
    // they wait, after the others were answered.
    let config = SandboxConfig {
        accounts: vec![
            SandboxAccount::demo(),
            SandboxAccount {
                member_id: "AGEN7".into(),
                pin: PIN.into(),
                api_key: KEY.into(),
                ..SandboxAccount::demo()
            },
        ],
        slow_delay: Duration::from_secs(4),
        ..SandboxConfig::default()
    };
    let sandbox = sandbox::spawn("127.0.0.1:0".parse().unwrap(), config)
        .await
        .unwrap();
    let customers: &[(&str, &str, &str)] = &[
        ("PLNPASC", "089900010001", "Lambat Satu"),
        ("PLNPASC", "546302215889", "Pak Anto"),
        ("PLNPASC", "089900010002", "Lambat Dua"),
        ("PDAMKLT", "0012345678", "Rumah Budi"),
        ("PLNPASC", "546302215890", "Zaenal"),
        ("PLNPASC", "546302215891", "Zulkifli"),
    ];
    let dir = temp_dir("cek-semua-kill");
    let url = sandbox.base_url();
    let state = sandbox.state().clone();
    let dir2 = dir.clone();
    let after = tokio::task::spawn_blocking(move || {
        let mut console = console_waiting(&dir2, 60);
        console.send(&format!("/login AGEN7 {PIN} {KEY} {url}"));
        console.wait_for("Login berhasil", Duration::from_secs(10));
        for (product, dest, name) in customers {
            console.send(&format!("simpan {product} {dest} {name}"));
            console.wait_for("Pelanggan disimpan", Duration::from_secs(10));
        }
        console.send("cek semua");
        // Four fast ones answered, the two slow ones in flight.
        console.wait_for("4/6 dicek", Duration::from_secs(10));
        assert_eq!(state.stats().inquiries, 6);
        console.child.kill().unwrap(); // SIGKILL
        console.child.wait().unwrap();

        let mut console = console_waiting(&dir2, 60);
        console.wait_for("Ringkasan cek 6 tagihan", Duration::from_secs(20));
        let mut summary = Vec::new();
        for _ in 0..customers.len() + 1 {
            let line = console.lines.recv_timeout(Duration::from_secs(5)).unwrap();
            summary.push(line);
        }
        let _ = console.child.kill();
        let _ = console.child.wait();
        summary
    })
    .await
    .unwrap();
    let summary = after.join("\n");
    for (product, dest, name) in customers {
        let refs = sandbox.refs_for(product, dest);
        assert_eq!(refs.len(), 1, "{name} checked once: {refs:?}");
        assert!(
            summary.contains(&format!("{name} — {product} {dest}: Rp")),
            "{name} has its bill:\n{summary}"
        );
    }
    assert!(summary.contains("Belum dibayar: 6 tagihan"), "{summary}");
    assert_eq!(sandbox.stats().payments, 0);
    // The two in flight were asked about (cek=1), not sent again.
    assert_eq!(sandbox.stats().inquiries, 6);
    assert!(sandbox.stats().status_checks >= 2, "{:?}", sandbox.stats());
    std::fs::remove_dir_all(dir).ok();
}

#[tokio::test]
async fn a_bill_being_paid_or_paid_this_month_is_not_checked_again() {
    // Follow-ups wait long: the pending payment stays unsettled.
    let mut w = World::start(|c| {
        c.recheck_after = Duration::from_secs(600);
        c.check_all_summary_after = Duration::from_millis(200);
    })
    .await;
    save_all(
        &w,
        me(),
        &[
            ("PLNPASC", "546302215889", "Pak Anto"),
            ("PLNPASC", "089900050001", "Pak Tunggu"),
            ("PDAMKLT", "0012345678", "Rumah Budi"),
        ],
    )
    .await;
    for number in ["546302215889", "089900050001"] {
        let bill = w.say_in(me(), &format!("PLNPASC {number} cek")).await;
        let paid = w.press(me(), &engine_world::button(&bill, "Bayar")).await;
        assert!(!paid.toast.as_deref().unwrap_or("").is_empty(), "{paid:?}");
    }
    let inquiries = w.sandbox.stats().inquiries;
    w.say_in(me(), "cek semua").await;
    let notices = notices_until_done(&mut w).await;
    let text = &notices.last().unwrap().reply.text;
    assert!(
        text.contains("Pak Anto — PLNPASC 546302215889: sudah dibayar bulan ini"),
        "{text}"
    );
    assert!(
        text.contains("Pak Tunggu — PLNPASC 089900050001: pembayaran")
            && text.contains("masih diproses"),
        "{text}"
    );
    assert_eq!(
        w.sandbox.stats().inquiries - inquiries,
        1,
        "only Rumah Budi"
    );
    assert_eq!(pay_buttons(&notices.last().unwrap().reply).len(), 1);
}

#[test]
fn the_console_walk_through_save_five_check_all_pay_two_repeat_and_alert() {
    let dir = temp_dir("cek-semua-console");
    let mut console = console_waiting(&dir, 60);
    console.send("saldo minimal 4600000");
    console.wait_for("Peringatan saldo disimpan", Duration::from_secs(10));
    for customer in [
        "PLNPASC 546302215889 Pak Anto",
        "PDAMKLT 0012345678 Rumah Budi",
        "BPJSKS 0001234567890 3 Keluarga Eko",
        "PLNPASC 089900060001 Salah Nomor",
        "T10 087712345678 Dewi",
    ] {
        console.send(&format!("simpan {customer}"));
        console.wait_for("Pelanggan disimpan", Duration::from_secs(10));
    }
    console.send("cek semua");
    console.wait_for("Selesai: 4/4 dicek", Duration::from_secs(10));
    console.wait_for("Ringkasan cek 4 tagihan", Duration::from_secs(10));
    console.wait_for("[1] Bayar 1. Keluarga Eko", Duration::from_secs(10));
    // The first bill, then the next: the summary drawn again numbers the
    // bills still to pay from 1.
    console.send("1");
    console.wait_for(
        "Keluarga Eko — BPJSKS 0001234567890@3: Rp238.600 ✅ dibayar",
        Duration::from_secs(10),
    );
    console.wait_for("[1] Bayar 2. Pak Anto", Duration::from_secs(10));
    console.wait_for("Pembayaran berhasil", Duration::from_secs(10));
    console.send("1");
    console.wait_for(
        "Pak Anto — PLNPASC 546302215889: Rp302.750 ✅ dibayar",
        Duration::from_secs(10),
    );
    console.wait_for("Pembayaran berhasil", Duration::from_secs(10));
    console.send("T10 dewi");
    console.wait_for("Isi ulang berhasil", Duration::from_secs(10));
    console.send("ulang");
    console.wait_for("Kirim lagi?", Duration::from_secs(10));
    console.send("Kirim lagi");
    console.wait_for("Isi ulang berhasil", Duration::from_secs(10));
    console.send("saldo");
    console.wait_for("di bawah batas Rp4.600.000", Duration::from_secs(10));
    console.send("saldo");
    console.wait_for("Saldo", Duration::from_secs(10));
    let seen = console.quit();
    let alerts = seen.iter().filter(|l| l.contains("di bawah batas")).count();
    assert_eq!(alerts, 1, "told once:\n{}", seen.join("\n"));
    let paid = seen
        .iter()
        .filter(|l| l.contains("Pembayaran berhasil"))
        .count();
    assert_eq!(paid, 2, "{}", seen.join("\n"));
    std::fs::remove_dir_all(dir).ok();
}

#[tokio::test]
async fn a_full_runs_summary_is_one_telegram_message() {
    let mut w = World::start(|c| c.check_all_summary_after = Duration::from_millis(100)).await;
    let long = "Keluarga Besar Bapak Haji Abdurrahman"; // 37 characters
    let customers: Vec<(String, String)> = (0..35)
        .map(|i| {
            let dest = if i % 3 == 0 {
                format!("08990006{i:04}") // refused
            } else {
                format!("5463022{i:05}")
            };
            (dest, format!("{long}{i:02}"))
        })
        .collect();
    for (dest, name) in &customers {
        let saved = shown(
            &w.say_in(me(), &format!("simpan PLNPASC {dest} {name}"))
                .await,
        );
        assert!(saved.contains("Pelanggan disimpan"), "{saved}");
    }
    let started = shown(&w.say_in(me(), "cek semua").await);
    assert!(started.contains("paling banyak 25 dari 35"), "{started}");
    let notices = notices_until_done(&mut w).await;
    let summary = &notices.last().unwrap().reply;
    assert!(
        summary.text.contains("Ringkasan cek 25 tagihan"),
        "{}",
        summary.text
    );
    assert_eq!(
        loket::telegram::split_text(&summary.text).len(),
        1,
        "{} characters",
        summary.text.chars().count()
    );
    let buttons = pay_buttons(summary);
    assert_eq!(buttons.len(), 16, "{buttons:?}");
    assert!(buttons
        .iter()
        .all(|(label, data)| data.len() <= 64 && label.chars().count() <= 64));
}

#[tokio::test]
async fn two_cek_semua_at_once_start_one_run() {
    let mut w = World::start(|c| c.check_all_summary_after = Duration::from_millis(100)).await;
    w.owner_with_group().await;
    save_all(
        &w,
        me(),
        &[
            ("PLNPASC", "546302215889", "Pak Anto"),
            ("PDAMKLT", "0012345678", "Rumah Budi"),
        ],
    )
    .await;
    let (a, b) = tokio::join!(
        w.say_in(me(), "cek semua"),
        w.say_in(ChatCtx::group(GROUP, MEMBER), "/cekbulanan"),
    );
    let (a, b) = (shown(&a), shown(&b));
    let started = [&a, &b].iter().filter(|t| t.contains("Mengecek")).count();
    let refused = [&a, &b]
        .iter()
        .filter(|t| t.contains("masih berjalan"))
        .count();
    assert_eq!((started, refused), (1, 1), "{a}\n{b}");
    notices_until_done(&mut w).await;
    assert_eq!(w.sandbox.stats().inquiries, 2, "one check per bill");
}

#[tokio::test]
async fn a_tap_while_a_check_is_out_draws_the_newest_summary() {
    let sandbox = SandboxConfig {
        slow_delay: Duration::from_millis(1200),
        ..SandboxConfig::default()
    };
    let mut w = World::start_with(sandbox, |c| {
        c.check_all_summary_after = Duration::from_millis(100);
    })
    .await;
    save_all(
        &w,
        me(),
        &[
            ("PLNPASC", "546302215889", "Pak Anto"),
            ("PLNPASC", "089900010001", "Pak Lambat"),
        ],
    )
    .await;
    w.say_in(me(), "cek semua").await;
    // The first summary: Pak Anto payable, Pak Lambat still out.
    let first = loop {
        let notice = w.next_notice().await;
        if notice.reply.text.starts_with("Ringkasan cek") {
            break notice.reply;
        }
    };
    assert!(
        first
            .text
            .contains("Pak Lambat — PLNPASC 089900010001: masih dicek"),
        "{}",
        first.text
    );
    let (_, pay) = pay_buttons(&first).pop().expect("Pak Anto's Bayar");
    // The payment takes longer than the slow check has left: its answer
    // comes while the payment is out.
    w.sandbox.set_latency(Duration::from_millis(1500));
    let tapped = w.press(me(), &pay).await;
    let redrawn = tapped.edit_source.expect("the summary, drawn again");
    assert!(
        redrawn
            .text
            .contains("Pak Lambat — PLNPASC 089900010001: Rp"),
        "drawn with the run as it is now:\n{}",
        redrawn.text
    );
    assert!(
        redrawn.text.contains("Rp302.750 ✅ dibayar"),
        "{}",
        redrawn.text
    );
    // And no drawing of the run's is newer than it and older in state.
    while let Ok(Some(notice)) =
        tokio::time::timeout(Duration::from_millis(500), w.notices.recv()).await
    {
        if notice.reply.text.starts_with("Ringkasan cek") {
            let newer = notice.reply.slot.as_ref().unwrap().version
                > redrawn.slot.as_ref().unwrap().version;
            assert!(
                !newer || notice.reply.text.contains("✅ dibayar"),
                "{}",
                notice.reply.text
            );
        }
    }
}

#[test]
fn in_the_console_a_summary_redrawn_under_a_bill_never_renumbers_its_buttons() {
    let dir = temp_dir("cek-semua-numbers");
    let mut console = console_waiting(&dir, 1);
    for customer in [
        "PLNPASC 089900010001 Pak Lambat",
        "PDAMKLT 0012345678 Rumah Budi",
    ] {
        console.send(&format!("simpan {customer}"));
        console.wait_for("Pelanggan disimpan", Duration::from_secs(10));
    }
    console.send("cek semua");
    console.wait_for("[1] Bayar 2. Rumah Budi", Duration::from_secs(10));
    // A bill of its own, shown while the slow check is still out.
    console.send("PLNPASC 546302215889 cek");
    console.wait_for("[1] Bayar Rp302.750", Duration::from_secs(10));
    // The slow answer redraws the summary: its buttons come after the
    // bill's, which keep theirs.
    let late = console.wait_for("Bayar 1. Pak Lambat", Duration::from_secs(10));
    assert!(!late.contains("[1] ") && !late.contains("[2] "), "{late}");
    console.send("1");
    console.wait_for("Pembayaran berhasil", Duration::from_secs(10));
    let paid = console.wait_for("PLNPASC", Duration::from_secs(10));
    assert!(
        paid.contains("546302215889"),
        "the bill on screen was paid: {paid}"
    );
    let _ = console.child.kill();
    let _ = console.child.wait();
    std::fs::remove_dir_all(dir).ok();
}

#[tokio::test]
async fn a_summary_the_chat_may_not_have_is_shown_again_after_a_restart() {
    let mut w = World::start(|c| c.check_all_summary_after = Duration::from_millis(100)).await;
    save_all(&w, me(), &[("PLNPASC", "546302215889", "Pak Anto")]).await;
    w.say_in(me(), "cek semua").await;
    let notices = notices_until_done(&mut w).await;
    let last = notices.last().unwrap().reply.clone();
    assert!(last.slot.as_ref().is_some_and(|s| s.last), "{last:?}");
    // Stopped before the front end said the chat has it: shown again.
    let World { store, sandbox, .. } = w;
    let mut again = World::on(store, sandbox, |_| {});
    again.engine.resume_unfinished();
    let mut shown_again = Vec::new();
    for _ in 0..2 {
        shown_again.push(again.next_notice().await.reply);
    }
    let summary = shown_again
        .iter()
        .find(|r| r.text.starts_with("Ringkasan cek"))
        .expect("the summary again");
    assert_eq!(summary.text, last.text);
    assert_eq!(
        summary.slot.as_ref().unwrap().key,
        last.slot.as_ref().unwrap().key
    );
    assert_eq!(again.sandbox.stats().inquiries, 1, "nothing checked again");
    // Once the chat has it, a restart says nothing more.
    again
        .engine
        .slot_shown(summary.slot.as_ref().unwrap())
        .await;
    let World { store, sandbox, .. } = again;
    let mut third = World::on(store, sandbox, |_| {});
    third.engine.resume_unfinished();
    let quiet = tokio::time::timeout(Duration::from_millis(500), third.notices.recv()).await;
    assert!(quiet.is_err(), "{quiet:?}");
}

#[tokio::test]
async fn a_payment_from_the_summary_that_ends_later_redraws_the_summary() {
    // 08990005…: the payment is answered PENDING, the follow-up finds SUKSES.
    let mut w = World::start(|c| c.check_all_summary_after = Duration::from_millis(100)).await;
    save_all(&w, me(), &[("PLNPASC", "089900050002", "Pak Tunggu")]).await;
    w.say_in(me(), "cek semua").await;
    let notices = notices_until_done(&mut w).await;
    let summary = notices.last().unwrap().reply.clone();
    let (_, pay) = pay_buttons(&summary).pop().expect("a Bayar button");
    let tapped = w.press(me(), &pay).await;
    let redrawn = tapped.edit_source.expect("the summary, drawn again");
    assert!(
        redrawn.text.contains("⏳ sedang dibayar"),
        "{}",
        redrawn.text
    );
    let (mut told, mut summary_after) = (false, None);
    while !(told && summary_after.is_some()) {
        let notice = w.next_notice().await;
        if notice.reply.text.contains("Pembayaran berhasil") {
            told = true;
        } else if notice.reply.text.starts_with("Ringkasan cek") {
            summary_after = Some(notice.reply);
        }
    }
    let after = summary_after.unwrap();
    assert!(
        after.text.contains("Pak Tunggu — PLNPASC 089900050002: Rp")
            && after.text.contains("✅ dibayar"),
        "{}",
        after.text
    );
    assert!(after.slot.unwrap().version > redrawn.slot.unwrap().version);
    assert_eq!(w.sandbox.stats().payments, 1);
}

#[tokio::test]
async fn a_run_moves_with_its_group_to_the_supergroup() {
    let mut w = World::start(|c| c.check_all_summary_after = Duration::from_millis(100)).await;
    w.owner_with_group().await;
    save_all(&w, me(), &[("PLNPASC", "546302215889", "Pak Anto")]).await;
    w.say_in(ChatCtx::group(GROUP, MEMBER), "/cek semua").await;
    let notices = notices_until_done(&mut w).await;
    let (_, pay) = pay_buttons(&notices.last().unwrap().reply)
        .pop()
        .expect("a Bayar button");
    const SUPERGROUP: i64 = -100_900;
    w.store.migrate_chat(GROUP, SUPERGROUP).await.unwrap();
    let paid = w.press(ChatCtx::group(SUPERGROUP, MEMBER), &pay).await;
    assert!(shown(&paid).contains("Pembayaran berhasil"), "{paid:?}");
    let redrawn = paid.edit_source.expect("the summary, drawn again");
    assert!(redrawn.text.contains("✅ dibayar"), "{}", redrawn.text);
    let run = w
        .store
        .run_of_check(&pay["paylist:".len()..])
        .unwrap()
        .expect("the run");
    assert_eq!(run.chat_id, SUPERGROUP);
}

#[tokio::test]
async fn paid_this_month_means_the_wib_month() {
    // 23:30 WIB on 30 November.
    let (mut w, clock) = engine_world::world_at("2026-11-30T16:30:00Z").await;
    save_all(&w, me(), &[("PLNPASC", "546302215889", "Pak Anto")]).await;
    let bill = w.say_in(me(), "PLNPASC 546302215889 cek").await;
    let paid = w.press(me(), &engine_world::button(&bill, "Bayar")).await;
    assert!(shown(&paid).contains("Pembayaran berhasil"), "{paid:?}");
    let inquiries = w.sandbox.stats().inquiries;
    w.say_in(me(), "cek semua").await;
    let text = notices_until_done(&mut w)
        .await
        .last()
        .unwrap()
        .reply
        .text
        .clone();
    assert!(
        text.contains("sudah dibayar bulan ini (30/11/2026 23:30 WIB)"),
        "{text}"
    );
    assert_eq!(w.sandbox.stats().inquiries, inquiries);
    // 00:30 WIB on 1 December: a new month, a new bill to check.
    clock.set(engine_world::utc("2026-11-30T17:30:00Z"));
    w.say_in(me(), "cek semua").await;
    let text = notices_until_done(&mut w)
        .await
        .last()
        .unwrap()
        .reply
        .text
        .clone();
    assert!(
        text.contains("Pak Anto — PLNPASC 546302215889: Rp302.750"),
        "{text}"
    );
    assert_eq!(w.sandbox.stats().inquiries, inquiries + 1);
}

#[tokio::test]
async fn the_summary_says_what_each_customer_pays_where_a_selling_price_applies() {
    let mut w = World::start(|c| c.check_all_summary_after = Duration::from_millis(100)).await;
    let set = shown(&w.say_in(me(), "jual pln +2500").await);
    assert!(set.contains("disimpan"), "{set}");
    save_all(
        &w,
        me(),
        &[
            ("PLNPASC", "546302215889", "Pak Anto"),
            ("PDAMKLT", "0012345678", "Rumah Budi"),
        ],
    )
    .await;
    w.say_in(me(), "cek semua").await;
    let text = notices_until_done(&mut w)
        .await
        .last()
        .unwrap()
        .reply
        .text
        .clone();
    // PLN has the shop's fee; PDAM has no rule: the customer pays the bill.
    assert!(
        text.contains("Pak Anto — PLNPASC 546302215889: Rp302.750 · tagih Rp305.250"),
        "{text}"
    );
    assert!(
        text.contains("Rumah Budi — PDAMKLT 0012345678: Rp"),
        "{text}"
    );
    assert!(
        !text
            .lines()
            .any(|l| l.contains("Rumah Budi") && l.contains("tagih")),
        "{text}"
    );
    let pdam: i64 = text
        .lines()
        .find(|l| l.contains("Rumah Budi"))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(Rupiah::parse_typed)
        .unwrap()
        .value();
    let total = Rupiah(302_750 + pdam);
    let collect = Rupiah(305_250 + pdam);
    assert!(
        text.contains(&format!(
            "Belum dibayar: 2 tagihan, total {total} · tagih {collect}"
        )),
        "{text}"
    );
}
