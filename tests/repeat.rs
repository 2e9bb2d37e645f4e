//! Repeating a topup (issue 13, item 3): the Ulangi button under a topup's
//! receipt and `ulang` send the same product and number again — always
//! through the duplicate question, under a new refID.

use loket::engine::ChatCtx;

#[path = "support/chat.rs"]
mod chat;
#[path = "support/engine_world.rs"]
mod engine_world;

use chat::{ref_of, shown};
use engine_world::{button, World, GROUP, MEMBER, OWNER, STRANGER};

fn me() -> ChatCtx {
    ChatCtx::private(OWNER)
}

#[tokio::test]
async fn ulangi_asks_the_duplicate_question_then_sends_once_under_a_new_ref_id() {
    let w = World::start(|_| {}).await;
    let first = w.say_in(me(), "T10 087712345678").await;
    let first_ref = ref_of(&shown(&first));
    let question = w.press(me(), &button(&first, "🔁 Ulangi")).await;
    let asked = shown(&question);
    assert!(asked.contains("Kirim lagi?"), "{asked}");
    assert_eq!(
        w.sandbox.stats().topups,
        1,
        "nothing sent before the answer"
    );
    let sent = w.press(me(), &button(&question, "Kirim lagi")).await;
    let receipt = shown(&sent);
    assert!(receipt.contains("Isi ulang berhasil"), "{receipt}");
    assert_ne!(ref_of(&receipt), first_ref, "a new refID");
    assert_eq!(w.sandbox.stats().topups, 2);
    // The question's button is spent: a second tap sends nothing more.
    w.press(me(), &button(&question, "Kirim lagi")).await;
    assert_eq!(w.sandbox.stats().topups, 2);
}

#[tokio::test]
async fn ulang_repeats_this_chats_last_topup_through_the_question() {
    let w = World::start(|_| {}).await;
    let nothing = shown(&w.say_in(me(), "ulang").await);
    assert!(nothing.contains("Belum ada isi ulang"), "{nothing}");
    w.say_in(me(), "T5 087712345601").await;
    w.say_in(me(), "T10 087712345602").await;
    let question = w.say_in(me(), "ulang").await;
    let asked = shown(&question);
    assert!(
        asked.contains("T10 ke 087712345602") && asked.contains("Kirim lagi?"),
        "{asked}"
    );
    w.press(me(), &button(&question, "Kirim lagi")).await;
    assert_eq!(w.sandbox.stats().topups, 3);
}

#[tokio::test]
async fn a_topup_of_another_chat_is_not_repeated() {
    let w = World::start(|_| {}).await;
    w.owner_with_group().await;
    let sold = w
        .say_in(ChatCtx::group(GROUP, MEMBER), "/beli T10 087712345678")
        .await;
    let repeat = button(&sold, "🔁 Ulangi");
    // The same button data pressed in another chat, by a member who may not buy.
    let elsewhere = w.press(me(), &repeat).await;
    assert!(
        elsewhere.replies.is_empty() && elsewhere.toast.is_some(),
        "{elsewhere:?}"
    );
    let stranger = w.press(ChatCtx::group(GROUP, STRANGER), &repeat).await;
    assert!(shown(&stranger).contains("belum diizinkan"), "{stranger:?}");
    assert_eq!(w.sandbox.stats().topups, 1);
}
