//! Balance, topups, bill inquiry → payment and the buttons that confirm
//! them. Every money call is journaled before it is sent.

use super::followup::{absorb_reply, final_state};
use super::*;

impl Engine {
    // ---- balance ----

    pub(super) async fn balance(&self, ctx: &ChatCtx, lang: Lang) -> Result<Response, Refusal> {
        let access = self.access(ctx, false)?;
        let text = match self
            .inner
            .client
            .read(&balance_request(&access.creds))
            .await
        {
            Ok(body) => match self.inner.reader.balance(&body) {
                BalanceReply::Balance { amount, at } => self.say(
                    lang,
                    "balance",
                    &[
                        ("amount", amount.to_string()),
                        ("at", at.unwrap_or_default()),
                        ("member", access.creds.member_id.clone()),
                    ],
                ),
                BalanceReply::Refused { reason } => {
                    self.say(lang, "balance-refused", &[("reason", quote(&reason))])
                }
                BalanceReply::Unknown { raw } => self.unclear_text(lang, &raw),
            },
            Err(e) => self.call_error_text(lang, &e),
        };
        Ok(Response::reply(Reply::text(text)))
    }

    /// "The gateway did not answer properly", with its words when it said
    /// something.
    pub(super) fn unclear_text(&self, lang: Lang, raw: &str) -> String {
        let text = self.say(lang, "gateway-unclear", &[]);
        if raw.trim().is_empty() {
            return text;
        }
        format!(
            "{text}\n{}",
            self.say(lang, "gateway-said", &[("words", gateway_words(raw))])
        )
    }

    pub(super) fn call_error_text(&self, lang: Lang, error: &CallError) -> String {
        let id = match error {
            CallError::Timeout => "gateway-timeout",
            CallError::Connect => "gateway-unreachable",
            CallError::Status(_) | CallError::Broken => "gateway-unclear",
        };
        self.say(lang, id, &[])
    }

    // ---- topup ----

    pub(super) async fn topup(
        &self,
        ctx: &ChatCtx,
        lang: Lang,
        target: Target,
    ) -> Result<Response, Refusal> {
        let access = self.access(ctx, true)?;
        if let Some(previous) = self.recent_same_topup(ctx.chat_id, &target)? {
            let ref_id = self.mint_ref()?;
            self.inner.store.put_confirmation(&PendingConfirmation {
                ref_id: ref_id.clone(),
                chat_id: ctx.chat_id,
                user_id: ctx.user_id,
                product: target.product.clone(),
                dest: target.dest.clone(),
                created_at: Utc::now(),
            })?;
            let text = self.say(
                lang,
                "topup-duplicate",
                &[
                    ("product", target.product),
                    ("dest", target.dest),
                    ("minutes", minutes_ago(previous.created_at).to_string()),
                    ("state", self.state_word(lang, previous.state)),
                ],
            );
            let buttons = vec![
                Button {
                    label: self.say(lang, "button-send-again", &[]),
                    data: ButtonAction::SendAgain(ref_id.clone()).encode(),
                },
                Button {
                    label: self.say(lang, "button-cancel", &[]),
                    data: ButtonAction::DontSend(ref_id).encode(),
                },
            ];
            return Ok(Response::reply(Reply { text, buttons }));
        }
        let ref_id = self.mint_ref()?;
        self.send_topup(ctx, lang, access, target, ref_id).await
    }

    /// The chat's latest topup of the same product and dest inside the
    /// duplicate window, unless it failed.
    pub(super) fn recent_same_topup(
        &self,
        chat_id: i64,
        target: &Target,
    ) -> Result<Option<JournalEntry>, Refusal> {
        let window = chrono::Duration::from_std(self.inner.config.duplicate_window)
            .unwrap_or(chrono::Duration::zero());
        let since = Utc::now() - window;
        Ok(self
            .inner
            .store
            .recent_entries(chat_id, DUPLICATE_SCAN)?
            .into_iter()
            .find(|e| {
                e.kind == EntryKind::Topup
                    && e.product == target.product
                    && e.dest == target.dest
                    && e.created_at >= since
                    && e.state != EntryState::Failed
            }))
    }

