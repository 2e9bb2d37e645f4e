//! The reseller's shop: selling prices (`/jual`), what receipts print
//! (`/toko`), receipts (`struk`), recaps (`rekap`, the nightly one) and the
//! month's export (`/ekspor`). Flows read "who may → store → outcome";
//! the words are `shop_text`'s.
//!
//! Who may, in a group: prices, the shop and the nightly recap are the
//! owner's; recaps and exports are for the owner and allowed users, and
//! show that group's share; a receipt is for whoever saw the sale (its
//! chat), or its account's owner in private.

use chrono::NaiveDate;

use super::outcome::{RecapView, Struk, StrukKind, StrukPeriod};
use super::*;
use crate::catalog::{BillShape, ProductKind};
use crate::command::{Month, PriceCommand, RecapCommand, RecapPeriod, ShopCommand};
use crate::money::Rupiah;
use crate::shop::{PlnToken, Pricing, RecapSchedule, RecapSums, MAX_PRICE_RULES};

/// A nightly recap set before 06:00 WIB sums the day before.
const EARLY_RECAP_BEFORE: u16 = 6 * 60;

/// How often the front ends look for nightly recaps that are due.
pub const RECAP_CHECK_EVERY: Duration = Duration::from_secs(30);

/// What a chat asks of its account's shop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Right {
    /// Change prices, the shop, the nightly recap: the owner only.
    Manage,
    /// Read recaps and exports: the owner and allowed users.
    Report,
}

/// Which sales a chat's recap sums.
#[derive(Debug, Clone, Copy)]
struct Scope {
    account_id: i64,
    /// In a group: only the sales made in it.
    chat: Option<i64>,
}

impl Engine {
    /// The account whose shop this chat uses, if this user has `right`.
    pub(super) fn shop_account(&self, ctx: &ChatCtx, right: Right) -> Result<i64, Refusal> {
        match ctx.kind {
            ChatKind::Private => Ok(ctx.chat_id),
            ChatKind::Group => {
                let link = self.linked_group(ctx.chat_id)?;
                match right {
                    Right::Manage if link.owner != ctx.user_id => Err(refuse("shop-owner-only")),
                    Right::Report if !link.may_transact(ctx.user_id) => {
                        Err(refuse("group-not-allowed"))
                    }
                    _ => Ok(link.owner),
                }
            }
        }
    }

    fn scope(&self, ctx: &ChatCtx) -> Result<Scope, Refusal> {
        let account_id = self.shop_account(ctx, Right::Report)?;
        Ok(Scope {
            account_id,
            chat: (ctx.kind == ChatKind::Group).then_some(ctx.chat_id),
        })
    }

    /// How the account's rules price a sale of `product` now (fixed into
    /// the sale's journal entry).
    pub(super) fn pricing_for(&self, account_id: i64, product: &str) -> Option<Pricing> {
        let book = match self.inner.store.price_book(account_id) {
            Ok(book) => book,
            Err(e) => {
                tracing::error!(error = %e, "cannot read selling prices; selling at cost");
                return None;
            }
        };
        let code = product.split('@').next().unwrap_or(product);
        let family = match self.inner.catalog.classify(code) {
            ProductKind::Bill(family) => Some(family.key),
            ProductKind::Prepaid => None,
        };
        book.pricing_for(code, family)
    }

    /// What to collect from the customer for a bill of `total`, when a
    /// rule prices it (`None`: the total, no rule).
    pub(super) fn collect_for(
        &self,
        account_id: i64,
        product: &str,
        total: Rupiah,
    ) -> Option<Rupiah> {
        let pricing = self.pricing_for(account_id, product)?;
        Pricing::selling_price(Some(pricing), Some(total))
    }

    // ---- /jual ----

