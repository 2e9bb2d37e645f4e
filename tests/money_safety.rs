//! Money safety with the habits resellers have: a bill checked twice, two
//! staff on one account, a private chat and a linked group, an operator
//! who edits a setting, a group upgraded to a supergroup. Each test is
//! one rule of issue "Money safety, round 2", against the sandbox gateway
//! on 127.0.0.1; the last four guard rules that were once removed from a
//! copy of the code with every test still passing.

use std::time::Duration;

use chrono::Utc;
use loket::engine::ChatCtx;
use loket::model::{EntryKind, EntryState, InquiryState, JournalEntry};
use loket::sandbox::Fault;

#[path = "support/chat.rs"]
mod chat;
#[path = "support/engine_world.rs"]
mod engine_world;

use chat::{ref_of, shown};
use engine_world::{button, World, GROUP, MEMBER, OWNER, STRANGER};

const BILL: &str = "PLNPASC 546302215889";

fn private() -> ChatCtx {
    ChatCtx::private(OWNER)
}

fn group(user: i64) -> ChatCtx {
    ChatCtx::group(GROUP, user)
}

#[tokio::test]
async fn only_the_newest_check_of_a_bill_pays() {
    let w = World::start(|_| {}).await;
    w.owner_with_group().await;
    // (who checks first, who checks second): twice in one chat, owner and
    // member in one group, private chat then the linked group.
    let cases = [
        ("twice in private", private(), private(), "546302215889"),
        (
            "owner then member",
            group(OWNER),
            group(MEMBER),
            "546302215890",
        ),
        (
            "private then group",
            private(),
            group(OWNER),
            "546302215891",
        ),
    ];
    for (name, first_chat, second_chat, number) in cases {
        let before = w.sandbox.stats().payments;
        let check = format!("/cek PLNPASC {number}");
        let first = w.say_in(first_chat, &check).await;
        let second = w.say_in(second_chat, &check).await;
        let older = w.press(first_chat, &button(&first, "Bayar")).await;
        assert!(shown(&older).contains("diganti"), "{name}: {older:?}");
        let edit = older.edit_source.expect("the older bill is edited");
        assert!(
            edit.buttons.is_empty(),
            "{name}: the older bill loses its button"
        );
        assert_eq!(w.sandbox.stats().payments, before, "{name}: nothing sent");
        let newer = w.press(second_chat, &button(&second, "Bayar")).await;
        assert!(shown(&newer).contains("berhasil"), "{name}: {newer:?}");
        let again = w.press(first_chat, &button(&first, "Bayar")).await;
        assert!(!shown(&again).contains("berhasil"), "{name}: {again:?}");
        assert_eq!(
            w.sandbox.stats().payments,
            before + 1,
            "{name}: one jenis=6"
        );
    }
}

#[tokio::test]
async fn an_unsettled_payment_blocks_the_bill_in_every_chat_of_the_account() {
    // The payment's answer is lost and its first re-check is far away: it
    // stays "masih dicek" for the whole test.
    let w = World::start(|c| c.recheck_after = Duration::from_secs(120)).await;
    w.owner_with_group().await;
    let in_private = w.say_in(private(), &format!("{BILL} cek")).await;
    let in_group = w.say_in(group(OWNER), &format!("/cek {BILL}")).await;
    w.sandbox.inject(Fault::ServerErrorAfterCharge, 1);
    let paying = w.press(group(OWNER), &button(&in_group, "Bayar")).await;
    assert!(shown(&paying).contains("dicek"), "{paying:?}");
    assert_eq!(w.sandbox.stats().payments, 1);

    let attempts = [
        (
            "older bill in private",
            w.press(private(), &button(&in_private, "Bayar")).await,
        ),
        (
            "typed bayar in private",
            w.say_in(private(), &format!("{BILL} bayar")).await,
        ),
        (
            "new check in private",
            w.say_in(private(), &format!("{BILL} cek")).await,
        ),
        (
            "new check in the group",
            w.say_in(group(MEMBER), &format!("/cek {BILL}")).await,
        ),
        (
            "typed bayar in the group",
            w.say_in(group(OWNER), &format!("/bayar {BILL}")).await,
        ),
        (
            "the same button again",
            w.press(group(OWNER), &button(&in_group, "Bayar")).await,
        ),
    ];
    for (name, response) in attempts {
        let seen = shown(&response);
        assert!(
            seen.contains("masih dicek")
                || seen.contains("diganti")
                || seen.contains("sudah dibayar/diproses"),
            "{name}: {seen}"
        );
        assert!(!seen.contains("berhasil"), "{name}: {seen}");
    }
    assert_eq!(w.sandbox.stats().payments, 1, "one jenis=6 in all");
    assert_eq!(
        w.sandbox.stats().inquiries,
        2,
        "no check while a payment is unsettled"
    );
}

