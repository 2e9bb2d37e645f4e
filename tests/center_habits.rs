//! Center habits (issue 15): resellers coming from center bots type trades
//! PIN last (`T10.087712345678.1234`, `SAL.1234`), with a counter to repeat
//! one (`T10.2.087712345678`), and the center's words (`S`, `CS`, `H`).
//! The message holding a PIN is deleted before anything is sent; the trade
//! runs without it only when the PIN is the account's; a wrong PIN sends
//! nothing. The Telegram stories are at the end, on the real binary.

use std::time::Duration;

use loket::catalog::Catalog;
use loket::command::{self, Command};
use loket::engine::ChatCtx;

#[path = "support/chat.rs"]
mod chat;
#[path = "support/engine_world.rs"]
mod engine_world;
#[path = "support/fake_bot_api.rs"]
mod fake_bot_api;
#[path = "support/loket_process.rs"]
mod loket_process;

use chat::{ref_of, shown};
use engine_world::{World, GROUP, MEMBER, OWNER, STRANGER};

/// What a center form reads as: the trade (as `trade` prints it), whether
/// a part was taken for a PIN, the counter.
type Read = Option<(String, bool, Option<u8>)>;

fn trade(body: &str, catalog: &Catalog) -> String {
    match command::parse(body, catalog) {
        Ok(Command::Topup(t)) => format!("topup {} {}", t.product, t.dest),
        Ok(Command::Inquiry(b)) => format!("cek {} {}", b.target.product, b.target.dest),
        Ok(Command::Pay(b)) => format!("bayar {} {}", b.target.product, b.target.dest),
        Ok(Command::Balance) => "saldo".into(),
        Ok(Command::Status { ref_id }) => format!("status {ref_id}"),
        Ok(other) => format!("{other:?}"),
        Err(e) => format!("error {}", e.message_id()),
    }
}

fn read(form: Option<command::CenterForm>, catalog: &Catalog) -> Read {
    let form = form?;
    Some((trade(&form.body, catalog), form.pin.is_some(), form.counter))
}

fn form(trade: &str, pin: bool, counter: Option<u8>) -> Read {
    Some((trade.to_string(), pin, counter))
}

#[test]
fn center_forms_are_read_by_their_shape_from_one_table() {
    let catalog = Catalog::builtin();
    let cases: Vec<(&str, Read)> = vec![
        // KODE.TUJUAN.PIN
        (
            "T10.087712345678.1234",
            form("topup T10 087712345678", true, None),
        ),
        (
            "t10.087712345678.123456",
            form("topup T10 087712345678", true, None),
        ),
        (
            "T10.087712345678.1234.",
            form("topup T10 087712345678", true, None),
        ),
        (
            "T10..087712345678.1234",
            form("topup T10 087712345678", true, None),
        ),
        (
            "S20R.081234567890;1234",
            form("topup S20R 081234567890", true, None),
        ),
        // SAL.PIN, S.PIN, H.PIN
        ("SAL.1234", form("saldo", true, None)),
        ("S.1234", form("saldo", true, None)),
        ("saldo.12345678", form("saldo", true, None)),
        ("H.1234", form("PriceList", true, None)),
        ("HARGA.TSEL.1234", form("PriceList", true, None)),
        // a bill code: a check; CEKPLN-style codes the catalogue maps
        (
            "PLNPASC.546302215889.1234",
            form("cek PLNPASC 546302215889", true, None),
        ),
        (
            "CEKPLN.546302215889.1234",
            form("cek PLNPASC 546302215889", true, None),
        ),
        (
            "CEK.PLNPASC.546302215889.1234",
            form("cek PLNPASC 546302215889", true, None),
        ),
        (
            "BAYAR.PLNPASC.546302215889.1234",
            form("bayar PLNPASC 546302215889", true, None),
        ),
        (
            "BAYARPLN.546302215889.1234",
            form("bayar PLNPASC 546302215889", true, None),
        ),
        ("CS.LABC123.1234", form("status LABC123", true, None)),
        // a check that names no product: refused, but the PIN is taken off
        (
            "CEK.546302215889.1234",
            form("error err-bad-target", true, None),
        ),
        // the counter, before the number or after the PIN
        (
            "T10.2.087712345678.1234",
            form("topup T10 087712345678", true, Some(2)),
        ),
        (
            "T10.087712345678.1234.3",
            form("topup T10 087712345678", true, Some(3)),
        ),
        (
            "T10.9.087712345678",
            form("topup T10 087712345678", false, Some(9)),
        ),
        // not center forms by shape: whole commands as they are, chatter,
        // logins (their own rules delete them), spaces (see pin_form)
        ("T10.087712345678", None),
        ("PKBJABAR.B1234XYZ.2025", None),
        ("BPJSKS.0001234567890.3", None),
        ("CCBCA.4111111111111111.150000", None),
        ("T10.1.087712345678", None),
        ("12.30.1234", None),
        ("jam.10", None),
        ("Rp.50000", None),
        ("Pukul.1530", None),
        ("TF.150000", None),
        ("No.08123456", None),
        ("login.M001.1234.k3y", None),
        ("/beli T10.087712345678.1234", None),
        ("T10 087712345678 1234", None),
    ];
    for (text, expected) in cases {
        assert_eq!(
            read(command::center_form(text, &catalog), &catalog),
            expected,
            "{text}"
        );
    }
}