    pub(super) async fn prices(
        &self,
        ctx: &ChatCtx,
        lang: Lang,
        command: PriceCommand,
    ) -> Result<Response, Refusal> {
        let right = match command {
            PriceCommand::List => Right::Report,
            _ => Right::Manage,
        };
        let account_id = self.shop_account(ctx, right)?;
        let mut book = self.inner.store.price_book(account_id)?;
        let text = match command {
            PriceCommand::List => self.price_list_text(lang, &book),
            PriceCommand::Set(rule) => {
                if book.rules.len() >= MAX_PRICE_RULES && book.rule_for_key(&rule.key()).is_none() {
                    return Err(Refusal::Message(
                        "price-too-many",
                        vec![("max", MAX_PRICE_RULES.to_string())],
                    ));
                }
                let line = self.price_rule_text(lang, &rule);
                book.set(rule);
                self.inner.store.set_price_book(account_id, &book).await?;
                self.text(lang, "price-set", &[("rule", line)])
            }
            PriceCommand::Remove(key) => {
                if !book.remove(&key) {
                    return Err(Refusal::Message("price-no-rule", vec![("key", key)]));
                }
                self.inner.store.set_price_book(account_id, &book).await?;
                self.text(lang, "price-removed", &[("key", key)])
            }
        };
        Ok(Response::reply(Reply::text(text)))
    }

    // ---- /toko ----

    pub(super) async fn shop(
        &self,
        ctx: &ChatCtx,
        lang: Lang,
        command: ShopCommand,
    ) -> Result<Response, Refusal> {
        let right = match command {
            ShopCommand::Show => Right::Report,
            _ => Right::Manage,
        };
        let account_id = self.shop_account(ctx, right)?;
        let current = self.inner.store.shop_profile(account_id)?;
        let changed = match command {
            ShopCommand::Show => {
                return Ok(Response::reply(Reply::text(
                    self.shop_text(lang, current.as_ref()),
                )))
            }
            ShopCommand::Set { name, address } => Some(crate::shop::ShopProfile {
                name,
                address,
                footer: current.and_then(|c| c.footer),
            }),
            ShopCommand::Footer(footer) => match current {
                Some(profile) => Some(crate::shop::ShopProfile { footer, ..profile }),
                None => return Err(refuse("shop-name-first")),
            },
            ShopCommand::Clear => None,
        };
        self.inner
            .store
            .set_shop_profile(account_id, changed.as_ref())
            .await?;
        let text = match &changed {
            Some(_) => format!(
                "{}\n{}",
                self.text(lang, "shop-saved", &[]),
                self.shop_text(lang, changed.as_ref())
            ),
            None => self.text(lang, "shop-cleared", &[]),
        };
        Ok(Response::reply(Reply::text(text)))
    }

    // ---- struk ----

    /// `struk REFID` or the Struk button: the text to forward, as the
    /// caption of the PNG to print.
    pub(super) fn receipt(
        &self,
        ctx: &ChatCtx,
        lang: Lang,
        ref_id: &str,
    ) -> Result<Response, Refusal> {
        let ref_id = ref_id.to_ascii_uppercase();
        let entry = self.inner.store.entry(&ref_id)?.filter(|e| {
            e.chat_id == ctx.chat_id
                || (ctx.kind == ChatKind::Private && e.account_id == ctx.user_id)
        });
        let Some(entry) = entry else {
            return Err(Refusal::Message("struk-unknown-ref", vec![("ref", ref_id)]));
        };
        if entry.state != EntryState::Success {
            return Err(Refusal::Message(
                "struk-not-success",
                vec![
                    ("ref", ref_id),
                    ("state", self.state_word(lang, entry.state)),
                ],
            ));
        }
        let struk = self.struk_of(&entry)?;
        let lines = self.struk_lines(lang, &struk);
        Ok(Response::reply(Reply {
            text: crate::engine::shop_text::struk_plain_text(&lines),
            attachment: Some(Attachment::Photo {
                name: format!("struk-{}.png", entry.ref_id),
                bytes: crate::picture::receipt_png(&lines),
            }),
            copy: self.copy_buttons(lang, &entry),
            ..Reply::default()
        }))
    }

