//! Verdict rules: what a reply means for a money call (a topup or a bill
//! payment), in one table (SPEC §1, "Other centers' dialects").
//!
//! Owns: the decision "final success / final failure / pending / never
//! arrived / no verdict" from a parsed reply, the call it answers and the
//! phase (the send itself or a status check). Must not: read the journal,
//! render text or talk to the network.
//!
//! The rules, in order:
//! 1. A reply that is not about the call (names another, or none) is no
//!    verdict; a status check's "no such transaction" is `NotRecorded`.
//! 2. A payment's success needs a payment line (a price, an SN or the
//!    payment verb): the inquiry's line is `NotRecorded` on a check (the
//!    payment never landed) and no verdict on a send; a bare `SUKSES.` is
//!    no verdict.
//! 3. A send's failure is final unless it says the refID is already known
//!    (or, on a resend, refuses the request): that earlier send may have
//!    been charged.
//! 4. A status check's failure is final only when its reason is a
//!    transaction outcome (wrong number, product closed or empty, bill
//!    already paid, cancelled or refunded, balance too low) or its code is
//!    an outcome code; a refusal of the check or an unknown reason is no
//!    verdict, and the follow-up goes on.

use super::reply::{
    code_status, says_no_verdict, says_ref_taken, Call, GatewayReply, Reader, TxStatus, Words,
};

/// Which money call a reply answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MoneyCall {
    Topup,
    Payment,
}

/// When the reply came.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// The answer to sending the call; `resend` when the same refID was
    /// sent before.
    Send { resend: bool },
    /// The answer to a status check (`cek=1`) of the call.
    Check,
}

/// What a reply means for a journaled money call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Success,
    Failed,
    Pending,
    /// The gateway holds no record of this call (or, for a bill, only the
    /// inquiry): it may never have arrived, and may be sent again under
    /// the same refID.
    NotRecorded,
    /// Nothing can be concluded: keep following it.
    NoVerdict,
}

/// Reasons that are the transaction's own outcome (FIELD.md; the status
/// codes 40–56 name the same cases). Whole-word phrases, lower-case.
const OUTCOME_PHRASES: &[&str] = &[
    // wrong number or customer
    "nomor salah",
    "nomor tujuan salah",
    "no tujuan salah",
    "tujuan salah",
    "salah nomor",
    "nomor tidak valid",
    "nomor tujuan tidak valid",
    "nomor tidak terdaftar",
    "nomor tujuan tidak terdaftar",
    "nomor tidak ditemukan",
    "nomor tujuan tidak ditemukan",
    "nomor tidak dikenal",
    "idpel salah",
    "idpel tidak ditemukan",
    "idpel tidak terdaftar",
    "id pelanggan salah",
    "id pelanggan tidak ditemukan",
    "pelanggan tidak ditemukan",
    "nomor meter salah",
    "no meter salah",
    "va tidak terdaftar",
    "wrong number",
    "invalid number",
    "wrong player id",
    "player id salah",
    "id game salah",
    "nomor diblokir",
    "nomor terblokir",
    "luar wilayah",
    // product closed or empty
    "stok kosong",
    "stock kosong",
    "stok habis",
    "produk kosong",
    "produk gangguan",
    "gangguan produk",
    "produk tidak tersedia",
    "produk tidak ditemukan",
    "produk tutup",
    "produk sedang tutup",
    "produk tidak aktif",
    "produk nonaktif",
    "kode produk salah",
    "out of stock",
    "product not available",
    "cut off",
    "cutoff",
    // the bill
    "sudah lunas",
    "tagihan lunas",
    "sudah dibayar",
    "sudah terbayar",
    "already paid",
    "tagihan tidak ditemukan",
    "tagihan belum tersedia",
    "belum ada tagihan",
    "tidak ada tagihan",
    // cancelled or refunded
    "dibatalkan",
    "batal",
    "refund",
    "direfund",
    "di refund",
    "cancel",
    "cancelled",
    "canceled",
    "dana dikembalikan",
    "saldo dikembalikan",
    // the balance
    "saldo tidak cukup",
    "saldo kurang",
    "saldo tidak mencukupi",
    "insufficient balance",
];

/// Reasons that refuse the request (the check itself, the account, the
/// rate) rather than give the transaction's outcome.
const REFUSAL_PHRASES: &[&str] = &[
    "terlalu sering",
    "request ditolak",
    "permintaan ditolak",
    "tidak punya hak",
    "tidak memiliki hak",
    "tidak berhak",
    "format salah",
    "format tidak valid",
    "refid tidak valid",
    "ref id tidak valid",
    "too many",
];

impl Reader {
    /// Whether a failure reason (or an outcome code) is the transaction's
    /// own outcome, and not a refusal of the request.
    pub fn is_outcome(&self, reason: &str, code: Option<u16>) -> bool {
        let lower = reason.to_lowercase();
        let words = Words::of(&lower);
        if words.has_phrase(REFUSAL_PHRASES) || words.has_phrase(self.rules().refusals()) {
            return false;
        }
        let low_balance = words.has_phrase(&["saldo"])
            && words.has_phrase(&["kurang", "tidak cukup", "tidak mencukupi"]);
        if words.has_phrase(OUTCOME_PHRASES)
            || words.has_phrase(self.rules().outcomes())
            || low_balance
        {
            return true;
        }
        !says_no_verdict(reason) && code.and_then(code_status) == Some(TxStatus::Failed)
    }

    /// What `reply` means for a money call `call` (see the module rules).
    pub fn verdict(
        &self,
        kind: MoneyCall,
        phase: Phase,
        call: &Call<'_>,
        reply: &GatewayReply,
    ) -> Verdict {
        let status = reply.status_for(call);
        let reason = reply.reason.as_deref().unwrap_or("");
        // "No such transaction": the call may never have arrived. Safe to
        // act on even from a bare line: it only leads to a resend under
        // the same refID, which a gateway never charges twice.
        let other = reply.about(call) == super::reply::About::OtherCall;
        if phase == Phase::Check && !other && reply.is_not_found() {
            return Verdict::NotRecorded;
        }
        match status {
            TxStatus::Success if kind == MoneyCall::Payment && !reply.is_payment_line() => {
                if phase == Phase::Check && reply.is_inquiry_echo() {
                    Verdict::NotRecorded
                } else {
                    Verdict::NoVerdict
                }
            }
            TxStatus::Success => Verdict::Success,
            TxStatus::Pending => Verdict::Pending,
            TxStatus::Failed => match phase {
                Phase::Send { .. } if says_ref_taken(reason) => Verdict::NoVerdict,
                Phase::Send { resend: true } if says_no_verdict(reason) => Verdict::NoVerdict,
                Phase::Send { .. } => Verdict::Failed,
                Phase::Check if self.is_outcome(reason, reply.code) => Verdict::Failed,
                Phase::Check => Verdict::NoVerdict,
            },
            TxStatus::Unknown => Verdict::NoVerdict,
        }
    }
}
