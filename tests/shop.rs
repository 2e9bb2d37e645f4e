//! The reseller's till (issue 12): selling prices and their precedence,
//! profit fixed in the journal, receipts (text and PNG), recaps cut at
//! 00:00 WIB, the nightly recap once a day, the month's CSV, and who may.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use loket::catalog::Catalog;
use loket::clock::FakeClock;
use loket::command::{self, Command, PriceCommand, RecapCommand, RecapPeriod, ShopCommand};
use loket::engine::{Attachment, ChatCtx, Response};
use loket::money::Rupiah;
use loket::shop::{PlnToken, PriceBook, PriceRule, Pricing};
use loket::store::{Location, Store};

#[path = "support/chat.rs"]
mod chat;
#[path = "support/engine_world.rs"]
mod engine_world;

use chat::{ref_of, shown};
use engine_world::{button, utc, world_at, World, GROUP, MEMBER, OWNER, STRANGER};

fn me() -> ChatCtx {
    ChatCtx::private(OWNER)
}

fn rp(v: i64) -> Rupiah {
    Rupiah(v)
}

fn attachment(response: &Response) -> &Attachment {
    response
        .replies
        .iter()
        .find_map(|r| r.attachment.as_ref())
        .unwrap_or_else(|| panic!("an attachment in {response:?}"))
}

// ---- prices ----

#[test]
fn the_most_specific_price_rule_prices_a_sale() {
    let book = PriceBook {
        rules: vec![
            PriceRule::Markup {
                pattern: "T*".into(),
                add: rp(1000),
            },
            PriceRule::Markup {
                pattern: "TSEL*".into(),
                add: rp(700),
            },
            PriceRule::Fixed {
                code: "TSEL10".into(),
                price: rp(12_500),
            },
            PriceRule::FamilyFee {
                family: "pln".into(),
                fee: rp(2500),
            },
            PriceRule::Markup {
                pattern: "PLNPASC".into(),
                add: rp(3000),
            },
            PriceRule::Markup {
                pattern: "PLN*".into(),
                add: rp(1000),
            },
            PriceRule::FamilyFee {
                family: "plnnontaglis".into(),
                fee: rp(2000),
            },
            PriceRule::FamilyFee {
                family: "telkom".into(),
                fee: rp(1500),
            },
        ],
    };
    // (product, family, gateway price, selling price)
    let cases: &[(&str, Option<&str>, i64, Option<i64>)] = &[
        // exact code beats every prefix
        ("TSEL10", None, 10_900, Some(12_500)),
        // the longer prefix beats the shorter
        ("TSEL25", None, 25_100, Some(25_800)),
        // the shorter prefix where only it matches
        ("T10", None, 10_800, Some(11_800)),
        ("PLN20", None, 20_500, Some(21_500)),
        // no rule: the gateway's price
        ("XL10", None, 10_700, Some(10_700)),
        // a family's fee on its bills, even where a prefix matches too
        ("PLNNONTGL", Some("plnnontaglis"), 100_000, Some(102_000)),
        ("TELEPON", Some("telkom"), 80_000, Some(81_500)),
        // a family without a fee: a matching prefix, else the total
        ("TVINDOVISION", Some("tv"), 150_000, Some(151_000)),
        ("PDAMKLT", Some("pdam"), 50_000, Some(50_000)),
        // an exact code rule beats the family's fee
        ("PLNPASC", Some("pln"), 302_750, Some(305_750)),
        // `@` forms are priced by their code
        ("TSEL10@2", None, 10_900, Some(12_500)),
    ];
    for (product, family, cost, sell) in cases {
        let pricing = book.pricing_for(product, *family);
        assert_eq!(
            Pricing::selling_price(pricing, Some(rp(*cost))).map(|r| r.value()),
            *sell,
            "{product}"
        );
    }
    // Only the family rule: its bills get the fee.
    let fee_only = PriceBook {
        rules: vec![PriceRule::FamilyFee {
            family: "pln".into(),
            fee: rp(2500),
        }],
    };
    assert_eq!(
        Pricing::selling_price(
            fee_only.pricing_for("PLNPASC", Some("pln")),
            Some(rp(302_750))
        ),
        Some(rp(305_250))
    );
    assert_eq!(fee_only.pricing_for("PLN20", None), None);
    // With a prefix for tokens, a PLN bill still gets its family's fee.
    let with_prefix = PriceBook {
        rules: vec![
            PriceRule::FamilyFee {
                family: "pln".into(),
                fee: rp(2500),
            },
            PriceRule::Markup {
                pattern: "PLN*".into(),
                add: rp(1000),
            },
        ],
    };
    assert_eq!(
        Pricing::selling_price(
            with_prefix.pricing_for("PLNPASC", Some("pln")),
            Some(rp(302_750))
        ),
        Some(rp(305_250))
    );
}