    pub(super) async fn send_topup(
        &self,
        ctx: &ChatCtx,
        lang: Lang,
        access: Access,
        target: Target,
        ref_id: String,
    ) -> Result<Response, Refusal> {
        let entry = self.new_entry(ctx, &access, EntryKind::Topup, &target, ref_id);
        if !self.inner.store.begin_entry(&entry).await? {
            return Err(refuse("already-processed"));
        }
        let entry = self.send_money(&access.creds, entry).await;
        Ok(Response::reply(Reply::text(self.result_text(lang, &entry))))
    }

    pub(super) fn new_entry(
        &self,
        ctx: &ChatCtx,
        access: &Access,
        kind: EntryKind,
        target: &Target,
        ref_id: String,
    ) -> JournalEntry {
        let now = Utc::now();
        JournalEntry {
            ref_id,
            chat_id: ctx.chat_id,
            user_id: ctx.user_id,
            account_id: access.account_id,
            member_id: access.creds.member_id.clone(),
            gateway: shown_url(&access.creds.base_url),
            message_id: ctx.message_id,
            kind,
            product: target.product.clone(),
            dest: target.dest.clone(),
            state: EntryState::Sending,
            price: None,
            sn: None,
            reason: None,
            raw_reply: None,
            created_at: now,
            updated_at: now,
            sends: 0,
            checks: 0,
            history: Vec::new(),
            shown: None,
        }
    }

    /// Sends a journaled call (already written as `Sending`), records what
    /// came back and, unless it is final, follows it in the background.
    pub(super) async fn send_money(
        &self,
        creds: &Credentials,
        entry: JournalEntry,
    ) -> JournalEntry {
        let entry = self.send_journaled(creds, entry).await;
        if !entry.state.is_final() {
            self.follow(entry.ref_id.clone(), self.inner.config.recheck_after);
        }
        entry
    }

    /// One send of a journaled call under its own refID. Anything but a
    /// readable SUKSES/GAGAL/PENDING leaves it `Unknown`: a timeout, a
    /// broken connection or a 5xx may still have been charged.
    pub(super) async fn send_journaled(
        &self,
        creds: &Credentials,
        mut entry: JournalEntry,
    ) -> JournalEntry {
        let request = transaction_request(
            creds,
            entry.kind.operation(),
            &entry.product,
            &entry.dest,
            &entry.ref_id,
        );
        entry.sends += 1;
        entry.state = match self.inner.client.send(&request).await {
            Ok(body) => {
                let reply = self.inner.reader.read(&call_of(&entry), &body);
                let phase = Phase::Send {
                    resend: entry.sends > 1,
                };
                let verdict = self.inner.reader.verdict(
                    money_call(entry.kind),
                    phase,
                    &call_of(&entry),
                    &reply,
                );
                absorb_reply(&mut entry, &reply);
                match (verdict, final_state(verdict)) {
                    (_, Some(state)) => state,
                    (Verdict::Pending, None) => EntryState::Pending,
                    // A reply not about this call, a refusal that gives no
                    // verdict on an earlier send of this refID, an
                    // inquiry's line for a payment: it may have been
                    // charged, so it is followed up.
                    _ => EntryState::Unknown,
                }
            }
            Err(error) => {
                tracing::warn!(ref_id = %entry.ref_id, %error, "money call has no readable answer; following it up");
                EntryState::Unknown
            }
        };
        entry.updated_at = Utc::now();
        match self.inner.store.update_entry(&entry).await {
            Ok(stored) => entry = stored,
            Err(e) => {
                tracing::error!(error = %e, ref_id = %entry.ref_id, "cannot record a money call's result")
            }
        }
        self.settle_inquiry(&entry).await;
        entry
    }

    /// Moves a payment's inquiry to its final state: from `Paying`, or
    /// from the other final state when a later answer corrected the
    /// journal.
    pub(super) async fn settle_inquiry(&self, entry: &JournalEntry) {
        if entry.kind != EntryKind::Payment {
            return;
        }
        let (to, other) = match entry.state {
            EntryState::Success => (InquiryState::Paid, InquiryState::Failed),
            EntryState::Failed => (InquiryState::Failed, InquiryState::Paid),
            _ => return,
        };
        for from in [InquiryState::Paying, other] {
            match self
                .inner
                .store
                .transition_inquiry(&entry.ref_id, from, to)
                .await
            {
                Ok(Some(_)) => return,
                Ok(None) => {}
                Err(e) => {
                    tracing::error!(error = %e, ref_id = %entry.ref_id, "cannot settle inquiry");
                    return;
                }
            }
        }
    }

