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

use std::collections::HashSet;

use super::purchase::{Checked, Payment};
use super::*;
use crate::catalog::{BillShape, ProductKind};
use crate::model::{CheckRun, RunItem, RunItemState};
use crate::money::Rupiah;

/// Checks of one run in flight at once (the account's turns bound them
/// too): a run never takes every turn from the chat's other commands.
const IN_FLIGHT: usize = 4;
/// Most customers one run checks: with names and reasons cut to their
/// budgets, the summary of a full run stays one Telegram message (under
/// 4096 characters), held by a test.
pub const MAX_RUN_ITEMS: usize = 25;

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

/// Words that turn a "lunas" around: `belum lunas`, `tidak lunas` (arrears
/// left), `pelunasan`.
const STILL_DUE: &[&str] = &["belum lunas", "tidak lunas", "pelunasan", "belum dibayar"];

/// Whether a refused check's reason says there is nothing to pay.
pub fn says_nothing_due(reason: &str) -> bool {
    let reason = reason.to_lowercase();
    NOTHING_DUE.iter().any(|w| reason.contains(w)) && !STILL_DUE.iter().any(|w| reason.contains(w))
}

impl Engine {
    /// `cek semua`: starts a run over the account's saved bills. One run
    /// per account at a time: a second is refused while the first goes
    /// on (and a run no task drives, after an error, is picked up again).
    pub(super) async fn check_all(&self, ctx: &ChatCtx, lang: Lang) -> Result<Response, Refusal> {
        let access = self.access(ctx, true)?;
        // Looking for a run and starting one is one step.
        let _starting = self.inner.run_start.lock().await;
        if let Some(running) = self
            .inner
            .store
            .unfinished_runs()?
            .into_iter()
            .find(|r| r.account_id == access.account_id)
        {
            self.spawn_run(running.id);
            return Err(Refusal::Message(
                "check-all-running",
                vec![
                    ("checked", running.checked().to_string()),
                    ("count", running.items.len().to_string()),
                ],
            ));
        }
        // One line per bill: `BPJSKS 0001234567890@1` and `@3` are one
        // customer's bill (the newest check of it is the payable one).
        let mut bills = HashSet::new();
        let items: Vec<RunItem> = self
            .inner
            .store
            .customers(access.account_id)?
            .into_iter()
            .filter(|c| self.family_of(&c.product).is_some())
            .filter(|c| bills.insert((before_at(&c.product), before_at(&c.dest))))
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
        let run = CheckRun {
            id: self.inner.store.next_id()?,
            account_id: access.account_id,
            chat_id: ctx.chat_id,
            user_id: ctx.user_id,
            message_id: ctx.message_id,
            started_at: self.now(),
            saved: items.len(),
            items: items.into_iter().take(MAX_RUN_ITEMS).collect(),
            summary_sent: false,
            done: false,
            told: false,
        };
        self.inner.store.put_run(&run).await?;
        let reply = self.progress_reply(lang, &run);
        self.spawn_run(run.id);
        Ok(Response::reply(reply))
    }

    /// Goes on with every run a stop left unfinished, and shows again the
    /// last summary of runs whose chat may not have it.
    pub(super) fn resume_runs(&self) -> usize {
        let runs = self
            .inner
            .store
            .unfinished_runs()
            .and_then(|runs| Ok((runs, self.inner.store.untold_runs()?)));
        match runs {
            Ok((unfinished, untold)) => {
                for run in &unfinished {
                    self.spawn_run(run.id);
                }
                for run in &untold {
                    let lang = self.lang(run.chat_id);
                    self.show_progress(lang, run);
                    self.show_summary(lang, run);
                }
                unfinished.len()
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot read the check runs to resume");
                0
            }
        }
    }

    /// Drives a run in a task of its own, unless one already does. A run
    /// that stops on an error is closed as well as it can be, so the
    /// account is never left with a run nobody drives.
    fn spawn_run(&self, id: u64) {
        if !self.driving().insert(id) {
            return;
        }
        let engine = self.clone();
        tokio::spawn(async move {
            if let Err(e) = engine.drive_run(id).await {
                tracing::error!(error = ?e, run = id, "a cek semua run stopped; closing it");
                if let Err(e) = engine.close_run(id).await {
                    tracing::error!(error = ?e, run = id, "cannot close a cek semua run");
                }
            }
            engine.driving().remove(&id);
        });
    }

