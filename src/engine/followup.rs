//! The status command and the follow-up of calls whose outcome is not
//! known yet: status checks with backoff, same-refID resends, results
//! posted to the chat.

use super::*;

impl Engine {
    // ---- status and history ----

    pub(super) async fn status(
        &self,
        ctx: &ChatCtx,
        lang: Lang,
        ref_id: &str,
    ) -> Result<Response, Refusal> {
        self.access(ctx, false)?;
        // loket mints refIDs in upper case; `status lmwx8i…` is the same.
        let ref_id = &ref_id.to_ascii_uppercase();
        let entry = self
            .inner
            .store
            .entry(ref_id)?
            .filter(|e| e.chat_id == ctx.chat_id);
        let Some(mut entry) = entry else {
            // A bill that was checked but not paid has no journal entry.
            let inquiry = self
                .inner
                .store
                .inquiry(ref_id)?
                .filter(|i| i.chat_id == ctx.chat_id);
            return match inquiry {
                Some(i) => Ok(Response::reply(Reply::text(self.say(
                    lang,
                    "status-unpaid-bill",
                    &[("product", i.product), ("dest", i.dest), ("ref", i.ref_id)],
                )))),
                None => Err(Refusal::Message(
                    "status-unknown-ref",
                    vec![("ref", ref_id.to_string())],
                )),
            };
        };
        let creds = self.creds_of(&entry);
        if let (false, Some(creds)) = (entry.state.is_final(), creds) {
            let (view, reply) = self.check_status(&creds, &entry).await;
            entry.checks += 1;
            if let StatusView::Final(state) = view {
                entry.state = state;
                if let Some(reply) = &reply {
                    absorb_reply(&mut entry, reply);
                }
                entry.updated_at = Utc::now();
                entry = self.inner.store.update_entry(&entry).await?;
                self.settle_inquiry(&entry).await;
            } else {
                self.follow(entry.ref_id.clone(), self.inner.config.recheck_after);
            }
        }
        Ok(Response::reply(Reply::text(self.result_text(lang, &entry))))
    }

    pub(super) fn history(&self, ctx: &ChatCtx, lang: Lang) -> Result<Response, Refusal> {
        let entries = self.inner.store.recent_entries(ctx.chat_id, HISTORY_LEN)?;
        if entries.is_empty() {
            return Ok(Response::reply(Reply::text(self.say(
                lang,
                "history-empty",
                &[],
            ))));
        }
        let lines: Vec<String> = entries
            .iter()
            .map(|e| {
                self.say(
                    lang,
                    "history-line",
                    &[
                        ("time", e.created_at.format("%d/%m %H:%M").to_string()),
                        ("product", e.product.clone()),
                        ("dest", e.dest.clone()),
                        ("state", self.state_word(lang, e.state)),
                        (
                            "price",
                            e.price.map(|p| p.to_string()).unwrap_or_else(|| "-".into()),
                        ),
                        ("ref", e.ref_id.clone()),
                    ],
                )
            })
            .collect();
        let text = format!(
            "{}\n{}",
            self.say(lang, "history-title", &[]),
            lines.join("\n")
        );
        Ok(Response::reply(Reply::text(text)))
    }

    // ---- follow-up of unfinished calls ----

    /// Starts following `ref_id` unless it is already followed.
    pub(super) fn follow(&self, ref_id: String, first_wait: Duration) {
        if !self
            .inner
            .following
            .lock()
            .expect("following lock")
            .insert(ref_id.clone())
        {
            return;
        }
        let engine = self.clone();
        tokio::spawn(async move {
            engine.follow_loop(&ref_id, first_wait).await;
            engine
                .inner
                .following
                .lock()
                .expect("following lock")
                .remove(&ref_id);
        });
    }