#[test]
fn jual_reads_codes_prefixes_families_and_removals() {
    let catalog = Catalog::builtin();
    let set = |rule| Ok(Command::Prices(PriceCommand::Set(rule)));
    let cases: Vec<(&str, Result<Command, &str>)> = vec![
        ("/jual", Ok(Command::Prices(PriceCommand::List))),
        ("jual", Ok(Command::Prices(PriceCommand::List))),
        (
            "jual T10 12000",
            set(PriceRule::Fixed {
                code: "T10".into(),
                price: rp(12_000),
            }),
        ),
        (
            "/jual t10 12rb",
            set(PriceRule::Fixed {
                code: "T10".into(),
                price: rp(12_000),
            }),
        ),
        (
            "/jual T* +1000",
            set(PriceRule::Markup {
                pattern: "T*".into(),
                add: rp(1000),
            }),
        ),
        (
            "/jual T10 +500",
            set(PriceRule::Markup {
                pattern: "T10".into(),
                add: rp(500),
            }),
        ),
        (
            "/jual pln +2500",
            set(PriceRule::FamilyFee {
                family: "pln".into(),
                fee: rp(2500),
            }),
        ),
        (
            "/jual BPJSKS +2000",
            set(PriceRule::FamilyFee {
                family: "bpjsks".into(),
                fee: rp(2000),
            }),
        ),
        (
            "/jual hapus t*",
            Ok(Command::Prices(PriceCommand::Remove("T*".into()))),
        ),
        (
            "/jual hapus PLN",
            Ok(Command::Prices(PriceCommand::Remove("pln".into()))),
        ),
        // a bill's price cannot be fixed
        ("/jual pln 305000", Err("err-fixed-bill-price")),
        ("/jual PLNPASC 305000", Err("err-fixed-bill-price")),
        // a prefix takes a markup only
        ("/jual T* 12000", Err("err-price-usage")),
        ("/jual T10", Err("err-price-usage")),
        ("/jual T10 murah", Err("err-price-usage")),
        ("/jual halo123! +1", Err("err-price-usage")),
        ("/jual * +1000", Err("err-price-usage")),
        // a phone number where the price goes is not a price
        ("/jual T10 087712345678", Err("err-price-usage")),
        ("/jual T* +10000001", Err("err-price-usage")),
    ];
    for (text, expected) in cases {
        let parsed = command::parse(text, &catalog).map_err(|e| e.message_id());
        assert_eq!(parsed, expected, "{text}");
    }
}

