//! The sandbox gateway against SPEC §1 and the seed, over real HTTP.
//!
//! The client here signs on its own (sha1 + base64 url-safe, no padding) so
//! a mistake in the crate's `sign` module cannot hide behind itself. Every
//! reply is read with the bot's own parser, `loket::gateway::parse_reply`.

use std::time::{Duration, Instant};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use sha1::{Digest, Sha1};

use loket::gateway::{parse_balance, parse_reply, BalanceReply, BalanceSign, TxStatus};
use loket::money::Rupiah;
use loket::sandbox::{
    spawn, Dialect, Fault, SandboxAccount, SandboxClock, SandboxConfig, SandboxHandle,
    SandboxStats, DEMO_KEY, DEMO_MEMBER, DEMO_PIN,
};

const OPENING: i64 = 5_000_000;

fn sign(fields: &[&str]) -> String {
    URL_SAFE_NO_PAD.encode(Sha1::digest(fields.join("|").as_bytes()))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Topup,
    Inquiry,
    Payment,
    Status,
}

impl Op {
    fn param(self) -> (&'static str, &'static str) {
        match self {
            Op::Topup => ("qty", "1"),
            Op::Inquiry => ("jenis", "5"),
            Op::Payment => ("jenis", "6"),
            Op::Status => ("cek", "1"),
        }
    }
}

/// What came back over HTTP.
#[derive(Debug)]
struct Answer {
    status: u16,
    content_type: String,
    body: String,
}

impl Answer {
    fn reply(&self) -> loket::gateway::GatewayReply {
        assert_eq!(self.status, 200, "{self:?}");
        parse_reply(&self.body)
    }
}

/// A reseller's client that signs on its own.
#[derive(Clone)]
struct Reseller {
    http: reqwest::Client,
    base: String,
    member: String,
    pin: String,
    key: String,
}

impl Reseller {
    fn demo(sandbox: &SandboxHandle) -> Reseller {
        Reseller {
            http: reqwest::Client::new(),
            base: sandbox.base_url(),
            member: DEMO_MEMBER.into(),
            pin: DEMO_PIN.into(),
            key: DEMO_KEY.into(),
        }
    }

    fn sign_for(&self, product: &str, dest: &str, ref_id: &str) -> String {
        sign(&[
            "R-ONE",
            &self.member,
            product,
            dest,
            ref_id,
            &self.pin,
            &self.key,
        ])
    }

    /// The call's URL; `@` and friends are percent-encoded (`%40`).
    fn url(&self, op: Op, product: &str, dest: &str, ref_id: &str, sign: &str) -> String {
        let (extra, value) = op.param();
        let query = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("product", product)
            .append_pair("dest", dest)
            .append_pair("refID", ref_id)
            .append_pair("memberID", &self.member)
            .append_pair(extra, value)
            .append_pair("sign", sign)
            .finish();
        format!("{}/V1/http-get?{query}", self.base)
    }

    async fn get(&self, url: &str) -> Result<Answer, reqwest::Error> {
        let response = self.http.get(url).send().await?;
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let body = response.text().await?;
        Ok(Answer {
            status,
            content_type,
            body,
        })
    }

    async fn try_call(
        &self,
        op: Op,
        product: &str,
        dest: &str,
        ref_id: &str,
    ) -> Result<Answer, reqwest::Error> {
        let sign = self.sign_for(product, dest, ref_id);
        self.get(&self.url(op, product, dest, ref_id, &sign)).await
    }

    async fn call(&self, op: Op, product: &str, dest: &str, ref_id: &str) -> Answer {
        self.try_call(op, product, dest, ref_id)
            .await
            .expect("sandbox answers")
    }

    async fn balance_with(&self, mode: BalanceSign) -> Answer {
        let sign = match mode {
            BalanceSign::Fields => sign(&["R-ONE", &self.member, "", "", "", &self.pin, &self.key]),
            BalanceSign::CheckBalance => {
                sign(&["R-ONE", "CheckBalance", &self.member, &self.pin, &self.key])
            }
        };
        let url = format!(
            "{}/V1/http-get/balance?memberID={}&sign={sign}",
            self.base, self.member
        );
        self.get(&url).await.expect("sandbox answers")
    }
}

async fn sandbox() -> SandboxHandle {
    sandbox_with(SandboxConfig::default()).await
}

async fn sandbox_with(config: SandboxConfig) -> SandboxHandle {
    spawn("127.0.0.1:0".parse().unwrap(), config)
        .await
        .expect("sandbox binds")
}

fn spent(sandbox: &SandboxHandle) -> i64 {
    OPENING - sandbox.balance(DEMO_MEMBER).unwrap().value()
}

// ---------------------------------------------------------------- balance

