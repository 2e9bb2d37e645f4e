//! The engine's flows end to end against the sandbox gateway on 127.0.0.1:
//! what a reseller types, what loket answers, and what the gateway saw.

use std::time::Duration;

use loket::app::{demo_account, engine_with};
use loket::catalog::{Catalog, FAMILIES};
use loket::command::bill_example;
use loket::engine::{ChatCtx, Engine, EngineConfig, Input, Notice, Response};
use loket::money::Rupiah;
use loket::sandbox::{self, Fault, SandboxAccount, SandboxConfig, SandboxHandle};
use loket::store::{Location, Store};
use tokio::sync::mpsc;

const ME: i64 = 1001;

struct World {
    engine: Engine,
    sandbox: SandboxHandle,
    notices: mpsc::UnboundedReceiver<Notice>,
}

async fn world_with(tweak: impl FnOnce(&mut EngineConfig), timeout: Duration) -> World {
    world_on(SandboxConfig::default(), tweak, timeout).await
}

async fn world_on(
    sandbox: SandboxConfig,
    tweak: impl FnOnce(&mut EngineConfig),
    timeout: Duration,
) -> World {
    let sandbox = sandbox::spawn(
        "127.0.0.1:0".parse().unwrap(),
        SandboxConfig {
            slow_delay: Duration::from_millis(1500),
            ..sandbox
        },
    )
    .await
    .unwrap();
    let store = Store::open(&Location::Temporary, None).unwrap();
    let mut config = EngineConfig::new(sandbox.base_url());
    config.default_account = Some(demo_account(&sandbox.base_url()));
    config.recheck_after = Duration::from_millis(100);
    config.recheck_cap = Duration::from_millis(400);
    tweak(&mut config);
    let (engine, notices) = engine_with(store, Catalog::builtin(), config, timeout);
    World {
        engine,
        sandbox,
        notices,
    }
}

async fn world() -> World {
    world_with(|_| {}, Duration::from_secs(5)).await
}

impl World {
    async fn say(&self, text: &str) -> Response {
        self.engine
            .handle(&ChatCtx::private(ME), Input::Text(text.into()))
            .await
    }

    async fn say_in(&self, ctx: ChatCtx, text: &str) -> Response {
        self.engine.handle(&ctx, Input::Text(text.into())).await
    }

    async fn press(&self, ctx: ChatCtx, data: &str) -> Response {
        self.engine.handle(&ctx, Input::Button(data.into())).await
    }

    async fn next_notice(&mut self) -> Notice {
        tokio::time::timeout(Duration::from_secs(10), self.notices.recv())
            .await
            .expect("a follow-up result within 10 s")
            .expect("notice channel open")
    }
}