#[test]
fn toko_and_rekap_read_their_words() {
    let catalog = Catalog::builtin();
    let cases: Vec<(&str, Result<Command, &str>)> = vec![
        (
            "/toko Konter Berkah, Jl. Mawar 5",
            Ok(Command::Shop(ShopCommand::Set {
                name: "Konter Berkah".into(),
                address: Some("Jl. Mawar 5".into()),
            })),
        ),
        (
            "/toko Konter Berkah",
            Ok(Command::Shop(ShopCommand::Set {
                name: "Konter Berkah".into(),
                address: None,
            })),
        ),
        (
            "/toko catatan Terima kasih, datang lagi",
            Ok(Command::Shop(ShopCommand::Footer(Some(
                "Terima kasih, datang lagi".into(),
            )))),
        ),
        (
            "/toko catatan hapus",
            Ok(Command::Shop(ShopCommand::Footer(None))),
        ),
        ("/toko hapus", Ok(Command::Shop(ShopCommand::Clear))),
        ("/toko", Ok(Command::Shop(ShopCommand::Show))),
        (
            "rekap",
            Ok(Command::Recap(RecapCommand::Show(RecapPeriod::Today))),
        ),
        (
            "rekap kemarin",
            Ok(Command::Recap(RecapCommand::Show(RecapPeriod::Yesterday))),
        ),
        (
            "rekap 2026-11-30",
            Ok(Command::Recap(RecapCommand::Show(RecapPeriod::Day(
                chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap(),
            )))),
        ),
        (
            "/rekap 2026-11",
            Ok(Command::Recap(RecapCommand::Show(RecapPeriod::Month(
                command::Month {
                    year: 2026,
                    month: 11,
                },
            )))),
        ),
        (
            "/rekap otomatis 21:00",
            Ok(Command::Recap(RecapCommand::AutoAt(21 * 60))),
        ),
        (
            "/rekap otomatis mati",
            Ok(Command::Recap(RecapCommand::AutoOff)),
        ),
        (
            "rekap hari ini",
            Ok(Command::Recap(RecapCommand::Show(RecapPeriod::Today))),
        ),
        (
            "rekap 30/11/2026",
            Ok(Command::Recap(RecapCommand::Show(RecapPeriod::Day(
                chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap(),
            )))),
        ),
        ("/rekap otomatis 25:00", Err("err-recap-usage")),
        ("rekap 2026-13", Err("err-recap-usage")),
        ("rekap besok lusa", Err("err-recap-usage")),
        ("/ekspor 2026-11x", Err("err-export-usage")),
        (
            &*Box::leak(format!("/toko {}", "x".repeat(81)).into_boxed_str()),
            Err("err-shop-usage"),
        ),
    ];
    for (text, expected) in cases {
        let parsed = command::parse(text, &catalog).map_err(|e| e.message_id());
        assert_eq!(parsed, expected, "{text}");
    }
}

#[tokio::test]
async fn profit_in_the_journal_is_unchanged_after_a_rule_changes() {
    let w = World::start(|_| {}).await;
    w.say_in(me(), "jual T10 12000").await;
    let sold = shown(&w.say_in(me(), "T10 087712345001").await);
    assert!(sold.contains("Tagih pelanggan: Rp12.000"), "{sold}");
    let ref_id = ref_of(&sold);
    let before = w.store.entry(&ref_id).unwrap().unwrap();
    assert_eq!(before.selling_price(), Some(rp(12_000)));

    w.say_in(me(), "jual T10 15000").await;
    w.say_in(me(), "jual T* +5000").await;
    let after = w.store.entry(&ref_id).unwrap().unwrap();
    assert_eq!(after.selling_price(), Some(rp(12_000)));
    assert_eq!(after.profit(), before.profit());
    let recap = shown(&w.say_in(me(), "rekap").await);
    assert!(recap.contains("Penjualan: Rp12.000"), "{recap}");
    // The next sale takes the new rule.
    let next = shown(&w.say_in(me(), "T10 087712345002").await);
    assert!(next.contains("Tagih pelanggan: Rp15.000"), "{next}");
}

#[tokio::test]
async fn a_bill_shows_what_to_pay_and_what_to_collect() {
    let w = World::start(|_| {}).await;
    w.say_in(me(), "/jual pln +2500").await;
    let bill = w.say_in(me(), "PLNPASC 546302215889 cek").await;
    let text = shown(&bill);
    assert!(text.contains("Total: Rp302.750"), "{text}");
    assert!(text.contains("Tagih pelanggan: Rp305.250"), "{text}");
    let paid = w.press(me(), &button(&bill, "Bayar")).await;
    let receipt = w.press(me(), &button(&paid, "🧾 Struk")).await;
    let struk = shown(&receipt);
    assert!(struk.contains("Total bayar: Rp305.250"), "{struk}");
    let entry = w.store.entry(&ref_of(&text)).unwrap().unwrap();
    assert_eq!(entry.profit(), Some(rp(2500)));
}

// ---- receipts ----

