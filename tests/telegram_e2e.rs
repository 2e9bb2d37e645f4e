//! The Telegram front end end to end: the real `loket run` binary against a
//! fake Telegram Bot API and the sandbox gateway, both on 127.0.0.1. Each
//! test is one reseller story, checked the way the reseller sees it (what
//! appears in the chat, which message is deleted or edited, what a button
//! tap answers) and the way the gateway sees it (how many topups and
//! payments arrived). Every test ends by stopping the bot with a signal: it
//! must exit 0, and no `sign` value may have reached Telegram or the logs.
//!
//! Telegram lets a bot send about one message a second per chat (loket's
//! throttle keeps to that), so stories use a fresh bot, and chats that run
//! side by side where the story allows.

#[path = "support/fake_bot_api.rs"]
mod fake_bot_api;
#[path = "support/loket_process.rs"]
mod loket_process;

use std::net::SocketAddr;
use std::time::Duration;

use fake_bot_api::{FakeBotApi, FakeChat, FakeUser, Fault as BotApiFault, BOT_USERNAME};
use loket::money::Rupiah;
use loket::sandbox::{SandboxAccount, SandboxConfig};
use loket_process::{
    assert_never_shown, button_data, free_loopback_address, DelayProxy, Setup, World, WAIT,
};

/// A sandbox account whose PIN and key are easy to grep for.
const AGEN_MEMBER: &str = "AGEN7";
const AGEN_PIN: &str = "73916458";
const AGEN_KEY: &str = "kunci-rahasia-9f3";

fn with_agen7() -> SandboxConfig {
    SandboxConfig {
        accounts: vec![
            SandboxAccount::demo(),
            SandboxAccount {
                member_id: AGEN_MEMBER.into(),
                pin: AGEN_PIN.into(),
                api_key: AGEN_KEY.into(),
                balance: Rupiah(2_500_000),
                ..SandboxAccount::demo()
            },
        ],
        ..SandboxConfig::default()
    }
}

fn agen7_login() -> String {
    format!("{AGEN_MEMBER} {AGEN_PIN} {AGEN_KEY}")
}

fn siti() -> FakeUser {
    FakeUser::new(1001, "Siti").with_language("id")
}

fn budi() -> FakeUser {
    FakeUser::new(2002, "Budi").with_language("id")
}

/// The message a bot message replies to, if any.
fn replied_to(w: &World, chat_id: i64, message_id: i32) -> Option<i64> {
    w.fake.message(chat_id, message_id)?.json["reply_to_message"]["message_id"].as_i64()
}

// ---------------------------------------------------------------- accounts

#[tokio::test]
async fn login_deletes_the_secret_akun_masks_the_key_and_logout_wipes_it() {
    let w = World::start_with(Setup::default().sandbox(with_agen7())).await;
    let siti = siti();
    let chat = FakeChat::private(&siti);

    let (login, reply) = w
        .ask(
            &chat,
            &siti,
            &format!("/login {}", agen7_login()),
            "Login berhasil sebagai AGEN7",
        )
        .await;
    assert!(w.text_of(chat.id, reply).contains("Rp2.500.000"));
    assert_eq!(w.fake.deleted(chat.id), vec![login]);
    assert!(w
        .fake
        .calls_of("deleteMessage")
        .iter()
        .any(|c| c.ok() && c.param_i64("message_id") == Some(i64::from(login))));

    let (_, akun) = w.ask(&chat, &siti, "/akun", "Akun: AGEN7").await;
    let akun = w.text_of(chat.id, akun);
    assert!(akun.contains("API key: ku****f3"), "{akun}");
    assert!(akun.contains(&w.sandbox.base_url()), "{akun}");

    w.ask(&chat, &siti, "/logout", "Anda sudah logout").await;
    let balance_checks = w.sandbox.stats().balance_checks;
    w.ask(&chat, &siti, "/akun", "Anda belum login").await;
    w.ask(&chat, &siti, "saldo", "Anda belum login").await;
    assert_eq!(w.sandbox.stats().balance_checks, balance_checks);
    w.finish().await;
}

#[tokio::test]
async fn the_login_message_is_deleted_before_the_gateway_answers() {
    let w = World::start_with(Setup::default().sandbox(SandboxConfig {
        latency: Duration::from_secs(3),
        ..SandboxConfig::default()
    }))
    .await;
    let siti = siti();
    let chat = FakeChat::private(&siti);
    let login = w.say(&chat, &siti, "/login DEMO 0000 demo");
    let deleted = w
        .fake
        .wait_for(
            "deleteMessage",
            |c| c.param_i64("message_id") == Some(i64::from(login)),
            Duration::from_secs(1),
        )
        .await;
    assert!(
        deleted.is_some(),
        "the PIN was still on screen 1 s after it was sent"
    );
    w.expect_after(0, chat.id, "Login berhasil").await;
    w.finish().await;
}

#[tokio::test]
async fn step_by_step_login_deletes_every_answer() {
    let w = World::start().await;
    let siti = siti();
    let chat = FakeChat::private(&siti);

    w.ask(&chat, &siti, "/login", "Kirim member ID").await;
    let (member, _) = w.ask(&chat, &siti, "DEMO", "Kirim PIN").await;
    let (pin, _) = w.ask(&chat, &siti, "0000", "Kirim API key").await;
    let (key, _) = w
        .ask(&chat, &siti, "demo", "Login berhasil sebagai DEMO")
        .await;

    // The member ID too: what is typed at a login question may be a PIN.
    assert_eq!(w.fake.deleted(chat.id), vec![member, pin, key]);
    w.finish().await;
}

/// Asserts that the user's message `message_id` was deleted before loket
/// sent anything to that chat after `mark` (its answer included).
fn deleted_before_any_answer(w: &World, chat_id: i64, message_id: i32, mark: usize) {
    let delete = w
        .fake
        .calls_of("deleteMessage")
        .into_iter()
        .find(|c| {
            c.ok()
                && c.chat_id() == Some(chat_id)
                && c.param_i64("message_id") == Some(i64::from(message_id))
        })
        .unwrap_or_else(|| panic!("message {message_id} of chat {chat_id} was not deleted"));
    let first_send = w.sends_since(mark, chat_id).first().map(|c| c.seq);
    assert!(
        first_send.is_none_or(|seq| delete.seq < seq),
        "message {message_id} of chat {chat_id} was deleted only after loket answered"
    );
}

