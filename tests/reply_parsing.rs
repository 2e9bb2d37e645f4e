//! Reading the gateway's replies: every example in the gateway's document,
//! every status word of SPEC §1, and the replies that fit no shape.
//!
//! The rule the money flows rest on: a reply that does not fit
//! `VERB PRODUCT.DEST STATUS[, reason][ KEY:value …][.]` or a bare
//! `STATUS[, reason]` line is `Unknown`, never `Success` or `Failed`.

use loket::gateway::reply::parse_gateway_amount;
use loket::gateway::{parse_balance, parse_reply, BalanceReply, GatewayReply, TxStatus};
use loket::money::Rupiah;

use TxStatus::{Failed, Pending, Success, Unknown};

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

/// What a reply must parse to; `None` means the field must be absent.
#[derive(Debug, Clone, Copy)]
struct Want {
    verb: Option<&'static str>,
    product: Option<&'static str>,
    dest: Option<&'static str>,
    status: TxStatus,
    reason: Option<&'static str>,
    cost: Option<i64>,
    sn: Option<&'static str>,
    name: Option<&'static str>,
    bill: Option<i64>,
    admin: Option<i64>,
    ref_id: Option<&'static str>,
}

const NOTHING: Want = Want {
    verb: None,
    product: None,
    dest: None,
    status: Unknown,
    reason: None,
    cost: None,
    sn: None,
    name: None,
    bill: None,
    admin: None,
    ref_id: None,
};

fn check(text: &str, want: &Want) -> GatewayReply {
    let got = parse_reply(text);
    let ctx = format!("parsing {text:?} gave {got:#?}");
    assert_eq!(got.status, want.status, "status: {ctx}");
    assert_eq!(got.verb.as_deref(), want.verb, "verb: {ctx}");
    assert_eq!(got.product.as_deref(), want.product, "product: {ctx}");
    assert_eq!(got.dest.as_deref(), want.dest, "dest: {ctx}");
    assert_eq!(got.reason.as_deref(), want.reason, "reason: {ctx}");
    assert_eq!(got.cost, want.cost.map(Rupiah), "price: {ctx}");
    assert_eq!(got.sn.as_deref(), want.sn, "sn: {ctx}");
    assert_eq!(got.name.as_deref(), want.name, "name: {ctx}");
    assert_eq!(got.bill, want.bill.map(Rupiah), "bill: {ctx}");
    assert_eq!(got.admin, want.admin.map(Rupiah), "admin: {ctx}");
    assert_eq!(got.ref_id.as_deref(), want.ref_id, "ref_id: {ctx}");
    assert_eq!(got.raw, text, "raw is kept verbatim: {ctx}");
    got
}