#[test]
fn the_accounts_pin_is_taken_off_wherever_a_center_puts_it() {
    let catalog = Catalog::builtin();
    let is_pin = |part: &str| part == "1234";
    let cases: Vec<(&str, Read)> = vec![
        (
            "T10.087712345678.1234",
            form("topup T10 087712345678", true, None),
        ),
        (
            "T10 087712345678 1234",
            form("topup T10 087712345678", true, None),
        ),
        (
            "/beli T10.087712345678.1234",
            form("topup T10 087712345678", true, None),
        ),
        ("saldo 1234", form("saldo", true, None)),
        (
            "T10.087712345678.1234.2",
            form("topup T10 087712345678", true, Some(2)),
        ),
        (
            "S20R.081234567890;1234",
            form("topup S20R 081234567890", true, None),
        ),
        // a PIN where the trade takes a word: the PIN never becomes it
        (
            "CCBCA.4111111111111111.1234",
            form("error err-need-amount", true, None),
        ),
        ("H.TSEL.1234", form("PriceList", true, None)),
        // a center's "change PIN" (new, then the PIN): nothing of it runs
        ("GP.2222.1234", form("error err-not-a-product", true, None)),
        // the PIN inside a word, or not last in a spaced message: not it
        ("T10 087712345678", None),
        ("status LABC1234", None),
        ("PKBJABAR B1234XYZ 1234 cek", None),
        ("/login M001 1234 k3y", None),
    ];
    for (text, expected) in cases {
        assert_eq!(
            read(command::pin_form(text, is_pin), &catalog),
            expected,
            "{text}"
        );
    }
}

#[test]
fn center_words_are_rows_of_the_command_table() {
    let catalog = Catalog::builtin();
    let cases: Vec<(&str, &str)> = vec![
        ("S", "Balance"),
        ("sal", "Balance"),
        ("/s", "Balance"),
        ("CS LABC123", "Status"),
        ("/cs LABC123", "Status"),
        ("H", "PriceList"),
        ("HARGA", "PriceList"),
        ("harga pulsa", "PriceList"),
        ("/harga", "PriceList"),
        ("CEKPLN 546302215889", "Inquiry PLNPASC"),
        ("CEKBPJS 0001234567890 3", "Inquiry BPJSKS"),
        ("BAYARPLN 546302215889", "Pay PLNPASC"),
        // a code that is no bill stays a topup code
        ("CEKT10 087712345678", "Topup CEKT10"),
    ];
    for (text, expected) in cases {
        let got = match command::parse(text, &catalog) {
            Ok(Command::Inquiry(b)) => format!("Inquiry {}", b.target.product),
            Ok(Command::Pay(b)) => format!("Pay {}", b.target.product),
            Ok(Command::Topup(t)) => format!("Topup {}", t.product),
            Ok(Command::Status { .. }) => "Status".into(),
            Ok(other) => format!("{other:?}"),
            Err(e) => e.message_id().to_string(),
        };
        assert_eq!(got, expected, "{text}");
        assert!(
            command::center_form(text, &catalog).is_none(),
            "{text} holds no PIN"
        );
    }
}

fn me() -> ChatCtx {
    ChatCtx::private(OWNER)
}