#[tokio::test]
async fn every_message_that_may_hold_a_pin_is_deleted_before_anything_else_happens() {
    let setup = Setup::default()
        .sandbox(with_agen7())
        .env("LOKET_LOG", "debug");
    let w = World::start_with(setup).await;
    let url = w.sandbox.base_url();
    let full = agen7_login();
    let colon = format!("{AGEN_MEMBER}:{AGEN_PIN}:{AGEN_KEY}");
    // (user id, what came before in that chat, the message, loket's answer)
    let stories: Vec<(i64, Option<&str>, String, &str)> = vec![
        (
            3001,
            Some("/login"),
            full.clone(),
            "Login berhasil sebagai AGEN7",
        ),
        (
            3002,
            Some("/login"),
            format!("{AGEN_MEMBER} {AGEN_PIN}"),
            "member ID saja",
        ),
        (
            3003,
            None,
            format!("login {full} {url}"),
            "Login berhasil sebagai AGEN7",
        ),
        (
            3004,
            None,
            format!("/login {AGEN_PIN}"),
            "/login MEMBERID PIN APIKEY",
        ),
        (
            3005,
            None,
            format!("/login {colon}"),
            "/login MEMBERID PIN APIKEY",
        ),
        (
            3006,
            None,
            format!("login {colon}"),
            "/login MEMBERID PIN APIKEY",
        ),
    ];
    let runs = stories.iter().map(|(id, before, typed, answer)| {
        let w = &w;
        async move {
            let user = FakeUser::new(*id, "Agen").with_language("id");
            let chat = FakeChat::private(&user);
            if let Some(before) = before {
                w.ask(&chat, &user, before, "Kirim member ID").await;
            }
            let mark = w.fake.mark();
            let (asked, _) = w.ask(&chat, &user, typed, answer).await;
            deleted_before_any_answer(w, chat.id, asked, mark);
        }
    });
    futures::future::join_all(runs).await;

    // Edits never run; one that now holds a login is deleted, in private
    // and in a group (where every member sees it).
    let (siti, budi) = (siti(), budi());
    let private = FakeChat::private(&siti);
    let group = FakeChat::group(-4010, "Konter");
    let edits = [
        (&private, &siti, "saldo", "Anda belum login", "diedit"),
        (&group, &budi, "/saldo", "belum terhubung", "chat pribadi"),
    ];
    for (chat, user, first, answered, told) in edits {
        let (typed, _) = w.ask(chat, user, first, answered).await;
        let mark = w.fake.mark();
        w.fake
            .inject_edit(chat, user, typed, &format!("/login {full}"));
        w.expect_after(mark, chat.id, told).await;
        deleted_before_any_answer(&w, chat.id, typed, mark);
    }
    let balance_checks = w.sandbox.stats().balance_checks;
    w.ask(&private, &siti, "/akun", "Anda belum login").await;
    assert_eq!(
        w.sandbox.stats().balance_checks,
        balance_checks,
        "an edited login logs nobody in"
    );

    let mut w = w;
    let output = w.stop("INT").await;
    assert_never_shown(&[AGEN_PIN, AGEN_KEY], &w.fake.calls(), &output);
}

// ---------------------------------------------------------------- balance

#[tokio::test]
async fn balance_is_shown_in_rupiah_plain_in_private_and_slash_in_groups() {
    let w = World::start().await;
    let (siti, budi) = (siti(), budi());
    let private = FakeChat::private(&siti);
    let group = FakeChat::group(-4001, "Konter Siti");
    w.login(&siti, "DEMO 0000 demo").await;

    let in_private = async {
        w.ask(&private, &siti, "saldo", "Saldo DEMO: Rp5.000.000")
            .await;
    };
    let in_group = async {
        w.ask(&group, &siti, "/hubungkan", "Grup terhubung").await;
        let (asked, answer) = w
            .ask(&group, &budi, "/saldo", "Saldo DEMO: Rp5.000.000")
            .await;
        assert_eq!(replied_to(&w, group.id, answer), Some(i64::from(asked)));
    };
    tokio::join!(in_private, in_group);
    w.finish().await;
}

// ---------------------------------------------------------------- topups

#[tokio::test]
async fn repeated_topup_asks_first_and_send_again_sends_exactly_once() {
    let w = World::start().await;
    let siti = siti();
    let chat = FakeChat::private(&siti);
    w.login(&siti, "DEMO 0000 demo").await;

    let (_, first) = w
        .ask(&chat, &siti, "T10 087712345678", "Isi ulang berhasil")
        .await;
    assert!(w.text_of(chat.id, first).contains("Rp11.000"));
    let (_, question) = w.ask(&chat, &siti, "T10 087712345678", "Kirim lagi?").await;
    assert_eq!(w.sandbox.stats().topups, 1, "a repeat asks before sending");
    let buttons = w.fake.message(chat.id, question).unwrap().button_texts();
    assert_eq!(buttons, ["Kirim lagi", "Batal"]);

    let again = button_data(&w, chat.id, question, "Kirim lagi");
    let mark = w.fake.mark();
    let answer = w.tap(&chat, &siti, question, &again).await;
    assert!(answer.ok());
    let edited = w.expect_after(mark, chat.id, "Isi ulang berhasil").await;
    assert_eq!(edited, question, "the question becomes the receipt");
    assert_eq!(w.sandbox.stats().topups, 2);
    // The question's buttons are gone: the receipt carries its own.
    assert_eq!(
        w.fake.message(chat.id, question).unwrap().button_texts(),
        ["🧾 Struk", "🔁 Ulangi", "💾 Simpan", "📋 Salin SN"]
    );

    let mark = w.fake.mark();
    let answer = w.tap(&chat, &siti, question, &again).await;
    assert_eq!(answer.param_str("text").as_deref(), Some("Sudah diproses."));
    assert_eq!(w.sandbox.stats().topups, 2, "a second tap sends nothing");
    assert!(w.sends_since(mark, chat.id).is_empty());
    assert!(w.text_of(chat.id, question).contains("Isi ulang berhasil"));
    w.finish().await;
}

