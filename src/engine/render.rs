//! Outcomes (`outcome`) → the text and buttons a chat is shown, from
//! `locales/`. The one place where a Rupiah, a WIB time, a serial or a
//! gateway's words are formatted for a user. Both front ends show plain
//! text today, so they share this renderer; a front end that shows an
//! outcome its own way (a receipt as a photo) starts from the same
//! outcome types.
//!
//! Owns: wording and layout. Must not: decide anything (who may, what was
//! paid) or touch the store or the gateway.

use super::journal::Progress;
use super::outcome::{
    BalanceView, BillView, Correction, HistoryLine, PaidTodayQuestion, Receipt, RepeatQuestion,
};
use super::*;
use crate::money::Rupiah;

/// `-` for an amount, serial or name that is not known.
const UNKNOWN: &str = "-";

fn amount(value: Option<Rupiah>) -> String {
    value.map_or_else(|| UNKNOWN.into(), |v| v.to_string())
}

impl Engine {
    /// A topup's or payment's result.
    pub(super) fn receipt_text(&self, lang: Lang, receipt: &Receipt) -> String {
        let kind = match receipt.kind {
            EntryKind::Topup => "topup",
            EntryKind::Payment => "pay",
        };
        let state = match receipt.state {
            EntryState::Success => "success",
            EntryState::Failed => "failed",
            EntryState::Pending => "pending",
            EntryState::Unknown | EntryState::Sending => "unknown",
        };
        let args = [
            ("product", receipt.product.clone()),
            ("dest", receipt.dest.clone()),
            ("ref", receipt.ref_id.clone()),
            ("cost", amount(receipt.cost)),
            (
                "sn",
                receipt
                    .sn
                    .as_deref()
                    .map_or_else(|| UNKNOWN.into(), format_sn),
            ),
            (
                "reason",
                receipt
                    .reason
                    .as_deref()
                    .map_or_else(|| UNKNOWN.into(), quote),
            ),
        ];
        let text = self.text(lang, &format!("{kind}-{state}"), &args);
        // Unreadable: the chat sees the gateway's own words (a reseller
        // can often tell what happened).
        match &receipt.unread_words {
            Some(raw) => format!(
                "{text}\n{}",
                self.text(lang, "gateway-said", &[("words", gateway_words(raw))])
            ),
            None => text,
        }
    }

    /// The receipt of a journal entry as it stands; a success priced by a
    /// `/jual` rule also says what to collect and the profit.
    pub(super) fn result_text(&self, lang: Lang, entry: &JournalEntry) -> String {
        let text = self.receipt_text(lang, &Receipt::of(entry));
        match (entry.state, entry.pricing, entry.selling_price()) {
            (EntryState::Success, Some(_), Some(sell)) => format!(
                "{text}\n{}",
                self.text(
                    lang,
                    "receipt-selling",
                    &[
                        ("sell", sell.to_string()),
                        ("profit", amount(entry.profit())),
                    ],
                )
            ),
            _ => text,
        }
    }

    /// The receipt of a journal entry as a reply that, when final, is
    /// marked told once the chat accepted it.
    /// A success carries the Struk button (the receipt for the customer), a
    /// final topup the Ulangi button.
    pub(super) fn result_reply(&self, lang: Lang, entry: &JournalEntry) -> Reply {
        let mut buttons = Vec::new();
        if entry.state == EntryState::Success {
            buttons.push(self.button(
                lang,
                "button-struk",
                &[],
                ButtonAction::Receipt(entry.ref_id.clone()),
            ));
        }
        // A final topup can be sent again (through the duplicate question),
        // and a successful one's number saved as a customer.
        if entry.kind == EntryKind::Topup && entry.state.is_final() {
            buttons.push(self.button(
                lang,
                "button-repeat",
                &[],
                ButtonAction::Repeat(entry.ref_id.clone()),
            ));
            if entry.state == EntryState::Success {
                buttons.push(self.button(
                    lang,
                    "button-save",
                    &[],
                    ButtonAction::SaveCustomer(entry.ref_id.clone()),
                ));
            }
        }
        Reply {
            text: self.result_text(lang, entry),
            buttons,
            copy: self.copy_buttons(lang, entry),
            tells: tells_of(entry),
            ..Reply::default()
        }
    }