    /// The user-facing text for a journal entry's current state.
    pub(super) fn result_text(&self, lang: Lang, entry: &JournalEntry) -> String {
        let kind = match entry.kind {
            EntryKind::Topup => "topup",
            EntryKind::Payment => "pay",
        };
        let state = match entry.state {
            EntryState::Success => "success",
            EntryState::Failed => "failed",
            EntryState::Pending => "pending",
            EntryState::Unknown | EntryState::Sending => "unknown",
        };
        let id = format!("{kind}-{state}");
        let args = [
            ("product", entry.product.clone()),
            ("dest", entry.dest.clone()),
            ("ref", entry.ref_id.clone()),
            (
                "price",
                entry
                    .price
                    .map(|p| p.to_string())
                    .unwrap_or_else(|| "-".into()),
            ),
            (
                "sn",
                entry
                    .sn
                    .as_deref()
                    .map(format_sn)
                    .unwrap_or_else(|| "-".into()),
            ),
            (
                "reason",
                entry
                    .reason
                    .as_deref()
                    .map(quote)
                    .unwrap_or_else(|| "-".into()),
            ),
        ];
        let text = self.say(lang, &id, &args);
        // Unreadable: the chat sees the gateway's own words (item 7 of the
        // dialect work: a reseller can often tell what happened).
        match (&entry.state, &entry.raw_reply) {
            (EntryState::Unknown, Some(raw)) if !raw.trim().is_empty() => format!(
                "{text}\n{}",
                self.say(lang, "gateway-said", &[("words", gateway_words(raw))])
            ),
            _ => text,
        }
    }

    pub(super) fn state_word(&self, lang: Lang, state: EntryState) -> String {
        let id = match state {
            EntryState::Success => "state-success",
            EntryState::Failed => "state-failed",
            EntryState::Pending => "state-pending",
            EntryState::Unknown | EntryState::Sending => "state-unknown",
        };
        self.say(lang, id, &[])
    }

    // ---- inquiry and payment ----

    pub(super) async fn inquiry(
        &self,
        ctx: &ChatCtx,
        lang: Lang,
        bill: Bill,
    ) -> Result<Response, Refusal> {
        let access = self.access(ctx, true)?;
        let target = bill.target;
        // A payment of this bill whose outcome is not known yet: a new
        // check would mint a new refID, and paying it could pay twice.
        if let Some(previous) =
            self.inner
                .store
                .latest_inquiry(ctx.chat_id, &target.product, &target.dest)?
        {
            // A claim with no journal entry was never sent (the entry is
            // flushed before the call), so only a journaled, unsettled
            // payment blocks a new check.
            let unsettled = previous.state == InquiryState::Paying
                && self
                    .inner
                    .store
                    .entry(&previous.ref_id)?
                    .is_some_and(|entry| !entry.state.is_final());
            if unsettled {
                return Err(Refusal::Message(
                    "bill-payment-in-progress",
                    vec![("ref", previous.ref_id)],
                ));
            }
        }
        let ref_id = self.mint_ref()?;
        let request = transaction_request(
            &access.creds,
            Operation::Inquiry,
            &target.product,
            &target.dest,
            &ref_id,
        );
        let body = match self.inner.client.read(&request).await {
            Ok(body) => body,
            Err(e) => return Ok(Response::reply(Reply::text(self.call_error_text(lang, &e)))),
        };
        let call = Call {
            product: &target.product,
            dest: &target.dest,
            ref_id: &ref_id,
        };
        let reply = self.inner.reader.read(&call, &body);
        // An inquiry moves no money, so a bare refusal (`GAGAL, sign
        // salah`) is shown as the failure it is; a line about another
        // call never is.
        let status = match reply.status_for(&call) {
            TxStatus::Unknown if reply.is_bare() && reply.status == TxStatus::Failed => {
                TxStatus::Failed
            }
            status => status,
        };
        match status {
            TxStatus::Success => {}
            TxStatus::Failed => {
                let reason = reply
                    .reason
                    .as_deref()
                    .map(quote)
                    .unwrap_or_else(|| "-".into());
                return Ok(Response::reply(Reply::text(self.say(
                    lang,
                    "inquiry-failed",
                    &[
                        ("product", target.product),
                        ("dest", target.dest),
                        ("reason", reason),
                    ],
                ))));
            }
            TxStatus::Pending | TxStatus::Unknown => {
                return Ok(Response::reply(Reply::text(self.unclear_text(lang, &body))));
            }
        }
        let Some(total) = reply.bill_total() else {
            return Ok(Response::reply(Reply::text(self.say(
                lang,
                "inquiry-no-amount",
                &[("raw", quote(&reply.raw))],
            ))));
        };
        let inquiry = Inquiry {
            ref_id: ref_id.clone(),
            chat_id: ctx.chat_id,
            requested_by: ctx.user_id,
            product: target.product.clone(),
            dest: target.dest.clone(),
            family: bill.family.key.to_string(),
            name: reply.name.clone(),
            bill: reply.bill,
            admin: reply.admin,
            total: Some(total),
            created_at: Utc::now(),
            state: InquiryState::Open,
        };
        self.inner.store.put_inquiry(&inquiry).await?;
        let minutes = (self.inner.config.inquiry_ttl.as_secs() / 60).max(1);
        let text = self.say(
            lang,
            "bill",
            &[
                (
                    "family",
                    self.say(lang, &format!("family-{}", bill.family.key), &[]),
                ),
                ("product", target.product),
                ("dest", target.dest),
                (
                    "name",
                    reply
                        .name
                        .as_deref()
                        .map(quote)
                        .unwrap_or_else(|| "-".into()),
                ),
                ("bill", reply.bill.unwrap_or_default().to_string()),
                ("admin", reply.admin.unwrap_or_default().to_string()),
                ("total", total.to_string()),
                ("ref", ref_id.clone()),
                ("minutes", minutes.to_string()),
            ],
        );
        let buttons = vec![
            Button {
                label: self.say(lang, "button-pay", &[("total", total.to_string())]),
                data: ButtonAction::Pay(ref_id.clone()).encode(),
            },
            Button {
                label: self.say(lang, "button-cancel", &[]),
                data: ButtonAction::CancelBill(ref_id).encode(),
            },
        ];
        Ok(Response::reply(Reply { text, buttons }))
    }