#[tokio::test]
async fn pending_topup_is_followed_up_as_a_reply_to_the_original_message() {
    let setup = Setup::default()
        .env("LOKET_RECHECK_AFTER", "1")
        .sandbox(SandboxConfig {
            pending_checks: 0,
            ..SandboxConfig::default()
        });
    let w = World::start_with(setup).await;
    let siti = siti();
    let chat = FakeChat::private(&siti);
    w.login(&siti, "DEMO 0000 demo").await;

    let (original, pending) = w
        .ask(&chat, &siti, "T10 089900051234", "sedang diproses")
        .await;
    let done = w.expect_after(0, chat.id, "Isi ulang berhasil").await;
    assert_ne!(done, pending, "the result comes as a new message");
    assert_eq!(replied_to(&w, chat.id, done), Some(i64::from(original)));
    let receipt = w.text_of(chat.id, done);
    assert!(receipt.contains("T10 ke 089900051234") && receipt.contains("Rp11.000"));
    let stats = w.sandbox.stats();
    assert_eq!((stats.topups, stats.charges), (1, 1));
    assert!(stats.status_checks >= 1);
    w.finish().await;
}

// ---------------------------------------------------------------- bills

#[tokio::test]
async fn bill_is_paid_once_by_the_bayar_button_and_never_again() {
    let w = World::start().await;
    let siti = siti();
    let chat = FakeChat::private(&siti);
    w.login(&siti, "DEMO 0000 demo").await;

    let (_, bill) = w
        .ask(
            &chat,
            &siti,
            "PLNPASC 546302215889 cek",
            "Tagihan PLN Pascabayar",
        )
        .await;
    let text = w.text_of(chat.id, bill);
    assert!(
        text.contains("Nama: Anto") && text.contains("Total: Rp302.750"),
        "{text}"
    );
    let buttons = w.fake.message(chat.id, bill).unwrap().buttons();
    let labels: Vec<&str> = buttons.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(labels, ["Bayar Rp302.750", "Batal", "💾 Simpan"]);
    for (label, data) in &buttons {
        let data = data.as_deref().unwrap_or_default();
        assert!((1..=64).contains(&data.len()), "{label}: {data:?}");
    }

    let pay = button_data(&w, chat.id, bill, "Bayar Rp302.750");
    let mark = w.fake.mark();
    let answer = w.tap(&chat, &siti, bill, &pay).await;
    assert!(answer.ok());
    assert_eq!(
        w.expect_after(mark, chat.id, "Pembayaran berhasil").await,
        bill
    );
    let receipt = w.text_of(chat.id, bill);
    assert!(receipt.contains("Dibayar: Rp302.750"), "{receipt}");
    assert_eq!(w.sandbox.stats().payments, 1);

    let answer = w.tap(&chat, &siti, bill, &pay).await;
    let toast = answer.param_str("text").unwrap_or_default();
    assert!(toast.contains("sudah dibayar/diproses"), "{toast}");
    assert_eq!(w.sandbox.stats().payments, 1);

    w.ask(
        &chat,
        &siti,
        "PLNPASC 546302215889 bayar",
        "sudah dibayar/diproses",
    )
    .await;
    assert_eq!(w.sandbox.stats().payments, 1);
    assert_eq!(w.sandbox.balance("DEMO"), Some(Rupiah(5_000_000 - 302_750)));
    assert!(w.text_of(chat.id, bill).contains("Pembayaran berhasil"));
    w.finish().await;
}

/// The `(label, callback_data)` of the first button of a bot message.
fn first_button(w: &World, chat_id: i64, message_id: i32) -> (String, String) {
    let message = w.fake.message(chat_id, message_id).expect("the message");
    let (label, data) = message.buttons().into_iter().next().expect("a button");
    (label, data.expect("callback data"))
}

#[tokio::test]
async fn a_tap_after_a_restart_pays_nothing_more() {
    let mut w = World::start().await;
    let siti = siti();
    let chat = FakeChat::private(&siti);
    w.login(&siti, "DEMO 0000 demo").await;

    let (_, paid) = w
        .ask(&chat, &siti, "PLNPASC 546302215889 cek", "Tagihan PLN")
        .await;
    let (_, pay_paid) = first_button(&w, chat.id, paid);
    w.tap(&chat, &siti, paid, &pay_paid).await;
    w.expect_after(0, chat.id, "Pembayaran berhasil").await;
    let (_, open) = w
        .ask(&chat, &siti, "PDAMKLT 1234567 cek", "Tagihan PDAM")
        .await;
    let (label, pay_open) = first_button(&w, chat.id, open);
    assert!(label.starts_with("Bayar Rp"), "{label}");
    assert_eq!(w.sandbox.stats().payments, 1);

    // A stale client taps the paid bill again while loket is down: the
    // tap waits at Telegram and reaches the restarted bot.
    w.stop("INT").await;
    let stale_tap = w.fake.inject_callback(&chat, &siti, paid, &pay_paid);
    w.start_again().await;
    let toast = w.answer_to(&stale_tap).await.param_str("text");
    assert!(
        toast
            .as_deref()
            .unwrap_or_default()
            .contains("sudah dibayar/diproses"),
        "{toast:?}"
    );
    assert_eq!(
        w.sandbox.stats().payments,
        1,
        "the paid bill is not paid again"
    );

    // A bill checked before the restart is paid once, however often tapped.
    let mark = w.fake.mark();
    w.tap(&chat, &siti, open, &pay_open).await;
    let receipt = w.expect_after(mark, chat.id, "Pembayaran berhasil").await;
    assert_eq!(receipt, open);
    let toast = w.tap(&chat, &siti, open, &pay_open).await.param_str("text");
    assert!(
        toast
            .as_deref()
            .unwrap_or_default()
            .contains("sudah dibayar/diproses"),
        "{toast:?}"
    );
    assert_eq!(w.sandbox.stats().payments, 2);

    // …and after one more restart, neither pays again.
    w.restart().await;
    for (message, data) in [(paid, &pay_paid), (open, &pay_open)] {
        let toast = w.tap(&chat, &siti, message, data).await.param_str("text");
        assert!(
            toast
                .as_deref()
                .unwrap_or_default()
                .contains("sudah dibayar/diproses"),
            "{toast:?}"
        );
    }
    assert_eq!(w.sandbox.stats().payments, 2);
    w.finish().await;
}