fn fields(reply: &GatewayReply) -> Vec<(&str, &str)> {
    reply
        .fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

// ---------------------------------------------------------------------------
// Every reply example in the gateway's document
// ---------------------------------------------------------------------------

const TOPUP_EXAMPLE: &str = "TRX T1.089652137194 SUKSES, HRG:2000 SN:ABC REFID:TEST-1.";
const INQUIRY_EXAMPLE: &str =
    "CEK PLNPASC.546302215889 SUKSES, DATA:Anto TAGIHAN:300000 ADMIN:2750.";
const PAYMENT_EXAMPLE: &str = "BAYAR PLNPASC.546302215889 SUKSES, HRG:302750 REFID:TEST-1.";
const STATUS_EXAMPLE: &str = "STATUS T1.081234567890 SUKSES, HRG:2000 SN:ABC REFID:TEST-1.";

#[test]
fn seed_topup_reply() {
    let reply = check(
        TOPUP_EXAMPLE,
        &Want {
            verb: Some("TRX"),
            product: Some("T1"),
            dest: Some("089652137194"),
            status: Success,
            cost: Some(2000),
            sn: Some("ABC"),
            ref_id: Some("TEST-1"),
            ..NOTHING
        },
    );
    assert_eq!(
        fields(&reply),
        [("HRG", "2000"), ("SN", "ABC"), ("REFID", "TEST-1")]
    );
    assert_eq!(reply.field("sn"), Some("ABC"));
    assert!(!reply.is_not_found());
}

#[test]
fn seed_inquiry_reply() {
    let reply = check(
        INQUIRY_EXAMPLE,
        &Want {
            verb: Some("CEK"),
            product: Some("PLNPASC"),
            dest: Some("546302215889"),
            status: Success,
            name: Some("Anto"),
            bill: Some(300_000),
            admin: Some(2_750),
            ..NOTHING
        },
    );
    assert_eq!(reply.bill_total(), Some(Rupiah(302_750)));
    assert_eq!(
        fields(&reply),
        [("DATA", "Anto"), ("TAGIHAN", "300000"), ("ADMIN", "2750")]
    );
}

#[test]
fn seed_payment_reply() {
    check(
        PAYMENT_EXAMPLE,
        &Want {
            verb: Some("BAYAR"),
            product: Some("PLNPASC"),
            dest: Some("546302215889"),
            status: Success,
            cost: Some(302_750),
            ref_id: Some("TEST-1"),
            ..NOTHING
        },
    );
}

#[test]
fn seed_status_reply() {
    check(
        STATUS_EXAMPLE,
        &Want {
            verb: Some("STATUS"),
            product: Some("T1"),
            dest: Some("081234567890"),
            status: Success,
            cost: Some(2000),
            sn: Some("ABC"),
            ref_id: Some("TEST-1"),
            ..NOTHING
        },
    );
}

#[test]
fn seed_balance_reply_with_one_or_two_spaces_before_the_at() {
    for text in [
        "saldo=1000000 @ 2026-04-21 11:00:00",
        "saldo=1000000  @ 2026-04-21 11:00:00",
        "saldo=1000000  @ 2026-04-21 11:00:00\r\n",
        "saldo=1000000@2026-04-21 11:00:00",
    ] {
        assert_eq!(
            parse_balance(text),
            BalanceReply::Balance {
                amount: Rupiah(1_000_000),
                at: Some("2026-04-21 11:00:00".into()),
            },
            "{text:?}"
        );
    }
}

/// SPEC §1: until the payment lands, a status check still echoes the
/// inquiry's line with the verb replaced: that is "not paid yet".
#[test]
fn a_status_echo_of_the_inquiry_is_not_a_payment() {
    let echo =
        parse_reply("STATUS PLNPASC.546302215889 SUKSES, DATA:Anto TAGIHAN:300000 ADMIN:2750.");
    assert_eq!(echo.status, Success);
    assert_eq!(echo.cost, None);
    assert!(echo.is_inquiry_echo(), "{echo:#?}");
    assert!(parse_reply(INQUIRY_EXAMPLE).is_inquiry_echo());

    for paid in [
        PAYMENT_EXAMPLE,
        "STATUS PLNPASC.546302215889 SUKSES, HRG:302750 REFID:TEST-1.",
        "STATUS PLNPASC.546302215889 SUKSES, DATA:Anto TAGIHAN:300000 ADMIN:2750 HRG:302750 SN:0PLN123.",
        TOPUP_EXAMPLE,
        STATUS_EXAMPLE,
    ] {
        assert!(!parse_reply(paid).is_inquiry_echo(), "{paid}");
    }
}

// ---------------------------------------------------------------------------
// Status words (SPEC §1), case-insensitive, in every position they occur
// ---------------------------------------------------------------------------

const STATUS_WORDS: &[(&str, TxStatus)] = &[
    ("SUKSES", Success),
    ("BERHASIL", Success),
    ("SUCCESS", Success),
    ("GAGAL", Failed),
    ("FAILED", Failed),
    ("PENDING", Pending),
    ("PROSES", Pending),
    ("DIPROSES", Pending),
    ("SEDANG DIPROSES", Pending),
    ("MENUNGGU", Pending),
];

fn spellings(word: &str) -> Vec<String> {
    let title: String = word
        .split(' ')
        .map(|w| {
            let lower = w.to_ascii_lowercase();
            lower[..1].to_ascii_uppercase() + &lower[1..]
        })
        .collect::<Vec<_>>()
        .join(" ");
    let alternating: String = word
        .chars()
        .enumerate()
        .map(|(i, c)| {
            if i % 2 == 0 {
                c.to_ascii_lowercase()
            } else {
                c
            }
        })
        .collect();
    vec![
        word.to_string(),
        word.to_ascii_lowercase(),
        title,
        alternating,
    ]
}

#[test]
fn every_status_word_in_every_case_and_position() {
    for (word, status) in STATUS_WORDS {
        for spelled in spellings(word) {
            let full = format!("TRX T10.087712345678 {spelled}, HRG:10.500 SN:ABC REFID:L1.");
            let reply = check(
                &full,
                &Want {
                    verb: Some("TRX"),
                    product: Some("T10"),
                    dest: Some("087712345678"),
                    status: *status,
                    cost: Some(10_500),
                    sn: Some("ABC"),
                    ref_id: Some("L1"),
                    ..NOTHING
                },
            );
            assert_eq!(reply.fields.len(), 3);

            let head_only = Want {
                verb: Some("STATUS"),
                product: Some("T10"),
                dest: Some("087712345678"),
                status: *status,
                ..NOTHING
            };
            check(&format!("STATUS T10.087712345678 {spelled}"), &head_only);
            check(&format!("STATUS T10.087712345678 {spelled}."), &head_only);
            check(
                &format!("status T10.087712345678 {spelled} SN:XYZ"),
                &Want {
                    sn: Some("XYZ"),
                    ..head_only
                },
            );
            check(
                &format!("TRX T10.087712345678 {spelled}, sedang dicek operator."),
                &Want {
                    verb: Some("TRX"),
                    reason: Some("sedang dicek operator"),
                    ..head_only
                },
            );

            let bare = Want {
                status: *status,
                ..NOTHING
            };
            check(&spelled, &bare);
            check(&format!("{spelled}."), &bare);
            check(&format!("  {spelled}\r\n"), &bare);
            check(
                &format!("{spelled}, alasan apa saja."),
                &Want {
                    reason: Some("alasan apa saja"),
                    ..bare
                },
            );
        }
    }
}

#[test]
fn sedang_diproses_tolerates_extra_spacing() {
    let reply = parse_reply("TRX T10.0877 sedang  diproses.");
    assert_eq!(reply.status, Pending, "{reply:#?}");
}

// ---------------------------------------------------------------------------
// Failures, names, @ forms, amounts, SNs
// ---------------------------------------------------------------------------

#[test]
fn failures_carry_their_reason() {
    let cases: &[(&str, Want)] = &[
        (
            "TRX T10.087712345678 GAGAL, saldo tidak cukup.",
            Want {
                verb: Some("TRX"),
                product: Some("T10"),
                dest: Some("087712345678"),
                status: Failed,
                reason: Some("saldo tidak cukup"),
                ..NOTHING
            },
        ),
        (
            "TRX T10.087712345678 GAGAL, nomor tujuan salah. REFID:L1.",
            Want {
                verb: Some("TRX"),
                product: Some("T10"),
                dest: Some("087712345678"),
                status: Failed,
                reason: Some("nomor tujuan salah"),
                ref_id: Some("L1"),
                ..NOTHING
            },
        ),
        (
            "CEK PLNPASC.546302215889 GAGAL, tagihan sudah lunas atau belum tersedia.",
            Want {
                verb: Some("CEK"),
                product: Some("PLNPASC"),
                dest: Some("546302215889"),
                status: Failed,
                reason: Some("tagihan sudah lunas atau belum tersedia"),
                ..NOTHING
            },
        ),
        (
            "BAYAR PDAMKLT.0012345678 Failed, Saldo anda Rp 5.000, kurang.",
            Want {
                verb: Some("BAYAR"),
                product: Some("PDAMKLT"),
                dest: Some("0012345678"),
                status: Failed,
                reason: Some("Saldo anda Rp 5.000, kurang"),
                ..NOTHING
            },
        ),
        (
            "GAGAL, sign tidak valid.",
            Want {
                status: Failed,
                reason: Some("sign tidak valid"),
                ..NOTHING
            },
        ),
    ];
    for (text, want) in cases {
        check(text, want);
    }
}

#[test]
fn values_may_hold_spaces() {
    let reply = check(
        "CEK PLNPASC.546302215889 SUKSES, DATA:Siti Aminah TAGIHAN:300000 ADMIN:2750.",
        &Want {
            verb: Some("CEK"),
            product: Some("PLNPASC"),
            dest: Some("546302215889"),
            status: Success,
            name: Some("Siti Aminah"),
            bill: Some(300_000),
            admin: Some(2_750),
            ..NOTHING
        },
    );
    assert_eq!(reply.bill_total(), Some(Rupiah(302_750)));
    check(
        "CEK BPJSKS.0001234567890@3 SUKSES, DATA:H. Abdul Rahman bin Yusuf TAGIHAN:450000 ADMIN:2500",
        &Want {
            verb: Some("CEK"),
            product: Some("BPJSKS"),
            dest: Some("0001234567890@3"),
            status: Success,
            name: Some("H. Abdul Rahman bin Yusuf"),
            bill: Some(450_000),
            admin: Some(2_500),
            ..NOTHING
        },
    );
}

#[test]
fn at_forms_in_product_and_dest() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "CEK BPJSKS.0001234567890@1 SUKSES, DATA:Budi TAGIHAN:150000 ADMIN:2500.",
            "BPJSKS",
            "0001234567890@1",
        ),
        (
            "CEK PKBJABAR.B1234XYZ@2025 SUKSES, DATA:Budi TAGIHAN:150000 ADMIN:2500.",
            "PKBJABAR",
            "B1234XYZ@2025",
        ),
        (
            "CEK PBBBDG@2024.327301000100100010 SUKSES, DATA:Budi TAGIHAN:150000 ADMIN:2500.",
            "PBBBDG@2024",
            "327301000100100010",
        ),
        (
            "CEK CCBCA@1500000.4111111111111111 SUKSES, DATA:Budi TAGIHAN:150000 ADMIN:2500.",
            "CCBCA@1500000",
            "4111111111111111",
        ),
    ];
    for (text, product, dest) in cases {
        check(
            text,
            &Want {
                verb: Some("CEK"),
                product: Some(product),
                dest: Some(dest),
                status: Success,
                name: Some("Budi"),
                bill: Some(150_000),
                admin: Some(2_500),
                ..NOTHING
            },
        );
    }
}

