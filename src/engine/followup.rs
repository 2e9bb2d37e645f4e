//! The status and history commands, and what a chat is told while the
//! journal follows its calls (the journal itself is in `journal`).

use super::journal::Progress;
use super::outcome::{BillView, Correction, HistoryLine};
use super::*;

impl Engine {
    // ---- status and history ----

    pub(super) async fn status(
        &self,
        ctx: &ChatCtx,
        lang: Lang,
        ref_id: &str,
    ) -> Result<Response, Refusal> {
        // No account needed: the chat's own journal is shown even when its
        // account logged out (and says why the gateway is not asked).
        // loket mints refIDs in upper case; `status lmwx8i…` is the same.
        let ref_id = &ref_id.to_ascii_uppercase();
        let entry = self
            .inner
            .store
            .entry(ref_id)?
            .filter(|e| e.chat_id == ctx.chat_id);
        let Some(entry) = entry else {
            // A bill that was checked but not paid has no journal entry.
            let inquiry = self
                .inner
                .store
                .inquiry(ref_id)?
                .filter(|i| i.chat_id == ctx.chat_id);
            return match inquiry {
                Some(i) => Ok(Response::reply(self.unpaid_bill_status(lang, i)?)),
                None => Err(Refusal::Message(
                    "status-unknown-ref",
                    vec![("ref", ref_id.to_string())],
                )),
            };
        };
        // Always ask the gateway: a wrong verdict in the journal can only
        // be corrected by its answer.
        let creds = match self.creds_of(&entry) {
            Ok(creds) => creds,
            Err(why) => {
                let mut text = self.result_text(lang, &entry);
                if let Some(told) = self.unsigned_text(lang, &entry, why) {
                    text = format!("{text}\n\n{told}");
                }
                return Ok(Response::reply(Reply::text(text)));
            }
        };
        let before = entry.state;
        let (verdict, answer) = self.check(&creds, &entry).await;
        let entry = self.record_check(entry, verdict, answer.as_ref()).await?;
        if !entry.state.is_final() {
            self.follow(entry.ref_id.clone(), self.inner.config.recheck_after);
        }
        let mut parts = Vec::new();
        if before.is_final() && entry.state != before {
            parts.push(self.correction_text(
                lang,
                &Correction {
                    ref_id: entry.ref_id.clone(),
                    before,
                    now: entry.state,
                    cost: entry.cost,
                },
            ));
        }
        parts.push(self.result_text(lang, &entry));
        parts.push(match &answer {
            Ok(reply) => self.text(
                lang,
                "status-gateway-says",
                &[("words", gateway_words(&reply.raw))],
            ),
            Err(error) => self.call_error_text(lang, error),
        });
        // The chat saw the result: a final one counts as told (a success
        // with its Struk button).
        let reply = Reply {
            text: parts.join("\n\n"),
            ..self.result_reply(lang, &entry)
        };
        Ok(Response::reply(reply))
    }

    /// `status` of a bill that was checked but not paid: the bill again,
    /// with its buttons while it can still be paid.
    fn unpaid_bill_status(&self, lang: Lang, inquiry: Inquiry) -> Result<Reply, Refusal> {
        let line = self.text(
            lang,
            "status-unpaid-bill",
            &[
                ("product", inquiry.product.clone()),
                ("dest", inquiry.dest.clone()),
                ("ref", inquiry.ref_id.clone()),
            ],
        );
        let ttl = self.inner.config.inquiry_ttl;
        let now = self.now();
        let age = now
            .signed_duration_since(inquiry.created_at)
            .to_std()
            .unwrap_or_default();
        let open =
            self.inquiry_state(&inquiry)? == InquiryState::Open && !inquiry.is_expired(now, ttl);
        let Some(total) = inquiry.total else {
            return Ok(Reply::text(line));
        };
        let collect = self.collect_for(inquiry.account_id, &inquiry.product, total);
        let view = BillView {
            collect,
            family: inquiry.family,
            product: inquiry.product,
            dest: inquiry.dest,
            name: inquiry.name,
            bill: inquiry.bill,
            admin: inquiry.admin,
            total,
            ref_id: inquiry.ref_id,
            // Once it can no longer be paid it is shown for the record.
            payable_minutes: open.then(|| (ttl.saturating_sub(age).as_secs() / 60).max(1)),
        };
        let mut bill = self.bill_reply(lang, &view);
        bill.text = format!("{line}\n\n{}", bill.text);
        Ok(bill)
    }

    pub(super) fn history(&self, ctx: &ChatCtx, lang: Lang) -> Result<Response, Refusal> {
        let entries = self.inner.store.recent_entries(ctx.chat_id, HISTORY_LEN)?;
        let lines: Vec<HistoryLine> = entries.iter().map(HistoryLine::of).collect();
        Ok(Response::reply(Reply::text(
            self.history_text(lang, &lines),
        )))
    }

    // ---- follow-up of unfinished calls ----

    /// Tells a call's chat what following it came to (rendered here, in
    /// the chat's language; the journal only says what happened).
    pub(super) fn announce(&self, entry: &JournalEntry, progress: Progress) {
        let lang = self.lang(entry.chat_id);
        let reply = match progress {
            Progress::Final => {
                let reply = self.result_reply(lang, entry);
                self.notify(entry, reply);
                // A bill paid from a `cek semua` summary: the summary says
                // how it ended too.
                if entry.kind == EntryKind::Payment {
                    self.redraw_run_of(&entry.ref_id);
                }
                return;
            }
            other => match self.progress_text(lang, entry, other) {
                Some(text) => Reply::text(text),
                None => return,
            },
        };
        self.notify(entry, reply);
    }

    fn notify(&self, entry: &JournalEntry, reply: Reply) {
        let notice = Notice {
            chat_id: entry.chat_id,
            reply_to: entry.message_id,
            reply,
        };
        if self.inner.notices.send(notice).is_err() {
            tracing::warn!(chat = entry.chat_id, ref_id = %entry.ref_id, "no front end takes results any more; this one is in the journal");
        }
    }
}