#[tokio::test]
async fn balance_answers_with_two_spaces_before_at() {
    let sandbox = sandbox().await;
    let answer = Reseller::demo(&sandbox)
        .balance_with(BalanceSign::Fields)
        .await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.content_type, "text/plain; charset=utf-8");
    let (amount, at) = answer.body.split_once("  @ ").expect("two spaces before @");
    assert_eq!(amount, "saldo=5000000");
    assert_eq!(at.len(), "2026-04-21 11:00:00".len(), "{at}");
    assert!(chrono::NaiveDateTime::parse_from_str(at, "%Y-%m-%d %H:%M:%S").is_ok());
    assert_eq!(
        parse_balance(&answer.body),
        BalanceReply::Balance {
            amount: Rupiah(OPENING),
            at: Some(at.to_string())
        }
    );
    assert_eq!(sandbox.stats().balance_checks, 1);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn balance_sign_checkbalance_mode() {
    let mut account = SandboxAccount::demo();
    account.balance_sign = BalanceSign::CheckBalance;
    let sandbox = sandbox_with(SandboxConfig {
        accounts: vec![account],
        ..SandboxConfig::default()
    })
    .await;
    let client = Reseller::demo(&sandbox);
    let good = client.balance_with(BalanceSign::CheckBalance).await;
    assert!(matches!(
        parse_balance(&good.body),
        BalanceReply::Balance {
            amount: Rupiah(OPENING),
            ..
        }
    ));
    let wrong_mode = client.balance_with(BalanceSign::Fields).await;
    assert_eq!(wrong_mode.body, "GAGAL, sign tidak valid.");
    assert_eq!(sandbox.stats().bad_signs, 1);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn balance_refusals_are_plain_gagal_lines() {
    let sandbox = sandbox().await;
    let client = Reseller::demo(&sandbox);
    let good = sign(&["R-ONE", "DEMO", "", "", "", "0000", "demo"]);
    let wrong_pin = sign(&["R-ONE", "DEMO", "", "", "", "1111", "demo"]);
    let cases = [
        (
            format!("memberID=DEMO&sign={wrong_pin}"),
            "sign tidak valid",
        ),
        (
            format!("memberID=NOBODY&sign={good}"),
            "member tidak terdaftar",
        ),
        ("memberID=DEMO".to_string(), "parameter tidak lengkap"),
        (format!("sign={good}"), "parameter tidak lengkap"),
    ];
    for (query, reason) in cases {
        let url = format!("{}/V1/http-get/balance?{query}", client.base);
        let answer = client.get(&url).await.unwrap();
        assert_eq!(answer.body, format!("GAGAL, {reason}."), "{query}");
        assert_eq!(
            parse_balance(&answer.body),
            BalanceReply::Refused {
                reason: reason.into()
            }
        );
    }
    assert_eq!(sandbox.stats().bad_signs, 1);
    sandbox.shutdown().await;
}

// ---------------------------------------------------------------- topup

#[tokio::test]
async fn topup_charges_once_and_repeated_refid_echoes_without_charge() {
    let sandbox = sandbox().await;
    let client = Reseller::demo(&sandbox);
    let first = client.call(Op::Topup, "T10", "087712345678", "L1").await;
    assert_eq!(first.content_type, "text/plain; charset=utf-8");
    let reply = first.reply();
    assert_eq!(reply.status, TxStatus::Success, "{}", first.body);
    assert_eq!(reply.verb.as_deref(), Some("TRX"));
    assert_eq!(reply.product.as_deref(), Some("T10"));
    assert_eq!(reply.dest.as_deref(), Some("087712345678"));
    assert_eq!(reply.cost, Some(Rupiah(11_000)));
    assert_eq!(reply.ref_id.as_deref(), Some("L1"));
    let sn = reply.sn.expect("serial");
    assert!(
        sn.len() >= 12 && sn.bytes().all(|b| b.is_ascii_digit()),
        "{sn}"
    );
    assert_eq!(spent(&sandbox), 11_000);

    let again = client.call(Op::Topup, "T10", "087712345678", "L1").await;
    assert_eq!(again.body, first.body);
    assert_eq!(spent(&sandbox), 11_000);
    assert_eq!(sandbox.charges_for("L1"), 1);
    assert_eq!(sandbox.stats().charges, 1);
    assert_eq!(sandbox.stats().topups, 2);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn topup_price_follows_the_digits_in_the_code() {
    let sandbox = sandbox().await;
    let client = Reseller::demo(&sandbox);
    let cases = [
        ("T1", Some(2_000)),
        ("T10", Some(11_000)),
        ("XL25", Some(26_000)),
        ("X1000", Some(1_001_000)),
        ("T1001", None),
        ("PULSA", None),
    ];
    for (i, (code, price)) in cases.into_iter().enumerate() {
        let before = spent(&sandbox);
        let ref_id = format!("P{i}");
        let answer = client.call(Op::Topup, code, "081234567890", &ref_id).await;
        let reply = answer.reply();
        match price {
            Some(price) => {
                assert_eq!(reply.status, TxStatus::Success, "{}", answer.body);
                assert_eq!(reply.cost, Some(Rupiah(price)));
                assert_eq!(spent(&sandbox) - before, price);
            }
            None => {
                assert_eq!(
                    answer.body,
                    format!("TRX {code}.081234567890 GAGAL, produk tidak tersedia.")
                );
                assert_eq!(reply.status, TxStatus::Failed);
                assert_eq!(spent(&sandbox), before);
                assert_eq!(sandbox.charges_for(&ref_id), 0);
            }
        }
    }
    sandbox.shutdown().await;
}

#[tokio::test]
async fn pln_token_topup_has_token_serial_with_name_tariff_and_kwh() {
    let sandbox = sandbox().await;
    let client = Reseller::demo(&sandbox);
    let reply = client
        .call(Op::Topup, "PLN20", "14234567890", "TOKEN1")
        .await
        .reply();
    assert_eq!(reply.status, TxStatus::Success);
    assert_eq!(reply.cost, Some(Rupiah(21_000)));
    let sn = reply.sn.expect("token");
    let parts: Vec<&str> = sn.split('/').collect();
    assert_eq!(parts.len(), 5, "{sn}");
    assert!(parts[0].len() == 20 && parts[0].bytes().all(|b| b.is_ascii_digit()));
    assert!(!parts[1].is_empty() && parts[1] == parts[1].to_uppercase());
    assert_eq!(&parts[2..], ["R1", "1300", "13.8"]);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn topup_beyond_the_balance_fails_without_charge() {
    let mut account = SandboxAccount::demo();
    account.balance = Rupiah(10_000);
    let sandbox = sandbox_with(SandboxConfig {
        accounts: vec![account],
        ..SandboxConfig::default()
    })
    .await;
    let client = Reseller::demo(&sandbox);
    let answer = client.call(Op::Topup, "T10", "087712345678", "POOR").await;
    assert_eq!(
        answer.body,
        "TRX T10.087712345678 GAGAL, saldo tidak cukup."
    );
    let reply = answer.reply();
    assert_eq!(reply.status, TxStatus::Failed);
    assert_eq!(reply.reason.as_deref(), Some("saldo tidak cukup"));
    assert_eq!(sandbox.balance(DEMO_MEMBER), Some(Rupiah(10_000)));
    assert_eq!(sandbox.charges_for("POOR"), 0);
    // The failure is what the refID holds: the status check says so.
    let status = client
        .call(Op::Status, "T10", "087712345678", "POOR")
        .await
        .reply();
    assert_eq!(status.status, TxStatus::Failed);
    assert!(!status.is_not_found());
    sandbox.shutdown().await;
}

#[tokio::test]
async fn reused_refid_for_another_target_is_refused_without_charge() {
    let sandbox = sandbox().await;
    let client = Reseller::demo(&sandbox);
    client.call(Op::Topup, "T10", "087712345678", "U1").await;
    client
        .call(Op::Inquiry, "PLNPASC", "546302215889", "U2")
        .await;
    let spent_before = spent(&sandbox);
    let cases = [
        (Op::Topup, "T10", "087700000000", "U1"),
        (Op::Topup, "T5", "087712345678", "U1"),
        (Op::Topup, "T10", "087712345678", "U2"),
        (Op::Inquiry, "PLNPASC", "546302215889", "U1"),
        (Op::Inquiry, "PLNPASC", "546300000000", "U2"),
        (Op::Payment, "T10", "087712345678", "U1"),
    ];
    for (op, product, dest, ref_id) in cases {
        let answer = client.call(op, product, dest, ref_id).await;
        let reply = answer.reply();
        assert_eq!(reply.status, TxStatus::Failed, "{op:?} {}", answer.body);
        assert_eq!(reply.reason.as_deref(), Some("refID sudah dipakai"));
        assert_eq!(reply.product.as_deref(), Some(product));
        assert_eq!(reply.dest.as_deref(), Some(dest));
    }
    assert_eq!(spent(&sandbox), spent_before);
    assert_eq!(sandbox.charges_for("U1"), 1);
    assert_eq!(sandbox.charges_for("U2"), 0);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn concurrent_retries_of_one_refid_charge_once() {
    let sandbox = sandbox().await;
    let client = Reseller::demo(&sandbox);
    let calls = (0..16).map(|_| {
        let client = client.clone();
        tokio::spawn(async move { client.call(Op::Topup, "T5", "081200000000", "RACE").await })
    });
    let bodies: Vec<String> = futures::future::join_all(calls)
        .await
        .into_iter()
        .map(|r| r.unwrap().body)
        .collect();
    assert!(bodies.iter().all(|b| b == &bodies[0]), "{bodies:?}");
    assert_eq!(sandbox.charges_for("RACE"), 1);
    assert_eq!(spent(&sandbox), 6_000);
    sandbox.shutdown().await;
}

// ---------------------------------------------------------------- refusals

#[tokio::test]
async fn bad_sign_is_refused_and_charges_nothing() {
    let sandbox = sandbox().await;
    let client = Reseller::demo(&sandbox);
    let good = client.sign_for("T10", "087712345678", "BS1");
    let wrong_pin = sign(&[
        "R-ONE",
        "DEMO",
        "T10",
        "087712345678",
        "BS1",
        "9999",
        "demo",
    ]);
    let wrong_key = sign(&["R-ONE", "DEMO", "T10", "087712345678", "BS1", "0000", "x"]);
    let other_dest = client.sign_for("T10", "087700000000", "BS1");
    let otomax = sign(&[
        "OtomaX",
        "DEMO",
        "T10",
        "087712345678",
        "BS1",
        "0000",
        "demo",
    ]);
    let padded = format!("{good}=");
    let cases = [
        ("wrong pin", Op::Topup, wrong_pin.as_str()),
        ("wrong key", Op::Topup, wrong_key.as_str()),
        ("sign of another dest", Op::Topup, other_dest.as_str()),
        ("another brand", Op::Topup, otomax.as_str()),
        ("padded", Op::Topup, padded.as_str()),
        ("inquiry", Op::Inquiry, wrong_pin.as_str()),
        ("payment", Op::Payment, wrong_pin.as_str()),
        ("status", Op::Status, wrong_pin.as_str()),
    ];
    for (i, (case, op, sign)) in cases.iter().enumerate() {
        let url = client.url(*op, "T10", "087712345678", "BS1", sign);
        let answer = client.get(&url).await.unwrap();
        let reply = answer.reply();
        assert_eq!(reply.status, TxStatus::Failed, "{case}: {}", answer.body);
        assert_eq!(reply.reason.as_deref(), Some("sign tidak valid"), "{case}");
        assert_eq!(sandbox.stats().bad_signs, i as u64 + 1);
    }
    assert_eq!(spent(&sandbox), 0);
    assert_eq!(sandbox.stats().charges, 0);
    let status = client
        .call(Op::Status, "T10", "087712345678", "BS1")
        .await
        .reply();
    assert!(
        status.is_not_found(),
        "nothing was recorded: {}",
        status.raw
    );
    sandbox.shutdown().await;
}

#[tokio::test]
async fn unknown_member_and_incomplete_requests_are_refused() {
    let sandbox = sandbox().await;
    let client = Reseller::demo(&sandbox);
    let stranger = Reseller {
        member: "NOBODY".into(),
        ..client.clone()
    };
    let answer = stranger.call(Op::Topup, "T10", "087712345678", "M1").await;
    assert_eq!(
        answer.body,
        "TRX T10.087712345678 GAGAL, member tidak terdaftar."
    );
    let sign = client.sign_for("T10", "087712345678", "M1");
    let queries = [
        format!("dest=087712345678&refID=M1&memberID=DEMO&qty=1&sign={sign}"),
        format!("product=T10&refID=M1&memberID=DEMO&qty=1&sign={sign}"),
        format!("product=T10&dest=087712345678&memberID=DEMO&qty=1&sign={sign}"),
        format!("product=T10&dest=087712345678&refID=M1&qty=1&sign={sign}"),
        "product=T10&dest=087712345678&refID=M1&memberID=DEMO&qty=1".to_string(),
        format!("product=T10&dest=087712345678&refID=M1&memberID=DEMO&sign={sign}"),
        format!("product=T10&dest=087712345678&refID=M1&memberID=DEMO&qty=5&sign={sign}"),
        format!("product=T10&dest=087712345678&refID=M1&memberID=DEMO&qty=1&cek=1&sign={sign}"),
        format!("product=T10&dest=0877%2012345678&refID=M1&memberID=DEMO&qty=1&sign={sign}"),
    ];
    for query in queries {
        let answer = client
            .get(&format!("{}/V1/http-get?{query}", client.base))
            .await
            .unwrap();
        assert_eq!(answer.body, "GAGAL, parameter tidak lengkap.", "{query}");
        let reply = answer.reply();
        assert_eq!(reply.status, TxStatus::Failed);
        assert_eq!(reply.reason.as_deref(), Some("parameter tidak lengkap"));
    }
    assert_eq!(spent(&sandbox), 0);
    assert_eq!(sandbox.stats().bad_signs, 0);
    sandbox.shutdown().await;
}

// ---------------------------------------------------------------- bills

#[tokio::test]
async fn inquiry_then_payment_with_same_refid_charges_bill_plus_admin() {
    let sandbox = sandbox().await;
    let client = Reseller::demo(&sandbox);
    let inquiry = client
        .call(Op::Inquiry, "PLNPASC", "546302215889", "TEST-1")
        .await;
    assert_eq!(
        inquiry.body,
        "CEK PLNPASC.546302215889 SUKSES, DATA:Anto TAGIHAN:300000 ADMIN:2750."
    );
    let reply = inquiry.reply();
    assert_eq!(reply.status, TxStatus::Success);
    assert_eq!(reply.name.as_deref(), Some("Anto"));
    assert_eq!(reply.bill_total(), Some(Rupiah(302_750)));
    assert_eq!(spent(&sandbox), 0, "an inquiry charges nothing");

    let payment = client
        .call(Op::Payment, "PLNPASC", "546302215889", "TEST-1")
        .await;
    assert_eq!(
        payment.body,
        "BAYAR PLNPASC.546302215889 SUKSES, HRG:302750 REFID:TEST-1."
    );
    let reply = payment.reply();
    assert_eq!(reply.status, TxStatus::Success);
    assert_eq!(reply.cost, Some(Rupiah(302_750)));
    assert_eq!(reply.ref_id.as_deref(), Some("TEST-1"));
    assert_eq!(spent(&sandbox), 302_750);
    assert_eq!(sandbox.charges_for("TEST-1"), 1);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn repeated_inquiry_echoes_and_charges_nothing() {
    let sandbox = sandbox().await;
    let client = Reseller::demo(&sandbox);
    let first = client
        .call(Op::Inquiry, "PDAMKLT", "0012345678", "I1")
        .await;
    let again = client
        .call(Op::Inquiry, "PDAMKLT", "0012345678", "I1")
        .await;
    assert_eq!(first.body, again.body);
    client
        .call(Op::Payment, "PDAMKLT", "0012345678", "I1")
        .await;
    let after_payment = client
        .call(Op::Inquiry, "PDAMKLT", "0012345678", "I1")
        .await;
    assert_eq!(first.body, after_payment.body, "the inquiry's own reply");
    assert_eq!(sandbox.charges_for("I1"), 1);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn payment_without_inquiry_is_refused() {
    let sandbox = sandbox().await;
    let client = Reseller::demo(&sandbox);
    client
        .call(Op::Inquiry, "PLNPASC", "546302215889", "Q1")
        .await;
    client
        .call(Op::Inquiry, "PLNPASC", "08990006111", "Q2")
        .await;
    let cases = [
        (
            "never inquired",
            "PLNPASC",
            "546302215889",
            "Q0",
            "belum cek tagihan",
        ),
        (
            "other dest",
            "PLNPASC",
            "546300000000",
            "Q1",
            "tidak sesuai cek tagihan",
        ),
        (
            "other product",
            "PLNNONTGL",
            "546302215889",
            "Q1",
            "tidak sesuai cek tagihan",
        ),
        (
            "inquiry failed",
            "PLNPASC",
            "08990006111",
            "Q2",
            "belum cek tagihan",
        ),
    ];
    for (case, product, dest, ref_id, reason) in cases {
        let answer = client.call(Op::Payment, product, dest, ref_id).await;
        let reply = answer.reply();
        assert_eq!(reply.status, TxStatus::Failed, "{case}: {}", answer.body);
        assert_eq!(reply.verb.as_deref(), Some("BAYAR"));
        let said = reply.reason.unwrap_or_default();
        assert!(said.contains(reason), "{case}: {said}");
        assert!(reply.cost.is_none(), "{case}");
    }
    assert_eq!(spent(&sandbox), 0);
    assert_eq!(sandbox.stats().payments, 4);
    // The refused payment did not disturb the inquiry: it still pays.
    let paid = client
        .call(Op::Payment, "PLNPASC", "546302215889", "Q1")
        .await
        .reply();
    assert_eq!(paid.status, TxStatus::Success);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn second_payment_of_one_refid_echoes_and_charges_nothing() {
    let sandbox = sandbox().await;
    let client = Reseller::demo(&sandbox);
    client
        .call(Op::Inquiry, "PLNPASC", "546302215889", "TWICE")
        .await;
    let first = client
        .call(Op::Payment, "PLNPASC", "546302215889", "TWICE")
        .await;
    let second = client
        .call(Op::Payment, "PLNPASC", "546302215889", "TWICE")
        .await;
    assert_eq!(first.body, second.body);
    assert_eq!(spent(&sandbox), 302_750);
    assert_eq!(sandbox.charges_for("TWICE"), 1);
    assert_eq!(sandbox.stats().payments, 2);
    assert_eq!(sandbox.stats().charges, 1);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn payment_beyond_the_balance_fails_and_stays_failed() {
    let mut account = SandboxAccount::demo();
    account.balance = Rupiah(100_000);
    let sandbox = sandbox_with(SandboxConfig {
        accounts: vec![account],
        ..SandboxConfig::default()
    })
    .await;
    let client = Reseller::demo(&sandbox);
    client
        .call(Op::Inquiry, "PLNPASC", "546302215889", "B1")
        .await;
    let answer = client
        .call(Op::Payment, "PLNPASC", "546302215889", "B1")
        .await;
    assert_eq!(
        answer.body,
        "BAYAR PLNPASC.546302215889 GAGAL, saldo tidak cukup."
    );
    let status = client
        .call(Op::Status, "PLNPASC", "546302215889", "B1")
        .await;
    assert_eq!(
        status.body,
        "STATUS PLNPASC.546302215889 GAGAL, saldo tidak cukup."
    );
    assert_eq!(sandbox.balance(DEMO_MEMBER), Some(Rupiah(100_000)));
    assert_eq!(sandbox.charges_for("B1"), 0);
    sandbox.shutdown().await;
}

/// One row per seed family: product and dest as sent, and the bill when the
/// request fixes it.
const FAMILIES: &[(&str, &str, &str, Option<i64>)] = &[
    ("PLN pascabayar", "PLNPASC", "546302215889", Some(300_000)),
    ("PLN non-taglis", "PLNNONTGL", "5392110012345", None),
    ("PDAM", "PDAMKLT", "0012345678", None),
    ("BPJS Kesehatan", "BPJSKS", "0001234567890@3", None),
    ("BPJS Ketenagakerjaan", "BPJSTKPU", "12345678901", None),
    ("BPJS TK BPU", "BPJSTKBPU", "12345678902", None),
    ("Indihome", "INDIHOME", "121234567890", None),
    ("HP pascabayar", "HALO", "081234567890", None),
    ("TV", "TVINDOVISION", "401234567890", None),
    ("multifinance", "FNADIRA", "2010123456789", None),
    ("PGN", "PGN", "0110012345", None),
    ("PERTAGAS", "PERTAGAS", "3200123456", None),
    ("PKB", "PKBJABAR", "B1234XYZ@2025", None),
    ("PBB", "PBBBDG@2024", "327301000100100010", None),
    (
        "credit card",
        "CCBCA@1500000",
        "4111111111111111",
        Some(1_500_000),
    ),
];

#[tokio::test]
async fn every_seed_family_inquires_and_pays() {
    let mut rich = SandboxAccount::demo();
    rich.balance = Rupiah(50_000_000);
    let sandbox = sandbox_with(SandboxConfig {
        accounts: vec![rich],
        ..SandboxConfig::default()
    })
    .await;
    let client = Reseller::demo(&sandbox);
    for (i, (family, product, dest, fixed_bill)) in FAMILIES.iter().enumerate() {
        let ref_id = format!("F{i}");
        let inquiry = client.call(Op::Inquiry, product, dest, &ref_id).await;
        let quote = inquiry.reply();
        assert_eq!(
            quote.status,
            TxStatus::Success,
            "{family}: {}",
            inquiry.body
        );
        assert_eq!(quote.verb.as_deref(), Some("CEK"), "{family}");
        assert_eq!(quote.product.as_deref(), Some(*product), "{family}");
        assert_eq!(quote.dest.as_deref(), Some(*dest), "{family}");
        assert!(
            quote.name.as_deref().is_some_and(|n| !n.is_empty()),
            "{family}"
        );
        let bill = quote.bill.expect("TAGIHAN").value();
        match fixed_bill {
            Some(fixed) => assert_eq!(bill, *fixed, "{family}"),
            None => {
                assert!(bill >= 10_000 && bill % 100 == 0, "{family}: {bill}");
                assert!(bill <= 500_000 * 12, "{family}: {bill}");
            }
        }
        let admin = quote.admin.expect("ADMIN").value();
        let want_admin = if product.starts_with("PLN") {
            2_750
        } else {
            2_500
        };
        assert_eq!(admin, want_admin, "{family}");
        assert_eq!(quote.cost, None, "an inquiry has no HRG");

        let before = spent(&sandbox);
        let payment = client.call(Op::Payment, product, dest, &ref_id).await;
        let paid = payment.reply();
        assert_eq!(paid.status, TxStatus::Success, "{family}: {}", payment.body);
        assert_eq!(paid.verb.as_deref(), Some("BAYAR"));
        assert_eq!(paid.cost, Some(Rupiah(bill + admin)), "{family}");
        assert_eq!(paid.ref_id.as_deref(), Some(ref_id.as_str()));
        assert_eq!(spent(&sandbox) - before, bill + admin, "{family}");
        assert_eq!(sandbox.charges_for(&ref_id), 1);
    }
    assert_eq!(sandbox.stats().inquiries, FAMILIES.len() as u64);
    assert_eq!(sandbox.stats().payments, FAMILIES.len() as u64);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn bills_are_the_same_for_one_customer_every_time() {
    let first = sandbox().await;
    let second = sandbox().await;
    let (a, b) = (Reseller::demo(&first), Reseller::demo(&second));
    for (i, (_, product, dest, _)) in FAMILIES.iter().enumerate() {
        let x = a.call(Op::Inquiry, product, dest, &format!("A{i}")).await;
        let y = b.call(Op::Inquiry, product, dest, &format!("B{i}")).await;
        assert_eq!(x.body, y.body, "{product} {dest}");
    }
    first.shutdown().await;
    second.shutdown().await;
}

#[tokio::test]
async fn at_forms_shape_the_bill() {
    let sandbox = sandbox().await;
    let client = Reseller::demo(&sandbox);
    let bill = |answer: Answer| answer.reply().bill.map(Rupiah::value);
    let one = bill(
        client
            .call(Op::Inquiry, "BPJSKS", "0001234567890@1", "AT1")
            .await,
    )
    .unwrap();
    let plain = bill(
        client
            .call(Op::Inquiry, "BPJSKS", "0001234567890", "AT2")
            .await,
    );
    assert_eq!(plain, Some(one), "no @months means one month");
    let three = bill(
        client
            .call(Op::Inquiry, "BPJSKS", "0001234567890@3", "AT3")
            .await,
    );
    assert_eq!(three, Some(one * 3));
    let card = bill(
        client
            .call(Op::Inquiry, "CCBCA@250000", "4111111111111111", "AT4")
            .await,
    );
    assert_eq!(card, Some(250_000));

    let refused = [
        ("BPJSKS", "0001234567890@13", "jumlah bulan salah"),
        ("BPJSKS", "0001234567890@0", "jumlah bulan salah"),
        ("PKBJABAR", "B1234XYZ", "format tujuan salah"),
        ("PKBJABAR", "B1234XYZ@25", "format tujuan salah"),
        ("PBBBDG", "327301000100100010", "format produk salah"),
        ("CCBCA", "4111111111111111", "nominal bayar salah"),
        ("CCBCA@0", "4111111111111111", "nominal bayar salah"),
    ];
    for (i, (product, dest, reason)) in refused.into_iter().enumerate() {
        let answer = client
            .call(Op::Inquiry, product, dest, &format!("AX{i}"))
            .await;
        let reply = answer.reply();
        assert_eq!(reply.status, TxStatus::Failed, "{product} {dest}");
        assert_eq!(reply.reason.as_deref(), Some(reason), "{product} {dest}");
    }
    sandbox.shutdown().await;
}

#[tokio::test]
async fn at_sign_may_arrive_raw_or_percent_encoded() {
    let sandbox = sandbox().await;
    let client = Reseller::demo(&sandbox);
    let (product, dest, ref_id) = ("BPJSKS", "0001234567890@2", "RAW1");
    let sign = client.sign_for(product, dest, ref_id);
    let raw = format!(
        "{}/V1/http-get?product={product}&dest={dest}&refID={ref_id}&memberID=DEMO&jenis=5&sign={sign}",
        client.base
    );
    let encoded = client.url(Op::Inquiry, product, dest, ref_id, &sign);
    assert!(encoded.contains("%40"), "{encoded}");
    let a = client.get(&raw).await.unwrap();
    let b = client.get(&encoded).await.unwrap();
    assert_eq!(a.reply().status, TxStatus::Success, "{}", a.body);
    assert_eq!(a.body, b.body);
    sandbox.shutdown().await;
}

// ---------------------------------------------------------------- status

#[tokio::test]
async fn status_echo_of_unpaid_bill_has_no_hrg() {
    let sandbox = sandbox().await;
    let client = Reseller::demo(&sandbox);
    client
        .call(Op::Inquiry, "PLNPASC", "546302215889", "S1")
        .await;
    let unpaid = client
        .call(Op::Status, "PLNPASC", "546302215889", "S1")
        .await;
    assert_eq!(
        unpaid.body,
        "STATUS PLNPASC.546302215889 SUKSES, DATA:Anto TAGIHAN:300000 ADMIN:2750."
    );
    let reply = unpaid.reply();
    assert_eq!(reply.verb.as_deref(), Some("STATUS"));
    assert_eq!(reply.cost, None);

    client
        .call(Op::Payment, "PLNPASC", "546302215889", "S1")
        .await;
    let paid = client
        .call(Op::Status, "PLNPASC", "546302215889", "S1")
        .await;
    assert_eq!(
        paid.body,
        "STATUS PLNPASC.546302215889 SUKSES, HRG:302750 REFID:S1."
    );
    assert_eq!(sandbox.charges_for("S1"), 1, "status checks never charge");
    assert_eq!(sandbox.stats().status_checks, 2);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn status_of_topup_echoes_its_reply_with_status_verb() {
    let sandbox = sandbox().await;
    let client = Reseller::demo(&sandbox);
    let topup = client.call(Op::Topup, "T1", "081234567890", "TEST-1").await;
    let status = client
        .call(Op::Status, "T1", "081234567890", "TEST-1")
        .await;
    assert_eq!(
        status.body,
        topup.body.replacen("TRX ", "STATUS ", 1),
        "{}",
        topup.body
    );
    let reply = status.reply();
    assert_eq!(reply.status, TxStatus::Success);
    assert_eq!(reply.cost, Some(Rupiah(2_000)));
    assert!(reply.sn.is_some());
    assert_eq!(spent(&sandbox), 2_000);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn status_of_unknown_refid_is_not_found() {
    let sandbox = sandbox().await;
    let client = Reseller::demo(&sandbox);
    let answer = client
        .call(Op::Status, "T10", "087712345678", "NEVER")
        .await;
    assert_eq!(
        answer.body,
        "STATUS T10.087712345678 GAGAL, transaksi tidak ditemukan."
    );
    let reply = answer.reply();
    assert_eq!(reply.status, TxStatus::Failed);
    assert!(reply.is_not_found());
    sandbox.shutdown().await;
}

// ---------------------------------------------------------------- faults

/// What a client sees on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Seen {
    Reply(TxStatus),
    ServerError,
    Html,
    Broken,
}

async fn seen(result: Result<Answer, reqwest::Error>) -> Seen {
    match result {
        Err(_) => Seen::Broken,
        Ok(a) if a.status == 500 => {
            assert!(a.body.contains("<html>"), "{}", a.body);
            Seen::ServerError
        }
        Ok(a) if a.content_type.starts_with("text/html") => {
            assert_eq!(a.status, 200);
            assert_eq!(a.reply().status, TxStatus::Unknown, "{}", a.body);
            Seen::Html
        }
        Ok(a) => Seen::Reply(a.reply().status),
    }
}

/// What the following status check says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum After {
    Success,
    Failed,
    NotFound,
}

async fn status_after(client: &Reseller, product: &str, dest: &str, ref_id: &str) -> After {
    let reply = client.call(Op::Status, product, dest, ref_id).await.reply();
    match reply.status {
        TxStatus::Success => After::Success,
        _ if reply.is_not_found() => After::NotFound,
        TxStatus::Failed => After::Failed,
        other => panic!("unexpected status {other:?}: {}", reply.raw),
    }
}

#[tokio::test]
async fn fault_dests_behave_as_documented() {
    let sandbox = sandbox().await;
    let client = Reseller::demo(&sandbox);
    let cases = [
        ("089900021234", Seen::ServerError, 11_000, After::Success),
        ("089900031234", Seen::Html, 11_000, After::Success),
        ("089900041234", Seen::Broken, 11_000, After::Success),
        (
            "089900061234",
            Seen::Reply(TxStatus::Failed),
            0,
            After::Failed,
        ),
        ("089900071234", Seen::ServerError, 0, After::NotFound),
        (
            "087712345678",
            Seen::Reply(TxStatus::Success),
            11_000,
            After::Success,
        ),
    ];
    for (i, (dest, want_seen, want_charge, want_after)) in cases.into_iter().enumerate() {
        let ref_id = format!("FD{i}");
        let before = spent(&sandbox);
        let got = seen(client.try_call(Op::Topup, "T10", dest, &ref_id).await).await;
        assert_eq!(got, want_seen, "{dest}");
        assert_eq!(spent(&sandbox) - before, want_charge, "{dest}");
        assert_eq!(sandbox.charges_for(&ref_id), u32::from(want_charge > 0));
        let after = status_after(&client, "T10", dest, &ref_id).await;
        assert_eq!(after, want_after, "{dest}");
    }
    let wrong = client.call(Op::Topup, "T10", "089900061234", "FD9").await;
    assert_eq!(
        wrong.body,
        "TRX T10.089900061234 GAGAL, nomor tujuan salah."
    );
    sandbox.shutdown().await;
}

#[tokio::test]
async fn fault_dests_apply_to_bills_and_status_tells_the_truth() {
    let sandbox = sandbox().await;
    let client = Reseller::demo(&sandbox);
    // A lost inquiry answer: the inquiry is held, a status check reads it.
    let lost = client
        .try_call(Op::Inquiry, "HALO", "089900021111", "BF1")
        .await;
    assert_eq!(seen(lost).await, Seen::ServerError);
    let held = client
        .call(Op::Status, "HALO", "089900021111", "BF1")
        .await
        .reply();
    assert_eq!(held.status, TxStatus::Success);
    assert!(held.bill.is_some() && held.cost.is_none(), "{}", held.raw);
    // A lost payment answer: charged, and the status echo shows HRG.
    let lost = client
        .try_call(Op::Payment, "HALO", "089900021111", "BF1")
        .await;
    assert_eq!(seen(lost).await, Seen::ServerError);
    let total = held.bill_total().unwrap();
    assert_eq!(spent(&sandbox), total.value());
    let paid = client
        .call(Op::Status, "HALO", "089900021111", "BF1")
        .await
        .reply();
    assert_eq!(paid.cost, Some(total));
    // A wrong customer ID fails the inquiry with a reason that is not
    // "not found".
    let wrong = client
        .call(Op::Inquiry, "PLNPASC", "08990006@1", "BF2")
        .await
        .reply();
    assert_eq!(wrong.status, TxStatus::Failed);
    assert_eq!(wrong.reason.as_deref(), Some("IDPEL salah"));
    assert!(!wrong.is_not_found());
    // Nothing processed: a later status check finds nothing.
    let unprocessed = client
        .try_call(Op::Inquiry, "PDAMKLT", "089900070000", "BF3")
        .await;
    assert_eq!(seen(unprocessed).await, Seen::ServerError);
    assert_eq!(
        status_after(&client, "PDAMKLT", "089900070000", "BF3").await,
        After::NotFound
    );
    assert_eq!(sandbox.charges_for("BF1"), 1);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn slow_dest_charges_although_the_client_times_out() {
    let sandbox = sandbox_with(SandboxConfig {
        slow_delay: Duration::from_millis(400),
        ..SandboxConfig::default()
    })
    .await;
    let client = Reseller::demo(&sandbox);
    let impatient = Reseller {
        http: reqwest::Client::builder()
            .timeout(Duration::from_millis(100))
            .build()
            .unwrap(),
        ..client.clone()
    };
    let error = impatient
        .try_call(Op::Topup, "T10", "089900011234", "SLOW1")
        .await
        .expect_err("the answer comes after the client gave up");
    assert!(error.is_timeout(), "{error}");
    assert_eq!(sandbox.charges_for("SLOW1"), 1, "the charge stands");
    assert_eq!(spent(&sandbox), 11_000);
    let status = client
        .call(Op::Status, "T10", "089900011234", "SLOW1")
        .await
        .reply();
    assert_eq!(
        status.status,
        TxStatus::Success,
        "status checks are not slow"
    );
    assert_eq!(status.cost, Some(Rupiah(11_000)));
}

#[tokio::test]
async fn pending_dest_stays_pending_for_pending_checks_then_succeeds() {
    let sandbox = sandbox_with(SandboxConfig {
        pending_checks: 2,
        ..SandboxConfig::default()
    })
    .await;
    let client = Reseller::demo(&sandbox);
    let (product, dest, ref_id) = ("T10", "089900051234", "PEND1");
    let first = client.call(Op::Topup, product, dest, ref_id).await;
    assert_eq!(
        first.body,
        "TRX T10.089900051234 PENDING, sedang diproses REFID:PEND1."
    );
    let reply = first.reply();
    assert_eq!(reply.status, TxStatus::Pending);
    assert_eq!(reply.ref_id.as_deref(), Some(ref_id));
    assert_eq!(sandbox.charges_for(ref_id), 1, "charged while pending");
    // A repeat neither charges nor moves the pending state on.
    let repeat = client.call(Op::Topup, product, dest, ref_id).await;
    assert_eq!(repeat.body, first.body);

    let mut seen = Vec::new();
    for _ in 0..4 {
        seen.push(client.call(Op::Status, product, dest, ref_id).await.reply());
    }
    let statuses: Vec<TxStatus> = seen.iter().map(|r| r.status).collect();
    assert_eq!(
        statuses,
        [
            TxStatus::Pending,
            TxStatus::Pending,
            TxStatus::Success,
            TxStatus::Success
        ]
    );
    assert_eq!(seen[2].cost, Some(Rupiah(11_000)));
    assert!(seen[2].sn.is_some(), "{}", seen[2].raw);
    assert_eq!(spent(&sandbox), 11_000);
    assert_eq!(sandbox.charges_for(ref_id), 1);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn pending_dest_payment_resolves_to_the_paid_line() {
    let sandbox = sandbox().await;
    let client = Reseller::demo(&sandbox);
    let (product, dest, ref_id) = ("INDIHOME", "089900059999", "PEND2");
    let quote = client
        .call(Op::Inquiry, product, dest, ref_id)
        .await
        .reply();
    assert_eq!(
        quote.status,
        TxStatus::Success,
        "the inquiry answers at once"
    );
    let total = quote.bill_total().unwrap();
    let pay = client
        .call(Op::Payment, product, dest, ref_id)
        .await
        .reply();
    assert_eq!(pay.status, TxStatus::Pending);
    assert_eq!(spent(&sandbox), total.value());
    let checks = [TxStatus::Pending, TxStatus::Success];
    for want in checks {
        let status = client.call(Op::Status, product, dest, ref_id).await.reply();
        assert_eq!(status.status, want, "{}", status.raw);
    }
    let last = client.call(Op::Status, product, dest, ref_id).await.reply();
    assert_eq!(last.cost, Some(total));
    let again = client
        .call(Op::Payment, product, dest, ref_id)
        .await
        .reply();
    assert_eq!(
        again.status,
        TxStatus::Success,
        "a repeat echoes the settled line"
    );
    assert_eq!(sandbox.charges_for(ref_id), 1);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn injected_faults_hit_the_next_requests_of_any_kind() {
    let sandbox = sandbox().await;
    let client = Reseller::demo(&sandbox);
    let cases = [
        (Fault::ServerError, Seen::ServerError, false),
        (Fault::Garbage, Seen::Html, false),
        (Fault::Drop, Seen::Broken, false),
        (Fault::ServerErrorAfterCharge, Seen::ServerError, true),
        (Fault::GarbageAfterCharge, Seen::Html, true),
        (Fault::DropAfterCharge, Seen::Broken, true),
    ];
    for (i, (fault, want_seen, charged)) in cases.into_iter().enumerate() {
        let ref_id = format!("IJ{i}");
        sandbox.inject(fault, 1);
        let got = seen(
            client
                .try_call(Op::Topup, "T1", "081234567890", &ref_id)
                .await,
        )
        .await;
        assert_eq!(got, want_seen, "{fault:?}");
        assert_eq!(
            sandbox.charges_for(&ref_id),
            u32::from(charged),
            "{fault:?}"
        );
        let after = status_after(&client, "T1", "081234567890", &ref_id).await;
        let want_after = if charged {
            After::Success
        } else {
            After::NotFound
        };
        assert_eq!(after, want_after, "{fault:?}");
    }
    // Balance and status requests use up injected faults too, in order.
    sandbox.inject(Fault::ServerError, 2);
    sandbox.inject(Fault::Garbage, 1);
    let balance_url = format!(
        "{}/V1/http-get/balance?memberID=DEMO&sign={}",
        client.base,
        sign(&["R-ONE", "DEMO", "", "", "", "0000", "demo"])
    );
    assert_eq!(client.get(&balance_url).await.unwrap().status, 500);
    let status = client
        .try_call(Op::Status, "T1", "081234567890", "IJ3")
        .await;
    assert_eq!(seen(status).await, Seen::ServerError);
    assert_eq!(seen(client.get(&balance_url).await).await, Seen::Html);
    let balance = client.get(&balance_url).await.unwrap();
    assert!(matches!(
        parse_balance(&balance.body),
        BalanceReply::Balance { .. }
    ));
    assert_eq!(spent(&sandbox), 3 * 2_000);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn injected_slow_fault_processes_then_delays() {
    let delay = Duration::from_millis(150);
    let sandbox = sandbox_with(SandboxConfig {
        slow_delay: delay,
        ..SandboxConfig::default()
    })
    .await;
    let client = Reseller::demo(&sandbox);
    sandbox.inject(Fault::Slow, 1);
    let started = Instant::now();
    let reply = client
        .call(Op::Topup, "T1", "081234567890", "SLOW2")
        .await
        .reply();
    assert!(started.elapsed() >= delay);
    assert_eq!(reply.status, TxStatus::Success);
    assert_eq!(sandbox.charges_for("SLOW2"), 1);
    sandbox.shutdown().await;
}

// ---------------------------------------------------------------- server

#[tokio::test]
async fn latency_is_added_to_every_request() {
    let sandbox = sandbox().await;
    let client = Reseller::demo(&sandbox);
    let latency = Duration::from_millis(60);
    sandbox.set_latency(latency);
    let started = Instant::now();
    client.balance_with(BalanceSign::Fields).await;
    client.call(Op::Status, "T1", "0812", "LAT").await;
    assert!(started.elapsed() >= latency * 2, "{:?}", started.elapsed());
    sandbox.set_latency(Duration::ZERO);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn stats_count_every_request_by_kind() {
    let sandbox = sandbox().await;
    let client = Reseller::demo(&sandbox);
    client.call(Op::Topup, "T1", "081234567890", "C1").await;
    client
        .call(Op::Inquiry, "PLNPASC", "546302215889", "C2")
        .await;
    client
        .call(Op::Payment, "PLNPASC", "546302215889", "C2")
        .await;
    client.call(Op::Status, "T1", "081234567890", "C1").await;
    client.balance_with(BalanceSign::Fields).await;
    client
        .get(&format!("{}/V1/http-get?product=T1", client.base))
        .await
        .unwrap();
    let stats = sandbox.stats();
    assert_eq!(
        (
            stats.requests,
            stats.topups,
            stats.inquiries,
            stats.payments,
            stats.status_checks,
            stats.balance_checks,
            stats.bad_signs,
            stats.charges
        ),
        (6, 1, 1, 1, 1, 1, 0, 2)
    );
    sandbox.shutdown().await;
}

#[tokio::test]
async fn shutdown_stops_serving() {
    let sandbox = sandbox().await;
    let client = Reseller::demo(&sandbox);
    client.balance_with(BalanceSign::Fields).await;
    let base = sandbox.base_url();
    assert!(base.starts_with("http://127.0.0.1:"));
    sandbox.shutdown().await;
    let fresh = reqwest::Client::new();
    assert!(fresh
        .get(format!("{base}/V1/http-get/balance"))
        .send()
        .await
        .is_err());
}

// ---------------------------------------------------------------- in flight

/// What a load test reads to see a flood: each member's most requests in
/// flight at once, counted from arrival to answer, of every kind.
#[tokio::test]
async fn counts_each_members_requests_in_flight_from_arrival_to_answer() {
    let sandbox = sandbox_with(SandboxConfig {
        latency: Duration::from_millis(200),
        ..SandboxConfig::default()
    })
    .await;
    let demo = Reseller::demo(&sandbox);
    let stranger = Reseller {
        member: "NOBODY".into(),
        ..demo.clone()
    };
    let mut calls = Vec::new();
    for i in 0..3 {
        let demo = demo.clone();
        calls.push(tokio::spawn(async move {
            if i == 0 {
                demo.balance_with(BalanceSign::Fields).await
            } else {
                let ref_id = format!("IF{i}");
                demo.call(Op::Topup, "T1", "081234567890", &ref_id).await
            }
        }));
    }
    calls.push(tokio::spawn(async move {
        stranger.balance_with(BalanceSign::Fields).await
    }));
    for call in calls {
        assert_eq!(call.await.unwrap().status, 200);
    }
    assert_eq!(sandbox.in_flight_peak(DEMO_MEMBER), 3);
    assert_eq!(
        sandbox.in_flight_peak("NOBODY"),
        1,
        "unknown members count too"
    );
    assert_eq!(sandbox.stats().in_flight_peak, 4);
    // One at a time afterwards: the peaks stay where they were.
    demo.balance_with(BalanceSign::Fields).await;
    assert_eq!(sandbox.in_flight_peak(DEMO_MEMBER), 3);
    assert_eq!(sandbox.in_flight_peak("OTHER"), 0, "never called");
    sandbox.shutdown().await;
}

// ---------------------------------------------------------------- interop

/// The bot's own request builder and HTTP client against the sandbox: the
/// signs agree and every fault maps to the `CallError` the bot expects.
#[tokio::test]
async fn bots_own_client_sees_each_fault_as_the_right_call_error() {
    use loket::gateway::{
        balance_request, transaction_request, CallError, Credentials, GatewayClient, Operation,
    };
    use loket::secret::Secret;

    let sandbox = sandbox_with(SandboxConfig {
        slow_delay: Duration::from_millis(300),
        ..SandboxConfig::default()
    })
    .await;
    let creds = Credentials {
        member_id: DEMO_MEMBER.into(),
        pin: Secret::new(DEMO_PIN),
        api_key: Secret::new(DEMO_KEY),
        base_url: format!("{}/", sandbox.base_url()),
        balance_sign: BalanceSign::Fields,
    };
    let client = GatewayClient::new(Duration::from_millis(100));
    let balance = client.send(&balance_request(&creds)).await.unwrap();
    assert!(matches!(
        parse_balance(&balance),
        BalanceReply::Balance { .. }
    ));

    let bpjs = transaction_request(
        &creds,
        Operation::Inquiry,
        "BPJSKS",
        "0001234567890@2",
        "K0",
    );
    let quote = parse_reply(&client.send(&bpjs).await.unwrap());
    assert_eq!(quote.status, TxStatus::Success, "{}", quote.raw);

    let cases = [
        ("087712345678", Ok(TxStatus::Success)),
        ("089900011234", Err(CallError::Timeout)),
        ("089900021234", Err(CallError::Status(500))),
        ("089900031234", Ok(TxStatus::Unknown)),
        ("089900041234", Err(CallError::Broken)),
        ("089900051234", Ok(TxStatus::Pending)),
        ("089900061234", Ok(TxStatus::Failed)),
        ("089900071234", Err(CallError::Status(500))),
    ];
    for (i, (dest, want)) in cases.into_iter().enumerate() {
        let ref_id = format!("K{}", i + 1);
        let request = transaction_request(&creds, Operation::Topup, "T5", dest, &ref_id);
        let got = client
            .send(&request)
            .await
            .map(|body| parse_reply(&body).status);
        assert_eq!(got, want, "{dest}");
    }
    assert_eq!(sandbox.stats().bad_signs, 0);
}

// ---------------------------------------------------------------- dialects

/// One request of the script every dialect is driven through.
#[derive(Debug, Clone, Copy)]
enum Step {
    Call(Op, &'static str, &'static str, &'static str),
    /// The call signed with a wrong PIN.
    BadSign(Op, &'static str, &'static str, &'static str),
    /// A transaction request with parameters missing.
    Incomplete,
    Balance,
    /// A balance call signed the other way.
    BalanceBadSign,
}

/// The script and the exact answer of each dialect, in [`Dialect::ALL`]
/// order: rone, otomax, sisa, kv. `{sn1}` and `{sn2}` are the two topups'
/// serials, learnt from the rone run (they must match in every dialect).
/// The clock is fixed at 2026-04-21 09:05:07 WIB.
const SCRIPT: &[(&str, Step, [&str; 4])] = &[
    (
        "topup success",
        Step::Call(Op::Topup, "T10", "087712345678", "D1"),
        [
            "TRX T10.087712345678 SUKSES, HRG:11000 SN:{sn1} REFID:D1.",
            "T#41168891 R#D1 T10.087712345678 SUKSES. SN/Ref: {sn1}. Saldo 5.000.000 - 11.000 = 4.989.000 @21/04 09:05",
            "R#D1 T10.087712345678, status SUKSES. SN/Ref: {sn1}. RefId : 41168891. Sisa saldo 4989000",
            "status=20&refid=D1&price=11000&message=T10.087712345678 SUKSES. SN/Ref: {sn1}. Saldo 5.000.000 - 11.000 = 4.989.000",
        ],
    ),
    (
        "topup resent",
        Step::Call(Op::Topup, "T10", "087712345678", "D1"),
        [
            "TRX T10.087712345678 SUKSES, HRG:11000 SN:{sn1} REFID:D1.",
            "R#D1 T10.087712345678 sdh pernah jam 09:05, status Sukses. SN/Ref: {sn1}. Saldo 4.989.000",
            "R#D1 T10.087712345678, status SUKSES. SN/Ref: {sn1}. RefId : 41168891. Sisa saldo 4989000",
            "status=20&refid=D1&price=11000&message=T10.087712345678 SUKSES. SN/Ref: {sn1}. Saldo 5.000.000 - 11.000 = 4.989.000",
        ],
    ),
    (
        "pending topup",
        Step::Call(Op::Topup, "T5", "089900051234", "D2"),
        [
            "TRX T5.089900051234 PENDING, sedang diproses REFID:D2.",
            "T#41168892 R#D2 T5.089900051234 akan diproses. Saldo 4.983.000 @21/04 09:05",
            "R#D2 T5.089900051234, status Dalam Proses. RefId : 41168892. Sisa saldo 4983000",
            "status=1&refid=D2&message=Transaksi T5.089900051234 Harga=6.000 akan diproses..",
        ],
    ),
    (
        "status while pending",
        Step::Call(Op::Status, "T5", "089900051234", "D2"),
        [
            "STATUS T5.089900051234 PENDING, sedang diproses REFID:D2.",
            "R#D2 T5.089900051234 sedang diproses",
            "R#D2 T5.089900051234, status Dalam Proses. RefId : 41168892. Sisa saldo 4983000",
            "status=1&refid=D2&message=Transaksi T5.089900051234 Harga=6.000 akan diproses..",
        ],
    ),
    (
        "status once settled",
        Step::Call(Op::Status, "T5", "089900051234", "D2"),
        [
            "STATUS T5.089900051234 SUKSES, HRG:6000 SN:{sn2} REFID:D2.",
            "R#D2 T5.089900051234 sdh pernah jam 09:05, status Sukses. SN/Ref: {sn2}. Saldo 4.983.000",
            "R#D2 T5.089900051234, status SUKSES. SN/Ref: {sn2}. RefId : 41168892. Sisa saldo 4983000",
            "status=20&refid=D2&price=6000&message=T5.089900051234 SUKSES. SN/Ref: {sn2}. Saldo 4.989.000 - 6.000 = 4.983.000",
        ],
    ),
    (
        "wrong number",
        Step::Call(Op::Topup, "T10", "089900061234", "D3"),
        [
            "TRX T10.089900061234 GAGAL, nomor tujuan salah.",
            "R#D3 T10.089900061234 GAGAL. Nomor tujuan salah. Saldo 4.983.000 @09.05.07",
            "R#D3 T10.089900061234, status GAGAL. Nomor tujuan salah. Sisa saldo 4983000",
            "status=52&refid=D3&message=T10.089900061234 GAGAL. Nomor tujuan salah",
        ],
    ),
    (
        "status of the failure",
        Step::Call(Op::Status, "T10", "089900061234", "D3"),
        [
            "STATUS T10.089900061234 GAGAL, nomor tujuan salah.",
            "R#D3 T10.089900061234 sdh pernah jam 09:05, status Gagal. Nomor tujuan salah",
            "R#D3 T10.089900061234, status GAGAL. Nomor tujuan salah. Sisa saldo 4983000",
            "status=52&refid=D3&message=T10.089900061234 GAGAL. Nomor tujuan salah",
        ],
    ),
    (
        "inquiry",
        Step::Call(Op::Inquiry, "PLNPASC", "546302215889", "D4"),
        [
            "CEK PLNPASC.546302215889 SUKSES, DATA:Anto TAGIHAN:300000 ADMIN:2750.",
            "R#D4 PLNPASC.546302215889 SUKSES. Nama: Anto. Tagihan: Rp300.000. Admin: Rp2.750. Total: Rp302.750. Saldo 4.983.000",
            "R#D4 PLNPASC.546302215889, status SUKSES. Nama: Anto. Tagihan: 300.000. Admin: 2.750. Sisa saldo 4983000",
            "status=20&refid=D4&message=PLNPASC.546302215889 SUKSES. Nama: Anto. Tagihan: 300.000. Admin: 2.750",
        ],
    ),
    (
        "status of the unpaid bill",
        Step::Call(Op::Status, "PLNPASC", "546302215889", "D4"),
        [
            "STATUS PLNPASC.546302215889 SUKSES, DATA:Anto TAGIHAN:300000 ADMIN:2750.",
            "R#D4 PLNPASC.546302215889 SUKSES. Nama: Anto. Tagihan: Rp300.000. Admin: Rp2.750. Total: Rp302.750. Saldo 4.983.000",
            "R#D4 PLNPASC.546302215889, status SUKSES. Nama: Anto. Tagihan: 300.000. Admin: 2.750. Sisa saldo 4983000",
            "status=20&refid=D4&message=PLNPASC.546302215889 SUKSES. Nama: Anto. Tagihan: 300.000. Admin: 2.750",
        ],
    ),
    (
        "payment",
        Step::Call(Op::Payment, "PLNPASC", "546302215889", "D4"),
        [
            "BAYAR PLNPASC.546302215889 SUKSES, HRG:302750 REFID:D4.",
            "T#41168895 R#D4 PLNPASC.546302215889 SUKSES. SN/Ref: REF41168895. Saldo 4.983.000 - 302.750 = 4.680.250 @21/04 09:05",
            "R#D4 PLNPASC.546302215889, status SUKSES. SN/Ref: REF41168895. RefId : 41168895. Sisa saldo 4680250",
            "status=20&refid=D4&price=302750&message=PLNPASC.546302215889 SUKSES. SN/Ref: REF41168895. Saldo 4.983.000 - 302.750 = 4.680.250",
        ],
    ),
    (
        "status of the paid bill",
        Step::Call(Op::Status, "PLNPASC", "546302215889", "D4"),
        [
            "STATUS PLNPASC.546302215889 SUKSES, HRG:302750 REFID:D4.",
            "R#D4 PLNPASC.546302215889 sdh pernah jam 09:05, status Sukses. SN/Ref: REF41168895. Saldo 4.680.250",
            "R#D4 PLNPASC.546302215889, status SUKSES. SN/Ref: REF41168895. RefId : 41168895. Sisa saldo 4680250",
            "status=20&refid=D4&price=302750&message=PLNPASC.546302215889 SUKSES. SN/Ref: REF41168895. Saldo 4.983.000 - 302.750 = 4.680.250",
        ],
    ),
    (
        "payment resent",
        Step::Call(Op::Payment, "PLNPASC", "546302215889", "D4"),
        [
            "BAYAR PLNPASC.546302215889 SUKSES, HRG:302750 REFID:D4.",
            "R#D4 PLNPASC.546302215889 sdh pernah jam 09:05, status Sukses. SN/Ref: REF41168895. Saldo 4.680.250",
            "R#D4 PLNPASC.546302215889, status SUKSES. SN/Ref: REF41168895. RefId : 41168895. Sisa saldo 4680250",
            "status=20&refid=D4&price=302750&message=PLNPASC.546302215889 SUKSES. SN/Ref: REF41168895. Saldo 4.983.000 - 302.750 = 4.680.250",
        ],
    ),
    (
        "status of an unknown refID",
        Step::Call(Op::Status, "T10", "087712345678", "NOPE"),
        [
            "STATUS T10.087712345678 GAGAL, transaksi tidak ditemukan.",
            "R#NOPE T10.087712345678 GAGAL. Transaksi tidak ditemukan",
            "R#NOPE T10.087712345678, status GAGAL. Transaksi tidak ditemukan",
            "status=40&refid=NOPE&message=Transaksi tidak ditemukan",
        ],
    ),
    (
        "refID used for another call",
        Step::Call(Op::Topup, "T10", "087700000000", "D1"),
        [
            "TRX T10.087700000000 GAGAL, refID sudah dipakai.",
            "R#D1 T10.087700000000 GAGAL. RefID sudah dipakai",
            "R#D1 T10.087700000000, status GAGAL. RefID sudah dipakai",
            "status=40&refid=D1&message=T10.087700000000 GAGAL. RefID sudah dipakai",
        ],
    ),
    (
        "bad sign",
        Step::BadSign(Op::Topup, "T10", "087712345678", "D9"),
        [
            "TRX T10.087712345678 GAGAL, sign tidak valid.",
            "R#D9 T10.087712345678 GAGAL. Sign tidak valid",
            "R#D9 T10.087712345678, status GAGAL. Sign tidak valid",
            "status=40&refid=D9&message=T10.087712345678 GAGAL. Sign tidak valid",
        ],
    ),
    (
        "parameters missing",
        Step::Incomplete,
        [
            "GAGAL, parameter tidak lengkap.",
            "GAGAL. Parameter tidak lengkap",
            "GAGAL. Parameter tidak lengkap",
            "status=40&message=GAGAL. Parameter tidak lengkap",
        ],
    ),
    (
        "balance",
        Step::Balance,
        [
            "saldo=4680250  @ 2026-04-21 09:05:07",
            "Saldo Anda Rp 4.680.250 @ 2026-04-21 09:05:07",
            "Sisa saldo 4680250",
            "Saldo: 4.680.250",
        ],
    ),
    (
        "balance refused",
        Step::BalanceBadSign,
        [
            "GAGAL, sign tidak valid.",
            "GAGAL. Sign tidak valid",
            "GAGAL. Sign tidak valid",
            "status=40&message=GAGAL. Sign tidak valid",
        ],
    ),
];

/// Every refID the script uses.
const SCRIPT_REFS: [&str; 6] = ["D1", "D2", "D3", "D4", "D9", "NOPE"];

async fn dialect_sandbox(dialect: Dialect) -> SandboxHandle {
    let at = chrono::NaiveDate::from_ymd_opt(2026, 4, 21)
        .and_then(|d| d.and_hms_opt(9, 5, 7))
        .unwrap();
    sandbox_with(SandboxConfig {
        dialect,
        clock: SandboxClock::Fixed(at),
        pending_checks: 1,
        ..SandboxConfig::default()
    })
    .await
}

async fn run_step(client: &Reseller, step: Step) -> Answer {
    match step {
        Step::Call(op, product, dest, ref_id) => client.call(op, product, dest, ref_id).await,
        Step::BadSign(op, product, dest, ref_id) => {
            let wrong_pin = sign(&[
                "R-ONE",
                &client.member,
                product,
                dest,
                ref_id,
                "9999",
                &client.key,
            ]);
            let url = client.url(op, product, dest, ref_id, &wrong_pin);
            client.get(&url).await.expect("sandbox answers")
        }
        Step::Incomplete => {
            let url = format!("{}/V1/http-get?product=T1&qty=1", client.base);
            client.get(&url).await.expect("sandbox answers")
        }
        Step::Balance => client.balance_with(BalanceSign::Fields).await,
        Step::BalanceBadSign => client.balance_with(BalanceSign::CheckBalance).await,
    }
}

/// What the books say after the script.
#[derive(Debug, PartialEq, Eq)]
struct Books {
    balance: Option<Rupiah>,
    charges: Vec<u32>,
    stats: SandboxStats,
}

#[tokio::test]
async fn every_dialect_writes_the_same_books_in_its_own_words() {
    let names: Vec<&str> = Dialect::ALL.iter().map(|d| d.name()).collect();
    assert_eq!(
        names,
        ["rone", "otomax", "sisa", "kv"],
        "the SCRIPT's columns"
    );
    let mut serials: Vec<(&str, String)> = Vec::new();
    let mut books = Vec::new();
    for (column, dialect) in Dialect::ALL.into_iter().enumerate() {
        let sandbox = dialect_sandbox(dialect).await;
        let client = Reseller::demo(&sandbox);
        for (what, step, wants) in SCRIPT {
            let answer = run_step(&client, *step).await;
            assert_eq!(answer.status, 200, "{dialect} {what}");
            assert_eq!(answer.content_type, "text/plain; charset=utf-8");
            let mut want = wants[column].to_string();
            for placeholder in ["{sn1}", "{sn2}"] {
                if !want.contains(placeholder) {
                    continue;
                }
                if !serials.iter().any(|(p, _)| *p == placeholder) {
                    let sn = answer.reply().sn.expect("rone's line has the serial");
                    assert!(
                        sn.len() == 16 && sn.bytes().all(|b| b.is_ascii_digit()),
                        "{sn}"
                    );
                    serials.push((placeholder, sn));
                }
                let (_, sn) = serials.iter().find(|(p, _)| *p == placeholder).unwrap();
                want = want.replace(placeholder, sn);
            }
            assert_eq!(answer.body, want, "{dialect}: {what}");
        }
        books.push(Books {
            balance: sandbox.balance(DEMO_MEMBER),
            charges: SCRIPT_REFS.iter().map(|r| sandbox.charges_for(r)).collect(),
            stats: sandbox.stats(),
        });
        sandbox.shutdown().await;
    }
    assert_eq!(books[0].balance, Some(Rupiah(4_680_250)));
    assert_eq!(books[0].charges, [1, 1, 0, 1, 0, 0]);
    assert_eq!(books[0].stats.charges, 3);
    for (dialect, seen) in Dialect::ALL.iter().zip(&books) {
        assert_eq!(seen, &books[0], "{dialect} keeps other books than rone");
    }
}

#[tokio::test]
async fn faults_are_the_same_in_every_dialect() {
    for dialect in Dialect::ALL {
        let sandbox = dialect_sandbox(dialect).await;
        let client = Reseller::demo(&sandbox);
        let by_dest = [
            ("089900021234", Seen::ServerError, 1),
            ("089900031234", Seen::Html, 1),
            ("089900041234", Seen::Broken, 1),
            ("089900071234", Seen::ServerError, 0),
        ];
        for (i, (dest, want, charges)) in by_dest.into_iter().enumerate() {
            let ref_id = format!("FD{i}");
            let got = seen(client.try_call(Op::Topup, "T10", dest, &ref_id).await).await;
            assert_eq!(got, want, "{dialect} {dest}");
            assert_eq!(sandbox.charges_for(&ref_id), charges, "{dialect} {dest}");
        }
        let injected = [
            (Fault::Garbage, Seen::Html, 0),
            (Fault::ServerError, Seen::ServerError, 0),
            (Fault::DropAfterCharge, Seen::Broken, 1),
        ];
        for (i, (fault, want, charges)) in injected.into_iter().enumerate() {
            let ref_id = format!("IJ{i}");
            sandbox.inject(fault, 1);
            let got = seen(
                client
                    .try_call(Op::Topup, "T1", "081234567890", &ref_id)
                    .await,
            )
            .await;
            assert_eq!(got, want, "{dialect} {fault:?}");
            assert_eq!(sandbox.charges_for(&ref_id), charges, "{dialect} {fault:?}");
        }
        sandbox.inject(Fault::Garbage, 1);
        let balance = client.balance_with(BalanceSign::Fields).await;
        assert!(balance.content_type.starts_with("text/html"), "{dialect}");
        assert_eq!(spent(&sandbox), 3 * 11_000 + 2_000, "{dialect}");
        sandbox.shutdown().await;
    }
}
