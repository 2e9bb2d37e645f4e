//! Bounded work at the gateway: one gateway account (a member ID at a
//! gateway) never has more than `gateway_calls_per_account` calls in
//! flight — centers answer floods with "sibuk" — and the rest wait their
//! turn without holding up other accounts. Engine against the sandbox on
//! 127.0.0.1, which counts each member's requests in flight.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use loket::engine::{ChatCtx, Response};
use loket::money::Rupiah;
use loket::sandbox::{Fault, SandboxAccount, SandboxConfig, DEMO_MEMBER};

#[path = "support/chat.rs"]
mod chat;
#[path = "support/engine_world.rs"]
mod engine_world;

use chat::{ref_of, shown};
use engine_world::{World, GROUP, OWNER};

/// A second reseller with a member ID of its own.
const OTHER_USER: i64 = 7100;
const OTHER_MEMBER: &str = "OTHER";

fn two_members() -> SandboxConfig {
    SandboxConfig {
        accounts: vec![
            SandboxAccount::demo(),
            SandboxAccount {
                member_id: OTHER_MEMBER.to_string(),
                pin: "1111".to_string(),
                api_key: "other".to_string(),
                balance: Rupiah(1_000_000),
                ..SandboxAccount::demo()
            },
        ],
        ..SandboxConfig::default()
    }
}

/// Every one of `texts` said at once, from `chats` in turn; the responses
/// in the order of `texts`.
async fn at_once(w: &Arc<World>, chats: &[ChatCtx], texts: &[String]) -> Vec<Response> {
    let tasks: Vec<_> = texts
        .iter()
        .enumerate()
        .map(|(i, text)| {
            let (w, chat, text) = (w.clone(), chats[i % chats.len()], text.clone());
            tokio::spawn(async move { w.say_in(chat, &text).await })
        })
        .collect();
    let mut responses = Vec::new();
    for task in tasks {
        responses.push(task.await.expect("command task"));
    }
    responses
}

fn is_balance(response: &Response) -> bool {
    shown(response).starts_with("Saldo")
}

#[tokio::test]
async fn an_account_never_has_more_than_its_limit_of_gateway_calls_in_flight() {
    let w = World::start_with(two_members(), |c| c.gateway_calls_per_account = 2).await;
    w.owner_with_group().await;
    let other = ChatCtx::private(OTHER_USER);
    let login = shown(&w.say_in(other, "/login OTHER 1111 other").await);
    assert!(login.contains("berhasil"), "{login}");
    w.sandbox.set_latency(Duration::from_millis(400));
    let before = w.sandbox.stats().balance_checks;
    let w = Arc::new(w);

    // Ten balance checks of one account at once, from its private chat
    // and its group: 10 × 400 ms in twos takes two seconds.
    let finished = Arc::new(AtomicUsize::new(0));
    let chats = [ChatCtx::private(OWNER), ChatCtx::group(GROUP, OWNER)];
    let flood: Vec<_> = (0..10)
        .map(|i| {
            let (w, finished, chat) = (w.clone(), finished.clone(), chats[i % 2]);
            tokio::spawn(async move {
                let response = w.say_in(chat, "/saldo").await;
                finished.fetch_add(1, Ordering::SeqCst);
                response
            })
        })
        .collect();
    while w.sandbox.stats().balance_checks < before + 2 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }

    // Meanwhile another account's call goes straight through.
    let answer = w.say_in(other, "saldo").await;
    assert!(is_balance(&answer), "{answer:?}");
    assert!(
        finished.load(Ordering::SeqCst) < 10,
        "the other account's balance was answered while the first still queued"
    );

    for task in flood {
        let response = task.await.expect("balance task");
        assert!(is_balance(&response), "{response:?}");
    }
    assert_eq!(
        w.sandbox.in_flight_peak(DEMO_MEMBER),
        2,
        "two of DEMO's calls in flight at once, never more"
    );
    assert_eq!(w.sandbox.in_flight_peak(OTHER_MEMBER), 1);
}

#[tokio::test]
async fn two_logins_of_one_member_share_its_limit() {
    // Two staff log in privately with the same member ID: two loket
    // accounts, one member to the center.
    let w = World::start(|c| c.gateway_calls_per_account = 2).await;
    let (first, second) = (ChatCtx::private(7201), ChatCtx::private(7202));
    let url = w.sandbox.base_url();
    for chat in [first, second] {
        let login = shown(
            &w.say_in(chat, &format!("/login DEMO 0000 demo {url}"))
                .await,
        );
        assert!(login.contains("berhasil"), "{login}");
    }
    w.sandbox.set_latency(Duration::from_millis(200));
    let w = Arc::new(w);
    let texts = vec!["saldo".to_string(); 8];
    for response in at_once(&w, &[first, second], &texts).await {
        assert!(is_balance(&response), "{response:?}");
    }
    assert_eq!(w.sandbox.in_flight_peak(DEMO_MEMBER), 2);
}