#[test]
fn thousands_grouped_amounts() {
    let cases: &[(&str, Option<i64>)] = &[
        ("2000", Some(2_000)),
        ("2.000", Some(2_000)),
        ("2,000", Some(2_000)),
        ("1.250.000", Some(1_250_000)),
        ("1,250,000", Some(1_250_000)),
        ("Rp2.000", Some(2_000)),
        ("Rp 2.000", Some(2_000)),
        ("Rp. 2.000", Some(2_000)),
        ("Rp.2.000", Some(2_000)),
        ("RP302.750", Some(302_750)),
        ("0", Some(0)),
        ("-2.500", Some(-2_500)),
        ("-Rp2.500", Some(-2_500)),
        // Not thousands groups: refuse rather than guess.
        ("2.00", None),
        ("2.0000", None),
        ("1.000,50", None),
        ("1.000.00", None),
        (".000", None),
        ("2.", None),
        ("", None),
        ("Rp", None),
        ("abc", None),
        ("--2000", None),
        ("999.999.999.999.999.999", None),
    ];
    for (text, want) in cases {
        assert_eq!(
            parse_gateway_amount(text),
            want.map(Rupiah),
            "parsing {text:?}"
        );
    }
    check(
        "CEK PLNPASC.546302215889 SUKSES, DATA:Anto TAGIHAN:1.250.000 ADMIN:2.750.",
        &Want {
            verb: Some("CEK"),
            product: Some("PLNPASC"),
            dest: Some("546302215889"),
            status: Success,
            name: Some("Anto"),
            bill: Some(1_250_000),
            admin: Some(2_750),
            ..NOTHING
        },
    );
    check(
        "BAYAR PLNPASC.546302215889 SUKSES, HRG:Rp1.252.750 REFID:TEST-1.",
        &Want {
            verb: Some("BAYAR"),
            product: Some("PLNPASC"),
            dest: Some("546302215889"),
            status: Success,
            cost: Some(1_252_750),
            ref_id: Some("TEST-1"),
            ..NOTHING
        },
    );
}