    pub(super) async fn follow_loop(&self, ref_id: &str, first_wait: Duration) {
        let config = &self.inner.config;
        let mut wait = first_wait;
        loop {
            tokio::time::sleep(wait).await;
            wait = if wait.is_zero() {
                config.recheck_after
            } else {
                (wait * 2).min(config.recheck_cap)
            };
            let mut entry = match self.inner.store.entry(ref_id) {
                Ok(Some(entry)) if !entry.state.is_final() => entry,
                Ok(_) => return,
                Err(e) => {
                    tracing::error!(error = %e, ref_id, "cannot read journal entry to follow");
                    return;
                }
            };
            let expired = Utc::now()
                .signed_duration_since(entry.created_at)
                .to_std()
                .is_ok_and(|age| age > config.follow_for);
            let Some(creds) = self.creds_of(&entry) else {
                tracing::warn!(
                    ref_id,
                    "no account to follow this entry with; will retry after restart"
                );
                return;
            };
            let (view, reply) = self.check_status(&creds, &entry).await;
            entry.checks += 1;
            match view {
                StatusView::Final(state) => {
                    entry.state = state;
                    if let Some(reply) = &reply {
                        absorb_reply(&mut entry, reply);
                    }
                    entry.updated_at = Utc::now();
                    if let Err(e) = self.inner.store.update_entry(&entry).await {
                        tracing::error!(error = %e, ref_id, "cannot record a followed result");
                        continue;
                    }
                    self.settle_inquiry(&entry).await;
                    let lang = self.lang(entry.chat_id);
                    self.notify(&entry, self.result_text(lang, &entry));
                    return;
                }
                // Past the window a call is never resent: that could land
                // days after the user gave up.
                StatusView::NotRecorded if !expired && entry.sends < config.max_sends => {
                    // The gateway never saw it: send again under the SAME
                    // refID (the gateway's idempotency key).
                    tracing::info!(
                        ref_id,
                        sends = entry.sends,
                        "gateway has no record; resending with the same refID"
                    );
                    let entry = self.send_journaled(&creds, entry).await;
                    if entry.state.is_final() {
                        let lang = self.lang(entry.chat_id);
                        self.notify(&entry, self.result_text(lang, &entry));
                        return;
                    }
                }
                StatusView::NotRecorded | StatusView::Pending | StatusView::Unreadable => {
                    if entry.state == EntryState::Sending {
                        entry.state = EntryState::Unknown;
                    }
                    entry.updated_at = Utc::now();
                    if let Err(e) = self.inner.store.update_entry(&entry).await {
                        tracing::error!(error = %e, ref_id, "cannot record a status check");
                    }
                    if expired {
                        // That was the last check: over to a human. Off the
                        // list of unfinished calls, so a restart does not
                        // say this again; `status REFID` still checks it.
                        if let Err(e) = self.inner.store.stop_following(ref_id) {
                            tracing::error!(error = %e, ref_id, "cannot stop following an entry");
                        }
                        let lang = self.lang(entry.chat_id);
                        self.notify(
                            &entry,
                            self.say(lang, "followup-gave-up", &[("ref", entry.ref_id.clone())]),
                        );
                        return;
                    }
                }
            }
        }
    }

    /// Asks the gateway about a journaled call (`cek=1`, same refID,
    /// product and dest) and reads the answer for that kind of call.
    pub(super) async fn check_status(
        &self,
        creds: &Credentials,
        entry: &JournalEntry,
    ) -> (StatusView, Option<GatewayReply>) {
        let request = transaction_request(
            creds,
            Operation::Status,
            &entry.product,
            &entry.dest,
            &entry.ref_id,
        );
        match self.inner.client.send(&request).await {
            Ok(body) => {
                let reply = parse_reply(&body);
                (interpret_status(entry, &reply), Some(reply))
            }
            Err(_) => (StatusView::Unreadable, None),
        }
    }

    pub(super) fn notify(&self, entry: &JournalEntry, text: String) {
        let notice = Notice {
            chat_id: entry.chat_id,
            reply_to: entry.message_id,
            reply: Reply::text(text),
        };
        if let Some(sender) = self.inner.notices.lock().expect("notices lock").as_ref() {
            let _ = sender.send(notice);
        }
    }
}

/// Reads a status-check answer for a topup or a payment. A bill's status
/// echo without `HRG` is still the inquiry's line: the payment is not
/// recorded yet, which is never "paid".
///
/// A final verdict needs the echo of this very call (`STATUS PRODUCT.DEST
/// …`): a bare `GAGAL, sign tidak valid` or a refusal of the check itself
/// (see [`says_no_verdict`]) says nothing about the call, which may have
/// been charged, so it is only unreadable and the checks go on.
pub(super) fn interpret_status(entry: &JournalEntry, reply: &GatewayReply) -> StatusView {
    if reply.is_not_found() {
        return StatusView::NotRecorded;
    }
    let about_this_call = reply.is_about(&entry.product, &entry.dest);
    match reply.status {
        TxStatus::Success | TxStatus::Failed if !about_this_call => StatusView::Unreadable,
        // Only a line with the price charged proves a payment landed.
        TxStatus::Success
            if entry.kind == EntryKind::Payment
                && (reply.is_inquiry_echo() || reply.price.is_none()) =>
        {
            StatusView::NotRecorded
        }
        TxStatus::Success => StatusView::Final(EntryState::Success),
        TxStatus::Failed if reply.reason.as_deref().is_some_and(says_no_verdict) => {
            StatusView::Unreadable
        }
        TxStatus::Failed => StatusView::Final(EntryState::Failed),
        TxStatus::Pending => StatusView::Pending,
        TxStatus::Unknown => StatusView::Unreadable,
    }
}