    fn struk_of(&self, entry: &JournalEntry) -> Result<Struk, Refusal> {
        let (code, product_suffix) = split_at(&entry.product);
        let (dest, dest_suffix) = split_at(&entry.dest);
        let (kind, period) = match self.inner.catalog.classify(code) {
            ProductKind::Bill(family) => {
                let suffix = match family.shape {
                    BillShape::DestMonths | BillShape::DestYear => dest_suffix,
                    BillShape::ProductYear | BillShape::ProductAmount => product_suffix,
                    BillShape::Plain => None,
                };
                let period = suffix.and_then(|s| match family.shape {
                    BillShape::DestMonths => s.parse().ok().map(StrukPeriod::Months),
                    BillShape::DestYear | BillShape::ProductYear => {
                        s.parse().ok().map(StrukPeriod::Year)
                    }
                    BillShape::ProductAmount => Rupiah::parse_plain(s).map(StrukPeriod::Amount),
                    BillShape::Plain => None,
                });
                // BPJS without a suffix is one month.
                let period = period
                    .or((family.shape == BillShape::DestMonths).then_some(StrukPeriod::Months(1)));
                (StrukKind::Bill(family.key.to_string()), period)
            }
            ProductKind::Prepaid if code.starts_with("PLN") => (StrukKind::PlnToken, None),
            ProductKind::Prepaid => (StrukKind::Topup, None),
        };
        // A PLN code whose SN holds no token prints as any topup.
        let token = match kind {
            StrukKind::PlnToken => entry.sn.as_deref().and_then(PlnToken::of_sn),
            _ => None,
        };
        let kind = match (kind, &token) {
            (StrukKind::PlnToken, None) => StrukKind::Topup,
            (kind, _) => kind,
        };
        let name = entry
            .customer
            .clone()
            .or_else(|| token.as_ref().and_then(|t| t.name.clone()));
        Ok(Struk {
            shop: self.inner.store.shop_profile(entry.account_id)?,
            at: entry.created_at,
            kind,
            product: code.to_string(),
            dest: dest.to_string(),
            name,
            period,
            sn: entry.sn.clone(),
            token,
            price: entry.selling_price(),
            ref_id: entry.ref_id.clone(),
        })
    }

    // ---- rekap ----

    pub(super) async fn recap(
        &self,
        ctx: &ChatCtx,
        lang: Lang,
        command: RecapCommand,
    ) -> Result<Response, Refusal> {
        match command {
            RecapCommand::Show(period) => {
                let scope = self.scope(ctx)?;
                let view = self.recap_view(scope, period)?;
                Ok(Response::reply(self.recap_reply(lang, &view)))
            }
            RecapCommand::AutoAt(minute) => {
                let account_id = self.shop_account(ctx, Right::Manage)?;
                let now = self.now();
                let today = crate::wib::date(now);
                // Set after today's minute, or already sent today (at
                // another time): the next recap is tomorrow's.
                let sent_today = self
                    .inner
                    .store
                    .recap_schedule(ctx.chat_id)?
                    .and_then(|s| s.last_sent)
                    .filter(|day| *day >= today);
                let last_sent =
                    sent_today.or((crate::wib::minute_of_day(now) >= minute).then_some(today));
                let schedule = RecapSchedule {
                    chat_id: ctx.chat_id,
                    account_id,
                    minute,
                    last_sent,
                };
                self.inner
                    .store
                    .set_recap_schedule(ctx.chat_id, Some(&schedule))
                    .await?;
                Ok(Response::reply(Reply::text(self.text(
                    lang,
                    "recap-auto-on",
                    &[("time", clock_text(minute))],
                ))))
            }
            RecapCommand::AutoOff => {
                self.shop_account(ctx, Right::Manage)?;
                self.inner
                    .store
                    .set_recap_schedule(ctx.chat_id, None)
                    .await?;
                Ok(Response::reply(Reply::text(self.text(
                    lang,
                    "recap-auto-off",
                    &[],
                ))))
            }
        }
    }

