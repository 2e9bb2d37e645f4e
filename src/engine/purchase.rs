//! Balance, topups, bill inquiry → payment and the buttons that confirm
//! them: who may, then the journal (`journal`), then the text.

use super::outcome::{BalanceView, BillView, PaidTodayQuestion, RepeatQuestion};
use super::*;
use crate::metrics::{CallKind, CallState};

impl Engine {
    // ---- balance ----

    pub(super) async fn balance(&self, ctx: &ChatCtx, lang: Lang) -> Result<Response, Refusal> {
        let access = self.access(ctx, false)?;
        let counted = |state| self.metrics().call(CallKind::Balance, state);
        let body = self
            .gateway_read(&access.creds, &balance_request(&access.creds))
            .await
            .inspect_err(|_| counted(CallState::Unknown))?;
        let text = match self.inner.reader.balance(&body) {
            BalanceReply::Balance { amount, at } => {
                counted(CallState::Success);
                self.note_balance(access.account_id, amount).await;
                self.balance_text(
                    lang,
                    &BalanceView {
                        member: access.creds.member_id.clone(),
                        amount,
                        at,
                    },
                )
            }
            BalanceReply::Refused { reason } => {
                counted(CallState::Failed);
                return Err(Refusal::Message(
                    "balance-refused",
                    vec![("reason", quote(&reason))],
                ));
            }
            BalanceReply::Unknown { raw } => {
                counted(CallState::Unknown);
                self.unclear_text(lang, &raw)
            }
        };
        Ok(Response::reply(Reply::text(text)))
    }

    // ---- topup ----

    pub(super) async fn topup(
        &self,
        ctx: &ChatCtx,
        lang: Lang,
        target: Target,
    ) -> Result<Response, Refusal> {
        self.topup_asking(ctx, lang, target, None).await
    }

    /// A topup; when the same one went out lately, "send again?" first.
    /// A center's counter (`T10.2.087712345678`: the 2nd today) answers it
    /// in advance while fewer than that many went out in the window: sent
    /// at once under a new refID. Sent again with the same counter, it
    /// asks.
    pub(super) async fn topup_asking(
        &self,
        ctx: &ChatCtx,
        lang: Lang,
        target: Target,
        counter: Option<u8>,
    ) -> Result<Response, Refusal> {
        let access = self.access(ctx, true)?;
        let same = self.same_topups(access.account_id, &target)?;
        // A counter N answers "again?" for the N-th; the latest asks otherwise.
        let previous = match counter {
            Some(n) if same.len() < usize::from(n) => None,
            _ => same.into_iter().next(),
        };
        if let Some(previous) = previous {
            let ref_id = self.mint_ref()?;
            self.inner
                .store
                .put_confirmation(&PendingConfirmation {
                    ref_id: ref_id.clone(),
                    chat_id: ctx.chat_id,
                    user_id: ctx.user_id,
                    product: target.product.clone(),
                    dest: target.dest.clone(),
                    created_at: self.now(),
                })
                .await?;
            let question = RepeatQuestion {
                product: target.product,
                dest: target.dest,
                minutes_ago: minutes_between(previous.created_at, self.now()),
                previous: previous.state,
                ref_id,
            };
            return Ok(Response::reply(self.repeat_question(lang, &question)));
        }
        let ref_id = self.mint_ref()?;
        self.send_topup(ctx, lang, access, target, ref_id).await
    }

    /// Every topup of the same product and dest inside the duplicate
    /// window, from any chat of the account, newest first (failed ones do
    /// not count).
    fn same_topups(&self, account_id: i64, target: &Target) -> Result<Vec<JournalEntry>, Refusal> {
        let window = chrono::Duration::from_std(self.inner.config.duplicate_window)
            .unwrap_or(chrono::Duration::zero());
        let since = self.now() - window;
        Ok(self
            .inner
            .store
            .recent_account_entries(account_id, DUPLICATE_SCAN)?
            .into_iter()
            .filter(|e| {
                e.kind == EntryKind::Topup
                    && e.product == target.product
                    && e.dest == target.dest
                    && e.created_at >= since
                    && e.state != EntryState::Failed
            })
            .collect())
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
        if !self.begin(&entry).await? {
            return Err(refuse("already-processed"));
        }
        let entry = self.send(&access.creds, entry).await;
        Ok(Response::reply(self.result_reply(lang, &entry)))
    }

