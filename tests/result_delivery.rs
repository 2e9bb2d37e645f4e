//! A money result is told until Telegram takes it: the real `loket run`
//! binary against a fake Bot API that fails on demand (5xx, 429, a message
//! that cannot be edited) and a `kill -9` between the journal turning final
//! and the message going out. Each case: the result reaches the chat, once.

#[path = "support/fake_bot_api.rs"]
mod fake_bot_api;
#[path = "support/loket_process.rs"]
mod loket_process;

use std::time::Duration;

use fake_bot_api::{FakeChat, FakeUser, Fault as BotApiFault};
use loket::sandbox::SandboxConfig;
use loket_process::{button_data, Setup, World, STOP_WAIT};

/// Longer than the bot's first retry after a 5xx (teloxide itself waits
/// 10 s before reading a 5xx body).
const RETRY_WAIT: Duration = Duration::from_secs(25);

fn siti() -> FakeUser {
    FakeUser::new(1001, "Siti").with_language("id")
}

/// How many messages in `chat` (sent, or edited into) hold `needle`.
fn shown_times(w: &World, chat: i64, needle: &str) -> usize {
    w.fake
        .sent_texts(chat)
        .iter()
        .filter(|t| t.contains(needle))
        .count()
}

async fn wait_for(w: &World, chat: i64, needle: &str, limit: Duration) -> bool {
    let deadline = std::time::Instant::now() + limit;
    while std::time::Instant::now() < deadline {
        if shown_times(w, chat, needle) > 0 {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

fn bad_gateway() -> BotApiFault {
    BotApiFault::Api {
        code: 502,
        description: "Bad Gateway".into(),
    }
}

#[tokio::test]
async fn a_result_refused_with_a_5xx_or_429_is_sent_again_until_telegram_takes_it() {
    // (case, fault on the message that tells the result, a pending topup
    // whose result is a follow-up notice?)
    let cases = [
        ("502 on a topup's result", bad_gateway(), false),
        ("500 on a topup's result", BotApiFault::ServerError, false),
        ("500 on a follow-up result", BotApiFault::ServerError, true),
        ("429 on a topup's result", BotApiFault::RetryAfter(1), false),
    ];
    let runs = cases.into_iter().map(|(name, fault, pending)| async move {
        let w = World::start_with(Setup::default().env("LOKET_RECHECK_AFTER", "1")).await;
        let siti = siti();
        let chat = FakeChat::private(&siti);
        w.login(&siti, "DEMO 0000 demo").await;
        let dest = if pending {
            "089900051234"
        } else {
            "081200009001"
        };
        if pending {
            w.ask(&chat, &siti, &format!("T10 {dest}"), "sedang diproses")
                .await;
        }
        w.fake.fail_next("sendMessage", 1, fault);
        if !pending {
            w.say(&chat, &siti, &format!("T10 {dest}"));
        }
        assert!(
            wait_for(&w, chat.id, "Isi ulang berhasil", RETRY_WAIT).await,
            "{name}: the result reached the chat; loket printed:\n{}",
            w.output().join("\n")
        );
        assert_eq!(
            shown_times(&w, chat.id, "Isi ulang berhasil"),
            1,
            "{name}: once"
        );
        assert_eq!(w.sandbox.stats().topups, 1, "{name}: charged once");
        w.finish().await;
    });
    futures::future::join_all(runs).await;
}

#[tokio::test]
async fn a_result_not_taken_before_a_kill_is_told_at_the_next_start() {
    let mut w = World::start().await;
    let siti = siti();
    let chat = FakeChat::private(&siti);
    w.login(&siti, "DEMO 0000 demo").await;
    // Telegram asks the bot to wait half a minute before the result: the
    // journal is final, the message not sent, when the bot is killed.
    w.fake
        .fail_next("sendMessage", 1, BotApiFault::RetryAfter(30));
    let (original, _) = (w.say(&chat, &siti, "T10 081200009001"), ());
    let deadline = std::time::Instant::now() + Duration::from_secs(8);
    while w
        .fake
        .calls_of("sendMessage")
        .iter()
        .all(|c| c.ok() || c.chat_id() != Some(chat.id))
        && std::time::Instant::now() < deadline
    {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(w.sandbox.stats().topups, 1);
    assert_eq!(shown_times(&w, chat.id, "Isi ulang berhasil"), 0);
    w.bot_mut().signal("KILL").await;
    w.wait_for_exit(STOP_WAIT).await;

    let mark = w.fake.mark();
    w.start_again().await;
    let told = w.expect_after(mark, chat.id, "Isi ulang berhasil").await;
    let replied =
        w.fake.message(chat.id, told).unwrap().json["reply_to_message"]["message_id"].as_i64();
    assert_eq!(replied, Some(i64::from(original)), "a reply to the topup");
    assert_eq!(shown_times(&w, chat.id, "Isi ulang berhasil"), 1);
    // Told means told: another restart says nothing more.
    w.restart().await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(shown_times(&w, chat.id, "Isi ulang berhasil"), 1);
    assert_eq!(w.sandbox.stats().topups, 1, "never resent");
    w.finish().await;
}

#[tokio::test]
async fn a_bill_whose_edit_and_first_send_fail_loses_its_button_and_gets_its_receipt() {
    let w = World::start_with(Setup::default().sandbox(SandboxConfig::default())).await;
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
    w.fake.fail_next("sendMessage", 1, BotApiFault::ServerError);
    w.tap(&chat, &siti, bill, &pay).await;
    assert!(
        wait_for(&w, chat.id, "Pembayaran berhasil", RETRY_WAIT).await,
        "the receipt arrived; loket printed:\n{}",
        w.output().join("\n")
    );
    let left = w.fake.message(chat.id, bill).unwrap().buttons();
    assert!(
        left.iter()
            .all(|(_, data)| !data.as_deref().unwrap_or("").starts_with("pay")),
        "the bill keeps no live Bayar button: {left:?}"
    );
    assert_eq!(shown_times(&w, chat.id, "Pembayaran berhasil"), 1);
    assert_eq!(w.sandbox.stats().payments, 1);
    w.finish().await;
}