#[tokio::test]
async fn taps_in_several_chats_at_once_pay_one_bill_once() {
    let w = World::start(|_| {}).await;
    w.owner_with_group().await;
    const GROUP2: i64 = -100_702;
    w.say_in(ChatCtx::group(GROUP2, OWNER), "/hubungkan").await;
    let chats = [
        private(),
        group(OWNER),
        group(MEMBER),
        ChatCtx::group(GROUP2, OWNER),
    ];

    // Every chat holds a bill message of the same bill; all tap at once,
    // and type `bayar` at once, several times.
    let mut bills = Vec::new();
    for chat in chats {
        let check = w.say_in(chat, &format!("/cek {BILL}")).await;
        bills.push((chat, button(&check, "Bayar")));
    }
    let mut tasks = Vec::new();
    for round in 0..4 {
        for (chat, data) in &bills {
            let engine = w.engine.clone();
            let (chat, data) = (*chat, data.clone());
            tasks.push(tokio::spawn(async move {
                let input = if round % 2 == 0 {
                    loket::engine::Input::Button(data)
                } else {
                    loket::engine::Input::Text(format!("/bayar {BILL}"))
                };
                shown(&engine.handle(&chat, input).await)
            }));
        }
    }
    let mut paid = 0;
    for task in tasks {
        if task.await.expect("task").contains("berhasil") {
            paid += 1;
        }
    }
    assert_eq!(paid, 1, "one success among every tap");
    assert_eq!(w.sandbox.stats().payments, 1, "one jenis=6");

    // Checking and tapping at once in every chat, on another bill.
    let mut tasks = Vec::new();
    for chat in chats {
        let engine = w.engine.clone();
        tasks.push(tokio::spawn(async move {
            let check = engine
                .handle(
                    &chat,
                    loket::engine::Input::Text("/cek PLNPASC 546302215899".into()),
                )
                .await;
            if let Some(pay) = check.replies.first().and_then(|r| r.buttons.first()) {
                engine
                    .handle(&chat, loket::engine::Input::Button(pay.data.clone()))
                    .await;
            }
        }));
    }
    for task in tasks {
        task.await.expect("task");
    }
    assert_eq!(
        w.sandbox.stats().payments,
        2,
        "the second bill paid once too"
    );
}

#[tokio::test]
async fn a_bill_paid_today_asks_before_paying_again() {
    let w = World::start(|_| {}).await;
    let first = w.say_in(private(), &format!("{BILL} cek")).await;
    let paid = w.press(private(), &button(&first, "Bayar")).await;
    assert!(shown(&paid).contains("berhasil"));

    let second = w.say_in(private(), &format!("{BILL} cek")).await;
    let question = w.press(private(), &button(&second, "Bayar")).await;
    let asked = question
        .edit_source
        .clone()
        .expect("the bill becomes a question");
    assert!(
        asked.text.contains("sudah dibayar hari ini"),
        "{}",
        asked.text
    );
    assert!(asked.text.contains("WIB"), "{}", asked.text);
    assert_eq!(w.sandbox.stats().payments, 1, "asked, not paid");
    // Typed `bayar` asks too.
    let typed = w.say_in(private(), &format!("{BILL} bayar")).await;
    assert!(
        shown(&typed).contains("sudah dibayar hari ini"),
        "{typed:?}"
    );
    assert_eq!(w.sandbox.stats().payments, 1);

    let again = w.press(private(), &button(&question, "Bayar lagi")).await;
    assert!(shown(&again).contains("berhasil"), "{again:?}");
    assert_eq!(
        w.sandbox.stats().payments,
        2,
        "paid again only when told to"
    );
}