    fn recap_view(&self, scope: Scope, period: RecapPeriod) -> Result<RecapView, Refusal> {
        let today = crate::wib::date(self.now());
        let (from, to, day) = match period {
            RecapPeriod::Today => (today, next_day(today), today),
            RecapPeriod::Yesterday => {
                let yesterday = today.pred_opt().unwrap_or(today);
                (yesterday, today, yesterday)
            }
            RecapPeriod::Day(day) => (day, next_day(day), day),
            RecapPeriod::Month(month) => (month.first_day(), month.next().first_day(), today),
        };
        let entries = self.period_entries(scope, from, to)?;
        let sums = RecapSums::of(&entries, |e| {
            chrono::Datelike::day(&crate::wib::date(e.created_at))
        });
        Ok(RecapView {
            period,
            day,
            group_share: scope.chat.is_some(),
            sums,
        })
    }

    /// The scope's sales made in `[from, to)` (WIB days), oldest first.
    fn period_entries(
        &self,
        scope: Scope,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<JournalEntry>, Refusal> {
        let mut entries = self.inner.store.account_entries_between(
            scope.account_id,
            crate::wib::start_of(from),
            crate::wib::start_of(to),
        )?;
        if let Some(chat) = scope.chat {
            entries.retain(|e| e.chat_id == chat);
        }
        Ok(entries)
    }

    /// Sends every nightly recap that is due (its minute has passed today,
    /// WIB, and it was not sent today); a recap whose minute passed while
    /// loket was down is sent now. Returns how many were sent.
    pub async fn send_due_recaps(&self) -> usize {
        let now = self.now();
        let (today, minute) = (crate::wib::date(now), crate::wib::minute_of_day(now));
        let schedules = match self.inner.store.recap_schedules() {
            Ok(schedules) => schedules,
            Err(e) => {
                tracing::error!(error = %e, "cannot read the nightly recaps");
                return 0;
            }
        };
        let mut sent = 0;
        for schedule in schedules.iter().filter(|s| s.is_due(today, minute)) {
            // Marked first: a recap is sent at most once per day (the
            // outbox then retries it until Telegram takes it). A crash in
            // the instant between the mark and the hand-over loses that
            // day's recap; `rekap` still shows it.
            match self.inner.store.mark_recap_sent(schedule, today).await {
                Ok(true) => {}
                Ok(false) => continue,
                Err(e) => {
                    tracing::error!(error = %e, chat = schedule.chat_id, "cannot mark a nightly recap sent");
                    continue;
                }
            }
            // A group's recap is its owner's only while the group is
            // still linked to them: unlinked or relinked, it stops.
            let group = schedule.chat_id != schedule.account_id;
            if group {
                let owner = self.inner.store.group(schedule.chat_id).ok().flatten();
                if owner.is_none_or(|link| link.owner != schedule.account_id) {
                    if let Err(e) = self
                        .inner
                        .store
                        .set_recap_schedule(schedule.chat_id, None)
                        .await
                    {
                        tracing::error!(error = %e, "cannot drop the nightly recap of an unlinked group");
                    }
                    continue;
                }
            }
            let scope = Scope {
                account_id: schedule.account_id,
                chat: group.then_some(schedule.chat_id),
            };
            let lang = self.lang(schedule.chat_id);
            // A recap set for the small hours sums the day that just ended.
            let period = if schedule.minute < EARLY_RECAP_BEFORE {
                RecapPeriod::Yesterday
            } else {
                RecapPeriod::Today
            };
            let reply = match self.recap_view(scope, period) {
                Ok(view) => self.recap_reply(lang, &view),
                Err(_) => continue,
            };
            let notice = Notice {
                chat_id: schedule.chat_id,
                reply_to: None,
                reply,
            };
            if self.inner.notices.send(notice).is_ok() {
                sent += 1;
            }
        }
        sent
    }

    /// Checks the nightly recaps every `every` for as long as the engine
    /// lives (both front ends start it).
    pub fn spawn_recap_schedule(&self, every: Duration) -> tokio::task::JoinHandle<()> {
        let engine = self.clone();
        tokio::spawn(async move {
            loop {
                engine.send_due_recaps().await;
                tokio::time::sleep(every).await;
            }
        })
    }

    // ---- /ekspor ----

    pub(super) fn export(
        &self,
        ctx: &ChatCtx,
        lang: Lang,
        month: Option<Month>,
    ) -> Result<Response, Refusal> {
        let scope = self.scope(ctx)?;
        let month = month.unwrap_or_else(|| this_month(self.now()));
        let entries = self.period_entries(scope, month.first_day(), month.next().first_day())?;
        if entries.is_empty() {
            return Err(Refusal::Message(
                "export-empty",
                vec![("month", month.to_string())],
            ));
        }
        let csv = export_csv(&self.inner.locales, lang, &entries);
        Ok(Response::reply(Reply {
            text: self.text(
                lang,
                "export-caption",
                &[
                    ("month", month.to_string()),
                    ("count", entries.len().to_string()),
                ],
            ),
            attachment: Some(Attachment::Document {
                name: format!("loket-{month}.csv"),
                bytes: csv,
            }),
            ..Reply::default()
        }))
    }
}

/// `CODE@suffix` → (`CODE`, `suffix`).
fn split_at(text: &str) -> (&str, Option<&str>) {
    match text.split_once('@') {
        Some((base, suffix)) => (base, Some(suffix)),
        None => (text, None),
    }
}

fn next_day(day: NaiveDate) -> NaiveDate {
    day.succ_opt().unwrap_or(day)
}

/// The WIB month holding `at`.
pub fn this_month(at: DateTime<Utc>) -> Month {
    let day = crate::wib::date(at);
    Month {
        year: chrono::Datelike::year(&day),
        month: chrono::Datelike::month(&day),
    }
}

/// `21:00` from minutes after midnight.
fn clock_text(minute: u16) -> String {
    format!("{:02}:{:02}", minute / 60, minute % 60)
}

/// A month's sales as CSV, one row per journal entry, with a header row;
/// UTF-8, amounts as plain integers so a spreadsheet sums them. Read by
/// `/ekspor` and by the operator's `loket export`.
pub fn export_csv(locales: &Locales, lang: Lang, entries: &[JournalEntry]) -> Vec<u8> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let header: Vec<String> = EXPORT_COLUMNS
        .iter()
        .map(|id| locales.text(lang, id, &[]))
        .collect();
    let amount = |value: Option<Rupiah>| value.map(|v| v.value().to_string()).unwrap_or_default();
    let mut rows = vec![header];
    for entry in entries {
        let kind = match entry.kind {
            EntryKind::Topup => "export-kind-topup",
            EntryKind::Payment => "export-kind-payment",
        };
        let state = match entry.state {
            EntryState::Success => "state-success",
            EntryState::Failed => "state-failed",
            EntryState::Pending => "state-pending",
            EntryState::Unknown | EntryState::Sending => "state-unknown",
        };
        rows.push(vec![
            crate::wib::export_time(entry.created_at),
            cell(&entry.ref_id),
            cell(&entry.product),
            cell(&entry.dest),
            locales.text(lang, kind, &[]),
            locales.text(lang, state, &[]),
            amount(entry.charged()),
            amount(entry.selling_price()),
            amount(entry.profit()),
            cell(entry.sn.as_deref().unwrap_or_default()),
        ]);
    }
    for row in rows {
        if let Err(e) = writer.write_record(&row) {
            tracing::error!(error = %e, "cannot write an export row");
        }
    }
    writer.into_inner().unwrap_or_default()
}

/// A text cell a spreadsheet shows as text: one that would start a
/// formula (`=`, `+`, `-`, `@`, a tab or carriage return — an SN is the
/// gateway's free text) gets a leading `'` (OWASP, "CSV Injection").
fn cell(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

/// The export's columns, as locale ids of their headers.
const EXPORT_COLUMNS: &[&str] = &[
    "export-col-time",
    "export-col-ref",
    "export-col-product",
    "export-col-dest",
    "export-col-kind",
    "export-col-state",
    "export-col-cost",
    "export-col-sell",
    "export-col-profit",
    "export-col-sn",
];