#[tokio::test]
async fn a_wrong_pin_never_reaches_the_gateway_and_the_right_one_runs_without_it() {
    let w = World::start(|_| {}).await;
    // (typed, what the chat is told, topups, balance calls, inquiries)
    let cases = [
        ("T10.087712345678.9999", "PIN tidak diperlukan", 0, 0, 0),
        ("SAL.1111", "PIN tidak diperlukan", 0, 0, 0),
        (
            "PLNPASC.546302215889.00000",
            "PIN tidak diperlukan",
            0,
            0,
            0,
        ),
        ("CEK.546302215889.0000", "Kode produk", 0, 0, 0),
        ("SAL.0000", "Saldo DEMO", 0, 1, 0),
        ("S.0000", "Saldo DEMO", 0, 2, 0),
        ("CEKPLN.546302215889.0000", "Tagihan PLN", 0, 2, 1),
        ("T10.087712345678.0000", "Isi ulang berhasil", 1, 2, 1),
        // the account's PIN where the trade takes a word: never that word
        ("CCBCA.4111111111111111.0000", "Nominal pembayaran", 1, 2, 1),
        // a center's "change PIN" (new, then the PIN): nothing runs, and
        // the new PIN is not echoed
        ("GP.2222.0000", "Pesan berisi PIN sudah dihapus", 1, 2, 1),
        // spaced, PIN last
        ("saldo 0000", "Saldo DEMO", 1, 3, 1),
    ];
    for (typed, told, topups, balances, inquiries) in cases {
        assert!(w.engine.holds_secret(&me(), typed), "{typed}");
        let response = w.say_in(me(), typed).await;
        assert!(response.delete_input, "{typed}: {response:?}");
        let text = shown(&response);
        assert!(text.contains(told), "{typed}: {text}");
        assert!(!text.contains("2222"), "{typed}: {text}");
        let stats = w.sandbox.stats();
        assert_eq!(
            (stats.topups, stats.balance_checks, stats.inquiries),
            (topups, balances, inquiries),
            "{typed}"
        );
    }
    // Nothing journaled the PIN: the entry is the trade without it.
    let entries = w.store.recent_entries(OWNER, 10).unwrap();
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(
        (entries[0].product.as_str(), entries[0].dest.as_str()),
        ("T10", "087712345678")
    );
}

#[tokio::test]
async fn the_counter_form_skips_the_question_for_that_many_under_new_ref_ids() {
    let w = World::start(|_| {}).await;
    let first = shown(&w.say_in(me(), "T10.087712345678.0000").await);
    // The same topup again, the loket way: asked first.
    let asked = shown(&w.say_in(me(), "T10 087712345678").await);
    assert!(asked.contains("Kirim lagi?"), "{asked}");
    assert_eq!(w.sandbox.stats().topups, 1);
    // The center's counter: sent at once, PIN or not.
    let again = shown(&w.say_in(me(), "T10.2.087712345678.0000").await);
    assert!(again.contains("Isi ulang berhasil"), "{again}");
    let third = shown(&w.say_in(me(), "T10.3.087712345678").await);
    assert!(third.contains("Isi ulang berhasil"), "{third}");
    assert_eq!(w.sandbox.stats().topups, 3);
    let refs = [ref_of(&first), ref_of(&again), ref_of(&third)];
    assert!(
        refs[0] != refs[1] && refs[1] != refs[2] && refs[0] != refs[2],
        "{refs:?}"
    );
    for ref_id in &refs {
        let entry = w.store.entry(ref_id).unwrap().expect("journaled");
        assert_eq!(
            (entry.product.as_str(), entry.dest.as_str()),
            ("T10", "087712345678")
        );
        assert_eq!(w.sandbox.charges_for(ref_id), 1);
    }
    // Without the counter the question is asked again; so it is when the
    // counter is sent again (a copied message): "3" is the third, once.
    let asked = shown(&w.say_in(me(), "T10.087712345678.0000").await);
    assert!(asked.contains("Kirim lagi?"), "{asked}");
    let asked = shown(&w.say_in(me(), "T10.3.087712345678").await);
    assert!(asked.contains("Kirim lagi?"), "{asked}");
    let fourth = shown(&w.say_in(me(), "T10.4.087712345678").await);
    assert!(fourth.contains("Isi ulang berhasil"), "{fourth}");
    assert_eq!(w.sandbox.stats().topups, 4);
}