fn text(response: &Response) -> String {
    response
        .replies
        .iter()
        .map(|r| r.text.as_str())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The Bayar button's data of an inquiry reply.
fn pay_button(response: &Response) -> String {
    let button = response.replies[0].buttons.first().expect("a Bayar button");
    assert!(button.label.starts_with("Bayar Rp"), "{}", button.label);
    button.data.clone()
}

#[tokio::test]
async fn balance_is_shown_in_rupiah() {
    let w = world().await;
    let reply = text(&w.say("saldo").await);
    assert!(reply.contains("Rp5.000.000"), "{reply}");
    assert_eq!(w.sandbox.stats().balance_checks, 1);
}

#[tokio::test]
async fn topup_succeeds_and_is_charged_once() {
    let w = world().await;
    let reply = text(&w.say("T10 087712345678").await);
    assert!(
        reply.contains("berhasil") && reply.contains("Rp11.000") && reply.contains("SN:"),
        "{reply}"
    );
    assert_eq!(w.sandbox.stats().topups, 1);
    assert_eq!(
        w.sandbox.balance("DEMO").unwrap().value(),
        5_000_000 - 11_000
    );
}

#[tokio::test]
async fn pln_token_is_shown_grouped() {
    let w = world().await;
    let reply = text(&w.say("PLN20 12345678901").await);
    let sn_line = reply
        .lines()
        .find(|l| l.starts_with("SN:"))
        .expect("an SN line");
    let token = sn_line
        .trim_start_matches("SN: ")
        .split(' ')
        .next()
        .unwrap();
    assert_eq!(token.len(), 24, "{sn_line}");
    assert_eq!(token.matches('-').count(), 4, "{sn_line}");
}

#[tokio::test]
async fn every_family_checks_and_pays_a_bill() {
    let rich = SandboxAccount {
        balance: Rupiah(100_000_000),
        ..SandboxAccount::demo()
    };
    let sandbox = SandboxConfig {
        accounts: vec![rich],
        ..SandboxConfig::default()
    };
    let w = world_on(sandbox, |_| {}, Duration::from_secs(5)).await;
    for family in FAMILIES {
        let check = w.say(&bill_example(family, "cek")).await;
        let bill = text(&check);
        assert!(bill.contains("Total: Rp"), "{}: {bill}", family.key);
        let data = pay_button(&check);
        let paid = w.press(ChatCtx::private(ME), &data).await;
        let receipt = paid
            .edit_source
            .as_ref()
            .map(|r| r.text.clone())
            .unwrap_or_default();
        assert!(
            receipt.contains("Pembayaran berhasil"),
            "{}: {receipt}",
            family.key
        );
    }
    assert_eq!(w.sandbox.stats().inquiries, FAMILIES.len() as u64);
    assert_eq!(w.sandbox.stats().payments, FAMILIES.len() as u64);
}

#[tokio::test]
async fn seed_bill_shows_name_bill_admin_and_total() {
    let w = world().await;
    let bill = text(&w.say("PLNPASC 546302215889 cek").await);
    for part in ["Anto", "Rp300.000", "Rp2.750", "Rp302.750"] {
        assert!(bill.contains(part), "{part} missing from {bill}");
    }
    let paid = text(&w.say("PLNPASC 546302215889 bayar").await);
    assert!(
        paid.contains("Rp302.750") && paid.contains("berhasil"),
        "{paid}"
    );
    assert_eq!(
        w.sandbox.balance("DEMO").unwrap().value(),
        5_000_000 - 302_750
    );
}

#[tokio::test]
async fn payment_without_inquiry_asks_to_check_first() {
    let w = world().await;
    let reply = text(&w.say("PLNPASC 546302215889 bayar").await);
    assert!(
        reply.contains("Cek dulu") && reply.contains("PLNPASC 546302215889 cek"),
        "{reply}"
    );
    assert_eq!(w.sandbox.stats().payments, 0);
}

#[tokio::test]
async fn expired_inquiry_is_never_paid() {
    let w = world_with(|c| c.inquiry_ttl = Duration::ZERO, Duration::from_secs(5)).await;
    let check = w.say("PDAMKLT 0012345678 cek").await;
    tokio::time::sleep(Duration::from_millis(5)).await;
    let by_button = w.press(ChatCtx::private(ME), &pay_button(&check)).await;
    assert!(by_button.toast.unwrap_or_default().contains("kedaluwarsa"));
    let typed = text(&w.say("PDAMKLT 0012345678 bayar").await);
    assert!(typed.contains("kedaluwarsa"), "{typed}");
    assert_eq!(w.sandbox.stats().payments, 0);
}

#[tokio::test]
async fn second_tap_never_pays_twice() {
    let w = world().await;
    let check = w.say("PLNPASC 546302215889 cek").await;
    let data = pay_button(&check);
    let first = w.press(ChatCtx::private(ME), &data).await;
    assert!(first.edit_source.unwrap().text.contains("berhasil"));
    let second = w.press(ChatCtx::private(ME), &data).await;
    assert!(second.toast.unwrap().contains("sudah dibayar"));
    let typed = text(&w.say("PLNPASC 546302215889 bayar").await);
    assert!(typed.contains("sudah dibayar"), "{typed}");
    assert_eq!(w.sandbox.stats().payments, 1);
}

// Two worker threads: the taps really race on the sled compare-and-swap.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_concurrent_taps_and_typed_bayar_pay_once() {
    let w = world().await;
    let check = w.say("INDIHOME 121234567890 cek").await;
    let data = pay_button(&check);
    let mut tasks = Vec::new();
    for i in 0..20 {
        let engine = w.engine.clone();
        let data = data.clone();
        tasks.push(tokio::spawn(async move {
            let ctx = ChatCtx::private(ME);
            if i % 4 == 0 {
                engine
                    .handle(&ctx, Input::Text("INDIHOME 121234567890 bayar".into()))
                    .await
            } else {
                engine.handle(&ctx, Input::Button(data)).await
            }
        }));
    }
    let mut successes = 0;
    for task in tasks {
        let response = task.await.unwrap();
        let shown = format!(
            "{}{}",
            text(&response),
            response.edit_source.map(|r| r.text).unwrap_or_default()
        );
        if shown.contains("Pembayaran berhasil") {
            successes += 1;
        }
    }
    assert_eq!(successes, 1);
    assert_eq!(w.sandbox.stats().payments, 1);
}

#[tokio::test]
async fn cancelled_bill_cannot_be_paid() {
    let w = world().await;
    let check = w.say("HALO 081234567890 cek").await;
    let cancel = check.replies[0].buttons[1].data.clone();
    let cancelled = w.press(ChatCtx::private(ME), &cancel).await;
    assert!(cancelled.edit_source.unwrap().text.contains("dibatalkan"));
    let tap = w.press(ChatCtx::private(ME), &pay_button(&check)).await;
    assert!(tap.toast.unwrap().contains("ditutup"));
    assert_eq!(w.sandbox.stats().payments, 0);
}

