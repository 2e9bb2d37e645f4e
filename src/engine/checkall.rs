//! `cek semua` / `/cekbulanan`: every saved bill customer of the account
//! checked in one go. One progress message is edited as checks come in
//! (`5/12 dicek`); then one summary lists each bill with its own Bayar
//! button, the grand total, and what was paid already or could not be
//! checked. Results that come after the summary are added to it.
//!
//! Each check is a normal inquiry (its bill's newest check, payable once,
//! expiring like any other), sent a few at a time and within the
//! account's turns at the gateway. Nothing is paid without a tap: a
//! summary's button pays through [`Engine::pay`] like a bill's own.
//!
//! The run is kept in the store as it goes (write-ahead: an item's refID
//! is stored before its check is sent), so a restart goes on with it:
//! answered checks are kept, a check that was in flight is asked again
//! under the same refID (the gateway answers a refID it knows with its
//! own record), and the progress message and summary are edited, not
//! posted again.

use std::sync::atomic::Ordering;

use chrono::Datelike;

use tokio::task::JoinSet;

use super::purchase::{Checked, Payment};
use super::*;
use crate::catalog::{BillShape, ProductKind};
use crate::model::{CheckRun, RunItem, RunItemState};
use crate::money::Rupiah;

/// Checks of one run in flight at once (the account's turns bound them
/// too): a run never takes every turn from the chat's other commands.
const IN_FLIGHT: usize = 4;
/// Most customers one run checks (Telegram allows 100 buttons a message).
pub const MAX_RUN_ITEMS: usize = 40;

/// Reason words with which centers say a bill has nothing to pay (the
/// check is refused because it was paid): `Tagihan sudah lunas`,
/// `sudah terbayar`, `tidak ada tagihan`, `belum ada tagihan`.
const NOTHING_DUE: &[&str] = &[
    "lunas",
    "sudah dibayar",
    "sudah terbayar",
    "tidak ada tagihan",
    "belum ada tagihan",
    "tagihan tidak ditemukan",
];

/// Whether a refused check's reason says there is nothing to pay.
pub fn says_nothing_due(reason: &str) -> bool {
    let reason = reason.to_lowercase();
    NOTHING_DUE.iter().any(|w| reason.contains(w))
}

impl Engine {
    /// `cek semua`: starts a run over the account's saved bills.
    pub(super) async fn check_all(&self, ctx: &ChatCtx, lang: Lang) -> Result<Response, Refusal> {
        let access = self.access(ctx, true)?;
        if let Some(running) = self
            .inner
            .store
            .unfinished_runs()?
            .into_iter()
            .find(|r| r.account_id == access.account_id)
        {
            return Err(Refusal::Message(
                "check-all-running",
                vec![
                    ("checked", running.checked().to_string()),
                    ("count", running.items.len().to_string()),
                ],
            ));
        }
        let items: Vec<RunItem> = self
            .inner
            .store
            .customers(access.account_id)?
            .into_iter()
            .filter(|c| self.family_of(&c.product).is_some())
            .map(|c| RunItem {
                name: c.name,
                product: c.product,
                dest: c.dest,
                state: RunItemState::Waiting,
            })
            .collect();
        if items.is_empty() {
            return Err(refuse("check-all-none"));
        }
        let saved = items.len();
        let run = CheckRun {
            id: self.inner.store.next_id()?,
            account_id: access.account_id,
            chat_id: ctx.chat_id,
            user_id: ctx.user_id,
            message_id: ctx.message_id,
            started_at: self.now(),
            items: items.into_iter().take(MAX_RUN_ITEMS).collect(),
            summary_sent: false,
            done: false,
        };
        self.inner.store.put_run(&run).await?;
        let mut reply = self.progress_reply(lang, &run);
        if saved > MAX_RUN_ITEMS {
            reply.text.push('\n');
            reply.text.push_str(&self.text(
                lang,
                "check-all-capped",
                &[
                    ("max", MAX_RUN_ITEMS.to_string()),
                    ("saved", saved.to_string()),
                ],
            ));
        }
        self.spawn_run(run.id);
        Ok(Response::reply(reply))
    }