#[tokio::test]
async fn in_a_group_a_pin_is_deleted_even_unaddressed_with_a_reminder() {
    let w = World::start(|_| {}).await;
    w.owner_with_group().await;
    // (who, typed, told, topups after, balance calls after)
    let cases = [
        // a member, right PIN or wrong: the same answer, nothing sent — no
        // one can try PINs in a group
        (
            MEMBER,
            "T10.087712345678.0000",
            "PIN tidak diperlukan",
            0,
            0,
        ),
        (
            MEMBER,
            "T10.087712345678.1234",
            "PIN tidak diperlukan",
            0,
            0,
        ),
        (STRANGER, "SAL.0000", "PIN tidak diperlukan", 0, 0),
        // the owner's own PIN: run without it
        (OWNER, "T10.087712345678.0000", "Isi ulang berhasil", 1, 0),
        (OWNER, "T10.2.087712345678.0000", "Isi ulang berhasil", 2, 0),
        (OWNER, "saldo 0000", "Saldo DEMO", 2, 1),
        (OWNER, "SAL.9999", "PIN tidak diperlukan", 2, 1),
    ];
    let mut member_answers = Vec::new();
    // The owner's login made a balance call.
    let logged_in = w.sandbox.stats().balance_checks;
    for (who, typed, told, topups, balances) in cases {
        let ctx = ChatCtx::group(GROUP, who);
        assert!(!ctx.addressed);
        assert!(w.engine.holds_secret(&ctx, typed), "{typed}");
        let response = w.say_in(ctx, typed).await;
        assert!(response.delete_input, "{typed}");
        let text = shown(&response);
        assert!(text.contains(told), "{typed}: {text}");
        assert!(text.contains("Jangan ketik PIN di grup"), "{typed}: {text}");
        let stats = w.sandbox.stats();
        assert_eq!(
            (stats.topups, stats.balance_checks - logged_in),
            (topups, balances),
            "{typed}"
        );
        if who == MEMBER {
            member_answers.push(text);
        }
    }
    assert_eq!(
        member_answers[0], member_answers[1],
        "a right PIN answers as a wrong one"
    );
    // A group loket does not serve: deleted, nothing said.
    let unlinked = w
        .say_in(ChatCtx::group(-100_999, MEMBER), "T10.087712345678.1234")
        .await;
    assert!(
        unlinked.delete_input && unlinked.replies.is_empty(),
        "{unlinked:?}"
    );
    // Chatter shaped like a PIN form, and a counter without a PIN, not
    // addressed to loket: left alone.
    for chatter in ["Rp.50000", "Pukul.1530", "T10.2.087712345678"] {
        let ctx = ChatCtx::group(GROUP, MEMBER);
        assert!(!w.engine.holds_secret(&ctx, chatter), "{chatter}");
        let quiet = w.say_in(ctx, chatter).await;
        assert!(quiet.is_silent(), "{chatter}: {quiet:?}");
    }
}

#[tokio::test]
async fn an_edit_into_a_pin_form_is_deleted_and_never_run() {
    let w = World::start(|_| {}).await;
    let response = w.engine.handle_edit(&me(), "T10.087712345678.0000");
    assert!(response.delete_input);
    assert!(shown(&response).contains("berisi PIN"), "{response:?}");
    assert!(w.engine.handle_edit(&me(), "T10.087712345678").is_silent());
    assert_eq!(w.sandbox.stats().topups, 0);
}

// ---- Telegram, the real binary ----

use fake_bot_api::{FakeBotApi, FakeChat, FakeUser};
use loket_process::{assert_never_shown, DelayProxy, Setup, World as BotWorld, WAIT};

const AGEN_PIN: &str = "73916458";

fn agen7() -> loket::sandbox::SandboxConfig {
    loket::sandbox::SandboxConfig {
        accounts: vec![loket::sandbox::SandboxAccount {
            member_id: "AGEN7".into(),
            pin: AGEN_PIN.into(),
            api_key: "kunci-rahasia-9f3".into(),
            ..loket::sandbox::SandboxAccount::demo()
        }],
        ..loket::sandbox::SandboxConfig::default()
    }
}

