//! Regular customers (issue 13, item 1): saved per account, listed,
//! found, deleted, and used by name in place of a number — only ever as a
//! number of the product's shape; a name that fits two asks which.

use loket::catalog::Catalog;
use loket::command::{self, Command, CustomerQuery};
use loket::engine::ChatCtx;

#[path = "support/chat.rs"]
mod chat;
#[path = "support/engine_world.rs"]
mod engine_world;

use chat::shown;
use engine_world::{button, World, GROUP, MEMBER, OWNER, STRANGER};

fn me() -> ChatCtx {
    ChatCtx::private(OWNER)
}

#[test]
fn simpan_pelanggan_and_hapus_read_their_words() {
    let catalog = Catalog::builtin();
    let save = |product: &str, dest: &str, name: &str| Ok(format!("{product} {dest} {name}"));
    let cases: Vec<(&str, Result<String, &str>)> = vec![
        (
            "simpan PLNPASC 546302215889 Pak Anto",
            save("PLNPASC", "546302215889", "Pak Anto"),
        ),
        (
            "/simpan T10 0877-1234-5678 Bu Siti",
            save("T10", "087712345678", "Bu Siti"),
        ),
        // BPJS months and a tax year are kept; a card's amount is not.
        (
            "simpan BPJSKS 0001234567890 3 Pak Anto",
            save("BPJSKS", "0001234567890@3", "Pak Anto"),
        ),
        (
            "simpan PKBJABAR B1234XYZ 2025 Mobil Budi",
            save("PKBJABAR", "B1234XYZ@2025", "Mobil Budi"),
        ),
        (
            "simpan CCBCA 4111111111111111 Kartu Budi",
            save("CCBCA", "4111111111111111", "Kartu Budi"),
        ),
        // a number without its product's shape, no name, a name too long
        ("simpan PLNPASC 546 Pak Anto", Err("err-bad-dest")),
        ("simpan PLNPASC 546302215889", Err("err-save-usage")),
        ("simpan T10", Err("err-save-usage")),
        (
            "simpan T10 087712345678 aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            Err("err-save-usage"),
        ),
    ];
    for (text, expected) in cases {
        let parsed = command::parse(text, &catalog)
            .map(|c| match c {
                Command::SaveCustomer { target, name } => {
                    format!("{} {} {name}", target.product, target.dest)
                }
                other => format!("{other:?}"),
            })
            .map_err(|e| e.message_id());
        assert_eq!(parsed, expected, "{text}");
    }
    let queries: Vec<(&str, Result<Command, &str>)> = vec![
        ("pelanggan", Ok(Command::Customers(CustomerQuery::Page(1)))),
        (
            "/pelanggan 2",
            Ok(Command::Customers(CustomerQuery::Page(2))),
        ),
        (
            "pelanggan cari pak anto",
            Ok(Command::Customers(CustomerQuery::Find("pak anto".into()))),
        ),
        ("hapus pelanggan 3", Ok(Command::ForgetCustomer(3))),
        ("/hapus pelanggan 0", Err("err-customers-usage")),
        ("hapus semua", Err("err-customers-usage")),
        ("pelanggan cari", Err("err-customers-usage")),
    ];
    for (text, expected) in queries {
        let parsed = command::parse(text, &catalog).map_err(|e| e.message_id());
        assert_eq!(parsed, expected, "{text}");
    }
}

#[tokio::test]
async fn save_list_find_delete_and_use_by_name() {
    let w = World::start(|_| {}).await;
    for typed in [
        "simpan PLNPASC 546302215889 Pak Anto",
        "simpan T10 087712345678 Bu Siti",
        "simpan BPJSKS 0001234567890 3 Keluarga Anto",
        "simpan PDAMKLT 0012345678 Rumah Budi",
    ] {
        let saved = shown(&w.say_in(me(), typed).await);
        assert!(saved.contains("Pelanggan disimpan"), "{typed}: {saved}");
    }
    let list = shown(&w.say_in(me(), "pelanggan").await);
    assert!(list.contains("4 orang"), "{list}");
    let lines: Vec<&str> = list.lines().skip(1).collect();
    assert_eq!(
        lines,
        [
            "1. Bu Siti — T10 087712345678",
            "2. Keluarga Anto — BPJSKS 0001234567890@3",
            "3. Pak Anto — PLNPASC 546302215889",
            "4. Rumah Budi — PDAMKLT 0012345678",
        ],
        "{list}"
    );
    let found = shown(&w.say_in(me(), "pelanggan cari anto").await);
    assert!(
        found.contains("Keluarga Anto") && found.contains("Pak Anto"),
        "{found}"
    );
    assert!(!found.contains("Bu Siti"), "{found}");

    // By name: the saved number, read and checked as if typed.
    let checked = w.say_in(me(), "PLNPASC anto cek").await;
    let bill = shown(&checked);
    assert!(
        bill.contains("PLNPASC 546302215889") && bill.contains("Total:"),
        "{bill}"
    );
    // Paid by its button, like any check.
    let paid = shown(&w.press(me(), &button(&checked, "Bayar")).await);
    assert!(paid.contains("Pembayaran berhasil"), "{paid}");
    let topup = shown(&w.say_in(me(), "T10 siti").await);
    assert!(
        topup.contains("T10 ke 087712345678") && topup.contains("berhasil"),
        "{topup}"
    );
    let bpjs = shown(&w.say_in(me(), "BPJSKS keluarga cek").await);
    assert!(bpjs.contains("BPJSKS 0001234567890@3"), "{bpjs}");
    // A bill customer's number never becomes a pulsa topup's.
    let before = w.sandbox.stats().requests;
    let wrong = shown(&w.say_in(me(), "T10 anto").await);
    assert!(
        !wrong.contains("berhasil") && !wrong.contains("546302215889"),
        "{wrong}"
    );
    assert_eq!(w.sandbox.stats().requests, before);
    // A name nobody has: the usual error, nothing sent.
    let before = w.sandbox.stats().requests;
    let unknown = shown(&w.say_in(me(), "T10 joko").await);
    assert!(!unknown.contains("berhasil"), "{unknown}");
    let unknown = shown(&w.say_in(me(), "PLNPASC joko cek").await);
    assert!(unknown.contains("Contoh"), "{unknown}");
    assert_eq!(w.sandbox.stats().requests, before);

    // Delete by the list's number: the list renumbers.
    let gone = shown(&w.say_in(me(), "hapus pelanggan 1").await);
    assert!(gone.contains("Bu Siti"), "{gone}");
    let list = shown(&w.say_in(me(), "pelanggan").await);
    assert!(
        list.contains("3 orang") && list.contains("1. Keluarga Anto"),
        "{list}"
    );
    let none = shown(&w.say_in(me(), "hapus pelanggan 9").await);
    assert!(none.contains("Tidak ada pelanggan nomor 9"), "{none}");
    // The last payment shows in the list.
    let paid_line = list.lines().find(|l| l.contains("Pak Anto")).unwrap();
    assert!(paid_line.contains("terakhir Rp302.750"), "{list}");
}