#[tokio::test]
async fn repeated_topup_asks_first_and_one_confirmation_sends_once() {
    let w = world().await;
    w.say("T5 081299998888").await;
    let again = w.say("T5 081299998888").await;
    assert!(text(&again).contains("Kirim lagi?"), "{}", text(&again));
    assert_eq!(w.sandbox.stats().topups, 1, "the question sends nothing");
    let yes = again.replies[0].buttons[0].data.clone();
    let sent = w.press(ChatCtx::private(ME), &yes).await;
    assert!(sent.edit_source.unwrap().text.contains("berhasil"));
    let twice = w.press(ChatCtx::private(ME), &yes).await;
    assert!(twice.toast.unwrap().contains("Sudah diproses"));
    assert_eq!(w.sandbox.stats().topups, 2);
    let other_dest = text(&w.say("T5 081200001111").await);
    assert!(
        other_dest.contains("berhasil"),
        "another number needs no question: {other_dest}"
    );
}

#[tokio::test]
async fn declined_repeat_sends_nothing() {
    let w = world().await;
    w.say("T5 081299998888").await;
    let again = w.say("T5 081299998888").await;
    let no = again.replies[0].buttons[1].data.clone();
    let declined = w.press(ChatCtx::private(ME), &no).await;
    assert!(declined.edit_source.unwrap().text.contains("Tidak dikirim"));
    let yes_after_no = w
        .press(ChatCtx::private(ME), &again.replies[0].buttons[0].data)
        .await;
    assert!(yes_after_no.toast.is_some());
    assert_eq!(w.sandbox.stats().topups, 1);
}

#[tokio::test]
async fn refused_topup_reports_the_reason_and_charges_nothing() {
    let w = world().await;
    let reply = text(&w.say("T10 089900061234").await);
    assert!(
        reply.contains("gagal") && reply.contains("nomor tujuan salah"),
        "{reply}"
    );
    assert_eq!(w.sandbox.balance("DEMO").unwrap().value(), 5_000_000);
}

#[tokio::test]
async fn garbage_reply_to_topup_is_never_called_failed() {
    let mut w = world().await;
    let reply = text(&w.say("T10 089900031234").await);
    assert!(!reply.to_lowercase().contains("gagal"), "{reply}");
    assert!(reply.contains("sedang dicek"), "{reply}");
    let notice = w.next_notice().await;
    assert!(
        notice.reply.text.contains("berhasil"),
        "{}",
        notice.reply.text
    );
    assert_eq!(
        w.sandbox.stats().topups,
        1,
        "never resent: the status check found it"
    );
}

#[tokio::test]
async fn pending_topup_is_followed_to_success() {
    let mut w = world().await;
    let reply = text(&w.say("T10 089900051234").await);
    assert!(reply.contains("diproses"), "{reply}");
    let notice = w.next_notice().await;
    assert!(
        notice.reply.text.contains("Isi ulang berhasil"),
        "{}",
        notice.reply.text
    );
    assert!(w.sandbox.stats().status_checks >= 2);
}

#[tokio::test]
async fn timed_out_payment_is_reported_when_final_and_charged_once() {
    let mut w = world_with(|_| {}, Duration::from_millis(500)).await;
    let check = w.say("PGN 0110012345 cek").await;
    w.sandbox.inject(Fault::Slow, 1);
    let tap = w.press(ChatCtx::private(ME), &pay_button(&check)).await;
    let shown = tap.edit_source.unwrap().text;
    assert!(
        shown.contains("sedang dicek") && !shown.contains("gagal"),
        "{shown}"
    );
    let notice = w.next_notice().await;
    assert!(
        notice.reply.text.contains("Pembayaran berhasil"),
        "{}",
        notice.reply.text
    );
    let again = w.press(ChatCtx::private(ME), &pay_button(&check)).await;
    assert!(again.toast.unwrap().contains("sudah dibayar"));
    assert_eq!(w.sandbox.stats().payments, 1);
}

#[tokio::test]
async fn a_bill_whose_payment_is_being_checked_cannot_be_checked_and_paid_again() {
    let mut w = world_with(|_| {}, Duration::from_millis(500)).await;
    let check = w.say("PGN 0110012345 cek").await;
    w.sandbox.inject(Fault::Slow, 1);
    let tap = w.press(ChatCtx::private(ME), &pay_button(&check)).await;
    assert!(tap.edit_source.unwrap().text.contains("sedang dicek"));
    // While the first payment's outcome is unknown, a new check (a new
    // refID) is refused: paying it could pay the bill twice.
    let again = text(&w.say("PGN 0110012345 cek").await);
    assert!(again.contains("masih dicek"), "{again}");
    assert_eq!(w.sandbox.stats().inquiries, 1);
    let notice = w.next_notice().await;
    assert!(notice.reply.text.contains("Pembayaran berhasil"));
    assert_eq!(w.sandbox.stats().payments, 1);
    // Once it is settled, the bill can be checked again (next month's).
    let later = text(&w.say("PGN 0110012345 cek").await);
    assert!(later.contains("Tagihan"), "{later}");
}

#[tokio::test]
async fn status_command_reports_a_topup() {
    let w = world().await;
    let reply = text(&w.say("T10 087712345678").await);
    let ref_id = reply
        .lines()
        .find_map(|l| l.strip_prefix("RefID: "))
        .unwrap()
        .to_string();
    let status = text(&w.say(&format!("status {ref_id}")).await);
    assert!(
        status.contains("berhasil") && status.contains(&ref_id),
        "{status}"
    );
    let lower = text(&w.say(&format!("status {}", ref_id.to_lowercase())).await);
    assert!(lower.contains(&ref_id), "case does not matter: {lower}");
    let unknown = text(&w.say("status LNOSUCHREF").await);
    assert!(unknown.contains("tidak dikenal"), "{unknown}");
}