#[tokio::test]
async fn a_receipt_that_cannot_replace_the_bill_is_sent_as_a_reply_to_it() {
    let w = World::start().await;
    let siti = siti();
    let chat = FakeChat::private(&siti);
    w.login(&siti, "DEMO 0000 demo").await;
    let (_, bill) = w
        .ask(&chat, &siti, "PLNPASC 546302215889 cek", "Tagihan PLN")
        .await;
    let pay = button_data(&w, chat.id, bill, "Bayar Rp302.750");

    w.fake.fail_next(
        "editMessageText",
        1,
        BotApiFault::Api {
            code: 400,
            description: "Bad Request: message can't be edited".into(),
        },
    );
    let mark = w.fake.mark();
    w.tap(&chat, &siti, bill, &pay).await;
    let receipt = w.expect_after(mark, chat.id, "Pembayaran berhasil").await;
    assert_ne!(receipt, bill);
    assert_eq!(replied_to(&w, chat.id, receipt), Some(i64::from(bill)));
    assert_eq!(w.sandbox.stats().payments, 1);

    let toast = w.tap(&chat, &siti, bill, &pay).await.param_str("text");
    assert!(
        toast
            .as_deref()
            .unwrap_or_default()
            .contains("sudah dibayar/diproses"),
        "{toast:?}"
    );
    assert_eq!(w.sandbox.stats().payments, 1);
    w.finish().await;
}

#[tokio::test]
async fn an_unfinished_topup_is_followed_again_after_a_restart() {
    // No re-check before the restart: the first one is a minute away.
    let setup = Setup::default()
        .env("LOKET_RECHECK_AFTER", "60")
        .sandbox(SandboxConfig {
            pending_checks: 0,
            ..SandboxConfig::default()
        });
    let mut w = World::start_with(setup).await;
    let siti = siti();
    let chat = FakeChat::private(&siti);
    w.login(&siti, "DEMO 0000 demo").await;
    let (original, _) = w
        .ask(&chat, &siti, "T10 089900051234", "sedang diproses")
        .await;
    assert_eq!(w.sandbox.stats().status_checks, 0);

    // The restarted bot may tell the result before it even polls.
    let mark = w.fake.mark();
    w.restart().await;
    let done = w.expect_after(mark, chat.id, "Isi ulang berhasil").await;
    assert_eq!(replied_to(&w, chat.id, done), Some(i64::from(original)));
    let stats = w.sandbox.stats();
    assert_eq!((stats.topups, stats.charges), (1, 1), "nothing is resent");
    w.finish().await;
}

// ---------------------------------------------------------------- groups

#[tokio::test]
async fn login_in_a_group_is_refused_deleted_and_nothing_is_stored() {
    let w = World::start_with(Setup::default().sandbox(with_agen7())).await;
    let siti = siti();
    let group = FakeChat::group(-4001, "Konter Siti");

    let (login, refusal) = w
        .ask(
            &group,
            &siti,
            &format!("/login {}", agen7_login()),
            "login hanya lewat chat pribadi",
        )
        .await;
    assert_eq!(w.fake.deleted(group.id), vec![login]);
    assert_eq!(replied_to(&w, group.id, refusal), None);
    assert_eq!(w.sandbox.stats().balance_checks, 0, "nothing was checked");

    let private = FakeChat::private(&siti);
    w.ask(&private, &siti, "/akun", "Anda belum login").await;
    w.ask(&group, &siti, "/hubungkan", "Login dulu di chat pribadi")
        .await;
    assert_eq!(w.sandbox.stats().requests, 0);
    w.finish().await;
}

#[tokio::test]
async fn linked_group_shares_the_balance_and_only_allowed_members_buy_or_pay() {
    let w = World::start().await;
    let (owner, member) = (siti(), budi());
    let shop = FakeChat::supergroup(-100_400_200_300, "Konter Siti");
    let other = FakeChat::group(-4002, "Arisan");
    let counter = FakeChat::group(-4005, "Loket Bersama");
    w.login(&owner, "DEMO 0000 demo").await;

    let permissions = async {
        w.ask(&shop, &owner, "/hubungkan", "Grup terhubung").await;
        w.ask(&shop, &member, "/saldo", "Rp5.000.000").await;
        let (asked, _) = w
            .ask(&shop, &member, "/beli T10 087712345678", "belum diizinkan")
            .await;
        assert_eq!(w.sandbox.stats().topups, 0);

        let mark = w.fake.mark();
        w.fake.inject_reply(&shop, &owner, "/izinkan", asked);
        w.expect_after(mark, shop.id, "Pengguna 2002 sekarang boleh")
            .await;
        w.ask(
            &shop,
            &member,
            "/beli T10 087712345678",
            "Isi ulang berhasil",
        )
        .await;
        assert_eq!(w.sandbox.stats().topups, 1);

        let mark = w.fake.mark();
        w.fake.inject_reply(&shop, &owner, "/cabut", asked);
        w.expect_after(mark, shop.id, "Izin pengguna 2002 dicabut")
            .await;
        w.ask(&shop, &member, "/beli T5 087712345678", "belum diizinkan")
            .await;
        assert_eq!(w.sandbox.stats().topups, 1);
    };
    let unlinking = async {
        w.ask(&other, &owner, "/hubungkan", "Grup terhubung").await;
        w.ask(&other, &member, "/putus", "Hanya pemilik akun").await;
        w.ask(&other, &owner, "/putus", "Grup diputus").await;
        w.ask(&other, &member, "/saldo", "belum terhubung").await;
    };
    let bills = async {
        w.ask(&counter, &owner, "/hubungkan", "Grup terhubung")
            .await;
        let (_, bill) = w
            .ask(&counter, &owner, "/cek PLNPASC 546302215889", "Tagihan PLN")
            .await;
        let pay = button_data(&w, counter.id, bill, "Bayar Rp302.750");
        let toast = w.tap(&counter, &member, bill, &pay).await.param_str("text");
        assert!(
            toast
                .as_deref()
                .unwrap_or_default()
                .contains("belum diizinkan"),
            "{toast:?}"
        );
        assert_eq!(w.sandbox.stats().payments, 0);
        let mark = w.fake.mark();
        w.tap(&counter, &owner, bill, &pay).await;
        let receipt = w
            .expect_after(mark, counter.id, "Pembayaran berhasil")
            .await;
        assert_eq!(receipt, bill);
        assert_eq!(w.sandbox.stats().payments, 1);
    };
    tokio::join!(permissions, unlinking, bills);
    w.finish().await;
}