#[tokio::test]
async fn the_five_forms_work_in_private_and_in_a_group_and_no_pin_stays_in_any_chat() {
    // deleteMessage answers are held back 1 s: loket must wait for the
    // deletion before it sends anything to the gateway.
    let fake = FakeBotApi::start().await;
    let proxy = DelayProxy::start(fake.api_url(), "deleteMessage", Duration::from_secs(1)).await;
    let mut w = BotWorld::start_on(
        fake,
        proxy.url(),
        Setup::default().sandbox(agen7()).env("LOKET_LOG", "trace"),
    )
    .await;
    let siti = FakeUser::new(1001, "Siti").with_language("id");
    let budi = FakeUser::new(2002, "Budi").with_language("id");
    let private = FakeChat::private(&siti);
    let group = FakeChat::group(-4020, "Konter Siti");
    w.login(&siti, &format!("AGEN7 {AGEN_PIN} kunci-rahasia-9f3"))
        .await;
    w.ask(&group, &siti, "/hubungkan", "Grup terhubung").await;

    // (chat, who, typed, answer, topups after, inquiries after, payments after)
    let stories = [
        (
            &private,
            &siti,
            format!("T10.087712345678.{AGEN_PIN}"),
            "Isi ulang berhasil",
        ),
        (&private, &siti, format!("SAL.{AGEN_PIN}"), "Saldo AGEN7"),
        (
            &private,
            &siti,
            format!("PLNPASC.546302215889.{AGEN_PIN}"),
            "Tagihan PLN",
        ),
        (
            &private,
            &siti,
            format!("BAYAR.PLNPASC.546302215889.{AGEN_PIN}"),
            "Pembayaran berhasil",
        ),
        (
            &private,
            &siti,
            format!("T10.2.087712345678.{AGEN_PIN}"),
            "Isi ulang berhasil",
        ),
        (
            &private,
            &siti,
            "T10.087712345678.1234".to_string(),
            "PIN tidak diperlukan",
        ),
        (
            &group,
            &siti,
            format!("T10.081234567890.{AGEN_PIN}"),
            "Isi ulang berhasil",
        ),
        (&group, &siti, format!("S.{AGEN_PIN}"), "Saldo AGEN7"),
        (
            &group,
            &siti,
            format!("CEKPLN.546302215891.{AGEN_PIN}"),
            "Tagihan PLN",
        ),
        (
            &group,
            &siti,
            format!("T10.2.081234567890.{AGEN_PIN}"),
            "Isi ulang berhasil",
        ),
        (
            &group,
            &budi,
            "SAL.4321".to_string(),
            "PIN tidak diperlukan",
        ),
    ];
    let mut sent = 0;
    for (chat, who, typed, answer) in &stories {
        let before = w.sandbox.stats();
        let mark = w.fake.mark();
        let asked = w.say(chat, who, typed);
        let deleted = w
            .fake
            .wait_for_after(
                mark,
                "deleteMessage",
                |c| c.param_i64("message_id") == Some(i64::from(asked)),
                WAIT,
            )
            .await;
        assert!(deleted.is_some(), "{typed} was not deleted");
        // The deletion is still unanswered: nothing has gone out.
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert_eq!(
            w.sandbox.stats().requests,
            before.requests,
            "{typed}: sent before the delete"
        );
        assert!(
            w.sends_since(mark, chat.id).is_empty(),
            "{typed}: answered before the delete"
        );
        w.expect_after(mark, chat.id, answer).await;
        if chat.id == group.id {
            w.expect_after(mark, chat.id, "Jangan ketik PIN di grup")
                .await;
        }
        sent += 1;
    }
    assert_eq!(sent, stories.len());
    let stats = w.sandbox.stats();
    assert_eq!((stats.topups, stats.payments), (4, 1), "{stats:?}");
    // No message holding a PIN is left in either chat.
    for chat in [&private, &group] {
        for message in w.fake.messages(chat.id) {
            let text = message.text.clone().unwrap_or_default();
            assert!(
                !text.contains(AGEN_PIN) && !text.contains(".1234") && !text.contains(".4321"),
                "left in chat {}: {text}",
                chat.id
            );
        }
    }
    let output = w.stop("TERM").await;
    // Nor an old PIN, as typed, in anything loket sent or logged.
    assert_never_shown(
        &[AGEN_PIN, "T10.087712345678.1234", "SAL.4321"],
        &w.fake.calls(),
        &output,
    );
}