#[test]
fn a_pln_token_sn_is_grouped_four_by_four_with_its_kwh() {
    let cases = [
        (
            "2514-1798-8056-2280-2824/HASMALINDA/R1M/900VA/33.7",
            Some((
                "2514 1798 8056 2280 2824",
                Some("HASMALINDA"),
                Some("R1M/900VA"),
                Some("33,7"),
            )),
        ),
        (
            "25141798805622802824",
            Some(("2514 1798 8056 2280 2824", None, None, None)),
        ),
        (
            "2514 1798 8056 2280 2824/BUDI/R1/1300VA/12,5kWh",
            Some((
                "2514 1798 8056 2280 2824",
                Some("BUDI"),
                Some("R1/1300VA"),
                Some("12,5"),
            )),
        ),
        // no kWh: the power is not read as one
        (
            "2514-1798-8056-2280-2824/BUDI/R1/1300VA",
            Some((
                "2514 1798 8056 2280 2824",
                Some("BUDI"),
                Some("R1/1300VA"),
                None,
            )),
        ),
        // a name with "VA" in it stays the name
        (
            "2514-1798-8056-2280-2824/NOVA SILVANA/R1M/900VA/20.1",
            Some((
                "2514 1798 8056 2280 2824",
                Some("NOVA SILVANA"),
                Some("R1M/900VA"),
                Some("20,1"),
            )),
        ),
        // no name: the tariff is not taken for one
        (
            "2514-1798-8056-2280-2824/R1M/900VA/33.7",
            Some((
                "2514 1798 8056 2280 2824",
                None,
                Some("R1M/900VA"),
                Some("33,7"),
            )),
        ),
        // the power written without VA, then the kWh
        (
            "2514-1798-8056-2280-2824/SITI/R1/1300/13.8",
            Some((
                "2514 1798 8056 2280 2824",
                Some("SITI"),
                Some("R1/1300VA"),
                Some("13,8"),
            )),
        ),
        // not a token: a topup's serial, a short number
        ("5871262604504545", None),
        ("2514-1798-8056-2280", None),
    ];
    for (sn, expected) in cases {
        let token = PlnToken::of_sn(sn);
        let got = token.as_ref().map(|t| {
            (
                t.token.as_str(),
                t.name.as_deref(),
                t.tariff.as_deref(),
                t.kwh.as_deref(),
            )
        });
        assert_eq!(got, expected, "{sn}");
    }
}

/// The receipt of what `command` sold (pressing Bayar for a check).
async fn receipt_of(w: &World, command: &str) -> (String, Vec<u8>) {
    let first = w.say_in(me(), command).await;
    let sold = if command.ends_with("cek") {
        w.press(me(), &button(&first, "Bayar")).await
    } else {
        first
    };
    let ref_id = ref_of(&shown(&sold));
    let receipt = w.say_in(me(), &format!("struk {ref_id}")).await;
    let png = match attachment(&receipt) {
        Attachment::Photo { bytes, .. } => bytes.clone(),
        other => panic!("a photo, not {other:?}"),
    };
    (shown(&receipt), png)
}

