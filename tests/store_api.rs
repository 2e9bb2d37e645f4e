//! The store's rules, held against its public API only, so that a second
//! backend can later be held to the same suite.
//!
//! - Compare-and-swap: an inquiry leaves a state once, a refID is
//!   journaled once, a final result is never made non-final, a bill is
//!   claimed only when it may be paid — and a refused change writes
//!   nothing.
//! - Durability: a write that returned survives a crash. Each durable
//!   method runs in a child process (this test binary again, see
//!   [`crash_child`]) that exits the moment the method returns, without
//!   dropping the store: sled flushes when a store is dropped, which would
//!   hide a missing flush. The test then reopens the directory and looks.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use chrono::Utc;
use futures::future::BoxFuture;
use loket::app::demo_account;
use loket::command::Lang;
use loket::model::{
    Claim, EntryKind, EntryState, GroupLink, Inquiry, InquiryState, JournalEntry,
    PendingConfirmation,
};
use loket::store::{Location, Store};

/// The account owner (and their private chat).
const OWNER: i64 = 7001;
const GROUP: i64 = -100_700;
const SUPERGROUP: i64 = -100_1700;
const KEY: [u8; 32] = [7; 32];
const PLN: (&str, &str) = ("PLNPASC", "546302215889");

fn temp_dir(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!(
        "loket-store-{name}-{}-{}",
        std::process::id(),
        Utc::now().timestamp_micros()
    ))
}

fn temporary() -> Store {
    Store::open(&Location::Temporary, None).unwrap()
}

/// An open check of one of the owner's bills, in `chat`.
fn check_in(chat: i64, ref_id: &str, (product, dest): (&str, &str)) -> Inquiry {
    Inquiry {
        ref_id: ref_id.into(),
        chat_id: chat,
        account_id: OWNER,
        requested_by: OWNER,
        product: product.into(),
        dest: dest.into(),
        family: "pln".into(),
        name: None,
        bill: None,
        admin: None,
        total: None,
        created_at: Utc::now(),
        state: InquiryState::Open,
    }
}

fn check(ref_id: &str) -> Inquiry {
    check_in(OWNER, ref_id, PLN)
}

/// A call about to be sent from `chat` with the owner's account.
fn call_in(
    chat: i64,
    ref_id: &str,
    kind: EntryKind,
    (product, dest): (&str, &str),
) -> JournalEntry {
    JournalEntry::new(
        ref_id,
        kind,
        product,
        dest,
        chat,
        OWNER,
        OWNER,
        "DEMO",
        "http://127.0.0.1:9",
        None,
        Utc::now(),
    )
}

/// The payment of a check made with [`check`] or [`check_in`].
fn payment_of(inquiry: &Inquiry) -> JournalEntry {
    call_in(
        inquiry.chat_id,
        &inquiry.ref_id,
        EntryKind::Payment,
        (&inquiry.product, &inquiry.dest),
    )
}

fn payment(ref_id: &str) -> JournalEntry {
    payment_of(&check(ref_id))
}

fn topup(ref_id: &str) -> JournalEntry {
    call_in(OWNER, ref_id, EntryKind::Topup, ("T10", "081200009001"))
}

fn question_in(chat: i64, ref_id: &str) -> PendingConfirmation {
    PendingConfirmation {
        ref_id: ref_id.into(),
        chat_id: chat,
        user_id: OWNER,
        product: "T10".into(),
        dest: "081200009001".into(),
        created_at: Utc::now(),
    }
}

fn unfinished(store: &Store) -> Vec<String> {
    let mut refs: Vec<String> = store
        .unfinished_entries()
        .unwrap()
        .into_iter()
        .map(|e| e.ref_id)
        .collect();
    refs.sort();
    refs
}

// ---- compare-and-swap ----