#[tokio::test]
async fn group_chatter_gets_silence_but_commands_for_loket_and_replies_to_it_get_answers() {
    let w = World::start().await;
    let budi = budi();
    let group = FakeChat::group(-4003, "Arisan");
    let start = w.fake.mark();

    w.say(&group, &budi, "halo semua");
    w.say(&group, &budi, "saldo");
    w.say(&group, &budi, "/saldo@other_bot");
    assert!(
        w.fake
            .wait_until_idle(Duration::from_millis(800), WAIT)
            .await
    );
    assert!(
        w.sends_since(start, group.id).is_empty(),
        "{:?}",
        w.fake.sent_texts(group.id)
    );
    assert!(w
        .fake
        .calls_of("sendChatAction")
        .iter()
        .all(|c| c.chat_id() != Some(group.id)));

    let (asked, answer) = w
        .ask(
            &group,
            &budi,
            &format!("/saldo@{BOT_USERNAME}"),
            "belum terhubung",
        )
        .await;
    assert_eq!(replied_to(&w, group.id, answer), Some(i64::from(asked)));
    assert_eq!(w.sends_since(start, group.id).len(), 1);

    let mark = w.fake.mark();
    w.fake.inject_reply(&group, &budi, "bantuan", answer);
    w.expect_after(mark, group.id, "loket di grup").await;
    assert_eq!(w.sends_since(start, group.id).len(), 2);
    w.finish().await;
}

// ---------------------------------------------------------------- language and menu

#[tokio::test]
async fn bahasa_en_switches_that_chat_to_english() {
    let w = World::start().await;
    let (siti, budi) = (siti(), budi());
    let english = FakeChat::private(&siti);
    let indonesian = FakeChat::private(&budi);

    let switched = async {
        w.ask(&english, &siti, "/bahasa en", "Language set to English.")
            .await;
        w.ask(&english, &siti, "bantuan", "PPOB transactions by chat")
            .await;
        w.ask(
            &english,
            &siti,
            "/login DEMO 0000 demo",
            "Logged in as DEMO",
        )
        .await;
    };
    let untouched = async {
        w.ask(&indonesian, &budi, "bantuan", "transaksi PPOB lewat chat")
            .await;
    };
    tokio::join!(switched, untouched);
    w.finish().await;
}

#[tokio::test]
async fn command_menus_are_set_in_indonesian_and_english_with_valid_names() {
    let w = World::start().await;
    let valid = |name: &str| {
        (1..=32).contains(&name.len())
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    };
    let sets = w.fake.calls_of("setMyCommands");
    assert!(sets.iter().all(|c| c.ok()), "{sets:#?}");
    let id = w
        .fake
        .commands_for("default", Some("id"))
        .expect("an id menu");
    let en = w
        .fake
        .commands_for("default", Some("en"))
        .expect("an en menu");
    assert!(w.fake.commands_for("default", None).is_some());
    for menu in [&id, &en] {
        assert!(menu.iter().all(|(name, _)| valid(name)), "{menu:?}");
        let names: Vec<&str> = menu.iter().map(|(n, _)| n.as_str()).collect();
        for needed in [
            "saldo",
            "beli",
            "cek",
            "bayar",
            "login",
            "bahasa",
            "hubungkan",
            "izinkan",
        ] {
            assert!(names.contains(&needed), "{needed} missing from {names:?}");
        }
    }
    let names = |m: &[(String, String)]| m.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
    assert_eq!(names(&id), names(&en));
    assert!(id.contains(&("saldo".into(), "Cek saldo".into())), "{id:?}");
    assert!(
        en.contains(&("saldo".into(), "Check balance".into())),
        "{en:?}"
    );
    // Private chats and groups each get their own menu from the command
    // table: no `/login` in groups, no group settings in private chats.
    for lang in [None, Some("id"), Some("en")] {
        let private = w
            .fake
            .commands_for("all_private_chats", lang)
            .expect("a private menu");
        let group = w
            .fake
            .commands_for("all_group_chats", lang)
            .expect("a group menu");
        let (private, group) = (names(&private), names(&group));
        assert!(private.contains(&"login".to_string()), "{private:?}");
        assert!(!private.contains(&"hubungkan".to_string()), "{private:?}");
        assert!(group.contains(&"hubungkan".to_string()), "{group:?}");
        assert!(!group.contains(&"login".to_string()), "{group:?}");
        assert!(group.contains(&"saldo".to_string()), "{group:?}");
    }
    w.finish().await;
}

// ---------------------------------------------------------------- secrets

#[tokio::test]
async fn no_pin_key_or_sign_reaches_telegram_or_the_logs() {
    const WRONG_PIN: &str = "55501234";
    const WRONG_KEY: &str = "kunci-salah-4d1";
    let setup = Setup::default()
        .sandbox(with_agen7())
        .env("LOKET_LOG", "debug")
        .env("LOKET_RECHECK_AFTER", "1");
    let mut w = World::start_with(setup).await;
    let (siti, budi) = (siti(), budi());
    let (one_line, step_by_step) = (FakeChat::private(&siti), FakeChat::private(&budi));
    let group = FakeChat::group(-4004, "Konter");

    let trading = async {
        w.ask(
            &one_line,
            &siti,
            &format!("/login {}", agen7_login()),
            "Login berhasil",
        )
        .await;
        w.ask(&one_line, &siti, "saldo", "Rp2.500.000").await;
        // Charged, then HTTP 500: unknown, followed up with status checks.
        w.ask(&one_line, &siti, "T10 089900021234", "belum jelas")
            .await;
        w.expect_after(0, one_line.id, "Isi ulang berhasil").await;
        let (_, bill) = w
            .ask(&one_line, &siti, "PLNPASC 546302215889 cek", "Tagihan PLN")
            .await;
        let pay = button_data(&w, one_line.id, bill, "Bayar Rp302.750");
        w.tap(&one_line, &siti, bill, &pay).await;
        w.ask(&one_line, &siti, "/akun", "API key: ku****f3").await;
    };
    let stepping = async {
        w.ask(&step_by_step, &budi, "/login", "member ID").await;
        w.ask(&step_by_step, &budi, AGEN_MEMBER, "PIN").await;
        w.ask(&step_by_step, &budi, AGEN_PIN, "API key").await;
        w.ask(&step_by_step, &budi, AGEN_KEY, "Login berhasil")
            .await;
        let wrong = format!("/login {AGEN_MEMBER} {WRONG_PIN} {WRONG_KEY}");
        w.ask(&step_by_step, &budi, &wrong, "Login ditolak").await;
    };
    let in_group = async {
        let login = format!("/login {}", agen7_login());
        w.ask(&group, &siti, &login, "login hanya lewat chat pribadi")
            .await;
    };
    tokio::join!(trading, stepping, in_group);
    assert_eq!(w.sandbox.stats().payments, 1);

    let output = w.stop("INT").await;
    assert!(
        output.iter().any(|l| l.contains("DEBUG")),
        "debug logging was on"
    );
    let secrets = [AGEN_PIN, AGEN_KEY, WRONG_PIN, WRONG_KEY];
    assert_never_shown(&secrets, &w.fake.calls(), &output);

    // At rest the PIN and key are encrypted.
    for file in files_under(&w.data_dir()) {
        let bytes = std::fs::read(&file).unwrap_or_default();
        for secret in [AGEN_PIN, AGEN_KEY] {
            assert!(
                !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
                "{secret} is readable in {}",
                file.display()
            );
        }
    }
}