#[tokio::test]
async fn every_kind_of_gateway_call_waits_for_its_accounts_turn() {
    let w = World::start(|c| c.gateway_calls_per_account = 2).await;
    w.owner_with_group().await;
    let private = ChatCtx::private(OWNER);
    // Bills checked (and topups made) beforehand, to pay (and ask about)
    // while everything else runs.
    for bill in ["546302215801", "546302215802"] {
        let check = shown(&w.say_in(private, &format!("PLNPASC {bill} cek")).await);
        assert!(check.contains("Tagihan"), "{check}");
    }
    let mut earlier = Vec::new();
    for dest in ["081200001101", "081200001102"] {
        let topup = shown(&w.say_in(private, &format!("T5 {dest}")).await);
        earlier.push(ref_of(&topup));
    }
    w.sandbox.set_latency(Duration::from_millis(150));
    let checks_before = w.sandbox.stats().status_checks;

    let mut texts = vec!["saldo".to_string(), "saldo".to_string()];
    texts.extend(["T5 081200001201", "T5 081200001202"].map(String::from));
    texts.extend(["PLNPASC 546302215803 cek", "PLNPASC 546302215804 cek"].map(String::from));
    texts.extend(["PLNPASC 546302215801 bayar", "PLNPASC 546302215802 bayar"].map(String::from));
    texts.extend(earlier.iter().map(|r| format!("status {r}")));
    // Answered PENDING: followed up with status checks while the rest run.
    texts.extend(["T5 089900051201", "T5 089900051202"].map(String::from));
    let url = w.sandbox.base_url();
    texts.push(format!("/login DEMO 0000 demo {url}"));
    let mut chats = vec![private; texts.len() - 1];
    // The login comes from a chat of its own: the same member again.
    chats.push(ChatCtx::private(7301));
    let shared = Arc::new(w);
    let tasks: Vec<_> = texts
        .iter()
        .zip(chats)
        .map(|(text, chat)| {
            let (w, text) = (shared.clone(), text.clone());
            tokio::spawn(async move { (text.clone(), shown(&w.say_in(chat, &text).await)) })
        })
        .collect();
    for task in tasks {
        let (text, answer) = task.await.expect("command task");
        assert!(
            !answer.contains("tidak menjawab") && !answer.is_empty(),
            "{text}: {answer}"
        );
    }
    let mut w = Arc::try_unwrap(shared).unwrap_or_else(|_| panic!("no task holds the world"));
    for _ in 0..2 {
        let notice = w.next_notice().await;
        assert!(notice.reply.text.contains("berhasil"), "{notice:?}");
    }
    let stats = w.sandbox.stats();
    assert!(
        stats.status_checks >= checks_before + 4,
        "status and follow-up checks ran: {stats:?}"
    );
    assert_eq!(
        w.sandbox.in_flight_peak(DEMO_MEMBER),
        2,
        "balance, login, topup, inquiry, payment, status and follow-up calls share two turns"
    );
}

#[tokio::test]
async fn a_call_being_followed_holds_no_turn_while_it_waits_to_check_again() {
    // One turn, and a pending topup whose next check is a minute away.
    let w = World::start(|c| {
        c.gateway_calls_per_account = 1;
        c.recheck_after = Duration::from_secs(60);
    })
    .await;
    let pending = shown(&w.say_in(ChatCtx::private(OWNER), "T10 089900051234").await);
    assert!(pending.contains("diproses"), "{pending}");
    // Its follow-up task is now waiting for its next check.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let balance = tokio::time::timeout(
        Duration::from_secs(5),
        w.say_in(ChatCtx::private(OWNER), "saldo"),
    )
    .await
    .expect("the follow-up's wait leaves the turn free");
    assert!(is_balance(&balance), "{balance:?}");
}

#[tokio::test]
async fn a_retried_read_waits_between_attempts_without_its_turn() {
    // One turn. The first balance check meets a 500 and waits 200 ms
    // before it tries again; the second takes the turn meanwhile and is
    // answered first.
    let w = Arc::new(World::start(|c| c.gateway_calls_per_account = 1).await);
    w.sandbox.inject(Fault::ServerError, 1);
    let order = Arc::new(std::sync::Mutex::new(Vec::new()));
    let ask = |name: &'static str, user: i64| {
        let (w, order) = (w.clone(), order.clone());
        tokio::spawn(async move {
            let response = w.say_in(ChatCtx::private(user), "saldo").await;
            order.lock().expect("order").push(name);
            response
        })
    };
    let retried = ask("retried", 7401);
    while w.sandbox.stats().balance_checks < 1 {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    let second = ask("second", 7402);
    for task in [retried, second] {
        let response = task.await.expect("balance task");
        assert!(is_balance(&response), "{response:?}");
    }
    assert_eq!(*order.lock().expect("order"), ["second", "retried"]);
}