#[test]
fn pln_token_serial_numbers_are_kept_whole() {
    let sn = "12345678901234567890/ANTO/R1/1300/15.2";
    for text in [
        format!("TRX PLN20.12345678901 SUKSES, HRG:20500 SN:{sn} REFID:L9."),
        format!("TRX PLN20.12345678901 SUKSES, HRG:20500 REFID:L9 SN:{sn}."),
        format!("TRX PLN20.12345678901 SUKSES, HRG:20500 REFID:L9 SN:{sn}"),
    ] {
        check(
            &text,
            &Want {
                verb: Some("TRX"),
                product: Some("PLN20"),
                dest: Some("12345678901"),
                status: Success,
                cost: Some(20_500),
                sn: Some(sn),
                ref_id: Some("L9"),
                ..NOTHING
            },
        );
    }
    check(
        "TRX PLN50.14012345678 SUKSES, SN:1234-5678-9012-3456-7890/SITI AMINAH/R1M/900/35,7 HRG:50.750",
        &Want {
            verb: Some("TRX"),
            product: Some("PLN50"),
            dest: Some("14012345678"),
            status: Success,
            cost: Some(50_750),
            sn: Some("1234-5678-9012-3456-7890/SITI AMINAH/R1M/900/35,7"),
            ..NOTHING
        },
    );
}