#[tokio::test]
async fn akun_shows_nothing_in_groups_and_a_gateway_password_never_leaves_loket() {
    const PASSWORD: &str = "Sup3rPass";
    let setup = Setup::default()
        .sandbox(with_agen7())
        .env("LOKET_LOG", "trace");
    let mut w = World::start_with(setup).await;
    let port = w.sandbox.base_url().rsplit(':').next().unwrap().to_string();
    let url = format!("http://agen:{PASSWORD}@127.0.0.1:{port}");
    let shown = format!("http://agen:***@127.0.0.1:{port}");
    let (siti, budi) = (siti(), budi());
    let private = FakeChat::private(&siti);
    let group = FakeChat::group(-4011, "Konter Siti");

    w.login(&siti, &format!("{} {url}", agen7_login())).await;
    w.ask(&group, &siti, "/hubungkan", "Grup terhubung").await;
    for asker in [&budi, &siti] {
        let (_, answer) = w.ask(&group, asker, "/akun", "chat pribadi").await;
        let text = w.text_of(group.id, answer);
        for part in [AGEN_MEMBER, "127.0.0.1", "agen:", "ku****f3"] {
            assert!(
                !text.contains(part),
                "{} saw {part}: {text}",
                asker.first_name
            );
        }
    }
    let (_, akun) = w.ask(&private, &siti, "/akun", "Akun: AGEN7").await;
    let akun = w.text_of(private.id, akun);
    assert!(akun.contains(&format!("Gateway: {shown}")), "{akun}");
    assert!(akun.contains("API key: ku****f3"), "{akun}");
    // The URL signs and journals a topup and a balance call.
    w.ask(&private, &siti, "T10 087712345678", "Isi ulang berhasil")
        .await;
    w.ask(&group, &budi, "/saldo", "Saldo AGEN7").await;

    let output = w.stop("INT").await;
    use base64::Engine as _;
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("agen:{PASSWORD}"));
    assert_never_shown(
        &[PASSWORD, &basic, AGEN_PIN, AGEN_KEY],
        &w.fake.calls(),
        &output,
    );
    for file in files_under(&w.data_dir()) {
        let bytes = std::fs::read(&file).unwrap_or_default();
        assert!(
            !bytes
                .windows(PASSWORD.len())
                .any(|w| w == PASSWORD.as_bytes()),
            "the gateway password is readable in {}",
            file.display()
        );
    }
}

fn files_under(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files
}

// ---------------------------------------------------------------- stopping

#[tokio::test]
async fn sigint_and_sigterm_both_stop_the_bot_with_status_0() {
    let (by_int, by_term) = tokio::join!(World::start(), World::start());
    tokio::join!(by_int.finish(), async {
        let mut by_term = by_term;
        by_term.stop("TERM").await;
    });
}

#[tokio::test]
async fn a_stop_lets_the_update_in_flight_finish() {
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

    // Charged at once, answered 1.5 s later.
    w.say(&chat, &siti, "T10 089900011234");
    let deadline = tokio::time::Instant::now() + WAIT;
    while w.sandbox.stats().topups == 0 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the topup never arrived"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    w.stop("INT").await;
    let sent = w.fake.sent_texts(chat.id);
    assert!(
        sent.iter().any(|t| t.contains("Isi ulang berhasil")),
        "the answer in flight was lost: {sent:#?}"
    );
    let typing = w.fake.calls_of("sendChatAction");
    assert!(
        typing
            .iter()
            .any(|c| c.chat_id() == Some(chat.id)
                && c.param_str("action").as_deref() == Some("typing")),
        "a slow answer shows typing…: {typing:?}"
    );
}

#[tokio::test]
async fn a_follow_up_result_being_sent_when_the_bot_stops_is_still_delivered() {
    let setup = Setup::default()
        .env("LOKET_RECHECK_AFTER", "1")
        .sandbox(SandboxConfig {
            pending_checks: 0,
            ..SandboxConfig::default()
        });
    let mut w = World::start_with(setup).await;
    let siti = siti();
    let chat = FakeChat::private(&siti);
    w.login(&siti, "DEMO 0000 demo").await;
    w.ask(&chat, &siti, "T10 089900051234", "sedang diproses")
        .await;

    // The follow-up's first send meets a 429: the throttle waits 2 s to
    // retry, and the bot is told to stop meanwhile.
    let mark = w.fake.mark();
    w.fake
        .fail_next("sendMessage", 1, BotApiFault::RetryAfter(2));
    let refused = w
        .fake
        .wait_for_after(mark, "sendMessage", |c| !c.ok(), WAIT)
        .await;
    assert!(refused.is_some(), "the follow-up was never attempted");
    w.stop("INT").await;
    let sent = w.fake.sent_texts(chat.id);
    assert!(
        sent.iter().any(|t| t.contains("Isi ulang berhasil")),
        "the follow-up result was dropped at the stop: {sent:#?}"
    );
}

/// Starts loket with `method`'s answers held back 1.5 s, signals it while
/// it waits for one, and requires a clean exit.
async fn stop_while_waiting_for(method: &str, signal: &str) {
    let fake = FakeBotApi::start().await;
    let proxy = DelayProxy::start(fake.api_url(), method, Duration::from_millis(1500)).await;
    let mut w = World::start_on(fake, proxy.url(), Setup::default().no_wait()).await;
    let seen = w.fake.wait_for(method, |_| true, WAIT).await;
    assert!(seen.is_some(), "loket never called {method}");
    w.stop(signal).await;
}