#[tokio::test]
async fn the_duplicate_topup_question_is_per_account() {
    let w = World::start(|_| {}).await;
    w.owner_with_group().await;
    let first = w.say_in(private(), "T10 081200009001").await;
    assert!(shown(&first).contains("berhasil"), "{first:?}");
    for (name, chat) in [
        ("owner in the group", group(OWNER)),
        ("member in the group", group(MEMBER)),
    ] {
        let again = w.say_in(chat, "/beli T10 081200009001").await;
        let asked = button(&again, "Kirim lagi");
        assert!(!asked.is_empty(), "{name}");
        assert_eq!(
            w.sandbox.stats().topups,
            1,
            "{name}: asked first, nothing sent"
        );
    }
}

#[tokio::test]
async fn every_button_checks_who_pressed_it() {
    let w = World::start(|_| {}).await;
    w.owner_with_group().await;
    // A bill and a "send again?" question, both started by MEMBER.
    let bill = w.say_in(group(MEMBER), &format!("/cek {BILL}")).await;
    w.say_in(group(MEMBER), "/beli T10 081200009002").await;
    let question = w.say_in(group(MEMBER), "/beli T10 081200009002").await;
    let buttons = [
        ("Bayar", button(&bill, "Bayar")),
        ("Batal bill", button(&bill, "Batal")),
        ("Kirim lagi", button(&question, "Kirim lagi")),
        ("Batal question", button(&question, "Batal")),
        (
            "Bayar lagi",
            button(&bill, "Bayar").replace("pay:", "payagain:"),
        ),
    ];
    // (who presses, where, what they are told)
    let not_theirs = [
        (
            "a stranger in the group",
            group(STRANGER),
            "belum diizinkan",
        ),
        (
            "the member elsewhere",
            ChatCtx::private(MEMBER),
            "bukan milik",
        ),
    ];
    for (label, data) in &buttons {
        for (who, chat, told) in not_theirs {
            let pressed = w.press(chat, data).await;
            assert!(
                shown(&pressed).contains(told),
                "{label} by {who}: {pressed:?}"
            );
            assert!(
                pressed.edit_source.is_none(),
                "{label} by {who}: nothing changes"
            );
        }
    }
    assert_eq!(w.sandbox.stats().payments, 0);
    assert_eq!(w.sandbox.stats().topups, 1);
    // The owner pays and closes the account's bills, but a "send again?"
    // is answered only by who was asked.
    for label in ["Kirim lagi", "Batal question"] {
        let data = &buttons.iter().find(|(l, _)| *l == label).unwrap().1;
        let pressed = w.press(group(OWNER), data).await;
        assert!(
            shown(&pressed).contains("bukan milik"),
            "{label} by the owner: {pressed:?}"
        );
    }
    // Both still work for who started them.
    let sent = w
        .press(group(MEMBER), &button(&question, "Kirim lagi"))
        .await;
    assert!(shown(&sent).contains("berhasil"), "{sent:?}");
    let paid = w.press(group(MEMBER), &button(&bill, "Bayar")).await;
    assert!(shown(&paid).contains("berhasil"), "{paid:?}");
}