#[tokio::test]
async fn history_lists_the_latest_transactions() {
    let w = world().await;
    assert!(text(&w.say("riwayat").await).contains("Belum ada"));
    w.say("T10 087712345678").await;
    w.say("T20 087712345679").await;
    let history = text(&w.say("riwayat").await);
    let t20 = history.find("T20").unwrap();
    let t10 = history.find("T10").unwrap();
    assert!(t20 < t10, "newest first: {history}");
}

#[tokio::test]
async fn english_after_bahasa_en() {
    let w = world().await;
    assert!(text(&w.say("/bahasa en").await).contains("English"));
    assert!(text(&w.say("saldo").await).starts_with("Balance of DEMO"));
    assert!(text(&w.say("nonsense words here").await).contains("did not understand"));
    assert!(text(&w.say("/bahasa id").await).contains("Indonesia"));
}

#[tokio::test]
async fn login_checks_the_account_and_deletes_the_secret_message() {
    let w = world_with(|c| c.default_account = None, Duration::from_secs(5)).await;
    let url = w.sandbox.base_url();
    assert!(text(&w.say("saldo").await).contains("belum login"));
    let refused = w.say(&format!("/login DEMO 9999 demo {url}")).await;
    assert!(refused.delete_input);
    assert!(text(&refused).contains("ditolak"), "{}", text(&refused));
    assert!(
        text(&w.say("/akun").await).contains("belum login"),
        "nothing stored after a refusal"
    );
    let ok = w.say(&format!("/login DEMO 0000 demo {url}")).await;
    assert!(ok.delete_input);
    assert!(
        text(&ok).contains("Login berhasil") && text(&ok).contains("Rp5.000.000"),
        "{}",
        text(&ok)
    );
    let account = text(&w.say("/akun").await);
    assert!(
        account.contains("DEMO") && account.contains(&url) && !account.contains("demo\n"),
        "{account}"
    );
    assert!(text(&w.say("/logout").await).contains("logout"));
    assert!(text(&w.say("saldo").await).contains("belum login"));
}

#[tokio::test]
async fn a_login_with_any_words_after_it_is_deleted_whatever_their_form() {
    let w = world_with(|c| c.default_account = None, Duration::from_secs(5)).await;
    for typed in [
        "/login 0000",
        "/login DEMO 0000",
        "/login DEMO:0000:demo",
        "/login:DEMO:0000:demo",
        "/login DEMO 0000 demo http://127.0.0.1:1 extra",
        "/login@loket_test_bot DEMO 0000",
        "login 0000",
        "login DEMO 0000",
        "LOGIN DEMO:0000:demo",
        "login 0000 bayar",
    ] {
        let response = w.say(typed).await;
        assert!(response.delete_input, "{typed} may hold a PIN");
        assert!(
            text(&response).contains("/login MEMBERID PIN APIKEY"),
            "{typed}: {}",
            text(&response)
        );
        assert!(!text(&response).contains("0000"), "{typed}");
    }
    assert!(text(&w.say("/akun").await).contains("belum login"));
    assert_eq!(w.sandbox.stats().requests, 0, "nothing reached the gateway");
}

#[tokio::test]
async fn plain_login_works_like_slash_login() {
    let w = world_with(|c| c.default_account = None, Duration::from_secs(5)).await;
    let url = w.sandbox.base_url();
    let full = w.say(&format!("login DEMO 0000 demo {url}")).await;
    assert!(full.delete_input && text(&full).contains("Login berhasil"));
    assert!(text(&w.say("login").await).contains("Kirim member ID"));
    assert!(text(&w.say("/batal").await).contains("Login dibatalkan"));
}

#[tokio::test]
async fn step_by_step_login_deletes_every_answer() {
    let w = world_with(|c| c.default_account = None, Duration::from_secs(5)).await;
    assert!(text(&w.say("/login").await).contains("member ID"));
    let member = w.say("DEMO").await;
    assert!(member.delete_input && text(&member).contains("PIN"));
    let pin = w.say("0000").await;
    assert!(pin.delete_input && text(&pin).contains("API key"));
    let key = w.say("demo").await;
    assert!(
        key.delete_input && text(&key).contains("Login berhasil"),
        "{}",
        text(&key)
    );
}

#[tokio::test]
async fn three_or_four_words_at_the_member_prompt_are_the_whole_login() {
    let w = world_with(|c| c.default_account = None, Duration::from_secs(5)).await;
    let url = w.sandbox.base_url();
    for (typed, member) in [
        ("DEMO 0000 demo".to_string(), "DEMO"),
        (format!("DEMO 0000 demo {url}"), "DEMO"),
    ] {
        w.say("/login").await;
        let login = w.say(&typed).await;
        assert!(login.delete_input, "{typed}");
        let said = text(&login);
        assert!(
            said.contains(&format!("Login berhasil sebagai {member}")),
            "{typed}: {said}"
        );
        assert!(
            !w.engine.holds_secret(&ChatCtx::private(ME), "0000"),
            "the dialog is over"
        );
    }
}