// ---------------------------------------------------------------------------
// "No such transaction" is not "the transaction failed"
// ---------------------------------------------------------------------------

#[test]
fn status_answers_for_unknown_transactions_are_not_found() {
    for text in [
        "STATUS X.Y GAGAL, transaksi tidak ditemukan.",
        "STATUS T10.087712345678 GAGAL, Transaksi Tidak Ditemukan",
        "STATUS T10.087712345678 GAGAL, data transaksi tidak ditemukan.",
        "STATUS T10.087712345678 GAGAL, Transaksi dengan refID L1 tidak ditemukan.",
        "STATUS T10.087712345678 FAILED, transaction not found",
        "STATUS T10.087712345678 GAGAL, tidak ada transaksi untuk refID tersebut.",
        "STATUS T10.087712345678 GAGAL, belum ada transaksi.",
        "STATUS T10.087712345678 GAGAL, data tidak ditemukan.",
        "STATUS T10.087712345678 GAGAL, Ref ID L1 tidak ditemukan.",
        "GAGAL, transaksi tidak ditemukan.",
    ] {
        let reply = parse_reply(text);
        assert_eq!(reply.status, Failed, "{text}");
        assert!(reply.is_not_found(), "{text} must read as not found");
    }
}

#[test]
fn a_failed_transaction_whose_reason_says_something_else_was_not_found_is_failed() {
    for text in [
        "STATUS PLNPASC.546302215889 GAGAL, IDPEL tidak ditemukan.",
        "STATUS T10.087712345678 GAGAL, nomor tujuan tidak ditemukan.",
        "STATUS T10.087712345678 GAGAL, Transaksi gagal, nomor tidak ditemukan.",
        "STATUS PDAMKLT.0012345678 GAGAL, tagihan tidak ditemukan.",
        "STATUS T99.087712345678 GAGAL, produk tidak ditemukan.",
        "STATUS BPJSKS.0001234567890@1 GAGAL, No. VA tidak terdaftar.",
        "TRX T10.087712345678 GAGAL, saldo tidak cukup.",
        "TRX T10.087712345678 GAGAL.",
    ] {
        let reply = parse_reply(text);
        assert_eq!(reply.status, Failed, "{text}");
        assert!(
            !reply.is_not_found(),
            "{text} is a failure, not 'not found'"
        );
    }
    for text in [
        "STATUS X.Y SUKSES, transaksi tidak ditemukan.",
        "STATUS X.Y PENDING, transaksi tidak ditemukan.",
        "transaksi tidak ditemukan",
    ] {
        assert!(!parse_reply(text).is_not_found(), "{text}");
    }
}

// ---------------------------------------------------------------------------
// Replies that fit no shape are Unknown: never Success, never Failed
// ---------------------------------------------------------------------------

const UNREADABLE: &[(&str, &str)] = &[
    ("empty body", ""),
    ("whitespace", "   \r\n\t  "),
    ("html page", "<html><head><title>Login</title></head><body>SUKSES</body></html>"),
    (
        "html document",
        "<!DOCTYPE html>\n<html lang=\"id\"><body><p>TRX T1.089652137194 SUKSES</p></body></html>",
    ),
    ("nginx 502 page", "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"),
    ("5xx text", "502 Bad Gateway"),
    ("5xx text 2", "503 Service Temporarily Unavailable"),
    ("5xx text 3", "Internal Server Error"),
    ("5xx text 4", "Gateway Time-out"),
    ("proxy text starting with a status word", "Failed to connect to upstream server"),
    ("status word then prose", "Proses gagal: database timeout"),
    ("status word then prose 2", "Pending request limit exceeded"),
    ("status word then prose 3", "Success is not guaranteed"),
    ("status word then a colon", "GAGAL: koneksi ke database"),
    ("php warning", "Warning: mysqli_connect(): Connection refused in /var/www/h2h.php on line 12"),
    ("truncated in the status", "TRX T1.0896 SUK"),
    ("truncated in the dest", "TRX T1.0896"),
    ("verb only", "TRX"),
    ("random text", "lorem ipsum dolor sit amet"),
    ("random text with a dot", "hello world.wide SUKSESNYA"),
    ("json", "{\"status\":\"SUKSES\",\"sn\":\"ABC\"}"),
    ("json wrapping a reply", "{\"rc\":\"00\",\"msg\":\"TRX T1.089652137194 SUKSES\"}"),
    ("status word glued to more letters", "TRX T1.089652137194 SUKSESFUL"),
    ("a reply followed by an error page", "TRX T1.089652137194 SUKSES, HRG:2000\n<html><body>500</body></html>"),
    ("a bare failure followed by an error page", "GAGAL, koneksi\n<!DOCTYPE html><html></html>"),
    ("two replies", "TRX T1.089652137194 GAGAL.\nTRX T1.089652137194 SUKSES."),
    ("markup around the product", "TRX <b>T1.089652137194</b> SUKSES"),
    ("long s folds to s only in unicode", "TRX T1.089652137194 \u{17f}uk\u{17f}e\u{17f}"),
    ("kelvin sign folds to k only in unicode", "SU\u{212a}SES"),
    ("a control character inside", "TRX T1.089652137194 SUKSES\u{0}, HRG:2000"),
    ("null", "null"),
    ("ok", "OK"),
    ("a number", "1"),
];

