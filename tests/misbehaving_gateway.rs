//! A gateway that is not the sandbox and misbehaves: it answers loket's
//! calls with lines about other calls, a payment with the inquiry's line,
//! status checks with refusals of the check itself. Each case of issue
//! "Reading replies right" (b) is here: loket never reads a verdict from a
//! reply that is not about the call it made, and `status REFID` corrects
//! the journal from a later answer.
//!
//! The gateway is a scripted axum server on 127.0.0.1: for each kind of
//! call (topup, inquiry, payment, status) it answers the next scripted
//! text, with `{product}`, `{dest}` and `{ref}` filled from the request.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Query, State};
use axum::routing::get;
use axum::Router;
use loket::app::engine_with;
use loket::catalog::Catalog;
use loket::engine::{ChatCtx, Engine, EngineConfig, Input, Notice, Response};
use loket::gateway::{BalanceSign, Credentials};
use loket::model::EntryState;
use loket::secret::Secret;
use loket::store::{Location, Store};
use tokio::sync::mpsc;

#[path = "support/chat.rs"]
mod chat;
use chat::{ref_of, shown};

const ME: i64 = 2002;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Kind {
    Topup,
    Inquiry,
    Payment,
    Status,
}

#[derive(Default)]
struct Script {
    /// Texts to answer per kind; the last one repeats.
    answers: HashMap<Kind, VecDeque<String>>,
    seen: Vec<(Kind, String)>,
}

type Shared = Arc<Mutex<Script>>;

async fn answer(State(script): State<Shared>, Query(q): Query<HashMap<String, String>>) -> String {
    let kind = if q.contains_key("cek") {
        Kind::Status
    } else if q.get("jenis").map(String::as_str) == Some("5") {
        Kind::Inquiry
    } else if q.get("jenis").map(String::as_str) == Some("6") {
        Kind::Payment
    } else {
        Kind::Topup
    };
    let mut script = script.lock().unwrap();
    let ref_id = q.get("refID").cloned().unwrap_or_default();
    script.seen.push((kind, ref_id.clone()));
    let queue = script.answers.entry(kind).or_default();
    let text = if queue.len() > 1 {
        queue.pop_front().unwrap()
    } else {
        queue.front().cloned().unwrap_or_default()
    };
    text.replace("{product}", q.get("product").map_or("", String::as_str))
        .replace("{dest}", q.get("dest").map_or("", String::as_str))
        .replace("{ref}", &ref_id)
}

async fn balance() -> &'static str {
    "Saldo Anda Rp 1.234.567 @ 2026-12-01 04:19:18"
}

struct World {
    engine: Engine,
    script: Shared,
    notices: mpsc::UnboundedReceiver<Notice>,
}