#[tokio::test]
async fn other_text_in_a_login_dialog_is_deleted_and_asked_again() {
    let w = world_with(|c| c.default_account = None, Duration::from_secs(5)).await;
    // (text, at the member prompt?, what loket asks then)
    let cases = [
        ("M001 8642", true, "member ID saja"),
        ("M001.8642", true, "Member ID tidak valid"),
        ("T10 087712345678", true, "member ID saja"),
        (
            "M001 8642 k3y http://127.0.0.1:1 extra",
            true,
            "member ID saja",
        ),
        ("halo, ini PIN saya 8642", true, "member ID saja"),
        ("M001:8642", true, "Member ID tidak valid"),
        ("8642 k3y", false, "satu kata"),
        ("PIN saya 8642", false, "satu kata"),
    ];
    for (typed, at_member, asked) in cases {
        w.say("/login").await;
        if !at_member {
            w.say("M001").await;
        }
        let response = w.say(typed).await;
        assert!(response.delete_input, "{typed}");
        assert!(
            text(&response).contains(asked),
            "{typed}: {}",
            text(&response)
        );
        assert!(!text(&response).contains("8642"));
        assert!(
            w.engine.holds_secret(&ChatCtx::private(ME), "8642"),
            "{typed}: the dialog goes on"
        );
        w.say("/batal").await;
    }
    assert_eq!(w.sandbox.stats().requests, 0);
}

#[tokio::test]
async fn a_command_in_a_login_dialog_ends_it_and_runs() {
    let w = world_with(
        |c| c.duplicate_window = Duration::ZERO,
        Duration::from_secs(5),
    )
    .await;
    // (command, at the PIN question rather than the member-ID one, a word
    // of its answer). Plain text typed in the dialog is deleted even when
    // it runs. A bare `CODE DEST` at the member-ID question is the answer
    // instead (`M001 8642`: see the test above).
    let cases = [
        ("saldo", false, "Saldo DEMO"),
        ("saldo", true, "Saldo DEMO"),
        ("/saldo", false, "Saldo DEMO"),
        ("T10 087712345678", true, "Isi ulang berhasil"),
        ("beli T10 087712345678", false, "Isi ulang berhasil"),
        ("/beli T10 087712345679", false, "Isi ulang berhasil"),
        ("/beli T10 087712345679", true, "Isi ulang berhasil"),
        ("PLNPASC 546302215889 cek", false, "Tagihan PLN"),
        ("bantuan", false, "/login"),
        ("/status", true, "refID"),
    ];
    for (command, at_pin_prompt, answer) in cases {
        w.say("/login").await;
        if at_pin_prompt {
            w.say("AGEN7").await;
        }
        let me = ChatCtx::private(ME);
        let plain = !command.starts_with('/');
        assert_eq!(w.engine.holds_secret(&me, command), plain, "{command}");
        let response = w.say(command).await;
        assert_eq!(response.delete_input, plain, "{command}");
        assert!(
            text(&response).contains(answer),
            "{command}: {}",
            text(&response)
        );
        assert!(
            !w.engine.holds_secret(&me, "0000"),
            "{command} ended the dialog"
        );
        assert!(text(&w.say("/batal").await).contains("Tidak ada"));
    }
}

#[tokio::test]
async fn an_unanswered_login_dialog_expires() {
    let ttl = Duration::from_millis(300);
    let w = world_with(
        |c| {
            c.default_account = None;
            c.login_dialog_ttl = ttl;
        },
        Duration::from_secs(5),
    )
    .await;
    let me = ChatCtx::private(ME);
    for answered in [0, 1, 2] {
        w.say("/login").await;
        for answer in ["DEMO", "0000"].iter().take(answered) {
            w.say(answer).await;
        }
        assert!(w.engine.holds_secret(&me, "demo"), "the dialog waits");
        tokio::time::sleep(ttl + Duration::from_millis(100)).await;
        assert!(!w.engine.holds_secret(&me, "demo"), "the dialog expired");
        let late = w.say("demo").await;
        assert!(!late.delete_input);
        assert!(text(&late).contains("tidak dikenali"), "{}", text(&late));
        assert!(text(&w.say("/batal").await).contains("Tidak ada"));
    }
    // Each answer gives the next question its own time.
    w.say("/login").await;
    tokio::time::sleep(ttl / 2).await;
    w.say("DEMO").await;
    tokio::time::sleep(ttl / 2 + Duration::from_millis(50)).await;
    assert!(
        w.engine.holds_secret(&me, "0000"),
        "the PIN question is fresh"
    );
    assert_eq!(w.sandbox.stats().requests, 0);
}