    /// Goes on with every run a stop left unfinished.
    pub(super) fn resume_runs(&self) -> usize {
        match self.inner.store.unfinished_runs() {
            Ok(runs) => {
                for run in &runs {
                    self.spawn_run(run.id);
                }
                runs.len()
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot read the check runs to resume");
                0
            }
        }
    }

    fn spawn_run(&self, id: u64) {
        let engine = self.clone();
        tokio::spawn(async move {
            if let Err(e) = engine.drive_run(id).await {
                tracing::error!(error = ?e, run = id, "a cek semua run stopped");
            }
        });
    }

    /// The bill family of a saved product (`PBBBDG@2024` → PBB).
    fn family_of(&self, product: &str) -> Option<&'static crate::catalog::BillFamily> {
        let code = product.split('@').next().unwrap_or(product);
        match self.inner.catalog.classify(code) {
            ProductKind::Bill(family) => Some(family),
            ProductKind::Prepaid => None,
        }
    }

    async fn drive_run(&self, id: u64) -> Result<(), Refusal> {
        let Some(mut run) = self.inner.store.run(id)? else {
            return Ok(());
        };
        let lang = self.lang(run.chat_id);
        let ctx = run_ctx(&run);
        let access = match self.access(&ctx, true) {
            Ok(access) => access,
            // Logged out or unlinked meanwhile: nothing more is sent.
            Err(_) => {
                return self.finish_run(lang, run).await;
            }
        };
        let remaining = self.inner.config.check_all_summary_after.saturating_sub(
            self.now()
                .signed_duration_since(run.started_at)
                .to_std()
                .unwrap_or_default(),
        );
        let summary_at = tokio::time::Instant::now() + remaining;
        let mut todo: std::collections::VecDeque<usize> = (0..run.items.len())
            .filter(|&i| !run.items[i].state.is_final())
            .collect();
        let mut checks: JoinSet<(usize, RunItemState)> = JoinSet::new();
        loop {
            while checks.len() < IN_FLIGHT {
                let Some(i) = todo.pop_front() else { break };
                let Some(ref_id) = self.start_item(&access, &mut run, i).await? else {
                    // Settled without a check (paid this month, a card).
                    self.show_progress(lang, &run);
                    continue;
                };
                let engine = self.clone();
                let creds = access.creds.clone();
                let account_id = access.account_id;
                let item = run.items[i].clone();
                checks.spawn(async move {
                    let state = engine
                        .check_item(&ctx, account_id, creds, &item, ref_id)
                        .await;
                    (i, state)
                });
            }
            if checks.is_empty() {
                break;
            }
            tokio::select! {
                joined = checks.join_next() => {
                    let (i, state) = match joined {
                        Some(Ok(done)) => done,
                        Some(Err(e)) => {
                            // Its item stays in flight; the run's end
                            // says it could not be read.
                            tracing::error!(error = %e, "a check of a run stopped");
                            continue;
                        }
                        None => continue,
                    };
                    run.items[i].state = state;
                    self.inner.store.put_run(&run).await?;
                    self.show_progress(lang, &run);
                    if run.summary_sent {
                        self.show_summary(lang, &run);
                    }
                }
                () = tokio::time::sleep_until(summary_at), if !run.summary_sent => {
                    run.summary_sent = true;
                    self.inner.store.put_run(&run).await?;
                    self.show_summary(lang, &run);
                }
            }
        }
        self.finish_run(lang, run).await
    }

    /// Every item has its result: the summary (once more, or for the
    /// first time) and the progress message's last word.
    async fn finish_run(&self, lang: Lang, mut run: CheckRun) -> Result<(), Refusal> {
        for item in &mut run.items {
            if !item.state.is_final() {
                item.state = RunItemState::Unclear;
            }
        }
        run.summary_sent = true;
        run.done = true;
        self.inner.store.put_run(&run).await?;
        self.show_progress(lang, &run);
        self.show_summary(lang, &run);
        self.inner.store.prune_runs().await?;
        Ok(())
    }

    /// Gets item `i` going: its refID (stored before the check is sent),
    /// or `None` when it is settled without a check.
    async fn start_item(
        &self,
        access: &Access,
        run: &mut CheckRun,
        i: usize,
    ) -> Result<Option<String>, Refusal> {
        let item = &run.items[i];
        if let RunItemState::Checking { ref_id } = &item.state {
            return Ok(Some(ref_id.clone()));
        }
        let settled = match self.family_of(&item.product) {
            None => Some(RunItemState::Unclear),
            Some(family) if family.shape == BillShape::ProductAmount => {
                Some(RunItemState::NeedsAmount)
            }
            Some(_) => self.settled_without_check(access.account_id, item)?,
        };
        let state = match settled {
            Some(state) => state,
            None => RunItemState::Checking {
                ref_id: self.mint_ref()?,
            },
        };
        run.items[i].state = state;
        self.inner.store.put_run(run).await?;
        Ok(match &run.items[i].state {
            RunItemState::Checking { ref_id } => Some(ref_id.clone()),
            _ => None,
        })
    }

    /// A bill with a payment not final yet, or paid since the start of
    /// this month (WIB), is not checked again.
    fn settled_without_check(
        &self,
        account_id: i64,
        item: &RunItem,
    ) -> Result<Option<RunItemState>, Refusal> {
        let record = self
            .inner
            .store
            .bill(account_id, &item.product, &item.dest)?;
        let Some(payment) = record.payment else {
            return Ok(None);
        };
        let Some(entry) = self.inner.store.entry(&payment)? else {
            return Ok(None);
        };
        if !entry.state.is_final() {
            return Ok(Some(RunItemState::PaymentUnsettled {
                ref_id: entry.ref_id,
            }));
        }
        let today = crate::wib::date(self.now());
        let month_start = crate::wib::start_of(today.with_day(1).unwrap_or(today));
        let paid = entry.state == EntryState::Success && entry.created_at >= month_start;
        Ok(paid.then_some(RunItemState::PaidAlready {
            ref_id: entry.ref_id,
            at: entry.created_at,
        }))
    }

    /// One customer's check; whatever happens, a result for the run.
    async fn check_item(
        &self,
        ctx: &ChatCtx,
        account_id: i64,
        creds: Credentials,
        item: &RunItem,
        ref_id: String,
    ) -> RunItemState {
        let Some(family) = self.family_of(&item.product) else {
            return RunItemState::Unclear;
        };
        let access = Access { account_id, creds };
        let target = Target {
            product: item.product.clone(),
            dest: item.dest.clone(),
        };
        match self
            .check_bill(ctx, &access, &target, family.key, ref_id.clone())
            .await
        {
            Ok(Checked::Bill(_)) => RunItemState::Bill { ref_id },
            Ok(Checked::Failed(reason)) => {
                let reason = reason.unwrap_or_else(|| "-".into());
                if says_nothing_due(&reason) {
                    RunItemState::NothingDue { reason }
                } else {
                    RunItemState::Failed { reason }
                }
            }
            Ok(Checked::Unclear(_) | Checked::NoAmount(_)) | Err(_) => RunItemState::Unclear,
        }
    }

    // ---- what the chat sees ----

    /// A slot's next version: a front end drops an update of a slot older
    /// than one it already has.
    fn next_slot(&self, key: String) -> Slot {
        Slot {
            key,
            version: self.inner.slot_versions.fetch_add(1, Ordering::SeqCst) + 1,
        }
    }

    fn show_progress(&self, lang: Lang, run: &CheckRun) {
        let reply = self.progress_reply(lang, run);
        self.post(run, reply);
    }

    fn show_summary(&self, lang: Lang, run: &CheckRun) {
        let reply = self.summary_reply(lang, run);
        self.post(run, reply);
    }

    fn post(&self, run: &CheckRun, reply: Reply) {
        let notice = Notice {
            chat_id: run.chat_id,
            reply_to: run.message_id,
            reply,
        };
        if self.inner.notices.send(notice).is_err() {
            tracing::warn!(run = run.id, "no front end listens for a run's messages");
        }
    }

    fn progress_reply(&self, lang: Lang, run: &CheckRun) -> Reply {
        let id = if run.done {
            "check-all-done"
        } else {
            "check-all-progress"
        };
        Reply {
            text: self.text(
                lang,
                id,
                &[
                    ("checked", run.checked().to_string()),
                    ("count", run.items.len().to_string()),
                ],
            ),
            slot: Some(self.next_slot(run.progress_slot())),
            ..Reply::default()
        }
    }

    /// The summary as the store has it now: each bill's state is read
    /// from its inquiry and the journal, so a bill paid from the summary
    /// (or anywhere) loses its button. The version is taken with the
    /// state read under one lock, so of two renders the newer one always
    /// shows the newer state.
    pub(super) fn summary_reply(&self, lang: Lang, run: &CheckRun) -> Reply {
        let _render = self
            .inner
            .slot_render
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let slot = self.next_slot(run.summary_slot());
        let mut lines = Vec::with_capacity(run.items.len() + 3);
        let mut buttons = Vec::new();
        let mut due = Rupiah(0);
        let mut due_count = 0usize;
        for (n, item) in run.items.iter().enumerate() {
            let n = n + 1;
            let (line_id, mut args): (&str, Vec<(&str, String)>) = match &item.state {
                RunItemState::Waiting | RunItemState::Checking { .. } => {
                    ("check-all-line-waiting", Vec::new())
                }
                RunItemState::Bill { ref_id } => match self.listed_bill(ref_id) {
                    Some((inquiry, state)) => {
                        let total = inquiry.total.unwrap_or_default();
                        let args = vec![("total", total.to_string())];
                        match state {
                            ListedBill::Payable => {
                                due = due.checked_add(total).unwrap_or(due);
                                due_count += 1;
                                buttons.push(self.button(
                                    lang,
                                    "check-all-button-pay",
                                    &[
                                        ("n", n.to_string()),
                                        ("name", short_name(&item.name)),
                                        ("total", total.to_string()),
                                    ],
                                    ButtonAction::PayListed(ref_id.clone()),
                                ));
                                ("check-all-line-bill", args)
                            }
                            ListedBill::Paying => ("check-all-line-paying", args),
                            ListedBill::Paid => ("check-all-line-paid", args),
                            ListedBill::Closed => ("check-all-line-closed", args),
                            ListedBill::Expired => ("check-all-line-expired", args),
                        }
                    }
                    None => ("check-all-line-unclear", Vec::new()),
                },
                RunItemState::PaidAlready { at, .. } => (
                    "check-all-line-paid-already",
                    vec![("date", crate::wib::date_and_time(*at))],
                ),
                RunItemState::NothingDue { reason } => (
                    "check-all-line-nothing-due",
                    vec![("reason", quote(reason))],
                ),
                RunItemState::PaymentUnsettled { ref_id } => {
                    ("check-all-line-unsettled", vec![("ref", ref_id.clone())])
                }
                RunItemState::Failed { reason } => {
                    ("check-all-line-failed", vec![("reason", quote(reason))])
                }
                RunItemState::Unclear => ("check-all-line-unclear", Vec::new()),
                RunItemState::NeedsAmount => (
                    "check-all-line-needs-amount",
                    vec![("example", self.check_example(&item.product, &item.dest))],
                ),
            };
            args.push(("n", n.to_string()));
            args.push(("name", item.name.clone()));
            args.push(("product", item.product.clone()));
            args.push(("dest", item.dest.clone()));
            lines.push(self.text(lang, line_id, &args));
        }
        let mut text = self.text(
            lang,
            "check-all-summary",
            &[("count", run.items.len().to_string())],
        );
        text.push('\n');
        text.push_str(&lines.join("\n"));
        text.push('\n');
        text.push_str(&self.text(
            lang,
            "check-all-total",
            &[("count", due_count.to_string()), ("total", due.to_string())],
        ));
        if !run.all_checked() {
            text.push('\n');
            text.push_str(&self.text(lang, "check-all-more-coming", &[]));
        }
        Reply {
            text,
            buttons,
            column: true,
            slot: Some(slot),
            ..Reply::default()
        }
    }

    /// A run's bill and whether it can still be paid from the summary.
    fn listed_bill(&self, ref_id: &str) -> Option<(Inquiry, ListedBill)> {
        let inquiry = self.inner.store.inquiry(ref_id).ok()??;
        let state = match self.inquiry_state(&inquiry).ok()? {
            InquiryState::Open => {
                let newest = self
                    .inner
                    .store
                    .bill(inquiry.account_id, &inquiry.product, &inquiry.dest)
                    .ok()?
                    .newest;
                if newest.as_deref() != Some(ref_id) {
                    ListedBill::Closed
                } else if inquiry.is_expired(self.now(), self.inner.config.inquiry_ttl) {
                    ListedBill::Expired
                } else {
                    ListedBill::Payable
                }
            }
            InquiryState::Paying => ListedBill::Paying,
            InquiryState::Paid => ListedBill::Paid,
            InquiryState::Failed | InquiryState::Cancelled => ListedBill::Closed,
        };
        Some((inquiry, state))
    }

    /// A summary's Bayar: pays that bill like its own button would; the
    /// summary is drawn again (that bill without its button) and the
    /// result comes as a message of its own.
    pub(super) async fn pay_listed(
        &self,
        ctx: &ChatCtx,
        lang: Lang,
        inquiry: Inquiry,
    ) -> Result<Response, Refusal> {
        let run = self.inner.store.run_of_check(&inquiry.ref_id)?;
        let payment = self.pay(ctx, lang, inquiry, false).await?;
        let summary = run.map(|run| self.summary_reply(lang, &run));
        let (reply, toast) = match payment {
            Payment::Sent(entry) => (
                self.result_reply(lang, &entry),
                Some(self.state_word(lang, entry.state)),
            ),
            Payment::AskFirst(question) => (question, None),
            Payment::Replaced => (Reply::text(self.text(lang, "bill-replaced", &[])), None),
        };
        Ok(Response {
            replies: vec![reply],
            edit_source: summary,
            toast,
            ..Response::default()
        })
    }
}