#[tokio::test]
async fn an_inquiry_moves_only_from_the_state_it_is_in() {
    use InquiryState::*;
    // (state stored, from, to, moves)
    let cases = [
        (Open, Open, Paying, true),
        (Open, Open, Cancelled, true),
        (Paying, Paying, Paid, true),
        (Paying, Paying, Failed, true),
        (Open, Paying, Paid, false),
        (Paying, Open, Paying, false),
        (Paid, Paying, Failed, false),
        (Paid, Open, Paying, false),
        (Failed, Open, Paying, false),
        (Cancelled, Open, Paying, false),
    ];
    let store = temporary();
    for (i, (stored, from, to, moves)) in cases.into_iter().enumerate() {
        let ref_id = format!("LMOVE{i}");
        let inquiry = Inquiry {
            state: stored,
            ..check(&ref_id)
        };
        store.put_inquiry(&inquiry).await.unwrap();
        let moved = store.transition_inquiry(&ref_id, from, to).await.unwrap();
        let now = store.inquiry(&ref_id).unwrap().unwrap().state;
        let case = format!("{stored:?}, asked {from:?} → {to:?}");
        if moves {
            assert_eq!(moved.map(|i| i.state), Some(to), "{case}");
            assert_eq!(now, to, "{case}");
        } else {
            assert_eq!(moved, None, "{case}");
            assert_eq!(now, stored, "{case}: left as it was");
        }
    }
    assert_eq!(
        store
            .transition_inquiry("LNOSUCH", Open, Paying)
            .await
            .unwrap(),
        None,
        "no such inquiry"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn racing_taps_move_an_inquiry_once() {
    let store = temporary();
    store.put_inquiry(&check("LRACE1")).await.unwrap();
    let taps = (0..16).map(|_| {
        let store = store.clone();
        tokio::spawn(async move {
            store
                .transition_inquiry("LRACE1", InquiryState::Open, InquiryState::Paying)
                .await
                .unwrap()
        })
    });
    let moved = futures::future::join_all(taps)
        .await
        .into_iter()
        .filter(|t| t.as_ref().unwrap().is_some())
        .count();
    assert_eq!(moved, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_journaled_ref_id_is_never_begun_again() {
    let store = temporary();
    let first = topup("LONCE1");
    assert!(store.begin_entry(&first).await.unwrap());
    // Another intent under the same refID: refused, the first kept.
    assert!(!store.begin_entry(&payment("LONCE1")).await.unwrap());
    assert_eq!(store.entry("LONCE1").unwrap(), Some(first));
    assert_eq!(store.journal_len(), 1);

    // Racing: one of many wins, and its indexes hold it once.
    let racers = (0..16).map(|_| {
        let store = store.clone();
        tokio::spawn(async move { store.begin_entry(&topup("LONCE2")).await.unwrap() })
    });
    let won = futures::future::join_all(racers)
        .await
        .into_iter()
        .filter(|r| *r.as_ref().unwrap())
        .count();
    assert_eq!(won, 1);
    assert_eq!(store.journal_len(), 2);
    assert_eq!(unfinished(&store), ["LONCE1", "LONCE2"]);
    let in_chat: Vec<String> = store
        .recent_entries(OWNER, 10)
        .unwrap()
        .into_iter()
        .map(|e| e.ref_id)
        .collect();
    assert_eq!(in_chat.iter().filter(|r| *r == "LONCE2").count(), 1);
    let of_account = store.recent_account_entries(OWNER, 10).unwrap();
    assert_eq!(of_account.len(), 2);

    // Racing from different chats: only the winner's chat lists it.
    let chats: Vec<i64> = (1..=8).map(|i| -100_000 - i).collect();
    let racers = chats.iter().map(|&chat| {
        let store = store.clone();
        tokio::spawn(async move {
            let won = store
                .begin_entry(&call_in(
                    chat,
                    "LONCE3",
                    EntryKind::Topup,
                    ("T10", "087712345678"),
                ))
                .await
                .unwrap();
            (chat, won)
        })
    });
    let results: Vec<(i64, bool)> = futures::future::join_all(racers)
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    let winners: Vec<i64> = results
        .iter()
        .filter(|(_, w)| *w)
        .map(|(c, _)| *c)
        .collect();
    assert_eq!(winners.len(), 1, "{results:?}");
    assert_eq!(store.entry("LONCE3").unwrap().unwrap().chat_id, winners[0]);
    for chat in chats {
        let listed = store
            .recent_entries(chat, 10)
            .unwrap()
            .iter()
            .any(|e| e.ref_id == "LONCE3");
        assert_eq!(listed, chat == winners[0], "chat {chat}");
    }
    let of_account = store.recent_account_entries(OWNER, 10).unwrap();
    assert_eq!(
        of_account.iter().filter(|e| e.ref_id == "LONCE3").count(),
        1
    );
    assert!(unfinished(&store).contains(&"LONCE3".to_string()));
}

#[tokio::test]
async fn a_late_answer_never_overwrites_a_final_result() {
    use EntryState::*;
    let store = temporary();
    let mut n = 0;
    for known in [Success, Failed] {
        for later in [Sending, Pending, Unknown, Success, Failed] {
            n += 1;
            let ref_id = format!("LFINAL{n}");
            let mut entry = payment(&ref_id);
            assert!(store.begin_entry(&entry).await.unwrap());
            entry.state = Unknown;
            assert!(!store.update_entry(&entry).await.unwrap().settled);
            entry.state = known;
            let first = store.update_entry(&entry).await.unwrap();
            assert_eq!(first.entry.state, known);
            assert!(first.settled, "its first final answer settles it");
            assert!(!unfinished(&store).contains(&ref_id), "final: not resumed");
            entry.state = later;
            let kept = store.update_entry(&entry).await.unwrap();
            // A final answer may correct a final one; nothing else may.
            let expected = if later.is_final() { later } else { known };
            let case = format!("{known:?} then {later:?}");
            assert!(!kept.settled, "{case}: an entry settles once");
            let kept = kept.entry;
            assert_eq!(kept.state, expected, "{case}");
            assert_eq!(store.entry(&ref_id).unwrap(), Some(kept), "{case}");
            assert!(!unfinished(&store).contains(&ref_id), "{case}: not resumed");
        }
    }
}

#[tokio::test]
async fn an_update_never_moves_an_entry_to_another_chat() {
    let store = temporary();
    let mut entry = call_in(GROUP, "LCHAT1", EntryKind::Topup, ("T10", "081200009001"));
    assert!(store.begin_entry(&entry).await.unwrap());
    entry.chat_id = OWNER;
    entry.state = EntryState::Success;
    let stored = store.update_entry(&entry).await.unwrap().entry;
    assert_eq!(stored.chat_id, GROUP, "only a migration moves an entry");
    assert_eq!(stored.state, EntryState::Success);
}

/// What a claim came to, short enough to compare in a table.
fn outcome(claim: &Claim) -> String {
    match claim {
        Claim::Claimed(inquiry) => format!("Claimed({})", inquiry.ref_id),
        Claim::Missing => "Missing".into(),
        Claim::NotOpen(state) => format!("NotOpen({state:?})"),
        Claim::Replaced { newest } => format!("Replaced({newest})"),
        Claim::Unsettled { ref_id } => format!("Unsettled({ref_id})"),
        Claim::PaidRecently(entry) => format!("PaidRecently({})", entry.ref_id),
        Claim::Journaled => "Journaled".into(),
    }
}

/// Pays `ref_id` (checked with [`check`]) and settles it as `state`.
async fn paid(store: &Store, ref_id: &str, state: EntryState) {
    store.put_inquiry(&check(ref_id)).await.unwrap();
    let claim = store.claim_payment(&payment(ref_id), None).await.unwrap();
    assert_eq!(outcome(&claim), format!("Claimed({ref_id})"));
    if state != EntryState::Sending {
        let mut entry = store.entry(ref_id).unwrap().unwrap();
        entry.state = state;
        store.update_entry(&entry).await.unwrap();
    }
}

/// How the claim asks about an earlier success of the bill.
#[derive(Debug, Clone, Copy)]
enum Since {
    /// Don't ask (the user said "pay again").
    Never,
    /// Since an hour ago: the earlier payment is recent.
    HourAgo,
    /// Since an hour from now: the earlier payment is older.
    HourAhead,
}

type Setup = fn(Store) -> BoxFuture<'static, ()>;

#[tokio::test]
async fn a_bill_is_claimed_only_when_open_newest_settled_and_not_paid_recently() {
    // (what happened before, the check claimed, since when a success
    // counts as recent, what the claim comes to)
    let cases: [(&str, Setup, &str, Since, &str); 11] = [
        (
            "an open check, nothing else",
            |s| Box::pin(async move { s.put_inquiry(&check("LB")).await.unwrap() }),
            "LB",
            Since::HourAgo,
            "Claimed(LB)",
        ),
        (
            "no such check",
            |_| Box::pin(async {}),
            "LB",
            Since::Never,
            "Missing",
        ),
        (
            "a cancelled check",
            |s| {
                Box::pin(async move {
                    let cancelled = Inquiry {
                        state: InquiryState::Cancelled,
                        ..check("LB")
                    };
                    s.put_inquiry(&cancelled).await.unwrap()
                })
            },
            "LB",
            Since::Never,
            "NotOpen(Cancelled)",
        ),
        (
            "a check already being paid",
            |s| Box::pin(async move { paid(&s, "LB", EntryState::Sending).await }),
            "LB",
            Since::Never,
            "NotOpen(Paying)",
        ),
        (
            "a newer check of the same bill",
            |s| {
                Box::pin(async move {
                    s.put_inquiry(&check("LB")).await.unwrap();
                    s.put_inquiry(&check("LC")).await.unwrap();
                })
            },
            "LB",
            Since::Never,
            "Replaced(LC)",
        ),
        (
            "a newer check of the same bill under another @ suffix",
            |s| {
                Box::pin(async move {
                    let bpjs = ("BPJSKS", "0001234567890@1");
                    s.put_inquiry(&check_in(OWNER, "LB", bpjs)).await.unwrap();
                    let three_months = ("BPJSKS", "0001234567890@3");
                    s.put_inquiry(&check_in(GROUP, "LC", three_months))
                        .await
                        .unwrap();
                })
            },
            "LB",
            Since::Never,
            "Replaced(LC)",
        ),
        (
            "a payment of the bill with no final answer",
            |s| {
                Box::pin(async move {
                    paid(&s, "LA", EntryState::Unknown).await;
                    s.put_inquiry(&check("LB")).await.unwrap();
                })
            },
            "LB",
            Since::Never,
            "Unsettled(LA)",
        ),
        (
            "a recent success of the bill",
            |s| {
                Box::pin(async move {
                    paid(&s, "LA", EntryState::Success).await;
                    s.put_inquiry(&check("LB")).await.unwrap();
                })
            },
            "LB",
            Since::HourAgo,
            "PaidRecently(LA)",
        ),
        (
            "a recent success, and the user said pay again",
            |s| {
                Box::pin(async move {
                    paid(&s, "LA", EntryState::Success).await;
                    s.put_inquiry(&check("LB")).await.unwrap();
                })
            },
            "LB",
            Since::Never,
            "Claimed(LB)",
        ),
        (
            "an older success, or a failure, of the bill",
            |s| {
                Box::pin(async move {
                    paid(&s, "LA", EntryState::Success).await;
                    paid(&s, "LF", EntryState::Failed).await;
                    s.put_inquiry(&check("LB")).await.unwrap();
                })
            },
            "LB",
            Since::HourAhead,
            "Claimed(LB)",
        ),
        (
            "the check's refID already journaled (as a topup)",
            |s| {
                Box::pin(async move {
                    s.put_inquiry(&check("LB")).await.unwrap();
                    assert!(s.begin_entry(&topup("LB")).await.unwrap());
                })
            },
            "LB",
            Since::Never,
            "Journaled",
        ),
    ];
    for (case, setup, ref_id, since, expected) in cases {
        let store = temporary();
        setup(store.clone()).await;
        let (product, dest) = match store.inquiry(ref_id).unwrap() {
            Some(inquiry) => (inquiry.product, inquiry.dest),
            None => (PLN.0.to_string(), PLN.1.to_string()),
        };
        let before = (
            store.inquiry(ref_id).unwrap(),
            store.bill(OWNER, &product, &dest).unwrap(),
            store.entry(ref_id).unwrap(),
            unfinished(&store),
            store.journal_len(),
        );
        let paid_since = match since {
            Since::Never => None,
            Since::HourAgo => Some(Utc::now() - chrono::Duration::hours(1)),
            Since::HourAhead => Some(Utc::now() + chrono::Duration::hours(1)),
        };
        let entry = JournalEntry {
            product: product.clone(),
            dest: dest.clone(),
            ..payment(ref_id)
        };
        let claim = store.claim_payment(&entry, paid_since).await.unwrap();
        assert_eq!(outcome(&claim), expected, "{case}");
        let after = (
            store.inquiry(ref_id).unwrap(),
            store.bill(OWNER, &product, &dest).unwrap(),
            store.entry(ref_id).unwrap(),
            unfinished(&store),
            store.journal_len(),
        );
        if !matches!(claim, Claim::Claimed(_)) {
            assert_eq!(after, before, "{case}: a refused claim writes nothing");
            continue;
        }
        // Claimed: the check is `Paying`, the bill names this payment and
        // the payment is journaled and will be resumed, all at once.
        let (inquiry, bill, journaled, resumed, _) = after;
        assert_eq!(inquiry.unwrap().state, InquiryState::Paying, "{case}");
        assert_eq!(bill.newest.as_deref(), Some(ref_id), "{case}");
        assert_eq!(bill.payment.as_deref(), Some(ref_id), "{case}");
        assert_eq!(journaled, Some(entry), "{case}");
        assert!(resumed.iter().any(|r| r == ref_id), "{case}");
        assert_eq!(
            store.recent_account_entries(OWNER, 1).unwrap()[0].ref_id,
            ref_id,
            "{case}"
        );
        assert_eq!(
            store
                .unsettled_payment(OWNER, &product, &dest)
                .unwrap()
                .map(|e| e.ref_id),
            Some(ref_id.to_string()),
            "{case}"
        );
    }
}

#[tokio::test]
async fn the_claim_and_the_journal_are_one_step() {
    let store = temporary();
    // A refID already journaled: the claim fails and leaves the bill open,
    // not `Paying` without its own entry.
    store.put_inquiry(&check("LCLAIM1")).await.unwrap();
    assert!(store.begin_entry(&topup("LCLAIM1")).await.unwrap());
    let claim = store
        .claim_payment(&payment("LCLAIM1"), None)
        .await
        .unwrap();
    assert_eq!(claim, Claim::Journaled);
    assert_eq!(
        store.inquiry("LCLAIM1").unwrap().unwrap().state,
        InquiryState::Open
    );
    assert_eq!(store.bill(OWNER, PLN.0, PLN.1).unwrap().payment, None);
    assert_eq!(
        store.entry("LCLAIM1").unwrap().unwrap().kind,
        EntryKind::Topup
    );

    // A claim that goes through writes both: `Paying` and its entry.
    store.put_inquiry(&check("LCLAIM2")).await.unwrap();
    let claim = store
        .claim_payment(&payment("LCLAIM2"), None)
        .await
        .unwrap();
    assert!(matches!(claim, Claim::Claimed(_)), "{claim:?}");
    assert_eq!(
        store.inquiry("LCLAIM2").unwrap().unwrap().state,
        InquiryState::Paying
    );
    assert_eq!(
        store.entry("LCLAIM2").unwrap().unwrap().state,
        EntryState::Sending
    );
    assert!(unfinished(&store).contains(&"LCLAIM2".to_string()));
}

#[tokio::test]
async fn a_check_that_raced_an_unsettled_payment_still_cannot_pay() {
    let store = temporary();
    // B is claimed and its answer is not in; C was checked meanwhile (its
    // check passed before B's claim) and is now the newest.
    store.put_inquiry(&check("LRACEB")).await.unwrap();
    let claim = store.claim_payment(&payment("LRACEB"), None).await.unwrap();
    assert!(matches!(claim, Claim::Claimed(_)), "{claim:?}");
    store.put_inquiry(&check("LRACEC")).await.unwrap();
    let claim = store.claim_payment(&payment("LRACEC"), None).await.unwrap();
    assert_eq!(
        claim,
        Claim::Unsettled {
            ref_id: "LRACEB".into()
        }
    );
    assert_eq!(
        store.inquiry("LRACEC").unwrap().unwrap().state,
        InquiryState::Open
    );
    assert!(
        store.entry("LRACEC").unwrap().is_none(),
        "nothing journaled"
    );
    // Once B is final, C may be paid (asked first when B succeeded today).
    let mut settled = store.entry("LRACEB").unwrap().unwrap();
    settled.state = EntryState::Failed;
    store.update_entry(&settled).await.unwrap();
    let claim = store
        .claim_payment(&payment("LRACEC"), Some(Utc::now()))
        .await
        .unwrap();
    assert!(matches!(claim, Claim::Claimed(_)), "{claim:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn racing_claims_of_one_bill_claim_it_once() {
    let store = temporary();
    // Four chats of the account checked the same bill; the newest is
    // tapped many times at once, the older ones too.
    for (i, chat) in [OWNER, GROUP, -5, -6].into_iter().enumerate() {
        store
            .put_inquiry(&check_in(chat, &format!("LTAP{i}"), PLN))
            .await
            .unwrap();
    }
    let taps = (0..24).map(|n| {
        let store = store.clone();
        tokio::spawn(async move {
            let inquiry = store.inquiry(&format!("LTAP{}", n % 4)).unwrap().unwrap();
            store
                .claim_payment(&payment_of(&inquiry), None)
                .await
                .unwrap()
        })
    });
    let claims: Vec<Claim> = futures::future::join_all(taps)
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    let claimed: Vec<String> = claims
        .iter()
        .filter(|c| matches!(c, Claim::Claimed(_)))
        .map(outcome)
        .collect();
    assert_eq!(claimed, ["Claimed(LTAP3)"]);
    assert_eq!(store.journal_len(), 1);
}

#[tokio::test]
async fn a_group_that_becomes_a_supergroup_keeps_its_link_and_language() {
    let store = temporary();
    let link = GroupLink {
        owner: OWNER,
        allowed: vec![8],
    };
    store.set_group(GROUP, &link).await.unwrap();
    store.set_lang(GROUP, Lang::En).await.unwrap();
    store.migrate_chat(GROUP, SUPERGROUP).await.unwrap();
    // Telegram announces it in both chats: the second is harmless.
    store.migrate_chat(GROUP, SUPERGROUP).await.unwrap();
    assert_eq!(store.group(SUPERGROUP).unwrap(), Some(link));
    assert_eq!(store.lang(SUPERGROUP).unwrap(), Some(Lang::En));
    assert_eq!(store.group(GROUP).unwrap(), None);
    assert_eq!(store.lang(GROUP).unwrap(), None);
}

// ---- durability ----

/// Names the durable write a [`crash_child`] makes before it dies.
const CRASH_WRITE: &str = "LOKET_STORE_CRASH_WRITE";
/// The data dir a [`crash_child`] opens.
const CRASH_DIR: &str = "LOKET_STORE_CRASH_DIR";

/// One durable method: the write (after what it needs first), and whether
/// a store reopened after a crash right after it holds it.
struct DurableWrite {
    method: &'static str,
    write: Setup,
    found: fn(&Store) -> bool,
}

fn durable_writes() -> Vec<DurableWrite> {
    vec![
        DurableWrite {
            method: "save_account",
            write: |s| {
                Box::pin(async move {
                    let creds = demo_account("http://127.0.0.1:9");
                    s.save_account(OWNER, &creds).await.unwrap()
                })
            },
            found: |s| s.account(OWNER).unwrap() == Some(demo_account("http://127.0.0.1:9")),
        },
        DurableWrite {
            method: "remove_account",
            write: |s| {
                Box::pin(async move {
                    let creds = demo_account("http://127.0.0.1:9");
                    s.save_account(OWNER, &creds).await.unwrap();
                    assert!(s.remove_account(OWNER).await.unwrap());
                })
            },
            found: |s| s.account(OWNER).unwrap().is_none(),
        },
        DurableWrite {
            method: "begin_entry",
            write: |s| {
                Box::pin(async move { assert!(s.begin_entry(&topup("LD1")).await.unwrap()) })
            },
            found: |s| s.entry("LD1").unwrap().is_some() && unfinished(s) == ["LD1"],
        },
        DurableWrite {
            method: "update_entry",
            write: |s| {
                Box::pin(async move {
                    let mut entry = topup("LD1");
                    assert!(s.begin_entry(&entry).await.unwrap());
                    entry.state = EntryState::Success;
                    s.update_entry(&entry).await.unwrap();
                })
            },
            found: |s| {
                s.entry("LD1").unwrap().map(|e| e.state) == Some(EntryState::Success)
                    && unfinished(s).is_empty()
            },
        },
        DurableWrite {
            method: "stop_following",
            write: |s| {
                Box::pin(async move {
                    assert!(s.begin_entry(&topup("LD1")).await.unwrap());
                    s.stop_following("LD1").await.unwrap();
                })
            },
            found: |s| s.entry("LD1").unwrap().is_some() && unfinished(s).is_empty(),
        },
        DurableWrite {
            method: "put_inquiry",
            write: |s| Box::pin(async move { s.put_inquiry(&check("LD2")).await.unwrap() }),
            found: |s| {
                s.newest_inquiry(OWNER, PLN.0, PLN.1)
                    .unwrap()
                    .is_some_and(|i| i.ref_id == "LD2")
            },
        },
        DurableWrite {
            method: "transition_inquiry",
            write: |s| {
                Box::pin(async move {
                    s.put_inquiry(&check("LD2")).await.unwrap();
                    let moved = s
                        .transition_inquiry("LD2", InquiryState::Open, InquiryState::Cancelled)
                        .await
                        .unwrap();
                    assert!(moved.is_some());
                })
            },
            found: |s| s.inquiry("LD2").unwrap().map(|i| i.state) == Some(InquiryState::Cancelled),
        },
        DurableWrite {
            method: "claim_payment",
            write: |s| {
                Box::pin(async move {
                    s.put_inquiry(&check("LD2")).await.unwrap();
                    let claim = s.claim_payment(&payment("LD2"), None).await.unwrap();
                    assert!(matches!(claim, Claim::Claimed(_)), "{claim:?}");
                })
            },
            found: |s| {
                s.inquiry("LD2").unwrap().map(|i| i.state) == Some(InquiryState::Paying)
                    && s.bill(OWNER, PLN.0, PLN.1).unwrap().payment.as_deref() == Some("LD2")
                    && unfinished(s) == ["LD2"]
            },
        },
        DurableWrite {
            method: "set_group",
            write: |s| {
                Box::pin(async move {
                    let link = GroupLink {
                        owner: OWNER,
                        allowed: vec![8],
                    };
                    s.set_group(GROUP, &link).await.unwrap()
                })
            },
            found: |s| s.group(GROUP).unwrap().is_some_and(|l| l.allowed == [8]),
        },
        DurableWrite {
            method: "remove_group",
            write: |s| {
                Box::pin(async move {
                    s.set_group(GROUP, &GroupLink::default()).await.unwrap();
                    assert!(s.remove_group(GROUP).await.unwrap());
                })
            },
            found: |s| s.group(GROUP).unwrap().is_none(),
        },
        DurableWrite {
            method: "set_lang",
            write: |s| Box::pin(async move { s.set_lang(GROUP, Lang::En).await.unwrap() }),
            found: |s| s.lang(GROUP).unwrap() == Some(Lang::En),
        },
        DurableWrite {
            method: "put_confirmation",
            write: |s| {
                Box::pin(async move {
                    s.put_confirmation(&question_in(GROUP, "LD3"))
                        .await
                        .unwrap()
                })
            },
            found: |s| s.confirmation("LD3").unwrap().is_some(),
        },
        DurableWrite {
            method: "take_confirmation",
            write: |s| {
                Box::pin(async move {
                    s.put_confirmation(&question_in(GROUP, "LD3"))
                        .await
                        .unwrap();
                    assert!(s.take_confirmation("LD3").await.unwrap().is_some());
                })
            },
            found: |s| s.confirmation("LD3").unwrap().is_none(),
        },
        DurableWrite {
            method: "migrate_chat",
            write: |s| {
                Box::pin(async move {
                    let link = GroupLink {
                        owner: OWNER,
                        allowed: vec![8],
                    };
                    s.set_group(GROUP, &link).await.unwrap();
                    s.set_lang(GROUP, Lang::En).await.unwrap();
                    let call = call_in(GROUP, "LD1", EntryKind::Topup, ("T10", "081200009001"));
                    assert!(s.begin_entry(&call).await.unwrap());
                    s.put_inquiry(&check_in(GROUP, "LD2", PLN)).await.unwrap();
                    s.put_confirmation(&question_in(GROUP, "LD3"))
                        .await
                        .unwrap();
                    s.migrate_chat(GROUP, SUPERGROUP).await.unwrap();
                })
            },
            found: |s| {
                let moved = |chat: Option<i64>| chat == Some(SUPERGROUP);
                s.group(SUPERGROUP).unwrap().is_some()
                    && s.group(GROUP).unwrap().is_none()
                    && s.lang(SUPERGROUP).unwrap() == Some(Lang::En)
                    && moved(s.entry("LD1").unwrap().map(|e| e.chat_id))
                    && s.recent_entries(SUPERGROUP, 5).unwrap().len() == 1
                    && s.recent_entries(GROUP, 5).unwrap().is_empty()
                    && moved(s.inquiry("LD2").unwrap().map(|i| i.chat_id))
                    && moved(s.confirmation("LD3").unwrap().map(|q| q.chat_id))
            },
        },
    ]
}

/// Not a test on its own: the child process of the durability tests. Told
/// a write and a directory, it makes the write and exits the moment it
/// returns, with no destructor run — as if the power went. Run plainly,
/// it does nothing.
#[test]
fn crash_child() {
    let (Ok(method), Ok(dir)) = (std::env::var(CRASH_WRITE), std::env::var(CRASH_DIR)) else {
        return;
    };
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let store = Store::open(&Location::Dir(dir.clone().into()), Some(KEY)).unwrap();
    if method == "next_id" {
        let minted = store.next_id().unwrap();
        std::fs::write(Path::new(&dir).join("minted"), minted.to_string()).unwrap();
    } else {
        let row = durable_writes()
            .into_iter()
            .find(|w| w.method == method)
            .expect("a durable write of the table");
        runtime.block_on((row.write)(store.clone()));
    }
    std::process::exit(0);
}

/// Runs `method` in a [`crash_child`] on `dir`, which dies right after it.
fn crash_right_after(method: &str, dir: &Path) {
    let status = Command::new(std::env::current_exe().unwrap())
        .args(["crash_child", "--exact", "--nocapture", "--test-threads=1"])
        .env(CRASH_WRITE, method)
        .env(CRASH_DIR, dir)
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "{method}: the child process failed");
}

#[test]
fn every_durable_write_survives_a_crash() {
    let mut lost = Vec::new();
    for row in durable_writes() {
        let dir = temp_dir(row.method);
        crash_right_after(row.method, &dir);
        let store = Store::open(&Location::Dir(dir.clone()), Some(KEY)).unwrap();
        if !(row.found)(&store) {
            lost.push(row.method);
        }
        drop(store);
        std::fs::remove_dir_all(dir).ok();
    }
    assert!(
        lost.is_empty(),
        "lost in a crash right after returning: {lost:?}"
    );
}

#[test]
fn minted_ids_never_repeat_after_a_crash() {
    let dir = temp_dir("next-id");
    crash_right_after("next_id", &dir);
    let minted: u64 = std::fs::read_to_string(dir.join("minted"))
        .unwrap()
        .parse()
        .unwrap();
    let store = Store::open(&Location::Dir(dir.clone()), Some(KEY)).unwrap();
    let next = store.next_id().unwrap();
    assert!(
        next > minted,
        "minted {minted} before the crash, {next} after"
    );
    drop(store);
    std::fs::remove_dir_all(dir).ok();
}