#[tokio::test]
async fn a_login_typed_in_a_group_is_deleted_even_when_not_addressed() {
    let w = world_with(|c| c.default_account = None, Duration::from_secs(5)).await;
    let group = ChatCtx::group(-100_700, 7);
    for typed in [
        "login DEMO 0000 demo",
        "/login DEMO 0000 demo",
        "/login 0000",
    ] {
        assert!(w.engine.holds_secret(&group, typed), "{typed}");
        let response = w.say_in(group, typed).await;
        assert!(response.delete_input, "{typed}");
        assert!(text(&response).contains("chat pribadi"), "{typed}");
    }
    assert!(w.say_in(group, "halo semua").await.is_silent());
    assert_eq!(w.sandbox.stats().requests, 0);
}

#[tokio::test]
async fn edits_never_run_and_a_login_edited_in_is_deleted() {
    let w = world_with(|c| c.default_account = None, Duration::from_secs(5)).await;
    let url = w.sandbox.base_url();
    // (chat, edited into, deleted?, what loket says)
    let private = ChatCtx::private(ME);
    let group = ChatCtx::group(-100_800, ME);
    let login = format!("/login DEMO 0000 demo {url}");
    let cases = [
        (private, login.as_str(), true, "diedit"),
        (private, "login DEMO 0000 demo", true, "diedit"),
        (private, "/login 0000", true, "diedit"),
        (group, login.as_str(), true, "chat pribadi"),
        (group, "login DEMO:0000:demo", true, "chat pribadi"),
        (private, "saldo", false, ""),
        (private, "/login", false, ""),
        (group, "/saldo", false, ""),
    ];
    for (ctx, edited, deleted, says) in cases {
        let response = w.engine.handle_edit(&ctx, edited);
        assert_eq!(response.delete_input, deleted, "{edited}");
        assert!(
            text(&response).contains(says),
            "{edited}: {}",
            text(&response)
        );
        assert!(!text(&response).contains("0000"));
    }
    assert_eq!(w.sandbox.stats().requests, 0, "an edit runs nothing");
    assert!(text(&w.say("/akun").await).contains("belum login"));
}

#[tokio::test]
async fn akun_is_shown_only_to_its_owner_in_private_with_the_url_password_masked() {
    let mut w = world_with(|c| c.default_account = None, Duration::from_secs(5)).await;
    let port = w.sandbox.base_url().rsplit(':').next().unwrap().to_string();
    let url = format!("http://agen:Sup3rPass@127.0.0.1:{port}");
    const GROUP: i64 = -100_900;
    const OWNER: i64 = 7;
    let owner = ChatCtx::private(OWNER);
    let login = text(
        &w.say_in(owner, &format!("/login DEMO 0000 demo {url}"))
            .await,
    );
    assert!(login.contains("Login berhasil"), "{login}");
    w.say_in(ChatCtx::group(GROUP, OWNER), "/hubungkan").await;

    for asker in [OWNER, 8] {
        let shown = text(&w.say_in(ChatCtx::group(GROUP, asker), "/akun").await);
        assert!(shown.contains("chat pribadi"), "{shown}");
        for part in ["DEMO", "127.0.0.1", "agen", "de****", "****"] {
            assert!(!shown.contains(part), "{asker} saw {part}: {shown}");
        }
    }
    let mine = text(&w.say_in(owner, "/akun").await);
    assert!(
        mine.contains("DEMO") && mine.contains(&format!("http://agen:***@127.0.0.1:{port}")),
        "{mine}"
    );
    assert!(!mine.contains("Sup3rPass"), "{mine}");

    // Calls go to the gateway with the password; a pending topup is
    // followed under the same account although the journal keeps the URL
    // masked.
    let pending = text(&w.say_in(owner, "T10 089900051234").await);
    assert!(pending.contains("diproses"), "{pending}");
    let notice = w.next_notice().await;
    assert!(
        notice.reply.text.contains("Isi ulang berhasil"),
        "{}",
        notice.reply.text
    );
    let entries = w.engine.store().recent_entries(OWNER, 1).unwrap();
    assert_eq!(
        entries[0].gateway,
        format!("http://agen:***@127.0.0.1:{port}")
    );
}

#[tokio::test]
async fn login_attempts_are_rate_limited() {
    let w = world_with(|c| c.default_account = None, Duration::from_secs(5)).await;
    let url = w.sandbox.base_url();
    for _ in 0..5 {
        w.say(&format!("/login DEMO 1111 demo {url}")).await;
    }
    let before = w.sandbox.stats().balance_checks;
    let blocked = text(&w.say(&format!("/login DEMO 0000 demo {url}")).await);
    assert!(blocked.contains("Terlalu banyak"), "{blocked}");
    assert_eq!(
        w.sandbox.stats().balance_checks,
        before,
        "the blocked try never reached the gateway"
    );
}