#[tokio::test]
async fn sigterm_while_setting_the_command_menu_stops_cleanly() {
    stop_while_waiting_for("setMyCommands", "TERM").await;
}

#[tokio::test]
async fn sigint_before_polling_starts_stops_cleanly() {
    // teloxide asks getWebhookInfo before its dispatcher counts as running.
    stop_while_waiting_for("getWebhookInfo", "INT").await;
}

// ---------------------------------------------------------------- setup

#[tokio::test]
async fn without_a_gateway_url_loket_run_uses_its_built_in_sandbox() {
    let w = World::start_with(Setup::default().unset("LOKET_GATEWAY_URL")).await;
    let siti = siti();
    let chat = FakeChat::private(&siti);
    w.login(&siti, "DEMO 0000 demo").await;
    let (_, akun) = w.ask(&chat, &siti, "/akun", "Akun: DEMO").await;
    let akun = w.text_of(chat.id, akun);
    assert!(akun.contains("Gateway: http://127.0.0.1:"), "{akun}");
    assert!(!akun.contains(&w.sandbox.base_url()), "{akun}");
    assert_eq!(
        w.sandbox.stats().requests,
        0,
        "the test's sandbox was not used"
    );
    w.finish().await;
}

// ---------------------------------------------------------------- webhook

fn webhook_setup(listen: SocketAddr) -> Setup {
    Setup::default()
        .env("LOKET_WEBHOOK_URL", &format!("http://{listen}/telegram"))
        .env("LOKET_LISTEN", &listen.to_string())
}

#[tokio::test]
async fn webhook_mode_answers_updates_posted_to_it_and_stops_cleanly() {
    let listen = free_loopback_address();
    let mut w = World::start_with(webhook_setup(listen)).await;
    let hook = format!("http://{listen}/telegram");
    assert_eq!(w.fake.webhook_url().as_deref(), Some(hook.as_str()));
    let siti = siti();
    let chat = FakeChat::private(&siti);
    w.login(&siti, "DEMO 0000 demo").await;
    w.ask(&chat, &siti, "saldo", "Rp5.000.000").await;
    assert!(w.fake.calls_of("getUpdates").is_empty());
    w.stop("TERM").await;
}

#[tokio::test]
async fn webhook_mode_fails_loudly_when_its_port_is_taken() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a port");
    let listen = taken.local_addr().expect("its address");
    let fake = FakeBotApi::start().await;
    let api_url = fake.api_url();
    let mut w = World::start_on(fake, api_url, webhook_setup(listen).no_wait()).await;
    let (status, output) = w.wait_for_exit(WAIT).await;
    let status = status.expect("loket gives up when it cannot listen");
    assert!(
        !status.success(),
        "exit {status}; it printed:\n{}",
        output.join("\n")
    );
    assert!(
        output.iter().any(|l| l.contains(&listen.to_string())),
        "the error names the address: {output:#?}"
    );
    assert_eq!(
        w.fake.webhook_url(),
        None,
        "Telegram is not sent to a dead address"
    );
    drop(taken);
}

#[tokio::test]
async fn a_slow_payment_answers_the_tap_at_once_and_edits_the_bill_when_done() {
    let w = World::start().await;
    let siti = siti();
    let chat = FakeChat::private(&siti);
    w.login(&siti, "DEMO 0000 demo").await;
    let (_, bill) = w
        .ask(&chat, &siti, "PDAMKLT 0012345678 cek", "Tagihan PDAM")
        .await;
    let pay = button_data(&w, chat.id, bill, "Bayar Rp197.500");
    w.sandbox.set_latency(Duration::from_secs(4));
    let mark = w.fake.mark();
    let tapped = std::time::Instant::now();
    let answer = w.tap(&chat, &siti, bill, &pay).await;
    assert!(
        tapped.elapsed() < Duration::from_millis(3500),
        "answered while the gateway still works"
    );
    let toast = answer.param_str("text").unwrap_or_default();
    assert!(toast.contains("Sedang diproses"), "{toast}");
    assert_eq!(
        w.expect_after(mark, chat.id, "Pembayaran berhasil").await,
        bill
    );
    w.sandbox.set_latency(Duration::ZERO);
    assert_eq!(w.sandbox.stats().payments, 1);
    assert!(
        w.sends_since(mark, chat.id).is_empty(),
        "the edited bill is the result; no bare toast message beside it"
    );
    w.finish().await;
}

#[tokio::test]
async fn a_reply_refused_for_a_migrated_group_goes_to_the_supergroup_with_its_link() {
    let w = World::start().await;
    let siti = siti();
    let group = FakeChat::group(-4101, "Konter Siti");
    let supergroup = FakeChat::supergroup(-100_4101, "Konter Siti");
    w.fake.register_chat(&supergroup);
    w.login(&siti, "DEMO 0000 demo").await;
    w.ask(&group, &siti, "/hubungkan", "Grup terhubung").await;
    // Telegram refuses the next reply to the old id, naming the new one.
    w.fake
        .fail_next("sendMessage", 1, BotApiFault::Migrated(supergroup.id));
    let mark = w.fake.mark();
    w.say(&group, &siti, "/saldo");
    w.expect_after(mark, supergroup.id, "Saldo DEMO: Rp5.000.000")
        .await;
    // The link moved with it: the supergroup is served as the group was.
    w.ask(&supergroup, &budi(), "/saldo", "Saldo DEMO: Rp5.000.000")
        .await;
    w.finish().await;
}