async fn world(script: &[(Kind, &[&str])]) -> World {
    let shared: Shared = Arc::default();
    {
        let mut s = shared.lock().unwrap();
        for (kind, texts) in script {
            s.answers
                .insert(*kind, texts.iter().map(|t| t.to_string()).collect());
        }
    }
    let app = Router::new()
        .route("/V1/http-get", get(answer))
        .route("/V1/http-get/balance", get(balance))
        .with_state(shared.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    let mut config = EngineConfig::new(url.clone());
    config.default_account = Some(Credentials {
        member_id: "M1".into(),
        pin: Secret::new("1111"),
        api_key: Secret::new("k"),
        base_url: url,
        balance_sign: BalanceSign::Fields,
    });
    config.recheck_after = Duration::from_millis(50);
    config.recheck_cap = Duration::from_millis(100);
    let (engine, notices) = engine_with(
        Store::open(&Location::Temporary, None).unwrap(),
        Catalog::builtin(),
        config,
        Duration::from_secs(5),
    );
    World {
        engine,
        script: shared,
        notices,
    }
}

impl World {
    async fn say(&self, text: &str) -> Response {
        self.engine
            .handle(&ChatCtx::private(ME), Input::Text(text.into()))
            .await
    }

    async fn press(&self, data: &str) -> Response {
        self.engine
            .handle(&ChatCtx::private(ME), Input::Button(data.into()))
            .await
    }

    fn seen(&self, kind: Kind) -> usize {
        self.script
            .lock()
            .unwrap()
            .seen
            .iter()
            .filter(|(k, _)| *k == kind)
            .count()
    }

    fn state_of(&self, ref_id: &str) -> EntryState {
        self.engine.store().entry(ref_id).unwrap().unwrap().state
    }

    /// Waits until at least `n` status checks were answered.
    async fn checks(&self, n: usize) {
        for _ in 0..200 {
            if self.seen(Kind::Status) >= n {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("fewer than {n} status checks");
    }
}

#[tokio::test]
async fn a_topup_answered_about_another_call_is_never_a_verdict() {
    for (other, wrong_word) in [
        (
            "TRX T5.081299999999 GAGAL, nomor tujuan salah. REFID:OTHER.",
            "gagal:",
        ),
        (
            "TRX T5.081299999999 SUKSES, HRG:6000 SN:X1 REFID:OTHER.",
            "berhasil",
        ),
        (
            "TRX {product}.{dest} SUKSES, HRG:11000 SN:X1 REFID:OTHER.",
            "berhasil",
        ),
        (
            "TRX {product}.{dest} GAGAL, nomor salah. REFID:OTHER.",
            "gagal:",
        ),
    ] {
        let w = world(&[
            (Kind::Topup, &[other]),
            (
                Kind::Status,
                &["STATUS {product}.{dest} PENDING. REFID:{ref}"],
            ),
        ])
        .await;
        let first = shown(&w.say("T10 081200009001").await);
        assert!(first.contains("sedang dicek"), "{other}: {first}");
        assert!(
            !first.to_lowercase().contains(wrong_word),
            "{other}: {first}"
        );
        let ref_id = ref_of(&first);
        assert_eq!(w.state_of(&ref_id), EntryState::Unknown, "{other}");
        // Retyped: the call may have been charged, so loket asks first.
        let again = shown(&w.say("T10 081200009001").await);
        assert!(again.contains("Kirim lagi?"), "{other}: {again}");
        assert_eq!(w.seen(Kind::Topup), 1, "{other}");
    }
}

#[tokio::test]
async fn a_payment_answered_with_the_inquiry_line_or_a_bare_success_is_never_paid() {
    for payment_answer in [
        "CEK {product}.{dest} SUKSES, DATA:Anto TAGIHAN:300000 ADMIN:2750.",
        "SUKSES.",
        "R#{ref} {product}.{dest} SUKSES. Nama: Anto. Tagihan: Rp300.000. Admin: Rp2.750",
    ] {
        let w = world(&[
            (
                Kind::Inquiry,
                &["CEK {product}.{dest} SUKSES, DATA:Anto TAGIHAN:300000 ADMIN:2750."],
            ),
            (Kind::Payment, &[payment_answer]),
            (
                Kind::Status,
                &["STATUS {product}.{dest} SUKSES, DATA:Anto TAGIHAN:300000 ADMIN:2750."],
            ),
        ])
        .await;
        let bill = w.say("PLNPASC 546302215889 cek").await;
        let pay = bill.replies[0].buttons[0].data.clone();
        let paid = shown(&w.press(&pay).await);
        assert!(!paid.contains("berhasil"), "{payment_answer}: {paid}");
        assert!(paid.contains("sedang dicek"), "{payment_answer}: {paid}");
        let ref_id = ref_of(&paid);
        assert!(
            !w.state_of(&ref_id).is_final(),
            "{payment_answer}: {:?}",
            w.state_of(&ref_id)
        );
        // A second tap never sends a second payment.
        let again = shown(&w.press(&pay).await);
        assert!(!again.contains("berhasil"), "{payment_answer}: {again}");
    }
}

#[tokio::test]
async fn a_refused_status_check_never_fails_a_charged_topup() {
    for refusal in [
        "STATUS {product}.{dest} GAGAL, terlalu sering cek status, coba lagi 1 menit",
        "GAGAL, terlalu sering cek status, coba lagi 1 menit",
        "STATUS {product}.{dest} GAGAL, format salah.",
        "STATUS {product}.{dest} GAGAL, refID tidak valid.",
        "GAGAL, request ditolak",
        "STATUS {product}.{dest} GAGAL, Anda tidak punya hak.",
        "STATUS {product}.{dest} GAGAL.",
    ] {
        let mut w = world(&[
            (Kind::Topup, &["<html><body>502 Bad Gateway</body></html>"]),
            (Kind::Status, &[refusal]),
        ])
        .await;
        let first = shown(&w.say("T10 081200009001").await);
        assert!(first.contains("sedang dicek"), "{refusal}: {first}");
        let ref_id = ref_of(&first);
        w.checks(3).await;
        assert!(
            !w.state_of(&ref_id).is_final(),
            "{refusal}: {:?}",
            w.state_of(&ref_id)
        );
        // The chat is shown the gateway's words, once.
        let notice = tokio::time::timeout(Duration::from_secs(2), w.notices.recv())
            .await
            .expect("a notice")
            .unwrap();
        assert!(
            notice.reply.text.contains("masih dicek") && notice.reply.text.contains("GAGAL"),
            "{refusal}: {}",
            notice.reply.text
        );
        w.checks(5).await;
        assert!(w.notices.try_recv().is_err(), "{refusal}: shown twice");
    }
}

#[tokio::test]
async fn an_outcome_on_a_status_check_is_final() {
    for (answer, state) in [
        (
            "STATUS {product}.{dest} GAGAL, nomor tujuan salah.",
            EntryState::Failed,
        ),
        (
            "R#{ref} {product}.{dest} sdh pernah jam 15:19, status Gagal. Stok kosong",
            EntryState::Failed,
        ),
        (
            "status=52&refid={ref}&message={product}.{dest} GAGAL. Nomor salah",
            EntryState::Failed,
        ),
        (
            "T#41168891 R#{ref} {product}.{dest} SUKSES. SN/Ref: R2106.2203. Saldo 10.795.667 - 10.880 = 10.784.787 @30/06 22:03",
            EntryState::Success,
        ),
    ] {
        let mut w = world(&[
            (Kind::Topup, &["<html>502</html>"]),
            (Kind::Status, &[answer]),
        ])
        .await;
        let first = shown(&w.say("T10 081200009001").await);
        let ref_id = ref_of(&first);
        let notice = tokio::time::timeout(Duration::from_secs(3), w.notices.recv())
            .await
            .expect("a result")
            .unwrap();
        assert_eq!(w.state_of(&ref_id), state, "{answer}: {}", notice.reply.text);
    }
}

#[tokio::test]
async fn status_refid_asks_the_gateway_and_corrects_a_wrong_final_verdict() {
    let w = world(&[
        (
            Kind::Topup,
            &["TRX {product}.{dest} GAGAL, nomor tujuan salah."],
        ),
        (
            Kind::Status,
            &["STATUS {product}.{dest} SUKSES, HRG:10880 SN:77 REFID:{ref}."],
        ),
    ])
    .await;
    let first = shown(&w.say("T10 081200009001").await);
    assert!(first.contains("gagal"), "{first}");
    let ref_id = ref_of(&first);
    assert_eq!(w.state_of(&ref_id), EntryState::Failed);
    let status = shown(&w.say(&format!("status {ref_id}")).await);
    assert_eq!(w.seen(Kind::Status), 1, "status always asks the gateway");
    assert!(
        status.contains("sekarang menyatakan berhasil") && status.contains("Rp10.880"),
        "{status}"
    );
    assert!(status.contains("Jawaban gateway saat ini"), "{status}");
    let entry = w.engine.store().entry(&ref_id).unwrap().unwrap();
    assert_eq!(entry.state, EntryState::Success);
    assert_eq!(entry.history.len(), 1, "the old answer is kept");
    assert_eq!(entry.history[0].state, EntryState::Failed);
    assert!(entry.history[0]
        .raw_reply
        .as_deref()
        .unwrap()
        .contains("GAGAL"));
}

#[tokio::test]
async fn status_refid_of_a_final_entry_shows_the_gateway_beside_the_journal() {
    let w = world(&[
        (
            Kind::Topup,
            &["TRX {product}.{dest} SUKSES, HRG:11000 SN:ABC REFID:{ref}."],
        ),
        (Kind::Status, &["GAGAL, sign tidak valid"]),
    ])
    .await;
    let first = shown(&w.say("T10 081200009001").await);
    let ref_id = ref_of(&first);
    let status = shown(&w.say(&format!("status {ref_id}")).await);
    assert_eq!(w.seen(Kind::Status), 1);
    assert!(status.contains("berhasil"), "{status}");
    assert!(status.contains("sign tidak valid"), "{status}");
    assert_eq!(
        w.state_of(&ref_id),
        EntryState::Success,
        "a refusal corrects nothing"
    );
}

#[tokio::test]
async fn an_unreadable_money_reply_shows_the_gateways_words() {
    let w = world(&[
        (Kind::Topup, &["Mohon maaf, sistem kami sedang sibuk"]),
        (Kind::Status, &["STATUS {product}.{dest} PENDING."]),
    ])
    .await;
    let first = shown(&w.say("T10 081200009001").await);
    assert!(first.contains("sedang dicek"), "{first}");
    assert!(
        first.contains("Jawaban gateway: Mohon maaf, sistem kami sedang sibuk"),
        "{first}"
    );
    let long = "x".repeat(500);
    let w = world(&[(Kind::Topup, &[long.as_str()])]).await;
    let first = shown(&w.say("T10 081200009001").await);
    let words = first.lines().last().unwrap();
    assert!(
        words.chars().count() <= "Jawaban gateway: ".len() + 201,
        "{words}"
    );
}