#[tokio::test]
async fn receipts_show_what_the_customer_needs() {
    let w = World::start(|_| {}).await;
    w.say_in(me(), "/toko Konter Berkah, Jl. Mawar 5").await;
    w.say_in(me(), "/toko catatan Simpan struk ini").await;
    w.say_in(me(), "jual T10 12000").await;
    w.say_in(me(), "jual bpjsks +2000").await;
    // (command, lines the receipt must hold)
    let cases: &[(&str, &[&str])] = &[
        (
            "T10 087712345678",
            &[
                "KONTER BERKAH",
                "Jl. Mawar 5",
                "STRUK PEMBELIAN",
                "Produk: Isi ulang (T10)",
                "No. pelanggan: 087712345678",
                "SN: ",
                "Total bayar: Rp12.000",
                "Simpan struk ini",
            ],
        ),
        (
            "PLN20 54630221588",
            &[
                "STRUK PEMBELIAN LISTRIK PRABAYAR",
                "Produk: Token PLN (PLN20)",
                "No. pelanggan: 54630221588",
                "Nama: ",
                "Jumlah kWh: ",
                "TOKEN",
            ],
        ),
        (
            "PLNPASC 546302215889 cek",
            &[
                "STRUK PEMBAYARAN PLN Pascabayar",
                "Nama: Anto",
                "Total bayar: Rp302.750",
            ],
        ),
        (
            "BPJSKS 0001234567890 3 cek",
            &[
                "STRUK PEMBAYARAN BPJS Kesehatan",
                "No. pelanggan: 0001234567890",
                "Periode: 3 bulan",
                "Total bayar: Rp240.600",
            ],
        ),
    ];
    let mut heights = Vec::new();
    for (command, lines) in cases {
        let (text, png) = receipt_of(&w, command).await;
        let info = png::Decoder::new(std::io::Cursor::new(&png))
            .read_info()
            .expect("the receipt decodes as a PNG")
            .info()
            .clone();
        assert_eq!(info.width, 384, "{command}: 58 mm paper");
        heights.push((command, text.lines().count(), info.height));
        for line in *lines {
            assert!(text.contains(line), "{command}: no {line:?} in\n{text}");
        }
        // A time in WIB and the refID.
        assert!(text.contains(" WIB"), "{text}");
        assert!(text.contains("Ref: LM"), "{text}");
    }
    // The picture grows with what the receipt says.
    heights.sort_by_key(|(_, lines, _)| *lines);
    for pair in heights.windows(2) {
        let ((a, la, ha), (b, lb, hb)) = (pair[0], pair[1]);
        if lb > la {
            assert!(
                hb > ha,
                "{b} ({lb} lines, {hb} px) vs {a} ({la} lines, {ha} px)"
            );
        }
    }
    // A token is printed 4-4-4-4-4.
    let (token, _) = receipt_of(&w, "PLN50 54630221599").await;
    let grouped = token
        .lines()
        .find(|l| l.split(' ').count() == 5 && l.split(' ').all(|g| g.len() == 4))
        .unwrap_or_else(|| panic!("a grouped token in\n{token}"));
    assert!(grouped.chars().all(|c| c.is_ascii_digit() || c == ' '));
}

#[tokio::test]
async fn a_receipt_is_only_for_a_success_the_chat_may_see() {
    let w = World::start(|_| {}).await;
    w.owner_with_group().await;
    let failed = shown(&w.say_in(me(), "T10 089900061234").await);
    let failed_ref = ref_of(&failed);
    let refusal = shown(&w.say_in(me(), &format!("struk {failed_ref}")).await);
    assert!(
        refusal.contains("hanya untuk transaksi yang berhasil"),
        "{refusal}"
    );

    let sold = shown(&w.say_in(me(), "T10 087712345678").await);
    let ref_id = ref_of(&sold);
    // Another chat (the group, a stranger's private chat) does not see it.
    for ctx in [ChatCtx::group(GROUP, OWNER), ChatCtx::private(STRANGER)] {
        let other = w.say_in(ctx, &format!("/struk {ref_id}")).await;
        assert!(shown(&other).contains("Tidak ada transaksi"), "{other:?}");
        assert!(other.replies.iter().all(|r| r.attachment.is_none()));
    }
    // A group's sale: every member of the group sees its receipt, the
    // account's owner too in private.
    let in_group = shown(
        &w.say_in(ChatCtx::group(GROUP, MEMBER), "/beli T10 087712345679")
            .await,
    );
    let group_ref = ref_of(&in_group);
    for ctx in [ChatCtx::group(GROUP, STRANGER), me()] {
        let seen = w.say_in(ctx, &format!("/struk {group_ref}")).await;
        assert!(
            seen.replies.iter().any(|r| r.attachment.is_some()),
            "{seen:?}"
        );
    }
}

// ---- who may ----

#[tokio::test]
async fn in_a_group_prices_and_shop_are_the_owners_and_recaps_the_allowed() {
    let w = World::start(|_| {}).await;
    w.owner_with_group().await;
    // (who, command, what the answer says)
    let cases: &[(i64, &str, &str)] = &[
        (MEMBER, "/jual T10 12000", "Hanya pemilik"),
        (MEMBER, "/toko Toko Lain", "Hanya pemilik"),
        (MEMBER, "/rekap otomatis 21:00", "Hanya pemilik"),
        (STRANGER, "/jual hapus T10", "Hanya pemilik"),
        (MEMBER, "/jual", "Belum ada harga jual"),
        (MEMBER, "/rekap", "Rekap "),
        (STRANGER, "/rekap", "belum diizinkan"),
        (STRANGER, "/ekspor", "belum diizinkan"),
        (OWNER, "/jual T10 12000", "Harga jual disimpan"),
        (OWNER, "/toko Konter Grup", "Toko disimpan"),
        (OWNER, "/rekap otomatis 21:00", "Rekap otomatis dikirim"),
        (MEMBER, "/ekspor", "Tidak ada transaksi"),
    ];
    for (who, text, says) in cases {
        let answer = shown(&w.say_in(ChatCtx::group(GROUP, *who), text).await);
        assert!(answer.contains(says), "{who} {text}: {answer}");
    }
    // Nothing a member tried changed the account's rules.
    let book = w.store.price_book(OWNER).unwrap();
    assert_eq!(
        book.rules,
        vec![PriceRule::Fixed {
            code: "T10".into(),
            price: rp(12_000)
        }]
    );
    assert_eq!(
        w.store.shop_profile(OWNER).unwrap().unwrap().name,
        "Konter Grup"
    );
}