#[test]
fn unreadable_replies_are_unknown() {
    for (what, text) in UNREADABLE {
        let reply = parse_reply(text);
        assert_eq!(reply.status, Unknown, "{what}: {text:?} gave {reply:#?}");
        assert_eq!(reply.raw, *text, "{what}");
        assert!(!reply.is_not_found(), "{what}");
    }
}

/// Centers write their own templates (FIELD.md): after the call is named,
/// the first status phrase is the status, whatever words follow it.
#[test]
fn the_status_phrase_after_the_call_counts_whatever_follows() {
    for (text, status, reason) in [
        (
            "TRX T1.089652137194 SUKSES blah blah",
            Success,
            Some("blah blah"),
        ),
        (
            "TRX T1.089652137194 GAGAL karena saldo kurang",
            Failed,
            Some("karena saldo kurang"),
        ),
        (
            "R#89535525 T1.089652137194 GAGAL. Nomor tujuan salah. Saldo 1.244.692 @19.06.42",
            Failed,
            Some("Nomor tujuan salah"),
        ),
    ] {
        let reply = parse_reply(text);
        assert_eq!(reply.status, status, "{text}");
        assert_eq!(reply.reason.as_deref(), reason, "{text}");
        assert_eq!(reply.product.as_deref(), Some("T1"), "{text}");
    }
}

/// A reply cut off anywhere before its status word is complete cannot say
/// what happened.
#[test]
fn every_truncation_before_the_status_word_ends_is_unknown() {
    for text in [
        TOPUP_EXAMPLE,
        INQUIRY_EXAMPLE,
        PAYMENT_EXAMPLE,
        STATUS_EXAMPLE,
        "TRX T10.087712345678 GAGAL, saldo tidak cukup.",
        "TRX T10.087712345678 sedang diproses.",
        "STATUS X.Y GAGAL, transaksi tidak ditemukan.",
        "BERHASIL",
    ] {
        let status_end = STATUS_WORDS
            .iter()
            .filter_map(|(w, _)| text.to_ascii_uppercase().find(w).map(|at| at + w.len()))
            .max()
            .expect("a status word");
        for cut in (0..status_end).filter(|i| text.is_char_boundary(*i)) {
            let prefix = &text[..cut];
            assert_eq!(parse_reply(prefix).status, Unknown, "{prefix:?}");
        }
    }
}

/// A BOM that some PHP gateways prepend is not part of the reply.
#[test]
fn a_leading_byte_order_mark_is_ignored() {
    let reply = parse_reply(&format!("\u{feff}{TOPUP_EXAMPLE}"));
    assert_eq!(reply.status, Success);
    assert_eq!(reply.sn.as_deref(), Some("ABC"));
    assert_eq!(
        parse_balance("\u{feff}saldo=1000000  @ 2026-04-21 11:00:00"),
        BalanceReply::Balance {
            amount: Rupiah(1_000_000),
            at: Some("2026-04-21 11:00:00".into()),
        }
    );
}

// ---------------------------------------------------------------------------
// Balance
// ---------------------------------------------------------------------------

#[test]
fn balance_lines() {
    let cases: &[(&str, i64, Option<&str>)] = &[
        (
            "saldo=1.000.000  @ 2026-04-21 11:00:00",
            1_000_000,
            Some("2026-04-21 11:00:00"),
        ),
        ("SALDO=250000", 250_000, None),
        ("Saldo: 250.000", 250_000, None),
        (
            "saldo=0 @ 2026-04-21 11:00:00",
            0,
            Some("2026-04-21 11:00:00"),
        ),
        (
            "saldo=-25.000 @ 2026-04-21 11:00:00",
            -25_000,
            Some("2026-04-21 11:00:00"),
        ),
    ];
    for (text, amount, at) in cases {
        assert_eq!(
            parse_balance(text),
            BalanceReply::Balance {
                amount: Rupiah(*amount),
                at: at.map(str::to_string),
            },
            "{text:?}"
        );
    }
}

