//! Regular customers (`simpan`, `pelanggan`, `hapus pelanggan N`, the
//! Simpan button) and their use by name in place of a number (`PLNPASC
//! anto cek`, `T10 anto`): a name becomes the saved number and the message
//! is read again, so only a number that has its product's shape is ever
//! sent. A name that fits two customers asks which.
//!
//! Per account: the owner's private chat and the groups linked to it share
//! them; in a group the owner and allowed members use them.

use super::shop::Right;
use super::*;
use crate::command::{CustomerQuery, MAX_CUSTOMER_NAME};
use crate::model::Customer;

/// Customers per page of `pelanggan`.
const PAGE: usize = 10;
/// How far back `pelanggan` looks for each customer's last payment.
const LAST_PAID_SCAN: usize = 500;

/// What a name typed in place of a number came to.
pub(super) enum ByName {
    /// Exactly one customer fits: the message with its number.
    One(String),
    /// Several fit: the message with each of their numbers.
    Several(Vec<(Customer, String)>),
    None,
}

impl Engine {
    pub(super) async fn save_customer(
        &self,
        ctx: &ChatCtx,
        lang: Lang,
        target: Target,
        name: String,
    ) -> Result<Response, Refusal> {
        let account_id = self.shop_account(ctx, Right::Report)?;
        let customer = Customer {
            product: target.product,
            dest: target.dest,
            name,
            saved_at: self.now(),
        };
        if !self
            .inner
            .store
            .save_customer(account_id, &customer)
            .await?
        {
            return Err(Refusal::Message(
                "customer-too-many",
                vec![("max", crate::store::MAX_CUSTOMERS.to_string())],
            ));
        }
        Ok(Response::reply(Reply::text(self.text(
            lang,
            "customer-saved",
            &[
                ("name", customer.name),
                ("product", customer.product),
                ("dest", customer.dest),
            ],
        ))))
    }

    /// The Simpan button under a bill (saved under the name its check
    /// returned) or a topup (under its number, to be renamed with `simpan`).
    pub(super) async fn save_from(
        &self,
        ctx: &ChatCtx,
        lang: Lang,
        ref_id: &str,
    ) -> Result<Response, Refusal> {
        let (target, name) = if let Some(inquiry) = self
            .inner
            .store
            .inquiry(ref_id)?
            .filter(|i| i.chat_id == ctx.chat_id)
        {
            let name = inquiry.name.clone().unwrap_or_else(|| inquiry.dest.clone());
            (
                Target {
                    product: inquiry.product,
                    dest: inquiry.dest,
                },
                name,
            )
        } else if let Some(entry) = self
            .inner
            .store
            .entry(ref_id)?
            .filter(|e| e.chat_id == ctx.chat_id && e.kind == EntryKind::Topup)
        {
            (
                Target {
                    product: entry.product,
                    dest: entry.dest.clone(),
                },
                entry.dest,
            )
        } else {
            return Err(refuse("button-stale"));
        };
        let name: String = name.chars().take(MAX_CUSTOMER_NAME).collect();
        self.save_customer(ctx, lang, target, name).await
    }

    pub(super) fn list_customers(
        &self,
        ctx: &ChatCtx,
        lang: Lang,
        query: CustomerQuery,
    ) -> Result<Response, Refusal> {
        let account_id = self.shop_account(ctx, Right::Report)?;
        let all = self.inner.store.customers(account_id)?;
        if all.is_empty() {
            return Ok(Response::reply(Reply::text(self.text(
                lang,
                "customers-none",
                &[],
            ))));
        }
        let numbered: Vec<(usize, &Customer)> =
            all.iter().enumerate().map(|(i, c)| (i + 1, c)).collect();
        let (shown, title) = match &query {
            CustomerQuery::Page(page) => {
                let pages = all.len().div_ceil(PAGE);
                let page = (*page).min(pages);
                let shown: Vec<_> = numbered
                    .iter()
                    .skip((page - 1) * PAGE)
                    .take(PAGE)
                    .copied()
                    .collect();
                let mut title = self.text(
                    lang,
                    "customers-title",
                    &[
                        ("page", page.to_string()),
                        ("pages", pages.to_string()),
                        ("count", all.len().to_string()),
                    ],
                );
                if page < pages {
                    title.push('\n');
                    title.push_str(&self.text(
                        lang,
                        "customers-next",
                        &[("next", (page + 1).to_string())],
                    ));
                }
                (shown, title)
            }
            CustomerQuery::Find(words) => {
                let words = words.to_lowercase();
                let shown: Vec<_> = numbered
                    .iter()
                    .filter(|(_, c)| {
                        c.name.to_lowercase().contains(&words) || c.dest.contains(&words)
                    })
                    .copied()
                    .collect();
                if shown.is_empty() {
                    return Err(Refusal::Message(
                        "customers-not-found",
                        vec![("words", words)],
                    ));
                }
                (
                    shown,
                    self.text(lang, "customers-found", &[("words", words)]),
                )
            }
        };
        let last_paid = self.last_paid(account_id)?;
        let lines: Vec<String> = shown
            .iter()
            .map(|(n, c)| {
                let mut line = self.text(
                    lang,
                    "customers-line",
                    &[
                        ("n", n.to_string()),
                        ("name", c.name.clone()),
                        ("product", c.product.clone()),
                        ("dest", c.dest.clone()),
                    ],
                );
                if let Some(entry) = last_paid.get(&(c.product.clone(), c.dest.clone())) {
                    line.push_str(
                        &self.text(
                            lang,
                            "customers-last-paid",
                            &[
                                (
                                    "price",
                                    entry
                                        .selling_price()
                                        .map_or_else(|| "-".into(), |p| p.to_string()),
                                ),
                                ("day", crate::wib::day_and_time(entry.created_at)),
                            ],
                        ),
                    );
                }
                line
            })
            .collect();
        Ok(Response::reply(Reply::text(format!(
            "{title}\n{}",
            lines.join("\n")
        ))))
    }