    /// `PLNPASC 546302215889 bayar`: pays the open inquiry of that bill.
    pub(super) async fn pay_typed(
        &self,
        ctx: &ChatCtx,
        lang: Lang,
        bill: Bill,
    ) -> Result<Response, Refusal> {
        let target = bill.target;
        let Some(inquiry) =
            self.inner
                .store
                .latest_inquiry(ctx.chat_id, &target.product, &target.dest)?
        else {
            let example = format!("{} {} cek", target.product, target.dest);
            return Err(Refusal::Message(
                "pay-need-inquiry",
                vec![("example", example)],
            ));
        };
        let entry = self.pay(ctx, lang, inquiry).await?;
        Ok(Response::reply(Reply::text(self.result_text(lang, &entry))))
    }

    /// Pays an inquiry once. Every path that is not the first claim of an
    /// open, unexpired inquiry is refused before anything is sent.
    pub(super) async fn pay(
        &self,
        ctx: &ChatCtx,
        _lang: Lang,
        inquiry: Inquiry,
    ) -> Result<JournalEntry, Refusal> {
        if inquiry.chat_id != ctx.chat_id {
            return Err(refuse("pay-not-yours"));
        }
        let example = || {
            vec![(
                "example",
                format!("{} {} cek", inquiry.product, inquiry.dest),
            )]
        };
        match inquiry.state {
            InquiryState::Paying | InquiryState::Paid => return Err(refuse("pay-already")),
            InquiryState::Failed | InquiryState::Cancelled => {
                return Err(Refusal::Message("pay-closed", example()))
            }
            InquiryState::Open => {}
        }
        if inquiry.is_expired(Utc::now(), self.inner.config.inquiry_ttl) {
            return Err(Refusal::Message("pay-expired", example()));
        }
        let access = self.access(ctx, true)?;
        let owner = ctx.kind == ChatKind::Group && access.account_id == ctx.user_id;
        if inquiry.requested_by != ctx.user_id && !owner {
            return Err(refuse("pay-not-yours"));
        }
        // The claim: only one caller can move Open → Paying.
        let Some(inquiry) = self
            .inner
            .store
            .transition_inquiry(&inquiry.ref_id, InquiryState::Open, InquiryState::Paying)
            .await?
        else {
            return Err(refuse("pay-already"));
        };
        let target = Target {
            product: inquiry.product.clone(),
            dest: inquiry.dest.clone(),
        };
        let entry = self.new_entry(
            ctx,
            &access,
            EntryKind::Payment,
            &target,
            inquiry.ref_id.clone(),
        );
        if !self.inner.store.begin_entry(&entry).await? {
            return Err(refuse("pay-already"));
        }
        Ok(self.send_money(&access.creds, entry).await)
    }