#[tokio::test]
async fn typed_bayar_pays_the_open_check_of_an_at_form() {
    let w = World::start(|_| {}).await;
    // (check as typed, bayar without the suffix, the dest and product paid)
    let cases = [
        (
            "BPJSKS 0001234567890 3 cek",
            "BPJSKS 0001234567890 bayar",
            "BPJSKS",
            "0001234567890@3",
        ),
        (
            "PKBJABAR B1234XYZ 2025 cek",
            "PKBJABAR B1234XYZ bayar",
            "PKBJABAR",
            "B1234XYZ@2025",
        ),
        (
            "PBBBDG 327301000100100010 2024 cek",
            "PBBBDG 327301000100100010 bayar",
            "PBBBDG@2024",
            "327301000100100010",
        ),
        (
            "CCBCA 4111111111111111 1500000 cek",
            "CCBCA 4111111111111111 bayar",
            "CCBCA@1500000",
            "4111111111111111",
        ),
    ];
    for (check, pay, product, dest) in cases {
        let checked = w.say_in(private(), check).await;
        assert!(!button(&checked, "Bayar").is_empty(), "{check}");
        let paid = w.say_in(private(), pay).await;
        let text = shown(&paid);
        assert!(text.contains("berhasil"), "{pay}: {text}");
        let entry = w.store.entry(&ref_of(&text)).unwrap().expect("journaled");
        assert_eq!(
            (entry.product.as_str(), entry.dest.as_str()),
            (product, dest),
            "{pay}"
        );
    }
    // With nothing checked, the hint shows the form a user types.
    let hints = [
        ("BPJSKS 0001234567899 bayar", "BPJSKS 0001234567899 cek"),
        ("BPJSKS 0001234567899@3 bayar", "BPJSKS 0001234567899 3 cek"),
        (
            "PBBBDG@2023 327301000100100011 bayar",
            "PBBBDG 327301000100100011 2023 cek",
        ),
    ];
    for (pay, hint) in hints {
        let text = shown(&w.say_in(private(), pay).await);
        assert!(text.contains(hint), "{pay}: {text}");
    }
}

/// A topup journaled by an earlier run, its outcome unknown, sent by the
/// demo account to the gateway spelled `gateway`.
fn unknown_topup(ref_id: &str, gateway: &str) -> JournalEntry {
    JournalEntry {
        state: EntryState::Unknown,
        sends: 1,
        ..JournalEntry::new(
            ref_id,
            EntryKind::Topup,
            "T10",
            "081200009003",
            OWNER,
            OWNER,
            OWNER,
            "DEMO",
            gateway,
            None,
            Utc::now(),
        )
    }
}

#[tokio::test]
async fn follow_ups_are_never_stranded_by_a_url_spelling() {
    // (how the journal spelled the gateway, how the setting spells it
    // after a restart)
    type Spelling = fn(&str) -> String;
    let spellings: [(Spelling, Spelling); 4] = [
        (|u| u.to_string(), |u| format!("{u}/")),
        (|u| format!("{u}/"), |u| u.to_string()),
        (|u| u.replacen("http://", "HTTP://", 1), |u| format!("{u}/")),
        (|u| format!("{u}//"), |u| u.to_string()),
    ];
    for (i, (journaled, configured)) in spellings.into_iter().enumerate() {
        let first = World::start(|_| {}).await;
        let url = first.sandbox.base_url();
        let ref_id = format!("LURL{i}");
        assert!(first
            .store
            .begin_entry(&unknown_topup(&ref_id, &journaled(&url)))
            .await
            .unwrap());
        let World { store, sandbox, .. } = first;
        let mut restarted = World::on(store, sandbox, |c| {
            c.default_gateway_url = configured(&url);
            if let Some(account) = c.default_account.as_mut() {
                account.base_url = configured(&url);
            }
        });
        assert_eq!(restarted.engine.resume_unfinished(), 1);
        let notice = restarted.next_notice().await;
        assert!(
            notice.reply.text.contains("berhasil"),
            "case {i}: {}",
            notice.reply.text
        );
        assert!(
            restarted.sandbox.stats().status_checks >= 1,
            "case {i}: asked the gateway"
        );
        let entry = restarted.store.entry(&ref_id).unwrap().unwrap();
        assert_eq!(entry.state, EntryState::Success, "case {i}");
    }
}