#[test]
fn balance_refusals() {
    let cases: &[(&str, &str)] = &[
        ("GAGAL, sign tidak valid.", "sign tidak valid"),
        ("GAGAL, member tidak terdaftar", "member tidak terdaftar"),
        (
            "Gagal, IP 10.0.0.1 tidak diizinkan.",
            "IP 10.0.0.1 tidak diizinkan",
        ),
        ("FAILED", ""),
    ];
    for (text, reason) in cases {
        assert_eq!(
            parse_balance(text),
            BalanceReply::Refused {
                reason: reason.to_string()
            },
            "{text:?}"
        );
    }
}

#[test]
fn unreadable_balance_answers_are_unknown() {
    let mut texts: Vec<&str> = UNREADABLE.iter().map(|(_, t)| *t).collect();
    texts.extend([
        "saldo=",
        "saldo=abc",
        "saldo=1000000 foo",
        "saldo=12.34",
        "saldo=1000000\n<html></html>",
        "SUKSES",
        "PENDING, sedang diproses",
        "{\"saldo\":1000000}",
        "\u{17f}aldo=1000",
        TOPUP_EXAMPLE,
    ]);
    for text in texts {
        assert_eq!(
            parse_balance(text),
            BalanceReply::Unknown {
                raw: text.to_string()
            },
            "{text:?}"
        );
    }
}

// ---------------------------------------------------------------------------
// Properties: never panic, never guess
// ---------------------------------------------------------------------------

mod properties {
    use super::*;
    use proptest::prelude::*;

    const VALID: &[&str] = &[
        TOPUP_EXAMPLE,
        INQUIRY_EXAMPLE,
        PAYMENT_EXAMPLE,
        STATUS_EXAMPLE,
        "STATUS X.Y GAGAL, transaksi tidak ditemukan.",
        "TRX T10.087712345678 sedang diproses.",
        "CEK PBBBDG@2024.327301000100100010 SUKSES, DATA:Siti Aminah TAGIHAN:1.250.000 ADMIN:2.750.",
        "TRX PLN20.12345678901 SUKSES, HRG:20500 SN:12345678901234567890/ANTO/R1/1300/15.2 REFID:L9.",
        "GAGAL, sign tidak valid.",
        "saldo=1000000  @ 2026-04-21 11:00:00",
    ];

    #[derive(Debug, Clone)]
    enum Mutation {
        Insert(prop::sample::Index, char),
        Delete(prop::sample::Index, usize),
        Replace(prop::sample::Index, char),
        Truncate(prop::sample::Index),
        Duplicate(prop::sample::Index, usize),
        FlipCase(prop::sample::Index),
    }

    fn mutation() -> impl Strategy<Value = Mutation> {
        let special = prop_oneof![
            any::<char>(),
            prop::sample::select(vec![
                ' ', '.', ',', ':', '@', '\n', '\r', '\t', '\u{0}', '<', '{', '"', '\u{feff}',
                '\u{17f}', '\u{212a}', 'é', '漢',
            ]),
        ];
        prop_oneof![
            (any::<prop::sample::Index>(), special.clone())
                .prop_map(|(i, c)| Mutation::Insert(i, c)),
            (any::<prop::sample::Index>(), 1usize..8).prop_map(|(i, n)| Mutation::Delete(i, n)),
            (any::<prop::sample::Index>(), special).prop_map(|(i, c)| Mutation::Replace(i, c)),
            any::<prop::sample::Index>().prop_map(Mutation::Truncate),
            (any::<prop::sample::Index>(), 1usize..12).prop_map(|(i, n)| Mutation::Duplicate(i, n)),
            any::<prop::sample::Index>().prop_map(Mutation::FlipCase),
        ]
    }

