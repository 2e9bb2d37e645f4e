//! Every flow against a center that is not R-ONE: the sandbox answering in
//! each dialect it speaks (`loket sandbox --dialect NAME`), read by loket
//! with no configuration. Balance, a topup with its SN (and price where
//! the reply shows one), a final failure with its reason, a pending topup
//! followed to its end, a bill checked and paid, and `status REFID` are
//! each reported as what they are, in every dialect.

use std::time::Duration;

use loket::app::{demo_account, engine_with};
use loket::catalog::Catalog;
use loket::engine::{ChatCtx, Engine, EngineConfig, Input, Notice};
use loket::model::EntryState;
use loket::sandbox::{self, Dialect, SandboxConfig, SandboxHandle};
use loket::store::{Location, Store};
use tokio::sync::mpsc;

#[path = "support/chat.rs"]
mod chat;
use chat::{ref_of, shown};

const ME: i64 = 3003;

struct World {
    engine: Engine,
    sandbox: SandboxHandle,
    notices: mpsc::UnboundedReceiver<Notice>,
}

async fn world(dialect: Dialect) -> World {
    let sandbox = sandbox::spawn(
        "127.0.0.1:0".parse().unwrap(),
        SandboxConfig {
            dialect,
            ..SandboxConfig::default()
        },
    )
    .await
    .unwrap();
    let mut config = EngineConfig::new(sandbox.base_url());
    config.default_account = Some(demo_account(&sandbox.base_url()));
    config.recheck_after = Duration::from_millis(50);
    config.recheck_cap = Duration::from_millis(200);
    let (engine, notices) = engine_with(
        Store::open(&Location::Temporary, None).unwrap(),
        Catalog::builtin(),
        config,
        Duration::from_secs(5),
    );
    World {
        engine,
        sandbox,
        notices,
    }
}

impl World {
    async fn say(&self, text: &str) -> String {
        shown(
            &self
                .engine
                .handle(&ChatCtx::private(ME), Input::Text(text.into()))
                .await,
        )
    }

    async fn press(&self, data: &str) -> String {
        shown(
            &self
                .engine
                .handle(&ChatCtx::private(ME), Input::Button(data.into()))
                .await,
        )
    }

    fn state(&self, ref_id: &str) -> EntryState {
        self.engine.store().entry(ref_id).unwrap().unwrap().state
    }
}

#[tokio::test]
async fn balance_reads_in_every_dialect() {
    for dialect in Dialect::ALL {
        let w = world(dialect).await;
        let text = w.say("saldo").await;
        assert!(text.contains("Rp5.000.000"), "{dialect}: {text}");
    }
}

#[tokio::test]
async fn a_topup_succeeds_with_its_sn_and_price_in_every_dialect() {
    for dialect in Dialect::ALL {
        let w = world(dialect).await;
        let text = w.say("T10 087712345678").await;
        assert!(text.contains("Isi ulang berhasil"), "{dialect}: {text}");
        let ref_id = ref_of(&text);
        assert_eq!(w.state(&ref_id), EntryState::Success, "{dialect}");
        let entry = w.engine.store().entry(&ref_id).unwrap().unwrap();
        assert!(
            entry.sn.is_some(),
            "{dialect}: no SN in {:?}",
            entry.raw_reply
        );
        // Every dialect here shows the price (HRG, arithmetic or price=),
        // except `sisa`, whose line has only the balance left.
        if dialect != Dialect::Sisa {
            assert!(text.contains("Rp11.000"), "{dialect}: {text}");
        }
        assert_eq!(w.sandbox.charges_for(&ref_id), 1, "{dialect}");
    }
}

#[tokio::test]
async fn a_wrong_number_is_a_final_failure_with_its_reason_in_every_dialect() {
    for dialect in Dialect::ALL {
        let w = world(dialect).await;
        // 08990006…: GAGAL, nomor tujuan salah, no charge.
        let text = w.say("T10 089900061234").await;
        assert!(text.contains("gagal"), "{dialect}: {text}");
        assert!(
            text.to_lowercase().contains("nomor tujuan salah"),
            "{dialect}: {text}"
        );
        assert_eq!(w.state(&ref_of(&text)), EntryState::Failed, "{dialect}");
    }
}

#[tokio::test]
async fn a_pending_topup_is_followed_to_its_end_in_every_dialect() {
    for dialect in Dialect::ALL {
        let mut w = world(dialect).await;
        // 08990005…: charged, PENDING, then SUKSES on a later check.
        let text = w.say("T10 089900051234").await;
        assert!(
            text.contains("diproses") || text.contains("sedang dicek"),
            "{dialect}: {text}"
        );
        let ref_id = ref_of(&text);
        let notice = tokio::time::timeout(Duration::from_secs(5), w.notices.recv())
            .await
            .unwrap_or_else(|_| panic!("{dialect}: no result"))
            .unwrap();
        assert!(
            notice.reply.text.contains("Isi ulang berhasil"),
            "{dialect}: {}",
            notice.reply.text
        );
        assert_eq!(w.state(&ref_id), EntryState::Success, "{dialect}");
        assert_eq!(w.sandbox.charges_for(&ref_id), 1, "{dialect}");
    }
}

#[tokio::test]
async fn a_bill_is_checked_and_paid_once_in_every_dialect() {
    for dialect in Dialect::ALL {
        let w = world(dialect).await;
        let engine = &w.engine;
        let bill = engine
            .handle(
                &ChatCtx::private(ME),
                Input::Text("PLNPASC 546302215889 cek".into()),
            )
            .await;
        let text = shown(&bill);
        assert!(
            text.contains("Anto") && text.contains("Rp302.750"),
            "{dialect}: {text}"
        );
        let pay = bill.replies[0].buttons[0].data.clone();
        let paid = w.press(&pay).await;
        assert!(paid.contains("Pembayaran berhasil"), "{dialect}: {paid}");
        let ref_id = ref_of(&paid);
        assert_eq!(w.state(&ref_id), EntryState::Success, "{dialect}");
        let again = w.press(&pay).await;
        assert!(again.contains("sudah dibayar"), "{dialect}: {again}");
        assert_eq!(w.sandbox.stats().payments, 1, "{dialect}");
        assert_eq!(
            w.sandbox.balance("DEMO").unwrap().value(),
            5_000_000 - 302_750,
            "{dialect}"
        );
        // The status check of the paid bill agrees with the journal.
        let status = w.say(&format!("status {ref_id}")).await;
        assert!(
            status.contains("Pembayaran berhasil"),
            "{dialect}: {status}"
        );
        assert!(!status.contains("⚠️"), "{dialect}: {status}");
        assert_eq!(w.state(&ref_id), EntryState::Success, "{dialect}");
    }
}

#[tokio::test]
async fn a_lost_answer_is_followed_to_the_truth_in_every_dialect() {
    for dialect in Dialect::ALL {
        let mut w = world(dialect).await;
        // 08990002…: processed and charged, then HTTP 500.
        let text = w.say("T10 089900021234").await;
        assert!(text.contains("sedang dicek"), "{dialect}: {text}");
        let ref_id = ref_of(&text);
        let notice = tokio::time::timeout(Duration::from_secs(5), w.notices.recv())
            .await
            .unwrap_or_else(|_| panic!("{dialect}: no result"))
            .unwrap();
        assert!(
            notice.reply.text.contains("Isi ulang berhasil"),
            "{dialect}: {}",
            notice.reply.text
        );
        assert_eq!(w.sandbox.charges_for(&ref_id), 1, "{dialect}");
    }
}