#[tokio::test]
async fn one_account_pays_a_bill_once_and_asks_before_a_repeat_across_its_chats() {
    // A center that is not loket's own R-ONE sandbox: OtomaX templates.
    let mut w = World::start_with(Setup::default().env("LOKET_RECHECK_AFTER", "3600").sandbox(
        SandboxConfig {
            dialect: loket::sandbox::Dialect::Otomax,
            ..SandboxConfig::default()
        },
    ))
    .await;
    let siti = siti();
    let private = FakeChat::private(&siti);
    let group = FakeChat::group(-4201, "Konter Siti");
    w.login(&siti, "DEMO 0000 demo").await;
    w.ask(&group, &siti, "/hubungkan", "Grup terhubung").await;

    // The same bill checked in private, then in the linked group.
    let (_, older) = w
        .ask(&private, &siti, "PLNPASC 546302215889 cek", "Tagihan PLN")
        .await;
    let (_, newer) = w
        .ask(&group, &siti, "/cek PLNPASC 546302215889", "Tagihan PLN")
        .await;
    let pay_older = button_data(&w, private.id, older, "Bayar Rp302.750");
    let mark = w.fake.mark();
    let toast = w.tap(&private, &siti, older, &pay_older).await;
    let edited = w.expect_after(mark, private.id, "diganti").await;
    assert_eq!(edited, older);
    assert!(
        w.fake
            .message(private.id, older)
            .unwrap()
            .buttons()
            .is_empty(),
        "the older bill loses its button"
    );
    assert!(
        toast
            .param_str("text")
            .unwrap_or_default()
            .contains("diganti"),
        "{toast:?}"
    );
    assert_eq!(
        w.sandbox.stats().payments,
        0,
        "the older check pays nothing"
    );
    let mark = w.fake.mark();
    let pay_newer = button_data(&w, group.id, newer, "Bayar Rp302.750");
    w.tap(&group, &siti, newer, &pay_newer).await;
    w.expect_after(mark, group.id, "Pembayaran berhasil").await;
    w.tap(&private, &siti, older, &pay_older).await;
    assert_eq!(w.sandbox.stats().payments, 1, "one jenis=6");

    // A topup in private, the same one typed in the group: asked first.
    w.ask(&private, &siti, "T10 081200009001", "Isi ulang berhasil")
        .await;
    w.ask(&group, &siti, "/beli T10 081200009001", "Kirim lagi?")
        .await;
    assert_eq!(w.sandbox.stats().topups, 1);

    // A charged topup whose answer is lost, then a restart with a trailing
    // slash added to LOKET_GATEWAY_URL: it is followed to its end at once.
    w.sandbox
        .inject(loket::sandbox::Fault::ServerErrorAfterCharge, 1);
    w.ask(&private, &siti, "T10 081200009002", "dicek").await;
    w.stop("INT").await;
    let url = format!("{}/", w.sandbox.base_url());
    w.set_env("LOKET_GATEWAY_URL", &url);
    w.set_env("LOKET_RECHECK_AFTER", "1");
    let mark = w.fake.mark();
    w.start_again().await;
    w.expect_after(mark, private.id, "berhasil").await;
    assert_eq!(w.sandbox.stats().topups, 2, "followed, never resent");
    w.finish().await;
}

// ---------------------------------------------------------------- the shop

/// The file a `sendPhoto`/`sendDocument` call uploaded, and its caption.
fn uploaded(call: &fake_bot_api::RecordedCall, field: &str) -> (String, Vec<u8>, String) {
    use base64::Engine as _;
    let file = &call.params[field];
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(file["base64"].as_str().unwrap_or_default())
        .expect("the upload's bytes");
    (
        file["file_name"].as_str().unwrap_or_default().to_string(),
        bytes,
        call.params["caption"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
    )
}

#[tokio::test]
async fn the_struk_button_sends_a_photo_and_ekspor_sends_a_csv_document() {
    let w = World::start().await;
    let siti = siti();
    let chat = FakeChat::private(&siti);
    w.login(&siti, "DEMO 0000 demo").await;
    w.ask(&chat, &siti, "/jual T10 12000", "Harga jual disimpan")
        .await;
    w.ask(
        &chat,
        &siti,
        "/toko Konter Berkah, Jl. Mawar 5",
        "Toko disimpan",
    )
    .await;
    let (_, receipt) = w
        .ask(&chat, &siti, "T10 087712345678", "Isi ulang berhasil")
        .await;
    assert!(w
        .text_of(chat.id, receipt)
        .contains("Tagih pelanggan: Rp12.000"));

    // The SN is one tap to copy: a copy_text button of its own row.
    let text = w.text_of(chat.id, receipt);
    let sn = text
        .lines()
        .find_map(|l| l.strip_prefix("SN: "))
        .expect("an SN")
        .to_string();
    let markup = w.fake.message(chat.id, receipt).unwrap().json["reply_markup"].clone();
    assert_eq!(
        markup["inline_keyboard"][1][0]["copy_text"]["text"],
        sn.as_str(),
        "{markup}"
    );
    assert_eq!(
        markup["inline_keyboard"][1][0]["text"], "📋 Salin SN",
        "{markup}"
    );
    let struk = button_data(&w, chat.id, receipt, "🧾 Struk");
    let mark = w.fake.mark();
    assert!(w.tap(&chat, &siti, receipt, &struk).await.ok());
    w.expect_after(mark, chat.id, "KONTER BERKAH").await;
    let photos = w.fake.calls_of("sendPhoto");
    let photo = photos.last().expect("a sendPhoto");
    assert!(photo.ok(), "{:?}", photo.response);
    let (name, png, caption) = uploaded(photo, "photo");
    assert!(
        name.starts_with("struk-") && name.ends_with(".png"),
        "{name}"
    );
    let decoder = png::Decoder::new(std::io::Cursor::new(&png));
    let info = decoder.read_info().expect("a PNG").info().clone();
    assert_eq!(info.width, 384);
    assert!(caption.contains("Total bayar: Rp12.000"), "{caption}");
    assert!(caption.contains("No. pelanggan: 087712345678"), "{caption}");
    assert_eq!(
        photo.params["reply_markup"]["inline_keyboard"][0][0]["copy_text"]["text"],
        sn.as_str(),
        "the receipt's SN is one tap to copy too"
    );

    let mark = w.fake.mark();
    w.say(&chat, &siti, "/ekspor");
    w.expect_after(mark, chat.id, "CSV").await;
    let documents = w.fake.calls_of("sendDocument");
    let document = documents.last().expect("a sendDocument");
    assert!(document.ok(), "{:?}", document.response);
    let (name, csv, _) = uploaded(document, "document");
    assert!(
        name.starts_with("loket-") && name.ends_with(".csv"),
        "{name}"
    );
    let csv = String::from_utf8(csv).expect("UTF-8");
    let mut lines = csv.lines();
    assert!(
        lines.next().unwrap().starts_with("waktu_wib,refid,produk"),
        "{csv}"
    );
    let row = lines.next().expect("the topup's row");
    assert!(
        row.contains(",T10,087712345678,") && row.contains(",11000,12000,1000,"),
        "{row}"
    );
    w.finish().await;
}