#[tokio::test]
async fn a_name_that_fits_two_customers_asks_which_and_sends_nothing() {
    let w = World::start(|_| {}).await;
    w.say_in(me(), "simpan PLNPASC 546302215889 Pak Anto").await;
    w.say_in(me(), "simpan PLNPASC 546302215890 Anto Kos").await;
    let before = w.sandbox.stats().requests;
    let asked = shown(&w.say_in(me(), "PLNPASC anto cek").await);
    assert!(asked.contains("lebih dari satu"), "{asked}");
    assert!(asked.contains("PLNPASC 546302215889 cek"), "{asked}");
    assert!(asked.contains("PLNPASC 546302215890 cek"), "{asked}");
    assert_eq!(w.sandbox.stats().requests, before, "nothing sent");
    // A word only one of them has picks it.
    let bill = shown(&w.say_in(me(), "PLNPASC kos cek").await);
    assert!(bill.contains("546302215890"), "{bill}");
}

#[tokio::test]
async fn the_simpan_button_saves_a_bills_customer_under_its_name() {
    let w = World::start(|_| {}).await;
    let bill = w.say_in(me(), "PLNPASC 546302215889 cek").await;
    let saved = shown(&w.press(me(), &button(&bill, "💾 Simpan")).await);
    assert!(
        saved.contains("Pelanggan disimpan: Anto — PLNPASC 546302215889"),
        "{saved}"
    );
    let sold = w.say_in(me(), "T10 087712345678").await;
    let saved = shown(&w.press(me(), &button(&sold, "💾 Simpan")).await);
    assert!(saved.contains("087712345678 — T10 087712345678"), "{saved}");
    // The same button pressed from another chat saves nothing.
    let other = w
        .press(ChatCtx::private(STRANGER), &button(&bill, "💾 Simpan"))
        .await;
    assert!(
        other.toast.is_some() && other.replies.is_empty(),
        "{other:?}"
    );
    assert_eq!(w.store.customers(STRANGER).unwrap().len(), 0);
}

#[tokio::test]
async fn an_accounts_customers_are_shared_by_its_groups_but_not_by_strangers() {
    let w = World::start(|_| {}).await;
    w.owner_with_group().await;
    w.say_in(me(), "simpan T10 081299990001 Bu Siti").await;
    let member = ChatCtx::group(GROUP, MEMBER);
    let list = shown(&w.say_in(member, "/pelanggan").await);
    assert!(list.contains("Bu Siti"), "{list}");
    let sold = shown(&w.say_in(member, "/beli T10 siti").await);
    assert!(
        sold.contains("081299990001") && sold.contains("berhasil"),
        "{sold}"
    );
    let stranger = ChatCtx::group(GROUP, STRANGER);
    let refused = shown(&w.say_in(stranger, "/pelanggan").await);
    assert!(refused.contains("belum diizinkan"), "{refused}");
    // A stranger's name lookup finds nothing to send, and shows no
    // customer's number — not even when a name fits two.
    w.say_in(me(), "simpan T10 081299990002 Siti Kos").await;
    let before = w.sandbox.stats().requests;
    for typed in ["/beli T10 siti", "/beli T10 kos"] {
        let answer = shown(&w.say_in(stranger, typed).await);
        assert!(!answer.contains("08129999"), "{typed}: {answer}");
    }
    assert_eq!(w.sandbox.stats().requests, before);
}
