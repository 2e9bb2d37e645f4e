//! The verdict rules, as a table: what a reply means for a topup or a
//! payment, on the send and on a status check (`gateway::verdict`). And the
//! property the money flows rest on: a reply that does not name the call
//! is never a success or a failure.

use loket::gateway::{Call, MoneyCall, Phase, Reader, ReplyRules, Verdict};

use MoneyCall::{Payment, Topup};
use Verdict::{Failed, NoVerdict, NotRecorded, Pending, Success};

const SEND: Phase = Phase::Send { resend: false };
const RESEND: Phase = Phase::Send { resend: true };
const CHECK: Phase = Phase::Check;

const TOPUP: Call = Call {
    product: "T10",
    dest: "081200000001",
    ref_id: "LREF1",
};

const BILL: Call = Call {
    product: "PLNPASC",
    dest: "546302215889",
    ref_id: "LBILL1",
};

const BPJS: Call = Call {
    product: "BPJSKS",
    dest: "0001234567890@3",
    ref_id: "LBPJS1",
};

#[rustfmt::skip]
const TABLE: &[(MoneyCall, Phase, &Call, &str, Verdict)] = &[
    // The seed's shape.
    (Topup, SEND, &TOPUP, "TRX T10.081200000001 SUKSES, HRG:11000 SN:ABC REFID:LREF1.", Success),
    (Topup, SEND, &TOPUP, "TRX t10.081200000001 sukses, HRG:11000 SN:ABC.", Success),
    (Topup, SEND, &TOPUP, "TRX T10.081200000001 GAGAL, saldo tidak cukup.", Failed),
    (Topup, SEND, &TOPUP, "TRX T10.081200000001 PENDING, sedang diproses REFID:LREF1.", Pending),
    // Other centers' templates (FIELD.md).
    (Topup, SEND, &TOPUP, "T#41168891 R#LREF1 T10.081200000001 SUKSES. SN/Ref: R2106.2203.210045. Saldo 10.795.667 - 10.880 = 10.784.787 @30/06 22:03", Success),
    (Topup, SEND, &TOPUP, "R#LREF1 T10.081200000001, status SUKSES. SN/Ref: DOWI12. RefId : 1447. Sisa saldo 5121750", Success),
    (Topup, SEND, &TOPUP, "R#89535525 T10.081200000001 GAGAL. Nomor tujuan salah. Saldo 1.244.692 @19.06.42", Failed),
    (Topup, SEND, &TOPUP, "Transaksi T10.081200000001 Harga=10.880 akan diproses..", Pending),
    (Topup, SEND, &TOPUP, "status=1&refid=LREF1&message=Transaksi T10.081200000001 akan diproses..", Pending),
    (Topup, SEND, &TOPUP, "status=20&refid=LREF1&price=10880&message=T10.081200000001 SUKSES. SN/Ref: X1", Success),
    (Topup, SEND, &TOPUP, "status=52&refid=LREF1&message=T10.081200000001 GAGAL. Nomor salah", Failed),
    (Topup, SEND, &TOPUP, "R#LREF1 T10.081200000001 dalam proses", Pending),
    // Not about this call: another product, number or refID.
    (Topup, SEND, &TOPUP, "TRX T5.081299999999 GAGAL, nomor tujuan salah. REFID:OTHER.", NoVerdict),
    (Topup, SEND, &TOPUP, "TRX T5.081299999999 SUKSES, HRG:6000 SN:1 REFID:OTHER.", NoVerdict),
    (Topup, SEND, &TOPUP, "TRX T10.081200000001 SUKSES, HRG:11000 SN:1 REFID:OTHER.", NoVerdict),
    (Topup, SEND, &TOPUP, "TRX T10.089999999999 GAGAL, nomor salah.", NoVerdict),
    (Topup, SEND, &TOPUP, "status=20&refid=LOTHER&message=T10.081200000001 SUKSES. SN/Ref: X1", NoVerdict),
    (Topup, CHECK, &TOPUP, "STATUS T5.081200000001 SUKSES, HRG:6000 SN:1.", NoVerdict),
    // No anchor, or two verdicts.
    (Topup, SEND, &TOPUP, "SUKSES.", NoVerdict),
    (Topup, SEND, &TOPUP, "GAGAL, sign tidak valid.", NoVerdict),
    (Topup, SEND, &TOPUP, "<html><body>TRX T10.081200000001 SUKSES</body></html>", NoVerdict),
    (Topup, SEND, &TOPUP, "TRX T10.081200000001 SN:SUKSES123", NoVerdict),
    (Topup, SEND, &TOPUP, "status=40&refid=LREF1&message=T10.081200000001 SUKSES. SN/Ref: X1", NoVerdict),
    (Topup, SEND, &TOPUP, "T10.081200000001 SUKSES. R#LREF1 GAGAL", NoVerdict),
    // A send's failure is final, unless the refID was already known.
    (Topup, SEND, &TOPUP, "TRX T10.081200000001 GAGAL, produk tidak tersedia.", Failed),
    (Topup, SEND, &TOPUP, "TRX T10.081200000001 GAGAL, refID sudah dipakai.", NoVerdict),
    (Topup, SEND, &TOPUP, "R#LREF1 T10.081200000001 GAGAL. Reference ID sudah digunakan", NoVerdict),
    (Topup, RESEND, &TOPUP, "TRX T10.081200000001 GAGAL, sign tidak valid.", NoVerdict),
    (Topup, SEND, &TOPUP, "TRX T10.081200000001 GAGAL, sign tidak valid.", Failed),
    // A payment's success needs a payment line.
    (Payment, SEND, &BILL, "BAYAR PLNPASC.546302215889 SUKSES, HRG:302750 REFID:LBILL1.", Success),
    (Payment, SEND, &BILL, "T#1 R#LBILL1 PLNPASC.546302215889 SUKSES. SN/Ref: REF1. Saldo 1.000.000 - 302.750 = 697.250", Success),
    (Payment, SEND, &BILL, "CEK PLNPASC.546302215889 SUKSES, DATA:Anto TAGIHAN:300000 ADMIN:2750.", NoVerdict),
    (Payment, SEND, &BILL, "SUKSES.", NoVerdict),
    (Payment, SEND, &BILL, "R#LBILL1 PLNPASC.546302215889 SUKSES.", NoVerdict),
    (Payment, SEND, &BILL, "BAYAR PLNPASC.546302215889 SUKSES.", Success),
    (Payment, CHECK, &BILL, "STATUS PLNPASC.546302215889 SUKSES, DATA:Anto TAGIHAN:300000 ADMIN:2750.", NotRecorded),
    (Payment, CHECK, &BILL, "R#LBILL1 PLNPASC.546302215889 SUKSES. Nama: Anto. Tagihan: Rp300.000. Admin: Rp2.750", NotRecorded),
    (Payment, CHECK, &BILL, "STATUS PLNPASC.546302215889 SUKSES, HRG:302750 REFID:LBILL1.", Success),
    (Payment, CHECK, &BPJS, "STATUS BPJSKS.0001234567890@3 SUKSES, HRG:452500.", Success),
    (Payment, CHECK, &BPJS, "STATUS BPJSKS.0001234567890 SUKSES, HRG:452500.", Success),
    (Payment, CHECK, &BPJS, "STATUS BPJSKS.0001234567890@1 SUKSES, HRG:152500.", NoVerdict),
    // A status check's failure is final only for a transaction outcome.
    (Topup, CHECK, &TOPUP, "STATUS T10.081200000001 GAGAL, nomor tujuan salah.", Failed),
    (Topup, CHECK, &TOPUP, "STATUS T10.081200000001 GAGAL, stok kosong.", Failed),
    (Topup, CHECK, &TOPUP, "STATUS T10.081200000001 GAGAL, produk gangguan.", Failed),
    (Payment, CHECK, &BILL, "STATUS PLNPASC.546302215889 GAGAL, tagihan sudah lunas.", Failed),
    (Topup, CHECK, &TOPUP, "STATUS T10.081200000001 GAGAL, transaksi dibatalkan, saldo dikembalikan.", Failed),
    (Topup, CHECK, &TOPUP, "STATUS T10.081200000001 GAGAL, saldo tidak cukup.", Failed),
    (Topup, CHECK, &TOPUP, "status=45&refid=LREF1&message=T10.081200000001 Stok sedang kosong", Failed),
    (Topup, CHECK, &TOPUP, "STATUS T10.081200000001 GAGAL, terlalu sering cek status, coba lagi 1 menit", NoVerdict),
    (Topup, CHECK, &TOPUP, "STATUS T10.081200000001 GAGAL, format salah.", NoVerdict),
    (Topup, CHECK, &TOPUP, "STATUS T10.081200000001 GAGAL, refID tidak valid.", NoVerdict),
    (Topup, CHECK, &TOPUP, "STATUS T10.081200000001 GAGAL, request ditolak.", NoVerdict),
    (Topup, CHECK, &TOPUP, "STATUS T10.081200000001 GAGAL, Anda tidak punya hak.", NoVerdict),
    (Topup, CHECK, &TOPUP, "STATUS T10.081200000001 GAGAL, sign tidak valid.", NoVerdict),
    (Topup, CHECK, &TOPUP, "STATUS T10.081200000001 GAGAL, alasan yang belum dikenal.", NoVerdict),
    (Topup, CHECK, &TOPUP, "STATUS T10.081200000001 GAGAL.", NoVerdict),
    (Topup, CHECK, &TOPUP, "GAGAL, nomor tujuan salah.", NoVerdict),
    // "No such transaction" is not a failure: it may never have arrived.
    (Topup, CHECK, &TOPUP, "STATUS T10.081200000001 GAGAL, transaksi tidak ditemukan.", NotRecorded),
    (Topup, CHECK, &TOPUP, "GAGAL, transaksi tidak ditemukan.", NotRecorded),
    (Topup, CHECK, &TOPUP, "R#LREF1 T10.081200000001 sdh pernah jam 15:19, status Sukses. SN/Ref: 9", Success),
    (Topup, CHECK, &TOPUP, "R#LREF1 T10.081200000001 sedang diproses", Pending),
];