/// Issue 9, item 11: text that is not shaped like a transaction gets the
/// closest example and never reaches the gateway; nothing is journaled.
#[tokio::test]
async fn text_that_is_not_a_transaction_is_never_sent() {
    let w = world().await;
    let not_transactions = [
        "PLNPASC anto cek",
        "PLNPASC 546 cek",
        "PLNPASC 5463022158AB bayar",
        "cek PLNPASC anto",
        "/cek PLNPASC anto",
        "PULSA 087712345678",
        "beli STRUK 087712345678",
        "/beli PULSA 087712345678",
        "T10 0877",
        "T10 +62877",
        "T10 0877abc12345",
        "PLN20 +6281234567890",
        "HALO 1234567890 cek",
        "PKBJABAR 1234 2025 cek",
        "BPJSKS anto@2 cek",
        "PBBBDG 3273010001 2024 cek",
        "FNADIRA ANTOSAJA cek",
        "PGN AB12345678 cek",
        "jam 10",
    ];
    for typed in not_transactions {
        let reply = text(&w.say(typed).await);
        assert!(reply.contains("Contoh: "), "{typed}: {reply}");
    }
    let group = ChatCtx::group(-100_700, ME);
    assert!(
        w.say_in(group, "beli STRUK 087712345678").await.is_silent(),
        "chatter in a group that is not for the bot stays silent"
    );
    let mut addressed = group;
    addressed.addressed = true;
    let reply = text(&w.say_in(addressed, "beli STRUK 087712345678").await);
    assert!(reply.contains("bukan perintah transaksi"), "{reply}");
    assert_eq!(
        w.sandbox.stats().requests,
        0,
        "not one of them reached the gateway"
    );
    assert!(
        text(&w.say("riwayat").await).contains("Belum ada"),
        "nothing journaled"
    );

    // The same words shaped like a transaction are sent, normalised.
    let sent = text(&w.say("T10 +62 877-1234-5678").await);
    assert!(
        sent.contains("087712345678") && sent.contains("berhasil"),
        "{sent}"
    );
    assert_eq!(w.sandbox.stats().topups, 1);
}

#[tokio::test]
async fn groups_share_the_balance_and_guard_money() {
    let w = world_with(|c| c.default_account = None, Duration::from_secs(5)).await;
    let url = w.sandbox.base_url();
    const GROUP: i64 = -100_500;
    const OWNER: i64 = 7;
    const FRIEND: i64 = 8;
    let owner = ChatCtx::group(GROUP, OWNER);
    let friend = ChatCtx::group(GROUP, FRIEND);

    assert!(text(&w.say_in(owner, "/saldo").await).contains("belum terhubung"));
    assert!(text(&w.say_in(owner, "/hubungkan").await).contains("Login dulu"));
    let in_group_login = w
        .say_in(owner, &format!("/login DEMO 0000 demo {url}"))
        .await;
    assert!(in_group_login.delete_input && text(&in_group_login).contains("chat pribadi"));
    assert_eq!(
        w.sandbox.stats().balance_checks,
        0,
        "a login in a group touches nothing"
    );

    w.say_in(
        ChatCtx::private(OWNER),
        &format!("/login DEMO 0000 demo {url}"),
    )
    .await;
    assert!(text(&w.say_in(owner, "/hubungkan").await).contains("terhubung"));
    assert!(text(&w.say_in(friend, "/saldo").await).contains("Rp5.000.000"));
    assert!(
        w.say_in(friend, "saldo").await.is_silent(),
        "plain chatter in groups is not for the bot"
    );
    assert!(text(&w.say_in(friend, "/beli T10 087712345678").await).contains("belum diizinkan"));
    assert_eq!(w.sandbox.stats().topups, 0);
    assert!(text(&w.say_in(friend, "/izinkan 8").await).contains("pemilik"));

    let mut reply_to_friend = owner;
    reply_to_friend.reply_to_user = Some(FRIEND);
    assert!(text(&w.say_in(reply_to_friend, "/izinkan").await).contains("boleh"));
    assert!(text(&w.say_in(friend, "/beli T10 087712345678").await).contains("berhasil"));
    assert!(text(&w.say_in(owner, "/cabut 8").await).contains("dicabut"));
    assert!(text(&w.say_in(friend, "/beli T10 087712345670").await).contains("belum diizinkan"));
    assert!(text(&w.say_in(owner, "/putus").await).contains("diputus"));
    assert!(text(&w.say_in(friend, "/saldo").await).contains("belum terhubung"));
}

#[tokio::test]
async fn someone_elses_bill_button_pays_nothing() {
    let w = world_with(|c| c.default_account = None, Duration::from_secs(5)).await;
    let url = w.sandbox.base_url();
    const GROUP: i64 = -100_600;
    w.say_in(ChatCtx::private(7), &format!("/login DEMO 0000 demo {url}"))
        .await;
    w.say_in(ChatCtx::group(GROUP, 7), "/hubungkan").await;
    let mut allow = ChatCtx::group(GROUP, 7);
    allow.reply_to_user = Some(8);
    w.say_in(allow, "/izinkan").await;
    let check = w
        .say_in(ChatCtx::group(GROUP, 8), "/cek PLNPASC 546302215889")
        .await;
    let stranger = w.press(ChatCtx::group(GROUP, 9), &pay_button(&check)).await;
    assert!(stranger.toast.unwrap().contains("belum diizinkan"));
    let elsewhere = w.press(ChatCtx::private(8), &pay_button(&check)).await;
    assert!(elsewhere.toast.unwrap().contains("bukan milik"));
    assert_eq!(w.sandbox.stats().payments, 0);
    // Nor may another member cancel the bill someone else checked.
    let cancel = check.replies[0].buttons[1].data.clone();
    let closed = w.press(ChatCtx::group(GROUP, 9), &cancel).await;
    assert!(closed.toast.unwrap().contains("belum diizinkan"));
    let owner = w.press(ChatCtx::group(GROUP, 7), &pay_button(&check)).await;
    assert!(owner.edit_source.unwrap().text.contains("berhasil"));
}

