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
        if let Some(previous) = self.recent_same_topup(access.account_id, &target)? {
            let ref_id = self.mint_ref()?;
            self.inner
                .store
                .put_confirmation(&PendingConfirmation {
                    ref_id: ref_id.clone(),
                    chat_id: ctx.chat_id,
                    user_id: ctx.user_id,
                    product: target.product.clone(),
                    dest: target.dest.clone(),
                    created_at: Utc::now(),
                })
                .await?;
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

    /// The account's latest topup of the same product and dest inside the
    /// duplicate window, from any of its chats, unless it failed.
    pub(super) fn recent_same_topup(
        &self,
        account_id: i64,
        target: &Target,
    ) -> Result<Option<JournalEntry>, Refusal> {
        let window = chrono::Duration::from_std(self.inner.config.duplicate_window)
            .unwrap_or(chrono::Duration::zero());
        let since = Utc::now() - window;
        Ok(self
            .inner
            .store
            .recent_account_entries(account_id, DUPLICATE_SCAN)?
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
        JournalEntry::new(
            ref_id,
            kind,
            target.product.clone(),
            target.dest.clone(),
            ctx.chat_id,
            ctx.user_id,
            access.account_id,
            access.creds.member_id.clone(),
            journal_url(&access.creds.base_url),
            ctx.message_id,
            Utc::now(),
        )
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
        // A payment of this bill whose outcome is not known yet, from any
        // chat of the account: a new check would mint a new refID, and
        // paying it could pay twice.
        if let Some(unsettled) =
            self.inner
                .store
                .unsettled_payment(access.account_id, &target.product, &target.dest)?
        {
            return Err(Refusal::Message(
                "bill-payment-in-progress",
                vec![("ref", unsettled.ref_id)],
            ));
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
            account_id: access.account_id,
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

    /// `PLNPASC 546302215889 bayar`: pays the newest check of that bill
    /// made in this chat. `@` suffixes need not be typed again: `BPJSKS
    /// 0001234567890 bayar` pays the 3-month check of that number.
    pub(super) async fn pay_typed(
        &self,
        ctx: &ChatCtx,
        lang: Lang,
        bill: Bill,
    ) -> Result<Response, Refusal> {
        let target = bill.target;
        let access = self.access(ctx, true)?;
        if let Some(unsettled) =
            self.inner
                .store
                .unsettled_payment(access.account_id, &target.product, &target.dest)?
        {
            return Err(Refusal::Message(
                "bill-payment-in-progress",
                vec![("ref", unsettled.ref_id)],
            ));
        }
        let newest = self
            .inner
            .store
            .newest_inquiry(access.account_id, &target.product, &target.dest)?
            .filter(|inquiry| inquiry.chat_id == ctx.chat_id);
        let Some(inquiry) = newest else {
            let example = self.check_example(&target.product, &target.dest);
            return Err(Refusal::Message(
                "pay-need-inquiry",
                vec![("example", example)],
            ));
        };
        Ok(match self.pay(ctx, lang, inquiry, false).await? {
            Payment::Sent(entry) => Response::reply(Reply::text(self.result_text(lang, &entry))),
            Payment::AskFirst(question) => Response::reply(question),
            // Typed `bayar` always takes the newest check.
            Payment::Replaced => Response::reply(Reply::text(self.say(lang, "bill-replaced", &[]))),
        })
    }

    /// How the user types a check of this bill: `BPJSKS 0001234567890 3 cek`.
    pub(super) fn check_example(&self, product: &str, dest: &str) -> String {
        command::check_example(&self.inner.catalog, product, dest)
    }

    /// Pays an inquiry once. Every path that is not the first claim of an
    /// open, unexpired inquiry that is its bill's newest check, with no
    /// other payment of the bill unsettled, is refused before anything is
    /// sent. A bill already paid today is asked about first, unless
    /// `again` (the user said yes).
    pub(super) async fn pay(
        &self,
        ctx: &ChatCtx,
        lang: Lang,
        inquiry: Inquiry,
        again: bool,
    ) -> Result<Payment, Refusal> {
        self.may_act_on(ctx, inquiry.chat_id, inquiry.requested_by, Owner::May)?;
        let example = || {
            vec![(
                "example",
                self.check_example(&inquiry.product, &inquiry.dest),
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
        let paid_since = (!again).then(|| crate::wib::day_start(Utc::now()));
        // The claim and the journal entry are one transaction: only one
        // caller, in any chat of the account, can move the bill to paying.
        match self.inner.store.claim_payment(&entry, paid_since).await? {
            Claim::Claimed(_) => Ok(Payment::Sent(Box::new(
                self.send_money(&access.creds, entry).await,
            ))),
            Claim::Missing => Err(refuse("button-stale")),
            Claim::NotOpen(InquiryState::Failed | InquiryState::Cancelled) => {
                Err(Refusal::Message("pay-closed", example()))
            }
            Claim::NotOpen(_) | Claim::Journaled => Err(refuse("pay-already")),
            Claim::Replaced { .. } => Ok(Payment::Replaced),
            Claim::Unsettled { ref_id } => Err(Refusal::Message(
                "bill-payment-in-progress",
                vec![("ref", ref_id)],
            )),
            Claim::PaidRecently(previous) => {
                let text = self.say(
                    lang,
                    "bill-paid-today",
                    &[
                        ("product", previous.product.clone()),
                        ("dest", previous.dest.clone()),
                        ("time", crate::wib::clock_time(previous.created_at)),
                        ("ref", previous.ref_id.clone()),
                        (
                            "price",
                            previous
                                .price
                                .map(|p| p.to_string())
                                .unwrap_or_else(|| "-".into()),
                        ),
                    ],
                );
                let buttons = vec![
                    Button {
                        label: self.say(lang, "button-pay-again", &[]),
                        data: ButtonAction::PayAgain(inquiry.ref_id.clone()).encode(),
                    },
                    Button {
                        label: self.say(lang, "button-cancel", &[]),
                        data: ButtonAction::CancelBill(inquiry.ref_id).encode(),
                    },
                ];
                Ok(Payment::AskFirst(Reply { text, buttons }))
            }
        }
    }

    /// Whether this user may act on something started in `chat_id` by
    /// `started_by`: in that chat only, by who started it or, in a group
    /// and when `owner` says so, by the account's owner. Every button and
    /// typed `bayar` asks here.
    /// `Err` holds the refusal: a group member who may not transact at
    /// all is told so; anyone else that it is not theirs.
    pub(super) fn may_act_on(
        &self,
        ctx: &ChatCtx,
        chat_id: i64,
        started_by: i64,
        owner: Owner,
    ) -> Result<(), Refusal> {
        if chat_id != ctx.chat_id {
            return Err(refuse("pay-not-yours"));
        }
        if started_by == ctx.user_id {
            return Ok(());
        }
        let link = match ctx.kind {
            ChatKind::Group => self.inner.store.group(ctx.chat_id)?,
            ChatKind::Private => None,
        };
        match link {
            Some(link) if link.owner == ctx.user_id && owner == Owner::May => Ok(()),
            Some(link) if !link.may_transact(ctx.user_id) => Err(refuse("group-not-allowed")),
            _ => Err(refuse("pay-not-yours")),
        }
    }

    // ---- buttons ----

    pub(super) async fn handle_button(
        &self,
        ctx: &ChatCtx,
        lang: Lang,
        data: &str,
    ) -> Result<Response, Refusal> {
        let toast = |id: &str, args: &[(&str, String)]| Response {
            toast: Some(self.say(lang, id, args)),
            ..Response::default()
        };
        let Some(action) = ButtonAction::decode(data) else {
            return Ok(toast("button-stale", &[]));
        };
        // Who pressed it, checked once for every button: the bill's or
        // question's chat, and who started it (for a bill, the group's
        // owner too: they pay the account's bills; a "send again?" is
        // answered only by who was asked).
        let started = match &action {
            ButtonAction::Pay(r) | ButtonAction::PayAgain(r) | ButtonAction::CancelBill(r) => self
                .inner
                .store
                .inquiry(r)?
                .map(|i| (i.chat_id, i.requested_by, Owner::May)),
            ButtonAction::SendAgain(r) | ButtonAction::DontSend(r) => self
                .inner
                .store
                .confirmation(r)?
                .map(|q| (q.chat_id, q.user_id, Owner::MayNot)),
        };
        let Some((chat_id, started_by, owner)) = started else {
            let id = match action {
                ButtonAction::SendAgain(_) | ButtonAction::DontSend(_) => "already-processed",
                _ => "button-stale",
            };
            return Ok(toast(id, &[]));
        };
        match self.may_act_on(ctx, chat_id, started_by, owner) {
            Ok(()) => {}
            Err(Refusal::Message(id, args)) => return Ok(toast(id, &args)),
            Err(other) => return Err(other),
        }
        let again = matches!(action, ButtonAction::PayAgain(_));
        match action {
            ButtonAction::Pay(ref_id) | ButtonAction::PayAgain(ref_id) => {
                let Some(inquiry) = self.inner.store.inquiry(&ref_id)? else {
                    return Ok(toast("button-stale", &[]));
                };
                match self.pay(ctx, lang, inquiry, again).await {
                    Ok(Payment::Sent(entry)) => Ok(Response {
                        edit_source: Some(Reply::text(self.result_text(lang, &entry))),
                        toast: Some(self.state_word(lang, entry.state)),
                        ..Response::default()
                    }),
                    Ok(Payment::AskFirst(question)) => Ok(Response {
                        edit_source: Some(question),
                        ..Response::default()
                    }),
                    // An older check: it loses its button.
                    Ok(Payment::Replaced) => {
                        let text = self.say(lang, "bill-replaced", &[]);
                        Ok(Response {
                            edit_source: Some(Reply::text(text.clone())),
                            toast: Some(text),
                            ..Response::default()
                        })
                    }
                    Err(Refusal::Message(id, args)) => Ok(toast(id, &args)),
                    Err(other) => Err(other),
                }
            }
            ButtonAction::CancelBill(ref_id) => {
                match self
                    .inner
                    .store
                    .transition_inquiry(&ref_id, InquiryState::Open, InquiryState::Cancelled)
                    .await?
                {
                    Some(inquiry) => Ok(Response {
                        edit_source: Some(Reply::text(self.say(
                            lang,
                            "bill-cancelled",
                            &[("product", inquiry.product), ("dest", inquiry.dest)],
                        ))),
                        ..Response::default()
                    }),
                    None => Ok(toast("pay-already", &[])),
                }
            }
            ButtonAction::SendAgain(ref_id) => {
                let Some(question) = self.inner.store.take_confirmation(&ref_id).await? else {
                    return Ok(toast("already-processed", &[]));
                };
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
                match self.inner.store.take_confirmation(&ref_id).await? {
                    Some(_) => Ok(Response {
                        edit_source: Some(Reply::text(self.say(lang, "topup-not-sent", &[]))),
                        ..Response::default()
                    }),
                    None => Ok(toast("already-processed", &[])),
                }
            }
        }
    }
}

/// Whether a group's owner may act on what a member started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Owner {
    May,
    MayNot,
}

/// What paying an inquiry came to, when it was not refused.
pub(super) enum Payment {
    /// Claimed and sent; the entry holds what is known so far.
    Sent(Box<JournalEntry>),
    /// The bill was paid today: this question asks before paying again.
    AskFirst(Reply),
    /// A newer check of the same bill replaced this inquiry.
    Replaced,
}
