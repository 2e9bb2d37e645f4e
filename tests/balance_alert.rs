//! The low-balance alert (issue 13, item 5): `/saldo minimal 200000` —
//! when a reply shows the balance after a sale (`Saldo A - B = C`, `Sisa
//! saldo`) or a balance call returns under the threshold, the owner is told
//! once, and again only after a balance at or above it was seen.

use loket::catalog::Catalog;
use loket::command::{self, BalanceAlert, Command};
use loket::engine::ChatCtx;
use loket::money::Rupiah;
use loket::sandbox::{Dialect, SandboxConfig};

#[path = "support/chat.rs"]
mod chat;
#[path = "support/engine_world.rs"]
mod engine_world;

use chat::shown;
use engine_world::{World, GROUP, MEMBER, OWNER};

fn me() -> ChatCtx {
    ChatCtx::private(OWNER)
}

#[test]
fn saldo_minimal_reads_a_threshold_or_off() {
    let catalog = Catalog::builtin();
    let cases: Vec<(&str, Result<Command, &str>)> = vec![
        ("saldo", Ok(Command::Balance)),
        (
            "/saldo minimal 200000",
            Ok(Command::BalanceAlert(BalanceAlert::Set(Rupiah(200_000)))),
        ),
        (
            "saldo minimal 200rb",
            Ok(Command::BalanceAlert(BalanceAlert::Set(Rupiah(200_000)))),
        ),
        (
            "/saldo min 1,5jt",
            Ok(Command::BalanceAlert(BalanceAlert::Set(Rupiah(1_500_000)))),
        ),
        (
            "/saldo minimal mati",
            Ok(Command::BalanceAlert(BalanceAlert::Off)),
        ),
        (
            "/saldo minimal",
            Ok(Command::BalanceAlert(BalanceAlert::Show)),
        ),
        ("/saldo minimal banyak", Err("err-balance-alert-usage")),
        ("/saldo minimal 1 2", Err("err-balance-alert-usage")),
        ("saldo x1", Err("err-too-many-words")),
    ];
    for (text, expected) in cases {
        let parsed = command::parse(text, &catalog).map_err(|e| e.message_id());
        assert_eq!(parsed, expected, "{text}");
    }
}

/// Every notice waiting now, as text.
fn drain(w: &mut World) -> Vec<String> {
    let mut out = Vec::new();
    while let Ok(notice) = w.notices.try_recv() {
        assert_eq!(
            notice.chat_id, OWNER,
            "alerts go to the owner's private chat"
        );
        out.push(notice.reply.text);
    }
    out
}

fn alerts(notices: &[String]) -> usize {
    notices
        .iter()
        .filter(|t| t.contains("Saldo tinggal"))
        .count()
}

#[tokio::test]
async fn the_low_balance_alert_fires_once_until_the_balance_is_back_above() {
    // Replies in these dialects carry the balance after each sale.
    for dialect in [Dialect::Otomax, Dialect::Sisa] {
        let sandbox = SandboxConfig {
            dialect,
            ..SandboxConfig::default()
        };
        let mut w = World::start_with(sandbox, |_| {}).await;
        // The demo account starts at Rp5.000.000; a T10 costs Rp11.000.
        let set = shown(&w.say_in(me(), "/saldo minimal 4990000").await);
        assert!(set.contains("Rp4.990.000"), "{set}");
        for n in 0..3 {
            let sold = shown(&w.say_in(me(), &format!("T10 08771234560{n}")).await);
            assert!(sold.contains("berhasil"), "{dialect:?}: {sold}");
        }
        let told = drain(&mut w);
        assert_eq!(
            alerts(&told),
            1,
            "{dialect:?}: once, not per sale: {told:?}"
        );
        assert!(told[0].contains("Rp4.989.000"), "{told:?}");

        // A balance call under it says nothing more.
        w.say_in(me(), "saldo").await;
        assert_eq!(alerts(&drain(&mut w)), 0);

        // Back above a new threshold: armed again, fired at the next dip.
        w.say_in(me(), "/saldo minimal 4960000").await;
        w.say_in(me(), "saldo").await;
        assert_eq!(alerts(&drain(&mut w)), 0, "above it: quiet");
        w.say_in(me(), "T10 087712345610").await;
        assert_eq!(
            alerts(&drain(&mut w)),
            1,
            "Rp4.956.000: under the new limit"
        );
    }
}

#[tokio::test]
async fn an_alert_is_armed_again_only_by_a_balance_at_or_above_it() {
    use loket::store::{BalanceSeen, Location, Store};
    let store = Store::open(&Location::Temporary, None).unwrap();
    assert_eq!(
        store.balance_seen(OWNER, Rupiah(1)).await.unwrap(),
        BalanceSeen::Quiet,
        "no alert set"
    );
    store
        .set_balance_watch(OWNER, Some(Rupiah(200_000)))
        .await
        .unwrap();
    // (balance seen, fires?)
    let steps = [
        (250_000, false),
        (199_999, true),
        (150_000, false),
        (199_000, false),
        (200_000, false), // at the threshold: armed again
        (180_000, true),
        (180_000, false),
    ];
    for (balance, fires) in steps {
        let seen = store.balance_seen(OWNER, Rupiah(balance)).await.unwrap();
        assert_eq!(
            matches!(seen, BalanceSeen::WentUnder(_)),
            fires,
            "balance {balance}"
        );
    }
    store.set_balance_watch(OWNER, None).await.unwrap();
    assert_eq!(
        store.balance_seen(OWNER, Rupiah(1)).await.unwrap(),
        BalanceSeen::Quiet,
        "off"
    );
}

#[tokio::test]
async fn in_a_group_the_owner_sets_the_alert_and_is_told_privately() {
    let sandbox = SandboxConfig {
        dialect: Dialect::Otomax,
        ..SandboxConfig::default()
    };
    let mut w = World::start_with(sandbox, |_| {}).await;
    w.owner_with_group().await;
    let member = ChatCtx::group(GROUP, MEMBER);
    let refused = shown(&w.say_in(member, "/saldo minimal 4990000").await);
    assert!(refused.contains("Hanya pemilik"), "{refused}");
    let owner = ChatCtx::group(GROUP, OWNER);
    w.say_in(owner, "/saldo minimal 4990000").await;
    let sold = shown(&w.say_in(member, "/beli T10 087712345678").await);
    assert!(sold.contains("berhasil"), "{sold}");
    let mut told = Vec::new();
    while let Ok(notice) = w.notices.try_recv() {
        told.push((notice.chat_id, notice.reply.text));
    }
    let alerts: Vec<_> = told
        .iter()
        .filter(|(_, t)| t.contains("Saldo tinggal"))
        .collect();
    assert_eq!(alerts.len(), 1, "{told:?}");
    assert_eq!(alerts[0].0, OWNER, "told in the owner's private chat");
}