    /// The newest success per (product, number) among the account's
    /// recent sales.
    fn last_paid(
        &self,
        account_id: i64,
    ) -> Result<HashMap<(String, String), JournalEntry>, Refusal> {
        let mut out = HashMap::new();
        for entry in self
            .inner
            .store
            .recent_account_entries(account_id, LAST_PAID_SCAN)?
        {
            if entry.state == EntryState::Success {
                out.entry((entry.product.clone(), entry.dest.clone()))
                    .or_insert(entry);
            }
        }
        Ok(out)
    }

    pub(super) async fn forget_customer(
        &self,
        ctx: &ChatCtx,
        lang: Lang,
        n: usize,
    ) -> Result<Response, Refusal> {
        let account_id = self.shop_account(ctx, Right::Report)?;
        let all = self.inner.store.customers(account_id)?;
        let Some(customer) = n.checked_sub(1).and_then(|i| all.get(i)) else {
            return Err(Refusal::Message(
                "customer-no-number",
                vec![("n", n.to_string())],
            ));
        };
        self.inner
            .store
            .forget_customer(account_id, customer)
            .await?;
        Ok(Response::reply(Reply::text(self.text(
            lang,
            "customer-forgotten",
            &[
                ("name", customer.name.clone()),
                ("product", customer.product.clone()),
                ("dest", customer.dest.clone()),
            ],
        ))))
    }

    /// `PLNPASC anto cek`: the saved customers whose name holds a word of
    /// the message and whose number, put in that word's place, reads as
    /// the same kind of command. Only for someone who may use the
    /// account's customers; nothing is looked up otherwise.
    pub(super) fn by_name(&self, ctx: &ChatCtx, text: &str) -> Result<ByName, Refusal> {
        let Ok(account_id) = self.shop_account(ctx, Right::Report) else {
            return Ok(ByName::None);
        };
        let customers = self.inner.store.customers(account_id)?;
        if customers.is_empty() {
            return Ok(ByName::None);
        }
        let words: Vec<&str> = text.split_whitespace().collect();
        let mut found: Vec<(Customer, String)> = Vec::new();
        for (i, word) in words.iter().enumerate().skip(1) {
            let lower = word.to_lowercase();
            if lower.chars().count() < 2 || lower.bytes().all(|b| b.is_ascii_digit()) {
                continue;
            }
            for customer in &customers {
                if !customer.name.to_lowercase().contains(&lower) {
                    continue;
                }
                let mut typed = words.clone();
                typed[i] = &customer.dest;
                let typed = typed.join(" ");
                // The number must read as this command's, and come from a
                // customer of the same product (any prepaid code for a
                // prepaid customer: a T10 number takes a T25; a PLN bill's
                // number never takes a pulsa topup).
                let read = match command::parse(&typed, &self.inner.catalog) {
                    Ok(Command::Topup(t)) => Some((t.product, t.dest)),
                    Ok(Command::Inquiry(b) | Command::Pay(b)) => {
                        Some((b.target.product, b.target.dest))
                    }
                    _ => None,
                };
                let base = |code: &str| code.split('@').next().unwrap_or("").to_string();
                let fits = read.is_some_and(|(product, dest)| {
                    let prepaid = |code: &str| {
                        self.inner.catalog.classify(&base(code))
                            == crate::catalog::ProductKind::Prepaid
                    };
                    let same_product = base(&product) == base(&customer.product)
                        || (prepaid(&product) && prepaid(&customer.product));
                    same_product && base(&dest) == base(&customer.dest)
                });
                if fits && !found.iter().any(|(_, t)| *t == typed) {
                    found.push((customer.clone(), typed));
                }
            }
            if !found.is_empty() {
                break;
            }
        }
        Ok(match found.len() {
            0 => ByName::None,
            1 => ByName::One(found.remove(0).1),
            _ => ByName::Several(found),
        })
    }

    /// "Which one?": the commands to type, one per customer.
    pub(super) fn which_customer(&self, lang: Lang, found: &[(Customer, String)]) -> Reply {
        let lines: Vec<String> = found
            .iter()
            .map(|(c, typed)| {
                self.text(
                    lang,
                    "customers-which-line",
                    &[("name", c.name.clone()), ("typed", typed.clone())],
                )
            })
            .collect();
        Reply::text(format!(
            "{}\n{}",
            self.text(lang, "customers-which", &[]),
            lines.join("\n")
        ))
    }
}