// ---- recaps ----

#[tokio::test]
async fn a_wib_day_ends_at_midnight_jakarta_time() {
    // 23:59:59 WIB on 30 November is 16:59:59 UTC; 00:00:00 WIB on
    // 1 December is 17:00:00 UTC.
    let (w, clock) = world_at("2026-11-30T16:59:59Z").await;
    w.say_in(me(), "T10 087712345101").await;
    clock.set(utc("2026-11-30T17:00:00Z"));
    w.say_in(me(), "T5 087712345102").await;
    clock.set(utc("2026-12-01T05:00:00Z"));
    let cases = [
        ("rekap 2026-11-30", "T10", "T5"),
        ("rekap 2026-12-01", "T5", "T10"),
        ("rekap kemarin", "T10", "T5"),
        ("rekap", "T5", "T10"),
    ];
    for (command, has, lacks) in cases {
        let recap = shown(&w.say_in(me(), command).await);
        assert!(recap.contains("Berhasil: 1 "), "{command}: {recap}");
        assert!(recap.contains(&format!("• {has}:")), "{command}: {recap}");
        assert!(
            !recap.contains(&format!("• {lacks}:")),
            "{command}: {recap}"
        );
    }
}

#[tokio::test]
async fn a_months_recap_totals_equal_the_sum_of_its_csv_rows() {
    let (w, clock) = world_at("2026-11-03T02:00:00Z").await;
    w.say_in(me(), "jual T* +1500").await;
    w.say_in(me(), "jual pln +2500").await;
    let sales = [
        ("2026-11-03T02:00:00Z", "T10 087712345201"),
        ("2026-11-03T09:00:00Z", "T25 087712345202"),
        ("2026-11-10T01:00:00Z", "T10 089900061234"), // fails
        ("2026-11-15T12:00:00Z", "PLNPASC 546302215889 cek"),
        ("2026-11-30T16:59:00Z", "T5 087712345203"),
        ("2026-11-30T17:01:00Z", "T5 087712345204"), // 1 December WIB
    ];
    for (at, command) in sales {
        clock.set(utc(at));
        let answer = w.say_in(me(), command).await;
        if command.ends_with("cek") {
            w.press(me(), &button(&answer, "Bayar")).await;
        }
    }
    clock.set(utc("2026-12-02T03:00:00Z"));
    let recap = w.say_in(me(), "/rekap 2026-11").await;
    let text = shown(&recap);
    let export = w.say_in(me(), "/ekspor 2026-11").await;
    let Attachment::Document { bytes, name } = attachment(&export) else {
        panic!("a document: {export:?}");
    };
    assert_eq!(name, "loket-2026-11.csv");
    let mut reader = csv::Reader::from_reader(bytes.as_slice());
    let headers = reader.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (mut rows, mut success, mut paid, mut sold, mut profit) = (0, 0, 0i64, 0i64, 0i64);
    for record in reader.records() {
        let record = record.unwrap();
        rows += 1;
        let number = |name: &str| record[col(name)].parse::<i64>().unwrap_or(0);
        if &record[col("status")] == "berhasil" {
            success += 1;
            paid += number("harga_gateway");
            sold += number("harga_jual");
            profit += number("laba");
        }
        assert!(
            record[col("waktu_wib")].starts_with("2026-11-"),
            "{record:?}"
        );
    }
    assert_eq!(rows, 5, "five sales in November WIB");
    assert_eq!(success, 4);
    let money = |v: i64| Rupiah(v).to_string();
    assert!(
        text.contains(&format!("Berhasil: {success} · Gagal: 1")),
        "{text}"
    );
    assert!(
        text.contains(&format!("Bayar ke gateway: {}", money(paid))),
        "{text}"
    );
    assert!(
        text.contains(&format!("Penjualan: {}", money(sold))),
        "{text}"
    );
    assert!(text.contains(&format!("Laba: {}", money(profit))), "{text}");
    assert_eq!(profit, 1500 * 3 + 2500);
    // A month comes with its chart.
    assert!(matches!(attachment(&recap), Attachment::Photo { .. }));
}