    fn apply(text: &str, mutations: &[Mutation]) -> String {
        let mut chars: Vec<char> = text.chars().collect();
        for m in mutations {
            let len = chars.len();
            match m {
                Mutation::Insert(i, c) => chars.insert(i.index(len + 1), *c),
                Mutation::Delete(i, n) if len > 0 => {
                    let at = i.index(len);
                    chars.drain(at..(at + n).min(len));
                }
                Mutation::Replace(i, c) if len > 0 => chars[i.index(len)] = *c,
                Mutation::Truncate(i) => chars.truncate(i.index(len + 1)),
                Mutation::Duplicate(i, n) if len > 0 => {
                    let at = i.index(len);
                    let piece: Vec<char> = chars[at..(at + n).min(len)].to_vec();
                    chars.splice(at..at, piece);
                }
                Mutation::FlipCase(i) if len > 0 => {
                    let at = i.index(len);
                    let c = chars[at];
                    chars[at] = if c.is_ascii_uppercase() {
                        c.to_ascii_lowercase()
                    } else {
                        c.to_ascii_uppercase()
                    };
                }
                _ => {}
            }
        }
        chars.into_iter().collect()
    }

    /// Success or Failed only when the text holds the matching word.
    fn never_guesses(text: &str, reply: &GatewayReply) -> Result<(), TestCaseError> {
        let lower = text.to_ascii_lowercase();
        match reply.status {
            Success => prop_assert!(
                ["sukses", "berhasil", "success"]
                    .iter()
                    .any(|w| lower.contains(w)),
                "Success from {:?}",
                text
            ),
            Failed => prop_assert!(
                ["gagal", "failed"].iter().any(|w| lower.contains(w)),
                "Failed from {:?}",
                text
            ),
            Pending | Unknown => {}
        }
        prop_assert_eq!(&reply.raw, text);
        Ok(())
    }

    proptest! {
        #[test]
        fn parsers_never_panic_on_any_string(text in any::<String>()) {
            let reply = parse_reply(&text);
            never_guesses(&text, &reply)?;
            let _ = parse_balance(&text);
            let _ = parse_gateway_amount(&text);
        }

        #[test]
        fn parsers_never_panic_on_reply_like_strings(
            text in "[ A-Za-z0-9.,:@=/\\-\u{0}-\u{1f}\u{7f}-\u{10ffff}]{0,120}",
        ) {
            let reply = parse_reply(&text);
            never_guesses(&text, &reply)?;
            let _ = parse_balance(&text);
        }

        #[test]
        fn parsers_never_panic_on_mutated_replies(
            base in prop::sample::select(VALID.to_vec()),
            mutations in prop::collection::vec(mutation(), 1..6),
        ) {
            let text = apply(base, &mutations);
            let reply = parse_reply(&text);
            never_guesses(&text, &reply)?;
            prop_assert_eq!(parse_reply(&text), reply, "parsing is deterministic");
            let _ = parse_balance(&text);
        }

        #[test]
        fn a_reply_with_a_line_break_inside_is_unknown(
            base in prop::sample::select(VALID[..9].to_vec()),
            at in any::<prop::sample::Index>(),
            brk in prop::sample::select(vec!["\n", "\r\n", "\r"]),
        ) {
            let chars: Vec<char> = base.chars().collect();
            let at = 1 + at.index(chars.len() - 1);
            let head: String = chars[..at].iter().collect();
            let tail: String = chars[at..].iter().collect();
            let text = format!("{head}{brk}{tail}");
            prop_assume!(text.trim().contains(['\n', '\r']));
            prop_assert_eq!(parse_reply(&text).status, Unknown, "{:?}", text);
        }
    }
}

#[test]
fn refusals_of_the_request_give_no_verdict_on_the_call() {
    use loket::gateway::reply::{says_no_verdict, says_ref_taken};
    for reason in [
        "sign tidak valid",
        "Signature salah",
        "PIN salah",
        "member tidak terdaftar",
        "IP 1.2.3.4 tidak diizinkan",
        "server sedang maintenance",
        "refID sudah ada",
        "RefID sudah digunakan",
        "transaksi duplikat",
        "Duplicate refID",
        "transaksi sedang diproses",
    ] {
        assert!(says_no_verdict(reason), "{reason}");
    }
    for reason in [
        "refID sudah ada",
        "duplicate transaction",
        "trx masih diproses",
    ] {
        assert!(says_ref_taken(reason), "{reason}");
    }
    for reason in [
        "nomor tujuan salah",
        "IDPEL tidak ditemukan",
        "saldo tidak cukup",
        "produk tidak tersedia",
        "tagihan sudah lunas",
    ] {
        assert!(
            !says_no_verdict(reason),
            "{reason} is the call's own failure"
        );
        assert!(!says_ref_taken(reason), "{reason}");
    }
}