/// Where a summary's bill is.
enum ListedBill {
    Payable,
    Paying,
    Paid,
    /// Cancelled, refused, or replaced by a newer check.
    Closed,
    Expired,
}

/// The chat a run was started in, as the engine sees a message there.
fn run_ctx(run: &CheckRun) -> ChatCtx {
    let ctx = if run.chat_id == run.user_id {
        ChatCtx::private(run.user_id)
    } else {
        ChatCtx {
            addressed: true,
            ..ChatCtx::group(run.chat_id, run.user_id)
        }
    };
    match run.message_id {
        Some(id) => ctx.with_message(id),
        None => ctx,
    }
}

/// A name short enough for a button.
fn short_name(name: &str) -> String {
    const BUTTON_NAME: usize = 16;
    if name.chars().count() <= BUTTON_NAME {
        return name.to_string();
    }
    let mut short: String = name.chars().take(BUTTON_NAME - 1).collect();
    short.push('…');
    short
}

#[cfg(test)]
mod tests {
    use super::says_nothing_due;

    #[test]
    fn a_refusal_that_says_paid_means_nothing_is_due() {
        for (reason, due) in [
            ("Tagihan sudah lunas", true),
            ("TAGIHAN SUDAH TERBAYAR", true),
            ("tidak ada tagihan bulan ini", true),
            ("IDPEL salah", false),
            ("nomor tujuan salah", false),
            ("sistem sibuk", false),
        ] {
            assert_eq!(says_nothing_due(reason), due, "{reason}");
        }
    }
}