    /// A success's SN (or PLN token), one tap to copy.
    pub(super) fn copy_buttons(&self, lang: Lang, entry: &JournalEntry) -> Vec<CopyButton> {
        let Some(sn) = entry
            .sn
            .as_deref()
            .filter(|_| entry.state == EntryState::Success)
        else {
            return Vec::new();
        };
        let (label, text) = match crate::shop::PlnToken::of_sn(sn) {
            Some(token) => ("button-copy-token", token.token),
            None => ("button-copy-sn", sn.trim().to_string()),
        };
        if text.is_empty() {
            return Vec::new();
        }
        vec![CopyButton {
            label: self.text(lang, label, &[]),
            text: text.chars().take(COPY_TEXT_LIMIT).collect(),
        }]
    }

    pub(super) fn state_word(&self, lang: Lang, state: EntryState) -> String {
        let id = match state {
            EntryState::Success => "state-success",
            EntryState::Failed => "state-failed",
            EntryState::Pending => "state-pending",
            EntryState::Unknown | EntryState::Sending => "state-unknown",
        };
        self.text(lang, id, &[])
    }

    /// A checked bill, with its Bayar and Batal buttons while it can be
    /// paid.
    pub(super) fn bill_reply(&self, lang: Lang, bill: &BillView) -> Reply {
        let mut text = self.text(
            lang,
            "bill",
            &[
                (
                    "family",
                    self.text(lang, &format!("family-{}", bill.family), &[]),
                ),
                ("product", bill.product.clone()),
                ("dest", bill.dest.clone()),
                (
                    "name",
                    bill.name.as_deref().map_or_else(|| UNKNOWN.into(), quote),
                ),
                ("bill", bill.bill.unwrap_or_default().to_string()),
                ("admin", bill.admin.unwrap_or_default().to_string()),
                ("total", bill.total.to_string()),
                ("ref", bill.ref_id.clone()),
            ],
        );
        if let Some(collect) = bill.collect {
            text.push('\n');
            text.push_str(&self.text(lang, "bill-collect", &[("collect", collect.to_string())]));
        }
        let Some(minutes) = bill.payable_minutes else {
            return Reply::text(text);
        };
        text.push('\n');
        text.push_str(&self.text(lang, "bill-payable", &[("minutes", minutes.to_string())]));
        Reply {
            text,
            buttons: vec![
                self.button(
                    lang,
                    "button-pay",
                    &[("total", bill.total.to_string())],
                    ButtonAction::Pay(bill.ref_id.clone()),
                ),
                self.button(
                    lang,
                    "button-cancel",
                    &[],
                    ButtonAction::CancelBill(bill.ref_id.clone()),
                ),
                self.button(
                    lang,
                    "button-save",
                    &[],
                    ButtonAction::SaveCustomer(bill.ref_id.clone()),
                ),
            ],
            ..Reply::default()
        }
    }

    pub(super) fn balance_text(&self, lang: Lang, balance: &BalanceView) -> String {
        self.text(
            lang,
            "balance",
            &[
                ("amount", balance.amount.to_string()),
                ("at", balance.at.clone().unwrap_or_default()),
                ("member", balance.member.clone()),
            ],
        )
    }

    /// `riwayat`: a title and one line per entry, times in WIB.
    pub(super) fn history_text(&self, lang: Lang, lines: &[HistoryLine]) -> String {
        if lines.is_empty() {
            return self.text(lang, "history-empty", &[]);
        }
        let lines: Vec<String> = lines
            .iter()
            .map(|line| {
                self.text(
                    lang,
                    "history-line",
                    &[
                        ("time", crate::wib::day_and_time(line.at)),
                        ("product", line.product.clone()),
                        ("dest", line.dest.clone()),
                        ("state", self.state_word(lang, line.state)),
                        ("cost", amount(line.cost)),
                        ("ref", line.ref_id.clone()),
                    ],
                )
            })
            .collect();
        format!(
            "{}\n{}",
            self.text(lang, "history-title", &[]),
            lines.join("\n")
        )
    }

    /// "Kirim lagi?" with its buttons.
    pub(super) fn repeat_question(&self, lang: Lang, question: &RepeatQuestion) -> Reply {
        let text = self.text(
            lang,
            "topup-duplicate",
            &[
                ("product", question.product.clone()),
                ("dest", question.dest.clone()),
                ("minutes", question.minutes_ago.to_string()),
                ("state", self.state_word(lang, question.previous)),
            ],
        );
        Reply {
            text,
            buttons: vec![
                self.button(
                    lang,
                    "button-send-again",
                    &[],
                    ButtonAction::SendAgain(question.ref_id.clone()),
                ),
                self.button(
                    lang,
                    "button-cancel",
                    &[],
                    ButtonAction::DontSend(question.ref_id.clone()),
                ),
            ],
            ..Reply::default()
        }
    }

