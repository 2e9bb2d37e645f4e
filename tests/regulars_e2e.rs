//! Issue 13's walk-through, as a new user does it in Telegram: the real
//! `loket run` binary against the fake Bot API and the sandbox. Save five
//! customers, `cek semua` (one progress message edited as it goes, one
//! summary), pay two bills with their summary buttons, repeat a topup
//! (through the "send again?" question), and get the low-balance alert,
//! once.

#[path = "support/fake_bot_api.rs"]
mod fake_bot_api;
#[path = "support/loket_process.rs"]
mod loket_process;

use fake_bot_api::{FakeChat, FakeUser};
use loket::money::Rupiah;
use loket::sandbox::{SandboxAccount, SandboxConfig};
use loket_process::{button_data, Setup, World};

fn agen7() -> SandboxConfig {
    SandboxConfig {
        accounts: vec![SandboxAccount {
            member_id: "AGEN7".into(),
            pin: "73916458".into(),
            api_key: "kunci-rahasia-9f3".into(),
            balance: Rupiah(1_000_000),
            ..SandboxAccount::demo()
        }],
        ..SandboxConfig::default()
    }
}

#[tokio::test]
async fn save_five_check_all_pay_two_repeat_a_topup_and_get_the_low_balance_alert() {
    let w = World::start_with(Setup::default().sandbox(agen7())).await;
    let siti = FakeUser::new(1001, "Siti").with_language("id");
    let chat = FakeChat::private(&siti);
    w.login(&siti, "AGEN7 73916458 kunci-rahasia-9f3").await;
    w.ask(
        &chat,
        &siti,
        "/saldo minimal 700000",
        "Peringatan saldo disimpan",
    )
    .await;
    for customer in [
        "PLNPASC 546302215889 Pak Anto",
        "PDAMKLT 0012345678 Rumah Budi",
        "BPJSKS 0001234567890 3 Keluarga Eko",
        "PLNPASC 089900060001 Salah Nomor",
        "T10 087712345678 Dewi",
    ] {
        w.ask(
            &chat,
            &siti,
            &format!("simpan {customer}"),
            "Pelanggan disimpan",
        )
        .await;
    }

    // cek semua: one progress message, edited until it says it is done,
    // and one summary.
    let mark = w.fake.mark();
    let (_, progress) = w.ask(&chat, &siti, "cek semua", "dicek").await;
    let summary = w
        .expect_after(mark, chat.id, "Ringkasan cek 4 tagihan")
        .await;
    w.expect_after(mark, chat.id, "Selesai: 4/4 dicek").await;
    assert!(w.text_of(chat.id, progress).contains("Selesai: 4/4 dicek"));
    let sent: Vec<String> = w
        .sends_since(mark, chat.id)
        .iter()
        .filter_map(|c| c.param_str("text"))
        .collect();
    assert_eq!(
        sent.iter().filter(|t| t.contains("Mengecek")).count(),
        1,
        "one progress message: {sent:#?}"
    );
    assert_eq!(
        sent.iter().filter(|t| t.contains("Ringkasan")).count(),
        1,
        "one summary: {sent:#?}"
    );
    let edits = w.fake.calls_of("editMessageText");
    assert!(
        edits
            .iter()
            .any(|c| c.param_i64("message_id") == Some(i64::from(progress))),
        "the progress message is edited"
    );
    let text = w.text_of(chat.id, summary);
    assert!(
        text.contains("Salah Nomor — PLNPASC 089900060001: gagal dicek (IDPEL salah)"),
        "{text}"
    );
    assert!(!text.contains("Dewi"), "{text}");
    let buttons = w.fake.message(chat.id, summary).unwrap().buttons();
    let pays: Vec<(String, String)> = buttons
        .into_iter()
        .filter_map(|(label, data)| Some((label, data?)))
        .filter(|(label, _)| label.starts_with("Bayar"))
        .collect();
    assert_eq!(pays.len(), 3, "{pays:?}");
    let markup = w.fake.message(chat.id, summary).unwrap().json["reply_markup"].clone();
    assert_eq!(
        markup["inline_keyboard"].as_array().map(Vec::len),
        Some(3),
        "one Bayar button a row: {markup}"
    );
    assert_eq!(w.sandbox.stats().payments, 0, "nothing paid without a tap");

    // Two bills paid from the summary: each result its own message, the
    // summary drawn again without that bill's button.
    for (label, data) in pays.iter().take(2) {
        let mark = w.fake.mark();
        assert!(w.tap(&chat, &siti, summary, data).await.ok());
        w.expect_after(mark, chat.id, "Pembayaran berhasil").await;
        let name = label
            .split(". ")
            .nth(1)
            .unwrap()
            .rsplit_once(' ')
            .unwrap()
            .0;
        let now = w.text_of(chat.id, summary);
        assert!(
            now.lines()
                .any(|l| l.contains(name) && l.ends_with("✅ dibayar")),
            "{name}: {now}"
        );
        let left = w.fake.message(chat.id, summary).unwrap().button_texts();
        assert!(!left.iter().any(|l| l == label), "{left:?}");
    }
    assert_eq!(w.sandbox.stats().payments, 2);
    assert_eq!(w.sandbox.stats().charges, 2);

    // A topup by the saved name, then Ulangi: it asks first.
    let (_, receipt) = w.ask(&chat, &siti, "T10 dewi", "Isi ulang berhasil").await;
    assert!(w.text_of(chat.id, receipt).contains("087712345678"));
    let ulangi = button_data(&w, chat.id, receipt, "🔁 Ulangi");
    let mark = w.fake.mark();
    assert!(w.tap(&chat, &siti, receipt, &ulangi).await.ok());
    let question = w.expect_after(mark, chat.id, "Kirim lagi?").await;
    assert_eq!(w.sandbox.stats().topups, 1, "asked before sending again");
    let again = button_data(&w, chat.id, question, "Kirim lagi");
    let mark = w.fake.mark();
    assert!(w.tap(&chat, &siti, question, &again).await.ok());
    w.expect_after(mark, chat.id, "Isi ulang berhasil").await;
    assert_eq!(w.sandbox.stats().topups, 2);

    // The balance is now under Rp700.000: the owner is told, once.
    let mark = w.fake.mark();
    w.ask(&chat, &siti, "saldo", "Saldo").await;
    w.expect_after(mark, chat.id, "di bawah batas Rp700.000")
        .await;
    let mark = w.fake.mark();
    w.ask(&chat, &siti, "saldo", "Saldo").await;
    w.fake
        .wait_until_idle(std::time::Duration::from_millis(1500), loket_process::WAIT)
        .await;
    let later: Vec<String> = w
        .sends_since(mark, chat.id)
        .iter()
        .filter_map(|c| c.param_str("text"))
        .collect();
    assert!(
        !later.iter().any(|t| t.contains("di bawah batas")),
        "told once: {later:#?}"
    );
    w.finish().await;
}
