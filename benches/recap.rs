//! A month's recap and export on a 100,000-entry journal (issue 12: under
//! 50 ms). The journal holds one account's sales over ten months plus other
//! accounts'; a recap reads its month through the (account, time) index.
//! Run with `cargo bench --bench recap`; results in BENCHMARKS.md.

use std::hint::black_box;
use std::time::Duration;

use chrono::{DateTime, Utc};
use criterion::{criterion_group, criterion_main, Criterion};
use loket::app::engine_with;
use loket::catalog::Catalog;
use loket::engine::{ChatCtx, Engine, EngineConfig, Input};
use loket::model::{EntryKind, EntryState, JournalEntry};
use loket::money::Rupiah;
use loket::shop::Pricing;
use loket::store::{Location, Store};

const OWNER: i64 = 42;
const ENTRIES: usize = 100_000;
/// Accounts sharing the journal; the owner's are every `ACCOUNTS`th entry.
const ACCOUNTS: usize = 4;

fn at(i: usize) -> DateTime<Utc> {
    // Ten months from 2026-02-01, evenly spread.
    let start = DateTime::parse_from_rfc3339("2026-02-01T00:00:00Z")
        .unwrap()
        .with_timezone(&Utc);
    let span = 300 * 24 * 3600;
    start + chrono::Duration::seconds((i * span / ENTRIES) as i64)
}

fn filled(runtime: &tokio::runtime::Runtime) -> Engine {
    let store = Store::open(&Location::Temporary, None).unwrap();
    runtime.block_on(async {
        for batch in (0..ENTRIES).collect::<Vec<_>>().chunks(2000) {
            let writes = batch.iter().map(|&i| {
                let account = OWNER + (i % ACCOUNTS) as i64;
                let mut entry = JournalEntry::new(
                    format!("LB{i:010}"),
                    EntryKind::Topup,
                    ["T10", "T25", "PLN20", "XL10"][i % 4],
                    format!("0877{i:08}"),
                    account,
                    account,
                    account,
                    "DEMO",
                    "http://127.0.0.1:9",
                    None,
                    at(i),
                );
                entry.state = if i % 10 == 0 {
                    EntryState::Failed
                } else {
                    EntryState::Success
                };
                entry.cost = Some(Rupiah(10_000 + (i % 7) as i64 * 1000));
                entry.pricing = Some(Pricing::Markup(Rupiah(1500)));
                entry.told = true;
                let store = store.clone();
                async move { store.begin_entry(&entry).await.unwrap() }
            });
            futures::future::join_all(writes).await;
        }
    });
    let mut config = EngineConfig::new("http://127.0.0.1:9");
    config.clock = std::sync::Arc::new(loket::clock::FakeClock::at(at(ENTRIES - 1)));
    engine_with(store, Catalog::builtin(), config, Duration::from_secs(1)).0
}

fn recap(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let engine = filled(&runtime);
    let owner = ChatCtx::private(OWNER);
    let mut group = c.benchmark_group("recap_on_100k_entries");
    group.sample_size(20);
    for (name, text) in [
        ("month_recap_with_chart", "rekap 2026-06"),
        ("day_recap", "rekap 2026-06-15"),
        ("month_export_csv", "/ekspor 2026-06"),
    ] {
        group.bench_function(name, |b| {
            b.iter(|| {
                let response =
                    runtime.block_on(engine.handle(&owner, Input::Text(text.to_string())));
                black_box(response)
            })
        });
    }
    group.finish();
}

criterion_group!(benches, recap);
criterion_main!(benches);