    /// "Sudah dibayar hari ini pukul 14:05 WIB … Bayar lagi?"
    pub(super) fn paid_today_question(&self, lang: Lang, question: &PaidTodayQuestion) -> Reply {
        let text = self.text(
            lang,
            "bill-paid-today",
            &[
                ("product", question.product.clone()),
                ("dest", question.dest.clone()),
                ("time", crate::wib::clock_time(question.paid_at)),
                ("ref", question.paid_ref.clone()),
                ("cost", amount(question.cost)),
            ],
        );
        Reply {
            text,
            buttons: vec![
                self.button(
                    lang,
                    "button-pay-again",
                    &[],
                    ButtonAction::PayAgain(question.inquiry_ref.clone()),
                ),
                self.button(
                    lang,
                    "button-cancel",
                    &[],
                    ButtonAction::CancelBill(question.inquiry_ref.clone()),
                ),
            ],
            ..Reply::default()
        }
    }

    /// "The gateway now says SUKSES: Rp10.880 was charged".
    pub(super) fn correction_text(&self, lang: Lang, correction: &Correction) -> String {
        let mut text = self.text(
            lang,
            "status-corrected",
            &[
                ("ref", correction.ref_id.clone()),
                ("state", self.state_word(lang, correction.now)),
                ("before", self.state_word(lang, correction.before)),
            ],
        );
        if let (EntryState::Success, Some(cost)) = (correction.now, correction.cost) {
            text.push('\n');
            text.push_str(&self.text(
                lang,
                "status-corrected-charged",
                &[("cost", cost.to_string())],
            ));
        }
        text
    }

    /// What following a call came to, for its chat; `None` when there is
    /// nothing to say.
    pub(super) fn progress_text(
        &self,
        lang: Lang,
        entry: &JournalEntry,
        progress: Progress,
    ) -> Option<String> {
        Some(match progress {
            Progress::Final => self.result_text(lang, entry),
            Progress::GatewaySays(words) => self.text(
                lang,
                "followup-gateway-says",
                &[("ref", entry.ref_id.clone()), ("words", words)],
            ),
            Progress::GaveUp => {
                self.text(lang, "followup-gave-up", &[("ref", entry.ref_id.clone())])
            }
            Progress::Unsigned(why) => return self.unsigned_text(lang, entry, why),
        })
    }

    /// What to do so an unfinished call can be checked again.
    pub(super) fn unsigned_text(
        &self,
        lang: Lang,
        entry: &JournalEntry,
        why: Unsigned,
    ) -> Option<String> {
        let id = match why {
            Unsigned::LoggedOut => "unsigned-logged-out",
            Unsigned::OtherMember => "unsigned-other-member",
            Unsigned::OtherGateway => "unsigned-other-gateway",
            Unsigned::StoreError => return None,
        };
        Some(self.text(
            lang,
            id,
            &[
                ("ref", entry.ref_id.clone()),
                ("member", entry.member_id.clone()),
                ("gateway", entry.gateway.clone()),
            ],
        ))
    }

    /// "The gateway did not answer properly", with its words when it said
    /// something.
    pub(super) fn unclear_text(&self, lang: Lang, raw: &str) -> String {
        let text = self.text(lang, "gateway-unclear", &[]);
        if raw.trim().is_empty() {
            return text;
        }
        format!(
            "{text}\n{}",
            self.text(lang, "gateway-said", &[("words", gateway_words(raw))])
        )
    }

    /// A button labelled by a locale message.
    pub(super) fn button(
        &self,
        lang: Lang,
        label: &str,
        args: &[(&str, String)],
        action: ButtonAction,
    ) -> Button {
        Button {
            label: self.text(lang, label, args),
            data: action.encode(),
        }
    }

    pub(super) fn call_error_text(&self, lang: Lang, error: &CallError) -> String {
        self.text(lang, call_error_id(error), &[])
    }
}

/// The result a reply showing this entry tells, when it is final.
pub(super) fn tells_of(entry: &JournalEntry) -> Option<Tells> {
    entry.state.is_final().then(|| Tells {
        ref_id: entry.ref_id.clone(),
        state: entry.state,
    })
}

/// The locale message of a gateway call that got no readable answer.
pub(super) fn call_error_id(error: &CallError) -> &'static str {
    match error {
        CallError::Timeout => "gateway-timeout",
        CallError::Connect => "gateway-unreachable",
        CallError::Status(_) | CallError::Broken => "gateway-unclear",
    }
}