    /// `ulang` (`of`: `None`, this chat's last topup) or the Ulangi button
    /// under a topup's receipt: the same product and number again, as if
    /// typed — the duplicate question asks first. Only a topup of this
    /// chat is repeated.
    pub(super) async fn repeat(
        &self,
        ctx: &ChatCtx,
        lang: Lang,
        of: Option<&str>,
    ) -> Result<Response, Refusal> {
        let entry = match of {
            Some(ref_id) => self
                .inner
                .store
                .entry(ref_id)?
                .filter(|e| e.chat_id == ctx.chat_id && e.kind == EntryKind::Topup),
            None => self
                .inner
                .store
                .recent_entries(ctx.chat_id, DUPLICATE_SCAN)?
                .into_iter()
                .find(|e| e.kind == EntryKind::Topup),
        };
        let Some(entry) = entry else {
            return Err(refuse("repeat-nothing"));
        };
        let target = Target {
            product: entry.product,
            dest: entry.dest,
        };
        self.topup(ctx, lang, target).await
    }

    // ---- inquiry and payment ----

    pub(super) async fn inquiry(
        &self,
        ctx: &ChatCtx,
        lang: Lang,
        bill: Bill,
    ) -> Result<Response, Refusal> {
        let access = self.access(ctx, true)?;
        let family = bill.family.key;
        let target = bill.target;
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
        let checked = self
            .check_bill(ctx, &access, &target, family, ref_id)
            .await?;
        let reply = match checked {
            Checked::Bill(inquiry) => {
                let view = self.bill_view(&inquiry, true);
                self.bill_reply(lang, &view)
            }
            Checked::Failed(reason) => Reply::text(self.text(
                lang,
                "inquiry-failed",
                &[
                    ("product", target.product),
                    ("dest", target.dest),
                    (
                        "reason",
                        reason.map(|r| quote(&r)).unwrap_or_else(|| "-".into()),
                    ),
                ],
            )),
            Checked::Unclear(body) => Reply::text(self.unclear_text(lang, &body)),
            Checked::NoAmount(raw) => {
                Reply::text(self.text(lang, "inquiry-no-amount", &[("raw", quote(&raw))]))
            }
            // Only a status check says so.
            Checked::NotFound => Reply::text(self.unclear_text(lang, "")),
        };
        Ok(Response::reply(reply))
    }

    /// One check of a bill under `ref_id` (an inquiry moves no money, so
    /// it is not journaled; its answer, when it shows a bill, is stored as
    /// the bill's newest check — the only one payable). The caller has
    /// made sure no payment of this bill is unsettled.
    pub(super) async fn check_bill(
        &self,
        ctx: &ChatCtx,
        access: &Access,
        target: &Target,
        family: &str,
        ref_id: String,
    ) -> Result<Checked, Refusal> {
        self.ask_bill(ctx, access, target, family, ref_id, Operation::Inquiry)
            .await
    }

    /// A check sent before a stop, asked about again: a status check
    /// (`cek=1`) under its refID reads the gateway's record of it; only
    /// when the gateway never saw it is the check sent again, under the
    /// same refID. A center that refuses a refID it knows (`refID sudah
    /// ada`) never turns the customer into "gagal dicek".
    pub(super) async fn recheck_bill(
        &self,
        ctx: &ChatCtx,
        access: &Access,
        target: &Target,
        family: &str,
        ref_id: String,
    ) -> Result<Checked, Refusal> {
        // Kept before the stop: nothing to ask.
        if let Some(inquiry) = self.inner.store.inquiry(&ref_id)? {
            return Ok(Checked::Bill(Box::new(inquiry)));
        }
        match self
            .ask_bill(
                ctx,
                access,
                target,
                family,
                ref_id.clone(),
                Operation::Status,
            )
            .await?
        {
            Checked::NotFound => self.check_bill(ctx, access, target, family, ref_id).await,
            checked => Ok(checked),
        }
    }

    async fn ask_bill(
        &self,
        ctx: &ChatCtx,
        access: &Access,
        target: &Target,
        family: &str,
        ref_id: String,
        operation: Operation,
    ) -> Result<Checked, Refusal> {
        let request = transaction_request(
            &access.creds,
            operation,
            &target.product,
            &target.dest,
            &ref_id,
        );
        let counted = |state| self.metrics().call(CallKind::Inquiry, state);
        let body = self
            .gateway_read(&access.creds, &request)
            .await
            .inspect_err(|_| counted(CallState::Unknown))?;
        let call = Call {
            product: &target.product,
            dest: &target.dest,
            ref_id: &ref_id,
        };
        let reply = self.inner.reader.read(&call, &body);
        let status = match reply.status_for(&call) {
            // A status check of a refID the gateway never saw.
            _ if operation == Operation::Status && reply.is_not_found() => {
                return Ok(Checked::NotFound)
            }
            // An inquiry moves no money, so a bare refusal (`GAGAL, sign
            // salah`) is shown as the failure it is; a line about another
            // call never is. A refused status check is no verdict.
            TxStatus::Unknown
                if operation == Operation::Inquiry
                    && reply.is_bare()
                    && reply.status == TxStatus::Failed =>
            {
                TxStatus::Failed
            }
            status => status,
        };
        let total = reply.bill_total();
        counted(match (status, total) {
            (TxStatus::Success, Some(_)) => CallState::Success,
            (TxStatus::Failed, _) => CallState::Failed,
            _ => CallState::Unknown,
        });
        match status {
            TxStatus::Success => {}
            TxStatus::Failed => return Ok(Checked::Failed(reply.reason)),
            TxStatus::Pending | TxStatus::Unknown => return Ok(Checked::Unclear(body)),
        }
        let Some(total) = total else {
            return Ok(Checked::NoAmount(reply.raw));
        };
        let inquiry = Inquiry {
            ref_id,
            chat_id: ctx.chat_id,
            account_id: access.account_id,
            requested_by: ctx.user_id,
            product: target.product.clone(),
            dest: target.dest.clone(),
            family: family.to_string(),
            name: reply.name.clone(),
            bill: reply.bill,
            admin: reply.admin,
            total: Some(total),
            created_at: self.now(),
            state: InquiryState::Open,
        };
        self.inner.store.put_inquiry(&inquiry).await?;
        Ok(Checked::Bill(Box::new(inquiry)))
    }