    // ---- buttons ----

    pub(super) async fn handle_button(
        &self,
        ctx: &ChatCtx,
        lang: Lang,
        data: &str,
    ) -> Result<Response, Refusal> {
        let Some(action) = ButtonAction::decode(data) else {
            return Ok(Response {
                toast: Some(self.say(lang, "button-stale", &[])),
                ..Response::default()
            });
        };
        let toast = |engine: &Engine, id: &str, args: &[(&str, String)]| Response {
            toast: Some(engine.say(lang, id, args)),
            ..Response::default()
        };
        match action {
            ButtonAction::Pay(ref_id) => {
                let Some(inquiry) = self.inner.store.inquiry(&ref_id)? else {
                    return Ok(toast(self, "button-stale", &[]));
                };
                match self.pay(ctx, lang, inquiry).await {
                    Ok(entry) => {
                        let text = self.result_text(lang, &entry);
                        Ok(Response {
                            edit_source: Some(Reply::text(text)),
                            toast: Some(self.state_word(lang, entry.state)),
                            ..Response::default()
                        })
                    }
                    Err(Refusal::Message(id, args)) => Ok(toast(self, id, &args)),
                    Err(other) => Err(other),
                }
            }
            ButtonAction::CancelBill(ref_id) => {
                let Some(inquiry) = self.inner.store.inquiry(&ref_id)? else {
                    return Ok(toast(self, "button-stale", &[]));
                };
                // Only who asked, or the group's owner, may close a bill.
                let owner = ctx.kind == ChatKind::Group
                    && self
                        .inner
                        .store
                        .group(ctx.chat_id)?
                        .is_some_and(|link| link.owner == ctx.user_id);
                if inquiry.chat_id != ctx.chat_id || (inquiry.requested_by != ctx.user_id && !owner)
                {
                    return Ok(toast(self, "pay-not-yours", &[]));
                }
                match self
                    .inner
                    .store
                    .transition_inquiry(&ref_id, InquiryState::Open, InquiryState::Cancelled)
                    .await?
                {
                    Some(_) => Ok(Response {
                        edit_source: Some(Reply::text(self.say(
                            lang,
                            "bill-cancelled",
                            &[("product", inquiry.product), ("dest", inquiry.dest)],
                        ))),
                        ..Response::default()
                    }),
                    None => Ok(toast(self, "pay-already", &[])),
                }
            }
            ButtonAction::SendAgain(ref_id) => {
                let Some(question) = self.inner.store.take_confirmation(&ref_id)? else {
                    return Ok(toast(self, "already-processed", &[]));
                };
                if question.chat_id != ctx.chat_id || question.user_id != ctx.user_id {
                    self.inner.store.put_confirmation(&question)?;
                    return Ok(toast(self, "pay-not-yours", &[]));
                }
                let age = Utc::now()
                    .signed_duration_since(question.created_at)
                    .to_std()
                    .unwrap_or_default();
                if age > self.inner.config.duplicate_window {
                    return Ok(Response {
                        edit_source: Some(Reply::text(self.say(lang, "question-expired", &[]))),
                        ..Response::default()
                    });
                }
                let access = self.access(ctx, true)?;
                let target = Target {
                    product: question.product,
                    dest: question.dest,
                };
                let response = self
                    .send_topup(ctx, lang, access, target, question.ref_id)
                    .await?;
                Ok(Response {
                    edit_source: response.replies.into_iter().next(),
                    ..Response::default()
                })
            }
            ButtonAction::DontSend(ref_id) => {
                let text = match self.inner.store.take_confirmation(&ref_id)? {
                    Some(_) => self.say(lang, "topup-not-sent", &[]),
                    None => return Ok(toast(self, "already-processed", &[])),
                };
                Ok(Response {
                    edit_source: Some(Reply::text(text)),
                    ..Response::default()
                })
            }
        }
    }
}
