//! CPU cost of the pictures loket sends: a PLN token receipt (the typical
//! 20 lines) and a 30-day month recap chart, each to PNG bytes.
//! Run with `cargo bench --bench picture`; results in BENCHMARKS.md.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use loket::picture::{month_chart_png, receipt_png, ChartDay, MonthChart, StrukLine};

fn pln_token_receipt() -> Vec<StrukLine> {
    let pair = |label: &str, value: &str| StrukLine::Pair(label.into(), value.into());
    vec![
        StrukLine::Title("KONTER BERKAH JAYA".into()),
        StrukLine::Centered("Jl. Merdeka No. 12, Bandung".into()),
        StrukLine::Centered("WA 0812-3456-7890".into()),
        StrukLine::Rule,
        pair("Tanggal", "14/11/2026 09:41 WIB"),
        pair("Produk", "PLN Prabayar 100.000"),
        pair("No. Meter", "14234567890"),
        pair("Nama", "SITI AMINAH"),
        pair("Tarif/Daya", "R1/1300 VA"),
        pair("kWh", "66,7"),
        pair("Ref", "LMWX8I4ZO0001Y2"),
        StrukLine::Rule,
        StrukLine::Centered("TOKEN".into()),
        StrukLine::Big("5316 4718 0234 5578 9910".into()),
        StrukLine::Rule,
        pair("Harga", "Rp100.000"),
        pair("Admin", "Rp2.500"),
        StrukLine::Big("Rp102.500".into()),
        StrukLine::Blank,
        StrukLine::Text("Simpan struk ini sebagai bukti pembayaran yang sah.".into()),
        StrukLine::Centered("Terima kasih".into()),
    ]
}

fn thirty_day_month() -> MonthChart {
    MonthChart {
        title: "Rekap November 2026".into(),
        sold_label: "Penjualan".into(),
        profit_label: "Laba".into(),
        max_label: "Rp1.250.000".into(),
        days_in_month: 30,
        days: (1..=30)
            .map(|day| ChartDay {
                day,
                sold: i64::from(day * 37_000 % 900_000 + 100_000),
                profit: i64::from(day * 3_100 % 60_000),
            })
            .collect(),
    }
}

fn pictures(c: &mut Criterion) {
    let receipt = pln_token_receipt();
    c.bench_function("receipt_png/pln_token_21_lines", |b| {
        b.iter(|| receipt_png(black_box(&receipt)))
    });
    let chart = thirty_day_month();
    c.bench_function("month_chart_png/30_days", |b| {
        b.iter(|| month_chart_png(black_box(&chart)))
    });
}

criterion_group!(benches, pictures);
criterion_main!(benches);