#[tokio::test]
async fn a_follow_up_that_cannot_be_signed_is_told_once_and_resumes_at_login() {
    let first = World::start(|c| {
        c.default_account = None;
        c.recheck_after = Duration::from_secs(120);
    })
    .await;
    first.owner_with_group().await;
    first.sandbox.inject(Fault::ServerErrorAfterCharge, 1);
    let sent = shown(&first.say_in(private(), "T10 081200009004").await);
    assert!(sent.contains("dicek"), "{sent}");
    let ref_id = ref_of(&sent);
    first.say_in(private(), "/logout").await;
    let url = first.sandbox.base_url();
    let World { store, sandbox, .. } = first;

    // Restarted while logged out: told once what to do.
    let mut second = World::on(store, sandbox, |c| c.default_account = None);
    second.engine.resume_unfinished();
    let told = second.next_notice().await;
    assert_eq!(told.chat_id, OWNER);
    assert!(
        told.reply.text.contains("logout") && told.reply.text.contains("DEMO"),
        "{}",
        told.reply.text
    );
    assert!(told.reply.text.contains(&ref_id), "{}", told.reply.text);
    let World { store, sandbox, .. } = second;

    // Restarted again: not told twice; `status` says why it cannot ask.
    let mut third = World::on(store, sandbox, |c| c.default_account = None);
    third.engine.resume_unfinished();
    let status = shown(&third.say_in(private(), &format!("status {ref_id}")).await);
    assert!(status.contains("belum bisa dicek"), "{status}");
    assert_eq!(
        third.sandbox.stats().status_checks,
        0,
        "nothing signed without the account"
    );
    assert!(
        tokio::time::timeout(Duration::from_millis(500), third.notices.recv())
            .await
            .is_err(),
        "told only once"
    );

    // Logging in again as that member follows it at once.
    third
        .say_in(private(), &format!("/login DEMO 0000 demo {url}"))
        .await;
    let result = third.next_notice().await;
    assert!(
        result.reply.text.contains("berhasil"),
        "{}",
        result.reply.text
    );
    assert_eq!(
        third.sandbox.charges_for(&ref_id),
        1,
        "charged once, never resent"
    );
}

#[tokio::test]
async fn a_supergroup_keeps_everything_the_group_had() {
    const SUPERGROUP: i64 = -100_1700;
    let mut w = World::start(|c| c.recheck_after = Duration::from_millis(800)).await;
    w.owner_with_group().await;
    // In the group: a topup still pending, an open bill, a "send again?"
    // question.
    let pending = shown(&w.say_in(group(MEMBER), "/beli T10 089900051234").await);
    let pending_ref = ref_of(&pending);
    let bill = w.say_in(group(MEMBER), &format!("/cek {BILL}")).await;
    w.say_in(group(MEMBER), "/beli T10 081200009005").await;
    let question = w.say_in(group(MEMBER), "/beli T10 081200009005").await;
    w.store.migrate_chat(GROUP, SUPERGROUP).await.unwrap();
    // Telegram says so twice (in the old chat and the new): harmless.
    w.store.migrate_chat(GROUP, SUPERGROUP).await.unwrap();

    let moved = ChatCtx::group(SUPERGROUP, MEMBER);
    let notice = w.next_notice().await;
    assert_eq!(
        notice.chat_id, SUPERGROUP,
        "the follow-up result goes to the new id"
    );
    assert!(notice.reply.text.contains(&pending_ref));
    let status = shown(&w.say_in(moved, &format!("/status {pending_ref}")).await);
    assert!(status.contains("berhasil"), "{status}");
    let history = shown(&w.say_in(moved, "/riwayat").await);
    assert!(
        history.contains("081200009005") && history.contains("089900051234"),
        "{history}"
    );
    let saldo = shown(&w.say_in(moved, "/saldo").await);
    assert!(saldo.contains("Rp"), "{saldo}");
    let again = w.press(moved, &button(&question, "Kirim lagi")).await;
    assert!(shown(&again).contains("berhasil"), "{again:?}");
    let paid = w.press(moved, &button(&bill, "Bayar")).await;
    assert!(shown(&paid).contains("berhasil"), "{paid:?}");
    // The old id knows nothing any more.
    let old = shown(&w.say_in(group(MEMBER), "/saldo").await);
    assert!(old.contains("belum terhubung"), "{old}");
}

// ---- rules that no test guarded before ----