pub(super) fn entry_state(status: TxStatus) -> EntryState {
    match status {
        TxStatus::Success => EntryState::Success,
        TxStatus::Failed => EntryState::Failed,
        TxStatus::Pending => EntryState::Pending,
        TxStatus::Unknown => EntryState::Unknown,
    }
}

/// Copies what a reply tells about a call into its journal entry.
pub(super) fn absorb_reply(entry: &mut JournalEntry, reply: &GatewayReply) {
    if reply.price.is_some() {
        entry.price = reply.price;
    }
    if reply.sn.is_some() {
        entry.sn = reply.sn.clone();
    }
    entry.reason = reply.reason.clone();
    entry.raw_reply = Some(reply.raw.chars().take(2048).collect());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(kind: EntryKind, product: &str, dest: &str) -> JournalEntry {
        JournalEntry {
            ref_id: "LREF1".into(),
            chat_id: 1,
            user_id: 1,
            account_id: 1,
            member_id: "DEMO".into(),
            gateway: String::new(),
            message_id: None,
            kind,
            product: product.into(),
            dest: dest.into(),
            state: EntryState::Unknown,
            price: None,
            sn: None,
            reason: None,
            raw_reply: None,
            created_at: Utc::now(),
            updated_at: Utc::now(),
            sends: 1,
            checks: 0,
        }
    }

    #[test]
    fn unpaid_bill_echo_is_not_a_payment() {
        let bill = entry(EntryKind::Payment, "PLNPASC", "546302215889");
        let topup = entry(EntryKind::Topup, "T1", "0812");
        let echo =
            parse_reply("STATUS PLNPASC.546302215889 SUKSES, DATA:Anto TAGIHAN:300000 ADMIN:2750.");
        assert_eq!(interpret_status(&bill, &echo), StatusView::NotRecorded);
        let paid = parse_reply("STATUS PLNPASC.546302215889 SUKSES, HRG:302750 REFID:X.");
        assert_eq!(
            interpret_status(&bill, &paid),
            StatusView::Final(EntryState::Success)
        );
        let missing = parse_reply("STATUS T1.0812 GAGAL, transaksi tidak ditemukan.");
        assert_eq!(interpret_status(&topup, &missing), StatusView::NotRecorded);
        let html = parse_reply("<html>502</html>");
        assert_eq!(interpret_status(&topup, &html), StatusView::Unreadable);
    }

    #[test]
    fn a_refused_status_check_is_no_verdict_on_the_call() {
        let topup = entry(EntryKind::Topup, "T10", "087712345678");
        for (text, view) in [
            // The check itself was refused: the call may still have landed.
            (
                "STATUS T10.087712345678 GAGAL, sign tidak valid.",
                StatusView::Unreadable,
            ),
            (
                "STATUS T10.087712345678 GAGAL, member tidak terdaftar.",
                StatusView::Unreadable,
            ),
            (
                "STATUS T10.087712345678 GAGAL, server sedang maintenance.",
                StatusView::Unreadable,
            ),
            ("GAGAL, IP tidak diizinkan.", StatusView::Unreadable),
            // A bare or foreign line is not this call's echo.
            ("GAGAL.", StatusView::Unreadable),
            ("SUKSES.", StatusView::Unreadable),
            (
                "STATUS T10.089999999999 GAGAL, nomor salah.",
                StatusView::Unreadable,
            ),
            (
                "STATUS T5.087712345678 SUKSES, HRG:6000 SN:1.",
                StatusView::Unreadable,
            ),
            // This call's own verdicts.
            (
                "STATUS T10.087712345678 GAGAL, nomor tujuan salah.",
                StatusView::Final(EntryState::Failed),
            ),
            (
                "STATUS t10.087712345678 SUKSES, HRG:11000 SN:9.",
                StatusView::Final(EntryState::Success),
            ),
            ("STATUS T10.087712345678 PENDING.", StatusView::Pending),
        ] {
            assert_eq!(interpret_status(&topup, &parse_reply(text)), view, "{text}");
        }
    }
}
