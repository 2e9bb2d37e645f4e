//! CPU cost of one message, piece by piece and whole: command parsing,
//! signing, request building, reply parsing and bill/receipt formatting.
//! Run with `cargo bench --bench message`; results in BENCHMARKS.md.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use loket::catalog::Catalog;
use loket::command::{self, Command, Lang};
use loket::gateway::sign::transaction_sign;
use loket::gateway::{parse_balance, parse_reply, transaction_request, BalanceSign, Credentials};
use loket::gateway::{Operation, BRAND};
use loket::i18n::Locales;
use loket::money::Rupiah;
use loket::secret::Secret;

const BILL_REPLY: &str =
    "CEK PLNPASC.546302215889 SUKSES, DATA:Siti Aminah TAGIHAN:300000 ADMIN:2750.";
const TOPUP_REPLY: &str =
    "TRX T10.087712345678 SUKSES, HRG:11000 SN:3772111614726992 REFID:LMWX8I4ZO0001Y2.";
const REF_ID: &str = "LMWX8I4ZM00008J";

fn creds() -> Credentials {
    Credentials {
        member_id: "AGEN7".into(),
        pin: Secret::new("739164"),
        api_key: Secret::new("kunci-rahasia-9f3x"),
        base_url: "https://h2h.contoh.co.id".into(),
        balance_sign: BalanceSign::Fields,
    }
}

/// The bill text exactly as the engine builds it (`bill` message).
fn format_bill(locales: &Locales, reply: &loket::gateway::GatewayReply) -> String {
    let total = reply.bill_total().unwrap_or_default();
    locales.text(
        Lang::Id,
        "bill",
        &[
            ("family", locales.text(Lang::Id, "family-pln", &[])),
            ("product", "PLNPASC".into()),
            ("dest", "546302215889".into()),
            ("name", reply.name.clone().unwrap_or_default()),
            ("bill", reply.bill.unwrap_or_default().to_string()),
            ("admin", reply.admin.unwrap_or_default().to_string()),
            ("total", total.to_string()),
            ("ref", REF_ID.into()),
            ("minutes", "30".into()),
        ],
    )
}

fn format_receipt(locales: &Locales, reply: &loket::gateway::GatewayReply) -> String {
    locales.text(
        Lang::Id,
        "topup-success",
        &[
            ("product", "T10".into()),
            ("dest", "087712345678".into()),
            ("ref", REF_ID.into()),
            ("price", reply.cost.unwrap_or_default().to_string()),
            (
                "sn",
                loket::engine::format_sn(reply.sn.as_deref().unwrap_or("-")),
            ),
            ("reason", "-".into()),
        ],
    )
}

fn pieces(c: &mut Criterion) {
    let catalog = Catalog::builtin();
    let locales = Locales::load();
    let creds = creds();
    let mut g = c.benchmark_group("piece");
    for text in [
        "T10 087712345678",
        "PLNPASC 546302215889 cek",
        "/cek BPJSKS 0001234567890 3",
        "CCBCA 4111111111111111 1,5jt cek",
        "saldo",
        "halo apa kabar semuanya",
    ] {
        g.bench_function(format!("parse `{text}`"), |b| {
            b.iter(|| command::parse(black_box(text), &catalog))
        });
    }
    g.bench_function("sign", |b| {
        b.iter(|| {
            transaction_sign(
                BRAND,
                "AGEN7",
                black_box("PLNPASC"),
                "546302215889",
                REF_ID,
                "739164",
                "kunci-rahasia-9f3x",
            )
        })
    });
    g.bench_function("build payment request", |b| {
        b.iter(|| {
            transaction_request(
                &creds,
                Operation::Payment,
                black_box("PLNPASC"),
                "546302215889",
                REF_ID,
            )
        })
    });
    g.bench_function("parse bill reply", |b| {
        b.iter(|| parse_reply(black_box(BILL_REPLY)))
    });
    g.bench_function("parse topup reply", |b| {
        b.iter(|| parse_reply(black_box(TOPUP_REPLY)))
    });
    g.bench_function("parse balance reply", |b| {
        b.iter(|| parse_balance(black_box("saldo=1000000  @ 2026-04-21 11:00:00")))
    });
    let bill = parse_reply(BILL_REPLY);
    g.bench_function("format bill", |b| {
        b.iter(|| format_bill(&locales, black_box(&bill)))
    });
    let topup = parse_reply(TOPUP_REPLY);
    g.bench_function("format topup receipt", |b| {
        b.iter(|| format_receipt(&locales, black_box(&topup)))
    });
    g.bench_function("format Rupiah", |b| {
        b.iter(|| black_box(Rupiah(302_750)).to_string())
    });
    g.finish();
}

/// Everything loket's CPU does for one message: parse the text, sign and
/// build the call, parse the gateway's reply, format the answer.
fn whole(c: &mut Criterion) {
    let catalog = Catalog::builtin();
    let locales = Locales::load();
    let creds = creds();
    let mut g = c.benchmark_group("whole message");
    g.bench_function("bill check", |b| {
        b.iter(|| {
            let Ok(Command::Inquiry(bill)) =
                command::parse(black_box("PLNPASC 546302215889 cek"), &catalog)
            else {
                unreachable!("a bill check")
            };
            let request = transaction_request(
                &creds,
                Operation::Inquiry,
                &bill.target.product,
                &bill.target.dest,
                REF_ID,
            );
            let reply = parse_reply(black_box(BILL_REPLY));
            (request, format_bill(&locales, &reply))
        })
    });
    g.bench_function("topup", |b| {
        b.iter(|| {
            let Ok(Command::Topup(target)) =
                command::parse(black_box("T10 087712345678"), &catalog)
            else {
                unreachable!("a topup")
            };
            let request = transaction_request(
                &creds,
                Operation::Topup,
                &target.product,
                &target.dest,
                REF_ID,
            );
            let reply = parse_reply(black_box(TOPUP_REPLY));
            (request, format_receipt(&locales, &reply))
        })
    });
    g.finish();
}

criterion_group!(benches, pieces, whole);
criterion_main!(benches);