/// The inquiry behind a bill message, by the refID the bill names.
/// A claimed bill is as settled as its payment's journal entry (the
/// store keeps `Paying`; paid or failed is read from the journal).
fn inquiry_state(w: &World, bill: &loket::engine::Response) -> InquiryState {
    let ref_id = ref_of(&shown(bill));
    let stored = w
        .store
        .inquiry(&ref_id)
        .unwrap()
        .unwrap_or_else(|| panic!("inquiry {ref_id}"))
        .state;
    let payment = w.store.entry(&ref_id).unwrap().map(|e| e.state);
    match (stored, payment) {
        (InquiryState::Paying, Some(EntryState::Success)) => InquiryState::Paid,
        (InquiryState::Paying, Some(EntryState::Failed)) => InquiryState::Failed,
        (state, _) => state,
    }
}

#[tokio::test]
async fn a_payments_final_answer_settles_its_bill() {
    let mut w = World::start(|_| {}).await;
    // (case, bill, fault on the payment, the bill afterwards, what a second
    // tap on its Bayar says). The demo account holds Rp5.000.000, so a
    // Rp6.000.000 card bill fails for want of balance. With a fault the
    // answer is lost and the verdict comes from the follow-up's status
    // check.
    let cases = [
        (
            "paid, answered at once",
            "PLNPASC 546302215889",
            None,
            InquiryState::Paid,
            "sudah dibayar",
        ),
        (
            "failed, answered at once",
            "CCBCA 4111111111111111 6jt",
            None,
            InquiryState::Failed,
            "ditutup",
        ),
        (
            "paid, answer lost, then followed up",
            "PLNPASC 546302215890",
            Some(Fault::ServerErrorAfterCharge),
            InquiryState::Paid,
            "sudah dibayar",
        ),
        (
            "failed, answer lost, then followed up",
            "CCBCA 4111111111111112 6jt",
            Some(Fault::ServerErrorAfterCharge),
            InquiryState::Failed,
            "ditutup",
        ),
    ];
    for (name, bill, fault, settled, second_tap) in cases {
        let check = w.say_in(private(), &format!("{bill} cek")).await;
        assert_eq!(inquiry_state(&w, &check), InquiryState::Open, "{name}");
        if let Some(fault) = fault {
            w.sandbox.inject(fault, 1);
        }
        let paying = w.press(private(), &button(&check, "Bayar")).await;
        if fault.is_some() {
            assert!(shown(&paying).contains("dicek"), "{name}: {paying:?}");
            let told = w.next_notice().await;
            assert!(
                !told.reply.text.contains("dicek"),
                "{name}: a final answer: {told:?}"
            );
        }
        assert_eq!(inquiry_state(&w, &check), settled, "{name}");
        let payments = w.sandbox.stats().payments;
        let again = w.press(private(), &button(&check, "Bayar")).await;
        assert!(shown(&again).contains(second_tap), "{name}: {again:?}");
        assert_eq!(w.sandbox.stats().payments, payments, "{name}: nothing sent");
        // Batal on a settled bill says the same: paid, or closed.
        let cancel = w.press(private(), &button(&check, "Batal")).await;
        assert!(shown(&cancel).contains(second_tap), "{name}: {cancel:?}");
    }
}

#[tokio::test]
async fn a_failed_topup_never_asks_send_again() {
    let w = World::start(|_| {}).await;
    w.owner_with_group().await;
    // `08990006…` is refused by the sandbox: GAGAL, nothing charged.
    let first = w.say_in(private(), "T10 089900060001").await;
    assert!(shown(&first).contains("gagal"), "{first:?}");
    // The same topup again, at once, from the chat and from the account's
    // group: sent each time, never asked about.
    for (name, chat, typed) in [
        ("again in private", private(), "T10 089900060001"),
        ("again in the group", group(OWNER), "/beli T10 089900060001"),
    ] {
        let topups = w.sandbox.stats().topups;
        let again = w.say_in(chat, typed).await;
        assert!(
            again
                .replies
                .iter()
                .flat_map(|r| &r.buttons)
                .all(|b| !b.data.starts_with("again:")),
            "{name}: no question: {again:?}"
        );
        assert!(shown(&again).contains("gagal"), "{name}: {again:?}");
        assert_eq!(w.sandbox.stats().topups, topups + 1, "{name}: sent");
    }
    // The same habit after a topup that went through is asked about.
    w.say_in(private(), "T10 081200009201").await;
    let repeat = w.say_in(private(), "T10 081200009201").await;
    assert!(!button(&repeat, "Kirim lagi").is_empty());
}