#[tokio::test]
async fn unreadable_balance_answer_says_so_and_the_next_works() {
    let w = world().await;
    // A 5xx or a dropped connection is retried twice before the user is
    // told; an HTML page is an answer, and is not.
    for (fault, times) in [
        (Fault::ServerError, 3),
        (Fault::Garbage, 1),
        (Fault::Drop, 3),
    ] {
        w.sandbox.inject(fault, times);
        let reply = text(&w.say("saldo").await);
        assert!(reply.contains("Gateway tidak"), "{fault:?}: {reply}");
        assert!(text(&w.say("saldo").await).contains("Rp5.000.000"));
    }
}

#[tokio::test]
async fn messages_holding_a_pin_or_key_are_recognised_before_handling() {
    let w = world_with(|c| c.default_account = None, Duration::from_secs(5)).await;
    let me = ChatCtx::private(ME);
    assert!(w.engine.holds_secret(&me, "/login DEMO 0000 demo"));
    assert!(w
        .engine
        .holds_secret(&me, "login DEMO 0000 demo http://127.0.0.1:9"));
    assert!(w
        .engine
        .holds_secret(&ChatCtx::group(-1, ME), "/login DEMO 0000 demo"));
    assert!(!w.engine.holds_secret(&me, "saldo"));
    assert!(!w.engine.holds_secret(&me, "/login"));
    assert!(!w.engine.holds_secret(&me, "login"));
    assert!(!w.engine.holds_secret(&me, "loginku apa"));
    w.say("/login").await;
    assert!(
        w.engine.holds_secret(&me, "DEMO"),
        "every answer in a login dialog is treated as secret"
    );
    assert!(w.engine.holds_secret(&me, "M001 8642 k3y"));
    assert!(
        !w.engine.holds_secret(&me, "/saldo"),
        "a slash command is no answer"
    );
    w.say("DEMO").await;
    assert!(w.engine.holds_secret(&me, "0000"), "the PIN step");
    w.say("0000").await;
    assert!(w.engine.holds_secret(&me, "demo"), "the key step");
    assert!(!w.engine.holds_secret(&me, "/batal"));
}

#[tokio::test]
async fn login_finds_a_gateway_that_signs_balance_as_checkbalance() {
    let agent = SandboxAccount {
        member_id: "CB01".into(),
        balance_sign: loket::gateway::BalanceSign::CheckBalance,
        ..SandboxAccount::demo()
    };
    let sandbox = SandboxConfig {
        accounts: vec![agent],
        ..SandboxConfig::default()
    };
    let w = world_on(
        sandbox,
        |c| c.default_account = None,
        Duration::from_secs(5),
    )
    .await;
    let url = w.sandbox.base_url();
    let login = text(&w.say(&format!("/login CB01 0000 demo {url}")).await);
    assert!(login.contains("Login berhasil"), "{login}");
    let balance = text(&w.say("saldo").await);
    assert!(
        balance.contains("Rp5.000.000"),
        "the learned sign form is kept: {balance}"
    );
    assert_eq!(
        w.sandbox.stats().bad_signs,
        1,
        "one refused try, then the other form"
    );
}

/// Reads (balance, bill check, status check) are retried twice on a
/// refused or dropped connection or a 5xx; a topup never is.
#[tokio::test]
async fn reads_retry_and_money_never_does() {
    for fault in [Fault::ServerError, Fault::Drop] {
        let w = world_with(
            |c| c.recheck_after = Duration::from_secs(60),
            Duration::from_secs(5),
        )
        .await;
        w.sandbox.inject(fault, 2);
        let balance = text(&w.say("saldo").await);
        assert!(balance.contains("Rp5.000.000"), "{fault:?}: {balance}");
        assert_eq!(w.sandbox.stats().balance_checks, 3, "{fault:?}");

        w.sandbox.inject(fault, 2);
        let bill = text(&w.say("PLNPASC 546302215889 cek").await);
        assert!(bill.contains("Rp302.750"), "{fault:?}: {bill}");
        assert_eq!(w.sandbox.stats().inquiries, 3, "{fault:?}");

        w.sandbox.inject(fault, 1);
        let topup = text(&w.say("T10 087712345678").await);
        assert!(topup.contains("sedang dicek"), "{fault:?}: {topup}");
        assert_eq!(
            w.sandbox.stats().topups,
            1,
            "{fault:?}: a topup is never retried"
        );
    }
}