#[tokio::test]
async fn a_group_recap_is_that_groups_share() {
    let w = World::start(|_| {}).await;
    w.owner_with_group().await;
    w.say_in(me(), "T10 087712345301").await;
    w.say_in(ChatCtx::group(GROUP, MEMBER), "/beli T25 087712345302")
        .await;
    let group = shown(&w.say_in(ChatCtx::group(GROUP, MEMBER), "/rekap").await);
    assert!(group.contains("Berhasil: 1 "), "{group}");
    assert!(
        group.contains("• T25:") && !group.contains("• T10:"),
        "{group}"
    );
    let private = shown(&w.say_in(me(), "rekap").await);
    assert!(private.contains("Berhasil: 2 "), "{private}");
}

#[tokio::test]
async fn the_nightly_recap_is_sent_once_a_day_even_after_a_restart() {
    let dir = std::env::temp_dir().join(format!("loket-recap-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let key = [7u8; 32];
    let clock = FakeClock::at(utc("2026-12-02T10:00:00Z")); // 17:00 WIB
                                                            // Each start is a new process on the same data dir.
    let start = |clock: &FakeClock| {
        let shared = clock.clone();
        let dir = dir.clone();
        async move {
            // The last engine's background work may still hold the
            // database for a moment after it is dropped.
            let mut tries = 0;
            let store = loop {
                match Store::open(&Location::Dir(dir.clone()), Some(key)) {
                    Ok(store) => break store,
                    Err(e) if tries < 100 => {
                        tries += 1;
                        let _ = e;
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                    Err(e) => panic!("the data dir opens again: {e}"),
                }
            };
            let sandbox = loket::sandbox::spawn("127.0.0.1:0".parse().unwrap(), Default::default())
                .await
                .unwrap();
            World::on(store, sandbox, move |c| c.clock = Arc::new(shared))
        }
    };
    {
        let w = start(&clock).await;
        w.say_in(me(), "T10 087712345401").await;
        let on = shown(&w.say_in(me(), "/rekap otomatis 21:00").await);
        assert!(on.contains("21:00 WIB"), "{on}");
        // Not yet due at 17:00 WIB.
        assert_eq!(w.engine.send_due_recaps().await, 0);
    }
    // loket was down at 21:00 WIB; it comes back at 22:30 WIB.
    clock.set(utc("2026-12-02T15:30:00Z"));
    {
        let mut w = start(&clock).await;
        assert_eq!(w.engine.send_due_recaps().await, 1);
        let notice = w.next_notice().await;
        assert_eq!(notice.chat_id, OWNER);
        assert!(
            notice.reply.text.contains("Berhasil: 1 "),
            "{}",
            notice.reply.text
        );
        assert_eq!(w.engine.send_due_recaps().await, 0, "once a day");
        // Moved to a later time the same evening: still once that day.
        w.say_in(me(), "/rekap otomatis 23:00").await;
        clock.set(utc("2026-12-02T16:10:00Z")); // 23:10 WIB
        assert_eq!(w.engine.send_due_recaps().await, 0, "moved, not repeated");
    }
    // Restarted again the same night: not sent twice.
    clock.set(utc("2026-12-02T16:50:00Z"));
    {
        let w = start(&clock).await;
        assert_eq!(w.engine.send_due_recaps().await, 0);
    }
    // The next day: before 23:00 not yet, after it once more.
    clock.set(utc("2026-12-03T15:00:00Z"));
    {
        let w = start(&clock).await;
        assert_eq!(w.engine.send_due_recaps().await, 0);
        clock.set(utc("2026-12-03T16:00:00Z"));
        assert_eq!(w.engine.send_due_recaps().await, 1);
        w.say_in(me(), "/rekap otomatis mati").await;
        clock.set(utc("2026-12-04T16:30:00Z"));
        assert_eq!(w.engine.send_due_recaps().await, 0, "off");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn an_unlinked_groups_nightly_recap_stops() {
    let (mut w, clock) = world_at("2026-12-02T10:00:00Z").await;
    w.owner_with_group().await;
    let owner = ChatCtx::group(GROUP, OWNER);
    w.say_in(owner, "/rekap otomatis 21:00").await;
    clock.set(utc("2026-12-02T14:05:00Z"));
    assert_eq!(w.engine.send_due_recaps().await, 1);
    assert_eq!(w.next_notice().await.chat_id, GROUP);
    w.say_in(owner, "/putus").await;
    clock.set(utc("2026-12-03T14:05:00Z"));
    assert_eq!(w.engine.send_due_recaps().await, 0, "unlinked: no recap");
    assert_eq!(w.store.recap_schedule(GROUP).unwrap(), None, "and dropped");
}

#[tokio::test]
async fn an_export_never_hands_a_spreadsheet_a_formula() {
    use loket::model::{EntryKind, EntryState, JournalEntry};
    let w = World::start(|_| {}).await;
    let mut entry = JournalEntry::new(
        "LMXINJECT0000001",
        EntryKind::Topup,
        "T10",
        "087712345678",
        OWNER,
        OWNER,
        OWNER,
        "DEMO",
        "http://127.0.0.1:9",
        None,
        Utc::now(),
    );
    entry.state = EntryState::Success;
    entry.cost = Some(rp(11_000));
    entry.sn = Some("=HYPERLINK(\"http://x\",\"klik\")".into());
    entry.told = true;
    assert!(w.store.begin_entry(&entry).await.unwrap());
    let export = w.say_in(me(), "/ekspor").await;
    let Attachment::Document { bytes, .. } = attachment(&export) else {
        panic!("a document: {export:?}");
    };
    let mut reader = csv::Reader::from_reader(bytes.as_slice());
    let row = reader.records().next().unwrap().unwrap();
    let sn = &row[row.len() - 1];
    assert!(sn.starts_with("'="), "{sn}");
    for cell in row.iter() {
        assert!(!cell.starts_with(['=', '+', '-', '@']), "{row:?}");
    }
}

#[tokio::test]
async fn a_status_of_a_success_offers_its_receipt() {
    let w = World::start(|_| {}).await;
    let sold = shown(&w.say_in(me(), "T10 087712345678").await);
    let status = w.say_in(me(), &format!("status {}", ref_of(&sold))).await;
    let pressed = w.press(me(), &button(&status, "🧾 Struk")).await;
    assert!(
        pressed.replies.iter().any(|r| r.attachment.is_some()),
        "{pressed:?}"
    );
}

#[tokio::test]
async fn a_receipt_puts_its_sn_or_token_one_tap_from_the_clipboard() {
    let w = World::start(|_| {}).await;
    // (command, copy button label, what it copies: the 20-digit token
    // grouped, or the SN as the gateway gave it)
    let topup = w.say_in(me(), "T10 087712345678").await;
    let token = w.say_in(me(), "PLN20 54630221588").await;
    let failed = w.say_in(me(), "T10 089900061234").await;
    let copy = |r: &Response| r.replies[0].copy.clone();
    let topup_copy = copy(&topup);
    assert_eq!(topup_copy.len(), 1);
    assert_eq!(topup_copy[0].label, "📋 Salin SN");
    assert!(
        shown(&topup).contains(&format!("SN: {}", topup_copy[0].text)),
        "{topup:?}"
    );
    let token_copy = copy(&token);
    assert_eq!(token_copy[0].label, "📋 Salin token");
    let grouped: Vec<&str> = token_copy[0].text.split(' ').collect();
    assert_eq!(grouped.len(), 5, "{token_copy:?}");
    assert!(grouped
        .iter()
        .all(|g| g.len() == 4 && g.bytes().all(|b| b.is_ascii_digit())));
    assert!(copy(&failed).is_empty(), "a failure has nothing to copy");
}