    /// How a stored check is shown; `payable` adds the Bayar button and
    /// the minutes it is payable for.
    pub(super) fn bill_view(&self, inquiry: &Inquiry, payable: bool) -> BillView {
        let total = inquiry.total.unwrap_or_default();
        BillView {
            collect: self.collect_for(inquiry.account_id, &inquiry.product, total),
            family: inquiry.family.clone(),
            product: inquiry.product.clone(),
            dest: inquiry.dest.clone(),
            name: inquiry.name.clone(),
            bill: inquiry.bill,
            admin: inquiry.admin,
            total,
            ref_id: inquiry.ref_id.clone(),
            payable_minutes: payable.then(|| (self.inner.config.inquiry_ttl.as_secs() / 60).max(1)),
        }
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
            Payment::Sent(entry) => Response::reply(self.result_reply(lang, &entry)),
            Payment::AskFirst(question) => Response::reply(question),
            // Typed `bayar` always takes the newest check.
            Payment::Replaced => {
                Response::reply(Reply::text(self.text(lang, "bill-replaced", &[])))
            }
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
        match self.inquiry_state(&inquiry)? {
            InquiryState::Paying | InquiryState::Paid => return Err(refuse("pay-already")),
            InquiryState::Failed | InquiryState::Cancelled => {
                return Err(Refusal::Message("pay-closed", example()))
            }
            InquiryState::Open => {}
        }
        if inquiry.is_expired(self.now(), self.inner.config.inquiry_ttl) {
            return Err(Refusal::Message("pay-expired", example()));
        }
        let access = self.access(ctx, true)?;
        let target = Target {
            product: inquiry.product.clone(),
            dest: inquiry.dest.clone(),
        };
        let mut entry = self.new_entry(
            ctx,
            &access,
            EntryKind::Payment,
            &target,
            inquiry.ref_id.clone(),
        );
        // What the check showed: a paid bill cost its total unless the
        // gateway's answer names a price, and its receipt names the
        // customer.
        entry.bill_total = inquiry.total;
        entry.customer = inquiry.name.clone();
        let paid_since = (!again).then(|| crate::wib::day_start(self.now()));
        // The claim and the journal entry are one transaction: only one
        // caller, in any chat of the account, can move the bill to paying.
        match self.claim(&entry, paid_since).await? {
            Claim::Claimed(_) => Ok(Payment::Sent(Box::new(
                self.send(&access.creds, entry).await,
            ))),
            Claim::Missing => Err(refuse("button-stale")),
            // Claimed meanwhile, or closed: say which from the journal.
            Claim::NotOpen(_) | Claim::Journaled => {
                let now = self.inner.store.inquiry(&inquiry.ref_id)?;
                match now.map(|i| self.inquiry_state(&i)).transpose()? {
                    Some(InquiryState::Failed | InquiryState::Cancelled) => {
                        Err(Refusal::Message("pay-closed", example()))
                    }
                    _ => Err(refuse("pay-already")),
                }
            }
            Claim::Replaced { .. } => Ok(Payment::Replaced),
            Claim::Unsettled { ref_id } => Err(Refusal::Message(
                "bill-payment-in-progress",
                vec![("ref", ref_id)],
            )),
            Claim::PaidRecently(previous) => {
                let question = PaidTodayQuestion {
                    product: previous.product,
                    dest: previous.dest,
                    paid_at: previous.created_at,
                    cost: previous.cost,
                    paid_ref: previous.ref_id,
                    inquiry_ref: inquiry.ref_id,
                };
                Ok(Payment::AskFirst(self.paid_today_question(lang, &question)))
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
            toast: Some(self.text(lang, id, args)),
            ..Response::default()
        };
        let Some(action) = ButtonAction::decode(data) else {
            return Ok(toast("button-stale", &[]));
        };
        // A repeat is a new topup request: it goes through the duplicate
        // question like a typed one.
        if let ButtonAction::Repeat(ref_id) = &action {
            return match self.repeat(ctx, lang, Some(ref_id)).await {
                Ok(response) => Ok(response),
                Err(Refusal::Message(id, args)) => Ok(toast(id, &args)),
                Err(other) => Err(other),
            };
        }
        if let ButtonAction::SaveCustomer(ref_id) = &action {
            return match self.save_from(ctx, lang, ref_id).await {
                Ok(response) => Ok(response),
                Err(Refusal::Message(id, args)) => Ok(toast(id, &args)),
                Err(other) => Err(other),
            };
        }
        // A receipt is shown to whoever may see the sale; it changes nothing.
        if let ButtonAction::Receipt(ref_id) = &action {
            return match self.receipt(ctx, lang, ref_id) {
                Ok(response) => Ok(response),
                Err(Refusal::Message(id, args)) => Ok(toast(id, &args)),
                Err(other) => Err(other),
            };
        }
        // Who pressed it, checked once for every button: the bill's or
        // question's chat, and who started it (for a bill, the group's
        // owner too: they pay the account's bills; a "send again?" is
        // answered only by who was asked).
        let started = match &action {
            ButtonAction::Pay(r)
            | ButtonAction::PayAgain(r)
            | ButtonAction::PayListed(r)
            | ButtonAction::CancelBill(r) => self
                .inner
                .store
                .inquiry(r)?
                .map(|i| (i.chat_id, i.requested_by, Owner::May)),
            ButtonAction::SendAgain(r) | ButtonAction::DontSend(r) => self
                .inner
                .store
                .confirmation(r)?
                .map(|q| (q.chat_id, q.user_id, Owner::MayNot)),
            ButtonAction::Receipt(_) | ButtonAction::Repeat(_) | ButtonAction::SaveCustomer(_) => {
                None
            }
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
                        edit_source: Some(self.result_reply(lang, &entry)),
                        toast: Some(self.state_word(lang, entry.state)),
                        ..Response::default()
                    }),
                    Ok(Payment::AskFirst(question)) => Ok(Response {
                        edit_source: Some(question),
                        ..Response::default()
                    }),
                    // An older check: it loses its button.
                    Ok(Payment::Replaced) => {
                        let text = self.text(lang, "bill-replaced", &[]);
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
            ButtonAction::PayListed(ref_id) => {
                let Some(inquiry) = self.inner.store.inquiry(&ref_id)? else {
                    return Ok(toast("button-stale", &[]));
                };
                match self.pay_listed(ctx, lang, inquiry).await {
                    Ok(response) => Ok(response),
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
                        edit_source: Some(Reply::text(self.text(
                            lang,
                            "bill-cancelled",
                            &[("product", inquiry.product), ("dest", inquiry.dest)],
                        ))),
                        ..Response::default()
                    }),
                    // Not open any more: paid or being paid, or closed.
                    None => {
                        let state = match self.inner.store.inquiry(&ref_id)? {
                            Some(inquiry) => Some(self.inquiry_state(&inquiry)?),
                            None => None,
                        };
                        Ok(match state {
                            Some(InquiryState::Failed | InquiryState::Cancelled) => {
                                toast("bill-closed", &[])
                            }
                            _ => toast("pay-already", &[]),
                        })
                    }
                }
            }
            ButtonAction::SendAgain(ref_id) => {
                let Some(question) = self.inner.store.take_confirmation(&ref_id).await? else {
                    return Ok(toast("already-processed", &[]));
                };
                if older_than(
                    question.created_at,
                    self.now(),
                    self.inner.config.duplicate_window,
                ) {
                    return Ok(Response {
                        edit_source: Some(Reply::text(self.text(lang, "question-expired", &[]))),
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
            ButtonAction::Receipt(_) | ButtonAction::Repeat(_) | ButtonAction::SaveCustomer(_) => {
                Ok(toast("button-stale", &[]))
            }
            ButtonAction::DontSend(ref_id) => {
                match self.inner.store.take_confirmation(&ref_id).await? {
                    Some(_) => Ok(Response {
                        edit_source: Some(Reply::text(self.text(lang, "topup-not-sent", &[]))),
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

/// What one check of a bill came to.
pub(super) enum Checked {
    /// A bill, stored as its newest check.
    Bill(Box<Inquiry>),
    /// The gateway refused the check (its reason, if it gave one).
    Failed(Option<String>),
    /// No readable answer about this call: the gateway's words.
    Unclear(String),
    /// Success without an amount: the raw reply.
    NoAmount(String),
    /// A status check: the gateway holds no such refID.
    NotFound,
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