    fn driving(&self) -> std::sync::MutexGuard<'_, HashSet<u64>> {
        self.inner
            .driving
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// A run that cannot go on: what is not checked is "no clear answer".
    async fn close_run(&self, id: u64) -> Result<(), Refusal> {
        let Some(run) = self.inner.store.run(id)? else {
            return Ok(());
        };
        let lang = self.lang(run.chat_id);
        self.finish_run(lang, run, true).await
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
            // Logged out or unlinked meanwhile: nothing more is checked,
            // and no summary shows the account's bills there.
            Err(_) => return self.finish_run(lang, run, false).await,
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
                let Some((ref_id, resumed)) = self.start_item(&access, &mut run, i).await? else {
                    // Settled without a check (paid this month, a card).
                    self.show_progress(lang, &run);
                    continue;
                };
                let engine = self.clone();
                let access = access.clone();
                let item = run.items[i].clone();
                checks.spawn(async move {
                    let state = engine
                        .check_item(&ctx, &access, &item, ref_id, resumed)
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
        self.finish_run(lang, run, true).await
    }

    /// Every item has its result: the progress message's last word and
    /// (with `summary`) the summary, once more or for the first time. The
    /// run is told once the chat has that summary; until then a restart
    /// shows it again.
    async fn finish_run(
        &self,
        lang: Lang,
        mut run: CheckRun,
        summary: bool,
    ) -> Result<(), Refusal> {
        for item in &mut run.items {
            if !item.state.is_final() {
                item.state = RunItemState::Unclear;
            }
        }
        run.summary_sent = true;
        run.done = true;
        run.told = !summary;
        self.inner.store.put_run(&run).await?;
        self.show_progress(lang, &run);
        if summary {
            self.show_summary(lang, &run);
        }
        self.inner.store.prune_runs().await?;
        Ok(())
    }

    /// Gets item `i` going: its refID (stored before the check is sent)
    /// and whether it was sent before a stop, or `None` when it is settled
    /// without a check.
    async fn start_item(
        &self,
        access: &Access,
        run: &mut CheckRun,
        i: usize,
    ) -> Result<Option<(String, bool)>, Refusal> {
        let item = &run.items[i];
        if let RunItemState::Checking { ref_id } = &item.state {
            return Ok(Some((ref_id.clone(), true)));
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
            RunItemState::Checking { ref_id } => Some((ref_id.clone(), false)),
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

    /// One customer's check; whatever happens, a result for the run. A
    /// check `resumed` after a stop is asked about under its refID first.
    /// A bill paid (or being paid) from elsewhere while its check was out
    /// is shown as such, never with a Bayar button.
    async fn check_item(
        &self,
        ctx: &ChatCtx,
        access: &Access,
        item: &RunItem,
        ref_id: String,
        resumed: bool,
    ) -> RunItemState {
        let Some(family) = self.family_of(&item.product) else {
            return RunItemState::Unclear;
        };
        let target = Target {
            product: item.product.clone(),
            dest: item.dest.clone(),
        };
        let checked = if resumed {
            self.recheck_bill(ctx, access, &target, family.key, ref_id.clone())
                .await
        } else {
            self.check_bill(ctx, access, &target, family.key, ref_id.clone())
                .await
        };
        match checked {
            Ok(Checked::Bill(_)) => match self.settled_without_check(access.account_id, item) {
                Ok(Some(settled)) => settled,
                Ok(None) => RunItemState::Bill { ref_id },
                Err(_) => RunItemState::Unclear,
            },
            Ok(Checked::Failed(reason)) => {
                let reason = reason.unwrap_or_else(|| "-".into());
                if says_nothing_due(&reason) {
                    RunItemState::NothingDue { reason }
                } else {
                    RunItemState::Failed { reason }
                }
            }
            Ok(Checked::Unclear(_) | Checked::NoAmount(_) | Checked::NotFound) | Err(_) => {
                RunItemState::Unclear
            }
        }
    }

    // ---- what the chat sees ----

    /// A slot's next version: a front end drops an update of a slot older
    /// than one it already has.
    fn next_slot(&self, key: String, last: bool) -> Slot {
        Slot {
            key,
            version: self.inner.slot_versions.fetch_add(1, Ordering::SeqCst) + 1,
            last,
        }
    }

    fn show_progress(&self, lang: Lang, run: &CheckRun) {
        let reply = self.progress_reply(lang, run);
        self.post(run, reply);
    }

    /// Draws again the summary of the run that checked this bill, if one
    /// did (its payment just ended).
    pub(super) fn redraw_run_of(&self, ref_id: &str) {
        match self.inner.store.run_of_check(ref_id) {
            Ok(Some(run)) if run.summary_sent => {
                let lang = self.lang(run.chat_id);
                self.show_summary(lang, &run);
            }
            Ok(_) => {}
            Err(e) => tracing::error!(error = %e, ref_id, "cannot read the run of a paid bill"),
        }
    }

    fn show_summary(&self, lang: Lang, run: &CheckRun) {
        if let Some(reply) = self.summary_reply(lang, run.id) {
            self.post(run, reply);
        }
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
        let mut text = self.text(
            lang,
            id,
            &[
                ("checked", run.checked().to_string()),
                ("count", run.items.len().to_string()),
            ],
        );
        if let Some(capped) = self.capped_note(lang, run) {
            text.push('\n');
            text.push_str(&capped);
        }
        Reply {
            text,
            slot: Some(self.next_slot(run.progress_slot(), run.done)),
            ..Reply::default()
        }
    }

    /// When a run's cap left customers out: how many.
    fn capped_note(&self, lang: Lang, run: &CheckRun) -> Option<String> {
        (run.saved > run.items.len()).then(|| {
            self.text(
                lang,
                "check-all-capped",
                &[
                    ("max", run.items.len().to_string()),
                    ("saved", run.saved.to_string()),
                ],
            )
        })
    }

    /// The summary of run `id` as the store has it now: the run's items
    /// (the run task writes them before it draws) and each bill's state,
    /// read from its inquiry and the journal, so a bill paid from the
    /// summary (or anywhere) loses its button. The version is taken and
    /// everything read under one lock, so of two drawings the newer one
    /// always shows the newer state.
    pub(super) fn summary_reply(&self, lang: Lang, id: u64) -> Option<Reply> {
        let _render = self
            .inner
            .slot_render
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let run = match self.inner.store.run(id) {
            Ok(Some(run)) => run,
            Ok(None) => return None,
            Err(e) => {
                tracing::error!(error = %e, run = id, "cannot read a run to draw its summary");
                return None;
            }
        };
        let slot = self.next_slot(run.summary_slot(), run.done);
        let mut lines = Vec::with_capacity(run.items.len() + 3);
        let mut buttons = Vec::new();
        let mut due = Rupiah(0);
        let mut due_count = 0usize;
        // What the customers pay, where a `/jual` rule prices their bill.
        let mut collect = Rupiah(0);
        let mut priced = false;
        for (n, item) in run.items.iter().enumerate() {
            let n = n + 1;
            // What this customer pays, for a bill still to pay that a
            // `/jual` rule prices.
            let mut collect_line = None;
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
                                let customer_pays =
                                    self.collect_for(run.account_id, &inquiry.product, total);
                                priced |= customer_pays.is_some();
                                collect_line = customer_pays;
                                let pays = customer_pays.unwrap_or(total);
                                collect = collect.checked_add(pays).unwrap_or(collect);
                                buttons.push(self.button(
                                    lang,
                                    "check-all-button-pay",
                                    &[
                                        ("n", n.to_string()),
                                        ("name", cut(&item.name, BUTTON_NAME)),
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
                    vec![("reason", quote_at_most(reason, LINE_REASON))],
                ),
                RunItemState::PaymentUnsettled { ref_id } => {
                    ("check-all-line-unsettled", vec![("ref", ref_id.clone())])
                }
                RunItemState::Failed { reason } => (
                    "check-all-line-failed",
                    vec![("reason", quote_at_most(reason, LINE_REASON))],
                ),
                RunItemState::Unclear => ("check-all-line-unclear", Vec::new()),
                RunItemState::NeedsAmount => (
                    "check-all-line-needs-amount",
                    vec![("example", self.check_example(&item.product, &item.dest))],
                ),
            };
            args.push(("n", n.to_string()));
            args.push(("name", cut(&item.name, LINE_NAME)));
            args.push(("product", item.product.clone()));
            args.push(("dest", item.dest.clone()));
            let mut line = self.text(lang, line_id, &args);
            if let Some(customer_pays) = collect_line {
                line.push_str(&self.text(
                    lang,
                    "check-all-collect",
                    &[("collect", customer_pays.to_string())],
                ));
            }
            lines.push(line);
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
        if priced {
            text.push_str(&self.text(
                lang,
                "check-all-collect",
                &[("collect", collect.to_string())],
            ));
        }
        if !run.all_checked() {
            text.push('\n');
            text.push_str(&self.text(lang, "check-all-more-coming", &[]));
        }
        Some(Reply {
            text,
            buttons,
            column: true,
            slot: Some(slot),
            ..Reply::default()
        })
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
        let payment = self.pay(ctx, lang, inquiry, false).await;
        // Drawn after the payment: the newest state, whatever came of it.
        let summary = run.and_then(|run| self.summary_reply(lang, run.id));
        let (replies, toast) = match payment {
            Ok(Payment::Sent(entry)) => (
                vec![self.result_reply(lang, &entry)],
                Some(self.state_word(lang, entry.state)),
            ),
            Ok(Payment::AskFirst(question)) => (vec![question], None),
            Ok(Payment::Replaced) => (
                vec![Reply::text(self.text(lang, "bill-replaced", &[]))],
                None,
            ),
            // Paid already, expired, not theirs: a toast, and the summary
            // drawn again to show why.
            Err(Refusal::Message(id, args)) => (Vec::new(), Some(self.text(lang, id, &args))),
            Err(other) => return Err(other),
        };
        Ok(Response {
            replies,
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

/// A customer's name on a summary line and on its button: short enough
/// that a full run's summary is one Telegram message.
const LINE_NAME: usize = 24;
const BUTTON_NAME: usize = 16;
/// A gateway's reason on a summary line.
const LINE_REASON: usize = 40;

/// A code or number before its `@` suffix: one customer's bill.
fn before_at(text: &str) -> String {
    text.split('@').next().unwrap_or(text).to_string()
}

/// `text` cut to `limit` characters, `…` marking the cut.
fn cut(text: &str, limit: usize) -> String {
    if text.chars().count() <= limit {
        return text.to_string();
    }
    let mut short: String = text.chars().take(limit - 1).collect();
    short.push('…');
    short
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The longest a line can get: every argument at its budget (a name
    /// and a reason cut, the longest product code and number the
    /// catalogue shapes allow, a total of Rp10 million).
    #[test]
    fn a_full_runs_summary_fits_one_telegram_message() {
        let locales = Locales::load();
        let name = cut(&"N".repeat(crate::command::MAX_CUSTOMER_NAME), LINE_NAME);
        let reason = quote_at_most(&"R".repeat(300), LINE_REASON);
        let args: Vec<(&str, String)> = vec![
            ("n", MAX_RUN_ITEMS.to_string()),
            ("count", MAX_RUN_ITEMS.to_string()),
            ("name", name),
            ("product", "P".repeat(16)),
            ("dest", "9".repeat(24)),
            ("total", Rupiah(10_000_000).to_string()),
            ("date", "2026-12-31 23:59".into()),
            ("reason", reason),
            ("ref", "LMX5LCYYW0001RL".into()),
            ("collect", Rupiah(10_000_000).to_string()),
            (
                "example",
                format!("{} {} 1,5jt cek", "P".repeat(16), "9".repeat(24)),
            ),
        ];
        for lang in [Lang::Id, Lang::En] {
            let longest = [
                "check-all-line-bill",
                "check-all-line-paying",
                "check-all-line-paid",
                "check-all-line-closed",
                "check-all-line-expired",
                "check-all-line-paid-already",
                "check-all-line-nothing-due",
                "check-all-line-unsettled",
                "check-all-line-failed",
                "check-all-line-unclear",
                "check-all-line-needs-amount",
                "check-all-line-waiting",
            ]
            .iter()
            .map(|id| {
                let line = locales.text(lang, id, &args).chars().count();
                // A bill still to pay may say what the customer pays.
                let collect = (*id == "check-all-line-bill").then(|| {
                    let pays = [("collect", Rupiah(10_000_000).to_string())];
                    locales
                        .text(lang, "check-all-collect", &pays)
                        .chars()
                        .count()
                });
                line + collect.unwrap_or(0)
            })
            .max()
            .unwrap();
            let around = [
                locales.text(lang, "check-all-summary", &args),
                locales.text(lang, "check-all-total", &args),
                locales.text(lang, "check-all-more-coming", &args),
                locales.text(lang, "check-all-collect", &args),
            ]
            .iter()
            .map(|t| t.chars().count() + 1)
            .sum::<usize>();
            let total = around + MAX_RUN_ITEMS * (longest + 1);
            assert!(
                crate::telegram::split_text(&"x".repeat(total)).len() == 1,
                "{lang:?}: a full summary can take {total} characters"
            );
        }
    }

    #[test]
    fn a_refusal_that_says_paid_means_nothing_is_due() {
        for (reason, due) in [
            ("Tagihan sudah lunas", true),
            ("TAGIHAN SUDAH TERBAYAR", true),
            ("tidak ada tagihan bulan ini", true),
            ("Tagihan belum lunas, tunggakan 2 bulan", false),
            ("GAGAL. tidak lunas", false),
            ("sisa pelunasan Rp50.000", false),
            ("IDPEL salah", false),
            ("nomor tujuan salah", false),
            ("sistem sibuk", false),
        ] {
            assert_eq!(says_nothing_due(reason), due, "{reason}");
        }
    }
}
