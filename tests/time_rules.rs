//! Rules that depend on the time, tested on a clock the test moves: users
//! read WIB, bills expire, a WIB day ends at midnight Jakarta time. The
//! engine reads its time only from `EngineConfig::clock`.

use std::time::Duration;

use loket::engine::ChatCtx;

#[path = "support/chat.rs"]
mod chat;
#[path = "support/engine_world.rs"]
mod engine_world;

use chat::shown;
use engine_world::{button, world_at, OWNER};

fn me() -> ChatCtx {
    ChatCtx::private(OWNER)
}

#[tokio::test]
async fn riwayat_shows_wib_times() {
    // 17:10 UTC on the 1st is 00:10 WIB on the 2nd.
    let (w, _) = world_at("2026-12-01T17:10:00Z").await;
    w.say_in(me(), "T10 081200009011").await;
    let history = shown(&w.say_in(me(), "riwayat").await);
    assert!(history.contains("02/12 00:10"), "{history}");
    assert!(!history.contains("01/12 17:10"), "{history}");
}

#[tokio::test]
async fn a_bill_expires_on_the_clock_without_sleeping() {
    let (w, clock) = world_at("2026-12-01T03:00:00Z").await;
    let check = w.say_in(me(), "PLNPASC 546302215889 cek").await;
    clock.advance(Duration::from_secs(31 * 60));
    let late = w.press(me(), &button(&check, "Bayar")).await;
    assert!(shown(&late).contains("kedaluwarsa"), "{late:?}");
    assert_eq!(w.sandbox.stats().payments, 0);
}

#[tokio::test]
async fn paid_today_means_the_same_wib_day() {
    // Paid at 23:50 WIB; checked again at 00:10 WIB the next day: a new
    // day, so no question. Checked again at 23:59 the same day: asked.
    let (w, clock) = world_at("2026-12-01T16:50:00Z").await;
    let first = w.say_in(me(), "PLNPASC 546302215889 cek").await;
    assert!(shown(&w.press(me(), &button(&first, "Bayar")).await).contains("berhasil"));
    clock.advance(Duration::from_secs(9 * 60));
    let same_day = w.say_in(me(), "PLNPASC 546302215889 cek").await;
    let asked = w.press(me(), &button(&same_day, "Bayar")).await;
    assert!(
        shown(&asked).contains("sudah dibayar hari ini pukul 23:50 WIB"),
        "{asked:?}"
    );
    clock.advance(Duration::from_secs(11 * 60));
    let next_day = w.say_in(me(), "PLNPASC 546302215889 cek").await;
    let paid = w.press(me(), &button(&next_day, "Bayar")).await;
    assert!(shown(&paid).contains("berhasil"), "{paid:?}");
    assert_eq!(w.sandbox.stats().payments, 2);
}

#[tokio::test]
async fn a_repeat_is_asked_only_inside_the_window() {
    let (w, clock) = world_at("2026-12-01T03:00:00Z").await;
    w.say_in(me(), "T10 081200009012").await;
    clock.advance(Duration::from_secs(9 * 60));
    let inside = w.say_in(me(), "T10 081200009012").await;
    assert!(shown(&inside).contains("Kirim lagi?"), "{inside:?}");
    clock.advance(Duration::from_secs(2 * 60));
    let outside = w.say_in(me(), "T10 081200009012").await;
    assert!(shown(&outside).contains("berhasil"), "{outside:?}");
    assert_eq!(w.sandbox.stats().topups, 2);
}

#[tokio::test]
async fn a_login_dialog_expires_on_the_clock() {
    let (w, clock) = world_at("2026-12-01T03:00:00Z").await;
    let asked = shown(&w.say_in(me(), "/login").await);
    assert!(asked.to_lowercase().contains("member"), "{asked}");
    clock.advance(Duration::from_secs(6 * 60));
    // Past five minutes the dialog is gone: `saldo` is just `saldo`.
    let balance = w.say_in(me(), "saldo").await;
    assert!(shown(&balance).contains("Rp5.000.000"), "{balance:?}");
    assert!(!balance.delete_input, "not read as a login answer");
}

#[tokio::test]
async fn status_of_an_unpaid_check_shows_the_bill_payable_only_while_open() {
    let (w, clock) = world_at("2026-12-01T03:00:00Z").await;
    let check = w.say_in(me(), "PLNPASC 546302215889 cek").await;
    let ref_id = chat::ref_of(&shown(&check));
    clock.advance(Duration::from_secs(10 * 60));
    let open = w.say_in(me(), &format!("status {ref_id}")).await;
    let text = shown(&open);
    assert!(
        text.contains("belum dibayar") && text.contains("Anto"),
        "{text}"
    );
    assert!(
        text.contains("Total: Rp302.750") && text.contains("20 menit"),
        "{text}"
    );
    assert!(!button(&open, "Bayar").is_empty());
    clock.advance(Duration::from_secs(25 * 60));
    let closed = w.say_in(me(), &format!("status {ref_id}")).await;
    let text = shown(&closed);
    assert!(text.contains("Total: Rp302.750"), "{text}");
    assert!(!text.contains("Bisa dibayar"), "{text}");
    assert!(
        closed.replies[0].buttons.is_empty(),
        "no button once expired"
    );
}