#[test]
fn every_verdict_rule_holds() {
    let reader = Reader::default();
    let mut wrong = Vec::new();
    for (kind, phase, call, text, want) in TABLE {
        let reply = reader.read(call, text);
        let got = reader.verdict(*kind, *phase, call, &reply);
        if got != *want {
            wrong.push(format!(
                "{kind:?} {phase:?} {text:?}: want {want:?}, got {got:?}"
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// An operator's rules add a center's own phrases and reasons.
#[test]
fn operator_rules_teach_a_center_dialect() {
    let rules = ReplyRules::parse(
        "success telah terkirim\n\
         pending antri\n\
         outcome voucher habis\n\
         refusal sistem penuh\n\
         sn Voucher=(\\S+)\n",
    )
    .unwrap();
    let reader = Reader::new(rules);
    let builtin = Reader::default();
    for (phase, text, with_rules, without) in [
        (
            SEND,
            "T10.081200000001 telah terkirim Voucher=AB12",
            Success,
            NoVerdict,
        ),
        (SEND, "T10.081200000001 antri", Pending, NoVerdict),
        (
            CHECK,
            "STATUS T10.081200000001 GAGAL, voucher habis",
            Failed,
            NoVerdict,
        ),
        (
            CHECK,
            "STATUS T10.081200000001 GAGAL, stok kosong, sistem penuh",
            NoVerdict,
            Failed,
        ),
    ] {
        let got = reader.verdict(Topup, phase, &TOPUP, &reader.read(&TOPUP, text));
        assert_eq!(got, with_rules, "{text}");
        let plain = builtin.verdict(Topup, phase, &TOPUP, &builtin.read(&TOPUP, text));
        assert_eq!(plain, without, "{text} without rules");
    }
    let reply = reader.read(&TOPUP, "T10.081200000001 telah terkirim Voucher=AB12");
    assert_eq!(reply.sn.as_deref(), Some("AB12"));
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    /// Pieces replies are made of, naming other calls only.
    fn piece() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("TRX".to_string()),
            Just("STATUS".to_string()),
            Just("SUKSES".to_string()),
            Just("GAGAL".to_string()),
            Just("sedang diproses".to_string()),
            Just("status".to_string()),
            Just(",".to_string()),
            Just(".".to_string()),
            Just("HRG:11000".to_string()),
            Just("SN:ABC".to_string()),
            Just("SN/Ref: 1234.5678".to_string()),
            Just("Saldo 10.795.667 - 10.880 = 10.784.787".to_string()),
            Just("nomor tujuan salah".to_string()),
            Just("status=20".to_string()),
            Just("&message=".to_string()),
            "[A-Z]{1,5}[0-9]{1,3}\\.08[0-9]{8,10}",
            "REFID:L[A-Z0-9]{4,8}",
            "refid=L[A-Z0-9]{4,8}&",
            "R#[0-9]{3,9}",
            "T#[0-9]{3,9}",
            "[a-zA-Z ]{0,12}",
        ]
    }

    proptest! {
        /// Whatever the text, a reply that names neither the call's
        /// `PRODUCT.DEST` nor its refID is never a success or a failure.
        #[test]
        fn a_reply_that_does_not_name_the_call_is_never_a_verdict(
            pieces in prop::collection::vec(piece(), 0..14),
            glue in prop::collection::vec(prop::sample::select(vec![" ", "", "  ", ". ", ", "]), 14),
        ) {
            let mut text = String::new();
            for (i, p) in pieces.iter().enumerate() {
                text.push_str(p);
                text.push_str(glue[i % glue.len()]);
            }
            let lower = text.to_ascii_lowercase();
            prop_assume!(!lower.contains("t10.081200000001") && !lower.contains("lref1"));
            let reader = Reader::default();
            let reply = reader.read(&TOPUP, &text);
            for kind in [Topup, Payment] {
                for phase in [SEND, RESEND, CHECK] {
                    let verdict = reader.verdict(kind, phase, &TOPUP, &reply);
                    prop_assert!(
                        !matches!(verdict, Success | Failed),
                        "{:?} from {:?}", verdict, text
                    );
                }
            }
        }

        /// Reading never panics, with or without a call.
        #[test]
        fn reading_never_panics(text in any::<String>()) {
            let reader = Reader::default();
            let reply = reader.read(&TOPUP, &text);
            let _ = reader.verdict(Topup, CHECK, &TOPUP, &reply);
            let _ = reader.balance(&text);
        }
    }
}