#[tokio::test]
async fn status_answers_only_in_the_chat_that_made_the_call() {
    let w = World::start(|_| {}).await;
    w.owner_with_group().await;
    let token = w.say_in(private(), "PLN20 12345678901").await;
    let token_ref = ref_of(&shown(&token));
    let sn = shown(&token)
        .lines()
        .find_map(|l| l.strip_prefix("SN: "))
        .and_then(|l| l.split(' ').next())
        .expect("a PLN token")
        .to_string();
    let bill = w.say_in(private(), &format!("{BILL} cek")).await;
    let bill_ref = ref_of(&shown(&bill));
    // The chat that made them reads both.
    let own = shown(&w.say_in(private(), &format!("/status {token_ref}")).await);
    assert!(own.contains(&sn), "{own}");
    let own = shown(&w.say_in(private(), &format!("/status {bill_ref}")).await);
    assert!(own.contains("belum dibayar"), "{own}");

    // Every other chat: the account's own group (each member there would
    // read the token), a member elsewhere, another account signing with
    // the same gateway member (private chats default to the demo account),
    // a group that is not linked.
    let others = [
        ("the owner in the linked group", group(OWNER)),
        ("a member in the linked group", group(MEMBER)),
        ("the member in private", ChatCtx::private(MEMBER)),
        ("another account", ChatCtx::private(STRANGER)),
        ("another group", ChatCtx::group(-100_999, OWNER)),
    ];
    let checks = w.sandbox.stats().status_checks;
    for (who, chat) in others {
        for (what, ref_id, secret) in [
            ("the token", &token_ref, sn.as_str()),
            ("the meter", &token_ref, "12345678901"),
            ("the bill", &bill_ref, "546302215889"),
        ] {
            let seen = shown(&w.say_in(chat, &format!("/status {ref_id}")).await);
            assert!(seen.contains("tidak dikenal"), "{who}, {what}: {seen}");
            assert!(!seen.contains(secret), "{who} read {what}: {seen}");
        }
    }
    assert_eq!(
        w.sandbox.stats().status_checks,
        checks,
        "nothing was asked for another chat"
    );
}

#[tokio::test]
async fn only_who_was_asked_may_send_a_topup_again() {
    let w = World::start(|_| {}).await;
    w.owner_with_group().await;
    let first = w.say_in(group(MEMBER), "/beli T10 081200009301").await;
    assert!(shown(&first).contains("berhasil"), "{first:?}");
    let question = w.say_in(group(MEMBER), "/beli T10 081200009301").await;
    let send_again = button(&question, "Kirim lagi");
    let dont_send = button(&question, "Batal");
    // (who presses, where, what they are told). The group's owner pays the
    // account's bills, but a "send again?" is the asker's own.
    let others = [
        ("the owner in the group", group(OWNER), "bukan milik"),
        ("the owner in private", private(), "bukan milik"),
        (
            "the member in private",
            ChatCtx::private(MEMBER),
            "bukan milik",
        ),
        (
            "a stranger in the group",
            group(STRANGER),
            "belum diizinkan",
        ),
    ];
    for (who, chat, told) in others {
        for (label, data) in [("Kirim lagi", &send_again), ("Batal", &dont_send)] {
            let pressed = w.press(chat, data).await;
            assert!(
                shown(&pressed).contains(told),
                "{label} by {who}: {pressed:?}"
            );
            assert!(pressed.edit_source.is_none(), "{label} by {who}");
        }
    }
    assert_eq!(w.sandbox.stats().topups, 1, "nothing sent again");
    // The question still stands for who was asked, and answers once.
    let sent = w.press(group(MEMBER), &send_again).await;
    assert!(shown(&sent).contains("berhasil"), "{sent:?}");
    assert_eq!(w.sandbox.stats().topups, 2);
    let twice = w.press(group(MEMBER), &send_again).await;
    assert!(shown(&twice).contains("Sudah diproses"), "{twice:?}");
    assert_eq!(w.sandbox.stats().topups, 2);
}
